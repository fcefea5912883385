// Multicast for Mobile IPv6 (seed 003 §10; issue 13 point 5): a home agent (router, home link eth0
// 2001:db8:1::/64, foreign link eth1 2001:db8:2::/64), a mobile node that roams to the foreign link, a host
// on the home link (a group's sender and listener) and one on the foreign link. Groups are joined with
// `ipv6Groups` (MLD, RFC 2710); away from home a group is joined through the home agent's tunnel (default)
// or on the visited link (`away: "local"`). The tunnel's AH is checked with test/lib/mip6.mjs's own HMAC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, udp6, eth, pkt6, Lan, ipv6Packet } from "../lib/ip6.mjs";
import { dstOpts, sealed, ahOk, mldMessage, BU_A, BU_H } from "../lib/mip6.mjs";

const HA = "2001:db8:1::1", HA_F = "2001:db8:2::1", HOME = "2001:db8:1::64", CN = "2001:db8:1::c", FN = "2001:db8:2::f";
const G = "ff0e::101", G2 = "ff0e::202", LINK_G = "ff02::1:3";
const KEY = "00112233445566778899aabbccddeeff00112233", ALG = "hmac-sha1-96";
const MN_MAC = "02:00:00:00:09:64", HA_MAC = "02:00:00:00:01:01", HA_MAC_F = "02:00:00:00:02:01";

/** Headers of IPv6 packet `p` up to the upper layer: { nh, at, ah (offset or -1), hao (16 bytes or null) }. */
function walk(p) {
  let nh = p[6], o = 40, ah = -1, hao = null, hbh = null;
  while ((nh === 0 || nh === 51 || nh === 60 || nh === 43) && o + 8 <= p.length) {
    const len = nh === 51 ? (p[o + 1] + 2) * 4 : (p[o + 1] + 1) * 8;
    if (nh === 51) ah = o;
    if (nh === 0) hbh = p.subarray(o, o + len);
    if (nh === 60) for (let i = o + 2; i < o + len;) { if (p[i] === 0) { i++; continue; } if (p[i] === 0xc9) hao = p.subarray(i + 2, i + 18); i += 2 + p[i + 1]; }
    nh = p[o]; o += len;
  }
  return { nh, at: o, ah, hao, hbh };
}
/** The packet inside an IPv6-in-IPv6 packet `p`, or null. */
function inner(p) { const w = walk(p); return w.nh === 41 ? p.subarray(w.at) : null; }
/** The MLD message of packet `p` ({ type, group, hlim, src, hbh }) or null. */
function mld(p) {
  const w = walk(p);
  if (w.nh !== 58 || p[w.at] < 130 || p[w.at] > 132) return null;
  return { type: p[w.at], group: fmt6(p.subarray(w.at + 8, w.at + 24)), hlim: p[7], src: fmt6(p.subarray(8, 24)), dst: fmt6(p.subarray(24, 40)), hbh: w.hbh };
}
const isUdpTo = (p, g) => p && walk(p).nh === 17 && fmt6(p.subarray(24, 40)) === g;
const sentOn = (b, from, iface) => b.cap.tx.slice(from).filter((t) => t.iface === iface).map((t) => pkt6(t.frame)).filter(Boolean);
const data = (s) => Uint8Array.from(Buffer.from(s));

