// Network interfaces: at most MAX_IFACES, described by IFACE config records.
// IPv4 addresses are held in host order (a.b.c.d = a<<24 | b<<16 | c<<8 | d) here; the address lists
// below take 16-byte family-neutral addresses (wire/addr.ts) at their interface.

import { handlersReset, handlersAdd, handlersCount, handlerFn } from "../table/handlers";
import { arenaAlloc } from "../mem";
import { addrIsV4, addrV4, addrSetV4, addrEqual, addrCopy, addrIsUnspecified } from "../wire/addr";

export const MAX_IFACES: i32 = 8;

// Record layout (stride 48): mac[6] @0, up u8 @6, configured u8 @7, ip u32 @8, prefixLen u8 @12,
// flags u8 @13, mtu u16 @14, bssid[6] @16 (last access point reported by link()), pad[2],
// mask u32 @24 and directed broadcast u32 @28 (derived from ip/prefixLen, 0 when /31 or /32),
// second address ("alias") u32 @32, its prefixLen u8 @36, away u8 @37, pad[2], alias mask u32 @40,
// alias directed broadcast u32 @44.
//
// The alias is a mobile node's co-located care-of address (RFC 2002 §1.6, learnt by DHCP): the
// interface keeps its home address as its main address, and the care-of address is a second address
// that netifByAddr / ipIsOurs / netifIsBroadcast accept as well. `away` marks an interface whose main
// (home) address must not be announced by ARP on the link it is attached to (RFC 2002 §4.6): see
// netifArpIp / netifArpAnswers, which arp.ts consults.
//
// Address lists (issue 8.2: several addresses per interface and family). IPv4, in order: the main
// address (the primary: netifIp and every single-address accessor), the alias, then up to
// NETIF_V4_EXTRA further addresses; IPv6: up to NETIF_V6_ADDRS addresses. netifAddAddr adds one;
// netifByAddr, netifOnLink, netifIsBroadcast and netifAddrClass see them all. Their counts sit in the
// record's spare bytes (extra IPv4 u8 @22, IPv6 u8 @23); the entries in two arrays beside the records:
//   extra IPv4 (stride 16): addr u32 @0 | mask u32 @4 | directed broadcast u32 @8 | prefixLen u8 @12
//   IPv6 (stride 32):       addr[16] @0 | prefixLen u8 @16 (0..128) | state u8 @17 | flags u8 @18 |
//                           dadLeft u8 @19 | validUntilSec u32 @20 | preferredUntilSec u32 @24 | dadAt u32 @28
//   (IPv6 states and flags: A6_*; the lifetimes are in seconds of the node's clock, A6_FOREVER for
//   none; a static address keeps the lifetimes it advertises there instead. stack/addr6.ts runs them.)
// Why (speed, size): the per-packet accessors read the extra lists only when some interface has an
// extra IPv4 address (one global compared, `extraN`), so a node without any costs what it did.
const STRIDE: usize = 48;
const O_ALIAS: usize = 32;
const O_ALIAS_LEN: usize = 36;
const O_AWAY: usize = 37;
const O_ALIAS_MASK: usize = 40;
const O_ALIAS_BCAST: usize = 44;
const O_N4X: usize = 22;
const O_N6: usize = 23;
/** Extra IPv4 addresses per interface (beyond the main address and the alias). */
export const NETIF_V4_EXTRA: i32 = 4;
const X4_STRIDE: usize = 16;
// The records, then the extra IPv4 addresses (extra4) in the same block: netifReset clears both at once.
const table: usize = memory.data(<i32>STRIDE * MAX_IFACES + <i32>X4_STRIDE * NETIF_V4_EXTRA * MAX_IFACES, 16);
/** IPv6 addresses per interface. */
export const NETIF_V6_ADDRS: i32 = 4;
const A6_STRIDE: usize = 32;
/** IPv6 address states (RFC 2462 §5.5.4 tentative / preferred / deprecated; DUPLICATE: DAD failed,
 *  never used, RFC 2462 §5.4.5). Only PREFERRED and DEPRECATED addresses are "ours". */
