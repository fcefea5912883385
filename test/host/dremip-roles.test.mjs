// Distributed registration roles (seed 002) board by board: the care-of agent (§5), the home agent
// taking Route Requests (§7.5), the registration server as binding registrar (§6.2, §6.5, §6.6) and as
// binding relay (§6.3, D.2), and the foreign agent relaying R requests (§7.2). Each test plays the
// peers with hand-built messages (Route Request/Reply bytes built here) and checks what the board
// sends, its events and counters — and that a refused message changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { parseEthIp, udpOf, decap, parseArp } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const key = (t, spi) => ({ spi, algorithm: "hmac-md5", key: te.encode(t) });
const ZERO_MAC = new Uint8Array(6);
const EV_BINDING = 8, EV_DR_ROUTE = 15, EV_DR_REG = 16;
const RT = { ENABLE: 1, REFRESH: 2, DISABLE: 3, EXPIRE: 4, REFUSED: 5 };
const REG = { PENDING: 1, ACCEPTED: 2, DENIED: 3, EXPIRED: 4, RELAYED: 5, RELAY_DONE: 6 };
const T0 = 3_000_000;
const R_FLAG = 0x01;

const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const concat = (...a) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let k = 0; for (const x of a) { o.set(x, k); k += x.length; } return o; };

/** Route Request (32) / Reply (33) fixed part: type | reserved/code | lifetime16 | dest | nextHop | id64. */
function rtMsg({ type = 32, code = 0, lifetime = 60, dest, nextHop, id }) {
  const m = new Uint8Array(20), dv = new DataView(m.buffer);
  m[0] = type; m[1] = code; dv.setUint16(2, lifetime); dv.setUint32(4, dest >>> 0); dv.setUint32(8, nextHop >>> 0); dv.setBigUint64(12, id);
  return m;
}
function parseRt(m) {
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  return { type: m[0], code: m[1], lifetime: dv.getUint16(2), dest: dv.getUint32(4), nextHop: dv.getUint32(8), id: dv.getBigUint64(12) };
}

/**
 * UDP 434 messages the board sent since tx index `from`: [{src, dst, sport, dport, type, msg, tunnel}]; an
 * IP-in-IP datagram is opened (tunnel = its outer {src, dst}).
 */
function sent(s, from = 0) {
  const out = [];
  for (const f of s.cap.tx.slice(from)) {
    let p = parseEthIp(f.frame);
    if (!p) continue;
    let tunnel = null;
    if (p.proto === 4) { tunnel = { src: p.src, dst: p.dst }; p = decap(p); }
    const u = udpOf(p);
    if (!u || (u.dport !== 434 && u.sport !== 434)) continue;
    out.push({ iface: f.iface, src: p.src, dst: p.dst, sport: u.sport, dport: u.dport, type: u.data[0], msg: new Uint8Array(u.data), tunnel });
  }
  return out;
}

/** Events of `kind` (docs/abi.md: integers little-endian, addresses 16 bytes): {op, code, life, a (bytes 4..20 as IPv4), b (20..36), c (36..52)}. */
function events(s, kind) {
  return s.cap.events.filter((e) => e.kind === kind).map(({ data: d }) => ({
    op: d[0], code: d[1], life: d[2] | (d[3] << 8), a: be32(d, 16), b: be32(d, 32), c: d.length >= 52 ? be32(d, 48) : 0,
  }));
}

/** Extensions after `fixed` bytes: [{type, offset, data}]. */
const exts = (m, fixed) => host.extensions(m, fixed);
/** True when the last extension of `m` is `type` and verifies with `k`. */
function lastAuthOk(m, fixed, type, k) {
  const x = exts(m, fixed);
  return x.length > 0 && x[x.length - 1].type === type && x[x.length - 1].offset + 2 + x[x.length - 1].data.length === m.length && host.verifyAuth(m, fixed, type, k);
}

const cnt = (s, name) => s.board.counters()[name] ?? 0;

// ============================================================================================
// 1. Care-of agent (§5.1, §5.2)
// ============================================================================================

const COA = ip("10.0.0.6"), RS = ip("10.0.0.5"), RS2 = ip("10.0.0.7"), STRANGER = ip("10.0.0.8");
const FA = ip("10.2.0.1"), FA2 = ip("10.3.0.1"), FA_RTR = ip("10.0.0.2"), CORE = ip("10.0.0.9");
const MN = ip("10.1.0.20"), CN = ip("10.9.0.7");
const COA_MAC = host.mac("02:00:00:00:0d:06"), RS_MAC = host.mac("02:00:00:00:0d:05"), RS2_MAC = host.mac("02:00:00:00:0d:07");
const STR_MAC = host.mac("02:00:00:00:0d:08"), FA_RTR_MAC = host.mac("02:00:00:00:0d:02"), CORE_MAC = host.mac("02:00:00:00:0d:09");
const K_COA = key("coa1-rs", 706), K_RS2_MS = key("rs2-mobile", 707);

function coaJson() {
  return {
    name: "coa", board: "emulated", roles: ["care-of-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:06", ipv4: "10.0.0.6/24" }],
    routes: [{ dest: "10.2.0.0/24", via: "10.0.0.2" }, { dest: "10.3.0.0/24", via: "10.0.0.2" }, { dest: "default", via: "10.0.0.9" }],
    mobility: { dremip: { maxRouteLifetimeSec: 300 } },
    securityAssociations: [
      { peer: "10.0.0.5", spi: 706, algorithm: "hmac-md5", key: "text:coa1-rs", use: "agent-server" },
      // Another use for that peer: a mobile-server key never authenticates a Route Request.
      { peer: "10.0.0.7", spi: 707, algorithm: "hmac-md5", key: "text:rs2-mobile", use: "mobile-server" },
    ],
  };
}

