// Node configuration: JSON as users write it, validated field by field, then encoded into the
// binary form the core reads (docs/abi.md "Configuration"). The fields, ranges, defaults and record
// keys are data (schema/config.fields.json, shared with host/wasm3/src/config.rs); this file walks
// them generically, plus the few cross-field rules the schema names. Every refusal names the field,
// what was expected and what was found; an invalid configuration never starts a board. The same walker
// validates scenario files from schema/scenario.fields.json (host/node/sim/scenario.ts).

import esp32 from "../../boards/esp32.json";
import esp32c3 from "../../boards/esp32-c3.json";
import rpiZero2w from "../../boards/rpi-zero-2w.json";
import rpi4 from "../../boards/rpi4.json";
import linux from "../../boards/linux.json";
import emulated from "../../boards/emulated.json";
import mcuRv32Virt from "../../boards/mcu-rv32-virt.json";
import SCHEMA from "../../schema/config.fields.json";

export interface Sizes {
  arpEntries: number; routes: number; timers: number; pendingFrames: number; frameBytes: number;
  bindings: number; visitors: number; securityAssocs: number;
  /** IPv4 reassembly (RFC 1122 §3.3.2): datagrams to this node reassembled at once, and the largest one. */
  reassemblySlots: number; reassemblyBytes: number;
  /** Route optimization (seed 001): binding cache entries, (node, binding) pairs, frames held at a previous foreign agent. */
  bindingCache: number; roPeers: number; handoffBufferFrames: number; serverEntries: number; careOfRoutes: number;
}
export interface BoardProfile {
  name: string; description: string; memoryPages: number; maxInterfaces: number; mtu: number; sizes: Sizes;
}
export interface IfaceConfig {
  name: string; mac: Uint8Array; ip: number; prefixLen: number; mtu: number;
  /** Agents advertise here; the home agent's home network; the mobile node may use DHCP here. */
  advertise: boolean; home: boolean; dhcp: boolean;
}
export type Encapsulation = "ipip" | "minimal" | "gre";
/** Mobile IP settings (docs/abi.md MOBILITY record); every field has a default. */
export interface MobilityConfig {
  homeAddress: number; homeAgent: number; homePrefixLen: number; lifetimeSec: number;
  advertIntervalMs: number; advertLifetimeSec: number; encapsulations: Encapsulation[];
  maxBindingsPerNode: number; request: { simultaneous: boolean; broadcast: boolean; encapsulation: Encapsulation };
  colocated: "never" | "auto" | "always"; replay: "timestamps" | "nonces"; replayWindowSec: number;
  clockOffsetSec: number; busy: boolean; retransmitMs: number; retransmitMaxMs: number; solicitIntervalMs: number;
  /** Mobile node: send through a reverse tunnel to the home agent; foreign agent: offer reverse tunnelling (RFC 3024). */
  reverseTunnel: boolean;
  /** Meaning of request flag bits 0x02 / 0x01: "seeds" (P, R) or "rfc3344" (T, reserved) — docs/decisions.md. */
  registrationProfile: "seeds" | "rfc3344";
}
/** What a security association authenticates (RFC 2002 §3.5.2-3.5.4); only that use verifies with it. */
export type SaUse = "mobile-home" | "mobile-foreign" | "foreign-home" | "correspondent" | "master" | "agent-server" | "mobile-server" | "server-server";
export interface SecurityAssociation {
  peer: number; spi: number; algorithm: "keyed-md5" | "hmac-md5"; key: Uint8Array;
  replay: "timestamps" | "nonces"; coverSpi: boolean; use: SaUse;
}
export interface RouteConfig { dest: number; prefixLen: number; via: number; iface: number }
export interface NodeOptions {
  defaultTtl: number; arpTimeoutSec: number; arpRetries: number; icmpErrorsPerSec: number; logLevel: number;
  ipv6: "off" | "dual" | "only"; dadTransmits: number; retransTimerMs: number; reachableTimeMs: number; raIntervalMs: number; raLifetimeSec: number;
}
export type Role = "host" | "router" | "mobile-node" | "foreign-agent" | "home-agent" | "registration-server" | "care-of-agent";
/** A configuration that passed validation: every field present and in range. */
export interface ValidConfig {
  name: string;
  board: BoardProfile;
  roles: Role[];
  interfaces: IfaceConfig[];
  routes: RouteConfig[];
  sizes: Sizes;
  node: NodeOptions;
  mobility: MobilityConfig;
  securityAssociations: SecurityAssociation[];
  /** IPv6 addresses configured on the interfaces (node.ipv6 "dual" or "only"). */
  ipv6: Ipv6Address[];
  /** IPsec AH peers (IPv6). */
  ipsec: IpsecPeer[];
  /** Static IPv6-in-IPv6 tunnels: [prefix bytes, length], remote and local (16 bytes, local optional). */
  tunnels6: { dest: [number[], number]; remote: number[]; local?: number[] }[];
  routes6: { dest: [number[], number]; via?: number[]; iface: string }[];
  /** IPv6 multicast groups joined (images with Mobile IPv6): the interface's name, the group (16 bytes), and how a mobile node joins it away from home. */
  ipv6Groups: { iface: string; group: number[]; away: "tunnel" | "local" }[];
}

/** A configured IPv6 address: the interface's name, [16 bytes, prefix length], and what a router advertises. */
export interface Ipv6Address { iface: string; address: [number[], number]; advertise: boolean; home: boolean; validSec: number; preferredSec: number }

/** A manually keyed AH peer: its address (16 bytes), SPIs, algorithm, key, window, inbound policy. */
export interface IpsecPeer { peer: number[]; spiIn: number; spiOut: number; algorithm: string; key: Uint8Array; window: number; require: boolean }

