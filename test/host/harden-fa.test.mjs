// Foreign agent hardening (issue 7, points 2, 7, 10 and 16 on the agent's side; assembly/mobility/fa.ts):
// replies accepted only from where the request went, a second node's request never displacing the
// visitor nor another node's pending request, ICMP errors matched to the relayed datagram, delivery
// bounded by the visitor's lifetime, and reverse tunnelling (RFC 3024) in both registration profiles.
// One board plays the agent between a wireless link (wlan0, advertising) and a core link (eth0,
// default route to 10.1.0.1), as in mip-fa.test.mjs; the home agent's messages are hand-made.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, icmpErrorPacket } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const MN_MAC = host.mac("02:00:00:00:0a:99"), ATK_MAC = host.mac("02:00:00:00:0a:66");
const RTR_MAC = host.mac("02:00:00:00:0b:fe");
const FA_IP = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1");
const HA = ip("10.8.0.1"), HOME = ip("10.8.0.5"), CN = ip("10.9.0.7"), ATK_IP = ip("10.0.32.66");
const MH = { spi: 0x1001, key: te.encode("mn-ha"), algorithm: "hmac-md5" };
const ID = 0xeb00000012345678n, ID2 = 0xeb000000aaaa0001n, ID3 = 0xeb0000010000beefn;
const REQ_T = 0x02, REQ_P = 0x02, REQ_R = 0x01, REQ_V = 0x04, MA_T = 0x0100;

const faJson = (mobility = {}) => ({
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, ...mobility },
  securityAssociations: [],
  sizes: { visitors: 8 },
});

const get16 = (b, o) => (b[o] << 8) | b[o + 1];
const get32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Start the agent; the core router's MAC is learned first so relays leave at once. */
function start(mobility = {}, now = () => 0) {
  const r = startBoard(faJson(mobility), { now });
  r.board.rx(1, host.arpFrame(1, RTR_MAC, RTR, new Uint8Array(6), FA_CORE));
  r.cap.tx.length = 0;
  r.cap.events.length = 0;
  return r;
}

function request({ flags = 0, lifetimeSec = 300, id = ID } = {}) {
  const m = host.buildRegRequest({ flags, lifetimeSec, home: HOME, homeAgent: HA, careOf: FA_IP, id });
  return host.appendAuth(m, host.EXT_MH_AUTH, MH);
}

function reply({ code = 0, lifetimeSec = 300, id = ID } = {}) {
  return host.appendAuth(host.buildRegReply({ code, lifetimeSec, home: HOME, homeAgent: HA, id }), host.EXT_MH_AUTH, MH);
}

/** A node on wlan0 sends a request from `mac` (source address the home address, UDP 434). */
const fromMn = (board, msg, mac = MN_MAC) =>
  board.rx(0, host.ethFrame(WLAN_MAC, mac, 0x0800, host.buildUdp(HOME, FA_IP, 434, 434, msg, 1, 64)));

/** A reply arrives: by default the home agent's, on eth0 through the router, 434 -> 434 to our care-of address. */
function fromHa(board, msg, { iface = 1, src = HA, sport = 434, dst = FA_IP, mac = RTR_MAC } = {}) {
  const pkt = host.buildUdp(src, dst, sport, 434, msg, 2, 60);
  return board.rx(iface, host.ethFrame(iface === 0 ? WLAN_MAC : CORE_MAC, mac, 0x0800, pkt));
}

/** UDP frames sent, with addressing and payload. */
function udpSent(cap) {
  const out = [];
  for (const { iface, frame: f } of cap.tx) {
    if (f.length < 42 || get16(f, 12) !== 0x0800 || f[23] !== 17) continue;
    const b = f.subarray(14);
    const ihl = (b[0] & 15) * 4;
    const u = b.subarray(ihl);
    out.push({ iface, dstMac: f.slice(0, 6), src: get32(b, 12), dst: get32(b, 16), sport: get16(u, 0), dport: get16(u, 2), payload: u.slice(8, get16(u, 4)), ip: b.slice(0, get16(b, 2)) });
  }
  return out;
}

/** Replies relayed to nodes on wlan0: [mac, code, id]. */
const repliesToMn = (cap) => udpSent(cap).filter((x) => x.iface === 0 && x.payload[0] === 3)
  .map((x) => { const r = host.parseRegReply(x.payload); return [host.formatMac(x.dstMac), r.code, r.id]; });

