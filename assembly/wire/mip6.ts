// Mobile IPv6 destination options (seed 003 §5): Binding Update, Binding Acknowledgement, Binding
// Request and Home Address, carried in a Destination Options header (RFC 2460 §4.6) of any packet.
//
// The draft gives only tentative type values ("195 ???"); SPEC-DECISIONS "Mobile IPv6" fixes them and
// the layouts, and asks for them in one table so they can change: OPTS below (one 8-byte row per kind:
// type, least valid length, length sent, alignment x and y of the type octet, RFC 2460 §4.2 "xn+y").
//
//   Binding Update (§5.1), 4n+2:       Type | Len=8/24 | A H C rsv(5) | ID Length | Sequence(16)
//                                      Lifetime(32) | Care-of Address(128, only with C)
//   Binding Acknowledgement (§5.2), 4n+3: Type | Len | Status | Sequence(16) | Lifetime(32) | Refresh(32)
//   Binding Request (§5.3):            Type | Len=0
//   Home Address (§5.4), 4n+2:         Type | Len=16 | Home Address(128)
//
// An option longer than its fixed part carries extensions (§4.2, "the remaining octets are interpreted
// as extensions"): accepted and skipped. Pure functions over caller memory, no state.

import { swap16, swap32, swap32Out } from "./bytes";
import { ipv6OptFind, ipv6PadEmit } from "./ipv6";

/** The option kinds, rows of OPTS. */
export const enum Mip6 { BU = 0, BA = 1, BR = 2, HAO = 3, KINDS = 4 }

// Why: SPEC-DECISIONS "Mobile IPv6": Binding Update 198 (0xC6), Binding Acknowledgement 7, Binding
// Request 8, Home Address 201 (0xC9); the action bits (two high-order bits of the type, RFC 2460 §4.2)
// are what the draft asks: 11 for BU and HAO (§5.1, §5.4: discard + Parameter Problem code 2 unless
// multicast), 00 for BA and BR (§5.2, §5.3: skip); the third bit 0 for all four (data does not change
// en route, so AH covers it).
// Lengths: BU 8 (§5.1, "+8" in the copy is an error: the care-of address adds 16, SPEC-DECISIONS); BA
// fields take 11 octets (§5.2: Status, Sequence, Lifetime, Refresh) and we send Length 12 as
// SPEC-DECISIONS writes it, the twelfth octet zero (docs/decisions.md "Binding Acknowledgement length"),
// accepting 11 and more; BR 0; HAO 16.
const OPTS: usize = memory.data<u8>([
  // type, least length, length sent, align x, align y, -, -, -
  0xc6, 8, 8, 4, 2, 0, 0, 0,
  0x07, 11, 12, 4, 3, 0, 0, 0,
  0x08, 0, 0, 1, 0, 0, 0, 0,
  0xc9, 16, 16, 4, 2, 0, 0, 0,
]);

/** Option type of kind `k`. */
export function mip6Type(k: i32): u8 { return load<u8>(OPTS + <usize>((k & 3) << 3)); }
/** Least valid Option Length of kind `k` (a Binding Update with C needs 16 more: `mip6Valid`). */
export function mip6MinLen(k: i32): i32 { return <i32>load<u8>(OPTS + <usize>((k & 3) << 3), 1); }

// Binding Update flags (first data octet, §5.1).
export const BU_A: u8 = 0x80;
export const BU_H: u8 = 0x40;
export const BU_C: u8 = 0x20;
/** Length of a Binding Update's fixed part without / with the care-of address. */
export const BU_LEN: i32 = 8;
export const BU_LEN_COA: i32 = 24;
export const HAO_LEN: i32 = 16;
/** Lifetime value meaning "forever" (§5.1: all one bits). */
export const LIFETIME_INFINITE: u32 = 0xffffffff;

/** Binding Acknowledgement status codes (§5.2; SPEC-DECISIONS "Mobile IPv6"). */
export const enum BaStatus {
  ACCEPTED = 0,
  UNSPECIFIED = 128,
  POORLY_FORMED = 129,
  PROHIBITED = 130,
  NO_RESOURCES = 131,
  HOME_REG_NOT_SUPPORTED = 132,
  NOT_HOME_SUBNET = 133,
  SEQUENCE_TOO_SMALL = 134,
  HA_DISCOVERY = 135,
  BAD_ID_LENGTH = 136,
}

