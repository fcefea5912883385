// Flow cache (issue 8.8, a lean data path): the decision the full path took for the last datagram of
// a flow — (input interface, source, destination) — kept together with the frame header it produced,
// so the next datagrams of the flow go out after the per-datagram checks and one header copy, without
// the Ethernet, IP, route decision and tunnel calls (under wasm3 each call costs ~100 native
// instructions; bench/opprofile.mjs). The same idea as a router's route cache or a switch's flow
// table; here it is exact: a flow is used only while nothing its decision depended on has changed.
//
// What an entry holds and why it stays right (docs/decisions.md "Core v2"):
//  - it is learnt only from a datagram that the full path just forwarded, received as a frame at the
//    top (flowInput saw it: `flowRx`), with a physical route straight from routeDecide (forward) or
//    by the home agent's one-care-of-address tunnel fast path (IP in IP or GRE);
//  - everything the decision read from tables is covered by flowGeneration(): routes, interfaces and
//    their addresses (routeGeneration), the route sources' tables — bindings, visitors, tunnel soft
//    state (routeChanged) — and the neighbour cache (neighborGeneration);
//  - what expires by the clock (the binding's care-of lifetime, the neighbour entry) bounds `until`;
//  - what depends on the datagram itself is checked again for every datagram, in the full path's
//    order of outcome: the frame to our unicast MAC, IPv4 without options, Total Length within the
//    frame and within the route's MTU, the header checksum, TTL > 1. Anything else takes the full
//    path, which drops, counts and answers exactly as before.
// The counters are the full path's: rx (by the caller), forwarded or tunnel_tx, tx.
//
// Entry (FLOW_STRIDE bytes, direct-mapped by a hash of the key; a collision replaces):
//   0 src u32 | 4 dst u32 (as stored, network order) | 8 input iface i32 (-1 empty) | 12 generation u32 |
//   16 until i64 | 24 output iface i32 | 28 largest Total Length u16 | 30 header bytes u8 (14 forward,
//   34 IP in IP, 38 GRE) | 31 kind u8 | 32 outer header's partial checksum u32 (minimal: the
//   encapsulator) | 36 minimal: the care-of address | 40 the frame header: Ethernet, then the outer
//   IPv4 header (and the GRE header); minimal encapsulation (RFC 2004) keeps only the Ethernet header
//   and rewrites the datagram's own header (wire/minenc.ts) for every datagram

import * as cfg from "../config";
import { C, count, countHot } from "../counters";
import { nowMs } from "../clock";
import { netifMac, netifMacHot } from "../link/netif";
import { neighborGenerationHot, neighborMacExpires } from "../link/neighbor";
import { ethTransmit } from "../link/ethernet";
import { ipv4DecrementTtlHot } from "../wire/ipv4";
import { TUNNEL_HEADROOM } from "../wire/ipip";
import { minEncEncapValidated, MINENC_LEN_S } from "../wire/minenc";
import { GRE_HDR_LEN } from "../wire/gre";
import { IPPROTO_IPIP, IPPROTO_GRE } from "../wire/ipv4";
import { swap16 } from "../wire/bytes";
import { routeDecideGeneration } from "./route";

// ---- Identification (RFC 791 §3.2): one counter for every datagram this node originates ----------
let ident: i32 = 0; // 0-65535
/** Start the Identification counter at `v` (init: a random value). */
export function identSeed(v: u16): void { ident = v; }
/** Next Identification for a datagram this node originates. */
export function ipNextIdent(): i32 { const v = ident; ident = (v + 1) & 0xffff; return v; }
/** ipNextIdent inline, for the encapsulation paths (size: the ~20 control-message senders call). */
// @ts-ignore: decorator
@inline export function ipNextIdentHot(): i32 { const v = ident; ident = (v + 1) & 0xffff; return v; }

