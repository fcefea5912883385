// GRE (RFC 1701/1702): parse with and without the optional fields, routing refused, version and
// checksum checks, every truncated length, the 4-byte emitter and encapsulation into headroom.
import {
  GreErr, GRE_HDR_LEN, GRE_PROTO_IPV4, greCheck, greEmit, greEncap, greEncapValidated, greFlags, greProtocolType,
  greVersion, greRecur, greHasChecksum, greHasRouting, greHasKey, greHasSeq, greStrictRoute,
  greChecksum, greOffset, greKey, greSeq, greKeyOff, greSeqOff, greRoutingOff, greHdrLen,
  greRoutingLen,
} from "../../assembly/wire/gre";
import { IpipErr, tunnelInnerCheck } from "../../assembly/wire/ipip";
import { withHeadroom, expectBytes } from "./helpers";

const HEADROOM: i32 = 64;

// The inner datagram carried in every example (same as the IP-in-IP spec).
const INNER: u8[] = [
  0x45, 0x10, 0x00, 0x1c, // version 4, IHL 5, TOS 0x10, Total Length 28
  0x12, 0x34, 0x40, 0x00, // Identification 0x1234, DF
  0x40, 0x11, 0x14, 0x80, // TTL 64, UDP, header checksum
  0x0a, 0x00, 0x00, 0x09, // source 10.0.0.9
  0x0a, 0x00, 0x00, 0x05, // destination 10.0.0.5
  0x04, 0xd2, 0x16, 0x2e, // UDP ports
  0x00, 0x08, 0x00, 0x00, // UDP length, checksum
];
// GRE with no optional fields, as we send it.
const GRE_PLAIN: u8[] = [
  0x00, 0x00,             // C=0 R=0 K=0 S=0 s=0 Recur=0 Flags=0 Ver=0
  0x08, 0x00,             // Protocol Type 0x0800 (IPv4)
];
// GRE with checksum, key and sequence number.
const GRE_CKS: u8[] = [
  0xb0, 0x00,             // C=1 R=0 K=1 S=1 s=0 Recur=0 Flags=0 Ver=0
  0x08, 0x00,             // Protocol Type 0x0800
  0x28, 0xea,             // Checksum over GRE header and payload
  0x00, 0x00,             // Offset (present because C, meaningless without R)
  0x01, 0x02, 0x03, 0x04, // Key 0x01020304
  0x00, 0x00, 0x00, 0x07, // Sequence Number 7
];
// GRE with routing: one IPv4 SRE (192.168.1.1) and the NULL SRE.
const GRE_ROUTED: u8[] = [
  0x40, 0x00,             // R=1
  0x08, 0x00,             // Protocol Type
  0x00, 0x00, 0x00, 0x00, // Checksum (not valid, C=0), Offset 0
  0x08, 0x00, 0x00, 0x04, // SRE: Address Family 0x0800, SRE Offset 0, SRE Length 4
  0xc0, 0xa8, 0x01, 0x01, // 192.168.1.1
  0x00, 0x00, 0x00, 0x00, // NULL SRE
];
// Outer header of greEncap: 10.0.0.1 -> 192.168.1.1, protocol 47, Total Length 20 + 4 + 28.
const OUTER_GRE: u8[] = [
  0x45, 0x10, 0x00, 0x34, // TOS copied, Total Length 52
  0xab, 0xcd, 0x40, 0x00, // Identification 0xabcd, DF copied
  0x40, 0x2f, 0xc3, 0x13, // TTL 64, protocol 47 (GRE), header checksum
  0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1
  0xc0, 0xa8, 0x01, 0x01, // destination 192.168.1.1
];


