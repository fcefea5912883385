// IPv4 input, local delivery, forwarding, ICMP echo/errors and local output (RFC 791, RFC 1122 §3,
// RFC 1812 §4-5, RFC 792, RFC 1191, RFC 1624).
//
//  ipInput(iface, p, len, linkGroup)
//    ipv4Check ─bad─> DROP_TOO_SHORT / DROP_IP_VERSION / _HEADER_LEN / _TOTAL_LEN / _CHECKSUM
//    bad source ────> DROP_IP_BAD_SRC
//    IHL > 5 and an option malformed (wire/ipv4.ts ipv4OptionsCheck) ──> DROP_IP_OPTIONS + parameter problem
//    dst ours | broadcast | multicast ──> ipLocal: fragment -> reasm.ts (held, or the whole datagram
//                                         comes back through ipLocal; DROP_IP_FRAGMENT without a pool);
//                                         ICMP echo request (unicast) -> echo reply from the core;
//                                         anything else -> host.deliver (local stack) or DROP_PROTO
//    unicast, not ours, arrived as link-layer broadcast/multicast ──> DROP_NOT_FOR_US
//    not a router ──> DROP_NOT_ROUTER
//    ipForward: TTL <= 1 -> time exceeded; no route -> net unreachable; > MTU -> DF: DROP_MTU + frag
//               needed, else TTL-1 and ipSendFragments; else TTL-1 (incremental checksum) and out in
//               place from the rx buffer.
//
//  Fragmentation (ipSendFragments, RFC 791 §3.2, RFC 1812 §5.2.6): only in the branches that already
//  handled "too big" (forwarding, ipSend, the tunnel entry in tunnel.ts), never for DF. The fragments
//  are sent one after another from where the datagram lies: fragment 0 is the datagram's own header
//  with a shorter Total Length; fragment k's header (the first 20 bytes + the options with the copied
//  flag, kept in a static template) and its Ethernet header are written in front of its data slice,
//  over the end of fragment k-1, which has been sent (or copied into the ARP queue) by then. No copy of
//  the data, no buffer beyond the 60-byte template.
//
//  ICMP errors are built in the headroom in front of the offending packet (which stays where it is,
//  quoted in place): IP header at p-28, ICMP header at p-8, Ethernet at p-42. The datagram lies in a
//  packet buffer (the rx ring, the out buffer, a reassembly slot: stack/packet.ts), which says how
//  much may be written in front of it (at least 144 bytes, config.ts HEADROOM). Forwarded fragments are forwarded as they are (a router does not reassemble, RFC 1812
//  §5.2.2); fragments for this node are reassembled (RFC 1122 §3.3.2, reasm.ts).

import { deliver, random } from "../host";
import { C, count, countHot } from "../counters";
import { nowMs } from "../clock";
import * as cfg from "../config";
import { IPV6 } from "../features";
import {
  netifCount, netifValid, netifUp, netifIp, netifMtu, netifMtuHot, netifByAddr, netifIsBroadcast, netifAddrClass,
  ADDR_OURS, ADDR_BROADCAST,
} from "../link/netif";
import { pktRoom } from "./packet";
import { identSeed, ipNextIdent, flowReset, flowLearning, flowLearnForward, flowWanted } from "./flow";
import { neighborMac } from "../link/neighbor";
import { route, routeIface, routeNextHop, NO_ROUTE, routeDecide, routeIsVirtual, routeSourcesReset, vifOutput } from "./route";
import { linkSendIp } from "./arp";
import { reasmEnabled, reasmInput, reasmRelease, reasmExpire, reasmDone, reasmDoneSlot, reasmIsV6, reasmExpired6 } from "./reasm";
import {
  Ipv4Err, ipv4Check, ipv4HeaderLen, ipv4TotalLen, ipv4Src, ipv4Dst, ipv4Ttl, ipv4Proto, ipv4Tos,
  ipv4SrcInline, ipv4DstInline, ipv4IsFragment, ipv4FragOffset, ipv4DontFrag, ipv4DecrementTtl, ipv4DecrementTtlHot, ipv4Emit,
  ipv4FillChecksum, ipv4FlagsFrag, ipv4OptionsCheck, ipv4CopiedOptions, ipv4EmitFragment, ipIsMulticast,
  ipIsLoopback, ipIsUnicastSource, IP_BROADCAST, IPPROTO_ICMP, IPV4_MIN_HEADER, IPV4_MAX_HEADER,
  IP_CHECKSUM, IP_VER_IHL, IP_FLAG_MF, IP_FRAG_OFFSET_MASK,
} from "../wire/ipv4";
import {
  IcmpErr, icmpCheck, icmpCode, icmpType, icmpIsError, icmpEchoToReply, icmpEmitError,
  ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, ICMP_DEST_UNREACH, ICMP_PARAM_PROBLEM, UNREACH_NET,
  UNREACH_FRAG_NEEDED, TIME_EXCEEDED_TTL, TIME_EXCEEDED_REASM, PARAM_POINTER, ICMP_HEADER_LEN,
} from "../wire/icmp";
import { timerOwn, OWNER_REASM } from "../sys/timers";
import { handlersReset, handlersAdd, handlersCount, handlerKey, handlerFn } from "../table/handlers";
import { ethRegister } from "../link/ethernet";
import { ETHERTYPE_IPV4 } from "../wire/ethernet";
import { csumAdd, csumFinish, pseudoSum } from "../wire/checksum";


