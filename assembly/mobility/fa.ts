// Foreign agent (RFC 2002 §3.7, §4.2.2): the visitor list, relaying Registration Requests to home
// agents and their Replies back to mobile nodes, denials (codes 64-88), and delivery of datagrams
// to visitors by their link-layer address (decapsulated by tunnel.ts, or intercepted while
// forwarding). Interop contract: notes/mip.md "Registration via a foreign agent".
//
// Visitor list (RFC 2002 §3.7.1): a hash table keyed by home address (table/hash.ts), capacity
// config.visitorEntries, carved in faInit. One record per home address holds a pending part (the
// request being relayed) and an accepted part (the registration in force), because a visitor
// re-registers while its current registration still holds:
//   0 flags u8 (VF_*) | 1 iface u8 (pending) | 2 accIface u8 | 3 reqFlags u8 | 4 mac[6] (pending)
//   10 accMac[6] | 16 mnPort u16 | 18 reqLifetimeSec u16 | 20 homeAgent u32 (pending) | 24 id u64
//   32 agent u32 (our address the visitor spoke to: source of replies to it) | 36 relaySrc u32 (source
//   of the relayed request: our care-of address) | 40 pendingUntilMs i64 | 48 expiresAtMs i64
//   56 accHomeAgent u32 | 60 grantedSec u16 | 62 pad | 64 timer i32 | 68 pad
// One timer per record on the stack heap (kind TK_FA_VISITOR, tag = record index) at the earlier of
// the pending deadline and the accepted expiry; every removal cancels it, so a timer that fires
// always belongs to the live record of its index.
//
// Decisions (for docs/decisions.md; the "Why" comments give the details):
//  - Mobile-foreign authentication that fails or is missing although an SA with the home address
//    exists: the request is silently discarded and logged as AUTH_FAILED (RFC 2002 §3.7.2.1), not
//    answered with 67 — nothing unauthenticated makes the agent transmit.
//  - Relayed requests keep everything up to the end of the Mobile-Home Authentication extension and
//    drop the extensions after it (RFC 2002 §3.7.2.2 "process and remove"), then append the
//    Foreign-Home Authentication extension when an SA with the home agent exists. Replies: the same
//    with the Mobile-Foreign Authentication extension (RFC 2002 §3.7.3.2).
//  - A request with D (co-located care-of address) is relayed too (RFC 2002 §3.1: with R set the
//    mobile node registers through the agent even then); its encapsulation flags are not checked
//    and, once accepted, the agent does not deliver for it (the node decapsulates itself).
//  - Pending requests time out after PENDING_MS (7 s) silently: RFC 2002 has no "registration
//    timeout" code (RFC 3344's 78 came later), and the mobile node retransmits on its own.
//  - Link down: visitors on that interface stay until their lifetime ends (RFC 2002 §3.7: the agent
//    never originates deregistration; a mobile node often reassociates at once).

