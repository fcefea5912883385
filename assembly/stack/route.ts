// Static routes: longest-prefix match over a small table carved at init, keyed by the family-neutral
// address (wire/addr.ts: 16 bytes, IPv4 mapped; prefix lengths in the 128-bit space, an IPv4 /n is
// /(96 + n)). Boards hold tens of routes, so a linear scan kept sorted by prefix length (longest
// first) is both the smallest and, at this size, the fastest structure. IPv4 lookups (`route`) read
// the IPv4 words each IPv4-mapped entry keeps beside its 16-byte fields (Why (speed): one masked
// compare per entry, no byte swaps; issue 8.2 lets IPv4 fast paths keep u32 behind the type).

import { arenaAlloc } from "../mem";
import { addrIsV4, addrV4, addrPrefixMatch, addrIsUnspecified, addrCopy } from "../wire/addr";
import { handlersReset, handlersAdd, handlersCount, handlerFn } from "../table/handlers";
import {
  prefixMask, netifOnLink, netifValid, netifValidHot, netifCount, netifUp, netifPrefixLen, netifGeneration,
} from "../link/netif";

// Entry (stride 48): dest[16] @0 (masked to its prefix) | gateway[16] @16 (::ffff:0.0.0.0: on-link) |
// prefixLen u8 @32 (0..128) | iface u8 @33 | IPv4 u8 @34 (1: dest and gateway IPv4-mapped) | pad |
// IPv4 only: dest u32 @36 (host order, masked) | mask u32 @40 | gateway u32 @44 (0: on-link).
const STRIDE: usize = 48;
const E_GW: usize = 16;
const E_LEN: usize = 32;
const E_IFACE: usize = 33;
const E_V4: usize = 34;
const E_DEST4: usize = 36;
const E_MASK4: usize = 40;
const E_GW4: usize = 44;
let table: usize = 0;
let capacity: i32 = 0;
let used: i32 = 0;
let gen: u32 = 0;   // bumped by every change of the table

export function routeInit(entries: i32): bool {
  table = arenaAlloc(<usize>entries * STRIDE);
  capacity = entries;
  used = 0;
  gen++;
  // Why: the generations restart with the interfaces at init, so a memo of the previous
  // configuration could meet an equal generation: both memos are forgotten.
  memoDst = 0xffffffff;
  memoRoute = NO_ROUTE;
  decMemoIf = -2;
  return table != 0;
}

/**
 * Changes so far to anything routeLookup depends on (routes, interface addresses, prefixes, MTUs,
 * up states): a cached lookup result stays valid while this value is unchanged.
 */
// @ts-ignore: decorator
@inline export function routeGeneration(): u32 { return gen + netifGeneration(); }

/**
 * Add a route to the 16-byte address at `dest` / `prefixLen` (0..128) via the gateway at `gateway`
 * (::ffff:0.0.0.0 or :: means on-link) out of `iface`. Keeps longest prefixes first. False when the
 * table is full.
 */
export function routeAdd(dest: usize, prefixLen: u8, gateway: usize, iface: i32): bool {
  if (used >= capacity || prefixLen > 128) return false;
  let at = used;
  while (at > 0 && load<u8>(table + <usize>(at - 1) * STRIDE, E_LEN) < prefixLen) at--;
  const e = table + <usize>at * STRIDE;
  // The shorter prefixes one entry down (memory.copy moves overlapping bytes correctly).
  memory.copy(e + STRIDE, e, <usize>(used - at) * STRIDE);
  // The destination masked to its prefix, byte by byte (the bits past the prefix cleared).
  for (let i: i32 = 0; i < 16; i++) {
    const keep = min(max(<i32>prefixLen - i * 8, 0), 8);
    store<u8>(e + <usize>i, load<u8>(dest + <usize>i) & <u8>(0xff00 >> keep));
  }
  memory.copy(e + E_GW, gateway, 16);
  store<u8>(e, prefixLen, E_LEN);
  store<u8>(e, <u8>iface, E_IFACE);
  const v4 = addrIsV4(e) && prefixLen >= 96 && (addrIsV4(e + E_GW) || (load<u64>(e + E_GW) | load<u64>(e + E_GW, 8)) == 0);
  store<u8>(e, v4 ? 1 : 0, E_V4);
  store<u32>(e, addrV4(e), E_DEST4);
  store<u32>(e, v4 ? prefixMask(<i32>prefixLen - 96) : 0, E_MASK4);
  store<u32>(e, addrV4(e + E_GW), E_GW4);
  used++;
  gen++;
  return true;
}

export function routeCount(): i32 { return used; }
/** Pointer to entry `i` (for table dumps). */
export function routeEntry(i: i32): usize { return table + <usize>i * STRIDE; }

