// Segments: Ethernet broadcast domains with propagation delay, jitter, loss and a bandwidth limit.
// A frame sent on a segment waits in the segment's FIFO transmit queue, is serialised at the
// segment's bit rate, is captured (pcap, taps) when it starts on the medium, then reaches the ports
// that want it after the delay plus jitter, unless lost: like a switch that has learnt every
// station's MAC, a unicast frame goes only to the port(s) owning its destination MAC (a board
// interface's own MAC, or a MAC a bridge claimed: an access point's associated stations), broadcast
// and multicast to every port, unknown unicast flooded to every port (or, on a segment with an
// uplink -- a Wi-Fi cell -- to the uplink). Ports without a MAC (promiscuous) get every frame. The
// core in each board would drop the frames it no longer gets (DROP_NOT_FOR_US): the filter changes
// nothing else (docs/decisions.md "Fleet scale: unicast delivery by destination MAC").

import type { Engine } from "./engine.js";
import type { Rng } from "./rng.js";
import type { PcapBuffer } from "../pcap.js";

/** A MAC address (6 bytes at `off`) as a number, for fast map lookups without strings. */
export function macKey(b: Uint8Array, off = 0): number {
  return ((b[off] << 8) | b[off + 1]) * 4294967296 + (((b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]) >>> 0);
}

/** Anything attached to a segment: a board interface or an access point's bridge. */
export interface Port {
  readonly name: string;
  /** The segment the port is attached to, or null. Maintained by Segment.attach/detach. */
  segment: Segment | null;
  /** A frame arrived (the port may keep it, but every receiver shares the same bytes: never modify). */
  receive(frame: Uint8Array): void;
  /**
   * The MAC (as `macKey`) whose unicast frames this port receives: a board interface's own address.
   * -1: no address of its own, only the MACs it claims (Segment.claim: a bridge). Absent: every frame
   * (a promiscuous port, e.g. the DHCP server, which answers ARP whatever the destination).
   */
  readonly macKey?: number;
  /** Attach order on its segment (set by Segment.attach): deliveries follow it. */
  ord?: number;
}

