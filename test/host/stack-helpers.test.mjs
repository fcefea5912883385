// Shared helpers of the core's stack (review items 5, 11, 12, 14): the pending pool's per-next-hop
// FIFO (arp.ts), linkSendIpTo (arp.ts) with udpIpEmit (wire/udp.ts), and stackTimerArm /
// stackTimerDisarm (sys/timers.ts). The last three have no host ABI export (roles call them inside the
// core), so those tests use a test build: the firmware plus small exports, compiled from a virtual entry.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, compileTestModule } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const R_MAC0 = host.mac("02:00:00:00:01:01"), R_MAC1 = host.mac("02:00:00:00:02:01");
const A_MAC = host.mac("02:00:00:00:01:10"), B_MAC = host.mac("02:00:00:00:02:10"), C_MAC = host.mac("02:00:00:00:02:11");
const D_MAC = host.mac("02:00:00:00:02:12");
const R_IP1 = ip("10.0.2.1"), A_IP = ip("10.0.1.10"), B_IP = ip("10.0.2.10"), C_IP = ip("10.0.2.11"), D_IP = ip("10.0.2.12");

const router = (board) => ({
  name: "r1", board, roles: ["router", "host"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
    { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" },
  ],
});
const ipFrames = (cap) => cap.tx.filter((t) => host.etherType(t.frame) === 0x0800);
const arpFrames = (cap) => cap.tx.filter((t) => host.parseArpFrame(t.frame));
const ipId = (f) => (f[18] << 8) | f[19];
const udpTo = (dst, id) => host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildUdp(A_IP, dst, 40000, 9000, new Uint8Array(32), id, 64));
const isAt = (mac, sip) => host.arpFrame(2, mac, sip, R_MAC1, R_IP1);

test("a pool with many frames for one next hop flushes them in order after one ARP reply", () => {
  let t = 0;
  const { board, cap } = startBoard(router("linux"), { now: () => t }); // linux: pendingFrames 64
  // 40 frames for B interleaved with 10 for C: B may hold 32 slots (half the pool), so its 8 oldest
  // give way one by one and their slots are reused at the new end of B's chain.
  let c = 101;
  for (let id = 1; id <= 40; id++) {
    board.rx(0, udpTo(B_IP, id));
    if (id % 4 === 0) board.rx(0, udpTo(C_IP, c++));
  }
  assert.equal(board.counters().drop_arp_unresolved, 8);
  assert.equal(arpFrames(cap).length, 2, "one request per next hop");
  assert.equal(ipFrames(cap).length, 0);
  t = 10;
  board.rx(1, isAt(B_MAC, B_IP));
  let out = ipFrames(cap);
  assert.deepEqual(out.map((f) => ipId(f.frame)), Array.from({ length: 32 }, (_, i) => 9 + i));
  for (const f of out) { assert.equal(f.iface, 1); assert.deepEqual(f.frame.subarray(0, 6), B_MAC); assert.deepEqual(f.frame.subarray(6, 12), R_MAC1); }
  // B's freed slots lie between C's: a third next hop's chain runs through them in its own order.
  cap.tx.length = 0;
  for (let id = 201; id <= 230; id++) board.rx(0, udpTo(D_IP, id));
  board.rx(1, isAt(C_MAC, C_IP));
  out = ipFrames(cap);
  assert.deepEqual(out.map((f) => ipId(f.frame)), Array.from({ length: 10 }, (_, i) => 101 + i));
  for (const f of out) assert.deepEqual(f.frame.subarray(0, 6), C_MAC);
  cap.tx.length = 0;
  board.rx(1, isAt(D_MAC, D_IP));
  out = ipFrames(cap);
  assert.deepEqual(out.map((f) => ipId(f.frame)), Array.from({ length: 30 }, (_, i) => 201 + i));
  for (const f of out) assert.deepEqual(f.frame.subarray(0, 6), D_MAC);
  assert.equal(board.counters().drop_arp_unresolved, 8, "nothing else dropped");
  // A second reply finds nothing waiting.
  cap.tx.length = 0;
  board.rx(1, isAt(B_MAC, B_IP));
  assert.equal(ipFrames(cap).length, 0);
});

test("a one-slot share: each new frame replaces the waiting one, the newest leaves", () => {
  let t = 0;
  const { board, cap } = startBoard(router("esp32"), { now: () => t }); // esp32: pendingFrames 2
  for (let id = 1; id <= 5; id++) board.rx(0, udpTo(B_IP, id));
  assert.equal(board.counters().drop_arp_unresolved, 4);
  board.rx(1, isAt(B_MAC, B_IP));
  assert.deepEqual(ipFrames(cap).map((f) => ipId(f.frame)), [5]);
});

