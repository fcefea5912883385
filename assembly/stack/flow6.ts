// The IPv6 flow cache (issue 12's forwarding target; stack/flow.ts is IPv4's): the forwarding decision
// the full path (ip6.ts ip6Forward) took for the last packet of a flow — (input interface, source,
// destination) — with the Ethernet header it produced, so the next packets of the flow leave after the
// per-packet checks and one header copy. Exact, like IPv4's:
//  - learnt only from a packet the full path just forwarded plainly out of another interface (no
//    tunnel, no redirect), received as a unicast frame for us, without a Hop-by-Hop header, to a
//    neighbour whose entry is REACHABLE (not STALE / DELAY / PROBE: those states change by use);
//  - valid while nothing the decision read changed: routes, interface addresses and bindings (routeDecideGeneration: a Mobile IPv6 binding that changes bumps it),
//    IPv6's router / prefix / destination lists (r6Generation), tunnels (tun6Generation), the neighbour
//    cache (neighborGeneration); and until the neighbour entry's REACHABLE time ends;
//  - every packet is checked again for what depends on it: the frame to our unicast MAC, version 6,
//    Payload Length within the frame and the route's MTU, no Hop-by-Hop header, hop limit > 1.
// Anything else takes the full path. Counters as the full path's: ip6_rx, ip6_forwarded (+ flow_hits).
//
// Tunnel entries (RFC 2473 encapsulation, learnt by ip6Forward after tun6Output sent a packet plainly:
// no AH to the remote end, no fragmentation, a REACHABLE next hop) keep the Ethernet header and the
// outer IPv6 header; each packet gets them written in front of it with its own Payload Length and
// Traffic Class (RFC 2473 §6.5), its hop limit decremented as forwarding does.
//
// Entry (STRIDE bytes, FLOW6_ENTRIES direct-mapped, arena on IPv6 nodes):
//   0 src[16] | 16 dst[16] | 32 iface i32 (-1 empty) | 36 generation u32 | 40 until i64 | 48 oif i32 |
//   52 largest packet u16 | 54 kind u8 (1 forward, 2 tunnel) | 55 pad | 56 Ethernet header[14] |
//   70 outer IPv6 header[40] (tunnel)

import { C, countHot } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { netifMac, netifMacHot } from "../link/netif";
import { neighborGenerationHot, neighborMac6, neighborMacExpires } from "../link/neighbor";
import { ethTransmit } from "../link/ethernet";
import { routeDecideGeneration } from "./route";
import { r6Generation } from "./route6";
import { tun6Generation } from "./tunnel6";
import { ETHERTYPE_IPV6 } from "../wire/ethernet";
import { swap16 } from "../wire/bytes";

const FLOW6_ENTRIES: u32 = 8;
const STRIDE: usize = 112;
const F_IFACE: usize = 32;
const F_GEN: usize = 36;
const F_UNTIL: usize = 40;
const F_OIF: usize = 48;
const F_MAX: usize = 52;
const F_KIND: usize = 54;
const F_ETH: usize = 56;
const KIND_FORWARD: u8 = 1;
const KIND_TUNNEL: u8 = 2;
let table: usize = 0;
/** True once a flow was learnt (a node that forwards no IPv6 pays one test per IPv6 frame). */
export let flow6Any: bool = false;

/** Carve the table (IPv6 nodes). False when memory ran out. */
export function flow6Init(): bool {
  table = arenaAlloc(<usize>FLOW6_ENTRIES * STRIDE);
  flow6Any = false;
  if (table == 0) return false;
  for (let i: u32 = 0; i < FLOW6_ENTRIES; i++) store<i32>(table + <usize>i * STRIDE, -1, F_IFACE);
  return true;
}

// @ts-ignore: decorator
@inline function gen6(): u32 { return routeDecideGeneration() + neighborGenerationHot() + r6Generation() + tun6Generation(); }

/** The entry of (`iface`, the addresses at `src`, `dst`). */
// @ts-ignore: decorator
@inline function slotOf(iface: i32, src: usize, dst: usize): usize {
  const h = (load<u32>(src, 12) ^ (load<u32>(dst, 12) * 0x9e3779b1) ^ load<u32>(dst, 8) ^ <u32>iface) * 0x85ebca6b;
  return table + <usize>(h >>> 29) * STRIDE;
}