export const A6_TENTATIVE: u8 = 1;
export const A6_PREFERRED: u8 = 2;
export const A6_DEPRECATED: u8 = 3;
export const A6_DUPLICATE: u8 = 4;
/** IPv6 address flags: configured (never expires), its prefix advertised in Router Advertisements
 *  (routers), formed by stateless autoconfiguration, the link-local address. */
export const A6F_STATIC: u8 = 1;
export const A6F_ADVERTISE: u8 = 2;
export const A6F_AUTOCONF: u8 = 4;
export const A6F_LINK_LOCAL: u8 = 8;
/** A Mobile IPv6 mobile node's home address (configuration `ipv6[].home`; mobility/mn6.ts). */
export const A6F_HOME: u8 = 16;
/** Usable while its DAD still runs (RFC 4429 Optimistic DAD; a mobile node's care-of addresses,
 *  `mobility.optimisticDad`): the state stays TENTATIVE, stack/addr6.ts `usable` admits it. */
export const A6F_OPTIMISTIC: u8 = 32;
export const A6_FOREVER: u32 = 0xffffffff;
const extra4: usize = table + STRIDE * <usize>MAX_IFACES;
// Why (memory): the IPv6 lists take 1 KiB; they come from the arena on a node that runs IPv6
// (netifA6Alloc at init) and are absent (0, every count 0) on an IPv4-only one.
let addrs6: usize = 0;

/** Bytes of the IPv6 address lists (netifA6Use). */
export const NETIF_A6_BYTES: usize = A6_STRIDE * <usize>(NETIF_V6_ADDRS * MAX_IFACES);

/** Carve the IPv6 address lists from the arena (init, IPv6 nodes, before any address is added). */
export function netifA6Alloc(): bool { return netifA6Use(arenaAlloc(NETIF_A6_BYTES)); }

/** Keep the IPv6 address lists in the NETIF_A6_BYTES at `b` (0: none); false when `b` is 0. */
export function netifA6Use(b: usize): bool {
  addrs6 = b;
  if (b != 0) memory.fill(b, 0, NETIF_A6_BYTES);
  return b != 0;
}

function rec(i: i32): usize { return table + <usize>i * STRIDE; }
/** rec() inline, for the per-packet accessors (netifValidHot, netifMacHot, netifMtuHot) and the
 *  registration path's netifIsBroadcast, netifOnLink. */
// @ts-ignore: decorator
@inline function recHot(i: i32): usize { return table + <usize>i * STRIDE; }
// @ts-ignore: decorator
@inline function x4(i: i32, k: i32): usize { return extra4 + (<usize>i * <usize>NETIF_V4_EXTRA + <usize>k) * X4_STRIDE; }
/** rec() for the called (cold) accessors, the index taken modulo MAX_IFACES (every caller passes a
 *  configured interface). Why (size): the mask keeps these accessors over the 6-node body the
 *  compiler's inliner copies to every caller; a call is 3-4 bytes, the record address 8-10. */
function recCold(i: i32): usize { return table + <usize>(i & (MAX_IFACES - 1)) * STRIDE; }
function a6(i: i32, k: i32): usize { return addrs6 + (<usize>i * <usize>NETIF_V6_ADDRS + <usize>k) * A6_STRIDE; }

// One past the highest configured index: per-packet loops stop here instead of at MAX_IFACES.
let count: i32 = 0;
// Bumped by every change of an address, prefix, MTU or up state (route caches compare it).
let gen: u32 = 0;
// Extra IPv4 addresses over all interfaces.
let extraN: i32 = 0;

/** Changes so far to the interfaces' addresses, prefixes, MTUs and up states (for caches). */
// @ts-ignore: decorator
@inline export function netifGeneration(): u32 { return gen; }

export function netifReset(): void {
  memory.fill(table, 0, STRIDE * <usize>MAX_IFACES + X4_STRIDE * <usize>(NETIF_V4_EXTRA * MAX_IFACES)); // and extra4
  addrs6 = 0;
  count = 0;
  extraN = 0;
  netifA6Changed();
}

/** One past the highest configured interface index; loop `for (i = 0; i < netifCount(); i++)`. */
// @ts-ignore: decorator
@inline export function netifCount(): i32 { return count; }

