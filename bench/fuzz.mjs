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
process.exit(traps ? 1 : 0);