/** Header of the fragments after the first (ipSendFragments): 20 bytes + the copied options. */
const fragTmpl: usize = memory.data(IPV4_MAX_HEADER, 4);
let tokensMilli: i64 = 0;   // ICMP error token bucket, in thousandths of a token
let lastRefillMs: i64 = 0;

// Registration tables, filled at init by the layers above (Why: one-way layering — the network layer
// calls up only through these, docs/decisions.md "Core v2"). A handler returns -1 for "not mine"
// (the datagram goes on as plain IPv4: the next handler, else the local stack), 0 used, 1 dropped.

/** Input of an IP protocol for a datagram to this node (header at `p`, `len` bytes, received on
 *  `iface` ≥ 0); `unicast`: to one of our addresses (not broadcast/multicast). */
export type ProtoHandler = (iface: i32, p: usize, len: i32, unicast: bool) => i32;
/** An ICMP message of the registered type for this node, checksum checked (`iface` -1: looped from
 *  the local stack). */
export type IcmpHandler = (iface: i32, p: usize, len: i32) => i32;

export const protos: usize = memory.data(256 * 4, 4);        // handler by protocol number
const MAX_ICMP: i32 = 16;
export const icmpHandlers: usize = memory.data(8 + 8 * MAX_ICMP, 4);  // key: ICMP type

/** Datagrams of IP protocol `proto` for this node go to `fn` first (at init). */
export function ipRegisterProto(proto: u8, fn: ProtoHandler): void {
  store<usize>(protos + (<usize>proto << 2), changetype<usize>(fn));
}

/** ICMP messages of `type` for this node go to `fn` (handlers of one type in registration order). */
export function ipRegisterIcmp(type: u8, fn: IcmpHandler): void { handlersAdd(icmpHandlers, type, changetype<usize>(fn)); }


function reasmTimer(kind: u16, tag: u32, now: i64): void { ipReasmTimer(tag); }

/** Reset IP state: random initial Identification, full ICMP error bucket, no handlers but its own
 *  (IPv4 input on Ethernet, the reassembly timers). */
export function ipInit(): void {
  memory.fill(protos, 0, 256 * 4);
  handlersReset(icmpHandlers, MAX_ICMP);
  routeSourcesReset();
  flowReset();
  // Why: node.ipv6 "only": the node takes no IPv4 from the link at all (docs/decisions.md "IPv6").
  if (!(IPV6 && cfg.ipv6 == cfg.IPV6_ONLY)) ethRegister(ETHERTYPE_IPV4, ipInput);
  timerOwn(OWNER_REASM, reasmTimer);
  const b = memory.data(2);
  random(b, 2);
  identSeed(load<u16>(b));
  tokensMilli = <i64>cfg.icmpErrorsPerSec() * 1000;
  lastRefillMs = nowMs();
}

