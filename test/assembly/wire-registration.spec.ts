// Registration Request / Reply codec (RFC 2002 §3.3, §3.4; SPEC-DECISIONS "Base Mobile IPv4"):
// known-good bytes, field accessors, emit into 0xa5-filled buffers, build + parse of a complete
// request with a mobile-home authentication extension, every truncated length, wrong types.
import {
  RegErr, REG_REQ_LEN, REG_REP_LEN, REG_TYPE_REQUEST, REG_TYPE_REPLY, MIP_PORT,
  regReqCheck, regRepCheck, regReqParse, regRepParse, regReqEmit, regRepEmit,
  regType, regLifetimeSec, regHomeAddr, regHomeAgent, regReqFlags, regReqHasFlag, regReqCareOfAddr,
  regReqIdentification, regReqExtensions, regReqSetFlag, regReqSetFlags, regSetLifetimeSec,
  regRepCode, regRepIdentification, regRepExtensions, regRepSetCode,
  REQ_FLAG_S, REQ_FLAG_B, REQ_FLAG_D, REQ_FLAG_M, REQ_FLAG_G, REQ_FLAG_V, REQ_FLAG_P, REQ_FLAG_R,
  CODE_ACCEPTED, CODE_ACCEPTED_NO_SIMULTANEOUS, CODE_FA_UNSPECIFIED, CODE_FA_VJ_UNAVAILABLE,
  CODE_FA_HOME_NET_UNREACHABLE, CODE_FA_HA_PORT_UNREACHABLE, CODE_FA_HA_UNREACHABLE,
  CODE_HA_UNSPECIFIED, CODE_HA_MN_AUTH_FAILED, CODE_HA_ID_MISMATCH, CODE_HA_UNKNOWN_HA,
  regCodeAccepted, regCodeDeniedByFa, regCodeDeniedByHa, LIFETIME_INFINITE,
} from "../../assembly/wire/registration";
import {
  EXT_INDEX_SIZE, EXT_MH_AUTH, ExtErr, ExtSlot, extIndexOffset, extIndexCount, extIndexError,
  extIndexErrorAt, extIndexErrorType, authExtAppend, authSpi, authAuthenticator,
  authAuthenticatorLen, authCoveredLen, extIndexScratch,
} from "../../assembly/wire/mipext";
import { filled, expectBytes } from "./helpers";

function fromBytes(b: u8[], extra: i32 = 0): usize {
  const p = heap.alloc(<usize>(b.length + extra + 1));
  memory.fill(p, 0xa5, <usize>(b.length + extra + 1));
  for (let i = 0; i < b.length; i++) store<u8>(p + <usize>i, b[i]);
  return p;
}

// Registration Request: MN 10.0.0.5, HA 10.0.0.1, CoA 192.168.1.1, M and G requested, 1800 s,
// NTP-format identification, mobile-home authentication extension SPI 0x1000, 16-byte authenticator.
const REQUEST: u8[] = [
  0x01,                   // Type = 1 (Registration Request)
  0x18,                   // flags: S=0 B=0 D=0 M=1 G=1 V=0 P=0 R=0
  0x07, 0x08,             // Lifetime = 1800 s
  0x0a, 0x00, 0x00, 0x05, // Home Address 10.0.0.5
  0x0a, 0x00, 0x00, 0x01, // Home Agent 10.0.0.1
  0xc0, 0xa8, 0x01, 0x01, // Care-of Address 192.168.1.1
  0xe5, 0xa1, 0xb2, 0xc3, // Identification, high 32 (NTP seconds)
  0x80, 0x00, 0x00, 0x01, // Identification, low 32 (fraction)
  0x20,                   // extension Type 32 (mobile-home authentication)
  0x14,                   // Length = 4 + 16
  0x00, 0x00, 0x10, 0x00, // SPI = 0x1000
  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, // Authenticator (16 bytes)
  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];

