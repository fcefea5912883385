// IP Authentication Header (RFC 2402 §2), with the 96-bit ICV of HMAC-MD5-96 (RFC 2403) and
// HMAC-SHA1-96 (RFC 2404), the only algorithms this firmware keys (issue 12, manual keying).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Header @0| Payload Len @1|          Reserved @2          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Security Parameters Index (SPI) @4            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    Sequence Number Field @8                   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            Authentication Data (ICV) @12, 12 bytes            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// With a 96-bit ICV the header is 24 bytes, Payload Len 4 (32-bit words minus 2, RFC 2402 §2.2), a
// multiple of 8 as an IPv6 extension header must be (RFC 2402 §3.3.3.2.1: no padding needed).
// `h` points at the AH header; `avail` is the number of bytes from `h` to the end of the packet.
// Nothing here reads or writes outside [h, h + avail) / [h, h + cap).

import { swap32Out } from "./bytes";

export const AH_NEXT_HEADER: usize = 0;
export const AH_PAYLOAD_LEN: usize = 1;
export const AH_RESERVED: usize = 2;
export const AH_SPI: usize = 4;
export const AH_SEQ: usize = 8;
export const AH_ICV: usize = 12;
/** Bytes of the ICV of HMAC-MD5-96 and HMAC-SHA1-96 (RFC 2403 §2, RFC 2404 §2: the first 96 bits). */
export const AH_ICV_LEN: i32 = 12;
/** Bytes of an AH header carrying a 96-bit ICV. */
export const AH_HEADER_LEN: i32 = 24;
/** Payload Len of that header: (24 / 4) - 2 (RFC 2402 §2.2). */
export const AH_PAYLOAD_LEN_96: u8 = 4;

/** Result of `ahCheck`, and (negated) of `ahEmit`. */
export const enum AhErr {
  OK = 0,
  TRUNCATED = 1, // fewer than 24 bytes available
  BAD_LEN = 2,   // Payload Len other than 4: not a 96-bit ICV
  NO_ROOM = 3    // ahEmit: capacity below 24
}

/**
 * Validate the AH header at `h` with `avail` bytes from `h` to the end of the packet; only after OK
 * are the accessors trusted.
 * Why: RFC 2402 §2.3: Reserved MUST be sent as zero but is "otherwise ignored by the recipient" (it is
 * covered by the ICV), so a nonzero Reserved is accepted here.
 */
export function ahCheck(h: usize, avail: i32): i32 {
  if (avail < AH_HEADER_LEN) return AhErr.TRUNCATED;
  // Why: RFC 2402 §2.2, §2.6: Payload Len gives the header's length, so the ICV's; both algorithms
  // this node keys have a 12-byte ICV (RFC 2403 §2, RFC 2404 §2), so any other length cannot be ours.
  if (load<u8>(h, AH_PAYLOAD_LEN) != AH_PAYLOAD_LEN_96) return AhErr.BAD_LEN;
  return AhErr.OK;
}

/** Next Header: the header the AH protects (RFC 2402 §2.1). */
// @ts-ignore: decorator
@inline export function ahNextHeader(h: usize): i32 { return <i32>load<u8>(h, AH_NEXT_HEADER); }
/** Length in bytes of the AH header from its Payload Len: (Payload Len + 2) * 4 (RFC 2402 §2.2). */
// @ts-ignore: decorator
@inline export function ahLen(h: usize): i32 { return (<i32>load<u8>(h, AH_PAYLOAD_LEN) + 2) << 2; }
/** Security Parameters Index (RFC 2402 §2.4). */
// @ts-ignore: decorator
@inline export function ahSpi(h: usize): u32 { return swap32Out(load<u32>(h, AH_SPI)); }
/** Sequence Number (RFC 2402 §2.5). */
// @ts-ignore: decorator
@inline export function ahSeq(h: usize): u32 { return swap32Out(load<u32>(h, AH_SEQ)); }
/** Pointer to the 12-byte ICV (Authentication Data, RFC 2402 §2.6). */
// @ts-ignore: decorator
@inline export function ahIcv(h: usize): usize { return h + AH_ICV; }
/** Set the Sequence Number. */
// @ts-ignore: decorator
@inline export function ahSetSeq(h: usize, seq: u32): void { store<u32>(h, swap32Out(seq), AH_SEQ); }

/**
 * Write a 24-byte AH header at `h` (capacity `cap`): Next Header `nextHeader`, Payload Len 4,
 * Reserved 0, `spi`, `seq`, ICV zeroed (the ICV is computed over it as zeros, RFC 2402 §3.3.3.1).
 * Returns 24 or -AhErr.NO_ROOM.
 */
export function ahEmit(h: usize, cap: i32, nextHeader: u8, spi: u32, seq: u32): i32 {
  if (cap < AH_HEADER_LEN) return -AhErr.NO_ROOM;
  ahEmitHead(h, nextHeader, spi);
  store<u32>(h, swap32Out(seq), AH_SEQ);
  memory.fill(h + AH_ICV, 0, <usize>AH_ICV_LEN);
  return AH_HEADER_LEN;
}

/** The fields of the AH at `h` a sealer does not compute (security/ah.ts ahSeal writes the Sequence
 *  Number and the ICV): Next Header, Payload Len (96-bit ICV), Reserved and the SPI. */
export function ahEmitHead(h: usize, nextHeader: u8, spi: u32): void {
  // Why: RFC 2402 §2.3: Reserved MUST be set to zero (with Next Header and Payload Len: one store).
  store<u32>(h, <u32>nextHeader | <u32>AH_PAYLOAD_LEN_96 << 8);
  store<u32>(h, swap32Out(spi), AH_SPI);
}
