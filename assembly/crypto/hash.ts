// Streaming over 64-byte blocks with Merkle-Damgård padding, shared by MD5 (RFC 1321) and SHA-1
// (RFC 3174): both keep their chaining state at the start of a context, a u64 byte count at
// `countOff` and the 64-byte partial block right after it; they differ only in the compression
// function and in the byte order of the padded length. Why one copy: the two were the same code
// twice (size, issue 12); the compression is called through a reference, one call per block.

/**
 * The initial chaining values: MD5's A B C D (RFC 1321 §3.3, low-order byte first) are SHA-1's H0..H3
 * (RFC 3174 §6.1, kept as native words), and H4 follows. MD5 copies 16 bytes, SHA-1 20.
 */
export const MD_IV: usize = memory.data<u32>([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/** A compression function: one 64-byte block at `p` into the chaining state at `st`. */
export type Compress = (st: usize, p: usize) => void;

/** Hash `len` more bytes at `p` into `ctx`; a negative length hashes nothing. */
export function mdUpdate(ctx: usize, p: usize, len: i32, countOff: usize, compress: Compress): void {
  if (len <= 0) return;
  const count = load<u64>(ctx + countOff);
  store<u64>(ctx + countOff, count + <u64>len);
  const buf = ctx + countOff + 8;
  let have = <i32>(count & 63);
  let n = len;
  if (have != 0) {
    const take = min(64 - have, n);
    memory.copy(buf + <usize>have, p, <usize>take);
    have += take;
    p += <usize>take;
    n -= take;
    if (have < 64) return;
    compress(ctx, buf);
  }
  // Whole blocks straight from the input, no copy.
  while (n >= 64) {
    compress(ctx, p);
    p += 64;
    n -= 64;
  }
  if (n > 0) memory.copy(buf, p, <usize>n);
}

/**
 * Pad and compress the last block(s) (RFC 1321 §3.1-3.2, RFC 3174 §4): a "1" bit, zeros up to 448
 * mod 512 bits, then the message length in bits as a u64, most significant byte first when
 * `bigEndian` (SHA-1), least significant first otherwise (MD5); then the `dl`-byte digest (the
 * state) to `out`.
 */
export function mdFinal(ctx: usize, countOff: usize, bigEndian: bool, compress: Compress, out: usize, dl: i32): void {
  const count = load<u64>(ctx + countOff);
  const buf = ctx + countOff + 8;
  // Why: RFC 1321 §3.1 / RFC 3174 §4 (a)-(c): when fewer than 8 bytes are left in the block, the
  // length moves to an extra block (lengths 56..63 mod 64).
  let have = <usize>(count & 63);
  store<u8>(buf + have, 0x80);
  have++;
  if (have > 56) {
    memory.fill(buf + have, 0, 64 - have);
    compress(ctx, buf);
    have = 0;
  }
  memory.fill(buf + have, 0, 56 - have);
  const bits = count << 3;
  store<u64>(buf, bigEndian ? bswap<u64>(bits) : bits, 56);
  compress(ctx, buf);
  mdDigest(ctx, out, dl, bigEndian);
}

/** The `len`-byte digest from the state at `ctx` into `out`: its u32 words byte-swapped when `bigEndian`. */
export function mdDigest(ctx: usize, out: usize, len: i32, bigEndian: bool): void {
  if (!bigEndian) { memory.copy(out, ctx, <usize>len); return; }
  for (let i: usize = 0; i < <usize>len; i += 4) {
    const w = load<u32>(ctx + i);
    store<u32>(out + i, bigEndian ? bswap<u32>(w) : w);
  }
}

// ---- HMAC (RFC 2104) over either hash: `ctx` and `pad` are the caller's static scratch, `dl` the digest
// length L, and a prepared key context holds the inner then the outer chaining state (dl bytes each).

/** Compress the padded key (K ^ ipad, then K ^ opad) for the `keyLen` bytes at `key` into `keyCtx`. */
export function hmacPrepareWith(keyCtx: usize, key: usize, keyLen: i32, ctx: usize, pad: usize, dl: i32, countOff: usize,
  bigEndian: bool, init: (ctx: usize) => void, compress: Compress): void {
  // Why: RFC 2104 §2: a key longer than B = 64 bytes is replaced by its hash (L bytes); shorter keys
  // are zero-padded to B.
  let kl: i32 = keyLen < 0 ? 0 : keyLen;
  if (kl > 64) {
    // Hashed in the private context (not a one-shot's shared one) so the key's tail is wiped below.
    init(ctx);
    mdUpdate(ctx, key, kl, countOff, compress);
    mdFinal(ctx, countOff, bigEndian, compress, pad, dl);
    kl = dl;
  } else {
    memory.copy(pad, key, <usize>kl);
  }
  memory.fill(pad + <usize>kl, 0, <usize>(64 - kl));
  // The inner state (K ^ ipad), then the outer one: ipad ^ opad = 0x36 ^ 0x5c = 0x6a turns the ipad
  // block into the opad block in place.
  let x: u64 = 0x3636363636363636;
  for (let k: usize = 0; k < 2; k++) {
    for (let i: usize = 0; i < 64; i += 8) store<u64>(pad + i, load<u64>(pad + i) ^ x);
    init(ctx);
    compress(ctx, pad);
    memory.copy(keyCtx + k * <usize>dl, ctx, <usize>dl);
    x = 0x6a6a6a6a6a6a6a6a;
  }
  // Do not leave key material in static scratch: the padded key and the context (a long key's tail
  // sits in its block buffer).
  memory.fill(pad, 0, 64);
  memory.fill(ctx, 0, countOff + 72);
}

/** HMAC under a prepared key of p1[0..l1] ‖ p2[0..l2] into `dl` bytes at `out`. */
export function hmacWith(keyCtx: usize, p1: usize, l1: i32, p2: usize, l2: i32, out: usize, ctx: usize, dl: i32,
  countOff: usize, bigEndian: bool, compress: Compress): void {
  memory.copy(ctx, keyCtx, <usize>dl);
  store<u64>(ctx + countOff, 64);
  mdUpdate(ctx, p1, l1, countOff, compress);
  mdUpdate(ctx, p2, l2, countOff, compress);
  const blk = ctx + countOff + 8;
  mdFinal(ctx, countOff, bigEndian, compress, blk, dl); // inner digest lands at the start of the (now free) block buffer
  // The outer hash: after the opad block (the prepared outer state) the inner digest, already in the
  // block buffer, and its padding (one final block: digest ‖ 0x80 ‖ 0… ‖ bit length of 64 + L bytes).
  memory.copy(ctx, keyCtx + <usize>dl, <usize>dl);
  store<u64>(ctx + countOff, <u64>(64 + dl));
  mdFinal(ctx, countOff, bigEndian, compress, out, dl);
}