export { ipNextIdent } from "./flow";

/** True when `a` is one of this node's interface addresses. */
// Why (size and speed): the interface address cache answers in one probe (netif.ts netifAddrClass);
// inline at its 31 callers the interface scan was ~3 KB of copies.
export function ipIsOurs(a: u32): bool { return (netifAddrClass(a) & ADDR_OURS) != 0; }

function anyBroadcast(a: u32): bool {
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifIsBroadcast(i, a)) return true;
  return false;
}

/** Hand a packet to the local stack; DROP_PROTO when this node has none. Returns 0 used, 1 dropped. */
export function ipDeliver(p: usize, len: i32): i32 {
  // Why: config "roles" bit 1: only a node with a local stack has anybody to deliver to.
  if ((cfg.roles & cfg.ROLE_LOCAL_STACK) == 0) { count(C.DROP_PROTO); return 1; }
  countHot(C.DELIVERED);
  deliver(p, len);
  return 0;
}

/**
 * Route and send a datagram this node originates (echo reply, ICMP error, registration reply), in a
 * packet buffer (stack/packet.ts). To one of our own addresses it is delivered to the local stack.
 * Returns 0 sent or queued, 1 dropped.
 */
export function ipSend(p: usize, len: i32): i32 {
  const dst = ipv4Dst(p);
  if (ipIsOurs(dst)) return ipDeliver(p, len);
  // The one route decision: a mobile node away from home sends what the core originates (echo
  // replies, ICMP errors) the same way as its local stack's datagrams (RFC 2002 §4.2.2); a home agent
  // tunnels the datagrams it originates for a mobile node away from home (§4.2.3): both are virtual
  // interfaces that their roles' route sources answer (mobility/roles.ts).
  let r = routeDecide(-1, ipv4Src(p), dst);
  if (routeIsVirtual(r)) {
    const v = vifOutput(r, -1, p, len);
    if (v >= 0) return v;
    r = route(dst);
  }
  if (r == NO_ROUTE) { count(C.DROP_NO_ROUTE); return 1; }
  return ipSendOn(routeIface(r), routeNextHop(r), p, len);
}

/**
 * Send the datagram this node originates at `p` (`len` bytes, 14 writable bytes in front) on `oif`
 * towards `nh`, in fragments when it does not fit. Returns 0 sent or queued, 1 dropped (counted).
 */
function ipSendOn(oif: i32, nh: u32, p: usize, len: i32): i32 {
  const mtu = netifMtuHot(oif);
  if (len <= mtu) return linkSendIp(oif, nh, p, len);
  // Why: RFC 1122 §3.3.3 / RFC 791 §3.2: a datagram without DF that does not fit is fragmented
  // (a reassembled echo request's reply, the local stack's large datagrams); DF forbids it.
  if (ipv4DontFrag(p)) { count(C.DROP_MTU); return 1; }
  return ipSendFragments(oif, nh, p, len, mtu);
}

/**
 * Send the checked datagram of `len` bytes at `p` (14 writable bytes in front, DF clear) on `oif`
 * towards `nh` as fragments of at most `mtu` bytes (RFC 791 §3.2; file comment). Its bytes are
 * overwritten. Returns 0 when every fragment was sent or queued, 1 when any was dropped (counted).
 */
