// Invariant fuzzing of IPv6 input (issue 12.9): a host and a router that have autoconfigured each
// other get seeded random frames — Neighbor Discovery messages with random fields and options (length 0
// included), Router Advertisements with many prefixes of any length, packets with random extension
// header chains (options of every action, routing headers of any type and segment count, fragments,
// AH), and byte-level mutations of all of them. After every frame the invariants below are checked
// against the boards' tables (dumps) and events.
import { startBoard, host } from "../host/helpers.mjs";
import { ip6, fmt6, csum6, ipv6Packet, icmp6Packet, eth, Lan } from "./ip6.mjs";

export const R_MAC = "02:00:00:00:01:01", H_MAC = "02:00:00:00:01:10";
const PREFIX = "2001:db8:1::";

/** xorshift32, seeded. */
export function rng(seed) {
  let s = (seed >>> 0) || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { u32: next, int: (n) => next() % n, pick: (a) => a[next() % a.length], chance: (p) => next() / 4294967296 < p,
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 255) };
}

export function makeWorld() {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const r = startBoard({ name: "r", board: "emulated", roles: ["router", "host"], node: { ipv6: "dual", raIntervalMs: 4000 },
    interfaces: [{ name: "eth0", mac: R_MAC }, { name: "eth1", mac: "02:00:00:00:02:01" }],
    ipv6: [{ iface: "eth0", address: `${PREFIX}1/64`, advertise: true }, { iface: "eth1", address: "2001:db8:2::1/64", advertise: true }] }, { now: () => clock.t });
  const h = startBoard({ name: "h", board: "emulated", roles: ["host"], node: { ipv6: "dual" }, interfaces: [{ name: "eth0", mac: H_MAC }] }, { now: () => clock.t });
  lan.attach(r, 0, "a"); lan.attach(h, 0, "a");
  lan.run(6000);
  return { clock, lan, r, h };
}

const ALLN = ip6("ff02::1"), ALLR = ip6("ff02::2");
const MCAST_ALLN = host.parseMac("33:33:00:00:00:01");

/** Addresses the fuzzer speaks from and about: the boards', their neighbours', strangers. */
function addrPool(w) {
  const ll = (mac) => { const m = host.parseMac(mac); const a = ip6("fe80::"); a.set([m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]], 8); return a; };
  return [ll(R_MAC), ll(H_MAC), ip6(`${PREFIX}1`), (() => { const a = ll(H_MAC); a.set(ip6(PREFIX).subarray(0, 8)); return a; })(),
    ip6("fe80::66"), ip6("2001:db8:1::66"), ip6("2001:db8:9::1"), ip6("::"), ip6("ff02::1:ff00:1"), ip6("::1"), ip6("ff02::1"), ip6("fe80::1")];
}

function lla(type, mac) { const o = new Uint8Array(8); o[0] = type; o[1] = 1; o.set(mac, 2); return o; }

/** Random ND options: link-layer (any length, 0 included), prefixes of any length, MTU, junk. */
function ndOptions(g, mac, n) {
  const parts = [];
  for (let i = 0; i < n; i++) {
    const k = g.int(6);
    if (k === 0) parts.push(lla(g.pick([1, 2]), g.chance(0.5) ? mac : g.bytes(6)));
    else if (k === 1) {
      const o = new Uint8Array(32); o[0] = 3; o[1] = g.chance(0.9) ? 4 : g.int(5);
      o[2] = g.chance(0.6) ? 64 : g.int(130); o[3] = g.pick([0xc0, 0x80, 0x40, 0, g.u32() & 255]);
      const dv = new DataView(o.buffer);
      dv.setUint32(4, g.pick([0xffffffff, 0, 7200, 30, g.u32()])); dv.setUint32(8, g.pick([0xffffffff, 0, 3600, 10, g.u32()]));
      o.set(g.chance(0.5) ? ip6(PREFIX) : g.chance(0.3) ? ip6("fe80::") : g.bytes(16), 16);
      parts.push(o);
    } else if (k === 2) { const o = new Uint8Array(8); o[0] = 5; o[1] = 1; new DataView(o.buffer).setUint32(4, g.pick([1280, 1500, 9000, 100, g.u32()])); parts.push(o); }
    else if (k === 3) { const o = new Uint8Array(8); o[0] = g.int(256); o[1] = 0; parts.push(o); } // length 0
    else { const l = 1 + g.int(3); const o = g.bytes(l * 8); o[1] = g.chance(0.8) ? l : g.int(256); parts.push(o); }
  }
  return Buffer.concat(parts);
}

