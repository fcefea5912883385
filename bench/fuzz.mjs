// Fuzzing (issue 7 point 20): 10,000,000 seeded frames by default — 10 % mutated router traffic (no trap, no
// heap movement), 30 % each through the invariant-checking home agent, foreign agent and mobile node worlds of
// test/lib/mipfuzz.mjs (invariants: docs/fuzzing.md), and (shares relative: 10 % more) the route-optimization
// binding cache of test/lib/rofuzz.mjs (role cn, invariant ro-cache-authenticated), and (5 % more each) the
// distributed registration care-of agent and registration server of test/lib/drfuzz.mjs (roles coa, rs;
// invariants coa-* / rs-*, docs/fuzzing.md). Prints per role the seed, frames, frames/s, traps, heap
// moved and violations by invariant with the step and frame of the first examples; same seed, same result.
//
//   node bench/fuzz.mjs [--frames N] [--seed S] [--roles router,ha,fa,mn,cn,coa,rs] [--invariants a,b] [--examples K]
//   node bench/fuzz.mjs --roles ha --seed S --trace STEP      replay: run to STEP and print that step decoded
//   node bench/fuzz.mjs N S                                    (the old form: frames, seed)
//
// Exit status 1 when any invariant is violated or anything trapped.
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { figure, heading } from "./lib.mjs";
import { routerJson, validFrames, mutate, rng } from "../test/lib/traffic.mjs";
import { INVARIANTS, makeWorld } from "../test/lib/mipfuzz.mjs";
import { fuzzCache } from "../test/lib/rofuzz.mjs";
import { fuzzCareOfAgent, fuzzServer, DR_INVARIANTS } from "../test/lib/drfuzz.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const positional = argv.filter((a, i) => !a.startsWith("--") && (i === 0 || !argv[i - 1].startsWith("--")));
const N = Number(opt("frames", positional[0] ?? 10_000_000));
const seed = Number(opt("seed", positional[1] ?? 1)) >>> 0;
const roles = opt("roles", "router,ha,fa,mn,cn,coa,rs").split(",");
const invariants = opt("invariants", null)?.split(",") ?? null;
const traceStep = opt("trace", null);
const examples = Number(opt("examples", 2));
const SHARE = { router: 0.1, ha: 0.3, fa: 0.3, mn: 0.3, cn: 0.1, coa: 0.05, rs: 0.05 };
for (const r of roles) if (!(r in SHARE)) { console.error(`unknown role ${r} (router, ha, fa, mn, cn, coa, rs)`); process.exit(2); }
for (const n of invariants ?? []) if (!INVARIANTS[n] && !DR_INVARIANTS[n]) { console.error(`unknown invariant ${n} (${[...Object.keys(INVARIANTS), ...Object.keys(DR_INVARIANTS)].join(", ")})`); process.exit(2); }

if (traceStep !== null) {
  // Replay one step of one role: the same seed reaches the same state, then print what happened
  // (`--context K`: the K steps before it too).
  const role = roles.find((r) => r !== "router") ?? "ha";
  const lines = [];
  const w = makeWorld(role, seed + roles.indexOf(role), { invariants, log: (l) => lines.push(l) });
  const step = Number(traceStep), from = step - Number(opt("context", 0));
  while (w.step < step) {
    lines.length = 0;
    w.once();
    if (w.step >= from) { console.log(w.describeStep()); for (const l of lines) console.log(`  VIOLATION ${l}`); }
  }
  process.exit(0);
}

const share = roles.reduce((n, r) => n + SHARE[r], 0);
let traps = 0, heapMoved = 0, totalFrames = 0;
const byInvariant = new Map();
const t00 = performance.now();
heading(`fuzz: ${N} frames, seed ${seed}, roles ${roles.join(",")}`);

