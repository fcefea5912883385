// ARP cache, pending-frame pool and the Ethernet output step for IPv4 (RFC 826; RFC 1122 §2.3.2;
// gratuitous ARP per RFC 5227 §2.3 / RFC 2002 §4.6; proxy ARP per RFC 1027 / RFC 2002 §4.6).
//
//   linkSendIp(iface, nextHop, p, len)        the one way an IPv4 packet leaves: Ethernet header
//     broadcast / multicast next hop -> ff:ff.. / 01:00:5e..   written at p-14 (headroom), tx from there
//     REACHABLE entry                 -> tx now
//     otherwise -> copy into a pending slot, entry INCOMPLETE, ARP request (retried by arpTick)
//   linkSendIpTo(iface, mac, p, len)          the same to a MAC the caller already knows (no ARP)
//
// Every per-packet step is O(1) in the table sizes: the cache and the proxy table are hash tables
// (table/hash.ts), eviction and deadlines come from two ordered lists (table/lru.ts), and the cache
// has one timer on the node's heap (table/timer.ts, sys/timers.ts) instead of a scan in tick.
//
// Cache entry (stride 24, `arpEntries` of them, carved at init; the index is the entry's handle):
//   ip u32 @0 | mac[6] @4 | state u8 @10 | iface u8 @11 | requests u8 @12 | pad u8 | next u16 @14 |
//   expiresAtMs i64 @16
// States: FREE 0, INCOMPLETE 1 (requests sent, expiresAtMs = next retry), REACHABLE 2 (expiresAtMs =
// end of validity, `arpTimeoutSec` after the last confirmation). An INCOMPLETE entry sends `arpRetries`
// requests in all, one per second (RFC 1122 §2.3.2.1: at most one per second per destination); one
// second after the last unanswered request it fails: ARP_FAILED, its pending frames are dropped.
//
// Keys: an entry is identified by (iface, ip), as before. The same address can be a neighbour on two
// links at once (a mobile node's home address is a visitor's own address on a foreign agent's
// foreign link while, on the home link, the home agent answers for it by proxy), so the hash table
// is keyed by the IPv4 address alone and its u32 value is the first entry of that address; further
// entries of the address on other interfaces hang off it through `next` (at most MAX_IFACES, almost
// always one). `next` also links the free entries.
//
// Order without scanning: a REACHABLE entry's deadline is always "confirmation time + arpTimeoutSec",
// so the list of REACHABLE entries in confirmation order (an LRU touched at each confirmation) is also
// in deadline order; likewise INCOMPLETE entries in the order of their last request (deadline "request
// time + 1 s"). The oldest of each list is its earliest deadline. Hence:
// - a full cache evicts the oldest REACHABLE entry (the one expiring first), else the oldest
//   INCOMPLETE one (the one whose request has gone unanswered longest, i.e. retried first);
// - the cache needs one timer (kind TK_ARP), armed at the earlier of the two oldest deadlines;
//   arpTick pops due entries off the old ends of the lists, O(1) each.
// Should the host's clock step back, a new deadline is raised to the newest one of its list so the
// lists stay sorted (entries then live at most that step longer).
//
// Pending slot (stride 16 + frameBytes, rounded to 16; `pendingFrames` of them, ≤ 256, linear):
//   used u8 @0 | iface u8 @1 | next u16 @2 | nextHop u32 @4 | len i32 @8 (IP bytes) | seq u32 @12 |
//   frame @16
// The frame's IP packet sits at +16+14; the Ethernet header is written when the address resolves.
// Frames to one next hop leave in the order they were queued (seq): they form a FIFO chained through
// `next` (the slot queued after this one for the same (iface, nextHop), NONE at the newest), so a
// resolution finds the oldest with one scan of the pool and then walks the chain. Frames of a next
// hop only ever leave as a whole chain (sent, failed, link down) or from its old end (queue's
// eviction), so a chain never points into a slot that left it.
//
// Proxy table: a hash table (`bindings` entries) keyed by IPv4 address; value iface u8 (0xff any).