export function ipSendFragments(oif: i32, nh: u32, p: usize, len: i32, mtu: i32): i32 {
  const hl = ipv4HeaderLen(p);
  const ff = ipv4FlagsFrag(p);
  // Why: RFC 791 §3.2: a fragment may be fragmented again: its offset is the base of the pieces and
  // the last piece keeps its More Fragments flag.
  const base = ff & IP_FRAG_OFFSET_MASK;
  const lastFlags = ff & IP_FLAG_MF;
  // Why: RFC 791 §3.2: fragment 0 keeps every option; the others only those with the copied flag.
  memory.copy(fragTmpl, p, IPV4_MIN_HEADER);
  const hl2 = IPV4_MIN_HEADER + (hl > IPV4_MIN_HEADER ? ipv4CopiedOptions(p, fragTmpl + <usize>IPV4_MIN_HEADER) : 0);
  store<u8>(fragTmpl, <u8>(0x40 | (hl2 >> 2)), IP_VER_IHL);
  // Why: RFC 791 §3.2: the data of every fragment but the last is a multiple of 8 bytes.
  const first = (mtu - hl) & ~7;
  const next = (mtu - hl2) & ~7;
  const data = len - hl;
  if (first < 8 || next < 8) { count(C.DROP_MTU); return 1; }
  count(C.IP_FRAGMENTED);
  let r = 0;
  // Fragment 0 (off 0) is the datagram's own header; the others have the template's (file comment).
  // There is more than one: the datagram does not fit, so `first` < data.
  for (let off = 0; off < data; ) {
    const h0 = off == 0 ? hl : hl2;
    const n = min(off == 0 ? first : next, data - off);
    const more = off + n < data;
    const h = p + <usize>(hl + off - h0);
    ipv4EmitFragment(h, off == 0 ? p : fragTmpl, h0, h0 + n, (more ? IP_FLAG_MF : lastFlags) | <u16>(<i32>base + (off >> 3)));
    if (linkSendIp(oif, nh, h, h0 + n) != 0) r = 1;
    count(C.IP_FRAGMENTS_TX);
    off += n;
  }
  return r;
}

/** The reassembly timer of slot `tag` ran out (TK_REASM, sys/timers.ts timersRun). */
export function ipReasmTimer(tag: u32): void {
  const i = <i32>tag;
  const r = reasmExpire(i);
  if (r < 0) return;
  if (r > 0) {
    const h = reasmDone;
    // Why: RFC 1122 §3.3.2 / RFC 792: time exceeded, code 1, and only when fragment 0 (with the
    // header and first 8 data bytes the sender matches on) was received. IPv6: RFC 2460 §4.5, sent by
    // the IPv6 layer.
    if (IPV6 && reasmIsV6(i)) reasmExpired6(h);
    else ipSendIcmpError(h, ipv4HeaderLen(h) + 8, ICMP_TIME_EXCEEDED, TIME_EXCEEDED_REASM, 0);
  }
  reasmRelease(i);
}

/** Take one token from the ICMP error bucket (`icmpErrorsPerSec`, burst of one second's worth); the
 *  one bucket of both families (stack/ip6.ts uses it for ICMPv6). */
export function icmpErrorToken(): bool {
  const rate = <i64>cfg.icmpErrorsPerSec();
  if (rate == 0) return false;
  const now = nowMs();
  const dt = now - lastRefillMs;
  if (dt > 0) {
    const cap = rate * 1000;
    // dt is capped first so the product cannot overflow after a long idle time.
    tokensMilli += (dt > 1000 ? 1000 : dt) * rate;
    if (tokensMilli > cap) tokensMilli = cap;
    lastRefillMs = now;
  } else if (dt < 0) {
    lastRefillMs = now;
  }
  if (tokensMilli < 1000) return false;
  tokensMilli -= 1000;
  return true;
}

/**
 * Send ICMP error `type`/`code` (`rest`: the 32-bit word after the checksum, e.g. the Next-Hop MTU
 * for frag needed) about the checked datagram whose header is at `p` (`avail` bytes of it present, in
 * a packet buffer: the error is built in front of it, quoting it in place). The one ICMP error sender
 * of the core (forwarding and tunnels), so one token bucket limits them all. True if sent.
 */
