// The foreign agent's visitor list (RFC 2002 §3.7.1): records keyed by home address, each with the
// registration in force and the requests being relayed, one timer per record, and the ABI dump
// (table 4). The foreign agent (mobility/fa.ts) decides what goes in; this file keeps the records.
//
// Visitor list (RFC 2002 §3.7.1): a hash table keyed by home address (table/hash.ts), capacity
// config.visitorEntries, carved in faInit. One record per home address holds an accepted part (the
// registration in force) and up to two pending requests (being relayed), because a visitor
// re-registers while its current registration still holds, and because a second node on the link
// may send a request for the same home address: it never overwrites the accepted part nor another
// node's pending request; only the home agent's reply decides (issue 7.2).
//   0 flags u8 (VF_*) | 1 accIface u8 | 2 accMac[6] | 8 accHomeAgent u32 | 12 accRelaySrc u32 (our
//   care-of address: outer source of the reverse tunnel) | 16 expiresAtMs i64 | 24 accId u64
//   32 grantedSec u16 | 34 accPort u16 | 36 timer i32 | 40 latest u8 (slot of the latest pending
//   request, NO_SLOT if none) | 41 accReqFlags u8 | 42 pad[2] | 44 holdSince u32 (low 32 bits of
//   the ms clock when the visitor's station left, with VF_HELD; mobility/handoff.ts) | 48 slot 0 | 96 slot 1
// Pending slot (PS_SIZE bytes): 0 state u8 (PS_*) | 1 iface u8 (the visitor's) | 2 mac[6] | 8 homeAgent u32
//   12 relaySrc u32 (source of the relayed request: our care-of address) | 16 reqFlags u8
//   17 relayIface u8 (where the request was relayed out) | 18 mnPort u16 | 20 reqLifetimeSec u16
//   22 relayIdent u16 (IP Identification of the relayed datagram) | 24 id u64 | 32 agent u32 (our
//   address the visitor spoke to: source of replies to it) | 36 pfanPrevFa u32 (the previous foreign
//   agent the request's PFAN extension named, 0 none: 001 §8.1) | 40 pendingUntilMs i64

import { routeChanged } from "../stack/route";
import * as cfg from "../config";
import { arenaAlloc } from "../mem";
import { addrSetV4, addrCopy } from "../wire/addr";
import { C, count } from "../counters";
import { Ev, VisitorOp, evBuf, evEmit, evAddr } from "../events";
import {
  HT_KEY_ADDR, htKeyAddrAt, htBytesKeyed, htCarve, htInitKeyed, htCarve, htInsertV4, HT_HEADER_SIZE, htRemoveAt, htValueAt,
  htNext,
} from "../table/hash";
import { TIMER_NEVER } from "../table/timer";
import { drDumpSeek } from "./coa";
import { stackTimerArm, stackTimerDisarm, OWNER_FA } from "../sys/timers";

/** Timer kind of a visitor record (tag = record index), in the foreign agent's range. */
export const TK_FA_VISITOR: u16 = (OWNER_FA << 8);

/** Visitor flags (record byte 0). */
export const VF_ACCEPTED: u8 = 2;  // a registration is in force
export const VF_ACC_COLOC: u8 = 8; // the accepted registration is co-located: no delivery by the agent
export const VF_ACC_RTUN: u8 = 16; // the accepted visitor's datagrams are reverse-tunnelled (RFC 3024)
export const VF_HELD: u8 = 32;     // the visitor's station left its access point: datagrams are held (issue 10.10)

/** Pending slot states (slot byte 0). */
export const PS_USED: u8 = 1;  // a request is being relayed
export const PS_COLOC: u8 = 2; // it had D (co-located care-of address)
export const PS_RTUN: u8 = 4;  // once accepted, the visitor is reverse-tunnelled

