// Simulation speed: simulated seconds per wall second for the 100-board scenario
// (scenarios/bench-100.json: 10 routers, 90 hosts of which 20 roam between 20 access points,
// 20 CBR flows and 10 pings), median of 3 runs, plus the frames moved per wall second.
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { figure, heading, median } from "./lib.mjs";

const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
const scenario = host.loadScenario("scenarios/bench-100.json");
heading(`simulation speed: ${scenario.nodes.length} boards, ${scenario.durationMs / 1000} s simulated`);
const speeds = [], fps = [];
let summary;
for (let r = 0; r < 3; r++) {
  const sim = new host.Simulation(scenario, module, { seed: scenario.seed });
  const t0 = performance.now();
  sim.run();
  const wall = (performance.now() - t0) / 1000;
  sim.close();
  summary = sim.summary();
  const frames = Object.values(summary.boards).reduce((n, b) => n + b.counters.rx_frames, 0);
  speeds.push(scenario.durationMs / 1000 / wall);
  fps.push(frames / wall);
}
figure("simulated seconds per wall second", median(speeds), "x real time", "target >= 50");
figure("frames received by boards per wall second", median(fps), "frames/s");
const lost = summary.flows.reduce((n, f) => n + f.lost, 0), sent = summary.flows.reduce((n, f) => n + f.sent, 0);
figure("CBR packets sent / lost (all flows)", `${sent} / ${lost}`, "packets");
figure("handoffs", summary.handoffs.length, "");
