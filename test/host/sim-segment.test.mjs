// Segments: delay, jitter and loss statistics, bandwidth serialisation and the transmit queue,
// broadcast to every other port, and the pcap bytes each segment writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host } from "./helpers.mjs";

const { Engine, Rng, Segment, PcapBuffer, readPcap, PCAP_MAGIC } = host;

function port(name, e, log) {
  return { name, segment: null, receive(frame) { log.push({ to: name, t: e.nowUs, frame }); } };
}
function params(over) { return { delayUs: 0, jitterUs: 0, loss: 0, bandwidthBps: 0, queueFrames: 256, ...over }; }
const frame = (n, tag = 0) => { const f = new Uint8Array(n); f[0] = 0xff; f[20] = tag & 255; f[21] = tag >> 8; return f; };

test("segment: a frame reaches every other port after the delay, never its sender", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(1), params({ delayUs: 250 }));
  const a = port("a", e, log), b = port("b", e, log), c = port("c", e, log);
  [a, b, c].forEach((p) => seg.attach(p));
  e.schedule(1000, () => seg.send(a, frame(60)));
  e.run(10000);
  assert.deepEqual(log.map((x) => [x.to, x.t]), [["b", 1250], ["c", 1250]]);
  assert.equal(seg.stats.frames, 1);
  assert.equal(seg.stats.delivered, 2);
  seg.detach(c);
  assert.equal(c.segment, null);
  e.schedule(20000, () => seg.send(a, frame(60)));
  e.run(30000);
  assert.deepEqual(log.slice(2).map((x) => x.to), ["b"]);
});

test("segment: jitter stays within [delay, delay+jitter] with the expected mean, and may reorder", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(7, "j"), params({ delayUs: 1000, jitterUs: 2000 }));
  const a = port("a", e, log), b = port("b", e, log);
  seg.attach(a); seg.attach(b);
  const n = 4000;
  for (let i = 0; i < n; i++) e.schedule(i * 100, () => seg.send(a, frame(64, i)));
  e.run(Infinity);
  assert.equal(log.length, n);
  let sum = 0, reordered = 0, last = -1;
  for (const x of log) {
    const seq = x.frame[20] | (x.frame[21] << 8);
    const d = x.t - seq * 100;
    assert.ok(d >= 1000 && d <= 3000, `delay ${d}`);
    sum += d;
    if (seq < last) reordered++; else last = seq;
  }
  assert.ok(Math.abs(sum / n - 2000) < 60, `mean ${sum / n}`);
  assert.ok(reordered > 0, "jitter larger than the gap reorders frames");
});

test("segment: loss rate within statistical bounds, counted per lost copy", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(3, "l"), params({ delayUs: 10, loss: 0.2 }));
  const a = port("a", e, log), b = port("b", e, log);
  seg.attach(a); seg.attach(b);
  const n = 10000;
  for (let i = 0; i < n; i++) e.schedule(i, () => seg.send(a, frame(64)));
  e.run(Infinity);
  const lossRate = 1 - log.length / n;
  assert.ok(Math.abs(lossRate - 0.2) < 0.02, `loss ${lossRate}`); // ~5 sigma
  assert.equal(seg.stats.lost, n - log.length);
  // Loss 1 loses everything, loss 0 nothing.
  const seg2 = new Segment("t", e, new Rng(3), params({ loss: 1 }));
  const c = port("c", e, log), d = port("d", e, []);
  seg2.attach(c); seg2.attach(d);
  const before = log.length;
  e.schedule(e.nowUs + 1, () => seg2.send(d, frame(64)));
  e.run(Infinity);
  assert.equal(log.length, before);
});

test("segment: bandwidth serialises frames back to back (with preamble and gap) and queues FIFO", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(1), params({ delayUs: 50, bandwidthBps: 10e6, queueFrames: 100 }));
  const a = port("a", e, log), b = port("b", e, log);
  seg.attach(a); seg.attach(b);
  e.schedule(0, () => { for (let i = 0; i < 5; i++) seg.send(a, frame(1000, i)); });
  e.run(Infinity);
  // (1000 + 20) bytes * 8 bits / 10 Mbit/s = 816 us per frame.
  assert.deepEqual(log.map((x) => x.t), [866, 1682, 2498, 3314, 4130]);
  assert.deepEqual(log.map((x) => x.frame[20]), [0, 1, 2, 3, 4]);
  // A later frame waits for the medium only if it is still busy.
  e.schedule(10000, () => seg.send(a, frame(100)));
  e.run(Infinity);
  assert.equal(log[5].t, 10000 + 96 + 50);
});

test("segment: a full transmit queue drops the excess frames", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(1), params({ bandwidthBps: 1e6, queueFrames: 4 }));
  const a = port("a", e, log), b = port("b", e, log);
  seg.attach(a); seg.attach(b);
  let accepted = 0;
  e.schedule(0, () => { for (let i = 0; i < 10; i++) if (seg.send(a, frame(100))) accepted++; });
  e.run(Infinity);
  assert.equal(accepted, 4);
  assert.equal(seg.stats.queueDrops, 6);
  assert.equal(log.length, 4);
  // Once drained, the queue accepts again.
  e.schedule(e.nowUs + 1, () => assert.ok(seg.send(a, frame(100))));
  e.run(Infinity);
  assert.equal(log.length, 5);
});

test("pcap: global header, one record per frame with its length, timestamps from virtual time", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(1), params({ delayUs: 100, bandwidthBps: 0 }));
  seg.pcap = new PcapBuffer();
  const a = port("a", e, log), b = port("b", e, log);
  seg.attach(a); seg.attach(b);
  const sizes = [60, 1514, 98];
  e.schedule(1_500_000, () => seg.send(a, frame(sizes[0])));
  e.schedule(2_000_001, () => seg.send(b, frame(sizes[1])));
  e.schedule(3_999_999, () => seg.send(a, frame(sizes[2])));
  e.run(Infinity);
  const bytes = seg.pcap.bytes();
  assert.deepEqual([...bytes.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1], "little-endian magic a1b2c3d4");
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(dv.getUint32(0, true), PCAP_MAGIC);
  assert.equal(dv.getUint16(4, true), 2);
  assert.equal(dv.getUint16(6, true), 4);
  assert.equal(dv.getUint32(16, true), 65535);
  assert.equal(dv.getUint32(20, true), 1, "LINKTYPE_ETHERNET");
  assert.equal(bytes.length, 24 + sizes.reduce((s, n) => s + 16 + n, 0));
  let o = 24;
  const ts = [[1, 500000], [2, 1], [3, 999999]];
  sizes.forEach((n, i) => {
    assert.deepEqual([dv.getUint32(o, true), dv.getUint32(o + 4, true)], ts[i]);
    assert.equal(dv.getUint32(o + 8, true), n, "incl_len");
    assert.equal(dv.getUint32(o + 12, true), n, "orig_len");
    o += 16 + n;
  });
  const parsed = readPcap(bytes);
  assert.equal(parsed.records.length, 3);
  assert.deepEqual(parsed.records.map((r) => r.tUs), [1_500_000, 2_000_001, 3_999_999]);
});