function derive(i: i32): void {
  const r = rec(i);
  const len = <i32>load<u8>(r, 12);
  store<u32>(r, prefixMask(len), 24);
  store<u32>(r, bcastOf(load<u32>(r, 8), len), 28);
  netifA6Changed();
}

export function netifSet(i: i32, mac: usize, ip: u32, prefixLen: u8, mtu: u16, flags: u8): void {
  const r = rec(i);
  memory.copy(r, mac, 6);
  store<u8>(r, 1, 6);          // up until the host says otherwise
  store<u8>(r, 1, 7);
  store<u32>(r, ip, 8);
  store<u8>(r, prefixLen, 12);
  store<u8>(r, flags, 13);
  store<u16>(r, mtu, 14);
  derive(i);
  if (i >= count) count = i + 1;
}

// Per-packet accessors are @inline (why: speed — V8 does not inline wasm calls, and each of these
// runs several times per forwarded or tunnelled datagram).

/** True when `i` names a configured interface. */
export function netifValid(i: i32): bool { return netifValidHot(i); }
/** netifValid inline, for the per-packet paths (receive, route lookup). */
// Why (size): 40 inline copies cost ~1 KB; the packet paths keep theirs (a call is ~100 native
// instructions under wasm3), the rest call the out-of-line one.
// @ts-ignore: decorator
@inline export function netifValidHot(i: i32): bool { return i >= 0 && i < MAX_IFACES && load<u8>(recHot(i), 7) != 0; }
export function netifUp(i: i32): bool { return load<u8>(rec(i), 6) != 0; }
export function netifSetUp(i: i32, up: bool): void { store<u8>(rec(i), up ? 1 : 0, 6); netifA6Changed(); }
/** Pointer to the 6-byte MAC address of interface `i`. */
export function netifMac(i: i32): usize { return recCold(i); }
/** netifMac inline, for the per-packet paths. */
// @ts-ignore: decorator
@inline export function netifMacHot(i: i32): usize { return recHot(i); }
export function netifIp(i: i32): u32 { return load<u32>(recCold(i), 8); }
export function netifPrefixLen(i: i32): u8 { return load<u8>(recCold(i), 12); }
export function netifMtu(i: i32): i32 { return <i32>load<u16>(recCold(i), 14); }
/** netifMtu inline, for the per-packet paths. */
// @ts-ignore: decorator
@inline export function netifMtuHot(i: i32): i32 { return <i32>load<u16>(recHot(i), 14); }
export function netifFlags(i: i32): u8 { return load<u8>(recCold(i), 13); }
/** Pointer to the 6-byte BSSID of the access point the interface is associated with (zeros if none). */
export function netifBssid(i: i32): usize { return rec(i) + 16; }

/** The directed broadcast address of `addr`/`len` (0 for no address, or a /31 or /32). Why (size): the
 *  main address and the alias share it. */
function bcastOf(addr: u32, len: i32): u32 {
  const m = prefixMask(len);
  return addr == 0 || len >= 31 ? 0 : (addr & m) | ~m;
}

/** Netmask for a prefix length, host order. */
export function prefixMask(len: i32): u32 { return len <= 0 ? 0 : len >= 32 ? 0xffffffff : ~(<u32>0xffffffff >>> <u32>len); }

/** True when `addr` is on the directly attached subnet of interface `i` (its main or an extra address's). */
export function netifOnLink(i: i32, addr: u32): bool {
  const r = recHot(i);
  const m = load<u32>(r, 24);
  const ip = load<u32>(r, 8);
  return (ip != 0 && (addr & m) == (ip & m)) || (extraN != 0 && extraMatch(i, addr, 0));
}

/** Interface whose own address (main address, alias or an extra one) is `addr`, or -1. */
// @ts-ignore: decorator
@inline export function netifByAddr(addr: u32): i32 {
  if (addr == 0) return -1;
  for (let i = 0; i < count; i++) {
    const r = rec(i);
    if (load<u8>(r, 7) != 0 && (load<u32>(r, 8) == addr || load<u32>(r, O_ALIAS) == addr)) return i;
  }
  return extraN != 0 ? extraOwner(addr) : -1;
}

