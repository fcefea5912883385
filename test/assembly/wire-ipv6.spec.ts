// IPv6 (RFC 2460; issue 12.1, 12.8): the fixed header from hand-written bytes (every truncated length,
// bad version, Payload Length past the buffer), emit into 0xa5 and round trips; the extension header
// chain walker (Hop-by-Hop, Destination Options, Routing, Fragment, AH, No Next Header; Hop-by-Hop not
// first, too many headers, every truncated payload length); options (Pad1, PadN, the four action
// values of an unknown option, PadN running past its header, the caller's known options); Fragment
// and Routing header accessors and emitters.
import {
  Ipv6Err, ipv6Check, ipv6Version, ipv6TrafficClass, ipv6FlowLabel, ipv6PayloadLen, ipv6TotalLen,
  ipv6NextHeader, ipv6HopLimit, ipv6Src, ipv6Dst, ipv6Payload, ipv6SetPayloadLen, ipv6SetNextHeader,
  ipv6SetHopLimit, ipv6DecrementHopLimit, ipv6IsMulticast, ipv6Emit,
  Ext6Err, ipv6WalkChain, ipv6IsExtHeader, ipv6ExtLen, ipv6OptionsCheck, ip6OptWantsIcmp, ipv6OptFind,
  ipv6OptLen, ipv6PadEmit, ipv6OptsEmit, ip6OptAction, ip6OptMayChange,
  walkProto, walkOffset, walkNhAt, walkPointer, walkFrag, walkRouting, walkAh, walkCount, WALK_SIZE,
  fragNextHeader, fragOffset, fragMore, fragIdent, fragIsAtomic, fragEmit,
  rhNextHeader, rhLen, rhType, rhSegmentsLeft, rhSetSegmentsLeft, rhNumAddrs, rhAddr, rhCheckAddrs, rhEmit,
  IPV6_HEADER_LEN, IPV6_MAX_EXT_HEADERS, IPPROTO_UDP6, IPPROTO_NONE, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
  IPPROTO_ESP, IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_AH, IPPROTO_ICMPV6,
  IP6OPT_ROUTER_ALERT, IP6OPT_HOME_ADDRESS, IP6OPT_JUMBO, IP6OPT_ACTION_SKIP, IP6OPT_ACTION_DISCARD,
  IP6OPT_ACTION_ICMP, IP6OPT_ACTION_ICMP_UNLESS_MCAST, RH_TYPE0, RH_TYPE2
} from "../../assembly/wire/ipv6";
import { addrEqual } from "../../assembly/wire/addr";
import { hex, filled, hexOf } from "./helpers";

const A1 = "20010db8000000000000000000000001"; // 2001:db8::1
const A2 = "20010db8000000000000000000000002"; // 2001:db8::2
const A3 = "20010db8000000000000000000000003"; // 2001:db8::3

// UDP from 2001:db8::1 port 0x1234 to 2001:db8::2 port 0x5678 with 8 data bytes "abcdefgh":
const HDR =
  "6b812345" +   // version 6, traffic class 0xb8 (EF), flow label 0x12345
  "0010" +       // payload length 16
  "11" +         // next header 17 UDP
  "40" +         // hop limit 64
  A1 + A2;
const UDP = "1234 5678 0010 0000 6162636465666768";
const PKT_LEN: i32 = 56;

/** A packet: the fixed header with Next Header `nh` and Payload Length = bytes of `rest`, then `rest`. */
function packet(nh: u8, rest: string): usize {
  let n = 0;
  for (let i = 0; i < rest.length; i++) { const c = rest.charCodeAt(i); if (c != 32 && c != 124) n++; }
  const p = hex("60000000 0000 00 40" + A1 + A2 + rest);
  store<u16>(p, bswap<u16>(<u16>(n >> 1)), 4);
  store<u8>(p, nh, 6);
  return p;
}
function rec(): usize { return filled(WALK_SIZE); }

