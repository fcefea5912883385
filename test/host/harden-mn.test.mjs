// Issue 7, mobile node parts (assembly/mobility/mn.ts, mnIdentification in assembly/security/replay.ts):
//  7.1  agent discovery takes only advertisements heard on the link: not decapsulated from a tunnel,
//       IP TTL 1 (RFC 2002 §2.1), the source on the prefix the advertisement announces, and a
//       unicast one only as the answer to our solicitation — one spoofed packet no longer sends an
//       away node "home";
//  7.6  at most one Registration Request per second, whatever triggers it (RFC 2002 §3.6.3);
//  7.8  a reply is verified with the association of the home agent the request went to;
//  7.16 reverse tunnelling (RFC 3024): co-located -> encapsulated to the home agent; via a foreign
//       agent the T bit (0x02) in the "rfc3344" profile only;
//  7.17 the Identification's fraction follows the clock (random bits only below 1 ms).
// The test plays the agents, the home agent and the DHCP server (mn-helpers.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, firmware } from "./helpers.mjs";
import {
  ALL_NODES, ALL_NODES_MAC, COA, EV, FA1, FA1B, FA1B_MAC, FA1_MAC, FA2, FA2_MAC, HA, HA_MAC, HOME, KEY, MN_MAC,
  NTP_BASE, ROUTER, ROUTER_MAC, SPI, accept, advert, awayViaFa1, colocated, counters, events, frames, get16, get32,
  ip, mnJson, reply, requests, runTo, solicitations, start, udpFrame,
} from "./mn-helpers.mjs";

const gaps = (ts) => ts.slice(1).map((t, i) => t - ts[i]);
/** Most requests in any window [t, t + 1000) ms. */
const perSecond = (ts) => Math.max(0, ...ts.map((t) => ts.filter((u) => u >= t && u < t + 1000).length));
const mac = (a, b) => host.mac(`02:00:00:00:${a.toString(16).padStart(2, "0")}:${b.toString(16).padStart(2, "0")}`);
const FORGER = ip("10.1.0.77"); // any address on the home prefix (10.1.0.0/24)

/** The IPv4 datagram inside an Ethernet frame built by the helpers (Ethernet padding cut). */
const ipOf = (frame) => frame.subarray(14, 14 + get16(frame, 16));

/** Wrap an IPv4 datagram in IP-in-IP from `src` to `dst` (TTL 60). */
function ipip(inner, src, dst) {
  const outer = new Uint8Array(20 + inner.length);
  host.writeIpv4Header(outer, outer.length, 4, src, dst, 33, 60);
  outer.set(inner, 20);
  return outer;
}

/** A co-located node registered with the home agent (reply accepted), as in mip-mn.test.mjs. */
function colocatedRegistered(opts = {}) {
  const { c } = colocated(opts);
  c.board.rx(0, host.arpFrame(2, ROUTER_MAC, ROUTER, MN_MAC, COA));
  const [r] = requests(c);
  assert.equal(r.req.careOf, COA);
  c.board.rx(0, host.ethFrame(MN_MAC, ROUTER_MAC, 0x0800, host.buildUdp(HA, COA, 434, 434, reply(r.req), 5, 60)));
  assert.equal(events(c, EV.REG_REPLY).at(-1).code, 0);
  return { c, r };
}

/** The reproduction of issue 7.1: an advertisement "from the home network" addressed to the home address. */
const forgedHome = (over = {}) => advert({
  src: FORGER, mac: FA1_MAC, dst: HOME, dstMac: MN_MAC, flags: host.MA_H, raLife: 0xffff, regLife: 300, seq: 1, plen: null, ...over,
});

// ---- 7.1: one spoofed packet must not send an away node home ---------------------------------------

