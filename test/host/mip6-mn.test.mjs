// Mobile IPv6 mobile node (seed 003 §9; issue 13 point 4), first part: a mobile node board on a foreign link
// forms its care-of address from the home agent's Router Advertisements, registers with its home agent
// (Binding Update with H and A, the Home Address option, AH both ways), is reached through the home agent's
// tunnel, answers from its care-of address with a Home Address option, and de-registers when it is back home.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, echo6, pkt6, eth, icmp6Packet, ipv6Packet, Lan } from "../lib/ip6.mjs";
import { dstOpts, sealed, hasBu, buSeqOf } from "../lib/mip6.mjs";

const HA = "2001:db8:1::1", HA_F = "2001:db8:2::1", CN = "2001:db8:1::c";
let HOME = "2001:db8:1::64";
const KEY = "00112233445566778899aabbccddeeff00112233", KEY2 = "ffeeddccbbaa99887766554433221100ffeeddcc", ALG = "hmac-sha1-96";
const MN_MAC = "02:00:00:00:09:64";
/** The upper-layer protocol and its first byte of IPv6 packet `p` (through Destination Options headers). */
function upper(p) {
  let nh = p[6], o = 40;
  while (nh === 60 && o + 8 <= p.length) { const l = (p[o + 1] + 1) * 8; nh = p[o]; o += l; }
  return [nh, p[o]];
}
const echoReplies = (list) => list.map((p) => new Uint8Array(p)).filter((p) => { const [nh, t] = upper(p); return nh === 58 && t === 129; });

