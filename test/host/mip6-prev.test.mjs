// Mobile IPv6 previous-router forwarding (seed 003 §9.6, §9.12; issue 13 point 4): a mobile node that moves
// from foreign link P to foreign link Q asks the router of P, with a Binding Update to P's Subnet-Router
// anycast address under the key P's routers share with their visitors, to act as a home agent for its old
// care-of address for a few seconds; what its home agent still tunnels to the old address is forwarded to
// the new one until the home agent learns it. The home agent, the two access routers and a correspondent are
// boards on a small emulated network (IPv6 static routes between the routers, `routes6`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, echo6, pkt6, eth, ipv6Packet, Lan } from "../lib/ip6.mjs";
import { dstOpts, sealed, hasBu, BU_A, BU_H } from "../lib/mip6.mjs";

const HA = "2001:db8:1::1", HOME = "2001:db8:1::64", CN = "2001:db8:1::c";
const KEY = "00112233445566778899aabbccddeeff00112233", KEY_P = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", ALG = "hmac-sha1-96";


function world({ prev }) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const now = { now: () => clock.t };
  const router = (name, n, own, core, extra) => startBoard({
    name, board: "emulated", roles: ["router", ...(extra.ha ? ["home-agent"] : [])], node: { ipv6: "only", dadTransmits: 1, raIntervalMs: 3000 },
    interfaces: [{ name: "eth0", mac: `02:00:00:00:0${n}:01`, ...(extra.ha ? { home: true } : {}) }, { name: "eth1", mac: `02:00:00:00:0${n}:02` }],
    ipv6: [{ iface: "eth0", address: own, advertise: true }, { iface: "eth1", address: core }],
    routes6: extra.routes6, ...(extra.ipsec ? { ipsec: extra.ipsec } : {}),
  }, now);
  const ha = router("ha", 1, `${HA}/64`, "2001:db8:c::1/64", { ha: true,
    routes6: [{ dest: "2001:db8:2::/64", via: "2001:db8:c::2", iface: "eth1" }, { dest: "2001:db8:3::/64", via: "2001:db8:c::3", iface: "eth1" }],
    ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY }] });
  // The router of P is a home agent for its visitors' old care-of addresses (§9.6), keyed per subnet.
  const r1 = router("r1", 2, "2001:db8:2::1/64", "2001:db8:c::2/64", { ha: true, routes6: [{ dest: "default", via: "2001:db8:c::1", iface: "eth1" }],
    ipsec: [{ peer: "2001:db8:2::", spiIn: 0x5000, spiOut: 0x6000, algorithm: ALG, key: KEY_P, require: false }] });
  const r2 = router("r2", 3, "2001:db8:3::1/64", "2001:db8:c::3/64", { routes6: [{ dest: "default", via: "2001:db8:c::1", iface: "eth1" }] });
  const mn = startBoard({
    name: "mn", board: "emulated", roles: ["mobile-node"], node: { ipv6: "only", dadTransmits: 1 }, mobility: {},
    interfaces: [{ name: "eth0", mac: "02:00:00:00:09:64" }],
    ipv6: [{ iface: "eth0", address: `${HOME}/64`, home: true }],
    ipsec: [{ peer: HA, spiIn: 0x2000, spiOut: 0x1000, algorithm: ALG, key: KEY, homeAgent: true },
      ...(prev ? [{ peer: "2001:db8:2::", spiIn: 0x6000, spiOut: 0x5000, algorithm: ALG, key: KEY_P, require: false }] : [])],
  }, now);
  const cn = startBoard({ name: "cn", board: "emulated", roles: ["host"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:0c" }], ipv6: [{ iface: "eth0", address: `${CN}/64` }] }, now);
  lan.attach(ha, 0, "home"); lan.attach(cn, 0, "home"); lan.attach(ha, 1, "core"); lan.attach(r1, 1, "core"); lan.attach(r2, 1, "core");
  lan.attach(r1, 0, "P"); lan.attach(r2, 0, "Q"); lan.attach(mn, 0, "P");
  return { clock, lan, ha, r1, r2, mn, cn };
}

/**
 * Registered on P, the mobile node moves to Q while the correspondent pings its home address every 10 ms;
 * its Binding Updates to the home agent are lost for `blackoutMs` after the move (a far or slow home agent).
 * Returns the echo replies in the blackout (after the first 300 ms, the time to attach to Q) and in all.
 */
function handoff(w, blackoutMs) {
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1, "registered from P");
  let seq = 0;
  const replies = () => w.cn.cap.delivered.filter((p) => { const q = new Uint8Array(p); return q[6] === 58 && q[40] === 129; }).length;
  const ping = (ms) => { for (let t = 0; t < ms; t += 10) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, ++seq)); w.lan.run(10); } };
  ping(500);
  const before = replies();
  const tMove = w.clock.t;
  w.lan.filter = (frame, from) => {
    const p = pkt6(frame);
    return !(p && from === w.mn && w.clock.t < tMove + blackoutMs && hasBu(p) && fmt6(p.subarray(24, 40)) === HA);
  };
  w.mn.board.link(0, false);
  w.lan.ports.find((p) => p.node === w.mn).segment = "Q";
  w.mn.board.link(0, true);
  ping(300);
  const attached = replies();
  ping(blackoutMs - 300);
  const inBlackout = replies() - attached;
  ping(1000);
  return { inBlackout, sent: (blackoutMs - 300) / 10, before, total: replies(), seq };
}