test("issue 7.1: a home advertisement tunnelled by the home agent to a co-located node is refused; the node stays away and registered", () => {
  const { c } = colocatedRegistered();
  const before = requests(c).length;
  // The home agent tunnels whatever is addressed to the home address: here an advertisement with a
  // source on the home prefix and TTL 1 (the forger sent TTL 2, the home agent decremented it).
  const inner = ipOf(forgedHome({ ttl: 1 }));
  c.board.rx(0, host.ethFrame(MN_MAC, ROUTER_MAC, 0x0800, ipip(inner, HA, COA)));
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0], "no HOME event");
  assert.equal(requests(c).length, before, "no deregistration");
  assert.equal(counters(c).mn_decapsulated, 1, "taken out of the tunnel");
  assert.equal(counters(c).drop_mn_advert_tunnelled, 1, "and refused as agent discovery");
  assert.equal(counters(c).mn_advert_rx, 0);
  // Still registered away: the renewal goes out from the co-located address with a lifetime.
  runTo(c, 60_000);
  const renew = requests(c).slice(before);
  assert.ok(renew.length >= 1, "the registration is renewed");
  assert.equal(renew[0].req.careOf, COA);
  assert.ok(renew[0].req.lifetimeSec > 0);
});

test("issue 7.1: a home advertisement a foreign agent delivers to the node's MAC (TTL not 1, or unsolicited unicast) is refused", () => {
  const { c, r } = awayViaFa1({}, { raLife: 9000 });
  accept(c, r);
  c.t = 5000; // long after the node's only solicitation (t = 0)
  // (b) the foreign agent delivers the tunnelled datagram as a unicast to the visitor's MAC, TTL 63.
  c.board.rx(0, forgedHome({ ttl: 63 }));
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0], "no HOME event");
  assert.equal(requests(c).length, 1, "no deregistration");
  assert.equal(counters(c).drop_mn_advert_ttl, 1);
  // With TTL 1 (the forger chose TTL 3): a unicast advertisement that answers no solicitation of ours.
  c.board.rx(0, forgedHome({ ttl: 1 }));
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0], "no HOME event");
  assert.equal(requests(c).length, 1, "no deregistration");
  assert.equal(counters(c).drop_mn_advert_unsolicited, 1);
  assert.equal(counters(c).mn_advert_rx, 1, "only FA1's own advertisement was processed");
  // The registration is kept and renewed through FA1 (lifetime 40 s: renewal before it ends).
  runTo(c, 40_000);
  const rs = requests(c);
  assert.ok(rs.length >= 2, "renewed");
  assert.ok(rs.slice(1).every((x) => x.dst === FA1 && x.req.careOf === FA1 && x.req.lifetimeSec > 0));
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0]);
});

test("issue 7.1: an advertisement whose source is not on the prefix it announces is refused", () => {
  const { c, r } = awayViaFa1({}, { raLife: 9000 });
  accept(c, r);
  // Multicast, TTL 1, H, source on the home prefix, but its Router Address / Prefix-Lengths say 10.2.0.0/24.
  const f = advert({ src: FORGER, mac: FA1_MAC, flags: host.MA_H, seq: 9 });
  const p = f.subarray(14);
  p.set([10, 2, 0, 1], 20 + 8); // router address 10.2.0.1 (prefix length 24 follows in the extension)
  p[22] = 0; p[23] = 0;
  const ck = host.checksum(p, 20, get16(p, 2) - 20);
  p[22] = ck >> 8; p[23] = ck & 255;
  c.board.rx(0, f);
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0]);
  assert.equal(requests(c).length, 1);
  assert.equal(counters(c).drop_mn_advert_off_link, 1);
});

test("issue 7.1: the home agent's own advertisements still bring the node home: multicast, and a unicast answer to our solicitation", () => {
  // Multicast from the home agent (TTL 1) after a real move home.
  const { c, r } = awayViaFa1({}, { raLife: 9000 });
  accept(c, r);
  c.t = 5000;
  c.board.rx(0, advert({ src: HA, mac: HA_MAC, flags: host.MA_H, seq: 3 }));
  assert.deepEqual(events(c, EV.HOME).map((e) => e.atHome), [0, 1]);
  assert.equal(requests(c).at(-1).req.lifetimeSec, 0, "deregistration");
  // Unicast to the home address, answering the solicitation of a link-up.
  const { c: c2, r: r2 } = awayViaFa1({}, { raLife: 9000 });
  accept(c2, r2);
  c2.t = 5000;
  c2.board.link(0, false);
  c2.board.link(0, true, mac(0xaa, 1));
  assert.equal(solicitations(c2).at(-1).t, 5000);
  c2.t = 5500;
  c2.board.rx(0, advert({ src: HA, mac: HA_MAC, dst: HOME, dstMac: MN_MAC, flags: host.MA_H, seq: 3 }));
  assert.deepEqual(events(c2, EV.HOME).map((e) => e.atHome), [0, 1]);
  assert.equal(counters(c2).drop_mn_advert_unsolicited, 0);
});

