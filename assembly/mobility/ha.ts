// Home agent (RFC 2002 §3.8 registration processing, §4.1-4.3 tunnelling, §4.6 proxy and
// gratuitous ARP): the mobility binding table, Registration Request processing and replies,
// interception of datagrams for mobile nodes away from home, binding expiry.
//
//   haUdp(iface, p, len)   UDP to us or broadcast
//     broadcast on the home link -> copies tunnelled to bindings with B (§4.3), then local as usual
//     port 434, type 1, for us -> haRegistration (RFC 2002 §3.8.2, in this order):
//       fixed part / extensions unusable  -> silently discarded (DROP_HA_REG_MALFORMED, §1.9)
//       fixed part inconsistent            -> 134 poorly formed
//       mobile-home authentication         -> 131 (missing, failed, or no mobile-home association)
//       foreign-home authentication        -> 132 (present and a foreign-home SA with the sender exists)
//       home address off the home prefix   -> 129 (docs/decisions.md)
//       identification (security/replay)   -> 133, reply carries our time / next nonce
//       lifetime                           -> granted = min(requested, mobility.lifetimeSec)
//       home agent field                   -> 136 unless one of our addresses (broadcast: discovery)
//       bindings (S, maxBindingsPerNode)   -> 135 too many, 130 no room (table, timer, proxy ARP)
//     reply to the request's IP source and UDP source port, mobile-home authenticator appended; on
//     the home link (never tunnelled) when the request came from the home address on it (§3.8.3)
//   haRoute(inIface, src, dst)  the route source (stack/route.ts routeDecide): destination a bound
//     home address -> the binding's virtual interface, for forwarded and originated datagrams alike
//   haVif(r, inIface, p, len, room)  that interface's output:
//     forwarded: a home-prefix source from off the home link -> dropped, unless out of a verified
//     reverse tunnel; then one encapsulated copy per live care-of address (tunnel.ts), never back to
//     its own source
//     originated here (echo reply, ICMP error, reply, local stack): tunnelled the same way (RFC 2002
//     §4.2.3), inner TTL kept; encapsulated in place when `room` holds Ethernet + the largest tunnel
//     header, else every copy goes from the scratch buffer
//   haReverseTunnel(iface, outerSrc, inner, ilen)  tunnel.ts tunnelInput's exit: inner source a
//     bound home address, outer source its live care-of address -> received again (RFC 3024)
//   haTimer  TK_HA_EXPIRE: earliest care-of expiry of a binding; TK_HA_GARP: repeat the announcement
//   the binding table, its dump (ABI table 3) and lookups: mobility/bindings.ts
//
// The binding table itself (records, care-of slots, dump, lookups) is mobility/bindings.ts.

