// IPsec AH for IPv6 (RFC 2402), manually keyed, HMAC-MD5-96 (RFC 2403) and HMAC-SHA1-96 (RFC 2404):
// the ICV input with the mutable fields zeroed (RFC 2402 §3.3.3.1), sealing an outbound packet,
// verifying an inbound one, and the anti-replay window (RFC 2401 appendix C, RFC 2402 §3.4.3).
// Pure code over caller memory: the lead wires it into the IPv6 input/output path.
//
// Packets: `pkt` is an IPv6 packet of exactly `len` = 40 + Payload Length bytes (link padding cut off;
// the Payload Length is covered by the ICV, so the caller sets it before sealing), with the AH header
// (wire/ah.ts, 24 bytes) at offset `ahOff`. Only Hop-by-Hop, Destination Options and type 0 Routing
// headers may stand between the fixed header and AH (RFC 2460 §4.1 order); anything else is refused.
// `scratch` (capacity `cap`) receives the image of [pkt, pkt + ahOff + 24) with the mutable fields
// zeroed; the ICV is HMAC(image ‖ pkt[ahOff + 24 .. len]) truncated to 96 bits, so the payload is
// never copied.
//
// Security association record (caller memory, stride AH_SA_SIZE, 8-byte aligned; fields host order):
//    0 spi u32          the SPI, >= 256 (RFC 2402 §2.4: 1-255 reserved, 0 never sent)
//    4 alg u8           AH_ALG_HMAC_MD5_96 (1) or AH_ALG_HMAC_SHA1_96 (2)
//    5 window u8        anti-replay window, 32 or 64 packets
//    6 reserved u16     0
//    8 peer [16]        the peer's address (wire/addr.ts form): the lead's SA lookup key with the SPI
//   24 outSeq u32       last Sequence Number sent (0: none yet; the first packet carries 1)
//   28 inHighest u32    highest Sequence Number accepted (0: none yet)
//   32 inBitmap u64     bit i set: Sequence Number inHighest - i was accepted (bit 0 = inHighest)
//   40 keyCtx [40]      prepared HMAC key: crypto/hmac.ts (32 bytes) or crypto/hmac-sha1.ts (40 bytes)
//   80                  AH_SA_SIZE
//
// Why anti-replay is always on for inbound (window 0 refused): RFC 2402 §3.4.3 lets a receiver turn it
// off, and RFC 4302 §3.3.2 notes a manually keyed sender may not monitor its counter; but an AH that
// accepts replays lets anyone who recorded one authenticated packet (a binding update, a registration)
// play it back forever. The cost of keeping it on with manual keys: a peer that restarts its counter at
// 1 without a new key is refused as a replay until the SA is re-keyed (new SPI/key) — which is exactly
// what RFC 2402 §3.3.2 asks for before the counter would repeat.

import { hmacMd5Prepare, hmacMd5WithPrepared, HMAC_KEY_CTX_SIZE } from "../crypto/hmac";
import { hmacSha1Prepare, hmacSha1WithPrepared, HMAC_SHA1_KEY_CTX_SIZE } from "../crypto/hmac-sha1";
import { ctEqual } from "../crypto/ct";
import { AH_HEADER_LEN, AH_ICV, AH_ICV_LEN, AhErr, ahCheck, ahLen, ahSeq, ahSetSeq, ahSpi } from "../wire/ah";
import {
  IPV6_HEADER_LEN, IP6_DST, IP6_HOP_LIMIT, IP6_NEXT_HEADER, IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_HOPOPTS,
  IPPROTO_ROUTING, IP6OPT_PAD1, RH_ADDRS, RH_LEN, RH_SEGMENTS_LEFT, RH_TYPE, RH_TYPE0, ip6OptMayChange,
  ipv6PayloadLen,
} from "../wire/ipv6";

export const AH_ALG_HMAC_MD5_96: u8 = 1;
export const AH_ALG_HMAC_SHA1_96: u8 = 2;

