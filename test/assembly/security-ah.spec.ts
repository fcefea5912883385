// IPsec AH for IPv6 (RFC 2402) with HMAC-MD5-96 (RFC 2403) and HMAC-SHA1-96 (RFC 2404): packets built
// and signed by scapy 2.5.0 (an independent implementation; script in test/vectors/ah-vectors.py) are
// accepted by ahVerify, and ahSeal on the same packets (ICV zeroed, same sequence) reproduces scapy's
// ICV byte for byte; nonzero Traffic Class / Flow Label / Hop Limit, a mutable destination option, and a
// type 0 routing header as sent (Segments Left 2) and as received at the final destination. Every
// truncated length; one flipped bit in the immutable part → BAD_ICV; in a mutable field → still OK;
// the anti-replay window (RFC 2401 appendix C) at its 32 and 64 edges, moved only by verified packets.
import {
  AhVerify, AH_ALG_HMAC_MD5_96, AH_ALG_HMAC_SHA1_96, AH_SA_SIZE, AH_SA_OUT_SEQ, AH_SA_IN_HIGHEST,
  AH_SA_IN_BITMAP, AH_SA_SPI, AH_SA_ALG, AH_SA_WINDOW, AH_SA_PEER, AH_SA_KEY_CTX, AH_SA_KEY_CTX_SIZE,
  ahSaInit, ahIcvInput, ahVerify, ahSeal, replayWindowCheck, replayWindowUpdate,
} from "../../assembly/security/ah";
import { ahSeq, ahSetSeq, AH_ICV } from "../../assembly/wire/ah";
import { HMAC_KEY_CTX_SIZE } from "../../assembly/crypto/hmac";
import { HMAC_SHA1_KEY_CTX_SIZE } from "../../assembly/crypto/hmac-sha1";
import { hex, dup, hexOf } from "./helpers";

// ---- scapy's packets (test/vectors/ah-vectors.py) ----
// src 2001:db8::1, dst 2001:db8:1::2, tc 0xb8, fl 0x12345, hlim 64; UDP 1234 → 434; SPI 0x1000, seq 1.
const SHA1_UDP = "6b8123450035334020010db800000000000000000000000120010db80001000000000000000000021104000000001000000000011fcbe549c91c9f44b194f4f304d201b2001d504a6d697066772041482074657374207061796c6f6164";
// tc 0x2e, fl 0xfedcb, hlim 255; UDP 5000 → 6000; SPI 0x2000, seq 7.
const MD5_UDP = "62efedcb002a33ff20010db800000000000000000000000120010db800010000000000000000000211040000000020000000000782e7186ebcf79c0a148db4f8138817700012b0bb68656c6c6f2c206d6435";
// Hop-by-Hop (Router Alert, PadN) @40, Destination Options @48 with option 0x3e (may change) data
// aabbccdd @52 and option 0x1e (immutable) data 112233445566 @58, AH @64; SPI 0x1000, seq 0x1234.
const SHA1_OPTS = "6b812345003c004020010db800000000000000000000000120010db80001000000000000000000023c0005020000010033013e04aabbccdd1e06112233445566110400000000100000001234f6e982cc507f8dc66ed5c9af00070007000cc06e6f707473";
// Type 0 routing header @40 (2 addresses, Segments Left 2) as the source sends it, AH @80; SPI 0x2000, seq 3.
const MD5_RH0 = "60100001004b2b0920010db800000000000000000000000120010db800020000000000000000000a330400020000000020010db800020000000000000000000b20010db80001000000000000000000021104000000002000000000039a5bff35dccf2c4056012d4c00090009000b01e8726830";
// The same packet as the final destination receives it (both hops' swaps done, Segments Left 0).
const MD5_RH0_FINAL = "60100001004b2b0920010db800000000000000000000000120010db8000100000000000000000002330400000000000020010db800020000000000000000000a20010db800020000000000000000000b1104000000002000000000039a5bff35dccf2c4056012d4c00090009000b01e8726830";

const MD5_KEY = "0102030405060708090a0b0c0d0e0f10";
const SHA1_KEY = "2122232425262728292a2b2c2d2e2f3031323334";
const PEER = "20010db8000000000000000000000001";