/** Interface with the extra IPv4 address `addr`, or -1. */
function extraOwner(addr: u32): i32 {
  for (let i = 0; i < count; i++) if (netifValid(i) && extraMatch(i, addr, 1)) return i;
  return -1;
}

/** True when `addr` is the directed broadcast address of interface `i`'s subnet (or of its alias's, or an extra address's). */
export function netifIsBroadcast(i: i32, addr: u32): bool {
  const r = recHot(i);
  const b = load<u32>(r, 28);
  const a = load<u32>(r, O_ALIAS_BCAST);
  return (b != 0 && addr == b) || (a != 0 && addr == a) || (extraN != 0 && extraMatch(i, addr, 2));
}

/** True when an extra IPv4 address of interface `i` has `addr` on its subnet (how 0), is `addr` (1), or has it as directed broadcast (2). */
function extraMatch(i: i32, addr: u32, how: i32): bool {
  for (let k = 0, n = <i32>load<u8>(rec(i), O_N4X); k < n; k++) {
    const x = x4(i, k);
    const a = load<u32>(x);
    if (how == 0 ? (addr & load<u32>(x, 4)) == (a & load<u32>(x, 4)) : how == 1 ? addr == a : load<u32>(x, 8) != 0 && addr == load<u32>(x, 8)) return true;
  }
  return false;
}

/** netifAddrClass bits: one of our addresses (main or alias), a directed broadcast of our subnets. */
export const ADDR_OURS: u32 = 1;
export const ADDR_BROADCAST: u32 = 2;
// Why (speed): every received datagram asks this for its source and destination; a scan costs ~40
// wasm operations per interface. 16 direct-mapped entries (address u32 | generation u32 | class u32),
// an entry valid while `gen` is unchanged (gen ≥ 1 after netifReset, so an empty entry never matches).
const CLASS_ENTRIES: u32 = 16;
const classCache: usize = memory.data(<i32>CLASS_ENTRIES * 12, 4);

/** ADDR_OURS | ADDR_BROADCAST for `addr` over the configured interfaces (0 is never ours). */
export function netifAddrClass(addr: u32): u32 {
  // Why (speed): the hit is inline (a call costs ~100 native instructions under wasm3); a miss scans.
  const e = classCache + <usize>((addr * 0x9e3779b1) >>> 28) * 12;
  return load<u32>(e) == addr && load<u32>(e, 4) == gen ? load<u32>(e, 8) : addrClassScan(addr, e);
}

function addrClassScan(addr: u32, e: usize): u32 {
  let c: u32 = 0;
  for (let i = 0; i < count; i++) {
    if (!netifValid(i)) continue;
    if (addr != 0 && (netifIp(i) == addr || netifAlias(i) == addr || (extraN != 0 && extraMatch(i, addr, 1)))) c |= ADDR_OURS;
    if (netifIsBroadcast(i, addr)) c |= ADDR_BROADCAST;
  }
  store<u32>(e, addr);
  store<u32>(e, gen, 4);
  store<u32>(e, c, 8);
  return c;
}

// ---- address lists (issue 8.2) --------------------------------------------------------------------

/** Index of the 16-byte IPv6 address at `a` in interface `i`'s IPv6 list, or -1. */
function find6(i: i32, a: usize): i32 {
  for (let k = 0, n = <i32>load<u8>(rec(i), O_N6); k < n; k++) if (addrEqual(a6(i, k), a)) return k;
  return -1;
}

/** True when the 16-byte address at `a` is one of interface `i`'s (either family; never the unspecified one). */
export function netifHasAddr(i: i32, a: usize): bool {
  if (!netifValid(i) || addrIsUnspecified(a)) return false;
  if (!addrIsV4(a)) return find6(i, a) >= 0;
  const v = addrV4(a);
  return netifIp(i) == v || netifAlias(i) == v || extraMatch(i, v, 1);
}

/**
 * Add the 16-byte address at `a` with prefix length `prefixLen` in the 128-bit space (wire/addr.ts:
 * an IPv4 /24 is 120) to interface `i`: an IPv4 address to the interface's extra IPv4 addresses (the
 * main one is netifSet's), an IPv6 one to its IPv6 list. Returns 0 added, 1 already one of the
 * interface's (unchanged), -1 refused: no such interface, the unspecified address, a length out of
 * range (IPv4: 96..128; IPv6: 0..128), or the family's list full.
 */
