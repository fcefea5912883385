// ICMP (RFC 792, RFC 1191, RFC 1256, RFC 2002 §2.1 with SPEC-DECISIONS.md values): a real echo
// request with a correct checksum, echo reply in place, error messages quoting header + 8 bytes,
// router solicitation, and an agent advertisement with the Mobility Agent Advertisement (16),
// Prefix-Lengths (19) and One-byte Padding (0) extensions: parse, emit into 0xa5, round trip, every
// truncated length, and every inconsistent length field.
import {
  IcmpErr, icmpCheck, icmpType, icmpCode, icmpChecksum, icmpRest, icmpIsError, icmpFillChecksum,
  icmpCheckEcho, icmpEchoIdent, icmpEchoSeq, icmpEmitEcho, icmpEchoToReply,
  icmpCheckError, icmpErrorInner, icmpNextHopMtu, icmpEmitError,
  rsCheck, rsEmit,
  raCheck, raNumAddrs, raEntrySize, raLifetimeSec, raRouterAddr, raPreference, raExtStart, raExtFirst,
  raExtNext, raExtType, raExtLength, raExtSize, raFindExt, raUnknownExt,
  maSeq, maRegLifetimeSec, maFlags, maNumCareOf, maCareOf, prefixLengthAt,
  raEmitHeader, raSetRouter, maEmit, maEmitOne, prefixLengthsEmit, prefixLengthEmitOne, padEmit, agentAdvertLen, agentAdvertEmit,
  ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, ICMP_ROUTER_ADVERT,
  ICMP_ROUTER_SOLICIT, ICMP_REDIRECT, ICMP_SOURCE_QUENCH, ICMP_PARAM_PROBLEM,
  UNREACH_NET, UNREACH_FRAG_NEEDED, TIME_EXCEEDED_TTL, RA_CODE_MOBILITY_ONLY, RA_CODE_ROUTER,
  EXT_PAD, EXT_MOBILITY_AGENT, EXT_PREFIX_LENGTHS,
  MA_FLAG_R, MA_FLAG_B, MA_FLAG_H, MA_FLAG_F, MA_FLAG_M, MA_FLAG_G, MA_FLAG_V, MA_FLAG_T, MA_FLAG_S
} from "../../assembly/wire/icmp";
import { checksum } from "../../assembly/wire/checksum";
import { Ipv4Err, ipv4Check } from "../../assembly/wire/ipv4";

import { hex, filled, hexOf } from "./helpers";

// A real echo request (ping from 192.168.1.100 to 192.168.1.1), IP header then ICMP:
const PING_IP = "4500 003c 1c46 0000 8001 9ac5 c0a80164 c0a80101"; // 60 bytes, TTL 128, ICMP, cksum 9ac5
const PING =
  "08" + "00" +   // type 8 echo request, code 0
  "4d5a" +        // checksum
  "0001" +        // identifier 1
  "0001" +        // sequence 1
  "6162636465666768696a6b6c6d6e6f7071727374757677616263646566676869"; // 32 data bytes "abc..."
const PING_LEN: i32 = 40;
// Its reply: type 0, checksum 4d5a + 0800 = 555a.
const PONG = "0000555a00010001" + "6162636465666768696a6b6c6d6e6f7071727374757677616263646566676869";

// An agent advertisement from foreign agent 192.168.1.1 (RFC 2002 §2.1):
const ADVERT =
  "09" +        // type 9 router advertisement
  "10" +        // code 16: mobility agent, does not route common traffic
  "9f55" +      // checksum
  "01" +        // Num Addrs 1
  "02" +        // Addr Entry Size 2
  "0708" +      // lifetime 1800 s
  "c0a80101" +  // router address 192.168.1.1
  "00000000" +  // preference 0
  "10" +        // extension 16: Mobility Agent Advertisement
  "0a" +        // length 10 = 6 + 4 * 1 care-of address
  "0005" +      // sequence number 5
  "012c" +      // registration lifetime 300 s
  "9000" +      // flags R (0x8000) | F (0x1000)
  "c0a80101" +  // care-of address 192.168.1.1
  "13" +        // extension 19: Prefix-Lengths
  "01" +        // length 1 = Num Addrs
  "18";         // prefix length 24
