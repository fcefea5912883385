// table/hash.ts with 16-byte keys (issue 8.2): family-neutral addresses (wire/addr.ts) as keys.
import {
  HT_HEADER_SIZE, HT_KEY_U32, HT_KEY_ADDR, htBytes, htBytesKeyed, htInit, htInitKeyed, htKeySize, htHash, htHashAddr,
  htFindAddr, htFindIndexAddr, htInsertAddr, htInsertedNew, htRemoveAddr, htRemoveAt, htKeyAddrAt, htValueAt,
  htIndexOf, htNext, htUsed, htProbeCountAddr, htInsert, htRemove, htFind, htKeyAt, htFindV4,
} from "../../assembly/table/hash";
import { addrSetV4, addrEqual, addrCopy } from "../../assembly/wire/addr";

let rng: u32 = 0x2545f491;
function rand(): u32 { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

/** A 16-byte-key table in fresh heap memory pre-filled with 0xa5 (init must clear what matters). */
function newTable(capacity: u32, valueSize: u32): usize {
  const t = heap.alloc(HT_HEADER_SIZE);
  const n = htBytesKeyed(capacity, valueSize, HT_KEY_ADDR);
  const base = heap.alloc(max<usize>(n, 8));
  memory.fill(base, 0xa5, n);
  expect<bool>(htInitKeyed(t, base, capacity, valueSize, HT_KEY_ADDR)).toBe(true);
  return t;
}
/** A fresh 16-byte key: IPv4-mapped `v4`. */
function v4(x: u32): usize { const a = heap.alloc(16); addrSetV4(a, x); return a; }
/** A fresh 16-byte key: 2001:db8::/32 with `hi` in bytes 4..7 and `lo` in bytes 12..15 (network order). */
function v6(hi: u32, lo: u32): usize {
  const a = heap.alloc(16);
  store<u32>(a, bswap<u32>(0x20010db8));
  store<u32>(a, bswap<u32>(hi), 4);
  store<u32>(a, 0, 8);
  store<u32>(a, bswap<u32>(lo), 12);
  return a;
}

describe("hash table with 16-byte keys: sizing and key-size checks", () => {
  it("reports bytes: 8 per slot + (24 + value rounded to 8) per entry; refuses other key sizes", () => {
    expect<usize>(htBytesKeyed(10, 4, HT_KEY_ADDR)).toBe(16 * 8 + 10 * 32);
    expect<usize>(htBytesKeyed(10, 0, HT_KEY_ADDR)).toBe(16 * 8 + 10 * 24);
    expect<usize>(htBytesKeyed(10, 4, HT_KEY_U32)).toBe(htBytes(10, 4));
    expect<usize>(htBytesKeyed(10, 4, 8)).toBe(0);
    const t = heap.alloc(HT_HEADER_SIZE);
    expect<bool>(htInitKeyed(t, heap.alloc(1024), 10, 4, 8)).toBe(false);
    expect<bool>(htInitKeyed(t, heap.alloc(1024), 10, 4, 0)).toBe(false);
  });
  it("each API refuses a table of the other key size instead of corrupting it", () => {
    const a = newTable(4, 8);
    expect<u32>(htKeySize(a)).toBe(HT_KEY_ADDR);
    expect<usize>(htInsert(a, 0x0a000001)).toBe(0);
    expect<bool>(htInsertedNew(a)).toBe(false);
    expect<bool>(htRemove(a, 0x0a000001)).toBe(false);
    expect<u32>(htUsed(a)).toBe(0);
    const k = v4(0x0a000001);
    const v = htInsertAddr(a, k);
    expect<bool>(v != 0).toBe(true);
    expect<u32>(htKeyAt(a, htIndexOf(a, v))).toBe(0); // no u32 key in a 16-byte table
    const t = heap.alloc(HT_HEADER_SIZE);
    const base = heap.alloc(htBytes(4, 8));
    expect<bool>(htInit(t, base, 4, 8)).toBe(true);
    expect<u32>(htKeySize(t)).toBe(HT_KEY_U32);
    expect<usize>(htInsertAddr(t, k)).toBe(0);
    expect<bool>(htRemoveAddr(t, k)).toBe(false);
    expect<i32>(htFindIndexAddr(t, k)).toBe(-1);
    const w = htInsert(t, 0x0a000001);
    expect<usize>(htKeyAddrAt(t, htIndexOf(t, w))).toBe(0);
  });
});

describe("hash table with 16-byte keys: contents", () => {
  it("inserts, finds, zeroes values (8-aligned), keeps the key, re-insert returns the same record", () => {
    const t = newTable(10, 12);
    const k = v6(1, 2);
    const v = htInsertAddr(t, k);
    expect<bool>(v != 0 && htInsertedNew(t)).toBe(true);
    expect<u32>(load<u32>(v)).toBe(0);
    expect<u32>(load<u32>(v, 8)).toBe(0);
    expect<bool>((v & 7) == 0).toBe(true);
    store<u32>(v, 0xdeadbeef);
    const same = v6(1, 2); // equal bytes, other memory
    expect<usize>(htFindAddr(t, same)).toBe(v);
    expect<usize>(htInsertAddr(t, same)).toBe(v);
    expect<bool>(htInsertedNew(t)).toBe(false);
    expect<u32>(load<u32>(v)).toBe(0xdeadbeef);
    const idx = htIndexOf(t, v);
    expect<i32>(htFindIndexAddr(t, k)).toBe(idx);
    expect<usize>(htValueAt(t, idx)).toBe(v);
    expect<bool>(addrEqual(htKeyAddrAt(t, idx), k)).toBe(true);
    expect<usize>(htFindAddr(t, v6(1, 3))).toBe(0);
    expect<u32>(htUsed(t)).toBe(1);
  });
  it("keeps IPv4-mapped, IPv4-compatible and IPv6 keys with the same low 32 bits apart", () => {
    const t = newTable(8, 4);
    const m = v4(0x0a000102);                       // ::ffff:10.0.1.2
    const c = heap.alloc(16); addrCopy(c, m); store<u16>(c, 0, 10); // ::10.0.1.2
    const s = v6(0, 0x0a000102);                     // 2001:db8::a00:102
    const z = v4(0);                                 // ::ffff:0.0.0.0
    const u = heap.alloc(16); memory.fill(u, 0, 16); // ::
    const keys: StaticArray<usize> = [m, c, s, z, u];
    for (let i = 0; i < keys.length; i++) { const v = htInsertAddr(t, keys[i]); expect<bool>(v != 0 && htInsertedNew(t)).toBe(true); store<u32>(v, <u32>i + 100); }
    expect<u32>(htUsed(t)).toBe(5);
    for (let i = 0; i < keys.length; i++) expect<u32>(load<u32>(htFindAddr(t, keys[i]))).toBe(<u32>i + 100);
    expect<bool>(htRemoveAddr(t, c)).toBe(true);
    expect<usize>(htFindAddr(t, c)).toBe(0);
    expect<u32>(load<u32>(htFindAddr(t, m))).toBe(100);
    expect<u32>(load<u32>(htFindAddr(t, s))).toBe(102);
  });
  it("refuses a new key when used == capacity, still finds and updates old keys, has room after a removal", () => {
    const t = newTable(4, 4);
    for (let i: u32 = 0; i < 4; i++) expect<bool>(htInsertAddr(t, v6(7, i)) != 0).toBe(true);
    expect<usize>(htInsertAddr(t, v4(0x0a000001))).toBe(0);
    expect<bool>(htInsertedNew(t)).toBe(false);
    expect<u32>(htUsed(t)).toBe(4);
    expect<bool>(htInsertAddr(t, v6(7, 2)) != 0).toBe(true); // present: not a refusal
    for (let i: u32 = 0; i < 4; i++) expect<bool>(htFindAddr(t, v6(7, i)) != 0).toBe(true);
    expect<bool>(htRemoveAddr(t, v6(7, 1))).toBe(true);
    expect<bool>(htInsertAddr(t, v4(0x0a000001)) != 0).toBe(true);
    expect<usize>(htInsertAddr(t, v4(0x0a000002))).toBe(0);
    const z = newTable(0, 4);
    expect<usize>(htInsertAddr(z, v4(1))).toBe(0);
    expect<usize>(htFindAddr(z, v4(1))).toBe(0);
  });
});

describe("hash table with 16-byte keys: collisions and backward-shift deletion", () => {
  it("chains keys of one home slot, shifts them back on removal, and never moves a record", () => {
    // 8 entries -> 16 slots: the home slot is the hash's top 4 bits. Collect 6 IPv6 keys of home 5.
    const t = newTable(8, 8);
    const keys = new StaticArray<usize>(6);
    let n = 0;
    for (let i: u32 = 0; n < 6; i++) {
      const k = v6(0xabc, i);
      if (htHashAddr(k) >>> 28 == 5) keys[n++] = k;
    }
    const vals = new StaticArray<usize>(6);
    for (let i = 0; i < 6; i++) { vals[i] = htInsertAddr(t, keys[i]); store<u32>(vals[i], <u32>i); }
    // Slots 5..10 in insertion order: the i-th key is found after i + 1 probes.
    for (let i = 0; i < 6; i++) expect<i32>(htProbeCountAddr(t, keys[i])).toBe(i + 1);
    // Remove the first and the fourth: the later ones move back one slot each time they can.
    expect<bool>(htRemoveAddr(t, keys[0])).toBe(true);
    expect<bool>(htRemoveAt(t, htFindIndexAddr(t, keys[3]))).toBe(true);
    expect<usize>(htFindAddr(t, keys[0])).toBe(0);
    expect<usize>(htFindAddr(t, keys[3])).toBe(0);
    const left: StaticArray<i32> = [1, 2, 4, 5];
    for (let j = 0; j < left.length; j++) {
      const i = left[j];
      expect<i32>(htProbeCountAddr(t, keys[i])).toBe(j + 1); // no gap left in the cluster
      expect<usize>(htFindAddr(t, keys[i])).toBe(vals[i]);   // same record, same value
      expect<u32>(load<u32>(vals[i])).toBe(<u32>i);
    }
    // A miss of that home slot stops at the first empty slot after the cluster (4 live + 1).
    let miss: usize = 0;
    for (let i: u32 = 1000; miss == 0; i++) { const k = v6(0xabc, i); if (htHashAddr(k) >>> 28 == 5) miss = k; }
    expect<i32>(htProbeCountAddr(t, miss)).toBe(5);
  });
  it("a cluster that wraps past the last slot shifts back across the wrap", () => {
    const t = newTable(8, 4);
    const keys = new StaticArray<usize>(4);
    let n = 0;
    for (let i: u32 = 0; n < 4; i++) { const k = v4(0xc0a80000 + i); if (htHashAddr(k) >>> 28 == 15) keys[n++] = k; }
    for (let i = 0; i < 4; i++) htInsertAddr(t, keys[i]); // slots 15, 0, 1, 2
    expect<i32>(htProbeCountAddr(t, keys[3])).toBe(4);
    expect<bool>(htRemoveAddr(t, keys[1])).toBe(true);
    expect<i32>(htProbeCountAddr(t, keys[2])).toBe(2);
    expect<i32>(htProbeCountAddr(t, keys[3])).toBe(3);
    expect<bool>(htRemoveAddr(t, keys[0])).toBe(true);
    expect<i32>(htProbeCountAddr(t, keys[2])).toBe(1);
    expect<i32>(htProbeCountAddr(t, keys[3])).toBe(2);
  });
});

describe("hash table with 16-byte keys against a reference model", () => {
  it("50,000 random ops over mixed IPv4-mapped and IPv6 keys keep contents, handles and used() right", () => {
    const CAP: u32 = 256;
    const KEYS: u32 = 700;
    const t = newTable(CAP, 8);
    // Key id: even ids IPv4-mapped 10.x.y.1, odd ids IPv6 2001:db8:0:x::y (the same low bits as the
    // mapped one of the neighbouring id, so only the upper 12 bytes tell them apart).
    const key = new StaticArray<usize>(KEYS);
    for (let i: u32 = 0; i < KEYS; i++) key[i] = (i & 1) == 0 ? v4(0x0a000001 | ((i >> 1) << 8)) : v6(i >> 8, 0x0a000001 | ((i >> 1) << 8));
    const present = new StaticArray<bool>(KEYS);
    const value = new StaticArray<u32>(KEYS);
    const handle = new StaticArray<i32>(KEYS);
    let size: u32 = 0;
    let firstBad = -1, refused = 0;
    rng = 4242;
    for (let op = 0; op < 50000; op++) {
      const id = rand() % KEYS;
      const k = key[id];
      const what = rand() % 10;
      let ok = true;
      if (what < 5) {
        const v = htInsertAddr(t, k);
        if (present[id]) {
          ok = v != 0 && !htInsertedNew(t) && load<u32>(v) == value[id] && htIndexOf(t, v) == handle[id];
        } else if (size == CAP) {
          ok = v == 0; refused++;
        } else {
          ok = v != 0 && htInsertedNew(t) && load<u32>(v) == 0;
          const x = rand();
          if (v != 0) store<u32>(v, x);
          present[id] = true; value[id] = x; handle[id] = htIndexOf(t, v); size++;
        }
      } else if (what < 8) {
        ok = htRemoveAddr(t, k) == present[id];
        if (present[id]) { present[id] = false; size--; }
      } else {
        const v = htFindAddr(t, k);
        ok = present[id] ? v != 0 && load<u32>(v) == value[id] && htFindIndexAddr(t, k) == handle[id] : v == 0;
      }
      if (htUsed(t) != size) ok = false;
      if (!ok && firstBad < 0) firstBad = op;
    }
    // Every live record holds the key it was found under.
    let live: u32 = 0;
    for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) {
      live++;
      const k = htKeyAddrAt(t, i);
      if (htFindIndexAddr(t, k) != i) firstBad = 99999;
    }
    expect<i32>(firstBad).toBe(-1);
    expect<u32>(live).toBe(size);
    expect<i32>(refused).toBeGreaterThan(500); // the model ran the table full
  });
  it("probes stay short for address-shaped 16-byte keys (one host in many /24s, one /64 of hosts)", () => {
    const n: u32 = 4096;
    for (let shape = 0; shape < 2; shape++) {
      const t = newTable(n, 4);
      for (let i: u32 = 0; i < n; i++) htInsertAddr(t, shape == 0 ? v4(0xac100001 + (i << 8)) : v6(0x10000, i));
      let sum: i64 = 0, worst = 0;
      for (let i = htNext(t, 0); i >= 0; i = htNext(t, i + 1)) {
        const p = htProbeCountAddr(t, htKeyAddrAt(t, i));
        sum += p; if (p > worst) worst = p;
      }
      expect<bool>(<f64>sum / <f64>htUsed(t) <= 2.0).toBe(true);
      expect<i32>(worst).toBeLessThanOrEqual(40);
    }
  });
});

