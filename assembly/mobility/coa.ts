// The care-of agent (seed 002 §5, issue 11 point 3) and the home agent's Route Requests (§7.5): a
// registration server enables or disables a binding route here with a Route Request (32), answered
// by a Route Reply (33).
//
//   coaRequest(iface, p, len)   UDP 434 type 32, to us:
//     not from a server we share an agent-server association with, or without a valid Agent-Server
//       Authentication extension (83) at the end                        -> discarded, counted (§5.1)
//     Identification not fresh for that association (timestamps)         -> discarded, counted
//     extensions not walkable, addresses not unicast                     -> 69 (poorly formed)
//     Lifetime above mobility.dremip.maxRouteLifetimeSec                 -> 68 with our maximum
//     Lifetime 0                                                         -> the route is disabled, 0
//     else the route is enabled (the apply hook)                         -> 0 with the lifetime granted;
//       65 when the hook refuses (a home agent: not one of its home addresses), 64 when full
//     The reply copies Destination, Next Hop and the Identification, and ends with extension 83.
//   coaRoute / coaVif   the route source: a datagram to a home address with a binding route is
//     tunnelled (IP in IP) to the route's next hop, the child care-of address (§5.2 "installs in its
//     forwarding cache an entry with the tunnel as the outgoing circuit"). A chain HA -> care-of
//     agent(s) -> foreign agent is one such entry per hop, not a new call in the forwarding path.
//   coaExit   tunnel exit: a datagram tunnelled to us (from the parent care-of address) for a home
//     address with a binding route is received again and takes that route.
//   coaTimer  one timer: routes whose lifetime ended are disabled (§5.1 "SHOULD be disabled upon its
//     expiry").
//
// Who may change the routes: only a Route Request that verified with an agent-server association and
// carries a fresh Identification; nothing else adds, moves or removes a route before it expires
// (test/host/dremip-roles.test.mjs, the invariant fuzzing).
//
// Route table (hash keyed by home address, capacity board `careOfRoutes`): 0 nextHop u32 |
// 4 server u32 (who enabled it) | 8 expiresAtMs i64 (TIMER_NEVER: 0xffff) | 16 lifetimeSec u16 | pad