/**
 * The frame of `len` bytes at `f` (IPv6 at f + 14) received on `iface`: sent along its cached flow
 * (0), or -1 and nothing changed (the caller takes the full path).
 */
export function flow6Try(iface: i32, f: usize, len: i32): i32 {
  const p = f + 14;
  if (len < 54) return -1;
  const e = slotOf(iface, p + 8, p + 24);
  if (load<i32>(e, F_IFACE) != iface || load<u64>(e) != load<u64>(p, 8) || load<u64>(e, 8) != load<u64>(p, 16) ||
    load<u64>(e, 16) != load<u64>(p, 24) || load<u64>(e, 24) != load<u64>(p, 32) ||
    load<u32>(e, F_GEN) != gen6() || load<i64>(e, F_UNTIL) <= nowMs()) return -1;
  // ethInput's and ip6Input's checks, then ip6Forward's (RFC 2460 §3, §4.3).
  const me = netifMacHot(iface);
  if (load<u32>(f) != load<u32>(me) || load<u16>(f, 4) != load<u16>(me, 4)) return -1;
  if ((load<u8>(p) >> 4) != 6 || load<u8>(p, 6) == 0 || load<u8>(p, 7) <= 1) return -1;
  const total = 40 + <i32>swap16(load<u16>(p, 4));
  if (total > len - 14 || total > <i32>load<u16>(e, F_MAX)) return -1;
  countHot(C.IP6_RX);
  store<u8>(p, load<u8>(p, 7) - 1, 7);
  if (load<u8>(e, F_KIND) == KIND_TUNNEL) {
    // The outer header in front (the rx buffer's headroom): its Payload Length the packet's size, its
    // Traffic Class the packet's (RFC 2473 §6.5).
    const g = p - 54;
    memory.copy(g, e + F_ETH, 54);
    const h = g + 14;
    store<u16>(h, swap16(<u16>total), 4);
    // (Little-endian u16 of bytes 0-1: Traffic Class is bits 0-3 and 12-15, version and Flow Label the rest.)
    store<u16>(h, (load<u16>(h) & 0x0ff0) | (load<u16>(p) & 0xf00f));
    countHot(C.TUN6_ENCAPSULATED);
    countHot(C.FLOW_HITS);
    ethTransmit(load<i32>(e, F_OIF), g, total + 54);
    return 0;
  }
  memory.copy(f, e + F_ETH, 14);
  countHot(C.IP6_FORWARDED);
  countHot(C.FLOW_HITS);
  ethTransmit(load<i32>(e, F_OIF), f, total + 14);
  return 0;
}

/**
 * The full path forwarded the packet at `p` (received on `iface`) out of `oif` (the next hop's address
 * at `next`; the largest packet the decision sends: `max`): keep the decision when the next hop is a
 * REACHABLE neighbour (its entry's lifetime bounds the flow's). `tunnel`: ip6Forward sent it into a
 * tunnel; its Ethernet and outer headers lie at p - 54 and are kept when they went to that neighbour.
 * Why (size): one learning step for plain forwarding and tunnels.
 */
export function flow6Learn(iface: i32, p: usize, oif: i32, next: usize, max: i32, tunnel: bool): void {
  const mac = neighborMac6(oif, next);
  if (mac == 0 || table == 0) return;
  if (tunnel && (load<u32>(p - 54) != load<u32>(mac) || load<u16>(p - 50) != load<u16>(mac, 4))) return;
  const e = slotOf(iface, p + 8, p + 24);
  memory.copy(e, p + 8, 32);
  store<i32>(e, iface, F_IFACE);
  store<u32>(e, gen6(), F_GEN);
  store<i64>(e, neighborMacExpires(mac), F_UNTIL);
  store<i32>(e, oif, F_OIF);
  store<u16>(e, <u16>min(max, 0xffff), F_MAX);
  const h = e + F_ETH;
  if (tunnel) {
    memory.copy(h, p - 54, 54);
    store<u8>(e, KIND_TUNNEL, F_KIND);
  } else {
    memory.copy(h, mac, 6);
    memory.copy(h + 6, netifMac(oif), 6);
    store<u16>(h, swap16(ETHERTYPE_IPV6), 12);
    store<u8>(e, KIND_FORWARD, F_KIND);
  }
  flow6Any = true;
}
