// Mobile node: registration replies (RFC 2002 §3.6.2): checks, authentication, and what each code
// does. mobility/mn/node.ts has the overview.

import * as cfg from "../../config";
import { C, count } from "../../counters";
import { Ev, MoveReason, evAuthFailed, ROLE_MN } from "../../events";
import { nowMs } from "../../clock";
import { stackTimerArm, stackTimerDisarm } from "../../sys/timers";
import { authVerify, AuthResult } from "../../security/auth";
import { mnReplyCheck } from "../../security/replay";
import { ipv4HeaderLen, ipv4Src, ipv4Dst, ipIsUnicastSource } from "../../wire/ipv4";
import { udpLength, UDP_HEADER_LEN } from "../../wire/udp";
import {
  MIP_PORT, regRepParse, RegErr, regRepCode, regRepIdentification, regHomeAddr, regHomeAgent, regLifetimeSec,
  regCodeAccepted, regCodeDeniedByFa, CODE_HA_ID_MISMATCH, CODE_HA_UNKNOWN_HA, CODE_FA_LIFETIME_TOO_LONG,
  LIFETIME_INFINITE,
} from "../../wire/registration";
import { EXT_MH_AUTH, EXT_MS_AUTH, extIndexFind, authSpi } from "../../wire/mipext";
import { saFindFor } from "../../security/sa";
import { drAccepted, drDenied } from "./dremip";
import * as S from "./state";
import {
  KIND_DEREG, KIND_FA, KIND_DR_HOME, KIND_DR_TRANSIT, REG_IDLE, REG_PENDING, REG_REGISTERED, ST_AWAY, TK_MN_RENEW, extIdx, useNonces, mhSa,
} from "./state";
import { alternativeFa } from "./agents";
import { backOff, retryNow, keySpi, armRenew } from "./registration";
import { regkeyMnInstall } from "../../security/regkey";
import { adopt } from "./movement";
import { smoothAck, smoothRegistered } from "./smooth";
import { RO_TYPE_BINDING_ACK } from "../../wire/ro";

// Why (memory): distributed registration's steps are called through references so the optimizer
// cannot fold them into mnUdp: Wasm3 compiles a function whole, and a mobile node on a 320 KiB
// microcontroller without distributed registration must not carry them (docs/mcu.md).
const drAcceptedRef: usize = changetype<usize>(drAccepted);
const drDeniedRef: usize = changetype<usize>(drDenied);
/** Port 434 as a 16-bit load of its network-order bytes (01 b2) reads it. */
const MIP_PORT_NET: u16 = <u16>(MIP_PORT >> 8 | (MIP_PORT & 0xff) << 8);

