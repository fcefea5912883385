// Mobile IP authenticators: keyed-MD5 prefix+suffix (RFC 2002 §3.5.1), HMAC-MD5 (RFC 2104) with the
// RFC 2202 test cases, the prepared-key variant, two-piece input, and constant-time comparison.
import { keyedMd5 } from "../../assembly/crypto/keyed";
import { HMAC_KEY_CTX_SIZE, hmacMd5, hmacMd5Prepare, hmacMd5WithPrepared } from "../../assembly/crypto/hmac";
import { ctEqual } from "../../assembly/crypto/ct";
import { bytes, hexOf } from "./helpers";

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
/** HMAC-MD5 one-shot, prepared-key, and every two-piece split must all give `want`. */
function checkHmac(key: usize, keyLen: i32, data: usize, dataLen: i32, want: string): void {
  const out = heap.alloc(16);
  hmacMd5(key, keyLen, data, dataLen, 0, 0, out);
  expect<string>(hexOf(out, 16)).toStrictEqual(want);
  const kc = heap.alloc(HMAC_KEY_CTX_SIZE);
  hmacMd5Prepare(kc, key, keyLen);
  for (let cut = 0; cut <= dataLen; cut++) {
    memory.fill(out, 0xa5, 16);
    hmacMd5WithPrepared(kc, data, cut, data + <usize>cut, dataLen - cut, out);
    expect<string>(hexOf(out, 16)).toStrictEqual(want);
    memory.fill(out, 0xa5, 16);
    hmacMd5(key, keyLen, data, cut, data + <usize>cut, dataLen - cut, out);
    expect<string>(hexOf(out, 16)).toStrictEqual(want);
  }
}

// Registration Request (RFC 2002 §3.3) used for the keyed-MD5 vectors:
//   01        Type 1 (Registration Request)
//   00        flags S B D M G V rsv = 0
//   07 08     Lifetime 1800 s
//   0a000005  Home Address 10.0.0.5
//   0a000001  Home Agent 10.0.0.1
//   c0a80107  Care-of Address 192.168.1.7
//   0123456789abcdef  Identification
const RRQ = "01000708" + "0a000005" + "0a000001" + "c0a80107" + "0123456789abcdef";
const EXT = "2014";      // Mobile-Home Authentication extension: Type 32, Length 20 (4 SPI + 16 authenticator)
const SPI = "00000100";  // SPI 256
const KEY16 = "000102030405060708090a0b0c0d0e0f";