export const AH_SA_SPI: usize = 0;
export const AH_SA_ALG: usize = 4;
export const AH_SA_WINDOW: usize = 5;
export const AH_SA_PEER: usize = 8;
export const AH_SA_OUT_SEQ: usize = 24;
export const AH_SA_IN_HIGHEST: usize = 28;
export const AH_SA_IN_BITMAP: usize = 32;
export const AH_SA_KEY_CTX: usize = 40;
/** Bytes of prepared key context an SA reserves: the larger of the two algorithms'. */
export const AH_SA_KEY_CTX_SIZE: usize = HMAC_SHA1_KEY_CTX_SIZE > HMAC_KEY_CTX_SIZE ? HMAC_SHA1_KEY_CTX_SIZE : HMAC_KEY_CTX_SIZE;
/** Stride of one SA record. */
export const AH_SA_SIZE: i32 = 80;

/** Result of `ahVerify`. */
export const enum AhVerify {
  OK = 0,
  /** The ICV does not match: discard (RFC 2402 §3.4.4), an auditable event. */
  BAD_ICV = 1,
  /** Sequence Number 0, a duplicate, or left of the window (RFC 2402 §3.4.3): discard. */
  REPLAY = 2,
  /** Not a packet this code can check: lengths, AH header, SPI other than the SA's, a header before
   *  AH it cannot predict (see ahIcvInput): discard. */
  MALFORMED = 3
}

const mac: usize = memory.data(20, 8);

/**
 * Fill the SA record at `sa` (AH_SA_SIZE bytes): `spi`, the 16-byte `peer`, algorithm `alg`, the
 * `keyLen`-byte `key` (prepared, not kept), anti-replay `window`; counters zero. Returns false, leaving
 * the record unusable, for an unknown algorithm, a key of the wrong length, a window other than 32/64
 * or an SPI below 256.
 */
export function ahSaInit(sa: usize, spi: u32, peer: usize, alg: u8, key: usize, keyLen: i32, window: u8): bool {
  memory.fill(sa, 0, <usize>AH_SA_SIZE);
  // Why: RFC 2402 §2.4: SPI 1-255 are reserved by IANA and 0 is for local use, never sent.
  if (spi < 256) return false;
  // Why: RFC 2402 §3.4.3: a window of at least 32 MUST be supported, 64 SHOULD be the default; the
  // bitmap is one u64, so 64 is the most. Off (0) is refused: see the header comment.
  if (window != 32 && window != 64) return false;
  if (alg == AH_ALG_HMAC_MD5_96) {
    // Why: RFC 2403 §3: only 128-bit keys are used by HMAC-MD5-96.
    if (keyLen != 16) return false;
    hmacMd5Prepare(sa + AH_SA_KEY_CTX, key, keyLen);
  } else if (alg == AH_ALG_HMAC_SHA1_96) {
    // Why: RFC 2404 §3: only 160-bit keys are used by HMAC-SHA1-96.
    if (keyLen != 20) return false;
    hmacSha1Prepare(sa + AH_SA_KEY_CTX, key, keyLen);
  } else {
    return false;
  }
  store<u32>(sa, spi, AH_SA_SPI);
  store<u8>(sa, alg, AH_SA_ALG);
  store<u8>(sa, window, AH_SA_WINDOW);
  memory.copy(sa + AH_SA_PEER, peer, 16);
  return true;
}

// ---- anti-replay window (RFC 2401 appendix C) -------------------------------------------------------

/**
 * True when Sequence Number `seq` may be new for the SA at `sa`: not 0, and either right of the window
 * or inside it and not yet seen. Changes nothing (the window moves only after the ICV verified).
 */
export function replayWindowCheck(sa: usize, seq: u32): bool {
  // Why: RFC 2401 appendix C: "first == 0 is illegal" — the sender starts at 1 (RFC 2402 §3.3.2).
  if (seq == 0) return false;
  const top = load<u32>(sa, AH_SA_IN_HIGHEST);
  if (seq > top) return true;
  // Why: RFC 2402 §3.4.3: the left edge is top - window + 1; anything older is rejected.
  const diff = top - seq;
  if (diff >= <u32>load<u8>(sa, AH_SA_WINDOW)) return false;
  return (load<u64>(sa, AH_SA_IN_BITMAP) & (<u64>1 << <u64>diff)) == 0;
}