const CAP: i32 = 256;
const scratch = heap.alloc(<usize>CAP);

function plen(s: string): i32 { return s.length >> 1; }

function newSa(alg: u8, spi: u32, window: u8): usize {
  const sa = heap.alloc(<usize>AH_SA_SIZE);
  const ok = alg == AH_ALG_HMAC_MD5_96
    ? ahSaInit(sa, spi, hex(PEER), alg, hex(MD5_KEY), 16, window)
    : ahSaInit(sa, spi, hex(PEER), alg, hex(SHA1_KEY), 20, window);
  expect<bool>(ok).toBe(true);
  return sa;
}
function sha1Sa(): usize { return newSa(AH_ALG_HMAC_SHA1_96, 0x1000, 64); }
function md5Sa(): usize { return newSa(AH_ALG_HMAC_MD5_96, 0x2000, 64); }
function highest(sa: usize): u32 { return load<u32>(sa, AH_SA_IN_HIGHEST); }

class Vec {
  constructor(public name: string, public bytes: string, public ahOff: i32, public alg: u8, public spi: u32, public seq: u32) {}
}
function vectors(): Vec[] {
  return [
    new Vec("SHA1_UDP", SHA1_UDP, 40, AH_ALG_HMAC_SHA1_96, 0x1000, 1),
    new Vec("MD5_UDP", MD5_UDP, 40, AH_ALG_HMAC_MD5_96, 0x2000, 7),
    new Vec("SHA1_OPTS", SHA1_OPTS, 64, AH_ALG_HMAC_SHA1_96, 0x1000, 0x1234),
    new Vec("MD5_RH0", MD5_RH0, 80, AH_ALG_HMAC_MD5_96, 0x2000, 3),
    new Vec("MD5_RH0_FINAL", MD5_RH0_FINAL, 80, AH_ALG_HMAC_MD5_96, 0x2000, 3),
  ];
}

describe("SA record", () => {
  it("has room for the larger prepared key context, inside the stride", () => {
    expect<usize>(AH_SA_KEY_CTX_SIZE).toBe(max(HMAC_KEY_CTX_SIZE, HMAC_SHA1_KEY_CTX_SIZE));
    expect<bool>(AH_SA_KEY_CTX + AH_SA_KEY_CTX_SIZE <= <usize>AH_SA_SIZE).toBe(true);
    expect<i32>(AH_SA_SIZE & 7).toBe(0);
  });
  it("ahSaInit stores SPI, algorithm, window and peer, counters zero", () => {
    const sa = sha1Sa();
    expect<u32>(load<u32>(sa, AH_SA_SPI)).toBe(0x1000);
    expect<u8>(load<u8>(sa, AH_SA_ALG)).toBe(AH_ALG_HMAC_SHA1_96);
    expect<u8>(load<u8>(sa, AH_SA_WINDOW)).toBe(64);
    expect<string>(hexOf(sa + AH_SA_PEER, 16)).toStrictEqual(PEER);
    expect<u32>(load<u32>(sa, AH_SA_OUT_SEQ)).toBe(0);
    expect<u32>(highest(sa)).toBe(0);
    expect<u64>(load<u64>(sa, AH_SA_IN_BITMAP)).toBe(0);
  });
  it("ahSaInit refuses unknown algorithms, wrong key lengths (RFC 2403/2404 §3), windows other than 32/64, SPI < 256", () => {
    const sa = heap.alloc(<usize>AH_SA_SIZE);
    const k = hex(SHA1_KEY), p = hex(PEER);
    expect<bool>(ahSaInit(sa, 0x1000, p, 0, k, 16, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, 3, k, 16, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_MD5_96, k, 15, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_MD5_96, k, 20, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_SHA1_96, k, 16, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_SHA1_96, k, 21, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_SHA1_96, k, 20, 0)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_SHA1_96, k, 20, 16)).toBe(false);
    expect<bool>(ahSaInit(sa, 0x1000, p, AH_ALG_HMAC_SHA1_96, k, 20, 128)).toBe(false);
    expect<bool>(ahSaInit(sa, 255, p, AH_ALG_HMAC_SHA1_96, k, 20, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 0, p, AH_ALG_HMAC_SHA1_96, k, 20, 64)).toBe(false);
    expect<bool>(ahSaInit(sa, 256, p, AH_ALG_HMAC_SHA1_96, k, 20, 32)).toBe(true);
    expect<bool>(ahSaInit(sa, 0xffffffff, p, AH_ALG_HMAC_MD5_96, hex(MD5_KEY), 16, 64)).toBe(true);
  });
});

