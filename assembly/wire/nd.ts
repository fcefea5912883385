// IPv6 Neighbor Discovery messages and options (RFC 2461 §4): Router Solicitation 133, Router
// Advertisement 134, Neighbor Solicitation 135, Neighbor Advertisement 136, Redirect 137 — ICMPv6
// messages whose fixed part is followed by TLV options in 8-octet units.
//
//   RS:       type code cksum | reserved u32 @4                                   | options @8
//   RA:       type code cksum | CurHopLimit @4 | M O flags @5 | Router Lifetime u16 @6 |
//             Reachable Time u32 @8 | Retrans Timer u32 @12                          | options @16
//   NS:       type code cksum | reserved u32 @4 | Target Address @8               | options @24
//   NA:       type code cksum | R S O flags @4 (high bits) | reserved | Target @8   | options @24
//   Redirect: type code cksum | reserved u32 @4 | Target @8 | Destination @24     | options @40
//   option:   type u8 | length u8 (units of 8 octets, 0 invalid) | data
//     1 Source / 2 Target link-layer address (Ethernet: length 1, the MAC at +2, RFC 2464 §8)
//     3 Prefix Information (length 4): prefixLen @2 | L A flags @3 | valid u32 @4 | preferred u32 @8 |
//       reserved u32 @12 | prefix @16
//     4 Redirected Header: length | reserved[6] | as much of the redirected packet as fits
//     5 MTU (length 1): reserved u16 @2 | MTU u32 @4
//
// Pure: `p` is the ICMPv6 message (its type octet), `len` its length; nothing is read outside
// [p, p + len). Checksums are the caller's (wire/icmpv6.ts), over the IPv6 pseudo-header.

// Why (size): Neighbor Discovery is off the packet paths: its 32-bit fields swap by a call (swap32Out),
// except ndEmitRa's timers (constants at its one caller, which the inline swap folds).
import { swap16, swap32 as swap32Inline, swap32Out as swap32 } from "./bytes";
import { addrIsMulticast6, addrIsLinkLocal6, addrIsSolicitedNode, addrIsUnspecified, addrEqual } from "./addr";

export const ND_RS: u8 = 133;
export const ND_RA: u8 = 134;
export const ND_NS: u8 = 135;
export const ND_NA: u8 = 136;
export const ND_REDIRECT: u8 = 137;

export const ND_OPT_SLLA: u8 = 1;
export const ND_OPT_TLLA: u8 = 2;
export const ND_OPT_PREFIX: u8 = 3;
export const ND_OPT_REDIRECTED: u8 = 4;
export const ND_OPT_MTU: u8 = 5;

export const RA_FLAG_M: u8 = 0x80;
export const RA_FLAG_O: u8 = 0x40;
export const NA_FLAG_ROUTER: u8 = 0x80;
export const NA_FLAG_SOLICITED: u8 = 0x40;
export const NA_FLAG_OVERRIDE: u8 = 0x20;
export const PREFIX_FLAG_L: u8 = 0x80;
export const PREFIX_FLAG_A: u8 = 0x40;

export const ND_RS_LEN: i32 = 8;
export const ND_RA_LEN: i32 = 16;
export const ND_NS_LEN: i32 = 24;
export const ND_NA_LEN: i32 = 24;
export const ND_REDIRECT_LEN: i32 = 40;
/** RFC 2461 §6.1.1 ff.: every ND message arrives with hop limit 255 (it was not forwarded). */
export const ND_HOP_LIMIT: u8 = 255;

export const RA_CUR_HOP_LIMIT: usize = 4;
export const RA_FLAGS: usize = 5;
export const RA_ROUTER_LIFETIME: usize = 6;
export const RA_REACHABLE: usize = 8;
export const RA_RETRANS: usize = 12;
export const NA_FLAGS: usize = 4;
export const ND_TARGET: usize = 8;
export const ND_REDIR_DEST: usize = 24;

/** Result of ndCheck. */
export const enum NdErr {
  OK = 0,
  TRUNCATED = 1,
  BAD_HOP_LIMIT = 2,
  BAD_CODE = 3,
  BAD_OPTION = 4,
  BAD_SOURCE = 5,
  BAD_TARGET = 6,
  BAD_DEST = 7,
  BAD_FLAGS = 8,
  UNKNOWN_TYPE = 9
}

/** True for a Neighbor Discovery message (ICMPv6 133-137) at `off` of the IPv6 packet at `p` (`len`
 *  bytes) whose last Next Header is `proto`. */
