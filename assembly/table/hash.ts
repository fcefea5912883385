// Fixed-capacity hash table with fixed-size value records, in caller memory (DESIGN.md §4). No
// allocation, no growth: a full table refuses. Keys are 4 bytes (a u32: an IPv4 address in host order,
// a care-of address, ...) or 16 bytes (a family-neutral address, wire/addr.ts: IPv6, or IPv4 mapped as
// ::ffff:a.b.c.d), chosen per table at htInit (issue 8.2). The u32 API (htFind, htInsert, htRemove,
// htFindIndex, htKeyAt, htProbeCount) serves 4-byte tables, the *Addr API (a pointer to the key)
// 16-byte tables; each refuses (0 / -1 / false) a table of the other key size where it writes.
//
// Two regions:
// - a header of HT_HEADER_SIZE bytes at `t` (below), the table's identity for every call;
// - htBytesKeyed(capacity, valueSize, keySize) (htBytes for u32 keys) bytes at `base`: the slot array, then the record pool.
//
// Slots (open addressing, linear probing, 8 bytes each whatever the key size): tag u32 | ref u32
// (record index + 1, 0 = empty). The tag is the key itself in a 4-byte table, the key's 32-bit hash
// in a 16-byte table (Why (speed): a probe compares 4 bytes and reads the 16-byte key in its record
// only when the hashes agree, and backward-shift deletion finds an entry's home slot from the tag
// without re-hashing). The slot count is a power of two ≥ 1.5 × capacity, so a full table is at most
// 2/3 loaded and a miss ends at an empty slot within a few probes. Deletion shifts later entries of
// the cluster back (backward-shift deletion), so there are no tombstones and no slow-down after many
// insert/delete cycles. Hash: a full-avalanche 32-bit mixer (xorshift-multiply, two rounds), then the
// top bits; a 16-byte key is first folded to 32 bits (wire/addr.ts addrHash: the same mixer). A single
// Fibonacci multiply-shift was measured at 3.5 probes per hit for 65,536 keys that differ only in
// bits 8-23 (one host in many /24s); the mixer keeps every key shape near the ideal 1.5.
//
// Records (the values) never move: a record index is a stable handle that an LRU list, a timer tag
// or another table can hold, and value pointers stay valid until that key is removed. Only the 8-byte
// slots move during deletion. Removing entries while iterating over record indices is safe.
// Record layout, stride (8 or 24) + valueSize rounded up to 8 (so values are 8-aligned when `base` is):
//   4-byte keys:  0 key u32 (live) or next free record index (free) | 4 slot index u32 (live) or HT_FREE | 8 value
//   16-byte keys: 0 hash u32 (live) or next free record index (free) | 4 slot index u32 or HT_FREE |
//                 8 key[16] | 24 value

import { swap32 } from "../wire/bytes";
import { arenaAlloc } from "../mem";
import { ADDR_V4_FOLD, addrMix, addrCopy, addrEqual, addrHash, addrSetV4, addrV4 } from "../wire/addr";

/** Bytes of the table header at `t`. */
export const HT_HEADER_SIZE: usize = 48;
/** Largest accepted capacity (entries). */
export const HT_MAX_CAPACITY: u32 = 1 << 24;
/** Largest accepted value record size in bytes. */
export const HT_MAX_VALUE_SIZE: u32 = 1 << 16;
/** Key sizes: a u32, or a 16-byte address (wire/addr.ts). */
export const HT_KEY_U32: u32 = 4;
export const HT_KEY_ADDR: u32 = 16;

// Header fields.
const H_SLOTS: usize = 0;     // usize: slot array
const H_RECS: usize = 4;      // usize: record pool
const H_MASK: usize = 8;      // u32: slot count - 1
const H_SHIFT: usize = 12;    // u32: 32 - log2(slot count)
const H_CAPACITY: usize = 16; // u32: entries allowed
const H_USED: usize = 20;     // u32: live entries
const H_STRIDE: usize = 24;   // u32: record stride
const H_FREE: usize = 28;     // u32: head of the free record list, NONE if empty
const H_VALUE_SIZE: usize = 32; // u32
const H_LAST_NEW: usize = 36; // u32: 1 if the last insert created its entry
const H_KEY_SIZE: usize = 40; // u32: HT_KEY_U32 or HT_KEY_ADDR
const H_VALUE_AT: usize = 44; // u32: offset of the value in a record (HT_VALUE or HT_VALUE_ADDR)

