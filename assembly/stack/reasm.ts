// IPv4 reassembly of the datagrams addressed to this node (RFC 791 §3.2, RFC 1122 §3.3.2: a host MUST
// reassemble; RFC 815's idea of tracking what is still missing, kept here as a bitmap of 8-byte units).
//
//   ip.ts ipLocal ── fragment ──> reasmInput(iface, p, len, unicast)
//        held (0) | dropped (1, counted) | complete (2): the whole datagram at reasmDone, processed by
//        ipLocal like a received one, then reasmRelease(reasmDoneSlot)
//   sys/timers.ts timersRun ── TK_REASM ──> ip.ts ipReasmTimer ──> reasmExpire(slot): fragment 0's header
//        (for ICMP time exceeded, code 1) or 0; then reasmRelease
//
// Pool: `board.reassemblySlots` slots carved from the arena by reasmInit (none when 0: fragments for
// this node are then dropped and counted as before, DROP_IP_FRAGMENT). Each slot:
//   meta (48 bytes) | bitmap: one bit per 8 data bytes | buffer:
//     [78 bytes headroom = 64 + Ethernet, as the rx buffer][40 bytes: room for options][data ...]
//   Data of offset o is stored at data + o (data = buffer + 118); fragment 0's header (20-60 bytes)
//   goes right in front of the data, so the reassembled datagram starts at data - IHL*4 with at least
//   the rx buffer's 78 bytes of headroom in front. The buffer holds max(reassemblyBytes, frameBytes)
//   bytes from there, so code that may write up to a frame from p - 14 (as into the rx buffer) stays
//   inside it.
//   meta: 0 state u8 | 1 haveFirst u8 | 2 first IHL*4 u8 | 3 protocol u8 | 4 src u32 | 8 dst u32 |
//         12 identification u16 | 14 first flags u16 | 16 total data length i32 (-1: last fragment
//         not seen) | 20 data bytes held i32 | 24 timer i32 | 28 age u32 | 32 largest datagram i32 |
//         36 highest end seen i32 | 40 pad
//
// Decisions (docs/decisions.md "Hardening (issue 7)"): key (src, dst, protocol, identification),
// RFC 791 §3.2; 30 s from the first fragment (RFC 1122 §3.3.2 suggests 60-120 s; RFC 791's TTL-based
// bound is 15 s; Linux uses 30 s); an overlapping fragment discards the whole datagram and every later
// fragment of it until its timer runs out (RFC 5722's stance, there for IPv6), while an exact copy of
// a fragment already held is only dropped itself (RFC 8200 §4.5 allows it; networks duplicate
// packets); a full pool evicts its oldest incomplete datagram (a flood can then only delay
// reassembly, never hold every slot for 30 s); a datagram larger than the slot is discarded. Nothing
// outside the pool and ≤ reassemblySlots timers is ever used, so a flood of fragments cannot exhaust
// ARP, binding or visitor tables.

// IPv6 (issue 12, RFC 2460 §4.5) shares the pool: reasmInput6 keys a datagram by (source, destination,
// Identification) — the 16-byte addresses in the meta's second half — and keeps fragment 0's
// unfragmentable part (IPv6 header and the extension headers before the Fragment header, at most
// UNFRAG6_MAX bytes) in front of the data instead of an IPv4 header; the reassembled packet has that
// part, the Fragment header gone (its Next Header in the last unfragmentable header) and the Payload
// Length of the whole. 60 s from the first fragment (RFC 2460 §4.5). Overlaps discard the datagram
// (RFC 5722), as for IPv4.
//   meta, IPv6 slots: 40 ident u32 | 45 family u8 (6; 0 for IPv4) | 48 src[16] | 64 dst[16]

import { pktBuffers } from "./packet";
import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { stackTimerStart, stackTimerDisarm, OWNER_REASM } from "../sys/timers";
import {
  ipv4HeaderLen, ipv4Proto, ipv4FlagsFrag, ipv4FragOffset,
  ipv4FillChecksum, IP_FLAG_MF, IP_FLAG_DF, IP_TOTAL_LEN, IP_FLAGS_FRAG, IPV4_MIN_HEADER, IPV4_MAX_HEADER,
} from "../wire/ipv4";
import { ETH_HEADER_LEN } from "../wire/ethernet";
// Why (size): AssemblyScript's memory.compare is a ~170-byte loop inlined at every use; byte equality
// is all reassembly asks, and crypto/ct.ts has it as one function.
import { ctEqual } from "../crypto/ct";

