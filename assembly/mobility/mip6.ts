// Mobile IPv6 for every IPv6 node (seed 003 §6, §7; issue 13 point 2): the correspondent node.
//
// Every IPv6 node here processes the Home Address option (§7.1, MUST), accepts authenticated Binding
// Updates into its Binding Cache (§7.2-§7.4, mobility/bcache6.ts), answers with Binding
// Acknowledgements (§7.5), asks for a fresh binding before an entry in use expires (§7.6, Binding
// Request), replaces entries least recently used first (§7.7), drops a binding that keeps drawing
// Destination Unreachable (§7.8), and sends to a bound home address by way of the care-of address with a
// type 0 Routing header (§7.9). The home agent's part of a Binding Update with H (§8) and the mobile
// node's Binding Acknowledgement / Request handling (§9.10, §9.11) are hooks the home agent and mobile
// node roles register (`mip6HomeWith`, `mip6NodeWith`); without them an H update is refused with 132
// (§8.2) and the other two options are skipped (their action bits are 00).
//
// Who may change the Binding Cache: a Binding Update that passed §7.2's tests — AH verified (stack/ip6.ts)
// by the security association of the home address the update is for (the right party: one mobile node's
// keys cannot move another's home address), option long enough, a Home Address option present, the
// Sequence Number greater than the cached one. Nothing else writes the cache (§4.3: never a Home Address
// option) except expiry, replacement, §7.8 and configuration.
//
// Layering: stack/ip6.ts calls up through the hooks of ip6MobilityWith; this file imports the stack.

import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { Ev, evBuf, evEmit, BindingOp } from "../events";
import { arenaAlloc } from "../mem";
import { stackTimerStart, stackTimerArm, timerOwn, OWNER_MIP6 } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import { ip6MobilityWith, ip6Send, ip6SendSealed, hopLimit6, SendHook, Icmp6Handler } from "../stack/ip6";
import { addr6Ours, addr6Source } from "../stack/addr6";
import { pktRoom, pktAlloc } from "../stack/packet";
import { AH_SA_PEER, AH_SA_SIZE } from "../security/ah";
import { addrIsSubnetRouter } from "../security/ipsec";
import { addrCopy, addrEqual, addrPrefixMatch } from "../wire/addr";
import {
  ipv6Src, ipv6Dst, ipv6NextHeader, ipv6TotalLen, ipv6SetPayloadLen, ipv6SetNextHeader, ipv6Emit, ipv6IsMulticast,
  IPV6_HEADER_LEN, IPPROTO_ROUTING, IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_NONE, RH_TYPE0, rhType, rhNumAddrs, rhAddr, rhEmit,
} from "../wire/ipv6";
import { ICMP6_DEST_UNREACH } from "../wire/icmpv6";
import {
  Mip6, BaStatus, addrIsHaAnycast, mip6Find, mip6Valid, mip6Type, buFlags, buIdLen, buSeq, buLifetime, buCoa, haoAddr, baAppend, brAppend,
  dstEnd, BU_A, BU_H, LIFETIME_INFINITE,
} from "../wire/mip6";
import {
  bc6Init, bc6Lookup, bc6SeqOk, bc6Put, bc6Remove, bc6Expire, bc6Peek, bc6OnRemove, bc6NextExpiry, bc6Next, bc6At, bc6HomeAt,
  B6_COA, B6_EXPIRES, B6_REQ_AT, B6_SEQ, B6_LIFETIME, B6_FLAGS, B6_HOME, B6_USED, B6_UNREACH, Bc6Removed,
} from "./bcache6";

/**
 * The home agent's part (mobility/ha6.ts, §8): a Binding Update with H that passed §7.2, for home address
 * `home`, care-of address `coa` (0 lifetime or coa == home: de-registration, §8.3), received on `iface`
 * and sent to our address `dst`. Returns the status for the Binding Acknowledgement (< 128 accepted) and
 * tells the granted lifetime with mip6Grant.
 */
