// Mobile IPv6 on every IPv6 node (seed 003 §6, §7; issue 13 point 2): a board as correspondent node. The
// test plays the mobile node with its own AH (test/lib/mip6.mjs, node:crypto): it seals Binding Updates
// the board must verify, and verifies the board's Binding Acknowledgements (ICV, SPI, sequence).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, echo6, udp6, eth, pkt6, Lan, addrStates, A6, icmp6Packet, ipv6Packet } from "../lib/ip6.mjs";
import { dstOpts, parseOpts, baFields, sealed, ahOk, ahInfo, OPT, BU_A, BU_H } from "../lib/mip6.mjs";

const B = "2001:db8:1::b", COA = "2001:db8:1::c0a", COA2 = "2001:db8:1::c0b";
const HOME = "2001:db8:77::64", HOME2 = "2001:db8:77::65";
const B_MAC = "02:00:00:00:01:0b", M_MAC = "02:00:00:00:01:0c", M2_MAC = "02:00:00:00:01:0d";
const KEY = "00112233445566778899aabbccddeeff00112233", KEY2 = "ffeeddccbbaa99887766554433221100ffeeddcc";
const ALG = "hmac-sha1-96";
// The mobile node sends with SPI 0x1000 (the board's spiIn), the board with 0x2000.
const SA = { spi: 0x1000, alg: ALG, key: KEY };

function setup() {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const b = startBoard({
    name: "b", board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: B_MAC }],
    ipv6: [{ iface: "eth0", address: `${B}/64` }],
    ipsec: [
      { peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64 },
      { peer: HOME2, spiIn: 0x3000, spiOut: 0x4000, algorithm: ALG, key: KEY2, window: 64 },
    ],
  }, { now: () => clock.t });
  // The care-of addresses answer Neighbor Solicitations (plain hosts): the board's packets to them go out.
  const m = startBoard({
    name: "m", board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: M_MAC }], ipv6: [{ iface: "eth0", address: `${COA}/64` }],
  }, { now: () => clock.t });
  const m2 = startBoard({
    name: "m2", board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: M2_MAC }], ipv6: [{ iface: "eth0", address: `${COA2}/64` }],
  }, { now: () => clock.t });
  for (const n of [b, m, m2]) lan.attach(n, 0, "l");
  lan.run(3000);
  assert.equal(addrStates(b.cap).get(B), A6.PREFERRED);
  let seq = 0;
  const c = () => b.board.counters();
  /** The mobile node sends `pkt` (an IPv6 packet) from its care-of address's MAC. */
  const send = (pkt, mac = M_MAC) => { b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(mac), 0x86dd, pkt)); lan.run(20); };
  /** A Binding Update from HOME at care-of address `coa`, AH sequence `ahSeq` (default: next). */
  const bu = ({ flags = BU_A, buSeq, lifetime = 600, coa = COA, home = HOME, sa = SA, ahSeq, payload = null, idLen = 0 }) => {
    const inner = dstOpts(payload ? 58 : 59, [{ type: "HAO", home: ip6(home) }, { type: "BU", flags, seq: buSeq, lifetime, idLen }]);
    const body = payload ? Uint8Array.from([...inner, ...payload]) : inner;
    return sealed(ip6(coa), ip6(B), 60, body, { ...sa, seq: ahSeq ?? ++seq });
  };
  /** Frames the board sent since `from` as IPv6 packets. */
  const sent = (from) => b.cap.tx.slice(from).map((t) => pkt6(t.frame)).filter(Boolean);
  /** Binding Acknowledgements the board sent since `from`: { pkt, ba }. */
  const bas = (from) => sent(from).filter((p) => ahInfo(p).spi === 0x2000 || ahInfo(p).spi === 0x4000).map((p) => {
    const a = ahInfo(p);
    const o = parseOpts(p, a.at + 24).find((x) => x.type === OPT.BA);
    return o ? { pkt: p, ba: baFields(o.data) } : null;
  }).filter(Boolean);
  return { b, m, lan, clock, c, send, bu, sent, bas };
}

/** The destination a packet really goes to: [IPv6 dst, routing header address or null]. */
function route(p) {
  return [fmt6(p.subarray(24, 40)), p[6] === 43 ? fmt6(p.subarray(48, 64)) : null];
}

