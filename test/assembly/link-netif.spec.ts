// link/netif.ts address lists (issue 8.2): several addresses per interface and family.
import {
  netifReset, netifSet, netifSetAlias, netifAddAddr, netifHasAddr, netifAddrCount, netifAddrAt, netifByAddr,
  netifOnLink, netifIsBroadcast, netifAddrClass, netifIp, netifPrefixLen, netifGeneration, ADDR_OURS, ADDR_BROADCAST,
  NETIF_V4_EXTRA, NETIF_V6_ADDRS, netifA6Use, NETIF_A6_BYTES,
} from "../../assembly/link/netif";
import { addrSetV4, addrV4, addrEqual, addrIsV4 } from "../../assembly/wire/addr";

const mac = memory.data(8, 8);
const a = memory.data(16, 8);
const out = memory.data(16, 8);
function ip(x: u32, y: u32, z: u32, w: u32): u32 { return x << 24 | y << 16 | z << 8 | w; }
function v4(x: u32): usize { addrSetV4(a, x); return a; }
/** 2001:db8::`n` at `a`. */
function v6(n: u32): usize {
  memory.fill(a, 0, 16);
  store<u32>(a, bswap<u32>(0x20010db8));
  store<u32>(a, bswap<u32>(n), 12);
  return a;
}
/** Interfaces 0 (10.0.1.1/24) and 1 (10.0.2.1/24), nothing else. */
const a6buf = memory.data(<i32>NETIF_A6_BYTES, 8);
function setup(): void {
  netifReset();
  netifA6Use(a6buf); // the IPv6 lists (an IPv6 node's init carves them from the arena)
  netifSet(0, mac, ip(10, 0, 1, 1), 24, 1500, 0);
  netifSet(1, mac, ip(10, 0, 2, 1), 24, 1500, 0);
}

