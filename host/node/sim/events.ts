// Event records: firmware events (assembly/events.ts, docs/abi.md "Events", little-endian) decoded
// into named fields, plus the simulator's own events (Wi-Fi association, handoffs). Written as JSON
// lines {t, node, kind, ...fields} with t in virtual milliseconds.

import { openSync, writeSync, closeSync } from "node:fs";
import { formatIp, formatMac } from "../config.js";

export type Fields = Record<string, unknown>;

function hex(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }

/** Firmware event kinds by id: name and decoder (fields in record order). Unknown ids give hex. */
export const FIRMWARE_EVENTS: Record<number, { name: string; minLen: number; decode(b: Uint8Array, dv: DataView, profile: "seeds" | "rfc3344"): Fields }> = {
  1: { name: "link", minLen: 8, decode: (b) => ({ iface: b[0], up: b[1] !== 0, bssid: formatMac(b.subarray(2, 8)) }) },
  2: { name: "arp_resolved", minLen: 14, decode: (b, dv) => ({ iface: b[0], ip: formatIp(dv.getUint32(4, true)), mac: formatMac(b.subarray(8, 14)) }) },
  3: { name: "arp_failed", minLen: 8, decode: (b, dv) => ({ iface: b[0], ip: formatIp(dv.getUint32(4, true)) }) },
  4: { name: "config_refused", minLen: 0, decode: () => ({}) },
  // Mobile IP (assembly/events.ts, docs/abi.md "Events"): addresses are host-order u32, little-endian.
  5: {
    name: "reg_request", minLen: 16, decode: (b, dv, profile) => ({
      home: ip(dv, 0), ha: ip(dv, 4), coa: ip(dv, 8), lifetimeSec: dv.getUint16(12, true), flags: b[14],
      flagNames: requestFlags(b[14], profile), viaFa: b[15] !== 0,
    }),
  },
  6: {
    name: "reg_reply", minLen: 15, decode: (b, dv) => ({
      home: ip(dv, 0), ha: ip(dv, 4), coa: ip(dv, 8), lifetimeSec: dv.getUint16(12, true), code: b[14], accepted: b[14] <= 1,
    }),
  },
  7: {
    name: "move", minLen: 12, decode: (b, dv) => ({
      iface: b[0], reason: MOVE_REASONS[b[1]] ?? `reason_${b[1]}`, seq: dv.getUint16(2, true), agent: ip(dv, 4), coa: ip(dv, 8),
    }),
  },
  8: {
    name: "binding", minLen: 12, decode: (b, dv) => ({
      op: BINDING_OPS[b[0]] ?? `op_${b[0]}`, lifetimeSec: dv.getUint16(2, true), home: ip(dv, 4), coa: ip(dv, 8),
    }),
  },
  9: {
    name: "visitor", minLen: 12, decode: (b, dv) => ({
      op: VISITOR_OPS[b[0]] ?? `op_${b[0]}`, code: b[1], lifetimeSec: dv.getUint16(2, true), home: ip(dv, 4), ha: ip(dv, 8),
    }),
  },
  10: {
    name: "auth_failed", minLen: 12, decode: (b, dv) => ({
      role: ROLES[b[0]] ?? `role_${b[0]}`, extType: b[1], code: b[2], peer: ip(dv, 4), spi: dv.getUint32(8, true),
    }),
  },
  11: { name: "reg_denied", minLen: 8, decode: (b, dv) => ({ role: ROLES[b[0]] ?? `role_${b[0]}`, code: b[1], home: ip(dv, 4) }) },
  12: {
    name: "dhcp", minLen: 16, decode: (b, dv) => ({
      op: DHCP_OPS[b[0]] ?? `op_${b[0]}`, addr: ip(dv, 4), router: ip(dv, 8), leaseSec: dv.getUint32(12, true),
    }),
  },
  13: { name: "home", minLen: 8, decode: (b, dv) => ({ atHome: b[0] !== 0, agent: ip(dv, 4) }) },
};

function ip(dv: DataView, off: number): string { return formatIp(dv.getUint32(off, true)); }

/** Enumerations of the Mobile IP event records (assembly/events.ts). */
export const MOVE_REASONS: Record<number, string> = { 1: "new_agent", 2: "lifetime_expired", 3: "prefix_change", 4: "agent_reboot", 5: "link", 6: "home" };
export const BINDING_OPS: Record<number, string> = { 1: "add", 2: "refresh", 3: "deregister", 4: "expire" };
export const VISITOR_OPS: Record<number, string> = { 1: "pending", 2: "accepted", 3: "denied", 4: "removed", 5: "expired" };
export const ROLES: Record<number, string> = { 1: "mobile-node", 2: "foreign-agent", 3: "home-agent" };
export const DHCP_OPS: Record<number, string> = { 1: "bound", 2: "renewed", 3: "lost" };

/**
 * Registration Request flag letters, high bit first (RFC 2002 §3.3; P 0x02 and R 0x01 per SPEC-DECISIONS).
 * In the "rfc3344" registration profile 0x02 is T (RFC 3024) and 0x01 reserved ("x"), as docs/interop.md says.
 */
export function requestFlags(f: number, profile: "seeds" | "rfc3344" = "seeds"): string {
  const names = profile === "rfc3344" ? ["S", "B", "D", "M", "G", "V", "T", "x"] : ["S", "B", "D", "M", "G", "V", "P", "R"];
  let s = "";
  for (let i = 0; i < 8; i++) if (f & (0x80 >> i)) s += names[i];
  return s;
}

/** Decode one firmware event into {kind, ...fields}; `profile`: the node's registration profile. */
export function decodeFirmwareEvent(kind: number, data: Uint8Array, profile: "seeds" | "rfc3344" = "seeds"): Fields {
  const d = FIRMWARE_EVENTS[kind];
  if (!d || data.length < d.minLen) return { kind: d ? d.name : `event_${kind}`, id: kind, hex: hex(data) };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { kind: d.name, ...d.decode(data, dv, profile) };
}

/** Where events go: a JSON-lines file, memory (tests), and/or a callback. */
export class EventLog {
  readonly kept: Fields[] = [];
  private fd = -1;
  private lines: string[] = [];
  private pendingChars = 0;
  count = 0;

  /** `keep`: keep every event in `kept`, or only those whose kind is in the set (timelines). */
  constructor(path?: string | null, readonly keep: boolean | ReadonlySet<string> = false, readonly onEvent?: (e: Fields) => void) {
    if (path) this.fd = openSync(path, "w");
  }

  /** True when anybody reads events (else callers may skip building them). */
  get active(): boolean { return this.fd >= 0 || this.keep !== false || !!this.onEvent; }

  /** Record one event at `tUs` for `node` (null for the network itself). */
  emit(tUs: number, node: string | null, kind: string, fields: Fields): void {
    this.count++;
    if (!this.active) return;
    const e: Fields = { t: Math.round(tUs) / 1000, node, kind, ...fields };
    if (this.keep === true || (this.keep !== false && this.keep.has(kind))) this.kept.push(e);
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
