// HMAC-MD5 (RFC 2104): MD5((K ^ opad) ‖ MD5((K ^ ipad) ‖ text)), with keys longer than the 64-byte
// block hashed first (§2). The text is given as two pieces (message + prior extensions, then the
// authentication extension's Type, Length and SPI — RFC 3344 §3.5.1 covers the SPI) to avoid a copy.
//
// A home agent checks many registrations under one key, so the two padded-key blocks can be
// compressed once (hmacMd5Prepare) and the chaining states kept in a key context:
//   0  inner state  16 bytes  MD5 state after the block K ^ ipad
//  16  outer state  16 bytes  MD5 state after the block K ^ opad
// Each authentication then costs the message blocks plus one block for the outer hash (RFC 2104 §4
// "Implementation note" describes exactly this precomputation).

import { MD5_CTX_SIZE, MD5_COUNT, md5Init, md5Compress } from "./md5";
import { hmacPrepareWith, hmacWith } from "./hash";

/** Offset of the inner (ipad) chaining state in a prepared key context. */
export const HMAC_KEY_INNER: usize = 0;
/** Offset of the outer (opad) chaining state in a prepared key context. */
export const HMAC_KEY_OUTER: usize = 16;
/** Bytes a caller reserves for one prepared HMAC-MD5 key. */
export const HMAC_KEY_CTX_SIZE: usize = 32;

const ctx: usize = memory.data(<i32>MD5_CTX_SIZE, 8);
const pad: usize = memory.data(64, 8);
const oneShotKey: usize = memory.data(<i32>HMAC_KEY_CTX_SIZE, 8);

/** Compress the padded key (K ^ ipad, then K ^ opad) for the `keyLen` bytes at `key` into `keyCtx`. */
export function hmacMd5Prepare(keyCtx: usize, key: usize, keyLen: i32): void {
  // RFC 2104 §2: a key longer than B = 64 bytes is replaced by its MD5; shorter keys are zero-padded.
  hmacPrepareWith(keyCtx, key, keyLen, ctx, pad, 16, MD5_COUNT, false, md5Init, md5Compress);
}

/** HMAC-MD5 under a prepared key of p1[0..l1] ‖ p2[0..l2] into 16 bytes at `out`. */
export function hmacMd5WithPrepared(keyCtx: usize, p1: usize, l1: i32, p2: usize, l2: i32, out: usize): void {
  hmacWith(keyCtx, p1, l1, p2, l2, out, ctx, 16, MD5_COUNT, false, md5Compress);
}

/** HMAC-MD5 with the `keyLen`-byte key at `key` of p1[0..l1] ‖ p2[0..l2] into 16 bytes at `out`. */
export function hmacMd5(key: usize, keyLen: i32, p1: usize, l1: i32, p2: usize, l2: i32, out: usize): void {
  hmacMd5Prepare(oneShotKey, key, keyLen);
  hmacMd5WithPrepared(oneShotKey, p1, l1, p2, l2, out);
  memory.fill(oneShotKey, 0, HMAC_KEY_CTX_SIZE);
}