export function ipSendIcmpError(p: usize, avail: i32, type: u8, code: u8, rest: u32): bool {
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  // Why: RFC 1122 §3.2.2 / RFC 1812 §4.3.2.7: never about a non-first fragment, a datagram to a
  // broadcast or multicast address, a datagram whose source is not a unicast host, or an ICMP error;
  // and never to ourselves (a datagram we built, e.g. a broadcast wrapped for a mobile node).
  if (ipv4FragOffset(p) != 0) return false;
  if (dst == IP_BROADCAST || ipIsMulticast(dst) || anyBroadcast(dst)) return false;
  if (!ipIsUnicastSource(src) || anyBroadcast(src) || ipIsOurs(src)) return false;
  const hl = ipv4HeaderLen(p);
  if (ipv4Proto(p) == IPPROTO_ICMP && (avail < hl + 1 || icmpIsError(load<u8>(p + <usize>hl)))) return false;
  // The error goes in front of the datagram with its IP header and the Ethernet header (stack/packet.ts).
  if (pktRoom(p) < ICMP_HEADER_LEN + IPV4_MIN_HEADER + 14) return false;
  const r = route(src);
  if (r == NO_ROUTE) return false;
  const oif = routeIface(r);
  // Why: RFC 1812 §4.3.2.8: ICMP errors are rate limited; suppressed ones are counted.
  if (!icmpErrorToken()) { count(C.DROP_RATE_LIMITED); return false; }
  const q = p - <usize>ICMP_HEADER_LEN;
  const n = icmpEmitError(q, type, code, rest, p, avail);
  const h = q - <usize>IPV4_MIN_HEADER;
  // Why: RFC 1812 §4.3.2.4: the source is an address of the interface the error leaves by (any of
  // ours if that one has none yet; with no address at all there is nothing honest to send from).
  let from = netifIp(oif);
  for (let i = 0; from == 0 && i < netifCount(); i++) if (netifValid(i)) from = netifIp(i);
  if (from == 0) return false;
  // Why: RFC 2002 §4.2.3: an error to a mobile node away from home goes through the home agent's
  // tunnel like everything else we originate (ipSend).
  icmpSend(h, 0, IPV4_MIN_HEADER + n, from, src, C.ICMP_TX_ERROR);
  return true;
}

/** Give the ICMP message after `h` (`n` bytes with the header) a 20-byte IPv4 header from `from` to
 *  `to`, count it as `c` and send it the way of everything this node originates (ipSend). */
function icmpSend(h: usize, tos: i32, n: i32, from: u32, to: u32, c: C): i32 {
  ipv4Emit(h, tos, n, ipNextIdent(), 0, cfg.defaultTtl, IPPROTO_ICMP, from, to); // n: a datagram length; defaultTtl 1-255
  count(c);
  return ipSend(h, n);
}

/**
 * Answer the checked echo request datagram at `p` in place (options dropped, RFC 1122 §3.2.2.6 allows).
 */
function echoReply(p: usize, len: i32): i32 {
  const hl = ipv4HeaderLen(p);
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  const tos = ipv4Tos(p);
  icmpEchoToReply(p + <usize>hl);
  const h = p + <usize>(hl - IPV4_MIN_HEADER);
  return icmpSend(h, tos, IPV4_MIN_HEADER + len - hl, dst, src, C.ICMP_TX_ECHO_REPLY);
}

/**
 * The first checks of an ICMP (`v6`: ICMPv6) message for this node, `ml` bytes at `m` in the datagram at
 * `p`: counted as received; the 8-byte header present and the checksum right (ICMPv6's over the
 * pseudo-header of RFC 2460 §8.1); an echo request's code 0. True when it was dropped (counted).
 * Why (size): one gate for both families (stack/ip6.ts icmp6Local).
 */
export function icmpGate(v6: bool, p: usize, m: usize, ml: i32): bool {
  count(v6 ? C.ICMP6_RX : C.ICMP_RX);
  // Why: RFC 1122 §3.2.2 / RFC 2463 §2.3, §2.4: a message with a bad checksum is silently discarded; the
  // sum covers the whole message (extensions included). RFC 2463 §2.1: every message handled here has
  // Type, Code, Checksum and at least one 32-bit word of body.
  let c = v6 ? C.DROP_ICMP6_MALFORMED : C.DROP_ICMP_MALFORMED;
  if (ml >= ICMP_HEADER_LEN) {
    c = v6 ? C.DROP_ICMP6_CHECKSUM : C.DROP_ICMP_CHECKSUM;
    if (csumFinish(csumAdd(v6 ? pseudoSum(p + 8, p + 24, 58, <u32>ml) : 0, m, ml)) == 0) {
      // Why: RFC 792, RFC 2463 §4.1: echo defines code 0 only.
      if (load<u8>(m) != (v6 ? 128 : ICMP_ECHO_REQUEST) || load<u8>(m, 1) == 0) return false;
      c = v6 ? C.DROP_ICMP6_MALFORMED : C.DROP_ICMP_MALFORMED;
    }
  }
  count(c);
  return true;
}

