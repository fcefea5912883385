// Tunnels (assembly/mobility/tunnel.ts): the tunnel exit refuses malformed IP-in-IP / minimal / GRE
// packets (counted), the home agent's encapsulation (TTL, TOS, DF), and the soft tunnel state fed by
// ICMP errors about tunnelled datagrams (RFC 2003 §4-5): relay to the original sender, tunnel MTU,
// reachability, and what makes an error about a tunnel believable (issue 7.4: a quote of a datagram
// we tunnel to a live binding; RFC 1191 plausibility). ICMP errors reach mobility through
// the ICMP handlers mobility/roles.ts registers with stack/ip.ts; some tests also use a test build that feeds a
// received frame to those handlers (ip.ts ipIcmpHandle) the way ip.ts does (IPv4 and ICMP checks first).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, compileTestModule } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01");
const R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), FAR = ip("10.0.9.9"), FA = ip("10.0.3.1"), MID = ip("10.0.7.1");
const ZERO_MAC = new Uint8Array(6);
const KEY = { spi: 1000, algorithm: "hmac-md5", key: new TextEncoder().encode("mn-secret") };
const T0 = 1_000_000;

const haJson = (mobility = {}) => ({
  name: "ha", board: "emulated", roles: ["home-agent"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true },
    { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
  ],
  routes: [{ dest: "default", via: "10.0.2.254" }],
  mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"], ...mobility },
  securityAssociations: [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" }],
});

// ---- test build: the firmware plus one export that feeds the rx buffer to ipIcmpHandle ----
const ENTRY_SRC = `export * from "./index";
import { ipIcmpHandle } from "./stack/ip";
import { rx_buffer } from "./index";
import { setNow } from "./clock";
import { now_ms } from "./host";
import { ipv4Check, ipv4TotalLen, ipv4HeaderLen, ipv4Proto } from "./wire/ipv4";
import { icmpCheck } from "./wire/icmp";
export function test_icmp_rx(iface: i32, frameLen: i32): i32 {
  setNow(now_ms());
  const p = rx_buffer() + 14;
  if (ipv4Check(p, frameLen - 14) != 0 || ipv4Proto(p) != 1) return -2;
  const len = <i32>ipv4TotalLen(p);
  const hl = ipv4HeaderLen(p);
  if (icmpCheck(p + <usize>hl, len - hl) != 0) return -3;
  return ipIcmpHandle(iface, p, len);
}
`;
let testModule;
before(async () => { testModule = await compileTestModule("tunnel", ENTRY_SRC); });

function start(mobility, module) {
  const clock = { t: T0 };
  const s = startBoard(haJson(mobility), { now: () => clock.t, ...(module ? { module } : {}) });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE));
  s.cap.tx.length = 0;
  return { ...s, clock };
}

/** Register MN at FA (request relayed by the FA through the core router). */
function register(s, flags = 0, low = 1) {
  let m = host.buildRegRequest({ flags, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA, id: host.ntpTimestamp(s.clock.t, 0, low) });
  m = host.appendAuth(m, host.EXT_MH_AUTH, KEY);
  s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FA, HA_IP, 434, 434, m, 3, 60)));
  s.cap.tx.length = 0;
}

function ipOf(frame) {
  const b = frame.subarray(14);
  const info = new host.Ipv4Info();
  return host.parseIpv4(b, info) === host.ParseError.OK ? { b, info } : null;
}
function ipFrames(cap, proto) {
  const out = [];
  for (const { iface, frame } of cap.tx) {
    if (host.etherType(frame) !== 0x0800) continue;
    const p = ipOf(frame);
    if (!p || (p.info.dst >>> 28) === 0xe) continue;
    if (proto === undefined || p.info.proto === proto) out.push({ iface, frame, ...p });
  }
  return out;
}

