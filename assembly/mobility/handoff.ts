// Smooth handoff at a foreign agent (001 §3.2, §8.1; issue 10.5 and 10.10): the buffer pool that
// holds datagrams for a visitor whose station left its access point, the Binding Update a new
// foreign agent sends on a mobile node's behalf, and the tunnel exit by which a previous foreign
// agent re-tunnels what still arrives for a visitor that moved.
//
//   hoPut(home, p, len, now)   hold one datagram (fa.ts, while the visitor's station is away):
//     copied into a free pool frame with the one headroom budget in front (stack/packet.ts), kept
//     until `now + holdMs`; none free or too large -> dropped (DROP_HO_FULL)
//   hoRelease(home, fn)        the station came back: its datagrams, oldest first, to `fn` (delivery)
//   hoTimer(now)               after a Binding Update made a cache entry for a held home address, its
//     datagrams go out oldest first by the route decision (the binding cache's tunnel to the new
//     care-of address, 001 §8.1); datagrams past their hold time are dropped (DROP_HO_TIMEOUT)
//   hoExit(...)                tunnel exit after the foreign agent's: a datagram tunnelled to us for a
//     home address that has a cache entry and no visitor is re-tunnelled (001 §3.2 "re-tunneled to
//     the mobile node's new care-of address"), behind any still held for it (order kept)
//   hoSendPfanBu(...)          the new foreign agent's Binding Update to the previous one (001 §8.1)
//
// Pool (carved at init only when route optimization and smooth handoff are on, board
// `handoffBufferFrames` frames): frame i at pool + i * STRIDE, datagram at + HEADROOM; meta i at
// meta + i * 24: home u32 | len u16 | used u8 | pad u8 | seq u32 | pad u32 | until i64.
// Why a pool and not a queue per visitor: 004 names buffering as what makes a handoff smooth but no
// size; one bounded per-board pool (sizes from the board profile) serves whichever visitors move,
// first come first served: a datagram that finds it full is dropped (docs/decisions.md). Released
// datagrams are paced (HO_BURST a millisecond) so they do not overrun the next link's queue.

