// The registration server (seed 002 §6, issue 11 point 2): home, local or transit, by what it is
// asked. It is not on the forwarding path (§6 "MAY not be a router"): it registers, allocates parent
// care-of addresses of its care-of agents and directs them with Route Requests.
//
//   rsUdp  UDP 434 type 1 addressed to us, R set (002 §3.2):
//     Binding Registrar = us (§6.2, local or transit registration, or home registration with a home
//     server):
//       the mobile node's Mobile-Server Authentication extension (84, mobile-server association with
//         the home address)                                   missing / wrong -> 131
//       relayed by an agent or a server (IP source not the home address): its Agent-Server (83) or
//         Server-Server (85) extension with its association    missing / wrong -> 132
//       Identification (timestamps or nonces, the association's) -> 133
//       lifetime 0: the binding route is disabled and the registration removed (0)
//       else a parent care-of address: the one the node had (§6.2 "the old care-of address"), or the
//         least loaded care-of agent's (§6.6);
//         a Route Request (lifetime = the request's, next hop = its care-of address) goes to that
//         care-of agent and is retransmitted (retransmitMs, 3 tries, then the next care-of agent,
//         §6.4); the Registration Reply waits for the Route Reply (§6.2): accepted with the Care-of
//         Address extension (82) and the lifetime min(requested, route's) (§6.5), or 130 / 129
//     Binding Registrar = another (§6.3, a home or transit registration relayed by us):
//       we must be the node's binding registrar already (its local registration) -> else 129
//       its Mobile-Foreign extension (33) for us, with our mobile-server association -> else discarded
//       an association with the registrar (server-server, agent-server or foreign-home) -> else 67 and
//         a Registration Server extension naming our transit servers (appendix D.2)
//       relayed: the message up to the registrar's authenticator (84 or 32), then ours (85/83/34)
//   rsReply  UDP 434 type 3 from a registrar we relayed to (§6.3): its authenticator checked, the reply
//     up to the mobile node's authenticator relayed to the mobile node with our 33
//   rsRouteReply  UDP 434 type 33 from the care-of agent asked (§6.5): low 32 bits of the Identification
//     of our latest Route Request, Agent-Server extension at the end (else discarded)
//   rsRoute / rsVif  the server's own datagrams to a registered mobile node (its replies) are tunnelled
//     to the child care-of address of its registration here (the foreign agent of a local
//     registration; §2.5's local tunnel), since the home address routes to the home network.
//
// Who may change a registration: only a request authenticated by the mobile node (84), and by its
// relay when there is one, with a fresh Identification; a Route Reply only completes the pending
// registration it answers (authenticated by that care-of agent, matching Identification).
//
// Registration (hash keyed by home address, capacity board `serverEntries`; §6.1: the entry where we
// are the binding registrar and the one where we relay, never merged):
//   0 flags u8 (RF_*) | 1 coaIdx u8 (the care-of agent asked) | 2 grantedSec u16 | 4 childCoa u32 |
//   8 parentCoa u32 | 12 replyTo u32 (the request's IP source) | 16 expiresAtMs i64 | 24 regId u64 |
//   32 rtId u64 (our latest Route Request) | 40 tries u8 | 41 pendFlags u8 | 42 replyPort u16 |
//   44 reqLifetime u16 | 46 pad[2] | 48 timer i32 | 52 relayRegistrar u32 | 56 relayId u64 |
//   64 relayUntilMs i64 | 72 relayPort u16 | 74 pad[2] | 76 pendChild u32 | 80 pendParent u32 | 84 pad

