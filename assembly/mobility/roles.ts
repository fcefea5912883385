// The roles of the node (config.roles) plug into the stack here, at init, through the stack's
// registration tables — the one place that knows both sides. Nothing below mobility/ imports a role
// (Why: one-way layering, docs/decisions.md "Core v2"; `node test/layering.mjs` checks it):
//
//   what                          table (file)                         who, in order
//   IP protocols 4, 55, 47        ipRegisterProto (stack/ip.ts)        tunnel exit (tunnel.ts) — FA, MN or HA
//   ICMP 3, 4, 5, 11, 12          ipRegisterIcmp                       tunnel soft state (HA), relayed-request errors (FA)
//   ICMP 9 / 10                   ipRegisterIcmp                       agent advertisements (MN) / solicitations (agents)
//   the route decision            routeSource (stack/route.ts)         HA bindings (forwarded + originated), FA
//                                                                        visitors (forwarded), binding cache (RO,
//                                                                        both), MN away (originated)
//   virtual interfaces            vifRegister                          HA tunnel, FA visitor link, MN way out
//   UDP 434 by message type       mipHandle (mip.ts)                   request: HA, FA; reply: FA, MN; others: FA, MN
//   UDP 68                        udpListen (transport/udp.ts)         DHCP client (app/dhcp.ts), MN only
//   UDP broadcasts (tap)          udpTap                               HA forwarding home broadcasts (RFC 2002 §4.3)
//   tunnel exits                  tunnelExit (tunnel.ts)               FA visitor, MN co-located, HA reverse tunnel,
//                                                                        binding cache / special tunnel (RO)
//   timers                        timerOwn (sys/timers.ts)             agent, HA, FA, MN, DHCP, binding cache (RO)
//   UDP 434 type 18               mipHandle                            binding cache (ro.ts), any node with one
//   UDP 434 types 16, 17, 19      mipHandle                            HA with route optimization (ha-ro.ts)
//   link changes                  netifListen (link/netif.ts)          MN, FA (after the neighbour cache)
//   station left/joined an AP     mobilityStation (index.ts station)   FA (handoff buffering, issue 10.10)
//   tunnel exit, RO + smooth      tunnelExit + roOnMoved               previous FA: re-tunnel, visitor deleted
//   DHCP leases                   dhcpListen (app/dhcp.ts)             MN
//   UDP 434 types 1, 3 with R     mipHandle (first)                    registration server (rs.ts, 002 §6)
//   UDP 434 type 33               mipHandle                            registration server: Route Replies
//   UDP 434 type 32               mipHandle                            care-of agent / home agent (coa.ts, 002 §5, §7.5)
//   the route decision            routeSource                          care-of agent binding routes (after RO),
//                                                                        server's own replies to its mobile nodes
//   tunnel exits                  tunnelExit                           care-of agent: re-routed along the binding route
// The order within a row is the order handlers are tried; each returns -1 for "not mine".

