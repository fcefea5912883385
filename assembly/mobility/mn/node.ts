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

//
// Parts, bottom up (no part imports a later one): state.ts (shared state and helpers) <- agents.ts
// (agent table) <- registration.ts (requests) <- movement.ts (discovery, movement, attaching, going
// home) <- reply.ts (registration replies); routing.ts (output, reverse tunnel, decapsulation);
// node.ts (this file: init, start, timers, DHCP reports).

import * as cfg from "../../config";
import { MoveReason } from "../../events";
import { netifCount, netifValid, netifIp } from "../../link/netif";
import { stackTimerArm, stackTimerDisarm } from "../../sys/timers";
import { arpGratuitous, GARP_INTERVAL_MS } from "../../stack/arp";
import { dhcpStart } from "../../app/dhcp";
import * as S from "./state";
import {
  AGENTS, A_TIMER, A_USED, DEREG_TRIES, KIND_COLOC, KIND_DEREG, MODE_COLOC, MODE_FA, MODE_NONE, REG_BACKOFF,
  REG_IDLE, REG_MIN_GAP_MS, REG_PENDING, REG_REGISTERED, ST_AWAY, ST_HOME, ST_UNKNOWN, TK_MN_AGENT,
  TK_MN_FAWAIT, TK_MN_GARP, TK_MN_REG, TK_MN_RENEW, TK_MN_SOLICIT, agents, regMac, emitMove, setHomeState,
  slot,
} from "./state";
import { agentFree, alternativeAgent } from "./agents";
import { smoothInit, smoothTimer } from "./smooth";
import { transmit, beginRegistration, pauseFaRegistration } from "./registration";
import {
  solicitNow, startSoliciting, armFaWait, dhcpIface, attach, useColocated, dropColocated, adopt,
} from "./movement";

/** Reset all mobile node state (tables are static). */
export function mnInit(): void {
  for (let i = 0; i < AGENTS; i++) { store<u8>(slot(i), 0, A_USED); store<i32>(slot(i), -1, A_TIMER); }
  S.cur = -1; S.homeState = ST_UNKNOWN; S.mode = MODE_NONE; S.pendingReason = 0; S.ha = 0; S.mnIface = -1;
  S.regState = REG_IDLE; S.regKind = 0; S.regId = 0; S.lastId = 0; S.regSentAt = 0; S.regLifetime = 0; S.regFlags = 0;
  S.regCoa = 0; S.regSrc = 0; S.regDst = 0; S.regHaField = 0; S.regSaPeer = 0; S.regIface = -1; S.regAgentAddr = 0;
  memory.fill(regMac, 0, 8);
  S.regRto = 0; S.regTries = 0; S.regUntil = 0; S.lifetimeCap = 0; S.denials = 0; S.fastRetry = false; S.bindingAway = false;
  S.colocIface = -1; S.colocAddr = 0; S.colocRouter = 0;
  S.solicitCount = 0; S.solicitSent = false; S.lastSolicitAt = 0; S.reqSent = false; S.lastReqAt = 0; S.regSent = false;
  S.regDeferred = false; S.regDeferredRetrans = false; S.inTunnel = false;
  S.hSolicit = -1; S.hReg = -1; S.hRenew = -1; S.hFaWait = -1; S.hGarp = -1;
  S.regAgentFlags = 0;
  smoothInit();
}

/** Start agent discovery: solicit at once (RFC 2002 §2.4.1); DHCP in parallel when colocated=2. */
export function mnStart(): void {
  S.ha = cfg.homeAgent();
  S.mnIface = -1;
  for (let i = 0; i < netifCount(); i++) if (netifValid(i) && netifIp(i) == cfg.homeAddress) { S.mnIface = i; break; }
  startSoliciting();
  armFaWait();
  if (cfg.colocated == 2) {
    const d = dhcpIface();
    if (d >= 0) { S.colocIface = d; dhcpStart(d); }
  }
}

