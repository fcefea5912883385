// Home agent (assembly/mobility/ha.ts): RFC 2002 §3.8 registration processing, mobility bindings,
// proxy and gratuitous ARP (§4.6), interception and tunnelling to every care-of address (§4.1-4.3),
// expiry. One firmware board plays the home agent; the test plays the foreign agent, the mobile
// node's messages, a correspondent and the routers, with a fake clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, parseIpFrame, ipFrames, regReplies } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC0 = host.mac("02:00:00:00:0a:01"), HA_MAC1 = host.mac("02:00:00:00:0b:01");
const R_MAC = host.mac("02:00:00:00:0b:fe"), CN_MAC = host.mac("02:00:00:00:0a:20"), MN_MAC = host.mac("02:00:00:00:0a:50");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const HOME_BCAST = ip("10.0.1.255");
const MN = ip("10.0.1.50"), MN2 = ip("10.0.1.51"), CN = ip("10.0.1.20"), FAR = ip("10.0.9.9");
const FA = ip("10.0.3.1"), FA2 = ip("10.0.4.1"), FA3 = ip("10.0.5.1");
const ZERO_MAC = new Uint8Array(6);
const KEY_HMAC = { spi: 1000, algorithm: "hmac-md5", key: new TextEncoder().encode("mn-secret") };
const KEY_KEYED = { spi: 1001, algorithm: "keyed-md5", key: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) };
const EV_BINDING = 8, EV_AUTH_FAILED = 10, EV_REG_DENIED = 11;
const T0 = 1_000_000;

function haJson(mobility = {}, extra = {}) {
  return {
    name: "ha", board: "emulated", roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
    ],
    routes: [{ dest: "default", via: "10.0.2.254" }],
    mobility: { lifetimeSec: 600, maxBindingsPerNode: 2, encapsulations: ["ipip", "minimal", "gre"], ...mobility },
    securityAssociations: [
      { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
      { peer: "10.0.1.51", spi: 1001, algorithm: "keyed-md5", key: "0102030405060708090a0b0c0d0e0f10" },
    ],
    ...extra,
  };
}

/** A started home agent that already knows the core router's and the correspondent's MACs. */
function start(mobility, extra) {
  const clock = { t: T0 };
  const s = startBoard(haJson(mobility, extra), { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, HA_CORE));
  s.board.rx(0, host.arpFrame(1, CN_MAC, CN, ZERO_MAC, HA_IP));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

const ntp = (clock, low) => host.ntpTimestamp(clock.t, 0, low);

/** A Registration Request authenticated with `key` (mobile-home extension appended last). */
function regRequest({ flags = 0, lifetime = 300, home = MN, ha = HA_IP, coa = FA, id, key = KEY_HMAC, ext } = {}) {
  let m = host.buildRegRequest({ flags, lifetimeSec: lifetime, home, homeAgent: ha, careOf: coa, id, extensions: ext });
  return key ? host.appendAuth(m, host.EXT_MH_AUTH, key) : m;
}

/** The request as relayed by a foreign agent: IP FA -> HA, UDP sport -> 434, from the core router. */
function fromFa(msg, { src = FA, dst = HA_IP, sport = 5434 } = {}) {
  return host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(src, dst, sport, 434, msg, 7, 60));
}

const parseIp = parseIpFrame;

const replies = regReplies;


const arps = (cap) => cap.tx.map((t) => ({ iface: t.iface, a: host.parseArpFrame(t.frame), frame: t.frame })).filter((x) => x.a);
function bindingEvents(cap) {
  return cap.events.filter((e) => e.kind === EV_BINDING).map(({ data }) => {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return { op: data[0], lifetime: dv.getUint16(2, true), home: host.mappedV4(data, 4), coa: host.mappedV4(data, 20) };
  });
}

/** Register MN (or `home`) at `coa` through a foreign agent; returns the reply. */
function register(s, opts = {}) {
  const before = replies(s.cap).length;
  s.board.rx(1, fromFa(regRequest({ id: ntp(s.clock, opts.low ?? 0x1234), ...opts }), opts.via));
  const r = replies(s.cap).slice(before);
  assert.equal(r.length, 1, "one reply");
  return r[0];
}

/** A UDP datagram from a far correspondent (via the core router) to `dst`. */
const fromFar = (dst, { len = 64, df = false, src = FAR, id = 99, ttl = 30 } = {}) => {
  const pkt = host.buildUdp(src, dst, 7000, 7001, new Uint8Array(len).fill(0x5a), id, ttl);
  if (df) { pkt[6] |= 0x40; pkt[10] = pkt[11] = 0; const c = host.checksum(pkt, 0, 20); pkt[10] = c >> 8; pkt[11] = c & 255; }
  return host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);
};

/** An ARP request from the correspondent on the home link for `target`. */
const whoHas = (target) => host.arpFrame(1, CN_MAC, CN, ZERO_MAC, target);