test("§7.2-§7.5: an authenticated Binding Update is cached and acknowledged through a Routing header, with AH the mobile node verifies", () => {
  const t = setup();
  const from = t.b.cap.tx.length;
  t.send(t.bu({ buSeq: 10 }));
  assert.equal(t.c().mip6_bu_accepted, 1);
  assert.equal(t.c().mip6_hao_rx, 1);
  const acks = t.bas(from);
  assert.equal(acks.length, 1, "one Binding Acknowledgement");
  const { pkt, ba } = acks[0];
  assert.deepEqual(ba, { status: 0, seq: 10, lifetime: 600, refresh: 600 });
  // §7.5: to the care-of address, the home address in a type 0 Routing header; from the address the update went to.
  assert.deepEqual(route(pkt), [COA, HOME]);
  assert.equal(fmt6(pkt.subarray(8, 24)), B);
  assert.equal(pkt[40 + 2], 0, "routing type 0");
  assert.equal(pkt[40 + 3], 1, "segments left 1");
  // §5.2 MUST: AH, our SPI, sequence 1, an ICV the mobile node's own implementation verifies.
  assert.equal(ahInfo(pkt).spi, 0x2000);
  assert.equal(ahInfo(pkt).seq, 1);
  assert.ok(ahOk(pkt, ALG, KEY), "ICV verifies under the home address's key");
});

test("§7.9: what the correspondent sends to a bound home address goes by way of the care-of address; §7.4 deletion sends it home again", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 1 }));
  let from = t.b.cap.tx.length;
  assert.equal(t.b.board.output(echo6(ip6(B), ip6(HOME), 7, 1)), 0);
  t.lan.run(10);
  const out = t.sent(from).filter((p) => ahInfo(p).spi === 0x2000);
  assert.equal(out.length, 1);
  assert.deepEqual(route(out[0]), [COA, HOME]);
  assert.ok(ahOk(out[0], ALG, KEY));
  assert.equal(t.c().mip6_routed, 1);
  // Lifetime 0 deletes the binding (§7.4): the next echo goes to the home address itself.
  t.send(t.bu({ buSeq: 2, lifetime: 0 }));
  from = t.b.cap.tx.length;
  t.b.board.output(echo6(ip6(B), ip6(HOME), 7, 2));
  t.lan.run(10);
  assert.equal(t.c().mip6_routed, 1, "no longer routed through the care-of address");
  assert.equal(t.bas(0).at(-1).ba.status, 0);
});

test("§7.1: a packet with a Home Address option reaches the upper layer from the home address; the echo reply goes back through the binding", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 1 }));
  // An echo request from the care-of address with a Home Address option (no Binding Update), protected.
  const req = echo6(ip6(HOME), ip6(B), 9, 1).subarray(40); // ICMPv6 checksum over the home address (§7.1)
  const pkt = sealed(ip6(COA), ip6(B), 60, Uint8Array.from([...dstOpts(58, [{ type: "HAO", home: ip6(HOME) }]), ...req]), { ...SA, seq: 50 });
  const from = t.b.cap.tx.length;
  t.send(pkt);
  const replies = t.sent(from).filter((p) => ahInfo(p).next === 58 || p[6] === 43);
  assert.equal(replies.length, 1, "one echo reply");
  assert.deepEqual(route(replies[0]), [COA, HOME]);
  assert.equal(t.c().mip6_hao_rx, 2);
});

test("§7.1: what goes up to the local stack comes from the home address without the processed Home Address option (a Linux stack behind the TUN drops the draft's option with a Parameter Problem, and more than 7 bytes of padding silently)", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 1 }));
  const data = new TextEncoder().encode("hello-cn");
  const u = udp6(ip6(HOME), ip6(B), 4000, 7000, data).subarray(40); // UDP checksum over the home address (§7.1)
  const n0 = t.b.cap.delivered.length;
  t.send(sealed(ip6(COA), ip6(B), 60, Uint8Array.from([...dstOpts(17, [{ type: "HAO", home: ip6(HOME) }]), ...u]), { ...SA, seq: 60 }));
  const got = t.b.cap.delivered.slice(n0).map((p) => new Uint8Array(p));
  assert.equal(got.length, 1, "delivered");
  const p = got[0];
  assert.equal(fmt6(p.subarray(8, 24)), HOME, "from the home address");
  assert.equal(fmt6(p.subarray(24, 40)), B);
  assert.equal(p[6], 17, "UDP right after the IPv6 header: AH and the Destination Options header removed");
  assert.equal((p[4] << 8) | p[5], u.length, "Payload Length");
  assert.equal(p.length, 40 + u.length);
  assert.deepEqual([...p.subarray(40)], [...u], "the datagram intact (its checksum over the home address holds)");
  assert.equal(t.c().mip6_hao_rx, 2);
});

