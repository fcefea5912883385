// ARP in the core (assembly/stack/arp.ts): answering, learning, pending frames, retries, expiry,
// eviction, link down, proxy ARP, gratuitous ARP, and the large tables of the rpi4 profile.
// Proxy ARP and gratuitous ARP have no host ABI export (roles call them inside the core), so those
// tests use a test build: the firmware plus three small exports, compiled here from a virtual entry.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, compileTestModule } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const R_MAC0 = host.mac("02:00:00:00:01:01"), R_MAC1 = host.mac("02:00:00:00:02:01");
const A_MAC = host.mac("02:00:00:00:01:10"), B_MAC = host.mac("02:00:00:00:02:10");
const R_IP0 = ip("10.0.1.1"), R_IP1 = ip("10.0.2.1"), A_IP = ip("10.0.1.10"), B_IP = ip("10.0.2.10");
const ZERO_MAC = new Uint8Array(6);
const EV_ARP_RESOLVED = 2, EV_ARP_FAILED = 3;

const router = (extra = {}) => ({
  name: "r1", board: "emulated", roles: ["router", "host"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
    { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" },
  ],
  ...extra,
});

/** Neighbour `n` on a subnet: its MAC (02:42:00:nn:nn:nn). */
const nbMac = (n) => Uint8Array.of(2, 0x42, 0, (n >> 16) & 255, (n >> 8) & 255, n & 255);
const macStr = (m) => [...m].map((b) => b.toString(16).padStart(2, "0")).join(":");

/** Decoded ARP dump records (docs/abi.md table 2, ABI v2: the address ::ffff:a.b.c.d at 16). */
function arpTable(board) {
  return board.dumpRaw(2).map((r) => {
    const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
    return { ip: host.mappedV4(r, 16), mac: macStr(r.subarray(0, 6)), state: r[6], iface: r[7], expires: Number(dv.getBigInt64(8, true)) };
  });
}
const arpFrames = (cap) => cap.tx.map((t) => ({ iface: t.iface, a: host.parseArpFrame(t.frame), frame: t.frame })).filter((x) => x.a);
const ipFrames = (cap) => cap.tx.filter((t) => host.etherType(t.frame) === 0x0800);
const ipId = (f) => (f[18] << 8) | f[19];
const ipDst = (f) => ((f[30] << 24) | (f[31] << 16) | (f[32] << 8) | f[33]) >>> 0;
const udpTo = (dst, id, src = A_IP) => host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildUdp(src, dst, 40000, 9000, new Uint8Array(32), id, 64));
/** An ARP request from (mac, ip) for `target`, as received. */
const whoHas = (mac, sip, target) => host.arpFrame(1, mac, sip, ZERO_MAC, target);

// ---- test build: the firmware plus exports for proxy and gratuitous ARP ----
const ENTRY_SRC = `export * from "./index";
import { arpProxyAdd, arpProxyRemove, arpGratuitous } from "./stack/arp";
export function test_proxy_add(iface: i32, ip: u32): i32 { return arpProxyAdd(iface, ip) ? 1 : 0; }
export function test_proxy_remove(ip: u32): void { arpProxyRemove(ip); }
export function test_gratuitous(iface: i32, ip: u32): void { arpGratuitous(iface, ip); }
`;
let testModule;
before(async () => { testModule = await compileTestModule("arp", ENTRY_SRC); });

