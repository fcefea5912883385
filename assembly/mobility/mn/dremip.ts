// Mobile node: distributed registration (seed 002 §2, §8; issue 11 point 4). mobility/mn/node.ts
// has the overview of the mobile node; this file adds what R changes:
//
//   advertisement with a Registration Server extension (81)   -> the agent slot keeps the server to
//     register with: our home server when listed (§8.1), else the listed server we share a
//     mobile-server association with that has the lowest priority value (§4.1: priority as a
//     congestion indicator; docs/decisions.md), never one whose lifetime is 0
//   registration through that agent                           -> a local registration (R set, Binding
//     Registrar = that server, Mobile-Server authenticator 84; registration.ts)
//   its reply, accepted, with the Care-of Address extension   -> the parent care-of address; then
//     (§8.3) nothing more when the server is our home server or the parent is our home agent, or when
//     our home registration in force already binds that parent (handoff inside the domain, §8.4: the
//     home network hears nothing); else a home registration relayed by the local server: Binding
//     Registrar = home server (84) or home agent (32), care-of address = the parent, our
//     Mobile-Foreign extension (33) for the relay
//   a home registration denied with 67 and a Registration Server extension -> a transit registration
//     with a listed server we have an association with, relayed by the local server, care-of address
//     = the local parent; then the home registration relayed by the transit server (§2.4, D.2)
//   lifetimes: local <= transit <= home (§2.8): the local request asks min(localLifetimeSec,
//     lifetimeSec), the home and transit ones lifetimeSec. The renewal timer re-registers locally;
//     the home registration is renewed only when it would lapse before the local one.

import * as cfg from "../../config";
import { C, count } from "../../counters";
import { nowMs } from "../../clock";
import { stackTimerArm } from "../../sys/timers";
import { saFindFor } from "../../security/sa";
import { raFindExt, raExtSize } from "../../wire/icmp";
import { extIndexFind, EXT_COA, EXT_REG_SERVER } from "../../wire/mipext";
import { coaExtAddress, rsCount, rsAddress, rsPriority, rsServerLifetimeSec } from "../../wire/dremip";
import * as S from "./state";
import { KIND_FA, KIND_DR_HOME, KIND_DR_TRANSIT, KIND_DR_PREV, REG_REGISTERED, REG_PENDING, TK_MN_REG, extIdx, slot, A_MAC, A_IFACE, A_FLAGS } from "./state";
import { startRequest, armRenew, viaAgent } from "./registration";

/** True when the server drServerOf last picked came with our home server listed too (002 D.3). */
export let drHomeListed = false;

/** The server an advertisement at `m` (`ml` bytes) names for us (see the file comment), or 0. */
export function drServerOf(m: usize, ml: i32): u32 {
  drHomeListed = false;
  if (!cfg.drEnabled) return 0;
  const o = raFindExt(m, ml, EXT_REG_SERVER);
  if (o < 0) return 0;
  const ext = m + <usize>o;
  const l = raExtSize(m, o) - 2;
  // Why: 002 §4.1: Length = 2 + 8 per server; anything else names no server we can read.
  if (l < 10 || (l - 2) % 8 != 0) { count(C.MN_ADVERT_MALFORMED); return 0; }
  return pickServer(ext);
}

/** The server to use from the Registration Server extension at `ext` (walked): see the file comment. */
function pickServer(ext: usize): u32 {
  let best: u32 = 0;
  let bestPrio: u32 = 0x10000;
  let home = false;
  for (let i = 0; i < rsCount(ext); i++) {
    const a = rsAddress(ext, i);
    // Why: 002 §4.1: "A value of zero indicates the registration server doesn't provide service to
    // more mobile nodes."
    if (rsServerLifetimeSec(ext, i) == 0 || saFindFor(a, cfg.SA_USE_MOBILE_SERVER) == 0) continue;
    // Why: 002 §8.1: "if the home registration server appears in the registration server extension,
    // then the mobile node SHOULD choose its home registration server".
    // With combined registrations (D.3.1: the advertisement names every server the local server has
    // an association with) a listed home server means "reachable through the local server", not
    // "home domain", as long as another server is listed.
    if (a == cfg.drHomeServer) { if (!cfg.drCombined()) return a; home = true; continue; }
    const p = <u32>rsPriority(ext, i);
    if (p < bestPrio) { best = a; bestPrio = p; }
  }
  if (best == 0 && home) return cfg.drHomeServer;
  drHomeListed = home && best != 0;
  return best;
}