export const V_FLAGS: usize = 0;
export const V_ACC_IFACE: usize = 1;
export const V_ACC_MAC: usize = 2;
export const V_ACC_HA: usize = 8;
export const V_ACC_RELAY_SRC: usize = 12;
export const V_EXPIRES: usize = 16;
export const V_ACC_ID: usize = 24;
export const V_GRANTED: usize = 32;
export const V_ACC_PORT: usize = 34;
export const V_TIMER: usize = 36;
export const V_LATEST: usize = 40;
export const V_ACC_REQ_FLAGS: usize = 41;
export const V_HOLD_SINCE: usize = 44;
export const V_SLOTS: usize = 48;
/** Pending requests kept per home address (RFC 2002 §3.7: both kept until a reply decides). */
export const SLOTS: i32 = 2;
export const NO_SLOT: u8 = 0xff;

export const PS_STATE: usize = 0;
export const PS_IFACE: usize = 1;
export const PS_MAC: usize = 2;
// Iface, MAC, home agent, relay source and Identification at the accepted part's offsets: an
// acceptance copies them in one (fa.ts; the bytes between land on V_EXPIRES, written after).
export const PS_HA: usize = 8;
export const PS_RELAY_SRC: usize = 12;
export const PS_REQ_FLAGS: usize = 16;
export const PS_RELAY_IFACE: usize = 17;
export const PS_MN_PORT: usize = 18;
export const PS_REQ_LIFETIME: usize = 20;
export const PS_RELAY_IDENT: usize = 22;
export const PS_ID: usize = 24;
export const PS_AGENT: usize = 32;
export const PS_PFAN_PREV: usize = 36;
export const PS_PENDING_UNTIL: usize = 40;
export const PS_SIZE: usize = 48;
export const V_SIZE: u32 = <u32>(V_SLOTS + <usize>SLOTS * PS_SIZE);

/** Bytes of one visitor dump record (visitorDump). */
export const VISITOR_DUMP_SIZE: i32 = 80;


// The table's header address, in a global set by visitorsInit rather than a constant (size: a
// global.get is shorter than the address at each use); every use is after visitorsInit.
export let visitors: usize = 0;
export let visitorCapacity: u32 = 0;
// Dump cursor: the next dump index and the record it continues after, valid while `gen` (bumped
// whenever a record comes or goes) is unchanged, so sequential dumps cost O(1) per record.
let gen: u32 = 0;
// 0 next index i32 | 4 its record i32 | 8 gen u32 (dumpSeekGen).
const dumpCur: usize = memory.data<i32>([-1, -1, 0]);

/** Carve the list (config.visitorEntries records; 0 = no visitors). False when memory ran out. */
export function visitorsInit(): void {
  visitors = memory.data(<i32>HT_HEADER_SIZE, 8);
  visitorCapacity = <u32>cfg.visitorEntries();
  store<i32>(dumpCur, -1);
  gen = 0;
  htCarve(visitors, visitorCapacity, V_SIZE);
}

/** A new, empty record for `home` (no registration, no request, no timer), or 0 when the list is full. */
export function visitorInsert(home: u32): usize {
  const v = htInsertV4(visitors, home);
  if (v == 0) return 0;
  store<u8>(v, 0, V_FLAGS);
  store<i32>(v, -1, V_TIMER);
  store<u8>(v, NO_SLOT, V_LATEST);
  for (let j = 0; j < SLOTS; j++) store<u8>(slotAt(v, j), 0, PS_STATE);
  gen++;
  // Why: the foreign agent's route source answers by the keys of this table (stack/route.ts routeDecide).
  routeChanged();
  return v;
}

export function visitorEvent(op: VisitorOp, code: u8, lifetimeSec: u16, home: u32, ha: u32): void {
  evOpPair(Ev.VISITOR, <u8>op, code, lifetimeSec, home, ha);
}

/** Emit a `kind` event `0 op u8 | 1 code u8 | 2 lifetimeSec u16 | 4 a | 20 b` (VISITOR; bindings.ts BINDING). */
export function evOpPair(kind: Ev, op: u8, code: u8, lifetimeSec: u16, a: u32, b: u32): void {
  const p = evBuf();
  store<u8>(p, op, 0);
  store<u8>(p, code, 1);
  store<u16>(p, lifetimeSec, 2);
  evAddr(4, a);
  evAddr(20, b);
  evEmit(kind, 36);
}

