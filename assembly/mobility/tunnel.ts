// Tunnels (RFC 2003 IP in IP, RFC 2004 minimal encapsulation, RFC 1701/1702 GRE; RFC 2002 §4.1):
// encapsulation for the home agent, decapsulation at the tunnel exit (foreign agent or mobile node
// with a co-located care-of address), soft tunnel state and the ICMP errors it produces (RFC 2003 §5).
//
//   home agent (ha.ts)                                 tunnel exit (this file, tunnelInput)
//   tunnelCheck(p, len, method, src, coa)              proto 4 / 55 / 47 to one of our addresses
//     route to the care-of address, MTU from the       ipipCheck | minEncDecap | greCheck + inner check
//     interface and soft state; too big with DF ->     ─bad─> DROP_TUNNEL_MALFORMED
//     DROP_TUNNEL_MTU + frag needed to the sender;      FA role -> faDeliverToVisitor(inner)
//     tunnel known unreachable -> ICMP to the sender,   MN role -> mnDeliverDecapsulated(iface, inner)
//     the datagram still goes (RFC 2003 §5)             HA role -> haReverseTunnel (RFC 3024 reverse
//   tunnelSend(...) = tunnelEncap + linkSendIp, or     tunnel from a binding's care-of address)
//     ip.ts ipSendFragments when the encapsulated      otherwise -> DROP_TUNNEL_NO_EXIT
//     datagram is larger than the tunnel MTU (RFC 2003 §5.1; only without DF)
//
//   ICMP errors to us quoting one of our tunnel headers (tunnelIcmpInput, RFC 2003 §4-5):
//     taken only when the quote shows a datagram we tunnel: outer source ours, outer destination a
//     care-of address of a live binding (bindings.ts bindingCareOfEncap), the binding's home address as the
//     quoted inner destination (minimal: the original destination of the minimal header), and the
//     outer protocol of that binding's encapsulation; anything else -> TUNNEL_ICMP_IGNORED, no soft
//     state, nothing relayed. Frag needed also needs RFC 1191 plausibility: the quoted outer header
//     has DF and is longer than the reported Next-Hop MTU, which is at least 68; a value below
//     TUNNEL_MIN_MTU (576) is raised to it, so soft state never shrinks a tunnel below 576.
//     soft state per care-of address: tunnel MTU (frag needed) and reachability (unreachable,
//     time exceeded), each with a deadline; relayed to the original sender when the quote holds the
//     inner header: net/host unreachable -> same code, protocol unreachable / time exceeded -> host
//     unreachable, frag needed -> frag needed with MTU - encapsulation overhead (only when the
//     sender's datagram is larger than that); port unreachable, source route failed, source
//     quench, redirect, parameter problem -> not relayed.
//
// Headroom contract: the datagram to encapsulate has TUNNEL_HEADROOM (50) writable bytes in front
// of it for tunnel headers, plus 14 more for the Ethernet header (the rx buffer has 64 + 14). ICMP
// errors about a datagram are built in front of it too (IP header at p-28, Ethernet at p-42; by
// ip.ts ipSendIcmpError, the core's one ICMP error sender and rate limit), so a caller that also
// encapsulates the datagram in place does that last.
//
// Fragmentation (RFC 2003 §5.1): a datagram with DF that does not fit the tunnel is dropped and its
// sender learns the tunnel MTU minus the overhead; one without DF is encapsulated (outer DF clear, as
// the inner) and the outer datagram is sent in fragments (ip.ts ipSendFragments, in place: no copy,
// no buffer), which the tunnel exit reassembles (RFC 1122 §3.3.2, stack/reasm.ts). Only the "too big"
// branch pays for it: the fast path compares the length with the tunnel MTU it already had to know.
// A datagram longer than a frame (only a reassembled one can be) is not tunnelled: copies for other
// care-of addresses go through ha.ts's frame-sized scratch buffer.
//
// Soft state table (hash by care-of address, `bindings` entries, carved by tunnelInit):
//   mtu u32 @0 (0 = unknown) | unreachCode u8 @4 | pad[3] | mtuUntilMs i64 @8 | unreachUntilMs i64 @16

