// IPv6 in the core (issue 12): stateless autoconfiguration from a router's advertisements with DAD,
// Neighbor Discovery between boards, echo, forwarding, errors; two or three boards on a small LAN
// (test/lib/ip6.mjs) with one clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, echo6, udp6, eth, pkt6, icmp6Of, icmp6Packet, addrEvents, addrStates, A6, Lan } from "../lib/ip6.mjs";

const R_MAC = "02:00:00:00:01:01", R_MAC1 = "02:00:00:00:02:01", H_MAC = "02:00:00:00:01:10", H2_MAC = "02:00:00:00:02:10";

const router = (extra = {}) => ({
  name: "r", board: "emulated", roles: ["router", "host"], node: { ipv6: "dual", raIntervalMs: 4000, raLifetimeSec: 1800 },
  interfaces: [{ name: "eth0", mac: R_MAC, ipv4: "10.0.1.1/24" }, { name: "eth1", mac: R_MAC1, ipv4: "10.0.2.1/24" }],
  ipv6: [{ iface: "eth0", address: "2001:db8:1::1/64", advertise: true }, { iface: "eth1", address: "2001:db8:2::1/64", advertise: true }],
  ...extra,
});
const hostNode = (name, mac, extra = {}) => ({
  name, board: "emulated", roles: ["host"], node: { ipv6: "dual" },
  interfaces: [{ name: "eth0", mac }], ...extra,
});

/** EUI-64 address of `mac` under the /64 `prefix` ("2001:db8:1::"). */
function slaac(prefix, mac) {
  const m = host.parseMac(mac);
  const a = ip6(prefix);
  a.set([m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]], 8);
  return fmt6(a);
}

function net() {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const start = (json) => { const n = startBoard(json, { now: () => clock.t }); return n; };
  return { clock, lan, start };
}

test("a host autoconfigures a global address from a router's advertisement after DAD; both addresses preferred", () => {
  const { lan, start, clock } = net();
  const r = start(router());
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  const t0 = clock.t;
  lan.run(6000);
  const st = addrStates(h.cap);
  const ll = slaac("fe80::", H_MAC), g = slaac("2001:db8:1::", H_MAC);
  assert.equal(st.get(ll), A6.PREFERRED, "link-local preferred");
  assert.equal(st.get(g), A6.PREFERRED, "global preferred");
  // The global address went through DAD: tentative first, one NS from :: for it.
  const ev = addrEvents(h.cap).filter((e) => e.addr === g);
  assert.deepEqual(ev.map((e) => e.state), [A6.TENTATIVE, A6.PREFERRED]);
  const c = h.board.counters();
  assert.ok(c.nd_tx_rs >= 1, "router solicitation sent");
  assert.ok(c.nd_rx_ra >= 1, "advertisement received");
  assert.equal(c.slaac_addresses, 1);
  assert.equal(c.nd_dad_duplicate, 0);
  // The router took the host's link-layer address from its solicitation, the host has a default router.
  const rtr = h.cap.events.filter((e) => e.kind === 18);
  assert.equal(rtr.length, 1);
  assert.equal(fmt6(rtr[0].data.subarray(4, 20)), slaac("fe80::", R_MAC));
  assert.ok(clock.t - t0 >= 1000);
});

