// The route-optimization binding cache (draft-ietf-mobileip-optim-08 §3.1, §4.3, §8.2; seed 001;
// issue 10 point 2) kept by correspondent nodes and foreign agents: home address -> the care-of
// address to tunnel to directly, the home agent that vouched for it (the destination of Binding
// Requests), the lifetime the Binding Update gave and the last Identification accepted for it.
// Not used by any role yet: nothing the firmware exports reaches this file, so AssemblyScript drops
// it from build/firmware.wasm (size budget, docs/decisions.md "Route optimization (issue 10)").
//
// Why: draft §3.1: "a node may create or update a binding cache entry ... only when it has received
// and authenticated the mobile node's mobility binding" — so the one writer, bcacheUpdate, is called
// only after the caller verified the Route Optimization Authentication extension and the
// Identification (bcacheIdFresh); "each binding ... has an associated lifetime ... After the
// expiration of this time period, the binding is deleted"; "the node may choose to drop any entry
// already in the cache ... least-recently used (LRU)" — a full cache replaces its least recently
// used entry (table/lru.ts) instead of refusing like the home agent's binding table.
//
// Entry (hash table keyed by the 16-byte home address, table/hash.ts HT_KEY_ADDR; capacity given at
// init; an LRU list over the same record indices, table/lru.ts):
//   0 coa u32 | 4 homeAgent u32 | 8 expiresAtMs i64 (TIMER_NEVER: lifetime 0xffff, infinite) |
//   16 lastId u64 (last accepted Identification; 0 none) | 24 requestedAtMs i64 | 32 requestId u64
//   (the outstanding Binding Request, valid with BC_REQUESTED) | 40 lifetimeSec u16 (granted) |
//   42 flags u8 (BC_*) | pad[5]
// Addresses are host-order u32 like the rest of the IPv4 roles; the key is the family-neutral address
// (IPv4-mapped), so the IPv6 binding cache can share the layout (issue 8 point 5).
//
// Expiry is lazy plus a sweep, not a timer per entry (docs/decisions.md): a lookup never returns an
// expired entry (it removes it), bcacheExpire(now) removes every expired one, and bcacheNextExpiry()
// says when the next one can expire, so a role arms ONE stack timer for the whole cache. Why: the
// timer heap is sized for registrations; a cache of hundreds of entries would need as many timers.

import { routeChanged } from "../stack/route";
import { arenaAlloc } from "../mem";
import { addrSetV4 } from "../wire/addr";
import {
  HT_KEY_ADDR, HT_HEADER_SIZE, htBytesKeyed, htInitKeyed, htFindV4, htInsertV4, htRemoveAt, htIndexOf,
  htValueAt, htKeyV4At, htNext, htUsed, htCapacity,
} from "../table/hash";
import { lruBytes, lruInit, lruTouch, lruRemove, lruEvictOldest, lruOldest, lruNewer } from "../table/lru";
import { TIMER_NEVER } from "../table/timer";
import { bindingRecord } from "./bindings";
import { dumpSeekGen } from "./visitors";
import { drExpiry } from "./coa";

export const BC_COA: usize = 0;
export const BC_HA: usize = 4;
export const BC_EXPIRES: usize = 8;
export const BC_LAST_ID: usize = 16;
export const BC_REQ_AT: usize = 24;
export const BC_REQ_ID: usize = 32;
export const BC_LIFETIME: usize = 40;
export const BC_FLAGS: usize = 42;
/** Bytes of an entry's value. */
export const BC_SIZE: u32 = 48;

/** Entry flags: used since the last Binding Update or Binding Request (set by bcacheLookup). */
export const BC_USED: u8 = 0x01;
/** Entry flags: a Binding Request for this entry is outstanding (requestedAtMs, requestId valid). */
export const BC_REQUESTED: u8 = 0x02;
/** Entry flags: the Binding Update's M (minimal encapsulation allowed), the bit of wire/ro.ts BU_FLAG_M. */
export const BC_ENCAP_M: u8 = 0x20;
/** Entry flags: the Binding Update's G (GRE allowed), the bit of wire/ro.ts BU_FLAG_G. */
export const BC_ENCAP_G: u8 = 0x10;

