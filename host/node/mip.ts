// Mobile IP messages in JavaScript, independent of the core: for tests that play a peer (a mobile
// node, foreign agent or home agent), for fuzzing and for tools. RFC 2002 §3 layouts,
// SPEC-DECISIONS authenticators (keyed-MD5 prefix+suffix, HMAC-MD5, SPI covered or not).

import { createHash, createHmac } from "node:crypto";

export const MIP_PORT = 434;
export const REG_REQUEST = 1;
export const REG_REPLY = 3;
export const EXT_MH_AUTH = 32, EXT_MF_AUTH = 33, EXT_FH_AUTH = 34;
export const REQ_S = 0x80, REQ_B = 0x40, REQ_D = 0x20, REQ_M = 0x10, REQ_G = 0x08, REQ_V = 0x04;

export interface RegRequest {
  flags: number; lifetimeSec: number; home: number; homeAgent: number; careOf: number; id: bigint;
  /** Raw extensions already appended (bytes after the 24-byte fixed part). */
  extensions?: Uint8Array;
}
export interface RegReply { code: number; lifetimeSec: number; home: number; homeAgent: number; id: bigint; extensions: Uint8Array }
export interface AuthKey { spi: number; key: Uint8Array; algorithm: "keyed-md5" | "hmac-md5"; coverSpi?: boolean }

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Registration Request (type 1): 24-byte fixed part plus extensions. */
export function buildRegRequest(r: RegRequest): Uint8Array {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  b[0] = REG_REQUEST; b[1] = r.flags; dv.setUint16(2, r.lifetimeSec);
  dv.setUint32(4, r.home >>> 0); dv.setUint32(8, r.homeAgent >>> 0); dv.setUint32(12, r.careOf >>> 0);
  dv.setBigUint64(16, r.id);
  return r.extensions ? concat(b, r.extensions) : b;
}

/** Registration Reply (type 3): 20-byte fixed part plus extensions. */
export function buildRegReply(r: Omit<RegReply, "extensions"> & { extensions?: Uint8Array }): Uint8Array {
  const b = new Uint8Array(20);
  const dv = new DataView(b.buffer);
  b[0] = REG_REPLY; b[1] = r.code; dv.setUint16(2, r.lifetimeSec);
  dv.setUint32(4, r.home >>> 0); dv.setUint32(8, r.homeAgent >>> 0); dv.setBigUint64(12, r.id);
  return r.extensions ? concat(b, r.extensions) : b;
}

export function parseRegReply(b: Uint8Array): RegReply | null {
  if (b.length < 20 || b[0] !== REG_REPLY) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { code: b[1], lifetimeSec: dv.getUint16(2), home: dv.getUint32(4), homeAgent: dv.getUint32(8), id: dv.getBigUint64(12), extensions: b.slice(20) };
}

export function parseRegRequest(b: Uint8Array): (RegRequest & { extensions: Uint8Array }) | null {
  if (b.length < 24 || b[0] !== REG_REQUEST) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    flags: b[1], lifetimeSec: dv.getUint16(2), home: dv.getUint32(4), homeAgent: dv.getUint32(8),
    careOf: dv.getUint32(12), id: dv.getBigUint64(16), extensions: b.slice(24),
  };
}

/** Authenticator over `data` (RFC 2002 §3.5.1 keyed-MD5 prefix+suffix, or RFC 2104 HMAC-MD5). */
export function authenticator(k: AuthKey, data: Uint8Array): Uint8Array {
  if (k.algorithm === "keyed-md5") return new Uint8Array(createHash("md5").update(k.key).update(data).update(k.key).digest());
  return new Uint8Array(createHmac("md5", k.key).update(data).digest());
}

