// DHCP client (RFC 2131) for a mobile node's co-located care-of address.
// STUB: to be implemented.
export const TK_DHCP_FIRST: u16 = 0x0020;
export const TK_DHCP_LAST: u16 = 0x002f;
export function dhcpInit(): bool { return true; }
export function dhcpUdp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function dhcpTimer(kind: u16, tag: u32, now: i64): void {}
/** Start acquiring an address on `iface`. */
export function dhcpStart(iface: i32): void {}
/** Stop and release. */
export function dhcpStop(iface: i32): void {}
