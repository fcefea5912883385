// ARP cache, pending-frame pool and the Ethernet output step for IPv4 (RFC 826; RFC 1122 §2.3.2;
// gratuitous ARP per RFC 5227 §2.3 / RFC 2002 §4.6; proxy ARP per RFC 1027 / RFC 2002 §4.6).
//
//   linkSendIp(iface, nextHop, p, len)        the one way an IPv4 packet leaves: Ethernet header
//     broadcast / multicast next hop -> ff:ff.. / 01:00:5e..   written at p-14 (headroom), tx from there
//     REACHABLE entry                 -> tx now
//     otherwise -> copy into a pending slot, entry INCOMPLETE, ARP request (retried by arpTick)
//
// Cache entry (stride 24, `arpEntries` of them, carved at init):
//   ip u32 @0 | mac[6] @4 | state u8 @10 | iface u8 @11 | requests u8 @12 | pad[3] | expiresAtMs i64 @16
// States: FREE 0, INCOMPLETE 1 (requests sent, expiresAtMs = next retry), REACHABLE 2 (expiresAtMs =
// end of validity, `arpTimeoutSec` after the last confirmation). An INCOMPLETE entry sends `arpRetries`
// requests in all, one per second (RFC 1122 §2.3.2.1: at most one per second per destination); one
// second after the last unanswered request it fails: ARP_FAILED, its pending frames are dropped.
// A full cache evicts the REACHABLE entry that expires first, else the oldest INCOMPLETE one.
//
// Pending slot (stride 16 + frameBytes, rounded to 16; `pendingFrames` of them):
//   used u8 @0 | iface u8 @1 | pad[2] | nextHop u32 @4 | len i32 @8 (IP bytes) | seq u32 @12 | frame @16
// The frame's IP packet sits at +16+14; the Ethernet header is written when the address resolves.
// Frames to one next hop leave in the order they were queued (seq).
//
// Proxy table (stride 8, `bindings` entries): ip u32 @0 | iface u8 @4 (0xff any) | used u8 @5 | pad.

import { tx } from "../host";
import { arenaAlloc } from "../mem";
import { C, count, countBy } from "../counters";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import * as cfg from "../config";
import { netifMac, netifIp, netifIsBroadcast, netifValid } from "./netif";
import { ETH_HEADER_LEN, ETH_MIN_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethEmit, macEqual, macIsGroup, macSetBroadcast, macSetIpv4Multicast } from "../wire/ethernet";
import { ARP_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ArpErr, arpCheck, arpEmit, arpOper, arpSha, arpSpa, arpTpa, arpTha } from "../wire/arp";
import { IP_BROADCAST, ipIsMulticast } from "../wire/ipv4";

export const ARP_FREE: u8 = 0;
export const ARP_INCOMPLETE: u8 = 1;
export const ARP_REACHABLE: u8 = 2;

const E_IP: usize = 0;
const E_MAC: usize = 4;
const E_STATE: usize = 10;
const E_IFACE: usize = 11;
const E_REQS: usize = 12;
const E_EXPIRES: usize = 16;
const E_STRIDE: usize = 24;

const P_USED: usize = 0;
const P_IFACE: usize = 1;
const P_NEXTHOP: usize = 4;
const P_LEN: usize = 8;
const P_SEQ: usize = 12;
const P_FRAME: usize = 16;

const X_IP: usize = 0;
const X_IFACE: usize = 4;
const X_USED: usize = 5;
const X_STRIDE: usize = 8;
/** Proxy entry iface value meaning "any interface". */
export const PROXY_ANY_IFACE: i32 = 0xff;

/** Retry interval of an unanswered request (RFC 1122 §2.3.2.1). */
const RETRY_MS: i64 = 1000;

let cache: usize = 0;
let cacheN: i32 = 0;
let pending: usize = 0;
let pendingN: i32 = 0;
let pendingStride: usize = 0;
let pendingSeq: u32 = 0;
let proxy: usize = 0;
let proxyN: i32 = 0;

// Scratch frame for requests we originate (never the rx buffer, which may hold the packet in flight).
const reqFrame: usize = memory.data(ETH_MIN_FRAME, 16);

