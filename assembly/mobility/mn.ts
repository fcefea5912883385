// Mobile node (RFC 2002 §2.4, §3.6, §4.2): movement detection, registration, output while away.
// STUB: to be implemented.
export function mnInit(): bool { return true; }
export function mnStart(): void {}
export function mnUdp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function mnIcmp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function mnOutput(p: usize, len: i32): i32 { return -1; }
export function mnTimer(kind: u16, tag: u32, now: i64): void {}
export function mnLink(iface: i32, up: bool): void {}
/** A decapsulated datagram for the co-located care-of address owner; -1 when not ours. */
export function mnDeliverDecapsulated(iface: i32, p: usize, len: i32): i32 { return -1; }
