// Home agent (RFC 2002 §3.8, §4): mobility bindings, registration processing, interception and tunnelling.
// STUB: to be implemented.
export function haInit(): bool { return true; }
export function haUdp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function haIntercept(iface: i32, p: usize, len: i32): i32 { return -1; }
export function haTimer(kind: u16, tag: u32, now: i64): void {}
