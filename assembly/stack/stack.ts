// The IPv4 stack's entry points, called by index.ts (the ABI adapter):
//   stackInit()             carve the timer heap, the ARP cache, pending pool and proxy table, the
//                           reassembly pool (reasm.ts); reset IP state
//   ethInput(iface, p, len) one received Ethernet frame at p (64 bytes of headroom in front)
//   ipOutput(p, len)        one IPv4 datagram from the local stack (see ip.ts)
//   stackTick(now)          run the due timers of the heap; returns the next deadline (i64 max if none)
//   stackLink(iface, up)    link state change
//   stackDump(table, i, out) one table record, little-endian (docs/abi.md "Dump records"):
//
//   table 0 interfaces (16 bytes; record i = i-th configured interface)
//     0 index u8 | 1 up u8 | 2 mac[6] | 8 ip u32 | 12 prefixLen u8 | 13 pad u8 | 14 mtu u16
//   table 1 routes (12 bytes; longest prefix first)
//     0 dest u32 | 4 prefixLen u8 | 5 iface u8 | 6 pad[2] | 8 gateway u32 (0 = on-link)
//   table 2 ARP cache (20 bytes; entries in use)
//     0 ip u32 | 4 mac[6] | 10 state u8 (1 incomplete, 2 reachable) | 11 iface u8 | 12 expiresAtMs i64
//   table 3 home agent bindings (28 bytes; one per care-of address of each binding; ha.ts haBindingDump via hooks.ts)
//     0 home u32 | 4 careOf u32 | 8 expiresAtMs i64 | 16 identification u64 | 24 lifetimeSec u16 |
//     26 flags u8 (S B D M G V) | 27 encapsulation u8 (1 IP in IP, 2 minimal, 4 GRE)
//   table 4 foreign agent visitors (44 bytes; fa.ts faVisitorDump via hooks.ts)
//     0 home u32 | 4 homeAgent u32 | 8 careOf u32 | 12 mac[6] | 18 iface u8 | 19 state u8 (1 pending,
//     2 accepted, 3 both) | 20 lifetimeSec u16 | 22 udpSourcePort u16 | 24 expiresAtMs i64 |
//     32 identification u64 | 40 colocated u8 | 41 requestFlags u8 | 42 pad[2]
//   table 5 interface aliases (8 bytes; interfaces with a second address, e.g. a co-located care-of)
//     0 iface u8 | 1 prefixLen u8 | 2 pad[2] | 4 address u32
// Tables 3 and 4 are empty on nodes without the home agent / foreign agent role.
//
// Frame flow (RFC 894): rx -> ethInput -> arpInput (arp.ts) | ipInput (ip.ts) -> local / forward ->
// linkSendIp (arp.ts) -> host.tx. Packets are never copied except into the pending pool while ARP
// resolves; headers are rewritten in place and the Ethernet header goes into the headroom.
//
// Timers: the stack has ONE timer heap (table/timer.ts), `stackTimers`, carved here with
// `config.timerEntries` capacity; every module that needs deadlines arms timers on it (stackTimerArm /
// stackTimerDisarm for a handle it keeps, stackTimerStart, or the timer.ts functions on `stackTimers`)
// with a `kind` from its own range and a `tag` of its choosing (usually its record index). stackTick pops each due timer (O(log timers), nothing is
// scanned) and hands it to its owner: TK_ARP to arp.ts, TK_REASM to ip.ts, every other kind to mobilityTimer
// (mobility/hooks.ts), which dispatches by range. Kinds (u16):
//   0x0000              never used (timerKind's answer for a stale handle)
//   0x0001-0x00ff       IPv4 stack and shared services:
//     0x0001            TK_ARP, the ARP cache's one timer (arp.ts)
//     0x0010-0x001f     agent advertisements (mobility/agent.ts)
//     0x0020-0x002f     DHCP client (stack/dhcp.ts)
//     0x0030            TK_REASM, one per reassembly slot with an incomplete datagram (reasm.ts)
//     others            free
//   0x0100-0x01ff       home agent (TK_HA_*)
//   0x0200-0x02ff       foreign agent (TK_FA_*)
//   0x0300-0x03ff       mobile node (TK_MN_*)
//   0x0400-0xffff       unassigned
// The ARP cache keeps one timer armed permanently (at TIMER_NEVER when idle), so the other owners
// share `config.timerEntries - 1` timers; a full heap makes timerStart return -1 (refuse the work).