/** An ND message of a random type with random fields and options. */
function ndMessage(g, pool, mac) {
  const type = 133 + g.int(5);
  const fixed = { 133: 4, 134: 12, 135: 20, 136: 20, 137: 36 }[type];
  const body = g.bytes(fixed);
  if (type === 134) { body[0] = g.pick([0, 64, 255]); body[1] = g.pick([0, 0x80, 0x40]); new DataView(body.buffer).setUint16(2, g.pick([0, 1800, 9000, 65535])); new DataView(body.buffer).setUint32(4, g.pick([0, 30000, g.u32()])); new DataView(body.buffer).setUint32(8, g.pick([0, 1000, g.u32()])); }
  if (type === 135 || type === 136) { body.fill(0, 0, 4); if (type === 136) body[0] = g.pick([0, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xe0]); body.set(g.pick(pool), 4); }
  if (type === 137) { body.fill(0, 0, 4); body.set(g.pick(pool), 4); body.set(g.pick(pool), 20); }
  const rest = body.subarray(0, 4), tail = Buffer.concat([body.subarray(4), ndOptions(g, mac, g.int(type === 134 ? 12 : 3))]);
  const src = g.pick(pool), dst = g.pick([ALLN, ALLR, ...pool]);
  return { p: icmp6Packet(src, dst, type, 0, rest, tail, g.chance(0.9) ? 255 : g.int(256)), type, src, mac };
}

/** An extension header of kind `nh` with random content (`next` the header after it). */
function extHeader(g, nh, next, pool) {
  if (nh === 44) { const f = g.bytes(8); f[0] = next; f[1] = 0; if (g.chance(0.5)) { f[2] = 0; f[3] = g.pick([0, 1]); } return f; }
  if (nh === 51) { const a = g.bytes(24); a[0] = next; a[1] = g.chance(0.8) ? 4 : g.int(256); return a; }
  if (nh === 43) {
    const n = g.int(4), h = new Uint8Array(8 + 16 * n); h[0] = next; h[1] = g.chance(0.8) ? 2 * n : g.int(256); h[2] = g.pick([0, 0, 2, g.int(256)]); h[3] = g.int(n + 2);
    for (let i = 0; i < n; i++) h.set(g.pick(pool), 8 + 16 * i);
    return h;
  }
  // Hop-by-Hop (0) / Destination Options (60): random options of every action class, Pad1/PadN.
  const len = 8 * (1 + g.int(3)), h = new Uint8Array(len); h[0] = next; h[1] = len / 8 - 1;
  let o = 2;
  while (o < len) {
    const room = len - o;
    if (room === 1 || g.chance(0.2)) { h[o++] = 0; continue; }
    const dl = Math.min(room - 2, g.int(6));
    h[o] = g.pick([1, 0x05, 0x1e, 0x3e, 0x5e, 0x9e, 0xde, 0xc2, 0xc9, g.int(256)]); h[o + 1] = g.chance(0.9) ? dl : g.int(256);
    h.set(g.bytes(dl), o + 2); o += 2 + dl;
  }
  return h;
}