const ADVERT_LEN: i32 = 31;
// The same followed by One-byte Padding and an unknown skippable extension (type 128, 2 bytes).
const ADVERT2 = "09107385 01020708 c0a80101 00000000 100a0005012c9000c0a80101 130118 00 8002abcd";
const ADVERT2_LEN: i32 = 36;

function advert(): usize { return hex(ADVERT); }

describe("icmp: common header", () => {
  it("checks a real echo request", () => {
    const p = hex(PING);
    expect<i32>(icmpCheck(p, PING_LEN)).toBe(IcmpErr.OK);
    expect<i32>(icmpType(p)).toBe(ICMP_ECHO_REQUEST);
    expect<i32>(icmpCode(p)).toBe(0);
    expect<i32>(icmpChecksum(p)).toBe(0x4d5a);
    expect<u32>(icmpRest(p)).toBe(0x00010001);
    // and the IP header it came in
    const ipp = heap.alloc(60);
    memory.copy(ipp, hex(PING_IP), 20);
    memory.copy(ipp + 20, p, 40);
    expect<i32>(ipv4Check(ipp, 60)).toBe(Ipv4Err.OK);
  });
  it("refuses every truncated length 0..7", () => {
    const p = hex(PING);
    for (let n = 0; n < 8; n++) expect<i32>(icmpCheck(p, n)).toBe(IcmpErr.TRUNCATED);
  });
  it("refuses a wrong checksum (any length cut changes the sum)", () => {
    const p = hex(PING);
    store<u8>(p, 0x62, 8); // 'a' -> 'b'
    expect<i32>(icmpCheck(p, PING_LEN)).toBe(IcmpErr.BAD_CHECKSUM);
    const q = hex(PING);
    expect<i32>(icmpCheck(q, PING_LEN - 1)).toBe(IcmpErr.BAD_CHECKSUM);
  });
  it("classifies error types", () => {
    expect<bool>(icmpIsError(ICMP_DEST_UNREACH)).toBe(true);
    expect<bool>(icmpIsError(ICMP_SOURCE_QUENCH)).toBe(true);
    expect<bool>(icmpIsError(ICMP_REDIRECT)).toBe(true);
    expect<bool>(icmpIsError(ICMP_TIME_EXCEEDED)).toBe(true);
    expect<bool>(icmpIsError(ICMP_PARAM_PROBLEM)).toBe(true);
    expect<bool>(icmpIsError(ICMP_ECHO_REQUEST)).toBe(false);
    expect<bool>(icmpIsError(ICMP_ECHO_REPLY)).toBe(false);
    expect<bool>(icmpIsError(ICMP_ROUTER_ADVERT)).toBe(false);
    expect<bool>(icmpIsError(ICMP_ROUTER_SOLICIT)).toBe(false);
  });
});

