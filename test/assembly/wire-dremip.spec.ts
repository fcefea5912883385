// Distributed registration codecs (002, SPEC-DECISIONS "Distributed Registration"; issue 11 point 1):
// Route Request (32) and Reply (33) with their codes, the Registration Server (81) and Care-of Address
// (82) extensions, the Agent-Server / Mobile-Server / Server-Server authentication extensions (83-85)
// through the base walker, the R bit and the Binding Registrar field. Known-good bytes written by hand
// from the layouts, emit -> parse -> accessors, every truncated length, bad extension lengths.
import {
  DrErr, DR_TYPE_ROUTE_REQUEST, DR_TYPE_ROUTE_REPLY, RT_LEN, DR_EMIT_NO_ROOM, DR_EMIT_BAD_ARG,
  RT_ADDED, RT_UNSPECIFIED, RT_PROHIBITED, RT_SERVER_AUTH_FAILED, RT_LIFETIME_TOO_LONG, RT_POORLY_FORMED,
  rtCheck, rtParse, rtCode, rtAccepted, rtLifetimeSec, rtDest, rtNextHop, rtIdentification, rtEmit,
  rsLifetimeSec, rsCount, rsAddress, rsPriority, rsServerLifetimeSec, rsAppend, coaExtAddress, coaExtAppend,
  regReqHasR, regBindingRegistrar,
} from "../../assembly/wire/dremip";
import {
  ExtErr, EXT_INDEX_SIZE, EXT_REG_SERVER, EXT_COA, EXT_AS_AUTH, EXT_MS_AUTH, EXT_SS_AUTH, extIndexFind,
  extIndexError, extIndexSkipped, authSpi, authExtAppend,
} from "../../assembly/wire/mipext";
import { regReqEmit, REQ_FLAG_R, REG_REQ_LEN } from "../../assembly/wire/registration";
import { filled, expectBytes } from "./helpers";

function buf(b: u8[]): usize {
  const p = heap.alloc(<usize>max(b.length, 1));
  for (let i = 0; i < b.length; i++) store<u8>(p + <usize>i, b[i]);
  return p;
}
// Route Reply, code 68, lifetime 300, destination 10.1.0.20, next hop 10.2.0.1, Identification
// 0x0102030405060708, then a Care-of Address extension (10.3.0.1) and a Server-Server authenticator
// (SPI 0x1000, 4 bytes).
const REPLY: u8[] = [
  33, 68, 0x01, 0x2c, 10, 1, 0, 20, 10, 2, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8,
  82, 6, 0, 0, 10, 3, 0, 1,
  85, 8, 0, 0, 0x10, 0, 9, 9, 9, 9,
];

