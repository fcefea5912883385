// Agent Advertisement and Solicitation, agent side (RFC 2002 §2, RFC 1256 §3-§5): foreign and home
// agents advertise periodically on every interface flagged IF_ADVERTISE and answer Agent
// Solicitations there. Shared by both agent roles (roles.ts registers it when either is configured).
//
// Agent Advertisement sent (interop contract in notes/mip.md; layouts in wire/icmp.ts):
//   Ethernet dst 01:00:5e:00:00:01 (periodic) or the soliciter's MAC (solicited)
//   IPv4 src = the interface address, dst 224.0.0.1 (periodic) or the solicitation's source
//        (255.255.255.255 if that was 0), TTL 1 (RFC 2002 §2.3: agents advertise on their link only)
//   ICMP type 9, code 0 (16 when this node does not route common traffic, RFC 2002 §2.1)
//        Num Addrs 1, Entry Size 2, Lifetime = advertLifetimeSec, router address = interface address,
//        preference 0
//   Mobility Agent Advertisement ext (16): Sequence, Registration Lifetime = lifetimeSec, flags
//        R B H F M G T (V S never; T only in the "rfc3344" profile), care-of address = the interface address when F
//   Prefix-Lengths ext (19): the interface's prefix length
//
// Sequence numbers (RFC 2002 §2.3, rollover): one counter per interface, 0 in the first
// advertisement after init, +1 per advertisement sent (periodic or solicited), and after 0xffff it
// continues at 256, so a mobile node can tell a rebooted agent (sequence < 256) from a wrap.
//
// Timing: the first advertisement goes out at start, then one every advertIntervalMs plus a random
// 0..10 % (host random) so agents on one link do not synchronise (RFC 1256 §4.1 randomises for the
// same reason). Solicitations are answered at once, without RFC 1256's 0..MAX_RESPONSE_DELAY wait:
// Mobile IP handoff latency matters more here, and the answer is unicast to the soliciter anyway.
// Multicast advertisements: at most one per second per interface (RFC 2002 §2.3.2).
// One timer per advertising interface on the stack heap: kind TK_AGENT_ADVERT, tag = interface index.

import { drMsg, drMsgLen, drPayload } from "./mip";
import * as cfg from "../config";
import { random } from "../host";
import { nowMs } from "../clock";
import { C, count } from "../counters";
import { MAX_IFACES, netifCount, netifValid, netifUp, netifIp, netifPrefixLen, netifFlags, netifMac } from "../link/netif";
import { addrSetV4 } from "../wire/addr";
import { stackTimerArm, OWNER_AGENT } from "../sys/timers";
import { linkSendIp, linkSendIpTo } from "../stack/arp";
import { ipNextIdent } from "../stack/ip";
import { ETH_HEADER_LEN } from "../wire/ethernet";
import { IPV4_MIN_HEADER, IPPROTO_ICMP, IP_BROADCAST, ipv4Emit, ipv4HeaderLen, ipv4Src } from "../wire/ipv4";
import {
  IcmpErr, icmpType, rsCheck, EXT_MOBILITY_AGENT, EXT_PREFIX_LENGTHS, MA_MIN_LENGTH, ICMP_ROUTER_ADVERT, ICMP_HEADER_LEN, ICMP_ROUTER_SOLICIT, RA_CODE_ROUTER, RA_CODE_MOBILITY_ONLY,
  MA_FLAG_R, MA_FLAG_B, MA_FLAG_H, MA_FLAG_F, MA_FLAG_M, MA_FLAG_G, MA_FLAG_T, MA_FLAG_S, icmpFillChecksum
} from "../wire/icmp";
import {
  rsAppendEmpty, rsSetServer, dsEmit, dsParse, dsValue, dsAddress, dsIdentification, dsLifetimeSec, DrErr,
  DR_TYPE_RS_SOLICIT, DR_TYPE_RS_ADVERT, ALL_RS_GROUP,
} from "../wire/dremip";
import { arenaAlloc } from "../mem";
import { udpIpEmit, udpLength } from "../wire/udp";
import { MIP_PORT } from "../wire/registration";
import { extIndexScratch, extIndexFind, EXT_AS_AUTH } from "../wire/mipext";
import { ntpNow } from "../security/replay";
import { saFindFor } from "../security/sa";
import { faFull, faAdvertisesReverseTunnel } from "./fa";
import { drAuthLast } from "./coa";