describe("ipv6: fixed header", () => {
  it("reads the hand-written header", () => {
    const p = hex(HDR + UDP);
    expect<i32>(ipv6Check(p, PKT_LEN)).toBe(Ipv6Err.OK);
    expect<u8>(ipv6Version(p)).toBe(6);
    expect<u8>(ipv6TrafficClass(p)).toBe(0xb8);
    expect<u32>(ipv6FlowLabel(p)).toBe(0x12345);
    expect<i32>(ipv6PayloadLen(p)).toBe(16);
    expect<i32>(ipv6TotalLen(p)).toBe(PKT_LEN);
    expect<i32>(ipv6NextHeader(p)).toBe(IPPROTO_UDP6);
    expect<i32>(ipv6HopLimit(p)).toBe(64);
    expect<bool>(addrEqual(ipv6Src(p), hex(A1))).toBe(true);
    expect<bool>(addrEqual(ipv6Dst(p), hex(A2))).toBe(true);
    expect<string>(hexOf(ipv6Payload(p), 4)).toStrictEqual("12345678");
  });
  it("accepts link padding after the payload", () => {
    expect<i32>(ipv6Check(hex(HDR + UDP + "00000000"), PKT_LEN + 4)).toBe(Ipv6Err.OK);
  });
  it("refuses every truncated length 0..39 and every cut payload 40..55", () => {
    const p = hex(HDR + UDP);
    for (let n = 0; n < 40; n++) expect<i32>(ipv6Check(p, n)).toBe(Ipv6Err.TRUNCATED, n.toString());
    for (let n = 40; n < PKT_LEN; n++) expect<i32>(ipv6Check(p, n)).toBe(Ipv6Err.BAD_PAYLOAD_LEN, n.toString());
  });
  it("refuses every version but 6", () => {
    for (let v = 0; v < 16; v++) {
      if (v == 6) continue;
      const p = hex(HDR + UDP);
      store<u8>(p, <u8>((v << 4) | 0x0b), 0);
      expect<i32>(ipv6Check(p, PKT_LEN)).toBe(Ipv6Err.BAD_VERSION);
    }
  });
  it("payload length 0 is an empty payload", () => {
    const p = hex(HDR);
    store<u16>(p, 0, 4);
    expect<i32>(ipv6Check(p, 40)).toBe(Ipv6Err.OK);
    expect<i32>(ipv6TotalLen(p)).toBe(40);
  });
  it("setters and hop limit decrement", () => {
    const p = hex(HDR + UDP);
    ipv6SetPayloadLen(p, 0x1234); expect<i32>(ipv6PayloadLen(p)).toBe(0x1234);
    expect<string>(hexOf(p + 4, 2)).toStrictEqual("1234");
    ipv6SetNextHeader(p, 58); expect<i32>(ipv6NextHeader(p)).toBe(IPPROTO_ICMPV6);
    ipv6SetHopLimit(p, 2); ipv6DecrementHopLimit(p); expect<i32>(ipv6HopLimit(p)).toBe(1);
    expect<u8>(ipv6TrafficClass(p)).toBe(0xb8);
    expect<u32>(ipv6FlowLabel(p)).toBe(0x12345);
  });
  it("multicast addresses", () => {
    expect<bool>(ipv6IsMulticast(hex("ff020000000000000000000000000001"))).toBe(true);
    expect<bool>(ipv6IsMulticast(hex(A1))).toBe(false);
  });
});

