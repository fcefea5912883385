// Timers: a fixed binary min-heap in caller memory (timerBytes(capacity) bytes at `w`), ordered by
// (deadline, start sequence) so timers with equal deadlines fire first-in first-out.
//
// Why a heap and not a hashed timer wheel (DESIGN.md §4 allows either):
// - `tick` must return the next deadline so a board can sleep (DESIGN.md §3): the heap has it at the
//   root in O(1); a wheel has to scan buckets for it.
// - Time may jump by days (a board that slept, a simulator that skips ahead): the heap pops every due
//   timer in exact deadline order without walking empty buckets; a wheel needs overflow handling and
//   only orders to its tick granularity.
// - Deadlines are exact i64 ms and ordering is deterministic, which the simulator's reproducible
//   traces rely on. Cost: O(log n) start/cancel/pop — 16 levels at 65,536 timers.
//
// Handles: record index in the low `idxBits` bits, a generation counter above (31 - idxBits bits,
// bumped each time a record is reused), so cancelling a handle that already fired or was cancelled
// is a safe no-op even after its record was given to a new timer (until the generation wraps).
//
// 32-bit tick sources (ESP32's millisecond counter wraps every 49.7 days): widen each reading with
// tickExtend() and use i64 deadlines here; timeBefore()/timeAfter() compare raw u32 ticks wrap-safely.
//
// Layout:
//   header TIMER_HEADER_SIZE: capacity u32 | count u32 | free u32 | idxBits u32 | seq u64 |
//                             poppedDeadline i64 | heap ptr | records ptr
//   heap    capacity × 24: deadline i64 | seq u64 | record index u32 | pad u32
//   records capacity × 16: tag u32 | kind u16 | state u16 | gen u32 | heap position (armed) or next free u32

/** Bytes of the header at the start of a timer set. */
export const TIMER_HEADER_SIZE: usize = 40;
/** Largest accepted capacity. */
export const TIMER_MAX_CAPACITY: u32 = 1 << 24;
/**
 * Returned by timerNextDeadline when no timer is armed; every table's "no deadline". Never changes.
 * Why (size): a `let` written once in timerInit, not a `const`: Binaryen folds a constant global back
 * into each use, and `i64.const i64.MAX_VALUE` is 11 bytes where `global.get` is 2-3 (-263 B over ~40 uses).
 */
export let TIMER_NEVER: i64 = i64.MAX_VALUE;

const W_CAPACITY: usize = 0;
const W_COUNT: usize = 4;
const W_FREE: usize = 8;
const W_IDX_BITS: usize = 12;
const W_SEQ: usize = 16;
const W_POPPED_DEADLINE: usize = 24;
const W_HEAP: usize = 32;
const W_RECS: usize = 36;

const HEAP_ENTRY: usize = 24;
const E_DEADLINE: usize = 0;
const E_SEQ: usize = 8;
const E_IDX: usize = 16;

const REC_SIZE: usize = 16;
const R_TAG: usize = 0;
const R_KIND: usize = 4;
const R_STATE: usize = 6;
const R_GEN: usize = 8;
const R_LINK: usize = 12; // heap position while armed, next free record while free

const ST_FREE: u16 = 0;
const ST_ARMED: u16 = 1;
const NONE: u32 = 0xffffffff;

/** Bytes to reserve for a timer set of `capacity` timers (header included); 0 if out of range. */
export function timerBytes(capacity: u32): usize {
  if (capacity > TIMER_MAX_CAPACITY) return 0;
  return TIMER_HEADER_SIZE + <usize>capacity * (HEAP_ENTRY + REC_SIZE);
}