const HA_ANYCAST = "2001:db8:1:0:fdff:ffff:ffff:fffe";
function world({ direct = false, ro = false, cnSa = true, lifetimeSec, optimisticDad, discover = false, foreign2 = false } = {}) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const ha = startBoard({
    name: "ha", board: "emulated", roles: ["router", "home-agent"], node: { ipv6: "only", dadTransmits: 1, raIntervalMs: 3000 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", home: true }, { name: "eth1", mac: "02:00:00:00:02:01" },
      ...(foreign2 ? [{ name: "eth2", mac: "02:00:00:00:03:01" }] : [])],
    ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_F}/64`, advertise: true },
      ...(foreign2 ? [{ iface: "eth2", address: "2001:db8:3::1/64", advertise: true }] : [])],
    ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY }],
  }, { now: () => clock.t });
  const mn = startBoard({
    name: "mn", board: "emulated", roles: ["mobile-node"], node: { ipv6: "only", dadTransmits: 1 },
    mobility: { ...(direct ? { ipv6Correspondents: "direct" } : {}), ...(lifetimeSec ? { lifetimeSec } : {}), ...(optimisticDad === undefined ? {} : { optimisticDad }) },
    interfaces: [{ name: "eth0", mac: MN_MAC }],
    ipv6: [{ iface: "eth0", address: `${HOME}/64`, home: true }],
    ipsec: [{ peer: discover ? HA_ANYCAST : HA, spiIn: 0x2000, spiOut: 0x1000, algorithm: ALG, key: KEY, homeAgent: true },
      ...(ro ? [{ peer: CN, spiIn: 0x4000, spiOut: 0x3000, algorithm: ALG, key: KEY2, require: false }] : [])],
  }, { now: () => clock.t });
  const cn = startBoard({
    name: "cn", board: "emulated", roles: ["host"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:0c" }], ipv6: [{ iface: "eth0", address: `${CN}/64` }],
    ...(ro && cnSa ? { ipsec: [{ peer: HOME, spiIn: 0x3000, spiOut: 0x4000, algorithm: ALG, key: KEY2, require: false }] } : {}),
  }, { now: () => clock.t });
  lan.attach(ha, 0, "home"); lan.attach(ha, 1, "foreign"); lan.attach(mn, 0, "foreign"); lan.attach(cn, 0, "home");
  if (foreign2) lan.attach(ha, 2, "foreign2");
  return { clock, lan, ha, mn, cn };
}

test("§9.2-§9.4, §9.10: away from home the mobile node forms a care-of address, registers with its home agent and is reached through the tunnel; issue 13.6: it answers through the reverse tunnel (default)", () => {
  const w = world();
  w.lan.run(6000);
  const m = w.mn.board.counters(), h = w.ha.board.counters();
  assert.ok(m.mip6_mn_bu_tx >= 1, "a Binding Update went");
  assert.equal(m.mip6_mn_registered, 1, "accepted");
  assert.equal(h.mip6_bu_accepted, 1);
  const b = w.ha.board.dump("bindings6");
  assert.equal(b.length, 1);
  assert.equal(b[0].home, HOME);
  assert.ok(b[0].careOf.startsWith("2001:db8:2:"), `care-of address on the foreign prefix, got ${b[0].careOf}`);
  assert.equal(b[0].flags & 1, 1, "a home registration");
  // The correspondent pings the home address: home agent -> tunnel (AH) -> mobile node; the reply goes
  // back through the reverse tunnel and reaches the correspondent as a plain packet from the home address.
  const before = w.cn.cap.delivered.length;
  for (let i = 1; i <= 3; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 5, i)); w.lan.run(100); }
  const replies = echoReplies(w.cn.cap.delivered.slice(before));
  assert.equal(replies.length, 3, "three echo replies");
  for (const r of replies) {
    assert.equal(fmt6(r.subarray(8, 24)), HOME, "from the home address");
    assert.equal(r[6], 58, "no option: a correspondent of today (RFC 6275 or none) takes it as it is");
  }
  assert.ok(w.ha.board.counters().mip6_ha_tunnelled >= 3);
  assert.ok(w.mn.board.counters().mip6_mn_tunnelled >= 3);
  assert.equal(w.mn.board.counters().mip6_mn_hao_tx, 0);
  assert.equal(w.cn.board.counters().mip6_hao_rx, 0);
});

test("§9.1 (mobility.ipv6Correspondents \"direct\"): the mobile node answers from its care-of address with a Home Address option, and the correspondent sees the home address", () => {
  const w = world({ direct: true });
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1);
  const before = w.cn.cap.delivered.length;
  for (let i = 1; i <= 3; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 5, i)); w.lan.run(100); }
  const replies = echoReplies(w.cn.cap.delivered.slice(before));
  assert.equal(replies.length, 3, "three echo replies");
  for (const r of replies) assert.equal(fmt6(r.subarray(8, 24)), HOME, "from the home address (after the option)");
  assert.ok(w.mn.board.counters().mip6_mn_hao_tx >= 3);
  assert.ok(w.cn.board.counters().mip6_hao_rx >= 3);
  assert.equal(w.mn.board.counters().mip6_mn_tunnelled, 0);
});

test("§9.13: back on the home link the mobile node de-registers and advertises its home address itself", () => {
  const w = world();
  w.lan.run(6000);
  assert.equal(w.ha.board.dump("bindings6").length, 1);
  // Move: the link goes down, the port joins the home segment, the link comes up.
  w.mn.board.link(0, false);
  w.lan.ports.find((p) => p.node === w.mn).segment = "home";
  w.mn.board.link(0, true);
  const tx0 = w.mn.cap.tx.length;
  w.lan.run(6000);
  assert.deepEqual(w.ha.board.dump("bindings6"), [], "the home registration is gone");
  assert.equal(w.mn.board.counters().mip6_mn_registered, 2, "registration and de-registration acknowledged");
  const na = w.mn.cap.tx.slice(tx0).map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 58 && p[40] === 136 && fmt6(p.subarray(48, 64)) === HOME);
  assert.ok(na.length >= 1, "a Neighbor Advertisement for the home address");
  // The correspondent reaches it directly now.
  const before = w.cn.cap.delivered.length;
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 6, 1));
  w.lan.run(3000);
  const r = echoReplies(w.cn.cap.delivered.slice(before));
  assert.equal(r.length, 1);
  assert.equal(r[0][6], 58, "directly, no Home Address option at home");
});



test("§9.5: a correspondent whose packets came through the home agent gets a Binding Update; then both directions go directly (Routing header one way, Home Address option the other)", () => {
  const w = world({ ro: true });
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1);
  const before = w.cn.cap.delivered.length;
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, 1));
  w.lan.run(200);
  const m = w.mn.board.counters(), c = w.cn.board.counters();
  assert.equal(m.mip6_mn_ro_bu_tx, 1, "one Binding Update to the correspondent");
  assert.equal(m.mip6_mn_ro_acked, 1, "acknowledged");
  assert.equal(c.mip6_bu_accepted, 1);
  const tunnelled = w.ha.board.counters().mip6_ha_tunnelled;
  for (let i = 2; i <= 4; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, i)); w.lan.run(100); }
  const replies = echoReplies(w.cn.cap.delivered.slice(before));
  assert.equal(replies.length, 4, "every echo answered");
  assert.equal(w.ha.board.counters().mip6_ha_tunnelled, tunnelled, "no longer through the home agent's tunnel");
  assert.ok(w.cn.board.counters().mip6_routed >= 3, "the correspondent sends by way of the care-of address");
  assert.ok(w.mn.board.counters().mip6_mn_hao_tx >= 3, "the mobile node answers directly with the option");
  assert.equal(w.mn.board.counters().mip6_mn_ro_bu_tx, 1, "no further update while the binding holds");
});

/** Move the mobile node's port to `segment` (link down, re-attached, link up) and let `ms` pass. */
function moveTo(w, segment, ms = 6000) {
  w.mn.board.link(0, false);
  w.lan.ports.find((p) => p.node === w.mn).segment = segment;
  w.mn.board.link(0, true);
  w.lan.run(ms);
}

test("§9.5: after the home agent accepts a new care-of address, each correspondent in the Binding Update List gets a Binding Update for it; back home, one that deletes its entry", () => {
  const w = world({ ro: true, foreign2: true });
  w.lan.run(6000);
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, 1));
  w.lan.run(200);
  assert.equal(w.mn.board.counters().mip6_mn_ro_acked, 1);
  assert.ok(w.cn.board.dump("bindings6")[0].careOf.startsWith("2001:db8:2:"));
  // To the second foreign link: the correspondent hears of the new care-of address without sending first.
  moveTo(w, "foreign2");
  assert.equal(w.mn.board.counters().mip6_mn_registered, 2);
  const b = w.cn.board.dump("bindings6");
  assert.equal(b.length, 1);
  assert.ok(b[0].careOf.startsWith("2001:db8:3:"), `the correspondent's binding follows: ${b[0].careOf}`);
  assert.equal(w.mn.board.counters().mip6_mn_ro_acked, 2);
  const tunnelled = w.ha.board.counters().mip6_ha_tunnelled, before = w.cn.cap.delivered.length;
  for (let i = 2; i <= 4; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, i)); w.lan.run(100); }
  assert.equal(echoReplies(w.cn.cap.delivered.slice(before)).length, 3, "answered at once, straight");
  assert.equal(w.ha.board.counters().mip6_ha_tunnelled, tunnelled, "not through the home agent");
  // Home: the correspondent's entry goes, and it reaches the home address directly.
  moveTo(w, "home");
  assert.deepEqual(w.cn.board.dump("bindings6"), [], "the correspondent's binding deleted");
  const b2 = w.cn.cap.delivered.length;
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 7, 9));
  w.lan.run(200);
  assert.equal(echoReplies(w.cn.cap.delivered.slice(b2)).length, 1);
});