// Slot fields.
const SLOT_SIZE: usize = 8;
const S_KEY: usize = 0; // the tag: key (4-byte table) or hash (16-byte table)
const S_REF: usize = 4;
// Record fields.
const R_KEY: usize = 0; // also the free-list link of a free record
const R_SLOT: usize = 4;
const R_ADDR: usize = 8; // the key of a 16-byte-key record
/** Offset of the value inside a record of a 4-byte-key table (the value pointer is record + HT_VALUE). */
export const HT_VALUE: usize = 8;
/** Offset of the value inside a record of a 16-byte-key table. */
export const HT_VALUE_ADDR: usize = 24;
/** Marker in a free record's slot field. */
const HT_FREE: u32 = 0xffffffff;
const NONE: u32 = 0xffffffff;

/** Slot count for `capacity` entries: a power of two ≥ 1.5 × capacity and ≥ 2 (load ≤ 2/3). */
export function htSlotCount(capacity: u32): u32 {
  const want = capacity + ((capacity + 1) >> 1);
  if (want <= 2) return 2;
  return 1 << (32 - clz<u32>(want - 1));
}

/** Record stride for a value size: the record header (8, or 24 with a 16-byte key) + the value rounded up to 8. */
// @ts-ignore: decorator
@inline function strideFor(valueSize: u32, keySize: u32): u32 {
  return (keySize == HT_KEY_ADDR ? <u32>HT_VALUE_ADDR : <u32>HT_VALUE) + ((valueSize + 7) & ~7);
}

/** Bytes to reserve at `base` for `capacity` entries of `valueSize` bytes with u32 keys; 0 if out of range. */
// @ts-ignore: decorator
@inline export function htBytes(capacity: u32, valueSize: u32): usize { return htBytesKeyed(capacity, valueSize, HT_KEY_U32); }

/** Bytes to reserve at `base` for `capacity` entries of `valueSize` bytes with `keySize`-byte keys; 0 if out of range. */
export function htBytesKeyed(capacity: u32, valueSize: u32, keySize: u32): usize {
  if (capacity > HT_MAX_CAPACITY || valueSize > HT_MAX_VALUE_SIZE) return 0;
  if (keySize != HT_KEY_U32 && keySize != HT_KEY_ADDR) return 0;
  return <usize>htSlotCount(capacity) * SLOT_SIZE + <usize>capacity * <usize>strideFor(valueSize, keySize);
}

/**
 * Carve a table of `capacity` address-keyed entries from the arena (mem.ts) and set it up with its
 * header at `t`; false when memory ran out (or out of range). Capacity 0 carves nothing (true).
 */
export function htCarve(t: usize, capacity: u32, valueSize: u32): bool {
  if (capacity == 0) return true;
  const base = arenaAlloc(htBytesKeyed(capacity, valueSize, HT_KEY_ADDR));
  return base != 0 && htInitKeyed(t, base, capacity, valueSize, HT_KEY_ADDR);
}

/** Set up an empty table with u32 keys: header at `t`, htBytes(capacity, valueSize) bytes at `base`; false if out of range. */
// @ts-ignore: decorator
@inline export function htInit(t: usize, base: usize, capacity: u32, valueSize: u32): bool {
  return htInitKeyed(t, base, capacity, valueSize, HT_KEY_U32);
}

/**
 * Set up an empty table with `keySize`-byte keys (HT_KEY_U32 or HT_KEY_ADDR): header at `t`,
 * htBytesKeyed(capacity, valueSize, keySize) bytes at `base`; false if out of range.
 */
