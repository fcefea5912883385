// Extensions of Mobile IP registration messages (RFC 2002 §1.9 and §3.5; SPEC-DECISIONS "Base
// Mobile IPv4", "Route Optimization", "Distributed Registration"). The same Type-Length-Value
// format follows the fixed part of Registration Requests and Replies and of the route-optimization
// and distributed-registration messages carried on UDP 434.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |    Length     |    Data (Length bytes) ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Authentication extensions (mobile-home 32, mobile-foreign 33, foreign-home 34, and the same
// layout for route-optimization 35 and distributed-registration 83/84/85):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      | Length=4+auth |         SPI (high 16)         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         SPI (low 16)          |       Authenticator ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Rules (RFC 2002 §1.9): an unrecognised extension of type 0-127 makes the receiver silently
// discard the whole message; one of type 128-255 is skipped and the rest still processed.
//
// Type 0 is NOT a one-byte pad here. RFC 2002 keeps two separate extension number spaces — one for
// registration messages and one for ICMP Router Discovery messages — and defines the One-byte
// Padding extension (type 0, the only extension without a Length octet) in §2.1.3 for Agent
// Advertisements only. In the registration space type 0 is unassigned, lies in 0-127, and so is an
// unrecognised non-skippable extension: the message is discarded (ExtErr.UNKNOWN_DISCARD). Treating
// it as a pad would also let a sender shift where the walker reads the following TLVs and therefore
// which bytes an authenticator is believed to cover.
//
// The walker records, for each known type, the offset (from the first byte of the message = the
// first byte of the UDP payload) of that extension's Type octet in a small index the caller owns
// (EXT_INDEX_SIZE bytes) or in `extIndexScratch`. Nothing is allocated.
import { swap32Out } from "./bytes";

/** Mobile-Home Authentication extension (RFC 2002 §3.5.2). */
export const EXT_MH_AUTH: u8 = 32;
/** Mobile-Foreign Authentication extension (RFC 2002 §3.5.3). */
export const EXT_MF_AUTH: u8 = 33;
/** Foreign-Home Authentication extension (RFC 2002 §3.5.4). */
export const EXT_FH_AUTH: u8 = 34;
/** Route Optimization Authentication extension (001; SPEC-DECISIONS). */
export const EXT_RO_AUTH: u8 = 35;
/** Registration Server extension (002; SPEC-DECISIONS). */
export const EXT_REG_SERVER: u8 = 81;
/** Care-of Address extension (002; SPEC-DECISIONS). */
export const EXT_COA: u8 = 82;
/** Agent-Server Authentication extension (002). */
export const EXT_AS_AUTH: u8 = 83;
/** Mobile-Server Authentication extension (002). */
export const EXT_MS_AUTH: u8 = 84;
/** Server-Server Authentication extension (002). */
export const EXT_SS_AUTH: u8 = 85;
/** Previous Foreign Agent Notification extension (001; SPEC-DECISIONS). */
export const EXT_PFAN: u8 = 96;
/** Binding Warning extension in a Registration Request (001; project-chosen skippable type). */
export const EXT_BINDING_WARNING: u8 = 160;
/** Registration Key Request extension (project-defined, skippable; docs/decisions.md "Registration keys"). */
export const EXT_REG_KEY_REQUEST: u8 = 161;
/** Mobile-Foreign Key from the home agent, for the foreign agent (project-defined, skippable). */
export const EXT_FA_KEY_REPLY: u8 = 162;

/** Index slots: one per known extension type. */
export const enum ExtSlot {
  MH_AUTH = 0, MF_AUTH, FH_AUTH, RO_AUTH, AS_AUTH, MS_AUTH, SS_AUTH,
  REG_SERVER, COA, PFAN, BINDING_WARNING, REG_KEY_REQUEST, FA_KEY_REPLY,
  COUNT,
}

/** Why a list of extensions was refused. */
export const enum ExtErr {
  OK = 0,
  /** Only the Type octet of an extension fits before the end (no Length octet). */
  TRUNCATED = 1,
  /** An extension's Length runs past the end of the message. */
  OVERRUN = 2,
  /** Unrecognised type 0-127: the whole message must be silently discarded (RFC 2002 §1.9). */
  UNKNOWN_DISCARD = 3,
  /** A known extension's Length does not fit its format (e.g. authentication shorter than 4). */
  BAD_LENGTH = 4,
  /** A known extension appears twice (which authenticator covers what would be ambiguous). */
  DUPLICATE = 5,
  /** The fixed part was refused, so the extensions were not walked. */
  NOT_WALKED = 6,
}