/** The relayed requests on eth0 (IPv4 datagrams). */
const relays = (cap) => udpSent(cap).filter((x) => x.iface === 1 && x.payload[0] === 1);

/** Register HOME from MN_MAC and have the home agent accept it. */
function register(board, cap, { lifetimeSec = 300, flags = 0, id = ID } = {}) {
  fromMn(board, request({ lifetimeSec, flags, id }));
  assert.equal(relays(cap).length, 1, "relayed");
  fromHa(board, reply({ lifetimeSec, id }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, id]]);
  cap.tx.length = 0;
}

/** A datagram from CN to `dst` (UDP, TTL `ttl`). */
const datagram = (dst = HOME, ttl = 30, src = CN) => host.buildUdp(src, dst, 7000, 7001, te.encode("payload"), 99, ttl);

/** The home agent tunnels a datagram for HOME to our care-of address (IP in IP, RFC 2003). */
function tunnelled(board) {
  const inner = datagram(HOME, 30);
  const outer = new Uint8Array(20 + inner.length);
  outer.set(inner, 20);
  host.writeIpv4Header(outer, outer.length, 4, HA, FA_IP, 5, 50);
  return board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, outer));
}

/** MACs that frames to HOME went to (delivery by the visitor list). */
const deliveredTo = (cap) => cap.tx.filter((x) => x.iface === 0 && get16(x.frame, 12) === 0x0800 && get32(x.frame, 30) === HOME)
  .map((x) => host.formatMac(x.frame.subarray(0, 6)));

const visitor = (board) => board.dump("visitors").map((v) => ({ mac: v.mac, state: v.state }));

// ---- 7.2: replies only from the home agent; a second node never takes over ---------------------

test("issue 7.2: forged replies (wrong source, port, interface, identification) never move a registered visitor to the attacker", () => {
  const forged = [
    ["wrong source", { src: ip("10.1.0.99") }, "drop_fa_reply_source"],
    ["wrong source port", { sport: 4434 }, "drop_fa_reply_source"],
    ["wrong interface: from the visitor link", { iface: 0, mac: ATK_MAC }, "drop_fa_reply_source"],
    ["wrong destination", { dst: FA_CORE }, "drop_fa_reply_source"],
    ["wrong identification", { id: ID2 + 1n }, "drop_fa_reply_unmatched"],
  ];
  for (const [name, how, counter] of forged) {
    const { board, cap } = start();
    register(board, cap);
    // The attacker re-registers the victim's home address from its own MAC (relayed: the agent
    // cannot check the mobile-home authenticator) and forges the acceptance.
    fromMn(board, request({ id: ID2 }), ATK_MAC);
    assert.equal(relays(cap).length, 1, `${name}: the attacker's request is relayed`);
    cap.tx.length = 0;
    const { id = ID2, ...where } = how;
    fromHa(board, reply({ id }), where);
    assert.deepEqual(repliesToMn(cap), [], `${name}: nothing relayed to the attacker`);
    assert.equal(board.counters()[counter], 1, `${name}: ${counter}`);
    assert.deepEqual(visitor(board), [{ mac: host.formatMac(MN_MAC), state: 3 }], `${name}: the victim stays accepted`);
    // The victim's tunnelled traffic still goes to the victim.
    tunnelled(board);
    board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
    assert.deepEqual(deliveredTo(cap), [host.formatMac(MN_MAC), host.formatMac(MN_MAC)], `${name}: delivered to the victim`);
    // The home agent's real answer to the attacker (131: it failed authentication) is relayed to
    // the attacker and ends its pending request; the victim is untouched.
    cap.tx.length = 0;
    fromHa(board, reply({ code: 131, id: ID2 }));
    assert.deepEqual(repliesToMn(cap), [[host.formatMac(ATK_MAC), 131, ID2]]);
    assert.deepEqual(visitor(board), [{ mac: host.formatMac(MN_MAC), state: 2 }]);
  }
});

