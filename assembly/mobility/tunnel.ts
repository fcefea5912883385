// Tunnels (RFC 2003, RFC 2004, RFC 1701): encapsulation for the home agent, decapsulation at the
// foreign agent or co-located mobile node, soft tunnel state and ICMP error relay (RFC 2003 §5).
// STUB: to be implemented.
export function tunnelInput(iface: i32, p: usize, len: i32): i32 { return -1; }
