// Multicast for Mobile IPv6 (seed 003 §10; issue 13 point 5): the mobile node's two ways of joining and
// sending away from home, and the home agent's side of the tunnel way.
//
// Mobile node (with stack/mld6.ts, the MLD listener of the groups in `ipv6Groups`):
//   at home          a stationary node: Reports and group packets on the link (§10 first paragraph)
//   away, "tunnel"   (a group's `away`, the default) joined "via a bi-directional tunnel to its home
//                    agent": its Reports go into the reverse tunnel [care-of -> home agent][Home Address
//                    option][Report], in answer to the home agent's Queries down the tunnel (RFC 3775
//                    §11.3.4: not before the home agent sent an MLD message there); the home agent sends
//                    the group's packets down the tunnel
//   away, "local"    joined "via a (local) multicast router on the foreign link": Reports on the visited
//                    link, the group's packets received there
//   sending          a packet to a group from the home address goes through the tunnel, the home address
//                    its inner source (§10 MUST); from the care-of address (or link-local) straight on the
//                    visited link (§10 option 1)
//
// Home agent (a router with the home-agent role):
//   a new home registration gets a General Query down its tunnel, every registration another every
//   QUERY_INTERVAL_MS (RFC 2710 §4 querier on the tunnel link; RFC 3775 §11.3.4); Reports and Dones out of
//   a registered mobile node's tunnel, authenticated by its own SA, keep the membership table; a packet to
//   a group received on the home link goes down each member's tunnel (AH under its SA, as unicast: ha6.ts
//   intercept); a mobile node's tunnelled multicast from its home address is forwarded on the home link
//   (and down other members' tunnels).
//
// Membership table (home agent): `cap` entries of 40 bytes: 0 home[16] | 16 group[16] | 32 expiresAtMs
// i64 (0: free). cap = 2 × board.bindingCache, 8..8192 (two groups a mobile node on average; a scan per
// group packet from the home link, only while there are members).
//
// Who may change the table: a Report or Done out of the reverse tunnel of a home address registered here
// (ha6.ts reverseTunnel), whose outer AH was verified by that home address's own SA (ip6AuthSa: one mobile
// node cannot join or leave for another, and an unauthenticated tunnel the policy lets in changes nothing);
// the binding leaving (mc6Removed) and the Multicast Listener Interval take entries away. Nothing else.

import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { stackTimerStart, OWNER_HA6 } from "../sys/timers";
import { ip6Send, ip6TunnelSa, ip6GroupsWith, ip6LinkSend, ip6AuthSa, hopLimit6 } from "../stack/ip6";
import { tun6Encap, tun6GroupWith, tun6Depth } from "../stack/tunnel6";
import { addr6Source, addr6LinkLocal, addr6Home, addr6AtHome, addr6CareOf } from "../stack/addr6";
import { r6LinkMtu } from "../stack/route6";
import { pktRoom } from "../stack/packet";
import { mld6MobileWith, mld6Buf, WHERE_LINK, WHERE_TUNNEL, WHERE_WAIT } from "../stack/mld6";
import { ipsecOut } from "../security/ipsec";
import { AH_SA_PEER } from "../security/ah";
import { addrCopy, addrEqual, addrIsLinkLocal6, addrSetAllNodes } from "../wire/addr";
import { ipv6Src, ipv6Dst, ipv6HopLimit, ipv6DecrementHopLimit, ipv6Emit, IPV6_HEADER_LEN, IPPROTO_DSTOPTS, IPPROTO_IPV6 } from "../wire/ipv6";
import { mldEmit, mldFind, mldValid, mldGroup, MLD_QUERY, MLD_DONE, MLD_PACKET_LEN } from "../wire/mld";
import { haoAppend, dstEnd } from "../wire/mip6";
import { bc6Lookup, bc6Next, bc6At, bc6HomeAt, B6_COA, B6_FLAGS, B6_HOME, B6_IFACE } from "./bcache6";
import { mn6Away } from "./mn6";

