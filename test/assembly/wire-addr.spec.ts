import { ADDR_LEN, addrSetV4, addrIsV4, addrV4, addrCopy, addrEqual, addrIsUnspecified, addrHash, addrPrefixMatch, addrV4Bits } from "../../assembly/wire/addr";

const a = memory.data(16, 8);
const b = memory.data(16, 8);

function setBytes(p: usize, bytes: u8[]): void { for (let i = 0; i < bytes.length; i++) store<u8>(p + <usize>i, bytes[i]); }

describe("wire/addr (issue 8.2: family-neutral addresses)", () => {
  it("maps IPv4 as ::ffff:a.b.c.d in network byte order and back", () => {
    addrSetV4(a, 0x0a000102); // 10.0.1.2
    const want: u8[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2];
    for (let i = 0; i < ADDR_LEN; i++) expect(load<u8>(a + <usize>i)).toBe(want[i]);
    expect(addrIsV4(a)).toBe(true);
    expect(addrV4(a)).toBe(0x0a000102);
  });
  it("an IPv6 address is not IPv4-mapped and has no IPv4 value", () => {
    setBytes(a, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2]);
    expect(addrIsV4(a)).toBe(false);
    expect(addrV4(a)).toBe(0);
    setBytes(a, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 1, 2]); // IPv4-compatible, not mapped
    expect(addrIsV4(a)).toBe(false);
  });
  it("equality differs in any byte; copy makes equal", () => {
    addrSetV4(a, 0xc0a80001);
    addrCopy(b, a);
    expect(addrEqual(a, b)).toBe(true);
    for (let i = 0; i < 16; i++) {
      store<u8>(b + <usize>i, load<u8>(b + <usize>i) ^ 1);
      expect(addrEqual(a, b)).toBe(false);
      store<u8>(b + <usize>i, load<u8>(b + <usize>i) ^ 1);
    }
  });
  it("unspecified: :: and ::ffff:0.0.0.0, nothing else", () => {
    memory.fill(a, 0, 16);
    expect(addrIsUnspecified(a)).toBe(true);
    addrSetV4(a, 0);
    expect(addrIsUnspecified(a)).toBe(true);
    addrSetV4(a, 1);
    expect(addrIsUnspecified(a)).toBe(false);
    memory.fill(a, 0, 16); store<u8>(a, 1, 15); // ::1
    expect(addrIsUnspecified(a)).toBe(false);
  });
  it("prefix match: IPv4 /24 as 120 bits, IPv6 /64, odd lengths, 0 and 128", () => {
    addrSetV4(a, 0x0a000102);
    addrSetV4(b, 0x0a0001fe);
    expect(addrPrefixMatch(a, b, addrV4Bits(24))).toBe(true);
    expect(addrPrefixMatch(a, b, addrV4Bits(25))).toBe(false);
    expect(addrPrefixMatch(a, b, addrV4Bits(32))).toBe(false);
    addrSetV4(b, 0x0b000102);
    expect(addrPrefixMatch(a, b, addrV4Bits(7))).toBe(true);  // 10 = 0000101|0, 11 = 0000101|1
    expect(addrPrefixMatch(a, b, addrV4Bits(8))).toBe(false);
    expect(addrPrefixMatch(a, b, 0)).toBe(true);
    setBytes(a, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    setBytes(b, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 2]);
    expect(addrPrefixMatch(a, b, 64)).toBe(true);
    expect(addrPrefixMatch(a, b, 65)).toBe(false);
    expect(addrPrefixMatch(a, b, 128)).toBe(false);
    expect(addrPrefixMatch(a, a, 200)).toBe(true);
  });
  it("hash: equal addresses hash equal; one host in each of 4096 /24s fills 4096 buckets of 8192 evenly", () => {
    addrSetV4(a, 0x0a000102);
    addrCopy(b, a);
    expect(addrHash(a)).toBe(addrHash(b));
    const buckets = memory.data(8192, 8);
    memory.fill(buckets, 0, 8192);
    let worst: i32 = 0;
    for (let i: u32 = 0; i < 4096; i++) {
      addrSetV4(a, 0x0a000001 | (i << 8));
      const k = <usize>(addrHash(a) >>> 19); // top 13 bits
      const n = <i32>load<u8>(buckets + k) + 1;
      store<u8>(buckets + k, <u8>n);
      if (n > worst) worst = n;
    }
    // A uniform hash puts at most ~6 of 4096 keys in one of 8192 buckets; a weak one piles them up.
    expect(worst).toBeLessThanOrEqual(8);
  });
});