test("ping6 both ways between autoconfigured hosts through a router; hop limit and echo replies", () => {
  const { lan, start } = net();
  const r = start(router());
  const h1 = start(hostNode("h1", H_MAC));
  const h2 = start(hostNode("h2", H2_MAC));
  lan.attach(r, 0, "a"); lan.attach(r, 1, "b"); lan.attach(h1, 0, "a"); lan.attach(h2, 0, "b");
  lan.run(6000);
  const a1 = ip6(slaac("2001:db8:1::", H_MAC)), a2 = ip6(slaac("2001:db8:2::", H2_MAC));
  assert.equal(h1.board.output(echo6(a1, a2, 7, 1)), 0);
  lan.run(50);
  const rep = h1.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129);
  assert.equal(rep.length, 1, "echo reply delivered to h1");
  assert.equal(fmt6(rep[0].subarray(8, 24)), fmt6(a2));
  assert.equal(rep[0][7], 63, "one router hop");
  // And the other way, to h1's link-local from nobody (scope): a link-local destination is not forwarded.
  assert.equal(h2.board.output(echo6(a2, a1, 8, 1)), 0);
  lan.run(50);
  assert.equal(h2.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129).length, 1);
  assert.ok(r.board.counters().ip6_forwarded >= 4);
  // Hop limit 1 through the router: Time Exceeded from the router back to h1.
  assert.equal(h1.board.output(echo6(a1, a2, 9, 1, 16, 1)), 0);
  lan.run(50);
  const te = h1.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 3);
  assert.equal(te.length, 1);
  assert.equal(fmt6(te[0].subarray(8, 24)), "2001:db8:1::1");
});

test("DAD: a configured address another host already holds is detected as a duplicate and never used", () => {
  const { lan, start } = net();
  const a = start(hostNode("a", H_MAC, { ipv6: [{ iface: "eth0", address: "2001:db8:1::5/64" }] }));
  lan.attach(a, 0, "a");
  lan.run(3000);
  assert.equal(addrStates(a.cap).get("2001:db8:1::5"), A6.PREFERRED);
  const b = start(hostNode("b", H2_MAC, { ipv6: [{ iface: "eth0", address: "2001:db8:1::5/64" }] }));
  lan.attach(b, 0, "a");
  lan.run(3000);
  assert.equal(addrStates(b.cap).get("2001:db8:1::5"), A6.DUPLICATE);
  assert.equal(b.board.counters().nd_dad_duplicate, 1);
  assert.equal(addrStates(a.cap).get("2001:db8:1::5"), A6.PREFERRED, "the holder keeps it");
  // b may not send from it: the local stack's packet is refused.
  assert.equal(b.board.output(echo6(ip6("2001:db8:1::5"), ip6(slaac("fe80::", H_MAC)), 1, 1)), 1);
  // and it does not answer for it: a's neighbour solicitation gets only a's own answer... (a resolves b's link-local fine)
  const before = b.board.counters().nd_tx_na;
  a.board.output(echo6(ip6("2001:db8:1::5"), ip6(slaac("fe80::", H2_MAC)), 2, 1));
  lan.run(100);
  assert.ok(b.board.counters().nd_tx_na >= before);
});

test("neighbour cache: an unsolicited advertisement without Override never replaces a cached address", () => {
  const { lan, start } = net();
  const r = start(router());
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  const ll = ip6(slaac("fe80::", R_MAC));
  const hl = ip6(slaac("fe80::", H_MAC));
  const nb = () => h.board.dumpRaw(2).map((x) => ({ mac: host.formatMac(x.subarray(0, 6)), state: x[6], addr: fmt6(x.subarray(16, 32)) })).filter((e) => e.addr === fmt6(ll));
  assert.equal(nb()[0].mac, R_MAC);
  // NA for the router's link-local from a forger's MAC: Router flag, no Solicited, no Override.
  const forged = host.parseMac("02:66:66:66:66:66");
  const body = new Uint8Array(24); body.set(ll, 0); body.set([2, 1], 16); body.set(forged, 18);
  const p = icmp6Packet(ll, ip6("ff02::1"), 136, 0, Uint8Array.of(0x80, 0, 0, 0), body, 255);
  h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), forged, 0x86dd, p));
  assert.equal(nb()[0].mac, R_MAC, "the cached address stays");
  // With Override it is taken (RFC 2461 §7.2.5) — the rule is about the flag, not about refusing NAs.
  const p2 = icmp6Packet(ll, ip6("ff02::1"), 136, 0, Uint8Array.of(0xa0, 0, 0, 0), body, 255);
  h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), forged, 0x86dd, p2));
  assert.equal(nb()[0].mac, "02:66:66:66:66:66");
  // Hop limit 254 (forwarded from elsewhere): invalid, dropped and counted, nothing changes.
  const back = icmp6Packet(ll, ip6("ff02::1"), 136, 0, Uint8Array.of(0xa0, 0, 0, 0), (() => { const b = body.slice(); b.set(host.parseMac(R_MAC), 18); return b; })(), 254);
  const inv = h.board.counters().drop_nd_invalid;
  h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), forged, 0x86dd, back));
  assert.equal(h.board.counters().drop_nd_invalid, inv + 1);
  assert.equal(nb()[0].mac, "02:66:66:66:66:66");
  void hl;
});

