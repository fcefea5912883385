// Distributed registration (issue 11 targets; seed 002 §1.3.1, §8.4), in the emulated network:
//  1. Handoff between two foreign agents of one domain against the home agent's one-way distance
//     (the wan segment, 5-200 ms): scenarios/dremip-local-home.json (a local registration only) and
//     the same network with base Mobile IP (scenarios/dremip-interop-base-network.json: the foreign
//     agents advertise no registration server). Target: distributed <= association + local round trip
//     + 20 ms whatever the distance; base = association + the round trip to the home agent (>= 400 ms
//     at 200 ms one way).
//  2. Registrations reaching the home network in one hour for a node roaming every 30 s inside the
//     domain. Target: at most one per home lifetime, against one per handoff in base Mobile IP.
//  3. Registration server and care-of agent: registrations/s and Route Requests/s under Node and wasm3
//     in one run (ratio), and the cost per registration with 10 to the largest board's capacity of
//     registrations kept (flat).
// Usage: node bench/dremip.mjs [--quick]
import * as host from "../build/host.mjs";
import { existsSync, readFileSync } from "node:fs";
import { heading } from "./lib.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";
import { T0, drServer, drCareOf } from "./setup.mjs";

const quick = process.argv.includes("--quick");
const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
const load = (n) => JSON.parse(readFileSync(`scenarios/${n}`, "utf8"));
const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";

function run(sc) {
  const sim = new host.Simulation(host.validateScenario(sc, "scenario"), module, {});
  sim.run();
  const counters = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  sim.close();
  return { s: sim.summary(), counters };
}

// ---- 1. handoff inside the domain vs the home agent's distance -----------------------------------
{
  heading("handoff fa1 -> fa2 inside one domain vs the home agent's one-way distance (CBR 200 packets/s)");
  console.log("HA one-way | distributed: registered  interruption  lost  target | base: registered  interruption  lost");
  for (const oneWay of [5, 25, 50, 100, 150, 200]) {
    const row = [];
    for (const name of ["dremip-local-home.json", "dremip-interop-base-network.json"]) {
      const sc = load(name);
      sc.segments.find((s) => s.name === "wan").delayMs = oneWay;
      sc.apps[0].ratePps = 200;
      row.push({ ...run(sc).s.handoffs[0], assoc: Math.max(...sc.accessPoints.map((a) => a.assocDelayMs)) });
    }
    const [d, b] = row;
    // The local round trip: mobile node -> fa -> rs2 -> coa1 -> rs2 -> fa -> mobile node, i.e. what
    // follows the association in `registered` besides the agent discovery (the same in both).
    const target = d.assoc + (d.registeredMs - d.assoc) + 20;
    const f = (v) => (v ?? NaN).toFixed(1).padStart(8);
    console.log(`${String(oneWay).padStart(7)} ms | ${f(d.registeredMs)} ms ${f(d.interruptionMs)} ms ${String(d.lost).padStart(5)} ${f(target)} ${d.interruptionMs <= target ? "ok" : "MISSED"} | ${f(b.registeredMs)} ms ${f(b.interruptionMs)} ms ${String(b.lost).padStart(5)}`);
  }
}

// ---- 2. registrations reaching the home network per hour -----------------------------------------
{
  const HOUR = quick ? 600_000 : 3_600_000;
  heading(`registrations reaching the home network in ${HOUR / 60000} min, roaming fa1 <-> fa2 every 30 s (home lifetime 300 s, local 30 s)`);
  for (const name of ["dremip-local-home.json", "dremip-interop-base-network.json"]) {
    const sc = load(name);
    sc.durationMs = HOUR;
    sc.apps = [];
    const pts = [];
    for (let t = 0, at = 0; t <= HOUR; t += 30000, at ^= 1) { pts.push({ atMs: t, x: 100, y: at ? 100 : 0 }); pts.push({ atMs: t + 29000, x: 100, y: at ? 100 : 0 }); }
    sc.nodes.find((n) => n.name === "mn").movement = { type: "waypoints", points: pts };
    const r = run(sc);
    const handoffs = r.s.handoffs.length;
    // Requests that reached the home network: the home agent's and the home server's.
    const atHome = (r.counters.ha.ha_reg_rx ?? 0) + (r.counters.hs.dr_reg_rx ?? 0);
    const local = r.counters.rs2.dr_reg_rx ?? 0;
    const perLifetime = (HOUR / 1000) / 300;
    console.log(`${name.replace(".json", "").padEnd(34)} handoffs ${String(handoffs).padStart(4)}  at the home network ${String(atHome).padStart(4)}  (home lifetimes in the run: ${perLifetime.toFixed(0)})  at the local server ${local}  flow lost ${r.s.flows.length ? r.s.flows[0].lost : "-"}`);
  }
}

