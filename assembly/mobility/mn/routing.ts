// Mobile node: its datagrams' way out away from home (RFC 2002 §4.2.1-4.2.2, RFC 3024 reverse
// tunnel) and datagrams out of a tunnel ending at a co-located care-of address.
// mobility/mn/node.ts has the overview.

import * as cfg from "../../config";
import { C, count, countHot } from "../../counters";
import { netifMtu, netifIsBroadcast } from "../../link/netif";
import { linkSendIp, linkSendIpTo } from "../../stack/arp";
import { ipInput } from "../../stack/ip";
import { routeVirtual, NO_ROUTE, VIF_MN_AWAY } from "../../stack/route";
import {
  ipv4Src, ipv4Dst, ipv4Proto, ipIsMulticast, IP_BROADCAST, IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE,
  IPV4_MIN_HEADER,
} from "../../wire/ipv4";
import { REQ_FLAG_B, REQ_FLAG_M, REQ_FLAG_G } from "../../wire/registration";
import { tunnelSend } from "../tunnel";
import * as S from "./state";
import {
  A_IFACE, A_MAC, MODE_COLOC, MODE_FA, ST_AWAY, agents, colocNextHop, slot,
} from "./state";

/**
 * The mobile node's route source (stack/route.ts routeDecide): what it originates goes to its
 * virtual interface (mnVif), which sends by the node's state: away from home as below, at home -1
 * (the table's route). Forwarded datagrams are not its concern.
 */
export function mnRoute(inIface: i32, src: u32, dst: u32): i64 {
  return inIface < 0 ? routeVirtual(VIF_MN_AWAY, 0) : NO_ROUTE;
}

/** The output of the mobile node's virtual interface (mnRoute): mnOutput. */
export function mnVif(r: i64, inIface: i32, p: usize, len: i32): i32 { return mnOutput(p, len); }

/**
 * Datagram from the local stack: away via a foreign agent it goes to the agent's MAC (RFC 2002
 * §4.2.2: the foreign agent is the default router), co-located via the DHCP router; -1 at home.
 */
export function mnOutput(p: usize, len: i32): i32 {
  if (S.homeState != ST_AWAY) return -1;
  const dst = ipv4Dst(p);
  // Link-local broadcast and multicast stay plain IP on the current link.
  if (dst == IP_BROADCAST || ipIsMulticast(dst)) return -1;
  if (S.mode == MODE_FA && S.cur >= 0) {
    const s = slot(S.cur);
    const iface = <i32>load<u8>(s, A_IFACE);
    if (len > netifMtu(iface)) { count(C.DROP_MTU); return 1; }
    count(C.MN_OUTPUT_VIA_FA);
    linkSendIpTo(iface, s + A_MAC, p, len);
    return 0;
  }
  if (S.mode == MODE_COLOC && S.colocAddr != 0 && S.colocIface >= 0) {
    // Why: RFC 3024 §1.1: a reverse tunnel starts at the care-of address and ends at the home
    // agent; with a co-located care-of address the mobile node is its entry itself. Datagrams from
    // the home address leave encapsulated from the care-of address, which the foreign network's
    // ingress filters (seed 004) let through.
    if (cfg.reverseTunnel && S.ha != 0 && ipv4Src(p) == cfg.homeAddress) return reverseTunnel(p, len);
    if (len > netifMtu(S.colocIface)) { count(C.DROP_MTU); return 1; }
    return linkSendIp(S.colocIface, colocNextHop(dst), p, len);
  }
  // Away between agents: no router we may use yet (the home routes do not exist on this link).
  count(C.DROP_NO_ROUTE);
  return 1;
}

/**
 * Encapsulate the datagram at `p` from the co-located care-of address to the home agent and send
 * it, by the encapsulation registered for the forward tunnel (M: minimal, G: GRE, else IP in IP;
 * docs/decisions.md): the home agent accepted that one for this binding.
 */
function reverseTunnel(p: usize, len: i32): i32 {
  const method = (S.regFlags & REQ_FLAG_G) != 0 ? cfg.ENCAP_GRE : (S.regFlags & REQ_FLAG_M) != 0 ? cfg.ENCAP_MINIMAL : cfg.ENCAP_IPIP;
  // Too big for the link with the tunnel header: tunnelSend fragments the outer datagram unless DF
  // forbids it (RFC 2003 §5.1, counted drop_tunnel_mtu), as for the home agent's tunnels.
  count(C.MN_REVERSE_TUNNELLED);
  // Why: RFC 2003 §3.1: the node originates the datagram, it does not forward it: inner TTL kept.
  return tunnelSend(p, len, method, S.colocAddr, S.ha, S.colocIface, colocNextHop(S.ha), false);
}

/**
 * A datagram decapsulated by tunnel.ts at our co-located care-of address: for the home address
 * (or a broadcast/multicast when we asked for B) it is processed as received; -1 when not ours.
 */
export function mnDeliverDecapsulated(iface: i32, p: usize, len: i32): i32 {
  if (len < IPV4_MIN_HEADER) return -1;
  const dst = ipv4Dst(p);
  const group = dst == IP_BROADCAST || ipIsMulticast(dst) || (iface >= 0 && netifIsBroadcast(iface, dst));
  // Why: RFC 2002 §4.2.2 / §3.3 (D, B): the mobile node decapsulates what the home agent tunnels to
  // it: datagrams for its home address, and broadcasts only if it asked for them.
  if (dst != cfg.homeAddress && !(group && (S.regFlags & REQ_FLAG_B) != 0)) return -1;
  const proto = ipv4Proto(p);
  // Why: a tunnel inside the tunnel is not something a home agent sends (RFC 2003 §4.1 recursion).
  if (proto == IPPROTO_IPIP || proto == IPPROTO_MINENC || proto == IPPROTO_GRE) { count(C.MN_DECAP_DROPPED); return 1; }
  countHot(C.MN_DECAPSULATED);
  // The inner datagram is processed as received, but marked: agent discovery (mnIcmp) refuses what
  // came out of a tunnel. No nesting: a tunnel inside the tunnel was dropped above.
  S.inTunnel = true;
  const r = ipInput(iface, p, len, group);
  S.inTunnel = false;
  return r;
}
