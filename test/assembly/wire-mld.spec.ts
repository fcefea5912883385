// Multicast Listener Discovery (RFC 2710, wire/mld.ts). Expected bytes written out by hand from RFC 2710 §3
// (message layout), RFC 2711 §2.1 (Router Alert: 05 02, value 0 = MLD), RFC 2460 §4.2-4.3 (the Hop-by-Hop
// header is 8 octets: Next Header, Hdr Ext Len 0, the option, PadN 01 00) and the checksum summed by hand
// over the RFC 2460 §8.1 pseudo-header, in 16-bit words, not from this code:
//
// Report from fe80::1 to ff0e::101 for ff0e::101 (type 131, Maximum Response Delay 0):
//   source fe80 0001, destination ff0e 0101, upper-layer length 0018, next header 003a,
//   message 8300 (type, code) 0000 (delay) 0000 (reserved) ff0e 0101 (group)
//   fe80+0001+ff0e+0101+0018+003a+8300+ff0e+0101 = 0x381f1 -> 0x81f1 + 0x3 = 0x81f4 -> ~ = 0x7e0b
// General Query from fe80::1 to ff02::1 (type 130, Maximum Response Delay 1000 ms = 0x03e8, group ::):
//   fe80+0001+ff02+0001+0018+003a+8200+03e8 = 0x283be -> 0x83be + 0x2 = 0x83c0 -> ~ = 0x7c3f
import { mldEmit, mldFind, mldValid, mldMaxDelay, mldGroup, MLD_PACKET_LEN, MLD_REPORT, MLD_QUERY, MLD_DONE } from "../../assembly/wire/mld";
import { hex, filled, hexOf } from "./helpers";

const LL = "fe800000000000000000000000000001";  // fe80::1
const G = "ff0e0000000000000000000000000101";   // ff0e::101
const ALLN = "ff020000000000000000000000000001"; // ff02::1
const UNSPEC = "00000000000000000000000000000000";

//   6000 0000 | payload 0020 (8 + 24) | next header 00 (Hop-by-Hop) | hop limit 01 | source | destination
//   3a 00 | 05 02 0000 | 01 00 | MLD
const REPORT = "60000000 0020 00 01" + LL + G + "3a00 0502 0000 0100" + "83 00 7e0b 0000 0000" + G;
const QUERY = "60000000 0020 00 01" + LL + ALLN + "3a00 0502 0000 0100" + "82 00 7c3f 03e8 0000" + UNSPEC;

describe("MLD packets (RFC 2710 §3)", () => {
  it("a Report: hop limit 1, Router Alert in a Hop-by-Hop header, the group, the checksum", () => {
    const p = filled(96);
    expect<i32>(mldEmit(p, MLD_REPORT, 0, hex(G), hex(LL), hex(G))).toBe(72);
    expect<i32>(MLD_PACKET_LEN).toBe(72);
    expect<string>(hexOf(p, 72)).toBe(hexOf(hex(REPORT), 72));
  });
  it("a General Query: Maximum Response Delay, the unspecified group", () => {
    const p = filled(96);
    mldEmit(p, MLD_QUERY, 1000, hex(UNSPEC), hex(LL), hex(ALLN));
    expect<string>(hexOf(p, 72)).toBe(hexOf(hex(QUERY), 72));
  });
});

describe("finding and checking a received MLD message", () => {
  it("finds the message after the Hop-by-Hop header and reads its fields", () => {
    const p = hex(QUERY);
    expect<i32>(mldFind(p, 72)).toBe(48);
    expect<i32>(mldMaxDelay(p + 48)).toBe(1000);
    expect<string>(hexOf(mldGroup(p + 48), 16)).toBe(UNSPEC);
    expect<bool>(mldValid(p, 72, 48)).toBe(true);
    const r = hex(REPORT);
    expect<string>(hexOf(mldGroup(r + 48), 16)).toBe(G);
    expect<bool>(mldValid(r, 72, 48)).toBe(true);
  });
  it("finds one without a Hop-by-Hop header (the Router Alert is the sender's duty)", () => {
    // 6000 0000 0018 3a 01 | source | destination | the Report's 24 octets (checksum unchanged: the
    // pseudo-header does not cover the Hop-by-Hop header).
    const p = hex("60000000 0018 3a 01" + LL + G + "83 00 7e0b 0000 0000" + G);
    expect<i32>(mldFind(p, 64)).toBe(40);
    expect<bool>(mldValid(p, 64, 40)).toBe(true);
  });
  it("refuses other ICMPv6 types, a short message and a Hop-by-Hop header running past the end", () => {
    const p = hex(REPORT);
    store<u8>(p + 48, 128); // echo request
    expect<i32>(mldFind(p, 72)).toBe(-1);
    store<u8>(p + 48, 133); // Router Solicitation
    expect<i32>(mldFind(p, 72)).toBe(-1);
    store<u8>(p + 48, MLD_DONE);
    expect<i32>(mldFind(p, 72)).toBe(48);
    expect<i32>(mldFind(p, 71)).toBe(-1);
    expect<i32>(mldFind(p, 44)).toBe(-1);
    const q = hex(REPORT);
    store<u8>(q + 41, 9); // Hdr Ext Len 9: 80 octets
    expect<i32>(mldFind(q, 72)).toBe(-1);
  });
  it("believes only a link-local source, hop limit 1 and a right checksum", () => {
    const a = hex(REPORT);
    store<u8>(a + 7, 2);
    expect<bool>(mldValid(a, 72, 48)).toBe(false);
    const b = hex(REPORT);
    store<u8>(b + 8, 0x20); // 2080::1, not link-local
    expect<bool>(mldValid(b, 72, 48)).toBe(false);
    const c = hex(REPORT);
    store<u8>(c + 71, 0x02); // the group's last octet
    expect<bool>(mldValid(c, 72, 48)).toBe(false);
  });
});
