// Mobile node: smooth handoff (001 §3.2, §5.1, §8.1; issue 10.5). When it registers with a new
// foreign agent that advertises S, while the registration it had just before went through another
// foreign agent it shares a mobile-foreign association with, its request carries a Previous Foreign
// Agent Notification extension: the new agent sends the previous one the Binding Update whose
// authenticator the mobile node precomputed (wire/ro.ts pfanBuEmit builds the same bytes at both
// ends). The mobile node then makes sure the previous agent learnt it (001 §3.2, §8.1 last
// paragraph): until a Binding Acknowledge for it arrives, or the binding's lifetime (Cache Lifetime)
// is over, it sends its own Binding Update (A set, a new Identification each time) at growing
// intervals. mobility/mn/node.ts has the overview.
//
// Decisions (docs/decisions.md):
//  - "previous foreign agent" = the agent of the last accepted registration through a foreign agent
//    (S.lastFa; cleared at home and by a co-located registration), named by the address the mobile
//    node spoke to (its advertisement's source), which is also the association's peer.
//  - The first own Binding Update goes retransmitMs after the request (the new agent's should have
//    been answered by then), then doubling up to retransmitMaxMs.
//  - A Binding Acknowledge carries no authenticator (001 §4.4); it only stops retransmissions, so
//    one for an Identification this node sent (the last BU_IDS) is taken as it is.

import * as cfg from "../../config";
import { C, count } from "../../counters";
import { nowMs } from "../../clock";
import { stackTimerArm, stackTimerDisarm } from "../../sys/timers";
import { linkSendIpTo } from "../../stack/arp";
import { ipNextIdent } from "../../stack/ip";
import { authCompute, authAppend, AUTH_LEN } from "../../security/auth";
import { saFindFor, SA_SPI, SA_FLAGS } from "../../security/sa";
import { mnIdentification } from "../../security/replay";
import { IPV4_MIN_HEADER } from "../../wire/ipv4";
import { udpIpEmit, UDP_HEADER_LEN } from "../../wire/udp";
import { MA_FLAG_S } from "../../wire/icmp";
import { MIP_PORT, REQ_FLAG_M, REQ_FLAG_G, regReqIdentification } from "../../wire/registration";
import { EXT_INDEX_SIZE, EXT_RO_AUTH, authCoveredLen } from "../../wire/mipext";
import {
  pfanAppend, pfanBuEmit, pfanAuthenticator, buEmit, baParse, baStatus, baIdentification, roHomeAddr,
  BU_OFF_FLAGS, BU_LEN_ID, RoErr, BA_ID_MISMATCH,
} from "../../wire/ro";
import * as S from "./state";
import { A_IFACE, A_MAC, TK_MN_BU, TX_CAP, TX_IP, txBuf, slot } from "./state";

/** Identifications of the Binding Updates for the previous agent that an acknowledgement may answer. */
const BU_IDS: i32 = 4;
const buIds: usize = memory.data(BU_IDS * 8, 8);
let buIdNext: i32 = 0;
let buActive = false;
let buPrev: u32 = 0;
let buCoa: u32 = 0;
let buFlags: u8 = 0;
let buStart: i64 = 0;
let buRto: i32 = 0;
let buLastId: u64 = 0;
let hBu: i32 = -1;
// The Binding Update the PFAN authenticator is computed over (never sent from here).
const SCRATCH: i32 = 64;
const scratch: usize = memory.data(SCRATCH, 8);
const baIdx: usize = memory.data(EXT_INDEX_SIZE, 4);

/** Reset (mnInit). */
export function smoothInit(): void {
  memory.fill(buIds, 0, BU_IDS * 8);
  buIdNext = 0; buActive = false; buPrev = 0; buCoa = 0; buFlags = 0; buStart = 0; buRto = 0; buLastId = 0; hBu = -1;
  S.lastFa = 0;
}

/** True while the node waits for its previous foreign agent's acknowledgement. */
export function smoothPending(): bool { return buActive; }

function rememberId(id: u64): void {
  store<u64>(buIds + (<usize>buIdNext << 3), id);
  buIdNext = (buIdNext + 1) % BU_IDS;
}

function start(prev: u32, coa: u32, flags: u8): void {
  const now = nowMs();
  if (!buActive || buPrev != prev || buCoa != coa) {
    buActive = true;
    buPrev = prev;
    buCoa = coa;
    buStart = now;
    buRto = cfg.retransmitMs;
    hBu = stackTimerArm(hBu, TK_MN_BU, 0, now + <i64>buRto);
  }
  buFlags = flags;
}

/**
 * Append the PFAN extension to the request being built at `msg` (`len` bytes: through its
 * Mobile-Home Authentication extension; capacity `cap`) when it applies (file comment). Why there:
 * RFC 2002 §3.6.1.3 / §3.7.2.2: extensions after the Mobile-Home Authentication extension are the
 * foreign agent's and are removed before the relay, so the home agent's authenticator still covers
 * exactly what it sees; a Mobile-Foreign Authentication extension goes after it (and covers it).
 * Returns the new length (`len` when nothing was added).
 */