import { tx } from "../host";
import { arenaAlloc } from "../mem";
import { C, count, countBy } from "../counters";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import * as cfg from "../config";
import { netifMac, netifIp, netifIsBroadcast, netifValid, netifArpIp, netifArpAnswers, netifAway, netifListen } from "../link/netif";
import { stackTimers, timerOwn, OWNER_NEIGHBOR } from "../sys/timers";
import { ethRegister } from "../link/ethernet";
import { HT_HEADER_SIZE, htBytes, htInit, htFind, htInsert, htInsertedNew, htRemove } from "../table/hash";
import { lruBytes, lruInit, lruTouch, lruRemove, lruOldest, lruNewest } from "../table/lru";
import { TIMER_NEVER, timerStart, timerRestart, timerActive } from "../table/timer";
import { ETH_HEADER_LEN, ETH_MIN_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethEmit, macEqual, macIsGroup, macSetBroadcast, macSetIpv4Multicast } from "../wire/ethernet";
import { ARP_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ArpErr, arpCheck, arpEmit, arpOper, arpSha, arpSpa, arpTpa, arpTha } from "../wire/arp";
import { IP_BROADCAST, ipIsMulticast } from "../wire/ipv4";

export const ARP_FREE: u8 = 0;
export const ARP_INCOMPLETE: u8 = 1;
export const ARP_REACHABLE: u8 = 2;

/** Kind of the ARP cache's timer on the stack's heap (owner OWNER_NEIGHBOR, sys/timers.ts). */
export const TK_ARP: u16 = (OWNER_NEIGHBOR << 8);

const E_IP: usize = 0;
const E_MAC: usize = 4;
const E_STATE: usize = 10;
const E_IFACE: usize = 11;
const E_REQS: usize = 12;
const E_NEXT: usize = 14;
const E_EXPIRES: usize = 16;
const E_STRIDE: usize = 24;
/** End of a `next` chain (arpEntries ≤ 4096, config.ts). */
const NONE: i32 = 0xffff;

const P_USED: usize = 0;
const P_IFACE: usize = 1;
const P_NEXT: usize = 2;
const P_NEXTHOP: usize = 4;
const P_LEN: usize = 8;
const P_SEQ: usize = 12;
const P_FRAME: usize = 16;

/** Proxy entry iface value meaning "any interface". */
export const PROXY_ANY_IFACE: i32 = 0xff;

/** Retry interval of an unanswered request (RFC 1122 §2.3.2.1). */
const RETRY_MS: i64 = 1000;

let cache: usize = 0;
let cacheN: i32 = 0;
let freeHead: i32 = NONE;
const cacheIndex: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let reachList: usize = 0;   // REACHABLE entries, oldest = expires first
let incList: usize = 0;     // INCOMPLETE entries, oldest = next request due first
let timer: i32 = -1;        // TK_ARP handle on stackTimers
let timerAt: i64 = TIMER_NEVER;
let cacheGen: u32 = 0;      // bumped whenever an entry comes or goes (invalidates the dump cursor)
let dumpGen: u32 = 0;
let dumpIndex: i32 = -1;    // arpDump cursor: next record index and the entry to resume from
let dumpPos: i32 = 0;
// Why (speed): frames in a row mostly go to one next hop; its entry index is reused while no entry
// came or went (cacheGen unchanged). The entry's own state, MAC and deadline are read as always.
let memoIp: u32 = 0;
let memoIface: i32 = -1;
let memoIndex: i32 = -1;
let memoGen: u32 = 0;
let pending: usize = 0;
let pendingN: i32 = 0;
let pendingStride: usize = 0;
let pendingSeq: u32 = 0;
const proxyIndex: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let proxyN: i32 = 0;

// Scratch frame for requests we originate (never the rx buffer, which may hold the packet in flight).
const reqFrame: usize = memory.data(ETH_MIN_FRAME, 16);
// Destination MAC of a broadcast / multicast frame, written before linkSendIpTo copies it.
const groupMac: usize = memory.data(8, 8);

// @ts-ignore: decorator
@inline function entry(i: i32): usize { return cache + <usize>i * E_STRIDE; }
// @ts-ignore: decorator
@inline function slot(i: i32): usize { return pending + <usize>i * pendingStride; }

/** `a + b` for b ≥ 0, saturating at i64 max (a host may pass any time). */
function later(a: i64, b: i64): i64 { return a > i64.MAX_VALUE - b ? i64.MAX_VALUE : a + b; }

/**
 * Carve the cache (entries, address index, two lists), the pending pool and the proxy table from the
 * arena, and reserve the cache's timer on the stack's heap. False when memory ran out.
 */