import { mipEmit, drMsg, drMsgLen, drPayload } from "./mip";
import * as cfg from "../config";
import { RT_ADDED, RT_PROHIBITED, RT_UNSPECIFIED } from "../wire/dremip";
import { C, count } from "../counters";
import { BindingOp, evAuthFailed, evRegDenied, ROLE_HA } from "../events";
import { nowMs } from "../clock";
import { arenaAlloc } from "../mem";
import { netifCount, netifValid, netifFlags, netifIp, netifIsBroadcast, netifOnLink, netifMtu, netifAddrClass, ADDR_OURS } from "../link/netif";
import { stackTimerStart, stackTimerArm, stackTimerDisarm, OWNER_HA } from "../sys/timers";
import { arpGratuitous, arpProxyAdd, arpProxyRemove, linkSendIp, GARP_COUNT, GARP_INTERVAL_MS } from "../stack/arp";
import { ipSend, ipIsOurs, ipNextIdent, ipInput } from "../stack/ip";
import {
  htFindV4, htInsertV4, htRemoveV4, htKeyV4At, htIndexOf, htValueAt, htNext, htUsed,
} from "../table/hash";
import {
  ipv4HeaderLen, ipv4IsFragment, ipv4Src, ipv4Dst, ipv4SrcInline, ipv4DstInline, ipv4Proto, ipIsUnicastSource,
  IP_BROADCAST, IPV4_MIN_HEADER, IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE,
} from "../wire/ipv4";
import { udpSrcPort, udpDstPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import {
  RegErr, regReqParse, regHomeAddr, regHomeAgent, regLifetimeSec, regReqFlags, regReqCareOfAddr,
  regReqIdentification, regRepEmit, MIP_PORT, REG_TYPE_REQUEST, REG_REQ_LEN, REQ_FLAG_S, REQ_FLAG_B, REQ_FLAG_D,
  REQ_FLAG_M, REQ_FLAG_G, REQ_FLAG_R, CODE_ACCEPTED, CODE_HA_NO_RESOURCES, CODE_HA_PROHIBITED,
  CODE_HA_MN_AUTH_FAILED, CODE_HA_FA_AUTH_FAILED, CODE_HA_ID_MISMATCH, CODE_HA_BAD_REQUEST, CODE_HA_TOO_MANY_BINDINGS, CODE_HA_UNKNOWN_HA,
} from "../wire/registration";
import { EXT_INDEX_SIZE, EXT_MH_AUTH, EXT_FH_AUTH, EXT_REG_KEY_REQUEST, EXT_BINDING_WARNING, extIndexFind, authSpi } from "../wire/mipext";
import { haroInit, haroIntercepted, haroFlowUntil, haroRegistered } from "./ha-ro";
import { ipipCheckValidated, ipipInner, ipipInnerLen, IpipErr } from "../wire/ipip";
import { regkeyAppendForFa, regkeyRequestSpi } from "../security/regkey";
import { authAppendOr, authAt, authFailEvent } from "../security/auth";
import { saFindFor, SA_REPLAY, SA_LAST_ID } from "../security/sa";
import { ReplayResult, haCheckIdentification, haAccepted, haReplyId, saNonces } from "../security/replay";
import {
  bindings, bindingN, bindingsInit, bindingSlot, bindingSlots, bindingSlotFind, bindingSlotRemove,
  bindingSlotAppend, emitBinding, V_GARP_LEFT, V_EXP_TIMER, V_GARP_TIMER, S_COA, S_FLAGS, S_ENCAP,
  S_LIFETIME, S_EXPIRES,
} from "./bindings";
import { TUNNEL_MAX_OVERHEAD, tunnelInit, tunnelCheck, tunnelSend, tunnelFlowLearn, tunnelSendTemplate, tunnelEncap } from "./tunnel";
import { flowLearning } from "../stack/flow";
import { pktRoom, pktBuffers, pktAlloc } from "../stack/packet";
import { routeIface, routeNextHop, NO_ROUTE, routeVirtual, routeVifHandle, routeChanged, VIF_HA_TUNNEL } from "../stack/route";
import { ETH_HEADER_LEN } from "../wire/ethernet";
import { TUNNEL_HEADROOM } from "../wire/ipip";

/** Timer kind: a binding's earliest care-of expiry (tag = binding record index). */
export const TK_HA_EXPIRE: u16 = (OWNER_HA << 8);
/** Timer kind: next gratuitous ARP announcement of a new binding (tag = binding record index). */
export const TK_HA_GARP: u16 = (OWNER_HA << 8) + 1;


let homeIface: i32 = -1;      // the interface flagged IF_HOME (interfaces exist only after init's
let homeIfaceKnown = false;   // second configuration pass, so it is looked up at first use)
let scratch: usize = 0;        // copy of a datagram for the 2nd+ care-of address (headroom + frame)
const SCRATCH_HEADROOM: usize = <usize>cfg.HEADROOM;

// (A global set at init rather than a constant: a global.get is shorter than the address at each use.)
let extIndex: usize = 0;
// Reply: IP header at +64 (in front: room for a tunnel header and the Ethernet header, should the
// reply go to a bound home address, RFC 2002 §4.2.3), UDP, reply, up to two authentication extensions.
const REPLY_IP: usize = <usize>(TUNNEL_HEADROOM + ETH_HEADER_LEN);
const REPLY_BUF: i32 = <i32>REPLY_IP + 144;
const replyBuf: usize = memory.data(REPLY_BUF, 16);

// Per-datagram plan of the copies to send (at most 16 care-of addresses per binding, config.ts), one
// plan per nesting level: while a forwarded datagram is planned, tunnelCheck may send an ICMP error
// to a bound home address, which is planned one level down. That error has our source, so no error
// is ever sent about it: two levels are all there can be.
const MAX_SLOTS: i32 = 16;
const MAX_DEPTH: i32 = 2;
const planSlot: usize = memory.data(MAX_SLOTS * MAX_DEPTH * 4, 4);
const planOif: usize = memory.data(MAX_SLOTS * MAX_DEPTH * 4, 4);
const planNh: usize = memory.data(MAX_SLOTS * MAX_DEPTH * 4, 4);
let depth: i32 = 0;

/** Carve the binding table, the copy buffer and the tunnels' soft state. False when memory ran out. */
export function haInit(): void {
  extIndex = memory.data(EXT_INDEX_SIZE, 4);
  homeIface = -1;
  homeIfaceKnown = false;
  bindingsInit();
  // Datagrams are tunnelled and replies sent from these buffers (stack/packet.ts: their headroom).
  scratch = pktAlloc(SCRATCH_HEADROOM + <usize>cfg.frameBytes);
  pktBuffers(replyBuf, 1, <usize>REPLY_BUF);
  tunnelInit(cfg.bindingEntries());
  if (cfg.roEnabled) haroInit();
}

// ---- binding table --------------------------------------------------------------------------------

/** The home interface (IF_HOME), or -1 when none is configured. */
function homeIf(): i32 {
  if (!homeIfaceKnown) {
    homeIfaceKnown = true;
    homeIface = -1;
    for (let i = 0; i < netifCount(); i++) {
      if (netifValid(i) && (netifFlags(i) & cfg.IF_HOME) != 0) { homeIface = i; break; }
    }
  }
  return homeIface;
}

/** True for the directed broadcast address of the home network (dynamic home agent discovery). */
function isHomeBroadcast(a: u32): bool { return homeIf() >= 0 && netifIsBroadcast(homeIface, a); }

/** Encapsulation for a request's flags: M or G when requested and configured, else IP in IP (RFC 2002 §3.8.2). */
function chooseEncap(flags: u8): u8 {
  if ((flags & REQ_FLAG_M) != 0 && (cfg.encapsulations & cfg.ENCAP_MINIMAL) != 0) return <u8>cfg.ENCAP_MINIMAL;
  if ((flags & REQ_FLAG_G) != 0 && (cfg.encapsulations & cfg.ENCAP_GRE) != 0) return <u8>cfg.ENCAP_GRE;
  // Why: RFC 2002 §4.1: every home agent supports IP in IP; it is the default.
  return <u8>cfg.ENCAP_IPIP;
}

/**
 * The request flags a binding keeps (dump flags). Profile "seeds": all of them, 0x02 P and 0x01 R
 * included (neither changes what the home agent does). Profile "rfc3344": 0x02 is T, kept (reverse
 * tunnelling is supported, whatever the flag: see haReverseTunnel); 0x01 is reserved and dropped.
 */
function bindingFlags(flags: u8): u8 {
  // Why: RFC 3344 §3.3: the reserved bit is sent as zero and ignored on reception; RFC 3024 §3.2:
  // T asks for a reverse tunnel, which this home agent always provides (docs/decisions.md).
  if (cfg.registrationProfile == cfg.PROFILE_RFC3344) return flags & ~REQ_FLAG_R;
  return flags;
}

/** Cancel the timer whose handle is stored at `v + off`. */
function cancelAt(v: usize, off: usize): void { store<i32>(v + off, stackTimerDisarm(load<i32>(v + off))); }

/** After a change to binding `v` (record `idx`) of `home`: drop it when empty, else re-arm its expiry. */
function bindingSettle(v: usize, idx: i32, home: u32): void {
  const n = bindingSlots(v);
  if (n == 0) {
    cancelAt(v, V_EXP_TIMER);
    cancelAt(v, V_GARP_TIMER);
    // Why: RFC 2002 §4.6: without a binding the home agent stops answering ARP for the mobile node.
    arpProxyRemove(home);
    htRemoveV4(bindings, home);
    routeChanged();
    return;
  }
  let d = load<i64>(bindingSlot(v, 0), S_EXPIRES);
  for (let i = 1; i < n; i++) d = min(d, load<i64>(bindingSlot(v, i), S_EXPIRES));
  store<i32>(v, stackTimerArm(load<i32>(v, V_EXP_TIMER), TK_HA_EXPIRE, <u32>idx, d), V_EXP_TIMER);
}

/**
 * Apply an authenticated, valid registration of `home` at `coa` (RFC 2002 §3.8.2.2 / §3.6.1.2):
 * deregistration when `lifetimeSec` is 0, else add / refresh / replace. Returns the reply code:
 * 0, 135 (too many simultaneous bindings) or 130 (no room); nothing changes on a denial.
 */
function bindingUpdate(home: u32, coa: u32, flags: u8, lifetimeSec: u16): u8 {
  const now = nowMs();
  let v = bindingN > 0 ? htFindV4(bindings, home) : 0;
  if (lifetimeSec == 0) {
    // Why: RFC 2002 §3.6.1.2: lifetime 0 deregisters the care-of address, or every one of them when
    // it is the home address; deregistering what is not bound is still accepted.
    if (v == 0) return CODE_ACCEPTED;
    if (coa == home) {
      while (bindingSlots(v) > 0) bindingSlotRemove(v, bindingSlots(v) - 1, home, BindingOp.DEREGISTER);
    } else {
      const i = bindingSlotFind(v, coa);
      if (i >= 0) bindingSlotRemove(v, i, home, BindingOp.DEREGISTER);
    }
    bindingSettle(v, htIndexOf(bindings, v), home);
    return CODE_ACCEPTED;
  }
  const simultaneous = (flags & REQ_FLAG_S) != 0;
  const isNew = v == 0;
  const until = now + <i64>lifetimeSec * 1000;
  if (!isNew) {
    // Why: RFC 2002 §3.6.1.2 / §3.8.2: with S the care-of address is added to the others; beyond
    // what we keep per node the request is denied with 135.
    if (simultaneous && bindingSlotFind(v, coa) < 0 && bindingSlots(v) >= cfg.maxBindingsPerNode()) return CODE_HA_TOO_MANY_BINDINGS;
  } else {
    // Why: RFC 2002 §3.4 code 130: a full table (or no timer / proxy entry for the binding) is a
    // shortage of resources; the request is denied and nothing is kept.
    if (bindingN == 0 || homeIf() < 0) return CODE_HA_NO_RESOURCES;
    v = htInsertV4(bindings, home);
    if (v == 0) return CODE_HA_NO_RESOURCES;
  }
  const idx = htIndexOf(bindings, v);
  if (isNew) {
    store<i32>(v, -1, V_EXP_TIMER);
    store<i32>(v, -1, V_GARP_TIMER);
    const t = stackTimerStart(TK_HA_EXPIRE, <u32>idx, until);
    // (No timer, or no proxy entry: what was taken is given back; disarming no timer does nothing.)
    if (t < 0 || !arpProxyAdd(homeIface, home)) { stackTimerDisarm(t); htRemoveV4(bindings, home); return CODE_HA_NO_RESOURCES; }
    store<i32>(v, t, V_EXP_TIMER);
    // Why: routeDecide keeps its answers while no route source's table changed (stack/route.ts).
    routeChanged();
  }
  // Why: RFC 2002 §3.8.2.2: without S every other binding of the node is replaced by this one. The
  // event says REPLACE, not DEREGISTER: the node moved, it did not deregister (a reader of the events,
  // summary or timeline would otherwise see a deregistration at every handoff).
  if (!simultaneous) {
    for (let i = bindingSlots(v) - 1; i >= 0; i--) {
      if (load<u32>(bindingSlot(v, i), S_COA) != coa) bindingSlotRemove(v, i, home, BindingOp.REPLACE);
    }
  }
  let i = bindingSlotFind(v, coa);
  let op = BindingOp.REFRESH;
  if (i < 0) {
    i = bindingSlotAppend(v);
    op = BindingOp.ADD;
  }
  const s = bindingSlot(v, i);
  store<u32>(s, coa, S_COA);
  store<u8>(s, bindingFlags(flags), S_FLAGS);
  store<u8>(s, chooseEncap(flags), S_ENCAP);
  store<u16>(s, lifetimeSec, S_LIFETIME);
  store<i64>(s, until, S_EXPIRES);
  emitBinding(op, lifetimeSec, home, coa);
  // Why: a refresh may change the encapsulation or the lifetime that flows through the tunnel keep.
  routeChanged();
  bindingSettle(v, idx, home);
  if (isNew) {
    // Why: RFC 2002 §4.6: hosts on the home network learn that the home address is now at the home
    // agent's hardware address; SPEC-DECISIONS: three announcements (the rest by TK_HA_GARP).
    arpGratuitous(homeIface, home);
    store<u8>(v, <u8>(GARP_COUNT - 1), V_GARP_LEFT);
    store<i32>(v, stackTimerStart(TK_HA_GARP, <u32>idx, now + GARP_INTERVAL_MS), V_GARP_TIMER);
  }
  return CODE_ACCEPTED;
}

/**
 * A Route Request from the home registration server, authenticated (coa.ts coaRequest; 002 §7.5:
 * "The home agent SHOULD deal with the Route Request in the same way as the care-of agent ... and
 * additionally send proxy ARP and gratuitous ARP on the home network"): the binding route is a
 * binding of `home` at the next hop (the child care-of address), with its proxy and gratuitous ARP;
 * lifetime 0 removes it. A home address off our home link is refused (65); no room: 64.
 */
/**
 * Restore a binding kept across a restart (config_add BINDING, issue 14): `home` at `coa` for
 * `lifetimeSec` more seconds, as a registration with `flags` would have made it (ARP proxy, gratuitous
 * ARP, tunnel); `id` the last Identification accepted from the node, put back into its association so
 * an old request replayed after the restart is still refused. The reply code (0 accepted; 130 no room
 * or no home agent role; 135 too many bindings).
 */
export function haRestore(home: u32, coa: u32, flags: u8, lifetimeSec: u16, id: u64): u8 {
  const code = bindingUpdate(home, coa, flags, lifetimeSec);
  const sa = saFindFor(home, cfg.SA_USE_MOBILE_HOME);
  if (code == CODE_ACCEPTED && sa != 0 && id != 0) store<u64>(sa, id, SA_LAST_ID);
  return code;
}

export function haRouteApply(home: u32, nextHop: u32, lifetimeSec: u16, server: u32): u8 {
  if (homeIf() < 0 || !netifOnLink(homeIface, home)) return RT_PROHIBITED;
  // Why: 002 §3.4: lifetime 0 disables the route: every binding of the node goes.
  const code = bindingUpdate(home, lifetimeSec == 0 ? home : nextHop, 0, lifetimeSec);
  return code == CODE_ACCEPTED ? RT_ADDED : RT_UNSPECIFIED;
}

/** A home agent timer fired (kinds TK_HA_*, tag = binding record index). */
export function haTimer(kind: u16, tag: u32, now: i64): void {
  if (bindingN == 0) return;
  const idx = <i32>tag;
  const v = htValueAt(bindings, idx);
  if (v == 0) return;
  const home = htKeyV4At(bindings, idx);
  if (kind == TK_HA_GARP) {
    store<i32>(v, -1, V_GARP_TIMER);
    arpGratuitous(homeIface, home);
    const left = <i32>load<u8>(v, V_GARP_LEFT) - 1;
    store<u8>(v, <u8>max(left, 0), V_GARP_LEFT);
    if (left > 0) store<i32>(v, stackTimerStart(TK_HA_GARP, tag, now + GARP_INTERVAL_MS), V_GARP_TIMER);
    return;
  }
  if (kind != TK_HA_EXPIRE) return;
  store<i32>(v, -1, V_EXP_TIMER);
  // Why: RFC 2002 §3.8.2.2 / §4.6: a binding whose lifetime ran out is removed with its proxy ARP
  // entry; datagrams for the home address then go to the home link as for any host.
  for (let i = bindingSlots(v) - 1; i >= 0; i--) {
    if (load<i64>(bindingSlot(v, i), S_EXPIRES) <= now) bindingSlotRemove(v, i, home, BindingOp.EXPIRE);
  }
  bindingSettle(v, idx, home);
}

// ---- registration -----------------------------------------------------------------------------

/**
 * Send a Registration Reply (RFC 2002 §3.8.3): from `from`, to `to` port `port`, code, lifetime,
 * home address, home agent, identification; mobile-home authenticator with `sa` (the home
 * address's mobile-home association, 0: none) and foreign-home for `fa` when we share one.
 * `onHomeLink`: the request came from the home address on the home link, and so does the reply,
 * never through a tunnel. False when it could not be built or sent.
 */
function sendReply(sa: usize, from: u32, to: u32, port: i32, code: u8, lifetimeSec: u16, home: u32, ha: u32, id: u64,
  fa: u32, onHomeLink: bool): bool {
  const ip = replyBuf + REPLY_IP;
  const u = ip + <usize>IPV4_MIN_HEADER;
  const msg = u + <usize>UDP_HEADER_LEN;
  const cap = REPLY_BUF - <i32>REPLY_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;
  const n0 = regRepEmit(msg, cap, code, lifetimeSec, home, ha, id);
  // Why: RFC 2002 §3.8.3.1: every reply carries the mobile-home authenticator; without a security
  // association (a 131 for an unknown node) there is none to compute.
  let n = authAppendOr(sa, msg, n0, cap, EXT_MH_AUTH);
  if (fa != 0 && fa != home) {
    const fsa = saFindFor(fa, cfg.SA_USE_FOREIGN_HOME);
    // Registration key (docs/decisions.md "Registration keys"): the mobile-foreign key for the
    // foreign agent, after the mobile-home authenticator (not the mobile node's business) and before
    // the foreign-home one that authenticates it; only with a foreign-home association to wrap it.
    if (fsa != 0 && keySpi != 0 && code == CODE_ACCEPTED && n != n0) {
      n = regkeyAppendForFa(msg, n, cap, sa, fsa, keyCoa, home, keyReqId, id, keySpi);
      count(C.HA_REGKEY_SENT);
    }
    // RFC 2002 §3.5.4: with a foreign agent we share an SA with, the reply is authenticated to it too.
    n = authAppendOr(fsa, msg, n, cap, EXT_FH_AUTH);
  }
  const total = mipEmit(ip, from, to, port, n);
  if (onHomeLink) {
    // Why: RFC 2002 §3.8.3: a mobile node deregistering at home is answered on the home link —
    // also with a denial, while its binding still exists (a tunnel to its old care-of address would
    // never reach it, and a 133 must reach it to resynchronise; issue 7.11).
    if (total > netifMtu(homeIface)) return false;
    return linkSendIp(homeIface, to, ip, total) == 0;
  }
  return ipSend(ip, total) == 0;
}

/**
 * Process the Registration Request of `mlen` bytes at `msg`, received on `iface` (RFC 2002 §3.8.2).
 * Returns 0 used, 1 dropped.
 */
// The Registration Key Request of the request being answered (0: none), for sendReply.
let keySpi: u32 = 0;
let keyCoa: u32 = 0;
let keyReqId: u64 = 0;

function haRegistration(iface: i32, src: u32, dst: u32, sport: i32, msg: usize, mlen: i32): i32 {
  count(C.HA_REG_RX);
  keySpi = 0;
  // Why: RFC 2002 §1.9 / §3.8.2.1: a request whose extensions cannot be walked (truncated, Length past
  // the end, bad known layout, duplicate) or that carries an unknown extension 0-127 is silently
  // discarded: no trustworthy authenticator can be located in it (docs/decisions.md).
  // Why: a reply goes to the request's source; 0.0.0.0 (allowed in by ip.ts only to a broadcast)
  // names nobody to answer.
  if (regReqParse(msg, mlen, extIndex) != RegErr.OK || !ipIsUnicastSource(src)) { count(C.DROP_HA_REG_MALFORMED); return 1; }
  const home = regHomeAddr(msg);
  const haField = regHomeAgent(msg);
  const coa = regReqCareOfAddr(msg);
  const flags = regReqFlags(msg);
  const lifetime = regLifetimeSec(msg);
  const id = regReqIdentification(msg);
  // Why: RFC 2002 §3.5.2: the mobile-home extension verifies only with the association kept for
  // that use; a foreign-home key (a foreign agent's address as home address) is no such association.
  const sa = saFindFor(home, cfg.SA_USE_MOBILE_HOME);
  const nonces = saNonces(sa);
  let code: u8 = CODE_ACCEPTED;
  // Why: RFC 2002 §3.8.3.1: the granted lifetime is never more than requested nor than we allow.
  const granted: u16 = lifetime > <u16>cfg.lifetimeSec ? <u16>cfg.lifetimeSec : lifetime;
  const mhOff = extIndexFind(extIndex, EXT_MH_AUTH);
  // The Home Agent field names us (not the home network's directed broadcast).
  const haOurs = ipIsOurs(haField) && !isHomeBroadcast(haField);
  // The checks in order; the first that fails sets the code and leaves the block.
  do {
    // Why: RFC 2002 §3.3/§3.8.2.1 (134): the home address must be a unicast host address; a binding
    // needs a unicast care-of address that is neither the home address (that form only deregisters)
    // nor one of ours (we would tunnel to ourselves).
    if (!ipIsUnicastSource(home) || ipIsOurs(home) ||
        (lifetime != 0 && (coa == home || !ipIsUnicastSource(coa) || ipIsOurs(coa)))) {
      code = CODE_HA_BAD_REQUEST;
      break;
    }
    // Why: RFC 2002 §3.8.2.1: mobile-home authentication is mandatory; missing, wrong, or no
    // security association with the node -> 131.
    if (!authAt(sa, msg, mhOff)) {
      code = CODE_HA_MN_AUTH_FAILED;
      authFailEvent(ROLE_HA, EXT_MH_AUTH, code, home, msg, mhOff);
      break;
    }
    // Why: RFC 2002 §3.8.2.1: a foreign-home authenticator is checked when we share an SA with the
    // foreign agent that relayed the request (its address is the IP source) -> 132 if wrong.
    const off = extIndexFind(extIndex, EXT_FH_AUTH);
    const fsa = off != 0 ? saFindFor(src, cfg.SA_USE_FOREIGN_HOME) : 0;
    if (fsa != 0 && !authAt(fsa, msg, off)) {
      code = CODE_HA_FA_AUTH_FAILED;
      authFailEvent(ROLE_HA, EXT_FH_AUTH, code, src, msg, off);
      break;
    }
    // Why: RFC 2002 §3.8 / §4.6: a home agent serves home addresses on its home link (it proxies
    // ARP for them there); any other address is administratively prohibited (129) rather than 136,
    // which would name us as the home agent to try again (docs/decisions.md, issue 7.9).
    if (homeIf() < 0 || !netifOnLink(homeIface, home)) { code = CODE_HA_PROHIBITED; break; }
    // Why: RFC 2002 §5.6 (133): replay protection by timestamp or nonce (security/replay.ts).
    if (haCheckIdentification(sa, id, nonces) != ReplayResult.OK) { code = CODE_HA_ID_MISMATCH; break; }
    // Why: RFC 2002 §3.6.1.2 / §3.8.2: the home network's directed broadcast asks for dynamic home
    // agent discovery: rejected with 136 and our unicast address; any other address not ours -> 136.
    if (!haOurs) { code = CODE_HA_UNKNOWN_HA; break; }
    code = bindingUpdate(home, coa, flags, granted);
  } while (false);
  if (code == CODE_ACCEPTED) haAccepted(sa, id, nonces);
  // A key is given for a registration through a foreign agent when the request asked for it before
  // its mobile-home authenticator (so the mobile node asked, not someone on the way).
  const kOff = extIndexFind(extIndex, EXT_REG_KEY_REQUEST);
  if (code == CODE_ACCEPTED && lifetime != 0 && kOff != 0 && kOff < mhOff && src != home) {
    // Why: 001 §2: SPIs 0-255 are reserved and never name an association.
    const spi = regkeyRequestSpi(msg + <usize>kOff);
    keySpi = spi >= 256 ? spi : 0;
    keyCoa = coa;
    keyReqId = id;
  }

  // Identification (RFC 2002 §5.6.1-5.6.2): a valid timestamp is echoed whole; on 133, and always
  // with nonces, the high 32 bits are our time / the nonce to use next (replay.ts).
  const rid = haReplyId(sa, id, code);
  const from = homeIf() >= 0 ? netifIp(homeIface) : 0;
  const ha = haOurs ? haField : from;
  // The reply leaves from the address the request was sent to, or our home address after a broadcast.
  const replyFrom = ipIsOurs(dst) ? dst : ha;
  if (code == CODE_ACCEPTED) count(C.HA_REG_ACCEPTED);
  else { count(C.HA_REG_DENIED); evRegDenied(ROLE_HA, code, home); }
  const onHomeLink = iface == homeIf() && src == home;
  sendReply(sa, replyFrom, src, sport, code, code == CODE_ACCEPTED ? granted : 0, home, ha, rid, src, onHomeLink);
  // Route optimization (001 §6, §7.3): the Binding Warning extension's targets and the listed
  // correspondents learn the new binding (or, after a deregistration, that there is none).
  if (code == CODE_ACCEPTED && cfg.roEnabled) haroRegistered(home, msg, extIndexFind(extIndex, EXT_BINDING_WARNING), mhOff);
  return 0;
}

/**
 * Every UDP datagram for this node (transport/udp.ts tap, before the port's handlers and whatever the
 * checksum): a broadcast on the home link other than a registration is forwarded to the mobile nodes
 * away from home that asked for broadcasts. Returns -1 (the datagram goes on).
 */
export function haBroadcastTap(iface: i32, p: usize, len: i32): i32 {
  const dst = ipv4Dst(p);
  // Why: RFC 2002 §4.3: broadcasts on the home network reach mobile nodes that asked for them (B);
  // the original continues to local processing.
  if (iface == homeIf() && udpDstPort(drPayload(p)) != MIP_PORT && (dst == IP_BROADCAST || isHomeBroadcast(dst)) &&
      bindingN > 0 && htUsed(bindings) > 0) {
    forwardBroadcast(p, len);
  }
  return -1;
}

/** A UDP datagram to us (or a broadcast) on `iface`: registration requests for this home agent. */
export function haUdp(iface: i32, p: usize, len: i32): i32 {
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  const msg = drMsg(p);
  const u = msg - <usize>UDP_HEADER_LEN;
  const mlen = drMsgLen(msg);
  // Replies and other messages on 434 belong to the other roles.
  if (mlen < 1 || load<u8>(msg) != REG_TYPE_REQUEST) return -1;
  // A node that is also a foreign agent relays requests naming another home agent.
  if ((cfg.roles & cfg.ROLE_FOREIGN_AGENT) != 0 && mlen >= REG_REQ_LEN) {
    const haField = regHomeAgent(msg);
    if (!ipIsOurs(haField) && !isHomeBroadcast(haField)) return -1;
  }
  return haRegistration(iface, src, dst, udpSrcPort(u), msg, mlen);
}

// ---- interception and tunnelling (RFC 2002 §4.1-4.3) ---------------------------------------------

/**
 * Tunnel the datagram at `p` (`len` bytes, in a packet buffer) to the live care-of addresses of
 * binding `v`, forwarded or `originated` by this node: the last copy is encapsulated in place when
 * its buffer holds the Ethernet header and the largest tunnel header in front of it (stack/packet.ts;
 * the headroom budget always does), the others from the scratch copy. Returns -1 when no care-of
 * address is live, 0 when at least one copy went, 1 when all were dropped (counted).
 */
function tunnelToBinding(v: usize, p: usize, len: i32, originated: bool): i32 {
  const now = nowMs();
  const src = ipv4SrcInline(p);
  const from = netifIp(homeIface);
  const n = bindingSlots(v);
  // Why: a forwarded datagram with one of our addresses as its source came back to us (RFC 2003
  // §3.2 loop); one we originate has our source by definition (RFC 2002 §4.2.3 tunnels it too).
  // Why (speed): once per datagram, not once per care-of address.
  const srcOurs = !originated && src != 0 && (netifAddrClass(src) & ADDR_OURS) != 0;
  // Why (speed, issue 8.3): the common case — one live binding, a forwarded datagram that is no loop —
  // goes by the tunnel's template (its virtual interface's prebuilt header) when it has a valid one.
  if (n == 1 && !originated && depth == 0 && !srcOurs) {
    const s = bindingSlot(v, 0);
    const coa = load<u32>(s, S_COA);
    let until = load<i64>(s, S_EXPIRES);
    // Route optimization: a flow lasts no longer than the next Binding Update to its source may wait.
    if (cfg.roEnabled) until = min(until, haroFlowUntil(src, ipv4DstInline(p), now));
    if (until > now && src != coa && tunnelSendTemplate(p, len, <u32>load<u8>(s, S_ENCAP), from, coa, until) == 0) return 0;
  }
  if (depth >= MAX_DEPTH) { count(C.DROP_TUNNEL_LOOP); return 1; }
  const base = <usize>(depth * MAX_SLOTS) << 2;
  const pSlot = planSlot + base;
  const pOif = planOif + base;
  const pNh = planNh + base;
  depth++; // tunnelCheck may send an ICMP error that is tunnelled in turn (one level down)
  let live = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = bindingSlot(v, i);
    if (load<i64>(s, S_EXPIRES) <= now) continue; // expired; its timer has not run yet
    live++;
    const coa = load<u32>(s, S_COA);
    // Why: RFC 2003 §3.2 / RFC 2002 §4.2.3: a datagram whose source is the tunnel's destination (or
    // this node, when forwarding) is never tunnelled to it: that is a routing loop.
    if (src == coa || srcOurs) { count(C.DROP_TUNNEL_LOOP); continue; }
    const r = tunnelCheck(p, len, <u32>load<u8>(s, S_ENCAP), from, coa);
    if (r == NO_ROUTE) continue;
    const oif = routeIface(r);
    store<i32>(pSlot + (<usize>k << 2), i);
    store<i32>(pOif + (<usize>k << 2), oif);
    store<u32>(pNh + (<usize>k << 2), routeNextHop(r));
    k++;
  }
  depth--;
  if (live == 0) return -1;
  // Originated datagrams keep their TTL (RFC 2003 §3.1 decrements only when forwarding).
  const forwarding = !originated;
  // The copy encapsulated in place; none when p's buffer lacks the room (every copy from scratch).
  const last = pktRoom(p) >= ETH_HEADER_LEN + TUNNEL_MAX_OVERHEAD ? k - 1 : -1;
  // A flow (stack/flow.ts) may be learnt from a received datagram; its key is read before the
  // encapsulation (minimal encapsulation rewrites the header in place).
  const learn = forwarding && flowLearning(p);
  const keySrc = learn ? load<u32>(p, 12) : 0;
  const keyDst = learn ? load<u32>(p, 16) : 0;
  const frag = learn && ipv4IsFragment(p);
  let sent = 0;
  for (let j = 0; j < k; j++) {
    const s = bindingSlot(v, load<i32>(pSlot + (<usize>j << 2)));
    const oif = load<i32>(pOif + (<usize>j << 2));
    const nh = load<u32>(pNh + (<usize>j << 2));
    let q = p;
    if (j != last) {
      // RFC 2002 §3.6.1.2: one copy per simultaneous binding; all but the last from a copy.
      q = scratch + SCRATCH_HEADROOM;
      memory.copy(q, p, <usize>len);
    }
    if (tunnelSend(q, len, <u32>load<u8>(s, S_ENCAP), from, load<u32>(s, S_COA), oif, nh, forwarding) == 0) {
      sent++;
      // Why (speed, issue 8.8): the one copy of a received datagram: its flow's next datagrams go by
      // stack/flow.ts while nothing changes (a second live care-of address would need a copy each).
      if (learn && live == 1 && q == p) {
        const until = cfg.roEnabled ? min(load<i64>(s, S_EXPIRES), haroFlowUntil(src, bswap<u32>(keyDst), now)) : load<i64>(s, S_EXPIRES);
        tunnelFlowLearn(keySrc, keyDst, frag, <u32>load<u8>(s, S_ENCAP), from, load<u32>(s, S_COA), oif, nh, until);
      }
    }
  }
  return sent > 0 ? 0 : 1;
}

