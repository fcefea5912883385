// Issue 7, the IPv4 stack and tunnel points: 7.4 forged ICMP errors and tunnel soft state (RFC 2003 §5,
// RFC 1191), 7.13 malformed IPv4 options (RFC 1122 §3.2.1.8), 7.14 reassembly for this node (RFC 1122
// §3.3.2, stack/reasm.ts), 7.15 fragmentation at the tunnel entry and when forwarding (RFC 2003 §5.1,
// RFC 791 §3.2). One firmware board plays the home agent of the issue: home0 10.0.0.1/24 (home link),
// up0 10.9.0.1/24, default route via 10.9.0.254; the test plays the router, the correspondents and the
// mobile nodes (co-located care-of addresses behind the router), with a fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01");
const R_MAC = host.mac("02:00:00:00:0b:fe"), CN_MAC = host.mac("02:00:00:00:0a:20");
const HOME_IP = ip("10.0.0.1"), UP_IP = ip("10.9.0.1"), ROUTER = ip("10.9.0.254");
const MN = ip("10.0.0.5"), MN2 = ip("10.0.0.6"), CN = ip("10.0.0.20");
const COA = ip("10.9.5.5"), COA2 = ip("10.9.5.6"), FAR = ip("10.9.9.9"), MID = ip("10.9.7.7");
const ZERO_MAC = new Uint8Array(6);
const keyOf = (n) => ({ spi: 1000 + n, algorithm: "hmac-md5", key: new TextEncoder().encode(`mn${n}-secret`) });
const T0 = 1_000_000;

const haJson = ({ upMtu, sizes } = {}) => ({
  name: "ha", board: "emulated", roles: ["home-agent"],
  interfaces: [
    { name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true },
    { name: "up0", mac: "02:00:00:00:0b:01", ipv4: "10.9.0.1/24", ...(upMtu ? { mtu: upMtu } : {}) },
  ],
  routes: [{ dest: "default", via: "10.9.0.254" }],
  mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"] },
  securityAssociations: [5, 6, 7, 8, 9].map((n) => ({ peer: `10.0.0.${n}`, spi: 1000 + n, algorithm: "hmac-md5", key: `text:mn${n}-secret` })),
  ...(sizes ? { sizes } : {}),
});

function start(opts) {
  const clock = { t: T0 };
  const s = startBoard(haJson(opts), { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, UP_IP));
  s.board.rx(0, host.arpFrame(1, CN_MAC, CN, ZERO_MAC, HOME_IP));
  s.cap.tx.length = 0;
  return { ...s, clock };
}

// ---- packets ---------------------------------------------------------------------------------------

function fixIpSum(b, o = 0) {
  const hl = (b[o] & 15) * 4;
  b[o + 10] = b[o + 11] = 0;
  const c = host.checksum(b, o, hl);
  b[o + 10] = c >> 8; b[o + 11] = c & 255;
  return b;
}
const setDf = (pkt) => { pkt[6] |= 0x40; return fixIpSum(pkt); };
const upFrame = (pkt) => host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);
const homeFrame = (pkt) => host.ethFrame(HA_MAC0, CN_MAC, 0x0800, pkt);