export function arpInit(): bool {
  ethRegister(ETHERTYPE_ARP, arpInput);
  timerOwn(OWNER_NEIGHBOR, arpTimer);
  netifListen(arpLink);
  cacheN = cfg.arpEntries;
  const n = <u32>cacheN;
  cache = arenaAlloc(<usize>cacheN * E_STRIDE);
  const ib = arenaAlloc(htBytes(n, 4));
  reachList = arenaAlloc(lruBytes(n));
  incList = arenaAlloc(lruBytes(n));
  pendingN = cfg.pendingFrames;
  pendingStride = (P_FRAME + <usize>cfg.frameBytes + 15) & ~<usize>15;
  pending = pendingN > 0 ? arenaAlloc(<usize>pendingN * pendingStride) : 0;
  proxyN = cfg.bindingEntries;
  const pb = proxyN > 0 ? arenaAlloc(htBytes(<u32>proxyN, 1)) : 0;
  pendingSeq = 0;
  cacheGen = 0;
  memoIndex = -1;
  dumpIndex = -1;
  timer = -1;
  timerAt = TIMER_NEVER;
  freeHead = NONE;
  const ok = cache != 0 && ib != 0 && reachList != 0 && incList != 0 &&
    (pendingN == 0 || pending != 0) && (proxyN == 0 || pb != 0);
  if (!ok) return false;
  // Free list in index order, so a fresh cache hands out entries 0, 1, 2, ...
  for (let i = cacheN - 1; i >= 0; i--) { store<u16>(entry(i), <u16>freeHead, E_NEXT); freeHead = i; }
  htInit(cacheIndex, ib, n, 4);
  lruInit(reachList, n);
  lruInit(incList, n);
  if (proxyN > 0) htInit(proxyIndex, pb, <u32>proxyN, 1);
  // The timer stays armed (at TIMER_NEVER when the cache has no deadline), so roles filling the heap
  // can never starve ARP of its one timer.
  rearm();
  return stackTimers != 0 && timer >= 0;
}

/** Transmit a frame on `iface`, counting it (every frame leaves through here). */
function txFrame(iface: i32, f: usize, len: i32): void {
  count(C.TX_FRAMES);
  countBy(C.TX_BYTES, <u64>len);
  tx(iface, f, len);
}

/** Entry index of (`iface`, `ip`), or -1. */
function find(iface: i32, ip: u32): i32 {
  if (memoIndex >= 0 && memoGen == cacheGen && memoIp == ip && memoIface == iface) return memoIndex;
  const v = htFind(cacheIndex, ip);
  if (v == 0) return -1;
  let i = <i32>load<u32>(v);
  while (i != NONE) {
    const e = entry(i);
    if (<i32>load<u8>(e, E_IFACE) == iface) {
      memoIp = ip;
      memoIface = iface;
      memoIndex = i;
      memoGen = cacheGen;
      return i;
    }
    i = <i32>load<u16>(e, E_NEXT);
  }
  return -1;
}

/** Earliest deadline in the cache (the older end of either list), TIMER_NEVER if none. */
function nextDeadline(): i64 {
  let d = TIMER_NEVER;
  let i = lruOldest(reachList);
  if (i >= 0) d = load<i64>(entry(i), E_EXPIRES);
  i = lruOldest(incList);
  if (i >= 0) d = min(d, load<i64>(entry(i), E_EXPIRES));
  return d;
}