/**
 * The home agent's route source (stack/route.ts routeDecide): a datagram to a bound home address,
 * forwarded or originated here, goes to the virtual interface of its binding (haVif). Why: RFC 2002
 * §4.2.3: the home agent intercepts every datagram for a mobile node away from home and tunnels it,
 * the ones it originates included (on the home link nobody would receive them).
 */
export function haRoute(inIface: i32, src: u32, dst: u32): i64 {
  if (bindingN == 0 || htUsed(bindings) == 0 || (homeIfaceKnown ? homeIface : homeIf()) < 0) return NO_ROUTE;
  const v = htFindV4(bindings, dst);
  return v == 0 ? NO_ROUTE : routeVirtual(VIF_HA_TUNNEL, <u32>v);
}

/**
 * The output of a binding's virtual interface (route `r` from haRoute): tunnel the datagram at `p`
 * to the binding's care-of addresses; -1 when none is live (it then takes the table's route).
 */
export function haVif(r: i64, inIface: i32, p: usize, len: i32): i32 {
  const v = <usize>routeVifHandle(r);
  if (inIface < 0) return tunnelToBinding(v, p, len, true);
  // Why: RFC 2827 ingress filtering (issue 7.1): a source on the home prefix lives on the home
  // link, so one arriving from elsewhere is forged — e.g. an agent advertisement that would send the
  // mobile node "home". The one exception is a datagram we just took out of a verified reverse
  // tunnel (haReverseTunnel: outer source = the care-of address of the inner source's binding,
  // RFC 3024); a mobile node away from home that sends to another of our mobile nodes without a
  // reverse tunnel is dropped here, as every ingress-filtering network on its way would drop it
  // (docs/decisions.md). (Speed: one compare of the interface and one masked compare.)
  if (inIface != homeIface && !inReverseTunnel && netifOnLink(homeIface, ipv4SrcInline(p))) {
    count(C.DROP_HA_SPOOFED_HOME_SRC);
    return 1;
  }
  if (cfg.roEnabled) return roForwarded(v, p, len);
  return tunnelToBinding(v, p, len, false);
}

