// Mobile node: agent discovery and movement detection (RFC 2002 §2.4): solicitations, advertisements,
// adopting an agent, attaching through a foreign agent or a co-located address, going home, link
// changes. mobility/mn/node.ts has the overview.

import * as cfg from "../../config";
import { C, count } from "../../counters";
import { MoveReason } from "../../events";
import { nowMs } from "../../clock";
import { netifCount, netifValid, netifUp, netifIp, netifFlags } from "../../link/netif";
import { stackTimers, stackTimerArm, stackTimerDisarm } from "../../sys/timers";
import { linkSendIp, arpGratuitous, GARP_COUNT, GARP_INTERVAL_MS } from "../../stack/arp";
import { ipNextIdent } from "../../stack/ip";
import { timerActive } from "../../table/timer";
import { random32 } from "../../security/replay";
import { dhcpStart, dhcpStop } from "../../app/dhcp";
import {
  ipv4HeaderLen, ipv4Src, ipv4Dst, ipv4Emit, ipv4Ttl, ipIsUnicastSource, IP_BROADCAST, IPPROTO_ICMP,
  IPV4_MIN_HEADER,
} from "../../wire/ipv4";
import {
  IcmpErr, icmpType, raCheckRest, raMobility, raPrefixLengths, raUnknown, raLifetimeSec, raNumAddrs, raRouterAddr, maSeq,
  maRegLifetimeSec, maFlags, maNumCareOf, maCareOf, prefixLengthAt, rsEmit, ICMP_ROUTER_ADVERT,
  EXT_MOBILITY_AGENT, EXT_PREFIX_LENGTHS, MA_FLAG_R, MA_FLAG_H, MA_FLAG_F, ICMP_HEADER_LEN,
} from "../../wire/icmp";
import { ALL_SYSTEMS } from "../agent";
import * as S from "./state";
import {
  AGENTS, A_ADDR, A_COA, A_EXPIRES, A_FLAGS, A_FRESH, A_IFACE, A_MAC, A_PLEN, A_REGLIFE, A_ROUTER, A_RS, A_RS_HOME, A_SEQ,
  A_TIMER, A_USED, INITIAL_SOLICITS, KIND_COLOC, KIND_DEREG, KIND_FA, MODE_COLOC, MODE_FA, MODE_NONE,
  PLEN_UNKNOWN, REG_IDLE, REG_PENDING, REG_REGISTERED, SOLICIT_ANSWER_MS, SOLICIT_MAX_MS, SOLICIT_MIN_GAP_MS,
  ST_AWAY, ST_HOME, TK_MN_AGENT, TK_MN_FAWAIT, TK_MN_GARP, TK_MN_SOLICIT, TX_IP, agents, txBuf, emitMove,
  setHomeState, slot,
} from "./state";
import {
  agentFind, agentFree, agentAlloc, agentUsableFa, agentIsHome, advertSourceOnLink, prefixDiffers,
} from "./agents";
import { drServerOf, drHomeListed } from "./dremip";
const drServerOfRef: usize = changetype<usize>(drServerOf);
import { beginRegistration, pauseFaRegistration } from "./registration";

function sendSolicitation(iface: i32): void {
  const ip = txBuf + TX_IP;
  const icmp = ip + <usize>IPV4_MIN_HEADER;
  rsEmit(icmp);
  // Source: the co-located care-of address when one is in use away from home, else the interface
  // (home) address; agents answer to it at the soliciter's MAC (contract). TTL 1 (RFC 2002 §2.2).
  const src = iface == S.colocIface && S.colocAddr != 0 && S.homeState == ST_AWAY ? S.colocAddr : netifIp(iface);
  ipv4Emit(ip, 0, <u16>(IPV4_MIN_HEADER + ICMP_HEADER_LEN), ipNextIdent(), 0, 1, IPPROTO_ICMP, src, IP_BROADCAST);
  count(C.MN_SOLICIT_TX);
  linkSendIp(iface, IP_BROADCAST, ip, IPV4_MIN_HEADER + ICMP_HEADER_LEN);
}

function solicitInterval(n: i32): i64 {
  // Why: RFC 2002 §2.4.1: three initial solicitations at most one per solicitIntervalMs, then binary
  // exponential back-off up to at least a minute, randomised (here 0..+10%, never earlier).
  let ms = <i64>cfg.solicitIntervalMs();
  const cap = <i64>max(SOLICIT_MAX_MS, cfg.solicitIntervalMs());
  for (let k = INITIAL_SOLICITS; k <= n && ms < cap; k++) ms <<= 1;
  if (ms > cap) ms = cap;
  return ms + <i64>(random32() % <u32>(ms / 10 + 1));
}