// ---- 3. registration server and care-of agent throughput, Node vs wasm3 ---------------------------
{
  const R = quick ? { perRound: 500, warmup: 1, rounds: 3 } : { perRound: 2000, warmup: 1, rounds: 5 };
  const LARGEST = Math.max(...["linux", "rpi4", "rpi-zero-2w", "emulated", "esp32"].map((b) => JSON.parse(readFileSync(`boards/${b}.json`, "utf8")).sizes.serverEntries));
  const cases = [];
  for (const n of [10, 256, LARGEST]) {
    cases.push({ name: `server: registrations, ${n} kept`, unit: "reg/s", config: drServer.config(n), setup: drServer.setup(n), measured: drServer.requests(n, 64, R.perRound * (R.warmup + R.rounds)), ...R });
  }
  cases.push({ name: "care-of agent: Route Requests, 64 nodes", unit: "RtReq/s", config: drCareOf.config(64), setup: drCareOf.setup(), measured: drCareOf.requests(64, R.perRound * (R.warmup + R.rounds)), ...R });
  for (const c of cases) { c.now = T0; c.startups = 0; }
  const nd = cases.map(runNodeCase);
  const w3 = existsSync(BINARY) ? runWasm3Cases(BINARY, cases) : null;
  if (!w3) console.log(`\n(${BINARY} missing: cd host/wasm3 && cargo build --release; Node only)`);
  heading(`registration server / care-of agent: Node vs wasm3 in one run (median of ${R.rounds} rounds; ratio = wasm3 time / Node time)`);
  console.log(`${"case".padEnd(40)} ${"Node".padStart(10)} ${"wasm3".padStart(10)} ${"ratio".padStart(6)}  unit     check`);
  cases.forEach((c, i) => {
    const a = nd[i], b = w3?.[i];
    const k = a.board.counters();
    let check = c.unit === "reg/s" ? `Route Requests sent ${k.dr_rt_request_tx ?? 0}, denied ${k.dr_reg_denied ?? 0}` : `replies ${k.dr_rt_reply_tx ?? 0}, dropped ${(k.drop_dr_auth ?? 0) + (k.drop_dr_replay ?? 0)}`;
    if (b) check += a.tx === b.tx && a.lastTxLen === b.lastTxLen ? ", same output" : `, OUTPUT DIFFERS (Node ${a.tx}, wasm3 ${b.tx})`;
    const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
    console.log(`${c.name.padEnd(40)} ${fmt(1e9 / a.nsPerOp).padStart(10)} ${(b ? fmt(1e9 / b.nsPerOp) : "-").padStart(10)} ${(b ? (b.nsPerOp / a.nsPerOp).toFixed(2) : "-").padStart(6)}  ${c.unit.padEnd(8)} ${check}`);
  });
  const regs = cases.map((c, i) => [c, i]).filter(([c]) => c.unit === "reg/s");
  const flat = (xs) => (Math.max(...xs) / Math.min(...xs)).toFixed(2);
  console.log(`cost per registration, ${LARGEST} / 10 kept: Node ${flat(regs.map(([, i]) => nd[i].nsPerOp))}` + (w3 ? `, wasm3 ${flat(regs.map(([, i]) => w3[i].nsPerOp))}` : "") + " (flat: close to 1)");
}
