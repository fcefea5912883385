// Mobile IPv6 mobile node (seed 003 §9; issue 13 point 4), first part: registration of the primary care-of
// address with the home agent, packets sent and received away from home, returning home.
//
// Configured by two marks (docs/mip6.md): the home address is an `ipv6` address with `"home": true` (its
// prefix is the home subnet; stack/addr6.ts keeps it "ours" on any link but never on-link), and the home
// agent is the `ipsec` peer with `"homeAgent": true` (the security association every Binding Update and
// Acknowledgement needs, §4.2). Without both the role does nothing here.
//
//   §9.2/§9.3  movement: the link's Router Advertisements form addresses by stateless autoconfiguration
//              with DAD (stack/nd.ts, addr6.ts); a usable one outside the home prefix is a care-of address,
//              the newest one the primary; one inside it means the node is at home. Looked at after
//              every change of the address table (no polling). A care-of address is Optimistic (RFC
//              4429, mobility.optimisticDad): registered while its DAD runs.
//   §9.4       Binding Update to the home agent: A and H, the Home Address option, from the care-of
//              address, AH under the home agent's SA (ip6.ts outbound policy).
//   §9.7/§9.8  retransmitted until acknowledged: INITIAL_BINDACK_TIMEOUT 1 s doubling to
//              MAX_BINDACK_TIMEOUT 256 s; never more than one Binding Update a second (MAX_UPDATE_RATE).
//   §9.10      Binding Acknowledgement: only with AH verified by the home agent's SA and the sequence of
//              the update outstanding; accepted: registered until the granted lifetime, refreshed at 80 %
//              of it (or of Refresh when smaller).
//   §9.1       away from home, a packet from the home address goes through the home agent's tunnel
//              (default; issue 13.6) or from the care-of address with a Home Address option (`direct`);
//              tunnelled packets from the home agent are decapsulated (stack/tunnel6.ts accepts the home
//              agent as a remote end; its AH, under our SA, is what the inbound policy asks).
//   §9.13      returning home: de-registration (lifetime 0, from the home address) and a Neighbor
//              Advertisement for the home address.
//
//   §9.5/§9.11 a correspondent whose packets came through the home agent's tunnel, or that sends a
//              Binding Request, gets a Binding Update (with our SA with it); acknowledged, it is answered
//              directly (Home Address option) and routes to us with a Routing header.
//
//   §9.9       a Parameter Problem (code 2) about a Binding Update: no more updates to that node.
//
//   §9.4/§8.1  dynamic home agent discovery: with the home agent's SA configured for the Home-Agents
//              anycast address of the home subnet, the first Binding Update goes there; the home agent
//              that answers with status 135 from its own address is registered with from then on
//              (security/ipsec.ts lets the anycast SA stand for it).
//
//   §9.6/§9.12 previous router: with a key shared with the routers of the subnet left (an SA for its
//              Subnet-Router anycast address), a Binding Update with H asks them to tunnel what arrives for
//              the old care-of address, which stays ours meanwhile (startPrev).

import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { stackTimerStart, stackTimerArm, timerOwn, OWNER_MN6 } from "../sys/timers";
import { ip6Send, hopLimit6, ip6AuthSa, ip6AlsoOurs, ip6AhVerify } from "../stack/ip6";
import { addr6Home, addr6CareOf, addr6AtHome, addr6WatchWith, addr6LinkLocal, addr6Configure, addr6IsHome } from "../stack/addr6";
import { netifA6Find } from "../link/netif";
import { ahSpi, ahLen } from "../wire/ah";
import {
  ndOptFind, ndOptFindFrom, ndOptNext, prefixOptValid, prefixOptLen, prefixOptFlags, prefixOptValidLifetime, prefixOptPreferredLifetime,
  prefixOptPrefix, ND_RA, ND_RA_LEN, ND_OPT_PREFIX, PREFIX_FLAG_A,
} from "../wire/nd";
import { TIMER_NEVER } from "../table/timer";
import { ndAdvertise } from "../stack/nd";
import { pktAlloc, pktRoom } from "../stack/packet";
import { tun6AcceptFrom, tun6AcceptWith, tun6DecapWith, tun6HomeRaWith } from "../stack/tunnel6";
import { ipsecHomeAgent, ipsecHomeAgentFound, ipsecIn, ipsecOut } from "../security/ipsec";
import { AH_SA_PEER } from "../security/ah";
import { addrCopy, addrEqual } from "../wire/addr";
import { ipv6Src, ipv6Dst, ipv6IsMulticast, ipv6NextHeader, ipv6SetNextHeader, ipv6SetPayloadLen, ipv6Emit, IPV6_HEADER_LEN, IPPROTO_DSTOPTS, IPPROTO_NONE, IPPROTO_IPV6 } from "../wire/ipv6";
import { Mip6, BaStatus, baStatus, baSeq, baLifetime, baRefresh, haoAppend, buAppend, dstEnd, mip6Type, addrIsHaAnycast, BU_A, BU_H } from "../wire/mip6";
import { mip6NodeWith, mip6MobileWith } from "./mip6";
import { Ev, evBuf, evEmit } from "../events";

