// table/lru.ts: LRU order by u32 indices, alone and combined with table/hash.ts as an LRU cache.
import {
  lruBytes, lruInit, lruClear, lruTouch, lruRemove, lruOldest, lruNewest, lruEvictOldest, lruOlder, lruNewer,
  lruCount, lruIsLinked, LRU_MAX_CAPACITY,
} from "../../assembly/table/lru";
import { HT_HEADER_SIZE, htBytes, htInit, htInsert, htFind, htRemoveAt, htIndexOf, htUsed, htKeyAt } from "../../assembly/table/hash";

let rng: u32 = 0x9e3779b9;
function rand(): u32 { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

function newLru(capacity: u32): usize {
  const n = lruBytes(capacity);
  const l = heap.alloc(n);
  memory.fill(l, 0xa5, n);
  expect<bool>(lruInit(l, capacity)).toBe(true);
  return l;
}
/** The list from oldest to newest as a string like "0,2,3,1"; also checks the newer links agree. */
function order(l: usize): string {
  let s = "";
  let n = 0;
  let last = -1;
  for (let i = lruOldest(l); i >= 0; i = lruNewer(l, i)) { s += (n++ > 0 ? "," : "") + i.toString(); last = i; }
  expect<i32>(last).toBe(lruNewest(l));
  // Walking back from the newest must give the same count.
  let m = 0;
  for (let i = lruNewest(l); i >= 0; i = lruOlder(l, i)) m++;
  expect<i32>(m).toBe(n);
  expect<u32>(lruCount(l)).toBe(<u32>n);
  return s;
}

describe("lru", () => {
  it("sizes: 16-byte header + 8 bytes per entry", () => {
    expect<usize>(lruBytes(0)).toBe(16);
    expect<usize>(lruBytes(100)).toBe(16 + 800);
    expect<usize>(lruBytes(LRU_MAX_CAPACITY + 1)).toBe(0);
    expect<bool>(lruInit(heap.alloc(16), LRU_MAX_CAPACITY + 1)).toBe(false);
  });
  it("starts empty", () => {
    const l = newLru(4);
    expect<i32>(lruOldest(l)).toBe(-1);
    expect<i32>(lruNewest(l)).toBe(-1);
    expect<i32>(lruEvictOldest(l)).toBe(-1);
    expect<u32>(lruCount(l)).toBe(0);
    expect<bool>(lruIsLinked(l, 0)).toBe(false);
  });
  it("orders by last touch", () => {
    const l = newLru(8);
    lruTouch(l, 0); lruTouch(l, 1); lruTouch(l, 2); lruTouch(l, 3);
    expect<string>(order(l)).toStrictEqual("0,1,2,3");
    lruTouch(l, 1);
    expect<string>(order(l)).toStrictEqual("0,2,3,1");
    lruTouch(l, 1); // already newest: no change
    expect<string>(order(l)).toStrictEqual("0,2,3,1");
    lruTouch(l, 0); // oldest becomes newest
    expect<string>(order(l)).toStrictEqual("2,3,1,0");
    lruTouch(l, 7);
    expect<string>(order(l)).toStrictEqual("2,3,1,0,7");
  });
  it("evicts the oldest first", () => {
    const l = newLru(8);
    lruTouch(l, 5); lruTouch(l, 3); lruTouch(l, 6); lruTouch(l, 5);
    expect<i32>(lruEvictOldest(l)).toBe(3);
    expect<bool>(lruIsLinked(l, 3)).toBe(false);
    expect<i32>(lruEvictOldest(l)).toBe(6);
    expect<i32>(lruEvictOldest(l)).toBe(5);
    expect<i32>(lruEvictOldest(l)).toBe(-1);
    expect<u32>(lruCount(l)).toBe(0);
  });
  it("removes head, tail and middle entries; refuses unlinked and out-of-range indices", () => {
    const l = newLru(8);
    for (let i = 0; i < 6; i++) lruTouch(l, i);
    expect<bool>(lruRemove(l, 3)).toBe(true);
    expect<string>(order(l)).toStrictEqual("0,1,2,4,5");
    expect<bool>(lruRemove(l, 0)).toBe(true);
    expect<string>(order(l)).toStrictEqual("1,2,4,5");
    expect<bool>(lruRemove(l, 5)).toBe(true);
    expect<string>(order(l)).toStrictEqual("1,2,4");
    expect<bool>(lruRemove(l, 5)).toBe(false);
    expect<bool>(lruRemove(l, 7)).toBe(false);
    expect<bool>(lruRemove(l, 8)).toBe(false);
    expect<bool>(lruRemove(l, -1)).toBe(false);
    expect<bool>(lruTouch(l, 8)).toBe(false);
    expect<bool>(lruTouch(l, -1)).toBe(false);
    expect<i32>(lruOlder(l, 7)).toBe(-1);
    expect<string>(order(l)).toStrictEqual("1,2,4");
    lruClear(l);
    expect<string>(order(l)).toStrictEqual("");
  });
  it("matches a reference model over 20,000 random touches, removes and evictions", () => {
    const CAP = 64;
    const l = newLru(<u32>CAP);
    // Model: last-touch time per entry (0 = not linked); the oldest is the smallest time.
    const stamp = new StaticArray<i32>(CAP);
    let now = 0, bad = 0;
    rng = 4242;
    for (let op = 0; op < 20000; op++) {
      const i = <i32>(rand() % <u32>CAP);
      const w = rand() % 10;
      if (w < 6) { lruTouch(l, i); stamp[i] = ++now; }
      else if (w < 8) { if (lruRemove(l, i) != (stamp[i] != 0)) bad++; stamp[i] = 0; }
      else {
        let o = -1;
        for (let j = 0; j < CAP; j++) if (stamp[j] != 0 && (o < 0 || stamp[j] < stamp[o])) o = j;
        if (lruEvictOldest(l) != o) bad++;
        if (o >= 0) stamp[o] = 0;
      }
      let c = 0;
      for (let j = 0; j < CAP; j++) if (stamp[j] != 0) c++;
      if (<i32>lruCount(l) != c) bad++;
    }
    expect<i32>(bad).toBe(0);
  });
});

describe("lru + hash table as an LRU cache (the recipe in lru.ts)", () => {
  it("replaces the least recently used key when full", () => {
    const CAP: u32 = 4;
    const t = heap.alloc(HT_HEADER_SIZE);
    htInit(t, heap.alloc(htBytes(CAP, 8)), CAP, 8);
    const l = newLru(CAP);
    let evicted: u32 = 0;
    // get-or-insert, evicting the least recently used entry when the table is full.
    const keys: StaticArray<u32> = [0x0a000001, 0x0a000002, 0x0a000003, 0x0a000004, 0x0a000001, 0x0a000005, 0x0a000006];
    for (let k = 0; k < keys.length; k++) {
      let v = htInsert(t, keys[k]);
      if (v == 0) {
        const old = lruEvictOldest(l);
        evicted = htKeyAt(t, old);
        expect<bool>(htRemoveAt(t, old)).toBe(true);
        v = htInsert(t, keys[k]);
        // 10.0.0.1 was used again before 10.0.0.5 arrived, so .2 then .3 go.
        expect<u32>(evicted).toBe(k == 5 ? 0x0a000002 : 0x0a000003);
      }
      expect<bool>(v != 0).toBe(true);
      lruTouch(l, htIndexOf(t, v));
    }
    expect<u32>(htUsed(t)).toBe(4);
    expect<u32>(lruCount(l)).toBe(4);
    expect<bool>(htFind(t, 0x0a000001) != 0).toBe(true);
    expect<usize>(htFind(t, 0x0a000002)).toBe(0);
    expect<usize>(htFind(t, 0x0a000003)).toBe(0);
    expect<u32>(htKeyAt(t, lruOldest(l))).toBe(0x0a000004);
  });
});
