// Home agent side of route optimization (seed 001 §3.1, §4.1-4.3, §4.6, §6, §7, appendix A; issue 10.3):
//
//   haroIntercepted(v, src, home)  a datagram from `src` for bound `home` was intercepted and tunnelled:
//     the original sender is told the binding (Binding Update, I set, timestamp Identification; A on
//     the first one to that node about that binding so it may join the correspondent list, §7.3),
//     when we share an association with it (or derive one from the master key) — at most once per
//     `updateIntervalMs` per (node, binding) (§7.1)
//   haroRequest   UDP 434 type 17: a Binding Request is answered with a Binding Update carrying its
//     Identification (§4.2), to its source address and port, rate limited the same way
//   haroWarning   UDP 434 type 16: a Binding Update to each target (§4.1; the warning itself is not
//     authenticated, §3.1 — it can only make us send what we would send anyway, to nodes we share an
//     association with, rate limited)
//   haroRegistered(home, msg, extOff)  after an accepted registration: the targets of its Binding
//     Warning extension (§6) and the correspondents on the binding's list (§7.3, A set) get the new
//     binding (a deregistration: lifetime 0, so their entries go)
//   haroAck       UDP 434 type 19: a correspondent acknowledged a Binding Update sent with A: it is on
//     the list (status 0), or off it (anything else)
// Every Binding Update about a binding registered with P (registration profile "seeds") says care-of
// = home address, lifetime 0 (§4.6); so does one about a home address we hold no binding for.
// The master key (appendix A): an association with use "master" whose peer is one of our addresses
// gives, for any node X without an association of its own, the key MD5(X | master | X) with the master
// association's SPI and algorithm (`mipfw derive-key` prints it for X's administrator).

import { drSend } from "./coa";
import { drMsg, drMsgLen } from "./mip";
import * as cfg from "../config";
import { C, count } from "../counters";
import { nowMs } from "../clock";
import { netifCount, netifValid, netifIp, netifFlags, netifOnLink } from "../link/netif";
import { ipSend, ipIsOurs, ipNextIdent } from "../stack/ip";
import { pktBuffers } from "../stack/packet";
import { htFindV4 } from "../table/hash";
import { ipv4HeaderLen, ipv4Src, ipv4Dst, IPV4_MIN_HEADER } from "../wire/ipv4";
import { udpSrcPort, udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import { MIP_PORT, REQ_FLAG_P } from "../wire/registration";
import { EXT_INDEX_SIZE, EXT_RO_AUTH, EXT_MH_AUTH, EXT_BINDING_WARNING, extIndexFind, extLength } from "../wire/mipext";
import {
  RoErr, roHomeAddr, bwCheck, bwNumTargets, bwTarget, brParse, brIdentification, baParse, baStatus,
  baIdentification, buEmit, BU_FLAG_A, BU_FLAG_I, BU_FLAG_M, BU_FLAG_G, BWX_OFF_TARGETS,
} from "../wire/ro";
import { authAppend } from "../security/auth";
import { md5Sandwich } from "../security/regkey";
import { saFind, saFill, saUse, SA_SIZE, SA_SPI, SA_ALG, SA_FLAGS, SA_KEYLEN, SA_KEY, SA_HMAC, SA_REPLAY } from "../security/sa";
import { ntpNow } from "../security/replay";
import { bindings, bindingN, bindingSlot, bindingSlots, S_COA, S_FLAGS, S_ENCAP, S_EXPIRES } from "./bindings";
import { roPeerAllow, roPeerGet, roPeerNext, roPeerAt, roPeerNodeAt, roPeerHomeAt, roPeerKindAt, roPeerFind,
  RP_UPDATE, RP_LAST_ID, RP_FLAGS, RP_ACKED, RP_ACK_WANTED } from "./ropeers";
import { TUNNEL_HEADROOM } from "../wire/ipip";
import { ETH_HEADER_LEN } from "../wire/ethernet";
import { TIMER_NEVER } from "../table/timer";

const OUT_IP: usize = <usize>(TUNNEL_HEADROOM + ETH_HEADER_LEN);
const OUT_BUF: i32 = <i32>OUT_IP + 96;
const outBuf: usize = memory.data(OUT_BUF, 16);
const OUT_CAP: i32 = OUT_BUF - <i32>OUT_IP - IPV4_MIN_HEADER - UDP_HEADER_LEN;
const idx: usize = memory.data(EXT_INDEX_SIZE, 4);
// The association derived from the master key for one node (sa.ts layout), rebuilt per message.
const derived: usize = memory.data(<i32>SA_SIZE, 8);
const addrBuf: usize = memory.data(4, 4);
let lastId: u64 = 0;

/** Register the reply buffer (haInit, route optimization on). */
export function haroInit(): void {
  lastId = 0;
  pktBuffers(outBuf, 1, <usize>OUT_BUF);
}

/** Our address on the home network (the home agent address mobile nodes register with), else the first one. */
function ourAddress(): u32 {
  let first: u32 = 0;
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i) || netifIp(i) == 0) continue;
    if ((netifFlags(i) & cfg.IF_HOME) != 0) return netifIp(i);
    if (first == 0) first = netifIp(i);
  }
  return first;
}

