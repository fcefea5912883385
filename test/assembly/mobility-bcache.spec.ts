// mobility/bcache.ts: the route-optimization binding cache (issue 10 point 2).
import {
  bcacheBytes, bcacheInitAt, bcacheCapacity, bcacheCount, bcacheUpdate, bcacheLookup, bcachePeek, bcacheRemove,
  bcacheExpire, bcacheNextExpiry, bcacheIdFresh, bcacheNeedsRequest, bcacheRequestSent, bcacheReconfirmWindow,
  bcacheNext, bcacheEntryAt, bcacheHomeAt, bcacheOldest, bcacheNewer, bcacheDump, bcacheEvictions,
  bcacheCoa, bcacheHomeAgent, bcacheExpiresAt, bcacheLastId, bcacheLifetime, bcacheFlags,
  BC_USED, BC_REQUESTED, BC_ENCAP_M, BC_ENCAP_G, BC_LIFETIME_INFINITE, BCACHE_DUMP_SIZE,
} from "../../assembly/mobility/bcache";
import { htBytesKeyed, HT_KEY_ADDR } from "../../assembly/table/hash";
import { lruBytes } from "../../assembly/table/lru";
import { TIMER_NEVER } from "../../assembly/table/timer";
import { routeDecideGeneration } from "../../assembly/stack/route";
import { addrV4 } from "../../assembly/wire/addr";

const HOME_A: u32 = 0x0a010001; // 10.1.0.1
const HOME_B: u32 = 0x0a010002;
const HOME_C: u32 = 0x0a010003;
const HOME_D: u32 = 0x0a010004;
const HOME_E: u32 = 0x0a010005;
const HOME_F: u32 = 0x0a010006;
const COA1: u32 = 0xc0a80101; // 192.168.1.1
const COA2: u32 = 0xc0a80201;
const HA: u32 = 0x0a0100fe;
const HA2: u32 = 0x0a0100fd;

/** A fresh cache of `cap` entries in heap memory pre-filled with 0xa5 (init must clear what matters). */
function fresh(cap: u32): void {
  const n = bcacheBytes(cap);
  const base = heap.alloc(n + 8);
  memory.fill(base, 0xa5, n);
  expect<bool>(bcacheInitAt((base + 7) & ~7, cap)).toBe(true);
}

/** Home addresses from least to most recently used, as "a,b,c" (last octets). */
function lruOrder(): string {
  let s = "";
  let n = 0;
  for (let i = bcacheOldest(); i >= 0; i = bcacheNewer(i)) {
    s += (n++ > 0 ? "," : "") + (bcacheHomeAt(i) & 0xff).toString();
  }
  return s;
}

describe("binding cache: sizing and init", () => {
  it("needs the 16-byte-key hash table plus the LRU list; refuses out-of-range capacities", () => {
    expect<usize>(bcacheBytes(10)).toBe(((htBytesKeyed(10, 48, HT_KEY_ADDR) + 7) & ~7) + lruBytes(10));
    expect<usize>(bcacheBytes(64)).toBe(6160); // docs/decisions.md: 96 bytes per entry at 64
    expect<usize>(bcacheBytes(1 << 25)).toBe(0);
    expect<bool>(bcacheInitAt(heap.alloc(64), 1 << 25)).toBe(false);
    expect<u32>(bcacheCapacity()).toBe(0);
    expect<usize>(bcacheUpdate(HOME_A, COA1, HA, 10, 1, 0)).toBe(0);
  });
  it("starts empty", () => {
    fresh(8);
    expect<u32>(bcacheCapacity()).toBe(8);
    expect<u32>(bcacheCount()).toBe(0);
    expect<usize>(bcacheLookup(HOME_A, 0)).toBe(0);
    expect<i32>(bcacheNext(0)).toBe(-1);
    expect<i32>(bcacheOldest()).toBe(-1);
    expect<i64>(bcacheNextExpiry()).toBe(TIMER_NEVER);
    expect<i32>(bcacheDump(0, heap.alloc(BCACHE_DUMP_SIZE))).toBe(-1);
  });
});

