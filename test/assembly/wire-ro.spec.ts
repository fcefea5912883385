// Route Optimization codecs (001, SPEC-DECISIONS "Route Optimization"): Binding Warning, Request,
// Update and Acknowledge; the Route Optimization Authentication, Previous Foreign Agent Notification
// and Binding Warning extensions; the S flag of the Mobility Agent Advertisement extension and the P
// bit of the Registration Request. Known-good bytes written by hand from the layouts, emit into
// 0xa5-filled buffers, emit → check → accessors, every truncated length, bad lengths, unknown
// extensions handled as mipext does, and keyed-MD5 known answers computed outside the firmware
// (Node's crypto: MD5(key ‖ covered bytes ‖ key)).
import {
  RoErr, RO_TYPE_BINDING_WARNING, RO_TYPE_BINDING_REQUEST, RO_TYPE_BINDING_UPDATE, RO_TYPE_BINDING_ACK,
  BW_HDR_LEN, BW_MIN_LEN, BR_LEN, BU_LEN, BU_LEN_ID, BA_LEN, RO_EMIT_NO_ROOM, RO_EMIT_BAD_ARG,
  BU_FLAG_A, BU_FLAG_I, BU_FLAG_M, BU_FLAG_G, BU_FLAGS_RESERVED, BU_LIFETIME_INFINITE, BU_LIFETIME_DELETE,
  BA_ACCEPTED, BA_UNSPECIFIED, BA_PROHIBITED, BA_NO_RESOURCES, BA_AUTH_FAILED, BA_ID_MISMATCH, BA_BAD_UPDATE,
  PFAN_MIN_LENGTH, BWX_MAX_TARGETS,
  roIsType, roType, roHomeAddr,
  bwCheck, bwNumTargets, bwTarget, bwEmit,
  brCheck, brParse, brIdentification, brEmit,
  buCheck, buParse, buFlags, buHasFlag, buFixedLen, buLifetimeSec, buCareOfAddr, buIdentification,
  buExtensions, buIsDelete, buEmit,
  baCheck, baParse, baStatus, baStatusAccepted, baIdentification, baEmit, baEmitFor,
  roAuthAppend,
  pfanCacheLifetimeSec, pfanPrevFa, pfanNewCareOf, pfanSpi, pfanAuthenticator, pfanAuthenticatorLen,
  pfanAppend, pfanBuEmit,
  bwxHomeAddr, bwxNumTargets, bwxTarget, bwxAppend, regReqPfanOffset, regReqBwxOffset,
} from "../../assembly/wire/ro";
import {
  ExtErr, EXT_INDEX_SIZE, EXT_RO_AUTH, EXT_PFAN, EXT_BINDING_WARNING, extIndexFind, extIndexError,
  extIndexErrorAt, extIndexErrorType, extIndexSkipped, extIndexScratch, authSpi, authAuthenticator,
  authAuthenticatorLen, authCoveredLen, authExtAppend, EXT_MH_AUTH,
} from "../../assembly/wire/mipext";
import {
  RegErr, regReqParse, regReqEmit, regReqHasFlag, regReqFlags, REG_REQ_LEN,
  REQ_FLAG_P, REQ_FLAG_R, REQ_FLAG_M, REQ_FLAG_G,
} from "../../assembly/wire/registration";
import {
  agentAdvertEmit, raCheck, raFindExt, maFlags, maSmoothHandoff, icmpCheck, IcmpErr,
  EXT_MOBILITY_AGENT, MA_FLAG_S, MA_FLAG_F, MA_FLAG_R, MA_FLAG_T, RA_CODE_MOBILITY_ONLY,
} from "../../assembly/wire/icmp";
import { keyedMd5 } from "../../assembly/crypto/keyed";
import { filled, expectBytes, hexOf, bytes } from "./helpers";

/** `b` in fresh memory followed by 0xa5 guard bytes. */
function fromBytes(b: u8[], extra: i32 = 0): usize {
  const p = heap.alloc(<usize>(b.length + extra + 8));
  memory.fill(p, 0xa5, <usize>(b.length + extra + 8));
  for (let i = 0; i < b.length; i++) store<u8>(p + <usize>i, b[i]);
  return p;
}
/** Host-order u32 values in fresh memory. */
function u32s(v: u32[]): usize {
  const p = heap.alloc(<usize>(v.length * 4 + 4));
  for (let i = 0; i < v.length; i++) store<u32>(p + <usize>(i * 4), v[i]);
  return p;
}
function idx(): usize { return heap.alloc(EXT_INDEX_SIZE); }

// ---- known-good messages (by hand from SPEC-DECISIONS) ----------------------------------------

// Binding Warning: foreign agent → home agent about MN 10.0.0.5; two correspondents to update.
const BW: u8[] = [
  0x10,                   // Type = 16 (Binding Warning)
  0x00, 0x00, 0x00,       // Reserved
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0xac, 0x10, 0x00, 0x07, // Target 1: 172.16.0.7
  0xac, 0x10, 0x00, 0x09, // Target 2: 172.16.0.9
];