describe("gre parse", () => {
  it("parses the plain header", () => {
    const all = GRE_PLAIN.concat(INNER);
    const p = withHeadroom(all, HEADROOM);
    expect<i32>(greCheck(p, all.length)).toBe(GreErr.OK);
    expect<u16>(greFlags(p)).toBe(0);
    expect<i32>(greProtocolType(p)).toBe(GRE_PROTO_IPV4);
    expect<u16>(greVersion(p)).toBe(0);
    expect<bool>(greHasChecksum(p) || greHasRouting(p) || greHasKey(p) || greHasSeq(p)).toBe(false);
    expect<i32>(greHdrLen(p)).toBe(4);
    expect<i32>(tunnelInnerCheck(p + 4, all.length - 4, true)).toBe(IpipErr.OK);
    // a GRE packet may be just the header
    expect<i32>(greCheck(p, 4)).toBe(GreErr.OK);
  });

  it("parses checksum, key and sequence number", () => {
    const all = GRE_CKS.concat(INNER);
    const p = withHeadroom(all, HEADROOM);
    expect<i32>(greCheck(p, all.length)).toBe(GreErr.OK);
    expect<bool>(greHasChecksum(p)).toBe(true);
    expect<bool>(greHasKey(p)).toBe(true);
    expect<bool>(greHasSeq(p)).toBe(true);
    expect<bool>(greHasRouting(p)).toBe(false);
    expect<bool>(greStrictRoute(p)).toBe(false);
    expect<i32>(greChecksum(p)).toBe(0x28ea);
    expect<i32>(greOffset(p)).toBe(0);
    expect<i32>(greKeyOff(p)).toBe(8);
    expect<i32>(greSeqOff(p)).toBe(12);
    expect<u32>(greKey(p)).toBe(0x01020304);
    expect<u32>(greSeq(p)).toBe(7);
    expect<i32>(greHdrLen(p)).toBe(16);
    expect<i32>(tunnelInnerCheck(p + 16, all.length - 16, true)).toBe(IpipErr.OK);
  });

  it("finds each optional field at the right offset alone", () => {
    // K only: key at 4
    const k: u8[] = [0x20, 0x00, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef];
    let p = withHeadroom(k, HEADROOM);
    expect<i32>(greCheck(p, 8)).toBe(GreErr.OK);
    expect<u32>(greKey(p)).toBe(0xdeadbeef);
    expect<i32>(greHdrLen(p)).toBe(8);
    // S only: sequence at 4
    const s: u8[] = [0x10, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00];
    p = withHeadroom(s, HEADROOM);
    expect<i32>(greCheck(p, 8)).toBe(GreErr.OK);
    expect<u32>(greSeq(p)).toBe(256);
    // K and S: sequence after the key
    const ks: u8[] = [0x30, 0x00, 0x08, 0x00, 0, 0, 0, 1, 0, 0, 0, 2];
    p = withHeadroom(ks, HEADROOM);
    expect<i32>(greCheck(p, 12)).toBe(GreErr.OK);
    expect<u32>(greKey(p)).toBe(1);
    expect<u32>(greSeq(p)).toBe(2);
    expect<i32>(greHdrLen(p)).toBe(12);
    // Recur and reserved Flags bits are read but do not refuse the packet
    const r: u8[] = [0x07, 0xf8, 0x08, 0x00];
    p = withHeadroom(r, HEADROOM);
    expect<i32>(greCheck(p, 4)).toBe(GreErr.OK);
    expect<u16>(greRecur(p)).toBe(7);
  });

  it("refuses every truncated length", () => {
    const all = GRE_CKS.concat(INNER);
    const p = withHeadroom(all, HEADROOM);
    for (let n = 0; n < 4; n++) expect<i32>(greCheck(p, n)).toBe(GreErr.TRUNCATED, "len " + n.toString());
    for (let n = 4; n < 16; n++) expect<i32>(greCheck(p, n)).toBe(GreErr.TRUNCATED, "len " + n.toString());
    // payload cut: the checksum no longer verifies (except when only trailing zero bytes are cut,
    // which do not change a one's-complement sum: the last two bytes are the zero UDP checksum)
    for (let n = 16; n < all.length; n++) {
      const want = n >= all.length - 2 ? GreErr.OK : GreErr.BAD_CHECKSUM;
      expect<i32>(greCheck(p, n)).toBe(want, "len " + n.toString());
    }
    const q = withHeadroom(GRE_PLAIN, HEADROOM);
    for (let n = 0; n < 4; n++) expect<i32>(greCheck(q, n)).toBe(GreErr.TRUNCATED);
  });

  it("refuses C set with a truncated checksum field", () => {
    const c: u8[] = [0x80, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00];
    const p = withHeadroom(c, HEADROOM);
    for (let n = 4; n < 8; n++) expect<i32>(greCheck(p, n)).toBe(GreErr.TRUNCATED);
  });

  it("refuses a wrong checksum", () => {
    const all = GRE_CKS.concat(INNER);
    const p = withHeadroom(all, HEADROOM);
    store<u8>(p, 0x29, 4);
    expect<i32>(greCheck(p, all.length)).toBe(GreErr.BAD_CHECKSUM);
    const p2 = withHeadroom(all, HEADROOM);
    store<u8>(p2, 0x46, 16); // payload altered
    expect<i32>(greCheck(p2, all.length)).toBe(GreErr.BAD_CHECKSUM);
    // the same header without C is not checked
    const p3 = withHeadroom(all, HEADROOM);
    store<u8>(p3, 0x30);
    expect<i32>(greCheck(p3, all.length)).toBe(GreErr.OK);
  });

  it("refuses every version but 0", () => {
    for (let v = 1; v < 8; v++) {
      const b: u8[] = [0x00, <u8>v, 0x08, 0x00];
      expect<i32>(greCheck(withHeadroom(b, HEADROOM), 4)).toBe(GreErr.BAD_VERSION);
    }
    const pptp: u8[] = [0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0];
    const p = withHeadroom(pptp, HEADROOM);
    expect<i32>(greCheck(p, 12)).toBe(GreErr.BAD_VERSION);
    expect<u16>(greVersion(p)).toBe(1);
  });

  it("parses routing, then refuses it", () => {
    const all = GRE_ROUTED.concat(INNER);
    const p = withHeadroom(all, HEADROOM);
    expect<bool>(greHasRouting(p)).toBe(true);
    expect<i32>(greRoutingOff(p)).toBe(8);
    expect<i32>(greRoutingLen(p + 8, all.length - 8)).toBe(12);
    expect<i32>(greCheck(p, all.length)).toBe(GreErr.ROUTING_UNSUPPORTED);
    // cut anywhere inside the SRE list: malformed
    for (let n = 8; n < 20; n++) expect<i32>(greCheck(p, n)).toBe(GreErr.BAD_ROUTING, "len " + n.toString());
    for (let n = 4; n < 8; n++) expect<i32>(greCheck(p, n)).toBe(GreErr.TRUNCATED);
    // an SRE Length past the end
    const q = withHeadroom(GRE_ROUTED, HEADROOM);
    store<u8>(q, 40, 11);
    expect<i32>(greCheck(q, GRE_ROUTED.length)).toBe(GreErr.BAD_ROUTING);
    // no NULL SRE before the end
    const r = withHeadroom(GRE_ROUTED, HEADROOM);
    store<u8>(r, 0x08, 16);
    expect<i32>(greCheck(r, GRE_ROUTED.length)).toBe(GreErr.BAD_ROUTING);
    // with strict source route, K and S before the routing field
    const ks: u8[] = [0x78, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0];
    const k = withHeadroom(ks, HEADROOM);
    expect<bool>(greStrictRoute(k)).toBe(true);
    expect<i32>(greRoutingOff(k)).toBe(16);
    expect<u32>(greKey(k)).toBe(9);
    expect<i32>(greCheck(k, 20)).toBe(GreErr.ROUTING_UNSUPPORTED);
  });
});

