// IPv6 input, local delivery, forwarding, ICMPv6 echo and errors, and output (RFC 2460, RFC 2463,
// RFC 1981), beside stack/ip.ts for IPv4 and sharing with it the link layer, the neighbour cache,
// the route table, the packet buffers and the one ICMP error token bucket (docs/decisions.md "IPv6").
//
//  ip6Input(iface, p, len, linkGroup)          EtherType 0x86dd (link/ethernet.ts)
//    ipv6Check ─bad─> DROP_TOO_SHORT / DROP_IP6_HEADER
//    source multicast or ::1, destination :: or ::1 ──> DROP_IP6_BAD_SRC / DROP_IP6_BAD_DST
//    multicast: a group of the interface (stack/addr6.ts addr6IsMember) ──> ip6Local, else DROP_IP6_NOT_MEMBER
//    one of our usable addresses (addr6Ours) ──> ip6Local
//    else: link-layer group ─> DROP_NOT_FOR_US; not a router ─> DROP_NOT_ROUTER; ip6Forward
//  ip6Local: the extension header chain (wire/ipv6.ts ipv6WalkChain, option action bits) ─bad─> DROP_IP6_EXT /
//    DROP_IP6_OPTION + Parameter Problem; a routing header with segments left: type 0 with one segment
//    to our own address (SPEC-DECISIONS) is processed, anything else DROP_IP6_RH0 / Parameter Problem;
//    an AH verified and removed (security/ipsec.ts); fragments reassembled in the pool shared with
//    IPv4 (stack/reasm.ts; none: DROP_IP6_FRAGMENT); ICMPv6: checksum, echo request
//    answered, Neighbor Discovery and other handlers by type (stack/nd.ts), else the local stack;
//    other protocols: their handler, else the local stack, else DROP_PROTO + Parameter Problem code 1.
//  ip6Forward: Hop-by-Hop options checked; link-local source or destination never forwarded
//    (DROP_IP6_SCOPE); hop limit ≤ 1 ─> Time Exceeded; no route ─> Destination Unreachable; larger
//    than the link MTU ─> Packet Too Big (routers never fragment IPv6, RFC 2460 §5); out with hop limit - 1.
//  ip6Send / ip6Output: what the core or the local stack originates: next hop (nd.ts), source
//    fragmentation to the path MTU (RFC 2460 §4.5, §5), the link (multicast MAC or neighbour cache).
//
// ICMPv6 errors are built in front of the offending packet like IPv4's (stack/ip.ts): IPv6 header at
// p-48, ICMPv6 header at p-8, quoting the packet in place, cut so the error fits 1280 bytes.

import { deliver, random } from "../host";
import { arenaAlloc } from "../mem";
import { C, count, countHot } from "../counters";
import * as cfg from "../config";
import { ethRegister, ethSendTo } from "../link/ethernet";
import { neighborOutputAddr } from "../link/neighbor";
import { flow6Init, flow6Learn } from "./flow6";
import { pktRoom } from "./packet";
import { reasmEnabled, reasmInput6, reasmRelease, reasmDone, reasmDoneSlot, reasmOnExpired6 } from "./reasm";
import { icmpErrorToken, icmpGate } from "./ip";
import { addr6Ours, addr6IsMember, addr6Source } from "./addr6";
import { ndIsNd } from "../wire/nd";
import { Mip6, mip6Find, mip6Valid, haoAddr } from "../wire/mip6";
import { MIP6 } from "../features";
import { r6NextHop, r6PathMtu, r6LinkMtu, r6PacketTooBig, r6FirstUp } from "./route6";
import { tun6Init, tun6Hooks, tun6Input, tun6Output, tun6Route, tun6IcmpError, lastOif, lastTunnelMtu, lastNextHop } from "./tunnel6";
import { ipsecIn, ipsecOut, ipsecRequired, ipsecCount } from "../security/ipsec";
import { AhVerify, ahVerify, ahSeal, AH_SA_SPI } from "../security/ah";
import { AH_HEADER_LEN, ahSpi, ahEmitHead, ahLen as ahLenOf } from "../wire/ah";
import { ETHERTYPE_IPV6 } from "../wire/ethernet";
import { addrCopy, addrEqual, addrIsUnspecified, addrIsLinkLocal6, addrIsSolicitedNode, macSetIpv6Multicast } from "../wire/addr";
import { proxyCount } from "./arp";
import {
  Ipv6Err, Ext6Err, ipv6Check, ipv6TotalLen, ipv6Src, ipv6Dst, ipv6NextHeader, ipv6HopLimit, ipv6IsMulticast,
  ipv6DecrementHopLimit, ipv6Emit, ipv6SetPayloadLen, ipv6SetNextHeader, ipv6WalkChain, ipv6OptionsCheck, ip6OptWantsIcmp,
  ipv6ExtLen, WALK_PROTO, walkOffset, walkNhAt, walkPointer, walkRouting, walkFrag, walkAh, walkAhNhAt, walkDst, WALK_SIZE, fragEmit,
  IP6_NEXT_HEADER, IPPROTO_AH, IPPROTO_IPV6,
  rhType, rhCheckAddrs, rhSegmentsLeft, rhNumAddrs, rhAddr, rhSetSegmentsLeft,
  IPV6_HEADER_LEN, IPV6_MIN_MTU, IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT, IPPROTO_ICMPV6, IPPROTO_NONE,
  IPPROTO_DSTOPTS, RH_TYPE0, RH_TYPE, FRAG_HEADER_LEN,
} from "../wire/ipv6";
import {
  Icmp6Err, icmp6Check, icmp6CheckEcho, icmp6FillChecksum, icmp6EmitError, ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY,
  ICMP6_TIME_EXCEEDED, ICMP6_DEST_UNREACH, ICMP6_PARAM_PROBLEM, ICMP6_PACKET_TOO_BIG, ICMP6_HEADER_LEN, ICMP6_CHECKSUM,
  TIME6_HOP_LIMIT, TIME6_REASSEMBLY, UNREACH6_NO_ROUTE, PARAM6_HEADER, PARAM6_NEXT_HEADER, PARAM6_OPTION, icmp6Mtu, icmp6CheckError,
  icmp6ErrorInner,
} from "../wire/icmpv6";

/** A Neighbor Discovery message for this node (checksum checked), at `p + off`. */
export type Icmp6Handler = (iface: i32, p: usize, len: i32, off: i32) => i32;