// Index layout (EXT_INDEX_SIZE bytes, 2-aligned):
//   @0   u16 × ExtSlot.COUNT  offset of the extension's Type octet from the message start, 0 = absent
//   @26  u16 number of extensions walked (known + skipped)
//   @28  u16 number of unknown skippable (128-255) extensions skipped
//   @30  u16 end offset: message length consumed (== message length when OK)
//   @32  u16 offset of the offending extension (on error)
//   @34  u8  ExtErr
//   @35  u8  type of the offending extension (on error)
export const EXT_IDX_OFF_SLOTS: usize = 0;
export const EXT_IDX_OFF_COUNT: usize = 26;
export const EXT_IDX_OFF_SKIPPED: usize = 28;
export const EXT_IDX_OFF_END: usize = 30;
export const EXT_IDX_OFF_ERR_AT: usize = 32;
export const EXT_IDX_OFF_ERR: usize = 34;
export const EXT_IDX_OFF_ERR_TYPE: usize = 35;
/** Bytes of an extension index. */
export const EXT_INDEX_SIZE: i32 = 36;
/** Static index for callers without scratch of their own (overwritten by every walk using it). */
export const extIndexScratch: usize = memory.data(EXT_INDEX_SIZE, 4);

// Extension header and authentication extension field offsets (from the extension's Type octet).
export const EXT_OFF_TYPE: usize = 0;
export const EXT_OFF_LENGTH: usize = 1;
export const EXT_OFF_DATA: usize = 2;
export const AUTH_OFF_SPI: usize = 2;
export const AUTH_OFF_AUTHENTICATOR: usize = 6;
/** Type + Length octets. */
export const EXT_HDR_LEN: i32 = 2;
/** SPI octets counted in an authentication extension's Length. */
export const AUTH_SPI_LEN: i32 = 4;

// Index slot by extension type (-1: unknown), the table form of extSlotOf's cases (Why (speed): one
// load instead of a switch per extension walked and per lookup).
const SLOT_OF: usize = memory.data<i8>([
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 7, 8, 4, 5, 6, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  10, 11, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
]);

/** Index slot of a known extension type (ExtSlot), or -1 if this code does not know the type:
 *  32-35 MH/MF/FH/RO authentication, 83-85 AS/MS/SS authentication, 81 Registration Server, 82 Care-of
 *  Address, 96 PFAN, 160 Binding Warning, 161 Registration Key Request, 162 Mobile-Foreign Key. */
// @ts-ignore: decorator
@inline export function extSlotOf(type: i32): i32 { return <i32>load<i8>(SLOT_OF + <usize>type); }

/** True for the authentication extension types (same Type | Length | SPI | Authenticator layout). */
export function extIsAuth(type: i32): bool {
  // (Their index slots are the first seven, MH_AUTH .. SS_AUTH; -1, unknown, is above as unsigned.)
  return <u32>extSlotOf(type) <= <u32>ExtSlot.SS_AUTH;
}

// Per ExtSlot, the documented format of a known type as two bytes: the least Length, and a mask the
// Length beyond it must leave 0 (0: any length from the least on; 0xff: exactly the least; 7 / 3:
// whole 8- or 4-byte entries). Why (size): one table instead of a switch per type.
const LENGTH_FITS: usize = memory.data<u8>([
  4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, // authentication: SPI, authenticator may be empty
  2, 7,       // Registration Server: Lifetime + 8 per server
  6, 0xff,    // Care-of Address: Reserved(16) + address
  14, 0,      // PFAN: lifetime, 2 addresses, SPI
  6, 3,       // Binding Warning: Reserved, home, targets
  4, 0xff,    // Registration Key Request: SPI of the association asked for
  20, 0xff,   // Mobile-Foreign Key: SPI, wrapped 16-byte key
]);

/** True when Length `l` fits the documented format of the known type in index slot `slot`. */
function lengthFits(slot: i32, l: i32): bool {
  // Why: an index entry must be safe to read through the extension's own view, so each known
  // format's fixed part is enforced here (layouts from RFC 2002 §3.5 and SPEC-DECISIONS).
  const e = LENGTH_FITS + (<usize>slot << 1);
  const least = <i32>load<u8>(e);
  return l >= least && ((l - least) & <i32>load<u8>(e, 1)) == 0;
}

/** Record an error (or NOT_WALKED) in `index`. */
export function extIndexSetError(index: usize, err: ExtErr, at: i32, type: u8): void {
  memory.fill(index, 0, <usize>EXT_INDEX_SIZE);
  fail(index, err, at, type);
  store<u16>(index, 0, EXT_IDX_OFF_END);
}

