// Mobile IP registration messages: Registration Request (type 1) and Registration Reply (type 3),
// the UDP payload on port 434. RFC 2002 §3.3 and §3.4; seed 004 "Registration request/reply";
// flag bits P and R and the reply codes as fixed in SPEC-DECISIONS "Base Mobile IPv4".
//
// Registration Request (fixed part 24 bytes, then extensions — see mipext.ts):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Type = 1     |S|B|D|M|G|V|P|R|            Lifetime           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Home Address                         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           Home Agent                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        Care-of Address                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Identification (64)                      |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Extensions ...
//
// Registration Reply (fixed part 20 bytes, then extensions):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Type = 3     |     Code      |            Lifetime           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Home Address                         |
//  |                           Home Agent                          |
//  |                      Identification (64)                      |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Extensions ...
//
// Type, Lifetime, Home Address and Home Agent sit at the same offsets in both messages, so their
// accessors (reg*) serve both; the rest are regReq* / regRep*. Addresses are host-order u32.
// Accessors are only trusted after regReqCheck / regRepCheck (or the *Parse variants) returned OK.

import { extWalk, ExtErr, extIndexSetError } from "./mipext";

/** UDP port of Mobile IP registration (RFC 2002 §3.3). */
export const MIP_PORT: u16 = 434;
/** Message type of a Registration Request. */
export const REG_TYPE_REQUEST: u8 = 1;
/** Message type of a Registration Reply. */
export const REG_TYPE_REPLY: u8 = 3;

/** Length of the fixed part of a Registration Request. */
export const REG_REQ_LEN: i32 = 24;
/** Length of the fixed part of a Registration Reply. */
export const REG_REP_LEN: i32 = 20;

// Field offsets (both messages).
export const REG_OFF_TYPE: usize = 0;
export const REG_OFF_LIFETIME: usize = 2;
export const REG_OFF_HOME_ADDR: usize = 4;
export const REG_OFF_HOME_AGENT: usize = 8;
// Request only.
export const REG_REQ_OFF_FLAGS: usize = 1;
export const REG_REQ_OFF_COA: usize = 12;
export const REG_REQ_OFF_ID: usize = 16;
// Reply only.
export const REG_REP_OFF_CODE: usize = 1;
export const REG_REP_OFF_ID: usize = 12;

// Request flags (octet 1). RFC 2002 §3.3 for S..V; P and R per SPEC-DECISIONS (001 §4.6, 002 §3.2).
/** S: simultaneous bindings requested. */
export const REQ_FLAG_S: u8 = 0x80;
/** B: broadcast datagrams to be tunnelled to the mobile node. */
export const REQ_FLAG_B: u8 = 0x40;
/** D: the mobile node decapsulates itself (co-located care-of address). */
export const REQ_FLAG_D: u8 = 0x20;
/** M: minimal encapsulation requested. */
export const REQ_FLAG_M: u8 = 0x10;
/** G: GRE encapsulation requested. */
export const REQ_FLAG_G: u8 = 0x08;
/** V: Van Jacobson header compression requested. */
export const REQ_FLAG_V: u8 = 0x04;
/** P: private address / route-optimization privacy (001 §4.6). */
export const REQ_FLAG_P: u8 = 0x02;
/** R: distributed registration through a binding registrar (002 §3.2). */
export const REQ_FLAG_R: u8 = 0x01;
/** T: reverse tunnel requested (RFC 3024 §3.2) — the same bit as P, in the "rfc3344" registration profile. */
export const REQ_FLAG_T: u8 = 0x02;

/** Lifetime 0xffff means infinity (RFC 2002 §3.3). */
export const LIFETIME_INFINITE: u16 = 0xffff;

