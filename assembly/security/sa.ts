// Mobility security associations (RFC 2002 §1.6, §3.5): one per peer address, from configuration.
// A mobile node holds one with its home agent (peer = home agent address), a home agent one per
// mobile node (peer = home address), a foreign agent optionally one per mobile node (mobile-foreign)
// and per home agent (foreign-home). The table is a fixed hash table keyed by the peer address, a
// 16-byte family-neutral address (wire/addr.ts: IPv4 mapped as ::ffff:a.b.c.d), so Mobile IPv6 peers
// share it (issue 8.2). The u32 functions (saAdd, saFind, saFindFor) take an IPv4 peer in host order
// and map it; the *Addr ones take a pointer to the 16-byte address.
//
// Value (stride SA_SIZE):
//   0 spi u32 | 4 algorithm u8 | 5 replay u8 | 6 flags u8 | 7 keyLen u8 | 8 key[64]
//   72 prepared HMAC key context[32 = HMAC_KEY_CTX_SIZE] (HMAC-MD5 only: the padded-key MD5 states, RFC 2104 §4)
//   104 lastId u64 — the last Identification accepted from this peer (timestamp replay protection)
//   112 nonce u32 — the nonce this node expects next from the peer (nonce replay protection)
//   116 offsetSec i32 — mobile node: correction learnt from a code-133 reply (timestamps)

import { arenaAlloc } from "../mem";
import { htBytesKeyed, htCarve, htInitKeyed, htFindAddr, htFindV4, htInsertAddr, htInsertedNew, htUsed, HT_HEADER_SIZE, HT_KEY_ADDR } from "../table/hash";
import { ADDR_LEN, addrSetV4 } from "../wire/addr";
import { hmacMd5Prepare } from "../crypto/hmac";
import { SA_ALG_HMAC_MD5, SA_MAX_KEY, SA_USE_MASK, SA_USE_SHIFT, configAdding } from "../config";
import { REKEY } from "../features";

export const SA_SPI: usize = 0;
export const SA_ALG: usize = 4;
export const SA_REPLAY: usize = 5;
export const SA_FLAGS: usize = 6;
export const SA_KEYLEN: usize = 7;
export const SA_KEY: usize = 8;
export const SA_HMAC: usize = 72;
export const SA_LAST_ID: usize = 104;
export const SA_NONCE: usize = 112;
export const SA_OFFSET: usize = 116;
export const SA_SIZE: u32 = 120;

const table: usize = memory.data(<i32>HT_HEADER_SIZE, 8);
let capacity: u32 = 0;
// The mapped form of an IPv4 peer for the u32 functions.
const peer4: usize = memory.data(ADDR_LEN, 8);

/** Carve the table for `entries` associations (0 allowed: no security associations). */
export function saInit(entries: i32): void {
  capacity = <u32>entries;
  htCarve(table, capacity, SA_SIZE);
}

/** Add the association with the IPv4 peer `peer` (host order); see saAddAddr. */
export function saAdd(peer: u32, spi: u32, alg: u8, replay: u8, flags: u8, key: usize, keyLen: i32): bool {
  return saAddAddr(mapped(peer), spi, alg, replay, flags, key, keyLen);
}

/** `peer` (IPv4, host order) as a 16-byte address in peer4. */
function mapped(peer: u32): usize { addrSetV4(peer4, peer); return peer4; }

/**
 * Add the association with the peer whose 16-byte address is at `peer`; false when the table is full or
 * the peer already has one — except in config_add (REKEY), where it replaces the peer's association.
 */
export function saAddAddr(peer: usize, spi: u32, alg: u8, replay: u8, flags: u8, key: usize, keyLen: i32): bool {
  if (capacity == 0 || keyLen < 0 || keyLen > SA_MAX_KEY) return false;
  const v = htInsertAddr(table, peer);
  if (v == 0) return false;
  // Why (issue 14, key rotation): a configured association is replaced in place by config_add (the board's
  // SIGHUP), between two frames: the next message is verified or authenticated under the new key, never a
  // mix, and the record does not move, so bindings, visitors and registrations keep theirs. In init a second
  // record for a peer stays an error (the hosts refuse it first: "one association per peer").
  if (!REKEY) {
    if (!htInsertedNew(table)) return false;
    saFill(v, spi, alg, replay, flags, key, keyLen);
    return true;
  }
  const again = !htInsertedNew(table);
  if (again && !configAdding) return false;
  // Why: the replay state (RFC 2002 §5.6 / RFC 3344 §5.7: last Identification, the nonce issued, a mobile
  // node's clock correction) is kept when the replay method is unchanged: it belongs to the pair of nodes,
  // not to the key; so a request recorded under an earlier key stays refused if that key comes back
  // (a rotation A -> B -> A), and a mobile node's next request under nonces needs no 133 round trip.
  // A new method resets it (timestamps and nonces give the fields different meanings).
  const keep = again && load<u8>(v, SA_REPLAY) == replay;
  const id = load<u64>(v, SA_LAST_ID), nonce = load<u64>(v, SA_NONCE); // (nonce and offset: one u64)
  saFill(v, spi, alg, replay, flags, key, keyLen);
  if (keep) { store<u64>(v, id, SA_LAST_ID); store<u64>(v, nonce, SA_NONCE); }
  return true;
}

