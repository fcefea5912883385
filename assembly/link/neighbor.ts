// The neighbour cache and its pending-frame pool (RFC 1122 §2.3.2; RFC 826's cache, to be shared with
// IPv6 Neighbor Discovery, RFC 2461 §7.3): which link-layer address a next hop on an interface has,
// and the frames waiting for it. The resolution protocol (ARP, stack/arp.ts, for IPv4) registers its
// solicitation sender and feeds what it learns back in (neighborLearn); this file knows no protocol.
//
//   neighborOutput(iface, nextHop, ethertype, p, len)   unicast next hop
//     REACHABLE entry  -> Ethernet header at p-14 (headroom), tx from there (link/ethernet.ts)
//     otherwise        -> copy into a pending slot, entry INCOMPLETE, solicitation (retried by the timer)
//
// Every per-packet step is O(1) in the table sizes: the cache is a hash table (table/hash.ts),
// eviction and deadlines come from two ordered lists (table/lru.ts), and the cache has one timer on
// the node's heap (table/timer.ts, sys/timers.ts) instead of a scan in tick.
//
// Addresses are 16-byte family-neutral ones (wire/addr.ts; IPv4 mapped as ::ffff:a.b.c.d, issue 8.2),
// so IPv6 Neighbor Discovery can share the cache and the pool. The IPv4 functions (neighborOutput,
// neighborMac, neighborLearn) take a u32 next hop and map it; their *Addr forms take a pointer.
//
// Cache entry (stride 40, `arpEntries` of them, carved at init; the index is the entry's handle):
//   addr[16] @0 | mac[6] @16 | state u8 @22 | iface u8 @23 | requests u8 @24 | pad u8 | next u16 @26 |
//   pad[4] | expiresAtMs i64 @32
// States: FREE 0, INCOMPLETE 1 (solicitations sent, expiresAtMs = next retry), REACHABLE 2 (expiresAtMs =
// end of validity, `arpTimeoutSec` after the last confirmation). An INCOMPLETE entry sends `arpRetries`
// solicitations in all, one per second (RFC 1122 §2.3.2.1: at most one per second per destination); one
// second after the last unanswered one it fails: ARP_FAILED, its pending frames are dropped.
//
// Keys: an entry is identified by (iface, address). The same address can be a neighbour on two links
// at once (a mobile node's home address is a visitor's own address on a foreign agent's foreign link
// while, on the home link, the home agent answers for it by proxy), so the hash table (16-byte keys) is
// keyed by the address alone and its u32 value is the first entry of that address; further entries of the address
// on other interfaces hang off it through `next` (at most MAX_IFACES, almost always one). `next` also
// links the free entries.
//
// Order without scanning: a REACHABLE entry's deadline is always "confirmation time + arpTimeoutSec",
// so the list of REACHABLE entries in confirmation order (an LRU touched at each confirmation) is also
// in deadline order; likewise INCOMPLETE entries in the order of their last solicitation (deadline
// "solicitation time + 1 s"). The oldest of each list is its earliest deadline. Hence:
// - a full cache evicts the oldest REACHABLE entry (the one expiring first), else the oldest
//   INCOMPLETE one (the one whose solicitation has gone unanswered longest, i.e. retried first);
// - the cache needs one timer (kind TK_NEIGHBOR), armed at the earlier of the two oldest deadlines;
//   neighborTick pops due entries off the old ends of the lists, O(1) each.
// Should the host's clock step back, a new deadline is raised to the newest one of its list so the
// lists stay sorted (entries then live at most that step longer).
//
// Pending slot (stride 32 + frameBytes, rounded to 16; `pendingFrames` of them, ≤ 256, linear):
//   used u8 @0 | iface u8 @1 | next u16 @2 | seq u32 @4 | len u16 @8 (packet bytes) |
//   ethertype u16 @10 | pad[4] | nextHop[16] @16 | frame @32
// The frame's packet sits at +32+14; the Ethernet header is written when the address resolves.
// Frames to one next hop leave in the order they were queued (seq): they form a FIFO chained through
// `next` (the slot queued after this one for the same (iface, nextHop), NONE at the newest), so a
// resolution finds the oldest with one scan of the pool and then walks the chain. Frames of a next
// hop only ever leave as a whole chain (sent, failed, link down) or from its old end (queue's
// eviction), so a chain never points into a slot that left it.

import { arenaAlloc, arenaFailed } from "../mem";
import { IPV6, MIP6 } from "../features";
import { C, count } from "../counters";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import * as cfg from "../config";
import { netifListen } from "./netif";
import { ethSendTo } from "./ethernet";
import { stackTimers, timerOwn, OWNER_NEIGHBOR } from "../sys/timers";
import { HT_HEADER_SIZE, HT_KEY_ADDR, htBytesKeyed, htInitKeyed, htFindAddr, htInsertAddr, htInsertedNew, htRemoveAddr } from "../table/hash";
import { lruBytes, lruInit, lruTouch, lruRemove, lruOldest, lruNewest } from "../table/lru";
import { TIMER_NEVER, timerStart, timerRestart, timerActive } from "../table/timer";
import { ETH_HEADER_LEN, macEqual } from "../wire/ethernet";
import { ADDR_LEN, addrCopy, addrEqual, addrIsV4, addrSetV4, addrV4 } from "../wire/addr";

