// IPv6 Neighbor Discovery (RFC 2461) over the shared neighbour cache (link/neighbor.ts), with the
// address table of stack/addr6.ts:
//   - address resolution and NUD: Neighbor Solicitations (multicast to the solicited-node group, or
//     unicast probes) for the cache, Neighbor Advertisements answering them (§7.2), proxy entries
//     (the home agent answers for addresses it defends, shared with proxy ARP: stack/arp.ts);
//   - hosts: Router Solicitations at link-up (§6.3.7), Router Advertisements (§6.3.4) filling the
//     default router list, the prefix list (on-link, L) and autoconfiguration (A, stack/addr6.ts),
//     the link MTU, CurHopLimit, ReachableTime and RetransTimer; default router selection (§6.3.6);
//     Redirects accepted only from the current first hop for the destination (§8.1, §8.3);
//   - routers: periodic unsolicited advertisements on interfaces with advertised prefixes (§6.2.4,
//     MAX_INITIAL_RTR_ADVERTISEMENTS at a faster interval first), solicited ones rate limited
//     (MIN_DELAY_BETWEEN_RAS), Redirects to on-link sources (§8.2);
// The lists it fills (routers, prefixes, destination cache, link MTU) and next-hop determination
// live in stack/route6.ts, below the IPv6 layer.
//
// Who may change what:
//   default router list: a valid RA (hop limit 255, link-local source: it came from the link itself,
//     RFC 2461 §6.1.2) on that interface; a NA without the Router flag from that router (§7.2.5);
//     expiry; link down.
//   prefix list and addresses: a valid RA's prefix options only (addr6Prefix's two-hour rule).
//   neighbour entries: NS source link-layer option (STALE, §7.2.3), NA per §7.2.5 (never overwriting
//     a cached address without Override), RA/Redirect options; nothing else.
//   destination cache: a valid Redirect from the current first-hop router; a Packet Too Big (lowers
//     only, never below 1280).
import { C, count } from "../counters";
import { Ev, evBuf, evEmit } from "../events";
import { nowMs } from "../clock";
import { random } from "../host";
import * as cfg from "../config";
import { arenaAlloc } from "../mem";
import { MIP6 } from "../features";
import { netifCount, netifValid, netifUp, netifMac, netifMtu, netifListen, netifA6Alloc } from "../link/netif";
import { ethSendTo } from "../link/ethernet";
import {
  neighborSolicit6With, neighborFailedWith, neighborSetTimes6, neighborSeen6, neighborAdvert6, neighborState, NEIGH_FREE, NEIGH_INCOMPLETE,
} from "../link/neighbor";
import { pktBuffers } from "./packet";
import { proxyCheckAddr } from "./arp";
import { timerOwn, stackTimerArm, OWNER_ND } from "../sys/timers";
import {
  r6Init, r6LinkDown, r6Timer, r6RouterFind, r6RouterDrop, r6RouterUpdate, r6HasRouter, r6PrefixUpdate, r6SetLinkMtu,
  r6DestSet, r6NextHop, DF_REDIRECT, TK_LISTS,
} from "./route6";
import {
  addr6Init, addr6Start, addr6Prefix, addr6DadConflict, addr6State, addr6Source, addr6LinkLocal, addr6OnLink,
  addr6Advertised, addr6AdvertisesOn, addr6BootDelay, addr6Timer, addr6DropAutoconf, addr6Ours, addr6Optimistic, TK_ADDR6,
} from "./addr6";
import { ip6NdWith, ip6Send, ip6SetHopLimit, ip6RedirectWith, hopLimit6 } from "./ip6";
import { HEADROOM } from "../config";
import { A6_TENTATIVE } from "../link/netif"; // (ndNs, ndNa test A6_DUPLICATE = 4 as (st & 3) == 0)
import { ETH_HEADER_LEN, ETHERTYPE_IPV6, macEqual } from "../wire/ethernet";
import {
  addrCopy, addrEqual, addrIsUnspecified, addrIsLinkLocal6, addrPrefixMatch, addrSetAllNodes, addrSetAllRouters,
  addrSetSolicitedNode, macSetIpv6Multicast,
} from "../wire/addr";
import { ipv6Emit, ipv6Src, ipv6Dst, ipv6HopLimit, ipv6IsMulticast, IPV6_HEADER_LEN, IPV6_MIN_MTU, IPPROTO_ICMPV6 } from "../wire/ipv6";
import { icmp6FillChecksum } from "../wire/icmpv6";
import {
  NdErr, ndCheck, ndOptLla, ndOptFind, ndOptFindFrom, ndEmitNs, ndEmitNa, ndEmitRs, ndEmitRa, ndAppendPrefix, ndEmitRedirect,
  prefixOptValid, prefixOptLen, prefixOptFlags, prefixOptValidLifetime, prefixOptPreferredLifetime, prefixOptPrefix,
  mtuOptValue, ND_RS, ND_RA, ND_NS, ND_NA, ND_REDIRECT, ND_OPT_SLLA, ND_OPT_TLLA, ND_OPT_PREFIX, ND_OPT_MTU,
  NA_FLAG_ROUTER, NA_FLAG_SOLICITED, NA_FLAG_OVERRIDE, NA_FLAGS, PREFIX_FLAG_L, PREFIX_FLAG_A, ND_TARGET, ND_REDIR_DEST,
  RA_CUR_HOP_LIMIT, RA_ROUTER_LIFETIME, RA_REACHABLE, RA_RETRANS, ND_HOP_LIMIT,
} from "../wire/nd";