test("valid request via a foreign agent: reply 0 to the FA's address and port, authenticated; binding, gratuitous and proxy ARP", () => {
  const s = start();
  const r = register(s, { lifetime: 300, via: { sport: 5434 } });
  assert.equal(r.reply.code, 0);
  assert.equal(r.iface, 1);
  assert.equal(r.dst, FA);
  assert.equal(r.src, HA_IP);
  assert.equal(r.sport, 434);
  assert.equal(r.dport, 5434, "reply to the request's UDP source port");
  assert.deepEqual(r.mac, R_MAC, "through the core router");
  assert.ok(r.reply.lifetimeSec <= 300 && r.reply.lifetimeSec > 0);
  assert.equal(r.reply.home, MN);
  assert.equal(r.reply.homeAgent, HA_IP);
  assert.equal(r.reply.id, ntp(s.clock, 0x1234), "valid timestamp echoed whole");
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_HMAC), "mobile-home authenticator");
  assert.deepEqual(bindingEvents(s.cap), [{ op: 1, lifetime: 300, home: MN, coa: FA }]);
  // Gratuitous ARP on the home interface: the home address at the home agent's MAC, three times.
  const g = () => arps(s.cap).filter((x) => x.iface === 0 && x.a.senderIp === MN && x.a.targetIp === MN);
  assert.equal(g().length, 1);
  assert.deepEqual(g()[0].a.senderMac, HA_MAC0);
  assert.deepEqual(g()[0].frame.subarray(0, 6), host.BROADCAST_MAC);
  s.clock.t += 1000; s.board.tick(s.clock.t);
  s.clock.t += 1000; s.board.tick(s.clock.t);
  s.clock.t += 5000; s.board.tick(s.clock.t);
  assert.equal(g().length, 3, "announced three times");
  // Proxy ARP: a host on the home link asking for the home address gets the home agent's MAC.
  s.cap.tx.length = 0;
  s.board.rx(0, whoHas(MN));
  const [rep] = arps(s.cap);
  assert.equal(rep.a.op, 2);
  assert.equal(rep.a.senderIp, MN);
  assert.deepEqual(rep.a.senderMac, HA_MAC0);
  assert.deepEqual(rep.a.targetMac, CN_MAC);
  const c = s.board.counters();
  assert.equal(c.ha_reg_rx, 1);
  assert.equal(c.ha_reg_accepted, 1);
});

test("keyed-MD5 security association (SPI not covered) works the same", () => {
  const s = start();
  const r = register(s, { home: MN2, key: KEY_KEYED, coa: FA });
  assert.equal(r.reply.code, 0);
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_KEYED));
  assert.ok(!host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, { ...KEY_KEYED, coverSpi: true }));
  assert.deepEqual(bindingEvents(s.cap).map((e) => e.home), [MN2]);
});

test("wrong key -> 131, AUTH_FAILED and REG_DENIED, no binding and no proxy ARP", () => {
  const s = start();
  const bad = { ...KEY_HMAC, key: new TextEncoder().encode("wrong") };
  const r = register(s, { key: bad });
  assert.equal(r.reply.code, 131);
  assert.equal(r.reply.lifetimeSec, 0);
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_HMAC), "the reply is still authenticated with the real key");
  const af = s.cap.events.filter((e) => e.kind === EV_AUTH_FAILED);
  assert.equal(af.length, 1);
  const dv = new DataView(af[0].data.buffer, af[0].data.byteOffset);
  assert.deepEqual([af[0].data[0], af[0].data[1], af[0].data[2], host.mappedV4(af[0].data, 8), dv.getUint32(4, true)], [3, 32, 131, MN, 1000]);
  const rd = s.cap.events.filter((e) => e.kind === EV_REG_DENIED);
  assert.deepEqual([rd[0].data[0], rd[0].data[1]], [3, 131]);
  assert.equal(bindingEvents(s.cap).length, 0);
  s.cap.tx.length = 0;
  s.board.rx(0, whoHas(MN));
  assert.equal(arps(s.cap).length, 0, "no proxy ARP");
  // Missing authenticator, and a home address without a security association: 131 too.
  assert.equal(register(s, { key: null, low: 2 }).reply.code, 131);
  const noSa = register(s, { home: ip("10.0.1.77"), low: 3 });
  assert.equal(noSa.reply.code, 131);
  assert.equal(host.extensions(noSa.msg, 20).length, 0, "no SA: nothing to authenticate the reply with");
  assert.equal(s.board.counters().ha_reg_denied, 3);
});

test("replayed request -> 133 carrying the home agent's time; a fresh timestamp is then accepted", () => {
  const s = start();
  const id = ntp(s.clock, 0x42);
  const msg = regRequest({ id });
  s.board.rx(1, fromFa(msg));
  assert.equal(replies(s.cap)[0].reply.code, 0);
  s.clock.t += 2000;
  s.board.rx(1, fromFa(msg));
  const r = replies(s.cap)[1];
  assert.equal(r.reply.code, 133);
  assert.equal(r.reply.id & 0xffffffffn, 0x42n, "low 32 bits from the request");
  assert.equal(r.reply.id >> 32n, ntp(s.clock, 0) >> 32n, "high 32 bits: the home agent's time");
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_HMAC));
  // A timestamp far from the home agent's clock is refused the same way.
  assert.equal(register(s, { id: host.ntpTimestamp(s.clock.t, -60, 9) }).reply.code, 133);
  s.clock.t += 1000;
  assert.equal(register(s, { low: 0x43 }).reply.code, 0);
  assert.deepEqual(bindingEvents(s.cap).map((e) => e.op), [1, 2], "add, then refresh");
});

test("requested lifetime longer than allowed -> the configured maximum is granted", () => {
  const s = start({ lifetimeSec: 120 });
  const r = register(s, { lifetime: 60000 });
  assert.equal(r.reply.code, 0);
  assert.equal(r.reply.lifetimeSec, 120);
  assert.equal(bindingEvents(s.cap)[0].lifetime, 120);
  s.clock.t += 1000;
  assert.equal(register(s, { lifetime: 30, low: 5 }).reply.lifetimeSec, 30, "shorter requests keep their lifetime");
});

test("home agent field = home subnet broadcast -> 136 with our unicast address; unknown agent -> 136", () => {
  const s = start();
  const r = register(s, { ha: HOME_BCAST, via: { dst: HOME_BCAST } });
  assert.equal(r.reply.code, 136);
  assert.equal(r.reply.homeAgent, HA_IP);
  assert.equal(r.src, HA_IP);
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_HMAC));
  assert.equal(register(s, { ha: ip("10.0.1.2"), low: 7 }).reply.code, 136);
  assert.equal(bindingEvents(s.cap).length, 0);
});