const FLOW_ENTRIES: u32 = 16;
const FLOW_STRIDE: usize = 80;
const F_SRC: usize = 0;
const F_DST: usize = 4;
const F_IFACE: usize = 8;
const F_GEN: usize = 12;
const F_UNTIL: usize = 16;
const F_OIF: usize = 24;
const F_MAXLEN: usize = 28;
const F_HDR: usize = 30;
const F_KIND: usize = 31;
const F_SUM: usize = 32;   // KIND_MINIMAL: the encapsulator's address (host order)
const F_COA: usize = 36;   // KIND_MINIMAL: the care-of address (host order)
const F_TMPL: usize = 40;
const KIND_FORWARD: u8 = 1;
const KIND_TUNNEL: u8 = 2;
const KIND_MINIMAL: u8 = 3;
const KIND_DECAP: u8 = 4;   // key: outer source, outer ^ inner destination; F_SUM the outer destination, F_COA the inner one (as stored); F_MAXLEN bounds the outer Total Length
const flows: usize = memory.data(<i32>(FLOW_ENTRIES * <u32>FLOW_STRIDE), 8);
/** Per entry, the key hash of the last flow that missed it (flowWanted). */
const seen: usize = memory.data(<i32>FLOW_ENTRIES * 4, 4);

/** The IPv4 header of the received frame the full path is processing (0: none), and its interface. */
let flowRx: usize = 0;
/** True once any flow was learnt since init (Why (speed): a node that forwards nothing pays one test;
 *  a one-bit-per-hash filter instead cost every datagram of a flow 22 wasm operations more). */
let flowsAny = false;
let flowIface: i32 = -1;

/** Forget every flow (init). */
export function flowReset(): void {
  for (let i: u32 = 0; i < FLOW_ENTRIES; i++) {
    store<i32>(flows + <usize>i * FLOW_STRIDE, -1, F_IFACE);
    store<i32>(tunnels + <usize>i * FLOW_STRIDE, -1, F_IFACE);
  }
  memory.fill(seen, 0, <usize>FLOW_ENTRIES * 4);
  flowRx = 0;
  flowsAny = false;
}

/** Changes so far to anything a flow's decision depended on (file comment). */
// @ts-ignore: decorator
@inline function flowGeneration(): u32 { return routeDecideGeneration() + neighborGenerationHot(); }

/** The hash of a flow's key (source and destination as stored): its entry is `hash >>> 28`. */
// @ts-ignore: decorator
@inline function flowHash(iface: i32, src: u32, dst: u32): u32 { return (src ^ (dst * 0x9e3779b1) ^ <u32>iface) * 0x85ebca6b; }

/** True when entry `e` holds the live flow (`iface`, `src`, `key`). */
// @ts-ignore: decorator
@inline function flowMatch(e: usize, iface: i32, src: u32, key: u32): bool {
  return load<u32>(e, F_SRC) == src && load<u32>(e, F_DST) == key && load<i32>(e, F_IFACE) == iface &&
    load<u32>(e, F_GEN) == flowGeneration() && load<i64>(e, F_UNTIL) > nowMs();
}

/** flowMatch as a call, for the full path's questions (flowWanted, flowTunnel). Why (size): the
 *  per-datagram lookup (flowTry) keeps the inline form. */
function flowLive(e: usize, iface: i32, src: u32, key: u32): bool { return flowMatch(e, iface, src, key); }

/** True when the IPv4 header at `p` (20 bytes, no options) sums to 0xffff (RFC 1071). */
// @ts-ignore: decorator
@inline function sumOk(p: usize): bool {
  let s = <u64>load<u32>(p) + <u64>load<u32>(p, 4) + <u64>load<u32>(p, 8) + <u64>load<u32>(p, 12) + <u64>load<u32>(p, 16);
  s = (s & 0xffffffff) + (s >> 32);
  let s32 = <u32>s + <u32>(s >> 32);
  s32 = (s32 & 0xffff) + (s32 >>> 16);
  return ((s32 & 0xffff) + (s32 >>> 16)) == 0xffff;
}

/**
 * The frame of `len` bytes at `f` (the IPv4 header at f + 14, headroom in front) received on `iface`,
 * counted as received: when it belongs to a cached flow and passes every per-datagram check, it is
 * sent as the full path would (returns 0); when its only fault is the header checksum, dropped and
 * counted as the full path would (returns 1); else -1 and nothing changed (the caller takes the full
 * path, which may learn the flow).
 */