test("issue 7.2: a request from another MAC with the pending request's Identification is discarded; the reply goes to the first node", () => {
  for (const registered of [false, true]) {
    const { board, cap } = start();
    const id = registered ? ID3 : ID;
    if (registered) register(board, cap);
    fromMn(board, request({ id }));
    assert.equal(relays(cap).length, 1);
    cap.tx.length = 0;
    // The attacker saw the request on the link and copies its Identification.
    fromMn(board, request({ id }), ATK_MAC);
    assert.equal(relays(cap).length, 0, "not relayed");
    assert.equal(board.counters().drop_fa_pending_conflict, 1);
    fromHa(board, reply({ id }));
    assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, id]], "the home agent's acceptance reaches the node that asked");
    assert.deepEqual(visitor(board), [{ mac: host.formatMac(MN_MAC), state: 2 }]);
    cap.tx.length = 0;
    tunnelled(board);
    assert.deepEqual(deliveredTo(cap), [host.formatMac(MN_MAC)]);
  }
});

test("issue 7.2: a flood of other requests does not make the agent forget a request, so a later copy from another MAC cannot take its acceptance", () => {
  // Found by the invariant fuzzer (2 million frames, fa-copy): the agent kept the requests it saw in a
  // ring of 128; an attacker on the link pushed the victim's request out with others, had the victim's
  // pending slot displaced by two requests of its own, then sent a verbatim copy that took the home
  // agent's acceptance of the original.
  const { board, cap } = start();
  fromMn(board, request({ id: ID }));
  assert.equal(relays(cap).length, 1, "the victim's request is relayed");
  // 400 requests for other home addresses from other MACs (each one a new Identification).
  for (let i = 0; i < 400; i++) {
    const home = ip("10.8.1.0") + i;
    const m = host.appendAuth(host.buildRegRequest({ lifetimeSec: 300, home, homeAgent: HA, careOf: FA_IP, id: 0xeb00000200000000n + BigInt(i) }), host.EXT_MH_AUTH, MH);
    board.rx(0, host.ethFrame(WLAN_MAC, host.mac(`02:00:00:01:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`), 0x0800, host.buildUdp(home, FA_IP, 434, 434, m, 1, 64)));
  }
  // Two requests of the attacker's for the victim's home address: the victim's pending slot gives way.
  fromMn(board, request({ id: ID2 }), ATK_MAC);
  fromMn(board, request({ id: ID3 }), host.mac("02:00:00:00:0a:67"));
  cap.tx.length = 0;
  const conflicts = board.counters().drop_fa_pending_conflict;
  // The verbatim copy from a third MAC is discarded, not relayed.
  const ATK3 = host.mac("02:00:00:00:0a:68");
  fromMn(board, request({ id: ID }), ATK3);
  assert.equal(relays(cap).length, 0, "the copy is not relayed");
  assert.equal(board.counters().drop_fa_pending_conflict, conflicts + 1);
  // The home agent's acceptance of the victim's original request gives the copier nothing.
  fromHa(board, reply({ id: ID }));
  assert.ok(!repliesToMn(cap).some(([mac]) => mac === host.formatMac(ATK3)), "no reply to the copier");
  assert.ok(!board.dump("visitors").some((v) => v.mac === host.formatMac(ATK3) && (v.state & 2)), "the copier is not an accepted visitor");
  tunnelled(board);
  assert.ok(!deliveredTo(cap).includes(host.formatMac(ATK3)), "nothing for the victim's home address reaches the copier");
});

test("issue 7.2: a node's unchanged retransmission (nonces, RFC 2002 §3.6.3) is relayed again from its own MAC only", () => {
  const { board, cap } = start();
  fromMn(board, request({ id: ID }));
  fromMn(board, request({ id: ID }));
  assert.equal(relays(cap).length, 2, "relayed twice: the node retransmitted");
  fromMn(board, request({ id: ID }), ATK_MAC);
  assert.equal(relays(cap).length, 2, "the same Identification from another MAC is not");
  fromHa(board, reply({ id: ID }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, ID]]);
});

