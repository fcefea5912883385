// The IPv6 multicast groups this node joined by configuration (`ipv6Groups`, record GROUP6; images with
// Mobile IPv6 only: issue 13.5), below every other IPv6 file so stack/addr6.ts can ask about them
// (addr6IsMember) and stack/mld6.ts can report them without an import cycle.
//
// Table (one entry of G6_SIZE bytes per GROUP6 record, at most G6_MAX; arena at init, none on a node
// without groups; a 16-byte scratch address for stack/mld6.ts after it): 0 group[16] | 16 reportAt i64 (stack/mld6.ts:
// TIMER_NEVER none) | 24 iface u8 | 25 flags u8 (G6_LOCAL) | 26..31 stack/mld6.ts's Report state.
//
// Who may change it: the configuration only (g6Join); nothing received adds or removes a group.

import { arenaAlloc } from "../mem";
import { addrCopy, addrEqual } from "../wire/addr";

/** Groups a node joins at most (ipv6Groups; the schema's max). */
export const G6_MAX: i32 = 8;
export const G6_SIZE: usize = 32;
export const G6_REPORT_AT: usize = 16;
export const G6_IFACE: usize = 24;
export const G6_FLAGS: usize = 25;
/** GROUP6 flag (bit 0 of the record's flags): a mobile node away from home joins on the visited link. */
export const G6_LOCAL: u8 = 1;

let table: usize = 0;
let cap: i32 = 0;
/** Groups joined (all interfaces). */
export let g6Count: i32 = 0;
/** A scratch address (16 bytes) for stack/mld6.ts. */
export let g6Scratch: usize = 0;

/**
 * Carve the table for the configuration's `n` GROUP6 records (IPv6 nodes of images with Mobile IPv6, at
 * init). False when memory ran out. Why (memory): a node without groups pays 16 bytes, not the full table
 * (an esp32-c3 mobile node's linear memory is capped at 40 KiB, docs/esp32.md).
 */
export function g6Init(n: i32): bool {
  g6Count = 0;
  cap = min<i32>(n, G6_MAX);
  table = arenaAlloc(<usize>cap * G6_SIZE + 16);
  g6Scratch = table + <usize>cap * G6_SIZE;
  return table != 0;
}

/** Entry `i` (0..g6Count-1). */
// @ts-ignore: decorator
@inline export function g6At(i: i32): usize { return table + <usize>i * G6_SIZE; }

/** The entry of `g` on `iface`, or 0. */
export function g6Find(iface: i32, g: usize): usize {
  for (let i = 0; i < g6Count; i++) {
    const e = g6At(i);
    if (<i32>load<u8>(e, G6_IFACE) == iface && addrEqual(e, g)) return e;
  }
  return 0;
}

/** Join `g` on `iface` (configuration; `flags` G6_LOCAL). False when the table is full. A group given twice is joined once. */
export function g6Join(iface: i32, g: usize, flags: u8): bool {
  if (g6Find(iface, g) != 0) return true;
  if (table == 0 || g6Count >= cap) return false;
  const e = g6At(g6Count++);
  memory.fill(e, 0, G6_SIZE);
  addrCopy(e, g);
  store<i64>(e, i64.MAX_VALUE, G6_REPORT_AT);
  store<u8>(e, <u8>iface, G6_IFACE);
  store<u8>(e, flags & G6_LOCAL, G6_FLAGS);
  return true;
}

/** True when `g` was joined on `iface` (stack/addr6.ts addr6IsMember). */
export function g6Member(iface: i32, g: usize): bool { return g6Count > 0 && g6Find(iface, g) != 0; }