/** One fragment of the IPv4 datagram `pkt`: data bytes [off, off + n), More Fragments `mf`. */
function piece(pkt, off, n, mf, { fill } = {}) {
  const hl = (pkt[0] & 15) * 4;
  const f = new Uint8Array(hl + n);
  f.set(pkt.subarray(0, hl));
  f.set(pkt.subarray(hl + off, hl + off + n), hl);
  if (fill !== undefined) f.fill(fill, hl);
  f[2] = (hl + n) >> 8; f[3] = (hl + n) & 255;
  const w = (pkt[6] & 0x40) << 8 | (mf ? 0x2000 : 0) | (off >> 3);
  f[6] = w >> 8; f[7] = w & 255;
  return fixIpSum(f);
}
/** `pkt` cut into fragments of at most `mtu` bytes (RFC 791 §3.2), in order. */
function fragment(pkt, mtu) {
  const hl = (pkt[0] & 15) * 4;
  const data = pkt.length - hl;
  const step = (mtu - hl) & ~7;
  const out = [];
  for (let off = 0; off < data; off += step) out.push(piece(pkt, off, Math.min(step, data - off), off + step < data));
  return out;
}
/** Reassemble IPv4 fragments (JS, independent of the core); throws on gaps and inconsistencies. */
function reassemble(frags) {
  const parts = frags.map((f) => {
    const hl = (f[0] & 15) * 4;
    const w = (f[6] << 8) | f[7];
    assert.equal(host.checksum(f, 0, hl), 0, "fragment header checksum");
    return { f, hl, off: (w & 0x1fff) * 8, mf: (w & 0x2000) !== 0, len: ((f[2] << 8) | f[3]) - hl };
  }).sort((a, b) => a.off - b.off);
  const id = (parts[0].f[4] << 8) | parts[0].f[5];
  let end = 0;
  for (const [i, p] of parts.entries()) {
    assert.equal((p.f[4] << 8) | p.f[5], id, "same identification");
    assert.equal(p.off, end, "no gap, no overlap");
    assert.equal(p.mf, i < parts.length - 1, "MF on every fragment but the last");
    if (p.mf) assert.equal(p.len % 8, 0);
    end += p.len;
  }
  const hl = parts[0].hl;
  const out = new Uint8Array(hl + end);
  out.set(parts[0].f.subarray(0, hl));
  for (const p of parts) out.set(p.f.subarray(p.hl, p.hl + p.len), hl + p.off);
  out[2] = out.length >> 8; out[3] = out.length & 255;
  out[6] &= 0x40; out[7] = 0;
  return fixIpSum(out);
}

/** Every IPv4 frame sent (fragments included): {iface, frame, b (IP), src, dst, proto, flags}. */
function sent(cap, filter = () => true) {
  const out = [];
  for (const { iface, frame } of cap.tx) {
    if (host.etherType(frame) !== 0x0800) continue;
    const b = frame.subarray(14);
    const x = { iface, frame, b, src: host.get32(b, 12), dst: host.get32(b, 16), proto: b[9], flags: (b[6] << 8) | b[7], len: (b[2] << 8) | b[3] };
    if ((x.dst >>> 28) === 0xe) continue; // agent advertisements
    if (filter(x)) out.push(x);
  }
  return out;
}
const isFrag = (x) => (x.flags & 0x3fff) !== 0;

/** A Registration Request for `home` at `coa` (co-located: sent from `coa` through the router). */
function regPkt(s, { home = MN, coa = COA, n = 5, low = 1, ext, id = 7 } = {}) {
  let m = host.buildRegRequest({ flags: 0, lifetimeSec: 300, home, homeAgent: UP_IP, careOf: coa, id: host.ntpTimestamp(s.clock.t, 0, low), extensions: ext });
  m = host.appendAuth(m, host.EXT_MH_AUTH, keyOf(n));
  return host.buildUdp(coa, UP_IP, 434, 434, m, id, 60);
}
/** Registration Replies the home agent sent (parsed). */
function replies(cap) {
  return sent(cap, (x) => x.proto === 17 && !isFrag(x)).map((x) => {
    const hl = (x.b[0] & 15) * 4;
    return { ...x, reply: host.parseRegReply(x.b.subarray(hl + 8, x.len)) };
  }).filter((x) => x.reply);
}
function register(s, opts) {
  s.cap.tx.length = 0;
  s.board.rx(1, upFrame(regPkt(s, opts)));
  const r = replies(s.cap);
  assert.equal(r.length, 1, "one reply");
  assert.equal(r[0].reply.code, 0);
  s.cap.tx.length = 0;
}