describe("scapy's packets", () => {
  it("are accepted by ahVerify, which records the sequence number", () => {
    const v = vectors();
    for (let i = 0; i < v.length; i++) {
      const sa = newSa(v[i].alg, v[i].spi, 64);
      const p = hex(v[i].bytes);
      expect<i32>(ahVerify(sa, p, plen(v[i].bytes), v[i].ahOff, scratch, CAP)).toBe(AhVerify.OK, v[i].name);
      expect<u32>(highest(sa)).toBe(v[i].seq, v[i].name);
      expect<string>(hexOf(p, plen(v[i].bytes))).toStrictEqual(v[i].bytes, v[i].name + " not written");
    }
  });
  it("are reproduced byte for byte by ahSeal from the ICV zeroed and the counter one below", () => {
    const v = vectors();
    for (let i = 0; i < v.length; i++) {
      const sa = newSa(v[i].alg, v[i].spi, 64);
      const n = plen(v[i].bytes);
      const p = hex(v[i].bytes);
      memory.fill(p + <usize>v[i].ahOff + AH_ICV, 0, 12);
      ahSetSeq(p + <usize>v[i].ahOff, 0xdeadbeef); // overwritten by the SA's counter
      store<u32>(sa, v[i].seq - 1, AH_SA_OUT_SEQ);
      expect<bool>(ahSeal(sa, p, n, v[i].ahOff, scratch, CAP)).toBe(true, v[i].name);
      expect<string>(hexOf(p, n)).toStrictEqual(v[i].bytes, v[i].name);
      expect<u32>(load<u32>(sa, AH_SA_OUT_SEQ)).toBe(v[i].seq, v[i].name);
    }
  });
  it("are refused under the other algorithm with the same SPI (BAD_ICV)", () => {
    const sa = newSa(AH_ALG_HMAC_SHA1_96, 0x2000, 64);
    expect<i32>(ahVerify(sa, hex(MD5_UDP), plen(MD5_UDP), 40, scratch, CAP)).toBe(AhVerify.BAD_ICV);
    expect<u32>(highest(sa)).toBe(0);
  });
  it("are refused under another SA's SPI (MALFORMED)", () => {
    const sa = newSa(AH_ALG_HMAC_SHA1_96, 0x1001, 64);
    expect<i32>(ahVerify(sa, hex(SHA1_UDP), plen(SHA1_UDP), 40, scratch, CAP)).toBe(AhVerify.MALFORMED);
  });
});