describe("icmp: echo", () => {
  it("reads identifier and sequence", () => {
    const p = hex(PING);
    expect<i32>(icmpCheckEcho(p, PING_LEN)).toBe(IcmpErr.OK);
    expect<i32>(icmpEchoIdent(p)).toBe(1);
    expect<i32>(icmpEchoSeq(p)).toBe(1);
  });
  it("refuses a non-zero code, another type, short lengths", () => {
    const p = hex(PING);
    store<u8>(p, 1, 1);
    expect<i32>(icmpCheckEcho(p, PING_LEN)).toBe(IcmpErr.BAD_CODE);
    store<u8>(p, 0, 1); store<u8>(p, ICMP_ROUTER_SOLICIT, 0);
    expect<i32>(icmpCheckEcho(p, PING_LEN)).toBe(IcmpErr.BAD_TYPE);
    for (let n = 0; n < 8; n++) expect<i32>(icmpCheckEcho(hex(PING), n)).toBe(IcmpErr.TRUNCATED);
  });
  it("turns the request into the reply in place (RFC 1624 update)", () => {
    const p = hex(PING);
    icmpEchoToReply(p);
    expect<string>(hexOf(p, PING_LEN)).toStrictEqual(PONG);
    expect<i32>(icmpCheck(p, PING_LEN)).toBe(IcmpErr.OK);
  });
  it("in-place reply equals a full recomputation for every identifier (checksum corners)", () => {
    const p = hex(PING);
    const q = heap.alloc(PING_LEN);
    for (let id = 0; id < 0x10000; id += 7) {
      store<u8>(p, ICMP_ECHO_REQUEST, 0);
      store<u16>(p, bswap<u16>(<u16>id), 4);
      icmpFillChecksum(p, PING_LEN);
      memory.copy(q, p, PING_LEN);
      icmpEchoToReply(p);
      store<u8>(q, ICMP_ECHO_REPLY, 0);
      icmpFillChecksum(q, PING_LEN);
      expect<i32>(icmpChecksum(p)).toBe(icmpChecksum(q));
    }
  });
  it("emits the real request into a 0xa5 buffer", () => {
    const b = filled(PING_LEN + 4);
    memory.copy(b + 8, hex(PING) + 8, 32);
    expect<i32>(icmpEmitEcho(b, ICMP_ECHO_REQUEST, 1, 1, 32)).toBe(PING_LEN);
    expect<string>(hexOf(b, PING_LEN + 4)).toStrictEqual(PING + "a5a5a5a5");
  });
  it("emits an empty echo reply (8 bytes)", () => {
    const b = filled(10);
    expect<i32>(icmpEmitEcho(b, ICMP_ECHO_REPLY, 0x1234, 0xabcd, 0)).toBe(8);
    expect<i32>(icmpCheck(b, 8)).toBe(IcmpErr.OK);
    expect<string>(hexOf(b, 10)).toStrictEqual("0000" + hexOf(b + 2, 2) + "1234abcda5a5");
  });
});

/** The real ping as an IP datagram (60 bytes) with room in front for an error header. */
function pingDatagram(): usize {
  const base = heap.alloc(200);
  memory.fill(base, 0xa5, 200);
  const p = base + 40;
  memory.copy(p, hex(PING_IP), 20);
  memory.copy(p + 20, hex(PING), 40);
  return p;
}