test("requests for our address are answered; the asker is learned", () => {
  let t = 5000;
  const { board, cap } = startBoard(router(), { now: () => t });
  board.rx(0, whoHas(A_MAC, A_IP, R_IP0));
  const [r] = arpFrames(cap);
  assert.equal(r.iface, 0);
  assert.equal(r.a.op, 2);
  assert.deepEqual(r.a.senderMac, R_MAC0);
  assert.equal(r.a.senderIp, R_IP0);
  assert.deepEqual(r.a.targetMac, A_MAC);
  assert.equal(r.a.targetIp, A_IP);
  assert.deepEqual(r.frame.subarray(0, 6), A_MAC);
  assert.equal(r.frame.length, 60);
  assert.deepEqual(arpTable(board), [{ ip: A_IP, mac: macStr(A_MAC), state: 2, iface: 0, expires: 5000 + 60000 }]);
  assert.equal(cap.events.filter((e) => e.kind === EV_ARP_RESOLVED).length, 1);
  // Not for us, sender unknown: neither answered nor learned (RFC 826: merge only).
  board.rx(0, whoHas(nbMac(7), ip("10.0.1.7"), ip("10.0.1.99")));
  assert.equal(arpFrames(cap).length, 1);
  assert.equal(arpTable(board).length, 1);
  // Not for us, sender known: merged (new MAC, lifetime restarted), not answered.
  t = 6000;
  board.rx(0, whoHas(nbMac(9), A_IP, ip("10.0.1.99")));
  assert.deepEqual(arpTable(board), [{ ip: A_IP, mac: macStr(nbMac(9)), state: 2, iface: 0, expires: 6000 + 60000 }]);
  assert.equal(cap.events.filter((e) => e.kind === EV_ARP_RESOLVED).length, 2);
  // The same address on another interface is another entry.
  board.rx(1, whoHas(B_MAC, A_IP, R_IP1));
  const tab = arpTable(board);
  assert.equal(tab.length, 2);
  assert.deepEqual(tab.map((e) => e.iface).sort(), [0, 1]);
  assert.equal(board.tick(t), 66000);
});

test("pending frames leave in order once the address resolves; one next hop holds at most half the pool", () => {
  let t = 0;
  const { board, cap } = startBoard(router(), { now: () => t }); // emulated: pendingFrames 4
  for (let id = 1; id <= 5; id++) board.rx(0, udpTo(B_IP, id));
  const reqs = arpFrames(cap);
  assert.equal(reqs.length, 1, "one request for the five packets");
  assert.equal(reqs[0].iface, 1);
  assert.equal(reqs[0].a.op, 1);
  assert.equal(reqs[0].a.senderIp, R_IP1);
  assert.equal(reqs[0].a.targetIp, B_IP);
  assert.deepEqual(reqs[0].frame.subarray(0, 6), host.BROADCAST_MAC);
  // Two slots for B (half of 4): the newest two wait, the three oldest were dropped.
  assert.equal(board.counters().drop_arp_unresolved, 3);
  assert.equal(arpTable(board)[0].state, 1);
  assert.equal(board.tick(t), 1000);
  // Another unresolved next hop still finds room while B does not answer.
  board.rx(0, udpTo(ip("10.0.2.11"), 9));
  assert.equal(arpFrames(cap).length, 2);
  assert.equal(board.counters().drop_arp_unresolved, 3);
  t = 300;
  board.rx(1, host.arpFrame(2, B_MAC, B_IP, R_MAC1, R_IP1));
  const out = ipFrames(cap);
  assert.deepEqual(out.map((f) => ipId(f.frame)), [4, 5]);
  for (const f of out) { assert.equal(f.iface, 1); assert.deepEqual(f.frame.subarray(0, 6), B_MAC); assert.deepEqual(f.frame.subarray(6, 12), R_MAC1); }
  assert.equal(board.counters().forwarded, 6, "counted when handed to the link layer (3 of them later dropped unresolved)");
  // Resolved: the next packet leaves at once.
  board.rx(0, udpTo(B_IP, 6));
  assert.equal(ipId(ipFrames(cap).at(-1).frame), 6);
  assert.equal(arpFrames(cap).length, 2);
});

test("unanswered requests are retried every second, then ARP_FAILED and the frames are dropped", () => {
  let t = 10000;
  const { board, cap } = startBoard(router(), { now: () => t });
  board.rx(0, udpTo(B_IP, 1));
  board.rx(0, udpTo(B_IP, 2));
  const reqTimes = () => arpFrames(cap).length;
  assert.equal(reqTimes(), 1);
  assert.equal(board.tick(10999), 11000);
  assert.equal(reqTimes(), 1);
  t = 11000; assert.equal(board.tick(t), 12000);
  assert.equal(reqTimes(), 2);
  t = 12000; assert.equal(board.tick(t), 13000);
  assert.equal(reqTimes(), 3, "arpRetries = 3 requests in all");
  assert.equal(board.counters().drop_arp_unresolved, 0);
  t = 12999; assert.equal(board.tick(t), 13000);
  t = 13000; assert.equal(board.tick(t), Infinity);
  assert.equal(reqTimes(), 3);
  const failed = cap.events.filter((e) => e.kind === EV_ARP_FAILED);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].data[0], 1);
  assert.equal(host.mappedV4(failed[0].data, 4), B_IP);
  assert.equal(board.counters().drop_arp_unresolved, 2);
  assert.equal(arpTable(board).length, 0);
  assert.equal(ipFrames(cap).length, 0);
  // A late tick: each due step happens once, the next request a second after the late one.
  board.rx(0, udpTo(B_IP, 3));                      // request 1 at 13000, retry due 14000
  t = 16500; assert.equal(board.tick(t), 17500);    // request 2 at 16500
  assert.equal(reqTimes(), 5);
  // arpRetries from the node options.
  const r5 = startBoard(router({ node: { arpRetries: 5 } }), { now: () => 0 });
  r5.board.rx(0, udpTo(B_IP, 1));
  for (let s = 1; s <= 5; s++) r5.board.tick(s * 1000);
  assert.equal(arpFrames(r5.cap).length, 5);
  assert.equal(r5.cap.events.filter((e) => e.kind === EV_ARP_FAILED).length, 1);
});

