// MD5 message digest (RFC 1321). Streaming context in caller memory, no allocation.
//
// Context layout (MD5_CTX_SIZE bytes, any alignment; 8 is best):
//   0  A B C D   4 × u32  chaining state (RFC 1321 §3.3), little-endian words
//  16  count     u64      bytes hashed so far
//  24  buffer    64 bytes partial block
// MD5 is little-endian throughout (§3.4 "low-order byte first"), as is WebAssembly, so message words
// and the digest are plain `load<u32>` / `store<u32>`.

import { mdUpdate, mdFinal, MD_IV } from "./hash";

/** Offset of the four-word chaining state in a context. */
export const MD5_STATE: usize = 0;
/** Offset of the u64 byte count in a context. */
export const MD5_COUNT: usize = 16;
/** Offset of the 64-byte partial-block buffer in a context. */
export const MD5_BUF: usize = 24;
/** Bytes a caller reserves for one MD5 context. */
export const MD5_CTX_SIZE: usize = 88;

// Auxiliary functions F, G, H, I (RFC 1321 §3.4), written in their cheaper equivalent forms:
// F = (b&c)|(~b&d) = d^(b&(c^d)); G = (b&d)|(c&~d) = c^(d&(b^c)).
// @ts-ignore: decorator
@inline function ff(a: u32, b: u32, c: u32, d: u32, x: u32, s: i32, t: u32): u32 {
  return rotl<u32>(a + (d ^ (b & (c ^ d))) + x + t, s) + b;
}
// @ts-ignore: decorator
@inline function gg(a: u32, b: u32, c: u32, d: u32, x: u32, s: i32, t: u32): u32 {
  return rotl<u32>(a + (c ^ (d & (b ^ c))) + x + t, s) + b;
}
// @ts-ignore: decorator
@inline function hh(a: u32, b: u32, c: u32, d: u32, x: u32, s: i32, t: u32): u32 {
  return rotl<u32>(a + (b ^ c ^ d) + x + t, s) + b;
}
// @ts-ignore: decorator
@inline function ii(a: u32, b: u32, c: u32, d: u32, x: u32, s: i32, t: u32): u32 {
  return rotl<u32>(a + (c ^ (b | ~d)) + x + t, s) + b;
}