/**
 * Offer the checked ICMP message for this node (IP header at `p`) to the handlers registered for its
 * type, in order; -1 when none took it (it then goes to the local stack).
 */
export function ipIcmpHandle(iface: i32, p: usize, len: i32): i32 {
  const t = <u32>icmpType(p + <usize>ipv4HeaderLen(p));
  for (let i = 0, n = handlersCount(icmpHandlers); i < n; i++) {
    if (handlerKey(icmpHandlers, i) != t) continue;
    const r = changetype<IcmpHandler>(handlerFn(icmpHandlers, i))(iface, p, len);
    if (r >= 0) return r;
  }
  return -1;
}

/** ICMP addressed to this node. `unicast`: to one of our addresses (not broadcast/multicast). */
function icmpLocal(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  const hl = ipv4HeaderLen(p);
  if (icmpGate(false, p, p + <usize>hl, len - hl)) return 1;
  // Why: RFC 1122 §3.2.2.6: every host answers echo; requests to a broadcast or multicast address
  // may be ignored, so those go to the local stack (if any) rather than being answered here.
  if (icmpType(p + <usize>hl) == ICMP_ECHO_REQUEST && unicast) return echoReply(p, len);
  // Router discovery is Mobile IP agent discovery (RFC 2002 §2): agents and mobile nodes consume it;
  // ICMP errors about tunnelled datagrams feed the home agent's soft tunnel state (RFC 2003 §5).
  const r = ipIcmpHandle(iface, p, len);
  if (r >= 0) return r;
  return ipDeliver(p, len);
}

/** A checked datagram for this node, received on `iface` (-1: from the local stack). */
function ipLocal(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  if (ipv4IsFragment(p)) {
    // Why: RFC 1122 §3.3.2: a host reassembles; board.reassemblySlots 0 means no pool (counted drop).
    if (!reasmEnabled()) { count(C.DROP_IP_FRAGMENT); return 1; }
    const r = reasmInput(iface, p, len, unicast);
    if (r != 2) return r;
    // The whole datagram, in its slot with the rx buffer's headroom, goes the way of a received one.
    const slot = reasmDoneSlot;
    const h = reasmDone;
    const res = ipLocal(iface, h, <i32>ipv4TotalLen(h), unicast);
    reasmRelease(slot);
    return res;
  }
  const proto = ipv4Proto(p);
  if (proto == IPPROTO_ICMP) return icmpLocal(iface, p, len, unicast);
  if (iface >= 0) {
    // The protocol's handler: UDP (registrations, DHCP) and tunnels ending here (RFC 2002 §3, §4).
    const fn = load<usize>(protos + (<usize>proto << 2));
    if (fn != 0) {
      const r = changetype<ProtoHandler>(fn)(iface, p, len, unicast);
      if (r >= 0) return r;
    }
  }
  return ipDeliver(p, len);
}