// RFC 2461 §10 constants.
const MAX_RTR_SOLICITATIONS: i32 = 3;
const RTR_SOLICITATION_INTERVAL_MS: i64 = 4000;
const MAX_INITIAL_RTR_ADVERTISEMENTS: i32 = 3;
const MAX_INITIAL_RTR_ADVERT_INTERVAL_MS: i64 = 16000;
const MIN_DELAY_BETWEEN_RAS_MS: i64 = 3000;

const TK_RS: u16 = (OWNER_ND << 8) | 2;     // tag: interface
const TK_RA: u16 = (OWNER_ND << 8) | 3;     // tag: interface

// Per-interface state (MAX_IFACES = 8): Router Solicitations sent, initial advertisements sent, the
// link MTU an advertisement set (0: the interface's), the last advertisement's time, timer handles.
// One arena block on IPv6 nodes, at `ifs`, each array indexed by interface at a constant offset
// (Why (size): one pointer and the offsets in the loads and stores, not a global per array):
//   lastRa i64[8] @0 | rsTimer i32[8] @64 | raTimer i32[8] @96 | rsSent u8[8] @128 | raSent u8[8] @136 |
//   a0 a1 a2 [16] @144 | mac0 [8] @192 | addr6.ts scratch [16] @200 | rsStart i64[8] @216 (when the
//   solicitations began) | rsBoot u8[8] @280 (they began at boot) | rsUnspec u8[8] @288 (the last went from ::)
let ifs: usize = 0;
const O_LAST_RA: usize = 0;
const O_RS_TIMER: usize = 64;
const O_RA_TIMER: usize = 96;
const O_RS_SENT: usize = 128;
const O_RA_SENT: usize = 136;
const O_RS_START: usize = 216;
const O_RS_BOOT: usize = 280;
const O_RS_UNSPEC: usize = 288;
const ST_SIZE: i32 = 296;
/** How long the first solicitation waits for the link-local address (its DAD with dadTransmits 1, plus the boot delay). */
const RS_WAIT_LL_MS: i64 = 3000;

// The message buffer: everything Neighbor Discovery sends is built here (never in a buffer the packet
// that caused it may lie in: a solicitation is sent while the neighbour cache copies that packet).
let buf: usize = 0;
const BUF_CAP: i32 = 1280;
// Scratch addresses and a MAC, in the same block.
let a0: usize = 0;
let a1: usize = 0;
let a2: usize = 0;
let mac0: usize = 0;
let baseReachableMs: u32 = 30000;
let retrans: u32 = 1000;


/**
 * Set up Neighbor Discovery on a node with IPv6 (init, after the neighbour cache): its buffer and
 * destination cache from the arena, the ICMPv6 types 133-137, the cache's IPv6 solicitations, the
 * address table's DAD. False when memory ran out.
 */
export function ndInit(): bool {
  if (!cfg.ipv6Enabled()) return true;
  const st = arenaAlloc(ST_SIZE);
  buf = arenaAlloc(<usize>(HEADROOM + ETH_HEADER_LEN + BUF_CAP));
  if (!r6Init() || buf == 0 || st == 0 || !netifA6Alloc()) return false;
  ifs = st;
  a0 = st + 144; a1 = st + 160; a2 = st + 176; mac0 = st + 192;
  // (st comes zeroed from the arena: mem.ts.)
  memory.fill(st + O_RS_TIMER, 0xff, 64); // both timer arrays: no timer
  pktBuffers(buf, 1, <usize>(HEADROOM + ETH_HEADER_LEN + BUF_CAP));
  ip6RedirectWith(ndMaybeRedirect);
  ip6NdWith(ndInput); // the types ND_RS .. ND_REDIRECT
  neighborSolicit6With(ndSolicit);
  if (MIP6) neighborFailedWith(ndNeighborFailed);
  addr6Init(ndDadSend, st + 200);
  timerOwn(OWNER_ND, ndTimer);
  netifListen(ndLink);
  baseReachableMs = <u32>cfg.reachableTimeMs();
  retrans = <u32>cfg.retransTimerMs();
  setTimes(0);
  return true;
}