export function htInitKeyed(t: usize, base: usize, capacity: u32, valueSize: u32, keySize: u32): bool {
  // The same ranges as htBytesKeyed, whose answer is 0 only outside them.
  if (htBytesKeyed(capacity, valueSize, keySize) == 0) return false;
  const slots = htSlotCount(capacity);
  const stride = strideFor(valueSize, keySize);
  store<usize>(t, base, H_SLOTS);
  store<usize>(t, base + <usize>slots * SLOT_SIZE, H_RECS);
  store<u32>(t, slots - 1, H_MASK);
  store<u32>(t, clz<u32>(slots) + 1, H_SHIFT); // 32 - log2(slots)
  store<u32>(t, capacity, H_CAPACITY);
  store<u32>(t, stride, H_STRIDE);
  store<u32>(t, valueSize, H_VALUE_SIZE);
  store<u32>(t, keySize, H_KEY_SIZE);
  store<u32>(t, keySize == HT_KEY_ADDR ? <u32>HT_VALUE_ADDR : <u32>HT_VALUE, H_VALUE_AT);
  htClear(t);
  return true;
}

/** Key size of the table at `t` (HT_KEY_U32 or HT_KEY_ADDR). */
export function htKeySize(t: usize): u32 { return load<u32>(t, H_KEY_SIZE); }

/** Remove every entry (O(slots + capacity)). */
export function htClear(t: usize): void {
  const slots = load<u32>(t, H_MASK) + 1;
  memory.fill(load<usize>(t, H_SLOTS), 0, <usize>slots * SLOT_SIZE);
  const recs = load<usize>(t, H_RECS);
  const stride = <usize>load<u32>(t, H_STRIDE);
  const cap = load<u32>(t, H_CAPACITY);
  // Free list in index order, so a fresh table hands out records 0, 1, 2, ...
  for (let i: u32 = 0; i < cap; i++) {
    const r = recs + <usize>i * stride;
    store<u32>(r, i + 1 < cap ? i + 1 : NONE, R_KEY);
    store<u32>(r, HT_FREE, R_SLOT);
  }
  store<u32>(t, cap > 0 ? 0 : NONE, H_FREE);
  store<u32>(t, 0, H_USED);
  store<u32>(t, 0, H_LAST_NEW);
}

/** 32-bit mixer: every key bit affects every hash bit (xorshift-multiply; constants from C. Wellons' "lowbias32"; wire/addr.ts addrMix). */
// @ts-ignore: decorator
@inline export function htHash(key: u32): u32 { return addrMix(key); }
/** Hash of the 16-byte key at `key`: its words folded to 32 bits, then htHash's mixer (wire/addr.ts addrHash). */
// @ts-ignore: decorator
@inline export function htHashAddr(key: usize): u32 { return addrHash(key); }
// @ts-ignore: decorator
@inline function home(t: usize, key: u32): u32 { return htHash(key) >>> load<u32>(t, H_SHIFT); }
/** Home slot of a slot's tag: the key is hashed in a 4-byte table, the tag is the hash in a 16-byte one. */
// @ts-ignore: decorator
@inline function homeOfTag(t: usize, tag: u32): u32 {
  return (load<u32>(t, H_KEY_SIZE) == HT_KEY_ADDR ? tag : htHash(tag)) >>> load<u32>(t, H_SHIFT);
}
function slotAt(t: usize, i: u32): usize { return load<usize>(t, H_SLOTS) + <usize>i * SLOT_SIZE; }
function recAt(t: usize, idx: u32): usize {
  return load<usize>(t, H_RECS) + <usize>idx * <usize>load<u32>(t, H_STRIDE);
}
// @ts-ignore: decorator
@inline function isAddrTable(t: usize): bool { return load<u32>(t, H_KEY_SIZE) == HT_KEY_ADDR; }

/** Slot holding `key`, or the bitwise NOT of the empty slot where the probe ended (always < 0 then). */
function probe(t: usize, key: u32): i32 {
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = home(t, key);
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    if (load<u32>(s, S_REF) == 0) return ~<i32>i;
    if (load<u32>(s, S_KEY) == key) return <i32>i;
    i = (i + 1) & mask;
  }
}

/** Slot holding the 16-byte key at `key` (hash `h`), or the NOT of the empty slot where the probe ended. */
function probeAddr(t: usize, key: usize, h: u32): i32 {
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = h >>> load<u32>(t, H_SHIFT);
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    const ref = load<u32>(s, S_REF);
    if (ref == 0) return ~<i32>i;
    if (load<u32>(s, S_KEY) == h && addrEqual(recAt(t, ref - 1) + R_ADDR, key)) return <i32>i;
    i = (i + 1) & mask;
  }
}