// @ts-ignore: decorator
@inline export function flowInput(iface: i32, f: usize, len: i32): i32 {
  // Only IPv4 without options (nearly every datagram) is cached and learnt from.
  const plain = len >= 34 && load<u16>(f, 12) == 0x0008 && load<u8>(f, 14) == 0x45;
  flowRx = plain ? f + 14 : 0;
  flowIface = iface;
  return plain && flowsAny ? flowTry(iface, f, len) : -1;
}

/** The full path is done with the frame flowInput saw: nothing more is learnt from it. */
// @ts-ignore: decorator
@inline export function flowDone(): void { flowRx = 0; }

function flowTry(iface: i32, f: usize, len: i32): i32 {
  const p = f + 14;
  const src = load<u32>(p, 12);
  let key = load<u32>(p, 16);
  let e = flows + <usize>(flowHash(iface, src, key) >>> 28) * FLOW_STRIDE;
  if (!flowMatch(e, iface, src, key)) {
    // A foreign agent's decapsulation flows are keyed by the outer destination mixed with the inner
    // one, so the visitors behind one tunnel (same outer addresses) have entries of their own. Only
    // IP in IP looks again: the other datagrams pay nothing for it. (For a frame too short to hold an
    // inner header, the mix reads stale bytes; flowDecap's length checks refuse such a frame.)
    if (load<u8>(p, 9) != IPPROTO_IPIP) return -1;
    key ^= load<u32>(p, 36);
    e = flows + <usize>(flowHash(iface, src, key) >>> 28) * FLOW_STRIDE;
    if (!flowMatch(e, iface, src, key) || load<u8>(e, F_KIND) != KIND_DECAP) return -1;
  }
  // The per-datagram checks of ethInput and ipInput (RFC 894, RFC 1812 §5.2.2), then ipForward's.
  const me = netifMacHot(iface);
  if (load<u32>(f) != load<u32>(me) || load<u16>(f, 4) != load<u16>(me, 4)) return -1;
  const total = <i32>swap16(load<u16>(p, 2));
  if (total < 20 || total > len - 14 || total > <i32>load<u16>(e, F_MAXLEN)) return -1;
  // A wrong checksum is all the full path would find (its header checks before the checksum passed
  // above, the frame is ours): dropped and counted the same, without a second walk (RFC 1812 §5.2.2).
  if (!sumOk(p)) { count(C.DROP_IP_CHECKSUM); return 1; }
  // (A decapsulation flow's outer TTL is not ours to check, RFC 2003 §3; one of 1 takes the full path.)
  if (load<u8>(p, 8) <= 1) return -1;
  const r = flowSend(e, p, total);
  if (r == 0) countHot(C.FLOW_HITS);
  return r;
}

/**
 * The checked IP-in-IP datagram at `p` (`total` bytes, to us) of decapsulation flow `e`: when the full
 * path would deliver its inner datagram to the flow's visitor, do so (0); else -1, nothing changed.
 */
function flowDecap(e: usize, p: usize, total: i32): i32 {
  const q = p + 20;
  // The checks of the full path (mobility/tunnel.ts tunnelInput, wire/ipip.ts ipipCheckValidated,
  // mobility/fa.ts faDeliverToVisitor): RFC 2003 §3: IP in IP, not a fragment, the inner header valid
  // (here: without options) with its Total Length the outer payload; RFC 2002 §4.2.2: to the visitor
  // the flow was learnt for; RFC 1812 §5.3.1: inner TTL > 1.
  if (load<u32>(p, 16) != load<u32>(e, F_SUM) || load<u8>(p, 9) != IPPROTO_IPIP || (load<u16>(p, 6) & 0xff3f) != 0 ||
    total < 40 || load<u8>(q) != 0x45 ||
    <i32>swap16(load<u16>(q, 2)) != total - 20 || load<u32>(q, 16) != load<u32>(e, F_COA) ||
    load<u8>(q, 8) <= 1 || !sumOk(q)) return -1;
  ipv4DecrementTtlHot(q);
  const h = q - 14;
  memory.copy(h, e + F_TMPL, 14);
  countHot(C.TUNNEL_DECAPSULATED);
  countHot(C.FA_DELIVERED);
  ethTransmit(load<i32>(e, F_OIF), h, total - 6);
  return 0;
}