import * as cfg from "../config";
import { C, count, countHot } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { handlersReset, handlersAdd, handlersCount, handlerFn } from "../table/handlers";
import { netifMtu, netifMtuHot } from "../link/netif";
import { neighborMac } from "../link/neighbor";
import { route, routeIface, routeNextHop, routeGeneration, routeChanged, NO_ROUTE } from "../stack/route";
import { flowWanted, flowTunnel, flowTunnelLearn, flowAdopt, flowSend, flowMaxLen, flowLearning, ipNextIdentHot } from "../stack/flow";
import { pktRoom } from "../stack/packet";
import { linkSendIp } from "../stack/arp";
import { ipIsOurs, ipSendIcmpError, ipSendFragments } from "../stack/ip";
import {
  HT_KEY_ADDR, htBytesKeyed, htCarve, htInitKeyed, htCarve, htFindV4, htInsertV4, htRemoveV4, HT_HEADER_SIZE, htRemoveAt,
  htNext, htValueAt, htUsed,
} from "../table/hash";
import {
  ipv4HeaderLen, ipv4TotalLen, ipv4Src, ipv4Dst, ipv4Proto, ipv4Ttl, ipv4DontFrag, ipv4IsFragment,
  ipv4DecrementTtl, ipv4SetSrc, ipv4SetDst, ipv4SetTotalLen, ipv4FillChecksum, ipv4Version, IPPROTO_ICMP,
  IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE, IPV4_MIN_HEADER, IP_PROTO,
} from "../wire/ipv4";
import {
  icmpType, icmpCode, icmpIsError, icmpCheckError, icmpQuoteOk, icmpErrorInner, icmpNextHopMtu,
  IcmpErr, ICMP_HEADER_LEN, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED, UNREACH_NET, UNREACH_HOST, UNREACH_PROTO,
  UNREACH_FRAG_NEEDED,
} from "../wire/icmp";
import { TUNNEL_HEADROOM, IpipErr, ipipEncapValidated, ipipCheckValidated, ipipInner, ipipInnerLen, tunnelInnerCheck, IPIP_HDR_LEN } from "../wire/ipip";
import { minEncEncapValidated, minEncDecap, minEncRestore, minEncHdrLen, minEncProto, minEncOrigDst, minEncOrigSrc, minEncHasSrc, MINENC_LEN, MINENC_LEN_S } from "../wire/minenc";
import { GreErr, greEncapValidated, greCheck, greHdrLen, greProtocolType, GRE_PROTO_IPV4, GRE_HDR_LEN } from "../wire/gre";
import { ETH_HEADER_LEN } from "../wire/ethernet";

/** The most any method prepends: outer IPv4 + GRE (minimal adds at most 12, IP in IP 20). */
export const TUNNEL_MAX_OVERHEAD: i32 = IPIP_HDR_LEN + GRE_HDR_LEN;

/** How long an ICMP unreachable / time exceeded about a tunnel marks it unreachable (soft state). */
const UNREACH_HOLD_MS: i64 = 10000;
/** How long a learnt tunnel MTU is kept before the interface MTU is tried again (RFC 1191 §6.3: 10 min). */
const MTU_HOLD_MS: i64 = 600000;
/** Smallest MTU an IPv4 link may have (RFC 791): smaller "next-hop MTU" values are ignored. */
const MIN_IPV4_MTU: i32 = 68;
/**
 * Smallest tunnel MTU soft state may set (issue 7.4): every IPv4 host accepts 576-byte datagrams
 * (RFC 791 §3.1, RFC 1122 §3.3.2 EMTU_R), so a reported Next-Hop MTU between 68 and 575 is raised to
 * 576; one forged "MTU 88" cannot make the tunnel useless.
 */
export const TUNNEL_MIN_MTU: i32 = 576;

const SS_MTU: usize = 0;
const SS_UNREACH_CODE: usize = 4;
const SS_MTU_UNTIL: usize = 8;
const SS_UNREACH_UNTIL: usize = 16;
const SS_SIZE: u32 = 24;

const soft: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let softN: u32 = 0;


// Route cache (why: speed — one route lookup per care-of address, not per tunnelled datagram):
// direct-mapped by care-of address (64 entries of 16 bytes): coa u32 (0 = empty) | generation u32 |
// outIface i32 | nextHop u32. An entry is used only while routeGeneration() is unchanged.
const RC_ENTRIES: u32 = 64;
const RC_COA: usize = 0;
const RC_GEN: usize = 4;
const RC_IFACE: usize = 8;
const RC_NEXT_HOP: usize = 12;
const routeCache: usize = memory.data(<i32>RC_ENTRIES * 16, 16);

