// Wi-Fi access points and mobility models. An access point bridges its wireless cell (a Segment with
// the radio's delay, loss and bit rate) onto a wired segment: frames from the wire enter the cell when
// they are broadcast/multicast or addressed to an associated station; frames from the cell go onto the
// wire unless addressed to a station of the same cell (which heard them directly).

import { Segment, macKey, type Port, type SegmentParams } from "./segment.js";
import type { Engine } from "./engine.js";
import type { Rng } from "./rng.js";
import type { Mobility, Waypoint } from "./scenario.js";

export { macKey };

/**
 * Received signal strength (dBm) at `d` metres: log-distance path loss with exponent 3 and -30 dBm at
 * 1 m. All access points transmit alike, so the strongest is the nearest; hysteresis is in dB.
 */
export function signalDbm(d: number): number { return -30 - 30 * Math.log10(Math.max(d, 1)); }

class BridgePort implements Port {
  segment: Segment | null = null;
  /** No MAC of its own: the wired side claims the associated stations' MACs, the radio is its cell's uplink. */
  readonly macKey = -1;
  ord?: number;
  constructor(readonly name: string, readonly ap: AccessPoint, readonly wired: boolean) {}
  receive(frame: Uint8Array): void { this.ap.forward(frame, this.wired); }
}

/**
 * The MAC keys of an access point's associated stations. Adding or removing one also claims or
 * releases it on the wired segment for the access point's uplink (a switch learning which port a
 * station is behind), so unicast frames to a station reach the access point and no board.
 */
class Stations extends Set<number> {
  ap: AccessPoint | null = null;
  add(k: number): this {
    if (!this.has(k)) { super.add(k); if (this.ap) this.ap.wire.claim(k, this.ap.uplink); }
    return this;
  }
  delete(k: number): boolean {
    if (!super.delete(k)) return false;
    if (this.ap) this.ap.wire.release(k, this.ap.uplink);
    return true;
  }
  clear(): void { for (const k of [...this]) this.delete(k); }
}

export class AccessPoint {
  readonly cell: Segment;
  readonly uplink: BridgePort;
  readonly radio: BridgePort;
  /** MAC keys of associated stations. */
  readonly stations: Set<number> = new Stations();
  /** Frames bridged wire→cell and cell→wire. */
  down = 0;
  up = 0;

  constructor(readonly name: string, readonly bssid: Uint8Array, readonly x: number, readonly y: number,
    readonly rangeM: number, readonly assocDelayUs: number, readonly wire: Segment,
    engine: Engine, rng: Rng, cellParams: SegmentParams) {
    this.cell = new Segment(name, engine, rng, cellParams);
    this.uplink = new BridgePort(`${name}.wire`, this, true);
    this.radio = new BridgePort(`${name}.radio`, this, false);
    wire.attach(this.uplink);
    this.cell.attach(this.radio);
    // 802.11 infrastructure mode: a station addresses everything not for a station of its cell to
    // the access point, so unknown unicast in the cell goes to the radio, not to every station.
    this.cell.uplink = this.radio;
    (this.stations as Stations).ap = this;
  }

  distance(x: number, y: number): number { return Math.hypot(x - this.x, y - this.y); }
  inRange(x: number, y: number): boolean { return this.distance(x, y) <= this.rangeM; }

  forward(frame: Uint8Array, fromWire: boolean): void {
    const group = (frame[0] & 1) !== 0;
    const toStation = !group && frame.length >= 6 && this.stations.has(macKey(frame, 0));
    if (fromWire) {
      if (group || toStation) { this.down++; this.cell.send(this.radio, frame); }
    } else if (!toStation) {
      this.up++;
      this.wire.send(this.uplink, frame);
    }
  }
}

/**
 * Access points bucketed on a square grid whose cells are as wide as the largest range, so the access
 * points in range of a point are among those of the 3 x 3 cells around it: finding a station's best
 * access point costs a few distances instead of one per access point (a fleet of 1,000 LANs has
 * 2,000). Same answer as scanning the list: the nearest in range, ties to the first listed.
 */
