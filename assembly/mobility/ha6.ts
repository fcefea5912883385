// Mobile IPv6 home agent (seed 003 §8; issue 13 point 3), on a router with the home-agent role and IPv6.
//
//   §8.1  dynamic home agent address discovery: a Binding Update to the Home-Agents anycast address of a
//         subnet served here (prefix::fdff:ffff:ffff:fffe, RFC 2526 ID 0x7E, SPEC-DECISIONS) is refused
//         with 135 from a unicast address of ours; the address is answered for on the link (a proxy entry,
//         so Neighbor Discovery resolves it) and packets to it are taken as ours.
//   §8.2  primary care-of address registration: the tests in the order the section gives them (132 is
//         mobility/mip6.ts's, for nodes without this role), then the home registration in the Binding
//         Cache, a gratuitous Neighbor Advertisement for each address of the mobile node (its home
//         address, or with a nonzero ID Length every on-link prefix with its interface identifier, and
//         the link-local address) repeated MAX_ADVERT_REXMIT times, and proxy entries so the home agent
//         answers Neighbor Solicitations for them (defending them in DAD too).
//   §8.3  de-registration: the same tests, then the binding and the proxies go.
//   §8.5  renumbering: when the prefixes advertised on a home link change (config_add of an ADDR6
//         record with "advertise" on a running home agent), its Router Advertisement goes to every mobile
//         node registered on that link, with AH under the mobile node's security association (MUST be
//         authenticated), in an IPv6-in-IPv6 tunnel to its care-of address.
//   §8.4  interception: a packet forwarded to a mobile node's home address with a home registration goes
//         into an IPv6-in-IPv6 tunnel to the primary care-of address (RFC 2473, stack/tunnel6.ts); to its
//         link-local address: Destination Unreachable code 3, never tunnelled.
//
// Who may change what: home registrations only through mip6.ts's §7.2 tests (AH by the home address's
// own SA, sequence) and this file's §8.2 tests; proxy entries for a mobile node only with its home
// registration (added with it, removed when it is deleted or expires: bc6OnRemove).

import { C, count } from "../counters";
import { nowMs } from "../clock";
import { stackTimerStart, stackTimerArm, timerOwn, OWNER_HA6 } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import { ip6HomeAgentWith, ip6SendIcmpError, ip6Seal, ip6TunnelSa } from "../stack/ip6";
import { ipsecOut, ipsecSubnetOut, addrIsSubnetRouter } from "../security/ipsec";
import { addr6OnLink, addr6Advertised, addr6Ours, addr6Source, addr6PrefixValid, addr6Prefix64 } from "../stack/addr6";
import { ndAdvertise, ndRaCopy } from "../stack/nd";
import { pktAlloc } from "../stack/packet";
import { addr6LinkLocal } from "../stack/addr6";
import { icmp6FillChecksum } from "../wire/icmpv6";
import { ipv6Emit, IPV6_HEADER_LEN } from "../wire/ipv6";
import { proxyAddAddr, proxyRemoveAddr } from "../stack/arp";
import { tun6Encap, tun6AcceptWith } from "../stack/tunnel6";
import { netifCount, netifValid } from "../link/netif";
import { addrCopy, addrEqual, addrIsLinkLocal6, addrPrefixMatch } from "../wire/addr";
import { ipv6Dst, ipv6Src, ipv6HopLimit, ipv6DecrementHopLimit, ipv6IsMulticast } from "../wire/ipv6";
import { ICMP6_DEST_UNREACH } from "../wire/icmpv6";
import { BaStatus, LIFETIME_INFINITE, addrIsHaAnycast, addrSetHaAnycast } from "../wire/mip6";
import { mip6HomeWith, mip6Grant, mip6Arm, mip6Event, mip6Delete } from "./mip6";
import { mc6Registered, mc6Removed, mc6Timer, TK_MC6 } from "./mcast6";
import { BindingOp } from "../events";
import {
  bc6Put, bc6Peek, bc6Lookup, bc6Remove, bc6OnRemove, bc6Next, bc6At, bc6HomeAt, B6_COA, B6_FLAGS, B6_HOME, B6_ID_LEN,
  B6_IFACE, B6_NA_LEFT,
} from "./bcache6";

/** Length of this home agent's interface identifiers (RFC 2464 §4: 64 bits on Ethernet), for §8.2's 136. */
const IID_BITS: i32 = 64;
/** MAX_ADVERT_REXMIT (SPEC-DECISIONS): retransmissions of the gratuitous advertisement, 1 s apart
 *  (RFC 2461 §7.2.6: RetransTimer between unsolicited advertisements). */
