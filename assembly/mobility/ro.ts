// Route optimization at any node that keeps a binding cache (seed 001 §3.1, §4.2-4.4; issue 10.2):
// a correspondent node, or a foreign agent holding a forwarding binding for a visitor that moved
// (001 §8.1). The cache itself is mobility/bcache.ts; this file is its role:
//
//   roUpdate(iface, p, len)   UDP 434 type 18 (Binding Update), to us:
//     not decodable (wire/ro.ts buParse)        -> dropped (DROP_RO_MALFORMED), 134 when A is readable
//     authentication (extension 35, last)        -> 131: the association is the sender's (a home agent:
//       use correspondent or foreign-home) or, for an update sent on a mobile node's behalf (smooth
//       handoff, 001 §5.1), the mobile node's (use mobile-foreign); the SPI picks which
//     Identification (I required)                -> 133 unless fresh for that association (timestamps:
//       the window and later than the last; nonces: the nonce announced) or the answer to our request
//     delete (lifetime 0 / care-of = home)       -> entry removed (and a moved visitor, through the hook)
//     else                                       -> entry created / refreshed; 130 when the cache has none
//     Binding Acknowledge when A is set: to the sender, or to the mobile node for an update on its
//     behalf (tunnelled by the new entry, 001 §8.1)
//   roRoute / roVif   the route source (after the home agent's bindings and the foreign agent's
//     visitors): a destination with a live entry goes to the cache's virtual interface, which
//     tunnels it to the care-of address (001 §3.1 "tunnel its own datagrams directly"); the entry is
//     marked used (reconfirmation, LRU)
//   roExit    the last tunnel exit (after the foreign agent's visitors, a co-located mobile node and
//     the home agent's reverse tunnels): a tunnelled datagram for a mobile node this node is not the
//     foreign agent of —
//       with a cache entry: re-tunnelled by the entry (it is a forwarding pointer, 001 §3.2) and a
//         Binding Warning naming the tunnel's source goes to the entry's home agent (001 §3.1, §4.1),
//         rate limited per (source, mobile node) (001 §8.3)
//       without one, at a foreign agent: a special tunnel — IP in IP to the home address itself, from
//         this node, so the home agent can tell it from a correspondent's datagram and never tunnel it
//         back here (draft-ietf-mobileip-spectun, 001 §8.2)
//   roTimer   one timer for the cache: entries that expired are removed; entries in use near their
//     end are reconfirmed by a Binding Request to the home agent that vouched for them (001 §4.3)
//
// Who may change the cache: only a Binding Update that verified with the right association and a
// fresh Identification (001 §3.1, §4.3); nothing else adds or moves an entry (fuzz invariant,
// test/host/fuzz-invariants.test.mjs).

