// Issue 14: Mobile IPv6 home registrations survive a restart of the home agent, as the IPv4 bindings do
// (ha-restore.test.mjs). The board host persists dump table 9's home registrations and hands each back
// with config_add as a BINDING6 record (type 13, docs/abi.md); the core installs it as an accepted Binding
// Update would (seed 003 §8.2: Binding Cache entry, proxy that answers and defends the home address on the
// home link, gratuitous advertisements, expiry) with the greatest Sequence Number accepted, so a Binding
// Update replayed from before the restart is still refused; the AH SAs of the home address go on from the
// persisted sequence numbers (the mobile node's window would refuse a counter starting again at 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { mip6Links } from "./mip6-fixture.mjs";
import { ip6, fmt6, echo6, eth, pkt6, Lan, icmp6Packet } from "../lib/ip6.mjs";
import { dstOpts, parseOpts, baFields, sealed, ahOk, ahInfo, OPT, BU_A, BU_H } from "../lib/mip6.mjs";

const HA = "2001:db8:1::1", HA_F = "2001:db8:2::1", HOME = "2001:db8:1::64", COA = "2001:db8:2::c0a", CN = "2001:db8:1::c";
const HA_MAC = "02:00:00:00:01:01", HA_MAC_F = "02:00:00:00:02:01";
const KEY = "00112233445566778899aabbccddeeff00112233", ALG = "hmac-sha1-96";

