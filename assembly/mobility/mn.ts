// Mobile node (RFC 2002 §2.4 agent discovery, §3.6 registration, §4.2.1-4.2.2 routing, §4.6 ARP).
//
//   advertisements (mnIcmp) ──> agent table (AGENTS slots: address, MAC, care-of address, flags,
//        sequence number, advertisement deadline, prefix length); only those heard on the link:
//        not out of a tunnel, TTL 1, source on the announced prefix, unicast only as the answer to
//        our solicitation
//        └─> current agent `cur`; movement (RFC 2002 §2.4.2): current agent's advertisement lifetime
//            expired (another valid agent, else solicit), a newly heard agent on another prefix
//            (Prefix-Lengths ext in both), a link change from the host; agent reboot (§2.4.4: sequence
//            number fell below 256) -> re-register; home (§2.4.3): our home agent, or an agent address
//            on the home prefix -> deregister + gratuitous ARP.
//   attach (away): via the foreign agent (its care-of address), unless R is clear and colocated=2, or
//        no usable foreign agent and colocated>=1 on an IF_DHCP interface -> DHCP (app/dhcp.ts) ->
//        co-located care-of address (netif alias), D bit, request sent directly to the home agent.
//   registration (§3.6): one request outstanding; retransmission from retransmitMs doubling to
//        retransmitMaxMs (§3.6.3; nonces: unchanged, timestamps: new Identification); reply checks
//        (§3.6.2.1, with the association the request was signed with); code 0/1 -> registered,
//        re-registration at sentAt + granted - margin; 133 -> resynchronised (replay.ts) and sent
//        again (once the second is over); 136 -> home agent address from the reply;
//        foreign agent denial -> another agent on the link, else back off; other denials -> back off.
//   output (mnOutput, §4.2.2): away via a foreign agent every datagram goes to the agent's MAC (it is
//        the default router) without ARP; co-located: next hop = the DHCP router (or the destination
//        on the care-of subnet), or with reverseTunnel encapsulated to the home agent (RFC 3024);
//        at home plain routing.
//
// Rate limits: at most one solicitation per second whatever asks for it (link-ups too; §2.4.1), and
// at most one registration request per second whatever triggers it (§3.6.3); see docs/decisions.md.
//
// Timers on the stack heap (kinds TK_MN_*): solicitation, registration retransmission/back-off,
// re-registration, one per agent slot for its advertisement lifetime, the "no foreign agent" wait
// before a co-located address is used, and the gratuitous ARP repeats.
//
// Re-registration margin (documented decision): re-register at sentAt + granted - margin with
// margin = max(granted/8, min(granted/2, 3 × retransmitMs)): 7/8 of a long lifetime, but room for
// three retransmissions when the lifetime is short. Lifetime 0xffff is infinite: no renewal.

import * as cfg from "../config";
import { C, count } from "../counters";
import { Ev, MoveReason, evBuf, evEmit, evAuthFailed, ROLE_MN } from "../events";
import { nowMs } from "../clock";
import {
  netifCount, netifValid, netifUp, netifIp, netifMtu, netifFlags, netifSetAway, netifAliasOnLink,
  netifIsBroadcast, prefixMask,
} from "../link/netif";
import { stackTimers, stackTimerArm, stackTimerDisarm, OWNER_MN } from "../sys/timers";
const TK_MN_FIRST: u16 = (OWNER_MN << 8);
import { linkSendIp, linkSendIpTo, arpGratuitous, GARP_COUNT, GARP_INTERVAL_MS } from "../stack/arp";
import { ipNextIdent, ipInput } from "../stack/ip";
import { timerActive } from "../table/timer";
import { saFindFor, SA_REPLAY } from "../security/sa";
import { authAppend, authVerify, AuthResult } from "../security/auth";
import { mnIdentification, mnReplyCheck, random32 } from "../security/replay";
import { dhcpStart, dhcpStop } from "../app/dhcp";
import {
  ipv4HeaderLen, ipv4Src, ipv4Dst, ipv4Emit, ipv4Proto, ipv4Ttl, ipIsMulticast, ipIsUnicastSource, IP_BROADCAST,
  IPPROTO_ICMP, IPPROTO_IPIP, IPPROTO_MINENC, IPPROTO_GRE, IPV4_MIN_HEADER,
} from "../wire/ipv4";
import { macIsZero } from "../wire/ethernet";
import { udpCheck, udpIpEmit, udpDstPort, udpSrcPort, udpLength, UdpErr, UDP_HEADER_LEN } from "../wire/udp";
import {
  IcmpErr, icmpType, raCheck, raFindExt, raUnknownExt, raLifetimeSec, raNumAddrs, raRouterAddr, maSeq,
  maRegLifetimeSec, maFlags, maNumCareOf, maCareOf, prefixLengthAt, rsEmit, ICMP_ROUTER_ADVERT,
  EXT_MOBILITY_AGENT, EXT_PREFIX_LENGTHS, MA_FLAG_R, MA_FLAG_B, MA_FLAG_H, MA_FLAG_F, MA_FLAG_M, MA_FLAG_G,
  MA_FLAG_V, ICMP_HEADER_LEN,
} from "../wire/icmp";
import {
  MIP_PORT, REG_REQ_LEN, regReqEmit, regRepParse, RegErr, regRepCode, regRepIdentification, regHomeAddr,
  regHomeAgent, regLifetimeSec, regCodeAccepted, regCodeDeniedByFa, REQ_FLAG_S, REQ_FLAG_B, REQ_FLAG_D,
  REQ_FLAG_M, REQ_FLAG_G, REQ_FLAG_V, REQ_FLAG_T, CODE_HA_ID_MISMATCH, CODE_HA_UNKNOWN_HA, CODE_FA_LIFETIME_TOO_LONG,
  LIFETIME_INFINITE,
} from "../wire/registration";
import { EXT_MH_AUTH, EXT_INDEX_SIZE, extIndexFind, authSpi } from "../wire/mipext";
import { ALL_SYSTEMS } from "./agent";
import { tunnelSend } from "./tunnel";

/** Agent solicitation timer (tag 0). */
export const TK_MN_SOLICIT: u16 = TK_MN_FIRST;
/** Registration retransmission, or the retry after a denial (tag 0). */
export const TK_MN_REG: u16 = TK_MN_FIRST + 1;
/** Re-registration before the granted lifetime runs out (tag 0). */
export const TK_MN_RENEW: u16 = TK_MN_FIRST + 2;
/** An agent's advertisement lifetime (tag = agent slot). */
export const TK_MN_AGENT: u16 = TK_MN_FIRST + 3;
/** No foreign agent heard after the initial solicitations: co-located fallback (tag 0). */
export const TK_MN_FAWAIT: u16 = TK_MN_FIRST + 4;
/** Gratuitous ARP repeats after returning home (tag = repeats left). */
export const TK_MN_GARP: u16 = TK_MN_FIRST + 5;

// ---- agent table ------------------------------------------------------------------------------
// Slot (stride 48): addr u32 @0 (IP source of the advertisement) | coa u32 @4 (first care-of address,
// 0 if none) | expiresAtMs i64 @8 | mac[6] @16 | iface u8 @22 | used u8 @23 | flags u16 @24 |
// seq u16 @26 | regLifetimeSec u16 @28 | prefixLen u8 @30 (0xff unknown) | fresh u8 @31 (heard first
// after the current agent was chosen) | router u32 @32 (first router address) | timer i32 @36.
const AGENTS: i32 = 8;
const A_STRIDE: usize = 48;
const A_ADDR: usize = 0;
const A_COA: usize = 4;
const A_EXPIRES: usize = 8;
const A_MAC: usize = 16;
const A_IFACE: usize = 22;
const A_USED: usize = 23;
const A_FLAGS: usize = 24;
const A_SEQ: usize = 26;
const A_REGLIFE: usize = 28;
const A_PLEN: usize = 30;
const A_FRESH: usize = 31;
const A_ROUTER: usize = 32;
const A_TIMER: usize = 36;
const PLEN_UNKNOWN: u8 = 0xff;
const agents: usize = memory.data(<i32>A_STRIDE * AGENTS, 8);