import * as cfg from "../config";
import { arenaAlloc } from "../mem";
import { nowMs } from "../clock";
import { C, count } from "../counters";
import { Ev, VisitorOp, evBuf, evEmit, evAuthFailed, evRegDenied, ROLE_FA } from "../events";
import { HT_HEADER_SIZE, htBytes, htInit, htFind, htInsert, htRemoveAt, htUsed, htIndexOf, htValueAt, htKeyAt, htNext } from "../table/hash";
import { TIMER_NEVER } from "../table/timer";
import { stackTimerArm, stackTimerDisarm } from "../stack/stack";
import { netifValid, netifIp, netifMtu, netifFlags } from "../stack/netif";
import { routeLookup, outIface, nextHop } from "../stack/route";
import { linkSendIp, linkSendIpTo } from "../stack/arp";
import { ipIsOurs, ipNextIdent } from "../stack/ip";
import { ETH_HEADER_LEN } from "../wire/ethernet";
import {
  ipv4HeaderLen, ipv4TotalLen, ipv4Src, ipv4Dst, ipv4Ttl, ipv4Proto, ipv4DecrementTtl, ipIsUnicastSource, IPV4_MIN_HEADER,
  IPPROTO_UDP
} from "../wire/ipv4";
import { UdpErr, udpCheck, udpSrcPort, udpDstPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import {
  IcmpErr, icmpType, icmpCode, icmpCheckError, icmpErrorInner, ICMP_HEADER_LEN, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED,
  ICMP_PARAM_PROBLEM
} from "../wire/icmp";
import {
  RegErr, MIP_PORT, REG_TYPE_REQUEST, REG_TYPE_REPLY, REG_REQ_LEN, REG_REP_LEN, REQ_FLAG_D, REQ_FLAG_M, REQ_FLAG_G,
  REQ_FLAG_V, regReqParse, regRepParse, regLifetimeSec, regHomeAddr, regHomeAgent, regReqFlags, regReqCareOfAddr,
  regReqIdentification, regRepCode, regRepIdentification, regRepEmit, regCodeAccepted,
  CODE_FA_UNSPECIFIED, CODE_FA_PROHIBITED, CODE_FA_NO_RESOURCES, CODE_FA_HA_AUTH_FAILED, CODE_FA_LIFETIME_TOO_LONG,
  CODE_FA_BAD_REQUEST, CODE_FA_BAD_REPLY, CODE_FA_ENCAP_UNAVAILABLE, CODE_FA_VJ_UNAVAILABLE,
  CODE_FA_HOME_NET_UNREACHABLE, CODE_FA_HA_HOST_UNREACHABLE, CODE_FA_HA_PORT_UNREACHABLE, CODE_FA_HA_UNREACHABLE
} from "../wire/registration";
import {
  ExtErr, EXT_INDEX_SIZE, EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, extIndexFind, extIndexError, extIndexErrorType, extEnd,
  authSpi, EXT_HDR_LEN, AUTH_SPI_LEN
} from "../wire/mipext";
import { AuthResult, AUTH_LEN, authAppend, authVerify } from "../security/auth";
import { saFind } from "../security/sa";
import { TK_FA_FIRST } from "../stack/stack";

/** Timer kind of a visitor record (tag = record index), in the foreign agent's range. */
export const TK_FA_VISITOR: u16 = TK_FA_FIRST;
/** How long a relayed request waits for the home agent's reply (RFC 3344 §3.7.1's 7 s; RFC 2002 is silent). */
export const PENDING_MS: i64 = 7000;

/** Visitor flags (record byte 0; dump byte 19 = the first two, byte 40 = the co-located ones). */
export const VF_PENDING: u8 = 1;   // a request is being relayed
export const VF_ACCEPTED: u8 = 2;  // a registration is in force
export const VF_PEND_COLOC: u8 = 4; // the pending request had D (co-located care-of address)
export const VF_ACC_COLOC: u8 = 8;  // the accepted registration is co-located: no delivery by the agent

const V_FLAGS: usize = 0;
const V_IFACE: usize = 1;
const V_ACC_IFACE: usize = 2;
const V_REQ_FLAGS: usize = 3;
const V_MAC: usize = 4;
const V_ACC_MAC: usize = 10;
const V_MN_PORT: usize = 16;
const V_REQ_LIFETIME: usize = 18;
const V_HA: usize = 20;
const V_ID: usize = 24;
const V_AGENT: usize = 32;
const V_RELAY_SRC: usize = 36;
const V_PENDING_UNTIL: usize = 40;
const V_EXPIRES: usize = 48;
const V_ACC_HA: usize = 56;
const V_GRANTED: usize = 60;
const V_TIMER: usize = 64;
const V_SIZE: u32 = 72;

/** Bytes of one visitor dump record (faVisitorDump). */
export const VISITOR_DUMP_SIZE: i32 = 44;

const table: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let capacity: u32 = 0;
const extIndex: usize = memory.data(EXT_INDEX_SIZE, 4);

// FA-originated denials are built here (never in the rx buffer, which may be the ICMP error that
// caused them): Ethernet + IPv4 + UDP + Reply + Mobile-Foreign Authentication extension.
const DENY_MSG_CAP: i32 = REG_REP_LEN + EXT_HDR_LEN + AUTH_SPI_LEN + AUTH_LEN;
const denyFrame: usize = memory.data(ETH_HEADER_LEN + IPV4_MIN_HEADER + UDP_HEADER_LEN + DENY_MSG_CAP, 8);
const UDP_IP_LEN: i32 = IPV4_MIN_HEADER + UDP_HEADER_LEN;
const AUTH_EXT_LEN: i32 = EXT_HDR_LEN + AUTH_SPI_LEN + AUTH_LEN;

// Dump cursor: the next dump index and the record it continues after, valid while `gen` (bumped
// whenever a record comes or goes) is unchanged, so sequential dumps cost O(1) per record.
let gen: u32 = 0;
let dumpGen: u32 = 0;
let dumpNext: i32 = -1;
let dumpRec: i32 = -1;

/** Carve the visitor list (config.visitorEntries records; 0 = no visitors, every request gets 66). */
export function faInit(): bool {
  capacity = <u32>cfg.visitorEntries;
  dumpNext = -1;
  gen = 0;
  if (capacity == 0) return true;
  const base = arenaAlloc(htBytes(capacity, V_SIZE));
  if (base == 0) return false;
  return htInit(table, base, capacity, V_SIZE);
}

/** True when no further mobile node can be taken (advertised as B, answered with 66). */
export function faFull(): bool { return capacity == 0 || htUsed(table) >= capacity; }


// ---- events ------------------------------------------------------------------------------------

function visitorEvent(op: VisitorOp, code: u8, lifetimeSec: u16, home: u32, ha: u32): void {
  const b = evBuf();
  store<u8>(b, <u8>op, 0);
  store<u8>(b, code, 1);
  store<u16>(b, lifetimeSec, 2);
  store<u32>(b, home, 4);
  store<u32>(b, ha, 8);
  evEmit(Ev.VISITOR, 12);
}



// ---- sending -----------------------------------------------------------------------------------

/**
 * Put UDP (434 -> `dport`) and IPv4 headers in front of the `n`-byte message at `p + 28` and send
 * it to `mac` on `iface` without ARP (RFC 2002 §3.7.2.3, §3.7.3.2: the visitor's link-layer
 * address). `mac` may point at `p - 8` (the received frame's source): it is copied first.
 */
function sendToMn(iface: i32, mac: usize, src: u32, dst: u32, dport: u16, p: usize, n: i32): void {
  const total = udpIpEmit(p, ipNextIdent(), <u8>cfg.defaultTtl, src, dst, MIP_PORT, dport, n);
  linkSendIpTo(iface, mac, p, total);
}

/**
 * Deny a request (RFC 2002 §3.7.2.3): a Reply with `code`, Home Address, Home Agent and
 * Identification copied from the request, `lifetimeSec` (the request's, or our maximum for 69),
 * plus a Mobile-Foreign Authentication extension when an SA with the mobile node exists.
 */
function deny(iface: i32, mac: usize, src: u32, home: u32, ha: u32, id: u64, lifetimeSec: u16, dport: u16, code: u8): void {
  const p = denyFrame + <usize>ETH_HEADER_LEN;
  const m = p + <usize>UDP_IP_LEN;
  let n = regRepEmit(m, DENY_MSG_CAP, code, lifetimeSec, home, ha, id);
  if (saFind(home) != 0) {
    const k = authAppend(m, n, DENY_MSG_CAP, EXT_MF_AUTH, home);
    if (k > 0) n = k;
  }
  count(C.FA_REQUEST_DENIED);
  evRegDenied(ROLE_FA, code, home);
  sendToMn(iface, mac, src, home, dport, p, n);
}

// ---- visitor records ---------------------------------------------------------------------------

/** Arm the record's one timer at its earliest deadline (or cancel it); false if the heap is full. */
function rearm(v: usize, idx: i32): bool {
  const f = load<u8>(v, V_FLAGS);
  let d = TIMER_NEVER;
  if ((f & VF_PENDING) != 0) d = min(d, load<i64>(v, V_PENDING_UNTIL));
  if ((f & VF_ACCEPTED) != 0) d = min(d, load<i64>(v, V_EXPIRES));
  const h = load<i32>(v, V_TIMER);
  if (d == TIMER_NEVER) {
    store<i32>(v, stackTimerDisarm(h), V_TIMER);
    return true;
  }
  const t = stackTimerArm(h, TK_FA_VISITOR, <u32>idx, d);
  store<i32>(v, t, V_TIMER);
  return t >= 0;
}

/** Remove the record at `idx` (its timer first). */
function removeVisitor(v: usize, idx: i32): void {
  stackTimerDisarm(load<i32>(v, V_TIMER));
  htRemoveAt(table, idx);
  gen++;
}

/** The pending part is over: drop the record if nothing is accepted, else keep the accepted part. */
function endPending(v: usize, idx: i32): void {
  const f = load<u8>(v, V_FLAGS) & ~(VF_PENDING | VF_PEND_COLOC);
  store<u8>(v, f, V_FLAGS);
  if ((f & VF_ACCEPTED) == 0) { removeVisitor(v, idx); return; }
  if (!rearm(v, idx)) { count(C.DROP_MIP_NO_TIMER); removeVisitor(v, idx); }
}

/** Deny the pending request of a record with `code` (68, 71, 80-88, 66) and end it. */
function denyPending(v: usize, idx: i32, code: u8): void {
  const home = htKeyAt(table, idx);
  const ha = load<u32>(v, V_HA);
  const life = load<u16>(v, V_REQ_LIFETIME);
  deny(<i32>load<u8>(v, V_IFACE), v + V_MAC, load<u32>(v, V_AGENT), home, ha, load<u64>(v, V_ID), life,
    load<u16>(v, V_MN_PORT), code);
  visitorEvent(VisitorOp.DENIED, code, life, home, ha);
  endPending(v, idx);
}

// ---- Registration Request (RFC 2002 §3.7.2) ----------------------------------------------------

/** True when `iface` offers foreign agent service (it advertises, RFC 2002 §2.3, §3.7). */
function servesIface(iface: i32): bool { return netifValid(iface) && (netifFlags(iface) & cfg.IF_ADVERTISE) != 0; }

function request(iface: i32, p: usize, u: usize, m: usize, ml: i32): i32 {
  count(C.FA_REQUEST_RX);
  // Why: RFC 2002 §3.7.2.3: a denial copies Home Address, Home Agent and Identification from the
  // request; without the whole fixed part there is nobody to answer, so it is silently discarded.
  if (ml < REG_REQ_LEN) { count(C.DROP_FA_MALFORMED); return 1; }
  const home = regHomeAddr(m);
  const ha = regHomeAgent(m);
  const coa = regReqCareOfAddr(m);
  const flags = regReqFlags(m);
  const lifetime = regLifetimeSec(m);
  const id = regReqIdentification(m);
  const mac = p - 8; // Ethernet source of the received frame (RFC 2002 §3.7.1: link-layer source)
  const dst = ipv4Dst(p);
  // Replies go out from the address the mobile node spoke to (RFC 2002 §3.7.2.3), ours on this link
  // when that was a broadcast or multicast.
  const agent = ipIsOurs(dst) ? dst : netifIp(iface);
  const mnPort = udpSrcPort(u);
  const mnSa = saFind(home);
  let code: i32 = -1;
  let replyLifetime = lifetime;

  if (regReqParse(m, ml, extIndex) != RegErr.OK) {
    const err = extIndexError(extIndex);
    // Why: RFC 2002 §1.9: an unknown extension 0-127 makes the whole message silently discarded.
    if (err == ExtErr.UNKNOWN_DISCARD) { count(C.DROP_FA_UNKNOWN_EXT); return 1; }
    // Why: RFC 2002 §3.7.2.1: with an SA, exactly one valid mobile-foreign authenticator is needed
    // before the agent answers at all; a message whose extensions cannot be walked has none.
    if (mnSa != 0) {
      if (err == ExtErr.DUPLICATE && extIndexErrorType(extIndex) == EXT_MF_AUTH) {
        count(C.DROP_FA_AUTH);
        evAuthFailed(ROLE_FA, EXT_MF_AUTH, 0, home, 0);
      } else {
        count(C.DROP_FA_MALFORMED);
      }
      return 1;
    }
    // Why: RFC 2002 §3.7.2.3: a poorly formed request is denied with 70.
    code = CODE_FA_BAD_REQUEST;
  }
  if (code < 0 && mnSa != 0) {
    const off = extIndexFind(extIndex, EXT_MF_AUTH);
    const r = off == 0 ? AuthResult.NOT_AUTH_EXT : authVerify(m, off, home);
    // Why: RFC 2002 §3.7.2.1: with an SA between agent and mobile node, a missing or invalid
    // Mobile-Foreign Authentication extension makes the agent silently discard the request and log
    // a security exception (AUTH_FAILED, code 0: nothing was sent).
    if (r != AuthResult.OK) {
      count(C.DROP_FA_AUTH);
      evAuthFailed(ROLE_FA, EXT_MF_AUTH, 0, home, off != 0 ? authSpi(m + <usize>off) : 0);
      return 1;
    }
  }
  const coloc = (flags & REQ_FLAG_D) != 0;
  const mhOff = code < 0 ? extIndexFind(extIndex, EXT_MH_AUTH) : 0;
  // Why: RFC 2002 §2.3, §3.7: this agent offers its service only on links where it advertises.
  if (code < 0 && !servesIface(iface)) code = CODE_FA_PROHIBITED;
  // Why: RFC 2002 §3.3: Home Address and Home Agent are unicast addresses (a home agent field may be
  // a remote directed broadcast, §3.6.1.2, which looks unicast from here); and every request carries
  // the Mobile-Home Authentication extension. Anything else is poorly formed (70).
  if (code < 0 && (!ipIsUnicastSource(home) || !ipIsUnicastSource(ha) || mhOff == 0)) code = CODE_FA_BAD_REQUEST;
  // Why: RFC 2002 §3.6.1.1: a foreign agent care-of address must be ours; RFC 2002 has no code for
  // "invalid care-of address" (RFC 3344's 77), so 64. A co-located address (D) is the node's own.
  if (code < 0 && !coloc && !ipIsOurs(coa)) code = CODE_FA_UNSPECIFIED;
  // Why: the home agent field names this node, which is not a home agent (else ha.ts took it).
  if (code < 0 && ipIsOurs(ha)) code = CODE_FA_UNSPECIFIED;
  // Why: RFC 2002 §3.7.2.3 / §3.4: no Van Jacobson compression here (73).
  if (code < 0 && (flags & REQ_FLAG_V) != 0) code = CODE_FA_VJ_UNAVAILABLE;
  // Why: RFC 2002 §3.4 code 72: the agent decapsulates, so M/G must name a method it supports
  // (config.encapsulations); with D the mobile node decapsulates and the agent is not involved.
  if (code < 0 && !coloc &&
    (((flags & REQ_FLAG_M) != 0 && (cfg.encapsulations & cfg.ENCAP_MINIMAL) == 0) ||
     ((flags & REQ_FLAG_G) != 0 && (cfg.encapsulations & cfg.ENCAP_GRE) == 0))) code = CODE_FA_ENCAP_UNAVAILABLE;
  // Why: RFC 2002 §3.7.2.3: too long a lifetime is denied with 69 and our maximum in the reply's
  // Lifetime (0xffff, infinity, is always too long: config caps lifetimeSec at 65534).
  if (code < 0 && <i32>lifetime > cfg.lifetimeSec) { code = CODE_FA_LIFETIME_TOO_LONG; replyLifetime = <u16>cfg.lifetimeSec; }
  let v: usize = capacity == 0 ? 0 : htFind(table, home);
  // Why: RFC 2002 §2.1.1, §3.7.1: busy (config) or a full visitor list takes no additional mobile
  // nodes (66); a current visitor may still re-register or deregister.
  if (code < 0 && v == 0 && (cfg.busy || faFull())) code = CODE_FA_NO_RESOURCES;
  // Why: no route towards the home agent: the home network is unreachable from here (80, the code
  // an ICMP net unreachable would have given).
  if (code < 0 && !routeLookup(ha)) code = CODE_FA_HOME_NET_UNREACHABLE;
  const oif = outIface;
  const nh = nextHop;
  const cut = code < 0 ? extEnd(m, mhOff) : 0;
  const haSa = code < 0 ? saFind(ha) : 0;
  const relayLen = cut + (haSa != 0 ? AUTH_EXT_LEN : 0);
  // Why: no fragmentation in the core: a relay larger than the outgoing MTU cannot be sent (66).
  if (code < 0 && UDP_IP_LEN + relayLen > netifMtu(oif)) code = CODE_FA_NO_RESOURCES;
  if (code >= 0) {
    deny(iface, mac, agent, home, ha, id, replyLifetime, mnPort, <u8>code);
    return 0;
  }

  // Accepted for relaying: record the pending registration (RFC 2002 §3.7.1) with its deadline.
  const fresh = v == 0;
  if (fresh) { v = htInsert(table, home); store<i32>(v, -1, V_TIMER); gen++; }
  const idx = htIndexOf(table, v);
  const prevFlags = load<u8>(v, V_FLAGS);
  const from = coloc ? netifIp(oif) : coa;
  store<u8>(v, (prevFlags & (VF_ACCEPTED | VF_ACC_COLOC)) | VF_PENDING | (coloc ? VF_PEND_COLOC : 0), V_FLAGS);
  store<u8>(v, <u8>iface, V_IFACE);
  store<u8>(v, flags, V_REQ_FLAGS);
  memory.copy(v + V_MAC, mac, 6);
  store<u16>(v, mnPort, V_MN_PORT);
  store<u16>(v, lifetime, V_REQ_LIFETIME);
  store<u32>(v, ha, V_HA);
  store<u64>(v, id, V_ID);
  store<u32>(v, agent, V_AGENT);
  store<u32>(v, from, V_RELAY_SRC);
  store<i64>(v, nowMs() + PENDING_MS, V_PENDING_UNTIL);
  if (!rearm(v, idx)) {
    count(C.DROP_MIP_NO_TIMER);
    if (fresh) removeVisitor(v, idx);
    else store<u8>(v, prevFlags & ~(VF_PENDING | VF_PEND_COLOC), V_FLAGS);
    deny(iface, mac, agent, home, ha, id, lifetime, mnPort, CODE_FA_NO_RESOURCES);
    return 0;
  }

  // Relay in place (RFC 2002 §3.7.2.2): the message up to the end of the Mobile-Home Authentication
  // extension, unchanged, moved right behind new IPv4 and UDP headers; extensions after it are the
  // agent's and are removed; the Foreign-Home Authentication extension appended when an SA with the
  // home agent exists. The packet lies in the rx buffer, which holds frameBytes >= MTU + 14 from
  // p - 14, and relayLen + 28 <= MTU was checked, so the writes stay inside it.
  const q = p + <usize>UDP_IP_LEN;
  if (m != q) memory.copy(q, m, <usize>cut);
  let n = cut;
  if (haSa != 0) n = authAppend(q, n, netifMtu(oif) - UDP_IP_LEN, EXT_FH_AUTH, ha);
  // Why: RFC 2002 §3.7.2.2 and the contract: source = our care-of address (the home agent answers
  // to it), destination = the Home Agent field, UDP 434 -> 434.
  const total = udpIpEmit(p, ipNextIdent(), <u8>cfg.defaultTtl, from, ha, MIP_PORT, MIP_PORT, n);
  count(C.FA_REQUEST_RELAYED);
  visitorEvent(VisitorOp.PENDING, 0, lifetime, home, ha);
  linkSendIp(oif, nh, p, total);
  return 0;
}

// ---- Registration Reply (RFC 2002 §3.7.3) ------------------------------------------------------

function reply(iface: i32, p: usize, m: usize, ml: i32): i32 {
  count(C.FA_REPLY_RX);
  if (ml < REG_REP_LEN) { count(C.DROP_FA_MALFORMED); return 1; }
  const home = regHomeAddr(m);
  const v: usize = capacity == 0 ? 0 : htFind(table, home);
  // Why: RFC 2002 §3.7.3.1: a reply without a pending request for its home address, or whose
  // Identification differs from the request's in the low-order 32 bits, is silently discarded.
  if (v == 0 || (load<u8>(v, V_FLAGS) & VF_PENDING) == 0 ||
    <u32>regRepIdentification(m) != <u32>load<u64>(v, V_ID)) { count(C.DROP_FA_REPLY_UNMATCHED); return 1; }
  const idx = htIndexOf(table, v);
  const ha = load<u32>(v, V_HA);
  const code = regRepCode(m);
  const granted = regLifetimeSec(m);
  let fail: i32 = -1;
  if (regRepParse(m, ml, extIndex) != RegErr.OK) {
    const err = extIndexError(extIndex);
    // Why: RFC 2002 §1.9: an unknown extension 0-127 discards the message silently.
    if (err == ExtErr.UNKNOWN_DISCARD) { count(C.DROP_FA_UNKNOWN_EXT); return 1; }
    // Why: RFC 2002 §3.7.3.1: more than one Foreign-Home Authentication extension fails
    // authentication (68); any other malformed extension list is a poorly formed reply (71).
    fail = err == ExtErr.DUPLICATE && extIndexErrorType(extIndex) == EXT_FH_AUTH ? CODE_FA_HA_AUTH_FAILED : CODE_FA_BAD_REPLY;
    if (fail == CODE_FA_HA_AUTH_FAILED) { count(C.DROP_FA_AUTH); evAuthFailed(ROLE_FA, EXT_FH_AUTH, CODE_FA_HA_AUTH_FAILED, ha, 0); }
    else count(C.DROP_FA_MALFORMED);
  }
  if (fail < 0 && saFind(ha) != 0) {
    const off = extIndexFind(extIndex, EXT_FH_AUTH);
    const r = off == 0 ? AuthResult.NOT_AUTH_EXT : authVerify(m, off, ha);
    // Why: RFC 2002 §3.7.3.1: with an SA with the home agent, a missing or invalid Foreign-Home
    // Authentication extension: the reply is discarded, logged, and the mobile node gets 68.
    if (r != AuthResult.OK) {
      fail = CODE_FA_HA_AUTH_FAILED;
      count(C.DROP_FA_AUTH);
      evAuthFailed(ROLE_FA, EXT_FH_AUTH, CODE_FA_HA_AUTH_FAILED, ha, off != 0 ? authSpi(m + <usize>off) : 0);
    }
  }
  const mhOff = fail < 0 ? extIndexFind(extIndex, EXT_MH_AUTH) : 0;
  const fhOff = fail < 0 ? extIndexFind(extIndex, EXT_FH_AUTH) : 0;
  // Everything up to the end of the Mobile-Home Authentication extension is the home agent's
  // message to the mobile node; what follows is for the agent (RFC 2002 §3.7.3.2).
  const cut = mhOff != 0 ? extEnd(m, mhOff) : fhOff != 0 ? fhOff : ml;
  const fi = <i32>load<u8>(v, V_IFACE);
  const mnSa = saFind(home);
  const relayLen = cut + (mnSa != 0 ? AUTH_EXT_LEN : 0);
  // Why: no fragmentation in the core; a reply too large for the visitor's link cannot be relayed.
  if (fail < 0 && UDP_IP_LEN + relayLen > netifMtu(fi)) fail = CODE_FA_NO_RESOURCES;
  if (fail >= 0) { denyPending(v, idx, <u8>fail); return 0; }

  // Relay in place to the visitor's link-layer address (RFC 2002 §3.7.3.2): IP source = the address
  // the visitor sent its request to, destination = the home address, UDP 434 -> its source port.
  const q = p + <usize>UDP_IP_LEN;
  if (m != q) memory.copy(q, m, <usize>cut);
  let n = cut;
  if (mnSa != 0) n = authAppend(q, n, netifMtu(fi) - UDP_IP_LEN, EXT_MF_AUTH, home);
  count(C.FA_REPLY_RELAYED);
  sendToMn(fi, v + V_MAC, load<u32>(v, V_AGENT), home, load<u16>(v, V_MN_PORT), p, n);

  if (!regCodeAccepted(code)) {
    // Why: RFC 2002 §3.7.3.2: a denied registration ends the pending entry; a registration already
    // in force stays until its own lifetime ends.
    visitorEvent(VisitorOp.DENIED, code, granted, home, ha);
    endPending(v, idx);
    return 0;
  }
  if (granted == 0) {
    // Why: RFC 2002 §3.7.3.2: an accepted deregistration removes the visitor.
    visitorEvent(VisitorOp.REMOVED, code, 0, home, ha);
    removeVisitor(v, idx);
    return 0;
  }
  // Why: RFC 2002 §3.7.3.2: accepted: the visitor entry holds the granted lifetime (never more than
  // this agent let the mobile node request).
  const req = load<u16>(v, V_REQ_LIFETIME);
  const life = granted < req ? granted : req;
  const f = load<u8>(v, V_FLAGS);
  store<u8>(v, (f & VF_PEND_COLOC) != 0 ? VF_ACCEPTED | VF_ACC_COLOC : VF_ACCEPTED, V_FLAGS);
  store<u8>(v, load<u8>(v, V_IFACE), V_ACC_IFACE);
  memory.copy(v + V_ACC_MAC, v + V_MAC, 6);
  store<u32>(v, ha, V_ACC_HA);
  store<u16>(v, life, V_GRANTED);
  store<i64>(v, nowMs() + <i64>life * 1000, V_EXPIRES);
  visitorEvent(VisitorOp.ACCEPTED, code, life, home, ha);
  if (!rearm(v, idx)) { count(C.DROP_MIP_NO_TIMER); removeVisitor(v, idx); }
  return 0;
}

/**
 * A UDP datagram to one of our addresses (or broadcast/multicast) arrived on `iface`. Takes
 * Registration Requests and Replies on port 434; -1 for anything else.
 */
export function faUdp(iface: i32, p: usize, len: i32): i32 {
  const hl = ipv4HeaderLen(p);
  const u = p + <usize>hl;
  const ul = len - hl;
  if (ul < UDP_HEADER_LEN || udpDstPort(u) != MIP_PORT) return -1;
  const ue = udpCheck(u, ul, ipv4Src(p), ipv4Dst(p));
  // Why: RFC 2002 §3.7.2.1, §3.7.3.1: an invalid non-zero UDP checksum is silently discarded.
  if (ue == UdpErr.BAD_CHECKSUM) { count(C.DROP_UDP_CHECKSUM); return 1; }
  if (ue != UdpErr.OK) { count(C.DROP_UDP_MALFORMED); return 1; }
  const m = u + <usize>UDP_HEADER_LEN;
  const ml = <i32>udpLength(u) - UDP_HEADER_LEN;
  if (ml < 1) { count(C.DROP_FA_MALFORMED); return 1; }
  const t = load<u8>(m);
  if (t == REG_TYPE_REQUEST) return request(iface, p, u, m, ml);
  if (t == REG_TYPE_REPLY) return reply(iface, p, m, ml);
  return -1; // other messages on 434 (route optimization, ...) belong to other modules
}

// ---- ICMP errors about relayed requests (RFC 2002 §3.4 codes 80-88) ----------------------------

/**
 * An ICMP error to us (IPv4 datagram at `p`, ICMP checksum checked). When it quotes a request this
 * agent relayed (UDP 434 -> 434 from one of our addresses), the pending visitors it concerns are
 * denied with 80 (net), 81 (host), 82 (port) or 88 (other). -1 when it is not about a relay.
 */
export function faIcmpError(iface: i32, p: usize, len: i32): i32 {
  if (capacity == 0) return -1;
  const hl = ipv4HeaderLen(p);
  const m = p + <usize>hl;
  const ml = len - hl;
  if (ml < ICMP_HEADER_LEN) return -1;
  const type = icmpType(m);
  if (type != ICMP_DEST_UNREACH && type != ICMP_TIME_EXCEEDED && type != ICMP_PARAM_PROBLEM) return -1;
  if (icmpCheckError(m, ml) != IcmpErr.OK) return -1;
  const q = icmpErrorInner(m);
  if (ipv4Proto(q) != IPPROTO_UDP) return -1;
  const qhl = ipv4HeaderLen(q);
  const qu = q + <usize>qhl;
  if (udpSrcPort(qu) != MIP_PORT || udpDstPort(qu) != MIP_PORT) return -1;
  const from = ipv4Src(q);
  const ha = ipv4Dst(q);
  if (!ipIsOurs(from)) return -1;
  // The quote may go on into the request itself (RFC 1812 §4.3.2.3 quotes as much as fits): its
  // Home Address then names the one visitor; else every pending relay to that home agent is meant.
  let home: u32 = 0;
  const avail = ml - ICMP_HEADER_LEN - qhl - UDP_HEADER_LEN;
  const qm = qu + <usize>UDP_HEADER_LEN;
  if (avail >= 8 && load<u8>(qm) == REG_TYPE_REQUEST) home = regHomeAddr(qm);
  const c = icmpCode(m);
  let code = CODE_FA_HA_UNREACHABLE;
  // Why: RFC 2002 §3.4: 80 home network unreachable, 81 home agent host unreachable, 82 home agent
  // port unreachable, 88 any other ICMP error (RFC 1812 §5.2.7.1 for the net/host code families).
  if (type == ICMP_DEST_UNREACH) {
    if (c == 0 || c == 6 || c == 9 || c == 11) code = CODE_FA_HOME_NET_UNREACHABLE;
    else if (c == 1 || c == 7 || c == 10 || c == 12) code = CODE_FA_HA_HOST_UNREACHABLE;
    else if (c == 3) code = CODE_FA_HA_PORT_UNREACHABLE;
  }
  let hit = 0;
  for (let i = htNext(table, 0); i >= 0; i = htNext(table, i + 1)) {
    const v = htValueAt(table, i);
    if ((load<u8>(v, V_FLAGS) & VF_PENDING) == 0 || load<u32>(v, V_HA) != ha || load<u32>(v, V_RELAY_SRC) != from) continue;
    if (home != 0 && htKeyAt(table, i) != home) continue;
    denyPending(v, i, code);
    hit++;
  }
  if (hit == 0) return -1;
  count(C.FA_ICMP_ERROR);
  return 0;
}

// ---- timers ------------------------------------------------------------------------------------

/** A visitor timer fired: end a pending request past its deadline and/or an expired registration. */
export function faTimer(kind: u16, tag: u32, now: i64): void {
  if (kind != TK_FA_VISITOR || capacity == 0) return;
  const idx = <i32>tag;
  const v = htValueAt(table, idx);
  if (v == 0) return;
  store<i32>(v, -1, V_TIMER); // popped
  const home = htKeyAt(table, idx);
  let f = load<u8>(v, V_FLAGS);
  if ((f & VF_PENDING) != 0 && load<i64>(v, V_PENDING_UNTIL) <= now) {
    // Why: RFC 2002 §3.7.1 keeps pending entries only while a reply can still come (7 s, RFC 3344
    // §3.7.1); no reply is sent (RFC 2002 has no timeout code), the mobile node retransmits.
    f &= ~(VF_PENDING | VF_PEND_COLOC);
    count(C.FA_PENDING_TIMEOUT);
    if ((f & VF_ACCEPTED) == 0) visitorEvent(VisitorOp.REMOVED, 0, load<u16>(v, V_REQ_LIFETIME), home, load<u32>(v, V_HA));
  }
  if ((f & VF_ACCEPTED) != 0 && load<i64>(v, V_EXPIRES) <= now) {
    // Why: RFC 2002 §3.7.1: the visitor entry lives for the granted lifetime; the agent sends
    // nothing when it ends (§3.7: never a reply or deregistration of its own).
    f &= ~(VF_ACCEPTED | VF_ACC_COLOC);
    count(C.FA_VISITOR_EXPIRED);
    visitorEvent(VisitorOp.EXPIRED, 0, load<u16>(v, V_GRANTED), home, load<u32>(v, V_ACC_HA));
  }
  store<u8>(v, f, V_FLAGS);
  if ((f & (VF_PENDING | VF_ACCEPTED)) == 0) { removeVisitor(v, idx); return; }
  if (!rearm(v, idx)) { count(C.DROP_MIP_NO_TIMER); removeVisitor(v, idx); }
}

/** Link state change: nothing is dropped — visitors on a link that went down stay until expiry. */
export function faLink(iface: i32, up: bool): void {
  // Why: RFC 2002 §3.7: the agent never ends a registration itself; a wireless visitor usually
  // reassociates within its lifetime, and delivery meanwhile fails like any transmission on a down
  // link. Expiry cleans up the others.
}

// ---- delivery to visitors (RFC 2002 §4.2.2) ----------------------------------------------------

/** The accepted, agent-served visitor record for destination `dst`, or 0. */
function servedVisitor(dst: u32): usize {
  if (capacity == 0) return 0;
  const v = htFind(table, dst);
  if (v == 0) return 0;
  return (load<u8>(v, V_FLAGS) & (VF_ACCEPTED | VF_ACC_COLOC)) == VF_ACCEPTED ? v : 0;
}

/** Send the checked datagram at `p` (TTL > 1) to visitor `v`'s MAC on its link, TTL - 1. */
function deliver(v: usize, p: usize, len: i32): i32 {
  const oif = <i32>load<u8>(v, V_ACC_IFACE);
  // Why: no fragmentation in the core (as ipForward): too big for the visitor's link is dropped.
  if (len > netifMtu(oif)) { count(C.DROP_MTU); return 1; }
  ipv4DecrementTtl(p);
  // Why: RFC 2002 §4.2.2: the agent uses the link-layer address from the visitor list and never
  // ARPs (or broadcasts ARP) for a visitor's home address.
  count(C.FA_DELIVERED);
  linkSendIpTo(oif, v + V_ACC_MAC, p, len);
  return 0;
}

/**
 * A datagram about to be forwarded (TTL checked > 1): one to an accepted visitor's home address
 * (e.g. from another host on the visitor's link) goes straight to the visitor. -1 otherwise.
 */
export function faIntercept(iface: i32, p: usize, len: i32): i32 {
  const v = servedVisitor(ipv4Dst(p));
  if (v == 0) return -1;
  return deliver(v, p, len);
}

/**
 * Deliver a decapsulated datagram to a visitor; -1 when the destination is not a visitor. The inner
 * datagram at `p` has Ethernet headroom in front (the outer header was there). Precondition: its
 * header is valid and its Total Length within `len` (tunnelInput checked it: tunnelInnerCheck for IP
 * in IP and GRE, minEncDecap's rebuilt header for minimal encapsulation).
 */
export function faDeliverToVisitor(p: usize, len: i32): i32 {
  // Why: RFC 2002 §4.2.2: only destinations in the visitor list are delivered; the caller discards
  // the rest silently (no ICMP unreachable for tunnelled datagrams).
  const v = servedVisitor(ipv4Dst(p));
  if (v == 0) return -1;
  len = <i32>ipv4TotalLen(p);
  // Why: RFC 2003 §3.1 / RFC 1812 §5.3.1: the tunnel counted as one hop at its entry; leaving the
  // tunnel the agent forwards the inner datagram onto the visitor's link like any router, so a
  // datagram that would leave with TTL 0 is discarded (silently, as RFC 2002 §4.2.2 has it).
  if (ipv4Ttl(p) <= 1) { count(C.DROP_IP_TTL); return 1; }
  return deliver(v, p, len);
}

// ---- dumps -------------------------------------------------------------------------------------

/**
 * Write visitor record `index` (0-based over records in use) to `out` (VISITOR_DUMP_SIZE bytes,
 * little-endian); its length, or -1 past the end (ABI dump table 4):
 *   0 home u32 | 4 homeAgent u32 | 8 careOf u32 | 12 mac[6] | 18 iface u8 | 19 state u8 (1 pending,
 *   2 accepted, 3 both: re-registering) | 20 lifetimeSec u16 | 22 udpSourcePort u16 |
 *   24 expiresAtMs i64 | 32 identification u64 | 40 colocated u8 (bit 0 the pending request has D,
 *   bit 1 the accepted registration has D) | 41 requestFlags u8 | 42 pad[2]
 * Records with an accepted registration show it (home agent, MAC, interface, granted lifetime,
 * expiry); pending-only ones the request (requested lifetime, reply deadline). careOf, identification,
 * port and requestFlags are the latest request's (careOf: the address the request was relayed from,
 * the care-of address unless co-located). Reading indices 0, 1, 2, ... in a row is O(capacity) in all.
 */
export function faVisitorDump(index: i32, out: usize): i32 {
  if (capacity == 0 || index < 0) return -1;
  let i: i32;
  if (index == dumpNext && dumpGen == gen && dumpRec >= 0) i = htNext(table, dumpRec + 1);
  else {
    i = htNext(table, 0);
    for (let k = 0; k < index && i >= 0; k++) i = htNext(table, i + 1);
  }
  if (i < 0) { dumpNext = -1; return -1; }
  dumpNext = index + 1;
  dumpRec = i;
  dumpGen = gen;
  const v = htValueAt(table, i);
  const f = load<u8>(v, V_FLAGS);
  const acc = (f & VF_ACCEPTED) != 0;
  store<u32>(out, htKeyAt(table, i), 0);
  store<u32>(out, load<u32>(v + (acc ? V_ACC_HA : V_HA)), 4);
  store<u32>(out, load<u32>(v, V_RELAY_SRC), 8);
  memory.copy(out + 12, v + (acc ? V_ACC_MAC : V_MAC), 6);
  store<u8>(out, load<u8>(v + (acc ? V_ACC_IFACE : V_IFACE)), 18);
  store<u8>(out, f & (VF_PENDING | VF_ACCEPTED), 19);
  store<u16>(out, load<u16>(v + (acc ? V_GRANTED : V_REQ_LIFETIME)), 20);
  store<u16>(out, load<u16>(v, V_MN_PORT), 22);
  store<i64>(out, load<i64>(v + (acc ? V_EXPIRES : V_PENDING_UNTIL)), 24);
  store<u64>(out, load<u64>(v, V_ID), 32);
  store<u8>(out, ((f & VF_PEND_COLOC) != 0 ? 1 : 0) | ((f & VF_ACC_COLOC) != 0 ? 2 : 0), 40);
  store<u8>(out, load<u8>(v, V_REQ_FLAGS), 41);
  store<u16>(out, 0, 42);
  return VISITOR_DUMP_SIZE;
}
