// Ethernet II input (RFC 894): the frame's destination filter and the dispatch by EtherType to the
// protocol that registered for it at init (IPv4 and ARP today, IPv6 next). Nothing here knows the
// protocols above (Why: one-way layering, docs/decisions.md "Core v2").
//
//   ethInput(iface, p, len)  frame at p (the rx buffer's headroom in front)
//     ethCheck ─bad─> DROP_TOO_SHORT; unicast not to our MAC ─> DROP_NOT_FOR_US
//     EtherType registered ─> its handler(iface, payload, len - 14, group destination)
//     otherwise ─> DROP_ETHERTYPE
//
// Output: every frame leaves through ethTransmit (counted, then host.tx); ethSendTo writes the header
// into the headroom in front of a packet and transmits it.

import { tx } from "../host";
import { C, count, countBy, countHot } from "../counters";
import { netifMac, netifMacHot } from "./netif";
import { handlersReset, handlersAdd, handlersCount, handlerKey, handlerFn } from "../table/handlers";
import { ETH_HEADER_LEN, ethCheck, ethDst, ethType, ethEmit, macEqual, macIsGroup, EthErr } from "../wire/ethernet";

/** A protocol's input: the payload of `len` bytes at `p` (Ethernet header at p-14) received on
 *  `iface`; `group`: the frame went to a group MAC address. Returns 0 used, 1 dropped. */
export type EtherHandler = (iface: i32, p: usize, len: i32, group: bool) => i32;

const MAX_TYPES: i32 = 4;
const types: usize = memory.data(8 + 8 * MAX_TYPES, 4);  // key: EtherType

/** Forget every registered EtherType (init). */
export function ethReset(): void { handlersReset(types, MAX_TYPES); }

/** Hand frames of `ethertype` to `fn` (at init; at most 4 EtherTypes). */
export function ethRegister(ethertype: u16, fn: EtherHandler): void { handlersAdd(types, ethertype, changetype<usize>(fn)); }

/** Process one received Ethernet frame of `len` bytes at `p` on `iface`. Returns 0 used, 1 dropped. */
export function ethInput(iface: i32, p: usize, len: i32): i32 {
  if (ethCheck(p, len) != EthErr.OK) { count(C.DROP_TOO_SHORT); return 1; }
  const dst = ethDst(p);
  const group = macIsGroup(dst);
  // Why: IEEE 802.3 / RFC 894: a station accepts its own unicast address and group addresses; the
  // IP layer filters multicast groups it does not want.
  const me = netifMacHot(iface);
  // (Speed: the 6-byte compare inline, as 4 + 2 bytes.)
  if (!group && (load<u32>(dst) != load<u32>(me) || load<u16>(dst, 4) != load<u16>(me, 4))) { count(C.DROP_NOT_FOR_US); return 1; }
  const t = <u32>ethType(p);
  for (let i = 0, n = handlersCount(types); i < n; i++) {
    if (handlerKey(types, i) == t) {
      return changetype<EtherHandler>(handlerFn(types, i))(iface, p + <usize>ETH_HEADER_LEN, len - ETH_HEADER_LEN, group);
    }
  }
  count(C.DROP_ETHERTYPE);
  return 1;
}

/** Transmit the frame of `len` bytes at `f` on `iface`, counting it (every frame leaves through here). */
export function ethTransmit(iface: i32, f: usize, len: i32): void {
  countHot(C.TX_FRAMES);
  countBy(C.TX_BYTES, <u64>len);
  tx(iface, f, len);
}

/**
 * Send the packet of `len` bytes at `p` on `iface` to the MAC at `mac` as EtherType `type`: the
 * Ethernet header goes at `p - 14` (headroom). `mac` may lie in the 6 bytes at `p - 8` (a received
 * frame's source): it is copied before our own address is written there.
 */
export function ethSendTo(iface: i32, mac: usize, type: u16, p: usize, len: i32): void {
  const f = p - <usize>ETH_HEADER_LEN;
  ethEmit(f, mac, netifMac(iface), type);
  ethTransmit(iface, f, len + ETH_HEADER_LEN);
}