/** The binding registrar of our home registrations: the home server, else the home agent (§8.2). */
function homeRegistrar(): u32 { return cfg.drHomeServer != 0 ? cfg.drHomeServer : S.ha; }

/** Start a `kind` (KIND_DR_HOME / KIND_DR_TRANSIT) request to `registrar` through server `relay` for `coa`. */
function relayed(kind: i32, registrar: u32, relay: u32, coa: u32): void {
  if (S.cur < 0 || registrar == 0) return;
  S.regKind = kind;
  // Why: sent through our foreign agent, our router on this link (RFC 2002 §4.2.2), to the relay.
  viaAgent(S.cur);
  S.regSrc = cfg.homeAddress;
  S.regDst = relay;
  S.regHaField = registrar;
  S.regCoa = coa;
  S.regDr = true;
  // Why: 002 §2.8: local <= transit <= home lifetimes; the transitional registration of §8.4 lasts
  // as long as a local one.
  S.regLifetime = kind == KIND_DR_PREV ? min(cfg.drLocalLifetimeSec(), cfg.lifetimeSec) : cfg.lifetimeSec;
  if (kind == KIND_DR_HOME) { S.drHomeSent++; count(C.MN_DR_HOME_TX); }
  startRequest();
}

/**
 * An accepted registration with R (reply.ts), `granted` seconds from when it was sent, the reply at
 * `msg` (its extensions in extIdx). Returns true when this file took it over.
 */