/** Start IPv6 on every interface that is up (after the configuration is applied). */
export function ndStart(): void {
  if (!cfg.ipv6Enabled()) return;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) linkUp(i, true);
}

function isRouter(): bool { return (cfg.roles & cfg.ROLE_ROUTER) != 0; }

function linkUp(iface: i32, boot: bool): void {
  addr6Start(iface, boot);
  if (isRouter()) {
    if (addr6AdvertisesOn(iface)) {
      store<u8>(ifs + <usize>iface, 0, O_RA_SENT);
      // The first advertisement follows the link-local address's DAD (its source must be usable).
      armRa(iface, nowMs() + <i64>cfg.retransTimerMs() * <i64>(cfg.dadTransmits() + 1) + 1);
    }
  } else {
    // Why: RFC 2461 §6.3.7: a host solicits at interface initialization, after a random delay up to
    // MAX_RTR_SOLICITATION_DELAY at boot; a link change of a moving node solicits at once (docs/decisions.md).
    store<u8>(ifs + <usize>iface, 0, O_RS_SENT);
    store<i64>(ifs + (<usize>iface << 3), nowMs(), O_RS_START);
    store<u8>(ifs + <usize>iface, boot ? 1 : 0, O_RS_BOOT);
    store<u8>(ifs + <usize>iface, 0, O_RS_UNSPEC);
    armRs(iface, nowMs() + addr6BootDelay(boot));
  }
}

/**
 * Neighbor Unreachability Detection gave up on `a` (link/neighbor.ts). A host's default router there is
 * gone from its list (RFC 2461 §7.3.3: it is not used while unreachable), and with no router left the host
 * solicits at once: seed 003 §9.2, a mobile node "SHOULD use Neighbor Unreachability Detection" to notice
 * that its default router is unreachable and find the next one (and its prefixes: a new care-of address).
 */
function ndNeighborFailed(iface: i32, a: usize): void {
  const r = r6RouterFind(iface, a);
  if (r < 0 || isRouter()) return;
  r6RouterDrop(r);
  if (r6HasRouter(iface)) return;
  store<u8>(ifs + <usize>iface, 0, O_RS_SENT);
  store<i64>(ifs + (<usize>iface << 3), nowMs(), O_RS_START);
  armRs(iface, nowMs());
}

/** Link events: up starts the interface (DAD, solicitation); down forgets what was learnt on it. */
function ndLink(iface: i32, up: bool): void {
  if (up) { linkUp(iface, false); return; }
  // Why: a link that went down may come up on another network (a roaming node): routers, prefixes
  // and autoconfigured addresses of the old one are not trusted there (docs/decisions.md "IPv6").
  r6LinkDown(iface);
  addr6DropAutoconf(iface);
}

function armRs(iface: i32, at: i64): void {
  const h = ifs + O_RS_TIMER + (<usize>iface << 2);
  store<i32>(h, stackTimerArm(load<i32>(h), TK_RS, <u32>iface, at));
}
function armRa(iface: i32, at: i64): void {
  const h = ifs + O_RA_TIMER + (<usize>iface << 2);
  store<i32>(h, stackTimerArm(load<i32>(h), TK_RA, <u32>iface, at));
}