// Binding Request: correspondent → home agent, about MN 10.0.0.5.
const BR: u8[] = [
  0x11,                   // Type = 17 (Binding Request)
  0x00, 0x00, 0x00,       // Reserved
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0xe5, 0xa1, 0xb2, 0xc3, // Identification high 32 (NTP seconds)
  0x40, 0x00, 0x00, 0x00, // Identification low 32 (fraction 0.25)
];

// Binding Update with Identification: A, I and G set, 300 s, care-of 192.168.3.1, nonce-form
// identification (next nonce 1, this nonce 2); Route Optimization Authentication, SPI 0x1000,
// keyed-MD5 with key "0123456789abcdef" over the first 22 bytes (Node: md5(key‖bytes‖key)).
const BU_I: u8[] = [
  0x12,                   // Type = 18 (Binding Update)
  0xd0,                   // A=1 I=1 M=0 G=1, Rsvd 0
  0x01, 0x2c,             // Lifetime 300 s
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0xc0, 0xa8, 0x03, 0x01, // Care-of Address 192.168.3.1
  0x00, 0x00, 0x00, 0x01, // Identification high 32: the nonce the home agent uses next
  0x00, 0x00, 0x00, 0x02, // Identification low 32: this message's nonce
  0x23,                   // extension Type 35 (Route Optimization Authentication)
  0x14,                   // Length = 4 + 16
  0x00, 0x00, 0x10, 0x00, // SPI 0x1000
  0x0d, 0xec, 0xe6, 0xd3, 0x36, 0xa4, 0xa5, 0xdc, // Authenticator
  0xcc, 0xa4, 0x3b, 0x38, 0xa1, 0xd3, 0xe9, 0xbd,
];
const BU_I_AUTH = "0dece6d336a4a5dccca43b38a1d3e9bd";

// Binding Update without Identification (I clear): a delete (lifetime 0), M set, reserved bits set
// by the sender (ignored on reception), 4-byte authenticator.
const BU_NOID: u8[] = [
  0x12,                   // Type = 18
  0x2f,                   // A=0 I=0 M=1 G=0, Rsvd 0xf (must be ignored)
  0x00, 0x00,             // Lifetime 0: delete
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0xc0, 0xa8, 0x03, 0x01, // Care-of Address 192.168.3.1
  0x23, 0x08,             // Route Optimization Authentication, Length 8
  0x00, 0x00, 0x01, 0x00, // SPI 0x100
  0x01, 0x02, 0x03, 0x04, // Authenticator (4 bytes)
];

// Binding Acknowledge: status 133 (identification mismatch), identification copied.
const BA: u8[] = [
  0x13,                   // Type = 19 (Binding Acknowledge)
  0x00, 0x00,             // Reserved
  0x85,                   // Status 133
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0x00, 0x00, 0x00, 0x01, // Identification (from the Binding Update)
  0x00, 0x00, 0x00, 0x02,
];

// Registration Request with P and M, a Previous Foreign Agent Notification extension (cache
// lifetime 10 s, previous FA 192.168.1.1, new care-of 192.168.2.1, SPI 0x2000, authenticator
// precomputed by the mobile node with key "mn-pfa-key-0001!" over the Binding Update the new FA will
// send — see PFAN_BU), a Binding Warning extension (two targets), and a mobile-home authentication.
const REQ_PFAN: u8[] = [
  0x01,                   // Type = 1 (Registration Request)
  0x12,                   // S=0 B=0 D=0 M=1 G=0 V=0 P=1 R=0
  0x07, 0x08,             // Lifetime 1800 s
  0x0a, 0x00, 0x00, 0x05, // Home Address 10.0.0.5
  0x0a, 0x00, 0x00, 0x01, // Home Agent 10.0.0.1
  0xc0, 0xa8, 0x02, 0x01, // Care-of Address 192.168.2.1
  0xe5, 0xa1, 0xb2, 0xc3, // Identification high 32
  0x00, 0x00, 0x00, 0x07, // Identification low 32
  // @24 Previous Foreign Agent Notification
  0x60,                   // Type = 96
  0x1e,                   // Length = 14 + 16
  0x00, 0x0a,             // Cache Lifetime 10 s
  0xc0, 0xa8, 0x01, 0x01, // Previous Foreign Agent 192.168.1.1
  0xc0, 0xa8, 0x02, 0x01, // New Care-of Address 192.168.2.1
  0x00, 0x00, 0x20, 0x00, // SPI 0x2000
  0xb9, 0x13, 0x1d, 0x11, 0xa3, 0xa5, 0xe1, 0xd7, // Authenticator
  0xd7, 0x19, 0x49, 0x2e, 0x84, 0xd9, 0xd8, 0x63,
  // @56 Binding Warning extension
  0xa0,                   // Type = 160
  0x0e,                   // Length = 6 + 4 * 2
  0x00, 0x00,             // Reserved
  0x0a, 0x00, 0x00, 0x05, // Mobile Node Home Address 10.0.0.5
  0xac, 0x10, 0x00, 0x07, // Target 172.16.0.7
  0xac, 0x10, 0x00, 0x09, // Target 172.16.0.9
  // @72 Mobile-Home Authentication (content irrelevant here)
  0x20, 0x04, 0x00, 0x00, 0x10, 0x00,
];