test("issue 7.2: two nodes' pending requests for one home address are both kept until the home agent's replies decide", () => {
  const { board, cap } = start();
  register(board, cap);
  fromMn(board, request({ id: ID3 }));                 // the victim re-registers
  fromMn(board, request({ id: ID2 }), ATK_MAC);        // the attacker asks for the same home address
  assert.equal(relays(cap).length, 2);
  cap.tx.length = 0;
  assert.deepEqual(board.dump("visitors").map((v) => [v.state, v.mac, v.identification]), [[3, host.formatMac(MN_MAC), ID2]],
    "the registration in force is shown, the latest request's identification");
  fromHa(board, reply({ id: ID3, lifetimeSec: 200 }));
  fromHa(board, reply({ id: ID2, code: 131 }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, ID3], [host.formatMac(ATK_MAC), 131, ID2]]);
  assert.deepEqual(board.dump("visitors").map((v) => [v.state, v.mac, v.lifetimeSec, v.identification]), [[2, host.formatMac(MN_MAC), 200, ID3]]);
  // A third node cannot push the registered node's own re-registration out.
  cap.tx.length = 0;
  fromMn(board, request({ id: ID3 + 1n }));
  fromMn(board, request({ id: ID2 + 1n }), ATK_MAC);
  fromMn(board, request({ id: ID2 + 2n }), host.mac("02:00:00:00:0a:65"));
  fromHa(board, reply({ id: ID3 + 1n }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, ID3 + 1n]]);
});

test("issue 7.2 (correct behaviour kept): when the home agent really accepts the other node's request, its MAC takes over", () => {
  const { board, cap } = start();
  register(board, cap);
  fromMn(board, request({ id: ID2 }), ATK_MAC);
  cap.tx.length = 0;
  fromHa(board, reply({ id: ID2 }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(ATK_MAC), 0, ID2]]);
  assert.deepEqual(visitor(board), [{ mac: host.formatMac(ATK_MAC), state: 2 }]);
  cap.tx.length = 0;
  tunnelled(board);
  assert.deepEqual(deliveredTo(cap), [host.formatMac(ATK_MAC)]);
});

test("issue 7.2: a request to a directed-broadcast home agent: only a 136 naming its sender may come from another address", () => {
  const BCAST = ip("10.8.0.255");
  const req = (id) => host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: HOME, homeAgent: BCAST, careOf: FA_IP, id }), host.EXT_MH_AUTH, MH);
  const rep = (code, homeAgent, id) => host.appendAuth(host.buildRegReply({ code, lifetimeSec: 300, home: HOME, homeAgent, id }), host.EXT_MH_AUTH, MH);
  const { board, cap } = start();
  fromMn(board, req(ID));
  assert.equal(relays(cap)[0].dst, BCAST);
  cap.tx.length = 0;
  // An acceptance from the unicast home agent does not answer a request sent to the broadcast.
  fromHa(board, rep(0, HA, ID));
  // Nor a 136 whose Home Agent field is not its sender.
  fromHa(board, rep(136, ip("10.8.0.9"), ID));
  assert.deepEqual(repliesToMn(cap), []);
  assert.equal(board.counters().drop_fa_reply_source, 2);
  // RFC 2002 §3.6.1.2: the home agent denies with 136 from, and naming, its own address.
  fromHa(board, rep(136, HA, ID));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 136, ID]]);
  assert.deepEqual(board.dump("visitors"), []);
});

// ---- 7.7: ICMP errors must quote what the agent relayed ----------------------------------------

/** An ICMP error (`type`, `code`) from `src` quoting `quoted`, received on `iface`. */
function icmpError(type, code, quoted, { iface = 1, src = RTR, mac = RTR_MAC } = {}) {
  return [iface, host.ethFrame(iface === 0 ? WLAN_MAC : CORE_MAC, mac, 0x0800, icmpErrorPacket(type, code, quoted, src, FA_IP))];
}

test("issue 7.7: a forged ICMP error quoting an invented datagram leaves pending registrations alone; the real relayed request's error ends it", () => {
  const { board, cap } = start();
  fromMn(board, request());
  const [rel] = relays(cap);
  cap.tx.length = 0;
  // An invented UDP 434 -> 434 datagram from our care-of address to the home agent (IP
  // Identification not the relayed one's).
  const invented = rel.ip.slice(0, 28);
  invented[4] ^= 0x5a; invented[5] ^= 0xa5;
  invented[10] = 0; invented[11] = 0;
  const c = host.checksum(invented, 0, 20); invented[10] = c >> 8; invented[11] = c & 255;
  board.rx(...icmpError(3, 3, invented));
  // The real quote, but arriving from the visitor link rather than the link the request left by.
  board.rx(...icmpError(3, 3, rel.ip.subarray(0, 28), { iface: 0, src: ATK_IP, mac: ATK_MAC }));
  assert.deepEqual(repliesToMn(cap), [], "no denial sent");
  assert.deepEqual(visitor(board), [{ mac: host.formatMac(MN_MAC), state: 1 }], "still pending");
  assert.equal(board.counters().fa_icmp_error, 0);
  // The home agent's reply still completes the registration.
  fromHa(board, reply());
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, ID]]);
  // An error quoting the relayed datagram itself, from the link it left by, ends that request.
  const r = start();
  fromMn(r.board, request());
  const [rel2] = relays(r.cap);
  r.cap.tx.length = 0;
  r.board.rx(...icmpError(3, 3, rel2.ip.subarray(0, 28)));
  assert.deepEqual(repliesToMn(r.cap), [[host.formatMac(MN_MAC), 82, ID]], "port unreachable -> 82");
  assert.deepEqual(visitor(r.board), []);
  assert.equal(r.board.counters().fa_icmp_error, 1);
});