export const NEIGH_FREE: u8 = 0;
export const NEIGH_INCOMPLETE: u8 = 1;
export const NEIGH_REACHABLE: u8 = 2;
// Neighbor Unreachability Detection states (RFC 2461 §7.3.2), IPv6 entries only: IPv4 (ARP) entries
// are INCOMPLETE or REACHABLE and expire after arpTimeoutSec (RFC 1122 §2.3.2.1).
export const NEIGH_STALE: u8 = 3;
export const NEIGH_DELAY: u8 = 4;
export const NEIGH_PROBE: u8 = 5;

/** RFC 2461 §10: DELAY_FIRST_PROBE_TIME, MAX_MULTICAST_SOLICIT, MAX_UNICAST_SOLICIT. */
export const DELAY_FIRST_PROBE_MS: i64 = 5000;
export const MAX_MULTICAST_SOLICIT: i32 = 3;
export const MAX_UNICAST_SOLICIT: i32 = 3;

/** Kind of the cache's timer on the node's heap (owner OWNER_NEIGHBOR, sys/timers.ts). */
export const TK_NEIGHBOR: u16 = (OWNER_NEIGHBOR << 8);

/** Send a solicitation for the 16-byte address at `target` on `iface` (the resolution protocol's: ARP
 *  request, NS); `mac` 0: resolution (broadcast / solicited-node multicast), else a unicast probe to
 *  the link-layer address at `mac` (NUD, RFC 2461 §7.3.3). */
export type Solicit = (iface: i32, target: usize, mac: usize) => void;

const E_ADDR: usize = 0;
const E_MAC: usize = 16;
const E_STATE: usize = 22;
const E_IFACE: usize = 23;
const E_REQS: usize = 24;
const E_NEXT: usize = 26;
const E_EXPIRES: usize = 32;
const E_STRIDE: usize = 40;
/** End of a `next` chain (arpEntries ≤ 4096, config.ts). */
const NONE: i32 = 0xffff;

const P_USED: usize = 0;
const P_IFACE: usize = 1;
const P_NEXT: usize = 2;
const P_SEQ: usize = 4;
const P_LEN: usize = 8;
const P_TYPE: usize = 10;
const P_NEXTHOP: usize = 16;
const P_FRAME: usize = 32;

/** Retry interval of an unanswered solicitation (RFC 1122 §2.3.2.1). */
const RETRY_MS: i64 = 1000;

let cache: usize = 0;
let cacheN: i32 = 0;
let freeHead: i32 = 0xffff; // NONE (a literal: a named constant here became a store at start-up)
const cacheIndex: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let reachList: usize = 0;   // IPv4 REACHABLE entries, oldest = expires first
let incList: usize = 0;     // INCOMPLETE (and IPv6 PROBE) entries, oldest = next solicitation due first
// IPv6 NUD (RFC 2461 §7.3): REACHABLE for ReachableTime (one value per node: reach6 is in deadline
// order like reachList), DELAY for DELAY_FIRST_PROBE_TIME (uniform too), STALE without a deadline
// (in order of last use: the first to go when the cache is full).
let reach6List: usize = 0;
let delayList: usize = 0;
let staleList: usize = 0;
let reachable6Ms: i64 = 30000;
let retrans6Ms: i64 = 1000;
let timer: i32 = -1;        // TK_NEIGHBOR handle on stackTimers
let timerAt: i64 = 0x7fffffffffffffff; // TIMER_NEVER (a literal: a named constant here became a store at start-up)
let cacheGen: u32 = 0;      // bumped whenever an entry comes or goes (invalidates the dump cursor)
let macChanges: u32 = 0;    // bumped whenever an entry's link-layer address or state changes
let dumpGen: u32 = 0;
let dumpIndex: i32 = -1;    // neighborDump cursor: next record index and the entry to resume from
let dumpPos: i32 = 0;
// Why (speed): frames in a row mostly go to one next hop; its entry index is reused while no entry
// came or went (cacheGen unchanged). The entry's own state, MAC and deadline are read as always. The
// memo serves IPv4 next hops, compared as a u32 (so the IPv4 hit costs what it did before issue 8.2);
// an IPv6 lookup goes to the table each time (no IPv6 fast path yet).
let memoV4: u32 = 0;
let memoIsV4: bool = false;
let memoIface: i32 = -1;
let memoIndex: i32 = -1;
let memoGen: u32 = 0;
let pending: usize = 0;
let pendingN: i32 = 0;
let pendingStride: usize = 0;
let pendingSeq: u32 = 0;
let solicit: usize = 0;
let solicit6: usize = 0;
// The mapped form of an IPv4 next hop given to the u32 functions, and a copy of a removed entry's address.
const key4: usize = memory.data(ADDR_LEN, 8);
const gone: usize = memory.data(ADDR_LEN, 8);

/** Entry `i` (0 <= i < arpEntries <= 4096). Why (size): called, not inline, off the packet paths (the
 *  mask, a no-op for a valid index, keeps the body over what the compiler's inliner copies). */
function entry(i: i32): usize { return cache + <usize>(i & 0xffff) * E_STRIDE; }
/** entry inline, for the per-packet lookups (findAddr, neighborOutput's hit, macOf). */
// @ts-ignore: decorator
@inline function entryHot(i: i32): usize { return cache + <usize>i * E_STRIDE; }
/** Pending slot `i` (0 <= i < pendingFrames <= 256; called, the mask as in entry). */
function slot(i: i32): usize { return pending + <usize>(i & 0xff) * pendingStride; }

