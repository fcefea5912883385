// SHA-1 (FIPS 180-1 / RFC 3174) known answers, padding boundaries and streaming splits; HMAC-SHA1
// (RFC 2104) with all seven RFC 2202 §3 test cases, the prepared-key variant, two-piece input and the
// 96-bit truncation AH uses (RFC 2404).
import { SHA1_CTX_SIZE, sha1, sha1Init, sha1Update, sha1Final } from "../../assembly/crypto/sha1";
import { HMAC_SHA1_KEY_CTX_SIZE, hmacSha1, hmacSha1Prepare, hmacSha1WithPrepared } from "../../assembly/crypto/hmac-sha1";
import { bytes, hexOf } from "./helpers";

function sha1Hex(s: string): string {
  const out = heap.alloc(20);
  sha1(bytes(s), String.UTF8.byteLength(s), out);
  return hexOf(out, 20);
}
function hexToBytes(h: string): usize {
  const n = h.length >> 1;
  const p = heap.alloc(<usize>max(n, 1));
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>parseInt(h.substr(i * 2, 2), 16));
  return p;
}
function filled(v: u8, n: i32): usize {
  const p = heap.alloc(<usize>n);
  memory.fill(p, v, <usize>n);
  return p;
}
/** HMAC-SHA1 one-shot, prepared-key, and every two-piece split must all give `want`. */
function checkHmac(key: usize, keyLen: i32, data: usize, dataLen: i32, want: string): void {
  const out = heap.alloc(20);
  hmacSha1(key, keyLen, data, dataLen, 0, 0, out);
  expect<string>(hexOf(out, 20)).toStrictEqual(want);
  const kc = heap.alloc(HMAC_SHA1_KEY_CTX_SIZE);
  hmacSha1Prepare(kc, key, keyLen);
  for (let cut = 0; cut <= dataLen; cut++) {
    memory.fill(out, 0xa5, 20);
    hmacSha1WithPrepared(kc, data, cut, data + <usize>cut, dataLen - cut, out);
    expect<string>(hexOf(out, 20)).toStrictEqual(want);
    memory.fill(out, 0xa5, 20);
    hmacSha1(key, keyLen, data, cut, data + <usize>cut, dataLen - cut, out);
    expect<string>(hexOf(out, 20)).toStrictEqual(want);
  }
}