function ndTimer(kind: u16, tag: u32, now: i64): void {
  const iface = <i32>tag;
  // Why (size): the kind masked once (a u16 is re-masked at each comparison).
  const k = <i32>kind;
  if (k == TK_ADDR6) { addr6Timer(kind, tag, now); return; }
  if (k == TK_RS) {
    // Why (size): the interface's bytes of the u8 arrays from one base.
    const b = ifs + <usize>iface;
    store<i32>(ifs + (<usize>iface << 2), -1, O_RS_TIMER);
    const n = <i32>load<u8>(b, O_RS_SENT);
    if (!netifUp(iface) || n >= MAX_RTR_SOLICITATIONS || r6HasRouter(iface)) return;
    // Why: RFC 2461 §6.3.7 lets a solicitation come from :: (while the link-local address is still
    // tentative) or from the link-local address with our link-layer address. Some routers answer only
    // the latter promptly (radvd: by unicast; one from :: earns a multicast advertisement when its
    // rate limit allows, up to 3 s later). At boot the first solicitation waits (bounded) for the
    // link-local address, as Linux hosts do; after a link change (a roaming node) it goes at once, and
    // if it had to go from :: the next one follows as soon as the link-local address is usable
    // instead of RTR_SOLICITATION_INTERVAL later (docs/decisions.md "IPv6").
    const ll = addr6LinkLocal(iface, a1);
    const waited = now - load<i64>(ifs + (<usize>iface << 3), O_RS_START);
    const boot = load<u8>(b, O_RS_BOOT) != 0;
    const fromUnspec = load<u8>(b, O_RS_UNSPEC) != 0;
    if (!ll && waited < RS_WAIT_LL_MS && (n == 0 ? boot : fromUnspec)) { armRs(iface, now + 50); return; }
    store<u8>(b, ll ? 0 : 1, O_RS_UNSPEC);
    sendRs(iface);
    store<u8>(b, <u8>(n + 1), O_RS_SENT);
    armRs(iface, ll || waited >= RS_WAIT_LL_MS ? now + RTR_SOLICITATION_INTERVAL_MS : now + 50);
    return;
  }
  if (k == TK_RA) {
    store<i32>(ifs + (<usize>iface << 2), -1, O_RA_TIMER);
    if (!netifUp(iface) || !addr6AdvertisesOn(iface)) return;
    armRa(iface, now + (sendRa(iface, now) ? nextRaInterval(iface) : <i64>cfg.retransTimerMs()));
    return;
  }
  if (k == TK_LISTS) r6Timer(now);
}

/**
 * Time to the next unsolicited advertisement: uniformly random in [MinRtrAdvInterval, MaxRtrAdvInterval]
 * (RFC 2461 §6.2.4; Min = Max / 3, §6.2.1's default), at most MAX_INITIAL_RTR_ADVERT_INTERVAL for the first
 * MAX_INITIAL_RTR_ADVERTISEMENTS.
 */
function nextRaInterval(iface: i32): i64 {
  const max = <i64>cfg.raIntervalMs();
  const min = max / 3;
  let t = min + <i64>randomBelow(<u32>(max - min + 1));
  const n = load<u8>(ifs + <usize>iface, O_RA_SENT);
  if (<i32>n < MAX_INITIAL_RTR_ADVERTISEMENTS) {
    store<u8>(ifs + <usize>iface, n + 1, O_RA_SENT);
    if (t > MAX_INITIAL_RTR_ADVERT_INTERVAL_MS) t = MAX_INITIAL_RTR_ADVERT_INTERVAL_MS;
  }
  return t;
}

// ---- sending ------------------------------------------------------------------------------------

/** Where a message of ours begins in the buffer (IPv6 header 40 bytes in front of it, Ethernet before). */
function msg(): usize { return buf + <usize>(HEADROOM + ETH_HEADER_LEN + IPV6_HEADER_LEN); }

/** `mac` of sendMsg: route the message (through the neighbour cache) instead of sending it to a MAC. */
const ROUTED: usize = 1;

/** Wrap the `n`-byte ICMPv6 message at msg() (none when `n` <= 0: it did not fit) from `a1` to `a2`
 *  (hop limit 255), count it as `c` and send it on `iface` to the MAC at `mac` (0: the group MAC of
 *  `a2`; ROUTED: by ip6Send to the unicast `a2`). */
function sendMsg(iface: i32, n: i32, c: C, mac: usize): void {
  if (n <= 0) return;
  count(c);
  const src = a1, dstA = a2;
  const m = msg();
  const h = m - <usize>IPV6_HEADER_LEN;
  // Why: RFC 2461 §6.1, §7.1, §8.1: every ND message is sent with hop limit 255, so a receiver knows
  // it was not forwarded from another link.
  ipv6Emit(h, IPV6_HEADER_LEN, 0, 0, <u16>n, IPPROTO_ICMPV6, ND_HOP_LIMIT, src, dstA);
  icmp6FillChecksum(m, n, ipv6Src(h), ipv6Dst(h));
  if (mac == ROUTED) { ip6Send(h, IPV6_HEADER_LEN + n, iface); return; }
  if (mac == 0) { macSetIpv6Multicast(mac0, dstA); mac = mac0; }
  ethSendTo(iface, mac, ETHERTYPE_IPV6, h, IPV6_HEADER_LEN + n);
}

