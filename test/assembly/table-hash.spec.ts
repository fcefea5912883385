// table/hash.ts: fixed-capacity open-addressing table keyed by u32 with stable value records.
import {
  HT_HEADER_SIZE, HT_MAX_CAPACITY, htSlotCount, htBytes, htInit, htClear, htFind, htFindIndex, htInsert,
  htInsertedNew, htRemove, htRemoveAt, htUsed, htCapacity, htIsLive, htKeyAt, htValueAt, htIndexOf, htNext,
  htProbeCount,
} from "../../assembly/table/hash";

let rng: u32 = 0x2545f491;
function rand(): u32 { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

/** A table in fresh heap memory; the slot/record area is pre-filled with 0xa5 so init must clear it. */
function newTable(capacity: u32, valueSize: u32): usize {
  const t = heap.alloc(HT_HEADER_SIZE);
  const n = htBytes(capacity, valueSize);
  const base = heap.alloc(max<usize>(n, 8));
  memory.fill(base, 0xa5, n);
  expect<bool>(htInit(t, base, capacity, valueSize)).toBe(true);
  return t;
}
function countLive(t: usize): i32 {
  let n = 0;
  for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) n++;
  return n;
}
function ip(a: u32, b: u32, c: u32, d: u32): u32 { return a << 24 | b << 16 | c << 8 | d; }

describe("hash table sizing", () => {
  it("rounds slots to a power of two ≥ 1.5 × capacity, at least 2", () => {
    expect<u32>(htSlotCount(0)).toBe(2);
    expect<u32>(htSlotCount(1)).toBe(2);
    expect<u32>(htSlotCount(2)).toBe(4);
    expect<u32>(htSlotCount(10)).toBe(16);
    expect<u32>(htSlotCount(11)).toBe(32);  // 17 wanted
    expect<u32>(htSlotCount(1024)).toBe(2048);
    expect<u32>(htSlotCount(65536)).toBe(131072);
  });
  it("reports bytes: 8 per slot + (8 + value rounded to 8) per entry", () => {
    expect<usize>(htBytes(10, 0)).toBe(16 * 8 + 10 * 8);
    expect<usize>(htBytes(10, 1)).toBe(16 * 8 + 10 * 16);
    expect<usize>(htBytes(10, 24)).toBe(16 * 8 + 10 * 32);
    expect<usize>(htBytes(65536, 40)).toBe(131072 * 8 + 65536 * 48);
  });
  it("refuses out-of-range sizes without touching memory", () => {
    const t = heap.alloc(HT_HEADER_SIZE);
    expect<usize>(htBytes(HT_MAX_CAPACITY + 1, 8)).toBe(0);
    expect<usize>(htBytes(10, 0x10001)).toBe(0);
    expect<bool>(htInit(t, 0, HT_MAX_CAPACITY + 1, 8)).toBe(false);
    expect<bool>(htInit(t, 0, 10, 0x10001)).toBe(false);
  });
});