/**
 * Set the association with the IPv4 peer `peer` (host order), replacing any it had (a registration
 * key learnt at run time, security/regkey.ts): its replay state starts afresh. False when the table
 * is full (or has no room at all).
 */
export function saSet(peer: u32, spi: u32, alg: u8, replay: u8, flags: u8, key: usize, keyLen: i32): bool {
  if (capacity == 0 || keyLen < 0 || keyLen > SA_MAX_KEY) return false;
  const v = htInsertAddr(table, mapped(peer));
  if (v == 0) return false;
  saFill(v, spi, alg, replay, flags, key, keyLen);
  return true;
}

/** Fill association record `v` (fresh replay state); `key` may be v + SA_KEY itself (ha-ro.ts). */
export function saFill(v: usize, spi: u32, alg: u8, replay: u8, flags: u8, key: usize, keyLen: i32): void {
  store<u32>(v, spi, SA_SPI);
  store<u8>(v, alg, SA_ALG);
  store<u8>(v, replay, SA_REPLAY);
  store<u8>(v, flags, SA_FLAGS);
  store<u8>(v, <u8>keyLen, SA_KEYLEN);
  memory.copy(v + SA_KEY, key, <usize>keyLen);
  if (alg == SA_ALG_HMAC_MD5) hmacMd5Prepare(v + SA_HMAC, v + SA_KEY, keyLen);
  store<u64>(v, 0, SA_LAST_ID);
  store<u32>(v, 0, SA_NONCE);
  store<i32>(v, 0, SA_OFFSET);
}

/** The association with the IPv4 peer `peer` (host order), or 0. */
export function saFind(peer: u32): usize { return saFindHot(peer); }
/** saFind inline, for saFindFor (every registration). */
// @ts-ignore: decorator
@inline function saFindHot(peer: u32): usize {
  // Why (speed): found without building the 16-byte key (table/hash.ts htFindV4).
  return capacity == 0 ? 0 : htFindV4(table, peer);
}

/** The association with the peer whose 16-byte address is at `peer`, or 0. */
export function saFindAddr(peer: usize): usize {
  return capacity == 0 ? 0 : htFindAddr(table, peer);
}

/**
 * The association with `peer` if it is configured for `use` (config SA_USE_*: mobile-home,
 * mobile-foreign, foreign-home), or 0.
 * Why: RFC 2002 §3.5.2-3.5.4: each authentication extension is computed with the association
 * between the two parties it names; a key shared with a foreign agent must never authenticate a
 * mobile-home extension (a foreign agent could then register its own address as a home address).
 */
export function saFindFor(peer: u32, use: u8): usize {
  const v = saFindHot(peer);
  return v != 0 && saUseHot(v) == use ? v : 0;
}

/** Flags bit of an association learnt at run time (security/regkey.ts), not configured. */
export const SA_FLAG_LEARNT: u8 = 0x40;
/** True for an association learnt at run time (a registration key). */
export function saLearnt(sa: usize): bool { return (load<u8>(sa, SA_FLAGS) & SA_FLAG_LEARNT) != 0; }

/** What the association `sa` is for (config SA_USE_*). */
export function saUse(sa: usize): u8 { return saUseHot(sa); }
/** saUse inline, for the registration path (saFindFor, authAppend, authVerify). */
// @ts-ignore: decorator
@inline export function saUseHot(sa: usize): u8 { return (load<u8>(sa, SA_FLAGS) & SA_USE_MASK) >> SA_USE_SHIFT; }

/** Associations configured. */
export function saCount(): u32 { return capacity == 0 ? 0 : htUsed(table); }