/**
 * The static route to the IPv6 address at `dst` (routes whose entries are not IPv4-mapped, longest
 * prefix first): writes the next hop (the gateway, or `dst` itself for an on-link route) to `nh` and
 * returns the interface, or -1. Interface subnets are IPv6 Neighbor Discovery's (stack/nd.ts), not here.
 */
export function routeLookup6(dst: usize, nh: usize): i32 {
  for (let i = 0; i < used; i++) {
    const e = table + <usize>i * STRIDE;
    if (load<u8>(e, E_V4) != 0) continue;
    const ifc = <i32>load<u8>(e, E_IFACE);
    if (!netifValidHot(ifc) || !netifUp(ifc) || !addrPrefixMatch(e, dst, <i32>load<u8>(e, E_LEN))) continue;
    const gw = e + E_GW;
    if (addrIsUnspecified(gw)) addrCopy(nh, dst); else addrCopy(nh, gw);
    return ifc;
  }
  return -1;
}

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
  if (dst == memoDst && g == memoGen && dst != 0xffffffff) return memoRoute;
  const r = lookup(dst);
  memoDst = dst;
  memoGen = g;
  memoRoute = r;
  return r;
}

let memoDst: u32 = 0xffffffff; // never a destination that is routed (ipForward drops class E)
let memoGen: u32 = 0;
let memoRoute: i64 = -1; // NO_ROUTE (a literal: a named constant here became a store at start-up)

function lookup(dst: u32): i64 {
  let bestLen: i32 = -1;
  let outIface: i32 = -1;
  let nextHop: u32 = 0;
  for (let i = 0; i < netifCount(); i++) {
    if (netifValidHot(i) && netifUp(i) && netifOnLink(i, dst)) {
      const l = <i32>netifPrefixLen(i);
      if (l > bestLen) { bestLen = l; outIface = i; nextHop = dst; }
    }
  }
  for (let i = 0; i < used; i++) {
    const e = table + <usize>i * STRIDE;
    if (<i32>load<u8>(e, E_LEN) - 96 <= bestLen) break; // sorted longest first: nothing better follows
    if (load<u8>(e, E_V4) == 0 || (dst & load<u32>(e, E_MASK4)) != load<u32>(e, E_DEST4)) continue;
    const ifc = <i32>load<u8>(e, E_IFACE);
    if (!netifUp(ifc)) continue;
    const gw = load<u32>(e, E_GW4);
    return (<i64>ifc << 32) | <i64>(gw != 0 ? gw : dst);
  }
  return outIface >= 0 ? (<i64>outIface << 32) | <i64>nextHop : NO_ROUTE;
}

// ---- the one route decision (issue 8.3) -----------------------------------------------------------
//
// routeDecide(inIface, src, dst) is the one question the network layer asks before a datagram leaves,
// forwarded (`inIface` ≥ 0) or originated (-1). Its answer is a route of one of two kinds:
//  - physical: an interface and a next hop (the longest-prefix table above, `route`);
//  - virtual: a *virtual interface* owned by a layer above — a home agent's tunnel to the care-of
//    addresses of a binding, a foreign agent's visitor link, a mobile node's way out away from home
//    (later: route optimization's binding cache, Mobile IPv6's home address option / routing header).
// The layers above register *route sources* at init (consulted in registration order before the
// table) and the output function of each kind of virtual interface; the network layer hands the
// datagram to that function without knowing the role (Why: one-way layering; docs/architecture.md).
// A virtual route packs VIF_FLAG | kind << 24 in the high word and the owner's handle (a record
// pointer) in the low word.

/** A route source: the route it decides for a datagram from `src` to `dst` received on `inIface`
 *  (-1: originated here), or NO_ROUTE when it has nothing to say. Its answer may depend only on
 *  (inIface, src, dst) and on tables whose changes call routeChanged() (the answer is memoized). */
export type RouteSource = (inIface: i32, src: u32, dst: u32) => i64;
/** The output of a kind of virtual interface: send the checked datagram at `p` (`len` bytes, in a
 *  packet buffer: stack/packet.ts) received on `inIface` (-1: originated) by virtual route `r`.
 *  Returns 0 sent or queued, 1 dropped (counted), -1 "not after all" (it then takes the table's route). */
export type VifOutput = (r: i64, inIface: i32, p: usize, len: i32) => i32;

