// Byte order helpers (wire/bytes.ts): known values, and agreement with AssemblyScript's bswap<T>
// on a sweep of values, so the per-packet accessors that use them read what bswap<T> read.
import { swap16, swap32 } from "../../assembly/wire/bytes";

import { hex } from "./helpers";

describe("bytes: swap", () => {
  it("swaps known values", () => {
    expect<u16>(swap16(0x0800)).toBe(0x0008);
    expect<u16>(swap16(0xff01)).toBe(0x01ff);
    expect<u32>(swap32(0xc0a80001)).toBe(0x0100a8c0);
    expect<u32>(swap32(0xffffff00)).toBe(0x00ffffff);
  });
  it("reads network-order fields as stored: 0x0800 and 192.168.0.199", () => {
    const p = hex("0800 c0a800c7");
    expect<u16>(swap16(load<u16>(p))).toBe(0x0800);
    expect<u32>(swap32(load<u32>(p, 2))).toBe(0xc0a800c7);
  });
  it("agrees with bswap<T> on 100,000 values and is its own inverse", () => {
    let seed: u32 = 1;
    for (let i = 0; i < 100000; i++) {
      seed = seed * 1103515245 + 12345;
      const v = seed ^ (seed << 13);
      expect<u32>(swap32(v)).toBe(bswap<u32>(v));
      expect<u32>(swap32(swap32(v))).toBe(v);
      expect<u16>(swap16(<u16>v)).toBe(bswap<u16>(<u16>v));
    }
  });
});