/** Move the cache's timer to its earliest deadline (O(1) unless it changed; then O(log timers)). */
function rearm(): void {
  if (stackTimers == 0) return;
  const d = nextDeadline();
  if (timerActive(stackTimers, timer)) {
    if (d != timerAt) timerRestart(stackTimers, timer, d);
  } else {
    timer = timerStart(stackTimers, 0, TK_ARP, d);
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

function sendRequest(iface: i32, spa: u32, tpa: u32): void {
  // Why: RFC 2002 §4.6: a mobile node away from home broadcasts no ARP for its home address; with no
  // co-located care-of address to speak for (netifArpIp 0) it sends no request at all.
  if (spa == 0 && netifAway(iface)) return;
  const f = reqFrame;
  macSetBroadcast(groupMac);
  ethEmit(f, groupMac, netifMac(iface), ETHERTYPE_ARP);
  arpEmit(f + <usize>ETH_HEADER_LEN, ARP_OP_REQUEST, netifMac(iface), spa, 0, tpa);
  memory.fill(f + <usize>(ETH_HEADER_LEN + ARP_LEN), 0, <usize>(ETH_MIN_FRAME - ETH_HEADER_LEN - ARP_LEN));
  count(C.ARP_TX_REQUEST);
  txFrame(iface, f, ETH_MIN_FRAME);
}

/** Gratuitous ARPs announcing one change (SPEC-DECISIONS: 3) and their spacing; roles repeat arpGratuitous. */
export const GARP_COUNT: i32 = 3;
export const GARP_INTERVAL_MS: i64 = 1000;

/**
 * Send one gratuitous ARP on `iface` announcing `ip` at this interface's MAC: the request form with
 * sender and target protocol address both `ip` (SPEC-DECISIONS.md; RFC 2002 §4.6). Callers repeat it.
 */
export function arpGratuitous(iface: i32, ip: u32): void {
  if (!netifValid(iface)) return;
  sendRequest(iface, ip, ip);
}

function emitResolved(e: usize): void {
  const b = evBuf();
  store<u32>(b, <u32>load<u8>(e, E_IFACE));
  store<u32>(b, load<u32>(e, E_IP), 4);
  memory.copy(b + 8, e + E_MAC, 6);
  evEmit(Ev.ARP_RESOLVED, 14);
}

function emitFailed(iface: i32, ip: u32): void {
  const b = evBuf();
  store<u32>(b, <u32>iface);
  store<u32>(b, ip, 4);
  evEmit(Ev.ARP_FAILED, 8);
}

/** Drop every pending frame for (`iface`, `ip`), or for the whole interface when `all`. */
function dropPending(iface: i32, ip: u32, all: bool): void {
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (load<u8>(s, P_USED) != 0 && <i32>load<u8>(s, P_IFACE) == iface && (all || load<u32>(s, P_NEXTHOP) == ip)) {
      store<u8>(s, 0, P_USED);
      count(C.DROP_ARP_UNRESOLVED);
    }
  }
}

/** True when slot `s` holds a frame for (`iface`, `ip`). */
function pendingFor(s: usize, iface: i32, ip: u32): bool {
  return load<u8>(s, P_USED) != 0 && <i32>load<u8>(s, P_IFACE) == iface && load<u32>(s, P_NEXTHOP) == ip;
}

/** Send the pending frames for (`iface`, `ip`) to `mac`, oldest first: one scan, then the chain. */
function flushPending(iface: i32, ip: u32, mac: usize): void {
  let head = -1;
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (!pendingFor(s, iface, ip)) continue;
    // Sequence numbers compared as a signed difference, so wrap-around keeps the order.
    if (head < 0 || <i32>(load<u32>(s, P_SEQ) - load<u32>(slot(head), P_SEQ)) < 0) head = i;
  }
  // At most pendingN links; each one is checked (used, same next hop, later seq) before it is followed.
  for (let k = 0; head >= 0 && k < pendingN; k++) {
    const s = slot(head);
    const seq = load<u32>(s, P_SEQ);
    const n = <i32>load<u16>(s, P_NEXT);
    store<u8>(s, 0, P_USED);
    linkSendIpTo(iface, mac, s + P_FRAME + <usize>ETH_HEADER_LEN, load<i32>(s, P_LEN));
    if (n == NONE || n >= pendingN) break;
    const t = slot(n);
    if (!pendingFor(t, iface, ip) || <i32>(load<u32>(t, P_SEQ) - seq) <= 0) break;
    head = n;
  }
}