test("entries expire arpTimeoutSec after the last confirmation", () => {
  let t = 0;
  const { board, cap } = startBoard(router({ node: { arpTimeoutSec: 5 } }), { now: () => t });
  board.rx(1, whoHas(B_MAC, B_IP, R_IP1));
  t = 100;
  board.rx(0, whoHas(A_MAC, A_IP, R_IP0));
  assert.equal(board.tick(t), 5000);
  t = 3000;
  board.rx(1, host.arpFrame(2, B_MAC, B_IP, R_MAC1, R_IP1)); // B confirmed again: now expires at 8000
  assert.equal(board.tick(t), 5100);
  t = 5099; assert.equal(board.tick(t), 5100);
  assert.equal(arpTable(board).length, 2);
  t = 5100; assert.equal(board.tick(t), 8000);
  assert.deepEqual(arpTable(board).map((e) => e.ip), [B_IP]);
  // A stale entry is not used even before its timer ran: the packet waits for a new resolution.
  t = 8000;
  board.rx(0, udpTo(B_IP, 1));
  assert.equal(ipFrames(cap).length, 0);
  assert.equal(arpFrames(cap).at(-1).a.targetIp, B_IP);
  assert.equal(arpTable(board)[0].state, 1);
  assert.equal(board.tick(t), 9000);
});

test("a full cache evicts the REACHABLE entry expiring first, else the oldest INCOMPLETE one", () => {
  let t = 0;
  const { board, cap } = startBoard(router({ sizes: { arpEntries: 4 } }), { now: () => t });
  const n = (k) => ip(`10.0.2.${100 + k}`);
  for (let k = 0; k < 4; k++) { t = k * 10; board.rx(1, whoHas(nbMac(k), n(k), R_IP1)); }
  t = 40; board.rx(1, host.arpFrame(2, nbMac(0), n(0), R_MAC1, R_IP1)); // 0 confirmed again
  t = 50; board.rx(1, whoHas(nbMac(4), n(4), R_IP1));
  assert.deepEqual(arpTable(board).map((e) => e.ip - n(0)).sort(), [0, 2, 3, 4], "1 expired first");
  assert.equal(board.tick(t), 20 + 60000);
  // An INCOMPLETE entry is kept while a REACHABLE one can go.
  t = 60; board.rx(0, udpTo(n(5), 1));
  assert.deepEqual(arpTable(board).map((e) => e.ip - n(0)).sort(), [0, 3, 4, 5], "2 expired first");
  // Only INCOMPLETE entries: the oldest gives way (ARP_FAILED, its frames dropped).
  const r = startBoard(router({ sizes: { arpEntries: 4 } }), { now: () => t });
  for (let k = 0; k < 4; k++) { t = 100 + k; r.board.rx(0, udpTo(n(k), k)); }
  assert.equal(r.board.counters().drop_arp_unresolved, 0);
  t = 200; r.board.rx(0, udpTo(n(4), 4));
  assert.deepEqual(arpTable(r.board).map((e) => e.ip - n(0)).sort(), [1, 2, 3, 4]);
  const failed = r.cap.events.filter((e) => e.kind === EV_ARP_FAILED);
  assert.equal(failed.length, 1);
  assert.equal(host.mappedV4(failed[0].data, 4), n(0));
  assert.equal(r.board.counters().drop_arp_unresolved, 1);
  assert.equal(r.board.tick(t), 1101);
  // The survivors still resolve and deliver their frames.
  r.board.rx(1, host.arpFrame(2, nbMac(3), n(3), R_MAC1, R_IP1));
  assert.deepEqual(ipFrames(r.cap).map((f) => ipDst(f.frame)), [n(3)]);
  assert.equal(arpFrames(cap).filter((x) => x.a.op === 1).length, 1);
});