/** Fragments of the IPv6 packet `p` (no extension headers) with data pieces of `piece` bytes (a multiple of 8). */
function fragments(p, piece, ident = 0x1234) {
  const nh = p[6], data = p.subarray(40), out = [];
  for (let off = 0; off < data.length; off += piece) {
    const part = data.subarray(off, off + piece);
    const more = off + piece < data.length;
    const f = new Uint8Array(40 + 8 + part.length);
    f.set(p.subarray(0, 40)); f[6] = 44;
    f[4] = (8 + part.length) >> 8; f[5] = (8 + part.length) & 255;
    f[40] = nh; f[42] = (off >> 8) & 0xff; f[43] = (off & 0xf8) | (more ? 1 : 0);
    new DataView(f.buffer).setUint32(44, ident);
    f.set(part, 48);
    out.push(f);
  }
  return out;
}

test("fragments for the node are reassembled (shared pool); the reply leaves fragmented to the path MTU; overlaps and timeouts are handled", () => {
  const { lan, start, clock } = net();
  const r = start(router());
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  const a = ip6(slaac("2001:db8:1::", H_MAC)), ra = ip6("2001:db8:1::1");
  // A small echo first, so the router knows the host's link-layer address (the pending pool holds at
  // most two frames per unresolved neighbour: three fragments would lose one).
  h.board.output(echo6(a, ra, 20, 1));
  lan.run(50);
  const big = echo6(a, ra, 21, 1, 3000);
  const frames = fragments(big, 1232).map((f) => eth(host.parseMac(R_MAC), host.parseMac(H_MAC), 0x86dd, f));
  for (const f of frames.reverse()) r.board.rx(0, f); // out of order
  lan.run(50);
  const c = r.board.counters();
  assert.equal(c.ip_reassembled, 1);
  assert.equal(c.icmp6_tx_echo_reply, 2);
  assert.ok(c.ip6_fragmented >= 1 && c.ip6_fragments_tx >= 3, "the 3048-byte reply went out as fragments");
  // The host reassembles the reply and hands the whole to its local stack.
  const rep = h.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129 && p.length > 1000);
  assert.equal(rep.length, 1);
  assert.equal(rep[0].length, 40 + 8 + 3000);
  assert.equal(h.board.counters().ip_reassembled, 1);
  // An overlapping fragment discards the datagram (RFC 5722); a lone fragment 0 times out after 60 s
  // with Time Exceeded code 1 to the source.
  const f2 = fragments(echo6(a, ra, 22, 1, 3000), 1232, 0x5555).map((f) => eth(host.parseMac(R_MAC), host.parseMac(H_MAC), 0x86dd, f));
  r.board.rx(0, f2[0]);
  const ov = f2[1].slice(); ov[14 + 43] = (ov[14 + 43] & 7) | 0x08; // offset 1232 -> 1224+... overlap into piece 0
  ov[14 + 42] = 0x04; ov[14 + 43] = 0xc1; // offset 1216, more: overlaps fragment 0's last 16 bytes
  r.board.rx(0, ov);
  assert.equal(r.board.counters().drop_reasm_overlap, 1);
  r.board.rx(0, fragments(echo6(a, ra, 23, 1, 3000), 1232, 0x6666).map((f) => eth(host.parseMac(R_MAC), host.parseMac(H_MAC), 0x86dd, f))[0]);
  const before = h.cap.delivered.length;
  lan.run(61000, 100);
  assert.ok(r.board.counters().drop_reasm_timeout >= 1);
  const te = h.cap.delivered.slice(before).map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 3 && p[41] === 1);
  assert.equal(te.length, 1, "Time Exceeded, reassembly");
  void clock;
});