/** Record `seq` (which passed replayWindowCheck and whose packet's ICV verified) as received. */
export function replayWindowUpdate(sa: usize, seq: u32): void {
  const top = load<u32>(sa, AH_SA_IN_HIGHEST);
  const window = <u32>load<u8>(sa, AH_SA_WINDOW);
  const mask: u64 = window >= 64 ? <u64>-1 : (<u64>1 << <u64>window) - 1;
  let bits = load<u64>(sa, AH_SA_IN_BITMAP);
  if (seq > top) {
    // Why: RFC 2401 appendix C: a larger number slides the window right by the difference.
    const shift = seq - top;
    bits = shift >= 64 ? 1 : (bits << <u64>shift) | 1;
    store<u32>(sa, seq, AH_SA_IN_HIGHEST);
  } else {
    const diff = top - seq;
    if (diff >= window) return;
    bits |= <u64>1 << <u64>diff;
  }
  store<u64>(sa, bits & mask, AH_SA_IN_BITMAP);
}

// ---- the ICV input (RFC 2402 §3.3.3.1.2) -----------------------------------------------------------

/** Zero the data of the options with the may-change bit in the options header at `q` (`hl` bytes, copied
 *  in scratch); false when an option runs past the header. */
function zeroMutableOptions(q: usize, hl: i32): bool {
  let i = 2;
  while (i < hl) {
    const t = load<u8>(q + <usize>i);
    if (t == IP6OPT_PAD1) { i++; continue; }
    if (i + 2 > hl) return false;
    const dl = <i32>load<u8>(q + <usize>i, 1);
    if (i + 2 + dl > hl) return false;
    // Why: RFC 2402 §3.3.3.1.2.1, RFC 2460 §4.2: the Option Data of an option whose type has the
    // third-highest bit set may change en route, so it counts as zeros; type and length stay.
    if (ip6OptMayChange(t)) memory.fill(q + <usize>(i + 2), 0, <usize>dl);
    i += 2 + dl;
  }
  return true;
}

/**
 * Write into `scratch` (capacity `scratchCap`) the image of [pkt, pkt + ahOff + 24) with the mutable
 * fields as RFC 2402 §3.3.3.1.2 and appendix A say, for computing or checking the ICV: Traffic Class,
 * Flow Label and Hop Limit zeroed (version kept); in Hop-by-Hop / Destination Options headers before AH
 * the data of may-change options zeroed; a type 0 Routing header and the destination address as they
 * will be at the final destination (Segments Left 0); the AH's ICV zeroed. Reads only [pkt, pkt + len),
 * writes only [scratch, scratch + image length). Returns the image length (ahOff + 24), or -1: `len` is
 * not 40 + Payload Length, the image does not fit, a header is malformed or cut, the chain does not reach
 * an AH at `ahOff`, or a header before AH is not Hop-by-Hop / Destination Options / Routing type 0.
 */
