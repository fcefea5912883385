// IPv6-in-IPv6 tunnels (issue 12.5, RFC 2473): tunnel interfaces of the IPv6 route decision. Two routers
// r1 and r2 joined by a core link tunnel the prefixes behind each other; hosts h1 (behind r1) and h2
// (behind r2) ping through the tunnel. Tunnels are set at run time by the layers above (Mobile IPv6,
// issue 13), so this test build adds two exports to add them. Also: decapsulation only from a tunnel's
// remote end, no tunnelled Neighbor Discovery, Packet Too Big at the tunnel MTU, and an ICMPv6 error
// about a tunnel packet relayed to the inner source (§8).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, compileTestModule } from "./helpers.mjs";
import { ip6, fmt6, echo6, eth, pkt6, ipv6Packet, icmp6Packet, Lan, addrStates, A6 } from "../lib/ip6.mjs";

const ENTRY_SRC = `export * from "./index";
import { tun6Add } from "./stack/tunnel6";
const buf = memory.data(48, 8);
export function test_buf(): usize { return buf; }
/** A tunnel for the prefix at buf / plen to the remote end at buf + 16 (local: buf + 32). */
export function test_tun6_add(plen: i32): i32 { return tun6Add(buf, plen, buf + 16, buf + 32) ? 1 : 0; }
`;
let mod;
before(async () => { mod = await compileTestModule("tun6", ENTRY_SRC); });

const R1A = "02:00:00:00:01:01", R1C = "02:00:00:00:09:01", R2C = "02:00:00:00:09:02", R2B = "02:00:00:00:02:02";
const H1 = "02:00:00:00:01:10", H2 = "02:00:00:00:02:10";

function addTunnel(b, prefix, plen, remote, local = "::") {
  const m = new Uint8Array(b.board.x.memory.buffer, b.board.x.test_buf(), 48);
  m.set(ip6(prefix), 0); m.set(ip6(remote), 16); m.set(ip6(local), 32);
  return b.board.x.test_tun6_add(plen);
}

function world(r1Extra = {}) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const opts = { now: () => clock.t, module: mod };
  const router = (name, ifs, addrs, extra = {}) => startBoard({ name, board: "emulated", roles: ["router", "host"], node: { ipv6: "dual", raIntervalMs: 4000 },
    interfaces: ifs.map(([n, mac]) => ({ name: n, mac })), ipv6: addrs, ...extra }, opts);
  const r1 = router("r1", [["eth0", R1A], ["eth1", R1C]], [{ iface: "eth0", address: "2001:db8:1::1/64", advertise: true }, { iface: "eth1", address: "2001:db8:9::1/64" }], r1Extra);
  const r2 = router("r2", [["eth0", R2B], ["eth1", R2C]], [{ iface: "eth0", address: "2001:db8:2::1/64", advertise: true }, { iface: "eth1", address: "2001:db8:9::2/64" }]);
  const hostN = (name, mac) => startBoard({ name, board: "emulated", roles: ["host"], node: { ipv6: "dual" }, interfaces: [{ name: "eth0", mac }] }, opts);
  const h1 = hostN("h1", H1), h2 = hostN("h2", H2);
  lan.attach(r1, 0, "a"); lan.attach(h1, 0, "a"); lan.attach(r1, 1, "core"); lan.attach(r2, 1, "core"); lan.attach(r2, 0, "b"); lan.attach(h2, 0, "b");
  lan.run(6000);
  assert.equal(addTunnel(r1, "2001:db8:2::", 64, "2001:db8:9::2", "2001:db8:9::1"), 1);
  assert.equal(addTunnel(r2, "2001:db8:1::", 64, "2001:db8:9::1"), 1);
  const a1 = [...addrStates(h1.cap)].find(([a, s]) => a.startsWith("2001:db8:1:") && s === A6.PREFERRED)[0];
  const a2 = [...addrStates(h2.cap)].find(([a, s]) => a.startsWith("2001:db8:2:") && s === A6.PREFERRED)[0];
  return { clock, lan, r1, r2, h1, h2, a1: ip6(a1), a2: ip6(a2) };
}

const replies = (n) => n.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129);

test("ping6 through an IPv6-in-IPv6 tunnel both ways: next header 41 on the core link, the inner packet untouched", () => {
  const w = world();
  const core = () => w.r1.cap.tx.filter((t) => t.iface === 1).map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 41);
  w.h1.board.output(echo6(w.a1, w.a2, 7, 1));
  w.lan.run(50);
  assert.equal(replies(w.h1).length, 1, "echo reply through the tunnel");
  const outer = core();
  assert.equal(outer.length, 1, "r1 sent one tunnelled packet");
  assert.equal(fmt6(outer[0].subarray(8, 24)), "2001:db8:9::1");
  assert.equal(fmt6(outer[0].subarray(24, 40)), "2001:db8:9::2");
  assert.equal(fmt6(outer[0].subarray(40 + 8, 40 + 24)), fmt6(w.a1), "inner source");
  assert.equal(outer[0][40 + 7], 63, "inner hop limit decremented once by the entry router");
  assert.equal(w.r1.board.counters().tun6_encapsulated, 1);
  assert.equal(w.r2.board.counters().tun6_decapsulated, 1);
  assert.equal(w.r2.board.counters().tun6_encapsulated, 1, "the reply went back through r2's tunnel");
});