describe("icmp: errors", () => {
  it("time exceeded quotes the header and 8 bytes, built in place in front of the datagram", () => {
    const p = pingDatagram();
    const q = p - 8;
    expect<i32>(icmpEmitError(q, ICMP_TIME_EXCEEDED, TIME_EXCEEDED_TTL, 0, p, 60)).toBe(36);
    expect<i32>(icmpCheck(q, 36)).toBe(IcmpErr.OK);
    expect<i32>(icmpCheckError(q, 36)).toBe(IcmpErr.OK);
    expect<string>(hexOf(q, 8)).toStrictEqual("0b00" + hexOf(q + 2, 2) + "00000000");
    expect<usize>(icmpErrorInner(q)).toBe(p);
    expect<string>(hexOf(q + 8, 28)).toStrictEqual(hexOf(hex(PING_IP), 20) + "08004d5a00010001");
    expect<u8>(load<u8>(q - 1)).toBe(0xa5);
  });
  it("copies into a separate 0xa5 buffer and stops after header + 8", () => {
    const p = pingDatagram();
    const b = filled(40);
    expect<i32>(icmpEmitError(b, ICMP_DEST_UNREACH, UNREACH_NET, 0, p, 60)).toBe(36);
    expect<string>(hexOf(b + 36, 4)).toStrictEqual("a5a5a5a5");
    expect<i32>(icmpType(b)).toBe(ICMP_DEST_UNREACH);
    expect<i32>(icmpCode(b)).toBe(UNREACH_NET);
    expect<i32>(icmpCheck(b, 36)).toBe(IcmpErr.OK);
  });
  it("quotes options too (IHL 6: 24 + 8 bytes)", () => {
    const o = hex("4600 0024 0001 0000 4011 0000 0a000001 0a000002 01010101 04d201b2 0008 0000 ffff");
    const b = filled(48);
    expect<i32>(icmpEmitError(b, ICMP_DEST_UNREACH, 3, 0, o, 36)).toBe(40);
    expect<i32>(icmpCheckError(b, 40)).toBe(IcmpErr.OK);
    expect<string>(hexOf(b + 40, 4)).toStrictEqual("a5a5a5a5");
  });
  it("quotes fewer bytes when the datagram is shorter than header + 8", () => {
    const p = pingDatagram();
    const b = filled(40);
    expect<i32>(icmpEmitError(b, ICMP_DEST_UNREACH, UNREACH_NET, 0, p, 24)).toBe(32);
    expect<string>(hexOf(b + 32, 4)).toStrictEqual("a5a5a5a5");
    expect<i32>(icmpCheck(b, 32)).toBe(IcmpErr.OK);
    expect<i32>(icmpCheckError(b, 32)).toBe(IcmpErr.TRUNCATED);
  });
  it("carries the next-hop MTU in fragmentation needed (RFC 1191)", () => {
    const p = pingDatagram();
    const b = filled(40);
    icmpEmitError(b, ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, 1400, p, 60);
    expect<i32>(icmpNextHopMtu(b)).toBe(1400);
    expect<string>(hexOf(b + 4, 4)).toStrictEqual("00000578");
  });
  it("refuses truncated errors (0..35), a non-error type, a bad quoted header", () => {
    const p = pingDatagram();
    const b = filled(40);
    icmpEmitError(b, ICMP_TIME_EXCEEDED, 0, 0, p, 60);
    for (let n = 0; n < 36; n++) expect<i32>(icmpCheckError(b, n)).toBe(IcmpErr.TRUNCATED);
    store<u8>(b, ICMP_ECHO_REPLY);
    expect<i32>(icmpCheckError(b, 36)).toBe(IcmpErr.BAD_TYPE);
    store<u8>(b, ICMP_TIME_EXCEEDED);
    store<u8>(b, 0x65, 8); // quoted version 6
    expect<i32>(icmpCheckError(b, 36)).toBe(IcmpErr.BAD_INNER);
    store<u8>(b, 0x44, 8); // quoted IHL 4
    expect<i32>(icmpCheckError(b, 36)).toBe(IcmpErr.BAD_INNER);
    store<u8>(b, 0x46, 8); // quoted IHL 6: header + 8 needs 32 bytes, only 28 present
    expect<i32>(icmpCheckError(b, 36)).toBe(IcmpErr.BAD_INNER);
  });
});

describe("icmp: router solicitation (RFC 1256)", () => {
  it("checks a known solicitation", () => {
    const p = hex("0a00 f5ff 00000000"); // type 10, code 0, checksum f5ff, reserved
    expect<i32>(icmpCheck(p, 8)).toBe(IcmpErr.OK);
    expect<i32>(rsCheck(p, 8)).toBe(IcmpErr.OK);
    for (let n = 0; n < 8; n++) expect<i32>(rsCheck(p, n)).toBe(IcmpErr.TRUNCATED);
    store<u8>(p, 1, 1);
    expect<i32>(rsCheck(p, 8)).toBe(IcmpErr.BAD_CODE);
    store<u8>(p, 0, 1); store<u8>(p, 9, 0);
    expect<i32>(rsCheck(p, 8)).toBe(IcmpErr.BAD_TYPE);
  });
  it("emits exactly 8 bytes into 0xa5", () => {
    const b = filled(10);
    expect<i32>(rsEmit(b)).toBe(8);
    expect<string>(hexOf(b, 10)).toStrictEqual("0a00f5ff00000000a5a5");
  });
});