export function ahIcvInput(pkt: usize, len: i32, ahOff: i32, scratch: usize, scratchCap: i32): i32 {
  if (len < IPV6_HEADER_LEN || (load<u8>(pkt) >> 4) != 6) return -1;
  if (IPV6_HEADER_LEN + <i32>ipv6PayloadLen(pkt) != len) return -1;
  if (ahOff < IPV6_HEADER_LEN || ahOff > len - AH_HEADER_LEN) return -1;
  const h = pkt + <usize>ahOff;
  if (ahCheck(h, len - ahOff) != AhErr.OK) return -1;
  const img = ahOff + ahLen(h);
  if (img > scratchCap) return -1;
  memory.copy(scratch, pkt, <usize>img);
  // Why: RFC 2402 §3.3.3.1.2.1: Version is immutable; Class and Flow Label are mutable (zeroed); Hop
  // Limit is mutable (zeroed); Payload Length, Next Header and the addresses are immutable (the
  // destination is mutable but predictable: see the Routing header below).
  store<u32>(scratch, load<u32>(scratch) & 0xf0); // the first word: Version kept, Class and Flow Label zeroed
  store<u8>(scratch, 0, IP6_HOP_LIMIT);
  let nh = load<u8>(pkt, IP6_NEXT_HEADER);
  let o = IPV6_HEADER_LEN;
  while (o < ahOff) {
    if (o + 2 > ahOff) return -1;
    const q = scratch + <usize>o;
    // Why (size): the options headers and the Routing header give their length alike (RH_LEN is the
    // second octet too), so it is read and bounded once.
    const l = <i32>load<u8>(q, RH_LEN);
    const hl = (l + 1) << 3;
    if (o + hl > ahOff) return -1;
    if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_DSTOPTS) {
      // Why: RFC 2460 §4.1: Hop-by-Hop Options only directly after the fixed header.
      if (nh == IPPROTO_HOPOPTS && o != IPV6_HEADER_LEN) return -1;
      if (!zeroMutableOptions(q, hl)) return -1;
    } else if (nh == IPPROTO_ROUTING) {
      // Why: RFC 2402 appendix A: a type 0 Routing header is mutable but predictable; other types (and
      // their processing) are not known here, so their final form cannot be predicted.
      if (load<u8>(q, RH_TYPE) != RH_TYPE0) return -1;
      const n = l >> 1;
      const left = <i32>load<u8>(q, RH_SEGMENTS_LEFT);
      // Why: RFC 2460 §4.4: an odd Hdr Ext Len or Segments Left above the number of addresses is
      // malformed (the node would answer Parameter Problem).
      if ((l & 1) != 0 || left > n) return -1;
      // Why: RFC 2402 §3.3.3.1.2.2 / appendix A: the sender orders the header and the destination as they
      // will appear at the final destination: each remaining hop (RFC 2460 §4.4) swaps the destination
      // with address n - Segments Left and decrements Segments Left. At the final destination (left 0)
      // this changes nothing.
      const dst = scratch + IP6_DST;
      for (let k = n - left; k < n; k++) {
        const a = q + RH_ADDRS + <usize>(k << 4);
        const a0 = load<u64>(a), a1 = load<u64>(a, 8);
        store<u64>(a, load<u64>(dst));
        store<u64>(a, load<u64>(dst, 8), 8);
        store<u64>(dst, a0);
        store<u64>(dst, a1, 8);
      }
      store<u8>(q, 0, RH_SEGMENTS_LEFT);
    } else {
      // Why: RFC 2460 §4.1: only Hop-by-Hop, Destination Options and Routing come before AH in a packet
      // this code checks; a Fragment header is gone after reassembly, which precedes AH processing
      // (RFC 2402 §3.4.1), and an AH or ESP before this AH is processed first by the caller.
      return -1;
    }
    o += hl;
    nh = load<u8>(q);
  }
  if (o != ahOff || nh != IPPROTO_AH) return -1;
  // Why: RFC 2402 §3.3.3.1: the Authentication Data is zeroed for the computation; Next Header, Payload
  // Len, Reserved, SPI and Sequence Number are included as they are (§2.3: Reserved too).
  memory.fill(scratch + <usize>ahOff + AH_ICV, 0, <usize>AH_ICV_LEN);
  return img;
}

/** HMAC of scratch[0..img] ‖ pkt[img..len] under the SA's key into `mac` (20 bytes). */
function computeIcv(sa: usize, pkt: usize, len: i32, scratch: usize, img: i32): void {
  const kc = sa + AH_SA_KEY_CTX;
  if (load<u8>(sa, AH_SA_ALG) == AH_ALG_HMAC_MD5_96) {
    hmacMd5WithPrepared(kc, scratch, img, pkt + <usize>img, len - img, mac);
  } else {
    hmacSha1WithPrepared(kc, scratch, img, pkt + <usize>img, len - img, mac);
  }
}

