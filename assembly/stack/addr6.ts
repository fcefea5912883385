// IPv6 addresses of the node's interfaces (RFC 2462 stateless autoconfiguration, RFC 4291 scopes):
// the link-local address from the interface identifier, configured ones, ones formed from advertised
// prefixes; Duplicate Address Detection before any is used; lifetimes (preferred -> deprecated ->
// removed); which addresses and groups a received packet may be for; source address selection.
//
//   addr6Start(iface)    link up (or init): link-local fe80::IID tentative, every address tentative again,
//                        DAD for each (dadTransmits NS, RetransTimer apart), then PREFERRED
//   addr6Prefix(...)     a Prefix Information option with A (nd.ts): form prefix::IID (RFC 2462 §5.5.3)
//   addr6DadNs / addr6DadNa   a solicitation from :: or an advertisement for a tentative address: DUPLICATE
//   addr6Ours(dst, iface)     PREFERRED or DEPRECATED address of ours (tentative ones are not: §5.4)
//   addr6IsMember(iface, g)   all-nodes, all-routers (routers), solicited-node groups of the interface's addresses,
//                             the groups configured (stack/groups6.ts)
//   addr6Source(iface, dst, out)  a source for a packet to `dst` leaving by `iface`
//
// Who may change the table: configuration (static addresses), this module's timer (DAD, lifetimes)
// and nd.ts on a valid Router Advertisement from a link-local source with hop limit 255 (RFC 2461
// §6.1.2) — only its prefix options with A set, a 64-bit prefix on Ethernet (RFC 2464 §5), and never
// the link-local prefix. A DAD conflict only ever marks a TENTATIVE address DUPLICATE.
//
// The records live in link/netif.ts (IPv6 list of each interface, state, flags, lifetimes in seconds
// of the node clock); one timer (TK_ADDR6) runs DAD steps and lifetimes, armed at the earliest deadline
// over at most MAX_IFACES * NETIF_V6_ADDRS records (a scan: 32 records at most).

import { C, count } from "../counters";
import { MIP6 } from "../features";
import { g6Member } from "./groups6";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import { random } from "../host";
import * as cfg from "../config";
import {
  netifCount, netifValid, netifUp, netifMac, netifAddrCount, netifAddAddr, netifA6, netifA6Find, netifA6Remove,
  netifA6Changed, A6_TENTATIVE, A6_PREFERRED, A6_DEPRECATED, A6_DUPLICATE, A6F_STATIC, A6F_ADVERTISE, A6F_AUTOCONF,
  A6F_LINK_LOCAL, A6F_HOME, A6F_OPTIMISTIC, A6_FOREVER, NETIF_V6_ADDRS,
} from "../link/netif";
import { stackTimerArm, OWNER_ND } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import {
  addrCopy, addrEqual, addrPrefixMatch, addrIsLinkLocal6, addrIsMulticast6, addrSetLinkLocal, addrSetIidFromMac, addrIsSolicitedNode,
} from "../wire/addr";

/** Timer kind of the address table (owner OWNER_ND, tag 0). */
export const TK_ADDR6: u16 = (OWNER_ND << 8) | 1;

/** Send a Neighbor Solicitation for DAD of the address at `target` on `iface` (nd.ts, set at init). */
export type DadSend = (iface: i32, target: usize) => void;

const R_PLEN: usize = 16;
const R_STATE: usize = 17;
const R_FLAGS: usize = 18;
const R_DAD_LEFT: usize = 19;
const R_VALID: usize = 20;
const R_PREFERRED: usize = 24;
const R_DAD_AT: usize = 28;

// Per-record DAD deadline (the record's spare u32 @28): milliseconds after `epochMs`, the node clock
// at init (Why (memory): 4 bytes, not 8; a deadline more than 49 days after init saturates, which
// only delays a DAD step of a node that ran that long — addr6Init re-bases at every start).
let epochMs: i64 = 0;
let timer: i32 = -1;
let dadSend: usize = 0;
let scratch: usize = 0;

/** Seconds of the node clock (lifetimes are kept in seconds). */
// @ts-ignore: decorator
@inline function nowSec(): u32 { return <u32>(nowMs() / 1000); }