// The Binding Update the new foreign agent derives from REQ_PFAN (001 §8.1, docs/decisions.md).
const PFAN_BU: u8[] = [
  0x12,                   // Type = 18
  0xe0,                   // A=1 I=1 M=1 (request had M) G=0
  0x00, 0x0a,             // Lifetime = Cache Lifetime 10 s
  0x0a, 0x00, 0x00, 0x05, // Home Address from the request
  0xc0, 0xa8, 0x02, 0x01, // Care-of Address = New Care-of Address
  0xe5, 0xa1, 0xb2, 0xc3, // Identification = the request's
  0x00, 0x00, 0x00, 0x07,
  0x23, 0x14,             // Route Optimization Authentication, Length 20
  0x00, 0x00, 0x20, 0x00, // SPI from the PFAN
  0xb9, 0x13, 0x1d, 0x11, 0xa3, 0xa5, 0xe1, 0xd7, // Authenticator from the PFAN
  0xd7, 0x19, 0x49, 0x2e, 0x84, 0xd9, 0xd8, 0x63,
];

// ---- Binding Warning ----------------------------------------------------------------------------

describe("ro: Binding Warning (16)", () => {
  it("reads the known-good bytes", () => {
    const p = fromBytes(BW);
    expect<i32>(bwCheck(p, BW.length)).toBe(RoErr.OK);
    expect<i32>(roType(p)).toBe(RO_TYPE_BINDING_WARNING);
    expect<u32>(roHomeAddr(p)).toBe(0x0a000005);
    expect<i32>(bwNumTargets(BW.length)).toBe(2);
    expect<u32>(bwTarget(p, 0)).toBe(0xac100007);
    expect<u32>(bwTarget(p, 1)).toBe(0xac100009);
  });
  it("emits the same bytes into 0xa5 and nothing past them", () => {
    const b = filled(BW.length + 4);
    expect<i32>(bwEmit(b, BW.length + 4, 0x0a000005, u32s([0xac100007, 0xac100009]), 2)).toBe(BW.length);
    expectBytes(b, BW);
    expect<u32>(load<u32>(b + <usize>BW.length)).toBe(0xa5a5a5a5);
    expect<i32>(bwCheck(b, BW.length)).toBe(RoErr.OK);
  });
  it("ignores Reserved on reception", () => {
    const p = fromBytes(BW);
    store<u8>(p, 0xff, 1); store<u8>(p, 0xff, 3);
    expect<i32>(bwCheck(p, BW.length)).toBe(RoErr.OK);
  });
  it("refuses every truncated length and partial targets", () => {
    const p = fromBytes(BW);
    for (let n = 0; n < BW.length; n++) {
      const want = n < BW_HDR_LEN ? RoErr.TRUNCATED : (n < BW_MIN_LEN || ((n - 8) & 3) != 0 ? RoErr.BAD_LENGTH : RoErr.OK);
      expect<i32>(bwCheck(p, n)).toBe(want, "length " + n.toString());
    }
    expect<i32>(bwCheck(p, 12)).toBe(RoErr.OK); // one target
    expect<i32>(bwCheck(p, 8)).toBe(RoErr.BAD_LENGTH); // no target: "one or more"
    const q = fromBytes(BR);
    expect<i32>(bwCheck(q, 16)).toBe(RoErr.BAD_TYPE);
  });
  it("refuses to emit without a target or room", () => {
    const b = filled(16);
    expect<i32>(bwEmit(b, 16, 1, u32s([1]), 0)).toBe(RO_EMIT_BAD_ARG);
    expect<i32>(bwEmit(b, 16, 1, u32s([1]), -1)).toBe(RO_EMIT_BAD_ARG);
    expect<i32>(bwEmit(b, 11, 1, u32s([1]), 1)).toBe(RO_EMIT_NO_ROOM);
    expect<u8>(load<u8>(b)).toBe(0xa5);
    expect<i32>(bwEmit(b, 12, 1, u32s([1]), 1)).toBe(12);
  });
});

// ---- Binding Request -----------------------------------------------------------------------------

