// Foreign agent (RFC 2002 §3.7, §4.2.2): the visitor list, relaying Registration Requests to home
// agents and their Replies back to mobile nodes, denials (codes 64-88), and delivery of datagrams
// to visitors by their link-layer address (decapsulated by tunnel.ts, or intercepted while
// forwarding). Interop contract: notes/mip.md "Registration via a foreign agent".
//
// The visitor list itself (records, pending slots, timers, dump) is mobility/visitors.ts.
// Requests seen lately (any home address, relayed or not, from any link-layer address) are remembered
// in two Bloom filters of (home address, Identification low bits) outside the visitor list
// (histSeenAdd), so a record removed meanwhile does not forget them.
// One timer per record on the stack heap (kind TK_FA_VISITOR, tag = record index) at the earliest of
// the pending deadlines and the accepted expiry; every removal cancels it, so a timer that fires
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
//  - A reply is taken only from where the request went (issue 7.2): IP source = the request's Home
//    Agent field, UDP source port 434, IP destination = the relayed request's source, arriving on the
//    interface it was relayed out of; Identification equal in all 64 bits for an acceptance where the
//    nodes served use timestamps (RFC 2002 §5.6.1), else in the low 32 (§5.6.2: nonces; 133 replies).
//  - Smooth handoff (001 §3.2, §8.1; issue 10.5, 10.10; end of this file, mobility/handoff.ts): a
//    request's PFAN makes the agent send the Binding Update to the previous agent once; a pending
//    visitor gets what that agent tunnels; as the previous agent, a visitor whose station left is
//    held, and an update on its behalf deletes it (roOnMoved) — docs/decisions.md "Smooth handoff".
//  - Reverse tunnelling (RFC 3024, issue 7.16): config reverseTunnel offers it. Profile "rfc3344":
//    T (request flag 0x02) asks for it, advertised as T; without the offer a T request gets 74.
//    Profile "seeds" (0x02 = P): every accepted visitor is reverse-tunnelled when it is offered.

import { mipEmit, drMsg, drMsgLen, drPayload } from "./mip";
import * as cfg from "../config";
import { arenaAlloc } from "../mem";
import { nowMs } from "../clock";
import { C, count, countHot } from "../counters";
import { VisitorOp, evAuthFailed, evRegDenied, ROLE_FA } from "../events";
import { htFindV4, htKeyV4At, htUsed, htIndexOf, htValueAt, htNext } from "../table/hash";
import { netifValid, netifIp, netifMtu, netifFlags } from "../link/netif";
import { route, routeIface, routeNextHop, NO_ROUTE, routeVirtual, routeChanged, VIF_FA_VISITOR } from "../stack/route";
import { linkSendIp, linkSendIpTo } from "../stack/arp";
import { ipIsOurs, ipNextIdent } from "../stack/ip";
import { flowLearning, flowLearnDecap } from "../stack/flow";
import { ETH_HEADER_LEN } from "../wire/ethernet";
import {
  ipv4HeaderLen, ipv4TotalLen, ipv4Src, ipv4Dst, ipv4Ttl, ipv4Proto, ipv4Ident, ipv4DecrementTtl, ipIsUnicastSource,
  IPV4_MIN_HEADER, IPPROTO_UDP
} from "../wire/ipv4";
import { udpSrcPort, udpDstPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import {
  IcmpErr, icmpType, icmpCode, icmpCheckError, icmpErrorInner, ICMP_HEADER_LEN, ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED,
  ICMP_PARAM_PROBLEM
} from "../wire/icmp";
import {
  RegErr, MIP_PORT, REG_TYPE_REQUEST, REG_TYPE_REPLY, REG_REQ_LEN, REG_REP_LEN, REQ_FLAG_D, REQ_FLAG_M, REQ_FLAG_G,
  REQ_FLAG_V, REQ_FLAG_R, regReqParse, regRepParse, regLifetimeSec, regHomeAddr, regHomeAgent, regReqFlags, regReqCareOfAddr,
  regReqIdentification, regRepCode, regRepIdentification, regRepEmit, regCodeAccepted, CODE_HA_UNKNOWN_HA, REQ_FLAG_T,
  CODE_FA_REVERSE_TUNNEL_UNAVAILABLE,
  CODE_FA_UNSPECIFIED, CODE_FA_PROHIBITED, CODE_FA_NO_RESOURCES, CODE_FA_HA_AUTH_FAILED, CODE_FA_LIFETIME_TOO_LONG,
  CODE_FA_BAD_REQUEST, CODE_FA_BAD_REPLY, CODE_FA_ENCAP_UNAVAILABLE, CODE_FA_VJ_UNAVAILABLE,
  CODE_FA_HOME_NET_UNREACHABLE, CODE_FA_HA_HOST_UNREACHABLE, CODE_FA_HA_PORT_UNREACHABLE, CODE_FA_HA_UNREACHABLE
} from "../wire/registration";
import {
  ExtErr, EXT_INDEX_SIZE, EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, EXT_AS_AUTH, EXT_MS_AUTH, EXT_FA_KEY_REPLY, EXT_REG_KEY_REQUEST, extIndexFind, extIndexFind2, extIndexError, extIndexErrorType, extEnd,
  authSpi, EXT_HDR_LEN, AUTH_SPI_LEN
} from "../wire/mipext";
import { AUTH_LEN, authAppendOr, authAt, authFailEvent } from "../security/auth";
import { saFindFor, saLearnt } from "../security/sa";
import { regkeyFaInstall } from "../security/regkey";
import { random32 } from "../security/replay";
import { tunnelCheck, tunnelSend } from "./tunnel";
import {
  TK_FA_VISITOR, VF_ACCEPTED, VF_ACC_COLOC, VF_ACC_RTUN, PS_USED, PS_COLOC, PS_RTUN, V_FLAGS, V_ACC_IFACE,
  V_ACC_MAC, V_ACC_HA, V_ACC_RELAY_SRC, V_EXPIRES, V_ACC_ID, V_GRANTED, V_ACC_PORT, V_TIMER, V_LATEST,
  V_ACC_REQ_FLAGS, VF_HELD, V_HOLD_SINCE, PS_PFAN_PREV, SLOTS, PS_STATE, PS_IFACE, PS_MAC, PS_REQ_FLAGS, PS_RELAY_IFACE, PS_MN_PORT,
  PS_REQ_LIFETIME, PS_RELAY_IDENT, PS_HA, PS_AGENT, PS_RELAY_SRC, PS_ID, PS_PENDING_UNTIL, visitors,
  visitorCapacity, visitorsInit, visitorInsert, visitorEvent, visitorAnyPending, visitorRearm, removeVisitor,
  visitorClearSlot, visitorSettle, visitorEndPending, slotAt, slotUsed, accepted,
} from "./visitors";
import { hoCapacity, hoPut, hoRelease, hoDrop, hoKick, hoSendPfanBu, hoTimer, TK_FA_HOLD } from "./handoff";
import { regReqPfanOffset, pfanPrevFa } from "../wire/ro";
import { drExpiry } from "./coa";


/** How long a relayed request waits for the home agent's reply (RFC 3344 §3.7.1's 7 s; RFC 2002 is silent). */
export const PENDING_MS: i64 = 7000;

/** Requests seen lately (histSeenAdd) are remembered for at least this long: two pending timeouts. */
const RECENT_MS: i64 = 2 * PENDING_MS;
// Why (issue 7.2, found again by the invariant fuzzer at 2 million frames): the copy check must not
// forget under a flood. A ring of exact entries (the first version) let an attacker on the visitor
// link push a victim's request out with 128 others, then send a verbatim copy that took the home
// agent's acceptance. Two Bloom filters of (home address, Identification low bits) instead, the
// current one and the previous one, swapped every RECENT_MS: a request stays known for RECENT_MS to
// 2 × RECENT_MS, and a flood only raises the false positives (a genuine request then discarded, sent
// again by its node with a new Identification, RFC 2002 §3.6.3) -- it fails closed. 8,192 bits and 4
// probes each: with 128 other requests in each filter about one genuine request in 37,000 is lost,
// with 1,000 in each one in 23. The probes are keyed with a random salt drawn at start, so nobody can aim at a pair.
const BLOOM_BITS: u32 = 8192;
const BLOOM_BYTES: usize = <usize>BLOOM_BITS >> 3;
/** The current filter (requests are added here) and the previous one (checked too); swapped every RECENT_MS. */
let bloomCur: usize = 0;
let bloomPrev: usize = 0;
let bloomSwapAt: i64 = 0;
let bloomSalt: u32 = 0;

/**
 * True when a request for `home` with Identification low bits `low` was seen lately (from any
 * link-layer address); remembers it from now on either way (a copy keeps the pair known longer).
 */
function histSeenAdd(home: u32, low: u32): bool {
  // Why: an entry added before the swap keeps the previous filter's whole period to live, so nothing
  // is forgotten before RECENT_MS (with few requests, much later).
  if (nowMs() >= bloomSwapAt) {
    const t = bloomPrev;
    memory.fill(t, 0, BLOOM_BYTES);
    bloomPrev = bloomCur;
    bloomCur = t;
    bloomSwapAt = nowMs() + RECENT_MS;
  }
  // Four probes of 13 bits from bits 12-63 of a salted multiplicative hash of the pair; the home
  // address is folded into the low word too, so every probe depends on both (bits below 32 of the
  // product see only the low word).
  const x = ((<u64>home << 32) | <u64>(low ^ bloomSalt ^ home)) * 0x9E3779B1;
  let inPrev = true, inCur = true;
  for (let k: u64 = 12; k < 64; k += 13) {
    const b = <u32>(x >> k) & (BLOOM_BITS - 1);
    const off = <usize>(b >> 3);
    const bit: u32 = 1 << (b & 7);
    if ((<u32>load<u8>(bloomPrev + off) & bit) == 0) inPrev = false;
    const c = bloomCur + off;
    const v = <u32>load<u8>(c);
    if ((v & bit) == 0) { inCur = false; store<u8>(c, <u8>(v | bit)); }
  }
  return inPrev | inCur;
}

// A global set in faInit, not a constant: a global.get is shorter than the address at each use.
let extIndex: usize = 0;

// FA-originated denials are built here (never in the rx buffer, which may be the ICMP error that
// caused them): Ethernet + IPv4 + UDP + Reply + Mobile-Foreign Authentication extension.
const DENY_MSG_CAP: i32 = REG_REP_LEN + EXT_HDR_LEN + AUTH_SPI_LEN + AUTH_LEN;
const denyFrame: usize = memory.data(ETH_HEADER_LEN + IPV4_MIN_HEADER + UDP_HEADER_LEN + DENY_MSG_CAP, 8);
const UDP_IP_LEN: i32 = IPV4_MIN_HEADER + UDP_HEADER_LEN;
const AUTH_EXT_LEN: i32 = EXT_HDR_LEN + AUTH_SPI_LEN + AUTH_LEN;

function macEqual(a: usize, b: usize): bool { return macEqualHot(a, b); }
/** macEqual inline, for the reverse tunnel's per-datagram check (size: the control paths call). */
// @ts-ignore: decorator
@inline function macEqualHot(a: usize, b: usize): bool { return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4); }

