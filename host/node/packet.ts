// Host-side IPv4, UDP and ICMP packets for the applications of the emulated network (the "local IP
// stack" above a board's core). Addresses are host-order u32 (a.b.c.d = a<<24|b<<16|c<<8|d), as in
// the core. Builders write into caller buffers so traffic generators can reuse one buffer per flow.

import { formatIp } from "./config.js";

export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
export const IPV4_HEADER = 20;
export const UDP_HEADER = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

/** Ones'-complement sum of `len` bytes at `off` (RFC 1071), added to `sum`; not folded. */
export function sum16(b: Uint8Array, off: number, len: number, sum = 0): number {
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/** Fold a 32-bit-or-wider sum and complement it. */
export function finish16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/** Internet checksum of `len` bytes at `off`. */
export function checksum(b: Uint8Array, off: number, len: number): number { return finish16(sum16(b, off, len)); }

function put16(b: Uint8Array, o: number, v: number): void { b[o] = v >>> 8; b[o + 1] = v; }
export function put32(b: Uint8Array, o: number, v: number): void { b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v; }
export function get16(b: Uint8Array, o: number): number { return (b[o] << 8) | b[o + 1]; }
export function get32(b: Uint8Array, o: number): number { return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0; }

/**
 * Write a 20-byte IPv4 header (no options, DF clear) at offset 0 of `b` for a packet of `totalLen`
 * bytes, with its header checksum.
 */
export function writeIpv4Header(b: Uint8Array, totalLen: number, proto: number, src: number, dst: number, id: number, ttl = 64): void {
  b[0] = 0x45; b[1] = 0;
  put16(b, 2, totalLen);
  put16(b, 4, id & 0xffff);
  put16(b, 6, 0);
  b[8] = ttl; b[9] = proto;
  put16(b, 10, 0);
  put32(b, 12, src);
  put32(b, 16, dst);
  put16(b, 10, checksum(b, 0, IPV4_HEADER));
}

/** Sum of the UDP/TCP pseudo header (RFC 768). */
function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/**
 * Build (or rebuild in place) an IPv4/UDP packet in `b` (length 28 + payload length) whose payload
 * bytes are already at offset 28. Fills both headers and both checksums. Returns the packet length.
 */
export function finishUdp(b: Uint8Array, payloadLen: number, src: number, dst: number, sport: number, dport: number, id: number, ttl = 64): number {
  const total = IPV4_HEADER + UDP_HEADER + payloadLen;
  writeIpv4Header(b, total, IPPROTO_UDP, src, dst, id, ttl);
  const u = IPV4_HEADER;
  const ulen = UDP_HEADER + payloadLen;
  put16(b, u, sport); put16(b, u + 2, dport); put16(b, u + 4, ulen); put16(b, u + 6, 0);
  let c = finish16(sum16(b, u, ulen, pseudoSum(src, dst, IPPROTO_UDP, ulen)));
  if (c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
  put16(b, u + 6, c);
  return total;
}

/** A new IPv4/UDP packet carrying `payload`. */
export function buildUdp(src: number, dst: number, sport: number, dport: number, payload: Uint8Array, id = 0, ttl = 64): Uint8Array {
  const b = new Uint8Array(IPV4_HEADER + UDP_HEADER + payload.length);
  b.set(payload, IPV4_HEADER + UDP_HEADER);
  finishUdp(b, payload.length, src, dst, sport, dport, id, ttl);
  return b;
}

/**
 * Build (or rebuild in place) an ICMP echo request or reply in `b` whose data bytes are already at
 * offset 28. Returns the packet length.
 */
export function finishIcmpEcho(b: Uint8Array, dataLen: number, type: number, src: number, dst: number, ident: number, seq: number, id: number, ttl = 64): number {
  const total = IPV4_HEADER + 8 + dataLen;
  writeIpv4Header(b, total, IPPROTO_ICMP, src, dst, id, ttl);
  const o = IPV4_HEADER;
  b[o] = type; b[o + 1] = 0;
  put16(b, o + 2, 0);
  put16(b, o + 4, ident); put16(b, o + 6, seq);
  put16(b, o + 2, checksum(b, o, 8 + dataLen));
  return total;
}

/** A new ICMP echo request (type 8) with `data`. */
export function buildEchoRequest(src: number, dst: number, ident: number, seq: number, data: Uint8Array, id = 0, ttl = 64): Uint8Array {
  const b = new Uint8Array(IPV4_HEADER + 8 + data.length);
  b.set(data, IPV4_HEADER + 8);
  finishIcmpEcho(b, data.length, ICMP_ECHO_REQUEST, src, dst, ident, seq, id, ttl);
  return b;
}

/** A parsed IPv4 packet: fields plus where the payload is. Reused by the parser (no allocation). */
export class Ipv4Info {
  headerLen = 0;
  totalLen = 0;
  proto = 0;
  ttl = 0;
  src = 0;
  dst = 0;
  id = 0;
  /** Offset and length of the IP payload. */
  off = 0;
  len = 0;
}

export enum ParseError { OK = 0, TOO_SHORT, VERSION, HEADER_LEN, TOTAL_LEN, CHECKSUM, FRAGMENT }

/** Parse and check an IPv4 header (version, lengths, checksum, not a fragment) into `out`. */
export function parseIpv4(b: Uint8Array, out: Ipv4Info, len = b.length): ParseError {
  if (len < IPV4_HEADER) return ParseError.TOO_SHORT;
  if (b[0] >> 4 !== 4) return ParseError.VERSION;
  const hl = (b[0] & 15) * 4;
  if (hl < IPV4_HEADER || hl > len) return ParseError.HEADER_LEN;
  const tl = get16(b, 2);
  if (tl < hl || tl > len) return ParseError.TOTAL_LEN;
  if (checksum(b, 0, hl) !== 0) return ParseError.CHECKSUM;
  if ((get16(b, 6) & 0x3fff) !== 0) return ParseError.FRAGMENT;
  out.headerLen = hl; out.totalLen = tl; out.proto = b[9]; out.ttl = b[8];
  out.src = get32(b, 12); out.dst = get32(b, 16); out.id = get16(b, 4);
  out.off = hl; out.len = tl - hl;
  return ParseError.OK;
}

/** Check the UDP header and checksum of the payload described by `ip`; true when valid. */
export function udpValid(b: Uint8Array, ip: Ipv4Info): boolean {
  if (ip.len < UDP_HEADER) return false;
  const o = ip.off;
  const ulen = get16(b, o + 4);
  if (ulen < UDP_HEADER || ulen > ip.len) return false;
  if (get16(b, o + 6) === 0) return true; // checksum not used
  return finish16(sum16(b, o, ulen, pseudoSum(ip.src, ip.dst, IPPROTO_UDP, ulen))) === 0;
}

/** Check an ICMP message's length and checksum; true when valid. */
export function icmpValid(b: Uint8Array, ip: Ipv4Info): boolean {
  return ip.len >= 8 && checksum(b, ip.off, ip.len) === 0;
}

/** A formatted one-line description of an IP packet (logs and tests). */
export function describeIpv4(b: Uint8Array): string {
  const ip = new Ipv4Info();
  const e = parseIpv4(b, ip);
  if (e !== ParseError.OK) return `malformed IPv4 (${e})`;
  const base = `${formatIp(ip.src)} > ${formatIp(ip.dst)}`;
  if (ip.proto === IPPROTO_UDP && ip.len >= 8) return `${base} UDP ${get16(b, ip.off)} > ${get16(b, ip.off + 2)} len ${get16(b, ip.off + 4) - 8}`;
  if (ip.proto === IPPROTO_ICMP && ip.len >= 8) return `${base} ICMP type ${b[ip.off]} code ${b[ip.off + 1]} id ${get16(b, ip.off + 4)} seq ${get16(b, ip.off + 6)}`;
  return `${base} proto ${ip.proto} len ${ip.len}`;
}

// ---- IPv6 (issue 12): the emulated network's applications over IPv6 ----------------------------------

export const IPV6_HEADER = 40;
export const ICMP6_ECHO_REQUEST = 128;
export const ICMP6_ECHO_REPLY = 129;

/** Sum of the RFC 2460 §8.1 pseudo-header (16-byte addresses at `src` / `dst` in their arrays). */
function pseudoSum6(src: Uint8Array, dst: Uint8Array, nh: number, len: number): number {
  return sum16(src, 0, 16, sum16(dst, 0, 16, 0)) + (len >>> 16) + (len & 0xffff) + nh;
}

/** Write a 40-byte IPv6 header at b[0..40). */
function writeIpv6Header(b: Uint8Array, payloadLen: number, nh: number, src: Uint8Array, dst: Uint8Array, hopLimit: number): void {
  b[0] = 0x60; b[1] = 0; b[2] = 0; b[3] = 0;
  put16(b, 4, payloadLen); b[6] = nh; b[7] = hopLimit;
  b.set(src, 8); b.set(dst, 24);
}

/** Finish an IPv6/UDP packet in `b` whose payload is already at 48 (UDP checksum mandatory, RFC 2460 §8.1). */
export function finishUdp6(b: Uint8Array, payloadLen: number, src: Uint8Array, dst: Uint8Array, sport: number, dport: number, hopLimit = 64): number {
  const ulen = UDP_HEADER + payloadLen;
  writeIpv6Header(b, ulen, IPPROTO_UDP, src, dst, hopLimit);
  const u = IPV6_HEADER;
  put16(b, u, sport); put16(b, u + 2, dport); put16(b, u + 4, ulen); put16(b, u + 6, 0);
  let c = finish16(sum16(b, u, ulen, pseudoSum6(src, dst, IPPROTO_UDP, ulen)));
  if (c === 0) c = 0xffff;
  put16(b, u + 6, c);
  return IPV6_HEADER + ulen;
}

/** Finish an ICMPv6 echo message in `b` whose data (`dataLen` bytes) is already at 48. */
export function finishIcmp6Echo(b: Uint8Array, dataLen: number, type: number, src: Uint8Array, dst: Uint8Array, ident: number, seq: number, hopLimit = 64): number {
  const mlen = 8 + dataLen;
  writeIpv6Header(b, mlen, 58, src, dst, hopLimit);
  const o = IPV6_HEADER;
  b[o] = type; b[o + 1] = 0; put16(b, o + 2, 0); put16(b, o + 4, ident); put16(b, o + 6, seq);
  put16(b, o + 2, finish16(sum16(b, o, mlen, pseudoSum6(src, dst, 58, mlen))));
  return IPV6_HEADER + mlen;
}

/**
 * The upper layer of an IPv6 packet: { nh, off, len } after checking the header, the Payload Length and
 * the UDP/ICMPv6 checksum; null when anything is wrong. Hop-by-Hop, Routing and Destination Options
 * headers in front of it are stepped over: the core delivers Mobile IPv6 packets with them (a Routing
 * header a correspondent sent by way of the care-of address, a Home Address option; seed 003 §7.9, §9.1),
 * source and destination already the home address, as a host's stack then sees them.
 */
export function parseIpv6Upper(b: Uint8Array): { nh: number; off: number; len: number } | null {
  if (b.length < IPV6_HEADER || b[0] >> 4 !== 6) return null;
  const total = IPV6_HEADER + get16(b, 4);
  if (total > b.length) return null;
  let nh = b[6], off = IPV6_HEADER;
  while (nh === 0 || nh === 43 || nh === 60) {
    if (off + 8 > total) return null;
    const next = b[off];
    off += (b[off + 1] + 1) * 8;
    nh = next;
  }
  if (off > total) return null;
  const len = total - off;
  if (nh !== IPPROTO_UDP && nh !== 58) return { nh, off, len };
  const src = b.subarray(8, 24), dst = b.subarray(24, 40);
  if (finish16(sum16(b, off, len, pseudoSum6(src, dst, nh, len))) !== 0) return null;
  return { nh, off, len };
}
