// Minimal encapsulation (RFC 2004): in-place encapsulation moving only the IP header into headroom,
// with and without the original source (S), decapsulation restoring the original bytes, the
// minimal-header checksum, fragments refused, every truncated and inconsistent length.
import {
  MinEncErr, MINENC_LEN, MINENC_LEN_S, MINENC_FLAG_S, minEncEncap, minEncDecap, minEncCheck,
  minEncHeader, minEncHdrLen, minEncProto, minEncHasSrc, minEncChecksum, minEncOrigDst,
  minEncOrigSrc, minEncHeaderEmit,
} from "../../assembly/wire/minenc";
import { ipv4Check, ipv4FillChecksum, IP_TOTAL_LEN, IP_FLAGS_FRAG, IP_PROTO } from "../../assembly/wire/ipv4";
import { checksum } from "../../assembly/wire/checksum";
import { withHeadroom, expectBytes } from "./helpers";

const HEADROOM: i32 = 32;

// Original datagram: UDP from the correspondent 10.0.0.9 to the mobile node's home address 10.0.0.5.
const ORIG: u8[] = [
  0x45, 0x00, 0x00, 0x1c, // version 4, IHL 5, TOS 0, Total Length 28
  0x00, 0x01, 0x00, 0x00, // Identification 1, no flags, offset 0
  0x40, 0x11, 0x66, 0xc3, // TTL 64, protocol 17 (UDP), header checksum
  0x0a, 0x00, 0x00, 0x09, // source 10.0.0.9
  0x0a, 0x00, 0x00, 0x05, // destination 10.0.0.5
  0x04, 0xd2, 0x16, 0x2e, // UDP ports 1234 -> 5678
  0x00, 0x08, 0x00, 0x00, // UDP length 8, checksum 0
];
// Encapsulated by the home agent 10.0.0.1 towards the care-of address 192.168.1.1 (S = 1).
const ENC_S: u8[] = [
  0x45, 0x00, 0x00, 0x28, // Total Length 28 + 12 = 40
  0x00, 0x01, 0x00, 0x00, // Identification, flags unchanged
  0x40, 0x37, 0xae, 0xf4, // TTL unchanged, protocol 55, new header checksum
  0x0a, 0x00, 0x00, 0x01, // source: the encapsulator 10.0.0.1
  0xc0, 0xa8, 0x01, 0x01, // destination: the tunnel exit 192.168.1.1
  0x11, 0x80, 0xda, 0x71, // minimal header: Protocol 17, S=1, reserved 0, checksum 0xda71
  0x0a, 0x00, 0x00, 0x05, // Original Destination 10.0.0.5
  0x0a, 0x00, 0x00, 0x09, // Original Source 10.0.0.9
  0x04, 0xd2, 0x16, 0x2e, // payload, not moved
  0x00, 0x08, 0x00, 0x00,
];
// Original datagram sent by the home agent itself (source 10.0.0.1) to the mobile node.
const ORIG2: u8[] = [
  0x45, 0x00, 0x00, 0x1c, // Total Length 28
  0x00, 0x02, 0x00, 0x00, // Identification 2
  0x40, 0x11, 0x66, 0xca, // TTL 64, UDP, checksum
  0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1 (= the encapsulator)
  0x0a, 0x00, 0x00, 0x05, // destination 10.0.0.5
  0x04, 0xd2, 0x16, 0x2e,
  0x00, 0x08, 0x00, 0x00,
];
// ... encapsulated without the original source (S = 0).
const ENC2: u8[] = [
  0x45, 0x00, 0x00, 0x24, // Total Length 28 + 8 = 36
  0x00, 0x02, 0x00, 0x00,
  0x40, 0x37, 0xae, 0xf7, // protocol 55, header checksum
  0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1
  0xc0, 0xa8, 0x01, 0x01, // destination 192.168.1.1
  0x11, 0x00, 0xe4, 0xfa, // minimal header: Protocol 17, S=0, checksum 0xe4fa
  0x0a, 0x00, 0x00, 0x05, // Original Destination 10.0.0.5
  0x04, 0xd2, 0x16, 0x2e, // payload
  0x00, 0x08, 0x00, 0x00,
];