// @ts-ignore: decorator
@inline function slot(i: i32): usize { return agents + <usize>i * A_STRIDE; }

// Home state (HOME event on every change between HOME and AWAY).
const ST_UNKNOWN: u8 = 0;
const ST_HOME: u8 = 1;
const ST_AWAY: u8 = 2;
// How the mobile node is attached while away.
const MODE_NONE: u8 = 0;
const MODE_FA: u8 = 1;
const MODE_COLOC: u8 = 2;
// Registration state.
const REG_IDLE: u8 = 0;
const REG_PENDING: u8 = 1;    // request sent, awaiting its reply (retransmission timer armed)
const REG_BACKOFF: u8 = 2;    // denied; TK_MN_REG retries later
const REG_REGISTERED: u8 = 3; // accepted; TK_MN_RENEW re-registers
// Kind of the outstanding request.
const KIND_FA: u8 = 1;
const KIND_COLOC: u8 = 2;
const KIND_DEREG: u8 = 3;

/** Initial solicitations at the configured interval before the back-off (RFC 2002 §2.4.1). */
const INITIAL_SOLICITS: i32 = 3;
/** Largest solicitation interval: at least one minute (RFC 2002 §2.4.1). */
const SOLICIT_MAX_MS: i32 = 60000;
/** Least spacing of two solicitations, whatever asks for them (RFC 2002 §2.4.1: one per second). */
const SOLICIT_MIN_GAP_MS: i64 = 1000;
/**
 * Least spacing of two Registration Requests, whatever triggers them: retransmissions, movement
 * (rogue agents on new prefixes every 50 ms are movement too), an agent's reboot, a denial followed
 * by another agent, the retry after a 133/136/69 reply, a paused request sent again after a link
 * flap — RFC 2002 §3.6.3: not less than 1 second. One gate in transmit() holds them all back.
 */
const REG_MIN_GAP_MS: i64 = 1000;
/**
 * How long after our solicitation a unicast advertisement is taken as its answer: RFC 1256's
 * MAX_RESPONSE_DELAY (2 s) plus a second of margin.
 */
const SOLICIT_ANSWER_MS: i64 = 3000;
/** Deregistration attempts before giving up (the binding then lapses at the home agent). */
const DEREG_TRIES: i32 = 4;

let cur: i32 = -1;
let homeState: u8 = ST_UNKNOWN;
let mode: u8 = MODE_NONE;
let pendingReason: u8 = 0;  // MoveReason to report when the next agent is adopted (0 none)
let ha: u32 = 0;            // home agent in use (configured, discovered, or 0)
let mnIface: i32 = -1;      // the interface holding the home address

let regState: u8 = REG_IDLE;
let regKind: u8 = 0;
let regId: u64 = 0;
let lastId: u64 = 0;
let regSentAt: i64 = 0;
let regLifetime: u16 = 0;
let regFlags: u8 = 0;
let regCoa: u32 = 0;
let regSrc: u32 = 0;
let regDst: u32 = 0;
let regHaField: u32 = 0;
let regSaPeer: u32 = 0;
let regIface: i32 = -1;
let regAgentAddr: u32 = 0;
const regMac: usize = memory.data(8, 8);
let regRto: i32 = 0;
let regTries: i32 = 0;
let regUntil: i64 = 0;       // accepted binding's end
let lifetimeCap: u16 = 0;    // from a code-69 reply: the foreign agent's largest lifetime (0 none)
let denials: i32 = 0;
let fastRetry = false;       // the outstanding request is the immediate retry after 133/136
let bindingAway = false;     // a registration away from home was sent: deregister on return

let colocIface: i32 = -1;    // DHCP-bound co-located care-of address
let colocAddr: u32 = 0;
let colocRouter: u32 = 0;

let solicitCount: i32 = 0;
let solicitSent = false;     // a solicitation was sent (lastSolicitAt valid)
let lastSolicitAt: i64 = 0;
let reqSent = false;         // a registration request was sent (lastReq* valid)
let lastReqAt: i64 = 0;
let regSent = false;         // the outstanding registration went out at least once (replies may answer it)
let regDeferred = false;     // the outstanding request waits for REG_MIN_GAP_MS (TK_MN_REG sends it)
let regDeferredRetrans = false;
let inTunnel = false;        // ipInput is processing a datagram mnDeliverDecapsulated took from a tunnel
let hSolicit: i32 = -1;
let hReg: i32 = -1;
let hRenew: i32 = -1;
let hFaWait: i32 = -1;
let hGarp: i32 = -1;

// Scratch for messages this module originates: IP header at +64 (room for the Ethernet header).
const TX_CAP: i32 = 320;
const txBuf: usize = memory.data(TX_CAP, 16);
const TX_IP: usize = 64;
/**
 * Tunnel header room in front of a datagram mnOutput gets: the hooks guarantee 64 bytes minus the
 * Ethernet header in front of it (stack/ip.ts), the Ethernet header needs 14 of them.
 */
const OUTPUT_TUNNEL_ROOM: i32 = 64 - 14 - 14;
const extIdx: usize = memory.data(EXT_INDEX_SIZE, 4);

// ---- small helpers ----------------------------------------------------------------------------

/** Home network's directed broadcast (the Home Agent field for dynamic discovery, RFC 2002 §3.6.1.2). */
function homeBroadcast(): u32 {
  const m = prefixMask(cfg.homePrefixLen);
  return (cfg.homeAddress & m) | ~m;
}

function onHomePrefix(a: u32): bool {
  const m = prefixMask(cfg.homePrefixLen);
  return (a & m) == (cfg.homeAddress & m);
}

function useNonces(sa: usize): bool { return cfg.replay == cfg.SA_REPLAY_NONCES || load<u8>(sa, SA_REPLAY) == cfg.SA_REPLAY_NONCES; }

/** Peer whose security association authenticates messages with home agent field `haField`. */
function saPeerFor(haField: u32): u32 {
  if (haField != 0 && mhSa(haField) != 0) return haField;
  // Dynamic discovery: the association configured for the home network's directed broadcast stands
  // for every home agent there (documented decision).
  const b = homeBroadcast();
  if (mhSa(b) != 0) return b;
  return haField;
}

/**
 * The mobile-home association with `peer`, or 0.
 * Why: RFC 2002 §3.5.2: the Mobile-Home Authentication extension is computed with the association
 * between the mobile node and its home agent; a key configured for another use never serves.
 */
function mhSa(peer: u32): usize { return saFindFor(peer, cfg.SA_USE_MOBILE_HOME); }

function emitHome(atHome: bool, agent: u32): void {
  const b = evBuf();
  store<u32>(b, atHome ? 1 : 0);
  store<u32>(b, agent, 4);
  evEmit(Ev.HOME, 8);
}

function emitMove(iface: i32, reason: u8, seq: u16, agent: u32, coa: u32): void {
  const b = evBuf();
  store<u8>(b, <u8>iface);
  store<u8>(b, reason, 1);
  store<u16>(b, seq, 2);
  store<u32>(b, agent, 4);
  store<u32>(b, coa, 8);
  evEmit(Ev.MOVE, 12);
}


function setHomeState(s: u8, agent: u32): void {
  if (s == homeState) return;
  homeState = s;
  emitHome(s == ST_HOME, agent);
  // RFC 2002 §4.6: away from home the home address is not announced by ARP (netif.ts, arp.ts).
  for (let i = 0; i < netifCount(); i++) if (netifValid(i)) netifSetAway(i, s == ST_AWAY && i == mnIface);
}

// ---- agent table ------------------------------------------------------------------------------

function agentFind(iface: i32, addr: u32): i32 {
  for (let i = 0; i < AGENTS; i++) {
    const a = slot(i);
    if (load<u8>(a, A_USED) != 0 && load<u32>(a, A_ADDR) == addr && <i32>load<u8>(a, A_IFACE) == iface) return i;
  }
  return -1;
}