// Why (memory): the scratch below comes from the arena on IPv6 nodes only (ip6Init).
let walk: usize = 0;
// Next-hop buffers: one per path, since an error or a redirect sent on the way must not overwrite the
// next hop of the packet being forwarded or sent.
let fwdNh: usize = 0;
let sendNh: usize = 0;
let errNh: usize = 0;
let tmp: usize = 0;
let srcSel: usize = 0;
let groupMac: usize = 0;
/** The ICV input image of AH (the headers up to and including AH, mutable fields zeroed). */
const AH_SCRATCH: i32 = 512;
let ahScratch: usize = 0;
let lastIface: i32 = -1;
/** The hop limit for what this node originates (node.defaultTtl; a router's advertisement may set it). */
export let hopLimit6: u8 = 64;
let fragIdent: u32 = 0;

/** Neighbor Discovery's Redirect sender (stack/nd.ts, which sits above this layer): a packet about to
 *  go back out the link it came from, towards `next`. */
export type RedirectHook = (iface: i32, p: usize, len: i32, next: usize) => void;
let redirect: usize = 0;
export function ip6RedirectWith(fn: RedirectHook): void { redirect = changetype<usize>(fn); }

/**
 * Mobile IPv6 (mobility/mip6.ts, above this layer; seed 003 §6, §7): `DstOptsHook` sees the last
 * Destination Options header (at `dopt`) of every packet for this node once its AH, if any, is verified
 * and removed (`sa`: the security association that verified it, 0 none): it processes the Home Address,
 * Binding Update, Acknowledgement and Request options. Returns -1 to go on with the packet (the options
 * were piggy-backed, §4.2), else 0 used / 1 dropped. `SendHook` sees every packet this node originates
 * before its route is chosen (§7.9: a binding turns the destination into a care-of address and a Routing
 * header); it returns the packet's start (earlier when it grew) or 0 to drop it. `known` is the
 * 32-byte bitmap of option types the hook understands (the walk's action bits skip those).
 */
export type DstOptsHook = (iface: i32, p: usize, len: i32, dopt: i32, sa: usize) => i32;
export type SendHook = (p: usize, len: i32) => usize;
/** The home agent (mobility/ha6.ts, §8): a packet received on `iface` not addressed to this node, before
 *  it is forwarded: -1 forward it, 0 used (tunnelled), 1 dropped, 2 it is for this node after all (the
 *  Home-Agents anycast address of a subnet it serves, §8.1). */
export type ForwardHook = (iface: i32, p: usize, len: i32) => i32;
let fwdHook: usize = 0;
export function ip6HomeAgentWith(f: ForwardHook): void { fwdHook = changetype<usize>(f); }
let dstHook: usize = 0;
let sendHook: usize = 0;
let known6: usize = 0;
/** The SA that verified the AH of the packet being processed (AH removed), 0 none. */
let authSa: usize = 0;
let verifiedSa: usize = 0;
let errHook: usize = 0;
/** `e` sees every valid ICMPv6 error for this node (seed 003 §7.8, §9.9); the local stack still gets it. */
export function ip6MobilityWith(d: DstOptsHook, s: SendHook, known: usize, e: Icmp6Handler): void {
  dstHook = changetype<usize>(d);
  sendHook = changetype<usize>(s);
  known6 = known;
  errHook = changetype<usize>(e);
}

/**
 * Multicast of images with Mobile IPv6 (issue 13.5, seed 003 §10): `ip6MldWith` takes the MLD messages for
 * this node (ICMPv6 130-132, stack/mld6.ts); `ip6GroupsWith` a packet to a group (mobility/mcast6.ts):
 * received on link `iface` (before the membership test), the home agent sends a copy down each member
 * mobile node's tunnel and leaves the packet as it was (returns 0 when a copy went, else 1); sent by this
 * node (`iface` -1), the mobile node puts one from its home address away from home into the tunnel to its
 * home agent (returns the packet's new start, or `p`, or 0 to drop it).
 * Why (memory): one hook for both roles: each function used as a value is a static object.
 */
export type GroupHook = (iface: i32, p: usize, len: i32) => usize;
let mldRx: usize = 0;
let grpHook: usize = 0;
export function ip6MldWith(fn: Icmp6Handler): void { mldRx = changetype<usize>(fn); }
export function ip6GroupsWith(fn: GroupHook): void { grpHook = changetype<usize>(fn); }

/** A router's advertisement set the hop limit (RFC 2461 §6.3.4 CurHopLimit). */
export function ip6SetHopLimit(h: u8): void { hopLimit6 = h; }

/** Neighbor Discovery's receiver (stack/nd.ts, above this layer): ICMPv6 types 133-137 for this node
 *  (RS, RA, NS, NA, Redirect) go to it. Why (size): it was the only user of a table of handlers by type. */
let ndRx: usize = 0;
export function ip6NdWith(fn: Icmp6Handler): void { ndRx = changetype<usize>(fn); }

/** On a node with IPv6: carve the tables and take EtherType 0x86dd. False when memory ran out. */
export function ip6Init(): bool {
  redirect = 0;
  dstHook = 0;
  sendHook = 0;
  fwdHook = 0;
  errHook = 0;
  if (MIP6) alsoOurs = 0;
  known6 = 0;
  ndRx = 0;
  if (MIP6) { mldRx = 0; grpHook = 0; }
  hopLimit6 = <u8>cfg.defaultTtl;
  if (!cfg.ipv6Enabled()) return true;
  const b = arenaAlloc(<usize>(WALK_SIZE + 5 * 16 + 8 + AH_SCRATCH));
  if (b == 0) return false;
  walk = b;
  fwdNh = walk + <usize>WALK_SIZE;
  sendNh = fwdNh + 16; errNh = sendNh + 16; tmp = errNh + 16; srcSel = tmp + 16; groupMac = srcSel + 16;
  ahScratch = groupMac + 8;
  random(tmp, 4);
  fragIdent = load<u32>(tmp);
  ethRegister(ETHERTYPE_IPV6, ip6Input);
  reasmOnExpired6(reasmExpired);
  if (!tun6Init() || !flow6Init()) return false;
  tun6Hooks(tunnelSend, ip6SendIcmpError, ip6Input);
  return true;
}