/** Set the header checksum of the IPv4 header at `o` in `b`. */
function fixIpSum(b, o = 0) {
  const hl = (b[o] & 15) * 4;
  b[o + 10] = b[o + 11] = 0;
  const c = host.checksum(b, o, hl);
  b[o + 10] = c >> 8; b[o + 11] = c & 255;
  return b;
}
/** An outer IPv4 header (protocol `proto`) from `src` to `dst` in front of `payload`. */
function outer(proto, payload, { src = FA, dst = HA_IP, ttl = 64, df = false } = {}) {
  const b = new Uint8Array(20 + payload.length);
  b.set(payload, 20);
  host.writeIpv4Header(b, b.length, proto, src, dst, 11, ttl);
  if (df) { b[6] |= 0x40; fixIpSum(b); }
  return b;
}
const innerUdp = (len = 32, opts = {}) => host.buildUdp(opts.src ?? FAR, opts.dst ?? MN, 7000, 7001, new Uint8Array(len).fill(0x33), 21, opts.ttl ?? 30);
const toHa = (pkt) => host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);

/** A datagram from the far correspondent to the home address, optionally with DF. */
function fromFar({ len = 64, df = false, tos = 0 } = {}) {
  const pkt = innerUdp(len);
  pkt[1] = tos;
  if (df) pkt[6] |= 0x40;
  return toHa(fixIpSum(pkt));
}

/** An ICMP error (type/code/rest word) from a router inside the tunnel to the home agent, quoting `quote`. */
function icmpFromTunnel(type, code, rest, quote, { src = MID } = {}) {
  const m = new Uint8Array(8 + quote.length);
  m[0] = type; m[1] = code;
  m[4] = (rest >>> 24) & 255; m[5] = (rest >>> 16) & 255; m[6] = (rest >>> 8) & 255; m[7] = rest & 255;
  m.set(quote, 8);
  const c = host.checksum(m, 0, m.length);
  m[2] = c >> 8; m[3] = c & 255;
  return toHa(outer(1, m, { src, dst: HA_IP }));
}

/** Feed a frame to the test build's ipIcmpHandle path. */
function icmpIn(s, frame) {
  new Uint8Array(s.board.x.memory.buffer).set(frame, s.board.x.rx_buffer());
  return s.board.x.test_icmp_rx(1, frame.length);
}

test("the tunnel exit refuses malformed IP-in-IP, minimal and GRE packets, counted; never a trap", () => {
  const s = start();
  const inner = innerUdp();
  const cases = [];
  // IP in IP: inner checksum wrong; inner Total Length not the outer payload; inner truncated.
  const badSum = inner.slice(); badSum[10] ^= 1; cases.push(outer(4, badSum));
  cases.push(outer(4, Uint8Array.from([...inner, 0, 0, 0, 0])));
  cases.push(outer(4, inner.slice(0, 12)));
  const badVer = inner.slice(); badVer[0] = 0x65; cases.push(outer(4, fixIpSum(badVer)));
  // Minimal: header checksum wrong; header truncated; S set but only 8 bytes.
  const mh = new Uint8Array(8 + 40);
  mh[0] = 17; mh[4] = 10; mh[5] = 0; mh[6] = 1; mh[7] = 50;
  const mc = host.checksum(mh, 0, 8); mh[2] = (mc >> 8) ^ 0xff; mh[3] = mc & 255;
  cases.push(outer(55, mh));
  cases.push(outer(55, new Uint8Array(6)));
  const ms = new Uint8Array(10); ms[1] = 0x80; cases.push(outer(55, ms));
  // GRE: version 1, routing present, protocol type not IPv4, checksum wrong, truncated, bad inner.
  const gre = (w0, w1, body = inner) => Uint8Array.from([w0 >> 8, w0 & 255, w1 >> 8, w1 & 255, ...body]);
  cases.push(outer(47, gre(0x0001, 0x0800)));
  cases.push(outer(47, gre(0x4000, 0x0800, [0, 0, 0, 0, 0, 0, 0, 0, ...inner])));
  cases.push(outer(47, gre(0x0000, 0x86dd)));
  cases.push(outer(47, gre(0x8000, 0x0800, [0x12, 0x34, 0, 0, ...inner])));
  cases.push(outer(47, Uint8Array.of(0, 0)));
  cases.push(outer(47, gre(0x0000, 0x0800, badSum)));
  for (const c of cases) assert.equal(s.board.rx(1, toHa(c)), 1);
  const k = s.board.counters();
  assert.equal(k.drop_tunnel_malformed, cases.length);
  assert.equal(k.tunnel_decapsulated, 0);
  assert.equal(s.cap.tx.length, 0, "nothing sent about them");
  // Random tunnel payloads never trap.
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 255;
  for (let i = 0; i < 600; i++) {
    const body = Uint8Array.from({ length: rnd() % 80 }, rnd);
    if (body.length > 0 && i % 2) body[0] = 0x45;
    s.board.rx(1, toHa(outer([4, 55, 47][i % 3], body)));
  }
});