/** Carve the cache, the pending pool and the proxy table from the arena. False when memory ran out. */
export function arpInit(): bool {
  cacheN = cfg.arpEntries;
  cache = arenaAlloc(<usize>cacheN * E_STRIDE);
  pendingN = cfg.pendingFrames;
  pendingStride = (P_FRAME + <usize>cfg.frameBytes + 15) & ~<usize>15;
  pending = pendingN > 0 ? arenaAlloc(<usize>pendingN * pendingStride) : 0;
  proxyN = cfg.bindingEntries;
  proxy = proxyN > 0 ? arenaAlloc(<usize>proxyN * X_STRIDE) : 0;
  pendingSeq = 0;
  return cache != 0 && (pendingN == 0 || pending != 0) && (proxyN == 0 || proxy != 0);
}

/** Transmit a frame on `iface`, counting it. */
export function txFrame(iface: i32, f: usize, len: i32): void {
  count(C.TX_FRAMES);
  countBy(C.TX_BYTES, <u64>len);
  tx(iface, f, len);
}

// @ts-ignore: decorator
@inline function entry(i: i32): usize { return cache + <usize>i * E_STRIDE; }
// @ts-ignore: decorator
@inline function slot(i: i32): usize { return pending + <usize>i * pendingStride; }

function find(iface: i32, ip: u32): usize {
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != ARP_FREE && load<u32>(e, E_IP) == ip && <i32>load<u8>(e, E_IFACE) == iface) return e;
  }
  return 0;
}

function sendRequest(iface: i32, spa: u32, tpa: u32): void {
  const f = reqFrame;
  macSetBroadcast(f);
  memory.copy(f + 6, netifMac(iface), 6);
  store<u16>(f, bswap<u16>(ETHERTYPE_ARP), 12);
  arpEmit(f + <usize>ETH_HEADER_LEN, ARP_OP_REQUEST, netifMac(iface), spa, 0, tpa);
  memory.fill(f + <usize>(ETH_HEADER_LEN + ARP_LEN), 0, <usize>(ETH_MIN_FRAME - ETH_HEADER_LEN - ARP_LEN));
  count(C.ARP_TX_REQUEST);
  txFrame(iface, f, ETH_MIN_FRAME);
}

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

/** Send the pending frames for (`iface`, `ip`) to `mac`, oldest first. */
function flushPending(iface: i32, ip: u32, mac: usize): void {
  for (;;) {
    let best: usize = 0;
    for (let i = 0; i < pendingN; i++) {
      const s = slot(i);
      if (load<u8>(s, P_USED) == 0 || <i32>load<u8>(s, P_IFACE) != iface || load<u32>(s, P_NEXTHOP) != ip) continue;
      // Sequence numbers compared as a signed difference, so wrap-around keeps the order.
      if (best == 0 || <i32>(load<u32>(s, P_SEQ) - load<u32>(best, P_SEQ)) < 0) best = s;
    }
    if (best == 0) return;
    const f = best + P_FRAME;
    ethEmit(f, mac, netifMac(iface), ETHERTYPE_IPV4);
    store<u8>(best, 0, P_USED);
    txFrame(iface, f, load<i32>(best, P_LEN) + ETH_HEADER_LEN);
  }
}

function freeEntry(e: usize): void { store<u8>(e, ARP_FREE, E_STATE); }

/** A free entry, evicting the REACHABLE one expiring first, else the INCOMPLETE one retried first. */
function allocEntry(): usize {
  let victim: usize = 0;
  let victimIncomplete: usize = 0;
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    const st = load<u8>(e, E_STATE);
    if (st == ARP_FREE) return e;
    if (st == ARP_REACHABLE) {
      if (victim == 0 || load<i64>(e, E_EXPIRES) < load<i64>(victim, E_EXPIRES)) victim = e;
    } else if (victimIncomplete == 0 || load<u8>(e, E_REQS) > load<u8>(victimIncomplete, E_REQS)) {
      victimIncomplete = e;
    }
  }
  if (victim == 0) {
    // Only unresolved entries left: the one that has waited longest gives way; its frames go too.
    victim = victimIncomplete;
    const ifc = <i32>load<u8>(victim, E_IFACE);
    const ip = load<u32>(victim, E_IP);
    emitFailed(ifc, ip);
    dropPending(ifc, ip, false);
  }
  freeEntry(victim);
  return victim;
}