// Reply codes (RFC 2002 §3.4; SPEC-DECISIONS).
/** Registration accepted. */
export const CODE_ACCEPTED: u8 = 0;
/** Registration accepted, but simultaneous mobility bindings unsupported. */
export const CODE_ACCEPTED_NO_SIMULTANEOUS: u8 = 1;
// Denied by the foreign agent.
/** FA: reason unspecified. */
export const CODE_FA_UNSPECIFIED: u8 = 64;
/** FA: administratively prohibited. */
export const CODE_FA_PROHIBITED: u8 = 65;
/** FA: insufficient resources. */
export const CODE_FA_NO_RESOURCES: u8 = 66;
/** FA: home agent failed authentication. */
export const CODE_FA_HA_AUTH_FAILED: u8 = 68;
/** FA: requested lifetime too long. */
export const CODE_FA_LIFETIME_TOO_LONG: u8 = 69;
/** FA: poorly formed request. */
export const CODE_FA_BAD_REQUEST: u8 = 70;
/** FA: poorly formed reply. */
export const CODE_FA_BAD_REPLY: u8 = 71;
/** FA: requested encapsulation unavailable. */
export const CODE_FA_ENCAP_UNAVAILABLE: u8 = 72;
/** FA: requested Van Jacobson compression unavailable. */
export const CODE_FA_VJ_UNAVAILABLE: u8 = 73;
/** FA: requested reverse tunnel unavailable (RFC 3024 §4.2.1). */
export const CODE_FA_REVERSE_TUNNEL_UNAVAILABLE: u8 = 74;
/** FA: home network unreachable (ICMP error received). */
export const CODE_FA_HOME_NET_UNREACHABLE: u8 = 80;
/** FA: home agent host unreachable (ICMP error received). */
export const CODE_FA_HA_HOST_UNREACHABLE: u8 = 81;
/** FA: home agent port unreachable (ICMP error received). */
export const CODE_FA_HA_PORT_UNREACHABLE: u8 = 82;
/** FA: home agent unreachable (other ICMP error received). */
export const CODE_FA_HA_UNREACHABLE: u8 = 88;
// Denied by the home agent.
/** HA: reason unspecified. */
export const CODE_HA_UNSPECIFIED: u8 = 128;
/** HA: administratively prohibited. */
export const CODE_HA_PROHIBITED: u8 = 129;
/** HA: insufficient resources. */
export const CODE_HA_NO_RESOURCES: u8 = 130;
/** HA: mobile node failed authentication. */
export const CODE_HA_MN_AUTH_FAILED: u8 = 131;
/** HA: foreign agent failed authentication. */
export const CODE_HA_FA_AUTH_FAILED: u8 = 132;
/** HA: registration identification mismatch (reply carries the HA's time or nonce). */
export const CODE_HA_ID_MISMATCH: u8 = 133;
/** HA: poorly formed request. */
export const CODE_HA_BAD_REQUEST: u8 = 134;
/** HA: too many simultaneous mobility bindings. */
export const CODE_HA_TOO_MANY_BINDINGS: u8 = 135;
/** HA: unknown home agent address (dynamic home agent discovery). */
export const CODE_HA_UNKNOWN_HA: u8 = 136;

/** Why a registration message was refused by the codec. */
export const enum RegErr {
  OK = 0,
  /** Shorter than the fixed part. */
  TRUNCATED = 1,
  /** Type octet is not the message that was asked for. */
  BAD_TYPE = 2,
  /** The extensions are malformed or must cause a discard; the ExtErr is in the extension index. */
  BAD_EXTENSIONS = 3,
}

/** True for codes 0 and 1 (registration accepted). */
export function regCodeAccepted(code: i32): bool { return code <= <i32>CODE_ACCEPTED_NO_SIMULTANEOUS; }
/** True for codes 64-127 (denied by the foreign agent). */
export function regCodeDeniedByFa(code: i32): bool { return code >= 64 && code < 128; }
/** True for codes 128-255 (denied by the home agent). */
export function regCodeDeniedByHa(code: i32): bool { return code >= 128; }

