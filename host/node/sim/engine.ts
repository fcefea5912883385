// Discrete-event engine: a virtual clock in integer microseconds and a binary min-heap of events
// ordered by (time, insertion sequence), so events at the same instant run first-in first-out and a
// run is a pure function of the scenario and the seed. Events can be re-scheduled in place (boards
// keep exactly one pending tick event each) or cancelled.

/** Handler of an event; `a` and `b` are the arguments given when scheduling (no closure needed). */
export type EventFn = (a: any, b: any) => void;

export class SimEvent {
  t = 0;
  seq = 0;
  /** Index in the heap, -1 when not scheduled. */
  pos = -1;
  constructor(public fn: EventFn, public a: any = undefined, public b: any = undefined) {}
  get pending(): boolean { return this.pos >= 0; }
}

export class Engine {
  /** Current virtual time in microseconds (integer). */
  nowUs = 0;
  /** Events run so far. */
  fired = 0;
  private heap: SimEvent[] = [];
  private seq = 0;
  private stopped = false;

  /** Current virtual time in milliseconds (fractional). */
  get nowMs(): number { return this.nowUs / 1000; }
  get size(): number { return this.heap.length; }

  /** Schedule `fn(a, b)` at absolute time `tUs` (not before now). Returns the event (for cancel). */
  schedule(tUs: number, fn: EventFn, a?: any, b?: any): SimEvent {
    const ev = new SimEvent(fn, a, b);
    this.at(ev, tUs);
    return ev;
  }

  /** Schedule `fn(a, b)` after `dUs` microseconds. */
  after(dUs: number, fn: EventFn, a?: any, b?: any): SimEvent { return this.schedule(this.nowUs + dUs, fn, a, b); }

  /** (Re)schedule an existing event at `tUs`; a pending event moves, keeping one entry in the queue. */
  at(ev: SimEvent, tUs: number): void {
    tUs = Math.round(tUs);
    if (!(tUs >= this.nowUs)) tUs = this.nowUs;
    ev.t = tUs;
    ev.seq = this.seq++;
    if (ev.pos >= 0) {
      // New key: later seq, time may go either way; sift in both directions.
      this.up(ev.pos);
      this.down(ev.pos);
    } else {
      ev.pos = this.heap.length;
      this.heap.push(ev);
      this.up(ev.pos);
    }
  }

  /** Remove a pending event; no-op if it is not pending. */
  cancel(ev: SimEvent): void {
    const i = ev.pos;
    if (i < 0) return;
    const h = this.heap;
    const last = h.pop()!;
    ev.pos = -1;
    if (last !== ev) {
      h[i] = last;
      last.pos = i;
      this.up(i);
      this.down(last.pos);
    }
  }

  /** Time of the next event, or Infinity. */
  peekTime(): number { return this.heap.length ? this.heap[0].t : Infinity; }

  /** Stop `run` after the current event. */
  stop(): void { this.stopped = true; }

  /**
   * Run events with time <= `untilUs` in order; the clock ends at `untilUs` (or where stopped).
   * `progress` (optional) is called every `every` events with the current time.
   */
  run(untilUs: number, progress?: (nowUs: number) => void, every = 8192): void {
    const h = this.heap;
    this.stopped = false;
    let n = 0;
    while (h.length && h[0].t <= untilUs && !this.stopped) {
      const ev = this.popMin();
      this.nowUs = ev.t;
      this.fired++;
      ev.fn(ev.a, ev.b);
      if (progress && ++n >= every) { n = 0; progress(this.nowUs); }
    }
    if (!this.stopped && untilUs > this.nowUs && untilUs !== Infinity) this.nowUs = untilUs;
  }

  private popMin(): SimEvent {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    top.pos = -1;
    if (h.length) {
      h[0] = last;
      last.pos = 0;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const h = this.heap;
    const ev = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p];
      if (pe.t < ev.t || (pe.t === ev.t && pe.seq < ev.seq)) break;
      h[i] = pe; pe.pos = i;
      i = p;
    }
    h[i] = ev; ev.pos = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const ev = h[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (h[r].t < h[c].t || (h[r].t === h[c].t && h[r].seq < h[c].seq))) c = r;
      const ce = h[c];
      if (ev.t < ce.t || (ev.t === ce.t && ev.seq < ce.seq)) break;
      h[i] = ce; ce.pos = i;
      i = c;
    }
    h[i] = ev; ev.pos = i;
  }
}