/** A UDP datagram of `len` payload bytes from `src` to `dst`. */
const udp = (src, dst, len, { df = false, id = 99, ttl = 30 } = {}) => {
  const p = host.buildUdp(src, dst, 7000, 7001, Uint8Array.from({ length: len }, (_, i) => i * 7 & 255), id, ttl);
  return df ? setDf(p) : p;
};
/** An ICMP error (type, code, rest word) from `src` to the home agent quoting `quote`. */
function icmpError(type, code, rest, quote, { src = MID, dst = HOME_IP } = {}) {
  const m = new Uint8Array(8 + quote.length);
  m[0] = type; m[1] = code;
  host.put32(m, 4, rest >>> 0);
  m.set(quote, 8);
  const c = host.checksum(m, 0, m.length); m[2] = c >> 8; m[3] = c & 255;
  const b = new Uint8Array(20 + m.length);
  b.set(m, 20);
  host.writeIpv4Header(b, b.length, 1, src, dst, 77, 60);
  return upFrame(b);
}
/** The tunnel header the home agent would put in front of `inner` to `coa` (IP in IP, DF copied). */
function inventedTunnel(inner, coa, { df = true } = {}) {
  const b = new Uint8Array(20 + inner.length);
  b.set(inner, 20);
  host.writeIpv4Header(b, b.length, 4, HOME_IP, coa, 4242, 64);
  if (df) setDf(b);
  return b;
}

// ---- 7.4 ---------------------------------------------------------------------------------------------

test("issue 7.4: forged ICMP errors about an invented or mismatched tunnel create no soft state", () => {
  const s = start();
  // Before any binding: "fragmentation needed, MTU 88" and "host unreachable" from anyone, quoting an
  // invented tunnel home agent -> care-of address carrying the home address.
  const quote = inventedTunnel(setDf(udp(FAR, MN, 1372)), COA).slice(0, 548);
  s.board.rx(1, icmpError(3, 4, 88, quote));
  s.board.rx(1, icmpError(3, 1, 0, quote));
  register(s);
  // With the binding live: quotes whose inner destination is not bound there, a protocol the binding
  // does not use, or only RFC 792's 8 bytes past the tunnel header (no home address to match).
  s.board.rx(1, icmpError(3, 4, 88, inventedTunnel(setDf(udp(FAR, MN2, 1372)), COA).slice(0, 548)));
  const gre = inventedTunnel(setDf(udp(FAR, MN, 1372)), COA); gre[9] = 47; fixIpSum(gre);
  s.board.rx(1, icmpError(3, 4, 88, gre.slice(0, 548)));
  s.board.rx(1, icmpError(3, 4, 88, quote.slice(0, 28)));
  s.board.rx(1, icmpError(3, 1, 0, quote.slice(0, 28)));
  // Frag needed about a datagram without DF (a router would have fragmented it), or not larger than
  // the MTU it reports: not plausible (RFC 1191).
  s.board.rx(1, icmpError(3, 4, 88, inventedTunnel(udp(FAR, MN, 1372), COA, { df: false }).slice(0, 548)));
  s.board.rx(1, icmpError(3, 4, 1500, quote));
  assert.equal(sent(s.cap).length, 0, "nothing relayed to anybody");
  // A 1400-byte DF datagram to the node is still tunnelled whole, and its sender hears nothing.
  s.board.rx(1, upFrame(udp(FAR, MN, 1372, { df: true })));
  const out = sent(s.cap);
  assert.equal(out.length, 1, "only the tunnelled datagram");
  assert.equal(out[0].proto, 4);
  assert.equal(out[0].dst, COA);
  assert.equal(out[0].len, 1420);
  const c = s.board.counters();
  assert.equal(c.drop_tunnel_mtu, 0);
  assert.equal(c.tunnel_icmp_ignored, 8);
});

