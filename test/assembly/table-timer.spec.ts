// table/timer.ts: fixed min-heap of timers with (deadline, start order) ordering, handles with
// generations, and wrap-safe u32 tick helpers.
import {
  TIMER_NEVER, TIMER_MAX_CAPACITY, timerBytes, timerInit, timerStart, timerCancel, timerRestart, timerNextDeadline,
  timerPop, timerPoppedDeadline, timerTag, timerKind, timerActive, timerDeadline, timerCount, timerCapacity,
  timeBefore, timeAfter, timeBeforeEq, timeAfterEq, timeDiff, tickExtend,
} from "../../assembly/table/timer";

let rng: u32 = 0x1234567;
function rand(): u32 { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

function newTimers(capacity: u32): usize {
  const n = timerBytes(capacity);
  const w = heap.alloc(n);
  memory.fill(w, 0xa5, n);
  expect<bool>(timerInit(w, capacity)).toBe(true);
  return w;
}
const DAY: i64 = 86400000;

describe("timer basics", () => {
  it("sizes: 40-byte header + 40 bytes per timer (24 heap + 16 record)", () => {
    expect<usize>(timerBytes(0)).toBe(40);
    expect<usize>(timerBytes(100)).toBe(40 + 4000);
    expect<usize>(timerBytes(TIMER_MAX_CAPACITY + 1)).toBe(0);
    expect<bool>(timerInit(heap.alloc(64), TIMER_MAX_CAPACITY + 1)).toBe(false);
  });
  it("an empty set has no deadline and pops nothing", () => {
    const w = newTimers(4);
    expect<i64>(timerNextDeadline(w)).toBe(TIMER_NEVER);
    expect<i64>(timerNextDeadline(w)).toBe(i64.MAX_VALUE);
    expect<i32>(timerPop(w, i64.MAX_VALUE)).toBe(-1);
    expect<u32>(timerCount(w)).toBe(0);
    expect<u32>(timerCapacity(w)).toBe(4);
  });
  it("fires only at or after the deadline, with its tag and kind", () => {
    const w = newTimers(4);
    const h = timerStart(w, 0x0a000005, 3, 1000);
    expect<i32>(h).toBeGreaterThanOrEqual(0);
    expect<bool>(timerActive(w, h)).toBe(true);
    expect<i64>(timerDeadline(w, h)).toBe(1000);
    expect<i64>(timerNextDeadline(w)).toBe(1000);
    expect<i32>(timerPop(w, 999)).toBe(-1);
    expect<i32>(timerPop(w, 1000)).toBe(h);
    expect<u32>(timerTag(w, h)).toBe(0x0a000005);
    expect<u16>(timerKind(w, h)).toBe(3);
    expect<i64>(timerPoppedDeadline(w)).toBe(1000);
    expect<bool>(timerActive(w, h)).toBe(false);
    expect<i64>(timerDeadline(w, h)).toBe(TIMER_NEVER);
    expect<i32>(timerPop(w, 5000)).toBe(-1);
    expect<i64>(timerNextDeadline(w)).toBe(TIMER_NEVER);
  });
  it("refuses a start when full, and accepts again after one fires", () => {
    const w = newTimers(8);
    for (let i = 0; i < 8; i++) expect<i32>(timerStart(w, <u32>i, 0, 100 + <i64>i)).toBeGreaterThanOrEqual(0);
    expect<i32>(timerStart(w, 99, 0, 50)).toBe(-1);
    expect<u32>(timerCount(w)).toBe(8);
    expect<i64>(timerNextDeadline(w)).toBe(100); // the refused one did not get in
    const h = timerPop(w, 100);
    expect<u32>(timerTag(w, h)).toBe(0);
    const h2 = timerStart(w, 99, 0, 50);
    expect<i32>(h2).toBeGreaterThanOrEqual(0);
    expect<i64>(timerNextDeadline(w)).toBe(50);
  });
  it("a zero-capacity set refuses every start", () => {
    const w = newTimers(0);
    expect<i32>(timerStart(w, 1, 1, 1)).toBe(-1);
    expect<i32>(timerPop(w, 10)).toBe(-1);
  });
  it("a one-timer set works through many reuses", () => {
    const w = newTimers(1);
    let prev = -1;
    for (let i = 0; i < 1000; i++) {
      const h = timerStart(w, <u32>i, 1, <i64>i);
      expect<bool>(h >= 0 && h != prev).toBe(true);
      expect<bool>(timerCancel(w, prev)).toBe(false); // the previous handle is stale
      expect<i32>(timerPop(w, <i64>i)).toBe(h);
      prev = h;
    }
  });
});

describe("timer ordering", () => {
  it("pops in deadline order regardless of start order", () => {
    const w = newTimers(64);
    rng = 5;
    for (let i = 0; i < 64; i++) timerStart(w, <u32>i, 0, <i64>(rand() % 100000));
    let last: i64 = -1;
    for (let i = 0; i < 64; i++) {
      const h = timerPop(w, 100000);
      expect<i32>(h).toBeGreaterThanOrEqual(0);
      expect<bool>(timerPoppedDeadline(w) >= last).toBe(true);
      last = timerPoppedDeadline(w);
    }
    expect<i32>(timerPop(w, 100000)).toBe(-1);
  });
  it("fires equal deadlines first-in first-out", () => {
    const w = newTimers(32);
    for (let i: u32 = 0; i < 10; i++) timerStart(w, 100 + i, 0, 5000);
    timerStart(w, 1, 0, 4000);
    for (let i: u32 = 10; i < 20; i++) timerStart(w, 100 + i, 0, 5000);
    expect<u32>(timerTag(w, timerPop(w, 5000))).toBe(1);
    for (let i: u32 = 0; i < 20; i++) expect<u32>(timerTag(w, timerPop(w, 5000))).toBe(100 + i);
  });
  it("fires everything due, in order, when time jumps forward by days", () => {
    const w = newTimers(200);
    rng = 77;
    const t0: i64 = 1700000000000; // host wall-clock ms
    // Lifetimes from 1 s to 3 days, several sharing a deadline; tag = start order.
    for (let i: u32 = 0; i < 200; i++) timerStart(w, i, <u16>(i & 3), t0 + <i64>(rand() % 3) * DAY + <i64>(rand() % 50) * 1000);
    const now = t0 + 10 * DAY;
    let n = 0, lastD: i64 = i64.MIN_VALUE, lastTag: u32 = 0, bad = 0;
    for (let h = timerPop(w, now); h >= 0; h = timerPop(w, now)) {
      const d = timerPoppedDeadline(w);
      const tag = timerTag(w, h);
      if (d < lastD || (d == lastD && tag < lastTag)) bad++;
      lastD = d; lastTag = tag; n++;
    }
    expect<i32>(n).toBe(200);
    expect<i32>(bad).toBe(0);
    expect<i64>(timerNextDeadline(w)).toBe(TIMER_NEVER);
  });
  it("restart moves a timer later or earlier and keeps its handle; it queues behind equal deadlines", () => {
    const w = newTimers(8);
    const a = timerStart(w, 1, 0, 100);
    const b = timerStart(w, 2, 0, 200);
    const c = timerStart(w, 3, 0, 300);
    expect<bool>(timerRestart(w, a, 300)).toBe(true); // now after c (FIFO by restart time)
    expect<i64>(timerNextDeadline(w)).toBe(200);
    expect<bool>(timerRestart(w, c, 50)).toBe(true);
    expect<i64>(timerDeadline(w, c)).toBe(50);
    expect<i32>(timerPop(w, 1000)).toBe(c);
    expect<i32>(timerPop(w, 1000)).toBe(b);
    expect<i32>(timerPop(w, 1000)).toBe(a);
    expect<bool>(timerRestart(w, a, 10)).toBe(false); // fired: not re-armed
    expect<u32>(timerCount(w)).toBe(0);
  });
});

describe("timer cancel", () => {
  it("cancelling the head exposes the next deadline", () => {
    const w = newTimers(8);
    const a = timerStart(w, 1, 0, 100);
    timerStart(w, 2, 0, 200);
    timerStart(w, 3, 0, 150);
    expect<bool>(timerCancel(w, a)).toBe(true);
    expect<i64>(timerNextDeadline(w)).toBe(150);
    expect<u32>(timerTag(w, timerPop(w, 1000))).toBe(3);
    expect<u32>(timerTag(w, timerPop(w, 1000))).toBe(2);
  });
  it("ignores an already-fired handle, a double cancel, and garbage handles", () => {
    const w = newTimers(4);
    const a = timerStart(w, 1, 0, 100);
    const b = timerStart(w, 2, 0, 200);
    expect<i32>(timerPop(w, 100)).toBe(a);
    expect<bool>(timerCancel(w, a)).toBe(false);
    // The fired record is reused by the next start: the old handle must not cancel the new timer.
    const c = timerStart(w, 3, 0, 300);
    expect<bool>(c != a).toBe(true);
    expect<bool>(timerCancel(w, a)).toBe(false);
    expect<u32>(timerTag(w, a)).toBe(0); // stale handle reads nothing
    expect<bool>(timerActive(w, c)).toBe(true);
    expect<bool>(timerCancel(w, b)).toBe(true);
    expect<bool>(timerCancel(w, b)).toBe(false);
    expect<bool>(timerCancel(w, -1)).toBe(false);
    expect<bool>(timerCancel(w, 0x7fffffff)).toBe(false);
    expect<bool>(timerCancel(w, 3)).toBe(false); // index 3 never used (generation 0)
    expect<u32>(timerCount(w)).toBe(1);
    expect<i32>(timerPop(w, 300)).toBe(c);
  });
  it("matches a reference model over 20,000 random start/cancel/restart/pop ops", () => {
    const CAP = 100;
    const w = newTimers(<u32>CAP);
    // Model: per handle slot in a side table: armed flag, deadline, order stamp.
    const hs = new StaticArray<i32>(CAP);      // live handles in the model, -1 = none
    const dl = new StaticArray<i64>(CAP);
    const st = new StaticArray<i64>(CAP);
    for (let i = 0; i < CAP; i++) hs[i] = -1;
    let stamp: i64 = 0, now: i64 = 0, bad = 0, fired = 0;
    rng = 31337;
    for (let op = 0; op < 20000; op++) {
      const r = rand() % 10;
      const k = <i32>(rand() % <u32>CAP);
      if (r < 4) {
        if (hs[k] < 0) {
          const d = now + <i64>(rand() % 500);
          const h = timerStart(w, <u32>k, 0, d);
          if (h < 0) bad++;
          hs[k] = h; dl[k] = d; st[k] = ++stamp;
        }
      } else if (r < 6) {
        if (timerCancel(w, hs[k]) != (hs[k] >= 0)) bad++;
        hs[k] = -1;
      } else if (r < 7) {
        if (hs[k] >= 0) {
          const d = now + <i64>(rand() % 500);
          if (!timerRestart(w, hs[k], d)) bad++;
          dl[k] = d; st[k] = ++stamp;
        }
      } else {
        now += <i64>(rand() % 40);
        // Expected next: smallest (deadline, stamp) among armed with deadline <= now.
        let e = -1;
        for (let j = 0; j < CAP; j++) {
          if (hs[j] >= 0 && dl[j] <= now && (e < 0 || dl[j] < dl[e] || (dl[j] == dl[e] && st[j] < st[e]))) e = j;
        }
        const h = timerPop(w, now);
        if (e < 0) { if (h != -1) bad++; }
        else {
          if (h != hs[e] || <i32>timerTag(w, h) != e) bad++;
          hs[e] = -1; fired++;
        }
      }
      let c = 0;
      let next: i64 = TIMER_NEVER;
      for (let j = 0; j < CAP; j++) if (hs[j] >= 0) { c++; if (dl[j] < next) next = dl[j]; }
      if (<i32>timerCount(w) != c || timerNextDeadline(w) != next) bad++;
    }
    expect<i32>(bad).toBe(0);
    expect<i32>(fired).toBeGreaterThan(1000);
  });
});

describe("32-bit ticks across the 2^32 ms wrap", () => {
  it("compares u32 ticks wrap-safely", () => {
    expect<bool>(timeBefore(0xfffffff0, 0x00000010)).toBe(true);  // just before the wrap is earlier
    expect<bool>(timeBefore(0x00000010, 0xfffffff0)).toBe(false);
    expect<bool>(timeAfter(0x00000010, 0xfffffff0)).toBe(true);
    expect<bool>(timeAfter(0xfffffff0, 0x00000010)).toBe(false);
    expect<bool>(timeBefore(5, 5)).toBe(false);
    expect<bool>(timeBeforeEq(5, 5)).toBe(true);
    expect<bool>(timeAfterEq(5, 5)).toBe(true);
    expect<bool>(timeAfter(5, 5)).toBe(false);
    expect<i32>(timeDiff(0x00000010, 0xfffffff0)).toBe(0x20);
    expect<i32>(timeDiff(0xfffffff0, 0x00000010)).toBe(-0x20);
    expect<bool>(timeBefore(100, 100 + 0x7fffffff)).toBe(true);   // up to 2^31 - 1 apart
  });
  it("widens a wrapping u32 tick to i64 (ESP32-style counter)", () => {
    let t: i64 = 0xfffff000;                 // first reading taken as is
    t = tickExtend(t, 0xfffffc00);
    expect<i64>(t).toBe(0xfffffc00);
    t = tickExtend(t, 0x00000100);           // wrapped
    expect<i64>(t).toBe(0x100000100);
    t = tickExtend(t, 0x00000100);           // no change
    expect<i64>(t).toBe(0x100000100);
    t = tickExtend(t, 0xffffffff);           // almost a full turn later
    expect<i64>(t).toBe(0x1ffffffff);
    t = tickExtend(t, 0x00000000);
    expect<i64>(t).toBe(0x200000000);
  });
  it("fires timers whose deadlines span the wrap in order, driven by a wrapping tick", () => {
    const w = newTimers(16);
    let tick: u32 = 0xffffd8f0;              // 10,000 ms before the wrap
    let now: i64 = <i64>tick;
    // Deadlines from 5 s before to 5 s after 2^32 ms, started in scrambled order.
    const offs: StaticArray<i32> = [3000, -5000, 0, 4999, -1, 1, -4000, 2500];
    for (let i = 0; i < offs.length; i++) timerStart(w, <u32>i, 0, 0x100000000 + <i64>offs[i]);
    let fired = 0, lastD: i64 = 0;
    for (let step = 0; step < 40; step++) {
      tick += 500;                           // u32 arithmetic wraps
      now = tickExtend(now, tick);
      for (let h = timerPop(w, now); h >= 0; h = timerPop(w, now)) {
        const d = timerPoppedDeadline(w);
        expect<bool>(d <= now && d >= lastD).toBe(true);
        expect<i64>(d).toBe(0x100000000 + <i64>offs[<i32>timerTag(w, h)]);
        // The same test on raw 32-bit ticks: the deadline's low 32 bits are not after the tick.
        expect<bool>(timeBeforeEq(<u32>d, tick)).toBe(true);
        lastD = d;
        fired++;
      }
    }
    expect<i32>(fired).toBe(8);
    expect<i64>(now).toBe(0x100000000 + 10000);
  });
});