/** Set up an empty timer set of `capacity` timers at `w` (timerBytes(capacity) bytes); false if out of range. */
export function timerInit(w: usize, capacity: u32): bool {
  if (capacity > TIMER_MAX_CAPACITY) return false;
  TIMER_NEVER = i64.MAX_VALUE; // the one write (see TIMER_NEVER)
  // Header, heap and records 0 (count, sequence, popped deadline, free list head; every record free:
  // ST_FREE 0, tag, kind and generation 0), then what is not 0.
  memory.fill(w, 0, TIMER_HEADER_SIZE + <usize>capacity * (HEAP_ENTRY + REC_SIZE));
  store<u32>(w, capacity, W_CAPACITY);
  store<u32>(w, capacity <= 1 ? 0 : 32 - clz<u32>(capacity - 1), W_IDX_BITS);
  store<usize>(w, w + TIMER_HEADER_SIZE, W_HEAP);
  const recs = w + TIMER_HEADER_SIZE + <usize>capacity * HEAP_ENTRY;
  store<usize>(w, recs, W_RECS);
  // Each record linked to the next.
  for (let i: u32 = 0; i < capacity; i++) store<u32>(recs + <usize>i * REC_SIZE, i + 1 < capacity ? i + 1 : NONE, R_LINK);
  if (capacity == 0) store<u32>(w, NONE, W_FREE);
  return true;
}

// @ts-ignore: decorator
@inline function rec(w: usize, idx: u32): usize { return load<usize>(w, W_RECS) + <usize>idx * REC_SIZE; }
// @ts-ignore: decorator
@inline function ent(w: usize, pos: u32): usize { return load<usize>(w, W_HEAP) + <usize>pos * HEAP_ENTRY; }

/** Heap order: earlier deadline first; equal deadlines by start sequence (FIFO). */
// @ts-ignore: decorator
@inline function less(a: usize, b: usize): bool {
  const da = load<i64>(a, E_DEADLINE), db = load<i64>(b, E_DEADLINE);
  return da < db || (da == db && load<u64>(a, E_SEQ) < load<u64>(b, E_SEQ));
}

/** Write entry (d, s, idx) at heap position `pos` and record the position in the timer's record. */
function place(w: usize, pos: u32, d: i64, s: u64, idx: u32): void {
  const e = ent(w, pos);
  store<i64>(e, d, E_DEADLINE);
  store<u64>(e, s, E_SEQ);
  store<u32>(e, idx, E_IDX);
  store<u32>(rec(w, idx), pos, R_LINK);
}

/** Move the entry (d, s, idx) from hole `pos` toward the root until its parent is not later. */
function siftUp(w: usize, pos: u32, d: i64, s: u64, idx: u32): void {
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    const pe = ent(w, parent);
    const pd = load<i64>(pe, E_DEADLINE);
    if (pd < d || (pd == d && load<u64>(pe, E_SEQ) < s)) break;
    place(w, pos, pd, load<u64>(pe, E_SEQ), load<u32>(pe, E_IDX));
    pos = parent;
  }
  place(w, pos, d, s, idx);
}

/** Move the entry (d, s, idx) from hole `pos` toward the leaves until no child is earlier. */
function siftDown(w: usize, pos: u32, d: i64, s: u64, idx: u32): void {
  const n = load<u32>(w, W_COUNT);
  while (true) {
    let c: u32 = 2 * pos + 1;
    if (c >= n) break;
    if (c + 1 < n && less(ent(w, c + 1), ent(w, c))) c++;
    const ce = ent(w, c);
    const cd = load<i64>(ce, E_DEADLINE);
    if (d < cd || (d == cd && s < load<u64>(ce, E_SEQ))) break;
    place(w, pos, cd, load<u64>(ce, E_SEQ), load<u32>(ce, E_IDX));
    pos = c;
  }
  place(w, pos, d, s, idx);
}

/** Take the entry at heap position `pos` out of the heap (count shrinks by one). */
function heapRemove(w: usize, pos: u32): void {
  const n = load<u32>(w, W_COUNT) - 1;
  store<u32>(w, n, W_COUNT);
  if (pos == n) return;
  const last = ent(w, n);
  const d = load<i64>(last, E_DEADLINE);
  const s = load<u64>(last, E_SEQ);
  const idx = load<u32>(last, E_IDX);
  // The last entry fills the hole; it may belong above or below it.
  if (pos > 0 && less(last, ent(w, (pos - 1) >> 1))) siftUp(w, pos, d, s, idx);
  else siftDown(w, pos, d, s, idx);
}

/** Put record `idx` back on the free list; its tag and kind stay readable until it is reused. */
// @ts-ignore: decorator
@inline function release(w: usize, idx: u32): void {
  const r = rec(w, idx);
  store<u16>(r, ST_FREE, R_STATE);
  store<u32>(r, load<u32>(w, W_FREE), R_LINK);
  store<u32>(w, idx, W_FREE);
}