test("§7.6 / §9.11: a correspondent using the binding asks before it expires, the mobile node answers with a Binding Update, and the binding lives on", () => {
  const w = world({ ro: true, lifetimeSec: 8 });
  w.lan.run(6000);
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 8, 1));
  w.lan.run(200);
  assert.equal(w.mn.board.counters().mip6_mn_ro_acked, 1);
  // Keep using it for 10 s (longer than its 8 s lifetime): the correspondent's Binding Requests keep it alive.
  for (let i = 2; i <= 20; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 8, i)); w.lan.run(500); }
  assert.ok(w.cn.board.counters().mip6_br_tx >= 1, "Binding Requests sent");
  assert.ok(w.mn.board.counters().mip6_mn_ro_bu_tx >= 2, "answered with Binding Updates");
  assert.ok(w.mn.board.counters().mip6_mn_ro_acked >= 2);
  const b = w.cn.board.dump("bindings6");
  assert.equal(b.length, 1, "the binding is still there");
});

test("§9.9: a correspondent that answers a Binding Update with Parameter Problem code 2 gets no more of them, and stays reached through the home agent", () => {
  const w = world({ ro: true, cnSa: false });
  w.lan.run(6000);
  const tx0 = w.mn.cap.tx.length;
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 9, 1));
  w.lan.run(200);
  assert.equal(w.mn.board.counters().mip6_mn_ro_bu_tx, 1);
  // The update as sent (to the correspondent, a Destination Options header with the 0xC6 option after AH).
  const bu = w.mn.cap.tx.slice(tx0).map((t) => pkt6(t.frame)).find((p) => p && fmt6(p.subarray(24, 40)) === CN && p[6] === 51);
  assert.ok(bu, "the Binding Update packet");
  let ptr = -1;
  for (let i = 40 + 24 + 2; i < bu.length; i++) if (bu[i] === 0xc6) { ptr = i; break; }
  // An RFC 6275 host that does not know 0xC6 (action bits 11): Parameter Problem code 2 at the option.
  // Who may say so: the same error from a node other than the correspondent changes nothing.
  const forged = icmp6Packet(ip6("2001:db8:2::66"), bu.subarray(8, 24), 4, 2, Uint8Array.of(0, 0, 0, ptr), bu.subarray(0, Math.min(bu.length, 1232)));
  w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, forged));
  assert.equal(w.mn.board.counters().mip6_mn_bu_unknown ?? 0, 0, "an error from another node is not the correspondent's word");
  const err = icmp6Packet(ip6(CN), bu.subarray(8, 24), 4, 2, Uint8Array.of(0, 0, 0, ptr), bu.subarray(0, Math.min(bu.length, 1232)));
  w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, err));
  assert.equal(w.mn.board.counters().mip6_mn_bu_unknown, 1);
  // More traffic through the tunnel, seconds apart: no more updates, every echo still answered.
  const before = w.cn.cap.delivered.length;
  for (let i = 2; i <= 5; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 9, i)); w.lan.run(1500); }
  assert.equal(w.mn.board.counters().mip6_mn_ro_bu_tx, 1, "no further Binding Update");
  assert.equal(echoReplies(w.cn.cap.delivered.slice(before)).length, 4);
});

