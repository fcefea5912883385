// IP in IP (RFC 2003): encapsulation into headroom (TOS and DF copied, protocol 4, forwarding TTL
// rule), the decapsulation check with every truncated and inconsistent length.
import { IpipErr, IPIP_HDR_LEN, ipipEncap, ipipEncapValidated, ipipCheck, ipipCheckValidated, ipipInner, ipipInnerLen, tunnelInnerCheck } from "../../assembly/wire/ipip";
import { ipv4Check, ipv4FillChecksum, ipv4Ttl, IP_TOTAL_LEN, IP_FLAGS_FRAG, IP_PROTO } from "../../assembly/wire/ipv4";
import { withHeadroom, expectBytes } from "./helpers";

const HEADROOM: i32 = 64;

// Inner datagram: UDP 10.0.0.9:1234 -> 10.0.0.5:5678 (the mobile node's home address), TOS 0x10, DF.
const INNER: u8[] = [
  0x45, 0x10, 0x00, 0x1c, // version 4, IHL 5, TOS 0x10, Total Length 28
  0x12, 0x34, 0x40, 0x00, // Identification 0x1234, DF, offset 0
  0x40, 0x11, 0x14, 0x80, // TTL 64, protocol 17 (UDP), header checksum
  0x0a, 0x00, 0x00, 0x09, // source 10.0.0.9
  0x0a, 0x00, 0x00, 0x05, // destination 10.0.0.5
  0x04, 0xd2, 0x16, 0x2e, // UDP ports 1234 -> 5678
  0x00, 0x08, 0x00, 0x00, // UDP length 8, checksum 0
];
// Outer header from the home agent 10.0.0.1 to the care-of address 192.168.1.1.
const OUTER: u8[] = [
  0x45, 0x10, 0x00, 0x30, // version 4, IHL 5, TOS copied (0x10), Total Length 48
  0xab, 0xcd, 0x40, 0x00, // Identification 0xabcd, DF copied from inner, offset 0
  0x40, 0x04, 0xc3, 0x42, // TTL 64, protocol 4 (IP in IP), header checksum
  0x0a, 0x00, 0x00, 0x01, // source 10.0.0.1 (encapsulator)
  0xc0, 0xa8, 0x01, 0x01, // destination 192.168.1.1 (care-of address)
];

/** A buffer with HEADROOM bytes of 0xa5, then `b`, then 8 guard bytes of 0xa5; returns the start of `b`. */
function encapsulated(): usize {
  const both = OUTER.concat(INNER);
  return withHeadroom(both, HEADROOM);
}

