// Batch receive (docs/abi.md "Batch receive"): `rx_batch(n)` over the ring gives exactly what `rx`
// gives for the same frames one by one (transmitted frames, events, counters), drops and counts bad
// slots like `rx` drops bad calls, skips empty slots uncounted, refuses a bad n, and never traps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01");
const R_MAC = host.mac("02:00:00:00:0b:fe"), CN_MAC = host.mac("02:00:00:00:0a:20");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), CN = ip("10.0.1.20"), FAR = ip("10.0.9.9"), FA = ip("10.0.3.1");
const ZERO_MAC = new Uint8Array(6);
const KEY = { spi: 1000, algorithm: "hmac-md5", key: new TextEncoder().encode("mn-secret") };
const T0 = 1_000_000;

function haJson(board) {
  return {
    name: "ha", board, roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
    ],
    routes: [{ dest: "default", via: "10.0.2.254" }],
    mobility: { lifetimeSec: 600 },
    securityAssociations: [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" }],
  };
}

function start(board = "rpi-zero-2w") {
  const clock = { t: T0 };
  const s = startBoard(haJson(board), { now: () => clock.t });
  return { ...s, clock };
}

/** A mixed run of frames a home agent sees: ARP, a registration, tunnelled data, errors, junk. */
function traffic(clock) {
  const reg = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA,
    id: host.ntpTimestamp(clock.t, 0, 0x1234) }), host.EXT_MH_AUTH, KEY);
  const udp = (dst, id, ttl = 30, len = 64) => host.ethFrame(HA_MAC1, R_MAC, 0x0800,
    host.buildUdp(FAR, dst, 7000, 7001, new Uint8Array(len).fill(id & 255), id, ttl));
  const f = [];
  f.push({ iface: 1, frame: host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE) });
  f.push({ iface: 0, frame: host.arpFrame(1, CN_MAC, CN, ZERO_MAC, HA_IP) });
  f.push({ iface: 1, frame: udp(MN, 1) });                    // before the binding: to the home link (ARP)
  f.push({ iface: 1, frame: host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FA, HA_IP, 5434, 434, reg, 7, 60)) });
  for (let i = 0; i < 40; i++) f.push({ iface: 1, frame: udp(MN, 100 + i, 30, 20 + i * 30) }); // tunnelled
  f.push({ iface: 1, frame: udp(MN, 200, 1) });               // TTL 1: time exceeded
  f.push({ iface: 1, frame: host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildEchoRequest(FAR, HA_CORE, 9, 1, new Uint8Array(56), 3)) });
  f.push({ iface: 0, frame: host.arpFrame(1, CN_MAC, CN, ZERO_MAC, MN) }); // proxy ARP for the mobile node
  f.push({ iface: 1, frame: new Uint8Array(10) });            // runt
  f.push({ iface: 5, frame: udp(MN, 300) });                  // no such interface
  f.push({ iface: 1, frame: new Uint8Array(3000) });          // longer than the capacity
  f.push({ iface: 0xfffe, frame: udp(MN, 301) });             // iface beyond any index
  for (let i = 0; i < 30; i++) f.push({ iface: 1, frame: udp(MN, 400 + i) });
  return f;
}

/** Write one frame into ring slot `i` (descriptor in the last 4 bytes of its headroom). */
function put(board, i, iface, frame) {
  const x = board.x, mem = new Uint8Array(x.memory.buffer), dv = new DataView(x.memory.buffer);
  const at = x.rx_buffer() + i * x.rx_ring_stride();
  const cap = x.rx_capacity();
  let len = frame.length;
  if (len > cap) len = cap + 1; // counted too long, as Board.rx does
  else mem.set(frame, at);
  dv.setUint16(at - 4, iface, true);
  dv.setUint16(at - 2, len, true);
}

/** Hand `frames` to the board through the ring, `batch` slots per call; returns the sum of rx_batch results. */
function viaRing(board, frames, batch) {
  let used = 0;
  for (let k = 0; k < frames.length; k += batch) {
    const chunk = frames.slice(k, k + batch);
    chunk.forEach((f, i) => put(board, i, f.iface, f.frame));
    const r = board.x.rx_batch(chunk.length);
    assert.ok(r >= 0 && r <= chunk.length, `rx_batch returned ${r}`);
    used += r;
  }
  return used;
}

const hex = (b) => Buffer.from(b).toString("hex");
const seen = (cap) => ({
  tx: cap.tx.map((t) => `${t.iface}:${hex(t.frame)}`),
  events: cap.events.map((e) => `${e.kind}:${hex(e.data)}`),
});