/** Carve the visitor list (config.visitorEntries records; 0 = no visitors, every request gets 66). */
export function faInit(): void {
  extIndex = memory.data(EXT_INDEX_SIZE, 4);
  bloomCur = arenaAlloc(2 * BLOOM_BYTES); // zeroed (mem.ts)
  if (bloomCur == 0) return;
  bloomPrev = bloomCur + BLOOM_BYTES;
  bloomSalt = random32();
  visitorsInit();
}

/** True when no further mobile node can be taken (advertised as B, answered with 66). */
export function faFull(): bool { return visitorCapacity == 0 || htUsed(visitors) >= visitorCapacity; }

/** True when this agent offers reverse tunnelling and says so with T (RFC 3024 §3.1; "rfc3344" profile only). */
export function faAdvertisesReverseTunnel(): bool {
  // Why: SPEC-DECISIONS: the seeds do not specify T, so it is sent as 0 in the "seeds" profile.
  return cfg.reverseTunnel && cfg.registrationProfile == cfg.PROFILE_RFC3344;
}


// ---- sending -----------------------------------------------------------------------------------

/**
 * Put UDP (434 -> `dport`) and IPv4 headers in front of the `n`-byte message at `p + 28` and send
 * it to `mac` on `iface` without ARP (RFC 2002 §3.7.2.3, §3.7.3.2: the visitor's link-layer
 * address). `mac` may point at `p - 8` (the received frame's source): it is copied first.
 */
function sendToMn(iface: i32, mac: usize, src: u32, dst: u32, dport: i32, p: usize, n: i32): void {
  const total = mipEmit(p, src, dst, dport, n);
  linkSendIpTo(iface, mac, p, total);
}

/** The association with mobile node `home` for mobile-foreign authentication, or 0 (RFC 2002 §3.5.3). */
// @ts-ignore: decorator
@inline function mnSaOf(home: u32): usize { return saFindFor(home, cfg.SA_USE_MOBILE_FOREIGN); }
/** The association with home agent `ha` for foreign-home authentication, or 0 (RFC 2002 §3.5.4). */
// @ts-ignore: decorator
@inline function haSaOf(ha: u32): usize { return saFindFor(ha, cfg.SA_USE_FOREIGN_HOME); }

/**
 * True for a request flags byte that asks for distributed registration (002 §3.2: R, 0x01 in the
 * "seeds" profile; SPEC-DECISIONS), on an agent configured for it (mobility.dremip.enabled).
 */
function drRequest(flags: u8): bool {
  return cfg.drEnabled && cfg.registrationProfile != cfg.PROFILE_RFC3344 && (flags & REQ_FLAG_R) != 0;
}
/**
 * The registrar's association and the extension it authenticates with: 002 §4.3, §7.2: with R the
 * binding registrar is a registration server, and the Agent-Server extension (83) takes the place of
 * the Foreign-Home one (34); without R the base protocol (002 §2.9).
 */
function registrarSaOf(ha: u32, dr: bool): usize { return dr ? saFindFor(ha, cfg.SA_USE_AGENT_SERVER) : haSaOf(ha); }
/** The mobile node's authenticator for its registrar: Mobile-Server (84) with R when present, else Mobile-Home (32). */
function registrarAuthOff(dr: bool): i32 {
  return extIndexFind2(extIndex, dr ? EXT_MS_AUTH : EXT_MH_AUTH, EXT_MH_AUTH);
}

/**
 * Deny a request (RFC 2002 §3.7.2.3): a Reply with `code`, Home Address, Home Agent and
 * Identification copied from the request, `lifetimeSec` (the request's, or our maximum for 69),
 * plus a Mobile-Foreign Authentication extension when an SA with the mobile node exists.
 */
function deny(iface: i32, mac: usize, src: u32, home: u32, ha: u32, id: u64, lifetimeSec: u16, dport: i32, code: u8): void {
  const p = denyFrame + <usize>ETH_HEADER_LEN;
  const m = p + <usize>UDP_IP_LEN;
  const n = authAppendOr(mnSaOf(home), m, regRepEmit(m, DENY_MSG_CAP, code, lifetimeSec, home, ha, id), DENY_MSG_CAP, EXT_MF_AUTH);
  count(C.FA_REQUEST_DENIED);
  evRegDenied(ROLE_FA, code, home);
  sendToMn(iface, mac, src, home, dport, p, n);
}

