// mobility/bcache6.ts: the Mobile IPv6 Binding Cache (seed 003 §4.3, §7.2-§7.4, §7.7; issue 13 point 2).
import {
  bc6Bytes, bc6InitAt, bc6Capacity, bc6Count, bc6Peek, bc6Lookup, bc6SeqOk, bc6Put, bc6Remove, bc6Expire,
  bc6NextExpiry, bc6Next, bc6HomeAt, bc6Evictions, B6_COA, B6_SEQ, B6_FLAGS, B6_ID_LEN, B6_IFACE, B6_EXPIRES,
  B6_HOME, B6_USED,
} from "../../assembly/mobility/bcache6";
import { TIMER_NEVER } from "../../assembly/table/timer";
import { routeDecideGeneration } from "../../assembly/stack/route";
import { addrEqual } from "../../assembly/wire/addr";

/** 2001:db8:1::n as fresh memory. */
function home(n: i32): usize {
  const a = heap.alloc(16);
  store<u64>(a, 0x00000100b80d0120);
  store<u64>(a, 0, 8);
  store<u8>(a, <u8>n, 15);
  return a;
}
/** 2001:db8:99::n */
function coa(n: i32): usize {
  const a = home(n);
  store<u8>(a, 0x99, 5);
  return a;
}

function fresh(cap: u32): void {
  const n = bc6Bytes(cap);
  const base = heap.alloc(n + 8);
  memory.fill(base, 0xa5, n + 8);
  expect<bool>(bc6InitAt((base + 7) & ~7, cap)).toBe(true);
}

function homes(): string {
  let s = "";
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) s += load<u8>(bc6HomeAt(i), 15).toString() + ";";
  return s;
}