// Why: RFC 2710 §7.2 Query Interval 125 s; §7.4 Multicast Listener Interval = Robustness (2) × Query
// Interval + Query Response Interval (10 s) = 260 s.
const QUERY_INTERVAL_MS: i64 = 125000;
const LISTENER_MS: i64 = 260000;
/** The Maximum Response Delay of the Queries down a tunnel: one listener at its end, nothing to spread
 *  (RFC 2710 §7.3's 10 s spreads a link's listeners), and a mobile node joins within a second of registering. */
const QUERY_RESPONSE_MS: u16 = 1000;
/** The home agent's timer (ha6.ts hands its kinds other than its own here). */
export const TK_MC6: u16 = (OWNER_HA6 << 8) | 1;
const M_SIZE: usize = 40;
/** The tunnel header the mobile node puts in front: IPv6 40 + Destination Options with the Home Address option 24. */
const GROW: i32 = IPV6_HEADER_LEN + 24;

let members: usize = 0;
let cap: i32 = 0;
let used: i32 = 0;
let haTimer: i32 = -1;
// Scratch: 0 an address of ours | 16 a destination | 32 the unspecified address (the General Query's group) | 48 the home address
let tmp: usize = 0;
let mnIface: i32 = -1;
let mnPlen: i32 = 64;

/** The scratch addresses (at init: the arena is sealed at start). */
function scratch(): bool {
  tmp = arenaAlloc(64);
  return tmp != 0;
}

// ---- home agent --------------------------------------------------------------------------------------

/** The home agent role (index.ts ipv6Init, after mld6Init): the membership table and the hooks. */
export function mc6HomeAgentInit(): bool {
  used = 0;
  curN = -1;
  haTimer = -1;
  cap = min<i32>(8192, max<i32>(8, 2 * cfg.bindingCacheEntries()));
  members = arenaAlloc(<usize>cap * M_SIZE);
  if (members == 0 || !scratch()) return false;
  ip6GroupsWith(groups);
  tun6GroupWith(fromMobile);
  return true;
}

/** True for a group that may leave its link: scope above link-local (RFC 4291 §2.7: 1 interface-local and 2 link-local stay). */
function wide(g: usize): bool { return (load<u8>(g, 1) & 0x0f) > 2; }

/** The membership of `home` in `g`, or 0. */
function member(home: usize, g: usize): usize {
  for (let i = 0; i < cap && used > 0; i++) {
    const m = members + <usize>i * M_SIZE;
    if (load<i64>(m, 32) != 0 && addrEqual(m, home) && addrEqual(m + 16, g)) return m;
  }
  return 0;
}

function free(m: usize): void {
  store<i64>(m, 0, 32);
  used--;
  count(C.MIP6_HA_MC_LEFT);
}

/**
 * A new home registration (ha6.ts): a General Query down its tunnel at once. Why: RFC 3775 §11.3.4: a mobile
 * node tunnels its Reports only once its home agent "sends at least one multicast group membership control
 * packet via the tunnel"; RFC 2710 §4: a querier starting on a link queries.
 */
export function mc6Registered(home: usize, e: usize): void {
  query(home, e);
  if (haTimer < 0) haTimer = stackTimerStart(TK_MC6, 0, nowMs() + QUERY_INTERVAL_MS);
}

/** A home registration left the Binding Cache (ha6.ts removed): its memberships go with it. */
export function mc6Removed(home: usize): void {
  for (let i = 0; i < cap && used > 0; i++) {
    const m = members + <usize>i * M_SIZE;
    if (load<i64>(m, 32) != 0 && addrEqual(m, home)) free(m);
  }
}

/** Every QUERY_INTERVAL_MS: a General Query down each registered mobile node's tunnel; memberships without a Report for the Multicast Listener Interval go. */
export function mc6Timer(now: i64): void {
  haTimer = -1;
  let any = false;
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) {
    const e = bc6At(i);
    if ((load<u8>(e, B6_FLAGS) & B6_HOME) == 0) continue;
    any = true;
    query(bc6HomeAt(i), e);
  }
  for (let i = 0; i < cap && used > 0; i++) {
    const m = members + <usize>i * M_SIZE;
    const exp = load<i64>(m, 32);
    if (exp != 0 && exp <= now) free(m);
  }
  if (any || used > 0) haTimer = stackTimerStart(TK_MC6, 0, now + QUERY_INTERVAL_MS);
}

