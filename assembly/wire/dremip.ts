// Distributed registration codecs (seed 002, draft-chuahli-mobileip-dremip-00; issue 11 point 1), zero
// copy, layouts from SPEC-DECISIONS "Distributed Registration":
//
//   Route Request (32) / Route Reply (33), UDP 434, 20-byte fixed part then extensions:
//     0 Type | 1 Reserved (Request) / Code (Reply) | 2 Lifetime(16)
//     4 Destination Address (the mobile node's home address)
//     8 Next Hop Address (the child care-of address)
//     12 Identification(64)
//   Reply codes: 0 route added; 64 unspecified, 65 administratively prohibited, 67 server failed
//   authentication, 68 requested lifetime too long, 69 poorly formed.
//   Registration Server extension (81): Type | Length = 2 + 8N | Lifetime(16), then per server
//     Address(32) / Priority(16) | Lifetime(16).
//   Care-of Address extension (82): Type | Length = 6 | Reserved(16) / care-of address.
//   Agent-Server (83), Mobile-Server (84), Server-Server (85) authentication: the base layout
//     (mipext.ts extIsAuth; append and verify with security/auth.ts once the roles use them).
//   Registration Request / Reply: the base messages, the Home Agent field read as the Binding
//   Registrar and R = 0x01 of the request flags (SPEC-DECISIONS settles the collision with RFC 3344's
//   reserved bit: only in the "seeds" registration profile).
// Not reachable from the roles yet: only the specs import this file (AssemblyScript drops it from
// build/firmware.wasm).

import { ExtErr, extWalk, extIndexSetError, extAppend, extLength, EXT_REG_SERVER, EXT_COA } from "./mipext";
import { regHomeAgent, regReqFlags, REQ_FLAG_R } from "./registration";

export const DR_TYPE_ROUTE_REQUEST: u8 = 32;
export const DR_TYPE_ROUTE_REPLY: u8 = 33;
/** Fixed part of a Route Request / Reply. */
export const RT_LEN: i32 = 20;
export const RT_OFF_CODE: usize = 1;
export const RT_OFF_LIFETIME: usize = 2;
export const RT_OFF_DEST: usize = 4;
export const RT_OFF_NEXT_HOP: usize = 8;
export const RT_OFF_ID: usize = 12;

/** Route Reply codes (002 §3.5). */
export const RT_ADDED: u8 = 0;
export const RT_UNSPECIFIED: u8 = 64;
export const RT_PROHIBITED: u8 = 65;
export const RT_SERVER_AUTH_FAILED: u8 = 67;
export const RT_LIFETIME_TOO_LONG: u8 = 68;
export const RT_POORLY_FORMED: u8 = 69;

/** Emitters: no room. */
export const DR_EMIT_NO_ROOM: i32 = -1;
/** Emitters: an argument out of range. */
export const DR_EMIT_BAD_ARG: i32 = -2;

export const enum DrErr {
  OK = 0,
  TRUNCATED = 1,      // shorter than the fixed part
  BAD_TYPE = 2,       // not the message type asked for
  BAD_EXTENSIONS = 3, // the extension list was refused (ExtErr in the index)
}

/** Validate the fixed part of a Route Request (32) or Reply (33) of `len` bytes at `p`. */
export function rtCheck(p: usize, len: i32, type: u8): DrErr {
  // Why: SPEC-DECISIONS — every accessor reads inside the 20-byte fixed part.
  if (len < RT_LEN) return DrErr.TRUNCATED;
  if (load<u8>(p) != type) return DrErr.BAD_TYPE;
  return DrErr.OK;
}

/** Validate a whole Route Request/Reply and index its extensions (`index`: EXT_INDEX_SIZE bytes). */
export function rtParse(p: usize, len: i32, type: u8, index: usize): DrErr {
  const e = rtCheck(p, len, type);
  if (e != DrErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  // Why: RFC 2002 §1.9 rules on every message of port 434 (mipext.ts).
  return extWalk(p, len, RT_LEN, index) == ExtErr.OK ? DrErr.OK : DrErr.BAD_EXTENSIONS;
}

/** Code (Reply; Reserved in a Request). */
// @ts-ignore: decorator
@inline export function rtCode(p: usize): u8 { return load<u8>(p, RT_OFF_CODE); }
/** True only for code 0: every other value, known or not, refuses the route. */
// @ts-ignore: decorator
@inline export function rtAccepted(code: u8): bool { return code == RT_ADDED; }
// @ts-ignore: decorator
@inline export function rtLifetimeSec(p: usize): u16 { return bswap<u16>(load<u16>(p, RT_OFF_LIFETIME)); }
/** Destination Address: the mobile node's home address (host order). */
// @ts-ignore: decorator
@inline export function rtDest(p: usize): u32 { return bswap<u32>(load<u32>(p, RT_OFF_DEST)); }
/** Next Hop Address: the child care-of address (host order). */
// @ts-ignore: decorator
@inline export function rtNextHop(p: usize): u32 { return bswap<u32>(load<u32>(p, RT_OFF_NEXT_HOP)); }
// @ts-ignore: decorator
@inline export function rtIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, RT_OFF_ID)); }