test("poorly formed fixed part -> 134 (care-of = home address with a lifetime)", () => {
  const s = start();
  assert.equal(register(s, { coa: MN }).reply.code, 134);
  assert.equal(bindingEvents(s.cap).length, 0);
});

test("S with two care-of addresses: two tunnelled copies; a third -> 135; without S the others are replaced", () => {
  const s = start();
  assert.equal(register(s, { flags: host.REQ_S, coa: FA, low: 1 }).reply.code, 0);
  s.clock.t += 10;
  assert.equal(register(s, { flags: host.REQ_S, coa: FA2, low: 2 }).reply.code, 0);
  s.clock.t += 10;
  const r3 = register(s, { flags: host.REQ_S, coa: FA3, low: 3 });
  assert.equal(r3.reply.code, 135);
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN, { ttl: 30 }));
  const t = ipFrames(s.cap, 4);
  assert.deepEqual(t.map((x) => x.info.dst).sort(), [FA, FA2].sort());
  for (const x of t) {
    assert.equal(x.info.src, HA_IP, "outer source: the home agent's home address");
    assert.equal(x.info.ttl, 64, "outer TTL: default TTL");
    const inner = x.b.subarray(20);
    const ii = new host.Ipv4Info();
    assert.equal(host.parseIpv4(inner, ii), host.ParseError.OK);
    assert.equal(ii.dst, MN);
    assert.equal(ii.src, FAR);
    assert.equal(ii.ttl, 29, "inner TTL decremented (RFC 2003 §3.1)");
    assert.deepEqual(x.frame.subarray(0, 6), R_MAC);
  }
  assert.equal(s.board.counters().tunnel_tx, 2);
  // A registration without S replaces both.
  s.clock.t += 10;
  assert.equal(register(s, { coa: FA3, low: 4 }).reply.code, 0);
  const ev = bindingEvents(s.cap);
  assert.deepEqual(ev.slice(-3).map((e) => [e.op, e.coa]).sort(), [[1, FA3], [5, FA], [5, FA2]].sort(), "the others replaced: op 5 (docs/abi.md BINDING)");
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN));
  assert.deepEqual(ipFrames(s.cap, 4).map((x) => x.info.dst), [FA3]);
});

test("a datagram from the care-of address itself is not tunnelled back (loop prevention)", () => {
  const s = start();
  register(s, { coa: FA });
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN, { src: FA }));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  assert.equal(s.board.counters().drop_tunnel_loop, 1);
});

test("deregistration removes the binding and the proxy ARP entry; lifetime 0 with CoA = home removes all", () => {
  const s = start();
  register(s, { flags: host.REQ_S, coa: FA, low: 1 });
  s.clock.t += 10;
  register(s, { flags: host.REQ_S, coa: FA2, low: 2 });
  s.clock.t += 10;
  const d = register(s, { coa: FA, lifetime: 0, low: 3 });
  assert.equal(d.reply.code, 0);
  assert.equal(d.reply.lifetimeSec, 0);
  assert.deepEqual(bindingEvents(s.cap).at(-1), { op: 3, lifetime: 0, home: MN, coa: FA });
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN));
  assert.deepEqual(ipFrames(s.cap, 4).map((x) => x.info.dst), [FA2], "the other binding stays");
  s.clock.t += 10;
  // Returning home: the mobile node deregisters all directly, from its home address on the home link;
  // the home agent (no longer proxying) resolves it before the reply leaves.
  s.cap.tx.length = 0;
  const dereg = regRequest({ coa: MN, lifetime: 0, id: ntp(s.clock, 4) });
  s.board.rx(0, host.ethFrame(HA_MAC0, MN_MAC, 0x0800, host.buildUdp(MN, HA_IP, 434, 434, dereg, 8, 64)));
  const ask = arps(s.cap).filter((x) => x.a.op === 1 && x.a.targetIp === MN);
  assert.equal(ask.length, 1);
  assert.equal(ask[0].iface, 0);
  s.board.rx(0, host.arpFrame(2, MN_MAC, MN, HA_MAC0, HA_IP));
  const [h] = replies(s.cap);
  assert.equal(h.reply.code, 0);
  assert.equal(h.dst, MN);
  assert.equal(h.dport, 434);
  assert.deepEqual(h.mac, MN_MAC);
  assert.deepEqual(bindingEvents(s.cap).at(-1), { op: 3, lifetime: 0, home: MN, coa: FA2 });
  s.cap.tx.length = 0;
  s.board.rx(0, whoHas(MN));
  assert.equal(arps(s.cap).length, 0, "proxy ARP stopped");
  s.board.rx(1, fromFar(MN));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  const fwd = ipFrames(s.cap, 17);
  assert.equal(fwd.length, 1, "plain forwarding on the home link");
  assert.equal(fwd[0].iface, 0);
  assert.deepEqual(fwd[0].frame.subarray(0, 6), MN_MAC);
});

test("expiry after the granted lifetime removes the binding; datagrams then go to the home link", () => {
  const s = start({ lifetimeSec: 5 });
  register(s, { lifetime: 100 });
  s.cap.events.length = 0;
  s.clock.t += 4999;
  s.board.tick(s.clock.t);
  assert.equal(bindingEvents(s.cap).length, 0);
  s.clock.t += 1;
  const next = s.board.tick(s.clock.t);
  assert.deepEqual(bindingEvents(s.cap), [{ op: 4, lifetime: 0, home: MN, coa: FA }]);
  assert.ok(next > s.clock.t);
  s.cap.tx.length = 0;
  s.board.rx(0, whoHas(MN));
  assert.equal(arps(s.cap).length, 0, "no proxy ARP after expiry");
  s.board.rx(1, fromFar(MN));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  assert.equal(arps(s.cap).filter((x) => x.iface === 0 && x.a.op === 1 && x.a.targetIp === MN).length, 1);
  // A new registration after expiry starts over (new binding, announced again).
  s.cap.tx.length = 0;
  register(s, { low: 77 });
  assert.equal(bindingEvents(s.cap).at(-1).op, 1);
  assert.equal(arps(s.cap).filter((x) => x.a.senderIp === MN && x.a.targetIp === MN).length, 1);
});