/** `a + b` for b ≥ 0, saturating at i64 max (a host may pass any time). */
function later(a: i64, b: i64): i64 { return a > TIMER_NEVER - b ? TIMER_NEVER : a + b; }

/**
 * Carve the cache (entries, address index, two lists) and the pending pool from the arena, reserve
 * the cache's timer on the node's heap, and take link-down events (running out of memory is mem.ts arenaFailed's to report).
 */
export function neighborInit(): void {
  timerOwn(OWNER_NEIGHBOR, neighborTimer);
  netifListen(neighborLink);
  solicit = 0;
  cacheN = cfg.arpEntries();
  const n = <u32>cacheN;
  cache = arenaAlloc(<usize>cacheN * E_STRIDE);
  const ib = arenaAlloc(htBytesKeyed(n, 4, HT_KEY_ADDR));
  reachList = listCarve(n);
  incList = listCarve(n);
  // Why (memory): the IPv6 lists only on a node that runs IPv6.
  const v6 = IPV6 && cfg.ipv6Enabled();
  reach6List = v6 ? listCarve(n) : 0;
  delayList = v6 ? listCarve(n) : 0;
  staleList = v6 ? listCarve(n) : 0;
  solicit6 = 0;
  pendingN = cfg.pendingFrames();
  pendingStride = (P_FRAME + <usize>cfg.frameBytes + 15) & ~<usize>15;
  pending = pendingN > 0 ? arenaAlloc(<usize>pendingN * pendingStride) : 0;
  pendingSeq = 0;
  cacheGen = 0;
  memoIndex = -1;
  dumpIndex = -1;
  timer = -1;
  timerAt = TIMER_NEVER;
  freeHead = NONE;
  // Every allocation above succeeded unless the arena failed (its failure is sticky: mem.ts).
  if (arenaFailed()) return;
  // Free list in index order, so a fresh cache hands out entries 0, 1, 2, ...
  for (let i = cacheN - 1; i >= 0; i--) { store<u16>(entry(i), <u16>freeHead, E_NEXT); freeHead = i; }
  htInitKeyed(cacheIndex, ib, n, 4, HT_KEY_ADDR);
  // The timer stays armed (at TIMER_NEVER when the cache has no deadline), so roles filling the heap
  // can never starve the cache of its one timer.
  rearm();
  // (With the arena whole, the timer set exists and has room for this first timer: timers >= 8.)
}

/** An empty list of `n` entries carved from the arena (0 when memory ran out: init then fails, mem.ts). */
function listCarve(n: u32): usize {
  const l = arenaAlloc(lruBytes(n));
  if (l != 0) lruInit(l, n);
  return l;
}

/** Solicitations for unresolved next hops are sent by `fn` (the resolution protocol, at init). */
export function neighborSolicitWith(fn: Solicit): void { solicit = changetype<usize>(fn); }

/** Solicitations for IPv6 next hops are sent by `fn` (Neighbor Discovery, at init). */
export function neighborSolicit6With(fn: Solicit): void { solicit6 = changetype<usize>(fn); }

/** IPv6 ReachableTime and RetransTimer (RFC 2461 §6.3.2, §6.3.4: from the configuration, then the
 *  routers' advertisements). Entries already timed keep their deadlines. */
export function neighborSetTimes6(reachableMs: i64, retransMs: i64): void {
  reachable6Ms = reachableMs;
  retrans6Ms = retransMs;
}

function sendSolicit(iface: i32, target: usize, mac: usize): void {
  const fn = !IPV6 || addrIsV4(target) ? solicit : solicit6;
  if (fn != 0) changetype<Solicit>(fn)(iface, target, mac);
}

/** The retry interval of an unanswered solicitation for the address at `a`. */
function retryMs(a: usize): i64 { return !IPV6 || addrIsV4(a) ? RETRY_MS : retrans6Ms; }

/** Entry index of (`iface`, the IPv4 address `ip`), or -1 (the memo compared as a u32, else findAddr). */
function find4(iface: i32, ip: u32): i32 {
  if (memoIndex >= 0 && memoGen == cacheGen && memoIsV4 && memoV4 == ip && memoIface == iface) return memoIndex;
  addrSetV4(key4, ip);
  return findAddr(iface, key4);
}

/** Entry index of (`iface`, the 16-byte address at `a`), or -1. */
function findAddr(iface: i32, a: usize): i32 {
  const v = htFindAddr(cacheIndex, a);
  if (v == 0) return -1;
  let i = <i32>load<u32>(v);
  while (i != NONE) {
    const e = entryHot(i);
    if (<i32>load<u8>(e, E_IFACE) == iface) {
      memoIsV4 = addrIsV4(a);
      memoV4 = addrV4(a);
      memoIface = iface;
      memoIndex = i;
      memoGen = cacheGen;
      return i;
    }
    i = <i32>load<u16>(e, E_NEXT);
  }
  return -1;
}

/** The deadline of the oldest entry of `list` (0: no list), TIMER_NEVER if none. */
function headDeadline(list: usize): i64 {
  if (list == 0) return TIMER_NEVER;
  const i = lruOldest(list);
  return i >= 0 ? load<i64>(entry(i), E_EXPIRES) : TIMER_NEVER;
}

