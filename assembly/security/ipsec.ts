// IPsec AH policy and security associations for IPv6 (RFC 2401 §4, RFC 2402), manually keyed from the
// configuration's `ipsec` list: per peer one inbound SA (the SPI the peer sends with) and one outbound
// SA (the SPI we send with), one algorithm and key, an anti-replay window, and whether the peer's
// traffic must carry AH. The AH processing itself is security/ah.ts; stack/ip6.ts asks here:
//   ipsecIn(spi, src)     the inbound SA for an AH with `spi` from `src`, or 0 (no SA: discard)
//   ipsecRequired(src)    inbound policy: a packet from `src` without AH is discarded
//   ipsecOut(dst)         the outbound SA for `dst`, or 0 (sent without AH)
// Neighbor Discovery (ICMPv6 133-137) is exempt both ways (decided by ip6.ts): it must work before
// and without keys (RFC 2461 §11.2 leaves ND's AH to a key management that manual keying lacks; Linux
// peers exclude it with explicit policies the same way). docs/decisions.md "IPv6 AH".
//
// Who may change an SA: the configuration (records IPSEC), and an inbound packet only through
// ahVerify — the replay window moves after the ICV verified, never before. Lookups compare the peer
// address and SPI exactly; an SA is never chosen by SPI alone.
//
// Index (issue 13): the entries are the value records of a hash table keyed by the peer's 16-byte
// address (table/hash.ts, HT_KEY_ADDR), carved at ipsecInit for exactly the configured count, so a
// lookup costs one hash and a probe or two whatever the number of peers (a Mobile IPv6 correspondent
// or home agent keys one SA per mobile node home address). The table only finds the entry: the SA is
// still taken only when the peer address (the table key) and then the SPI (ipsecIn) compare equal.
//
// Entry (the table's value record, ENTRY = 8 + 2 × AH_SA_SIZE bytes, 8-aligned): flags u8 @0 (bit 0:
// inbound AH required, bit 1: the home agent) | pad[7] | inbound SA @8 | outbound SA @8 + AH_SA_SIZE (security/ah.ts records;
// peer in both). Records never move (table/hash.ts), so an SA pointer stays valid.

import { arenaAlloc } from "../mem";
import { HT_HEADER_SIZE, HT_KEY_ADDR, htBytesKeyed, htInitKeyed, htInsertAddr, htInsertedNew, htFindAddr, htRemoveAddr } from "../table/hash";
import { AH_SA_SIZE, AH_SA_SPI, AH_SA_PEER, AH_SA_OUT_SEQ, AH_SA_IN_HIGHEST, AH_SA_IN_BITMAP, ahSaInit } from "./ah";
import { MIP6, REKEY } from "../features";
import { configAdding } from "../config";
import { addrCopy, addrEqual } from "../wire/addr";
import { addrIsHaAnycast, addrSetHaAnycast } from "../wire/mip6";

export const IPSEC_REQUIRE: u8 = 1;
/** The peer is this mobile node's Mobile IPv6 home agent (configuration `ipsec[].homeAgent`). */
export const IPSEC_HOME_AGENT: u8 = 2;
const ENTRY: usize = 8 + 2 * <usize>AH_SA_SIZE;
/** The peer index's table header (table/hash.ts). */
const index: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let used: i32 = 0;
/** The entry of the first-configured peer marked IPSEC_HOME_AGENT, or 0 (ipsecHomeAgent; the index keeps no order). */
let homeAgent: usize = 0;
/** The home agent found by dynamic discovery (ipsecHomeAgentFound), when the home agent's SA is configured
 *  for the Home-Agents anycast address; `found` false before. */
const found: usize = memory.data(16, 8);
let haFound: bool = false;
const tmp: usize = memory.data(16, 8);
/** Peers named by a subnet anycast address (subnetEntry): lookups that miss look there only when some are. */
let subnetPeers: i32 = 0;

/** Carve room for `n` peers (init; 0: none). False when memory ran out. */
export function ipsecInit(n: i32): bool {
  used = 0;
  homeAgent = 0;
  if (MIP6) { haFound = false; subnetPeers = 0; }
  // Why: no table (key size 0) until one is carved, so a stale one from an earlier init refuses ipsecAdd.
  memory.fill(index, 0, HT_HEADER_SIZE);
  if (n <= 0) return true;
  const base = arenaAlloc(htBytesKeyed(<u32>n, <u32>ENTRY, HT_KEY_ADDR));
  return base != 0 && htInitKeyed(index, base, <u32>n, <u32>ENTRY, HT_KEY_ADDR);
}

