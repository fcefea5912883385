// SHA-1 message digest (FIPS 180-1, RFC 3174). Streaming context in caller memory, no allocation.
// Here for IPsec AH's HMAC-SHA1-96 (RFC 2404) only; see docs/decisions.md "IPv6 (issue 12)".
//
// Context layout (SHA1_CTX_SIZE bytes, any alignment; 8 is best):
//   0  H0..H4    5 × u32  chaining state (RFC 3174 §6.1), kept as native (little-endian) u32 values
//  24  count     u64      bytes hashed so far
//  32  buffer    64 bytes partial block
// Why: RFC 3174 §2-3 / FIPS 180-1 §3: SHA-1 reads message words and writes the digest most significant
// byte first (big-endian), the opposite of WebAssembly; the state stays native so the rounds need no
// swaps, and bytes are swapped only where a block is read (§7 step a) and where the digest is written.

import { mdUpdate, mdFinal, MD_IV } from "./hash";

/** Offset of the five-word chaining state in a context. */
export const SHA1_STATE: usize = 0;
/** Offset of the u64 byte count in a context. */
export const SHA1_COUNT: usize = 24;
/** Offset of the 64-byte partial-block buffer in a context. */
export const SHA1_BUF: usize = 32;
/** Bytes a caller reserves for one SHA-1 context. */
export const SHA1_CTX_SIZE: usize = 96;
/** Bytes of a SHA-1 digest. */
export const SHA1_DIGEST_SIZE: i32 = 20;

// Why: RFC 3174 §7 "method 2" (FIPS 180-1 §8): the 80-word schedule W(t) is kept as a circular buffer of
// 16 words, W[s] with s = t & 15, 64 bytes instead of 320 — linear memory is scarce on the small boards
// (one 64 KiB page on esp32). One static scratch serves every context: the core is single-threaded and
// sha1Compress never re-enters.
const W: usize = memory.data(64, 8);

// The round constants K(t) of §5, one per 20 steps.
const K: usize = memory.data<u32>([0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6]);

// @ts-ignore: decorator
@inline function wAt(t: i32): u32 {
  return load<u32>(W + (<usize>(t & 15) << 2));
}

/** W(t) for t >= 16 (RFC 3174 §6.2 step c, in its method-2 form §7 step d), stored back in place. */
// @ts-ignore: decorator
@inline function expand(t: i32): u32 {
  const v = rotl<u32>(wAt(t + 13) ^ wAt(t + 8) ^ wAt(t + 2) ^ wAt(t), 1);
  store<u32>(W + (<usize>(t & 15) << 2), v);
  return v;
}

/**
 * Compress one 64-byte block at `p` into the five-word state at `st` (RFC 3174 §6.1, §7).
 * Why one 80-step loop and not the four rounds written out: SHA-1 serves only IPsec AH (no packet
 * path of the benchmark), and the loop is a third of the unrolled rounds' bytes.
 */
export function sha1Compress(st: usize, p: usize): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12), e = load<u32>(st, 16);
  let tmp: u32, w: u32, f: u32;
  for (let t = 0; t < 80; t++) {
    if (t < 16) {
      // §6.1 step a: the block as 16 big-endian words.
      w = bswap<u32>(load<u32>(p + (<usize>t << 2)));
      store<u32>(W + (<usize>t << 2), w);
    } else {
      w = expand(t);
    }
    if (t < 20) {
      // Rounds 0-19: f = (B AND C) OR ((NOT B) AND D), written as D XOR (B AND (C XOR D)).
      f = d ^ (b & (c ^ d));
    } else if (t >= 40 && t < 60) {
      // Rounds 40-59: f = majority(B, C, D), written as (B AND C) OR (D AND (B OR C)).
      f = (b & c) | (d & (b | c));
    } else {
      // Rounds 20-39 and 60-79: f = B XOR C XOR D.
      f = b ^ c ^ d;
    }
    // K per 20 rounds (§5): 5A827999, 6ED9EBA1, 8F1BBCDC, CA62C1D6.
    tmp = rotl<u32>(a, 5) + f + e + w + load<u32>(K + (<usize>(t / 20) << 2));
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = tmp;
  }
  // §6.1 step e.
  store<u32>(st, load<u32>(st, 0) + a, 0);
  store<u32>(st, load<u32>(st, 4) + b, 4);
  store<u32>(st, load<u32>(st, 8) + c, 8);
  store<u32>(st, load<u32>(st, 12) + d, 12);
  store<u32>(st, load<u32>(st, 16) + e, 16);
}

/**
 * Zero the shared schedule scratch. Why: the schedule recurrence (§6.2 step c) is invertible, so the last
 * 16 words W(64..79) give back the whole block; after compressing a secret block (an HMAC padded key) the
 * caller wipes them so no key material stays in static memory.
 */
export function sha1WipeScratch(): void {
  memory.fill(W, 0, 64);
}

/** Start a digest: load the initial chaining values H0..H4 (RFC 3174 §6.1) and clear the count. */
export function sha1Init(ctx: usize): void {
  memory.copy(ctx + SHA1_STATE, MD_IV, 20);
  store<u64>(ctx, 0, SHA1_COUNT);
}

/** Start a digest from a saved chaining state `st` (20 bytes) after `count` bytes (a multiple of 64). */
export function sha1InitFrom(ctx: usize, st: usize, count: u64): void {
  memory.copy(ctx + SHA1_STATE, st, 20);
  store<u64>(ctx, count, SHA1_COUNT);
}

/** Hash `len` more bytes at `p` into `ctx`; a negative length hashes nothing. */
export function sha1Update(ctx: usize, p: usize, len: i32): void {
  mdUpdate(ctx, p, len, SHA1_COUNT, sha1Compress);
}

/** Finish: pad (RFC 3174 §4), write the 20-byte digest to `out`; `ctx` must be re-initialised. */
export function sha1Final(ctx: usize, out: usize): void {
  // Why: RFC 3174 §4 (c): the length is a two-word big-endian integer; §6.1: the message digest is
  // H0 H1 H2 H3 H4, each most significant byte first.
  mdFinal(ctx, SHA1_COUNT, true, sha1Compress, out, 20);
}

const oneShotCtx: usize = memory.data(<i32>SHA1_CTX_SIZE, 8);

/** One-shot SHA-1 of `len` bytes at `p` into the 20 bytes at `out` (uses a private static context). */
export function sha1(p: usize, len: i32, out: usize): void {
  sha1Init(oneShotCtx);
  sha1Update(oneShotCtx, p, len);
  sha1Final(oneShotCtx, out);
}