import * as cfg from "../config";
import { MIP6 } from "../features";
import { owners, OWNER_AGENT, OWNER_HA, OWNER_FA, OWNER_MN, OWNER_RO, OWNER_RS, OWNER_COA } from "../sys/timers";
import { listeners } from "../link/netif";
import { protos, icmpHandlers } from "../stack/ip";
import { sources, vifOutputs, routeChanged, VIF_HA_TUNNEL, VIF_FA_VISITOR, VIF_MN_AWAY, VIF_RO_CACHE, VIF_COA_ROUTE, VIF_RS_LOCAL } from "../stack/route";
import { udpTap } from "../transport/udp";
import { dhcpInit, dhcpListen } from "../app/dhcp";
import { IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE } from "../wire/ipv4";
import {
  ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_PARAM_PROBLEM,
  ICMP_ROUTER_ADVERT, ICMP_ROUTER_SOLICIT
} from "../wire/icmp";
import { REG_TYPE_REQUEST, REG_TYPE_REPLY } from "../wire/registration";
import { mipInit, handlers as mipHandlers } from "./mip";
import { handlersAdd } from "../table/handlers";
import { tunnelReset, exits, tunnelBindings, tunnelInput, tunnelIcmpInput } from "./tunnel";
import { agentInit, agentStart, agentIcmp, agentTimer, agentServerAdvert, agentOwnDump } from "./agent";
import { agentHeardDump } from "./mn/agents";
import { mn6AgentDump } from "./mn6";
import { faInit, faUdp, faRoute, faVif, faTimer, faLink, faIcmpError, faTunnelExit, faStation, faMoved } from "./fa";
import { hoInit, hoExit } from "./handoff";
import { visitorDump } from "./visitors";
import { haInit, haUdp, haBroadcastTap, haRoute, haVif, haTimer, haReverseTunnel, haRouteApply } from "./ha";
import { coaInit, coaRequest, coaRoute, coaVif, coaExit, coaTimer, coaOnApply, coaSolicit, coaDump } from "./coa";
import { rsInit, rsUdp, rsRouteReply, rsRoute, rsVif, rsTimer, rsStart, rsDump } from "./rs";
import { DR_TYPE_ROUTE_REQUEST, DR_TYPE_ROUTE_REPLY, DR_TYPE_RS_SOLICIT, DR_TYPE_RS_ADVERT, DR_TYPE_COA_SOLICIT, DR_TYPE_COA_ADVERT } from "../wire/dremip";
import { bindingDump, bindingCareOfEncap } from "./bindings";
import { mnInit, mnStart, mnTimer, mnDhcpEvent } from "./mn/node";
import { mnIcmp, mnLink } from "./mn/movement";
import { mnUdp } from "./mn/reply";
import { mnRoute, mnVif, mnDeliverDecapsulated } from "./mn/routing";
import { roInit, roUpdate, roRoute, roVif, roTimer, roDump, roCaching, roExit, roOnMoved } from "./ro";
import { RO_TYPE_BINDING_UPDATE, RO_TYPE_BINDING_WARNING, RO_TYPE_BINDING_REQUEST, RO_TYPE_BINDING_ACK } from "../wire/ro";
import { haroWarning, haroRequest, haroAck } from "./ha-ro";

// @ts-ignore: decorator
@inline function has(role: u32): bool { return (cfg.roles & role) != 0; }