/**
 * Offset (from `p`) of the first option of kind `k` in the checked Destination Options header at
 * offset `o`, or -1.
 */
export function mip6Find(p: usize, o: i32, k: i32): i32 { return ipv6OptFind(p, o, mip6Type(k)); }

/**
 * True when the option of kind `k` at offset `i` of `p` (found by `mip6Find`, so inside its header) is
 * long enough for its fixed part: the BU's with the care-of address when C is set (§7.2 "the Option
 * Length field ... is greater than or equal to the length specified in Section 5.1"), the others' least
 * length (§5.2-5.4).
 */
export function mip6Valid(p: usize, i: i32, k: i32): bool {
  const len = <i32>load<u8>(p + <usize>i, 1);
  let need = mip6MinLen(k);
  if (k == Mip6.BU && (load<u8>(p + <usize>i, 2) & BU_C) != 0) need = BU_LEN_COA;
  return len >= need;
}

// ---- fields (offsets from the option's type octet) --------------------------------------------------

/** Binding Update flags A H C (BU_A, BU_H, BU_C; reserved bits masked off, §5.1 "ignored on reception"). */
export function buFlags(o: usize): i32 { return <i32>load<u8>(o, 2) & 0xe0; }
/** Binding Update ID Length (§5.1). */
export function buIdLen(o: usize): i32 { return <i32>load<u8>(o, 3); }
/** Binding Update Sequence Number (§5.1). */
export function buSeq(o: usize): i32 { return <i32>swap16(load<u16>(o, 4)); }
/** Binding Update Lifetime in seconds (§5.1; LIFETIME_INFINITE: forever). */
export function buLifetime(o: usize): u32 { return swap32(load<u32>(o, 6)); }
/** Pointer to the Binding Update's Care-of Address field, or 0 without C (§5.1: then the source address). */
export function buCoa(o: usize): usize { return (load<u8>(o, 2) & BU_C) != 0 ? o + 10 : 0; }

/** Binding Acknowledgement Status (§5.2). */
export function baStatus(o: usize): i32 { return <i32>load<u8>(o, 2); }
/** Binding Acknowledgement Sequence Number (§5.2, copied from the Binding Update). */
export function baSeq(o: usize): i32 { return <i32>swap16(load<u16>(o, 3)); }
/** Binding Acknowledgement Lifetime (§5.2, granted). */
export function baLifetime(o: usize): u32 { return swap32(load<u32>(o, 5)); }
/** Binding Acknowledgement Refresh (§5.2, recommended refresh period). */
export function baRefresh(o: usize): u32 { return swap32(load<u32>(o, 9)); }

/** Pointer to the Home Address option's address (§5.4). */
export function haoAddr(o: usize): usize { return o + 2; }

/** The interface identifier of a /64's Home-Agents anycast address (RFC 2526 subnet anycast, ID 0x7E:
 *  fdff:ffff:ffff:fffe; SPEC-DECISIONS "Mobile IPv6"), as the little-endian u64 of bytes 8..15. */
const HA_ANYCAST_IID: u64 = 0xfefffffffffffffd;
/** True when `a` is a Home-Agents anycast address (of whatever /64 prefix). */
export function addrIsHaAnycast(a: usize): bool { return load<u64>(a, 8) == HA_ANYCAST_IID; }
/** The Home-Agents anycast address of the /64 prefix of `a`, into `out`. */
export function addrSetHaAnycast(out: usize, a: usize): void { store<u64>(out, load<u64>(a)); store<u64>(out, HA_ANYCAST_IID, 8); }

/**
 * True when Sequence Number `a` is greater than `b` modulo 2^16 (§4.3 "All comparisons between Sequence
 * Number values MUST be performed modulo 2^16"): `a` lies in the half of the circle after `b` (RFC 1982
 * serial number arithmetic for 16 bits; the one value exactly opposite is not greater either way).
 */
export function seqGreater(a: i32, b: i32): bool {
  const d = (a - b) & 0xffff;
  return d != 0 && d < 0x8000;
}

// ---- building a Destination Options header -----------------------------------------------------------
// h: the header's start; at: the next free offset in it (2 after the Next Header and length octets);
// cap: the header's capacity. Every step returns the new `at`, or -1 when it does not fit.