// @ts-ignore: decorator
@inline function genMask(w: usize): u32 { return <u32>(0x7fffffff >>> load<u32>(w, W_IDX_BITS)); }

/** Record index of `h` if its generation is current (armed or not yet reused), else -1. */
function current(w: usize, h: i32): i32 {
  if (h < 0) return -1;
  const bits = load<u32>(w, W_IDX_BITS);
  const idx = <u32>h & ((<u32>1 << bits) - 1);
  if (idx >= load<u32>(w, W_CAPACITY)) return -1;
  if (load<u32>(rec(w, idx), R_GEN) != (<u32>h >>> bits)) return -1;
  return <i32>idx;
}

/**
 * Arm a timer for owner `tag` and `kind` at `deadlineMs` (host ms, i64); returns its handle (≥ 0), or -1
 * when all `capacity` timers are armed (the caller counts it and refuses the work needing the timer).
 */
export function timerStart(w: usize, tag: u32, kind: u16, deadlineMs: i64): i32 {
  const idx = load<u32>(w, W_FREE);
  if (idx == NONE) return -1;
  const r = rec(w, idx);
  store<u32>(w, load<u32>(r, R_LINK), W_FREE);
  const gen = (load<u32>(r, R_GEN) + 1) & genMask(w);
  store<u32>(r, gen, R_GEN);
  store<u32>(r, tag, R_TAG);
  store<u16>(r, kind, R_KIND);
  store<u16>(r, ST_ARMED, R_STATE);
  const s = load<u64>(w, W_SEQ);
  store<u64>(w, s + 1, W_SEQ);
  const n = load<u32>(w, W_COUNT);
  store<u32>(w, n + 1, W_COUNT);
  siftUp(w, n, deadlineMs, s, idx);
  return <i32>((gen << load<u32>(w, W_IDX_BITS)) | idx);
}

/** Disarm timer `h`; false (and nothing changes) if it already fired, was cancelled, or is not a handle. */
export function timerCancel(w: usize, h: i32): bool {
  const idx = current(w, h);
  if (idx < 0) return false;
  const r = rec(w, <u32>idx);
  if (load<u16>(r, R_STATE) != ST_ARMED) return false;
  heapRemove(w, load<u32>(r, R_LINK));
  release(w, <u32>idx);
  return true;
}

/** Move armed timer `h` to `deadlineMs`, keeping its handle; it queues behind timers already at that deadline. */
export function timerRestart(w: usize, h: i32, deadlineMs: i64): bool {
  const idx = current(w, h);
  if (idx < 0) return false;
  const r = rec(w, <u32>idx);
  if (load<u16>(r, R_STATE) != ST_ARMED) return false;
  const s = load<u64>(w, W_SEQ);
  store<u64>(w, s + 1, W_SEQ);
  const pos = load<u32>(r, R_LINK);
  const old = load<i64>(ent(w, pos), E_DEADLINE);
  // A later key can only need to go down, an earlier one only up.
  if (deadlineMs < old) siftUp(w, pos, deadlineMs, s, <u32>idx);
  else siftDown(w, pos, deadlineMs, s, <u32>idx);
  return true;
}

/** Earliest armed deadline, or TIMER_NEVER (i64.MAX_VALUE) if none: when `tick` must run next. */
export function timerNextDeadline(w: usize): i64 {
  if (load<u32>(w, W_COUNT) == 0) return TIMER_NEVER;
  return load<i64>(ent(w, 0), E_DEADLINE);
}

/**
 * The earliest timer due at `nowMs` (deadline ≤ nowMs), disarmed, as a handle; -1 if none is due.
 * Call until -1: timers come out in deadline order, FIFO among equal deadlines. Read its tag/kind
 * before starting new timers (a new timer may reuse the record).
 */
export function timerPop(w: usize, nowMs: i64): i32 {
  const r = timerPopRecord(w, nowMs);
  if (r == 0) return -1;
  const idx = <u32>((r - load<usize>(w, W_RECS)) / REC_SIZE);
  return <i32>((load<u32>(r, R_GEN) << load<u32>(w, W_IDX_BITS)) | idx);
}

