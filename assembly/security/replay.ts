// Replay protection for registrations (RFC 2002 §5.6, SPEC-DECISIONS): the 64-bit Identification is
// either an NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low 32) checked
// against a tolerance window, or a pair of nonces (high 32 bits chosen by the home agent, low 32 by
// the mobile node). A code-133 reply carries the home agent's time or next nonce in the high 32 bits
// so the mobile node can resynchronise.
//
// Wall time: the host's clock is monotonic from any origin, so a node's NTP time is
// NTP_BASE_SEC + now_ms/1000 + mobility.clockOffsetSec. A host with real time sets clockOffsetSec so
// that this is the true time; the emulated network leaves it 0 (all nodes agree) or skews it on
// purpose to exercise resynchronisation.

import { nowMs } from "../clock";
import { random } from "../host";
import * as cfg from "../config";
import { SA_LAST_ID, SA_NONCE, SA_OFFSET, SA_REPLAY } from "./sa";

/** 2026-01-01T00:00:00Z in NTP seconds (since 1900-01-01). */
export const NTP_BASE_SEC: u64 = 3976214400;

const rnd: usize = memory.data(8, 8);

/** This node's NTP time now (64-bit: seconds ‖ fraction), with the association's learnt offset. */
export function ntpNow(sa: usize): u64 {
  const ms = nowMs();
  let sec = <i64>NTP_BASE_SEC + ms / 1000 + <i64>cfg.clockOffsetSec() + (sa != 0 ? <i64>load<i32>(sa, SA_OFFSET) : 0);
  const frac = (<u64>(ms % 1000) << 32) / 1000;
  return (<u64>sec << 32) | (frac & 0xffffffff);
}

/** 32 unpredictable bits from the host. */
export function random32(): u32 {
  random(rnd, 4);
  const r = load<u32>(rnd);
  // The scratch word cleared after use: no random bits left in memory (and a body asc's inliner
  // leaves a call, one per caller instead of the host call and load copied in; size, issue 12).
  store<u32>(rnd, 0);
  return r;
}

/**
 * Random bits added below the clock's resolution: one millisecond is 2^32 / 1000 ≈ 4 294 967 units
 * of the NTP fraction, so a value below 2^22 (4 194 304) never reaches the next millisecond's.
 */
const ID_RANDOM_MASK: u64 = 0x3fffff;

/**
 * Mobile node: a fresh Identification for a request under `sa` (timestamps or nonces), greater
 * than `after` with timestamps (the previous request's, 0 for none).
 */
export function mnIdentification(sa: usize, useNonces: bool, after: u64): u64 {
  if (useNonces) return (<u64>load<u32>(sa, SA_NONCE) << 32) | <u64>random32();
  // Why: RFC 2002 §5.6.1: the low-order 32 bits are the NTP fraction of a second; only the bits a
  // time source cannot give are random. Randomising all 32 (done before) let two requests within one
  // second go backwards, and a home agent that accepts only Identifications greater than the last
  // (haCheckIdentification) answered 133. The millisecond clock's fraction is kept and the random
  // part stays below its resolution (ID_RANDOM_MASK), so the value follows the clock.
  let id = ntpNow(sa) + (<u64>random32() & ID_RANDOM_MASK);
  // Same millisecond, or a clock that stepped back: still strictly after the previous request, by
  // serial-number order (RFC 1982) so the NTP era rollover (2036) does not pin it to the old era.
  if (after != 0 && <i64>(id - after) <= 0) id = after + 1;
  return id;
}

export const enum ReplayResult { OK = 0, MISMATCH = 1 }

/**
 * Home agent: check the request's Identification `id` from the peer of `sa`. Timestamps: within
 * `replayWindowSec` of this node's time and later than the last accepted one, both by serial-number
 * arithmetic so the NTP era rollover (2036) changes nothing. Nonces: the high 32 bits equal the
 * nonce this node issued; before any was issued (first contact, after a restart) nothing matches
 * and a fresh one is issued for the 133 reply to carry.
 */
