// IPv4 header (RFC 791, RFC 1812 §5.2.2, RFC 1624): a real header with a correct checksum, every
// truncated length, every inconsistent length field, options, fragments, emit into 0xa5, the
// incremental TTL update against a full recomputation, and the address classes.
import {
  Ipv4Err, ipv4Check, ipv4Version, ipv4HeaderLen, ipv4Tos, ipv4TotalLen, ipv4Ident, ipv4FlagsFrag,
  ipv4DontFrag, ipv4FragOffset, ipv4IsFragment, ipv4Ttl, ipv4Proto, ipv4Checksum, ipv4Src, ipv4Dst,
  ipv4Payload, ipv4SetSrc, ipv4SetDst, ipv4SetTotalLen, ipv4FillChecksum, ipv4DecrementTtl, ipv4Emit,
  ipIsMulticast, ipIsLoopback, ipIsClassE, ipIsUnicastSource, IP_FLAG_DF, IP_FLAG_MF, IPPROTO_UDP,
  IPPROTO_ICMP
} from "../../assembly/wire/ipv4";
import { checksum } from "../../assembly/wire/checksum";

import { hex, filled, hexOf } from "./helpers";

// A real UDP datagram's header, 192.168.0.1 -> 192.168.0.199:
const HEADER =
  "45" +       // version 4, IHL 5
  "00" +       // TOS
  "0073" +     // total length 115
  "0000" +     // identification
  "4000" +     // flags: DF, offset 0
  "40" +       // TTL 64
  "11" +       // protocol 17 (UDP)
  "b861" +     // header checksum
  "c0a80001" + // source 192.168.0.1
  "c0a800c7";  // destination 192.168.0.199
const TOTAL: i32 = 115;

/** Checksum by big-endian 16-bit words one at a time (RFC 1071 §4.1), independent of wire/checksum.ts. */
function refSum(p: usize, len: i32): u16 {
  let s: u32 = 0;
  for (let i = 0; i < len; i += 2) {
    s += (<u32>load<u8>(p + <usize>i) << 8) | <u32>load<u8>(p + <usize>i + 1);
    s = (s & 0xffff) + (s >>> 16);
  }
  return <u16>~s;
}

let lcg: u32 = 1;
/** Next value of a linear congruential sequence (test data only). */
function next(): u32 { lcg = lcg * 1103515245 + 12345; return lcg; }

/** The real header followed by 95 payload bytes. */
function packet(): usize {
  const p = heap.alloc(TOTAL + 64);
  memory.copy(p, hex(HEADER), 20);
  for (let i = 20; i < TOTAL; i++) store<u8>(p + <usize>i, <u8>i);
  return p;
}

