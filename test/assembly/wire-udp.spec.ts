// UDP (RFC 768, RFC 1122 §4.1.3.4): a known datagram with its pseudo-header checksum, zero checksum =
// none, every truncated length, every inconsistent Length field, emit into 0xa5, 0 sent as ffff;
// udpIpEmit: IPv4 + UDP headers in front of a message, both checksums filled.
import {
  UdpErr, udpCheck, udpSrcPort, udpDstPort, udpLength, udpChecksum, udpPayload, udpEmit, udpFillChecksum, udpIpEmit,
  UDP_PORT_MIP
} from "../../assembly/wire/udp";
import { Ipv4Err, ipv4Check } from "../../assembly/wire/ipv4";

import { hex, filled, hexOf } from "./helpers";

// 192.168.0.1:1234 -> 192.168.0.199:434, "hello" (odd length: the checksum pads a zero byte)
const SRC: u32 = 0xc0a80001;
const DST: u32 = 0xc0a800c7;
const DGRAM =
  "04d2" +       // source port 1234
  "01b2" +       // destination port 434 (Mobile IP registration)
  "000d" +       // length 13
  "3365" +       // checksum over pseudo header + datagram
  "68656c6c6f";  // "hello"
const LEN: i32 = 13;

describe("udp: parse", () => {
  it("reads a known datagram and verifies its checksum", () => {
    const p = hex(DGRAM);
    expect<i32>(udpCheck(p, LEN, SRC, DST)).toBe(UdpErr.OK);
    expect<i32>(udpSrcPort(p)).toBe(1234);
    expect<i32>(udpDstPort(p)).toBe(UDP_PORT_MIP);
    expect<i32>(udpLength(p)).toBe(13);
    expect<i32>(udpChecksum(p)).toBe(0x3365);
    expect<usize>(udpPayload(p)).toBe(p + 8);
    expect<u8>(load<u8>(udpPayload(p))).toBe(0x68);
  });
  it("refuses a wrong checksum: payload byte, addresses swapped, another destination", () => {
    const p = hex(DGRAM);
    expect<i32>(udpCheck(p, LEN, DST, SRC)).toBe(UdpErr.OK); // swapping is sum-neutral...
    expect<i32>(udpCheck(p, LEN, SRC, DST + 1)).toBe(UdpErr.BAD_CHECKSUM); // ...another address is not
    store<u8>(p, 0x69, 12);
    expect<i32>(udpCheck(p, LEN, SRC, DST)).toBe(UdpErr.BAD_CHECKSUM);
  });
  it("accepts checksum 0 as none whatever the content", () => {
    const p = hex(DGRAM);
    store<u16>(p, 0, 6);
    store<u8>(p, 0x69, 12);
    expect<i32>(udpCheck(p, LEN, SRC, DST)).toBe(UdpErr.OK);
  });
  it("refuses every truncated length 0..7", () => {
    const p = hex(DGRAM);
    for (let n = 0; n < 8; n++) expect<i32>(udpCheck(p, n, SRC, DST)).toBe(UdpErr.TRUNCATED);
  });
  it("refuses Length larger than the IP payload (every length 8..12)", () => {
    const p = hex(DGRAM);
    for (let n = 8; n < LEN; n++) expect<i32>(udpCheck(p, n, SRC, DST)).toBe(UdpErr.BAD_LENGTH);
  });
  it("refuses Length < 8 (0..7)", () => {
    const p = hex(DGRAM);
    for (let l = 0; l < 8; l++) {
      store<u16>(p, bswap<u16>(<u16>l), 4);
      expect<i32>(udpCheck(p, LEN, SRC, DST)).toBe(UdpErr.BAD_LENGTH);
    }
  });
  it("accepts an IP payload longer than Length (trailing bytes ignored)", () => {
    const p = hex(DGRAM + "deadbeef");
    expect<i32>(udpCheck(p, LEN + 4, SRC, DST)).toBe(UdpErr.OK);
    expect<i32>(udpLength(p)).toBe(13);
  });
});