export class ApGrid {
  private readonly cell: number;
  private readonly buckets = new Map<string, { ap: AccessPoint; i: number }[]>();
  constructor(readonly aps: readonly AccessPoint[]) {
    this.cell = Math.max(1, ...aps.map((a) => a.rangeM));
    aps.forEach((ap, i) => {
      const k = this.key(Math.floor(ap.x / this.cell), Math.floor(ap.y / this.cell));
      let b = this.buckets.get(k);
      if (!b) this.buckets.set(k, (b = []));
      b.push({ ap, i });
    });
  }
  private key(cx: number, cy: number): string { return `${cx},${cy}`; }

  /** Strongest (nearest) access point in range of (x, y), or null; ties: the first listed. */
  best(x: number, y: number): AccessPoint | null {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(this.cell)) return this.scan(x, y);
    const cx = Math.floor(x / this.cell), cy = Math.floor(y / this.cell);
    let best: AccessPoint | null = null, bestD = Infinity, bestI = Infinity;
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        const b = this.buckets.get(this.key(gx, gy));
        if (!b) continue;
        for (const { ap, i } of b) {
          const d = ap.distance(x, y);
          if (d <= ap.rangeM && (d < bestD || (d === bestD && i < bestI))) { best = ap; bestD = d; bestI = i; }
        }
      }
    }
    return best;
  }

  /** The plain scan (non-finite coordinates or ranges). */
  private scan(x: number, y: number): AccessPoint | null {
    let best: AccessPoint | null = null, bestD = Infinity;
    for (const ap of this.aps) {
      const d = ap.distance(x, y);
      if (d <= ap.rangeM && d < bestD) { best = ap; bestD = d; }
    }
    return best;
  }
}

/** Position of a node over time. `step(nowUs)` advances it; x and y are the current position. */
export interface Mover { x: number; y: number; step(nowUs: number): void }

export class WaypointMover implements Mover {
  x: number;
  y: number;
  private i = 0;
  constructor(readonly points: Waypoint[]) { this.x = points[0].x; this.y = points[0].y; }
  step(nowUs: number): void {
    const t = nowUs / 1000, pts = this.points;
    while (this.i + 1 < pts.length && pts[this.i + 1].atMs <= t) this.i++;
    const a = pts[this.i];
    if (t <= a.atMs || this.i + 1 >= pts.length) { this.x = a.x; this.y = a.y; return; }
    const b = pts[this.i + 1];
    const f = (t - a.atMs) / (b.atMs - a.atMs);
    this.x = a.x + (b.x - a.x) * f;
    this.y = a.y + (b.y - a.y) * f;
  }
}

/** Random waypoint walk in an area: go to a uniform random point at a random speed, pause, repeat. */
export class RandomWalkMover implements Mover {
  private tx: number;
  private ty: number;
  private speed: number;
  private pauseUntilUs = 0;
  private lastUs = 0;
  constructor(public x: number, public y: number, readonly m: Extract<Mobility, { type: "randomWalk" }>, readonly rng: Rng) {
    [this.tx, this.ty, this.speed] = this.pick();
  }
  private pick(): [number, number, number] {
    const a = this.m.area;
    return [this.rng.range(a.x0, a.x1), this.rng.range(a.y0, a.y1), this.rng.range(this.m.speedMps[0], this.m.speedMps[1])];
  }
  step(nowUs: number): void {
    let dt = (nowUs - this.lastUs) / 1e6;
    this.lastUs = nowUs;
    if (nowUs < this.pauseUntilUs) return;
    if (this.pauseUntilUs > 0 && nowUs - dt * 1e6 < this.pauseUntilUs) dt = (nowUs - this.pauseUntilUs) / 1e6;
    const dx = this.tx - this.x, dy = this.ty - this.y;
    const d = Math.hypot(dx, dy);
    const go = this.speed * dt;
    if (go >= d) {
      this.x = this.tx; this.y = this.ty;
      this.pauseUntilUs = nowUs + this.m.pauseMs * 1000;
      [this.tx, this.ty, this.speed] = this.pick();
    } else {
      this.x += (dx / d) * go;
      this.y += (dy / d) * go;
    }
  }
}

export class StaticMover implements Mover {
  constructor(public x: number, public y: number) {}
  step(): void {}
}
