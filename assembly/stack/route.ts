// Static IPv4 routes: longest-prefix match over a small table carved at init.
// Boards hold tens of routes, so a linear scan kept sorted by prefix length (longest first) is
// both the smallest and, at this size, the fastest structure.

import { arenaAlloc } from "../mem";
import { prefixMask, netifOnLink, netifValid, netifCount, MAX_IFACES, netifUp, netifPrefixLen, netifGeneration } from "../link/netif";

// Entry (stride 12): dest u32 @0, gateway u32 @4, prefixLen u8 @8, iface u8 @9, pad.
const STRIDE: usize = 12;
let table: usize = 0;
let capacity: i32 = 0;
let used: i32 = 0;
let gen: u32 = 0;   // bumped by every change of the table

export function routeInit(entries: i32): bool {
  table = arenaAlloc(<usize>entries * STRIDE);
  capacity = entries;
  used = 0;
  gen++;
  return table != 0;
}

/**
 * Changes so far to anything routeLookup depends on (routes, interface addresses, prefixes, MTUs,
 * up states): a cached lookup result stays valid while this value is unchanged.
 */
// @ts-ignore: decorator
@inline export function routeGeneration(): u32 { return gen + netifGeneration(); }

/** Add a route; gateway 0 means on-link. Keeps longest prefixes first. False when the table is full. */
export function routeAdd(dest: u32, prefixLen: u8, gateway: u32, iface: i32): bool {
  if (used >= capacity) return false;
  let at = used;
  while (at > 0 && load<u8>(table + <usize>(at - 1) * STRIDE, 8) < prefixLen) {
    memory.copy(table + <usize>at * STRIDE, table + <usize>(at - 1) * STRIDE, STRIDE);
    at--;
  }
  const e = table + <usize>at * STRIDE;
  store<u32>(e, dest & prefixMask(prefixLen), 0);
  store<u32>(e, gateway, 4);
  store<u8>(e, prefixLen, 8);
  store<u8>(e, <u8>iface, 9);
  used++;
  gen++;
  return true;
}

export function routeCount(): i32 { return used; }
/** Pointer to entry `i` (for table dumps). */
export function routeEntry(i: i32): usize { return table + <usize>i * STRIDE; }

/** No route (route's answer). */
export const NO_ROUTE: i64 = -1;

/** The outgoing interface of a route (route's answer ≥ 0). */
// @ts-ignore: decorator
@inline export function routeIface(r: i64): i32 { return <i32>(r >> 32); }
/** The next hop of a route (the destination itself when on-link). */
// @ts-ignore: decorator
@inline export function routeNextHop(r: i64): u32 { return <u32>r; }

/**
 * The route to `dst`: outgoing interface and next hop packed as (iface << 32 | nextHop), or NO_ROUTE.
 * Directly attached subnets win over routes of the same or shorter length (an interface's own subnet
 * is an implicit route). Why a returned value: the answer of a lookup is the caller's, not a pair of
 * module globals that the next lookup (say, for an ICMP error sent meanwhile) overwrites.
 */
export function route(dst: u32): i64 {
  // Why (speed): datagrams in a row mostly go to one destination; the answer is kept while neither
  // the routes nor any interface changed (routeGeneration; gen ≥ 1 after routeInit).
  const g = routeGeneration();
  if (dst == memoDst && g == memoGen) return memoRoute;
  const r = lookup(dst);
  memoDst = dst;
  memoGen = g;
  memoRoute = r;
  return r;
}

let memoDst: u32 = 0;
let memoGen: u32 = 0;
let memoRoute: i64 = NO_ROUTE;

function lookup(dst: u32): i64 {
  let bestLen: i32 = -1;
  let outIface: i32 = -1;
  let nextHop: u32 = 0;
  for (let i = 0; i < netifCount(); i++) {
    if (netifValid(i) && netifUp(i) && netifOnLink(i, dst)) {
      const l = <i32>netifPrefixLen(i);
      if (l > bestLen) { bestLen = l; outIface = i; nextHop = dst; }
    }
  }
  for (let i = 0; i < used; i++) {
    const e = table + <usize>i * STRIDE;
    const l = <i32>load<u8>(e, 8);
    if (l <= bestLen) break; // sorted longest first: nothing better follows
    if ((dst & prefixMask(l)) != load<u32>(e, 0)) continue;
    const ifc = <i32>load<u8>(e, 9);
    if (!netifUp(ifc)) continue;
    const gw = load<u32>(e, 4);
    return (<i64>ifc << 32) | <i64>(gw != 0 ? gw : dst);
  }
  return outIface >= 0 ? (<i64>outIface << 32) | <i64>nextHop : NO_ROUTE;
}
