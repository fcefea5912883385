// Segments: Ethernet broadcast domains with propagation delay, jitter, loss and a bandwidth limit.
// A frame sent on a segment waits in the segment's FIFO transmit queue, is serialised at the
// segment's bit rate, is captured (pcap) when it starts on the medium, then reaches every other
// attached port after the delay plus jitter, unless lost. The core in each board filters by MAC.

import type { Engine } from "./engine.js";
import type { Rng } from "./rng.js";
import type { PcapBuffer } from "../pcap.js";

/** Anything attached to a segment: a board interface or an access point's bridge. */
export interface Port {
  readonly name: string;
  /** The segment the port is attached to, or null. Maintained by Segment.attach/detach. */
  segment: Segment | null;
  /** A frame arrived (the port may keep it, but every receiver shares the same bytes: never modify). */
  receive(frame: Uint8Array): void;
}

export interface SegmentParams {
  /** One-way propagation delay, µs. */
  delayUs: number;
  /** Extra delay per frame copy, uniform in [0, jitterUs] µs. */
  jitterUs: number;
  /** Probability that a frame copy is lost on its way to one receiver. */
  loss: number;
  /** Bits per second; 0 means unlimited (no serialisation delay, no queueing). */
  bandwidthBps: number;
  /** Frames that may wait in the transmit queue (including the one being sent); further frames are dropped. */
  queueFrames: number;
}

export const DEFAULT_SEGMENT: SegmentParams = { delayUs: 100, jitterUs: 0, loss: 0, bandwidthBps: 100e6, queueFrames: 256 };

export interface SegmentStats {
  /** Frames accepted for transmission. */
  frames: number;
  bytes: number;
  /** Frame copies lost to the loss rate. */
  lost: number;
  /** Frames refused because the transmit queue was full. */
  queueDrops: number;
  /** Frame copies delivered to ports. */
  delivered: number;
}

export class Segment {
  readonly ports: Port[] = [];
  readonly stats: SegmentStats = { frames: 0, bytes: 0, lost: 0, queueDrops: 0, delivered: 0 };
  /** When the medium is free again (µs). */
  private busyUntil = 0;
  /** Ring of finish times of frames in the transmit queue. */
  private ring: Float64Array;
  private head = 0;
  private count = 0;
  private readonly deliverAllFn: (frame: Uint8Array, from: Port) => void;
  private readonly deliverOneFn: (frame: Uint8Array, to: Port) => void;
  /** Capture of every frame sent on this segment, or null. */
  pcap: PcapBuffer | null = null;
  /** Observer of every frame accepted for transmission (at the time it starts on the medium), or null. */
  tap: ((seg: Segment, frame: Uint8Array, tUs: number) => void) | null = null;

  constructor(readonly name: string, readonly engine: Engine, readonly rng: Rng, readonly params: SegmentParams = DEFAULT_SEGMENT) {
    this.ring = new Float64Array(Math.max(1, params.queueFrames));
    this.deliverAllFn = (frame, from) => this.deliverAll(frame, from);
    this.deliverOneFn = (frame, to) => this.deliverOne(frame, to);
  }

  /** Time (µs from now) until every frame accepted so far has reached its receivers. */
  drainUs(): number {
    const p = this.params;
    return Math.max(0, this.busyUntil - this.engine.nowUs) + p.delayUs + p.jitterUs;
  }

  attach(port: Port): void {
    if (port.segment === this) return;
    if (port.segment) port.segment.detach(port);
    this.ports.push(port);
    port.segment = this;
  }

  detach(port: Port): void {
    const i = this.ports.indexOf(port);
    if (i >= 0) this.ports.splice(i, 1);
    if (port.segment === this) port.segment = null;
  }

  /** Frames waiting or being sent at the current time. */
  queued(): number {
    const now = this.engine.nowUs;
    while (this.count > 0 && this.ring[this.head] <= now) {
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
    }
    return this.count;
  }

  /** Transmit `frame` from `from`. Returns false if the transmit queue was full (frame dropped). */
  send(from: Port, frame: Uint8Array): boolean {
    const p = this.params;
    const now = this.engine.nowUs;
    let finish = now;
    if (p.bandwidthBps > 0) {
      if (this.queued() >= this.ring.length) { this.stats.queueDrops++; return false; }
      const start = this.busyUntil > now ? this.busyUntil : now;
      // Ethernet on the wire: the frame plus preamble/SFD (8) and inter-frame gap (12).
      finish = start + Math.round(((frame.length + 20) * 8 * 1e6) / p.bandwidthBps);
      this.busyUntil = finish;
      this.ring[(this.head + this.count) % this.ring.length] = finish;
      this.count++;
      if (this.pcap) this.pcap.write(start, frame);
      if (this.tap) this.tap(this, frame, start);
    } else {
      if (this.pcap) this.pcap.write(now, frame);
      if (this.tap) this.tap(this, frame, now);
    }
    this.stats.frames++;
    this.stats.bytes += frame.length;
    const arrive = finish + p.delayUs;
    if (p.jitterUs > 0) {
      // Each copy gets its own jitter (and so may overtake earlier frames) and its own loss draw.
      const ports = this.ports;
      for (let i = 0; i < ports.length; i++) {
        const to = ports[i];
        if (to === from) continue;
        if (p.loss > 0 && this.rng.float() < p.loss) { this.stats.lost++; continue; }
        this.engine.schedule(arrive + this.rng.int(p.jitterUs + 1), this.deliverOneFn, frame, to);
      }
    } else {
      this.engine.schedule(arrive, this.deliverAllFn, frame, from);
    }
    return true;
  }

  private deliverOne(frame: Uint8Array, to: Port): void {
    if (to.segment !== this) return; // detached while the frame was in flight
    this.stats.delivered++;
    to.receive(frame);
  }

  private deliverAll(frame: Uint8Array, from: Port): void {
    const ports = this.ports;
    const loss = this.params.loss;
    // Iterate over a stable count: a receiver may not attach or detach synchronously (boards never
    // re-enter the simulator from rx), but be safe if one does.
    const n = ports.length;
    for (let i = 0; i < n && i < ports.length; i++) {
      const to = ports[i];
      if (to === from) continue;
      if (loss > 0 && this.rng.float() < loss) { this.stats.lost++; continue; }
      this.stats.delivered++;
      to.receive(frame);
    }
  }
}
