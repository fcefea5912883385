// The flow cache (assembly/stack/flow.ts, issue 8.8): a datagram of a cached flow must leave exactly as
// the full path would send it, and anything the full path would do differently must take the full
// path. Checked differentially: two identical boards get the same frames, clock and events; board
// `full` is a test build that forgets every flow before each frame (so it always takes the full path),
// board `fast` keeps them. After every step both sent the same frames and hold the same counters
// (but flow_hits) and tables.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, routerJson, compileTestModule } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const ZERO_MAC = new Uint8Array(6);
const T0 = 1_000_000;

const ENTRY_SRC = `export * from "./index";
import { flowReset } from "./stack/flow";
export function test_flow_reset(): void { flowReset(); }
`;
let fullModule;
before(async () => { fullModule = await compileTestModule("flow", ENTRY_SRC); });

/** Two boards from `json` on one clock: `fast` (flows kept) and `full` (flows forgotten before every frame). */
function pair(json) {
  const clock = { t: T0 };
  const fast = startBoard(json, { now: () => clock.t, module: fullModule });
  const full = startBoard(json, { now: () => clock.t, module: fullModule });
  const both = {
    clock, fast, full,
    rx(iface, frame) {
      full.board.x.test_flow_reset();
      const a = fast.board.rx(iface, frame), b = full.board.rx(iface, frame);
      assert.equal(a, b, "rx result");
      return a;
    },
    tick() { fast.board.tick(clock.t); full.board.tick(clock.t); },
    /** Both sent the same frames since the last check; returns them. */
    same(what) {
      const fa = fast.cap.tx.map((f) => [f.iface, ...f.frame]), fb = full.cap.tx.map((f) => [f.iface, ...f.frame]);
      assert.deepEqual(fa, fb, `frames: ${what}`);
      const ca = fast.board.counters(), cb = full.board.counters();
      const hits = ca.flow_hits;
      delete ca.flow_hits; delete cb.flow_hits;
      assert.deepEqual(ca, cb, `counters: ${what}`);
      for (const t of [0, 1, 2, 3]) assert.deepEqual(fast.board.dumpRaw(t), full.board.dumpRaw(t), `dump ${t}: ${what}`);
      const sent = fast.cap.tx.map((f) => f.frame);
      fast.cap.tx.length = 0; full.cap.tx.length = 0;
      return { sent, hits };
    },
  };
  return both;
}

// ---- a plain router: 10.0.1.0/24 (eth0) <-> 10.0.2.0/24 (eth1)
const R0 = host.mac("02:00:00:00:01:01"), R1 = host.mac("02:00:00:00:02:01");
const H1 = host.mac("02:00:00:00:01:10"), H2 = host.mac("02:00:00:00:02:20"), H2B = host.mac("02:00:00:00:02:2b");
const A1 = ip("10.0.1.10"), A2 = ip("10.0.2.20");

function udp(src, dst, { len = 64, ttl = 30, df = false, tos = 0, id = 7 } = {}) {
  const p = host.buildUdp(src, dst, 5000, 6000, new Uint8Array(len).fill(0x5a), id, ttl);
  p[1] = tos;
  if (df) p[6] |= 0x40;
  p[10] = p[11] = 0;
  const c = host.checksum(p, 0, 20);
  p[10] = c >> 8; p[11] = c & 255;
  return p;
}