/**
 * Route optimization at the home agent, for a datagram intercepted for binding `v` (haVif):
 *  - a special tunnel (001 §8.2; draft-ietf-mobileip-spectun): IP in IP to the home address itself,
 *    from a foreign agent that lost its visitor. Never tunnelled back to the care-of address it came
 *    from (dropped and counted: that agent cannot deliver it); otherwise its inner datagram goes to the
 *    binding's care-of addresses, and its sender — whose cached binding led there — gets an update;
 *  - any other datagram: tunnelled as always, and its sender is told the binding (001 §3.1).
 */
function roForwarded(v: usize, p: usize, len: i32): i32 {
  const home = ipv4DstInline(p);
  const src = ipv4SrcInline(p);
  const hl = ipv4HeaderLen(p);
  if (ipv4Proto(p) == IPPROTO_IPIP && !ipv4IsFragment(p) && len >= hl + IPV4_MIN_HEADER && ipipCheckValidated(p) == IpipErr.OK) {
    const inner = ipipInner(p);
    if (ipv4Dst(inner) == home) {
      count(C.RO_SPECIAL_TUNNEL_RX);
      // Why: RFC 2827 (as haVif): the inner datagram had a source of its own; one on the home prefix
      // could only have come from the home link, not out of a foreign agent's tunnel.
      if (netifOnLink(homeIface, ipv4Src(inner))) { count(C.DROP_HA_SPOOFED_HOME_SRC); return 1; }
      // Why: 001 §8.2 / spectun: the home agent never tunnels back to the care-of address the
      // datagram came from — that agent has no visitor for it (a loop otherwise).
      if (bindingSlotFind(v, src) >= 0) { count(C.DROP_RO_SPECIAL_LOOP); return 1; }
      const innerSrc = ipv4Src(inner);
      const r = tunnelToBinding(v, inner, ipipInnerLen(p), false);
      if (r == 0) haroIntercepted(innerSrc, home);
      return r;
    }
  }
  const r = tunnelToBinding(v, p, len, false);
  if (r == 0 && !inReverseTunnel) haroIntercepted(src, home);
  return r;
}

