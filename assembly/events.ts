// Structured events for tools (metrics, timelines). Each record is binary, laid out per kind in
// docs/abi.md "Events" (schema/events.json): integers little-endian, addresses 16 bytes in network
// order (IPv4 as ::ffff:a.b.c.d, ABI v2). Add kinds at the end only.

import { event } from "./host";

// Layouts (byte offsets; `addr` = 16 bytes, network order). Every address sits at a multiple of 4.
export const enum Ev {
  LINK = 1,          // 0 iface u8 | 1 up u8 | 2 bssid[6]                                         (8)
  ARP_RESOLVED = 2,  // 0 iface u8 | 1 pad | 2 mac[6] | 8 ip addr                                 (24)
  ARP_FAILED = 3,    // 0 iface u8 | 1 pad[3] | 4 ip addr                                         (20)
  CONFIG_REFUSED = 4, // (no payload; the reason went to log)
  REG_REQUEST = 5,   // mobile node sent a request: 0 lifetimeSec u16 | 2 flags u8 | 3 viaFa u8 | 4 home | 20 ha | 36 coa (52)
  REG_REPLY = 6,     // mobile node got a valid reply: 0 lifetimeSec u16 | 2 code u8 | 3 pad | 4 home | 20 ha | 36 coa (52)
  MOVE = 7,          // mobile node: 0 iface u8 | 1 reason u8 (MoveReason) | 2 seq u16 | 4 agent | 20 coa (36)
  BINDING = 8,       // home agent: 0 op u8 (BindingOp) | 1 pad | 2 lifetimeSec u16 | 4 home | 20 coa (36)
  VISITOR = 9,       // foreign agent: 0 op u8 (VisitorOp) | 1 code u8 | 2 lifetimeSec u16 | 4 home | 20 ha (36)
  AUTH_FAILED = 10,  // 0 role u8 (1 MN, 2 FA, 3 HA) | 1 extType u8 | 2 code u8 (reply sent, 0 none) | 3 pad | 4 spi u32 | 8 peer (24)
  REG_DENIED = 11,   // an agent denied a request: 0 role u8 (2 FA, 3 HA) | 1 code u8 | 2 pad[2] | 4 home (20)
  DHCP = 12,         // mobile node DHCP client: 0 op u8 (1 bound, 2 renewed, 3 lost) | 1 pad[3] | 4 leaseSec u32 | 8 addr | 24 router (40)
  HOME = 13,         // mobile node: 0 atHome u8 | 1 pad[3] | 4 agent (the advertising agent, unspecified if none) (20)
  DR_ROUTE = 15,     // care-of agent binding route: 0 op u8 (DrRouteOp) | 1 code u8 | 2 lifetimeSec u16 | 4 home | 20 nextHop | 36 server (52)
  DR_REG = 16,       // registration server: 0 op u8 (DrRegOp) | 1 code u8 | 2 lifetimeSec u16 | 4 home | 20 childCoa | 36 parentCoa or registrar (52)
  ADDR6 = 17,        // IPv6 address state: 0 iface u8 | 1 state u8 (0 removed, 1 tentative, 2 preferred, 3 deprecated, 4 duplicate) | 2 flags u8 | 3 prefixLen u8 | 4 addr (20)
  ROUTER6 = 18,      // IPv6 default router: 0 iface u8 | 1 up u8 | 2 lifetimeSec u16 | 4 addr (20)
  RO_BINDING = 14    // binding cache: 0 op u8 (RoOp) | 1 status u8 (refused: the Binding Acknowledge status) | 2 lifetimeSec u16 | 4 home | 20 coa | 36 homeAgent (52)
}

export const enum MoveReason { NEW_AGENT = 1, LIFETIME_EXPIRED = 2, PREFIX_CHANGE = 3, AGENT_REBOOT = 4, LINK = 5, HOME = 6 }
export const enum BindingOp { ADD = 1, REFRESH = 2, DEREGISTER = 3, EXPIRE = 4, REPLACE = 5 }
export const enum VisitorOp { PENDING = 1, ACCEPTED = 2, DENIED = 3, REMOVED = 4, EXPIRED = 5 }

const buf: usize = memory.data(64, 8);

/** Scratch for building an event record; at most 64 bytes. */
export function evBuf(): usize { return buf; }
export function evEmit(kind: Ev, len: i32): void { event(<i32>kind, buf, len); }

/**
 * Write the IPv4 address `v4` (host order) at byte `at` of the record as a 16-byte address.
 * Why: RFC 4291 §2.5.5.2: IPv4 travels the ABI as ::ffff:a.b.c.d so one field type serves IPv6 next
 * (docs/abi.md "Changes from v1"); 0 becomes ::ffff:0.0.0.0, shown 0.0.0.0 as before. Written here
 * rather than with wire/addr.ts addrSetV4 because events.ts is below wire/ (docs/decisions.md layering).
 */
export function evAddr(at: usize, v4: u32): void {
  const p = buf + at;
  store<u64>(p, 0);
  store<u32>(p, 0xffff0000, 8); // bytes 8..11 = 00 00 ff ff
  store<u32>(p, bswap<u32>(v4), 12);
}

export const ROLE_MN: u8 = 1;
export const ROLE_FA: u8 = 2;
export const ROLE_HA: u8 = 3;
export const ROLE_RS: u8 = 4;
export const ROLE_COA: u8 = 5;

/** AUTH_FAILED: `role` could not authenticate extension `extType` from `peer` (SPI `spi`); `code` is the reply code sent (0 none). */
export function evAuthFailed(role: u8, extType: u8, code: u8, peer: u32, spi: u32): void {
  store<u8>(buf, role, 0);
  store<u8>(buf, extType, 1);
  store<u8>(buf, code, 2);
  store<u8>(buf, 0, 3);
  store<u32>(buf, spi, 4);
  evAddr(8, peer);
  evEmit(Ev.AUTH_FAILED, 24);
}

/** REG_DENIED: agent `role` denied the request of `home` with `code`. */
export function evRegDenied(role: u8, code: u8, home: u32): void {
  store<u8>(buf, role, 0);
  store<u8>(buf, code, 1);
  store<u16>(buf, 0, 2);
  evAddr(4, home);
  evEmit(Ev.REG_DENIED, 20);
}

/**
 * Emit a `kind` event of the common 52-byte layout `0 op u8 | 1 code u8 | 2 lifetimeSec u16 | 4 a |
 * 20 b | 36 c` (addresses; RO_BINDING, DR_ROUTE, DR_REG).
 */
export function evOpAddrs(kind: Ev, op: u8, code: u8, lifetimeSec: u16, a: u32, b: u32, c: u32): void {
  store<u8>(buf, op);
  store<u8>(buf, code, 1);
  store<u16>(buf, lifetimeSec, 2);
  evAddr(4, a);
  evAddr(20, b);
  evAddr(36, c);
  evEmit(kind, 52);
}