/** Take entry `i` out of the index, its list and its address chain; it goes back to the free list. */
function removeEntry(i: i32): void {
  const e = entry(i);
  const ip = load<u32>(e, E_IP);
  const next = <i32>load<u16>(e, E_NEXT);
  const v = htFind(cacheIndex, ip);
  if (v != 0) {
    let j = <i32>load<u32>(v);
    if (j == i) {
      if (next == NONE) htRemove(cacheIndex, ip);
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
  lruRemove(reachList, i);
  lruRemove(incList, i);
  store<u8>(e, ARP_FREE, E_STATE);
  store<u16>(e, <u16>freeHead, E_NEXT);
  freeHead = i;
  cacheGen++;
}

/** A free entry, evicting the REACHABLE one expiring first, else the INCOMPLETE one retried first. */
function allocEntry(): i32 {
  if (freeHead == NONE) {
    // Every entry in use is on exactly one of the lists, so one of them has an oldest entry.
    let victim = lruOldest(reachList);
    if (victim < 0) {
      // Only unresolved entries left: the one that has waited longest gives way; its frames go too.
      victim = lruOldest(incList);
      if (victim < 0) return -1;
      const e = entry(victim);
      const ifc = <i32>load<u8>(e, E_IFACE);
      const ip = load<u32>(e, E_IP);
      emitFailed(ifc, ip);
      dropPending(ifc, ip, false);
    }
    removeEntry(victim);
  }
  const i = freeHead;
  freeHead = <i32>load<u16>(entry(i), E_NEXT);
  return i;
}

/** A new entry for (`iface`, `ip`) in state FREE and on no list (the caller sets both), or -1. */
function insert(iface: i32, ip: u32): i32 {
  const i = allocEntry();
  if (i < 0) return -1;
  // Distinct addresses ≤ entries in use ≤ capacity of the index, so this finds room.
  const v = htInsert(cacheIndex, ip);
  if (v == 0) { store<u16>(entry(i), <u16>freeHead, E_NEXT); freeHead = i; return -1; }
  const e = entry(i);
  store<u32>(e, ip, E_IP);
  memory.fill(e + E_MAC, 0, 6);
  store<u8>(e, ARP_FREE, E_STATE);
  store<u8>(e, <u8>iface, E_IFACE);
  store<u8>(e, 0, E_REQS);
  store<u16>(e, htInsertedNew(cacheIndex) ? <u16>NONE : <u16>load<u32>(v), E_NEXT);
  store<i64>(e, 0, E_EXPIRES);
  store<u32>(v, <u32>i);
  cacheGen++;
  return i;
}

/** Mark entry `i` reachable at `mac` (pointer), restart its lifetime, send what was waiting for it. */
function resolve(i: i32, mac: usize): void {
  const e = entry(i);
  const was = load<u8>(e, E_STATE);
  const changed = was != ARP_REACHABLE || !macEqual(e + E_MAC, mac);
  memory.copy(e + E_MAC, mac, 6);
  store<u8>(e, ARP_REACHABLE, E_STATE);
  store<u8>(e, 0, E_REQS);
  lruRemove(incList, i);
  setDeadline(i, reachList, later(nowMs(), <i64>cfg.arpTimeoutSec * 1000));
  rearm();
  if (changed) emitResolved(e);
  if (was == ARP_INCOMPLETE) flushPending(<i32>load<u8>(e, E_IFACE), load<u32>(e, E_IP), e + E_MAC);
}

function queue(iface: i32, nextHop: u32, p: usize, len: i32): bool {
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
    if (load<u32>(s, P_NEXTHOP) != nextHop || <i32>load<u8>(s, P_IFACE) != iface) continue;
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
    store<u32>(s, nextHop, P_NEXTHOP);
    store<i32>(s, len, P_LEN);
    store<u32>(s, pendingSeq++, P_SEQ);
    memory.copy(s + P_FRAME + <usize>ETH_HEADER_LEN, p, <usize>len);
    // The new frame is the chain's newest (see "Pending slot").
    if (newest >= 0) store<u16>(slot(newest), <u16>i, P_NEXT);
    return true;
  }
  return false;
}

/**
 * Send the IPv4 packet of `len` bytes at `p` on `iface` towards `nextHop` (host order). The Ethernet
 * header is written at `p - 14`, which must be headroom. Returns 0 sent or queued for ARP, 1 dropped
 * (counted DROP_ARP_UNRESOLVED: pool full).
 */
export function linkSendIp(iface: i32, nextHop: u32, p: usize, len: i32): i32 {
  if (nextHop == IP_BROADCAST || netifIsBroadcast(iface, nextHop)) {
    macSetBroadcast(groupMac);
    linkSendIpTo(iface, groupMac, p, len);
  } else if (ipIsMulticast(nextHop)) {
    macSetIpv4Multicast(groupMac, nextHop);
    linkSendIpTo(iface, groupMac, p, len);
  } else {
    let i = find(iface, nextHop);
    if (i >= 0 && load<u8>(entry(i), E_STATE) == ARP_REACHABLE && load<i64>(entry(i), E_EXPIRES) <= nowMs()) {
      removeEntry(i); // stale (its timer has not run yet): resolve again
      i = -1;
    }
    if (i < 0 || load<u8>(entry(i), E_STATE) != ARP_REACHABLE) {
      if (i < 0) {
        i = insert(iface, nextHop);
        if (i < 0) { count(C.DROP_ARP_UNRESOLVED); return 1; }
        const e = entry(i);
        store<u8>(e, ARP_INCOMPLETE, E_STATE);
        store<u8>(e, 1, E_REQS);
        setDeadline(i, incList, later(nowMs(), RETRY_MS));
        rearm();
        sendRequest(iface, netifArpIp(iface), nextHop);
      }
      // Why: RFC 1122 §2.3.2.2: keep (at least) the latest packet for an unresolved address; the pool
      // is shared and fixed, so a full pool drops the new packet.
      if (queue(iface, nextHop, p, len)) return 0;
      count(C.DROP_ARP_UNRESOLVED);
      return 1;
    }
    linkSendIpTo(iface, entry(i) + E_MAC, p, len);
  }
  return 0;
}

/**
 * Send the IPv4 packet of `len` bytes at `p` on `iface` to the MAC at `mac`, without ARP: the
 * Ethernet header goes at `p - 14` (headroom). `mac` may lie in the 6 bytes at `p - 8` (a received
 * frame's source): it is copied before our own address is written there.
 */
// @ts-ignore: decorator
@inline export function linkSendIpTo(iface: i32, mac: usize, p: usize, len: i32): void {
  const f = p - <usize>ETH_HEADER_LEN;
  ethEmit(f, mac, netifMac(iface), ETHERTYPE_IPV4);
  txFrame(iface, f, len + ETH_HEADER_LEN);
}

/** True when this node answers ARP for `ip` on `iface` on another node's behalf (proxy ARP). */
export function arpProxyCheck(iface: i32, ip: u32): bool {
  if (proxyN == 0) return false;
  const v = htFind(proxyIndex, ip);
  if (v == 0) return false;
  const xi = <i32>load<u8>(v);
  return xi == PROXY_ANY_IFACE || xi == iface;
}

/** Answer ARP for `ip` on `iface` (PROXY_ANY_IFACE: all) with our MAC. False when the table is full. */
export function arpProxyAdd(iface: i32, ip: u32): bool {
  if (proxyN == 0) return false;
  // An address already present only changes its interface.
  const v = htInsert(proxyIndex, ip);
  if (v == 0) return false;
  store<u8>(v, <u8>iface);
  return true;
}

/** Stop answering ARP for `ip`. */
export function arpProxyRemove(ip: u32): void {
  if (proxyN > 0) htRemove(proxyIndex, ip);
}

/**
 * Process the ARP packet of `len` bytes at `p` received on `iface` (Ethernet header at `p - 14`,
 * reused in place for the reply). Returns 0 used, 1 dropped.
 */
export function arpInput(iface: i32, p: usize, len: i32, group: bool): i32 {
  count(C.ARP_RX);
  if (arpCheck(p, len) != ArpErr.OK) { count(C.DROP_ARP_MALFORMED); return 1; }
  const sha = arpSha(p);
  // Why: RFC 1812 §3.3.2: an ARP packet claiming a broadcast or multicast sender address is discarded;
  // one from our own MAC is our own frame looped back.
  if (macIsGroup(sha)) { count(C.DROP_ARP_MALFORMED); return 1; }
  if (macEqual(sha, netifMac(iface))) { count(C.DROP_NOT_FOR_US); return 1; }
  const spa = arpSpa(p);
  const tpa = arpTpa(p);
  const myIp = netifIp(iface);
  // Our main address, or a mobile node's co-located care-of address; away from home the home address
  // only to unicast requests (RFC 2002 §4.6, netif.ts netifArpAnswers).
  const forUs = netifArpAnswers(iface, tpa, !macIsGroup(p - <usize>ETH_HEADER_LEN));
  // RFC 826 "Packet Reception": merge the sender into an existing entry whoever the target is (this is
  // also how gratuitous ARP moves a mobile node's address, RFC 2002 §4.6) ...
  // Why: 0.0.0.0 is an RFC 5227 probe, and our own address in another MAC is a conflict, not news.
  if (spa != 0 && spa != myIp) {
    const i = find(iface, spa);
    if (i >= 0) resolve(i, sha);
    // ... and only if we are the target, add a new one.
    else if (forUs) {
      const j = insert(iface, spa);
      if (j >= 0) resolve(j, sha);
    }
  }
  if (arpOper(p) != ARP_OP_REQUEST) return 0;
  // Why: a request with sender == target is an announcement (gratuitous ARP, RFC 5227 §2.3); nobody
  // answers it. Proxy replies are given only for addresses a role registered (RFC 1027, RFC 2002 §4.6).
  if (spa == tpa) return 0;
  if (!forUs && !arpProxyCheck(iface, tpa)) return 0;
  const f = p - <usize>ETH_HEADER_LEN;
  arpEmit(p, ARP_OP_REPLY, netifMac(iface), tpa, sha, spa);
  ethEmit(f, arpTha(p), netifMac(iface), ETHERTYPE_ARP);
  memory.fill(p + <usize>ARP_LEN, 0, <usize>(ETH_MIN_FRAME - ETH_HEADER_LEN - ARP_LEN));
  count(C.ARP_TX_REPLY);
  txFrame(iface, f, ETH_MIN_FRAME);
  return 0;
}

/**
 * Retry or fail unresolved entries and expire old ones due at `now` (O(1) per due entry, oldest
 * first); re-arms the cache's timer and returns the cache's next deadline (i64 max if none).
 */
export function arpTick(now: i64): i64 {
  for (;;) {
    const i = lruOldest(reachList);
    if (i < 0 || load<i64>(entry(i), E_EXPIRES) > now) break;
    removeEntry(i);
  }
  // Each entry is looked at once at most: a retried one moves to the new end with a later deadline.
  for (let k = 0; k < cacheN; k++) {
    const i = lruOldest(incList);
    if (i < 0) break;
    const e = entry(i);
    if (load<i64>(e, E_EXPIRES) > now) break;
    const ifc = <i32>load<u8>(e, E_IFACE);
    const ip = load<u32>(e, E_IP);
    const reqs = <i32>load<u8>(e, E_REQS);
    if (reqs < cfg.arpRetries) {
      store<u8>(e, <u8>(reqs + 1), E_REQS);
      setDeadline(i, incList, later(now, RETRY_MS));
      sendRequest(ifc, netifArpIp(ifc), ip);
    } else {
      // Why: RFC 1122 §2.3.2.1: give up after a bounded number of requests; the waiting packets go.
      removeEntry(i);
      emitFailed(ifc, ip);
      dropPending(ifc, ip, false);
    }
  }
  rearm();
  return nextDeadline();
}

/** The cache's timer (TK_ARP) is due. */
function arpTimer(kind: u16, tag: u32, now: i64): void { arpTick(now); }

/** Link of `iface` went up or down; down flushes it (arpFlushIface). */
function arpLink(iface: i32, up: bool): void { if (!up) arpFlushIface(iface); }

/** Forget every entry and pending frame of `iface` (its link went down: the next network may differ). */
export function arpFlushIface(iface: i32): void {
  // A scan: link changes are rare, and the cache is at most 4096 entries.
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != ARP_FREE && <i32>load<u8>(e, E_IFACE) == iface) removeEntry(i);
  }
  dropPending(iface, 0, true);
  rearm();
}

/**
 * Write the `index`-th entry in use to `out` as `ip u32, mac[6], state u8, iface u8, expiresAtMs i64`
 * (little-endian, 20 bytes); returns 20, or -1 past the last. Reading indices 0, 1, 2, ... in a row
 * costs O(capacity) in all (a cursor resumes where the previous record was found).
 */
export function arpDump(index: i32, out: usize): i32 {
  if (index < 0) return -1;
  let k = 0;
  let i = 0;
  if (index == dumpIndex && dumpGen == cacheGen) { k = index; i = dumpPos; }
  for (; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) == ARP_FREE) continue;
    if (k++ != index) continue;
    store<u32>(out, load<u32>(e, E_IP));
    memory.copy(out + 4, e + E_MAC, 6);
    store<u8>(out, load<u8>(e, E_STATE), 10);
    store<u8>(out, load<u8>(e, E_IFACE), 11);
    store<i64>(out, load<i64>(e, E_EXPIRES), 12);
    dumpIndex = index + 1;
    dumpPos = i + 1;
    dumpGen = cacheGen;
    return 20;
  }
  return -1;
}