/**
 * Add the peer at `peer` (16 bytes) with SPIs `spiIn` / `spiOut`, algorithm `alg`, the `keyLen`-byte
 * `key`, replay `window` (32 or 64) and `flags`. Returns 0, 1 the table is full or the peer is there
 * already, 2 the SA parameters are refused by ahSaInit (SPI < 256, key length, window, algorithm).
 */
export function ipsecAdd(peer: usize, spiIn: u32, spiOut: u32, alg: u8, key: usize, keyLen: i32, window: u8, flags: u8): i32 {
  const e = htInsertAddr(index, peer);
  if (e == 0) return 1;
  // Why (issue 14, key rotation): config_add (the board's SIGHUP) replaces a peer's SAs in place, between
  // two packets; the entry does not move. Both SAs start afresh, sequence counter and replay window at 0:
  // new keys make new SAs (RFC 4301 §4.4.2.1: manual keys, no rekeying of a live SA; RFC 4302 §2.5: a new
  // SA's counter starts at 0), and the peer, reloaded with the same key, also sends from 1 — a window kept
  // from the old key would refuse it. A packet recorded under the old key fails the new ICV. (The
  // parameters were checked before (configure.ts ipsecApply), so ahSaInit does not refuse a replacement.)
  const fresh = htInsertedNew(index);
  if (!fresh && !(REKEY && configAdding)) return 1;
  if (!ahSaInit(e + 8, spiIn, peer, alg, key, keyLen, window) || !ahSaInit(e + 8 + <usize>AH_SA_SIZE, spiOut, peer, alg, key, keyLen, window)) {
    if (!REKEY || fresh) htRemoveAddr(index, peer);
    return 2;
  }
  store<u64>(e, <u64>flags);
  if ((flags & IPSEC_HOME_AGENT) != 0 && homeAgent == 0) homeAgent = e;
  if (REKEY && !fresh) return 0;
  if (MIP6 && (addrIsHaAnycast(peer) || addrIsSubnetRouter(peer))) subnetPeers++;
  used++;
  return 0;
}

/** The entry of the peer at `peer`, or 0 (O(1): the index). Why (size): the entry's address, not its index. */
// @ts-ignore: decorator
@inline function ipsecFind(peer: usize): usize { return htFindAddr(index, peer); }

/**
 * SAs named by a subnet anycast address (images with Mobile IPv6), for peers whose address manual keying
 * cannot know in advance:
 * - the Home-Agents anycast address of a mobile node's home subnet (seed 003 §9.4, §8.1 dynamic home
 *   agent discovery): the key the subnet's home agents share with the mobile node; it stands for the home
 *   agent found (ipsecHomeAgentFound) both ways, and inbound for any address of that subnet (the home
 *   agents answer from their own addresses, status 135; only they hold the key, the ICV proves it);
 * - the Subnet-Router anycast address prefix:: (RFC 4291 §2.6.1) of a visited subnet (seed 003 §9.6):
 *   the key that subnet's routers share with the mobile nodes they serve, at the mobile node for "the
 *   routers of that subnet" (its previous default router) and at a router for "the mobile nodes visiting
 *   my subnet" (their care-of addresses, which change with each visit); inbound only, for any address of
 *   the subnet, and outbound only where a caller asks (ipsecSubnetOut).
 * An exact SA for an address always wins. `anyOfSubnet`: inbound (an AH to verify). The entry, or 0.
 */
function subnetEntry(a: usize, anyOfSubnet: bool): usize {
  if (!MIP6 || subnetPeers == 0) return 0;
  if (haFound && homeAgent != 0 && addrEqual(a, found)) return homeAgent;
  if (!anyOfSubnet) return 0;
  const e = subnetRouterEntry(a);
  if (e != 0) return e;
  addrSetHaAnycast(tmp, a);
  return ipsecFind(tmp);
}

/** The entry named by the Subnet-Router anycast address of `a`'s /64, or 0. */
function subnetRouterEntry(a: usize): usize {
  store<u64>(tmp, load<u64>(a));
  store<u64>(tmp, 0, 8);
  return ipsecFind(tmp);
}