/** Timer kinds of this module on the stack timer heap (stack range 0x0001-0x00ff). */
/** The periodic advertisement of one interface (tag = interface index). */
export const TK_AGENT_ADVERT: u16 = (OWNER_AGENT << 8);

/** All-systems multicast group, the destination of periodic advertisements (RFC 1256 §3.2, RFC 2002 §2.3). */
export const ALL_SYSTEMS: u32 = 0xe0000001;
/** Sequence number that follows 0xffff (RFC 2002 §2.3: 0-255 only after a reboot). */
export const SEQ_WRAP_TO: u16 = 256;

// Per interface: next sequence number (u16) and the advertisement timer handle (i32, -1 if none).
const seqs: usize = memory.data(2 * MAX_IFACES, 2);
const timers: usize = memory.data(4 * MAX_IFACES, 4);
// Per interface: when the last multicast/broadcast advertisement went out (i64 ms, NEVER if none).
const groupSent: usize = memory.data(8 * MAX_IFACES, 8);
const NEVER: i64 = -0x7fffffffffff;
/**
 * Least spacing of two multicast or broadcast advertisements on one interface: RFC 2002 §2.3.2 says
 * an agent MUST limit their rate and recommends at most one per second.
 */
export const GROUP_ADVERT_MIN_GAP_MS: i64 = 1000;

// One advertisement: Ethernet + IPv4 + the largest message built here (1 router, 1 care-of, prefix).
// Router advertisement with one address, mobility extension, prefix lengths (40) and a Registration
// Server extension of up to MAX_ADV_SERVERS servers (002 §3.1: 4 + 8 each).
const MAX_ADV_SERVERS: i32 = 8;
const ADV_MAX: i32 = 40 + 4 + 8 * MAX_ADV_SERVERS;
const FRAME_CAP: i32 = ETH_HEADER_LEN + IPV4_MIN_HEADER + ADV_MAX;
const frame: usize = memory.data(FRAME_CAP, 8);
const rnd: usize = memory.data(2, 2);

// @ts-ignore: decorator
@inline function seqAt(i: i32): usize { return seqs + (<usize>i << 1); }
// @ts-ignore: decorator
@inline function timerAt(i: i32): usize { return timers + (<usize>i << 2); }
// @ts-ignore: decorator
@inline function groupSentAt(i: i32): usize { return groupSent + (<usize>i << 3); }

/** True when a multicast/broadcast advertisement may go out on `iface` now (RFC 2002 §2.3.2). */
function groupAllowed(iface: i32, now: i64): bool {
  return now - load<i64>(groupSentAt(iface)) >= GROUP_ADVERT_MIN_GAP_MS;
}

/** Reset the sequence numbers and timer handles (tables come from static memory). */
export function agentInit(): void {
  memory.fill(seqs, 0, 2 * <usize>MAX_IFACES);
  for (let i = 0; i < MAX_IFACES; i++) { store<i32>(timerAt(i), -1); store<i64>(groupSentAt(i), NEVER); }
  discTimer = -1;
  discId = 0;
  discovered = 0;
  if (!cfg.drEnabled || cfg.drProbeIntervalMs == 0) return;
  discovered = arenaAlloc(<usize>MAX_ADV_SERVERS * 16); // zeroed (mem.ts)
}

// ---- registration server discovery (002 appendix A; formats: wire/dremip.ts, docs/decisions.md) ----
// Discovered servers (carved when discovery is on): MAX_ADV_SERVERS entries of 0 address u32 |
// 4 priority u16 | 6 lifetime u16 | 8 expiresAtMs i64 (0: free).
let discovered: usize = 0;
let discTimer: i32 = -1;
let discId: u64 = 0;
/** Timer kind of the discovery solicitation (tag 0). */
export const TK_AGENT_DISCOVER: u16 = TK_AGENT_ADVERT + 1;

/**
 * Appendix A: "A mobility agent merely needs to send a Neighbor Request message to the multicast
 * address of the registration servers" — a Registration Server Solicitation to the
 * all-registration-servers group on each interface that does not face mobile nodes, repeated every
 * mobility.dremip.probeIntervalMs ("with a period long enough to limit the overhead").
 */