test("forged, replayed, unauthenticated and out-of-sequence Binding Updates change nothing", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 100 }));
  const genuine = t.bu({ buSeq: 101, coa: COA2 });
  const base = () => { const k = t.c(); return { acc: k.mip6_bu_accepted, ba: k.mip6_ba_tx }; };
  const before = base();
  const stillAt = (coa) => {
    const from = t.b.cap.tx.length;
    t.b.board.output(echo6(ip6(B), ip6(HOME), 1, 1));
    t.lan.run(10);
    const p = t.sent(from).find((x) => x[6] === 43);
    assert.equal(p && fmt6(p.subarray(24, 40)), coa, "the binding still points at " + coa);
  };
  // Forged ICV.
  const forged = genuine.slice(); forged[forged.length - 1] ^= 1;
  t.send(forged);
  assert.equal(t.c().drop_ah_icv, 1);
  // Without AH: the same options, plain.
  // Without AH: the peer's inbound policy (AH required) drops it; for a home address without any security
  // association the Mobile IPv6 layer refuses it itself (§7.2 first test).
  const plain = (home) => ipv6Packet(ip6(COA2), ip6(B), 60, dstOpts(59, [{ type: "HAO", home: ip6(home) }, { type: "BU", flags: BU_A, seq: 102, lifetime: 600 }]));
  t.send(plain(HOME));
  assert.equal(t.c().drop_ah_required, 1);
  t.send(plain("2001:db8:77::99"));
  assert.equal(t.c().drop_mip6_unauth, 1);
  // Another mobile node's key for this home address: no SA of HOME has that SPI.
  t.send(t.bu({ buSeq: 103, coa: COA2, sa: { spi: 0x3000, alg: ALG, key: KEY2 } }));
  assert.equal(t.c().drop_ah_no_sa, 1);
  assert.deepEqual(base(), before, "nothing accepted or acknowledged");
  stillAt(COA);
  // The genuine one is accepted; its replay is not.
  t.send(genuine);
  assert.equal(t.c().mip6_bu_accepted, 2);
  stillAt(COA2);
  t.send(genuine);
  assert.equal(t.c().drop_ah_replay, 1);
  // Out of sequence (valid AH, smaller Binding Update sequence): status 134, binding unchanged (§7.2, §5.2).
  const from = t.b.cap.tx.length;
  t.send(t.bu({ buSeq: 50, coa: COA }));
  assert.equal(t.c().drop_mip6_sequence, 1);
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [134]);
  stillAt(COA2);
});

test("§8.2: a home registration at a node that is no home agent is refused with 132; a short Binding Update is dropped", () => {
  const t = setup();
  const from = t.b.cap.tx.length;
  t.send(t.bu({ buSeq: 1, flags: BU_A | BU_H, idLen: 64 }));
  assert.deepEqual(t.bas(from).map((x) => x.ba.status), [132]);
  assert.equal(t.c().mip6_rejected, 1);
  // Option Length 6 < 8 (§7.2): silently ignored.
  const inner = dstOpts(59, [{ type: "HAO", home: ip6(HOME) }, { raw: [OPT.BU, 6, 0x80, 0, 0, 9, 0, 0], align: [4, 2] }]);
  t.send(sealed(ip6(COA), ip6(B), 60, inner, { ...SA, seq: 77 }));
  assert.equal(t.c().drop_mip6_malformed, 1);
  assert.equal(t.bas(from).length, 1);
});

test("§7.6: a binding in use gets a Binding Request before it expires; §7.7 it is gone after its lifetime", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 1, lifetime: 8 }));
  // In use: the board sends to the home address now and then.
  const from = t.b.cap.tx.length;
  t.b.board.output(echo6(ip6(B), ip6(HOME), 1, 1));
  t.lan.run(4000);
  assert.equal(t.c().mip6_br_tx, 0, "not yet: 4 s of 8 left");
  t.lan.run(2500);
  assert.equal(t.c().mip6_br_tx, 1, "one Binding Request within the last 2 s");
  const br = t.sent(from).filter((p) => p[6] === 43).find((p) => { const a = ahInfo(p); return a.at > 0 && parseOpts(p, a.at + 24).some((o) => o.type === OPT.BR); });
  assert.ok(br, "the request went through the binding, with AH");
  assert.deepEqual(route(br), [COA, HOME]);
  // Not in use since: no second request; expired at 8 s: sent home directly.
  t.lan.run(3000);
  assert.equal(t.c().mip6_br_tx, 1);
  const after = t.b.cap.tx.length;
  t.b.board.output(echo6(ip6(B), ip6(HOME), 1, 2));
  t.lan.run(10);
  assert.equal(t.sent(after).filter((p) => p[6] === 43).length, 0, "expired: no routing header");
});

