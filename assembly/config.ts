// Binary node configuration (docs/abi.md "Configuration"). The host turns the JSON node configuration
// into this form; the core validates it again and refuses anything out of range, logging
// "config: <field>: expected <range>, got <value>" so the message names the field.

import { logBegin, logStr, logNum, logEnd, LOG_ERROR } from "./host";
import { MAX_IFACES, netifSet, netifValid } from "./stack/netif";
import { routeAdd } from "./stack/route";

export const CONFIG_CAPACITY: i32 = 4096;
export const configBuffer: usize = memory.data(CONFIG_CAPACITY, 16);

export const MAGIC: u32 = 0x4650494d; // "MIPF" read little-endian
export const VERSION: u16 = 1;

export const REC_BOARD: u8 = 1;
export const REC_NODE: u8 = 2;
export const REC_IFACE: u8 = 3;
export const REC_ROUTE: u8 = 4;

// BOARD keys (u16 key, u32 value)
export const K_MEMORY_PAGES: u16 = 1;
export const K_ARP_ENTRIES: u16 = 2;
export const K_ROUTES: u16 = 3;
export const K_TIMERS: u16 = 4;
export const K_PENDING_FRAMES: u16 = 5;
export const K_FRAME_BYTES: u16 = 6;
export const K_BINDINGS: u16 = 7;
export const K_VISITORS: u16 = 8;
export const K_SECURITY_ASSOCS: u16 = 9;
export const K_BINDING_CACHE: u16 = 10;
// NODE keys
export const K_ROLES: u16 = 1;
export const K_DEFAULT_TTL: u16 = 2;
export const K_ARP_TIMEOUT_SEC: u16 = 3;
export const K_ARP_RETRIES: u16 = 4;
export const K_ICMP_ERRORS_PER_SEC: u16 = 5;
export const K_LOG_LEVEL: u16 = 6;

export const ROLE_ROUTER: u32 = 1;      // forwards IPv4 between interfaces
export const ROLE_LOCAL_STACK: u32 = 2; // has a local IP stack behind deliver()/output()

// Values in force after init (defaults first).
export let memoryPages: i32 = 2;
export let arpEntries: i32 = 32;
export let routeEntries: i32 = 16;
export let timerEntries: i32 = 64;
export let pendingFrames: i32 = 4;
export let frameBytes: i32 = 1518;
export let bindingEntries: i32 = 0;
export let visitorEntries: i32 = 0;
export let securityAssocEntries: i32 = 0;
export let bindingCacheEntries: i32 = 0;
export let roles: u32 = ROLE_LOCAL_STACK;
export let defaultTtl: i32 = 64;
export let arpTimeoutSec: i32 = 60;
export let arpRetries: i32 = 3;
export let icmpErrorsPerSec: i32 = 10;
export let logLevel: i32 = 2;

export function configDefaults(): void {
  memoryPages = 2; arpEntries = 32; routeEntries = 16; timerEntries = 64; pendingFrames = 4;
  frameBytes = 1518; bindingEntries = 0; visitorEntries = 0; securityAssocEntries = 0;
  bindingCacheEntries = 0; roles = ROLE_LOCAL_STACK; defaultTtl = 64; arpTimeoutSec = 60;
  arpRetries = 3; icmpErrorsPerSec = 10; logLevel = 2;
}

/** Log a refusal naming the field, the expected range and the value seen. Always returns false. */
export function refuse(field: string, lo: i64, hi: i64, got: i64): bool {
  logBegin();
  logStr("config: "); logStr(field); logStr(": expected "); logNum(lo); logStr(".."); logNum(hi);
  logStr(", got "); logNum(got);
  logEnd(LOG_ERROR);
  return false;
}

/** Log a refusal with a free-text expectation. Always returns false. */
export function refuseText(field: string, expected: string, got: i64): bool {
  logBegin();
  logStr("config: "); logStr(field); logStr(": expected "); logStr(expected); logStr(", got "); logNum(got);
  logEnd(LOG_ERROR);
  return false;
}

// @ts-ignore: decorator
@inline export function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

function range(field: string, v: u32, lo: u32, hi: u32): bool {
  if (v < lo || v > hi) return refuse(field, lo, hi, v);
  return true;
}

function boardKey(key: u32, v: u32): bool {
  switch (key) {
    case K_MEMORY_PAGES: if (!range("board.memoryPages", v, 1, 256)) return false; memoryPages = v; return true;
    case K_ARP_ENTRIES: if (!range("board.arpEntries", v, 1, 4096)) return false; arpEntries = v; return true;
    case K_ROUTES: if (!range("board.routes", v, 1, 4096)) return false; routeEntries = v; return true;
    case K_TIMERS: if (!range("board.timers", v, 8, 65536)) return false; timerEntries = v; return true;
    case K_PENDING_FRAMES: if (!range("board.pendingFrames", v, 0, 256)) return false; pendingFrames = v; return true;
    case K_FRAME_BYTES: if (!range("board.frameBytes", v, 590, 9018)) return false; frameBytes = v; return true;
    case K_BINDINGS: if (!range("board.bindings", v, 0, 65536)) return false; bindingEntries = v; return true;
    case K_VISITORS: if (!range("board.visitors", v, 0, 65536)) return false; visitorEntries = v; return true;
    case K_SECURITY_ASSOCS: if (!range("board.securityAssocs", v, 0, 65536)) return false; securityAssocEntries = v; return true;
    case K_BINDING_CACHE: if (!range("board.bindingCache", v, 0, 65536)) return false; bindingCacheEntries = v; return true;
  }
  if (key >= 0x8000) return true; // skippable key from a newer host
  return refuseText("board key", "a known key", key);
}