describe("ahIcvInput", () => {
  it("zeroes Traffic Class, Flow Label, Hop Limit, the may-change option's data and the ICV, nothing else", () => {
    const n = plen(SHA1_OPTS);
    const p = hex(SHA1_OPTS);
    memory.fill(scratch, 0xa5, <usize>CAP);
    expect<i32>(ahIcvInput(p, n, 64, scratch, CAP)).toBe(88);
    expect<string>(hexOf(scratch, 89)).toStrictEqual(
      "60000000003c0000" + "20010db8000000000000000000000001" + "20010db8000100000000000000000002" +
      "3c00050200000100" + "33013e04000000001e06112233445566" +
      "110400000000100000001234" + "000000000000000000000000" + "a5");
  });
  it("orders a type 0 routing header as at the final destination: the as-sent and as-received images agree", () => {
    const a = hex(MD5_RH0), b = hex(MD5_RH0_FINAL);
    const n = plen(MD5_RH0);
    const s2 = heap.alloc(<usize>CAP);
    expect<i32>(ahIcvInput(a, n, 80, scratch, CAP)).toBe(104);
    expect<i32>(ahIcvInput(b, n, 80, s2, CAP)).toBe(104);
    expect<string>(hexOf(scratch, 104)).toStrictEqual(hexOf(s2, 104));
    // destination = last address, addresses = [first hop, second hop], Segments Left 0
    expect<string>(hexOf(scratch + 24, 16)).toStrictEqual("20010db8000100000000000000000002");
    expect<string>(hexOf(scratch + 40, 8)).toStrictEqual("3304000000000000");
    expect<string>(hexOf(scratch + 48, 32)).toStrictEqual("20010db800020000000000000000000a20010db800020000000000000000000b");
  });
  it("handles a routing header halfway (Segments Left 1) the same way", () => {
    // After the first hop: dst = 2nd hop (::b), addresses [::a (first hop), final], Segments Left 1.
    const half = MD5_RH0_FINAL.substr(0, 48) + "20010db800020000000000000000000b" + "3304000100000000" +
      "20010db800020000000000000000000a" + "20010db8000100000000000000000002" + MD5_RH0_FINAL.substr(160);
    const p = hex(half);
    const sa = md5Sa();
    expect<i32>(ahVerify(sa, p, plen(MD5_RH0), 80, scratch, CAP)).toBe(AhVerify.OK);
  });
  it("refuses what it cannot image (-1)", () => {
    const n = plen(SHA1_UDP);
    const p = hex(SHA1_UDP);
    expect<i32>(ahIcvInput(p, n, 40, scratch, 63)).toBe(-1);            // scratch too small
    expect<i32>(ahIcvInput(p, n, 40, scratch, 64)).toBe(64);
    expect<i32>(ahIcvInput(p, n, 48, scratch, CAP)).toBe(-1);           // no AH there
    expect<i32>(ahIcvInput(p, n, 39, scratch, CAP)).toBe(-1);
    expect<i32>(ahIcvInput(p, n - 1, 40, scratch, CAP)).toBe(-1);       // len != 40 + Payload Length
    expect<i32>(ahIcvInput(p, n + 1, 40, scratch, CAP)).toBe(-1);
    store<u8>(p, 0x4b);                                                 // version 4
    expect<i32>(ahIcvInput(p, n, 40, scratch, CAP)).toBe(-1);
    // routing type 2 (not predicted here) and a Fragment header before AH
    const r = hex(MD5_RH0);
    store<u8>(r, 2, 42);
    expect<i32>(ahIcvInput(r, plen(MD5_RH0), 80, scratch, CAP)).toBe(-1);
    const f = hex(MD5_RH0);
    store<u8>(f, 44, 6);
    expect<i32>(ahIcvInput(f, plen(MD5_RH0), 80, scratch, CAP)).toBe(-1);
    // Segments Left above the number of addresses; odd Hdr Ext Len
    const s = hex(MD5_RH0);
    store<u8>(s, 3, 43);
    expect<i32>(ahIcvInput(s, plen(MD5_RH0), 80, scratch, CAP)).toBe(-1);
    // an option running past its header
    const o = hex(SHA1_OPTS);
    store<u8>(o, 0x0c, 57); // 0x1e's length 6 → 12
    expect<i32>(ahIcvInput(o, plen(SHA1_OPTS), 64, scratch, CAP)).toBe(-1);
    // Hop-by-Hop not first
    const h = hex(SHA1_OPTS);
    store<u8>(h, 0, 40); // HBH's Next Header names another HBH where the Destination Options header is
    expect<i32>(ahIcvInput(h, plen(SHA1_OPTS), 64, scratch, CAP)).toBe(-1);
  });
});

/** Octets before AH that give the chain its shape: Next Header / length of each extension header, option
 *  type / length octets, routing type / Segments Left. */
function chainOctet(name: string, i: i32): bool {
  if (name == "SHA1_OPTS") return i == 40 || i == 41 || i == 42 || i == 43 || i == 46 || i == 47 ||
    i == 48 || i == 49 || i == 50 || i == 51 || i == 56 || i == 57;
  if (name == "MD5_RH0" || name == "MD5_RH0_FINAL") return i >= 40 && i < 44;
  return false;
}

