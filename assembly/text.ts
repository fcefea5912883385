// The core's texts (counter names, configuration refusal texts), encoded by host/gen-counter-names.mjs:
// a stream of lines separated by "\n"; a byte below 0x80 is itself, 0x80 + k is token k of TEXT_DICT
// (text-dict.ts: per token a length byte and its bytes).
// Why (size, issue 12): the 5.8 KB of plain texts were 5% of firmware.wasm; shared tokens ("drop_",
// "mobility.", "record ") bring them to ~3.3 KB, and these texts are read only at start-up and on a
// refusal, so a linear decode costs nothing that matters (docs/decisions.md "Texts").

import { TEXT_DICT } from "./text-dict";

/** Bytes of the buffer a decoded line goes to (no text is longer: the generator refuses it). */
export const TEXT_CAPACITY: i32 = 256;
/** The buffer lines are decoded into; index.ts hands it to the host as the dump buffer too. */
export const textBuf: usize = memory.data(TEXT_CAPACITY, 8);

/** Decode line `k` of the `n`-byte stream at `s` into `out`; returns its length, or -1 if there is no line `k`. */
export function textLine(s: usize, n: i32, k: i32, out: usize): i32 {
  if (k < 0) return -1;
  let i = 0;
  for (; k > 0 && i < n; i++) if (load<u8>(s + <usize>i) == 10) k--;
  if (k > 0) return -1;
  let o: usize = 0;
  for (; i < n; i++) {
    const b = <u32>load<u8>(s + <usize>i);
    if (b == 10) break;
    if (b < 0x80) { store<u8>(out + o++, <u8>b); continue; }
    let d = TEXT_DICT;
    for (let t = b - 0x80; t > 0; t--) d += 1 + <usize>load<u8>(d);
    const l = <usize>load<u8>(d);
    memory.copy(out + o, d + 1, l);
    o += l;
  }
  return <i32>o;
}