/** True while a datagram taken out of a verified reverse tunnel is processed (haVif's ingress check). */
let inReverseTunnel = false;

/**
 * The end of a tunnel to us (tunnel.ts tunnelInput, after decapsulation): the inner datagram at
 * `inner` (`ilen` bytes, checked) arrived on `iface` from outer source `outerSrc`. A reverse tunnel
 * (RFC 3024 §4.3) when the inner source is a bound home address and the outer source one of its
 * live care-of addresses: the inner datagram is then received again as if from the network
 * (forwarded, delivered to us, or tunnelled to another binding). Returns 0 used, 1 dropped
 * (counted), -1 not from a binding (the caller drops it).
 */
export function haReverseTunnel(iface: i32, outerSrc: u32, inner: usize, ilen: i32): i32 {
  if (bindingN == 0 || htUsed(bindings) == 0) return -1;
  const v = htFindV4(bindings, ipv4Src(inner));
  if (v == 0) return -1;
  const i = bindingSlotFind(v, outerSrc);
  // Why: RFC 3024 §4.3, §6.1: the outer source must be a care-of address of the inner source's
  // binding; anything else is a forged reverse tunnel (e.g. another node's home address from a
  // care-of address that is not its own).
  if (i < 0 || load<i64>(bindingSlot(v, i), S_EXPIRES) <= nowMs()) { count(C.DROP_HA_REVERSE_SPOOFED); return 1; }
  const proto = ipv4Proto(inner);
  // Why: RFC 2003 §3.2: a tunnel inside the tunnel is not ours to unwrap again (recursion, loops).
  if (proto == IPPROTO_IPIP || proto == IPPROTO_MINENC || proto == IPPROTO_GRE) {
    count(C.DROP_TUNNEL_NO_EXIT);
    return 1;
  }
  count(C.HA_REVERSE_TUNNELLED);
  // Why: RFC 3024 §4.3: the decapsulated datagram is routed as any other: TTL, routes and ICMP
  // errors (to the home address: tunnelled to the node), interception for a bound destination
  // (where the ingress check knows it came out of a verified reverse tunnel).
  inReverseTunnel = true;
  const r = ipInput(iface, inner, ilen, false);
  inReverseTunnel = false;
  return r;
}

