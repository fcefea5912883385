// ARP for IPv4 over Ethernet (RFC 826; RFC 1122 §2.3.2; gratuitous ARP per RFC 5227 §2.3 / RFC 2002
// §4.6; proxy ARP per RFC 1027 / RFC 2002 §4.6) and the mapping of IPv4 next hops to MAC addresses.
// The cache and the frames waiting for it are the neighbour cache's (link/neighbor.ts); this file
// speaks ARP: it sends the cache's solicitations as requests, feeds what requests and replies teach into
// the cache, answers for our addresses and for the proxy table, and announces addresses (gratuitous).
//
//   linkSendIp(iface, nextHop, p, len)        the one way an IPv4 packet leaves: Ethernet header
//     broadcast / multicast next hop -> ff:ff.. / 01:00:5e.. (RFC 1112 §6.4)
//     unicast -> link/neighbor.ts neighborOutput (tx now, or queued while ARP resolves)
//   linkSendIpTo(iface, mac, p, len)          the same to a MAC the caller already knows (no ARP)
//
// Proxy table: a hash table (`bindings` entries) keyed by IPv4 address (u32: proxy ARP answers IPv4
// only; IPv6 proxies in Neighbor Discovery, RFC 3775 §10.4.1, with its own table); value iface u8 (0xff any).
// The neighbour cache is keyed by 16-byte addresses (link/neighbor.ts); this file hands it IPv4
// addresses through its u32 functions (neighborOutput, neighborLearn), which map them.

import { arenaAlloc, arenaFailed } from "../mem";
import { C, count } from "../counters";
import { netifMac, netifIp, netifIsBroadcast, netifValid, netifArpIp, netifArpAnswers, netifAway } from "../link/netif";
import { ethRegister, ethTransmit, ethSendTo } from "../link/ethernet";
import { neighborInit, neighborSolicitWith, neighborOutput, neighborLearn } from "../link/neighbor";
import * as cfg from "../config";
import { IPV6 } from "../features";
import {
  HT_KEY_ADDR, htBytesKeyed, htInitKeyed, htFindV4, htInsertV4, htRemoveV4, HT_HEADER_SIZE, htFindAddr, htInsertAddr, htRemoveAddr, htUsed,
} from "../table/hash";
import { ETH_HEADER_LEN, ETH_MIN_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethEmit, macEqual, macIsGroup, macSetBroadcast, macSetIpv4Multicast } from "../wire/ethernet";
import { ARP_LEN, ARP_OP_REPLY, ARP_OP_REQUEST, ArpErr, arpCheck, arpEmit, arpIsRequest, arpSha, arpSpa, arpTpa } from "../wire/arp";
import { IP_BROADCAST, ipIsMulticast } from "../wire/ipv4";
import { addrIsV4, addrV4 } from "../wire/addr";

/** Proxy entry iface value meaning "any interface". */
export const PROXY_ANY_IFACE: i32 = 0xff;

const proxyIndex: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let proxyN: i32 = 0;

// Scratch frame for requests we originate (never the rx buffer, which may hold the packet in flight).
const reqFrame: usize = memory.data(ETH_MIN_FRAME, 16);
// Destination MAC of a broadcast / multicast frame, written before linkSendIpTo copies it.
const groupMac: usize = memory.data(8, 8);

/**
 * Carve the neighbour cache (link/neighbor.ts) and the proxy table, take EtherType 0x0806 and send
 * the cache's solicitations. False when memory ran out.
 */
export function arpInit(): bool {
  if (!(IPV6 && cfg.ipv6 == cfg.IPV6_ONLY)) ethRegister(ETHERTYPE_ARP, arpInput);
  neighborInit();
  neighborSolicitWith(arpSolicit);
  proxyN = cfg.bindingEntries();
  const pb = proxyN > 0 ? arenaAlloc(htBytesKeyed(<u32>proxyN, 1, HT_KEY_ADDR)) : 0;
  if (arenaFailed()) return false;
  if (proxyN > 0) htInitKeyed(proxyIndex, pb, <u32>proxyN, 1, HT_KEY_ADDR);
  return true;
}

