import { prefixMask } from "../../assembly/link/netif";

describe("netif", () => {
  it("builds netmasks in host order", () => {
    expect<u32>(prefixMask(0)).toBe(0);
    expect<u32>(prefixMask(24)).toBe(0xffffff00);
    expect<u32>(prefixMask(32)).toBe(0xffffffff);
    expect<u32>(prefixMask(1)).toBe(0x80000000);
  });
});