describe("Route Request / Reply (32, 33)", () => {
  it("reads a hand-written Route Reply and its extensions", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = buf(REPLY);
    expect<i32>(rtParse(p, REPLY.length, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.OK);
    expect<u8>(rtCode(p)).toBe(RT_LIFETIME_TOO_LONG);
    expect<bool>(rtAccepted(rtCode(p))).toBe(false);
    expect<u16>(rtLifetimeSec(p)).toBe(300);
    expect<u32>(rtDest(p)).toBe(0x0a010014);
    expect<u32>(rtNextHop(p)).toBe(0x0a020001);
    expect<u64>(rtIdentification(p)).toBe(0x0102030405060708);
    const c = extIndexFind(idx, EXT_COA);
    expect<i32>(c).toBe(20);
    expect<u32>(coaExtAddress(p + <usize>c)).toBe(0x0a030001);
    const s = extIndexFind(idx, EXT_SS_AUTH);
    expect<i32>(s).toBe(28);
    expect<u32>(authSpi(p + <usize>s)).toBe(0x1000);
    // The same bytes are not a Route Request.
    expect<i32>(rtParse(p, REPLY.length, DR_TYPE_ROUTE_REQUEST, idx)).toBe(DrErr.BAD_TYPE);
  });
  it("refuses every truncated fixed part, and an extension list that overruns", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = buf(REPLY);
    for (let n = 0; n < RT_LEN; n++) expect<i32>(rtParse(p, n, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.TRUNCATED, "length " + n.toString());
    for (let n = RT_LEN + 1; n < REPLY.length; n++) {
      const e = rtParse(p, n, DR_TYPE_ROUTE_REPLY, idx);
      // Cut exactly between the two extensions the list is whole.
      if (n == 28) expect<i32>(e).toBe(DrErr.OK);
      else expect<i32>(e).toBe(DrErr.BAD_EXTENSIONS, "length " + n.toString());
    }
  });
  it("emits a Route Request with Reserved zero, and a Reply with its code; round trip", () => {
    const p = filled(24);
    expect<i32>(rtEmit(p, 24, DR_TYPE_ROUTE_REQUEST, 99, 600, 0x0a010014, 0x0a020001, 0xaabbccdd00112233)).toBe(RT_LEN);
    expectBytes(p, [32, 0, 0x02, 0x58, 10, 1, 0, 20, 10, 2, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0, 0x11, 0x22, 0x33]);
    expect<i32>(rtCheck(p, RT_LEN, DR_TYPE_ROUTE_REQUEST)).toBe(DrErr.OK);
    expect<i32>(rtEmit(p, 24, DR_TYPE_ROUTE_REPLY, RT_ADDED, 600, 0x0a010014, 0x0a020001, 7)).toBe(RT_LEN);
    expect<bool>(rtAccepted(rtCode(p))).toBe(true);
    expect<i32>(rtEmit(p, 19, DR_TYPE_ROUTE_REPLY, 0, 1, 1, 1, 1)).toBe(DR_EMIT_NO_ROOM);
    expect<i32>(rtEmit(p, 24, 31, 0, 1, 1, 1, 1)).toBe(DR_EMIT_BAD_ARG);
  });
  it("names the reply codes of 002 §3.5", () => {
    const codes: u8[] = [RT_ADDED, RT_UNSPECIFIED, RT_PROHIBITED, RT_SERVER_AUTH_FAILED, RT_LIFETIME_TOO_LONG, RT_POORLY_FORMED];
    const want: u8[] = [0, 64, 65, 67, 68, 69];
    for (let i = 0; i < codes.length; i++) expect<u8>(codes[i]).toBe(want[i]);
  });
  it("applies the base extension rules: unknown 0-127 refuses, 128-255 is skipped", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const head = REPLY.slice(0, 20);
    const skip = buf(head.concat([200, 1, 0]));
    expect<i32>(rtParse(skip, 23, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.OK);
    expect<i32>(extIndexSkipped(idx)).toBe(1);
    const bad = buf(head.concat([100, 1, 0]));
    expect<i32>(rtParse(bad, 23, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(idx)).toBe(ExtErr.UNKNOWN_DISCARD);
  });
});

describe("extensions 81-85", () => {
  it("appends and reads a Registration Server extension with two servers", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = filled(64);
    rtEmit(p, 64, DR_TYPE_ROUTE_REQUEST, 0, 60, 1, 2, 3);
    const servers = heap.alloc(24);
    store<u32>(servers, 0x0a090001); store<u32>(servers, 5, 4); store<u32>(servers, 300, 8);
    store<u32>(servers + 12, 0x0a090002); store<u32>(servers + 12, 1, 4); store<u32>(servers + 12, 120, 8);
    const n = rsAppend(p, RT_LEN, 64, 900, servers, 2);
    expect<i32>(n).toBe(RT_LEN + 20);
    expectBytes(p + RT_LEN, [81, 18, 0x03, 0x84, 10, 9, 0, 1, 0, 5, 0x01, 0x2c, 10, 9, 0, 2, 0, 1, 0, 120]);
    expect<i32>(rtParse(p, n, DR_TYPE_ROUTE_REQUEST, idx)).toBe(DrErr.OK);
    const e = p + <usize>extIndexFind(idx, EXT_REG_SERVER);
    expect<u16>(rsLifetimeSec(e)).toBe(900);
    expect<i32>(rsCount(e)).toBe(2);
    expect<u32>(rsAddress(e, 1)).toBe(0x0a090002);
    expect<i32>(rsPriority(e, 0)).toBe(5);
    expect<i32>(rsServerLifetimeSec(e, 1)).toBe(120);
    expect<i32>(rsAppend(p, RT_LEN, 64, 900, servers, 0)).toBe(DR_EMIT_BAD_ARG);
    expect<i32>(rsAppend(p, RT_LEN, RT_LEN + 10, 900, servers, 2)).toBe(DR_EMIT_NO_ROOM);
  });
  it("refuses a Registration Server extension not 2 + 8N long and a Care-of Address extension not 6", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const head = REPLY.slice(0, 20);
    expect<i32>(rtParse(buf(head.concat([81, 5, 0, 1, 0, 0, 0])), 27, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(idx)).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(rtParse(buf(head.concat([81, 2, 0, 1])), 24, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.OK);
    expect<i32>(rtParse(buf(head.concat([82, 4, 0, 0, 10, 3])), 26, DR_TYPE_ROUTE_REPLY, idx)).toBe(DrErr.BAD_EXTENSIONS);
    expect<i32>(extIndexError(idx)).toBe(ExtErr.BAD_LENGTH);
  });
  it("appends a Care-of Address extension with Reserved zero", () => {
    const p = filled(40);
    expect<i32>(coaExtAppend(p, 0, 40, 0x0a030001)).toBe(8);
    expectBytes(p, [82, 6, 0, 0, 10, 3, 0, 1]);
    expect<i32>(coaExtAppend(p, 0, 7, 1)).toBe(DR_EMIT_NO_ROOM);
  });
  it("indexes the Agent-Server, Mobile-Server and Server-Server authentication extensions", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = filled(96);
    rtEmit(p, 96, DR_TYPE_ROUTE_REQUEST, 0, 60, 1, 2, 3);
    let n = authExtAppend(p, RT_LEN, 96, EXT_AS_AUTH, 0x101, 16);
    n = authExtAppend(p, n, 96, EXT_MS_AUTH, 0x102, 16);
    n = authExtAppend(p, n, 96, EXT_SS_AUTH, 0x103, 16);
    expect<i32>(rtParse(p, n, DR_TYPE_ROUTE_REQUEST, idx)).toBe(DrErr.OK);
    expect<u32>(authSpi(p + <usize>extIndexFind(idx, EXT_AS_AUTH))).toBe(0x101);
    expect<u32>(authSpi(p + <usize>extIndexFind(idx, EXT_MS_AUTH))).toBe(0x102);
    expect<u32>(authSpi(p + <usize>extIndexFind(idx, EXT_SS_AUTH))).toBe(0x103);
  });
});

