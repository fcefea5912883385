// Small IPv4 packet builders and parsers for the invariant-checking fuzzer (test/lib/mipfuzz.mjs):
// IPv4, UDP, ICMP, the three tunnel encapsulations (RFC 2003 IP in IP, RFC 2004 minimal, RFC 1701/1702
// GRE), Ethernet and ARP. Written from the RFCs, independent of the core; deterministic.

export const ip = (s) => s.split(".").reduce((a, x) => ((a << 8) | Number(x)) >>> 0, 0);
export const fmtIp = (a) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
export const mac = (s) => Uint8Array.from(s.split(":").map((x) => parseInt(x, 16)));
export const fmtMac = (m) => Array.from(m.subarray(0, 6), (x) => x.toString(16).padStart(2, "0")).join(":");
export const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
export const BCAST_MAC = mac("ff:ff:ff:ff:ff:ff");
export const ZERO_MAC = new Uint8Array(6);

export const be16 = (b, o) => (b[o] << 8) | b[o + 1];
export const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const put16 = (b, o, v) => { b[o] = (v >>> 8) & 255; b[o + 1] = v & 255; };
const put32 = (b, o, v) => { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; };

/** RFC 1071 sum of `len` bytes at `off` (not folded). */
function sum(b, off, len, s = 0) {
  let i = 0;
  for (; i + 1 < len; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  if (i < len) s += b[off + i] << 8;
  return s;
}
const fold = (s) => { while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536); return (~s) & 0xffff; };
export const cksum = (b, off, len, s = 0) => fold(sum(b, off, len, s));