/**
 * The full path delivered the inner datagram of the received IP-in-IP datagram from `src` to `dst`
 * (as stored) to the visitor at `innerDst` (as stored), live until `until`, on `oif` (MTU `mtu`) to
 * `mac`: keep the decision (RFC 2002 §4.2.2: by the visitor's link-layer address) when it is worth it
 * (flowWanted, asked here with the decapsulation key).
 */
export function flowLearnDecap(src: u32, dst: u32, innerDst: u32, oif: i32, mac: usize, mtu: i32, until: i64): void {
  if (!flowWanted(src, dst ^ innerDst)) return;
  const e = claim(src, dst ^ innerDst);
  ethTemplate(e, oif, mac, until, min(mtu + 20, 0xffff), 14 | <u32>KIND_DECAP << 8);
  store<u32>(e, dst, F_SUM);
  store<u32>(e, innerDst, F_COA);
}

/**
 * Send the checked datagram at `p` (`total` bytes, TTL > 1, within the entry's largest length) by the
 * decision in flow or tunnel entry `e`: TTL - 1, the frame header from the template, the fields that
 * change. Returns 0 sent, -1 nothing changed (minimal encapsulation refuses a fragment).
 */
export function flowSend(e: usize, p: usize, total: i32): i32 {
  const kind = load<u8>(e, F_KIND);
  let hl = <i32>load<u8>(e, F_HDR);
  let h: usize;
  if (kind == KIND_DECAP) return flowDecap(e, p, total);
  if (kind == KIND_MINIMAL) {
    // Why: RFC 2004 §3: the original header becomes the outer one: encapsulate, then the forwarding
    // TTL - 1 on it (tunnelEncap's order). A fragment cannot be sent so (the codec refuses it and the
    // full path falls back to IP in IP, RFC 2004 §3).
    const m = minEncEncapValidated(p, TUNNEL_HEADROOM, load<u32>(e, F_SUM), load<u32>(e, F_COA));
    if (m < 0) return -1;
    ipv4DecrementTtlHot(p - <usize>m);
    hl = m + 14;
    h = p - <usize>hl;
    memory.copy(h, e + F_TMPL, 14);
    countHot(C.TUNNEL_TX);
  } else {
    // TTL - 1 (RFC 1812 §5.3.1; RFC 2003 §3.1 at a tunnel entry), then the frame header.
    ipv4DecrementTtlHot(p);
    h = p - <usize>hl;
    memory.copy(h, e + F_TMPL, <usize>hl);
    if (kind == KIND_TUNNEL) {
      // The outer header's variable fields (RFC 2003 §3.1: TOS and DF copied from the inner header;
      // a fresh Identification) and its checksum: the template's partial sum plus these lanes, as
      // ipv4Emit sums them (wire/ipv4.ts).
      const o = h + 14;
      const w0 = (<u32>load<u8>(p, 1) << 8) | (<u32>swap16(<u16>(total + hl - 14)) << 16);
      const id = ipNextIdentHot();
      const w1 = <u32>(((id & 0xff) << 8) | (id >>> 8)) | ((<u32>load<u8>(p, 6) & 0x40) << 16);
      store<u32>(o, 0x45 | w0);
      store<u32>(o, w1, 4);
      let c = load<u32>(e, F_SUM) + (w0 & 0xffff) + (w0 >>> 16) + (w1 & 0xffff) + (w1 >>> 16);
      c = (c & 0xffff) + (c >>> 16);
      c = (c & 0xffff) + (c >>> 16);
      store<u16>(o, <u16>~c, 10);
      countHot(C.TUNNEL_TX);
    } else {
      countHot(C.FORWARDED);
    }
  }
  ethTransmit(load<i32>(e, F_OIF), h, total + hl);
  return 0;
}