/** The outbound SA of the Subnet-Router anycast address of `a`'s subnet (a router's mobile visitors,
 *  seed 003 §9.6), or 0. */
export function ipsecSubnetOut(a: usize): usize {
  if (!MIP6 || subnetPeers == 0) return 0;
  const e = subnetRouterEntry(a);
  return e == 0 ? 0 : e + 8 + <usize>AH_SA_SIZE;
}

/** True when `a` is a Subnet-Router anycast address (RFC 4291 §2.6.1: a /64 prefix, interface identifier 0). */
export function addrIsSubnetRouter(a: usize): bool { return load<u64>(a, 8) == 0 && load<u64>(a) != 0; }

/** The home agent answered dynamic discovery from the address at `a`: the anycast SA is now also its. */
export function ipsecHomeAgentFound(a: usize): void {
  addrCopy(found, a);
  haFound = true;
}

/** The inbound SA for an AH with `spi` from the address at `src`, or 0. */
export function ipsecIn(spi: u32, src: usize): usize {
  if (used == 0) return 0;
  let e = ipsecFind(src);
  if (MIP6 && e == 0) e = subnetEntry(src, true);
  if (e == 0) return 0;
  const sa = e + 8;
  return load<u32>(sa, AH_SA_SPI) == spi ? sa : 0;
}

/** True when packets from the address at `src` must carry AH (inbound policy). */
export function ipsecRequired(src: usize): bool {
  if (used == 0) return false;
  let e = ipsecFind(src);
  if (MIP6 && e == 0) e = subnetEntry(src, false);
  return e != 0 && (load<u8>(e) & IPSEC_REQUIRE) != 0;
}

/** The outbound SA for the address at `dst`, or 0 (no AH). */
export function ipsecOut(dst: usize): usize {
  if (used == 0) return 0;
  let e = ipsecFind(dst);
  if (MIP6 && e == 0) e = subnetEntry(dst, false);
  return e == 0 ? 0 : e + 8 + <usize>AH_SA_SIZE;
}

/** Peers configured. */
export function ipsecCount(): i32 { return used; }

/**
 * The sequence state of the SAs of exactly the peer at `peer` into `out` (images with RESTORE, dump table
 * 9): outSeq u32 (last sent) | inHighest u32 (highest accepted); zeros without an SA of its own.
 */
export function ipsecSeqs(peer: usize, out: usize): void {
  store<u64>(out, 0);
  if (used == 0) return;
  const e = ipsecFind(peer);
  if (e == 0) return;
  store<u32>(out, load<u32>(e + 8 + <usize>AH_SA_SIZE, AH_SA_OUT_SEQ));
  store<u32>(out, load<u32>(e + 8, AH_SA_IN_HIGHEST), 4);
}

/**
 * A home agent restarted (issue 14, BINDING6 record): the SAs of the peer at `peer` go on from the
 * sequence numbers persisted before the restart: the outbound counter from at least `outSeq`, the inbound
 * window with every number up to `inHighest` taken as seen. Only forward: a lower value changes nothing.
 * Why: RFC 4302 §2.5 / §3.4.3: the receiver's window refuses a counter that starts again at 1 (the mobile
 * node would drop every tunnelled packet of ours as a replay until re-keyed, ah.ts), and a window that
 * starts empty would take a packet recorded before the restart. The host leases counter values ahead of
 * what it persisted (docs/deploy.md), so outSeq is above the last one sent.
 */
export function ipsecRestoreSeqs(peer: usize, outSeq: u32, inHighest: u32): void {
  if (used == 0) return;
  const e = ipsecFind(peer);
  if (e == 0) return;
  const out = e + 8 + <usize>AH_SA_SIZE, inb = e + 8;
  if (outSeq > load<u32>(out, AH_SA_OUT_SEQ)) store<u32>(out, outSeq, AH_SA_OUT_SEQ);
  if (inHighest > load<u32>(inb, AH_SA_IN_HIGHEST)) {
    store<u32>(inb, inHighest, AH_SA_IN_HIGHEST);
    store<u64>(inb, 0xffffffffffffffff, AH_SA_IN_BITMAP);
  }
}

/** The address of the peer marked as the home agent into `out`; false when none is. */
export function ipsecHomeAgent(out: usize): bool {
  if (homeAgent == 0) return false;
  memory.copy(out, homeAgent + 8 + AH_SA_PEER, 16);
  return true;
}