describe("binding cache: create, update, delete", () => {
  it("creates an entry with the care-of address, home agent, lifetime, expiry and Identification", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, 30, 0x1234, 5000, 0x80 | BC_ENCAP_M | 0x0f);
    expect<bool>(e != 0).toBe(true);
    expect<u32>(bcacheCount()).toBe(1);
    expect<u32>(bcacheCoa(e)).toBe(COA1);
    expect<u32>(bcacheHomeAgent(e)).toBe(HA);
    expect<u16>(bcacheLifetime(e)).toBe(30);
    expect<i64>(bcacheExpiresAt(e)).toBe(35000);
    expect<u64>(bcacheLastId(e)).toBe(0x1234);
    // Only M and G of the Binding Update's flags are kept (A and the reserved bits are not).
    expect<u8>(bcacheFlags(e)).toBe(BC_ENCAP_M);
    expect<usize>(bcacheLookup(HOME_A, 5000)).toBe(e);
    expect<usize>(bcacheLookup(HOME_B, 5000)).toBe(0);
  });
  it("refreshes an existing entry in place: new care-of address, home agent, lifetime, Identification, flags", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, 30, 10, 0, BC_ENCAP_M);
    bcacheLookup(HOME_A, 1);
    expect<u8>(bcacheFlags(e) & BC_USED).toBe(BC_USED);
    const e2 = bcacheUpdate(HOME_A, COA2, HA2, 60, 11, 1000, BC_ENCAP_G);
    expect<usize>(e2).toBe(e);
    expect<u32>(bcacheCount()).toBe(1);
    expect<u32>(bcacheCoa(e)).toBe(COA2);
    expect<u32>(bcacheHomeAgent(e)).toBe(HA2);
    expect<u16>(bcacheLifetime(e)).toBe(60);
    expect<i64>(bcacheExpiresAt(e)).toBe(61000);
    expect<u64>(bcacheLastId(e)).toBe(11);
    // A fresh binding: the use mark is cleared, the encapsulation bits replaced.
    expect<u8>(bcacheFlags(e)).toBe(BC_ENCAP_G);
  });
  it("deletes on lifetime 0 and on care-of address = home address (001 §4.3)", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 30, 1, 0);
    bcacheUpdate(HOME_B, COA1, HA, 30, 1, 0);
    expect<usize>(bcacheUpdate(HOME_A, COA2, HA, 0, 2, 10)).toBe(0);
    expect<usize>(bcacheLookup(HOME_A, 10)).toBe(0);
    expect<u32>(bcacheCount()).toBe(1);
    expect<usize>(bcacheUpdate(HOME_B, HOME_B, HA, 30, 2, 10)).toBe(0);
    expect<usize>(bcacheLookup(HOME_B, 10)).toBe(0);
    expect<u32>(bcacheCount()).toBe(0);
    // A delete for an absent home address creates nothing.
    expect<usize>(bcacheUpdate(HOME_C, COA1, HA, 0, 3, 10)).toBe(0);
    expect<usize>(bcacheUpdate(HOME_C, HOME_C, HA, 30, 3, 10)).toBe(0);
    expect<u32>(bcacheCount()).toBe(0);
  });
  it("removes by home address", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 30, 1, 0);
    bcacheUpdate(HOME_B, COA1, HA, 30, 1, 0);
    expect<bool>(bcacheRemove(HOME_A)).toBe(true);
    expect<bool>(bcacheRemove(HOME_A)).toBe(false);
    expect<usize>(bcacheLookup(HOME_A, 0)).toBe(0);
    expect<bool>(bcacheLookup(HOME_B, 0) != 0).toBe(true);
    expect<string>(lruOrder()).toStrictEqual("2");
  });
  it("changes the route generation when a binding comes, moves or goes, not on a plain refresh", () => {
    fresh(8);
    let g = routeDecideGeneration();
    bcacheUpdate(HOME_A, COA1, HA, 30, 1, 0);
    expect<bool>(routeDecideGeneration() != g).toBe(true);
    g = routeDecideGeneration();
    bcacheUpdate(HOME_A, COA1, HA, 60, 2, 0);
    expect<u32>(routeDecideGeneration()).toBe(g);
    bcacheUpdate(HOME_A, COA2, HA, 60, 3, 0);
    expect<bool>(routeDecideGeneration() != g).toBe(true);
    g = routeDecideGeneration();
    bcacheRemove(HOME_A);
    expect<bool>(routeDecideGeneration() != g).toBe(true);
  });
});

