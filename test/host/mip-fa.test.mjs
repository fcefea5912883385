// Foreign agent (assembly/mobility/fa.ts; RFC 2002 §3.7, §4.2.2): one board playing the agent between
// a wireless link (wlan0, advertising) and a core link (eth0, default route to 10.1.0.1), with
// hand-made mobile node and home agent messages: relaying requests and replies, every denial code
// the agent sends, the visitor list (pending, accepted, timeouts, expiry), delivery to visitors by
// MAC (intercepted and decapsulated), ICMP errors about relays, malformed input.
// The visitor list is read through the ABI dump (table 4, board.dump("visitors")). ICMP errors
// about relays have no ABI entry: those tests use a test build with one extra export, compiled
// here from a virtual entry (as arp.test.mjs does).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, icmpErrorPacket, compileTestModule } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const MN_MAC = host.mac("02:00:00:00:0a:99"), MN2_MAC = host.mac("02:00:00:00:0a:98");
const RTR_MAC = host.mac("02:00:00:00:0b:fe"), PEER_MAC = host.mac("02:00:00:00:0a:77");
const FA_IP = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1");
const HA = ip("10.8.0.1"), HOME = ip("10.8.0.5"), HOME2 = ip("10.8.0.6"), CN = ip("10.9.0.7");
const MH = { spi: 0x1001, key: te.encode("mn-ha"), algorithm: "hmac-md5" };
const FH = { spi: 0x2002, key: te.encode("fa-ha"), algorithm: "hmac-md5" };
const MF = { spi: 0x3003, key: te.encode("mn-fa"), algorithm: "keyed-md5" };
const EV_VISITOR = 9, EV_AUTH_FAILED = 10, EV_REG_DENIED = 11;
const OP = { PENDING: 1, ACCEPTED: 2, DENIED: 3, REMOVED: 4, EXPIRED: 5 };
const ID = 0xeb00000012345678n;

const saFh = { peer: "10.8.0.1", spi: FH.spi, algorithm: "hmac-md5", key: "text:fa-ha", use: "foreign-home" };
const saMf = { peer: "10.8.0.5", spi: MF.spi, algorithm: "keyed-md5", key: "text:mn-fa", use: "mobile-foreign" };

const faJson = ({ mobility = {}, sas = [], sizes, routes } = {}) => ({
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: routes ?? [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, ...mobility },
  securityAssociations: sas,
  ...(sizes ? { sizes } : {}),
});

const get16 = (b, o) => (b[o] << 8) | b[o + 1];
const get32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const concat = (...a) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let k = 0; for (const x of a) { o.set(x, k); k += x.length; } return o; };

/** Start the agent; the core router's MAC is learned first so relays leave at once. */
function start(opts = {}, now = () => 0, module) {
  const r = startBoard(faJson(opts), module ? { now, module } : { now });
  r.board.rx(1, host.arpFrame(1, RTR_MAC, RTR, new Uint8Array(6), FA_CORE));
  r.cap.tx.length = 0;
  r.cap.events.length = 0;
  return r;
}

/** A Registration Request with the mobile-home authenticator (and `extra` extensions after it). */
function request({ flags = 0, lifetimeSec = 300, home = HOME, homeAgent = HA, careOf = FA_IP, id = ID, mh = true, before = null, after = [] } = {}) {
  let m = host.buildRegRequest({ flags, lifetimeSec, home, homeAgent, careOf, id });
  if (before) m = concat(m, before);
  if (mh) m = host.appendAuth(m, host.EXT_MH_AUTH, MH);
  for (const x of after) m = typeof x === "function" ? x(m) : concat(m, x);
  return m;
}

/** The mobile node sends `msg` on wlan0 (UDP 434 unless `sport`). */
function fromMn(board, msg, { sport = 434, src = HOME, dst = FA_IP, mac = MN_MAC, iface = 0, dstMac } = {}) {
  const pkt = host.buildUdp(src, dst, sport, 434, msg, 1, 64);
  return board.rx(iface, host.ethFrame(dstMac ?? (iface === 0 ? WLAN_MAC : CORE_MAC), mac, 0x0800, pkt));
}

/** The home agent's Registration Reply arrives on eth0 through the router. */
function fromHa(board, msg, { dst = FA_IP, src = HA, dport = 434 } = {}) {
  return board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(src, dst, 434, dport, msg, 2, 60)));
}

function reply({ code = 0, lifetimeSec = 300, home = HOME, homeAgent = HA, id = ID, fh = null, after = [] } = {}) {
  let m = host.buildRegReply({ code, lifetimeSec, home, homeAgent, id });
  m = host.appendAuth(m, host.EXT_MH_AUTH, MH);
  for (const x of after) m = concat(m, x);
  if (fh) m = host.appendAuth(m, host.EXT_FH_AUTH, fh);
  return m;
}