/**
 * The neighbour cache's solicitation for `target` on `iface` (link/neighbor.ts): to the solicited-node
 * group, or (NUD probe) unicast to the cached `mac`, from an address of ours on that interface with
 * our link-layer address (RFC 2461 §7.2.2).
 */
function ndSolicit(iface: i32, target: usize, mac: usize): void {
  if (!addr6Source(iface, target, a1)) return;
  addrCopy(a2, target);
  if (mac == 0) addrSetSolicitedNode(a2, target);
  // Why: RFC 4429 §3.3 (modifies RFC 2461 §7.2.2): never a link-layer option from an Optimistic source (it
  // would override the entry of the address's owner, were DAD to fail).
  const n = ndEmitNs(msg(), BUF_CAP, target, MIP6 && addr6Optimistic(iface, a1) ? 0 : netifMac(iface));
  sendMsg(iface, n, C.ND_TX_NS, mac);
}

/** DAD's solicitation for our tentative `target` (RFC 2462 §5.4.2): from ::, no link-layer option. */
function ndDadSend(iface: i32, target: usize): void {
  memory.fill(a1, 0, 16);
  addrSetSolicitedNode(a2, target);
  const n = ndEmitNs(msg(), BUF_CAP, target, 0);
  sendMsg(iface, n, C.ND_TX_NS, 0);
}

function sendRs(iface: i32): void {
  // Why: RFC 2461 §6.3.7: from the link-local address with our link-layer address, or from :: with none
  // while that address is still tentative.
  const have = addr6LinkLocal(iface, a1);
  if (!have) memory.fill(a1, 0, 16);
  addrSetAllRouters(a2);
  const n = ndEmitRs(msg(), BUF_CAP, have ? netifMac(iface) : 0);
  sendMsg(iface, n, C.ND_TX_RS, 0);
}

/** Build the Router Advertisement of `iface` in the message buffer; its length (<= 0: none). */
function raBuild(iface: i32): i32 {
  const m = msg();
  // Why: RFC 2461 §6.2.3: CurHopLimit our hop limit, Router Lifetime AdvDefaultLifetime, Reachable and
  // Retrans Timer unspecified (0) unless configured, our link-layer address, the link MTU, and each
  // prefix we advertise with L and A and its lifetimes.
  let n = ndEmitRa(m, BUF_CAP, hopLimit6, 0, <u16>cfg.raLifetimeSec(), 0, 0, netifMac(iface), <u32>netifMtu(iface));
  for (let k = 0; n > 0; k++) {
    const e = addr6Advertised(iface, k);
    if (e == 0) break;
    const nn = ndAppendPrefix(m, n, BUF_CAP, e, load<u8>(e, 16), PREFIX_FLAG_L | PREFIX_FLAG_A, load<u32>(e, 20), load<u32>(e, 24));
    if (nn <= 0) break;
    n = nn;
  }
  return n;
}

/** False when the interface has no usable link-local address yet (the advertisement's source): then
 *  nothing went. */
function sendRa(iface: i32, now: i64): bool {
  if (!addr6LinkLocal(iface, a1)) return false;
  addrSetAllNodes(a2);
  const n = raBuild(iface);
  if (n <= 0) return true;
  store<i64>(ifs + (<usize>iface << 3), now, O_LAST_RA);
  sendMsg(iface, n, C.ND_TX_RA, 0);
  return true;
}

/**
 * The Router Advertisement `iface` multicasts, copied to `out` (capacity `cap`): the ICMPv6 message, its
 * checksum not filled (it depends on the addresses it is sent with). Returns its length, or 0. For the
 * Mobile IPv6 home agent, which tunnels it to mobile nodes away from home (seed 003 §8.5).
 */
export function ndRaCopy(iface: i32, out: usize, cap: i32): i32 {
  const n = raBuild(iface);
  if (n <= 0 || n > cap) return 0;
  memory.copy(out, msg(), <usize>n);
  return n;
}

function sendNa(iface: i32, target: usize, to: usize, flags: u8, mac: usize): void {
  // Why: RFC 2461 §7.2.4: the source is an address of the interface (the target itself when it is ours).
  if (addr6Ours(target, iface) >= 0) addrCopy(a1, target);
  else if (!addr6Source(iface, to, a1)) return;
  addrCopy(a2, to);
  addrCopy(a0, target);
  const n = ndEmitNa(msg(), BUF_CAP, flags, a0, netifMac(iface));
  sendMsg(iface, n, C.ND_TX_NA, mac);
}

// ---- receiving ----------------------------------------------------------------------------------