/**
 * A General Query down the tunnel of mobile node `home` (binding `e`): from our link-local address on the
 * home link (RFC 2710 §3: link-local source, hop limit 1; the tunnel extends the home link to the mobile
 * node), to all-nodes, group ::.
 */
function query(home: usize, e: usize): void {
  const iface = load<i32>(e, B6_IFACE);
  if (!addr6LinkLocal(iface, tmp)) return;
  addrSetAllNodes(tmp + 16);
  memory.fill(tmp + 32, 0, 16);
  const p = mld6Buf();
  mldEmit(p, MLD_QUERY, QUERY_RESPONSE_MS, tmp + 32, tmp, tmp + 16);
  count(C.MIP6_HA_MC_QUERY_TX);
  toMobile(home, e, p, MLD_PACKET_LEN, -1);
}

/**
 * The packet at `p` down the tunnel of mobile node `home` (binding `e`), as ha6.ts intercept sends unicast
 * (§8.4): from our address on the home link (the one the mobile node accepts its home agent's tunnel from),
 * AH under the mobile node's SA (its inbound policy asks it of its home agent).
 */
function toMobile(home: usize, e: usize, p: usize, len: i32, inIface: i32): void {
  if (!addr6Source(load<i32>(e, B6_IFACE), home, tmp)) memory.fill(tmp, 0, 16);
  ip6TunnelSa(ipsecOut(home));
  tun6Encap(e + B6_COA, tmp, p, len, inIface);
  ip6TunnelSa(0);
}

/** A copy of group packet `p` down the tunnel of every member registered on home link `iface`, but `except`'s (0: none); how many. */
function toMembers(iface: i32, p: usize, len: i32, except: usize): i32 {
  let sent = 0;
  const now = nowMs();
  const g = ipv6Dst(p);
  for (let i = 0; i < cap; i++) {
    const m = members + <usize>i * M_SIZE;
    const exp = load<i64>(m, 32);
    if (exp == 0 || exp <= now || !addrEqual(m + 16, g) || (except != 0 && addrEqual(m, except))) continue;
    const e = bc6Lookup(m, now, false);
    if (e == 0 || (load<u8>(e, B6_FLAGS) & B6_HOME) == 0 || load<i32>(e, B6_IFACE) != iface) continue;
    count(C.MIP6_HA_MC_TUNNELLED);
    toMobile(m, e, p, len, iface);
    sent++;
  }
  return sent;
}

/** A packet to a group (ip6.ts GroupHook): received on link `iface` (the home agent), or sent by this node (-1: the mobile node). */
function groups(iface: i32, p: usize, len: i32): usize {
  return iface < 0 ? send(p, len) : <usize>fromLink(iface, p, len);
}

/**
 * A packet to a group received on a link (ip6.ts, before the membership test): a copy down the tunnel of
 * each mobile node registered on that (home) link that joined it (§10: "the home agent forwards multicast
 * packets down the tunnel"). The packet is left as it was (its hop limit restored) for this node. Returns
 * 0 when a copy went (the packet was used, not dropped), else 1.
 */
function fromLink(iface: i32, p: usize, len: i32): i32 {
  // Why: RFC 4291 §2.7 / §2.5.6: an interface- or link-local group, or a link-local source, stays on its
  // link; RFC 2460 §3: forwarding spends a hop. (What came out of a tunnel is not the home link's.)
  if (used == 0 || tun6Depth() > 0 || !wide(ipv6Dst(p)) || addrIsLinkLocal6(ipv6Src(p)) || ipv6HopLimit(p) <= 1) return 1;
  ipv6DecrementHopLimit(p);
  const n = toMembers(iface, p, len, 0);
  store<u8>(p, load<u8>(p, 7) + 1, 7);
  return n > 0 ? 0 : 1;
}