test("who may change the mobile node's state: a Binding Acknowledgement without the home agent's AH, and a tunnelled packet claiming to come from the home agent without it, change nothing", () => {
  const w = world();
  w.lan.run(6000);
  const coa = w.ha.board.dump("bindings6")[0].careOf;
  const k0 = w.mn.board.counters();
  // An acknowledgement refusing the registration (status 130), from the home agent's address, no AH.
  const ba = ipv6Packet(ip6(HA), ip6(coa), 60, dstOpts(59, [{ type: "BA", status: 130, seq: 1, lifetime: 0, refresh: 0 }]));
  w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, ba));
  // A packet "from the home agent's tunnel" without AH: an echo request to the home address inside.
  const inner = echo6(ip6(CN), ip6(HOME), 77, 1);
  const tun = ipv6Packet(ip6(HA), ip6(coa), 41, inner);
  w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, tun));
  const k1 = w.mn.board.counters();
  assert.equal(k1.drop_ah_required - (k0.drop_ah_required ?? 0), 2, "both refused by the inbound policy (AH required from the home agent)");
  assert.equal(k1.mip6_mn_refused ?? 0, k0.mip6_mn_refused ?? 0, "the refusal was not taken");
  assert.equal(k1.icmp6_tx_echo_reply ?? 0, k0.icmp6_tx_echo_reply ?? 0, "the injected echo was not answered");
  assert.equal(k1.tun6_decapsulated ?? 0, k0.tun6_decapsulated ?? 0);
  // Still registered: the correspondent reaches it.
  const before = w.cn.cap.delivered.length;
  w.cn.board.output(echo6(ip6(CN), ip6(HOME), 78, 1));
  w.lan.run(200);
  assert.equal(echoReplies(w.cn.cap.delivered.slice(before)).length, 1);
});

/** Frames on the LAN with the time they crossed it: [{ t, from, to, p (the IPv6 packet) }]. */
function record(w) {
  const log = [];
  w.lan.filter = (frame, from, to) => { const p = pkt6(frame); if (p) log.push({ t: w.clock.t, from, to, p }); return true; };
  return log;
}
/** ICMPv6 type of IPv6 packet `p` (no extension headers), or -1. */
const icmpType = (p) => (p[6] === 58 ? p[40] : -1);

