// Handoff interruption and packets lost per handoff in the default scenario (Mobile IP roaming
// home -> FA1 -> FA2 -> home under a 200 packet/s stream), as a function of the agents'
// advertisement interval and the home agent's distance (one-way delay of the core segment).
// Target: interruption <= association delay + one round trip to the home agent + 20 ms.
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { heading, median } from "./lib.mjs";

const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
const base = JSON.parse(readFileSync("scenarios/default.json", "utf8"));
const assoc = Math.max(...base.accessPoints.map((a) => a.assocDelayMs));

heading("handoff interruption (median of the 3 handoffs; ms) and packets lost per handoff");
console.log("link hints | advert interval | core one-way | registered | interruption | target | lost/handoff | total lost");
const rttByCore = new Map();
for (const hints of [true, false]) for (const advert of [1000, 3000, 10000]) {
  for (const core of [0.05, 5, 25]) {
    const sc = JSON.parse(JSON.stringify(base));
    sc.wifi = { ...(sc.wifi ?? {}), linkHints: hints };
    for (const n of sc.nodes) if (n.roles?.some((r) => r.endsWith("agent"))) { n.mobility.advertIntervalMs = advert; n.mobility.advertLifetimeSec = Math.ceil((3 * advert) / 1000); }
    sc.segments.find((s) => s.name === "core").delayMs = core;
    const sim = new host.Simulation(host.validateScenario(sc, "scenario"), module, {});
    sim.run();
    sim.close();
    const s = sim.summary();
    const hs = s.handoffs;
    const reg = median(hs.map((h) => h.registeredMs ?? NaN));
    const intr = median(hs.map((h) => h.interruptionMs ?? NaN));
    // The registration round trip (mobile node -> FA -> HA -> FA -> mobile node) is what follows the
    // association when the host reports the new access point; the target applies to that case only.
    if (hints) rttByCore.set(core, reg - assoc);
    const target = hints ? (assoc + rttByCore.get(core) + 20).toFixed(1) : "-";
    const lost = median(hs.map((h) => h.lost));
    console.log(`${(hints ? "yes" : "no").padStart(10)} | ${String(advert).padStart(12)} ms | ${String(core).padStart(9)} ms | ${reg.toFixed(1).padStart(7)} ms | ${intr.toFixed(1).padStart(9)} ms | ${target.padStart(6)} | ${String(lost).padStart(12)} | ${s.flows[0].lost}`);
  }
}