function sendRequest(iface: i32, spa: u32, tpa: u32): void {
  // Why: RFC 2002 §4.6: a mobile node away from home broadcasts no ARP for its home address; with no
  // co-located care-of address to speak for (netifArpIp 0) it sends no request at all.
  if (spa == 0 && netifAway(iface)) return;
  macSetBroadcast(groupMac);
  arpSend(iface, reqFrame, groupMac, <u8>ARP_OP_REQUEST, spa, 0, tpa, C.ARP_TX_REQUEST);
}

/**
 * Send ARP `oper` from our MAC on `iface` and `spa` to target `tha` (0: zeros) and `tpa`, in the
 * minimum-size Ethernet frame at `f` to the MAC at `dst`, counted as `c`. `dst` and `tha` may lie in
 * the ARP packet being overwritten (a reply built in place: ethEmit and arpEmit read them first).
 */
function arpSend(iface: i32, f: usize, dst: usize, oper: u8, spa: u32, tha: usize, tpa: u32, c: C): void {
  const mac = netifMac(iface);
  ethEmit(f, dst, mac, ETHERTYPE_ARP);
  arpEmit(f + <usize>ETH_HEADER_LEN, oper, mac, spa, tha, tpa);
  memory.fill(f + <usize>(ETH_HEADER_LEN + ARP_LEN), 0, <usize>(ETH_MIN_FRAME - ETH_HEADER_LEN - ARP_LEN));
  count(c);
  ethTransmit(iface, f, ETH_MIN_FRAME);
}

/**
 * The neighbour cache's solicitation for the 16-byte address at `target` on `iface`: an ARP request
 * from our address there. Why: ARP resolves IPv4 only (RFC 826 with protocol type 0x0800); an IPv6
 * neighbour is Neighbor Discovery's (RFC 2461 §7.2), so a target that is not IPv4-mapped gets nothing.
 */
function arpSolicit(iface: i32, target: usize, mac: usize): void {
  if (addrIsV4(target)) sendRequest(iface, netifArpIp(iface), addrV4(target));
}

/** Gratuitous ARPs announcing one change (SPEC-DECISIONS: 3) and their spacing; roles repeat arpGratuitous. */
export const GARP_COUNT: i32 = 3;
export const GARP_INTERVAL_MS: i64 = 1000;

/**
 * Send one gratuitous ARP on `iface` announcing `ip` at this interface's MAC: the request form with
 * sender and target protocol address both `ip` (SPEC-DECISIONS.md; RFC 2002 §4.6). Callers repeat it.
 */
export function arpGratuitous(iface: i32, ip: u32): void {
  if (!netifValid(iface)) return;
  sendRequest(iface, ip, ip);
}

/**
 * Send the IPv4 packet of `len` bytes at `p` on `iface` towards `nextHop` (host order). The Ethernet
 * header is written at `p - 14`, which must be headroom. Returns 0 sent or queued for ARP, 1 dropped
 * (counted DROP_ARP_UNRESOLVED: pool full).
 */
export function linkSendIp(iface: i32, nextHop: u32, p: usize, len: i32): i32 {
  if (nextHop == IP_BROADCAST || netifIsBroadcast(iface, nextHop)) {
    macSetBroadcast(groupMac);
  } else if (ipIsMulticast(nextHop)) {
    // Why: RFC 1112 §6.4: an IPv4 multicast address maps to 01:00:5e plus its low 23 bits.
    macSetIpv4Multicast(groupMac, nextHop);
  } else {
    return neighborOutput(iface, nextHop, ETHERTYPE_IPV4, p, len);
  }
  linkSendIpTo(iface, groupMac, p, len);
  return 0;
}

/**
 * Send the IPv4 packet of `len` bytes at `p` on `iface` to the MAC at `mac`, without ARP: the
 * Ethernet header goes at `p - 14` (headroom). `mac` may lie in the 6 bytes at `p - 8` (a received
 * frame's source): it is copied before our own address is written there.
 */
export function linkSendIpTo(iface: i32, mac: usize, p: usize, len: i32): void {
  ethSendTo(iface, mac, ETHERTYPE_IPV4, p, len);
}

/** True when this node answers ARP for `ip` on `iface` on another node's behalf (proxy ARP). */
export function arpProxyCheck(iface: i32, ip: u32): bool { return proxyN != 0 && proxyOn(htFindV4(proxyIndex, ip), iface); }

/** True when the proxy entry whose value is at `v` (0: none) answers on `iface`. Why (size): the IPv4
 *  and the 16-byte forms share the test (and proxySet the update). */