// ---- 7.10: deregistration and expiry -----------------------------------------------------------

test("issue 7.10: a deregistration the home agent accepts removes the visitor even when the reply carries a non-zero lifetime", () => {
  const { board, cap } = start();
  register(board, cap);
  fromMn(board, request({ lifetimeSec: 0, id: ID3 }));
  fromHa(board, reply({ lifetimeSec: 300, id: ID3 }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 0, ID3]]);
  assert.deepEqual(board.dump("visitors"), [], "removed at once, not accepted for 0 s");
  cap.tx.length = 0;
  tunnelled(board);
  assert.deepEqual(deliveredTo(cap), []);
});

test("issue 7.10: delivery checks the visitor's expiry before its timer is served; the lifetime is min(requested, granted)", () => {
  let t = 0;
  const { board, cap } = start({}, () => t);
  fromMn(board, request({ lifetimeSec: 60 }));
  fromHa(board, reply({ lifetimeSec: 90 }));          // more than requested: the requested 60 s hold
  assert.equal(board.dump("visitors")[0].lifetimeSec, 60);
  cap.tx.length = 0;
  t = 59999;
  tunnelled(board);
  assert.deepEqual(deliveredTo(cap), [host.formatMac(MN_MAC)]);
  cap.tx.length = 0;
  t = 60000;                                           // expired; no tick has run yet
  tunnelled(board);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, datagram()));
  assert.deepEqual(cap.tx.filter((x) => get16(x.frame, 12) === 0x0800), [], "neither delivered nor routed");
  assert.equal(board.counters().drop_fa_visitor_expired, 2);
  assert.equal(board.counters().fa_delivered, 1);
});

// ---- 7.16: reverse tunnelling (RFC 3024) -------------------------------------------------------

/** Advertisement flags the agent sends on wlan0 in answer to a solicitation. */
function advertFlags(board, cap) {
  cap.tx.length = 0;
  const rs = new Uint8Array(28); rs[20] = 10;
  const c = host.checksum(rs, 20, 8); rs[22] = c >> 8; rs[23] = c & 255;
  host.writeIpv4Header(rs, 28, 1, HOME, ip("224.0.0.2"), 1, 1);
  board.rx(0, host.ethFrame(Uint8Array.of(1, 0, 0x5e, 0, 0, 2), MN_MAC, 0x0800, rs));
  return host.parseAgentAdvert(cap.tx[0].frame.subarray(34)).flags;
}

/** The visitor (or `mac`) sends a datagram from its home address to CN through the agent. */
const fromVisitor = (board, mac = MN_MAC, ttl = 20) => board.rx(0, host.ethFrame(WLAN_MAC, mac, 0x0800, datagram(CN, ttl, HOME)));

/** What left on eth0 for the visitor's datagram: "tunnel" (checked IP in IP to the home agent) or "plain". */
function visitorOut(cap) {
  const out = cap.tx.filter((x) => x.iface === 1 && get16(x.frame, 12) === 0x0800);
  assert.equal(out.length, 1, "one datagram out");
  const f = out[0].frame;
  assert.deepEqual(f.subarray(0, 6), RTR_MAC);
  const b = f.subarray(14);
  if (b[9] === 4) {
    assert.equal(get32(b, 12), FA_IP, "outer source: the care-of address");
    assert.equal(get32(b, 16), HA, "outer destination: the home agent");
    assert.equal(host.checksum(b, 0, 20), 0);
    const inner = b.subarray(20);
    assert.equal(get32(inner, 12), HOME, "inner source: the home address");
    assert.equal(get32(inner, 16), CN);
    assert.equal(inner[8], 19, "inner TTL decremented once");
    assert.equal(host.checksum(inner, 0, 20), 0);
    return "tunnel";
  }
  assert.equal(get32(b, 12), HOME);
  assert.equal(get32(b, 16), CN);
  return "plain";
}