function ipForward(iface: i32, p: usize, len: i32): i32 {
  const dst = ipv4DstInline(p);
  // Why: RFC 1812 §5.3.7: never forward to 0/8, 127/8 or class E; no ICMP for these martians.
  if ((dst >>> 24) == 0 || ipIsLoopback(dst) || (dst >>> 28) == 0xf) { count(C.DROP_NO_ROUTE); return 1; }
  // Why: RFC 1812 §5.3.1: a datagram whose TTL would reach 0 is discarded with time exceeded.
  if (ipv4Ttl(p) <= 1) {
    count(C.DROP_IP_TTL);
    ipSendIcmpError(p, len, ICMP_TIME_EXCEEDED, TIME_EXCEEDED_TTL, 0);
    return 1;
  }
  // The one route decision: the home agent's tunnel to a mobile node away from home, the foreign
  // agent's link to a visitor or its reverse tunnel (RFC 2002 §4.2, RFC 3024) are virtual interfaces
  // that the roles' route sources answer before the table (mobility/roles.ts).
  let rt = routeDecide(iface, ipv4SrcInline(p), dst);
  let direct = true;
  if (routeIsVirtual(rt)) {
    const r = vifOutput(rt, iface, p, len);
    if (r >= 0) return r;
    rt = route(dst);
    direct = false; // a virtual interface declined for now: not a decision to keep (flow.ts)
  }
  if (rt == NO_ROUTE) {
    count(C.DROP_NO_ROUTE);
    ipSendIcmpError(p, len, ICMP_DEST_UNREACH, UNREACH_NET, 0);
    return 1;
  }
  const oif = routeIface(rt);
  const nh = routeNextHop(rt);
  const mtu = netifMtuHot(oif);
  if (len > mtu) {
    // Why: RFC 1191 §4, RFC 1812 §5.2.6: DF set -> fragmentation needed carrying the next-hop MTU.
    if (ipv4DontFrag(p)) {
      count(C.DROP_MTU);
      ipSendIcmpError(p, len, ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, <u32>mtu & 0xffff);
      return 1;
    }
    // Why: RFC 791 §3.2, RFC 1812 §5.2.6: without DF the router fragments (TTL first, then every
    // fragment carries it); only this already slow branch pays for it (and for the call: size).
    ipv4DecrementTtl(p);
    const fr = ipSendFragments(oif, nh, p, len, mtu);
    if (fr == 0) count(C.FORWARDED);
    return fr;
  }
  ipv4DecrementTtlHot(p);
  const r = linkSendIp(oif, nh, p, len);
  if (r == 0) {
    countHot(C.FORWARDED);
    // Why (speed, issue 8.8): the next datagrams of this flow go by flow.ts while nothing changes.
    if (direct && flowLearning(p) && flowWanted(load<u32>(p, 12), load<u32>(p, 16))) {
      const mac = neighborMac(oif, nh);
      if (mac != 0) flowLearnForward(p, oif, mac, mtu);
    }
  }
  return r;
}

/**
 * Process the IPv4 datagram of `len` bytes at `p` received on `iface` (Ethernet header at p-14,
 * with the rx buffer's headroom in front). `linkGroup`: the frame went to a group MAC address.
 */
