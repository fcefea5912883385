// Issue 13.7: invariant fuzzing of Mobile IPv6 Binding Updates into a correspondent. Genuine updates
// (sealed with the home address's key by test/lib/mip6.mjs) mixed with replays, forgeries, another mobile
// node's key, unauthenticated copies, byte mutations after sealing, out-of-sequence and malformed
// options. Invariant: the Binding Cache (dump table 9) always equals a model that only genuine, fresh,
// in-sequence updates change (seed 003 §7.2-§7.4); no trap. MIPFW_FUZZ_MIP6_FRAMES (default 3000),
// MIPFW_FUZZ_MIP6_SEED (1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { ip6, fmt6, eth, Lan, ipv6Packet, csum6 } from "../lib/ip6.mjs";
import { dstOpts, sealed, ahOk, ahInfo, parseOpts, mldMessage, OPT, BU_A, BU_H, BU_C } from "../lib/mip6.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ_MIP6_FRAMES ?? 3000);
const SEED = Number(process.env.MIPFW_FUZZ_MIP6_SEED ?? 1);
const B = "2001:db8:1::b", HOME = "2001:db8:77::64", HOME2 = "2001:db8:77::65";
const COAS = ["2001:db8:1::c0a", "2001:db8:1::c0b", "2001:db8:5::1", HOME];
const KEY = "00112233445566778899aabbccddeeff00112233", KEY2 = "ffeeddccbbaa99887766554433221100ffeeddcc", BAD = "0f0e0d0c0b0a09080706050403020100ffeeddcc";
const ALG = "hmac-sha1-96";
const B_MAC = "02:00:00:00:01:0b", M_MAC = "02:00:00:00:01:0c";

function rng(seed) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }

test(`Mobile IPv6 fuzz: ${FRAMES} Binding Update frames, seed ${SEED}: the Binding Cache changes only by genuine, fresh, in-sequence updates`, (t) => {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const b = startBoard({
    name: "b", board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: B_MAC }], ipv6: [{ iface: "eth0", address: `${B}/64` }],
    ipsec: [
      { peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64 },
      { peer: HOME2, spiIn: 0x3000, spiOut: 0x4000, algorithm: ALG, key: KEY2, window: 64 },
    ],
  }, { now: () => clock.t });
  lan.attach(b, 0, "l");
  lan.run(3000);
  const r = rng(SEED);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  // The model: per home address { coa, seq, expires } and the AH state per SA (highest, seen).
  const model = new Map();
  const ahState = { 0x1000: { max: 0, seen: new Set() }, 0x3000: { max: 0, seen: new Set() } };
  const keys = { 0x1000: [HOME, KEY], 0x3000: [HOME2, KEY2] };
  const ahSeq = { 0x1000: 0, 0x3000: 0 };
  const history = [];
  const stats = { genuine: 0, accepted: 0, replays: 0, forged: 0, hijack: 0, plain: 0, mutated: 0, junk: 0, traps: 0 };
  const seqGreater = (a, b) => { const d = (a - b) & 0xffff; return d !== 0 && d < 0x8000; };

  /** What the board must do with `pkt` (an IPv6 packet): update the model when it is genuine. */
  function expect(pkt) {
    const a = ahInfo(pkt);
    if (a.at < 0 || !keys[a.spi]) return;
    const [peer, key] = keys[a.spi];
    const opts = parseOpts(pkt, a.at + 24);
    const hao = opts.find((o) => o.type === OPT.HAO);
    // The board picks the SA by SPI and the Home Address option's address; it must be this SA's peer.
    const name = hao && hao.data.length >= 16 ? fmt6(hao.data.subarray(0, 16)) : fmt6(pkt.subarray(8, 24));
    if (name !== peer || !ahOk(pkt, ALG, key)) return;
    const st = ahState[a.spi];
    if (a.seq === 0 || st.seen.has(a.seq) || a.seq + 64 <= st.max) return; // RFC 2402 §3.4.3 window
    st.seen.add(a.seq); st.max = Math.max(st.max, a.seq);
    const bu = opts.find((o) => o.type === OPT.BU);
    if (!bu || !hao || hao.data.length < 16) return;
    const flags = bu.data[0] ?? 0;
    const need = flags & BU_C ? 24 : 8;
    if (bu.data.length < need) return;
    stats.genuine++;
    const seq = (bu.data[2] << 8) | bu.data[3];
    const life = ((bu.data[4] << 24) | (bu.data[5] << 16) | (bu.data[6] << 8) | bu.data[7]) >>> 0;
    const coa = flags & BU_C ? fmt6(bu.data.subarray(8, 24)) : fmt6(pkt.subarray(8, 24));
    const cur = model.get(peer);
    if (cur && clock.t >= cur.expires) model.delete(peer);
    const now = model.get(peer);
    if (now && !seqGreater(seq, now.seq)) return;
    if (flags & BU_H) return; // 132: not a home agent
    stats.accepted++;
    if (life === 0 || coa === peer) model.delete(peer);
    else model.set(peer, { coa, seq, expires: life === 0xffffffff ? Infinity : clock.t + life * 1000 });
  }

  const bu = (spi, home, { seq, coa, life, flags, cFlag }) => {
    const o = { type: "BU", flags, seq, lifetime: life };
    if (cFlag) o.coa = ip6(pick(COAS));
    const inner = dstOpts(59, [{ type: "HAO", home: ip6(home) }, o]);
    ahSeq[spi]++;
    return sealed(ip6(coa), ip6(B), 60, inner, { spi, alg: ALG, key: keys[spi][1], seq: ahSeq[spi] });
  };
  for (let i = 0; i < FRAMES; i++) {
    const cur = model.get(HOME);
    const baseSeq = cur ? cur.seq : int(65536);
    const fields = { seq: (baseSeq + int(9) - 3) & 0xffff, coa: pick(COAS.slice(0, 3)), life: pick([0, 1, 5, 60, 600, 0xffffffff]), flags: r() < 0.1 ? BU_A | BU_H : r() < 0.5 ? BU_A : 0, cFlag: r() < 0.2 };
    const k = r();
    let pkt;
    if (k < 0.35 || history.length === 0) { pkt = bu(0x1000, HOME, fields); history.push(pkt); }
    else if (k < 0.45) { pkt = pick(history); stats.replays++; }
    else if (k < 0.55) { pkt = bu(0x1000, HOME, fields); pkt[40 + 12 + int(12)] ^= 1 << int(8); stats.forged++; }
    else if (k < 0.62) {
      // Another mobile node's key (HOME2's SA) naming HOME in its Home Address option.
      const inner = dstOpts(59, [{ type: "HAO", home: ip6(HOME) }, { type: "BU", flags: BU_A, seq: fields.seq, lifetime: 600 }]);
      ahSeq[0x3000]++;
      pkt = sealed(ip6(fields.coa), ip6(B), 60, inner, { spi: 0x3000, alg: ALG, key: KEY2, seq: ahSeq[0x3000] });
      stats.hijack++;
    } else if (k < 0.7) {
      pkt = ipv6Packet(ip6(fields.coa), ip6(B), 60, dstOpts(59, [{ type: "HAO", home: ip6(pick([HOME, HOME2])) }, { type: "BU", flags: BU_A, seq: fields.seq, lifetime: 600 }]));
      stats.plain++;
    } else if (k < 0.85) {
      pkt = bu(0x1000, HOME, fields).slice();
      const n = 1 + int(3);
      for (let j = 0; j < n; j++) pkt[int(pkt.length)] = int(256);
      stats.mutated++;
    } else {
      // Malformed options: a short BU, a short HAO, random option bytes; sealed properly.
      const raw = [];
      for (let j = 0, n = int(12); j < n; j++) raw.push(int(256));
      const opts = pick([
        [{ type: "HAO", home: ip6(HOME) }, { raw: [OPT.BU, int(8), 0x80, 0, 0, 1, 0, 0].slice(0, 2 + int(7)), align: [4, 2] }],
        [{ raw: [OPT.HAO, int(16), ...ip6(HOME)].slice(0, 2 + int(17)), align: [4, 2] }, { type: "BU", flags: BU_A, seq: fields.seq, lifetime: 600 }],
        [{ type: "HAO", home: ip6(HOME) }, { raw: [pick([OPT.BU, OPT.BA, OPT.BR, OPT.HAO, 0xc2, 0x3e]), raw.length, ...raw] }],
      ]);
      ahSeq[0x1000]++;
      try { pkt = sealed(ip6(fields.coa), ip6(B), 60, dstOpts(59, opts), { spi: 0x1000, alg: ALG, key: KEY, seq: ahSeq[0x1000] }); }
      catch { continue; }
      stats.junk++;
    }
    expect(pkt);
    try { b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(M_MAC), 0x86dd, pkt)); }
    catch (e) { stats.traps++; assert.fail(`trap at frame ${i}: ${e}`); }
    clock.t += 1 + int(400);
    b.board.tick(clock.t);
    const got = new Map(b.board.dump("bindings6").filter((x) => x.expiresAtMs > clock.t).map((x) => [x.home, { coa: x.careOf, seq: x.seq }]));
    for (const [h, v] of [...model]) if (clock.t >= v.expires) model.delete(h);
    const want = new Map([...model].map(([h, v]) => [h, { coa: v.coa, seq: v.seq }]));
    assert.deepEqual(got, want, `frame ${i} (${JSON.stringify(stats)})`);
  }
  t.diagnostic(JSON.stringify(stats));
  assert.ok(stats.accepted > FRAMES / 20 && stats.forged > 0 && stats.replays > 0 && stats.hijack > 0 && stats.junk > 0, JSON.stringify(stats));
  const c = b.board.counters();
  for (const k of ["drop_ah_icv", "drop_ah_replay", "drop_ah_no_sa", "drop_ah_required", "drop_mip6_malformed", "drop_mip6_sequence", "mip6_bu_accepted", "mip6_rejected"]) {
    assert.ok(c[k] > 0, `${k} never reached`);
  }
});