// Both families share the reassembly pool under one 40-byte key (family, protocol, Identification,
// addresses): fragments of an IPv4 and an IPv6 datagram with the same Identification bytes, interleaved,
// each complete only their own datagram.
test("interleaved IPv4 and IPv6 fragments with the same Identification reassemble into their own datagrams", async () => {
  const { udp: udp4, ipv4, ip: ip4, eth: eth4, mac } = await import("../lib/pkt.mjs");
  const { lan, start } = net();
  const r = start(router());
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  const toR = (p, type) => eth4(mac(R_MAC), mac(H_MAC), type, p);
  // IPv4: a 200-byte UDP datagram to r in two fragments (Identification 0x1234).
  const d4 = udp4(ip4("10.0.1.10"), ip4("10.0.1.1"), 4000, 9000, new Uint8Array(200).fill(4));
  const body = d4.subarray(20);
  const v4 = [ipv4(17, ip4("10.0.1.10"), ip4("10.0.1.1"), body.subarray(0, 104), { id: 0x1234, mf: true }),
    ipv4(17, ip4("10.0.1.10"), ip4("10.0.1.1"), body.subarray(104), { id: 0x1234, fragOff: 13 })];
  // IPv6: a UDP packet to r in two fragments whose Identification has the same first bytes (0x12340000).
  const v6 = fragments(udp6(ip6(slaac("2001:db8:1::", H_MAC)), ip6("2001:db8:1::1"), 4000, 9000, new Uint8Array(300).fill(6)), 160, 0x12340000);
  assert.equal(v6.length, 2);
  const before = r.cap.delivered.length;
  r.board.rx(0, toR(v4[0], 0x0800));
  r.board.rx(0, toR(v6[0], 0x86dd));
  r.board.rx(0, toR(v4[1], 0x0800));
  r.board.rx(0, toR(v6[1], 0x86dd));
  lan.run(50);
  assert.equal(r.board.counters().ip_reassembled, 2);
  const got = r.cap.delivered.slice(before).map((p) => new Uint8Array(p));
  const g4 = got.filter((p) => p[0] >> 4 === 4 && p[9] === 17);
  const g6 = got.filter((p) => p[0] >> 4 === 6 && p[6] === 17);
  assert.equal(g4.length, 1);
  assert.deepEqual(g4[0].subarray(20), body, "the IPv4 datagram, whole");
  assert.equal(g6.length, 1);
  assert.equal(g6[0].length, 40 + 8 + 300);
  assert.ok(g6[0].subarray(48).every((x) => x === 6), "the IPv6 payload, whole");
});