/** True when the datagram at `p` is the received one flowInput saw (a flow may be learnt from it). */
// @ts-ignore: decorator
@inline export function flowLearning(p: usize): bool { return p == flowRx; }

/**
 * True when the decision just taken for the received datagram from `src` to `dst` (as stored) is
 * worth keeping: its entry does not hold it already and the same flow missed that entry last time
 * too. Why: a flow is kept from its second datagram on, so traffic that spreads over more flows than
 * entries (a home agent tunnelling to thousands of mobile nodes in turn) does not pay for building
 * and evicting a flow per datagram — it pays the full path as before, plus one hash. Callers ask
 * before gathering what a flow needs (the next hop's address, the MTU).
 */
export function flowWanted(src: u32, dst: u32): bool {
  const h = flowHash(flowIface, src, dst);
  const e = flows + <usize>(h >>> 28) * FLOW_STRIDE;
  // Why: an entry that holds this flow but has run out (its `until`: a binding's lifetime, a neighbour
  // entry, a home agent's next Binding Update) is no longer used, so it must be learnt again — before,
  // a flow that expired by the clock stayed on the full path until some table changed.
  if (flowLive(e, flowIface, src, dst)) return false;
  const m = seen + <usize>(h >>> 28) * 4;
  if (load<u32>(m) == h) return true;
  store<u32>(m, h);
  return false;
}

/** The entry for the received datagram from `src` to `dst` (as stored; flowWanted said yes), made
 *  ready for a new decision. */
function claim(src: u32, dst: u32): usize {
  flowsAny = true;
  return keyed(flows + <usize>(flowHash(flowIface, src, dst) >>> 28) * FLOW_STRIDE, flowIface, src, dst);
}

/** Entry `e` keyed (`iface`, `src`, `key`) under the current generation; returns `e`. */
function keyed(e: usize, iface: i32, src: u32, key: u32): usize {
  store<u32>(e, src, F_SRC);
  store<u32>(e, key, F_DST);
  store<i32>(e, iface, F_IFACE);
  store<u32>(e, flowGeneration(), F_GEN);
  return e;
}

/** Ethernet header of a flow's template: to `mac`, from `oif`'s address, EtherType IPv4; and the
 *  decision's common fields: live until `until`, the largest datagram `max`, the header bytes and the
 *  kind (`hdrKind`: F_HDR | F_KIND << 8). */
function ethTemplate(e: usize, oif: i32, mac: usize, until: i64, max: i32, hdrKind: u32): void {
  store<i64>(e, until, F_UNTIL);
  store<u16>(e, <u16>max, F_MAXLEN);
  store<u16>(e, <u16>hdrKind, F_HDR);
  const t = e + F_TMPL;
  const me = netifMac(oif);
  store<u32>(t, load<u32>(mac));
  store<u16>(t, load<u16>(mac, 4), 4);
  store<u32>(t, load<u32>(me), 6);
  store<u16>(t, load<u16>(me, 4), 10);
  store<u16>(t, 0x0008, 12);
  store<i32>(e, oif, F_OIF);
}

/**
 * The full path forwarded the received datagram at `p` (flowLearning(p)) on `oif` to the neighbour
 * whose resolved address is at `mac` (link/neighbor.ts neighborMac), by a physical route straight from
 * routeDecide, through an interface of MTU `mtu`: keep the decision.
 */
export function flowLearnForward(p: usize, oif: i32, mac: usize, mtu: i32): void {
  const e = claim(load<u32>(p, 12), load<u32>(p, 16));
  ethTemplate(e, oif, mac, neighborMacExpires(mac), min(mtu, 0xffff), 14 | <u32>KIND_FORWARD << 8);
}

// ---- tunnel templates: the decision for a tunnel to a care-of address ----------------------------
// A home agent's tunnel is a virtual interface: its care-of address, encapsulation and outer source
// give one frame header whatever the datagram (issue 8.3). Kept per (care-of address, encapsulation,
// outer source) in TUNNEL_ENTRIES entries of the flow layout (key: F_SRC outer source, F_DST care-of
// address, F_IFACE encapsulation; host order), valid like flows (flowGeneration, the neighbour
// entry's lifetime). Why: many mobile nodes behind one foreign agent share one care-of address, so a
// datagram of a flow not (yet) cached still skips the tunnel's route, MTU, neighbour and header work.
const TUNNEL_ENTRIES: u32 = 16;
const tunnels: usize = memory.data(<i32>(TUNNEL_ENTRIES * <u32>FLOW_STRIDE), 8);