test(`Mobile IPv6 fuzz, previous router (§9.6): ${Math.ceil(FRAMES / 3)} updates under a subnet's visitor key, seed ${SEED}: the router's Binding Cache changes only by a fresh home registration sent to the Subnet-Router anycast address, for an address of that subnet, at most 30 s`, (t) => {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const R = "2001:db8:2::1", P = "2001:db8:2::", R_MAC = "02:00:00:00:02:01";
  const b = startBoard({
    name: "r", board: "emulated", roles: ["router", "home-agent"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: R_MAC, home: true }, { name: "eth1", mac: "02:00:00:00:02:02" }],
    ipv6: [{ iface: "eth0", address: `${R}/64`, advertise: true }, { iface: "eth1", address: "2001:db8:c::2/64" }],
    ipsec: [{ peer: P, spiIn: 0x5000, spiOut: 0x6000, algorithm: ALG, key: KEY, window: 64, require: false }],
  }, { now: () => clock.t });
  lan.attach(b, 0, "p"); lan.attach(b, 1, "c");
  lan.run(3000);
  const r = rng(SEED + 7);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  const HOMES = ["2001:db8:2::a", "2001:db8:2::b", "2001:db8:3::a"];
  const model = new Map();
  let ahSeq = 0, ahMax = 0;
  const seen = new Set();
  const stats = { accepted: 0, wrongDst: 0, noH: 0, otherSubnet: 0, badKey: 0, replay: 0 };
  const seqGreater = (a, c) => { const d = (a - c) & 0xffff; return d !== 0 && d < 0x8000; };
  const sent = [];
  for (let i = 0; i < Math.ceil(FRAMES / 3); i++) {
    const home = pick(HOMES), dst = pick([P, P, R, "2001:db8:c::2"]), key = r() < 0.85 ? KEY : BAD;
    const flags = r() < 0.8 ? BU_A | BU_H : BU_A;
    const cur = model.get(home);
    const seq = ((cur ? cur.seq : 100) + int(5) - 1) & 0xffff;
    const life = pick([1, 10, 30, 600, 0xffffffff]);
    let pkt;
    if (r() < 0.1 && sent.length) { pkt = pick(sent); stats.replay++; }
    else {
      const inner = dstOpts(59, [{ type: "HAO", home: ip6(home) }, { type: "BU", flags, seq, lifetime: life }]);
      pkt = sealed(ip6("2001:db8:3::99"), ip6(dst), 60, inner, { spi: 0x5000, alg: ALG, key, seq: ++ahSeq });
      sent.push(pkt);
    }
    // The model: AH (the subnet SA is found only for a home address of its subnet; ICV; window), then §9.6's rules.
    const a = ahInfo(pkt), opts = parseOpts(pkt, a.at + 24);
    const h = fmt6(opts.find((o) => o.type === OPT.HAO).data.subarray(0, 16)), bu = opts.find((o) => o.type === OPT.BU);
    const d = fmt6(pkt.subarray(24, 40)), f = bu.data[0], sq = (bu.data[2] << 8) | bu.data[3];
    const lt = ((bu.data[4] << 24) | (bu.data[5] << 16) | (bu.data[6] << 8) | bu.data[7]) >>> 0;
    const inSubnet = h.startsWith("2001:db8:2:");
    const icvOk = ahOk(pkt, ALG, KEY);
    const fresh = !seen.has(a.seq) && a.seq + 64 > ahMax;
    for (const [k, v] of [...model]) if (clock.t >= v.expires) model.delete(k);
    if (!inSubnet) stats.otherSubnet++;
    else if (!icvOk) stats.badKey++;
    else if (fresh) {
      seen.add(a.seq); ahMax = Math.max(ahMax, a.seq);
      const m = model.get(h);
      if (d !== P) stats.wrongDst++;
      else if (!(f & BU_H)) stats.noH++;
      else if (!m || seqGreater(sq, m.seq)) { stats.accepted++; model.set(h, { seq: sq, expires: clock.t + Math.min(lt, 30) * 1000 }); }
    }
    try { b.board.rx(1, eth(host.parseMac("02:00:00:00:02:02"), host.parseMac("02:00:00:00:0c:01"), 0x86dd, pkt)); }
    catch (e) { assert.fail(`trap at frame ${i}: ${e}`); }
    clock.t += 1 + int(2000);
    b.board.tick(clock.t);
    for (const [k, v] of [...model]) if (clock.t >= v.expires) model.delete(k);
    const got = new Map(b.board.dump("bindings6").filter((x) => x.expiresAtMs > clock.t).map((x) => [x.home, x.seq]));
    assert.deepEqual(got, new Map([...model].map(([k, v]) => [k, v.seq])), `frame ${i} (${JSON.stringify(stats)})`);
    for (const x of b.board.dump("bindings6")) assert.ok(x.lifetimeSec <= 30, `lifetime ${x.lifetimeSec}`);
  }
  t.diagnostic(JSON.stringify(stats));
  assert.ok(Object.values(stats).every((n) => n > 0), JSON.stringify(stats));
});