const AT_HOME: i32 = 0, REGISTERING: i32 = 1, REGISTERED: i32 = 2, DEREGISTERING: i32 = 3;
/** INITIAL_BINDACK_TIMEOUT, MAX_BINDACK_TIMEOUT (SPEC-DECISIONS), MAX_UPDATE_RATE: one a second. */
const INITIAL_BINDACK_MS: i64 = 1000;
const MAX_BINDACK_MS: i64 = 256000;
const MIN_UPDATE_GAP_MS: i64 = 1000;
/** MAX_FAST_UPDATES, SLOW_UPDATE_RATE (SPEC-DECISIONS: 5; once per 10 s). */
const MAX_FAST_UPDATES: i32 = 5;
const SLOW_UPDATE_GAP_MS: i64 = 10000;
const TK_MN6: u16 = OWNER_MN6 << 8;

let active = false;
let homeIface: i32 = -1;
let homePlen: i32 = 64;
// home[16] | ha[16] (the home agent: configured, or found by discovery) | coa[16] (the care-of address
// registered or being registered) | scratch[16] | the configured home agent peer[16] (its SA's peer: a
// unicast address, or the Home-Agents anycast address for dynamic discovery, §9.4)
let addrs: usize = 0;
let out: usize = 0;
const OUT_HEAD: usize = 96;
let state: i32 = AT_HOME;
let seq: i32 = 0;
let backoff: i64 = INITIAL_BINDACK_MS;
let nextTx: i64 = 0;
let lastTx: i64 = -MIN_UPDATE_GAP_MS;
let refreshAt: i64 = 0;
let timer: i32 = -1;
// The Binding Update List's correspondent entries (§4.3, §9.5): BUL_N of them, each 0 dst[16] | 16 lastTx
// i64 | 24 seq u16 | 26 acked u8 (a Binding Acknowledgement with status < 128 for the care-of address of
// 28) | 27 noUpdates u8 (§9.9: it does not know the option) | 28 coa[16] (the care-of address sent) |
// 44 fast u8 (consecutive updates with that care-of address, §9.8) | 45 pad[3]. Replaced least recently sent first.
const BUL_N: i32 = 4;
const BUL_SIZE: usize = 48;
let bul: usize = 0;
/** When a correspondent's update that §9.8 held back may go (bulUpdate), else TIMER_NEVER. */
let bulAt: i64 = TIMER_NEVER;

// @ts-ignore: decorator
@inline function home(): usize { return addrs; }
// @ts-ignore: decorator
@inline function ha(): usize { return addrs + 16; }
// @ts-ignore: decorator
@inline function coa(): usize { return addrs + 32; }
// @ts-ignore: decorator
@inline function haPeer(): usize { return addrs + 64; }
// §9.6: the previous primary care-of address, the Subnet-Router anycast address of its subnet (where the
// Binding Update goes), and the router that acknowledged it (whose tunnel is accepted).
// @ts-ignore: decorator
@inline function prevCoa(): usize { return addrs + 80; }
// @ts-ignore: decorator
@inline function prevSub(): usize { return addrs + 96; }
// @ts-ignore: decorator
@inline function prevRtr(): usize { return addrs + 112; }
/** How long the previous router is asked to forward (§9.6 "temporarily"; docs/decisions.md "Previous router"). */
const PREV_LIFETIME_SEC: u32 = 10;
let prevUntil: i64 = 0; // 0: no previous router forwarding
let prevSeq: i32 = 0;
let prevAcked: bool = false;
let prevNextTx: i64 = 0;
let prevBackoff: i64 = INITIAL_BINDACK_MS;
let prevLastTx: i64 = -MIN_UPDATE_GAP_MS;