function fail(index: usize, err: ExtErr, at: i32, type: u8): ExtErr {
  // Keep the slots already found for diagnostics; the caller must not use them after an error.
  store<u16>(index, <u16>at, EXT_IDX_OFF_ERR_AT);
  store<u8>(index, <u8>err, EXT_IDX_OFF_ERR);
  store<u8>(index, type, EXT_IDX_OFF_ERR_TYPE);
  store<u16>(index, <u16>at, EXT_IDX_OFF_END);
  return err;
}

/**
 * Walk the extensions of the `msgLen`-byte message at `msg`, starting after its `fixedLen`-byte
 * fixed part, and fill `index`. Returns ExtErr.OK only if every byte up to `msgLen` is a
 * well-formed extension and none must cause a discard.
 */
export function extWalk(msg: usize, msgLen: i32, fixedLen: i32, index: usize): ExtErr {
  memory.fill(index, 0, <usize>EXT_INDEX_SIZE);
  // Why: offsets are stored as u16 and 0 means "absent"; a UDP payload never exceeds 65535 and a
  // fixed part is never empty, so anything else is a caller error treated as truncation.
  if (fixedLen <= 0 || msgLen < fixedLen || msgLen > 0xffff) return fail(index, ExtErr.TRUNCATED, 0, 0);
  let off = fixedLen;
  let count: i32 = 0;
  let skipped: i32 = 0;
  let err = ExtErr.OK;
  let type: u8 = 0;
  // (The first error leaves the loop; fail records it once below.)
  while (off < msgLen) {
    type = load<u8>(msg + <usize>off, EXT_OFF_TYPE);
    // Why: every extension in registration messages has a Length octet (type 0 included, see the
    // file comment), so a lone trailing byte is a truncated extension.
    if (msgLen - off < EXT_HDR_LEN) { err = ExtErr.TRUNCATED; break; }
    const l = <i32>load<u8>(msg + <usize>off, EXT_OFF_LENGTH);
    // Why: the Length must be bounded by the message (RFC 2002 §1.9), or the data would be read
    // from beyond the UDP payload.
    if (msgLen - off - EXT_HDR_LEN < l) { err = ExtErr.OVERRUN; break; }
    const slot = extSlotOf(type);
    if (slot < 0) {
      // Why: RFC 2002 §1.9 — unknown 0-127 discards the message, unknown 128-255 is skipped.
      if (type < 128) { err = ExtErr.UNKNOWN_DISCARD; break; }
      skipped++;
    } else {
      if (!lengthFits(slot, l)) { err = ExtErr.BAD_LENGTH; break; }
      const at = EXT_IDX_OFF_SLOTS + (<usize>slot << 1);
      // Why: a repeated authentication extension would make the covered range ambiguous; other
      // known extensions are defined once per message.
      if (load<u16>(index + at) != 0) { err = ExtErr.DUPLICATE; break; }
      store<u16>(index + at, <u16>off);
    }
    count++;
    off += EXT_HDR_LEN + l;
  }
  if (err != ExtErr.OK) return fail(index, err, off, type);
  store<u16>(index, <u16>count, EXT_IDX_OFF_COUNT);
  store<u16>(index, <u16>skipped, EXT_IDX_OFF_SKIPPED);
  store<u16>(index, <u16>off, EXT_IDX_OFF_END);
  return ExtErr.OK;
}

// ---- index accessors --------------------------------------------------------------------------

/** Offset from the message start of the extension in `slot` (ExtSlot), or 0 if absent. */
export function extIndexOffset(index: usize, slot: i32): i32 {
  if (<u32>slot >= <u32>ExtSlot.COUNT) return 0;
  return <i32>load<u16>(index + EXT_IDX_OFF_SLOTS + (<usize>slot << 1));
}
/** Offset of the known extension `type`, or 0 if absent or not a known type. */
export function extIndexFind(index: usize, type: u8): i32 { return extIndexOffset(index, extSlotOf(type)); }
/** Offset of the known extension `first`, else of `second`; 0 when neither is there. */
export function extIndexFind2(index: usize, first: u8, second: u8): i32 {
  const o = extIndexFind(index, first);
  return o != 0 ? o : extIndexFind(index, second);
}
/** Number of extensions walked. */
export function extIndexCount(index: usize): i32 { return <i32>load<u16>(index, EXT_IDX_OFF_COUNT); }
/** Number of unknown skippable extensions that were skipped. */
export function extIndexSkipped(index: usize): i32 { return <i32>load<u16>(index, EXT_IDX_OFF_SKIPPED); }
/** Offset where walking stopped (the message length on success). */
export function extIndexEnd(index: usize): i32 { return <i32>load<u16>(index, EXT_IDX_OFF_END); }
/** ExtErr of the last walk. */
export function extIndexError(index: usize): ExtErr { return <ExtErr>load<u8>(index, EXT_IDX_OFF_ERR); }
/** Offset of the extension that caused the error. */
export function extIndexErrorAt(index: usize): i32 { return <i32>load<u16>(index, EXT_IDX_OFF_ERR_AT); }
/** Type of the extension that caused the error. */
export function extIndexErrorType(index: usize): i32 { return <i32>load<u8>(index, EXT_IDX_OFF_ERR_TYPE); }