/** Deny pending request `s` of a record with `code` (68, 71, 80-88, 66) and end it. */
function denyPending(v: usize, idx: i32, s: usize, code: u8): void {
  const home = htKeyV4At(visitors, idx);
  const ha = load<u32>(s, PS_HA);
  const life = load<u16>(s, PS_REQ_LIFETIME);
  deny(<i32>load<u8>(s, PS_IFACE), s + PS_MAC, load<u32>(s, PS_AGENT), home, ha, load<u64>(s, PS_ID), life,
    load<u16>(s, PS_MN_PORT), code);
  visitorEvent(VisitorOp.DENIED, code, life, home, ha);
  visitorEndPending(v, idx, s);
}

/** A security exception (RFC 2002 §3.7.2.1, §3.7.3.1): counted and logged as AUTH_FAILED with `code` (0: nothing sent). */
function authFailed(type: u8, code: u8, peer: u32, m: usize, off: i32): void {
  count(C.DROP_FA_AUTH);
  authFailEvent(ROLE_FA, type, code, peer, m, off);
}

/**
 * True when message `m` carries a valid authentication extension `type` for association `sa`; a
 * missing or invalid one is a security exception from `peer` (authFailed, with the SPI it named).
 */
function authOk(sa: usize, m: usize, type: u8, code: u8, peer: u32): bool {
  const off = extIndexFind(extIndex, type);
  if (authAt(sa, m, off)) return true;
  authFailed(type, code, peer, m, off);
  return false;
}

/**
 * Relay in place: the first `cut` bytes of message `m` moved right behind new IPv4 and UDP headers at
 * `p`, then authentication extension `type` with `sa` (0: none) within `oif`'s MTU; the message length.
 */
function relayMsg(p: usize, m: usize, cut: i32, sa: usize, oif: i32, type: u8): i32 {
  const q = p + <usize>UDP_IP_LEN;
  memory.copy(q, m, <usize>cut);
  return authAppendOr(sa, q, cut, netifMtu(oif) - UDP_IP_LEN, type);
}

// ---- Registration Request (RFC 2002 §3.7.2) ----------------------------------------------------

/** True when `iface` offers foreign agent service (it advertises, RFC 2002 §2.3, §3.7). */
function servesIface(iface: i32): bool { return netifValid(iface) && (netifFlags(iface) & cfg.IF_ADVERTISE) != 0; }

/** The visitor record of `home`, or 0 (none, or no visitor list). */
function visitorOf(home: u32): usize { return visitorCapacity == 0 ? 0 : htFindV4(visitors, home); }

/** The used pending slot of `home`'s visitor record whose Identification has low bits `low`, or 0. */
function slotById(home: u32, low: u32): usize {
  const v = visitorOf(home);
  if (v != 0) {
    for (let k = 0; k < SLOTS; k++) {
      const c = slotAt(v, k);
      if (slotUsed(c) && <u32>load<u64>(c, PS_ID) == low) return c;
    }
  }
  return 0;
}