/** The mobile node role on an IPv6 node: active when a home address and a home agent are configured. */
export function mn6Init(): bool {
  active = false;
  state = AT_HOME;
  timer = -1;
  bulAt = TIMER_NEVER;
  addrs = arenaAlloc(128);
  prevUntil = 0;
  out = pktAlloc(256);
  bul = arenaAlloc(<usize>BUL_N * BUL_SIZE);
  return addrs != 0 && out != 0 && bul != 0;
}

/** Start (after the configuration): find the home address and the home agent, take the hooks. */
export function mn6Start(): void {
  const h = addr6Home(home());
  if (h < 0 || !ipsecHomeAgent(ha())) return;
  addrCopy(haPeer(), ha());
  homeIface = h & 0xff;
  homePlen = h >> 8;
  active = true;
  seq = 0;
  mip6NodeWith(nodeRx);
  mip6MobileWith(away, icmpError);
  tun6AcceptFrom(ha());
  tun6DecapWith(fromTunnel);
  tun6AcceptWith(prevTunnel);
  tun6HomeRaWith(homeRa);
  timerOwn(OWNER_MN6, tick);
  // Why: §9.2: movement is what the address table says (a care-of address usable, the home prefix back):
  // looked at after each of its changes, not polled.
  addr6WatchWith(check);
  check();
}

/** An address changed state (stack/addr6.ts): look at the movement at once (from the timer, not inside
 *  the address table's own update). */
function check(): void { arm(nowMs()); }

function arm(at: i64): void {
  timer = timer >= 0 ? stackTimerArm(timer, TK_MN6, 0, at) : stackTimerStart(TK_MN6, 0, at);
}

/** The movement check and retransmission timer. */
function tick(kind: u16, tag: u32, now: i64): void {
  if (addr6AtHome(homeIface, home(), homePlen)) {
    // Why: §9.13: back on the home link, the registration goes (lifetime 0, from the home address).
    if (state == REGISTERED || state == REGISTERING) { startPrev(now); state = DEREGISTERING; backoff = INITIAL_BINDACK_MS; nextTx = now; }
    if (state == DEREGISTERING && now >= nextTx) send(now, true);
  } else if (addr6CareOf(homeIface, home(), homePlen, addrs + 48)) {
    const moved = !addrEqual(addrs + 48, coa());
    // Why: §9.6: the router of the link left forwards what still arrives for the old care-of address.
    if (moved && (state == REGISTERED || state == REGISTERING) && load<u64>(addrs + 48) != load<u64>(coa())) startPrev(now);
    if (state == AT_HOME || state == DEREGISTERING || moved) {
      // Why: §9.3/§9.4: a new primary care-of address is registered with the home agent.
      addrCopy(coa(), addrs + 48);
      state = REGISTERING;
      backoff = INITIAL_BINDACK_MS;
      nextTx = now;
    } else if (state == REGISTERED && now >= refreshAt) {
      state = REGISTERING;
      backoff = INITIAL_BINDACK_MS;
      nextTx = now;
    }
    if (state == REGISTERING && now >= nextTx) send(now, false);
  }
  // §9.5's updates to correspondents held back by §9.8 (bulUpdate).
  if (now >= bulAt) bulUpdate();
  // Next: the retransmission or the refresh, the previous router's, those updates; movement comes as an
  // address change (check).
  let next = min<i64>(bulAt, state == REGISTERED ? refreshAt : state == AT_HOME ? TIMER_NEVER : nextTx);
  if (prevUntil != 0) next = min(next, prevTick(now));
  arm(next);
}

/**
 * §9.6: we left the link whose router served the primary care-of address coa() (not yet replaced): when we
 * share a key with that subnet's routers (an `ipsec` SA for its Subnet-Router anycast address prefix::,
 * RFC 4291 §2.6.1: the routers of the subnet, whatever their addresses), a Binding Update with H goes
 * there: home address the old care-of address, care-of address the new one, for PREV_LIFETIME_SEC. It acts
 * as a home agent for it meanwhile, tunnelling what arrives for it; §9.12: the old address stays ours.
 */
function startPrev(now: i64): void {
  store<u64>(prevSub(), load<u64>(coa()));
  store<u64>(prevSub(), 0, 8);
  if (ipsecOut(prevSub()) == 0) return;
  addrCopy(prevCoa(), coa());
  memory.fill(prevRtr(), 0, 16);
  prevUntil = now + <i64>PREV_LIFETIME_SEC * 1000;
  prevSeq = (prevSeq + 1) & 0xffff;
  prevAcked = false;
  prevBackoff = INITIAL_BINDACK_MS;
  prevNextTx = now;
  ip6AlsoOurs(prevCoa());
}