const MAX_ADVERT_REXMIT: u8 = 3;
const REXMIT_MS: i64 = 1000;
const TK_HA6: u16 = OWNER_HA6 << 8;

let timer: i32 = -1;
// Scratch: one address being formed, the anycast address being checked.
let tmpA: usize = 0;
// The tunnelled Router Advertisement's buffer (§8.5), and a digest of the prefixes advertised when last
// looked (renumbering is a change of it).
let raBuf: usize = 0;
const RA_HEAD: usize = 128;
const RA_CAP: i32 = 512;
let prefixDigest: u32 = 0;

/** Set up the home agent part: the hooks and the anycast addresses' proxy entries (at start). */
export function ha6Init(scratch32: usize): void {
  tmpA = scratch32;
  timer = -1;
  raBuf = pktAlloc(<usize>RA_CAP + RA_HEAD);
  mip6HomeWith(homeRegistration, removed);
  ip6HomeAgentWith(intercept);
  tun6AcceptWith(reverseTunnel);
  timerOwn(OWNER_HA6, ha6Timer);
}

/** Link up / start: answer for the Home-Agents anycast address of every prefix advertised (§8.1). */
export function ha6Start(): void {
  prefixDigest = digest();
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i)) continue;
    for (let k = 0, e = addr6Advertised(i, 0); e != 0; e = addr6Advertised(i, ++k)) {
      addrSetHaAnycast(tmpA, e);
      proxyAddAddr(i, tmpA);
    }
  }
}

/** A digest of every prefix advertised on every interface (a change of it is a renumbering). */
function digest(): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < netifCount(); i++) {
    for (let k = 0, e = addr6Advertised(i, 0); e != 0; e = addr6Advertised(i, ++k)) {
      h = (h ^ <u32>i ^ <u32>load<u8>(e, 16)) * 0x01000193;
      h = (h ^ <u32>load<u64>(e) ^ <u32>(load<u64>(e) >> 32)) * 0x01000193;
    }
  }
  return h;
}

/**
 * The configuration changed on a running node (index.ts config_add): when the advertised prefixes did
 * (§8.5 "When a home subnet prefix changes"), answer for the new anycast addresses and send the home
 * link's Router Advertisement to every mobile node registered there, authenticated, through its tunnel.
 */
export function ha6Renumbered(): void {
  const d = digest();
  if (d == prefixDigest) return;
  ha6Start();
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) {
    const e = bc6At(i);
    if ((load<u8>(e, B6_FLAGS) & B6_HOME) == 0) continue;
    // With ID Length, the mobile node's address on a new prefix is served (and defended) from now on.
    if (load<u8>(e, B6_ID_LEN) != 0) forEachAddr(bc6HomeAt(i), load<u8>(e, B6_ID_LEN), load<i32>(e, B6_IFACE), true);
    tunnelRa(bc6HomeAt(i), e + B6_COA, load<i32>(e, B6_IFACE));
  }
}

/**
 * The Router Advertisement of home link `iface` to the mobile node with home address `home` at care-of
 * address `coa` (§8.5): from our link-local address there (RFC 2461 §6.1.2 requires a link-local source),
 * hop limit 255, AH under the mobile node's SA ("MUST be authenticated": with no SA nothing goes), in an
 * IPv6-in-IPv6 tunnel to the care-of address.
 */
function tunnelRa(home: usize, coa: usize, iface: i32): void {
  const q = raBuf + RA_HEAD;
  const m = q + <usize>IPV6_HEADER_LEN;
  const n = ndRaCopy(iface, m, RA_CAP - IPV6_HEADER_LEN);
  if (n <= 0 || !addr6LinkLocal(iface, tmpA)) return;
  icmp6FillChecksum(m, n, tmpA, home);
  ipv6Emit(q, IPV6_HEADER_LEN, 0, 0, <u16>n, 58, 255, tmpA, home);
  const s = ip6Seal(q, IPV6_HEADER_LEN + n);
  if (s == 0) { count(C.DROP_AH_OUTPUT); return; }
  // Why: §8.4, as for intercepted packets: the outer source is our address on the home link, the one the
  // mobile node takes tunnelled packets from (any other is dropped there: drop_tun6_peer).
  if (!addr6Source(iface, home, tmpA + 16)) { store<u64>(tmpA + 16, 0); store<u64>(tmpA + 24, 0); }
  count(C.MIP6_HA_RA_TUNNELLED);
  // The tunnel carries AH under the mobile node's SA as every packet of ours to it (intercept): its
  // inbound policy takes no other from its home agent (drop_ah_required).
  ip6TunnelSa(ipsecOut(home));
  tun6Encap(coa, tmpA + 16, s, IPV6_HEADER_LEN + n + 24, -1);
  ip6TunnelSa(0);
}

