// IPv6-in-IPv6 tunnels (RFC 2473), the tunnel interfaces of the IPv6 route decision:
//
//   entry   tun6Route(dst)      the tunnel whose prefix holds `dst` (longest), checked by ip6.ts before
//                               the link next hop (route6.ts): a virtual interface
//           tun6Output(t, p)    the packet gets an outer header (source: the tunnel's local address,
//                               destination: its remote end, Next Header 41) in its headroom and leaves by
//                               ip6Send (AH to an IPsec peer, path-MTU fragmentation of the outer packet)
//   exit    next header 41 to one of our addresses from a tunnel's remote end: the inner packet is
//           received again (ip6Input, as from the tunnel interface); from anybody else: dropped
//   ICMPv6  an error about an outer packet we sent is relayed to the inner packet's source (§8)
//
// Who may change the table: the layers above at run time (tun6Add/tun6Remove: Mobile IPv6's home agent
// and mobile node, issue 13) and tests; nothing received does. Only a tunnel's configured remote end may
// make the node decapsulate (Why: RFC 2473 §3.2 leaves the decision to the exit point; accepting
// anyone's IPv6-in-IPv6 would make every node an open relay that forwards whatever an attacker wraps,
// past ingress filters), and a decapsulated Neighbor Discovery message is dropped (Why: ND trusts hop
// limit 255 as "from this link"; a tunnelled one comes from elsewhere).
//
// Tunnel MTU (RFC 2473 §7): the path MTU to the remote end minus 40. An inner packet that does not fit
// and is larger than the IPv6 minimum MTU gets Packet Too Big (the tunnel MTU, at least 1280) to its
// source; one of at most 1280 bytes is encapsulated and the outer packet fragmented (§7.1).
//
// Entry (stride 52, TUN6_MAX of them, arena on IPv6 nodes): prefix[16] @0 | remote[16] @16 | local[16] @32
// | prefixLen u8 @48 | used u8 @49 | pad[2]

import { C, count } from "../counters";
import { MIP6 } from "../features";
import { arenaAlloc } from "../mem";
import { addrCopy, addrEqual, addrPrefixMatch, addrIsUnspecified } from "../wire/addr";
import {
  ipv6Check, ipv6Emit, ipv6Src, ipv6Dst, ipv6TotalLen, ipv6TrafficClass, ipv6IsMulticast, Ipv6Err, IPV6_HEADER_LEN, IPV6_MIN_MTU,
  IPPROTO_IPV6, IPPROTO_ICMPV6, IPPROTO_AH,
} from "../wire/ipv6";
import { ICMP6_PACKET_TOO_BIG, ICMP6_DEST_UNREACH, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROBLEM, UNREACH6_NO_ROUTE, ICMP6_HEADER_LEN, icmp6Mtu } from "../wire/icmpv6";
import { ndIsNd } from "../wire/nd";
import { pktRoom } from "./packet";
import { r6NextHop, r6PathMtu } from "./route6";
import { addr6Ours, addr6Source } from "./addr6";

export const TUN6_MAX: i32 = 8;
const STRIDE: usize = 52;
let table: usize = 0;
let scratch: usize = 0;
let depth: i32 = 0;
let gen: u32 = 0;
/** The last encapsulation: the outer interface, the tunnel MTU, the outer next hop (for flow6). */
export let lastOif: i32 = -1;
export let lastTunnelMtu: i32 = 0;
export let lastNextHop: usize = 0;

/** Changes so far to the tunnel table (the IPv6 flow cache compares it). */
export function tun6Generation(): u32 { return gen; }

function ent(i: i32): usize { return table + <usize>i * STRIDE; }

/** Carve the table (IPv6 nodes, init). False when memory ran out. */
export function tun6Init(): bool {
  mobileRemote = 0;
  acceptFn = 0;
  decapFn = 0;
  if (MIP6) { homeRaFn = 0; groupFn = 0; }
  table = arenaAlloc(<usize>TUN6_MAX * STRIDE + 32);
  if (table == 0) return false;
  // (Zeroed by the arena: mem.ts.) The scratch address and the last next hop follow the entries.
  scratch = table + <usize>TUN6_MAX * STRIDE;
  lastNextHop = scratch + 16;
  depth = 0;
  return true;
}