/** The pending slot a request from `mac` takes in record `v`. Decides who may displace whom (issue 7.2). */
function pickSlot(v: usize, mac: usize): i32 {
  let same = -1, free = -1;
  for (let k = 0; k < SLOTS; k++) {
    const s = slotAt(v, k);
    if (!slotUsed(s)) { if (free < 0) free = k; continue; }
    if (macEqual(s + PS_MAC, mac)) same = k;
    // (A request with a pending slot's Identification never gets here: histSeenAdd knows every
    // request of the last RECENT_MS, longer than a slot stays pending.)
  }
  // The same node's new request replaces its earlier one (RFC 2002 §3.6.3: a retransmission carries
  // a new Identification, and only the newest gets an answer that counts).
  if (same >= 0) return same;
  if (free >= 0) return free;
  // Both slots hold other nodes' requests. Why: RFC 2002 §3.7: the registration in force must be
  // able to renew itself, so a request from the accepted visitor's link-layer address is never the
  // one displaced; otherwise the older request gives way (the node retransmits, §3.6.3).
  const latest = <i32>load<u8>(v, V_LATEST);
  let victim = latest == 0 ? 1 : 0;
  if (accepted(v) && macEqual(slotAt(v, victim) + PS_MAC, v + V_ACC_MAC)) victim = 1 - victim;
  return victim;
}

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
  // Why: RFC 2002 §3.7.3.1: replies are matched by Identification only, and the home agent may still
  // accept a request after its slot was replaced or ended (a 133 first, a newer request accepted,
  // a reply delayed): a verbatim copy of a recent request — seen on the visitor link and resent from
  // another link-layer address — would be there to take that acceptance (issue 7.2). A mobile node
  // sends one Identification again only as an unchanged retransmission with nonces (§3.6.3), so: a
  // request whose Identification a slot of the record holds is the node's own retransmission from
  // that slot's link-layer address and a copy from any other (the reply would be ambiguous, however
  // old the slot); without a slot, a request seen lately (relayed or not, from any address) is a
  // copy -- or a retransmission whose slot is gone, discarded too: it fails closed and the node
  // starts a new request.
  const seen = histSeenAdd(home, <u32>id);
  const own = slotById(home, <u32>id);
  if (own != 0 ? !macEqual(own + PS_MAC, mac) : seen) { count(C.DROP_FA_PENDING_CONFLICT); return 1; }
  const dst = ipv4Dst(p);
  // Replies go out from the address the mobile node spoke to (RFC 2002 §3.7.2.3), ours on this link
  // when that was a broadcast or multicast.
  const agent = ipIsOurs(dst) ? dst : netifIp(iface);
  const mnPort = udpSrcPort(u);
  const mnSa = mnSaOf(home);
  const rfc3344 = cfg.registrationProfile == cfg.PROFILE_RFC3344;
  let code: i32 = -1;
  let replyLifetime = lifetime;
  const coloc = (flags & REQ_FLAG_D) != 0;
  // Why: RFC 3024 §3.1-3.2: in the "rfc3344" profile 0x02 is T; with D the mobile node is its own
  // tunnel entry, so T concerns the agent only for a foreign agent care-of address. In the "seeds"
  // profile 0x02 is P (route optimization privacy, SPEC-DECISIONS) and never means a reverse tunnel.
  const wantsT = rfc3344 && !coloc && (flags & REQ_FLAG_T) != 0;
  const dr = drRequest(flags);
  let mhOff = 0;
  let v: usize = 0;
  let r: i64 = NO_ROUTE;
  let cut = 0;
  let haSa: usize = 0;
  // The checks in order; the first that fails sets the denial code and leaves the block.
  do {
    if (regReqParse(m, ml, extIndex) != RegErr.OK) {
      const err = extIndexError(extIndex);
      // Why: RFC 2002 §1.9: an unknown extension 0-127 makes the whole message silently discarded.
      if (err == ExtErr.UNKNOWN_DISCARD) { count(C.DROP_FA_UNKNOWN_EXT); return 1; }
      // Why: RFC 2002 §3.7.2.1: with an SA, exactly one valid mobile-foreign authenticator is needed
      // before the agent answers at all; a message whose extensions cannot be walked has none.
      if (mnSa != 0 && !saLearnt(mnSa)) {
        if (err == ExtErr.DUPLICATE && extIndexErrorType(extIndex) == EXT_MF_AUTH) authFailed(EXT_MF_AUTH, 0, home, 0, 0);
        else count(C.DROP_FA_MALFORMED);
        return 1;
      }
      // Why: RFC 2002 §3.7.2.3: a poorly formed request is denied with 70.
      code = CODE_FA_BAD_REQUEST;
      break;
    }
    // Why: a key learnt from the home agent (docs/decisions.md "Registration keys") is not required:
    // the mobile node may never have got the reply that gave it (it then registers without), but an
    // authenticator computed with it must verify.
    // Why: RFC 2002 §3.7.2.1: with an SA between agent and mobile node, a missing or invalid
    // Mobile-Foreign Authentication extension makes the agent silently discard the request and log
    // a security exception (AUTH_FAILED, code 0: nothing was sent).
    if (mnSa != 0 && !(saLearnt(mnSa) && extIndexFind(extIndex, EXT_MF_AUTH) == 0) &&
      !authOk(mnSa, m, EXT_MF_AUTH, 0, home)) return 1;
    mhOff = registrarAuthOff(dr);
    // Why: RFC 2002 §2.3, §3.7: this agent offers its service only on links where it advertises.
    if (!servesIface(iface)) { code = CODE_FA_PROHIBITED; break; }
    // Why: RFC 2002 §3.3: Home Address and Home Agent are unicast addresses (a home agent field may be
    // a remote directed broadcast, §3.6.1.2, which looks unicast from here); and every request carries
    // the Mobile-Home Authentication extension. Anything else is poorly formed (70).
    if (!ipIsUnicastSource(home) || !ipIsUnicastSource(ha) || mhOff == 0) { code = CODE_FA_BAD_REQUEST; break; }
    // Why: RFC 2002 §3.6.1.1: a foreign agent care-of address must be ours; RFC 2002 has no code for
    // "invalid care-of address" (RFC 3344's 77), so 64. A co-located address (D) is the node's own.
    // Why: the home agent field names this node, which is not a home agent (else ha.ts took it).
    if ((!coloc && !ipIsOurs(coa)) || ipIsOurs(ha)) { code = CODE_FA_UNSPECIFIED; break; }
    // Why: RFC 2002 §3.7.2.3 / §3.4: no Van Jacobson compression here (73). In the "rfc3344" profile
    // 0x04 is the reserved r bit, ignored on reception (RFC 3344 §3.3), so it is not read as V.
    if (!rfc3344 && (flags & REQ_FLAG_V) != 0) { code = CODE_FA_VJ_UNAVAILABLE; break; }
    // Why: RFC 2002 §3.4 code 72: the agent decapsulates, so M/G must name a method it supports
    // (config.encapsulations); with D the mobile node decapsulates and the agent is not involved.
    if (!coloc &&
      (((flags & REQ_FLAG_M) != 0 && (cfg.encapsulations & cfg.ENCAP_MINIMAL) == 0) ||
       ((flags & REQ_FLAG_G) != 0 && (cfg.encapsulations & cfg.ENCAP_GRE) == 0))) { code = CODE_FA_ENCAP_UNAVAILABLE; break; }
    // Why: RFC 3024 §4.2.1, §5.1: a reverse tunnel requested from an agent that does not offer one
    // is denied with 74 ("requested reverse tunnel unavailable").
    if (wantsT && !cfg.reverseTunnel) { code = CODE_FA_REVERSE_TUNNEL_UNAVAILABLE; break; }
    // Why: RFC 2002 §3.7.2.3: too long a lifetime is denied with 69 and our maximum in the reply's
    // Lifetime (0xffff, infinity, is always too long: config caps lifetimeSec at 65534).
    if (<i32>lifetime > cfg.lifetimeSec) { code = CODE_FA_LIFETIME_TOO_LONG; replyLifetime = <u16>cfg.lifetimeSec; break; }
    // Why: 002 §7.2: "a foreign agent SHOULD verify that there is a security association between itself
    // and the binding registrar ... Otherwise, the agent SHOULD deny the Registration Request" (65).
    haSa = registrarSaOf(ha, dr);
    if (dr && haSa == 0) { code = CODE_FA_PROHIBITED; break; }
    v = visitorOf(home);
    // Why: RFC 2002 §2.1.1, §3.7.1: busy (config) or a full visitor list takes no additional mobile
    // nodes (66); a current visitor may still re-register or deregister.
    if (v == 0 && (cfg.busy() || faFull())) { code = CODE_FA_NO_RESOURCES; break; }
    // Why: no route towards the home agent: the home network is unreachable from here (80, the code
    // an ICMP net unreachable would have given).
    r = route(ha);
    if (r == NO_ROUTE) { code = CODE_FA_HOME_NET_UNREACHABLE; break; }
    cut = extEnd(m, mhOff);
    // Why: RFC 2002 §3.7.2.3 (66, insufficient resources): a relay larger than the outgoing MTU is
    // refused rather than sent in fragments — the request is rebuilt in place and a home agent need
    // not reassemble (ours does, RFC 1122 §3.3.2); docs/decisions.md.
    if (UDP_IP_LEN + cut + (haSa != 0 ? AUTH_EXT_LEN : 0) > netifMtu(routeIface(r))) { code = CODE_FA_NO_RESOURCES; break; }
  } while (false);
  if (code >= 0) {
    deny(iface, mac, agent, home, ha, id, replyLifetime, mnPort, <u8>code);
    return 0;
  }
  const oif = routeIface(r);
  const nh = routeNextHop(r);

  // Accepted for relaying: record the pending registration (RFC 2002 §3.7.1) with its deadline, in
  // its own slot: never over the accepted part nor over another node's pending request (issue 7.2).
  const fresh = v == 0;
  const k = fresh ? 0 : pickSlot(v, mac);
  if (fresh) {
    v = visitorInsert(home);
  }
  const idx = htIndexOf(visitors, v);
  const s = slotAt(v, k);
  const from = coloc ? netifIp(oif) : coa;
  const ident = ipNextIdent();
  // Why: RFC 3024 §5.2: in the "seeds" profile there is no T bit, so an agent configured to
  // reverse-tunnel does it for every visitor it serves; in "rfc3344" only for those that asked.
  const rtun = !coloc && cfg.reverseTunnel && (rfc3344 ? wantsT : true);
  store<u8>(s, PS_USED | (coloc ? PS_COLOC : 0) | (rtun ? PS_RTUN : 0), PS_STATE);
  store<u8>(s, <u8>iface, PS_IFACE);
  memory.copy(s + PS_MAC, mac, 6);
  store<u8>(s, flags, PS_REQ_FLAGS);
  store<u8>(s, <u8>oif, PS_RELAY_IFACE);
  store<u16>(s, mnPort, PS_MN_PORT);
  store<u16>(s, lifetime, PS_REQ_LIFETIME);
  store<u16>(s, ident, PS_RELAY_IDENT);
  store<u32>(s, ha, PS_HA);
  store<u32>(s, agent, PS_AGENT);
  store<u32>(s, from, PS_RELAY_SRC);
  store<u64>(s, id, PS_ID);
  store<i64>(s, nowMs() + PENDING_MS, PS_PENDING_UNTIL);
  store<u32>(s, 0, PS_PFAN_PREV);
  store<u8>(v, <u8>k, V_LATEST);
  if (!visitorRearm(v, idx)) {
    count(C.DROP_MIP_NO_TIMER);
    deny(iface, mac, agent, home, ha, id, lifetime, mnPort, CODE_FA_NO_RESOURCES);
    visitorClearSlot(v, s);
    if (!accepted(v) && !visitorAnyPending(v)) removeVisitor(v, idx);
    return 0;
  }

  // Why: 001 §8.1: a request with a Previous Foreign Agent Notification (an extension for this agent:
  // after the Mobile-Home Authentication extension, RFC 2002 §3.6.1.3) makes the agent send the
  // Binding Update to the previous foreign agent right away, once (the mobile node retransmits,
  // not we). 001 §3.2: only from a mobile node that authenticated itself to us (mobile-foreign), or
  // that asked its home agent for our key, which we share an association with (docs/decisions.md
  // "Registration keys": on a first visit nobody has a key yet; the previous agent authenticates the
  // update itself), so the pending delivery below (faTunnelExit) is open to nobody else. Built before
  // the relay moves the message over its own extensions.
  const keyed = mnSa != 0 || (extIndexFind(extIndex, EXT_REG_KEY_REQUEST) != 0 && haSaOf(ha) != 0);
  const pfanOff = cfg.roEnabled && cfg.roSmoothHandoff && keyed ? regReqPfanOffset(extIndex) : 0;
  if (pfanOff > mhOff && !coloc) {
    const prev = pfanPrevFa(m + <usize>pfanOff);
    if (prev != 0 && !ipIsOurs(prev)) {
      store<u32>(s, prev, PS_PFAN_PREV);
      hoSendPfanBu(m, m + <usize>pfanOff);
    }
  }

  // Relay in place (RFC 2002 §3.7.2.2): the message up to the end of the Mobile-Home Authentication
  // extension, unchanged, moved right behind new IPv4 and UDP headers; extensions after it are the
  // agent's and are removed; the Foreign-Home Authentication extension appended when an SA with the
  // home agent exists. The packet lies in the rx buffer, which holds frameBytes >= MTU + 14 from
  // p - 14, and relayLen + 28 <= MTU was checked, so the writes stay inside it.
  const n = relayMsg(p, m, cut, haSa, oif, dr ? EXT_AS_AUTH : EXT_FH_AUTH);
  if (dr) count(C.DR_FA_RELAYED);
  // Why: RFC 2002 §3.7.2.2 and the contract: source = our care-of address (the home agent answers
  // to it), destination = the Home Agent field, UDP 434 -> 434.
  const total = udpIpEmit(p, ident, cfg.defaultTtl, from, ha, MIP_PORT, MIP_PORT, n);
  count(C.FA_REQUEST_RELAYED);
  visitorEvent(VisitorOp.PENDING, 0, lifetime, home, ha);
  linkSendIp(oif, nh, p, total);
  return 0;
}