/**
 * Every Neighbor Discovery message for this node (ICMPv6 133-137 at `off` of the packet at `p`, its
 * checksum checked): counted, dropped when it came from the local stack (iface -1), ignored where
 * the node's role says so, validated (RFC 2461 §6.1, §7.1, §8.1: wire/nd.ts ndCheck), then handled
 * by its type with the message at `m`, `ml` bytes. Returns 0 used or ignored, 1 dropped.
 */
function ndInput(iface: i32, p: usize, len: i32, off: i32): i32 {
  const t = load<u8>(p + <usize>off);
  // NS or NA (types 135, 136) in one unsigned test.
  const nsNa = <u32>t - <u32>ND_NS < 2;
  // The receive counters are ordered NS NA RS RA Redirect; the types RS RA NS NA Redirect.
  const i = <i32>t - <i32>ND_RS;
  count(<C>(<i32>C.ND_RX_NS + (i == 4 ? 4 : (i + 2) & 3)));
  if (iface < 0) return nsNa ? 1 : 0;
  if (t == ND_RS) {
    // Why: RFC 2461 §6.2.6: hosts silently discard solicitations; a router answers only on interfaces
    // where it advertises.
    if (!isRouter() || !addr6AdvertisesOn(iface)) return 0;
  } else if (!nsNa && isRouter()) {
    // Why: RFC 2461 §6.2.7: routers do not configure themselves from other routers' advertisements,
    // and §8: Redirects are for hosts.
    return 0;
  }
  if (ndCheck(p + <usize>off, len - off, ipv6HopLimit(p), ipv6Src(p), ipv6Dst(p)) != NdErr.OK) { count(C.DROP_ND_INVALID); return 1; }
  const m = p + <usize>off;
  const ml = len - off;
  if (t == ND_NS) ndNs(iface, p, m, ml);
  else if (t == ND_NA) ndNa(iface, p, m, ml);
  else if (t == ND_RS) ndRs(iface, p, m, ml);
  else if (t == ND_RA) ndRa(iface, p, m, ml);
  else return ndRedirect(iface, p, m, ml);
  return 0;
}

/** The Ethernet source of the frame holding the received packet at `p` (the rx buffer keeps it at p-8). */
// @ts-ignore: decorator
@inline function frameSrc(p: usize): usize { return p - 8; }

/** True when the frame came from one of our own interfaces (a multicast looped back by the link). */
function fromSelf(iface: i32, p: usize): bool { return macEqual(frameSrc(p), netifMac(iface)); }

/** The link-layer address option `type` of the message at `m` (`ml` bytes), if any, makes or
 *  updates the neighbour entry of `who` on `iface` (STALE). Returns the MAC (0: none). */
function learnLla(iface: i32, who: usize, m: usize, ml: i32, type: u8): usize {
  const lla = ndOptLla(m, ml, type);
  if (lla != 0) neighborSeen6(iface, who, lla, true);
  return lla;
}

/**
 * The state of the target of the NS or NA at `m` on `iface` (addr6State), -1 when it is one of our
 * tentative addresses: then, when `dad` and the message is not our own looped back, DAD failed for it.
 * Why (size): the solicitation's and the advertisement's DAD step in one place.
 */
function targetState(iface: i32, p: usize, m: usize, dad: bool): i32 {
  const target = m + <usize>ND_TARGET;
  const st = addr6State(iface, target);
  if (st != A6_TENTATIVE) return <i32>st;
  if (dad && !fromSelf(iface, p)) addr6DadConflict(iface, target);
  return -1;
}

function ndNs(iface: i32, p: usize, m: usize, ml: i32): void {
  const target = m + <usize>ND_TARGET;
  const src = ipv6Src(p);
  const unspec = addrIsUnspecified(src);
  // Why: RFC 2462 §5.4.3: a solicitation from :: for our tentative address is another node's DAD:
  // the address is a duplicate. From a unicast source it is resolution by a node that will learn
  // otherwise; ignored.
  const st = targetState(iface, p, m, unspec);
  // Why: RFC 4429 §3.3: an Optimistic address is answered (the router must reach it during DAD) but
  // without Override (below), so the owner's entry wins if it turns out a duplicate.
  const optimistic = st < 0 && MIP6 && !unspec && addr6Optimistic(iface, target);
  if (st < 0 && !optimistic) return;
  let proxy = optimistic;
  // (st is 0 (none) or a state 2-4 here; none or DUPLICATE (4) is (st & 3) == 0.)
  if (!optimistic && (st & 3) == 0) {
    // Why: RFC 2461 §7.2.3: only a target that is ours (or one we proxy for) is answered.
    if (!proxyCheckAddr(iface, target)) return;
    proxy = true;
  }
  // Why: RFC 2461 §7.2.3: the solicitor's link-layer address creates or updates a STALE entry (a
  // solicitation from :: carries none: ndCheck).
  const slla = learnLla(iface, src, m, ml, ND_OPT_SLLA);
  // Why: RFC 2461 §7.2.4: Solicited set unless the solicitation came from :: (then to all-nodes),
  // Override set except for a proxy answer (§7.2.8: a proxy must not override the owner), Router
  // for a router.
  let flags: u8 = (unspec ? 0 : NA_FLAG_SOLICITED) | (proxy ? 0 : NA_FLAG_OVERRIDE) | (isRouter() ? NA_FLAG_ROUTER : 0);
  let to = src;
  let mac = slla != 0 ? slla : mac0;
  if (unspec) { addrSetAllNodes(a2); to = a2; mac = 0; }
  else memory.copy(mac0, frameSrc(p), 6);
  sendNa(iface, target, to, flags, mac);
}

