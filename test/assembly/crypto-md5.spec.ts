// MD5 (RFC 1321) known answers: the seven strings of the RFC's test suite (§A.5), plus streaming
// splits at every offset, which must give the one-shot digest.
import { MD5_CTX_SIZE, md5, md5Init, md5Update, md5Final } from "../../assembly/crypto/md5";
import { bytes, hexOf } from "./helpers";

function md5Hex(s: string): string {
  const out = heap.alloc(16);
  md5(bytes(s), String.UTF8.byteLength(s), out);
  return hexOf(out, 16);
}

describe("md5 RFC 1321 test suite (§A.5)", () => {
  it("hashes the empty string", () => {
    expect<string>(md5Hex("")).toStrictEqual("d41d8cd98f00b204e9800998ecf8427e");
  });
  it("hashes \"a\"", () => {
    expect<string>(md5Hex("a")).toStrictEqual("0cc175b9c0f1b6a831c399e269772661");
  });
  it("hashes \"abc\"", () => {
    expect<string>(md5Hex("abc")).toStrictEqual("900150983cd24fb0d6963f7d28e17f72");
  });
  it("hashes \"message digest\"", () => {
    expect<string>(md5Hex("message digest")).toStrictEqual("f96b697d7cb7938d525a2f31aaf161d0");
  });
  it("hashes the alphabet", () => {
    expect<string>(md5Hex("abcdefghijklmnopqrstuvwxyz")).toStrictEqual("c3fcd3d76192e4007dfb496cca67e13b");
  });
  it("hashes A-Z a-z 0-9 (62 bytes: padding spills into a second block)", () => {
    expect<string>(md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
      .toStrictEqual("d174ab98d277d9f5a5611c2c9f419d9f");
  });
  it("hashes 8 × \"1234567890\" (80 bytes)", () => {
    expect<string>(md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"))
      .toStrictEqual("57edf4a22be3c955ac49da2e2107b67a");
  });
});

describe("md5 streaming", () => {
  it("gives the one-shot digest for every split point and for byte-at-a-time updates", () => {
    const s = "12345678901234567890123456789012345678901234567890123456789012345678901234567890abcdefghijklmnopqrstuvwxyz0123456789!";
    const n = String.UTF8.byteLength(s);
    const p = bytes(s);
    const ref = heap.alloc(16);
    md5(p, n, ref);
    const ctx = heap.alloc(MD5_CTX_SIZE);
    const out = heap.alloc(16);
    for (let cut = 0; cut <= n; cut++) {
      md5Init(ctx);
      md5Update(ctx, p, cut);
      md5Update(ctx, p + <usize>cut, n - cut);
      md5Final(ctx, out);
      expect<string>(hexOf(out, 16)).toStrictEqual(hexOf(ref, 16));
    }
    md5Init(ctx);
    for (let i = 0; i < n; i++) md5Update(ctx, p + <usize>i, 1);
    md5Final(ctx, out);
    expect<string>(hexOf(out, 16)).toStrictEqual(hexOf(ref, 16));
  });
  it("treats a negative length as nothing", () => {
    const ctx = heap.alloc(MD5_CTX_SIZE);
    const out = heap.alloc(16);
    md5Init(ctx);
    md5Update(ctx, bytes("abc"), -5);
    md5Final(ctx, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("d41d8cd98f00b204e9800998ecf8427e");
  });
  it("pads correctly at lengths 55, 56, 63, 64 and 65 (the padding boundaries)", () => {
    // Digests of N × 'a', computed with Node: require('crypto').createHash('md5').update('a'.repeat(N)).digest('hex')
    const p = heap.alloc(65);
    memory.fill(p, 0x61, 65);
    const out = heap.alloc(16);
    md5(p, 55, out); expect<string>(hexOf(out, 16)).toStrictEqual("ef1772b6dff9a122358552954ad0df65");
    md5(p, 56, out); expect<string>(hexOf(out, 16)).toStrictEqual("3b0c8ac703f828b04c6c197006d17218");
    md5(p, 63, out); expect<string>(hexOf(out, 16)).toStrictEqual("b06521f39153d618550606be297466d5");
    md5(p, 64, out); expect<string>(hexOf(out, 16)).toStrictEqual("014842d480b571495a4a0363793f7367");
    md5(p, 65, out); expect<string>(hexOf(out, 16)).toStrictEqual("c743a45e0d2e6a95cb859adae0248435");
  });
});