// ---- Registration Reply (RFC 2002 §3.7.3) ------------------------------------------------------

function reply(iface: i32, p: usize, u: usize, m: usize, ml: i32): i32 {
  count(C.FA_REPLY_RX);
  if (ml < REG_REP_LEN) { count(C.DROP_FA_MALFORMED); return 1; }
  const home = regHomeAddr(m);
  const v = visitorOf(home);
  // Why: RFC 2002 §3.7.3.1: a reply without a pending request for its home address, or whose
  // Identification differs from the request's in the low-order 32 bits, is silently discarded (the
  // high 32 bits are checked below where they must be echoed).
  const s = slotById(home, <u32>regRepIdentification(m));
  if (s == 0) { count(C.DROP_FA_REPLY_UNMATCHED); return 1; }
  const code = regRepCode(m);
  const src = ipv4Src(p);
  // Why: RFC 2002 §3.8.3: the home agent answers the relayed request from the address it was sent
  // to (its Home Agent field), UDP source port 434, to the request's source. A reply from anywhere
  // else, or arriving on another interface than the request left by, is not the home agent's
  // answer — an unauthenticated reply from the visitor's own link would otherwise move delivery to
  // the sender's link-layer address (issue 7.2) — and is silently discarded. One exception, RFC 2002
  // §3.6.1.2 / §3.8.2: a request to a directed broadcast (dynamic home agent discovery) is answered
  // from the home agent's own address with 136 and that address in the Home Agent field; a denial
  // only ends the pending request, it never changes a visitor's link-layer address.
  const fromHa = src == load<u32>(s, PS_HA) || (code == CODE_HA_UNKNOWN_HA && regHomeAgent(m) == src);
  if (!fromHa || udpSrcPort(u) != MIP_PORT || ipv4Dst(p) != load<u32>(s, PS_RELAY_SRC) ||
    iface != <i32>load<u8>(s, PS_RELAY_IFACE)) { count(C.DROP_FA_REPLY_SOURCE); return 1; }
  // Why: RFC 2002 §5.6.1: with timestamps a home agent that accepts a request echoes its whole
  // Identification (only a 133 carries the home agent's time in the high 32 bits); §5.6.2: with
  // nonces the high 32 bits are always the next nonce. So where the mobile nodes served use
  // timestamps (mobility.replay, the default) an acceptance must match in all 64 bits — a forger who
  // saw the request on the visitor link cannot also guess a valid reply's high half from it (it can
  // copy it, which is why the source checks above come first); with nonces only the low 32 bits can.
  if (cfg.replay() == 0 && regCodeAccepted(code) && load<u64>(s, PS_ID) != regRepIdentification(m)) {
    count(C.DROP_FA_REPLY_UNMATCHED);
    return 1;
  }
  const idx = htIndexOf(visitors, v);
  const ha = load<u32>(s, PS_HA);
  const granted = regLifetimeSec(m);
  if (regRepParse(m, ml, extIndex) != RegErr.OK) {
    const err = extIndexError(extIndex);
    // Why: RFC 2002 §1.9: an unknown extension 0-127 discards the message silently.
    if (err == ExtErr.UNKNOWN_DISCARD) { count(C.DROP_FA_UNKNOWN_EXT); return 1; }
    // Why: RFC 2002 §3.7.3.1: more than one Foreign-Home Authentication extension fails
    // authentication (68); any other malformed extension list is a poorly formed reply (71).
    const fail = err == ExtErr.DUPLICATE && extIndexErrorType(extIndex) == EXT_FH_AUTH ? CODE_FA_HA_AUTH_FAILED : CODE_FA_BAD_REPLY;
    if (fail == CODE_FA_HA_AUTH_FAILED) authFailed(EXT_FH_AUTH, CODE_FA_HA_AUTH_FAILED, ha, 0, 0);
    else count(C.DROP_FA_MALFORMED);
    denyPending(v, idx, s, fail);
    return 0;
  }
  const dr = drRequest(load<u8>(s, PS_REQ_FLAGS));
  const fhType = dr ? EXT_AS_AUTH : EXT_FH_AUTH;
  const haSa = registrarSaOf(ha, dr);
  // Why: RFC 2002 §3.7.3.1: with an SA with the home agent, a missing or invalid Foreign-Home
  // Authentication extension: the reply is discarded, logged, and the mobile node gets 68.
  if (haSa != 0 && !authOk(haSa, m, fhType, CODE_FA_HA_AUTH_FAILED, ha)) { denyPending(v, idx, s, CODE_FA_HA_AUTH_FAILED); return 0; }
  const mhOff = registrarAuthOff(dr);
  const fhOff = extIndexFind(extIndex, fhType);
  // Registration key (docs/decisions.md "Registration keys"): the home agent's Mobile-Foreign Key
  // is taken only between the mobile-home and the verified foreign-home authenticators of an
  // acceptance; read now, before the relay below writes over what follows the mobile-home one.
  const kOff = haSa != 0 && fhOff != 0 && regCodeAccepted(code) ? extIndexFind(extIndex, EXT_FA_KEY_REPLY) : 0;
  const keyOk = kOff > mhOff && kOff < fhOff;
  const keyReplyId = regRepIdentification(m);
  if (keyOk) memory.copy(keyExt, m + <usize>kOff, 22);
  // Everything up to the end of the Mobile-Home Authentication extension is the home agent's
  // message to the mobile node; what follows is for the agent (RFC 2002 §3.7.3.2).
  const cut = mhOff != 0 ? extEnd(m, mhOff) : fhOff != 0 ? fhOff : ml;
  const fi = <i32>load<u8>(s, PS_IFACE);
  const mnSa = mnSaOf(home);
  const relayLen = cut + (mnSa != 0 ? AUTH_EXT_LEN : 0);
  // Why: replies go to the visitor's link-layer address without ARP (RFC 2002 §4.2.2), which the
  // fragment sender (ip.ts ipSendFragments, next hops by ARP) does not do: too large is refused (66).
  if (UDP_IP_LEN + relayLen > netifMtu(fi)) { denyPending(v, idx, s, CODE_FA_NO_RESOURCES); return 0; }

  // Relay in place to the visitor's link-layer address (RFC 2002 §3.7.3.2): IP source = the address
  // the visitor sent its request to, destination = the home address, UDP 434 -> its source port.
  const n = relayMsg(p, m, cut, mnSa, fi, EXT_MF_AUTH);
  count(C.FA_REPLY_RELAYED);
  sendToMn(fi, s + PS_MAC, load<u32>(s, PS_AGENT), home, load<u16>(s, PS_MN_PORT), p, n);

  if (!regCodeAccepted(code)) {
    // Why: RFC 2002 §3.7.3.2: a denied registration ends the pending entry; a registration already
    // in force stays until its own lifetime ends.
    visitorEvent(VisitorOp.DENIED, code, granted, home, ha);
    visitorEndPending(v, idx, s);
    return 0;
  }
  const req = load<u16>(s, PS_REQ_LIFETIME);
  if (req == 0 || granted == 0) {
    // Why: RFC 2002 §3.7.3.2: an accepted deregistration removes the visitor. The request's
    // Lifetime 0 decides, whatever Lifetime the reply carries: the home agent may not grant more
    // than was requested (§3.8.3.1), so a non-zero one is a faulty reply that must not leave a
    // visitor accepted for 0 s (issue 7.10). Another node's pending request stays.
    visitorEvent(VisitorOp.REMOVED, code, 0, home, ha);
    store<u8>(v, 0, V_FLAGS);
    routeChanged();
    visitorEndPending(v, idx, s);
    return 0;
  }
  // Why: RFC 2002 §3.7.3.2, §3.8.3.1: accepted: the visitor entry holds the granted lifetime, never
  // more than the mobile node requested (the reply may not grant more; min(requested, reply)).
  const life = granted < req ? granted : req;
  const st = load<u8>(s, PS_STATE);
  store<u8>(v, VF_ACCEPTED | ((st & PS_COLOC) != 0 ? VF_ACC_COLOC : 0) | ((st & PS_RTUN) != 0 ? VF_ACC_RTUN : 0), V_FLAGS);
  // Why: flows to visitors (stack/flow.ts) hold the accepted interface, MAC and lifetime.
  routeChanged();
  // Interface, MAC, home agent, relay source and Identification (visitors.ts: the same offsets).
  memory.copy(v + V_ACC_IFACE, s + PS_IFACE, V_ACC_ID + 8 - V_ACC_IFACE);
  store<u16>(v, load<u16>(s, PS_MN_PORT), V_ACC_PORT);
  store<u8>(v, load<u8>(s, PS_REQ_FLAGS), V_ACC_REQ_FLAGS);
  store<u16>(v, life, V_GRANTED);
  // (life <= the request's, which is at most config lifetimeSec <= 65534: never the infinite 0xffff.)
  store<i64>(v, drExpiry(nowMs(), life), V_EXPIRES);
  visitorEvent(VisitorOp.ACCEPTED, code, life, home, ha);
  visitorClearSlot(v, s);
  visitorSettle(v, idx);
  // The mobile-foreign association with this visitor, from its home agent (authenticates the update
  // that tells us, later, that it moved on: 001 §3.2, §8.1).
  // (mnSa: the association looked up above; nothing since changed the table.)
  if (keyOk && (mnSa == 0 || saLearnt(mnSa)) && regkeyFaInstall(keyExt, haSa, keyReplyId, home)) count(C.FA_REGKEY_INSTALLED);
  return 0;
}