/** UDP frames sent: Ethernet, IPv4 and UDP fields, the payload, and whether the checksums hold. */
function udpSent(cap) {
  const out = [];
  for (const { iface, frame: f } of cap.tx) {
    if (f.length < 42 || get16(f, 12) !== 0x0800 || f[23] !== 17) continue;
    const b = f.subarray(14);
    const info = new host.Ipv4Info();
    const ok = host.parseIpv4(b, info) === host.ParseError.OK;
    const u = b.subarray(info.off);
    out.push({
      iface, dstMac: f.slice(0, 6), srcMac: f.slice(6, 12), src: info.src, dst: info.dst, ttl: info.ttl,
      sport: get16(u, 0), dport: get16(u, 2), payload: u.slice(8, get16(u, 4)), ok: ok && host.udpValid(b, info), ip: b.slice(0, info.totalLen),
    });
  }
  return out;
}

const events = (cap, kind) => cap.events.filter((e) => e.kind === kind).map((e) => {
  const d = new DataView(e.data.buffer, e.data.byteOffset, e.data.byteLength);
  // ABI v2: addresses 16 bytes, ::ffff:a.b.c.d.
  const ip = (o) => host.mappedV4(e.data, o);
  if (kind === EV_VISITOR) return { op: e.data[0], code: e.data[1], lifetimeSec: d.getUint16(2, true), home: ip(4), ha: ip(20) };
  if (kind === EV_REG_DENIED) return { role: e.data[0], code: e.data[1], home: ip(4) };
  return { role: e.data[0], extType: e.data[1], code: e.data[2], peer: ip(8), spi: d.getUint32(4, true) };
});

/** The one reply the agent sent to the mobile node (asserting the addressing), parsed. */
function replyToMn(cap, { mac = MN_MAC, dport = 434, iface = 0, src = FA_IP, home = HOME } = {}) {
  const r = udpSent(cap).filter((x) => x.iface === iface && x.sport === 434 && x.payload[0] === 3);
  assert.equal(r.length, 1, "one reply to the mobile node");
  const [x] = r;
  assert.ok(x.ok, "IPv4 and UDP checksums");
  assert.deepEqual(x.dstMac, mac);
  assert.deepEqual(x.srcMac, iface === 0 ? WLAN_MAC : CORE_MAC);
  assert.equal(x.src, src);
  assert.equal(x.dst, home);
  assert.equal(x.dport, dport);
  return { ...host.parseRegReply(x.payload), raw: x.payload };
}

/** Expect a denial with `code` (Home Address, Home Agent, Identification copied; lifetime as given). */
function expectDenied(board, cap, code, { lifetimeSec = 300, home = HOME, homeAgent = HA, id = ID, ...where } = {}) {
  const r = replyToMn(cap, { home, ...where });
  assert.equal(r.code, code);
  assert.equal(r.lifetimeSec, lifetimeSec);
  assert.equal(r.home, home);
  assert.equal(r.homeAgent, homeAgent);
  assert.equal(r.id, id);
  assert.equal(udpSent(cap).filter((x) => x.iface === 1).length, 0, "nothing relayed");
  assert.deepEqual(events(cap, EV_REG_DENIED), [{ role: 2, code, home }]);
  return r;
}

/** The relayed request on eth0 (asserting the addressing); its payload. */
function relayed(cap) {
  const r = udpSent(cap).filter((x) => x.iface === 1 && x.payload[0] === 1);
  assert.equal(r.length, 1, "one relayed request");
  const [x] = r;
  assert.ok(x.ok);
  assert.deepEqual(x.dstMac, RTR_MAC);
  assert.deepEqual(x.srcMac, CORE_MAC);
  assert.equal(x.src, FA_IP, "from our care-of address");
  assert.equal(x.dst, HA);
  assert.equal(x.sport, 434);
  assert.equal(x.dport, 434);
  return x;
}

/** Register HOME through the agent and have the home agent accept it. */
function register(board, cap, { lifetimeSec = 300, fh = null, mnPort = 434 } = {}) {
  fromMn(board, request({ lifetimeSec }), { sport: mnPort });
  fromHa(board, reply({ lifetimeSec, fh }));
  const r = replyToMn(cap, { dport: mnPort });
  assert.equal(r.code, 0);
  cap.tx.length = 0;
  return r;
}

/** A datagram from CN to `dst` (UDP, TTL `ttl`). */
const datagram = (dst = HOME, ttl = 30, src = CN) => host.buildUdp(src, dst, 7000, 7001, te.encode("payload"), 99, ttl);

// ---- test build: the firmware plus faIcmpError ----
const ENTRY_SRC = `export * from "./index";
import { rx_buffer } from "./index";
import { faIcmpError } from "./mobility/fa";
import { setNow } from "./clock";
import { now_ms } from "./host";
export function test_fa_icmp_error(iface: i32, len: i32): i32 { setNow(now_ms()); return faIcmpError(iface, rx_buffer() + 14, len - 14); }
`;
let testModule;
before(async () => { testModule = await compileTestModule("fa", ENTRY_SRC); });

/** Visitor records (ABI dump table 4), with this file's short names. */
function visitors(board) {
  return board.dump("visitors").map((v) => ({
    home: v.home, ha: v.homeAgent, careOf: v.careOf, mac: v.mac, iface: v.iface, state: v.state, lifetimeSec: v.lifetimeSec,
    mnPort: v.udpSourcePort, id: v.identification, expiresAtMs: v.expiresAtMs,
  }));
}