export type HomeHook = (iface: i32, dst: usize, home: usize, coa: usize, lifetimeSec: u32, seq: i32, idLen: i32, anycast: bool) => i32;
/** The mobile node's part (§9.10, §9.11): a Binding Acknowledgement (`sa` verified it) or Request option at `o`. */
export type NodeHook = (iface: i32, p: usize, len: i32, o: i32, sa: usize, kind: i32) => void;

// The lifetime a home agent granted (HomeHook's second result, mip6Grant).
let grantedSec: u32 = 0;
/** The home agent's hook tells the lifetime it granted (§5.2 Lifetime). */
export function mip6Grant(sec: u32): void { grantedSec = sec; }
let homeHook: usize = 0;
let nodeHook: usize = 0;
let timer: i32 = -1;
let armedAt: i64 = 0; // when the timer is armed for (TIMER_NEVER: not)
// Out buffer for Binding Acknowledgements and Requests (at init; ND-sized, with headroom for AH and a
// Routing header in front).
let out: usize = 0;
const OUT_HEAD: usize = 96;
const OUT_SIZE: usize = 256;
let ours: usize = 0;

/** Timer kind: the Binding Cache's one timer (expiry and Binding Requests). */
const TK_BC6: u16 = OWNER_MIP6 << 8;

// Why: §7.6 leaves "near expiration" open; as the IPv4 route optimization cache (docs/decisions.md
// "Route optimization"): a quarter of the granted lifetime, at least 2 s and at most 30 s, and one
// Binding Request per entry per second at most (§4.3: "the time at which a Binding Request was last
// sent ... to implement the rate limiting").
const BR_WINDOW_MIN_MS: i64 = 2000;
const BR_WINDOW_MAX_MS: i64 = 30000;
const BR_RETRY_MS: i64 = 1000;
// Why: §7.8 "persistent ICMP Destination Unreachable messages": two about packets sent through the
// binding (the counter restarts with each Binding Update).
const UNREACH_DELETE: u8 = 2;

// Option types this layer understands, as the walk's bitmap (bit t of byte t >> 3): BU and HAO, whose
// action bits would otherwise discard the packet (§5.1, §5.4); BA and BR too.
const KNOWN: usize = memory.data(32, 4);

/** Every IPv6 node: the Binding Cache (board.bindingCache entries) and the hooks into the IPv6 layer. */
export function mip6Init(): bool {
  homeHook = 0;
  homeRemoved = 0;
  nodeHook = 0;
  mnSend = 0;
  mnError = 0;
  timer = -1;
  armedAt = TIMER_NEVER;
  memory.fill(KNOWN, 0, 32);
  for (let k = 0; k < Mip6.KINDS; k++) {
    const t = mip6Type(k);
    store<u8>(KNOWN + <usize>(t >> 3), load<u8>(KNOWN + <usize>(t >> 3)) | (<u8>1 << (t & 7)));
  }
  out = pktAlloc(OUT_SIZE);
  ours = arenaAlloc(16);
  if (out == 0 || ours == 0 || !bc6Init(<u32>cfg.bindingCacheEntries())) return false;
  ip6MobilityWith(dstOpts, sendVia, KNOWN, icmpError);
  bc6OnRemove(removedEntry);
  timerOwn(OWNER_MIP6, bc6Timer);
  return true;
}

/** The packet buffer of Binding Acknowledgements and Requests (OUT_SIZE bytes), free between their sends:
 *  stack/mld6.ts builds its MLD packets in it (issue 13.5). */
export function mip6Buf(): usize { return out; }

/** The home agent role registers its part of Binding Update processing (§8), and what it does when one
 *  of its home registrations leaves the cache (its proxies go). */
export function mip6HomeWith(fn: HomeHook, removed: Bc6Removed): void { homeHook = changetype<usize>(fn); homeRemoved = changetype<usize>(removed); }
let homeRemoved: usize = 0;
// An explicit deletion is in progress (§7.4, §8.3, §7.8): the removal hook reports it as such, not as an expiry.
let deleting: bool = false;

// Event ops of correspondent entries (Ev.RO_BINDING, the IPv4 route-optimization cache's kind and names).
const OP_ADD: u8 = 1, OP_REFRESH: u8 = 2, OP_DELETE: u8 = 3, OP_EXPIRE: u8 = 4, OP_REFUSED: u8 = 5;