// @ts-ignore: decorator
@inline function tunnelEntry(coa: u32): usize { return tunnels + <usize>((coa * 0x9e3779b1) >>> 28) * FLOW_STRIDE; }

/** The valid template of the tunnel to `coa` by `method` (config ENCAP_*) from `src`, or 0. */
export function flowTunnel(coa: u32, method: u32, src: u32): usize {
  const e = tunnelEntry(coa);
  return flowLive(e, <i32>method, src, coa) ? e : 0;
}

/** Largest datagram (Total Length) the flow or tunnel entry `e` sends. */
export function flowMaxLen(e: usize): i32 { return <i32>load<u16>(e, F_MAXLEN); }

/**
 * Keep the template of the tunnel to the care-of address `coa` (host order) by `method` (config
 * ENCAP_*: IP in IP, GRE or minimal) from `src`, leaving by `oif` (MTU `mtu`) to the neighbour whose
 * resolved address is at `mac`. Returns the entry.
 */
export function flowTunnelLearn(method: u32, oif: i32, mac: usize, mtu: i32, src: u32, coa: u32): usize {
  const e = keyed(tunnelEntry(coa), <i32>method, src, coa);
  const until = neighborMacExpires(mac);
  if (method == cfg.ENCAP_MINIMAL) {
    // The minimal header is 8 or 12 bytes by the datagram's source (RFC 2004 §3): the larger bounds
    // what the template sends; the datagram's own header is rewritten for each one (flowSend).
    ethTemplate(e, oif, mac, until, max(0, mtu - MINENC_LEN_S), 14 | <u32>KIND_MINIMAL << 8);
    store<u32>(e, src, F_SUM);
    store<u32>(e, coa, F_COA);
    return e;
  }
  const extra = method == cfg.ENCAP_GRE ? GRE_HDR_LEN : 0;
  const over = 20 + extra;
  ethTemplate(e, oif, mac, until, max(0, min(mtu - over, 0xffff - over)), <u32>(14 + over) | <u32>KIND_TUNNEL << 8);
  // The outer header with its variable fields zero (TOS, Total Length, Identification, flags) and
  // no checksum; its constant lanes summed once (RFC 1071 §2: the sum commutes with the grouping).
  const o = e + F_TMPL + 14;
  const w2 = <u32>(<u8>cfg.defaultTtl) | (<u32>(extra != 0 ? IPPROTO_GRE : IPPROTO_IPIP) << 8);
  const w3 = bswap<u32>(src);
  const w4 = bswap<u32>(coa);
  store<u32>(o, 0x45);
  store<u32>(o, 0, 4);
  store<u32>(o, w2, 8);
  store<u32>(o, w3, 12);
  store<u32>(o, w4, 16);
  // Bytes 00 00 08 00: GRE flags and version 0, protocol type 0x0800 (RFC 1701 §2.1, wire/gre.ts).
  if (extra != 0) store<u32>(o, 0x00080000, 20);
  store<u32>(e, 0x45 + w2 + (w3 & 0xffff) + (w3 >>> 16) + (w4 & 0xffff) + (w4 >>> 16), F_SUM);
  return e;
}

/**
 * The received datagram from `keySrc` to `keyDst` (as stored; flowWanted said yes) went into the
 * tunnel of template `t`, for a binding live until `until`: keep the decision as its flow.
 */
export function flowAdopt(keySrc: u32, keyDst: u32, t: usize, until: i64): void {
  const e = claim(keySrc, keyDst);
  memory.copy(e + F_UNTIL, t + F_UNTIL, FLOW_STRIDE - F_UNTIL);
  store<i64>(e, min(until, load<i64>(t, F_UNTIL)), F_UNTIL);
}