test("router: a flow's datagrams leave as the full path sends them; every per-datagram check still applies", () => {
  const s = pair(routerJson);
  // The router resolves 10.0.2.20 first (the datagram waits for the reply).
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2)));
  s.rx(1, host.arpFrame(2, H2, A2, R1, ip("10.0.2.1")));
  s.same("resolution");
  for (let i = 0; i < 5; i++) s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2, { len: 40 + i * 300, tos: i })));
  let r = s.same("five datagrams");
  assert.equal(r.sent.length, 5);
  // The first datagram (waiting for ARP) was the flow's first sighting; the next was learnt.
  assert.equal(r.hits, 4, `flow hits ${r.hits}`);
  // Per datagram: TTL 1 (time exceeded), a wrong checksum, another MAC, a truncated frame, DF over the
  // MTU (fragmentation needed), too big without DF (fragments), IP options (full path).
  const bad = udp(A1, A2); bad[11] ^= 0xff;
  const opts = host.buildUdp(A1, A2, 5000, 6000, new Uint8Array(8), 9, 30);
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2, { ttl: 1 })));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, bad));
  s.rx(0, host.ethFrame(host.mac("02:00:00:00:01:99"), H1, 0x0800, udp(A1, A2)));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2, { len: 100 })).subarray(0, 60));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2, { len: 1475, df: true })));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2, { len: 1475 })));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, opts));
  r = s.same("per-datagram checks");
  const k = s.fast.board.counters();
  assert.equal(k.drop_ip_ttl, 1);
  assert.equal(k.drop_ip_checksum, 1);
  assert.equal(k.drop_not_for_us, 1);
  assert.equal(k.drop_mtu, 1);
  assert.ok(k.ip_fragmented >= 1);
  // The next hop moves to another MAC (an ARP reply): the flow follows at once.
  s.rx(1, host.arpFrame(2, H2B, A2, R1, ip("10.0.2.1")));
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2)));
  r = s.same("new MAC");
  assert.deepEqual([...r.sent.at(-1).subarray(0, 6)], [...H2B]);
  // The neighbour entry expires by the clock (no tick yet): resolved again, as the full path does.
  s.clock.t += 3_600_000;
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2)));
  r = s.same("neighbour expired");
  assert.equal(host.etherType(r.sent[0]), 0x0806, "an ARP request, not the cached MAC");
  s.rx(1, host.arpFrame(2, H2, A2, R1, ip("10.0.2.1")));
  // The output interface goes down: no route.
  s.fast.board.link(1, false); s.full.board.link(1, false);
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2)));
  r = s.same("link down");
  assert.equal(s.fast.board.counters().drop_no_route, 1);
});

// ---- a home agent with a mobile node away (IP in IP / GRE / minimal)
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01");
const R_MAC = host.mac("02:00:00:00:0b:fe"), R_MAC2 = host.mac("02:00:00:00:0b:fd");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), FAR = ip("10.0.9.9"), FA = ip("10.0.3.1"), FA2 = ip("10.0.4.1"), MID = ip("10.0.7.1");
const KEY = { spi: 1000, algorithm: "hmac-md5", key: new TextEncoder().encode("mn-secret") };
const haJson = {
  name: "ha", board: "emulated", roles: ["home-agent"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true },
    { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
  ],
  routes: [{ dest: "default", via: "10.0.2.254" }],
  mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"] },
  securityAssociations: [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" }],
};
let low = 1;
function register(s, { flags = 0, coa = FA, lifetimeSec = 300 } = {}) {
  let m = host.buildRegRequest({ flags, lifetimeSec, home: MN, homeAgent: HA_IP, careOf: coa, id: host.ntpTimestamp(s.clock.t, 0, low++) });
  m = host.appendAuth(m, host.EXT_MH_AUTH, KEY);
  s.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(coa, HA_IP, 434, 434, m, 3, 60)));
}
const toHa = (pkt) => host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);