test("§9.2, §9.3 with RFC 4429: the care-of address is registered the moment the Router Advertisement forms it (Optimistic DAD), and answered for without Override during DAD; with optimisticDad false the Binding Update waits for DAD", () => {
  for (const optimistic of [true, false]) {
    const w = world(optimistic ? {} : { optimisticDad: false });
    const log = record(w);
    w.lan.run(6000);
    assert.equal(w.mn.board.counters().mip6_mn_registered, 1, `registered (optimistic ${optimistic})`);
    // The first Router Advertisement the mobile node received with the foreign prefix, and its first Binding Update.
    const ra = log.find((x) => x.to === w.mn && icmpType(x.p) === 134);
    const bu = log.find((x) => x.from === w.mn && hasBu(x.p));
    assert.ok(ra && bu, "an advertisement and a Binding Update");
    const coa = fmt6(bu.p.subarray(8, 24));
    assert.ok(coa.startsWith("2001:db8:2:"), coa);
    // DAD of the care-of address: its one solicitation from :: goes when the address is formed.
    const dad = log.find((x) => x.from === w.mn && icmpType(x.p) === 135 && fmt6(x.p.subarray(48, 64)) === coa);
    assert.ok(dad, "DAD ran for the care-of address");
    if (optimistic) {
      assert.ok(bu.t - ra.t <= 2, `Binding Update ${bu.t - ra.t} ms after the advertisement`);
      // The home agent resolves the care-of address to send its Acknowledgement, during DAD: the answer has
      // Solicited set and Override clear (RFC 4429 §3.3), and the registration completes before DAD ends.
      const na = log.find((x) => x.from === w.mn && icmpType(x.p) === 136 && fmt6(x.p.subarray(48, 64)) === coa);
      assert.ok(na, "the mobile node answered for its Optimistic address");
      assert.ok(na.t < dad.t + 1000, "during DAD");
      assert.equal(na.p[44] & 0xe0, 0x40, "S set, O clear");
      const ba = log.find((x) => x.to === w.mn && x.from === w.ha && x.t >= bu.t && x.p[6] === 43);
      assert.ok(ba && ba.t < dad.t + 1000, "acknowledged (a Routing header to the home address) before DAD ended");
    } else {
      assert.ok(bu.t - dad.t >= 1000, `Binding Update ${bu.t - dad.t} ms after DAD began (RetransTimer 1 s)`);
    }
  }
});

test("RFC 4429 §3.3: a duplicate found while the care-of address is Optimistic ends its use: it is never registered again, and another node's address is not overridden", () => {
  const w = world();
  const log = record(w);
  // Another node already holds the address the mobile node will form: it answers the DAD solicitation.
  let coa = null;
  w.lan.filter = (frame, from, to) => {
    const p = pkt6(frame);
    if (p) log.push({ t: w.clock.t, from, to, p });
    if (p && from === w.mn && icmpType(p) === 135 && p[8] === 0 && !coa && fmt6(p.subarray(48, 64)).startsWith("2001:db8:2:")) coa = fmt6(p.subarray(48, 64));
    return true;
  };
  w.lan.run(1500);
  assert.ok(coa, "the mobile node began DAD of its care-of address");
  const bu0 = w.mn.board.counters().mip6_mn_bu_tx;
  assert.ok(bu0 >= 1, "registration began at once (Optimistic)");
  // The owner's Neighbor Advertisement for it (unsolicited, Override): DAD fails (RFC 2462 §5.4.4).
  const other = host.parseMac("02:00:00:00:0a:0a");
  const body = new Uint8Array(24);
  body.set(ip6(coa), 0); body[16] = 2; body[17] = 1; body.set(other, 18);
  w.mn.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), other, 0x86dd, icmp6Packet(ip6(coa), ip6("ff02::1"), 136, 0, Uint8Array.of(0x20, 0, 0, 0), body, 255)));
  assert.equal(w.mn.board.counters().nd_dad_duplicate, 1, "DAD failed");
  const n = log.length;
  w.lan.run(5000);
  assert.equal(log.slice(n).filter((x) => x.from === w.mn && fmt6(x.p.subarray(8, 24)) === coa).length, 0, "nothing more from the duplicate address");
});

