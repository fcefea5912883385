// The mobility binding table (RFC 2002 §3.8, §4): home address -> the care-of addresses it is
// registered at, each with its lifetime, request flags and encapsulation. The home agent fills it
// (mobility/ha.ts: policy, replies, proxy and gratuitous ARP, expiry timers); tunnelling reads it; the
// ABI dumps it (table 3). Built to take the route-optimization binding cache and the IPv6 binding
// cache next (issue 8 point 5).
//
// Binding record (hash table keyed by home address, config `bindings` entries, carved in haInit):
//   0 count u8 (live care-of addresses) | 1 garpLeft u8 | pad[2] | 4 expiryTimer i32 | 8 garpTimer i32 |
//   pad[4] | 16 care-of slots × mobility.maxBindingsPerNode, 16 bytes each:
//     0 coa u32 | 4 flags u8 (request S B D M G V) | 5 encap u8 (ENCAP_*) | 6 lifetimeSec u16 | 8 expiresAtMs i64
// Slots [0, count) are in use (removal moves the last one down). The last accepted Identification is
// kept in the mobile node's security association (security/replay.ts). One expiry timer per binding,
// armed at its earliest slot deadline, so a table of N bindings needs N timers (+ announcements).

import { routeChanged } from "../stack/route";
import * as cfg from "../config";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { addrSetV4, addrCopy } from "../wire/addr";
import { Ev, BindingOp, evBuf, evEmit, evAddr } from "../events";
import {
  HT_KEY_ADDR, htBytesKeyed, htCarve, htInitKeyed, htCarve, htFindV4, htKeyV4At, htKeyAddrAt, HT_HEADER_SIZE, htValueAt, htNext, htUsed,
} from "../table/hash";
import { saFindFor, SA_LAST_ID } from "../security/sa";
import { evOpPair } from "./visitors";

export const V_COUNT: usize = 0;
export const V_GARP_LEFT: usize = 1;
export const V_EXP_TIMER: usize = 4;
export const V_GARP_TIMER: usize = 8;
export const V_SLOTS: usize = 16;
export const S_COA: usize = 0;
export const S_FLAGS: usize = 4;
export const S_ENCAP: usize = 5;
export const S_LIFETIME: usize = 6;
export const S_EXPIRES: usize = 8;
export const S_STRIDE: usize = 16;


// (A global set at init rather than a constant: a global.get is shorter than the address at each use.)
export let bindings: usize = 0;
// Dump cursor (bindingDump): the next record index and the (binding record, care-of slot) it
// continues after, valid while `dumpGen` (bumped whenever a care-of slot comes or goes) is unchanged.
let dumpGen: u32 = 0;
let cursorGen: u32 = 0;
let dumpNext: i32 = -1;
let dumpRec: i32 = -1;
let dumpSlot: i32 = -1;
export let bindingN: u32 = 0;

export function bindingSlot(v: usize, i: i32): usize { return v + V_SLOTS + <usize>i * S_STRIDE; }
// @ts-ignore: decorator
@inline export function bindingSlots(v: usize): i32 { return <i32>load<u8>(v, V_COUNT); }

/** Carve the table for `config.bindingEntries` home addresses of `maxBindingsPerNode` care-of slots. False when memory ran out. */
export function bindingsInit(): void {
  bindings = memory.data(<i32>HT_HEADER_SIZE, 8);
  bindingN = <u32>cfg.bindingEntries();
  dumpGen++;
  dumpNext = -1;
  htCarve(bindings, bindingN, <u32>(V_SLOTS + <usize>cfg.maxBindingsPerNode() * S_STRIDE));
}

export function emitBinding(op: BindingOp, lifetimeSec: u16, home: u32, coa: u32): void {
  evOpPair(Ev.BINDING, <u8>op, 0, lifetimeSec, home, coa);
}

/** Index of `coa` among the live slots of binding `v`, or -1. */
export function bindingSlotFind(v: usize, coa: u32): i32 {
  const n = bindingSlots(v);
  for (let i = 0; i < n; i++) if (load<u32>(bindingSlot(v, i), S_COA) == coa) return i;
  return -1;
}

/** Remove slot `i` of binding `v` of `home`, emitting BINDING `op`. */
export function bindingSlotRemove(v: usize, i: i32, home: u32, op: BindingOp): void {
  const n = bindingSlots(v);
  const s = bindingSlot(v, i);
  emitBinding(op, 0, home, load<u32>(s, S_COA));
  if (i != n - 1) memory.copy(s, bindingSlot(v, n - 1), S_STRIDE);
  store<u8>(v, <u8>(n - 1), V_COUNT);
  dumpGen++;
  routeChanged();
}