describe("Registration Request under distributed registration", () => {
  it("reads R and the Binding Registrar field", () => {
    const p = filled(REG_REQ_LEN);
    regReqEmit(p, REG_REQ_LEN, REQ_FLAG_R, 300, 0x0a010014, 0x0a090001, 0x0a020001, 1);
    expect<bool>(regReqHasR(p)).toBe(true);
    expect<u32>(regBindingRegistrar(p)).toBe(0x0a090001);
    regReqEmit(p, REG_REQ_LEN, 0, 300, 0x0a010014, 0x0a010001, 0x0a020001, 1);
    expect<bool>(regReqHasR(p)).toBe(false);
  });
});

// ---- discovery (appendices A, B; formats: docs/decisions.md) and the in-place Registration Server writer

import {
  DS_LEN, DR_TYPE_RS_SOLICIT, DR_TYPE_RS_ADVERT, DR_TYPE_COA_SOLICIT, DR_TYPE_COA_ADVERT, ALL_RS_GROUP, ALL_COA_GROUP,
  dsParse, dsEmit, dsValue, dsAddress, dsIdentification, dsLifetimeSec, dsIsType, rsAppendEmpty, rsSetServer,
} from "../../assembly/wire/dremip";

// Care-of Agent Advertisement: load 0x0123, address 10.0.0.6, Identification 0x1112131415161718,
// lifetime 0xffff, reserved 0, then an Agent-Server authenticator (SPI 0x2000, 4 bytes).
const COA_ADV: u8[] = [
  37, 0, 0x01, 0x23, 10, 0, 0, 6, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0xff, 0xff, 0, 0,
  83, 8, 0, 0, 0x20, 0, 1, 2, 3, 4,
];