/** Hand a packet to the local stack; DROP_PROTO when this node has none. Returns 0 used, 1 dropped. */
function ip6Deliver(p: usize, len: i32): i32 {
  if ((cfg.roles & cfg.ROLE_LOCAL_STACK) == 0) { count(C.DROP_PROTO); return 1; }
  // Why: seed 003 §7.1: a Home Address option was processed here (mip6.ts: the source is the home address
  // now); the local stack above (Linux behind mipfw-board's TUN) does not know the draft's option, whose
  // action bits say "discard, Parameter Problem" (§5.4), nor may it go up as padding (Linux drops more
  // than 7 bytes of it, RFC 4942 §2.1.9.5). Its Destination Options header, right after the IPv6 header
  // as the mobile node sends it, comes out: every other option in it is this layer's or one the walk
  // found skippable (an unknown one that is not was answered already).
  if (MIP6 && dstHook != 0 && walkDst(walk) == IPV6_HEADER_LEN && mip6Find(p, IPV6_HEADER_LEN, Mip6.HAO) >= 0) {
    const n = ipv6ExtLen(p, IPV6_HEADER_LEN, IPPROTO_DSTOPTS);
    ipv6SetNextHeader(p, load<u8>(p + <usize>IPV6_HEADER_LEN));
    ipv6SetPayloadLen(p, <u16>(len - n - IPV6_HEADER_LEN));
    memory.copy(p + <usize>n, p, <usize>IPV6_HEADER_LEN);
    p += <usize>n;
    len -= n;
  }
  countHot(C.DELIVERED);
  deliver(p, len);
  return 0;
}

/**
 * Process the IPv6 packet of `len` bytes at `p` received on `iface` (Ethernet header at p-14, the rx
 * buffer's headroom in front). `linkGroup`: the frame went to a group MAC address.
 */
export function ip6Input(iface: i32, p: usize, len: i32, linkGroup: bool): i32 {
  countHot(C.IP6_RX);
  const e = ipv6Check(p, len);
  if (e != Ipv6Err.OK) { count(e == Ipv6Err.TRUNCATED ? C.DROP_TOO_SHORT : C.DROP_IP6_HEADER); return 1; }
  // Ethernet may pad short frames: the packet ends at 40 + Payload Length.
  len = ipv6TotalLen(p);
  const src = ipv6Src(p);
  const dst = ipv6Dst(p);
  // Why: RFC 4291 §2.7: a multicast address is never a source; §2.5.3: the loopback address is never
  // sent on a link, and a packet received with it (either way) is dropped.
  if (ipv6IsMulticast(src) || isLoopback(src)) { count(C.DROP_IP6_BAD_SRC); return 1; }
  if (addrIsUnspecified(dst) || isLoopback(dst)) { count(C.DROP_IP6_BAD_DST); return 1; }
  if (ipv6IsMulticast(dst)) {
    // Why: seed 003 §10: a home agent forwards a group a mobile node joined through its tunnel down the
    // tunnel (mobility/mcast6.ts; the packet is left as it was).
    const tunnelled = MIP6 && grpHook != 0 && changetype<GroupHook>(grpHook)(iface, p, len) == 0;
    // Why: RFC 4291 §2.8: a node accepts the groups it has joined; the rest is not for it (a router
    // forwards no multicast beside that: there is no multicast routing here).
    // A Neighbor Solicitation to any solicited-node group goes on to Neighbor Discovery, which answers
    // only for our own targets and the ones we proxy (RFC 2461 §7.2.8: a proxy listens on the groups
    // of the addresses it answers for; stack/nd.ts checks the target).
    if (!addr6IsMember(iface, dst) && !(addrIsSolicitedNode(dst) && len > IPV6_HEADER_LEN && ipv6NextHeader(p) == IPPROTO_ICMPV6 &&
        load<u8>(p + <usize>IPV6_HEADER_LEN) == 135 && proxyCount() > 0)) {
      if (MIP6 && tunnelled) return 0;
      count(C.DROP_IP6_NOT_MEMBER);
      return 1;
    }
    return ip6Local(iface, p, len, false);
  }
  if (addr6Ours(dst, iface) >= 0 || (MIP6 && alsoOurs != 0 && addrEqual(dst, alsoOurs))) return ip6Local(iface, p, len, true);
  // Why: RFC 1122 §3.3.6 / RFC 2460: a unicast packet that came in a link-layer group frame is neither
  // accepted nor forwarded (as for IPv4).
  if (linkGroup) { count(C.DROP_NOT_FOR_US); return 1; }
  if ((cfg.roles & cfg.ROLE_ROUTER) == 0) { count(C.DROP_NOT_ROUTER); return 1; }
  return ip6Forward(iface, p, len);
}

function isLoopback(a: usize): bool { return load<u64>(a) == 0 && load<u64>(a, 8) == 0x0100000000000000; }

/** Drop the packet at `p` counting `c`, with ICMPv6 error `type`/`code`/`param` about it (ip6SendIcmpError
 *  decides whether it may go). Returns 1 (dropped). Why (size): one call for every error path. */
function icmpDrop(c: C, iface: i32, p: usize, len: i32, type: u8, code: u8, param: u32): i32 {
  count(c);
  ip6SendIcmpError(iface, p, len, type, code, param);
  return 1;
}

/** Report the walk error `e` on the packet at `p` (counted; Parameter Problem where RFC 2460 asks). */
function extError(iface: i32, p: usize, len: i32, e: i32, multicastDst: bool): i32 {
  // Why: RFC 2460 §4: a Hop-by-Hop header anywhere but first is an unrecognized Next Header value:
  // Parameter Problem code 1 pointing at the Next Header octet that names it.
  // Why: RFC 2460 §4.2: an option running past its header is an erroneous header field (code 0).
  // Why: RFC 2460 §4.2: an unrecognized option's two high bits: 01 discard, 10 discard + Parameter
  // Problem code 2 at the option, 11 the same unless the destination is multicast.
  // Why (size): one count and one error call for every case.
  const code = e == Ext6Err.HBH_NOT_FIRST ? PARAM6_NEXT_HEADER : e == Ext6Err.BAD_OPTION_LEN ? PARAM6_HEADER : PARAM6_OPTION;
  count(e <= Ext6Err.BAD_OPTION_LEN ? C.DROP_IP6_EXT : C.DROP_IP6_OPTION);
  if (e == Ext6Err.TRUNCATED || e == Ext6Err.TOO_MANY || (e > Ext6Err.BAD_OPTION_LEN && !ip6OptWantsIcmp(e, multicastDst))) return 1;
  ip6SendIcmpError(iface, p, len, ICMP6_PARAM_PROBLEM, code, <u32>walkPointer(walk));
  return 1;
}

/** A checked packet for this node, received on `iface` (-1: from the local stack; -2: `lastIface`,
 *  its AH verified and removed). */