describe("hash table basics", () => {
  it("inserts, finds and zeroes new values; re-insert returns the same record", () => {
    const t = newTable(10, 12);
    const v = htInsert(t, ip(10, 0, 0, 5));
    expect<bool>(v != 0).toBe(true);
    expect<bool>(htInsertedNew(t)).toBe(true);
    expect<u32>(load<u32>(v)).toBe(0);
    expect<u32>(load<u32>(v, 8)).toBe(0);
    expect<bool>((v & 7) == 0).toBe(true); // values are 8-aligned
    store<u32>(v, 0xdeadbeef);
    expect<usize>(htFind(t, ip(10, 0, 0, 5))).toBe(v);
    expect<usize>(htInsert(t, ip(10, 0, 0, 5))).toBe(v);
    expect<bool>(htInsertedNew(t)).toBe(false);
    expect<u32>(load<u32>(v)).toBe(0xdeadbeef); // existing value untouched
    expect<usize>(htFind(t, ip(10, 0, 0, 6))).toBe(0);
    expect<u32>(htUsed(t)).toBe(1);
  });
  it("accepts key 0 (0.0.0.0) and 255.255.255.255 like any other", () => {
    const t = newTable(4, 4);
    const a = htInsert(t, 0);
    const b = htInsert(t, 0xffffffff);
    expect<bool>(a != 0 && b != 0 && a != b).toBe(true);
    expect<usize>(htFind(t, 0)).toBe(a);
    expect<usize>(htFind(t, 0xffffffff)).toBe(b);
    expect<bool>(htRemove(t, 0)).toBe(true);
    expect<usize>(htFind(t, 0)).toBe(0);
    expect<usize>(htFind(t, 0xffffffff)).toBe(b);
  });
  it("refuses a new key when used == capacity (not when slots run out), still finds old keys", () => {
    const t = newTable(10, 4);
    for (let i: u32 = 0; i < 10; i++) expect<bool>(htInsert(t, ip(10, 0, 1, i)) != 0).toBe(true);
    expect<u32>(htUsed(t)).toBe(10);
    expect<usize>(htInsert(t, ip(10, 0, 2, 0))).toBe(0);
    expect<bool>(htInsertedNew(t)).toBe(false);
    expect<u32>(htUsed(t)).toBe(10);
    expect<bool>(htInsert(t, ip(10, 0, 1, 3)) != 0).toBe(true); // present key: not a refusal
    expect<bool>(htRemove(t, ip(10, 0, 1, 7))).toBe(true);
    expect<bool>(htInsert(t, ip(10, 0, 2, 0)) != 0).toBe(true); // room again
    expect<usize>(htInsert(t, ip(10, 0, 2, 1))).toBe(0);
  });
  it("a zero-capacity table refuses every insert", () => {
    const t = newTable(0, 8);
    expect<usize>(htInsert(t, 1)).toBe(0);
    expect<usize>(htFind(t, 1)).toBe(0);
    expect<bool>(htRemove(t, 1)).toBe(false);
    expect<i32>(htNext(t, 0)).toBe(-1);
  });
  it("remove of an absent key is false and changes nothing", () => {
    const t = newTable(8, 4);
    htInsert(t, 1);
    expect<bool>(htRemove(t, 2)).toBe(false);
    expect<bool>(htRemove(t, 1)).toBe(true);
    expect<bool>(htRemove(t, 1)).toBe(false);
    expect<u32>(htUsed(t)).toBe(0);
  });
  it("maps record indices and value pointers both ways; records never move", () => {
    const t = newTable(16, 8);
    const ptrs = new StaticArray<usize>(16);
    for (let i: u32 = 0; i < 16; i++) { ptrs[i] = htInsert(t, i * 0x1000); store<u32>(ptrs[i], i); }
    for (let i: u32 = 0; i < 16; i += 2) htRemove(t, i * 0x1000); // shifts slots, not records
    for (let i: u32 = 1; i < 16; i += 2) {
      const v = htFind(t, i * 0x1000);
      expect<usize>(v).toBe(ptrs[i]);
      expect<u32>(load<u32>(v)).toBe(i);
      const idx = htIndexOf(t, v);
      expect<i32>(htFindIndex(t, i * 0x1000)).toBe(idx);
      expect<usize>(htValueAt(t, idx)).toBe(v);
      expect<u32>(htKeyAt(t, idx)).toBe(i * 0x1000);
      expect<bool>(htIsLive(t, idx)).toBe(true);
    }
    expect<i32>(htIndexOf(t, ptrs[1] + 1)).toBe(-1);
    expect<i32>(htIndexOf(t, 0)).toBe(-1);
    expect<i32>(htFindIndex(t, 0x1000 * 2)).toBe(-1);
    expect<bool>(htIsLive(t, -1)).toBe(false);
    expect<bool>(htIsLive(t, 16)).toBe(false);
    expect<usize>(htValueAt(t, htIndexOf(t, ptrs[0]))).toBe(0); // removed
    expect<bool>(htRemoveAt(t, htIndexOf(t, ptrs[3]))).toBe(true);
    expect<usize>(htFind(t, 3 * 0x1000)).toBe(0);
    expect<bool>(htRemoveAt(t, htIndexOf(t, ptrs[3]))).toBe(false);
    expect<bool>(htRemoveAt(t, 99)).toBe(false);
    expect<u32>(htUsed(t)).toBe(7);
  });
  it("clear empties the table", () => {
    const t = newTable(8, 4);
    for (let i: u32 = 0; i < 8; i++) htInsert(t, i);
    htClear(t);
    expect<u32>(htUsed(t)).toBe(0);
    expect<i32>(countLive(t)).toBe(0);
    for (let i: u32 = 0; i < 8; i++) expect<usize>(htFind(t, i)).toBe(0);
    expect<u32>(htCapacity(t)).toBe(8);
  });
});

describe("hash table iteration", () => {
  it("visits every live entry exactly once, also while removing during the walk", () => {
    const t = newTable(300, 4);
    const seen = new StaticArray<u8>(1000);
    for (let i: u32 = 0; i < 300; i++) htInsert(t, i * 3 + 7);
    for (let i: u32 = 0; i < 300; i += 3) htRemove(t, i * 3 + 7);
    for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) {
      const k = htKeyAt(t, i);
      seen[(k - 7) / 3]++;
    }
    for (let i = 0; i < 300; i++) expect<u8>(seen[i]).toBe(i % 3 == 0 ? 0 : 1);
    // Expire-style walk: remove every visited entry with an even key; each live entry seen once.
    let visits = 0;
    for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) {
      visits++;
      if ((htKeyAt(t, i) & 1) == 0) htRemoveAt(t, i);
    }
    expect<i32>(visits).toBe(200);
    expect<i32>(countLive(t)).toBe(<i32>htUsed(t));
    for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) expect<u32>(htKeyAt(t, i) & 1).toBe(1);
  });
});