describe("binding cache: lifetime", () => {
  it("expires exactly at now + lifetime: the last millisecond before still hits", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 5, 1, 1000);
    expect<bool>(bcacheLookup(HOME_A, 5999) != 0).toBe(true);
    expect<usize>(bcacheLookup(HOME_A, 6000)).toBe(0);
    // The lookup removed it.
    expect<u32>(bcacheCount()).toBe(0);
    expect<usize>(bcachePeek(HOME_A)).toBe(0);
  });
  it("sweeps exactly the expired entries and reports the next expiry", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 5, 1, 0);  // 5000
    bcacheUpdate(HOME_B, COA1, HA, 7, 1, 0);  // 7000
    bcacheUpdate(HOME_C, COA1, HA, 9, 1, 0);  // 9000
    expect<i64>(bcacheNextExpiry()).toBe(5000);
    expect<i32>(bcacheExpire(4999)).toBe(0);
    expect<i32>(bcacheExpire(7000)).toBe(2);
    expect<u32>(bcacheCount()).toBe(1);
    expect<bool>(bcachePeek(HOME_C) != 0).toBe(true);
    expect<i64>(bcacheNextExpiry()).toBe(9000);
    expect<i32>(bcacheExpire(9000)).toBe(1);
    expect<i64>(bcacheNextExpiry()).toBe(TIMER_NEVER);
  });
  it("an expired entry not yet swept is still visible to bcachePeek (its Identification guards) but not to lookups", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 5, 77, 0);
    const p = bcachePeek(HOME_A);
    expect<bool>(p != 0).toBe(true);
    expect<u64>(bcacheLastId(p)).toBe(77);
    expect<bool>(bcacheIdFresh(bcachePeek(HOME_A), 77, false)).toBe(false);
    expect<usize>(bcacheLookup(HOME_A, 5000)).toBe(0);
  });
  it("a refresh moves the expiry later (and earlier) and the next expiry follows after a sweep", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, 5, 1, 0);
    bcacheUpdate(HOME_A, COA1, HA, 100, 2, 4000);
    expect<i64>(bcacheExpiresAt(e)).toBe(104000);
    expect<i32>(bcacheExpire(50000)).toBe(0);
    expect<i64>(bcacheNextExpiry()).toBe(104000);
    bcacheUpdate(HOME_A, COA1, HA, 1, 3, 50000);
    expect<i64>(bcacheNextExpiry()).toBe(51000);
    expect<usize>(bcacheLookup(HOME_A, 51000)).toBe(0);
  });
  it("0xffff is infinite: never expires, never swept, never reconfirmed", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, BC_LIFETIME_INFINITE, 1, 1000);
    expect<i64>(bcacheExpiresAt(e)).toBe(TIMER_NEVER);
    expect<u16>(bcacheLifetime(e)).toBe(0xffff);
    expect<i64>(bcacheNextExpiry()).toBe(TIMER_NEVER);
    const late: i64 = 1 << 60;
    expect<usize>(bcacheLookup(HOME_A, late)).toBe(e);
    expect<i32>(bcacheExpire(late)).toBe(0);
    expect<bool>(bcacheNeedsRequest(e, late)).toBe(false);
    // 0xfffe is finite: 65,534 s.
    const f = bcacheUpdate(HOME_B, COA1, HA, 0xfffe, 1, 0);
    expect<i64>(bcacheExpiresAt(f)).toBe(65534000);
  });
});