import { drSend } from "./coa";
import { drMsg, drMsgLen } from "./mip";
import * as cfg from "../config";
import { C, count } from "../counters";
import { Ev, evBuf, evEmit, evAddr } from "../events";
import { nowMs } from "../clock";
import { netifIp, netifCount, netifValid } from "../link/netif";
import { stackTimerStart, stackTimerArm, OWNER_RO } from "../sys/timers";
import { ipSend, ipIsOurs, ipNextIdent, ipInput } from "../stack/ip";
import { route, routeIface, routeNextHop, NO_ROUTE, routeVirtual, routeVifHandle, routeChanged, VIF_RO_CACHE } from "../stack/route";
import { pktBuffers } from "../stack/packet";
import {
  ipv4HeaderLen, ipv4Src, ipv4Dst, ipv4SrcInline, ipv4DstInline, ipv4Proto, IPV4_MIN_HEADER, IPPROTO_IPIP, IPPROTO_MINENC,
  IPPROTO_GRE,
} from "../wire/ipv4";
import { udpSrcPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import { MIP_PORT } from "../wire/registration";
import { EXT_INDEX_SIZE, extIndexFind, authSpi } from "../wire/mipext";
import {
  RoErr, buParse, buCheck, buFlags, buHasFlag, buLifetimeSec, buCareOfAddr, buIdentification, buIsDelete, roHomeAddr,
  baEmitFor, brEmit, bwEmitOne, roAuthAppend, BU_FLAG_A, BU_FLAG_I, BU_FLAG_M, BU_FLAG_G, BU_LEN, BR_LEN, BA_LEN,
  BA_ACCEPTED, BA_NO_RESOURCES, BA_PROHIBITED, BA_AUTH_FAILED, BA_ID_MISMATCH, BA_BAD_UPDATE, RO_TYPE_BINDING_UPDATE,
} from "../wire/ro";
import { EXT_RO_AUTH } from "../wire/mipext";
import { authAt } from "../security/auth";
import { saFind, saFindFor, saUse, SA_SPI, SA_REPLAY, SA_LAST_ID, SA_NONCE } from "../security/sa";
import { ReplayResult, haCheckIdentification, ntpNow, saNonces } from "../security/replay";
import {
  bcacheInit, bcacheUpdate, bcacheLookup, bcachePeek, bcacheRemove, bcacheExpire, bcacheNextExpiry,
  bcacheNeedsRequest, bcacheRequestSent, bcacheNext, bcacheEntryAt, bcacheHomeAt, bcacheCapacity, bcacheDump,
  BC_COA, BC_HA, BC_EXPIRES, BC_FLAGS, BC_REQ_ID, BC_REQUESTED, BC_ENCAP_M, BC_ENCAP_G, BC_LIFETIME,
} from "./bcache";
import { tunnelCheck, tunnelSend, tunnelRoute } from "./tunnel";
import { roPeersInit, roPeerAllow, RP_WARNING, RP_REQUEST } from "./ropeers";
import { TIMER_NEVER } from "../table/timer";
import { TUNNEL_HEADROOM } from "../wire/ipip";
import { ETH_HEADER_LEN } from "../wire/ethernet";

/** Timer kind: the binding cache's one timer (expiry sweep and reconfirmation). */
export const TK_RO_CACHE: u16 = (OWNER_RO << 8);

/** Binding cache event ops (Ev.RO_BINDING). */
export const enum RoOp { ADD = 1, REFRESH = 2, DELETE = 3, EXPIRE = 4, REFUSED = 5 }

/**
 * A node that has a visitor for `home` learns, from an authenticated update sent on the mobile
 * node's behalf, that it moved to `coa` (0: deleted): the foreign agent's hook (001 §8.1: "the
 * visitor list entry ... will be deleted"). Returns the mobile node's home agent when it knew the
 * visitor (kept in the new entry for Binding Requests), else 0.
 */
export type RoMovedHook = (home: u32, coa: u32) => u32;
let movedHook: usize = 0;
/** Register the foreign agent's hook (roles.ts). */
export function roOnMoved(fn: RoMovedHook): void { movedHook = changetype<usize>(fn); }

const extIndex: usize = memory.data(EXT_INDEX_SIZE, 4);
// Messages we send: IP header after room for a tunnel header and the Ethernet header (a Binding
// Acknowledge to a mobile node is tunnelled by the cache, 001 §8.1).
const OUT_IP: usize = <usize>(TUNNEL_HEADROOM + ETH_HEADER_LEN);
const OUT_BUF: i32 = <i32>OUT_IP + 128;
const outBuf: usize = memory.data(OUT_BUF, 16);
let timer: i32 = -1;
let timerAt: i64 = 0x7fffffffffffffff; // TIMER_NEVER (a literal: a named constant here became a store at start-up)
let enabled = false;

/** Carve the cache (board `bindingCache` entries) when route optimization is on. False when memory ran out. */
export function roInit(): void {
  enabled = cfg.roEnabled;
  timer = -1;
  timerAt = TIMER_NEVER;
  if (enabled) pktBuffers(outBuf, 1, <usize>OUT_BUF);
  roPeersInit(enabled ? <u32>cfg.roPeerEntries() : 0);
  bcacheInit(enabled ? <u32>cfg.bindingCacheEntries() : 0);
}

/** True when this node keeps a binding cache. */
export function roCaching(): bool { return enabled && bcacheCapacity() > 0; }

function emitRo(op: RoOp, status: u8, lifetimeSec: u16, home: u32, coa: u32, ha: u32): void {
  const b = evBuf();
  store<u8>(b, <u8>op, 0);
  store<u8>(b, status, 1);
  store<u16>(b, lifetimeSec, 2);
  evAddr(4, home);
  evAddr(20, coa);
  evAddr(36, ha);
  evEmit(Ev.RO_BINDING, 52);
}

/** An address of ours to send from towards `dst`: the outgoing interface's, else the first one's. */
export function roSourceFor(dst: u32): u32 {
  const r = route(dst);
  if (r != NO_ROUTE) { const a = netifIp(routeIface(r)); if (a != 0) return a; }
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifIp(i) != 0) return netifIp(i);
  return 0;
}

