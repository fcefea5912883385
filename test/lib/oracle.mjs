// An independent Mobile IP oracle for the invariant-checking fuzzer (test/lib/mipfuzz.mjs): message
// fields, authenticators and replay freshness computed here from the RFCs with node:crypto, sharing no
// code with the core (assembly/) nor with the host's message helpers (host/node/mip.ts), so that a bug
// in either cannot hide itself.
//
//   keyed-MD5 "prefix+suffix" (RFC 2002 §3.5.1): MD5(key ‖ covered ‖ key)
//   HMAC-MD5 (RFC 2104): computed from its definition with MD5 (not createHmac), so the HMAC construction
//     itself is checked too: MD5((K ⊕ opad) ‖ MD5((K ⊕ ipad) ‖ covered)), keys longer than 64 bytes hashed first
//   covered bytes (RFC 2002 §3.5.1, SPEC-DECISIONS): the UDP payload from its first byte through the
//     authentication extension's Type and Length, plus its SPI when the association covers the SPI
//   timestamps (RFC 2002 §5.6, RFC 1982 serial arithmetic over NTP seconds): era-aware, see `ntpUnwrap`

import { createHash } from "node:crypto";

export const NTP_BASE_SEC = 3976214400n;   // docs/abi.md "Time": board time 0 = 2026-01-01T00:00:00Z
export const TWO32 = 1n << 32n;

const md5 = (...parts) => { const h = createHash("md5"); for (const p of parts) h.update(p); return h.digest(); };

/** RFC 2104 HMAC-MD5 from its definition. */
export function hmacMd5(key, data) {
  let k = Buffer.from(key);
  if (k.length > 64) k = md5(k);
  const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < k.length; i++) { ipad[i] ^= k[i]; opad[i] ^= k[i]; }
  return md5(opad, md5(ipad, data));
}

/** RFC 2002 §3.5.1 keyed MD5 in prefix+suffix mode. */
export function keyedMd5(key, data) { return md5(key, data, key); }

/** Authenticator of `sa` ({algorithm, key}) over `data`. */
export function authenticatorOf(sa, data) {
  return sa.algorithm === "keyed-md5" ? keyedMd5(sa.key, data) : hmacMd5(sa.key, data);
}

/** Does the association cover the SPI? (config default: HMAC-MD5 yes, keyed-MD5 no). */
export const coversSpi = (sa) => sa.coverSpi ?? sa.algorithm === "hmac-md5";

const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const be16 = (b, o) => (b[o] << 8) | b[o + 1];
const be64 = (b, o) => (BigInt(be32(b, o)) << 32n) | BigInt(be32(b, o + 4));

/**
 * True when `msg` (a whole UDP payload) holds, at some offset at or after its fixed part, an
 * authentication extension of `type` with Length 20, the association's SPI, and an authenticator that
 * verifies. Any offset counts (not only the one a TLV walk reaches): the most permissive reading, so
 * that "verifies under the oracle" never depends on how a parser walks a mutated extension list — a
 * forger without the key still cannot produce one.
 */
export function authVerifies(msg, fixedLen, type, sa) {
  if (!sa) return false;
  const cover = coversSpi(sa);
  for (let o = fixedLen; o + 22 <= msg.length; o++) {
    if (msg[o] !== type || msg[o + 1] !== 20 || be32(msg, o + 2) !== sa.spi >>> 0) continue;
    const want = authenticatorOf(sa, msg.subarray(0, o + (cover ? 6 : 2)));
    if (Buffer.compare(want, Buffer.from(msg.buffer, msg.byteOffset + o + 6, 16)) === 0) return true;
  }
  return false;
}