function agentFree(i: i32): void {
  const a = slot(i);
  stackTimerDisarm(load<i32>(a, A_TIMER));
  store<i32>(a, -1, A_TIMER);
  store<u8>(a, 0, A_USED);
  if (i == cur) cur = -1;
}

/** A slot for a new agent: a free one, else the one (not current) whose advertisement ends first. */
function agentAlloc(): i32 {
  let best = -1;
  for (let i = 0; i < AGENTS; i++) {
    const a = slot(i);
    if (load<u8>(a, A_USED) == 0) return i;
    if (i == cur) continue;
    if (best < 0 || load<i64>(a, A_EXPIRES) < load<i64>(slot(best), A_EXPIRES)) best = i;
  }
  if (best >= 0) agentFree(best);
  return best;
}

function agentValid(i: i32): bool {
  if (i < 0) return false;
  const a = slot(i);
  return load<u8>(a, A_USED) != 0 && load<i64>(a, A_EXPIRES) > nowMs();
}

/** True when agent `i` offers a foreign agent care-of address we may register (F, a CoA, not busy). */
function agentUsableFa(i: i32): bool {
  const a = slot(i);
  const f = load<u16>(a, A_FLAGS);
  // Why: RFC 2002 §2.1.1: B means the foreign agent accepts no further registrations.
  return (f & MA_FLAG_F) != 0 && (f & MA_FLAG_B) == 0 && load<u32>(a, A_COA) != 0;
}

/** True when the advertisement of agent `i` says we are on the home network (RFC 2002 §2.4.3). */
function agentIsHome(i: i32): bool {
  const a = slot(i);
  const addr = load<u32>(a, A_ADDR);
  if ((load<u16>(a, A_FLAGS) & MA_FLAG_H) != 0 && ha != 0 && addr == ha) return true;
  return onHomePrefix(addr) || onHomePrefix(load<u32>(a, A_ROUTER));
}

/**
 * The source of the advertisement `m` (`ml` bytes) lies on the link it describes: on the prefix of
 * one of its router addresses when it carries the Prefix-Lengths extension; without it (the
 * extension is optional, RFC 2002 §2.1.2) nothing tells the link's prefix and any source is taken.
 * Why: RFC 1256 §3.2 / RFC 2002 §2.1.2: the source is an address of the sending interface and
 * the router addresses with their prefix lengths are the link's networks; an advertisement whose
 * source is on none of the networks it announces did not come from an agent on that link.
 */
function advertSourceOnLink(m: usize, ml: i32, src: u32): bool {
  const po = raFindExt(m, ml, EXT_PREFIX_LENGTHS);
  const n = raNumAddrs(m);
  if (po < 0 || n == 0) return true;
  for (let k = 0; k < n; k++) {
    const mask = prefixMask(<i32>prefixLengthAt(m, po, k));
    if ((raRouterAddr(m, k) & mask) == (src & mask)) return true;
  }
  return false;
}

/** Network of agent `i` per its Prefix-Lengths extension differs from ours (RFC 2002 §2.4.2, algorithm 2). */
function prefixDiffers(i: i32): bool {
  const n = slot(i);
  const nl = load<u8>(n, A_PLEN);
  if (nl == PLEN_UNKNOWN) return false;
  const nm = prefixMask(<i32>nl);
  const nr = load<u32>(n, A_ROUTER);
  if (mode == MODE_COLOC && homeState == ST_AWAY && colocAddr != 0) return (colocAddr & nm) != (nr & nm);
  if (cur < 0) return false;
  const c = slot(cur);
  const cl = load<u8>(c, A_PLEN);
  // Why: RFC 2002 §2.4.2: only when both advertisements carry the Prefix-Lengths extension.
  if (cl == PLEN_UNKNOWN) return false;
  return cl != nl || (load<u32>(c, A_ROUTER) & nm) != (nr & nm);
}

/** Another valid foreign agent on the same interface as `not`, or -1. */
function alternativeFa(not: i32): i32 {
  const iface = not >= 0 ? <i32>load<u8>(slot(not), A_IFACE) : -1;
  for (let i = 0; i < AGENTS; i++) {
    if (i == not || !agentValid(i) || !agentUsableFa(i)) continue;
    if (iface >= 0 && <i32>load<u8>(slot(i), A_IFACE) != iface) continue;
    if (agentIsHome(i)) continue;
    return i;
  }
  return -1;
}

/** Any other agent whose advertisement is still valid (RFC 2002 §2.4.2 algorithm 1), preferring foreign agents. */
function alternativeAgent(not: i32): i32 {
  const fa = alternativeFa(not);
  if (fa >= 0) return fa;
  for (let i = 0; i < AGENTS; i++) if (i != not && agentValid(i)) return i;
  return -1;
}

// ---- soliciting (RFC 2002 §2.4.1) ------------------------------------------------------------

function sendSolicitation(iface: i32): void {
  const ip = txBuf + TX_IP;
  const icmp = ip + <usize>IPV4_MIN_HEADER;
  rsEmit(icmp);
  // Source: the co-located care-of address when one is in use away from home, else the interface
  // (home) address; agents answer to it at the soliciter's MAC (contract). TTL 1 (RFC 2002 §2.2).
  const src = iface == colocIface && colocAddr != 0 && homeState == ST_AWAY ? colocAddr : netifIp(iface);
  ipv4Emit(ip, 0, <u16>(IPV4_MIN_HEADER + ICMP_HEADER_LEN), ipNextIdent(), 0, 1, IPPROTO_ICMP, src, IP_BROADCAST);
  count(C.MN_SOLICIT_TX);
  linkSendIp(iface, IP_BROADCAST, ip, IPV4_MIN_HEADER + ICMP_HEADER_LEN);
}

function solicitInterval(n: i32): i64 {
  // Why: RFC 2002 §2.4.1: three initial solicitations at most one per solicitIntervalMs, then binary
  // exponential back-off up to at least a minute, randomised (here 0..+10%, never earlier).
  let ms = <i64>cfg.solicitIntervalMs;
  const cap = <i64>max(SOLICIT_MAX_MS, cfg.solicitIntervalMs);
  for (let k = INITIAL_SOLICITS; k <= n && ms < cap; k++) ms <<= 1;
  if (ms > cap) ms = cap;
  return ms + <i64>(random32() % <u32>(ms / 10 + 1));
}

function solicitNow(): void {
  const now = nowMs();
  if (solicitSent && now - lastSolicitAt < SOLICIT_MIN_GAP_MS) {
    // Why: RFC 2002 §2.4.1: the rate of solicitations MUST be limited by the mobile node, at most
    // one per second even when link-up events (a flapping link) ask for more: the held-back one goes
    // out when the second is over.
    count(C.MN_SOLICIT_DEFERRED);
    hSolicit = stackTimerArm(hSolicit, TK_MN_SOLICIT, 0, lastSolicitAt + SOLICIT_MIN_GAP_MS);
    return;
  }
  let sent = 0;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) { sendSolicitation(i); sent++; }
  if (sent == 0) {
    // Every link is down (mid-handoff): nothing left, so nothing counts against the rate limit —
    // the link-up that ends the handoff must be able to solicit at once.
    hSolicit = stackTimerDisarm(hSolicit);
    return;
  }
  solicitSent = true;
  lastSolicitAt = now;
  solicitCount++;
  hSolicit = stackTimerArm(hSolicit, TK_MN_SOLICIT, 0, now + solicitInterval(solicitCount));
}

/** Begin (again) searching: solicit at once, then per RFC 2002 §2.4.1. */
function startSoliciting(): void {
  solicitCount = 0;
  solicitNow();
}

function stopSoliciting(): void { hSolicit = stackTimerDisarm(hSolicit); }

/** Arm the wait after which, with no foreign agent heard, a co-located care-of address is used. */
function armFaWait(): void {
  if (cfg.colocated == 0) return;
  hFaWait = stackTimerArm(hFaWait, TK_MN_FAWAIT, 0, nowMs() + <i64>cfg.solicitIntervalMs * INITIAL_SOLICITS);
}