// ---- relaying ----------------------------------------------------------------------------------

test("a valid request is relayed unchanged from our care-of address; the visitor is pending", () => {
  let t = 1000;
  const { board, cap } = start({}, () => t);
  const req = request({ lifetimeSec: 300 });
  assert.equal(fromMn(board, req, { sport: 5555 }), 0);
  const x = relayed(cap);
  assert.deepEqual(x.payload, req, "no SA with the home agent: the message as the mobile node sent it");
  assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.PENDING, code: 0, lifetimeSec: 300, home: HOME, ha: HA }]);
  assert.deepEqual(visitors(board), [{ home: HOME, ha: HA, mac: host.formatMac(MN_MAC), careOf: FA_IP, iface: 0, state: 1, lifetimeSec: 300, mnPort: 5555, id: ID, expiresAtMs: 8000 }]);
  const c = board.counters();
  assert.equal(c.fa_request_rx, 1);
  assert.equal(c.fa_request_relayed, 1);
  assert.equal(udpSent(cap).filter((y) => y.iface === 0).length, 0, "nothing back to the mobile node yet");
});

test("with an SA with the home agent the Foreign-Home Authentication extension is appended", () => {
  const { board, cap } = start({ sas: [saFh] });
  const req = request();
  fromMn(board, req);
  const x = relayed(cap);
  assert.deepEqual(x.payload.subarray(0, req.length), req);
  assert.equal(x.payload.length, req.length + 22);
  assert.equal(x.payload[req.length], 34);
  assert.ok(host.verifyAuth(x.payload, 24, host.EXT_FH_AUTH, FH));
});

test("the reply is relayed to the visitor's MAC and port; accepted: the visitor is accepted with the granted lifetime", () => {
  let t = 2000;
  const { board, cap } = start({ sas: [saFh] }, () => t);
  fromMn(board, request({ lifetimeSec: 300 }), { sport: 5555 });
  cap.events.length = 0;
  t = 2100;
  const rep = reply({ lifetimeSec: 250, fh: FH });
  assert.equal(fromHa(board, rep), 0);
  const r = replyToMn(cap, { dport: 5555 });
  assert.equal(r.code, 0);
  assert.equal(r.lifetimeSec, 250);
  assert.deepEqual(r.raw, rep.subarray(0, rep.length - 22), "the foreign-home authenticator is the agent's: removed");
  assert.ok(host.verifyAuth(r.raw, 20, host.EXT_MH_AUTH, MH), "the mobile-home authenticator still verifies");
  assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.ACCEPTED, code: 0, lifetimeSec: 250, home: HOME, ha: HA }]);
  assert.deepEqual(visitors(board), [{ home: HOME, ha: HA, mac: host.formatMac(MN_MAC), careOf: FA_IP, iface: 0, state: 2, lifetimeSec: 250, mnPort: 5555, id: ID, expiresAtMs: 2100 + 250000 }]);
  assert.equal(board.counters().fa_reply_relayed, 1);
});

test("an SA with the mobile node: the request needs a valid mobile-foreign authenticator; replies carry one", () => {
  const { board, cap } = start({ sas: [saFh, saMf] });
  // Missing: silently discarded (RFC 2002 §3.7.2.1), logged as AUTH_FAILED, no reply.
  fromMn(board, request());
  assert.equal(cap.tx.length, 0);
  // Wrong key.
  fromMn(board, request({ id: ID + 3n, after: [(m) => host.appendAuth(m, host.EXT_MF_AUTH, { ...MF, key: te.encode("nope") })] }));
  assert.equal(cap.tx.length, 0);
  assert.deepEqual(events(cap, EV_AUTH_FAILED), [
    { role: 2, extType: 33, code: 0, peer: HOME, spi: 0 },
    { role: 2, extType: 33, code: 0, peer: HOME, spi: MF.spi },
  ]);
  assert.equal(board.counters().drop_fa_auth, 2);
  // Valid: relayed without the mobile-foreign extension (it follows the mobile-home one, RFC 2002
  // §3.7.2.2 removes it), with the foreign-home one.
  // (Each request a new Identification, as a mobile node sends: the agent discards one it saw lately.)
  const plain = request({ id: ID + 1n });
  fromMn(board, request({ id: ID + 1n, after: [(m) => host.appendAuth(m, host.EXT_MF_AUTH, MF)] }));
  const x = relayed(cap);
  assert.deepEqual(x.payload.subarray(0, plain.length), plain);
  assert.equal(x.payload.length, plain.length + 22);
  assert.ok(host.verifyAuth(x.payload, 24, host.EXT_FH_AUTH, FH));
  fromHa(board, reply({ fh: FH, id: ID + 1n }));
  const r = replyToMn(cap);
  assert.equal(r.code, 0);
  assert.ok(host.verifyAuth(r.raw, 20, host.EXT_MF_AUTH, MF), "the reply to the mobile node carries the mobile-foreign authenticator");
  // Denials carry it too.
  cap.tx.length = 0;
  fromMn(board, request({ id: ID + 2n, lifetimeSec: 9999, after: [(m) => host.appendAuth(m, host.EXT_MF_AUTH, MF)] }));
  assert.ok(host.verifyAuth(replyToMn(cap).raw, 20, host.EXT_MF_AUTH, MF));
});

