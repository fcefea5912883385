// Multicast listener (RFC 2710 §4, the MLDv1 node part) for the groups configured in `ipv6Groups`
// (record GROUP6, stack/groups6.ts: addr6IsMember accepts them, so their packets reach the local stack), in
// images with Mobile IPv6 only (issue 13.5: multicast for seed 003 §10; features.ts MIP6): their Multicast
// Listener Reports and answers to Queries.
//
//   link up / start          unsolicited Reports (RFC 2710 §4: "immediately", repeated once after
//                            UNSOLICITED_MS), from the link-local address once it is usable
//   Query (130)              a Report for each group it names (General Query: every group) after a
//                            random delay in [0, Maximum Response Delay]; a Report heard from another
//                            listener first makes ours unneeded (§4 suppression)
//   never reported           ff02::1 and interface-local groups (RFC 2710 §5; scope 0 and 1)
//
// Where a Report goes is the mobile node's business (mobility/mcast6.ts, mld6MobileWith): on the link
// (at home, or away for a group joined on the visited link), through the home agent's tunnel (away, a
// group joined through it: only in answer to a Query that came down that tunnel, RFC 3775 §11.3.4), or
// not yet (where the node is is not known: no address yet after a link change). Without that hook every
// Report goes on the link.
//
// Report state in each group entry (stack/groups6.ts, after group, reportAt (TIMER_NEVER: none), iface,
// flags): 26 left u8 (unsolicited Reports still to send) | 27 resp u8 (a Query's answer pending:
// RESP_LINK, RESP_TUNNEL) | 28 waits u8 (times the unsolicited Report waited for an address)
//
// Who may change what: the group list only the configuration; a Report's timing a Query received on the
// link or out of the home agent's authenticated tunnel (only when it came that way is the answer sent
// that way), or another listener's Report (suppression). Nothing received adds or removes a group.

import { C, count } from "../counters";
import { nowMs } from "../clock";
import { random } from "../host";
import { netifCount, netifValid, netifUp, netifListen, netifMac } from "../link/netif";
import { stackTimerArm, timerOwn, OWNER_MLD6 } from "../sys/timers";
import { TIMER_NEVER } from "../table/timer";
import { g6Init, g6At, g6Find, g6Count, g6Scratch, G6_REPORT_AT, G6_IFACE, G6_FLAGS, G6_LOCAL } from "./groups6";
import * as cfg from "../config";
import { addr6LinkLocal } from "./addr6";
import { ip6Send, ip6MldWith } from "./ip6";
import { tun6Depth } from "./tunnel6";
import { addrEqual, addrIsUnspecified, addrIsLinkLocal6, addrSetLinkLocal } from "../wire/addr";
import { ipv6Src, ipv6HopLimit } from "../wire/ipv6";
import { mldEmit, mldGroup, mldMaxDelay, MLD_QUERY, MLD_REPORT, MLD_LEN, MLD_PACKET_LEN } from "../wire/mld";

const G_REPORT_AT = G6_REPORT_AT, G_IFACE = G6_IFACE, G_FLAGS = G6_FLAGS;
const G_LEFT: usize = 26;
const G_RESP: usize = 27;
const G_WAITS: usize = 28;
const RESP_LINK: u8 = 1, RESP_TUNNEL: u8 = 2;

/** Where a group's Report goes now (mld6MobileWith's answer). */
export const WHERE_LINK: i32 = 0;
export const WHERE_TUNNEL: i32 = 1;
export const WHERE_WAIT: i32 = 2;
/**
 * The mobile node's part (mobility/mcast6.ts): with `p` 0, where a Report for a group on `iface` goes now
 * (`local`: joined on the visited link when away), WHERE_*; else send the MLD packet at `p` (`len` bytes,
 * headroom MLD6_HEAD) into the tunnel to its home agent. Why (memory): one function object, not two.
 */
export type Mld6Mobile = (iface: i32, local: bool, p: usize, len: i32) => i32;

// Why: RFC 2710 §4 "repeated once or twice after short delays [Unsolicited Report Interval]", §7.10: 10 s;
// §7.1 Robustness Variable 2: two unsolicited Reports.
const UNSOLICITED_MS: i64 = 10000;
const ROBUSTNESS: u8 = 2;
/** An unsolicited Report waits for a usable link-local address (DAD) and for the mobile node to know
 *  where it is, WAIT_MS at a time, at most MAX_WAITS times (10 s; then it is given up until a Query). */
const WAIT_MS: i64 = 250;
const MAX_WAITS: u8 = 40;
/** Headroom in front of the packets built here: a tunnel's outer header, a Home Address option, AH, Ethernet. */
export const MLD6_HEAD: usize = 112;
const TK_MLD6: u16 = OWNER_MLD6 << 8;