/** First up interface that may use DHCP (the home interface first), or -1. */
function dhcpIface(): i32 {
  if (mnIface >= 0 && netifUp(mnIface) && (netifFlags(mnIface) & cfg.IF_DHCP) != 0) return mnIface;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i) && (netifFlags(i) & cfg.IF_DHCP) != 0) return i;
  return -1;
}

// ---- registration (RFC 2002 §3.6) ---------------------------------------------------------------

/**
 * Request flags for the outstanding kind: configured S B M G V, D when co-located; T (0x02) for a
 * reverse tunnel in the "rfc3344" profile; 0x02 as the seeds' P and 0x01 (the seeds' R, reserved
 * in rfc3344) never.
 */
function requestFlags(kind: u8, agentFlags: u16): u8 {
  if (kind == KIND_DEREG) return 0;
  let f = <u8>(cfg.requestFlags & (REQ_FLAG_S | REQ_FLAG_B | REQ_FLAG_M | REQ_FLAG_G | REQ_FLAG_V));
  // Why: RFC 3024 §3.2: T asks the foreign agent (and tells the home agent) for a reverse tunnel.
  // In the "seeds" profile 0x02 is P (SPEC-DECISIONS: private address, 001 §4.6), a different
  // request: no bit says T there (docs/decisions.md).
  if (cfg.reverseTunnel && cfg.registrationProfile == cfg.PROFILE_RFC3344) f |= REQ_FLAG_T;
  if (kind == KIND_COLOC) {
    // Why: RFC 2002 §3.3: D when the mobile node decapsulates itself; VJ compression is a foreign
    // agent service.
    return (f & ~REQ_FLAG_V) | REQ_FLAG_D;
  }
  // Why: RFC 2002 §3.6.1.1 / §3.7.2: a foreign agent refuses (code 72/73) encapsulations and
  // compression it does not advertise; IP-in-IP is always supported, so fall back to it.
  if ((agentFlags & MA_FLAG_M) == 0) f &= ~REQ_FLAG_M;
  if ((agentFlags & MA_FLAG_G) == 0) f &= ~REQ_FLAG_G;
  if ((agentFlags & MA_FLAG_V) == 0) f &= ~REQ_FLAG_V;
  return f;
}

/** Build and send the outstanding request; a new Identification unless nonces and a retransmission. */
function transmit(retransmission: bool): bool {
  const peer = saPeerFor(regHaField);
  const sa = mhSa(peer);
  // Why: RFC 2002 §3.5.2: every request carries the mobile-home authentication; without an
  // association there is nothing we may send.
  if (sa == 0) { count(C.MN_NO_SA); return false; }
  regSaPeer = peer;
  if (reqSent && nowMs() - lastReqAt < REG_MIN_GAP_MS) {
    // Why: RFC 2002 §3.6.3: the minimum time between Registration Requests MUST NOT be less than
    // 1 second — any two, not only retransmissions: advertisements (new prefixes, sequence
    // "reboots"), denials and 133 replies would otherwise drive a request storm. The newest
    // registration waits until the second is over; a reply to the request sent before it is not
    // an answer to it (regSent).
    count(C.MN_REG_DEFERRED);
    regDeferred = true;
    regDeferredRetrans = retransmission;
    hReg = stackTimerArm(hReg, TK_MN_REG, 0, lastReqAt + REG_MIN_GAP_MS);
    return true;
  }
  regDeferred = false;
  const nonces = useNonces(sa);
  let id = regId;
  if (!(nonces && retransmission)) {
    // Why: RFC 2002 §3.6.3: with timestamps every retransmission is a new registration with a new
    // Identification; kept increasing so a home agent never sees one older than the last.
    id = mnIdentification(sa, nonces, lastId);
  }
  const ip = txBuf + TX_IP;
  const udp = ip + <usize>IPV4_MIN_HEADER;
  const msg = udp + <usize>UDP_HEADER_LEN;
  const cap = TX_CAP - <i32>TX_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;
  regReqEmit(msg, cap, regFlags, regLifetime, cfg.homeAddress, regHaField, regCoa, id);
  const n = authAppend(sa, msg, REG_REQ_LEN, cap, EXT_MH_AUTH);
  if (n < 0) { count(C.MN_NO_SA); return false; }
  // Why: RFC 3024 (reply code 76, "mobile node too distant"): a foreign agent takes a request asking
  // for a reverse tunnel only with IP TTL 255, proof that it was sent on its link.
  const ttl = regKind == KIND_FA && (regFlags & REQ_FLAG_T) != 0 ? 255 : <u8>cfg.defaultTtl; // T only in rfc3344 (requestFlags)
  const total = udpIpEmit(ip, ipNextIdent(), <u8>ttl, regSrc, regDst, MIP_PORT, MIP_PORT, n);
  regId = id;
  lastId = id;
  regSentAt = nowMs();
  reqSent = true;
  regSent = true;
  lastReqAt = regSentAt;
  if (regKind == KIND_FA || (regKind == KIND_DEREG && !macIsZero(regMac))) {
    // Why: RFC 2002 §3.6.1.1, §4.6 (contract): to the agent's MAC from its advertisement, no ARP.
    linkSendIpTo(regIface, regMac, ip, total);
  } else if (regKind == KIND_COLOC) {
    linkSendIp(regIface, colocNextHop(regDst), ip, total);
  } else {
    linkSendIp(regIface, regDst, ip, total);
  }
  count(C.MN_REG_REQUEST_TX);
  const b = evBuf();
  store<u32>(b, cfg.homeAddress);
  store<u32>(b, regHaField, 4);
  store<u32>(b, regCoa, 8);
  store<u16>(b, regLifetime, 12);
  store<u8>(b, regFlags, 14);
  store<u8>(b, regKind == KIND_FA ? 1 : 0, 15);
  evEmit(Ev.REG_REQUEST, 16);
  hReg = stackTimerArm(hReg, TK_MN_REG, 0, regSentAt + <i64>regRto);
  return true;
}

/** Start a registration of `kind` (agent `a` for KIND_FA) and send its first request. */
function beginRegistration(kind: u8, a: i32, retry: bool): void {
  fastRetry = retry;
  regKind = kind;
  regHaField = ha != 0 ? ha : homeBroadcast();
  memory.fill(regMac, 0, 6);
  if (kind == KIND_FA) {
    const s = slot(a);
    regIface = <i32>load<u8>(s, A_IFACE);
    regAgentAddr = load<u32>(s, A_ADDR);
    memory.copy(regMac, s + A_MAC, 6);
    regCoa = load<u32>(s, A_COA);
    regSrc = cfg.homeAddress;
    regDst = regAgentAddr;
    regFlags = requestFlags(kind, load<u16>(s, A_FLAGS));
    let life = <u16>cfg.lifetimeSec;
    const adv = load<u16>(s, A_REGLIFE);
    // Why: RFC 2002 §3.6.1.1: no longer than the foreign agent's advertised registration lifetime.
    if (adv != 0 && adv < life) life = adv;
    if (lifetimeCap != 0 && lifetimeCap < life) life = lifetimeCap;
    regLifetime = life;
  } else if (kind == KIND_COLOC) {
    regIface = colocIface;
    regAgentAddr = 0;
    regCoa = colocAddr;
    regSrc = colocAddr;
    regDst = regHaField;
    regFlags = requestFlags(kind, 0);
    regLifetime = <u16>cfg.lifetimeSec;
  } else {
    // Why: RFC 2002 §3.6.1.1: at home, deregister directly with the home agent: lifetime 0,
    // care-of address = home address.
    regIface = mnIface >= 0 ? mnIface : 0;
    regAgentAddr = 0;
    regCoa = cfg.homeAddress;
    regSrc = cfg.homeAddress;
    regDst = regHaField;
    regFlags = 0;
    regLifetime = 0;
    if (ha != 0) {
      const h = agentFind(regIface, ha);
      if (h >= 0) memory.copy(regMac, slot(h) + A_MAC, 6);
    }
  }
  regRto = cfg.retransmitMs;
  regTries = 0;
  regDeferred = false;
  regSent = false;
  regState = REG_PENDING;
  hRenew = stackTimerDisarm(hRenew);
  if (kind != KIND_DEREG) bindingAway = true;
  if (!transmit(false)) { regState = REG_IDLE; hReg = stackTimerDisarm(hReg); }
}