// ---- denial codes ------------------------------------------------------------------------------

test("69: requested lifetime too long, with our maximum in the reply", () => {
  const { board, cap } = start();
  fromMn(board, request({ lifetimeSec: 601 }), { sport: 6000 });
  expectDenied(board, cap, 69, { lifetimeSec: 600, dport: 6000 });
  assert.equal(board.counters().fa_request_denied, 1);
  cap.tx.length = 0; cap.events.length = 0;
  fromMn(board, request({ lifetimeSec: 0xffff, id: ID + 1n }));
  expectDenied(board, cap, 69, { lifetimeSec: 600, id: ID + 1n });
});

test("72: requested encapsulation unavailable; with D the mobile node decapsulates and it is relayed", () => {
  {
    const { board, cap } = start();
    fromMn(board, request({ flags: host.REQ_M }));
    expectDenied(board, cap, 72);
  }
  {
    const { board, cap } = start();
    fromMn(board, request({ flags: host.REQ_G }));
    expectDenied(board, cap, 72);
  }
  {
    const { board, cap } = start({ mobility: { encapsulations: ["ipip", "gre"] } });
    fromMn(board, request({ flags: host.REQ_G }));
    relayed(cap);
  }
  {
    // D (co-located care-of address 10.0.32.50, the node's own): relayed from our address on the
    // outgoing interface; the home agent tunnels to the node itself.
    const { board, cap } = start();
    const req = request({ flags: host.REQ_D | host.REQ_M, careOf: ip("10.0.32.50") });
    fromMn(board, req, { src: ip("10.0.32.50") });
    const r = udpSent(cap).filter((x) => x.iface === 1);
    assert.equal(r.length, 1);
    assert.equal(r[0].src, FA_CORE);
    assert.deepEqual(r[0].payload, req);
  }
});

test("73: Van Jacobson compression unavailable", () => {
  const { board, cap } = start();
  fromMn(board, request({ flags: host.REQ_V }));
  expectDenied(board, cap, 73);
});

test("70: poorly formed requests (no mobile-home authenticator, bad extension lengths, zero addresses)", () => {
  const cases = [
    request({ mh: false }),
    request({ after: [Uint8Array.of(0x80, 9, 1, 2)] }),         // skippable extension overrunning the end
    request({ after: [Uint8Array.of(33, 2, 0, 0)] }),           // authentication extension shorter than its SPI
    request({ home: 0 }),
    request({ homeAgent: 0 }),
    request({ homeAgent: ip("224.0.0.11") }),
  ];
  for (const [i, req] of cases.entries()) {
    const { board, cap } = start();
    fromMn(board, req);
    const d = new DataView(req.buffer, req.byteOffset);
    expectDenied(board, cap, 70, { home: d.getUint32(4), homeAgent: d.getUint32(8) });
    assert.equal(board.counters().fa_request_denied, 1, `case ${i}`);
  }
});

test("65 off the advertising link, 64 for a care-of address that is not ours, 80 without a route to the home agent", () => {
  {
    const { board, cap } = start();
    fromMn(board, request(), { iface: 1, dst: FA_CORE, mac: RTR_MAC });
    const r = udpSent(cap);
    assert.equal(r.length, 1);
    assert.equal(r[0].iface, 1);
    assert.deepEqual(r[0].dstMac, RTR_MAC);
    assert.equal(r[0].src, FA_CORE);
    assert.equal(host.parseRegReply(r[0].payload).code, 65);
  }
  {
    const { board, cap } = start();
    fromMn(board, request({ careOf: ip("10.0.32.200") }));
    expectDenied(board, cap, 64);
  }
  {
    const { board, cap } = start({ routes: [] });
    fromMn(board, request());
    expectDenied(board, cap, 80);
  }
});

test("66: busy, or a full visitor list (advertised as B); current visitors may still re-register", () => {
  {
    const { board, cap } = start({ mobility: { busy: true } });
    fromMn(board, request());
    expectDenied(board, cap, 66);
  }
  {
    let t = 0;
    const { board, cap } = start({ sizes: { visitors: 1 } }, () => t);
    fromMn(board, request());
    relayed(cap);
    cap.tx.length = 0; cap.events.length = 0;
    fromMn(board, request({ home: HOME2 }), { src: HOME2, mac: MN2_MAC });
    expectDenied(board, cap, 66, { home: HOME2, mac: MN2_MAC });
    cap.tx.length = 0;
    fromMn(board, request({ id: ID + 1n }));
    relayed(cap);
    // A solicitation now gets B.
    cap.tx.length = 0;
    const rs = new Uint8Array(28); rs[20] = 10;
    const c = host.checksum(rs, 20, 8); rs[22] = c >> 8; rs[23] = c & 255;
    host.writeIpv4Header(rs, 28, 1, HOME2, ip("224.0.0.2"), 1, 1);
    board.rx(0, host.ethFrame(Uint8Array.of(1, 0, 0x5e, 0, 0, 2), MN2_MAC, 0x0800, rs));
    const adv = host.parseAgentAdvert(cap.tx[0].frame.subarray(34));
    assert.equal(adv.flags, host.MA_F | host.MA_R | host.MA_B);
  }
  {
    const { board, cap } = start({ sizes: { visitors: 0 } });
    fromMn(board, request());
    expectDenied(board, cap, 66);
  }
});

