// The discrete-event engine (ordering, FIFO ties, rescheduling, cancelling) and the seeded PRNG
// (reproducible, independent streams, bounded), plus a check that the simulator never reads
// Math.random or the wall clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { host } from "./helpers.mjs";

const { Engine, SimEvent, Rng } = host;

test("engine: events run in time order, ties in insertion order, clock follows", () => {
  const e = new Engine();
  const log = [];
  const fn = (tag) => log.push([e.nowUs, tag]);
  e.schedule(300, fn, "c");
  e.schedule(100, fn, "a1");
  e.schedule(200, fn, "b");
  e.schedule(100, fn, "a2");
  e.schedule(100, fn, "a3");
  e.schedule(0, fn, "z");
  e.run(1000);
  assert.deepEqual(log, [[0, "z"], [100, "a1"], [100, "a2"], [100, "a3"], [200, "b"], [300, "c"]]);
  assert.equal(e.nowUs, 1000, "clock ends at the horizon");
});

test("engine: events scheduled while running at the same time run after the current ones (FIFO)", () => {
  const e = new Engine();
  const log = [];
  e.schedule(10, () => { log.push("first"); e.schedule(10, () => log.push("nested")); });
  e.schedule(10, () => log.push("second"));
  e.run(Infinity);
  assert.deepEqual(log, ["first", "second", "nested"]);
});

test("engine: run stops at the horizon and resumes later; past times clamp to now", () => {
  const e = new Engine();
  const log = [];
  for (const t of [5, 15, 25]) e.schedule(t, () => log.push(t));
  e.run(15);
  assert.deepEqual(log, [5, 15]);
  assert.equal(e.nowUs, 15);
  e.schedule(3, () => log.push("late")); // in the past: runs at now
  e.run(100);
  assert.deepEqual(log, [5, 15, "late", 25]);
});

test("engine: one persistent event is moved, never duplicated; cancel removes it", () => {
  const e = new Engine();
  let fired = [];
  const ev = new SimEvent(() => fired.push(e.nowUs));
  e.at(ev, 500);
  e.at(ev, 200);
  e.at(ev, 800);
  assert.equal(e.size, 1);
  assert.ok(ev.pending);
  e.run(1000);
  assert.deepEqual(fired, [800]);
  assert.ok(!ev.pending);
  fired = [];
  e.at(ev, 1500);
  const other = e.schedule(1500, () => fired.push("other"));
  e.cancel(ev);
  e.cancel(ev);
  assert.equal(e.size, 1);
  e.run(2000);
  assert.deepEqual(fired, ["other"]);
  assert.ok(!other.pending);
});

test("engine: 5000 random events with cancels and moves come out sorted by (time, seq)", () => {
  const e = new Engine();
  const rng = new Rng(42, "engine");
  const out = [];
  const evs = [];
  for (let i = 0; i < 5000; i++) {
    const ev = new SimEvent((id) => out.push([e.nowUs, id]), i);
    e.at(ev, rng.int(1000));
    evs.push(ev);
  }
  const cancelled = new Set();
  for (let i = 0; i < 500; i++) { const k = rng.int(5000); e.cancel(evs[k]); cancelled.add(k); }
  for (let i = 0; i < 500; i++) { const k = rng.int(5000); if (!cancelled.has(k)) e.at(evs[k], rng.int(1000)); }
  e.run(Infinity);
  assert.equal(out.length, 5000 - cancelled.size);
  for (let i = 1; i < out.length; i++) {
    const [ta, a] = out[i - 1], [tb, b] = out[i];
    assert.ok(ta < tb || (ta === tb && evs[a].seq < evs[b].seq), `order at ${i}`);
  }
});

test("rng: same seed and stream give the same numbers; streams and seeds are independent", () => {
  const seq = (r, n = 64) => Array.from({ length: n }, () => r.u32());
  assert.deepEqual(seq(new Rng(1, "a")), seq(new Rng(1, "a")));
  assert.notDeepEqual(seq(new Rng(1, "a")), seq(new Rng(1, "b")));
  assert.notDeepEqual(seq(new Rng(1, "a")), seq(new Rng(2, "a")));
  assert.deepEqual(seq(new Rng(9).derive("x")), seq(new Rng(9, "/x")));
  const big = new Rng(2 ** 40 + 3);
  assert.notDeepEqual(seq(big), seq(new Rng(3)));
  // Drawing from one stream does not move another.
  const a1 = new Rng(5, "seg"), b1 = new Rng(5, "mob");
  const a2 = new Rng(5, "seg"), b2 = new Rng(5, "mob");
  seq(a1, 1000);
  assert.deepEqual(seq(b1), seq(b2));
  assert.deepEqual(seq(a1, 3).length, 3);
  void a2;
});

test("rng: float in [0,1), int(n) in [0,n) and roughly uniform, fill covers every byte", () => {
  const r = new Rng(123, "stats");
  const counts = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < 100000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
    sum += f;
    const k = r.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    counts[k]++;
  }
  assert.ok(Math.abs(sum / 100000 - 0.5) < 0.01, `mean ${sum / 100000}`);
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `bucket ${c}`);
  const buf = new Uint8Array(4099);
  r.fill(buf);
  const seen = new Set(buf);
  assert.ok(seen.size > 250);
  assert.notEqual(buf[4098] | buf[4097] | buf[4096], 0);
});

test("the simulator never uses Math.random or the wall clock", () => {
  const dir = new URL("../../host/node/sim/", import.meta.url);
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
    const src = readFileSync(new URL(f, dir), "utf8").replace(/\/\/.*$/gm, "");
    assert.ok(!/Math\.random/.test(src), `${f} uses Math.random`);
    assert.ok(!/\bDate\b/.test(src), `${f} uses Date`);
    assert.ok(!/performance\.now|process\.hrtime/.test(src), `${f} reads the wall clock`);
  }
});