export function ipInput(iface: i32, p: usize, len: i32, linkGroup: bool): i32 {
  const err = ipv4Check(p, len);
  if (err != Ipv4Err.OK) {
    // Why (size): BAD_VERSION..BAD_CHECKSUM count DROP_IP_VERSION..DROP_IP_CHECKSUM, in the same order.
    count(err == Ipv4Err.TRUNCATED ? C.DROP_TOO_SHORT : <C>(<i32>C.DROP_IP_VERSION - Ipv4Err.BAD_VERSION + err));
    return 1;
  }
  // Ethernet may pad short frames: the datagram ends at Total Length.
  len = <i32>ipv4TotalLen(p);
  // Why: RFC 1122 §3.2.1.8 / RFC 791 §3.1: malformed options are not interpreted; the datagram is
  // discarded and the sender told where (parameter problem, RFC 792; RFC 1122 §3.2.2.5 SHOULD, RFC
  // 1812 §4.3.3.5; rate limited and only to a unicast source by ipSendIcmpError). Why (speed): one
  // byte compare when IHL is 5.
  if (load<u8>(p, IP_VER_IHL) != 0x45) {
    const bad = ipv4OptionsCheck(p);
    if (bad >= 0) {
      count(C.DROP_IP_OPTIONS);
      ipSendIcmpError(p, len, ICMP_PARAM_PROBLEM, PARAM_POINTER, <u32>bad << 24);
      return 1;
    }
  }
  const src = ipv4SrcInline(p);
  const dst = ipv4DstInline(p);
  // Why (speed): what ipIsOurs(dst), anyBroadcast(dst) and anyBroadcast(src) would find by scanning
  // the interfaces, from netif.ts's cache of address classes (valid while no interface changed).
  const dc = netifAddrClass(dst);
  const ours = (dc & ADDR_OURS) != 0;
  const dstB = (dc & ADDR_BROADCAST) != 0;
  const srcB = (netifAddrClass(src) & ADDR_BROADCAST) != 0;
  // Directed broadcasts of any of our subnets are for us and never forwarded (RFC 2644).
  const bcast = dst == IP_BROADCAST || dstB;
  const mcast = ipIsMulticast(dst);
  // Why: RFC 1122 §3.2.1.3 / RFC 1812 §5.3.7: a source that is broadcast, multicast, loopback or
  // class E is discarded; 0.0.0.0 only while a node has no address yet, i.e. to a broadcast.
  if (src == 0) {
    if (!bcast) { count(C.DROP_IP_BAD_SRC); return 1; }
  } else if (!ipIsUnicastSource(src) || srcB) {
    count(C.DROP_IP_BAD_SRC);
    return 1;
  }
  if (ours || bcast || mcast) return ipLocal(iface, p, len, ours);
  // Why: RFC 1122 §3.3.6, RFC 1812 §5.3.4: a unicast datagram that arrived in a link-layer broadcast
  // or multicast is neither accepted nor forwarded.
  if (linkGroup) { count(C.DROP_NOT_FOR_US); return 1; }
  // Why: config "roles" bit 0: only a router forwards between interfaces (RFC 1122 §3.3.1.7).
  if ((cfg.roles & cfg.ROLE_ROUTER) == 0) { count(C.DROP_NOT_ROUTER); return 1; }
  return ipForward(iface, p, len);
}

/** First configured interface that is up, or -1 (limited broadcasts leave by it). */
function firstUpIface(): i32 {
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) return i;
  return -1;
}

/**
 * Send the datagram of `len` bytes at `p` from the local stack (in the out buffer).
 * Validated like a received header; a zero checksum is filled in; unicast goes on by ipSend.
 * Returns 0 sent or queued, 1 dropped.
 */
export function ipOutput(p: usize, len: i32): i32 {
  // Why: the local stack is trusted no more than the network (docs/abi.md "output"): the checks of a
  // received header (ipv4Check), except that a zero checksum is filled in rather than refused.
  const e = ipv4Check(p, len);
  if (e == Ipv4Err.BAD_CHECKSUM && load<u16>(p, IP_CHECKSUM) == 0) ipv4FillChecksum(p);
  else if (e != Ipv4Err.OK) { count(C.DROP_OUTPUT_MALFORMED); return 1; }
  // Why: RFC 1122 §3.2.1.8: malformed options would be interpreted by every router on the way (and
  // copied into fragments by ipSendFragments); refused as from the network (ipInput).
  if (load<u8>(p, IP_VER_IHL) != 0x45 && ipv4OptionsCheck(p) >= 0) { count(C.DROP_OUTPUT_MALFORMED); return 1; }
  len = <i32>ipv4TotalLen(p);
  const dst = ipv4Dst(p);
  // To ourselves: processed as if received, so echo is answered by the core as for anyone else.
  if (ipIsOurs(dst)) return ipLocal(-1, p, len, true);
  if (ipIsLoopback(dst)) return ipDeliver(p, len);
  // Unicast: like what the core originates, incl. the mobile node's own way out (RFC 2002
  // §4.2.1-4.2.2) and the home agent's tunnel to a mobile node away from home (§4.2.3).
  if (dst != IP_BROADCAST && !ipIsMulticast(dst)) return ipSend(p, len);
  // Broadcast and multicast stay plain IP on a link (mn.ts mnOutput; no binding is a group address).
  const r = dst != IP_BROADCAST ? route(dst) : NO_ROUTE;
  const oif = r != NO_ROUTE ? routeIface(r) : firstUpIface();
  if (oif < 0) { count(C.DROP_NO_ROUTE); return 1; }
  return ipSendOn(oif, dst, p, len);
}