/** The ICV input of the packet at `pkt` (ahIcvInput) whose AH at `ahOff` carries the SA's SPI: the image
 *  length, or -1. Why (size): the check ahVerify and ahSeal share. */
function icvInputFor(sa: usize, pkt: usize, len: i32, ahOff: i32, scratch: usize, cap: i32): i32 {
  const img = ahIcvInput(pkt, len, ahOff, scratch, cap);
  if (img < 0 || ahSpi(pkt + <usize>ahOff) != load<u32>(sa, AH_SA_SPI)) return -1;
  return img;
}

/**
 * Check the inbound packet at `pkt` (`len` bytes, AH at `ahOff`) under the SA at `sa` (found by the
 * caller from the AH's SPI and the destination), with `scratch` (capacity `cap`, at least ahOff + 24)
 * for the ICV input. On OK the Sequence Number is recorded in the replay window; on any other result
 * the SA is unchanged. The packet is never written.
 */
export function ahVerify(sa: usize, pkt: usize, len: i32, ahOff: i32, scratch: usize, cap: i32): i32 {
  const img = icvInputFor(sa, pkt, len, ahOff, scratch, cap);
  if (img < 0) return AhVerify.MALFORMED;
  const h = pkt + <usize>ahOff;
  const seq = ahSeq(h);
  // Why: RFC 2402 §3.4.3: the duplicate / window check comes first (cheap, discards floods of replays
  // without an HMAC) ...
  if (!replayWindowCheck(sa, seq)) return AhVerify.REPLAY;
  computeIcv(sa, pkt, len, scratch, img);
  // Why: RFC 2402 §3.4.4: the truncated ICV is compared with the received one; ctEqual takes the same
  // time wherever they differ (crypto/ct.ts).
  const ok = ctEqual(mac, h + AH_ICV, AH_ICV_LEN);
  memory.fill(mac, 0, 20);
  if (!ok) return AhVerify.BAD_ICV;
  // Why: ... and the window moves only after the ICV verified (RFC 2402 §3.4.3, RFC 2401 appendix C),
  // so a forged packet cannot advance it and lock out the genuine ones.
  replayWindowUpdate(sa, seq);
  return AhVerify.OK;
}

/**
 * Complete the outbound packet at `pkt` (`len` bytes, its Payload Length final, the AH header written by
 * ahEmit with the SA's SPI at `ahOff`): Sequence Number = the SA's counter + 1, then the ICV. `scratch`
 * as for ahVerify. Returns false, sending nothing new (the counter unchanged), when the counter would
 * wrap, the SPI is not the SA's, or ahIcvInput refuses the packet.
 */
export function ahSeal(sa: usize, pkt: usize, len: i32, ahOff: i32, scratch: usize, cap: i32): bool {
  const out = load<u32>(sa, AH_SA_OUT_SEQ);
  // Why: RFC 2402 §3.3.2: the counter MUST NOT cycle; a new SA (new key) is needed before the 2^32nd
  // packet. The caller re-keys; until then nothing is sent.
  if (out == 0xffffffff) return false;
  const img = icvInputFor(sa, pkt, len, ahOff, scratch, cap);
  if (img < 0) return false;
  // Why: RFC 2402 §3.3.2: the first packet carries 1; the Sequence Number is covered by the ICV, so it
  // goes into the packet and into the ICV input image (taken with the old one) before the ICV.
  const h = pkt + <usize>ahOff;
  ahSetSeq(h, out + 1);
  ahSetSeq(scratch + <usize>ahOff, out + 1);
  computeIcv(sa, pkt, len, scratch, img);
  // Why: RFC 2403 §2 / RFC 2404 §2: HMAC-xxx-96 sends the leftmost 96 bits.
  memory.copy(h + AH_ICV, mac, <usize>AH_ICV_LEN);
  memory.fill(mac, 0, 20);
  store<u32>(sa, out + 1, AH_SA_OUT_SEQ);
  return true;
}
