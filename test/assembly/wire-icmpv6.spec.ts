// ICMPv6 (RFC 2463; issue 12.2, 12.8): an echo request whose checksum was computed independently (a
// plain JS RFC 1071 sum over the RFC 2460 §8.1 pseudo-header in `node -e`: 0x8075, reply 0x7f75) and
// a Parameter Problem the same way (0xaa06): parse, every truncated length, the reply in place, emit
// into 0xa5, the four error messages with their MTU / pointer and the 1280-byte bound; the
// pseudo-header sum shared with IPv4 (wire/checksum.ts pseudoSum).
import {
  Icmp6Err, icmp6Check, icmp6Type, icmp6Code, icmp6Checksum, icmp6Rest, icmp6IsError, icmp6FillChecksum,
  icmp6ComputeChecksum, icmp6CheckEcho, icmp6EchoIdent, icmp6EchoSeq, icmp6EmitEcho, icmp6EchoToReply,
  icmp6CheckError, icmp6ErrorInner, icmp6Mtu, icmp6Pointer, icmp6EmitError, icmp6EmitDestUnreach,
  icmp6EmitPacketTooBig, icmp6EmitTimeExceeded, icmp6EmitParamProblem,
  ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY, ICMP6_DEST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED,
  ICMP6_PARAM_PROBLEM, ICMP6_ERROR_MAX, ICMP6_NEXT_HEADER, UNREACH6_PORT, UNREACH6_NO_ROUTE, TIME6_HOP_LIMIT,
  TIME6_REASSEMBLY, PARAM6_HEADER, PARAM6_NEXT_HEADER, PARAM6_OPTION
} from "../../assembly/wire/icmpv6";
import { pseudoSum, pseudoHeaderSum, csumAdd, csumFinish } from "../../assembly/wire/checksum";
import { addrSetV4 } from "../../assembly/wire/addr";
import { Ipv6Err, ipv6Check, ipv6Emit } from "../../assembly/wire/ipv6";
import { hex, filled, hexOf } from "./helpers";

const A1 = "20010db8000000000000000000000001"; // 2001:db8::1
const A2 = "20010db8000000000000000000000002"; // 2001:db8::2

// Echo request 2001:db8::1 -> 2001:db8::2, identifier 0x1234, sequence 1, data "abcdefgh".
const ECHO = "80 00 8075 1234 0001 6162636465666768";
const ECHO_LEN: i32 = 16;
const REPLY = "81007f75123400016162636465666768";

// The invoking packet of the errors: UDP 2001:db8::1 -> 2001:db8::2 (56 bytes).
const ORIG = "6b812345 0010 11 40" + A1 + A2 + "1234 5678 0010 0000 6162636465666768";
const ORIG_LEN: i32 = 56;
// Parameter Problem code 2, pointer 42, from 2001:db8::2 to 2001:db8::1, quoting ORIG.
const PARAM = "04 02 aa06 0000002a" + ORIG;
const PARAM_LEN: i32 = 64;