/**
 * Route `prefix`/`plen` into a tunnel to `remote` from `local` (:: : an address of ours chosen per
 * packet). A tunnel for the same prefix is replaced. False when the table is full.
 */
export function tun6Add(prefix: usize, plen: i32, remote: usize, local: usize): bool {
  if (table == 0 || plen < 0 || plen > 128) return false;
  let free = -1;
  for (let i = 0; i < TUN6_MAX; i++) {
    const e = ent(i);
    if (load<u8>(e, 49) == 0) { if (free < 0) free = i; continue; }
    if (<i32>load<u8>(e, 48) == plen && addrPrefixMatch(e, prefix, plen)) { free = i; break; }
  }
  if (free < 0) return false;
  const e = ent(free);
  addrCopy(e, prefix);
  addrCopy(e + 16, remote);
  addrCopy(e + 32, local);
  store<u8>(e, <u8>plen, 48);
  store<u8>(e, 1, 49);
  gen++;
  return true;
}

/** Remove the tunnel of `prefix`/`plen`. */
export function tun6Remove(prefix: usize, plen: i32): void {
  for (let i = 0; i < TUN6_MAX && table != 0; i++) {
    const e = ent(i);
    if (load<u8>(e, 49) != 0 && <i32>load<u8>(e, 48) == plen && addrPrefixMatch(e, prefix, plen)) { store<u8>(e, 0, 49); gen++; }
  }
}

/** A tunnel end point the table does not list: the Mobile IPv6 home agent's reverse tunnels (mobility/
 *  ha6.ts): outer source `src` (after its Home Address option), inner packet at `inner` (40 bytes at least). */
export type Tun6Accept = (src: usize, inner: usize) => bool;
let acceptFn: usize = 0;
export function tun6AcceptWith(fn: Tun6Accept): void { acceptFn = changetype<usize>(fn); }

/** A packet came out of a tunnel from `src` (mobility/mn6.ts: from its home agent). */
export type Tun6Decap = (src: usize, inner: usize) => void;
let decapFn: usize = 0;
export function tun6DecapWith(fn: Tun6Decap): void { decapFn = changetype<usize>(fn); }
/** A mobile node's handler of its home agent's tunnelled Router Advertisement (the inner packet, `n`
 *  bytes; seed 003 §8.5). */
export type Tun6HomeRa = (q: usize, n: i32) => void;
let homeRaFn: usize = 0;
export function tun6HomeRaWith(fn: Tun6HomeRa): void { homeRaFn = changetype<usize>(fn); }

/** The Mobile IPv6 home agent's multicast (mobility/mcast6.ts, seed 003 §10): a packet to a group out of a
 *  tunnel from `src` (its Home Address option applied), the inner packet at `inner` (`len` bytes, checked):
 *  0 used, 1 dropped, -1 not a mobile node's (received as any other). */
export type Tun6Group = (src: usize, inner: usize, len: i32) => i32;
let groupFn: usize = 0;
export function tun6GroupWith(fn: Tun6Group): void { groupFn = changetype<usize>(fn); }

/** Decapsulations in progress: above 0 while a packet that came out of a tunnel is processed (stack/mld6.ts
 *  answers a Query the way it came). */
export function tun6Depth(): i32 { return depth; }

// A Mobile IPv6 mobile node's home agent (mobility/mn6.ts): its tunnel to the care-of address ends here
// too (seed 003 §8.4), with no table entry (the care-of address changes with each move).
let mobileRemote: usize = 0;
/** Accept IPv6-in-IPv6 from the address at `a` as well (0: none). */
export function tun6AcceptFrom(a: usize): void { mobileRemote = a; }

/** The tunnel (index) whose prefix holds `dst`, longest first; -1 when none. */
export function tun6Route(dst: usize): i32 {
  let best = -1, bestLen = -1;
  for (let i = 0; i < TUN6_MAX && table != 0; i++) {
    const e = ent(i);
    const l = <i32>load<u8>(e, 48);
    if (load<u8>(e, 49) != 0 && l > bestLen && addrPrefixMatch(e, dst, l)) { best = i; bestLen = l; }
  }
  return best;
}

/** True when `a` is the remote end of one of our tunnels. */
function isRemote(a: usize): bool {
  for (let i = 0; i < TUN6_MAX && table != 0; i++) if (load<u8>(ent(i), 49) != 0 && addrEqual(ent(i) + 16, a)) return true;
  return false;
}