function ip6Local(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  if (iface >= 0) lastIface = iface;
  const e = ipv6WalkChain(p, known6, walk);
  if (e != Ext6Err.OK) return extError(iface, p, len, e, !unicast);
  // (The record holds it as an i32 in 0-255: read as such, no re-mask at each test.)
  const proto = load<i32>(walk, WALK_PROTO);
  const off = walkOffset(walk);
  // Why: RFC 2401 §4.4, RFC 2402 §3.4: an AH is verified with the SA its SPI and source name (the
  // replay window moves only for a valid ICV); a peer whose policy requires AH is not heard without it.
  // Neighbor Discovery is exempt (security/ipsec.ts). The local stack's own packets (iface -1) are ours.
  if (iface >= 0 && ipsecCount() > 0 && proto != IPPROTO_ROUTING && proto != IPPROTO_FRAGMENT && !ndIsNd(p, proto, off, len)) {
    const ah = walkAh(walk);
    if (ah != 0) {
      if (!ahInput(p, len, ah)) return 1;
      // Verified: the AH comes out (RFC 2401 §5.2: what goes up is the packet as it was protected), so
      // the local stack and the handlers see the plain packet; it is walked again, without AH.
      const n = ahStrip(p, len, ah);
      authSa = verifiedSa;
      const r = ip6Local(-2, p + <usize>n, len - n, unicast);
      authSa = 0;
      return r;
    }
    if (ipsecRequired(peerName(p))) { count(C.DROP_AH_REQUIRED); return 1; }
  }
  // (iface -2: the packet came in on a link and its AH was verified and removed above.)
  if (iface == -2) iface = lastIface;
  if (proto == IPPROTO_ROUTING) return routingHeader(iface, p, len, unicast);
  if (proto == IPPROTO_FRAGMENT) return fragment(iface, p, len, off, unicast);
  if (MIP6 && dstHook != 0 && iface >= 0 && walkDst(walk) != 0) {
    const r = changetype<DstOptsHook>(dstHook)(iface, p, len, walkDst(walk), authSa);
    if (r >= 0) return r;
  }
  if (proto == IPPROTO_ICMPV6) return icmp6Local(iface, p, len, off, unicast);
  // Why: RFC 2460 §4.7: nothing follows No Next Header; the packet is done.
  if (proto == IPPROTO_NONE) return 0;
  if (iface >= 0) {
    // The one protocol handled below the local stack: IPv6 in IPv6 ending here (RFC 2473, tunnel6.ts).
    if (proto == IPPROTO_IPV6) {
      const r = tun6Input(iface, p, len, off, unicast);
      if (r >= 0) return r;
    }
  }
  if ((cfg.roles & cfg.ROLE_LOCAL_STACK) != 0) return ip6Deliver(p, len);
  // Why: RFC 2460 §4: an unrecognized Next Header value: discard and Parameter Problem code 1 pointing
  // at the octet that holds it.
  return icmpDrop(C.DROP_PROTO, iface, p, len, ICMP6_PARAM_PROBLEM, PARAM6_NEXT_HEADER, <u32>walkNhAt(walk));
}

/**
 * A fragment for this node, its Fragment header at `fo` (RFC 2460 §4.5): checked, then into the
 * reassembly pool shared with IPv4 (stack/reasm.ts; board.reassemblySlots 0: dropped, counted); the
 * whole packet goes through ip6Local again.
 */
function fragment(iface: i32, p: usize, len: i32, fo: i32, unicast: bool): i32 {
  if (!reasmEnabled()) { count(C.DROP_IP6_FRAGMENT); return 1; }
  const n = len - fo - FRAG_HEADER_LEN;
  const ofs = <i32>bswap<u16>(load<u16>(p + <usize>fo, 2));
  const more = (ofs & 1) != 0;
  // Why: RFC 2460 §4.5: a fragment that is not the last must carry a multiple of 8 bytes: Parameter
  // Problem code 0 pointing at the Payload Length; a fragment reaching past 65,535 bytes of payload:
  // Parameter Problem code 0 pointing at the Fragment Offset.
  if (n <= 0 || (more && (n & 7) != 0)) {
    count(C.DROP_REASM_MALFORMED);
    if (n > 0) ip6SendIcmpError(iface, p, len, ICMP6_PARAM_PROBLEM, PARAM6_HEADER, 4);
    return 1;
  }
  if (fo - IPV6_HEADER_LEN + FRAG_HEADER_LEN + (ofs & 0xfff8) + n > 65535) {
    return icmpDrop(C.DROP_REASM_TOO_BIG, iface, p, len, ICMP6_PARAM_PROBLEM, PARAM6_HEADER, <u32>(fo + 2));
  }
  const r = reasmInput6(p, len, fo, walkNhAt(walk), ofs);
  if (r != 2) return r;
  const slot = reasmDoneSlot;
  const h = reasmDone;
  const res = ip6Local(iface, h, ipv6TotalLen(h), unicast);
  reasmRelease(slot);
  return res;
}

/** Fragment 0 of an IPv6 packet timed out (stack/reasm.ts): Time Exceeded code 1 quoting it (RFC 2460 §4.5). */
function reasmExpired(h: usize): void {
  ip6SendIcmpError(-1, h, min(ipv6TotalLen(h), IPV6_HEADER_LEN + 8 + 8), ICMP6_TIME_EXCEEDED, TIME6_REASSEMBLY, 0);
}

/**
 * The peer a walked packet for this node comes from, as its security associations name it: the home
 * address of a valid Home Address option when Mobile IPv6 is on (a mobile node's SA belongs to its
 * home address, not to the care-of address it happens to send from; docs/decisions.md "Mobile IPv6
 * and AH"), else the source address. The option is covered by the ICV (seed 003 §5.4), so a forged one
 * only selects an SA whose key the forger lacks.
 */
function peerName(p: usize): usize {
  const d = walkDst(walk);
  if (MIP6 && dstHook != 0 && d != 0) {
    const i = mip6Find(p, d, Mip6.HAO);
    if (i >= 0 && mip6Valid(p, i, Mip6.HAO)) return haoAddr(p + <usize>i);
  }
  return ipv6Src(p);
}

/** Verify the AH at `ahOff` of the packet at `p`; false (counted) when it does not pass. */
function ahInput(p: usize, len: i32, ahOff: i32): bool {
  const h = p + <usize>ahOff;
  if (ahOff + AH_HEADER_LEN > len) { count(C.DROP_AH_MALFORMED); return false; }
  const sa = ipsecIn(ahSpi(h), peerName(p));
  if (sa == 0) { count(C.DROP_AH_NO_SA); return false; }
  verifiedSa = sa;
  return ip6AhVerify(sa, p, len, ahOff);
}