function dadAt(e: usize): i64 { return epochMs + <i64>load<u32>(e, R_DAD_AT); }
function setDadAt(e: usize, t: i64): void {
  const d = t - epochMs;
  store<u32>(e, d <= 0 ? 0 : d >= 0xffffffff ? 0xfffffffe : <u32>d, R_DAD_AT);
}

/** Called after every change of the table's states (Mobile IPv6's movement detection, mobility/mn6.ts). */
export type Addr6Watch = () => void;
let watch: usize = 0;
/** Have `fn` called after every address state change (images with Mobile IPv6). */
export function addr6WatchWith(fn: Addr6Watch): void { watch = changetype<usize>(fn); }

function emitAddr(iface: i32, e: usize): void {
  if (MIP6 && watch != 0) changetype<Addr6Watch>(watch)();
  const b = evBuf();
  // iface, state, flags, prefix length: the record's state and flags are adjacent (@17, @18).
  store<u8>(b, <u8>iface);
  store<u16>(b, load<u16>(e, R_STATE), 1);
  store<u8>(b, load<u8>(e, R_PLEN), 3);
  addrCopy(b + 4, e);
  evEmit(Ev.ADDR6, 20);
}

/** Reset (init): no timer yet; DAD solicitations go to `fn`. */
export function addr6Init(fn: DadSend, scratch16: usize): void {
  dadSend = changetype<usize>(fn);
  scratch = scratch16;
  epochMs = nowMs();
  timer = -1;
  started = false;
  if (MIP6) watch = 0;
}

/**
 * Add the configured IPv6 address at `a`/`prefixLen` to `iface` (configuration; tentative until its
 * DAD at addr6Start). `flags`: A6F_ADVERTISE to put its prefix in Router Advertisements with the
 * lifetimes `validSec` / `preferredSec`. Returns netifAddAddr's result (0 added, 1 duplicate, -1 refused).
 */
export function addr6Configure(iface: i32, a: usize, prefixLen: i32, flags: u8, validSec: u32, preferredSec: u32): i32 {
  const r = netifAddAddr(iface, a, prefixLen);
  // A static address never expires; its fields hold the lifetimes it advertises (netif.ts layout).
  if (r == 0) {
    // (ADDR6 flag 4, `home`, is the mobile node's home address: A6F_HOME.)
    const e = newRec(iface, A6F_STATIC | (flags & A6F_ADVERTISE) | (addrIsLinkLocal6(a) ? A6F_LINK_LOCAL : 0) | ((flags & 4) != 0 ? A6F_HOME : 0), validSec, preferredSec);
    // Added to a running node (config_add; images with Mobile IPv6, for a home agent's renumbering): its
    // DAD starts now (RFC 2462 §5.4), as at start.
    if (MIP6 && started && netifUp(iface)) {
      beginDad(iface, e, 0);
      // (A mobile node's home address added away from home, seed 003 §8.5: its home agent defends it on
      // the home link; a DAD on the foreign link says nothing about it.)
      if (cfg.dadTransmits() == 0 || (flags & 4) != 0) dadDone(iface, e);
      rearm();
    }
  }
  return r;
}

/** The record netifAddAddr just added to `iface`: tentative, with `flags` and the lifetime fields. */
function newRec(iface: i32, flags: u8, valid: u32, preferred: u32): usize {
  const e = netifA6(iface, netifAddrCount(iface, true) - 1);
  store<u8>(e, A6_TENTATIVE, R_STATE);
  store<u8>(e, flags, R_FLAGS);
  store<u32>(e, valid, R_VALID);
  store<u32>(e, preferred, R_PREFERRED);
  return e;
}

/** True when the record is a configured address (its lifetime fields are advertised values). */
// @ts-ignore: decorator
@inline function isStatic(e: usize): bool { return (load<u8>(e, R_FLAGS) & A6F_STATIC) != 0; }

/** Begin DAD of record `e` of `iface` (RFC 2462 §5.4): tentative, dadTransmits solicitations. */
function beginDad(iface: i32, e: usize, delayMs: i64): void {
  store<u8>(e, A6_TENTATIVE, R_STATE);
  store<u8>(e, <u8>cfg.dadTransmits(), R_DAD_LEFT);
  setDadAt(e, nowMs() + delayMs);
}