// ---- extension views --------------------------------------------------------------------------

/** Type octet of the extension at `ext`. */
export function extType(ext: usize): i32 { return <i32>load<u8>(ext, EXT_OFF_TYPE); }
/** Length octet (bytes of data after Type and Length). */
export function extLength(ext: usize): i32 { return <i32>load<u8>(ext, EXT_OFF_LENGTH); }
/** First data byte. */
export function extData(ext: usize): usize { return ext + EXT_OFF_DATA; }
/** Offset just past the extension at message offset `extOff`. */
export function extEnd(msg: usize, extOff: i32): i32 { return extOff + EXT_HDR_LEN + extLength(msg + <usize>extOff); }

/** SPI of the authentication extension at `ext` (only after the walker accepted its Length). */
export function authSpi(ext: usize): u32 { return authSpiHot(ext); }
/** authSpi inline, for authVerify (every registration). */
// @ts-ignore: decorator
@inline export function authSpiHot(ext: usize): u32 { return swap32Out(load<u32>(ext, AUTH_OFF_SPI)); }
/** First byte of the authenticator. */
// @ts-ignore: decorator
@inline export function authAuthenticator(ext: usize): usize { return ext + AUTH_OFF_AUTHENTICATOR; }
/** Authenticator length (Length - 4). */
export function authAuthenticatorLen(ext: usize): i32 { return extLength(ext) - AUTH_SPI_LEN; }
/** Set the SPI. */
export function authSetSpi(ext: usize, spi: u32): void { store<u32>(ext, swap32Out(spi), AUTH_OFF_SPI); }

/**
 * Bytes covered by the authenticator of the extension at message offset `extOff`: always the range
 * [msg, msg + result). Per SPEC-DECISIONS (RFC 2002 §3.5.1): the UDP payload from its first byte,
 * all prior extensions whole, then this extension's Type and Length, plus the SPI when the security
 * association says the SPI is covered (`includeSpi`).
 */
export function authCoveredLen(extOff: i32, includeSpi: bool): i32 {
  return extOff + EXT_HDR_LEN + (includeSpi ? AUTH_SPI_LEN : 0);
}

// ---- emitters ---------------------------------------------------------------------------------

/**
 * Append an extension of `type` with `dataLen` data bytes to the `len`-byte message at `msg`
 * (capacity `cap`). The data is zero-filled for the caller to write at `msg + len + 2`.
 * Returns the new message length, or -1 if it does not fit or dataLen is not 0-255.
 */
export function extAppend(msg: usize, len: i32, cap: i32, type: u8, dataLen: i32): i32 {
  if (len < 0 || dataLen < 0 || dataLen > 255 || cap - len < EXT_HDR_LEN + dataLen) return -1;
  const e = msg + <usize>len;
  store<u8>(e, type, EXT_OFF_TYPE);
  store<u8>(e, <u8>dataLen, EXT_OFF_LENGTH);
  memory.fill(e + EXT_OFF_DATA, 0, <usize>dataLen);
  return len + EXT_HDR_LEN + dataLen;
}

/** Append an extension whose data is copied from `src` (`srcLen` bytes). Same result as extAppend. */
export function extAppendCopy(msg: usize, len: i32, cap: i32, type: u8, src: usize, srcLen: i32): i32 {
  const n = extAppend(msg, len, cap, type, srcLen);
  if (n >= 0) memory.copy(msg + <usize>len + EXT_OFF_DATA, src, <usize>srcLen);
  return n;
}

/**
 * Append an authentication extension of `type` (EXT_MH_AUTH…) with `spi` and an `authLen`-byte
 * authenticator, zero-filled. The extension starts at message offset `len` (the old length): the
 * caller computes the authenticator over [msg, msg + authCoveredLen(len, includeSpi)) and writes
 * it at `msg + len + 6`. Returns the new message length, or -1 if it does not fit or authLen > 251.
 */
export function authExtAppend(msg: usize, len: i32, cap: i32, type: u8, spi: u32, authLen: i32): i32 {
  if (authLen < 0 || authLen > 255 - AUTH_SPI_LEN) return -1;
  const n = extAppend(msg, len, cap, type, AUTH_SPI_LEN + authLen);
  if (n >= 0) authSetSpi(msg + <usize>len, spi);
  return n;
}