test("link down forgets that interface's entries and waiting frames", () => {
  let t = 0;
  const { board } = startBoard(router(), { now: () => t });
  board.rx(0, whoHas(A_MAC, A_IP, R_IP0));
  board.rx(1, whoHas(B_MAC, B_IP, R_IP1));
  board.rx(1, host.ethFrame(R_MAC1, B_MAC, 0x0800, host.buildUdp(B_IP, ip("10.0.1.20"), 1, 2, new Uint8Array(8), 1)));
  assert.equal(arpTable(board).length, 3);
  board.link(0, false);
  assert.deepEqual(arpTable(board).map((e) => e.ip), [B_IP]);
  assert.equal(board.counters().drop_arp_unresolved, 1);
  assert.equal(board.tick(t), 60000);
  board.link(1, false);
  assert.equal(arpTable(board).length, 0);
  assert.equal(board.tick(t), Infinity);
});

test("proxy ARP answers only for added addresses, on their interface", () => {
  const { board, cap } = startBoard(router(), { module: testModule });
  const x = board.x;
  const P = ip("10.0.1.50"), Q = ip("10.0.1.51");
  assert.equal(x.test_proxy_add(0, P), 1);
  board.rx(0, whoHas(A_MAC, A_IP, P));
  let replies = arpFrames(cap).filter((f) => f.a.op === 2);
  assert.equal(replies.length, 1);
  assert.deepEqual(replies[0].a.senderMac, R_MAC0, "our hardware address (SPEC-DECISIONS.md)");
  assert.equal(replies[0].a.senderIp, P);
  assert.equal(replies[0].a.targetIp, A_IP);
  board.rx(0, whoHas(A_MAC, A_IP, Q));
  board.rx(1, whoHas(B_MAC, B_IP, P));                 // P was added for eth0 only
  board.rx(0, whoHas(nbMac(5), P, P));                 // an announcement of P: never answered
  assert.equal(arpFrames(cap).filter((f) => f.a.op === 2).length, 1);
  assert.equal(x.test_proxy_add(255, P), 1);           // any interface (re-adding changes the interface)
  board.rx(1, whoHas(B_MAC, B_IP, P));
  replies = arpFrames(cap).filter((f) => f.a.op === 2);
  assert.equal(replies.length, 2);
  assert.equal(replies[1].iface, 1);
  assert.deepEqual(replies[1].a.senderMac, R_MAC1);
  x.test_proxy_remove(P);
  board.rx(1, whoHas(B_MAC, B_IP, P));
  board.rx(0, whoHas(A_MAC, A_IP, P));
  assert.equal(arpFrames(cap).filter((f) => f.a.op === 2).length, 2);
  // The table holds `bindings` addresses (emulated: 64) and refuses more.
  for (let k = 0; k < 64; k++) assert.equal(x.test_proxy_add(0, ip("10.0.1.128") + k), 1);
  assert.equal(x.test_proxy_add(0, Q), 0);
  x.test_proxy_remove(ip("10.0.1.130"));
  assert.equal(x.test_proxy_add(0, Q), 1);
  board.rx(0, whoHas(A_MAC, A_IP, Q));
  board.rx(0, whoHas(A_MAC, A_IP, ip("10.0.1.130")));
  board.rx(0, whoHas(A_MAC, A_IP, ip("10.0.1.191")));
  assert.deepEqual(arpFrames(cap).filter((f) => f.a.op === 2).slice(2).map((f) => f.a.senderIp), [Q, ip("10.0.1.191")]);
});