/** Timer kind of a slot's reassembly deadline (tag = slot index); owner OWNER_REASM (sys/timers.ts). */
export const TK_REASM: u16 = (OWNER_REASM << 8);
/** How long an incomplete datagram is kept (RFC 1122 §3.3.2: a timeout, 60-120 s recommended; 30 s here). */
export const REASM_TIMEOUT_MS: i64 = 30000;

const ST_FREE: u8 = 0;
const ST_COLLECT: u8 = 1;
const ST_DEAD: u8 = 2;   // overlap seen: later fragments are dropped until the timer runs out
const ST_BUSY: u8 = 3;   // complete (or timed out) and being processed

const M_STATE: usize = 0;
const M_FIRST: usize = 1;
const M_HL: usize = 2;
const M_FLAGS: usize = 14;
const M_TOTAL: usize = 16;
const M_HELD: usize = 20;
const M_TIMER: usize = 24;
const M_AGE: usize = 28;
const M_LIMIT: usize = 32;
const M_MAXEND: usize = 36;
/** The key: 40 family u8 (6 for an IPv6 datagram, 0 for IPv4) | 41 protocol u8 (IPv4) | 42 0 u16 |
 *  44 Identification u32 as stored | 48 source [16] | 64 destination [16] (IPv4: 4 bytes, then 0). */
const M_KEY: usize = 40;
const M_FAM: usize = 40;
const KEY_LEN: i32 = 40;
const META: usize = 80;
/** The key of the fragment being placed, built by reasmInput / reasmInput6 for slotKeyed. */
const key: usize = memory.data(KEY_LEN, 4);
/** Largest unfragmentable part of an IPv6 datagram kept (40-byte header + extension headers). */
export const UNFRAG6_MAX: i32 = 88;
/** How long an incomplete IPv6 datagram is kept (RFC 2460 §4.5: 60 seconds). */
export const REASM6_TIMEOUT_MS: i64 = 60000;

/** Headroom in front of the reassembled datagram: the headroom + Ethernet, as the rx buffer (config.ts HEADROOM). */
const ROOM: usize = <usize>(cfg.HEADROOM + ETH_HEADER_LEN);
/** Offset of the data in the buffer: the headroom and the largest header in front of the data (IPv4:
 *  IPV4_MAX_HEADER - 20 of options beyond the 20 the headroom covers; IPv6: UNFRAG6_MAX - 20). */
const DATA: usize = ROOM + <usize>(IPV4_MAX_HEADER > UNFRAG6_MAX ? IPV4_MAX_HEADER - IPV4_MIN_HEADER : UNFRAG6_MAX - IPV4_MIN_HEADER);
// (A conditional, not max(): a constant then, where max() made DATA a global set at start-up.)

let slots: i32 = 0;
let pool: usize = 0;
let stride: usize = 0;
let bufOff: usize = 0;
let ageNext: u32 = 0;

/** After reasmInput returned 2: the reassembled datagram's header, and its slot (for reasmRelease). */
export let reasmDone: usize = 0;
export let reasmDoneSlot: i32 = -1;

function slotAt(i: i32): usize { return pool + <usize>i * stride; }
// @ts-ignore: decorator
@inline function dataOf(s: usize): usize { return s + bufOff + DATA; }