// ---- 7.6: at most one Registration Request per second ------------------------------------------------

/** Run `c` from now to `until` in 1 ms steps, calling `each(t)` after every step. */
function drive(c, until, each) {
  for (let t = c.t + 1; t <= until; t++) { runTo(c, t); each(t); }
}

test("issue 7.6: rogue agents on new prefixes every 50 ms -> at most one request per second", () => {
  const { c, r } = awayViaFa1({}, { raLife: 9000 });
  accept(c, r);
  let k = 0;
  drive(c, 5000, (t) => {
    if (t % 50 !== 0) return;
    k++;
    const a = ip(`10.${50 + (k % 150)}.0.1`);
    c.board.rx(0, advert({ src: a, mac: mac(0x50, k & 255), raLife: 9000, seq: k }));
  });
  const ts = requests(c).map((x) => x.t);
  assert.ok(ts.length >= 5, `requests keep going out, one per second (${ts})`);
  assert.equal(perSecond(ts), 1, `at most one request in any second: ${ts}`);
  for (const g of gaps(ts)) assert.ok(g >= 1000, `requests ${g} ms apart`);
  assert.ok(counters(c).mn_reg_deferred > 50, "the held-back requests are counted");
  assert.ok(events(c, EV.MOVE).length > 50, "every new prefix is still movement");
});

test("issue 7.6: sequence-number 'reboots' every 100 ms -> at most one request per second", () => {
  const { c, r } = awayViaFa1({}, { raLife: 9000, seq: 1000 });
  accept(c, r);
  let k = 0, answered = 1;
  drive(c, 5000, (t) => {
    // Each re-registration is accepted 2 ms after it left (the home agent is quick).
    for (const q of requests(c).slice(answered)) {
      if (t < q.t + 2) break;
      accept(c, q);
      answered++;
    }
    if (t % 50 !== 0) return;
    k++;
    // 1000, 0, 1000, 0...: every fall to 0 is an agent reboot (RFC 2002 §2.4.4).
    c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, raLife: 9000, seq: k % 2 ? 0 : 1000 }));
  });
  const ts = requests(c).map((x) => x.t);
  assert.ok(ts.length >= 5, `re-registrations still go out (${ts})`);
  assert.equal(perSecond(ts), 1, `at most one request in any second: ${ts}`);
  for (const g of gaps(ts)) assert.ok(g >= 1000, `requests ${g} ms apart`);
});

test("issue 7.6: an agent's denial followed by switching agents -> at most one request per second", () => {
  const c = start(mnJson());
  c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, raLife: 9000 }));
  c.board.rx(0, advert({ src: FA1B, mac: FA1B_MAC, raLife: 9000 }));
  let answered = 0;
  drive(c, 5000, (t) => {
    // Every request is denied by its foreign agent 2 ms after it left (code 66, no authentication).
    for (const q of requests(c).slice(answered)) {
      if (t < q.t + 2) break;
      const [src, m] = q.dst === FA1 ? [FA1, FA1_MAC] : [FA1B, FA1B_MAC];
      c.board.rx(0, udpFrame(src, m, HOME, 434, 434, reply(q.req, { code: 66, auth: false })));
      answered++;
    }
  });
  const rs = requests(c);
  const ts = rs.map((x) => x.t);
  assert.ok(rs.length >= 4, `requests keep going out (${ts})`);
  assert.ok(rs.some((x) => x.dst === FA1) && rs.some((x) => x.dst === FA1B), "both agents are tried");
  assert.equal(perSecond(ts), 1, `at most one request in any second: ${ts}`);
  for (const g of gaps(ts)) assert.ok(g >= 1000, `requests ${g} ms apart`);
});

