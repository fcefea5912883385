// IPsec AH header codec (RFC 2402 §2; 96-bit ICV of RFC 2403 / RFC 2404): the AH header of a packet
// scapy 2.5.0 built (test/vectors/ah-vectors.py, SHA1_UDP), every truncated length, Payload Len other
// than 4, nonzero Reserved accepted (§2.3), emit into 0xa5 and capacity limits.
import {
  AhErr, ahCheck, ahNextHeader, ahLen, ahSpi, ahSeq, ahIcv, ahSetSeq, ahEmit,
  AH_HEADER_LEN, AH_ICV_LEN, AH_PAYLOAD_LEN_96,
} from "../../assembly/wire/ah";
import { hex, filled, hexOf } from "./helpers";

// Bytes 40..63 of scapy's SHA1_UDP: Next Header 17, Payload Len 4, Reserved 0, SPI 0x1000, Sequence 1, ICV.
const SCAPY_AH = "11 04 0000 00001000 00000001 1fcbe549c91c9f44b194f4f3";

describe("ahCheck and accessors on scapy's AH header", () => {
  it("accepts it and reads every field", () => {
    const h = hex(SCAPY_AH);
    expect<i32>(ahCheck(h, 24)).toBe(AhErr.OK);
    expect<i32>(ahCheck(h, 1000)).toBe(AhErr.OK);
    expect<i32>(ahNextHeader(h)).toBe(17);
    expect<i32>(ahLen(h)).toBe(24);
    expect<u32>(ahSpi(h)).toBe(0x1000);
    expect<u32>(ahSeq(h)).toBe(1);
    expect<usize>(ahIcv(h)).toBe(h + 12);
    expect<string>(hexOf(ahIcv(h), AH_ICV_LEN)).toStrictEqual("1fcbe549c91c9f44b194f4f3");
  });
  it("refuses every truncated length", () => {
    const h = hex(SCAPY_AH);
    for (let n = -1; n < AH_HEADER_LEN; n++) expect<i32>(ahCheck(h, n)).toBe(AhErr.TRUNCATED, "avail " + n.toString());
  });
  it("refuses a Payload Len that is not a 96-bit ICV's", () => {
    const h = hex(SCAPY_AH);
    const lens: u8[] = [0, 1, 3, 5, 6, 255];
    for (let i = 0; i < lens.length; i++) {
      store<u8>(h, lens[i], 1);
      expect<i32>(ahCheck(h, 1100)).toBe(AhErr.BAD_LEN, "payload len " + lens[i].toString());
    }
    store<u8>(h, 6, 1);
    expect<i32>(ahLen(h)).toBe(32); // (6 + 2) * 4, RFC 2402 §2.2
  });
  it("accepts a nonzero Reserved (RFC 2402 §2.3: ignored by the recipient, covered by the ICV)", () => {
    const h = hex(SCAPY_AH);
    store<u16>(h, 0xffff, 2);
    expect<i32>(ahCheck(h, 24)).toBe(AhErr.OK);
  });
  it("reads big SPI and sequence values in network order", () => {
    const h = hex("3b 04 0000 fedcba98 80000001 000000000000000000000000");
    expect<u32>(ahSpi(h)).toBe(0xfedcba98);
    expect<u32>(ahSeq(h)).toBe(0x80000001);
    ahSetSeq(h, 0x01020304);
    expect<string>(hexOf(h + 8, 4)).toStrictEqual("01020304");
  });
});

describe("ahEmit", () => {
  it("writes scapy's header with the ICV zeroed, nothing past 24 bytes", () => {
    const h = filled(40);
    expect<i32>(ahEmit(h, 40, 17, 0x1000, 1)).toBe(24);
    expect<string>(hexOf(h, 24)).toStrictEqual("110400000000100000000001000000000000000000000000");
    expect<u8>(load<u8>(h, 24)).toBe(0xa5);
    expect<u8>(load<u8>(h, 1)).toBe(AH_PAYLOAD_LEN_96);
    expect<i32>(ahCheck(h, 24)).toBe(AhErr.OK);
  });
  it("writes exactly 24 bytes into a 24-byte capacity and refuses 23", () => {
    const h = filled(30);
    expect<i32>(ahEmit(h, 23, 17, 0x1000, 1)).toBe(-AhErr.NO_ROOM);
    expect<u8>(load<u8>(h)).toBe(0xa5);
    expect<i32>(ahEmit(h, 24, 58, 0xfedcba98, 0xffffffff)).toBe(24);
    expect<string>(hexOf(h, 25)).toStrictEqual("3a040000fedcba98ffffffff000000000000000000000000a5");
  });
});