test("issue 7.16: advertisements carry T only from an rfc3344 agent that offers reverse tunnelling", () => {
  const cases = [
    [{ reverseTunnel: true, registrationProfile: "rfc3344" }, MA_T],
    [{ reverseTunnel: false, registrationProfile: "rfc3344" }, 0],
    [{ reverseTunnel: true, registrationProfile: "seeds" }, 0],
    [{ reverseTunnel: true }, 0],
  ];
  for (const [mobility, t] of cases) {
    const { board, cap } = start(mobility);
    const flags = advertFlags(board, cap);
    assert.equal(flags & MA_T, t, JSON.stringify(mobility));
    assert.equal(flags & (host.MA_F | host.MA_R), host.MA_F | host.MA_R);
  }
});

test("issue 7.16: rfc3344 with reverse tunnelling: a visitor accepted with T is reverse-tunnelled to its home agent, only from its MAC", () => {
  const { board, cap } = start({ reverseTunnel: true, registrationProfile: "rfc3344" });
  register(board, cap, { flags: REQ_T });
  fromVisitor(board);
  assert.equal(visitorOut(cap), "tunnel");
  assert.equal(board.counters().fa_reverse_tunnelled, 1);
  // The home address from another MAC is not the visitor: routed as before, never into the tunnel.
  cap.tx.length = 0;
  fromVisitor(board, ATK_MAC);
  assert.equal(visitorOut(cap), "plain");
  assert.equal(board.counters().fa_reverse_tunnelled, 1);
  // Without T (the agent offers, the node did not ask) the visitor is routed plainly.
  const r = start({ reverseTunnel: true, registrationProfile: "rfc3344" });
  register(r.board, r.cap);
  fromVisitor(r.board);
  assert.equal(visitorOut(r.cap), "plain");
});

test("issue 7.16: rfc3344 without reverse tunnelling: a request with T is denied with 74", () => {
  const { board, cap } = start({ registrationProfile: "rfc3344" });
  fromMn(board, request({ flags: REQ_T }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 74, ID]]);
  assert.equal(relays(cap).length, 0);
  assert.deepEqual(board.dump("visitors"), []);
});

test("issue 7.16: seeds profile: reverseTunnel tunnels every visitor; 0x02 is P, never T; without it visitors are routed plainly", () => {
  {
    const { board, cap } = start({ reverseTunnel: true });
    register(board, cap);
    fromVisitor(board);
    assert.equal(visitorOut(cap), "tunnel");
  }
  {
    // 0x02 (P) to an agent without reverse tunnelling: relayed, accepted, routed plainly (not 74).
    const { board, cap } = start();
    register(board, cap, { flags: REQ_P });
    fromVisitor(board);
    assert.equal(visitorOut(cap), "plain");
    assert.equal(board.counters().fa_reverse_tunnelled, 0);
  }
});

test("issue 7.16: the agent never misreads 0x01 (R in seeds, reserved in rfc3344) nor, in rfc3344, 0x04 (reserved r, not V)", () => {
  for (const [mobility, flags] of [
    [{ registrationProfile: "rfc3344" }, REQ_R],
    [{ registrationProfile: "rfc3344" }, REQ_R | REQ_V],
    [{ registrationProfile: "rfc3344", reverseTunnel: true }, REQ_R],
    [{}, REQ_R],
  ]) {
    const { board, cap } = start(mobility);
    register(board, cap, { flags });
    assert.equal(board.dump("visitors")[0].requestFlags, flags);
    fromVisitor(board);
    assert.equal(visitorOut(cap), "plain", JSON.stringify([mobility, flags]));
  }
  // In seeds 0x04 is still V: 73.
  const { board, cap } = start();
  fromMn(board, request({ flags: REQ_V }));
  assert.deepEqual(repliesToMn(cap), [[host.formatMac(MN_MAC), 73, ID]]);
});