describe("binding cache: LRU replacement", () => {
  it("under pressure the untouched oldest entries go first", () => {
    fresh(4);
    bcacheUpdate(HOME_A, COA1, HA, 100, 1, 0);
    bcacheUpdate(HOME_B, COA1, HA, 100, 1, 1);
    bcacheUpdate(HOME_C, COA1, HA, 100, 1, 2);
    bcacheUpdate(HOME_D, COA1, HA, 100, 1, 3);
    expect<string>(lruOrder()).toStrictEqual("1,2,3,4");
    bcacheLookup(HOME_B, 10);
    bcacheLookup(HOME_A, 11);
    bcacheUpdate(HOME_D, COA2, HA, 100, 2, 12); // an update is a use too
    expect<string>(lruOrder()).toStrictEqual("3,2,1,4");
    expect<bool>(bcacheUpdate(HOME_E, COA1, HA, 100, 1, 20) != 0).toBe(true);
    expect<usize>(bcachePeek(HOME_C)).toBe(0);
    expect<u32>(bcacheEvictions).toBe(1);
    expect<bool>(bcacheUpdate(HOME_F, COA1, HA, 100, 1, 21) != 0).toBe(true);
    expect<usize>(bcachePeek(HOME_B)).toBe(0);
    expect<u32>(bcacheEvictions).toBe(2);
    expect<u32>(bcacheCount()).toBe(4);
    expect<string>(lruOrder()).toStrictEqual("1,4,5,6");
    expect<bool>(bcacheLookup(HOME_A, 22) != 0).toBe(true);
    expect<bool>(bcacheLookup(HOME_D, 22) != 0).toBe(true);
    expect<u32>(bcacheCoa(bcacheLookup(HOME_D, 22))).toBe(COA2);
  });
  it("a full cache sweeps expired entries before replacing a live one", () => {
    fresh(3);
    bcacheUpdate(HOME_A, COA1, HA, 100, 1, 0);
    bcacheUpdate(HOME_B, COA1, HA, 5, 1, 0);   // expires at 5000, most recently used
    bcacheUpdate(HOME_C, COA1, HA, 100, 1, 0);
    bcacheLookup(HOME_B, 100);
    bcacheUpdate(HOME_D, COA1, HA, 100, 1, 6000);
    expect<u32>(bcacheEvictions).toBe(0);
    expect<usize>(bcachePeek(HOME_B)).toBe(0);
    expect<bool>(bcachePeek(HOME_A) != 0).toBe(true);
    expect<bool>(bcachePeek(HOME_C) != 0).toBe(true);
    expect<bool>(bcachePeek(HOME_D) != 0).toBe(true);
  });
  it("a flood of new home addresses into a full cache keeps exactly the newest `capacity`", () => {
    fresh(16);
    for (let i: u32 = 0; i < 1000; i++) bcacheUpdate(0x0b000000 + i, COA1, HA, 100, 1, <i64>i);
    expect<u32>(bcacheCount()).toBe(16);
    expect<u32>(bcacheEvictions).toBe(1000 - 16);
    let wrong = 0;
    for (let i: u32 = 0; i < 1000; i++) if ((bcachePeek(0x0b000000 + i) != 0) != (i >= 1000 - 16)) wrong++;
    expect<i32>(wrong).toBe(0);
  });
});

describe("binding cache: capacity 0 and 1", () => {
  it("capacity 0 holds nothing and answers every call without touching memory", () => {
    expect<bool>(bcacheInitAt(0, 0)).toBe(true);
    expect<u32>(bcacheCapacity()).toBe(0);
    expect<usize>(bcacheUpdate(HOME_A, COA1, HA, 30, 1, 0)).toBe(0);
    expect<usize>(bcacheUpdate(HOME_A, COA1, HA, 0, 1, 0)).toBe(0);
    expect<usize>(bcacheLookup(HOME_A, 0)).toBe(0);
    expect<usize>(bcachePeek(HOME_A)).toBe(0);
    expect<bool>(bcacheRemove(HOME_A)).toBe(false);
    expect<i32>(bcacheExpire(1 << 40)).toBe(0);
    expect<u32>(bcacheCount()).toBe(0);
    expect<i32>(bcacheNext(0)).toBe(-1);
    expect<i32>(bcacheOldest()).toBe(-1);
    expect<i64>(bcacheNextExpiry()).toBe(TIMER_NEVER);
    expect<i32>(bcacheDump(0, heap.alloc(BCACHE_DUMP_SIZE))).toBe(-1);
  });
  it("capacity 1 replaces its one entry; a refresh of that entry replaces nothing", () => {
    fresh(1);
    const a = bcacheUpdate(HOME_A, COA1, HA, 30, 1, 0);
    expect<usize>(bcacheUpdate(HOME_A, COA2, HA, 30, 2, 1)).toBe(a);
    expect<u32>(bcacheEvictions).toBe(0);
    bcacheUpdate(HOME_B, COA1, HA, 30, 1, 2);
    expect<usize>(bcachePeek(HOME_A)).toBe(0);
    expect<bool>(bcacheLookup(HOME_B, 3) != 0).toBe(true);
    expect<u32>(bcacheEvictions).toBe(1);
    bcacheUpdate(HOME_A, COA1, HA, 30, 3, 4);
    expect<usize>(bcachePeek(HOME_B)).toBe(0);
    expect<u32>(bcacheCount()).toBe(1);
    expect<bool>(bcacheRemove(HOME_A)).toBe(true);
    expect<u32>(bcacheCount()).toBe(0);
    expect<bool>(bcacheUpdate(HOME_C, COA1, HA, 30, 1, 5) != 0).toBe(true);
    expect<u32>(bcacheEvictions).toBe(2);
  });
});

