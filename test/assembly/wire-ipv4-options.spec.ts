// IPv4 options (RFC 791 §3.1, RFC 1122 §3.2.1.8; issue 7.13): ipv4OptionsCheck over every option kind,
// every truncated length and every implausible pointer; ipv4CopiedOptions (the options of fragments
// after the first, RFC 791 §3.2) and ipv4EmitFragment (issue 7.15).
import {
  ipv4OptionsCheck, ipv4CopiedOptions, ipv4EmitFragment, ipv4HeaderLen, ipv4TotalLen, ipv4FlagsFrag,
  IPOPT_RR, IPOPT_TS, IPOPT_LSRR, IPOPT_SSRR, IPOPT_SID, IP_FLAG_MF,
} from "../../assembly/wire/ipv4";
import { checksum } from "../../assembly/wire/checksum";
import { filled, hexOf } from "./helpers";

/**
 * A 20-byte header (192.168.0.1 -> 192.168.0.2, UDP) followed by `opts`, zero-padded (End of Option
 * List) to `area` bytes of options (-1: the next multiple of 4); IHL says 20 + area.
 */
function header(opts: u8[], area: i32 = -1): usize {
  const a = area >= 0 ? area : (opts.length + 3) & ~3;
  const p = heap.alloc(<usize>(20 + 40 + 64));
  memory.fill(p, 0, 124);
  store<u8>(p, <u8>(0x40 | ((20 + a) >> 2)), 0);
  store<u16>(p, bswap<u16>(<u16>(20 + a + 8)), 2);
  store<u8>(p, 64, 8);
  store<u8>(p, 17, 9);
  store<u32>(p, bswap<u32>(0xc0a80001), 12);
  store<u32>(p, bswap<u32>(0xc0a80002), 16);
  for (let i = 0; i < opts.length && i < a; i++) store<u8>(p + <usize>(20 + i), opts[i]);
  return p;
}

/** A route option of `type` with `slots` addresses and pointer `ptr`. */
function route(type: u8, slots: i32, ptr: i32): u8[] {
  const o: u8[] = [type, <u8>(3 + 4 * slots), <u8>ptr];
  for (let i = 0; i < 4 * slots; i++) o.push(<u8>(10 + i));
  return o;
}

/** A timestamp option: `entries` entries of 4 (flag 0) or 8 (flags 1, 3) bytes, pointer `ptr`. */
function timestamp(flag: i32, entries: i32, ptr: i32, overflow: i32 = 0): u8[] {
  const step = flag == 0 ? 4 : 8;
  const o: u8[] = [IPOPT_TS, <u8>(4 + step * entries), <u8>ptr, <u8>((overflow << 4) | flag)];
  for (let i = 0; i < step * entries; i++) o.push(<u8>i);
  return o;
}