const keyExt: usize = memory.data(22, 4);

/**
 * A UDP datagram to one of our addresses (or broadcast/multicast) arrived on `iface`. Takes
 * Registration Requests and Replies on port 434; -1 for anything else.
 */
export function faUdp(iface: i32, p: usize, len: i32): i32 {
  // (A mip.ts handler: UDP to port 434, its length and checksum checked by transport/udp.ts; RFC 2002
  // §3.7.2.1, §3.7.3.1: a bad checksum is silently discarded.)
  const m = drMsg(p);
  const u = m - <usize>UDP_HEADER_LEN;
  const ml = drMsgLen(m);
  if (ml < 1) { count(C.DROP_FA_MALFORMED); return 1; }
  const t = load<u8>(m);
  if (t == REG_TYPE_REQUEST) return request(iface, p, u, m, ml);
  if (t == REG_TYPE_REPLY) return reply(iface, p, u, m, ml);
  return -1; // other messages on 434 (route optimization, ...) belong to other modules
}

// ---- ICMP errors about relayed requests (RFC 2002 §3.4 codes 80-88) ----------------------------

/**
 * The pending slot of record `v` whose relayed datagram the error quotes (source, destination, IP
 * Identification, the interface it left by; Identification when quoted), or 0.
 */
function quotedSlot(v: usize, iface: i32, from: u32, ha: u32, ident: i32, id: u64, haveId: bool): usize {
  for (let k = 0; k < SLOTS; k++) {
    const s = slotAt(v, k);
    if (!slotUsed(s) || load<u32>(s, PS_RELAY_SRC) != from || load<u32>(s, PS_HA) != ha) continue;
    if (<i32>load<u16>(s, PS_RELAY_IDENT) != ident || <i32>load<u8>(s, PS_RELAY_IFACE) != iface) continue;
    if (haveId && load<u64>(s, PS_ID) != id) continue;
    return s;
  }
  return 0;
}

/**
 * An ICMP error to us (IPv4 datagram at `p`, ICMP checksum checked). When it quotes a request this
 * agent relayed (UDP 434 -> 434 from one of our addresses to a pending request's home agent, with
 * that relayed datagram's IP Identification, received on the interface it left by), that pending
 * request is denied with 80 (net), 81 (host), 82 (port) or 88 (other). -1 when it is not about a
 * relay still pending.
 */
export function faIcmpError(iface: i32, p: usize, len: i32): i32 {
  if (visitorCapacity == 0) return -1;
  const m = drPayload(p);
  const ml = len - <i32>(m - p);
  if (ml < ICMP_HEADER_LEN) return -1;
  const type = icmpType(m);
  if (type != ICMP_DEST_UNREACH && type != ICMP_TIME_EXCEEDED && type != ICMP_PARAM_PROBLEM) return -1;
  if (icmpCheckError(m, ml) != IcmpErr.OK) return -1;
  const q = icmpErrorInner(m);
  if (ipv4Proto(q) != IPPROTO_UDP) return -1;
  const qu = drPayload(q);
  const qhl = <i32>(qu - q);
  // Source and destination port 434 both, as one word (0x01b2 twice, network order).
  if (load<u32>(qu) != 0xb201b201) return -1;
  const from = ipv4Src(q);
  const ha = ipv4Dst(q);
  const ident = ipv4Ident(q);
  if (!ipIsOurs(from)) return -1;
  // The quote may go on into the request itself (RFC 1812 §4.3.2.3 quotes as much as fits): its
  // Home Address names the visitor and its Identification the request.
  const avail = ml - ICMP_HEADER_LEN - qhl - UDP_HEADER_LEN;
  const qm = qu + <usize>UDP_HEADER_LEN;
  const haveHome = avail >= 8 && load<u8>(qm) == REG_TYPE_REQUEST;
  const haveId = haveHome && avail >= REG_REQ_LEN;
  const id = haveId ? regReqIdentification(qm) : 0;
  // Why: issue 7.7: an error that quotes nothing this agent relayed must not end anything; the
  // relayed datagram is recognised by its addresses, ports and IP Identification (RFC 792: the
  // quote holds the whole IP header and the UDP header), and only that request is ended.
  // With the Home Address quoted only its record is searched (one pass), else every record.
  let v: usize = 0;
  let s: usize = 0;
  let idx = haveHome ? htIndexOf(visitors, htFindV4(visitors, regHomeAddr(qm))) : htNext(visitors, 0);
  for (; idx >= 0; idx = haveHome ? -1 : htNext(visitors, idx + 1)) {
    v = htValueAt(visitors, idx);
    s = quotedSlot(v, iface, from, ha, ident, id, haveId);
    if (s != 0) break;
  }
  if (s == 0) return -1;
  const c = icmpCode(m);
  // Why: RFC 2002 §3.4: 80 home network unreachable, 81 home agent host unreachable, 82 home agent
  // port unreachable, 88 any other ICMP error (RFC 1812 §5.2.7.1 for the net/host code families).
  // (Two bits per Destination Unreachable code below 16: 1 net (codes 0, 6, 9, 11), 2 host (1, 7, 10,
  // 12), 3 port (3), 0 other; 80 + k - 1.)
  const k = type == ICMP_DEST_UNREACH && c < 16 ? (0x26490c9 >> (c << 1)) & 3 : 0;
  denyPending(v, idx, s, k != 0 ? <u8>(CODE_FA_HOME_NET_UNREACHABLE - 1 + k) : CODE_FA_HA_UNREACHABLE);
  count(C.FA_ICMP_ERROR);
  return 0;
}

