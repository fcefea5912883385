// Registration authentication (RFC 2002 §3.5): append and verify the mobile-home (32),
// mobile-foreign (33) and foreign-home (34) authentication extensions with the security association
// of the peer; an extension verifies (and authAppend appends it) only with an association
// configured for its use (sa.ts saFindFor, SA_USE_*); callers pass the association itself. Authenticator = keyed-MD5 prefix+suffix or
// HMAC-MD5 (16 bytes) over the UDP payload from its first byte through this extension's Type and
// Length — and its SPI when the association says so (SPEC-DECISIONS: RFC 2002 leaves the SPI out,
// RFC 3344 puts it in). Comparison is constant-time.

import { keyedMd5 } from "../crypto/keyed";
import { evAuthFailed } from "../events";
import { hmacMd5WithPrepared } from "../crypto/hmac";
import { ctEqual } from "../crypto/ct";
import {
  SA_ALG_KEYED_MD5, SA_FLAG_COVER_SPI, SA_USE_MOBILE_HOME, SA_USE_MOBILE_FOREIGN, SA_USE_FOREIGN_HOME,
  SA_USE_CORRESPONDENT, SA_USE_AGENT_SERVER, SA_USE_MOBILE_SERVER, SA_USE_SERVER_SERVER,
} from "../config";
import { saUseHot, SA_SPI, SA_ALG, SA_FLAGS, SA_KEYLEN, SA_KEY, SA_HMAC } from "./sa";
import { ExtSlot, extSlotOf, authExtAppend, authCoveredLen, authSpi, authSpiHot, authAuthenticator, authAuthenticatorLen, extType, extIsAuth,
  EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, EXT_RO_AUTH, EXT_AS_AUTH, EXT_MS_AUTH, EXT_SS_AUTH } from "../wire/mipext";

export const AUTH_LEN: i32 = 16;

export const enum AuthResult {
  OK = 0,
  NO_SA = 1,         // no security association with the peer
  NOT_AUTH_EXT = 2,  // the offset does not hold an authentication extension
  BAD_SPI = 3,       // SPI differs from the association's
  BAD_LENGTH = 4,    // authenticator is not 16 bytes
  BAD_AUTHENTICATOR = 5
}

const digest: usize = memory.data(16, 8);

/** Log (`role`) a security exception on authentication extension `type` at offset `off` of `m` (0: missing; the SPI it names) from `peer`. */
export function authFailEvent(role: u8, type: u8, code: u8, peer: u32, m: usize, off: i32): void {
  evAuthFailed(role, type, code, peer, off != 0 ? authSpi(m + <usize>off) : 0);
}

/** Compute the authenticator of `sa` over `len` bytes at `p` into 16 bytes at `out`. */
export function authCompute(sa: usize, p: usize, len: i32, out: usize): void {
  if (load<u8>(sa, SA_ALG) == SA_ALG_KEYED_MD5) keyedMd5(sa + SA_KEY, <i32>load<u8>(sa, SA_KEYLEN), p, len, 0, 0, out);
  else hmacMd5WithPrepared(sa + SA_HMAC, p, len, 0, 0, out);
}

// Per authentication extension type (32-35, then 83-85), the set of association uses (config
// SA_USE_*, bit = use) that may compute or verify it: its own use (32 mobile-home, 33 mobile-foreign,
// 34 foreign-home, 83 agent-server, 84 mobile-server, 85 server-server), plus:
// Why: 001 §7.2, §5.1: the Route Optimization Authentication extension (35) with a correspondent /
// home agent association, a foreign agent / home agent one (a home agent and the foreign agents its
// mobile nodes use) or a mobile node / foreign agent one (the mobile node's authenticator for its
// previous foreign agent).
// Why: 002 D.1.2: the mobile node's "Mobile-Foreign" authenticator (33) for a relaying registration
// server is computed with their mobile-server association (docs/decisions.md).
// Why: 002 D.3.1: in a combined registration the node's authenticator for its home server is the
// "Mobile-Home (RS1) Authentication Extension" (32), computed with their mobile-server association.
// Why: 002 §4.3-4.5: agent-server, mobile-server and server-server extensions each with the
// association between the two kinds of party they name.
const AUTH_USES: usize = memory.data<u16>([
  1 << SA_USE_MOBILE_HOME | 1 << SA_USE_MOBILE_SERVER,                         // 32
  1 << SA_USE_MOBILE_FOREIGN | 1 << SA_USE_MOBILE_SERVER,                      // 33
  1 << SA_USE_FOREIGN_HOME,                                                    // 34
  1 << SA_USE_CORRESPONDENT | 1 << SA_USE_FOREIGN_HOME | 1 << SA_USE_MOBILE_FOREIGN, // 35
  1 << SA_USE_AGENT_SERVER,                                                    // 83
  1 << SA_USE_MOBILE_SERVER,                                                   // 84
  1 << SA_USE_SERVER_SERVER,                                                   // 85
]);