/** Carve the pool (config board.reassemblySlots × reassemblyBytes). False when memory ran out. */
export function reasmInit(): bool {
  slots = cfg.reassemblySlots(); // 0..256 (config.ts KEY_RANGES)
  pool = 0;
  ageNext = 0;
  reasmDone = 0;
  reasmDoneSlot = -1;
  if (slots == 0) return true;
  const dataCap = <usize>(cfg.reassemblyBytes - IPV4_MIN_HEADER);
  const words = ((dataCap + 7) >>> 3) + 31 >>> 5;
  bufOff = (META + (words << 2) + 15) & ~<usize>15;
  const buf = DATA + <usize>max(cfg.reassemblyBytes, cfg.frameBytes);
  stride = (bufOff + buf + 15) & ~<usize>15;
  pool = arenaAlloc(stride * <usize>slots);
  if (pool == 0) return false;
  // A reassembled datagram is sent from its slot (an echo reply, an ICMP error quoting it): the
  // headroom in front of it is the slot's buffer (stack/packet.ts).
  pktBuffers(pool + bufOff, slots, stride);
  for (let i = 0; i < slots; i++) store<i32>(slotAt(i), -1, M_TIMER);
  return true;
}

/** True when fragments for this node are reassembled (board.reassemblySlots > 0). */
// @ts-ignore: decorator
@inline export function reasmEnabled(): bool { return slots > 0; }

// ---- bitmap of 8-byte units [a, b) ---------------------------------------------------------------

/** Mask of the bits of word `w` that lie in [a, b) (b > a). */
function wordMask(w: i32, a: i32, b: i32): u32 {
  let m: u32 = 0xffffffff;
  if (w == (a >>> 5)) m &= <u32>0xffffffff << <u32>(a & 31);
  if (w == ((b - 1) >>> 5)) m &= <u32>0xffffffff >>> <u32>(31 - ((b - 1) & 31));
  return m;
}

/** 0: no unit of [a, b) is held; 1: some; 2: all of them (an empty range counts as none); with `set`,
 *  the units are marked held afterwards. Why (size): one walk over the words for the test and the marking. */
function bits(bm: usize, a: i32, b: i32, set: bool): i32 {
  if (b <= a) return 0;
  let any = false, all = true;
  for (let w = a >>> 5; w <= (b - 1) >>> 5; w++) {
    const m = wordMask(w, a, b);
    const q = bm + (<usize>w << 2);
    const v = load<u32>(q) & m;
    if (v != 0) any = true;
    if (v != m) all = false;
    if (set) store<u32>(q, load<u32>(q) | m);
  }
  return !any ? 0 : all ? 2 : 1;
}

// ---- slots -----------------------------------------------------------------------------------

/** Free slot `i`: its timer is cancelled, its data forgotten. */
function slotFree(i: i32): void {
  const s = slotAt(i);
  store<i32>(s, stackTimerDisarm(load<i32>(s, M_TIMER)), M_TIMER);
  store<u8>(s, ST_FREE, M_STATE);
}

/**
 * The slot collecting the datagram whose key is in `key` (written by the caller: reasmInput,
 * reasmInput6), or a new one of at most `limit` bytes (timer `timeoutMs`) when none has it and `need`
 * bytes fit; -1 when the datagram is refused (counted). Why (size): one search and one opening for
 * both families, the key compared as bytes (family, protocol, Identification, the 16-byte addresses).
 */
function slotKeyed(timeoutMs: i64, limit: i32, need: i32): i32 {
  for (let i = 0; i < slots; i++) {
    const s = slotAt(i);
    const st = load<u8>(s, M_STATE);
    if ((st == ST_COLLECT || st == ST_DEAD) && ctEqual(s + M_KEY, key, KEY_LEN)) {
      // Why: RFC 5722's stance (decisions.md): after an overlap no fragment of the datagram is used.
      if (st == ST_DEAD) { count(C.DROP_REASM_OVERLAP); return -1; }
      return i;
    }
  }
  if (need > limit) { count(C.DROP_REASM_TOO_BIG); return -1; }
  const i = slotOpen(timeoutMs, limit);
  if (i >= 0) memory.copy(slotAt(i) + M_KEY, key, KEY_LEN);
  return i;
}

/** The IPv6 layer's "fragment 0 timed out" sender (stack/ip6.ts sets it: this file sits below it). */
export type Expired6 = (h: usize) => void;
let expired6: usize = 0;
export function reasmOnExpired6(fn: Expired6): void { expired6 = changetype<usize>(fn); }
/** Tell the IPv6 layer that slot's fragment 0 (header at `h`) timed out. */
export function reasmExpired6(h: usize): void { if (expired6 != 0) changetype<Expired6>(expired6)(h); }