describe("udp: emit", () => {
  it("writes the header into a 0xa5 buffer, checksum 0 until filled, then the known one", () => {
    const b = filled(LEN + 3);
    memory.copy(b + 8, hex("68656c6c6f"), 5);
    expect<i32>(udpEmit(b, 1234, 434, 5)).toBe(LEN);
    expect<string>(hexOf(b, 8)).toStrictEqual("04d201b2000d0000");
    expect<i32>(udpCheck(b, LEN, SRC, DST)).toBe(UdpErr.OK); // no checksum yet
    udpFillChecksum(b, SRC, DST);
    expect<string>(hexOf(b, LEN + 3)).toStrictEqual(DGRAM + "a5a5a5");
  });
  it("round-trips an even-length and an empty datagram", () => {
    const b = filled(40);
    for (let i = 0; i < 32; i++) store<u8>(b + 8 + <usize>i, <u8>(i * 7));
    const n = udpEmit(b, 434, 434, 32);
    udpFillChecksum(b, 0x0a000001, 0x0a000002);
    expect<i32>(udpCheck(b, n, 0x0a000001, 0x0a000002)).toBe(UdpErr.OK);
    const e = filled(10);
    expect<i32>(udpEmit(e, 1, 2, 0)).toBe(8);
    udpFillChecksum(e, 0x0a000001, 0x0a000002);
    expect<i32>(udpCheck(e, 8, 0x0a000001, 0x0a000002)).toBe(UdpErr.OK);
    expect<string>(hexOf(e + 8, 2)).toStrictEqual("a5a5");
  });
  it("sends a computed checksum of 0 as ffff (RFC 768)", () => {
    // Choose the last data word so that the sum becomes ffff: first fill with it zero, then put
    // the checksum found there into the data; the datagram then sums to -0 and computes to 0.
    const b = filled(12);
    store<u16>(b + 8, 0);
    udpEmit(b, 1234, 434, 2);
    udpFillChecksum(b, SRC, DST);
    const c = <u16>udpChecksum(b);
    store<u16>(b + 8, bswap<u16>(c));
    udpFillChecksum(b, SRC, DST);
    expect<i32>(udpChecksum(b)).toBe(0xffff);
    expect<i32>(udpCheck(b, 10, SRC, DST)).toBe(UdpErr.OK);
  });
});

// The datagram above behind a 20-byte IPv4 header, Identification 0x1234, TTL 64.
const IP_HDR =
  "4500" +       // version 4, IHL 5, TOS 0
  "0021" +       // total length 33 = 20 + 8 + 5
  "1234" +       // identification
  "0000" +       // no flags, offset 0
  "4011" +       // TTL 64, protocol 17 (UDP)
  "e67f" +       // header checksum
  "c0a80001" +   // source 192.168.0.1
  "c0a800c7";    // destination 192.168.0.199

describe("udp: udpIpEmit", () => {
  it("writes both headers and checksums in front of the data into a 0xa5 buffer", () => {
    const b = filled(20 + LEN + 3);
    memory.copy(b + 28, hex("68656c6c6f"), 5);
    expect<i32>(udpIpEmit(b, 0x1234, 64, SRC, DST, 1234, 434, 5)).toBe(20 + LEN);
    expect<string>(hexOf(b, 20 + LEN + 3)).toStrictEqual(IP_HDR + DGRAM + "a5a5a5");
    expect<i32>(ipv4Check(b, 20 + LEN)).toBe(Ipv4Err.OK);
    expect<i32>(udpCheck(b + 20, LEN, SRC, DST)).toBe(UdpErr.OK);
  });
  it("an empty message: 28 bytes, nothing written past them", () => {
    const b = filled(32);
    expect<i32>(udpIpEmit(b, 7, 1, 0, 0xffffffff, 68, 67, 0)).toBe(28);
    expect<i32>(ipv4Check(b, 28)).toBe(Ipv4Err.OK);
    expect<i32>(udpCheck(b + 20, 8, 0, 0xffffffff)).toBe(UdpErr.OK);
    expect<i32>(udpLength(b + 20)).toBe(8);
    expect<string>(hexOf(b + 28, 4)).toStrictEqual("a5a5a5a5");
  });
});