import { drSend } from "./coa";
import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc, arenaFailed } from "../mem";
import { pktBuffers } from "../stack/packet";
import { ipSend, ipNextIdent } from "../stack/ip";
import { stackTimerArm, OWNER_FA } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import { ipv4Dst, IPV4_MIN_HEADER } from "../wire/ipv4";
import { udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import { MIP_PORT } from "../wire/registration";
import { pfanBuEmit, pfanPrevFa } from "../wire/ro";
import { bcachePeek } from "./bcache";
import { roSourceFor } from "./ro";

/** Timer kind of the pool (tag 0), in the foreign agent's range (fa.ts faTimer hands it here). */
export const TK_FA_HOLD: u16 = (OWNER_FA << 8) + 1;

const META: usize = 24;
const M_HOME: usize = 0;
const M_LEN: usize = 4;
const M_USED: usize = 6;
const M_SEQ: usize = 8;
const M_UNTIL: usize = 16;

let pool: usize = 0;
let meta: usize = 0;
let frames: i32 = 0;
let stride: usize = 0;
let held: i32 = 0;
let seq: u32 = 0;
let timer: i32 = -1;
/** Held datagrams re-tunnelled per millisecond at most (hoTimer). */
const HO_BURST: i32 = 16;

// The Binding Update a new foreign agent sends: IP header after the one headroom budget.
const TX_CAP: i32 = 160;
const txBuf: usize = memory.data(cfg.HEADROOM + TX_CAP, 16);

/** Carve the pool (board handoffBufferFrames frames of frameBytes) when RO and smooth handoff are on. False when memory ran out. */
export function hoInit(): void {
  pool = 0; meta = 0; frames = 0; held = 0; seq = 0; timer = -1;
  if (!cfg.roEnabled || !cfg.roSmoothHandoff) return;
  pktBuffers(txBuf, 1, <usize>(cfg.HEADROOM + TX_CAP));
  const n = cfg.handoffBufferFrames();
  if (n <= 0) return;
  stride = <usize>(cfg.HEADROOM + cfg.frameBytes);
  pool = arenaAlloc(<usize>n * stride);
  meta = arenaAlloc(<usize>n * META);
  // (Out of memory: init fails; frames stays 0, so nothing is held in a part-carved pool.)
  if (arenaFailed()) return;
  // (meta comes zeroed from the arena: mem.ts.)
  frames = n;
  pktBuffers(pool, n, stride);
}

/** Frames the pool has (0: no holding). */
export function hoCapacity(): i32 { return frames; }
/** Frames held now (all visitors). */
export function hoHeldCount(): i32 { return held; }

// @ts-ignore: decorator
@inline function frameAt(i: i32): usize { return pool + <usize>i * stride + <usize>cfg.HEADROOM; }
function metaAt(i: i32): usize { return meta + <usize>i * META; }

function arm(): void {
  let at = TIMER_NEVER;
  for (let i = 0; i < frames && held > 0; i++) {
    const m = metaAt(i);
    if (load<u8>(m, M_USED) != 0 && load<i64>(m, M_UNTIL) < at) at = load<i64>(m, M_UNTIL);
  }
  if (at != TIMER_NEVER) timer = stackTimerArm(timer, TK_FA_HOLD, 0, at);
}

/** Run the pool's timer now (next tick): after a Binding Update made a cache entry for a held address. */
export function hoKick(): void { if (held > 0) timer = stackTimerArm(timer, TK_FA_HOLD, 0, nowMs()); }

/**
 * Hold the `len`-byte datagram at `p` for `home` until `now + roHoldMs`. 0 held; 1 dropped (counted:
 * no free frame, or larger than a frame).
 */
export function hoPut(home: u32, p: usize, len: i32, now: i64): i32 {
  if (frames == 0 || len > cfg.frameBytes || held >= frames) { count(C.DROP_HO_FULL); return 1; }
  let i = 0;
  while (load<u8>(metaAt(i), M_USED) != 0) i++;
  const m = metaAt(i);
  memory.copy(frameAt(i), p, <usize>len);
  store<u32>(m, home, M_HOME);
  store<u16>(m, <u16>len, M_LEN);
  store<u8>(m, 1, M_USED);
  store<u32>(m, seq++, M_SEQ);
  store<i64>(m, now + <i64>cfg.roHoldMs(), M_UNTIL);
  const first = held == 0;
  held++;
  count(C.HO_HELD);
  if (first) arm();
  return 0;
}

/** The oldest frame held for `home` (any home when `any`) younger than `cur` when `have`, or -1. */
function oldest(home: u32, any: bool, have: bool = false, cur: u32 = 0): i32 {
  let best = -1;
  let bestSeq: u32 = 0;
  for (let i = 0; i < frames; i++) {
    const m = metaAt(i);
    if (load<u8>(m, M_USED) == 0 || (!any && load<u32>(m, M_HOME) != home)) continue;
    const s = load<u32>(m, M_SEQ);
    if (have && <i32>(s - cur) <= 0) continue;
    if (best < 0 || <i32>(s - bestSeq) < 0) { best = i; bestSeq = s; }
  }
  return best;
}

/** Free frame `i`, counting why (`c`: released or timed out). */
function free(i: i32, c: C): void { store<u8>(metaAt(i), 0, M_USED); held--; count(c); }

/** Deliver function for hoRelease: the datagram at `p` (`len` bytes, room in front). */
export type HoDeliver = (p: usize, len: i32) => i32;

/** The station of `home` came back: its held datagrams, oldest first, go to `fn`. Returns how many. */
export function hoRelease(home: u32, fn: HoDeliver): i32 {
  let n = 0;
  for (let i = -1; (i = oldest(home, false)) >= 0;) {
    const len = <i32>load<u16>(metaAt(i), M_LEN);
    free(i, C.HO_RELEASED);
    fn(frameAt(i), len);
    n++;
  }
  return n;
}

/** Drop what is held for `home` (counted as timed out: the visitor is gone and nothing will take it). */
export function hoDrop(home: u32): void {
  for (let i = -1; (i = oldest(home, false)) >= 0;) free(i, C.DROP_HO_TIMEOUT);
}

/**
 * The pool's timer: held datagrams whose home address has a binding cache entry now (a Binding
 * Update moved the visitor, 001 §8.1) go out, oldest first, by the route decision — the cache's
 * tunnel to the new care-of address; those past their hold time are dropped (counted).
 */
export function hoTimer(kind: u16, now: i64): void {
  if (kind != TK_FA_HOLD) return;
  timer = -1;
  let have = false;
  let cur: u32 = 0;
  let sent = 0;
  // (One oldest call: without `have` it is oldest(0, true).)
  for (let i = -1; (i = oldest(0, true, have, cur)) >= 0;) {
    const m = metaAt(i);
    have = true;
    cur = load<u32>(m, M_SEQ);
    if (bcachePeek(load<u32>(m, M_HOME)) != 0) {
      // Why: a whole pool sent at once overran the next access point's transmit queue (emulator: 57
      // of 255 re-tunnelled datagrams dropped by a 64-frame cell queue); HO_BURST a millisecond is
      // 16 times a 1,000 packets/s stream and drains a full emulated pool in 16 ms.
      if (sent == HO_BURST) { timer = stackTimerArm(timer, TK_FA_HOLD, 0, now + 1); return; }
      sent++;
      // Why: 001 §3.2: datagrams in flight are forwarded to the new care-of address — in order.
      const len = <i32>load<u16>(m, M_LEN);
      free(i, C.HO_RELEASED);
      ipSend(frameAt(i), len);
    } else if (load<i64>(m, M_UNTIL) <= now) {
      // Why: issue 10.10: held until the Binding Update or the hold time, then dropped and counted.
      free(i, C.DROP_HO_TIMEOUT);
    }
  }
  arm();
}

/**
 * Tunnel exit at a previous foreign agent (after the foreign agent's own): while datagrams are still
 * held for the inner destination (its binding cache entry arrived, the held ones are being sent on
 * in order), a datagram tunnelled to us for it joins them, so the order is kept. -1 otherwise: the
 * forwarding pointer itself (re-tunnel by the cache, Binding Warning) is ro.ts roExit (001 §3.2, §8.1).
 */
export function hoExit(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 {
  if (held == 0) return -1;
  const home = ipv4Dst(inner);
  if (oldest(home, false) < 0) return -1; // nothing held for it
  return hoPut(home, inner, ilen, nowMs());
}

/**
 * The new foreign agent's Binding Update (001 §8.1) for the Registration Request at `req` with the
 * PFAN extension at `pfan`: built by wire/ro.ts pfanBuEmit (A set; the mobile node's SPI and
 * authenticator), sent once from our address towards the previous foreign agent, UDP 434 -> 434.
 */
export function hoSendPfanBu(req: usize, pfan: usize): bool {
  const prev = pfanPrevFa(pfan);
  const ip = txBuf + <usize>cfg.HEADROOM;
  const msg = ip + <usize>(IPV4_MIN_HEADER + UDP_HEADER_LEN);
  const n = pfanBuEmit(msg, TX_CAP - IPV4_MIN_HEADER - UDP_HEADER_LEN, req, pfan);
  if (n <= 0) return false;
  if (!drSend(ip, roSourceFor(prev), prev, MIP_PORT, n)) return false;
  count(C.RO_PFAN_BU_TX);
  return true;
}
