// A board: one firmware instance with its own linear memory, bound to host callbacks.
// This is the Node implementation of host ABI v1 (docs/abi.md); the emulated network, the CLI and
// the tests all drive firmware through this class.

import { encodeConfigChunks, formatMac, formatIp6, type ValidConfig } from "./config.js";

export interface BoardHooks {
  /** Current time in ms (virtual in the simulator). May be fractional; the core sees floor(). */
  now(): number;
  /**
   * Frame transmitted on interface `iface`. `frame` is a view into the firmware's memory, valid only
   * until the hook returns (a driver writes it out at once); keep it with copyFrame(frame).
   */
  tx(iface: number, frame: Uint8Array): void;
  /** IP packet handed to the local stack; a copy the hook may keep. */
  deliver(packet: Uint8Array): void;
  /** Structured event record (docs/abi.md "Events"); a copy. */
  event?(kind: number, data: Uint8Array): void;
  log?(level: number, text: string): void;
  /** Fill `buf` with unpredictable bytes (the simulator passes a seeded generator). */
  random?(buf: Uint8Array): void;
}

export const ABI_VERSION = 3;
const SLAB = 256 * 1024;
let slab = new Uint8Array(SLAB);
let slabUsed = 0;
const utf8 = new TextDecoder();

export interface FirmwareExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  config_buffer(): number;
  config_capacity(): number;
  init(ptr: number, len: number): number;
  config_add(ptr: number, len: number): number;
  rx_buffer(): number;
  rx_capacity(): number;
  rx(iface: number, len: number): number;
  out_buffer(): number;
  out_capacity(): number;
  output(len: number): number;
  tick(now: bigint): bigint;
  info_buffer(): number;
  link(iface: number, state: number, ptr: number, len: number): void;
  /** Optional (older modules lack it): a station left (0) / joined (1) the access point behind `iface`. */
  station?(iface: number, state: number, ptr: number, len: number): void;
  heap_used(): number;
  static_bytes(): number;
  memory_pages(): number;
  counters_ptr(): number;
  counters_count(): number;
  counter_name(i: number): number;
  dump_buffer(): number;
  dump(table: number, index: number): number;
}

/** Raised when a board refuses to start; `message` is the core's own reason. */
export class BoardError extends Error {}

export class Board {
  readonly name: string;
  readonly config: ValidConfig;
  readonly x: FirmwareExports;
  private mem!: Uint8Array;
  private rxPtr = 0;
  private outPtr = 0;
  private rxCap = 0;
  private outCap = 0;
  private lastMs = -1;
  private lastMsBig = 0n;
  private counterNames: string[] = [];
  private lastLog = "";

