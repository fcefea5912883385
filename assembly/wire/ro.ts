// Route Optimization messages and smooth-handoff extensions (draft-ietf-mobileip-optim-08, seed 001;
// layouts and numbers per SPEC-DECISIONS "Route Optimization"), the UDP payload on port 434 like the
// registration messages. Pure codecs: no state, no allocation. Nothing in the roles imports this file
// yet, so AssemblyScript drops it from the firmware (size budget, docs/decisions.md issue 10).
//
// Binding Warning (type 16, 8 + 4N bytes, N >= 1; no extensions: the targets run to the UDP end):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Type = 16   |                   Reserved                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Mobile Node Home Address                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                  Target Node Address [1..N]                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Binding Request (type 17, fixed part 16 bytes, then extensions):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Type = 17   |                   Reserved                    |
//  |                    Mobile Node Home Address                   |
//  |                      Identification (64)                      |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Binding Update (type 18, fixed part 12 bytes, 20 with I, then extensions; RO auth required):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Type = 18   |A|I|M|G| Rsvd  |           Lifetime            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Mobile Node Home Address                   |
//  |                        Care-of Address                        |
//  |             Identification (64, present only if I)            |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Binding Acknowledge (type 19, fixed part 16 bytes, then extensions):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Type = 19   |           Reserved            |    Status     |
//  |                    Mobile Node Home Address                   |
//  |                      Identification (64)                      |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Route Optimization Authentication extension (35): the base authentication layout
// `Type | Length=4+len(auth) | SPI(32) | Authenticator` — emitted and read with mipext.ts
// (authExtAppend, authSpi, authCoveredLen), never a copy of it.
//
// Previous Foreign Agent Notification extension (96, in a Registration Request):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Type = 96   | Len=14+auth   |        Cache Lifetime         |
//  |                 Previous Foreign Agent Address                |
//  |                       New Care-of Address                     |
//  |                              SPI                              |
//  |                      Authenticator ...                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Binding Warning extension (160, in a Registration Request):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Type = 160   | Length = 6+4N |           Reserved            |
//  |                    Mobile Node Home Address                   |
//  |                  Target Node Address [0..N]                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Addresses are host-order u32. Message accessors are only trusted after the *Check / *Parse
// function of that message returned RoErr.OK; extension accessors after extWalk accepted the
// extension (mipext.ts enforces the PFAN and Binding Warning extension lengths).

import {
  extWalk, extAppend, extIndexSetError, extIndexFind, extEnd, extLength, authExtAppend, ExtErr,
  EXT_RO_AUTH, EXT_PFAN, EXT_BINDING_WARNING, EXT_HDR_LEN, AUTH_OFF_AUTHENTICATOR, AUTH_SPI_LEN,
} from "./mipext";
import { regReqFlags, regHomeAddr, regReqIdentification, REQ_FLAG_M, REQ_FLAG_G } from "./registration";

/** Binding Warning message type. */
export const RO_TYPE_BINDING_WARNING: u8 = 16;
/** Binding Request message type. */
export const RO_TYPE_BINDING_REQUEST: u8 = 17;
/** Binding Update message type. */
export const RO_TYPE_BINDING_UPDATE: u8 = 18;
/** Binding Acknowledge message type. */
export const RO_TYPE_BINDING_ACK: u8 = 19;

/** Binding Warning: header and home address, before the first target. */
export const BW_HDR_LEN: i32 = 8;
/** Binding Warning with one target: the shortest accepted. */
export const BW_MIN_LEN: i32 = 12;
/** Binding Request fixed part. */
export const BR_LEN: i32 = 16;
/** Binding Update fixed part without Identification (I clear). */
export const BU_LEN: i32 = 12;
/** Binding Update fixed part with Identification (I set). */
export const BU_LEN_ID: i32 = 20;
/** Binding Acknowledge fixed part. */
export const BA_LEN: i32 = 16;