export function slotAt(v: usize, k: i32): usize { return v + V_SLOTS + <usize>k * PS_SIZE; }
export function slotUsed(s: usize): bool { return (load<u8>(s, PS_STATE) & PS_USED) != 0; }
// @ts-ignore: decorator
@inline export function slotIndex(v: usize, s: usize): i32 { return <i32>((s - v - V_SLOTS) / PS_SIZE); }
export function accepted(v: usize): bool { return (load<u8>(v, V_FLAGS) & VF_ACCEPTED) != 0; }

/** True when any request of the record is pending. */
export function visitorAnyPending(v: usize): bool {
  for (let k = 0; k < SLOTS; k++) if (slotUsed(slotAt(v, k))) return true;
  return false;
}

/** Arm the record's one timer at its earliest deadline (or cancel it); false if the heap is full. */
export function visitorRearm(v: usize, idx: i32): bool {
  let d = TIMER_NEVER;
  for (let k = 0; k < SLOTS; k++) {
    const s = slotAt(v, k);
    if (slotUsed(s)) d = min(d, load<i64>(s, PS_PENDING_UNTIL));
  }
  if (accepted(v)) d = min(d, load<i64>(v, V_EXPIRES));
  const h = load<i32>(v, V_TIMER);
  if (d == TIMER_NEVER) {
    store<i32>(v, stackTimerDisarm(h), V_TIMER);
    return true;
  }
  const t = stackTimerArm(h, TK_FA_VISITOR, <u32>idx, d);
  store<i32>(v, t, V_TIMER);
  return t >= 0;
}

/** Remove the record at `idx` (its timer first). */
export function removeVisitor(v: usize, idx: i32): void {
  stackTimerDisarm(load<i32>(v, V_TIMER));
  htRemoveAt(visitors, idx);
  gen++;
  routeChanged();
}

/** Free pending slot `s`; the latest-request mark moves to the other slot if it is in use. */
export function visitorClearSlot(v: usize, s: usize): void {
  store<u8>(s, 0, PS_STATE);
  if (<i32>load<u8>(v, V_LATEST) != slotIndex(v, s)) return;
  let latest = NO_SLOT;
  for (let k = 0; k < SLOTS; k++) if (slotUsed(slotAt(v, k))) latest = <u8>k;
  store<u8>(v, latest, V_LATEST);
}

/** After a change: drop the record when nothing is pending or accepted, else re-arm its timer. */
export function visitorSettle(v: usize, idx: i32): void {
  if (!accepted(v) && !visitorAnyPending(v)) { removeVisitor(v, idx); return; }
  if (!visitorRearm(v, idx)) { count(C.DROP_MIP_NO_TIMER); removeVisitor(v, idx); }
}

/** Pending request `s` is over: free it; the accepted part and the other request stay. */
export function visitorEndPending(v: usize, idx: i32, s: usize): void {
  visitorClearSlot(v, s);
  visitorSettle(v, idx);
}


// ---- dumps -------------------------------------------------------------------------------------

/**
 * Write visitor record `index` (0-based over records in use) to `out` (VISITOR_DUMP_SIZE bytes,
 * little-endian, addresses 16 bytes ::ffff:a.b.c.d); its length, or -1 past the end (ABI dump visitors 4):
 *   0 mac[6] | 6 iface u8 | 7 state u8 (1 pending, 2 accepted, 3 both: re-registering) |
 *   8 lifetimeSec u16 | 10 udpSourcePort u16 | 12 colocated u8 (bit 0 the pending request has D,
 *   bit 1 the accepted registration has D) | 13 requestFlags u8 | 14 pad[2] | 16 expiresAtMs i64 |
 *   24 identification u64 | 32 home[16] | 48 homeAgent[16] | 64 careOf[16]
 * Records with an accepted registration show it (home agent, MAC, interface, granted lifetime,
 * expiry); pending-only ones the latest request (requested lifetime, reply deadline). careOf,
 * identification, port and requestFlags are the latest pending request's, else the accepted one's
 * (careOf: the address the request was relayed from, the care-of address unless co-located).
 * Reading indices 0, 1, 2, ... in a row is O(visitorCapacity) in all.
 */