function ndNa(iface: i32, p: usize, m: usize, ml: i32): void {
  const target = m + <usize>ND_TARGET;
  // Why: RFC 2462 §5.4.4: an advertisement for a tentative address: it is in use elsewhere.
  const st = targetState(iface, p, m, true);
  if (st < 0) return;
  if ((st & 3) != 0) { count(C.ND_ADDR_CONFLICT); return; } // ours and usable (not none, not DUPLICATE (4))
  const flags = load<u8>(m, NA_FLAGS);
  neighborAdvert6(iface, target, ndOptLla(m, ml, ND_OPT_TLLA), (flags & NA_FLAG_SOLICITED) != 0, (flags & NA_FLAG_OVERRIDE) != 0);
  // Why: RFC 2461 §7.2.5: a router that now says it is not one leaves the default router list.
  if ((flags & NA_FLAG_ROUTER) == 0) {
    const r = r6RouterFind(iface, target);
    if (r >= 0) r6RouterDrop(r);
  }
}

function ndRs(iface: i32, p: usize, m: usize, ml: i32): void {
  // (One from :: carries no source link-layer option: ndCheck.)
  learnLla(iface, ipv6Src(p), m, ml, ND_OPT_SLLA);
  // Why: RFC 2461 §6.2.6: the solicited advertisement goes to all-nodes, no sooner than
  // MIN_DELAY_BETWEEN_RAS after the previous multicast one (at once when that allows: the random
  // 0..MAX_RA_DELAY_TIME wait only spreads answers of several routers, docs/decisions.md "IPv6").
  const now = nowMs();
  const minGap = min(MIN_DELAY_BETWEEN_RAS_MS, <i64>cfg.raIntervalMs() / 3);
  const last = load<i64>(ifs + (<usize>iface << 3), O_LAST_RA);
  armRa(iface, last + minGap > now ? last + minGap : now);
}

function ndRa(iface: i32, p: usize, m: usize, ml: i32): void {
  const src = ipv6Src(p);
  learnLla(iface, src, m, ml, ND_OPT_SLLA);
  // Why: RFC 2461 §6.3.4: non-zero CurHopLimit, Reachable Time and Retrans Timer replace ours.
  const chl = load<u8>(m, RA_CUR_HOP_LIMIT);
  if (chl != 0) ip6SetHopLimit(chl);
  const reach = bswap<u32>(load<u32>(m, RA_REACHABLE));
  if (reach - 1 < 3600000) baseReachableMs = reach; // 1..3600000 (u32: 0 wraps above)
  const retr = bswap<u32>(load<u32>(m, RA_RETRANS));
  setTimes(retr != 0 ? retr : 0);
  r6RouterUpdate(iface, src, <u32>bswap<u16>(load<u16>(m, RA_ROUTER_LIFETIME)));
  const mo = ndOptFind(m, ml, ND_OPT_MTU);
  if (mo >= 0) {
    // Why: RFC 2461 §6.3.4: an MTU option is taken if it lies between the IPv6 minimum and the link's.
    const v = mtuOptValue(m + <usize>mo);
    if (v >= <u32>IPV6_MIN_MTU && v <= <u32>netifMtu(iface)) r6SetLinkMtu(iface, v);
  }
  for (let o = ndOptFind(m, ml, ND_OPT_PREFIX); o >= 0;) {
    const q = m + <usize>o;
    const bytes = <i32>load<u8>(q, 1) << 3;
    onPrefix(iface, q, bytes);
    o = ndOptFindFrom(m, ml, ND_OPT_PREFIX, o + bytes);
  }
  // An answer came: no more solicitations on this link.
  store<u8>(ifs + <usize>iface, <u8>MAX_RTR_SOLICITATIONS, O_RS_SENT);
}