test("issue 7.6: the retry after 133 waits until 1 s after the previous request", () => {
  const { c } = awayViaFa1({}, { raLife: 9000 });
  const haTime = (NTP_BASE + 1000n) << 32n;
  let answered = 0;
  drive(c, 6000, (t) => {
    for (const q of requests(c).slice(answered)) {
      if (t < q.t + 2) break;
      accept(c, q, { code: 133, lifetime: 0, id: haTime | (q.req.id & 0xffffffffn) });
      answered++;
    }
  });
  const ts = requests(c).map((x) => x.t);
  assert.equal(ts[1], 1000, `the retry leaves when the second is over (${ts})`);
  assert.equal(perSecond(ts), 1, `at most one request in any second: ${ts}`);
  for (const g of gaps(ts)) assert.ok(g >= 1000, `requests ${g} ms apart`);
  assert.ok(counters(c).mn_reg_deferred >= 1);
});

test("issue 7.6: a reply to the request sent before a held-back one does not answer it", () => {
  const { c, r } = awayViaFa1({}, { raLife: 9000 });
  c.t = 100;
  c.board.rx(0, advert({ src: FA2, mac: FA2_MAC, raLife: 9000 })); // movement: the new request waits
  assert.equal(requests(c).length, 1);
  accept(c, r); // FA1's relayed acceptance of the old request
  assert.equal(counters(c).mn_reply_ignored, 1, "not an answer to the registration via FA2");
  runTo(c, 1000);
  const rs = requests(c);
  assert.equal(rs.length, 2);
  assert.equal(rs[1].dst, FA2);
  c.board.rx(0, udpFrame(FA2, FA2_MAC, HOME, 434, 434, reply(rs[1].req)));
  assert.equal(events(c, EV.REG_REPLY).at(-1).coa, FA2);
});

// ---- 7.8: the association that verifies a reply -------------------------------------------------------

test("issue 7.8: a reply naming another peer with a known association is not verified with that association", () => {
  const OTHER = ip("10.1.0.9"), OTHER_KEY = new TextEncoder().encode("another peer's key"), OTHER_SPI = 0x5678;
  const { c, r } = awayViaFa1({
    extraSa: [{ peer: "10.1.0.9", spi: OTHER_SPI, algorithm: "hmac-md5", key: "text:another peer's key" }],
  }, { raLife: 9000 });
  assert.equal(r.req.homeAgent, HA);
  // Signed with the other peer's key, its address in the Home Agent field.
  accept(c, r, { homeAgent: OTHER, key: OTHER_KEY, spi: OTHER_SPI });
  assert.equal(counters(c).mn_reply_auth_failed, 1, "verified with the home agent's association: fails");
  assert.equal(events(c, EV.REG_REPLY).length, 0);
  const fail = events(c, EV.AUTH_FAILED).at(-1);
  assert.equal(fail.peer, HA);
  // The request is still outstanding: retransmitted, and the home agent's own reply is accepted.
  runTo(c, 1000);
  const rs = requests(c);
  assert.equal(rs.length, 2);
  accept(c, rs[1], { key: KEY, spi: SPI });
  assert.equal(events(c, EV.REG_REPLY).at(-1).code, 0);
});

// ---- 7.16: reverse tunnelling (RFC 3024) ---------------------------------------------------------------

for (const [encapsulation, proto] of [["ipip", 4], ["gre", 47]]) {
  test(`issue 7.16: co-located with reverseTunnel, the local stack's datagram leaves ${encapsulation}-encapsulated from the care-of address to the home agent`, () => {
    const request = encapsulation === "gre" ? { encapsulation: "gre" } : {};
    const { c, r } = colocatedRegistered({ mobility: { reverseTunnel: true, request } });
    assert.equal(r.req.flags & 0x03, 0, "seeds profile: neither P (0x02) nor R (0x01)");
    const n = c.tx.length;
    const pkt = host.buildUdp(HOME, ip("192.0.2.9"), 5000, 6000, Uint8Array.from([1, 2, 3, 4]), 21, 64);
    assert.equal(c.board.output(pkt), 0);
    const out = frames(c, n);
    assert.equal(out.length, 1);
    const f = out[0];
    assert.deepEqual(f.dstMac, ROUTER_MAC, "through the co-located link's router");
    assert.equal(f.proto, proto);
    assert.equal(f.src, COA);
    assert.equal(f.dst, HA);
    assert.ok(f.ipChecksumOk);
    const inner = proto === 47 ? f.payload.subarray(4) : f.payload;
    if (proto === 47) assert.equal(get16(f.payload, 2), 0x0800, "GRE protocol type IPv4");
    assert.equal(get32(inner, 12), HOME, "inner source: the home address");
    assert.deepEqual(inner, pkt, "inner datagram unchanged (TTL too: originated, not forwarded)");
    assert.equal(counters(c).mn_reverse_tunnelled, 1);
    // A datagram from the co-located address itself is not tunnelled.
    const m = c.tx.length;
    c.board.output(host.buildUdp(COA, ip("192.0.2.9"), 5001, 6000, Uint8Array.of(5), 22, 64));
    assert.equal(frames(c, m)[0].proto, 17);
  });
}