test("encapsulation from the request's M/G bits when configured, IP in IP otherwise", () => {
  const cases = [
    { enc: ["ipip", "minimal", "gre"], flags: host.REQ_M, proto: 55 },
    { enc: ["ipip", "minimal", "gre"], flags: host.REQ_G, proto: 47 },
    { enc: ["ipip", "minimal", "gre"], flags: 0, proto: 4 },
    { enc: ["ipip"], flags: host.REQ_M, proto: 4 },
    { enc: ["ipip"], flags: host.REQ_G, proto: 4 },
  ];
  for (const c of cases) {
    const s = start({ encapsulations: c.enc });
    assert.equal(register(s, { flags: c.flags }).reply.code, 0);
    s.cap.tx.length = 0;
    s.board.rx(1, fromFar(MN));
    const all = ipFrames(s.cap);
    assert.equal(all.length, 1, JSON.stringify(c));
    const x = all[0];
    assert.equal(x.info.proto, c.proto, JSON.stringify(c));
    assert.equal(x.info.dst, FA);
    assert.equal(x.info.src, HA_IP);
    if (c.proto === 55) {
      // Minimal header: protocol 17, S (original source FAR), checksum, original dst MN, src FAR.
      const m = x.b.subarray(20, 32);
      assert.equal(m[0], 17);
      assert.equal(m[1], 0x80);
      assert.equal(host.checksum(m, 0, 12), 0);
      assert.equal(host.get32(m, 4), MN);
      assert.equal(host.get32(m, 8), FAR);
      assert.equal(x.info.ttl, 29, "the original header is the outer one: forwarding TTL");
    } else if (c.proto === 47) {
      assert.deepEqual([...x.b.subarray(20, 24)], [0, 0, 8, 0], "4-byte GRE header, IPv4");
      assert.equal(host.get32(x.b, 24 + 16), MN);
    }
  }
});

test("DF and too big for the tunnel -> ICMP fragmentation needed with MTU - overhead; without DF fragmented (RFC 2003 §5.1)", () => {
  const s = start();
  register(s, {});
  s.cap.tx.length = 0;
  // 1490-byte datagram + 20 > 1500.
  s.board.rx(1, fromFar(MN, { len: 1490 - 28, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 0);
  const icmp = ipFrames(s.cap, 1);
  assert.equal(icmp.length, 1);
  const m = icmp[0].b.subarray(20);
  assert.equal(icmp[0].info.dst, FAR);
  assert.equal(icmp[0].info.src, HA_CORE, "from the interface the error leaves by");
  assert.deepEqual([m[0], m[1]], [3, 4]);
  assert.equal((m[6] << 8) | m[7], 1480);
  assert.equal(host.get32(m, 8 + 16), MN, "quotes the original datagram");
  s.board.rx(1, fromFar(MN, { len: 1490 - 28, df: false }));
  assert.equal(ipFrames(s.cap, 1).length, 1, "no ICMP without DF");
  assert.equal(s.board.counters().drop_tunnel_mtu, 1);
  assert.equal(s.board.counters().ip_fragments_tx, 2, "the outer datagram left in two fragments (issue 7.15)");
  // With GRE the overhead is 24.
  const g = start();
  register(g, { flags: host.REQ_G });
  g.cap.tx.length = 0;
  g.board.rx(1, fromFar(MN, { len: 1480 - 28, df: true }));
  const gi = ipFrames(g.cap, 1);
  assert.equal(gi.length, 1);
  assert.equal((gi[0].b[26] << 8) | gi[0].b[27], 1476);
  // Just fitting: 1480 + 20 = 1500 goes through IP in IP.
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN, { len: 1480 - 28, df: true }));
  assert.equal(ipFrames(s.cap, 4).length, 1);
});

test("broadcasts on the home link go to mobile nodes that set B (wrapped to the home address for a foreign agent)", () => {
  const s = start();
  register(s, { flags: host.REQ_B, coa: FA });
  register(s, { home: MN2, key: KEY_KEYED, coa: FA2, low: 9 });
  s.cap.tx.length = 0;
  const bc = host.buildUdp(CN, HOME_BCAST, 520, 520, new Uint8Array(24), 5, 1);
  s.board.rx(0, host.ethFrame(host.BROADCAST_MAC, CN_MAC, 0x0800, bc));
  const t = ipFrames(s.cap, 4);
  assert.equal(t.length, 1, "only the binding with B");
  assert.equal(t[0].info.dst, FA);
  const mid = new host.Ipv4Info();
  assert.equal(host.parseIpv4(t[0].b.subarray(20), mid), host.ParseError.OK);
  assert.equal(mid.proto, 4);
  assert.equal(mid.dst, MN, "wrapped in a datagram to the home address (RFC 2002 §4.3)");
  assert.equal(mid.src, HA_IP);
  const inner = t[0].b.subarray(40);
  assert.deepEqual(inner, bc, "the broadcast itself, TTL kept");
});