export function solicitNow(): void {
  const now = nowMs();
  if (S.solicitSent && now - S.lastSolicitAt < SOLICIT_MIN_GAP_MS) {
    // Why: RFC 2002 §2.4.1: the rate of solicitations MUST be limited by the mobile node, at most
    // one per second even when link-up events (a flapping link) ask for more: the held-back one goes
    // out when the second is over.
    count(C.MN_SOLICIT_DEFERRED);
    S.hSolicit = stackTimerArm(S.hSolicit, TK_MN_SOLICIT, 0, S.lastSolicitAt + SOLICIT_MIN_GAP_MS);
    return;
  }
  let sent = 0;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifUp(i)) { sendSolicitation(i); sent++; }
  if (sent == 0) {
    // Every link is down (mid-handoff): nothing left, so nothing counts against the rate limit —
    // the link-up that ends the handoff must be able to solicit at once.
    S.hSolicit = stackTimerDisarm(S.hSolicit);
    return;
  }
  S.solicitSent = true;
  S.lastSolicitAt = now;
  S.solicitCount++;
  S.hSolicit = stackTimerArm(S.hSolicit, TK_MN_SOLICIT, 0, now + solicitInterval(S.solicitCount));
}

/** Begin (again) searching: solicit at once, then per RFC 2002 §2.4.1. */
export function startSoliciting(): void {
  S.solicitCount = 0;
  solicitNow();
}

function stopSoliciting(): void { S.hSolicit = stackTimerDisarm(S.hSolicit); }

/** Arm the wait after which, with no foreign agent heard, a co-located care-of address is used. */
export function armFaWait(): void {
  if (cfg.colocated == 0) return;
  S.hFaWait = stackTimerArm(S.hFaWait, TK_MN_FAWAIT, 0, nowMs() + <i64>cfg.solicitIntervalMs() * INITIAL_SOLICITS);
}

/** First up interface that may use DHCP (the home interface first), or -1. */
export function dhcpIface(): i32 {
  // k = -1 is the home interface, then every interface in order (one test: size, issue 12).
  for (let k = -1; k < netifCount(); k++) {
    const i = k < 0 ? S.mnIface : k;
    if (netifValid(i) && netifUp(i) && (netifFlags(i) & cfg.IF_DHCP) != 0) return i;
  }
  return -1;
}

/** Register (away) according to the current agent and the co-located policy. */
export function attach(retry: bool): void {
  if (S.homeState != ST_AWAY) return;
  if (S.cur < 0) {
    if (S.mode == MODE_COLOC && S.colocAddr != 0) beginRegistration(KIND_COLOC, -1, retry);
    return;
  }
  const s = slot(S.cur);
  const iface = <i32>load<u8>(s, A_IFACE);
  const flags = load<u16>(s, A_FLAGS);
  const faOk = agentUsableFa(S.cur);
  const dhcpOk = cfg.colocated >= 1 && (netifFlags(iface) & cfg.IF_DHCP) != 0;
  // Why: RFC 2002 §3.1: with R set the mobile node registers through the foreign agent even if it
  // could use a co-located address; otherwise colocated=2 prefers a co-located address and
  // colocated=1 uses one only when no foreign agent serves the link.
  if (dhcpOk && (flags & MA_FLAG_R) == 0 && (cfg.colocated == 2 || !faOk)) {
    useColocated(iface, retry);
  } else if (faOk) {
    // A co-located address (kept from colocated=2's early DHCP, or in use) is not needed here.
    if (S.colocIface >= 0) dropColocated();
    S.mode = MODE_FA;
    beginRegistration(KIND_FA, S.cur, retry);
  } else {
    // Busy or R-only agent: wait for its next advertisement or another agent.
    if (S.mode == MODE_COLOC) dropColocated();
    S.mode = MODE_NONE;
  }
}

export function useColocated(iface: i32, retry: bool): void {
  S.mode = MODE_COLOC;
  if (S.colocIface == iface && S.colocAddr != 0) beginRegistration(KIND_COLOC, -1, retry);
  else dhcpStart(iface);
}

export function dropColocated(): void {
  if (S.colocIface >= 0) dhcpStop(S.colocIface);
  S.colocIface = -1;
  S.colocAddr = 0;
  S.colocRouter = 0;
}