// Field offsets.
export const RO_OFF_TYPE: usize = 0;
/** Mobile Node Home Address: the same offset in all four messages. */
export const RO_OFF_HOME_ADDR: usize = 4;
export const BW_OFF_TARGETS: usize = 8;
export const BR_OFF_ID: usize = 8;
export const BU_OFF_FLAGS: usize = 1;
export const BU_OFF_LIFETIME: usize = 2;
export const BU_OFF_COA: usize = 8;
export const BU_OFF_ID: usize = 12;
export const BA_OFF_STATUS: usize = 3;
export const BA_OFF_ID: usize = 8;

// Binding Update flags (octet 1; SPEC-DECISIONS).
/** A: a Binding Acknowledge is requested. */
export const BU_FLAG_A: u8 = 0x80;
/** I: the Identification field is present. */
export const BU_FLAG_I: u8 = 0x40;
/** M: minimal encapsulation may be used to tunnel to the care-of address. */
export const BU_FLAG_M: u8 = 0x20;
/** G: GRE may be used to tunnel to the care-of address. */
export const BU_FLAG_G: u8 = 0x10;
/** The four reserved bits of octet 1. */
export const BU_FLAGS_RESERVED: u8 = 0x0f;

/** Binding Update lifetime meaning infinity (001 §4.3). */
export const BU_LIFETIME_INFINITE: u16 = 0xffff;
/** Binding Update lifetime meaning "delete the entry" (001 §4.3). */
export const BU_LIFETIME_DELETE: u16 = 0;

// Binding Acknowledge status (SPEC-DECISIONS; 132 is not defined for Binding Acknowledges).
/** Binding Update accepted. */
export const BA_ACCEPTED: u8 = 0;
/** Rejected, reason unspecified. */
export const BA_UNSPECIFIED: u8 = 128;
/** Administratively prohibited. */
export const BA_PROHIBITED: u8 = 129;
/** Insufficient resources. */
export const BA_NO_RESOURCES: u8 = 130;
/** The sending node failed authentication. */
export const BA_AUTH_FAILED: u8 = 131;
/** Identification mismatch. */
export const BA_ID_MISMATCH: u8 = 133;
/** Poorly formed Binding Update. */
export const BA_BAD_UPDATE: u8 = 134;

// Previous Foreign Agent Notification extension offsets (from its Type octet).
export const PFAN_OFF_LIFETIME: usize = 2;
export const PFAN_OFF_PREV_FA: usize = 4;
export const PFAN_OFF_COA: usize = 8;
export const PFAN_OFF_SPI: usize = 12;
export const PFAN_OFF_AUTHENTICATOR: usize = 16;
/** Length octet of a PFAN extension with an empty authenticator. */
export const PFAN_MIN_LENGTH: i32 = 14;

// Binding Warning extension offsets (from its Type octet).
export const BWX_OFF_HOME_ADDR: usize = 4;
export const BWX_OFF_TARGETS: usize = 8;
/** Length octet of a Binding Warning extension without targets. */
export const BWX_MIN_LENGTH: i32 = 6;
/** Most targets one Binding Warning extension holds (6 + 4 * 62 = 254 <= 255). */
export const BWX_MAX_TARGETS: i32 = 62;

/** Emitters: the message or extension does not fit the capacity. */
export const RO_EMIT_NO_ROOM: i32 = -1;
/** Emitters: an argument is out of range (count, length) or the input message is not accepted. */
export const RO_EMIT_BAD_ARG: i32 = -2;

/** Why a route-optimization message was refused by the codec. */
export const enum RoErr {
  OK = 0,
  /** Shorter than the fixed part (for a Binding Update: the part its I flag announces). */
  TRUNCATED = 1,
  /** Type octet is not the message that was asked for. */
  BAD_TYPE = 2,
  /** Binding Warning: no target, or bytes after the home address that are not whole addresses. */
  BAD_LENGTH = 3,
  /** The extensions are malformed or must cause a discard; the ExtErr is in the extension index. */
  BAD_EXTENSIONS = 4,
  /** Binding Update without the Route Optimization Authentication extension. */
  NO_AUTH = 5,
  /** Binding Update with extensions after the Route Optimization Authentication extension. */
  AUTH_NOT_LAST = 6,
}