/** A timer of the mobile node's range fired. */
export function mnTimer(kind16: u16, tag: u32, now: i64): void {
  // (A switch on the consecutive kinds: one table jump, not a test per kind.)
  switch (<i32>kind16) {
  case TK_MN_SOLICIT: {
    S.hSolicit = -1;
    // Why: RFC 2002 §2.4.1: solicit only while no agent is known.
    if (S.cur < 0) solicitNow();
    break;
  }
  case TK_MN_AGENT: {
    const i = <i32>tag;
    if (<u32>i >= <u32>AGENTS) return;
    const s = slot(i);
    store<i32>(s, -1, A_TIMER);
    if (load<u8>(s, A_USED) == 0) return;
    const was = i == S.cur;
    agentFree(i);
    if (!was) return;
    // Why: RFC 2002 §2.4.2 algorithm 1: contact with the current agent is lost; register with
    // another agent whose advertisement is still valid, else search.
    const alt = alternativeAgent(i);
    if (alt >= 0) { adopt(alt, <u8>MoveReason.LIFETIME_EXPIRED); return; }
    S.pendingReason = <u8>MoveReason.LIFETIME_EXPIRED;
    if (S.mode == MODE_FA) { S.mode = MODE_NONE; pauseFaRegistration(); }
    startSoliciting();
    armFaWait();
    break;
  }
  case TK_MN_REG: {
    S.hReg = -1;
    if (S.regState == REG_PENDING && S.regDeferred) {
      // The request held back by the one-per-second limit (RFC 2002 §3.6.3): send it now.
      if (!transmit(S.regDeferredRetrans)) S.regState = REG_IDLE;
    } else if (S.regState == REG_PENDING) {
      S.regTries++;
      if (S.regKind == KIND_DEREG && S.regTries >= DEREG_TRIES) {
        // The home agent's binding lapses by itself; stop asking.
        S.regState = REG_IDLE;
        S.bindingAway = false;
        return;
      }
      // Why: RFC 2002 §3.6.3: each retransmission timeout at least doubles, bounded by the maximum
      // and by the requested lifetime.
      let rto = S.regRto * 2;
      let maxRto = cfg.retransmitMaxMs();
      // (Lifetimes are at most 65,535 s: the product fits an i32.)
      if (S.regLifetime != 0 && S.regLifetime * 1000 < maxRto) maxRto = S.regLifetime * 1000;
      if (rto > maxRto) rto = maxRto;
      if (rto < S.regRto) rto = S.regRto;
      // Why: RFC 2002 §3.6.3: never less than 1 s between requests (config enforces it as well).
      if (rto < <i32>REG_MIN_GAP_MS) rto = <i32>REG_MIN_GAP_MS;
      S.regRto = rto;
      if (!transmit(true)) { S.regState = REG_IDLE; }
    } else if (S.regState == REG_BACKOFF) {
      S.regState = REG_IDLE;
      if (S.homeState == ST_HOME) { if (S.bindingAway) beginRegistration(KIND_DEREG, -1, false); }
      else attach(false);
    }
    break;
  }
  case TK_MN_RENEW: {
    S.hRenew = -1;
    if (S.regState == REG_REGISTERED && S.homeState == ST_AWAY) attach(false);
    break;
  }
  case TK_MN_FAWAIT: {
    S.hFaWait = -1;
    if (S.cur >= 0 || cfg.colocated == 0) return;
    // No agent answered: a foreign link without agents (or our home agent is silent): use a
    // co-located care-of address (RFC 2002 §3.1) unless we know we are home.
    if (S.homeState == ST_HOME && S.pendingReason != <u8>MoveReason.LINK) return;
    const d = dhcpIface();
    if (d < 0) return;
    setHomeState(ST_AWAY, 0);
    // Movement to a link without agents: reported here (coa known only if DHCP already bound).
    const r = S.pendingReason != 0 ? S.pendingReason : <u8>MoveReason.NEW_AGENT;
    S.pendingReason = 0;
    emitMove(d, r, 0, 0, S.colocIface == d ? S.colocAddr : 0);
    S.denials = 0;
    useColocated(d, false);
    break;
  }
  case S.TK_MN_BU: {
    smoothTimer(now);
    break;
  }
  case TK_MN_GARP: {
    S.hGarp = -1;
    if (S.homeState == ST_HOME && S.mnIface >= 0) {
      arpGratuitous(S.mnIface, cfg.homeAddress);
      if (tag > 1) S.hGarp = stackTimerArm(S.hGarp, TK_MN_GARP, tag - 1, now + GARP_INTERVAL_MS);
    }
  }
  }
}

/** The DHCP client's report (app/dhcp.ts dhcpListen): `addr` bound on `iface`, or 0: lost. */
export function mnDhcpEvent(iface: i32, addr: u32, router: u32): void {
  if (addr != 0) mnDhcpBound(iface, addr, router);
  else mnDhcpLost(iface);
}

/** DHCP bound a co-located care-of address on `iface`. */
export function mnDhcpBound(iface: i32, addr: u32, router: u32): void {
  S.colocIface = iface;
  S.colocAddr = addr;
  S.colocRouter = router;
  if (S.homeState == ST_HOME) { dropColocated(); return; }
  // Kept for later when the decision to go co-located is not made yet (colocated=2 runs DHCP early).
  if (S.mode != MODE_COLOC || S.homeState != ST_AWAY) return;
  beginRegistration(KIND_COLOC, -1, false);
}

/** DHCP lost the co-located address on `iface` (lease expired or NAK); app/dhcp.ts starts over by itself. */
export function mnDhcpLost(iface: i32): void {
  if (iface != S.colocIface) return;
  S.colocAddr = 0;
  S.colocRouter = 0;
  if (S.regKind == KIND_COLOC && S.regState != REG_IDLE) { S.regState = REG_IDLE; S.hReg = stackTimerDisarm(S.hReg); S.hRenew = stackTimerDisarm(S.hRenew); }
}
