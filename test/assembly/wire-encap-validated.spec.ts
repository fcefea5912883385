// Encapsulation of datagrams already checked by the IP layer (ipipEncapValidated, greEncapValidated,
// minEncEncapValidated: no second header check, checksums computed from the fields in hand or
// updated incrementally) and ipv4Emit's checksum: for many pseudo-random headers, with and without
// options, every result must equal a full recomputation and decapsulate back to the original bytes.
import { IpipErr, ipipEncap, ipipEncapValidated, ipipCheck, ipipInner, tunnelEncapOuterValidated } from "../../assembly/wire/ipip";
import { greEncap, greEncapValidated, greCheck, GreErr, GRE_HDR_LEN } from "../../assembly/wire/gre";
import { MinEncErr, minEncEncap, minEncEncapValidated, minEncDecap, minEncCheck } from "../../assembly/wire/minenc";
import {
  Ipv4Err, ipv4Check, ipv4Emit, ipv4FillChecksum, ipv4Checksum, ipv4Ttl, IP_FLAGS_FRAG, IPPROTO_IPIP,
} from "../../assembly/wire/ipv4";
import { checksum } from "../../assembly/wire/checksum";

const HEADROOM: i32 = 64;
const PAYLOAD: i32 = 8;
let seed: u32 = 12345;
function rnd(): u32 { seed = seed * 1103515245 + 12345; return seed >>> 8; }

/** A fresh valid datagram (IHL 5 or 6, pseudo-random fields, no fragment) after HEADROOM bytes of 0xa5. */
function datagram(withOptions: bool, df: bool): usize {
  const hl = withOptions ? 24 : 20;
  const n = <usize>(HEADROOM + hl + PAYLOAD + 8);
  const b = heap.alloc(n);
  memory.fill(b, 0xa5, n);
  const p = b + <usize>HEADROOM;
  for (let i = 0; i < hl + PAYLOAD; i++) store<u8>(p + <usize>i, <u8>rnd());
  store<u8>(p, withOptions ? 0x46 : 0x45);                    // version 4, IHL
  store<u16>(p, bswap<u16>(<u16>(hl + PAYLOAD)), 2);          // Total Length
  store<u16>(p, bswap<u16>(df ? 0x4000 : 0), IP_FLAGS_FRAG);  // DF or nothing, offset 0
  store<u8>(p, <u8>(2 + rnd() % 254), 8);                     // TTL 2..255
  if (withOptions) store<u32>(p, 0x01010101, 20);             // four NOPs
  ipv4FillChecksum(p);
  return p;
}

function copyOf(p: usize, len: i32): usize {
  const b = heap.alloc(<usize>(HEADROOM + len + 8));
  memory.fill(b, 0xa5, <usize>(HEADROOM + len + 8));
  memory.copy(b + <usize>HEADROOM, p, <usize>len);
  return b + <usize>HEADROOM;
}

function same(a: usize, b: usize, n: i32): bool { return memory.compare(a, b, <usize>n) == 0; }

describe("ipv4Emit checksum", () => {
  it("equals a full recomputation for many field values", () => {
    const p = heap.alloc(20);
    const q = heap.alloc(20);
    for (let k = 0; k < 1000; k++) {
      ipv4Emit(p, <u8>rnd(), <u16>rnd(), <u16>rnd(), <u16>rnd(), <u8>rnd(), <u8>rnd(), rnd() * 257, rnd() * 263);
      memory.copy(q, p, 20);
      ipv4FillChecksum(q);
      expect<i32>(ipv4Checksum(p)).toBe(ipv4Checksum(q));
      expect<i32>(checksum(p, 20)).toBe(0);
    }
  });
});