test("68: the home agent fails foreign-home authentication; the mobile node is told, the visitor removed", () => {
  for (const fh of [null, { ...FH, key: te.encode("wrong") }]) {
    const { board, cap } = start({ sas: [saFh] });
    fromMn(board, request({ lifetimeSec: 200 }), { sport: 4444 });
    cap.tx.length = 0; cap.events.length = 0;
    fromHa(board, reply({ fh }));
    const r = replyToMn(cap, { dport: 4444 });
    assert.equal(r.code, 68);
    assert.equal(r.lifetimeSec, 200, "the request's lifetime");
    assert.equal(r.id, ID);
    assert.deepEqual(events(cap, EV_AUTH_FAILED), [{ role: 2, extType: 34, code: 68, peer: HA, spi: fh ? FH.spi : 0 }]);
    assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.DENIED, code: 68, lifetimeSec: 200, home: HOME, ha: HA }]);
    // The visitor is gone: the genuine reply now finds nothing pending.
    cap.tx.length = 0;
    fromHa(board, reply({ fh: FH }));
    assert.equal(cap.tx.length, 0);
    assert.equal(board.counters().drop_fa_reply_unmatched, 1);
  }
});

test("71: a poorly formed reply; unknown extension 0-127 in a reply is discarded silently", () => {
  const { board, cap } = start();
  fromMn(board, request());
  cap.tx.length = 0; cap.events.length = 0;
  fromHa(board, reply({ after: [Uint8Array.of(40, 0)] }));
  assert.equal(cap.tx.length, 0, "RFC 2002 §1.9: discarded, still pending");
  assert.equal(board.counters().drop_fa_unknown_ext, 1);
  fromHa(board, reply({ after: [Uint8Array.of(0x90, 200)] }));
  assert.equal(replyToMn(cap).code, 71);
  assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.DENIED, code: 71, lifetimeSec: 300, home: HOME, ha: HA }]);
});

test("a home agent denial is relayed as it is and ends the pending visitor", () => {
  const { board, cap } = start();
  fromMn(board, request());
  cap.tx.length = 0; cap.events.length = 0;
  const rep = reply({ code: 130, lifetimeSec: 300 });
  fromHa(board, rep);
  const r = replyToMn(cap);
  assert.deepEqual(r.raw, rep);
  assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.DENIED, code: 130, lifetimeSec: 300, home: HOME, ha: HA }]);
  assert.deepEqual(events(cap, EV_REG_DENIED), [], "the agent itself denied nothing");
  // Nothing is delivered for the home address.
  cap.tx.length = 0;
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.equal(board.counters().fa_delivered, 0);
});

test("replies that match no pending request are discarded: unknown home, other Identification low bits", () => {
  const { board, cap } = start();
  fromHa(board, reply());
  fromMn(board, request());
  cap.tx.length = 0;
  fromHa(board, reply({ id: ID + 1n }));
  fromHa(board, reply({ home: HOME2 }));
  assert.equal(cap.tx.length, 0);
  assert.equal(board.counters().drop_fa_reply_unmatched, 3);
  // With timestamps (the default) an acceptance echoes the whole Identification (RFC 2002 §5.6.1):
  // other high-order bits are not the home agent's acceptance of this request.
  fromHa(board, reply({ id: (ID & 0xffffffffn) | (0x77n << 32n) }));
  assert.equal(cap.tx.length, 0);
  assert.equal(board.counters().drop_fa_reply_unmatched, 4);
  // A 133 carries the home agent's time in the high 32 bits: the low 32 bits match it to the request.
  fromHa(board, reply({ code: 133, id: (ID & 0xffffffffn) | (0x77n << 32n) }));
  assert.equal(replyToMn(cap).code, 133);
  // With nonces (mobility.replay) the high 32 bits are always the next nonce (§5.6.2): low 32 bits only.
  const n = start({ mobility: { replay: "nonces" } });
  fromMn(n.board, request());
  n.cap.tx.length = 0;
  fromHa(n.board, reply({ id: (ID & 0xffffffffn) | (0x77n << 32n) }));
  assert.equal(replyToMn(n.cap).code, 0);
});

test("unknown extension 0-127 in a request: silently discarded; 128-255 skipped and relayed", () => {
  const { board, cap } = start();
  fromMn(board, request({ before: Uint8Array.of(40, 2, 0, 0) }));
  assert.equal(cap.tx.length, 0);
  assert.equal(board.counters().drop_fa_unknown_ext, 1);
  const req = request({ before: Uint8Array.of(200, 2, 0, 0), id: ID + 1n });
  fromMn(board, req);
  assert.deepEqual(relayed(cap).payload, req);
});