/**
 * A binding event: home registrations as the IPv4 home agent's (Ev.BINDING: op add / refresh / deregister /
 * expire), correspondent entries as the IPv4 route-optimization cache's (Ev.RO_BINDING: op add / refresh /
 * delete / expire / refused with the status; no home agent), both with 16-byte addresses, so the
 * simulator's summary and timeline show IPv6 bindings as they show IPv4 ones. Lifetime capped at 65535.
 */
export function mip6Event(home: bool, op: u8, status: i32, lifetime: u32, h: usize, coa: usize): void {
  const b = evBuf();
  store<u8>(b, op);
  store<u8>(b, <u8>status, 1);
  store<u16>(b, <u16>min<u32>(lifetime, 0xffff), 2);
  memory.copy(b + 4, h, 16);
  memory.copy(b + 20, coa, 16);
  memory.fill(b + 36, 0, 16);
  evEmit(home ? Ev.BINDING : Ev.RO_BINDING, home ? 36 : 52);
}

/** An entry left the cache: its event (expiry unless a deletion is in progress), and the home agent's part. */
function removedEntry(h: usize, v: usize): void {
  const isHome = (load<u8>(v, B6_FLAGS) & B6_HOME) != 0;
  mip6Event(isHome, deleting ? (isHome ? <u8>BindingOp.DEREGISTER : OP_DELETE) : (isHome ? <u8>BindingOp.EXPIRE : OP_EXPIRE), 0, 0, h, v + B6_COA);
  if (isHome && homeRemoved != 0) changetype<Bc6Removed>(homeRemoved)(h, v);
}

/** Delete the binding of `home` (§7.4, §8.3, §7.8): reported as a deletion. */
export function mip6Delete(home: usize): bool {
  deleting = true;
  const r = bc6Remove(home);
  deleting = false;
  return r;
}
/** The mobile node role registers its Binding Acknowledgement / Request handling (§9.10, §9.11). */
export function mip6NodeWith(fn: NodeHook): void { nodeHook = changetype<usize>(fn); }
let mnSend: usize = 0;
let mnError: usize = 0;
/** The mobile node role's part of sending (§9.1: away from home, the Home Address option), before §7.9,
 *  and of ICMPv6 errors (§9.9). */
export function mip6MobileWith(fn: SendHook, err: Icmp6Handler): void { mnSend = changetype<usize>(fn); mnError = changetype<usize>(err); }

/** Swap the 16 bytes at `a` and `b`. */
function swap16x(a: usize, b: usize): void {
  const x = load<u64>(a), y = load<u64>(a, 8);
  memory.copy(a, b, 16);
  store<u64>(b, x);
  store<u64>(b, y, 8);
}

/**
 * The Destination Options header at `dopt` of a packet for this node (ip6.ts DstOptsHook). Returns -1 to
 * go on with the packet, 0 used, 1 dropped.
 */
function dstOpts(iface: i32, p: usize, len: i32, dopt: i32, sa: usize): i32 {
  const hao = mip6Find(p, dopt, Mip6.HAO);
  if (hao >= 0) {
    if (!mip6Valid(p, hao, Mip6.HAO)) { count(C.DROP_MIP6_MALFORMED); return 1; }
    // Why: §7.1 MUST: process the option "in a manner consistent with copying the Home Address field ...
    // into the IPv6 header, replacing the original value of the Source Address field": the upper layers
    // see the home address. The care-of address goes into the option's place (§13.2: "saved elsewhere"),
    // where a Binding Update without C finds it (§5.1: then the source address is the care-of address).
    swap16x(ipv6Src(p), haoAddr(p + <usize>hao));
    count(C.MIP6_HAO_RX);
  }
  const bu = mip6Find(p, dopt, Mip6.BU);
  if (bu >= 0) {
    const r = bindingUpdate(iface, p, bu, hao, sa);
    if (r >= 0) return r;
  }
  if (nodeHook != 0) {
    const ba = mip6Find(p, dopt, Mip6.BA);
    if (ba >= 0) changetype<NodeHook>(nodeHook)(iface, p, len, ba, sa, Mip6.BA);
    const br = mip6Find(p, dopt, Mip6.BR);
    if (br >= 0) changetype<NodeHook>(nodeHook)(iface, p, len, br, sa, Mip6.BR);
  }
  return -1;
}

