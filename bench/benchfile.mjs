// The input file of `mipfw-board bench` (host/wasm3/src/bench.rs, format version 1): cases with their
// configuration chunks, setup operations and measured operations. Used by bench/wasm3.mjs and
// bench/opprofile.mjs.
import * as host from "../build/host.mjs";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { performance } from "node:perf_hooks";
import { FIRMWARE, module, apply } from "./setup.mjs";

const KIND = { rx: 0, output: 1, "link-up": 2, "link-down": 3, tick: 4 };

/**
 * Encode `cases`: `{ name, config, now, startups, setup: op[], measured: op[], perRound, warmup, rounds }`,
 * op = `{ kind, iface, data }` (bench/setup.mjs).
 */
export function encodeBenchFile(cases) {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const bytes = (b) => { u32(b.length); parts.push(Buffer.from(b.buffer, b.byteOffset, b.length)); };
  const ops = (l) => { u32(l.length); for (const o of l) { parts.push(Buffer.from([KIND[o.kind]])); u32(o.iface); bytes(o.data); } };
  parts.push(Buffer.from("MIPB")); u32(1); u32(cases.length);
  for (const c of cases) {
    bytes(Buffer.from(c.name));
    u32(c.config.board.memoryPages);
    const t = Buffer.alloc(8); t.writeBigInt64LE(BigInt(c.now)); parts.push(t);
    u32(c.startups);
    const chunks = host.encodeConfigChunks(c.config, 4096);
    u32(chunks.length); for (const ch of chunks) bytes(ch);
    ops(c.setup); ops(c.measured);
    u32(c.perRound); u32(c.warmup); u32(c.rounds);
  }
  return Buffer.concat(parts);
}

/** Run `list` under `mipfw-board bench` (binary `binary`, firmware `firmware`): one JSON result per case, then the process's peak RSS. */
export function runWasm3Cases(binary, list, firmware = FIRMWARE) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-bench-"));
  try {
    const file = join(dir, "cases.bin");
    writeFileSync(file, encodeBenchFile(list));
    const r = spawnSync(binary, ["bench", file, "--firmware", firmware], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`mipfw-board bench exited ${r.status}: ${r.stderr}`);
    return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const medianOf = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The same case under Node (host/node/board.ts), the loop shape of bench.rs: ns per measured op (median), start-up µs, frames sent. */
export function runNodeCase(c) {
  let tx = 0, lastTxLen = 0;
  const hooks = { now: () => c.now, tx: (i, f) => { tx++; lastTxLen = f.length; }, deliver() {} };
  const starts = [];
  let board;
  for (let i = 0; i <= c.startups; i++) {
    const t0 = performance.now();
    board = new host.Board(module, c.config, hooks);
    board.init();
    starts.push((performance.now() - t0) * 1000);
  }
  for (const op of c.setup) apply(board, op, c.now);
  const tx0 = tx;
  const per = [];
  const m = c.measured.length;
  let k = 0;
  const allRx = c.measured.every((o) => o.kind === "rx");
  for (let r = 0; m && r < c.warmup + c.rounds; r++) {
    const t0 = performance.now();
    if (allRx) for (let j = 0; j < c.perRound; j++) { const o = c.measured[k]; board.rx(o.iface, o.data); if (++k === m) k = 0; }
    else for (let j = 0; j < c.perRound; j++) { apply(board, c.measured[k], c.now); if (++k === m) k = 0; }
    const ns = ((performance.now() - t0) * 1e6) / c.perRound;
    if (r >= c.warmup) per.push(ns);
  }
  return { nsPerOp: per.length ? medianOf(per) : 0, startupUs: medianOf(starts), tx: tx - tx0, lastTxLen, board };
}