/** Send the `n`-byte route-optimization message at outBuf's UDP payload from `src` to `dst` (port 434 both ways unless `dport`). */
function sendMsg(src: u32, dst: u32, dport: i32, n: i32): bool {
  return drSend(outBuf + OUT_IP, src, dst, dport, n);
}

/** The UDP payload of the message being built. */
// @ts-ignore: decorator
@inline function outMsg(): usize { return outBuf + OUT_IP + <usize>IPV4_MIN_HEADER + <usize>UDP_HEADER_LEN; }
const OUT_CAP: i32 = OUT_BUF - <i32>OUT_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;

/** Binding Acknowledge `status` for the update at `bu` from `src` to `dst`:`dport`. */
function ack(bu: usize, status: u8, src: u32, dst: u32, dport: i32): void {
  const n = baEmitFor(outMsg(), OUT_CAP, status, bu);
  if (n > 0 && sendMsg(src, dst, dport, n)) count(C.RO_BA_TX);
}

/**
 * Is Identification `id` of an update for `home` fresh under association `sa`? Timestamps: within
 * the window and later than the last accepted one (security/replay.ts), or exactly the
 * Identification of our outstanding Binding Request for `home` (the home agent's answer echoes it,
 * 001 §4.3). Nonces (SPEC-DECISIONS): the low 32 bits are the nonce the association's last update
 * announced, or our outstanding request's; the same Identification twice is a replay.
 */
function idFresh(sa: usize, home: u32, id: u64): bool {
  if (id == 0) return false;
  const e = bcachePeek(home);
  const answers = e != 0 && (load<u8>(e, BC_FLAGS) & BC_REQUESTED) != 0 && load<u64>(e, BC_REQ_ID) == id;
  if (saNonces(sa)) {
    if (id == load<u64>(sa, SA_LAST_ID)) return false;
    const expected = load<u32>(sa, SA_NONCE);
    return answers || (expected != 0 && <u32>id == expected);
  }
  if (answers) return true;
  return haCheckIdentification(sa, id, false) == ReplayResult.OK;
}

/** Remember accepted Identification `id` under `sa` (the later of it and the last; nonces: the next one). */
function idAccepted(sa: usize, id: u64): void {
  if (saNonces(sa)) {
    store<u64>(sa, id, SA_LAST_ID);
    store<u32>(sa, <u32>(id >> 32), SA_NONCE);
    return;
  }
  const last = load<u64>(sa, SA_LAST_ID);
  if (last == 0 || <i64>(id - last) > 0) store<u64>(sa, id, SA_LAST_ID);
}