describe("icmp: agent advertisement, parse", () => {
  it("reads the real advertisement", () => {
    const p = advert();
    expect<i32>(icmpCheck(p, ADVERT_LEN)).toBe(IcmpErr.OK);
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.OK);
    expect<i32>(icmpCode(p)).toBe(RA_CODE_MOBILITY_ONLY);
    expect<i32>(raNumAddrs(p)).toBe(1);
    expect<i32>(raEntrySize(p)).toBe(2);
    expect<i32>(raLifetimeSec(p)).toBe(1800);
    expect<u32>(raRouterAddr(p, 0)).toBe(0xc0a80101);
    expect<i32>(raPreference(p, 0)).toBe(0);
    expect<i32>(raExtStart(p)).toBe(16);
    const m = raFindExt(p, ADVERT_LEN, EXT_MOBILITY_AGENT);
    expect<i32>(m).toBe(16);
    expect<i32>(raExtLength(p, m)).toBe(10);
    expect<u16>(maSeq(p, m)).toBe(5);
    expect<u16>(maRegLifetimeSec(p, m)).toBe(300);
    expect<i32>(maFlags(p, m)).toBe(MA_FLAG_R | MA_FLAG_F);
    expect<i32>(maNumCareOf(p, m)).toBe(1);
    expect<u32>(maCareOf(p, m, 0)).toBe(0xc0a80101);
    const x = raFindExt(p, ADVERT_LEN, EXT_PREFIX_LENGTHS);
    expect<i32>(x).toBe(28);
    expect<u8>(prefixLengthAt(p, x, 0)).toBe(24);
    expect<i32>(raUnknownExt(p, ADVERT_LEN)).toBe(-1);
    expect<i32>(raFindExt(p, ADVERT_LEN, 99)).toBe(-1);
  });
  it("iterates padding and unknown extensions safely", () => {
    const p = hex(ADVERT2);
    expect<i32>(icmpCheck(p, ADVERT2_LEN)).toBe(IcmpErr.OK);
    expect<i32>(raCheck(p, ADVERT2_LEN)).toBe(IcmpErr.OK);
    let o = raExtFirst(p, ADVERT2_LEN);
    expect<i32>(o).toBe(16);
    expect<i32>(raExtType(p, o)).toBe(EXT_MOBILITY_AGENT);
    expect<i32>(raExtSize(p, o)).toBe(12);
    o = raExtNext(p, ADVERT2_LEN, o);
    expect<i32>(o).toBe(28);
    expect<i32>(raExtType(p, o)).toBe(EXT_PREFIX_LENGTHS);
    o = raExtNext(p, ADVERT2_LEN, o);
    expect<i32>(o).toBe(31);
    expect<i32>(raExtType(p, o)).toBe(EXT_PAD);
    expect<i32>(raExtSize(p, o)).toBe(1);
    o = raExtNext(p, ADVERT2_LEN, o);
    expect<i32>(o).toBe(32);
    expect<i32>(raExtType(p, o)).toBe(128);
    expect<i32>(raExtNext(p, ADVERT2_LEN, o)).toBe(-1);
    expect<i32>(raUnknownExt(p, ADVERT2_LEN)).toBe(128);
  });
  it("has no extensions when the addresses fill the message", () => {
    const p = advert();
    expect<i32>(raCheck(p, 16)).toBe(IcmpErr.OK);
    expect<i32>(raExtFirst(p, 16)).toBe(-1);
    expect<i32>(raFindExt(p, 16, EXT_MOBILITY_AGENT)).toBe(-1);
  });
  it("gives the right answer for every truncated length", () => {
    const p = advert();
    for (let n = 0; n < 8; n++) expect<i32>(raCheck(p, n)).toBe(IcmpErr.TRUNCATED);
    for (let n = 8; n < 16; n++) expect<i32>(raCheck(p, n)).toBe(IcmpErr.BAD_NUM_ADDRS);
    expect<i32>(raCheck(p, 16)).toBe(IcmpErr.OK);                    // advertisement without extensions
    for (let n = 17; n < 28; n++) expect<i32>(raCheck(p, n)).toBe(IcmpErr.EXT_TRUNCATED);
    expect<i32>(raCheck(p, 28)).toBe(IcmpErr.OK);                    // ends after the mobility extension
    for (let n = 29; n < 31; n++) expect<i32>(raCheck(p, n)).toBe(IcmpErr.EXT_TRUNCATED);
    expect<i32>(raCheck(p, 31)).toBe(IcmpErr.OK);
  });
  it("refuses codes other than 0 and 16, and other types", () => {
    const p = advert();
    for (let c = 0; c < 256; c++) {
      store<u8>(p, <u8>c, 1);
      expect<i32>(raCheck(p, ADVERT_LEN)).toBe(c == 0 || c == 16 ? IcmpErr.OK : IcmpErr.BAD_CODE);
    }
    store<u8>(p, RA_CODE_ROUTER, 1); store<u8>(p, ICMP_ROUTER_SOLICIT, 0);
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.BAD_TYPE);
  });
  it("refuses Addr Entry Size < 2; skips larger entries", () => {
    const p = advert();
    store<u8>(p, 0, 5);
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.BAD_ENTRY_SIZE);
    store<u8>(p, 1, 5);
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.BAD_ENTRY_SIZE);
    // Entry size 3: one 12-byte entry, then the mobility extension would start at 20.
    const q = hex("0910 0000 01 03 0708 c0a80101 00000001 deadbeef 1006 0001 0000 0000");
    expect<i32>(raCheck(q, 28)).toBe(IcmpErr.OK);
    expect<u32>(raRouterAddr(q, 0)).toBe(0xc0a80101);
    expect<i32>(raPreference(q, 0)).toBe(1);
    expect<i32>(raFindExt(q, 28, EXT_MOBILITY_AGENT)).toBe(20);
    expect<i32>(maNumCareOf(q, 20)).toBe(0);
  });
  it("refuses Num Addrs whose entries run past the end", () => {
    const p = advert();
    store<u8>(p, 4, 4); // 4 entries = 32 bytes + 8 > 31
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.BAD_NUM_ADDRS);
    store<u8>(p, 255, 4);
    expect<i32>(raCheck(p, ADVERT_LEN)).toBe(IcmpErr.BAD_NUM_ADDRS);
  });
  it("accepts Num Addrs 0 (RFC 2002 §2.1)", () => {
    const q = hex("0910 0000 00 02 0708 1006 0001 0000 0000");
    expect<i32>(raCheck(q, 16)).toBe(IcmpErr.OK);
    expect<i32>(raFindExt(q, 16, EXT_MOBILITY_AGENT)).toBe(8);
  });
  it("refuses a mobility extension whose length is not 6 + 4N", () => {
    const base = heap.alloc(ADVERT_LEN + 64);
    for (let l = 0; l < 40; l++) {
      memory.copy(base, advert(), 28);
      memory.fill(base + 28, 0, 64);
      store<u8>(base, <u8>l, 17);
      const n = 16 + 2 + l;
      const ok = l >= 6 && ((l - 6) & 3) == 0;
      expect<i32>(raCheck(base, n)).toBe(ok ? IcmpErr.OK : IcmpErr.BAD_MOBILITY_LEN);
      if (ok) expect<i32>(maNumCareOf(base, 16)).toBe((l - 6) >> 2);
    }
  });
  it("refuses an extension length running past the end", () => {
    const p = advert();
    store<u8>(p, 11, 17); // mobility extension claims one byte more than there is before 19
    expect<i32>(raCheck(p, 28)).toBe(IcmpErr.EXT_TRUNCATED);
    const q = advert();
    store<u8>(q, 0xff, 17);
    expect<i32>(raCheck(q, ADVERT_LEN)).toBe(IcmpErr.EXT_TRUNCATED);
    const r = advert();
    store<u8>(r, 2, 29); // Prefix-Lengths claims 2 bytes, 1 present
    expect<i32>(raCheck(r, ADVERT_LEN)).toBe(IcmpErr.EXT_TRUNCATED);
    const s = hex(ADVERT2);
    store<u8>(s, 3, 33); // unknown extension claims 3 bytes, 2 present
    expect<i32>(raCheck(s, ADVERT2_LEN)).toBe(IcmpErr.EXT_TRUNCATED);
  });
  it("refuses a Prefix-Lengths extension whose length is not Num Addrs, or a prefix > 32", () => {
    const p = hex(ADVERT + "20");
    store<u8>(p, 2, 29); // length 2 with one router address
    expect<i32>(raCheck(p, ADVERT_LEN + 1)).toBe(IcmpErr.BAD_PREFIX_LENGTHS);
    const q = advert();
    store<u8>(q, 0, 29); // length 0
    expect<i32>(raCheck(q, 30)).toBe(IcmpErr.BAD_PREFIX_LENGTHS);
    const r = advert();
    store<u8>(r, 33, 30);
    expect<i32>(raCheck(r, ADVERT_LEN)).toBe(IcmpErr.BAD_PREFIX_LENGTHS);
    store<u8>(r, 32, 30);
    expect<i32>(raCheck(r, ADVERT_LEN)).toBe(IcmpErr.OK);
  });
});

