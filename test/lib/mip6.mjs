// Mobile IPv6 packets for tests, written from seed 003 §5 and SPEC-DECISIONS "Mobile IPv6" (option types
// 0xC6 / 7 / 8 / 0xC9, layouts, alignment), and an independent AH (RFC 2402) in JavaScript with
// node:crypto's HMAC: a test plays a mobile node that seals what a board must verify, and verifies what a
// board sealed (ICV and sequence number), without the firmware's code.
import { createHmac } from "node:crypto";
import { ipv6Packet, csum6 } from "./ip6.mjs";

export const OPT = { BU: 0xc6, BA: 7, BR: 8, HAO: 0xc9 };
export const BU_A = 0x80, BU_H = 0x40, BU_C = 0x20;

const u16 = (v) => [(v >> 8) & 255, v & 255];
const u32 = (v) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** Pad so that the next option's type lands at x*n + y (RFC 2460 §4.2). */
function padTo(out, x, y) {
  const n = (y - out.length) & (x - 1);
  if (n === 1) out.push(0);
  else if (n > 1) out.push(1, n - 2, ...new Array(n - 2).fill(0));
}

/**
 * A Destination Options header (next header `nh`) of the options `opts`, each
 * { type: "HAO", home } | { type: "BU", flags, idLen, seq, lifetime, coa? } | { type: "BA", status, seq, lifetime, refresh }
 * | { type: "BR" } | { raw: [bytes], align: [x, y] }.
 */
export function dstOpts(nh, opts) {
  const out = [nh, 0];
  for (const o of opts) {
    if (o.type === "HAO") { padTo(out, 4, 2); out.push(OPT.HAO, 16, ...o.home); }
    else if (o.type === "BU") {
      padTo(out, 4, 2);
      const f = o.flags | (o.coa ? BU_C : 0);
      out.push(OPT.BU, o.coa ? 24 : (o.len ?? 8), f, o.idLen ?? 0, ...u16(o.seq), ...u32(o.lifetime));
      if (o.coa) out.push(...o.coa);
      else if (o.len > 8) out.push(...new Array(o.len - 8).fill(0));
    } else if (o.type === "BA") { padTo(out, 4, 3); out.push(OPT.BA, 12, o.status, ...u16(o.seq), ...u32(o.lifetime), ...u32(o.refresh), 0); }
    else if (o.type === "BR") out.push(OPT.BR, 0);
    else { padTo(out, ...(o.align ?? [1, 0])); out.push(...o.raw); }
  }
  padTo(out, 8, 0);
  out[1] = out.length / 8 - 1;
  return Uint8Array.from(out);
}