let buf: usize = 0;
let src: usize = 0;
let timer: i32 = -1;
let mobileFn: usize = 0;

/**
 * On an IPv6 node of an image with Mobile IPv6 (index.ts ipv6Init): the group table, the hooks. MLD packets
 * are built at `out` + MLD6_HEAD, `out` a packet buffer of at least MLD6_HEAD + MLD_PACKET_LEN bytes that
 * is free while one is sent (mobility/mip6.ts's, which its Binding Acknowledgements and Requests use
 * between our sends). Why (memory): one more buffer registered cost a registry slot and 232 bytes on
 * every node.
 */
export function mld6Init(out: usize): bool {
  timer = -1;
  mobileFn = 0;
  buf = out;
  if (!g6Init(cfg.group6Entries) || buf == 0) return false;
  src = g6Scratch;
  timerOwn(OWNER_MLD6, tick);
  netifListen(link);
  ip6MldWith(rx);
  return true;
}

/** The buffer MLD packets are built in (MLD6_HEAD of headroom in front of buf + MLD6_HEAD): the home agent's Queries. */
export function mld6Buf(): usize { return buf + MLD6_HEAD; }

/** The mobile node decides where Reports go (mobility/mcast6.ts). */
export function mld6MobileWith(fn: Mld6Mobile): void {
  mobileFn = changetype<usize>(fn);
}

// @ts-ignore: decorator
@inline function ent(i: i32): usize { return g6At(i); }

/** Start (after the configuration): every interface that is up reports its groups. */
export function mld6Start(): void {
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) link(i, true);
}

/**
 * A link came up: its groups are reported unsolicited (RFC 2710 §4: a node joining a group, and an
 * interface initialised, "immediately transmit an unsolicited Report", then once more); down: nothing
 * pending goes on a link that is gone.
 */
function link(iface: i32, up: bool): void {
  const now = nowMs();
  for (let i = 0; i < g6Count; i++) {
    const e = ent(i);
    if (<i32>load<u8>(e, G_IFACE) != iface || !reported(e)) continue;
    store<u8>(e, up ? ROBUSTNESS : 0, G_LEFT);
    store<u8>(e, 0, G_RESP);
    store<u8>(e, 0, G_WAITS);
    store<i64>(e, up ? now : TIMER_NEVER, G_REPORT_AT);
  }
  rearm();
}

/** Why: RFC 2710 §5: never a Report for the all-nodes group; RFC 2710 §4 (end): none for a group of scope 0 or 1. */
function reported(g: usize): bool {
  const scope = load<u8>(g, 1) & 0x0f;
  return scope > 1 && !(load<u8>(g, 1) == 0x02 && load<u64>(g, 2) == 0 && load<u32>(g, 10) == 0 && load<u16>(g, 14) == 0x0100);
}

function rearm(): void {
  let at = TIMER_NEVER;
  for (let i = 0; i < g6Count; i++) at = min<i64>(at, load<i64>(ent(i), G_REPORT_AT));
  if (at != TIMER_NEVER) timer = stackTimerArm(timer, TK_MLD6, 0, at);
}

/**
 * Where `e`'s Report goes now (the mobile node's answer, else the link), its source in `src`: on the link
 * the link-local address once it is usable (RFC 2462 §5.4: not while its DAD runs); into the tunnel the
 * mobile node's link-local address (fe80:: and the interface identifier) whatever its DAD on the visited
 * link, which the Report inside the tunnel never travels (it registers at once with an Optimistic care-of
 * address, while that DAD still runs).
 */
function where(e: usize): i32 {
  const iface = <i32>load<u8>(e, G_IFACE);
  const w = mobileFn == 0 ? WHERE_LINK : changetype<Mld6Mobile>(mobileFn)(iface, (load<u8>(e, G_FLAGS) & G6_LOCAL) != 0, 0, 0);
  if (w == WHERE_TUNNEL) addrSetLinkLocal(src, netifMac(iface));
  return w == WHERE_LINK && !addr6LinkLocal(iface, src) ? WHERE_WAIT : w;
}