test("issue 7.16: reverseTunnel in the rfc3344 profile sets T (0x02) via a foreign agent and co-located, never 0x01", () => {
  const { r } = awayViaFa1({ mobility: { reverseTunnel: true, registrationProfile: "rfc3344" } });
  assert.equal(r.req.flags & 0x02, 0x02, "RFC 3024 §3.2: T");
  assert.equal(r.req.flags & 0x01, 0, "rfc3344: 0x01 reserved");
  assert.equal(r.ttl, 255, "RFC 3024: a request asking a foreign agent for T has TTL 255 (code 76 otherwise)");
  const { r: rc } = colocatedRegistered({ mobility: { reverseTunnel: true, registrationProfile: "rfc3344" } });
  assert.equal(rc.req.flags & 0x03, 0x02);
  assert.equal(rc.req.flags & host.REQ_D, host.REQ_D);
  // Without reverseTunnel no T.
  const { r: r0 } = awayViaFa1({ mobility: { registrationProfile: "rfc3344" } });
  assert.equal(r0.req.flags & 0x03, 0);
  assert.notEqual(r0.ttl, 255, "the configured TTL without T");
});

test("issue 7.16: reverseTunnel in the seeds profile sets neither 0x02 (P there) nor 0x01 (R) via a foreign agent; output still goes to the agent", () => {
  const { c, r } = awayViaFa1({ mobility: { reverseTunnel: true, request: { simultaneous: true, broadcast: true } } });
  assert.equal(r.req.flags & 0x03, 0);
  assert.equal(r.req.flags, host.REQ_S | host.REQ_B);
  accept(c, r);
  const n = c.tx.length;
  c.board.output(host.buildUdp(HOME, ip("192.0.2.9"), 5000, 6000, Uint8Array.of(1)));
  const [f] = frames(c, n);
  assert.deepEqual(f.dstMac, FA1_MAC, "the foreign agent reverse-tunnels (RFC 3024 direct delivery)");
  assert.equal(f.proto, 17);
  assert.equal(counters(c).mn_reverse_tunnelled, 0);
});

// ---- 7.17: Identification order -----------------------------------------------------------------------

/** A board like mn-helpers' start, with its own random source. */
function startWith(json, t0, random) {
  const c = { t: t0, tx: [], events: [], delivered: [] };
  c.board = new host.Board(firmware, host.validateConfig(json, json.name), {
    now: () => c.t,
    tx: (iface, frame) => c.tx.push({ iface, frame: frame.slice(), t: c.t }),
    deliver: (p) => c.delivered.push(p.slice()),
    event: (kind, data) => c.events.push({ kind, data: data.slice(), t: c.t }),
    log() {},
    random,
  });
  c.board.init();
  return c;
}

const frac = (ms) => (BigInt(ms % 1000) << 32n) / 1000n;