import { C, count } from "../counters";
import { netifCount, MAX_IFACES, netifValid, netifUp, netifMac, netifIp, netifPrefixLen, netifMtu, netifAlias, netifAliasPrefixLen } from "./netif";
import { routeCount, routeEntry } from "./route";
import { arpInit, arpInput, arpTick, arpFlushIface, arpDump, TK_ARP } from "./arp";
import { ipInit, ipInput, ipReasmTimer } from "./ip";
import { reasmInit, TK_REASM } from "./reasm";
import { mobilityTimer, mobilityLink, mobilityDump } from "../mobility/hooks";
import { arenaAlloc } from "../mem";
import * as cfg from "../config";
import { TIMER_NEVER, timerBytes, timerInit, timerStart, timerCancel, timerRestart, timerPop, timerKind, timerTag, timerCount, timerNextDeadline } from "../table/timer";
import { ETH_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethCheck, ethDst, ethType, macEqual, macIsGroup, EthErr } from "../wire/ethernet";

export { ipOutput } from "./ip";
export { arpGratuitous, arpProxyAdd, arpProxyRemove, arpProxyCheck } from "./arp";

/** Kind ranges on stackTimers (see "Timers" above): first and last kind of each role (the stack's own
 *  range 0x0001-0x00ff is split between arp.ts, agent.ts and dhcp.ts by their TK_* constants). */
export const TK_HA_FIRST: u16 = 0x0100;
export const TK_HA_LAST: u16 = 0x01ff;
export const TK_FA_FIRST: u16 = 0x0200;
export const TK_FA_LAST: u16 = 0x02ff;
export const TK_MN_FIRST: u16 = 0x0300;
export const TK_MN_LAST: u16 = 0x03ff;

/** The stack's timer heap (timer.ts layout; 0 before stackInit); use it with the timer.ts functions. */
export let stackTimers: usize = 0;

/** Carve the stack's tables (after config pass 1). False when the memory budget ran out. */
export function stackInit(): bool {
  ipInit();
  const n = <u32>cfg.timerEntries;
  stackTimers = arenaAlloc(timerBytes(n));
  if (stackTimers != 0) timerInit(stackTimers, n);
  // ARP is carved even after a failure, so the refusal can say how many pages are needed.
  const arpOk = arpInit();
  const reasmOk = reasmInit();
  return stackTimers != 0 && arpOk && reasmOk;
}

/** Arm a timer of `kind` (the caller's own range) for `tag` at `deadlineMs`; its handle, or -1 if all are armed. */
export function stackTimerStart(kind: u16, tag: u32, deadlineMs: i64): i32 {
  return timerStart(stackTimers, tag, kind, deadlineMs);
}

/** Disarm timer `h` of stackTimers; false if it already fired or was cancelled. */
export function stackTimerCancel(h: i32): bool { return timerCancel(stackTimers, h); }

/** Move armed timer `h` of stackTimers to `deadlineMs`; false if it is not armed. */
export function stackTimerRestart(h: i32, deadlineMs: i64): bool { return timerRestart(stackTimers, h, deadlineMs); }

/**
 * Make a timer due at `deadlineMs`: armed `h` (≥ 0) is moved there, keeping its handle, kind and tag;
 * otherwise (-1, fired or cancelled) a new one of `kind` for `tag` is started. Returns the handle to
 * keep, -1 when the heap is full.
 */
export function stackTimerArm(h: i32, kind: u16, tag: u32, deadlineMs: i64): i32 {
  if (h >= 0 && timerRestart(stackTimers, h, deadlineMs)) return h;
  return timerStart(stackTimers, tag, kind, deadlineMs);
}

/** Cancel timer `h` if it is still armed (-1 or a stale handle: nothing happens); returns -1 to store in its place. */
export function stackTimerDisarm(h: i32): i32 {
  if (h >= 0) timerCancel(stackTimers, h);
  return -1;
}