function startCoa() {
  const clock = { t: T0 };
  const s = startBoard(coaJson(), { now: () => clock.t });
  for (const [a, m] of [[RS, RS_MAC], [RS2, RS2_MAC], [STRANGER, STR_MAC], [FA_RTR, FA_RTR_MAC], [CORE, CORE_MAC]]) s.board.rx(0, host.arpFrame(2, m, a, COA_MAC, COA));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

/** A Route Request from `src` to the care-of agent, authenticated with `k` (null: none), then `after` bytes. */
function routeReq(s, { lifetime = 60, dest = MN, nextHop = FA, n = 1, id = host.ntpTimestamp(s.clock.t, 0, n), k = K_COA, src = RS, mac = RS_MAC, after = null, sport = 434 } = {}) {
  let m = rtMsg({ type: 32, lifetime, dest, nextHop, id });
  if (k) m = host.appendAuth(m, 83, k);
  if (after) m = concat(m, after);
  return host.ethFrame(COA_MAC, mac, 0x0800, host.buildUdp(src, COA, sport, 434, m, 3, 64));
}

/** A datagram from a correspondent to the home address arriving at the care-of agent: what left. */
function datagram(s, dst = MN) {
  const from = s.cap.tx.length;
  s.board.rx(0, host.ethFrame(COA_MAC, CORE_MAC, 0x0800, host.buildUdp(CN, dst, 7000, 7001, new Uint8Array(40).fill(9), 5, 50)));
  return s.cap.tx.slice(from).map((f) => ({ mac: f.frame.subarray(0, 6), p: parseEthIp(f.frame) })).filter((x) => x.p);
}

const replies = (s, from) => sent(s, from).filter((x) => x.type === 33).map((x) => ({ ...x, rt: parseRt(x.msg) }));

test("002 §5.1/§5.2: a valid Route Request enables the route: Reply 0 with the lifetime, Identification echoed, a valid 83 last; datagrams to the home address are tunnelled to the next hop", () => {
  const s = startCoa();
  const id = host.ntpTimestamp(s.clock.t, 0, 0x1234);
  s.board.rx(0, routeReq(s, { id, lifetime: 120, sport: 5434 }));
  const r = replies(s, 0);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].src, r[0].dst, r[0].sport, r[0].dport], [COA, RS, 434, 5434]);
  assert.deepEqual([r[0].rt.code, r[0].rt.lifetime, r[0].rt.dest, r[0].rt.nextHop, r[0].rt.id], [0, 120, MN, FA, id]);
  assert.ok(lastAuthOk(r[0].msg, 20, 83, K_COA), "the reply ends with an 83 that verifies with the agent-server key");
  assert.ok(!host.verifyAuth(r[0].msg, 20, 83, key("other", 706)));
  assert.deepEqual(events(s, EV_DR_ROUTE).map((e) => [e.op, e.life, e.a, e.b, e.c]), [[RT.ENABLE, 120, MN, FA, RS]]);
  assert.equal(cnt(s, "dr_rt_request_rx"), 1);
  assert.equal(cnt(s, "dr_rt_reply_tx"), 1);
  const out = datagram(s);
  assert.equal(out.length, 1);
  assert.equal(out[0].p.proto, 4, "IP in IP");
  assert.deepEqual([out[0].p.src, out[0].p.dst], [COA, FA]);
  assert.deepEqual(Array.from(out[0].mac), Array.from(FA_RTR_MAC), "towards the next hop's router");
  const inner = decap(out[0].p);
  assert.deepEqual([inner.src, inner.dst], [CN, MN]);
  assert.equal(cnt(s, "dr_coa_tunnelled"), 1);
  // Another home address is not affected: forwarded plainly.
  const other = datagram(s, ip("10.1.0.21"));
  assert.equal(other[0].p.proto, 17);
});

test("002 §5.2: a later request refreshes or moves the route; lifetime 0 disables it", () => {
  const s = startCoa();
  s.board.rx(0, routeReq(s, { n: 1 }));
  s.clock.t += 1000;
  s.board.rx(0, routeReq(s, { n: 2, nextHop: FA2, lifetime: 90 }));
  let out = datagram(s);
  assert.deepEqual([out[0].p.proto, out[0].p.dst], [4, FA2], "moved to the new next hop");
  s.clock.t += 1000;
  s.board.rx(0, routeReq(s, { n: 3, lifetime: 0 }));
  const r = replies(s, 0);
  assert.deepEqual(r.map((x) => [x.rt.code, x.rt.lifetime]), [[0, 60], [0, 90], [0, 0]]);
  assert.deepEqual(events(s, EV_DR_ROUTE).map((e) => [e.op, e.b]), [[RT.ENABLE, FA], [RT.REFRESH, FA2], [RT.DISABLE, FA2]]);
  out = datagram(s);
  assert.equal(out.length, 1);
  assert.deepEqual([out[0].p.proto, out[0].p.dst], [17, MN], "no longer tunnelled");
});

test("002 §3.5: a lifetime above maxRouteLifetimeSec -> 68 with the maximum; next hop ours or not unicast -> 69; no route either way", () => {
  const s = startCoa();
  s.board.rx(0, routeReq(s, { n: 1, lifetime: 301 }));
  s.board.rx(0, routeReq(s, { n: 2, nextHop: COA }));
  s.board.rx(0, routeReq(s, { n: 3, nextHop: ip("224.0.0.1") }));
  s.board.rx(0, routeReq(s, { n: 4, nextHop: ip("255.255.255.255") }));
  s.board.rx(0, routeReq(s, { n: 5, nextHop: 0 }));
  const r = replies(s, 0);
  assert.deepEqual(r.map((x) => [x.rt.code, x.rt.lifetime]), [[68, 300], [69, 0], [69, 0], [69, 0], [69, 0]]);
  assert.ok(r.every((x) => lastAuthOk(x.msg, 20, 83, K_COA)));
  assert.deepEqual(r.map((x) => x.rt.id & 0xffffffffn), [1n, 2n, 3n, 4n, 5n]);
  assert.equal(events(s, EV_DR_ROUTE).filter((e) => e.op !== RT.REFUSED).length, 0);
  assert.equal(datagram(s)[0].p.proto, 17);
  // Exactly the maximum is granted.
  s.board.rx(0, routeReq(s, { n: 6, lifetime: 300 }));
  assert.deepEqual(replies(s, 0).slice(-1).map((x) => [x.rt.code, x.rt.lifetime]), [[0, 300]]);
});

test("002 §5.1: forged Route Requests (wrong key, no 83, 83 not last, no association, another association's use) are discarded silently: counted, no reply, no route", () => {
  const s = startCoa();
  s.board.rx(0, routeReq(s, { n: 1, k: key("wrong", 706) }));
  s.board.rx(0, routeReq(s, { n: 2, k: { ...K_COA, spi: 999 } }));
  s.board.rx(0, routeReq(s, { n: 3, k: null }));
  s.board.rx(0, routeReq(s, { n: 4, after: new Uint8Array([200, 2, 0, 0]) }));    // a skippable extension after the 83
  s.board.rx(0, routeReq(s, { n: 5, src: STRANGER, mac: STR_MAC, k: key("x", 1) }));
  s.board.rx(0, routeReq(s, { n: 6, src: RS2, mac: RS2_MAC, k: K_RS2_MS }));     // mobile-server association of that peer
  s.board.rx(0, routeReq(s, { n: 7, src: STRANGER, mac: STR_MAC, k: K_COA }));    // the right key from the wrong address
  assert.equal(cnt(s, "drop_dr_auth"), 7);
  assert.equal(sent(s, 0).length, 0, "nothing answered");
  assert.equal(events(s, EV_DR_ROUTE).length, 0);
  assert.equal(cnt(s, "dr_rt_reply_tx"), 0);
  assert.equal(datagram(s)[0].p.proto, 17, "no route");
  // The server's genuine request afterwards still works (none of those moved its Identification).
  s.board.rx(0, routeReq(s, { n: 1 }));
  assert.deepEqual(replies(s, 0).map((x) => x.rt.code), [0]);
});

test("002 §3.4: a replayed Route Request (same Identification, an older one, outside the window) is discarded: drop_dr_replay, route unchanged", () => {
  const s = startCoa();
  s.board.rx(0, routeReq(s, { n: 10 }));
  assert.equal(replies(s, 0).length, 1);
  const before = s.cap.tx.length;
  s.board.rx(0, routeReq(s, { n: 10, nextHop: FA2 }));                           // same Identification
  s.board.rx(0, routeReq(s, { n: 9, nextHop: FA2 }));                            // older
  s.board.rx(0, routeReq(s, { n: 11, lifetime: 0, id: host.ntpTimestamp(s.clock.t - 60_000, 0, 11) })); // outside the window
  s.board.rx(0, routeReq(s, { n: 12, id: host.ntpTimestamp(s.clock.t + 60_000, 0, 12), nextHop: FA2 })); // ahead of the window
  assert.equal(cnt(s, "drop_dr_replay"), 4);
  assert.equal(sent(s, before).length, 0);
  assert.deepEqual(events(s, EV_DR_ROUTE).map((e) => e.op), [RT.ENABLE]);
  const out = datagram(s);
  assert.deepEqual([out[0].p.proto, out[0].p.dst], [4, FA], "still the first route");
  // A fresh one is taken.
  s.board.rx(0, routeReq(s, { n: 13, nextHop: FA2 }));
  assert.equal(datagram(s)[0].p.dst, FA2);
});