/**
 * Remove the verified AH at `ahOff` (its length from its header) from the packet at `p`: the headers in
 * front move up over it, the Next Header that named AH takes AH's, the Payload Length shrinks. Returns
 * how far the packet's start moved (the AH's length).
 */
function ahStrip(p: usize, len: i32, ahOff: i32): i32 {
  const h = p + <usize>ahOff;
  const n = <i32>ahLenOf(h);
  const inner = load<u8>(h);
  // The Next Header octet naming AH: the fixed header's, or that of the last extension header before it
  // (the walk noted it).
  const at = <usize>walkAhNhAt(walk);
  store<u8>(p + at, inner);
  ipv6SetPayloadLen(p, <u16>(len - n - IPV6_HEADER_LEN));
  memory.copy(p + <usize>n, p, <usize>ahOff);
  return n;
}

/**
 * The final destination of the packet at `p` this node sends: the last address of a type 0 Routing
 * header that follows the IPv6 header (or its Hop-by-Hop header), else the destination address. The
 * outbound AH policy is the final destination's (seed 003 §7.5, §7.9: a packet to a mobile node goes to
 * its care-of address with its home address in the Routing header; its SA is its home address's).
 */
function finalDst(p: usize, len: i32): usize {
  leadingHeaders(p, len);
  if (leadRh != 0) {
    const h = p + <usize>leadRh;
    const n = rhNumAddrs(h);
    if (rhType(h) == RH_TYPE0 && n > 0 && leadRh + 8 + (n << 4) <= len) return rhAddr(h, n - 1);
  }
  return ipv6Dst(p);
}

// What leadingHeaders found: the Next Header octet that names what follows the leading headers, and the
// last Routing header among them (0: none).
let leadNhAt: usize = 0;
let leadRh: i32 = 0;

/**
 * The headers at the front of the packet at `p` that nodes on the way process, Hop-by-Hop and Routing:
 * RFC 2460 §4.5's unfragmentable part (here: those right after the IPv6 header), and where RFC 2402 §3.1
 * puts AH (after them). Returns the offset past them (a header running past `len` ends the walk before it);
 * sets leadNhAt and leadRh. One walk for fragmentation, AH and the outbound AH policy's final destination.
 */
function leadingHeaders(p: usize, len: i32): i32 {
  let u = IPV6_HEADER_LEN;
  let nhAt: usize = IP6_NEXT_HEADER;
  let nxt = ipv6NextHeader(p);
  leadRh = 0;
  while ((nxt == IPPROTO_HOPOPTS || nxt == IPPROTO_ROUTING) && u + 2 <= len) {
    const l = ipv6ExtLen(p, u, nxt);
    if (u + l > len) break;
    if (nxt == IPPROTO_ROUTING) leadRh = u;
    nhAt = <usize>u;
    nxt = load<u8>(p + <usize>u);
    u += l;
  }
  leadNhAt = nhAt;
  return u;
}

/**
 * Put an AH for the SA at `sa` into the packet at `p` (`len` bytes) right after its IPv6 header and any
 * Hop-by-Hop and Routing header (RFC 2402 §3.1: AH follows the headers routers look at and those that
 * change en route), moving those bytes 24 to the front, and seal it. Returns the new start (the length grew by 24), or 0 when there is no room or
 * the SA refuses (counter exhausted): the packet is then not sent.
 */
function ahOutput(sa: usize, p: usize, len: i32): usize {
  // (A header cut short stays after AH, and ahSeal's ICV input refuses the packet.)
  const u = leadingHeaders(p, len);
  const nhAt = leadNhAt;
  if (pktRoom(p) < AH_HEADER_LEN + FRAG_HEADER_LEN + 14) return 0;
  const q = p - <usize>AH_HEADER_LEN;
  memory.copy(q, p, <usize>u);
  const inner = load<u8>(q + nhAt);
  store<u8>(q + nhAt, IPPROTO_AH);
  ahEmitHead(q + <usize>u, inner, load<u32>(sa, AH_SA_SPI)); // ahSeal writes the Sequence Number and ICV
  ipv6SetPayloadLen(q, <u16>(len + AH_HEADER_LEN - IPV6_HEADER_LEN));
  if (!ahSeal(sa, q, len + AH_HEADER_LEN, u, ahScratch, AH_SCRATCH)) return 0;
  count(C.AH_TX);
  return q;
}

/**
 * The packet at `p` (`len` bytes, in a packet buffer) with AH under the outbound SA of its final
 * destination, whatever it carries (Neighbor Discovery included): its new start (24 bytes earlier), or 0
 * when there is no SA or no room. For the home agent's tunnelled Router Advertisements, which "MUST be
 * authenticated" (seed 003 §8.5).
 */
export function ip6Seal(p: usize, len: i32): usize {
  const sa = ipsecOut(finalDst(p, len));
  return sa == 0 ? 0 : ahOutput(sa, p, len);
}

/**
 * A routing header with Segments Left > 0 in a packet for this node. Why: SPEC-DECISIONS "Mobile IPv6":
 * type 0 is accepted only with one segment whose address is our own (a correspondent's route to a
 * mobile node's home address, seed 003 §7.9); any other use of type 0 turns a node into a traffic
 * reflector (RH0 amplification, RFC 5095) and is dropped and counted. Other types: RFC 2460 §4.4
 * Parameter Problem code 0 at the Routing Type.
 */
function routingHeader(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  const o = walkRouting(walk);
  const h = p + <usize>o;
  const bad = rhType(h) != RH_TYPE0 ? <i32>RH_TYPE : rhCheckAddrs(h);
  if (bad >= 0) return icmpDrop(C.DROP_IP6_RH0, iface, p, len, ICMP6_PARAM_PROBLEM, PARAM6_HEADER, <u32>(o + bad));
  if (!unicast || rhSegmentsLeft(h) != 1 || rhNumAddrs(h) != 1 || (addr6Ours(rhAddr(h, 0), iface) < 0 && !(MIP6 && alsoOurs != 0 && addrEqual(rhAddr(h, 0), alsoOurs)))) {
    count(C.DROP_IP6_RH0);
    return 1;
  }
  // RFC 2460 §4.4: swap the destination and the next address, Segments Left - 1, go on as the next
  // destination (ourselves again).
  const a = rhAddr(h, 0);
  const d = ipv6Dst(p);
  addrCopy(tmp, d);
  addrCopy(d, a);
  addrCopy(a, tmp);
  rhSetSegmentsLeft(h, 0);
  return ip6Local(iface, p, len, true);
}