describe("minimal encapsulation", () => {
  it("encapsulates with S, moving only the IP header", () => {
    const p = withHeadroom(ORIG, HEADROOM);
    const n = minEncEncap(p, 28, HEADROOM, 0x0a000001, 0xc0a80101);
    expect<i32>(n).toBe(MINENC_LEN_S);
    const q = p - <usize>n;
    expectBytes(q, ENC_S);
    for (let i = 0; i < HEADROOM - 12; i++) expect<u8>(load<u8>(q - 1 - <usize>i)).toBe(0xa5);
    expect<u8>(load<u8>(p + 28)).toBe(0xa5);
    expect<i32>(minEncCheck(q, 40)).toBe(MinEncErr.OK);
    const mh = minEncHeader(q);
    expect<usize>(mh).toBe(q + 20);
    expect<i32>(minEncHdrLen(mh)).toBe(12);
    expect<i32>(minEncProto(mh)).toBe(17);
    expect<bool>(minEncHasSrc(mh)).toBe(true);
    expect<i32>(minEncChecksum(mh)).toBe(0xda71);
    expect<u32>(minEncOrigDst(mh)).toBe(0x0a000005);
    expect<u32>(minEncOrigSrc(mh)).toBe(0x0a000009);
  });

  it("encapsulates without S when the encapsulator is the original source", () => {
    const p = withHeadroom(ORIG2, HEADROOM);
    const n = minEncEncap(p, 28, HEADROOM, 0x0a000001, 0xc0a80101);
    expect<i32>(n).toBe(MINENC_LEN);
    const q = p - 8;
    expectBytes(q, ENC2);
    expect<u8>(load<u8>(q - 1)).toBe(0xa5);
    expect<i32>(minEncCheck(q, 36)).toBe(MinEncErr.OK);
    expect<bool>(minEncHasSrc(minEncHeader(q))).toBe(false);
    expect<i32>(minEncHdrLen(minEncHeader(q))).toBe(8);
  });

  it("decapsulates back to the original bytes (both forms)", () => {
    const q = withHeadroom(ENC_S, HEADROOM);
    const n = minEncDecap(q, 40);
    expect<i32>(n).toBe(12);
    expectBytes(q + 12, ORIG);
    expect<i32>(ipv4Check(q + 12, 28)).toBe(0);
    const q2 = withHeadroom(ENC2, HEADROOM);
    expect<i32>(minEncDecap(q2, 36)).toBe(8);
    expectBytes(q2 + 8, ORIG2);
  });

  it("round-trips a header with options (IHL 6)", () => {
    const b = ORIG.slice(0);
    b[0] = 0x46; b[3] = 32;
    const opt: u8[] = [0x01, 0x01, 0x01, 0x00]; // NOP NOP NOP EOL
    const withOpt = b.slice(0, 20).concat(opt).concat(b.slice(20));
    const p = withHeadroom(withOpt, HEADROOM);
    ipv4FillChecksum(p);
    const before = withOpt.slice(0);
    for (let i = 0; i < 24; i++) before[i] = load<u8>(p + <usize>i);
    const n = minEncEncap(p, 32, HEADROOM, 0x0a000001, 0xc0a80101);
    expect<i32>(n).toBe(12);
    const q = p - 12;
    expect<i32>(minEncCheck(q, 44)).toBe(MinEncErr.OK);
    expect<u8>(load<u8>(q, 20)).toBe(0x01);          // options moved with the header
    expect<u8>(load<u8>(q, 24)).toBe(17);            // minimal header right after the options
    expect<i32>(minEncDecap(q, 44)).toBe(12);
    expectBytes(p, before);
  });

  it("refuses fragments (RFC 2004 §3) and changes nothing", () => {
    const p = withHeadroom(ORIG, HEADROOM);
    store<u16>(p, bswap<u16>(0x2000), IP_FLAGS_FRAG); // MF
    ipv4FillChecksum(p);
    expect<i32>(minEncEncap(p, 28, HEADROOM, 0x0a000001, 0xc0a80101)).toBe(-MinEncErr.FRAGMENT);
    store<u16>(p, bswap<u16>(0x0003), IP_FLAGS_FRAG); // offset 24
    ipv4FillChecksum(p);
    expect<i32>(minEncEncap(p, 28, HEADROOM, 0x0a000001, 0xc0a80101)).toBe(-MinEncErr.FRAGMENT);
    expect<u8>(load<u8>(p - 1)).toBe(0xa5);
    store<u16>(p, bswap<u16>(0x4000), IP_FLAGS_FRAG); // DF alone is not a fragment
    ipv4FillChecksum(p);
    expect<i32>(minEncEncap(p, 28, HEADROOM, 0x0a000001, 0xc0a80101)).toBe(12);
    // received fragments are refused too
    const q = withHeadroom(ENC_S, HEADROOM);
    store<u16>(q, bswap<u16>(0x2000), IP_FLAGS_FRAG);
    ipv4FillChecksum(q);
    expect<i32>(minEncCheck(q, 40)).toBe(MinEncErr.FRAGMENT);
  });

  it("refuses without enough headroom or when the result would be too big", () => {
    const p = withHeadroom(ORIG, HEADROOM);
    for (let h = 0; h < 12; h++) expect<i32>(minEncEncap(p, 28, h, 0x0a000001, 2)).toBe(-MinEncErr.NO_HEADROOM);
    const p2 = withHeadroom(ORIG2, HEADROOM);
    for (let h = 0; h < 8; h++) expect<i32>(minEncEncap(p2, 28, h, 0x0a000001, 2)).toBe(-MinEncErr.NO_HEADROOM);
    expect<i32>(minEncEncap(p2, 28, 8, 0x0a000001, 2)).toBe(8);
    expectBytes(p, ORIG);
    // Total Length 65530 + 8 > 65535
    const size = 65530;
    const bp = heap.alloc(<usize>(size + HEADROOM));
    memory.fill(bp, 0, <usize>(size + HEADROOM));
    const big = bp + <usize>HEADROOM;
    for (let i = 0; i < 20; i++) store<u8>(big + <usize>i, ORIG2[i]);
    store<u16>(big, bswap<u16>(<u16>size), IP_TOTAL_LEN);
    ipv4FillChecksum(big);
    expect<i32>(minEncEncap(big, size, HEADROOM, 0x0a000001, 2)).toBe(-MinEncErr.TOO_BIG);
  });

  it("refuses a bad IP header when encapsulating", () => {
    const p = withHeadroom(ORIG, HEADROOM);
    for (let n = 0; n < 20; n++) expect<i32>(minEncEncap(p, n, HEADROOM, 1, 2)).toBe(-MinEncErr.TRUNCATED);
    for (let n = 20; n < 28; n++) expect<i32>(minEncEncap(p, n, HEADROOM, 1, 2)).toBe(-MinEncErr.BAD_TOTAL_LEN);
    store<u8>(p, 0x00, 11);
    expect<i32>(minEncEncap(p, 28, HEADROOM, 1, 2)).toBe(-MinEncErr.BAD_IP_CHECKSUM);
  });
});