import { mipEmit, drMsg, drMsgLen } from "./mip";
import * as cfg from "../config";
import { C, count, countGet } from "../counters";
import { Ev, evOpAddrs, evAuthFailed, ROLE_COA } from "../events";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { addrSetV4 } from "../wire/addr";
import { netifIp } from "../link/netif";
import { stackTimerArm, OWNER_COA } from "../sys/timers";
import { ipSend, ipIsOurs, ipNextIdent, ipInput } from "../stack/ip";
import { routeVirtual, routeVifHandle, routeChanged, routeIface, routeNextHop, NO_ROUTE, VIF_COA_ROUTE } from "../stack/route";
import {
  HT_KEY_ADDR, HT_HEADER_SIZE, htBytesKeyed, htCarve, htInitKeyed, htCarve, htFindV4, htInsertV4, htRemoveAt, htIndexOf, htValueAt,
  htKeyV4At, htNext, htUsed,
} from "../table/hash";
import { TIMER_NEVER } from "../table/timer";
import { ipv4Src, ipv4Dst, ipv4SrcInline, ipv4DstInline, ipv4Proto, ipIsUnicastSource, IPV4_MIN_HEADER, IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE } from "../wire/ipv4";
import { udpSrcPort, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import { MIP_PORT } from "../wire/registration";
import { extIndexScratch, EXT_AS_AUTH, extIndexFind, extIndexError, extEnd, extWalk, authSpi, ExtErr } from "../wire/mipext";
import {
  DrErr, rtParse, rtCheck, rtLifetimeSec, rtDest, rtNextHop, rtIdentification, rtEmit, DR_TYPE_ROUTE_REQUEST, DR_TYPE_ROUTE_REPLY,
  RT_ADDED, RT_UNSPECIFIED, RT_LIFETIME_TOO_LONG, RT_POORLY_FORMED, RT_LEN, dsParse, dsEmit, dsIdentification,
  DR_TYPE_COA_SOLICIT, DR_TYPE_COA_ADVERT, ALL_COA_GROUP,
} from "../wire/dremip";
import { authAppend, authFailEvent, authAt } from "../security/auth";
import { saFindFor } from "../security/sa";
import { ReplayResult, haCheckIdentification, haAccepted } from "../security/replay";
import { tunnelCheck, tunnelSend, tunnelRoute } from "./tunnel";

/** Timer kind: the route table's one timer. */
export const TK_COA: u16 = (OWNER_COA << 8);

/** Binding route event ops (Ev.DR_ROUTE). */
export const enum DrRouteOp { ENABLE = 1, REFRESH = 2, DISABLE = 3, EXPIRE = 4, REFUSED = 5 }

const R_NEXT_HOP: usize = 0;
const R_SERVER: usize = 4;
const R_EXPIRES: usize = 8;
const R_LIFETIME: usize = 16;
const R_SIZE: u32 = 24;

/**
 * Apply an authenticated Route Request: enable (lifetime > 0) or disable the binding route of `home`
 * to `nextHop`. Returns a Route Reply code (0, 64, 65). The care-of agent's is coaApply; a home agent
 * registers its own (ha.ts haRouteApply: a binding, with proxy and gratuitous ARP, §7.5).
 */
export type RouteApply = (home: u32, nextHop: u32, lifetimeSec: u16, server: u32) => u8;
let applyFn: usize = 0;
/** The home agent registers haRouteApply here (roles.ts); else the care-of agent's table is used. */
export function coaOnApply(fn: RouteApply): void { applyFn = changetype<usize>(fn); }

// (A global set at init rather than a constant: a global.get is shorter than the address at each use.)
let routes: usize = 0;
let capacity: u32 = 0;
let timer: i32 = -1;
let timerAt: i64 = 0x7fffffffffffffff; // TIMER_NEVER (a literal: a named constant here became a store at start-up)
let extIndex: usize = 0;
const OUT_IP: usize = 16;
const OUT_BUF: i32 = <i32>OUT_IP + IPV4_MIN_HEADER + UDP_HEADER_LEN + RT_LEN + 32;
let outBuf: usize = 0; // carved in coaInit
// The message we send, after its IP and UDP headers in outBuf, and its room.
const OUT_MSG: usize = OUT_IP + <usize>IPV4_MIN_HEADER + <usize>UDP_HEADER_LEN;
const OUT_CAP: i32 = OUT_BUF - <i32>OUT_MSG;

/** Carve the route table (board `careOfRoutes`); false when memory ran out. */
export function coaInit(): void {
  routes = memory.data(<i32>HT_HEADER_SIZE, 8);
  extIndex = extIndexScratch;
  applyFn = 0;
  timer = -1;
  timerAt = TIMER_NEVER;
  capacity = <u32>cfg.careOfRoutes();
  outBuf = arenaAlloc(<usize>OUT_BUF);
  if (outBuf == 0 || !htCarve(routes, capacity, R_SIZE)) capacity = 0;
}

function routeEvent(op: DrRouteOp, code: u8, lifetimeSec: u16, home: u32, nextHop: u32, server: u32): void {
  evOpAddrs(Ev.DR_ROUTE, <u8>op, code, lifetimeSec, home, nextHop, server);
}

/** Remove route `e` (of `home`) with event `op` naming `server`. */
function routeRemove(op: DrRouteOp, e: usize, home: u32, server: u32): void {
  routeEvent(op, RT_ADDED, 0, home, load<u32>(e, R_NEXT_HOP), server);
  htRemoveAt(routes, htIndexOf(routes, e));
  // Why: routeDecide keeps its answers while no route source's table changed (stack/route.ts).
  routeChanged();
}

/** The care-of agent's apply (RouteApply): its own route table. */
function coaApply(home: u32, nextHop: u32, lifetimeSec: u16, server: u32): u8 {
  const now = nowMs();
  let e = capacity == 0 ? <usize>0 : htFindV4(routes, home);
  if (lifetimeSec == 0) {
    // Why: 002 §5.2: "to disable ... simply remove the entry from its forwarding cache"; disabling
    // what is not there is still done.
    if (e != 0) routeRemove(DrRouteOp.DISABLE, e, home, server);
    return RT_ADDED;
  }
  const fresh = e == 0;
  if (fresh) {
    // Why: 002 §3.5 has no "insufficient resources" code: a full table refuses with 64.
    e = capacity == 0 || htUsed(routes) >= capacity ? <usize>0 : htInsertV4(routes, home);
    if (e == 0) { count(C.DROP_DR_NO_ROOM); return RT_UNSPECIFIED; }
  }
  const at = drExpiry(now, lifetimeSec);
  store<u32>(e, nextHop, R_NEXT_HOP);
  store<u32>(e, server, R_SERVER);
  store<i64>(e, at, R_EXPIRES);
  store<u16>(e, lifetimeSec, R_LIFETIME);
  // Why: routeDecide keeps its answers while no route source's table changed (stack/route.ts).
  routeChanged();
  routeEvent(fresh ? DrRouteOp.ENABLE : DrRouteOp.REFRESH, RT_ADDED, lifetimeSec, home, nextHop, server);
  if (at < timerAt) arm(at);
  return RT_ADDED;
}

function arm(at: i64): void {
  timerAt = at;
  timer = stackTimerArm(timer, TK_COA, 0, at);
}

/** The route table's timer: disable every route whose lifetime ended, re-arm for the next. */
export function coaTimer(kind: u16, tag: u32, now: i64): void {
  timerAt = TIMER_NEVER;
  if (capacity == 0) return;
  let next = TIMER_NEVER;
  for (let i = htNext(routes, 0); i >= 0; i = htNext(routes, i + 1)) {
    const e = htValueAt(routes, i);
    const at = load<i64>(e, R_EXPIRES);
    if (at <= now) routeRemove(DrRouteOp.EXPIRE, e, htKeyV4At(routes, i), load<u32>(e, R_SERVER));
    else if (at < next) next = at;
  }
  if (next != TIMER_NEVER) arm(next);
}

/** The live route of `home`, or 0. */
function live(home: u32): usize {
  if (capacity == 0 || htUsed(routes) == 0) return 0;
  const e = htFindV4(routes, home);
  return e != 0 && load<i64>(e, R_EXPIRES) > nowMs() ? e : 0;
}

/** The route source (stack/route.ts): a destination with a live binding route goes to coaVif. */
export function coaRoute(inIface: i32, src: u32, dst: u32): i64 {
  if (capacity == 0 || htUsed(routes) == 0) return NO_ROUTE;
  const e = htFindV4(routes, dst);
  return e == 0 ? NO_ROUTE : routeVirtual(VIF_COA_ROUTE, <u32>e);
}

/**
 * The binding routes' virtual interface: tunnel the datagram at `p` (IP in IP, RFC 2003) from our
 * address towards the next hop to the route's next hop, the child care-of address (002 §5.2). -1
 * when the route ended (the table's route then) or the datagram comes from that next hop (RFC 2003
 * §3.2: never back into the tunnel it came from).
 */
export function coaVif(r: i64, inIface: i32, p: usize, len: i32): i32 {
  const e = live(ipv4DstInline(p));
  if (e == 0 || e != <usize>routeVifHandle(r)) { routeChanged(); return -1; }
  const nh = load<u32>(e, R_NEXT_HOP);
  if (ipv4SrcInline(p) == nh) return -1;
  return drTunnel(p, len, nh, inIface >= 0, C.DR_COA_TUNNELLED);
}

/**
 * Tunnel the datagram at `p` (IP in IP, RFC 2003) from our address towards `nh` to `nh`, counted `c`
 * when sent (`forwarded`: not originated here). 0 sent, 1 dropped. (The binding routes' and the
 * registration server's local tunnel, rs.ts rsVif.)
 */
export function drTunnel(p: usize, len: i32, nh: u32, forwarded: bool, c: C): i32 {
  const rt = tunnelRoute(nh);
  if (rt == NO_ROUTE) { count(C.DROP_NO_ROUTE); return 1; }
  const from = netifIp(routeIface(rt));
  const t = tunnelCheck(p, len, cfg.ENCAP_IPIP, from, nh);
  if (t == NO_ROUTE) return 1;
  if (tunnelSend(p, len, cfg.ENCAP_IPIP, from, nh, routeIface(t), routeNextHop(t), forwarded) != 0) return 1;
  count(c);
  return 0;
}

/**
 * Tunnel exit (tunnel.ts): the inner datagram of a tunnel that ended here, for a home address with a
 * binding route, is received again: TTL, routes and ICMP errors apply as to any forwarded datagram,
 * and the route decision finds the binding route (coaRoute). -1 otherwise.
 */
export function coaExit(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 {
  const home = ipv4Dst(inner);
  const e = live(home);
  if (e == 0) return -1;
  const proto = ipv4Proto(inner);
  // Why: RFC 2003 §3.2: a tunnel inside the tunnel is not re-tunnelled (recursion, loops).
  if (proto == IPPROTO_IPIP || proto == IPPROTO_MINENC || proto == IPPROTO_GRE) return -1;
  // Why: RFC 2003 §3.2: never back into the tunnel it came out of.
  if (outerSrc == load<u32>(e, R_NEXT_HOP)) { count(C.DROP_TUNNEL_LOOP); return 1; }
  return ipInput(iface, inner, ilen, false);
}

/** The end of a lifetime of `sec` seconds from `now` (ms): TIMER_NEVER for 0xffff, infinity (002 §3.4; rs.ts, bcache.ts). */
export function drExpiry(now: i64, sec: u16): i64 { return sec == 0xffff ? TIMER_NEVER : now + <i64>sec * 1000; }

/** True for a unicast address that is not ours (a home or care-of address in a request, 002 §3.4, §6.2). */
export function drOther(a: u32): bool { return ipIsUnicastSource(a) && !ipIsOurs(a); }


/** Our address towards `dst` (the source of what we send it), or 0 when no route. */
export function drAddrTo(dst: u32): u32 {
  const r = tunnelRoute(dst);
  return r == NO_ROUTE ? 0 : netifIp(routeIface(r));
}

/** Send the `n`-byte message after the IP and UDP headers at `ip` from port 434 (true: sent). */
export function drSend(ip: usize, src: u32, dst: u32, dport: i32, n: i32): bool {
  const total = mipEmit(ip, src, dst, dport, n);
  return ipSend(ip, total) == 0;
}

/**
 * True when `sa` verifies the authentication extension at `off` of message `m` and that extension ends
 * the `ml` bytes. Why: 002 §4.3, §5.1, §6.5: the distributed registration messages carry their
 * Agent-Server (or Mobile-Foreign) extension last; shared by coa.ts and rs.ts.
 */
export function drAuthLast(sa: usize, m: usize, ml: i32, off: i32): bool {
  return off != 0 && extEnd(m, off) == ml && authAt(sa, m, off);
}

/** Count and log (`role`) an authentication failure on extension `t` at `off` of `m` (0: missing) from `peer`. */
export function drAuthFailed(role: u8, t: u8, code: u8, peer: u32, m: usize, off: i32): void {
  count(C.DROP_DR_AUTH);
  authFailEvent(role, t, code, peer, m, off);
}

/**
 * Send the Route Reply to the request (Destination `home`, Next Hop `nh`, Identification `id`) from
 * `to`:`sport`, authenticated with `sa`.
 */
function reply(sa: usize, code: u8, lifetimeSec: u16, from: u32, to: u32, sport: i32, home: u32, nh: u32, id: u64): void {
  // Why: 002 §5.1: "respond with a Route Reply with the lower 32-bit identification copied from the
  // original request"; the whole Identification is echoed (the server matches the low 32 bits, §6.5).
  // Why: 002 §4.3: the Route Reply carries the Agent-Server Authentication extension.
  sendAs(sa, rtEmit(outBuf + OUT_MSG, OUT_CAP, DR_TYPE_ROUTE_REPLY, code, lifetimeSec, home, nh, id), from, to, sport, C.DR_RT_REPLY_TX);
}

/**
 * Append our Agent-Server extension (83, `sa`) to the `n`-byte message built in outBuf and send it
 * from `from` to `to`:`port`, counted `c` when sent. 1 when it could not be authenticated, else 0.
 */
function sendAs(sa: usize, n: i32, from: u32, to: u32, port: i32, c: C): i32 {
  n = authAppend(sa, outBuf + OUT_MSG, n, OUT_CAP, EXT_AS_AUTH);
  if (n < 0) return 1;
  if (drSend(outBuf + OUT_IP, from, to, port, n)) count(c);
  return 0;
}

/** UDP 434 type 32 (mip.ts handler): a Route Request (see the file comment). */
export function coaRequest(iface: i32, p: usize, len: i32): i32 {
  const m = drMsg(p);
  const ml = drMsgLen(m);
  const dst = ipv4Dst(p);
  // Why: the request is for the agent named by its IP destination (002 §3.4 "the IP address of the
  // care-of agent"); a broadcast or another's is not ours.
  if (!ipIsOurs(dst)) return -1;
  count(C.DR_RT_REQUEST_RX);
  if (rtCheck(m, ml, DR_TYPE_ROUTE_REQUEST) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  const src = ipv4Src(p);
  // (The fixed part is checked: the extensions are what is left to walk.)
  const parsed = extWalk(m, ml, RT_LEN, extIndex) == ExtErr.OK;
  // Why: RFC 2002 §1.9: an unknown extension 0-127 discards the message silently.
  if (!parsed && extIndexError(extIndex) == ExtErr.UNKNOWN_DISCARD) { count(C.DROP_DR_MALFORMED); return 1; }
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  const off = parsed ? extIndexFind(extIndex, EXT_AS_AUTH) : 0;
  // Why: 002 §5.1: valid only when "the message MUST include an Agent-Server Authentication
  // extension at the end and the Authenticator is valid"; "an invalid request SHOULD be discarded
  // and an error SHOULD be logged" — a malformed one with no authenticator we can find too (a reply
  // 69 to anyone would be a reflector).
  if (!drAuthLast(sa, m, ml, off)) { drAuthFailed(ROLE_COA, EXT_AS_AUTH, 0, src, m, off); return 1; }
  const id = rtIdentification(m);
  // Why: 002 §3.4: the Identification protects "against replay attacks of these messages": the
  // server's NTP timestamp must be within the window and later than the last one accepted from it
  // (docs/decisions.md: Route Requests always use timestamps; there is no code to resynchronise).
  if (haCheckIdentification(sa, id, false) != ReplayResult.OK) { count(C.DROP_DR_REPLAY); return 1; }
  haAccepted(sa, id, false);
  const sport = udpSrcPort(m - <usize>UDP_HEADER_LEN);
  const home = rtDest(m);
  const nh = rtNextHop(m);
  let life = rtLifetimeSec(m);
  let code: u8 = RT_ADDED;
  // Why: 002 §3.4: Destination is the mobile node's home address and Next Hop the child care-of
  // address: both unicast, and the next hop is never this node (a tunnel to ourselves is a loop).
  if (!drOther(home) || !drOther(nh)) code = RT_POORLY_FORMED;
  // Why: 002 §3.5 code 68: a lifetime above what we grant is refused with our maximum.
  else if (<i32>life > cfg.drMaxRouteLifetimeSec()) { code = RT_LIFETIME_TOO_LONG; life = <u16>cfg.drMaxRouteLifetimeSec(); }
  else {
    code = applyFn != 0 ? changetype<RouteApply>(applyFn)(home, nh, life, src) : coaApply(home, nh, life, src);
    if (code != RT_ADDED) routeEvent(DrRouteOp.REFUSED, code, life, home, nh, src);
  }
  if (code != RT_ADDED && code != RT_LIFETIME_TOO_LONG) life = 0;
  reply(sa, code, life, dst, src, sport, home, nh, id);
  return 0;
}

// Load metric (002 §6.6): datagrams tunnelled along binding routes per second since the last
// advertisement.
let lastTunnelled: u64 = 0;
let lastLoadAt: i64 = 0;
let lastSolicitId: u64 = 0;
let lastRate: u16 = 0;

/**
 * UDP 434 type 36 (mip.ts handler): a Care-of Agent Solicitation (appendix B; format in
 * wire/dremip.ts, docs/decisions.md). Answered only to a server we share an agent-server association
 * with (a stranger gets nothing: no reflection), whose solicitation carries that association's
 * Agent-Server extension last — or came to the all-care-of-agents group — with a Care-of Agent Advertisement carrying our load metric (§6.6: "a
 * metric that has a higher value when the traffic load is higher": datagrams per second tunnelled
 * since the last advertisement), the solicitation's Identification, Lifetime 0 when our table is full
 * (we take no more mobile nodes) else 0xffff, and extension 83.
 */
export function coaSolicit(iface: i32, p: usize, len: i32): i32 {
  const m = drMsg(p);
  const ml = drMsgLen(m);
  if (dsParse(m, ml, DR_TYPE_COA_SOLICIT, extIndex) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  const src = ipv4Src(p);
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  if (sa == 0) return 1;
  const off = extIndexFind(extIndex, EXT_AS_AUTH);
  // Why: appendix B: the copy a server sends to the all-care-of-agents group cannot carry an
  // authenticator for each of us; it is answered all the same (to a server we have a key with, by an
  // authenticated advertisement that server checks against its latest probe), so unconfigured care-of
  // agents can be found. A unicast solicitation must carry a valid 83.
  const group = ipv4Dst(p) == ALL_COA_GROUP && off == 0;
  if (!group && !drAuthLast(sa, m, ml, off)) { count(C.DROP_DR_AUTH); return 1; }
  const now = nowMs();
  const sid = dsIdentification(m);
  // One measurement per probe: the unicast and the group copy of one solicitation get the same figure;
  // and at most one a second, so forged group solicitations cannot shrink the window to nothing.
  if (sid != lastSolicitId && (lastLoadAt == 0 || now - lastLoadAt >= 1000)) {
    const n = countGet(C.DR_COA_TUNNELLED);
    const dt = now - lastLoadAt;
    let rate: u64 = dt > 0 ? (n - lastTunnelled) * 1000 / <u64>dt : 0;
    lastRate = rate > 0xffff ? 0xffff : <u16>rate;
    lastTunnelled = n;
    lastLoadAt = now;
    lastSolicitId = sid;
  }
  const rate = lastRate;
  const full = capacity != 0 && htUsed(routes) >= capacity;
  const from = drAddrTo(src);
  if (from == 0) { count(C.DROP_NO_ROUTE); return 1; }
  const k = dsEmit(outBuf + OUT_MSG, OUT_CAP, DR_TYPE_COA_ADVERT, rate, from, sid, full ? 0 : 0xffff);
  return sendAs(sa, k, from, src, udpSrcPort(m - <usize>UDP_HEADER_LEN), C.DR_DS_ADVERT_TX);
}

/** Binding routes in use (tests, dump). */
export function coaCount(): u32 { return capacity == 0 ? 0 : htUsed(routes); }

// Dump cursor: 0 the index read next i32 | 4 its record i32 (-1: none).
const dumpCur: usize = memory.data<i32>([-1, -1]);

/**
 * The record of entry `index` (≥ 0) of hash table `t`, or -1 past the end; the cursor at `cur`
 * (0 next index | 4 last record) makes reading 0, 1, 2, ... in a row O(capacity) in all.
 * (coaDump and rs.ts rsDump.)
 */
export function drDumpSeek(t: usize, cur: usize, index: i32): i32 {
  let i: i32;
  if (index == load<i32>(cur) && load<i32>(cur, 4) >= 0) i = htNext(t, load<i32>(cur, 4) + 1);
  else {
    i = htNext(t, 0);
    for (let k = 0; k < index && i >= 0; k++) i = htNext(t, i + 1);
  }
  if (i < 0) { store<i32>(cur, -1); return -1; }
  store<i32>(cur, index + 1);
  store<i32>(cur, i, 4);
  return i;
}

/**
 * The value of record `index` of hash table `t` (drDumpSeek; 0 past the end or for a negative `index`),
 * after writing its expiry (i64 at `exp` of the value) at 0 of `out` and its key as an address at 16.
 * (coaDump and rs.ts rsDump.)
 */
export function drDumpHead(t: usize, cur: usize, index: i32, out: usize, exp: usize): usize {
  if (index < 0) return 0;
  const i = drDumpSeek(t, cur, index);
  if (i < 0) return 0;
  const e = htValueAt(t, i);
  store<i64>(out, load<i64>(e + exp));
  addrSetV4(out + 16, htKeyV4At(t, i));
  return e;
}

/**
 * Dump table 7 (docs/abi.md): binding route `index` (64 bytes at `out`): 0 expiresAtMs i64 |
 * 8 lifetimeSec u16 | 10 pad[6] | 16 home[16] | 32 nextHop[16] | 48 server[16]. Its length, or -1 past
 * the end. Reading indices 0, 1, 2, ... in a row is O(capacity) in all (a cursor resumes).
 */
export function coaDump(index: i32, out: usize): i32 {
  if (capacity == 0) return -1;
  const e = drDumpHead(routes, dumpCur, index, out, R_EXPIRES);
  if (e == 0) return -1;
  store<u64>(out, <u64>load<u16>(e, R_LIFETIME), 8);
  addrSetV4(out + 32, load<u32>(e, R_NEXT_HOP));
  addrSetV4(out + 48, load<u32>(e, R_SERVER));
  return 64;
}