/** Make agent `i` the current one: home, or movement to it (MOVE with `reason`, 0 = none). */
export function adopt(i: i32, reason: u8): void {
  const s = slot(i);
  const iface = <i32>load<u8>(s, A_IFACE);
  const addr = load<u32>(s, A_ADDR);
  const prev = S.cur;
  S.cur = i;
  for (let k = 0; k < AGENTS; k++) store<u8>(slot(k), 0, A_FRESH);
  stopSoliciting();
  S.hFaWait = stackTimerDisarm(S.hFaWait);
  if (agentIsHome(i)) { goHome(i, prev); return; }
  const wasHome = S.homeState != ST_AWAY;
  setHomeState(ST_AWAY, addr);
  // The same foreign agent as the registration in force (e.g. re-association to the same access
  // point): no movement; a valid registration stays, a paused one is sent again.
  if (!wasHome && S.regKind == KIND_FA && S.regAgentAddr == addr && S.regIface == iface && S.regCoa == load<u32>(s, A_COA) &&
      agentUsableFa(i) && (S.regState == REG_PENDING || (S.regState == REG_REGISTERED && S.regUntil > nowMs()))) {
    S.pendingReason = 0;
    S.mode = MODE_FA;
    if (S.regState == REG_PENDING && !timerActive(stackTimers, S.hReg)) beginRegistration(KIND_FA, i, false);
    return;
  }
  const r = reason != 0 ? reason : S.pendingReason != 0 ? S.pendingReason : <u8>MoveReason.NEW_AGENT;
  S.pendingReason = 0;
  emitMove(iface, r, load<u16>(s, A_SEQ), addr, load<u32>(s, A_COA));
  S.lifetimeCap = 0;
  S.denials = 0;
  attach(false);
}