/** Earliest deadline in the cache (the older end of the timed lists), TIMER_NEVER if none. */
function nextDeadline(): i64 {
  const d = min(headDeadline(reachList), headDeadline(incList));
  return IPV6 ? min(d, min(headDeadline(reach6List), headDeadline(delayList))) : d;
}

/** Take entry `i` off every list. */
function unlist(i: i32): void {
  lruRemove(reachList, i);
  lruRemove(incList, i);
  if (IPV6 && reach6List != 0) { lruRemove(reach6List, i); lruRemove(delayList, i); lruRemove(staleList, i); }
}

/** Entry `i` (IPv6) becomes STALE: no deadline, newest of the stale list (RFC 2461 §7.3.3). */
function toStale(i: i32): void {
  unlist(i);
  const e = entry(i);
  store<u8>(e, NEIGH_STALE, E_STATE);
  store<i64>(e, TIMER_NEVER, E_EXPIRES);
  store<u8>(e, 0, E_REQS);
  lruTouch(staleList, i);
  macChanges++;
}

/** Move the cache's timer to its earliest deadline (O(1) unless it changed; then O(log timers)). */
function rearm(): void {
  if (stackTimers == 0) return;
  const d = nextDeadline();
  if (timerActive(stackTimers, timer)) {
    if (d != timerAt) timerRestart(stackTimers, timer, d);
  } else {
    timer = timerStart(stackTimers, 0, TK_NEIGHBOR, d);
  }
  timerAt = d;
}

/** Give entry `i` deadline `d` and make it the newest of `list` (see "Order without scanning"). */
function setDeadline(i: i32, list: usize, d: i64): void {
  lruRemove(list, i);
  const h = lruNewest(list);
  if (h >= 0) d = max(d, load<i64>(entry(h), E_EXPIRES));
  store<i64>(entry(i), d, E_EXPIRES);
  lruTouch(list, i);
}

function emitResolved(e: usize): void {
  const b = evBuf();
  store<u16>(b, <u16>load<u8>(e, E_IFACE));
  memory.copy(b + 2, e + E_MAC, 6);
  memory.copy(b + 8, e + E_ADDR, 16);
  evEmit(Ev.ARP_RESOLVED, 24);
}

/** Told when resolution or Neighbor Unreachability Detection of an address fails (images with Mobile
 *  IPv6: stack/nd.ts drops an unreachable default router, seed 003 §9.2). */
export type NeighborFailed = (iface: i32, a: usize) => void;
let failedFn: usize = 0;
export function neighborFailedWith(fn: NeighborFailed): void { failedFn = changetype<usize>(fn); }

function emitFailed(iface: i32, a: usize): void {
  if (MIP6 && failedFn != 0) changetype<NeighborFailed>(failedFn)(iface, a);
  const b = evBuf();
  store<u32>(b, <u32>iface);
  memory.copy(b + 4, a, 16);
  evEmit(Ev.ARP_FAILED, 20);
}

/** Drop every pending frame for (`iface`, the address at `a`), or for the whole interface when `a` is 0. */
function dropPending(iface: i32, a: usize): void {
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (pendingFor(s, iface, a)) {
      store<u8>(s, 0, P_USED);
      count(C.DROP_ARP_UNRESOLVED);
    }
  }
}

/** True when slot `s` holds a frame for (`iface`, the address at `a`; any address when `a` is 0). */
function pendingFor(s: usize, iface: i32, a: usize): bool {
  return load<u8>(s, P_USED) != 0 && <i32>load<u8>(s, P_IFACE) == iface && (a == 0 || addrEqual(s + P_NEXTHOP, a));
}

/** Send the pending frames for (`iface`, the address at `a`) to `mac`, oldest first: one scan, then the chain. */
function flushPending(iface: i32, a: usize, mac: usize): void {
  let head = -1;
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (!pendingFor(s, iface, a)) continue;
    // Sequence numbers compared as a signed difference, so wrap-around keeps the order.
    if (head < 0 || <i32>(load<u32>(s, P_SEQ) - load<u32>(slot(head), P_SEQ)) < 0) head = i;
  }
  // At most pendingN links; each one is checked (used, same next hop, later seq) before it is followed.
  for (let k = 0; head >= 0 && k < pendingN; k++) {
    const s = slot(head);
    const seq = load<u32>(s, P_SEQ);
    const n = <i32>load<u16>(s, P_NEXT);
    store<u8>(s, 0, P_USED);
    ethSendTo(iface, mac, load<u16>(s, P_TYPE), s + P_FRAME + <usize>ETH_HEADER_LEN, <i32>load<u16>(s, P_LEN));
    if (n == NONE || n >= pendingN) break;
    const t = slot(n);
    if (!pendingFor(t, iface, a) || <i32>(load<u32>(t, P_SEQ) - seq) <= 0) break;
    head = n;
  }
}

/** Take entry `i` out of the index, its list and its address chain; it goes back to the free list. */
function removeEntry(i: i32): void {
  const e = entry(i);
  const next = <i32>load<u16>(e, E_NEXT);
  const v = htFindAddr(cacheIndex, e + E_ADDR);
  if (v != 0) {
    let j = <i32>load<u32>(v);
    if (j == i) {
      if (next == NONE) htRemoveAddr(cacheIndex, e + E_ADDR);
      else store<u32>(v, <u32>next);
    } else {
      while (j != NONE) {
        const ej = entry(j);
        const n = <i32>load<u16>(ej, E_NEXT);
        if (n == i) { store<u16>(ej, <u16>next, E_NEXT); break; }
        j = n;
      }
    }
  }
  unlist(i);
  store<u8>(e, NEIGH_FREE, E_STATE);
  store<u16>(e, <u16>freeHead, E_NEXT);
  freeHead = i;
  cacheGen++;
}