describe("icmp: agent advertisement, emit", () => {
  it("builds the real advertisement exactly (0xa5 buffer, round trip)", () => {
    const routers = heap.alloc(8);
    store<u32>(routers, 0xc0a80101); store<i32>(routers, 0, 4);
    const coa = heap.alloc(4);
    store<u32>(coa, 0xc0a80101);
    const lens = hex("18");
    const b = filled(ADVERT_LEN + 4);
    const n = agentAdvertEmit(b, ADVERT_LEN + 4, RA_CODE_MOBILITY_ONLY, 1800, routers, 1, 5, 300,
      MA_FLAG_R | MA_FLAG_F, coa, 1, lens);
    expect<i32>(n).toBe(ADVERT_LEN);
    expect<i32>(agentAdvertLen(1, 1, true)).toBe(ADVERT_LEN);
    expect<string>(hexOf(b, ADVERT_LEN + 4)).toStrictEqual(ADVERT + "a5a5a5a5");
  });
  it("builds N router addresses, M care-of addresses, every flag, no prefix lengths", () => {
    const routers = heap.alloc(24);
    for (let i = 0; i < 3; i++) { store<u32>(routers + <usize>(i * 8), 0x0a000001 + i); store<i32>(routers + <usize>(i * 8), -i, 4); }
    const coa = heap.alloc(8);
    store<u32>(coa, 0x0a000101); store<u32>(coa, 0x0a000102, 4);
    const all = MA_FLAG_R | MA_FLAG_B | MA_FLAG_H | MA_FLAG_F | MA_FLAG_M | MA_FLAG_G | MA_FLAG_V | MA_FLAG_T | MA_FLAG_S;
    expect<u16>(all).toBe(0xff80);
    const len = agentAdvertLen(3, 2, false);
    expect<i32>(len).toBe(8 + 24 + 16);
    const b = filled(len + 2);
    expect<i32>(agentAdvertEmit(b, len, RA_CODE_ROUTER, 600, routers, 3, 0xffff, 0xffff, all, coa, 2, 0)).toBe(len);
    expect<string>(hexOf(b + len, 2)).toStrictEqual("a5a5");
    expect<i32>(icmpCheck(b, len)).toBe(IcmpErr.OK);
    expect<i32>(raCheck(b, len)).toBe(IcmpErr.OK);
    expect<i32>(raNumAddrs(b)).toBe(3);
    expect<i32>(raLifetimeSec(b)).toBe(600);
    for (let i = 0; i < 3; i++) {
      expect<u32>(raRouterAddr(b, i)).toBe(0x0a000001 + i);
      expect<i32>(raPreference(b, i)).toBe(-i);
    }
    const m = raFindExt(b, len, EXT_MOBILITY_AGENT);
    expect<i32>(m).toBe(32);
    expect<u16>(maSeq(b, m)).toBe(0xffff);
    expect<u16>(maRegLifetimeSec(b, m)).toBe(0xffff);
    expect<i32>(maFlags(b, m)).toBe(all);
    expect<string>(hexOf(b + <usize>m + 6, 2)).toStrictEqual("ff80");
    expect<i32>(maNumCareOf(b, m)).toBe(2);
    expect<u32>(maCareOf(b, m, 1)).toBe(0x0a000102);
    expect<i32>(raFindExt(b, len, EXT_PREFIX_LENGTHS)).toBe(-1);
  });
  it("builds an advertisement with no router address and no care-of address", () => {
    const b = filled(20);
    const n = agentAdvertEmit(b, 20, RA_CODE_MOBILITY_ONLY, 0, 0, 0, 1, 2, MA_FLAG_H, 0, 0, 0);
    expect<i32>(n).toBe(16);
    expect<i32>(raCheck(b, n)).toBe(IcmpErr.OK);
    expect<i32>(icmpCheck(b, n)).toBe(IcmpErr.OK);
    expect<string>(hexOf(b + 8, 12)).toStrictEqual("1006000100022000a5a5a5a5");
  });
  it("refuses to write past the capacity or with impossible counts (buffer untouched)", () => {
    const routers = heap.alloc(8);
    const b = filled(40);
    expect<i32>(agentAdvertEmit(b, ADVERT_LEN - 1, 16, 1, routers, 1, 1, 1, 0, routers, 1, hex("18"))).toBe(-1);
    expect<i32>(agentAdvertEmit(b, 4000, 16, 1, routers, 1, 1, 1, 0, routers, 63, 0)).toBe(-1);
    expect<i32>(agentAdvertEmit(b, 4000, 16, 1, routers, 256, 1, 1, 0, routers, 0, 0)).toBe(-1);
    expect<i32>(agentAdvertEmit(b, 4000, 16, 1, routers, -1, 1, 1, 0, routers, 0, 0)).toBe(-1);
    for (let i = 0; i < 40; i++) expect<u8>(load<u8>(b + <usize>i)).toBe(0xa5);
  });
  it("builds piece by piece: header, router, mobility, prefix lengths, padding", () => {
    const b = filled(40);
    let o = raEmitHeader(b, RA_CODE_MOBILITY_ONLY, 1, 1800);
    raSetRouter(b, 0, 0xc0a80101, 0);
    o += 8;
    const coa = heap.alloc(4);
    store<u32>(coa, 0xc0a80101);
    o += maEmit(b + <usize>o, 5, 300, MA_FLAG_R | MA_FLAG_F, coa, 1);
    o += prefixLengthsEmit(b + <usize>o, hex("18"), 1);
    o += padEmit(b + <usize>o);
    expect<i32>(o).toBe(32);
    icmpFillChecksum(b, o);
    expect<i32>(icmpCheck(b, o)).toBe(IcmpErr.OK);
    expect<i32>(raCheck(b, o)).toBe(IcmpErr.OK);
    expect<string>(hexOf(b + 4, 28)).toStrictEqual(hexOf(advert() + 4, 27) + "00");
    expect<string>(hexOf(b + 32, 8)).toStrictEqual("a5a5a5a5a5a5a5a5");
  });
  it("maEmitOne and prefixLengthEmitOne write what maEmit and prefixLengthsEmit write for one entry", () => {
    const one = filled(24);
    const list = filled(24);
    const coa = heap.alloc(4);
    store<u32>(coa, 0xc0a80101);
    // With a care-of address (F), then without one.
    expect<i32>(maEmitOne(one, 5, 300, MA_FLAG_R | MA_FLAG_F, 0xc0a80101)).toBe(12);
    expect<i32>(maEmit(list, 5, 300, MA_FLAG_R | MA_FLAG_F, coa, 1)).toBe(12);
    expect<i32>(prefixLengthEmitOne(one + 12, 24)).toBe(3);
    expect<i32>(prefixLengthsEmit(list + 12, hex("18"), 1)).toBe(3);
    expect<string>(hexOf(one, 24)).toStrictEqual(hexOf(list, 24));
    expect<i32>(maEmitOne(one, 7, 60, MA_FLAG_R, 0)).toBe(8);
    expect<i32>(maEmit(list, 7, 60, MA_FLAG_R, coa, 0)).toBe(8);
    expect<string>(hexOf(one, 24)).toStrictEqual(hexOf(list, 24));
  });
});