test("issue 7.4: a plausible frag needed with MTU 88 for a live binding clamps the tunnel MTU to 576", () => {
  const s = start();
  register(s);
  s.board.rx(1, upFrame(udp(FAR, MN, 1372, { df: true })));
  const [t] = sent(s.cap, (x) => x.proto === 4);
  assert.ok(t, "tunnelled");
  s.cap.tx.length = 0;
  // A router in the tunnel (any source) reports MTU 88 and quotes our datagram (RFC 1812: as much as fits).
  s.board.rx(1, icmpError(3, 4, 88, t.b.slice(0, 548)));
  const [r] = sent(s.cap, (x) => x.proto === 1);
  assert.ok(r, "relayed to the original sender");
  assert.equal(r.dst, FAR);
  assert.deepEqual([r.b[20], r.b[21]], [3, 4]);
  assert.equal((r.b[26] << 8) | r.b[27], 556, "576 - 20, not 88 - 20");
  // DF datagrams of up to 576 - 20 bytes still go; one byte more gets frag needed with 556.
  s.cap.tx.length = 0;
  s.board.rx(1, upFrame(udp(FAR, MN, 556 - 28, { df: true })));
  let out = sent(s.cap);
  assert.equal(out.length, 1);
  assert.equal(out[0].proto, 4);
  assert.equal(out[0].len, 576);
  s.cap.tx.length = 0;
  s.board.rx(1, upFrame(udp(FAR, MN, 557 - 28, { df: true })));
  out = sent(s.cap);
  assert.equal(out.length, 1);
  assert.equal(out[0].proto, 1);
  assert.equal((out[0].b[26] << 8) | out[0].b[27], 556);
  // A datagram without DF goes in fragments of at most 576 bytes (issue 7.15).
  s.cap.tx.length = 0;
  const big = udp(FAR, MN, 1372);
  s.board.rx(1, upFrame(big));
  out = sent(s.cap);
  assert.equal(out.length, 3);
  assert.ok(out.every((x) => x.proto === 4 && x.len <= 576 && x.dst === COA));
  const whole = reassemble(out.map((x) => x.b.slice(0, x.len)));
  assert.equal(whole.length, 1420);
  assert.deepEqual(whole.subarray(20 + 20), big.subarray(20), "the inner payload");
  // A smaller report later (still above 576) lowers it; soft state never goes below 576.
  s.board.rx(1, icmpError(3, 4, 68, t.b.slice(0, 548)));
  s.cap.tx.length = 0;
  s.board.rx(1, upFrame(udp(FAR, MN, 556 - 28, { df: true })));
  assert.equal(sent(s.cap, (x) => x.proto === 4).length, 1);
});

// ---- 7.13 --------------------------------------------------------------------------------------------

/** An echo request from the correspondent to the home agent with IPv4 `opts` (padded to 4 bytes). */
function echoWithOptions(opts, { dst = HOME_IP } = {}) {
  const e = host.buildEchoRequest(CN, dst, 1, 1, new Uint8Array(16).fill(9), 5, 64);
  const ol = (opts.length + 3) & ~3;
  const b = new Uint8Array(e.length + ol);
  b.set(e.subarray(0, 20));
  b.set(opts, 20);
  b.set(e.subarray(20), 20 + ol);
  b[0] = 0x40 | ((20 + ol) >> 2);
  b[2] = b.length >> 8; b[3] = b.length & 255;
  return fixIpSum(b);
}