test("§9.4, §8.1: dynamic home agent discovery: the first Binding Update goes to the Home-Agents anycast address of the home subnet, the home agent answers 135 from its own address, and the mobile node registers there", () => {
  const w = world({ discover: true });
  const log = record(w);
  w.lan.run(6000);
  const bus = log.filter((x) => x.from === w.mn && hasBu(x.p)).map((x) => fmt6(x.p.subarray(24, 40)));
  assert.equal(bus[0], HA_ANYCAST, "the first update to the anycast address");
  assert.equal(bus[1], HA, "then to the home agent that answered, from its address in the home subnet");
  const m = w.mn.board.counters();
  assert.equal(m.mip6_mn_ha_found, 1);
  assert.equal(m.mip6_mn_registered, 1);
  assert.equal(w.ha.board.dump("bindings6")[0]?.home, HOME, "registered at the home agent");
  // The tunnel from the home agent found is accepted (its AH under the anycast SA): a ping through it.
  const before = w.cn.cap.delivered.length;
  for (let i = 1; i <= 2; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 9, i)); w.lan.run(100); }
  assert.equal(echoReplies(w.cn.cap.delivered.slice(before)).length, 2, "reached through the found home agent's tunnel");
});

test("§9.4 discovery, who may answer: a status 135 from another address of the home subnet without the home agents' key changes nothing", () => {
  const w = world({ discover: true });
  // Drop what the home agent sends the mobile node besides ICMPv6, so only the forgery can answer; keep its last update.
  let last = null;
  w.lan.filter = (frame, from, to) => {
    const p = pkt6(frame);
    if (p && from === w.mn && hasBu(p)) last = p;
    return !(p && from === w.ha && to === w.mn && p[6] !== 58);
  };
  w.lan.run(3000);
  assert.ok(last, "a Binding Update went");
  assert.equal(w.mn.board.counters().mip6_mn_ha_found, 0);
  const coa = ip6(fmt6(last.subarray(8, 24)));
  // Its sequence number: the update's option (after the AH and the Home Address option).
  const seq = buSeqOf(last);
  const inner = dstOpts(59, [{ type: "BA", status: 135, seq, lifetime: 0, refresh: 0 }]);
  for (const key of [KEY2, KEY]) {
    // Another address of the home subnet: with a key that is not the home agents' (refused), then with the right
    // key but the SPI of no SA (refused too), as a control that the refusal is the key's.
    const forged = sealed(ip6("2001:db8:1::66"), coa, 60, inner, { spi: key === KEY ? 0x2001 : 0x2000, seq: 7, alg: ALG, key });
    w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, forged));
  }
  const m = w.mn.board.counters();
  assert.equal(m.mip6_mn_ha_found, 0, "no home agent found");
  assert.ok(m.drop_ah_icv >= 1 && m.drop_ah_no_sa >= 1, "refused by AH");
  // The same acknowledgement under the home agents' key and SPI is taken: the forgery failed only for the key.
  const good = sealed(ip6("2001:db8:1::66"), coa, 60, inner, { spi: 0x2000, seq: 8, alg: ALG, key: KEY });
  w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, good));
  assert.equal(w.mn.board.counters().mip6_mn_ha_found, 1, "an answer under the home agents' key is a home agent");
});

test("§9.4 ID Length, §8.2: a home address formed from the interface identifier is registered with ID Length 64, and the home agent then also defends the mobile node's link-local address; a configured identifier gets 0", () => {
  const EUI = "2001:db8:1::ff:fe00:964"; // 02:00:00:00:09:64 -> 00:00:00:ff:fe:00:09:64 (RFC 2464 §4)
  for (const [home, want] of [[EUI, 64], ["2001:db8:1::64", 0]]) {
    HOME = home;
    try {
      const w = world();
      w.lan.run(6000);
      const b = w.ha.board.dump("bindings6");
      assert.equal(b.length, 1);
      assert.equal(b[0].idLen, want, `ID Length for ${home}`);
      // The home agent answers a solicitation for the mobile node's link-local address on the home link only with ID Length 64.
      const ll = "fe80::ff:fe00:964", a = ip6(ll);
      const body = new Uint8Array(24); body.set(a, 0); body[16] = 1; body[17] = 1; body.set(host.parseMac("02:00:00:00:01:0c"), 18);
      const n0 = w.ha.cap.tx.length;
      w.ha.board.rx(0, eth(Uint8Array.of(0x33, 0x33, 0xff, a[13], a[14], a[15]), host.parseMac("02:00:00:00:01:0c"), 0x86dd, icmp6Packet(ip6("fe80::c"), ip6("ff02::1:ff00:964"), 135, 0, new Uint8Array(4), body, 255)));
      const na = w.ha.cap.tx.slice(n0).map((t) => pkt6(t.frame)).filter((p) => p && icmpType(p) === 136 && fmt6(p.subarray(48, 64)) === ll);
      assert.equal(na.length, want ? 1 : 0, `proxy answer for the link-local address (ID Length ${want})`);
    } finally { HOME = "2001:db8:1::64"; }
  }
});