describe("ipv6: emit", () => {
  it("emits the hand-written header into 0xa5 and parses it back", () => {
    const b = filled(64);
    expect<i32>(ipv6Emit(b, 64, 0xb8, 0x12345, 16, 17, 64, hex(A1), hex(A2))).toBe(40);
    expect<string>(hexOf(b, 40)).toStrictEqual(HDR);
    expect<u8>(load<u8>(b, 40)).toBe(0xa5);
    memory.copy(b + 40, hex(UDP), 16);
    expect<i32>(ipv6Check(b, PKT_LEN)).toBe(Ipv6Err.OK);
  });
  it("round-trips every field at its extremes", () => {
    const b = filled(64);
    expect<i32>(ipv6Emit(b, 40, 0xff, 0xfffff, 0xffff, 255, 255, hex(A3), hex(A1))).toBe(40);
    expect<u8>(ipv6Version(b)).toBe(6);
    expect<u8>(ipv6TrafficClass(b)).toBe(0xff);
    expect<u32>(ipv6FlowLabel(b)).toBe(0xfffff);
    expect<i32>(ipv6PayloadLen(b)).toBe(0xffff);
    expect<i32>(ipv6NextHeader(b)).toBe(255);
    expect<i32>(ipv6HopLimit(b)).toBe(255);
    expect<bool>(addrEqual(ipv6Src(b), hex(A3))).toBe(true);
    expect<bool>(addrEqual(ipv6Dst(b), hex(A1))).toBe(true);
    ipv6Emit(b, 40, 0, 0, 0, 0, 0, hex(A3), hex(A1));
    expect<u8>(ipv6TrafficClass(b)).toBe(0);
    expect<u32>(ipv6FlowLabel(b)).toBe(0);
  });
  it("swaps the addresses in place (reply)", () => {
    const p = hex(HDR + UDP);
    expect<i32>(ipv6Emit(p, 40, 0, 0, 16, 17, 64, ipv6Dst(p), ipv6Src(p))).toBe(40);
    expect<bool>(addrEqual(ipv6Src(p), hex(A2))).toBe(true);
    expect<bool>(addrEqual(ipv6Dst(p), hex(A1))).toBe(true);
  });
  it("refuses a small capacity and a flow label over 20 bits", () => {
    const b = filled(64);
    for (let c = 0; c < 40; c++) expect<i32>(ipv6Emit(b, c, 0, 0, 0, 17, 64, hex(A1), hex(A2))).toBe(-Ipv6Err.NO_ROOM);
    expect<i32>(ipv6Emit(b, 40, 0, 0x100000, 0, 17, 64, hex(A1), hex(A2))).toBe(-Ipv6Err.BAD_FIELD);
    expect<u8>(load<u8>(b)).toBe(0xa5);
  });
});

// Extension headers used below (8 bytes each unless said):
const HBH_TO_DO = "3c00 0104 00000000";     // Hop-by-Hop, next 60, PadN of 4
const DO_TO_FRAG = "2c00 00 00 0102 0000";  // Destination Options, next 44, Pad1, Pad1, PadN of 2
const FRAG_ATOMIC = "1100 0000 deadbeef";   // Fragment, next 17, offset 0, M 0, ident 0xdeadbeef
const UDP8 = "1234 5678 0008 0000";