/**
 * A packet to a group out of the reverse tunnel of `home` (stack/tunnel6.ts, after ha6.ts reverseTunnel let
 * it in): an MLD message (the mobile node's membership) or its multicast for the home link.
 */
function fromMobile(home: usize, q: usize, len: i32): i32 {
  const now = nowMs();
  const e = bc6Lookup(home, now, false);
  if (e == 0 || (load<u8>(e, B6_FLAGS) & B6_HOME) == 0) return -1;
  const o = mldFind(q, len);
  if (o >= 0) return listener(home, q, len, o, now);
  // Why: §10: "a mobile node that tunnels a multicast packet to its home agent MUST use its home address as
  // the IPv6 Source Address of the inner multicast packet" (multicast routing depends on it).
  if (!addrEqual(ipv6Src(q), home)) { count(C.DROP_TUN6_INNER); return 1; }
  const g = ipv6Dst(q);
  if (!wide(g) || ipv6HopLimit(q) <= 1) { count(C.DROP_MIP6_MC_SCOPE); return 1; }
  const iface = load<i32>(e, B6_IFACE);
  if (len > r6LinkMtu(iface)) { count(C.DROP_MTU); return 1; }
  ipv6DecrementHopLimit(q);
  if (used > 0) toMembers(iface, q, len, home);
  count(C.MIP6_HA_MC_FORWARDED);
  // The home link last: its Ethernet header goes right in front of the packet.
  return ip6LinkSend(iface, g, q, len);
}

/** An MLD message out of `home`'s tunnel at `q + o`: a Report joins (or refreshes), a Done leaves. */
function listener(home: usize, q: usize, len: i32, o: i32, now: i64): i32 {
  // Why: who may change the table: the mobile node itself, its tunnel's AH verified by its home address's
  // own SA (ip6.ts; the inbound policy may admit a plain tunnel, `require: false`, but not for this).
  const sa = ip6AuthSa();
  if (sa == 0 || !addrEqual(sa + AH_SA_PEER, home)) { count(C.DROP_MIP6_MC_UNAUTH); return 1; }
  if (!mldValid(q, len, o)) { count(C.DROP_MLD6_MALFORMED); return 1; }
  const m = q + <usize>o;
  const t = load<u8>(m);
  const g = mldGroup(m);
  // (A Query from a mobile node: it is not the querier of this link.)
  if (t == MLD_QUERY) return 0;
  // Why: RFC 4291 §2.7: an interface- or link-local group never reaches the mobile node through us, so
  // joining one here means nothing.
  if (!wide(g)) { count(C.DROP_MIP6_MC_SCOPE); return 1; }
  let x = member(home, g);
  if (t == MLD_DONE) { if (x != 0) free(x); return 0; }
  if (x == 0) {
    for (let i = 0; i < cap; i++) { const y = members + <usize>i * M_SIZE; if (load<i64>(y, 32) == 0) { x = y; break; } }
    if (x == 0) { count(C.DROP_MIP6_MC_FULL); return 1; }
    addrCopy(x, home);
    addrCopy(x + 16, g);
    used++;
    count(C.MIP6_HA_MC_JOINED);
  }
  // Why: RFC 2710 §4 (router part): a Report sets the group's timer to the Multicast Listener Interval.
  store<i64>(x, now + LISTENER_MS, 32);
  if (haTimer < 0) haTimer = stackTimerStart(TK_MC6, 0, now + QUERY_INTERVAL_MS);
  return 0;
}

/**
 * Dump record `n` of the membership table (docs/abi.md table 10): home[16] | group[16] | expiresAtMs i64.
 * Returns its length, or -1 past the last (and on nodes without the home agent role).
 */
export function mc6Dump(n: i32, out: usize): i32 {
  // Records asked for in a row continue from the last one found (the ABI's O(table size) for a dump).
  let i = 0, k = 0;
  if (n == curN + 1 && curI >= 0) { i = curI + 1; k = n; }
  for (; i < cap; i++) {
    const m = members + <usize>i * M_SIZE;
    if (load<i64>(m, 32) == 0 || k++ < n) continue;
    curN = n; curI = i;
    memory.copy(out, m, M_SIZE);
    return <i32>M_SIZE;
  }
  curN = -1; curI = -1;
  return -1;
}
let curN: i32 = -1;
let curI: i32 = -1;