describe("keyed-MD5 prefix+suffix (RFC 2002 §3.5.1)", () => {
  // Expected values generated independently with Node.js:
  //   const h = (...b) => { const m = require('crypto').createHash('md5'); b.forEach(x => m.update(x)); return m.digest('hex') }
  //   h(key, data..., key)   with key = Buffer.from(KEY16, 'hex') and the pieces named in each test.
  it("covers the message and the extension Type+Length (SPI left out, RFC 2002 default)", () => {
    const out = filled(0xa5, 16);
    keyedMd5(hexToBytes(KEY16), 16, hexToBytes(RRQ), 24, hexToBytes(EXT), 2, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("3f5d0dac85d5dad374b514b2876fab95"); // h(key, rrq, ext, key)
  });
  it("covers the SPI when the security association says so", () => {
    const out = filled(0xa5, 16);
    keyedMd5(hexToBytes(KEY16), 16, hexToBytes(RRQ), 24, hexToBytes(EXT + SPI), 6, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("4bf63fc159303d9905cfe8d69a2bca52"); // h(key, rrq, ext, spi, key)
  });
  it("hashes key ‖ key for empty data", () => {
    const out = filled(0xa5, 16);
    keyedMd5(hexToBytes(KEY16), 16, 0, 0, 0, 0, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("7ba08fbffa8f303279d13c0182eef6a7"); // h(key, key)
  });
  it("crosses block boundaries: 100 data bytes (byte i = 7i+3 mod 256), every split point", () => {
    const d = heap.alloc(100);
    for (let i = 0; i < 100; i++) store<u8>(d + <usize>i, <u8>(i * 7 + 3));
    const out = heap.alloc(16);
    for (let cut = 0; cut <= 100; cut++) {
      memory.fill(out, 0xa5, 16);
      keyedMd5(hexToBytes(KEY16), 16, d, cut, d + <usize>cut, 100 - cut, out);
      expect<string>(hexOf(out, 16)).toStrictEqual("1115b41e7ebf85f4722d6000f5cced19"); // h(key, d100, key)
    }
  });
  it("works with a short non-block-aligned key (\"Jefe\", 57 × 'a')", () => {
    const out = filled(0xa5, 16);
    keyedMd5(bytes("Jefe"), 4, filled(0x61, 57), 57, 0, 0, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("ef6bca2dd7af633e0effe4449a8243d4"); // h('Jefe', 'a'*57, 'Jefe')
  });
});

describe("HMAC-MD5 (RFC 2202 §2 test cases; one-shot = prepared key = every two-piece split)", () => {
  it("case 1: key 0x0b × 16, \"Hi There\"", () => {
    checkHmac(filled(0x0b, 16), 16, bytes("Hi There"), 8, "9294727a3638bb1c13f48ef8158bfc9d");
  });
  it("case 2: key \"Jefe\", \"what do ya want for nothing?\"", () => {
    checkHmac(bytes("Jefe"), 4, bytes("what do ya want for nothing?"), 28, "750c783e6ab0b503eaa86e310a5db738");
  });
  it("case 3: key 0xaa × 16, 0xdd × 50", () => {
    checkHmac(filled(0xaa, 16), 16, filled(0xdd, 50), 50, "56be34521d144c88dbb8c733f0e8b3f6");
  });
  it("case 4: key 0x01..0x19 (25 bytes), 0xcd × 50", () => {
    checkHmac(hexToBytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), 25,
      filled(0xcd, 50), 50, "697eaf0aca3a3aea3a75164746ffaa79");
  });
  it("case 5: key 0x0c × 16, \"Test With Truncation\" (full digest; -96 is its first 12 bytes)", () => {
    checkHmac(filled(0x0c, 16), 16, bytes("Test With Truncation"), 20, "56461ef2342edc00f9bab995690efd4c");
  });
  it("case 6: key 0xaa × 80 (hashed first), 54-byte text", () => {
    checkHmac(filled(0xaa, 80), 80, bytes("Test Using Larger Than Block-Size Key - Hash Key First"), 54,
      "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  });
  it("case 7: key 0xaa × 80 (hashed first), 73-byte text", () => {
    checkHmac(filled(0xaa, 80), 80,
      bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"), 73,
      "6f630fad67cda0ee1fb1f562db3aa53e");
  });
  it("a 64-byte key is used as is, a 65-byte key is hashed (RFC 2104 §2 boundary)", () => {
    // Node: require('crypto').createHmac('md5', Buffer.alloc(N, 0x42)).update('abc').digest('hex')
    checkHmac(filled(0x42, 64), 64, bytes("abc"), 3, "36b26daf9d58d590b6852296650acefb");
    checkHmac(filled(0x42, 65), 65, bytes("abc"), 3, "a42ba7a7782728444078f975060a0ac2");
  });
  it("authenticates a registration request with the SPI covered (RFC 3344 §3.5.1)", () => {
    // Node: createHmac('md5', Buffer.from(KEY16,'hex')).update(Buffer.from(RRQ+EXT+SPI,'hex')).digest('hex')
    const out = filled(0xa5, 16);
    hmacMd5(hexToBytes(KEY16), 16, hexToBytes(RRQ), 24, hexToBytes(EXT + SPI), 6, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("3447828c63c3f00324a829860bb70b9b");
  });
  it("one prepared key serves many messages; preparing a second key does not disturb the first", () => {
    const k1 = heap.alloc(HMAC_KEY_CTX_SIZE);
    const k2 = heap.alloc(HMAC_KEY_CTX_SIZE);
    hmacMd5Prepare(k1, filled(0x0b, 16), 16);
    hmacMd5Prepare(k2, bytes("Jefe"), 4);
    const out = heap.alloc(16);
    for (let i = 0; i < 3; i++) {
      hmacMd5WithPrepared(k1, bytes("Hi There"), 8, 0, 0, out);
      expect<string>(hexOf(out, 16)).toStrictEqual("9294727a3638bb1c13f48ef8158bfc9d");
      hmacMd5WithPrepared(k2, bytes("what do ya want "), 16, bytes("for nothing?"), 12, out);
      expect<string>(hexOf(out, 16)).toStrictEqual("750c783e6ab0b503eaa86e310a5db738");
    }
  });
});

describe("ctEqual", () => {
  it("is true for equal buffers (lengths 1..40, crossing the 8-byte word path)", () => {
    const a = heap.alloc(40), b = heap.alloc(40);
    for (let i = 0; i < 40; i++) { store<u8>(a + <usize>i, <u8>(i * 13)); store<u8>(b + <usize>i, <u8>(i * 13)); }
    for (let n = 1; n <= 40; n++) expect<bool>(ctEqual(a, b, n)).toBe(true);
  });
  it("is false when only the first or only the last byte differs", () => {
    const a = heap.alloc(40), b = heap.alloc(40);
    for (let n = 1; n <= 40; n++) {
      memory.fill(a, 0x5a, 40); memory.fill(b, 0x5a, 40);
      store<u8>(b, 0x5b);
      expect<bool>(ctEqual(a, b, n)).toBe(false);
      store<u8>(b, 0x5a);
      store<u8>(b + <usize>(n - 1), 0xda); // high bit only
      expect<bool>(ctEqual(a, b, n)).toBe(false);
    }
  });
  it("is true for zero (and negative) length", () => {
    const a = filled(1, 4), b = filled(2, 4);
    expect<bool>(ctEqual(a, b, 0)).toBe(true);
    expect<bool>(ctEqual(a, b, -3)).toBe(true);
  });
});