function solicitServers(now: i64): void {
  discId = ntpNow(0);
  const ip = frame + <usize>ETH_HEADER_LEN;
  const u = ip + <usize>IPV4_MIN_HEADER;
  const m = u + 8;
  // The Address names us as servers know us: our care-of address (the first advertising
  // interface's), the source of the requests we relay and the peer of our agent-server keys.
  let me: u32 = 0;
  for (let i = 0; i < netifCount() && me == 0; i++) if (agentAdvertises(i)) me = netifIp(i);
  const n = dsEmit(m, ADV_MAX - 8, DR_TYPE_RS_SOLICIT, 0, me, discId, 0);
  for (let i = 0; i < netifCount(); i++) {
    if (!netifValid(i) || !netifUp(i) || netifIp(i) == 0 || agentAdvertises(i)) continue;
    const total = udpIpEmit(ip, ipNextIdent(), 16, netifIp(i), ALL_RS_GROUP, MIP_PORT, MIP_PORT, n);
    if (linkSendIp(i, ALL_RS_GROUP, ip, total) == 0) count(C.DR_DS_SOLICIT_TX);
  }
  discTimer = stackTimerArm(discTimer, TK_AGENT_DISCOVER, 0, now + <i64>cfg.drProbeIntervalMs);
}

/**
 * UDP 434 type 35 (mip.ts handler): a Registration Server Advertisement answering our latest
 * solicitation, authenticated by a server we share an agent-server key with: the server goes into our
 * advertisements' Registration Server extension with its priority and lifetime for three intervals
 * (appendix A: "The mobility agent then puts the addresses of all registration servers and their
 * associated priority levels in the Agent Advertisement messages").
 */
export function agentServerAdvert(iface: i32, p: usize, len: i32): i32 {
  if (discovered == 0) return -1;
  const m = drMsg(p);
  const ml = drMsgLen(m);
  if (dsParse(m, ml, DR_TYPE_RS_ADVERT, extIndexScratch) != DrErr.OK) { count(C.DROP_DR_MALFORMED); return 1; }
  const src = ipv4Src(p);
  const sa = saFindFor(src, cfg.SA_USE_AGENT_SERVER);
  const off = extIndexFind(extIndexScratch, EXT_AS_AUTH);
  if (!drAuthLast(sa, m, ml, off)) { count(C.DROP_DR_AUTH); return 1; }
  if (discId == 0 || dsIdentification(m) != discId || dsAddress(m) != src) { count(C.DROP_DR_REPLAY); return 1; }
  const now = nowMs();
  let free = -1;
  let at = -1;
  for (let i = 0; i < MAX_ADV_SERVERS; i++) {
    const e = discovered + (<usize>i << 4);
    if (load<i64>(e, 8) != 0 && load<u32>(e) == src) { at = i; break; }
    if (free < 0 && load<i64>(e, 8) <= now) free = i;
  }
  if (at < 0) at = free;
  if (at < 0) return 1;
  const e = discovered + (<usize>at << 4);
  store<u32>(e, src);
  store<u16>(e, dsValue(m), 4);
  store<u16>(e, dsLifetimeSec(m), 6);
  store<i64>(e, now + 3 * <i64>cfg.drProbeIntervalMs, 8);
  count(C.DR_DS_ADVERT_RX);
  return 0;
}

/**
 * This agent's advertising state as dump table 11 records (kind 2, docs/abi.md; images with STATUS): the
 * `k`-th advertising interface's into `out` (56 bytes) when k < the count; returns the count.
 */
export function agentOwnDump(k: i32, out: usize): i32 {
  let n = 0;
  for (let i = 0; i < netifCount(); i++) {
    if (!agentAdvertises(i) || n++ != k) continue;
    const f = agentFlags(i);
    store<i64>(out, 0x7fffffffffffffff);
    store<u16>(out, <u16>f, 8);
    store<u16>(out, load<u16>(seqAt(i)), 10); // the next to send
    store<u16>(out, <u16>cfg.lifetimeSec, 12);
    store<u16>(out, <u16>i | (2 << 8), 14);   // iface, kind 2
    store<u16>(out, <u16>netifPrefixLen(i) << 8, 16);
    memory.copy(out + 18, netifMac(i), 6);
    addrSetV4(out + 24, netifIp(i));
    addrSetV4(out + 40, (f & MA_FLAG_F) != 0 ? netifIp(i) : 0);
  }
  return n;
}