describe("ahVerify on damaged packets", () => {
  it("refuses every truncated length (Payload Length kept, or adjusted) and leaves the window", () => {
    const v = vectors();
    for (let k = 0; k < v.length; k++) {
      const full = plen(v[k].bytes);
      const sa = newSa(v[k].alg, v[k].spi, 64);
      for (let n = 0; n < full; n++) {
        const p = hex(v[k].bytes);
        expect<i32>(ahVerify(sa, p, n, v[k].ahOff, scratch, CAP)).toBe(AhVerify.MALFORMED, v[k].name + " len " + n.toString());
        if (n >= 40) {
          store<u16>(p, bswap<u16>(<u16>(n - 40)), 4);
          const r = ahVerify(sa, p, n, v[k].ahOff, scratch, CAP);
          expect<i32>(r).toBe(n >= v[k].ahOff + 24 ? AhVerify.BAD_ICV : AhVerify.MALFORMED, v[k].name + " cut to " + n.toString());
        }
      }
      expect<u32>(highest(sa)).toBe(0);
      expect<i32>(ahVerify(sa, hex(v[k].bytes), full, v[k].ahOff, scratch, CAP)).toBe(AhVerify.OK);
    }
  });
  it("refuses one flipped bit anywhere in the immutable part (BAD_ICV), accepts one in TC / Flow Label / Hop Limit / may-change option data", () => {
    const v = vectors();
    for (let k = 0; k < v.length; k++) {
      const n = plen(v[k].bytes);
      const sa = newSa(v[k].alg, v[k].spi, 64);
      const ah = v[k].ahOff;
      const mutableOpt = v[k].name == "SHA1_OPTS";
      for (let i = 0; i < n; i++) {
        for (let b = 0; b < 8; b++) {
          const p = hex(v[k].bytes);
          store<u8>(p + <usize>i, <u8>(<i32>load<u8>(p + <usize>i) ^ (1 << b)));
          const mutable = (i == 0 && b < 4) || i == 1 || i == 2 || i == 3 || i == 7 || (mutableOpt && i >= 52 && i < 56);
          // Fields whose damage makes the packet unreadable or not this SA's rather than forged:
          // (version, Payload Length, Next Header octets, header and option type/length octets, routing
          // type and Segments Left, AH Payload Len and SPI): any result but OK.
          const structural = (i == 0 && b >= 4) || i == 4 || i == 5 || i == 6 || i == ah || i == ah + 1 ||
            (i >= ah + 4 && i < ah + 8) || chainOctet(v[k].name, i);
          const r = ahVerify(sa, p, n, ah, scratch, CAP);
          const what = v[k].name + " byte " + i.toString() + " bit " + b.toString();
          if (mutable) {
            expect<i32>(r).toBe(AhVerify.OK, what);
            // accepted once: reset the window for the next flip
            store<u32>(sa, 0, AH_SA_IN_HIGHEST);
            store<u64>(sa, 0, AH_SA_IN_BITMAP);
          } else if (structural) {
            expect<bool>(r != AhVerify.OK).toBe(true, what);
          } else if (i >= ah + 8 && i < ah + 12 && ahSeq(p + <usize>ah) == 0) {
            expect<i32>(r).toBe(AhVerify.REPLAY, what); // sequence 1 → 0
          } else {
            expect<i32>(r).toBe(AhVerify.BAD_ICV, what);
          }
          if (!mutable) expect<u32>(highest(sa)).toBe(0, what);
        }
      }
    }
  });
});