test("the IPv6 flow cache forwards a flow's later packets (flow_hits) and gives way to the full path when something it depends on changes", () => {
  const { lan, start } = net();
  const r = start(router());
  const h1 = start(hostNode("h1", H_MAC));
  const h2 = start(hostNode("h2", H2_MAC));
  lan.attach(r, 0, "a"); lan.attach(r, 1, "b"); lan.attach(h1, 0, "a"); lan.attach(h2, 0, "b");
  lan.run(6000);
  const a1 = ip6(slaac("2001:db8:1::", H_MAC)), a2 = ip6(slaac("2001:db8:2::", H2_MAC));
  const udp = (hl = 64) => udp6(a1, a2, 4000, 9000, new Uint8Array(100), hl);
  // r learns h2 (resolution: REACHABLE), then the flow.
  h1.board.output(udp()); lan.run(50);
  h1.board.output(udp()); lan.run(20);
  const c0 = r.board.counters();
  for (let i = 0; i < 5; i++) { h1.board.output(udp()); lan.run(5); }
  const c1 = r.board.counters();
  assert.equal(c1.flow_hits - c0.flow_hits, 5, "the flow cache forwarded them");
  assert.equal(c1.ip6_forwarded - c0.ip6_forwarded, 5);
  const got = () => h2.cap.delivered.filter((p) => new Uint8Array(p)[6] === 17).length;
  assert.equal(got(), 7);
  // Hop limit 1: the full path (Time Exceeded), not the cache.
  h1.board.output(udp(1)); lan.run(20);
  assert.equal(r.board.counters().flow_hits, c1.flow_hits);
  assert.equal(r.board.counters().drop_ip6_hop_limit, 1);
  // h2's link-layer address changes (an NA with Override): the next packet goes to the new address.
  const newMac = host.parseMac("02:00:00:00:02:99");
  const body = new Uint8Array(24); body.set(a2, 0); body.set([2, 1], 16); body.set(newMac, 18);
  r.board.rx(1, eth(host.parseMac("33:33:00:00:00:01"), newMac, 0x86dd, icmp6Packet(a2, ip6("ff02::1"), 136, 0, Uint8Array.of(0x20, 0, 0, 0), body, 255)));
  r.cap.tx.length = 0;
  h1.board.output(udp()); lan.run(20);
  const out = r.cap.tx.filter((t) => t.iface === 1 && host.etherType(t.frame) === 0x86dd && t.frame[14 + 6] === 17);
  assert.equal(out.length, 1);
  assert.equal(host.formatMac(out[0].frame.subarray(0, 6)), "02:00:00:00:02:99");
});

/** The neighbour entry of `addr` on a board: { mac, state, expires } or undefined (dump table 2). */
function nbEntry(board, addr) {
  const x = board.dumpRaw(2).find((r) => fmt6(r.subarray(16, 32)) === addr);
  return x && { mac: host.formatMac(x.subarray(0, 6)), state: x[6], expires: Number(new DataView(x.buffer, x.byteOffset).getBigInt64(8, true)) };
}
const NS_ = { INCOMPLETE: 1, REACHABLE: 2, STALE: 3, DELAY: 4, PROBE: 5 };

test("NUD (RFC 2461 §7.3): REACHABLE -> STALE after ReachableTime -> DELAY on use -> PROBE (unicast solicitations) -> gone; a solicited advertisement confirms", () => {
  const { lan, start, clock } = net();
  const r = start(router({ node: { ipv6: "dual", raIntervalMs: 600000, reachableTimeMs: 10000 } }));
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  const hg = slaac("2001:db8:1::", H_MAC), hgA = ip6(hg);
  // r resolves h's global address (INCOMPLETE -> REACHABLE by h's solicited NA).
  r.board.output(echo6(ip6("2001:db8:1::1"), hgA, 1, 1));
  lan.run(20);
  assert.equal(nbEntry(r.board, hg).state, NS_.REACHABLE);
  // ReachableTime is random in [0.5, 1.5] x 10 s: after 15 s it is STALE, its address kept.
  lan.run(15500, 100);
  assert.equal(nbEntry(r.board, hg).state, NS_.STALE);
  assert.equal(nbEntry(r.board, hg).mac, H_MAC);
  // Used: DELAY (the packet goes at once to the cached address).
  lan.filter = () => false; // h goes silent
  const tx0 = r.cap.tx.length;
  r.board.output(echo6(ip6("2001:db8:1::1"), hgA, 1, 2));
  assert.equal(nbEntry(r.board, hg).state, NS_.DELAY);
  assert.ok(r.cap.tx.slice(tx0).some((t) => pkt6(t.frame)?.[40] === 128 && host.formatMac(t.frame.subarray(0, 6)) === H_MAC), "sent to the STALE address");
  // 5 s later (DELAY_FIRST_PROBE_TIME): PROBE, a unicast NS to the cached MAC every RetransTimer.
  const n0 = r.cap.tx.length;
  lan.run(5100, 50);
  assert.equal(nbEntry(r.board, hg).state, NS_.PROBE);
  const probes = () => r.cap.tx.slice(n0).filter((t) => { const m = icmp6Of(pkt6(t.frame)); return m && m[0] === 135 && host.formatMac(t.frame.subarray(0, 6)) === H_MAC; });
  assert.equal(probes().length, 1, "the first probe is unicast to the cached address");
  // MAX_UNICAST_SOLICIT (3) unanswered: the entry goes.
  lan.run(3100, 50);
  assert.equal(probes().length, 3);
  assert.equal(nbEntry(r.board, hg), undefined, "deleted after three unanswered probes");
  // A solicited NA confirms: resolve again with h listening.
  lan.filter = null;
  r.board.output(echo6(ip6("2001:db8:1::1"), hgA, 1, 3));
  lan.run(20);
  assert.equal(nbEntry(r.board, hg).state, NS_.REACHABLE);
  void clock;
});