test("issue 7.13: malformed IPv4 options are dropped (drop_ip_options) with a parameter problem; valid ones pass", () => {
  const s = start();
  const bad = [
    { opts: [7, 0, 4, 0], ptr: 21 },                          // Record Route with length 0
    { opts: [68, 36, 5, 0, 0, 0, 0, 0], ptr: 21 },            // Timestamp longer than the option area
    { opts: [7, 7, 3, 0, 0, 0, 0], ptr: 22 },                 // Record Route pointer below 4
    { opts: [68, 12, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0], ptr: 23 },// Timestamp flag 2
    { opts: [1, 1, 1, 131], ptr: 23 },                        // no room for the length octet
  ];
  for (const { opts, ptr } of bad) {
    s.cap.tx.length = 0;
    assert.equal(s.board.rx(0, homeFrame(echoWithOptions(opts))), 1);
    const out = sent(s.cap);
    assert.equal(out.length, 1, "no echo reply, one parameter problem");
    const m = out[0].b.subarray(20);
    assert.equal(out[0].dst, CN);
    assert.deepEqual([m[0], m[1]], [12, 0]);
    assert.equal(m[4], ptr, "pointer to the offending octet");
    assert.equal(host.get32(m, 8 + 12), CN, "quotes the datagram");
    s.clock.t += 1000; // ICMP error rate limit
  }
  assert.equal(s.board.counters().drop_ip_options, bad.length);
  // Not forwarded either.
  s.cap.tx.length = 0;
  s.board.rx(0, homeFrame(echoWithOptions([7, 0, 4, 0], { dst: FAR })));
  assert.equal(sent(s.cap, (x) => x.dst === FAR).length, 0);
  assert.equal(s.board.counters().drop_ip_options, bad.length + 1);
  // Well-formed options (Record Route, timestamps, NOP, unknown with a valid length) are accepted.
  for (const opts of [[7, 7, 4, 0, 0, 0, 0], [68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0], [1, 148, 4, 0, 0], [1, 1, 0, 0]]) {
    s.cap.tx.length = 0;
    s.board.rx(0, homeFrame(echoWithOptions(opts)));
    const [r] = sent(s.cap);
    assert.ok(r && r.b[20] === 0, "echo reply");
  }
  assert.equal(s.board.counters().drop_ip_options, bad.length + 1);
  // The local stack's output is held to the same rules.
  const before = s.board.counters().drop_output_malformed;
  assert.equal(s.board.output(echoWithOptions([7, 0, 4, 0], { dst: FAR })), 1);
  assert.equal(s.board.counters().drop_output_malformed, before + 1);
});

// ---- 7.14 --------------------------------------------------------------------------------------------

test("issue 7.14: a Registration Request in two fragments gets its reply (and the binding)", () => {
  const s = start();
  const pkt = regPkt(s);
  const frags = [piece(pkt, 0, 32, true), piece(pkt, 32, pkt.length - 20 - 32, false)];
  assert.equal(s.board.rx(1, upFrame(frags[0])), 0, "held");
  assert.equal(replies(s.cap).length, 0);
  assert.equal(s.board.rx(1, upFrame(frags[1])), 0);
  const r = replies(s.cap);
  assert.equal(r.length, 1);
  assert.equal(r[0].reply.code, 0);
  assert.equal(r[0].dst, COA);
  const c = s.board.counters();
  assert.equal(c.ip_reassembled, 1);
  assert.equal(c.ha_reg_accepted, 1);
  assert.equal(c.drop_ip_fragment, 0);
  // Out of order: the last fragment first.
  s.clock.t += 1000;
  s.cap.tx.length = 0;
  const p2 = regPkt(s, { low: 2, id: 8 });
  const f2 = fragment(p2, 20 + 24);
  assert.equal(f2.length, 3);
  for (const f of [f2[2], f2[0], f2[1]]) s.board.rx(1, upFrame(f));
  assert.equal(replies(s.cap).length, 1);
  assert.equal(replies(s.cap)[0].reply.code, 0);  // board.reassemblySlots 0: no pool, fragments for this node are dropped as before (drop_ip_fragment).
  const z = start({ sizes: { reassemblySlots: 0 } });
  for (const f of fragment(regPkt(z), 60)) z.board.rx(1, upFrame(f));
  assert.equal(replies(z.cap).length, 0);
  assert.equal(z.board.counters().drop_ip_fragment, 2);
  assert.equal(z.board.heapUsed() < s.board.heapUsed(), true, "no pool carved");
});

