// Mobile node: registration requests (RFC 2002 §3.6): flags, building, signing and sending one
// request, retransmission and back-off. mobility/mn/node.ts has the overview.

import * as cfg from "../../config";
import { C, count } from "../../counters";
import { Ev } from "../../events";
import { nowMs } from "../../clock";
import { stackTimerArm, stackTimerDisarm } from "../../sys/timers";
import { linkSendIp, linkSendIpTo } from "../../stack/arp";
import { ipNextIdent } from "../../stack/ip";
import { authAppend } from "../../security/auth";
import { mnIdentification } from "../../security/replay";
import { IPV4_MIN_HEADER } from "../../wire/ipv4";
import { macIsZero } from "../../wire/ethernet";
import { udpIpEmit, UDP_HEADER_LEN } from "../../wire/udp";
import { MA_FLAG_M, MA_FLAG_G, MA_FLAG_V } from "../../wire/icmp";
import {
  MIP_PORT, REG_REQ_LEN, regReqEmit, REQ_FLAG_S, REQ_FLAG_B, REQ_FLAG_D, REQ_FLAG_M, REQ_FLAG_G, REQ_FLAG_V,
  REQ_FLAG_T, REQ_FLAG_P, REQ_FLAG_R, LIFETIME_INFINITE,
} from "../../wire/registration";
import { EXT_MH_AUTH, EXT_MF_AUTH, EXT_MS_AUTH } from "../../wire/mipext";
import { saFindFor } from "../../security/sa";
import { rsAppendEmpty, rsSetServer } from "../../wire/dremip";
import { smoothAppendPfan } from "./smooth";
import { regkeyRequestAppend } from "../../security/regkey";
import { random32 } from "../../security/replay";
import { MA_FLAG_S } from "../../wire/icmp";

/** The SPI the request just sent asked a registration key for (0: none), for the reply (reply.ts). */
export let keySpi: u32 = 0;
import * as S from "./state";
import {
  A_ADDR, A_COA, A_FLAGS, A_IFACE, A_MAC, A_REGLIFE, A_RS, A_RS_HOME, KIND_COLOC, KIND_DEREG, KIND_FA, KIND_DR_HOME, KIND_DR_TRANSIT,
  REG_BACKOFF, REG_IDLE, REG_MIN_GAP_MS, REG_PENDING, ST_AWAY, TK_MN_REG, TK_MN_RENEW, TX_CAP, TX_IP, regMac, txBuf, homeBroadcast, useNonces,
  saPeerFor, mhSa, colocNextHop, slot,
} from "./state";
import { agentFind, agentValid } from "./agents";

/**
 * Request flags for the outstanding kind: configured S B M G V, D when co-located; T (0x02) for a
 * reverse tunnel in the "rfc3344" profile; 0x02 as the seeds' P when route optimization's `private`
 * is set; 0x01 (the seeds' R, reserved in rfc3344) never.
 */