describe("anti-replay window (RFC 2401 appendix C, RFC 2402 §3.4.3)", () => {
  it("never accepts sequence 0", () => {
    const sa = sha1Sa();
    expect<bool>(replayWindowCheck(sa, 0)).toBe(false);
    replayWindowUpdate(sa, 5);
    expect<bool>(replayWindowCheck(sa, 0)).toBe(false);
  });
  it("window 64: left edge = highest - 63", () => {
    const sa = newSa(AH_ALG_HMAC_SHA1_96, 0x1000, 64);
    replayWindowUpdate(sa, 100);
    expect<bool>(replayWindowCheck(sa, 100)).toBe(false);
    expect<bool>(replayWindowCheck(sa, 101)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 0xffffffff)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 37)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 36)).toBe(false);
    replayWindowUpdate(sa, 37);
    expect<bool>(replayWindowCheck(sa, 37)).toBe(false);
    replayWindowUpdate(sa, 101); // slides by one: 37 falls out, 38 is the edge
    expect<bool>(replayWindowCheck(sa, 38)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 37)).toBe(false);
  });
  it("window 32: left edge = highest - 31", () => {
    const sa = newSa(AH_ALG_HMAC_SHA1_96, 0x1000, 32);
    replayWindowUpdate(sa, 100);
    expect<bool>(replayWindowCheck(sa, 69)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 68)).toBe(false);
    // every number 69..100 accepted once, then all refused
    for (let s: u32 = 69; s < 100; s++) { expect<bool>(replayWindowCheck(sa, s)).toBe(true); replayWindowUpdate(sa, s); }
    for (let s: u32 = 60; s <= 100; s++) expect<bool>(replayWindowCheck(sa, s)).toBe(false);
    expect<u64>(load<u64>(sa, AH_SA_IN_BITMAP)).toBe(0xffffffff); // bits above the window are not kept
  });
  it("jumps of 63, 64 and more than 64 keep only what is still in the window", () => {
    const sa = newSa(AH_ALG_HMAC_SHA1_96, 0x1000, 64);
    replayWindowUpdate(sa, 1);
    replayWindowUpdate(sa, 64); // 1 is the left edge now
    expect<bool>(replayWindowCheck(sa, 1)).toBe(false);
    expect<bool>(replayWindowCheck(sa, 2)).toBe(true);
    replayWindowUpdate(sa, 128); // shift 64: 64 falls out
    expect<bool>(replayWindowCheck(sa, 64)).toBe(false);
    expect<bool>(replayWindowCheck(sa, 65)).toBe(true);
    replayWindowUpdate(sa, 100000);
    expect<u64>(load<u64>(sa, AH_SA_IN_BITMAP)).toBe(1);
    expect<bool>(replayWindowCheck(sa, 100000 - 63)).toBe(true);
    expect<bool>(replayWindowCheck(sa, 100000 - 64)).toBe(false);
  });
});

/** A copy of SHA1_UDP sealed by `tx` with sequence `seq`. */
function sealed(tx: usize, seq: u32): usize {
  const p = hex(SHA1_UDP);
  store<u32>(tx, seq - 1, AH_SA_OUT_SEQ);
  expect<bool>(ahSeal(tx, p, plen(SHA1_UDP), 40, scratch, CAP)).toBe(true);
  return p;
}
function rx(sa: usize, p: usize): i32 { return ahVerify(sa, p, plen(SHA1_UDP), 40, scratch, CAP); }