// Registration Reply: code 133 (identification mismatch), carrying the HA's time for resync.
const REPLY: u8[] = [
  0x03,                   // Type = 3 (Registration Reply)
  0x85,                   // Code = 133 (registration identification mismatch)
  0x00, 0x00,             // Lifetime = 0
  0x0a, 0x00, 0x00, 0x05, // Home Address 10.0.0.5
  0x0a, 0x00, 0x00, 0x01, // Home Agent 10.0.0.1
  0xe5, 0xa1, 0xb2, 0xd0, // Identification, high 32: the HA's time (seconds)
  0x00, 0x00, 0x00, 0x00, // Identification, low 32
  0x20,                   // extension Type 32 (mobile-home authentication)
  0x14,                   // Length = 20
  0x00, 0x00, 0x10, 0x00, // SPI = 0x1000
  0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, // Authenticator
  0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
];

describe("registration request", () => {
  it("parses the known-good request", () => {
    const p = fromBytes(REQUEST);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    expect<i32>(regReqCheck(p, REQUEST.length)).toBe(RegErr.OK);
    expect<i32>(regReqParse(p, REQUEST.length, idx)).toBe(RegErr.OK);
    expect<i32>(regType(p)).toBe(REG_TYPE_REQUEST);
    expect<u8>(regReqFlags(p)).toBe(REQ_FLAG_M | REQ_FLAG_G);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_M)).toBe(true);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_G)).toBe(true);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_S)).toBe(false);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_D)).toBe(false);
    expect<u16>(regLifetimeSec(p)).toBe(1800);
    expect<u32>(regHomeAddr(p)).toBe(0x0a000005);
    expect<u32>(regHomeAgent(p)).toBe(0x0a000001);
    expect<u32>(regReqCareOfAddr(p)).toBe(0xc0a80101);
    expect<u64>(regReqIdentification(p)).toBe(0xe5a1b2c380000001);
    expect<usize>(regReqExtensions(p)).toBe(p + 24);
    // extension index: one extension, the mobile-home authentication at offset 24
    expect<i32>(extIndexCount(idx)).toBe(1);
    const off = extIndexOffset(idx, ExtSlot.MH_AUTH);
    expect<i32>(off).toBe(24);
    expect<i32>(extIndexOffset(idx, ExtSlot.MF_AUTH)).toBe(0);
    expect<u32>(authSpi(p + <usize>off)).toBe(0x1000);
    expect<i32>(authAuthenticatorLen(p + <usize>off)).toBe(16);
    expect<usize>(authAuthenticator(p + <usize>off)).toBe(p + 30);
    // covered bytes: fixed part + Type + Length (RFC 2002), + SPI when the SA says so
    expect<i32>(authCoveredLen(off, false)).toBe(26);
    expect<i32>(authCoveredLen(off, true)).toBe(30);
  });

  it("builds the same bytes with regReqEmit + authExtAppend into a 0xa5 buffer", () => {
    const cap = 64;
    const p = filled(cap);
    let n = regReqEmit(p, cap, REQ_FLAG_M | REQ_FLAG_G, 1800, 0x0a000005, 0x0a000001, 0xc0a80101, 0xe5a1b2c380000001);
    expect<i32>(n).toBe(REG_REQ_LEN);
    const extOff = n;
    n = authExtAppend(p, n, cap, EXT_MH_AUTH, 0x1000, 16);
    expect<i32>(n).toBe(46);
    // authenticator is zero-filled until the caller computes it
    for (let i = 0; i < 16; i++) expect<u8>(load<u8>(p + 30 + <usize>i)).toBe(0);
    for (let i = 0; i < 16; i++) store<u8>(authAuthenticator(p + <usize>extOff) + <usize>i, <u8>(i * 0x11));
    expectBytes(p, REQUEST);
    for (let i = 46; i < cap; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(0xa5, "untouched byte " + i.toString());
    // and it parses back
    expect<i32>(regReqParse(p, n, extIndexScratch)).toBe(RegErr.OK);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.MH_AUTH)).toBe(extOff);
  });

  it("refuses to emit into a buffer shorter than 24 bytes", () => {
    const p = filled(24);
    for (let cap = 0; cap < 24; cap++) {
      expect<i32>(regReqEmit(p, cap, 0, 0, 1, 2, 3, 4)).toBe(0);
    }
    for (let i = 0; i < 24; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(0xa5);
  });

  it("round-trips every flag and extreme values", () => {
    const flags: u8[] = [REQ_FLAG_S, REQ_FLAG_B, REQ_FLAG_D, REQ_FLAG_M, REQ_FLAG_G, REQ_FLAG_V, REQ_FLAG_P, REQ_FLAG_R];
    const bits: u8[] = [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01];
    const p = filled(24);
    for (let i = 0; i < flags.length; i++) {
      expect<u8>(flags[i]).toBe(bits[i]);
      regReqEmit(p, 24, flags[i], LIFETIME_INFINITE, 0xffffffff, 0, 0x01020304, 0xffffffffffffffff);
      expect<u8>(load<u8>(p, 1)).toBe(bits[i]);
      expect<bool>(regReqHasFlag(p, flags[i])).toBe(true);
      regReqSetFlag(p, flags[i], false);
      expect<u8>(regReqFlags(p)).toBe(0);
      regReqSetFlag(p, flags[i], true);
      expect<u8>(regReqFlags(p)).toBe(bits[i]);
    }
    regReqSetFlags(p, 0xff);
    expect<bool>(regReqHasFlag(p, REQ_FLAG_P | REQ_FLAG_R)).toBe(true);
    expect<u16>(regLifetimeSec(p)).toBe(0xffff);
    expect<u32>(regHomeAddr(p)).toBe(0xffffffff);
    expect<u32>(regHomeAgent(p)).toBe(0);
    expect<u32>(regReqCareOfAddr(p)).toBe(0x01020304);
    expect<u64>(regReqIdentification(p)).toBe(0xffffffffffffffff);
    regSetLifetimeSec(p, 0);
    expect<u16>(regLifetimeSec(p)).toBe(0);
  });

  it("refuses every truncated length 0..23", () => {
    const p = fromBytes(REQUEST);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    for (let n = 0; n < REG_REQ_LEN; n++) {
      expect<i32>(regReqCheck(p, n)).toBe(RegErr.TRUNCATED, "len " + n.toString());
      expect<i32>(regReqParse(p, n, idx)).toBe(RegErr.TRUNCATED);
      expect<i32>(extIndexError(idx)).toBe(ExtErr.NOT_WALKED);
    }
    // the fixed part alone is a valid (if unauthenticated) request
    expect<i32>(regReqParse(p, 24, idx)).toBe(RegErr.OK);
    expect<i32>(extIndexCount(idx)).toBe(0);
  });

  it("refuses a cut extension at every length 25..45", () => {
    const p = fromBytes(REQUEST);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    for (let n = 25; n < REQUEST.length; n++) {
      expect<i32>(regReqParse(p, n, idx)).toBe(RegErr.BAD_EXTENSIONS, "len " + n.toString());
      expect<i32>(extIndexError(idx)).toBe(n == 25 ? ExtErr.TRUNCATED : ExtErr.OVERRUN);
      expect<i32>(extIndexErrorAt(idx)).toBe(24);
      expect<i32>(extIndexErrorType(idx)).toBe(EXT_MH_AUTH);
    }
  });

  it("refuses a reply, or any other type, as a request", () => {
    const p = fromBytes(REQUEST);
    store<u8>(p, 3);
    expect<i32>(regReqCheck(p, REQUEST.length)).toBe(RegErr.BAD_TYPE);
    store<u8>(p, 0);
    expect<i32>(regReqCheck(p, REQUEST.length)).toBe(RegErr.BAD_TYPE);
    store<u8>(p, 2);
    expect<i32>(regReqParse(p, REQUEST.length, extIndexScratch)).toBe(RegErr.BAD_TYPE);
  });

  it("discards a request carrying an unknown non-skippable extension", () => {
    const p = fromBytes(REQUEST);
    store<u8>(p, 5, 24); // extension type 5: unknown, 0-127
    const idx = heap.alloc(EXT_INDEX_SIZE);
    expect<i32>(regReqParse(p, REQUEST.length, idx)).toBe(RegErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(idx)).toBe(ExtErr.UNKNOWN_DISCARD);
    expect<i32>(extIndexErrorType(idx)).toBe(5);
  });
});