/**
 * Write the 20-byte fixed part of a Route Request (`type` 32, `code` 0: Reserved sent as 0) or Reply
 * (33, `code`). Returns RT_LEN, DR_EMIT_BAD_ARG for another type, or DR_EMIT_NO_ROOM.
 */
export function rtEmit(p: usize, cap: i32, type: u8, code: u8, lifetimeSec: u16, dest: u32, nextHop: u32, id: u64): i32 {
  if (type != DR_TYPE_ROUTE_REQUEST && type != DR_TYPE_ROUTE_REPLY) return DR_EMIT_BAD_ARG;
  if (cap < RT_LEN) return DR_EMIT_NO_ROOM;
  store<u8>(p, type);
  store<u8>(p, type == DR_TYPE_ROUTE_REQUEST ? 0 : code, RT_OFF_CODE);
  store<u16>(p, bswap<u16>(lifetimeSec), RT_OFF_LIFETIME);
  store<u32>(p, bswap<u32>(dest), RT_OFF_DEST);
  store<u32>(p, bswap<u32>(nextHop), RT_OFF_NEXT_HOP);
  store<u64>(p, bswap<u64>(id), RT_OFF_ID);
  return RT_LEN;
}

// ---- Registration Server extension (81) ----------------------------------------------------------

/** Lifetime of the Registration Server extension at `ext` (index-validated: Length = 2 + 8N). */
// @ts-ignore: decorator
@inline export function rsLifetimeSec(ext: usize): u16 { return bswap<u16>(load<u16>(ext, 2)); }
/** Number of servers listed. */
// @ts-ignore: decorator
@inline export function rsCount(ext: usize): i32 { return (extLength(ext) - 2) >> 3; }
/** Server `i`'s address (host order). */
// @ts-ignore: decorator
@inline export function rsAddress(ext: usize, i: i32): u32 { return bswap<u32>(load<u32>(ext + 4 + (<usize>i << 3))); }
/** Server `i`'s priority. */
// @ts-ignore: decorator
@inline export function rsPriority(ext: usize, i: i32): i32 { return (<i32>load<u8>(ext + (<usize>i << 3), 8) << 8) | <i32>load<u8>(ext + (<usize>i << 3), 9); }
/** Server `i`'s lifetime. */
// @ts-ignore: decorator
@inline export function rsServerLifetimeSec(ext: usize, i: i32): i32 { return (<i32>load<u8>(ext + (<usize>i << 3), 10) << 8) | <i32>load<u8>(ext + (<usize>i << 3), 11); }

/**
 * Append a Registration Server extension listing `n` servers to the `len`-byte message at `msg`:
 * `servers` holds n records of `address u32, priority u32, lifetime u32` (host order). Returns the new
 * length, DR_EMIT_BAD_ARG when n is not 1..31 (Length ≤ 255), or DR_EMIT_NO_ROOM.
 */
export function rsAppend(msg: usize, len: i32, cap: i32, lifetimeSec: u16, servers: usize, n: i32): i32 {
  if (n < 1 || n > 31) return DR_EMIT_BAD_ARG;
  const r = extAppend(msg, len, cap, EXT_REG_SERVER, 2 + (n << 3));
  if (r < 0) return DR_EMIT_NO_ROOM;
  const e = msg + <usize>len;
  store<u16>(e, bswap<u16>(lifetimeSec), 2);
  for (let i = 0; i < n; i++) {
    const s = servers + <usize>i * 12;
    const o = e + 4 + (<usize>i << 3);
    store<u32>(o, bswap<u32>(load<u32>(s)));
    store<u16>(o, bswap<u16>(<u16>load<u32>(s, 4)), 4);
    store<u16>(o, bswap<u16>(<u16>load<u32>(s, 8)), 6);
  }
  return r;
}

/**
 * Append a Registration Server extension with room for `n` servers (1..31) and the extension
 * Lifetime; the servers are then written with rsSetServer. Returns the new length, DR_EMIT_BAD_ARG
 * or DR_EMIT_NO_ROOM. (Why (memory): callers write straight from their configuration, no list copy.)
 */
export function rsAppendEmpty(msg: usize, len: i32, cap: i32, lifetimeSec: u16, n: i32): i32 {
  if (n < 1 || n > 31) return DR_EMIT_BAD_ARG;
  const r = extAppend(msg, len, cap, EXT_REG_SERVER, 2 + (n << 3));
  if (r < 0) return DR_EMIT_NO_ROOM;
  store<u16>(msg + <usize>len, bswap<u16>(lifetimeSec), 2);
  return r;
}

/** Write server `i` of the Registration Server extension at `ext` (from rsAppendEmpty). */
export function rsSetServer(ext: usize, i: i32, address: u32, priority: u16, lifetimeSec: u16): void {
  const o = ext + 4 + (<usize>i << 3);
  store<u32>(o, bswap<u32>(address));
  store<u16>(o, bswap<u16>(priority), 4);
  store<u16>(o, bswap<u16>(lifetimeSec), 6);
}