/** True when interface `i` advertises (configured with IF_ADVERTISE). */
export function agentAdvertises(i: i32): bool {
  return netifValid(i) && (netifFlags(i) & cfg.IF_ADVERTISE) != 0;
}

/** Mobility Agent Advertisement flags this node advertises on `iface` (RFC 2002 §2.1.1). */
export function agentFlags(iface: i32): i32 {
  let f = 0;
  // Why: RFC 2002 §2.1.1: H only where this node serves as home agent, i.e. on its home network.
  if ((cfg.roles & cfg.ROLE_HOME_AGENT) != 0 && (netifFlags(iface) & cfg.IF_HOME) != 0) f |= MA_FLAG_H;
  if ((cfg.roles & cfg.ROLE_FOREIGN_AGENT) != 0) {
    // Why: RFC 2002 §2.1.1, §3.1: a foreign agent requires registration through it (R) — it offers no
    // co-located service on its link — and is busy (B) when it takes no additional mobile nodes.
    f |= MA_FLAG_F | MA_FLAG_R;
    if (cfg.busy() || faFull()) f |= MA_FLAG_B;
    // Why: RFC 3024 §3.1: T when the agent offers reverse tunnelling ("rfc3344" profile only).
    if (faAdvertisesReverseTunnel()) f |= MA_FLAG_T;
    // Why: 001 §5.2: S when this foreign agent takes part in smooth handoffs — it sends the Binding
    // Update of a Previous Foreign Agent Notification (001 §8.1) and keeps a forwarding binding
    // cache (route optimization on, smooth handoff on).
    if (cfg.roEnabled && cfg.roSmoothHandoff) f |= MA_FLAG_S;
  }
  // IP-in-IP is always supported (RFC 2002 §4.1); M and G announce the optional methods.
  if ((cfg.encapsulations & cfg.ENCAP_MINIMAL) != 0) f |= MA_FLAG_M;
  if ((cfg.encapsulations & cfg.ENCAP_GRE) != 0) f |= MA_FLAG_G;
  return f;
}

/**
 * Build and send one advertisement on `iface` to `dst` (IPv4, host order); `dstMac` = 0 sends by IP
 * (multicast), else to that MAC. Consumes one sequence number. False when nothing was sent.
 */
function sendAdvert(iface: i32, dst: u32, dstMac: usize): bool {
  const addr = netifIp(iface);
  // Why: an interface without an address (or down) has no router address to advertise.
  if (addr == 0 || !netifUp(iface)) return false;
  const seq = load<u16>(seqAt(iface));
  const flags = agentFlags(iface);
  const withCoa = (flags & MA_FLAG_F) != 0;
  const ip = frame + <usize>ETH_HEADER_LEN;
  const icmp = ip + <usize>IPV4_MIN_HEADER;
  // Why: RFC 2002 §2.1: code 16 tells hosts that this agent does not route common traffic.
  const code = (cfg.roles & cfg.ROLE_ROUTER) != 0 ? RA_CODE_ROUTER : RA_CODE_MOBILITY_ONLY;
  // The advertisement wire/icmp.ts agentAdvertEmit builds, for its one case here (one router address,
  // preference 0; at most one care-of address; the prefix length; 31 bytes, within ADV_MAX): no loops
  // over counts, and the checksum once, after the servers (size, issue 12). Written as 32-bit words in
  // network order: type 9, code, checksum 0 | 1 address, entry size 2, lifetime | router address |
  // preference 0 | extension 16, its length, sequence | registration lifetime, flags | care-of address.
  store<u32>(icmp, <u32>ICMP_ROUTER_ADVERT | (<u32>code << 8));
  // (Both lifetimes are configured within 16 bits: advertLifetimeSec <= 9000, lifetimeSec <= 65534.)
  store<u32>(icmp, bswap<u32>(0x01020000 | <u32>cfg.advertLifetimeSec()), 4);
  store<u32>(icmp, bswap<u32>(addr), 8);
  store<u32>(icmp, 0, 12);
  const nc = withCoa ? 4 : 0;
  store<u32>(icmp, bswap<u32>((<u32>EXT_MOBILITY_AGENT << 24) | (<u32>(MA_MIN_LENGTH + nc) << 16) | <u32>seq), 16);
  store<u32>(icmp, bswap<u32>((<u32>cfg.lifetimeSec << 16) | <u32>flags), 20);
  if (withCoa) store<u32>(icmp, bswap<u32>(addr), 24);
  let n = 24 + nc;
  // The Prefix-Lengths extension for the one address: 19, length 1, the prefix length.
  store<u16>(icmp + <usize>n, <u16>EXT_PREFIX_LENGTHS | (1 << 8));
  store<u8>(icmp + <usize>n, netifPrefixLen(iface), 2);
  n += 3;
  n = appendServers(icmp, n);
  icmpFillChecksum(icmp, n);
  // Why: RFC 2002 §2.3: advertisements are link-local; TTL 1 keeps them from being forwarded.
  ipv4Emit(ip, 0, <u16>(IPV4_MIN_HEADER + n), ipNextIdent(), 0, 1, IPPROTO_ICMP, addr, dst);
  // Why: RFC 2002 §2.3: +1 per advertisement, after 0xffff back to 256 (0-255 mean "rebooted").
  store<u16>(seqAt(iface), seq == 0xffff ? SEQ_WRAP_TO : seq + 1);
  count(C.AGENT_ADVERT_TX);
  if (dstMac == 0) {
    store<i64>(groupSentAt(iface), nowMs()); // a multicast frame (RFC 2002 §2.3.2 limit)
    linkSendIp(iface, dst, ip, IPV4_MIN_HEADER + n);
  } else {
    linkSendIpTo(iface, dstMac, ip, IPV4_MIN_HEADER + n);
  }
  return true;
}

