// The input file of `mipfw-board bench` (host/wasm3/src/bench.rs, format version 1): cases with their
// configuration chunks, setup operations and measured operations. Used by bench/wasm3.mjs and
// bench/opprofile.mjs.
import * as host from "../build/host.mjs";

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
