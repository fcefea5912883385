// pcap writer (the classic libpcap format, microsecond timestamps, LINKTYPE_ETHERNET = 1) that opens
// in Wireshark and tshark. Records are buffered and written in large chunks; timestamps come from the
// caller (virtual time in the simulator), never from a clock.

import { openSync, writeSync, closeSync } from "node:fs";

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const CHUNK = 1 << 20;

/** pcap global header bytes for `linktype` and `snaplen`. */
export function pcapHeader(linktype = LINKTYPE_ETHERNET, snaplen = 65535): Uint8Array {
  const b = new Uint8Array(GLOBAL_HEADER);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, PCAP_MAGIC, true);
  dv.setUint16(4, 2, true);  // version major
  dv.setUint16(6, 4, true);  // version minor
  dv.setInt32(8, 0, true);   // thiszone: timestamps are UTC (virtual time from 0)
  dv.setUint32(12, 0, true); // sigfigs
  dv.setUint32(16, snaplen, true);
  dv.setUint32(20, linktype, true);
  return b;
}

/** Accumulates pcap records in memory; `bytes()` gives the whole file. Used directly by tests. */
export class PcapBuffer {
  protected buf = new Uint8Array(CHUNK);
  protected dv = new DataView(this.buf.buffer);
  protected len = 0;
  records = 0;

  constructor(readonly snaplen = 65535, linktype = LINKTYPE_ETHERNET) {
    this.buf.set(pcapHeader(linktype, snaplen), 0);
    this.len = GLOBAL_HEADER;
  }

  /** Append one frame captured at `tUs` microseconds. */
  write(tUs: number, frame: Uint8Array): void {
    const incl = Math.min(frame.length, this.snaplen);
    this.reserve(RECORD_HEADER + incl);
    const sec = Math.floor(tUs / 1e6);
    const usec = tUs - sec * 1e6;
    const o = this.len;
    this.dv.setUint32(o, sec, true);
    this.dv.setUint32(o + 4, usec, true);
    this.dv.setUint32(o + 8, incl, true);
    this.dv.setUint32(o + 12, frame.length, true);
    this.buf.set(incl === frame.length ? frame : frame.subarray(0, incl), o + RECORD_HEADER);
    this.len = o + RECORD_HEADER + incl;
    this.records++;
  }

  protected reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  bytes(): Uint8Array { return this.buf.slice(0, this.len); }
  close(): void {}
}

/** A pcap file on disk: buffered, flushed every megabyte and on close. */
export class PcapFile extends PcapBuffer {
  private fd: number;

  constructor(readonly path: string, snaplen = 65535) {
    super(snaplen);
    this.fd = openSync(path, "w");
  }

  protected reserve(n: number): void {
    if (this.len + n > this.buf.length) this.flush();
    super.reserve(n);
  }

  flush(): void {
    if (this.fd < 0 || this.len === 0) return;
    writeSync(this.fd, this.buf, 0, this.len);
    this.len = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Parse a pcap file into records (for tests and tools). Throws on a malformed file. */
export function readPcap(bytes: Uint8Array): { linktype: number; records: { tUs: number; origLen: number; data: Uint8Array }[] } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < GLOBAL_HEADER || dv.getUint32(0, true) !== PCAP_MAGIC) throw new Error("not a little-endian microsecond pcap file");
  const linktype = dv.getUint32(20, true);
  const records = [];
  let o = GLOBAL_HEADER;
  while (o < bytes.length) {
    if (o + RECORD_HEADER > bytes.length) throw new Error(`truncated record header at ${o}`);
    const sec = dv.getUint32(o, true), usec = dv.getUint32(o + 4, true);
    const incl = dv.getUint32(o + 8, true), orig = dv.getUint32(o + 12, true);
    if (usec >= 1e6) throw new Error(`bad microseconds ${usec} at ${o}`);
    if (o + RECORD_HEADER + incl > bytes.length) throw new Error(`truncated record at ${o}`);
    records.push({ tUs: sec * 1e6 + usec, origLen: orig, data: bytes.slice(o + RECORD_HEADER, o + RECORD_HEADER + incl) });
    o += RECORD_HEADER + incl;
  }
  return { linktype, records };
}

/** What a segment writes captured frames to (a pcap file, or one interface of a pcapng file). */
export interface FrameTap { write(tUs: number, frame: Uint8Array): void; close(): void }

/**
 * The firmware's clock at virtual time 0, as Unix seconds: NTP_BASE_SEC (assembly/security/replay.ts,
 * 3976214400 s since 1900) minus the 70 years between the NTP and Unix epochs = 2026-01-01T00:00:00Z.
 * A capture stamped from here shows the same wall-clock time as the Identification fields in it (nodes
 * with mobility.clockOffsetSec 0).
 */
