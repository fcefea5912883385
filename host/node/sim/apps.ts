// Applications of the emulated network, living in the host above a board's core: a constant-bit-rate
// UDP source, its sink (loss, duplicates, reordering, one-way latency) and ping (ICMP echo).
// Packets go down with Board.output() and come up through the board's deliver hook. Sources reuse
// one packet buffer each; sinks keep a received bitmap and latency samples in typed arrays.

import { finishUdp, finishIcmpEcho, finishUdp6, finishIcmp6Echo, ICMP_ECHO_REQUEST, ICMP6_ECHO_REQUEST, IPV4_HEADER, IPV6_HEADER, UDP_HEADER, get32, get16, put32 } from "../packet.js";

/** What an app needs from the node it runs on. */
export interface AppHost {
  readonly name: string;
  /** Source address of the node's local stack. */
  readonly addr: number;
  nowUs(): number;
  /** Send one IP packet through the board (bytes are copied before returning). */
  send(packet: Uint8Array): void;
  /** Next IPv4 identification value. */
  nextIpId(): number;
  /** The node's current global IPv6 address (a preferred one learnt from its addr6 events), or null. */
  addr6(): Uint8Array | null;
}

/** Where an IPv6 app sends: an address, or the current global address of a node (resolved per packet). */
export type Dst6 = () => Uint8Array | null;

/** Growable array of numbers (latency samples in µs). */
export class Samples {
  data = new Float64Array(256);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) { const d = new Float64Array(this.n * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = v;
  }
  sorted(): Float64Array { return this.data.slice(0, this.n).sort(); }
}

/** Nearest-rank percentile of sorted samples (p in 0..100); NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Microseconds to milliseconds rounded to the microsecond, or null when not a number. */
export function ms(us: number): number | null { return Number.isFinite(us) ? Math.round(us) / 1000 : null; }

/** Bitmap of sequence numbers seen. */
export class SeqSet {
  bits = new Uint8Array(64);
  has(s: number): boolean { return s >>> 3 < this.bits.length && (this.bits[s >>> 3] & (1 << (s & 7))) !== 0; }
  add(s: number): void {
    const i = s >>> 3;
    if (i >= this.bits.length) { const b = new Uint8Array(Math.max(this.bits.length * 2, i + 1)); b.set(this.bits); this.bits = b; }
    this.bits[i] |= 1 << (s & 7);
  }
  /** How many of lo..hi-1 are missing. */
  missing(lo: number, hi: number): number {
    let m = 0;
    for (let s = Math.max(0, lo); s < hi; s++) if (!this.has(s)) m++;
    return m;
  }
}

// CBR payload: flow id u32, sequence u32, send time µs (u32 high, u32 low), then filler bytes.
export const CBR_HEADER = 16;

export class CbrSource {
  sent = 0;
  /** output() refused by the core (still counted as sent: the sink sees them as lost). */
  refused = 0;
  private buf: Uint8Array;
  private readonly periodUs: number;
  /** IPv6 (issue 12): the destination, resolved per packet; null for IPv4. */
  private readonly dst6: Dst6 | null;
  private readonly hl: number;
  constructor(readonly name: string, readonly flowId: number, readonly host: AppHost, readonly dst: number,
    readonly sport: number, readonly dport: number, readonly ratePps: number, readonly sizeBytes: number,
    readonly startUs: number, readonly stopUs: number, dst6: Dst6 | null = null) {
    this.dst6 = dst6;
    this.hl = dst6 ? IPV6_HEADER : IPV4_HEADER;
    this.buf = new Uint8Array(this.hl + UDP_HEADER + sizeBytes);
    for (let i = this.hl + UDP_HEADER + CBR_HEADER; i < this.buf.length; i++) this.buf[i] = i & 0xff;
    this.periodUs = 1e6 / ratePps;
  }

  /** Time of packet `k` (µs), computed from the start so rounding never accumulates. */
  timeOf(k: number): number { return this.startUs + Math.round(k * this.periodUs); }

  /** Send the next packet; returns the time of the one after, or Infinity when the flow is over. */
  fire(): number {
    const b = this.buf, o = this.hl + UDP_HEADER, now = this.host.nowUs(), seq = this.sent;
    put32(b, o, this.flowId); put32(b, o + 4, seq);
    put32(b, o + 8, Math.floor(now / 4294967296)); put32(b, o + 12, now >>> 0);
    let send = true;
    if (this.dst6) {
      // No address yet at either end (autoconfiguration still running): the datagram counts as sent
      // and lost, as one the network dropped.
      const src = this.host.addr6(), dst = this.dst6();
      if (src && dst) finishUdp6(b, this.sizeBytes, src, dst, this.sport, this.dport); else { send = false; this.refused++; }
    } else finishUdp(b, this.sizeBytes, this.host.addr, this.dst, this.sport, this.dport, this.host.nextIpId());
    this.sent++;
    if (send) this.host.send(b);
    const next = this.timeOf(this.sent);
    return next < this.stopUs ? next : Infinity;
  }
}