/**
 * A Binding Update option at `bu` (§7.2). The packet's source is already the home address (the Home
 * Address option at `hao` was processed and holds the care-of address now). Returns -1 to go on with the
 * packet (a valid update piggy-backed on data, §4.2), 1 dropped.
 */
function bindingUpdate(iface: i32, p: usize, bu: i32, hao: i32, sa: usize): i32 {
  // Why: §7.2: each test failed: "MUST be silently ignored, and the packet carrying the Binding Update
  // MUST be discarded". AH by the home address's own SA (§4.2 "MUST also include either an AH or ESP
  // header providing sender authentication"; the right party, not just any key holder).
  // Or (§9.6) a mobile node's previous care-of address registered with the router of its subnet: the
  // key that subnet's routers share with their visitors (SA of the Subnet-Router anycast address), only
  // as a home registration sent to that address, for an address of that subnet, and for a short
  // lifetime (docs/decisions.md "Previous router").
  const peer = sa + AH_SA_PEER;
  const visitor = sa != 0 && hao >= 0 && !addrEqual(peer, ipv6Src(p)) && addrIsSubnetRouter(peer) && addrEqual(peer, ipv6Dst(p)) &&
    addrPrefixMatch(peer, ipv6Src(p), 64) && mip6Valid(p, bu, Mip6.BU) && (buFlags(p + <usize>bu) & BU_H) != 0;
  if (sa == 0 || hao < 0 || !(visitor || addrEqual(peer, ipv6Src(p)))) { count(C.DROP_MIP6_UNAUTH); return 1; }
  if (!mip6Valid(p, bu, Mip6.BU)) { count(C.DROP_MIP6_MALFORMED); return 1; }
  const o = p + <usize>bu;
  const home = ipv6Src(p);
  const f = buFlags(o);
  const seq = buSeq(o);
  let coa = buCoa(o);
  if (coa == 0) coa = haoAddr(p + <usize>hao);
  let life = buLifetime(o);
  if (visitor) life = min<u32>(life, PREV_ROUTER_MAX_SEC);
  // The acknowledgement goes under the same subnet SA (the visitor's care-of address has no SA of its own).
  baSa = visitor ? sa + <usize>AH_SA_SIZE : 0;
  const ack = (f & BU_A) != 0;
  count(C.MIP6_BU_RX);
  // Why: §9.7: a retransmission "MUST use the same Sequence Number value as the original": when only our
  // acknowledgement was lost, the same update (same sequence, same care-of address, still bound) is
  // acknowledged again, nothing changed; else the retransmissions would meet 134 until the binding
  // expired (docs/decisions.md "Retransmitted Binding Updates").
  const cur = bc6Peek(home);
  if (ack && cur != 0 && <i32>load<u16>(cur, B6_SEQ) == seq && addrEqual(cur + B6_COA, coa) && !(life == 0 || addrEqual(coa, home))) {
    const left = load<i64>(cur, B6_EXPIRES) - nowMs();
    if (left > 0) {
      count(C.MIP6_BU_DUPLICATE);
      const sec = <u32>(left / 1000);
      sendBa(iface, ipv6Dst(p), home, coa, BaStatus.ACCEPTED, seq, sec, sec);
      return -1;
    }
  }
  if (!bc6SeqOk(home, seq)) {
    // Why: §7.2 (sequence test failed: ignored, packet discarded, the cache untouched). An update that
    // asked for an acknowledgement and carried a valid AH still learns why, status 134 (§5.2), so a
    // mobile node that lost its sequence state can resynchronise instead of retrying until the entry
    // expires (docs/decisions.md "Mobile IPv6 sequence numbers").
    count(C.DROP_MIP6_SEQUENCE);
    if (ack) sendBa(iface, ipv6Dst(p), home, coa, BaStatus.SEQUENCE_TOO_SMALL, seq, 0, 0);
    return 1;
  }
  const del = life == 0 || addrEqual(coa, home);
  // Why: §7.2: a Binding Update to the Home-Agents anycast address of a subnet we serve is dynamic home
  // agent discovery (§8.1), answered by the home agent role (status 135).
  const anycast = homeHook != 0 && isHaAnycast(ipv6Dst(p));
  let status: i32 = BaStatus.ACCEPTED;
  let granted: u32 = life;
  if ((f & BU_H) != 0 || anycast) {
    // Why: §7.3 / §7.4: "If the Home Registration (H) bit is set, the Binding Update is processed
    // according to the procedure specified in Section 8.2" (8.3 for a deletion); a node without the home
    // agent role answers 132 (§8.2 first test).
    if (homeHook == 0) status = BaStatus.HOME_REG_NOT_SUPPORTED;
    else {
      status = changetype<HomeHook>(homeHook)(iface, ipv6Dst(p), home, coa, del ? 0 : life, seq, buIdLen(o), anycast);
      granted = grantedSec;
    }
  } else if (del) {
    // Why: §7.4: delete any existing entry for this home address.
    mip6Delete(home);
    granted = 0;
  } else {
    // Why: §7.3: create or update the entry; §7.7: room by replacement, never of a home registration.
    const had = bc6Peek(home) != 0;
    const e = bc6Put(home, coa, life, seq, 0, false, -1, nowMs());
    if (e == 0) status = BaStatus.NO_RESOURCES;
    else { mip6Arm(e); mip6Event(false, had ? OP_REFRESH : OP_ADD, 0, life, home, coa); }
  }
  if (status >= 128 && (f & BU_H) == 0 && !anycast) mip6Event(false, OP_REFUSED, status, 0, home, coa);
  if (status >= 128) count(C.MIP6_REJECTED); else count(C.MIP6_BU_ACCEPTED);
  // Why: §7.5: "it SHOULD return a Binding Acknowledgement" when A is set; §8.2 / §8.3: a home agent's
  // rejections SHOULD be acknowledged whatever A says. Refresh = Lifetime for a correspondent (§5.2).
  if (ack || status >= 128) sendBa(iface, ipv6Dst(p), home, coa, status, seq, status >= 128 ? 0 : granted, status >= 128 ? 0 : granted);
  // A rejected update is not a packet to deliver (§5.2: the rejection is the whole answer); an accepted one
  // may carry data (§4.2).
  return status >= 128 ? 1 : -1;
}