test("issue 7.14: a 2.9 kB signed Registration Request in three fragments is answered", () => {
  const s = start();
  // Eleven skippable extensions (type 200, RFC 2002 §1.9) of 255 bytes: 2,827 bytes, signed after them.
  const ext = new Uint8Array(11 * 257);
  for (let i = 0; i < 11; i++) { ext[i * 257] = 200; ext[i * 257 + 1] = 255; ext.fill(i + 1, i * 257 + 2, i * 257 + 257); }
  const pkt = regPkt(s, { ext });
  assert.ok(pkt.length > 2900, `${pkt.length} bytes`);
  const frags = fragment(pkt, 1000);
  assert.equal(frags.length, 3);
  for (const f of [frags[1], frags[2], frags[0]]) s.board.rx(1, upFrame(f));
  const r = replies(s.cap);
  assert.equal(r.length, 1);
  assert.equal(r[0].reply.code, 0, "authenticated over all 2.9 kB");
  assert.ok(host.verifyAuth(r[0].b.slice(28, r[0].len), 20, host.EXT_MH_AUTH, keyOf(5)));
  assert.equal(s.board.dump("bindings").length, 1);
  // Larger than board.reassemblyBytes (4096 on the emulated board): discarded, counted.
  s.cap.tx.length = 0;
  const huge = udp(FAR, UP_IP, 4200, { id: 300 });
  for (const f of fragment(huge, 1500)) s.board.rx(1, upFrame(f));
  assert.equal(s.board.counters().drop_reasm_too_big, 1);
  assert.equal(s.board.counters().ip_reassembled, 1);
});

test("issue 7.14: overlapping fragments discard the datagram; an exact duplicate does not", () => {
  const s = start();
  const pkt = regPkt(s);
  const [a, b] = [piece(pkt, 0, 32, true), piece(pkt, 32, pkt.length - 52, false)];
  // Exact duplicate of fragment 0: dropped alone, the datagram completes.
  s.board.rx(1, upFrame(a));
  s.board.rx(1, upFrame(a));
  s.board.rx(1, upFrame(b));
  assert.equal(replies(s.cap).length, 1);
  assert.equal(s.board.counters().drop_reasm_duplicate, 1);
  // Overlap with other bytes (offset 24 rewrites bytes 24..31): the whole datagram is discarded,
  // and so are its later fragments (RFC 5722's stance), until its timer.
  s.clock.t += 1000;
  s.cap.tx.length = 0;
  const p2 = regPkt(s, { low: 2, id: 9 });
  s.board.rx(1, upFrame(piece(p2, 0, 32, true)));
  s.board.rx(1, upFrame(piece(p2, 24, 16, true, { fill: 0xee })));
  s.board.rx(1, upFrame(piece(p2, 32, p2.length - 52, false)));
  assert.equal(replies(s.cap).length, 0);
  let c = s.board.counters();
  assert.equal(c.drop_reasm_overlap, 2);
  assert.equal(c.ip_reassembled, 1);
  // Same offset, same length, other bytes: an overlap too.
  const p3 = regPkt(s, { low: 3, id: 10 });
  s.board.rx(1, upFrame(piece(p3, 0, 32, true)));
  s.board.rx(1, upFrame(piece(p3, 0, 32, true, { fill: 1 })));
  c = s.board.counters();
  assert.equal(c.drop_reasm_overlap, 3);
  // After the timeout (no time exceeded for discarded ones) the same datagram can come whole.
  s.clock.t += 30_001;
  s.board.tick(s.clock.t);
  s.cap.tx.length = 0;
  const p4 = regPkt(s, { low: 4, id: 9 });
  for (const f of fragment(p4, 60)) s.board.rx(1, upFrame(f));
  assert.equal(replies(s.cap).length, 1);
  assert.equal(sent(s.cap, (x) => x.proto === 1).length, 0, "no time exceeded after an overlap");
});