/**
 * Append the Registration Server extension (81) naming the configured servers of kind "advertise"
 * (the first MAX_ADV_SERVERS) to the advertisement of `n` bytes at `icmp`; the new length (the
 * caller fills the checksum).
 * Why: 002 §7.1: "A mobility agent SHOULD include a registration server extension in the Agent
 * Advertisements", with each server's priority and lifetime (§4.1); the extension's own Lifetime is
 * the longest of the servers'.
 */
function appendServers(icmp: usize, n: i32): i32 {
  if (!cfg.drEnabled) return n;
  // Configured servers first, then discovered ones (appendix A) not configured.
  const now = nowMs();
  let k = cfg.serverCountOf(cfg.SRV_ADVERTISE);
  if (discovered != 0) for (let i = 0; i < MAX_ADV_SERVERS; i++) if (liveDiscovered(i, now)) k++;
  if (k == 0) return n;
  if (k > MAX_ADV_SERVERS) k = MAX_ADV_SERVERS;
  const r = rsAppendEmpty(icmp, n, ADV_MAX, 0, k);
  if (r < 0) return n;
  const ext = icmp + <usize>n;
  let life: u16 = 0;
  let j = 0;
  // The configured servers (i < serverCount), then the discovered ones: one loop (size, issue 12).
  const nc = cfg.serverCount;
  for (let i = 0; i < nc + MAX_ADV_SERVERS && j < k; i++) {
    let a: u32, prio: u16, sl: u16;
    if (i < nc) {
      if (cfg.serverKind(i) != cfg.SRV_ADVERTISE) continue;
      a = cfg.serverAddress(i);
      prio = cfg.serverPriority(i);
      sl = cfg.serverLifetimeSec(i);
    } else {
      if (discovered == 0 || !liveDiscovered(i - nc, now)) continue;
      const e = discovered + (<usize>(i - nc) << 4);
      a = load<u32>(e);
      prio = load<u16>(e, 4);
      sl = load<u16>(e, 6);
    }
    rsSetServer(ext, j++, a, prio, sl);
    if (sl > life) life = sl;
  }
  // Fewer than counted (a configured server also discovered): the extension shrinks to what was written.
  // (When j == k the same Length rsAppendEmpty wrote.)
  store<u8>(ext, <u8>(2 + (j << 3)), 1);
  if (j == 0) return n;
  store<u16>(ext, bswap<u16>(life), 2);
  return n + 4 + (j << 3);
}

/** Discovered server `i` is in force and not one of the configured ones. */
function liveDiscovered(i: i32, now: i64): bool {
  const e = discovered + (<usize>i << 4);
  if (load<i64>(e, 8) <= now) return false;
  const a = load<u32>(e);
  for (let k = 0; k < cfg.serverCount; k++) if (cfg.serverKind(k) == cfg.SRV_ADVERTISE && cfg.serverAddress(k) == a) return false;
  return true;
}