/** The route to `coa` (stack/route.ts route's answer), from the cache while the routes are unchanged. */
export function tunnelRoute(coa: u32): i64 {
  const e = routeCache + (<usize>((coa * 0x9e3779b1) >>> 26) << 4);
  const g = routeGeneration();
  if (load<u32>(e, RC_COA) == coa && load<u32>(e, RC_GEN) == g) {
    return (<i64>load<i32>(e, RC_IFACE) << 32) | <i64>load<u32>(e, RC_NEXT_HOP);
  }
  const r = route(coa);
  if (r == NO_ROUTE) return NO_ROUTE;
  store<u32>(e, coa, RC_COA);
  store<u32>(e, g, RC_GEN);
  store<i32>(e, routeIface(r), RC_IFACE);
  store<u32>(e, routeNextHop(r), RC_NEXT_HOP);
  return r;
}

// Tunnel exits and the binding lookup, registered at init by the roles above (mobility/roles.ts), so
// this file knows none of them (Why: one-way layering, docs/decisions.md "Core v2").

/** The inner datagram (`ilen` bytes at `inner`) of a tunnel from `outerSrc` that ended here on
 *  `iface`. Returns -1 when it is not this exit's, else 0 used / 1 dropped. */
export type TunnelExit = (iface: i32, outerSrc: u32, inner: usize, ilen: i32) => i32;
/** Encapsulation (cfg.ENCAP_*) of the live binding of `home` at care-of address `coa`, 0 if none. */
export type TunnelBindingLookup = (coa: u32, home: u32) => u32;
const MAX_EXITS: i32 = 4;
export const exits: usize = memory.data(8 + 8 * MAX_EXITS, 4);
let bindingLookup: usize = 0;

/** Forget the exits and the binding lookup (init, every role). */
export function tunnelReset(): void { handlersReset(exits, MAX_EXITS); bindingLookup = 0; }

/** Decapsulated datagrams are offered to `fn` (exits in registration order until one takes it). */
export function tunnelExit(fn: TunnelExit): void { handlersAdd(exits, 0, changetype<usize>(fn)); }

/** ICMP errors quoting our tunnel headers are matched against bindings with `fn` (the home agent's). */
export function tunnelBindings(fn: TunnelBindingLookup): void { bindingLookup = changetype<usize>(fn); }

/** Carve the soft-state table for `entries` care-of addresses (0: none). False when memory ran out. */
export function tunnelInit(entries: i32): void {
  softN = entries > 0 ? <u32>entries : 0;
  memory.fill(routeCache, 0, <usize>RC_ENTRIES * 16);
  htCarve(soft, softN, SS_SIZE);
}

// ---- soft tunnel state (RFC 2003 §5) ------------------------------------------------------------

/** Soft state of the tunnel to `coa` if any of it is still valid, else 0 (stale entries go). */
function softFind(coa: u32): usize {
  if (softN == 0) return 0;
  const v = htFindV4(soft, coa);
  if (v == 0) return 0;
  const now = nowMs();
  if (load<i64>(v, SS_MTU_UNTIL) <= now && load<i64>(v, SS_UNREACH_UNTIL) <= now) { htRemoveV4(soft, coa); return 0; }
  return v;
}

/**
 * MTU of the tunnel to `coa` leaving by `oif`: the interface's, or the smaller one soft state learnt
 * (never below TUNNEL_MIN_MTU). Why (speed): an empty soft-state table costs no lookup.
 */
function tunnelMtu(oif: i32, coa: u32): i32 {
  const mtu = netifMtuHot(oif);
  if (softN == 0 || htUsed(soft) == 0) return mtu;
  return softMtu(softFind(coa), mtu, nowMs());
}

/** `mtu` lowered to the tunnel MTU soft state `sv` (0: none) holds at `now`, never below TUNNEL_MIN_MTU. */
function softMtu(sv: usize, mtu: i32, now: i64): i32 {
  if (sv == 0 || load<i64>(sv, SS_MTU_UNTIL) <= now) return mtu;
  const smtu = <i32>load<u32>(sv, SS_MTU);
  // Why: issue 7.4: soft state never takes the tunnel below TUNNEL_MIN_MTU.
  return smtu >= TUNNEL_MIN_MTU && smtu < mtu ? smtu : mtu;
}