/** True when an association of `use` may compute or verify an extension of `type` (AUTH_USES). */
export function authUseOk(type: i32, use: u8): bool {
  // (The rows are in index slot order, wire/mipext.ts ExtSlot MH_AUTH .. SS_AUTH.)
  const i = <u32>extSlotOf(type);
  return i <= <u32>ExtSlot.SS_AUTH && ((<u32>load<u16>(AUTH_USES + (<usize>i << 1)) >> <u32>use) & 1) != 0;
}

/**
 * Append an authentication extension of `type` to the message of `len` bytes at `msg` (room for
 * `cap`), authenticated with the association `sa` (from saFindFor). Returns the new length, -1 when
 * there is no association or it is not one for `type`'s use, -2 when it does not fit.
 */
export function authAppend(sa: usize, msg: usize, len: i32, cap: i32, type: u8): i32 {
  // Why: RFC 2002 §3.5.2-3.5.4: each extension is computed with the association between the two
  // parties it names; a key for another use never produces it (issue 7.9).
  if (sa == 0 || !authUseOk(type, saUseHot(sa))) return -1;
  const n = authExtAppend(msg, len, cap, type, load<u32>(sa, SA_SPI), AUTH_LEN);
  if (n < 0) return -2;
  const ext = msg + <usize>len;
  const covered = authCoveredLen(len, (load<u8>(sa, SA_FLAGS) & SA_FLAG_COVER_SPI) != 0);
  authCompute(sa, msg, covered, authAuthenticator(ext));
  return n;
}

/** authAppend, or `len` unchanged when nothing could be appended (no association for `type`, no room). */
export function authAppendOr(sa: usize, msg: usize, len: i32, cap: i32, type: u8): i32 {
  const n = authAppend(sa, msg, len, cap, type);
  return n > 0 ? n : len;
}

/** True when there is an association `sa` and an extension at `extOff` (not 0) of `msg` that verifies with it (authVerify OK). */
export function authAt(sa: usize, msg: usize, extOff: i32): bool {
  return sa != 0 && extOff != 0 && authVerify(sa, msg, extOff) == AuthResult.OK;
}

/**
 * Verify the authentication extension at offset `extOff` of `msg` with the association `sa`:
 * NO_SA when there is none or it is configured for another use than the extension's type.
 */
export function authVerify(sa: usize, msg: usize, extOff: i32): AuthResult {
  if (sa == 0) return AuthResult.NO_SA;
  const ext = msg + <usize>extOff;
  const type = extType(ext);
  if (!extIsAuth(type)) return AuthResult.NOT_AUTH_EXT;
  // Why: RFC 2002 §3.5.2-3.5.4: only the association for the extension's use verifies it — a key
  // shared with a foreign agent never authenticates a mobile-home extension (issue 7.9).
  if (!authUseOk(type, saUseHot(sa))) return AuthResult.NO_SA;
  if (authAuthenticatorLen(ext) != AUTH_LEN) return AuthResult.BAD_LENGTH;
  if (authSpiHot(ext) != load<u32>(sa, SA_SPI)) return AuthResult.BAD_SPI;
  const covered = authCoveredLen(extOff, (load<u8>(sa, SA_FLAGS) & SA_FLAG_COVER_SPI) != 0);
  authCompute(sa, msg, covered, digest);
  // Why: constant-time comparison, so timing does not reveal how many bytes matched.
  return ctEqual(digest, authAuthenticator(ext), AUTH_LEN) ? AuthResult.OK : AuthResult.BAD_AUTHENTICATOR;
}