/** The previous router's update: sent and retransmitted (§9.7, §9.8) until acknowledged; the forwarding
 *  ends with its lifetime. Returns when to look again. */
function prevTick(now: i64): i64 {
  if (now >= prevUntil) { prevUntil = 0; ip6AlsoOurs(0); return TIMER_NEVER; }
  if (!prevAcked && now >= prevNextTx) {
    if (now - prevLastTx < MIN_UPDATE_GAP_MS) prevNextTx = prevLastTx + MIN_UPDATE_GAP_MS;
    else {
      prevLastTx = now;
      prevNextTx = now + prevBackoff;
      prevBackoff <<= 1;
      count(C.MIP6_MN_PREV_BU_TX);
      // From the new primary care-of address (the home address at home), the old one in the Home Address option.
      const left = <u32>((prevUntil - now + 999) / 1000);
      sendBu(state == DEREGISTERING || state == AT_HOME ? home() : coa(), prevSub(), BU_A | BU_H, prevSeq, left, prevCoa());
    }
  }
  return prevAcked ? prevUntil : min(prevUntil, prevNextTx);
}

/** The previous router's tunnel (stack/tunnel6.ts Tun6Accept): from the router that acknowledged, its AH
 *  verified under that subnet's SA. */
function prevTunnel(src: usize, inner: usize): bool {
  const sa = ip6AuthSa();
  return prevUntil != 0 && prevAcked && addrEqual(src, prevRtr()) && sa != 0 && addrEqual(sa + AH_SA_PEER, prevSub());
}

/**
 * §8.5: the home link's Router Advertisement, tunnelled by the home agent (stack/tunnel6.ts), the inner
 * packet at `q` (`n` bytes): taken only with AH under our home agent's SA ("MUST be authenticated") and hop
 * limit 255; its source is the home agent's link-local address, which names no SA, so the SA is ours with
 * the home agent. Each prefix with A, 64 bits, that no home address of ours is in gives a new home address:
 * the prefix and our home interface identifier ("MUST perform the standard autoconfiguration operation").
 * The home agent serves and defends it when our registration carries ID Length 64 (sendBu).
 */
function homeRa(q: usize, n: i32): void {
  const ah = q + <usize>IPV6_HEADER_LEN;
  const sa = ipsecIn(ahSpi(ah), haPeer());
  if (sa == 0 || load<u8>(q, 7) != 255 || !ip6AhVerify(sa, q, n, IPV6_HEADER_LEN)) { count(C.DROP_MIP6_MN_RA); return; }
  const off = IPV6_HEADER_LEN + ahLen(ah);
  const m = q + <usize>off;
  const ml = n - off;
  if (ml < ND_RA_LEN || load<u8>(m) != ND_RA || load<u8>(m, 1) != 0) { count(C.DROP_MIP6_MN_RA); return; }
  count(C.MIP6_MN_RA_RX);
  const a = addrs + 48;
  for (let o = ndOptFind(m, ml, ND_OPT_PREFIX); o >= 0;) {
    const po = m + <usize>o;
    if (prefixOptValid(po, <i32>load<u8>(po, 1) << 3) && prefixOptLen(po) == 64 && (prefixOptFlags(po) & PREFIX_FLAG_A) != 0 && prefixOptValidLifetime(po) != 0) {
      store<u64>(a, load<u64>(prefixOptPrefix(po)));
      store<u64>(a, load<u64>(home(), 8), 8);
      if (netifA6Find(homeIface, a) < 0 && addr6Configure(homeIface, a, 64, 4, prefixOptValidLifetime(po), prefixOptPreferredLifetime(po)) == 0) count(C.MIP6_MN_HOME_ADDED);
    }
    const nx = ndOptNext(m, ml, o);
    o = nx < 0 ? -1 : ndOptFindFrom(m, ml, ND_OPT_PREFIX, nx);
  }
}

/**
 * A Binding Update to the home agent (§9.4): A and H, a new sequence number (§5.1), the lifetime asked
 * (mobility.lifetimeSec; 0 to de-register, §9.13), the Home Address option, from the care-of address
 * (from the home address at home). The next retransmission doubles the wait (§9.7).
 */
