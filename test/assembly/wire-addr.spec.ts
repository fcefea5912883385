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
  it("prefix match edge lengths: 0 and below match anything, 96 = the IPv4-mapped prefix, 128 = equality", () => {
    setBytes(a, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    addrSetV4(b, 0xffffffff);
    expect(addrPrefixMatch(a, b, 0)).toBe(true);
    expect(addrPrefixMatch(a, b, -5)).toBe(true);
    expect(addrPrefixMatch(a, b, 1)).toBe(false);
    // Every IPv4-mapped address lies in ::ffff:0:0/96; an IPv6 one does not, nor does IPv4-compatible.
    addrSetV4(a, 0x01020304);
    expect(addrPrefixMatch(a, b, 96)).toBe(true);
    expect(addrPrefixMatch(a, b, addrV4Bits(0))).toBe(true);
    expect(addrPrefixMatch(a, b, 97)).toBe(false); // 1.x vs 255.x differ in the first IPv4 bit
    store<u16>(b, 0, 10);                           // ::255.255.255.255
    expect(addrPrefixMatch(a, b, 80)).toBe(true);
    expect(addrPrefixMatch(a, b, 81)).toBe(false);
    expect(addrPrefixMatch(a, b, 96)).toBe(false);
    // 128 bits: equal only; past 128 clamped to 128.
    addrSetV4(a, 0x0a000001);
    addrSetV4(b, 0x0a000001);
    expect(addrPrefixMatch(a, b, 128)).toBe(true);
    expect(addrPrefixMatch(a, b, addrV4Bits(32))).toBe(true);
    addrSetV4(b, 0x0a000000);
    expect(addrPrefixMatch(a, b, 127)).toBe(true);
    expect(addrPrefixMatch(a, b, 128)).toBe(false);
    expect(addrPrefixMatch(a, b, 129)).toBe(false);
    // Word boundaries: a difference in bit 32 (first bit of the second word) and in bit 63.
    memory.fill(a, 0, 16); memory.fill(b, 0, 16);
    store<u8>(b, 0x80, 4);
    expect(addrPrefixMatch(a, b, 32)).toBe(true);
    expect(addrPrefixMatch(a, b, 33)).toBe(false);
    store<u8>(b, 0, 4); store<u8>(b, 1, 7);
    expect(addrPrefixMatch(a, b, 63)).toBe(true);
    expect(addrPrefixMatch(a, b, 64)).toBe(false);
  });
  it("IPv4 helpers: extreme addresses round-trip, addrV4Bits maps 0..32 to 96..128", () => {
    const vals: u32[] = [0, 1, 0x7fffffff, 0x80000000, 0xe0000001, 0xffffffff];
    for (let i = 0; i < vals.length; i++) {
      addrSetV4(a, vals[i]);
      expect(addrIsV4(a)).toBe(true);
      expect(addrV4(a)).toBe(vals[i]);
      expect(load<u8>(a, 12)).toBe(<u8>(vals[i] >>> 24)); // network byte order
      expect(load<u8>(a, 15)).toBe(<u8>vals[i]);
    }
    // addrSetV4 writes all 16 bytes (no leftovers from an IPv6 address there before).
    memory.fill(a, 0xee, 16);
    addrSetV4(a, 0x0a000001);
    expect(load<u64>(a)).toBe(0);
    expect(addrIsV4(a)).toBe(true);
    expect(addrV4Bits(0)).toBe(96);
    expect(addrV4Bits(24)).toBe(120);
    expect(addrV4Bits(32)).toBe(128);
  });
  it("hash: IPv4-mapped and IPv6 keys with equal low words hash apart; a word's position matters", () => {
    addrSetV4(a, 0x0a000001);
    setBytes(b, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
    expect(addrHash(a) != addrHash(b)).toBe(true);
    // Swapping two words changes the hash (an XOR fold would not).
    setBytes(a, [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
    setBytes(b, [5, 6, 7, 8, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(addrHash(a) != addrHash(b)).toBe(true);
  });
});