function colocNextHop(dst: u32): u32 {
  if (colocIface >= 0 && netifAliasOnLink(colocIface, dst)) return dst;
  return colocRouter != 0 ? colocRouter : dst;
}

/** The foreign agent of an outstanding request is gone: stop retransmitting to it (resumed by adopt). */
function pauseFaRegistration(): void {
  if (regKind == KIND_FA && (regState == REG_PENDING || regState == REG_BACKOFF)) { regState = REG_PENDING; hReg = stackTimerDisarm(hReg); }
}

/** Retry later after a denial (doubling from retransmitMs to retransmitMaxMs). */
function backOff(): void {
  regState = REG_BACKOFF;
  let d = <i64>cfg.retransmitMs << <i64>min(denials, 16);
  if (d > <i64>cfg.retransmitMaxMs) d = <i64>cfg.retransmitMaxMs;
  denials++;
  hReg = stackTimerArm(hReg, TK_MN_REG, 0, nowMs() + d);
}

/** Register (away) according to the current agent and the co-located policy. */
function attach(retry: bool): void {
  if (homeState != ST_AWAY) return;
  if (cur < 0) {
    if (mode == MODE_COLOC && colocAddr != 0) beginRegistration(KIND_COLOC, -1, retry);
    return;
  }
  const s = slot(cur);
  const iface = <i32>load<u8>(s, A_IFACE);
  const flags = load<u16>(s, A_FLAGS);
  const faOk = agentUsableFa(cur);
  const dhcpOk = cfg.colocated >= 1 && (netifFlags(iface) & cfg.IF_DHCP) != 0;
  // Why: RFC 2002 §3.1: with R set the mobile node registers through the foreign agent even if it
  // could use a co-located address; otherwise colocated=2 prefers a co-located address and
  // colocated=1 uses one only when no foreign agent serves the link.
  if (dhcpOk && (flags & MA_FLAG_R) == 0 && (cfg.colocated == 2 || !faOk)) {
    useColocated(iface, retry);
  } else if (faOk) {
    // A co-located address (kept from colocated=2's early DHCP, or in use) is not needed here.
    if (colocIface >= 0) dropColocated();
    mode = MODE_FA;
    beginRegistration(KIND_FA, cur, retry);
  } else {
    // Busy or R-only agent: wait for its next advertisement or another agent.
    if (mode == MODE_COLOC) dropColocated();
    mode = MODE_NONE;
  }
}

function useColocated(iface: i32, retry: bool): void {
  mode = MODE_COLOC;
  if (colocIface == iface && colocAddr != 0) beginRegistration(KIND_COLOC, -1, retry);
  else dhcpStart(iface);
}

function dropColocated(): void {
  if (colocIface >= 0) dhcpStop(colocIface);
  colocIface = -1;
  colocAddr = 0;
  colocRouter = 0;
}

/** Make agent `i` the current one: home, or movement to it (MOVE with `reason`, 0 = none). */
function adopt(i: i32, reason: u8): void {
  const s = slot(i);
  const iface = <i32>load<u8>(s, A_IFACE);
  const addr = load<u32>(s, A_ADDR);
  const prev = cur;
  cur = i;
  for (let k = 0; k < AGENTS; k++) store<u8>(slot(k), 0, A_FRESH);
  stopSoliciting();
  hFaWait = stackTimerDisarm(hFaWait);
  if (agentIsHome(i)) { goHome(i, prev); return; }
  const wasHome = homeState != ST_AWAY;
  setHomeState(ST_AWAY, addr);
  // The same foreign agent as the registration in force (e.g. re-association to the same access
  // point): no movement; a valid registration stays, a paused one is sent again.
  if (!wasHome && regKind == KIND_FA && regAgentAddr == addr && regIface == iface && regCoa == load<u32>(s, A_COA) &&
      agentUsableFa(i) && (regState == REG_PENDING || (regState == REG_REGISTERED && regUntil > nowMs()))) {
    pendingReason = 0;
    mode = MODE_FA;
    if (regState == REG_PENDING && !timerActive(stackTimers, hReg)) beginRegistration(KIND_FA, i, false);
    return;
  }
  const r = reason != 0 ? reason : pendingReason != 0 ? pendingReason : <u8>MoveReason.NEW_AGENT;
  pendingReason = 0;
  emitMove(iface, r, load<u16>(s, A_SEQ), addr, load<u32>(s, A_COA));
  lifetimeCap = 0;
  denials = 0;
  attach(false);
}

/** The current agent `i` says we are home (RFC 2002 §2.4.3, §4.6). */
function goHome(i: i32, prev: i32): void {
  const s = slot(i);
  const addr = load<u32>(s, A_ADDR);
  const wasAway = homeState == ST_AWAY;
  // Dynamic discovery at home: the advertising home agent is ours.
  if (ha == 0 && (load<u16>(s, A_FLAGS) & MA_FLAG_H) != 0) ha = addr;
  setHomeState(ST_HOME, addr);
  pendingReason = 0;
  mode = MODE_NONE;
  dropColocated();
  hRenew = stackTimerDisarm(hRenew);
  if (wasAway) {
    emitMove(<i32>load<u8>(s, A_IFACE), <u8>MoveReason.HOME, load<u16>(s, A_SEQ), addr, cfg.homeAddress);
    // Why: RFC 2002 §4.6: on return, announce the home address at our own MAC so that caches which
    // the home agent's gratuitous/proxy ARP pointed at it are corrected (sent GARP_COUNT times).
    if (mnIface >= 0) {
      arpGratuitous(mnIface, cfg.homeAddress);
      hGarp = stackTimerArm(hGarp, TK_MN_GARP, <u32>(GARP_COUNT - 1), nowMs() + GARP_INTERVAL_MS);
    }
  }
  if (bindingAway) {
    denials = 0;
    beginRegistration(KIND_DEREG, -1, false);
  } else if (regState != REG_IDLE) {
    regState = REG_IDLE;
    hReg = stackTimerDisarm(hReg);
  }
}

// ---- entry points ---------------------------------------------------------------------------------

/** Reset all mobile node state (tables are static). */
export function mnInit(): bool {
  for (let i = 0; i < AGENTS; i++) { store<u8>(slot(i), 0, A_USED); store<i32>(slot(i), -1, A_TIMER); }
  cur = -1; homeState = ST_UNKNOWN; mode = MODE_NONE; pendingReason = 0; ha = 0; mnIface = -1;
  regState = REG_IDLE; regKind = 0; regId = 0; lastId = 0; regSentAt = 0; regLifetime = 0; regFlags = 0;
  regCoa = 0; regSrc = 0; regDst = 0; regHaField = 0; regSaPeer = 0; regIface = -1; regAgentAddr = 0;
  memory.fill(regMac, 0, 8);
  regRto = 0; regTries = 0; regUntil = 0; lifetimeCap = 0; denials = 0; fastRetry = false; bindingAway = false;
  colocIface = -1; colocAddr = 0; colocRouter = 0;
  solicitCount = 0; solicitSent = false; lastSolicitAt = 0; reqSent = false; lastReqAt = 0; regSent = false;
  regDeferred = false; regDeferredRetrans = false; inTunnel = false;
  hSolicit = -1; hReg = -1; hRenew = -1; hFaWait = -1; hGarp = -1;
  return true;
}

/** Start agent discovery: solicit at once (RFC 2002 §2.4.1); DHCP in parallel when colocated=2. */
export function mnStart(): void {
  ha = cfg.homeAgent;
  mnIface = -1;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifIp(i) == cfg.homeAddress) { mnIface = i; break; }
  startSoliciting();
  armFaWait();
  if (cfg.colocated == 2) {
    const d = dhcpIface();
    if (d >= 0) { colocIface = d; dhcpStart(d); }
  }
}