/** Lifetime value meaning infinity (001 §4.3: "all ones"). */
export const BC_LIFETIME_INFINITE: u16 = 0xffff;

/**
 * Reconfirmation window (docs/decisions.md): an entry in use asks its home agent for a fresh binding
 * when at most a quarter of its granted lifetime is left, clamped to [BC_RECONFIRM_MIN_MS,
 * BC_RECONFIRM_MAX_MS] and never more than the whole lifetime; a lost request is repeated at most
 * every BC_RECONFIRM_RETRY_MS while the entry is still in use.
 */
export const BC_RECONFIRM_MIN_MS: i64 = 2000;
export const BC_RECONFIRM_MAX_MS: i64 = 30000;
export const BC_RECONFIRM_RETRY_MS: i64 = 1000;

/** Bytes of one dump record (bcacheDump). */
export const BCACHE_DUMP_SIZE: i32 = 68;

// (A global set at init rather than a constant: a global.get is shorter than the address at each use.)
let cache: usize = 0;
let lru: usize = 0;
let capacity: u32 = 0;
// No entry expires before this (a lower bound: exact after a sweep, lowered by every update).
let nextExp: i64 = 0x7fffffffffffffff; // TIMER_NEVER (a literal: a named constant here became a store at start-up)
// Dump cursor (as visitors.ts): valid while `gen` (bumped whenever an entry comes or goes) is unchanged.
let gen: u32 = 0;
// 0 next index i32 | 4 its record i32 | 8 gen u32 (visitors.ts dumpSeekGen).
const dumpCur: usize = memory.data<i32>([-1, -1, 0]);
/** Entries replaced to make room (LRU) since init. */
export let bcacheEvictions: u32 = 0;

/** Bytes bcacheInitAt needs for `cap` entries (hash table + LRU list); 0 if out of range. */
export function bcacheBytes(cap: u32): usize {
  const ht = htBytesKeyed(cap, BC_SIZE, HT_KEY_ADDR);
  const l = lruBytes(cap);
  if (ht == 0 || l == 0) return 0;
  return ((ht + 7) & ~7) + l;
}

/**
 * Set up an empty cache of `cap` entries in bcacheBytes(cap) bytes at `base` (8-aligned; unused when
 * `cap` is 0); false if out of range (the cache is then of capacity 0).
 */
export function bcacheInitAt(base: usize, cap: u32): bool {
  cache = memory.data(<i32>HT_HEADER_SIZE, 8);
  capacity = 0;
  lru = 0;
  nextExp = TIMER_NEVER;
  gen++;
  store<i32>(dumpCur, -1);
  bcacheEvictions = 0;
  // Why: capacity 0 is "no cache": every call answers "none" without touching memory at `base`.
  if (cap == 0) return true;
  if (bcacheBytes(cap) == 0 || !htInitKeyed(cache, base, cap, BC_SIZE, HT_KEY_ADDR)) return false;
  lru = base + ((htBytesKeyed(cap, BC_SIZE, HT_KEY_ADDR) + 7) & ~7);
  if (!lruInit(lru, cap)) { lru = 0; return false; }
  capacity = cap;
  return true;
}

/**
 * Carve the cache for `cap` entries from the arena, once at init (the role passes its board
 * profile's size; 0 = no cache). False when memory ran out or `cap` is out of range.
 */
export function bcacheInit(cap: u32): bool {
  if (cap == 0) return bcacheInitAt(0, 0);
  const n = bcacheBytes(cap);
  if (n == 0) return false;
  const base = arenaAlloc(n);
  if (base == 0) return false;
  return bcacheInitAt(base, cap);
}

/** Entries the cache can hold. */
export function bcacheCapacity(): u32 { return capacity; }
/** Entries present (expired ones not yet removed included). */
export function bcacheCount(): u32 { return capacity == 0 ? 0 : htUsed(cache); }

