// Neighbor Discovery messages and options (RFC 2461 §4, wire/nd.ts) and the IPv6 address helpers of
// wire/addr.ts (RFC 4291, RFC 2464). Known-good bytes from scapy 2.5 (Debian python3-scapy), not from
// this code:
//   NS = IPv6(src=fe80::200:ff:fe00:110, dst=ff02::1:ff00:1, hlim=255)/ICMPv6ND_NS(tgt=2001:db8:1::1)
//        /ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:01:10)
//   NA = IPv6(src=2001:db8:1::1, dst=fe80::200:ff:fe00:110)/ICMPv6ND_NA(tgt=2001:db8:1::1, R=1, S=1, O=1)
//        /ICMPv6NDOptDstLLAddr(lladdr=02:00:00:00:01:01)
//   RS = IPv6(src=fe80::200:ff:fe00:110, dst=ff02::2)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:01:10)
//   RA = IPv6(src=fe80::ff:fe00:101, dst=ff02::1)/ICMPv6ND_RA(chlim=64, prf=0, routerlifetime=1800)
//        /ICMPv6NDOptSrcLLAddr(02:00:00:00:01:01)/ICMPv6NDOptMTU(mtu=1500)
//        /ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=2592000, preferredlifetime=604800, prefix=2001:db8:1::)
// (bytes(p)[40:], checksums included.)
import {
  NdErr, ndCheck, ndFixedLen, ndOptFind, ndOptNext, ndOptLla, ndEmitNs, ndEmitNa, ndEmitRs, ndEmitRa, ndAppendPrefix,
  ndEmitRedirect, prefixOptValid, prefixOptLen, prefixOptFlags, prefixOptValidLifetime, prefixOptPreferredLifetime,
  prefixOptPrefix, mtuOptValue, ND_NS, ND_NA, ND_RS, ND_RA, ND_REDIRECT, ND_OPT_SLLA, ND_OPT_TLLA, ND_OPT_PREFIX, ND_OPT_MTU,
  NA_FLAG_ROUTER, NA_FLAG_SOLICITED, NA_FLAG_OVERRIDE, PREFIX_FLAG_L, PREFIX_FLAG_A,
} from "../../assembly/wire/nd";
import { icmp6FillChecksum, icmp6Check, Icmp6Err } from "../../assembly/wire/icmpv6";
import {
  addrIsMulticast6, addrIsLinkLocal6, addrIsSolicitedNode, addrSetSolicitedNode, addrSetAllNodes, addrSetAllRouters,
  macSetIpv6Multicast, addrSetIidFromMac, addrSetLinkLocal,
} from "../../assembly/wire/addr";
import { hex, filled, hexOf } from "./helpers";

const LL_H = "fe800000000000000200" + "00fffe000110";   // fe80::200:ff:fe00:110 (02:00:00:00:01:10)
const LL_R = "fe80000000000000" + "0000" + "00fffe000101"; // fe80::ff:fe00:101
const SOL1 = "ff020000000000000000000 1ff000001".replace(" ", "");
const G1 = "20010db8000100000000000000000001";  // 2001:db8:1::1
const ALLN = "ff020000000000000000000000000001";
const ALLR = "ff020000000000000000000000000002";
const UNSPEC = "00000000000000000000000000000000";
const MAC_H = "020000000110";
const MAC_R = "020000000101";

const NS = "870048420000000020010db80001000000000000000000010101020000000110";
const NA = "8800369be000000020010db80001000000000000000000010201020000000101";
const RS = "8500770e000000000101020000000110";
const RA = "8600ece8400007080000000000000000010102000000010105010000000005dc030440c000278d0000093a800000000020010db8000100000000000000000000";