/** Append an authentication extension of `type` (32/33/34) to `msg`, computed with `k`. */
export function appendAuth(msg: Uint8Array, type: number, k: AuthKey): Uint8Array {
  const ext = new Uint8Array(2 + 4 + 16);
  ext[0] = type; ext[1] = 4 + 16;
  new DataView(ext.buffer).setUint32(2, k.spi >>> 0);
  const coverSpi = k.coverSpi ?? k.algorithm === "hmac-md5";
  const covered = concat(msg, ext.subarray(0, coverSpi ? 6 : 2));
  ext.set(authenticator(k, covered), 6);
  return concat(msg, ext);
}

/** Walk extensions: [{type, offset (from the message start), data}]; stops at a truncated one. */
export function extensions(msg: Uint8Array, fixedLen: number): { type: number; offset: number; data: Uint8Array }[] {
  const out = [];
  let o = fixedLen;
  while (o + 2 <= msg.length) {
    const len = msg[o + 1];
    if (o + 2 + len > msg.length) break;
    out.push({ type: msg[o], offset: o, data: msg.slice(o + 2, o + 2 + len) });
    o += 2 + len;
  }
  return out;
}

/** Check the authentication extension of `type` in `msg` with `k`; false if absent or wrong. */
export function verifyAuth(msg: Uint8Array, fixedLen: number, type: number, k: AuthKey): boolean {
  const e = extensions(msg, fixedLen).find((x) => x.type === type);
  if (!e || e.data.length !== 20) return false;
  const spi = new DataView(e.data.buffer, e.data.byteOffset).getUint32(0);
  if (spi !== k.spi) return false;
  const coverSpi = k.coverSpi ?? k.algorithm === "hmac-md5";
  const want = authenticator(k, msg.subarray(0, e.offset + (coverSpi ? 6 : 2)));
  return Buffer.compare(Buffer.from(want), Buffer.from(e.data.subarray(4))) === 0;
}

/** NTP timestamp for a node at host time `nowMs` (docs/abi.md "Time"). */
export function ntpTimestamp(nowMs: number, clockOffsetSec = 0, low = 0): bigint {
  const sec = 3976214400n + BigInt(Math.floor(nowMs / 1000)) + BigInt(clockOffsetSec);
  return (sec << 32n) | BigInt(low >>> 0);
}

export interface AgentAdvert {
  routers: number[]; lifetimeSec: number; seq: number; regLifetimeSec: number; flags: number;
  careOf: number[]; prefixLengths: number[] | null;
}

/** Parse an ICMP Router Advertisement (type 9) with its mobility extension (16) and prefix lengths (19). */
export function parseAgentAdvert(icmp: Uint8Array): AgentAdvert | null {
  if (icmp.length < 8 || icmp[0] !== 9) return null;
  const n = icmp[4], size = icmp[5];
  const dv = new DataView(icmp.buffer, icmp.byteOffset, icmp.byteLength);
  if (size < 2 || 8 + n * size * 4 > icmp.length) return null;
  const routers = [];
  for (let i = 0; i < n; i++) routers.push(dv.getUint32(8 + i * size * 4));
  const adv: AgentAdvert = { routers, lifetimeSec: dv.getUint16(6), seq: -1, regLifetimeSec: 0, flags: 0, careOf: [], prefixLengths: null };
  let o = 8 + n * size * 4;
  while (o < icmp.length) {
    const t = icmp[o];
    if (t === 0) { o++; continue; }
    if (o + 2 > icmp.length) return null;
    const len = icmp[o + 1];
    if (o + 2 + len > icmp.length) return null;
    if (t === 16) {
      if (len < 6 || (len - 6) % 4) return null;
      adv.seq = dv.getUint16(o + 2); adv.regLifetimeSec = dv.getUint16(o + 4); adv.flags = dv.getUint16(o + 6);
      for (let i = 0; i < (len - 6) / 4; i++) adv.careOf.push(dv.getUint32(o + 8 + i * 4));
    } else if (t === 19) adv.prefixLengths = Array.from(icmp.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  return adv.seq < 0 ? null : adv;
}

export const MA_R = 0x8000, MA_B = 0x4000, MA_H = 0x2000, MA_F = 0x1000, MA_M = 0x0800, MA_G = 0x0400, MA_V = 0x0200;