describe("ipv4: parse", () => {
  it("reads a real header", () => {
    const p = packet();
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.OK);
    expect<u8>(ipv4Version(p)).toBe(4);
    expect<i32>(ipv4HeaderLen(p)).toBe(20);
    expect<u8>(ipv4Tos(p)).toBe(0);
    expect<i32>(ipv4TotalLen(p)).toBe(115);
    expect<i32>(ipv4Ident(p)).toBe(0);
    expect<u16>(ipv4FlagsFrag(p)).toBe(IP_FLAG_DF);
    expect<bool>(ipv4DontFrag(p)).toBe(true);
    expect<bool>(ipv4IsFragment(p)).toBe(false);
    expect<i32>(ipv4FragOffset(p)).toBe(0);
    expect<i32>(ipv4Ttl(p)).toBe(64);
    expect<i32>(ipv4Proto(p)).toBe(IPPROTO_UDP);
    expect<i32>(ipv4Checksum(p)).toBe(0xb861);
    expect<u32>(ipv4Src(p)).toBe(0xc0a80001);
    expect<u32>(ipv4Dst(p)).toBe(0xc0a800c7);
    expect<usize>(ipv4Payload(p)).toBe(p + 20);
  });
  it("accepts a buffer longer than Total Length (Ethernet padding)", () => {
    expect<i32>(ipv4Check(packet(), TOTAL + 10)).toBe(Ipv4Err.OK);
  });
  it("refuses every length below the 20-byte header", () => {
    const p = packet();
    for (let n = 0; n < 20; n++) expect<i32>(ipv4Check(p, n)).toBe(Ipv4Err.TRUNCATED);
  });
  it("refuses every length between the header and Total Length", () => {
    const p = packet();
    for (let n = 20; n < TOTAL; n++) expect<i32>(ipv4Check(p, n)).toBe(Ipv4Err.BAD_TOTAL_LEN);
  });
  it("refuses versions other than 4", () => {
    const p = packet();
    for (let v = 0; v < 16; v++) {
      if (v == 4) continue;
      store<u8>(p, <u8>((v << 4) | 5));
      expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_VERSION);
    }
  });
  it("refuses IHL < 5", () => {
    const p = packet();
    for (let ihl = 0; ihl < 5; ihl++) {
      store<u8>(p, <u8>(0x40 | ihl));
      expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_IHL);
    }
  });
  it("refuses IHL*4 larger than the buffer", () => {
    const p = packet();
    store<u8>(p, 0x46); // 24-byte header in a 20..23-byte buffer
    for (let n = 20; n < 24; n++) expect<i32>(ipv4Check(p, n)).toBe(Ipv4Err.BAD_IHL);
    store<u8>(p, 0x4f); // 60-byte header
    expect<i32>(ipv4Check(p, 59)).toBe(Ipv4Err.BAD_IHL);
  });
  it("refuses Total Length < IHL*4 (0, 19) or > buffer", () => {
    const p = packet();
    ipv4SetTotalLen(p, 19); ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_TOTAL_LEN);
    ipv4SetTotalLen(p, 0); ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_TOTAL_LEN);
    ipv4SetTotalLen(p, <u16>(TOTAL + 1)); ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_TOTAL_LEN);
    ipv4SetTotalLen(p, 0xffff); ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_TOTAL_LEN);
    store<u8>(p, 0x46); ipv4SetTotalLen(p, 23); ipv4FillChecksum(p); // options, total inside them
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_TOTAL_LEN);
  });
  it("refuses a wrong checksum, every single bit flip in the header", () => {
    for (let bit = 0; bit < 160; bit++) {
      const byte = bit >> 3;
      if (byte < 4) continue; // version/IHL/total flips are refused earlier for other reasons
      const p = packet();
      store<u8>(p + <usize>byte, load<u8>(p + <usize>byte) ^ <u8>(<i32>1 << (bit & 7)));
      expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_CHECKSUM);
    }
  });
  it("checks the 20-byte header like the general sum: all-ones fields (carries in every word), a random sweep", () => {
    // 45 ff 0014 ffff ffff ff ff 0000 fffffffe ffffffff, checksum filled by the byte-wise reference
    const p = hex("45ff 0014 ffff ffff ffff 0000 ffff fffe ffff ffff");
    store<u16>(p, bswap<u16>(refSum(p, 20)), 10);
    expect<i32>(checksum(p, 20)).toBe(0);
    expect<i32>(ipv4Check(p, 20)).toBe(Ipv4Err.OK);
    store<u8>(p, 0xfe, 19);
    expect<i32>(ipv4Check(p, 20)).toBe(Ipv4Err.BAD_CHECKSUM);
    let seed: u32 = 77;
    const q = heap.alloc(20);
    for (let k = 0; k < 2000; k++) {
      for (let i = 0; i < 20; i++) { seed = seed * 1103515245 + 12345; store<u8>(q + <usize>i, <u8>(seed >>> 24)); }
      store<u8>(q, 0x45); store<u16>(q, bswap<u16>(20), 2);
      const good = (k & 1) == 0;
      store<u16>(q, 0, 10);
      const c = refSum(q, 20);
      store<u16>(q, bswap<u16>(good ? c : <u16>(c ^ (1 + (seed & 0x7ffe)))), 10);
      expect<i32>(ipv4Check(q, 20)).toBe(checksum(q, 20) == 0 ? Ipv4Err.OK : Ipv4Err.BAD_CHECKSUM);
      expect<i32>(ipv4Check(q, 20)).toBe(good ? Ipv4Err.OK : Ipv4Err.BAD_CHECKSUM);
    }
  });
  it("skips options by IHL (4 NOPs), checksum over the whole header", () => {
    const p = hex("4600 001c 0001 0000 4001 0000 0a000001 0a000002 01010101 0800f7ff00000000");
    ipv4FillChecksum(p);
    expect<i32>(checksum(p, 24)).toBe(0);
    expect<i32>(ipv4Check(p, 28)).toBe(Ipv4Err.OK);
    expect<i32>(ipv4HeaderLen(p)).toBe(24);
    expect<usize>(ipv4Payload(p)).toBe(p + 24);
    expect<u8>(load<u8>(ipv4Payload(p))).toBe(8);
    expect<i32>(ipv4Proto(p)).toBe(IPPROTO_ICMP);
  });
  it("detects fragments: MF, a non-zero offset, both; DF alone is not one", () => {
    const p = packet();
    store<u16>(p, bswap<u16>(IP_FLAG_MF), 6);
    expect<bool>(ipv4IsFragment(p)).toBe(true);
    expect<i32>(ipv4FragOffset(p)).toBe(0);
    store<u16>(p, bswap<u16>(<u16>185), 6); // last fragment at 1480 bytes
    expect<bool>(ipv4IsFragment(p)).toBe(true);
    expect<i32>(ipv4FragOffset(p)).toBe(1480);
    store<u16>(p, bswap<u16>(IP_FLAG_MF | 0x1fff), 6);
    expect<bool>(ipv4IsFragment(p)).toBe(true);
    expect<i32>(ipv4FragOffset(p)).toBe(0x1fff * 8);
    store<u16>(p, bswap<u16>(IP_FLAG_DF), 6);
    expect<bool>(ipv4IsFragment(p)).toBe(false);
    ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.OK); // the check itself does not refuse fragments
  });
});