function setup(roles = ["router", "home-agent"]) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const ha = startBoard({
    name: "ha", board: "emulated", roles, node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: HA_MAC, ipv4: "10.0.1.1/24", home: roles.includes("home-agent") }, { name: "eth1", mac: HA_MAC_F, ipv4: "10.0.2.1/24" }],
    ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_F}/64`, advertise: true }],
    ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64 }],
  }, { now: () => clock.t });
  const { cn, m, send, sent } = mip6Links(ha, lan, clock, { cn: CN, coa: COA });
  const bu = ({ buSeq, ahSeq = 100 + buSeq, lifetime = 600 }) =>
    sealed(ip6(COA), ip6(HA), 60, dstOpts(59, [{ type: "HAO", home: ip6(HOME) }, { type: "BU", flags: BU_A | BU_H, seq: buSeq, lifetime, idLen: 0 }]), { spi: 0x1000, alg: ALG, key: KEY, seq: ahSeq });
  const bas = (from) => sent(from, 1).filter((p) => ahInfo(p).spi === 0x2000 && ahInfo(p).next === 60).map((p) => parseOpts(p, ahInfo(p).at + 24).find((x) => x.type === OPT.BA)).filter(Boolean).map((o) => baFields(o.data));
  return { ha, cn, m, lan, clock, send, bu, sent, bas };
}

/** Echo from the correspondent to the home address: the tunnelled packets the home agent sent on the foreign link. */
function pingHome(t, n) {
  const from = t.ha.cap.tx.length;
  t.cn.board.output(echo6(ip6(CN), ip6(HOME), 3, n));
  t.lan.run(50);
  // (The inner packet an echo request: an MLD Query also goes down a new tunnel, mobility/mcast6.ts.)
  return t.sent(from, 1).filter((p) => p[6] === 51 && p[40] === 41 && p[64 + 6] === 58 && p[64 + 40] === 128);
}

/** config_add of one BINDING6 record (big-endian): 0 lifetimeSec u32 | 4 seq u16 | 6 idLen | 7 pad | 8 ahOutSeq | 12 ahInHighest | 16 home | 32 careOf. */
function restore(t, { left = 300, seq = 1, idLen = 0, out = 0, inHighest = 0, home = ip6(HOME), coa = ip6(COA), len = 48 } = {}) {
  const b = new Uint8Array(48), dv = new DataView(b.buffer);
  dv.setUint32(0, left); dv.setUint16(4, seq); b[6] = idLen; dv.setUint32(8, out); dv.setUint32(12, inHighest);
  b.set(home, 16); b.set(coa, 32);
  return t.ha.board.configAdd(Uint8Array.from([0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, 13, 0, 0, len, ...b.subarray(0, len)]));
}

/** Does the home agent answer a Neighbor Solicitation for the home address on the home link (DAD: from ::)? */
function defends(t) {
  const a = ip6(HOME);
  const body = new Uint8Array(16); body.set(a, 0);
  const group = ip6(`ff02::1:ff${a[13].toString(16).padStart(2, "0")}:${((a[14] << 8) | a[15]).toString(16)}`);
  const from = t.ha.cap.tx.length;
  t.ha.board.rx(0, eth(Uint8Array.of(0x33, 0x33, 0xff, a[13], a[14], a[15]), host.parseMac("02:00:00:00:01:0c"), 0x86dd, icmp6Packet(new Uint8Array(16), group, 135, 0, new Uint8Array(4), body, 255)));
  return t.sent(from, 0).some((p) => p[6] === 58 && p[40] === 136 && fmt6(p.subarray(48, 64)) === HOME);
}

test("a home registration persisted before a restart is restored: Binding Cache, proxy and DAD defence, tunnel with AH going on from the persisted counter, expiry", () => {
  // Before: registered, two packets tunnelled.
  const a = setup();
  a.send(a.bu({ buSeq: 7 }));
  assert.deepEqual(a.bas(0).map((b) => b.status), [0]);
  assert.equal(pingHome(a, 1).length, 1);
  const [row] = a.ha.board.dump("bindings6");
  assert.equal(row.seq, 7);
  assert.ok(row.ahOutSeq >= 2, "the dump carries the outbound AH counter: " + row.ahOutSeq);
  assert.equal(row.ahInHighest, 107, "and the highest AH sequence number accepted");
  // After the restart: a new board, the record as mipfw-board writes it (counter leased ahead).
  const t = setup();
  const events = t.ha.cap.events.length, from = t.ha.cap.tx.length;
  assert.deepEqual(restore(t, { left: 120, seq: 7, out: row.ahOutSeq + 1000, inHighest: 107 }), { code: 0, reason: "" });
  const [b] = t.ha.board.dump("bindings6");
  assert.deepEqual([b.home, b.careOf, b.seq, b.lifetimeSec, b.flags & 1, b.expiresAtMs], [HOME, COA, 7, 120, 1, t.clock.t + 120_000]);
  assert.equal(t.ha.cap.events.slice(events).filter((e) => e.kind === 8 && e.data[0] === 1).length, 1, "a BINDING add event");
  assert.ok(t.sent(from, 0).some((p) => p[6] === 58 && p[40] === 136 && fmt6(p.subarray(48, 64)) === HOME), "a gratuitous advertisement for the home address");
  assert.equal(defends(t), true, "the home address is answered for and defended on the home link again");
  const tun = pingHome(t, 2);
  assert.equal(tun.length, 1, "the correspondent's packet is intercepted and tunnelled to the care-of address");
  assert.equal(fmt6(tun[0].subarray(24, 40)), COA);
  assert.ok(ahOk(tun[0], ALG, KEY));
  assert.equal(ahInfo(tun[0]).seq, row.ahOutSeq + 1001, "AH goes on after the persisted (leased) counter, not from 1");
  t.clock.t += 120_001;
  t.lan.run(10);
  assert.equal(t.ha.board.dump("bindings6").length, 0, "expired at the restored time");
  assert.equal(defends(t), false, "and the proxy went with it");
});

test("a Binding Update replayed from before the restart is refused (AH window, then the Sequence Number: 134, or a retransmission that changes nothing); a newer one is accepted", () => {
  const t = setup();
  assert.equal(restore(t, { seq: 7, out: 5000, inHighest: 107 }).code, 0);
  const c0 = t.ha.board.counters();
  let from = t.ha.cap.tx.length;
  t.send(t.bu({ buSeq: 7 }));
  assert.equal(t.ha.board.counters().drop_ah_replay - c0.drop_ah_replay, 1, "the recorded packet: its AH sequence number was seen");
  assert.deepEqual(t.bas(from), []);
  // An older Binding Update under a fresh AH sequence number: the Binding Cache's Sequence Number refuses it
  // (134, §7.2), the cache untouched.
  const exp = t.ha.board.dump("bindings6")[0].expiresAtMs;
  t.clock.t += 1000;
  from = t.ha.cap.tx.length;
  t.send(t.bu({ buSeq: 6, ahSeq: 300 }));
  assert.deepEqual(t.bas(from).map((b) => b.status), [134], "Sequence Number too small");
  assert.equal(t.ha.board.counters().drop_mip6_sequence - c0.drop_mip6_sequence, 1);
  // The last one again (seq 7, same care-of address): a retransmission (§9.7), acknowledged, nothing changed.
  t.send(t.bu({ buSeq: 7, ahSeq: 301 }));
  assert.equal(t.ha.board.counters().mip6_bu_duplicate - c0.mip6_bu_duplicate, 1);
  assert.equal(t.ha.board.dump("bindings6")[0].expiresAtMs, exp, "the restored lifetime is not renewed by it");
  from = t.ha.cap.tx.length;
  t.send(t.bu({ buSeq: 8, ahSeq: 302 }));
  assert.deepEqual(t.bas(from).map((b) => b.status), [0]);
  assert.equal(t.ha.board.dump("bindings6")[0].seq, 8);
});

test("BINDING6 records: refused with a wrong length, an IPv4-mapped or off-link home address, and on a node without the home agent role; lifetime 0 restores nothing", () => {
  const t = setup();
  assert.deepEqual(restore(t, { len: 47 }), { code: 1, reason: "config: record length: expected 48..48, got 47" });
  const mapped = restore(t, { home: host.mappedAddress(host.parseIp("10.0.1.50")) });
  assert.equal(mapped.code, 1);
  assert.match(mapped.reason, /^config: binding: expected a unicast IPv6 address/);
  assert.deepEqual(restore(t, { home: ip6("2001:db8:9::64") }), { code: 1, reason: "config: binding: expected 0..0, got 133" });
  assert.deepEqual(restore(t, { left: 0 }), { code: 0, reason: "" });
  assert.equal(t.ha.board.dump("bindings6").length, 0);
  const r = setup(["router"]);
  assert.deepEqual(restore(r), { code: 1, reason: "config: binding: expected 0..0, got 129" });
});