import * as cfg from "../config";
import { C, count } from "../counters";
import { Ev, evOpAddrs, evAuthFailed, ROLE_RS } from "../events";
import { nowMs } from "../clock";
import { arenaAlloc, arenaFailed } from "../mem";
import { addrSetV4 } from "../wire/addr";
import { netifIp, netifCount, netifValid, netifUp } from "../link/netif";
import { linkSendIp } from "../stack/arp";
import { stackTimerArm, stackTimerDisarm, OWNER_RS } from "../sys/timers";
import { ipSend, ipIsOurs, ipNextIdent } from "../stack/ip";
import { routeVirtual, routeChanged, routeIface, routeNextHop, NO_ROUTE, VIF_RS_LOCAL } from "../stack/route";
import {
  HT_KEY_ADDR, HT_HEADER_SIZE, htBytesKeyed, htCarve, htInitKeyed, htCarve, htFindV4, htInsertV4, htRemoveAt, htIndexOf, htValueAt,
  htKeyV4At, htUsed, htNext,
} from "../table/hash";
import { TIMER_NEVER } from "../table/timer";
import { ipv4HeaderLen, ipv4Src, ipv4Dst, ipv4DstInline, IPV4_MIN_HEADER, ipIsUnicastSource } from "../wire/ipv4";
import { udpSrcPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import {
  MIP_PORT, REG_REQ_LEN, REG_REP_LEN, REG_TYPE_REQUEST, REG_TYPE_REPLY, RegErr, regReqParse, regRepParse, regHomeAddr,
  regHomeAgent, regReqCareOfAddr, regReqFlags, regLifetimeSec, regReqIdentification, regRepIdentification, regRepCode,
  regRepEmit, regReqEmit, regCodeAccepted, REQ_FLAG_R, REG_REQ_OFF_COA, CODE_ACCEPTED, CODE_HA_PROHIBITED, CODE_HA_NO_RESOURCES, CODE_HA_MN_AUTH_FAILED,
  CODE_HA_FA_AUTH_FAILED, CODE_HA_ID_MISMATCH, CODE_HA_BAD_REQUEST,
} from "../wire/registration";
import {
  extIndexScratch, EXT_REG_SERVER, EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, EXT_AS_AUTH, EXT_MS_AUTH, EXT_SS_AUTH, extIndexFind, extIndexFind2, extEnd,
  authSpi,
} from "../wire/mipext";
import {
  rsCount as rsExtCount, rsAddress, rsLifetimeSec, DrErr, rtParse, rtLifetimeSec, rtIdentification, rtNextHop, rtEmit, rtCode, rtAccepted, rtDest, coaExtAppend, rsAppendEmpty, rsSetServer,
  DR_TYPE_ROUTE_REQUEST, DR_TYPE_ROUTE_REPLY, RT_PROHIBITED, RT_LEN, dsParse, dsEmit, dsValue, dsAddress,
  dsIdentification, dsLifetimeSec, DR_TYPE_COA_SOLICIT, DR_TYPE_COA_ADVERT, DR_TYPE_RS_SOLICIT, DR_TYPE_RS_ADVERT,
  ALL_COA_GROUP, ALL_RS_GROUP,
} from "../wire/dremip";
import { AuthResult, authVerify, authAppend, authAppendOr, authAt } from "../security/auth";
import { saFindFor, saUse, SA_REPLAY } from "../security/sa";
import { ReplayResult, haCheckIdentification, haAccepted, haReplyId, ntpNow, saNonces } from "../security/replay";
import { tunnelCheck, tunnelSend, tunnelRoute } from "./tunnel";
import { drAuthLast, drAuthFailed, drOther, drDumpHead, drTunnel, drAddrTo, drSend, drExpiry } from "./coa";
import { drMsg, drMsgLen } from "./mip";
import { TUNNEL_HEADROOM } from "../wire/ipip";
import { pktBuffers } from "../stack/packet";
import { ETH_HEADER_LEN } from "../wire/ethernet";

/** Timer kind of a registration (tag = record index). */
export const TK_RS: u16 = (OWNER_RS << 8);

/** Registration event ops (Ev.DR_REG). */
export const enum DrRegOp { PENDING = 1, ACCEPTED = 2, DENIED = 3, EXPIRED = 4, RELAYED = 5, RELAY_DONE = 6 }

const RF_ACTIVE: u8 = 1;  // we are the binding registrar of a registration in force
const RF_PENDING: u8 = 2; // a registration waits for its Route Reply
const RF_RELAY: u8 = 4;   // a request we relayed waits for its registrar's reply
const RF_PEND_COUNTED: u8 = 8; // the pending registration is counted at care-of agent E_COA_IDX

const E_FLAGS: usize = 0;
const E_COA_IDX: usize = 1;
const E_GRANTED: usize = 2;
const E_CHILD: usize = 4;
const E_PARENT: usize = 8;
const E_REPLY_TO: usize = 12;
const E_EXPIRES: usize = 16;
const E_REG_ID: usize = 24;
const E_RT_ID: usize = 32;
const E_TRIES: usize = 40;
const E_PEND_FLAGS: usize = 41;
const E_REPLY_PORT: usize = 42;
const E_REQ_LIFE: usize = 44;
const E_TIMER: usize = 48;
const E_RELAY_REG: usize = 52;
const E_RELAY_ID: usize = 56;
const E_RELAY_UNTIL: usize = 64;
const E_RELAY_PORT: usize = 72;
const E_PEND_CHILD: usize = 76;
const E_PEND_PARENT: usize = 80;
// Optimized combined registration (002 §2.8, D.3): the home registrar and lifetime of the request's
// Registration Server extension, the flags, and the home registrar's authenticator (extension 32,
// 22 bytes: 16-byte HMAC-MD5 / keyed MD5) to relay once the local registration is done.
const E_COMB_REG: usize = 84;
const E_COMB_LIFE: usize = 88;
const E_COMB_FLAGS: usize = 90;
const E_COMB_EXT: usize = 92;
const COMB_EXT_LEN: i32 = 22;
const E_SIZE: u32 = 116;

/** Route Request tries per care-of agent before the next one (002 §6.4 "a maximum of retransmissions"). */
const RT_TRIES: u8 = 3;
/** How long a relayed request waits for its registrar's reply. */
const RELAY_MS: i64 = 10000;

// (A global set at init rather than a constant: a global.get is shorter than the address at each use.)
let regs: usize = 0;
let capacity: u32 = 0;
/** Registrations allocated to each configured care-of agent (index of config servers): its load (§6.6). */
// Carved in rsInit (only a registration server pays for them).
let coaLoad: usize = 0;
let lastRtId: u64 = 0;
let rtCounter: u32 = 0;
let extIndex: usize = 0;
// Messages we send: IP header after room for a tunnel header and the Ethernet header (a reply to a
// mobile node goes through the local tunnel, rsVif).
const OUT_IP: usize = <usize>(TUNNEL_HEADROOM + ETH_HEADER_LEN);
const OUT_BUF: i32 = <i32>OUT_IP + 600;
let outBuf: usize = 0;
const OUT_CAP: i32 = OUT_BUF - <i32>OUT_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;

/** Carve the registrations (board `serverEntries`); false when memory ran out. */
export function rsInit(): void {
  regs = memory.data(<i32>HT_HEADER_SIZE, 8);
  extIndex = extIndexScratch;
  // Care-of agents found by discovery join the server list: it exists even with none configured.
  if (cfg.servers == 0) cfg.serverTableSet(arenaAlloc(cfg.SERVER_TABLE_BYTES));
  coaLoad = arenaAlloc(<usize>cfg.MAX_SERVERS * 4);
  coaState = arenaAlloc(<usize>cfg.MAX_SERVERS * 16);
  outBuf = arenaAlloc(<usize>OUT_BUF);
  if (arenaFailed()) { capacity = 0; return; }
  // (The arena's blocks come zeroed: mem.ts.)
  probeTimer = -1;
  probeId = 0;
  probeRounds = 0;
  lastRtId = 0;
  rtCounter = 0;
  // Replies to mobile nodes are tunnelled in place from this buffer (stack/packet.ts: its headroom).
  pktBuffers(outBuf, 1, <usize>OUT_BUF);
  capacity = <u32>cfg.serverEntries();
  if (!htCarve(regs, capacity, E_SIZE)) capacity = 0;
}

/** Registrations kept (tests). */
export function rsCount(): u32 { return capacity == 0 ? 0 : htUsed(regs); }

/** The load (registrations allocated) of the care-of agent at `address`, -1 when it is not one of ours (tests, bench). */
export function rsCareOfLoad(address: u32): i32 {
  const i = coaIndexOf(address);
  return i < 0 ? -1 : <i32>load<u32>(coaLoad + (<usize>i << 2));
}

function flagsSet(e: usize, f: u8): void { store<u8>(e, load<u8>(e, E_FLAGS) | f, E_FLAGS); }
function flagsClear(e: usize, f: u8): void { store<u8>(e, load<u8>(e, E_FLAGS) & ~f, E_FLAGS); }
/** True when registration `e` exists (not 0) and has one of the flags `f` (a call: shorter than the test at each use). */
function has(e: usize, f: u8): bool { return e != 0 && (load<u8>(e, E_FLAGS) & f) != 0; }

/** The registration of `home`, or 0. */
function regFind(home: u32): usize { return capacity == 0 ? <usize>0 : htFindV4(regs, home); }

/** The offset of the mobile node's authenticator for its registrar: Mobile-Server (84), else Mobile-Home (32); or 0. */
function mnAuthOff(): i32 { return extIndexFind2(extIndex, EXT_MS_AUTH, EXT_MH_AUTH); }

function regEvent(op: DrRegOp, code: u8, lifetimeSec: u16, home: u32, child: u32, other: u32): void {
  evOpAddrs(Ev.DR_REG, <u8>op, code, lifetimeSec, home, child, other);
}

/** A registration denied with `code`: counted and logged. */
function denied(code: u8, home: u32, child: u32, other: u32): void {
  count(C.DR_REG_DENIED);
  regEvent(DrRegOp.DENIED, code, 0, home, child, other);
}

/** Add `d` to the load (registrations in force) of the care-of agent at `parent`, if it is one of ours. */
function loadAdd(parent: u32, d: i32): void {
  const idx = coaIndexOf(parent);
  if (idx < 0) return;
  const p = coaLoad + (<usize>idx << 2);
  const v = <i32>load<u32>(p) + d;
  store<u32>(p, <u32>(v < 0 ? 0 : v));
}

/** Index (config servers) of the care-of agent with address `a`, or -1. */
function coaIndexOf(a: u32): i32 {
  for (let i = 0; i < cfg.serverCount; i++) if (cfg.serverKind(i) == cfg.SRV_CARE_OF_AGENT && cfg.serverAddress(i) == a) return i;
  return -1;
}

/**
 * The least loaded care-of agent not in the bit set `tried` (config server indices), or -1. Why: 002 §6.6: "assigns the least loaded care-of address"; ties go to the first
 * configured (the priority order the administrator wrote).
 */
function pickCareOfAgent(tried: u32): i32 {
  let best = -1;
  let bestLoad: u64 = 0xffffffffffffffff;
  const now = nowMs();
  for (let i = 0; i < cfg.serverCount; i++) {
    if (cfg.serverKind(i) != cfg.SRV_CARE_OF_AGENT || (tried & (1 << <u32>i)) != 0) continue;
    const st = coaState + (<usize>i << 4);
    // Why: 002 §6.6, appendix B: with probing on, a care-of agent that stopped answering (three
    // intervals) or that says it takes no more nodes (Lifetime 0) is not allocated.
    if (probeRounds > 1 && load<i64>(st, CS_HEARD) + 3 * <i64>cfg.drProbeIntervalMs < now) continue;
    if (load<u8>(st, CS_FULL) != 0) continue;
    // Why: 002 §6.6: "order the list of care-of addresses with the least loaded one being at the
    // top": the load it reported, then the registrations we gave it.
    // (Pending ones count too: a burst of arrivals spreads before any Route Reply is back.)
    const l = (<u64>load<u16>(st, CS_REPORTED) << 32) | (<u64>load<u32>(coaLoad + (<usize>i << 2)) + <u64>load<u16>(st, CS_PENDING));
    if (l < bestLoad) { best = i; bestLoad = l; }
  }
  return best;
}

// ---- discovery (appendices A and B) and load probing (§6.6) ----------------------------------------
// Per configured (or discovered) care-of agent, at coaState + 16 * index: 0 reported load u16 |
// 2 full u8 | 4 pending u16 | 8 heardAt i64.
const CS_REPORTED: usize = 0;
const CS_FULL: usize = 2;
const CS_PENDING: usize = 4; // u16: registrations waiting for this care-of agent's Route Reply
const CS_HEARD: usize = 8;
let coaState: usize = 0;
let probeTimer: i32 = -1;
let probeId: u64 = 0;
let probeRounds: i32 = 0;
/** Timer kind of the probe (tag 0). */
export const TK_RS_PROBE: u16 = TK_RS + 1;

/** Start probing the care-of agents (mobilityStart). */
export function rsStart(): void {
  if (capacity == 0 || cfg.drProbeIntervalMs == 0) return;
  probeTimer = stackTimerArm(probeTimer, TK_RS_PROBE, 0, nowMs() + 100);
}

/**
 * Probe (002 §6.6 "Each registration server occasionally probes their care-of agents on the traffic
 * load", appendix B): a Care-of Agent Solicitation with our Agent-Server extension to every care-of
 * agent we know (unicast: "In practice, we may just manually configure care-of agents") and to the
 * all-care-of-agents group on each interface (the ones we do not know yet).
 */
function probe(now: i64): void {
  probeRounds++;
  probeId = ntpNow(0);
  for (let i = 0; i < cfg.serverCount; i++) {
    if (cfg.serverKind(i) == cfg.SRV_CARE_OF_AGENT) sendSolicit(cfg.serverAddress(i));
  }
  sendSolicit(ALL_COA_GROUP);
  probeTimer = stackTimerArm(probeTimer, TK_RS_PROBE, 0, now + <i64>cfg.drProbeIntervalMs);
}

/** One Care-of Agent Solicitation to `dst` (a care-of agent, or the group on every interface). */
function sendSolicit(dst: u32): void {
  const q = outMsg();
  let n = dsEmit(q, OUT_CAP, DR_TYPE_COA_SOLICIT, 0, 0, probeId, 0);
  if (dst != ALL_COA_GROUP) {
    const sa = saFindFor(dst, cfg.SA_USE_AGENT_SERVER);
    if (sa == 0) return;
    sendAs(sa, n, drAddrTo(dst), dst, C.DR_DS_SOLICIT_TX);
    return;
  }
  // Why: appendix B: to the group, for care-of agents not configured; a care-of agent answers only a
  // server it shares a key with, so the group's copy carries no authenticator it could check (a
  // solicitation asks for nothing but an authenticated answer) — docs/decisions.md.
  const ip = outBuf + OUT_IP;
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i) || !netifUp(i) || netifIp(i) == 0) continue;
    const total = udpIpEmit(ip, ipNextIdent(), 16, netifIp(i), ALL_COA_GROUP, MIP_PORT, MIP_PORT, n);
    if (linkSendIp(i, ALL_COA_GROUP, ip, total) == 0) count(C.DR_DS_SOLICIT_TX);
  }
}

