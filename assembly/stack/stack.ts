// The IPv4 stack's entry points, called by index.ts (the ABI adapter):
//   stackInit()             carve the ARP cache, pending pool and proxy table; reset IP state
//   ethInput(iface, p, len) one received Ethernet frame at p (64 bytes of headroom in front)
//   ipOutput(p, len)        one IPv4 datagram from the local stack (see ip.ts)
//   stackTick(now)          ARP retries/expiry; returns the next deadline (i64 max if none)
//   stackLink(iface, up)    link state change
//   stackDump(table, i, out) one table record, little-endian (docs/abi.md "Dump records"):
//
//   table 0 interfaces (16 bytes; record i = i-th configured interface)
//     0 index u8 | 1 up u8 | 2 mac[6] | 8 ip u32 | 12 prefixLen u8 | 13 pad u8 | 14 mtu u16
//   table 1 routes (12 bytes; longest prefix first)
//     0 dest u32 | 4 prefixLen u8 | 5 iface u8 | 6 pad[2] | 8 gateway u32 (0 = on-link)
//   table 2 ARP cache (20 bytes; entries in use)
//     0 ip u32 | 4 mac[6] | 10 state u8 (1 incomplete, 2 reachable) | 11 iface u8 | 12 expiresAtMs i64
//
// Frame flow (RFC 894): rx -> ethInput -> arpInput (arp.ts) | ipInput (ip.ts) -> local / forward ->
// linkSendIp (arp.ts) -> host.tx. Packets are never copied except into the pending pool while ARP
// resolves; headers are rewritten in place and the Ethernet header goes into the headroom.

import { C, count } from "../counters";
import { netifCount, MAX_IFACES, netifValid, netifUp, netifMac, netifIp, netifPrefixLen, netifMtu } from "./netif";
import { routeCount, routeEntry } from "./route";
import { arpInit, arpInput, arpTick, arpFlushIface, arpDump } from "./arp";
import { ipInit, ipInput } from "./ip";
import { ETH_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethCheck, ethDst, ethType, macEqual, macIsGroup, EthErr } from "../wire/ethernet";

export { ipOutput } from "./ip";
export { arpGratuitous, arpProxyAdd, arpProxyRemove, arpProxyCheck } from "./arp";

/** Carve the stack's tables (after config pass 1). False when the memory budget ran out. */
export function stackInit(): bool {
  ipInit();
  return arpInit();
}

/** Process one received Ethernet frame of `len` bytes at `p` on `iface`. Returns 0 used, 1 dropped. */
export function ethInput(iface: i32, p: usize, len: i32): i32 {
  if (ethCheck(p, len) != EthErr.OK) { count(C.DROP_TOO_SHORT); return 1; }
  const dst = ethDst(p);
  const group = macIsGroup(dst);
  // Why: IEEE 802.3 / RFC 894: a station accepts its own unicast address and group addresses; the
  // IP layer filters multicast groups it does not want.
  if (!group && !macEqual(dst, netifMac(iface))) { count(C.DROP_NOT_FOR_US); return 1; }
  const t = ethType(p);
  const q = p + <usize>ETH_HEADER_LEN;
  if (t == ETHERTYPE_IPV4) return ipInput(iface, q, len - ETH_HEADER_LEN, group);
  if (t == ETHERTYPE_ARP) return arpInput(iface, q, len - ETH_HEADER_LEN);
  count(C.DROP_ETHERTYPE);
  return 1;
}

/** Run ARP timers due at `now`; returns the next deadline in ms (i64 max when there is none). */
export function stackTick(now: i64): i64 {
  return arpTick(now);
}

/** Link of `iface` went up or down. Down: its ARP entries and waiting frames are dropped. */
export function stackLink(iface: i32, up: bool): void {
  if (!up) arpFlushIface(iface);
}

/** Write record `index` of `table` to `out` (layouts above); returns its length or -1 past the end. */
export function stackDump(table: i32, index: i32, out: usize): i32 {
  if (index < 0) return -1;
  if (table == 0) {
    let k = 0;
    for (let i = 0; i < netifCount(); i++) {
      if (!netifValid(i) || k++ != index) continue;
      store<u8>(out, <u8>i, 0);
      store<u8>(out, netifUp(i) ? 1 : 0, 1);
      memory.copy(out + 2, netifMac(i), 6);
      store<u32>(out, netifIp(i), 8);
      store<u8>(out, netifPrefixLen(i), 12);
      store<u8>(out, 0, 13);
      store<u16>(out, <u16>netifMtu(i), 14);
      return 16;
    }
    return -1;
  }
  if (table == 1) {
    if (index >= routeCount()) return -1;
    const e = routeEntry(index);
    store<u32>(out, load<u32>(e, 0), 0);   // dest
    store<u8>(out, load<u8>(e, 8), 4);     // prefixLen
    store<u8>(out, load<u8>(e, 9), 5);     // iface
    store<u16>(out, 0, 6);
    store<u32>(out, load<u32>(e, 4), 8);   // gateway
    return 12;
  }
  if (table == 2) return arpDump(index, out);
  return -1;
}