// ---- timers ------------------------------------------------------------------------------------

/** A visitor timer fired: end pending requests past their deadline and/or an expired registration. */
export function faTimer(kind: u16, tag: u32, now: i64): void {
  if (kind == TK_FA_HOLD) { hoTimer(kind, now); return; }
  if (kind != TK_FA_VISITOR || visitorCapacity == 0) return;
  const idx = <i32>tag;
  const v = htValueAt(visitors, idx);
  if (v == 0) return;
  store<i32>(v, -1, V_TIMER); // popped
  const home = htKeyV4At(visitors, idx);
  const acc = accepted(v);
  for (let k = 0; k < SLOTS; k++) {
    const s = slotAt(v, k);
    if (!slotUsed(s) || load<i64>(s, PS_PENDING_UNTIL) > now) continue;
    // Why: RFC 2002 §3.7.1 keeps pending entries only while a reply can still come (7 s, RFC 3344
    // §3.7.1); no reply is sent (RFC 2002 has no timeout code), the mobile node retransmits.
    count(C.FA_PENDING_TIMEOUT);
    if (!acc) visitorEvent(VisitorOp.REMOVED, 0, load<u16>(s, PS_REQ_LIFETIME), home, load<u32>(s, PS_HA));
    visitorClearSlot(v, s);
  }
  if (acc && load<i64>(v, V_EXPIRES) <= now) {
    // Why: RFC 2002 §3.7.1: the visitor entry lives for the granted lifetime; the agent sends
    // nothing when it ends (§3.7: never a reply or deregistration of its own).
    store<u8>(v, 0, V_FLAGS);
    routeChanged();
    count(C.FA_VISITOR_EXPIRED);
    visitorEvent(VisitorOp.EXPIRED, 0, load<u16>(v, V_GRANTED), home, load<u32>(v, V_ACC_HA));
  }
  visitorSettle(v, idx);
}

/** Link state change: nothing is dropped — visitors on a link that went down stay until expiry. */
export function faLink(iface: i32, up: bool): void {
  // Why: RFC 2002 §3.7: the agent never ends a registration itself; a wireless visitor usually
  // reassociates within its lifetime, and delivery meanwhile fails like any transmission on a down
  // link. Expiry cleans up the others.
}

// ---- delivery to visitors (RFC 2002 §4.2.2) ----------------------------------------------------

/** servedVisitor's answer for a visitor whose lifetime ended before its timer was served. */
const EXPIRED: usize = 1;

/** The accepted, agent-served visitor record for destination `dst`; 0 if none; EXPIRED (counted). */
function servedVisitor(dst: u32): usize {
  if (visitorCapacity == 0) return 0;
  const v = htFindV4(visitors, dst);
  if (v == 0) return 0;
  if ((load<u8>(v, V_FLAGS) & (VF_ACCEPTED | VF_ACC_COLOC)) != VF_ACCEPTED) return 0;
  // Why: RFC 2002 §3.7.1: a visitor entry lives for its lifetime and no longer; the timer that
  // removes it may be served later (the next tick), and delivery must not outlive it (issue 7.10).
  if (load<i64>(v, V_EXPIRES) <= nowMs()) { count(C.DROP_FA_VISITOR_EXPIRED); return EXPIRED; }
  return v;
}

/** Send the checked datagram at `p` (TTL > 1) to visitor `v`'s MAC on its link, TTL - 1. */
function deliver(v: usize, p: usize, len: i32): i32 {
  // Why: issue 10.10: the visitor's station left its access point (faStation): its datagrams are
  // held — until the Binding Update of its new foreign agent re-tunnels them, it comes back, or the
  // hold time passes (then delivered as before: lost on the air). One flag test on the fast path.
  if ((load<u8>(v, V_FLAGS) & VF_HELD) != 0) {
    if (<i32>(<u32>nowMs() - load<u32>(v, V_HOLD_SINCE)) < cfg.roHoldMs()) return hoPut(ipv4Dst(p), p, len, nowMs());
    store<u8>(v, load<u8>(v, V_FLAGS) & ~VF_HELD, V_FLAGS);
    routeChanged();
  }
  const oif = <i32>load<u8>(v, V_ACC_IFACE);
  // Why: datagrams to a visitor go by its link-layer address without ARP (RFC 2002 §4.2.2), which the
  // fragment sender (ip.ts ipSendFragments) does not do: too big for the visitor's link is dropped
  // (counted). The home agent fragments at the tunnel entry (RFC 2003 §5.1), to the tunnel's MTU.
  if (len > netifMtu(oif)) { count(C.DROP_MTU); return 1; }
  ipv4DecrementTtl(p);
  // Why: RFC 2002 §4.2.2: the agent uses the link-layer address from the visitor list and never
  // ARPs (or broadcasts ARP) for a visitor's home address.
  countHot(C.FA_DELIVERED);
  linkSendIpTo(oif, v + V_ACC_MAC, p, len);
  return 0;
}

/**
 * A datagram from a visitor to be reverse-tunnelled (RFC 3024 §5.2): accepted with a reverse tunnel,
 * from the home address, on the visitor's interface and from its link-layer address, within its
 * lifetime. It goes IP in IP from the care-of address to the home agent; -1 when it is not one.
 */
function reverseTunnel(iface: i32, p: usize, len: i32): i32 {
  const v = htFindV4(visitors, ipv4Src(p));
  if (v == 0) return -1;
  if ((load<u8>(v, V_FLAGS) & (VF_ACCEPTED | VF_ACC_COLOC | VF_ACC_RTUN)) != (VF_ACCEPTED | VF_ACC_RTUN)) return -1;
  // Why: RFC 3024 §5.2: the agent tunnels only what its registered visitor sent — the home address
  // alone is no proof, so the frame must come from the visitor's link-layer address on its link
  // (p - 8 is the Ethernet source of the received frame); anything else is routed as before.
  if (iface != <i32>load<u8>(v, V_ACC_IFACE) || !macEqualHot(p - 8, v + V_ACC_MAC)) return -1;
  if (load<i64>(v, V_EXPIRES) <= nowMs()) return -1;
  const coa = load<u32>(v, V_ACC_RELAY_SRC);
  const ha = load<u32>(v, V_ACC_HA);
  // Why: RFC 3024 §5.2 (and RFC 2002 §4.1: every agent decapsulates IP in IP): IP in IP from the
  // care-of address (the topologically correct source) to the home agent; the inner TTL is
  // decremented as by any forwarding tunnel entry (RFC 2003 §3.1).
  const r = tunnelCheck(p, len, cfg.ENCAP_IPIP, coa, ha);
  if (r == NO_ROUTE) return 1;
  count(C.FA_REVERSE_TUNNELLED);
  return tunnelSend(p, len, cfg.ENCAP_IPIP, coa, ha, routeIface(r), routeNextHop(r));
}

/**
 * The foreign agent's route source (stack/route.ts routeDecide), for forwarded datagrams: one whose
 * source (with reverse tunnelling offered) or destination is in the visitor list goes to the
 * visitors' virtual interface (faVif), which decides on the record's state.
 */
export function faRoute(inIface: i32, src: u32, dst: u32): i64 {
  if (inIface < 0 || visitorCapacity == 0 || htUsed(visitors) == 0) return NO_ROUTE;
  // Why (speed): one flag test when no reverse tunnel is offered.
  if ((cfg.reverseTunnel && htFindV4(visitors, src) != 0) || htFindV4(visitors, dst) != 0) return routeVirtual(VIF_FA_VISITOR, 0);
  return NO_ROUTE;
}

