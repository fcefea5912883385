// Keyed MD5 in "prefix+suffix" mode, the default Mobile IP authenticator (RFC 2002 §3.5.1):
//   authenticator = MD5(key ‖ protected data ‖ key)
// The protected data is given as two pieces so a caller can cover the registration message and prior
// extensions (piece 1) followed by the authentication extension's Type and Length, and the SPI when
// the security association says so (piece 2), without copying them together (SPEC-DECISIONS §auth).

import { MD5_CTX_SIZE, md5Init, md5Update, md5Final } from "./md5";

const ctx: usize = memory.data(<i32>MD5_CTX_SIZE, 8);

/** MD5(key ‖ p1[0..len1] ‖ p2[0..len2] ‖ key) into 16 bytes at `out` (RFC 2002 §3.5.1). */
export function keyedMd5(key: usize, keyLen: i32, p1: usize, len1: i32, p2: usize, len2: i32, out: usize): void {
  md5Init(ctx);
  md5Update(ctx, key, keyLen);
  md5Update(ctx, p1, len1);
  md5Update(ctx, p2, len2);
  md5Update(ctx, key, keyLen);
  md5Final(ctx, out);
}