/**
 * True when `a` (the destination of a packet this node accepted) is a Home-Agents anycast address (RFC
 * 2526 subnet anycast, ID 0x7E: for a /64 prefix prefix:fdff:ffff:ffff:fffe, SPEC-DECISIONS); the home
 * agent role takes such packets only for the subnets it serves (ha6.ts).
 */
function isHaAnycast(a: usize): bool { return addrIsHaAnycast(a); }

/**
 * Send a Binding Acknowledgement (§5.2, §7.5) from `src` (our address the update went to; for the
 * anycast address a unicast address of ours, §8.1) to home address `home` by way of care-of address
 * `coa`: a type 0 Routing header with the home address (§7.5: "MUST be sent using a Routing header ...
 * even if the binding was rejected", the care-of address "copied from ... the Binding Update", never the
 * cache for a rejection), the option in a Destination Options header, No Next Header (§5.2: a rejection's
 * packet carries no payload; we send none either way). AH comes from ip6Send's outbound policy of the
 * final destination, the home address (§5.2 MUST; ip6.ts finalDst).
 */
export function sendBa(iface: i32, src: usize, home: usize, coa: usize, status: i32, seq: i32, lifetime: u32, refresh: u32): void {
  const q = out + OUT_HEAD;
  const direct = addrEqual(coa, home);
  let o = IPV6_HEADER_LEN;
  if (!direct) o += rhEmit(q + <usize>o, 24, IPPROTO_DSTOPTS, RH_TYPE0, 1, home, 1);
  const h = q + <usize>o;
  let at = baAppend(h, 2, 64, status, seq, lifetime, refresh);
  const hl = dstEnd(h, at, 64, IPPROTO_NONE);
  if (!sourceFor(iface, src, coa)) return;
  ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>(o + hl - IPV6_HEADER_LEN), direct ? IPPROTO_DSTOPTS : IPPROTO_ROUTING, hopLimit6, ours, coa);
  count(C.MIP6_BA_TX);
  if (baSa != 0) ip6SendSealed(q, o + hl, iface, baSa);
  else ip6Send(q, o + hl, iface);
  baSa = 0;
}