/** Deadline of the next periodic advertisement: interval plus a random 0..10 % of it. */
function nextDeadline(now: i64): i64 {
  const interval = <i64>cfg.advertIntervalMs();
  random(rnd, 2);
  const jitter = <i64>load<u16>(rnd) % (interval / 10 + 1);
  return now + interval + jitter;
}

/** (Re)arm the periodic timer of `iface` for `deadline`; counts a full timer heap. */
function arm(iface: i32, deadline: i64): void {
  const h = timerAt(iface);
  const t = stackTimerArm(load<i32>(h), TK_AGENT_ADVERT, <u32>iface, deadline);
  if (t < 0) count(C.DROP_MIP_NO_TIMER);
  store<i32>(h, t);
}

/** Start advertising: one advertisement now on every advertising interface, then periodically. */
export function agentStart(): void {
  const now = nowMs();
  if (discovered != 0) discTimer = stackTimerArm(discTimer, TK_AGENT_DISCOVER, 0, now + 50);
  for (let i = 0; i < netifCount(); i++) {
    if (agentAdvertises(i)) advertise(i, now);
  }
}

/**
 * An ICMP Router Advertisement or Solicitation for us arrived on `iface` (IPv4 datagram at `p`,
 * checksum checked). Answers Agent Solicitations on advertising interfaces; -1 for anything else.
 */
export function agentIcmp(iface: i32, p: usize, len: i32): i32 {
  const m = drPayload(p);
  const ml = len - <i32>(m - p);
  if (ml < 1 || icmpType(m) != ICMP_ROUTER_SOLICIT) return -1;
  // Not an advertising link: the solicitation is left to the local stack (plain RFC 1256 router).
  if (!agentAdvertises(iface)) return -1;
  // Why: RFC 1256 §5.5: a solicitation with a code other than 0 or shorter than 8 bytes is
  // silently discarded. The RFC 1256 check that the source is 0 or a neighbour is not applied: a
  // mobile node away from home solicits from its home address (RFC 2002 §2.2, §3.6.1.1).
  if (rsCheck(m, ml) != IcmpErr.OK) { count(C.DROP_ICMP_MALFORMED); return 1; }
  count(C.AGENT_SOLICIT_RX);
  const src = ipv4Src(p);
  // Why: RFC 2002 §2.3.2 limits only broadcast/multicast advertisements; this answer is a link-layer
  // unicast to the soliciter alone (even with the limited broadcast as IP destination), one per
  // solicitation received, so no rate limit applies to it (nor does RFC 1256 §4.3 set one).
  // Why: RFC 2002 §2.3: every agent answers solicitations; at once (contract), unicast to the
  // soliciter's source address (the limited broadcast if it had none yet) and to its MAC, so no ARP
  // is needed for a visitor's home address.
  sendAdvert(iface, src != 0 ? src : IP_BROADCAST, p - 8);
  return 0;
}

/** A timer of this module fired: the periodic advertisement of interface `tag`. */
export function agentTimer(kind: u16, tag: u32, now: i64): void {
  if (kind == TK_AGENT_DISCOVER) { discTimer = -1; if (discovered != 0) solicitServers(now); return; }
  if (kind != TK_AGENT_ADVERT || tag >= <u32>MAX_IFACES) return;
  const i = <i32>tag;
  store<i32>(timerAt(i), -1); // popped: the handle is stale
  if (!agentAdvertises(i)) return;
  // Why: RFC 2002 §2.3.2: at most one multicast advertisement per second; should one have gone out
  // less than a second ago, wait for the rest of the second.
  if (!groupAllowed(i, now)) { count(C.AGENT_ADVERT_SUPPRESSED); arm(i, load<i64>(groupSentAt(i)) + GROUP_ADVERT_MIN_GAP_MS); return; }
  // A down link sends nothing but keeps its period (sendAdvert checks), so it resumes on its own.
  advertise(i, now);
}

/** The periodic advertisement on `iface`: one now, the next armed. */
function advertise(iface: i32, now: i64): void {
  sendAdvert(iface, ALL_SYSTEMS, 0);
  arm(iface, nextDeadline(now));
}

