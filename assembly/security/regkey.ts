// Registration keys for smooth handoff (seed 001 §3.2, §5.2: "the mobile node and the foreign agent have
// to have a security association"; the issue: "from the home agent via a foreign-home association").
// The regkey draft the seed cites is gone; this is the project's scheme (docs/decisions.md
// "Registration keys"), built only from what the two associations already give:
//
// - The mobile node asks for a key for the foreign agent it registers through with a Registration Key
//   Request extension (161: SPI) before its mobile-home authenticator, so the home agent knows the
//   request is genuine.
// - Both ends derive the same mobile-foreign key from the mobile-home key, the foreign agent's address,
//   the home address and the request's Identification (fresh for every registration):
//     K_MF = HMAC-MD5(K_MH, "mipfw-mn-fa-key" | FA(4) | home(4) | Identification(8))
//   so the key itself never travels to the mobile node.
// - The home agent sends it to the foreign agent, wrapped with the foreign-home key, in a Mobile-Foreign
//   Key extension (162: SPI | K_MF XOR MD5(K_FH | reply Identification(8) | home(4) | K_FH)) after the
//   mobile-home authenticator and before the foreign-home authenticator that covers it.
// - Both install a mobile-foreign association (HMAC-MD5, SPI covered, the requested SPI): the foreign
//   agent with the home address as peer, the mobile node with the foreign agent's address. It then
//   authenticates the Binding Update that notifies this foreign agent when the mobile node has moved on.

import { hmacMd5 } from "../crypto/hmac";
import { md5Init, md5Update, md5Final, MD5_CTX_SIZE } from "../crypto/md5";
import { SA_KEY, SA_KEYLEN, SA_FLAG_LEARNT, saSet } from "./sa";
import { SA_ALG_HMAC_MD5, SA_FLAG_COVER_SPI, SA_USE_MOBILE_FOREIGN, SA_USE_SHIFT } from "../config";
import { EXT_FA_KEY_REPLY, EXT_REG_KEY_REQUEST } from "../wire/mipext";

/** Bytes of a registration key. */
export const REGKEY_LEN: i32 = 16;

const LABEL: usize = memory.data<u8>([
  0x6d, 0x69, 0x70, 0x66, 0x77, 0x2d, 0x6d, 0x6e, 0x2d, 0x66, 0x61, 0x2d, 0x6b, 0x65, 0x79, // "mipfw-mn-fa-key"
]);
const LABEL_LEN: i32 = 15;
const input: usize = memory.data(32, 8);
const md5ctx: usize = memory.data(<i32>MD5_CTX_SIZE, 8);
const pad: usize = memory.data(16, 8);

/** Network-order u32 `v` at `p`. */
// @ts-ignore: decorator
@inline function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/**
 * The mobile-foreign key for the mobile node `home` registering through foreign agent `fa` with
 * Identification `id`, derived from the mobile-home association `mh` (its raw key), into 16 bytes at `out`.
 */
export function regkeyDerive(mh: usize, fa: u32, home: u32, id: u64, out: usize): void {
  memory.copy(input, LABEL, <usize>LABEL_LEN);
  put32(input + <usize>LABEL_LEN, fa);
  put32(input + <usize>LABEL_LEN + 4, home);
  store<u64>(input + <usize>LABEL_LEN + 8, bswap<u64>(id));
  hmacMd5(mh + SA_KEY, <i32>load<u8>(mh, SA_KEYLEN), input, LABEL_LEN + 16, 0, 0, out);
}

/** MD5(a | b | a) of the `al` bytes at `a` and the `bl` bytes at `b`, into 16 bytes at `out` (also ha-ro.ts, appendix A's node key). */
export function md5Sandwich(a: usize, al: i32, b: usize, bl: i32, out: usize): void {
  md5Init(md5ctx);
  md5Update(md5ctx, a, al);
  md5Update(md5ctx, b, bl);
  md5Update(md5ctx, a, al);
  md5Final(md5ctx, out);
}

/**
 * XOR the 16 bytes at `key` in place with MD5(K_FH | id | home | K_FH) of the foreign-home association
 * `fh`: wraps on the home agent, unwraps on the foreign agent (the same operation).
 */