/** A packet with a random extension header chain to a board's address or group. */
function extPacket(g, pool, dsts) {
  const kinds = Array.from({ length: g.int(5) }, () => g.pick([0, 60, 43, 44, 51, 0, 60]));
  const upper = g.pick([58, 17, 59, 6, 200]);
  let payload = upper === 58 ? (() => { const m = new Uint8Array(16); m[0] = g.pick([128, 129, 1, 2, 3, 4, 135]); return m; })() : g.bytes(g.int(40));
  const chain = [];
  for (let i = kinds.length - 1; i >= 0; i--) chain.unshift(extHeader(g, kinds[i], i === kinds.length - 1 ? upper : kinds[i + 1], pool));
  const src = g.pick(pool), dst = g.pick(dsts);
  if (upper === 58 && g.chance(0.7)) { const c = csum6(src, dst, 58, payload); payload[2] = c >> 8; payload[3] = c & 255; }
  return ipv6Packet(src, dst, kinds.length ? kinds[0] : upper, Buffer.concat([...chain, payload]), g.pick([64, 255, 1, 0]));
}

/** Mutate bytes of `f`: flips, a cut, an extension. */
function mutate(g, f) {
  let b = Uint8Array.from(f);
  const n = g.int(4);
  for (let i = 0; i < n; i++) b[14 + g.int(Math.max(1, b.length - 14))] ^= 1 << g.int(8);
  if (g.chance(0.2)) b = b.subarray(0, 14 + g.int(Math.max(1, b.length - 14)));
  if (g.chance(0.1)) b = Buffer.concat([b, g.bytes(g.int(64))]);
  return b;
}

/** The ND message of a frame as the oracle reads it: { p, type, src } or null. */
function ndOf(frame) {
  if (frame.length < 14 + 40 + 4 || ((frame[12] << 8) | frame[13]) !== 0x86dd) return null;
  const p = frame.subarray(14);
  if (p[6] !== 58 || p[40] < 133 || p[40] > 137) return null;
  return { p, type: p[40], src: p.subarray(8, 24) };
}

/** Decoded neighbour table of a board: Map "iface|addr" -> { mac, state }. */
export function neighbours(board) {
  const m = new Map();
  for (const x of board.dumpRaw(2)) m.set(`${x[7]}|${fmt6(x.subarray(16, 32))}`, { mac: host.formatMac(x.subarray(0, 6)), state: x[6] });
  return m;
}

export const INVARIANTS = {
  heap: "heap_used never changes after init (no allocation per packet)",
  neighbours: "the neighbour table stays within board.arpEntries",
  addresses: "at most 4 IPv6 addresses per interface, and autoconfigured ones only from 64-bit, non-link-local prefixes",
  override: "no cached link-layer address is replaced except by an NA with Override for that target, or by an NS/RS/RA from it (source link-layer option) or a Redirect naming it",
  routers: "a default router comes only from a Router Advertisement with hop limit 255 from a link-local source",
};

/**
 * Fuzz `frames` frames with `seed`; returns { violations: [{ inv, step, frame, detail }], stats }.
 * `only`: invariant names to check (default all).
 */