test("decapsulation only from a tunnel's remote end; tunnelled Neighbor Discovery dropped", () => {
  const w = world();
  const inner = echo6(w.a1, w.a2, 8, 1);
  const wrap = (src) => eth(host.parseMac(R2C), host.parseMac(R1C), 0x86dd, ipv6Packet(ip6(src), ip6("2001:db8:9::2"), 41, inner));
  const c0 = w.r2.board.counters();
  w.r2.board.rx(1, wrap("2001:db8:9::66"));
  assert.equal(w.r2.board.counters().drop_tun6_peer - c0.drop_tun6_peer, 1);
  assert.equal(w.r2.board.counters().tun6_decapsulated, c0.tun6_decapsulated);
  const na = icmp6Packet(ip6("fe80::1"), ip6("ff02::1"), 136, 0, Uint8Array.of(0xa0, 0, 0, 0), new Uint8Array(16), 255);
  w.r2.board.rx(1, eth(host.parseMac(R2C), host.parseMac(R1C), 0x86dd, ipv6Packet(ip6("2001:db8:9::1"), ip6("2001:db8:9::2"), 41, na)));
  assert.equal(w.r2.board.counters().drop_tun6_inner - c0.drop_tun6_inner, 1);
  assert.equal(w.r2.board.counters().nd_rx_na, c0.nd_rx_na, "never reached Neighbor Discovery");
});

test("tunnel MTU: a packet larger than the tunnel MTU and 1280 gets Packet Too Big; a tunnel error is relayed to the inner source", () => {
  const w = world();
  // 1500-byte link: tunnel MTU 1460. A 1480-byte packet does not fit.
  w.h1.board.output(echo6(w.a1, w.a2, 9, 1, 1480 - 48));
  w.lan.run(50);
  const ptb = w.h1.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 2);
  assert.equal(ptb.length, 1, "Packet Too Big from the tunnel entry");
  assert.equal(new DataView(ptb[0].buffer, ptb[0].byteOffset).getUint32(44), 1460, "the tunnel MTU");
  // r2 says its path is smaller (Packet Too Big 1300 about r1's outer packet of a 1400-byte inner one):
  // r1 relays Packet Too Big 1260 -> at least 1280 to h1.
  const inner = echo6(w.a1, w.a2, 10, 1, 1400 - 48);
  const outer = ipv6Packet(ip6("2001:db8:9::1"), ip6("2001:db8:9::2"), 41, inner);
  const err = icmp6Packet(ip6("2001:db8:9::2"), ip6("2001:db8:9::1"), 2, 0, Uint8Array.of(0, 0, 0x05, 0x14), outer.subarray(0, 1232), 64);
  const before = w.h1.cap.delivered.length;
  w.r1.board.rx(1, eth(host.parseMac(R1C), host.parseMac(R2C), 0x86dd, err));
  w.lan.run(50);
  assert.equal(w.r1.board.counters().tun6_icmp_relayed, 1);
  const rel = w.h1.cap.delivered.slice(before).map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 2);
  assert.equal(rel.length, 1);
  assert.equal(new DataView(rel[0].buffer, rel[0].byteOffset).getUint32(44), 1280);
  assert.equal(fmt6(rel[0].subarray(48 + 8, 48 + 24)), fmt6(w.a1), "it quotes the inner packet");
});

test("the flow cache keeps a plain encapsulation: later packets are tunnelled by it, identical to the full path's (traffic class copied, payload length each packet's own)", () => {
  const w = world();
  const send = (n, tc) => { const p = echo6(w.a1, w.a2, 11, n, 60 + n); p[0] = 0x60 | (tc >> 4); p[1] = (tc & 15) << 4; w.h1.board.output(p); w.lan.run(10); };
  send(1, 0); send(2, 0);
  const c0 = w.r1.board.counters();
  const from = w.r1.cap.tx.length;
  for (let i = 3; i < 8; i++) send(i, 0x28);
  const c1 = w.r1.board.counters();
  assert.ok(c1.flow_hits - c0.flow_hits >= 4, `flow hits ${c1.flow_hits - c0.flow_hits}`);
  assert.equal(c1.tun6_encapsulated - c0.tun6_encapsulated, 5);
  const outer = w.r1.cap.tx.slice(from).filter((t) => t.iface === 1).map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 41);
  assert.equal(outer.length, 5);
  for (const p of outer) {
    assert.equal(((p[4] << 8) | p[5]), p.length - 40, "outer payload length: this packet's");
    assert.equal(((p[0] & 15) << 4) | (p[1] >> 4), 0x28, "traffic class copied from the inner packet");
    assert.equal(fmt6(p.subarray(8, 24)), "2001:db8:9::1");
  }
  assert.equal(replies(w.h1).length, 7, "every echo answered through the tunnel");
});

test("RFC 2401 §4.4 before RFC 2473: a packet the node originates to an AH peer behind a tunnel is sealed for that peer, then tunnelled (it left without AH before)", () => {
  const A2 = "2001:db8:2::ff:fe00:210"; // h2's address from its MAC (RFC 2464 §4)
  const w = world({ ipsec: [{ peer: A2, spiIn: 0x7000, spiOut: 0x7001, algorithm: "hmac-sha1-96", key: "00112233445566778899aabbccddeeff00112233", require: false }] });
  assert.equal(fmt6(w.a2), A2);
  const n0 = w.r1.cap.tx.length;
  w.r1.board.output(echo6(ip6("2001:db8:1::1"), w.a2, 9, 1));
  w.lan.run(20);
  const outer = w.r1.cap.tx.slice(n0).filter((t) => t.iface === 1).map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 41);
  assert.equal(outer.length, 1, "tunnelled");
  const inner = outer[0].subarray(40);
  assert.equal(fmt6(inner.subarray(24, 40)), A2);
  assert.equal(inner[6], 51, "the inner packet carries AH");
  assert.equal(((inner[44] << 24) | (inner[45] << 16) | (inner[46] << 8) | inner[47]) >>> 0, 0x7001, "under the peer's outbound SPI");
});