/** ICMPv6 for this node: checksum, echo, Neighbor Discovery (types 133-137), else the local stack. */
function icmp6Local(iface: i32, p: usize, len: i32, off: i32, unicast: bool): i32 {
  const m = p + <usize>off;
  const ml = len - off;
  if (icmpGate(true, p, m, ml)) return 1;
  const t = load<u8>(m);
  if (t == ICMP6_ECHO_REQUEST) {
    // Why: RFC 2463 §4.1: every node answers echo, to a multicast destination too (SHOULD), from a
    // unicast address of its own.
    return echoReply(iface, p, len, off, unicast);
  }
  if (t < 128 && icmp6CheckError(m, ml) == Icmp6Err.OK) {
    // Why: RFC 1981 §4: a Packet Too Big lowers the path MTU to the quoted destination (never below 1280).
    if (t == ICMP6_PACKET_TOO_BIG) r6PacketTooBig(ipv6Dst(icmp6ErrorInner(m)), icmp6Mtu(m));
    // Why: RFC 2473 §8: an error about a packet we sent into a tunnel goes on to the inner source.
    if (tun6IcmpError(m, ml) >= 0) return 0;
    if (MIP6 && errHook != 0) changetype<Icmp6Handler>(errHook)(iface, p, len, off);
  }
  // Multicast Listener Discovery (RFC 2710; images with Mobile IPv6): Query, Report, Done.
  if (MIP6 && <u32>t - 130 < 3 && mldRx != 0) return changetype<Icmp6Handler>(mldRx)(iface, p, len, off);
  if (<u32>t - 133 < 5 && ndRx != 0) {
    const r = changetype<Icmp6Handler>(ndRx)(iface, p, len, off);
    if (r >= 0) return r;
  }
  return ip6Deliver(p, len);
}

/** Answer the checked echo request in the packet at `p` (ICMPv6 at `off`) in place, extension headers dropped. */
function echoReply(iface: i32, p: usize, len: i32, off: i32, unicast: bool): i32 {
  const m = p + <usize>off;
  const ml = len - off;
  // The reply's source: the address the request went to, or for a multicast one an address of the
  // interface it came in by (RFC 2463 §2.2).
  if (unicast) addrCopy(srcSel, ipv6Dst(p));
  else if (!addr6Source(iface, ipv6Src(p), srcSel)) return 1;
  store<u8>(m, ICMP6_ECHO_REPLY);
  icmp6FillChecksum(m, ml, srcSel, ipv6Src(p));
  return icmp6Out(m, ml, ipv6Src(p), iface, C.ICMP6_TX_ECHO_REPLY);
}

/** Put the IPv6 header (from srcSel to `dst`) in front of the `n`-byte ICMPv6 message at `m` (its
 *  checksum filled), count it as `c` and send it (ip6Send, `oif` the hint). */
function icmp6Out(m: usize, n: i32, dst: usize, oif: i32, c: C): i32 {
  const h = m - <usize>IPV6_HEADER_LEN;
  ipv6Emit(h, IPV6_HEADER_LEN, 0, 0, <u16>n, IPPROTO_ICMPV6, hopLimit6, srcSel, dst);
  count(c);
  return ip6Send(h, IPV6_HEADER_LEN + n, oif);
}

/**
 * Send ICMPv6 error `type`/`code` with `param` (MTU or pointer) about the checked packet at `p` (`avail`
 * bytes of it present, in a packet buffer: built in front of it, quoting it in place), which came in
 * by `iface` (-1: originated here). True if sent.
 */
export function ip6SendIcmpError(iface: i32, p: usize, avail: i32, type: u8, code: u8, param: u32): bool {
  const src = ipv6Src(p);
  const dst = ipv6Dst(p);
  // Why: RFC 2463 §2.4 (e): never about a packet from a source that is not a unique unicast address,
  // nor about a packet to a multicast address (except Packet Too Big and Parameter Problem code 2),
  // nor about an ICMPv6 error message.
  if (addrIsUnspecified(src) || ipv6IsMulticast(src)) return false;
  if (ipv6IsMulticast(dst) && type != ICMP6_PACKET_TOO_BIG && !(type == ICMP6_PARAM_PROBLEM && code == PARAM6_OPTION)) return false;
  if (ipv6NextHeader(p) == IPPROTO_ICMPV6 && (avail < IPV6_HEADER_LEN + 1 || load<u8>(p + <usize>IPV6_HEADER_LEN) < 128)) return false;
  if (pktRoom(p) < ICMP6_HEADER_LEN + IPV6_HEADER_LEN + 14) return false;
  // Why: RFC 2463 §2.4 (f): errors are rate limited (one bucket with IPv4's, stack/ip.ts).
  if (!icmpErrorToken()) { count(C.DROP_RATE_LIMITED); return false; }
  const oif = r6NextHop(src, iface, errNh);
  if (oif < 0) return false;
  // Why: RFC 2463 §2.2: the source is the address the packet was sent to if it is ours, else an
  // address of the interface the error leaves by.
  if (addr6Ours(dst, -1) >= 0) addrCopy(srcSel, dst);
  else if (!addr6Source(oif, src, srcSel)) return false;
  const q = p - <usize>ICMP6_HEADER_LEN;
  const n = icmp6EmitError(q, avail + ICMP6_HEADER_LEN, type, code, param, p, avail, srcSel, src);
  if (n <= 0) return false;
  icmp6Out(q, n, src, oif, C.ICMP6_TX_ERROR);
  return true;
}

