// host/fnobjects.mjs: the release post-pass that keeps only the read word of each static function object.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { stripFunctionObjects } from "../../host/fnobjects.mjs";

const leb = (v) => { const o = []; do { let x = v & 127; v >>>= 7; if (v) x |= 128; o.push(x); } while (v); return o; };
const sleb = (v) => { const o = []; for (;;) { const x = v & 127; v >>= 7; if ((v === 0 && !(x & 64)) || (v === -1 && x & 64)) { o.push(x); return o; } o.push(x | 128); } };
const sec = (id, body) => [id, ...leb(body.length), ...body];
const u32 = (v) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

// A module laid out as asc lays out function objects: per object a 1-byte segment (mmInfo 28) at X and
// a segment [rtId, rtSize 8, index] at X+12; plus one ordinary 8-byte object (an array) that must stay whole.
function moduleWith(objects, extra = []) {
  const segs = [];
  for (const { at, rtId, slot } of objects) {
    segs.push({ off: at, bytes: [28] });
    segs.push({ off: at + 12, bytes: [...u32(rtId), ...u32(8), slot] });
  }
  segs.push(...extra);
  segs.sort((a, b) => a.off - b.off);
  const n = objects.length;
  const data = [...leb(segs.length)];
  for (const s of segs) data.push(0, 0x41, ...sleb(s.off), 0x0b, ...leb(s.bytes.length), ...s.bytes);
  return Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...sec(1, [1, 0x60, 0, 0]),
    ...sec(3, [...leb(n), ...Array(n).fill(0)]),
    ...sec(4, [1, 0x70, 0, n + 1]),
    ...sec(5, [1, 0, 1]),
    ...sec(7, [1, 3, ...[0x6d, 0x65, 0x6d], 2, 0]),
    ...sec(9, [1, 0, 0x41, 1, 0x0b, ...leb(n), ...Array.from({ length: n }, (_, i) => i)]),
    ...sec(12, leb(segs.length)),
    ...sec(10, [...leb(n), ...Array(n).fill([2, 0, 0x0b]).flat()]),
    ...sec(11, data),
  ]);
}

test("fnobjects: each function object keeps its table index at its address; headers and the module shrink; other objects untouched", async () => {
  const objs = [{ at: 1024, rtId: 4, slot: 2 }, { at: 1056, rtId: 6, slot: 1 }, { at: 1088, rtId: 4, slot: 3 }];
  const array = { off: 1132, bytes: [5, 0, 0, 0, 8, 0, 0, 0, 1] }; // rtSize 8 but not a table slot's object
  const before = moduleWith(objs, [{ off: 1120, bytes: [28] }, array]);
  const r = stripFunctionObjects(before);
  assert.equal(r.objects, 3);
  assert.ok(r.after < r.before, `${r.after} < ${r.before}`);
  assert.ok(WebAssembly.validate(r.wasm));
  const mem = async (w) => new Uint8Array((await WebAssembly.instantiate(w)).instance.exports.mem.buffer);
  const [m0, m1] = [await mem(before), await mem(r.wasm)];
  for (const { at, slot } of objs) {
    assert.equal(m1[at + 20], slot, `index of the object at ${at + 20}`);
    assert.deepEqual([...m1.subarray(at + 21, at + 28)], [0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...m1.subarray(at, at + 20)], Array(20).fill(0), "headers read as zero");
    assert.equal(m0[at + 20], slot);
  }
  assert.deepEqual([...m1.subarray(1120, 1141)], [...m0.subarray(1120, 1141)], "the array object keeps its header");
});

test("fnobjects: a layout it does not recognise fails the build instead of shipping a guess", () => {
  const objs = [{ at: 1024, rtId: 4, slot: 1 }, { at: 1056, rtId: 4, slot: 2 }];
  const m = moduleWith(objs);
  // Corrupt one object's rtSize: 1 object found for 2 slots.
  const bad = Uint8Array.from(m);
  const i = bad.findIndex((x, k) => x === 4 && bad[k + 1] === 0 && bad[k + 4] === 8 && bad[k + 8] === 2);
  assert.ok(i > 0);
  bad[i + 4] = 12;
  assert.throws(() => stripFunctionObjects(bad), /found 1 function objects for 2 table slots/);
});

test("fnobjects: the shipped modules carry no function object headers (the build ran the pass)", () => {
  for (const f of ["build/firmware.wasm", "build/firmware-mcu.wasm"]) {
    assert.throws(() => stripFunctionObjects(readFileSync(f)), /found 0 function objects/, f);
  }
});