describe("minimal encapsulation check", () => {
  it("refuses every truncated length", () => {
    const q = withHeadroom(ENC_S, HEADROOM);
    for (let n = 0; n < 40; n++) {
      const want = n < 20 ? MinEncErr.TRUNCATED : MinEncErr.BAD_TOTAL_LEN;
      expect<i32>(minEncCheck(q, n)).toBe(want, "len " + n.toString());
      expect<i32>(minEncDecap(q, n)).toBe(-want);
    }
    expectBytes(q, ENC_S);
  });

  it("refuses a Total Length that cuts the minimal header", () => {
    // S form: Total Length 20..31 leaves fewer than 12 bytes
    for (let tl = 20; tl < 32; tl++) {
      const q = withHeadroom(ENC_S, HEADROOM);
      store<u16>(q, bswap<u16>(<u16>tl), IP_TOTAL_LEN);
      ipv4FillChecksum(q);
      expect<i32>(minEncCheck(q, 40)).toBe(MinEncErr.HEADER_TRUNCATED, "total " + tl.toString());
    }
    // short form: fewer than 8
    for (let tl = 20; tl < 28; tl++) {
      const q = withHeadroom(ENC2, HEADROOM);
      store<u16>(q, bswap<u16>(<u16>tl), IP_TOTAL_LEN);
      ipv4FillChecksum(q);
      expect<i32>(minEncCheck(q, 36)).toBe(MinEncErr.HEADER_TRUNCATED, "total " + tl.toString());
    }
    // exactly the header and no payload is well formed
    const q = withHeadroom(ENC2, HEADROOM);
    store<u16>(q, bswap<u16>(28), IP_TOTAL_LEN);
    ipv4FillChecksum(q);
    expect<i32>(minEncCheck(q, 36)).toBe(MinEncErr.OK);
  });

  it("refuses a wrong minimal header checksum and changes nothing", () => {
    const q = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q, 0xdb, 22); // checksum 0xdb71 instead of 0xda71
    expect<i32>(minEncCheck(q, 40)).toBe(MinEncErr.BAD_CHECKSUM);
    expect<i32>(minEncDecap(q, 40)).toBe(-MinEncErr.BAD_CHECKSUM);
    expect<u8>(load<u8>(q, 22)).toBe(0xdb);
    // flipping S without fixing the checksum is caught too
    const q2 = withHeadroom(ENC2, HEADROOM);
    store<u8>(q2, 0x80, 21);
    expect<i32>(minEncCheck(q2, 36)).toBe(MinEncErr.BAD_CHECKSUM);
    // an altered original destination is caught
    const q3 = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q3, 0x06, 27);
    expect<i32>(minEncCheck(q3, 40)).toBe(MinEncErr.BAD_CHECKSUM);
  });

  it("refuses other protocols and bad IP headers", () => {
    const q = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q, 4, IP_PROTO);
    ipv4FillChecksum(q);
    expect<i32>(minEncCheck(q, 40)).toBe(MinEncErr.NOT_MINENC);
    const q2 = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q2, 0x65);
    expect<i32>(minEncCheck(q2, 40)).toBe(MinEncErr.BAD_VERSION);
    const q3 = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q3, 0x44);
    expect<i32>(minEncCheck(q3, 40)).toBe(MinEncErr.BAD_HEADER_LEN);
    const q4 = withHeadroom(ENC_S, HEADROOM);
    store<u8>(q4, 0x00, 11);
    expect<i32>(minEncCheck(q4, 40)).toBe(MinEncErr.BAD_IP_CHECKSUM);
  });

  it("emits a minimal header writing every byte", () => {
    const mh = heap.alloc(16);
    memory.fill(mh, 0xa5, 16);
    expect<i32>(minEncHeaderEmit(mh, 6, true, 0x01020304, 0x05060708)).toBe(12);
    expect<u8>(load<u8>(mh)).toBe(6);
    expect<u8>(load<u8>(mh, 1)).toBe(MINENC_FLAG_S);
    expect<i32>(checksum(mh, 12)).toBe(0);
    expect<u32>(minEncOrigSrc(mh)).toBe(0x05060708);
    expect<u8>(load<u8>(mh, 12)).toBe(0xa5);
    memory.fill(mh, 0xa5, 16);
    expect<i32>(minEncHeaderEmit(mh, 6, false, 0x01020304, 0x05060708)).toBe(8);
    expect<u8>(load<u8>(mh, 1)).toBe(0);
    expect<i32>(checksum(mh, 8)).toBe(0);
    expect<u8>(load<u8>(mh, 8)).toBe(0xa5);
  });
});