/** Sign: `msg` + an authentication extension of `type` computed with `sa` (and the SPI `spi` if given). */
export function sign(msg, type, sa, { spi = sa.spi, cover = coversSpi(sa) } = {}) {
  const out = new Uint8Array(msg.length + 22);
  out.set(msg);
  const o = msg.length;
  out[o] = type; out[o + 1] = 20;
  out[o + 2] = spi >>> 24; out[o + 3] = (spi >>> 16) & 255; out[o + 4] = (spi >>> 8) & 255; out[o + 5] = spi & 255;
  out.set(authenticatorOf(sa, out.subarray(0, o + (cover ? 6 : 2))), o + 6);
  return out;
}

/** Registration Request fields (RFC 2002 §3.3), or null when shorter than the fixed part or not type 1. */
export function parseRequest(m) {
  if (!m || m.length < 24 || m[0] !== 1) return null;
  return { flags: m[1], lifetime: be16(m, 2), home: be32(m, 4), ha: be32(m, 8), coa: be32(m, 12), id: be64(m, 16) };
}

/** Registration Reply fields (RFC 2002 §3.4), or null. */
export function parseReply(m) {
  if (!m || m.length < 20 || m[0] !== 3) return null;
  return { code: m[1], lifetime: be16(m, 2), home: be32(m, 4), ha: be32(m, 8), id: be64(m, 12) };
}

/** Build a Registration Request's fixed part (+ raw extension bytes). */
export function request({ flags = 0, lifetime, home, ha, coa, id }, ext = null) {
  const m = new Uint8Array(24 + (ext ? ext.length : 0));
  const dv = new DataView(m.buffer);
  m[0] = 1; m[1] = flags; dv.setUint16(2, lifetime); dv.setUint32(4, home >>> 0); dv.setUint32(8, ha >>> 0);
  dv.setUint32(12, coa >>> 0); dv.setBigUint64(16, BigInt.asUintN(64, id));
  if (ext) m.set(ext, 24);
  return m;
}

/** Build a Registration Reply's fixed part (+ raw extension bytes). */
export function reply({ code, lifetime, home, ha, id }, ext = null) {
  const m = new Uint8Array(20 + (ext ? ext.length : 0));
  const dv = new DataView(m.buffer);
  m[0] = 3; m[1] = code; dv.setUint16(2, lifetime); dv.setUint32(4, home >>> 0); dv.setUint32(8, ha >>> 0);
  dv.setBigUint64(12, BigInt.asUintN(64, id));
  if (ext) m.set(ext, 20);
  return m;
}

/** A node's NTP seconds (unwrapped, a BigInt that does not stop at 2^32) at board time `ms`. */
export const ntpSeconds = (ms, clockOffsetSec = 0) => NTP_BASE_SEC + BigInt(Math.floor(ms / 1000)) + BigInt(clockOffsetSec);

/**
 * The unwrapped NTP seconds that 32-bit `sec32` (the high half of an Identification) stands for, as seen
 * at unwrapped time `nowSec`: the value congruent to it modulo 2^32 nearest to now (RFC 1982 serial
 * arithmetic; an era is 2^32 s, about 136 years).
 */
export function ntpUnwrap(sec32, nowSec) {
  const d = BigInt.asIntN(32, BigInt(sec32) - (nowSec & (TWO32 - 1n)));
  return nowSec + d;
}

/**
 * Era-aware order of two 64-bit NTP Identifications received at unwrapped time `nowSec`: -1, 0, 1.
 * Both are unwrapped against now first, then compared as (seconds, fraction).
 */
export function compareTimestamps(a, b, nowSec) {
  const ua = (ntpUnwrap(Number(a >> 32n), nowSec) << 32n) | (a & 0xffffffffn);
  const ub = (ntpUnwrap(Number(b >> 32n), nowSec) << 32n) | (b & 0xffffffffn);
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Unwrapped 64-bit form of Identification `id` at time `nowSec` (for keeping the last accepted one across eras). */
export const unwrapId = (id, nowSec) => (ntpUnwrap(Number(id >> 32n), nowSec) << 32n) | (id & 0xffffffffn);

/** 32-bit Identification seconds of unwrapped `sec` (what goes on the wire). */
export const wireSec = (sec) => sec & (TWO32 - 1n);