/** Soft state of `coa` for writing: existing or new; a full table first drops stale entries. 0 if still full. */
function softGet(coa: u32): usize {
  if (softN == 0) return 0;
  // Why: flows (stack/flow.ts) are kept only while no tunnel has soft state: it may lower the MTU or
  // make the entry answer with ICMP errors.
  routeChanged();
  let v = htInsertV4(soft, coa);
  if (v != 0) return v;
  // A scan, only when the table is full: ICMP errors about tunnels are rare.
  const now = nowMs();
  for (let i = -1; (i = htNext(soft, i + 1)) >= 0;) {
    const e = htValueAt(soft, i);
    if (load<i64>(e, SS_MTU_UNTIL) <= now && load<i64>(e, SS_UNREACH_UNTIL) <= now) htRemoveAt(soft, i);
  }
  return htInsertV4(soft, coa);
}

// ---- encapsulation ----------------------------------------------------------------------------

/** The method actually used for the datagram at `p`: minimal falls back to IP in IP for fragments (RFC 2004 §3). */
// @ts-ignore: decorator
@inline export function tunnelMethodFor(p: usize, method: u32): u32 {
  if (method == cfg.ENCAP_MINIMAL && ipv4IsFragment(p)) return cfg.ENCAP_IPIP;
  if (method == cfg.ENCAP_MINIMAL || method == cfg.ENCAP_GRE) return method;
  return cfg.ENCAP_IPIP;
}

/** Bytes `method` adds to the datagram at `p` when `src` encapsulates it. */
export function tunnelOverhead(p: usize, method: u32, src: u32): i32 {
  const m = tunnelMethodFor(p, method);
  if (m == cfg.ENCAP_MINIMAL) return ipv4Src(p) == src ? MINENC_LEN : MINENC_LEN_S;
  if (m == cfg.ENCAP_GRE) return IPIP_HDR_LEN + GRE_HDR_LEN;
  return IPIP_HDR_LEN;
}

/**
 * Encapsulate the checked datagram at `p` (`len` bytes, its Total Length) by `method` (config
 * ENCAP_*; IP in IP for anything else) from `src` to `dst`, in front of it in its packet buffer
 * (stack/packet.ts; the Ethernet header's 14 bytes kept free). With `forwarding` the inner TTL is decremented (RFC 2003 §3.1; the caller checked it is > 1);
 * the outer TTL is the node's default TTL. Returns the bytes prepended (the packet now starts at
 * p - n and is len + n long), or -1 when the codec refused (nothing changed).
 */
export function tunnelEncap(p: usize, len: i32, method: u32, src: u32, dst: u32, forwarding: bool = true): i32 {
  const headroom = pktRoom(p) - ETH_HEADER_LEN;
  const m = tunnelMethodFor(p, method);
  const ttl = cfg.defaultTtl; // 1-255
  if (m == cfg.ENCAP_MINIMAL) {
    // Why: RFC 2004 §3: the original header becomes the outer one, so its TTL is the forwarding TTL.
    if (forwarding && ipv4Ttl(p) <= 1) return -1;
    // Why (speed): the datagram was checked on the way in (ipInput); no second header check.
    const n = minEncEncapValidated(p, headroom, src, dst);
    if (n < 0) return -1;
    if (forwarding) ipv4DecrementTtl(p - <usize>n);
    return n;
  }
  // Why (speed): the datagram was checked on the way in (ipInput); no second header check.
  let n: i32;
  if (m == cfg.ENCAP_GRE) n = greEncapValidated(p, headroom, src, dst, ttl, ipNextIdentHot(), forwarding);
  else n = ipipEncapValidated(p, headroom, src, dst, ttl, ipNextIdentHot(), forwarding);
  return n < 0 ? -1 : n;
}

/**
 * Before encapsulating the datagram at `p` (`len` bytes) by `method` from `src` to the care-of
 * address `coa`: route to `coa`, check the size against the outgoing MTU and the tunnel's soft
 * state. Returns the route (stack/route.ts: interface and next hop), or NO_ROUTE (counted) when the
 * datagram cannot go. May send an ICMP error about the datagram (writes its headroom).
 */
