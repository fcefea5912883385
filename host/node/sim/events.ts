// Event records: firmware events (assembly/events.ts, docs/abi.md "Events", little-endian) decoded
// into named fields by the one layout table both hosts read (schema/events.json), plus the simulator's own events (Wi-Fi association, handoffs). Written as JSON
// lines in mipfw-board's format (eventLine: tMs, node, kind id, name, fields, names of codes).

import { openSync, writeSync, closeSync } from "node:fs";
import { formatMac } from "../config.js";
import eventTable from "../../../schema/events.json";
import { replyCodeName, ba6StatusName, roStatusName } from "../names.js";

export type Fields = Record<string, unknown>;

function hex(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }

/** One field of an event record (schema/events.json). */
export interface EventField { name: string; at: number; type: string; enum?: string }
/** The event layout table both hosts decode (schema/events.json). */
export interface EventTable {
  enums: Record<string, { prefix: string; names: Record<string, string> }>;
  events: { kind: number; name: string; fields: EventField[] }[];
}
export const EVENT_TABLE: EventTable = eventTable as EventTable;

const FIELD_SIZE: Record<string, number> = { u8: 1, bool: 1, enum: 1, regflags: 1, accepted: 1, u16: 2, u32: 4, addr: 16, mac: 6 };

/**
 * Text of a 16-byte address (network order): an IPv4-mapped address ::ffff:a.b.c.d as the dotted
 * quad a.b.c.d (as events showed IPv4 before ABI v2), any other in RFC 5952 form (lower-case hex,
 * no leading zeros, the longest run of two or more zero groups — the first of equal runs — as "::").
 */
export function formatAddr(b: Uint8Array): string {
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hexs = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return best < 0 ? hexs(g) : `${hexs(g.slice(0, best))}::${hexs(g.slice(best + bestLen))}`;
}

/** Firmware event kinds by id: name, the record's least length and decoder (fields in table order). */
export const FIRMWARE_EVENTS: Record<number, { name: string; minLen: number; decode(b: Uint8Array, dv: DataView, profile: "seeds" | "rfc3344"): Fields }> = {};
for (const e of EVENT_TABLE.events) {
  let minLen = 0;
  for (const f of e.fields) {
    const size = FIELD_SIZE[f.type];
    if (size === undefined) throw new Error(`schema/events.json: ${e.name}.${f.name}: unknown type ${f.type}`);
    minLen = Math.max(minLen, f.at + size);
  }
  FIRMWARE_EVENTS[e.kind] = { name: e.name, minLen, decode: (b, dv, profile) => decodeFields(e.fields, b, dv, profile) };
}

/** The named fields of one record (types in schema/events.json's "about"). */
function decodeFields(fields: EventField[], b: Uint8Array, dv: DataView, profile: "seeds" | "rfc3344"): Fields {
  const out: Fields = {};
  for (const f of fields) {
    const v = b[f.at];
    switch (f.type) {
      case "u8": out[f.name] = v; break;
      case "bool": out[f.name] = v !== 0; break;
      case "u16": out[f.name] = dv.getUint16(f.at, true); break;
      case "u32": out[f.name] = dv.getUint32(f.at, true); break;
      case "addr": out[f.name] = formatAddr(b.subarray(f.at, f.at + 16)); break;
      case "mac": out[f.name] = formatMac(b.subarray(f.at, f.at + 6)); break;
      case "regflags": out[f.name] = requestFlags(v, profile); break;
      case "accepted": out[f.name] = v <= 1; break;
      case "enum": {
        const en = EVENT_TABLE.enums[f.enum ?? ""];
        out[f.name] = en?.names[String(v)] ?? `${en?.prefix ?? "value"}_${v}`;
        break;
      }
    }
  }
  return out;
}

/** Enumerations of the Mobile IP event records (schema/events.json). */
const enumNames = (n: string): Record<number, string> => EVENT_TABLE.enums[n].names as unknown as Record<number, string>;
export const MOVE_REASONS = enumNames("moveReason");
export const BINDING_OPS = enumNames("bindingOp");
export const VISITOR_OPS = enumNames("visitorOp");
export const ROLES = enumNames("role");
export const DHCP_OPS = enumNames("dhcpOp");

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

/** Firmware event ids by name (the "kind" number mipfw-board writes). */
const FIRMWARE_IDS = new Map<string, number>(EVENT_TABLE.events.map((e) => [e.name, e.kind]));
const LOG_LEVELS = ["error", "warning", "info", "debug"];

/**
 * One event as the line written to --events, in mipfw-board's format (host/wasm3/src/linux.rs
 * event_json): {"tMs", "node", "kind" (the firmware event id; absent for the simulator's own events),
 * "name", ...fields}, plus the names of numbers a person would otherwise look up: "codeName" beside a
 * Registration Reply code (Wireshark's text), a Binding Acknowledgement status (seed 003), "statusName"
 * beside a route-optimization status (seed 001), log levels as words.
 */
export function eventLine(tMs: number, node: string | null, name: string, fields: Fields): Fields {
  // An id the table does not know: decodeFirmwareEvent named it event_<id> and kept the id.
  const id = FIRMWARE_IDS.get(name) ?? (name.startsWith("event_") && typeof fields.id === "number" ? fields.id : undefined);
  const e: Fields = id === undefined ? { tMs, node, name, ...fields } : { tMs, node, kind: id, name, ...fields };
  const code = typeof fields.code === "number" ? fields.code : null;
  switch (name) {
    case "reg_reply":
      if (code !== null) e.codeName = String(fields.coa).includes(":") ? ba6StatusName(code) : replyCodeName(code);
      break;
    case "reg_denied": case "visitor": case "dr_route": case "dr_reg":
      if (code !== null && (code !== 0 || name === "reg_denied")) e.codeName = replyCodeName(code);
      break;
    case "auth_failed":
      if (code) e.codeName = replyCodeName(code);
      break;
    case "ro_binding":
      if (typeof fields.status === "number" && (fields.status !== 0 || fields.op === "refused")) e.statusName = roStatusName(fields.status);
      break;
    case "log":
      if (typeof fields.level === "number") e.level = LOG_LEVELS[fields.level] ?? fields.level;
      break;
  }
  return e;
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
      const line = JSON.stringify(eventLine(e.t as number, node, kind, fields));
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