function nodeKey(key: u32, v: u32): bool {
  switch (key) {
    case K_ROLES: if (!range("node.roles", v, 0, 3)) return false; roles = v; return true;
    case K_DEFAULT_TTL: if (!range("node.defaultTtl", v, 1, 255)) return false; defaultTtl = v; return true;
    case K_ARP_TIMEOUT_SEC: if (!range("node.arpTimeoutSec", v, 1, 86400)) return false; arpTimeoutSec = v; return true;
    case K_ARP_RETRIES: if (!range("node.arpRetries", v, 1, 10)) return false; arpRetries = v; return true;
    case K_ICMP_ERRORS_PER_SEC: if (!range("node.icmpErrorsPerSec", v, 0, 100000)) return false; icmpErrorsPerSec = v; return true;
    case K_LOG_LEVEL: if (!range("node.logLevel", v, 0, 3)) return false; logLevel = v; return true;
  }
  if (key >= 0x8000) return true;
  return refuseText("node key", "a known key", key);
}

function keyValues(p: usize, len: u32, board: bool): bool {
  if (len % 6 != 0) return refuseText(board ? "board record length" : "node record length", "a multiple of 6", len);
  for (let o: u32 = 0; o < len; o += 6) {
    const key = be16(p + o);
    const v = be32(p + o + 2);
    if (!(board ? boardKey(key, v) : nodeKey(key, v))) return false;
  }
  return true;
}

/**
 * Walk the records. Pass 1 reads BOARD and NODE values so tables can be sized; pass 2 (after the
 * tables exist) applies IFACE and ROUTE records. Returns false (after logging) on any error.
 */
export function configWalk(len: i32, pass2: bool): bool {
  if (len < 8 || len > CONFIG_CAPACITY) return refuse("config length", 8, CONFIG_CAPACITY, len);
  const p = configBuffer;
  if (load<u32>(p) != MAGIC) return refuseText("config magic", "\"MIPF\"", load<u32>(p));
  if (be16(p + 4) != VERSION) return refuse("config version", VERSION, VERSION, be16(p + 4));
  let o: u32 = 8;
  while (o < <u32>len) {
    if (o + 4 > <u32>len) return refuseText("record header", "4 bytes", len - o);
    const type = load<u8>(p + o);
    const rlen = be16(p + o + 2);
    const v = p + o + 4;
    if (o + 4 + rlen > <u32>len) return refuseText("record length", "within the configuration", rlen);
    if (!pass2) {
      if (type == REC_BOARD) { if (!keyValues(v, rlen, true)) return false; }
      else if (type == REC_NODE) { if (!keyValues(v, rlen, false)) return false; }
      else if (type != REC_IFACE && type != REC_ROUTE && type < 128) return refuseText("record type", "1..4 or >= 128", type);
    } else {
      if (type == REC_IFACE) {
        if (rlen != 16) return refuse("iface record length", 16, 16, rlen);
        const idx = <i32>load<u8>(v);
        if (idx >= MAX_IFACES) return refuse("iface.index", 0, MAX_IFACES - 1, idx);
        const plen = load<u8>(v + 12);
        if (plen > 32) return refuse("iface.prefixLen", 0, 32, plen);
        const mtu = be16(v + 14);
        if (mtu < 576 || mtu + 14 > <u32>frameBytes) return refuse("iface.mtu", 576, frameBytes - 14, mtu);
        const mac0 = load<u8>(v + 2);
        if (mac0 & 1) return refuseText("iface.mac", "a unicast MAC address", mac0);
        if (netifValid(idx)) return refuseText("iface.index", "each interface once", idx);
        netifSet(idx, v + 2, be32(v + 8), plen, <u16>mtu, load<u8>(v + 1));
      } else if (type == REC_ROUTE) {
        if (rlen != 12) return refuse("route record length", 12, 12, rlen);
        const plen = load<u8>(v + 4);
        if (plen > 32) return refuse("route.prefixLen", 0, 32, plen);
        const ifc = <i32>load<u8>(v + 5);
        if (ifc >= MAX_IFACES) return refuse("route.iface", 0, MAX_IFACES - 1, ifc);
        if (!netifValid(ifc)) return refuseText("route.iface", "a configured interface", ifc);
        if (!routeAdd(be32(v), plen, be32(v + 8), ifc)) return refuse("routes", 0, routeEntries, routeEntries + 1);
      }
    }
    o += 4 + rlen;
  }
  return true;
}