// Adapters from the roles' functions to the tables' signatures.
function faExit(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 { return faTunnelExit(outerSrc, inner, ilen); }
function mnExit(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 { return mnDeliverDecapsulated(iface, inner, ilen); }

/** Carve the foreign and home agents' tables. */
function agentsInit(fa: bool, ha: bool): void {
  agentInit();
  if (fa) { faInit(); hoInit(); }
  if (ha) haInit();
}
const agentsInitRef: usize = changetype<usize>(agentsInit);

/** Carve the registration server's and care-of agent's tables (their handlers are in `plan`). */
function drRolesInit(rs: bool, coa: bool, ha: bool): void {
  if (coa || ha) coaInit();
  if (rs) rsInit();
  if (ha) coaOnApply(haRouteApply);
}
const drInitRef: usize = changetype<usize>(drRolesInit);

// The registrations (the table at the top of this file) as data: one entry of 4 bytes each, in the order
// the handlers are tried: function u8 | table u8 (low 3 bits: which of TABLES; above them the R_
// conditions, all needed) | roles mask u8 (M_ bits, any of them) | key i8. The function is its object's
// address as a 16-byte step from FN_BASE (function objects are 16-aligned and the plan's lie within 4 KiB,
// so a step from 2 KiB below the first one fits a byte). Tables 0-2 (timer owners, virtual interfaces, IP
// protocols) take the function at their base plus 4 * key; the others get (key, function) appended to
// the handler table (MIP_ANY is -1).
// The roles mask (any of): cfg.roles' own bits and two of route optimization.
const M_RO: u16 = 1, M_ROC: u16 = 2, M_MN: u16 = <u16>cfg.ROLE_MOBILE_NODE, M_FA: u16 = <u16>cfg.ROLE_FOREIGN_AGENT;
const M_HA: u16 = <u16>cfg.ROLE_HOME_AGENT, M_RS: u16 = <u16>cfg.ROLE_REG_SERVER, M_COA: u16 = <u16>cfg.ROLE_CARE_OF_AGENT;
// What an entry needs besides (all of), above the table index.
const R_RO: u8 = 1, R_DR: u8 = 2, R_NOT_HA: u8 = 4, R_SMOOTH: u8 = 8;
// @ts-ignore: decorator
@inline const FN_BASE: usize = changetype<usize>(rsTimer) - 2048;
/** The tables entries go to, by the index in an entry's second byte. */
const TABLES: usize = memory.data<u16>([
  <u16>owners, <u16>vifOutputs, <u16>protos, <u16>mipHandlers, <u16>icmpHandlers, <u16>sources, <u16>exits, <u16>listeners,
]);
const plan: usize = memory.data<u8>([
  // Registration server (002 §6): requests with R addressed to it come first (the home agent and
  // foreign agent handlers never see them), then replies to requests it relayed, Route Replies.
  <u8>((changetype<usize>(rsTimer) - FN_BASE) >> 4), 0, <u8>(M_RS), <u8>OWNER_RS,
  <u8>((changetype<usize>(rsUdp) - FN_BASE) >> 4), 3, <u8>(M_RS), <u8>REG_TYPE_REQUEST,
  <u8>((changetype<usize>(rsUdp) - FN_BASE) >> 4), 3, <u8>(M_RS), <u8>REG_TYPE_REPLY,
  <u8>((changetype<usize>(rsRouteReply) - FN_BASE) >> 4), 3, <u8>(M_RS), <u8>DR_TYPE_ROUTE_REPLY,
  // Discovery (appendices A, B): agents' solicitations, care-of agents' advertisements.
  <u8>((changetype<usize>(rsUdp) - FN_BASE) >> 4), 3, <u8>(M_RS), <u8>DR_TYPE_RS_SOLICIT,
  <u8>((changetype<usize>(rsUdp) - FN_BASE) >> 4), 3, <u8>(M_RS), <u8>DR_TYPE_COA_ADVERT,
  <u8>((changetype<usize>(rsRoute) - FN_BASE) >> 4), 5, <u8>(M_RS), <u8>0,
  <u8>((changetype<usize>(rsVif) - FN_BASE) >> 4), 1, <u8>(M_RS), <u8>VIF_RS_LOCAL,
  // Care-of agent (002 §5) and home agent (§7.5): Route Requests from registration servers; the
  // home agent's binding routes are bindings (haRouteApply).
  <u8>((changetype<usize>(coaTimer) - FN_BASE) >> 4), 0, <u8>(M_COA | M_HA), <u8>OWNER_COA,
  <u8>((changetype<usize>(coaRequest) - FN_BASE) >> 4), 3, <u8>(M_COA | M_HA), <u8>DR_TYPE_ROUTE_REQUEST,
  <u8>((changetype<usize>(coaSolicit) - FN_BASE) >> 4), 3, <u8>(M_COA | M_HA), <u8>DR_TYPE_COA_SOLICIT,
  <u8>((changetype<usize>(agentTimer) - FN_BASE) >> 4), 0, <u8>(M_FA | M_HA), <u8>OWNER_AGENT,
  // Registration server discovery (002 appendix A): the servers' answers to an agent's solicitation.
  <u8>((changetype<usize>(agentServerAdvert) - FN_BASE) >> 4), 3 | R_DR << 3, <u8>(M_FA | M_HA), <u8>DR_TYPE_RS_ADVERT,
  // Home agent.
  <u8>((changetype<usize>(haTimer) - FN_BASE) >> 4), 0, <u8>(M_HA), <u8>OWNER_HA,
  <u8>((changetype<usize>(haUdp) - FN_BASE) >> 4), 3, <u8>(M_HA), <u8>REG_TYPE_REQUEST,
  // ICMP errors about our tunnels (RFC 2003 §4-5).
  <u8>((changetype<usize>(tunnelIcmpInput) - FN_BASE) >> 4), 4, <u8>(M_HA), <u8>ICMP_DEST_UNREACH,
  <u8>((changetype<usize>(tunnelIcmpInput) - FN_BASE) >> 4), 4, <u8>(M_HA), <u8>ICMP_SOURCE_QUENCH,
  <u8>((changetype<usize>(tunnelIcmpInput) - FN_BASE) >> 4), 4, <u8>(M_HA), <u8>ICMP_REDIRECT,
  <u8>((changetype<usize>(tunnelIcmpInput) - FN_BASE) >> 4), 4, <u8>(M_HA), <u8>ICMP_TIME_EXCEEDED,
  <u8>((changetype<usize>(tunnelIcmpInput) - FN_BASE) >> 4), 4, <u8>(M_HA), <u8>ICMP_PARAM_PROBLEM,
  // Why: RFC 2002 §4.2.3: datagrams to a bound home address, forwarded or originated here, go
  // through the binding's tunnel: the first route source.
  <u8>((changetype<usize>(haRoute) - FN_BASE) >> 4), 5, <u8>(M_HA), <u8>0,
  <u8>((changetype<usize>(haVif) - FN_BASE) >> 4), 1, <u8>(M_HA), <u8>VIF_HA_TUNNEL,
  // Route optimization (001 §4.1, §4.2, §7.3): Binding Warnings, Requests and Acknowledges.
  <u8>((changetype<usize>(haroWarning) - FN_BASE) >> 4), 3 | R_RO << 3, <u8>(M_HA), <u8>RO_TYPE_BINDING_WARNING,
  <u8>((changetype<usize>(haroRequest) - FN_BASE) >> 4), 3 | R_RO << 3, <u8>(M_HA), <u8>RO_TYPE_BINDING_REQUEST,
  <u8>((changetype<usize>(haroAck) - FN_BASE) >> 4), 3 | R_RO << 3, <u8>(M_HA), <u8>RO_TYPE_BINDING_ACK,
  // Foreign agent.
  <u8>((changetype<usize>(faTimer) - FN_BASE) >> 4), 0, <u8>(M_FA), <u8>OWNER_FA,
  <u8>((changetype<usize>(faUdp) - FN_BASE) >> 4), 3, <u8>(M_FA), <u8>REG_TYPE_REQUEST,
  <u8>((changetype<usize>(faUdp) - FN_BASE) >> 4), 3, <u8>(M_FA), <u8>REG_TYPE_REPLY,
  <u8>((changetype<usize>(faUdp) - FN_BASE) >> 4), 3, <u8>(M_FA), <u8>-1,
  // ICMP errors about relayed registrations (RFC 2002 §3.4 codes 80-88).
  <u8>((changetype<usize>(faIcmpError) - FN_BASE) >> 4), 4, <u8>(M_FA), <u8>ICMP_DEST_UNREACH,
  <u8>((changetype<usize>(faIcmpError) - FN_BASE) >> 4), 4, <u8>(M_FA), <u8>ICMP_TIME_EXCEEDED,
  <u8>((changetype<usize>(faIcmpError) - FN_BASE) >> 4), 4, <u8>(M_FA), <u8>ICMP_PARAM_PROBLEM,
  <u8>((changetype<usize>(faExit) - FN_BASE) >> 4), 6, <u8>(M_FA), <u8>0,
  <u8>((changetype<usize>(faRoute) - FN_BASE) >> 4), 5, <u8>(M_FA), <u8>0,
  <u8>((changetype<usize>(faVif) - FN_BASE) >> 4), 1, <u8>(M_FA), <u8>VIF_FA_VISITOR,
  // Why: 001 §3.1: a cached binding is used only when this node is neither the mobile node's home
  // agent nor its foreign agent (their sources come first) — and before a mobile node's way out.
  <u8>((changetype<usize>(roRoute) - FN_BASE) >> 4), 5, <u8>(M_ROC), <u8>0,
  // Why: 002 §5.2: a binding route is a forwarding entry whose outgoing circuit is the tunnel to
  // the child care-of address; datagrams tunnelled to us from the parent take it too (coaExit).
  <u8>((changetype<usize>(coaRoute) - FN_BASE) >> 4), 5 | R_NOT_HA << 3, <u8>(M_COA), <u8>0,
  <u8>((changetype<usize>(coaVif) - FN_BASE) >> 4), 1 | R_NOT_HA << 3, <u8>(M_COA), <u8>VIF_COA_ROUTE,
  <u8>((changetype<usize>(coaExit) - FN_BASE) >> 4), 6 | R_NOT_HA << 3, <u8>(M_COA), <u8>0,
  // Mobile node.
  <u8>((changetype<usize>(mnTimer) - FN_BASE) >> 4), 0, <u8>(M_MN), <u8>OWNER_MN,
  <u8>((changetype<usize>(mnUdp) - FN_BASE) >> 4), 3, <u8>(M_MN), <u8>REG_TYPE_REPLY,
  <u8>((changetype<usize>(mnUdp) - FN_BASE) >> 4), 3, <u8>(M_MN), <u8>-1,
  <u8>((changetype<usize>(mnIcmp) - FN_BASE) >> 4), 4, <u8>(M_MN), <u8>ICMP_ROUTER_ADVERT,
  <u8>((changetype<usize>(mnExit) - FN_BASE) >> 4), 6, <u8>(M_MN), <u8>0,
  <u8>((changetype<usize>(mnRoute) - FN_BASE) >> 4), 5, <u8>(M_MN), <u8>0,
  <u8>((changetype<usize>(mnVif) - FN_BASE) >> 4), 1, <u8>(M_MN), <u8>VIF_MN_AWAY,
  <u8>((changetype<usize>(mnLink) - FN_BASE) >> 4), 7, <u8>(M_MN), <u8>0,
  // Route optimization (001 §3.1): any node with a binding cache takes Binding Updates and tunnels
  // its datagrams for cached mobile nodes straight to their care-of addresses — after the home
  // agent's bindings and the foreign agent's visitors, before a mobile node's own way out.
  <u8>((changetype<usize>(roTimer) - FN_BASE) >> 4), 0, <u8>(M_ROC), <u8>OWNER_RO,
  <u8>((changetype<usize>(roUpdate) - FN_BASE) >> 4), 3, <u8>(M_ROC), <u8>RO_TYPE_BINDING_UPDATE,
  <u8>((changetype<usize>(roVif) - FN_BASE) >> 4), 1, <u8>(M_ROC), <u8>VIF_RO_CACHE,
  // Smooth handoff (001 §8.1): what is still tunnelled to the previous foreign agent for a visitor that
  // moved goes on to the new care-of address (after the foreign agent's own exit: a visitor here is delivered).
  <u8>((changetype<usize>(hoExit) - FN_BASE) >> 4), 6 | R_SMOOTH << 3, <u8>(M_FA), <u8>0,
  <u8>((changetype<usize>(faLink) - FN_BASE) >> 4), 7, <u8>(M_FA), <u8>0,
  <u8>((changetype<usize>(agentIcmp) - FN_BASE) >> 4), 4, <u8>(M_FA | M_HA), <u8>ICMP_ROUTER_SOLICIT,
  <u8>((changetype<usize>(haReverseTunnel) - FN_BASE) >> 4), 6, <u8>(M_HA), <u8>0,
  // Why: 001 §3.1, §8.2: tunnelled datagrams nobody above took: re-tunnelled by the binding cache
  // (with a Binding Warning) or, at a foreign agent, sent by special tunnel to the home address.
  <u8>((changetype<usize>(roExit) - FN_BASE) >> 4), 6, <u8>(M_RO), <u8>0,
  <u8>((changetype<usize>(tunnelInput) - FN_BASE) >> 4), 2, <u8>(M_FA | M_MN | M_HA | M_RO | M_COA), <u8>IPPROTO_IPIP,
  <u8>((changetype<usize>(tunnelInput) - FN_BASE) >> 4), 2, <u8>(M_FA | M_MN | M_HA | M_RO | M_COA), <u8>IPPROTO_MINENC,
  <u8>((changetype<usize>(tunnelInput) - FN_BASE) >> 4), 2, <u8>(M_FA | M_MN | M_HA | M_RO | M_COA), <u8>IPPROTO_GRE,
]);
const PLAN_N: usize = 58;

/**
 * Carve every role's tables (after the stack's) and register the roles with the stack (the table
 * above, in its order). Memory running out is the arena's to report (mem.ts arenaFailed).
 */
export function mobilityInit(): void {
  const ha = has(cfg.ROLE_HOME_AGENT), fa = has(cfg.ROLE_FOREIGN_AGENT), mn = has(cfg.ROLE_MOBILE_NODE);
  const rs = has(cfg.ROLE_REG_SERVER), coa = has(cfg.ROLE_CARE_OF_AGENT);
  tunnelReset();
  // (The agents' tables likewise: a mobile node never compiles them.)
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT)) changetype<(fa: bool, ha: bool) => void>(agentsInitRef)(fa, ha);
  if (mn) { mnInit(); dhcpInit(); }
  roInit();
  const ro = cfg.roEnabled, roc = roCaching();
  if (has(cfg.ROLE_MOBILE_NODE | cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT | cfg.ROLE_REG_SERVER | cfg.ROLE_CARE_OF_AGENT) || ro) mipInit();
  // Why (memory): distributed registration's set-up is a function of its own, called through a
  // reference so the optimizer cannot fold it into init: Wasm3 compiles init whole, and a mobile node on
  // a 320 KiB microcontroller must not carry compiled code for roles it does not have (docs/mcu.md).
  if (has(cfg.ROLE_REG_SERVER | cfg.ROLE_CARE_OF_AGENT | cfg.ROLE_HOME_AGENT)) changetype<(rs: bool, coa: bool, ha: bool) => void>(drInitRef)(rs, coa, ha);
  const m = (cfg.roles & <u32>(M_MN | M_FA | M_HA | M_RS | M_COA)) | <u32>ro | <u32>roc << 1;
  const r = <u32>ro | <u32>cfg.drEnabled << 1 | <u32>!ha << 2 | <u32>(roc && cfg.roSmoothHandoff) << 3;
  for (let p = plan; p < plan + PLAN_N * 4; p += 4) {
    const w = load<u32>(p);
    if ((m & (w >>> 16) & 0xff) != 0 && ((w >>> 11) & ~r & 15) == 0) {
      const f = FN_BASE + ((<usize>w & 0xff) << 4), x = (w >>> 8) & 7, t = <usize>load<u16>(TABLES + (<usize>x << 1)), k = <i32>w >> 24;
      if (x < 3) store<u32>(t + (<usize>k << 2), <u32>f); else handlersAdd(t, <u32>k, f);
    }
  }
  routeChanged();
  if (ha) {
    udpTap(haBroadcastTap);
    tunnelBindings(bindingCareOfEncap);
  }
  if (mn) dhcpListen(mnDhcpEvent);
  // Smooth handoff (001 §8.1): an update on a mobile node's behalf deletes its visitor entry here
  // (the previous foreign agent).
  if (fa && roc && cfg.roSmoothHandoff) roOnMoved(faMoved);
}