/** Mark `e` reachable at `mac` (pointer), restart its lifetime, send what was waiting for it. */
function resolve(e: usize, mac: usize): void {
  const was = load<u8>(e, E_STATE);
  const changed = was != ARP_REACHABLE || !macEqual(e + E_MAC, mac);
  memory.copy(e + E_MAC, mac, 6);
  store<u8>(e, ARP_REACHABLE, E_STATE);
  store<u8>(e, 0, E_REQS);
  store<i64>(e, nowMs() + <i64>cfg.arpTimeoutSec * 1000, E_EXPIRES);
  if (changed) emitResolved(e);
  if (was == ARP_INCOMPLETE) flushPending(<i32>load<u8>(e, E_IFACE), load<u32>(e, E_IP), e + E_MAC);
}

function insert(iface: i32, ip: u32): usize {
  const e = allocEntry();
  store<u32>(e, ip, E_IP);
  memory.fill(e + E_MAC, 0, 6);
  store<u8>(e, <u8>iface, E_IFACE);
  store<u8>(e, 0, E_REQS);
  store<i64>(e, 0, E_EXPIRES);
  return e;
}

function queue(iface: i32, nextHop: u32, p: usize, len: i32): bool {
  if (len + ETH_HEADER_LEN > cfg.frameBytes) return false;
  for (let i = 0; i < pendingN; i++) {
    const s = slot(i);
    if (load<u8>(s, P_USED) != 0) continue;
    store<u8>(s, 1, P_USED);
    store<u8>(s, <u8>iface, P_IFACE);
    store<u32>(s, nextHop, P_NEXTHOP);
    store<i32>(s, len, P_LEN);
    store<u32>(s, pendingSeq++, P_SEQ);
    memory.copy(s + P_FRAME + <usize>ETH_HEADER_LEN, p, <usize>len);
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
  const f = p - <usize>ETH_HEADER_LEN;
  if (nextHop == IP_BROADCAST || netifIsBroadcast(iface, nextHop)) {
    macSetBroadcast(f);
  } else if (ipIsMulticast(nextHop)) {
    macSetIpv4Multicast(f, nextHop);
  } else {
    let e = find(iface, nextHop);
    if (e != 0 && load<u8>(e, E_STATE) == ARP_REACHABLE && load<i64>(e, E_EXPIRES) <= nowMs()) {
      freeEntry(e); // stale: resolve again
      e = 0;
    }
    if (e == 0 || load<u8>(e, E_STATE) != ARP_REACHABLE) {
      if (e == 0) {
        e = insert(iface, nextHop);
        store<u8>(e, ARP_INCOMPLETE, E_STATE);
        store<u8>(e, 1, E_REQS);
        store<i64>(e, nowMs() + RETRY_MS, E_EXPIRES);
        sendRequest(iface, netifIp(iface), nextHop);
      }
      // Why: RFC 1122 §2.3.2.2: keep (at least) the latest packet for an unresolved address; the pool
      // is shared and fixed, so a full pool drops the new packet.
      if (queue(iface, nextHop, p, len)) return 0;
      count(C.DROP_ARP_UNRESOLVED);
      return 1;
    }
    memory.copy(f, e + E_MAC, 6);
  }
  memory.copy(f + 6, netifMac(iface), 6);
  store<u16>(f, bswap<u16>(ETHERTYPE_IPV4), 12);
  txFrame(iface, f, len + ETH_HEADER_LEN);
  return 0;
}

/** True when this node answers ARP for `ip` on `iface` on another node's behalf (proxy ARP). */
export function arpProxyCheck(iface: i32, ip: u32): bool {
  for (let i = 0; i < proxyN; i++) {
    const x = proxy + <usize>i * X_STRIDE;
    if (load<u8>(x, X_USED) != 0 && load<u32>(x, X_IP) == ip) {
      const xi = <i32>load<u8>(x, X_IFACE);
      if (xi == PROXY_ANY_IFACE || xi == iface) return true;
    }
  }
  return false;
}

/** Answer ARP for `ip` on `iface` (PROXY_ANY_IFACE: all) with our MAC. False when the table is full. */
export function arpProxyAdd(iface: i32, ip: u32): bool {
  let free: usize = 0;
  for (let i = 0; i < proxyN; i++) {
    const x = proxy + <usize>i * X_STRIDE;
    if (load<u8>(x, X_USED) == 0) { if (free == 0) free = x; continue; }
    if (load<u32>(x, X_IP) == ip) { store<u8>(x, <u8>iface, X_IFACE); return true; }
  }
  if (free == 0) return false;
  store<u32>(free, ip, X_IP);
  store<u8>(free, <u8>iface, X_IFACE);
  store<u8>(free, 1, X_USED);
  return true;
}

/** Stop answering ARP for `ip`. */
export function arpProxyRemove(ip: u32): void {
  for (let i = 0; i < proxyN; i++) {
    const x = proxy + <usize>i * X_STRIDE;
    if (load<u8>(x, X_USED) != 0 && load<u32>(x, X_IP) == ip) store<u8>(x, 0, X_USED);
  }
}

/**
 * Process the ARP packet of `len` bytes at `p` received on `iface` (Ethernet header at `p - 14`,
 * reused in place for the reply). Returns 0 used, 1 dropped.
 */
export function arpInput(iface: i32, p: usize, len: i32): i32 {
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
  const forUs = myIp != 0 && tpa == myIp;
  // RFC 826 "Packet Reception": merge the sender into an existing entry whoever the target is (this is
  // also how gratuitous ARP moves a mobile node's address, RFC 2002 §4.6) ...
  let merged = false;
  // Why: 0.0.0.0 is an RFC 5227 probe, and our own address in another MAC is a conflict, not news.
  if (spa != 0 && spa != myIp) {
    const e = find(iface, spa);
    if (e != 0) { resolve(e, sha); merged = true; }
    // ... and only if we are the target, add a new one.
    if (forUs && !merged) resolve(insert(iface, spa), sha);
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

/** Retry or fail unresolved entries and expire old ones at `now`; returns the next deadline (i64 max if none). */
export function arpTick(now: i64): i64 {
  let next = i64.MAX_VALUE;
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    const st = load<u8>(e, E_STATE);
    if (st == ARP_FREE) continue;
    if (load<i64>(e, E_EXPIRES) <= now) {
      const ifc = <i32>load<u8>(e, E_IFACE);
      const ip = load<u32>(e, E_IP);
      if (st == ARP_REACHABLE) { freeEntry(e); continue; }
      const reqs = <i32>load<u8>(e, E_REQS);
      if (reqs < cfg.arpRetries) {
        store<u8>(e, <u8>(reqs + 1), E_REQS);
        store<i64>(e, now + RETRY_MS, E_EXPIRES);
        sendRequest(ifc, netifIp(ifc), ip);
      } else {
        // Why: RFC 1122 §2.3.2.1: give up after a bounded number of requests; the waiting packets go.
        freeEntry(e);
        emitFailed(ifc, ip);
        dropPending(ifc, ip, false);
        continue;
      }
    }
    const t = load<i64>(e, E_EXPIRES);
    if (t < next) next = t;
  }
  return next;
}

/** Forget every entry and pending frame of `iface` (its link went down: the next network may differ). */
export function arpFlushIface(iface: i32): void {
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) != ARP_FREE && <i32>load<u8>(e, E_IFACE) == iface) freeEntry(e);
  }
  dropPending(iface, 0, true);
}

/**
 * Write the `index`-th entry in use to `out` as `ip u32, mac[6], state u8, iface u8, expiresAtMs i64`
 * (little-endian, 20 bytes); returns 20, or -1 past the last.
 */
export function arpDump(index: i32, out: usize): i32 {
  let k = 0;
  for (let i = 0; i < cacheN; i++) {
    const e = entry(i);
    if (load<u8>(e, E_STATE) == ARP_FREE) continue;
    if (k++ != index) continue;
    store<u32>(out, load<u32>(e, E_IP));
    memory.copy(out + 4, e + E_MAC, 6);
    store<u8>(out, load<u8>(e, E_STATE), 10);
    store<u8>(out, load<u8>(e, E_IFACE), 11);
    store<i64>(out, load<i64>(e, E_EXPIRES), 12);
    return 20;
  }
  return -1;
}