export function ndIsNd(p: usize, proto: i32, off: i32, len: i32): bool {
  if (proto != 58 || off >= len) return false; // 58: ICMPv6
  return <u32>load<u8>(p + <usize>off) - <u32>ND_RS <= <u32>(ND_REDIRECT - ND_RS);
}

/** Length of the fixed part of ND message `type` (0 for other types). */
export function ndFixedLen(type: u8): i32 {
  // Why (size): a table, not a chain: the lengths of RS RA NS NA Redirect (types 133-137) in 8-octet
  // units, one nibble each from the lowest (ND_RS_LEN .. ND_REDIRECT_LEN: 1 2 3 3 5).
  const i = <u32>type - <u32>ND_RS;
  return i < 5 ? <i32>((<u32>0x53321 >> (i << 2)) & 0xf) << 3 : 0;
}

/**
 * Walk the options after the fixed part of the message at `p` (`len` bytes), or from offset `from`
 * (> 0: an option's start): the offset of the first of `type` (256: none matches), -1 at a clean end, -2 at a malformed option or message. Why: RFC
 * 2461 §4.6: each option is at least 8 bytes (length in units of 8 octets, 0 invalid) and none runs
 * past the end; the message is discarded otherwise. Why (size): one walker for the check and the search.
 */
function optWalk(p: usize, len: i32, type: i32, from: i32): i32 {
  if (len < 1) return -2;
  let o = from > 0 ? from : ndFixedLen(load<u8>(p));
  if (o == 0) return -2;
  while (o < len) {
    if (o + 2 > len) return -2;
    const l = <i32>load<u8>(p + <usize>o, 1);
    if (l == 0 || o + (l << 3) > len) return -2;
    if (<i32>load<u8>(p + <usize>o) == type) return o;
    o += l << 3;
  }
  return -1;
}

/**
 * The validity checks of RFC 2461 §6.1.1 (RS), §6.1.2 (RA), §7.1.1 (NS), §7.1.2 (NA) and §8.1
 * (Redirect), except the checksum: hop limit 255, code 0, the fixed part present, well-formed options,
 * and each message's rules on its source, target and destination (`src` / `dst`: the IPv6 header's).
 */
export function ndCheck(p: usize, len: i32, hopLimit: i32, src: usize, dst: usize): i32 {
  if (len < 4) return NdErr.TRUNCATED;
  const t = load<u8>(p);
  const fixed = ndFixedLen(t);
  if (fixed == 0) return NdErr.UNKNOWN_TYPE;
  if (hopLimit != ND_HOP_LIMIT) return NdErr.BAD_HOP_LIMIT;
  if (load<u8>(p, 1) != 0) return NdErr.BAD_CODE;
  if (len < fixed) return NdErr.TRUNCATED;
  if (optWalk(p, len, 256, 0) != -1) return NdErr.BAD_OPTION;
  const unspec = addrIsUnspecified(src);
  if (t == ND_RS) {
    // Why: §6.1.1: from the unspecified address, no source link-layer option.
    if (unspec && ndOptFind(p, len, ND_OPT_SLLA) >= 0) return NdErr.BAD_OPTION;
  } else if (t == ND_RA) {
    // Why: §6.1.2: a router advertises from its link-local address.
    if (!addrIsLinkLocal6(src)) return NdErr.BAD_SOURCE;
  } else if (<u32>t - <u32>ND_NS < 2) { // NS or NA
    // Why: §7.1.1, §7.1.2: the target is not multicast. (Why (size): tested once for both.)
    if (addrIsMulticast6(p + ND_TARGET)) return NdErr.BAD_TARGET;
    if (t == ND_NS) {
      // Why: §7.1.1: from :: (DAD) only to a solicited-node group and without a source link-layer option.
      if (unspec && (!addrIsSolicitedNode(dst) || ndOptFind(p, len, ND_OPT_SLLA) >= 0)) return NdErr.BAD_DEST;
    } else if (addrIsMulticast6(dst) && (load<u8>(p, NA_FLAGS) & NA_FLAG_SOLICITED) != 0) {
      // Why: §7.1.2: to a multicast destination Solicited is clear.
      return NdErr.BAD_FLAGS;
    }
  } else {
    // Why: §8.1: from a link-local address; the destination not multicast; the target link-local
    // (a better router) or the destination itself (it is on-link).
    if (!addrIsLinkLocal6(src)) return NdErr.BAD_SOURCE;
    if (addrIsMulticast6(p + ND_REDIR_DEST)) return NdErr.BAD_DEST;
    const tg = p + ND_TARGET;
    const d = p + ND_REDIR_DEST;
    if (!addrIsLinkLocal6(tg) && !addrEqual(tg, d)) return NdErr.BAD_TARGET;
  }
  return NdErr.OK;
}