/** True when `a` is the Home-Agents anycast address of a prefix this home agent advertises (on any link),
 *  or its Subnet-Router anycast address (RFC 4291 §2.6.1, every router answers it; seed 003 §9.6: a mobile
 *  node's Binding Update to its previous default router). */
function servesAnycast(a: usize): bool {
  if (!addrIsHaAnycast(a) && !addrIsSubnetRouter(a)) return false;
  for (let i = 0; i < netifCount(); i++) {
    for (let k = 0, e = addr6Advertised(i, 0); e != 0; e = addr6Advertised(i, ++k)) {
      if (load<u64>(e) == load<u64>(a)) return true;
    }
  }
  return false;
}

/** The interface whose on-link prefixes hold `home` (§8.2 "on-link ... with respect to the home agent's current Prefix List"), or -1. */
function homeIface(home: usize): i32 {
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && addr6OnLink(i, home)) return i;
  return -1;
}

/**
 * A Binding Update with H that passed §7.2 (mip6.ts HomeHook). Returns the status; mip6Grant tells the
 * lifetime granted.
 */
function homeRegistration(iface: i32, dst: usize, home: usize, coa: usize, lifetimeSec: u32, seq: i32, idLen: i32, anycast: bool): i32 {
  mip6Grant(0);
  // Why: §8.1: to the anycast address: "MUST reject the Binding Update and SHOULD return a Binding
  // Acknowledgement ... Status 135", its source a unicast address of ours (mip6.ts sendBa).
  if (anycast) return BaStatus.HA_DISCOVERY;
  // Why: §8.2 / §8.3 second test: the home address must be on-link for one of our prefixes: 133.
  const hi = homeIface(home);
  if (hi < 0) return BaStatus.NOT_HOME_SUBNET;
  if (lifetimeSec == 0) {
    // Why: §8.3: "it MUST delete any existing entry in its Binding Cache for this mobile node" (the proxies
    // go with it: removed()).
    mip6Delete(home);
    return BaStatus.ACCEPTED;
  }
  // Why: §8.2 third test: a nonzero ID Length must be our own interface identifier length: 136.
  if (idLen != 0 && idLen != IID_BITS) return BaStatus.BAD_ID_LENGTH;
  // Why: issue 13.3 / RFC 3775 §10.3.1's reading of §8.2: the service lasts no longer than the home
  // address can: the granted lifetime is at most the remaining valid lifetime of the home prefix.
  const v = addr6PrefixValid(hi, home);
  const granted = v == 0 ? lifetimeSec : min<u32>(lifetimeSec, v);
  const was = bc6Peek(home);
  const fresh = was == 0 || (load<u8>(was, B6_FLAGS) & B6_HOME) == 0;
  // Why: §8.2 fourth test: no room (a cache full of home registrations is never emptied for another): 131.
  const e = bc6Put(home, coa, granted, seq, idLen, true, hi, nowMs());
  if (e == 0) return BaStatus.NO_RESOURCES;
  // Why: §7.7: the registration expires with its lifetime (the cache's timer, which also takes the
  // proxies away: removed()), whether or not anything looks it up.
  mip6Arm(e);
  mip6Grant(granted);
  mip6Event(true, fresh ? <u8>BindingOp.ADD : <u8>BindingOp.REFRESH, 0, granted, home, coa);
  if (fresh) {
    // Why: §8.2: a new home registration: proxy entries and the gratuitous advertisements for every
    // address of the mobile node on the home link.
    forEachAddr(home, idLen, hi, true);
    store<u8>(e, MAX_ADVERT_REXMIT, B6_NA_LEFT);
    arm(nowMs() + REXMIT_MS);
    // Why: §10 / RFC 3775 §11.3.4: the mobile node may join groups through its tunnel once we sent an MLD
    // message down it: a Query (mobility/mcast6.ts).
    mc6Registered(home, e);
  }
  return BaStatus.ACCEPTED;
}

