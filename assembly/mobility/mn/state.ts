// Mobile node: the state every part shares — the agent table's layout, the home/away and
// registration state, the co-located address, timer handles, scratch buffers — and small helpers.
// mobility/mn/node.ts has the overview. Other parts read and write these as `S.name`.

import * as cfg from "../../config";
import { Ev, MoveReason, evBuf, evEmit, evAddr } from "../../events";
import { netifCount, netifValid, netifSetAway, netifAliasOnLink, prefixMask } from "../../link/netif";
import { OWNER_MN } from "../../sys/timers";
import { ipInput } from "../../stack/ip";
import { saFindFor, SA_REPLAY } from "../../security/sa";
import { regLifetimeSec } from "../../wire/registration";
import { EXT_INDEX_SIZE } from "../../wire/mipext";

export const TK_MN_FIRST: u16 = (OWNER_MN << 8);

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
/** Our Binding Update to the previous foreign agent, retransmitted until acknowledged (smooth.ts; tag 0). */
export const TK_MN_BU: u16 = TK_MN_FIRST + 6;

// ---- agent table ------------------------------------------------------------------------------
// Slot (stride 48): addr u32 @0 (IP source of the advertisement) | coa u32 @4 (first care-of address,
// 0 if none) | expiresAtMs i64 @8 | mac[6] @16 | iface u8 @22 | used u8 @23 | flags u16 @24 |
// seq u16 @26 | regLifetimeSec u16 @28 | prefixLen u8 @30 (0xff unknown) | fresh u8 @31 (heard first
// after the current agent was chosen) | router u32 @32 (first router address) | timer i32 @36.
export const AGENTS: i32 = 8;
export const A_STRIDE: usize = 48;
export const A_ADDR: usize = 0;
export const A_COA: usize = 4;
export const A_EXPIRES: usize = 8;
export const A_MAC: usize = 16;
export const A_IFACE: usize = 22;
export const A_USED: usize = 23;
export const A_FLAGS: usize = 24;
export const A_SEQ: usize = 26;
export const A_REGLIFE: usize = 28;
export const A_PLEN: usize = 30;
export const A_FRESH: usize = 31;
export const A_ROUTER: usize = 32;
export const A_TIMER: usize = 36;
/** Agent slot: the advertised registration server we share a mobile-server association with (0 none; 002 §8.1). */
export const A_RS: usize = 40;
/** Agent slot: the advertisement also names our home server (a combined registration is possible, 002 D.3). */
export const A_RS_HOME: usize = 44;
export const PLEN_UNKNOWN: u8 = 0xff;
export const agents: usize = memory.data(<i32>A_STRIDE * AGENTS, 8);

// @ts-ignore: decorator
export function slot(i: i32): usize { return agents + <usize>(i & (AGENTS - 1)) * A_STRIDE; }

// Home state (HOME event on every change between HOME and AWAY).
export const ST_UNKNOWN: i32 = 0;
export const ST_HOME: i32 = 1;
export const ST_AWAY: i32 = 2;
// How the mobile node is attached while away.
export const MODE_NONE: i32 = 0;
export const MODE_FA: i32 = 1;
export const MODE_COLOC: i32 = 2;
// Registration state.
export const REG_IDLE: i32 = 0;
export const REG_PENDING: i32 = 1;    // request sent, awaiting its reply (retransmission timer armed)
export const REG_BACKOFF: i32 = 2;    // denied; TK_MN_REG retries later
export const REG_REGISTERED: i32 = 3; // accepted; TK_MN_RENEW re-registers
// Kind of the outstanding request.
export const KIND_FA: i32 = 1;
export const KIND_COLOC: i32 = 2;
export const KIND_DEREG: i32 = 3;
export const KIND_DR_HOME: i32 = 4;    // home registration relayed by a registration server (002 §2.3, §8.3)
export const KIND_DR_TRANSIT: i32 = 5; // transit registration relayed by the local server (002 §2.4, D.2)
export const KIND_DR_PREV: i32 = 6;    // transitional registration with the previous foreign server (002 §2.4 type 1, §2.7, §8.4)