/** The current agent `i` says we are home (RFC 2002 §2.4.3, §4.6). */
function goHome(i: i32, prev: i32): void {
  const s = slot(i);
  const addr = load<u32>(s, A_ADDR);
  const wasAway = S.homeState == ST_AWAY;
  // Dynamic discovery at home: the advertising home agent is ours.
  if (S.ha == 0 && (load<u16>(s, A_FLAGS) & MA_FLAG_H) != 0) S.ha = addr;
  setHomeState(ST_HOME, addr);
  S.pendingReason = 0;
  S.mode = MODE_NONE;
  dropColocated();
  S.hRenew = stackTimerDisarm(S.hRenew);
  if (wasAway) {
    emitMove(<i32>load<u8>(s, A_IFACE), <u8>MoveReason.HOME, load<u16>(s, A_SEQ), addr, cfg.homeAddress);
    // Why: RFC 2002 §4.6: on return, announce the home address at our own MAC so that caches which
    // the home agent's gratuitous/proxy ARP pointed at it are corrected (sent GARP_COUNT times).
    if (S.mnIface >= 0) {
      arpGratuitous(S.mnIface, cfg.homeAddress);
      S.hGarp = stackTimerArm(S.hGarp, TK_MN_GARP, <u32>(GARP_COUNT - 1), nowMs() + GARP_INTERVAL_MS);
    }
  }
  if (S.bindingAway) {
    S.denials = 0;
    beginRegistration(KIND_DEREG, -1, false);
  } else if (S.regState != REG_IDLE) {
    S.regState = REG_IDLE;
    S.hReg = stackTimerDisarm(S.hReg);
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
  if (raCheckRest(m, ml) != IcmpErr.OK) { count(C.MN_ADVERT_MALFORMED); return 1; }
  const mo = raMobility;
  // A plain router advertisement is not agent discovery: the local stack may want it.
  if (mo < 0) return -1;
  // Why: RFC 2002 §1.9: an unknown extension 0-127 makes the whole advertisement discarded.
  const unk = raUnknown;
  if (<u32>unk < 128) { count(C.MN_ADVERT_MALFORMED); return 1; } // 0-127 (none: -1)
  // Why: RFC 2002 §2.1 / §2.4: agent discovery describes the link the node is attached to. An
  // advertisement taken out of a tunnel was sent to our home address from anywhere (the home agent
  // tunnels whatever is addressed to it): one such datagram would send an away node "home".
  if (S.inTunnel) { count(C.DROP_MN_ADVERT_TUNNELLED); return 1; }
  // Why: RFC 2002 §2.1: the TTL of every Agent Advertisement MUST be 1; anything else was not sent
  // by an agent on this link as an advertisement (e.g. a datagram a foreign agent delivered).
  if (ipv4Ttl(p) != 1) { count(C.DROP_MN_ADVERT_TTL); return 1; }
  const src = ipv4Src(p);
  // Why: RFC 1256 §5.4 / RFC 2002 §2.3.1: the advertisement comes from the agent's own address.
  if (!ipIsUnicastSource(src)) { count(C.MN_ADVERT_MALFORMED); return 1; }
  const po = raPrefixLengths;
  if (!advertSourceOnLink(m, po, src)) { count(C.DROP_MN_ADVERT_OFF_LINK); return 1; }
  const now = nowMs();
  const dst = ipv4Dst(p);
  // Why: RFC 2002 §2.1: advertisements go to 224.0.0.1 or 255.255.255.255; only the answer to a
  // solicitation may go to the soliciter's address (RFC 1256 §3.2; agent.ts does so). A unicast one
  // long after our last solicitation answers nothing: it is what a router (or a foreign agent)
  // forwards to our address from off the link, e.g. a forged "home" advertisement.
  if (dst != ALL_SYSTEMS && dst != IP_BROADCAST && !(S.solicitSent && now - S.lastSolicitAt <= SOLICIT_ANSWER_MS)) {
    count(C.DROP_MN_ADVERT_UNSOLICITED);
    return 1;
  }
  count(C.MN_ADVERT_RX);
  const seq = <i32>maSeq(m, mo);
  const flags = maFlags(m, mo);
  let coa: u32 = 0;
  if ((flags & MA_FLAG_F) != 0 && maNumCareOf(m, mo) > 0) coa = maCareOf(m, mo, 0);
  let router = src;
  let plen = PLEN_UNKNOWN;
  if (raNumAddrs(m) > 0) {
    router = raRouterAddr(m, 0);
    if (po >= 0) plen = prefixLengthAt(m, po, 0);
  }

  let i = agentFind(iface, src);
  let rebooted = false;
  if (i >= 0) {
    // Why: RFC 2002 §2.4.4: a sequence number lower than the previous one and below 256 means the
    // agent rebooted (sequence numbers wrap to 256, never below): its registrations are lost.
    const old = <i32>load<u16>(slot(i), A_SEQ);
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
  // Why: 002 §8.1: the registration server to register with, from the Registration Server extension.
  // (Through a reference, not folded into this function: reply.ts says why.)
  store<u32>(a, cfg.drEnabled ? changetype<(m: usize, l: i32) => u32>(drServerOfRef)(m, ml) : 0, A_RS);
  store<u8>(a, cfg.drEnabled && drHomeListed ? 1 : 0, A_RS_HOME);
  // Why: RFC 2002 §2.4.2 algorithm 1: the advertisement is valid for the ICMP Lifetime.
  const exp = now + <i64>raLifetimeSec(m) * 1000;
  store<i64>(a, exp, A_EXPIRES);
  store<i32>(a, stackTimerArm(load<i32>(a, A_TIMER), TK_MN_AGENT, <u32>i, exp), A_TIMER);

  if (S.cur < 0) {
    adopt(i, 0);
  } else if (i == S.cur) {
    if (rebooted && S.homeState == ST_AWAY && S.mode == MODE_FA) {
      emitMove(iface, <u8>MoveReason.AGENT_REBOOT, <u16>seq, src, coa);
      beginRegistration(KIND_FA, S.cur, false);
    } else if (S.homeState == ST_AWAY && S.mode == MODE_NONE) {
      attach(false); // e.g. the agent is no longer busy
    }
  } else if (S.homeState != ST_HOME && agentIsHome(i)) {
    // Why: RFC 2002 §2.4.3: an advertisement from our home agent (or on the home prefix) means home.
    adopt(i, 0);
  } else if (load<u8>(a, A_FRESH) != 0 && prefixDiffers(i)) {
    // Why: RFC 2002 §2.4.2 algorithm 2: a newly heard agent on another network prefix means we
    // moved (switching at once rather than at the registration's end: handoff latency).
    adopt(i, <u8>MoveReason.PREFIX_CHANGE);
  } else if (S.homeState == ST_AWAY && S.mode == MODE_NONE && agentUsableFa(i)) {
    adopt(i, <u8>MoveReason.NEW_AGENT);
  }
  return 0;
}

/**
 * Link state change: down forgets the agents heard on `iface` (a link-layer handoff started); up
 * (maybe a new access point) forgets them too and solicits at once — the next advertisement from a
 * different agent is movement (RFC 2002 §2.4.1: a positive indication of a new link allows the
 * fast solicitation rate again).
 */
export function mnLink(iface: i32, up: bool): void {
  for (let i = 0; i < AGENTS; i++) {
    const s = slot(i);
    if (load<u8>(s, A_USED) != 0 && <i32>load<u8>(s, A_IFACE) == iface) agentFree(i);
  }
  // No current agent now: there was none, or it was on this link (agentFree forgot it).
  if (S.cur < 0) S.pendingReason = <u8>MoveReason.LINK;
  if (iface == S.colocIface) {
    // The co-located address belongs to the link we left; a new one is acquired if still needed.
    dropColocated();
    if (S.regState == REG_PENDING && S.regKind == KIND_COLOC) { S.regState = REG_IDLE; S.hReg = stackTimerDisarm(S.hReg); }
  }
  if (S.mode == MODE_FA && S.cur < 0) { S.mode = MODE_NONE; pauseFaRegistration(); }
  if (up) {
    startSoliciting();
    armFaWait();
    if (cfg.colocated == 2 && (netifFlags(iface) & cfg.IF_DHCP) != 0 && S.colocIface < 0) { S.colocIface = iface; dhcpStart(iface); }
  } else if (S.cur < 0) {
    stopSoliciting();
    S.hFaWait = stackTimerDisarm(S.hFaWait);
  }
}