/**
 * The association a Binding Update to `node` is authenticated with (001 §7.2): its own (use
 * correspondent, or foreign-home for a foreign agent), else one derived from the master key
 * (appendix A), else 0 (the update cannot be sent).
 */
function targetSa(node: u32, allowMaster: bool = true): usize {
  const sa = saFind(node);
  if (sa != 0) {
    const u = saUse(sa);
    return u == cfg.SA_USE_CORRESPONDENT || u == cfg.SA_USE_FOREIGN_HOME ? sa : 0;
  }
  if (!allowMaster) return 0;
  // Why: 001 appendix A: "the home agent need only be configured to know that this scheme is in use";
  // the master association is the one of use master whose peer is one of our addresses.
  let m: usize = 0;
  for (let i = 0; i < netifCount() && m == 0; i++) {
    if (!netifValid(i) || netifIp(i) == 0) continue;
    const s = saFind(netifIp(i));
    if (s != 0 && saUse(s) == cfg.SA_USE_MASTER) m = s;
  }
  if (m == 0) return 0;
  // Why: 001 appendix A: node-specific key = MD5(node-address | master-key | node-address).
  store<u32>(addrBuf, bswap<u32>(node));
  md5Sandwich(addrBuf, 4, m + SA_KEY, <i32>load<u8>(m, SA_KEYLEN), derived + SA_KEY);
  saFill(derived, load<u32>(m, SA_SPI), load<u8>(m, SA_ALG), 0,
    (load<u8>(m, SA_FLAGS) & cfg.SA_FLAG_COVER_SPI) | (cfg.SA_USE_CORRESPONDENT << cfg.SA_USE_SHIFT), derived + SA_KEY, 16);
  return derived;
}

/** A fresh Identification: our NTP time, strictly after the last one sent (correspondents refuse a repeat). */
function nextId(): u64 {
  let id = ntpNow(0);
  if (lastId != 0 && <i64>(id - lastId) <= 0) id = lastId + 1;
  lastId = id;
  return id;
}

/**
 * Send `node` (UDP port `dport`) the binding of `home` as it stands (001 §4.3): the first live care-of
 * address with the remaining lifetime and the encapsulations it allows, or care-of = home address and
 * lifetime 0 when there is none or it is private (§4.6), authenticated with `sa` (targetSa's for
 * `node`), Identification `id` (not 0: updateLimited gives a fresh one for 0); `ack`: A set. False when it could not be sent.
 */
function sendUpdate(sa: usize, node: u32, dport: i32, home: u32, id: u64, ack: bool): bool {
  const now = nowMs();
  let coa = home;
  let life: u16 = 0;
  let flags: u8 = BU_FLAG_I | (ack ? BU_FLAG_A : 0);
  const v = bindingN > 0 ? htFindV4(bindings, home) : 0;
  for (let i = 0, n = v != 0 ? bindingSlots(v) : 0; i < n; i++) {
    const s = bindingSlot(v, i);
    const exp = load<i64>(s, S_EXPIRES);
    if (exp <= now) continue;
    // Why: 001 §4.6: with P the binding is never disclosed: care-of = home address, lifetime 0.
    if ((load<u8>(s, S_FLAGS) & REQ_FLAG_P) != 0 && cfg.registrationProfile == cfg.PROFILE_SEEDS) break;
    coa = load<u32>(s, S_COA);
    // Why: 001 §4.3: "the home agent should set this lifetime to the remaining registration lifetime".
    const left = (exp - now + 999) / 1000;
    life = <u16>(left > 0xfffe ? 0xfffe : left);
    const enc = <u32>load<u8>(s, S_ENCAP);
    if (enc == cfg.ENCAP_MINIMAL) flags |= BU_FLAG_M;
    if (enc == cfg.ENCAP_GRE) flags |= BU_FLAG_G;
    break;
  }
  const msg = outBuf + OUT_IP + <usize>(IPV4_MIN_HEADER + UDP_HEADER_LEN);
  let n = buEmit(msg, OUT_CAP, flags, life, home, coa, id);
  if (n < 0) return false;
  // Why: 001 §4.3, §4.5: the Route Optimization Authentication extension is required, last.
  n = authAppend(sa, msg, n, OUT_CAP, EXT_RO_AUTH);
  if (n < 0) return false;
  if (!drSend(outBuf + OUT_IP, ourAddress(), node, dport, n)) return false;
  count(C.RO_BU_TX);
  return true;
}