/** A free entry, evicting the least recently used STALE one, else the REACHABLE one expiring first,
 *  else the INCOMPLETE one retried first. */
function allocEntry(): i32 {
  if (freeHead == NONE) {
    // Every entry in use is on exactly one of the lists, so one of them has an oldest entry.
    let victim = IPV6 && staleList != 0 ? lruOldest(staleList) : -1;
    if (victim < 0) victim = lruOldest(reachList);
    if (IPV6 && victim < 0 && reach6List != 0) victim = lruOldest(reach6List);
    if (IPV6 && victim < 0 && delayList != 0) victim = lruOldest(delayList);
    if (victim < 0) {
      // Only unresolved entries left: the one that has waited longest gives way; its frames go too.
      victim = lruOldest(incList);
      if (victim < 0) return -1;
      const e = entry(victim);
      const ifc = <i32>load<u8>(e, E_IFACE);
      emitFailed(ifc, e + E_ADDR);
      dropPending(ifc, e + E_ADDR);
    }
    removeEntry(victim);
  }
  const i = freeHead;
  freeHead = <i32>load<u16>(entry(i), E_NEXT);
  return i;
}

/** A new entry for (`iface`, the address at `a`) in state FREE and on no list (the caller sets both), or -1. */
function insert(iface: i32, a: usize): i32 {
  const i = allocEntry();
  if (i < 0) return -1;
  // Distinct addresses ≤ entries in use ≤ capacity of the index, so this finds room.
  const v = htInsertAddr(cacheIndex, a);
  if (v == 0) { store<u16>(entry(i), <u16>freeHead, E_NEXT); freeHead = i; return -1; }
  const e = entry(i);
  addrCopy(e + E_ADDR, a);
  // MAC, state FREE, requests and deadline 0: the entry's bytes after the address zeroed.
  memory.fill(e + E_MAC, 0, E_STRIDE - E_MAC);
  store<u8>(e, <u8>iface, E_IFACE);
  store<u16>(e, htInsertedNew(cacheIndex) ? <u16>NONE : <u16>load<u32>(v), E_NEXT);
  store<u32>(v, <u32>i);
  cacheGen++;
  return i;
}

/** Mark entry `i` reachable at `mac` (pointer), restart its lifetime, send what was waiting for it. */
function resolve(i: i32, mac: usize): void { learn(i, mac, true); }

/** Entry `i` learnt the link-layer address at `mac` without a reachability confirmation: STALE, its
 *  waiting frames leave (RFC 2461 §7.2.3, §7.2.5). */
function learnStale(i: i32, mac: usize): void { learn(i, mac, false); }

/** resolve (`confirmed`) or learnStale: the address recorded, the state set, the event when it
 *  changed, the waiting frames sent when the entry was INCOMPLETE. */
function learn(i: i32, mac: usize, confirmed: bool): void {
  const e = entry(i);
  const was = load<u8>(e, E_STATE);
  const changed = (confirmed ? was != NEIGH_REACHABLE : was == NEIGH_INCOMPLETE) || !macEqual(e + E_MAC, mac);
  memory.copy(e + E_MAC, mac, 6);
  if (IPV6 && !confirmed) {
    toStale(i);
  } else {
    store<u8>(e, NEIGH_REACHABLE, E_STATE);
    store<u8>(e, 0, E_REQS);
    unlist(i);
    if (!IPV6 || addrIsV4(e + E_ADDR)) setDeadline(i, reachList, later(nowMs(), <i64>cfg.arpTimeoutSec() * 1000));
    else setDeadline(i, reach6List, later(nowMs(), reachable6Ms));
    if (changed) macChanges++;   // (toStale counts its own change)
  }
  rearm();
  if (changed) emitResolved(e);
  if (was == NEIGH_INCOMPLETE) flushPending(<i32>load<u8>(e, E_IFACE), e + E_ADDR, e + E_MAC);
}

function queue(iface: i32, nextHop: usize, type: u16, p: usize, len: i32): bool {
  if (len + ETH_HEADER_LEN > cfg.frameBytes) return false;
  // Why: one next hop that never answers (a home address whose node left, a dead router) must not
  // take every slot and starve resolutions that would succeed: it may hold at most half of the pool
  // (at least one); beyond that its oldest frame makes room (RFC 1122 §2.3.2.2 recommends queueing
  // at least one datagram per unresolved address, so the newest one is kept).
  const cap = pendingN > 1 ? pendingN >> 1 : 1;
  let mine = 0, oldest = -1, newest = -1, free = -1;
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (load<u8>(s, P_USED) == 0) { if (free < 0) free = i; continue; }
    if (!pendingFor(s, iface, nextHop)) continue;
    mine++;
    const q = load<u32>(s, P_SEQ);
    if (oldest < 0 || <i32>(q - load<u32>(slot(oldest), P_SEQ)) < 0) oldest = i;
    if (newest < 0 || <i32>(q - load<u32>(slot(newest), P_SEQ)) > 0) newest = i;
  }
  if (mine >= cap && oldest >= 0) {
    store<u8>(slot(oldest), 0, P_USED);
    count(C.DROP_ARP_UNRESOLVED);
    free = oldest;
    if (newest == oldest) newest = -1; // it was the whole chain
  }
  for (let i = free; i >= 0 && i < pendingN; i++) {
    const s = slot(i);
    if (load<u8>(s, P_USED) != 0) continue;
    store<u8>(s, 1, P_USED);
    store<u8>(s, <u8>iface, P_IFACE);
    store<u16>(s, <u16>NONE, P_NEXT);
    addrCopy(s + P_NEXTHOP, nextHop);
    store<u16>(s, <u16>len, P_LEN);
    store<u16>(s, type, P_TYPE);
    store<u32>(s, pendingSeq++, P_SEQ);
    memory.copy(s + P_FRAME + <usize>ETH_HEADER_LEN, p, <usize>len);
    // The new frame is the chain's newest (see "Pending slot").
    if (newest >= 0) store<u16>(slot(newest), <u16>i, P_NEXT);
    return true;
  }
  return false;
}