describe("sha1 FIPS 180-1 / RFC 3174 §7.3 test vectors", () => {
  it("hashes \"abc\" (TEST1)", () => {
    expect<string>(sha1Hex("abc")).toStrictEqual("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
  it("hashes the 448-bit message (TEST2: padding spills into a second block)", () => {
    expect<string>(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
      .toStrictEqual("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  });
  it("hashes one million 'a' (TEST3) fed in uneven chunks", () => {
    const chunk = filled(0x61, 1000);
    const sizes: i32[] = [1, 63, 64, 65, 7, 128, 999, 3, 56, 55, 1000, 200];
    const ctx = heap.alloc(SHA1_CTX_SIZE);
    sha1Init(ctx);
    let left = 1000000;
    let k = 0;
    while (left > 0) {
      const n = min(sizes[k % sizes.length], left);
      sha1Update(ctx, chunk, n);
      left -= n;
      k++;
    }
    const out = heap.alloc(20);
    sha1Final(ctx, out);
    expect<string>(hexOf(out, 20)).toStrictEqual("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });
  it("hashes the empty string", () => {
    expect<string>(sha1Hex("")).toStrictEqual("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });
});

describe("sha1 padding and streaming", () => {
  it("pads correctly at lengths 55, 56, 63, 64 and 65 (the padding boundaries)", () => {
    // Digests of N × 'a', computed with Node: require('crypto').createHash('sha1').update('a'.repeat(N)).digest('hex')
    const p = filled(0x61, 65);
    const out = heap.alloc(20);
    sha1(p, 55, out); expect<string>(hexOf(out, 20)).toStrictEqual("c1c8bbdc22796e28c0e15163d20899b65621d65a");
    sha1(p, 56, out); expect<string>(hexOf(out, 20)).toStrictEqual("c2db330f6083854c99d4b5bfb6e8f29f201be699");
    sha1(p, 63, out); expect<string>(hexOf(out, 20)).toStrictEqual("03f09f5b158a7a8cdad920bddc29b81c18a551f5");
    sha1(p, 64, out); expect<string>(hexOf(out, 20)).toStrictEqual("0098ba824b5c16427bd7a1122a5a442a25ec644d");
    sha1(p, 65, out); expect<string>(hexOf(out, 20)).toStrictEqual("11655326c708d70319be2610e8a57d9a5b959d3b");
  });
  it("gives the one-shot digest for every split point and for byte-at-a-time updates", () => {
    const s = "12345678901234567890123456789012345678901234567890123456789012345678901234567890abcdefghijklmnopqrstuvwxyz0123456789!";
    const n = String.UTF8.byteLength(s);
    const p = bytes(s);
    const ref = heap.alloc(20);
    sha1(p, n, ref);
    // Node: require('crypto').createHash('sha1').update(s).digest('hex')
    expect<string>(hexOf(ref, 20)).toStrictEqual("cee745ba51d44485781c0b5f7f46194c3aa3a052");
    const ctx = heap.alloc(SHA1_CTX_SIZE);
    const out = heap.alloc(20);
    for (let cut = 0; cut <= n; cut++) {
      sha1Init(ctx);
      sha1Update(ctx, p, cut);
      sha1Update(ctx, p + <usize>cut, n - cut);
      sha1Final(ctx, out);
      expect<string>(hexOf(out, 20)).toStrictEqual(hexOf(ref, 20));
    }
    sha1Init(ctx);
    for (let i = 0; i < n; i++) sha1Update(ctx, p + <usize>i, 1);
    sha1Final(ctx, out);
    expect<string>(hexOf(out, 20)).toStrictEqual(hexOf(ref, 20));
  });
  it("treats a negative length as nothing", () => {
    const ctx = heap.alloc(SHA1_CTX_SIZE);
    const out = heap.alloc(20);
    sha1Init(ctx);
    sha1Update(ctx, bytes("abc"), -5);
    sha1Final(ctx, out);
    expect<string>(hexOf(out, 20)).toStrictEqual("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });
  it("keeps two interleaved contexts apart (the schedule scratch is shared)", () => {
    const c1 = heap.alloc(SHA1_CTX_SIZE), c2 = heap.alloc(SHA1_CTX_SIZE);
    const a = filled(0x61, 65);
    const m = bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    sha1Init(c1); sha1Init(c2);
    sha1Update(c1, a, 30); sha1Update(c2, m, 20);
    sha1Update(c1, a, 35); sha1Update(c2, m + 20, 36);
    const o1 = heap.alloc(20), o2 = heap.alloc(20);
    sha1Final(c1, o1); sha1Final(c2, o2);
    expect<string>(hexOf(o1, 20)).toStrictEqual("11655326c708d70319be2610e8a57d9a5b959d3b");
    expect<string>(hexOf(o2, 20)).toStrictEqual("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  });
});

describe("HMAC-SHA1 (RFC 2202 §3 test cases; one-shot = prepared key = every two-piece split)", () => {
  it("case 1: key 0x0b × 20, \"Hi There\"", () => {
    checkHmac(filled(0x0b, 20), 20, bytes("Hi There"), 8, "b617318655057264e28bc0b6fb378c8ef146be00");
  });
  it("case 2: key \"Jefe\", \"what do ya want for nothing?\"", () => {
    checkHmac(bytes("Jefe"), 4, bytes("what do ya want for nothing?"), 28, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  });
  it("case 3: key 0xaa × 20, 0xdd × 50", () => {
    checkHmac(filled(0xaa, 20), 20, filled(0xdd, 50), 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  });
  it("case 4: key 0x01..0x19 (25 bytes), 0xcd × 50", () => {
    checkHmac(hexToBytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), 25,
      filled(0xcd, 50), 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
  });
  it("case 5: key 0x0c × 20, \"Test With Truncation\"", () => {
    checkHmac(filled(0x0c, 20), 20, bytes("Test With Truncation"), 20, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
  });
  it("case 5 truncated to 96 bits (HMAC-SHA1-96, RFC 2202 digest-96 / RFC 2404 §2)", () => {
    const out = heap.alloc(20);
    hmacSha1(filled(0x0c, 20), 20, bytes("Test With Truncation"), 20, 0, 0, out);
    expect<string>(hexOf(out, 12)).toStrictEqual("4c1a03424b55e07fe7f27be1");
  });
  it("case 6: key 0xaa × 80 (hashed first), 54-byte text", () => {
    checkHmac(filled(0xaa, 80), 80, bytes("Test Using Larger Than Block-Size Key - Hash Key First"), 54,
      "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  });
  it("case 7: key 0xaa × 80 (hashed first), 73-byte text", () => {
    checkHmac(filled(0xaa, 80), 80,
      bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"), 73,
      "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
  });
  it("a 64-byte key is used as is, a 65-byte key is hashed (RFC 2104 §2 boundary)", () => {
    // Node: require('crypto').createHmac('sha1', Buffer.alloc(N, 0x42)).update('abc').digest('hex')
    checkHmac(filled(0x42, 64), 64, bytes("abc"), 3, "2686960f4f348087d1c108bf7be94617d325fcf2");
    checkHmac(filled(0x42, 65), 65, bytes("abc"), 3, "c39b2ba132ecdb6c3eb20fcb7ffa6df2b5d85db4");
  });
  it("authenticates a 1400-byte packet (byte i = 7i+3 mod 256) under a 160-bit key", () => {
    // Node: createHmac('sha1', Buffer.alloc(20, 0x11)).update(d).digest('hex')
    const d = heap.alloc(1400);
    for (let i = 0; i < 1400; i++) store<u8>(d + <usize>i, <u8>(i * 7 + 3));
    const kc = heap.alloc(HMAC_SHA1_KEY_CTX_SIZE);
    hmacSha1Prepare(kc, filled(0x11, 20), 20);
    const out = heap.alloc(20);
    hmacSha1WithPrepared(kc, d, 1400, 0, 0, out);
    expect<string>(hexOf(out, 20)).toStrictEqual("89c5f2b4fd224188f07d5ff55e8c4849ef69fdee");
    hmacSha1WithPrepared(kc, d, 12, d + 12, 1388, out); // e.g. a header piece, then the rest
    expect<string>(hexOf(out, 20)).toStrictEqual("89c5f2b4fd224188f07d5ff55e8c4849ef69fdee");
  });
  it("one prepared key serves many messages; preparing a second key does not disturb the first", () => {
    const k1 = heap.alloc(HMAC_SHA1_KEY_CTX_SIZE);
    const k2 = heap.alloc(HMAC_SHA1_KEY_CTX_SIZE);
    hmacSha1Prepare(k1, filled(0x0b, 20), 20);
    hmacSha1Prepare(k2, filled(0xaa, 80), 80);
    const out = heap.alloc(20);
    for (let i = 0; i < 3; i++) {
      hmacSha1WithPrepared(k1, bytes("Hi There"), 8, 0, 0, out);
      expect<string>(hexOf(out, 20)).toStrictEqual("b617318655057264e28bc0b6fb378c8ef146be00");
      hmacSha1WithPrepared(k2, bytes("Test Using Larger Than Block-Size Key - "), 40, bytes("Hash Key First"), 14, out);
      expect<string>(hexOf(out, 20)).toStrictEqual("aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }
  });
});