/** True when slot `i` holds an IPv6 datagram. */
export function reasmIsV6(i: i32): bool { return i >= 0 && i < slots && load<u8>(slotAt(i), M_FAM) == 6; }

/** A slot for a new datagram: a free one, else the oldest incomplete one (evicted, counted); -1 if every slot is busy. */
function slotNew(): i32 {
  let oldest = -1;
  for (let i = 0; i < slots; i++) {
    const s = slotAt(i);
    const st = load<u8>(s, M_STATE);
    if (st == ST_FREE) return i;
    if (st == ST_BUSY) continue;
    if (oldest < 0 || <i32>(load<u32>(s, M_AGE) - load<u32>(slotAt(oldest), M_AGE)) < 0) oldest = i;
  }
  // Why: a flood of fragments that never complete must not keep every slot for the whole timeout:
  // the oldest incomplete datagram makes room (decisions.md), without an ICMP error (RFC 1122
  // §3.3.2 sends time exceeded only when the timer runs out).
  if (oldest >= 0) { count(C.DROP_REASM_EVICTED); slotFree(oldest); }
  return oldest;
}

/**
 * A slot for a new datagram of at most `limit` bytes, its timer running `timeoutMs`, empty and
 * collecting (the key is the caller's to write); -1 when none (counted).
 */
function slotOpen(timeoutMs: i64, limit: i32): i32 {
  const i = slotNew();
  if (i < 0) { count(C.DROP_REASM_NO_SLOT); return -1; }
  const s = slotAt(i);
  const t = stackTimerStart(TK_REASM, <u32>i, nowMs() + timeoutMs);
  if (t < 0) { count(C.DROP_REASM_NO_SLOT); return -1; }
  // The meta and the bitmap cleared at once (first, header length, held, highest end: 0).
  memory.fill(s, 0, bufOff);
  store<i32>(s, t, M_TIMER);
  store<u8>(s, ST_COLLECT, M_STATE);
  store<i32>(s, -1, M_TOTAL);
  store<u32>(s, ageNext++, M_AGE);
  store<i32>(s, limit, M_LIMIT);
  return i;
}

/** Discard slot `i`'s datagram counted as `c`; `dead`: keep refusing its later fragments until the timer. */
function discard(i: i32, c: C, dead: bool): i32 {
  count(c);
  if (dead) store<u8>(slotAt(i), ST_DEAD, M_STATE);
  else slotFree(i);
  return 1;
}

/**
 * Store the `n` data bytes at `src` of fragment [off, off + n) (`more`: not the last) in slot `i`,
 * whose header in front of the data takes fragment 0's `hl` bytes once known, else `hl` (fragment 0)
 * or `later` bytes — the steps common to both families.
 * Fragment 0 (`off` 0) also gives the datagram its header: the `hl` bytes at `p`. Returns 1 dropped
 * (counted; the datagram discarded unless the fragment was only an exact duplicate), 0 held, 2
 * complete: the datagram (its header still the family's to fix) at reasmDone, slot reasmDoneSlot
 * busy, the completing fragment's Ethernet header in front of it.
 */