/**
 * The link of `iface` came up (or the node started, `boot`): its link-local address is formed if
 * missing (RFC 2462 §5.3), and every address it holds is tentative again and goes through DAD (RFC
 * 2462 §5.4: on interface initialization; a mobile node attached to a new link checks its addresses
 * there). Addresses formed from prefixes of the previous link stay until their lifetimes end or a
 * router on this link says otherwise (RFC 2462 §5.5.3 keeps them; nd.ts may remove them on movement).
 */
export function addr6Start(iface: i32, boot: bool): void {
  if (!netifValid(iface) || !cfg.ipv6Enabled()) return;
  started = true;
  if (linkLocalRec(iface, false) == 0) {
    addrSetLinkLocal(scratch, netifMac(iface));
    if (netifAddAddr(iface, scratch, 64) == 0) newRec(iface, A6F_LINK_LOCAL, A6_FOREVER, A6_FOREVER);
  }
  // Why: RFC 2462 §5.4.2: the first solicitation after an interface (re)initialization is delayed by
  // a random 0..MAX_RTR_SOLICITATION_DELAY (1 s) so that nodes powered up together do not collide; a
  // link change of a roaming node is not such an event and starts at once (docs/decisions.md "IPv6").
  const delay = addr6BootDelay(boot);
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    if (load<u8>(e, R_STATE) == A6_DUPLICATE) continue;
    // Why: seed 003 §9.13: a mobile node back on its home link finds its home agent defending its home
    // address (the proxy of §8.2) until it has de-registered; DAD now would find it "duplicate". The home
    // address stays usable across link changes (it was DAD-checked at boot; the home agent defended it
    // meanwhile, and the mobile node re-advertises it when it de-registers: mobility/mn6.ts).
    if (MIP6 && !boot && (load<u8>(e, R_FLAGS) & A6F_HOME) != 0 && load<u8>(e, R_STATE) != A6_TENTATIVE) continue;
    beginDad(iface, e, delay);
    // With DupAddrDetectTransmits 0 there is no DAD: the address is usable at once (§5.4).
    if (cfg.dadTransmits() == 0) dadDone(iface, e);
  }
  rearm();
}

// Some interface has started (addresses configured later begin their DAD when added).
let started: bool = false;

/** At boot (`boot`) a random delay of 0..999 ms, else 0. Why (size): DAD's and the router
 *  solicitation's (stack/nd.ts) start-up delays drawn by one function (each its own draw). */
export function addr6BootDelay(boot: bool): i64 {
  if (!boot) return 0;
  random(scratch, 2);
  return <i64>(load<u16>(scratch) % 1000);
}

/** The first link-local record of `iface` (only a usable one with `usableOnly`), or 0. */
function linkLocalRec(iface: i32, usableOnly: bool): usize { return recWith(iface, A6F_LINK_LOCAL, 0, usableOnly); }

/** The `k`-th record of `iface` with `flag` (only usable ones with `usableOnly`), or 0 past the last.
 *  Why (size): the link-local and the advertised-prefix searches share it. */
function recWith(iface: i32, flag: u8, k: i32, usableOnly: bool): usize {
  for (let j = 0, n = netifAddrCount(iface, true); j < n; j++) {
    const e = netifA6(iface, j);
    if ((load<u8>(e, R_FLAGS) & flag) != 0 && (!usableOnly || usable(e)) && k-- == 0) return e;
  }
  return 0;
}

/** DAD of record `e` passed: preferred (or deprecated when its preferred lifetime is over). */
function dadDone(iface: i32, e: usize): void {
  if (MIP6) store<u8>(e, load<u8>(e, R_FLAGS) & ~A6F_OPTIMISTIC, R_FLAGS);
  setState(iface, e, !isStatic(e) && load<u32>(e, R_PREFERRED) != A6_FOREVER && load<u32>(e, R_PREFERRED) <= nowSec() ? A6_DEPRECATED : A6_PREFERRED);
}