describe("ipv6: extension header chain", () => {
  it("walks Hop-by-Hop, Destination Options, Fragment (atomic) to UDP", () => {
    const p = packet(IPPROTO_HOPOPTS, HBH_TO_DO + DO_TO_FRAG + FRAG_ATOMIC + UDP8);
    expect<i32>(ipv6Check(p, 40 + 32)).toBe(Ipv6Err.OK);
    const r = rec();
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_UDP6);
    expect<i32>(walkOffset(r)).toBe(64);
    expect<i32>(walkNhAt(r)).toBe(56);
    expect<i32>(walkFrag(r)).toBe(56);
    expect<i32>(walkRouting(r)).toBe(0);
    expect<i32>(walkAh(r)).toBe(0);
    expect<i32>(walkCount(r)).toBe(3);
  });
  it("no extension header: the upper layer at 40, named by octet 6", () => {
    const r = rec();
    expect<i32>(ipv6WalkChain(hex(HDR + UDP), 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_UDP6);
    expect<i32>(walkOffset(r)).toBe(40);
    expect<i32>(walkNhAt(r)).toBe(6);
    expect<i32>(walkCount(r)).toBe(0);
  });
  it("refuses every payload length that cuts an extension header (0..23)", () => {
    const r = rec();
    for (let n = 0; n < 24; n++) {
      const p = packet(IPPROTO_HOPOPTS, HBH_TO_DO + DO_TO_FRAG + FRAG_ATOMIC + UDP8);
      store<u16>(p, bswap<u16>(<u16>n), 4);
      expect<i32>(ipv6Check(p, 72)).toBe(Ipv6Err.OK);
      expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.TRUNCATED, n.toString());
      expect<i32>(walkPointer(r)).toBe(40 + (n & ~7), n.toString());
    }
    // 24..32: the chain is whole; the UDP header's length is the upper layer's business.
    for (let n = 24; n <= 32; n++) {
      const p = packet(IPPROTO_HOPOPTS, HBH_TO_DO + DO_TO_FRAG + FRAG_ATOMIC + UDP8);
      store<u16>(p, bswap<u16>(<u16>n), 4);
      expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.OK);
      expect<i32>(walkOffset(r)).toBe(64);
    }
  });
  it("refuses a Hdr Ext Len running past the payload", () => {
    const r = rec();
    const p = packet(IPPROTO_HOPOPTS, "1101 0104 00000000" + UDP8); // says 16 bytes, 8 follow before UDP... 16 total
    store<u16>(p, bswap<u16>(15), 4);
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.TRUNCATED);
    expect<i32>(walkPointer(r)).toBe(40);
  });
  it("Hop-by-Hop not first: error at the Next Header octet that names it", () => {
    const r = rec();
    const p = packet(IPPROTO_DSTOPTS, "0000 0104 00000000" + "1100 0104 00000000" + UDP8);
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.HBH_NOT_FIRST);
    expect<i32>(walkPointer(r)).toBe(40);
    // deeper: HBH, DO, then HBH again
    const q = packet(IPPROTO_HOPOPTS, HBH_TO_DO + "0000 0104 00000000" + "1100 0104 00000000" + UDP8);
    expect<i32>(ipv6WalkChain(q, 0, r)).toBe(Ext6Err.HBH_NOT_FIRST);
    expect<i32>(walkPointer(r)).toBe(48);
  });
  it("bounds the number of headers", () => {
    const r = rec();
    let ok = "";
    for (let i = 0; i < IPV6_MAX_EXT_HEADERS - 1; i++) ok += "3c00 0104 00000000";
    ok += "1100 0104 00000000";
    expect<i32>(ipv6WalkChain(packet(IPPROTO_DSTOPTS, ok + UDP8), 0, r)).toBe(Ext6Err.OK);
    expect<i32>(walkCount(r)).toBe(IPV6_MAX_EXT_HEADERS);
    expect<i32>(walkOffset(r)).toBe(40 + 8 * IPV6_MAX_EXT_HEADERS);
    let bad = "";
    for (let i = 0; i < IPV6_MAX_EXT_HEADERS; i++) bad += "3c00 0104 00000000";
    bad += "1100 0104 00000000";
    expect<i32>(ipv6WalkChain(packet(IPPROTO_DSTOPTS, bad + UDP8), 0, r)).toBe(Ext6Err.TOO_MANY);
    expect<i32>(walkPointer(r)).toBe(40 + 8 * IPV6_MAX_EXT_HEADERS);
  });
  it("stops at No Next Header (59) and at ESP (50)", () => {
    const r = rec();
    expect<i32>(ipv6WalkChain(packet(IPPROTO_HOPOPTS, "3b00 0104 00000000 ffffffff"), 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_NONE);
    expect<i32>(walkOffset(r)).toBe(48);
    expect<i32>(walkNhAt(r)).toBe(40);
    expect<i32>(ipv6WalkChain(packet(IPPROTO_NONE, ""), 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_NONE);
    expect<i32>(walkOffset(r)).toBe(40);
    expect<i32>(ipv6WalkChain(packet(IPPROTO_DSTOPTS, "3200 0104 00000000 00000100 00000001"), 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_ESP);
    expect<i32>(walkOffset(r)).toBe(48);
  });
  it("walks over AH (length in 32-bit words - 2)", () => {
    const r = rec();
    // AH: next 17, Payload Len 4 (24 bytes), reserved, SPI 0x100, seq 1, 12-byte ICV
    const ah = "1104 0000 00000100 00000001 000000000000000000000000";
    expect<i32>(ipv6WalkChain(packet(IPPROTO_AH, ah + UDP8), 0, r)).toBe(Ext6Err.OK);
    expect<i32>(walkAh(r)).toBe(40);
    expect<i32>(walkOffset(r)).toBe(64);
    expect<u8>(walkProto(r)).toBe(IPPROTO_UDP6);
    expect<i32>(ipv6ExtLen(packet(IPPROTO_AH, ah), 40, IPPROTO_AH)).toBe(24);
  });
  it("stops at a fragment of a fragmented packet (M set or offset > 0)", () => {
    const r = rec();
    const first = packet(IPPROTO_HOPOPTS, HBH_TO_DO + DO_TO_FRAG + "1100 0001 deadbeef" + UDP8);
    expect<i32>(ipv6WalkChain(first, 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_FRAGMENT);
    expect<i32>(walkOffset(r)).toBe(56);
    expect<i32>(walkNhAt(r)).toBe(48);
    expect<i32>(walkFrag(r)).toBe(56);
    const later = packet(IPPROTO_FRAGMENT, "1100 0008 deadbeef 6162636465666768");
    expect<i32>(ipv6WalkChain(later, 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_FRAGMENT);
    expect<i32>(walkOffset(r)).toBe(40);
    expect<i32>(walkNhAt(r)).toBe(6);
  });
  it("stops at a routing header with segments left, walks past one without", () => {
    const r = rec();
    const rh = "1102 0001 00000000" + A3;
    expect<i32>(ipv6WalkChain(packet(IPPROTO_ROUTING, rh + UDP8), 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_ROUTING);
    expect<i32>(walkOffset(r)).toBe(40);
    expect<i32>(walkRouting(r)).toBe(40);
    const done = packet(IPPROTO_ROUTING, "1102 0000 00000000" + A3 + UDP8);
    expect<i32>(ipv6WalkChain(done, 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_UDP6);
    expect<i32>(walkOffset(r)).toBe(64);
    expect<i32>(walkRouting(r)).toBe(40);
  });
  it("knows which Next Header values are extension headers", () => {
    expect<bool>(ipv6IsExtHeader(IPPROTO_HOPOPTS)).toBe(true);
    expect<bool>(ipv6IsExtHeader(IPPROTO_DSTOPTS)).toBe(true);
    expect<bool>(ipv6IsExtHeader(IPPROTO_ROUTING)).toBe(true);
    expect<bool>(ipv6IsExtHeader(IPPROTO_FRAGMENT)).toBe(true);
    expect<bool>(ipv6IsExtHeader(IPPROTO_AH)).toBe(true);
    expect<bool>(ipv6IsExtHeader(IPPROTO_ESP)).toBe(false);
    expect<bool>(ipv6IsExtHeader(IPPROTO_NONE)).toBe(false);
    expect<bool>(ipv6IsExtHeader(IPPROTO_UDP6)).toBe(false);
    expect<bool>(ipv6IsExtHeader(IPPROTO_ICMPV6)).toBe(false);
  });
});

describe("ipv6: options", () => {
  it("each action of an unknown option: skip, discard, ICMP, ICMP unless multicast", () => {
    const r = rec();
    const types: u8[] = [0x1e, 0x5e, 0x9e, 0xde];
    const want: i32[] = [Ext6Err.OK, Ext6Err.OPT_DISCARD, Ext6Err.OPT_ICMP, Ext6Err.OPT_ICMP_UNLESS_MULTICAST];
    for (let a = 0; a < 4; a++) {
      expect<u8>(ip6OptAction(types[a])).toBe(<u8>a);
      const p = packet(IPPROTO_HOPOPTS, "1100 1e04 aabbccdd" + UDP8);
      store<u8>(p, types[a], 42);
      const e = ipv6WalkChain(p, 0, r);
      expect<i32>(e).toBe(want[a], a.toString());
      if (a == 0) { expect<u8>(walkProto(r)).toBe(IPPROTO_UDP6); expect<i32>(walkOffset(r)).toBe(48); }
      else expect<i32>(walkPointer(r)).toBe(42);
      // in a Destination Options header after Hop-by-Hop, the pointer moves with it
      const q = packet(IPPROTO_HOPOPTS, HBH_TO_DO + "1100 0000 1e02 aabb" + UDP8);
      store<u8>(q, types[a], 52);
      expect<i32>(ipv6WalkChain(q, 0, r)).toBe(want[a]);
      if (a != 0) expect<i32>(walkPointer(r)).toBe(52);
    }
    expect<u8>(IP6OPT_ACTION_SKIP).toBe(0);
    expect<u8>(IP6OPT_ACTION_DISCARD).toBe(1);
    expect<u8>(IP6OPT_ACTION_ICMP).toBe(2);
    expect<u8>(IP6OPT_ACTION_ICMP_UNLESS_MCAST).toBe(3);
  });
  it("the caller decides on ICMP with the destination's kind", () => {
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OK, false)).toBe(false);
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OPT_DISCARD, false)).toBe(false);
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OPT_ICMP, false)).toBe(true);
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OPT_ICMP, true)).toBe(true);
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OPT_ICMP_UNLESS_MULTICAST, false)).toBe(true);
    expect<bool>(ip6OptWantsIcmp(Ext6Err.OPT_ICMP_UNLESS_MULTICAST, true)).toBe(false);
  });
  it("an option the caller knows is not unknown", () => {
    const r = rec();
    const known = filled(32);
    memory.fill(known, 0, 32);
    store<u8>(known + (IP6OPT_HOME_ADDRESS >> 3), <u8>1 << (IP6OPT_HOME_ADDRESS & 7));
    // Destination Options with a Home Address option (type 0xc9, 16 bytes, at 8n+6 after a PadN of 2): 24 bytes
    const p = packet(IPPROTO_DSTOPTS, "1102 0102 0000 c910" + A3 + UDP8);
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.OPT_ICMP_UNLESS_MULTICAST);
    expect<i32>(walkPointer(r)).toBe(46);
    expect<i32>(ipv6WalkChain(p, known, r)).toBe(Ext6Err.OK);
    expect<i32>(walkOffset(r)).toBe(64);
    expect<i32>(ipv6OptFind(p, 40, IP6OPT_HOME_ADDRESS)).toBe(46);
    expect<i32>(ipv6OptLen(p, 46)).toBe(16);
    expect<i32>(ipv6OptFind(p, 40, IP6OPT_ROUTER_ALERT)).toBe(-1);
    expect<bool>(ip6OptMayChange(IP6OPT_HOME_ADDRESS)).toBe(false);
    expect<bool>(ip6OptMayChange(0x3e)).toBe(true);
    // the Jumbo option (unsupported): 11, discard + ICMP unless multicast
    expect<u8>(ip6OptAction(IP6OPT_JUMBO)).toBe(3);
  });
  it("a PadN running past its header is malformed", () => {
    const r = rec();
    const p = packet(IPPROTO_HOPOPTS, "1100 0105 00000000" + UDP8); // PadN of 5: 7 bytes in 6
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.BAD_OPTION_LEN);
    expect<i32>(walkPointer(r)).toBe(42);
    expect<i32>(ipv6OptionsCheck(p, 40, 0, r)).toBe(Ext6Err.BAD_OPTION_LEN);
    // a type with no room for its length octet
    const q = packet(IPPROTO_HOPOPTS, "1100 0000 0000 0001" + UDP8);
    expect<i32>(ipv6WalkChain(q, 0, r)).toBe(Ext6Err.BAD_OPTION_LEN);
    expect<i32>(walkPointer(r)).toBe(47);
    // the exact fit is fine: PadN of 4, and six Pad1
    expect<i32>(ipv6OptionsCheck(packet(IPPROTO_HOPOPTS, "1100 0104 00000000"), 40, 0, r)).toBe(Ext6Err.OK);
    expect<i32>(ipv6OptionsCheck(packet(IPPROTO_HOPOPTS, "1100 0000 00000000"), 40, 0, r)).toBe(Ext6Err.OK);
  });
  it("emits an options header with padding and walks it back", () => {
    const b = filled(32);
    const ra = hex("0502 0000"); // Router Alert, value 0 (MLD)
    expect<i32>(ipv6OptsEmit(b, 32, IPPROTO_UDP6, ra, 4)).toBe(8);
    expect<string>(hexOf(b, 8)).toStrictEqual("1100050200000100");
    expect<u8>(load<u8>(b, 8)).toBe(0xa5);
    const c = filled(32);
    expect<i32>(ipv6OptsEmit(c, 32, IPPROTO_NONE, hex("0503 000000"), 5)).toBe(8);
    expect<string>(hexOf(c, 8)).toStrictEqual("3b00050300000000");
    const d = filled(32);
    expect<i32>(ipv6OptsEmit(d, 32, IPPROTO_UDP6, hex("0504 00000000"), 6)).toBe(8);
    expect<string>(hexOf(d, 8)).toStrictEqual("1100050400000000");
    const e = filled(32);
    expect<i32>(ipv6OptsEmit(e, 32, IPPROTO_UDP6, hex("0505 0000000000"), 7)).toBe(16);
    expect<string>(hexOf(e, 16)).toStrictEqual("1101" + "05050000000000" + "01050000000000"); // PadN of 5
    // into a packet: walked, the known option found
    const p = filled(40 + 16);
    ipv6Emit(p, 40, 0, 0, 16, IPPROTO_HOPOPTS, 1, hex(A1), hex(A2));
    expect<i32>(ipv6OptsEmit(p + 40, 16, IPPROTO_NONE, ra, 4)).toBe(8);
    const r = rec();
    expect<i32>(ipv6Check(p, 56)).toBe(Ipv6Err.OK);
    expect<i32>(ipv6WalkChain(p, 0, r)).toBe(Ext6Err.OK);
    expect<u8>(walkProto(r)).toBe(IPPROTO_NONE);
    expect<i32>(ipv6OptFind(p, 40, IP6OPT_ROUTER_ALERT)).toBe(42);
  });
  it("option emitter refusals and padding", () => {
    const b = filled(16);
    expect<i32>(ipv6OptsEmit(b, 7, 17, hex("0502 0000"), 4)).toBe(-Ipv6Err.NO_ROOM);
    expect<i32>(ipv6OptsEmit(b, 4096, 17, hex("00"), 2047)).toBe(-Ipv6Err.BAD_FIELD);
    expect<i32>(ipv6OptsEmit(b, 16, 17, hex("00"), -1)).toBe(-Ipv6Err.BAD_FIELD);
    expect<u8>(load<u8>(b)).toBe(0xa5);
    const q = filled(8);
    ipv6PadEmit(q, 1); expect<u8>(load<u8>(q)).toBe(0);
    ipv6PadEmit(q, 5); expect<string>(hexOf(q, 6)).toStrictEqual("0103000000a5");
  });
});