test("malformed registrations are silently discarded and counted, never a trap", () => {
  const s = start();
  const good = regRequest({ id: ntp(s.clock, 1) });
  const bad = [
    good.slice(0, 20),                                             // truncated fixed part
    (() => { const m = good.slice(); m[25] = 200; return m; })(),   // extension Length past the end
    good.slice(0, good.length - 1),                                 // authenticator cut short
    host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA, id: ntp(s.clock, 2),
      extensions: Uint8Array.of(5, 2, 0, 0) }), host.EXT_MH_AUTH, KEY_HMAC), // unknown type 5 (0-127)
    (() => { const m = good.slice(); m.set([32, 2], 24); return m.slice(0, 28); })(), // auth ext Length < 4
    new Uint8Array(0),
  ];
  for (const m of bad) s.board.rx(1, fromFa(m));
  assert.equal(replies(s.cap).length, 0);
  const c = s.board.counters();
  assert.equal(c.drop_ha_reg_malformed, bad.length - 1, "the empty payload is not a request");
  // Unknown skippable extensions (128-255) before the authenticator are fine.
  const skip = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA,
    id: ntp(s.clock, 3), extensions: Uint8Array.of(200, 3, 1, 2, 3) }), host.EXT_MH_AUTH, KEY_HMAC);
  s.board.rx(1, fromFa(skip));
  assert.equal(replies(s.cap)[0].reply.code, 0);
  // A bad UDP checksum is dropped too.
  const f = fromFa(regRequest({ id: ntp(s.clock, 4) }));
  f[14 + 26] ^= 0xff;
  s.board.rx(1, f);
  assert.equal(replies(s.cap).length, 1);
  assert.equal(s.board.counters().drop_udp_checksum, 1);
  // Random garbage to port 434 never traps.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 255;
  for (let i = 0; i < 300; i++) {
    const n = rnd() % 90;
    const m = Uint8Array.from({ length: n }, rnd);
    if (n > 0) m[0] = 1;
    s.board.rx(1, fromFa(m));
  }
  assert.equal(register(s, { low: 99 }).reply.code, 0, "still working");
});

test("binding table full -> 130 (insufficient resources), nothing kept", () => {
  const s = start({}, { sizes: { bindings: 1 } });
  assert.equal(register(s, { home: MN }).reply.code, 0);
  const r = register(s, { home: MN2, key: KEY_KEYED, low: 2 });
  assert.equal(r.reply.code, 130);
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, KEY_KEYED));
  assert.deepEqual(bindingEvents(s.cap).map((e) => e.home), [MN]);
  // Deregistering the first frees the entry for the second.
  s.clock.t += 1000;
  assert.equal(register(s, { coa: MN, lifetime: 0, low: 3 }).reply.code, 0);
  assert.equal(register(s, { home: MN2, key: KEY_KEYED, low: 4 }).reply.code, 0);
});