// The 64 additive constants T[1..64] of §3.4 (T[i] = floor(2^32 * abs(sin(i)))), in step order, as static
// data: a loop's iterations need a different constant each, so they cannot be i32.const in the code.
const T: usize = memory.data<u32>([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

// Byte offsets in the block of the message word each step of rounds 2-4 reads (§3.4: word (5k+1),
// (3k+5), 7k mod 16 at step k of the round). Why a table and not the formula: a byte load and an add
// per step instead of add/and/shift/add, ~2,200 fewer native instructions per registration under wasm3
// for 48 bytes of data.
const X: usize = memory.data<u8>([
  4, 24, 44, 0, 20, 40, 60, 16, 36, 56, 12, 32, 52, 8, 28, 48,
  20, 32, 44, 56, 4, 16, 28, 40, 52, 0, 12, 24, 36, 48, 60, 8,
  0, 28, 56, 20, 48, 12, 40, 4, 32, 60, 24, 52, 16, 44, 8, 36
]);

// The message word of block `p` that offset-table entry `x` + `n` names.
// @ts-ignore: decorator
@inline function word(p: usize, x: usize, n: usize): u32 {
  return load<u32>(p + <usize>load<u8>(x + n));
}

/**
 * Compress one 64-byte block at `p` into the four-word state at `st` (RFC 1321 §3.4).
 * Each round is a loop of four iterations of the round's four steps [abcd], [dabc], [cdab], [bcda],
 * whose shifts are the same in every iteration; round 1 reads the words in order, rounds 2-4 through
 * the offset table X. Why not the 64 steps unrolled: they were ~2 KB of wasm for a hash that runs only
 * on registrations and AH; the loops save 916 bytes of the module (tables included) for +21% native
 * instructions per HMAC-MD5 registration under wasm3 (65,354 -> 78,881). A single 64-step loop would
 * save ~500 bytes more but more than doubles that (156,742): a branch on the round and rotating
 * a,b,c,d every step. The loops test at the bottom (do-while): one branch per iteration, not two.
 */
export function md5Compress(st: usize, p: usize): void {
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  let t = T;
  // Round 1 (§3.4): F, shifts 7 12 17 22, words in order.
  let q = p;
  do {
    a = ff(a, b, c, d, load<u32>(q, 0), 7, load<u32>(t, 0));
    d = ff(d, a, b, c, load<u32>(q, 4), 12, load<u32>(t, 4));
    c = ff(c, d, a, b, load<u32>(q, 8), 17, load<u32>(t, 8));
    b = ff(b, c, d, a, load<u32>(q, 12), 22, load<u32>(t, 12));
    q += 16;
    t += 16;
  } while (t < T + 64);
  let x = X;
  // Round 2 (§3.4): G, shifts 5 9 14 20, word (5k+1) mod 16.
  do {
    a = gg(a, b, c, d, word(p, x, 0), 5, load<u32>(t, 0));
    d = gg(d, a, b, c, word(p, x, 1), 9, load<u32>(t, 4));
    c = gg(c, d, a, b, word(p, x, 2), 14, load<u32>(t, 8));
    b = gg(b, c, d, a, word(p, x, 3), 20, load<u32>(t, 12));
    t += 16;
    x += 4;
  } while (t < T + 128);
  // Round 3 (§3.4): H, shifts 4 11 16 23, word (3k+5) mod 16.
  do {
    a = hh(a, b, c, d, word(p, x, 0), 4, load<u32>(t, 0));
    d = hh(d, a, b, c, word(p, x, 1), 11, load<u32>(t, 4));
    c = hh(c, d, a, b, word(p, x, 2), 16, load<u32>(t, 8));
    b = hh(b, c, d, a, word(p, x, 3), 23, load<u32>(t, 12));
    t += 16;
    x += 4;
  } while (t < T + 192);
  // Round 4 (§3.4): I, shifts 6 10 15 21, word 7k mod 16.
  do {
    a = ii(a, b, c, d, word(p, x, 0), 6, load<u32>(t, 0));
    d = ii(d, a, b, c, word(p, x, 1), 10, load<u32>(t, 4));
    c = ii(c, d, a, b, word(p, x, 2), 15, load<u32>(t, 8));
    b = ii(b, c, d, a, word(p, x, 3), 21, load<u32>(t, 12));
    t += 16;
    x += 4;
  } while (t < T + 256);
  store<u32>(st, load<u32>(st, 0) + a, 0);
  store<u32>(st, load<u32>(st, 4) + b, 4);
  store<u32>(st, load<u32>(st, 8) + c, 8);
  store<u32>(st, load<u32>(st, 12) + d, 12);
}

/** Start a digest: load the initial chaining values (RFC 1321 §3.3) and clear the count. */
export function md5Init(ctx: usize): void {
  memory.copy(ctx + MD5_STATE, MD_IV, 16);
  store<u64>(ctx, 0, MD5_COUNT);
}

/** Start a digest from a saved chaining state `st` (16 bytes) after `count` bytes (a multiple of 64). */
export function md5InitFrom(ctx: usize, st: usize, count: u64): void {
  store<u64>(ctx, load<u64>(st, 0), MD5_STATE);
  store<u64>(ctx, load<u64>(st, 8), MD5_STATE + 8);
  store<u64>(ctx, count, MD5_COUNT);
}

/** Hash `len` more bytes at `p` into `ctx`; a negative length hashes nothing. */
export function md5Update(ctx: usize, p: usize, len: i32): void {
  if (len > 0) mdUpdate(ctx, p, len, MD5_COUNT, md5Compress);
}

/** Finish: pad (RFC 1321 §3.1-3.2), write the 16-byte digest to `out`; `ctx` must be re-initialised. */
export function md5Final(ctx: usize, out: usize): void {
  // Length in bits, low-order word first (§3.2).
  mdFinal(ctx, MD5_COUNT, false, md5Compress, out, 16);
}

const oneShotCtx: usize = memory.data(<i32>MD5_CTX_SIZE, 8);

/** One-shot MD5 of `len` bytes at `p` into the 16 bytes at `out` (uses a private static context). */
export function md5(p: usize, len: i32, out: usize): void {
  md5Init(oneShotCtx);
  md5Update(oneShotCtx, p, len);
  md5Final(oneShotCtx, out);
}
