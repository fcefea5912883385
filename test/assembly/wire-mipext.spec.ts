// Registration-message extensions (RFC 2002 §1.9, §3.5; SPEC-DECISIONS): the walker and its index,
// the skippable / non-skippable rule, type 0 (not a pad here), every malformed length, the
// authentication extension view and covered range, and the emitters.
import {
  ExtErr, ExtSlot, EXT_INDEX_SIZE, extWalk, extIndexOffset, extIndexFind, extIndexCount,
  extIndexSkipped, extIndexEnd, extIndexError, extIndexErrorAt, extIndexErrorType, extSlotOf,
  extIsAuth, extType, extLength, extData, extEnd, extAppend, extAppendCopy, authExtAppend,
  authSpi, authSetSpi, authAuthenticator, authAuthenticatorLen, authCoveredLen, extIndexScratch,
  EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, EXT_RO_AUTH, EXT_REG_SERVER, EXT_COA, EXT_AS_AUTH,
  EXT_MS_AUTH, EXT_SS_AUTH, EXT_PFAN, EXT_BINDING_WARNING, EXT_REG_KEY_REQUEST, EXT_FA_KEY_REPLY,
} from "../../assembly/wire/mipext";
import { filled } from "./helpers";

const FIXED: i32 = 24; // a Registration Request's fixed part; its content does not matter here

/** A message: FIXED bytes of 0x11, then `ext`, then 0xa5 guard bytes. */
function msg(ext: u8[]): usize {
  const n = FIXED + ext.length;
  const p = heap.alloc(<usize>(n + 8));
  memory.fill(p, 0xa5, <usize>(n + 8));
  memory.fill(p, 0x11, <usize>FIXED);
  for (let i = 0; i < ext.length; i++) store<u8>(p + <usize>(FIXED + i), ext[i]);
  return p;
}
function walk(ext: u8[]): ExtErr {
  return extWalk(msg(ext), FIXED + ext.length, FIXED, extIndexScratch);
}

// Mobile-home, then mobile-foreign authentication (the order a foreign agent relays).
const MH_MF: u8[] = [
  0x20, 0x08,             // Type 32 mobile-home authentication, Length 8
  0x00, 0x00, 0x10, 0x00, // SPI 0x1000
  0xa1, 0xa2, 0xa3, 0xa4, // Authenticator (4 bytes)
  0x21, 0x06,             // Type 33 mobile-foreign authentication, Length 6
  0x00, 0x00, 0x01, 0x00, // SPI 0x100
  0xb1, 0xb2,             // Authenticator (2 bytes)
];