/**
 * RFC 2002 §4.3: a copy of the broadcast datagram at `p` to every binding with B. A co-located
 * care-of address (D) gets it tunnelled directly; a foreign agent's first gets it wrapped in a
 * datagram to the home address (the foreign agent delivers that unicast to its visitor), then
 * tunnelled. The inner TTL is kept: the mobile node is virtually on the home link.
 */
function forwardBroadcast(p: usize, len: i32): void {
  const from = netifIp(homeIface);
  const src = ipv4Src(p);
  const now = nowMs();
  for (let r = htNext(bindings, 0); r >= 0; r = htNext(bindings, r + 1)) {
    const v = htValueAt(bindings, r);
    const home = htKeyV4At(bindings, r);
    const n = bindingSlots(v);
    for (let i = 0; i < n; i++) {
      const s = bindingSlot(v, i);
      const flags = load<u8>(s, S_FLAGS);
      if ((flags & REQ_FLAG_B) == 0 || load<i64>(s, S_EXPIRES) <= now) continue;
      const coa = load<u32>(s, S_COA);
      if (src == coa || src == home) { count(C.DROP_TUNNEL_LOOP); continue; }
      let q = scratch + SCRATCH_HEADROOM;
      memory.copy(q, p, <usize>len);
      let l = len;
      if ((flags & REQ_FLAG_D) == 0) {
        const w = tunnelEncap(q, l, cfg.ENCAP_IPIP, from, home, false);
        if (w < 0) { count(C.DROP_TUNNEL_ENCAP); continue; }
        q -= <usize>w;
        l += w;
      }
      const method = <u32>load<u8>(s, S_ENCAP);
      const r = tunnelCheck(q, l, method, from, coa);
      if (r == NO_ROUTE) continue;
      tunnelSend(q, l, method, from, coa, routeIface(r), routeNextHop(r), false);
    }
  }
}
