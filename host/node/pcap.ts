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