/** Record `e` of `iface` goes to state `st` (0: it is about to be removed); the event tells the host. */
function setState(iface: i32, e: usize, st: u8): void {
  store<u8>(e, st, R_STATE);
  netifA6Changed();
  emitAddr(iface, e);
}

/**
 * A Neighbor Solicitation with the unspecified source for `target` arrived on `iface` (another node
 * runs DAD for it, RFC 2462 §5.4.3), or (`fromAdvert`) a Neighbor Advertisement for it (the address is
 * in use, §5.4.4). True when it was one of our tentative addresses, now DUPLICATE (never used, §5.4.5).
 */
export function addr6DadConflict(iface: i32, target: usize): bool {
  const k = netifA6Find(iface, target);
  if (k < 0) return false;
  const e = netifA6(iface, k);
  if (load<u8>(e, R_STATE) != A6_TENTATIVE) return false;
  count(C.ND_DAD_DUPLICATE);
  setState(iface, e, A6_DUPLICATE);
  return true;
}

/** State of `target` on `iface` (A6_* or 0 when it is not one of its addresses). */
export function addr6State(iface: i32, target: usize): u8 {
  const k = netifA6Find(iface, target);
  return k < 0 ? 0 : load<u8>(netifA6(iface, k), R_STATE);
}

/**
 * The prefix at `prefix`/`plen` was advertised on `iface` with the A flag and lifetimes `valid` /
 * `preferred` seconds (nd.ts checked the option). RFC 2462 §5.5.3: form prefix::IID when no address
 * of ours has the prefix (and the valid lifetime is not 0), else update the lifetimes of that address
 * with the two-hour rule (e). Returns true when an address was formed or changed.
 */
export function addr6Prefix(iface: i32, prefix: usize, plen: i32, valid: u32, preferred: u32): bool {
  const now = nowSec();
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    if ((load<u8>(e, R_FLAGS) & A6F_AUTOCONF) == 0 || <i32>load<u8>(e, R_PLEN) != plen || !addrPrefixMatch(e, prefix, plen)) continue;
    // Why: RFC 2462 §5.5.3 (e): the preferred lifetime is reset to the advertised one; the valid
    // lifetime follows the advertisement if it is over two hours or longer than what remains, else it
    // is lowered to two hours unless that remains already — a forged advertisement cannot kill an
    // address quickly.
    const v = load<u32>(e, R_VALID);
    const left: u32 = v == A6_FOREVER ? A6_FOREVER : v > now ? v - now : 0;
    let nv: u32 = left;
    if (valid > 7200 || valid > left) nv = valid;
    else if (left > 7200) nv = 7200;
    store<u32>(e, until(now, nv), R_VALID);
    store<u32>(e, until(now, preferred), R_PREFERRED);
    const st = load<u8>(e, R_STATE);
    if (st == A6_DEPRECATED && preferred != 0) store<u8>(e, A6_PREFERRED, R_STATE);
    else if (st == A6_PREFERRED && preferred == 0) setState(iface, e, A6_DEPRECATED);
    rearm();
    return true;
  }
  if (valid == 0) return false;
  addrSetIidFromMac(scratch, prefix, netifMac(iface));
  if (netifAddAddr(iface, scratch, plen) != 0) { count(C.DROP_RA_PREFIX); return false; }
  // Why: RFC 4429 §3.1: a mobile node's care-of address, its interface identifier from the MAC (most
  // likely unique), is Optimistic: used at once while its DAD runs (mobility.optimisticDad).
  const e = newRec(iface, A6F_AUTOCONF | (MIP6 && cfg.optimisticDad() ? A6F_OPTIMISTIC : 0), until(now, valid), until(now, preferred));
  count(C.SLAAC_ADDRESSES);
  beginDad(iface, e, 0);
  if (cfg.dadTransmits() == 0) dadDone(iface, e); else emitAddr(iface, e);
  rearm();
  return true;
}

/** `now + sec` in the record's seconds (A6_FOREVER for the infinite 0xffffffff, RFC 2461 §4.6.2). */
function until(now: u32, sec: u32): u32 {
  if (sec == A6_FOREVER) return A6_FOREVER;
  // In u32: the sum wrapped (t < now) or reached A6_FOREVER: the latest finite time.
  const t = now + sec;
  return t < now || t == A6_FOREVER ? A6_FOREVER - 1 : t;
}