export function haCheckIdentification(sa: usize, id: u64, useNonces: bool): ReplayResult {
  if (useNonces) {
    const expected = load<u32>(sa, SA_NONCE);
    // Why: RFC 2002 §5.6.2 / issue 7.3: a nonce is valid only when we gave it. Accepting whatever
    // comes first would let a captured request re-bind after every restart; the mobile node learns
    // our nonce from the 133 reply and registers with it.
    if (expected == 0) { haIssueNonce(sa); return ReplayResult.MISMATCH; }
    return <u32>(id >> 32) == expected ? ReplayResult.OK : ReplayResult.MISMATCH;
  }
  if (!inWindow(id)) return ReplayResult.MISMATCH;
  // Why: 0 marks "nothing accepted yet" in SA_LAST_ID, so it is never accepted itself.
  if (id == 0) return ReplayResult.MISMATCH;
  // Why: RFC 2002 §5.6.1: later than the last accepted Identification — RFC 1982 order over the
  // 64-bit value. That order is defined only within 2^63 (2^31 s, 68 years): a last accepted
  // Identification that is itself outside the window can be older than any request the window lets
  // in (a replay of it is refused by the window), so it is not compared — else a node silent for 68
  // years (or a clock stepped that far) would be refused for ever.
  const last = load<u64>(sa, SA_LAST_ID);
  if (last != 0 && inWindow(last) && <i64>(id - last) <= 0) return ReplayResult.MISMATCH;
  return ReplayResult.OK;
}

/** True when the NTP seconds of timestamp `id` are within `replayWindowSec` of this node's time. */
function inWindow(id: u64): bool {
  // Why: RFC 1982 serial-number arithmetic over the 32-bit NTP seconds: at the 2036 rollover they
  // restart at 0 (era 1) and a plain comparison would put every fresh timestamp 136 years away.
  const d = <i32>(<u32>(id >> 32) - <u32>(ntpNow(0) >> 32));
  return (d < 0 ? -<i64>d : <i64>d) <= <i64>cfg.replayWindowSec();
}

/** Home agent: a fresh nonce for the peer of `sa` (from the host's random source, never 0). */
function haIssueNonce(sa: usize): void {
  let n = random32();
  // Why: 0 marks "no nonce issued" in SA_NONCE.
  if (n == 0) n = 1;
  store<u32>(sa, n, SA_NONCE);
}

/** Home agent: remember an accepted Identification and pick the next nonce. */
export function haAccepted(sa: usize, id: u64, useNonces: bool): void {
  store<u64>(sa, id, SA_LAST_ID);
  if (useNonces) haIssueNonce(sa);
}

/**
 * Home agent: the Identification of a reply to a request with `id`: the low 32 bits are the
 * request's (RFC 2002 §3.4); the high 32 bits are this node's time (timestamps) or the nonce the
 * mobile node must use next (nonces).
 */
export function haReplyIdentification(sa: usize, id: u64, useNonces: bool): u64 {
  const high: u64 = useNonces ? <u64>load<u32>(sa, SA_NONCE) : ntpNow(0) >> 32;
  return (high << 32) | (id & 0xffffffff);
}

/** True when there is an association `sa` and it protects against replays by nonces (else timestamps). */
export function saNonces(sa: usize): bool { return sa != 0 && load<u8>(sa, SA_REPLAY) == cfg.SA_REPLAY_NONCES; }

/**
 * Home agent / registration server: the Identification of a reply with `code` to a request with `id`
 * under `sa` (0: none): the request's own (timestamps, not 133), else haReplyIdentification.
 */
export function haReplyId(sa: usize, id: u64, code: u8): u64 {
  if (sa == 0) return id;
  const nonces = saNonces(sa);
  // (133: RFC 2002 §3.4, reply code "registration identification mismatch".)
  return nonces || code == 133 ? haReplyIdentification(sa, id, nonces) : id;
}

/**
 * Mobile node: after a reply under `sa` to a request with Identification `sent`: false when the low
 * 32 bits differ (not a reply to that request: discard). On code 133, learn the home agent's clock
 * offset (timestamps) or its next nonce (nonces) from the high 32 bits.
 */
export function mnReplyCheck(sa: usize, sent: u64, reply: u64, code: i32, useNonces: bool): bool {
  if (<u32>sent != <u32>reply) return false;
  if (useNonces) store<u32>(sa, <u32>(reply >> 32), SA_NONCE);
  else if (code == 133) {
    // Why: RFC 1982: the offset is the difference modulo 2^32 seconds, right across the 2036 NTP
    // rollover (the home agent's era may differ from ours).
    store<i32>(sa, <i32>(<u32>(reply >> 32) - <u32>(ntpNow(0) >> 32)), SA_OFFSET);
  }
  return true;
}