/** A Care-of Agent Advertisement (37): authenticated, answering our latest probe; the agent's load. */
function coaAdvert(src: u32, m: usize, ml: i32): i32 {
  if (dsParse(m, ml, DR_TYPE_COA_ADVERT, extIndex) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  const off = extIndexFind(extIndex, EXT_AS_AUTH);
  if (!drAuthLast(sa, m, ml, off)) { count(C.DROP_DR_AUTH); return 1; }
  // Why: the Identification of our latest solicitation: an old advertisement replayed says nothing.
  if (probeId == 0 || dsIdentification(m) != probeId || dsAddress(m) != src) { count(C.DROP_DR_REPLAY); return 1; }
  let i = coaIndexOf(src);
  // Why: appendix B: "a more dynamic assignment of care-of agents to registration servers": a care-of
  // agent we share a key with that answered the group joins the list.
  if (i < 0) {
    if (!cfg.serverAdd(cfg.SRV_CARE_OF_AGENT, 0, 0xffff, src)) return 1;
    i = cfg.serverCount - 1;
  }
  const st = coaState + (<usize>i << 4);
  store<u16>(st, dsValue(m), CS_REPORTED);
  store<u8>(st, dsLifetimeSec(m) == 0 ? 1 : 0, CS_FULL);
  store<i64>(st, nowMs(), CS_HEARD);
  count(C.DR_DS_ADVERT_RX);
  return 0;
}

/**
 * A Registration Server Solicitation (34) from a mobility agent (appendix A): answered, to an agent
 * we share an agent-server key with, by a Registration Server Advertisement with our priority
 * (mobility.dremip.priority) and Lifetime 0 when we take no more mobile nodes (§4.1), authenticated.
 */
function rsSolicit(m: usize, ml: i32): i32 {
  if (dsParse(m, ml, DR_TYPE_RS_SOLICIT, extIndex) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  // The agent as we know it: its care-of address in the Address field (the peer of our key with it);
  // the answer goes there (not to the IP source), so a forged solicitation makes us answer only an
  // agent we have a key with.
  const src = dsAddress(m);
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  // (Counted: a solicitation naming an agent we have no key with is discarded, not ignored.)
  if (sa == 0) { count(C.DROP_DR_AUTH); return 1; }
  const from = drAddrTo(src);
  if (from == 0) { count(C.DROP_NO_ROUTE); return 1; }
  const q = outMsg();
  const n = dsEmit(q, OUT_CAP, DR_TYPE_RS_ADVERT, <u16>cfg.drPriority(), from, dsIdentification(m), htUsed(regs) >= capacity ? 0 : 0xffff);
  sendAs(sa, n, from, src, C.DR_DS_ADVERT_TX);
  return 0;
}

/** Message being built in outBuf. */
function outMsg(): usize { return outBuf + OUT_IP + <usize>IPV4_MIN_HEADER + <usize>UDP_HEADER_LEN; }

/** Append the authentication extension `ext` computed with `sa` to the `n`-byte message in outBuf: the new length, or < 0. */
function auth(sa: usize, n: i32, ext: u8): i32 { return authAppend(sa, outMsg(), n, OUT_CAP, ext); }

/** Append our Agent-Server extension (`sa`) to the `n`-byte message in outBuf and send it from `from` (0: no route) to `dst` port 434; counted `c` when sent. */
function sendAs(sa: usize, n: i32, from: u32, dst: u32, c: C): void {
  n = auth(sa, n, EXT_AS_AUTH);
  if (n > 0 && from != 0 && sendOut(from, dst, MIP_PORT, n)) count(c);
}

function sendOut(src: u32, dst: u32, dport: i32, n: i32): bool { return drSend(outBuf + OUT_IP, src, dst, dport, n); }

/** The association of a relay (agent or server) at `src` and the extension type it authenticates with, or 0. */
function relaySa(src: u32): usize {
  let sa = saFindFor(src, cfg.SA_USE_SERVER_SERVER);
  if (sa == 0) sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  return sa;
}

/** Extension type for the association `sa` with a peer, by its use (server-server 85, agent-server 83, foreign-home 34). */
function extOf(sa: usize): u8 {
  const use = saUse(sa);
  if (use == cfg.SA_USE_SERVER_SERVER) return EXT_SS_AUTH;
  if (use == cfg.SA_USE_AGENT_SERVER) return EXT_AS_AUTH;
  return EXT_FH_AUTH;
}

/**
 * Verify the extension of peer association `rsa` (its type by the association's use; `t0` when there is
 * none) in message `m`, at or after offset `min`: its offset, or 0 (counted and logged with `code`,
 * naming `peer`).
 */
function peerVerify(rsa: usize, m: usize, min: i32, t0: u8, code: u8, peer: u32): i32 {
  const t = rsa != 0 ? extOf(rsa) : t0;
  const off = extIndexFind(extIndex, t);
  if (off >= min && authAt(rsa, m, off)) return off;
  drAuthFailed(ROLE_RS, t, code, peer, m, off);
  return 0;
}

/** The association with registrar `reg` we authenticate a relayed request with (server, agent or home agent), or 0. */
function registrarSa(reg: u32): usize {
  let sa = relaySa(reg);
  if (sa == 0) sa = saFindFor(reg, cfg.SA_USE_FOREIGN_HOME);
  return sa;
}

/**
 * Send a Registration Reply as binding registrar to the request with Identification `id`: `code`,
 * `lifetimeSec`, the Care-of Address extension with the parent of `e` when it has one in force (002
 * §3.3; `e` 0: none), the mobile node's 84 (`mnSa`, not 0), then the relay's 83/85 when the request
 * came through one (`replyTo` != home).
 */
function registrarReply(mnSa: usize, e: usize, from: u32, replyTo: u32, port: i32, code: u8, lifetimeSec: u16, home: u32, id: u64): void {
  // Why: RFC 2002 §3.4, §5.6 as at a home agent: the reply's Identification is the request's
  // (timestamps), with our next nonce (nonces), or our time to resynchronise with (133).
  const rid = haReplyId(mnSa, id, code);
  // Why: 002 §6.2: "if the registration server has a binding with the mobile node previously, the
  // old care-of address SHOULD be put in that extension" — also in a denial (after an acceptance it
  // is the new one).
  const parent = has(e, RF_ACTIVE) ? load<u32>(e, E_PARENT) : 0;
  const q = outMsg();
  let n = regRepEmit(q, OUT_CAP, code, lifetimeSec, home, from, rid);
  if (n < 0) return;
  if (parent != 0) n = coaExtAppend(q, n, OUT_CAP, parent);
  if (n < 0) return;
  n = authAppendOr(mnSa, q, n, OUT_CAP, EXT_MS_AUTH);
  if (replyTo != home) {
    // Why: 002 §6.2: "an agent-server or server-server authentication extension in the reply if the
    // binding relay is the foreign agent or another registration server".
    const rsa = relaySa(replyTo);
    if (rsa != 0) n = authAppendOr(rsa, q, n, OUT_CAP, extOf(rsa));
  }
  if (sendOut(from, replyTo, port, n)) count(C.DR_REG_REPLY_TX);
}

/** Append a Registration Server extension naming our transit servers (002 D.2); the length, or n when none. */
function appendTransit(q: usize, n: i32): i32 {
  const k = cfg.serverCountOf(cfg.SRV_TRANSIT);
  if (k == 0 || n < 0) return n;
  const r = rsAppendEmpty(q, n, OUT_CAP, 0xffff, k > 31 ? 31 : k);
  if (r < 0) return n;
  let j = 0;
  for (let i = 0; i < cfg.serverCount && j < 31; i++) {
    if (cfg.serverKind(i) == cfg.SRV_TRANSIT) rsSetServer(q + <usize>n, j++, cfg.serverAddress(i), cfg.serverPriority(i), cfg.serverLifetimeSec(i));
  }
  return r;
}

/** Send (or resend) the Route Request of registration `e` of `home` to care-of agent `coa`. */
function sendRouteRequest(e: usize, home: u32, coa: u32, lifetimeSec: u16, child: u32): bool {
  const sa = saFindFor(coa, cfg.SA_USE_AGENT_SERVER);
  if (sa == 0) return false;
  // Why: 002 §3.4: an Identification "constructed by the server" protects against replays: our NTP
  // time, strictly increasing per registration.
  // Why: strictly increasing across all registrations, not per record: a record removed and made again
  // within the same clock tick must not reuse an Identification whose Route Reply could be replayed.
  // Why: 002 §6.5 matches a Route Reply on the low 32 bits only, so those bits must never repeat: the
  // high 32 are our NTP seconds (the care-of agent's freshness window), the low 32 a counter — an NTP
  // fraction at millisecond resolution takes only 1,000 values, and a Route Reply from a second ago
  // with the same fraction could be replayed (found by test/host/fuzz-dremip.test.mjs, seed 7).
  rtCounter++;
  let id = (ntpNow(0) & 0xffffffff00000000) | <u64>rtCounter;
  // (RFC 1982 order; 0 is "none sent yet": NTP times are above 2^63, negative as i64.)
  if (lastRtId != 0 && <i64>(id - lastRtId) <= 0) id = lastRtId + 1;
  lastRtId = id;
  store<u64>(e, id, E_RT_ID);
  const q = outMsg();
  let n = rtEmit(q, OUT_CAP, DR_TYPE_ROUTE_REQUEST, 0, lifetimeSec, home, child, id);
  // Why: 002 §6.4: "The server MUST append an Agent-Server Authentication extension".
  n = auth(sa, n, EXT_AS_AUTH);
  if (n < 0) return false;
  const from = drAddrTo(coa);
  if (from == 0) return false;
  count(C.DR_RT_REQUEST_TX);
  return sendOut(from, coa, MIP_PORT, n);
}

/** Remove registration `e`, its timer and its care-of agent's load. */
function removeReg(e: usize): void {
  const idx = htIndexOf(regs, e);
  pendDone(e);
  stackTimerDisarm(load<i32>(e, E_TIMER));
  if (has(e, RF_ACTIVE)) loadAdd(load<u32>(e, E_PARENT), -1);
  htRemoveAt(regs, idx);
  routeChanged();
}

/** Arm the record's timer for its next deadline: pending Route Request, relay wait or expiry. */
function rearm(e: usize): void {
  let at = TIMER_NEVER;
  const f = load<u8>(e, E_FLAGS);
  if ((f & RF_PENDING) != 0) at = nowMs() + <i64>cfg.retransmitMs;
  if ((f & RF_RELAY) != 0) { const r = load<i64>(e, E_RELAY_UNTIL); if (r < at) at = r; }
  if ((f & RF_ACTIVE) != 0) { const x = load<i64>(e, E_EXPIRES); if (x < at) at = x; }
  if (at == TIMER_NEVER) { store<i32>(e, stackTimerDisarm(load<i32>(e, E_TIMER)), E_TIMER); return; }
  store<i32>(e, stackTimerArm(load<i32>(e, E_TIMER), TK_RS, <u32>htIndexOf(regs, e), at), E_TIMER);
}

/** Registration `e` after a change: removed when nothing is left in it (in force, pending, relaying), else re-armed. */
function settle(e: usize): void {
  if (!has(e, RF_ACTIVE | RF_PENDING | RF_RELAY)) removeReg(e);
  else rearm(e);
}

/** A registration's timer: retransmit / next care-of agent / give up; relay wait over; expiry (§6.4). */
export function rsTimer(kind: u16, tag: u32, now: i64): void {
  if (capacity == 0) return;
  if (kind == TK_RS_PROBE) { probe(now); return; }
  const idx = <i32>tag;
  const e = htValueAt(regs, idx);
  if (e == 0) return;
  store<i32>(e, -1, E_TIMER);
  const home = htKeyV4At(regs, idx);
  let f = load<u8>(e, E_FLAGS);
  if ((f & RF_RELAY) != 0 && load<i64>(e, E_RELAY_UNTIL) <= now) { f &= ~RF_RELAY; store<u8>(e, f, E_FLAGS); }
  if ((f & RF_ACTIVE) != 0 && load<i64>(e, E_EXPIRES) <= now) {
    regEvent(DrRegOp.EXPIRED, 0, 0, home, load<u32>(e, E_CHILD), load<u32>(e, E_PARENT));
    loadAdd(load<u32>(e, E_PARENT), -1);
    f &= ~RF_ACTIVE;
    store<u8>(e, f, E_FLAGS);
    routeChanged();
  }
  if ((f & RF_PENDING) != 0) {
    const tries = load<u8>(e, E_TRIES);
    const ci = <i32>load<u8>(e, E_COA_IDX);
    if (tries < RT_TRIES && sendPending(e, home)) {
      store<u8>(e, tries + 1, E_TRIES);
    } else {
      // Why: 002 §6.4: "The server MAY choose another care-of agent and repeat the procedure above
      // until no care-of agent is available. In this case, the server SHOULD send a negative
      // Registration Reply" — unless the node already had this parent (we keep what it has).
      const tried = <u32>load<u8>(e, E_PEND_FLAGS) | (1 << <u32>ci);
      store<u8>(e, <u8>tried, E_PEND_FLAGS);
      const next = (f & RF_ACTIVE) != 0 ? -1 : pickCareOfAgent(tried);
      if (next >= 0 && startRoute(e, home, next)) {
        // asked the next one
      } else {
        f &= ~RF_PENDING;
        store<u8>(e, f, E_FLAGS);
        finishPending(e, home, CODE_HA_NO_RESOURCES, 0);
      }
    }
  }
  settle(e);
}

/** Ask care-of agent `ci` for the pending registration of `e`; false when it cannot be asked. */
function startRoute(e: usize, home: u32, ci: i32): bool {
  pendDone(e);
  flagsSet(e, RF_PEND_COUNTED);
  pendAdd(ci, 1);
  store<u8>(e, <u8>ci, E_COA_IDX);
  store<u32>(e, cfg.serverAddress(ci), E_PEND_PARENT);
  store<u8>(e, 1, E_TRIES);
  return sendPending(e, home);
}

/** (Re)send the Route Request of the pending registration of `e` to the care-of agent asked. */
function sendPending(e: usize, home: u32): bool {
  return sendRouteRequest(e, home, load<u32>(e, E_PEND_PARENT), load<u16>(e, E_REQ_LIFE), load<u32>(e, E_PEND_CHILD));
}

function pendAdd(ci: i32, d: i32): void {
  if (ci < 0 || ci >= cfg.serverCount) return;
  const p = coaState + (<usize>ci << 4) + CS_PENDING;
  const v = <i32>load<u16>(p) + d;
  store<u16>(p, <u16>(v < 0 ? 0 : v));
}

/** The pending registration of `e` is no longer waiting for its care-of agent. */
function pendDone(e: usize): void {
  if (!has(e, RF_PEND_COUNTED)) return;
  flagsClear(e, RF_PEND_COUNTED);
  pendAdd(<i32>load<u8>(e, E_COA_IDX), -1);
}

/** End the pending registration of `e` with `code` (granted `lifetimeSec` when accepted) and answer it. */
function finishPending(e: usize, home: u32, code: u8, lifetimeSec: u16): void {
  pendDone(e);
  const mnSa = saFindFor(home, cfg.SA_USE_MOBILE_SERVER);
  if (mnSa == 0) return;
  const nonces = saNonces(mnSa);
  const id = load<u64>(e, E_REG_ID);
  const replyTo = load<u32>(e, E_REPLY_TO);
  const from = drAddrTo(replyTo);
  const parent = load<u32>(e, E_PEND_PARENT);
  const child = load<u32>(e, E_PEND_CHILD);
  if (code == CODE_ACCEPTED) {
    haAccepted(mnSa, id, nonces);
    const was = has(e, RF_ACTIVE) ? load<u32>(e, E_PARENT) : 0;
    if (was != parent) { loadAdd(was, -1); loadAdd(parent, 1); }
    flagsSet(e, RF_ACTIVE);
    store<u32>(e, child, E_CHILD);
    store<u32>(e, parent, E_PARENT);
    store<u16>(e, lifetimeSec, E_GRANTED);
    store<i64>(e, drExpiry(nowMs(), lifetimeSec), E_EXPIRES);
    routeChanged();
    regEvent(DrRegOp.ACCEPTED, code, lifetimeSec, home, child, parent);
  } else denied(code, home, child, parent);
  registrarReply(mnSa, e, from != 0 ? from : parent, replyTo, load<u16>(e, E_REPLY_PORT), code, lifetimeSec, home, id);
  const comb = load<u32>(e, E_COMB_REG);
  store<u32>(e, 0, E_COMB_REG);
  if (code == CODE_ACCEPTED && comb != 0) relayCombined(e, home, comb, parent, id);
}

/**
 * The home part of an optimized combined registration (002 §2.8, D.3.1): "change the binding
 * registrar to the Home Server's IP address ... replace the Lifetime with Home Registration Lifetime,
 * and change the care-of address to a newly allocated parent care-of address. Then, relay this
 * registration request message (without the registration server extension) to the Home Server" —
 * with the mobile node's authenticator for the home server (extension 32, computed by the node over
 * this very message with the care-of address still 0.0.0.0, which it could not know; docs/decisions.md)
 * and ours. The home server's reply is relayed to the node like any other (rsReply).
 */
function relayCombined(e: usize, home: u32, registrar: u32, parent: u32, id: u64): void {
  const rsa = registrarSa(registrar);
  if (rsa == 0) return;
  const q = outMsg();
  let n = regReqEmit(q, OUT_CAP, load<u8>(e, E_COMB_FLAGS), load<u16>(e, E_COMB_LIFE), home, registrar, parent, id);
  if (n < 0) return;
  memory.copy(q + <usize>n, e + E_COMB_EXT, <usize>COMB_EXT_LEN);
  n = auth(rsa, n + COMB_EXT_LEN, extOf(rsa));
  relayOut(e, home, registrar, n, id, load<u16>(e, E_REPLY_PORT), load<u16>(e, E_COMB_LIFE), parent);
}

/**
 * Send the request of `n` bytes built in outBuf (authenticated for it) to `registrar` and mark `e`
 * waiting for its reply (002 §6.3), the mobile node's Identification `id` and port `port`; the event
 * with the request's `lifetimeSec` and care-of address `coa`. False (counted) when it could not be sent.
 */
function relayOut(e: usize, home: u32, registrar: u32, n: i32, id: u64, port: i32, lifetimeSec: u16, coa: u32): bool {
  const out = drAddrTo(registrar);
  if (n < 0 || out == 0 || !sendOut(out, registrar, MIP_PORT, n)) { count(C.DROP_NO_ROUTE); return false; }
  count(C.DR_REG_RELAYED);
  flagsSet(e, RF_RELAY);
  store<u32>(e, registrar, E_RELAY_REG);
  store<u64>(e, id, E_RELAY_ID);
  store<u16>(e, port, E_RELAY_PORT);
  store<i64>(e, nowMs() + RELAY_MS, E_RELAY_UNTIL);
  regEvent(DrRegOp.RELAYED, 0, lifetimeSec, home, coa, registrar);
  return true;
}

/** Verify the node's authenticator at `off` of request `m`, over the message with its care-of address as 0.0.0.0 when `zeroCoa`. */
function verifyMn(sa: usize, m: usize, off: i32, zeroCoa: bool): AuthResult {
  if (!zeroCoa) return authVerify(sa, m, off);
  const coa = load<u32>(m, REG_REQ_OFF_COA);
  store<u32>(m, 0, REG_REQ_OFF_COA);
  const r = authVerify(sa, m, off);
  store<u32>(m, coa, REG_REQ_OFF_COA);
  return r;
}

/** A Registration Request to us (see the file comment). */
function request(src: u32, dst: u32, sport: i32, m: usize, ml: i32): i32 {
  count(C.DR_REG_RX);
  if (regReqParse(m, ml, extIndex) != RegErr.OK || !ipIsUnicastSource(src)) { count(C.DROP_DR_MALFORMED); return 1; }

  const home = regHomeAddr(m);
  const registrar = regHomeAgent(m);
  if (!ipIsOurs(registrar)) return relay(src, dst, sport, m, ml, home, registrar);
  const child = regReqCareOfAddr(m);
  const life = regLifetimeSec(m);
  const id = regReqIdentification(m);
  const mnSa = saFindFor(home, cfg.SA_USE_MOBILE_SERVER);
  const nonces = saNonces(mnSa);
  let code: u8 = CODE_ACCEPTED;
  let msOff = extIndexFind(extIndex, EXT_MS_AUTH);
  // Why: 002 D.3.1: the home part of a combined registration, relayed by the local server, carries
  // the node's authenticator as extension 32 computed with the care-of address 0.0.0.0 (the parent
  // the local server filled in is vouched for by that server's own 85, checked below).
  let zeroCoa = false;
  if (msOff == 0 && src != home && saFindFor(src, cfg.SA_USE_SERVER_SERVER) != 0) { msOff = extIndexFind(extIndex, EXT_MH_AUTH); zeroCoa = msOff != 0; }
  let e = regFind(home);
  const from = ipIsOurs(dst) ? dst : registrar;
  let fresh = false;
  let ci = -1;
  // The checks in order; the first that fails sets the code and leaves the block.
  do {
    // Why: RFC 2002 §3.8.2.1 (134) as at a home agent: a unicast home address, a unicast child
    // care-of address that is not ours.
    if (!drOther(home) || (life != 0 && (!drOther(child) || child == home))) { code = CODE_HA_BAD_REQUEST; break; }
    if (mnSa == 0 || msOff == 0 || verifyMn(mnSa, m, msOff, zeroCoa) != AuthResult.OK) {
      // Why: 002 §4.4: the mobile node authenticates to a registration server with the Mobile-Server
      // extension; missing or wrong: 131, as the home agent of RFC 2002 §3.8.2.1 does.
      code = CODE_HA_MN_AUTH_FAILED;
      drAuthFailed(ROLE_RS, EXT_MS_AUTH, code, home, m, msOff);
      break;
    }
    // Why: 002 §4.3, §4.5: a request relayed by a foreign agent carries its Agent-Server extension,
    // one relayed by a server its Server-Server extension, after the mobile node's; missing or
    // wrong: 132 (RFC 2002's "foreign agent failed authentication").
    if (src != home && peerVerify(relaySa(src), m, msOff, EXT_AS_AUTH, CODE_HA_FA_AUTH_FAILED, src) == 0) { code = CODE_HA_FA_AUTH_FAILED; break; }
    // Why: RFC 2002 §5.6.1 compares with the last *accepted* Identification, but here a request is
    // accepted only when its Route Reply comes (§6.2): until then a copy of the node's earlier request
    // (or of the pending one) would still pass and replace the pending registration — an attacker
    // replaying the node's request from its previous care-of address within the window would bind
    // that (found by test/host/fuzz-dremip.test.mjs). Timestamps not later than the pending request's:
    // 133. (With nonces a retransmission keeps its Identification, RFC 2002 §3.6.3, and the nonce changes
    // only on acceptance: nothing to tell a copy from it by.)
    if (haCheckIdentification(mnSa, id, nonces) != ReplayResult.OK || (!nonces && has(e, RF_PENDING) &&
      <i64>(id - load<u64>(e, E_REG_ID)) <= 0)) { code = CODE_HA_ID_MISMATCH; break; }
    if (life == 0) {
      // Why: 002 §6.2: the registration ends, and the care-of agent is asked to disable the route.
      haAccepted(mnSa, id, nonces);
      const f = e != 0 ? load<u8>(e, E_FLAGS) : <u8>0;
      if ((f & RF_ACTIVE) != 0) {
        const parent = load<u32>(e, E_PARENT);
        sendRouteRequest(e, home, parent, 0, load<u32>(e, E_CHILD));
        regEvent(DrRegOp.EXPIRED, 0, 0, home, load<u32>(e, E_CHILD), parent);
      }
      // Why: a registration still waiting for its Route Reply ends with the deregistration too: its
      // Route Reply must not bind what the node has just deregistered (nor make an older Identification
      // the last accepted one). Its care-of agent may have enabled the route already: it is disabled
      // (found by test/host/fuzz-dremip.test.mjs).
      if ((f & RF_PENDING) != 0 && ((f & RF_ACTIVE) == 0 || load<u32>(e, E_PEND_PARENT) != load<u32>(e, E_PARENT))) {
        sendRouteRequest(e, home, load<u32>(e, E_PEND_PARENT), 0, load<u32>(e, E_PEND_CHILD));
      }
      if ((f & (RF_ACTIVE | RF_PENDING)) != 0) removeReg(e);
      registrarReply(mnSa, 0, from, src, sport, CODE_ACCEPTED, 0, home, id);
      return 0;
    }
    if (e == 0) {
      if (capacity == 0 || htUsed(regs) >= capacity) { count(C.DROP_DR_NO_ROOM); code = CODE_HA_NO_RESOURCES; break; }
      e = htInsertV4(regs, home);
      if (e == 0) { code = CODE_HA_NO_RESOURCES; break; }
      fresh = true;
      memory.fill(e, 0, E_SIZE);
      store<i32>(e, -1, E_TIMER);
    }
    // The care-of agent: the one the node has (§6.2), else the least loaded (§6.6).
    ci = has(e, RF_ACTIVE) ? coaIndexOf(load<u32>(e, E_PARENT)) : -1;
    if (ci < 0) ci = pickCareOfAgent(0);
    if (ci < 0) code = CODE_HA_NO_RESOURCES;
  } while (false);
  if (code != CODE_ACCEPTED) {
    // Why: a denial is authenticated for the node with its Mobile-Server extension (002 §4.4); a home
    // address we share no association with gets no answer at all, whatever the code (134 included:
    // nothing unauthenticated makes the server transmit, no reflection; found by
    // test/host/fuzz-dremip.test.mjs).
    if (mnSa == 0 && code != CODE_HA_MN_AUTH_FAILED) drAuthFailed(ROLE_RS, EXT_MS_AUTH, code, home, m, 0);
    if (mnSa != 0) {
      denied(code, home, child, 0);
      registrarReply(mnSa, e, from, src, sport, code, 0, home, id);
    }
    if (fresh) htRemoveAt(regs, htIndexOf(regs, e));
    return 0;
  }
  // Why: 002 §2.8, D.3.1: a Registration Server extension and the home registrar's authenticator
  // before ours make this a combined local and home registration: the home part is relayed once the
  // local one is done (relayCombined), to the first server named, for the extension's Lifetime.
  const rsOff = extIndexFind(extIndex, EXT_REG_SERVER);
  const mhOff = extIndexFind(extIndex, EXT_MH_AUTH);
  store<u32>(e, 0, E_COMB_REG);
  if (rsOff != 0 && mhOff > rsOff && mhOff < msOff && extEnd(m, mhOff) - mhOff == COMB_EXT_LEN && life != 0 &&
      rsExtCount(m + <usize>rsOff) >= 1 && registrarSa(rsAddress(m + <usize>rsOff, 0)) != 0) {
    store<u32>(e, rsAddress(m + <usize>rsOff, 0), E_COMB_REG);
    store<u16>(e, rsLifetimeSec(m + <usize>rsOff), E_COMB_LIFE);
    store<u8>(e, regReqFlags(m), E_COMB_FLAGS);
    memory.copy(e + E_COMB_EXT, m + <usize>mhOff, <usize>COMB_EXT_LEN);
  }
  flagsSet(e, RF_PENDING);
  store<u8>(e, 0, E_PEND_FLAGS);
  store<u32>(e, src, E_REPLY_TO);
  store<u16>(e, sport, E_REPLY_PORT);
  store<u64>(e, id, E_REG_ID);
  store<u16>(e, life, E_REQ_LIFE);
  store<u32>(e, child, E_PEND_CHILD);
  regEvent(DrRegOp.PENDING, 0, life, home, child, cfg.serverAddress(ci));
  // Why: 002 §6.2: "The server SHOULD NOT return Registration Request [Reply] to the mobile node until
  // it receives a Route Reply from the care-of agent" — the reply is sent from rsRouteReply.
  if (!startRoute(e, home, ci)) {
    flagsClear(e, RF_PENDING);
    finishPending(e, home, CODE_HA_NO_RESOURCES, 0);
  }
  // (Pending, or else what finishPending left.)
  settle(e);
  return 0;
}

/** A request to relay to another binding registrar (002 §6.3). */
function relay(src: u32, dst: u32, sport: i32, m: usize, ml: i32, home: u32, registrar: u32): i32 {
  const mnSa = saFindFor(home, cfg.SA_USE_MOBILE_SERVER);
  // Why: 002 D.1.2: the mobile node authenticates to us, the relay, with the Mobile-Foreign extension
  // computed with our mobile-server association (docs/decisions.md: a second 84 would be ambiguous).
  const mf = extIndexFind(extIndex, EXT_MF_AUTH);
  if (!drAuthLast(mnSa, m, ml, mf)) { drAuthFailed(ROLE_RS, EXT_MF_AUTH, 0, home, m, mf); return 1; }
  const e = regFind(home);
  const nonces = saNonces(mnSa);
  const id = regReqIdentification(m);
  let code: u8 = CODE_ACCEPTED;
  let rsa: usize = 0;
  // The registrar's authenticator (84 for a server, 32 for a home agent) ends what we relay.
  const regOff = mnAuthOff();
  // Why: 002 §6.3: "MUST verify that there is already an entry for this mobile node where it acts as
  // a binding registrar. If not, the Registration Request MUST deny this request."
  if (!has(e, RF_ACTIVE)) code = CODE_HA_PROHIBITED;
  // Why: 002 §6.3 / appendix D.2: no association with the registrar: denied with 67 and a
  // Registration Server extension naming a transit server.
  else if ((rsa = registrarSa(registrar)) == 0) code = 67;
  else if (regOff == 0 || regOff > mf) code = CODE_HA_BAD_REQUEST;
  const from = ipIsOurs(dst) ? dst : drAddrTo(src);
  if (code != CODE_ACCEPTED) {
    denied(code, home, regReqCareOfAddr(m), registrar);
    // Why: 002 §6.3: "a mobile-server authentication extension in the reply if the server denies".
    const q = outMsg();
    let n = regRepEmit(q, OUT_CAP, code, 0, home, registrar, id);
    if (code == 67) n = appendTransit(q, n);
    const a = auth(mnSa, n, EXT_MS_AUTH);
    if (a > 0 && sendOut(from, src, sport, a)) count(C.DR_REG_REPLY_TX);
    return 0;
  }
  // Relay in place: the message up to the registrar's authenticator, then ours (§6.3 "a
  // server-server authentication extension in the request to be relayed").
  const cut = extEnd(m, regOff);
  const q = outMsg();
  memory.copy(q, m, <usize>cut);
  const n = auth(rsa, cut, extOf(rsa));
  if (n < 0 || !relayOut(e, home, registrar, n, id, sport, regLifetimeSec(m), regReqCareOfAddr(m))) return 1;
  rearm(e);
  return 0;
}

/** A Registration Reply from a registrar we relayed to: checked, relayed to the mobile node (§6.3). */
function reply(src: u32, m: usize, ml: i32): i32 {
  if (ml < REG_REP_LEN) { count(C.DROP_DR_MALFORMED); return 1; }
  const home = regHomeAddr(m);
  const e = regFind(home);
  if (!has(e, RF_RELAY) || load<u32>(e, E_RELAY_REG) != src ||
    <u32>load<u64>(e, E_RELAY_ID) != <u32>regRepIdentification(m)) { count(C.DROP_DR_REPLAY); return 1; }
  if (regRepParse(m, ml, extIndex) != RegErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  // Why: 002 §6.3 as RFC 2002 §3.7.3.1 at a foreign agent: the registrar's reply must verify with our
  // association with it; else it is discarded (the mobile node retransmits).
  const off = peerVerify(registrarSa(src), m, 0, EXT_SS_AUTH, 0, src);
  if (off == 0) return 1;
  const mnOff = mnAuthOff();
  const cut = mnOff != 0 ? extEnd(m, mnOff) : off;
  const q = outMsg();
  memory.copy(q, m, <usize>cut);
  const n = authAppendOr(saFindFor(home, cfg.SA_USE_MOBILE_SERVER), q, cut, OUT_CAP, EXT_MF_AUTH);
  flagsClear(e, RF_RELAY);
  regEvent(DrRegOp.RELAY_DONE, regRepCode(m), regLifetimeSec(m), home, load<u32>(e, E_CHILD), src);
  // To the mobile node: through its local registration here (rsRoute).
  const from = drAddrTo(load<u32>(e, E_CHILD));
  if (sendOut(from, home, load<u16>(e, E_RELAY_PORT), n)) count(C.DR_REG_REPLY_TX);
  rearm(e);
  return 0;
}

/** UDP 434 type 33 (mip.ts handler): the Route Reply of a care-of agent we asked (§6.5). */
export function rsRouteReply(iface: i32, p: usize, len: i32): i32 {
  const m = drMsg(p);
  const ml = drMsgLen(m);
  if (!ipIsOurs(ipv4Dst(p))) return -1;
  if (rtParse(m, ml, DR_TYPE_ROUTE_REPLY, extIndex) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  const src = ipv4Src(p);
  const home = rtDest(m);
  const e = regFind(home);
  // Why: 002 §6.5: valid only when "the low-order 32 bits of the Identification field in the Route
  // Reply equals to the low-order 32 bits of the Identification field in the most recent Route
  // Request sent to the care-of agent" — from that care-of agent.
  if (!has(e, RF_PENDING) || load<u32>(e, E_PEND_PARENT) != src ||
    <u32>load<u64>(e, E_RT_ID) != <u32>rtIdentification(m) || rtNextHop(m) != load<u32>(e, E_PEND_CHILD)) { count(C.DROP_DR_REPLAY); return 1; }
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  const off = extIndexFind(extIndex, EXT_AS_AUTH);
  // Why: 002 §6.5: "the reply MUST include a Agent-Server Authentication extension".
  if (!drAuthLast(sa, m, ml, off)) { drAuthFailed(ROLE_RS, EXT_AS_AUTH, 0, src, m, off); return 1; }
  count(C.DR_RT_REPLY_RX);
  const code = rtCode(m);
  const rlife = rtLifetimeSec(m);
  const want = load<u16>(e, E_REQ_LIFE);
  flagsClear(e, RF_PENDING);
  // Why: 002 §6.5: "If the code field is negative or the lifetime is zero, the server MUST send a
  // Registration Reply message with a negative code"; otherwise the registration lifetime is never
  // more than the tunnel's (no previous agent notification here).
  if (!rtAccepted(code) || rlife == 0) finishPending(e, home, code == RT_PROHIBITED ? CODE_HA_PROHIBITED : CODE_HA_NO_RESOURCES, 0);
  else finishPending(e, home, CODE_ACCEPTED, rlife < want ? rlife : want);
  settle(e);
  return 0;
}

/** UDP 434 types 1 and 3 (mip.ts handler): requests with R to us, replies to requests we relayed. */
export function rsUdp(iface: i32, p: usize, len: i32): i32 {
  const m = drMsg(p);
  const ml = drMsgLen(m);
  const dst = ipv4Dst(p);
  const src = ipv4Src(p);
  if (ml < 1) return -1;
  const t = load<u8>(m);
  const ours = ipIsOurs(dst);
  // Appendix A: the all-registration-servers group.
  if (t == DR_TYPE_RS_SOLICIT && (dst == ALL_RS_GROUP || ours)) return rsSolicit(m, ml);
  if (!ours) return -1;
  if (t == REG_TYPE_REPLY) return reply(src, m, ml);
  if (t == DR_TYPE_COA_ADVERT) return coaAdvert(src, m, ml);
  // Why: 002 §2.9: a request without R is the base protocol's, for a home or foreign agent.
  if (t != REG_TYPE_REQUEST || ml < REG_REQ_LEN || (regReqFlags(m) & REQ_FLAG_R) == 0) return -1;
  return request(src, dst, udpSrcPort(m - <usize>UDP_HEADER_LEN), m, ml);
}

/**
 * Route source, for datagrams this server originates (its replies): to a home address it is the
 * active binding registrar of, through the local tunnel to the child care-of address.
 */
export function rsRoute(inIface: i32, src: u32, dst: u32): i64 {
  if (inIface >= 0 || capacity == 0 || htUsed(regs) == 0) return NO_ROUTE;
  const e = htFindV4(regs, dst);
  return has(e, RF_ACTIVE) ? routeVirtual(VIF_RS_LOCAL, <u32>e) : NO_ROUTE;
}

/** The local tunnel's virtual interface: IP in IP to the registration's child care-of address. */
export function rsVif(r: i64, inIface: i32, p: usize, len: i32): i32 {
  const e = regFind(ipv4DstInline(p));
  if (!has(e, RF_ACTIVE)) { routeChanged(); return -1; }
  return drTunnel(p, len, load<u32>(e, E_CHILD), false, C.DR_RS_TUNNELLED);
}

const dumpCur: usize = memory.data<i32>([-1, -1]); // drDumpSeek's cursor

/**
 * Dump table 8 (docs/abi.md): registration `index` (80 bytes at `out`; 002 §6.1): 0 expiresAtMs i64
 * (of the registration in force) | 8 grantedSec u16 | 10 flags u8 (1 registrar of a registration in
 * force, 2 waiting for a Route Reply, 4 relaying a request) | 11 pad[5] | 16 home[16] | 32 childCoa[16] |
 * 48 parentCoa[16] | 64 relayRegistrar[16] (while relaying). Its length, or -1 past the end.
 */
export function rsDump(index: i32, out: usize): i32 {
  if (capacity == 0) return -1;
  const e = drDumpHead(regs, dumpCur, index, out, E_EXPIRES);
  if (e == 0) return -1;
  const f = load<u8>(e, E_FLAGS);
  store<u64>(out, <u64>load<u16>(e, E_GRANTED) | (<u64>(f & (RF_ACTIVE | RF_PENDING | RF_RELAY)) << 16), 8);
  addrSetV4(out + 32, (f & RF_ACTIVE) != 0 ? load<u32>(e, E_CHILD) : load<u32>(e, E_PEND_CHILD));
  addrSetV4(out + 48, (f & RF_ACTIVE) != 0 ? load<u32>(e, E_PARENT) : load<u32>(e, E_PEND_PARENT));
  addrSetV4(out + 64, (f & RF_RELAY) != 0 ? load<u32>(e, E_RELAY_REG) : 0);
  return 80;
}