describe("ipv6: fragment header", () => {
  it("reads a hand-written fragment header", () => {
    const h = hex("3a00 04d1 deadbeef"); // next 58, offset 154 units = 1232 bytes, M 1
    expect<i32>(fragNextHeader(h)).toBe(IPPROTO_ICMPV6);
    expect<i32>(fragOffset(h)).toBe(1232);
    expect<bool>(fragMore(h)).toBe(true);
    expect<u32>(fragIdent(h)).toBe(0xdeadbeef);
    expect<bool>(fragIsAtomic(h)).toBe(false);
    expect<bool>(fragIsAtomic(hex("3a00 0000 deadbeef"))).toBe(true);
    expect<bool>(fragIsAtomic(hex("3a00 0006 deadbeef"))).toBe(true); // reserved bits do not count
    expect<bool>(fragIsAtomic(hex("3a00 0008 deadbeef"))).toBe(false);
    expect<bool>(fragIsAtomic(hex("3a00 8000 deadbeef"))).toBe(false);
  });
  it("emits and round-trips", () => {
    const b = filled(16);
    expect<i32>(fragEmit(b, 8, IPPROTO_ICMPV6, 1232, true, 0xdeadbeef)).toBe(8);
    expect<string>(hexOf(b, 8)).toStrictEqual("3a0004d1deadbeef");
    expect<u8>(load<u8>(b, 8)).toBe(0xa5);
    expect<i32>(fragEmit(b, 8, IPPROTO_UDP6, 0xfff8, false, 1)).toBe(8);
    expect<i32>(fragOffset(b)).toBe(0xfff8);
    expect<bool>(fragMore(b)).toBe(false);
    expect<u32>(fragIdent(b)).toBe(1);
    expect<i32>(fragNextHeader(b)).toBe(IPPROTO_UDP6);
  });
  it("refuses a bad offset and a small capacity", () => {
    const b = filled(16);
    expect<i32>(fragEmit(b, 7, 17, 0, false, 1)).toBe(-Ipv6Err.NO_ROOM);
    expect<i32>(fragEmit(b, 8, 17, 7, false, 1)).toBe(-Ipv6Err.BAD_FIELD);
    expect<i32>(fragEmit(b, 8, 17, 0x10000, false, 1)).toBe(-Ipv6Err.BAD_FIELD);
    expect<i32>(fragEmit(b, 8, 17, -8, false, 1)).toBe(-Ipv6Err.BAD_FIELD);
    expect<u8>(load<u8>(b)).toBe(0xa5);
  });
});