/** True for the four route-optimization message types (16-19). */
export function roIsType(type: u8): bool { return type >= RO_TYPE_BINDING_WARNING && type <= RO_TYPE_BINDING_ACK; }
/** Message type octet. */
export function roType(p: usize): i32 { return <i32>load<u8>(p, RO_OFF_TYPE); }
/** Mobile Node Home Address (host order), all four messages. */
export function roHomeAddr(p: usize): u32 { return bswap<u32>(load<u32>(p, RO_OFF_HOME_ADDR)); }

/** Type octet, zeroed Reserved octets 1-3, and the home address: the common start of all four. */
function emitHead(p: usize, type: u8, homeAddr: u32): void {
  // Why: 001 §4.1-4.4 — Reserved is sent as 0 (the BU flags and BA status overwrite their octets).
  store<u32>(p, <u32>type, RO_OFF_TYPE);
  store<u32>(p, bswap<u32>(homeAddr), RO_OFF_HOME_ADDR);
}

// ---- Binding Warning (16) ---------------------------------------------------------------------

/** Validate a received Binding Warning of `len` bytes at `p`. */
export function bwCheck(p: usize, len: i32): RoErr {
  // Why: SPEC-DECISIONS — the header, the home address and "one or more" targets (001 §4.1).
  if (len < BW_HDR_LEN) return RoErr.TRUNCATED;
  if (load<u8>(p, RO_OFF_TYPE) != RO_TYPE_BINDING_WARNING) return RoErr.BAD_TYPE;
  // Why: the target count comes from the UDP length (SPEC-DECISIONS), so the rest must be whole
  // addresses and at least one; there is no room for extensions in this message.
  if (len < BW_MIN_LEN || ((len - BW_HDR_LEN) & 3) != 0) return RoErr.BAD_LENGTH;
  return RoErr.OK;
}
/** Number of target addresses of the accepted `len`-byte Binding Warning. */
export function bwNumTargets(len: i32): i32 { return (len - BW_HDR_LEN) >> 2; }
/** Target address `i` (host order). */
export function bwTarget(p: usize, i: i32): u32 { return bswap<u32>(load<u32>(p + BW_OFF_TARGETS + (<usize>i << 2))); }

/**
 * Write a Binding Warning at `p` (capacity `cap`) for `homeAddr` with the `n` host-order u32
 * targets at `targets`. Returns its length 8 + 4n, RO_EMIT_BAD_ARG when n < 1, or RO_EMIT_NO_ROOM.
 */
export function bwEmit(p: usize, cap: i32, homeAddr: u32, targets: usize, n: i32): i32 {
  // Why: 001 §4.1 — "one or more" target node addresses.
  if (n < 1 || n > (0xffff - BW_HDR_LEN) >> 2) return RO_EMIT_BAD_ARG;
  const len = BW_HDR_LEN + (n << 2);
  if (cap < len) return RO_EMIT_NO_ROOM;
  emitHead(p, RO_TYPE_BINDING_WARNING, homeAddr);
  for (let i = 0; i < n; i++) {
    store<u32>(p + BW_OFF_TARGETS + (<usize>i << 2), bswap<u32>(load<u32>(targets + (<usize>i << 2))));
  }
  return len;
}

// ---- Binding Request (17) ---------------------------------------------------------------------

/** The Binding Warning of bwEmit with one target, `target` (host order): no counts to check. Returns BW_MIN_LEN. */
export function bwEmitOne(p: usize, homeAddr: u32, target: u32): i32 {
  emitHead(p, RO_TYPE_BINDING_WARNING, homeAddr);
  store<u32>(p + BW_OFF_TARGETS, bswap<u32>(target));
  return BW_MIN_LEN;
}

/** Validate the fixed part of a Binding Request of `len` bytes at `p`. */
export function brCheck(p: usize, len: i32): RoErr {
  // Why: 001 §4.2 — every accessor reads inside the first 16 bytes.
  if (len < BR_LEN) return RoErr.TRUNCATED;
  if (load<u8>(p, RO_OFF_TYPE) != RO_TYPE_BINDING_REQUEST) return RoErr.BAD_TYPE;
  // Reserved is ignored on reception (001 §4.2).
  return RoErr.OK;
}