export function regkeyWrap(fh: usize, id: u64, home: u32, key: usize): void {
  const k = fh + SA_KEY;
  const kl = <i32>load<u8>(fh, SA_KEYLEN);
  store<u64>(input, bswap<u64>(id));
  put32(input + 8, home);
  md5Sandwich(k, kl, input, 12, pad);
  store<u64>(key, load<u64>(key) ^ load<u64>(pad));
  store<u64>(key, load<u64>(key, 8) ^ load<u64>(pad, 8), 8);
}

/**
 * Install (or replace) the mobile-foreign association with `peer` (IPv4, host order): HMAC-MD5 over
 * the SPI too, `spi`, the 16-byte key at `key`, marked learnt (sa.ts SA_FLAG_LEARNT: a foreign agent
 * does not require it in registrations). False when the table has no room. A configured association
 * with that peer is never replaced (callers ask only without one).
 */
export function regkeyInstall(peer: u32, spi: u32, key: usize): bool {
  return saSet(peer, spi, SA_ALG_HMAC_MD5, 0, SA_FLAG_COVER_SPI | SA_FLAG_LEARNT | (SA_USE_MOBILE_FOREIGN << SA_USE_SHIFT), key, REGKEY_LEN);
}

/**
 * Home agent: append the Mobile-Foreign Key extension (162) for the foreign agent to the reply of
 * `len` bytes at `msg` (room for `cap`): the key for `home` registering through care-of address `coa`
 * with request Identification `reqId`, derived with the mobile-home association `mh`, wrapped with the
 * foreign-home association `fh` and the reply Identification `replyId`, under SPI `spi`. Returns the
 * new length, or `len` unchanged when it does not fit.
 */
export function regkeyAppendForFa(msg: usize, len: i32, cap: i32, mh: usize, fh: usize, coa: u32, home: u32,
  reqId: u64, replyId: u64, spi: u32): i32 {
  if (len + 22 > cap) return len;
  const e = msg + <usize>len;
  store<u8>(e, EXT_FA_KEY_REPLY, 0);
  store<u8>(e, 20, 1);
  put32(e + 2, spi);
  regkeyDerive(mh, coa, home, reqId, e + 6);
  regkeyWrap(fh, replyId, home, e + 6);
  return len + 22;
}

/** The SPI asked for by the Registration Key Request extension at `ext`. */
export function regkeyRequestSpi(ext: usize): u32 { return bswap<u32>(load<u32>(ext, 2)); }
/** The SPI of the Mobile-Foreign Key extension at `ext`; its wrapped key is at ext + 6. */
export function regkeyReplySpi(ext: usize): u32 { return bswap<u32>(load<u32>(ext, 2)); }

const keyBuf: usize = memory.data(16, 8);

/**
 * Foreign agent: the Mobile-Foreign Key extension at `ext` of an accepted reply for `home` with
 * Identification `replyId`, whose foreign-home authenticator verified with `fh`: unwrap the key and
 * install the mobile-foreign association with `home`. False when the table has no room.
 */
export function regkeyFaInstall(ext: usize, fh: usize, replyId: u64, home: u32): bool {
  memory.copy(keyBuf, ext + 6, 16);
  regkeyWrap(fh, replyId, home, keyBuf);
  return regkeyInstall(home, regkeyReplySpi(ext), keyBuf);
}

/**
 * Mobile node: after an accepted registration through care-of address `coa` whose request (with
 * Identification `reqId`) asked for a key under `spi`: derive it from the mobile-home association
 * `mh` and install the mobile-foreign association with `coa`.
 */
export function regkeyMnInstall(mh: usize, coa: u32, home: u32, reqId: u64, spi: u32): bool {
  regkeyDerive(mh, coa, home, reqId, keyBuf);
  return regkeyInstall(coa, spi, keyBuf);
}

/** Append a Registration Key Request extension (161) asking for SPI `spi` to the `len`-byte message at `msg`; new length, or `len` when it does not fit. */
export function regkeyRequestAppend(msg: usize, len: i32, cap: i32, spi: u32): i32 {
  if (len + 6 > cap) return len;
  store<u16>(msg + <usize>len, <u16>EXT_REG_KEY_REQUEST | 4 << 8); // Type, Length 4
  put32(msg + <usize>len + 2, spi);
  return len + 6;
}