/** Process one received Ethernet frame of `len` bytes at `p` on `iface`. Returns 0 used, 1 dropped. */
export function ethInput(iface: i32, p: usize, len: i32): i32 {
  if (ethCheck(p, len) != EthErr.OK) { count(C.DROP_TOO_SHORT); return 1; }
  const dst = ethDst(p);
  const group = macIsGroup(dst);
  // Why: IEEE 802.3 / RFC 894: a station accepts its own unicast address and group addresses; the
  // IP layer filters multicast groups it does not want.
  if (!group && !macEqual(dst, netifMac(iface))) { count(C.DROP_NOT_FOR_US); return 1; }
  const t = ethType(p);
  const q = p + <usize>ETH_HEADER_LEN;
  if (t == ETHERTYPE_IPV4) return ipInput(iface, q, len - ETH_HEADER_LEN, group);
  if (t == ETHERTYPE_ARP) return arpInput(iface, q, len - ETH_HEADER_LEN);
  count(C.DROP_ETHERTYPE);
  return 1;
}

/** Run the timers due at `now`, earliest first; returns the next deadline in ms (i64 max when there is none). */
export function stackTick(now: i64): i64 {
  const w = stackTimers;
  if (w == 0) return TIMER_NEVER;
  // At most as many pops as timers were armed on entry: a handler that re-arms at or before `now`
  // is run again by the next call (the returned deadline says so at once), never looped on here.
  for (let n = timerCount(w); n > 0; n--) {
    const h = timerPop(w, now);
    if (h < 0) break;
    const kind = timerKind(w, h);
    if (kind == TK_ARP) arpTick(now);
    else if (kind == TK_REASM) ipReasmTimer(timerTag(w, h));
    else mobilityTimer(kind, timerTag(w, h), now);
  }
  return timerNextDeadline(w);
}

/** Link of `iface` went up or down. Down: its ARP entries and waiting frames are dropped. Then the roles hear of it. */
export function stackLink(iface: i32, up: bool): void {
  if (!up) arpFlushIface(iface);
  mobilityLink(iface, up);
}

/** Write record `index` of `table` to `out` (layouts above); returns its length or -1 past the end. */
export function stackDump(table: i32, index: i32, out: usize): i32 {
  if (index < 0) return -1;
  if (table == 0) {
    let k = 0;
    for (let i = 0; i < netifCount(); i++) {
      if (!netifValid(i) || k++ != index) continue;
      store<u8>(out, <u8>i, 0);
      store<u8>(out, netifUp(i) ? 1 : 0, 1);
      memory.copy(out + 2, netifMac(i), 6);
      store<u32>(out, netifIp(i), 8);
      store<u8>(out, netifPrefixLen(i), 12);
      store<u8>(out, 0, 13);
      store<u16>(out, <u16>netifMtu(i), 14);
      return 16;
    }
    return -1;
  }
  if (table == 1) {
    if (index >= routeCount()) return -1;
    const e = routeEntry(index);
    store<u32>(out, load<u32>(e, 0), 0);   // dest
    store<u8>(out, load<u8>(e, 8), 4);     // prefixLen
    store<u8>(out, load<u8>(e, 9), 5);     // iface
    store<u16>(out, 0, 6);
    store<u32>(out, load<u32>(e, 4), 8);   // gateway
    return 12;
  }
  if (table == 2) return arpDump(index, out);
  if (table == 3 || table == 4) return mobilityDump(table, index, out);
  if (table == 5) {
    // At most MAX_IFACES interfaces: a scan per record is as cheap as a cursor.
    let k = 0;
    for (let i = 0; i < netifCount(); i++) {
      if (!netifValid(i) || netifAlias(i) == 0 || k++ != index) continue;
      store<u8>(out, <u8>i, 0);
      store<u8>(out, netifAliasPrefixLen(i), 1);
      store<u16>(out, 0, 2);
      store<u32>(out, netifAlias(i), 4);
      return 8;
    }
    return -1;
  }
  return -1;
}
