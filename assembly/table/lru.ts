// Least-recently-used order over a fixed pool of entries 0 .. capacity-1, in caller memory: a doubly
// linked list by u32 indices (lruBytes(capacity) bytes at `l`). It holds no keys or values; pair it
// with a table whose entries have stable indices — the record indices of table/hash.ts — for caches
// where the spec allows replacement (binding caches, DESIGN.md §4; RFC 2002 route optimization lets a
// cache drop entries at will). Separate from the hash table so tables that must refuse instead of
// evict (home registrations) do not pay for the links.
//
// Recipe for an LRU hash map with `t` (hash.ts) and `l` of the same capacity:
//   let v = htInsert(t, key);
//   if (v == 0) {                       // full: replace the least recently used entry
//     const old = lruEvictOldest(l);    // caller cancels timers etc. of entry `old` here
//     htRemoveAt(t, old);
//     v = htInsert(t, key);
//   }
//   lruTouch(l, htIndexOf(t, v));       // on every insert and every use
//   ... and lruRemove(l, idx) next to every htRemoveAt / htRemove of a live entry.
//
// Layout: header 16 bytes (head = newest u32 | tail = oldest u32 | count u32 | capacity u32), then
// per entry 8 bytes: prev u32 (toward newer) | next u32 (toward older). NIL ends the list; an entry not
// in the list has prev = next = UNLINKED.

/** Bytes of the LRU header in front of the nodes. */
export const LRU_HEADER_SIZE: usize = 16;
/** Largest accepted capacity. */
export const LRU_MAX_CAPACITY: u32 = 1 << 24;

const L_HEAD: usize = 0;
const L_TAIL: usize = 4;
const L_COUNT: usize = 8;
const L_CAPACITY: usize = 12;
const N_PREV: usize = 0;
const N_NEXT: usize = 4;
const NODE_SIZE: usize = 8;
const NIL: u32 = 0xffffffff;
// Every byte 0xfe, so lruClear unlinks every node with one memory.fill (no index reaches it: capacity ≤ 2^24).
const UNLINKED: u32 = 0xfefefefe;

function node(l: usize, i: u32): usize { return l + LRU_HEADER_SIZE + <usize>i * NODE_SIZE; }

/** Bytes to reserve for an LRU over `capacity` entries (header included); 0 if out of range. */
export function lruBytes(capacity: u32): usize {
  if (capacity > LRU_MAX_CAPACITY) return 0;
  return LRU_HEADER_SIZE + <usize>capacity * NODE_SIZE;
}

/** Set up an empty LRU at `l` over entries 0 .. capacity-1; false if out of range. */
export function lruInit(l: usize, capacity: u32): bool {
  if (capacity > LRU_MAX_CAPACITY) return false;
  store<u32>(l, capacity, L_CAPACITY);
  lruClear(l);
  return true;
}

/** Unlink every entry. */
export function lruClear(l: usize): void {
  const cap = load<u32>(l, L_CAPACITY);
  store<u64>(l, 0xffffffffffffffff); // head, tail NIL
  store<u32>(l, 0, L_COUNT);
  // UNLINKED in both halves of every node.
  memory.fill(node(l, 0), 0xfe, <usize>cap * NODE_SIZE);
}

/** True if `idx` is in the list. */
export function lruIsLinked(l: usize, idx: i32): bool {
  if (idx < 0 || <u32>idx >= load<u32>(l, L_CAPACITY)) return false;
  return load<u32>(node(l, <u32>idx), N_PREV) != UNLINKED;
}

function unlink(l: usize, i: u32): void {
  const n = node(l, i);
  const prev = load<u32>(n, N_PREV);
  const next = load<u32>(n, N_NEXT);
  if (prev == NIL) store<u32>(l, next, L_HEAD); else store<u32>(node(l, prev), next, N_NEXT);
  if (next == NIL) store<u32>(l, prev, L_TAIL); else store<u32>(node(l, next), prev, N_PREV);
  store<u64>(n, 0xfefefefefefefefe);
  store<u32>(l, load<u32>(l, L_COUNT) - 1, L_COUNT);
}

/** Make `idx` the most recently used entry, adding it if absent; false if out of range. */
export function lruTouch(l: usize, idx: i32): bool {
  if (idx < 0 || <u32>idx >= load<u32>(l, L_CAPACITY)) return false;
  const i = <u32>idx;
  const n = node(l, i);
  const head = load<u32>(l, L_HEAD);
  if (head == i) return true;
  if (load<u32>(n, N_PREV) != UNLINKED) unlink(l, i); // i is not the head, so the head stays
  store<u32>(n, NIL, N_PREV);
  store<u32>(n, head, N_NEXT);
  if (head == NIL) store<u32>(l, i, L_TAIL); else store<u32>(node(l, head), i, N_PREV);
  store<u32>(l, i, L_HEAD);
  store<u32>(l, load<u32>(l, L_COUNT) + 1, L_COUNT);
  return true;
}

/** Take `idx` out of the list; false if it was not in it. */
export function lruRemove(l: usize, idx: i32): bool {
  if (!lruIsLinked(l, idx)) return false;
  unlink(l, <u32>idx);
  return true;
}

/** Least recently used entry, or -1 if the list is empty. */
export function lruOldest(l: usize): i32 {
  const t = load<u32>(l, L_TAIL);
  return t == NIL ? -1 : <i32>t;
}

/** Most recently used entry, or -1 if the list is empty. */
export function lruNewest(l: usize): i32 {
  const h = load<u32>(l, L_HEAD);
  return h == NIL ? -1 : <i32>h;
}

/** Take the least recently used entry out of the list and return it, or -1 if empty. */
export function lruEvictOldest(l: usize): i32 {
  const t = load<u32>(l, L_TAIL);
  if (t == NIL) return -1;
  unlink(l, t);
  return <i32>t;
}

/** The next older entry after linked `idx`, or -1 at the oldest (or if `idx` is not linked). */
export function lruOlder(l: usize, idx: i32): i32 {
  if (!lruIsLinked(l, idx)) return -1;
  const n = load<u32>(node(l, <u32>idx), N_NEXT);
  return n == NIL ? -1 : <i32>n;
}

/** The next newer entry after linked `idx`, or -1 at the newest (or if `idx` is not linked). */
export function lruNewer(l: usize, idx: i32): i32 {
  if (!lruIsLinked(l, idx)) return -1;
  const p = load<u32>(node(l, <u32>idx), N_PREV);
  return p == NIL ? -1 : <i32>p;
}

/** Entries in the list. */
export function lruCount(l: usize): u32 { return load<u32>(l, L_COUNT); }