/**
 * Send the packet of `len` bytes at `p` (EtherType `type`) on `iface` to the unicast IPv4 next hop
 * `nextHop` (host order). The Ethernet header is written at `p - 14`, which must be headroom. Returns
 * 0 sent or queued for resolution, 1 dropped (counted DROP_ARP_UNRESOLVED: pool full).
 */
export function neighborOutput(iface: i32, nextHop: u32, type: u16, p: usize, len: i32): i32 {
  // Why (speed): the hit (memo compared as a u32, entry REACHABLE and fresh) sends at once; only the
  // other cases build the mapped address (find4 already did on a memo miss).
  const i = find4(iface, nextHop);
  if (i >= 0) {
    const e = entryHot(i);
    if (load<u8>(e, E_STATE) == NEIGH_REACHABLE && load<i64>(e, E_EXPIRES) > nowMs()) {
      ethSendTo(iface, e + E_MAC, type, p, len);
      return 0;
    }
  }
  addrSetV4(key4, nextHop);
  return output(iface, key4, i, type, p, len);
}

/** neighborOutput to the unicast next hop whose 16-byte address is at `nextHop`. */
export function neighborOutputAddr(iface: i32, nextHop: usize, type: u16, p: usize, len: i32): i32 {
  return output(iface, nextHop, findAddr(iface, nextHop), type, p, len);
}

/** neighborOutput's work once entry `i` of (`iface`, the address at `a`) is found (-1: none). */
function output(iface: i32, a: usize, i: i32, type: u16, p: usize, len: i32): i32 {
  if (i >= 0 && load<u8>(entry(i), E_STATE) == NEIGH_REACHABLE && load<i64>(entry(i), E_EXPIRES) <= nowMs()) {
    // Expired, its timer has not run yet: IPv4 resolves again; IPv6 goes STALE (RFC 2461 §7.3.3).
    if (!IPV6 || addrIsV4(a)) { removeEntry(i); i = -1; } else toStale(i);
  }
  if (i >= 0) {
    const st = load<u8>(entry(i), E_STATE);
    if (st == NEIGH_REACHABLE || (IPV6 && st >= NEIGH_STALE)) {
      if (IPV6 && st >= NEIGH_STALE) changetype<(i: i32) => void>(useStaleRef)(i);
      ethSendTo(iface, entry(i) + E_MAC, type, p, len);
      return 0;
    }
  } else {
    i = insert(iface, a);
    if (i < 0) { count(C.DROP_ARP_UNRESOLVED); return 1; }
    const e = entry(i);
    store<u8>(e, NEIGH_INCOMPLETE, E_STATE);
    store<u8>(e, 1, E_REQS);
    setDeadline(i, incList, later(nowMs(), retryMs(a)));
    rearm();
    sendSolicit(iface, e + E_ADDR, 0);
  }
  // Why: RFC 1122 §2.3.2.2: keep (at least) the latest packet for an unresolved address; the pool
  // is shared and fixed, so a full pool drops the new packet.
  if (queue(iface, a, type, p, len)) return 0;
  count(C.DROP_ARP_UNRESOLVED);
  return 1;
}

/** Entry `i` (IPv6, STALE, DELAY or PROBE) is used to send: RFC 2461 §7.3.3: a STALE entry enters
 *  DELAY; DELAY and PROBE entries are used as they are while reachability is being confirmed. */
function useStale(i: i32): void {
  if (load<u8>(entry(i), E_STATE) != NEIGH_STALE) return;
  unlist(i);
  store<u8>(entry(i), NEIGH_DELAY, E_STATE);
  setDeadline(i, delayList, later(nowMs(), DELAY_FIRST_PROBE_MS));
  rearm();
}
// Why (memory): the IPv6-only steps are called through references so the optimizer keeps them out of
// the functions an IPv4 node runs (Wasm3 compiles a function whole; docs/mcu.md).
const useStaleRef: usize = IPV6 ? changetype<usize>(useStale) : 0;
const tick6Ref: usize = IPV6 ? changetype<usize>(tick6) : 0;

/** The MAC pointer of entry `i` when it is REACHABLE and unexpired, else 0. */
function macOf(i: i32): usize {
  if (i < 0) return 0;
  const e = entryHot(i);
  if (load<u8>(e, E_STATE) != NEIGH_REACHABLE || load<i64>(e, E_EXPIRES) <= nowMs()) return 0;
  return e + E_MAC;
}