test("002 §5.1: a route expires after its lifetime", () => {
  const s = startCoa();
  s.board.rx(0, routeReq(s, { n: 1, lifetime: 5 }));
  s.clock.t += 4000;
  s.board.tick(s.clock.t);
  assert.equal(datagram(s)[0].p.proto, 4, "alive at 4 s");
  s.clock.t += 1500;
  s.board.tick(s.clock.t);
  assert.deepEqual(events(s, EV_DR_ROUTE).map((e) => [e.op, e.a, e.b]), [[RT.ENABLE, MN, FA], [RT.EXPIRE, MN, FA]]);
  const out = datagram(s);
  assert.deepEqual([out[0].p.proto, out[0].p.dst], [17, MN]);
});

// ============================================================================================
// 2. Home agent taking Route Requests from its home server (§7.5)
// ============================================================================================

const HA_HOME = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), HS = ip("10.0.1.2"), HOME = ip("10.0.1.50"), PCOA = ip("10.0.2.6");
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01"), HS_MAC = host.mac("02:00:00:00:0a:02");
const ROUTER = ip("10.0.2.254"), R_MAC = host.mac("02:00:00:00:0b:fe");
const K_HS = key("hs-ha", 800);

function startHa() {
  const clock = { t: T0 };
  const s = startBoard({
    name: "ha", board: "emulated", roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
    ],
    routes: [{ dest: "default", via: "10.0.2.254" }],
    mobility: { lifetimeSec: 600 },
    securityAssociations: [
      { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
      { peer: "10.0.1.2", spi: 800, algorithm: "hmac-md5", key: "text:hs-ha", use: "agent-server" },
    ],
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE));
  s.board.rx(0, host.arpFrame(1, HS_MAC, HS, ZERO_MAC, HA_HOME));
  s.board.rx(1, host.arpFrame(1, host.mac("02:00:00:00:0b:06"), PCOA, ZERO_MAC, HA_CORE));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

function haRouteReq(s, { dest = HOME, nextHop = PCOA, lifetime = 60, n = 1, k = K_HS, src = HS, mac = HS_MAC } = {}) {
  let m = rtMsg({ type: 32, lifetime, dest, nextHop, id: host.ntpTimestamp(s.clock.t, 0, n) });
  if (k) m = host.appendAuth(m, 83, k);
  return host.ethFrame(HA_MAC0, mac, 0x0800, host.buildUdp(src, HA_HOME, 434, 434, m, 4, 64));
}

const garps = (s, from, home) => s.cap.tx.slice(from).map((f) => ({ iface: f.iface, a: parseArp(f.frame) }))
  .filter((x) => x.a && x.a.senderIp === home && x.a.targetIp === home);

test("002 §7.5: the home agent takes a Route Request from its home server as a binding (gratuitous and proxy ARP), answered 0 with 83", () => {
  const s = startHa();
  s.board.rx(0, haRouteReq(s, { lifetime: 60 }));
  const r = replies(s, 0);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].dst, r[0].rt.code, r[0].rt.lifetime, r[0].rt.dest, r[0].rt.nextHop], [HS, 0, 60, HOME, PCOA]);
  assert.ok(lastAuthOk(r[0].msg, 20, 83, K_HS));
  const b = events(s, EV_BINDING);
  assert.equal(b.length, 1);
  assert.deepEqual([b[0].op, b[0].life, b[0].a, b[0].b], [1, 60, HOME, PCOA]);
  const g = garps(s, 0, HOME);
  assert.ok(g.length >= 1 && g.every((x) => x.iface === 0 && Array.from(x.a.senderMac).join() === Array.from(HA_MAC0).join()), "gratuitous ARP on the home link");
  // Proxy ARP for the home address.
  const from = s.cap.tx.length;
  s.board.rx(0, host.arpFrame(1, HS_MAC, HS, ZERO_MAC, HOME));
  const a = s.cap.tx.slice(from).map((f) => parseArp(f.frame)).filter((x) => x && x.op === 2);
  assert.equal(a.length, 1);
  assert.deepEqual([a[0].senderIp, Array.from(a[0].senderMac).join()], [HOME, Array.from(HA_MAC0).join()]);
  // A datagram to the home address is tunnelled to the parent care-of address.
  const f2 = s.cap.tx.length;
  s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, HOME, 7000, 7001, new Uint8Array(20), 6, 50)));
  const out = s.cap.tx.slice(f2).map((f) => parseEthIp(f.frame)).filter(Boolean);
  assert.deepEqual(out.map((p) => [p.proto, p.dst]), [[4, PCOA]]);
});

test("002 §7.5: a home address off the home link -> 65, no binding; a node without an association -> nothing", () => {
  const s = startHa();
  s.board.rx(0, haRouteReq(s, { dest: ip("10.0.9.9"), n: 1 }));
  const r = replies(s, 0);
  assert.deepEqual(r.map((x) => [x.dst, x.rt.code, x.rt.lifetime]), [[HS, 65, 0]]);
  assert.ok(lastAuthOk(r[0].msg, 20, 83, K_HS));
  const before = s.cap.tx.length;
  const OTHER = ip("10.0.1.3"), OTHER_MAC = host.mac("02:00:00:00:0a:03");
  s.board.rx(0, host.arpFrame(1, OTHER_MAC, OTHER, ZERO_MAC, HA_HOME));
  const f = s.cap.tx.length;
  s.board.rx(0, haRouteReq(s, { src: OTHER, mac: OTHER_MAC, n: 2, k: key("x", 800) }));
  s.board.rx(0, haRouteReq(s, { src: OTHER, mac: OTHER_MAC, n: 3, k: K_HS }));
  assert.equal(sent(s, f).length, 0);
  assert.equal(events(s, EV_BINDING).length, 0);
  assert.equal(garps(s, before, HOME).length, 0);
  assert.equal(cnt(s, "drop_dr_auth"), 2);
});

// ============================================================================================
// 3. Registration server as binding registrar (§6.2, §6.4-6.6)
// ============================================================================================

const SRV = ip("10.0.0.5"), COA1 = ip("10.0.0.6"), COA2 = ip("10.0.0.7"), HSRV = ip("10.1.0.2"), TRANSIT = ip("10.7.0.5");
const MN2 = ip("10.1.0.21"), SFA = ip("10.2.0.1"), SFA2 = ip("10.3.0.1");
const SRV_MAC = host.mac("02:00:00:00:0e:05"), COA1_MAC = host.mac("02:00:00:00:0e:06"), COA2_MAC = host.mac("02:00:00:00:0e:07");
const SRTR_MAC = host.mac("02:00:00:00:0e:09"), SFA_RTR_MAC = host.mac("02:00:00:00:0e:02");
const K1 = key("coa1-rs", 706), K2 = key("coa2-rs", 707), KMN = key("mn-rs", 4098), KMN2 = key("mn2-rs", 4099), KFA = key("fa1-rs", 702);
const KMN_HS = key("mn-hs", 4097);