/** IPv4 datagram: 20-byte header + payload. */
export function ipv4(proto, src, dst, payload, { ttl = 64, id = 0, df = false, mf = false, fragOff = 0, tos = 0 } = {}) {
  const p = new Uint8Array(20 + payload.length);
  p[0] = 0x45; p[1] = tos; put16(p, 2, p.length); put16(p, 4, id & 0xffff);
  put16(p, 6, (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (fragOff & 0x1fff));
  p[8] = ttl; p[9] = proto; put32(p, 12, src); put32(p, 16, dst);
  put16(p, 10, cksum(p, 0, 20));
  p.set(payload, 20);
  return p;
}

/** UDP datagram in IPv4 with a correct checksum. */
export function udp(src, dst, sport, dport, data, opts = {}) {
  const u = new Uint8Array(8 + data.length);
  put16(u, 0, sport); put16(u, 2, dport); put16(u, 4, u.length); u.set(data, 8);
  let s = ((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + u.length);
  let c = cksum(u, 0, u.length, s);
  put16(u, 6, c === 0 ? 0xffff : c);
  return ipv4(17, src, dst, u, opts);
}

/** ICMP message (type, code, 4 "rest" bytes, body) in IPv4. */
export function icmp(src, dst, type, code, rest, body, opts = {}) {
  const m = new Uint8Array(8 + body.length);
  m[0] = type; m[1] = code; put32(m, 4, rest >>> 0); m.set(body, 8);
  put16(m, 2, cksum(m, 0, m.length));
  return ipv4(1, src, dst, m, opts);
}

/** RFC 2003 IP in IP: outer header (protocol 4) around the datagram `inner`. */
export const ipip = (src, dst, inner, opts = {}) => ipv4(4, src, dst, inner, opts);

/** RFC 1701/1702 GRE with the 4-byte header (no optional fields), protocol type 0x0800. */
export function gre(src, dst, inner, opts = {}) {
  const g = new Uint8Array(4 + inner.length);
  put16(g, 2, 0x0800); g.set(inner, 4);
  return ipv4(47, src, dst, g, opts);
}

/** RFC 2004 minimal encapsulation of `inner` (a 20-byte-header datagram) from `src` to `dst`. */
export function minimal(src, dst, inner, { ttl = 64 } = {}) {
  const isrc = be32(inner, 12), idst = be32(inner, 16);
  const withSrc = isrc !== src;
  const hl = withSrc ? 12 : 8;
  const mh = new Uint8Array(hl);
  mh[0] = inner[9]; mh[1] = withSrc ? 0x80 : 0; put32(mh, 4, idst);
  if (withSrc) put32(mh, 8, isrc);
  put16(mh, 2, cksum(mh, 0, hl));
  const body = inner.subarray((inner[0] & 15) * 4);
  const pay = new Uint8Array(hl + body.length);
  pay.set(mh); pay.set(body, hl);
  return ipv4(55, src, dst, pay, { ttl, id: be16(inner, 4) });
}

export function eth(dst, src, type, payload) {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst.subarray(0, 6), 0); f.set(src.subarray(0, 6), 6); put16(f, 12, type); f.set(payload, 14);
  return f;
}

/** ARP (RFC 826) for Ethernet/IPv4 in a frame. */
export function arp(op, senderMac, senderIp, targetMac, targetIp, ethDst = op === 1 ? BCAST_MAC : targetMac) {
  const a = new Uint8Array(28);
  put16(a, 0, 1); put16(a, 2, 0x0800); a[4] = 6; a[5] = 4; put16(a, 6, op);
  a.set(senderMac, 8); put32(a, 14, senderIp); a.set(targetMac, 18); put32(a, 24, targetIp);
  return eth(ethDst, senderMac, 0x0806, a);
}

export function parseArp(f) {
  if (f.length < 42 || f[12] !== 8 || f[13] !== 6) return null;
  return { op: be16(f, 20), senderMac: f.subarray(22, 28), senderIp: be32(f, 28), targetMac: f.subarray(32, 38), targetIp: be32(f, 38) };
}

/** An IPv4 datagram at `off` of `b`: fields and views, or null when not well formed. */
export function parseIp(b, off = 0) {
  if (b.length - off < 20) return null;
  const v = b[off];
  const hl = (v & 15) * 4;
  if (v >> 4 !== 4 || hl < 20) return null;
  const tl = be16(b, off + 2);
  if (tl < hl || off + tl > b.length) return null;
  return {
    hl, tl, tos: b[off + 1], id: be16(b, off + 4), frag: be16(b, off + 6), ttl: b[off + 8], proto: b[off + 9],
    src: be32(b, off + 12), dst: be32(b, off + 16), hdr: b.subarray(off, off + hl), pay: b.subarray(off + hl, off + tl),
  };
}

export const parseEthIp = (f) => (f.length >= 34 && f[12] === 8 && f[13] === 0 ? parseIp(f, 14) : null);

export function udpOf(p) {
  if (!p || p.proto !== 17 || p.pay.length < 8 || (p.frag & 0x3fff) !== 0) return null;
  const ulen = be16(p.pay, 4);
  if (ulen < 8 || ulen > p.pay.length) return null;
  return { sport: be16(p.pay, 0), dport: be16(p.pay, 2), data: p.pay.subarray(8, ulen) };
}

/** The datagram inside a tunnel datagram (IP in IP, GRE, minimal), or null. For minimal, the rebuilt fields. */
export function decap(p) {
  if (!p) return null;
  if (p.proto === 4) return parseIp(p.pay, 0);
  if (p.proto === 47) {
    const g = p.pay;
    if (g.length < 4 || be16(g, 2) !== 0x0800) return null;
    const flags = be16(g, 0);
    let hl = 4;
    if (flags & 0x8000) hl += 4; // checksum + offset
    if (flags & 0x2000) hl += 4; // key
    if (flags & 0x1000) hl += 4; // sequence number
    return parseIp(g, hl);
  }
  if (p.proto === 55) {
    const m = p.pay;
    if (m.length < 8) return null;
    const s = (m[1] & 0x80) !== 0;
    const hl = s ? 12 : 8;
    if (m.length < hl) return null;
    return { hl: p.hl, tl: p.tl - hl, id: p.id, frag: p.frag, ttl: p.ttl, proto: m[0], src: s ? be32(m, 8) : p.src, dst: be32(m, 4), pay: m.subarray(hl) };
  }
  return null;
}

/**
 * Source, destination and IP identification of the datagram inside a tunnel datagram, read from its first
 * bytes even when the outer datagram is only the first fragment (the inner Total Length then exceeds what
 * is there), or null.
 */
export function innerHeader(p) {
  if (!p || (p.frag & 0x1fff) !== 0) return null;
  if (p.proto === 55) { const q = decap(p); return q && { src: q.src, dst: q.dst, id: q.id }; }
  let o = 0;
  if (p.proto === 47) {
    if (p.pay.length < 4 || be16(p.pay, 2) !== 0x0800) return null;
    const flags = be16(p.pay, 0);
    o = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
  } else if (p.proto !== 4) return null;
  const b = p.pay;
  if (b.length < o + 20 || b[o] >> 4 !== 4) return null;
  return { src: be32(b, o + 12), dst: be32(b, o + 16), id: be16(b, o + 4) };
}

/** ICMP Router Advertisement (RFC 1256) with the Mobility Agent (16) and Prefix-Lengths (19) extensions. */
export function agentAdvert({ routers, lifetime = 3, seq = 1, regLife = 60, flags = 0x1000, coas = [], plen = 24 }) {
  const mobLen = 6 + 4 * coas.length;
  const len = 8 + 8 * routers.length + 2 + mobLen + (plen === null ? 0 : 2 + routers.length);
  const m = new Uint8Array(len);
  m[0] = 9; m[4] = routers.length; m[5] = 2; put16(m, 6, lifetime);
  let o = 8;
  for (const r of routers) { put32(m, o, r); o += 8; }
  m[o] = 16; m[o + 1] = mobLen; put16(m, o + 2, seq); put16(m, o + 4, regLife); put16(m, o + 6, flags);
  coas.forEach((c, i) => put32(m, o + 8 + 4 * i, c));
  o += 2 + mobLen;
  if (plen !== null) { m[o] = 19; m[o + 1] = routers.length; for (let i = 0; i < routers.length; i++) m[o + 2 + i] = plen; }
  put16(m, 2, cksum(m, 0, len));
  return m;
}

/** ICMP body (type, code, rest already in) + IPv4 header: an agent advertisement datagram. */
export function advertDatagram(src, dst, adv, { ttl = 1, id = 0 } = {}) { return ipv4(1, src, dst, adv, { ttl, id }); }