/**
 * A home registration from before a restart of this home agent (issue 14: config_add BINDING6, images with
 * RESTORE), `lifetimeSec` more seconds: installed as homeRegistration installs an accepted Binding Update
 * (Binding Cache entry with Sequence Number `seq`, proxies and gratuitous advertisements on the home link,
 * expiry, a BINDING event), so the home agent intercepts for the home address again before the mobile node
 * re-registers. The status (0 accepted).
 */
export function ha6Restore(home: usize, coa: usize, lifetimeSec: u32, seq: i32, idLen: i32): i32 {
  return homeRegistration(-1, home, home, coa, lifetimeSec, seq, idLen, false);
}

/**
 * Every address of the mobile node with home address `home` on `iface` (§8.2 first step): `home` alone
 * with ID Length 0; else its interface identifier on each on-link prefix of ours there and on the
 * link-local prefix. `add`: proxy entries + a gratuitous advertisement each; else the proxy entries go.
 */
function forEachAddr(home: usize, idLen: i32, iface: i32, add: bool): void {
  one(iface, home, add);
  if (idLen == 0) return;
  for (let k = 0, e = addr6Prefix64(iface, 0); e != 0; e = addr6Prefix64(iface, ++k)) {
    store<u64>(tmpA, load<u64>(e));
    store<u64>(tmpA, load<u64>(home, 8), 8);
    if (!addrEqual(tmpA, home) && addr6Ours(tmpA, -1) < 0) one(iface, tmpA, add);
  }
}

function one(iface: i32, a: usize, add: bool): void {
  if (add) { proxyAddAddr(iface, a); ndAdvertise(iface, a); count(C.MIP6_HA_ADVERT); }
  else proxyRemoveAddr(a);
}

/** A home registration left the cache (de-registration or expiry): its proxy entries go (§8.3). */
function removed(home: usize, v: usize): void {
  forEachAddr(home, <i32>load<u8>(v, B6_ID_LEN), load<i32>(v, B6_IFACE), false);
  // Why: §10: the groups it joined through its tunnel were the binding's (mobility/mcast6.ts).
  mc6Removed(home);
}

function arm(at: i64): void {
  timer = timer >= 0 ? stackTimerArm(timer, TK_HA6, 0, at) : stackTimerStart(TK_HA6, 0, at);
}

/** The retransmission timer of the gratuitous advertisements (§8.2: up to MAX_ADVERT_REXMIT times). */
function ha6Timer(kind: u16, tag: u32, now: i64): void {
  if (kind == TK_MC6) { mc6Timer(now); return; }
  let again = false;
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) {
    const e = bc6At(i);
    const left = load<u8>(e, B6_NA_LEFT);
    if ((load<u8>(e, B6_FLAGS) & B6_HOME) == 0 || left == 0) continue;
    forEachAddr(bc6HomeAt(i), <i32>load<u8>(e, B6_ID_LEN), load<i32>(e, B6_IFACE), true);
    store<u8>(e, left - 1, B6_NA_LEFT);
    if (left > 1) again = true;
  }
  if (again) arm(now + REXMIT_MS);
}

/**
 * A packet to forward (ip6.ts ForwardHook): to the anycast address of a subnet we serve: ours (§8.1);
 * to a home address with a home registration: into the tunnel to the care-of address (§8.4); to such a
 * mobile node's link-local address: Destination Unreachable code 3 (§8.2). Else -1.
 */