test("§8.5 at the mobile node: the home agent's tunnelled advertisement of a new home prefix (authenticated) gives a new home address; the home agent serves it (ID Length 64) and the node answers from it through the tunnel; a forged one changes nothing", () => {
  HOME = "2001:db8:1::ff:fe00:964";
  try {
    const w = world();
    w.lan.run(6000);
    assert.equal(w.ha.board.dump("bindings6")[0]?.idLen, 64);
    const u32 = (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    // A forged advertisement first: the home agent's tunnel, but the inner AH under another key.
    const m0 = w.mn.board.counters();
    // config_add of ADDR6 on the running home agent (docs/abi.md): iface 0, /64, advertise, 2001:db8:5::1.
    const x = w.ha.board.x;
    const cfg = [0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, 8, 0, 0, 32, 0, 64, 2, 0, ...u32(2592000), ...u32(604800), 0, 0, 0, 0, ...ip6("2001:db8:5::1")];
    new Uint8Array(x.memory.buffer, x.config_buffer(), cfg.length).set(cfg);
    assert.equal(x.config_add(x.config_buffer(), cfg.length), 0);
    w.lan.run(100);
    const m = w.mn.board.counters();
    assert.equal(m.mip6_mn_ra_rx - (m0.mip6_mn_ra_rx ?? 0), 1, "the tunnelled advertisement was taken");
    assert.equal(m.mip6_mn_home_added, 1, "one new home address");
    assert.equal(m.drop_mip6_mn_ra ?? 0, 0);
    // The correspondent on the home link pings the new address: the home agent serves it by ID Length
    // (proxy, interception) and tunnels; the reply comes back through the reverse tunnel from that address.
    w.lan.run(4000); // the correspondent learns the new prefix from the home agent's next advertisement
    const NEW = "2001:db8:5::ff:fe00:964";
    const before = w.cn.cap.delivered.length;
    for (let i = 1; i <= 3; i++) { w.cn.board.output(echo6(ip6(CN), ip6(NEW), 11, i)); w.lan.run(100); }
    const r = echoReplies(w.cn.cap.delivered.slice(before));
    assert.equal(r.length, 3, "reached at the new home address");
    assert.ok(r.every((p) => fmt6(p.subarray(8, 24)) === NEW), "answered from it");
    assert.ok(w.mn.board.counters().mip6_mn_tunnelled >= 3, "through the reverse tunnel");
  } finally { HOME = "2001:db8:1::64"; }
});

test("§8.5 who may renumber the mobile node: an advertisement in its home agent's tunnel whose own AH is not under its home agent's key is dropped and forms no address", () => {
  HOME = "2001:db8:1::ff:fe00:964";
  try {
    const w = world();
    w.lan.run(6000);
    const coa = w.ha.board.dump("bindings6")[0].careOf;
    // The inner advertisement: from the home agent's link-local address to the home address, hop limit 255, a
    // prefix 2001:db8:6::/64 with A, sealed with a wrong key; the outer packet with the right one (the tunnel is
    // the home agent's, as a replay of its frame would be).
    const ra = new Uint8Array(16 + 32);
    ra[0] = 134; ra[4] = 64; ra[6] = 0x07; ra[7] = 0x08;
    const o = 16; ra[o] = 3; ra[o + 1] = 4; ra[o + 2] = 64; ra[o + 3] = 0xc0;
    ra.set(u32be(2592000), o + 4); ra.set(u32be(604800), o + 8); ra.set(ip6("2001:db8:6::"), o + 16);
    const inner = sealed(ip6("fe80::ff:fe00:101"), ip6(HOME), 58, ra, { spi: 0x2000, seq: 900, alg: ALG, key: KEY2 });
    inner[7] = 255;
    const outer = sealed(ip6(HA), ip6(coa), 41, inner, { spi: 0x2000, seq: 901, alg: ALG, key: KEY });
    w.mn.board.rx(0, eth(host.parseMac(MN_MAC), host.parseMac("02:00:00:00:02:01"), 0x86dd, outer));
    const m = w.mn.board.counters();
    assert.equal(m.drop_mip6_mn_ra, 1, "dropped");
    assert.equal(m.mip6_mn_home_added ?? 0, 0, "no address formed");
  } finally { HOME = "2001:db8:1::64"; }
});
function u32be(v) { return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255); }