/** The options of the Destination Options header at `o` in `p`: [{ type, at, data }]. */
export function parseOpts(p, o) {
  const end = o + (p[o + 1] + 1) * 8;
  const res = [];
  for (let i = o + 2; i < end;) {
    if (p[i] === 0) { i++; continue; }
    const len = p[i + 1];
    if (p[i] !== 1) res.push({ type: p[i], at: i, data: p.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return res;
}

/** Binding Acknowledgement fields of option data `d`. */
export const baFields = (d) => ({ status: d[0], seq: (d[1] << 8) | d[2], lifetime: ((d[3] << 24) | (d[4] << 16) | (d[5] << 8) | d[6]) >>> 0, refresh: ((d[7] << 24) | (d[8] << 16) | (d[9] << 8) | d[10]) >>> 0 });

const ALG = { "hmac-sha1-96": "sha1", "hmac-md5-96": "md5" };

/** ICV (96 bits) of the AH packet `p` (AH at `ahOff`) under `key`: mutable fields as RFC 2402 §3.3.3.1 says. */
export function icv(p, ahOff, alg, key) {
  const img = Uint8Array.from(p);
  img[1] &= 0; img[0] &= 0xf0; img[2] = 0; img[3] = 0; img[7] = 0; // traffic class, flow label, hop limit
  // A type 0 Routing header before AH: as the final destination will see it (RFC 2402 appendix A).
  let nh = img[6], o = 40;
  while (o < ahOff) {
    if (nh === 43 && img[o + 2] === 0) {
      const n = img[o + 1] >> 1, sl = img[o + 3];
      if (sl > 0) {
        const addrs = [img.slice(24, 40)];
        for (let i = 0; i < n; i++) addrs.push(img.slice(o + 8 + i * 16, o + 24 + i * 16));
        // Final view: destination = last address; the list = the original destination and the rest.
        img.set(addrs[n], 24);
        for (let i = 0; i < n; i++) img.set(addrs[i], o + 8 + i * 16);
        img[o + 3] = 0;
      }
    }
    const len = (img[o + 1] + 1) * 8;
    nh = img[o]; o += len;
  }
  img.fill(0, ahOff + 12, ahOff + 24);
  return createHmac(ALG[alg], Buffer.from(key, "hex")).update(img).digest().subarray(0, 12);
}

/**
 * An IPv6 packet from `src` to `dst` with AH (SPI `spi`, sequence `seq`, `alg`, `key`) right after the IPv6
 * header, followed by the headers `inner` (bytes starting with a Destination Options header or a payload)
 * whose protocol is `innerNh`.
 */
export function sealed(src, dst, innerNh, inner, { spi, seq, alg, key }) {
  const ah = new Uint8Array(24);
  ah[0] = innerNh; ah[1] = 4;
  ah.set(u32(spi), 4); ah.set(u32(seq), 8);
  const body = new Uint8Array(24 + inner.length);
  body.set(ah); body.set(inner, 24);
  const p = ipv6Packet(src, dst, 51, body);
  p.set(icv(p, 40, alg, key), 40 + 12);
  return p;
}

/** Where the AH is in packet `p` (following the chain), or -1. */
export function ahOffset(p) {
  let nh = p[6], o = 40;
  while (nh === 0 || nh === 43 || nh === 60) { const len = (p[o + 1] + 1) * 8; nh = p[o]; o += len; }
  return nh === 51 ? o : -1;
}

/** True when the AH of `p` verifies under `key`. */
export function ahOk(p, alg, key) {
  const o = ahOffset(p);
  return o > 0 && Buffer.compare(Buffer.from(icv(p, o, alg, key)), Buffer.from(p.subarray(o + 12, o + 24))) === 0;
}

/** Sequence number and SPI of the AH of `p`. */
export function ahInfo(p) {
  const o = ahOffset(p);
  const r = (i) => ((p[o + i] << 24) | (p[o + i + 1] << 16) | (p[o + i + 2] << 8) | p[o + i + 3]) >>> 0;
  return { spi: r(4), seq: r(8), next: p[o], at: o };
}

/** The Destination Options header of IPv6 packet `p` after its AH and Routing headers: its offset, or -1. */
function dstOptsAt(p) {
  let nh = p[6], h = 40;
  while ((nh === 51 || nh === 43) && h + 8 <= p.length) { const l = nh === 51 ? (p[h + 1] + 2) * 4 : (p[h + 1] + 1) * 8; nh = p[h]; h += l; }
  return nh === 60 && h + 2 <= p.length ? h : -1;
}
/** The Binding Update option of IPv6 packet `p` (its data), or null. */
export function buOf(p) {
  const h = dstOptsAt(p);
  return h < 0 ? null : parseOpts(p, h).find((o) => o.type === OPT.BU)?.data ?? null;
}
/** True when IPv6 packet `p` carries a Binding Update. */
export const hasBu = (p) => buOf(p) !== null;
/** The Sequence Number of the Binding Update in `p`, or -1. */
export function buSeqOf(p) { const d = buOf(p); return d ? (d[2] << 8) | d[3] : -1; }

/**
 * Run scenarios/mip6-prev-router.json (the parsed scenario `sc`) on the simulator `host` with `module`:
 * its summary, the mobile node's events ({ t ms, kind, up }) and router r1's counters, and the handoff's
 * parts: the advertisement after the link event (ROUTER6 up), the last Binding Update to the home agent
 * before its acknowledgement (REG_REQUEST 5, REG_REPLY 6).
 */
export function runHandoff(host, module, sc) {
  const sim = new host.Simulation(host.validateScenario(sc, "scenario"), module, {});
  const ev = [];
  const orig = sim.firmwareEvent.bind(sim);
  sim.firmwareEvent = (node, kind, data) => { if (node.name === "mn") ev.push({ t: sim.engine.nowUs / 1000, kind, up: data[1] }); orig(node, kind, data); };
  sim.run();
  const s = sim.summary();
  const r1 = sim.nodes.find((n) => n.name === "r1").board.counters();
  sim.close();
  const h = s.handoffs[0];
  const ra = ev.find((e) => e.kind === 18 && e.up === 1 && e.t >= h.atMs)?.t;
  const reply = ev.find((e) => e.kind === 6 && e.t >= h.atMs)?.t;
  const req = ev.filter((e) => e.kind === 5 && e.t >= h.atMs && e.t <= reply).at(-1)?.t;
  return { s, ev, r1, h, ra, rtt: reply - req, assoc: Math.max(...sc.accessPoints.map((a) => a.assocDelayMs)) };
}
/** The scenario `sc` without the mobile node's SA for its previous subnet's routers (no §9.6 forwarding). */
export function withoutPrevRouter(sc) {
  for (const n of sc.nodes) if (n.name === "mn") n.ipsec = n.ipsec.filter((s) => !s.peer.endsWith("::"));
  return sc;
}

/**
 * An MLD message (RFC 2710 §3: type, code 0, checksum, Maximum Response Delay, reserved, Multicast
 * Address; 24 bytes) from `src` to `dst`, its ICMPv6 checksum over the RFC 2460 §8.1 pseudo-header.
 */
export function mldMessage(src, dst, type, group, maxDelay = 0) {
  const m = new Uint8Array(24);
  m[0] = type; m[4] = (maxDelay >> 8) & 255; m[5] = maxDelay & 255; m.set(group, 8);
  const c = csum6(src, dst, 58, m);
  m[2] = c >> 8; m[3] = c & 255;
  return m;
}