/**
 * Send `node` the binding of `home` if the rate limit allows (001 §7.1: one per `updateIntervalMs`
 * per node and binding); `ack`: A set, remembered so the acknowledgement puts the node on the list.
 */
function updateLimited(node: u32, dport: i32, home: u32, id: u64, ack: bool, allowMaster: bool = true): void {
  if (node == 0 || node == home || ipIsOurs(node)) return;
  // Why: an update nobody can authenticate is not sent, and does not use up the node's allowance.
  const sa = targetSa(node, allowMaster);
  if (sa == 0) { count(C.RO_BU_NO_SA); return; }
  const now = nowMs();
  if (!roPeerAllow(node, home, RP_UPDATE, now, <i64>cfg.roUpdateIntervalMs())) { count(C.RO_BU_RATE_LIMITED); return; }
  const p = roPeerGet(node, home, RP_UPDATE);
  // Why: 001 §7.3: the list holds the nodes that acknowledged an update; A is asked on the first one
  // to a node about a binding, and on every update to a node on the list (it must acknowledge again).
  const wantAck = ack || (p != 0 && (load<u8>(p, RP_FLAGS) & (RP_ACKED | RP_ACK_WANTED)) == 0);
  const theId = id != 0 ? id : nextId();
  // (`sa` is still the association targetSa gives: nothing above changes one, and a derived one is
  // derived again the same.)
  if (sendUpdate(sa, node, dport, home, theId, wantAck) && wantAck && p != 0) {
    store<u64>(p, theId, RP_LAST_ID);
    store<u8>(p, (load<u8>(p, RP_FLAGS) & ~RP_ACKED) | RP_ACK_WANTED, RP_FLAGS);
  }
}

/**
 * A datagram from `src` for bound home address `home` was intercepted (001 §3.1: "the home agent may
 * deduce that the original source ... has no binding cache entry"): tell it the binding.
 */
export function haroIntercepted(src: u32, home: u32): void { updateLimited(src, MIP_PORT, home, 0, false); }

/**
 * Until when a flow (stack/flow.ts) of datagrams from `src` for `home` may skip the home agent's
 * route decision: while no Binding Update to `src` about `home` is due — the next one may be sent
 * `updateIntervalMs` after the last — so a correspondent that did not take the first update gets
 * another (001 §3.1: "additional future datagrams ... will cause transmission of another").
 * TIMER_NEVER-like (i64 max) when `src` could not be sent one anyway.
 */
export function haroFlowUntil(src: u32, home: u32, now: i64): i64 {
  if (targetSa(src) == 0) return TIMER_NEVER;
  return now + <i64>cfg.roUpdateIntervalMs();
}

/** Bytes of the UDP payload `payload` returned last. */
let payloadLen: i32 = 0;
/** The UDP payload of the IPv4 datagram at `p` (its length in payloadLen). */
function payload(p: usize): usize {
  const m = drMsg(p);
  payloadLen = drMsgLen(m);
  return m;
}

/** UDP 434 type 17 to us: a Binding Request (001 §4.2). 0 handled, -1 not for us. */
export function haroRequest(iface: i32, p: usize, len: i32): i32 {
  const msg = payload(p);
  const mlen = payloadLen;
  if (!ipIsOurs(ipv4Dst(p)) || brParse(msg, mlen, idx) != RoErr.OK) { count(C.DROP_RO_MALFORMED); return 0; }
  count(C.RO_BR_RX);
  // Why: only the home agent of `home` may say where it is, or that it has no binding: a request about
  // another network's node is not ours to answer (our "delete" would erase its home agent's entry).
  if (!onHomeLink(roHomeAddr(msg))) { count(C.RO_BR_NOT_OURS); return 0; }
  // Why: 001 §4.2: the answer is a Binding Update carrying the request's Identification, to the
  // requester; a private or absent binding is answered with care-of = home address, lifetime 0.
  updateLimited(ipv4Src(p), udpSrcPort(msg - UDP_HEADER_LEN), roHomeAddr(msg), brIdentification(msg), false);
  return 0;
}