for (const [k, role] of roles.entries()) {
  const frames = Math.ceil((N * SHARE[role]) / share);
  const s = seed + k;
  const t0 = performance.now();
  if (role === "router") {
    // Mutated router traffic (test/lib/traffic.mjs) through rx and output: no trap, memory must not move.
    let t = 0;
    const board = new host.Board(new WebAssembly.Module(readFileSync("build/firmware.wasm")), host.validateConfig(routerJson, "r1"), {
      now: () => t, tx() {}, deliver() {}, random: (b) => { for (let i = 0; i < b.length; i++) b[i] = r.next() & 255; },
    });
    const r = rng(s);
    board.init();
    const heap0 = board.heapUsed(), bytes0 = board.memoryBytes();
    const corpus = validFrames();
    let rt = 0;
    for (let i = 0; i < frames; i++) {
      const [iface, f] = mutate(r, corpus);
      try {
        board.rx(iface, f);
        if ((i & 3) === 0) board.output(f.subarray(Math.min(14, f.length)));
      } catch (e) {
        if (rt++ < 5) console.log(`router seed ${s}: trap at frame ${i} (iface ${iface}, ${Buffer.from(f).toString("hex")}): ${e}`);
      }
      t += r.int(30);
      if ((i & 15) === 0) board.tick(t);
    }
    const moved = board.heapUsed() - heap0 + (board.memoryBytes() - bytes0);
    const secs = (performance.now() - t0) / 1000;
    heading(`fuzz router: seed ${s}`);
    figure("frames", frames, "frames");
    figure("throughput", frames / secs, "frames/s");
    figure("traps", rt, "", "must be 0");
    figure("heap moved", moved, "bytes", "must be 0");
    traps += rt; heapMoved += Math.abs(moved); totalFrames += frames;
    continue;
  }
  if (role === "cn") {
    // The route-optimization binding cache (test/lib/rofuzz.mjs): forged or replayed updates never change it.
    const rep = fuzzCache({ frames, seed: s, maxExamples: examples });
    const secs = (performance.now() - t0) / 1000;
    heading(`fuzz cn (binding cache): seed ${s}`);
    figure("frames", frames, "frames", Object.entries(rep.counts).map(([k, v]) => `${k} ${v}`).join(", "));
    figure("throughput (generator, oracle and checks included)", frames / secs, "frames/s");
    figure("traps", rep.traps, "", "must be 0");
    figure("  ro-cache-authenticated", rep.violationCount, "violations", rep.violationCount ? "issue 10 target" : "");
    for (const e of rep.violations) console.log(`      step ${e.step}: cache ${JSON.stringify(e.got)}, oracle ${JSON.stringify(e.want)}`);
    if (rep.violationCount) { const b = byInvariant.get("ro-cache-authenticated") ?? { count: 0, roles: new Set() }; b.count += rep.violationCount; b.roles.add(role); byInvariant.set("ro-cache-authenticated", b); }
    traps += rep.traps; totalFrames += frames;
    continue;
  }
  if (role === "coa" || role === "rs") {
    // Distributed registration (test/lib/drfuzz.mjs): forged or replayed Route Requests / Replies and
    // registrations rejected with the right codes, no state changed.
    const rep = (role === "coa" ? fuzzCareOfAgent : fuzzServer)({ frames, seed: s, maxExamples: examples });
    const secs = (performance.now() - t0) / 1000;
    heading(`fuzz ${role} (${role === "coa" ? "care-of agent" : "registration server"}): seed ${s}`);
    figure("frames", frames, "frames", Object.entries(rep.counts).map(([k, v]) => `${k} ${v}`).join(", "));
    figure("throughput (generator, oracle and checks included)", frames / secs, "frames/s");
    figure("traps", rep.traps, "", "must be 0");
    figure("heap moved", rep.heapMoved, "bytes", "must be 0");
    console.log(`  ${Object.entries(rep.stats).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    for (const name of Object.keys(DR_INVARIANTS)) {
      if (!name.startsWith(`${role}-`) || (invariants && !invariants.includes(name))) continue;
      const v = rep.violations[name];
      figure(`  ${name}`, v ? v.count : 0, "violations", v ? "issue 11.8" : "");
      if (!v) continue;
      const b = byInvariant.get(name) ?? { count: 0, roles: new Set() };
      b.count += v.count; b.roles.add(role); byInvariant.set(name, b);
      for (const e of v.examples.slice(0, examples)) console.log(`      step ${e.step} (t=${e.t} ms): ${e.detail}`);
    }
    traps += rep.traps; heapMoved += Math.abs(rep.heapMoved); totalFrames += frames;
    continue;
  }
  const w = makeWorld(role, s, { invariants });
  w.run(frames);
  const rep = w.report();
  const secs = (performance.now() - t0) / 1000;
  heading(`fuzz ${role}: seed ${s}`);
  figure("frames", rep.frames, "frames", `${rep.steps} steps, ${rep.episodes} episodes`);
  figure("throughput (generator, oracle and checks included)", rep.frames / secs, "frames/s");
  figure("traps", rep.traps, "", "must be 0");
  figure("heap moved", rep.heapMoved, "bytes", "must be 0");
  console.log(`  ${Object.entries(rep.stats).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  for (const [name, inv] of Object.entries(INVARIANTS)) {
    if (!inv.roles.includes(role) || (invariants && !invariants.includes(name))) continue;
    const v = rep.violations[name];
    figure(`  ${name}`, v ? v.count : 0, "violations", v ? `issue 7.${(inv.points ?? [20]).join("/7.")}` : "");
    if (v) {
      const b = byInvariant.get(name) ?? { count: 0, roles: new Set() };
      b.count += v.count; b.roles.add(role); byInvariant.set(name, b);
      for (const e of v.examples.slice(0, examples)) {
        console.log(`      step ${e.step} (t=${e.t} ms): ${e.detail}`);
        console.log(`      replay: node bench/fuzz.mjs --roles ${role} --seed ${e.seed} --trace ${e.step}   (iface ${e.iface}, frame ${e.frame})`);
      }
    }
  }
  traps += rep.traps; heapMoved += rep.heapMoved; totalFrames += rep.frames;
}

const secs = (performance.now() - t00) / 1000;
heading(`fuzz summary: seed ${seed}`);
figure("frames", totalFrames, "frames");
figure("throughput", totalFrames / secs, "frames/s");
figure("traps", traps, "", "must be 0");
figure("heap moved", heapMoved, "bytes", "must be 0");
figure("invariants violated", byInvariant.size, "", byInvariant.size ? [...byInvariant.keys()].join(", ") : "none");
process.exit(traps || heapMoved || byInvariant.size ? 1 : 0);