/** Initial solicitations at the configured interval before the back-off (RFC 2002 §2.4.1). */
export const INITIAL_SOLICITS: i32 = 3;
/** Largest solicitation interval: at least one minute (RFC 2002 §2.4.1). */
export const SOLICIT_MAX_MS: i32 = 60000;
/** Least spacing of two solicitations, whatever asks for them (RFC 2002 §2.4.1: one per second). */
export const SOLICIT_MIN_GAP_MS: i64 = 1000;
/**
 * Least spacing of two Registration Requests, whatever triggers them: retransmissions, movement
 * (rogue agents on new prefixes every 50 ms are movement too), an agent's reboot, a denial followed
 * by another agent, the retry after a 133/136/69 reply, a paused request sent again after a link
 * flap — RFC 2002 §3.6.3: not less than 1 second. One gate in transmit() holds them all back.
 */
export const REG_MIN_GAP_MS: i64 = 1000;
/**
 * How long after our solicitation a unicast advertisement is taken as its answer: RFC 1256's
 * MAX_RESPONSE_DELAY (2 s) plus a second of margin.
 */
export const SOLICIT_ANSWER_MS: i64 = 3000;
/** Deregistration attempts before giving up (the binding then lapses at the home agent). */
export const DEREG_TRIES: i32 = 4;

export let cur: i32 = -1;
export let homeState: i32 = 0; // ST_UNKNOWN (a literal: a named constant here became a store at start-up)
export let mode: i32 = 0; // MODE_NONE (a literal: a named constant here became a store at start-up)
export let pendingReason: u8 = 0;  // MoveReason to report when the next agent is adopted (0 none)
export let ha: u32 = 0;            // home agent in use (configured, discovered, or 0)
export let mnIface: i32 = -1;      // the interface holding the home address

export let regState: i32 = 0; // REG_IDLE (a literal: a named constant here became a store at start-up)
export let regKind: i32 = 0;
export let regId: u64 = 0;
export let lastId: u64 = 0;
export let regSentAt: i64 = 0;
export let regLifetime: i32 = 0;
export let regFlags: u8 = 0;
export let regCoa: u32 = 0;
export let regSrc: u32 = 0;
export let regDst: u32 = 0;
export let regHaField: u32 = 0;
export let regSaPeer: u32 = 0;
export let regIface: i32 = -1;
export let regAgentAddr: u32 = 0;
export let regAgentFlags: i32 = 0;  // the advertisement flags of the agent of an outstanding KIND_FA request
export const regMac: usize = memory.data(8, 8);
export let regRto: i32 = 0;
export let regTries: i32 = 0;
export let regUntil: i64 = 0;       // accepted binding's end
export let lifetimeCap: i32 = 0;    // from a code-69 reply: the foreign agent's largest lifetime (0 none)
export let denials: i32 = 0;
export let fastRetry = false;       // the outstanding request is the immediate retry after 133/136
export let bindingAway = false;     // a registration away from home was sent: deregister on return
export let lastFa: u32 = 0;         // the foreign agent of the last accepted registration (0: none), smooth.ts
// Distributed registration (002 §8; mn/dremip.ts).
export let regDr = false;           // the outstanding request has R
export let regCombined = false;     // the outstanding local request carries the home registration too (002 D.3)
export let regSaUse: u8 = 1;        // association use the outstanding request's registrar authenticator is computed with
export let drLocalServer: u32 = 0;  // local registration in force: its server, parent care-of address, end
export let drLocalParent: u32 = 0;
export let drLocalUntil: i64 = 0;
export let drHomeCoa: u32 = 0;      // the care-of address the home registration in force binds (0 none), its end
export let drHomeUntil: i64 = 0;
export let drTransitCoa: u32 = 0;   // the care-of address the transit registration in force binds, its parent, its end
export let drTransitParent: u32 = 0;
export let drTransitUntil: i64 = 0;
export let drHomeSent: u32 = 0;     // home registrations sent (distant registrations, issue 11 target)

