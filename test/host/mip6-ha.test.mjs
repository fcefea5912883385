// Mobile IPv6 home agent (seed 003 §8; issue 13 point 3): a board as router and home agent between its home
// link (eth0, 2001:db8:1::/64) and a foreign link (eth1, 2001:db8:2::/64). The test plays the mobile node
// (its AH from test/lib/mip6.mjs) on the foreign link; plain boards are a correspondent on the home link and
// the care-of address's neighbour on the foreign link.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { mip6Links } from "./mip6-fixture.mjs";
import { ip6, fmt6, echo6, udp6, eth, pkt6, Lan, icmp6Of, icmp6Packet, ipv6Packet } from "../lib/ip6.mjs";
import { dstOpts, parseOpts, baFields, sealed, ahOk, ahInfo, OPT, BU_A, BU_H } from "../lib/mip6.mjs";

const HA = "2001:db8:1::1", HA_F = "2001:db8:2::1", HOME = "2001:db8:1::64", COA = "2001:db8:2::c0a", CN = "2001:db8:1::c";
const ANYCAST = "2001:db8:1::fdff:ffff:ffff:fffe";
const OFF_HOME = "2001:db8:9::64"; // not on any prefix of the home agent
const HA_MAC = "02:00:00:00:01:01", HA_MAC_F = "02:00:00:00:02:01";
const KEY = "00112233445566778899aabbccddeeff00112233", ALG = "hmac-sha1-96";