  constructor(module: WebAssembly.Module, config: ValidConfig, readonly hooks: BoardHooks) {
    this.name = config.name;
    this.config = config;
    const self = this;
    const imports = {
      host: {
        tx(iface: number, ptr: number, len: number) { hooks.tx(iface, self.view().subarray(ptr, ptr + len)); },
        deliver(ptr: number, len: number) { hooks.deliver(self.bytes(ptr, len)); },
        now_ms(): bigint {
          const ms = Math.floor(hooks.now());
          if (ms !== self.lastMs) { self.lastMs = ms; self.lastMsBig = BigInt(ms); }
          return self.lastMsBig;
        },
        random(ptr: number, len: number) {
          const view = self.view().subarray(ptr, ptr + len);
          if (hooks.random) hooks.random(view);
          else for (let i = 0; i < len; i++) view[i] = (Math.random() * 256) | 0;
        },
        log(level: number, ptr: number, len: number) {
          const text = utf8.decode(self.view().subarray(ptr, ptr + len));
          if (level === 0) self.lastLog = text;
          hooks.log?.(level, text);
        },
        event(kind: number, ptr: number, len: number) { hooks.event?.(kind, self.bytes(ptr, len)); },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    this.x = instance.exports as unknown as FirmwareExports;
    if (this.x.abi_version() !== ABI_VERSION) {
      throw new BoardError(`${config.name}: firmware ABI ${this.x.abi_version()}, host ABI ${ABI_VERSION}`);
    }
  }

  /** Load the configuration and start. Throws BoardError with the core's reason if refused. */
  init(): void {
    const cap = this.x.config_capacity();
    const [first, ...more] = encodeConfigChunks(this.config, cap);
    if (first.length > cap) throw new BoardError(`${this.name}: configuration is ${first.length} bytes, the firmware takes at most ${cap}`);
    const ptr = this.x.config_buffer();
    this.view().set(first, ptr);
    const rc = this.x.init(ptr, first.length);
    if (rc !== 0) throw new BoardError(`${this.name}: firmware refused the configuration (code ${rc}): ${this.lastLog || "no reason given"}`);
    for (const chunk of more) {
      this.view().set(chunk, ptr);
      const r = this.x.config_add(ptr, chunk.length);
      if (r !== 0) throw new BoardError(`${this.name}: firmware refused the configuration (code ${r}): ${this.lastLog || "no reason given"}`);
    }
    const pages = this.x.memory_pages();
    if (pages > this.config.board.memoryPages) {
      throw new BoardError(`${this.name}: firmware uses ${pages} pages, board ${this.config.board.name} allows ${this.config.board.memoryPages}`);
    }
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.rxPtr = this.x.rx_buffer();
    this.outPtr = this.x.out_buffer();
    this.rxCap = this.x.rx_capacity();
    this.outCap = this.x.out_capacity();
    // One name at a time into the dump buffer, ASCII (docs/abi.md counter_name).
    const dump = this.x.dump_buffer();
    this.counterNames = [];
    for (let i = 0, n; (n = this.x.counter_name(i)) >= 0; i++) {
      this.counterNames.push(new TextDecoder().decode(new Uint8Array(this.x.memory.buffer, dump, n)));
    }
  }

  /**
   * Add configuration records to the running board (the core's config_add, docs/abi.md): `records` is a
   * configuration buffer (header and records). Returns 0, or the core's code with its reason.
   */
  configAdd(records: Uint8Array): { code: number; reason: string } {
    if (records.length > this.x.config_capacity()) return { code: 1, reason: `${records.length} bytes, the firmware takes at most ${this.x.config_capacity()}` };
    this.lastLog = "";
    const ptr = this.x.config_buffer();
    this.view().set(records, ptr);
    const code = this.x.config_add(ptr, records.length);
    return { code, reason: code === 0 ? "" : this.lastLog || "no reason given" };
  }

  private view(): Uint8Array {
    // memory.grow detaches the old buffer (length 0): cheaper to test than comparing buffers.
    if (!this.mem || this.mem.length === 0) this.mem = new Uint8Array(this.x.memory.buffer);
    return this.mem;
  }

  /** A copy of `len` bytes at `ptr` that a hook may keep (see copyFrame). */
  private bytes(ptr: number, len: number): Uint8Array { return copyFrame(this.view().subarray(ptr, ptr + len)); }

  /** Hand one received frame to the core. Returns 0 if used, 1 if dropped. */
  rx(iface: number, frame: Uint8Array): number {
    const cap = this.rxCap;
    if (frame.length > cap) return this.x.rx(iface, cap + 1); // counted as too long by the core
    this.view().set(frame, this.rxPtr);
    return this.x.rx(iface, frame.length);
  }

  /** Send one IP packet from the local stack. Returns 0 if sent or queued, 1 if dropped. */
  output(packet: Uint8Array): number {
    const cap = this.outCap;
    if (packet.length > cap) return this.x.output(cap + 1);
    this.view().set(packet, this.outPtr);
    return this.x.output(packet.length);
  }

  /** Run due timers; returns the next deadline in ms (Infinity if none). */
  tick(nowMs: number): number {
    const next = this.x.tick(BigInt(Math.floor(nowMs)));
    return next >= 0x7fffffffffffffffn ? Infinity : Number(next);
  }

  /** Report link state; `bssid` is the access point just associated (6 bytes) when up. */
  link(iface: number, up: boolean, bssid?: Uint8Array): void {
    let len = 0;
    const ptr = this.x.info_buffer();
    if (up && bssid) { this.view().set(bssid.subarray(0, 6), ptr); len = 6; }
    this.x.link(iface, up ? 1 : 0, ptr, len);
  }

  /**
   * A station (`mac`, 6 bytes) left (`up` false) or joined the access point behind `iface` — what
   * hostapd reports as AP-STA-DISCONNECTED / AP-STA-CONNECTED. Ignored by a module without the export.
   */
  station(iface: number, up: boolean, mac: Uint8Array): void {
    if (!this.x.station) return;
    const ptr = this.x.info_buffer();
    this.view().set(mac.subarray(0, 6), ptr);
    this.x.station(iface, up ? 1 : 0, ptr, 6);
  }

  /** All counters by name. */
  counters(): Record<string, number> {
    const n = this.x.counters_count();
    const vals = new BigUint64Array(this.x.memory.buffer, this.x.counters_ptr(), n);
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) out[this.counterNames[i] ?? `counter_${i}`] = Number(vals[i]);
    return out;
  }

  heapUsed(): number { return this.x.heap_used(); }
  memoryPages(): number { return this.x.memory_pages(); }
  memoryBytes(): number { return this.x.memory.buffer.byteLength; }

  /**
   * Decoded records of one table (docs/abi.md "Dump records"): "interfaces", "routes", "arp",
   * "bindings" (home agent), "visitors" (foreign agent), "aliases" (second interface addresses).
   * Addresses are host-order numbers, MACs "aa:bb:cc:dd:ee:ff", times ms on the board's clock.
   */
  dump<K extends DumpName>(name: K): DumpRecords[K][] {
    const table = DUMP_TABLES[name];
    if (table === undefined) throw new RangeError(`unknown table ${JSON.stringify(name)} (expected ${Object.keys(DUMP_TABLES).join(", ")})`);
    return this.dumpRaw(table).map((r) => decodeDump(name, r));
  }

  /** Raw records of one table (0 interfaces, 1 routes, 2 ARP cache, 3 bindings, 4 visitors, 5 aliases, 6 binding cache), copies. */
  dumpRaw(table: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const ptr = this.x.dump_buffer();
    for (let i = 0; ; i++) {
      const len = this.x.dump(table, i);
      if (len < 0) break;
      out.push(this.bytes(ptr, len));
    }
    return out;
  }
}

export interface InterfaceRecord { index: number; up: boolean; mac: string; ip: number; prefixLen: number; mtu: number }
/** An IPv4 route (dest, gateway as numbers); an IPv6 one has NaN there, its addresses in dest6 / gateway6 and prefixLen 0..128. */
export interface RouteRecord { dest: number; prefixLen: number; iface: number; gateway: number; dest6?: string; gateway6?: string }
/** state: 1 incomplete, 2 reachable. */
export interface ArpRecord { ip: number; mac: string; state: number; iface: number; expiresAtMs: number }
/** One care-of address of a home agent binding. flags: the request's S B D M G V bits; encapsulation 1 IP in IP, 2 minimal, 4 GRE. */
export interface BindingRecord {
  home: number; careOf: number; expiresAtMs: number; identification: bigint; lifetimeSec: number; flags: number; encapsulation: number;
}
/** A foreign agent visitor. state: 1 pending, 2 accepted, 3 both (re-registering); colocated: bit 0 pending, bit 1 accepted. */
export interface VisitorRecord {
  home: number; homeAgent: number; careOf: number; mac: string; iface: number; state: number; lifetimeSec: number;
  udpSourcePort: number; expiresAtMs: number; identification: bigint; colocated: number; requestFlags: number;
}
export interface AliasRecord { iface: number; address: number; prefixLen: number }
/** A route-optimization binding cache entry (seed 001). flags: 0x01 used, 0x02 Binding Request outstanding, 0x20 M, 0x10 G. */
export interface BindingCacheRecord {
  home: number; careOf: number; homeAgent: number; expiresAtMs: number; identification: bigint; lifetimeSec: number; flags: number;
}
/** A care-of agent's (or home agent's Route Request) binding route (seed 002 §5.2). */
export interface CareOfRouteRecord { home: number; nextHop: number; server: number; expiresAtMs: number; lifetimeSec: number }
/** A registration server's registration (seed 002 §6.1). flags: 1 registrar of a registration in force, 2 waiting for a Route Reply, 4 relaying. */
export interface RegistrationRecord { home: number; childCoa: number; parentCoa: number; relayRegistrar: number; expiresAtMs: number; grantedSec: number; flags: number }
/** A Mobile IPv6 Binding Cache entry (seed 003 §4.3). Addresses as text; expiresAtMs Infinity for an infinite lifetime; flags 1 home registration, 2 used. */
export interface Binding6Record { home: string; careOf: string; expiresAtMs: number; lifetimeSec: number; seq: number; idLen: number; flags: number; ahOutSeq?: number; ahInHighest?: number }
/** A Mobile IPv6 home agent's membership: a group a mobile node joined through its tunnel (seed 003 §10). Addresses as text. */
export interface Group6Record { home: string; group: string; expiresAtMs: number }
/** Dump table 11 (images with STATUS): an agent a mobile node heard (kind 1), an interface this agent advertises on (2), a Mobile IPv6 mobile node's home agent (3). */
export interface AgentRecord { kind: number; address: number | string; careOf: number | string; iface: number; state: number; flags: number; seq: number; regLifetimeSec: number; expiresAtMs: number; prefixLen: number; mac: string }
export interface DumpRecords {
  interfaces: InterfaceRecord; routes: RouteRecord; arp: ArpRecord; bindings: BindingRecord; visitors: VisitorRecord; aliases: AliasRecord;
  bindingCache: BindingCacheRecord; careOfRoutes: CareOfRouteRecord; registrations: RegistrationRecord; bindings6: Binding6Record;
  groups6: Group6Record; agents: AgentRecord;
}
export type DumpName = keyof DumpRecords;
/** ABI table number of each dump (docs/abi.md). */
export const DUMP_TABLES: Record<DumpName, number> = { interfaces: 0, routes: 1, arp: 2, bindings: 3, visitors: 4, aliases: 5, bindingCache: 6, careOfRoutes: 7, registrations: 8, bindings6: 9, groups6: 10, agents: 11 };

/**
 * The IPv4 address (host-order number) in the 16-byte address at `o` of a record: ::ffff:a.b.c.d
 * (ABI v2); NaN for any other address (the core's tables are IPv4 until issue 12).
 */
export function mappedV4(r: Uint8Array, o: number): number {
  for (let i = 0; i < 10; i++) if (r[o + i] !== 0) return NaN;
  if (r[o + 10] !== 0xff || r[o + 11] !== 0xff) return NaN;
  return new DataView(r.buffer, r.byteOffset + o + 12, 4).getUint32(0);
}

/** Decode one raw record of table `name` (docs/abi.md "Dump records"): IPv4 numbers and prefix lengths as in v1. */
export function decodeDump<K extends DumpName>(name: K, r: Uint8Array): DumpRecords[K] {
  const d = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const ip = (o: number) => mappedV4(r, o);
  // Record prefix lengths count bits of the 16-byte address: an IPv4 /n is 96 + n.
  const plen = (o: number) => r[o] - 96;
  const ms = (o: number) => Number(d.getBigInt64(o, true));
  let x: DumpRecords[DumpName];
  switch (name) {
    case "interfaces": x = { index: r[0], up: r[1] !== 0, mac: formatMac(r.subarray(2, 8)), ip: ip(16), prefixLen: plen(10), mtu: d.getUint16(8, true) }; break;
    case "routes": x = Number.isNaN(ip(4))
      ? { dest: NaN, prefixLen: r[0], iface: r[1], gateway: NaN, dest6: formatIp6(r.subarray(4, 20)), gateway6: formatIp6(r.subarray(20, 36)) }
      : { dest: ip(4), prefixLen: plen(0), iface: r[1], gateway: ip(20) }; break;
    case "arp": x = { ip: ip(16), mac: formatMac(r.subarray(0, 6)), state: r[6], iface: r[7], expiresAtMs: ms(8) }; break;
    case "bindings": x = {
      home: ip(20), careOf: ip(36), expiresAtMs: ms(0), identification: d.getBigUint64(8, true),
      lifetimeSec: d.getUint16(16, true), flags: r[18], encapsulation: r[19],
    }; break;
    case "visitors": x = {
      home: ip(32), homeAgent: ip(48), careOf: ip(64), mac: formatMac(r.subarray(0, 6)), iface: r[6], state: r[7],
      lifetimeSec: d.getUint16(8, true), udpSourcePort: d.getUint16(10, true), expiresAtMs: ms(16),
      identification: d.getBigUint64(24, true), colocated: r[12], requestFlags: r[13],
    }; break;
    case "aliases": x = { iface: r[0], prefixLen: plen(1), address: ip(4) }; break;
    case "bindingCache": x = {
      home: ip(20), careOf: ip(36), homeAgent: ip(52), expiresAtMs: ms(0), identification: d.getBigUint64(8, true),
      lifetimeSec: d.getUint16(16, true), flags: r[18],
    }; break;
    case "careOfRoutes": x = { home: ip(16), nextHop: ip(32), server: ip(48), expiresAtMs: ms(0), lifetimeSec: d.getUint16(8, true) }; break;
    case "bindings6": x = {
      home: formatIp6(r.subarray(0, 16)), careOf: formatIp6(r.subarray(16, 32)),
      expiresAtMs: d.getBigInt64(32, true) === 0x7fffffffffffffffn ? Infinity : ms(32), lifetimeSec: d.getUint32(40, true),
      seq: d.getUint16(44, true), idLen: r[46], flags: r[47],
      // (Images with RESTORE: the home address's AH sequence state, docs/abi.md table 9.)
      ...(r.length >= 56 ? { ahOutSeq: d.getUint32(48, true), ahInHighest: d.getUint32(52, true) } : {}),
    }; break;
    case "agents": x = {
      kind: r[15], address: r[15] === 3 ? formatIp6(r.subarray(24, 40)) : ip(24), careOf: r[15] === 3 ? formatIp6(r.subarray(40, 56)) : ip(40),
      iface: r[14], state: r[16], flags: d.getUint16(8, true), seq: d.getUint16(10, true), regLifetimeSec: d.getUint16(12, true),
      expiresAtMs: d.getBigInt64(0, true) === 0x7fffffffffffffffn ? Infinity : ms(0), prefixLen: r[17], mac: formatMac(r.subarray(18, 24)),
    }; break;
    case "groups6": x = { home: formatIp6(r.subarray(0, 16)), group: formatIp6(r.subarray(16, 32)), expiresAtMs: ms(32) }; break;
    case "registrations": x = {
      home: ip(16), childCoa: ip(32), parentCoa: ip(48), relayRegistrar: ip(64), expiresAtMs: ms(0),
      grantedSec: d.getUint16(8, true), flags: r[10],
    }; break;
    default: throw new RangeError(`unknown table ${JSON.stringify(name)}`);
  }
  return x as DumpRecords[K];
}

/**
 * A copy of `v` that may be kept. Copies are carved from 256 KiB slabs (a slab is freed by the GC
 * once no copy in it is referenced): far cheaper than one ArrayBuffer per frame. Copies never
 * overlap, but share `.buffer`: use byteOffset.
 */
export function copyFrame(v: Uint8Array): Uint8Array {
  const len = v.length;
  if (len > SLAB >> 4) return v.slice();
  if (slabUsed + len > SLAB) { slab = new Uint8Array(SLAB); slabUsed = 0; }
  const out = slab.subarray(slabUsed, slabUsed + len);
  slabUsed = (slabUsed + len + 7) & ~7;
  out.set(v);
  return out;
}

/** Compile the firmware once; instantiate a Board per node from it. */
export function compileFirmware(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  return new WebAssembly.Module(bytes);
}