export let colocIface: i32 = -1;    // DHCP-bound co-located care-of address
export let colocAddr: u32 = 0;
export let colocRouter: u32 = 0;

export let solicitCount: i32 = 0;
export let solicitSent = false;     // a solicitation was sent (lastSolicitAt valid)
export let lastSolicitAt: i64 = 0;
export let reqSent = false;         // a registration request was sent (lastReq* valid)
export let lastReqAt: i64 = 0;
export let regSent = false;         // the outstanding registration went out at least once (replies may answer it)
export let regDeferred = false;     // the outstanding request waits for REG_MIN_GAP_MS (TK_MN_REG sends it)
export let regDeferredRetrans = false;
export let inTunnel = false;        // ipInput is processing a datagram mnDeliverDecapsulated took from a tunnel
export let hSolicit: i32 = -1;
export let hReg: i32 = -1;
export let hRenew: i32 = -1;
export let hFaWait: i32 = -1;
export let hGarp: i32 = -1;

// Scratch for messages this module originates: IP header at +64 (room for the Ethernet header).
export const TX_CAP: i32 = 320;
export const txBuf: usize = memory.data(TX_CAP, 16);
export const TX_IP: usize = 64;
export const extIdx: usize = memory.data(EXT_INDEX_SIZE, 4);

// ---- small helpers ----------------------------------------------------------------------------

/** Home network's directed broadcast (the Home Agent field for dynamic discovery, RFC 2002 §3.6.1.2). */
export function homeBroadcast(): u32 {
  const m = prefixMask(cfg.homePrefixLen());
  return (cfg.homeAddress & m) | ~m;
}

export function onHomePrefix(a: u32): bool {
  const m = prefixMask(cfg.homePrefixLen());
  return (a & m) == (cfg.homeAddress & m);
}

export function useNonces(sa: usize): bool { return cfg.replay() == cfg.SA_REPLAY_NONCES || load<u8>(sa, SA_REPLAY) == cfg.SA_REPLAY_NONCES; }

/** Peer whose security association authenticates messages with home agent field `haField`. */
export function saPeerFor(haField: u32): u32 {
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
export function mhSa(peer: u32): usize { return saFindFor(peer, cfg.SA_USE_MOBILE_HOME); }

export function emitHome(atHome: bool, agent: u32): void {
  const b = evBuf();
  store<u32>(b, atHome ? 1 : 0);
  evAddr(4, agent);
  evEmit(Ev.HOME, 20);
}

export function emitMove(iface: i32, reason: u8, seq: u16, agent: u32, coa: u32): void {
  const b = evBuf();
  store<u8>(b, <u8>iface);
  store<u8>(b, reason, 1);
  store<u16>(b, seq, 2);
  evAddr(4, agent);
  evAddr(20, coa);
  evEmit(Ev.MOVE, 36);
}

/**
 * REG_REQUEST / REG_REPLY event: lifetime u16, flags (request) or code (reply) u8, via a foreign agent
 * u8, then the home address, the home agent field and the care-of address of the registration.
 */
export function emitReg(ev: Ev, life: i32, flagsOrCode: i32, viaFa: i32, haField: u32): void {
  const b = evBuf();
  store<u16>(b, life);
  store<u8>(b, flagsOrCode, 2);
  store<u8>(b, viaFa, 3);
  evAddr(4, cfg.homeAddress);
  evAddr(20, haField);
  evAddr(36, regCoa);
  evEmit(ev, 52);
}

export function setHomeState(s: i32, agent: u32): void {
  if (s == homeState) return;
  homeState = s;
  emitHome(s == ST_HOME, agent);
  // RFC 2002 §4.6: away from home the home address is not announced by ARP (netif.ts, arp.ts).
  for (let i = 0; i < netifCount(); i++) if (netifValid(i)) netifSetAway(i, s == ST_AWAY && i == mnIface);
}

export function colocNextHop(dst: u32): u32 {
  if (colocIface >= 0 && netifAliasOnLink(colocIface, dst)) return dst;
  return colocRouter != 0 ? colocRouter : dst;
}