describe("hash table against a reference model", () => {
  it("100,000 random insert/remove/find ops keep contents and used() correct", () => {
    const CAP: u32 = 512;
    const KEYS: u32 = 1500;
    const t = newTable(CAP, 8);
    // Reference model: present flag and value per key id. Key shapes: odd ids are 10.x.y.1 addresses,
    // even ids differ only in the top 12 bits. Mismatches are counted (one expect per op is slow).
    const present = new StaticArray<bool>(KEYS);
    const value = new StaticArray<u32>(KEYS);
    let size: u32 = 0;
    let bad = 0, firstBad = -1, refused = 0;
    rng = 12345;
    for (let op = 0; op < 100000; op++) {
      const id = rand() % KEYS;
      const key = (id & 1) != 0 ? ip(10, <u32>(id >> 8), <u32>(id & 255), 1) : id << 20;
      const what = rand() % 10;
      let ok = true;
      if (what < 5) {
        const v = htInsert(t, key);
        if (present[id]) {
          ok = v != 0 && !htInsertedNew(t) && load<u32>(v) == value[id];
        } else if (size == CAP) {
          ok = v == 0; refused++;
        } else {
          ok = v != 0 && htInsertedNew(t) && load<u32>(v) == 0;
          const x = rand();
          if (v != 0) store<u32>(v, x);
          present[id] = true; value[id] = x; size++;
        }
      } else if (what < 8) {
        ok = htRemove(t, key) == present[id];
        if (present[id]) { present[id] = false; size--; }
      } else {
        const v = htFind(t, key);
        ok = present[id] ? v != 0 && load<u32>(v) == value[id] : v == 0;
      }
      if (htUsed(t) != size) ok = false;
      if (op % 10000 == 9999) {
        if (countLive(t) != <i32>size) ok = false;
        for (let i: u32 = 0; i < KEYS; i++) {
          const k = (i & 1) != 0 ? ip(10, i >> 8, i & 255, 1) : i << 20;
          if ((htFind(t, k) != 0) != present[i]) ok = false;
        }
      }
      if (!ok) { bad++; if (firstBad < 0) firstBad = op; }
    }
    expect<i32>(firstBad).toBe(-1);
    expect<i32>(bad).toBe(0);
    expect<i32>(refused).toBeGreaterThan(1000); // the model really ran the table full
  });
  it("finds the survivors after many deletions, and probes stay short (no tombstone build-up)", () => {
    const t = newTable(1000, 4);
    rng = 777;
    for (let round = 0; round < 50; round++) {
      for (let i: u32 = 0; i < 1000; i++) htInsert(t, ip(10, 1, i >> 8, i & 255) + (<u32>round << 16));
      for (let i: u32 = 0; i < 1000; i++) if (i % 10 != 0) htRemove(t, ip(10, 1, i >> 8, i & 255) + (<u32>round << 16));
      for (let i: u32 = 0; i < 1000; i += 10) {
        expect<bool>(htFind(t, ip(10, 1, i >> 8, i & 255) + (<u32>round << 16)) != 0).toBe(true);
        htRemove(t, ip(10, 1, i >> 8, i & 255) + (<u32>round << 16));
      }
      expect<u32>(htUsed(t)).toBe(0);
    }
    // Empty table after 100,000 inserts and removes: every miss ends at its home slot.
    for (let i: u32 = 0; i < 1000; i++) expect<i32>(htProbeCount(t, rand())).toBe(1);
  });
});

describe("hash table probe lengths (flat from 10 to 65,536 entries)", () => {
  it("keeps average probes per hit ≤ 2 and the worst case bounded for address-shaped keys", () => {
    const sizes: StaticArray<u32> = [10, 100, 1000, 65536];
    for (let s = 0; s < sizes.length; s++) {
      const n = sizes[s];
      for (let shape = 0; shape < 3; shape++) {
        const t = newTable(n, 8);
        let sum: i64 = 0, worst = 0;
        rng = 99 + <u32>shape;
        for (let i: u32 = 0; i < n; i++) {
          // shape 0: one pool 10.1.x.y; shape 1: the same host in many /24s; shape 2: random
          const k = shape == 0 ? ip(10, 1, 0, 0) + i : shape == 1 ? ip(172, 16, 0, 1) + (i << 8) : rand();
          if (htInsert(t, k) == 0) continue; // duplicate random keys are fine
        }
        for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) {
          const p = htProbeCount(t, htKeyAt(t, i));
          sum += p;
          if (p > worst) worst = p;
        }
        const avg = <f64>sum / <f64>htUsed(t);
        expect<bool>(avg <= 2.0).toBe(true);
        expect<i32>(worst).toBeLessThanOrEqual(40);
      }
    }
  });
});
