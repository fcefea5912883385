// Network interfaces: at most MAX_IFACES, described by IFACE config records.
// Addresses are held in host order (a.b.c.d = a<<24 | b<<16 | c<<8 | d) everywhere in the core.

import { handlersReset, handlersAdd, handlersCount, handlerFn } from "../table/handlers";

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
const STRIDE: usize = 48;
const O_ALIAS: usize = 32;
const O_ALIAS_LEN: usize = 36;
const O_AWAY: usize = 37;
const O_ALIAS_MASK: usize = 40;
const O_ALIAS_BCAST: usize = 44;
const table: usize = memory.data(<i32>STRIDE * MAX_IFACES, 16);

// @ts-ignore: decorator
@inline function rec(i: i32): usize { return table + <usize>i * STRIDE; }

// One past the highest configured index: per-packet loops stop here instead of at MAX_IFACES.
let count: i32 = 0;
// Bumped by every change of an address, prefix, MTU or up state (route caches compare it).
let gen: u32 = 0;

/** Changes so far to the interfaces' addresses, prefixes, MTUs and up states (for caches). */
// @ts-ignore: decorator
@inline export function netifGeneration(): u32 { return gen; }

export function netifReset(): void { memory.fill(table, 0, STRIDE * <usize>MAX_IFACES); count = 0; gen++; }

/** One past the highest configured interface index; loop `for (i = 0; i < netifCount(); i++)`. */
// @ts-ignore: decorator
@inline export function netifCount(): i32 { return count; }

function derive(i: i32): void {
  const r = rec(i);
  const len = <i32>load<u8>(r, 12);
  const m = prefixMask(len);
  store<u32>(r, m, 24);
  store<u32>(r, len >= 31 || load<u32>(r, 8) == 0 ? 0 : (load<u32>(r, 8) & m) | ~m, 28);
  gen++;
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
// @ts-ignore: decorator
@inline export function netifValid(i: i32): bool { return i >= 0 && i < MAX_IFACES && load<u8>(rec(i), 7) != 0; }
// @ts-ignore: decorator
@inline export function netifUp(i: i32): bool { return load<u8>(rec(i), 6) != 0; }
export function netifSetUp(i: i32, up: bool): void { store<u8>(rec(i), up ? 1 : 0, 6); gen++; }
/** Pointer to the 6-byte MAC address of interface `i`. */
// @ts-ignore: decorator
@inline export function netifMac(i: i32): usize { return rec(i); }
// @ts-ignore: decorator
@inline export function netifIp(i: i32): u32 { return load<u32>(rec(i), 8); }
// @ts-ignore: decorator
@inline export function netifPrefixLen(i: i32): u8 { return load<u8>(rec(i), 12); }
// @ts-ignore: decorator
@inline export function netifMtu(i: i32): i32 { return <i32>load<u16>(rec(i), 14); }
// @ts-ignore: decorator
@inline export function netifFlags(i: i32): u8 { return load<u8>(rec(i), 13); }
/** Pointer to the 6-byte BSSID of the access point the interface is associated with (zeros if none). */
export function netifBssid(i: i32): usize { return rec(i) + 16; }

/** Netmask for a prefix length, host order. */
// @ts-ignore: decorator
@inline export function prefixMask(len: i32): u32 { return len <= 0 ? 0 : len >= 32 ? 0xffffffff : ~(<u32>0xffffffff >>> <u32>len); }

/** True when `addr` is on the directly attached subnet of interface `i`. */
// @ts-ignore: decorator
@inline export function netifOnLink(i: i32, addr: u32): bool {
  const m = load<u32>(rec(i), 24);
  return netifIp(i) != 0 && (addr & m) == (netifIp(i) & m);
}

/** Interface whose own address (main address or alias) is `addr`, or -1. */
// @ts-ignore: decorator
@inline export function netifByAddr(addr: u32): i32 {
  if (addr == 0) return -1;
  for (let i = 0; i < count; i++) {
    const r = rec(i);
    if (load<u8>(r, 7) != 0 && (load<u32>(r, 8) == addr || load<u32>(r, O_ALIAS) == addr)) return i;
  }
  return -1;
}

/** True when `addr` is the directed broadcast address of interface `i`'s subnet (or of its alias's). */
// @ts-ignore: decorator
@inline export function netifIsBroadcast(i: i32, addr: u32): bool {
  const r = rec(i);
  const b = load<u32>(r, 28);
  const a = load<u32>(r, O_ALIAS_BCAST);
  return (b != 0 && addr == b) || (a != 0 && addr == a);
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
// @ts-ignore: decorator
@inline export function netifAddrClass(addr: u32): u32 {
  // Why (speed): the hit is inline (a call costs ~100 native instructions under wasm3); a miss scans.
  const e = classCache + <usize>((addr * 0x9e3779b1) >>> 28) * 12;
  return load<u32>(e) == addr && load<u32>(e, 4) == gen ? load<u32>(e, 8) : addrClassScan(addr, e);
}

function addrClassScan(addr: u32, e: usize): u32 {
  let c: u32 = 0;
  for (let i = 0; i < count; i++) {
    if (!netifValid(i)) continue;
    if (addr != 0 && (netifIp(i) == addr || netifAlias(i) == addr)) c |= ADDR_OURS;
    if (netifIsBroadcast(i, addr)) c |= ADDR_BROADCAST;
  }
  store<u32>(e, addr);
  store<u32>(e, gen, 4);
  store<u32>(e, c, 8);
  return c;
}

// ---- second address (co-located care-of address) and the away flag (mobile node) ----------------

/** Give interface `i` a second address `addr`/`prefixLen` (0 removes it). */
export function netifSetAlias(i: i32, addr: u32, prefixLen: u8): void {
  const r = rec(i);
  if (addr == 0) prefixLen = 0;
  const m = prefixMask(<i32>prefixLen);
  store<u32>(r, addr, O_ALIAS);
  store<u8>(r, prefixLen, O_ALIAS_LEN);
  store<u32>(r, m, O_ALIAS_MASK);
  store<u32>(r, addr == 0 || prefixLen >= 31 ? 0 : (addr & m) | ~m, O_ALIAS_BCAST);
  gen++;
}
/** Second address of interface `i` (0 when none). */
// @ts-ignore: decorator
@inline export function netifAlias(i: i32): u32 { return load<u32>(rec(i), O_ALIAS); }
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
const listeners: usize = memory.data(8 + 8 * MAX_LISTENERS, 4);

/** Forget every link listener (init). */
export function netifListenersReset(): void { handlersReset(listeners, MAX_LISTENERS); }

/** Call `fn` on every link state change (at init; at most 8 listeners). */
export function netifListen(fn: LinkListener): void { handlersAdd(listeners, 0, changetype<usize>(fn)); }

/** Link of `iface` went up or down: tell every listener. */
export function netifLinkChanged(iface: i32, up: bool): void {
  for (let i = 0, n = handlersCount(listeners); i < n; i++) changetype<LinkListener>(handlerFn(listeners, i))(iface, up);
}
