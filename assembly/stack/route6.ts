// IPv6 routing state of a node (RFC 2461 §5-6, RFC 1981), below Neighbor Discovery (stack/nd.ts, which
// fills it from Router Advertisements and Redirects) and the IPv6 layer (stack/ip6.ts, which asks it
// for next hops and path MTUs):
//   - the default router list (§6.3.4-6.3.6: up to MAX_ROUTERS, lifetime from each advertisement);
//   - the prefix list (on-link prefixes, L flag, valid lifetime);
//   - the destination cache: next hops learnt from Redirects and path MTUs lowered by Packet Too Big
//     (RFC 1981 §4; aged back up after PMTU_AGE_MS), a bounded table (DEST_ENTRIES, the entry set
//     longest ago replaced);
//   - the link MTU an advertisement's MTU option set per interface.
// Who may change what: nd.ts on a valid RA / NA / Redirect (its header says which), ip6.ts on a
// Packet Too Big (decrease only, never below 1280), link down (everything learnt on that link), expiry.
//
// Next-hop determination (§5.2): link-local/multicast on the given interface; destination cache;
// the prefixes of our own configured addresses and the prefix list (on-link); static IPv6 routes;
// the default router. Why not "assume on-link when there is no router" (RFC 2461 §5.2): RFC 4861
// §5.2 dropped it — a host with no router has no off-link destinations.

import { C, count } from "../counters";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { netifCount, netifValid, netifUp, netifMtu } from "../link/netif";
import { neighborState, neighborGeneration, NEIGH_INCOMPLETE } from "../link/neighbor";
import { routeLookup6, routeGeneration } from "./route";
import { addr6OnLink } from "./addr6";
import { stackTimerArm, OWNER_ND } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import { addrCopy, addrEqual, addrIsLinkLocal6, addrPrefixMatch } from "../wire/addr";
import { ipv6IsMulticast, IPV6_MIN_MTU } from "../wire/ipv6";

/** RFC 1981 §4: a lowered path MTU is tried again after at least 5 minutes (10 recommended). */
const PMTU_AGE_MS: i64 = 600000;
/** Timer kind of the lists' expiry (owner OWNER_ND, stack/nd.ts dispatches it here). */
export const TK_LISTS: u16 = (OWNER_ND << 8) | 4;

// The default router list and the prefix list, one array of entries (stride 32), routers first:
//   addr or prefix[16] @0 | iface u8 @16 | used u8 @17 | prefixLen u8 @18 (prefixes) | pad[5] | expiresMs i64 @24
// Why (size): one layout lets link-down, expiry and the timer walk both lists in one loop.
const MAX_ROUTERS: i32 = 4;
const MAX_PREFIXES: i32 = 8;
const LIST_N: i32 = MAX_ROUTERS + MAX_PREFIXES;
const E_IFACE: usize = 16;
const E_USED: usize = 17;
const E_PLEN: usize = 18;
const E_EXP: usize = 24;
let routers: usize = 0;
// Destination cache (stride 48, arena): dest[16] @0 | nextHop[16] @16 | pmtu u16 @32 | iface u8 @34 |
// flags u8 @35 (1 redirect, 2 path MTU) | pad[4] | setAtMs i64 @40
const DEST_ENTRIES: i32 = 16;
const D_NH: usize = 16;
const D_PMTU: usize = 32;
const D_IFACE: usize = 34;
const D_FLAGS: usize = 35;
const D_SET: usize = 40;
export const DF_REDIRECT: u8 = 1;
const DF_PMTU: u8 = 2;
let dests: usize = 0;
let linkMtu: usize = 0;
let listTimer: i32 = -1;
// Next-hop memo (r6NextHop): the last destination, its answer, and the generation it was valid for.
let listGen: u32 = 0;
let memoValid: bool = false;
let memoIf: i32 = -1;
let memoGen: u32 = 0;
let memoDst: usize = 0;
let memoNh: usize = 0;

// Why (size): the entry addresses are calls (the index masks, no-ops for valid indices, keep their
// bodies over what the compiler's inliner copies to every caller).
function rtr(i: i32): usize { return routers + <usize>(i & 15) * 32; }
// @ts-ignore: decorator
@inline function pfx(i: i32): usize { return rtr(MAX_ROUTERS + i); }
function dst(i: i32): usize { return dests + <usize>(i & 15) * 48; }