/**
 * Validate a whole Binding Request (fixed part and extensions) and index its extensions into
 * `index` (EXT_INDEX_SIZE bytes, mipext.ts). On BAD_EXTENSIONS the ExtErr is in the index.
 */
export function brParse(p: usize, len: i32, index: usize): RoErr {
  const e = brCheck(p, len);
  if (e != RoErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  // Why: mipext file comment — the base extension rules (RFC 2002 §1.9) apply to every message on 434.
  return extWalk(p, len, BR_LEN, index) == ExtErr.OK ? RoErr.OK : RoErr.BAD_EXTENSIONS;
}
/** Identification (64-bit), echoed in the Binding Update that answers. */
export function brIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, BR_OFF_ID)); }

/** Write the 16-byte Binding Request at `p`. Returns BR_LEN or RO_EMIT_NO_ROOM. */
export function brEmit(p: usize, cap: i32, homeAddr: u32, identification: u64): i32 {
  if (cap < BR_LEN) return RO_EMIT_NO_ROOM;
  emitHead(p, RO_TYPE_BINDING_REQUEST, homeAddr);
  store<u64>(p, bswap<u64>(identification), BR_OFF_ID);
  return BR_LEN;
}

// ---- Binding Update (18) ----------------------------------------------------------------------

/** Flags octet (BU_FLAG_*, reserved bits as received). */
export function buFlags(p: usize): u8 { return load<u8>(p, BU_OFF_FLAGS); }
/** True when every bit of `flag` (BU_FLAG_*) is set. */
export function buHasFlag(p: usize, flag: u8): bool { return (load<u8>(p, BU_OFF_FLAGS) & flag) == flag; }
/** Fixed-part length the flags announce: 20 with I, 12 without. Reads only octet 1. */
export function buFixedLen(p: usize): i32 { return (load<u8>(p, BU_OFF_FLAGS) & BU_FLAG_I) != 0 ? BU_LEN_ID : BU_LEN; }

/** Validate the fixed part of a Binding Update of `len` bytes at `p`. */
export function buCheck(p: usize, len: i32): RoErr {
  // Why: the flags octet must be present before it can say whether Identification follows (001 §4.3).
  if (len < BU_LEN) return RoErr.TRUNCATED;
  if (load<u8>(p, RO_OFF_TYPE) != RO_TYPE_BINDING_UPDATE) return RoErr.BAD_TYPE;
  // Why: 001 §4.3 — the Identification is present only if I; with I set the fixed part is 20 bytes.
  if (len < buFixedLen(p)) return RoErr.TRUNCATED;
  // Reserved flag bits are ignored on reception (001 §4.3).
  return RoErr.OK;
}

/**
 * Validate a whole received Binding Update and index its extensions (see brParse). The Route
 * Optimization Authentication extension must be present (NO_AUTH) and last (AUTH_NOT_LAST); its
 * offset is extIndexFind(index, EXT_RO_AUTH). The authenticator itself is checked by the caller
 * with the security association (authCoveredLen gives the covered range).
 */