export function tunnelCheck(p: usize, len: i32, method: u32, src: u32, coa: u32): i64 {
  const r = tunnelRoute(coa);
  if (r == NO_ROUTE) { count(C.DROP_NO_ROUTE); return NO_ROUTE; }
  const oif = routeIface(r);
  const over = tunnelOverhead(p, method, src);
  // Why (speed): soft state exists only after ICMP errors about a tunnel; an empty table needs no
  // lookup, else one lookup serves both the MTU and the reachability below.
  const sv = softN != 0 && htUsed(soft) != 0 ? softFind(coa) : 0;
  const now = nowMs();
  const mtu = softMtu(sv, netifMtuHot(oif), now);
  if (len + over > mtu) {
    if (ipv4DontFrag(p)) {
      // Why: RFC 2003 §5.1: the sender of a DF datagram learns the tunnel MTU minus the
      // encapsulation overhead.
      count(C.DROP_TUNNEL_MTU);
      if (mtu - over >= MIN_IPV4_MTU) {
        if (ipSendIcmpError(p, len, ICMP_DEST_UNREACH, UNREACH_FRAG_NEEDED, <u32>(mtu - over) & 0xffff)) count(C.TUNNEL_ICMP_RELAYED);
      }
      return NO_ROUTE;
    }
    // Why: RFC 2003 §5.1: without DF the outer datagram is fragmented (tunnelSend). Only a
    // reassembled datagram can be longer than a frame; ha.ts copies datagrams into a frame-sized
    // buffer for its other care-of addresses, so those are not tunnelled (file comment).
    if (len > cfg.frameBytes - ETH_HEADER_LEN) { count(C.DROP_TUNNEL_MTU); return NO_ROUTE; }
  }
  // Why: RFC 2003 §5: while soft state says the tunnel's far end is unreachable, the sender is told
  // (destination unreachable) and the datagram is still encapsulated and sent.
  const uc = sv != 0 && load<i64>(sv, SS_UNREACH_UNTIL) > now ? <i32>load<u8>(sv, SS_UNREACH_CODE) : -1;
  if (uc >= 0 && ipSendIcmpError(p, len, ICMP_DEST_UNREACH, <u8>uc, 0)) count(C.TUNNEL_ICMP_RELAYED);
  return r;
}

/**
 * The received datagram (flowLearning) from `keySrc` to `keyDst` (as stored; `frag`: a fragment) was
 * just forwarded into the tunnel from `src` to `coa` by `method`, alone (one live care-of address,
 * live until `until`), on `oif` towards `nh`: keep the tunnel's template and, from the flow's second
 * datagram on, the flow (stack/flow.ts) — no tunnel soft state, the next hop resolved. (The caller
 * read the key before encapsulating: minimal encapsulation rewrites the datagram's header in place.)
 */
export function tunnelFlowLearn(keySrc: u32, keyDst: u32, frag: bool, method: u32, src: u32, coa: u32, oif: i32, nh: u32, until: i64): void {
  // Why: a fragment under minimal encapsulation went IP in IP (RFC 2004 §3): not the tunnel's rule.
  if ((softN != 0 && htUsed(soft) != 0) || (frag && method == cfg.ENCAP_MINIMAL)) return;
  let t = flowTunnel(coa, method, src);
  if (t == 0) {
    const mac = neighborMac(oif, nh);
    if (mac == 0) return;
    t = flowTunnelLearn(method, oif, mac, netifMtu(oif), src, coa);
  }
  if (flowWanted(keySrc, keyDst)) flowAdopt(keySrc, keyDst, t, until);
}

/**
 * The checked datagram at `p` (`len` bytes, received, TTL > 1) into the tunnel from `src` to `coa` by
 * `method` for a binding live until `until`, by the tunnel's template (stack/flow.ts) when there is a
 * valid one and nothing of the full path could apply (no tunnel soft state, within the template's
 * MTU): 0 sent (and the flow kept from its second datagram on); else -1, nothing changed.
 * Why (speed): the tunnel is a virtual interface with its outer header prebuilt (issue 8.3); a
 * datagram of a flow not cached yet still skips the route, MTU, neighbour and encapsulation calls.
 */
export function tunnelSendTemplate(p: usize, len: i32, method: u32, src: u32, coa: u32, until: i64): i32 {
  if (softN != 0 && htUsed(soft) != 0) return -1;
  const t = flowTunnel(coa, method, src);
  if (t == 0 || len > flowMaxLen(t)) return -1;
  // The flow's key, read before sending (minimal encapsulation rewrites the header), when one may be kept.
  const learn = flowLearning(p);
  const keySrc = learn ? load<u32>(p, 12) : 0;
  const keyDst = learn ? load<u32>(p, 16) : 0;
  if (flowSend(t, p, len) != 0) return -1;
  if (learn && flowWanted(keySrc, keyDst)) flowAdopt(keySrc, keyDst, t, until);
  return 0;
}