describe("hash table with 16-byte keys: IPv4 lookups without a key (htFindV4)", () => {
  it("finds exactly the IPv4-mapped key of an address, never an IPv6 or IPv4-compatible key with the same low word", () => {
    const t = newTable(600, 4);
    for (let i: u32 = 0; i < 200; i++) {
      store<u32>(htInsertAddr(t, v4(0x0a000001 + (i << 8))), i + 1);
      store<u32>(htInsertAddr(t, v6(0, 0xc0a80001 + i)), 1000 + i);  // 2001:db8::c0a8:1+i
      const c = v4(0xac100001 + i); store<u16>(c, 0, 10);            // ::172.16.0.1+i (compatible)
      store<u32>(htInsertAddr(t, c), 2000 + i);
    }
    for (let i: u32 = 0; i < 200; i++) {
      const v = htFindV4(t, 0x0a000001 + (i << 8));
      expect<usize>(v).toBe(htFindAddr(t, v4(0x0a000001 + (i << 8))));
      expect<u32>(load<u32>(v)).toBe(i + 1);
      expect<usize>(htFindV4(t, 0xc0a80001 + i)).toBe(0);
      expect<usize>(htFindV4(t, 0xac100001 + i)).toBe(0);
    }
    expect<usize>(htFindV4(t, 0x0a000000)).toBe(0);
    htRemoveAddr(t, v4(0x0a000001));
    expect<usize>(htFindV4(t, 0x0a000001)).toBe(0);
    expect<u32>(load<u32>(htFindV4(t, 0x0a000101))).toBe(2);
  });
});

describe("16-byte key hash", () => {
  it("is the words folded by multiply-add, then htHash's mixer", () => {
    const k = v6(0x12345678, 0x9abcdef0);
    const M: u32 = 0x9e3779b1;
    const fold = ((load<u32>(k) * M + load<u32>(k, 4)) * M + load<u32>(k, 8)) * M + load<u32>(k, 12);
    expect<u32>(htHashAddr(k)).toBe(htHash(fold));
  });
  it("changes when any one byte of the key changes", () => {
    const k = v4(0x0a000102);
    const h = htHashAddr(k);
    for (let i: usize = 0; i < 16; i++) {
      store<u8>(k + i, load<u8>(k + i) ^ 0x80);
      expect<bool>(htHashAddr(k) != h).toBe(true);
      store<u8>(k + i, load<u8>(k + i) ^ 0x80);
    }
  });
});