describe("extension walker", () => {
  it("indexes authentication extensions by type", () => {
    const p = msg(MH_MF);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    expect<i32>(extWalk(p, FIXED + MH_MF.length, FIXED, idx)).toBe(ExtErr.OK);
    expect<i32>(extIndexError(idx)).toBe(ExtErr.OK);
    expect<i32>(extIndexCount(idx)).toBe(2);
    expect<i32>(extIndexSkipped(idx)).toBe(0);
    expect<i32>(extIndexEnd(idx)).toBe(FIXED + MH_MF.length);
    expect<i32>(extIndexOffset(idx, ExtSlot.MH_AUTH)).toBe(24);
    expect<i32>(extIndexOffset(idx, ExtSlot.MF_AUTH)).toBe(34);
    expect<i32>(extIndexOffset(idx, ExtSlot.FH_AUTH)).toBe(0);
    expect<i32>(extIndexFind(idx, EXT_MF_AUTH)).toBe(34);
    expect<i32>(extIndexFind(idx, 200)).toBe(0);
    expect<i32>(extIndexOffset(idx, -1)).toBe(0);
    expect<i32>(extIndexOffset(idx, ExtSlot.COUNT)).toBe(0);
    const mf = p + 34;
    expect<i32>(extType(mf)).toBe(EXT_MF_AUTH);
    expect<i32>(extLength(mf)).toBe(6);
    expect<usize>(extData(mf)).toBe(mf + 2);
    expect<i32>(extEnd(p, 34)).toBe(42);
    expect<u32>(authSpi(mf)).toBe(0x100);
    expect<i32>(authAuthenticatorLen(mf)).toBe(2);
    expect<u8>(load<u8>(authAuthenticator(mf))).toBe(0xb1);
    // the mobile-foreign authenticator covers the mobile-home extension whole
    expect<i32>(authCoveredLen(34, false)).toBe(36);
    expect<i32>(authCoveredLen(34, true)).toBe(40);
  });

  it("accepts the fixed part alone (no extensions)", () => {
    expect<i32>(walk([])).toBe(ExtErr.OK);
    expect<i32>(extIndexCount(extIndexScratch)).toBe(0);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.MH_AUTH)).toBe(0);
  });

  it("skips an unknown extension of type 200 and still finds the next", () => {
    const ext: u8[] = [
      0xc8, 0x03, 0x01, 0x02, 0x03, // Type 200 (unknown, 128-255: skippable), Length 3, data
      0x20, 0x04, 0x00, 0x00, 0x10, 0x00, // mobile-home authentication, Length 4, SPI, empty authenticator
    ];
    expect<i32>(walk(ext)).toBe(ExtErr.OK);
    expect<i32>(extIndexSkipped(extIndexScratch)).toBe(1);
    expect<i32>(extIndexCount(extIndexScratch)).toBe(2);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.MH_AUTH)).toBe(29);
    // 255 is skippable too, with Length 0 or 255
    const big: u8[] = [0xff, 0x00];
    expect<i32>(walk(big)).toBe(ExtErr.OK);
    const b2: u8[] = new Array<u8>(257);
    b2[0] = 0xff; b2[1] = 0xff;
    expect<i32>(walk(b2)).toBe(ExtErr.OK);
    expect<i32>(extIndexSkipped(extIndexScratch)).toBe(1);
  });

  it("discards the message for an unknown extension of type 5 (0-127)", () => {
    const ext: u8[] = [
      0x20, 0x04, 0x00, 0x00, 0x10, 0x00, // mobile-home authentication
      0x05, 0x02, 0xaa, 0xbb,             // Type 5: unknown, not skippable
    ];
    expect<i32>(walk(ext)).toBe(ExtErr.UNKNOWN_DISCARD);
    expect<i32>(extIndexErrorAt(extIndexScratch)).toBe(30);
    expect<i32>(extIndexErrorType(extIndexScratch)).toBe(5);
    expect<i32>(extIndexError(extIndexScratch)).toBe(ExtErr.UNKNOWN_DISCARD);
    // every unknown type in 0-127 discards; every unknown one in 128-255 is skipped
    for (let t = 0; t < 256; t++) {
      const e: u8[] = [<u8>t, 0x00];
      const r = walk(e);
      if (extSlotOf(<u8>t) >= 0) continue;
      expect<i32>(r).toBe(t < 128 ? ExtErr.UNKNOWN_DISCARD : ExtErr.OK, "type " + t.toString());
    }
  });

  it("does not treat type 0 as a one-byte pad in registration messages", () => {
    // 00 00: a TLV of type 0 (unassigned here) -> discard, not two pads
    expect<i32>(walk([0x00, 0x00])).toBe(ExtErr.UNKNOWN_DISCARD);
    // a lone 00 at the end is a truncated extension, not a pad
    expect<i32>(walk([0x00])).toBe(ExtErr.TRUNCATED);
    // 00 00 before a valid extension would be two pads if type 0 were a pad; here it discards
    expect<i32>(walk([0x00, 0x00, 0x20, 0x04, 0x00, 0x00, 0x10, 0x00])).toBe(ExtErr.UNKNOWN_DISCARD);
    // and a type-0 Length is bounded like any other
    expect<i32>(walk([0x00, 0x20, 0x04, 0x00, 0x00, 0x10, 0x00])).toBe(ExtErr.OVERRUN);
  });

  it("refuses an extension length past the end, at every cut", () => {
    for (let n = 1; n < MH_MF.length; n++) {
      const r = extWalk(msg(MH_MF), FIXED + n, FIXED, extIndexScratch);
      if (n == 10) { expect<i32>(r).toBe(ExtErr.OK); continue; } // the first extension ends here
      const want = n == 1 || n == 11 ? ExtErr.TRUNCATED : ExtErr.OVERRUN;
      expect<i32>(r).toBe(want, "cut " + n.toString());
      expect<i32>(extIndexErrorAt(extIndexScratch)).toBe(n <= 10 ? 24 : 34);
    }
    // Length 0x14 announced, 15 authenticator bytes present
    const ext: u8[] = [0x20, 0x14, 0x00, 0x00, 0x10, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    expect<i32>(walk(ext)).toBe(ExtErr.OVERRUN);
    // an unknown skippable extension cannot overrun either
    expect<i32>(walk([0xc8, 0x05, 1, 2, 3, 4])).toBe(ExtErr.OVERRUN);
  });

  it("refuses authentication extensions shorter than the SPI", () => {
    const auths: u8[] = [EXT_MH_AUTH, EXT_MF_AUTH, EXT_FH_AUTH, EXT_RO_AUTH, EXT_AS_AUTH, EXT_MS_AUTH, EXT_SS_AUTH];
    for (let i = 0; i < auths.length; i++) {
      expect<bool>(extIsAuth(auths[i])).toBe(true);
      for (let l = 0; l < 4; l++) {
        const e: u8[] = [auths[i], <u8>l, 0, 0, 0];
        expect<i32>(extWalk(msg(e), FIXED + 2 + l, FIXED, extIndexScratch)).toBe(ExtErr.BAD_LENGTH);
      }
      const ok: u8[] = [auths[i], 4, 0, 0, 1, 0];
      expect<i32>(walk(ok)).toBe(ExtErr.OK);
    }
    expect<bool>(extIsAuth(36)).toBe(false);
    expect<bool>(extIsAuth(82)).toBe(false);
  });

  it("checks the lengths of the other known extensions", () => {
    // Care-of Address extension (82): Length 6 exactly
    expect<i32>(walk([EXT_COA, 6, 0, 0, 192, 168, 1, 1])).toBe(ExtErr.OK);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.COA)).toBe(24);
    expect<i32>(walk([EXT_COA, 5, 0, 0, 192, 168, 1])).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(walk([EXT_COA, 7, 0, 0, 192, 168, 1, 1, 0])).toBe(ExtErr.BAD_LENGTH);
    // Registration Server (81): 2 + 8N
    expect<i32>(walk([EXT_REG_SERVER, 10, 0, 60, 10, 0, 0, 7, 0, 1, 0, 60])).toBe(ExtErr.OK);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.REG_SERVER)).toBe(24);
    expect<i32>(walk([EXT_REG_SERVER, 9, 0, 60, 10, 0, 0, 7, 0, 1, 0])).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(walk([EXT_REG_SERVER, 1, 0])).toBe(ExtErr.BAD_LENGTH);
    // Previous Foreign Agent Notification (96): at least 14
    const pfan: u8[] = [EXT_PFAN, 14, 0, 30, 10, 1, 0, 1, 192, 168, 1, 1, 0, 0, 1, 0];
    expect<i32>(walk(pfan)).toBe(ExtErr.OK);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.PFAN)).toBe(24);
    pfan[1] = 13;
    expect<i32>(extWalk(msg(pfan), FIXED + 15, FIXED, extIndexScratch)).toBe(ExtErr.BAD_LENGTH);
    // Binding Warning (160): 6 + 4N
    expect<i32>(walk([EXT_BINDING_WARNING, 10, 0, 0, 10, 0, 0, 5, 10, 0, 0, 9])).toBe(ExtErr.OK);
    expect<i32>(extIndexOffset(extIndexScratch, ExtSlot.BINDING_WARNING)).toBe(24);
    expect<i32>(walk([EXT_BINDING_WARNING, 8, 0, 0, 10, 0, 0, 5, 10, 0])).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(walk([EXT_BINDING_WARNING, 4, 0, 0, 10, 0])).toBe(ExtErr.BAD_LENGTH);
    // Registration Key Request (161): exactly an SPI; Mobile-Foreign Key (162): SPI + 16 bytes.
    expect<i32>(walk([EXT_REG_KEY_REQUEST, 4, 0, 0, 1, 0])).toBe(ExtErr.OK);
    expect<i32>(walk([EXT_REG_KEY_REQUEST, 5, 0, 0, 1, 0, 0])).toBe(ExtErr.BAD_LENGTH);
    expect<i32>(walk([EXT_FA_KEY_REPLY, 4, 0, 0, 1, 0])).toBe(ExtErr.BAD_LENGTH);
  });

  it("refuses a repeated known extension", () => {
    const ext: u8[] = [0x20, 0x04, 0, 0, 0x10, 0, 0x20, 0x04, 0, 0, 0x10, 0];
    expect<i32>(walk(ext)).toBe(ExtErr.DUPLICATE);
    expect<i32>(extIndexErrorAt(extIndexScratch)).toBe(30);
    // repeated unknown skippable extensions are fine
    expect<i32>(walk([0xc8, 0, 0xc8, 0])).toBe(ExtErr.OK);
  });

  it("indexes every known slot in one message", () => {
    const ext: u8[] = [
      EXT_MH_AUTH, 4, 0, 0, 1, 0,
      EXT_MF_AUTH, 4, 0, 0, 1, 1,
      EXT_FH_AUTH, 4, 0, 0, 1, 2,
      EXT_RO_AUTH, 4, 0, 0, 1, 3,
      EXT_AS_AUTH, 4, 0, 0, 1, 4,
      EXT_MS_AUTH, 4, 0, 0, 1, 5,
      EXT_SS_AUTH, 4, 0, 0, 1, 6,
      EXT_REG_SERVER, 2, 0, 0,
      EXT_COA, 6, 0, 0, 1, 2, 3, 4,
      EXT_PFAN, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      EXT_BINDING_WARNING, 6, 0, 0, 0, 0, 0, 0,
      EXT_REG_KEY_REQUEST, 4, 0, 0, 1, 0,
      EXT_FA_KEY_REPLY, 20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    expect<i32>(walk(ext)).toBe(ExtErr.OK);
    const want: i32[] = [24, 30, 36, 42, 48, 54, 60, 66, 70, 78, 94, 102, 108];
    for (let s = 0; s < ExtSlot.COUNT; s++) {
      expect<i32>(extIndexOffset(extIndexScratch, s)).toBe(want[s], "slot " + s.toString());
    }
    expect<i32>(extIndexCount(extIndexScratch)).toBe(13);
    expect<u32>(authSpi(msg(ext) + 42)).toBe(0x103);
  });

  it("treats a fixed part longer than the message as truncation", () => {
    const p = msg([]);
    expect<i32>(extWalk(p, 10, FIXED, extIndexScratch)).toBe(ExtErr.TRUNCATED);
    expect<i32>(extWalk(p, 24, 0, extIndexScratch)).toBe(ExtErr.TRUNCATED);
  });
});