/** A Binding Update to us (UDP 434 type 18); see the file comment. Returns 0 (handled) or -1 (not ours). */
export function roUpdate(iface: i32, p: usize, len: i32): i32 {
  if (!enabled) return -1;
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  const msg = drMsg(p);
  const sport = udpSrcPort(msg - <usize>UDP_HEADER_LEN);
  const mlen = drMsgLen(msg);
  if (!ipIsOurs(dst)) { count(C.DROP_RO_MALFORMED); return 0; } // a broadcast update binds nothing
  const err = buParse(msg, mlen, extIndex);
  if (err != RoErr.OK) {
    count(C.DROP_RO_MALFORMED);
    // Why: 001 §4.4 status 134: a poorly formed update whose fixed part is readable is answered
    // when the sender asked for an acknowledgement (with or without its Identification).
    if (buCheck(msg, mlen) == RoErr.OK && buHasFlag(msg, BU_FLAG_A)) ack(msg, BA_BAD_UPDATE, dst, src, sport);
    return 0;
  }
  const home = roHomeAddr(msg);
  const coa = buCareOfAddr(msg);
  const lifetime = buLifetimeSec(msg);
  const wantAck = buHasFlag(msg, BU_FLAG_A);
  const off = extIndexFind(extIndex, EXT_RO_AUTH);
  const spi = authSpi(msg + <usize>off);
  // Why: 001 §4.3: the update is verified with the association shared with the mobile node's home
  // agent — the sender (use correspondent, or foreign-home at a foreign agent, 001 §7.2); 001 §5.1,
  // §8.1: an update a new foreign agent sends on a mobile node's behalf carries the mobile node's
  // authenticator (use mobile-foreign, the association with the home address). The SPI says which.
  let sa = saFind(src);
  let onBehalf = false;
  if (sa != 0) {
    const use = saUse(sa);
    if ((use != cfg.SA_USE_CORRESPONDENT && use != cfg.SA_USE_FOREIGN_HOME) || load<u32>(sa, SA_SPI) != spi) sa = 0;
  }
  if (sa == 0) {
    const m = saFindFor(home, cfg.SA_USE_MOBILE_FOREIGN);
    if (m != 0 && load<u32>(m, SA_SPI) == spi) { sa = m; onBehalf = true; }
  }
  // The acknowledgement of an update on the mobile node's behalf goes to the mobile node (001 §8.1).
  let ackTo = onBehalf ? home : src;
  let ackPort: i32 = onBehalf ? MIP_PORT : sport;
  // Every outcome ends the same way (below): its counter, a REFUSED event unless accepted, and the
  // acknowledgement when A is set (written once: size, issue 12).
  let status = BA_ACCEPTED;
  let c = C.RO_BU_ACCEPTED;
  let ha = src;
  let resync = false;
  const id = buIdentification(msg);
  const now = nowMs();
  const prior = bcachePeek(home);
  if (!authAt(sa, msg, off)) {
    c = C.DROP_RO_BU_AUTH;
    // Why: 001 §4.3 "an authentication exception should be raised"; §4.4 status 131. Nothing of the
    // update is used, and only the sender (not the claimed mobile node) is answered.
    status = BA_AUTH_FAILED;
    ackTo = src;
    ackPort = sport;
  // Why: 001 §4.3 / SPEC-DECISIONS: the Identification protects against replays; an update without
  // one (I clear) cannot be told from a replay, so it is refused like a stale one (133).
  } else if (!buHasFlag(msg, BU_FLAG_I) || !idFresh(sa, home, id)) {
    c = C.DROP_RO_BU_ID;
    status = BA_ID_MISMATCH;
    // Nonces: a wrong nonce resynchronises by a Binding Request to the home agent (SPEC-DECISIONS).
    resync = !onBehalf && saNonces(sa);
  // Why: 001 §4.3: a cached binding is vouched for by the mobile node's home agent; another home agent
  // we happen to share a key with may not move or delete it (129). The mobile node itself may (an
  // update on its behalf), and an entry without a known home agent takes the first that vouches.
  } else if (!onBehalf && prior != 0 && load<u32>(prior, BC_HA) != 0 && load<u32>(prior, BC_HA) != src &&
      load<i64>(prior, BC_EXPIRES) > now) {
    c = C.DROP_RO_BU_NOT_HA;
    status = BA_PROHIBITED;
  } else {
    idAccepted(sa, id);
    if (onBehalf) {
      // Why: 001 §8.1: the previous foreign agent deletes the visitor entry; the home agent it knew
      // is kept for Binding Requests (the sender is the new foreign agent, not a home agent).
      ha = movedHook != 0 ? changetype<RoMovedHook>(movedHook)(home, buIsDelete(msg) ? 0 : coa) : 0;
    }
    if (buIsDelete(msg)) {
      if (bcacheRemove(home)) emitRo(RoOp.DELETE, 0, 0, home, coa, ha);
    } else {
      const had = prior != 0; // (nothing above changed the cache: faMoved keeps to the visitors)
      const e = bcacheUpdate(home, coa, ha, lifetime, id, now, buFlags(msg) & (BU_FLAG_M | BU_FLAG_G));
      if (e == 0) {
        // Why: 001 §4.4 status 130: a node without room keeps nothing.
        status = BA_NO_RESOURCES;
        c = C.DROP_RO_BU_NO_ROOM;
      } else {
        emitRo(had ? RoOp.REFRESH : RoOp.ADD, 0, lifetime, home, coa, ha);
        armTimer(now);
      }
    }
  }
  count(c);
  if (status != BA_ACCEPTED) emitRo(RoOp.REFUSED, status, lifetime, home, coa, ha);
  if (wantAck) ack(msg, status, dst, ackTo, ackPort);
  if (resync && roPeerAllow(src, home, RP_REQUEST, now, <i64>cfg.roUpdateIntervalMs())) sendRequest(home, src, prior, now);
  return 0;
}