/**
 * timerPop without the handle: the popped timer's record (timerRecordTag / timerRecordKind read it
 * until a new timer is started), or 0 if none is due. Why (size): the node's timer loop (sys/timers.ts)
 * needs the tag and kind only, and a handle would be checked again by each accessor.
 */
export function timerPopRecord(w: usize, nowMs: i64): usize {
  if (load<u32>(w, W_COUNT) == 0) return 0;
  const top = ent(w, 0);
  const d = load<i64>(top, E_DEADLINE);
  if (d > nowMs) return 0;
  const idx = load<u32>(top, E_IDX);
  heapRemove(w, 0);
  release(w, idx);
  store<i64>(w, d, W_POPPED_DEADLINE);
  return rec(w, idx);
}
/** Tag of the record timerPopRecord returned. */
// @ts-ignore: decorator
@inline export function timerRecordTag(r: usize): u32 { return load<u32>(r, R_TAG); }
/** Kind of the record timerPopRecord returned. */
// @ts-ignore: decorator
@inline export function timerRecordKind(r: usize): u16 { return load<u16>(r, R_KIND); }

/** Deadline of the timer most recently returned by timerPop (lateness = now - this). */
export function timerPoppedDeadline(w: usize): i64 { return load<i64>(w, W_POPPED_DEADLINE); }

/** Owner tag of timer `h` (armed, or fired/cancelled and not yet reused); 0 otherwise. */
export function timerTag(w: usize, h: i32): u32 {
  const idx = current(w, h);
  return idx < 0 ? 0 : load<u32>(rec(w, <u32>idx), R_TAG);
}

/** Kind of timer `h` (armed, or fired/cancelled and not yet reused); 0 otherwise. */
export function timerKind(w: usize, h: i32): u16 {
  const idx = current(w, h);
  return idx < 0 ? 0 : load<u16>(rec(w, <u32>idx), R_KIND);
}

/** True while timer `h` is armed. */
export function timerActive(w: usize, h: i32): bool {
  const idx = current(w, h);
  return idx >= 0 && load<u16>(rec(w, <u32>idx), R_STATE) == ST_ARMED;
}

/** Deadline of armed timer `h`, or TIMER_NEVER if it is not armed. */
export function timerDeadline(w: usize, h: i32): i64 {
  if (!timerActive(w, h)) return TIMER_NEVER;
  return load<i64>(ent(w, load<u32>(rec(w, <u32>current(w, h)), R_LINK)), E_DEADLINE);
}

/** Armed timers. */
export function timerCount(w: usize): u32 { return load<u32>(w, W_COUNT); }

/** Capacity (timers). */
export function timerCapacity(w: usize): u32 { return load<u32>(w, W_CAPACITY); }

// ---- Wrap-safe 32-bit millisecond ticks (RFC 1982-style serial arithmetic) ----

/** Signed distance a - b between two u32 ticks (valid while they are < 2^31 ms ≈ 24.8 days apart). */
// @ts-ignore: decorator
@inline export function timeDiff(a: u32, b: u32): i32 { return <i32>(a - b); }

/** True if tick `a` is before tick `b`, across the 2^32 wrap. */
// @ts-ignore: decorator
@inline export function timeBefore(a: u32, b: u32): bool { return <i32>(a - b) < 0; }

/** True if tick `a` is after tick `b`, across the 2^32 wrap. */
// @ts-ignore: decorator
@inline export function timeAfter(a: u32, b: u32): bool { return <i32>(b - a) < 0; }

/** True if tick `a` is at or before tick `b`, across the 2^32 wrap. */
// @ts-ignore: decorator
@inline export function timeBeforeEq(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }

/** True if tick `a` is at or after tick `b`, across the 2^32 wrap. */
// @ts-ignore: decorator
@inline export function timeAfterEq(a: u32, b: u32): bool { return <i32>(b - a) <= 0; }

/**
 * Widen a monotonic u32 ms tick to i64: `prevMs` is the previous widened time, `tick` the new raw
 * reading; the tick advanced by (tick - low 32 bits of prevMs) mod 2^32 (so calls must come less
 * than 49.7 days apart).
 */
export function tickExtend(prevMs: i64, tick: u32): i64 {
  return prevMs + <i64>(<u64>(tick - <u32>prevMs));
}