function rsJson({ coas = ["10.0.0.6"], transit = false, ss = false } = {}) {
  return {
    name: "rs", board: "emulated", roles: ["registration-server"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0e:05", ipv4: "10.0.0.5/24" }],
    routes: [{ dest: "10.2.0.0/24", via: "10.0.0.2" }, { dest: "10.3.0.0/24", via: "10.0.0.2" }, { dest: "default", via: "10.0.0.9" }],
    mobility: {
      dremip: {
        probeIntervalMs: 0,
        servers: [...coas.map((a) => ({ kind: "care-of-agent", address: a })), ...(transit ? [{ kind: "transit", address: "10.7.0.5", priority: 3, lifetimeSec: 600 }] : [])],
      },
    },
    securityAssociations: [
      { peer: "10.0.0.6", spi: 706, key: "text:coa1-rs", use: "agent-server" },
      { peer: "10.0.0.7", spi: 707, key: "text:coa2-rs", use: "agent-server" },
      { peer: "10.2.0.1", spi: 702, key: "text:fa1-rs", use: "agent-server" },
      { peer: "10.1.0.20", spi: 4098, key: "text:mn-rs", use: "mobile-server" },
      { peer: "10.1.0.21", spi: 4099, key: "text:mn2-rs", use: "mobile-server" },
      ...(ss ? [{ peer: "10.1.0.2", spi: 900, key: "text:rs-hs", use: "server-server" }] : []),
    ],
  };
}

function startRs(opts) {
  const clock = { t: T0 };
  const s = startBoard(rsJson(opts), { now: () => clock.t });
  for (const [a, m] of [[COA1, COA1_MAC], [COA2, COA2_MAC], [ip("10.0.0.9"), SRTR_MAC], [ip("10.0.0.2"), SFA_RTR_MAC]]) s.board.rx(0, host.arpFrame(2, m, a, SRV_MAC, SRV));
  s.board.start?.();
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

/** A Registration Request with R to the server (registrar `registrar`), from `src` (the home address: co-located / direct). */
function regReq(s, { home = MN, k = KMN, child = SFA, n = 1, id = host.ntpTimestamp(s.clock.t, 0, n), lifetime = 60, registrar = SRV, src = home, mac = SRTR_MAC, flags = R_FLAG, tail = (m) => m } = {}) {
  let m = host.buildRegRequest({ flags, lifetimeSec: lifetime, home, homeAgent: registrar, careOf: child, id });
  if (k) m = host.appendAuth(m, 84, k);
  m = tail(m);
  return host.ethFrame(SRV_MAC, mac, 0x0800, host.buildUdp(src, SRV, 434, 434, m, 1, 60));
}

/** The Route Reply of care-of agent `coa` (`mac`, key `k`) answering Identification `id`. */
function routeReply(s, { coa = COA1, mac = COA1_MAC, k = K1, id, code = 0, lifetime = 60, dest = MN, nextHop = SFA } = {}) {
  const m = host.appendAuth(rtMsg({ type: 33, code, lifetime, dest, nextHop, id }), 83, k);
  return host.ethFrame(SRV_MAC, mac, 0x0800, host.buildUdp(coa, SRV, 434, 434, m, 2, 64));
}

const regReps = (s, from) => sent(s, from).filter((x) => x.type === 3).map((x) => ({ ...x, rep: host.parseRegReply(x.msg) }));
const rtReqs = (s, from) => sent(s, from).filter((x) => x.type === 32).map((x) => ({ ...x, rt: parseRt(x.msg) }));
/** The Care-of Address extension (82) of a reply: the address, or null. */
function coaExt(msg) {
  const x = exts(msg, 20).find((e) => e.type === 82);
  return x ? be32(x.data, 2) : null;
}

test("002 §6.2/§6.5: the registrar asks its care-of agent (Route Request with 83) and answers only after the Route Reply: 0, ext 82 = the care-of agent, a valid 84", () => {
  const s = startRs();
  const id = host.ntpTimestamp(s.clock.t, 0, 77);
  s.board.rx(0, regReq(s, { id, lifetime: 90 }));
  const q = rtReqs(s, 0);
  assert.equal(q.length, 1);
  assert.deepEqual([q[0].src, q[0].dst, q[0].rt.dest, q[0].rt.nextHop, q[0].rt.lifetime], [SRV, COA1, MN, SFA, 90]);
  assert.ok(lastAuthOk(q[0].msg, 20, 83, K1), "Route Request authenticated with the care-of agent's key");
  assert.equal(regReps(s, 0).length, 0, "no Registration Reply before the Route Reply");
  assert.deepEqual(events(s, EV_DR_REG).map((e) => [e.op, e.a, e.b, e.c]), [[REG.PENDING, MN, SFA, COA1]]);
  // The Route Reply matches on the low 32 bits of the Identification (§6.5): other high bits here.
  const rid = (q[0].rt.id & 0xffffffffn) | (0x12345678n << 32n);
  const from = s.cap.tx.length;
  s.board.rx(0, routeReply(s, { id: rid, lifetime: 60 }));
  const r = regReps(s, from);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].rep.code, r[0].rep.lifetimeSec, r[0].rep.home, r[0].rep.homeAgent, r[0].rep.id], [0, 60, MN, SRV, id], "lifetime min(requested, route's)");
  assert.equal(coaExt(r[0].msg), COA1, "Care-of Address extension: the parent care-of address");
  assert.ok(lastAuthOk(r[0].msg, 20, 84, KMN));
  assert.equal(r[0].dst, MN);
  assert.deepEqual(events(s, EV_DR_REG).map((e) => e.op), [REG.PENDING, REG.ACCEPTED]);
  assert.equal(cnt(s, "dr_rt_reply_rx"), 1);
  // The same Route Reply again completes nothing.
  const f2 = s.cap.tx.length;
  s.board.rx(0, routeReply(s, { id: rid }));
  assert.equal(sent(s, f2).length, 0);
  assert.equal(cnt(s, "dr_rt_reply_rx"), 1);
});

test("002 §6.5: a Route Reply with the wrong Identification, the wrong key or from another address is dropped; no reply; the right one still completes", () => {
  const s = startRs({ coas: ["10.0.0.6", "10.0.0.7"] });
  s.board.rx(0, regReq(s, {}));
  const q = rtReqs(s, 0)[0];
  assert.equal(q.dst, COA1);
  const from = s.cap.tx.length;
  const ev0 = s.cap.events.length;
  s.board.rx(0, routeReply(s, { id: q.rt.id + 1n }));
  s.board.rx(0, routeReply(s, { id: q.rt.id ^ 0x100000000n ^ 0x1n }));
  s.board.rx(0, routeReply(s, { id: q.rt.id, k: key("wrong", 706) }));
  s.board.rx(0, routeReply(s, { id: q.rt.id, k: K2 }));                                   // coa2's key in coa1's name
  s.board.rx(0, routeReply(s, { id: q.rt.id, coa: COA2, mac: COA2_MAC, k: K2 }));          // another care-of agent
  s.board.rx(0, routeReply(s, { id: q.rt.id, dest: MN2 }));                                // another home address
  assert.equal(sent(s, from).length, 0);
  assert.equal(s.cap.events.slice(ev0).filter((e) => e.kind === EV_DR_REG).length, 0);
  assert.equal(cnt(s, "dr_rt_reply_rx"), 0);
  assert.equal(cnt(s, "drop_dr_auth") + cnt(s, "drop_dr_replay"), 6);
  s.board.rx(0, routeReply(s, { id: q.rt.id }));
  assert.deepEqual(regReps(s, from).map((x) => [x.rep.code, coaExt(x.msg)]), [[0, COA1]]);
});