export const FIRMWARE_EPOCH_UNIX_SEC = 3976214400 - 2208988800;

const PCAPNG_SHB = 0x0a0d0d0a, PCAPNG_IDB = 1, PCAPNG_EPB = 6, BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const pad4 = (n: number) => (n + 3) & ~3;

/** pcapng option bytes: code, length, value padded to 32 bits; the list ends with opt_endofopt. */
function pcapngOptions(opts: [number, Uint8Array][]): Uint8Array {
  const len = opts.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + (opts.length ? 4 : 0);
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  let o = 0;
  for (const [code, v] of opts) {
    dv.setUint16(o, code, true); dv.setUint16(o + 2, v.length, true);
    b.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  return b; // the last 4 bytes stay zero: opt_endofopt
}

/** A block: type, total length, body, total length again. */
function pcapngBlock(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + body.length;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, true); dv.setUint32(4, total, true);
  b.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return b;
}

/**
 * One pcapng file for a whole run (issue 14 point 5): a Section Header Block, an Interface Description
 * Block per segment or access point cell named after it (if_name), then Enhanced Packet Blocks with
 * microsecond timestamps from `startUnixSec` (the firmware's epoch by default). Little-endian.
 */
export class PcapngFile {
  private fd: number;
  private chunks: Uint8Array[] = [];
  private pending = 0;
  private ifaces = 0;
  private opened = 0;
  records = 0;

  constructor(readonly path: string, readonly startUnixSec = FIRMWARE_EPOCH_UNIX_SEC, readonly snaplen = 65535, app = "mipfw") {
    this.fd = openSync(path, "w");
    const opts = pcapngOptions([[4, new TextEncoder().encode(app)]]); // shb_userappl
    const body = new Uint8Array(16 + opts.length);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, BYTE_ORDER_MAGIC, true);
    dv.setUint16(4, 1, true); dv.setUint16(6, 0, true);
    dv.setBigInt64(8, -1n, true); // section length not given
    body.set(opts, 16);
    this.push(pcapngBlock(PCAPNG_SHB, body));
  }

  /** Describe one more interface (call every one before any frame); its tap writes frames on it. */
  iface(name: string, description?: string): FrameTap {
    const id = this.ifaces++;
    const te = new TextEncoder();
    const opts = pcapngOptions([[2, te.encode(name)], ...(description ? [[3, te.encode(description)] as [number, Uint8Array]] : []), [9, Uint8Array.of(6)]]); // if_name, if_description, if_tsresol 10^-6
    const body = new Uint8Array(8 + opts.length);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, LINKTYPE_ETHERNET, true);
    dv.setUint32(4, this.snaplen, true);
    body.set(opts, 8);
    this.push(pcapngBlock(PCAPNG_IDB, body));
    this.opened++;
    return { write: (tUs, frame) => this.write(id, tUs, frame), close: () => { if (--this.opened === 0) this.close(); } };
  }

  /** One frame on interface `id` at virtual time `tUs` (µs from the start of the run). */
  write(id: number, tUs: number, frame: Uint8Array): void {
    const incl = Math.min(frame.length, this.snaplen);
    const body = new Uint8Array(20 + pad4(incl));
    const dv = new DataView(body.buffer);
    const ts = this.startUnixSec * 1e6 + Math.round(tUs); // < 2^53 until the year 2255
    dv.setUint32(0, id, true);
    dv.setUint32(4, Math.floor(ts / 2 ** 32), true); dv.setUint32(8, ts % 2 ** 32, true);
    dv.setUint32(12, incl, true); dv.setUint32(16, frame.length, true);
    body.set(incl === frame.length ? frame : frame.subarray(0, incl), 20);
    this.push(pcapngBlock(PCAPNG_EPB, body));
    this.records++;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.pending += b.length;
    if (this.pending >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.fd < 0 || this.chunks.length === 0) return;
    const all = new Uint8Array(this.pending);
    let o = 0;
    for (const c of this.chunks) { all.set(c, o); o += c.length; }
    writeSync(this.fd, all);
    this.chunks = [];
    this.pending = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Both taps get every frame (--pcap DIR and --pcapng FILE together). */
export function teeTaps(a: FrameTap | null, b: FrameTap | null): FrameTap | null {
  if (!a || !b) return a ?? b;
  return { write: (t, f) => { a.write(t, f); b.write(t, f); }, close: () => { a.close(); b.close(); } };
}
