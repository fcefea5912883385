// Shared helpers for the core's as-pect specs (they may allocate: as-pect's runtime, not the firmware's).

import { ipv4Check, ipv4FillChecksum, IP_TOTAL_LEN, IP_FLAGS_FRAG } from "../../assembly/wire/ipv4";

function hexVal(c: i32): i32 { return c <= 57 ? c - 48 : (c | 32) - 87; }

/** Bytes of a hex string (spaces, newlines and '|' ignored), in fresh memory with 64 spare bytes after. */
export function hex(s: string): usize {
  const p = heap.alloc(<usize>s.length + 64);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 32 || c == 124 || c == 10) continue;
    const d = hexVal(c);
    if ((n & 1) == 0) store<u8>(p + <usize>(n >> 1), <u8>(d << 4));
    else store<u8>(p + <usize>(n >> 1), load<u8>(p + <usize>(n >> 1)) | <u8>d);
    n++;
  }
  return p;
}

/** `n` bytes of 0xa5, so unwritten bytes show. */
export function filled(n: i32): usize { const p = heap.alloc(<usize>n); memory.fill(p, 0xa5, <usize>n); return p; }

/** Lower-case hex of `n` bytes at `p`. */
export function hexOf(p: usize, n: i32): string {
  const digits = "0123456789abcdef";
  let r = "";
  for (let i = 0; i < n; i++) { const b = load<u8>(p + <usize>i); r += digits.charAt(b >> 4) + digits.charAt(b & 15); }
  return r;
}

/** Copy of `n` bytes at `src` in fresh memory (64 spare bytes after). */
export function dup(src: usize, n: i32): usize { const p = heap.alloc(<usize>n + 64); memory.copy(p, src, <usize>n); return p; }

/** Bytes `b` in fresh memory pre-filled with 0xa5, with `headroom` spare bytes in front; returns the first byte. */
export function withHeadroom(b: u8[], headroom: i32): usize {
  const n = <usize>(headroom + b.length + 8);
  const p = heap.alloc(n);
  memory.fill(p, 0xa5, n);
  for (let i = 0; i < b.length; i++) store<u8>(p + <usize>(headroom + i), b[i]);
  return p + <usize>headroom;
}

/** Expect the bytes at `p` to be `b`, naming the first differing offset. */
export function expectBytes(p: usize, b: u8[]): void {
  for (let i = 0; i < b.length; i++) expect<u8>(load<u8>(p + <usize>i)).toBe(b[i], "byte " + i.toString());
}

/** UTF-8 bytes of `s` in fresh memory. */
export function bytes(s: string): usize {
  const n = String.UTF8.byteLength(s);
  const p = heap.alloc(<usize>max(n, 1));
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p);
  return p;
}

/** An encapsulation of the checked inner datagram at `inner` (full or fast form), as wire/ipip.ts and wire/gre.ts. */
export type Encap = (inner: usize, src: u32, dst: u32, ttl: u8, ident: u16, forwarding: bool) => i32;

/**
 * Run `n` random valid inner headers (random TOS, length, ident, DF or not, TTL 0..255, protocol and
 * addresses; forwarding every other one) through `full` and `fast`, each on its own copy with 64 bytes
 * of headroom: the same result, the same bytes, and a valid outer header when it encapsulated.
 */
export function expectSameEncapsulation(n: i32, seed: u32, full: Encap, fast: Encap): void {
  const a = memory.data(2048, 8);
  const b = memory.data(2048, 8);
  for (let k = 0; k < n; k++) {
    const q = a + 64;
    for (let i = 0; i < 20; i++) { seed = seed * 1103515245 + 12345; store<u8>(q + <usize>i, <u8>(seed >>> 16)); }
    store<u8>(q, 0x45);
    seed = seed * 1103515245 + 12345;
    const tl = 20 + <i32>((seed >>> 8) % 1400);
    store<u16>(q, bswap<u16>(<u16>tl), IP_TOTAL_LEN);
    store<u16>(q, (seed & 1) != 0 ? 0x0040 : 0, IP_FLAGS_FRAG);
    ipv4FillChecksum(q);
    memory.copy(b, a, 2048);
    seed = seed * 1103515245 + 12345;
    const src = seed; seed = seed * 1103515245 + 12345;
    const dst = seed;
    const fwd = (k & 1) == 0;
    const r1 = full(q, src, dst, <u8>(seed >>> 24), <u16>(seed >>> 5), fwd);
    const r2 = fast(b + 64, src, dst, <u8>(seed >>> 24), <u16>(seed >>> 5), fwd);
    expect<i32>(r2).toBe(r1);
    expect<i32>(memory.compare(a, b, 64 + <usize>tl)).toBe(0);
    if (r1 > 0) expect<i32>(ipv4Check(q - <usize>r1, tl + r1)).toBe(0);
  }
}