/** The Report timer: every group whose time came sends its Report where it goes now. */
function tick(kind: u16, tag: u32, now: i64): void {
  timer = -1;
  for (let i = 0; i < g6Count; i++) {
    const e = ent(i);
    if (load<i64>(e, G_REPORT_AT) > now) continue;
    const w = where(e);
    const resp = load<u8>(e, G_RESP);
    let left = load<u8>(e, G_LEFT);
    store<i64>(e, TIMER_NEVER, G_REPORT_AT);
    store<u8>(e, 0, G_RESP);
    if (w == WHERE_WAIT) {
      // No address yet, or the mobile node does not know where it is: the Report waits (bounded).
      const waits = load<u8>(e, G_WAITS);
      if ((left > 0 || resp != 0) && waits < MAX_WAITS) {
        store<u8>(e, waits + 1, G_WAITS);
        store<u8>(e, resp, G_RESP);
        store<i64>(e, now + WAIT_MS, G_REPORT_AT);
      }
      continue;
    }
    if (w == WHERE_TUNNEL) {
      // Why: RFC 3775 §11.3.4: through the tunnel only once the home agent sent an MLD message down it:
      // only the answer to its Query goes; unsolicited ones are not sent (neither there nor on a
      // visited link the group was not joined on).
      if (resp == RESP_TUNNEL) send(e, true);
      store<u8>(e, 0, G_LEFT);
      continue;
    }
    if (left > 0 || resp == RESP_LINK) {
      send(e, false);
      if (left > 0) left--;
      store<u8>(e, left, G_LEFT);
      if (left > 0) store<i64>(e, now + UNSOLICITED_MS, G_REPORT_AT);
    }
  }
  rearm();
}

/**
 * A Report for the group of `e` (RFC 2710 §3, §4: to the group itself, from the link-local address of its
 * interface — `src`, set by where() —, hop limit 1, Router Alert) on the link, or into the home agent's
 * tunnel (`tunnel`).
 */
function send(e: usize, tunnel: bool): void {
  const p = buf + MLD6_HEAD;
  mldEmit(p, MLD_REPORT, 0, e, src, e);
  count(C.MLD6_REPORT_TX);
  if (tunnel) changetype<Mld6Mobile>(mobileFn)(<i32>load<u8>(e, G_IFACE), false, p, MLD_PACKET_LEN);
  else ip6Send(p, MLD_PACKET_LEN, <i32>load<u8>(e, G_IFACE));
}

/**
 * An MLD message for this node (ICMPv6 130-132, checksum checked: stack/ip6.ts). Returns 0 (used) or 1
 * (dropped, counted).
 */
function rx(iface: i32, p: usize, len: i32, off: i32): i32 {
  const m = p + <usize>off;
  // Why: RFC 2710 §3: every MLD message comes from a link-local source with hop limit 1 (one from
  // elsewhere, or forwarded, says nothing about this link) and has 24 bytes.
  if (len - off < MLD_LEN || !addrIsLinkLocal6(ipv6Src(p)) || ipv6HopLimit(p) != 1) { count(C.DROP_MLD6_MALFORMED); return 1; }
  const t = load<u8>(m);
  const g = mldGroup(m);
  // (Out of the home agent's tunnel, or on the link: the answer goes back the same way.)
  const viaTunnel = tun6Depth() > 0;
  if (t == MLD_QUERY) {
    count(C.MLD6_QUERY_RX);
    const general = addrIsUnspecified(g);
    if (!general && load<u8>(g) != 0xff) { count(C.DROP_MLD6_MALFORMED); return 1; }
    const now = nowMs();
    const maxDelay = mldMaxDelay(m);
    for (let i = 0; i < g6Count; i++) {
      const e = ent(i);
      if (<i32>load<u8>(e, G_IFACE) != iface || !reported(e) || (!general && !addrEqual(e, g))) continue;
      // Why: a Query from the link is answered on the link, one out of the home agent's tunnel through
      // the tunnel: each only when that is where the group is joined now (seed 003 §10's two ways; not
      // known yet: the answer waits to see, tick()).
      const w = where(e);
      if (w != WHERE_WAIT && w != (viaTunnel ? WHERE_TUNNEL : WHERE_LINK)) continue;
      store<u8>(e, 0, G_WAITS);
      // Why: RFC 2710 §4: a delay "randomly-chosen value in the range (0, [Max Response Delay])"; a timer
      // already running sooner is kept.
      random(src, 4);
      const at = now + <i64>(maxDelay == 0 ? 0 : load<u32>(src) % <u32>(maxDelay + 1));
      if (at < load<i64>(e, G_REPORT_AT)) store<i64>(e, at, G_REPORT_AT);
      store<u8>(e, viaTunnel ? RESP_TUNNEL : RESP_LINK, G_RESP);
    }
    rearm();
    return 0;
  }
  if (t == MLD_REPORT && !viaTunnel) {
    // Why: RFC 2710 §4: another listener reported the group: our answer to the Query is not needed.
    const e = g6Find(iface, g);
    if (e != 0 && load<u8>(e, G_RESP) == RESP_LINK) {
      store<u8>(e, 0, G_RESP);
      if (load<u8>(e, G_LEFT) == 0) store<i64>(e, TIMER_NEVER, G_REPORT_AT);
    }
  }
  // (A Done is for routers.)
  return 0;
}