/** A Prefix Information option at `q` (`bytes` long) of a valid advertisement on `iface`; one it
 *  cannot take is counted (DROP_RA_PREFIX). */
function onPrefix(iface: i32, q: usize, bytes: i32): void {
  if (!prefixTaken(iface, q, bytes)) count(C.DROP_RA_PREFIX);
}

/** onPrefix's work: false when the option is refused. Why (size): one count for every refusal. */
function prefixTaken(iface: i32, q: usize, bytes: i32): bool {
  if (!prefixOptValid(q, bytes)) return false;
  const plen = <i32>prefixOptLen(q);
  const pre = prefixOptPrefix(q);
  const valid = prefixOptValidLifetime(q);
  const pref = prefixOptPreferredLifetime(q);
  const fl = prefixOptFlags(q);
  // Why: RFC 2461 §6.3.4 / RFC 2462 §5.5.3 (b): the link-local prefix is ignored; (c) a preferred
  // lifetime above the valid one is an inconsistent option, ignored.
  if (addrIsLinkLocal6(pre) || pref > valid || plen > 128) return false;
  if ((fl & PREFIX_FLAG_L) != 0) r6PrefixUpdate(iface, pre, plen, valid);
  if ((fl & PREFIX_FLAG_A) != 0) {
    // Why: RFC 2462 §5.5.3 (d) / RFC 2464 §4: an address is the prefix and the 64-bit interface
    // identifier of Ethernet; a prefix of any other length cannot form one.
    if (plen != 64) return false;
    addr6Prefix(iface, pre, plen, valid, pref);
  }
  return true;
}

function ndRedirect(iface: i32, p: usize, m: usize, ml: i32): i32 {
  const target = m + <usize>ND_TARGET;
  const dest = m + <usize>ND_REDIR_DEST;
  // Why: RFC 2461 §8.1: only the router currently used as first hop for the destination may redirect.
  const oif = r6NextHop(dest, iface, a0);
  if (oif != iface || !addrEqual(a0, ipv6Src(p))) { count(C.DROP_ND_REDIRECT); return 1; }
  r6DestSet(dest, target, iface, DF_REDIRECT, 0);
  // Why: RFC 2461 §8.3: a target link-layer option creates or updates the target's entry (STALE).
  learnLla(iface, target, m, ml, ND_OPT_TLLA);
  return 0;
}

/**
 * A router forwards the packet at `p` back out `iface`, where it came from, towards `next` (RFC 2461
 * §8.2): when the source is on that link (a neighbour: its prefix is on-link, or it is link-local) and
 * the packet was not source-routed, tell it the better first hop (rate limited with ICMPv6 errors).
 */
function ndMaybeRedirect(iface: i32, p: usize, len: i32, next: usize): void {
  if (!isRouter()) return;
  const src = ipv6Src(p);
  if (!addr6OnLink(iface, src)) return;
  if (!addr6LinkLocal(iface, a1)) return;
  addrCopy(a2, src);
  sendMsg(iface, ndEmitRedirect(msg(), BUF_CAP, next, ipv6Dst(p), 0, p, len), C.ND_TX_REDIRECT, ROUTED);
}

/** A random value below `n` (4 random bytes). */
function randomBelow(n: u32): u32 {
  random(a0, 4);
  return load<u32>(a0) % n;
}

/** ReachableTime: a random value in [0.5, 1.5] × BaseReachableTime (RFC 2461 §6.3.2); a non-zero
 *  `retransMs` becomes the RetransTimer (0: unspecified, the current one stays). */
function setTimes(retransMs: u32): void {
  if (retransMs != 0) retrans = retransMs;
  const base = <i64>baseReachableMs;
  const r = base / 2 + <i64>randomBelow(<u32>(base + 1));
  neighborSetTimes6(r, <i64>retrans);
}

/**
 * An unsolicited Neighbor Advertisement on `iface` for `target` (an address we answer for: ours or a
 * proxy entry), to all-nodes, Override set, our link-layer address as the target's (RFC 2461 §7.2.6):
 * the Mobile IPv6 home agent's "gratuitous" advertisement for a mobile node's home address (seed 003
 * §8.2), and a mobile node's own return home (§9.13).
 */
export function ndAdvertise(iface: i32, target: usize): void {
  addrSetAllNodes(a2);
  sendNa(iface, target, a2, NA_FLAG_OVERRIDE | (isRouter() ? NA_FLAG_ROUTER : 0), 0);
}