function send(now: i64, dereg: bool): void {
  // Why: §9.8 MAX_UPDATE_RATE: at most one Binding Update a second.
  if (now - lastTx < MIN_UPDATE_GAP_MS) { nextTx = lastTx + MIN_UPDATE_GAP_MS; return; }
  seq = (seq + 1) & 0xffff;
  count(C.MIP6_MN_BU_TX);
  regEvent(Ev.REG_REQUEST, dereg ? 0 : <u32>cfg.lifetimeSec, 0);
  lastTx = now;
  nextTx = now + backoff;
  backoff = min<i64>(backoff << 1, MAX_BINDACK_MS);
  sendBu(dereg ? home() : coa(), ha(), BU_A | BU_H, seq, dereg ? 0 : <u32>cfg.lifetimeSec, home());
}

/**
 * A packet of its own carrying a Binding Update (§5.1) from `src` to `dst`: the Home Address option (every
 * Binding Update needs it, §5.1) and the update, No Next Header; AH from ip6.ts's policy for `dst`.
 */
function sendBu(src: usize, dst: usize, flags: i32, sq: i32, lifetime: u32, hao: usize): void {
  const q = out + OUT_HEAD;
  const h = q + <usize>IPV6_HEADER_LEN;
  // Why: §9.4: a home registration's ID Length "SHOULD be set to the length of the mobile node's interface
  // identifier in its home address" so the home agent serves every prefix of the home link (and the
  // link-local address, §8.2) with it; that holds only when the home address is formed from the
  // interface's own identifier (RFC 2464 §4: 64 bits, as the link-local address's), else 0 (MUST).
  const idLen = (flags & BU_H) != 0 && hao == home() && addr6LinkLocal(homeIface, addrs + 48) && load<u64>(addrs + 48, 8) == load<u64>(home(), 8) ? 64 : 0;
  const hl = dstEnd(h, buAppend(h, haoAppend(h, 2, 64, hao), 64, flags, idLen, sq, lifetime, 0), 64, IPPROTO_NONE);
  if (hl < 0) return;
  ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>hl, IPPROTO_DSTOPTS, hopLimit6, src, dst);
  ip6Send(q, IPV6_HEADER_LEN + hl, homeIface);
}

/** A Binding Acknowledgement or Request for this node (mip6.ts NodeHook). */
function nodeRx(iface: i32, p: usize, len: i32, o: i32, sa: usize, kind: i32): void {
  // Why: §9.11: a Binding Request is answered with a Binding Update to its sender (no authentication is
  // needed for the request, §5.3; the update carries AH as always). Away from home only.
  if (kind == Mip6.BR) { if (state == REGISTERED) correspondentBu(ipv6Src(p)); return; }
  if (kind != Mip6.BA) return;
  const b = p + <usize>o;
  // The previous router's (§9.6, §9.10): under its subnet's SA, for the update outstanding; its source is
  // the router whose tunnel we accept from now.
  if (prevUntil != 0 && sa != 0 && addrEqual(sa + AH_SA_PEER, prevSub())) {
    if (baSeq(b) != prevSeq || prevAcked) return;
    if (baStatus(b) < 128) { prevAcked = true; addrCopy(prevRtr(), ipv6Src(p)); count(C.MIP6_MN_PREV_ACKED); }
    // Why: §5.2 134: the router knew a larger sequence number (ours restarted): go on above it.
    else if (baStatus(b) == BaStatus.SEQUENCE_TOO_SMALL) prevSeq = (baSeq(b) + 0x100) & 0xffff;
    return;
  }
  // A correspondent's acknowledgement (§9.10): its AH SA is the correspondent's, the sequence ours.
  const c = sa != 0 ? bulFind(sa + AH_SA_PEER) : 0;
  if (c != 0 && !addrEqual(sa + AH_SA_PEER, haPeer())) {
    if (<i32>load<u16>(c, 24) == baSeq(b) && baStatus(b) < 128) { store<u8>(c, 1, 26); store<u8>(c, 0, 44); count(C.MIP6_MN_RO_ACKED); }
    return;
  }
  // Why: §5.2: "MUST also include ... AH": from our home agent's SA only; §9.10: it answers the update
  // outstanding (its Sequence Number), else it is old news.
  if (sa == 0 || !addrEqual(sa + AH_SA_PEER, haPeer()) || (state != REGISTERING && state != DEREGISTERING) || baSeq(b) != seq) {
    count(C.DROP_MIP6_MN_BA);
    return;
  }
  const st = baStatus(b);
  const now = nowMs();
  if (st == BaStatus.HA_DISCOVERY && addrIsHaAnycast(ha())) {
    // Why: §8.1, §9.4: a home agent of the home subnet answered the Home-Agents anycast address from its
    // own address: the registration goes there (our SA for the anycast address now stands for it, and
    // its tunnel is the one accepted). §9.8 limits updates to one node; this is another address, and
    // the home agent asks for it: the next update goes at once.
    addrCopy(ha(), ipv6Src(p));
    ipsecHomeAgentFound(ha());
    count(C.MIP6_MN_HA_FOUND);
    lastTx = now - MIN_UPDATE_GAP_MS;
    backoff = INITIAL_BINDACK_MS;
    nextTx = now;
    arm(now);
    return;
  }
  regEvent(Ev.REG_REPLY, baLifetime(b), st);
  if (st >= 128) {
    count(C.MIP6_MN_REFUSED);
    // Why: §5.2 134: our sequence number was too small (state lost): go on above the acknowledged one.
    if (st == BaStatus.SEQUENCE_TOO_SMALL) seq = (baSeq(b) + 0x100) & 0xffff;
    return; // the retransmission timer tries again
  }
  count(C.MIP6_MN_REGISTERED);
  if (state == DEREGISTERING) {
    state = AT_HOME;
    // Why: §9.13: at home again: a Neighbor Advertisement for the home address, so the home link stops
    // sending its packets to the home agent.
    ndAdvertise(homeIface, home());
    bulUpdate();
    return;
  }
  state = REGISTERED;
  bulUpdate();
  const life = <i64>baLifetime(b);
  const refresh = min<i64>(life, <i64>baRefresh(b));
  // Why: §9.10: the binding must be renewed before the granted lifetime ends; at 80 % of it (or of the
  // Refresh period the home agent recommends, when smaller).
  refreshAt = now + refresh * 800;
}