describe("binding cache: reconfirmation by Binding Request", () => {
  it("window = a quarter of the granted lifetime, within [2 s, 30 s], never more than the lifetime", () => {
    fresh(8);
    expect<i64>(bcacheReconfirmWindow(bcacheUpdate(HOME_A, COA1, HA, 100, 1, 0))).toBe(25000);
    expect<i64>(bcacheReconfirmWindow(bcacheUpdate(HOME_A, COA1, HA, 1000, 2, 0))).toBe(30000);
    expect<i64>(bcacheReconfirmWindow(bcacheUpdate(HOME_A, COA1, HA, 4, 3, 0))).toBe(2000);
    expect<i64>(bcacheReconfirmWindow(bcacheUpdate(HOME_A, COA1, HA, 1, 4, 0))).toBe(1000);
  });
  it("asks only for an entry in use, close to its expiry, once per retry interval", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, 100, 1, 0); // expires at 100000, window 25 s
    // Not used yet: never.
    expect<bool>(bcacheNeedsRequest(e, 80000)).toBe(false);
    bcacheLookup(HOME_A, 10000);
    expect<bool>(bcacheNeedsRequest(e, 74999)).toBe(false);
    expect<bool>(bcacheNeedsRequest(e, 75000)).toBe(true);
    bcacheRequestSent(e, 0xabcd, 75000);
    expect<u8>(bcacheFlags(e) & (BC_USED | BC_REQUESTED)).toBe(BC_REQUESTED);
    // The request cleared the use mark: no retry without further use.
    expect<bool>(bcacheNeedsRequest(e, 80000)).toBe(false);
    bcacheLookup(HOME_A, 75500);
    expect<bool>(bcacheNeedsRequest(e, 75999)).toBe(false);
    expect<bool>(bcacheNeedsRequest(e, 76000)).toBe(true);
    // Expired: nothing to reconfirm.
    expect<bool>(bcacheNeedsRequest(e, 100000)).toBe(false);
    // The home agent's answer refreshes the entry: use mark and request cleared.
    bcacheUpdate(HOME_A, COA1, HA, 100, 2, 76100);
    expect<u8>(bcacheFlags(e) & (BC_USED | BC_REQUESTED)).toBe(0);
    expect<bool>(bcacheNeedsRequest(e, 176000)).toBe(false);
  });
});

