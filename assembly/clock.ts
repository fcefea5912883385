// The core's notion of time: set at every entry point from the host, never read from a clock inside.
let nowMsValue: i64 = 0;
export function setNow(t: i64): void { nowMsValue = t; }
// @ts-ignore: decorator
@inline export function nowMs(): i64 { return nowMsValue; }