/**
 * Away from home (mip6.ts MobileHook, before the Binding Cache), a packet whose source is the home address:
 * - `mobility.ipv6Correspondents` "tunnel" (the default; issue 13.6): into a tunnel to the home agent,
 *   [IPv6 care-of -> home agent][Destination Options: Home Address][the packet] (the option names the mobile
 *   node, whose SA with the home agent is its home address's: AH then covers the outer packet, ip6.ts).
 *   Any IPv6 host is reached so, RFC 6275 ones included, which drop a Home Address option without a
 *   binding. The home agent forwards the inner packet from the home link (ha6.ts reverseTunnel).
 * - "direct" (seed 003 §9.1): from the care-of address with a Home Address option in a Destination Options
 *   header after the IPv6 header; the correspondent swaps the addresses back (§7.1).
 * Returns the packet's new start, or `p` unchanged.
 */
function away(p: usize, len: i32): usize {
  if (!active || state == AT_HOME || state == DEREGISTERING) return p;
  // Another home address (a prefix renumbering added, §8.5) goes through the tunnel too, the option naming
  // the home address our SAs and registration belong to.
  const primary = addrEqual(ipv6Src(p), home());
  if (!primary && !addr6IsHome(ipv6Src(p))) return p;
  // (A correspondent that acknowledged a binding for our care-of address gets the option, §9.5.)
  const c = bulFind(ipv6Dst(p));
  const tunnel = !primary || (cfg.mip6Correspondents() == 0 && !(c != 0 && load<u8>(c, 26) != 0 && addrEqual(c + 28, coa())));
  const grow: i32 = tunnel ? IPV6_HEADER_LEN + 24 : 24;
  if (pktRoom(p) < grow + 24 + 8 + 14) return p;
  const q = p - <usize>grow;
  if (tunnel) {
    const h = q + <usize>IPV6_HEADER_LEN;
    dstEnd(h, haoAppend(h, 2, 24, home()), 24, IPPROTO_IPV6);
    ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>(len + 24), IPPROTO_DSTOPTS, hopLimit6, coa(), ha());
    count(C.MIP6_MN_TUNNELLED);
    return q;
  }
  const nh = ipv6NextHeader(p);
  memory.copy(q, p, <usize>IPV6_HEADER_LEN);
  const h = q + <usize>IPV6_HEADER_LEN;
  dstEnd(h, haoAppend(h, 2, 24, home()), 24, nh);
  ipv6SetNextHeader(q, IPPROTO_DSTOPTS);
  ipv6SetPayloadLen(q, <u16>(len + 24 - IPV6_HEADER_LEN));
  addrCopy(ipv6Src(q), coa());
  count(C.MIP6_MN_HAO_TX);
  return q;
}

/** The correspondent entry for `dst`, or 0. */
function bulFind(dst: usize): usize {
  for (let i = 0; i < BUL_N; i++) { const e = bul + <usize>i * BUL_SIZE; if (addrEqual(e, dst)) return e; }
  return 0;
}