/** Offset of the first option of `type` after the fixed part, or -1 (safe on any bytes). */
export function ndOptFind(p: usize, len: i32, type: u8): i32 { return ndOptFindFrom(p, len, type, 0); }

/** Offset of the first option of `type` at or after offset `from` (an option's start; 0: the first
 *  option), or -1 (safe on any bytes). */
export function ndOptFindFrom(p: usize, len: i32, type: u8, from: i32): i32 { return max(optWalk(p, len, <i32>type, from), -1); }

/** Offset of the option after the one at `o`, or -1 at the end or on a bad option. */
export function ndOptNext(p: usize, len: i32, o: i32): i32 {
  if (o < 0 || o + 2 > len) return -1;
  const l = <i32>load<u8>(p + <usize>o, 1);
  if (l == 0) return -1;
  const n = o + (l << 3);
  if (n + 2 > len) return -1;
  const ln = <i32>load<u8>(p + <usize>n, 1);
  if (ln == 0 || n + (ln << 3) > len) return -1;
  return n;
}

/** The 6-byte MAC of the first `type` (SLLA/TLLA) option of Ethernet length (1 unit), or 0. */
export function ndOptLla(p: usize, len: i32, type: u8): usize {
  const o = ndOptFind(p, len, type);
  if (o < 0 || load<u8>(p + <usize>o, 1) != 1) return 0;
  return p + <usize>o + 2;
}

/** True when the Prefix Information option at `o` (its `optLenBytes`) has the length 4 (32 bytes, §4.6.2). */
export function prefixOptValid(o: usize, optLenBytes: i32): bool { return optLenBytes == 32 && load<u8>(o, 1) == 4; }
// @ts-ignore: decorator
@inline export function prefixOptLen(o: usize): i32 { return <i32>load<u8>(o, 2); }
// @ts-ignore: decorator
@inline export function prefixOptFlags(o: usize): i32 { return <i32>load<u8>(o, 3); }
// @ts-ignore: decorator
@inline export function prefixOptValidLifetime(o: usize): u32 { return swap32(load<u32>(o, 4)); }
// @ts-ignore: decorator
@inline export function prefixOptPreferredLifetime(o: usize): u32 { return swap32(load<u32>(o, 8)); }
// @ts-ignore: decorator
@inline export function prefixOptPrefix(o: usize): usize { return o + 16; }
/** The MTU of the MTU option at `o` (its length must be 1: check `load<u8>(o, 1)`). */
export function mtuOptValue(o: usize): u32 { return load<u8>(o, 1) == 1 ? swap32(load<u32>(o, 4)) : 0; }

/** Write a link-layer address option of `type` with the MAC at `mac` at `q` (8 bytes). */
function llaEmit(q: usize, type: u8, mac: usize): void {
  store<u16>(q, <u16>type | 0x100); // type, length 1 (Why (size): one store)
  memory.copy(q + 2, mac, 6);
}

/**
 * The common part of every message: type `type`, code 0, checksum 0, the fixed part zeroed with
 * `target` (0: none) at ND_TARGET, then a link-layer address option `llaType` with the MAC at `lla`
 * (0: none). Returns the length so far, 0 if `cap` is short. Why (size): one emitter for the five.
 */
function emitBase(p: usize, cap: i32, type: u8, target: usize, llaType: u8, lla: usize): i32 {
  const fixed = ndFixedLen(type);
  const n = fixed + (lla != 0 ? 8 : 0);
  if (cap < n) return 0;
  memory.fill(p, 0, <usize>fixed);
  store<u8>(p, type);
  if (target != 0) memory.copy(p + ND_TARGET, target, 16);
  if (lla != 0) llaEmit(p + <usize>fixed, llaType, lla);
  return n;
}

/** Router Solicitation with an optional source link-layer address (`slla` 0: none). Returns its length, 0 if `cap` is short. */
export function ndEmitRs(p: usize, cap: i32, slla: usize): i32 { return emitBase(p, cap, ND_RS, 0, ND_OPT_SLLA, slla); }