/** Ports owning one MAC on a segment, in attach order (usually one). */
type Owners = Port | Port[];

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
  /** Attached ports in attach order (`ord` increasing). */
  readonly ports: Port[] = [];
  /** Promiscuous ports (no `macKey`) in attach order. */
  private readonly promisc: Port[] = [];
  /** Unicast owners by destination MAC key (board interfaces' own MACs, bridges' claims). */
  private readonly owners = new Map<number, Owners>();
  /** MACs each bridge port claimed while attached (released when it detaches). */
  private readonly claims = new Map<Port, Set<number>>();
  private nextOrd = 0;
  /**
   * Unicast delivery by destination MAC (on by default). Off: every frame to every port, as a hub
   * (tests compare both; SimOptions.floodUnicast).
   */
  filterUnicast = true;
  /** Where unknown unicast goes instead of every port (a Wi-Fi cell: the access point's radio), or null. */
  uplink: Port | null = null;
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
    port.ord = this.nextOrd++;
    this.ports.push(port);
    port.segment = this;
    const k = port.macKey;
    if (k === undefined) this.promisc.push(port);
    else if (k >= 0) this.own(k, port);
  }

  detach(port: Port): void {
    const i = this.ports.indexOf(port);
    if (i < 0) return;
    this.ports.splice(i, 1);
    if (port.segment === this) port.segment = null;
    const k = port.macKey;
    if (k === undefined) this.promisc.splice(this.promisc.indexOf(port), 1);
    else if (k >= 0) this.disown(k, port);
    const c = this.claims.get(port);
    if (c) { for (const m of c) this.disown(m, port); this.claims.delete(port); }
  }

  /**
   * Bridge port `port` (attached here) receives the unicast frames to `mac` from now on (a switch
   * learnt the MAC behind it: an access point's newly associated station). Idempotent.
   */
  claim(mac: number, port: Port): void {
    if (port.segment !== this) return;
    let c = this.claims.get(port);
    if (!c) this.claims.set(port, (c = new Set()));
    if (c.has(mac)) return;
    c.add(mac);
    this.own(mac, port);
  }

  /** Undo `claim` (the station left the access point). */
  release(mac: number, port: Port): void {
    const c = this.claims.get(port);
    if (!c || !c.delete(mac)) return;
    this.disown(mac, port);
  }

  /** The ports a unicast frame to `mac` is for, in attach order (tests, docs). */
  ownersOf(mac: number): Port[] {
    const o = this.owners.get(mac);
    return o === undefined ? [] : Array.isArray(o) ? [...o] : [o];
  }

  private own(mac: number, port: Port): void {
    const o = this.owners.get(mac);
    if (o === undefined) { this.owners.set(mac, port); return; }
    const list = Array.isArray(o) ? o : [o];
    // Keep attach order (a claim may come after later ports attached).
    let i = list.length;
    while (i > 0 && list[i - 1].ord! > port.ord!) i--;
    list.splice(i, 0, port);
    if (!Array.isArray(o)) this.owners.set(mac, list);
  }

  private disown(mac: number, port: Port): void {
    const o = this.owners.get(mac);
    if (o === undefined) return;
    if (!Array.isArray(o)) { if (o === port) this.owners.delete(mac); return; }
    const i = o.indexOf(port);
    if (i >= 0) o.splice(i, 1);
    if (o.length === 1) this.owners.set(mac, o[0]);
    else if (o.length === 0) this.owners.delete(mac);
  }

  /**
   * Receivers of `frame` besides the ports that get every frame: null means every port (broadcast,
   * multicast, unknown unicast on a segment without uplink, or the filter off); otherwise the owners
   * of the destination MAC, or the uplink alone.
   */
  private targets(frame: Uint8Array): Owners | null {
    if (!this.filterUnicast || frame.length < 6 || (frame[0] & 1) !== 0) return null;
    const o = this.owners.get(macKey(frame));
    if (o !== undefined) return o;
    return this.uplink && this.uplink.segment === this ? this.uplink : null;
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
      // The draws are made for every port, also the ones the frame is not for, so the random
      // stream (and so every other copy's fate and the `lost` count) is the same with the filter.
      const ports = this.ports;
      const tg = this.targets(frame);
      for (let i = 0; i < ports.length; i++) {
        const to = ports[i];
        if (to === from) continue;
        if (p.loss > 0 && this.rng.float() < p.loss) { this.stats.lost++; continue; }
        const dt = this.rng.int(p.jitterUs + 1);
        if (tg === null || to.macKey === undefined || tg === to || (Array.isArray(tg) && tg.includes(to))) {
          this.engine.schedule(arrive + dt, this.deliverOneFn, frame, to);
        }
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
    const tg = this.targets(frame);
    if (tg !== null) { this.deliverTo(frame, from, tg); return; }
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

  /**
   * A unicast frame for `tg` (its owners, or the uplink): delivered to them and to the promiscuous
   * ports, in attach order. With a loss rate, one draw per port as in deliverAll (the same stream).
   */
  private deliverTo(frame: Uint8Array, from: Port, tg: Owners): void {
    const loss = this.params.loss;
    if (loss > 0) {
      // Walk every port for the draws; the receivers are met in order.
      const ports = this.ports;
      const n = ports.length;
      for (let i = 0; i < n && i < ports.length; i++) {
        const to = ports[i];
        if (to === from) continue;
        if (this.rng.float() < loss) { this.stats.lost++; continue; }
        if (to.macKey === undefined || tg === to || (Array.isArray(tg) && tg.includes(to))) {
          this.stats.delivered++;
          to.receive(frame);
        }
      }
      return;
    }
    const pr = this.promisc;
    if (pr.length === 0 && !Array.isArray(tg)) {
      if (tg !== from) { this.stats.delivered++; tg.receive(frame); }
      return;
    }
    // Merge the owners and the promiscuous ports by attach order (a snapshot: receivers may not
    // attach or detach synchronously, but be safe if one does).
    const own = Array.isArray(tg) ? tg.slice() : [tg];
    const all = pr.length ? pr.slice() : pr;
    let i = 0, j = 0;
    while (i < own.length || j < all.length) {
      const to = j >= all.length || (i < own.length && own[i].ord! < all[j].ord!) ? own[i++] : all[j++];
      if (to === from || to.segment !== this) continue;
      this.stats.delivered++;
      to.receive(frame);
    }
  }
}