/**
 * Encapsulate the datagram at `p` (see tunnelEncap) and send it on `oif` towards `nh` (from
 * tunnelCheck). Returns 0 sent or queued, 1 dropped (counted).
 */
export function tunnelSend(p: usize, len: i32, method: u32, src: u32, coa: u32, oif: i32, nh: u32,
  forwarding: bool = true): i32 {
  const n = tunnelEncap(p, len, method, src, coa, forwarding);
  if (n < 0) { count(C.DROP_TUNNEL_ENCAP); return 1; }
  countHot(C.TUNNEL_TX);
  const q = p - <usize>n;
  const total = len + n;
  const mtu = tunnelMtu(oif, coa);
  if (total > mtu) {
    // Why: RFC 2003 §5.1: the encapsulated datagram is fragmented like any other (tunnelCheck let
    // only datagrams without DF through this far; the outer header copied DF from the inner).
    if (ipv4DontFrag(q)) { count(C.DROP_TUNNEL_MTU); return 1; }
    return ipSendFragments(oif, nh, q, total, mtu);
  }
  return linkSendIp(oif, nh, q, total);
}

// ---- decapsulation (tunnel exit) ----------------------------------------------------------------

/**
 * A checked IP-in-IP (4), minimal (55) or GRE (47) datagram of `len` bytes at `p`, addressed to one
 * of our addresses, received on `iface`. Returns 0 used, 1 dropped, -1 not a tunnel protocol.
 */
export function tunnelInput(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  // Why: RFC 2003 §3: a tunnel ends at the address it was sent to; broadcast or multicast tunnels are
  // not ours to open.
  if (!unicast) return -1;
  const proto = ipv4Proto(p);
  const outerSrc = ipv4Src(p); // before minimal decapsulation rebuilds the header over it
  let inner: usize = 0;
  let ilen: i32 = 0;
  if (proto == IPPROTO_IPIP) {
    // Why: RFC 2003 §3: the outer header and the inner one it carries must both be valid, the inner
    // Total Length exactly the outer payload (ipip.ts), else the datagram is discarded.
    // Why (speed): the outer header passed ipv4Check in ipInput (or was rebuilt by reassembly) and
    // `len` is its Total Length: only the IP-in-IP and inner checks remain.
    if (ipipCheckValidated(p) != IpipErr.OK) { count(C.DROP_TUNNEL_MALFORMED); return 1; }
    inner = ipipInner(p);
    ilen = ipipInnerLen(p);
  } else if (proto == IPPROTO_MINENC) {
    // Why: RFC 2004 §3: a wrong minimal-header checksum (or a truncated header) discards the datagram.
    const n = minEncDecap(p, len);
    if (n < 0) { count(C.DROP_TUNNEL_MALFORMED); return 1; }
    inner = p + <usize>n;
    ilen = len - n;
  } else if (proto == IPPROTO_GRE) {
    const hl = ipv4HeaderLen(p);
    const g = p + <usize>hl;
    const glen = len - hl;
    // Why: RFC 1701: version 0, announced fields present, checksum right; RFC 1702: only IPv4
    // payloads (0x0800) are Mobile IP tunnels; routing is refused (gre.ts).
    if (greCheck(g, glen) != GreErr.OK || greProtocolType(g) != GRE_PROTO_IPV4) { count(C.DROP_TUNNEL_MALFORMED); return 1; }
    const gh = greHdrLen(g);
    inner = g + <usize>gh;
    ilen = glen - gh;
    if (tunnelInnerCheck(inner, ilen, true) != IpipErr.OK) { count(C.DROP_TUNNEL_MALFORMED); return 1; }
  } else {
    return -1;
  }
  countHot(C.TUNNEL_DECAPSULATED);
  // The exits (mobility/roles.ts): RFC 2002 §4.1-4.2: a foreign agent delivers the inner datagram to
  // its visitor; a mobile node with a co-located care-of address takes it itself; RFC 3024 §5.2: a
  // home agent is the exit of its mobile nodes' reverse tunnels (ha.ts checks the outer source
  // against the inner source's binding).
  for (let i = 0, n = handlersCount(exits); i < n; i++) {
    const r = changetype<TunnelExit>(handlerFn(exits, i))(iface, outerSrc, inner, ilen);
    if (r >= 0) return r;
  }
  // Why: any other tunnel to us has no exit here; re-injecting its inner datagram could send it
  // straight back into a tunnel (RFC 2003 §3.2 loops), so it is dropped.
  count(C.DROP_TUNNEL_NO_EXIT);
  return 1;
}