describe("ipv4: emit", () => {
  it("writes exactly the 20 bytes of the real header into a 0xa5 buffer", () => {
    const b = filled(24);
    ipv4Emit(b, 0, 115, 0, IP_FLAG_DF, 64, IPPROTO_UDP, 0xc0a80001, 0xc0a800c7);
    expect<string>(hexOf(b, 24)).toStrictEqual(HEADER + "a5a5a5a5");
  });
  it("round-trips every field", () => {
    const b = filled(40);
    ipv4Emit(b, 0xb8, 40, 0xbeef, IP_FLAG_MF | 3, 1, IPPROTO_ICMP, 0x0a000001, 0xe0000001);
    expect<i32>(ipv4Check(b, 40)).toBe(Ipv4Err.OK);
    expect<u8>(ipv4Tos(b)).toBe(0xb8);
    expect<i32>(ipv4TotalLen(b)).toBe(40);
    expect<i32>(ipv4Ident(b)).toBe(0xbeef);
    expect<i32>(ipv4FragOffset(b)).toBe(24);
    expect<bool>(ipv4IsFragment(b)).toBe(true);
    expect<i32>(ipv4Ttl(b)).toBe(1);
    expect<u32>(ipv4Src(b)).toBe(0x0a000001);
    expect<u32>(ipv4Dst(b)).toBe(0xe0000001);
  });
  it("writes the checksum the byte-wise reference computes, for extreme and random field values", () => {
    const b = filled(20);
    ipv4Emit(b, 0xff, 0xffff, 0xffff, 0xffff, 0xff, 0xff, 0xffffffff, 0xfffffffe);
    // words 45ff ffff ffff ffff ffff 0000 ffff ffff ffff fffe sum to 45fe (ffff is -0): checksum ba01
    expect<string>(hexOf(b, 20)).toStrictEqual("45ffffffffffffffffffba01fffffffffffffffe");
    store<u16>(b, 0, 10);
    const want = refSum(b, 20);
    ipv4Emit(b, 0xff, 0xffff, 0xffff, 0xffff, 0xff, 0xff, 0xffffffff, 0xfffffffe);
    expect<i32>(ipv4Checksum(b)).toBe(want);
    lcg = 5;
    for (let k = 0; k < 2000; k++) {
      const tos = <u8>(next() >>> 24), tl = <u16>(next() >>> 16), id = <u16>(next() >>> 16), ff = <u16>(next() >>> 16);
      const ttl = <u8>(next() >>> 24), proto = <u8>(next() >>> 24), src = next() ^ (next() << 7), dst = next() ^ (next() >>> 3);
      ipv4Emit(b, tos, tl, id, ff, ttl, proto, src, dst);
      expect<i32>(checksum(b, 20)).toBe(0);
      const got = ipv4Checksum(b);
      store<u16>(b, 0, 10);
      expect<i32>(got).toBe(refSum(b, 20));
      expect<u8>(ipv4Tos(b)).toBe(tos);
      expect<i32>(ipv4TotalLen(b)).toBe(tl);
      expect<i32>(ipv4Ident(b)).toBe(id);
      expect<u16>(ipv4FlagsFrag(b)).toBe(ff);
      expect<i32>(ipv4Ttl(b)).toBe(ttl);
      expect<i32>(ipv4Proto(b)).toBe(proto);
      expect<u32>(ipv4Src(b)).toBe(src);
      expect<u32>(ipv4Dst(b)).toBe(dst);
    }
  });
  it("sets addresses and refills the checksum", () => {
    const p = packet();
    ipv4SetSrc(p, 0x01020304);
    ipv4SetDst(p, 0x05060708);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.BAD_CHECKSUM);
    ipv4FillChecksum(p);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.OK);
    expect<string>(hexOf(p + 12, 8)).toStrictEqual("0102030405060708");
  });
});