/** Reset (init, IPv6 nodes): empty lists, the destination cache from the arena. False when memory ran out. */
export function r6Init(): bool {
  listTimer = -1;
  // Why (memory): one arena block, carved only on a node that runs IPv6 (an IPv4 node's static data
  // does not grow: the microcontroller budgets, docs/mcu.md).
  const n = <usize>(MAX_ROUTERS * 32 + MAX_PREFIXES * 32 + DEST_ENTRIES * 48 + 16 + 32);
  const b = arenaAlloc(n);
  if (b == 0) { dests = 0; return false; }
  // (Zeroed by the arena: mem.ts.)
  routers = b;
  dests = routers + <usize>LIST_N * 32;
  linkMtu = dests + <usize>DEST_ENTRIES * 48;
  memoDst = linkMtu + 16;
  memoNh = memoDst + 16;
  memoValid = false;
  listGen++;
  return true;
}

/** Changes so far to the lists (the IPv6 flow cache compares it, stack/flow6.ts). */
export function r6Generation(): u32 { return listGen; }

/** The link of `iface` went down: forget the routers, prefixes, destinations and MTU learnt on it. */
export function r6LinkDown(iface: i32): void {
  listGen++;
  for (let i = listFind(0, LIST_N, iface, 0); i >= 0; i = listFind(i + 1, LIST_N, iface, 0)) r6RouterDrop(i);
  // (An unused entry's flags are 0 already: clearing them again changes nothing.)
  if (dests != 0) for (let i = 0; i < DEST_ENTRIES; i++) { const d = dst(i); if (<i32>load<u8>(d, D_IFACE) == iface) store<u8>(d, 0, D_FLAGS); }
  store<u16>(linkMtu + (<usize>iface << 1), 0);
}

/** An advertisement's MTU option for `iface` (nd.ts checked it lies in 1280..the link's). */
export function r6SetLinkMtu(iface: i32, mtu: u32): void { store<u16>(linkMtu + (<usize>iface << 1), <u16>mtu); }

/** The lists' timer is due (TK_LISTS). */
export function r6Timer(now: i64): void { listTimer = -1; sweepLists(now, true); }


function emitRouter(i: i32, lifetime: u32): void {
  const b = evBuf();
  const e = rtr(i);
  // iface u8, up u8, lifetime u16 (capped) in one store.
  store<u32>(b, <u32>load<u8>(e, E_IFACE) | (lifetime != 0 ? 0x100 : 0) | min<u32>(lifetime, 0xffff) << 16);
  addrCopy(b + 4, e);
  evEmit(Ev.ROUTER6, 20);
}

/** The default router `a` on `iface` (`a` 0: any router there), or -1. */
export function r6RouterFind(iface: i32, a: usize): i32 { return listFind(0, MAX_ROUTERS, iface, a); }

/** The first entry from `i` below `end` of the lists on `iface` whose address is `a` (0: any), or -1. */
function listFind(i: i32, end: i32, iface: i32, a: usize): i32 {
  for (; i < end; i++) {
    const r = rtr(i);
    if (load<u8>(r, E_USED) != 0 && <i32>load<u8>(r, E_IFACE) == iface && (a == 0 || addrEqual(r, a))) return i;
  }
  return -1;
}

/** Remove entry `i` of the lists: a default router (the event says so) or, past MAX_ROUTERS, a prefix. */
export function r6RouterDrop(i: i32): void {
  store<u8>(rtr(i), 0, E_USED);
  listGen++;
  if (i < MAX_ROUTERS) emitRouter(i, 0);
}

/** RFC 2461 §6.3.4: add, refresh or (lifetime 0) remove the default router `a` on `iface`. */
export function r6RouterUpdate(iface: i32, a: usize, lifetime: u32): void {
  let i = r6RouterFind(iface, a);
  if (lifetime == 0) { if (i >= 0) r6RouterDrop(i); return; }
  const fresh = i < 0;
  if (fresh) {
    for (let k = 0; k < MAX_ROUTERS && i < 0; k++) if (load<u8>(rtr(k), E_USED) == 0) i = k;
    // Why: a full list keeps the routers it has (RFC 2461 §6.3.4 lets a host bound the list).
    if (i < 0) { count(C.DROP_ND_ROUTERS_FULL); return; }
  }
  const e = rtr(i);
  if (fresh) {
    addrCopy(e, a);
    // E_IFACE and E_USED (1) in one store.
    store<u16>(e, <u16>(iface | 0x100), E_IFACE);
  }
  store<i64>(e, nowMs() + <i64>lifetime * 1000, E_EXP);
  if (fresh) emitRouter(i, lifetime);
  armLists();
}

/** True when `iface` has a default router (no more solicitations needed). */
export function r6HasRouter(iface: i32): bool { return r6RouterFind(iface, 0) >= 0; }