/** Send a Binding Request for `home` to the home agent `ha` (entry `e` or 0) at `now`. */
function sendRequest(home: u32, ha: u32, e: usize, now: i64): void {
  if (ha == 0) return;
  const id = ntpNow(0);
  const n = brEmit(outMsg(), OUT_CAP, home, id);
  if (n > 0 && sendMsg(roSourceFor(ha), ha, MIP_PORT, n)) {
    count(C.RO_BR_TX);
    if (e != 0) bcacheRequestSent(e, id, now);
  }
}

/** Arm the cache's timer for its next expiry or reconfirmation check, whichever is first. */
function armTimer(now: i64): void {
  let at = bcacheNextExpiry();
  // Entries in use are checked for reconfirmation every second while the cache is not empty.
  if (bcacheNext(0) >= 0) at = min(at, now + 1000);
  if (at == TIMER_NEVER || (timer >= 0 && at >= timerAt && timerAt > now)) return;
  timer = timer >= 0 ? stackTimerArm(timer, TK_RO_CACHE, 0, at) : stackTimerStart(TK_RO_CACHE, 0, at);
  timerAt = timer >= 0 ? at : TIMER_NEVER;
}

/** The cache's timer (TK_RO_CACHE). */
export function roTimer(kind: u16, tag: u32, now: i64): void {
  if (kind != TK_RO_CACHE || !enabled) return;
  timer = -1;
  timerAt = TIMER_NEVER;
  // Expired entries go (each announced); then entries in use near their end are reconfirmed.
  // (One bcacheNext and one bcacheHomeAt per entry: size, issue 12.)
  for (let i = -1; (i = bcacheNext(i + 1)) >= 0;) {
    const e = bcacheEntryAt(i);
    const home = bcacheHomeAt(i);
    if (load<i64>(e, BC_EXPIRES) <= now) {
      emitRo(RoOp.EXPIRE, 0, 0, home, load<u32>(e, BC_COA), load<u32>(e, BC_HA));
      continue;
    }
    // Why: 001 §4.3: a node that still uses an entry reconfirms it by a Binding Request to the home
    // agent it learnt from the entry's update.
    if (bcacheNeedsRequest(e, now)) sendRequest(home, load<u32>(e, BC_HA), e, now);
  }
  if (bcacheExpire(now) > 0) routeChanged();
  armTimer(now);
}

/**
 * The cache's route source (stack/route.ts routeDecide), after the home agent's and the foreign
 * agent's: a destination with an entry goes to the cache's virtual interface (roVif checks it is
 * live for each datagram).
 */
export function roRoute(inIface: i32, src: u32, dst: u32): i64 {
  const e = bcachePeek(dst);
  return e == 0 ? NO_ROUTE : routeVirtual(VIF_RO_CACHE, <u32>e);
}

/** The encapsulation for entry `e`: minimal or GRE when its update allowed it and we have it, else IP in IP. */
function cacheEncap(e: usize): u32 {
  const f = load<u8>(e, BC_FLAGS);
  if ((f & BC_ENCAP_M) != 0 && (cfg.encapsulations & cfg.ENCAP_MINIMAL) != 0) return cfg.ENCAP_MINIMAL;
  if ((f & BC_ENCAP_G) != 0 && (cfg.encapsulations & cfg.ENCAP_GRE) != 0) return cfg.ENCAP_GRE;
  // Why: 001 §3.1: "using the encapsulation techniques used by home agents": IP in IP always works.
  return cfg.ENCAP_IPIP;
}

/**
 * The cache's virtual interface (route `r` from roRoute): tunnel the datagram at `p` to the entry's
 * care-of address (001 §3.1). -1 when the entry expired or the datagram comes from that care-of
 * address (it then takes the table's route, as without a cache); 0 sent; 1 dropped (counted).
 */