describe("icmpv6: common header and checksum", () => {
  it("checks the hand-written echo request against the pseudo-header", () => {
    const p = hex(ECHO);
    expect<i32>(icmp6Check(p, ECHO_LEN, hex(A1), hex(A2))).toBe(Icmp6Err.OK);
    expect<i32>(icmp6Type(p)).toBe(ICMP6_ECHO_REQUEST);
    expect<i32>(icmp6Code(p)).toBe(0);
    expect<i32>(icmp6Checksum(p)).toBe(0x8075);
    expect<u32>(icmp6Rest(p)).toBe(0x12340001);
    // the addresses in the other order sum the same (one's complement is commutative)
    expect<i32>(icmp6Check(p, ECHO_LEN, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
  });
  it("refuses every truncated length 0..7", () => {
    for (let n = 0; n < 8; n++) expect<i32>(icmp6Check(hex(ECHO), n, hex(A1), hex(A2))).toBe(Icmp6Err.TRUNCATED);
  });
  it("refuses every cut length 8..15, another address, a changed byte", () => {
    for (let n = 8; n < ECHO_LEN; n++) expect<i32>(icmp6Check(hex(ECHO), n, hex(A1), hex(A2))).toBe(Icmp6Err.BAD_CHECKSUM, n.toString());
    const other = hex(A2); store<u8>(other, 3, 15);
    expect<i32>(icmp6Check(hex(ECHO), ECHO_LEN, hex(A1), other)).toBe(Icmp6Err.BAD_CHECKSUM);
    const p = hex(ECHO); store<u8>(p, 0x62, 8);
    expect<i32>(icmp6Check(p, ECHO_LEN, hex(A1), hex(A2))).toBe(Icmp6Err.BAD_CHECKSUM);
  });
  it("computes and fills the checksum", () => {
    const p = hex(ECHO);
    expect<i32>(icmp6ComputeChecksum(p, ECHO_LEN, hex(A1), hex(A2))).toBe(0x8075);
    expect<i32>(icmp6Checksum(p)).toBe(0);
    icmp6FillChecksum(p, ECHO_LEN, hex(A1), hex(A2));
    expect<string>(hexOf(p, ECHO_LEN)).toStrictEqual("80008075123400016162636465666768");
  });
  it("classifies error types by the high bit", () => {
    expect<bool>(icmp6IsError(ICMP6_DEST_UNREACH)).toBe(true);
    expect<bool>(icmp6IsError(ICMP6_PACKET_TOO_BIG)).toBe(true);
    expect<bool>(icmp6IsError(ICMP6_TIME_EXCEEDED)).toBe(true);
    expect<bool>(icmp6IsError(ICMP6_PARAM_PROBLEM)).toBe(true);
    expect<bool>(icmp6IsError(127)).toBe(true);
    expect<bool>(icmp6IsError(ICMP6_ECHO_REQUEST)).toBe(false);
    expect<bool>(icmp6IsError(ICMP6_ECHO_REPLY)).toBe(false);
    expect<bool>(icmp6IsError(135)).toBe(false);
  });
});

describe("checksum: the pseudo-header sum for both families", () => {
  it("equals a sum over the RFC 2460 §8.1 pseudo-header bytes, 32-bit lengths too", () => {
    const lens: u32[] = [0, 1, 16, 1280, 0xffff, 0x10000, 0x12345, 0xfffffff];
    const b = heap.alloc(40);
    for (let i = 0; i < lens.length; i++) {
      memory.copy(b, hex(A1), 16);
      memory.copy(b + 16, hex(A2), 16);
      store<u32>(b, bswap<u32>(lens[i]), 32);
      store<u32>(b, bswap<u32>(58), 36);
      expect<i32>(csumFinish(pseudoSum(hex(A1), hex(A2), 58, lens[i]))).toBe(csumFinish(csumAdd(0, b, 40)), i.toString());
    }
  });
  it("with IPv4-mapped addresses gives RFC 768's IPv4 pseudo-header checksum", () => {
    const s = heap.alloc(16), d = heap.alloc(16);
    const srcs: u32[] = [0xc0a80164, 0x0a000001, 0xffffffff, 0, 0x7f000001];
    const dsts: u32[] = [0xc0a80101, 0x0a0000fe, 0x00000001, 0, 0xe0000001];
    for (let i = 0; i < srcs.length; i++) {
      for (let len = 0; len < 0x10000; len += 997) {
        addrSetV4(s, srcs[i]); addrSetV4(d, dsts[i]);
        expect<i32>(csumFinish(pseudoSum(s, d, 17, <u32>len))).toBe(csumFinish(pseudoHeaderSum(srcs[i], dsts[i], 17, len)));
      }
    }
    // a real UDP datagram (192.168.1.100:1234 -> 192.168.1.1:5678, "abcd") verifies through it
    addrSetV4(s, 0xc0a80164); addrSetV4(d, 0xc0a80101);
    const u = hex("04d2 162e 000c 0000 61626364");
    const c = <u16>csumFinish(csumAdd(pseudoSum(s, d, 17, 12), u, 12));
    store<u16>(u, bswap<u16>(c), 6);
    expect<i32>(csumFinish(csumAdd(pseudoHeaderSum(0xc0a80164, 0xc0a80101, 17, 12), u, 12))).toBe(0);
  });
});

describe("icmpv6: echo", () => {
  it("reads identifier and sequence", () => {
    const p = hex(ECHO);
    expect<i32>(icmp6CheckEcho(p, ECHO_LEN)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6EchoIdent(p)).toBe(0x1234);
    expect<i32>(icmp6EchoSeq(p)).toBe(1);
  });
  it("refuses a non-zero code, another type, every short length", () => {
    const p = hex(ECHO);
    store<u8>(p, 1, 1);
    expect<i32>(icmp6CheckEcho(p, ECHO_LEN)).toBe(Icmp6Err.BAD_CODE);
    store<u8>(p, 0, 1); store<u8>(p, ICMP6_DEST_UNREACH, 0);
    expect<i32>(icmp6CheckEcho(p, ECHO_LEN)).toBe(Icmp6Err.BAD_TYPE);
    for (let n = 0; n < 8; n++) expect<i32>(icmp6CheckEcho(hex(ECHO), n)).toBe(Icmp6Err.TRUNCATED);
  });
  it("turns the request into the reply in place (0x7f75, computed independently)", () => {
    const p = hex(ECHO);
    icmp6EchoToReply(p);
    expect<string>(hexOf(p, ECHO_LEN)).toStrictEqual(REPLY);
    expect<i32>(icmp6Check(p, ECHO_LEN, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
  });
  it("in-place reply equals a full recomputation for every identifier", () => {
    const p = hex(ECHO);
    const q = heap.alloc(ECHO_LEN);
    const s = hex(A1), d = hex(A2);
    for (let id = 0; id < 0x10000; id += 7) {
      store<u8>(p, ICMP6_ECHO_REQUEST, 0);
      store<u16>(p, bswap<u16>(<u16>id), 4);
      icmp6FillChecksum(p, ECHO_LEN, s, d);
      memory.copy(q, p, ECHO_LEN);
      icmp6EchoToReply(p);
      store<u8>(q, ICMP6_ECHO_REPLY, 0);
      icmp6FillChecksum(q, ECHO_LEN, d, s);
      expect<i32>(icmp6Checksum(p)).toBe(icmp6Checksum(q));
    }
  });
  it("emits the hand-written request into a 0xa5 buffer", () => {
    const b = filled(ECHO_LEN + 4);
    memory.copy(b + 8, hex(ECHO) + 8, 8);
    expect<i32>(icmp6EmitEcho(b, ECHO_LEN, ICMP6_ECHO_REQUEST, 0x1234, 1, 8, hex(A1), hex(A2))).toBe(ECHO_LEN);
    expect<string>(hexOf(b, ECHO_LEN)).toStrictEqual("80008075123400016162636465666768");
    expect<u8>(load<u8>(b, ECHO_LEN)).toBe(0xa5);
  });
  it("round-trips inside an IPv6 packet", () => {
    const b = filled(40 + ECHO_LEN);
    memory.copy(b + 48, hex(ECHO) + 8, 8);
    expect<i32>(ipv6Emit(b, 40, 0, 0, <u16>ECHO_LEN, ICMP6_NEXT_HEADER, 64, hex(A2), hex(A1))).toBe(40);
    expect<i32>(icmp6EmitEcho(b + 40, ECHO_LEN, ICMP6_ECHO_REPLY, 0x1234, 1, 8, b + 8, b + 24)).toBe(ECHO_LEN);
    expect<i32>(ipv6Check(b, 40 + ECHO_LEN)).toBe(Ipv6Err.OK);
    expect<string>(hexOf(b + 40, ECHO_LEN)).toStrictEqual(REPLY);
    expect<i32>(icmp6Check(b + 40, ECHO_LEN, b + 8, b + 24)).toBe(Icmp6Err.OK);
  });
  it("refuses a small capacity", () => {
    const b = filled(32);
    for (let c = 0; c < ECHO_LEN; c++) expect<i32>(icmp6EmitEcho(b, c, ICMP6_ECHO_REQUEST, 1, 1, 8, hex(A1), hex(A2))).toBe(-Icmp6Err.NO_ROOM);
    expect<i32>(icmp6EmitEcho(b, 32, ICMP6_ECHO_REQUEST, 1, 1, -1, hex(A1), hex(A2))).toBe(-Icmp6Err.NO_ROOM);
    expect<u8>(load<u8>(b)).toBe(0xa5);
  });
});

describe("icmpv6: errors", () => {
  it("checks the hand-written Parameter Problem (checksum 0xaa06, computed independently)", () => {
    const p = hex(PARAM);
    expect<i32>(icmp6Check(p, PARAM_LEN, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
    expect<i32>(icmp6CheckError(p, PARAM_LEN)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6Type(p)).toBe(ICMP6_PARAM_PROBLEM);
    expect<i32>(icmp6Code(p)).toBe(PARAM6_OPTION);
    expect<u32>(icmp6Pointer(p)).toBe(42);
    expect<i32>(ipv6Check(icmp6ErrorInner(p), ORIG_LEN)).toBe(Ipv6Err.OK);
    expect<string>(hexOf(icmp6ErrorInner(p), 8)).toStrictEqual("6b81234500101140");
  });
  it("refuses every truncated length 0..47", () => {
    for (let n = 0; n < 48; n++) expect<i32>(icmp6CheckError(hex(PARAM), n)).toBe(Icmp6Err.TRUNCATED, n.toString());
    expect<i32>(icmp6CheckError(hex(PARAM), 48)).toBe(Icmp6Err.OK);
  });
  it("refuses unknown codes, other types, a quoted packet that is not IPv6", () => {
    const maxCode: u8[] = [0, UNREACH6_PORT, 255, TIME6_REASSEMBLY, PARAM6_OPTION];
    for (let t: u8 = 1; t <= 4; t++) {
      const p = hex(PARAM);
      store<u8>(p, t, 0);
      store<u8>(p, maxCode[t], 1);
      expect<i32>(icmp6CheckError(p, PARAM_LEN)).toBe(Icmp6Err.OK, t.toString());
      if (maxCode[t] != 255) {
        store<u8>(p, maxCode[t] + 1, 1);
        expect<i32>(icmp6CheckError(p, PARAM_LEN)).toBe(Icmp6Err.BAD_CODE, t.toString());
      }
    }
    const q = hex(PARAM); store<u8>(q, ICMP6_ECHO_REQUEST, 0);
    expect<i32>(icmp6CheckError(q, PARAM_LEN)).toBe(Icmp6Err.BAD_TYPE);
    const v = hex(PARAM); store<u8>(v, 0x45, 8);
    expect<i32>(icmp6CheckError(v, PARAM_LEN)).toBe(Icmp6Err.BAD_INNER);
  });
  it("emits the hand-written Parameter Problem into 0xa5", () => {
    const b = filled(PARAM_LEN + 8);
    expect<i32>(icmp6EmitParamProblem(b, 1280, PARAM6_OPTION, 42, hex(ORIG), ORIG_LEN, hex(A2), hex(A1))).toBe(PARAM_LEN);
    expect<string>(hexOf(b, PARAM_LEN)).toStrictEqual(hexOf(hex(PARAM), PARAM_LEN));
    expect<u8>(load<u8>(b, PARAM_LEN)).toBe(0xa5);
  });
  it("emits each error type with its parameter and parses it back", () => {
    const s = hex(A2), d = hex(A1);
    const b = filled(128);
    expect<i32>(icmp6EmitDestUnreach(b, 128, UNREACH6_PORT, hex(ORIG), ORIG_LEN, s, d)).toBe(64);
    expect<string>(hexOf(b, 8).substring(0, 4) + hexOf(b + 4, 4)).toStrictEqual("010400000000");
    expect<i32>(icmp6Check(b, 64, s, d)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6CheckError(b, 64)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6EmitPacketTooBig(b, 128, 1280, hex(ORIG), ORIG_LEN, s, d)).toBe(64);
    expect<i32>(icmp6Type(b)).toBe(ICMP6_PACKET_TOO_BIG);
    expect<i32>(icmp6Code(b)).toBe(0);
    expect<u32>(icmp6Mtu(b)).toBe(1280);
    expect<i32>(icmp6Check(b, 64, s, d)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6EmitTimeExceeded(b, 128, TIME6_HOP_LIMIT, hex(ORIG), ORIG_LEN, s, d)).toBe(64);
    expect<i32>(icmp6Type(b)).toBe(ICMP6_TIME_EXCEEDED);
    expect<u32>(icmp6Rest(b)).toBe(0);
    expect<i32>(icmp6Check(b, 64, s, d)).toBe(Icmp6Err.OK);
    expect<i32>(icmp6EmitParamProblem(b, 128, PARAM6_NEXT_HEADER, 6, hex(ORIG), ORIG_LEN, s, d)).toBe(64);
    expect<i32>(icmp6Code(b)).toBe(PARAM6_NEXT_HEADER);
    expect<u32>(icmp6Pointer(b)).toBe(6);
    expect<string>(hexOf(icmp6ErrorInner(b), ORIG_LEN)).toStrictEqual(hexOf(hex(ORIG), ORIG_LEN));
    expect<u8>(UNREACH6_NO_ROUTE).toBe(0);
    expect<u8>(PARAM6_HEADER).toBe(0);
  });
  it("quotes in place (the invoking packet already at p + 8)", () => {
    const b = filled(8 + ORIG_LEN + 8);
    memory.copy(b + 8, hex(ORIG), ORIG_LEN);
    expect<i32>(icmp6EmitTimeExceeded(b, 1280, TIME6_REASSEMBLY, b + 8, ORIG_LEN, hex(A2), hex(A1))).toBe(64);
    expect<i32>(icmp6Check(b, 64, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
    expect<string>(hexOf(b + 8, ORIG_LEN)).toStrictEqual(hexOf(hex(ORIG), ORIG_LEN));
  });
  it("quotes at most what keeps the message within the 1280-byte minimum MTU, or the capacity", () => {
    const big = filled(1500);
    memory.copy(big, hex(ORIG), 40);
    const b = filled(1600);
    expect<i32>(icmp6EmitPacketTooBig(b, 1600, 1400, big, 1500, hex(A2), hex(A1))).toBe(ICMP6_ERROR_MAX);
    expect<i32>(ICMP6_ERROR_MAX).toBe(1240);
    expect<u8>(load<u8>(b, ICMP6_ERROR_MAX)).toBe(0xa5);
    expect<i32>(icmp6Check(b, ICMP6_ERROR_MAX, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
    expect<i32>(icmp6EmitPacketTooBig(b, 100, 1400, big, 1500, hex(A2), hex(A1))).toBe(100);
    expect<i32>(icmp6Check(b, 100, hex(A2), hex(A1))).toBe(Icmp6Err.OK);
  });
  it("refuses a capacity or an invoking packet without room for the IPv6 header", () => {
    const b = filled(64);
    for (let c = 0; c < 48; c++) expect<i32>(icmp6EmitDestUnreach(b, c, UNREACH6_PORT, hex(ORIG), ORIG_LEN, hex(A2), hex(A1))).toBe(-Icmp6Err.NO_ROOM);
    expect<i32>(icmp6EmitError(b, 1280, ICMP6_DEST_UNREACH, 0, 0, hex(ORIG), 39, hex(A2), hex(A1))).toBe(-Icmp6Err.NO_ROOM);
    expect<u8>(load<u8>(b)).toBe(0xa5);
  });
});