test("a valid tunnelled datagram reaching a home agent is stripped but not delivered (no exit role)", () => {
  const s = start();
  const inner = innerUdp();
  const okGre = Uint8Array.from([0, 0, 8, 0, ...inner]);
  for (const pkt of [outer(4, inner), outer(47, okGre)]) assert.equal(s.board.rx(1, toHa(pkt)), 1);
  const k = s.board.counters();
  assert.equal(k.tunnel_decapsulated, 2);
  assert.equal(k.drop_tunnel_no_exit, 2);
  assert.equal(k.drop_tunnel_malformed, 0);
});

test("encapsulation copies TOS and DF, decrements the inner TTL, outer TTL = default TTL; minimal keeps one header", () => {
  const s = start();
  register(s);
  s.board.rx(1, fromFar({ df: true, tos: 0x10 }));
  const [t] = ipFrames(s.cap, 4);
  assert.equal(t.b[1], 0x10, "TOS copied");
  assert.equal(t.b[6] & 0x40, 0x40, "DF copied");
  assert.equal(t.info.ttl, 64);
  assert.equal(t.b[20 + 8], 29, "inner TTL 30 - 1");
  assert.equal(host.checksum(t.b, 20, 20), 0, "inner checksum updated");
  // Minimal: the datagram from the home agent itself would carry no original source (S clear), but a
  // forwarded one always has S.
  const m = start();
  register(m, host.REQ_M);
  m.board.rx(1, fromFar({ len: 100 }));
  const [x] = ipFrames(m.cap, 55);
  assert.equal(x.info.totalLen, 128 + 12);
  assert.equal(x.b[21], 0x80);
  assert.equal(host.checksum(x.b, 0, 20), 0);
});