describe("nd: scapy's messages pass every check", () => {
  it("NS, NA, RS, RA: valid with hop limit 255 and their checksums", () => {
    expect<i32>(ndCheck(hex(NS), 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.OK);
    expect<i32>(icmp6Check(hex(NS), 32, hex(LL_H), hex(SOL1))).toBe(Icmp6Err.OK);
    expect<i32>(ndCheck(hex(NA), 32, 255, hex(G1), hex(LL_H))).toBe(NdErr.OK);
    expect<i32>(icmp6Check(hex(NA), 32, hex(G1), hex(LL_H))).toBe(Icmp6Err.OK);
    expect<i32>(ndCheck(hex(RS), 16, 255, hex(LL_H), hex(ALLR))).toBe(NdErr.OK);
    expect<i32>(icmp6Check(hex(RS), 16, hex(LL_H), hex(ALLR))).toBe(Icmp6Err.OK);
    expect<i32>(ndCheck(hex(RA), 64, 255, hex(LL_R), hex(ALLN))).toBe(NdErr.OK);
    expect<i32>(icmp6Check(hex(RA), 64, hex(LL_R), hex(ALLN))).toBe(Icmp6Err.OK);
  });
  it("reads the options: link-layer addresses, prefix, MTU", () => {
    expect<string>(hexOf(ndOptLla(hex(NS), 32, ND_OPT_SLLA), 6)).toBe(MAC_H);
    expect<usize>(ndOptLla(hex(NS), 32, ND_OPT_TLLA)).toBe(0);
    expect<string>(hexOf(ndOptLla(hex(NA), 32, ND_OPT_TLLA), 6)).toBe(MAC_R);
    const ra = hex(RA);
    expect<i32>(ndOptFind(ra, 64, ND_OPT_SLLA)).toBe(16);
    expect<i32>(ndOptFind(ra, 64, ND_OPT_MTU)).toBe(24);
    expect<i32>(ndOptFind(ra, 64, ND_OPT_PREFIX)).toBe(32);
    expect<i32>(ndOptNext(ra, 64, 16)).toBe(24);
    expect<i32>(ndOptNext(ra, 64, 24)).toBe(32);
    expect<i32>(ndOptNext(ra, 64, 32)).toBe(-1);
    expect<u32>(mtuOptValue(ra + 24)).toBe(1500);
    const o = ra + 32;
    expect<bool>(prefixOptValid(o, 32)).toBe(true);
    expect<i32>(prefixOptLen(o)).toBe(64);
    expect<i32>(prefixOptFlags(o)).toBe(PREFIX_FLAG_L | PREFIX_FLAG_A);
    expect<u32>(prefixOptValidLifetime(o)).toBe(2592000);
    expect<u32>(prefixOptPreferredLifetime(o)).toBe(604800);
    expect<string>(hexOf(prefixOptPrefix(o), 16)).toBe("20010db8000100000000000000000000");
  });
});

describe("nd: every truncated length and malformed option is refused", () => {
  it("every cut of NS, NA, RS, RA", () => {
    for (let n = 0; n < 32; n++) expect<bool>(ndCheck(hex(NS), n, 255, hex(LL_H), hex(SOL1)) != NdErr.OK || n == 24).toBe(true, n.toString());
    for (let n = 0; n < 32; n++) expect<bool>(ndCheck(hex(NA), n, 255, hex(G1), hex(LL_H)) != NdErr.OK || n == 24).toBe(true, n.toString());
    for (let n = 0; n < 16; n++) expect<bool>(ndCheck(hex(RS), n, 255, hex(LL_H), hex(ALLR)) != NdErr.OK || n == 8).toBe(true, n.toString());
    for (let n = 0; n < 64; n++) {
      const ok = n == 16 || n == 24 || n == 32; // cut exactly between options: a shorter valid message
      expect<bool>(ndCheck(hex(RA), n, 255, hex(LL_R), hex(ALLN)) == NdErr.OK).toBe(ok, n.toString());
    }
  });
  it("an option of length 0 or running past the end", () => {
    const p = hex(NS); store<u8>(p, 0, 25);
    expect<i32>(ndCheck(p, 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.BAD_OPTION);
    expect<i32>(ndOptFind(p, 32, ND_OPT_SLLA)).toBe(-1);
    expect<usize>(ndOptLla(p, 32, ND_OPT_SLLA)).toBe(0);
    const q = hex(NS); store<u8>(q, 2, 25);
    expect<i32>(ndCheck(q, 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.BAD_OPTION);
    expect<i32>(ndOptFind(q, 32, ND_OPT_SLLA)).toBe(-1);
  });
  it("hop limit other than 255, a non-zero code, an unknown type", () => {
    expect<i32>(ndCheck(hex(NS), 32, 254, hex(LL_H), hex(SOL1))).toBe(NdErr.BAD_HOP_LIMIT);
    const p = hex(NS); store<u8>(p, 1, 1);
    expect<i32>(ndCheck(p, 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.BAD_CODE);
    const t = hex(NS); store<u8>(t, 128);
    expect<i32>(ndCheck(t, 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.UNKNOWN_TYPE);
    expect<i32>(ndFixedLen(128)).toBe(0);
  });
});

describe("nd: the rules on sources, targets and destinations (RFC 2461 §6.1, §7.1, §8.1)", () => {
  it("RS from :: with a source link-layer option is invalid; without one valid", () => {
    expect<i32>(ndCheck(hex(RS), 16, 255, hex(UNSPEC), hex(ALLR))).toBe(NdErr.BAD_OPTION);
    expect<i32>(ndCheck(hex(RS), 8, 255, hex(UNSPEC), hex(ALLR))).toBe(NdErr.OK);
  });
  it("RA only from a link-local source", () => {
    expect<i32>(ndCheck(hex(RA), 64, 255, hex(G1), hex(ALLN))).toBe(NdErr.BAD_SOURCE);
  });
  it("NS: multicast target invalid; from :: only to a solicited-node group and without a link-layer option", () => {
    const p = hex(NS); store<u8>(p, 0xff, 8);
    expect<i32>(ndCheck(p, 32, 255, hex(LL_H), hex(SOL1))).toBe(NdErr.BAD_TARGET);
    expect<i32>(ndCheck(hex(NS), 24, 255, hex(UNSPEC), hex(SOL1))).toBe(NdErr.OK);
    expect<i32>(ndCheck(hex(NS), 32, 255, hex(UNSPEC), hex(SOL1))).toBe(NdErr.BAD_DEST);
    expect<i32>(ndCheck(hex(NS), 24, 255, hex(UNSPEC), hex(ALLN))).toBe(NdErr.BAD_DEST);
  });
  it("NA: multicast target invalid; to a multicast destination Solicited must be clear", () => {
    const p = hex(NA); store<u8>(p, 0xff, 8);
    expect<i32>(ndCheck(p, 32, 255, hex(G1), hex(LL_H))).toBe(NdErr.BAD_TARGET);
    expect<i32>(ndCheck(hex(NA), 32, 255, hex(G1), hex(ALLN))).toBe(NdErr.BAD_FLAGS);
    const q = hex(NA); store<u8>(q, NA_FLAG_ROUTER | NA_FLAG_OVERRIDE, 4);
    expect<i32>(ndCheck(q, 32, 255, hex(G1), hex(ALLN))).toBe(NdErr.OK);
  });
  it("Redirect: link-local source, unicast destination, link-local target or the destination itself", () => {
    const r = filled(64);
    const dest = hex("20010db8000200000000000000000009");
    const n = ndEmitRedirect(r, 64, hex(LL_R), dest, 0, 0, 0);
    expect<i32>(n).toBe(40);
    expect<i32>(ndCheck(r, n, 255, hex(LL_R), hex(LL_H))).toBe(NdErr.OK);
    expect<i32>(ndCheck(r, n, 255, hex(G1), hex(LL_H))).toBe(NdErr.BAD_SOURCE);
    const on = filled(64);
    expect<i32>(ndEmitRedirect(on, 64, dest, dest, 0, 0, 0)).toBe(40);
    expect<i32>(ndCheck(on, 40, 255, hex(LL_R), hex(LL_H))).toBe(NdErr.OK);
    const bad = filled(64);
    ndEmitRedirect(bad, 64, hex(G1), dest, 0, 0, 0);
    expect<i32>(ndCheck(bad, 40, 255, hex(LL_R), hex(LL_H))).toBe(NdErr.BAD_TARGET);
    const mc = filled(64);
    ndEmitRedirect(mc, 64, hex(LL_R), hex(ALLN), 0, 0, 0);
    expect<i32>(ndCheck(mc, 40, 255, hex(LL_R), hex(LL_H))).toBe(NdErr.BAD_DEST);
  });
});

describe("nd: the emitters write scapy's bytes", () => {
  it("NS with the source link-layer option", () => {
    const p = filled(64);
    expect<i32>(ndEmitNs(p, 64, hex(G1), hex(MAC_H))).toBe(32);
    icmp6FillChecksum(p, 32, hex(LL_H), hex(SOL1));
    expect<string>(hexOf(p, 32)).toBe(NS);
    expect<i32>(ndEmitNs(filled(31), 31, hex(G1), hex(MAC_H))).toBe(0);
  });
  it("NA with R, S, O and the target link-layer option", () => {
    const p = filled(64);
    expect<i32>(ndEmitNa(p, 64, NA_FLAG_ROUTER | NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE, hex(G1), hex(MAC_R))).toBe(32);
    icmp6FillChecksum(p, 32, hex(G1), hex(LL_H));
    expect<string>(hexOf(p, 32)).toBe(NA);
  });
  it("RS with the source link-layer option, and without", () => {
    const p = filled(32);
    expect<i32>(ndEmitRs(p, 32, hex(MAC_H))).toBe(16);
    icmp6FillChecksum(p, 16, hex(LL_H), hex(ALLR));
    expect<string>(hexOf(p, 16)).toBe(RS);
    expect<i32>(ndEmitRs(filled(8), 8, 0)).toBe(8);
  });
  it("RA with link-layer, MTU and prefix options (prefix bits past the length zeroed)", () => {
    const p = filled(80);
    let n = ndEmitRa(p, 80, 64, 0, 1800, 0, 0, hex(MAC_R), 1500);
    expect<i32>(n).toBe(32);
    n = ndAppendPrefix(p, n, 80, hex("20010db80001000000000000000000ff"), 64, PREFIX_FLAG_L | PREFIX_FLAG_A, 2592000, 604800);
    expect<i32>(n).toBe(64);
    icmp6FillChecksum(p, 64, hex(LL_R), hex(ALLN));
    expect<string>(hexOf(p, 64)).toBe(RA);
    expect<i32>(ndAppendPrefix(p, 64, 80, hex(G1), 64, 0, 1, 1)).toBe(0);
  });
  it("Redirect quotes the packet up to the 1280-byte bound, in 8-byte units", () => {
    const orig = filled(2000);
    const p = filled(1400);
    const n = ndEmitRedirect(p, 1400, hex(LL_R), hex(G1), hex(MAC_R), orig, 2000);
    expect<i32>(n).toBeLessThanOrEqual(1240);
    expect<i32>(n & 7).toBe(0);
    expect<i32>(ndOptFind(p, n, 4)).toBe(48);
    expect<u8>(load<u8>(p + 49)).toBe(<u8>((n - 48) >> 3));
    expect<i32>(ndCheck(p, n, 255, hex(LL_R), hex(LL_H))).toBe(NdErr.OK);
    const small = filled(100);
    expect<i32>(ndEmitRedirect(small, 100, hex(LL_R), hex(G1), 0, orig, 13)).toBe(40 + 8 + 8);
  });
});

describe("addr: IPv6 groups, multicast MAC and interface identifiers (RFC 4291, RFC 2464)", () => {
  it("solicited-node group of an address: ff02::1:ff + its low 24 bits", () => {
    const out = filled(16);
    addrSetSolicitedNode(out, hex(G1));
    expect<string>(hexOf(out, 16)).toBe(SOL1);
    expect<bool>(addrIsSolicitedNode(out)).toBe(true);
    expect<bool>(addrIsSolicitedNode(hex(ALLN))).toBe(false);
    const same = hex("20010db80000000000000000abcdef12");
    addrSetSolicitedNode(same, same);
    expect<string>(hexOf(same, 16)).toBe("ff0200000000000000000001ffcdef12");
  });
  it("all-nodes, all-routers, multicast and link-local tests", () => {
    const a = filled(16); addrSetAllNodes(a);
    expect<string>(hexOf(a, 16)).toBe(ALLN);
    const r = filled(16); addrSetAllRouters(r);
    expect<string>(hexOf(r, 16)).toBe(ALLR);
    expect<bool>(addrIsMulticast6(a)).toBe(true);
    expect<bool>(addrIsMulticast6(hex(G1))).toBe(false);
    expect<bool>(addrIsLinkLocal6(hex(LL_H))).toBe(true);
    expect<bool>(addrIsLinkLocal6(hex("febf0000000000000000000000000001"))).toBe(true);
    expect<bool>(addrIsLinkLocal6(hex("fec00000000000000000000000000001"))).toBe(false);
  });
  it("33:33 + the last four octets (RFC 2464 §7)", () => {
    const m = filled(6);
    macSetIpv6Multicast(m, hex(SOL1));
    expect<string>(hexOf(m, 6)).toBe("3333ff000001");
  });
  it("modified EUI-64 (RFC 2464 §4, RFC 4291 appendix A: 34-56-78-9A-BC-DE -> 3656:78ff:fe9a:bcde)", () => {
    const out = filled(16);
    addrSetIidFromMac(out, hex(G1), hex("3456789abcde"));
    expect<string>(hexOf(out, 16)).toBe("20010db8000100003656 78fffe9abcde".replace(" ", ""));
    addrSetLinkLocal(out, hex(MAC_H));
    expect<string>(hexOf(out, 16)).toBe("fe80000000000000000000fffe000110"); // fe80::ff:fe00:110: U/L bit of 02 cleared
  });
});