/**
 * The visitors' virtual interface (a datagram about to be forwarded, TTL checked > 1, received on
 * `inIface`, Ethernet header in front): one from a reverse-tunnelled visitor goes into the tunnel to
 * its home agent; one to an accepted visitor's home address (e.g. from another host on the visitor's
 * link) goes straight to the visitor. -1 otherwise (the table's route).
 */
export function faVif(r: i64, inIface: i32, p: usize, len: i32): i32 {
  if (cfg.reverseTunnel) { const t = reverseTunnel(inIface, p, len); if (t >= 0) return t; }
  const v = servedVisitor(ipv4Dst(p));
  if (v == 0) return -1;
  if (v == EXPIRED) return 1;
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
  if (v == EXPIRED) return 1;
  len = <i32>ipv4TotalLen(p);
  // Why: RFC 2003 §3.1 / RFC 1812 §5.3.1: the tunnel counted as one hop at its entry; leaving the
  // tunnel the agent forwards the inner datagram onto the visitor's link like any router, so a
  // datagram that would leave with TTL 0 is discarded (silently, as RFC 2002 §4.2.2 has it).
  if (ipv4Ttl(p) <= 1) { count(C.DROP_IP_TTL); return 1; }
  // Why (speed, issue 8.8): the outer header of a received IP-in-IP datagram is 20 bytes before the
  // inner one; its addresses are the flow's key, read before the Ethernet header is written over them.
  const o = p - 20;
  const learn = flowLearning(o);
  const os = learn ? load<u32>(o, 12) : 0;
  const od = learn ? load<u32>(o, 16) : 0;
  const r = deliver(v, p, len);
  // The next datagrams of this tunnel to this visitor go by stack/flow.ts while nothing changes.
  if (r == 0 && learn && (load<u8>(v, V_FLAGS) & VF_HELD) == 0) {
    const oif = <i32>load<u8>(v, V_ACC_IFACE);
    flowLearnDecap(os, od, load<u32>(p, 16), oif, v + V_ACC_MAC, netifMtu(oif), load<i64>(v, V_EXPIRES));
  }
  return r;
}

// ---- smooth handoff (001 §3.2, §8.1; issue 10.5, 10.10) -----------------------------------------

/**
 * Tunnel exit (roles.ts): a decapsulated datagram goes to its visitor (faDeliverToVisitor); else,
 * for a visitor still pending whose request's PFAN named the tunnel's outer source as its previous
 * foreign agent, to the link-layer address of that request: the Binding Acknowledge the previous
 * agent tunnels (001 §8.1 "deliver the acknowledgment to the mobile node anyway, even though the
 * mobile node is technically unregistered") and the datagrams in flight it forwards. Why the
 * datagrams too (docs/decisions.md): the home agent's reply may be a long round trip away, and
 * what the previous agent forwards meanwhile would be lost; only that one agent's tunnel, named by
 * an authenticated request (mobile-foreign), is let through, so it opens no way in for others.
 */
export function faTunnelExit(outerSrc: u32, p: usize, len: i32): i32 {
  const r = faDeliverToVisitor(p, len);
  if (r >= 0 || visitorCapacity == 0 || outerSrc == 0) return r;
  const v = htFindV4(visitors, ipv4Dst(p));
  if (v == 0) return -1;
  for (let k = 0; k < SLOTS; k++) {
    const s = slotAt(v, k);
    if (!slotUsed(s) || (load<u8>(s, PS_STATE) & PS_COLOC) != 0) continue;
    const prev = load<u32>(s, PS_PFAN_PREV);
    if (prev == 0 || !samePeer(prev, outerSrc)) continue;
    len = <i32>ipv4TotalLen(p);
    const oif = <i32>load<u8>(s, PS_IFACE);
    if (ipv4Ttl(p) <= 1) { count(C.DROP_IP_TTL); return 1; }
    if (len > netifMtu(oif)) { count(C.DROP_MTU); return 1; }
    ipv4DecrementTtl(p);
    count(C.FA_PFAN_DELIVERED);
    linkSendIpTo(oif, s + PS_MAC, p, len);
    return 0;
  }
  return -1;
}

/**
 * True when a tunnel from `outerSrc` comes from the previous foreign agent `prev`: that address, or
 * one reached by the same interface and next hop. Why: the PFAN names the address the mobile node
 * knew (the agent's advertisement, on its visitor link), while the previous agent tunnels from the
 * address of its interface towards us (ro.ts roVif); one node, two addresses (docs/decisions.md).
 */
function samePeer(prev: u32, outerSrc: u32): bool {
  if (prev == outerSrc) return true;
  const a = route(prev);
  const b = route(outerSrc);
  return a != NO_ROUTE && b != NO_ROUTE && routeIface(a) == routeIface(b) && routeNextHop(a) == routeNextHop(b);
}

function deliverHeld(p: usize, len: i32): i32 {
  const v = servedVisitor(ipv4Dst(p));
  if (v == 0 || v == EXPIRED) { count(C.DROP_HO_TIMEOUT); return 1; }
  return deliver(v, p, len);
}

/**
 * A station left (`up` false) or joined (`up` true) the access point of our interface `iface`
 * (index.ts `station`, from the host's access point: hostapd's AP-STA-DISCONNECTED / -CONNECTED).
 * Left: an accepted visitor with that link-layer address there has its datagrams held (issue
 * 10.10) — only when the pool exists. Joined: holding ends and what was held is delivered, in order.
 */
export function faStation(iface: i32, mac: usize, up: bool): void {
  if (visitorCapacity == 0 || htUsed(visitors) == 0) return;
  for (let i = htNext(visitors, 0); i >= 0; i = htNext(visitors, i + 1)) {
    const v = htValueAt(visitors, i);
    const f = load<u8>(v, V_FLAGS);
    if ((f & (VF_ACCEPTED | VF_ACC_COLOC)) != VF_ACCEPTED || <i32>load<u8>(v, V_ACC_IFACE) != iface || !macEqual(v + V_ACC_MAC, mac)) continue;
    if (!up) {
      if (hoCapacity() == 0 || cfg.roHoldMs() <= 0) continue;
      store<u8>(v, f | VF_HELD, V_FLAGS);
      store<u32>(v, <u32>nowMs(), V_HOLD_SINCE);
      routeChanged(); // flows to the visitor (stack/flow.ts) must take the full path now
    } else if ((f & VF_HELD) != 0) {
      store<u8>(v, f & ~VF_HELD, V_FLAGS);
      routeChanged();
      hoRelease(htKeyV4At(visitors, i), deliverHeld);
    }
  }
}

/**
 * roOnMoved hook (ro.ts): an authenticated Binding Update on the mobile node's behalf says visitor
 * `home` moved to `coa` (0: deleted). 001 §8.1: "the visitor list entry for this mobile node at the
 * previous foreign agent will be deleted"; its home agent is returned for the new cache entry. What
 * was held for it goes to the new care-of address once ro.ts made the entry (hoKick: the pool's
 * timer, at the next tick), or is dropped when there is none.
 */
export function faMoved(home: u32, coa: u32): u32 {
  if (visitorCapacity == 0) return 0;
  const v = htFindV4(visitors, home);
  if (v == 0) return 0;
  const idx = htIndexOf(visitors, v);
  let ha: u32 = 0;
  if (accepted(v)) {
    ha = load<u32>(v, V_ACC_HA);
    visitorEvent(VisitorOp.REMOVED, 0, 0, home, ha);
    store<u8>(v, 0, V_FLAGS);
    routeChanged();
    visitorSettle(v, idx);
  } else {
    for (let k = 0; k < SLOTS; k++) { const s = slotAt(v, k); if (slotUsed(s)) ha = load<u32>(s, PS_HA); }
  }
  if (coa != 0) hoKick(); else hoDrop(home);
  return ha;
}