test("home agent: tunnelled flows leave as the full path sends them, through re-registration, GRE, expiry, soft state and spoofing", () => {
  const s = pair(haJson);
  s.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE));
  register(s);
  s.same("registration");
  for (let i = 0; i < 6; i++) s.rx(1, toHa(udp(FAR, MN, { len: 30 + i * 200, tos: i * 4, df: i % 2 === 1 })));
  let r = s.same("IP in IP");
  assert.equal(r.sent.length, 6);
  // The first datagram is remembered, the second learnt (flowWanted), the rest go by the flow.
  assert.equal(r.hits, 4, `flow hits ${r.hits}`);
  assert.ok(r.sent.every((f) => f[23] === 4 && host.get32(f, 30) === FA), "IP in IP to the care-of address");
  // 48 correspondents in turn: more flows than entries, so most datagrams go by the tunnel's
  // template (one per care-of address, stack/flow.ts flowTunnel) rather than a flow of their own.
  const before = r.hits;
  for (let round = 0; round < 3; round++) for (let i = 0; i < 48; i++) s.rx(1, toHa(udp(ip(`10.0.${20 + i}.9`), MN, { len: 80 + i })));
  r = s.same("48 correspondents in turn");
  assert.equal(r.sent.length, 144);
  assert.ok(r.hits - before <= 24, `mostly not by flows (${r.hits - before} flow hits of 144)`);
  // Another care-of address: the next datagram goes there.
  register(s, { coa: FA2 });
  s.rx(1, toHa(udp(FAR, MN)));
  r = s.same("new care-of address");
  assert.equal(host.get32(r.sent.at(-1), 30), FA2);
  // GRE, then minimal encapsulation, then IP in IP again.
  for (const flags of [host.REQ_G, host.REQ_M, 0]) {
    register(s, { flags, coa: FA2 });
    for (let i = 0; i < 3; i++) s.rx(1, toHa(udp(FAR, MN, { len: 100 + i })));
    r = s.same(`flags ${flags}`);
    assert.equal(r.sent.at(-1)[23], flags === host.REQ_G ? 47 : flags === host.REQ_M ? 55 : 4);
  }
  // Minimal encapsulation cannot carry a fragment (RFC 2004 §3): it goes IP in IP, then the flow's
  // next whole datagram goes minimal again.
  register(s, { flags: host.REQ_M, coa: FA2 });
  s.same("minimal registration");
  s.rx(1, toHa(udp(FAR, MN)));
  const frag = udp(FAR, MN); frag[6] |= 0x20; frag[10] = frag[11] = 0;
  const fc = host.checksum(frag, 0, 20); frag[10] = fc >> 8; frag[11] = fc & 255;
  s.rx(1, toHa(frag));
  s.rx(1, toHa(udp(FAR, MN)));
  r = s.same("minimal and a fragment");
  assert.deepEqual(r.sent.map((f) => f[23]), [55, 4, 55]);
  register(s, { coa: FA2 });
  // The router towards the care-of address moves to another MAC.
  s.rx(1, host.arpFrame(2, R_MAC2, ROUTER, HA_MAC1, HA_CORE));
  s.rx(1, toHa(udp(FAR, MN)));
  r = s.same("router MAC");
  assert.deepEqual([...r.sent.at(-1).subarray(0, 6)], [...R_MAC2]);
  // A home-prefix source arriving from off the home link is spoofed (issue 7.1): never tunnelled.
  s.rx(1, toHa(udp(ip("10.0.1.77"), MN)));
  s.same("spoofed home source");
  assert.equal(s.fast.board.counters().drop_ha_spoofed_home_src, 1);
  // Who may use a flow: one learnt from a home-link host (10.0.1.77 on eth0, tunnelled to the node)
  // is keyed by its input link, so the same addresses arriving from off the home link (eth1) are
  // still refused as spoofed, never sent by that flow.
  const homeHost = host.mac("02:00:00:00:0a:77");
  const spoofedBefore = s.fast.board.counters().drop_ha_spoofed_home_src;
  for (let i = 0; i < 3; i++) s.rx(0, host.ethFrame(HA_MAC0, homeHost, 0x0800, udp(ip("10.0.1.77"), MN)));
  r = s.same("home-link host to the mobile node");
  assert.equal(r.sent.filter((f) => f[23] === 4).length, 3, "tunnelled");
  assert.ok(r.hits >= 1, "by its flow after the second");
  const hitsBefore = r.hits;
  s.rx(1, toHa(udp(ip("10.0.1.77"), MN)));
  r = s.same("the same addresses from off the home link");
  assert.equal(r.sent.length, 0, "not tunnelled");
  assert.equal(r.hits, hitsBefore, "not by the home-link flow");
  assert.equal(s.fast.board.counters().drop_ha_spoofed_home_src, spoofedBefore + 1);
  // A datagram from the care-of address itself to the home address would loop (RFC 2003 §3.2).
  s.rx(1, toHa(udp(FA2, MN)));
  s.same("loop");
  // A router inside the tunnel reports a smaller MTU (soft state, RFC 2003 §5.1): big DF datagrams
  // are refused with the tunnel MTU from now on.
  s.rx(1, toHa(udp(FAR, MN, { len: 1000, df: true })));
  const [t] = s.same("before soft state").sent;
  const quote = t.subarray(14, 14 + 48);
  const m = new Uint8Array(8 + quote.length);
  m[0] = 3; m[1] = 4; m[6] = (700 >> 8) & 255; m[7] = 700 & 255;
  m.set(quote, 8);
  const c = host.checksum(m, 0, m.length); m[2] = c >> 8; m[3] = c & 255;
  const icmp = new Uint8Array(20 + m.length); icmp.set(m, 20);
  host.writeIpv4Header(icmp, icmp.length, 1, MID, HA_CORE, 11, 60);
  s.rx(1, toHa(icmp));
  s.rx(1, toHa(udp(FAR, MN, { len: 1000, df: true })));
  s.same("soft state");
  // The binding's lifetime ends before its timer runs: not tunnelled any more.
  s.clock.t += 301_000;
  s.rx(1, toHa(udp(FAR, MN)));
  r = s.same("binding expired");
  assert.ok(!r.sent.some((f) => f[23] === 4 || f[23] === 47), "nothing tunnelled");
  s.tick();
  s.same("tick");
});

