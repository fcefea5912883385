// A million fuzzed frames through rx (and a quarter as many through output): no trap allowed,
// memory must not move. Prints throughput and the drop counters. `node bench/fuzz.mjs [frames] [seed]`.
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { figure, heading } from "./lib.mjs";
import { routerJson, validFrames, mutate, rng } from "../test/lib/traffic.mjs";

const N = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 7);
let t = 0;
const board = new host.Board(new WebAssembly.Module(readFileSync("build/firmware.wasm")), host.validateConfig(routerJson, "r1"), {
  now: () => t, tx() {}, deliver() {},
});
board.init();
const heap0 = board.heapUsed(), bytes0 = board.memoryBytes();
const r = rng(seed);
const frames = validFrames();
let traps = 0;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const [iface, f] = mutate(r, frames);
  try {
    board.rx(iface, f);
    if ((i & 3) === 0) board.output(f.subarray(Math.min(14, f.length)));
  } catch (e) {
    if (traps++ < 5) console.log(`trap at frame ${i}: ${e}`);
  }
  t += r.int(30);
  if ((i & 15) === 0) board.tick(t);
}
const secs = (performance.now() - t0) / 1000;
heading(`fuzz: ${N} frames, seed ${seed}`);
figure("frames fuzzed", N, "frames");
figure("traps", traps, "", "must be 0");
figure("heap moved", board.heapUsed() - heap0 + (board.memoryBytes() - bytes0), "bytes", "must be 0");
figure("throughput (incl. mutation in JS)", N / secs, "frames/s");
const c = board.counters();
for (const [k, v] of Object.entries(c)) if (v && (k.startsWith("drop_") || k === "forwarded" || k === "rx_frames")) figure(`  ${k}`, v, "");

// Phase 2: the Mobile IP roles, fed mutations of real scenario traffic (test/lib/mipcorpus.mjs).
const { mipCorpus } = await import("../test/lib/mipcorpus.mjs");
const corpus = mipCorpus();
const module2 = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
let traps2 = 0;
for (const name of ["default/ha", "default/fa1", "default/mn"]) {
  const cfg = corpus.configs.get(name);
  let t2 = 1000;
  const b = new host.Board(module2, cfg, { now: () => t2, tx() {}, deliver() {}, random: (x) => x.fill(7) });
  b.init();
  const h0 = b.heapUsed();
  const rr = rng(seed + name.length);
  const nIf = cfg.interfaces.length;
  const frames2 = corpus.frames.map((f, i) => [i % nIf, f]);
  const M = Math.ceil(N / 3);
  const t0 = performance.now();
  for (let i = 0; i < M; i++) {
    const [iface, f] = mutate(rr, frames2);
    try { b.rx(iface, f); } catch (e) { if (traps2++ < 5) console.log(`${name}: trap at frame ${i}: ${e}`); }
    t2 += rr.int(400);
    if ((i & 7) === 0) b.tick(t2);
  }
  const secs = (performance.now() - t0) / 1000;
  heading(`fuzz ${name}: ${M} mutated Mobile IP frames`);
  figure("traps", traps2, "", "must be 0");
  figure("heap moved", b.heapUsed() - h0, "bytes", "must be 0");
  figure("throughput", M / secs, "frames/s");
  const c = b.counters();
  for (const [k, v] of Object.entries(c)) if (v && k.startsWith("drop_")) figure(`  ${k}`, v, "");
}
process.exit(traps || traps2 ? 1 : 0);