test("§7.8: repeated Destination Unreachable about packets sent through a binding deletes it", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 1 }));
  const from = t.b.cap.tx.length;
  t.b.board.output(echo6(ip6(B), ip6(HOME), 1, 1));
  t.lan.run(10);
  const p = t.sent(from).find((x) => x[6] === 43);
  // Errors about a packet that did not go through the binding (another care-of address) count for nothing.
  const other = Uint8Array.from(p.subarray(0, 120)); other.set(ip6(COA2), 24);
  for (let i = 0; i < 3; i++) t.send(icmp6Packet(ip6("2001:db8:1::1"), ip6(B), 1, 3, new Uint8Array(4), other));
  assert.equal(t.c().mip6_bc_unreach_deleted ?? 0, 0, "not about this binding");
  // A router near the care-of address answers "address unreachable" (code 3) quoting it.
  const err = () => icmp6Packet(ip6("2001:db8:1::1"), ip6(B), 1, 3, new Uint8Array(4), p.subarray(0, 120));
  t.send(err());
  assert.equal(t.c().mip6_bc_unreach_deleted, 0, "one is not persistent");
  t.send(err());
  assert.equal(t.c().mip6_bc_unreach_deleted, 1);
  const after = t.b.cap.tx.length;
  t.b.board.output(echo6(ip6(B), ip6(HOME), 1, 2));
  t.lan.run(10);
  assert.equal(t.sent(after).filter((x) => x[6] === 43).length, 0);
});

// ---- the Lua dissector decodes the draft's options (issue 13.7) -------------------------------------
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const LUA = fileURLToPath(new URL("../../tools/wireshark/mipfw.lua", import.meta.url));
const tv = spawnSync("tshark", ["-v"], { encoding: "utf8" });
const noLua = tv.error || tv.status !== 0 ? "tshark not on PATH (apt-get install tshark)" : !/\bwith Lua\b/i.test(tv.stdout) ? "tshark without Lua" : false;