// @ts-ignore: decorator
@inline export function bcacheCoa(e: usize): u32 { return load<u32>(e, BC_COA); }
// @ts-ignore: decorator
@inline export function bcacheHomeAgent(e: usize): u32 { return load<u32>(e, BC_HA); }
// @ts-ignore: decorator
@inline export function bcacheExpiresAt(e: usize): i64 { return load<i64>(e, BC_EXPIRES); }
// @ts-ignore: decorator
@inline export function bcacheLastId(e: usize): u64 { return load<u64>(e, BC_LAST_ID); }
// @ts-ignore: decorator
@inline export function bcacheLifetime(e: usize): u16 { return load<u16>(e, BC_LIFETIME); }
// @ts-ignore: decorator
@inline export function bcacheFlags(e: usize): u8 { return load<u8>(e, BC_FLAGS); }

/** Remove the entry at record index `idx` (LRU link first). */
function removeAt(idx: i32): void {
  lruRemove(lru, idx);
  htRemoveAt(cache, idx);
  gen++;
  // Why: routes through a cached binding depend on it (stack/route.ts); the binding cache is an
  // entry kind of the one route decision (issue 10), so a removal invalidates memoised decisions.
  routeChanged();
}

/**
 * Install the binding of a Binding Update for home address `home`: care-of address `coa`, home
 * agent `ha` (kept as the destination of later Binding Requests, 001 §4.3), `lifetimeSec` (0xffff
 * infinite), accepted Identification `id`, at time `now` (ms); `buFlags` may carry the update's M and
 * G bits (BC_ENCAP_M / BC_ENCAP_G, the bits of wire/ro.ts buFlags) to choose the encapsulation.
 *
 * Call ONLY after the Binding Update was authenticated (its Route Optimization Authentication
 * extension verified with the association of `ha`) and its Identification found fresh
 * (bcacheIdFresh and the association's own check): 001 §3.1 allows no other way into the cache.
 *
 * Lifetime 0, or a care-of address equal to the home address, deletes the entry (001 §4.3,
 * SPEC-DECISIONS) and returns 0. Otherwise returns the entry, created or refreshed: it becomes the
 * most recently used, its use mark and any outstanding Binding Request are cleared. When the key is
 * new and the cache is full, expired entries are swept first and, if none was, the least recently
 * used entry is replaced (001 §3.1). Returns 0 with a cache of capacity 0.
 */
export function bcacheUpdate(home: u32, coa: u32, ha: u32, lifetimeSec: u16, id: u64, now: i64, buFlags: u8 = 0): usize {
  if (capacity == 0) return 0;
  if (lifetimeSec == 0 || coa == home) {
    bcacheRemove(home);
    return 0;
  }
  let v = htFindV4(cache, home);
  const fresh = v == 0;
  if (fresh) {
    v = htInsertV4(cache, home);
    if (v == 0) {
      // Why: an expired entry is dead weight; drop those before replacing a live one. The sweep
      // runs only when some entry may have expired (nextExp), so a flood of updates into a full
      // cache costs O(1) each, plus one O(capacity) sweep per expiry instant.
      if (nextExp <= now) bcacheExpire(now);
      v = htInsertV4(cache, home);
    }
    if (v == 0) {
      const old = lruEvictOldest(lru);
      if (old < 0) return 0;
      htRemoveAt(cache, old);
      bcacheEvictions++;
      v = htInsertV4(cache, home);
      if (v == 0) return 0;
    }
    gen++;
  }
  // (BC_LIFETIME_INFINITE is 0xffff: never expires.)
  const exp: i64 = drExpiry(now, lifetimeSec);
  if (fresh || load<u32>(v, BC_COA) != coa) routeChanged();
  store<u32>(v, coa, BC_COA);
  store<u32>(v, ha, BC_HA);
  store<i64>(v, exp, BC_EXPIRES);
  store<u64>(v, id, BC_LAST_ID);
  store<i64>(v, 0, BC_REQ_AT);
  store<u64>(v, 0, BC_REQ_ID);
  store<u16>(v, lifetimeSec, BC_LIFETIME);
  store<u8>(v, buFlags & (BC_ENCAP_M | BC_ENCAP_G), BC_FLAGS);
  if (exp < nextExp) nextExp = exp;
  lruTouch(lru, htIndexOf(cache, v));
  return v;
}

/**
 * The live entry for `home` at time `now` (ms), or 0. An entry whose expiry has come
 * (expiresAt <= now) is never returned: it is removed. A hit is a use: it sets the use mark
 * (reconfirmation, bcacheNeedsRequest) and makes the entry the most recently used (LRU).
 */