export function buParse(p: usize, len: i32, index: usize): RoErr {
  const e = buCheck(p, len);
  if (e != RoErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  if (extWalk(p, len, buFixedLen(p), index) != ExtErr.OK) return RoErr.BAD_EXTENSIONS;
  const at = extIndexFind(index, EXT_RO_AUTH);
  // Why: 001 §4.3/§4.5 — the Route Optimization Authentication extension is required in every BU.
  if (at == 0) return RoErr.NO_AUTH;
  // Why: the authenticator covers only what precedes it (001 §4.5); bytes after it could be added
  // by anyone, and no extension defined for a BU follows the authentication.
  if (extEnd(p, at) != len) return RoErr.AUTH_NOT_LAST;
  return RoErr.OK;
}
/** Lifetime in seconds (BU_LIFETIME_INFINITE, BU_LIFETIME_DELETE). */
export function buLifetimeSec(p: usize): u16 { return bswap<u16>(load<u16>(p, BU_OFF_LIFETIME)); }
/** Care-of Address (host order). */
export function buCareOfAddr(p: usize): u32 { return bswap<u32>(load<u32>(p, BU_OFF_COA)); }
/** Identification, or 0 when the I flag is clear (the BA then carries 0; 001 §4.4). */
export function buIdentification(p: usize): u64 {
  return (load<u8>(p, BU_OFF_FLAGS) & BU_FLAG_I) != 0 ? bswap<u64>(load<u64>(p, BU_OFF_ID)) : 0;
}
/** Start of the extensions. */
export function buExtensions(p: usize): usize { return p + <usize>buFixedLen(p); }
/**
 * True when the update removes the binding: lifetime 0, or care-of address equal to the home
 * address (001 §4.3 both; a private binding is sent that way, 001 §4.6).
 */
export function buIsDelete(p: usize): bool {
  return buLifetimeSec(p) == BU_LIFETIME_DELETE || buCareOfAddr(p) == roHomeAddr(p);
}

/**
 * Write the fixed part of a Binding Update at `p` (capacity `cap`): the Identification only when
 * `flags` has BU_FLAG_I. Reserved flag bits are sent as 0. Returns 12 or 20, or RO_EMIT_NO_ROOM.
 * Append the Route Optimization Authentication extension with roAuthAppend (last).
 */
export function buEmit(p: usize, cap: i32, flags: u8, lifetimeSec: u16, homeAddr: u32, careOfAddr: u32, identification: u64): i32 {
  const len = (flags & BU_FLAG_I) != 0 ? BU_LEN_ID : BU_LEN;
  if (cap < len) return RO_EMIT_NO_ROOM;
  emitHead(p, RO_TYPE_BINDING_UPDATE, homeAddr);
  // Why: 001 §4.3 — Rsvd is sent as 0.
  store<u8>(p, flags & ~BU_FLAGS_RESERVED, BU_OFF_FLAGS);
  store<u16>(p, bswap<u16>(lifetimeSec), BU_OFF_LIFETIME);
  store<u32>(p, bswap<u32>(careOfAddr), BU_OFF_COA);
  if (len == BU_LEN_ID) store<u64>(p, bswap<u64>(identification), BU_OFF_ID);
  return len;
}

// ---- Binding Acknowledge (19) -----------------------------------------------------------------

/** Validate the fixed part of a Binding Acknowledge of `len` bytes at `p`. */
export function baCheck(p: usize, len: i32): RoErr {
  // Why: SPEC-DECISIONS — every accessor reads inside the first 16 bytes.
  if (len < BA_LEN) return RoErr.TRUNCATED;
  if (load<u8>(p, RO_OFF_TYPE) != RO_TYPE_BINDING_ACK) return RoErr.BAD_TYPE;
  // Any status is carried: a value this code does not know is still a refusal (baStatusAccepted).
  return RoErr.OK;
}

/** Validate a whole Binding Acknowledge and index its extensions (see brParse). */
export function baParse(p: usize, len: i32, index: usize): RoErr {
  const e = baCheck(p, len);
  if (e != RoErr.OK) { extIndexSetError(index, ExtErr.NOT_WALKED, 0, 0); return e; }
  return extWalk(p, len, BA_LEN, index) == ExtErr.OK ? RoErr.OK : RoErr.BAD_EXTENSIONS;
}
/** Status (BA_*). */
export function baStatus(p: usize): u8 { return load<u8>(p, BA_OFF_STATUS); }
/** True only for status 0: every other value, known or not, is a refusal (001 §4.4). */
export function baStatusAccepted(status: u8): bool { return status == BA_ACCEPTED; }
/** Identification copied from the acknowledged Binding Update (0 when it had none). */
export function baIdentification(p: usize): u64 { return bswap<u64>(load<u64>(p, BA_OFF_ID)); }

/** Write the 16-byte Binding Acknowledge at `p`. Returns BA_LEN or RO_EMIT_NO_ROOM. */
export function baEmit(p: usize, cap: i32, status: u8, homeAddr: u32, identification: u64): i32 {
  if (cap < BA_LEN) return RO_EMIT_NO_ROOM;
  emitHead(p, RO_TYPE_BINDING_ACK, homeAddr);
  store<u8>(p, status, BA_OFF_STATUS);
  store<u64>(p, bswap<u64>(identification), BA_OFF_ID);
  return BA_LEN;
}

/**
 * Write the Binding Acknowledge answering the accepted Binding Update at `bu` (001 §4.4: home
 * address and Identification copied, Identification 0 when the update had none).
 */
export function baEmitFor(p: usize, cap: i32, status: u8, bu: usize): i32 {
  return baEmit(p, cap, status, roHomeAddr(bu), buIdentification(bu));
}

// ---- Route Optimization Authentication extension (35) -----------------------------------------

/**
 * Append the Route Optimization Authentication extension (SPI `spi`, `authLen`-byte authenticator,
 * zero-filled) to the `len`-byte message at `msg`. Same layout and covered range as the base
 * authentication extensions (001 §4.5): the caller computes over
 * [msg, msg + authCoveredLen(len, includeSpi)) and writes at msg + len + 6.
 * Returns the new length or -1 (mipext authExtAppend).
 */
export function roAuthAppend(msg: usize, len: i32, cap: i32, spi: u32, authLen: i32): i32 {
  return authExtAppend(msg, len, cap, EXT_RO_AUTH, spi, authLen);
}

// ---- Previous Foreign Agent Notification extension (96) ---------------------------------------

/** Cache Lifetime: the lifetime of the binding the previous foreign agent creates. */
export function pfanCacheLifetimeSec(ext: usize): u16 { return bswap<u16>(load<u16>(ext, PFAN_OFF_LIFETIME)); }
/** Previous Foreign Agent Address (host order). */
export function pfanPrevFa(ext: usize): u32 { return bswap<u32>(load<u32>(ext, PFAN_OFF_PREV_FA)); }
/** New Care-of Address (host order). */
export function pfanNewCareOf(ext: usize): u32 { return bswap<u32>(load<u32>(ext, PFAN_OFF_COA)); }
/** SPI the previous foreign agent authenticates the Binding Update with. */
export function pfanSpi(ext: usize): u32 { return bswap<u32>(load<u32>(ext, PFAN_OFF_SPI)); }
/** First byte of the precomputed authenticator. */
export function pfanAuthenticator(ext: usize): usize { return ext + PFAN_OFF_AUTHENTICATOR; }
/** Authenticator length (Length - 14). */
export function pfanAuthenticatorLen(ext: usize): i32 { return extLength(ext) - PFAN_MIN_LENGTH; }

/**
 * Append a Previous Foreign Agent Notification extension to the `len`-byte message at `msg`, with
 * an `authLen`-byte authenticator left zero (the mobile node fills it, see pfanBuEmit). Returns the
 * new length, RO_EMIT_BAD_ARG when authLen is not 0-241, or RO_EMIT_NO_ROOM.
 */
export function pfanAppend(msg: usize, len: i32, cap: i32, cacheLifetimeSec: u16, prevFa: u32,
  newCareOf: u32, spi: u32, authLen: i32): i32 {
  // Why: SPEC-DECISIONS — Length = 14 + len(auth), and Length is one octet.
  if (authLen < 0 || authLen > 255 - PFAN_MIN_LENGTH) return RO_EMIT_BAD_ARG;
  const n = extAppend(msg, len, cap, EXT_PFAN, PFAN_MIN_LENGTH + authLen);
  if (n < 0) return RO_EMIT_NO_ROOM;
  const e = msg + <usize>len;
  store<u16>(e, bswap<u16>(cacheLifetimeSec), PFAN_OFF_LIFETIME);
  store<u32>(e, bswap<u32>(prevFa), PFAN_OFF_PREV_FA);
  store<u32>(e, bswap<u32>(newCareOf), PFAN_OFF_COA);
  store<u32>(e, bswap<u32>(spi), PFAN_OFF_SPI);
  return n;
}

/**
 * Write at `out` (capacity `cap`) the Binding Update the new foreign agent sends to the previous
 * one for the Registration Request at `req` (accepted by regReqParse) carrying the PFAN extension
 * at `pfan`: A and I set, M and G copied from the request's M and G, lifetime = Cache Lifetime,
 * home address from the request, care-of address = New Care-of Address, Identification = the
 * request's Identification, then the Route Optimization Authentication extension with the PFAN's
 * SPI and authenticator. The mobile node calls the same function before it fills its PFAN
 * authenticator (still zero): it computes over [out, out + authCoveredLen(BU_LEN_ID, includeSpi))
 * and copies the result into the PFAN, so both ends build identical bytes. Returns the length, or
 * RO_EMIT_NO_ROOM.
 */
export function pfanBuEmit(out: usize, cap: i32, req: usize, pfan: usize): i32 {
  // Why: 001 §8.1 — the new FA must set A so the previous FA acknowledges; §5.1 — the PFAN holds only
  // what the request does not. I + the request's Identification: the MN knows it when it computes
  // the authenticator, and it changes with every registration, so an old update cannot be replayed
  // with a new authenticator (docs/decisions.md, issue 10).
  const rf = regReqFlags(req);
  let flags: u8 = BU_FLAG_A | BU_FLAG_I;
  if ((rf & REQ_FLAG_M) != 0) flags |= BU_FLAG_M;
  if ((rf & REQ_FLAG_G) != 0) flags |= BU_FLAG_G;
  const authLen = pfanAuthenticatorLen(pfan);
  if (cap < BU_LEN_ID + EXT_HDR_LEN + AUTH_SPI_LEN + authLen) return RO_EMIT_NO_ROOM;
  buEmit(out, cap, flags, pfanCacheLifetimeSec(pfan), regHomeAddr(req), pfanNewCareOf(pfan), regReqIdentification(req));
  const n = roAuthAppend(out, BU_LEN_ID, cap, pfanSpi(pfan), authLen);
  memory.copy(out + <usize>BU_LEN_ID + AUTH_OFF_AUTHENTICATOR, pfanAuthenticator(pfan), <usize>authLen);
  return n;
}

// ---- Binding Warning extension (160) ----------------------------------------------------------

/** Mobile Node Home Address of the Binding Warning extension at `ext` (host order). */
export function bwxHomeAddr(ext: usize): u32 { return bswap<u32>(load<u32>(ext, BWX_OFF_HOME_ADDR)); }
/** Number of targets ((Length - 6) / 4; the walker enforced the multiple of 4). */
export function bwxNumTargets(ext: usize): i32 { return (extLength(ext) - BWX_MIN_LENGTH) >> 2; }
/** Target `i` (host order). */
export function bwxTarget(ext: usize, i: i32): u32 { return bswap<u32>(load<u32>(ext + BWX_OFF_TARGETS + (<usize>i << 2))); }

/**
 * Append a Binding Warning extension for `homeAddr` with the `n` host-order u32 targets at
 * `targets`. Returns the new length, RO_EMIT_BAD_ARG when n is not 1-62, or RO_EMIT_NO_ROOM.
 */
export function bwxAppend(msg: usize, len: i32, cap: i32, homeAddr: u32, targets: usize, n: i32): i32 {
  // Why: 001 §6 — "one or more" targets; 62 is the most a one-octet Length holds.
  if (n < 1 || n > BWX_MAX_TARGETS) return RO_EMIT_BAD_ARG;
  const r = extAppend(msg, len, cap, EXT_BINDING_WARNING, BWX_MIN_LENGTH + (n << 2));
  if (r < 0) return RO_EMIT_NO_ROOM;
  const e = msg + <usize>len;
  store<u32>(e, bswap<u32>(homeAddr), BWX_OFF_HOME_ADDR);
  for (let i = 0; i < n; i++) store<u32>(e + BWX_OFF_TARGETS + (<usize>i << 2), bswap<u32>(load<u32>(targets + (<usize>i << 2))));
  return r;
}

/** Offset of the PFAN extension in a Registration Request's extension index (0 = absent). */
export function regReqPfanOffset(index: usize): i32 { return extIndexFind(index, EXT_PFAN); }
/** Offset of the Binding Warning extension in a Registration Request index (0 = absent). */
export function regReqBwxOffset(index: usize): i32 { return extIndexFind(index, EXT_BINDING_WARNING); }