/** After a successful init: start advertising, soliciting, registering. */
export function mobilityStart(): void {
  if (has(cfg.ROLE_FOREIGN_AGENT | cfg.ROLE_HOME_AGENT)) agentStart();
  if (has(cfg.ROLE_MOBILE_NODE)) mnStart();
  if (has(cfg.ROLE_REG_SERVER)) rsStart();
}

/**
 * A station (link-layer address at `mac`) left (`up` false) or joined the access point behind our
 * interface `iface` (index.ts `station`): the foreign agent holds or releases its visitor's
 * datagrams (issue 10.10).
 */
export function mobilityStation(iface: i32, mac: usize, up: bool): void {
  if (has(cfg.ROLE_FOREIGN_AGENT)) faStation(iface, mac, up);
}

// The roles (any of) a dump table needs, by table (mobilityDump): 3 home agent, 4 foreign agent,
// 7 care-of agent or home agent, 8 registration server; 0: not a table of the roles.
const dumpRoles: usize = memory.data<u8>([
  0, 0, 0, <u8>cfg.ROLE_HOME_AGENT, <u8>cfg.ROLE_FOREIGN_AGENT, 0, 0,
  <u8>(cfg.ROLE_CARE_OF_AGENT | cfg.ROLE_HOME_AGENT), <u8>cfg.ROLE_REG_SERVER,
]);