test("ring size: 32 slots on a Linux-sized board, 1 (the rx buffer) on an esp32-sized one; fits the budget", () => {
  const big = start("rpi-zero-2w"), small = start("esp32");
  assert.equal(big.board.x.rx_ring_slots(), 32);
  assert.equal(small.board.x.rx_ring_slots(), 1);
  for (const s of [big, small]) {
    const x = s.board.x;
    assert.ok(x.rx_ring_stride() >= 64 + x.rx_capacity(), "a slot holds the headroom and a full frame");
    const end = x.rx_buffer() + (x.rx_ring_slots() - 1) * x.rx_ring_stride() + x.rx_capacity();
    assert.ok(end <= x.memory.buffer.byteLength, "the last slot's frame lies inside memory");
    assert.ok(x.memory_pages() <= s.cfg.board.memoryPages);
  }
});

test("a batch gives the same transmitted frames, events and counters as rx one by one", () => {
  for (const batch of [32, 7, 1]) {
    const a = start(), b = start();
    const frames = traffic(a.clock);
    let usedA = 0;
    for (const f of frames) if (a.board.rx(f.iface, f.frame) === 0) usedA++;
    const usedB = viaRing(b.board, frames, batch);
    assert.deepEqual(seen(b.cap), seen(a.cap), `batch ${batch}: same frames and events, in order`);
    assert.deepEqual(b.board.counters(), a.board.counters(), `batch ${batch}: same counters`);
    assert.equal(usedB, usedA, "as many frames used");
    // The run did what it should: a binding, tunnelled datagrams, an ICMP error, bad frames counted.
    const c = b.board.counters();
    assert.equal(c.rx_frames, frames.length);
    assert.ok(c.drop_bad_iface >= 2 && c.drop_too_long >= 1, JSON.stringify(c));
    assert.ok(b.cap.tx.filter((t) => t.frame[23] === 4).length >= 40, "IP-in-IP datagrams to the care-of address");
    assert.equal(b.board.dump("bindings").length, 1);
  }
});

test("empty slots (iface 0xffff) are skipped uncounted; a bad n does nothing and returns -1", () => {
  const s = start();
  const x = s.board.x;
  s.cap.tx.length = 0;
  const frame = host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE);
  put(s.board, 0, 0xffff, frame);
  put(s.board, 1, 1, frame);
  put(s.board, 2, 0xffff, new Uint8Array(0));
  const before = s.board.counters();
  assert.equal(x.rx_batch(3), 1);
  const after = s.board.counters();
  assert.equal(after.rx_frames - before.rx_frames, 1, "only the filled slot counted");
  assert.equal(s.cap.tx.length, 1, "the ARP request answered once");
  for (const n of [-1, x.rx_ring_slots() + 1, 0x7fffffff, -0x80000000]) {
    assert.equal(x.rx_batch(n), -1, `n = ${n}`);
  }
  assert.deepEqual(s.board.counters(), after, "a refused batch counts nothing");
  assert.equal(x.rx_batch(0), 0);
  // A small board has only slot 0.
  const e = start("esp32");
  put(e.board, 0, 1, frame);
  assert.equal(e.board.x.rx_batch(1), 1);
  assert.equal(e.board.x.rx_batch(2), -1);
});

test("random descriptors and bytes in every slot: no trap, every non-empty slot counted, memory fixed", () => {
  const s = start();
  const x = s.board.x;
  const heap0 = x.heap_used(), pages0 = x.memory_pages();
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 8; };
  let filled = 0;
  for (let round = 0; round < 200; round++) {
    const n = rnd() % (x.rx_ring_slots() + 1);
    const mem = new Uint8Array(x.memory.buffer), dv = new DataView(x.memory.buffer);
    for (let i = 0; i < n; i++) {
      const at = x.rx_buffer() + i * x.rx_ring_stride();
      const len = rnd() % 1600;
      const kind = rnd() % 4;
      const iface = kind === 0 ? 0xffff : kind === 1 ? rnd() & 0xffff : rnd() % 2;
      const frame = host.ethFrame(rnd() % 2 ? HA_MAC1 : HA_MAC0, R_MAC, rnd() % 2 ? 0x0800 : 0x0806, new Uint8Array(Math.max(0, Math.min(len, x.rx_capacity()) - 14)).map(() => rnd() & 255));
      mem.set(frame.subarray(0, Math.min(frame.length, x.rx_capacity())), at);
      dv.setUint16(at - 4, iface, true);
      dv.setUint16(at - 2, len, true);
      if (iface !== 0xffff) filled++;
    }
    const r = x.rx_batch(n);
    assert.ok(r >= 0 && r <= n);
  }
  assert.equal(s.board.counters().rx_frames, filled);
  assert.equal(x.heap_used(), heap0);
  assert.equal(x.memory_pages(), pages0);
});