test("ICMP frag needed from inside the tunnel: relayed with MTU - overhead, and remembered for the next datagrams", () => {
  const s = start({}, testModule);
  register(s);
  s.board.rx(1, fromFar({ len: 1300, df: true }));
  const [t] = ipFrames(s.cap, 4);
  assert.ok(t, "tunnelled first");
  s.cap.tx.length = 0;
  // A router in the tunnel with a 1200-byte link quotes our packet (RFC 1812: as much as fits in 576).
  const quote = t.b.slice(0, 548);
  assert.equal(icmpIn(s, icmpFromTunnel(3, 4, 1200, quote)), 0);
  const [r] = ipFrames(s.cap, 1);
  assert.equal(r.info.dst, FAR, "to the original sender");
  assert.equal(r.info.src, HA_CORE);
  const m = r.b.subarray(20);
  assert.deepEqual([m[0], m[1]], [3, 4]);
  assert.equal((m[6] << 8) | m[7], 1180, "tunnel MTU - 20");
  assert.equal(host.get32(m, 8 + 12), FAR, "quotes the sender's own datagram");
  assert.equal(host.get32(m, 8 + 16), MN);
  assert.equal(host.checksum(m, 0, m.length), 0);
  let k = s.board.counters();
  assert.equal(k.tunnel_icmp_rx, 1);
  assert.equal(k.tunnel_icmp_relayed, 1);
  // Soft state: the next too-big DF datagram is refused at once, a smaller one goes.
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar({ len: 1190 - 28, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  const [r2] = ipFrames(s.cap, 1);
  assert.equal((r2.b[26] << 8) | r2.b[27], 1180);
  s.board.rx(1, fromFar({ len: 1180 - 28, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 1);
  // A larger "next-hop MTU" later does not raise it; an impossible one is ignored.
  icmpIn(s, icmpFromTunnel(3, 4, 1400, quote));
  icmpIn(s, icmpFromTunnel(3, 4, 40, quote));
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar({ len: 1190 - 28, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  // After ten minutes the interface MTU is tried again (RFC 1191 §6.3).
  s.clock.t += 600_001;
  s.board.tick(s.clock.t);
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE)); // the router again (ARP entry aged)
  s.cap.tx.length = 0;
  register(s, 0, 2);
  s.board.rx(1, fromFar({ len: 1300, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 1);
});

test("unreachable / time exceeded inside the tunnel: relayed when quoted, else reported to the next senders while the datagrams still go", () => {
  const s = start({}, testModule);
  register(s);
  s.board.rx(1, fromFar());
  const [t] = ipFrames(s.cap, 4);
  s.cap.tx.length = 0;
  // RFC 792 minimal quote (outer header + 8 bytes): it does not show the home address the tunnel
  // carried, so it cannot be matched to a binding (issue 7.4): ignored, no soft state.
  assert.equal(icmpIn(s, icmpFromTunnel(3, 0, 0, t.b.slice(0, 28))), -1);
  assert.equal(ipFrames(s.cap, 1).length, 0);
  s.board.rx(1, fromFar());
  assert.equal(ipFrames(s.cap, 1).length, 0, "no soft state from an unmatched quote");
  s.cap.tx.length = 0;
  // Outer header + inner header + 8 bytes (RFC 1812 §4.3.2.3 routers quote more): relayed at once...
  assert.equal(icmpIn(s, icmpFromTunnel(3, 0, 0, t.b.slice(0, 48))), 0);
  assert.equal(ipFrames(s.cap, 1).length, 1);
  s.cap.tx.length = 0;
  // ... and the next datagram's sender hears of it too, while the datagram is still tunnelled.
  s.board.rx(1, fromFar());
  const icmp = ipFrames(s.cap, 1);
  assert.equal(icmp.length, 1);
  assert.deepEqual([icmp[0].b[20], icmp[0].b[21]], [3, 0], "network unreachable");
  assert.equal(icmp[0].info.dst, FAR);
  assert.equal(ipFrames(s.cap, 4).length, 1);
  // Time exceeded with a full quote -> host unreachable to the sender at once.
  s.cap.tx.length = 0;
  assert.equal(icmpIn(s, icmpFromTunnel(11, 0, 0, t.b.slice())), 0);
  const [te] = ipFrames(s.cap, 1);
  assert.deepEqual([te.b[20], te.b[21]], [3, 1]);
  assert.equal(host.get32(te.b, 28 + 16), MN);
  // Port unreachable, source quench: taken, not relayed.
  s.cap.tx.length = 0;
  assert.equal(icmpIn(s, icmpFromTunnel(3, 3, 0, t.b.slice())), 0);
  assert.equal(icmpIn(s, icmpFromTunnel(4, 0, 0, t.b.slice())), 0);
  assert.equal(ipFrames(s.cap, 1).length, 0);
  // The soft state ages out.
  s.clock.t += 10_001;
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar());
  assert.equal(ipFrames(s.cap, 1).length, 0);
  assert.equal(ipFrames(s.cap, 4).length, 1);
  // Errors not about one of our tunnels are left to the stack.
  const udpQuote = innerUdp().slice(0, 28);
  assert.equal(icmpIn(s, icmpFromTunnel(3, 1, 0, udpQuote)), -1);
  const foreign = t.b.slice(); foreign.set([10, 0, 2, 99], 12); fixIpSum(foreign);
  assert.equal(icmpIn(s, icmpFromTunnel(3, 1, 0, foreign)), -1, "outer source not ours");
  assert.equal(s.board.counters().tunnel_icmp_rx, 5);
  assert.equal(s.board.counters().tunnel_icmp_ignored, 1);
});

test("minimal encapsulation: the original header is rebuilt from the quote before relaying", () => {
  const s = start({}, testModule);
  register(s, host.REQ_M);
  s.board.rx(1, fromFar({ len: 1000, df: true }));
  const [t] = ipFrames(s.cap, 55);
  s.cap.tx.length = 0;
  assert.equal(icmpIn(s, icmpFromTunnel(3, 4, 700, t.b.slice(0, 548))), 0);
  const [r] = ipFrames(s.cap, 1);
  const m = r.b.subarray(20);
  assert.deepEqual([m[0], m[1]], [3, 4]);
  assert.equal((m[6] << 8) | m[7], 688, "700 - 12 (minimal header with S)");
  const q = m.subarray(8);
  assert.equal(q[9], 17, "protocol restored");
  assert.equal(host.get32(q, 12), FAR);
  assert.equal(host.get32(q, 16), MN);
  assert.equal((q[2] << 8) | q[3], 1028, "total length without the minimal header");
  assert.equal(host.checksum(q, 0, 20), 0);
  assert.equal(r.info.dst, FAR);
});

test("issue 8.8: the home agent's flows send the same frame as the full path (IP in IP, minimal, GRE)", () => {
  // Two identical home agents; in `b` an unrelated route added after the first datagram makes every
  // flow (stack/flow.ts) stale, so its next datagram takes the full path (tunnelCheck + tunnelSend)
  // while `a` takes its flow. Same history, so the same Identification: the frames must match.
  const addRoute = (s) => {
    // ROUTE (ABI v2): prefix 96 + 24, iface 1, pad, ::ffff:192.168.77.0 via ::ffff:10.0.2.254.
    const rec = [4, 0, 0, 36, 120, 1, 0, 0, ...host.mappedAddress(0xc0a84d00), ...host.mappedAddress(0x0a0002fe)];
    const cfg = [0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, ...rec];
    const x = s.board.x;
    new Uint8Array(x.memory.buffer, x.config_buffer(), cfg.length).set(cfg);
    assert.equal(x.config_add(x.config_buffer(), cfg.length), 0);
  };
  for (const flags of [0, host.REQ_M, host.REQ_G]) {
    const a = start(), b = start();
    // Two datagrams each: a flow is kept from its second one (stack/flow.ts flowWanted).
    for (const s of [a, b]) { register(s, flags); s.board.rx(1, fromFar({ len: 100 })); s.board.rx(1, fromFar({ len: 100 })); s.cap.tx.length = 0; }
    addRoute(b);
    for (const s of [a, b]) {
      s.board.rx(1, fromFar({ len: 100, tos: 0x10, df: true }));
      s.board.rx(1, fromFar({ len: 700 }));
    }
    const fa = ipFrames(a.cap), fb = ipFrames(b.cap);
    assert.equal(fa.length, 2, `flags ${flags}`);
    assert.equal(fa[0].info.proto, flags === host.REQ_M ? 55 : flags === host.REQ_G ? 47 : 4);
    assert.deepEqual(fa.map((f) => [...f.frame]), fb.map((f) => [...f.frame]), `flags ${flags}`);
    // The same counters but flow_hits: `a`'s datagrams went by its flow, `b`'s first one after the
    // new route by the full path.
    const ca = a.board.counters(), cb = b.board.counters();
    assert.equal(ca.flow_hits, cb.flow_hits + 1, `flags ${flags}`);
    delete ca.flow_hits; delete cb.flow_hits;
    assert.deepEqual(ca, cb);
  }
});