/**
 * §9.5: a packet from correspondent `inner`'s source came through the home agent's tunnel, so that node has
 * no binding for us: a Binding Update to it (A set, to learn when it routes directly), when we have a
 * security association with it (the update needs AH, §4.2) and at most one a second per correspondent
 * (§9.8). Its Binding Update List entry remembers the sequence and the care-of address.
 */
function fromTunnel(src: usize, inner: usize): void {
  if (state != REGISTERED) return;
  const cn = ipv6Src(inner);
  // (A group's packet came through the tunnel for the membership, not for want of a binding: §10.)
  if (addrEqual(cn, ha()) || ipv6IsMulticast(ipv6Dst(inner))) return;
  const e = bulFind(cn);
  // Acknowledged for this care-of address: its packets still came tunnelled (they were in flight).
  if (e != 0 && load<u8>(e, 26) != 0 && addrEqual(e + 28, coa())) return;
  correspondentBu(cn);
}

/**
 * §9.5: "when a mobile node sends a Binding Update to its home agent to register a new primary care-of
 * address ..., the mobile node will also send a Binding Update to each correspondent node for which an
 * entry exists in the mobile node's Binding Update List" — once the home agent accepted it (the
 * correspondents' packets for the old care-of address are lost otherwise until their binding expires).
 * Back home, the care-of address is the home address: lifetime 0, their entries go (§5.1). One that got an
 * update less than a second ago (§9.8) gets it when the second is over (bulAt, the timer).
 */
function bulUpdate(): void {
  const now = nowMs();
  bulAt = TIMER_NEVER;
  for (let i = 0; i < BUL_N; i++) {
    const e = bul + <usize>i * BUL_SIZE;
    if (load<u64>(e) == 0 || load<u8>(e, 27) != 0) continue;
    // Away: entries not yet told the care-of address; home: the acknowledged ones, not yet told.
    if (state == REGISTERED ? addrEqual(e + 28, coa()) : state != AT_HOME || load<u8>(e, 26) == 0 || addrEqual(e + 28, home())) continue;
    const last = load<i64>(e, 16);
    if (now - last < MIN_UPDATE_GAP_MS) { bulAt = min<i64>(bulAt, last + MIN_UPDATE_GAP_MS); continue; }
    if (state == REGISTERED) { correspondentBu(e); continue; }
    store<i64>(e, now, 16);
    const sq = (<i32>load<u16>(e, 24) + 1) & 0xffff;
    store<u16>(e, <u16>sq, 24);
    store<u8>(e, 0, 26);
    addrCopy(e + 28, home());
    count(C.MIP6_MN_RO_BU_TX);
    sendBu(home(), e, BU_A, sq, 0, home());
  }
  // (The timer then looks at everything that is due, tick: this one too.)
  if (bulAt != TIMER_NEVER) check();
}

/**
 * A Binding Update to correspondent `cn` (§9.5, §9.11) when we have a security association with it (the
 * update needs AH, §4.2), at most one a second (§9.8); its Binding Update List entry remembers the
 * sequence and the care-of address.
 */
function correspondentBu(cn: usize): void {
  if (ipsecOut(cn) == 0) return;
  let e = bulFind(cn);
  // Why: §9.9: after a Parameter Problem code 2 about a Binding Update, "future Binding Updates should not
  // be sent to this destination".
  if (e != 0 && load<u8>(e, 27) != 0) return;
  const now = nowMs();
  if (e == 0) {
    // The least recently sent entry gives way.
    e = bul;
    for (let i = 1; i < BUL_N; i++) { const f = bul + <usize>i * BUL_SIZE; if (load<i64>(f, 16) < load<i64>(e, 16)) e = f; }
    memory.fill(e, 0, BUL_SIZE);
    addrCopy(e, cn);
    store<i64>(e, -MIN_UPDATE_GAP_MS, 16);
  }
  // Why: §9.8: one a second (MAX_UPDATE_RATE); after MAX_FAST_UPDATES consecutive ones with the same care-of
  // address (none acknowledged), one each 10 s (SLOW_UPDATE_RATE). The count restarts with a new care-of
  // address or an acknowledgement.
  const same = addrEqual(e + 28, coa());
  const fast = same ? <i32>load<u8>(e, 44) : 0;
  if (now - load<i64>(e, 16) < (fast >= MAX_FAST_UPDATES ? SLOW_UPDATE_GAP_MS : MIN_UPDATE_GAP_MS)) return;
  store<u8>(e, <u8>min(fast + 1, 255), 44);
  const sq = (<i32>load<u16>(e, 24) + 1) & 0xffff;
  store<u16>(e, <u16>sq, 24);
  store<i64>(e, now, 16);
  store<u8>(e, 0, 26);
  addrCopy(e + 28, coa());
  count(C.MIP6_MN_RO_BU_TX);
  sendBu(coa(), cn, BU_A, sq, <u32>cfg.lifetimeSec, home());
}