// ---- Care-of Address extension (82) --------------------------------------------------------------

/** The care-of address of the extension at `ext` (host order; index-validated Length 6). */
// @ts-ignore: decorator
@inline export function coaExtAddress(ext: usize): u32 { return bswap<u32>(load<u32>(ext, 4)); }

/** Append a Care-of Address extension for `coa`; new length or DR_EMIT_NO_ROOM. */
export function coaExtAppend(msg: usize, len: i32, cap: i32, coa: u32): i32 {
  const r = extAppend(msg, len, cap, EXT_COA, 6);
  if (r < 0) return DR_EMIT_NO_ROOM;
  const e = msg + <usize>len;
  // Why: SPEC-DECISIONS — Reserved sent as 0.
  store<u16>(e, 0, 2);
  store<u32>(e, bswap<u32>(coa), 4);
  return r;
}

// ---- Registration Request / Reply under DREMIP -----------------------------------------------------

/** True when the request asks for distributed registration (R, 0x01; profile "seeds" only). */
// @ts-ignore: decorator
@inline export function regReqHasR(p: usize): bool { return (regReqFlags(p) & REQ_FLAG_R) != 0; }
/** The Binding Registrar: the Home Agent field of a request or reply (002 §3.2-3.3). */
// @ts-ignore: decorator
@inline export function regBindingRegistrar(p: usize): u32 { return regHomeAgent(p); }

// ---- discovery (appendices A and B; the seed gives no formats: docs/decisions.md) -----------------
//   Registration Server Solicitation (34) / Advertisement (35), Care-of Agent Solicitation (36) /
//   Advertisement (37), UDP 434, 20-byte fixed part then extensions (an advertisement ends with the
//   Agent-Server Authentication extension, 83):
//     0 Type | 1 Reserved | 2 Value(16): advertisement: the server's priority (35) or the care-of
//       agent's load metric (37, higher = more loaded, 002 §6.6); solicitation: 0
//     4 Address: the advertised server's / care-of agent's address; solicitation: the soliciter's
//     8 Identification(64): the solicitation's, copied into the advertisement that answers it
//     16 Lifetime(16): how long the advertisement holds (0xffff: infinity) | 18 Reserved(16)

export const DR_TYPE_RS_SOLICIT: u8 = 34;
export const DR_TYPE_RS_ADVERT: u8 = 35;
export const DR_TYPE_COA_SOLICIT: u8 = 36;
export const DR_TYPE_COA_ADVERT: u8 = 37;
export const DS_LEN: i32 = RT_LEN; // dsParse relies on it
/** All registration servers of a routing domain (RFC 2365 organization-local scope, 239.192.0.0/14). */
export const ALL_RS_GROUP: u32 = 0xefc00066;  // 239.192.0.102
/** All care-of agents of a routing domain (RFC 2365 organization-local scope). */
export const ALL_COA_GROUP: u32 = 0xefc00067; // 239.192.0.103

/** True for a discovery message type (34-37). */
// @ts-ignore: decorator
@inline export function dsIsType(t: u8): bool { return t >= DR_TYPE_RS_SOLICIT && t <= DR_TYPE_COA_ADVERT; }

/**
 * Validate a discovery message of `type` and index its extensions. Why (size): its fixed part is as
 * long as a Route Request's (DS_LEN == RT_LEN), so rtParse's checks are the same ones.
 */
export function dsParse(p: usize, len: i32, type: u8, index: usize): DrErr { return rtParse(p, len, type, index); }

// @ts-ignore: decorator
@inline export function dsValue(p: usize): u16 { return bswap<u16>(load<u16>(p, 2)); }
// @ts-ignore: decorator
@inline export function dsAddress(p: usize): u32 { return bswap<u32>(load<u32>(p, 4)); }
// @ts-ignore: decorator
@inline export function dsIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, 8)); }
// @ts-ignore: decorator
@inline export function dsLifetimeSec(p: usize): u16 { return bswap<u16>(load<u16>(p, 16)); }

/** Write the 20-byte fixed part of a discovery message; DS_LEN, DR_EMIT_BAD_ARG or DR_EMIT_NO_ROOM. */
export function dsEmit(p: usize, cap: i32, type: u8, value: u16, address: u32, id: u64, lifetimeSec: u16): i32 {
  if (!dsIsType(type)) return DR_EMIT_BAD_ARG;
  if (cap < DS_LEN) return DR_EMIT_NO_ROOM;
  store<u8>(p, type);
  store<u8>(p, 0, 1);
  store<u16>(p, bswap<u16>(value), 2);
  store<u32>(p, bswap<u32>(address), 4);
  store<u64>(p, bswap<u64>(id), 8);
  store<u16>(p, bswap<u16>(lifetimeSec), 16);
  store<u16>(p, 0, 18);
  return DS_LEN;
}
