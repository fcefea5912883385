// (node, binding) pairs of route optimization (seed 001 §7.1, §7.3, §8.3; issue 10.3-10.4): what a home
// agent remembers about the Binding Updates it sends — when it last sent one to a node about a mobile
// node's binding (rate limiting, "MUST provide some mechanism to limit the rate"), the Identification
// of the last one sent with A, and whether that node acknowledged it (the optional list of
// correspondents, 001 §7.3) — and what a foreign agent remembers about its Binding Warnings (§8.3).
//
// Entry (hash table with a 16-byte key, table/hash.ts; capacity = board `roPeers`, carved only when
// route optimization is on; an LRU list over the same record indices, table/lru.ts):
//   key: node u32 | home u32 | kind u32 | 0 u32 (host order; the mixer hashes any 16 bytes)
//   value: 0 lastSentMs i64 | 8 lastId u64 (last Binding Update sent with A) | 16 flags u8 (RP_*) | pad
// A full table forgets its least recently used pair: at worst that node gets one message early,
// which the interval then limits again (001 §7.1 asks for a limit, not for perfect memory).

import { arenaAlloc } from "../mem";
import {
  HT_KEY_ADDR, HT_HEADER_SIZE, htBytesKeyed, htCarve, htInitKeyed, htCarve, htFindAddr, htInsertAddr, htInsertedNew, htRemoveAt,
  htIndexOf, htValueAt, htKeyAddrAt, htNext,
} from "../table/hash";
import { lruBytes, lruInit, lruTouch, lruEvictOldest } from "../table/lru";

/** Pair kinds. */
export const RP_UPDATE: u32 = 1;  // home agent -> node: Binding Updates about a binding
export const RP_WARNING: u32 = 2; // foreign agent -> home agent: Binding Warnings naming a node
export const RP_REQUEST: u32 = 3; // correspondent -> home agent: nonce resynchronisation requests

export const RP_LAST_MS: usize = 0;
export const RP_LAST_ID: usize = 8;
export const RP_FLAGS: usize = 16;
const RP_SIZE: u32 = 24;
/** Flag: the node acknowledged (status 0) the Binding Update with Identification lastId (001 §7.3). */
export const RP_ACKED: u8 = 0x01;
/** Flag: a Binding Update with A went to the node and is not acknowledged yet. */
export const RP_ACK_WANTED: u8 = 0x02;

const table: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
const key: usize = memory.data(16, 8);
let lru: usize = 0;
let capacity: u32 = 0;

/** Carve the table for `cap` pairs (0: none; every message is then allowed by roPeerAllow). */
export function roPeersInit(cap: u32): void {
  capacity = cap;
  if (cap == 0) return;
  htCarve(table, cap, RP_SIZE);
  lru = arenaAlloc(lruBytes(cap));
  // (Out of memory, the second block is 0 too, and init fails: mem.ts arenaFailed.)
  if (lru != 0) lruInit(lru, cap);
}

function setKey(node: u32, home: u32, kind: u32): usize {
  store<u32>(key, node, 0);
  store<u32>(key, home, 4);
  store<u32>(key, kind, 8);
  store<u32>(key, 0, 12);
  return key;
}

/** The pair's record, or 0. */
export function roPeerFind(node: u32, home: u32, kind: u32): usize {
  return capacity == 0 ? 0 : htFindAddr(table, setKey(node, home, kind));
}

/** The pair's record, created (all zero) when new — replacing the least recently used one when full; 0 with no table. */
export function roPeerGet(node: u32, home: u32, kind: u32): usize {
  if (capacity == 0) return 0;
  setKey(node, home, kind);
  let v = htInsertAddr(table, key);
  if (v == 0) {
    const old = lruEvictOldest(lru);
    if (old < 0) return 0;
    htRemoveAt(table, old);
    v = htInsertAddr(table, key);
    if (v == 0) return 0;
  }
  if (htInsertedNew(table)) {
    store<i64>(v, i64.MIN_VALUE, RP_LAST_MS);
    store<u64>(v, 0, RP_LAST_ID);
    store<u8>(v, 0, RP_FLAGS);
  }
  lruTouch(lru, htIndexOf(table, v));
  return v;
}

/**
 * Rate limit (001 §7.1, §8.3): true when a message of `kind` may go to `node` about `home` at `now`
 * — none went in the last `intervalMs` — and then records it as sent. Without a table (board
 * `roPeers` 0) every message is allowed.
 */
export function roPeerAllow(node: u32, home: u32, kind: u32, now: i64, intervalMs: i64): bool {
  const v = roPeerGet(node, home, kind);
  if (v == 0) return capacity == 0;
  const last = load<i64>(v, RP_LAST_MS);
  if (last != i64.MIN_VALUE && now - last < intervalMs) return false;
  store<i64>(v, now, RP_LAST_MS);
  return true;
}

/** The first record index >= `from` holding a pair, or -1 (iteration: the correspondent list). */
export function roPeerNext(from: i32): i32 { return capacity == 0 ? -1 : htNext(table, from); }
/** The record of index `idx`. */
export function roPeerAt(idx: i32): usize { return htValueAt(table, idx); }
/** The node, home address and kind of record `idx`. */
export function roPeerNodeAt(idx: i32): u32 { return load<u32>(htKeyAddrAt(table, idx), 0); }
export function roPeerHomeAt(idx: i32): u32 { return load<u32>(htKeyAddrAt(table, idx), 4); }
export function roPeerKindAt(idx: i32): u32 { return load<u32>(htKeyAddrAt(table, idx), 8); }