function place(i: i32, later: i32, off: i32, n: i32, more: bool, src: usize, p: usize, hl: i32): i32 {
  const s = slotAt(i);
  const hdr = load<u8>(s, M_FIRST) != 0 ? <i32>load<u8>(s, M_HL) : off == 0 ? hl : later;
  const end = off + n;
  if (hdr + end > load<i32>(s, M_LIMIT)) return discard(i, C.DROP_REASM_TOO_BIG, false);
  // Why: RFC 791 §3.2 / RFC 2460 §4.5: the last fragment fixes the length; a fragment past it, or a
  // second last fragment with another end, contradicts it: the datagram cannot be trusted (discarded).
  const total = load<i32>(s, M_TOTAL);
  if (total >= 0 && (end > total || (!more && end != total))) return discard(i, C.DROP_REASM_MALFORMED, false);
  if (!more && total < 0 && load<i32>(s, M_MAXEND) > end) return discard(i, C.DROP_REASM_MALFORMED, false);
  const bm = s + META; // the bitmap
  const a = off >>> 3;
  const b = (end + 7) >>> 3;
  const data = dataOf(s);
  const held = bits(bm, a, b, false);
  if (held != 0) {
    // Why: RFC 8200 §4.5: networks duplicate packets; an exact copy of a fragment already held is
    // dropped alone. Any other overlap discards the datagram (RFC 5722; the same for IPv4).
    if (held == 2 && (more || total == end) && ctEqual(data + <usize>off, src, n)) {
      count(C.DROP_REASM_DUPLICATE);
      return 1;
    }
    return discard(i, C.DROP_REASM_OVERLAP, true);
  }
  memory.copy(data + <usize>off, src, <usize>n);
  bits(bm, a, b, true);
  const have = load<i32>(s, M_HELD) + n;
  store<i32>(s, have, M_HELD);
  if (end > load<i32>(s, M_MAXEND)) store<i32>(s, end, M_MAXEND);
  if (!more) store<i32>(s, end, M_TOTAL);
  if (off == 0) {
    // Fragment 0's header (IPv4 with its options, RFC 791 §3.2; IPv6's unfragmentable part, RFC
    // 2460 §4.5) becomes the datagram's.
    memory.copy(data - <usize>hl, p, <usize>hl);
    store<u8>(s, 1, M_FIRST);
    store<u8>(s, <u8>hl, M_HL);
  }
  // No overlaps are kept, so all [0, total) is here exactly when the byte count reaches total.
  const t = load<i32>(s, M_TOTAL);
  if (t < 0 || have != t) return 0;
  const h = data - <usize>load<u8>(s, M_HL);
  // The link-layer header of the fragment that completed it, where receivers look for it (p - 14).
  memory.copy(h - <usize>ETH_HEADER_LEN, p - <usize>ETH_HEADER_LEN, <usize>ETH_HEADER_LEN);
  store<i32>(s, stackTimerDisarm(load<i32>(s, M_TIMER)), M_TIMER);
  store<u8>(s, ST_BUSY, M_STATE);
  count(C.IP_REASSEMBLED);
  reasmDone = h;
  reasmDoneSlot = i;
  return 2;
}

/**
 * A checked fragment of `len` bytes (its Total Length) at `p` for this node, received on `iface`
 * (Ethernet header at p - 14); `unicast`: to one of our addresses. Returns 0 held, 1 dropped
 * (counted), 2 complete: the whole datagram is at reasmDone (header valid, no longer a fragment,
 * the completing fragment's Ethernet header in front of it) in slot reasmDoneSlot, to be processed
 * and then given back with reasmRelease.
 */
export function reasmInput(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  const hl = ipv4HeaderLen(p);
  const n = len - hl;
  const off = ipv4FragOffset(p);
  const ff = ipv4FlagsFrag(p);
  const more = (ff & IP_FLAG_MF) != 0;
  const end = off + n;
  // Why: RFC 791 §3.2: every fragment but the last carries a multiple of 8 data bytes (and some).
  if (more && (n == 0 || (n & 7) != 0)) { count(C.DROP_REASM_MALFORMED); return 1; }
  memory.fill(key, 0, <usize>KEY_LEN);
  store<u8>(key, ipv4Proto(p), 1);
  store<u32>(key, <u32>load<u16>(p, 4), 4);
  store<u32>(key, load<u32>(p, 12), 8);
  store<u32>(key, load<u32>(p, 16), 24);
  // Why: a datagram to a broadcast or multicast address may be copied whole into frame-sized
  // buffers (the home agent's copies for B bindings, RFC 2002 §4.3): at most what the rx buffer holds.
  const limit = unicast ? cfg.reassemblyBytes : min(cfg.reassemblyBytes, cfg.frameBytes - ETH_HEADER_LEN);
  // Why: RFC 1122 §3.3.2: an incomplete datagram is discarded when its timer runs out.
  const i = slotKeyed(REASM_TIMEOUT_MS, limit, end + (off == 0 ? hl : IPV4_MIN_HEADER));
  if (i < 0) return 1;
  const s = slotAt(i);
  // Why: RFC 791 §3.1: a datagram is at most 65,535 bytes; ours at most the slot (decisions.md).
  const r = place(i, IPV4_MIN_HEADER, off, n, more, p + <usize>hl, p, hl);
  if (r == 1) return 1;
  if (off == 0) store<u16>(s, ff, M_FLAGS);
  if (r == 0) return 0;
  const h = reasmDone;
  store<u16>(h, bswap<u16>(<u16>(<i32>load<u8>(s, M_HL) + load<i32>(s, M_TOTAL))), IP_TOTAL_LEN);
  store<u16>(h, bswap<u16>(load<u16>(s, M_FLAGS) & IP_FLAG_DF), IP_FLAGS_FRAG);
  ipv4FillChecksum(h);
  return 2;
}

