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
import { timerOwn, OWNER_AGENT, OWNER_HA, OWNER_FA, OWNER_MN, OWNER_RO, OWNER_RS, OWNER_COA } from "../sys/timers";
import { netifListen } from "../link/netif";
import { ipRegisterProto, ipRegisterIcmp } from "../stack/ip";
import { routeSource, vifRegister, VIF_HA_TUNNEL, VIF_FA_VISITOR, VIF_MN_AWAY, VIF_RO_CACHE, VIF_COA_ROUTE, VIF_RS_LOCAL } from "../stack/route";
import { udpTap } from "../transport/udp";
import { dhcpInit, dhcpListen } from "../app/dhcp";
import { IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE } from "../wire/ipv4";
import {
  ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_PARAM_PROBLEM,
  ICMP_ROUTER_ADVERT, ICMP_ROUTER_SOLICIT
} from "../wire/icmp";
import { REG_TYPE_REQUEST, REG_TYPE_REPLY } from "../wire/registration";
import { mipInit, mipHandle, MIP_ANY } from "./mip";
import { tunnelReset, tunnelExit, tunnelBindings, tunnelInput, tunnelIcmpInput } from "./tunnel";
import { agentInit, agentStart, agentIcmp, agentTimer, agentServerAdvert } from "./agent";
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

function icmpErrors(fn: (iface: i32, p: usize, len: i32) => i32, all: bool): void {
  ipRegisterIcmp(ICMP_DEST_UNREACH, fn);
  if (all) { ipRegisterIcmp(ICMP_SOURCE_QUENCH, fn); ipRegisterIcmp(ICMP_REDIRECT, fn); }
  ipRegisterIcmp(ICMP_TIME_EXCEEDED, fn);
  ipRegisterIcmp(ICMP_PARAM_PROBLEM, fn);
}

/** Carve the foreign and home agents' tables. */
function agentsInit(fa: bool, ha: bool): bool {
  let ok = agentInit();
  if (fa) { ok = faInit() && ok; ok = hoInit() && ok; }
  if (ha) ok = haInit() && ok;
  return ok;
}
const agentsInitRef: usize = changetype<usize>(agentsInit);

/** Carve and register the registration server, care-of agent and home agent Route Request handling. */
function drRolesInit(rs: bool, coa: bool, ha: bool): bool {
  let ok = true;
  if (coa || ha) ok = coaInit() && ok;
  if (rs) {
    ok = rsInit() && ok;
    // Registration server (002 §6): requests with R addressed to it come first (the home agent and
    // foreign agent handlers never see them), then replies to requests it relayed, Route Replies.
    timerOwn(OWNER_RS, rsTimer);
    mipHandle(REG_TYPE_REQUEST, rsUdp);
    mipHandle(REG_TYPE_REPLY, rsUdp);
    mipHandle(DR_TYPE_ROUTE_REPLY, rsRouteReply);
    // Discovery (appendices A, B): agents' solicitations, care-of agents' advertisements.
    mipHandle(DR_TYPE_RS_SOLICIT, rsUdp);
    mipHandle(DR_TYPE_COA_ADVERT, rsUdp);
    routeSource(rsRoute);
    vifRegister(VIF_RS_LOCAL, rsVif);
  }
  if (coa || ha) {
    // Care-of agent (002 §5) and home agent (§7.5): Route Requests from registration servers; the
    // home agent's binding routes are bindings (haRouteApply).
    timerOwn(OWNER_COA, coaTimer);
    mipHandle(DR_TYPE_ROUTE_REQUEST, coaRequest);
    mipHandle(DR_TYPE_COA_SOLICIT, coaSolicit);
    if (ha) coaOnApply(haRouteApply);
  }
  return ok;
}
const drInitRef: usize = changetype<usize>(drRolesInit);

/**
 * Carve every role's tables (after the stack's) and register the roles with the stack (the table
 * above, in its order). False when memory ran out.
 */
