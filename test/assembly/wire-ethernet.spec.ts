// Ethernet II (RFC 894): a real broadcast ARP frame header, every truncated length, emit into 0xa5,
// MAC helpers and the IPv4 multicast mapping (RFC 1112 §6.4).
import {
  EthErr, ethCheck, ethDst, ethSrc, ethType, ethPayload, ethSetType, ethEmit, ETH_HEADER_LEN,
  ETHERTYPE_ARP, ETHERTYPE_IPV4, macIsBroadcast, macIsGroup, macIsZero, macEqual, macSetBroadcast,
  macSetIpv4Multicast
} from "../../assembly/wire/ethernet";

import { hex, filled, hexOf } from "./helpers";

// Start of a broadcast ARP request as captured:
//   ff ff ff ff ff ff   destination: broadcast
//   00 1b 21 3a 4f 5c   source
//   08 06               EtherType ARP
//   00 01 ...           payload (ARP hardware type)
const FRAME = "ffffffffffff 001b213a4f5c 0806 0001";

describe("ethernet: parse", () => {
  it("reads a real frame header", () => {
    const p = hex(FRAME);
    expect<i32>(ethCheck(p, 16)).toBe(EthErr.OK);
    expect<bool>(macIsBroadcast(ethDst(p))).toBe(true);
    expect<string>(hexOf(ethSrc(p), 6)).toStrictEqual("001b213a4f5c");
    expect<i32>(ethType(p)).toBe(ETHERTYPE_ARP);
    expect<usize>(ethPayload(p)).toBe(p + 14);
    expect<u16>(load<u8>(ethPayload(p), 1)).toBe(1);
  });
  it("accepts exactly the header (no payload)", () => {
    expect<i32>(ethCheck(hex(FRAME), 14)).toBe(EthErr.OK);
  });
  it("refuses every truncated length 0..13", () => {
    const p = hex(FRAME);
    for (let n = 0; n < ETH_HEADER_LEN; n++) expect<i32>(ethCheck(p, n)).toBe(EthErr.TRUNCATED);
  });
  it("refuses a negative length", () => {
    expect<i32>(ethCheck(hex(FRAME), -1)).toBe(EthErr.TRUNCATED);
  });
});

describe("ethernet: emit", () => {
  it("writes exactly 14 bytes into a 0xa5 buffer, round trip to the real header", () => {
    const b = filled(20);
    ethEmit(b, hex("ffffffffffff"), hex("001b213a4f5c"), ETHERTYPE_ARP);
    expect<string>(hexOf(b, 20)).toStrictEqual("ffffffffffff001b213a4f5c0806a5a5a5a5a5a5");
    expect<i32>(ethCheck(b, 14)).toBe(EthErr.OK);
    expect<i32>(ethType(b)).toBe(ETHERTYPE_ARP);
  });
  it("answers in place: swaps the addresses of the frame it writes over (both read before either is written)", () => {
    const b = hex("001b213a4f5c 02000000000a 0800");
    ethEmit(b, b + 6, b, ETHERTYPE_IPV4); // to the sender, from the old destination
    expect<string>(hexOf(b, 14)).toStrictEqual("02000000000a001b213a4f5c0800");
    const c = hex("001b213a4f5c 02000000000a 0806 a5a5a5a5");
    ethEmit(c, c + 2, c + 8, ETHERTYPE_ARP); // overlapping windows: the bytes as they were on entry
    expect<string>(hexOf(c, 18)).toStrictEqual("213a4f5c0200" + "0000000a0806" + "0806a5a5a5a5");
  });
  it("sets the EtherType alone", () => {
    const b = filled(16);
    ethSetType(b, ETHERTYPE_IPV4);
    expect<string>(hexOf(b, 16)).toStrictEqual("a5a5a5a5a5a5a5a5a5a5a5a50800a5a5");
  });
});

describe("ethernet: MAC helpers", () => {
  it("classifies addresses", () => {
    expect<bool>(macIsBroadcast(hex("ffffffffffff"))).toBe(true);
    expect<bool>(macIsBroadcast(hex("fffffffffffe"))).toBe(false);
    expect<bool>(macIsBroadcast(hex("7fffffffffff"))).toBe(false);
    expect<bool>(macIsGroup(hex("01005e000001"))).toBe(true);
    expect<bool>(macIsGroup(hex("ffffffffffff"))).toBe(true);
    expect<bool>(macIsGroup(hex("020000000001"))).toBe(false);
    expect<bool>(macIsZero(hex("000000000000"))).toBe(true);
    expect<bool>(macIsZero(hex("000000000001"))).toBe(false);
    expect<bool>(macEqual(hex("001b213a4f5c"), hex("001b213a4f5c"))).toBe(true);
    expect<bool>(macEqual(hex("001b213a4f5c"), hex("001b213a4f5d"))).toBe(false);
    expect<bool>(macEqual(hex("011b213a4f5c"), hex("001b213a4f5c"))).toBe(false);
  });
  it("writes the broadcast address", () => {
    const b = filled(8);
    macSetBroadcast(b);
    expect<string>(hexOf(b, 8)).toStrictEqual("ffffffffffffa5a5");
  });
  it("maps IPv4 multicast groups to 01:00:5e + low 23 bits", () => {
    const b = filled(8);
    macSetIpv4Multicast(b, 0xe0000001); // 224.0.0.1, all systems (router advertisements)
    expect<string>(hexOf(b, 8)).toStrictEqual("01005e000001a5a5");
    macSetIpv4Multicast(b, 0xe0000002); // 224.0.0.2, all routers (solicitations)
    expect<string>(hexOf(b, 6)).toStrictEqual("01005e000002");
    macSetIpv4Multicast(b, 0xeffffffa); // 239.255.255.250: bit 23 of the group is dropped
    expect<string>(hexOf(b, 6)).toStrictEqual("01005e7ffffa");
  });
});