test("§9.6, §9.12: the previous router forwards to the new care-of address while the home agent still tunnels to the old one; without the key nothing arrives meanwhile", () => {
  const withPrev = handoff(world({ prev: true }), 1500);
  const w = world({ prev: false });
  const without = handoff(w, 1500);
  // Without previous-router forwarding every ping in the blackout is lost (it goes to P, where nobody is).
  assert.equal(without.inBlackout, 0, JSON.stringify(without));
  // With it, the pings of the blackout arrive (the update to the router of P went at once on Q).
  assert.ok(withPrev.inBlackout >= 0.9 * withPrev.sent, JSON.stringify(withPrev));
  assert.ok(withPrev.total > without.total);
});

test("§9.6 who may ask: the router of P takes the update only under P's key, for an address of P, sent to P's Subnet-Router anycast address, and grants at most 30 s", () => {
  const w = world({ prev: true });
  handoff(w, 1500);
  const m = w.mn.board.counters(), r = w.r1.board.counters();
  assert.equal(m.mip6_mn_prev_bu_tx, 1, "one update to the previous router");
  assert.equal(m.mip6_mn_prev_acked, 1, "acknowledged");
  assert.ok(r.mip6_ha_tunnelled >= 100, `the router of P tunnelled ${r.mip6_ha_tunnelled}`);
  const b = w.r1.board.dump("bindings6");
  assert.equal(b.length, 1);
  assert.ok(b[0].home.startsWith("2001:db8:2:") && b[0].careOf.startsWith("2001:db8:3:"), JSON.stringify(b));
  assert.ok(b[0].lifetimeSec <= 10, `lifetime ${b[0].lifetimeSec}`);
  // 10 s later the forwarding is over: the binding is gone at the router.
  w.lan.run(11000);
  assert.deepEqual(w.r1.board.dump("bindings6"), []);
});

test("§9.6 forgeries at the router of P (invariant: its Binding Cache changes only for an update under P's key, sent to P's Subnet-Router anycast address, with H): wrong key, its unicast address, no H — nothing; the genuine one is capped at 30 s", () => {
  const w = world({ prev: true });
  w.lan.run(3000);
  const victim = ip6("2001:db8:2::99"), coa = ip6("2001:db8:3::99");
  let n = 0;
  const send = (dst, key, flags, lifetime = 3600) => {
    const inner = dstOpts(59, [{ type: "HAO", home: victim }, { type: "BU", flags, seq: ++n, lifetime }]);
    const p = sealed(coa, ip6(dst), 60, inner, { spi: 0x5000, seq: n, alg: ALG, key });
    w.r1.board.rx(1, eth(host.parseMac("02:00:00:00:02:02"), host.parseMac("02:00:00:00:01:02"), 0x86dd, p));
    w.lan.run(20);
  };
  const c0 = w.r1.board.counters();
  send("2001:db8:2::", KEY, BU_A | BU_H);
  assert.equal(w.r1.board.counters().drop_ah_icv, c0.drop_ah_icv + 1, "another key: refused by AH");
  send("2001:db8:2::1", KEY_P, BU_A | BU_H);
  send("2001:db8:2::", KEY_P, BU_A);
  assert.equal(w.r1.board.counters().drop_mip6_unauth, c0.drop_mip6_unauth + 2, "to the router's own address, or without H: not a previous-router update");
  assert.deepEqual(w.r1.board.dump("bindings6"), [], "nothing changed");
  send("2001:db8:2::", KEY_P, BU_A | BU_H);
  const b = w.r1.board.dump("bindings6");
  assert.equal(b.length, 1, "the genuine update is taken");
  assert.equal(b[0].home, "2001:db8:2::99");
  assert.equal(b[0].lifetimeSec, 30, "3600 s asked, 30 granted");
});

test("§9.6 who may tunnel to the mobile node in the previous router's name: only the router that acknowledged, under its subnet's key; a plain tunnel or one under another key from its address delivers nothing", () => {
  const w = world({ prev: true });
  handoff(w, 1500);
  assert.equal(w.mn.board.counters().mip6_mn_prev_acked, 1);
  const b = w.r1.board.dump("bindings6")[0];
  const oldCoa = ip6(b.home), newCoa = ip6(b.careOf);
  // What arrives at the old care-of address: an echo request from the correspondent, in a tunnel "from r1".
  const inner = echo6(ip6(CN), oldCoa, 21, 1);
  const c0 = w.mn.board.counters();
  const deliver = (pkt) => w.mn.board.rx(0, eth(host.parseMac("02:00:00:00:09:64"), host.parseMac("02:00:00:00:03:01"), 0x86dd, pkt));
  // Plain (no AH): the tunnel is not admitted.
  deliver(ipv6Packet(ip6("2001:db8:2::1"), newCoa, 41, inner));
  // Under another key with the subnet SA's SPI: AH refuses it.
  deliver(sealed(ip6("2001:db8:2::1"), newCoa, 41, inner, { spi: 0x6000, seq: 500, alg: ALG, key: KEY }));
  w.lan.run(50);
  const c = w.mn.board.counters();
  assert.equal(c.drop_tun6_peer - (c0.drop_tun6_peer ?? 0), 1, "the plain tunnel: not from an admitted remote end");
  assert.equal(c.drop_ah_icv - (c0.drop_ah_icv ?? 0), 1, "the other key: ICV");
  assert.equal(c.tun6_decapsulated ?? 0, c0.tun6_decapsulated ?? 0, "nothing decapsulated");
  // The genuine one (r1's key and SPI) is delivered: the control that the refusals were the key's.
  deliver(sealed(ip6("2001:db8:2::1"), newCoa, 41, inner, { spi: 0x6000, seq: 501, alg: ALG, key: KEY_P }));
  w.lan.run(50);
  assert.equal(w.mn.board.counters().tun6_decapsulated - (c.tun6_decapsulated ?? 0), 1, "r1's own tunnel is taken");
});
