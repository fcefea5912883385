// The Mobile IPv6 Binding Cache (seed 003 §4.3, §7.3, §7.4, §7.7; issue 13 point 2), kept by every IPv6
// node: home address -> care-of address, with the fields §4.3 lists: lifetime, the "home registration"
// mark, the ID Length, the greatest Sequence Number received, recent use (replacement policy and
// Binding Requests) and when a Binding Request last went out.
//
// Entry (hash table keyed by the 16-byte home address, table/hash.ts HT_KEY_ADDR; an LRU list over the
// same record indices, table/lru.ts, holding only the entries that may be replaced):
//   0 coa[16] | 16 expiresAtMs i64 (TIMER_NEVER: lifetime infinite) | 24 requestedAtMs i64 (last
//   Binding Request; 0 none) | 32 lifetimeSec u32 (granted) | 36 seq u16 | 38 idLen u8 | 39 flags u8
//   (B6_*) | 40 iface i32 (home registration: the home link's interface) | 44 unreach u8 (Destination
//   Unreachable errors about packets sent through it since the last update, mobility/mip6.ts §7.8) | 45 naLeft u8 (home agent: gratuitous advertisements still to send, ha6.ts) |
//   pad[2]
//
// Why (§4.3, §7.7): "at most one entry for each mobile node home address"; "Any entry ... MUST be deleted
// after the expiration of the Lifetime"; entries "marked as a home registration MUST NOT be deleted from
// the cache until the expiration of its lifetime"; other entries MAY be dropped for room, "least-recently
// used ... among entries not marked as a home registration": home registrations leave the LRU list, so
// lruEvictOldest never picks one, and a full cache refuses a new home registration (the caller answers
// status 131, §7.7). Expiry is lazy plus one sweep (as mobility/bcache.ts): a lookup never returns an
// expired entry, bc6Expire removes them all, bc6NextExpiry says when the next one can go.
//
// The one writer is bc6Put, called only for a Binding Update that passed §7.2's tests (AH verified by
// the home address's own security association, sequence greater): "The contents of a node's Binding
// Cache MUST NOT be changed in response to a Home Address option" (§4.3) — nothing else writes here.

import { routeChanged } from "../stack/route";
import { arenaAlloc } from "../mem";
import { addrCopy, addrEqual } from "../wire/addr";
import { seqGreater } from "../wire/mip6";
import {
  HT_KEY_ADDR, HT_HEADER_SIZE, htBytesKeyed, htInitKeyed, htFindAddr, htInsertAddr, htRemoveAt, htIndexOf,
  htValueAt, htNext, htUsed, htKeyAddrAt,
} from "../table/hash";
import { lruBytes, lruInit, lruTouch, lruRemove, lruEvictOldest } from "../table/lru";
import { TIMER_NEVER } from "../table/timer";

export const B6_COA: usize = 0;
export const B6_EXPIRES: usize = 16;
export const B6_REQ_AT: usize = 24;
export const B6_LIFETIME: usize = 32;
export const B6_SEQ: usize = 36;
export const B6_ID_LEN: usize = 38;
export const B6_FLAGS: usize = 39;
export const B6_IFACE: usize = 40;
export const B6_UNREACH: usize = 44;
export const B6_NA_LEFT: usize = 45;
/** Bytes of an entry's value. */
export const B6_SIZE: u32 = 48;

/** Flags: a home registration (§4.3; never replaced, §7.7). */
export const B6_HOME: u8 = 0x01;
/** Flags: used to send since the last Binding Update or Binding Request (§4.3 "recent usage", §7.6). */
export const B6_USED: u8 = 0x02;

let cache: usize = 0;
let lru: usize = 0;
let capacity: u32 = 0;
let nextExp: i64 = 0;
/** Entries replaced to make room (LRU) since init. */
export let bc6Evictions: u32 = 0;

/** Bytes the cache needs for `cap` entries; 0 if out of range. */
export function bc6Bytes(cap: u32): usize {
  const ht = htBytesKeyed(cap, B6_SIZE, HT_KEY_ADDR);
  const l = lruBytes(cap);
  if (ht == 0 || l == 0) return 0;
  return ((ht + 7) & ~7) + l;
}