describe("Binding Cache (§4.3, §7.3, §7.4)", () => {
  it("caches, finds and replaces the binding of one home address (at most one entry each)", () => {
    fresh(4);
    const g0 = routeDecideGeneration();
    const v = bc6Put(home(1), coa(1), 60, 10, 0, false, -1, 1000);
    expect<bool>(v != 0).toBe(true);
    expect<bool>(routeDecideGeneration() != g0).toBe(true, "a new binding changes routes");
    expect<bool>(addrEqual(v + B6_COA, coa(1))).toBe(true);
    expect<i64>(load<i64>(v, B6_EXPIRES)).toBe(61000);
    expect<u16>(load<u16>(v, B6_SEQ)).toBe(10);
    const w = bc6Put(home(1), coa(2), 60, 11, 0, false, -1, 2000);
    expect<usize>(w).toBe(v);
    expect<u32>(bc6Count()).toBe(1);
    expect<bool>(addrEqual(bc6Lookup(home(1), 2000, false) + B6_COA, coa(2))).toBe(true);
    expect<bool>(bc6Remove(home(1))).toBe(true);
    expect<usize>(bc6Lookup(home(1), 2000, false)).toBe(0);
    expect<bool>(bc6Remove(home(1))).toBe(false);
  });
  it("Sequence Number must grow modulo 2^16 (§7.2); any value without an entry (§5.1)", () => {
    fresh(4);
    expect<bool>(bc6SeqOk(home(1), 0)).toBe(true);
    expect<bool>(bc6SeqOk(home(1), 0xffff)).toBe(true);
    bc6Put(home(1), coa(1), 60, 0xfffe, 0, false, -1, 0);
    expect<bool>(bc6SeqOk(home(1), 0xfffe)).toBe(false);
    expect<bool>(bc6SeqOk(home(1), 0xfffd)).toBe(false);
    expect<bool>(bc6SeqOk(home(1), 0xffff)).toBe(true);
    expect<bool>(bc6SeqOk(home(1), 3)).toBe(true);
    expect<bool>(bc6SeqOk(home(1), 0x7ffe)).toBe(false);
  });
  it("an expired entry is never returned and is swept; its sequence still guards until removed (§7.7)", () => {
    fresh(4);
    bc6Put(home(1), coa(1), 5, 7, 0, false, -1, 0);
    bc6Put(home(2), coa(2), 0xffffffff, 1, 0, false, -1, 0);
    expect<i64>(bc6NextExpiry()).toBe(5000);
    expect<bool>(bc6Lookup(home(1), 4999, false) != 0).toBe(true);
    expect<bool>(bc6SeqOk(home(1), 7)).toBe(false);
    expect<usize>(bc6Lookup(home(1), 5000, false)).toBe(0);
    expect<u32>(bc6Count()).toBe(1);
    expect<i64>(load<i64>(bc6Lookup(home(2), 1 << 40, false), B6_EXPIRES)).toBe(TIMER_NEVER);
    bc6Put(home(3), coa(3), 1, 1, 0, false, -1, 0);
    expect<i32>(bc6Expire(999)).toBe(0);
    expect<i32>(bc6Expire(1000)).toBe(1);
    expect<i64>(bc6NextExpiry()).toBe(TIMER_NEVER);
  });
  it("home registrations keep interface and ID Length and are never replaced; others go least recently used first (§7.7)", () => {
    fresh(3);
    const h = bc6Put(home(1), coa(1), 600, 1, 64, true, 2, 0);
    expect<u8>(load<u8>(h, B6_FLAGS) & B6_HOME).toBe(B6_HOME);
    expect<u8>(load<u8>(h, B6_ID_LEN)).toBe(64);
    expect<i32>(load<i32>(h, B6_IFACE)).toBe(2);
    bc6Put(home(2), coa(2), 600, 1, 0, false, -1, 0);
    bc6Put(home(3), coa(3), 600, 1, 0, false, -1, 0);
    // Use 2 to send: 3 becomes the least recently used correspondent entry.
    const u = bc6Lookup(home(2), 10, true);
    expect<u8>(load<u8>(u, B6_FLAGS) & B6_USED).toBe(B6_USED);
    expect<bool>(bc6Put(home(4), coa(4), 600, 1, 0, false, -1, 20) != 0).toBe(true);
    expect<u32>(bc6Evictions).toBe(1);
    expect<usize>(bc6Peek(home(3))).toBe(0);
    expect<bool>(bc6Peek(home(1)) != 0).toBe(true);
    // Another correspondent entry replaces 2 (4 is newer), never the home registration.
    bc6Put(home(5), coa(5), 600, 1, 0, false, -1, 30);
    expect<usize>(bc6Peek(home(2))).toBe(0);
    expect<bool>(bc6Peek(home(1)) != 0).toBe(true);
    // A cache full of home registrations refuses a new one (the home agent answers 131).
    fresh(2);
    expect<bool>(bc6Put(home(1), coa(1), 600, 1, 64, true, 2, 0) != 0).toBe(true);
    expect<bool>(bc6Put(home(2), coa(2), 600, 1, 64, true, 2, 0) != 0).toBe(true);
    expect<usize>(bc6Put(home(3), coa(3), 600, 1, 64, true, 2, 0)).toBe(0);
    expect<usize>(bc6Put(home(3), coa(3), 600, 1, 0, false, -1, 0)).toBe(0);
    expect<string>(homes()).toBe("1;2;");
    // ... unless one has expired.
    expect<bool>(bc6Put(home(3), coa(3), 600, 1, 64, true, 2, 600000) != 0).toBe(true);
    expect<u32>(bc6Count()).toBe(1);
  });
  it("a correspondent entry that becomes a home registration leaves the replacement list", () => {
    fresh(2);
    bc6Put(home(1), coa(1), 600, 1, 0, false, -1, 0);
    bc6Put(home(1), coa(1), 600, 2, 64, true, 1, 0);
    bc6Put(home(2), coa(2), 600, 1, 0, false, -1, 0);
    bc6Put(home(3), coa(3), 600, 1, 0, false, -1, 0);
    expect<bool>(bc6Peek(home(1)) != 0).toBe(true);
    expect<usize>(bc6Peek(home(2))).toBe(0);
  });
  it("capacity 0 is no cache", () => {
    expect<bool>(bc6InitAt(0, 0)).toBe(true);
    expect<u32>(bc6Capacity()).toBe(0);
    expect<usize>(bc6Put(home(1), coa(1), 60, 1, 0, false, -1, 0)).toBe(0);
    expect<usize>(bc6Lookup(home(1), 0, true)).toBe(0);
    expect<bool>(bc6SeqOk(home(1), 1)).toBe(true);
    expect<i32>(bc6Next(0)).toBe(-1);
  });
});