// The visitor record's fields taken from the accepted part or a pending slot (visitorDump), 4 bytes
// each (docs/abi.md table 4): record offset | offset in the record | offset in the slot | length, + 0x40: an IPv4
// address (4 bytes, written 16 bytes ::ffff:a.b.c.d), + 0x80: from the latest pending request if
// any, else the accepted part (without 0x80: the accepted part if any, else the pending request).
const VISITOR_FIELDS: i32 = 9;
const visitorFields: usize = memory.data<u8>([
  0, <u8>V_ACC_MAC, <u8>PS_MAC, 6,
  6, <u8>V_ACC_IFACE, <u8>PS_IFACE, 1,
  8, <u8>V_GRANTED, <u8>PS_REQ_LIFETIME, 2,
  16, <u8>V_EXPIRES, <u8>PS_PENDING_UNTIL, 8,
  48, <u8>V_ACC_HA, <u8>PS_HA, 0x40,
  10, <u8>V_ACC_PORT, <u8>PS_MN_PORT, 0x82,
  13, <u8>V_ACC_REQ_FLAGS, <u8>PS_REQ_FLAGS, 0x81,
  24, <u8>V_ACC_ID, <u8>PS_ID, 0x88,
  64, <u8>V_ACC_RELAY_SRC, <u8>PS_RELAY_SRC, 0xc0,
]);

/**
 * coa.ts drDumpSeek for a table whose dump cursor at `cur` (0 next index | 4 record | 8 generation)
 * holds only while the table's generation `gen` (bumped whenever a record comes or goes) is unchanged;
 * -1 for a negative `index`.
 * (visitorDump and bcache.ts bcacheDump.)
 */
export function dumpSeekGen(t: usize, cur: usize, index: i32, gen: u32): i32 {
  if (index < 0) return -1;
  if (load<u32>(cur, 8) != gen) { store<i32>(cur, -1); store<u32>(cur, gen, 8); }
  return drDumpSeek(t, cur, index);
}

export function visitorDump(index: i32, out: usize): i32 {
  if (visitorCapacity == 0) return -1;
  const i = dumpSeekGen(visitors, dumpCur, index, gen);
  if (i < 0) return -1;
  const v = htValueAt(visitors, i);
  const f = load<u8>(v, V_FLAGS);
  const acc = (f & VF_ACCEPTED) != 0;
  const latest = <i32>load<u8>(v, V_LATEST);
  let s: usize = 0;
  if (latest < SLOTS) { s = slotAt(v, latest); if (!slotUsed(s)) s = 0; }
  for (let p = visitorFields; p < visitorFields + VISITOR_FIELDS * 4; p += 4) {
    const n = <u32>load<u8>(p, 3);
    const src = ((n & 0x80) != 0 ? s != 0 : !acc) ? s + <usize>load<u8>(p, 2) : v + <usize>load<u8>(p, 1);
    const dst = out + <usize>load<u8>(p);
    if (n & 0x40) addrSetV4(dst, load<u32>(src));
    else memory.copy(dst, src, n & 0x3f);
  }
  store<u8>(out, (s != 0 ? 1 : 0) | (acc ? 2 : 0), 7);
  store<u8>(out, (s != 0 && (load<u8>(s, PS_STATE) & PS_COLOC) != 0 ? 1 : 0) | ((f & VF_ACC_COLOC) != 0 ? 2 : 0), 12);
  store<u16>(out, 0, 14);
  addrCopy(out + 32, htKeyAddrAt(visitors, i));
  return VISITOR_DUMP_SIZE;
}