test("002 §6.2: a bad 84 -> 131 and no Route Request; a replayed Identification -> 133; relayed by an FA without its 83 -> 132", () => {
  const s = startRs();
  s.board.rx(0, regReq(s, { k: key("wrong", 4098), n: 1 }));
  s.board.rx(0, regReq(s, { k: null, n: 2 }));
  let r = regReps(s, 0);
  assert.deepEqual(r.map((x) => x.rep.code), [131, 131]);
  assert.equal(rtReqs(s, 0).length, 0);
  assert.equal(events(s, EV_DR_REG).filter((e) => e.op !== REG.DENIED).length, 0);
  // A registration accepted, then its request replayed.
  const first = regReq(s, { n: 5 });
  s.board.rx(0, first);
  const q = rtReqs(s, 0);
  s.board.rx(0, routeReply(s, { id: q[0].rt.id }));
  assert.equal(regReps(s, 0).slice(-1)[0].rep.code, 0);
  s.clock.t += 1000;
  let from = s.cap.tx.length;
  s.board.rx(0, first);
  s.board.rx(0, regReq(s, { n: 4, id: host.ntpTimestamp(s.clock.t - 1000, 0, 4), child: SFA2 }));  // older
  r = regReps(s, from);
  assert.deepEqual(r.map((x) => x.rep.code), [133, 133]);
  assert.equal(rtReqs(s, from).length, 0);
  // The denial names the parent the node has (§6.2 "the old care-of address").
  assert.equal(coaExt(r[0].msg), COA1);
  // Relayed by the foreign agent (IP source = its address) without its 83: 132, nothing asked.
  from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 6, src: SFA, mac: SFA_RTR_MAC }));
  s.board.rx(0, regReq(s, { n: 7, src: SFA, mac: SFA_RTR_MAC, tail: (m) => host.appendAuth(m, 83, key("bad", 702)) }));
  r = regReps(s, from);
  assert.deepEqual(r.map((x) => [x.dst, x.rep.code]), [[SFA, 132], [SFA, 132]]);
  assert.equal(rtReqs(s, from).length, 0);
  // With its valid 83: taken, the Route Request goes out (the node's parent is kept).
  s.board.rx(0, regReq(s, { n: 8, src: SFA, mac: SFA_RTR_MAC, child: SFA2, tail: (m) => host.appendAuth(m, 83, KFA) }));
  const q2 = rtReqs(s, from);
  assert.deepEqual(q2.map((x) => [x.dst, x.rt.nextHop]), [[COA1, SFA2]]);
});

test("002 §6.6: with two care-of agents, two mobile nodes get different (the least loaded) care-of agents", () => {
  const s = startRs({ coas: ["10.0.0.6", "10.0.0.7"] });
  s.board.rx(0, regReq(s, { n: 1 }));
  const q1 = rtReqs(s, 0);
  assert.deepEqual(q1.map((x) => x.dst), [COA1]);
  s.board.rx(0, routeReply(s, { id: q1[0].rt.id }));
  const from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { home: MN2, k: KMN2, child: SFA2, n: 2 }));
  const q2 = rtReqs(s, from);
  assert.deepEqual(q2.map((x) => [x.dst, x.rt.dest]), [[COA2, MN2]]);
  assert.ok(lastAuthOk(q2[0].msg, 20, 83, K2));
  s.board.rx(0, routeReply(s, { coa: COA2, mac: COA2_MAC, k: K2, id: q2[0].rt.id, dest: MN2, nextHop: SFA2 }));
  assert.deepEqual(regReps(s, from).map((x) => [x.rep.home, x.rep.code, coaExt(x.msg)]), [[MN2, 0, COA2]]);
});

// ============================================================================================
// 4. Registration server as binding relay (§6.3, D.2)
// ============================================================================================

/** A home registration through the local server: 84 for the home server, then 33 with our mobile-server key. */
const homeTail = (m) => host.appendAuth(host.appendAuth(m, 84, KMN_HS), 33, KMN);

/** Register MN locally with the server (the registration it then relays for). */
function localRegistration(s) {
  s.board.rx(0, regReq(s, { n: 1 }));
  const q = rtReqs(s, 0);
  s.board.rx(0, routeReply(s, { id: q[0].rt.id }));
  assert.equal(regReps(s, 0).slice(-1)[0].rep.code, 0);
}

test("002 §6.3: a request naming another registrar without our registrar entry -> 129 (84), nothing relayed", () => {
  const s = startRs({ transit: true });
  s.board.rx(0, regReq(s, { registrar: HSRV, child: COA1, k: null, tail: homeTail }));
  const r = regReps(s, 0);
  assert.deepEqual(r.map((x) => [x.rep.code, x.rep.homeAgent]), [[129, HSRV]]);
  assert.ok(lastAuthOk(r[0].msg, 20, 84, KMN));
  assert.equal(sent(s, 0).filter((x) => x.type === 1).length, 0);
  assert.equal(cnt(s, "dr_reg_relayed"), 0);
  // Without the node's 33 for us: not even answered.
  const from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { registrar: HSRV, child: COA1, k: KMN_HS, n: 2 }));
  assert.equal(sent(s, from).length, 0);
});

test("002 D.2: with our registration but no association with the registrar -> 67 and an ext 81 naming the transit server, authenticated with 84", () => {
  const s = startRs({ transit: true });
  localRegistration(s);
  const from = s.cap.tx.length;
  s.clock.t += 1000;
  s.board.rx(0, regReq(s, { registrar: HSRV, child: COA1, k: null, n: 3, tail: homeTail }));
  const r = regReps(s, from);
  assert.equal(r.length, 1);
  assert.equal(r[0].rep.code, 67);
  const x81 = exts(r[0].msg, 20).find((e) => e.type === 81);
  assert.ok(x81, "Registration Server extension");
  assert.equal(x81.data.length, 2 + 8);
  assert.deepEqual([be32(x81.data, 2), (x81.data[6] << 8) | x81.data[7], (x81.data[8] << 8) | x81.data[9]], [TRANSIT, 3, 600]);
  assert.ok(lastAuthOk(r[0].msg, 20, 84, KMN));
  assert.equal(sent(s, from).filter((x) => x.type === 1).length, 0, "nothing relayed");
  // Through the local registration: the reply to the node is tunnelled to its foreign agent.
  assert.deepEqual(r[0].tunnel && [r[0].tunnel.dst], [SFA]);
});

// ============================================================================================
// 5. Foreign agent with R (§7.2)
// ============================================================================================

const FA_W = ip("10.2.0.1"), FA_C = ip("10.0.0.2"), VHA = ip("10.1.0.1");
const FAW_MAC = host.mac("02:00:00:02:00:01"), FAC_MAC = host.mac("02:00:00:00:00:02"), MN_MAC = host.mac("02:00:00:01:00:20");
const FRTR_MAC = host.mac("02:00:00:00:00:09"), FRS_MAC = host.mac("02:00:00:00:00:05");
const KFA_RS = key("fa1-rs", 702), KFH = key("fa-ha", 300), KMH = key("mn-ha", 4096);

