// The one place the IPv4 stack calls into Mobile IP. Each hook dispatches by config.roles to the
// role modules (agent.ts, fa.ts, ha.ts, mn.ts, tunnel.ts, ../stack/dhcp.ts). Return conventions:
// i32 hooks return -1 for "not mine, continue as plain IPv4", else 0 (used) or 1 (dropped).
// All pointers are to the IPv4 header of a checked datagram of `len` bytes with headroom in front
// (at least 64 bytes minus the Ethernet header).

import * as cfg from "../config";
import { agentInit, agentStart, agentIcmp, agentTimer, TK_AGENT_FIRST, TK_AGENT_LAST } from "./agent";
import { faInit, faUdp, faIntercept, faTimer, faLink, faIcmpError, faVisitorDump } from "./fa";
import { haInit, haUdp, haIntercept, haOriginated, haTimer, haBindingDump } from "./ha";
import { mnInit, mnStart, mnUdp, mnIcmp, mnOutput, mnTimer, mnLink } from "./mn";
import { tunnelInput, tunnelIcmpInput } from "./tunnel";
import { dhcpInit, dhcpUdp, dhcpTimer, TK_DHCP_FIRST, TK_DHCP_LAST } from "../stack/dhcp";
import { TK_HA_FIRST, TK_HA_LAST, TK_FA_FIRST, TK_FA_LAST, TK_MN_FIRST, TK_MN_LAST } from "../stack/stack";

// @ts-ignore: decorator
@inline function has(role: u32): bool { return (cfg.roles & role) != 0; }

/** Carve every role's tables (after the stack's). False when memory ran out. */
export function mobilityInit(): bool {
  let ok = true;
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT)) ok = agentInit() && ok;
  if (has(cfg.ROLE_FOREIGN_AGENT)) ok = faInit() && ok;
  if (has(cfg.ROLE_HOME_AGENT)) ok = haInit() && ok;
  if (has(cfg.ROLE_MOBILE_NODE)) { ok = mnInit() && ok; ok = dhcpInit() && ok; }
  return ok;
}

/** After a successful init: start advertising, soliciting, registering. */
export function mobilityStart(): void {
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT)) agentStart();
  if (has(cfg.ROLE_MOBILE_NODE)) mnStart();
}

/** A UDP datagram to one of our addresses (or broadcast/multicast) arrived on `iface`. */
export function mobilityUdp(iface: i32, p: usize, len: i32): i32 {
  let r: i32 = -1;
  if (has(cfg.ROLE_HOME_AGENT)) { r = haUdp(iface, p, len); if (r >= 0) return r; }
  if (has(cfg.ROLE_FOREIGN_AGENT)) { r = faUdp(iface, p, len); if (r >= 0) return r; }
  if (has(cfg.ROLE_MOBILE_NODE)) {
    r = mnUdp(iface, p, len); if (r >= 0) return r;
    r = dhcpUdp(iface, p, len); if (r >= 0) return r;
  }
  return -1;
}

/** An ICMP Router Advertisement (9), Solicitation (10) or error message for us arrived on `iface` (checksum checked). */
export function mobilityIcmp(iface: i32, p: usize, len: i32): i32 {
  if (has(cfg.ROLE_HOME_AGENT)) { const r = tunnelIcmpInput(iface, p, len); if (r >= 0) return r; } // ICMP errors about our tunnels (RFC 2003 §4-5)
  if (has(cfg.ROLE_FOREIGN_AGENT)) { const r = faIcmpError(iface, p, len); if (r >= 0) return r; } // ICMP errors about relayed registrations (RFC 2002 §3.4 codes 80-88)
  if (has(cfg.ROLE_MOBILE_NODE)) { const r = mnIcmp(iface, p, len); if (r >= 0) return r; }
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT)) { const r = agentIcmp(iface, p, len); if (r >= 0) return r; }
  return -1;
}

/** IP-in-IP (4), minimal (55) or GRE (47) addressed to one of our addresses, received on `iface`. */
export function mobilityTunnel(iface: i32, p: usize, len: i32): i32 {
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_MOBILE_NODE | cfg.ROLE_HOME_AGENT)) return tunnelInput(iface, p, len);
  return -1;
}

/** A datagram about to be forwarded (TTL already checked, not yet decremented). */
export function mobilityIntercept(iface: i32, p: usize, len: i32): i32 {
  if (has(cfg.ROLE_HOME_AGENT)) { const r = haIntercept(iface, p, len); if (r >= 0) return r; }
  if (has(cfg.ROLE_FOREIGN_AGENT)) { const r = faIntercept(iface, p, len); if (r >= 0) return r; }
  return -1;
}

/** A datagram from the local stack (validated, checksum filled). */
export function mobilityOutput(p: usize, len: i32): i32 {
  if (has(cfg.ROLE_MOBILE_NODE)) return mnOutput(p, len);
  return -1;
}

/**
 * A datagram this node originates (echo reply, ICMP error, registration reply, local stack output),
 * header checked and checksum filled, `room` writable bytes in front of `p` (any amount: with less
 * than Ethernet + the largest tunnel header the home agent encapsulates a copy).
 */
export function mobilityOriginated(p: usize, len: i32, room: i32): i32 {
  if (has(cfg.ROLE_HOME_AGENT)) return haOriginated(p, len, room);
  return -1;
}

/** A timer of a mobility kind fired. */
export function mobilityTimer(kind: u16, tag: u32, now: i64): void {
  if (kind >= TK_HA_FIRST && kind <= TK_HA_LAST) haTimer(kind, tag, now);
  else if (kind >= TK_FA_FIRST && kind <= TK_FA_LAST) faTimer(kind, tag, now);
  else if (kind >= TK_MN_FIRST && kind <= TK_MN_LAST) mnTimer(kind, tag, now);
  else if (kind >= TK_AGENT_FIRST && kind <= TK_AGENT_LAST) agentTimer(kind, tag, now);
  else if (kind >= TK_DHCP_FIRST && kind <= TK_DHCP_LAST) dhcpTimer(kind, tag, now);
}

/** Link state change (after the stack handled it). */
export function mobilityLink(iface: i32, up: bool): void {
  if (has(cfg.ROLE_MOBILE_NODE)) mnLink(iface, up);
  if (has(cfg.ROLE_FOREIGN_AGENT)) faLink(iface, up);
}

/** Dump tables of the roles (docs/abi.md): 3 home agent bindings, 4 foreign agent visitors. */
export function mobilityDump(table: i32, index: i32, out: usize): i32 {
  if (table == 3) return has(cfg.ROLE_HOME_AGENT) ? haBindingDump(index, out) : -1;
  if (table == 4) return has(cfg.ROLE_FOREIGN_AGENT) ? faVisitorDump(index, out) : -1;
  return -1;
}