describe("extension emitters", () => {
  it("appends a generic extension, zero-filling its data, into a 0xa5 buffer", () => {
    const p = filled(40);
    memory.fill(p, 0x11, 24);
    let n = extAppend(p, 24, 40, 0xc8, 5);
    expect<i32>(n).toBe(31);
    expect<u8>(load<u8>(p, 24)).toBe(0xc8); // Type
    expect<u8>(load<u8>(p, 25)).toBe(5);    // Length
    for (let i = 26; i < 31; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(0);
    for (let i = 31; i < 40; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(0xa5);
    // copy variant
    const src = heap.alloc(4);
    store<u32>(src, 0x04030201);
    n = extAppendCopy(p, n, 40, EXT_COA, src, 4);
    expect<i32>(n).toBe(37);
    expect<u8>(load<u8>(p, 31)).toBe(EXT_COA);
    expect<u8>(load<u8>(p, 32)).toBe(4);
    expect<u32>(load<u32>(p, 33)).toBe(0x04030201);
    expect<u8>(load<u8>(p, 37)).toBe(0xa5);
  });

  it("refuses to append past the capacity or beyond 255 data bytes", () => {
    const p = filled(300);
    expect<i32>(extAppend(p, 24, 25, 0xc8, 0)).toBe(-1);
    expect<i32>(extAppend(p, 24, 26, 0xc8, 0)).toBe(26);
    expect<i32>(extAppend(p, 24, 30, 0xc8, 5)).toBe(-1);
    expect<i32>(extAppend(p, 24, 300, 0xc8, 256)).toBe(-1);
    expect<i32>(extAppend(p, 24, 300, 0xc8, -1)).toBe(-1);
    expect<i32>(extAppend(p, 24, 300, 0xc8, 255)).toBe(281);
    expect<i32>(authExtAppend(p, 24, 300, EXT_MH_AUTH, 1, 252)).toBe(-1);
    expect<i32>(authExtAppend(p, 24, 300, EXT_MH_AUTH, 1, 251)).toBe(281);
    expect<i32>(authExtAppend(p, 24, 45, EXT_MH_AUTH, 1, 16)).toBe(-1);
    expect<i32>(authExtAppend(p, 24, 46, EXT_MH_AUTH, 1, 16)).toBe(46);
  });

  it("appends an authentication extension that the walker reads back", () => {
    const p = filled(64);
    memory.fill(p, 0x11, 24);
    let n = authExtAppend(p, 24, 64, EXT_MH_AUTH, 0x12345678, 16);
    n = authExtAppend(p, n, 64, EXT_MF_AUTH, 0x1000, 4);
    expect<i32>(n).toBe(56);
    expect<u8>(load<u8>(p, 24)).toBe(32);   // Type
    expect<u8>(load<u8>(p, 25)).toBe(20);   // Length = 4 + 16
    expect<u8>(load<u8>(p, 26)).toBe(0x12); // SPI, network order
    expect<u8>(load<u8>(p, 29)).toBe(0x78);
    expect<u8>(load<u8>(p, 56)).toBe(0xa5);
    const idx = heap.alloc(EXT_INDEX_SIZE);
    expect<i32>(extWalk(p, n, 24, idx)).toBe(ExtErr.OK);
    expect<u32>(authSpi(p + <usize>extIndexOffset(idx, ExtSlot.MH_AUTH))).toBe(0x12345678);
    expect<i32>(extIndexOffset(idx, ExtSlot.MF_AUTH)).toBe(46);
    authSetSpi(p + 46, 0xdeadbeef);
    expect<u32>(authSpi(p + 46)).toBe(0xdeadbeef);
    expect<i32>(authAuthenticatorLen(p + 46)).toBe(4);
  });
});