/** Agent Advertisement (ICMP 9 with the mobility extension) received on `iface`; -1 for anything else. */
export function mnIcmp(iface: i32, p: usize, len: i32): i32 {
  // Only advertisements received on an interface (not looped from the local stack) describe a link.
  if (iface < 0) return -1;
  const hl = ipv4HeaderLen(p);
  const m = p + <usize>hl;
  const ml = len - hl;
  if (ml < ICMP_HEADER_LEN || icmpType(m) != ICMP_ROUTER_ADVERT) return -1;
  if (raCheck(m, ml) != IcmpErr.OK) { count(C.MN_ADVERT_MALFORMED); return 1; }
  const mo = raFindExt(m, ml, EXT_MOBILITY_AGENT);
  // A plain router advertisement is not agent discovery: the local stack may want it.
  if (mo < 0) return -1;
  // Why: RFC 2002 §1.9: an unknown extension 0-127 makes the whole advertisement discarded.
  const unk = raUnknownExt(m, ml);
  if (unk >= 0 && unk < 128) { count(C.MN_ADVERT_MALFORMED); return 1; }
  // Why: RFC 2002 §2.1 / §2.4: agent discovery describes the link the node is attached to. An
  // advertisement taken out of a tunnel was sent to our home address from anywhere (the home agent
  // tunnels whatever is addressed to it): one such datagram would send an away node "home".
  if (inTunnel) { count(C.DROP_MN_ADVERT_TUNNELLED); return 1; }
  // Why: RFC 2002 §2.1: the TTL of every Agent Advertisement MUST be 1; anything else was not sent
  // by an agent on this link as an advertisement (e.g. a datagram a foreign agent delivered).
  if (ipv4Ttl(p) != 1) { count(C.DROP_MN_ADVERT_TTL); return 1; }
  const src = ipv4Src(p);
  // Why: RFC 1256 §5.4 / RFC 2002 §2.3.1: the advertisement comes from the agent's own address.
  if (!ipIsUnicastSource(src)) { count(C.MN_ADVERT_MALFORMED); return 1; }
  if (!advertSourceOnLink(m, ml, src)) { count(C.DROP_MN_ADVERT_OFF_LINK); return 1; }
  const now = nowMs();
  const dst = ipv4Dst(p);
  // Why: RFC 2002 §2.1: advertisements go to 224.0.0.1 or 255.255.255.255; only the answer to a
  // solicitation may go to the soliciter's address (RFC 1256 §3.2; agent.ts does so). A unicast one
  // long after our last solicitation answers nothing: it is what a router (or a foreign agent)
  // forwards to our address from off the link, e.g. a forged "home" advertisement.
  if (dst != ALL_SYSTEMS && dst != IP_BROADCAST && !(solicitSent && now - lastSolicitAt <= SOLICIT_ANSWER_MS)) {
    count(C.DROP_MN_ADVERT_UNSOLICITED);
    return 1;
  }
  count(C.MN_ADVERT_RX);
  const seq = maSeq(m, mo);
  const flags = maFlags(m, mo);
  let coa: u32 = 0;
  if ((flags & MA_FLAG_F) != 0 && maNumCareOf(m, mo) > 0) coa = maCareOf(m, mo, 0);
  let router = src;
  if (raNumAddrs(m) > 0) router = raRouterAddr(m, 0);
  let plen = PLEN_UNKNOWN;
  const po = raFindExt(m, ml, EXT_PREFIX_LENGTHS);
  if (po >= 0 && raNumAddrs(m) > 0) plen = prefixLengthAt(m, po, 0);

  let i = agentFind(iface, src);
  let rebooted = false;
  if (i >= 0) {
    // Why: RFC 2002 §2.4.4: a sequence number lower than the previous one and below 256 means the
    // agent rebooted (sequence numbers wrap to 256, never below): its registrations are lost.
    const old = load<u16>(slot(i), A_SEQ);
    rebooted = seq < old && seq < 256;
  } else {
    i = agentAlloc();
    if (i < 0) return 0;
    store<u8>(slot(i), 1, A_FRESH);
    store<i32>(slot(i), -1, A_TIMER);
  }
  const a = slot(i);
  store<u32>(a, src, A_ADDR);
  store<u32>(a, coa, A_COA);
  memory.copy(a + A_MAC, p - 8, 6); // Ethernet source (contract: header at p-14)
  store<u8>(a, <u8>iface, A_IFACE);
  store<u8>(a, 1, A_USED);
  store<u16>(a, flags, A_FLAGS);
  store<u16>(a, seq, A_SEQ);
  store<u16>(a, maRegLifetimeSec(m, mo), A_REGLIFE);
  store<u8>(a, plen, A_PLEN);
  store<u32>(a, router, A_ROUTER);
  // Why: RFC 2002 §2.4.2 algorithm 1: the advertisement is valid for the ICMP Lifetime.
  const exp = now + <i64>raLifetimeSec(m) * 1000;
  store<i64>(a, exp, A_EXPIRES);
  store<i32>(a, stackTimerArm(load<i32>(a, A_TIMER), TK_MN_AGENT, <u32>i, exp), A_TIMER);

  if (cur < 0) {
    adopt(i, 0);
  } else if (i == cur) {
    if (rebooted && homeState == ST_AWAY && mode == MODE_FA) {
      emitMove(iface, <u8>MoveReason.AGENT_REBOOT, seq, src, coa);
      beginRegistration(KIND_FA, cur, false);
    } else if (homeState == ST_AWAY && mode == MODE_NONE) {
      attach(false); // e.g. the agent is no longer busy
    }
  } else if (homeState != ST_HOME && agentIsHome(i)) {
    // Why: RFC 2002 §2.4.3: an advertisement from our home agent (or on the home prefix) means home.
    adopt(i, 0);
  } else if (load<u8>(a, A_FRESH) != 0 && prefixDiffers(i)) {
    // Why: RFC 2002 §2.4.2 algorithm 2: a newly heard agent on another network prefix means we
    // moved (switching at once rather than at the registration's end: handoff latency).
    adopt(i, <u8>MoveReason.PREFIX_CHANGE);
  } else if (homeState == ST_AWAY && mode == MODE_NONE && agentUsableFa(i)) {
    adopt(i, <u8>MoveReason.NEW_AGENT);
  }
  return 0;
}