/** neighborMac for the 16-byte address at `a` (IPv6): REACHABLE and unexpired, else 0. */
export function neighborMac6(iface: i32, a: usize): usize { return macOf(findAddr(iface, a)); }

/** The state of (`iface`, the 16-byte address at `a`): NEIGH_FREE when there is no entry. */
export function neighborState(iface: i32, a: usize): u8 {
  const i = findAddr(iface, a);
  return i < 0 ? NEIGH_FREE : load<u8>(entry(i), E_STATE);
}

/** The link-layer address of (`iface`, the IPv6 address at `a`) in any state but INCOMPLETE, else 0
 *  (a pointer into the cache, valid until it next changes). */
export function neighborMacAddr(iface: i32, a: usize): usize {
  const i = findAddr(iface, a);
  if (i < 0 || load<u8>(entry(i), E_STATE) == NEIGH_INCOMPLETE) return 0;
  return entry(i) + E_MAC;
}

/**
 * A Neighbor Solicitation, Router Solicitation/Advertisement or Redirect named the link-layer
 * address at `mac` for the IPv6 address at `a` on `iface` (RFC 2461 §7.2.3, §6.3.4, §8.3): a new
 * entry is made STALE when `create`; an existing one whose address differs is updated and made
 * STALE; an INCOMPLETE one learns it (STALE) and its frames leave.
 */
export function neighborSeen6(iface: i32, a: usize, mac: usize, create: bool): void {
  const i = findOrInsert(iface, a, create);
  if (i < 0) return;
  const e = entry(i);
  // (A new entry is INCOMPLETE until it learns the address: its event and frames as for any other.)
  if (load<u8>(e, E_STATE) == NEIGH_FREE) store<u8>(e, NEIGH_INCOMPLETE, E_STATE);
  if (load<u8>(e, E_STATE) == NEIGH_INCOMPLETE || !macEqual(e + E_MAC, mac)) learnStale(i, mac);
}

/** The entry of (`iface`, the address at `a`); when there is none and `create`, a new one (FREE, on
 *  no list: insert); else -1. Why (size): ARP's and Neighbor Discovery's learning share it. */
function findOrInsert(iface: i32, a: usize, create: bool): i32 {
  const i = findAddr(iface, a);
  return i >= 0 || !create ? i : insert(iface, a);
}

/**
 * A Neighbor Advertisement for the IPv6 address at `a` on `iface` (RFC 2461 §7.2.5), `mac` its Target
 * link-layer address (0: none). Only an existing entry is touched (no entry: silently discarded).
 * Returns true when the entry changed.
 *  - INCOMPLETE: without an address nothing happens; with one it is recorded, REACHABLE when
 *    `solicited` else STALE, and the waiting frames leave.
 *  - otherwise, Override clear and a different address: a REACHABLE entry goes STALE, the address is
 *    NOT taken (an unsolicited advertisement never overwrites a cached address without Override).
 *  - otherwise: the address (if given) is recorded; `solicited` confirms reachability (REACHABLE);
 *    a changed address without `solicited` makes it STALE.
 */
export function neighborAdvert6(iface: i32, a: usize, mac: usize, solicited: bool, overrideFlag: bool): bool {
  const i = findAddr(iface, a);
  if (i < 0) return false;
  const e = entry(i);
  const st = load<u8>(e, E_STATE);
  if (st == NEIGH_INCOMPLETE) {
    if (mac == 0) return false;
    if (solicited) resolve(i, mac); else learnStale(i, mac);
    return true;
  }
  const differs = mac != 0 && !macEqual(e + E_MAC, mac);
  if (!overrideFlag && differs) {
    if (st == NEIGH_REACHABLE) { toStale(i); rearm(); return true; }
    return false;
  }
  if (solicited) { resolve(i, differs ? mac : e + E_MAC); return true; }
  if (differs) { learnStale(i, mac); return true; }
  return false;
}

/** Changes so far to the cache's entries (came, went, resolved to another address): a frame header
 *  built from neighborMac's answer stays right while this value is unchanged (and the entry unexpired). */
export function neighborGeneration(): u32 { return cacheGen + macChanges; }
/** neighborGeneration inline, for the per-datagram flow checks (flow.ts, flow6.ts). */
// @ts-ignore: decorator
@inline export function neighborGenerationHot(): u32 { return cacheGen + macChanges; }

/** When the entry whose address neighborMac returned as `mac` expires (ms). */
export function neighborMacExpires(mac: usize): i64 { return load<i64>(mac - E_MAC + E_EXPIRES); }

/**
 * The link-layer address of the IPv4 next hop `nextHop` on `iface` when its entry is REACHABLE and
 * unexpired (a pointer to 6 bytes inside the cache, valid until the cache next changes), else 0: the
 * caller then sends by neighborOutput, which resolves. For fast paths that build the whole frame themselves.
 */
export function neighborMac(iface: i32, nextHop: u32): usize { return macOf(find4(iface, nextHop)); }

/**
 * The resolution protocol heard the IPv4 address `addr` at `mac` on `iface`: an existing entry is
 * updated (RFC 826 "Packet Reception": whoever the target was — also how gratuitous ARP moves an
 * address, RFC 2002 §4.6) and its waiting frames leave; a new one is made only when `create` (we were
 * the target).
 */