test("tools/wireshark/mipfw.lua decodes Binding Update, Acknowledgement and Home Address as the draft lays them out; tshark finds nothing malformed", { skip: noLua }, () => {
  const t = setup();
  const frames = [];
  const bu = t.bu({ buSeq: 4242, lifetime: 321 });
  frames.push(eth(host.parseMac(B_MAC), host.parseMac(M_MAC), 0x86dd, bu));
  const from = t.b.cap.tx.length;
  t.send(bu);
  const ba = t.b.cap.tx.slice(from).map((x) => x.frame).find((f) => { const p = pkt6(f); return p && p[6] === 43; });
  assert.ok(ba, "the board's acknowledgement");
  frames.push(ba);
  // A short Binding Update option (Length 6): the expert info says so.
  frames.push(eth(host.parseMac(B_MAC), host.parseMac(M_MAC), 0x86dd,
    ipv6Packet(ip6(COA), ip6(B), 60, dstOpts(59, [{ type: "HAO", home: ip6(HOME) }, { raw: [OPT.BU, 6, 0x80, 0, 0, 9, 0, 0], align: [4, 2] }]))));
  const dir = mkdtempSync(join(tmpdir(), "mipfw-mip6-"));
  try {
    const pcap = new host.PcapBuffer();
    frames.forEach((f, i) => pcap.write(i * 1000, f));
    const file = join(dir, "mip6.pcap");
    writeFileSync(file, pcap.bytes());
    const r = spawnSync("tshark", ["-X", `lua_script:${LUA}`, "-r", file, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
      "-e", "mip6d4.type", "-e", "mip6d4.seq", "-e", "mip6d4.lifetime", "-e", "mip6d4.bu.a", "-e", "mip6d4.ba.status", "-e", "mip6d4.hao", "-e", "_ws.expert.message"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!/Lua: Error|LuaError/i.test(r.stdout + r.stderr), r.stderr);
    const rows = r.stdout.trim().split("\n").map((l) => l.split("\t"));
    assert.equal(rows[0][0], "0xc9,0xc6");
    assert.equal(rows[0][1], "4242");
    assert.equal(rows[0][2], "321");
    assert.equal(rows[0][3], "1");
    assert.equal(rows[0][5], HOME);
    assert.equal(rows[1][0], "0x07");
    assert.equal(rows[1][1], "4242");
    assert.equal(rows[1][4], "0");
    assert.match(rows[2][6], /Binding Update: Option Length 6, expected at least 8/);
    // The two well-formed frames: no malformed-packet warning from any dissector.
    const v = spawnSync("tshark", ["-X", `lua_script:${LUA}`, "-r", file, "-Y", "frame.number <= 2", "-V"], { encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(v.status, 0);
    assert.ok(!/Malformed|Expert Info \(Error/.test(v.stdout), v.stdout.slice(0, 3000));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("the Binding Cache is visible as dump table 9 (bindings6): home, care-of address, lifetime, sequence, flags", () => {
  const t = setup();
  assert.deepEqual(t.b.board.dump("bindings6"), []);
  t.send(t.bu({ buSeq: 77, lifetime: 300 }));
  const [r, ...rest] = t.b.board.dump("bindings6");
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...r, expiresAtMs: r.expiresAtMs - t.clock.t }, { home: HOME, careOf: COA, expiresAtMs: 300000 - 20, lifetimeSec: 300, seq: 77, idLen: 0, flags: 0, ahOutSeq: 1, ahInHighest: 1 },
    "(firmware.wasm has RESTORE: the home address's AH counters follow, docs/abi.md table 9)");
  t.send(t.bu({ buSeq: 78, lifetime: 0xffffffff }));
  assert.equal(t.b.board.dump("bindings6")[0].expiresAtMs, Infinity);
});

test("binding events: the correspondent reports its cache as the route-optimization cache does (add, refresh, delete, expire, refused), with IPv6 addresses", () => {
  const t = setup();
  const evs = () => t.b.cap.events.filter((e) => e.kind === 14).map((e) => { const d = new Uint8Array(e.data); return [d[0], d[1], fmt6(d.subarray(4, 20)), fmt6(d.subarray(20, 36))]; });
  t.send(t.bu({ buSeq: 1, lifetime: 30 }));
  t.send(t.bu({ buSeq: 2, lifetime: 30 }));
  t.send(t.bu({ buSeq: 3, lifetime: 0 }));
  t.send(t.bu({ buSeq: 4, lifetime: 2 }));
  t.lan.run(3000);
  t.send(t.bu({ buSeq: 5, flags: BU_A | BU_H }));
  assert.deepEqual(evs(), [[1, 0, HOME, COA], [2, 0, HOME, COA], [3, 0, HOME, COA], [1, 0, HOME, COA], [4, 0, HOME, COA]]);
});

test("§9.7 retransmission: an update repeating the cached binding (same sequence, same care-of address) is acknowledged again, status 0, nothing changed; with another care-of address the same sequence is still 134", () => {
  const t = setup();
  t.send(t.bu({ buSeq: 10, lifetime: 600 }));
  assert.equal(t.c().mip6_bu_accepted, 1);
  const from = t.b.cap.tx.length;
  // The acknowledgement was lost; the mobile node retransmits (new AH sequence, same Binding Update sequence).
  t.send(t.bu({ buSeq: 10, lifetime: 600 }));
  const again = t.bas(from);
  assert.deepEqual(again.map((x) => [x.ba.status, x.ba.seq]), [[0, 10]], "acknowledged again");
  assert.ok(again[0].ba.lifetime <= 600 && again[0].ba.lifetime >= 599, `the lifetime left: ${again[0].ba.lifetime}`);
  assert.equal(t.c().mip6_bu_duplicate, 1);
  assert.equal(t.c().mip6_bu_accepted, 1, "not a new binding");
  const from2 = t.b.cap.tx.length;
  t.send(t.bu({ buSeq: 10, lifetime: 600, coa: "2001:db8:1::c0b" }));
  assert.deepEqual(t.bas(from2).map((x) => x.ba.status), [134], "a different binding with the same sequence: too small");
  assert.equal(t.b.board.dump("bindings6")[0].careOf, COA, "unchanged");
});