/** Append a care-of slot to binding `v`; its index (the caller fills it; room was checked). */
export function bindingSlotAppend(v: usize): i32 {
  const i = bindingSlots(v);
  store<u8>(v, <u8>(i + 1), V_COUNT);
  dumpGen++;
  // Why: routes and flows through the binding's tunnel depend on its care-of addresses (stack/route.ts).
  routeChanged();
  return i;
}

// ---- dumps ----------------------------------------------------------------------------------------

/** Bytes of one binding dump record (bindingDump). */
export const BINDING_DUMP_SIZE: i32 = 52;

/**
 * Write binding record `index` (one per care-of address of each binding, 0-based) to `out`
 * (BINDING_DUMP_SIZE bytes, little-endian, addresses 16 bytes ::ffff:a.b.c.d); its length, or -1 past the end:
 *   0 expiresAtMs i64 | 8 identification u64 (last accepted from the node, kept in its security
 *   association) | 16 lifetimeSec u16 (granted) | 18 flags u8 (request S B D M G V) |
 *   19 encapsulation u8 (1 IP in IP, 2 minimal, 4 GRE) | 20 home[16] | 36 careOf[16]
 * Reading indices 0, 1, 2, ... in a row costs O(capacity + records) in all (a cursor resumes).
 * `index` ≥ 0 (dump.ts dumpRecord answers -1 to a negative one).
 */
export function bindingDump(index: i32, out: usize): i32 {
  if (bindingN == 0) return -1;
  let r: i32;
  let i: i32;
  if (index == dumpNext && cursorGen == dumpGen && dumpRec >= 0) {
    r = dumpRec;
    i = dumpSlot + 1;
  } else {
    r = htNext(bindings, 0);
    i = index;
  }
  // Skip whole bindings by their care-of counts until the one holding slot `i` (from the cursor, i is
  // the count of the binding whose last slot was read: the next one starts at 0).
  while (r >= 0) {
    const n = bindingSlots(htValueAt(bindings, r));
    if (i < n) break;
    i -= n;
    r = htNext(bindings, r + 1);
  }
  if (r < 0) { dumpNext = -1; return -1; }
  dumpNext = index + 1;
  dumpRec = r;
  dumpSlot = i;
  cursorGen = dumpGen;
  const s = bindingSlot(htValueAt(bindings, r), i);
  const sa = saFindFor(htKeyV4At(bindings, r), cfg.SA_USE_MOBILE_HOME);
  // flags u8 at 4, encapsulation u8 at 5 of the slot: record bytes 18, 19.
  return bindingRecord(out, bindings, r, load<i64>(s, S_EXPIRES), sa != 0 ? load<u64>(sa, SA_LAST_ID) : 0,
    <u32>load<u16>(s, S_LIFETIME) | <u32>load<u16>(s, S_FLAGS) << 16, load<u32>(s, S_COA));
}

/**
 * The record parts tables 3 and 6 (bcache.ts bcacheDump) share: 0 expiresAtMs i64 | 8 identification
 * u64 | 16 `lifeFlags` u32 (lifetimeSec u16, flags u8, encapsulation or pad u8) | 20 home[16] (the key
 * of record `r` of hash table `t`) | 36 careOf[16]. Returns BINDING_DUMP_SIZE.
 */
export function bindingRecord(out: usize, t: usize, r: i32, exp: i64, id: u64, lifeFlags: u32, coa: u32): i32 {
  store<i64>(out, exp);
  store<u64>(out, id, 8);
  store<u32>(out, lifeFlags, 16);
  addrCopy(out + 20, htKeyAddrAt(t, r));
  addrSetV4(out + 36, coa);
  return BINDING_DUMP_SIZE;
}

// ---- query for the tunnels' soft state (tunnel.ts tunnelIcmpInput; issue 7.4) ---------------------

/**
 * The encapsulation (cfg.ENCAP_*) of the live binding of home address `home` at care-of address
 * `coa`, or 0 when there is none (no binding, that care-of address not bound, or expired). Lets
 * tunnel.ts accept an ICMP error about a tunnel only when it quotes a datagram we really tunnel.
 */
export function bindingCareOfEncap(coa: u32, home: u32): u32 {
  if (bindingN == 0 || htUsed(bindings) == 0) return 0;
  const v = htFindV4(bindings, home);
  if (v == 0) return 0;
  const i = bindingSlotFind(v, coa);
  if (i < 0) return 0;
  const s = bindingSlot(v, i);
  if (load<i64>(s, S_EXPIRES) <= nowMs()) return 0;
  return <u32>load<u8>(s, S_ENCAP);
}