describe("gre emit", () => {
  it("emits the 4-byte header into a 0xa5 buffer", () => {
    const p = heap.alloc(32);
    memory.fill(p, 0xa5, 32);
    expect<i32>(greEmit(p, 8, GRE_PROTO_IPV4)).toBe(GRE_HDR_LEN);
    expectBytes(p, GRE_PLAIN);
    expect<u8>(load<u8>(p, 4)).toBe(0xa5);
    for (let c = 0; c < 4; c++) expect<i32>(greEmit(p + 16, c, GRE_PROTO_IPV4)).toBe(0);
    expect<u8>(load<u8>(p, 16)).toBe(0xa5);
  });

  it("encapsulates into headroom: outer IPv4 (protocol 47) + GRE", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    const n = greEncap(inner, 28, HEADROOM, 0x0a000001, 0xc0a80101, 64, 0xabcd, false);
    expect<i32>(n).toBe(24);
    const p = inner - 24;
    expectBytes(p, OUTER_GRE.concat(GRE_PLAIN).concat(INNER));
    expect<u8>(load<u8>(p - 1)).toBe(0xa5);
    expect<i32>(greCheck(p + 20, 32)).toBe(GreErr.OK);
  });

  it("refuses without headroom and applies the forwarding TTL rule", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    for (let h = 0; h < 24; h++) expect<i32>(greEncap(inner, 28, h, 1, 2, 64, 0, false)).toBe(-IpipErr.NO_HEADROOM);
    expect<u8>(load<u8>(inner - 1)).toBe(0xa5);
    expect<i32>(greEncap(inner, 28, 24, 1, 2, 64, 0, true)).toBe(24);
    expect<u8>(load<u8>(inner, 8)).toBe(63);
    expect<i32>(greEncap(inner, 19, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.INNER_TRUNCATED);
  });
});