/** Bytes of a dump table 11 record (agentsDump). */
const AGENT_DUMP_SIZE: i32 = 56;

/**
 * Dump table 11, agents (images with STATUS, docs/abi.md): record `index` of, in this order, the agents a
 * mobile node heard (kind 1), the interfaces a home or foreign agent advertises on (kind 2), a Mobile IPv6
 * mobile node's home agent (kind 3). Its length, or -1 past the last.
 */
export function agentsDump(index: i32, out: usize): i32 {
  let k = index;
  if (has(cfg.ROLE_MOBILE_NODE)) { const n = agentHeardDump(k, out); if (k < n) return AGENT_DUMP_SIZE; k -= n; }
  if (has(cfg.ROLE_HOME_AGENT | cfg.ROLE_FOREIGN_AGENT)) { const n = agentOwnDump(k, out); if (k < n) return AGENT_DUMP_SIZE; k -= n; }
  if (MIP6 && has(cfg.ROLE_MOBILE_NODE) && mn6AgentDump(k, out) > k) return AGENT_DUMP_SIZE;
  return -1;
}

/**
 * Dump tables of the roles (docs/abi.md): 3 home agent bindings, 4 foreign agent visitors, 6 binding
 * cache, 7 care-of agent binding routes, 8 registration server registrations.
 */
export function mobilityDump(table: i32, index: i32, out: usize): i32 {
  if (table == 6) return roDump(index, out);
  // A role's table is empty without the role (docs/abi.md "Dump records").
  if (<u32>table > 8 || (cfg.roles & <u32>load<u8>(dumpRoles + <usize>table)) == 0) return -1;
  if (table == 3) return bindingDump(index, out);
  if (table == 4) return visitorDump(index, out);
  if (table == 7) return coaDump(index, out);
  return rsDump(index, out);
}