/** RFC 2461 §6.3.4: add, refresh or (valid 0) remove the on-link prefix. */
export function r6PrefixUpdate(iface: i32, pre: usize, plen: i32, valid: u32): void {
  let free: usize = 0;
  let e: usize = 0;
  for (let i = 0; i < MAX_PREFIXES; i++) {
    const x = pfx(i);
    if (load<u8>(x, E_USED) == 0) { if (free == 0) free = x; continue; }
    if (<i32>load<u8>(x, E_IFACE) == iface && <i32>load<u8>(x, E_PLEN) == plen && addrPrefixMatch(x, pre, plen)) { e = x; break; }
  }
  if (e != 0 && valid == 0) { store<u8>(e, 0, E_USED); listGen++; return; }
  if (e == 0) {
    if (valid == 0) return;
    if (free == 0) { count(C.DROP_RA_PREFIX); return; }
    e = free;
    addrCopy(e, pre);
    // E_IFACE, E_USED (1) and E_PLEN in one store (the pad byte after them zero).
    store<u32>(e, <u32>iface | 0x100 | <u32>plen << 16, E_IFACE);
  }
  store<i64>(e, valid == 0xffffffff ? TIMER_NEVER : nowMs() + <i64>valid * 1000, E_EXP);
  armLists();
}

/** Arm the lists' timer at the earliest deadline. */
function armLists(): void { sweepLists(0, false); }

/**
 * One pass over the lists and the destination cache: with `act`, drop the entries whose lifetime
 * ended at `now` and raise the path MTUs due for it; then arm the timer at the earliest next deadline.
 * Why (size): the timer and the re-arming share the walk (as addr6.ts sweep).
 */
function sweepLists(now: i64, act: bool): void {
  listGen++; // every change of the lists comes through here (or bumps it itself): the next-hop memo is stale
  let d = TIMER_NEVER;
  for (let i = 0; i < LIST_N; i++) {
    const e = rtr(i);
    if (load<u8>(e, E_USED) == 0) continue;
    if (act && load<i64>(e, E_EXP) <= now) r6RouterDrop(i);
    else d = min(d, load<i64>(e, E_EXP));
  }
  for (let i = 0; i < DEST_ENTRIES; i++) {
    const e = dst(i);
    const f = load<u8>(e, D_FLAGS);
    if ((f & DF_PMTU) == 0) continue;
    const at = load<i64>(e, D_SET) + PMTU_AGE_MS;
    // Why: RFC 1981 §4: a lowered path MTU is raised again after a while to find an increase.
    if (act && at <= now) store<u8>(e, f & ~DF_PMTU, D_FLAGS);
    else d = min(d, at);
  }
  listTimer = stackTimerArm(listTimer, TK_LISTS, 0, d);
}

/** The destination cache entry for `a`, or -1. */
function destFind(a: usize): i32 {
  if (dests == 0) return -1;
  for (let i = 0; i < DEST_ENTRIES; i++) if (load<u8>(dst(i), D_FLAGS) != 0 && addrEqual(dst(i), a)) return i;
  return -1;
}

/** Record a redirect (`flag` DF_REDIRECT, next hop `nextHop` on `iface`) or a path MTU (DF_PMTU, `pmtu`) for `a`. */
export function r6DestSet(a: usize, nextHop: usize, iface: i32, flag: u8, pmtu: u32): void {
  let i = destFind(a);
  if (i < 0) {
    // A free entry, else the one set longest ago (bounded table).
    let oldest: i64 = TIMER_NEVER;
    for (let k = 0; k < DEST_ENTRIES; k++) {
      const d = dst(k);
      if (load<u8>(d, D_FLAGS) == 0) { i = k; break; }
      if (load<i64>(d, D_SET) < oldest) { oldest = load<i64>(d, D_SET); i = k; }
    }
    memory.fill(dst(i), 0, 48);
    addrCopy(dst(i), a);
  }
  const d = dst(i);
  if (flag == DF_REDIRECT) { addrCopy(d + D_NH, nextHop); store<u8>(d, <u8>iface, D_IFACE); }
  else store<u16>(d, <u16>pmtu, D_PMTU);
  store<u8>(d, load<u8>(d, D_FLAGS) | flag, D_FLAGS);
  store<i64>(d, nowMs(), D_SET);
  armLists();
}