function ip6Forward(iface: i32, p: usize, len: i32): i32 {
  const src = ipv6Src(p);
  const dst = ipv6Dst(p);
  // Why: RFC 2460 §4.3: the Hop-by-Hop options are examined by every node on the path.
  if (ipv6NextHeader(p) == IPPROTO_HOPOPTS) {
    if (len < IPV6_HEADER_LEN + 8 || IPV6_HEADER_LEN + ipv6ExtLen(p, IPV6_HEADER_LEN, IPPROTO_HOPOPTS) > len) { count(C.DROP_IP6_EXT); return 1; }
    const e = ipv6OptionsCheck(p, IPV6_HEADER_LEN, 0, walk);
    if (e != Ext6Err.OK) return extError(iface, p, len, e, false);
  }
  if (MIP6 && fwdHook != 0) {
    const r = changetype<ForwardHook>(fwdHook)(iface, p, len);
    if (r == 2) return ip6Local(iface, p, len, true);
    if (r >= 0) return r;
  }
  // Why: RFC 4291 §2.5.6: a router never forwards a packet with a link-local source or destination.
  if (addrIsLinkLocal6(src) || addrIsLinkLocal6(dst)) { count(C.DROP_IP6_SCOPE); return 1; }
  // Why: RFC 2460 §3, RFC 2463 §3.3: hop limit exhausted: discard and Time Exceeded code 0.
  if (ipv6HopLimit(p) <= 1) return icmpDrop(C.DROP_IP6_HOP_LIMIT, iface, p, len, ICMP6_TIME_EXCEEDED, TIME6_HOP_LIMIT, 0);
  // A tunnel interface of the route decision (RFC 2473 §3.1): the hop limit is the forwarded packet's.
  const t = tun6Route(dst);
  if (t >= 0) {
    ipv6DecrementHopLimit(p);
    const tr = tun6Output(t, p, len, iface);
    // Why (speed): the flow cache keeps a plain encapsulation (no AH to the remote end: the outer
    // header went right in front of the packet; no fragmentation; a REACHABLE next hop).
    if (tr == 0 && ipv6NextHeader(p) != IPPROTO_HOPOPTS && len <= lastTunnelMtu && load<u8>(p - 40, 6) == IPPROTO_IPV6 &&
        (ipsecCount() == 0 || ipsecOut(ipv6Dst(p - 40)) == 0)) flow6Learn(iface, p, lastOif, lastNextHop, lastTunnelMtu, true);
    return tr;
  }
  const oif = r6NextHop(dst, -1, fwdNh);
  if (oif < 0) return icmpDrop(C.DROP_NO_ROUTE, iface, p, len, ICMP6_DEST_UNREACH, UNREACH6_NO_ROUTE, 0);
  const mtu = r6LinkMtu(oif);
  if (len > mtu) {
    // Why: RFC 2460 §5: IPv6 routers do not fragment; RFC 2463 §3.2 / RFC 1981: Packet Too Big with the
    // next link's MTU.
    return icmpDrop(C.DROP_MTU, iface, p, len, ICMP6_PACKET_TOO_BIG, 0, <u32>mtu);
  }
  // Why: RFC 2461 §8.2: a router forwarding a packet back out the link it came from tells an on-link
  // source of the better first hop (rate limited with the errors).
  if (oif == iface && redirect != 0) changetype<RedirectHook>(redirect)(iface, p, len, fwdNh);
  ipv6DecrementHopLimit(p);
  const r = ip6LinkSend(oif, fwdNh, p, len);
  if (r == 0) {
    countHot(C.IP6_FORWARDED);
    // Why (speed): the next packets of this flow go by flow6.ts while nothing changes (its header says
    // when a decision is kept: plain forwarding to a REACHABLE neighbour, no Hop-by-Hop header).
    if (oif != iface && ipv6NextHeader(p) != IPPROTO_HOPOPTS) flow6Learn(iface, p, oif, fwdNh, mtu, false);
  }
  return r;
}

/** Send the IPv6 packet at `p` on `oif` to the next hop at `next` (a group: its multicast MAC). */
export function ip6LinkSend(oif: i32, next: usize, p: usize, len: i32): i32 {
  if (ipv6IsMulticast(next)) {
    // Why: RFC 2464 §7: an IPv6 multicast address maps to 33:33 and its last four octets.
    macSetIpv6Multicast(groupMac, next);
    ethSendTo(oif, groupMac, ETHERTYPE_IPV6, p, len);
    return 0;
  }
  return neighborOutputAddr(oif, next, ETHERTYPE_IPV6, p, len);
}

let sendingOuter: bool = false;
let outerSa: usize = 0;
/** The tunnel's outer packet: sent like anything we originate, but never into a tunnel again. */
function tunnelSend(p: usize, len: i32, oifHint: i32): i32 {
  sendingOuter = true;
  const r = ip6Send(p, len, oifHint);
  sendingOuter = false;
  return r;
}

/**
 * The outer packets of the next tunnel entries go with AH under the SA at `sa` (0: the usual policy of
 * their destination): the Mobile IPv6 home agent's tunnel to a care-of address is protected with the
 * mobile node's SA, whose peer is its home address, not the care-of address the packet goes to (seed 003
 * §8.4; the mobile node's inbound policy then admits only its home agent's tunnel).
 */
export function ip6TunnelSa(sa: usize): void { outerSa = sa; }

/** Send the packet we originate at `p` with AH under the SA at `sa` whatever the policy of its destination
 *  says, as a tunnel's outer packet is (no Binding Cache look-up, no tunnel route): a Mobile IPv6 router's
 *  acknowledgement to a visitor's care-of address under its subnet's SA (seed 003 §9.6). */
export function ip6SendSealed(p: usize, len: i32, oif: i32, sa: usize): i32 {
  outerSa = sa;
  const r = tunnelSend(p, len, oif);
  outerSa = 0;
  return r;
}

/** Verify the AH at `ahOff` of the packet at `p` (`len` bytes) under the SA at `sa` (its replay window moves
 *  when it passes); counted as ahInput counts. For a handler that knows the SA (seed 003 §8.5: the home
 *  agent's advertisement comes from its link-local address, which names no SA). */
export function ip6AhVerify(sa: usize, p: usize, len: i32, ahOff: i32): bool {
  const r = ahVerify(sa, p, len, ahOff, ahScratch, AH_SCRATCH);
  if (r == AhVerify.OK) { count(C.AH_RX_OK); return true; }
  count(r == AhVerify.BAD_ICV ? C.DROP_AH_ICV : r == AhVerify.REPLAY ? C.DROP_AH_REPLAY : C.DROP_AH_MALFORMED);
  return false;
}

/** The SA that verified the packet being processed (0: none), for handlers that admit by key. */
export function ip6AuthSa(): usize { return authSa; }

// One more address taken as ours on input (seed 003 §9.12: a mobile node's previous care-of address,
// while its previous router forwards to it), or 0.
let alsoOurs: usize = 0;
/** Take the address at `a` (kept by the caller) as ours on input too; 0: none. */
export function ip6AlsoOurs(a: usize): void { alsoOurs = a; }