/** Set up an empty cache of `cap` entries in bc6Bytes(cap) bytes at `base` (8-aligned); 0: no cache. */
export function bc6InitAt(base: usize, cap: u32): bool {
  cache = memory.data(<i32>HT_HEADER_SIZE, 8);
  onRemove = 0;
  capacity = 0;
  lru = 0;
  nextExp = TIMER_NEVER;
  bc6Evictions = 0;
  // Why: capacity 0 is "no cache": every call answers "none" without touching memory at `base`.
  if (cap == 0) return true;
  if (bc6Bytes(cap) == 0 || !htInitKeyed(cache, base, cap, B6_SIZE, HT_KEY_ADDR)) return false;
  lru = base + ((htBytesKeyed(cap, B6_SIZE, HT_KEY_ADDR) + 7) & ~7);
  if (!lruInit(lru, cap)) { lru = 0; return false; }
  capacity = cap;
  return true;
}

/** Carve the cache for `cap` entries (board.bindingCache) from the arena, once at init. */
export function bc6Init(cap: u32): bool {
  if (cap == 0) return bc6InitAt(0, 0);
  const n = bc6Bytes(cap);
  const base: usize = n == 0 ? 0 : arenaAlloc(n);
  return base != 0 && bc6InitAt(base, cap);
}

/** Entries the cache can hold. */
export function bc6Capacity(): u32 { return capacity; }
/** Entries present (expired ones not yet swept included). */
export function bc6Count(): u32 { return capacity == 0 ? 0 : htUsed(cache); }

/** Told about every entry leaving the cache (expiry, deletion, replacement): events, and the home agent's
 *  proxies of a home registration. */
export type Bc6Removed = (home: usize, v: usize) => void;
let onRemove: usize = 0;
export function bc6OnRemove(fn: Bc6Removed): void { onRemove = changetype<usize>(fn); }

function removeAt(idx: i32): void {
  const v = htValueAt(cache, idx);
  if (onRemove != 0) changetype<Bc6Removed>(onRemove)(htKeyAddrAt(cache, idx), v);
  lruRemove(lru, idx);
  htRemoveAt(cache, idx);
  // Why: the route decision memoises where a destination goes (stack/route.ts); a binding decides that.
  routeChanged();
}

/**
 * The entry for `home` as stored (expired or not), or 0: for the sequence check of an incoming Binding
 * Update (§7.2), which must see the last accepted Sequence Number even of an entry about to expire.
 */
export function bc6Peek(home: usize): usize { return capacity == 0 ? 0 : htFindAddr(cache, home); }

/**
 * The live entry for `home` at `now` (ms), or 0; an expired one is removed, never returned (§7.7). With
 * `use`, the lookup is a use for sending (§7.9): it marks the entry used and makes it the most recently
 * used.
 */
export function bc6Lookup(home: usize, now: i64, use: bool): usize {
  if (capacity == 0) return 0;
  const v = htFindAddr(cache, home);
  if (v == 0) return 0;
  const idx = htIndexOf(cache, v);
  if (load<i64>(v, B6_EXPIRES) <= now) { removeAt(idx); return 0; }
  if (use) {
    store<u8>(v, load<u8>(v, B6_FLAGS) | B6_USED, B6_FLAGS);
    if ((load<u8>(v, B6_FLAGS) & B6_HOME) == 0) lruTouch(lru, idx);
  }
  return v;
}

/**
 * True when Sequence Number `seq` may update the binding of `home` (§7.2: "greater than the Sequence
 * Number received in the previous Binding Update for this home address, if any", modulo 2^16). With no
 * entry, any value (§5.1 "should accept a Binding Update with any Sequence Number value").
 */
export function bc6SeqOk(home: usize, seq: i32): bool {
  const v = bc6Peek(home);
  return v == 0 || seqGreater(seq, <i32>load<u16>(v, B6_SEQ));
}

/**
 * Install the binding `home` -> `coa` of an accepted Binding Update (§7.3, §8.2): lifetime `lifetimeSec`
 * (0xffffffff infinite; not 0: that is a deletion, bc6Remove), Sequence `seq`, ID Length `idLen`, a home
 * registration on `iface` when `homeReg`. Returns the entry, or 0 when there is no room: a new entry in a
 * full cache first sweeps expired entries, then replaces the least recently used entry that is not a home
 * registration (§7.7); a home registration is never replaced, so a cache full of them refuses (the home
 * agent answers 131). An existing entry changes kind with the update (a correspondent entry becoming the
 * home registration leaves the LRU list; the reverse joins it).
 */