function intercept(iface: i32, p: usize, len: i32): i32 {
  const dst = ipv6Dst(p);
  if (servesAnycast(dst)) return 2;
  if (addrIsLinkLocal6(dst)) {
    // Why: §8.2: "packets addressed to the mobile node's link-local address ... MUST NOT be tunneled ...
    // MUST be discarded, and ... SHOULD return an ICMP Destination Unreachable, Code 3".
    if (!llOfRegistered(iface, dst)) return -1;
    count(C.DROP_MIP6_LINK_LOCAL);
    ip6SendIcmpError(iface, p, len, ICMP6_DEST_UNREACH, 3, 0);
    return 1;
  }
  let e = bc6Lookup(dst, nowMs(), false);
  let home = dst;
  // (Else another address of a registration with ID Length: the registered home address is then in tmpA.)
  if (e == 0) { e = byIid(dst); home = tmpA; }
  if (e == 0 || (load<u8>(e, B6_FLAGS) & B6_HOME) == 0) return -1;
  // Why: RFC 2460 §3: forwarding spends one hop (the tunnel entry point forwards the inner packet, RFC
  // 2473 §3.1); an exhausted one is the forwarder's to refuse (-1: ip6Forward sends Time Exceeded).
  if (ipv6HopLimit(p) <= 1) return -1;
  ipv6DecrementHopLimit(p);
  count(C.MIP6_HA_TUNNELLED);
  // Why: §8.4: "the home agent sets the Source Address in the prepended tunnel IP header to the home
  // agent's own IP address, and ... the Destination Address ... to the mobile node's primary care-of
  // address": our address on the home link (the one the mobile node knows as its home agent and accepts
  // tunnelled packets from), else one chosen for the care-of address (::).
  // (Chosen for the registered home address: for its address on a newer prefix it would be our address
  // there, which the mobile node does not know.)
  if (!addr6Source(load<i32>(e, B6_IFACE), home, tmpA + 16)) { store<u64>(tmpA + 16, 0); store<u64>(tmpA + 24, 0); }
  // The tunnel is protected with the mobile node's SA (its peer the home address), as everything between
  // them: the mobile node admits its home agent's tunnel only with AH (ip6.ts ip6TunnelSa).
  // (A previous router's visitor, §9.6: its old care-of address has no SA of its own; its subnet's has.)
  let tsa = ipsecOut(home);
  if (tsa == 0) tsa = ipsecSubnetOut(dst);
  ip6TunnelSa(tsa);
  const r = tun6Encap(e + B6_COA, tmpA + 16, p, len, iface);
  ip6TunnelSa(0);
  return r;
}

/**
 * §8.2 ID Length: the home registration serving `dst` as the same interface identifier on another 64-bit
 * prefix of the home link (a registration with ID Length 64 asks the home agent to serve "all home
 * addresses for the mobile node based on all on-link subnet prefixes", a prefix added by renumbering,
 * §8.5, too), or 0. Its home address is left in tmpA.
 */
function byIid(dst: usize): usize {
  const hi = homeIface(dst);
  if (hi < 0) return 0;
  for (let k = 0, p = addr6Prefix64(hi, 0); p != 0; p = addr6Prefix64(hi, ++k)) {
    store<u64>(tmpA, load<u64>(p));
    store<u64>(tmpA, load<u64>(dst, 8), 8);
    if (addrEqual(tmpA, dst)) continue;
    const e = bc6Lookup(tmpA, nowMs(), false);
    if (e != 0 && (load<u8>(e, B6_FLAGS) & B6_HOME) != 0 && load<u8>(e, B6_ID_LEN) != 0) return e;
  }
  return 0;
}

/**
 * A reverse tunnel from a mobile node (stack/tunnel6.ts Tun6Accept; issue 13.6): IPv6-in-IPv6 whose outer
 * source, after its Home Address option (the mobile node's SA verified it unless the policy lets plain
 * packets in), is a home address registered here, carrying a packet from that same home address. The
 * inner packet is then forwarded from the home link as if the mobile node were at home.
 */
function reverseTunnel(src: usize, inner: usize): bool {
  const e = bc6Lookup(src, nowMs(), false);
  if (e == 0 || (load<u8>(e, B6_FLAGS) & B6_HOME) == 0) return false;
  const is = ipv6Src(inner);
  // (Or from its address on another home prefix, when its registration has ID Length: same interface
  // identifier, a prefix of the home link; §8.2, §8.5.)
  // (An MLD message to a group comes from the mobile node's link-local address, RFC 2710 §3: §10's
  // membership through the tunnel, mobility/mcast6.ts.)
  return addrEqual(is, src) || (load<u8>(e, B6_ID_LEN) != 0 && load<u64>(is, 8) == load<u64>(src, 8) && homeIface(is) == load<i32>(e, B6_IFACE)) ||
    (addrIsLinkLocal6(is) && ipv6IsMulticast(ipv6Dst(inner)));
}

/** True when `ll` is the link-local address of a mobile node registered with ID Length != 0 on `iface`. */
function llOfRegistered(iface: i32, ll: usize): bool {
  for (let i = bc6Next(0); i >= 0; i = bc6Next(i + 1)) {
    const e = bc6At(i);
    if ((load<u8>(e, B6_FLAGS) & B6_HOME) != 0 && load<u8>(e, B6_ID_LEN) != 0 && load<i32>(e, B6_IFACE) == iface &&
        load<u64>(bc6HomeAt(i), 8) == load<u64>(ll, 8)) return true;
  }
  return false;
}