describe("ip-in-ip encapsulation", () => {
  it("writes the known-good outer header into the headroom", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    const n = ipipEncap(inner, INNER.length, HEADROOM, 0x0a000001, 0xc0a80101, 64, 0xabcd, false);
    expect<i32>(n).toBe(IPIP_HDR_LEN);
    const p = inner - <usize>n;
    expectBytes(p, OUTER);
    expectBytes(inner, INNER); // the inner datagram is untouched
    for (let i = 0; i < HEADROOM - 20; i++) expect<u8>(load<u8>(p - 1 - <usize>i)).toBe(0xa5);
    expect<u8>(load<u8>(inner + 28)).toBe(0xa5);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.OK);
  });

  it("leaves DF clear when the inner DF is clear and copies TOS 0", () => {
    const b = INNER.slice(0);
    b[1] = 0; b[6] = 0;                // TOS 0, no DF
    const inner = withHeadroom(b, HEADROOM);
    ipv4FillChecksum(inner);
    expect<i32>(ipipEncap(inner, 28, HEADROOM, 1, 2, 30, 7, false)).toBe(20);
    const p = inner - 20;
    expect<u8>(load<u8>(p, 1)).toBe(0);          // TOS
    expect<u16>(load<u16>(p, 6)).toBe(0);        // flags/offset
    expect<u8>(load<u8>(p, 8)).toBe(30);         // TTL as given
    expect<i32>(ipv4Check(p, 48)).toBe(0);
  });

  it("decrements the inner TTL when forwarding and refuses TTL 1", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    expect<i32>(ipipEncap(inner, 28, HEADROOM, 0x0a000001, 0xc0a80101, 64, 0xabcd, true)).toBe(20);
    expect<i32>(ipv4Ttl(inner)).toBe(63);
    expect<i32>(ipv4Check(inner, 28)).toBe(0);   // checksum patched (0x1580)
    expect<u8>(load<u8>(inner, 10)).toBe(0x15);
    expect<u8>(load<u8>(inner, 11)).toBe(0x80);

    const b = INNER.slice(0);
    b[8] = 1;
    const one = withHeadroom(b, HEADROOM);
    ipv4FillChecksum(one);
    expect<i32>(ipipEncap(one, 28, HEADROOM, 1, 2, 64, 0, true)).toBe(-IpipErr.TTL_EXPIRED);
    expect<i32>(ipv4Ttl(one)).toBe(1);
    expect<u8>(load<u8>(one - 1)).toBe(0xa5);    // nothing written
    // not forwarding (locally originated): TTL 1 is fine and unchanged
    expect<i32>(ipipEncap(one, 28, HEADROOM, 1, 2, 64, 0, false)).toBe(20);
    expect<i32>(ipv4Ttl(one)).toBe(1);
  });

  it("refuses without headroom, and leaves the buffer alone", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    for (let h = 0; h < 20; h++) {
      expect<i32>(ipipEncap(inner, 28, h, 1, 2, 64, 0, false)).toBe(-IpipErr.NO_HEADROOM);
    }
    expect<u8>(load<u8>(inner - 1)).toBe(0xa5);
    expect<i32>(ipipEncap(inner, 28, 20, 1, 2, 64, 0, false)).toBe(20);
  });

  it("refuses a malformed inner datagram and a too-big result", () => {
    const inner = withHeadroom(INNER, HEADROOM);
    for (let n = 0; n < 20; n++) expect<i32>(ipipEncap(inner, n, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.INNER_TRUNCATED);
    for (let n = 20; n < 28; n++) expect<i32>(ipipEncap(inner, n, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.INNER_BAD_TOTAL_LEN);
    // trailing link padding is allowed: the Total Length is what gets tunnelled
    expect<i32>(ipipEncap(inner, 30, HEADROOM, 1, 2, 64, 0, false)).toBe(20);
    expect<u8>(load<u8>(inner - 20, 3)).toBe(48);
    // version 6
    const v6 = withHeadroom(INNER, HEADROOM);
    store<u8>(v6, 0x65);
    expect<i32>(ipipEncap(v6, 28, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.INNER_BAD_VERSION);
    // bad checksum
    const bad = withHeadroom(INNER, HEADROOM);
    store<u8>(bad, 0x00, 11);
    expect<i32>(ipipEncap(bad, 28, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.INNER_BAD_CHECKSUM);
    // 65516 + 20 > 65535
    const size = 65516;
    const bigp = heap.alloc(<usize>(size + HEADROOM));
    memory.fill(bigp, 0, <usize>(size + HEADROOM));
    const big = bigp + <usize>HEADROOM;
    for (let i = 0; i < 20; i++) store<u8>(big + <usize>i, INNER[i]);
    store<u16>(big, bswap<u16>(<u16>size), IP_TOTAL_LEN);
    ipv4FillChecksum(big);
    expect<i32>(ipipEncap(big, size, HEADROOM, 1, 2, 64, 0, false)).toBe(-IpipErr.TOO_BIG);
    store<u16>(big, bswap<u16>(<u16>(size - 1)), IP_TOTAL_LEN);
    ipv4FillChecksum(big);
    expect<i32>(ipipEncap(big, size, HEADROOM, 1, 2, 64, 0, false)).toBe(20);
  });
});

describe("ip-in-ip decapsulation check", () => {
  it("accepts the known-good packet and finds the inner datagram", () => {
    const p = encapsulated();
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.OK);
    expect<usize>(ipipInner(p)).toBe(p + 20);
    expect<i32>(ipipInnerLen(p)).toBe(28);
    // link padding after the packet is fine
    expect<i32>(ipipCheck(p, 52)).toBe(IpipErr.OK);
  });

  it("refuses every truncated length 0..47", () => {
    const p = encapsulated();
    for (let n = 0; n < 48; n++) {
      const want = n < 20 ? IpipErr.TRUNCATED : IpipErr.BAD_TOTAL_LEN;
      expect<i32>(ipipCheck(p, n)).toBe(want, "len " + n.toString());
    }
  });

  it("refuses bad outer headers", () => {
    let p = encapsulated();
    store<u8>(p, 0x44); // IHL 4
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.BAD_HEADER_LEN);
    p = encapsulated();
    store<u8>(p, 0x55);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.BAD_VERSION);
    p = encapsulated();
    store<u8>(p, 0xff, 11);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.BAD_CHECKSUM);
    p = encapsulated();
    store<u8>(p, 17, IP_PROTO);
    ipv4FillChecksum(p);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.NOT_IPIP);
    p = encapsulated();
    store<u16>(p, bswap<u16>(0x6000), IP_FLAGS_FRAG); // DF + MF
    ipv4FillChecksum(p);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.FRAGMENT);
    p = encapsulated();
    store<u16>(p, bswap<u16>(0x0001), IP_FLAGS_FRAG); // offset 8
    ipv4FillChecksum(p);
    expect<i32>(ipipCheck(p, 48)).toBe(IpipErr.FRAGMENT);
  });

  it("ipipCheckValidated (outer header already checked) gives ipipCheck's answer for every valid outer header", () => {
    let p = encapsulated();
    expect<i32>(ipipCheckValidated(p)).toBe(IpipErr.OK);
    store<u8>(p, 17, IP_PROTO);
    ipv4FillChecksum(p);
    expect<i32>(ipipCheckValidated(p)).toBe(IpipErr.NOT_IPIP);
    p = encapsulated();
    store<u16>(p, bswap<u16>(0x2000), IP_FLAGS_FRAG); // MF
    ipv4FillChecksum(p);
    expect<i32>(ipipCheckValidated(p)).toBe(IpipErr.FRAGMENT);
    for (let tl = 20; tl <= 48; tl++) {
      const q = encapsulated();
      store<u16>(q, bswap<u16>(<u16>tl), IP_TOTAL_LEN);
      ipv4FillChecksum(q);
      expect<i32>(ipv4Check(q, 48)).toBe(0);
      expect<i32>(ipipCheckValidated(q)).toBe(ipipCheck(q, 48), "outer total " + tl.toString());
    }
    const q = encapsulated();
    store<u8>(q + 20, 0x00, 10); // inner checksum wrong
    expect<i32>(ipipCheckValidated(q)).toBe(IpipErr.INNER_BAD_CHECKSUM);
  });

  it("refuses every inconsistency between outer and inner lengths", () => {
    // outer Total Length 20..47: the inner datagram is cut
    for (let tl = 20; tl < 48; tl++) {
      const p = encapsulated();
      store<u16>(p, bswap<u16>(<u16>tl), IP_TOTAL_LEN);
      ipv4FillChecksum(p);
      const want = tl < 40 ? IpipErr.INNER_TRUNCATED : IpipErr.INNER_BAD_TOTAL_LEN;
      expect<i32>(ipipCheck(p, 48)).toBe(want, "outer total " + tl.toString());
    }
    // outer Total Length 49 with 49 bytes: one stray byte after the inner datagram
    const p = encapsulated();
    store<u16>(p, bswap<u16>(49), IP_TOTAL_LEN);
    ipv4FillChecksum(p);
    expect<i32>(ipipCheck(p, 49)).toBe(IpipErr.INNER_BAD_TOTAL_LEN);
    // inner IHL 4, version 6, checksum wrong
    let q = encapsulated();
    store<u8>(q + 20, 0x44);
    expect<i32>(ipipCheck(q, 48)).toBe(IpipErr.INNER_BAD_HEADER_LEN);
    q = encapsulated();
    store<u8>(q + 20, 0x65);
    expect<i32>(ipipCheck(q, 48)).toBe(IpipErr.INNER_BAD_VERSION);
    q = encapsulated();
    store<u8>(q + 20, 0x00, 10);
    expect<i32>(ipipCheck(q, 48)).toBe(IpipErr.INNER_BAD_CHECKSUM);
    // inner Total Length 27 inside a 28-byte payload
    q = encapsulated();
    store<u16>(q + 20, bswap<u16>(27), IP_TOTAL_LEN);
    ipv4FillChecksum(q + 20);
    expect<i32>(ipipCheck(q, 48)).toBe(IpipErr.INNER_BAD_TOTAL_LEN);
    expect<i32>(tunnelInnerCheck(q + 20, 28, false)).toBe(IpipErr.OK);
  });
});