test("issue 7.14: a reassembly timeout sends time exceeded code 1 only when fragment 0 arrived", () => {
  const s = start();
  const pkt = udp(FAR, UP_IP, 200, { id: 4321 });
  s.board.rx(1, upFrame(piece(pkt, 0, 96, true)));
  s.clock.t += 29_999;
  s.board.tick(s.clock.t);
  assert.equal(sent(s.cap).length, 0, "not before 30 s");
  s.clock.t += 2;
  s.board.tick(s.clock.t);
  const out = sent(s.cap);
  assert.equal(out.length, 1);
  const m = out[0].b.subarray(20);
  assert.equal(out[0].dst, FAR);
  assert.equal(out[0].src, UP_IP);
  assert.deepEqual([m[0], m[1]], [11, 1], "fragment reassembly time exceeded");
  assert.equal(host.checksum(m, 0, out[0].len - 20), 0);
  assert.equal(out[0].len - 20, 8 + 20 + 8, "quotes fragment 0's header and 8 bytes");
  assert.equal((m[8 + 4] << 8) | m[8 + 5], 4321);
  assert.equal((m[8 + 6] << 8) | m[8 + 7], 0x2000, "MF, offset 0: the fragment as received");
  assert.deepEqual(m.subarray(8 + 20, 8 + 28), pkt.subarray(20, 28));
  // Without fragment 0: discarded silently.
  s.cap.tx.length = 0;
  s.board.rx(1, upFrame(piece(pkt, 96, 96, true)));
  s.clock.t += 30_001;
  s.board.tick(s.clock.t);
  assert.equal(sent(s.cap).length, 0);
  assert.equal(s.board.counters().drop_reasm_timeout, 2);
});

test("issue 7.14: a flood of 1000 incomplete datagrams leaves ARP, bindings and reassembly working; heap unchanged", () => {
  const s = start();
  const heap0 = s.board.heapUsed(), bytes0 = s.board.memoryBytes();
  for (let i = 0; i < 1000; i++) {
    const p = udp(ip(`10.9.${100 + (i >> 8)}.${(i & 255) || 1}`), UP_IP, 100, { id: i });
    s.board.rx(1, upFrame(piece(p, 0, 64, true)));
    if (i % 100 === 0) { s.clock.t += 10; s.board.tick(s.clock.t); }
  }
  let c = s.board.counters();
  assert.equal(c.drop_reasm_evicted, 998, "two slots on the emulated board: the oldest makes room");
  // ARP still answers, registrations (tables and timers) still work, a fragmented one too.
  s.cap.tx.length = 0;
  s.board.rx(0, host.arpFrame(1, CN_MAC, CN, ZERO_MAC, HOME_IP));
  assert.equal(s.cap.tx.filter((x) => host.parseArpFrame(x.frame)?.op === 2).length, 1);
  register(s);
  const p2 = regPkt(s, { home: MN2, coa: COA2, n: 6 });
  for (const f of fragment(p2, 44)) s.board.rx(1, upFrame(f));
  assert.equal(replies(s.cap).length, 1);
  assert.equal(replies(s.cap)[0].reply.code, 0);
  assert.equal(s.board.dump("bindings").length, 2);
  assert.equal(s.board.heapUsed(), heap0);
  assert.equal(s.board.memoryBytes(), bytes0);
  // The fragmented request evicted the older of the two left; the last one times out (it has its
  // fragment 0: time exceeded to its source).
  s.cap.tx.length = 0;
  s.clock.t += 31_000;
  s.board.tick(s.clock.t);
  const te = sent(s.cap, (x) => x.proto === 1);
  assert.equal(te.length, 1);
  assert.equal(te[0].dst, ip("10.9.103.231"));
  c = s.board.counters();
  assert.equal(c.drop_reasm_evicted, 999);
  assert.equal(c.drop_reasm_timeout, 1);
});

// ---- 7.15 --------------------------------------------------------------------------------------------