// ---- ICMP errors about our tunnels (RFC 2003 §4-5) ---------------------------------------------

/**
 * Rebuild, in place, the original header from a quoted minimally encapsulated header at `q`
 * (`avail` quoted bytes). Returns the start of the rebuilt header (q + 8/12), or 0 if too short.
 */
function minEncUnquote(q: usize, avail: i32): usize {
  const hl = ipv4HeaderLen(q);
  if (avail < hl + MINENC_LEN) return 0;
  const mh = q + <usize>hl;
  const n = minEncHdrLen(mh);
  // Why: the original sender must be told about its own datagram: header + 8 bytes (RFC 792).
  if (avail < hl + n + 8) return 0;
  return q + <usize>minEncRestore(q);
}

/**
 * An ICMP message for us (`len` bytes, IP header at `p`, ICMP checksum checked). When it is an error
 * quoting a tunnel header we sent (protocol 4/55/47 from one of our addresses, to the care-of address
 * of a live binding, carrying its home address: file comment), update the soft state of that tunnel
 * and relay what RFC 2003 §4 says to the original sender. Returns 0 used, -1 not about one of our
 * live tunnels (counted TUNNEL_ICMP_IGNORED when it only looked like one).
 */
export function tunnelIcmpInput(iface: i32, p: usize, len: i32): i32 {
  if (ipv4Proto(p) != IPPROTO_ICMP) return -1;
  const hl = ipv4HeaderLen(p);
  const m = p + <usize>hl;
  const ml = len - hl;
  if (ml < ICMP_HEADER_LEN || !icmpIsError(icmpType(m))) return -1;
  if (icmpCheckError(m, ml) != IcmpErr.OK) return -1;
  const q = icmpErrorInner(m);
  const qlen = ml - ICMP_HEADER_LEN;
  const qproto = ipv4Proto(q);
  if (qproto != IPPROTO_IPIP && qproto != IPPROTO_MINENC && qproto != IPPROTO_GRE) return -1;
  if (!ipIsOurs(ipv4Src(q))) return -1;
  const coa = ipv4Dst(q);
  const qhl = ipv4HeaderLen(q);
  count(C.TUNNEL_ICMP_RX);
  const type = icmpType(m);
  const code = icmpCode(m);

  // What the original sender is told (RFC 2003 §4.1-4.6); -1: nothing.
  let rcode: i32 = -1;
  if (type == ICMP_DEST_UNREACH) {
    // (Code sets as bit masks: one test each, size issue 12.)
    const bit = code < 16 ? 1 << code : 0;
    if ((bit & ((1 << UNREACH_NET) | (1 << 6) | (1 << 11))) != 0) rcode = UNREACH_NET;   // net, net unknown, net for TOS
    else if ((bit & ((1 << UNREACH_HOST) | (1 << UNREACH_PROTO) | (1 << 7) | (1 << 12))) != 0) rcode = UNREACH_HOST;
    else if (code == UNREACH_FRAG_NEEDED) rcode = UNREACH_FRAG_NEEDED;
    // port unreachable (3) cannot happen for a tunnel; source route failed (5) is the
    // encapsulator's own problem: neither is relayed.
  } else if (type == ICMP_TIME_EXCEEDED) {
    // Why: RFC 2003 §4.4: a loop or too long path inside the tunnel is reported as host unreachable.
    rcode = UNREACH_HOST;
  }
  // Source quench, redirect, parameter problem: about the tunnel itself, not relayed (§4.2, 4.3, 4.5).

  // Locate the quoted inner header, the home address the tunnel carried, and the overhead.
  let inner: usize = 0;
  let home: u32 = 0;
  let over: i32 = IPIP_HDR_LEN;
  if (qproto == IPPROTO_IPIP) {
    inner = q + <usize>qhl;
    if (qlen >= qhl + IPV4_MIN_HEADER) home = ipv4Dst(inner);
  } else if (qproto == IPPROTO_GRE) {
    // We only send the 4-byte GRE header (gre.ts), so anything else is not ours to interpret.
    const g = q + <usize>qhl;
    if (qlen >= qhl + GRE_HDR_LEN && load<u16>(g) == 0 /* greFlags: no flag, version 0 */ && greProtocolType(g) == GRE_PROTO_IPV4) {
      inner = g + <usize>GRE_HDR_LEN;
      if (qlen >= qhl + GRE_HDR_LEN + IPV4_MIN_HEADER) home = ipv4Dst(inner);
    }
    over = IPIP_HDR_LEN + GRE_HDR_LEN;
  } else {
    if (qlen >= qhl + MINENC_LEN) {
      const mh = q + <usize>qhl;
      over = minEncHdrLen(mh);
      home = minEncOrigDst(mh);
    } else over = MINENC_LEN_S;
  }

  // Why: issue 7.4, RFC 2003 §5: soft state is kept for a live tunnel endpoint only, and only from an
  // error about a datagram we tunnel there: the quoted inner destination is a home address bound to
  // the care-of address, carried by that binding's encapsulation (minimal falls back to IP in IP for
  // fragments, RFC 2004 §3). A quote too short to show the home address (RFC 792's 8 bytes past an IP
  // in IP or GRE header) cannot be matched and is ignored (docs/decisions.md).
  const encap = home != 0 && bindingLookup != 0 ? changetype<TunnelBindingLookup>(bindingLookup)(coa, home) : 0;
  let shape = false;
  if (encap == cfg.ENCAP_IPIP) shape = qproto == IPPROTO_IPIP;
  else if (encap == cfg.ENCAP_GRE) shape = qproto == IPPROTO_GRE;
  else if (encap == cfg.ENCAP_MINIMAL) shape = qproto == IPPROTO_MINENC || (qproto == IPPROTO_IPIP && ipv4IsFragment(inner));
  if (!shape || (inner != 0 && ipv4Version(inner) != 4)) { count(C.TUNNEL_ICMP_IGNORED); return -1; }

  // Soft state (RFC 2003 §5): the tunnel MTU from frag needed, reachability from the rest.
  const now = nowMs();
  let tmtu: i32 = 0;
  if (rcode == UNREACH_FRAG_NEEDED) {
    tmtu = <i32>icmpNextHopMtu(m);
    // Why: RFC 1191 §4: a router sends frag needed only about a datagram with DF that is larger than
    // its next hop; a zero (old router) or impossible (< 68) Next-Hop MTU, or one about a datagram
    // without DF or not larger than it, is not plausible and teaches nothing.
    if (!ipv4DontFrag(q) || tmtu < MIN_IPV4_MTU || tmtu >= <i32>ipv4TotalLen(q)) { count(C.TUNNEL_ICMP_IGNORED); return 0; }
    if (tmtu < TUNNEL_MIN_MTU) tmtu = TUNNEL_MIN_MTU;
  }
  if (rcode < 0) return 0;
  const v = softGet(coa);
  if (v != 0) {
    if (rcode == UNREACH_FRAG_NEEDED) {
      const old = load<i64>(v, SS_MTU_UNTIL) > now ? <i32>load<u32>(v, SS_MTU) : 0;
      if (old == 0 || tmtu < old) store<u32>(v, <u32>tmtu, SS_MTU);
      store<i64>(v, now + MTU_HOLD_MS, SS_MTU_UNTIL);
    } else {
      store<u8>(v, <u8>rcode, SS_UNREACH_CODE);
      store<i64>(v, now + UNREACH_HOLD_MS, SS_UNREACH_UNTIL);
    }
  }

  // Relay now when the quote holds the inner header and its first 8 data bytes (RFC 1812 §4.3.2.3
  // routers quote as much as fits); otherwise the soft state informs the next datagrams' senders.
  if (qproto == IPPROTO_MINENC) inner = minEncUnquote(q, qlen);
  if (inner == 0) return 0;
  const avail = <i32>(q + <usize>qlen - inner);
  if (!icmpQuoteOk(inner, avail)) return 0;
  let rest: u32 = 0;
  if (rcode == UNREACH_FRAG_NEEDED) {
    // Why: RFC 2003 §5.1: only a DF datagram gets frag needed; the MTU it may use is the tunnel's
    // (as clamped above) minus our encapsulation overhead, and telling it is news only when its
    // datagram is larger than that.
    if (!ipv4DontFrag(inner) || tmtu < MIN_IPV4_MTU + over || <i32>ipv4TotalLen(inner) <= tmtu - over) return 0;
    rest = <u32>(tmtu - over) & 0xffff;
  }
  // The quote lies inside the error we received, which has the stack's 64 bytes in front (stack/ip.ts).
  if (ipSendIcmpError(inner, avail, ICMP_DEST_UNREACH, <u8>rcode, rest)) count(C.TUNNEL_ICMP_RELAYED);
  return 0;
}