// ---- checks ----------------------------------------------------------------------------------

/** Validate the fixed part of a Registration Request of `len` bytes at `p`. */
export function regReqCheck(p: usize, len: i32): RegErr {
  // Why: every accessor below reads inside the first 24 bytes (RFC 2002 §3.3).
  if (len < REG_REQ_LEN) return RegErr.TRUNCATED;
  if (load<u8>(p, REG_OFF_TYPE) != REG_TYPE_REQUEST) return RegErr.BAD_TYPE;
  // No reserved bits remain in octet 1 (P and R took the last two), so nothing else to refuse.
  return RegErr.OK;
}

/** Validate the fixed part of a Registration Reply of `len` bytes at `p`. */
export function regRepCheck(p: usize, len: i32): RegErr {
  // Why: every accessor below reads inside the first 20 bytes (RFC 2002 §3.4).
  if (len < REG_REP_LEN) return RegErr.TRUNCATED;
  if (load<u8>(p, REG_OFF_TYPE) != REG_TYPE_REPLY) return RegErr.BAD_TYPE;
  // Any code value is carried: unknown codes are still denials (RFC 2002 §3.4 ranges).
  return RegErr.OK;
}

/**
 * Validate a whole received Registration Request (fixed part and extensions) and index its
 * extensions into `index` (EXT_INDEX_SIZE bytes, see mipext.ts). On BAD_EXTENSIONS the ExtErr and
 * its offset are in the index.
 */
export function regReqParse(p: usize, len: i32, index: usize): RegErr {
  const e = regReqCheck(p, len);
  if (e != RegErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  return extWalk(p, len, REG_REQ_LEN, index) == ExtErr.OK ? RegErr.OK : RegErr.BAD_EXTENSIONS;
}

/** Validate a whole received Registration Reply and index its extensions (see regReqParse). */
export function regRepParse(p: usize, len: i32, index: usize): RegErr {
  const e = regRepCheck(p, len);
  if (e != RegErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  return extWalk(p, len, REG_REP_LEN, index) == ExtErr.OK ? RegErr.OK : RegErr.BAD_EXTENSIONS;
}

// ---- accessors shared by both messages --------------------------------------------------------

/** Message type octet (1 request, 3 reply). */
export function regType(p: usize): i32 { return <i32>load<u8>(p, REG_OFF_TYPE); }
/** Lifetime in seconds (0 = deregistration, 0xffff = infinite). */
export function regLifetimeSec(p: usize): u16 { return bswap<u16>(load<u16>(p, REG_OFF_LIFETIME)); }
/** Home Address (host order). */
export function regHomeAddr(p: usize): u32 { return bswap<u32>(load<u32>(p, REG_OFF_HOME_ADDR)); }
/** Home Agent address (host order); the Binding Registrar when the request has R (002 §3.2). */
export function regHomeAgent(p: usize): u32 { return bswap<u32>(load<u32>(p, REG_OFF_HOME_AGENT)); }
/** Set the Lifetime. */
// @ts-ignore: decorator
@inline export function regSetLifetimeSec(p: usize, v: u16): void { store<u16>(p, bswap<u16>(v), REG_OFF_LIFETIME); }
/** Set the Home Address. */
// @ts-ignore: decorator
@inline export function regSetHomeAddr(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v), REG_OFF_HOME_ADDR); }
/** Set the Home Agent address. */
// @ts-ignore: decorator
@inline export function regSetHomeAgent(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v), REG_OFF_HOME_AGENT); }

// ---- Registration Request ---------------------------------------------------------------------