export function fuzzIpv6(frames, seed, only = null) {
  const g = rng(seed);
  const w = makeWorld();
  const check = (n) => !only || only.includes(n);
  const boards = [w.h, w.r];
  const heap0 = boards.map((b) => b.board.heapUsed());
  const cap = boards.map((b) => b.cfg.sizes.arpEntries);
  const pool = addrPool(w);
  const dsts = [...pool, ip6("ff02::1"), ip6("ff02::2")];
  const violations = [];
  const stats = { frames: 0, nd: 0, ext: 0, mutated: 0, traps: 0 };
  const nEv = boards.map((b) => b.cap.events.length);
  const addrCount = boards.map(() => new Map());
  let prevNb = boards.map((b) => neighbours(b.board));
  for (let step = 0; step < frames; step++) {
    const bi = g.chance(0.6) ? 0 : 1;
    const b = boards[bi];
    const mac = g.chance(0.5) ? host.parseMac(g.pick(["02:00:00:00:01:66", "02:00:00:00:01:67"])) : g.bytes(6).map((x, i) => (i === 0 ? x & 0xfe : x));
    let frame, nd = null;
    if (g.chance(0.55)) { nd = ndMessage(g, pool, mac); frame = eth(g.chance(0.5) ? MCAST_ALLN : host.parseMac(bi === 0 ? H_MAC : R_MAC), mac, 0x86dd, nd.p); stats.nd++; }
    else { frame = eth(host.parseMac(bi === 0 ? H_MAC : R_MAC), mac, 0x86dd, extPacket(g, pool, dsts)); stats.ext++; }
    if (g.chance(0.25)) { frame = mutate(g, frame); stats.mutated++; }
    // What the frame is, read from its bytes (after any mutation): an ND message directly after the
    // IPv6 header (the only place the core takes one from), its type, source, hop limit, target.
    nd = ndOf(frame);
    try { b.board.rx(0, frame); } catch (e) { stats.traps++; violations.push({ inv: "trap", step, frame, detail: String(e) }); break; }
    if (g.chance(0.02)) { w.clock.t += g.int(40000); for (const x of boards) x.board.tick(w.clock.t); }
    stats.frames++;
    // ---- invariants ----
    if (check("heap") && b.board.heapUsed() !== heap0[bi]) violations.push({ inv: "heap", step, frame, detail: `${heap0[bi]} -> ${b.board.heapUsed()}` });
    const nb = neighbours(b.board);
    if (check("neighbours") && nb.size > cap[bi]) violations.push({ inv: "neighbours", step, frame, detail: `${nb.size} > ${cap[bi]}` });
    if (check("override")) {
      for (const [k, v] of nb) {
        const old = prevNb[bi].get(k);
        // (An entry that failed NUD and was made again is INCOMPLETE with no address: not a replacement.)
        if (!old || old.mac === v.mac || old.state === 1 || v.state === 1) continue;
        const addr = k.split("|")[1];
        const fromIt = nd && nd.p[7] === 255 && fmt6(nd.src) === addr && nd.type >= 133 && nd.type <= 135;
        const naO = nd && nd.p[7] === 255 && nd.type === 136 && (nd.p[44] & 0x20) !== 0 && fmt6(nd.p.subarray(48, 64)) === addr;
        const redir = nd && nd.p[7] === 255 && nd.type === 137 && fmt6(nd.p.subarray(48, 64)) === addr;
        if (!fromIt && !naO && !redir) violations.push({ inv: "override", step, frame, detail: `${k}: ${old.mac} (state ${old.state}) -> ${v.mac} (state ${v.state})` });
      }
    }
    prevNb[bi] = nb;
    for (const e of b.cap.events.slice(nEv[bi])) {
      if (e.kind === 17) {
        const a = fmt6(e.data.subarray(4, 20)), st = e.data[1], fl = e.data[2];
        const m = addrCount[bi];
        if (st === 0) m.delete(`${e.data[0]}|${a}`); else m.set(`${e.data[0]}|${a}`, 1);
        const per = [...m.keys()].filter((x) => x.startsWith(`${e.data[0]}|`)).length;
        if (check("addresses") && per > 4) violations.push({ inv: "addresses", step, frame, detail: `${per} addresses on iface ${e.data[0]}` });
        if (check("addresses") && (fl & 4) && st !== 0 && (e.data[3] !== 64 || a.startsWith("fe8") || a.startsWith("fe9") || a.startsWith("fea") || a.startsWith("feb"))) {
          violations.push({ inv: "addresses", step, frame, detail: `autoconfigured ${a}/${e.data[3]}` });
        }
      }
      if (e.kind === 18 && e.data[1] === 1 && check("routers")) {
        const a = fmt6(e.data.subarray(4, 20));
        const ok = nd && nd.type === 134 && nd.p[7] === 255 && /^fe[89ab]/.test(a) && fmt6(nd.src) === a;
        if (!ok) violations.push({ inv: "routers", step, frame, detail: `router ${a} up` });
      }
    }
    nEv[bi] = b.cap.events.length;
    b.cap.tx.length = 0;
    if (violations.length >= 20) break;
  }
  return { violations, stats, world: w };
}

export function describe(v) {
  return v.slice(0, 5).map((x) => `${x.inv} at step ${x.step}: ${x.detail}\n  frame ${Buffer.from(x.frame).toString("hex")}`).join("\n");
}
