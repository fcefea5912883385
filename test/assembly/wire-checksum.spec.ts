// Internet checksum (RFC 1071): the RFC's own example (§3), odd lengths, every length 0..64 at every
// alignment against a byte-by-byte reference, split sums, the pseudo header (RFC 768).
import { csumAdd, csumFinish, checksum, pseudoHeaderSum } from "../../assembly/wire/checksum";

import { hex } from "./helpers";

/** Reference: big-endian 16-bit words summed one by one, odd byte padded with zero (RFC 1071 §4.1). */
function refChecksum(p: usize, len: i32): u16 {
  let s: u32 = 0;
  for (let i = 0; i < len; i += 2) {
    const hi = <u32>load<u8>(p + <usize>i) << 8;
    const lo = i + 1 < len ? <u32>load<u8>(p + <usize>i + 1) : 0;
    s += hi | lo;
    s = (s & 0xffff) + (s >>> 16);
  }
  return <u16>~s;
}

describe("checksum: RFC 1071", () => {
  it("matches the §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d", () => {
    const p = hex("0001 f203 f4f5 f6f7");
    expect<i32>(checksum(p, 8)).toBe(0x220d);
    expect<i32>(csumFinish(0xddf2)).toBe(0x220d);
  });
  it("pads an odd trailing byte with zero", () => {
    expect<i32>(checksum(hex("01"), 1)).toBe(0xfeff);        // 0x0100
    expect<i32>(checksum(hex("0001f2"), 3)).toBe(0x0dfe);    // 0x0001 + 0xf200
    expect<i32>(checksum(hex("0001 f203 f4f5 f6f7 ff"), 9)).toBe(0x230c); // ddf2 + ff00 = 1dcf2, folded dcf3
  });
  it("gives ffff for nothing and for zeros", () => {
    expect<i32>(checksum(hex(""), 0)).toBe(0xffff);
    expect<i32>(checksum(hex("0000 0000 00"), 5)).toBe(0xffff);
  });
  it("verifies a real IPv4 header to 0 (checksum b861 in place)", () => {
    // 45 00 0073 0000 4000 40 11 b861 c0a80001 c0a800c7: 192.168.0.1 -> 192.168.0.199, UDP
    const p = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    expect<i32>(checksum(p, 20)).toBe(0);
    store<u16>(p, 0, 10);
    expect<i32>(checksum(p, 20)).toBe(0xb861);
  });
  it("agrees with the reference at every length 0..64 and every alignment 0..7", () => {
    const buf = heap.alloc(80);
    let seed: u32 = 0x1234567;
    for (let i = 0; i < 80; i++) { seed = seed * 1103515245 + 12345; store<u8>(buf + <usize>i, <u8>(seed >>> 24)); }
    for (let a = 0; a < 8; a++) {
      for (let n = 0; n <= 64; n++) {
        expect<i32>(checksum(buf + <usize>a, n)).toBe(refChecksum(buf + <usize>a, n));
      }
    }
  });
  it("agrees with the reference at every length 0..1500 (the 32-byte loop many times, every tail)", () => {
    const buf = heap.alloc(1508);
    let seed: u32 = 0x9e3779b9;
    for (let i = 0; i < 1508; i++) { seed = seed * 1103515245 + 12345; store<u8>(buf + <usize>i, <u8>(seed >>> 24)); }
    for (let n = 0; n <= 1500; n++) expect<i32>(checksum(buf + <usize>(n & 7), n)).toBe(refChecksum(buf + <usize>(n & 7), n));
    memory.fill(buf, 0xff, 1508);
    for (let n = 1400; n <= 1500; n++) expect<i32>(checksum(buf, n)).toBe(refChecksum(buf, n));
  });
  it("agrees with the reference on all-ones data (carries in every word)", () => {
    const buf = heap.alloc(70);
    memory.fill(buf, 0xff, 70);
    for (let n = 0; n <= 70; n++) expect<i32>(checksum(buf, n)).toBe(refChecksum(buf, n));
  });
  it("sums in pieces of even length the same as at once", () => {
    const p = hex("0001 f203 f4f5 f6f7 1234 5678 9abc def0 ab");
    const whole = checksum(p, 17);
    for (let cut = 0; cut <= 16; cut += 2) {
      expect<i32>(csumFinish(csumAdd(csumAdd(0, p, cut), p + <usize>cut, 17 - cut))).toBe(whole);
    }
  });
  it("adds the UDP pseudo header (RFC 768): 192.168.0.1 -> 192.168.0.199, 13 bytes", () => {
    // src port 1234, dst port 434, length 13, checksum 3365, "hello"
    const p = hex("04d2 01b2 000d 3365 6865 6c6c 6f");
    const ph = pseudoHeaderSum(0xc0a80001, 0xc0a800c7, 17, 13);
    expect<i32>(csumFinish(csumAdd(ph, p, 13))).toBe(0);
    store<u16>(p, 0, 6);
    expect<i32>(csumFinish(csumAdd(ph, p, 13))).toBe(0x3365);
  });
});