export function netifAddAddr(i: i32, a: usize, prefixLen: i32): i32 {
  if (netifHasAddr(i, a)) return 1;
  const v4 = addrIsV4(a);
  if (!netifValid(i) || addrIsUnspecified(a) || prefixLen > 128 || (v4 ? 96 : 0) > prefixLen) return -1;
  const c = rec(i) + (v4 ? O_N4X : O_N6);
  const n = <i32>load<u8>(c);
  if (n >= (v4 ? NETIF_V4_EXTRA : NETIF_V6_ADDRS) || (!v4 && addrs6 == 0)) return -1;
  store<u8>(c, <u8>(n + 1));
  netifA6Changed();
  if (!v4) {
    const e = a6(i, n);
    memory.fill(e, 0, A6_STRIDE);
    addrCopy(e, a);
    store<u8>(e, <u8>prefixLen, 16);
    store<u8>(e, A6_PREFERRED, 17);
    store<u32>(e, A6_FOREVER, 20);
    store<u32>(e, A6_FOREVER, 24);
    return 0;
  }
  const v = addrV4(a);
  const len = prefixLen - 96;
  const x = x4(i, n);
  const m = prefixMask(len);
  store<u32>(x, v);
  store<u32>(x, m, 4);
  store<u32>(x, len >= 31 ? 0 : (v & m) | ~m, 8);
  store<u8>(x, <u8>len, 12);
  extraN++;
  return 0;
}

/** Addresses of interface `i` in its IPv4 list (main, alias, extras; unset ones skipped) or, when `v6`, its IPv6 list. */
export function netifAddrCount(i: i32, v6: bool): i32 {
  if (!netifValid(i)) return 0;
  const r = rec(i);
  if (v6) return <i32>load<u8>(r, O_N6);
  return (netifIp(i) != 0 ? 1 : 0) + (netifAlias(i) != 0 ? 1 : 0) + <i32>load<u8>(r, O_N4X);
}

/**
 * Write the `k`-th address of interface `i`'s IPv4 (or, when `v6`, IPv6) list as 16 bytes at `out`;
 * returns its prefix length in the 128-bit space, or -1 past the end.
 */
export function netifAddrAt(i: i32, v6: bool, k: i32, out: usize): i32 {
  if (k < 0 || k >= netifAddrCount(i, v6)) return -1;
  if (v6) { addrCopy(out, a6(i, k)); return <i32>load<u8>(a6(i, k), 16); }
  if (netifIp(i) != 0) { if (k == 0) { addrSetV4(out, netifIp(i)); return 96 + <i32>netifPrefixLen(i); } k--; }
  if (netifAlias(i) != 0) { if (k == 0) { addrSetV4(out, netifAlias(i)); return 96 + <i32>netifAliasPrefixLen(i); } k--; }
  addrSetV4(out, load<u32>(x4(i, k)));
  return 96 + <i32>load<u8>(x4(i, k), 12);
}

// ---- IPv6 address records (stack/addr6.ts runs their states) ----------------------------------------

/** The `k`-th IPv6 address record of interface `i` (layout above; k < netifAddrCount(i, true)). */
// @ts-ignore: decorator
@inline export function netifA6(i: i32, k: i32): usize { return a6(i, k); }

/** Index of the IPv6 address at `a` in interface `i`'s list, or -1. */
export function netifA6Find(i: i32, a: usize): i32 { return netifValid(i) ? find6(i, a) : -1; }

/** Remove the `k`-th IPv6 address of interface `i` (the later ones move down one place). */
export function netifA6Remove(i: i32, k: i32): void {
  const c = rec(i) + O_N6;
  const n = <i32>load<u8>(c);
  if (k < 0 || k >= n) return;
  memory.copy(a6(i, k), a6(i, k + 1), <usize>(n - 1 - k) * A6_STRIDE);
  store<u8>(c, <u8>(n - 1));
  netifA6Changed();
}