/**
 * A fragment of an IPv6 packet for this node: `len` bytes at `p` (40 + Payload Length), its Fragment
 * header at offset `fo` (after the unfragmentable part; `ofs` its offset/flags word, host order), checked by the caller (ip6.ts: a non-last
 * fragment's data a multiple of 8, the end within 65,535). Same results as reasmInput; on 2 the
 * reassembled packet is at reasmDone: the unfragmentable part of fragment 0, the Fragment header's
 * Next Header in place of 44, Payload Length of the whole.
 */
export function reasmInput6(p: usize, len: i32, fo: i32, nhAt: i32, ofs: i32): i32 {
  const fh = p + <usize>fo;
  const n = len - fo - 8;
  const off = ofs & 0xfff8;
  const more = (ofs & 1) != 0;
  const id = load<u32>(fh, 4);
  const end = off + n;
  if (fo > UNFRAG6_MAX) { count(C.DROP_REASM_TOO_BIG); return 1; }
  store<u32>(key, 6);
  store<u32>(key, id, 4);
  memory.copy(key + 8, p + 8, 32);
  // Why: RFC 2460 §4.5: reassembly is abandoned 60 seconds after the first-arriving fragment.
  const i = slotKeyed(REASM6_TIMEOUT_MS, cfg.reassemblyBytes, end + fo);
  if (i < 0) return 1;
  const s = slotAt(i);
  const r = place(i, fo, off, n, more, fh + 8, p, fo);
  if (r == 1) return 1;
  // Why: RFC 2460 §4.5: the unfragmentable part and the Next Header of the reassembled packet are
  // fragment 0's.
  if (off == 0) store<u8>(dataOf(s) - <usize>fo + <usize>nhAt, load<u8>(fh));
  if (r == 0) return 0;
  const h = reasmDone;
  store<u16>(h, bswap<u16>(<u16>(<i32>load<u8>(s, M_HL) - 40 + load<i32>(s, M_TOTAL))), 4);
  return 2;
}

/** Give slot `i` back after its datagram was processed (reasmInput 2, reasmExpire). */
export function reasmRelease(i: i32): void {
  if (i >= 0 && i < slots) slotFree(i);
}

/**
 * The timer of slot `i` ran out (TK_REASM). Returns -1 when the slot holds nothing to expire; else its
 * datagram is discarded (counted), the slot stays busy until reasmRelease(i), and the result is 1 when
 * fragment 0 was received (its header at reasmDone: the caller sends ICMP time exceeded, code 1,
 * quoting it, RFC 1122 §3.3.2 / RFC 792), else 0.
 */
export function reasmExpire(i: i32): i32 {
  if (i < 0 || i >= slots) return -1;
  const s = slotAt(i);
  const st = load<u8>(s, M_STATE);
  if (st != ST_COLLECT && st != ST_DEAD) return -1;
  store<i32>(s, -1, M_TIMER);
  store<u8>(s, ST_BUSY, M_STATE);
  if (st == ST_DEAD) return 0;   // already counted as an overlap
  count(C.DROP_REASM_TIMEOUT);
  if (load<u8>(s, M_FIRST) == 0) return 0;
  reasmDone = dataOf(s) - <usize>load<u8>(s, M_HL);
  // An IPv6 fragment 0 is quoted with its fragmentable data held so far (at most 8 bytes matter).
  return 1;
}