// ---- test build: the firmware plus exports for the timer helpers and linkSendIpTo ----
const ENTRY_SRC = `export * from "./index";
import { stackTimers, stackTimerArm, stackTimerDisarm } from "./sys/timers";
import { linkSendIpTo } from "./stack/arp";
import { udpIpEmit } from "./wire/udp";
import { timerDeadline, timerTag, timerActive } from "./table/timer";
const buf = memory.data(128, 16);
/** Kind 0x0f00 (owner 15) is unassigned: nobody handles it when it fires. */
export function test_arm(h: i32, tag: u32, at: i64): i32 { return stackTimerArm(h, 0x0f00, tag, at); }
export function test_disarm(h: i32): i32 { return stackTimerDisarm(h); }
export function test_deadline(h: i32): i64 { return timerDeadline(stackTimers, h); }
export function test_tag(h: i32): u32 { return timerTag(stackTimers, h); }
export function test_active(h: i32): i32 { return timerActive(stackTimers, h) ? 1 : 0; }
/** UDP 5000 -> 6000 "hi!" from 10.0.1.1 to 10.0.1.10, sent on iface 0 to 02:00:00:00:01:10 held at p - 8. */
export function test_send_to(): void {
  const p = buf + 64;
  store<u32>(p - 8, 0x00000002); store<u16>(p - 4, 0x1001);
  store<u8>(p + 28, 0x68); store<u8>(p + 29, 0x69); store<u8>(p + 30, 0x21);
  const n = udpIpEmit(p, 0x4242, 9, 0x0a000101, 0x0a00010a, 5000, 6000, 3);
  linkSendIpTo(0, p - 8, p, n);
}
`;
let testModule;
before(async () => { testModule = await compileTestModule("stack_helpers", ENTRY_SRC); });

test("stackTimerArm starts, moves (same handle, kind and tag) and restarts after firing; stackTimerDisarm cancels", () => {
  let t = 1000;
  const { board } = startBoard(router("emulated"), { now: () => t, module: testModule });
  const x = board.x;
  const NEVER = 0x7fffffffffffffffn;
  const h = x.test_arm(-1, 7, 5000n);
  assert.ok(h >= 0);
  assert.equal(x.test_deadline(h), 5000n);
  assert.equal(x.test_tag(h), 7);
  assert.equal(board.tick(t), 5000, "the earliest deadline on the heap");
  // Armed: moved, earlier and later, keeping the handle and its tag (the new tag is not used).
  assert.equal(x.test_arm(h, 8, 3000n), h);
  assert.equal(x.test_deadline(h), 3000n);
  assert.equal(x.test_arm(h, 8, 9000n), h);
  assert.equal(x.test_deadline(h), 9000n);
  assert.equal(x.test_tag(h), 7);
  // Fired: a new timer for the new tag.
  t = 9000;
  board.tick(t);
  assert.equal(x.test_active(h), 0);
  const h2 = x.test_arm(h, 9, 12000n);
  assert.ok(h2 >= 0 && h2 !== h);
  assert.equal(x.test_tag(h2), 9);
  assert.equal(x.test_deadline(h2), 12000n);
  // Disarm: -1 back, the timer gone; again (stale handle) and with -1: nothing happens.
  assert.equal(x.test_disarm(h2), -1);
  assert.equal(x.test_active(h2), 0);
  assert.equal(x.test_deadline(h2), NEVER);
  assert.equal(x.test_disarm(h2), -1);
  assert.equal(x.test_disarm(-1), -1);
  assert.equal(x.test_disarm(h), -1);
  // A cancelled handle is re-armed as a new timer.
  const h3 = x.test_arm(h2, 10, 20000n);
  assert.ok(h3 >= 0 && h3 !== h2);
  assert.equal(x.test_tag(h3), 10);
  // A full heap: -1 (emulated: timerEntries 64, one kept by ARP).
  const hs = [];
  for (let i = 0; i < 70; i++) hs.push(x.test_arm(-1, i, 30000n + BigInt(i)));
  assert.ok(hs.includes(-1));
  assert.ok(hs.slice(0, 60).every((v) => v >= 0));
});

test("linkSendIpTo sends udpIpEmit's datagram to the given MAC, even one held where the header goes", () => {
  const { board, cap } = startBoard(router("emulated"), { module: testModule });
  board.x.test_send_to();
  assert.equal(cap.tx.length, 1, "no ARP: the MAC was given");
  const { iface, frame } = cap.tx[0];
  assert.equal(iface, 0);
  assert.deepEqual(frame.subarray(0, 6), A_MAC);
  assert.deepEqual(frame.subarray(6, 12), R_MAC0);
  assert.equal(host.etherType(frame), 0x0800);
  const want = host.buildUdp(ip("10.0.1.1"), A_IP, 5000, 6000, Uint8Array.of(0x68, 0x69, 0x21), 0x4242, 9);
  assert.deepEqual(frame.subarray(14, 14 + want.length), want);
  assert.equal(board.counters().tx_frames, 1);
});