/** How ip6.ts sends (set at init: this file sits below it). */
export type Send6 = (p: usize, len: i32, oifHint: i32) => i32;
export type Error6 = (iface: i32, p: usize, avail: i32, type: u8, code: u8, param: u32) => bool;
export type Input6 = (iface: i32, p: usize, len: i32, linkGroup: bool) => i32;
let send: usize = 0;
let error: usize = 0;
let input: usize = 0;
export function tun6Hooks(s: Send6, e: Error6, i: Input6): void { send = changetype<usize>(s); error = changetype<usize>(e); input = changetype<usize>(i); }

/**
 * Send the IPv6 packet at `p` (`len` bytes, in a packet buffer) into tunnel `t` (RFC 2473 §3.1, §7).
 * `inIface`: where it came from (-1: this node). Returns 0 sent, 1 dropped (counted).
 */
export function tun6Output(t: i32, p: usize, len: i32, inIface: i32): i32 {
  const e = ent(t);
  return tun6Encap(e + 16, e + 32, p, len, inIface);
}

/**
 * Send the IPv6 packet at `p` into a tunnel to `remote` from `local` (:: : an address of ours suited to
 * `remote`), as tun6Output does for a configured tunnel: also for the Mobile IPv6 home agent's tunnel to
 * a mobile node's care-of address (seed 003 §8.4), which comes and goes with the binding.
 */
export function tun6Encap(remote: usize, local: usize, p: usize, len: i32, inIface: i32): i32 {
  // The next hop, kept where the flow cache looks for it (lastNextHop, below).
  const oif = r6NextHop(remote, -1, lastNextHop);
  if (oif < 0) { count(C.DROP_NO_ROUTE); return 1; }
  const tmtu = r6PathMtu(remote, oif) - IPV6_HEADER_LEN;
  if (len > tmtu && len > IPV6_MIN_MTU) {
    // Why: RFC 2473 §7.1: a packet larger than the tunnel MTU (and than the IPv6 minimum) is refused
    // with Packet Too Big carrying the tunnel MTU (never below 1280), so its source adapts.
    count(C.DROP_MTU);
    changetype<Error6>(error)(inIface, p, len, ICMP6_PACKET_TOO_BIG, 0, <u32>max(tmtu, IPV6_MIN_MTU));
    return 1;
  }
  if (pktRoom(p) < IPV6_HEADER_LEN + 8 + 14) { count(C.DROP_TUN6_NO_ROOM); return 1; }
  const h = p - <usize>IPV6_HEADER_LEN;
  // The outer source: the tunnel's local address, else one of ours suited to the remote end.
  if (addrIsUnspecified(local)) { if (!addr6Source(oif, remote, scratch)) { count(C.DROP_NO_ROUTE); return 1; } }
  else addrCopy(scratch, local);
  // Why: RFC 2473 §6.5: the tunnel header's traffic class may copy the inner packet's (it does here);
  // hop limit the node's default (§3.1); Next Header 41 (IPv6).
  ipv6Emit(h, IPV6_HEADER_LEN, ipv6TrafficClass(p), 0, <u16>len, IPPROTO_IPV6, 64, scratch, remote);
  count(C.TUN6_ENCAPSULATED);
  // What the flow cache needs to keep this decision (stack/flow6.ts, learnt by ip6.ts).
  lastOif = oif;
  lastTunnelMtu = tmtu;
  return changetype<Send6>(send)(h, len + IPV6_HEADER_LEN, oif);
}

/** A Neighbor Discovery message right behind an AH header in the (checked) packet at `q`, `n` bytes long. */
function ndBehindAh(q: usize, n: i32): bool {
  return load<u8>(q, 6) == IPPROTO_AH && n >= IPV6_HEADER_LEN + 8 &&
    ndIsNd(q, load<u8>(q, IPV6_HEADER_LEN), IPV6_HEADER_LEN + ((<i32>load<u8>(q, IPV6_HEADER_LEN + 1) + 2) << 2), n);
}

/**
 * Next header 41 for this node (ip6.ts protocol handler): the inner packet at `p + off` is received
 * again as from the tunnel (RFC 2473 §3.2), if the outer source is a tunnel's remote end.
 */