describe("discovery messages (34-37)", () => {
  it("reads a hand-written Care-of Agent Advertisement", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = buf(COA_ADV);
    expect<i32>(dsParse(p, COA_ADV.length, DR_TYPE_COA_ADVERT, idx)).toBe(DrErr.OK);
    expect<u16>(dsValue(p)).toBe(0x0123);
    expect<u32>(dsAddress(p)).toBe(0x0a000006);
    expect<u64>(dsIdentification(p)).toBe(0x1112131415161718);
    expect<u16>(dsLifetimeSec(p)).toBe(0xffff);
    expect<i32>(extIndexFind(idx, EXT_AS_AUTH)).toBe(20);
    expect<u32>(authSpi(p + 20)).toBe(0x2000);
    // Another type asked for is refused, as a Route Reply would be.
    expect<i32>(dsParse(p, COA_ADV.length, DR_TYPE_RS_ADVERT, idx)).toBe(DrErr.BAD_TYPE);
  });
  it("emits the same bytes and refuses what does not fit or is not a discovery type", () => {
    const p = heap.alloc(64);
    expect<i32>(dsEmit(p, 64, DR_TYPE_COA_ADVERT, 0x0123, 0x0a000006, 0x1112131415161718, 0xffff)).toBe(DS_LEN);
    expectBytes(p, COA_ADV.slice(0, 20));
    expect<i32>(dsEmit(p, DS_LEN - 1, DR_TYPE_RS_SOLICIT, 0, 0, 1, 0)).toBe(DR_EMIT_NO_ROOM);
    expect<i32>(dsEmit(p, 64, DR_TYPE_ROUTE_REQUEST, 0, 0, 1, 0)).toBe(DR_EMIT_BAD_ARG);
    expect<bool>(dsIsType(DR_TYPE_RS_SOLICIT) && dsIsType(DR_TYPE_COA_ADVERT)).toBe(true);
    expect<bool>(dsIsType(33) || dsIsType(38)).toBe(false);
  });
  it("refuses every truncated length of the fixed part and of the extension", () => {
    const idx = heap.alloc(EXT_INDEX_SIZE);
    const p = buf(COA_ADV);
    for (let n = 0; n < COA_ADV.length; n++) {
      const e = dsParse(p, n, DR_TYPE_COA_ADVERT, idx);
      if (n < DS_LEN) expect<i32>(e).toBe(DrErr.TRUNCATED);
      else if (n == DS_LEN) expect<i32>(e).toBe(DrErr.OK); // a solicitation-sized message without extensions
      else expect<i32>(e).toBe(DrErr.BAD_EXTENSIONS);
    }
  });
  it("the groups are 239.192.0.102 and .103 (RFC 2365 organization-local scope)", () => {
    expect<u32>(ALL_RS_GROUP).toBe(0xefc00066);
    expect<u32>(ALL_COA_GROUP).toBe(0xefc00067);
  });
});

describe("Registration Server extension written in place (rsAppendEmpty, rsSetServer)", () => {
  it("writes the same bytes as rsAppend", () => {
    const a = heap.alloc(64), b = heap.alloc(64);
    const list = heap.alloc(24);
    store<u32>(list, 0x0a000005); store<u32>(list, 3, 4); store<u32>(list, 600, 8);
    store<u32>(list, 0x0a010002, 12); store<u32>(list, 7, 16); store<u32>(list, 0xffff, 20);
    expect<i32>(rsAppend(a, 0, 64, 0x1234, list, 2)).toBe(20);
    expect<i32>(rsAppendEmpty(b, 0, 64, 0x1234, 2)).toBe(20);
    rsSetServer(b, 0, 0x0a000005, 3, 600);
    rsSetServer(b, 1, 0x0a010002, 7, 0xffff);
    for (let i = 0; i < 20; i++) expect<u8>(load<u8>(b + <usize>i)).toBe(load<u8>(a + <usize>i));
    expect<i32>(rsAppendEmpty(b, 0, 19, 1, 2)).toBe(DR_EMIT_NO_ROOM);
    expect<i32>(rsAppendEmpty(b, 0, 64, 1, 0)).toBe(DR_EMIT_BAD_ARG);
    expect<i32>(rsAppendEmpty(b, 0, 300, 1, 32)).toBe(DR_EMIT_BAD_ARG);
  });
});
