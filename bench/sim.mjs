// Simulation speed over fleet size (issue 14.10): simulated seconds per wall second for the
// scenarios of scenarios/gen-bench.mjs with 1 router and 9 hosts per LAN -- 10, 100 (= bench-100.json:
// 10 routers, 90 hosts of which 20 roam between 20 access points, 20 CBR flows and 10 pings) and
// 1,000 boards -- the median of 9 runs at 10 boards, of 3 below 1,000, 1 run from 1,000; plus frames moved per
// wall second, the share of a router's received frames that were not for it, set-up time and memory.
// SIM_BENCH_BOARDS=10,100,1000,10000 chooses the sizes (multiples of 10); SIM_BENCH_MS shortens the
// simulated time of runs of 1,000 boards and more; SIM_BENCH_FLOOD=1 also runs each size with every
// frame handed to every interface (the simulator before unicast delivery by MAC), for comparison.
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { figure, heading, median } from "./lib.mjs";
import { generate } from "../scenarios/gen-bench.mjs";

const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
const sizes = (process.env.SIM_BENCH_BOARDS ?? "10,100,1000").split(",").map(Number);
const bigMs = Number(process.env.SIM_BENCH_MS ?? 60000);
const modes = process.env.SIM_BENCH_FLOOD ? [false, true] : [false];

function once(scenario, floodUnicast) {
  const t0 = performance.now();
  const sim = new host.Simulation(scenario, module, { seed: scenario.seed, floodUnicast });
  const t1 = performance.now();
  sim.run();
  const wall = (performance.now() - t1) / 1000;
  sim.close();
  const summary = sim.summary();
  let frames = 0, rRx = 0, rNot = 0;
  for (const [name, b] of Object.entries(summary.boards)) {
    frames += b.counters.rx_frames;
    if (name.startsWith("r")) { rRx += b.counters.rx_frames; rNot += b.counters.drop_not_for_us ?? 0; }
  }
  return { speed: summary.simMs / 1000 / wall, fps: frames / wall, setup: (t1 - t0) / 1000, notForUs: rRx ? rNot / rRx : 0, summary, events: sim.engine.fired / wall };
}

// Warm-up (the JIT): untimed runs of the smallest scenario, in each mode measured.
for (const flood of modes) for (let i = 0; i < 3; i++) once(host.validateScenario({ ...generate(1, 9, 2), durationMs: 20000 }), flood);
const curve = [];
for (const boards of sizes) {
  const raw = generate(Math.max(1, boards / 10), 9, 2);
  if (boards >= 1000) raw.durationMs = bigMs;
  const scenario = host.validateScenario(raw);
  for (const flood of modes) {
    heading(`simulation speed: ${boards} boards, ${scenario.durationMs / 1000} s simulated${flood ? ", every frame to every interface (before)" : ""}`);
    const runs = [];
    // (10 boards: a run is ~10 ms of wall time, so more of them.)
    for (let r = 0; r < (boards >= 1000 ? 1 : boards <= 10 ? 9 : 3); r++) runs.push(once(scenario, flood));
    const speed = median(runs.map((x) => x.speed));
    const { summary, notForUs, setup } = runs[0];
    figure("simulated seconds per wall second", speed, "x real time", boards === 1000 && !flood ? "target >= 10" : boards === 100 ? "target >= 50" : "");
    figure("frames received by boards per wall second", median(runs.map((x) => x.fps)), "frames/s");
    figure("events per wall second", median(runs.map((x) => x.events)), "events/s");
    figure("routers: received frames not for them", 100 * notForUs, "%");
    figure("set-up (boards started)", setup, "s");
    figure("resident memory after the run", process.memoryUsage().rss / 1048576, "MiB");
    const lost = summary.flows.reduce((n, f) => n + f.lost, 0), sent = summary.flows.reduce((n, f) => n + f.sent, 0);
    figure("CBR packets sent / lost (all flows)", `${sent} / ${lost}`, "packets");
    figure("handoffs", summary.handoffs.length, "");
    curve.push({ boards, flood, speed });
  }
}
heading("curve: simulated seconds per wall second");
for (const c of curve) figure(`${c.boards} boards${c.flood ? " (every frame to every interface)" : ""}`, c.speed, "x real time");