/** Flags octet (REQ_FLAG_*). */
export function regReqFlags(p: usize): u8 { return load<u8>(p, REG_REQ_OFF_FLAGS); }
/** True when every bit of `flag` (REQ_FLAG_*) is set. */
export function regReqHasFlag(p: usize, flag: u8): bool { return (load<u8>(p, REG_REQ_OFF_FLAGS) & flag) == flag; }
/** Care-of Address (host order). */
export function regReqCareOfAddr(p: usize): u32 { return bswap<u32>(load<u32>(p, REG_REQ_OFF_COA)); }
/** Identification (64-bit, NTP timestamp or nonce pair). */
export function regReqIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, REG_REQ_OFF_ID)); }
/** Start of the extensions (after the fixed part). */
export function regReqExtensions(p: usize): usize { return p + <usize>REG_REQ_LEN; }
/** Set the flags octet. */
export function regReqSetFlags(p: usize, v: u8): void { store<u8>(p, v, REG_REQ_OFF_FLAGS); }
/** Set or clear the bits of `flag` (REQ_FLAG_*). */
export function regReqSetFlag(p: usize, flag: u8, on: bool): void {
  const f = load<u8>(p, REG_REQ_OFF_FLAGS);
  store<u8>(p, on ? f | flag : f & ~flag, REG_REQ_OFF_FLAGS);
}
/** Set the Care-of Address. */
export function regReqSetCareOfAddr(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v), REG_REQ_OFF_COA); }
/** Set the Identification. */
export function regReqSetIdentification(p: usize, v: u64): void { store<u64>(p, bswap<u64>(v), REG_REQ_OFF_ID); }

/**
 * Write the 24-byte fixed part of a Registration Request at `p` (capacity `cap`). Returns the
 * length written (REG_REQ_LEN), or 0 if it does not fit. Append extensions with mipext.ts.
 */
export function regReqEmit(
  p: usize, cap: i32, flags: u8, lifetimeSec: u16,
  homeAddr: u32, homeAgent: u32, careOfAddr: u32, identification: u64,
): i32 {
  if (cap < REG_REQ_LEN) return 0;
  store<u8>(p, REG_TYPE_REQUEST, REG_OFF_TYPE);
  store<u8>(p, flags, REG_REQ_OFF_FLAGS);
  regSetLifetimeSec(p, lifetimeSec);
  regSetHomeAddr(p, homeAddr);
  regSetHomeAgent(p, homeAgent);
  regReqSetCareOfAddr(p, careOfAddr);
  regReqSetIdentification(p, identification);
  return REG_REQ_LEN;
}

// ---- Registration Reply -----------------------------------------------------------------------

/** Reply Code (CODE_*). */
export function regRepCode(p: usize): u8 { return load<u8>(p, REG_REP_OFF_CODE); }
/** Identification (64-bit; for code 133 the home agent's time or nonce). */
export function regRepIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, REG_REP_OFF_ID)); }
/** Start of the extensions (after the fixed part). */
export function regRepExtensions(p: usize): usize { return p + <usize>REG_REP_LEN; }
/** Set the Code. */
export function regRepSetCode(p: usize, v: u8): void { store<u8>(p, v, REG_REP_OFF_CODE); }
/** Set the Identification. */
export function regRepSetIdentification(p: usize, v: u64): void { store<u64>(p, bswap<u64>(v), REG_REP_OFF_ID); }

/**
 * Write the 20-byte fixed part of a Registration Reply at `p` (capacity `cap`). Returns the length
 * written (REG_REP_LEN), or 0 if it does not fit. Append extensions with mipext.ts.
 */
export function regRepEmit(
  p: usize, cap: i32, code: u8, lifetimeSec: u16,
  homeAddr: u32, homeAgent: u32, identification: u64,
): i32 {
  if (cap < REG_REP_LEN) return 0;
  store<u8>(p, REG_TYPE_REPLY, REG_OFF_TYPE);
  store<u8>(p, code, REG_REP_OFF_CODE);
  regSetLifetimeSec(p, lifetimeSec);
  regSetHomeAddr(p, homeAddr);
  regSetHomeAgent(p, homeAgent);
  regRepSetIdentification(p, identification);
  return REG_REP_LEN;
}