/** Neighbor Solicitation for `target` with an optional source link-layer address. */
export function ndEmitNs(p: usize, cap: i32, target: usize, slla: usize): i32 { return emitBase(p, cap, ND_NS, target, ND_OPT_SLLA, slla); }

/** Neighbor Advertisement for `target` with R/S/O `flags` and an optional target link-layer address. */
export function ndEmitNa(p: usize, cap: i32, flags: u8, target: usize, tlla: usize): i32 {
  const n = emitBase(p, cap, ND_NA, target, ND_OPT_TLLA, tlla);
  if (n != 0) store<u8>(p, flags & (NA_FLAG_ROUTER | NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE), NA_FLAGS);
  return n;
}

/** Router Advertisement with an optional source link-layer address and MTU option (`mtu` 0: none). */
export function ndEmitRa(p: usize, cap: i32, curHopLimit: u8, flags: u8, routerLifetime: u16, reachableMs: u32,
  retransMs: u32, slla: usize, mtu: u32): i32 {
  const m = mtu != 0 ? 8 : 0;
  let n = emitBase(p, cap - m, ND_RA, 0, ND_OPT_SLLA, slla);
  if (n == 0) return 0;
  store<u8>(p, curHopLimit, RA_CUR_HOP_LIMIT);
  store<u8>(p, flags & (RA_FLAG_M | RA_FLAG_O), RA_FLAGS);
  store<u16>(p, swap16(routerLifetime), RA_ROUTER_LIFETIME);
  store<u32>(p, swap32Inline(reachableMs), RA_REACHABLE);
  store<u32>(p, swap32Inline(retransMs), RA_RETRANS);
  if (mtu != 0) {
    const q = p + <usize>n;
    store<u32>(q, <u32>ND_OPT_MTU | 0x100); // type, length 1, reserved 0 (Why (size): one store)
    store<u32>(q, swap32(mtu), 4);
  }
  return n + m;
}

/**
 * Append a Prefix Information option at offset `at` of the message at `p`: `prefix` / `prefixLen`
 * (bits past the length zeroed, §4.6.2), L/A `flags`, lifetimes. Returns the new length, 0 when it
 * does not fit `cap`.
 */
export function ndAppendPrefix(p: usize, at: i32, cap: i32, prefix: usize, prefixLen: u8, flags: u8, validSec: u32, preferredSec: u32): i32 {
  if (at < 0 || at + 32 > cap || prefixLen > 128) return 0;
  const q = p + <usize>at;
  // Type, length 4, prefix length, flags (Why (size): one store).
  store<u32>(q, <u32>ND_OPT_PREFIX | 0x400 | <u32>prefixLen << 16 | <u32>(flags & (PREFIX_FLAG_L | PREFIX_FLAG_A)) << 24);
  store<u32>(q, swap32(validSec), 4);
  store<u32>(q, swap32(preferredSec), 8);
  store<u32>(q, 0, 12);
  for (let i = 0; i < 16; i++) {
    const bits = <i32>prefixLen - (i << 3);
    const mask: u32 = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff00 >> <u32>bits) & 0xff;
    store<u8>(q + 16 + <usize>i, <u8>(<u32>load<u8>(prefix + <usize>i) & mask));
  }
  return at + 32;
}

/**
 * Redirect telling that `target` is the better first hop for `dest`, with an optional target
 * link-layer address and a Redirected Header option quoting as much of the packet `orig` (`origLen`
 * bytes) as fits a 1280-byte IPv6 packet (§8.2, §4.6.3; padded to 8 octets). Returns its length, 0
 * if `cap` is too small for the fixed part.
 */
export function ndEmitRedirect(p: usize, cap: i32, target: usize, dest: usize, tlla: usize, orig: usize, origLen: i32): i32 {
  let n = emitBase(p, cap, ND_REDIRECT, target, ND_OPT_TLLA, tlla);
  if (n == 0) return 0;
  memory.copy(p + ND_REDIR_DEST, dest, 16);
  // Why: RFC 2461 §8.2: the redirect must not make the packet exceed the minimum MTU (1280 - 40 for
  // the IPv6 header); the quoted part is a multiple of 8 octets with its 8-octet option header.
  const room = min(1240, cap) - n - 8;
  let q = min(origLen, room) & ~7;
  if (q > 0) {
    const o = p + <usize>n;
    store<u64>(o, <u64>ND_OPT_REDIRECTED | <u64>((q + 8) >> 3) << 8); // type, length, 6 reserved zero bytes
    memory.copy(o + 8, orig, <usize>q);
    n += 8 + q;
  }
  return n;
}