/** The SA the next acknowledgement goes under when the policy of its destination has none (§9.6), or 0. */
let baSa: usize = 0;
/** The longest binding a previous router grants a visitor (seed 003 §9.6 "temporarily"). */
const PREV_ROUTER_MAX_SEC: u32 = 30;

/** Our source address into `ours`: `src` when it is a unicast address of ours, else one chosen for `dst`. */
function sourceFor(iface: i32, src: usize, dst: usize): bool {
  // (The Home-Agents or the Subnet-Router anycast address, §8.1 and §9.6: never a source.)
  const any = isHaAnycast(src) || addrIsSubnetRouter(src);
  if (!ipv6IsMulticast(src) && !any && addr6Ours(src, -1) >= 0) { addrCopy(ours, src); return true; }
  // Why: §8.1: the answer to the Home-Agents anycast address tells the mobile node its home agent: our
  // address in that home subnet (chosen as for a packet to the anycast address), not the one nearest it.
  return addr6Source(any ? -1 : iface, any ? src : dst, ours);
}


/**
 * §7.9 (ip6.ts SendHook): a packet this node originates to a home address with a live binding goes to the
 * care-of address, the home address in a type 0 Routing header after the IPv6 header. Upper-layer
 * checksums stay right: they cover the final destination (RFC 2460 §8.1). A packet that already has
 * extension headers in front (Hop-by-Hop, Routing) or no room in front is sent as it is (to the home
 * address, where the home agent intercepts it: §7.9's fallback).
 */
function sendVia(p: usize, len: i32): usize {
  if (mnSend != 0) {
    const q = changetype<SendHook>(mnSend)(p, len);
    if (q != p) return q;
  }
  const dst = ipv6Dst(p);
  const nh = ipv6NextHeader(p);
  if (nh == IPPROTO_ROUTING || nh == IPPROTO_HOPOPTS) return p;
  const e = bc6Lookup(dst, nowMs(), true);
  if (e == 0) return p;
  // In use now: its Binding Request may be due before the timer (§7.6).
  mip6Arm(e);
  if (pktRoom(p) < 24 + 24 + 8 + 14) return p;
  const q = p - 24;
  memory.copy(q, p, <usize>IPV6_HEADER_LEN);
  rhEmit(q + <usize>IPV6_HEADER_LEN, 24, <u8>nh, RH_TYPE0, 1, dst, 1);
  ipv6SetNextHeader(q, IPPROTO_ROUTING);
  ipv6SetPayloadLen(q, <u16>(len + 24 - IPV6_HEADER_LEN));
  addrCopy(ipv6Dst(q), e + B6_COA);
  count(C.MIP6_ROUTED);
  return q;
}

/**
 * An ICMPv6 error for this node (ip6.ts, checked): a Destination Unreachable (§7.8) about a packet we sent
 * through a binding (the quoted packet went to the care-of address with the home address in its Routing
 * header) is counted on the entry; the second one deletes the binding, so the next packet goes to the home
 * address and the home agent. The local stack still sees the error.
 */