export function tun6Input(iface: i32, p: usize, len: i32, off: i32, unicast: bool): i32 {
  const q = p + <usize>off;
  const src = ipv6Src(p);
  if (!unicast || !(isRemote(src) || (MIP6 && mobileRemote != 0 && addrEqual(mobileRemote, src)) ||
      (MIP6 && acceptFn != 0 && len - off >= IPV6_HEADER_LEN && changetype<Tun6Accept>(acceptFn)(src, q)))) { count(C.DROP_TUN6_PEER); return 1; }
  const n = len - off;
  // Why: a tunnelled Neighbor Discovery message did not come from this link (see the header); with Mobile
  // IPv6 also one behind AH, as a home agent tunnels its Router Advertisement (seed 003 §8.5): taken as
  // received on this link, it would make a mobile node away believe it is at home (issue 13.7).
  // Why: RFC 2473 §4: nested tunnels are bounded (the encapsulation limit's purpose); four levels here.
  // (Seed 003 §8.5: from the mobile node's home agent, behind AH, it is the home link's advertisement: the
  // mobile node's own to judge, never this link's.)
  if (MIP6 && homeRaFn != 0 && mobileRemote != 0 && addrEqual(mobileRemote, src) && ipv6Check(q, n) == Ipv6Err.OK && ndBehindAh(q, n)) {
    changetype<Tun6HomeRa>(homeRaFn)(q, n);
    return 0;
  }
  if (ipv6Check(q, n) != Ipv6Err.OK || ndIsNd(q, load<u8>(q, 6), IPV6_HEADER_LEN, n) || (MIP6 && ndBehindAh(q, n)) || depth >= 4) { count(C.DROP_TUN6_INNER); return 1; }
  count(C.TUN6_DECAPSULATED);
  if (MIP6 && groupFn != 0 && ipv6IsMulticast(ipv6Dst(q))) {
    const g = changetype<Tun6Group>(groupFn)(src, q, ipv6TotalLen(q));
    if (g >= 0) return g;
  }
  depth++;
  // The inner packet is processed where it lies; it came from the tunnel, not from a link-layer group.
  // (The mobile node learns which correspondents reach it through its home agent, seed 003 §9.5.)
  if (MIP6 && decapFn != 0) changetype<Tun6Decap>(decapFn)(src, q);
  const r = changetype<Input6>(input)(iface, q, ipv6TotalLen(q), false);
  depth--;
  return r;
}

/**
 * An ICMPv6 error (`type`/`code`, `param`) quoting an outer packet we sent into a tunnel (`m`: the
 * message, `ml` bytes): relayed to the inner packet's source (RFC 2473 §8): Packet Too Big with the
 * tunnel MTU when the inner packet is larger than 1280, anything else as Destination Unreachable (no
 * route, §8.1). Returns -1 when the error is not about a tunnel packet of ours.
 */
export function tun6IcmpError(m: usize, ml: i32): i32 {
  if (ml < ICMP6_HEADER_LEN + 2 * IPV6_HEADER_LEN) return -1;
  const outer = m + <usize>ICMP6_HEADER_LEN;
  if (load<u8>(outer, 6) != IPPROTO_IPV6 || addr6Ours(ipv6Src(outer), -1) < 0 || !isRemote(ipv6Dst(outer))) return -1;
  const inner = outer + <usize>IPV6_HEADER_LEN;
  const avail = ml - ICMP6_HEADER_LEN - IPV6_HEADER_LEN;
  const t = load<u8>(m);
  count(C.TUN6_ICMP_RELAYED);
  if (t == ICMP6_PACKET_TOO_BIG) {
    const mtu = <i32>icmp6Mtu(m) - IPV6_HEADER_LEN;
    if (ipv6TotalLen(inner) <= IPV6_MIN_MTU) return 0; // fits the minimum: the outer packet is fragmented next time
    changetype<Error6>(error)(-1, inner, avail, ICMP6_PACKET_TOO_BIG, 0, <u32>max(mtu, IPV6_MIN_MTU));
    return 0;
  }
  // Types 1, 3, 4 (Packet Too Big, 2, returned above): one unsigned range test.
  if (<u32>t - <u32>ICMP6_DEST_UNREACH <= 3) {
    changetype<Error6>(error)(-1, inner, avail, ICMP6_DEST_UNREACH, UNREACH6_NO_ROUTE, 0);
  }
  return 0;
}