/** The high word's flag of a virtual route. */
const VIF_FLAG: i64 = 0x40000000;
/** Kinds of virtual interface (the owner's output registered with vifRegister). */
export const VIF_HA_TUNNEL: i32 = 1;   // home agent: tunnel to a binding's care-of addresses (handle: binding record)
export const VIF_FA_VISITOR: i32 = 2;  // foreign agent: a visitor's link or its reverse tunnel
export const VIF_MN_AWAY: i32 = 3;     // mobile node away from home: its foreign agent, co-located router or reverse tunnel
export const VIF_RO_CACHE: i32 = 4;    // route optimization: tunnel to a binding cache entry's care-of address (handle: entry)
export const VIF_COA_ROUTE: i32 = 5;   // care-of agent: tunnel along a binding route to the child care-of address (handle: route)
export const VIF_RS_LOCAL: i32 = 6;    // registration server: tunnel to a mobile node's child care-of address (its replies)
const VIF_KINDS: i32 = 8;
const MAX_SOURCES: i32 = 4;
export const sources: usize = memory.data(8 + 8 * MAX_SOURCES, 4);
export const vifOutputs: usize = memory.data(VIF_KINDS * 4, 4);
let sourceGen: u32 = 0;

/** A virtual route of `kind` with `handle` (the owner's, e.g. a record pointer). */
// @ts-ignore: decorator
@inline export function routeVirtual(kind: i32, handle: u32): i64 { return ((VIF_FLAG | <i64>kind << 24) << 32) | <i64>handle; }
/** True for a virtual route. */
// @ts-ignore: decorator
@inline export function routeIsVirtual(r: i64): bool { return r != NO_ROUTE && (r & (VIF_FLAG << 32)) != 0; }
/** The kind of a virtual route. */
// @ts-ignore: decorator
@inline export function routeVifKind(r: i64): i32 { return <i32>(r >> 56) & 0x3f; }
/** The handle of a virtual route. */
// @ts-ignore: decorator
@inline export function routeVifHandle(r: i64): u32 { return <u32>r; }

/** Forget the sources and virtual interfaces (init, before the roles register). */
export function routeSourcesReset(): void {
  handlersReset(sources, MAX_SOURCES);
  memory.fill(vifOutputs, 0, <usize>VIF_KINDS * 4);
  sourceGen++;
}

/** Consult `fn` before the table (after the sources registered before it). */
export function routeSource(fn: RouteSource): void { handlersAdd(sources, 0, changetype<usize>(fn)); sourceGen++; }

/** Virtual routes of `kind` are sent by `fn`. */
export function vifRegister(kind: i32, fn: VifOutput): void {
  if (kind > 0 && kind < VIF_KINDS) store<usize>(vifOutputs + (<usize>kind << 2), changetype<usize>(fn));
}

/** A table a route source reads changed (an entry added or removed): decisions are taken again. */
// (The wrap written out — the same as sourceGen++ — so the body is too big for asc's inliner: one call at
// 27 control-path callers instead of the increment copied into each, -111 B; size, issue 12.)
export function routeChanged(): void { if (sourceGen != 0xffffffff) sourceGen++; else sourceGen = 0; }

/** Changes so far to anything routeDecide depends on. */
// @ts-ignore: decorator
@inline export function routeDecideGeneration(): u32 { return routeGeneration() + sourceGen; }

let decMemoDst: u32 = 0;
let decMemoSrc: u32 = 0;
let decMemoIf: i32 = -2;
let decMemoGen: u32 = 0;
let decMemo: i64 = -1; // NO_ROUTE (a literal: a named constant here became a store at start-up)

/**
 * The route for a datagram from `src` to `dst` received on `inIface` (-1: originated here): the first
 * source's answer, else the table's (route). Why (speed): datagrams in a row mostly belong to one
 * flow; the answer is kept while nothing it depends on changed (routeDecideGeneration).
 */
// @ts-ignore: decorator
@inline export function routeDecide(inIface: i32, src: u32, dst: u32): i64 {
  return dst == decMemoDst && src == decMemoSrc && inIface == decMemoIf && routeDecideGeneration() == decMemoGen
    ? decMemo : decide(inIface, src, dst);
}

function decide(inIface: i32, src: u32, dst: u32): i64 {
  let r = NO_ROUTE;
  for (let i = 0, n = handlersCount(sources); i < n && r == NO_ROUTE; i++) {
    r = changetype<RouteSource>(handlerFn(sources, i))(inIface, src, dst);
  }
  if (r == NO_ROUTE) r = route(dst);
  decMemoDst = dst;
  decMemoSrc = src;
  decMemoIf = inIface;
  decMemoGen = routeDecideGeneration();
  decMemo = r;
  return r;
}

/** Hand the datagram at `p` to the virtual interface of route `r` (see VifOutput); -1 when its kind has no output. */
// @ts-ignore: decorator
@inline export function vifOutput(r: i64, inIface: i32, p: usize, len: i32): i32 {
  const fn = load<usize>(vifOutputs + (<usize>routeVifKind(r) << 2));
  if (fn == 0) return -1;
  return changetype<VifOutput>(fn)(r, inIface, p, len);
}