/** Registration Reply for this mobile node (UDP to port 434); -1 when not ours. */
export function mnUdp(iface: i32, p: usize, len: i32): i32 {
  const hl = ipv4HeaderLen(p);
  const u = p + <usize>hl;
  const ul = len - hl;
  if (ul < UDP_HEADER_LEN || udpDstPort(u) != MIP_PORT) return -1;
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  // Why: RFC 2002 §3.6.2: replies come from port 434 to the home address (via a foreign agent or at
  // home) or to the co-located care-of address; anything else on 434 is not for a mobile node.
  if (udpSrcPort(u) != MIP_PORT || (dst != cfg.homeAddress && (colocAddr == 0 || dst != colocAddr))) {
    count(C.MN_REPLY_IGNORED);
    return 1;
  }
  const msg = u + <usize>UDP_HEADER_LEN;
  const ml = <i32>udpLength(u) - UDP_HEADER_LEN;
  if (regRepParse(msg, ml, extIdx) != RegErr.OK) { count(C.MN_REPLY_MALFORMED); return 1; }
  // Why: RFC 2002 §3.6.2.1: only a reply to our outstanding request, for our home address.
  if (regState != REG_PENDING || !regSent || regHomeAddr(msg) != cfg.homeAddress) { count(C.MN_REPLY_IGNORED); return 1; }
  const code = regRepCode(msg);
  const rid = regRepIdentification(msg);
  const rha = regHomeAgent(msg);
  const mh = extIndexFind(extIdx, EXT_MH_AUTH);
  if (mh == 0) {
    // Why: RFC 2002 §3.6.2.1: a reply without mobile-home authentication is discarded, except a
    // denial by the foreign agent we sent to (it holds no key of ours); acting on one only makes us
    // back off or try another agent.
    if (!(regCodeDeniedByFa(code) && regKind == KIND_FA && src == regAgentAddr)) {
      count(C.MN_REPLY_AUTH_FAILED);
      evAuthFailed(ROLE_MN, EXT_MH_AUTH, 0, src, 0);
      return 1;
    }
    if ((rid & 0xffffffff) != (regId & 0xffffffff)) { count(C.MN_REPLY_IGNORED); return 1; }
  } else {
    // Why: RFC 2002 §3.6.2.1: the reply is authenticated by the home agent our request went to, so
    // it is verified with that association (the one the request was signed with) — never with one
    // chosen by the reply's own Home Agent field, which anybody can write.
    const peer = regSaPeer;
    const sa = mhSa(peer);
    const r = authVerify(sa, msg, mh);
    if (sa == 0 || r != AuthResult.OK) {
      // Why: RFC 2002 §3.6.2.1: an invalid authenticator: silently discard, log as a security exception.
      count(C.MN_REPLY_AUTH_FAILED);
      evAuthFailed(ROLE_MN, EXT_MH_AUTH, 0, peer, authSpi(msg + <usize>mh));
      return 1;
    }
    // Why: RFC 2002 §3.6.2.1 / §5.6: the low 32 bits must match the request; a 133 carries the home
    // agent's time (or next nonce) to resynchronise with.
    if (!mnReplyCheck(sa, regId, rid, code, useNonces(sa))) { count(C.MN_REPLY_IGNORED); return 1; }
  }
  count(C.MN_REG_REPLY_RX);
  const life = regLifetimeSec(msg);
  const b = evBuf();
  store<u32>(b, cfg.homeAddress);
  store<u32>(b, rha, 4);
  store<u32>(b, regCoa, 8);
  store<u16>(b, life, 12);
  store<u8>(b, code, 14);
  store<u8>(b, 0, 15);
  evEmit(Ev.REG_REPLY, 16);
  hReg = stackTimerDisarm(hReg);
  regDeferred = false;
  if (regCodeAccepted(code)) {
    denials = 0;
    fastRetry = false;
    if (ha == 0 && rha != 0 && rha != regHaField) ha = rha;
    const granted = life < regLifetime ? life : regLifetime;
    if (regLifetime == 0 || granted == 0) {
      // Deregistered (or a zero grant: no binding).
      regState = REG_IDLE;
      if (regKind == KIND_DEREG || homeState != ST_AWAY) bindingAway = false;
      return 0;
    }
    regState = REG_REGISTERED;
    // Why: RFC 2002 §3.6.2.2: the granted lifetime counts from when the request was sent.
    regUntil = regSentAt + <i64>granted * 1000;
    if (granted != LIFETIME_INFINITE) {
      const g = <i64>granted * 1000;
      let margin = g / 8;
      const alt = min(g / 2, <i64>cfg.retransmitMs * 3);
      if (alt > margin) margin = alt;
      let at = regUntil - margin;
      if (at < nowMs()) at = nowMs();
      hRenew = stackTimerArm(hRenew, TK_MN_RENEW, 0, at);
    }
    return 0;
  }
  if (code == CODE_HA_ID_MISMATCH && !fastRetry) {
    // Why: RFC 2002 §3.6.2.2 / §5.6: resynchronised above; send a new request at once. The home
    // agent's clock is the reference now, even if it is behind the Identifications sent so far.
    lastId = 0;
    retryNow();
    return 0;
  }
  if (code == CODE_HA_UNKNOWN_HA && !fastRetry && rha != 0 && ipIsUnicastSource(rha) && rha != regHaField) {
    // Why: RFC 2002 §3.6.1.2: the denying home agent put its own address in the reply: use it.
    ha = rha;
    retryNow();
    return 0;
  }
  if (code == CODE_FA_LIFETIME_TOO_LONG && regKind == KIND_FA && life != 0 && life < regLifetime && !fastRetry) {
    // Why: RFC 2002 §3.7.2: the foreign agent's Lifetime in a code-69 reply is the most it grants.
    lifetimeCap = life;
    retryNow();
    return 0;
  }
  if (regCodeDeniedByFa(code) && regKind == KIND_FA && homeState == ST_AWAY) {
    const alt = alternativeFa(cur);
    if (alt >= 0) { adopt(alt, <u8>MoveReason.NEW_AGENT); return 0; }
  }
  backOff();
  return 0;
}

/** Send the outstanding registration's kind again (after 133/136/69; transmit holds it to 1 s after the last request). */
function retryNow(): void {
  if (regKind == KIND_DEREG) { beginRegistration(KIND_DEREG, -1, true); return; }
  if (homeState != ST_AWAY) { regState = REG_IDLE; return; }
  if (regKind == KIND_FA && cur >= 0 && agentValid(cur)) beginRegistration(KIND_FA, cur, true);
  else if (regKind == KIND_COLOC && colocAddr != 0) beginRegistration(KIND_COLOC, -1, true);
  else backOff();
}

/**
 * Datagram from the local stack: away via a foreign agent it goes to the agent's MAC (RFC 2002
 * §4.2.2: the foreign agent is the default router), co-located via the DHCP router; -1 at home.
 */
export function mnOutput(p: usize, len: i32): i32 {
  if (homeState != ST_AWAY) return -1;
  const dst = ipv4Dst(p);
  // Link-local broadcast and multicast stay plain IP on the current link.
  if (dst == IP_BROADCAST || ipIsMulticast(dst)) return -1;
  if (mode == MODE_FA && cur >= 0) {
    const s = slot(cur);
    const iface = <i32>load<u8>(s, A_IFACE);
    if (len > netifMtu(iface)) { count(C.DROP_MTU); return 1; }
    count(C.MN_OUTPUT_VIA_FA);
    linkSendIpTo(iface, s + A_MAC, p, len);
    return 0;
  }
  if (mode == MODE_COLOC && colocAddr != 0 && colocIface >= 0) {
    // Why: RFC 3024 §1.1: a reverse tunnel starts at the care-of address and ends at the home
    // agent; with a co-located care-of address the mobile node is its entry itself. Datagrams from
    // the home address leave encapsulated from the care-of address, which the foreign network's
    // ingress filters (seed 004) let through.
    if (cfg.reverseTunnel && ha != 0 && ipv4Src(p) == cfg.homeAddress) return reverseTunnel(p, len);
    if (len > netifMtu(colocIface)) { count(C.DROP_MTU); return 1; }
    return linkSendIp(colocIface, colocNextHop(dst), p, len);
  }
  // Away between agents: no router we may use yet (the home routes do not exist on this link).
  count(C.DROP_NO_ROUTE);
  return 1;
}

/**
 * Encapsulate the datagram at `p` from the co-located care-of address to the home agent and send
 * it, by the encapsulation registered for the forward tunnel (M: minimal, G: GRE, else IP in IP;
 * docs/decisions.md): the home agent accepted that one for this binding.
 */
function reverseTunnel(p: usize, len: i32): i32 {
  const method = (regFlags & REQ_FLAG_G) != 0 ? cfg.ENCAP_GRE : (regFlags & REQ_FLAG_M) != 0 ? cfg.ENCAP_MINIMAL : cfg.ENCAP_IPIP;
  // Too big for the link with the tunnel header: tunnelSend fragments the outer datagram unless DF
  // forbids it (RFC 2003 §5.1, counted drop_tunnel_mtu), as for the home agent's tunnels.
  count(C.MN_REVERSE_TUNNELLED);
  // Why: RFC 2003 §3.1: the node originates the datagram, it does not forward it: inner TTL kept.
  return tunnelSend(p, len, method, colocAddr, ha, colocIface, colocNextHop(ha), OUTPUT_TUNNEL_ROOM, false);
}