function proxyOn(v: usize, iface: i32): bool {
  if (v == 0) return false;
  const xi = <i32>load<u8>(v);
  return xi == PROXY_ANY_IFACE || xi == iface;
}

/** Set the interface of the proxy entry whose value is at `v` (0: the table was full: false). */
function proxySet(v: usize, iface: i32): bool {
  if (v == 0) return false;
  store<u8>(v, <u8>iface);
  return true;
}

/** Answer ARP for `ip` on `iface` (PROXY_ANY_IFACE: all) with our MAC. False when the table is full. */
export function arpProxyAdd(iface: i32, ip: u32): bool {
  // An address already present only changes its interface.
  return proxyN != 0 && proxySet(htInsertV4(proxyIndex, ip), iface);
}

/** Proxy entries in use (0 when the node answers for nobody). */
export function proxyCount(): i32 { return proxyN == 0 ? 0 : <i32>htUsed(proxyIndex); }

/** arpProxyCheck for the 16-byte address at `a` (IPv6 proxy Neighbor Discovery shares the table, stack/nd.ts). */
export function proxyCheckAddr(iface: i32, a: usize): bool { return proxyN != 0 && proxyOn(htFindAddr(proxyIndex, a), iface); }

/** arpProxyAdd for the 16-byte address at `a`. */
export function proxyAddAddr(iface: i32, a: usize): bool { return proxyN != 0 && proxySet(htInsertAddr(proxyIndex, a), iface); }

/** arpProxyRemove for the 16-byte address at `a`. */
export function proxyRemoveAddr(a: usize): void {
  if (proxyN > 0) htRemoveAddr(proxyIndex, a);
}

/** Stop answering ARP for `ip`. */
export function arpProxyRemove(ip: u32): void {
  if (proxyN > 0) htRemoveV4(proxyIndex, ip);
}

/**
 * Process the ARP packet of `len` bytes at `p` received on `iface` (Ethernet header at `p - 14`,
 * reused in place for the reply). Returns 0 used, 1 dropped.
 */
export function arpInput(iface: i32, p: usize, len: i32, group: bool): i32 {
  count(C.ARP_RX);
  if (arpCheck(p, len) != ArpErr.OK) { count(C.DROP_ARP_MALFORMED); return 1; }
  const sha = arpSha(p);
  // Why: RFC 1812 §3.3.2: an ARP packet claiming a broadcast or multicast sender address is discarded;
  // one from our own MAC is our own frame looped back.
  if (macIsGroup(sha)) { count(C.DROP_ARP_MALFORMED); return 1; }
  if (macEqual(sha, netifMac(iface))) { count(C.DROP_NOT_FOR_US); return 1; }
  const spa = arpSpa(p);
  const tpa = arpTpa(p);
  const myIp = netifIp(iface);
  // Our main address, or a mobile node's co-located care-of address; away from home the home address
  // only to unicast requests (RFC 2002 §4.6, netif.ts netifArpAnswers).
  const forUs = netifArpAnswers(iface, tpa, !macIsGroup(p - <usize>ETH_HEADER_LEN));
  // RFC 826 "Packet Reception": merge the sender into an existing entry whoever the target is (this is
  // also how gratuitous ARP moves a mobile node's address, RFC 2002 §4.6) ...
  // Why: 0.0.0.0 is an RFC 5227 probe, and our own address in another MAC is a conflict, not news.
  // ... and only if we are the target, add a new one (link/neighbor.ts neighborLearn).
  if (spa != 0 && spa != myIp) neighborLearn(iface, spa, sha, forUs);
  if (!arpIsRequest(p)) return 0;
  // Why: a request with sender == target is an announcement (gratuitous ARP, RFC 5227 §2.3); nobody
  // answers it. Proxy replies are given only for addresses a role registered (RFC 1027, RFC 2002 §4.6).
  if (spa == tpa) return 0;
  if (!forUs && !arpProxyCheck(iface, tpa)) return 0;
  // The reply is built in place, to the requester's MAC (its sender hardware address, `sha`).
  arpSend(iface, p - <usize>ETH_HEADER_LEN, sha, <u8>ARP_OP_REPLY, tpa, sha, spa, C.ARP_TX_REPLY);
  return 0;
}