function requestFlags(kind: i32, agentFlags: i32): u8 {
  if (kind == KIND_DEREG) return 0;
  let f = <u8>(cfg.requestFlags() & (REQ_FLAG_S | REQ_FLAG_B | REQ_FLAG_M | REQ_FLAG_G | REQ_FLAG_V));
  // Why: RFC 3024 §3.2: T asks the foreign agent (and tells the home agent) for a reverse tunnel.
  // In the "seeds" profile 0x02 is P (SPEC-DECISIONS: private address, 001 §4.6), a different
  // request: no bit says T there (docs/decisions.md).
  if (cfg.reverseTunnel && cfg.registrationProfile == cfg.PROFILE_RFC3344) f |= REQ_FLAG_T;
  // Why: 001 §4.6: P asks the home agent never to disclose the binding in a Binding Update (only in
  // the seeds' registration profile, where 0x02 is P).
  if (cfg.roPrivate() && cfg.registrationProfile == cfg.PROFILE_SEEDS) f |= REQ_FLAG_P;
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
export function transmit(retransmission: bool): bool {
  const viaFa = S.regKind == KIND_FA;
  const peer = S.regDr ? S.regHaField : saPeerFor(S.regHaField);
  // Why: 002 §4.4: with R a registration server is the binding registrar: the Mobile-Server
  // extension (84) with our mobile-server association; a home agent registrar (a home registration
  // without a home server, §8.2) keeps the Mobile-Home one.
  let use = cfg.SA_USE_MOBILE_HOME;
  if (S.regDr && saFindFor(peer, cfg.SA_USE_MOBILE_SERVER) != 0) use = cfg.SA_USE_MOBILE_SERVER;
  const sa = saFindFor(peer, use);
  // Why: RFC 2002 §3.5.2: every request carries the mobile-home authentication; without an
  // association there is nothing we may send.
  if (sa == 0) { count(C.MN_NO_SA); return false; }
  S.regSaPeer = peer;
  S.regSaUse = use;
  // Why: 002 §8.3: the home (or transit) registration that follows an accepted local one is the next
  // step of one registration, not a retransmission or a new attempt: it goes at once (a retransmission
  // of it is held to the second like any other).
  const chained = !retransmission && (S.regKind >= KIND_DR_HOME);
  if (S.reqSent && !chained && nowMs() - S.lastReqAt < REG_MIN_GAP_MS) {
    // Why: RFC 2002 §3.6.3: the minimum time between Registration Requests MUST NOT be less than
    // 1 second — any two, not only retransmissions: advertisements (new prefixes, sequence
    // "reboots"), S.denials and 133 replies would otherwise drive a request storm. The newest
    // registration waits until the second is over; a reply to the request sent before it is not
    // an answer to it (S.regSent).
    count(C.MN_REG_DEFERRED);
    S.regDeferred = true;
    S.regDeferredRetrans = retransmission;
    S.hReg = stackTimerArm(S.hReg, TK_MN_REG, 0, S.lastReqAt + REG_MIN_GAP_MS);
    return true;
  }
  S.regDeferred = false;
  const nonces = useNonces(sa);
  let id = S.regId;
  if (!(nonces && retransmission)) {
    // Why: RFC 2002 §3.6.3: with timestamps every retransmission is a new registration with a new
    // Identification; kept increasing so a home agent never sees one older than the last.
    id = mnIdentification(sa, nonces, S.lastId);
  }
  const ip = txBuf + TX_IP;
  const udp = ip + <usize>IPV4_MIN_HEADER;
  const msg = udp + <usize>UDP_HEADER_LEN;
  const cap = TX_CAP - <i32>TX_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;
  regReqEmit(msg, cap, S.regFlags, <u16>S.regLifetime, cfg.homeAddress, S.regHaField, S.regCoa, id);
  // Registration key (docs/decisions.md "Registration keys"): through a foreign agent that advertises
  // smooth handoff and with which we share no association, ask the home agent for one — before the
  // mobile-home authenticator, which vouches for the request.
  let base = REG_REQ_LEN;
  keySpi = 0;
  if (viaFa && cfg.roEnabled && cfg.roSmoothHandoff && S.regLifetime != 0 &&
      (S.regAgentFlags & MA_FLAG_S) != 0 && saFindFor(S.regAgentAddr, cfg.SA_USE_MOBILE_FOREIGN) == 0) {
    // Why: 001 §2: SPIs 0-255 are reserved.
    keySpi = (random32() & 0x7fffffff) | 0x100;
    base = regkeyRequestAppend(msg, base, cap, keySpi);
  }
  if (S.regCombined && viaFa) base = changetype<(m: usize, l: i32, c: i32, i: u64) => i32>(appendCombinedRef)(msg, base, cap, id);
  let n = authAppend(sa, msg, base, cap, use == cfg.SA_USE_MOBILE_SERVER ? EXT_MS_AUTH : EXT_MH_AUTH);
  if (n < 0) { count(C.MN_NO_SA); return false; }
  if (S.regKind >= KIND_DR_HOME) {
    // Why: 002 D.1.2: the relay, a registration server, gets its own authenticator after the
    // registrar's: the Mobile-Foreign extension, with our mobile-server association with the relay
    // (docs/decisions.md: a second 84 would make the covered range ambiguous, RFC 2002 §1.9).
    const rsa = saFindFor(S.regDst, cfg.SA_USE_MOBILE_SERVER);
    if (rsa == 0) { count(C.MN_NO_SA); return false; }
    const k = authAppend(rsa, msg, n, cap, EXT_MF_AUTH);
    if (k < 0) return false;
    n = k;
  }
  if (viaFa) {
    // Why: 001 §5.1, §8.1: the Previous Foreign Agent Notification, for the new foreign agent (after
    // the Mobile-Home Authentication extension, RFC 2002 §3.6.1.3).
    n = smoothAppendPfan(msg, n, cap, S.regAgentFlags);
    // Why: RFC 2002 §3.5.3, §3.7.2.1: with a mobile-foreign association with the agent, the request
    // carries the Mobile-Foreign Authentication extension last (the agent requires it; 001 §3.2:
    // the association that makes the smooth handoff secure).
    const mf = saFindFor(S.regAgentAddr, cfg.SA_USE_MOBILE_FOREIGN);
    if (mf != 0) { const k = authAppend(mf, msg, n, cap, EXT_MF_AUTH); if (k > 0) n = k; }
  }
  // Why: RFC 3024 (reply code 76, "mobile node too distant"): a foreign agent takes a request asking
  // for a reverse tunnel only with IP TTL 255, proof that it was sent on its link.
  const ttl = viaFa && (S.regFlags & REQ_FLAG_T) != 0 ? 255 : cfg.defaultTtl; // T only in rfc3344 (requestFlags); defaultTtl 1-255
  const total = udpIpEmit(ip, ipNextIdent(), ttl, S.regSrc, S.regDst, MIP_PORT, MIP_PORT, n);
  S.regId = id;
  S.lastId = id;
  S.regSentAt = nowMs();
  S.reqSent = true;
  S.regSent = true;
  S.lastReqAt = S.regSentAt;
  if (viaFa || S.regKind >= KIND_DR_HOME || (S.regKind == KIND_DEREG && !macIsZero(regMac))) {
    // Why: RFC 2002 §3.6.1.1, §4.6 (contract): to the agent's MAC from its advertisement, no ARP.
    linkSendIpTo(S.regIface, regMac, ip, total);
  } else {
    linkSendIp(S.regIface, S.regKind == KIND_COLOC ? colocNextHop(S.regDst) : S.regDst, ip, total);
  }
  count(C.MN_REG_REQUEST_TX);
  S.emitReg(Ev.REG_REQUEST, S.regLifetime, S.regFlags, viaFa ? 1 : 0, S.regHaField);
  S.hReg = stackTimerArm(S.hReg, TK_MN_REG, 0, S.regSentAt + <i64>S.regRto);
  return true;
}

/**
 * The home part of a combined registration (002 §2.8, D.3.1), after the fixed part of the local
 * request at `msg` (`len` bytes so far): the Registration Server extension naming our home server
 * with the home lifetime, then our authenticator for the home server (extension 32, "Mobile-Home
 * (RS1)", with our mobile-server association) computed over the request as the local server will
 * relay it: Binding Registrar = home server, Lifetime = home lifetime, care-of address 0.0.0.0 (the
 * parent the local server allocates, which we cannot know; it vouches for it with its own
 * authenticator; docs/decisions.md), the same flags and Identification, no other extension.
 */
function appendCombined(msg: usize, len: i32, cap: i32, id: u64): i32 {
  // The relayed form is built at the end of the request's own buffer (Why (memory): no static scratch).
  const SCR: i32 = REG_REQ_LEN + 24;
  if (cap < len + SCR + 36) return len;
  const combScratch = msg + <usize>(cap - SCR);
  cap -= SCR;
  const hs = cfg.drHomeServer;
  const hsa = saFindFor(hs, cfg.SA_USE_MOBILE_SERVER);
  if (hsa == 0) return len;
  let n = rsAppendEmpty(msg, len, cap, <u16>cfg.lifetimeSec, 1);
  if (n < 0) return len;
  rsSetServer(msg + <usize>len, 0, hs, 0, <u16>cfg.lifetimeSec);
  regReqEmit(combScratch, REG_REQ_LEN + 24, S.regFlags, <u16>cfg.lifetimeSec, cfg.homeAddress, hs, 0, id);
  const k = authAppend(hsa, combScratch, REG_REQ_LEN, REG_REQ_LEN + 24, EXT_MH_AUTH);
  if (k < 0 || n + (k - REG_REQ_LEN) > cap) return len;
  memory.copy(msg + <usize>n, combScratch + <usize>REG_REQ_LEN, <usize>(k - REG_REQ_LEN));
  return n + (k - REG_REQ_LEN);
}

/**
 * A local registration through agent slot `s` advertising server `rs` (002 §8.1-8.2): the request
 * state for it; returns the lifetime to ask.
 */
function drLocalSetup(s: usize, rs: u32, life: i32): i32 {
  // Why: 002 §8.1-8.2: an agent advertising a registration server we share an association with:
  // a local registration with it (R set, the server as Binding Registrar), for the local
  // lifetime (§2.8: local <= home).
  S.regDr = true;
  S.regHaField = rs;
  S.regFlags |= REQ_FLAG_R;
  if (life > cfg.drLocalLifetimeSec()) life = cfg.drLocalLifetimeSec();
  // Why: 002 §2.8, D.3.1: the home server is reachable through this local server: one request.
  S.regCombined = cfg.drCombined() && load<u8>(s, A_RS_HOME) != 0 && cfg.drHomeServer != 0 && rs != cfg.drHomeServer &&
    saFindFor(cfg.drHomeServer, cfg.SA_USE_MOBILE_SERVER) != 0 &&
    // Why: 002 §8.3-8.4: not when the home registration in force binds the parent this server gave
    // us (it gives the same one again, §6.2): a handoff inside the domain stays local.
    !(S.drLocalServer == rs && S.drHomeCoa == S.drLocalParent && S.drHomeUntil > nowMs() + <i64>life * 1000);
  return life;
}
const drLocalSetupRef: usize = changetype<usize>(drLocalSetup);

// Called through a reference: not folded into transmit (reply.ts says why).
const appendCombinedRef: usize = changetype<usize>(appendCombined);

/**
 * The outstanding request goes through agent `a` (its slot returned): on its interface, to its MAC
 * (RFC 2002 §4.2.2: the foreign agent is our router on that link), with its advertised flags.
 */
export function viaAgent(a: i32): usize {
  const s = slot(a);
  S.regIface = <i32>load<u8>(s, A_IFACE);
  memory.copy(regMac, s + A_MAC, 6);
  S.regAgentFlags = load<u16>(s, A_FLAGS);
  return s;
}

/** Start a registration of `kind` (agent `a` for KIND_FA) and send its first request. */
export function beginRegistration(kind: i32, a: i32, retry: bool): void {
  S.fastRetry = retry;
  S.regKind = kind;
  S.regHaField = S.ha != 0 ? S.ha : homeBroadcast();
  S.regDr = false;
  S.regCombined = false;
  memory.fill(regMac, 0, 6);
  // What the kinds share, set once (size, issue 12); each kind below overwrites its own.
  S.regAgentAddr = 0;
  S.regSrc = cfg.homeAddress;
  S.regDst = S.regHaField;
  S.regLifetime = cfg.lifetimeSec;
  if (kind == KIND_FA) {
    const s = viaAgent(a);
    S.regAgentAddr = load<u32>(s, A_ADDR);
    S.regCoa = load<u32>(s, A_COA);
    S.regDst = S.regAgentAddr;
    S.regFlags = requestFlags(kind, S.regAgentFlags);
    let life = cfg.lifetimeSec;
    const adv = <i32>load<u16>(s, A_REGLIFE);
    // Why: RFC 2002 §3.6.1.1: no longer than the foreign agent's advertised registration lifetime.
    if (adv != 0 && adv < life) life = adv;
    if (S.lifetimeCap != 0 && S.lifetimeCap < life) life = S.lifetimeCap;
    const rs = load<u32>(s, A_RS);
    if (rs != 0) life = changetype<(s: usize, rs: u32, life: i32) => i32>(drLocalSetupRef)(s, rs, life);
    S.regLifetime = life;
  } else if (kind == KIND_COLOC) {
    S.regIface = S.colocIface;
    S.regCoa = S.colocAddr;
    S.regSrc = S.colocAddr;
    S.regFlags = requestFlags(kind, 0);
  } else {
    // Why: RFC 2002 §3.6.1.1: at home, deregister directly with the home agent: lifetime 0,
    // care-of address = home address.
    S.regIface = S.mnIface >= 0 ? S.mnIface : 0;
    S.regCoa = cfg.homeAddress;
    S.regFlags = 0;
    S.regLifetime = 0;
    if (S.ha != 0) {
      const h = agentFind(S.regIface, S.ha);
      if (h >= 0) viaAgent(h); // (its interface is regIface; its flags serve KIND_FA requests only)
    }
  }
  startRequest();
}

/** Send the first request of the registration just set up in the state (S.regKind ...). */
export function startRequest(): void {
  S.regRto = cfg.retransmitMs;
  S.regTries = 0;
  S.regDeferred = false;
  S.regSent = false;
  S.regState = REG_PENDING;
  S.hRenew = stackTimerDisarm(S.hRenew);
  if (S.regKind != KIND_DEREG) S.bindingAway = true;
  if (!transmit(false)) { S.regState = REG_IDLE; S.hReg = stackTimerDisarm(S.hReg); }
}

/**
 * Arm the re-registration for a registration granted `granted` seconds from when it was sent
 * (S.regSentAt): at 7/8 of it, or three retransmission timeouts (at most half of it) before its end.
 */
export function armRenew(granted: i32): void {
  // Why: RFC 2002 §3.6.2.2: the granted lifetime counts from when the request was sent.
  S.regUntil = S.regSentAt + <i64>granted * 1000;
  if (granted == LIFETIME_INFINITE) return;
  const g = <i64>granted * 1000;
  let margin = g / 8;
  const alt = min(g / 2, <i64>cfg.retransmitMs * 3);
  if (alt > margin) margin = alt;
  let at = S.regUntil - margin;
  if (at < nowMs()) at = nowMs();
  S.hRenew = stackTimerArm(S.hRenew, TK_MN_RENEW, 0, at);
}

/** The foreign agent of an outstanding request is gone: stop retransmitting to it (resumed by adopt). */
export function pauseFaRegistration(): void {
  if (S.regKind == KIND_FA && (S.regState == REG_PENDING || S.regState == REG_BACKOFF)) { S.regState = REG_PENDING; S.hReg = stackTimerDisarm(S.hReg); }
}

/** Retry later after a denial (doubling from retransmitMs to retransmitMaxMs). */
export function backOff(): void {
  S.regState = REG_BACKOFF;
  let d = <i64>cfg.retransmitMs << <i64>min(S.denials, 16);
  if (d > <i64>cfg.retransmitMaxMs()) d = <i64>cfg.retransmitMaxMs();
  S.denials++;
  S.hReg = stackTimerArm(S.hReg, TK_MN_REG, 0, nowMs() + d);
}

/** Send the outstanding registration's kind again (after 133/136/69; transmit holds it to 1 s after the last request). */
export function retryNow(): void {
  if (S.regKind == KIND_DEREG) { beginRegistration(KIND_DEREG, -1, true); return; }
  if (S.homeState != ST_AWAY) { S.regState = REG_IDLE; return; }
  // A home or transit registration starts again from the local registration (002 §8.3).
  if ((S.regKind == KIND_FA || S.regKind >= KIND_DR_HOME) && S.cur >= 0 && agentValid(S.cur)) beginRegistration(KIND_FA, S.cur, true);
  else if (S.regKind == KIND_COLOC && S.colocAddr != 0) beginRegistration(KIND_COLOC, -1, true);
  else backOff();
}