describe("netif address lists", () => {
  it("the main address is the primary IPv4 address and first in the list; the single-address accessors are unchanged", () => {
    setup();
    expect(netifAddrAt(0, false, 0, out)).toBe(96 + 24);
    expect(addrIsV4(out)).toBe(true);
    expect(addrV4(out)).toBe(ip(10, 0, 1, 1));
    expect(netifAddrCount(0, false)).toBe(1);
    expect(netifAddrCount(0, true)).toBe(0);
    expect(netifAddrAt(0, false, 1, out)).toBe(-1);
    expect(netifAddAddr(0, v4(ip(192, 168, 7, 1)), 96 + 24)).toBe(0);
    expect(netifIp(0)).toBe(ip(10, 0, 1, 1));
    expect(netifPrefixLen(0)).toBe(24);
  });
  it("extra IPv4 addresses are ours, on-link and broadcast-aware on their interface only", () => {
    setup();
    const g = netifGeneration();
    expect(netifAddAddr(0, v4(ip(192, 168, 7, 1)), 96 + 24)).toBe(0);
    expect(netifGeneration() != g).toBe(true); // caches (routes, address classes) see the change
    expect(netifAddAddr(0, v4(ip(172, 16, 0, 9)), 96 + 32)).toBe(0);
    expect(netifAddrCount(0, false)).toBe(3);
    expect(netifAddrAt(0, false, 1, out)).toBe(120);
    expect(addrV4(out)).toBe(ip(192, 168, 7, 1));
    expect(netifAddrAt(0, false, 2, out)).toBe(128);
    expect(addrV4(out)).toBe(ip(172, 16, 0, 9));
    expect(netifByAddr(ip(192, 168, 7, 1))).toBe(0);
    expect(netifByAddr(ip(172, 16, 0, 9))).toBe(0);
    expect(netifByAddr(ip(192, 168, 7, 2))).toBe(-1);
    expect(netifHasAddr(0, v4(ip(192, 168, 7, 1)))).toBe(true);
    expect(netifHasAddr(1, v4(ip(192, 168, 7, 1)))).toBe(false);
    expect(netifOnLink(0, ip(192, 168, 7, 200))).toBe(true);
    expect(netifOnLink(1, ip(192, 168, 7, 200))).toBe(false);
    expect(netifOnLink(0, ip(192, 168, 8, 1))).toBe(false);
    expect(netifIsBroadcast(0, ip(192, 168, 7, 255))).toBe(true);
    expect(netifIsBroadcast(1, ip(192, 168, 7, 255))).toBe(false);
    expect(netifIsBroadcast(0, ip(172, 16, 0, 255))).toBe(false); // a /32 has no directed broadcast
    expect(netifAddrClass(ip(192, 168, 7, 1))).toBe(ADDR_OURS);
    expect(netifAddrClass(ip(192, 168, 7, 255))).toBe(ADDR_BROADCAST);
    expect(netifAddrClass(ip(10, 0, 1, 1))).toBe(ADDR_OURS);
    expect(netifAddrClass(ip(10, 0, 3, 1))).toBe(0);
  });
  it("the address class cache forgets a miss once an address is added", () => {
    setup();
    expect(netifAddrClass(ip(192, 168, 9, 1))).toBe(0); // cached as not ours
    netifAddAddr(1, v4(ip(192, 168, 9, 1)), 96 + 24);
    expect(netifAddrClass(ip(192, 168, 9, 1))).toBe(ADDR_OURS);
  });
  it("keeps an IPv6 list per interface, apart from IPv4", () => {
    setup();
    expect(netifAddAddr(1, v6(1), 64)).toBe(0);
    expect(netifAddAddr(1, v6(2), 128)).toBe(0);
    expect(netifAddrCount(1, true)).toBe(2);
    expect(netifAddrCount(1, false)).toBe(1);
    expect(netifAddrAt(1, true, 1, out)).toBe(128);
    expect(addrEqual(out, v6(2))).toBe(true);
    expect(netifAddrAt(1, true, 0, out)).toBe(64);
    expect(addrEqual(out, v6(1))).toBe(true);
    expect(netifHasAddr(1, v6(1))).toBe(true);
    expect(netifHasAddr(0, v6(1))).toBe(false);
    expect(netifHasAddr(1, v6(3))).toBe(false);
    // 2001:db8::1 has the same low 32 bits as the IPv4-mapped ::ffff:0.0.0.1; neither is the other.
    expect(netifHasAddr(1, v4(1))).toBe(false);
  });
  it("a duplicate is reported (1) and changes nothing; refusals (-1): bad interface, unspecified, lengths, full lists", () => {
    setup();
    expect(netifAddAddr(0, v4(ip(10, 0, 1, 1)), 120)).toBe(1); // the main address
    netifSetAlias(0, ip(10, 9, 9, 9), 24);
    expect(netifAddAddr(0, v4(ip(10, 9, 9, 9)), 120)).toBe(1); // the alias
    expect(netifAddrCount(0, false)).toBe(2);
    expect(netifAddAddr(5, v4(ip(10, 5, 0, 1)), 120)).toBe(-1); // not configured
    expect(netifAddAddr(-1, v4(ip(10, 5, 0, 1)), 120)).toBe(-1);
    expect(netifAddAddr(8, v4(ip(10, 5, 0, 1)), 120)).toBe(-1);
    expect(netifAddAddr(0, v4(0), 120)).toBe(-1);
    memory.fill(a, 0, 16);
    expect(netifAddAddr(0, a, 64)).toBe(-1); // ::
    expect(netifAddAddr(0, v4(ip(10, 5, 0, 1)), 95)).toBe(-1); // an IPv4 length below 96 is no IPv4 length
    expect(netifAddAddr(0, v4(ip(10, 5, 0, 1)), 129)).toBe(-1);
    expect(netifAddAddr(0, v6(7), 129)).toBe(-1);
    expect(netifAddAddr(0, v6(7), -1)).toBe(-1);
    expect(netifAddrCount(0, false)).toBe(2);
    for (let k = 0; k < NETIF_V4_EXTRA; k++) expect(netifAddAddr(0, v4(ip(10, 20, <u32>k, 1)), 120)).toBe(0);
    expect(netifAddAddr(0, v4(ip(10, 21, 0, 1)), 120)).toBe(-1);
    expect(netifAddAddr(0, v4(ip(10, 20, 2, 1)), 120)).toBe(1);
    for (let k = 0; k < NETIF_V6_ADDRS; k++) expect(netifAddAddr(0, v6(100 + <u32>k), 64)).toBe(0);
    expect(netifAddAddr(0, v6(200), 64)).toBe(-1);
    expect(netifAddrCount(0, false)).toBe(2 + NETIF_V4_EXTRA);
    expect(netifAddrCount(0, true)).toBe(NETIF_V6_ADDRS);
    // The other interface's lists are its own.
    expect(netifAddAddr(1, v4(ip(10, 21, 0, 1)), 120)).toBe(0);
  });
  it("reset clears every list", () => {
    setup();
    netifAddAddr(0, v4(ip(192, 168, 7, 1)), 120);
    netifAddAddr(0, v6(1), 64);
    setup();
    expect(netifAddrCount(0, false)).toBe(1);
    expect(netifAddrCount(0, true)).toBe(0);
    expect(netifByAddr(ip(192, 168, 7, 1))).toBe(-1);
    expect(netifOnLink(0, ip(192, 168, 7, 9))).toBe(false);
  });
});