describe("ro: Binding Request (17)", () => {
  it("reads and emits the known-good bytes", () => {
    const p = fromBytes(BR);
    expect<i32>(brCheck(p, BR_LEN)).toBe(RoErr.OK);
    expect<i32>(brParse(p, BR_LEN, idx())).toBe(RoErr.OK);
    expect<u32>(roHomeAddr(p)).toBe(0x0a000005);
    expect<u64>(brIdentification(p)).toBe(0xe5a1b2c340000000);
    const b = filled(BR_LEN + 4);
    expect<i32>(brEmit(b, BR_LEN + 4, 0x0a000005, 0xe5a1b2c340000000)).toBe(BR_LEN);
    expectBytes(b, BR);
    expect<u8>(load<u8>(b + <usize>BR_LEN)).toBe(0xa5);
    expect<i32>(brEmit(b, BR_LEN - 1, 1, 1)).toBe(RO_EMIT_NO_ROOM);
  });
  it("refuses every truncated length and the wrong type", () => {
    const p = fromBytes(BR);
    for (let n = 0; n < BR_LEN; n++) {
      expect<i32>(brCheck(p, n)).toBe(RoErr.TRUNCATED, "length " + n.toString());
      const ix = idx();
      expect<i32>(brParse(p, n, ix)).toBe(RoErr.TRUNCATED);
      expect<i32>(extIndexError(ix)).toBe(ExtErr.NOT_WALKED);
    }
    const q = fromBytes(BA);
    expect<i32>(brCheck(q, 16)).toBe(RoErr.BAD_TYPE);
  });
  it("walks extensions with the base rules: skip 128-255, discard on unknown 0-127", () => {
    const skip = BR.concat([0xc8, 0x02, 0xaa, 0xbb]);
    const ix = idx();
    expect<i32>(brParse(fromBytes(skip), skip.length, ix)).toBe(RoErr.OK);
    expect<i32>(extIndexSkipped(ix)).toBe(1);
    const discard = BR.concat([0x05, 0x00]);
    expect<i32>(brParse(fromBytes(discard), discard.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.UNKNOWN_DISCARD);
    expect<i32>(extIndexErrorAt(ix)).toBe(16);
    const overrun = BR.concat([0xc8, 0x05, 0xaa]);
    expect<i32>(brParse(fromBytes(overrun), overrun.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.OVERRUN);
  });
});

// ---- Binding Update -----------------------------------------------------------------------------

describe("ro: Binding Update (18)", () => {
  it("reads the known-good bytes with Identification", () => {
    const p = fromBytes(BU_I);
    const ix = idx();
    expect<i32>(buCheck(p, BU_I.length)).toBe(RoErr.OK);
    expect<i32>(buParse(p, BU_I.length, ix)).toBe(RoErr.OK);
    expect<u8>(buFlags(p)).toBe(BU_FLAG_A | BU_FLAG_I | BU_FLAG_G);
    expect<bool>(buHasFlag(p, BU_FLAG_A)).toBe(true);
    expect<bool>(buHasFlag(p, BU_FLAG_M)).toBe(false);
    expect<i32>(buFixedLen(p)).toBe(BU_LEN_ID);
    expect<u16>(buLifetimeSec(p)).toBe(300);
    expect<u32>(roHomeAddr(p)).toBe(0x0a000005);
    expect<u32>(buCareOfAddr(p)).toBe(0xc0a80301);
    expect<u64>(buIdentification(p)).toBe(0x0000000100000002);
    expect<usize>(buExtensions(p)).toBe(p + 20);
    expect<bool>(buIsDelete(p)).toBe(false);
    const at = extIndexFind(ix, EXT_RO_AUTH);
    expect<i32>(at).toBe(20);
    expect<u32>(authSpi(p + <usize>at)).toBe(0x1000);
    expect<i32>(authAuthenticatorLen(p + <usize>at)).toBe(16);
  });
  it("authenticates like the base extensions: keyed MD5 over the message and Type/Length (known answer)", () => {
    const p = fromBytes(BU_I);
    expect<i32>(authCoveredLen(20, false)).toBe(22);
    const out = heap.alloc(16);
    keyedMd5(bytes("0123456789abcdef"), 16, p, authCoveredLen(20, false), 0, 0, out);
    expect<string>(hexOf(out, 16)).toStrictEqual(BU_I_AUTH);
    expect<string>(hexOf(authAuthenticator(p + 20), 16)).toStrictEqual(BU_I_AUTH);
  });
  it("emits the known-good bytes (fixed part + roAuthAppend) into 0xa5", () => {
    const b = filled(BU_I.length + 4);
    const cap = BU_I.length + 4;
    expect<i32>(buEmit(b, cap, BU_FLAG_A | BU_FLAG_I | BU_FLAG_G, 300, 0x0a000005, 0xc0a80301, 0x0000000100000002)).toBe(BU_LEN_ID);
    const n = roAuthAppend(b, BU_LEN_ID, cap, 0x1000, 16);
    expect<i32>(n).toBe(BU_I.length);
    keyedMd5(bytes("0123456789abcdef"), 16, b, authCoveredLen(BU_LEN_ID, false), 0, 0, authAuthenticator(b + BU_LEN_ID));
    expectBytes(b, BU_I);
    expect<u32>(load<u32>(b + <usize>n)).toBe(0xa5a5a5a5);
    expect<i32>(buParse(b, n, idx())).toBe(RoErr.OK);
  });
  it("reads a Binding Update without Identification; reserved flag bits ignored", () => {
    const p = fromBytes(BU_NOID);
    const ix = idx();
    expect<i32>(buParse(p, BU_NOID.length, ix)).toBe(RoErr.OK);
    expect<i32>(buFixedLen(p)).toBe(BU_LEN);
    expect<bool>(buHasFlag(p, BU_FLAG_M)).toBe(true);
    expect<bool>(buHasFlag(p, BU_FLAG_I)).toBe(false);
    expect<u64>(buIdentification(p)).toBe(0); // the bytes at 12.. are the extension, not an id
    expect<u16>(buLifetimeSec(p)).toBe(BU_LIFETIME_DELETE);
    expect<bool>(buIsDelete(p)).toBe(true);
    expect<i32>(extIndexFind(ix, EXT_RO_AUTH)).toBe(12);
    expect<u32>(authSpi(p + 12)).toBe(0x100);
  });
  it("sends reserved bits as 0 and writes Identification only with I", () => {
    const b = filled(24);
    expect<i32>(buEmit(b, 24, BU_FLAG_M | BU_FLAGS_RESERVED, 0, 0x0a000005, 0xc0a80301, 0x1122334455667788)).toBe(BU_LEN);
    expect<u8>(load<u8>(b, 1)).toBe(BU_FLAG_M);
    expect<u32>(load<u32>(b, 12)).toBe(0xa5a5a5a5); // no identification written
    const n = roAuthAppend(b, BU_LEN, 24, 0x100, 4);
    store<u32>(b, 0x04030201, 18);
    expect<i32>(n).toBe(BU_NOID.length);
    const want = BU_NOID.slice(0);
    want[1] = 0x20;
    expectBytes(b, want);
    expect<i32>(buEmit(b, 11, 0, 0, 0, 0, 0)).toBe(RO_EMIT_NO_ROOM);
    expect<i32>(buEmit(b, 19, BU_FLAG_I, 0, 0, 0, 0)).toBe(RO_EMIT_NO_ROOM);
    expect<i32>(buEmit(b, 20, BU_FLAG_I, 0, 0, 0, 0)).toBe(BU_LEN_ID);
  });
  it("carries lifetime 0xffff as infinity and recognises care-of = home as a delete", () => {
    const b = filled(40);
    buEmit(b, 40, 0, BU_LIFETIME_INFINITE, 0x0a000005, 0xc0a80301, 0);
    expect<u16>(buLifetimeSec(b)).toBe(0xffff);
    expect<u8>(load<u8>(b, 2)).toBe(0xff);
    expect<bool>(buIsDelete(b)).toBe(false);
    // P bit at the home agent: care-of = home address, lifetime 0 (001 §4.6)
    buEmit(b, 40, 0, 30, 0x0a000005, 0x0a000005, 0);
    expect<bool>(buIsDelete(b)).toBe(true);
  });
  it("refuses every truncated length (12 without I, 20 with I) and every cut extension", () => {
    const p = fromBytes(BU_I);
    for (let n = 0; n < BU_I.length; n++) {
      const ix = idx();
      const r = buParse(p, n, ix);
      if (n < BU_LEN_ID) {
        expect<i32>(buCheck(p, n)).toBe(RoErr.TRUNCATED, "check " + n.toString());
        expect<i32>(r).toBe(RoErr.TRUNCATED, "length " + n.toString());
      } else if (n == BU_LEN_ID) {
        expect<i32>(r).toBe(RoErr.NO_AUTH);
      } else {
        expect<i32>(r).toBe(RoErr.BAD_EXTENSIONS, "length " + n.toString());
        expect<i32>(extIndexError(ix)).toBe(n == 21 ? ExtErr.TRUNCATED : ExtErr.OVERRUN);
      }
    }
    const q = fromBytes(BU_NOID);
    for (let n = 0; n < BU_LEN; n++) expect<i32>(buCheck(q, n)).toBe(RoErr.TRUNCATED);
    expect<i32>(buCheck(q, BU_LEN)).toBe(RoErr.OK);
    expect<i32>(buCheck(fromBytes(BR), 16)).toBe(RoErr.BAD_TYPE);
  });
  it("requires the authentication extension, last, once", () => {
    // none: an unknown skippable extension only
    const none = BU_NOID.slice(0, 12).concat([0xc8, 0x00]);
    expect<i32>(buParse(fromBytes(none), none.length, idx())).toBe(RoErr.NO_AUTH);
    // something after the authenticator
    const after = BU_NOID.concat([0xc8, 0x00]);
    expect<i32>(buParse(fromBytes(after), after.length, idx())).toBe(RoErr.AUTH_NOT_LAST);
    // a skippable extension before it is covered by it and allowed
    const before = BU_NOID.slice(0, 12).concat([0xc8, 0x00]).concat(BU_NOID.slice(12));
    const ix = idx();
    expect<i32>(buParse(fromBytes(before), before.length, ix)).toBe(RoErr.OK);
    expect<i32>(extIndexFind(ix, EXT_RO_AUTH)).toBe(14);
    // an unknown non-skippable extension discards the message, as in mipext
    const discard = BU_NOID.slice(0, 12).concat([0x07, 0x00]).concat(BU_NOID.slice(12));
    expect<i32>(buParse(fromBytes(discard), discard.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.UNKNOWN_DISCARD);
    expect<i32>(extIndexErrorType(ix)).toBe(7);
    // twice
    const twice = BU_NOID.concat(BU_NOID.slice(12));
    expect<i32>(buParse(fromBytes(twice), twice.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.DUPLICATE);
    // an authentication extension shorter than its SPI
    const short = BU_NOID.slice(0, 12).concat([0x23, 0x03, 0, 0, 1]);
    expect<i32>(buParse(fromBytes(short), short.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.BAD_LENGTH);
  });
});

// ---- Binding Acknowledge ------------------------------------------------------------------------

describe("ro: Binding Acknowledge (19)", () => {
  it("reads and emits the known-good bytes", () => {
    const p = fromBytes(BA);
    expect<i32>(baCheck(p, BA_LEN)).toBe(RoErr.OK);
    expect<i32>(baParse(p, BA_LEN, idx())).toBe(RoErr.OK);
    expect<u8>(baStatus(p)).toBe(BA_ID_MISMATCH);
    expect<u32>(roHomeAddr(p)).toBe(0x0a000005);
    expect<u64>(baIdentification(p)).toBe(0x0000000100000002);
    const b = filled(BA_LEN + 2);
    expect<i32>(baEmit(b, BA_LEN + 2, 133, 0x0a000005, 0x0000000100000002)).toBe(BA_LEN);
    expectBytes(b, BA);
    expect<u8>(load<u8>(b + <usize>BA_LEN)).toBe(0xa5);
    expect<i32>(baEmit(b, BA_LEN - 1, 0, 0, 0)).toBe(RO_EMIT_NO_ROOM);
  });
  it("answers a Binding Update: home address and identification copied, 0 without I", () => {
    const b = filled(BA_LEN);
    expect<i32>(baEmitFor(b, BA_LEN, BA_ACCEPTED, fromBytes(BU_I))).toBe(BA_LEN);
    expect<u64>(baIdentification(b)).toBe(0x0000000100000002);
    expect<u32>(roHomeAddr(b)).toBe(0x0a000005);
    expect<u8>(baStatus(b)).toBe(0);
    expect<i32>(baEmitFor(b, BA_LEN, BA_AUTH_FAILED, fromBytes(BU_NOID))).toBe(BA_LEN);
    expect<u64>(baIdentification(b)).toBe(0);
    expect<u8>(baStatus(b)).toBe(131);
  });
  it("has the status codes of SPEC-DECISIONS; only 0 is acceptance", () => {
    expect<u8>(BA_ACCEPTED).toBe(0);
    expect<u8>(BA_UNSPECIFIED).toBe(128);
    expect<u8>(BA_PROHIBITED).toBe(129);
    expect<u8>(BA_NO_RESOURCES).toBe(130);
    expect<u8>(BA_AUTH_FAILED).toBe(131);
    expect<u8>(BA_ID_MISMATCH).toBe(133);
    expect<u8>(BA_BAD_UPDATE).toBe(134);
    for (let s = 0; s < 256; s++) expect<bool>(baStatusAccepted(<u8>s)).toBe(s == 0, "status " + s.toString());
    // any status is carried by the codec (132 and unknown values are refusals, not malformed)
    const p = fromBytes(BA);
    store<u8>(p, 132, 3);
    expect<i32>(baCheck(p, BA_LEN)).toBe(RoErr.OK);
    expect<u8>(baStatus(p)).toBe(132);
  });
  it("refuses every truncated length, the wrong type and bad extensions", () => {
    const p = fromBytes(BA);
    for (let n = 0; n < BA_LEN; n++) {
      expect<i32>(baCheck(p, n)).toBe(RoErr.TRUNCATED, "length " + n.toString());
      expect<i32>(baParse(p, n, idx())).toBe(RoErr.TRUNCATED);
    }
    expect<i32>(baCheck(fromBytes(BR), 16)).toBe(RoErr.BAD_TYPE);
    const bad = BA.concat([0x23]);
    const ix = idx();
    expect<i32>(baParse(fromBytes(bad), bad.length, ix)).toBe(RoErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.TRUNCATED);
  });
  it("roIsType names exactly 16-19", () => {
    for (let t = 0; t < 256; t++) expect<bool>(roIsType(<u8>t)).toBe(t >= 16 && t <= 19);
    expect<u8>(RO_TYPE_BINDING_REQUEST).toBe(17);
    expect<u8>(RO_TYPE_BINDING_UPDATE).toBe(18);
    expect<u8>(RO_TYPE_BINDING_ACK).toBe(19);
  });
});

// ---- Registration Request extensions: PFAN (96), Binding Warning (160); P bit ---------------------

describe("ro: Previous Foreign Agent Notification extension (96)", () => {
  it("reads the known-good request", () => {
    const p = fromBytes(REQ_PFAN);
    const ix = idx();
    expect<i32>(regReqParse(p, REQ_PFAN.length, ix)).toBe(RegErr.OK);
    const o = regReqPfanOffset(ix);
    expect<i32>(o).toBe(24);
    const e = p + <usize>o;
    expect<u16>(pfanCacheLifetimeSec(e)).toBe(10);
    expect<u32>(pfanPrevFa(e)).toBe(0xc0a80101);
    expect<u32>(pfanNewCareOf(e)).toBe(0xc0a80201);
    expect<u32>(pfanSpi(e)).toBe(0x2000);
    expect<i32>(pfanAuthenticatorLen(e)).toBe(16);
    expect<u8>(load<u8>(pfanAuthenticator(e))).toBe(0xb9);
    // the P bit of the same request
    expect<bool>(regReqHasFlag(p, REQ_FLAG_P)).toBe(true);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_M)).toBe(true);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_R)).toBe(false);
  });
  it("emits the known-good request with pfanAppend and bwxAppend", () => {
    const cap = REQ_PFAN.length + 4;
    const b = filled(cap);
    let n = regReqEmit(b, cap, REQ_FLAG_M | REQ_FLAG_P, 1800, 0x0a000005, 0x0a000001, 0xc0a80201, 0xe5a1b2c300000007);
    n = pfanAppend(b, n, cap, 10, 0xc0a80101, 0xc0a80201, 0x2000, 16);
    expect<i32>(n).toBe(56);
    for (let i = 40; i < 56; i++) expect<u8>(load<u8>(b + <usize>i)).toBe(0); // authenticator left zero
    memory.copy(b + 40, fromBytes(REQ_PFAN) + 40, 16);
    n = bwxAppend(b, n, cap, 0x0a000005, u32s([0xac100007, 0xac100009]), 2);
    expect<i32>(n).toBe(72);
    n = authExtAppend(b, n, cap, EXT_MH_AUTH, 0x1000, 0);
    expect<i32>(n).toBe(REQ_PFAN.length);
    expectBytes(b, REQ_PFAN);
    expect<u32>(load<u32>(b + <usize>n)).toBe(0xa5a5a5a5);
  });
  it("builds the new foreign agent's Binding Update; the mobile node's precomputed authenticator verifies", () => {
    const req = fromBytes(REQ_PFAN);
    const pfan = req + 24;
    const bu = filled(PFAN_BU.length + 4);
    expect<i32>(pfanBuEmit(bu, PFAN_BU.length + 4, req, pfan)).toBe(PFAN_BU.length);
    expectBytes(bu, PFAN_BU);
    expect<u8>(load<u8>(bu + <usize>PFAN_BU.length)).toBe(0xa5);
    const ix = idx();
    expect<i32>(buParse(bu, PFAN_BU.length, ix)).toBe(RoErr.OK);
    expect<u16>(buLifetimeSec(bu)).toBe(10);
    expect<u32>(buCareOfAddr(bu)).toBe(0xc0a80201);
    expect<bool>(buHasFlag(bu, BU_FLAG_A | BU_FLAG_I)).toBe(true);
    // the previous FA verifies with the mobile node's key (known answer from Node's crypto)
    const out = heap.alloc(16);
    keyedMd5(bytes("mn-pfa-key-0001!"), 16, bu, authCoveredLen(extIndexFind(ix, EXT_RO_AUTH), false), 0, 0, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("b9131d11a3a5e1d7d719492e84d9d863");
    expect<string>(hexOf(authAuthenticator(bu + BU_LEN_ID), 16)).toStrictEqual("b9131d11a3a5e1d7d719492e84d9d863");
  });
  it("lets the mobile node compute the authenticator with the same builder (zero authenticator first)", () => {
    const cap = 128;
    const req = filled(cap);
    let n = regReqEmit(req, cap, REQ_FLAG_M | REQ_FLAG_P, 1800, 0x0a000005, 0x0a000001, 0xc0a80201, 0xe5a1b2c300000007);
    n = pfanAppend(req, n, cap, 10, 0xc0a80101, 0xc0a80201, 0x2000, 16);
    const bu = filled(64);
    const l = pfanBuEmit(bu, 64, req, req + 24);
    expect<i32>(l).toBe(42);
    keyedMd5(bytes("mn-pfa-key-0001!"), 16, bu, authCoveredLen(BU_LEN_ID, false), 0, 0, pfanAuthenticator(req + 24));
    expect<string>(hexOf(pfanAuthenticator(req + 24), 16)).toStrictEqual("b9131d11a3a5e1d7d719492e84d9d863");
    // G in the request becomes G in the update; M clear stays clear
    regReqEmit(req, cap, REQ_FLAG_G, 1800, 0x0a000005, 0x0a000001, 0xc0a80201, 1);
    pfanBuEmit(bu, 64, req, req + 24);
    expect<u8>(buFlags(bu)).toBe(BU_FLAG_A | BU_FLAG_I | BU_FLAG_G);
    expect<u64>(buIdentification(bu)).toBe(1);
    expect<i32>(pfanBuEmit(bu, 41, req, req + 24)).toBe(RO_EMIT_NO_ROOM);
  });
  it("refuses bad lengths and arguments", () => {
    // Length 13 (< 14): the walker refuses it
    const bad = REQ_PFAN.slice(0, 24).concat([0x60, 13, 0, 10, 192, 168, 1, 1, 192, 168, 2, 1, 0, 0, 0x20]);
    const ix = idx();
    expect<i32>(regReqParse(fromBytes(bad), bad.length, ix)).toBe(RegErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(extIndexErrorType(ix)).toBe(EXT_PFAN);
    // every cut of the request inside the PFAN
    const p = fromBytes(REQ_PFAN);
    for (let n = 25; n < 56; n++) {
      expect<i32>(regReqParse(p, n, ix)).toBe(RegErr.BAD_EXTENSIONS, "length " + n.toString());
      expect<i32>(extIndexError(ix)).toBe(n == 25 ? ExtErr.TRUNCATED : ExtErr.OVERRUN);
    }
    // empty authenticator allowed (Length 14)
    const b = filled(64);
    expect<i32>(pfanAppend(b, 24, 64, 1, 2, 3, 4, 0)).toBe(24 + 2 + PFAN_MIN_LENGTH);
    expect<i32>(pfanAppend(b, 24, 64, 1, 2, 3, 4, -1)).toBe(RO_EMIT_BAD_ARG);
    expect<i32>(pfanAppend(b, 0, 300, 1, 2, 3, 4, 242)).toBe(RO_EMIT_BAD_ARG);
    expect<i32>(pfanAppend(b, 24, 55, 1, 2, 3, 4, 16)).toBe(RO_EMIT_NO_ROOM);
    expect<i32>(pfanAppend(b, 24, 56, 1, 2, 3, 4, 16)).toBe(56);
  });
});

describe("ro: Binding Warning extension (160)", () => {
  it("reads the known-good extension", () => {
    const p = fromBytes(REQ_PFAN);
    const ix = idx();
    expect<i32>(regReqParse(p, REQ_PFAN.length, ix)).toBe(RegErr.OK);
    const o = regReqBwxOffset(ix);
    expect<i32>(o).toBe(56);
    const e = p + <usize>o;
    expect<u32>(bwxHomeAddr(e)).toBe(0x0a000005);
    expect<i32>(bwxNumTargets(e)).toBe(2);
    expect<u32>(bwxTarget(e, 0)).toBe(0xac100007);
    expect<u32>(bwxTarget(e, 1)).toBe(0xac100009);
  });
  it("refuses bad lengths and counts", () => {
    const bad = REQ_PFAN.slice(0, 24).concat([0xa0, 9, 0, 0, 10, 0, 0, 5, 172, 16, 0]);
    const ix = idx();
    expect<i32>(regReqParse(fromBytes(bad), bad.length, ix)).toBe(RegErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(ix)).toBe(ExtErr.BAD_LENGTH);
    const b = filled(300);
    const t = u32s(new Array<u32>(63).fill(0x01020304));
    expect<i32>(bwxAppend(b, 24, 300, 1, t, 0)).toBe(RO_EMIT_BAD_ARG);
    expect<i32>(bwxAppend(b, 24, 300, 1, t, BWX_MAX_TARGETS + 1)).toBe(RO_EMIT_BAD_ARG);
    const n = bwxAppend(b, 24, 300, 1, t, BWX_MAX_TARGETS);
    expect<i32>(n).toBe(24 + 2 + 254);
    expect<u8>(load<u8>(b, 25)).toBe(254);
    expect<i32>(bwxNumTargets(b + 24)).toBe(62);
    expect<u32>(bwxTarget(b + 24, 61)).toBe(0x01020304);
    expect<i32>(bwxAppend(b, 24, 39, 1, t, 2)).toBe(RO_EMIT_NO_ROOM);
    expect<i32>(bwxAppend(b, 24, 40, 1, t, 2)).toBe(40);
  });
});

describe("ro: S flag of the Mobility Agent Advertisement; P bit of the Registration Request", () => {
  it("S = 0x0080 of the advertisement flags, read by maSmoothHandoff", () => {
    expect<u16>(MA_FLAG_S).toBe(0x0080);
    const careOf = u32s([0xc0a80201]);
    const p = filled(64);
    const len = agentAdvertEmit(p, 64, RA_CODE_MOBILITY_ONLY, 1800, 0, 0, 1, 300, MA_FLAG_R | MA_FLAG_F | MA_FLAG_S, careOf, 1, 0);
    expect<i32>(icmpCheck(p, len)).toBe(IcmpErr.OK);
    expect<i32>(raCheck(p, len)).toBe(IcmpErr.OK);
    const m = raFindExt(p, len, EXT_MOBILITY_AGENT);
    expect<u8>(load<u8>(p + <usize>(m + 6))).toBe(0x90); // R, F
    expect<u8>(load<u8>(p + <usize>(m + 7))).toBe(0x80); // S
    expect<bool>(maSmoothHandoff(p, m)).toBe(true);
    expect<i32>(maFlags(p, m)).toBe(MA_FLAG_R | MA_FLAG_F | MA_FLAG_S);
    const q = filled(64);
    const l2 = agentAdvertEmit(q, 64, RA_CODE_MOBILITY_ONLY, 1800, 0, 0, 1, 300, MA_FLAG_R | MA_FLAG_F | MA_FLAG_T, careOf, 1, 0);
    expect<bool>(maSmoothHandoff(q, raFindExt(q, l2, EXT_MOBILITY_AGENT))).toBe(false);
  });
  it("P = 0x02 and R = 0x01 of the request flags (SPEC-DECISIONS)", () => {
    expect<u8>(REQ_FLAG_P).toBe(0x02);
    expect<u8>(REQ_FLAG_R).toBe(0x01);
    const b = filled(REG_REQ_LEN);
    regReqEmit(b, REG_REQ_LEN, REQ_FLAG_P, 0, 1, 2, 1, 0);
    expect<u8>(load<u8>(b, 1)).toBe(0x02);
    expect<u8>(regReqFlags(b)).toBe(REQ_FLAG_P);
    expect<bool>(regReqHasFlag(b, REQ_FLAG_P)).toBe(true);
    expect<bool>(regReqHasFlag(b, REQ_FLAG_R)).toBe(false);
  });
});