/** Value pointer of `key` in a 4-byte-key table, or 0 if absent. */
export function htFind(t: usize, key: u32): usize {
  // Why (speed): the probe loop of `probe` written out here: htFind runs on every datagram a home agent
  // or foreign agent intercepts, and under wasm3 a call costs more than a probe that hits its home slot.
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = home(t, key);
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    const ref = load<u32>(s, S_REF);
    if (ref == 0) return 0;
    if (load<u32>(s, S_KEY) == key) return recAt(t, ref - 1) + HT_VALUE;
    i = (i + 1) & mask;
  }
}

/** Value pointer of the 16-byte key at `key` in a 16-byte-key table, or 0 if absent. */
export function htFindAddr(t: usize, key: usize): usize {
  // Why (size): one probe loop for the 16-byte keys; no IPv4 fast path looks up by 16-byte key yet.
  const i = probeAddr(t, key, addrHash(key));
  return i < 0 ? 0 : recAt(t, load<u32>(slotAt(t, <u32>i), S_REF) - 1) + HT_VALUE_ADDR;
}

/**
 * Value pointer of the IPv4-mapped key of `v4` (host order) in a 16-byte-key table, or 0 if absent.
 * Why (speed): an IPv4 caller looks up without building the 16-byte key (hash from the one word that
 * differs, wire/addr.ts ADDR_V4_FOLD; the record's key compared as three words).
 */
export function htFindV4(t: usize, v4: u32): usize {
  const w = swap32(v4);
  const h = htHash(ADDR_V4_FOLD + w);
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = h >>> load<u32>(t, H_SHIFT);
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    const ref = load<u32>(s, S_REF);
    if (ref == 0) return 0;
    if (load<u32>(s, S_KEY) == h) {
      const r = recAt(t, ref - 1);
      if (load<u32>(r, R_ADDR + 12) == w && load<u64>(r, R_ADDR) == 0 && load<u32>(r, R_ADDR + 8) == 0xffff0000) return r + HT_VALUE_ADDR;
    }
    i = (i + 1) & mask;
  }
}

/** Record index of `key` (stable while the key is present), or -1 if absent. */
export function htFindIndex(t: usize, key: u32): i32 {
  const i = probe(t, key);
  if (i < 0) return -1;
  return <i32>load<u32>(slotAt(t, <u32>i), S_REF) - 1;
}

/** Record index of the 16-byte key at `key`, or -1 if absent (or `t` has 4-byte keys). */
export function htFindIndexAddr(t: usize, key: usize): i32 {
  if (!isAddrTable(t)) return -1;
  const i = probeAddr(t, key, addrHash(key));
  if (i < 0) return -1;
  return <i32>load<u32>(slotAt(t, <u32>i), S_REF) - 1;
}

/** Take a free record for a new entry in the empty slot `e` with tag `tag`; its record, or 0 when full. */
function claim(t: usize, e: u32, tag: u32): usize {
  const idx = load<u32>(t, H_FREE);
  if (idx == NONE) { store<u32>(t, 0, H_LAST_NEW); return 0; }
  const r = recAt(t, idx);
  store<u32>(t, load<u32>(r, R_KEY), H_FREE);
  const s = slotAt(t, e);
  store<u32>(s, tag, S_KEY);
  store<u32>(s, idx + 1, S_REF);
  store<u32>(r, tag, R_KEY);
  store<u32>(r, e, R_SLOT);
  store<u32>(t, load<u32>(t, H_USED) + 1, H_USED);
  store<u32>(t, 1, H_LAST_NEW);
  return r;
}

/**
 * Value pointer for `key` in a 4-byte-key table: the existing entry, or a new zeroed one
 * (htInsertedNew tells which). Returns 0 when the key is absent and `used == capacity`: the table
 * never exceeds its configured number of entries; the caller refuses (RFC 2002 §3.4 code 130
 * "insufficient resources") or evicts. Also 0 on a 16-byte-key table.
 */
