// Event records: firmware events (assembly/events.ts, docs/abi.md "Events", little-endian) decoded
// into named fields by the layout table schema/events.json (shared with host/wasm3/src/linux.rs), plus the simulator's own events (Wi-Fi association, handoffs). Written as JSON
// lines {t, node, kind, ...fields} with t in virtual milliseconds.

import { openSync, writeSync, closeSync } from "node:fs";
import { formatIp, formatMac } from "../config.js";
import LAYOUT from "../../../schema/events.json";

export type Fields = Record<string, unknown>;

function hex(b: Uint8Array): string { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }

/** One field of schema/events.json: read at `at` as `type`, or derived from an earlier field. */
interface EventField { name: string; at?: number; type?: string; enum?: string; from?: string; derive?: string; value?: number }
interface EventLayout { kind: number; name: string; fields: EventField[]; minLen: number }
const TYPES = LAYOUT.types as Record<string, { size: number }>;
const ENUMS = LAYOUT.enums as Record<string, { unknown: string; values: Record<string, string> }>;
const LETTERS = LAYOUT.derived.flagLetters as Record<string, string>;

/** Firmware event layouts by kind (schema/events.json), each with the length its fields need. */
export const FIRMWARE_EVENTS: Record<number, EventLayout> = Object.fromEntries((LAYOUT.events as EventLayout[]).map((e) => [e.kind,
  { ...e, minLen: Math.max(0, ...e.fields.filter((f) => f.type).map((f) => f.at! + TYPES[f.type!].size)) }]));

/** Registration Request flag letters, high bit first (RFC 2002 §3.3; "rfc3344": 0x02 is T, 0x01 reserved "x"). */
export function requestFlags(f: number, profile: "seeds" | "rfc3344" = "seeds"): string {
  let s = "";
  for (let i = 0; i < 8; i++) if (f & (0x80 >> i)) s += LETTERS[profile][i];
  return s;
}

/** Decode one firmware event into {kind, ...fields}; `profile`: the node's registration profile. */
export function decodeFirmwareEvent(kind: number, data: Uint8Array, profile: "seeds" | "rfc3344" = "seeds"): Fields {
  const d = FIRMWARE_EVENTS[kind];
  if (!d || data.length < d.minLen) return { kind: d ? d.name : `event_${kind}`, id: kind, hex: hex(data) };
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Fields = { kind: d.name };
  const raw: Record<string, number> = {};
  for (const f of d.fields) {
    if (f.derive) { out[f.name] = f.derive === "atMost" ? raw[f.from!] <= f.value! : requestFlags(raw[f.from!], profile); continue; }
    const at = f.at!;
    switch (f.type) {
      case "mac": out[f.name] = formatMac(data.subarray(at, at + 6)); continue;
      case "ipv4": out[f.name] = formatIp(dv.getUint32(at, true)); continue;
      case "u16": raw[f.name] = dv.getUint16(at, true); break;
      case "u32": raw[f.name] = dv.getUint32(at, true); break;
      default: raw[f.name] = data[at];
    }
    const e = f.enum ? ENUMS[f.enum] : undefined;
    out[f.name] = f.type === "bool" ? raw[f.name] !== 0 : e ? e.values[raw[f.name]] ?? `${e.unknown}${raw[f.name]}` : raw[f.name];
  }
  return out;
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