// ---- visitor list lifetime -------------------------------------------------------------------------

test("a pending request with no reply times out after 7 s; nothing is sent", () => {
  let t = 10000;
  const { board, cap } = start({}, () => t);
  fromMn(board, request());
  cap.tx.length = 0; cap.events.length = 0;
  assert.equal(visitors(board)[0].expiresAtMs, 17000, "reply deadline");
  t = 16999; board.tick(t);
  assert.equal(visitors(board).length, 1);
  t = 17000; board.tick(t);
  assert.deepEqual(visitors(board), []);
  assert.deepEqual(events(cap, EV_VISITOR), [{ op: OP.REMOVED, code: 0, lifetimeSec: 300, home: HOME, ha: HA }]);
  assert.equal(udpSent(cap).length, 0, "no reply of the agent's own (only advertisements went out)");
  assert.equal(board.counters().fa_pending_timeout, 1);
  fromHa(board, reply());
  assert.equal(board.counters().drop_fa_reply_unmatched, 1);
});

test("an accepted visitor expires after its lifetime; a re-registration keeps it meanwhile", () => {
  let t = 0;
  const { board, cap } = start({}, () => t);
  register(board, cap, { lifetimeSec: 60 });
  cap.events.length = 0;
  // Re-registration at 50 s, never answered: delivery goes on; the pending part times out alone.
  t = 50000;
  fromMn(board, request({ lifetimeSec: 60, id: ID + 5n }));
  assert.equal(visitors(board)[0].state, 3);
  t = 57000; board.tick(t);
  assert.equal(visitors(board)[0].state, 2);
  assert.deepEqual(events(cap, EV_VISITOR).map((e) => e.op), [OP.PENDING], "no event: the registration in force is unchanged");
  cap.tx.length = 0;
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.deepEqual(cap.tx[0].frame.subarray(0, 6), MN_MAC);
  t = 59999; board.tick(t);
  assert.equal(visitors(board).length, 1);
  t = 60000; board.tick(t);
  assert.deepEqual(visitors(board), []);
  assert.deepEqual(events(cap, EV_VISITOR).at(-1), { op: OP.EXPIRED, code: 0, lifetimeSec: 60, home: HOME, ha: HA });
  assert.equal(board.counters().fa_visitor_expired, 1);
  // Now a datagram for the home address is routed like any other (to the default router).
  cap.tx.length = 0;
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.equal(board.counters().fa_delivered, 1);
});

test("a re-registration accepted with a new lifetime extends the visitor; an accepted deregistration removes it", () => {
  let t = 0;
  const { board, cap } = start({}, () => t);
  register(board, cap, { lifetimeSec: 60 });
  t = 30000;
  fromMn(board, request({ lifetimeSec: 100, id: ID + 9n }));
  fromHa(board, reply({ lifetimeSec: 100, id: ID + 9n }));
  assert.deepEqual(visitors(board).map((v) => [v.state, v.lifetimeSec, v.expiresAtMs]), [[2, 100, 130000]]);
  cap.events.length = 0;
  fromMn(board, request({ lifetimeSec: 0, id: ID + 10n }));
  fromHa(board, reply({ lifetimeSec: 0, id: ID + 10n }));
  assert.deepEqual(visitors(board), []);
  assert.deepEqual(events(cap, EV_VISITOR).map((e) => e.op), [OP.PENDING, OP.REMOVED]);
});

test("link down: visitors stay until their lifetime ends", () => {
  let t = 0;
  const { board, cap } = start({}, () => t);
  register(board, cap);
  board.link(0, false);
  board.link(0, true);
  assert.equal(visitors(board).length, 1);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.equal(board.counters().fa_delivered, 1);
});

test("visitor dump (ABI table 4): pending -> accepted -> re-registering -> expired, every field", () => {
  let t = 5000;
  const { board, cap } = start({}, () => t);
  assert.deepEqual(board.dump("visitors"), [], "empty before any request");
  fromMn(board, request({ lifetimeSec: 120 }), { sport: 4321 });
  const base = { home: HOME, homeAgent: HA, careOf: FA_IP, mac: host.formatMac(MN_MAC), iface: 0, udpSourcePort: 4321, identification: ID, colocated: 0, requestFlags: 0 };
  assert.deepEqual(board.dump("visitors"), [{ ...base, state: 1, lifetimeSec: 120, expiresAtMs: 5000 + 7000 }], "pending: requested lifetime, reply deadline");
  t = 5200;
  fromHa(board, reply({ lifetimeSec: 100 }));
  replyToMn(cap, { dport: 4321 });
  assert.deepEqual(board.dump("visitors"), [{ ...base, state: 2, lifetimeSec: 100, expiresAtMs: 5200 + 100_000 }], "accepted: granted lifetime");
  t = 60000;
  fromMn(board, request({ lifetimeSec: 120, id: ID + 1n }), { sport: 4321 });
  assert.deepEqual(board.dump("visitors").map((v) => [v.state, v.lifetimeSec, v.expiresAtMs, v.identification]),
    [[3, 100, 105200, ID + 1n]], "re-registering: the registration in force is shown, the latest request's identification");
  t = 67000; board.tick(t);
  assert.equal(board.dump("visitors")[0].state, 2, "the unanswered re-registration timed out");
  t = 105199; board.tick(t);
  assert.equal(board.dump("visitors").length, 1);
  t = 105200; board.tick(t);
  assert.deepEqual(board.dump("visitors"), [], "expired");
});