test("nonce replay protection: the reply names the next nonce; a wrong nonce -> 133 with the expected one", () => {
  const s = start({}, {
    securityAssociations: [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret", replay: "nonces" }],
  });
  // No nonce issued yet: the first request is answered 133 with one (issue 7.3), then accepted with it.
  const r0 = register(s, { id: 0x00000000_11111111n });
  assert.equal(r0.reply.code, 133, "nothing issued yet: 133 carrying a nonce");
  const first = r0.reply.id >> 32n;
  assert.notEqual(first, 0n);
  const r1 = register(s, { id: (first << 32n) | 0x11111112n });
  assert.equal(r1.reply.code, 0, "the nonce we issued is accepted");
  const next = r1.reply.id >> 32n;
  assert.equal(r1.reply.id & 0xffffffffn, 0x11111112n);
  assert.notEqual(next, 0n);
  const r2 = register(s, { id: (next << 32n) | 0x22222222n });
  assert.equal(r2.reply.code, 0);
  // (startBoard's random hook repeats itself, so the next nonce equals this one: use another.)
  const r3 = register(s, { id: (((r2.reply.id >> 32n) ^ 1n) << 32n) | 0x33333333n });
  assert.equal(r3.reply.code, 133, "a nonce other than the one we gave is refused");
  assert.equal(r3.reply.id >> 32n, r2.reply.id >> 32n, "the nonce to use next");
  assert.equal(r3.reply.id & 0xffffffffn, 0x33333333n);
});

test("foreign-home authentication: checked when we share an SA with the relaying agent -> 132; replies carry it too", () => {
  const FA_KEY = { spi: 2000, algorithm: "hmac-md5", key: new TextEncoder().encode("fa-ha") };
  const s = start({}, {
    securityAssociations: [
      { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
      { peer: "10.0.3.1", spi: 2000, algorithm: "hmac-md5", key: "text:fa-ha" },
    ],
  });
  const withFh = (key, low) => host.appendAuth(regRequest({ id: ntp(s.clock, low) }), host.EXT_FH_AUTH, key);
  s.board.rx(1, fromFa(withFh({ ...FA_KEY, key: new TextEncoder().encode("nope") }, 1)));
  const [bad] = replies(s.cap);
  assert.equal(bad.reply.code, 132);
  const af = s.cap.events.filter((e) => e.kind === EV_AUTH_FAILED);
  assert.deepEqual([af[0].data[1], af[0].data[2]], [34, 132]);
  s.board.rx(1, fromFa(withFh(FA_KEY, 2)));
  const ok = replies(s.cap)[1];
  assert.equal(ok.reply.code, 0);
  assert.ok(host.verifyAuth(ok.msg, 20, host.EXT_MH_AUTH, KEY_HMAC));
  assert.ok(host.verifyAuth(ok.msg, 20, host.EXT_FH_AUTH, FA_KEY), "foreign-home authenticator after the mobile-home one");
  // Without the extension (the FA chose not to add it) the request is still accepted.
  s.clock.t += 1000;
  assert.equal(register(s, { low: 3 }).reply.code, 0);
});

// ---- binding table dump (ABI dump table 3, board.dump("bindings")) -----------------------------

const bindingRows = (s) => s.board.dump("bindings").map((b) => ({ ...b, identification: b.identification }));

test("binding dump: one record per care-of address with lifetime, expiry, flags, encapsulation and identification", () => {
  const s = start();
  assert.deepEqual(s.board.dump("bindings"), [], "empty before any registration");
  const id1 = ntp(s.clock, 1);
  assert.equal(register(s, { flags: host.REQ_S | host.REQ_G, coa: FA, lifetime: 300, id: id1 }).reply.code, 0);
  assert.deepEqual(bindingRows(s), [
    { home: MN, careOf: FA, expiresAtMs: T0 + 300_000, identification: id1, lifetimeSec: 300, flags: host.REQ_S | host.REQ_G, encapsulation: 4 },
  ]);
  s.clock.t += 1000;
  const id2 = ntp(s.clock, 2);
  assert.equal(register(s, { flags: host.REQ_S | host.REQ_M, coa: FA2, lifetime: 900, id: id2 }).reply.code, 0);
  const two = bindingRows(s);
  assert.deepEqual(two.map((b) => [b.careOf, b.lifetimeSec, b.encapsulation, b.expiresAtMs]).sort((a, b) => a[0] - b[0]),
    [[FA, 300, 4, T0 + 300_000], [FA2, 600, 2, T0 + 1000 + 600_000]].sort((a, b) => a[0] - b[0]), "granted lifetime capped at 600");
  assert.ok(two.every((b) => b.identification === id2), "the last accepted Identification of the node");
  // A second node: three records; reading out of order gives the same records as in order.
  s.clock.t += 1000;
  assert.equal(register(s, { home: MN2, key: KEY_KEYED, coa: FA3, low: 3 }).reply.code, 0);
  const all = s.board.dumpRaw(3).map((r) => Buffer.from(r).toString("hex"));
  assert.equal(all.length, 3);
  const ptr = s.board.x.dump_buffer();
  const at = (i) => { const n = s.board.x.dump(3, i); return n < 0 ? null : Buffer.from(new Uint8Array(s.board.x.memory.buffer, ptr, n)).toString("hex"); };
  assert.deepEqual([at(2), at(0), at(1), at(1), at(2), at(3), at(-1)], [all[2], all[0], all[1], all[1], all[2], null, null]);
  // Deregistering one care-of address leaves the other; CoA = home address removes all of the node.
  s.clock.t += 1000;
  assert.equal(register(s, { coa: FA, lifetime: 0, low: 4 }).reply.code, 0);
  assert.deepEqual(bindingRows(s).map((b) => [b.home, b.careOf]).sort((a, b) => a[1] - b[1]), [[MN, FA2], [MN2, FA3]]);
  s.clock.t += 1000;
  assert.equal(register(s, { coa: MN, lifetime: 0, low: 5 }).reply.code, 0);
  assert.deepEqual(bindingRows(s).map((b) => [b.home, b.careOf]), [[MN2, FA3]]);
});

test("binding dump: a registration without S replaces the record; expiry empties the table", () => {
  const s = start({ lifetimeSec: 5 });
  register(s, { flags: host.REQ_S, coa: FA, low: 1 });
  register(s, { flags: host.REQ_S, coa: FA2, low: 2 });
  assert.equal(s.board.dump("bindings").length, 2);
  s.clock.t += 2000;
  register(s, { coa: FA3, low: 3, lifetime: 100 });
  assert.deepEqual(s.board.dump("bindings").map((b) => [b.careOf, b.lifetimeSec, b.flags, b.encapsulation, b.expiresAtMs]),
    [[FA3, 5, 0, 1, T0 + 2000 + 5000]]);
  s.clock.t += 4999;
  s.board.tick(s.clock.t);
  assert.equal(s.board.dump("bindings").length, 1, "not yet");
  s.clock.t += 1;
  s.board.tick(s.clock.t);
  assert.deepEqual(s.board.dump("bindings"), [], "expired");
});

// ---- datagrams the home agent originates (RFC 2002 §4.2.3) ---------------------------------------

/** The encapsulated datagram inside an IP-in-IP or GRE frame `x` (ipFrames record; we send 4-byte GRE headers). */
const innerOf = (x) => x.b.subarray(x.info.headerLen + (x.info.proto === 47 ? 4 : 0), x.info.totalLen);

/** A datagram from the mobile node as its foreign agent routes it: plain, via the core router. */
const fromMn = (pkt) => host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);
/**
 * A mobile node's datagram reverse-tunnelled (IP in IP, RFC 3024) from its care-of address `coa` to the
 * home agent: the only way a home-prefix source may arrive from off the home link (ingress check, issue 7.1).
 */
const reverseFromMn = (pkt, coa) => {
  const b = new Uint8Array(20 + pkt.length);
  b.set(pkt, 20);
  host.writeIpv4Header(b, b.length, 4, coa, HA_IP, 9, 60);
  return fromMn(b);
};

test("echo request from a mobile node away from home to the home agent: the reply is tunnelled to the care-of address", () => {
  for (const [flags, proto, over] of [[0, 4, 20], [host.REQ_G, 47, 24], [host.REQ_M, 55, 8]]) {
    const s = start();
    assert.equal(register(s, { coa: FA, flags }).reply.code, 0);
    s.cap.tx.length = 0;
    const data = new Uint8Array(56).fill(0x33);
    s.board.rx(1, fromMn(host.buildEchoRequest(MN, HA_IP, 0x4242, 7, data, 5, 61)));
    const all = ipFrames(s.cap);
    assert.equal(all.length, 1, `one datagram out (proto ${proto})`);
    const x = all[0];
    assert.equal(x.iface, 1, "towards the care-of address, not onto the home link");
    assert.deepEqual(x.frame.subarray(0, 6), R_MAC);
    assert.equal(x.info.proto, proto);
    assert.equal(x.info.dst, FA, "outer destination: the care-of address");
    assert.equal(x.info.src, HA_IP, "outer source: the home agent's home address");
    assert.equal(x.info.totalLen, 20 + 8 + 56 + over);
    if (proto === 55) {
      const m = x.b.subarray(20);
      assert.equal(m[0], 1, "minimal header: protocol ICMP");
      assert.equal(host.get32(m, 4), MN, "original destination: the home address");
      assert.equal(m[1] & 0x80, 0, "source = encapsulator: no source field");
      const icmp = x.b.subarray(20 + 8);
      assert.deepEqual([icmp[0], icmp[1]], [0, 0], "echo reply");
      assert.equal((icmp[4] << 8) | icmp[5], 0x4242);
      assert.equal(host.checksum(icmp, 0, icmp.length), 0);
    } else {
      const inner = innerOf(x);
      const ii = new host.Ipv4Info();
      assert.equal(host.parseIpv4(inner, ii), host.ParseError.OK);
      assert.equal(ii.src, HA_IP);
      assert.equal(ii.dst, MN);
      assert.equal(ii.proto, 1);
      assert.equal(ii.ttl, 64, "inner TTL: ours, not decremented (originated, RFC 2003 §3.1)");
      const icmp = inner.subarray(20, ii.totalLen);
      assert.deepEqual([icmp[0], icmp[1]], [0, 0], "echo reply");
      assert.equal((icmp[4] << 8) | icmp[5], 0x4242);
      assert.equal((icmp[6] << 8) | icmp[7], 7);
      assert.deepEqual(icmp.subarray(8), data);
      assert.equal(host.checksum(icmp, 0, icmp.length), 0);
    }
    const c = s.board.counters();
    assert.equal(c.tunnel_tx, 1);
    assert.equal(c.icmp_tx_echo_reply, 1);
    assert.equal(arps(s.cap).filter((a) => a.iface === 0).length, 0, "nobody is asked for the home address on the home link");
  }
});

test("echo reply to a mobile node with two care-of addresses: one tunnelled copy each", () => {
  const s = start();
  assert.equal(register(s, { flags: host.REQ_S, coa: FA, low: 1 }).reply.code, 0);
  s.clock.t += 10;
  assert.equal(register(s, { flags: host.REQ_S | host.REQ_G, coa: FA2, low: 2 }).reply.code, 0);
  s.cap.tx.length = 0;
  s.board.rx(1, fromMn(host.buildEchoRequest(MN, HA_CORE, 1, 2, new Uint8Array(32).fill(9))));
  const t = ipFrames(s.cap);
  assert.deepEqual(t.map((x) => [x.info.dst, x.info.proto]).sort(), [[FA, 4], [FA2, 47]].sort());
  for (const x of t) {
    const inner = innerOf(x);
    const ii = new host.Ipv4Info();
    assert.equal(host.parseIpv4(inner, ii), host.ParseError.OK);
    assert.equal(ii.src, HA_CORE, "the address the request was sent to");
    assert.equal(ii.dst, MN);
    assert.equal(inner[20], 0, "echo reply");
  }
});

test("ICMP errors the home agent sends to a mobile node away from home are tunnelled to its care-of address", () => {
  const s = start();
  assert.equal(register(s, { coa: FA, flags: host.REQ_G }).reply.code, 0);
  s.cap.tx.length = 0;
  // TTL 1 through the home agent (a router): time exceeded, about the mobile node's datagram.
  s.board.rx(1, fromMn(host.buildUdp(MN, FAR, 7000, 7001, new Uint8Array(20), 3, 1)));
  let t = ipFrames(s.cap);
  assert.equal(t.length, 1);
  assert.equal(t[0].iface, 1);
  assert.equal(t[0].info.proto, 47, "GRE, as registered (largest tunnel header, built in front of the error)");
  assert.equal(t[0].info.dst, FA);
  let inner = innerOf(t[0]);
  let ii = new host.Ipv4Info();
  assert.equal(host.parseIpv4(inner, ii), host.ParseError.OK);
  assert.equal(ii.dst, MN);
  assert.equal(ii.proto, 1);
  assert.deepEqual([inner[20], inner[21]], [11, 0], "time exceeded in transit");
  assert.equal(host.get32(inner, 28 + 12), MN, "quotes the mobile node's datagram");
  assert.equal(host.get32(inner, 28 + 16), FAR);
  assert.equal(s.board.counters().icmp_tx_error, 1);

  // An error about the tunnel to another mobile node (frag needed, RFC 2003 §5.1) goes back to the
  // sending mobile node through its own tunnel.
  assert.equal(register(s, { home: MN2, coa: FA2, key: KEY_KEYED, low: 5 }).reply.code, 0);
  s.cap.tx.length = 0;
  // 1484 bytes: the most that fits a frame once reverse-tunnelled, 4 more than the IP-in-IP tunnel takes.
  const big = host.buildUdp(MN, MN2, 7000, 7001, new Uint8Array(1484 - 28), 4, 30);
  big[6] |= 0x40; big[10] = big[11] = 0;
  const c = host.checksum(big, 0, 20); big[10] = c >> 8; big[11] = c & 255;
  s.board.rx(1, reverseFromMn(big, FA));
  t = ipFrames(s.cap);
  assert.equal(t.length, 1, "only the error: the datagram does not fit the tunnel");
  assert.equal(t[0].info.dst, FA);
  assert.equal(t[0].info.proto, 47);
  inner = innerOf(t[0]);
  ii = new host.Ipv4Info();
  assert.equal(host.parseIpv4(inner, ii), host.ParseError.OK);
  assert.equal(ii.dst, MN);
  assert.deepEqual([inner[20], inner[21]], [3, 4], "fragmentation needed");
  assert.equal((inner[26] << 8) | inner[27], 1480, "tunnel MTU minus IP in IP overhead");
  assert.equal(host.get32(inner, 28 + 16), MN2);
  assert.equal(s.board.counters().drop_tunnel_mtu, 1);
});

test("without a binding the home agent's replies go out normally on the home link", () => {
  const s = start();
  // The mobile node at home: its MAC is learnt from its ARP request.
  s.board.rx(0, host.arpFrame(1, MN_MAC, MN, ZERO_MAC, HA_IP));
  s.cap.tx.length = 0;
  s.board.rx(0, host.ethFrame(HA_MAC0, MN_MAC, 0x0800, host.buildEchoRequest(MN, HA_IP, 1, 1, new Uint8Array(8))));
  let t = ipFrames(s.cap);
  assert.equal(t.length, 1);
  assert.equal(t[0].iface, 0);
  assert.equal(t[0].info.proto, 1, "not tunnelled");
  assert.equal(t[0].info.dst, MN);
  assert.deepEqual(t[0].frame.subarray(0, 6), MN_MAC);
  // Another node's binding changes nothing for it, nor for the correspondent.
  assert.equal(register(s, { home: MN2, coa: FA2, key: KEY_KEYED }).reply.code, 0);
  s.cap.tx.length = 0;
  s.board.rx(0, host.ethFrame(HA_MAC0, CN_MAC, 0x0800, host.buildEchoRequest(CN, HA_IP, 1, 2, new Uint8Array(8))));
  t = ipFrames(s.cap);
  assert.equal(t.length, 1);
  assert.equal(t[0].info.proto, 1);
  assert.deepEqual(t[0].frame.subarray(0, 6), CN_MAC);
  assert.equal(s.board.counters().tunnel_tx, 0);
  // A datagram the mobile node sends from its care-of address to the home agent is answered there, plainly.
  assert.equal(register(s, { coa: FA, low: 9 }).reply.code, 0);
  s.cap.tx.length = 0;
  s.board.rx(1, fromMn(host.buildEchoRequest(FA, HA_IP, 1, 3, new Uint8Array(8))));
  t = ipFrames(s.cap);
  assert.equal(t.length, 1);
  assert.equal(t[0].info.proto, 1);
  assert.equal(t[0].info.dst, FA);
});

test("ICMP errors from forwarding and from tunnels share one icmpErrorsPerSec budget (RFC 1812 §4.3.2.8)", () => {
  const s = start({}, { node: { icmpErrorsPerSec: 4 } });
  assert.equal(register(s, {}).reply.code, 0);
  s.cap.tx.length = 0;
  const burst = () => {
    for (let i = 0; i < 3; i++) {
      // Forwarding path (ip.ts): TTL 1 -> time exceeded. Tunnel path (tunnel.ts): DF, too big -> frag needed.
      s.board.rx(1, fromFar(CN, { ttl: 1, id: 200 + i }));
      s.board.rx(1, fromFar(MN, { len: 1490 - 28, df: true, id: 300 + i }));
    }
  };
  burst();
  const errs = ipFrames(s.cap, 1);
  assert.equal(errs.length, 4, "4 per second in total, not 4 per sender");
  assert.deepEqual(errs.map((e) => e.b[20]), [11, 3, 11, 3]);
  let k = s.board.counters();
  assert.equal(k.icmp_tx_error, 4);
  assert.equal(k.drop_rate_limited, 2);
  // A second later the one bucket is full again.
  s.clock.t += 1000;
  s.cap.tx.length = 0;
  burst();
  assert.equal(ipFrames(s.cap, 1).length, 4);
  k = s.board.counters();
  assert.equal(k.icmp_tx_error, 8);
  assert.equal(k.drop_rate_limited, 4);
});

test("an ICMP error tunnelled while checking a tunnel does not change that tunnel's next hop", () => {
  const s = start();
  const COA2 = ip("10.0.2.77"), COA2_MAC = host.mac("02:00:00:00:0b:77");
  s.board.rx(1, host.arpFrame(1, COA2_MAC, COA2, ZERO_MAC, HA_CORE));
  // MN at FA (behind the core router); MN2 co-located at 10.0.2.77 (on the core link, its own next hop).
  assert.equal(register(s, {}).reply.code, 0);
  assert.equal(register(s, { home: MN2, coa: COA2, key: KEY_KEYED, low: 5, via: { src: COA2 } }).reply.code, 0);
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar(MN));
  const [t] = ipFrames(s.cap, 4);
  assert.deepEqual(t.frame.subarray(0, 6), R_MAC);
  // A router inside the tunnel to FA says host unreachable (quoting the outer and inner headers, as
  // RFC 1812 routers do: issue 7.4 needs the inner destination to match the binding).
  const m = new Uint8Array(8 + 48);
  m[0] = 3; m[1] = 1;
  m.set(t.b.subarray(0, 48), 8);
  const c = host.checksum(m, 0, m.length); m[2] = c >> 8; m[3] = c & 255;
  const e = new Uint8Array(20 + m.length);
  e.set(m, 20);
  host.writeIpv4Header(e, e.length, 1, ip("10.0.7.1"), HA_IP, 12, 60);
  s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, e));
  assert.equal(s.board.counters().tunnel_icmp_rx, 1);
  s.cap.tx.length = 0;
  // MN2 sends to MN: the tunnel to FA reports unreachable to MN2 (RFC 2003 §5), which is tunnelled to
  // COA2 (a nested tunnelCheck), and the datagram still goes to FA, through the core router.
  s.board.rx(1, reverseFromMn(host.buildUdp(MN2, MN, 7000, 7001, new Uint8Array(20), 6, 30), COA2));
  const out = ipFrames(s.cap, 4);
  assert.equal(out.length, 2);
  const toCoa2 = out.find((x) => x.info.dst === COA2);
  const toFa = out.find((x) => x.info.dst === FA);
  assert.ok(toCoa2 && toFa);
  assert.deepEqual(toCoa2.frame.subarray(0, 6), COA2_MAC);
  assert.deepEqual(innerOf(toCoa2).subarray(20, 22), Uint8Array.of(3, 1), "host unreachable to MN2");
  assert.deepEqual(toFa.frame.subarray(0, 6), R_MAC, "the datagram to FA still goes by the core router");
  assert.equal(host.get32(innerOf(toFa), 12), MN2);
});