/**
 * An interface's addresses, prefixes, MTU, up state or an IPv6 address's state changed (caches that
 * depend on them start over). Why (size): the wrap written out keeps it a call, not ~8 inlined bytes, at
 * its callers (asc copies a body of about six nodes into every caller; the same values as gen++).
 */
export function netifA6Changed(): void { if (gen != 0xffffffff) gen++; else gen = 0; }

// ---- second address (co-located care-of address) and the away flag (mobile node) ----------------

/** Give interface `i` a second address `addr`/`prefixLen` (0 removes it). */
export function netifSetAlias(i: i32, addr: u32, prefixLen: u8): void {
  const r = rec(i);
  if (addr == 0) prefixLen = 0;
  store<u32>(r, addr, O_ALIAS);
  store<u8>(r, prefixLen, O_ALIAS_LEN);
  store<u32>(r, prefixMask(<i32>prefixLen), O_ALIAS_MASK);
  store<u32>(r, bcastOf(addr, <i32>prefixLen), O_ALIAS_BCAST);
  netifA6Changed();
}
/** Second address of interface `i` (0 when none). */
export function netifAlias(i: i32): u32 { return load<u32>(recCold(i), O_ALIAS); }
/** Prefix length of the second address. */
export function netifAliasPrefixLen(i: i32): u8 { return load<u8>(rec(i), O_ALIAS_LEN); }
/** True when `addr` is on the subnet of interface `i`'s second address. */
export function netifAliasOnLink(i: i32, addr: u32): bool {
  const r = rec(i);
  const a = load<u32>(r, O_ALIAS);
  const m = load<u32>(r, O_ALIAS_MASK);
  return a != 0 && (addr & m) == (a & m);
}

/** Mark interface `i` as attached away from home (its main address is a home address, RFC 2002 §4.6). */
export function netifSetAway(i: i32, away: bool): void { store<u8>(rec(i), away ? 1 : 0, O_AWAY); }
/** True while interface `i` is attached away from home. */
export function netifAway(i: i32): bool { return load<u8>(rec(i), O_AWAY) != 0; }

/**
 * The sender address ARP uses on interface `i`: the main address; away from home the co-located
 * care-of address, or 0 when there is none (RFC 2002 §4.6: a mobile node away from home does not
 * broadcast ARP for its home address).
 */
export function netifArpIp(i: i32): u32 {
  const r = rec(i);
  if (load<u8>(r, O_AWAY) == 0) return load<u32>(r, 8);
  return load<u32>(r, O_ALIAS);
}

/**
 * True when ARP on interface `i` answers a request for `target`; `unicast`: the request came in a
 * unicast frame. The main address is answered at home; away from home only unicast requests (RFC
 * 2002 §4.6: from a foreign agent the mobile node registers with; a foreign link has no other reason
 * to unicast an ARP request for a home address). The co-located care-of address is always answered
 * (RFC 2002 §4.6: the mobile node SHOULD reply for it).
 */
export function netifArpAnswers(i: i32, target: u32, unicast: bool): bool {
  if (target == 0) return false;
  const r = rec(i);
  if (target == load<u32>(r, O_ALIAS)) return true;
  return target == load<u32>(r, 8) && (load<u8>(r, O_AWAY) == 0 || unicast);
}

// Link-state listeners (the neighbour cache, the mobile node, the foreign agent): registered at init
// by the layers above, called in registration order by netifLinkChanged (Why: one-way layering: the
// link layer announces, it does not know who listens).
export type LinkListener = (iface: i32, up: bool) => void;
const MAX_LISTENERS: i32 = 8;
export const listeners: usize = memory.data(8 + 8 * MAX_LISTENERS, 4);

/** Forget every link listener (init). */
export function netifListenersReset(): void { handlersReset(listeners, MAX_LISTENERS); }

/** Call `fn` on every link state change (at init; at most 8 listeners). */
export function netifListen(fn: LinkListener): void { handlersAdd(listeners, 0, changetype<usize>(fn)); }

/** Link of `iface` went up or down: tell every listener. */
export function netifLinkChanged(iface: i32, up: bool): void {
  for (let i = 0, n = handlersCount(listeners); i < n; i++) changetype<LinkListener>(handlerFn(listeners, i))(iface, up);
}