describe("binding cache: Identification ordering (replays)", () => {
  it("timestamps: only strictly later than the last accepted one, in serial-number order", () => {
    fresh(8);
    const t: u64 = (<u64>3976214400 << 32) | 0x80000000;
    const e = bcacheUpdate(HOME_A, COA1, HA, 30, t, 0);
    expect<bool>(bcacheIdFresh(e, t, false)).toBe(false);
    expect<bool>(bcacheIdFresh(e, t - 1, false)).toBe(false);
    expect<bool>(bcacheIdFresh(e, t - (<u64>5 << 32), false)).toBe(false);
    expect<bool>(bcacheIdFresh(e, t + 1, false)).toBe(true);
    expect<bool>(bcacheIdFresh(e, t + (<u64>1 << 32), false)).toBe(true);
    expect<bool>(bcacheIdFresh(e, 0, false)).toBe(false);
    // Across the NTP era rollover (2036): 0x00000001_... follows 0xffffffff_...
    const f = bcacheUpdate(HOME_B, COA1, HA, 30, 0xffffffff00000000, 0);
    expect<bool>(bcacheIdFresh(f, 0x0000000100000000, false)).toBe(true);
    expect<bool>(bcacheIdFresh(f, 0xfffffffe00000000, false)).toBe(false);
    // No entry: nothing to compare (the association's check decides), except 0.
    expect<bool>(bcacheIdFresh(0, 5, false)).toBe(true);
    expect<bool>(bcacheIdFresh(0, 0, false)).toBe(false);
  });
  it("nonces: the low half must be the nonce the last update announced, or our Binding Request's", () => {
    fresh(8);
    // Accepted: next nonce 0x1111 (high), this message's nonce 0x9999 (low).
    const e = bcacheUpdate(HOME_A, COA1, HA, 30, 0x0000111100009999, 0);
    expect<bool>(bcacheIdFresh(e, 0x0000111100009999, true)).toBe(false); // replay
    expect<bool>(bcacheIdFresh(e, 0x0000222200001111, true)).toBe(true);
    expect<bool>(bcacheIdFresh(e, 0x0000222200001112, true)).toBe(false);
    expect<bool>(bcacheIdFresh(e, 0x0000222200009999, true)).toBe(false); // older message's nonce
    // Resynchronisation: a Binding Request with our nonce 0x7777 in its low half.
    bcacheRequestSent(e, 0x0000000000007777, 10);
    expect<bool>(bcacheIdFresh(e, 0x0000333300007777, true)).toBe(true);
    expect<bool>(bcacheIdFresh(e, 0x0000333300001111, true)).toBe(true);
    expect<bool>(bcacheIdFresh(e, 0x0000333300007778, true)).toBe(false);
    // Installing the answer moves the expectation on.
    bcacheUpdate(HOME_A, COA1, HA, 30, 0x0000333300007777, 20);
    expect<bool>(bcacheIdFresh(e, 0x0000444400007777, true)).toBe(false);
    expect<bool>(bcacheIdFresh(e, 0x0000444400003333, true)).toBe(true);
  });
  it("a refused (replayed) update leaves the entry exactly as it was when the caller obeys bcacheIdFresh", () => {
    fresh(8);
    const e = bcacheUpdate(HOME_A, COA1, HA, 30, 100, 0);
    const before = heap.alloc(48);
    memory.copy(before, e, 48);
    const replay: u64 = 100;
    if (bcacheIdFresh(bcachePeek(HOME_A), replay, false)) bcacheUpdate(HOME_A, COA2, HA2, 60, replay, 10);
    expect<i32>(memory.compare(before, e, 48)).toBe(0);
  });
});

describe("binding cache: iteration and dumps", () => {
  it("visits every entry once and dumps them with home, care-of and home agent addresses", () => {
    fresh(8);
    bcacheUpdate(HOME_A, COA1, HA, 30, 7, 1000, BC_ENCAP_G);
    bcacheUpdate(HOME_B, COA2, HA2, BC_LIFETIME_INFINITE, 8, 1000);
    bcacheUpdate(HOME_C, COA1, HA, 10, 9, 1000);
    bcacheRemove(HOME_B);
    bcacheUpdate(HOME_D, COA2, HA2, 20, 10, 1000);
    let seen: u32 = 0;
    let n = 0;
    for (let i = bcacheNext(0); i >= 0; i = bcacheNext(i + 1)) {
      seen |= 1 << (bcacheHomeAt(i) & 0xff);
      expect<bool>(bcacheEntryAt(i) == bcachePeek(bcacheHomeAt(i))).toBe(true);
      n++;
    }
    expect<i32>(n).toBe(3);
    expect<u32>(seen).toBe((1 << 1) | (1 << 3) | (1 << 4));
    const out = heap.alloc(BCACHE_DUMP_SIZE);
    let found = 0;
    for (let k = 0; k < 3; k++) {
      expect<i32>(bcacheDump(k, out)).toBe(BCACHE_DUMP_SIZE);
      const home = addrV4(out + 20);
      const e = bcachePeek(home);
      expect<bool>(e != 0).toBe(true);
      expect<i64>(load<i64>(out, 0)).toBe(bcacheExpiresAt(e));
      expect<u64>(load<u64>(out, 8)).toBe(bcacheLastId(e));
      expect<u16>(load<u16>(out, 16)).toBe(bcacheLifetime(e));
      expect<u8>(load<u8>(out, 18)).toBe(bcacheFlags(e));
      expect<u32>(addrV4(out + 36)).toBe(bcacheCoa(e));
      expect<u32>(addrV4(out + 52)).toBe(bcacheHomeAgent(e));
      if (home == HOME_A) {
        found++;
        expect<i64>(load<i64>(out, 0)).toBe(31000);
        expect<u8>(load<u8>(out, 18)).toBe(BC_ENCAP_G);
        expect<u32>(addrV4(out + 52)).toBe(HA);
      }
    }
    expect<i32>(found).toBe(1);
    expect<i32>(bcacheDump(3, out)).toBe(-1);
    // Random access agrees with the sequential cursor.
    expect<i32>(bcacheDump(1, out)).toBe(BCACHE_DUMP_SIZE);
    const second = addrV4(out + 20);
    expect<i32>(bcacheDump(0, out)).toBe(BCACHE_DUMP_SIZE);
    expect<i32>(bcacheDump(1, out)).toBe(BCACHE_DUMP_SIZE);
    expect<u32>(addrV4(out + 20)).toBe(second);
    expect<i32>(bcacheDump(-1, out)).toBe(-1);
  });
});