test("issue 7.17: the Identification's fraction follows the ms clock; random bits only below 1 ms; strictly increasing", () => {
  // A random source that goes down with every draw: the old all-random fraction went backwards.
  let x = 0xffffffff;
  const c = startWith(mnJson(), 1437, (b) => { for (let i = 0; i < b.length; i++) b[i] = (x >>> (8 * (i & 3))) & 255; x = (x - 0x11111111) >>> 0; });
  c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, raLife: 9000 }));
  for (let t = 2000; t <= 40_000; t += 1000) { runTo(c, t); c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, raLife: 9000, seq: 2 + t / 1000 })); }
  const rs = requests(c);
  assert.ok(rs.length >= 5);
  for (const q of rs) {
    const low = q.req.id & 0xffffffffn;
    assert.equal(q.req.id >> 32n, NTP_BASE + BigInt(Math.floor(q.t / 1000)));
    assert.ok(low >= frac(q.t) && low - frac(q.t) < 1n << 22n, `request at ${q.t} ms: fraction ${low} within the millisecond (${frac(q.t)})`);
  }
  for (let i = 1; i < rs.length; i++) assert.ok(rs[i].req.id > rs[i - 1].req.id, "strictly increasing");
});

test("issue 7.17: a node restarted within the same second sends a greater Identification", () => {
  const json = mnJson();
  const a = startWith(json, 1900, (b) => b.fill(0xff));
  a.board.rx(0, advert({ src: FA1, mac: FA1_MAC }));
  const b = startWith(json, 1950, (buf) => buf.fill(0));
  b.board.rx(0, advert({ src: FA1, mac: FA1_MAC }));
  const [ra] = requests(a), [rb] = requests(b);
  assert.equal(ra.req.id >> 32n, rb.req.id >> 32n, "same second");
  assert.ok(rb.req.id > ra.req.id, `after the restart ${rb.req.id.toString(16)} > ${ra.req.id.toString(16)} (a strict home agent would answer 133)`);
});

test("issue 7.16/7.15: a co-located reverse-tunnelled datagram too big for the link leaves in fragments (no DF), is dropped with DF", () => {
  const { c } = colocatedRegistered({ mobility: { reverseTunnel: true } });
  // 1490 bytes + 20 of IP in IP > 1500: the outer datagram is fragmented (RFC 2003 §5.1).
  const n = c.tx.length;
  const big = host.buildUdp(HOME, ip("192.0.2.9"), 5000, 6000, new Uint8Array(1490 - 28).fill(7), 31, 64);
  assert.equal(c.board.output(big), 0);
  const out = frames(c, n).filter((f) => f.src === COA && f.dst === HA);
  assert.equal(out.length, 2, "two fragments of the tunnel datagram");
  const whole = new Uint8Array(1510);
  let got = 0;
  for (const f of out) {
    const ipb = f.raw.subarray(14);
    const hl = (ipb[0] & 15) * 4, tl = get16(ipb, 2), off = (get16(ipb, 6) & 0x1fff) * 8;
    if (off === 0) whole.set(ipb.subarray(0, hl), 0);
    whole.set(ipb.subarray(hl, tl), 20 + off);
    got += tl - hl;
  }
  assert.equal(got, 1490, "every byte of the inner datagram once");
  assert.deepEqual(whole.subarray(20), big, "the inner datagram reassembles unchanged");
  // With DF it cannot go (RFC 2003 §5.1: not fragmented), counted.
  const df = big.slice();
  df[6] |= 0x40; df[10] = df[11] = 0;
  const cs = host.checksum(df, 0, 20); df[10] = cs >> 8; df[11] = cs & 255;
  const m = c.tx.length;
  c.board.output(df);
  assert.equal(frames(c, m).filter((f) => f.src === COA && f.dst === HA).length, 0);
  assert.ok(counters(c).drop_tunnel_mtu >= 1);
});

test("issue 7.8: a forged 133 (not signed by our home agent) changes neither the clock offset nor the registration", () => {
  const { c, r } = awayViaFa1();
  const forged = (NTP_BASE + 50000n) << 32n; // an attacker's "home agent time", far ahead
  c.t = 200;
  accept(c, r, { code: 133, lifetime: 0, id: forged | (r.req.id & 0xffffffffn), key: new TextEncoder().encode("attacker") });
  assert.equal(counters(c).mn_reply_auth_failed, 1);
  assert.equal(events(c, EV.REG_REPLY).length, 0);
  runTo(c, 1000);
  const rs = requests(c);
  assert.equal(rs.length, 2, "the request is simply retransmitted");
  assert.equal(rs[1].req.id >> 32n, NTP_BASE + 1n, "with our own clock: the forged time was not learnt");
});