describe("registration reply", () => {
  it("parses the known-good code 133 reply", () => {
    const p = fromBytes(REPLY);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    expect<i32>(regRepCheck(p, REPLY.length)).toBe(RegErr.OK);
    expect<i32>(regRepParse(p, REPLY.length, idx)).toBe(RegErr.OK);
    expect<i32>(regType(p)).toBe(REG_TYPE_REPLY);
    expect<u8>(regRepCode(p)).toBe(CODE_HA_ID_MISMATCH);
    expect<u8>(regRepCode(p)).toBe(133);
    expect<u16>(regLifetimeSec(p)).toBe(0);
    expect<u32>(regHomeAddr(p)).toBe(0x0a000005);
    expect<u32>(regHomeAgent(p)).toBe(0x0a000001);
    expect<u64>(regRepIdentification(p)).toBe(0xe5a1b2d000000000);
    expect<usize>(regRepExtensions(p)).toBe(p + 20);
    expect<i32>(extIndexOffset(idx, ExtSlot.MH_AUTH)).toBe(20);
    expect<u32>(authSpi(p + 20)).toBe(0x1000);
    expect<i32>(authCoveredLen(20, false)).toBe(22);
  });

  it("builds the same bytes into a 0xa5 buffer", () => {
    const cap = 48;
    const p = filled(cap);
    let n = regRepEmit(p, cap, CODE_HA_ID_MISMATCH, 0, 0x0a000005, 0x0a000001, 0xe5a1b2d000000000);
    expect<i32>(n).toBe(REG_REP_LEN);
    n = authExtAppend(p, n, cap, EXT_MH_AUTH, 0x1000, 16);
    expect<i32>(n).toBe(42);
    memory.copy(p + 26, fromBytes(REPLY) + 26, 16);
    expectBytes(p, REPLY);
    for (let i = 42; i < cap; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(0xa5);
    regRepSetCode(p, CODE_ACCEPTED);
    expect<u8>(regRepCode(p)).toBe(0);
    for (let cap2 = 0; cap2 < REG_REP_LEN; cap2++) expect<i32>(regRepEmit(p, cap2, 0, 0, 0, 0, 0)).toBe(0);
  });

  it("refuses every truncated length 0..19 and the wrong type", () => {
    const p = fromBytes(REPLY);
    for (let n = 0; n < REG_REP_LEN; n++) {
      expect<i32>(regRepCheck(p, n)).toBe(RegErr.TRUNCATED, "len " + n.toString());
      expect<i32>(regRepParse(p, n, extIndexScratch)).toBe(RegErr.TRUNCATED);
    }
    expect<i32>(regRepCheck(p, 20)).toBe(RegErr.OK);
    store<u8>(p, 1);
    expect<i32>(regRepCheck(p, REPLY.length)).toBe(RegErr.BAD_TYPE);
  });

  it("refuses a cut authentication extension at every length 21..41", () => {
    const p = fromBytes(REPLY);
    for (let n = 21; n < REPLY.length; n++) {
      expect<i32>(regRepParse(p, n, extIndexScratch)).toBe(RegErr.BAD_EXTENSIONS, "len " + n.toString());
    }
  });

  it("classifies reply codes", () => {
    expect<u16>(MIP_PORT).toBe(434);
    expect<bool>(regCodeAccepted(CODE_ACCEPTED)).toBe(true);
    expect<bool>(regCodeAccepted(CODE_ACCEPTED_NO_SIMULTANEOUS)).toBe(true);
    expect<bool>(regCodeAccepted(2)).toBe(false);
    expect<u8>(CODE_FA_UNSPECIFIED).toBe(64);
    expect<u8>(CODE_FA_VJ_UNAVAILABLE).toBe(73);
    expect<u8>(CODE_FA_HOME_NET_UNREACHABLE).toBe(80);
    expect<u8>(CODE_FA_HA_PORT_UNREACHABLE).toBe(82);
    expect<u8>(CODE_FA_HA_UNREACHABLE).toBe(88);
    expect<bool>(regCodeDeniedByFa(CODE_FA_HA_UNREACHABLE)).toBe(true);
    expect<bool>(regCodeDeniedByFa(CODE_HA_UNSPECIFIED)).toBe(false);
    expect<u8>(CODE_HA_UNSPECIFIED).toBe(128);
    expect<u8>(CODE_HA_MN_AUTH_FAILED).toBe(131);
    expect<u8>(CODE_HA_UNKNOWN_HA).toBe(136);
    expect<bool>(regCodeDeniedByHa(CODE_HA_UNKNOWN_HA)).toBe(true);
    expect<bool>(regCodeDeniedByHa(CODE_FA_UNSPECIFIED)).toBe(false);
  });
});