describe("ipv6: routing header", () => {
  it("reads a hand-written type 0 header with two addresses", () => {
    const h = hex("3a04 0001 00000000" + A2 + A3); // next 58, len 4 (40 bytes), type 0, segments left 1
    expect<i32>(rhNextHeader(h)).toBe(IPPROTO_ICMPV6);
    expect<i32>(rhLen(h)).toBe(40);
    expect<i32>(rhType(h)).toBe(RH_TYPE0);
    expect<i32>(rhSegmentsLeft(h)).toBe(1);
    expect<i32>(rhNumAddrs(h)).toBe(2);
    expect<bool>(addrEqual(rhAddr(h, 0), hex(A2))).toBe(true);
    expect<bool>(addrEqual(rhAddr(h, 1), hex(A3))).toBe(true);
    expect<i32>(rhCheckAddrs(h)).toBe(-1);
    rhSetSegmentsLeft(h, 0);
    expect<i32>(rhSegmentsLeft(h)).toBe(0);
  });
  it("points at a bad length or too many segments left", () => {
    expect<i32>(rhCheckAddrs(hex("3a03 0001 00000000" + A2))).toBe(1);
    expect<i32>(rhCheckAddrs(hex("3a02 0002 00000000" + A2))).toBe(3);
    expect<i32>(rhCheckAddrs(hex("3a02 0201 00000000" + A2))).toBe(-1);
  });
  it("emits and round-trips (type 2, one address)", () => {
    const b = filled(32);
    expect<i32>(rhEmit(b, 24, IPPROTO_UDP6, RH_TYPE2, 1, hex(A3), 1)).toBe(24);
    expect<string>(hexOf(b, 24)).toStrictEqual("11020201" + "00000000" + A3);
    expect<u8>(load<u8>(b, 24)).toBe(0xa5);
    expect<i32>(rhCheckAddrs(b)).toBe(-1);
    expect<i32>(rhEmit(b, 23, IPPROTO_UDP6, RH_TYPE2, 1, hex(A3), 1)).toBe(-Ipv6Err.NO_ROOM);
    expect<i32>(rhEmit(b, 64, IPPROTO_UDP6, RH_TYPE0, 2, hex(A3), 1)).toBe(-Ipv6Err.BAD_FIELD);
    expect<i32>(rhEmit(b, 4096, IPPROTO_UDP6, RH_TYPE0, 0, hex(A3), 128)).toBe(-Ipv6Err.BAD_FIELD);
  });
});