/** Forget the addresses `iface` formed from advertised prefixes (a mobile node left the link). */
export function addr6DropAutoconf(iface: i32): void {
  for (let k = netifAddrCount(iface, true) - 1; k >= 0; k--) {
    const e = netifA6(iface, k);
    if ((load<u8>(e, R_FLAGS) & A6F_AUTOCONF) == 0) continue;
    setState(iface, e, 0);
    netifA6Remove(iface, k);
  }
  rearm();
}

/** Run DAD steps and lifetimes due now; re-arm for the next. */
export function addr6Timer(kind: u16, tag: u32, now: i64): void { sweep(now, true); }

/** Arm the timer at the earliest DAD step or lifetime end (after a change of the table: sweep tells
 *  the caches). */
function rearm(): void { sweep(0, false); }

/**
 * One pass over every record: with `act`, run the DAD steps and lifetime ends due at `now`; then arm
 * the timer at the earliest next one. Why (size): the timer and the re-arming share the walk.
 */
function sweep(now: i64, act: bool): void {
  // Why (size): every change of the table ends in a sweep, which tells the caches that depend on
  // "ours" once for all of them (a timer pass with nothing due only makes them look again).
  netifA6Changed();
  const sec = <u32>(now / 1000);
  let d = TIMER_NEVER;
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i)) continue;
    for (let k = netifAddrCount(i, true) - 1; k >= 0; k--) {
      const e = netifA6(i, k);
      let st = load<u8>(e, R_STATE);
      // A record whose DAD ended in this pass has its lifetimes looked at from the next one.
      let fresh = false;
      if (st == A6_TENTATIVE) {
        if (!netifUp(i)) continue;
        if (act && dadAt(e) <= now) {
          const left = load<u8>(e, R_DAD_LEFT);
          if (left > 0) {
            // Why: RFC 2462 §5.4.2: DupAddrDetectTransmits solicitations, RetransTimer apart; the address
            // is unique when RetransTimer after the last one nobody objected.
            store<u8>(e, left - 1, R_DAD_LEFT);
            setDadAt(e, now + <i64>cfg.retransTimerMs());
            if (dadSend != 0) changetype<DadSend>(dadSend)(i, e);
          } else {
            dadDone(i, e);
            st = load<u8>(e, R_STATE);
            fresh = true;
          }
        }
        if (st == A6_TENTATIVE) { d = min(d, dadAt(e)); continue; }
      }
      if (isStatic(e) || st == A6_DUPLICATE) continue;
      const valid = load<u32>(e, R_VALID);
      const pref = load<u32>(e, R_PREFERRED);
      if (act && !fresh) {
        if (valid != A6_FOREVER && valid <= sec) {
          // Why: RFC 2462 §5.5.4: at the end of its valid lifetime an address is removed.
          setState(i, e, 0);
          netifA6Remove(i, k);
          continue;
        }
        if (st == A6_PREFERRED && pref != A6_FOREVER && pref <= sec) {
          // Why: RFC 2462 §5.5.4: past its preferred lifetime an address is deprecated: still valid for
          // existing communication, not chosen for new.
          setState(i, e, A6_DEPRECATED);
          st = A6_DEPRECATED;
        }
      }
      if (valid != A6_FOREVER) d = min(d, <i64>valid * 1000);
      if (st == A6_PREFERRED && pref != A6_FOREVER) d = min(d, <i64>pref * 1000);
    }
  }
  timer = stackTimerArm(timer, TK_ADDR6, 0, d);
}

/** True when record `e` may be used as an address of ours (RFC 2462 §5.4: not tentative or duplicate;
 *  RFC 4429 §3.3: an Optimistic one, tentative, is). */
function usable(e: usize): bool {
  const st = <u32>load<u8>(e, R_STATE);
  return st - <u32>A6_PREFERRED < 2 || (MIP6 && st == A6_TENTATIVE && (load<u8>(e, R_FLAGS) & A6F_OPTIMISTIC) != 0); // PREFERRED or DEPRECATED
}