// ---- random operations against a reference model --------------------------------------------------

class Ref {
  constructor(
    public home: u32, public coa: u32, public ha: u32, public exp: i64, public id: u64,
    public lifetime: u16, public used: bool, public stamp: i32,
  ) {}
}

let rng: u32 = 0x6d2b79f5;
function rand(): u32 { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

class Model {
  entries: Ref[] = [];
  clock: i32 = 0;
  evictions: u32 = 0;
  expired: i32 = 0;
  constructor(public cap: i32) {}
  find(home: u32): i32 {
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i].home == home) return i;
    return -1;
  }
  expire(now: i64): i32 {
    let n = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].exp <= now) { this.entries.splice(i, 1); n++; }
    }
    this.expired += n;
    return n;
  }
  update(home: u32, coa: u32, ha: u32, lifetime: u16, id: u64, now: i64): bool {
    if (this.cap == 0) return false;
    let i = this.find(home);
    if (lifetime == 0 || coa == home) {
      if (i >= 0) this.entries.splice(i, 1);
      return false;
    }
    const exp: i64 = lifetime == 0xffff ? TIMER_NEVER : now + <i64>lifetime * 1000;
    if (i < 0) {
      if (this.entries.length >= this.cap) this.expire(now);
      if (this.entries.length >= this.cap) {
        let old = 0;
        for (let k = 1; k < this.entries.length; k++) if (this.entries[k].stamp < this.entries[old].stamp) old = k;
        this.entries.splice(old, 1);
        this.evictions++;
      }
      this.entries.push(new Ref(home, coa, ha, exp, id, lifetime, false, ++this.clock));
      return true;
    }
    const r = this.entries[i];
    r.coa = coa; r.ha = ha; r.exp = exp; r.id = id; r.lifetime = lifetime; r.used = false; r.stamp = ++this.clock;
    return true;
  }
  lookup(home: u32, now: i64): bool {
    const i = this.find(home);
    if (i < 0) return false;
    if (this.entries[i].exp <= now) { this.entries.splice(i, 1); this.expired++; return false; }
    this.entries[i].used = true;
    this.entries[i].stamp = ++this.clock;
    return true;
  }
  remove(home: u32): bool {
    const i = this.find(home);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }
}

/**
 * Where the cache disagrees with the model ("" when it agrees entry by entry, in LRU order, and
 * holds nothing else). Plain comparisons, one expect per step: the model runs thousands of steps.
 */