export function bcacheLookup(home: u32, now: i64): usize {
  if (capacity == 0) return 0;
  const v = htFindV4(cache, home);
  if (v == 0) return 0;
  const idx = htIndexOf(cache, v);
  if (load<i64>(v, BC_EXPIRES) <= now) { removeAt(idx); return 0; }
  store<u8>(v, load<u8>(v, BC_FLAGS) | BC_USED, BC_FLAGS);
  lruTouch(lru, idx);
  return v;
}

/**
 * The entry for `home` as stored, or 0, without marking a use or touching the LRU order, and also
 * when it has expired but is not yet removed: for the Identification check of an incoming Binding
 * Update (bcacheIdFresh), where the last accepted Identification still guards against replays.
 */
export function bcachePeek(home: u32): usize {
  return capacity == 0 ? 0 : htFindV4(cache, home);
}

/** Remove the entry for `home`; false if there was none. */
export function bcacheRemove(home: u32): bool {
  if (capacity == 0) return false;
  const v = htFindV4(cache, home);
  if (v == 0) return false;
  removeAt(htIndexOf(cache, v));
  return true;
}

/** Remove every entry whose expiry has come (expiresAt <= now); how many. O(capacity). */
export function bcacheExpire(now: i64): i32 {
  if (capacity == 0) return 0;
  let n = 0;
  let next = TIMER_NEVER;
  for (let i = htNext(cache, 0); i >= 0; i = htNext(cache, i + 1)) {
    const exp = load<i64>(htValueAt(cache, i), BC_EXPIRES);
    if (exp <= now) { removeAt(i); n++; } else if (exp < next) next = exp;
  }
  nextExp = next;
  return n;
}

/**
 * No entry expires before this time (ms; TIMER_NEVER when none can): where a role arms its one
 * cache timer to call bcacheExpire. Exact after a sweep; an update can only lower it.
 */
export function bcacheNextExpiry(): i64 { return capacity == 0 ? TIMER_NEVER : nextExp; }

/**
 * True when a Binding Update with Identification `id` is newer than what entry `e` (bcachePeek;
 * 0 = none) last accepted, so the caller may install it; false for a replayed or older update, which
 * the caller refuses (Binding Acknowledge 133) leaving the cache untouched. 0 is never fresh (it marks
 * "none").
 * - Timestamps (`useNonces` false): strictly later than the last accepted Identification, in RFC 1982
 *   serial-number order over 64 bits (as security/replay.ts), so the NTP era rollover changes nothing.
 * - Nonces (SPEC-DECISIONS: high 32 bits = the nonce the home agent will use next, low 32 = this
 *   message's): the low 32 bits must be the nonce the last accepted update announced, or the low 32
 *   bits of our outstanding Binding Request's Identification (the home agent's answer to it, after
 *   which its nonces resynchronise); the very same Identification twice is a replay.
 * With no entry (or nothing accepted yet) there is nothing to compare: true — the caller's check
 * against its association (timestamp window, last Identification of the association, nonce issued)
 * stands alone, and must, since a deleted or replaced entry takes its last Identification with it.
 */
export function bcacheIdFresh(e: usize, id: u64, useNonces: bool): bool {
  if (id == 0) return false;
  if (e == 0) return true;
  const last = load<u64>(e, BC_LAST_ID);
  if (useNonces) {
    if (id == last) return false;
    const lo = <u32>id;
    if (last != 0 && lo == <u32>(last >> 32)) return true;
    if ((load<u8>(e, BC_FLAGS) & BC_REQUESTED) != 0 && lo == <u32>load<u64>(e, BC_REQ_ID)) return true;
    return last == 0 && (load<u8>(e, BC_FLAGS) & BC_REQUESTED) == 0;
  }
  if (last == 0) return true;
  return <i64>(id - last) > 0;
}

/** The reconfirmation window of entry `e` in ms (see BC_RECONFIRM_MIN_MS). */
export function bcacheReconfirmWindow(e: usize): i64 {
  const granted = <i64>load<u16>(e, BC_LIFETIME) * 1000;
  let w = granted >> 2;
  if (w < BC_RECONFIRM_MIN_MS) w = BC_RECONFIRM_MIN_MS;
  if (w > BC_RECONFIRM_MAX_MS) w = BC_RECONFIRM_MAX_MS;
  return w < granted ? w : granted;
}