describe("ipv4: TTL decrement (RFC 1624)", () => {
  it("decrements the real header: TTL 63, checksum b961", () => {
    const p = packet();
    ipv4DecrementTtl(p);
    expect<i32>(ipv4Ttl(p)).toBe(63);
    expect<i32>(ipv4Checksum(p)).toBe(0xb961);
    expect<i32>(ipv4Check(p, TOTAL)).toBe(Ipv4Err.OK);
  });
  it("equals a full recomputation for every TTL 2..255 and many headers", () => {
    let seed: u32 = 99;
    const p = packet();
    const q = heap.alloc(20);
    for (let round = 0; round < 64; round++) {
      for (let i = 4; i < 20; i++) { seed = seed * 1103515245 + 12345; store<u8>(p + <usize>i, <u8>(seed >>> 24)); }
      for (let ttl = 2; ttl < 256; ttl++) {
        store<u8>(p, <u8>ttl, 8);
        ipv4FillChecksum(p);
        memory.copy(q, p, 20);
        ipv4DecrementTtl(p);
        store<u8>(q, <u8>(ttl - 1), 8);
        ipv4FillChecksum(q);
        expect<i32>(ipv4Checksum(p)).toBe(ipv4Checksum(q));
      }
    }
  });
  it("handles the RFC 1624 §3 corner: a header whose checksum field is 0000 before or after", () => {
    // Search headers (varying the identification) whose checksum is 0x0000 after the decrement
    // and 0x0000 before it; eqn. 3 must give what a full recomputation gives in both cases.
    const p = packet();
    const q = heap.alloc(20);
    let seen = 0;
    for (let id = 0; id < 0x10000; id++) {
      store<u16>(p, bswap<u16>(<u16>id), 4);
      store<u8>(p, 64, 8);
      ipv4FillChecksum(p);
      const before = ipv4Checksum(p);
      memory.copy(q, p, 20);
      store<u8>(q, 63, 8);
      ipv4FillChecksum(q);
      if (before != 0 && ipv4Checksum(q) != 0) continue;
      seen++;
      ipv4DecrementTtl(p);
      expect<i32>(ipv4Checksum(p)).toBe(ipv4Checksum(q));
      expect<i32>(checksum(p, 20)).toBe(0);
    }
    expect<i32>(seen).toBeGreaterThan(0);
  });
});

describe("ipv4: address classes", () => {
  it("classifies", () => {
    expect<bool>(ipIsMulticast(0xe0000001)).toBe(true);
    expect<bool>(ipIsMulticast(0xefffffff)).toBe(true);
    expect<bool>(ipIsMulticast(0xdfffffff)).toBe(false);
    expect<bool>(ipIsMulticast(0xf0000000)).toBe(false);
    expect<bool>(ipIsLoopback(0x7f000001)).toBe(true);
    expect<bool>(ipIsLoopback(0x80000001)).toBe(false);
    expect<bool>(ipIsClassE(0xffffffff)).toBe(true);
    expect<bool>(ipIsUnicastSource(0x0a000001)).toBe(true);
    expect<bool>(ipIsUnicastSource(0xc0a80001)).toBe(true);
    expect<bool>(ipIsUnicastSource(0)).toBe(false);          // this host (only while unconfigured)
    expect<bool>(ipIsUnicastSource(0x00010203)).toBe(false); // 0/8
    expect<bool>(ipIsUnicastSource(0x7f000001)).toBe(false); // loopback
    expect<bool>(ipIsUnicastSource(0xe0000001)).toBe(false); // multicast
    expect<bool>(ipIsUnicastSource(0xffffffff)).toBe(false); // limited broadcast
    expect<bool>(ipIsUnicastSource(0xf0000001)).toBe(false); // class E
  });
});