export function htInsert(t: usize, key: u32): usize {
  if (isAddrTable(t)) { store<u32>(t, 0, H_LAST_NEW); return 0; }
  const i = probe(t, key);
  if (i >= 0) {
    store<u32>(t, 0, H_LAST_NEW);
    return recAt(t, load<u32>(slotAt(t, <u32>i), S_REF) - 1) + HT_VALUE;
  }
  const r = claim(t, <u32>~i, key);
  if (r == 0) return 0;
  memory.fill(r + HT_VALUE, 0, <usize>load<u32>(t, H_VALUE_SIZE));
  return r + HT_VALUE;
}

/** htInsert for the 16-byte key at `key` in a 16-byte-key table (0 when full, or on a 4-byte-key table). */
export function htInsertAddr(t: usize, key: usize): usize {
  if (!isAddrTable(t)) { store<u32>(t, 0, H_LAST_NEW); return 0; }
  const h = addrHash(key);
  const i = probeAddr(t, key, h);
  if (i >= 0) {
    store<u32>(t, 0, H_LAST_NEW);
    return recAt(t, load<u32>(slotAt(t, <u32>i), S_REF) - 1) + HT_VALUE_ADDR;
  }
  const r = claim(t, <u32>~i, h);
  if (r == 0) return 0;
  addrCopy(r + R_ADDR, key);
  memory.fill(r + HT_VALUE_ADDR, 0, <usize>load<u32>(t, H_VALUE_SIZE));
  return r + HT_VALUE_ADDR;
}

/** True if the last insert on `t` created a new entry (false: it found one, or refused). */
export function htInsertedNew(t: usize): bool { return load<u32>(t, H_LAST_NEW) != 0; }

/** Empty slot `i` (live), free its record, and close the gap by shifting the cluster back. */
function removeSlot(t: usize, i: u32): void {
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  const s0 = slots + <usize>i * SLOT_SIZE;
  const idx = load<u32>(s0, S_REF) - 1;
  const r = recAt(t, idx);
  store<u32>(r, load<u32>(t, H_FREE), R_KEY);
  store<u32>(r, HT_FREE, R_SLOT);
  store<u32>(t, idx, H_FREE);
  store<u32>(t, load<u32>(t, H_USED) - 1, H_USED);
  // Backward-shift deletion: an entry at j whose home slot k lies cyclically in [.., i] may move
  // into the hole at i; the probe sequence of every remaining key stays unbroken.
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const sj = slots + <usize>j * SLOT_SIZE;
    const ref = load<u32>(sj, S_REF);
    if (ref == 0) break;
    const k = homeOfTag(t, load<u32>(sj, S_KEY));
    if (((j - k) & mask) >= ((j - i) & mask)) {
      store<u64>(slots + <usize>i * SLOT_SIZE, load<u64>(sj));
      store<u32>(recAt(t, ref - 1), i, R_SLOT);
      i = j;
    }
  }
  store<u64>(slots + <usize>i * SLOT_SIZE, 0);
}

/** Remove `key` from a 4-byte-key table; false if it was absent. */
export function htRemove(t: usize, key: u32): bool {
  if (isAddrTable(t)) return false;
  const i = probe(t, key);
  if (i < 0) return false;
  removeSlot(t, <u32>i);
  return true;
}

/** Remove the 16-byte key at `key` from a 16-byte-key table; false if it was absent. */
export function htRemoveAddr(t: usize, key: usize): bool {
  if (!isAddrTable(t)) return false;
  const i = probeAddr(t, key, addrHash(key));
  if (i < 0) return false;
  removeSlot(t, <u32>i);
  return true;
}

/** Remove the entry at record index `idx` (e.g. from lruEvictOldest); false if not live. */
export function htRemoveAt(t: usize, idx: i32): bool {
  if (!htIsLive(t, idx)) return false;
  removeSlot(t, load<u32>(recAt(t, <u32>idx), R_SLOT));
  return true;
}

/** Live entries. */
export function htUsed(t: usize): u32 { return load<u32>(t, H_USED); }

/** Configured capacity (entries); record indices run from 0 to capacity - 1. */
export function htCapacity(t: usize): u32 { return load<u32>(t, H_CAPACITY); }

/** True if record index `idx` holds a live entry. */
export function htIsLive(t: usize, idx: i32): bool {
  if (idx < 0 || <u32>idx >= load<u32>(t, H_CAPACITY)) return false;
  return load<u32>(recAt(t, <u32>idx), R_SLOT) != HT_FREE;
}