export function mobilityInit(): bool {
  const ha = has(cfg.ROLE_HOME_AGENT), fa = has(cfg.ROLE_FOREIGN_AGENT), mn = has(cfg.ROLE_MOBILE_NODE);
  const rs = has(cfg.ROLE_REG_SERVER), coa = has(cfg.ROLE_CARE_OF_AGENT);
  tunnelReset();
  let ok = true;
  // (The agents' tables likewise: a mobile node never compiles them.)
  if (fa || ha) ok = changetype<(fa: bool, ha: bool) => bool>(agentsInitRef)(fa, ha) && ok;
  if (mn) { ok = mnInit() && ok; ok = dhcpInit() && ok; }
  ok = roInit() && ok;
  const ro = cfg.roEnabled;
  if (ha || fa || mn || ro || rs || coa) mipInit();
  // Why (memory): distributed registration's set-up is a function of its own, called through a
  // reference so the optimizer cannot fold it into init: Wasm3 compiles init whole, and a mobile node on
  // a 320 KiB microcontroller must not carry compiled code for roles it does not have (docs/mcu.md).
  if (rs || coa || ha) ok = changetype<(rs: bool, coa: bool, ha: bool) => bool>(drInitRef)(rs, coa, ha) && ok;
  if (fa || ha) timerOwn(OWNER_AGENT, agentTimer);
  // Registration server discovery (002 appendix A): the servers' answers to an agent's solicitation.
  if ((fa || ha) && cfg.drEnabled) mipHandle(DR_TYPE_RS_ADVERT, agentServerAdvert);
  if (ha) {
    timerOwn(OWNER_HA, haTimer);
    udpTap(haBroadcastTap);
    mipHandle(REG_TYPE_REQUEST, haUdp);
    // ICMP errors about our tunnels (RFC 2003 §4-5).
    icmpErrors(tunnelIcmpInput, true);
    tunnelBindings(bindingCareOfEncap);
    // Why: RFC 2002 §4.2.3: datagrams to a bound home address, forwarded or originated here, go
    // through the binding's tunnel: the first route source.
    routeSource(haRoute);
    vifRegister(VIF_HA_TUNNEL, haVif);
    if (cfg.roEnabled) {
      // Route optimization (001 §4.1, §4.2, §7.3): Binding Warnings, Requests and Acknowledges.
      mipHandle(RO_TYPE_BINDING_WARNING, haroWarning);
      mipHandle(RO_TYPE_BINDING_REQUEST, haroRequest);
      mipHandle(RO_TYPE_BINDING_ACK, haroAck);
    }
  }
  if (fa) {
    timerOwn(OWNER_FA, faTimer);
    mipHandle(REG_TYPE_REQUEST, faUdp);
    mipHandle(REG_TYPE_REPLY, faUdp);
    mipHandle(MIP_ANY, faUdp);
    // ICMP errors about relayed registrations (RFC 2002 §3.4 codes 80-88).
    icmpErrors(faIcmpError, false);
    tunnelExit(faExit);
    routeSource(faRoute);
    vifRegister(VIF_FA_VISITOR, faVif);
  }
  // Why: 001 §3.1: a cached binding is used only when this node is neither the mobile node's home
  // agent nor its foreign agent (their sources come first) — and before a mobile node's way out.
  if (roCaching()) routeSource(roRoute);
  if (coa && !ha) {
    // Why: 002 §5.2: a binding route is a forwarding entry whose outgoing circuit is the tunnel to
    // the child care-of address; datagrams tunnelled to us from the parent take it too (coaExit).
    routeSource(coaRoute);
    vifRegister(VIF_COA_ROUTE, coaVif);
    tunnelExit(coaExit);
  }
  if (mn) {
    timerOwn(OWNER_MN, mnTimer);
    mipHandle(REG_TYPE_REPLY, mnUdp);
    mipHandle(MIP_ANY, mnUdp);
    ipRegisterIcmp(ICMP_ROUTER_ADVERT, mnIcmp);
    tunnelExit(mnExit);
    routeSource(mnRoute);
    vifRegister(VIF_MN_AWAY, mnVif);
    netifListen(mnLink);
    dhcpListen(mnDhcpEvent);
  }
  if (roCaching()) {
    // Route optimization (001 §3.1): any node with a binding cache takes Binding Updates and tunnels
    // its datagrams for cached mobile nodes straight to their care-of addresses — after the home
    // agent's bindings and the foreign agent's visitors, before a mobile node's own way out.
    timerOwn(OWNER_RO, roTimer);
    mipHandle(RO_TYPE_BINDING_UPDATE, roUpdate);
    vifRegister(VIF_RO_CACHE, roVif);
  }
  if (fa && roCaching() && cfg.roSmoothHandoff) {
    // Smooth handoff (001 §8.1): an update on a mobile node's behalf deletes its visitor entry here
    // (the previous foreign agent), and what is still tunnelled to us for it goes on to the new
    // care-of address (after the foreign agent's own exit: a visitor here is delivered).
    roOnMoved(faMoved);
    tunnelExit(hoExit);
  }
  if (fa) netifListen(faLink);
  if (fa || ha) ipRegisterIcmp(ICMP_ROUTER_SOLICIT, agentIcmp);
  if (ha) tunnelExit(haReverseTunnel);
  // Why: 001 §3.1, §8.2: tunnelled datagrams nobody above took: re-tunnelled by the binding cache
  // (with a Binding Warning) or, at a foreign agent, sent by special tunnel to the home address.
  if (ro) tunnelExit(roExit);
  if (fa || mn || ha || ro || coa) {
    ipRegisterProto(IPPROTO_IPIP, tunnelInput);
    ipRegisterProto(IPPROTO_MINENC, tunnelInput);
    ipRegisterProto(IPPROTO_GRE, tunnelInput);
  }
  return ok;
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
