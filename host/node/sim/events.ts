// Event records: firmware events (assembly/events.ts, docs/abi.md "Events", little-endian) decoded
// into named fields, plus the simulator's own events (Wi-Fi association, handoffs). Written as JSON
// lines {t, node, kind, ...fields} with t in virtual milliseconds.

import { openSync, writeSync, closeSync } from "node:fs";
import { formatIp, formatMac } from "../config.js";

export type Fields = Record<string, unknown>;

function hex(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }

/** Firmware event kinds by id: name and decoder (fields in record order). Unknown ids give hex. */
export const FIRMWARE_EVENTS: Record<number, { name: string; minLen: number; decode(b: Uint8Array, dv: DataView): Fields }> = {
  1: { name: "link", minLen: 8, decode: (b) => ({ iface: b[0], up: b[1] !== 0, bssid: formatMac(b.subarray(2, 8)) }) },
  2: { name: "arp_resolved", minLen: 14, decode: (b, dv) => ({ iface: b[0], ip: formatIp(dv.getUint32(4, true)), mac: formatMac(b.subarray(8, 14)) }) },
  3: { name: "arp_failed", minLen: 8, decode: (b, dv) => ({ iface: b[0], ip: formatIp(dv.getUint32(4, true)) }) },
  4: { name: "config_refused", minLen: 0, decode: () => ({}) },
};

/** Decode one firmware event into {kind, ...fields}. */
export function decodeFirmwareEvent(kind: number, data: Uint8Array): Fields {
  const d = FIRMWARE_EVENTS[kind];
  if (!d || data.length < d.minLen) return { kind: d ? d.name : `event_${kind}`, id: kind, hex: hex(data) };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { kind: d.name, ...d.decode(data, dv) };
}

/** Where events go: a JSON-lines file, memory (tests), and/or a callback. */
export class EventLog {
  readonly kept: Fields[] = [];
  private fd = -1;
  private lines: string[] = [];
  private pendingChars = 0;
  count = 0;

  constructor(path?: string | null, readonly keep = false, readonly onEvent?: (e: Fields) => void) {
    if (path) this.fd = openSync(path, "w");
  }

  /** True when anybody reads events (else callers may skip building them). */
  get active(): boolean { return this.fd >= 0 || this.keep || !!this.onEvent; }

  /** Record one event at `tUs` for `node` (null for the network itself). */
  emit(tUs: number, node: string | null, kind: string, fields: Fields): void {
    this.count++;
    if (!this.active) return;
    const e: Fields = { t: Math.round(tUs) / 1000, node, kind, ...fields };
    if (this.keep) this.kept.push(e);
    this.onEvent?.(e);
    if (this.fd >= 0) {
      const line = JSON.stringify(e);
      this.lines.push(line);
      this.pendingChars += line.length;
      if (this.pendingChars > 1 << 20) this.flush();
    }
  }

  flush(): void {
    if (this.fd < 0 || this.lines.length === 0) return;
    writeSync(this.fd, this.lines.join("\n") + "\n");
    this.lines = [];
    this.pendingChars = 0;
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