export function drAccepted(msg: usize, granted: i32): bool {
  if (!S.regDr) return false;
  const co = extIndexFind(extIdx, EXT_COA);
  const parent = co != 0 ? coaExtAddress(msg + <usize>co) : 0;
  const until = S.regSentAt + <i64>granted * 1000;
  if (S.regKind == KIND_FA) {
    // The previous domain's local registration, still in force (§2.7, §8.4).
    const prev = S.drLocalServer != S.regHaField && S.drLocalUntil > S.regSentAt ? S.drLocalServer : 0;
    S.drLocalServer = S.regHaField;
    S.drLocalParent = parent;
    S.drLocalUntil = until;
    registered(granted);
    // Why: 002 §2.6: with local service only, the local registration is all there is.
    if (cfg.drLocalService()) return true;
    if (S.regCombined && parent != 0) {
      // Why: 002 D.3.1: the local server relays the home part itself once the local registration is
      // done; its reply comes relayed by the local server, for the same Identification. We wait for it
      // as for a home registration of ours; a retransmission is a plain home registration (§8.3).
      S.regKind = KIND_DR_HOME;
      S.regCombined = false;
      S.regHaField = homeRegistrar();
      S.regDst = S.drLocalServer;
      S.regCoa = parent;
      S.regLifetime = cfg.lifetimeSec;
      S.regSaPeer = S.regHaField;
      S.regSaUse = cfg.SA_USE_MOBILE_SERVER;
      S.regState = REG_PENDING;
      S.regRto = cfg.retransmitMs;
      S.regTries = 0;
      S.drHomeSent++;
      count(C.MN_DR_HOME_TX);
      S.hReg = stackTimerArm(S.hReg, TK_MN_REG, 0, nowMs() + <i64>S.regRto);
      return true;
    }
    // Why: 002 §8.3: "check to see if the binding registrar or the parent care-of address returned in
    // the reply is its home agent. If yes, this is a complete registration" — so is a local
    // registration with our home server (§8.1); without a parent there is nothing to register.
    if (parent == 0 || parent == S.ha || S.regHaField == cfg.drHomeServer) return true;
    // Why: 002 §8.3: "check to see if it has previously established a mobility binding with its home
    // registration server or home agent, using this parent care-of address. If it has, nothing needs
    // to be done" — while that binding outlives this local registration (§2.8).
    // A transit registration (D.2) binding this parent, whose own parent the home registration binds,
    // is as good.
    const viaTransit = S.drTransitCoa == parent && S.drTransitUntil > until && S.drHomeCoa == S.drTransitParent;
    if ((S.drHomeCoa == parent || viaTransit) && S.drHomeUntil > until) { count(C.MN_DR_HOME_SKIPPED); return true; }
    // Why: 002 §2.7, §8.4: after a move to another domain, "it can first do a transit registration
    // with its previous foreign registration server such that a tunnel can be built from the previous
    // foreign server's care-of address to the new local server's care-of address": what was already
    // sent to the old parent follows us while the home registration goes the long way. With smooth
    // handoff on (mobility.routeOptimization.smoothHandoff, the same service of 001 §3.2) and an
    // association with that server; its lifetime is the local one (the tunnel is transitional).
    if (prev != 0 && cfg.roSmoothHandoff && saFindFor(prev, cfg.SA_USE_MOBILE_SERVER) != 0) {
      count(C.MN_DR_PREV_TX);
      relayed(KIND_DR_PREV, prev, S.drLocalServer, parent);
      return true;
    }
    relayed(KIND_DR_HOME, homeRegistrar(), S.drLocalServer, parent);
    return true;
  }
  if (S.regKind == KIND_DR_PREV) {
    // The transitional tunnel is up: now the home registration with the new parent (§8.4).
    relayed(KIND_DR_HOME, homeRegistrar(), S.drLocalServer, S.drLocalParent);
    return true;
  }
  if (S.regKind == KIND_DR_TRANSIT) {
    // Why: 002 §2.4 type 2, D.2.2: then the home registration through the transit server, with the
    // parent care-of address it allocated.
    if (parent == 0) return true;
    S.drTransitCoa = S.regCoa;
    S.drTransitParent = parent;
    S.drTransitUntil = until;
    relayed(KIND_DR_HOME, homeRegistrar(), S.regHaField, parent);
    return true;
  }
  if (S.regKind == KIND_DR_HOME) {
    S.drHomeCoa = S.regCoa;
    S.drHomeUntil = until;
    // The local registration's renewal stays the one armed (it ends first, §2.8).
    registered(S.drLocalUntil > nowMs() ? <i32><u16>((S.drLocalUntil - S.regSentAt) / 1000) : granted);
    return true;
  }
  return false;
}

/** Registered: the registration state and the renewal of the local registration. */
function registered(granted: i32): void {
  S.regState = REG_REGISTERED;
  armRenew(granted);
}

/**
 * A denied registration with R (reply.ts): a home registration refused by the local server with 67
 * and a Registration Server extension goes on as a transit registration (002 §6.3, D.2.1). Returns
 * true when this file took it over.
 */
export function drDenied(msg: usize, code: i32): bool {
  if (!S.regDr) return false;
  // A refused transitional registration (§8.4) only costs the datagrams in flight: go home.
  if (S.regKind == KIND_DR_PREV) { relayed(KIND_DR_HOME, homeRegistrar(), S.drLocalServer, S.drLocalParent); return true; }
  if (S.regKind != KIND_DR_HOME || code != 67) return false;
  const o = extIndexFind(extIdx, EXT_REG_SERVER);
  if (o == 0) return false;
  const t = pickServer(msg + <usize>o);
  if (t == 0 || S.drLocalParent == 0) return false;
  count(C.MN_DR_TRANSIT_TX);
  relayed(KIND_DR_TRANSIT, t, S.drLocalServer, S.drLocalParent);
  return true;
}