function setup({ only = false, extra = {} } = {}) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const ha = startBoard({
    name: "ha", board: "emulated", roles: ["router", "home-agent"], node: { ipv6: only ? "only" : "dual", dadTransmits: 1 },
    interfaces: only ? [{ name: "eth0", mac: HA_MAC, home: true }, { name: "eth1", mac: HA_MAC_F }]
      : [{ name: "eth0", mac: HA_MAC, ipv4: "10.0.1.1/24", home: true }, { name: "eth1", mac: HA_MAC_F, ipv4: "10.0.2.1/24" }],
    ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_F}/64`, advertise: true }],
    ipsec: [
      { peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64 },
      { peer: OFF_HOME, spiIn: 0x3000, spiOut: 0x4000, algorithm: ALG, key: KEY, window: 64 },
    ],
    ...extra,
  }, { now: () => clock.t });
  const { cn, m, send, sent } = mip6Links(ha, lan, clock, { cn: CN, coa: COA });
  let seq = 0;
  const c = () => ha.board.counters();
  const bu = ({ flags = BU_A | BU_H, buSeq = ++seq, lifetime = 600, home = HOME, dst = HA, idLen = 0, spi = 0x1000 } = {}) =>
    sealed(ip6(COA), ip6(dst), 60, dstOpts(59, [{ type: "HAO", home: ip6(home) }, { type: "BU", flags, seq: buSeq, lifetime, idLen }]), { spi, alg: ALG, key: KEY, seq: 100 + buSeq });
  const bas = (from) => sent(from, 1).filter((p) => ahInfo(p).spi === 0x2000 || ahInfo(p).spi === 0x4000).map((p) => {
    const o = parseOpts(p, ahInfo(p).at + 24).find((x) => x.type === OPT.BA);
    return o ? { pkt: p, ba: baFields(o.data) } : null;
  }).filter(Boolean);
  return { ha, cn, m, lan, clock, c, send, bu, sent, bas };
}

/** Gratuitous Neighbor Advertisements the home agent sent on the home link since `from`: their targets. */
function gratuitous(t, from) {
  return t.sent(from, 0).filter((p) => p[6] === 58 && p[40] === 136 && fmt6(p.subarray(24, 40)) === "ff02::1").map((p) => ({
    target: fmt6(p.subarray(48, 64)), override: (p[44] & 0x20) !== 0, solicited: (p[44] & 0x40) !== 0,
    tlla: p.length >= 72 && p[64] === 2 ? host.formatMac(p.subarray(66, 72)) : null,
  }));
}

/** Echo from the correspondent to the home address; what the home agent sent on the foreign link. */
function pingHome(t, seqNo) {
  const from = t.ha.cap.tx.length;
  t.cn.board.output(echo6(ip6(CN), ip6(HOME), 3, seqNo));
  t.lan.run(50);
  // The tunnel's outer packets carry AH under the mobile node's SA (ha6.ts): [IPv6][AH][IPv6 ...].
  return t.sent(from, 1).filter((p) => p[6] === 41 || (p[6] === 51 && p[40] === 41));
}
/** The inner packet of a tunnelled one. */
const innerOf = (p) => p.subarray(p[6] === 51 ? 40 + 24 : 40);

test("§8.2: a home registration is accepted, advertised on the home link 1 + MAX_ADVERT_REXMIT times, and answered for; §8.4 intercepted packets are tunnelled to the care-of address", () => {
  const t = setup();
  const from = t.ha.cap.tx.length;
  t.send(t.bu());
  const acks = t.bas(from);
  assert.equal(acks.length, 1);
  assert.equal(acks[0].ba.status, 0);
  assert.equal(acks[0].ba.seq, 1);
  assert.ok(acks[0].ba.lifetime > 0 && acks[0].ba.lifetime <= 600, "granted at most what was asked");
  assert.ok(ahOk(acks[0].pkt, ALG, KEY));
  assert.equal(fmt6(acks[0].pkt.subarray(24, 40)), COA);
  // Gratuitous advertisements: the home address, Override set, not Solicited, the home agent's MAC.
  t.lan.run(4000);
  const g = gratuitous(t, from);
  assert.equal(g.length, 4, "1 + MAX_ADVERT_REXMIT (3)");
  for (const a of g) assert.deepEqual(a, { target: HOME, override: true, solicited: false, tlla: HA_MAC });
  // The correspondent resolves the home address to the home agent and its echo goes into the tunnel.
  const tun = pingHome(t, 1);
  assert.equal(tun.length, 1, "one tunnelled packet");
  const p = tun[0];
  assert.equal(fmt6(p.subarray(8, 24)), HA, "outer source: the home agent's address on the home link (the one the mobile node knows)");
  assert.equal(fmt6(p.subarray(24, 40)), COA, "outer destination: the care-of address");
  assert.equal(p[6], 51, "the tunnel is protected with AH");
  assert.ok(ahOk(p, ALG, KEY), "under the mobile node's key");
  const inner = innerOf(p);
  assert.equal(fmt6(inner.subarray(24, 40)), HOME, "inner destination: the home address");
  assert.equal(inner[40], 128, "the echo request inside");
  assert.equal(t.c().mip6_ha_tunnelled, 1);
});

test("§8.4: a flow the home agent forwarded to the home address while the mobile node was at home is intercepted from the registration on (the IPv6 flow cache forgets it)", () => {
  const t = setup();
  // The mobile node at home (a plain board at the home address), reached from the foreign link through the
  // home agent: plain forwarding to a REACHABLE neighbour, which the flow cache (stack/flow6.ts) keeps.
  const mnHome = startBoard({
    name: "mnh", board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:64" }], ipv6: [{ iface: "eth0", address: `${HOME}/64` }],
  }, { now: () => t.clock.t });
  t.lan.attach(mnHome, 0, "home");
  t.lan.run(2000);
  // The home agent knows the care-of address's neighbour already (as a home agent behind a router knows that
  // router): the acknowledgement of the registration changes nothing in its neighbour cache.
  assert.equal(t.ha.board.output(echo6(ip6(HA_F), ip6(COA), 9, 1)), 0);
  t.lan.run(50);
  const udp = (n) => { t.m.board.output(udp6(ip6(COA), ip6(HOME), 40000, 5000, Uint8Array.of(n))); t.lan.run(20); };
  for (let n = 1; n <= 4; n++) udp(n);
  assert.equal(mnHome.cap.delivered.length, 4, "forwarded onto the home link");
  assert.ok(t.c().flow_hits > 0, "by the flow cache");
  // The mobile node leaves the home link (it hears nothing more, says nothing more) and registers.
  t.lan.filter = (f, from, to) => from !== mnHome && to !== mnHome;
  t.send(t.bu());
  const from = t.ha.cap.tx.length, atHome = mnHome.cap.delivered.length, hits = t.c().flow_hits;
  for (let n = 5; n <= 7; n++) udp(n);
  const tun = t.sent(from, 1).filter((p) => p[6] === 51 && p[40] === 41);
  assert.equal(tun.length, 3, "every datagram after the registration goes into the tunnel to the care-of address");
  assert.equal(mnHome.cap.delivered.length, atHome, "none onto the home link any more");
  assert.equal(t.c().mip6_ha_tunnelled, 3);
  assert.equal(t.c().flow_hits, hits, "none by the flow cache");
});

test("§8.1: a Binding Update to the Home-Agents anycast address is answered with 135 from a unicast address", () => {
  const t = setup();
  const from = t.ha.cap.tx.length;
  t.send(t.bu({ dst: ANYCAST }));
  const acks = t.bas(from);
  assert.equal(acks.length, 1);
  assert.equal(acks[0].ba.status, 135);
  const src = fmt6(acks[0].pkt.subarray(8, 24));
  assert.ok(src === HA || src === HA_F, `unicast source, got ${src}`);
  assert.equal(pingHome(t, 1).length, 0, "no binding made");
  // Nodes on the home link resolve the anycast address to the home agent (a proxy entry).
  assert.equal(answersFor(t, ANYCAST), true);
});

test("§8.2 tests: not home subnet 133, incorrect ID length 136; nothing cached", () => {
  const t = setup();
  let from = t.ha.cap.tx.length;
  t.send(t.bu({ idLen: 48 }));
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [136]);
  // A home address on none of the home agent's prefixes (its own SA, so it passes §7.2).
  from = t.ha.cap.tx.length;
  t.send(t.bu({ home: OFF_HOME, spi: 0x3000 }));
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [133]);
  assert.equal(pingHome(t, 1).length, 0);
  assert.equal(t.c().mip6_rejected, 2);
  assert.equal(t.c().mip6_bu_accepted, 0);
});

test("§8.3: de-registration removes the binding and the proxy: the home address is no longer answered for or tunnelled", () => {
  const t = setup();
  t.send(t.bu());
  assert.equal(pingHome(t, 1).length, 1);
  const from = t.ha.cap.tx.length;
  assert.equal(answersFor(t, HOME), true);
  t.send(t.bu({ lifetime: 0 }));
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [0]);
  assert.equal(answersFor(t, HOME), false, "the proxy went with the binding");
  t.lan.run(60000);
  assert.equal(pingHome(t, 2).length, 0, "not tunnelled after de-registration");
});

test("§8.2: with an ID Length, the link-local address is defended too, and packets to it get Destination Unreachable code 3", () => {
  const t = setup();
  const from = t.ha.cap.tx.length;
  t.send(t.bu({ idLen: 64 }));
  t.lan.run(10);
  const targets = new Set(gratuitous(t, from).map((g) => g.target));
  assert.ok(targets.has(HOME), "the home address");
  assert.ok(targets.has("fe80::64"), `the link-local address (${[...targets]})`);
  // A packet to fe80::64 from the correspondent reaches the home agent (its proxy) and is refused.
  const f2 = t.ha.cap.tx.length;
  t.cn.board.output(echo6(ip6("fe80::ff:fe00:10c"), ip6("fe80::64"), 1, 1)); // the correspondent's link-local address (its MAC)
  t.lan.run(50);
  const errs = t.sent(f2, 0).map(icmp6Of).filter((m) => m && m[0] === 1 && m[1] === 3);
  assert.equal(t.c().drop_mip6_link_local, 1);
  assert.equal(errs.length, 1, "Destination Unreachable, address unreachable");
  assert.equal(t.sent(f2, 1).filter((p) => p[6] === 41 || (p[6] === 51 && p[40] === 41)).length, 0, "never tunnelled");
});

/** Does the home agent answer a multicast Neighbor Solicitation for `target` on the home link? */
function answersFor(t, target) {
  const body = new Uint8Array(24); body.set(ip6(target), 0); body.set([1, 1], 16); body.set(host.parseMac("02:00:00:00:01:0c"), 18);
  const a = ip6(target);
  const group = ip6(`ff02::1:ff${a[13].toString(16).padStart(2, "0")}:${((a[14] << 8) | a[15]).toString(16)}`);
  const from = t.ha.cap.tx.length;
  t.ha.board.rx(0, eth(Uint8Array.of(0x33, 0x33, 0xff, a[13], a[14], a[15]), host.parseMac("02:00:00:00:01:0c"), 0x86dd, icmp6Packet(ip6(CN), group, 135, 0, new Uint8Array(4), body, 255)));
  return t.sent(from, 0).some((p) => p[6] === 58 && p[40] === 136 && fmt6(p.subarray(48, 64)) === fmt6(ip6(target)));
}

test("§7.7: a home registration expires with its lifetime, and its proxy goes with it (no lookup needed)", () => {
  const t = setup();
  assert.equal(answersFor(t, HOME), false, "not answered before the registration");
  t.send(t.bu({ lifetime: 5 }));
  assert.equal(answersFor(t, HOME), true, "answered for while registered (§8.2 proxy)");
  t.lan.run(6000);
  assert.equal(answersFor(t, HOME), false, "expired: the proxy is gone");
  assert.deepEqual(t.ha.board.dump("bindings6"), []);
  assert.equal(pingHome(t, 2).length, 0);
});

test("an IPv6-only home agent (no IPv4 anywhere; its home link is the interface marked home) registers and tunnels", () => {
  const t = setup({ only: true });
  const from = t.ha.cap.tx.length;
  t.send(t.bu());
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [0]);
  assert.equal(pingHome(t, 1).length, 1);
});

test("§8.5: a new home prefix on the running home agent goes to each registered mobile node as its Router Advertisement, authenticated, through the tunnel", () => {
  const t = setup();
  t.send(t.bu());
  const add = (rec) => {
    const cfg = [0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, ...rec];
    const x = t.ha.board.x;
    new Uint8Array(x.memory.buffer, x.config_buffer(), cfg.length).set(cfg);
    return x.config_add(x.config_buffer(), cfg.length);
  };
  const u32 = (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  // ADDR6 (docs/abi.md): iface 0, /64, advertise, valid 2592000 s, preferred 604800 s, 2001:db8:3::1.
  const addr6 = [8, 0, 0, 32, 0, 64, 2, 0, ...u32(2592000), ...u32(604800), 0, 0, 0, 0, ...ip6("2001:db8:3::1")];
  let from = t.ha.cap.tx.length;
  assert.equal(add(addr6), 0, t.ha.cap.logs.at(-1)?.text);
  t.lan.run(10);
  const tun = t.sent(from, 1).filter((p) => (p[6] === 41 || (p[6] === 51 && p[40] === 41)) && fmt6(p.subarray(24, 40)) === COA);
  assert.equal(tun.length, 1, "one tunnelled advertisement");
  // The tunnel as the one of intercepted packets (what the mobile node's tunnel entry and policy take):
  // from the home agent's address on the home link, with AH under the mobile node's SA.
  assert.equal(fmt6(tun[0].subarray(8, 24)), HA, "outer source: the home agent's address on the home link");
  assert.equal(tun[0][6], 51, "the tunnel carries AH");
  assert.ok(ahOk(tun[0], ALG, KEY), "under the mobile node's key");
  const inner = innerOf(tun[0]);
  assert.ok(fmt6(inner.subarray(8, 24)).startsWith("fe80::"), "from the home agent's link-local address");
  assert.equal(fmt6(inner.subarray(24, 40)), HOME);
  assert.equal(inner[7], 255, "hop limit 255 (RFC 2461 §6.1.2)");
  assert.equal(inner[6], 51, "AH");
  assert.ok(ahOk(inner, ALG, KEY), "authenticated with the mobile node's key (§8.5 MUST)");
  const m = inner.subarray(40 + 24);
  assert.equal(m[0], 134, "a Router Advertisement");
  const prefixes = [];
  for (let o = 16; o + 8 <= m.length; o += m[o + 1] * 8) { if (m[o] === 3) prefixes.push(fmt6(m.subarray(o + 16, o + 32))); if (!m[o + 1]) break; }
  assert.deepEqual(prefixes.sort(), ["2001:db8:1::", "2001:db8:3::"]);
  assert.equal(t.c().mip6_ha_ra_tunnelled, 1);
  // The new prefix's Home-Agents anycast address is answered for too (§8.1).
  assert.equal(answersFor(t, "2001:db8:3::fdff:ffff:ffff:fffe"), true);
  // A configuration change that is no renumbering (a route) sends nothing.
  from = t.ha.cap.tx.length;
  assert.equal(add([4, 0, 0, 36, 120, 1, 0, 0, ...host.mappedAddress(0xc0a84d00), ...host.mappedAddress(0x0a0002fe)]), 0);
  t.lan.run(10);
  assert.equal(t.c().mip6_ha_ra_tunnelled, 1);
});


test("binding events: home registrations are reported as the IPv4 home agent's bindings (add, refresh, deregister, expire)", () => {
  const t = setup();
  const evs = () => t.ha.cap.events.filter((e) => e.kind === 8).map((e) => { const d = new Uint8Array(e.data); return [d[0], (d[2] | (d[3] << 8)), fmt6(d.subarray(4, 20)), fmt6(d.subarray(20, 36))]; });
  t.send(t.bu({ lifetime: 60 }));
  t.send(t.bu({ lifetime: 60 }));
  t.send(t.bu({ lifetime: 0 }));
  t.send(t.bu({ lifetime: 3 }));
  t.lan.run(4000);
  assert.deepEqual(evs(), [[1, 60, HOME, COA], [2, 60, HOME, COA], [3, 0, HOME, COA], [1, 3, HOME, COA], [4, 0, HOME, COA]]);
});

test("who may register or use a home address: another mobile node's key, and an unauthenticated reverse tunnel, are refused with nothing changed", () => {
  const t = setup();
  // A home registration for HOME sealed with OFF_HOME's security association (SPI 0x3000): no SA of HOME
  // has that SPI, so the AH check fails before Mobile IPv6 sees it.
  const from = t.ha.cap.tx.length;
  t.send(t.bu({ spi: 0x3000 }));
  assert.equal(t.c().drop_ah_no_sa, 1);
  assert.deepEqual(t.ha.board.dump("bindings6"), []);
  assert.equal(t.bas(from).length, 0, "no acknowledgement");
  assert.equal(answersFor(t, HOME), false, "no proxy for the home address");
  // The genuine registration, then a reverse-tunnel packet "from HOME" without AH (its Home Address
  // option names HOME; the inner packet is a UDP datagram to the correspondent): refused, not forwarded.
  t.send(t.bu());
  const fwd0 = t.c().ip6_forwarded ?? 0;
  const inner = echo6(ip6(HOME), ip6(CN), 5, 5);
  t.send(ipv6Packet(ip6(COA), ip6(HA), 60, Uint8Array.from([...dstOpts(41, [{ type: "HAO", home: ip6(HOME) }]), ...inner])));
  assert.equal(t.c().drop_ah_required, 1, "the home address's inbound policy asks for AH");
  assert.equal(t.c().ip6_forwarded ?? 0, fwd0, "nothing forwarded from the home link");
});

test("a dual-stack home agent with every role's buffers (IPv4 route optimization, distributed registration, IPv6 multicast) still has headroom in its receive ring: intercepted IPv6 packets are tunnelled", () => {
  // Each role carves its packet buffers at init; the receive ring comes last. With more buffers than the
  // registry held, the ring went unregistered: no headroom, every tunnel entry dropped (drop_tun6_no_room).
  const t = setup({ extra: { mobility: { routeOptimization: { enabled: true } }, roles: ["router", "home-agent", "foreign-agent"] } });
  t.send(t.bu());
  assert.equal(pingHome(t, 1).length, 1, JSON.stringify({ noRoom: t.c().drop_tun6_no_room }));
  assert.equal(t.c().drop_tun6_no_room ?? 0, 0);
});