describe("ipv4 options: well formed", () => {
  it("no options, NOP, EOL and padding after EOL", () => {
    expect<i32>(ipv4OptionsCheck(header([]))).toBe(-1);
    expect<i32>(ipv4OptionsCheck(header([1, 1, 1, 1]))).toBe(-1);
    expect<i32>(ipv4OptionsCheck(header([0, 0, 0, 0]))).toBe(-1);
    // Nothing after End of Option List is interpreted (RFC 791: padding).
    expect<i32>(ipv4OptionsCheck(header([1, 0, 7, 0]))).toBe(-1);
  });
  it("Record Route, Loose and Strict Source Route: empty, partly filled and full", () => {
    const kinds: u8[] = [IPOPT_RR, IPOPT_LSRR, IPOPT_SSRR];
    for (let k = 0; k < 3; k++) {
      for (let slots = 0; slots <= 9; slots++) {
        for (let ptr = 4; ptr <= 4 + 4 * slots; ptr += 4) {
          expect<i32>(ipv4OptionsCheck(header(route(kinds[k], slots, ptr)))).toBe(-1);
        }
      }
    }
  });
  it("Timestamp: flags 0, 1 and 3, every pointer position, overflow count", () => {
    const flags: i32[] = [0, 1, 3];
    for (let f = 0; f < 3; f++) {
      const step = flags[f] == 0 ? 4 : 8;
      const most = flags[f] == 0 ? 9 : 4;
      for (let n = 0; n <= most; n++) {
        for (let ptr = 5; ptr <= 5 + step * n; ptr += step) {
          expect<i32>(ipv4OptionsCheck(header(timestamp(flags[f], n, ptr, 15)))).toBe(-1);
        }
      }
    }
  });
  it("Stream Identifier (4 bytes) and unknown options with a valid length are accepted", () => {
    expect<i32>(ipv4OptionsCheck(header([IPOPT_SID, 4, 0x12, 0x34]))).toBe(-1);
    expect<i32>(ipv4OptionsCheck(header([148, 4, 0, 0]))).toBe(-1);          // router alert
    expect<i32>(ipv4OptionsCheck(header([130, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBe(-1); // security
    expect<i32>(ipv4OptionsCheck(header([0x9e, 2]))).toBe(-1);               // unknown, no data
    expect<i32>(ipv4OptionsCheck(header([1, 0x1f, 39], 40))).toBe(-1);       // unknown, the rest of the area
    // Several options in a row.
    const o = route(IPOPT_RR, 2, 8);
    o.push(1); o.push(IPOPT_SID); o.push(4); o.push(0); o.push(1);
    expect<i32>(ipv4OptionsCheck(header(o))).toBe(-1);
  });
});

describe("ipv4 options: malformed (pointer = offending octet from the header start)", () => {
  it("a length octet that does not fit, or a length of 0 or 1", () => {
    // Type in the last octet of the area: no room for its length.
    expect<i32>(ipv4OptionsCheck(header([1, 1, 1, IPOPT_RR]))).toBe(23);
    expect<i32>(ipv4OptionsCheck(header([1, 1, 1, 200]))).toBe(23);
    const kinds: u8[] = [IPOPT_RR, IPOPT_LSRR, IPOPT_SSRR, IPOPT_TS, IPOPT_SID, 148, 200];
    for (let k = 0; k < kinds.length; k++) {
      expect<i32>(ipv4OptionsCheck(header([kinds[k], 0, 4, 0]))).toBe(21);
      expect<i32>(ipv4OptionsCheck(header([kinds[k], 1, 4, 0]))).toBe(21);
      expect<i32>(ipv4OptionsCheck(header([1, kinds[k], 0, 0]))).toBe(22);
    }
  });
  it("every truncated length: an option longer than the option area", () => {
    const opts: u8[][] = [
      route(IPOPT_RR, 9, 4), route(IPOPT_LSRR, 2, 4), route(IPOPT_SSRR, 1, 4),
      timestamp(0, 9, 5), timestamp(1, 4, 5), timestamp(3, 2, 5), [IPOPT_SID, 4, 0, 0], [148, 4, 0, 0],
      [200, 40, 1, 2],
    ];
    for (let k = 0; k < opts.length; k++) {
      const o = opts[k];
      const l = <i32>o[1];
      for (let area = 4; area <= 40; area += 4) {
        const r = ipv4OptionsCheck(header(o, area));
        if (area >= l) expect<i32>(r).toBe(-1);
        else expect<i32>(r).toBe(21);
      }
      // The same option after a NOP: the offsets move by one.
      const shifted: u8[] = [1];
      for (let i = 0; i < o.length; i++) shifted.push(o[i]);
      for (let area = 4; area <= 40; area += 4) {
        const r = ipv4OptionsCheck(header(shifted, area));
        if (area >= l + 1) expect<i32>(r).toBe(-1);
        else expect<i32>(r).toBe(22);
      }
    }
  });
  it("Record / source routes: length not 3 + 4n, pointer below 4, unaligned or past the end", () => {
    const kinds: u8[] = [IPOPT_RR, IPOPT_LSRR, IPOPT_SSRR];
    for (let k = 0; k < 3; k++) {
      const t = kinds[k];
      expect<i32>(ipv4OptionsCheck(header([t, 2, 0, 0]))).toBe(21);                 // shorter than 3
      for (let extra = 1; extra <= 3; extra++) {                                     // length 3 + 4n + extra
        const o = route(t, 1, 4);
        o[1] = <u8>(7 + extra);
        for (let i = 0; i < extra; i++) o.push(0);
        expect<i32>(ipv4OptionsCheck(header(o))).toBe(21);
      }
      for (let ptr = 0; ptr < 4; ptr++) expect<i32>(ipv4OptionsCheck(header(route(t, 2, ptr)))).toBe(22);
      expect<i32>(ipv4OptionsCheck(header(route(t, 2, 5)))).toBe(22);                // unaligned
      expect<i32>(ipv4OptionsCheck(header(route(t, 2, 7)))).toBe(22);
      expect<i32>(ipv4OptionsCheck(header(route(t, 2, 16)))).toBe(22);               // past length + 1
      expect<i32>(ipv4OptionsCheck(header(route(t, 2, 255)))).toBe(22);
    }
  });
  it("Timestamp: too short, undefined flag, length not 4 + step·n, implausible pointer", () => {
    expect<i32>(ipv4OptionsCheck(header([IPOPT_TS, 3, 5, 0]))).toBe(21);
    expect<i32>(ipv4OptionsCheck(header(timestamp(2, 1, 5)))).toBe(23);               // flag 2 undefined
    for (let f = 4; f < 16; f++) expect<i32>(ipv4OptionsCheck(header(timestamp(f, 1, 5)))).toBe(23);
    const o = timestamp(1, 1, 5);
    o[1] = 8; // 4 + 4: not a whole address/timestamp pair
    expect<i32>(ipv4OptionsCheck(header(o))).toBe(21);
    const p = timestamp(0, 2, 5);
    p[1] = 10; p.push(0); p.push(0);
    expect<i32>(ipv4OptionsCheck(header(p))).toBe(21);
    for (let ptr = 0; ptr < 5; ptr++) expect<i32>(ipv4OptionsCheck(header(timestamp(0, 2, ptr)))).toBe(22);
    expect<i32>(ipv4OptionsCheck(header(timestamp(0, 2, 6)))).toBe(22);               // not on an entry
    expect<i32>(ipv4OptionsCheck(header(timestamp(1, 2, 9)))).toBe(22);               // half a pair
    expect<i32>(ipv4OptionsCheck(header(timestamp(0, 2, 17)))).toBe(22);              // past length + 1
    expect<i32>(ipv4OptionsCheck(header(timestamp(3, 2, 29)))).toBe(22);
  });
  it("Stream Identifier of another length; the second option of a list is checked too", () => {
    expect<i32>(ipv4OptionsCheck(header([IPOPT_SID, 3, 0, 0]))).toBe(21);
    expect<i32>(ipv4OptionsCheck(header([IPOPT_SID, 6, 0, 0, 0, 0]))).toBe(21);
    const o = route(IPOPT_RR, 1, 4);
    o.push(IPOPT_TS); o.push(4); o.push(4); o.push(0);   // pointer 4 < 5
    expect<i32>(ipv4OptionsCheck(header(o))).toBe(29);
  });
});

describe("ipv4 fragments: copied options and fragment headers", () => {
  it("only options with the copied flag, padded with End of Option List", () => {
    const o: u8[] = [1];
    const rr = route(IPOPT_RR, 1, 4);              // not copied
    for (let i = 0; i < rr.length; i++) o.push(rr[i]);
    const ls = route(IPOPT_LSRR, 1, 8);            // copied
    for (let i = 0; i < ls.length; i++) o.push(ls[i]);
    o.push(IPOPT_SID); o.push(4); o.push(0xab); o.push(0xcd);   // copied
    const ts = timestamp(0, 1, 5);                 // not copied
    for (let i = 0; i < ts.length; i++) o.push(ts[i]);
    const h = header(o);
    expect<i32>(ipv4OptionsCheck(h)).toBe(-1);
    const out = filled(48);
    expect<i32>(ipv4CopiedOptions(h, out)).toBe(12);
    expect<string>(hexOf(out, 13)).toBe("8307080a0b0c0d8804abcd00a5");
    expect<i32>(ipv4CopiedOptions(header([1, 1, 0, 0]), out)).toBe(0);
    expect<i32>(ipv4CopiedOptions(header([]), out)).toBe(0);
  });
  it("a malformed option ends the copy (never past the header)", () => {
    const out = filled(48);
    expect<i32>(ipv4CopiedOptions(header([IPOPT_SID, 4, 1, 2, IPOPT_LSRR, 40, 4, 0]), out)).toBe(4);
    expect<string>(hexOf(out, 5)).toBe("88040102a5");
  });
  it("ipv4EmitFragment: template bytes, Total Length, flags/offset, a valid checksum", () => {
    const t = header([IPOPT_SID, 4, 1, 2]);
    const h = filled(64);
    ipv4EmitFragment(h, t, 24, 24 + 512, IP_FLAG_MF | 185);
    expect<i32>(ipv4HeaderLen(h)).toBe(24);
    expect<i32>(ipv4TotalLen(h)).toBe(536);
    expect<u16>(ipv4FlagsFrag(h)).toBe(IP_FLAG_MF | 185);
    expect<i32>(checksum(h, 24)).toBe(0);
    expect<string>(hexOf(h + 12, 12)).toBe("c0a80001c0a8000288040102");
    expect<u8>(load<u8>(h + 24)).toBe(0xa5);
    // In place (fragment 0 keeps its own header).
    ipv4EmitFragment(t, t, 24, 100, IP_FLAG_MF);
    expect<i32>(ipv4TotalLen(t)).toBe(100);
    expect<i32>(checksum(t, 24)).toBe(0);
  });
});