/** True when `a` is an Optimistic address of `iface` (RFC 4429: tentative, already in use). */
export function addr6Optimistic(iface: i32, a: usize): bool {
  const k = netifA6Find(iface, a);
  if (!MIP6 || k < 0) return false;
  const e = netifA6(iface, k);
  return load<u8>(e, R_STATE) == A6_TENTATIVE && (load<u8>(e, R_FLAGS) & A6F_OPTIMISTIC) != 0;
}

/**
 * The interface holding the usable address at `a`, or -1. A link-local address counts only on the
 * interface `iface` the packet came in by (RFC 4291 §2.5.6: link-local addresses are per link).
 */
export function addr6Ours(a: usize, iface: i32): i32 {
  if (iface >= 0 && addrIsLinkLocal6(a)) {
    const k = netifA6Find(iface, a);
    return k >= 0 && usable(netifA6(iface, k)) ? iface : -1;
  }
  for (let i = 0; i < netifCount(); i++) {
    const k = netifA6Find(i, a);
    if (k >= 0 && usable(netifA6(i, k))) return i;
  }
  return -1;
}

/**
 * True when `iface` listens to the multicast group at `g` (RFC 4291 §2.8: every node all-nodes
 * ff02::1 (and ff01::1), routers all-routers ff02::2, and the solicited-node group of each of its
 * addresses — tentative ones too, RFC 2462 §5.4.2).
 */
export function addr6IsMember(iface: i32, g: usize): bool {
  // ff0X::1 / ff0X::2 with X 1 (interface-local) or 2 (link-local).
  const b1 = load<u8>(g, 1);
  if ((b1 == 0x01 || b1 == 0x02) && load<u64>(g, 2) == 0 && load<u32>(g, 10) == 0 && load<u8>(g, 14) == 0) {
    const last = load<u8>(g, 15);
    if (last == 1) return true;
    if (last == 2) return (cfg.roles & cfg.ROLE_ROUTER) != 0;
  }
  // ff02::1:ffXX:XXXX
  if (addrIsSolicitedNode(g)) {
    for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
      const e = netifA6(iface, k);
      if (load<u8>(e, R_STATE) != A6_DUPLICATE && load<u8>(e, 13) == load<u8>(g, 13) && load<u16>(e, 14) == load<u16>(g, 14)) return true;
    }
  }
  // The groups configured (ipv6Groups; images with Mobile IPv6: stack/groups6.ts).
  return MIP6 && g6Member(iface, g);
}

/**
 * Choose a source for a packet to `dst` leaving by `iface` (-1: any) into `out` (simplified RFC 3484:
 * same scope first — link-local for a link-local or link-scoped multicast destination — then a
 * preferred address over a deprecated one, then the longest matching prefix). False when the node
 * has no usable address to send from.
 */
export function addr6Source(iface: i32, dst: usize, out: usize): bool {
  const wantLl = addrIsLinkLocal6(dst) || (addrIsMulticast6(dst) && (load<u8>(dst, 1) & 0x0f) <= 2);
  let best: usize = 0;
  let bestScore: i32 = -1;
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i) || (iface >= 0 && i != iface)) continue;
    for (let k = 0, n = netifAddrCount(i, true); k < n; k++) {
      const e = netifA6(i, k);
      if (!usable(e)) continue;
      const ll = addrIsLinkLocal6(e);
      let score = (ll == wantLl ? 1000 : 0) + (load<u8>(e, R_STATE) == A6_PREFERRED ? 500 : 0);
      score += commonPrefix(e, dst);
      if (score > bestScore) { bestScore = score; best = e; }
    }
  }
  if (best == 0) return false;
  addrCopy(out, best);
  return true;
}

function commonPrefix(a: usize, b: usize): i32 {
  for (let i = 0; i < 128; i += 8) {
    const x = load<u8>(a + <usize>(i >> 3)) ^ load<u8>(b + <usize>(i >> 3));
    if (x != 0) return i + <i32>clz<u32>(<u32>x) - 24;
  }
  return 128;
}

/** The first usable link-local address of `iface` into `out`; false when it has none (yet). */
export function addr6LinkLocal(iface: i32, out: usize): bool {
  const e = linkLocalRec(iface, true);
  if (e != 0) addrCopy(out, e);
  return e != 0;
}