test("Redirects are taken only from the current first-hop router for the destination (RFC 2461 §8.1)", () => {
  const { lan, start } = net();
  const r = start(router());
  const h = start(hostNode("h", H_MAC));
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  const dest = "2001:db8:9::5", better = "fe80::99";
  const redirect = (fromLl, fromMac) => {
    const body = new Uint8Array(32 + 8); body.set(ip6(better), 0); body.set(ip6(dest), 16); body.set([2, 1], 32); body.set(host.parseMac("02:00:00:00:01:99"), 34);
    h.board.rx(0, eth(host.parseMac(H_MAC), host.parseMac(fromMac), 0x86dd, icmp6Packet(ip6(fromLl), ip6(slaac("2001:db8:1::", H_MAC)), 137, 0, new Uint8Array(4), body, 255)));
  };
  const sent = () => h.cap.tx.filter((t) => { const p = pkt6(t.frame); return p && p[6] === 58 && p[40] === 128 && fmt6(p.subarray(24, 40)) === dest; });
  // From a node that is not h's router for the destination: refused, counted, nothing changes.
  redirect("fe80::66", "02:00:00:00:01:66");
  assert.equal(h.board.counters().drop_nd_redirect, 1);
  h.board.output(echo6(ip6(slaac("2001:db8:1::", H_MAC)), ip6(dest), 5, 1)); lan.run(20);
  assert.equal(host.formatMac(sent().at(-1).frame.subarray(0, 6)), R_MAC, "still through the router");
  // From the router itself (its link-local address): taken; the next packet goes to the better hop.
  redirect(slaac("fe80::", R_MAC), R_MAC);
  assert.equal(h.board.counters().drop_nd_redirect, 1);
  h.board.output(echo6(ip6(slaac("2001:db8:1::", H_MAC)), ip6(dest), 5, 2)); lan.run(20);
  assert.equal(host.formatMac(sent().at(-1).frame.subarray(0, 6)), "02:00:00:00:01:99", "to the redirect's target");
});