describe("ahVerify with the window (packets sealed by ahSeal, which reproduces scapy)", () => {
  it("rejects a duplicate", () => {
    const tx = sha1Sa(), sa = sha1Sa();
    const p = sealed(tx, 1);
    expect<i32>(rx(sa, p)).toBe(AhVerify.OK);
    expect<i32>(rx(sa, p)).toBe(AhVerify.REPLAY);
  });
  it("accepts out of order inside the window once, refuses older than the window (64 and 32)", () => {
    const windows: u8[] = [64, 32];
    for (let w = 0; w < 2; w++) {
      const win = <u32>windows[w];
      const tx = sha1Sa(), sa = newSa(AH_ALG_HMAC_SHA1_96, 0x1000, windows[w]);
      expect<i32>(rx(sa, sealed(tx, 1000))).toBe(AhVerify.OK);
      expect<i32>(rx(sa, sealed(tx, 990))).toBe(AhVerify.OK);
      expect<i32>(rx(sa, sealed(tx, 990))).toBe(AhVerify.REPLAY);
      expect<i32>(rx(sa, sealed(tx, 1000 - win + 1))).toBe(AhVerify.OK);   // the left edge
      expect<i32>(rx(sa, sealed(tx, 1000 - win))).toBe(AhVerify.REPLAY);   // just left of it
      expect<i32>(rx(sa, sealed(tx, 1001))).toBe(AhVerify.OK);
      expect<i32>(rx(sa, sealed(tx, 1000 - win + 1))).toBe(AhVerify.REPLAY); // now outside
      expect<i32>(rx(sa, sealed(tx, 995))).toBe(AhVerify.OK);
      expect<i32>(rx(sa, sealed(tx, 995))).toBe(AhVerify.REPLAY);
    }
  });
  it("a forged packet with a good sequence number does not move the window", () => {
    const tx = sha1Sa(), sa = sha1Sa();
    expect<i32>(rx(sa, sealed(tx, 10))).toBe(AhVerify.OK);
    // far ahead: would push the genuine 11..73 out of a 64 window if it moved it
    const f = sealed(tx, 1000);
    store<u8>(f, load<u8>(f, 80) ^ 1, 80);
    expect<i32>(rx(sa, f)).toBe(AhVerify.BAD_ICV);
    expect<u32>(highest(sa)).toBe(10);
    const g = sealed(tx, 11);
    store<u8>(g, load<u8>(g, 24 + 64) ^ 0x80, 24 + 64); // the ICV itself
    expect<i32>(rx(sa, g)).toBe(AhVerify.BAD_ICV);
    expect<i32>(rx(sa, sealed(tx, 11))).toBe(AhVerify.OK); // the genuine 11 still gets in
    expect<i32>(rx(sa, sealed(tx, 12))).toBe(AhVerify.OK);
    expect<u32>(highest(sa)).toBe(12);
  });
});

describe("ahSeal", () => {
  it("numbers packets 1, 2, 3 from a fresh SA", () => {
    const tx = sha1Sa();
    for (let s: u32 = 1; s <= 3; s++) {
      const p = hex(SHA1_UDP);
      expect<bool>(ahSeal(tx, p, plen(SHA1_UDP), 40, scratch, CAP)).toBe(true);
      expect<u32>(ahSeq(p + 40)).toBe(s);
      if (s == 1) expect<string>(hexOf(p, plen(SHA1_UDP))).toStrictEqual(SHA1_UDP); // scapy's packet exactly
    }
  });
  it("refuses to wrap the counter (RFC 2402 §3.3.2): 0xffffffff is the last", () => {
    const tx = sha1Sa(), sa = sha1Sa();
    store<u32>(tx, 0xfffffffe, AH_SA_OUT_SEQ);
    const p = hex(SHA1_UDP);
    expect<bool>(ahSeal(tx, p, plen(SHA1_UDP), 40, scratch, CAP)).toBe(true);
    expect<u32>(ahSeq(p + 40)).toBe(0xffffffff);
    expect<i32>(ahVerify(sa, p, plen(SHA1_UDP), 40, scratch, CAP)).toBe(AhVerify.OK);
    const q = hex(SHA1_UDP);
    expect<bool>(ahSeal(tx, q, plen(SHA1_UDP), 40, scratch, CAP)).toBe(false);
    expect<u32>(load<u32>(tx, AH_SA_OUT_SEQ)).toBe(0xffffffff);
    expect<string>(hexOf(q, plen(SHA1_UDP))).toStrictEqual(SHA1_UDP); // untouched
  });
  it("refuses another SA's SPI, a bad AH offset or a short scratch without using a number", () => {
    const tx = newSa(AH_ALG_HMAC_SHA1_96, 0x1001, 64);
    expect<bool>(ahSeal(tx, hex(SHA1_UDP), plen(SHA1_UDP), 40, scratch, CAP)).toBe(false);
    const t2 = sha1Sa();
    expect<bool>(ahSeal(t2, hex(SHA1_UDP), plen(SHA1_UDP), 48, scratch, CAP)).toBe(false);
    expect<bool>(ahSeal(t2, hex(SHA1_UDP), plen(SHA1_UDP), -1, scratch, CAP)).toBe(false);
    expect<bool>(ahSeal(t2, hex(SHA1_UDP), plen(SHA1_UDP), 40, scratch, 63)).toBe(false);
    expect<u32>(load<u32>(t2, AH_SA_OUT_SEQ)).toBe(0);
  });
});
