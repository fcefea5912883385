// Mobile node: the agent table (RFC 2002 §2.4): slots of the agents heard on the link, and the
// choices made from it (usable foreign agent, home agent, an alternative). mobility/mn/node.ts has the overview.

import { nowMs } from "../../clock";
import { prefixMask } from "../../link/netif";
import { stackTimerDisarm } from "../../sys/timers";
import {
  raFindExt, raNumAddrs, raRouterAddr, prefixLengthAt, EXT_PREFIX_LENGTHS, MA_FLAG_B, MA_FLAG_H, MA_FLAG_F,
} from "../../wire/icmp";
import * as S from "./state";
import { addrSetV4 } from "../../wire/addr";
import {
  AGENTS, A_ADDR, A_COA, A_EXPIRES, A_FLAGS, A_IFACE, A_MAC, A_PLEN, A_REGLIFE, A_ROUTER, A_TIMER, A_USED, MODE_COLOC,
  PLEN_UNKNOWN, ST_AWAY, agents, onHomePrefix, slot,
} from "./state";

/**
 * The agents this mobile node heard as dump table 11 records (kind 1, docs/abi.md; images with STATUS): the
 * `k`-th slot in use into `out` (56 bytes) when k < the count; returns the count.
 */
export function agentHeardDump(k: i32, out: usize): i32 {
  let n = 0;
  for (let i = 0; i < AGENTS; i++) {
    const a = slot(i);
    if (load<u8>(a, A_USED) == 0 || n++ != k) continue;
    store<i64>(out, load<i64>(a, A_EXPIRES));
    store<u32>(out, load<u32>(a, A_FLAGS), 8);   // flags, seq (the last heard)
    store<u16>(out, load<u16>(a, A_REGLIFE), 12);
    store<u16>(out, <u16>load<u8>(a, A_IFACE) | (1 << 8), 14); // iface, kind 1
    // state: 1 the agent in use, 2 on our home network (RFC 2002 §2.4.3); the prefix length (255 unknown).
    store<u16>(out, <u16>((i == S.cur ? 1 : 0) | (agentIsHome(i) ? 2 : 0)) | (<u16>load<u8>(a, A_PLEN) << 8), 16);
    memory.copy(out + 18, a + A_MAC, 6);
    addrSetV4(out + 24, load<u32>(a, A_ADDR));
    addrSetV4(out + 40, load<u32>(a, A_COA));
  }
  return n;
}

export function agentFind(iface: i32, addr: u32): i32 {
  for (let i = 0; i < AGENTS; i++) {
    const a = slot(i);
    if (load<u8>(a, A_USED) != 0 && load<u32>(a, A_ADDR) == addr && <i32>load<u8>(a, A_IFACE) == iface) return i;
  }
  return -1;
}

export function agentFree(i: i32): void {
  const a = slot(i);
  stackTimerDisarm(load<i32>(a, A_TIMER));
  store<i32>(a, -1, A_TIMER);
  store<u8>(a, 0, A_USED);
  if (i == S.cur) S.cur = -1;
}

/** A slot for a new agent: a free one, else the one (not current) whose advertisement ends first. */
export function agentAlloc(): i32 {
  let best = -1;
  for (let i = 0; i < AGENTS; i++) {
    const a = slot(i);
    if (load<u8>(a, A_USED) == 0) return i;
    if (i == S.cur) continue;
    if (best < 0 || load<i64>(a, A_EXPIRES) < load<i64>(slot(best), A_EXPIRES)) best = i;
  }
  if (best >= 0) agentFree(best);
  return best;
}

export function agentValid(i: i32): bool {
  if (i < 0) return false;
  const a = slot(i);
  return load<u8>(a, A_USED) != 0 && load<i64>(a, A_EXPIRES) > nowMs();
}

/** True when agent `i` offers a foreign agent care-of address we may register (F, a CoA, not busy). */
export function agentUsableFa(i: i32): bool {
  const a = slot(i);
  const f = load<u16>(a, A_FLAGS);
  // Why: RFC 2002 §2.1.1: B means the foreign agent accepts no further registrations.
  return (f & MA_FLAG_F) != 0 && (f & MA_FLAG_B) == 0 && load<u32>(a, A_COA) != 0;
}

/** True when the advertisement of agent `i` says we are on the home network (RFC 2002 §2.4.3). */
export function agentIsHome(i: i32): bool {
  const a = slot(i);
  const addr = load<u32>(a, A_ADDR);
  if ((load<u16>(a, A_FLAGS) & MA_FLAG_H) != 0 && S.ha != 0 && addr == S.ha) return true;
  return onHomePrefix(addr) || onHomePrefix(load<u32>(a, A_ROUTER));
}

/**
 * The source of the advertisement `m` (its Prefix-Lengths extension at `po`, or -1) lies on the link it describes: on the prefix of
 * one of its router addresses when it carries the Prefix-Lengths extension; without it (the
 * extension is optional, RFC 2002 §2.1.2) nothing tells the link's prefix and any source is taken.
 * Why: RFC 1256 §3.2 / RFC 2002 §2.1.2: the source is an address of the sending interface and
 * the router addresses with their prefix lengths are the link's networks; an advertisement whose
 * source is on none of the networks it announces did not come from an agent on that link.
 */
export function advertSourceOnLink(m: usize, po: i32, src: u32): bool {
  const n = raNumAddrs(m);
  if (po < 0 || n == 0) return true;
  for (let k = 0; k < n; k++) {
    const mask = prefixMask(<i32>prefixLengthAt(m, po, k));
    if ((raRouterAddr(m, k) & mask) == (src & mask)) return true;
  }
  return false;
}

/** Network of agent `i` per its Prefix-Lengths extension differs from ours (RFC 2002 §2.4.2, algorithm 2). */
export function prefixDiffers(i: i32): bool {
  const n = slot(i);
  const nl = load<u8>(n, A_PLEN);
  if (nl == PLEN_UNKNOWN) return false;
  const nm = prefixMask(<i32>nl);
  const nr = load<u32>(n, A_ROUTER);
  if (S.mode == MODE_COLOC && S.homeState == ST_AWAY && S.colocAddr != 0) return (S.colocAddr & nm) != (nr & nm);
  if (S.cur < 0) return false;
  const c = slot(S.cur);
  const cl = load<u8>(c, A_PLEN);
  // Why: RFC 2002 §2.4.2: only when both advertisements carry the Prefix-Lengths extension.
  if (cl == PLEN_UNKNOWN) return false;
  return cl != nl || (load<u32>(c, A_ROUTER) & nm) != (nr & nm);
}

/** Another valid foreign agent on the same interface as `not`, or -1. */
export function alternativeFa(not: i32): i32 {
  const iface = not >= 0 ? <i32>load<u8>(slot(not), A_IFACE) : -1;
  for (let i = 0; i < AGENTS; i++) {
    if (i == not || !agentValid(i) || !agentUsableFa(i)) continue;
    if (iface >= 0 && <i32>load<u8>(slot(i), A_IFACE) != iface) continue;
    if (agentIsHome(i)) continue;
    return i;
  }
  return -1;
}

/** Any other agent whose advertisement is still valid (RFC 2002 §2.4.2 algorithm 1), preferring foreign agents. */
export function alternativeAgent(not: i32): i32 {
  const fa = alternativeFa(not);
  if (fa >= 0) return fa;
  for (let i = 0; i < AGENTS; i++) if (i != not && agentValid(i)) return i;
  return -1;
}
