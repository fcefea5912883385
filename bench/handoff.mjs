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

// Smooth handoff (issue 10.8, seed 001 §3.2, §8.1): packets lost per handoff in
// scenarios/smooth-handoff.json (CBR 1,000 packets/s, one roam fa1 -> fa2) with and without smooth
// handoff, against the home agent's one-way distance (the wan segment's delay; RTT = twice it).
// Target: 0 with smooth handoff at every distance; without it the loss grows with the distance
// (datagrams the home agent tunnels to the old care-of address until the new registration).
{
  const sh = JSON.parse(readFileSync("scenarios/smooth-handoff.json", "utf8"));
  heading("smooth handoff: packets lost per handoff at 1,000 packets/s vs the home agent's one-way distance");
  console.log("HA one-way | RTT    | lost, smooth | lost, without | held at fa1 | re-tunnelled by fa1 | registered after move (without)");
  for (const oneWay of [5, 25, 50, 100, 150]) {
    const row = {};
    for (const smooth of [true, false]) {
      const sc = JSON.parse(JSON.stringify(sh));
      sc.segments.find((s) => s.name === "wan").delayMs = oneWay;
      for (const n of sc.nodes) if (n.mobility?.routeOptimization) n.mobility.routeOptimization.smoothHandoff = smooth;
      const sim = new host.Simulation(host.validateScenario(sc, "scenario"), module, {});
      sim.run();
      const s = sim.summary();
      const fa1 = sim.nodes.find((n) => n.name === "fa1").board.counters();
      sim.close();
      row[smooth] = { lost: s.handoffs.reduce((n, h) => n + h.lost, 0) / Math.max(1, s.handoffs.length), held: fa1.ho_held, fwd: fa1.ro_cache_tunnelled, reg: s.handoffs[0]?.registeredMs };
    }
    console.log(`${String(oneWay).padStart(7)} ms | ${String(2 * oneWay).padStart(3)} ms | ${String(row[true].lost).padStart(12)} | ${String(row[false].lost).padStart(14)} | ${String(row[true].held).padStart(11)} | ${String(row[true].fwd).padStart(19)} | ${(row[false].reg ?? NaN).toFixed(1).padStart(8)} ms`);
  }
}

// Over seeds (issue 14.9): the same figures as means with 95 % confidence intervals, from `mipfw sweep`
// (each combination and seed a separate run, one per core): the default scenario against the core's
// one-way delay, and Mobile IPv6's previous-router scenario against the home agent's distance.
{
  const { spawnSync } = await import("node:child_process");
  const sweep = (args) => {
    const r = spawnSync(process.execPath, ["build/mipfw.cjs", "sweep", ...args], { encoding: "utf8", timeout: 600000 });
    if (r.status !== 0) throw new Error(r.stderr);
    const [head, ...lines] = r.stdout.trim().split("\n");
    const cols = head.split(",");
    return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
  };
  const seeds = process.argv.includes("--quick") ? "1..3" : "1..10";
  const show = (title, rows, key, figs) => {
    heading(`${title} (seeds ${seeds}: mean ± 95 % confidence interval)`);
    for (const v of [...new Set(rows.map((r) => r[key]))]) {
      console.log(`${key} = ${v}: ` + figs.map((f) => { const r = rows.find((x) => x[key] === v && x.figure === f); return r ? `${f} ${Number(r.mean).toFixed(1)} ± ${r.ci95 === "" ? "-" : Number(r.ci95).toFixed(1)}` : `${f} -`; }).join(", "));
    }
  };
  show("Mobile IPv4 handoff, default scenario", sweep(["scenarios/default.json", "--set", "segments[name=core].delayMs=0.05,25", "--seeds", seeds]),
    "segments[name=core].delayMs", ["handoff.interruptionMs.median", "handoff.lost.total"]);
  show("Mobile IPv6 handoff with previous-router forwarding, 1,000 datagrams/s", sweep(["scenarios/mip6-prev-router.json", "--set", "segments[name=wan].delayMs=25,100", "--seeds", seeds]),
    "segments[name=wan].delayMs", ["handoff.interruptionMs.median", "handoff.lost.total"]);
}