describe("encapsulation of checked datagrams", () => {
  it("ip in ip: same bytes as the checked codec, a valid outer header, the inner intact", () => {
    for (let k = 0; k < 500; k++) {
      const opts = (k & 1) != 0;
      const p = datagram(opts, (k & 2) != 0);
      const len = (opts ? 24 : 20) + PAYLOAD;
      const fwd = (k & 4) != 0;
      const c = copyOf(p, len);
      const src = rnd() * 3, dst = rnd() * 5;
      expect<i32>(ipipEncapValidated(p, HEADROOM, src, dst, 64, <u16>k, fwd)).toBe(20);
      expect<i32>(ipipEncap(c, len, HEADROOM, src, dst, 64, <u16>k, fwd)).toBe(20);
      expect<bool>(same(p - 20, c - 20, len + 20)).toBe(true);
      expect<u8>(load<u8>(p - 21)).toBe(0xa5);
      expect<i32>(ipipCheck(p - 20, len + 20)).toBe(IpipErr.OK);
      expect<usize>(ipipInner(p - 20)).toBe(p);
    }
  });

  it("gre: same bytes as the checked codec and a valid packet", () => {
    for (let k = 0; k < 500; k++) {
      const opts = (k & 1) != 0;
      const p = datagram(opts, (k & 2) != 0);
      const len = (opts ? 24 : 20) + PAYLOAD;
      const fwd = (k & 4) != 0;
      const c = copyOf(p, len);
      expect<i32>(greEncapValidated(p, HEADROOM, 0x0a000001, 0xc0a80101, 64, <u16>k, fwd)).toBe(24);
      expect<i32>(greEncap(c, len, HEADROOM, 0x0a000001, 0xc0a80101, 64, <u16>k, fwd)).toBe(24);
      expect<bool>(same(p - 24, c - 24, len + 24)).toBe(true);
      expect<u8>(load<u8>(p - 25)).toBe(0xa5);
      expect<i32>(ipv4Check(p - 24, len + 24)).toBe(Ipv4Err.OK);
      expect<i32>(greCheck(p - <usize>GRE_HDR_LEN, len + GRE_HDR_LEN)).toBe(GreErr.OK);
      expect<i32>(ipv4Check(p, len)).toBe(Ipv4Err.OK);
    }
  });

  it("minimal: checksums equal a full recomputation and decapsulation restores the original", () => {
    for (let k = 0; k < 600; k++) {
      const opts = (k & 1) != 0;
      const p = datagram(opts, (k & 2) != 0);
      const len = (opts ? 24 : 20) + PAYLOAD;
      const orig = copyOf(p, len);
      // every other datagram is the encapsulator's own (S = 0)
      const enc = (k & 4) != 0 ? bswap<u32>(load<u32>(p, 12)) : rnd() * 7 + 1;
      const n = minEncEncapValidated(p, HEADROOM, enc, rnd() * 11 + 1);
      expect<i32>(n).toBe((k & 4) != 0 ? 8 : 12);
      const q = p - <usize>n;
      expect<u8>(load<u8>(q - 1)).toBe(0xa5);
      const h = copyOf(q, len + n);
      ipv4FillChecksum(h);
      expect<i32>(ipv4Checksum(q)).toBe(ipv4Checksum(h));   // incremental == full recomputation
      expect<i32>(minEncCheck(q, len + n)).toBe(MinEncErr.OK);
      expect<i32>(ipv4Ttl(q)).toBe(ipv4Ttl(orig));
      expect<i32>(minEncDecap(q, len + n)).toBe(n);
      expect<bool>(same(p, orig, len)).toBe(true);
    }
  });

  it("keeps the refusals that do not depend on the header check", () => {
    const p = datagram(false, false);
    for (let h = 0; h < 20; h++) expect<i32>(ipipEncapValidated(p, h, 1, 2, 64, 0, false)).toBe(-IpipErr.NO_HEADROOM);
    for (let h = 0; h < 24; h++) expect<i32>(greEncapValidated(p, h, 1, 2, 64, 0, false)).toBe(-IpipErr.NO_HEADROOM);
    for (let h = 0; h < 12; h++) expect<i32>(minEncEncapValidated(p, h, 1, 2)).toBe(-MinEncErr.NO_HEADROOM);
    store<u8>(p, 1, 8);                                       // TTL 1
    ipv4FillChecksum(p);
    expect<i32>(ipipEncapValidated(p, HEADROOM, 1, 2, 64, 0, true)).toBe(-IpipErr.TTL_EXPIRED);
    expect<i32>(tunnelEncapOuterValidated(p, HEADROOM, 0, IPPROTO_IPIP, 1, 2, 64, 0, true)).toBe(-IpipErr.TTL_EXPIRED);
    store<u8>(p, 0x20, IP_FLAGS_FRAG);                        // MF
    ipv4FillChecksum(p);
    expect<i32>(minEncEncapValidated(p, HEADROOM, 1, 2)).toBe(-MinEncErr.FRAGMENT);
    expect<u8>(load<u8>(p - 1)).toBe(0xa5);                   // nothing written
  });
});