test("issue 7.15: a 1400-byte datagram without DF to a node behind up0 (MTU 1000) leaves as two IP-in-IP fragments", () => {
  const s = start({ upMtu: 1000 });
  register(s);
  const pkt = udp(CN, MN, 1372, { ttl: 30 });
  assert.equal(s.board.rx(0, homeFrame(pkt)), 0);
  const out = sent(s.cap);
  assert.equal(out.length, 2);
  for (const x of out) {
    assert.equal(x.iface, 1);
    assert.deepEqual(x.frame.subarray(0, 6), R_MAC);
    assert.equal(x.proto, 4);
    assert.equal(x.src, HOME_IP);
    assert.equal(x.dst, COA);
    assert.ok(x.len <= 1000, `${x.len} bytes`);
    assert.equal(x.flags & 0x4000, 0, "DF clear, as the inner");
  }
  const whole = reassemble(out.map((x) => x.b.slice(0, x.len)));
  assert.equal(whole.length, 1420);
  assert.equal(whole[9], 4);
  const inner = whole.subarray(20);
  assert.equal(host.checksum(inner, 0, 20), 0);
  assert.equal(inner[8], 29, "inner TTL decremented once");
  assert.deepEqual(inner.subarray(0, 8), pkt.subarray(0, 8));
  assert.deepEqual(inner.subarray(12), pkt.subarray(12), "addresses and the whole payload");
  const c = s.board.counters();
  assert.equal(c.ip_fragmented, 1);
  assert.equal(c.ip_fragments_tx, 2);
  assert.equal(c.tunnel_tx, 1);
  assert.equal(c.drop_tunnel_mtu, 0);
  // With DF: frag needed with 1000 - 20, as before.
  s.cap.tx.length = 0;
  s.board.rx(0, homeFrame(udp(CN, MN, 1372, { df: true })));
  const [e] = sent(s.cap);
  assert.equal(e.proto, 1);
  assert.equal((e.b[26] << 8) | e.b[27], 980);
});

test("issue 7.15: forwarding fragments a datagram without DF larger than the outgoing MTU (copied options only after the first)", () => {
  const s = start({ upMtu: 600 });
  // Loose Source Route (copied) and Record Route (not copied), both well formed.
  const opts = [131, 7, 8, 10, 9, 9, 9, 7, 7, 4, 0, 0, 0, 0, 1, 0];
  const u = udp(CN, FAR, 1000, { ttl: 20 });
  const b = new Uint8Array(u.length + opts.length);
  b.set(u.subarray(0, 20)); b.set(opts, 20); b.set(u.subarray(20), 36);
  b[0] = 0x49; b[2] = b.length >> 8; b[3] = b.length & 255;
  fixIpSum(b);
  assert.equal(s.board.rx(0, homeFrame(b)), 0);
  const out = sent(s.cap);
  assert.equal(out.length, 2);
  assert.ok(out.every((x) => x.len <= 600 && x.dst === FAR && x.b[8] === 19));
  assert.equal(out[0].b[0], 0x49, "fragment 0 keeps every option");
  assert.equal(out[1].b[0], 0x47, "later fragments: the copied Loose Source Route only");
  assert.deepEqual(out[1].b.subarray(20, 28), Uint8Array.of(131, 7, 8, 10, 9, 9, 9, 0));
  const frags = out.map((x) => x.b.slice(0, x.len));
  const whole = reassemble(frags);
  assert.deepEqual(whole.subarray(36), b.subarray(36), "the payload");
  assert.equal(s.board.counters().forwarded, 1);
  // DF: not fragmented, frag needed with the MTU.
  s.cap.tx.length = 0;
  s.board.rx(0, homeFrame(udp(CN, FAR, 1000, { df: true })));
  const [e] = sent(s.cap);
  assert.deepEqual([e.b[20], e.b[21]], [3, 4]);
  assert.equal((e.b[26] << 8) | e.b[27], 600);
});