// ---- mobile node -------------------------------------------------------------------------------------

/** The mobile node role (index.ts ipv6Init). */
export function mc6MobileInit(): bool { mnIface = -1; return scratch(); }

/** The mobile node role (index.ts ipv6Start, after mn6Start): where Reports go, its multicast away from home. */
export function mc6MobileStart(): void {
  if (tmp == 0) return;
  const h = addr6Home(tmp + 48);
  if (h < 0) return;
  mnIface = h & 0xff;
  mnPlen = h >> 8;
  mld6MobileWith(mobile);
  ip6GroupsWith(groups);
}

/** stack/mld6.ts's mobile node part: where a Report goes (`p` 0), or send it into the tunnel. */
function mobile(iface: i32, local: bool, p: usize, len: i32): i32 {
  if (p == 0) return where(iface, local);
  tunnelReport(p, len);
  return 0;
}

/**
 * Where a Report for a group on `iface` goes (stack/mld6.ts): at home, on the link; away (a care-of address
 * on this link), on the visited link for a `local` group, else through the tunnel; neither known yet (a link
 * just changed, its addresses still forming): wait.
 */
function where(iface: i32, local: bool): i32 {
  if (iface != mnIface || addr6AtHome(iface, tmp + 48, mnPlen)) return WHERE_LINK;
  if (!addr6CareOf(iface, tmp + 48, mnPlen, tmp)) return WHERE_WAIT;
  // Why: §10: "via a (local) multicast router on the foreign link being visited", or "via a bi-directional
  // tunnel to its home agent".
  return local ? WHERE_LINK : WHERE_TUNNEL;
}

/**
 * The packet at `p` (`len` bytes, in a packet buffer) wrapped for the reverse tunnel, [IPv6 care-of -> home
 * agent][Destination Options: Home Address][packet] (the mobile node's reverse tunnel, mn6.ts away: the
 * option names the mobile node, so the home agent checks its AH with its SA): the new start, or 0 when
 * there is no registration or no room.
 */
function toHomeAgent(p: usize, len: i32): usize {
  const b = mn6Away();
  if (b == 0) return 0;
  if (pktRoom(p) < GROW + 24 + 8 + 14) { count(C.DROP_TUN6_NO_ROOM); return 0; }
  const q = p - <usize>GROW;
  const h = q + <usize>IPV6_HEADER_LEN;
  dstEnd(h, haoAppend(h, 2, 24, b), 24, IPPROTO_IPV6);
  ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>(len + 24), IPPROTO_DSTOPTS, hopLimit6, b + 32, b + 16);
  count(C.MIP6_MN_MC_TUNNELLED);
  return q;
}

/**
 * A Report into the tunnel (stack/mld6.ts), in answer to the home agent's Query. Why: RFC 2710 §3 has MLD
 * messages come from a link-local address with hop limit 1; inside the tunnel the mobile node is on its
 * home agent's link (RFC 2473: a tunnel is a link), so the Report keeps its link-local source (as RFC 3775
 * §11.3.4 leaves it): the home agent knows the member by the tunnel's authenticated home address, not by
 * the inner source, and an MLD router discards a Report from a global source (RFC 3810 §5.2.13).
 */
function tunnelReport(p: usize, len: i32): void {
  const q = toHomeAgent(p, len);
  if (q != 0) ip6Send(q, len + GROW, mnIface);
}

/**
 * A packet to a group the node sends (ip6.ts ip6Send): from the home address away from home, into the
 * tunnel (§10: "MUST use its home address as the IPv6 Source Address of the inner multicast packet";
 * sent on a visited link it would come from an address that is not there). Anything else unchanged: from
 * the care-of address it goes on the visited link (§10 option 1); at home as from any node.
 */
function send(p: usize, len: i32): usize {
  const b = mn6Away();
  if (b == 0 || !addrEqual(ipv6Src(p), b)) return p;
  return toHomeAgent(p, len);
}
