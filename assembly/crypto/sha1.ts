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

/** Compress one 64-byte block at `p` into the five-word state at `st` (RFC 3174 §6.1, §7). */
export function sha1Compress(st: usize, p: usize): void {
  // §6.1 step a: the block as 16 big-endian words.
  for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bswap<u32>(load<u32>(p + i)));
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12), e = load<u32>(st, 16);
  let tmp: u32;
  // Rounds 0-19: f = (B AND C) OR ((NOT B) AND D), written as D XOR (B AND (C XOR D)); K = 5A827999 (§5).
  for (let t = 0; t < 16; t++) {
    tmp = rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + e + wAt(t) + 0x5a827999;
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = tmp;
  }
  for (let t = 16; t < 20; t++) {
    tmp = rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + e + expand(t) + 0x5a827999;
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = tmp;
  }
  // Rounds 20-39: f = B XOR C XOR D; K = 6ED9EBA1.
  for (let t = 20; t < 40; t++) {
    tmp = rotl<u32>(a, 5) + (b ^ c ^ d) + e + expand(t) + 0x6ed9eba1;
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = tmp;
  }
  // Rounds 40-59: f = majority(B, C, D), written as (B AND C) OR (D AND (B OR C)); K = 8F1BBCDC.
  for (let t = 40; t < 60; t++) {
    tmp = rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + e + expand(t) + 0x8f1bbcdc;
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = tmp;
  }
  // Rounds 60-79: f = B XOR C XOR D; K = CA62C1D6.
  for (let t = 60; t < 80; t++) {
    tmp = rotl<u32>(a, 5) + (b ^ c ^ d) + e + expand(t) + 0xca62c1d6;
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
  store<u32>(ctx, 0x67452301, SHA1_STATE);
  store<u32>(ctx, 0xefcdab89, SHA1_STATE + 4);
  store<u32>(ctx, 0x98badcfe, SHA1_STATE + 8);
  store<u32>(ctx, 0x10325476, SHA1_STATE + 12);
  store<u32>(ctx, 0xc3d2e1f0, SHA1_STATE + 16);
  store<u64>(ctx, 0, SHA1_COUNT);
}

/** Start a digest from a saved chaining state `st` (20 bytes) after `count` bytes (a multiple of 64). */
export function sha1InitFrom(ctx: usize, st: usize, count: u64): void {
  memory.copy(ctx + SHA1_STATE, st, 20);
  store<u64>(ctx, count, SHA1_COUNT);
}

/** Hash `len` more bytes at `p` into `ctx`; a negative length hashes nothing. */
export function sha1Update(ctx: usize, p: usize, len: i32): void {
  if (len <= 0) return;
  const count = load<u64>(ctx, SHA1_COUNT);
  store<u64>(ctx, count + <u64>len, SHA1_COUNT);
  const st = ctx + SHA1_STATE;
  const buf = ctx + SHA1_BUF;
  let have = <i32>(count & 63);
  let n = len;
  if (have != 0) {
    const take = min(64 - have, n);
    memory.copy(buf + <usize>have, p, <usize>take);
    have += take;
    p += <usize>take;
    n -= take;
    if (have < 64) return;
    sha1Compress(st, buf);
  }
  // Whole blocks straight from the input, no copy.
  while (n >= 64) {
    sha1Compress(st, p);
    p += 64;
    n -= 64;
  }
  if (n > 0) memory.copy(buf, p, <usize>n);
}

/** Finish: pad (RFC 3174 §4), write the 20-byte digest to `out`; `ctx` must be re-initialised. */
export function sha1Final(ctx: usize, out: usize): void {
  const count = load<u64>(ctx, SHA1_COUNT);
  const st = ctx + SHA1_STATE;
  const buf = ctx + SHA1_BUF;
  // Why: RFC 3174 §4 (a)-(c): a "1" bit, zeros up to 448 mod 512 bits, then the length in bits as a
  // two-word big-endian integer; when fewer than 8 bytes are left in the block, the length moves to
  // an extra block (lengths 56..63 mod 64).
  let have = <usize>(count & 63);
  store<u8>(buf + have, 0x80);
  have++;
  if (have > 56) {
    memory.fill(buf + have, 0, 64 - have);
    sha1Compress(st, buf);
    have = 0;
  }
  memory.fill(buf + have, 0, 56 - have);
  store<u64>(buf, bswap<u64>(count << 3), 56);
  sha1Compress(st, buf);
  // §6.1: the message digest is H0 H1 H2 H3 H4, each most significant byte first.
  for (let i: usize = 0; i < 20; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(st + i)));
}

const oneShotCtx: usize = memory.data(<i32>SHA1_CTX_SIZE, 8);

/** One-shot SHA-1 of `len` bytes at `p` into the 20 bytes at `out` (uses a private static context). */
export function sha1(p: usize, len: i32, out: usize): void {
  sha1Init(oneShotCtx);
  sha1Update(oneShotCtx, p, len);
  sha1Final(oneShotCtx, out);
}