test("visitor dump: several visitors, read in order and out of order", () => {
  const { board } = start({ sizes: { visitors: 4 } });
  fromMn(board, request(), { sport: 1111 });
  fromMn(board, request({ home: HOME2 }), { src: HOME2, mac: MN2_MAC, sport: 2222 });
  const all = board.dump("visitors");
  assert.deepEqual(all.map((v) => [v.home, v.udpSourcePort, v.mac]).sort((a, b) => a[0] - b[0]),
    [[HOME, 1111, host.formatMac(MN_MAC)], [HOME2, 2222, host.formatMac(MN2_MAC)]].sort((a, b) => a[0] - b[0]));
  const ptr = board.x.dump_buffer();
  const at = (i) => { const n = board.x.dump(4, i); return n < 0 ? null : Buffer.from(new Uint8Array(board.x.memory.buffer, ptr, n)).toString("hex"); };
  const raw = board.dumpRaw(4).map((r) => Buffer.from(r).toString("hex"));
  assert.deepEqual([at(1), at(0), at(0), at(1), at(2), at(-1)], [raw[1], raw[0], raw[0], raw[1], null, null]);
  assert.ok(raw.every((r) => r.length === 160), "80-byte records (ABI v2)");
});

// ---- delivery -------------------------------------------------------------------------------------

test("datagrams for an accepted visitor's home address go to its MAC without ARP, TTL - 1 (intercepted)", () => {
  const { board, cap } = start();
  register(board, cap);
  // From the core side.
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram(HOME, 30)));
  // From another host on the visitor's own link.
  board.rx(0, host.ethFrame(WLAN_MAC, PEER_MAC, 0x0800, datagram(HOME, 5, ip("10.0.32.77"))));
  assert.equal(cap.tx.length, 2);
  for (const [i, ttl] of [[0, 29], [1, 4]]) {
    const f = cap.tx[i].frame;
    assert.equal(cap.tx[i].iface, 0);
    assert.deepEqual(f.subarray(0, 6), MN_MAC);
    assert.deepEqual(f.subarray(6, 12), WLAN_MAC);
    assert.equal(f[22], ttl);
    assert.equal(host.checksum(f, 14, 20), 0);
    assert.equal(get32(f, 30), HOME);
  }
  assert.equal(cap.tx.filter((x) => host.etherType(x.frame) === 0x0806).length, 0, "no ARP for the home address");
  assert.equal(board.counters().fa_delivered, 2);
  // The visitor's own traffic (source = home address, not on this link) is routed normally.
  cap.tx.length = 0;
  board.rx(0, host.ethFrame(WLAN_MAC, MN_MAC, 0x0800, datagram(CN, 20, HOME)));
  assert.equal(cap.tx.length, 1);
  assert.equal(cap.tx[0].iface, 1);
  assert.deepEqual(cap.tx[0].frame.subarray(0, 6), RTR_MAC);
  assert.equal(board.counters().forwarded, 1);
});

test("a tunnelled datagram to our care-of address is decapsulated and delivered to the visitor's MAC", (t) => {
  const { board, cap } = start();
  register(board, cap);
  const inner = datagram(HOME, 30);
  const outer = new Uint8Array(20 + inner.length);
  outer.set(inner, 20);
  host.writeIpv4Header(outer, outer.length, 4, HA, FA_IP, 5, 50);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, outer));
  assert.equal(board.counters().tunnel_decapsulated, 1);
  assert.equal(cap.tx.length, 1);
  const f = cap.tx[0].frame;
  assert.equal(cap.tx[0].iface, 0);
  assert.deepEqual(f.subarray(0, 6), MN_MAC);
  assert.deepEqual(f.subarray(14), (() => { const x = inner.slice(); x[8]--; x[10] = 0; x[11] = 0; const c = host.checksum(x, 0, 20); x[10] = c >> 8; x[11] = c & 255; return x; })());
  // Not a visitor: discarded, never forwarded (RFC 2002 §4.2.2).
  cap.tx.length = 0;
  const stray = new Uint8Array(20 + inner.length);
  stray.set(datagram(HOME2, 30), 20);
  host.writeIpv4Header(stray, stray.length, 4, HA, FA_IP, 6, 50);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, stray));
  assert.equal(cap.tx.length, 0);
});

test("a co-located registration (D) relayed and accepted: the agent does not deliver for it", () => {
  const { board, cap } = start();
  fromMn(board, request({ flags: host.REQ_D, careOf: ip("10.0.32.50") }), { src: ip("10.0.32.50") });
  fromHa(board, reply(), { dst: FA_CORE });
  assert.equal(replyToMn(cap, { src: FA_IP }).code, 0);
  cap.tx.length = 0;
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.equal(board.counters().fa_delivered, 0);
});

// ---- ICMP errors about relayed requests ------------------------------------------------------------