function disagreement(m: Model): string {
  if (bcacheCount() != <u32>m.entries.length) return "count " + bcacheCount().toString() + " model " + m.entries.length.toString();
  if (bcacheEvictions != m.evictions) return "evictions " + bcacheEvictions.toString() + " model " + m.evictions.toString();
  for (let i = 0; i < m.entries.length; i++) {
    const r = m.entries[i];
    const e = bcachePeek(r.home);
    const h = (r.home & 0xff).toString();
    if (e == 0) return "missing " + h;
    if (bcacheCoa(e) != r.coa || bcacheHomeAgent(e) != r.ha) return "addresses of " + h;
    if (bcacheExpiresAt(e) != r.exp) return "expiry of " + h + ": " + bcacheExpiresAt(e).toString() + " model " + r.exp.toString();
    if (bcacheLastId(e) != r.id || bcacheLifetime(e) != r.lifetime) return "id/lifetime of " + h;
    if (((bcacheFlags(e) & BC_USED) != 0) != r.used) return "use mark of " + h;
    // bcacheNextExpiry is a lower bound of every expiry.
    if (bcacheNextExpiry() > r.exp) return "next expiry after the expiry of " + h;
  }
  // LRU order: stamps increase from the oldest to the newest.
  let last = -1;
  let n = 0;
  for (let i = bcacheOldest(); i >= 0; i = bcacheNewer(i)) {
    const k = m.find(bcacheHomeAt(i));
    if (k < 0) return "LRU holds " + (bcacheHomeAt(i) & 0xff).toString();
    if (m.entries[k].stamp <= last) return "LRU order at " + (bcacheHomeAt(i) & 0xff).toString();
    last = m.entries[k].stamp;
    n++;
  }
  if (n != m.entries.length) return "LRU length " + n.toString();
  // Nothing the model does not have (iteration).
  n = 0;
  for (let i = bcacheNext(0); i >= 0; i = bcacheNext(i + 1)) {
    if (m.find(bcacheHomeAt(i)) < 0) return "holds " + (bcacheHomeAt(i) & 0xff).toString();
    n++;
  }
  if (n != m.entries.length) return "iteration length " + n.toString();
  return "";
}

/** `steps` random operations on `homes` home addresses, time advancing 0..maxStepMs-1 ms between them. */
function runModel(cap: i32, homes: u32, steps: i32, maxStepMs: u32): void {
  fresh(<u32>cap);
  const m = new Model(cap);
  let now: i64 = 0;
  for (let s = 0; s < steps; s++) {
    now += <i64>(rand() % maxStepMs);
    const home = 0x0a000000 + rand() % homes;
    const op = rand() % 10;
    if (op < 4) {
      const lr = rand() % 20;
      const lifetime: u16 = lr == 0 ? 0 : lr == 1 ? 0xffff : <u16>(1 + rand() % 15);
      const coa: u32 = rand() % 16 == 0 ? home : 0xc0a80000 + rand() % 4;
      const ha: u32 = 0x0a0000fe - rand() % 2;
      const id = (<u64>rand() << 32) | rand();
      const want = m.update(home, coa, ha, lifetime, id, now);
      const e = bcacheUpdate(home, coa, ha, lifetime, id, now);
      if ((e != 0) != want) { expect<string>("step " + s.toString() + " update").toStrictEqual(""); return; }
    } else if (op < 8) {
      const want = m.lookup(home, now);
      const e = bcacheLookup(home, now);
      if ((e != 0) != want || (want && bcacheCoa(e) != m.entries[m.find(home)].coa)) {
        expect<string>("step " + s.toString() + " lookup").toStrictEqual("");
        return;
      }
    } else if (op < 9) {
      if (bcacheRemove(home) != m.remove(home)) { expect<string>("step " + s.toString() + " remove").toStrictEqual(""); return; }
    } else {
      const n = bcacheExpire(now);
      if (n != m.expire(now)) { expect<string>("step " + s.toString() + " expire").toStrictEqual(""); return; }
    }
    const d = disagreement(m);
    if (d != "") { expect<string>("step " + s.toString() + ": " + d).toStrictEqual(""); return; }
  }
  // The run exercised what it is for: replacement under pressure and expiry.
  if (cap > 0 && homes > <u32>cap) expect<bool>(m.evictions > 0).toBe(true);
  if (cap > 0) expect<bool>(m.expired > 0).toBe(true);
}

describe("binding cache: random operations against a reference model", () => {
  it("capacity 8, 20 home addresses, 3000 operations", () => { runModel(8, 20, 3000, 700); });
  it("capacity 1, 3 home addresses, 1000 operations", () => { runModel(1, 3, 1000, 700); });
  it("capacity 0, 4 home addresses, 200 operations", () => { runModel(0, 4, 200, 700); });
  it("capacity 64, 200 home addresses, 3000 operations", () => { runModel(64, 200, 3000, 50); });
});