test("§9.8: Binding Updates to a correspondent that never acknowledges: one a second for MAX_FAST_UPDATES (5), then one each 10 s (SLOW_UPDATE_RATE)", () => {
  const w = world({ ro: true, cnSa: false });
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1);
  const sent = [];
  w.lan.filter = (frame, from) => { const p = pkt6(frame); if (p && from === w.mn && hasBu(p) && fmt6(p.subarray(24, 40)) === CN) sent.push(w.clock.t); return true; };
  // The correspondent pings the home address every 200 ms for 40 s; each reaches the node through the tunnel.
  for (let i = 1; i <= 200; i++) { w.cn.board.output(echo6(ip6(CN), ip6(HOME), 12, i)); w.lan.run(200); }
  const gaps = sent.slice(1).map((t, i) => t - sent[i]);
  assert.ok(gaps.slice(0, 4).every((g) => g >= 1000 && g < 1500), `the first five a second apart: ${gaps}`);
  assert.ok(gaps.slice(4).every((g) => g >= 10000), `then 10 s apart: ${gaps}`);
  assert.ok(sent.length >= 7 && sent.length <= 10, `${sent.length} updates in 40 s`);
});

test("§9.2: the default router unreachable by Neighbor Unreachability Detection leaves the router list and the node solicits at once for the next one", () => {
  const w = world();
  w.lan.run(6000);
  assert.equal(w.mn.board.counters().mip6_mn_registered, 1);
  // The router stops answering the mobile node (a one-way radio link): nothing from it arrives any more.
  w.lan.filter = (frame, from, to) => !(from === w.ha && to === w.mn);
  const rs0 = w.mn.board.counters().nd_tx_rs;
  // The node sends through its router (a datagram from its home address, through the reverse tunnel): its
  // entry goes STALE -> DELAY -> PROBE and fails (RFC 2461 §7.3.3: 5 s, then 3 probes 1 s apart).
  w.mn.board.output(echo6(ip6(HOME), ip6(CN), 13, 1));
  w.lan.run(12000);
  const ev = w.mn.cap.events.filter((e) => e.kind === 18).map((e) => e.data[1]);
  assert.equal(ev.at(-1), 0, "the default router left the list");
  assert.ok(w.mn.board.counters().nd_tx_rs > rs0, "a Router Solicitation went at once");
  // Heard again, the router is back.
  w.lan.filter = null;
  w.lan.run(5000);
  assert.equal(w.mn.cap.events.filter((e) => e.kind === 18).map((e) => e.data[1]).at(-1), 1, "the router is back");
});

test("issue 14: dump table 11 (agents) shows the mobile node's Mobile IPv6 home agent: at home, then registered with its care-of address", () => {
  const w = world();
  const before = w.mn.board.dump("agents");
  assert.equal(before.length, 1);
  assert.deepEqual([before[0].kind, before[0].address, before[0].state], [3, HA, 0], "the configured home agent, at home so far");
  w.lan.run(6000);
  const [a] = w.mn.board.dump("agents");
  assert.equal(a.kind, 3);
  assert.equal(a.address, HA);
  assert.equal(a.state, 1, "registered");
  assert.equal(a.careOf, w.ha.board.dump("bindings6")[0].careOf, "the care-of address the home agent bound");
  assert.ok(a.seq >= 1, "the last Binding Update's Sequence Number");
  assert.ok(a.expiresAtMs > w.clock.t && a.expiresAtMs !== Infinity, "its refresh is scheduled");
});