export function neighborLearn(iface: i32, addr: u32, mac: usize, create: bool): void {
  addrSetV4(key4, addr);
  neighborLearnAddr(iface, key4, mac, create);
}

/** neighborLearn for the 16-byte address at `addr`. */
export function neighborLearnAddr(iface: i32, addr: usize, mac: usize, create: bool): void {
  const i = findOrInsert(iface, addr, create);
  if (i >= 0) resolve(i, mac);
}

/**
 * Retry or fail unresolved entries and expire old ones due at `now` (O(1) per due entry, oldest
 * first); re-arms the cache's timer and returns the cache's next deadline (i64 max if none).
 */
/** The oldest entry of `list` when its deadline is due at `now`, else -1. */
function due(list: usize, now: i64): i32 {
  const i = lruOldest(list);
  return i >= 0 && load<i64>(entry(i), E_EXPIRES) <= now ? i : -1;
}

export function neighborTick(now: i64): i64 {
  for (;;) { const i = due(reachList, now); if (i < 0) break; removeEntry(i); }
  if (IPV6 && reach6List != 0) changetype<(now: i64) => void>(tick6Ref)(now);
  // Each entry is looked at once at most: a retried one moves to the new end with a later deadline.
  for (let k = 0; k < cacheN; k++) {
    const i = due(incList, now);
    if (i < 0) break;
    const e = entry(i);
    const ifc = <i32>load<u8>(e, E_IFACE);
    const reqs = <i32>load<u8>(e, E_REQS);
    const v4 = !IPV6 || addrIsV4(e + E_ADDR);
    const probe = IPV6 && load<u8>(e, E_STATE) == NEIGH_PROBE;
    // Why: RFC 2461 §7.2.2, §7.3.3: MAX_MULTICAST_SOLICIT / MAX_UNICAST_SOLICIT for IPv6.
    const most = v4 ? cfg.arpRetries() : probe ? MAX_UNICAST_SOLICIT : MAX_MULTICAST_SOLICIT;
    if (reqs < most) {
      store<u8>(e, <u8>(reqs + 1), E_REQS);
      setDeadline(i, incList, later(now, v4 ? RETRY_MS : retrans6Ms));
      sendSolicit(ifc, e + E_ADDR, probe ? e + E_MAC : 0);
    } else {
      // Why: RFC 1122 §2.3.2.1: give up after a bounded number of requests; the waiting packets go.
      addrCopy(gone, e + E_ADDR); // the entry is free after removeEntry
      removeEntry(i);
      emitFailed(ifc, gone);
      dropPending(ifc, gone);
    }
  }
  rearm();
  return nextDeadline();
}

/** The IPv6 NUD deadlines due at `now` (neighborTick). */
function tick6(now: i64): void {
  // Why: RFC 2461 §7.3.3: ReachableTime without a confirmation: REACHABLE -> STALE (kept, used as is).
  for (;;) { const i = due(reach6List, now); if (i < 0) break; toStale(i); }
  // DELAY_FIRST_PROBE_TIME without a confirmation: PROBE, a unicast solicitation every RetransTimer.
  for (;;) {
    const i = due(delayList, now);
    if (i < 0) break;
    const e = entry(i);
    unlist(i);
    store<u8>(e, NEIGH_PROBE, E_STATE);
    store<u8>(e, 1, E_REQS);
    setDeadline(i, incList, later(now, retrans6Ms));
    sendSolicit(<i32>load<u8>(e, E_IFACE), e + E_ADDR, e + E_MAC);
  }
}

/** The cache's timer (TK_NEIGHBOR) is due. */
function neighborTimer(kind: u16, tag: u32, now: i64): void { neighborTick(now); }

/** Link of `iface` went up or down; down flushes it (neighborFlush). */
function neighborLink(iface: i32, up: bool): void { if (!up) neighborFlush(iface); }

/** Forget every entry and pending frame of `iface` (its link went down: the next network may differ). */
export function neighborFlush(iface: i32): void {
  // A scan: link changes are rare, and the cache is at most 4096 entries.
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != NEIGH_FREE && <i32>load<u8>(e, E_IFACE) == iface) removeEntry(i);
  }
  dropPending(iface, 0);
  rearm();
}

/**
 * Write the `index`-th entry in use to `out` as `mac[6], state u8, iface u8, expiresAtMs i64, ip[16]`
 * (little-endian, the address 16 bytes ::ffff:a.b.c.d: ABI v2, 32 bytes); returns 32, or -1 past the last. Reading indices 0, 1, 2, ... in a row
 * costs O(capacity) in all (a cursor resumes where the previous record was found). `index` ≥ 0
 * (dump.ts dumpRecord answers -1 to a negative one).
 */
export function neighborDump(index: i32, out: usize): i32 {
  let k = 0;
  let i = 0;
  if (index == dumpIndex && dumpGen == cacheGen) { k = index; i = dumpPos; }
  for (; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) == NEIGH_FREE) continue;
    if (k++ != index) continue;
    store<u64>(out, load<u64>(e, E_MAC)); // mac[6], state, iface: entry bytes E_MAC..E_MAC + 7
    store<i64>(out, load<i64>(e, E_EXPIRES), 8);
    addrCopy(out + 16, e + E_ADDR);
    dumpIndex = index + 1;
    dumpPos = i + 1;
    dumpGen = cacheGen;
    return 32;
  }
  return -1;
}