// Issue 13.5 (seed 003 §10): the home agent's membership table under the same kind of fuzzing. Two
// registered mobile nodes send MLD Reports and Dones through their reverse tunnels: genuine ones (sealed by
// test/lib/mip6.mjs with the home address's own key) mixed with replays, forgeries (bits flipped after
// sealing), plain tunnels the policy admits (`require: false`), another mobile node's key naming the home
// address, sealed but malformed MLD (hop limit, source, checksum, type, link-scoped group), and Reports on
// the home link itself. Invariant: the table (dump table 10) always equals a model that only genuine,
// fresh, valid messages change (a Report joins, a Done leaves; entries live 260 s); no trap.
test(`Mobile IPv6 multicast fuzz: ${FRAMES} tunnelled MLD frames, seed ${SEED}: only the registered mobile node's authenticated Reports change its memberships`, (t) => {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const HA = "2001:db8:1::1", H1 = "2001:db8:1::64", H2 = "2001:db8:1::65", COA = "2001:db8:2::c0a";
  const HA_MAC = "02:00:00:00:01:01", HA_MAC_F = "02:00:00:00:02:01";
  const ha = startBoard({
    name: "ha", board: "emulated", roles: ["router", "home-agent"], node: { ipv6: "only", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac: HA_MAC, home: true }, { name: "eth1", mac: HA_MAC_F }],
    ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: "2001:db8:2::1/64", advertise: true }],
    ipsec: [
      { peer: H1, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64, require: false },
      { peer: H2, spiIn: 0x3000, spiOut: 0x4000, algorithm: ALG, key: KEY2, window: 64 },
    ],
  }, { now: () => clock.t });
  lan.attach(ha, 0, "home"); lan.attach(ha, 1, "foreign");
  lan.run(3000);
  const r = rng(SEED + 100);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  const keys = { 0x1000: [H1, KEY], 0x3000: [H2, KEY2] };
  const ahSeq = { 0x1000: 0, 0x3000: 0 };
  const ahState = { 0x1000: { max: 0, seen: new Set() }, 0x3000: { max: 0, seen: new Set() } };
  const rxF = (pkt) => ha.board.rx(1, eth(host.parseMac(HA_MAC_F), host.parseMac("02:00:00:00:02:0a"), 0x86dd, pkt));
  const seal = (spi, home, body) => sealed(ip6(COA), ip6(HA), 60, new Uint8Array([...dstOpts(41, [{ type: "HAO", home: ip6(home) }]), ...body]), { spi, alg: ALG, key: keys[spi][1], seq: ++ahSeq[spi] });
  // Register both (lifetime "infinite": the home prefix's 30 days bound it; no binding expires here).
  for (const spi of [0x1000, 0x3000]) {
    const [home, key] = keys[spi];
    rxF(sealed(ip6(COA), ip6(HA), 60, dstOpts(59, [{ type: "HAO", home: ip6(home) }, { type: "BU", flags: BU_A | BU_H, seq: 1, lifetime: 0xffffffff }]), { spi, alg: ALG, key, seq: ++ahSeq[spi] }));
    ahState[spi].seen.add(ahSeq[spi]); ahState[spi].max = ahSeq[spi];
  }
  lan.run(100);
  assert.equal(ha.board.dump("bindings6").length, 2);
  const GROUPS = ["ff0e::1:1", "ff05::2", "ff0e::3", "ff02::1:5", "ff01::6"];
  const LL = "fe80::964";
  /** An MLD packet: type, group, and the ways it can be wrong. */
  const mldPkt = ({ type = 131, group = pick(GROUPS), hlim = 1, src = LL, dst, hbh = true, badSum = false }) => {
    const d = ip6(dst ?? (type === 132 ? "ff02::2" : group));
    const m = mldMessage(ip6(src), d, type, ip6(group), 0);
    if (badSum) m[2] ^= 0x40;
    return ipv6Packet(ip6(src), d, hbh ? 0 : 58, hbh ? Uint8Array.of(58, 0, 5, 2, 0, 0, 1, 0, ...m) : m, hlim);
  };
  /** What a valid inner MLD packet does ({ type, group }), by RFC 2710 §3 and RFC 4291 §2.7, or null. */
  const effect = (q) => {
    if (q.length < 40 || q[0] >> 4 !== 6) return null;
    const end = 40 + ((q[4] << 8) | q[5]);
    if (end > q.length) return null;
    let nh = q[6], o = 40;
    if (nh === 0) { if (o + 8 > end) return null; nh = q[o]; o += (q[o + 1] + 1) * 8; }
    if (nh !== 58 || o + 24 > end || q[o] < 130 || q[o] > 132) return null;
    if (!(q[8] === 0xfe && (q[9] & 0xc0) === 0x80) || q[7] !== 1 || q[24] !== 0xff) return null;
    if (csum6(q.subarray(8, 24), q.subarray(24, 40), 58, q.subarray(o, end)) !== 0) return null;
    const g = q.subarray(o + 8, o + 24);
    if (q[o] === 130 || g[0] !== 0xff || (g[1] & 15) <= 2) return null;
    return { type: q[o], group: fmt6(g) };
  };
  const model = new Map(); // `${home} ${group}` -> expiresAtMs
  const history = [];
  const stats = { genuine: 0, joins: 0, dones: 0, replays: 0, forged: 0, plain: 0, hijack: 0, junk: 0, native: 0 };
  /** The model's view of what the home agent must do with tunnelled `pkt` sealed (or not) as it is. */
  function expect(pkt) {
    const a = ahInfo(pkt);
    if (a.at < 0 || !keys[a.spi]) return;
    const [peer, key] = keys[a.spi];
    const hao = parseOpts(pkt, a.at + 24).find((o) => o.type === OPT.HAO);
    if (!hao || fmt6(hao.data.subarray(0, 16)) !== peer || !ahOk(pkt, ALG, key)) return;
    const st = ahState[a.spi];
    if (a.seq === 0 || st.seen.has(a.seq) || a.seq + 64 <= st.max) return;
    st.seen.add(a.seq); st.max = Math.max(st.max, a.seq);
    const at = a.at + 24 + (pkt[a.at + 24 + 1] + 1) * 8;
    if (pkt[a.at + 24] !== 41) return;
    const e = effect(pkt.subarray(at));
    if (!e) return;
    stats.genuine++;
    const k = `${peer} ${e.group}`;
    if (e.type === 131) { model.set(k, clock.t + 260000); stats.joins++; }
    else if (model.delete(k)) stats.dones++;
  }
  for (let i = 0; i < FRAMES; i++) {
    const spi = r() < 0.7 ? 0x1000 : 0x3000;
    const home = keys[spi][0];
    const type = r() < 0.75 ? 131 : 132;
    const k = r();
    let pkt, native = false;
    if (k < 0.4 || history.length === 0) { pkt = seal(spi, home, mldPkt({ type })); history.push(pkt); }
    else if (k < 0.5) { pkt = pick(history); stats.replays++; }
    else if (k < 0.6) { pkt = seal(spi, home, mldPkt({ type })).slice(); pkt[40 + 12 + int(12)] ^= 1 << int(8); stats.forged++; }
    else if (k < 0.7) {
      // Plain: the policy admits a tunnel from H1 without AH (require: false), never a membership change.
      pkt = ipv6Packet(ip6(COA), ip6(HA), 60, new Uint8Array([...dstOpts(41, [{ type: "HAO", home: ip6(pick([H1, H2])) }]), ...mldPkt({ type })]));
      stats.plain++;
    } else if (k < 0.77) {
      // H2's key naming H1 in the Home Address option.
      pkt = sealed(ip6(COA), ip6(HA), 60, new Uint8Array([...dstOpts(41, [{ type: "HAO", home: ip6(H1) }]), ...mldPkt({ type })]), { spi: 0x3000, alg: ALG, key: KEY2, seq: ++ahSeq[0x3000] });
      stats.hijack++;
    } else if (k < 0.93) {
      const bad = pick([{ hlim: pick([0, 2, 64, 255]) }, { src: pick([H1, "2001:db8:2::9"]) }, { badSum: true }, { type: pick([130, 133, 128]) },
        { group: pick(["ff02::1:5", "ff01::6", "ff00::7"]) }, { hbh: false }, { dst: "ff0e::9" }]);
      pkt = seal(spi, home, mldPkt({ type, ...bad }));
      stats.junk++;
    } else {
      pkt = mldPkt({ type }); native = true; stats.native++;
    }
    if (!native) expect(pkt);
    try {
      if (native) ha.board.rx(0, eth(host.parseMac("33:33:00:00:00:16"), host.parseMac("02:00:00:00:01:0c"), 0x86dd, pkt));
      else rxF(pkt);
    } catch (e) { assert.fail(`trap at frame ${i}: ${e}`); }
    clock.t += 1 + int(400);
    ha.board.tick(clock.t);
    for (const [key, exp] of [...model]) if (exp <= clock.t) model.delete(key);
    const got = ha.board.dump("groups6").filter((x) => x.expiresAtMs > clock.t).map((x) => `${x.home} ${x.group} ${x.expiresAtMs}`).sort();
    const want = [...model].map(([key, exp]) => `${key} ${exp}`).sort();
    assert.deepEqual(got, want, `frame ${i} (${JSON.stringify(stats)})`);
  }
  t.diagnostic(JSON.stringify(stats));
  assert.ok(stats.joins > FRAMES / 20 && stats.dones > 0 && stats.forged > 0 && stats.replays > 0 && stats.hijack > 0 && stats.junk > 0 && stats.plain > 0, JSON.stringify(stats));
  const c = ha.board.counters();
  for (const k of ["drop_ah_icv", "drop_ah_replay", "drop_ah_no_sa", "drop_ah_required", "drop_mip6_mc_unauth", "drop_mld6_malformed", "drop_mip6_mc_scope", "mip6_ha_mc_joined", "mip6_ha_mc_left"]) {
    assert.ok(c[k] > 0, `${k} never reached`);
  }
});