export function bc6Put(home: usize, coa: usize, lifetimeSec: u32, seq: i32, idLen: i32, homeReg: bool, iface: i32, now: i64): usize {
  if (capacity == 0) return 0;
  let v = htFindAddr(cache, home);
  if (v == 0) {
    v = htInsertAddr(cache, home);
    if (v == 0 && nextExp <= now) { bc6Expire(now); v = htInsertAddr(cache, home); }
    if (v == 0) {
      const old = lruEvictOldest(lru);
      if (old < 0) return 0;
      if (onRemove != 0) changetype<Bc6Removed>(onRemove)(htKeyAddrAt(cache, old), htValueAt(cache, old));
      htRemoveAt(cache, old);
      bc6Evictions++;
      v = htInsertAddr(cache, home);
      if (v == 0) return 0;
    }
    routeChanged();
  } else if (!addrEqual(v + B6_COA, coa)) {
    routeChanged();
  }
  const exp: i64 = lifetimeSec == 0xffffffff ? TIMER_NEVER : now + <i64>lifetimeSec * 1000;
  addrCopy(v + B6_COA, coa);
  store<i64>(v, exp, B6_EXPIRES);
  store<i64>(v, 0, B6_REQ_AT);
  store<u32>(v, lifetimeSec, B6_LIFETIME);
  store<u16>(v, <u16>seq, B6_SEQ);
  store<u8>(v, <u8>idLen, B6_ID_LEN);
  store<u8>(v, homeReg ? B6_HOME : 0, B6_FLAGS);
  store<i32>(v, iface, B6_IFACE);
  store<u8>(v, 0, B6_UNREACH);
  store<u8>(v, 0, B6_NA_LEFT);
  if (exp < nextExp) nextExp = exp;
  const idx = htIndexOf(cache, v);
  if (homeReg) lruRemove(lru, idx);
  else lruTouch(lru, idx);
  return v;
}

/** Remove the entry for `home` (§7.4, §8.3, §7.8); false if there was none. */
export function bc6Remove(home: usize): bool {
  const v = bc6Peek(home);
  if (v == 0) return false;
  removeAt(htIndexOf(cache, v));
  return true;
}

/** Remove every entry whose lifetime has expired (§7.7); how many. O(capacity). */
export function bc6Expire(now: i64): i32 {
  if (capacity == 0) return 0;
  let n = 0;
  let next = TIMER_NEVER;
  for (let i = htNext(cache, 0); i >= 0; i = htNext(cache, i + 1)) {
    const exp = load<i64>(htValueAt(cache, i), B6_EXPIRES);
    if (exp <= now) { removeAt(i); n++; } else if (exp < next) next = exp;
  }
  nextExp = next;
  return n;
}

/** No entry expires before this time (ms; TIMER_NEVER when none can). */
export function bc6NextExpiry(): i64 { return capacity == 0 ? TIMER_NEVER : nextExp; }

/** Record index of the next entry at or after `from`, or -1: to walk the cache (timers, dump). */
export function bc6Next(from: i32): i32 { return capacity == 0 ? -1 : htNext(cache, from); }
/** The value of the entry at record index `i`. */
export function bc6At(i: i32): usize { return htValueAt(cache, i); }
/** The home address (key) of the entry at record index `i`. */
export function bc6HomeAt(i: i32): usize { return htKeyAddrAt(cache, i); }

/** Bytes of one dump record (bc6Dump; docs/abi.md table 9). */
export const BC6_DUMP_SIZE: i32 = 48;
// Dump cursor: the record index the last dumped position `curN` was found at.
let curN: i32 = -1;
let curI: i32 = -1;

/**
 * Dump record `n` of the cache (docs/abi.md table 9) into `out`: home[16] | coa[16] | expiresAtMs i64
 * (i64 max: infinite) | lifetimeSec u32 | seq u16 | idLen u8 | flags u8 (B6_*). Returns its length, or
 * -1 past the last. Records come in table order; asking for n + 1 after n continues from there.
 */
export function bc6Dump(n: i32, out: usize): i32 {
  let i = n == curN + 1 && curI >= 0 ? bc6Next(curI + 1) : -1;
  if (n != curN + 1 || curI < 0) {
    i = bc6Next(0);
    for (let k = 0; k < n && i >= 0; k++) i = bc6Next(i + 1);
  }
  curN = n; curI = i;
  if (i < 0) { curN = -1; return -1; }
  const v = bc6At(i);
  addrCopy(out, bc6HomeAt(i));
  memory.copy(out + 16, v, 24);             // coa, expiresAtMs
  store<u32>(out, load<u32>(v, B6_LIFETIME), 40);
  store<u32>(out, load<u32>(v, B6_SEQ), 44); // seq, idLen, flags
  return BC6_DUMP_SIZE;
}