test("a flow is kept from its second datagram on; traffic spread over more flows than entries builds none", () => {
  const s = pair({ ...routerJson, routes: [{ dest: "10.9.0.0/16", via: "10.0.2.20" }] });
  s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, A2)));
  s.rx(1, host.arpFrame(2, H2, A2, R1, ip("10.0.2.1")));
  s.same("resolution");
  // 64 destinations behind one gateway, in turn: 4 flows per entry on average.
  const dsts = Array.from({ length: 64 }, (_, i) => ip(`10.9.${i}.1`));
  for (let round = 0; round < 3; round++) for (const d of dsts) s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, d)));
  let r = s.same("64 flows in turn");
  assert.equal(r.sent.length, 192);
  assert.ok(r.hits <= 16, `few hits when 64 flows share 16 entries in turn (${r.hits} of 192)`);
  const before = r.hits;
  for (let i = 0; i < 10; i++) s.rx(0, host.ethFrame(R0, H1, 0x0800, udp(A1, dsts[0])));
  r = s.same("one flow again");
  assert.ok(r.hits - before >= 8, `kept from the second datagram on (${r.hits - before} hits of 10)`);
});

test("random traffic, re-registrations, ARP changes and clock steps: the flow cache never changes what is sent", () => {
  const s = pair(haJson);
  s.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE));
  let seed = 11;
  const rnd = (n) => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const srcs = [FAR, ip("10.0.9.10"), ip("10.0.1.77"), FA, ip("10.0.8.8")];
  let hits = 0;
  for (let step = 0; step < 2000; step++) {
    const k = rnd(100);
    if (k < 70) {
      const p = udp(srcs[rnd(srcs.length)], rnd(10) ? MN : ip("10.0.1.51"), { len: rnd(1500), ttl: rnd(8), df: rnd(2) === 1, tos: rnd(4) });
      if (rnd(20) === 0) p[10] ^= 1;
      s.rx(rnd(8) ? 1 : 0, rnd(30) ? toHa(p) : host.ethFrame(HA_MAC0, R_MAC, 0x0800, p));
    } else if (k < 80) register(s, { flags: [0, 0, host.REQ_G, host.REQ_M][rnd(4)], coa: [FA, FA2][rnd(2)], lifetimeSec: rnd(5) ? 300 : 0 });
    else if (k < 85) s.rx(1, host.arpFrame(2, [R_MAC, R_MAC2][rnd(2)], ROUTER, HA_MAC1, HA_CORE));
    else if (k < 95) { s.clock.t += rnd(60_000); if (rnd(2)) s.tick(); }
    else s.tick();
    hits = s.same(`step ${step}`).hits;
  }
  assert.ok(hits > 60, `the flow cache was used (${hits} hits)`);
});

// ---- a foreign agent with visitors behind one home agent's tunnel (decapsulation flows)
const FA_WLAN = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1"), HAX = ip("10.8.0.1");
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01"), RTR_MAC = host.mac("02:00:00:00:0b:fe");
const VISITORS = [
  { home: ip("10.8.0.5"), mac: host.mac("02:00:00:00:0a:95") },
  { home: ip("10.8.0.6"), mac: host.mac("02:00:00:00:0a:96") },
];
const faJson = {
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"] },
};
const VKEY = { spi: 0x1001, key: new TextEncoder().encode("mn-ha"), algorithm: "hmac-md5" };
/** Visitor `v` registers through the foreign agent (from `mac`) and the home agent accepts for `lifetimeSec`. */
function visit(s, v, { mac = v.mac, lifetimeSec = 300 } = {}) {
  const id = host.ntpTimestamp(s.clock.t, 0, low++);
  const req = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec, home: v.home, homeAgent: HAX, careOf: FA_WLAN, id }), host.EXT_MH_AUTH, VKEY);
  const rep = host.appendAuth(host.buildRegReply({ code: 0, lifetimeSec, home: v.home, homeAgent: HAX, id }), host.EXT_MH_AUTH, VKEY);
  s.rx(0, host.ethFrame(WLAN_MAC, mac, 0x0800, host.buildUdp(v.home, FA_WLAN, 434, 434, req, 1, 64)));
  s.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(HAX, FA_WLAN, 434, 434, rep, 1, 60)));
}
/** An IP-in-IP frame from the home agent to the care-of address carrying `inner` (outer fields adjustable). */
function tunnelled(inner, { src = HAX, dst = FA_WLAN, ttl = 60, frag = 0, proto = 4, totalDelta = 0 } = {}) {
  const o = new Uint8Array(20 + inner.length);
  const tl = o.length + totalDelta;
  o.set([0x45, 0, (tl >> 8) & 255, tl & 255, 0, 1, frag >> 8, frag & 255, ttl, proto, 0, 0]);
  new DataView(o.buffer).setUint32(12, src); new DataView(o.buffer).setUint32(16, dst);
  const c = host.checksum(o, 0, 20); o[10] = c >> 8; o[11] = c & 255;
  o.set(inner, 20);
  return host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, o);
}
const toVisitor = (v, opts) => udp(FAR, v.home, opts);