/** UDP 434 type 16 to us: a Binding Warning (001 §4.1). */
export function haroWarning(iface: i32, p: usize, len: i32): i32 {
  const msg = payload(p);
  const mlen = payloadLen;
  if (!ipIsOurs(ipv4Dst(p)) || bwCheck(msg, mlen) != RoErr.OK) { count(C.DROP_RO_MALFORMED); return 0; }
  count(C.RO_BW_RX);
  const home = roHomeAddr(msg);
  // Why: 001 §4.1: "send a Binding Update message to each target node address" — about bindings we
  // hold only (a warning about another home agent's node is not ours to answer).
  if (bindingN == 0 || htFindV4(bindings, home) == 0) return 0;
  // Why: a warning is not authenticated (001 §3.1), so one datagram must not make the home agent a
  // reflector: at most BW_TARGETS targets are served, and only nodes with an association of their own
  // (a key derived from the master key would let any address be a target).
  const n = bwNumTargets(mlen);
  if (n > BW_TARGETS) count(C.RO_BW_TARGETS_IGNORED);
  for (let i = 0, m = min(n, BW_TARGETS); i < m; i++) updateLimited(bwTarget(msg, i), MIP_PORT, home, 0, false, false);
  return 0;
}

/** Most targets of one Binding Warning the home agent serves. */
const BW_TARGETS: i32 = 8;

/** True when `home` is on one of our home networks (a home address we may answer for). */
function onHomeLink(home: u32): bool {
  for (let i = 0; i < netifCount(); i++) {
    if (netifValid(i) && (netifFlags(i) & cfg.IF_HOME) != 0 && netifOnLink(i, home)) return true;
  }
  return false;
}

/**
 * After the accepted registration of `home` in request `msg`: the Binding Warning extension's targets
 * (001 §6; only when the mobile-home authenticator covers it, at `mhOff`) and the correspondents on the
 * binding's list (001 §7.3, A set) get the binding as it now stands.
 */
export function haroRegistered(home: u32, msg: usize, bwOff: i32, mhOff: i32): void {
  if (bwOff != 0 && bwOff < mhOff) {
    const ext = msg + <usize>bwOff;
    // Why: 001 §6 names the mobile node in the extension; one about another node is ignored.
    if (bswap<u32>(load<u32>(ext, 4)) == home) {
      const n = (<i32>extLength(ext) - 6) >> 2;
      for (let i = 0; i < n; i++) updateLimited(bswap<u32>(load<u32>(ext + BWX_OFF_TARGETS + (<usize>i << 2))), MIP_PORT, home, 0, false);
    }
  }
  // Why: 001 §7.3: "it MAY transmit new Binding Updates to each correspondent node that is on its list
  // for the particular mobile node ... MUST set the 'A' bit".
  for (let r = roPeerNext(0); r >= 0; r = roPeerNext(r + 1)) {
    if (roPeerKindAt(r) != RP_UPDATE || roPeerHomeAt(r) != home || (load<u8>(roPeerAt(r), RP_FLAGS) & RP_ACKED) == 0) continue;
    updateLimited(roPeerNodeAt(r), MIP_PORT, home, 0, true);
  }
}

/** UDP 434 type 19 to us: a Binding Acknowledge for an update sent with A (001 §4.4, §7.3). */
export function haroAck(iface: i32, p: usize, len: i32): i32 {
  const msg = payload(p);
  const mlen = payloadLen;
  if (baParse(msg, mlen, idx) != RoErr.OK) { count(C.DROP_RO_MALFORMED); return 0; }
  const e = roPeerFind(ipv4Src(p), roHomeAddr(msg), RP_UPDATE);
  // Only the acknowledgement of the last update sent with A to that node about that binding counts.
  if (e == 0 || (load<u8>(e, RP_FLAGS) & RP_ACK_WANTED) == 0 || load<u64>(e, RP_LAST_ID) != baIdentification(msg)) {
    count(C.RO_BA_IGNORED);
    return 0;
  }
  const f = load<u8>(e, RP_FLAGS) & ~RP_ACK_WANTED;
  store<u8>(e, baStatus(msg) == 0 ? f | RP_ACKED : f & ~RP_ACKED, RP_FLAGS);
  count(C.RO_BA_RX);
  return 0;
}