export class Sink {
  received = 0;
  duplicates = 0;
  reordered = 0;
  /** Highest sequence number received, -1 before the first. */
  maxSeq = -1;
  /** Packets that reached the port but were not this flow's (wrong flow id, too short). */
  foreign = 0;
  readonly seen = new SeqSet();
  readonly latency = new Samples();
  source: CbrSource | null = null;
  /** Arrival time (µs) of every datagram of the flow, duplicates included, when recorded (timelines); else null. */
  rxTimes: Samples | null = null;
  /** Sequence number of every datagram received once (in arrival order, parallel to `latency`), when recorded (timelines); else null. */
  rxSeq: Samples | null = null;
  constructor(readonly name: string, readonly flowId: number, readonly port: number) {}

  /**
   * One UDP payload (at `off`, `len` bytes) arrived at `nowUs`. Returns the sequence number, or -1
   * when the datagram does not belong to this flow.
   */
  receive(b: Uint8Array, off: number, len: number, nowUs: number): number {
    if (len < CBR_HEADER || get32(b, off) !== this.flowId) { this.foreign++; return -1; }
    const seq = get32(b, off + 4);
    const sentUs = get32(b, off + 8) * 4294967296 + get32(b, off + 12);
    if (this.rxTimes) this.rxTimes.push(nowUs);
    if (this.seen.has(seq)) { this.duplicates++; return seq; }
    this.seen.add(seq);
    this.received++;
    if (seq < this.maxSeq) this.reordered++;
    else this.maxSeq = seq;
    this.latency.push(nowUs - sentUs);
    if (this.rxSeq) this.rxSeq.push(seq);
    return seq;
  }

  /** Sent by the source (known when the source runs in the same simulation). */
  get sent(): number { return this.source ? this.source.sent : this.maxSeq + 1; }
  get lost(): number { return Math.max(0, this.sent - this.received); }
}

// Ping data: send time µs (u32 high, u32 low), then filler bytes.
export class Ping {
  sent = 0;
  received = 0;
  duplicates = 0;
  /** Replies that came back with wrong data length or an unknown sequence. */
  bad = 0;
  readonly seen = new SeqSet();
  readonly rtt = new Samples();
  /** Sequence number of every reply counted (parallel to `rtt`), when recorded (timelines); else null. */
  replySeq: Samples | null = null;
  private buf: Uint8Array;
  private readonly dst6: Dst6 | null;
  private readonly hl: number;
  constructor(readonly name: string, readonly ident: number, readonly host: AppHost, readonly dst: number,
    readonly intervalUs: number, readonly count: number, readonly sizeBytes: number,
    readonly startUs: number, readonly stopUs: number, dst6: Dst6 | null = null) {
    this.dst6 = dst6;
    this.hl = dst6 ? IPV6_HEADER : IPV4_HEADER;
    this.buf = new Uint8Array(this.hl + 8 + sizeBytes);
    for (let i = this.hl + 8 + 8; i < this.buf.length; i++) this.buf[i] = i & 0xff;
  }

  /** Send the next echo request; returns the time of the next one, or Infinity when done. */
  fire(): number {
    const b = this.buf, o = this.hl + 8, now = this.host.nowUs();
    put32(b, o, Math.floor(now / 4294967296)); put32(b, o + 4, now >>> 0);
    let send = true;
    if (this.dst6) {
      const src = this.host.addr6(), dst = this.dst6();
      if (src && dst) finishIcmp6Echo(b, this.sizeBytes, ICMP6_ECHO_REQUEST, src, dst, this.ident, this.sent & 0xffff); else send = false;
    } else finishIcmpEcho(b, this.sizeBytes, ICMP_ECHO_REQUEST, this.host.addr, this.dst, this.ident, this.sent & 0xffff, this.host.nextIpId());
    this.sent++;
    if (send) this.host.send(b);
    if (this.count > 0 && this.sent >= this.count) return Infinity;
    const next = this.startUs + Math.round(this.sent * this.intervalUs);
    return next < this.stopUs ? next : Infinity;
  }

  /** An echo reply for this ident: ICMP message at `off`, `len` bytes. */
  reply(b: Uint8Array, off: number, len: number, nowUs: number): void {
    const seq = get16(b, off + 6);
    if (len !== 8 + this.sizeBytes || seq >= this.sent) { this.bad++; return; }
    // Sequence numbers wrap at 65536; attribute to the most recent round with this value.
    const full = this.sent - 1 - ((this.sent - 1 - seq) & 0xffff);
    if (this.seen.has(full)) { this.duplicates++; return; }
    this.seen.add(full);
    this.received++;
    this.rtt.push(nowUs - (get32(b, off + 8) * 4294967296 + get32(b, off + 12)));
    if (this.replySeq) this.replySeq.push(full);
  }

  /** Send time (µs) of echo request `k`. */
  timeOf(k: number): number { return this.startUs + Math.round(k * this.intervalUs); }
}