test("foreign agent: decapsulated flows reach each visitor as the full path delivers them; every check still applies", () => {
  const s = pair(faJson);
  s.rx(1, host.arpFrame(2, RTR_MAC, RTR, CORE_MAC, FA_CORE));
  for (const v of VISITORS) visit(s, v);
  s.same("registrations");
  // Two visitors behind the same tunnel (same outer addresses), alternately: each has a flow of its own.
  for (let i = 0; i < 8; i++) s.rx(1, tunnelled(toVisitor(VISITORS[i % 2], { len: 40 + i * 150, tos: i })));
  let r = s.same("two visitors");
  assert.equal(r.sent.length, 8);
  assert.ok(r.sent.every((f, i) => host.get32(f, 30) === VISITORS[i % 2].home && f.subarray(0, 6).every((b, k) => b === VISITORS[i % 2].mac[k])), "inner datagram to the visitor's MAC");
  assert.equal(r.hits, 4, `flow hits ${r.hits}`);
  const k0 = s.fast.board.counters();
  // Per datagram: inner TTL 1, a wrong inner checksum, an outer fragment, an outer length beyond the
  // inner one, inner options, another destination that is not a visitor, another encapsulation (GRE),
  // outer TTL 1 (still ours), and a wrong outer checksum.
  const v = VISITORS[0];
  const badInner = toVisitor(v); badInner[11] ^= 0xff;
  const opts = host.buildUdp(FAR, v.home, 5000, 6000, new Uint8Array(8), 9, 30);
  const plain = toVisitor(v);
  const gre = new Uint8Array(4 + plain.length); gre.set([0, 0, 8, 0]); gre.set(plain, 4);
  s.rx(1, tunnelled(toVisitor(v, { ttl: 1 })));
  s.rx(1, tunnelled(badInner));
  s.rx(1, tunnelled(toVisitor(v), { frag: 0x2000 }));
  s.rx(1, tunnelled(toVisitor(v), { totalDelta: -4 }));
  s.rx(1, tunnelled(opts));
  s.rx(1, tunnelled(udp(FAR, ip("10.8.0.7"))));
  s.rx(1, tunnelled(gre.subarray(4), { proto: 4 }));
  s.rx(1, tunnelled(gre, { proto: 47 }));
  s.rx(1, tunnelled(toVisitor(v), { ttl: 1 }));
  const badOuter = tunnelled(toVisitor(v)); badOuter[25] ^= 0xff;
  s.rx(1, badOuter);
  // The same inner destination in a tunnel to another address of ours, and from another source.
  s.rx(1, tunnelled(toVisitor(v), { dst: FA_CORE }));
  s.rx(1, tunnelled(toVisitor(v), { src: ip("10.9.9.9") }));
  r = s.same("per-datagram checks");
  const k = s.fast.board.counters();
  assert.equal(k.drop_ip_ttl - k0.drop_ip_ttl, 1);
  assert.ok(k.drop_tunnel_malformed - k0.drop_tunnel_malformed >= 2);
  assert.equal(k.drop_ip_checksum - k0.drop_ip_checksum, 1);
  // The visitor re-registers from another MAC: the flow follows at once.
  const NEW_MAC = host.mac("02:00:00:00:0a:77");
  visit(s, v, { mac: NEW_MAC });
  for (let i = 0; i < 3; i++) s.rx(1, tunnelled(toVisitor(v)));
  r = s.same("new MAC");
  assert.deepEqual([...r.sent.at(-1).subarray(0, 6)], [...NEW_MAC]);
  // The other visitor deregisters: its datagrams are no longer delivered.
  visit(s, VISITORS[1], { lifetimeSec: 0 });
  for (let i = 0; i < 3; i++) s.rx(1, tunnelled(toVisitor(VISITORS[1])));
  r = s.same("deregistered");
  assert.equal(r.sent.filter((f) => host.get32(f, 26) === FAR).length, 0, "no datagram delivered");
  assert.ok(r.sent.length >= 1, "the deregistration reply was relayed");
  // The visitor's lifetime ends before its timer runs: not delivered, counted.
  s.clock.t += 301_000;
  s.rx(1, tunnelled(toVisitor(v)));
  r = s.same("visitor expired");
  assert.equal(r.sent.length, 0);
  assert.equal(s.fast.board.counters().drop_fa_visitor_expired, 1);
  s.tick();
  s.same("tick");
});
