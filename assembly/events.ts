// Structured events for tools (metrics, timelines). Each record is little-endian binary, laid out per
// kind in docs/abi.md "Events". Add kinds at the end only.

import { event } from "./host";

export const enum Ev {
  LINK = 1,          // iface u8, up u8, bssid[6]
  ARP_RESOLVED = 2,  // iface u8, pad[3], ip u32, mac[6]
  ARP_FAILED = 3,    // iface u8, pad[3], ip u32
  CONFIG_REFUSED = 4, // (no payload; the reason went to log)
  // Mobile IP (docs/abi.md "Events" gives every layout; addresses host-order u32, little-endian)
  REG_REQUEST = 5,   // mobile node sent a request: home u32, ha u32, coa u32, lifetimeSec u16, flags u8, viaFa u8
  REG_REPLY = 6,     // mobile node got a valid reply: home u32, ha u32, coa u32, lifetimeSec u16, code u8, pad
  MOVE = 7,          // mobile node: iface u8, reason u8 (MoveReason), seq u16, agent u32, coa u32
  BINDING = 8,       // home agent: op u8 (BindingOp), pad u8, lifetimeSec u16, home u32, coa u32
  VISITOR = 9,       // foreign agent: op u8 (VisitorOp), code u8, lifetimeSec u16, home u32, ha u32
  AUTH_FAILED = 10,  // role u8 (1 MN, 2 FA, 3 HA), extType u8, code u8 (reply code sent, 0 none), pad, peer u32, spi u32
  REG_DENIED = 11,   // an agent denied a request: role u8 (2 FA, 3 HA), code u8, pad[2], home u32
  DHCP = 12,         // mobile node DHCP client: op u8 (1 bound, 2 renewed, 3 lost), pad[3], addr u32, router u32, leaseSec u32
  HOME = 13          // mobile node: atHome u8, pad[3], agent u32 (the advertising agent, 0 if none)
}

export const enum MoveReason { NEW_AGENT = 1, LIFETIME_EXPIRED = 2, PREFIX_CHANGE = 3, AGENT_REBOOT = 4, LINK = 5, HOME = 6 }
export const enum BindingOp { ADD = 1, REFRESH = 2, DEREGISTER = 3, EXPIRE = 4 }
export const enum VisitorOp { PENDING = 1, ACCEPTED = 2, DENIED = 3, REMOVED = 4, EXPIRED = 5 }

const buf: usize = memory.data(64, 8);

/** Scratch for building an event record; at most 64 bytes. */
export function evBuf(): usize { return buf; }
export function evEmit(kind: Ev, len: i32): void { event(<i32>kind, buf, len); }

export const ROLE_MN: u8 = 1;
export const ROLE_FA: u8 = 2;
export const ROLE_HA: u8 = 3;

/** AUTH_FAILED: `role` could not authenticate extension `extType` from `peer` (SPI `spi`); `code` is the reply code sent (0 none). */
export function evAuthFailed(role: u8, extType: u8, code: u8, peer: u32, spi: u32): void {
  store<u8>(buf, role, 0);
  store<u8>(buf, extType, 1);
  store<u8>(buf, code, 2);
  store<u8>(buf, 0, 3);
  store<u32>(buf, peer, 4);
  store<u32>(buf, spi, 8);
  evEmit(Ev.AUTH_FAILED, 12);
}

/** REG_DENIED: agent `role` denied the request of `home` with `code`. */
export function evRegDenied(role: u8, code: u8, home: u32): void {
  store<u8>(buf, role, 0);
  store<u8>(buf, code, 1);
  store<u16>(buf, 0, 2);
  store<u32>(buf, home, 4);
  evEmit(Ev.REG_DENIED, 8);
}