test("a router advertises every 1/3..1 of raIntervalMs (the first three at most 16 s apart) and answers a solicitation, not sooner than MIN_DELAY_BETWEEN_RAS", () => {
  const { lan, start, clock } = net();
  const r = start(router({ node: { ipv6: "dual", raIntervalMs: 30000, raLifetimeSec: 1800 } }));
  lan.attach(r, 0, "a");
  const ras = () => r.cap.tx.filter((t) => t.iface === 0 && icmp6Of(pkt6(t.frame))?.[0] === 134).map((t) => t.t);
  // Record times of transmission.
  const orig = r.cap.tx.push.bind(r.cap.tx);
  r.cap.tx.push = (x) => orig({ ...x, t: clock.t });
  lan.run(200000, 100);
  const t = ras();
  assert.ok(t.length >= 8, `${t.length} advertisements`);
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  for (const g of gaps.slice(0, 2)) assert.ok(g <= 16000 + 100, `initial gap ${g}`);
  for (const g of gaps.slice(3)) assert.ok(g >= 10000 - 100 && g <= 30000 + 100, `gap ${g} outside [MinRtrAdvInterval, MaxRtrAdvInterval]`);
  // A host that starts solicits; the answer comes long before the next periodic advertisement, and no
  // two advertisements are ever closer than MIN_DELAY_BETWEEN_RAS (3 s).
  const h = start(hostNode("h", H_MAC));
  const horig = h.cap.tx.push.bind(h.cap.tx);
  h.cap.tx.push = (x) => horig({ ...x, t: clock.t });
  lan.attach(h, 0, "a");
  const last = ras().at(-1);
  lan.run(6000, 10);
  const rs = h.cap.tx.filter((x) => icmp6Of(pkt6(x.frame))?.[0] === 133)[0];
  assert.ok(rs, "the host solicited");
  const answer = ras().find((x) => x >= rs.t);
  assert.ok(answer !== undefined && answer - Math.max(rs.t, last + 3000) <= 20, `answered at ${answer}, solicitation at ${rs.t}, previous advertisement at ${last}`);
  const all = ras();
  for (let i = 1; i < all.length; i++) assert.ok(all[i] - all[i - 1] >= 3000, `advertisements ${all[i] - all[i - 1]} ms apart`);
});

test("routes6: two IPv6 routers joined by a core link route each other's prefixes through static routes (configuration `routes6`, the ROUTE record with IPv6 addresses); a host behind each pings the other", () => {
  const { lan, start } = net();
  const rr = (name, macs, own, core, peerCore, remote) => ({
    name, board: "emulated", roles: ["router"], node: { ipv6: "only" },
    interfaces: [{ name: "eth0", mac: macs[0] }, { name: "eth1", mac: macs[1] }],
    ipv6: [{ iface: "eth0", address: own, advertise: true }, { iface: "eth1", address: core }],
    routes6: [{ dest: remote, via: peerCore, iface: "eth1" }],
  });
  const r1 = start(rr("r1", ["02:00:00:00:0a:01", "02:00:00:00:0c:01"], "2001:db8:a::1/64", "2001:db8:c::1/64", "2001:db8:c::2", "2001:db8:b::/64"));
  const r2 = start(rr("r2", ["02:00:00:00:0b:02", "02:00:00:00:0c:02"], "2001:db8:b::1/64", "2001:db8:c::2/64", "2001:db8:c::1", "default"));
  const h = start({ ...hostNode("h", H_MAC), node: { ipv6: "only" } });
  const g = start({ ...hostNode("g", H2_MAC), node: { ipv6: "only" } });
  lan.attach(r1, 0, "a"); lan.attach(r1, 1, "c"); lan.attach(r2, 0, "b"); lan.attach(r2, 1, "c"); lan.attach(h, 0, "a"); lan.attach(g, 0, "b");
  lan.run(6000);
  const hg = slaac("2001:db8:b::", H2_MAC), hh = slaac("2001:db8:a::", H_MAC);
  h.board.output(echo6(ip6(hh), ip6(hg), 3, 1));
  lan.run(200);
  const replies = h.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129 && fmt6(p.subarray(8, 24)) === hg);
  assert.equal(replies.length, 1, "the echo crossed both routers and came back");
  assert.ok(r1.board.counters().ip6_forwarded >= 2 && r2.board.counters().ip6_forwarded >= 2);
  assert.deepEqual(r2.board.dump("routes").map((r) => [r.dest6, r.prefixLen, r.gateway6, r.iface]), [["::", 0, "2001:db8:c::1", 1]], "the default route, as dumped");
  // A gateway that is not IPv6 is refused, naming the field.
  assert.throws(() => start(rr("r3", ["02:00:00:00:0d:01", "02:00:00:00:0d:02"], "2001:db8:d::1/64", "2001:db8:c::3/64", "10.0.0.1", "default")), /routes6\[0\]\.via: expected an IPv6 gateway address/);
});