/** Registration Reply for this mobile node (UDP to port 434); -1 when not ours. */
export function mnUdp(iface: i32, p: usize, len: i32): i32 {
  const hl = ipv4HeaderLen(p);
  const u = p + <usize>hl;
  const ul = len - hl;
  // (Ports compared as stored: MIP_PORT_NET.)
  if (ul < UDP_HEADER_LEN || load<u16>(u, 2) != MIP_PORT_NET) return -1;
  const src = ipv4Src(p);
  const dst = ipv4Dst(p);
  // Why: RFC 2002 §3.6.2: replies come from port 434 to the home address (via a foreign agent or at
  // home) or to the co-located care-of address; anything else on 434 is not for a mobile node.
  if (load<u16>(u) != MIP_PORT_NET || (dst != cfg.homeAddress && (S.colocAddr == 0 || dst != S.colocAddr))) {
    count(C.MN_REPLY_IGNORED);
    return 1;
  }
  const msg = u + <usize>UDP_HEADER_LEN;
  const ml = <i32>udpLength(u) - UDP_HEADER_LEN;
  // Why: 001 §8.1: the previous foreign agent's Binding Acknowledge (tunnelled to the new one).
  if (ml >= 1 && load<u8>(msg) == RO_TYPE_BINDING_ACK) return smoothAck(msg, ml);
  if (regRepParse(msg, ml, extIdx) != RegErr.OK) { count(C.MN_REPLY_MALFORMED); return 1; }
  // Why: RFC 2002 §3.6.2.1: only a reply to our outstanding request, for our home address.
  if (S.regState != REG_PENDING || !S.regSent || regHomeAddr(msg) != cfg.homeAddress) { count(C.MN_REPLY_IGNORED); return 1; }
  const code = regRepCode(msg);
  const viaFa = S.regKind == KIND_FA; // (the outstanding kind: nothing below changes it before it is read)
  const rid = regRepIdentification(msg);
  const rha = regHomeAgent(msg);
  const authType = S.regSaUse == cfg.SA_USE_MOBILE_SERVER ? EXT_MS_AUTH : EXT_MH_AUTH;
  const mh = extIndexFind(extIdx, authType);
  if (mh == 0) {
    // Why: RFC 2002 §3.6.2.1: a reply without mobile-home authentication is discarded, except a
    // denial by the foreign agent we sent to (it holds no key of ours); acting on one only makes us
    // back off or try another agent.
    if (!(regCodeDeniedByFa(code) && viaFa && src == S.regAgentAddr)) {
      count(C.MN_REPLY_AUTH_FAILED);
      evAuthFailed(ROLE_MN, EXT_MH_AUTH, 0, src, 0);
      return 1;
    }
    if (<u32>rid != <u32>S.regId) { count(C.MN_REPLY_IGNORED); return 1; }
  } else {
    // Why: RFC 2002 §3.6.2.1: the reply is authenticated by the home agent our request went to, so
    // it is verified with that association (the one the request was signed with) — never with one
    // chosen by the reply's own Home Agent field, which anybody can write.
    let peer = S.regSaPeer;
    let sa = saFindFor(peer, S.regSaUse);
    let r = authVerify(sa, msg, mh);
    // (Only a denial: a relay may refuse to relay, never accept for the registrar.)
    if (r != AuthResult.OK && S.regKind >= KIND_DR_HOME && src == S.regDst && authType == EXT_MS_AUTH && !regCodeAccepted(code)) {
      // Why: 002 §6.3: a relay server that denies the request answers itself, with "a mobile-server
      // authentication extension in the reply" computed with our association with it.
      peer = src;
      sa = saFindFor(peer, cfg.SA_USE_MOBILE_SERVER);
      r = authVerify(sa, msg, mh);
    }
    if (sa == 0 || r != AuthResult.OK) {
      // Why: RFC 2002 §3.6.2.1: an invalid authenticator: silently discard, log as a security exception.
      count(C.MN_REPLY_AUTH_FAILED);
      evAuthFailed(ROLE_MN, authType, 0, peer, authSpi(msg + <usize>mh));
      return 1;
    }
    // Why: RFC 2002 §3.6.2.1 / §5.6: the low 32 bits must match the request; a 133 carries the home
    // agent's time (or next nonce) to resynchronise with.
    if (!mnReplyCheck(sa, S.regId, rid, code, useNonces(sa))) { count(C.MN_REPLY_IGNORED); return 1; }
  }
  count(C.MN_REG_REPLY_RX);
  const life = <i32>regLifetimeSec(msg);
  S.emitReg(Ev.REG_REPLY, life, code, 0, rha);
  S.hReg = stackTimerDisarm(S.hReg);
  S.regDeferred = false;
  if (regCodeAccepted(code)) {
    S.denials = 0;
    S.fastRetry = false;
    if (S.ha == 0 && rha != 0 && rha != S.regHaField) S.ha = rha;
    const granted = life < S.regLifetime ? life : S.regLifetime;
    // Why: 001 §3.2: the foreign agent of this registration is the previous one of the next.
    smoothRegistered(viaFa && S.regLifetime != 0 && granted != 0 ? S.regAgentAddr : 0);
    // Registration key (docs/decisions.md "Registration keys"): the request asked the home agent for
    // one for this foreign agent; we derive the same key ourselves (security/regkey.ts).
    const msa = keySpi != 0 && viaFa && granted != 0 ? mhSa(S.regSaPeer) : 0;
    if (msa != 0 && regkeyMnInstall(msa, S.regCoa, cfg.homeAddress, S.regId, keySpi)) count(C.MN_REGKEY_INSTALLED);
    if (S.regLifetime == 0 || granted == 0) {
      // Deregistered (or a zero grant: no binding).
      S.regState = REG_IDLE;
      if (S.regKind == KIND_DEREG || S.homeState != ST_AWAY) S.bindingAway = false;
      return 0;
    }
    // Distributed registration (002 §8.3): the next registration of the chain, or done.
    if (S.regDr && changetype<(m: usize, g: i32) => bool>(drAcceptedRef)(msg, granted)) return 0;
    S.regState = REG_REGISTERED;
    armRenew(granted);
    return 0;
  }
  // The denials answered by one immediate retry (not after the retry itself); one send (size).
  let retry = !S.fastRetry;
  if (retry && code == CODE_HA_ID_MISMATCH) {
    // Why: RFC 2002 §3.6.2.2 / §5.6: resynchronised above; send a new request at once. The home
    // agent's clock is the reference now, even if it is behind the Identifications sent so far.
    S.lastId = 0;
  } else if (retry && code == CODE_HA_UNKNOWN_HA && rha != 0 && ipIsUnicastSource(rha) && rha != S.regHaField) {
    // Why: RFC 2002 §3.6.1.2: the denying home agent put its own address in the reply: use it.
    S.ha = rha;
  } else if (retry && code == CODE_FA_LIFETIME_TOO_LONG && viaFa && life != 0 && life < S.regLifetime) {
    // Why: RFC 2002 §3.7.2: the foreign agent's Lifetime in a code-69 reply is the most it grants.
    S.lifetimeCap = life;
  } else retry = false;
  if (retry) { retryNow(); return 0; }
  // Distributed registration (002 §6.3, D.2): a transit registration when the relay names a server.
  if (S.regDr && changetype<(m: usize, c: i32) => bool>(drDeniedRef)(msg, code)) return 0;
  if (regCodeDeniedByFa(code) && viaFa && S.homeState == ST_AWAY) {
    const alt = alternativeFa(S.cur);
    if (alt >= 0) { adopt(alt, <u8>MoveReason.NEW_AGENT); return 0; }
  }
  backOff();
  return 0;
}