function world({ away = "tunnel", mnGroups, haSa = {}, lifetimeSec, third = false } = {}) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const ha = startBoard({
    name: "ha", board: "emulated", roles: ["router", "home-agent"], node: { ipv6: "only", dadTransmits: 1, raIntervalMs: 3000 },
    interfaces: [{ name: "eth0", mac: HA_MAC, home: true }, { name: "eth1", mac: HA_MAC_F }, ...(third ? [{ name: "eth2", mac: "02:00:00:00:03:01" }] : [])],
    ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_F}/64`, advertise: true },
      ...(third ? [{ iface: "eth2", address: "2001:db8:3::1/64", advertise: true }] : [])],
    ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, ...haSa }],
  }, { now: () => clock.t });
  const mn = startBoard({
    name: "mn", board: "emulated", roles: ["mobile-node"], node: { ipv6: "only", dadTransmits: 1 },
    mobility: { ...(lifetimeSec ? { lifetimeSec } : {}) },
    interfaces: [{ name: "eth0", mac: MN_MAC }],
    ipv6: [{ iface: "eth0", address: `${HOME}/64`, home: true }],
    ipv6Groups: mnGroups ?? [{ iface: "eth0", group: G, ...(away === "tunnel" ? {} : { away }) }],
    ipsec: [{ peer: HA, spiIn: 0x2000, spiOut: 0x1000, algorithm: ALG, key: KEY, homeAgent: true }],
  }, { now: () => clock.t });
  const plain = (name, mac, addr) => startBoard({
    name, board: "emulated", roles: ["host"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac }], ipv6: [{ iface: "eth0", address: `${addr}/64` }],
    ipv6Groups: [{ iface: "eth0", group: G }],
  }, { now: () => clock.t });
  const cn = plain("cn", "02:00:00:00:01:0c", CN);
  const fn = plain("fn", "02:00:00:00:02:0f", FN);
  lan.attach(ha, 0, "home"); lan.attach(ha, 1, "foreign"); lan.attach(mn, 0, "foreign");
  if (third) lan.attach(ha, 2, "third"); lan.attach(cn, 0, "home"); lan.attach(fn, 0, "foreign");
  return { clock, lan, ha, mn, cn, fn };
}
const careOf = (w) => w.ha.board.dump("bindings6")[0]?.careOf;

test("§10 tunnel (default): the home agent queries down the new registration's tunnel, the mobile node answers with a Report through the reverse tunnel from its link-local address (hop limit 1, Router Alert), and a group packet on the home link reaches it through the tunnel under AH", () => {
  const w = world();
  const tx0 = w.mn.cap.tx.length;
  w.lan.run(6000);
  const h = w.ha.board.counters(), m = w.mn.board.counters();
  assert.equal(m.mip6_mn_registered, 1);
  assert.ok(h.mip6_ha_mc_query_tx >= 1, "a Query down the new registration's tunnel");
  assert.ok(m.mld6_query_rx >= 1, "the mobile node got it");
  assert.equal(h.mip6_ha_mc_joined, 1, "one membership");
  const g = w.ha.board.dump("groups6");
  assert.deepEqual(g.map((x) => [x.home, x.group]), [[HOME, G]]);
  assert.ok(g[0].expiresAtMs > w.clock.t + 250000 && g[0].expiresAtMs <= w.clock.t + 260000, "the Multicast Listener Interval (RFC 2710: 260 s)");
  // The Report as sent: [care-of -> home agent][AH][Home Address option][IPv6 fe80::.. -> G, hop limit 1][Hop-by-Hop: Router Alert 0][MLD 131 G].
  const reports = sentOn(w.mn, tx0, 0).filter((p) => fmt6(p.subarray(24, 40)) === HA && inner(p) && mld(inner(p)));
  assert.ok(reports.length >= 1, "a tunnelled Report");
  const r = reports[0], i = inner(r), x = mld(i);
  assert.equal(fmt6(r.subarray(8, 24)), careOf(w), "outer source: the care-of address");
  assert.equal(fmt6(walk(r).hao), HOME, "the Home Address option names the mobile node");
  assert.ok(ahOk(r, ALG, KEY), "AH under the mobile node's SA with its home agent (independent HMAC)");
  assert.equal(x.type, 131);
  assert.equal(x.group, G);
  assert.equal(x.dst, G, "RFC 2710 §3: a Report goes to its group");
  assert.equal(x.hlim, 1);
  assert.ok(x.src.startsWith("fe80::"), `link-local source, got ${x.src}`);
  assert.deepEqual([...x.hbh], [58, 0, 5, 2, 0, 0, 1, 0], "Hop-by-Hop header: Router Alert (MLD), PadN");
  assert.equal(sentOn(w.mn, tx0, 0).filter((p) => mld(p)).length, 0, "no Report on the visited link: the group is joined through the tunnel");
  // A group packet on the home link: down the tunnel (AH under the mobile node's SA), delivered to the mobile node.
  const ha0 = w.ha.cap.tx.length, d0 = w.mn.cap.delivered.length, nm = w.ha.board.counters().drop_ip6_not_member ?? 0;
  w.cn.board.output(udp6(ip6(CN), ip6(G), 5000, 6000, data("to the group")));
  w.lan.run(50);
  assert.equal(w.ha.board.counters().mip6_ha_mc_tunnelled, 1);
  assert.equal(w.ha.board.counters().drop_ip6_not_member ?? 0, nm, "used (tunnelled), not counted as a drop");
  const down = sentOn(w.ha, ha0, 1).filter((p) => inner(p) && isUdpTo(inner(p), G));
  assert.equal(down.length, 1, "one copy down the tunnel");
  assert.equal(fmt6(down[0].subarray(8, 24)), HA, "from the home agent's home address");
  assert.equal(fmt6(down[0].subarray(24, 40)), careOf(w));
  assert.ok(ahOk(down[0], ALG, KEY), "AH under the mobile node's SA");
  assert.equal(inner(down[0])[7], 63, "the home agent forwarded it: one hop spent");
  const got = w.mn.cap.delivered.slice(d0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G));
  assert.equal(got.length, 1, "the local stack has it");
  assert.equal(fmt6(got[0].subarray(8, 24)), CN);
  // The home agent sends nothing of it back onto the home link.
  assert.equal(sentOn(w.ha, ha0, 0).filter((p) => isUdpTo(p, G)).length, 0);
});

test("§10 MUST: away from home the mobile node's multicast from its home address goes through the tunnel and leaves the home agent on the home link with the home address as source; from the care-of address it goes on the visited link", () => {
  const w = world();
  w.lan.run(6000);
  const coa = careOf(w);
  const m0 = w.mn.cap.tx.length, h0 = w.ha.cap.tx.length, c0 = w.cn.cap.delivered.length;
  w.mn.board.output(udp6(ip6(HOME), ip6(G), 7000, 6000, data("from home")));
  w.lan.run(50);
  const out = sentOn(w.mn, m0, 0);
  const t = out.filter((p) => inner(p) && isUdpTo(inner(p), G));
  assert.equal(t.length, 1, "into the reverse tunnel");
  assert.equal(fmt6(t[0].subarray(24, 40)), HA);
  assert.equal(fmt6(inner(t[0]).subarray(8, 24)), HOME, "inner source: the home address");
  assert.ok(ahOk(t[0], ALG, KEY));
  assert.equal(out.filter((p) => isUdpTo(p, G)).length, 0, "not on the visited link");
  assert.equal(w.mn.board.counters().mip6_mn_mc_tunnelled >= 2, true, "(the Report and this packet)");
  assert.equal(w.ha.board.counters().mip6_ha_mc_forwarded, 1);
  const onHome = sentOn(w.ha, h0, 0).filter((p) => isUdpTo(p, G));
  assert.equal(onHome.length, 1, "on the home link");
  assert.equal(fmt6(onHome[0].subarray(8, 24)), HOME, "source: the home address (§10)");
  assert.equal(onHome[0][7], 63, "one hop spent");
  const got = w.cn.cap.delivered.slice(c0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G));
  assert.equal(got.length, 1, "the listener on the home link has it");
  // From the care-of address: straight on the visited link (§10 option 1); the foreign host, a member, has it.
  const m1 = w.mn.cap.tx.length, f0 = w.fn.cap.delivered.length;
  w.mn.board.output(udp6(ip6(coa), ip6(G), 7001, 6000, data("from the care-of address")));
  w.lan.run(50);
  const direct = sentOn(w.mn, m1, 0).filter((p) => isUdpTo(p, G));
  assert.equal(direct.length, 1);
  assert.equal(fmt6(direct[0].subarray(8, 24)), coa);
  assert.equal(w.fn.cap.delivered.slice(f0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G)).length, 1);
  assert.equal(w.ha.board.counters().mip6_ha_mc_forwarded, 1, "nothing more through the home agent");
});

test("§10 local: a group joined on the visited link: Reports there (link-local source, hop limit 1, Router Alert), Queries answered there, the home agent's Query not answered, the group's packets received there", () => {
  const w = world({ away: "local" });
  const tx0 = w.mn.cap.tx.length;
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1);
  const native = sentOn(w.mn, tx0, 0).map(mld).filter((x) => x && x.type === 131);
  assert.ok(native.length >= 1, "an unsolicited Report on the visited link");
  assert.equal(native[0].group, G);
  assert.equal(native[0].hlim, 1);
  assert.ok(native[0].src.startsWith("fe80::"));
  assert.deepEqual([...native[0].hbh], [58, 0, 5, 2, 0, 0, 1, 0]);
  assert.ok(w.ha.board.counters().mip6_ha_mc_query_tx >= 1, "the home agent queried");
  assert.ok(w.mn.board.counters().mld6_query_rx >= 1, "the Query came down the tunnel");
  assert.equal(sentOn(w.mn, tx0, 0).filter((p) => inner(p) && mld(inner(p))).length, 0, "no Report into the tunnel");
  assert.equal(w.mn.board.counters().mip6_mn_mc_tunnelled ?? 0, 0);
  assert.equal(w.ha.board.counters().mip6_ha_mc_joined ?? 0, 0, "so the group is not joined through the tunnel");
  assert.deepEqual(w.ha.board.dump("groups6"), []);
  // A local router's General Query (Maximum Response Delay 500 ms): a Report within it, on the link.
  const q = ipv6Packet(ip6("fe80::99"), ip6("ff02::1"), 0, Uint8Array.of(58, 0, 5, 2, 0, 0, 1, 0, ...mldMessage(ip6("fe80::99"), ip6("ff02::1"), 130, ip6("::"), 500)), 1);
  w.lan.run(11000); // past the second unsolicited Report
  const q0 = w.mn.cap.tx.length;
  w.mn.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), host.parseMac("02:00:00:00:02:99"), 0x86dd, q));
  w.lan.run(600);
  const answer = sentOn(w.mn, q0, 0).map(mld).filter((x) => x && x.type === 131);
  assert.equal(answer.length, 1, "one Report in answer");
  assert.equal(answer[0].group, G);
  // The group's packet from a sender on the visited link reaches the mobile node.
  const d0 = w.mn.cap.delivered.length;
  w.fn.board.output(udp6(ip6(FN), ip6(G), 5001, 6000, data("local group")));
  w.lan.run(50);
  assert.equal(w.mn.cap.delivered.slice(d0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G)).length, 1);
  // The home link's packet for the group does not come down the tunnel.
  w.cn.board.output(udp6(ip6(CN), ip6(G), 5002, 6000, data("home group")));
  w.lan.run(50);
  assert.equal(w.ha.board.counters().mip6_ha_mc_tunnelled ?? 0, 0);
});

test("the memberships go with the binding: de-registration back home (the mobile node then reports on the home link), and expiry of a binding nobody refreshes", () => {
  const w = world();
  w.lan.run(6000);
  assert.equal(w.ha.board.dump("groups6").length, 1);
  w.mn.board.link(0, false);
  w.lan.ports.find((p) => p.node === w.mn).segment = "home";
  w.mn.board.link(0, true);
  const tx0 = w.mn.cap.tx.length;
  w.lan.run(6000);
  assert.deepEqual(w.ha.board.dump("bindings6"), [], "de-registered");
  assert.deepEqual(w.ha.board.dump("groups6"), [], "its memberships went with it");
  assert.equal(w.ha.board.counters().mip6_ha_mc_left, 1);
  const home = sentOn(w.mn, tx0, 0).map(mld).filter((x) => x && x.type === 131 && x.group === G);
  assert.ok(home.length >= 1, "at home, a Report on the home link (a stationary node, §10)");
  const t0 = w.ha.board.counters().mip6_ha_mc_tunnelled, d0 = w.mn.cap.delivered.length;
  w.cn.board.output(udp6(ip6(CN), ip6(G), 5003, 6000, data("at home")));
  w.lan.run(50);
  assert.equal(w.ha.board.counters().mip6_ha_mc_tunnelled, t0, "nothing down a tunnel");
  assert.equal(w.mn.cap.delivered.slice(d0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G)).length, 1, "received on the home link");

  // Expiry: a mobile node registered for 8 s goes silent; binding and membership go together.
  const x = world({ lifetimeSec: 8 });
  x.lan.run(6000);
  assert.equal(x.ha.board.dump("groups6").length, 1);
  x.lan.filter = (frame, from) => from !== x.mn;
  x.lan.run(10000);
  assert.deepEqual(x.ha.board.dump("bindings6"), []);
  assert.deepEqual(x.ha.board.dump("groups6"), []);
  assert.equal(x.ha.board.counters().mip6_ha_mc_left, 1);
});

test("a move to another foreign link keeps the membership (the binding is the same): the group's packets follow the new care-of address", () => {
  const w = world({ third: true });
  w.lan.run(6000);
  const coa1 = careOf(w);
  w.mn.board.link(0, false);
  w.lan.ports.find((p) => p.node === w.mn).segment = "third";
  w.mn.board.link(0, true);
  w.lan.run(6000);
  const coa2 = careOf(w);
  assert.ok(coa2.startsWith("2001:db8:3:") && coa2 !== coa1, `registered from the new link, got ${coa2}`);
  assert.deepEqual(w.ha.board.dump("groups6").map((x) => [x.home, x.group]), [[HOME, G]]);
  assert.equal(w.ha.board.counters().mip6_ha_mc_joined, 1, "not joined again: the same membership");
  const h0 = w.ha.cap.tx.length, d0 = w.mn.cap.delivered.length;
  w.cn.board.output(udp6(ip6(CN), ip6(G), 5004, 6000, data("after the move")));
  w.lan.run(50);
  const down = sentOn(w.ha, h0, 2).filter((p) => inner(p) && isUdpTo(inner(p), G));
  assert.equal(down.length, 1);
  assert.equal(fmt6(down[0].subarray(24, 40)), coa2);
  assert.equal(w.mn.cap.delivered.slice(d0).map((p) => new Uint8Array(p)).filter((p) => isUdpTo(p, G)).length, 1);
});

test("RFC 2710 §4 on the tunnel: the home agent queries every 125 s and the mobile node's Reports keep the membership; one that stops reporting loses it after the Multicast Listener Interval while its binding lives on", () => {
  const w = world({ lifetimeSec: 600 });
  w.lan.run(6000);
  w.lan.run(130000, 10);
  const k = w.ha.board.counters();
  assert.ok(k.mip6_ha_mc_query_tx >= 2, "the periodic Query");
  assert.ok(w.mn.board.counters().mld6_report_tx >= 2, "answered");
  const g = w.ha.board.dump("groups6");
  assert.equal(g.length, 1);
  assert.ok(g[0].expiresAtMs > w.clock.t + 200000, "refreshed by the last Report");
  // The mobile node's Reports stop reaching the home agent (everything else does).
  w.lan.filter = (frame, from) => !(from === w.mn && pkt6(frame) && inner(pkt6(frame)) && mld(inner(pkt6(frame))));
  w.lan.run(400000, 10);
  assert.equal(w.ha.board.dump("bindings6").length, 1, "the binding is refreshed");
  assert.deepEqual(w.ha.board.dump("groups6"), [], "the membership is not");
  assert.equal(w.ha.board.counters().mip6_ha_mc_left, 1);
});

test("who may change the home agent's membership table: only Reports out of the registered mobile node's tunnel under its own AH; a plain tunnel the policy lets in, a wrong key, a Report on the home link, a link-scoped group and a malformed MLD message change nothing (counted)", () => {
  // The test plays the mobile node (test/lib/mip6.mjs's AH); the home agent's policy admits plain packets from it.
  const w = world({ haSa: { require: false } });
  w.lan.filter = (frame, from) => from !== w.mn; // the board mobile node stays silent: only the test's packets
  w.lan.run(3000);
  const COA = "2001:db8:2::c0a";
  let ahSeq = 0, buSeq = 0;
  const send = (pkt) => { w.ha.board.rx(1, eth(host.parseMac(HA_MAC_F), host.parseMac("02:00:00:00:02:0a"), 0x86dd, pkt)); w.lan.run(20); };
  const seal = (src, nh, body, key = KEY) => sealed(ip6(src), ip6(HA), nh, body, { spi: 0x1000, alg: ALG, key, seq: ++ahSeq });
  send(seal(COA, 60, dstOpts(59, [{ type: "HAO", home: ip6(HOME) }, { type: "BU", flags: BU_A | BU_H, seq: ++buSeq, lifetime: 600 }])));
  assert.equal(w.ha.board.dump("bindings6").length, 1, "registered");
  const ll = ip6("fe80::964");
  const report = (group, { type = 131, hlim = 1, src = ll, dst } = {}) => {
    const m = mldMessage(src, ip6(dst ?? group), type, ip6(group), 0);
    return ipv6Packet(src, ip6(dst ?? group), 0, Uint8Array.of(58, 0, 5, 2, 0, 0, 1, 0, ...m), hlim);
  };
  const tunnelled = (p) => new Uint8Array([...dstOpts(41, [{ type: "HAO", home: ip6(HOME) }]), ...p]);
  const k = () => w.ha.board.counters();
  // Plain (no AH): the policy lets the tunnel in, but not to change memberships.
  send(ipv6Packet(ip6(COA), ip6(HA), 60, tunnelled(report(G))));
  assert.equal(k().drop_mip6_mc_unauth, 1);
  // Sealed with a key that is not the mobile node's.
  send(seal(COA, 60, tunnelled(report(G)), "ffeeddccbbaa99887766554433221100ffeeddcc"));
  assert.equal(k().drop_ah_icv, 1);
  // On the home link, not through the tunnel: the home agent is no member (and no multicast router of the link).
  const nm = k().drop_ip6_not_member ?? 0;
  w.ha.board.rx(0, eth(host.parseMac("33:33:00:00:01:01"), host.parseMac("02:00:00:00:01:0c"), 0x86dd, report(G, { src: ip6("fe80::c") })));
  assert.equal(k().drop_ip6_not_member, nm + 1);
  // A link-scoped group, a Report with hop limit 2, one from a global source.
  send(seal(COA, 60, tunnelled(report(LINK_G))));
  assert.equal(k().drop_mip6_mc_scope, 1);
  send(seal(COA, 60, tunnelled(report(G, { hlim: 2 }))));
  send(seal(COA, 60, tunnelled(report(G, { src: ip6(HOME) }))));
  assert.equal(k().drop_mld6_malformed, 2);
  assert.deepEqual(w.ha.board.dump("groups6"), [], "nothing joined");
  assert.equal(k().mip6_ha_mc_joined ?? 0, 0);
  // The genuine one joins; its Done leaves.
  send(seal(COA, 60, tunnelled(report(G2))));
  assert.deepEqual(w.ha.board.dump("groups6").map((x) => [x.home, x.group]), [[HOME, G2]]);
  send(seal(COA, 60, tunnelled(report(G2, { type: 132, dst: "ff02::2" }))));
  assert.deepEqual(w.ha.board.dump("groups6"), []);
  assert.equal(k().mip6_ha_mc_joined, 1);
  assert.equal(k().mip6_ha_mc_left, 1);
});

test("RFC 2710 §4 on a plain host: two unsolicited Reports 10 s apart at start, a Query answered within its Maximum Response Delay, another listener's Report suppresses ours; bad MLD messages are counted", () => {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const h = startBoard({
    name: "h", board: "emulated", roles: ["host"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:0d" }], ipv6: [{ iface: "eth0", address: "2001:db8:1::d/64" }],
    ipv6Groups: [{ iface: "eth0", group: G }, { iface: "eth0", group: "ff02::1" }, { iface: "eth0", group: "ff01::5" }],
  }, { now: () => clock.t });
  lan.attach(h, 0, "l");
  const reportsNow = () => h.cap.tx.map((t) => pkt6(t.frame)).filter(Boolean).map(mld).filter((x) => x && x.type === 131);
  lan.run(9000);
  assert.equal(reportsNow().length, 1, "the first as soon as the link-local address is usable");
  lan.run(6000);
  const reports = reportsNow();
  assert.deepEqual(reports.map((x) => x.group), [G, G], "the second 10 s later; none for all-nodes or an interface-local group (RFC 2710 §5)");
  assert.ok(reports.every((x) => x.dst === G && x.hlim === 1 && x.src.startsWith("fe80::")));
  assert.equal(h.board.counters().mld6_report_tx, 2);
  const query = (group, delay) => ipv6Packet(ip6("fe80::1"), ip6(group === "::" ? "ff02::1" : group), 0,
    Uint8Array.of(58, 0, 5, 2, 0, 0, 1, 0, ...mldMessage(ip6("fe80::1"), ip6(group === "::" ? "ff02::1" : group), 130, ip6(group), delay)), 1);
  const rx = (p) => h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), host.parseMac("02:00:00:00:01:01"), 0x86dd, p));
  const t0 = h.cap.tx.length;
  rx(query("::", 1000));
  lan.run(1001);
  assert.equal(h.cap.tx.slice(t0).map((t) => pkt6(t.frame)).filter(Boolean).map(mld).filter((x) => x && x.type === 131).length, 1, "answered within 1 s");
  // Another listener's Report while our answer waits: ours is not sent.
  const t1 = h.cap.tx.length;
  rx(query(G, 10000));
  const other = ipv6Packet(ip6("fe80::2"), ip6(G), 0, Uint8Array.of(58, 0, 5, 2, 0, 0, 1, 0, ...mldMessage(ip6("fe80::2"), ip6(G), 131, ip6(G), 0)), 1);
  rx(other);
  lan.run(10001);
  assert.equal(h.cap.tx.slice(t1).map((t) => pkt6(t.frame)).filter(Boolean).map(mld).filter((x) => x && x.type === 131).length, 0, "suppressed");
  // Bad ones: hop limit 255, a global source, a Query for a unicast address; never a trap.
  const d0 = h.board.counters().drop_mld6_malformed ?? 0;
  rx(ipv6Packet(ip6("fe80::1"), ip6("ff02::1"), 58, mldMessage(ip6("fe80::1"), ip6("ff02::1"), 130, ip6("::"), 100), 255));
  rx(ipv6Packet(ip6("2001:db8:1::1"), ip6("ff02::1"), 58, mldMessage(ip6("2001:db8:1::1"), ip6("ff02::1"), 130, ip6("::"), 100), 1));
  rx(ipv6Packet(ip6("fe80::1"), ip6("ff02::1"), 58, mldMessage(ip6("fe80::1"), ip6("ff02::1"), 130, ip6("2001:db8::1"), 100), 1));
  assert.equal(h.board.counters().drop_mld6_malformed - d0, 3);
  // A short one fails the ICMPv6 checksum or length first.
  rx(ipv6Packet(ip6("fe80::1"), ip6("ff02::1"), 58, mldMessage(ip6("fe80::1"), ip6("ff02::1"), 130, ip6("::"), 100).subarray(0, 12), 1));
  lan.run(100);
});

test("ipv6Groups: a group must be a multicast address (both hosts' schema), at most 8", () => {
  const base = { name: "x", board: "emulated", roles: ["host"], node: { ipv6: "only" }, interfaces: [{ name: "eth0", mac: "02:00:00:00:01:0e" }] };
  assert.throws(() => host.validateConfig({ ...base, ipv6Groups: [{ iface: "eth0", group: "2001:db8::1" }] }),
    /config\.ipv6Groups\[0\]\.group: expected an IPv6 multicast address \(ff00::\/8\) like ff0e::101, got "2001:db8::1"/);
  assert.throws(() => host.validateConfig({ ...base, ipv6Groups: [{ iface: "eth1", group: G }] }), /ipv6Groups\[0\]\.iface/);
  assert.throws(() => host.validateConfig({ ...base, ipv6Groups: Array.from({ length: 9 }, (_, i) => ({ iface: "eth0", group: `ff0e::${i + 1}` })) }), /ipv6Groups/);
  const ok = host.validateConfig({ ...base, ipv6Groups: [{ iface: "eth0", group: G, away: "local" }] });
  assert.deepEqual(ok.ipv6Groups.map((x) => [x.iface, fmt6(Uint8Array.from(x.group)), x.away]), [["eth0", G, "local"]]);
});

test("scenarios/mip6-multicast.json: a group stream from the home link follows the roaming ESP32 station through the home agent's tunnel to two foreign networks and back home", async () => {
  const { readFileSync } = await import("node:fs");
  const { firmware } = await import("./helpers.mjs");
  const raw = JSON.parse(readFileSync(new URL("../../scenarios/mip6-multicast.json", import.meta.url), "utf8"));
  const sim = new host.Simulation(host.validateScenario(raw), firmware, {});
  sim.run();
  const ha = sim.nodes.find((n) => n.name === "ha").board.counters();
  const s = sim.nodes.find((n) => n.name === "s").board.counters();
  const sum = sim.summary();
  sim.close();
  const flow = sum.flows.find((f) => f.name === "group-to-station");
  // 1,100 datagrams over 55 s, ~27 s of them away from home: only the four handoffs' gaps are lost.
  assert.ok(flow.received >= 1000, `${flow.received} of ${flow.sent}`);
  assert.equal(ha.mip6_ha_mc_joined, 1, "joined through the tunnel once (the moves keep the binding)");
  assert.equal(ha.mip6_ha_mc_left, 1, "left with the de-registration");
  assert.ok(ha.mip6_ha_mc_tunnelled >= 500, `${ha.mip6_ha_mc_tunnelled} down the tunnel`);
  assert.equal(s.mip6_mn_mc_tunnelled, 1, "one Report through the tunnel");
});
