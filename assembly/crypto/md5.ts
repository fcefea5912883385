// MD5 message digest (RFC 1321). Streaming context in caller memory, no allocation.
//
// Context layout (MD5_CTX_SIZE bytes, any alignment; 8 is best):
//   0  A B C D   4 × u32  chaining state (RFC 1321 §3.3), little-endian words
//  16  count     u64      bytes hashed so far
//  24  buffer    64 bytes partial block
// MD5 is little-endian throughout (§3.4 "low-order byte first"), as is WebAssembly, so message words
// and the digest are plain `load<u32>` / `store<u32>`.

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

/** Compress one 64-byte block at `p` into the four-word state at `st` (RFC 1321 §3.4). */
export function md5Compress(st: usize, p: usize): void {
  const x0 = load<u32>(p, 0), x1 = load<u32>(p, 4), x2 = load<u32>(p, 8), x3 = load<u32>(p, 12);
  const x4 = load<u32>(p, 16), x5 = load<u32>(p, 20), x6 = load<u32>(p, 24), x7 = load<u32>(p, 28);
  const x8 = load<u32>(p, 32), x9 = load<u32>(p, 36), x10 = load<u32>(p, 40), x11 = load<u32>(p, 44);
  const x12 = load<u32>(p, 48), x13 = load<u32>(p, 52), x14 = load<u32>(p, 56), x15 = load<u32>(p, 60);
  let a = load<u32>(st, 0), b = load<u32>(st, 4), c = load<u32>(st, 8), d = load<u32>(st, 12);
  // Round 1 (RFC 1321 §3.4)
  a = ff(a, b, c, d, x0, 7, 0xd76aa478);
  d = ff(d, a, b, c, x1, 12, 0xe8c7b756);
  c = ff(c, d, a, b, x2, 17, 0x242070db);
  b = ff(b, c, d, a, x3, 22, 0xc1bdceee);
  a = ff(a, b, c, d, x4, 7, 0xf57c0faf);
  d = ff(d, a, b, c, x5, 12, 0x4787c62a);
  c = ff(c, d, a, b, x6, 17, 0xa8304613);
  b = ff(b, c, d, a, x7, 22, 0xfd469501);
  a = ff(a, b, c, d, x8, 7, 0x698098d8);
  d = ff(d, a, b, c, x9, 12, 0x8b44f7af);
  c = ff(c, d, a, b, x10, 17, 0xffff5bb1);
  b = ff(b, c, d, a, x11, 22, 0x895cd7be);
  a = ff(a, b, c, d, x12, 7, 0x6b901122);
  d = ff(d, a, b, c, x13, 12, 0xfd987193);
  c = ff(c, d, a, b, x14, 17, 0xa679438e);
  b = ff(b, c, d, a, x15, 22, 0x49b40821);
  // Round 2 (RFC 1321 §3.4)
  a = gg(a, b, c, d, x1, 5, 0xf61e2562);
  d = gg(d, a, b, c, x6, 9, 0xc040b340);
  c = gg(c, d, a, b, x11, 14, 0x265e5a51);
  b = gg(b, c, d, a, x0, 20, 0xe9b6c7aa);
  a = gg(a, b, c, d, x5, 5, 0xd62f105d);
  d = gg(d, a, b, c, x10, 9, 0x02441453);
  c = gg(c, d, a, b, x15, 14, 0xd8a1e681);
  b = gg(b, c, d, a, x4, 20, 0xe7d3fbc8);
  a = gg(a, b, c, d, x9, 5, 0x21e1cde6);
  d = gg(d, a, b, c, x14, 9, 0xc33707d6);
  c = gg(c, d, a, b, x3, 14, 0xf4d50d87);
  b = gg(b, c, d, a, x8, 20, 0x455a14ed);
  a = gg(a, b, c, d, x13, 5, 0xa9e3e905);
  d = gg(d, a, b, c, x2, 9, 0xfcefa3f8);
  c = gg(c, d, a, b, x7, 14, 0x676f02d9);
  b = gg(b, c, d, a, x12, 20, 0x8d2a4c8a);
  // Round 3 (RFC 1321 §3.4)
  a = hh(a, b, c, d, x5, 4, 0xfffa3942);
  d = hh(d, a, b, c, x8, 11, 0x8771f681);
  c = hh(c, d, a, b, x11, 16, 0x6d9d6122);
  b = hh(b, c, d, a, x14, 23, 0xfde5380c);
  a = hh(a, b, c, d, x1, 4, 0xa4beea44);
  d = hh(d, a, b, c, x4, 11, 0x4bdecfa9);
  c = hh(c, d, a, b, x7, 16, 0xf6bb4b60);
  b = hh(b, c, d, a, x10, 23, 0xbebfbc70);
  a = hh(a, b, c, d, x13, 4, 0x289b7ec6);
  d = hh(d, a, b, c, x0, 11, 0xeaa127fa);
  c = hh(c, d, a, b, x3, 16, 0xd4ef3085);
  b = hh(b, c, d, a, x6, 23, 0x04881d05);
  a = hh(a, b, c, d, x9, 4, 0xd9d4d039);
  d = hh(d, a, b, c, x12, 11, 0xe6db99e5);
  c = hh(c, d, a, b, x15, 16, 0x1fa27cf8);
  b = hh(b, c, d, a, x2, 23, 0xc4ac5665);
  // Round 4 (RFC 1321 §3.4)
  a = ii(a, b, c, d, x0, 6, 0xf4292244);
  d = ii(d, a, b, c, x7, 10, 0x432aff97);
  c = ii(c, d, a, b, x14, 15, 0xab9423a7);
  b = ii(b, c, d, a, x5, 21, 0xfc93a039);
  a = ii(a, b, c, d, x12, 6, 0x655b59c3);
  d = ii(d, a, b, c, x3, 10, 0x8f0ccc92);
  c = ii(c, d, a, b, x10, 15, 0xffeff47d);
  b = ii(b, c, d, a, x1, 21, 0x85845dd1);
  a = ii(a, b, c, d, x8, 6, 0x6fa87e4f);
  d = ii(d, a, b, c, x15, 10, 0xfe2ce6e0);
  c = ii(c, d, a, b, x6, 15, 0xa3014314);
  b = ii(b, c, d, a, x13, 21, 0x4e0811a1);
  a = ii(a, b, c, d, x4, 6, 0xf7537e82);
  d = ii(d, a, b, c, x11, 10, 0xbd3af235);
  c = ii(c, d, a, b, x2, 15, 0x2ad7d2bb);
  b = ii(b, c, d, a, x9, 21, 0xeb86d391);
  store<u32>(st, load<u32>(st, 0) + a, 0);
  store<u32>(st, load<u32>(st, 4) + b, 4);
  store<u32>(st, load<u32>(st, 8) + c, 8);
  store<u32>(st, load<u32>(st, 12) + d, 12);
}

