// ARP for Ethernet/IPv4 (RFC 826): a real request, every truncated length, every wrong fixed field,
// emit into 0xa5 (request, reply built in place, gratuitous form).
import {
  ArpErr, arpCheck, arpHtype, arpPtype, arpOper, arpSha, arpSpa, arpTha, arpTpa, arpEmit,
  ARP_LEN, ARP_OP_REQUEST, ARP_OP_REPLY
} from "../../assembly/wire/arp";

import { hex, filled, hexOf } from "./helpers";

// Who has 192.168.1.1? Tell 192.168.1.100 (a real request as captured):
const REQUEST =
  "0001" +         // hardware type: Ethernet
  "0800" +         // protocol type: IPv4
  "06" + "04" +    // hardware / protocol address lengths
  "0001" +         // operation: request
  "001b213a4f5c" + // sender MAC
  "c0a80164" +     // sender IP 192.168.1.100
  "000000000000" + // target MAC: unknown
  "c0a80101";      // target IP 192.168.1.1
// 192.168.1.1 is at 02:00:00:00:00:01 (the reply to it)
const REPLY = "0001 0800 06 04 0002 020000000001 c0a80101 001b213a4f5c c0a80164";

describe("arp: parse", () => {
  it("reads a real request", () => {
    const p = hex(REQUEST);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.OK);
    expect<i32>(arpHtype(p)).toBe(1);
    expect<i32>(arpPtype(p)).toBe(0x0800);
    expect<i32>(arpOper(p)).toBe(ARP_OP_REQUEST);
    expect<string>(hexOf(arpSha(p), 6)).toStrictEqual("001b213a4f5c");
    expect<u32>(arpSpa(p)).toBe(0xc0a80164);
    expect<string>(hexOf(arpTha(p), 6)).toStrictEqual("000000000000");
    expect<u32>(arpTpa(p)).toBe(0xc0a80101);
  });
  it("reads a reply", () => {
    const p = hex(REPLY);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.OK);
    expect<i32>(arpOper(p)).toBe(ARP_OP_REPLY);
    expect<u32>(arpSpa(p)).toBe(0xc0a80101);
  });
  it("accepts trailing Ethernet padding (46-byte payload)", () => {
    expect<i32>(arpCheck(hex(REQUEST + "000000000000000000000000000000000000"), 46)).toBe(ArpErr.OK);
  });
  it("refuses every truncated length 0..27", () => {
    const p = hex(REQUEST);
    for (let n = 0; n < ARP_LEN; n++) expect<i32>(arpCheck(p, n)).toBe(ArpErr.TRUNCATED);
  });
  it("refuses other hardware types (IEEE 802 = 6)", () => {
    const p = hex(REQUEST); store<u8>(p, 6, 1);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_HTYPE);
  });
  it("refuses other protocol types (IPv6 EtherType)", () => {
    const p = hex(REQUEST); store<u16>(p, bswap<u16>(0x86dd), 2);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_PTYPE);
  });
  it("refuses hardware length != 6 and protocol length != 4", () => {
    let p = hex(REQUEST); store<u8>(p, 8, 4);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_HLEN);
    p = hex(REQUEST); store<u8>(p, 16, 5);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_PLEN);
  });
  it("refuses operations other than request and reply (0, 3 RARP, 0x0100)", () => {
    let p = hex(REQUEST); store<u8>(p, 0, 7);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_OPER);
    p = hex(REQUEST); store<u8>(p, 3, 7);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_OPER);
    p = hex(REQUEST); store<u8>(p, 1, 6); store<u8>(p, 0, 7);
    expect<i32>(arpCheck(p, 28)).toBe(ArpErr.BAD_OPER);
  });
});

describe("arp: emit", () => {
  it("writes exactly the 28 bytes of the real request into a 0xa5 buffer (tha 0 -> zeros)", () => {
    const b = filled(32);
    arpEmit(b, <u8>ARP_OP_REQUEST, hex("001b213a4f5c"), 0xc0a80164, 0, 0xc0a80101);
    expect<string>(hexOf(b, 32)).toStrictEqual(REQUEST + "a5a5a5a5");
    expect<i32>(arpCheck(b, 28)).toBe(ArpErr.OK);
  });
  it("builds the reply in place over the request it answers", () => {
    const p = hex(REQUEST);
    arpEmit(p, <u8>ARP_OP_REPLY, hex("020000000001"), arpTpa(p), arpSha(p), arpSpa(p));
    expect<string>(hexOf(p, 28)).toStrictEqual(hexOf(hex(REPLY), 28));
  });
  it("round-trips: parse what was emitted", () => {
    const b = filled(28);
    arpEmit(b, <u8>ARP_OP_REPLY, hex("0a0b0c0d0e0f"), 0x0a000001, hex("101112131415"), 0x0a000002);
    expect<i32>(arpCheck(b, 28)).toBe(ArpErr.OK);
    expect<i32>(arpOper(b)).toBe(ARP_OP_REPLY);
    expect<string>(hexOf(arpSha(b), 6)).toStrictEqual("0a0b0c0d0e0f");
    expect<u32>(arpSpa(b)).toBe(0x0a000001);
    expect<string>(hexOf(arpTha(b), 6)).toStrictEqual("101112131415");
    expect<u32>(arpTpa(b)).toBe(0x0a000002);
  });
  it("writes the gratuitous form: sender and target IP both the announced address", () => {
    const b = filled(28);
    arpEmit(b, <u8>ARP_OP_REQUEST, hex("020000000001"), 0xc0a80105, 0, 0xc0a80105);
    expect<string>(hexOf(b, 28)).toStrictEqual("0001080006040001020000000001c0a80105000000000000c0a80105");
  });
});
