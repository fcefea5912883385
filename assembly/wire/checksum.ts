// The Internet checksum (RFC 1071): 16-bit one's-complement sum of 16-bit words, used by IPv4,
// ICMP, UDP, minimal encapsulation, GRE and (with the pseudo-header of RFC 2460 §8.1) ICMPv6.

import { swap16 } from "./bytes";

/**
 * Add `len` bytes at `p` to a running sum `sum` (host-order, unfolded). Words are summed as loaded
 * (little-endian lanes) and swapped once at the end: the one's-complement sum is byte-order
 * independent (RFC 1071 §2(B)). Only the last piece of a multi-part sum may have an odd length.
 */
export function csumAdd(sum: u32, p: usize, len: i32): u32 {
  let s: u64 = 0;
  let i: i32 = 0;
  // One 32-bit word per iteration, zero-extended into a 64-bit sum. No carry to handle: fewer than 2^29
  // words of less than 2^32 each cannot overflow 64 bits (RFC 1071 §2 (C): carries are folded at the
  // end). Why (size): not unrolled (-80 B); the per-datagram paths sum no payload (HMAC registrations
  // +1 %, callgrind).
  for (; i + 4 <= len; i += 4) s += <u64>load<u32>(p + <usize>i);
  if (i + 2 <= len) { s += <u64>load<u16>(p + <usize>i); i += 2; }
  if (i < len) s += <u64>load<u8>(p + <usize>i);
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  let f = <u32>s;
  f = (f & 0xffff) + (f >>> 16);
  f = (f & 0xffff) + (f >>> 16);
  return sum + <u32>swap16(<u16>f);
}

/** Fold a 32-bit sum and complement it: the value to store in a checksum field (host order). */
export function csumFinish(sum: u32): i32 {
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return <i32>(~sum & 0xffff);
}

/** Checksum of `len` bytes at `p` (host order). A buffer that includes a correct checksum gives 0. */
export function checksum(p: usize, len: i32): i32 {
  return csumFinish(csumAdd(0, p, len));
}

/** Sum of the IPv4 pseudo-header for UDP/TCP (RFC 768): addresses in host order. */
export function pseudoHeaderSum(src: u32, dst: u32, proto: u8, len: i32): u32 {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + <u32>proto + <u32>len;
}

/**
 * Sum of the pseudo-header over 16-byte addresses (wire/addr.ts form) for either family: RFC 2460
 * §8.1 (source, destination, upper-layer length as 32 bits, three zero octets, next header) for IPv6.
 * Why one helper: for IPv4-mapped addresses (::ffff:a.b.c.d) the extra words are 0 and two 0xffff, and
 * 0xffff is one's-complement zero (RFC 1071 §1), so the sum folds to RFC 768's IPv4 pseudo-header sum
 * (`pseudoHeaderSum`) whenever the length fits 16 bits, which IPv4's always does.
 * Returns a host-order unfolded sum for `csumAdd` / `csumFinish`.
 */
export function pseudoSum(src: usize, dst: usize, nextHeader: u8, len: u32): u32 {
  // Why (speed): the 8 address words summed as loaded into 64 bits and swapped once (RFC 1071 §2 (B)),
  // as csumAdd does, without its loops.
  let s = <u64>load<u32>(src) + <u64>load<u32>(src, 4) + <u64>load<u32>(src, 8) + <u64>load<u32>(src, 12) +
    <u64>load<u32>(dst) + <u64>load<u32>(dst, 4) + <u64>load<u32>(dst, 8) + <u64>load<u32>(dst, 12);
  s = (s & 0xffffffff) + (s >> 32);
  let f = <u32>s + <u32>(s >> 32);
  f = (f & 0xffff) + (f >>> 16);
  f = (f & 0xffff) + (f >>> 16);
  return <u32>swap16(<u16>f) + (len >>> 16) + (len & 0xffff) + <u32>nextHeader;
}