function icmpError(iface: i32, p: usize, len: i32, off: i32): i32 {
  if (mnError != 0) changetype<Icmp6Handler>(mnError)(iface, p, len, off);
  if (load<u8>(p + <usize>off) != ICMP6_DEST_UNREACH) return -1;
  const inner = p + <usize>off + 8;
  const n = len - off - 8;
  if (n < IPV6_HEADER_LEN + 24 || ipv6NextHeader(inner) != IPPROTO_ROUTING) return -1;
  const h = inner + <usize>IPV6_HEADER_LEN;
  if (rhType(h) != RH_TYPE0 || rhNumAddrs(h) != 1) return -1;
  const home = rhAddr(h, 0);
  const e = bc6Lookup(home, nowMs(), false);
  if (e == 0 || !addrEqual(e + B6_COA, ipv6Dst(inner))) return -1;
  const k = load<u8>(e, B6_UNREACH) + 1;
  store<u8>(e, k, B6_UNREACH);
  if (k >= UNREACH_DELETE && (load<u8>(e, B6_FLAGS) & B6_HOME) == 0) {
    mip6Delete(home);
    count(C.MIP6_BC_UNREACH_DELETED);
  }
  return -1;
}

/** The Binding Request window of entry `e` (see BR_WINDOW_MIN_MS). */
function brWindow(e: usize): i64 {
  const granted = <i64>load<u32>(e, B6_LIFETIME) * 1000;
  let w = granted >> 2;
  if (w < BR_WINDOW_MIN_MS) w = BR_WINDOW_MIN_MS;
  if (w > BR_WINDOW_MAX_MS) w = BR_WINDOW_MAX_MS;
  return w < granted ? w : granted;
}

/** When entry `e` next needs the timer: its expiry, or its Binding Request time when in use. */
function dueAt(e: usize): i64 {
  const exp = load<i64>(e, B6_EXPIRES);
  if (exp == TIMER_NEVER || (load<u8>(e, B6_FLAGS) & (B6_USED | B6_HOME)) != B6_USED) return exp;
  const at = max<i64>(exp - brWindow(e), load<i64>(e, B6_REQ_AT) + BR_RETRY_MS);
  return at < exp ? at : exp;
}

function armAt(at: i64): void {
  armedAt = at;
  timer = timer >= 0 ? stackTimerArm(timer, TK_BC6, 0, at) : stackTimerStart(TK_BC6, 0, at);
}

/**
 * Entry `e` was created, updated or used: the cache's one timer fires no later than it needs (its expiry
 * or Binding Request time). O(1): only the timer walks the cache (once per firing), so an update costs
 * the same with 10 entries as with the largest board's thousands. The home agent calls it for its home
 * registrations too.
 */
export function mip6Arm(e: usize): void {
  const d = dueAt(e);
  if (d < armedAt || timer < 0) armAt(d);
}

/**
 * The cache's timer: expired entries go (§7.7); an entry in use whose lifetime nears its end gets a
 * Binding Request to its mobile node (§7.6), at most one a second.
 */
function bc6Timer(kind: u16, tag: u32, now: i64): void {
  bc6Expire(now);
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) {
    const e = bc6At(i);
    const f = load<u8>(e, B6_FLAGS);
    const exp = load<i64>(e, B6_EXPIRES);
    if ((f & (B6_USED | B6_HOME)) != B6_USED || exp == TIMER_NEVER) continue;
    if (exp - now > brWindow(e) || now - load<i64>(e, B6_REQ_AT) < BR_RETRY_MS) continue;
    store<i64>(e, now, B6_REQ_AT);
    sendBr(bc6HomeAt(i));
    // Why: §7.6 "if the sender knows that the Binding Cache entry is still in active use": it must be
    // used again (not by the request itself, which went through it) before the next request.
    store<u8>(e, f & ~B6_USED, B6_FLAGS);
  }
  let at = bc6NextExpiry();
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) { const d = dueAt(bc6At(i)); if (d < at) at = d; }
  armAt(at);
}

/** A Binding Request (§5.3) to home address `home` in a packet of its own (routed by §7.9). */
function sendBr(home: usize): void {
  const q = out + OUT_HEAD;
  const h = q + <usize>IPV6_HEADER_LEN;
  const hl = dstEnd(h, brAppend(h, 2, 64), 64, IPPROTO_NONE);
  if (!addr6Source(-1, home, ours)) return;
  ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>hl, IPPROTO_DSTOPTS, hopLimit6, ours, home);
  count(C.MIP6_BR_TX);
  ip6Send(q, IPV6_HEADER_LEN + hl, -1);
}

export { LIFETIME_INFINITE, B6_REQ_AT };