/**
 * True when entry `e` should be reconfirmed now by a Binding Request to its home agent (001 §4.3:
 * "reconfirm that mobility binding before the expiration ... when the node has indications that the
 * binding cache entry is still needed"): it was used (looked up) since its last Binding Update or
 * Binding Request, it has not expired, an infinite one never does, its remaining lifetime is within
 * bcacheReconfirmWindow, and no request went out in the last BC_RECONFIRM_RETRY_MS. After sending,
 * the caller calls bcacheRequestSent.
 */
export function bcacheNeedsRequest(e: usize, now: i64): bool {
  const f = load<u8>(e, BC_FLAGS);
  if ((f & BC_USED) == 0) return false;
  const exp = load<i64>(e, BC_EXPIRES);
  if (exp == TIMER_NEVER || exp <= now) return false;
  if (exp - now > bcacheReconfirmWindow(e)) return false;
  if ((f & BC_REQUESTED) != 0 && now - load<i64>(e, BC_REQ_AT) < BC_RECONFIRM_RETRY_MS) return false;
  return true;
}

/**
 * A Binding Request with Identification `id` went to the home agent of entry `e` at `now`: the use
 * mark is cleared (a retry needs further use) and the request is remembered for bcacheIdFresh
 * (nonces) and the retry interval.
 */
export function bcacheRequestSent(e: usize, id: u64, now: i64): void {
  store<u8>(e, (load<u8>(e, BC_FLAGS) & ~BC_USED) | BC_REQUESTED, BC_FLAGS);
  store<i64>(e, now, BC_REQ_AT);
  store<u64>(e, id, BC_REQ_ID);
}

// ---- iteration and dumps ---------------------------------------------------------------------------

/** The first record index >= `from` holding an entry, or -1: `for (i = bcacheNext(0); i >= 0; i = bcacheNext(i + 1))`. */
export function bcacheNext(from: i32): i32 { return capacity == 0 ? -1 : htNext(cache, from); }
/** The entry at record index `idx` (0 if none). */
export function bcacheEntryAt(idx: i32): usize { return capacity == 0 ? 0 : htValueAt(cache, idx); }
/** The home address (host order) of the entry at record index `idx` (0 if none). */
export function bcacheHomeAt(idx: i32): u32 { return capacity == 0 ? 0 : htKeyV4At(cache, idx); }
/** Record index of the least recently used entry (the next to be replaced), or -1. */
export function bcacheOldest(): i32 { return capacity == 0 ? -1 : lruOldest(lru); }
/** Record index of the next more recently used entry after `idx`, or -1. */
export function bcacheNewer(idx: i32): i32 { return capacity == 0 ? -1 : lruNewer(lru, idx); }

/**
 * Write cache entry `index` (0-based over entries present, in record order) to `out`
 * (BCACHE_DUMP_SIZE bytes, little-endian, addresses 16 bytes ::ffff:a.b.c.d); its length, or -1 past
 * the end:
 *   0 expiresAtMs i64 (i64 max: infinite) | 8 identification u64 (last accepted) | 16 lifetimeSec u16
 *   (granted) | 18 flags u8 (BC_*) | 19 pad | 20 home[16] | 36 careOf[16] | 52 homeAgent[16]
 * Reading indices 0, 1, 2, ... in a row is O(capacity) in all (a cursor resumes).
 */
export function bcacheDump(index: i32, out: usize): i32 {
  if (capacity == 0) return -1;
  const i = dumpSeekGen(cache, dumpCur, index, gen);
  if (i < 0) return -1;
  const v = htValueAt(cache, i);
  addrSetV4(out + 52, load<u32>(v, BC_HA));
  // lifetimeSec u16 at 40, flags u8 at 42 (the pad byte 43 may hold anything): record bytes 16..19.
  bindingRecord(out, cache, i, load<i64>(v, BC_EXPIRES), load<u64>(v, BC_LAST_ID), load<u32>(v, BC_LIFETIME) & 0xffffff, load<u32>(v, BC_COA));
  return BCACHE_DUMP_SIZE;
}