export const BOARDS: Record<string, BoardProfile> = Object.fromEntries(
  [esp32, esp32c3, rpiZero2w, rpi4, linux, emulated, mcuRv32Virt].map((b) => [b.name, b as BoardProfile]),
);

/** Thrown with every problem found, one per line, each naming its field. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) { super(problems.join("\n")); }
}

// ---- the schema (schema/config.fields.json) --------------------------------------------------------

type Ref = { ref: string; minus?: number };
/** The field types the walker knows (schema/config.fields.json, schema/scenario.fields.json). */
export const FIELD_TYPES = ["object", "list", "integer", "number", "boolean", "enum", "string", "ipv4", "cidr4", "cidr6", "ip6", "mac", "key", "any", "ref", "map", "variant", "hex", "span"] as const;
/** One field of a description; see docs/abi.md "Configuration schema" and docs/scenarios.md. */
export interface Field {
  type: typeof FIELD_TYPES[number];
  required?: boolean; default?: unknown; expected?: string; unique?: string; rules?: string[]; description?: string;
  fields?: Record<string, Field>; unknown?: string;
  items?: Field; min?: number | Ref; max?: number | Ref; maxExpected?: string; countNoun?: string; implies?: Record<string, string[]>;
  values?: Record<string, number> | "boards" | "interfaces"; literals?: Record<string, string>;
  chars?: string; minLength?: number; maxLength?: number; unicast?: boolean; multicast?: boolean; nonzero?: boolean;
  record?: string; key?: number; at?: number; as?: "u8" | "u16" | "u32"; bits?: number; shift?: number; prefixAt?: number; lenAt?: number; combine?: "or";
  /** cidr4: the prefix lengths accepted. */
  minPrefix?: number; maxPrefix?: number;
  /** ref: a name of something elsewhere, any value to the walker: the rules the field names check it, absent or not. nullable: null is a value too (for the JSON Schema). */
  nullable?: boolean;
  /** hex: the byte count accepted and the characters left out before decoding (a regular expression class, like chars). */
  minBytes?: number; maxBytes?: number; ignore?: string;
  /** variant: an object whose fields depend on its `tag` field (absent: tagDefault). */
  tag?: string; tagDefault?: string; tagExpected?: string; variants?: Record<string, Field | { same: string }>;
  /** object: the fields not listed form a node configuration (validated by the walk's `rest` hook), kept as this name. */
  rest?: string;
  /** The value may be given under an older field name, as an object with field `has`; both at once is refused. */
  legacy?: { field: string; has: string; conflict: string };
  /** (A scenario's "ref" field) the value is as the node configuration's field of this name, checked by the field's rules. */
  sameAs?: string;
}
/** Keys a field may carry (the Field interface above), for checking descriptions. */
export const FIELD_KEYS = ["type", "required", "default", "expected", "unique", "rules", "description", "fields", "unknown", "items", "min", "max", "maxExpected", "countNoun", "implies",
  "values", "literals", "chars", "minLength", "maxLength", "unicast", "multicast", "nonzero", "record", "key", "at", "as", "bits", "shift", "prefixAt", "lenAt", "combine",
  "minPrefix", "maxPrefix", "nullable", "minBytes", "maxBytes", "ignore", "tag", "tagDefault", "tagExpected", "variants", "rest", "legacy", "sameAs"];
/** A description the walker walks: expected texts per type, named rules, the root object. */
export interface Description { types: Record<string, Record<string, string>>; rules: Record<string, string>; root: Field }
interface RecordDef { name: string; type: number; form: "kv" | "struct"; list?: string; size?: number; indexAt?: number; later?: boolean; countKey?: { record: string; key: number }; fixed?: { key: number; from: string }[] }
const ROOT = SCHEMA.root as unknown as Field;
export const CONFIG_DESCRIPTION = SCHEMA as unknown as Description;
const RECORDS = SCHEMA.records as RecordDef[];
const fieldAt = (path: string): Field => path.split(".").reduce((f, k) => f.fields![k], ROOT);
export const DEFAULT_BOARD = fieldAt("board").default as string;