/**
 * An ICMPv6 error for this node (mip6.ts): §9.9: a Parameter Problem, code 2 (unrecognized option), whose
 * pointer is at a Binding Update option of a packet we sent to a correspondent: that node does not know
 * the option (an RFC 6275 host drops it so): no more Binding Updates to it; it keeps being reached through
 * the home agent.
 */
function icmpError(iface: i32, p: usize, len: i32, off: i32): i32 {
  const m = p + <usize>off;
  if (!active || load<u8>(m) != 4 || load<u8>(m, 1) != 2) return -1;
  const inner = m + 8;
  const n = len - off - 8;
  const ptr = <i32>bswap<u32>(load<u32>(m, 4));
  if (n < IPV6_HEADER_LEN || ptr >= n || load<u8>(inner + <usize>ptr) != mip6Type(Mip6.BU)) return -1;
  // Who may say so: the correspondent itself (a destination option is processed at the destination, so the
  // error comes from it), about a packet from our care-of address; not any node quoting a made-up packet.
  if (!addrEqual(ipv6Src(p), ipv6Dst(inner)) || !addrEqual(ipv6Src(inner), coa())) return -1;
  const e = bulFind(ipv6Dst(inner));
  if (e == 0) return -1;
  store<u8>(e, 1, 27);
  count(C.MIP6_MN_BU_UNKNOWN);
  return -1;
}

/**
 * This mobile node's Mobile IPv6 home agent as a dump table 11 record (kind 3, docs/abi.md; images with
 * STATUS) into `out` (56 bytes) when k is 0 and the role is active; returns the count (0 or 1): the home
 * agent (configured, or found by discovery), the care-of address registered (away), the Sequence Number
 * of the last Binding Update, state 1 registered (2 registering, 3 de-registering, 0 at home), the time of
 * the next refresh (i64 max: none).
 */
export function mn6AgentDump(k: i32, o: usize): i32 {
  if (!active) return 0;
  if (k != 0) return 1;
  store<i64>(o, state == REGISTERED ? refreshAt : TIMER_NEVER);
  store<u32>(o, <u32>(seq & 0xffff) << 16, 8);  // flags 0, seq
  store<u16>(o, 0, 12);
  store<u16>(o, <u16>homeIface | (3 << 8), 14); // iface, kind 3
  // (state: REGISTERED 2 -> 1, REGISTERING 1 -> 2, DEREGISTERING 3, AT_HOME 0; prefix length of home.)
  store<u16>(o, <u16>(state == REGISTERED ? 1 : state == REGISTERING ? 2 : state) | (<u16>homePlen << 8), 16);
  memory.fill(o + 18, 0, 6);
  addrCopy(o + 24, ha());
  if (state == AT_HOME) memory.fill(o + 40, 0, 16); else addrCopy(o + 40, addrs + 32);
  return 1;
}

/**
 * Multicast (§10, mobility/mcast6.ts): away from home with a home registration accepted or under way, the
 * addresses the reverse tunnel uses, home[16] | home agent[16] | care-of[16]; else 0.
 */
export function mn6Away(): usize { return active && (state == REGISTERING || state == REGISTERED) ? addrs : 0; }

/**
 * The registration events the IPv4 mobile node emits (reg_request, reg_reply: lifetime, flags or code, home,
 * home agent, care-of address), for the Binding Update to the home agent and its Acknowledgement (the code
 * is the status: below 128 accepted), so the simulator's summary and timeline count and mark IPv6
 * registrations as they do IPv4 ones.
 */
function regEvent(kind: Ev, lifetime: u32, code: i32): void {
  const b = evBuf();
  store<u16>(b, <u16>min<u32>(lifetime, 0xffff));
  store<u16>(b, <u16>code, 2);
  memory.copy(b + 4, home(), 16);
  memory.copy(b + 20, ha(), 16);
  memory.copy(b + 36, state == DEREGISTERING ? home() : coa(), 16);
  evEmit(kind, 52);
}