/** A Packet Too Big reported `mtu` for the path to `a` (ip6.ts): RFC 1981 §4, never below 1280. */
export function r6PacketTooBig(a: usize, mtu: u32): void {
  if (dests == 0 || ipv6IsMulticast(a)) return;
  const v = mtu < <u32>IPV6_MIN_MTU ? <u32>IPV6_MIN_MTU : mtu;
  const i = destFind(a);
  // Why: RFC 1981 §4: only a decrease is taken (an increase is only ever tried by ageing).
  if (i >= 0) { const d = dst(i); if ((load<u8>(d, D_FLAGS) & DF_PMTU) != 0 && <u32>load<u16>(d, D_PMTU) <= v) return; }
  r6DestSet(a, a, 0, DF_PMTU, v);
}

/** The link MTU of `iface` for IPv6 (an advertised MTU option lowers it). */
export function r6LinkMtu(iface: i32): i32 {
  if (linkMtu == 0) return netifMtu(iface);
  const v = <i32>load<u16>(linkMtu + (<usize>iface << 1));
  return v != 0 ? v : netifMtu(iface);
}

/** The path MTU to `a` leaving by `iface` (RFC 1981): the link's, lowered by a Packet Too Big. */
export function r6PathMtu(a: usize, iface: i32): i32 {
  const m = r6LinkMtu(iface);
  const i = destFind(a);
  if (i < 0) return m;
  const d = dst(i);
  return (load<u8>(d, D_FLAGS) & DF_PMTU) == 0 ? m : min(m, <i32>load<u16>(d, D_PMTU));
}

/** The first configured interface that is up, or -1 (group destinations without an interface leave by it). */
export function r6FirstUp(): i32 {
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) return i;
  return -1;
}

/**
 * Next-hop determination (RFC 2461 §5.2) for the IPv6 address at `a`: writes the next hop to `nhOut`
 * and returns the interface, or -1 when there is none. `hint`: the interface for link-scoped addresses.
 */
export function r6NextHop(a: usize, hint: i32, nhOut: usize): i32 {
  if (addrIsLinkLocal6(a) || ipv6IsMulticast(a)) {
    addrCopy(nhOut, a);
    return hint >= 0 ? hint : r6FirstUp();
  }
  // Why (speed): packets in a row mostly go to one destination: its answer is kept while nothing it
  // depends on changed (the lists here, routes and interface addresses, the neighbour cache whose
  // states choose among routers).
  const g = listGen + routeGeneration() + neighborGeneration();
  if (memoValid && g == memoGen && addrEqual(a, memoDst)) { addrCopy(nhOut, memoNh); return memoIf; }
  const r = nextHopSlow(a, nhOut);
  memoValid = r >= 0;
  if (memoValid) { addrCopy(memoDst, a); addrCopy(memoNh, nhOut); memoIf = r; memoGen = g; }
  return r;
}

function nextHopSlow(a: usize, nhOut: usize): i32 {
  const d = destFind(a);
  if (d >= 0 && (load<u8>(dst(d), D_FLAGS) & DF_REDIRECT) != 0) {
    const ifc = <i32>load<u8>(dst(d), D_IFACE);
    if (netifUp(ifc)) { addrCopy(nhOut, dst(d) + D_NH); return ifc; }
  }
  for (let i = 0; i < netifCount(); i++) {
    if (netifValid(i) && netifUp(i) && addr6OnLink(i, a)) { addrCopy(nhOut, a); return i; }
  }
  for (let i = 0; i < MAX_PREFIXES; i++) {
    const e = pfx(i);
    const ifc = <i32>load<u8>(e, E_IFACE);
    if (load<u8>(e, E_USED) != 0 && netifUp(ifc) && addrPrefixMatch(e, a, <i32>load<u8>(e, E_PLEN))) { addrCopy(nhOut, a); return ifc; }
  }
  const r = routeLookup6(a, nhOut);
  if (r >= 0) return r;
  // Why: RFC 2461 §6.3.6: a router that is reachable or probably reachable (an entry in any state but
  // INCOMPLETE) is preferred; else any router (NUD will tell).
  let any = -1;
  for (let i = 0; i < MAX_ROUTERS; i++) {
    const e = rtr(i);
    if (load<u8>(e, E_USED) == 0 || !netifUp(<i32>load<u8>(e, E_IFACE))) continue;
    const st = neighborState(<i32>load<u8>(e, E_IFACE), e);
    // (Neither NEIGH_FREE (0) nor NEIGH_INCOMPLETE (1): one unsigned test.)
    if (<u32>st > <u32>NEIGH_INCOMPLETE) { addrCopy(nhOut, e); return <i32>load<u8>(e, E_IFACE); }
    if (any < 0) any = i;
  }
  if (any < 0) return -1;
  addrCopy(nhOut, rtr(any));
  return <i32>load<u8>(rtr(any), E_IFACE);
}

