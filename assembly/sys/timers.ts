// The node's one timer heap (table/timer.ts) and the table of its owners.
//
// Every module that needs deadlines arms timers on `stackTimers` (stackTimerArm / stackTimerDisarm for
// a handle it keeps, stackTimerStart, or the timer.ts functions on `stackTimers`) with a `kind` from
// its own range and a `tag` of its choosing (usually its record index). A kind's high byte names its
// owner; each owner registers one handler at init (timerOwn), and timersRun hands every due timer to
// the handler of its owner. So this file knows no module above it: the stack and the mobility roles
// register themselves (Why: one-way layering, docs/decisions.md "Core v2").
//
// Owners (kind >> 8; an owner's kinds are `OWNER << 8` + 0..255) and their modules:
//   0x00  never used (timerKind's answer for a stale handle is 0)
//   0x01  OWNER_NEIGHBOR  the neighbour cache's one timer (stack/arp.ts)
//   0x02  OWNER_REASM     one per reassembly slot with an incomplete datagram (stack/reasm.ts)
//   0x03  OWNER_DHCP      DHCP client, one per interface (app/dhcp.ts)
//   0x04  OWNER_AGENT     agent advertisements (mobility/agent.ts)
//   0x05  OWNER_HA        home agent (mobility/ha.ts)
//   0x06  OWNER_FA        foreign agent (mobility/fa.ts)
//   0x07  OWNER_MN        mobile node (mobility/mn.ts)
//   0x08  OWNER_RO        route optimization: the binding cache's one timer (mobility/ro.ts)
//   0x09  OWNER_RS        registration server: one per registration (mobility/rs.ts)
//   0x0a  OWNER_COA       care-of agent: the binding routes' one timer (mobility/coa.ts)
//   0x0b  OWNER_ND        IPv6: addresses (stack/addr6.ts), router/prefix lists and advertisements (stack/nd.ts)
//   0x0c  OWNER_MIP6      Mobile IPv6: the Binding Cache's one timer (mobility/mip6.ts)
//   0x0d  OWNER_HA6       Mobile IPv6 home agent: gratuitous advertisements (mobility/ha6.ts)
//   0x0e  OWNER_MN6       Mobile IPv6 mobile node: movement check and Binding Update retransmission (mobility/mn6.ts)
//   0x0f  OWNER_MLD6      Multicast Listener Reports of the groups joined (stack/mld6.ts; images with Mobile IPv6)
// The neighbour cache keeps one timer armed permanently (at TIMER_NEVER when idle), so the other owners
// share `config.timerEntries - 1` timers; a full heap makes timerStart return -1 (refuse the work).

import { arenaAlloc } from "../mem";
import * as cfg from "../config";
import { TIMER_NEVER, timerBytes, timerInit, timerStart, timerCancel, timerRestart, timerPopRecord, timerRecordKind, timerRecordTag, timerCount, timerNextDeadline } from "../table/timer";

/** A timer of `kind` armed for `tag` is due (`now` ms). */
export type TimerHandler = (kind: u16, tag: u32, now: i64) => void;

export const OWNER_NEIGHBOR: u16 = 1;
export const OWNER_REASM: u16 = 2;
export const OWNER_DHCP: u16 = 3;
export const OWNER_AGENT: u16 = 4;
export const OWNER_HA: u16 = 5;
export const OWNER_FA: u16 = 6;
export const OWNER_MN: u16 = 7;
export const OWNER_RO: u16 = 8;
export const OWNER_RS: u16 = 9;
export const OWNER_COA: u16 = 10;
export const OWNER_ND: u16 = 11;
export const OWNER_MIP6: u16 = 12;
export const OWNER_HA6: u16 = 13;
export const OWNER_MN6: u16 = 14;
export const OWNER_MLD6: u16 = 15;
const MAX_OWNERS: u16 = 16;

export const owners: usize = memory.data(<i32>MAX_OWNERS * 4, 4);

/** The node's timer heap (timer.ts layout; 0 before timersInit); use it with the timer.ts functions. */
export let stackTimers: usize = 0;

/** Forget every owner and carve the heap (`config.timerEntries`). False when the memory budget ran out. */
export function timersInit(): bool {
  memory.fill(owners, 0, <usize>MAX_OWNERS * 4);
  const n = <u32>cfg.timerEntries();
  stackTimers = arenaAlloc(timerBytes(n));
  if (stackTimers != 0) timerInit(stackTimers, n);
  return stackTimers != 0;
}

/** Register `fn` for every timer whose kind's high byte is `owner` (at init, once per owner). */
export function timerOwn(owner: u16, fn: TimerHandler): void {
  if (owner < MAX_OWNERS) store<usize>(owners + (<usize>owner << 2), changetype<usize>(fn));
}

/** Arm a timer of `kind` (the caller's own range) for `tag` at `deadlineMs`; its handle, or -1 if all are armed. */
export function stackTimerStart(kind: u16, tag: u32, deadlineMs: i64): i32 {
  return timerStart(stackTimers, tag, kind, deadlineMs);
}

/** Disarm timer `h`; false if it already fired or was cancelled. */
export function stackTimerCancel(h: i32): bool { return timerCancel(stackTimers, h); }

/** Move armed timer `h` to `deadlineMs`; false if it is not armed. */
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

/** Run the timers due at `now`, earliest first; returns the next deadline in ms (i64 max when there is none). */
export function timersRun(now: i64): i64 {
  const w = stackTimers;
  if (w == 0) return TIMER_NEVER;
  // At most as many pops as timers were armed on entry: a handler that re-arms at or before `now`
  // is run again by the next call (the returned deadline says so at once), never looped on here.
  for (let n = timerCount(w); n > 0; n--) {
    const r = timerPopRecord(w, now);
    if (r == 0) break;
    const kind = timerRecordKind(r);
    const owner = kind >> 8;
    if (owner >= MAX_OWNERS) continue;
    const fn = load<usize>(owners + (<usize>owner << 2));
    if (fn != 0) changetype<TimerHandler>(fn)(kind, timerRecordTag(r), now);
  }
  return timerNextDeadline(w);
}
