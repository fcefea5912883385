// Foreign agent (RFC 2002 §3.7): visitor list, relaying registrations, decapsulated delivery.
// STUB: to be implemented.
export function faInit(): bool { return true; }
export function faUdp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function faIntercept(iface: i32, p: usize, len: i32): i32 { return -1; }
export function faTimer(kind: u16, tag: u32, now: i64): void {}
export function faLink(iface: i32, up: bool): void {}
/** Deliver a decapsulated datagram to a visitor; -1 when the destination is not a visitor. */
export function faDeliverToVisitor(p: usize, len: i32): i32 { return -1; }
