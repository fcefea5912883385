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

/** Append an authentication extension of `type` (32/33/34, or 35 for route optimization) to `msg`, computed with `k`. */
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

// ---- route optimization (seed 001, SPEC-DECISIONS layouts) ----------------------------------------

export const RO_WARNING = 16, RO_REQUEST = 17, RO_UPDATE = 18, RO_ACK = 19;
export const EXT_RO_AUTH = 35, EXT_PFAN = 96, EXT_BW = 160;
export const BU_A = 0x80, BU_I = 0x40, BU_M = 0x20, BU_G = 0x10;

export interface BindingUpdate { flags: number; lifetimeSec: number; home: number; careOf: number; id: bigint; extensions?: Uint8Array }
export interface BindingAck { status: number; home: number; id: bigint }
export type RoMessage =
  | { type: 16; home: number; targets: number[] }
  | { type: 17; home: number; id: bigint }
  | ({ type: 18 } & BindingUpdate & { extensions: Uint8Array })
  | ({ type: 19 } & BindingAck);

/** Binding Update (18): fixed part (Identification only with I), then `extensions`; authenticate with appendAuth(.., EXT_RO_AUTH, key). */
export function buildBindingUpdate(u: BindingUpdate): Uint8Array {
  const withId = (u.flags & BU_I) !== 0;
  const b = new Uint8Array(withId ? 20 : 12);
  const dv = new DataView(b.buffer);
  b[0] = RO_UPDATE; b[1] = u.flags & 0xf0; dv.setUint16(2, u.lifetimeSec);
  dv.setUint32(4, u.home >>> 0); dv.setUint32(8, u.careOf >>> 0);
  if (withId) dv.setBigUint64(12, u.id);
  return u.extensions ? concat(b, u.extensions) : b;
}

/** Binding Request (17). */
export function buildBindingRequest(home: number, id: bigint): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  b[0] = RO_REQUEST; dv.setUint32(4, home >>> 0); dv.setBigUint64(8, id);
  return b;
}

/** Binding Warning (16): home address and one or more targets. */
export function buildBindingWarning(home: number, targets: number[]): Uint8Array {
  const b = new Uint8Array(8 + 4 * targets.length);
  const dv = new DataView(b.buffer);
  b[0] = RO_WARNING; dv.setUint32(4, home >>> 0);
  targets.forEach((t, i) => dv.setUint32(8 + 4 * i, t >>> 0));
  return b;
}

/** Binding Acknowledge (19). */
export function buildBindingAck(a: BindingAck): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  b[0] = RO_ACK; b[3] = a.status; dv.setUint32(4, a.home >>> 0); dv.setBigUint64(8, a.id);
  return b;
}

/** Decode a route-optimization message (types 16-19), or null when it is not one or is too short. */
export function parseRoMessage(b: Uint8Array): RoMessage | null {
  if (b.length < 8) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const home = dv.getUint32(4);
  switch (b[0]) {
    case RO_WARNING: {
      const targets = [];
      for (let o = 8; o + 4 <= b.length; o += 4) targets.push(dv.getUint32(o));
      return { type: 16, home, targets };
    }
    case RO_REQUEST: return b.length < 16 ? null : { type: 17, home, id: dv.getBigUint64(8) };
    case RO_UPDATE: {
      const withId = (b[1] & BU_I) !== 0, fixed = withId ? 20 : 12;
      if (b.length < fixed) return null;
      return { type: 18, flags: b[1], lifetimeSec: dv.getUint16(2), home, careOf: dv.getUint32(8), id: withId ? dv.getBigUint64(12) : 0n, extensions: b.slice(fixed) };
    }
    case RO_ACK: return b.length < 16 ? null : { type: 19, status: b[3], home, id: dv.getBigUint64(8) };
  }
  return null;
}

/** Appendix A of seed 001: the node-specific key a home agent derives from its master key, MD5(node | master | node). */
export function masterDerivedKey(master: Uint8Array, node: number): Uint8Array {
  const a = new Uint8Array(4);
  new DataView(a.buffer).setUint32(0, node >>> 0);
  return new Uint8Array(createHash("md5").update(a).update(master).update(a).digest());
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