function startFa() {
  const clock = { t: T0 };
  const s = startBoard({
    name: "fa", board: "emulated", roles: ["foreign-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:02:00:01", ipv4: "10.2.0.1/24", advertise: true },
      { name: "eth1", mac: "02:00:00:00:00:02", ipv4: "10.0.0.2/24" },
    ],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    mobility: { lifetimeSec: 300, dremip: { enabled: true, probeIntervalMs: 0, servers: [{ kind: "advertise", address: "10.0.0.5", priority: 1 }] } },
    securityAssociations: [
      { peer: "10.0.0.5", spi: 702, algorithm: "hmac-md5", key: "text:fa1-rs", use: "agent-server" },
      { peer: "10.1.0.1", spi: 300, algorithm: "hmac-md5", key: "text:fa-ha", use: "foreign-home" },
    ],
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(2, FRTR_MAC, ip("10.0.0.9"), FAC_MAC, FA_C));
  s.board.rx(1, host.arpFrame(2, FRS_MAC, RS, FAC_MAC, FA_C));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

function mnReq(s, { flags = R_FLAG, registrar = RS, authType = 84, k = KMN, n = 1, after = null } = {}) {
  let m = host.buildRegRequest({ flags, lifetimeSec: 60, home: MN, homeAgent: registrar, careOf: FA_W, id: host.ntpTimestamp(s.clock.t, 0, n) });
  m = host.appendAuth(m, authType, k);
  const mnPart = m;
  if (after) m = concat(m, after);
  return { frame: host.ethFrame(FAW_MAC, MN_MAC, 0x0800, host.buildUdp(MN, FA_W, 434, 434, m, 1, 64)), mnPart };
}

test("002 §7.2: the foreign agent relays an R request to its registrar, cut after the node's 84, with its 83 (verifies with the key)", () => {
  const s = startFa();
  const { frame, mnPart } = mnReq(s, { after: new Uint8Array([200, 2, 1, 2]) });
  s.board.rx(0, frame);
  const out = sent(s, 0).filter((x) => x.type === 1);
  assert.equal(out.length, 1);
  // RFC 2002 §3.7.2.2: from our care-of address (the one the node registered), to the registrar.
  assert.deepEqual([out[0].src, out[0].dst, out[0].tunnel, out[0].iface], [FA_W, RS, null, 1]);
  const m = out[0].msg;
  assert.deepEqual(Array.from(m.subarray(0, mnPart.length)), Array.from(mnPart), "the node's message up to its 84, unchanged");
  assert.equal(m[mnPart.length], 83, "then the agent's 83 (the extension after the 84 removed)");
  assert.ok(lastAuthOk(m, 24, 83, KFA_RS));
  assert.ok(!exts(m, 24).some((e) => e.type === 34), "no Foreign-Home extension");
  assert.equal(cnt(s, "dr_fa_relayed"), 1);
});

test("002 §7.2: without an agent-server association with the registrar -> 65 to the node, nothing relayed", () => {
  const s = startFa();
  s.board.rx(0, mnReq(s, { registrar: ip("10.0.0.77") }).frame);
  const out = sent(s, 0);
  assert.equal(out.filter((x) => x.type === 1).length, 0);
  const r = out.filter((x) => x.type === 3).map((x) => ({ ...x, rep: host.parseRegReply(x.msg) }));
  assert.deepEqual(r.map((x) => [x.dst, x.rep.code, x.rep.homeAgent]), [[MN, 65, ip("10.0.0.77")]]);
  assert.equal(cnt(s, "dr_fa_relayed"), 0);
  // The registrar's address in the request is not enough: a home agent we share a foreign-home key with, with R, is no agent-server association either.
  s.board.rx(0, mnReq(s, { registrar: VHA, n: 2 }).frame);
  assert.deepEqual(sent(s, 0).filter((x) => x.type === 3).map((x) => host.parseRegReply(x.msg).code), [65, 65]);
  assert.equal(sent(s, 0).filter((x) => x.type === 1).length, 0);
});

test("002 §2.9: a request with R clear goes the base way: relayed to the home agent with the Foreign-Home extension (34), no 83", () => {
  const s = startFa();
  const { frame, mnPart } = mnReq(s, { flags: 0, registrar: VHA, authType: 32, k: KMH });
  s.board.rx(0, frame);
  const out = sent(s, 0).filter((x) => x.type === 1);
  assert.equal(out.length, 1);
  assert.equal(out[0].dst, VHA);
  assert.deepEqual(Array.from(out[0].msg.subarray(0, mnPart.length)), Array.from(mnPart));
  assert.ok(lastAuthOk(out[0].msg, 24, 34, KFH));
  assert.ok(!exts(out[0].msg, 24).some((e) => e.type === 83));
  assert.equal(cnt(s, "dr_fa_relayed"), 0);
  // R clear to a registration server we share no foreign-home key with: relayed without an authenticator of ours.
  s.board.rx(0, mnReq(s, { flags: 0, registrar: RS, authType: 32, k: KMH, n: 2 }).frame);
  const out2 = sent(s, 0).filter((x) => x.type === 1);
  assert.equal(out2.length, 2);
  assert.deepEqual(exts(out2[1].msg, 24).map((e) => e.type), [32]);
});

// ============================================================================================
// More of the same roles: table limits, moves, negative Route Replies, retransmission, deregistration
// ============================================================================================

test("002 §3.5: a care-of agent with a full route table refuses a new home address with 64 (refused event), keeps the routes it has", () => {
  const clock = { t: T0 };
  const s = startBoard({ ...coaJson(), sizes: { careOfRoutes: 1 } }, { now: () => clock.t });
  for (const [a, m] of [[RS, RS_MAC], [FA_RTR, FA_RTR_MAC], [CORE, CORE_MAC]]) s.board.rx(0, host.arpFrame(2, m, a, COA_MAC, COA));
  s.cap.tx.length = 0;
  const x = { ...s, clock };
  x.board.rx(0, routeReq(x, { n: 1 }));
  x.board.rx(0, routeReq(x, { n: 2, dest: ip("10.1.0.21") }));
  assert.deepEqual(replies(x, 0).map((r) => [r.rt.code, r.rt.lifetime]), [[0, 60], [64, 0]]);
  assert.deepEqual(events(x, EV_DR_ROUTE).map((e) => [e.op, e.code, e.a]), [[RT.ENABLE, 0, MN], [RT.REFUSED, 64, ip("10.1.0.21")]]);
  assert.equal(cnt(x, "drop_dr_no_room"), 1);
  assert.equal(datagram(x)[0].p.dst, FA, "the first route still there");
  assert.equal(datagram(x, ip("10.1.0.21"))[0].p.proto, 17);
  // Its own route can still be refreshed.
  x.board.rx(0, routeReq(x, { n: 3, lifetime: 30 }));
  assert.deepEqual(replies(x, 0).slice(-1).map((r) => r.rt.code), [0]);
});

test("002 §7.5: a later Route Request moves the home agent's binding to the new parent; lifetime 0 removes it (no more proxy ARP)", () => {
  const s = startHa();
  const PCOA2 = ip("10.0.2.7");
  s.board.rx(1, host.arpFrame(1, host.mac("02:00:00:00:0b:07"), PCOA2, ZERO_MAC, HA_CORE));
  s.board.rx(0, haRouteReq(s, { n: 1 }));
  s.clock.t += 1000;
  s.board.rx(0, haRouteReq(s, { n: 2, nextHop: PCOA2 }));
  const toHome = () => {
    const f = s.cap.tx.length;
    s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, HOME, 7000, 7001, new Uint8Array(20), 6, 50)));
    return s.cap.tx.slice(f).map((x) => parseEthIp(x.frame)).filter(Boolean);
  };
  assert.deepEqual(toHome().map((p) => [p.proto, p.dst]), [[4, PCOA2]], "one binding, to the new parent");
  s.clock.t += 1000;
  s.board.rx(0, haRouteReq(s, { n: 3, lifetime: 0 }));
  assert.deepEqual(replies(s, 0).map((r) => [r.rt.code, r.rt.lifetime]), [[0, 60], [0, 60], [0, 0]]);
  assert.equal(events(s, EV_BINDING).slice(-1)[0].op, 3, "deregistered");
  const f = s.cap.tx.length;
  s.board.rx(0, host.arpFrame(1, HS_MAC, HS, ZERO_MAC, HOME));
  assert.equal(s.cap.tx.slice(f).map((x) => parseArp(x.frame)).filter((a) => a && a.op === 2).length, 0, "no proxy ARP");
  assert.ok(toHome().every((p) => p.proto !== 4), "not tunnelled");
});

