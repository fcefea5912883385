// HMAC-SHA1 (RFC 2104 with SHA-1): SHA1((K ^ opad) ‖ SHA1((K ^ ipad) ‖ text)), for IPsec AH's
// HMAC-SHA1-96 (RFC 2404). Same shape as HMAC-MD5 in ./hmac.ts; the text is given as two pieces so a
// caller can cover a packet and a separately held part (e.g. AH's zeroed mutable fields) without a copy.
//
// Why a file of its own: nothing in the firmware uses SHA-1 until AH does, and a module no one imports
// is not compiled, so build/firmware.wasm does not carry it (or its static scratch) before then.
//
// A security association checks every packet under one key, so the two padded-key blocks are compressed
// once (hmacSha1Prepare) and the chaining states kept in a key context:
//   0  inner state  20 bytes  SHA-1 state after the block K ^ ipad
//  20  outer state  20 bytes  SHA-1 state after the block K ^ opad
// Each authentication then costs the message blocks plus one block for the outer hash (RFC 2104 §4
// "Implementation note" describes exactly this precomputation).

import { SHA1_CTX_SIZE, SHA1_COUNT, sha1Init, sha1Compress, sha1WipeScratch } from "./sha1";
import { hmacPrepareWith, hmacWith } from "./hash";

/** Offset of the inner (ipad) chaining state in a prepared key context. */
export const HMAC_SHA1_KEY_INNER: usize = 0;
/** Offset of the outer (opad) chaining state in a prepared key context. */
export const HMAC_SHA1_KEY_OUTER: usize = 20;
/** Bytes a caller reserves for one prepared HMAC-SHA1 key. */
export const HMAC_SHA1_KEY_CTX_SIZE: usize = 40;
/** Bytes of an HMAC-SHA1 output (L = 20, RFC 2104 §2); HMAC-SHA1-96 keeps the first 12 (RFC 2404 §2). */
export const HMAC_SHA1_SIZE: i32 = 20;

const ctx: usize = memory.data(<i32>SHA1_CTX_SIZE, 8);
const pad: usize = memory.data(64, 8);
const oneShotKey: usize = memory.data(<i32>HMAC_SHA1_KEY_CTX_SIZE, 8);

/** Compress the padded key (K ^ ipad, then K ^ opad) for the `keyLen` bytes at `key` into `keyCtx`. */
export function hmacSha1Prepare(keyCtx: usize, key: usize, keyLen: i32): void {
  // Why: RFC 2104 §2: a key longer than B = 64 bytes is replaced by its hash (L = 20 bytes); shorter
  // keys are zero-padded to B. RFC 2404 §2 allows any length (160 bits recommended).
  hmacPrepareWith(keyCtx, key, keyLen, ctx, pad, 20, SHA1_COUNT, true, sha1Init, sha1Compress);
  // SHA-1's schedule words are key material too (the last block can be recomputed from them).
  sha1WipeScratch();
}

/** HMAC-SHA1 under a prepared key of p1[0..l1] ‖ p2[0..l2] into 20 bytes at `out`. */
export function hmacSha1WithPrepared(keyCtx: usize, p1: usize, l1: i32, p2: usize, l2: i32, out: usize): void {
  // RFC 3174 §4 padding, §6.1: the digest is H0..H4, each most significant byte first.
  hmacWith(keyCtx, p1, l1, p2, l2, out, ctx, 20, SHA1_COUNT, true, sha1Compress);
}

/** HMAC-SHA1 with the `keyLen`-byte key at `key` of p1[0..l1] ‖ p2[0..l2] into 20 bytes at `out`. */
export function hmacSha1(key: usize, keyLen: i32, p1: usize, l1: i32, p2: usize, l2: i32, out: usize): void {
  hmacSha1Prepare(oneShotKey, key, keyLen);
  hmacSha1WithPrepared(oneShotKey, p1, l1, p2, l2, out);
  memory.fill(oneShotKey, 0, HMAC_SHA1_KEY_CTX_SIZE);
}