export function smoothAppendPfan(msg: usize, len: i32, cap: i32, agentFlags: i32): i32 {
  // (Called for a request through a foreign agent only: registration.ts transmit.)
  if (!cfg.roEnabled || !cfg.roSmoothHandoff) return len;
  const prev = S.lastFa;
  // Why: 001 §3.2, §5.2: only to a new agent that says it takes part (S), only with a previous one.
  if (prev == 0 || prev == S.regAgentAddr || (agentFlags & MA_FLAG_S) == 0) return len;
  // Why: 001 §3.2: the update is authenticated with the association shared with the previous agent.
  const sa = saFindFor(prev, cfg.SA_USE_MOBILE_FOREIGN);
  if (sa == 0) return len;
  const n = pfanAppend(msg, len, cap, <u16>cfg.roCacheLifetimeSec(), prev, S.regCoa, load<u32>(sa, SA_SPI), AUTH_LEN);
  if (n < 0) return len;
  const pfan = msg + <usize>len;
  // Why: 001 §5.1: the authenticator is the one of the Binding Update the new agent will build:
  // built here by the same function (authenticator still zero) and computed over it (auth.ts rules).
  if (pfanBuEmit(scratch, SCRATCH, msg, pfan) <= 0) return len;
  authCompute(sa, scratch, authCoveredLen(BU_LEN_ID, (load<u8>(sa, SA_FLAGS) & cfg.SA_FLAG_COVER_SPI) != 0), pfanAuthenticator(pfan));
  rememberId(regReqIdentification(msg));
  // Our own updates (sendOwn) carry the flags of that one: A, I, and M / G as the request asked.
  start(prev, S.regCoa, load<u8>(scratch, BU_OFF_FLAGS));
  return n;
}

/** A registration was accepted: the agent it went through (0: none, at home or co-located) is the next "previous" one. */
export function smoothRegistered(agent: u32): void { S.lastFa = agent; }

/** Our own Binding Update to the previous agent (001 §8.1 last paragraph); false when none could go. */
function sendOwn(now: i64): bool {
  const sa = saFindFor(buPrev, cfg.SA_USE_MOBILE_FOREIGN);
  if (sa == 0 || S.cur < 0) return false;
  const ip = txBuf + TX_IP;
  const msg = ip + <usize>(IPV4_MIN_HEADER + UDP_HEADER_LEN);
  const cap = TX_CAP - <i32>TX_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;
  // Why: 001 §4.3: a fresh Identification each time (the previous agent refuses a replayed one).
  const id = mnIdentification(sa, false, buLastId);
  buLastId = id;
  buEmit(msg, cap, buFlags, <u16>cfg.roCacheLifetimeSec(), cfg.homeAddress, buCoa, id);
  const n = authAppend(sa, msg, BU_LEN_ID, cap, EXT_RO_AUTH);
  if (n < 0) return false;
  rememberId(id);
  const total = udpIpEmit(ip, ipNextIdent(), cfg.defaultTtl, cfg.homeAddress, buPrev, MIP_PORT, MIP_PORT, n);
  // Through the foreign agent we are attached to (a router), by its link-layer address, like requests.
  const a = slot(S.cur);
  linkSendIpTo(<i32>load<u8>(a, A_IFACE), a + A_MAC, ip, total);
  count(C.RO_PFAN_BU_TX);
  return true;
}

/** TK_MN_BU: retransmit our Binding Update to the previous agent, with back-off, until acknowledged or its lifetime passed. */
export function smoothTimer(now: i64): void {
  hBu = -1;
  if (!buActive) return;
  // Why: 001 §3.2: "until the mobile node can be sure that foreign agent has expired its binding".
  if (now - buStart >= <i64>cfg.roCacheLifetimeSec() * 1000) { buActive = false; return; }
  sendOwn(now);
  buRto = min(buRto * 2, cfg.retransmitMaxMs());
  hBu = stackTimerArm(hBu, TK_MN_BU, 0, now + <i64>buRto);
}

/**
 * A Binding Acknowledge (type 19) at `msg` (`len` bytes) to our home address: one for an update we
 * sent for the previous agent ends the retransmissions (001 §8.1); 133 (a stale Identification) keeps
 * them going, with a new one. Returns 0 (taken or ignored, counted).
 */
export function smoothAck(msg: usize, len: i32): i32 {
  if (baParse(msg, len, baIdx) != RoErr.OK || roHomeAddr(msg) != cfg.homeAddress) { count(C.MN_REPLY_IGNORED); return 1; }
  const id = baIdentification(msg);
  let ours = false;
  for (let i = 0; i < BU_IDS; i++) if (id != 0 && load<u64>(buIds + (<usize>i << 3)) == id) ours = true;
  if (!buActive || !ours) { count(C.MN_REPLY_IGNORED); return 1; }
  count(C.MN_BA_RX);
  if (baStatus(msg) == BA_ID_MISMATCH) return 0;
  buActive = false;
  hBu = stackTimerDisarm(hBu);
  return 0;
}