test("002 §6.5: a negative Route Reply (65) or lifetime 0 denies the registration (129 / 130); nothing is kept", () => {
  const s = startRs();
  s.board.rx(0, regReq(s, { n: 1 }));
  let q = rtReqs(s, 0);
  s.board.rx(0, routeReply(s, { id: q[0].rt.id, code: 65, lifetime: 0 }));
  let r = regReps(s, 0);
  assert.deepEqual(r.map((x) => [x.rep.code, x.rep.lifetimeSec, coaExt(x.msg)]), [[129, 0, null]]);
  assert.ok(lastAuthOk(r[0].msg, 20, 84, KMN));
  s.clock.t += 1000;
  const from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 2 }));
  q = rtReqs(s, from);
  assert.equal(q.length, 1);
  s.board.rx(0, routeReply(s, { id: q[0].rt.id, code: 0, lifetime: 0 }));
  r = regReps(s, from);
  assert.deepEqual(r.map((x) => x.rep.code), [130]);
  assert.deepEqual(events(s, EV_DR_REG).map((e) => e.op), [REG.PENDING, REG.DENIED, REG.PENDING, REG.DENIED]);
  assert.ok(r[0].tunnel === null, "not through a local registration: none was made");
  // No registration kept: a home registration relayed through us is refused (§6.3: no registrar entry).
  const f3 = s.cap.tx.length;
  s.board.rx(0, regReq(s, { registrar: HSRV, child: COA1, k: null, n: 3, tail: homeTail }));
  assert.deepEqual(regReps(s, f3).map((x) => x.rep.code), [129]);
});

test("002 §6.4: an unanswered Route Request is retransmitted, then the next care-of agent is asked; the reply names the one that answered", () => {
  const s = startRs({ coas: ["10.0.0.6", "10.0.0.7"] });
  s.board.rx(0, regReq(s, { n: 1 }));
  for (let i = 0; i < 3; i++) { s.clock.t += 1000; s.board.tick(s.clock.t); }
  const q = rtReqs(s, 0);
  assert.deepEqual(q.map((x) => x.dst), [COA1, COA1, COA1, COA2]);
  // Every retransmission carries a new, increasing Identification.
  assert.ok(q[1].rt.id > q[0].rt.id && q[2].rt.id > q[1].rt.id);
  assert.equal(regReps(s, 0).length, 0);
  // coa1's late answer to its last request no longer counts.
  s.board.rx(0, routeReply(s, { id: q[2].rt.id }));
  assert.equal(regReps(s, 0).length, 0);
  s.board.rx(0, routeReply(s, { coa: COA2, mac: COA2_MAC, k: K2, id: q[3].rt.id }));
  assert.deepEqual(regReps(s, 0).map((x) => [x.rep.code, coaExt(x.msg)]), [[0, COA2]]);
});

test("002 §6.4: no care-of agent answers: denied (130) after the last one; a deregistration disables the route at the care-of agent", () => {
  const s = startRs();
  s.board.rx(0, regReq(s, { n: 1 }));
  for (let i = 0; i < 4; i++) { s.clock.t += 1000; s.board.tick(s.clock.t); }
  assert.equal(rtReqs(s, 0).length, 3);
  assert.deepEqual(regReps(s, 0).map((x) => x.rep.code), [130]);
  // A registration, then its deregistration.
  const from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 2 }));
  const q = rtReqs(s, from);
  s.board.rx(0, routeReply(s, { id: q[0].rt.id }));
  s.clock.t += 1000;
  const f2 = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 3, lifetime: 0 }));
  const d = rtReqs(s, f2);
  assert.deepEqual(d.map((x) => [x.dst, x.rt.dest, x.rt.lifetime]), [[COA1, MN, 0]]);
  assert.ok(lastAuthOk(d[0].msg, 20, 83, K1));
  assert.deepEqual(regReps(s, f2).map((x) => [x.rep.code, x.rep.lifetimeSec]), [[0, 0]]);
  assert.equal(events(s, EV_DR_REG).slice(-1)[0].op, REG.EXPIRED);
});


test("002 §6.3: with a server-server association the home registration is relayed up to the registrar's 84 plus our 85; the registrar's reply goes back with our 33, a forged one is dropped", () => {
  const s = startRs({ ss: true });
  const KSS = key("rs-hs", 900);
  localRegistration(s);
  s.clock.t += 1000;
  const from = s.cap.tx.length;
  const id = host.ntpTimestamp(s.clock.t, 0, 9);
  let mnPart = null;
  s.board.rx(0, regReq(s, { registrar: HSRV, child: COA1, k: null, id, lifetime: 300, tail: (m) => { mnPart = host.appendAuth(m, 84, KMN_HS); return host.appendAuth(mnPart, 33, KMN); } }));
  const rel = sent(s, from).filter((x) => x.type === 1);
  assert.equal(rel.length, 1);
  assert.deepEqual([rel[0].src, rel[0].dst, rel[0].tunnel], [SRV, HSRV, null]);
  assert.deepEqual(Array.from(rel[0].msg.subarray(0, mnPart.length)), Array.from(mnPart), "up to the registrar's 84, unchanged");
  assert.ok(lastAuthOk(rel[0].msg, 24, 85, KSS));
  assert.equal(regReps(s, from).length, 0, "no reply of ours yet");
  assert.equal(cnt(s, "dr_reg_relayed"), 1);
  // The home server's reply: its 84 for the node, then its 85.
  const hsReply = (k) => {
    let m = host.buildRegReply({ code: 0, lifetimeSec: 300, home: MN, homeAgent: HSRV, id });
    m = host.appendAuth(m, 84, KMN_HS);
    const part = m;
    m = host.appendAuth(m, 85, k);
    return { part, frame: host.ethFrame(SRV_MAC, SRTR_MAC, 0x0800, host.buildUdp(HSRV, SRV, 434, 434, m, 8, 60)) };
  };
  const f2 = s.cap.tx.length;
  s.board.rx(0, hsReply(key("forged", 900)).frame);
  assert.equal(sent(s, f2).length, 0, "a reply that fails our 85 is dropped");
  const { part, frame } = hsReply(KSS);
  s.board.rx(0, frame);
  const r = regReps(s, f2);
  assert.equal(r.length, 1);
  assert.deepEqual([r[0].dst, r[0].rep.code, r[0].rep.homeAgent], [MN, 0, HSRV]);
  assert.deepEqual(Array.from(r[0].msg.subarray(0, part.length)), Array.from(part));
  assert.ok(lastAuthOk(r[0].msg, 20, 33, KMN), "our Mobile-Foreign extension for the node");
  assert.deepEqual(r[0].tunnel && [r[0].tunnel.src, r[0].tunnel.dst], [SRV, SFA], "through the local registration");
  // Replayed: nothing more relayed.
  const f3 = s.cap.tx.length;
  s.board.rx(0, frame);
  assert.equal(sent(s, f3).length, 0);
});