/**
 * Route and send the IPv6 packet of `len` bytes this node originates at `p` (in a packet buffer).
 * `oifHint`: the interface for link-scoped destinations (-1: the first one up). To one of our own
 * addresses it is processed as if received. Returns 0 sent or queued, 1 dropped (counted).
 */
export function ip6Send(p: usize, len: i32, oifHint: i32): i32 {
  let dst = ipv6Dst(p);
  // Why: seed 003 §10: away from home, a mobile node's multicast from its home address goes through the
  // tunnel to its home agent (mobility/mcast6.ts): the group's packet becomes one to the home agent.
  if (MIP6 && grpHook != 0 && !sendingOuter && ipv6IsMulticast(dst)) {
    const q = changetype<GroupHook>(grpHook)(-1, p, len);
    if (q != p) { if (q == 0) return 1; p = q; len = ipv6TotalLen(q); dst = ipv6Dst(q); }
  }
  const group = ipv6IsMulticast(dst);
  let oif: i32;
  let t = -1;
  if (group) {
    oif = oifHint >= 0 ? oifHint : r6FirstUp();
    addrCopy(sendNh, dst);
  } else {
    // Why: seed 003 §7.9: "Before sending any packet, the sending node SHOULD examine its Binding Cache"
    // (mobility/mip6.ts): a bound destination gets a Routing header via its care-of address.
    if (MIP6 && sendHook != 0 && !sendingOuter) {
      const q = changetype<SendHook>(sendHook)(p, len);
      if (q == 0) return 1;
      if (q != p) { p = q; len = ipv6TotalLen(q); dst = ipv6Dst(q); }
    }
    if (addr6Ours(dst, -1) >= 0) return ip6Local(-1, p, len, true);
    // What the node originates for a tunnelled destination goes into the tunnel (not the tunnel's own
    // outer packets: tunnelSend), after the AH its destination's policy asks for (below).
    if (!sendingOuter) t = tun6Route(dst);
    oif = t < 0 ? r6NextHop(dst, oifHint, sendNh) : t;
  }
  if (oif < 0) { count(C.DROP_NO_ROUTE); return 1; }
  // Why: RFC 2401 §4.4 outbound policy: traffic to an AH peer is protected (Neighbor Discovery exempt).
  if (ipsecCount() > 0 && !group) {
    const sa = MIP6 && sendingOuter && outerSa != 0 ? outerSa : ipsecOut(MIP6 ? finalDst(p, len) : dst);
    if (sa != 0 && !ndIsNd(p, ipv6NextHeader(p), IPV6_HEADER_LEN, len)) {
      const q = ahOutput(sa, p, len);
      if (q == 0) { count(C.DROP_AH_OUTPUT); return 1; }
      p = q;
      len += AH_HEADER_LEN;
    }
  }
  if (t >= 0) return tun6Output(t, p, len, -1);
  const mtu = r6PathMtu(dst, oif);
  if (len <= mtu) return ip6LinkSend(oif, sendNh, p, len);
  return ip6SendFragments(oif, sendNh, p, len, mtu);
}

/**
 * Send the packet at `p` (`len` bytes, larger than `mtu`) as fragments (RFC 2460 §4.5): the
 * unfragmentable part (the IPv6 header and a Hop-by-Hop / Routing header chain right after it) is
 * moved 8 bytes to the front, a Fragment header goes between, and each fragment's headers are written
 * in front of its data slice over the end of the previous fragment, which has left by then (as
 * stack/ip.ts ipSendFragments does for IPv4: no copy of the data). Returns 0 sent, 1 dropped.
 */
function ip6SendFragments(oif: i32, next: usize, p: usize, len: i32, mtu: i32): i32 {
  // The unfragmentable part: the header, then Hop-by-Hop, Destination Options and Routing headers up
  // to and including the last Routing header (RFC 2460 §4.5); here: leading HBH and Routing headers.
  const u = leadingHeaders(p, len);
  const nhAt = leadNhAt;
  const nxt = load<u8>(p + nhAt);
  const piece = (mtu - u - FRAG_HEADER_LEN) & ~7;
  // The template of the unfragmentable part (at p - 8) must survive until the last fragment: every
  // later fragment's headers (and Ethernet header) are written beyond it.
  if (nxt == IPPROTO_FRAGMENT || piece < u + FRAG_HEADER_LEN + 14 || pktRoom(p) < FRAG_HEADER_LEN + 14) { count(C.DROP_MTU); return 1; }
  // Move the unfragmentable part to the front and put the Fragment header after it.
  const h = p - <usize>FRAG_HEADER_LEN;
  memory.copy(h, p, <usize>u);
  store<u8>(h + <usize>nhAt, IPPROTO_FRAGMENT);
  const ident = ++fragIdent;
  const data = len - u;
  count(C.IP6_FRAGMENTED);
  let r = 0;
  let off = 0;
  while (off < data) {
    const n = min(piece, data - off);
    const more = off + n < data;
    // The headers of this fragment end right where its data begins.
    const f = p + <usize>(u + off) - <usize>(u + FRAG_HEADER_LEN);
    if (off > 0) memory.copy(f, h, <usize>u);
    fragEmit(f + <usize>u, FRAG_HEADER_LEN, nxt, off, more, ident);
    ipv6SetPayloadLen(f, <u16>(u - IPV6_HEADER_LEN + FRAG_HEADER_LEN + n));
    if (ip6LinkSend(oif, next, f, u + FRAG_HEADER_LEN + n) != 0) r = 1;
    count(C.IP6_FRAGMENTS_TX);
    off += n;
  }
  return r;
}

/**
 * Send the IPv6 packet of `len` bytes at `p` from the local stack (in the out buffer): checked like a
 * received header; its source must be one of our usable addresses (or, for Neighbor Discovery only,
 * the core's own business, never the local stack's). Returns 0 sent or queued, 1 dropped.
 */
export function ip6Output(p: usize, len: i32): i32 {
  // Why: the local stack is trusted no more than the network (docs/abi.md "output"): it may only send
  // from an address this node holds and may use (RFC 2462 §5.4: not a tentative one).
  if (!cfg.ipv6Enabled() || ipv6Check(p, len) != Ipv6Err.OK || addr6Ours(ipv6Src(p), -1) < 0) { count(C.DROP_OUTPUT_MALFORMED); return 1; }
  len = ipv6TotalLen(p);
  if (ipv6HopLimit(p) == 0) store<u8>(p, hopLimit6, 7);
  return ip6Send(p, len, -1);
}

export { IPV6_MIN_MTU };
