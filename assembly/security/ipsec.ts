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
// Entry (stride ENTRY = 8 + 2 × AH_SA_SIZE): flags u8 @0 (bit 0: inbound AH required) | pad[7] |
// inbound SA @8 | outbound SA @8 + AH_SA_SIZE (security/ah.ts records; peer in both).

import { arenaAlloc } from "../mem";
import { addrEqual } from "../wire/addr";
import { AH_SA_SIZE, AH_SA_SPI, AH_SA_PEER, ahSaInit } from "./ah";

export const IPSEC_REQUIRE: u8 = 1;
/** The peer is this mobile node's Mobile IPv6 home agent (configuration `ipsec[].homeAgent`). */
export const IPSEC_HOME_AGENT: u8 = 2;
const ENTRY: usize = 8 + 2 * <usize>AH_SA_SIZE;
let table: usize = 0;
let cap: i32 = 0;
let used: i32 = 0;

// @ts-ignore: decorator
@inline function ent(i: i32): usize { return table + <usize>i * ENTRY; }

/** Carve room for `n` peers (init; 0: none). False when memory ran out. */
export function ipsecInit(n: i32): bool {
  used = 0;
  cap = n;
  table = n > 0 ? arenaAlloc(<usize>n * ENTRY) : 0;
  return n == 0 || table != 0;
}

/**
 * Add the peer at `peer` (16 bytes) with SPIs `spiIn` / `spiOut`, algorithm `alg`, the `keyLen`-byte
 * `key`, replay `window` (32 or 64) and `flags`. Returns 0, 1 the table is full or the peer is there
 * already, 2 the SA parameters are refused by ahSaInit (SPI < 256, key length, window, algorithm).
 */
export function ipsecAdd(peer: usize, spiIn: u32, spiOut: u32, alg: u8, key: usize, keyLen: i32, window: u8, flags: u8): i32 {
  if (used >= cap || ipsecFind(peer) != 0) return 1;
  const e = ent(used);
  if (!ahSaInit(e + 8, spiIn, peer, alg, key, keyLen, window) || !ahSaInit(e + 8 + <usize>AH_SA_SIZE, spiOut, peer, alg, key, keyLen, window)) return 2;
  store<u64>(e, <u64>flags);
  used++;
  return 0;
}

/** The entry of the peer at `peer`, or 0. Why (size): the entry's address, not its index (no multiply at each caller). */
function ipsecFind(peer: usize): usize {
  for (let i = 0; i < used; i++) if (addrEqual(ent(i) + 8 + AH_SA_PEER, peer)) return ent(i);
  return 0;
}

/** The inbound SA for an AH with `spi` from the address at `src`, or 0. */
export function ipsecIn(spi: u32, src: usize): usize {
  const e = ipsecFind(src);
  if (e == 0) return 0;
  const sa = e + 8;
  return load<u32>(sa, AH_SA_SPI) == spi ? sa : 0;
}

/** True when packets from the address at `src` must carry AH (inbound policy). */
export function ipsecRequired(src: usize): bool {
  if (used == 0) return false;
  const e = ipsecFind(src);
  return e != 0 && (load<u8>(e) & IPSEC_REQUIRE) != 0;
}

/** The outbound SA for the address at `dst`, or 0 (no AH). */
export function ipsecOut(dst: usize): usize {
  if (used == 0) return 0;
  const e = ipsecFind(dst);
  return e == 0 ? 0 : e + 8 + <usize>AH_SA_SIZE;
}

/** Peers configured. */
export function ipsecCount(): i32 { return used; }

/** The address of the peer marked as the home agent into `out`; false when none is. */
export function ipsecHomeAgent(out: usize): bool {
  for (let i = 0; i < used; i++) {
    if ((load<u8>(ent(i)) & IPSEC_HOME_AGENT) != 0) { memory.copy(out, ent(i) + 8 + AH_SA_PEER, 16); return true; }
  }
  return false;
}