/**
 * Open an option of kind `k` with `dataLen` octets of data at the next offset of the header at `h` that
 * meets its alignment (RFC 2460 §4.2: the type octet at xn+y from the header's start, Pad1/PadN in
 * between). Writes type and length; returns the offset of the option's type octet, or -1.
 */
export function dstAdd(h: usize, at: i32, cap: i32, k: i32, dataLen: i32): i32 {
  const row = OPTS + <usize>((k & 3) << 3);
  const x = <i32>load<u8>(row, 3);
  const y = <i32>load<u8>(row, 4);
  const pad = (y - at) & (x - 1);
  if (at + pad + 2 + dataLen > cap || dataLen > 255) return -1;
  ipv6PadEmit(h + <usize>at, pad);
  const o = at + pad;
  store<u8>(h + <usize>o, load<u8>(row));
  store<u8>(h + <usize>o, <u8>dataLen, 1);
  return o;
}

/**
 * Append a Binding Update (§5.1): flags `flags` (BU_A | BU_H; C is set here when `coa` is not 0),
 * ID Length, Sequence, Lifetime, and the care-of address at `coa` if any. Returns the new `at` or -1.
 */
export function buAppend(h: usize, at: i32, cap: i32, flags: i32, idLen: i32, seq: i32, lifetime: u32, coa: usize): i32 {
  const o = dstAdd(h, at, cap, Mip6.BU, coa != 0 ? BU_LEN_COA : BU_LEN);
  if (o < 0) return -1;
  const q = h + <usize>o;
  // Why: §5.1: reserved bits sent as 0; ID Length "MUST be zero if the Home Registration (H) bit is not set".
  const f = (flags & (BU_A | BU_H)) | (coa != 0 ? BU_C : 0);
  store<u8>(q, <u8>f, 2);
  store<u8>(q, (f & BU_H) != 0 ? <u8>idLen : 0, 3);
  store<u16>(q, swap16(<u16>seq), 4);
  store<u32>(q, swap32Out(lifetime), 6);
  if (coa != 0) {
    memory.copy(q + 10, coa, 16);
    return o + 2 + BU_LEN_COA;
  }
  return o + 2 + BU_LEN;
}

/** Append a Binding Acknowledgement (§5.2). Returns the new `at` or -1. */
export function baAppend(h: usize, at: i32, cap: i32, status: i32, seq: i32, lifetime: u32, refresh: u32): i32 {
  const n = <i32>load<u8>(OPTS + 8, 2);
  const o = dstAdd(h, at, cap, Mip6.BA, n);
  if (o < 0) return -1;
  const q = h + <usize>o;
  store<u8>(q, <u8>status, 2);
  store<u16>(q, swap16(<u16>seq), 3);
  store<u32>(q, swap32Out(lifetime), 5);
  store<u32>(q, swap32Out(refresh), 9);
  if (n > 11) memory.fill(q + 13, 0, <usize>(n - 11));
  return o + 2 + n;
}

/** Append a Binding Request (§5.3). Returns the new `at` or -1. */
export function brAppend(h: usize, at: i32, cap: i32): i32 {
  const o = dstAdd(h, at, cap, Mip6.BR, 0);
  return o < 0 ? -1 : o + 2;
}

/** Append a Home Address option (§5.4) carrying the 16 bytes at `home`. Returns the new `at` or -1. */
export function haoAppend(h: usize, at: i32, cap: i32, home: usize): i32 {
  const o = dstAdd(h, at, cap, Mip6.HAO, HAO_LEN);
  if (o < 0) return -1;
  memory.copy(h + <usize>o + 2, home, 16);
  return o + 2 + HAO_LEN;
}

/**
 * Close the Destination Options header at `h` whose options end at `at`: pad to a multiple of 8 octets
 * (RFC 2460 §4.6), write Next Header `nh` and Hdr Ext Len. Returns the header's length or -1.
 */
export function dstEnd(h: usize, at: i32, cap: i32, nh: i32): i32 {
  const hl = (at + 7) & ~7;
  if (hl > cap || at < 2) return -1;
  ipv6PadEmit(h + <usize>at, hl - at);
  store<u8>(h, <u8>nh);
  store<u8>(h, <u8>((hl >> 3) - 1), 1);
  return hl;
}
