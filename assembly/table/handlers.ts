// Handler tables: the registration tables of the layers (EtherTypes, ICMP types, UDP ports, message
// types, hooks, tunnel exits, link listeners). A table is a fixed static array of (key, function)
// pairs filled at init, in registration order, and read on every packet: no allocation, no closure,
// one `call_indirect` per handler tried (Why: one-way layering, docs/decisions.md "Core v2").
//
// Layout (`memory.data(8 + 8 * capacity, 4)`): count u32 @0 | capacity u32 @4 |
// entries: key u32 | function u32 (a function reference from changetype<usize>(fn)).

/** Empty the table `t` of `capacity` entries. */
export function handlersReset(t: usize, capacity: i32): void {
  store<u32>(t, 0);
  store<u32>(t, <u32>capacity, 4);
}

/** Append (key, fn); a full table keeps what it has (capacities are sized for every role at once). */
export function handlersAdd(t: usize, key: u32, fn: usize): void {
  const n = load<u32>(t);
  if (n >= load<u32>(t, 4)) return;
  const e = t + 8 + (<usize>n << 3);
  store<u32>(e, key);
  store<u32>(e, <u32>fn, 4);
  store<u32>(t, n + 1);
}

/** Entries in `t`. */
// @ts-ignore: decorator
@inline export function handlersCount(t: usize): i32 { return <i32>load<u32>(t); }

/** Key of entry `i`. */
export function handlerKey(t: usize, i: i32): u32 { return load<u32>(t + 8 + (<usize>i << 3)); }

/** Function of entry `i` (changetype it to the table's handler type to call it). */
export function handlerFn(t: usize, i: i32): usize { return <usize>load<u32>(t + 12 + (<usize>i << 3)); }