/** Key of the live entry at record index `idx` of a 4-byte-key table (0 if not live). */
export function htKeyAt(t: usize, idx: i32): u32 {
  return htIsLive(t, idx) && !isAddrTable(t) ? load<u32>(recAt(t, <u32>idx), R_KEY) : 0;
}

/** Pointer to the 16-byte key of the live entry at record index `idx` of a 16-byte-key table (0 if not live). */
export function htKeyAddrAt(t: usize, idx: i32): usize {
  return htIsLive(t, idx) && isAddrTable(t) ? recAt(t, <u32>idx) + R_ADDR : 0;
}

/** Value pointer of the live entry at record index `idx` (0 if not live). */
export function htValueAt(t: usize, idx: i32): usize {
  return htIsLive(t, idx) ? recAt(t, <u32>idx) + <usize>load<u32>(t, H_VALUE_AT) : 0;
}

/** Record index of a live entry's value pointer (-1 if it is not one, or the entry was removed). */
export function htIndexOf(t: usize, value: usize): i32 {
  const recs = load<usize>(t, H_RECS);
  const at = <usize>load<u32>(t, H_VALUE_AT);
  if (value < recs + at) return -1;
  const off = value - recs - at;
  const stride = <usize>load<u32>(t, H_STRIDE);
  const idx = off / stride;
  if (off != idx * stride || idx >= <usize>load<u32>(t, H_CAPACITY)) return -1;
  return htIsLive(t, <i32>idx) ? <i32>idx : -1;
}

/**
 * Iteration: the first live record index ≥ `from`, or -1. Visits each live entry once:
 * `for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1))`; removing entry i inside the loop is safe.
 */
export function htNext(t: usize, from: i32): i32 {
  const cap = <i32>load<u32>(t, H_CAPACITY);
  for (let i = max(from, 0); i < cap; i++) {
    if (load<u32>(recAt(t, <u32>i), R_SLOT) != HT_FREE) return i;
  }
  return -1;
}

/** Slots examined to find `key` (hit or miss) in a 4-byte-key table; for tests and benchmarks of probe length. */
export function htProbeCount(t: usize, key: u32): i32 {
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = home(t, key);
  let n = 1;
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    if (load<u32>(s, S_REF) == 0 || load<u32>(s, S_KEY) == key) return n;
    i = (i + 1) & mask;
    n++;
  }
}

/** Slots examined to find the 16-byte key at `key` (hit or miss) in a 16-byte-key table. */
export function htProbeCountAddr(t: usize, key: usize): i32 {
  const h = addrHash(key);
  const slots = load<usize>(t, H_SLOTS);
  const mask = load<u32>(t, H_MASK);
  let i = h >>> load<u32>(t, H_SHIFT);
  let n = 1;
  while (true) {
    const s = slots + <usize>i * SLOT_SIZE;
    const ref = load<u32>(s, S_REF);
    if (ref == 0 || (load<u32>(s, S_KEY) == h && addrEqual(recAt(t, ref - 1) + R_ADDR, key))) return n;
    i = (i + 1) & mask;
    n++;
  }
}

// ---- IPv4 forms for 16-byte-key tables ---------------------------------------------------------
// Tables keyed by the family-neutral address (bindings, visitors, tunnel soft state, security
// associations) whose callers hold IPv4 addresses as u32 today: the key is built in one scratch
// address (htFindV4 finds without building it).
const v4key: usize = memory.data(16, 8);

/** htInsertAddr for the IPv4-mapped key of `v4` (host order). */
export function htInsertV4(t: usize, v4: u32): usize { addrSetV4(v4key, v4); return htInsertAddr(t, v4key); }
/** htRemoveAddr for the IPv4-mapped key of `v4` (host order). */
export function htRemoveV4(t: usize, v4: u32): bool { addrSetV4(v4key, v4); return htRemoveAddr(t, v4key); }
/** The IPv4 address (host order) of the live entry at record index `idx` of a 16-byte-key table; 0 if
 *  not live or not IPv4-mapped. */
export function htKeyV4At(t: usize, idx: i32): u32 { const k = htKeyAddrAt(t, idx); return k == 0 ? 0 : addrV4(k); }