/** Start a digest: load the initial chaining values (RFC 1321 §3.3) and clear the count. */
export function md5Init(ctx: usize): void {
  store<u32>(ctx, 0x67452301, MD5_STATE);
  store<u32>(ctx, 0xefcdab89, MD5_STATE + 4);
  store<u32>(ctx, 0x98badcfe, MD5_STATE + 8);
  store<u32>(ctx, 0x10325476, MD5_STATE + 12);
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
  if (len <= 0) return;
  const count = load<u64>(ctx, MD5_COUNT);
  store<u64>(ctx, count + <u64>len, MD5_COUNT);
  const st = ctx + MD5_STATE;
  const buf = ctx + MD5_BUF;
  let have = <i32>(count & 63);
  let n = len;
  if (have != 0) {
    const take = min(64 - have, n);
    memory.copy(buf + <usize>have, p, <usize>take);
    have += take;
    p += <usize>take;
    n -= take;
    if (have < 64) return;
    md5Compress(st, buf);
  }
  // Whole blocks straight from the input, no copy.
  while (n >= 64) {
    md5Compress(st, p);
    p += 64;
    n -= 64;
  }
  if (n > 0) memory.copy(buf, p, <usize>n);
}

/** Finish: pad (RFC 1321 §3.1-3.2), write the 16-byte digest to `out`; `ctx` must be re-initialised. */
export function md5Final(ctx: usize, out: usize): void {
  const count = load<u64>(ctx, MD5_COUNT);
  const st = ctx + MD5_STATE;
  const buf = ctx + MD5_BUF;
  let have = <usize>(count & 63);
  store<u8>(buf + have, 0x80);
  have++;
  if (have > 56) {
    memory.fill(buf + have, 0, 64 - have);
    md5Compress(st, buf);
    have = 0;
  }
  memory.fill(buf + have, 0, 56 - have);
  store<u64>(buf, count << 3, 56); // length in bits, low-order word first (§3.2)
  md5Compress(st, buf);
  store<u64>(out, load<u64>(st, 0), 0);
  store<u64>(out, load<u64>(st, 8), 8);
}

const oneShotCtx: usize = memory.data(<i32>MD5_CTX_SIZE, 8);

/** One-shot MD5 of `len` bytes at `p` into the 16 bytes at `out` (uses a private static context). */
export function md5(p: usize, len: i32, out: usize): void {
  md5Init(oneShotCtx);
  md5Update(oneShotCtx, p, len);
  md5Final(oneShotCtx, out);
}