export function roVif(r: i64, inIface: i32, p: usize, len: i32): i32 {
  const now = nowMs();
  const home = ipv4DstInline(p);
  const e = bcacheLookup(home, now);
  if (e == 0 || e != <usize>routeVifHandle(r)) { routeChanged(); return -1; }
  const coa = load<u32>(e, BC_COA);
  // Why: RFC 2003 §3.2: never tunnel a datagram back to where it came from.
  if (ipv4SrcInline(p) == coa) return -1;
  // Why (speed): the tunnels' per-care-of-address route cache, not a table lookup per datagram.
  const rt = tunnelRoute(coa);
  if (rt == NO_ROUTE) { count(C.DROP_NO_ROUTE); return 1; }
  const from = netifIp(routeIface(rt));
  const method = cacheEncap(e);
  const t = tunnelCheck(p, len, method, from, coa);
  if (t == NO_ROUTE) return 1;
  if (tunnelSend(p, len, method, from, coa, routeIface(t), routeNextHop(t), inIface >= 0) != 0) return 1;
  count(C.RO_CACHE_TUNNELLED);
  return 0;
}

/** Send a Binding Warning about `home` naming `target` to the home agent `ha`, rate limited (001 §8.3). */
function sendWarning(home: u32, target: u32, ha: u32, now: i64): void {
  // Why: 001 §8.3: "MUST provide some mechanism to limit the rate at which it sends Binding Warning
  // messages to the same node about any given mobility binding".
  if (ha == 0 || !roPeerAllow(target, home, RP_WARNING, now, <i64>cfg.roUpdateIntervalMs())) return;
  // Why (size): bwEmit's one-target case, no loop (12 bytes, within OUT_CAP).
  const n = bwEmitOne(outMsg(), home, target);
  if (sendMsg(roSourceFor(ha), ha, MIP_PORT, n)) count(C.RO_BW_TX);
}

/**
 * The last tunnel exit (tunnel.ts tunnelInput; see the file comment): the inner datagram at `inner`
 * (`ilen` bytes, checked) of a tunnel from `outerSrc` that ended here on `iface`, for which no
 * foreign agent visitor, co-located mobile node or reverse tunnel took it. Returns 0 used, 1 dropped
 * (counted), -1 not ours (the caller drops it).
 */
export function roExit(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 {
  if (!enabled) return -1;
  const home = ipv4Dst(inner);
  if (ipIsOurs(home)) return -1;
  const proto = ipv4Proto(inner);
  // Why: RFC 2003 §3.2: a tunnel inside the tunnel is not re-tunnelled (recursion, loops).
  if (proto == IPPROTO_IPIP || proto == IPPROTO_MINENC || proto == IPPROTO_GRE) return -1;
  const now = nowMs();
  const e = bcacheLookup(home, now);
  if (e != 0) {
    // Why: RFC 2003 §3.2: never back into the tunnel it came out of (the care-of address itself).
    if (outerSrc == load<u32>(e, BC_COA)) { count(C.DROP_TUNNEL_LOOP); return 1; }
    // Why: 001 §3.1: the node that tunnelled this datagram has an out-of-date entry (it sent it to
    // us, not to the care-of address we know): its home agent is asked to update it (§4.1).
    sendWarning(home, outerSrc, load<u32>(e, BC_HA), now);
    count(C.RO_FORWARDED);
    // Received again, so TTL, routes and ICMP errors apply as to any forwarded datagram; the route
    // decision finds the entry (roRoute) and re-tunnels it to the new care-of address (001 §3.2).
    return ipInput(iface, inner, ilen, false);
  }
  if ((cfg.roles & cfg.ROLE_FOREIGN_AGENT) == 0) return -1;
  // Why: 001 §8.2: a foreign agent without the visitor and without a binding for it "would resort to
  // using a special tunnel": the datagram goes, IP in IP from us, to the home address, where the home
  // agent intercepts it, sees the tunnel came from a care-of address of the binding and does not send
  // it back there (no loop), and otherwise delivers it to the current care-of address.
  const rt = route(home);
  if (rt == NO_ROUTE) { count(C.DROP_NO_ROUTE); return 1; }
  const from = netifIp(routeIface(rt));
  const t = tunnelCheck(inner, ilen, cfg.ENCAP_IPIP, from, home);
  if (t == NO_ROUTE) return 1;
  if (tunnelSend(inner, ilen, cfg.ENCAP_IPIP, from, home, routeIface(t), routeNextHop(t), true) != 0) return 1;
  count(C.RO_SPECIAL_TUNNEL_TX);
  return 0;
}

/** Binding cache dump (ABI table 6; bcache.ts bcacheDump). */
export function roDump(index: i32, out: usize): i32 { return enabled ? bcacheDump(index, out) : -1; }