/** Ranges the core also enforces (assembly/config.ts), from the schema. */
export const SIZE_RANGES = Object.fromEntries(Object.entries(fieldAt("sizes").fields!).map(([k, f]) => [k, [f.min, f.max]])) as Record<keyof Sizes, [number, number]>;

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** Parse "a.b.c.d" into a host-order u32, or null. */
export function parseIp(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function formatIp(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Parse "a.b.c.d/len" into [addr, len], or null. */
export function parseCidr(s: unknown): [number, number] | null {
  if (typeof s !== "string") return null;
  const [a, l, ...rest] = s.split("/");
  const ip = parseIp(a);
  if (ip === null || rest.length || l === undefined || !/^\d{1,2}$/.test(l) || Number(l) > 32) return null;
  return [ip, Number(l)];
}

/**
 * Parse an IPv6 address in the text forms of RFC 4291 §2.2 (hexadecimal groups, one "::", a dotted
 * IPv4 tail) into 16 bytes, or null.
 */
export function parseIp6(s: unknown): number[] | null {
  if (typeof s !== "string" || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  const tail: number[] = [];
  const dot = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = parseIp(text.slice(dot + 1));
    if (v4 === null) return null;
    tail.push(v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
    text = text.slice(0, dot + 1) + (text[dot - 1] === ":" ? "" : "0");
    if (text.endsWith(":0")) text = text.slice(0, -2); else if (text.endsWith(":")) text = text.slice(0, -1);
    if (text === "") text = "::";
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]), rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const want = 8 - tail.length / 2;
  const fill = want - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const words = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...rest].map((g) => parseInt(g, 16));
  return [...words.flatMap((w) => [w >> 8, w & 255]), ...tail];
}

/** Format 16 bytes as RFC 5952 text (lower case, the longest run of two or more zero groups as "::"). */
export function formatIp6(b: ArrayLike<number>): string {
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** Parse "addr/len" (IPv6) into [16 bytes, len], or null. */
export function parseCidr6(s: unknown): [number[], number] | null {
  if (typeof s !== "string") return null;
  const [a, l, ...rest] = s.split("/");
  const ip = parseIp6(a);
  if (ip === null || rest.length || l === undefined || !/^\d{1,3}$/.test(l) || Number(l) > 128) return null;
  return [ip, Number(l)];
}

export function parseMac(s: unknown): Uint8Array | null {
  if (typeof s !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)) return null;
  return Uint8Array.from(s.split(":").map((h) => parseInt(h, 16)));
}

export function formatMac(m: Uint8Array): string {
  return Array.from(m.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(":");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A key as configurations write it: hex, or "text:..." (UTF-8); null when neither or empty. */
export function parseKey(v: unknown): Uint8Array | null {
  if (typeof v !== "string") return null;
  if (v.startsWith("text:")) { const b = new TextEncoder().encode(v.slice(5)); return b.length ? b : null; }
  if (!/^([0-9a-fA-F]{2})+$/.test(v)) return null;
  return Uint8Array.from(v.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** A validated value: JSON scalars, numbers for ipv4, [addr, len] for cidr4, bytes for mac/key/hex. */
export type Tree = Record<string, any>;
const MISSING = Symbol("missing");
/** The rest of an object with `rest` (a scenario's board node: its node configuration). */
export type RestHook = (w: Walk, raw: Record<string, unknown>, field: string) => unknown;

/** An object field whose value cannot be made of defaults alone (a field of it is required). */
const needsInput = (f: Field): boolean => Object.values(f.fields ?? {}).some((x) => x.required);

/** One validation: where problems go, the board profiles, and the configuration built so far. */
export class Walk {
  readonly p: string[] = [];
  readonly tree: Tree = {};
  readonly types: Record<string, Record<string, string>>;
  constructor(readonly where: string, readonly boards: Record<string, BoardProfile>, d: Description = CONFIG_DESCRIPTION, readonly rest?: RestHook) {
    this.types = d.types;
  }

  bad(field: string, expected: string, got: unknown): void { this.p.push(`${this.where}.${field}: expected ${expected}, got ${show(got)}`); }

  /** The board profile named by the configuration, else the schema's stand-in for an unknown one. */
  board(): BoardProfile {
    const b = this.boards[this.tree.board];
    if (b) return b;
    const u = SCHEMA.unknownBoard;
    return { name: u.name, maxInterfaces: u.maxInterfaces, mtu: u.mtu, sizes: (this.boards[u.sizesOf] ?? emulated).sizes } as BoardProfile;
  }

  /** "board.x.y" from the board profile, anything else from the configuration built so far. */
  ref(path: string): any {
    const [head, ...rest] = path.split(".");
    return rest.reduce((o, k) => o?.[k], head === "board" ? this.board() as any : this.tree[head]);
  }
  num(v: number | Ref | undefined, dflt: number): number {
    if (v === undefined) return dflt;
    return typeof v === "number" ? v : this.ref(v.ref) - (v.minus ?? 0);
  }
  values(f: Field): string[] {
    if (f.values === "boards") return Object.keys(this.boards);
    if (f.values === "interfaces") return (this.tree.interfaces ?? []).filter(Boolean).map((x: Tree) => x.name).filter((n: unknown) => n !== undefined);
    return Object.keys(f.values!);
  }
  /** The expected text of `f`, its placeholders filled. */
  expected(f: Field): string {
    const t = f.expected ?? this.types[f.type].expected;
    return t.replace(/\{([A-Za-z.]+)\}/g, (_, k: string) =>
      k === "min" ? String(this.num(f.min, 0)) : k === "max" ? String(this.num(f.max, Infinity))
        : k === "values" ? this.values(f.items ?? f).join(", ") : String(this.ref(k)));
  }

  /** Validate `raw` (MISSING when absent) against `f`; the value, or undefined when wrong or absent. */
  value(f: Field, raw: unknown, field: string, siblings: Tree, earlier: Tree[] | null, key: string): any {
    if (raw === MISSING) {
      if (f.required && f.type !== "ref") { this.bad(field, this.expected(f), undefined); return undefined; }
      const d = f.default as any;
      if (f.type === "object") return needsInput(f) ? undefined : this.object(f, {}, field, null, true);
      if (d === undefined || (isObject(d) && "rule" in d)) return undefined;
      if (isObject(d) && "ref" in d) return this.value(f, this.ref(d.ref as string), field, siblings, earlier, key);
      if (isObject(d) && "sibling" in d) return this.value(f, siblings[d.sibling as string] === d.is, field, siblings, earlier, key);
      return this.value(f, d, field, siblings, earlier, key);
    }
    let v = this.check(f, raw, field);
    if (v !== undefined && f.unique && earlier && seenBefore(earlier, key, v)) { this.bad(field, f.unique, raw); v = undefined; }
    if (v === undefined && f.default !== undefined && f.type !== "list") {
      // A wrong value is reported once; the checks of other fields go on with the default.
      const n = this.p.length;
      v = this.value(f, MISSING, field, siblings, earlier, key);
      this.p.length = n;
    }
    return v;
  }

  /** `earlier`: for an item of a list, the items before it (their `unique` fields are compared). */
  check(f: Field, raw: unknown, field: string, earlier: Tree[] | null = null): any {
    const t = this.types[f.type] ?? {};
    const lit = f.literals && typeof raw === "string" && Object.hasOwn(f.literals, raw) ? f.literals[raw] : undefined;
    switch (f.type) {
      case "any": return raw;
      case "ref": return raw; // checked by the rules the field names
      case "object":
        if (!isObject(raw)) { this.bad(field, this.expected(f), raw); return needsInput(f) ? undefined : this.object(f, {}, field, null, true); }
        return this.object(f, raw, field, earlier, false);
      case "map": {
        if (!isObject(raw)) break;
        const out: Tree = {};
        for (const [k, x] of Object.entries(raw)) { const v = this.check(f.items!, x, `${field}.${k}`); if (v !== undefined) out[k] = v; }
        return out;
      }
      case "variant": {
        if (!isObject(raw)) break;
        const tag = raw[f.tag!] === undefined ? f.tagDefault : raw[f.tag!];
        const vf = typeof tag === "string" ? variantOf(f, tag) : undefined;
        if (!vf) {
          this.bad(`${field}.${f.tag}`, f.tagExpected!, raw[f.tag!]);
          return this.object(commonOf(f), raw, field, null, true); // the fields every variant has are still checked (and seen by the rules)
        }
        const o = this.object(vf, raw, field, earlier, false);
        o[f.tag!] = tag;
        return o;
      }
      case "list": return this.list(f, raw, field);
      case "integer": {
        const lo = this.num(f.min, -Infinity), hi = this.num(f.max, Infinity);
        if (Number.isInteger(raw) && (raw as number) >= lo && (raw as number) <= hi) return raw;
        break;
      }
      case "number": {
        const lo = this.num(f.min, -Infinity), hi = this.num(f.max, Infinity);
        if (typeof raw === "number" && Number.isFinite(raw) && raw >= lo && raw <= hi) return raw;
        break;
      }
      case "span": {
        // A number in (min, max], or a range [lo, hi] of two such numbers, lo <= hi; the value is [lo, hi].
        const lo = this.num(f.min, 0), hi = this.num(f.max, Infinity);
        const ok = (x: unknown): x is number => typeof x === "number" && x > lo && x <= hi;
        if (ok(raw)) return [raw, raw];
        if (Array.isArray(raw) && raw.length === 2 && ok(raw[0]) && ok(raw[1]) && raw[0] <= raw[1]) return [raw[0], raw[1]];
        break;
      }
      case "hex": {
        const h = typeof raw === "string" ? raw.replace(new RegExp(`[${f.ignore ?? ""}]`, "g"), "") : "";
        if (/^([0-9a-fA-F]{2})+$/.test(h) && h.length >= 2 * f.minBytes! && h.length <= 2 * f.maxBytes!) return Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
        break;
      }
      case "boolean": if (typeof raw === "boolean") return raw; break;
      case "enum": if (typeof raw === "string" && this.values(f).includes(raw)) return raw; break;
      case "string": {
        const ok = typeof raw === "string" && raw.length >= (f.minLength ?? 0) && raw.length <= (f.maxLength ?? Infinity) && (f.chars === undefined || new RegExp(`^[${f.chars}]*$`).test(raw));
        if (ok) return raw;
        break;
      }
      case "ipv4": {
        const a = parseIp(lit ?? raw);
        if (a !== null && (lit !== undefined || !f.nonzero || a !== 0)) return a;
        break;
      }
      case "cidr4": {
        const c = parseCidr(lit ?? raw);
        if (!c || c[1] < (f.minPrefix ?? 0) || c[1] > (f.maxPrefix ?? 32)) break;
        if (lit === undefined && f.unicast && (c[1] === 0 || (c[0] >>> 28) >= 14 || c[0] >>> 24 === 127 || c[0] >>> 24 === 0)) { this.bad(field, t.unicast, raw); return undefined; }
        return c;
      }
      case "ip6": {
        const a = parseIp6(raw);
        if (!a) break;
        const zero8 = a.slice(0, 8).every((x) => x === 0);
        if (f.unicast && (a[0] === 0xff || (zero8 && ((a[8] | a[9] | a[10] | a[11]) === 0 || (a[10] === 0xff && a[11] === 0xff && (a[8] | a[9]) === 0))))) { this.bad(field, t.unicast, raw); return undefined; }
        // A group: RFC 4291 §2.7, ff00::/8.
        if (f.multicast && a[0] !== 0xff) { this.bad(field, t.multicast, raw); return undefined; }
        return a;
      }
      case "cidr6": {
        const c = parseCidr6(lit ?? raw);
        if (!c) break;
        // A unicast interface address: not ::, not IPv4-mapped (that is "ipv4"), not multicast (RFC 4291).
        const a = c[0];
        const zero8 = a.slice(0, 8).every((x) => x === 0);
        if (f.unicast && (a[0] === 0xff || (zero8 && ((a[8] | a[9] | a[10] | a[11]) === 0 || (a[10] === 0xff && a[11] === 0xff && (a[8] | a[9]) === 0))))) { this.bad(field, t.unicast, raw); return undefined; }
        return c;
      }
      case "mac": {
        const m = parseMac(raw);
        if (!m) break;
        // A field with its own expected text says it for every refusal; else each check has its own.
        if (f.unicast && m[0] & 1) { this.bad(field, f.expected ?? t.unicast, raw); return undefined; }
        if (f.nonzero && m.every((b) => b === 0)) { this.bad(field, f.expected ?? t.nonzero, raw); return undefined; }
        return m;
      }
      case "key": {
        const k = parseKey(raw);
        if (k && k.length >= Number(t.minBytes) && k.length <= Number(t.maxBytes)) return k;
        this.bad(field, this.expected(f), t.shown);
        return undefined;
      }
    }
    this.bad(field, this.expected(f), raw);
    return undefined;
  }

  object(f: Field, raw: Record<string, unknown>, field: string, earlier: Tree[] | null, absent: boolean, into: Tree = {}): Tree {
    const prefix = field ? `${field}.` : "";
    const names = Object.keys(f.fields!);
    // A field given under its older name (legacy) takes that name out of the object's other fields.
    const legacy = new Map<string, string>();
    for (const [k, sub] of Object.entries(f.fields!)) {
      const l = sub.legacy, old = l && raw[l.field];
      if (!l || !isObject(old) || !(l.has in old)) continue;
      legacy.set(l.field, k);
      if (Object.hasOwn(raw, k)) this.bad(`${prefix}${l.field}`, l.conflict, old);
    }
    if (!absent && f.rest === undefined) for (const k of Object.keys(raw)) if (!names.includes(k)) this.bad(`${prefix}${k}`, `${f.unknown} ${names.join(", ")}`, k);
    if (!absent && f.rest !== undefined) {
      const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => !names.includes(k) && !legacy.has(k)));
      into[f.rest] = this.rest!(this, rest, field);
    }
    for (const [k, sub] of Object.entries(f.fields!)) {
      const old = [...legacy].find(([, to]) => to === k)?.[0];
      const [from, at] = old !== undefined && !Object.hasOwn(raw, k) ? [old, `${prefix}${old}`] : [k, `${prefix}${k}`];
      const v = this.value(sub, Object.hasOwn(raw, from) ? raw[from] : MISSING, at, into, earlier, k);
      if (sub.type === "list") into[k] = v ?? []; // a missing or wrong list is empty to the rules
      else if (v !== undefined) into[k] = v;
    }
    return into;
  }

  list(f: Field, raw: unknown, field: string): any[] {
    const lo = this.num(f.min, 0), hi = this.num(f.max, Infinity);
    if (!Array.isArray(raw) || raw.length < lo || (raw.length > hi && !f.maxExpected)) {
      this.bad(field, this.expected(f), Array.isArray(raw) && f.countNoun ? `${raw.length} ${f.countNoun}` : raw);
      return [];
    }
    const out: any[] = [];
    const item = f.items!;
    const objects = item.type === "object" || item.type === "variant";
    raw.forEach((r, i) => {
      const v = objects && !isObject(r) ? (this.bad(`${field}[${i}]`, this.expected(item), r), undefined) : this.check(item, r, `${field}[${i}]`, out);
      // Objects keep their index (rules read raw[i] beside tree[i]), undefined when refused.
      if (v === undefined) { if (objects) out.push(undefined); return; }
      if (!objects && f.unique && out.some((e) => same(e, v))) { if (f.unique !== "merge") this.bad(`${field}[${i}]`, f.unique, r); return; }
      out.push(v);
    });
    const n = out.filter((x) => x !== undefined).length;
    if (f.maxExpected && n > hi) this.bad(field, this.expected({ ...f, expected: f.maxExpected }), `${n} ${f.countNoun}`);
    for (const v of [...out]) for (const w of f.implies?.[v] ?? []) if (!out.includes(w)) out.push(w);
    return out;
  }
}

/** The object of variant `tag` of `f` ("same": another variant's), or undefined when there is none. */
function variantOf(f: Field, tag: string): Field | undefined {
  const v = Object.hasOwn(f.variants!, tag) ? f.variants![tag] : undefined;
  return v && "same" in v ? variantOf(f, v.same) : v as Field | undefined;
}
/** The fields every variant of `f` has alike (checked when the tag names no variant). */
function commonOf(f: Field): Field {
  const all = Object.keys(f.variants!).map((t) => variantOf(f, t)!);
  const fields = Object.fromEntries(Object.entries(all[0].fields!).filter(([k, x]) => k !== f.tag && all.every((v) => JSON.stringify(v.fields![k]) === JSON.stringify(x))));
  return { type: "object", fields };
}

/** Problems of a description itself: unknown types and keys, rules it names but does not list. */
export function describeProblems(d: Description): string[] {
  const out: string[] = [];
  const walk = (f: Field | { same: string }, at: string): void => {
    if ("same" in f) return;
    if (!(FIELD_TYPES as readonly string[]).includes(f.type)) out.push(`${at}: type ${f.type}`);
    if (!d.types[f.type] && f.expected === undefined && f.type !== "any" && f.type !== "ref") out.push(`${at}: no expected text for ${f.type}`);
    for (const k of Object.keys(f)) if (!FIELD_KEYS.includes(k)) out.push(`${at}: key ${k}`);
    for (const r of [...(f.rules ?? []), ...(isObject(f.default) && "rule" in f.default ? [String(f.default.rule)] : [])]) if (!(r in d.rules)) out.push(`${at}: rule ${r}`);
    for (const [k, sub] of Object.entries(f.fields ?? {})) walk(sub, `${at}.${k}`);
    for (const [k, sub] of Object.entries(f.variants ?? {})) walk(sub, `${at}<${k}>`);
    if (f.items) walk(f.items, `${at}[]`);
  };
  walk(d.root, "root");
  return out;
}

/**
 * Walk `raw` against description `d`, then run `rules` in the order of d.rules. The Walk holds the
 * problems and the tree; a value that is not an object is refused with the one problem.
 */
export function walkDescription(d: Description, raw: unknown, where: string, boards: Record<string, BoardProfile>, rules: Record<string, (w: Walk, raw: Record<string, unknown>) => void>, rest?: RestHook): Walk {
  const w = new Walk(where, boards, d, rest);
  if (!isObject(raw)) { w.p.push(`${where}: expected a JSON object, got ${show(raw)}`); return w; }
  w.object(d.root, raw, "", null, false, w.tree);
  for (const name of Object.keys(d.rules)) rules[name]?.(w, raw);
  return w;
}

/** `same`'s equality as a string (undefined: compared by identity, not indexable). */
function sameKey(a: unknown): string | undefined {
  if (a instanceof Uint8Array || Array.isArray(a)) return "a" + JSON.stringify(Array.from(a as ArrayLike<number>));
  return a !== null && typeof a === "object" ? undefined : `${typeof a}:${String(a)}`;
}

/** Per list being walked (its items so far) and per `unique` field: the keys of the items indexed so far. */
const uniqueIndex = new WeakMap<Tree[], Map<string, { n: number; keys: Set<string> }>>();

/**
 * True when an item of `earlier` has a `key` field `same` as `v`. Why (speed): a Set, not a scan:
 * 4096 IPsec peers (issue 13) took 9 s to validate with a scan (JSON.stringify per pair), 0.1 s with this.
 */
function seenBefore(earlier: Tree[], key: string, v: unknown): boolean {
  const k = sameKey(v);
  if (k === undefined) return earlier.some((e) => e && same(e[key], v));
  let byKey = uniqueIndex.get(earlier);
  if (!byKey) uniqueIndex.set(earlier, byKey = new Map());
  let ix = byKey.get(key);
  if (!ix) byKey.set(key, ix = { n: 0, keys: new Set() });
  for (; ix.n < earlier.length; ix.n++) {
    const e = earlier[ix.n];
    if (e && e[key] !== undefined) { const ek = sameKey(e[key]); if (ek !== undefined) ix.keys.add(ek); }
  }
  return ix.keys.has(k);
}

function same(a: unknown, b: unknown): boolean {
  return a instanceof Uint8Array || Array.isArray(a) ? JSON.stringify(Array.from(a as ArrayLike<number>)) === JSON.stringify(Array.from(b as ArrayLike<number>)) : a === b;
}

// ---- cross-field rules (schema/config.fields.json "rules"; the same in host/wasm3/src/config.rs) ----

const ip = (ifc: Tree | undefined): number => ifc?.ipv4?.[0] ?? 0;
const len = (ifc: Tree | undefined): number => ifc?.ipv4?.[1] ?? 0;
const onSubnet = (ifc: Tree, a: number): boolean => len(ifc) > 0 && ((ip(ifc) ^ a) >>> (32 - len(ifc))) === 0;

const RULES: Record<string, (w: Walk, raw: Record<string, unknown>) => void> = {
  roleConflict(w, raw) {
    const r: string[] = w.tree.roles;
    if (r.includes("mobile-node") && (r.includes("foreign-agent") || r.includes("home-agent"))) w.bad("roles", "mobile-node alone, or agent roles without mobile-node", raw.roles);
  },
  routeInterface(w, raw) {
    const ifs: Tree[] = w.tree.interfaces;
    w.tree.routes.forEach((r: Tree | undefined, i: number) => {
      if (!r || (raw.routes as Tree[])[i].iface !== undefined) return;
      if (!r.via) { w.bad(`routes[${i}]`, "a gateway (via) or an interface (iface)", (raw.routes as unknown[])[i]); return; }
      const x = ifs.find((x) => x && onSubnet(x, r.via));
      if (x) r.iface = x.name; else w.bad(`routes[${i}].via`, "a gateway on the subnet of one of the interfaces (or give iface)", (raw.routes as Tree[])[i].via);
    });
  },
  homeDefaults(w) {
    const m = w.tree.mobility, ifs: Tree[] = w.tree.interfaces;
    m.homeAddress ??= ip(ifs[0]);
    if (m.homePrefixLen === undefined) {
      m.homePrefixLen = len(ifs[0]) || 24;
      const home = w.tree.roles.includes("mobile-node") && ifs.find((x) => x && ip(x) === m.homeAddress);
      // (An unnumbered interface, an IPv6-only mobile node's, keeps the default.)
      if (home && len(home)) m.homePrefixLen = len(home);
    }
  },
  retransmitOrder(w) {
    const m = w.tree.mobility;
    if (m.retransmitMs !== undefined && m.retransmitMaxMs < m.retransmitMs) w.bad("mobility.retransmitMaxMs", `at least retransmitMs = ${m.retransmitMs}`, m.retransmitMaxMs);
  },
  saUse(w, raw) {
    const r: string[] = w.tree.roles;
    w.tree.securityAssociations.forEach((sa: Tree | undefined, i: number) => {
      if (!sa || (raw.securityAssociations as Tree[])[i].use !== undefined) return;
      // A mobile node's associations are with home agents; a home agent's with its mobile nodes when the
      // peer is on a home link, else with foreign agents; a foreign agent's must say (docs/decisions.md).
      let use: string | null = "mobile-home";
      if (sa.peer !== undefined && !r.includes("mobile-node")) {
        if (r.includes("home-agent") && w.tree.interfaces.some((x: Tree) => x?.home && onSubnet(x, sa.peer))) use = "mobile-home";
        else if (r.includes("home-agent") && !r.includes("foreign-agent")) use = "foreign-home";
        else if (r.includes("foreign-agent")) use = null;
        // Distributed registration (seed 002): a server's or care-of agent's peers are of every kind.
        if (r.includes("registration-server") || r.includes("care-of-agent")) use = null;
      }
      if (use === null) w.bad(`securityAssociations[${i}].use`, `${w.expected(fieldAt("securityAssociations").items!.fields!.use)} (a foreign agent's association may be with a mobile node or a home agent; a registration server's or care-of agent's with any party)`, undefined);
      else sa.use = use;
    });
  },
  homeAgentHome(w) {
    const ifs: Tree[] = w.tree.interfaces.filter(Boolean);
    if (w.tree.roles.includes("home-agent") && !ifs.some((x) => x.home)) w.bad("interfaces", "one interface with \"home\": true on a home agent", ifs.map((x) => x.name).filter((n) => n !== undefined));
  },
  mobileNode(w, raw) {
    if (!w.tree.roles.includes("mobile-node")) return;
    const m = w.tree.mobility;
    if (raw.mobility === undefined) w.bad("mobility", "an object with at least homeAgent for a mobile node", undefined);
    if (m.homeAgent && m.homePrefixLen < 32) {
      const mask = m.homePrefixLen === 0 ? 0 : (~0 << (32 - m.homePrefixLen)) >>> 0;
      if (((m.homeAgent ^ m.homeAddress) & mask) >>> 0 !== 0) w.bad("mobility.homeAgent", `an address on the home network ${formatIp((m.homeAddress & mask) >>> 0)}/${m.homePrefixLen}`, formatIp(m.homeAgent));
    }
    const sas: Tree[] = w.tree.securityAssociations.filter(Boolean);
    if (m.homeAgent && !sas.some((sa) => sa.peer === m.homeAgent)) {
      w.bad("securityAssociations", `an association with the home agent ${formatIp(m.homeAgent)} (mobile-home authentication is mandatory)`, sas.filter((sa) => sa.peer !== undefined).map((sa) => formatIp(sa.peer)));
    }
  },
};

/**
 * Validate a node configuration (parsed JSON) against its board profile.
 * `where` prefixes field names (e.g. the file or node name). Throws ConfigError listing every problem.
 */
export function validateConfig(raw: unknown, where = "config", boards: Record<string, BoardProfile> = BOARDS): ValidConfig {
  const w = walkDescription(CONFIG_DESCRIPTION, raw, where, boards, RULES);
  if (w.p.length) throw new ConfigError(w.p);
  return typed(w);
}

/** The typed view the rest of the Node host reads (and the encoder, through treeOf). */
function typed(w: Walk): ValidConfig {
  const t = w.tree;
  const names = t.interfaces.map((x: Tree) => x.name);
  const c: ValidConfig = {
    name: t.name, board: w.board(), roles: t.roles, sizes: t.sizes, node: t.node,
    interfaces: t.interfaces.map((x: Tree) => ({ name: x.name, mac: x.mac, ip: ip(x), prefixLen: len(x), mtu: x.mtu, advertise: x.advertise, home: x.home, dhcp: x.dhcp })),
    routes: t.routes.map((r: Tree) => ({ dest: r.dest[0], prefixLen: r.dest[1], via: r.via ?? 0, iface: names.indexOf(r.iface) })),
    mobility: { ...t.mobility, encapsulations: [...t.mobility.encapsulations], request: { ...t.mobility.request } },
    securityAssociations: t.securityAssociations.map((s: Tree) => ({ ...s })),
    ipv6: (t.ipv6 ?? []).map((a: Tree) => ({ ...a })),
    ipsec: (t.ipsec ?? []).map((a: Tree) => ({ ...a })),
    tunnels6: (t.tunnels6 ?? []).map((a: Tree) => ({ ...a })),
    routes6: (t.routes6 ?? []).map((a: Tree) => ({ ...a })),
    ipv6Groups: (t.ipv6Groups ?? []).map((a: Tree) => ({ ...a })),
  };
  return c;
}

/** A configuration in the schema's shape again (the fields that differ from the typed view). */
function treeOf(c: ValidConfig): Tree {
  return {
    ...c, board: c.board.name,
    interfaces: c.interfaces.map((x) => ({ ...x, ipv4: [x.ip, x.prefixLen] })),
    routes: c.routes.map((r) => ({ dest: [r.dest, r.prefixLen], via: r.via, iface: c.interfaces[r.iface]?.name })),
  };
}

// ---- binary encoding (docs/abi.md "Configuration"), driven by each field's record/key/at ----------

/** Encode a validated configuration into the core's binary form (one buffer, any size). */
export function encodeConfig(c: ValidConfig): Uint8Array {
  return pack(configRecords(c));
}

/**
 * Encode into buffers of at most `capacity` bytes: the first for `init` (every record but as many
 * ROUTE/SA/IPSEC records as fit), the rest for `config_add` (the schema's `later` records only). docs/abi.md.
 */
export function encodeConfigChunks(c: ValidConfig, capacity: number): Uint8Array[] {
  const later = new Set(RECORDS.filter((r) => r.later).map((r) => r.type));
  const recs = configRecords(c);
  const chunks: Uint8Array[][] = [recs.filter((r) => !later.has(r[0]))];
  let size = 8 + chunks[0].reduce((n, r) => n + r.length, 0);
  for (const r of recs.filter((r) => later.has(r[0]))) {
    if (size + r.length > capacity) { chunks.push([]); size = 8; }
    chunks[chunks.length - 1].push(r);
    size += r.length;
  }
  return chunks.map(pack);
}

function pack(recs: Uint8Array[]): Uint8Array {
  const total = 8 + recs.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total);
  out.set([...new TextEncoder().encode(SCHEMA.header.magic), 0, SCHEMA.header.version, 0, 0]);
  let o = 8;
  for (const r of recs) { out.set(r, o); o += r.length; }
  return out;
}

/** The number a scalar value encodes to (enum codes, boolean bits, OR of a list's codes). */
function code(f: Field, v: any, names: string[]): number {
  if (f.type === "list") return (v as string[]).reduce((b, x) => b | code(f.items!, x, names), 0);
  if (f.type === "boolean") return v ? f.bits ?? 1 : 0;
  if (f.type === "enum") return (f.values === "interfaces" ? names.indexOf(v) : (f.values as Record<string, number>)[v]) << (f.shift ?? 0);
  return v as number;
}

/**
 * The 16-byte form of IPv4 address `v4` (host-order number) in configuration records (ABI v2):
 * ::ffff:a.b.c.d, network order (RFC 4291 §2.5.5.2).
 */
export function mappedAddress(v4: number): Uint8Array {
  const a = new Uint8Array(16);
  a[10] = 0xff; a[11] = 0xff;
  new DataView(a.buffer).setUint32(12, v4 >>> 0);
  return a;
}

/** Prefix lengths in records count bits of the 16-byte address: an IPv4 /n is 96 + n (docs/decisions.md). */
export const V4_PREFIX_BASE = 96;

function configRecords(c: ValidConfig): Uint8Array[] {
  const t = treeOf(c);
  const names: string[] = t.interfaces.map((x: Tree) => x.name);
  // Key/value entries: a number (u32) or, for ipv4 fields, the 16-byte address.
  const kv = new Map<string, Map<number, number | Uint8Array>>();
  const board = c.board as unknown as Tree;
  for (const r of RECORDS) if (r.form === "kv") kv.set(r.name, new Map((r.fixed ?? []).map((x): [number, number | Uint8Array] => [x.key, x.from.split(".").slice(1).reduce<any>((o, k) => o[k], board)])));
  const structs = new Map<string, Uint8Array[]>();
  // One struct record per item of a list that has a record; every other field ORs into its key/value record.
  const walk = (f: Field, v: any, buf: Uint8Array | null, name: string) => {
    if (v === undefined) return;
    if (f.type === "object") { for (const [k, sub] of Object.entries(f.fields!)) walk(sub, v[k], buf, k); return; }
    const rec = f.type === "list" ? RECORDS.find((r) => r.list === name) : undefined;
    if (rec) {
      structs.set(rec.name, (v as Tree[]).map((item, i) => {
        const b = new Uint8Array(rec.size! + (item.key?.length ?? 0));
        if (rec.indexAt !== undefined) b[rec.indexAt] = i;
        // Address fields left out are ::ffff:0.0.0.0 (/96): every address in a record is IPv4-mapped.
        for (const a of Object.values(f.items!.fields!)) {
          if (a.record && (a.type === "ipv4" || a.type === "cidr4")) b.set(mappedAddress(0), a.at!);
          if (a.record && a.type === "cidr4") b[a.prefixAt!] = V4_PREFIX_BASE;
        }
        walk(f.items!, item, b, name);
        return b;
      }));
      // The item count in a key/value record, so the core carves the table before later records arrive.
      if (rec.countKey && v.length > 0) kv.get(rec.countKey.record)!.set(rec.countKey.key, v.length);
      return;
    }
    if (!f.record) return;
    if (buf === null) {
      const m = kv.get(f.record)!;
      m.set(f.key!, f.type === "ipv4" ? mappedAddress(v) : (((m.get(f.key!) as number | undefined) ?? 0) | code(f, v, names)) >>> 0);
      return;
    }
    const dv = new DataView(buf.buffer);
    if (f.type === "cidr4") { buf.set(mappedAddress(v[0]), f.at!); buf[f.prefixAt!] = V4_PREFIX_BASE + v[1]; }
    else if (f.type === "cidr6") { buf.set(v[0], f.at!); buf[f.prefixAt!] = v[1]; }
    else if (f.type === "ip6") buf.set(v, f.at!);
    else if (f.type === "ipv4") buf.set(mappedAddress(v), f.at!);
    else if (f.type === "mac") buf.set(v, f.at!);
    else if (f.type === "key") { buf[f.lenAt!] = v.length; buf.set(v, f.at!); }
    else if (f.as === "u32") dv.setUint32(f.at!, code(f, v, names) >>> 0);
    else if (f.as === "u16") dv.setUint16(f.at!, code(f, v, names));
    else buf[f.at!] |= code(f, v, names);
  };
  walk(ROOT, t, null, "");
  const out: Uint8Array[] = [];
  const rec = (type: number, body: Uint8Array) => {
    const r = new Uint8Array(4 + body.length);
    r[0] = type; new DataView(r.buffer).setUint16(2, body.length); r.set(body, 4);
    out.push(r);
  };
  for (const r of RECORDS) {
    if (r.form === "struct") { for (const b of structs.get(r.name) ?? []) rec(r.type, b); continue; }
    // Entries: key u16, length u16, value[length] (a u32, or a 16-byte address).
    const pairs = [...kv.get(r.name)!].sort((a, b) => a[0] - b[0]);
    const b = new Uint8Array(pairs.reduce((n, [, v]) => n + 4 + (typeof v === "number" ? 4 : v.length), 0));
    const dv = new DataView(b.buffer);
    let o = 0;
    for (const [k, v] of pairs) {
      dv.setUint16(o, k);
      if (typeof v === "number") { dv.setUint16(o + 2, 4); dv.setUint32(o + 4, v >>> 0); o += 8; }
      else { dv.setUint16(o + 2, v.length); b.set(v, o + 4); o += 4 + v.length; }
    }
    rec(r.type, b);
  }
  return out;
}