/** An ICMP error from the core router about `quoted` (bytes of the relayed IPv4 datagram). */
function icmpError(type, code, quoted) {
  return host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, icmpErrorPacket(type, code, quoted, RTR, FA_IP));
}

test("80/81/82/88: an ICMP error about a relayed request denies the pending request it quotes", () => {
  for (const [type, code, want] of [[3, 0, 80], [3, 1, 81], [3, 3, 82], [3, 13, 88], [11, 0, 88]]) {
    const { board, cap } = start({ sizes: { visitors: 4 } }, () => 0, testModule);
    fromMn(board, request(), { sport: 3333 });
    const rel = relayed(cap).ip;
    cap.tx.length = 0;
    fromMn(board, request({ home: HOME2 }), { src: HOME2, mac: MN2_MAC });
    const rel2 = relayed(cap).ip;
    cap.tx.length = 0; cap.events.length = 0;
    // Header + 8 bytes: the relayed datagram is recognised by its addresses, ports and IP
    // Identification (issue 7.7), so only the request it quotes is denied.
    const f = icmpError(type, code, rel.subarray(0, 28));
    new Uint8Array(board.x.memory.buffer).set(f, board.x.rx_buffer());
    assert.equal(board.x.test_fa_icmp_error(1, f.length), 0);
    const sent = udpSent(cap);
    assert.equal(sent.length, 1);
    assert.equal(host.parseRegReply(sent[0].payload).code, want);
    assert.deepEqual(sent[0].dstMac, MN_MAC);
    assert.equal(sent[0].dport, 3333);
    assert.deepEqual(visitors(board).map((v) => v.home), [HOME2]);
    cap.tx.length = 0;
    const g = icmpError(type, code, rel2.subarray(0, 28));
    new Uint8Array(board.x.memory.buffer).set(g, board.x.rx_buffer());
    assert.equal(board.x.test_fa_icmp_error(1, g.length), 0);
    assert.equal(replyToMn(cap, { mac: MN2_MAC, home: HOME2 }).code, want);
    assert.deepEqual(visitors(board), []);
    assert.equal(board.counters().fa_icmp_error, 2);
  }
  {
    // A longer quote names the home address too.
    const { board, cap } = start({ sizes: { visitors: 4 } }, () => 0, testModule);
    fromMn(board, request());
    const rel = relayed(cap).ip;
    fromMn(board, request({ home: HOME2 }), { src: HOME2, mac: MN2_MAC });
    cap.tx.length = 0;
    const f = icmpError(3, 1, rel.subarray(0, 28 + 24));
    new Uint8Array(board.x.memory.buffer).set(f, board.x.rx_buffer());
    assert.equal(board.x.test_fa_icmp_error(1, f.length), 0);
    assert.equal(replyToMn(cap).code, 81);
    assert.deepEqual(visitors(board).map((v) => v.home), [HOME2]);
    // An error about something else is not ours.
    const other = rel.slice(0, 28); other[22] = 0; other[23] = 53; // UDP source port 53
    const g = icmpError(3, 1, other);
    new Uint8Array(board.x.memory.buffer).set(g, board.x.rx_buffer());
    assert.equal(board.x.test_fa_icmp_error(1, g.length), -1);
  }
});

test("ICMP errors received by the board reach the agent (stack/ip.ts ICMP handlers, registered by mobility/roles.ts)", () => {
  const { board, cap } = start();
  fromMn(board, request());
  const rel = relayed(cap).ip;
  cap.tx.length = 0;
  board.rx(1, icmpError(3, 0, rel.subarray(0, 28)));
  assert.equal(board.counters().fa_icmp_error, 1);
  assert.equal(replyToMn(cap).code, 80);
});

// ---- malformed input ----------------------------------------------------------------------------

test("malformed registration messages are dropped and counted, never a trap", () => {
  const { board, cap } = start({ sas: [saFh, saMf] });
  fromMn(board, request().subarray(0, 23));                  // shorter than the fixed part
  fromMn(board, new Uint8Array(0));                           // empty
  fromHa(board, reply().subarray(0, 19));
  // Bad UDP checksum.
  const pkt = host.buildUdp(HOME, FA_IP, 434, 434, request(), 1, 64);
  pkt[27] ^= 0xff;
  board.rx(0, host.ethFrame(WLAN_MAC, MN_MAC, 0x0800, pkt));
  const c = board.counters();
  assert.equal(c.drop_fa_malformed, 3);
  assert.equal(c.drop_udp_checksum, 1);
  assert.equal(cap.tx.length, 0);
  // Random messages of both types: whatever they are, no trap.
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 3000; i++) {
    const m = new Uint8Array(rnd() % 90);
    for (let k = 0; k < m.length; k++) m[k] = rnd();
    if (m.length) m[0] = i & 1 ? 1 : 3;
    if (m.length >= 8) { m.set([HOME >>> 24, (HOME >>> 16) & 255, (HOME >>> 8) & 255, HOME & 255], 4); }
    if (i & 1) fromMn(board, m); else fromHa(board, m);
  }
  assert.ok(board.counters().fa_request_rx > 0);
});