test("002 §7.2: the registrar's reply to an R request is taken only with its valid 83 and relayed to the node up to its 84; a forged one -> 68", () => {
  const s = startFa();
  const { frame } = mnReq(s, { n: 5 });
  s.board.rx(0, frame);
  const id = host.ntpTimestamp(s.clock.t, 0, 5);
  const rsReply = (k) => {
    let m = host.buildRegReply({ code: 0, lifetimeSec: 60, home: MN, homeAgent: RS, id });
    m = concat(m, new Uint8Array([82, 6, 0, 0, 10, 0, 0, 6]));
    m = host.appendAuth(m, 84, KMN);
    const part = m;
    return { part, frame: host.ethFrame(FAC_MAC, FRTR_MAC, 0x0800, host.buildUdp(RS, FA_W, 434, 434, host.appendAuth(m, 83, k), 8, 60)) };
  };
  const f = s.cap.tx.length;
  s.board.rx(1, rsReply(key("forged", 702)).frame);
  let r = sent(s, f).filter((x) => x.type === 3).map((x) => ({ ...x, rep: host.parseRegReply(x.msg) }));
  assert.deepEqual(r.map((x) => [x.dst, x.rep.code]), [[MN, 68]]);
  // A fresh request, then the genuine reply.
  s.clock.t += 1000;
  s.board.rx(0, mnReq(s, { n: 6 }).frame);
  const id2 = host.ntpTimestamp(s.clock.t, 0, 6);
  let m = host.buildRegReply({ code: 0, lifetimeSec: 60, home: MN, homeAgent: RS, id: id2 });
  m = host.appendAuth(concat(m, new Uint8Array([82, 6, 0, 0, 10, 0, 0, 6])), 84, KMN);
  const part = m;
  const f2 = s.cap.tx.length;
  s.board.rx(1, host.ethFrame(FAC_MAC, FRTR_MAC, 0x0800, host.buildUdp(RS, FA_W, 434, 434, host.appendAuth(m, 83, KFA_RS), 9, 60)));
  r = sent(s, f2).filter((x) => x.type === 3).map((x) => ({ ...x, rep: host.parseRegReply(x.msg) }));
  assert.deepEqual(r.map((x) => [x.dst, x.rep.code]), [[MN, 0]]);
  assert.deepEqual(Array.from(r[0].msg), Array.from(part), "the reply up to the node's 84, our 83 checked and removed");
});

// Found by the invariant fuzzing (test/host/fuzz-dremip.test.mjs, test/lib/drfuzz.mjs); each fails before its fix.
test("002 §6.2: a deregistration also ends a registration still waiting for its Route Reply: the care-of agent is told to disable, the late Route Reply accepts nothing", () => {
  const s = startRs();
  s.board.rx(0, regReq(s, { n: 1, lifetime: 60 }));
  const q = rtReqs(s, 0);
  assert.equal(q.length, 1);
  const from = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 2, lifetime: 0 }));
  assert.deepEqual(regReps(s, from).map((x) => x.rep.code), [0]);
  // The care-of agent may have enabled the route for the pending request already: disabled.
  assert.deepEqual(rtReqs(s, from).map((x) => [x.dst, x.rt.dest, x.rt.nextHop, x.rt.lifetime]), [[COA1, MN, SFA, 0]]);
  assert.deepEqual(s.board.dump("registrations"), []);
  const f2 = s.cap.tx.length;
  s.board.rx(0, routeReply(s, { id: q[0].rt.id }));
  assert.equal(regReps(s, f2).length, 0, "the late Route Reply completes nothing");
  assert.equal(events(s, EV_DR_REG).filter((e) => e.op === REG.ACCEPTED).length, 0);
  assert.deepEqual(s.board.dump("registrations"), []);
  // The deregistration stays the last accepted Identification: the first request replayed -> 133.
  const f3 = s.cap.tx.length;
  s.board.rx(0, regReq(s, { n: 1, lifetime: 60 }));
  assert.deepEqual(regReps(s, f3).map((x) => x.rep.code), [133]);
  assert.equal(rtReqs(s, f3).length, 0);
});

test("002 §6.2, RFC 2002 §5.6.1: a copy of the node's earlier request while a later one waits for its Route Reply -> 133; the pending registration is kept and completes", () => {
  const s = startRs();
  const older = regReq(s, { n: 1, lifetime: 60, child: SFA });
  s.board.rx(0, older);
  s.clock.t += 500;
  const id2 = host.ntpTimestamp(s.clock.t, 0, 2);
  s.board.rx(0, regReq(s, { id: id2, lifetime: 60, child: SFA2 }));
  const q = rtReqs(s, 0);
  assert.deepEqual(q.map((x) => x.rt.nextHop), [SFA, SFA2]);
  // The attacker re-sends the node's first request (from its previous care-of address) within the window.
  const from = s.cap.tx.length;
  s.board.rx(0, older);
  const r = regReps(s, from);
  assert.deepEqual(r.map((x) => x.rep.code), [133]);
  assert.ok(lastAuthOk(r[0].msg, 20, 84, KMN));
  assert.equal(rtReqs(s, from).length, 0, "no new Route Request");
  assert.deepEqual(s.board.dump("registrations").map((e) => [e.childCoa, e.flags]), [[SFA2, 2]]);
  // And the pending one itself once more -> 133 too.
  s.board.rx(0, regReq(s, { id: id2, lifetime: 60, child: SFA2 }));
  assert.deepEqual(regReps(s, from).map((x) => x.rep.code), [133, 133]);
  // The care-of agent's answer to the later request completes it, with the later care-of address.
  const f2 = s.cap.tx.length;
  s.board.rx(0, routeReply(s, { id: q[1].rt.id, nextHop: SFA2 }));
  assert.deepEqual(regReps(s, f2).map((x) => [x.rep.code, x.rep.id]), [[0, id2]]);
  assert.deepEqual(s.board.dump("registrations").map((e) => [e.childCoa, e.flags]), [[SFA2, 1]]);
});

test("002 §4.4: a request for a home address the server has no association with gets no answer, whatever is wrong with it (no unauthenticated 134); a solicitation naming an unknown agent is counted", () => {
  const s = startRs();
  const drops = cnt(s, "drop_dr_auth");
  // Home address not unicast (134 if we knew the node), and one we do not know with a fine request.
  s.board.rx(0, regReq(s, { home: ip("253.1.0.21"), src: MN, k: KMN }));
  s.board.rx(0, regReq(s, { home: ip("10.1.0.99"), src: ip("10.1.0.99"), k: KMN }));
  assert.equal(sent(s, 0).length, 0, "nothing sent");
  assert.equal(cnt(s, "drop_dr_auth"), drops + 2);
  // A Registration Server Solicitation (34) naming an agent we have no key with: discarded and counted.
  const m = new Uint8Array(20); m[0] = 34; new DataView(m.buffer).setUint32(4, ip("10.2.0.77"));
  s.board.rx(0, host.ethFrame(SRV_MAC, SRTR_MAC, 0x0800, host.buildUdp(ip("10.2.0.77"), SRV, 434, 434, m, 1, 60)));
  assert.equal(sent(s, 0).length, 0);
  assert.equal(cnt(s, "drop_dr_auth"), drops + 3);
});