test("gratuitous ARP: the request form, sender and target address both the announced address", () => {
  const { board, cap } = startBoard(router(), { module: testModule });
  const H = ip("10.0.2.77");
  board.x.test_gratuitous(1, H);
  board.x.test_gratuitous(7, H); // no such interface: nothing
  assert.equal(cap.tx.length, 1);
  const { iface, frame } = cap.tx[0];
  assert.equal(iface, 1);
  assert.equal(frame.length, 60);
  const hex = Buffer.from(frame.subarray(0, 42)).toString("hex");
  assert.equal(hex,
    "ffffffffffff" + "020000000201" + "0806" +       // broadcast, from eth1, ARP
    "0001" + "0800" + "06" + "04" + "0001" +         // Ethernet, IPv4, 6, 4, request
    "020000000201" + "0a00024d" +                    // sender: eth1's MAC, 10.0.2.77
    "000000000000" + "0a00024d");                    // target: zeros, 10.0.2.77
  assert.ok(frame.subarray(42).every((b) => b === 0), "padding");
  assert.equal(board.counters().arp_tx_request, 1);
});

test("rpi4 profile: 4000 neighbours and 60,000 proxy addresses resolve; tick returns the next deadline", () => {
  let t = 1000;
  const json = {
    name: "ha", board: "rpi4", roles: ["router", "host"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
      { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.2.0.1/16" },
    ],
  };
  const { board, cap } = startBoard(json, { now: () => t, module: testModule });
  assert.ok(board.memoryPages() <= host.BOARDS.rpi4.memoryPages);
  const nb = (k) => ip("10.2.16.0") + k;
  for (let k = 0; k < 4000; k++) { t = 1000 + k; board.rx(1, whoHas(nbMac(k + 1), nb(k), ip("10.2.0.1"))); }
  assert.equal(arpTable(board).length, 4000);
  assert.equal(board.tick(t), 1000 + 60000, "the first neighbour expires first");
  const probe = [0, 1, 2, 1234, 2047, 2048, 3998, 3999];
  for (let s = 0; s < 200; s++) probe.push((s * 7919) % 4000);
  cap.tx.length = 0;
  for (const k of probe) board.rx(0, udpTo(nb(k), k & 0xffff));
  const out = ipFrames(cap);
  assert.equal(out.length, probe.length, "every packet left at once");
  out.forEach((f, i) => { assert.deepEqual(f.frame.subarray(0, 6), nbMac(probe[i] + 1)); assert.equal(ipDst(f.frame), nb(probe[i])); });
  assert.equal(arpFrames(cap).length, 0, "no ARP request: all resolved");
  // 60,000 proxy addresses (home addresses of mobile nodes away from home).
  const x = board.x;
  const home = (k) => ip("10.1.0.0") + (k * 3);       // spread over 10.1.0.0/14
  for (let k = 0; k < 60000; k++) assert.equal(x.test_proxy_add(1, home(k)), 1);
  cap.tx.length = 0;
  const asked = [];
  const C_MAC = host.mac("02:00:00:ee:ee:ee"), C_IP = ip("10.2.200.1"); // a correspondent, never learned
  for (let s = 0; s < 300; s++) {
    const k = (s * 104729) % 60000;
    asked.push(home(k));
    board.rx(1, whoHas(C_MAC, C_IP, home(k)));
    board.rx(1, whoHas(C_MAC, C_IP, home(k) + 1));     // between two added addresses: not ours
  }
  const replies = arpFrames(cap).filter((f) => f.a.op === 2);
  assert.deepEqual(replies.map((f) => f.a.senderIp), asked);
  for (const r of replies) assert.deepEqual(r.a.senderMac, R_MAC1);
  assert.equal(arpTable(board).length, 4000, "proxy requests taught the cache nothing");
  // Deadlines: the entries expire in the order they were learned; each tick returns the next one.
  t = 61000 + 1999;
  assert.equal(board.tick(t), 61000 + 2000);
  assert.equal(arpTable(board).length, 2000);
  // A packet towards an expired neighbour: a request; its retry (t + 1 s) comes after the next expiry.
  board.rx(0, udpTo(nb(0), 1));
  assert.equal(arpFrames(cap).at(-1).a.targetIp, nb(0));
  assert.equal(board.tick(t), 61000 + 2000);
  t = 65000;                                          // every REACHABLE entry gone, the request retried
  assert.equal(board.tick(t), 66000);
  assert.deepEqual(arpTable(board).map((e) => [e.ip, e.state]), [[nb(0), 1]]);
  assert.equal(arpFrames(cap).filter((f) => f.a.op === 1).length, 2);
});