/** True when `dst` is on the prefix of one of `iface`'s usable addresses (on-link, RFC 2461 §5.2). */
export function addr6OnLink(iface: i32, dst: usize): bool {
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    const pl = <i32>load<u8>(e, R_PLEN);
    // (A mobile node's home address says nothing about the link it is on: seed 003 §9.)
    if (usable(e) && pl > 0 && addrPrefixMatch(e, dst, pl) && (load<u8>(e, R_FLAGS) & (A6F_AUTOCONF | A6F_HOME)) == 0) return true;
  }
  return false;
}

/** The `k`-th address record of `iface` whose prefix it advertises (routers), or 0 past the last. */
export function addr6Advertised(iface: i32, k: i32): usize { return recWith(iface, A6F_ADVERTISE, k, false); }

/** True when `iface` advertises any prefix (a router sends Router Advertisements there). */
export function addr6AdvertisesOn(iface: i32): bool { return addr6Advertised(iface, 0) != 0; }

export { NETIF_V6_ADDRS };

/** The mobile node's home address (A6F_HOME, on any interface) into `out`: returns its interface | its
 *  prefix length << 8, or -1 when none is configured. */
export function addr6Home(out: usize): i32 {
  for (let i = 0; i < netifCount(); i++) {
    const e = recWith(i, A6F_HOME, 0, false);
    if (e != 0) { addrCopy(out, e); return i | (<i32>load<u8>(e, R_PLEN) << 8); }
  }
  return -1;
}

/** True when `a` is one of the mobile node's home addresses (A6F_HOME, any interface). */
export function addr6IsHome(a: usize): bool {
  for (let i = 0; i < netifCount(); i++) {
    const k = netifA6Find(i, a);
    if (k >= 0 && (load<u8>(netifA6(i, k), R_FLAGS) & A6F_HOME) != 0) return true;
  }
  return false;
}

/**
 * A usable address of `iface` formed by autoconfiguration outside the prefix of `home` (/`plen`): a
 * care-of address (seed 003 §9.3), into `out`; the newest such one (the current link's). False when none.
 */
export function addr6CareOf(iface: i32, home: usize, plen: i32, out: usize): bool {
  let found = false;
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    if ((load<u8>(e, R_FLAGS) & A6F_AUTOCONF) == 0 || !usable(e) || addrPrefixMatch(e, home, plen)) continue;
    addrCopy(out, e);
    found = true;
  }
  return found;
}

/** True when `iface` has a usable autoconfigured address in the prefix of `home` (/`plen`): the node is at home. */
export function addr6AtHome(iface: i32, home: usize, plen: i32): bool {
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    if ((load<u8>(e, R_FLAGS) & A6F_AUTOCONF) != 0 && usable(e) && addrPrefixMatch(e, home, plen)) return true;
  }
  return false;
}

/**
 * The valid lifetime (s) a home agent's home prefix is advertised with: the longest of the configured
 * addresses of `iface` whose prefix holds `a` (a static record keeps its advertised lifetimes; A6_FOREVER:
 * infinite), or 0 when none does (seed 003 §8.2, mobility/ha6.ts).
 */
export function addr6PrefixValid(iface: i32, a: usize): u32 {
  let best: u32 = 0;
  for (let k = 0, n = netifAddrCount(iface, true); k < n; k++) {
    const e = netifA6(iface, k);
    const pl = <i32>load<u8>(e, R_PLEN);
    if (pl > 0 && isStatic(e) && addrPrefixMatch(e, a, pl)) best = max<u32>(best, load<u32>(e, R_VALID));
  }
  return best;
}

/** The `k`-th address record of `iface` with a 64-bit prefix (any state), or 0 past the last: the prefixes
 *  an interface identifier makes addresses on (seed 003 §8.2, the ID Length). */
export function addr6Prefix64(iface: i32, k: i32): usize {
  for (let j = 0, n = netifAddrCount(iface, true); j < n; j++) {
    const e = netifA6(iface, j);
    if (<i32>load<u8>(e, R_PLEN) == 64 && k-- == 0) return e;
  }
  return 0;
}