/** A timer of the mobile node's range fired. */
export function mnTimer(kind: u16, tag: u32, now: i64): void {
  if (kind == TK_MN_SOLICIT) {
    hSolicit = -1;
    // Why: RFC 2002 §2.4.1: solicit only while no agent is known.
    if (cur < 0) solicitNow();
  } else if (kind == TK_MN_AGENT) {
    const i = <i32>tag;
    if (i < 0 || i >= AGENTS) return;
    const s = slot(i);
    store<i32>(s, -1, A_TIMER);
    if (load<u8>(s, A_USED) == 0) return;
    const was = i == cur;
    agentFree(i);
    if (!was) return;
    // Why: RFC 2002 §2.4.2 algorithm 1: contact with the current agent is lost; register with
    // another agent whose advertisement is still valid, else search.
    const alt = alternativeAgent(i);
    if (alt >= 0) { adopt(alt, <u8>MoveReason.LIFETIME_EXPIRED); return; }
    pendingReason = <u8>MoveReason.LIFETIME_EXPIRED;
    if (mode == MODE_FA) { mode = MODE_NONE; pauseFaRegistration(); }
    startSoliciting();
    armFaWait();
  } else if (kind == TK_MN_REG) {
    hReg = -1;
    if (regState == REG_PENDING && regDeferred) {
      // The request held back by the one-per-second limit (RFC 2002 §3.6.3): send it now.
      if (!transmit(regDeferredRetrans)) regState = REG_IDLE;
    } else if (regState == REG_PENDING) {
      regTries++;
      if (regKind == KIND_DEREG && regTries >= DEREG_TRIES) {
        // The home agent's binding lapses by itself; stop asking.
        regState = REG_IDLE;
        bindingAway = false;
        return;
      }
      // Why: RFC 2002 §3.6.3: each retransmission timeout at least doubles, bounded by the maximum
      // and by the requested lifetime.
      let rto = regRto * 2;
      let maxRto = cfg.retransmitMaxMs;
      if (regLifetime != 0 && <i64>regLifetime * 1000 < <i64>maxRto) maxRto = <i32>regLifetime * 1000;
      if (rto > maxRto) rto = maxRto;
      if (rto < regRto) rto = regRto;
      // Why: RFC 2002 §3.6.3: never less than 1 s between requests (config enforces it as well).
      if (<i64>rto < REG_MIN_GAP_MS) rto = <i32>REG_MIN_GAP_MS;
      regRto = rto;
      if (!transmit(true)) { regState = REG_IDLE; }
    } else if (regState == REG_BACKOFF) {
      regState = REG_IDLE;
      if (homeState == ST_HOME) { if (bindingAway) beginRegistration(KIND_DEREG, -1, false); }
      else attach(false);
    }
  } else if (kind == TK_MN_RENEW) {
    hRenew = -1;
    if (regState == REG_REGISTERED && homeState == ST_AWAY) attach(false);
  } else if (kind == TK_MN_FAWAIT) {
    hFaWait = -1;
    if (cur >= 0 || cfg.colocated == 0) return;
    // No agent answered: a foreign link without agents (or our home agent is silent): use a
    // co-located care-of address (RFC 2002 §3.1) unless we know we are home.
    if (homeState == ST_HOME && pendingReason != <u8>MoveReason.LINK) return;
    const d = dhcpIface();
    if (d < 0) return;
    setHomeState(ST_AWAY, 0);
    // Movement to a link without agents: reported here (coa known only if DHCP already bound).
    const r = pendingReason != 0 ? pendingReason : <u8>MoveReason.NEW_AGENT;
    pendingReason = 0;
    emitMove(d, r, 0, 0, colocIface == d ? colocAddr : 0);
    denials = 0;
    useColocated(d, false);
  } else if (kind == TK_MN_GARP) {
    hGarp = -1;
    if (homeState == ST_HOME && mnIface >= 0) {
      arpGratuitous(mnIface, cfg.homeAddress);
      if (tag > 1) hGarp = stackTimerArm(hGarp, TK_MN_GARP, tag - 1, now + GARP_INTERVAL_MS);
    }
  }
}

/**
 * Link state change: down forgets the agents heard on `iface` (a link-layer handoff started); up
 * (maybe a new access point) forgets them too and solicits at once — the next advertisement from a
 * different agent is movement (RFC 2002 §2.4.1: a positive indication of a new link allows the
 * fast solicitation rate again).
 */
export function mnLink(iface: i32, up: bool): void {
  let lost = false;
  for (let i = 0; i < AGENTS; i++) {
    const s = slot(i);
    if (load<u8>(s, A_USED) != 0 && <i32>load<u8>(s, A_IFACE) == iface) {
      if (i == cur) lost = true;
      agentFree(i);
    }
  }
  if (lost || cur < 0) pendingReason = <u8>MoveReason.LINK;
  if (iface == colocIface) {
    // The co-located address belongs to the link we left; a new one is acquired if still needed.
    dropColocated();
    if (regState == REG_PENDING && regKind == KIND_COLOC) { regState = REG_IDLE; hReg = stackTimerDisarm(hReg); }
  }
  if (mode == MODE_FA && cur < 0) { mode = MODE_NONE; pauseFaRegistration(); }
  if (up) {
    startSoliciting();
    armFaWait();
    if (cfg.colocated == 2 && (netifFlags(iface) & cfg.IF_DHCP) != 0 && colocIface < 0) { colocIface = iface; dhcpStart(iface); }
  } else if (cur < 0) {
    stopSoliciting();
    hFaWait = stackTimerDisarm(hFaWait);
  }
}

/**
 * A datagram decapsulated by tunnel.ts at our co-located care-of address: for the home address
 * (or a broadcast/multicast when we asked for B) it is processed as received; -1 when not ours.
 */
export function mnDeliverDecapsulated(iface: i32, p: usize, len: i32): i32 {
  if (len < IPV4_MIN_HEADER) return -1;
  const dst = ipv4Dst(p);
  const group = dst == IP_BROADCAST || ipIsMulticast(dst) || (iface >= 0 && netifIsBroadcast(iface, dst));
  // Why: RFC 2002 §4.2.2 / §3.3 (D, B): the mobile node decapsulates what the home agent tunnels to
  // it: datagrams for its home address, and broadcasts only if it asked for them.
  if (dst != cfg.homeAddress && !(group && (regFlags & REQ_FLAG_B) != 0)) return -1;
  const proto = ipv4Proto(p);
  // Why: a tunnel inside the tunnel is not something a home agent sends (RFC 2003 §4.1 recursion).
  if (proto == IPPROTO_IPIP || proto == IPPROTO_MINENC || proto == IPPROTO_GRE) { count(C.MN_DECAP_DROPPED); return 1; }
  count(C.MN_DECAPSULATED);
  // The inner datagram is processed as received, but marked: agent discovery (mnIcmp) refuses what
  // came out of a tunnel. No nesting: a tunnel inside the tunnel was dropped above.
  inTunnel = true;
  const r = ipInput(iface, p, len, group);
  inTunnel = false;
  return r;
}

/** The DHCP client's report (app/dhcp.ts dhcpListen): `addr` bound on `iface`, or 0: lost. */
export function mnDhcpEvent(iface: i32, addr: u32, router: u32): void {
  if (addr != 0) mnDhcpBound(iface, addr, router);
  else mnDhcpLost(iface);
}

/** DHCP bound a co-located care-of address on `iface`. */
function mnDhcpBound(iface: i32, addr: u32, router: u32): void {
  colocIface = iface;
  colocAddr = addr;
  colocRouter = router;
  if (homeState == ST_HOME) { dropColocated(); return; }
  // Kept for later when the decision to go co-located is not made yet (colocated=2 runs DHCP early).
  if (mode != MODE_COLOC || homeState != ST_AWAY) return;
  beginRegistration(KIND_COLOC, -1, false);
}

/** DHCP lost the co-located address on `iface` (lease expired or NAK); app/dhcp.ts starts over by itself. */
function mnDhcpLost(iface: i32): void {
  if (iface != colocIface) return;
  colocAddr = 0;
  colocRouter = 0;
  if (regKind == KIND_COLOC && regState != REG_IDLE) { regState = REG_IDLE; hReg = stackTimerDisarm(hReg); hRenew = stackTimerDisarm(hRenew); }
}
