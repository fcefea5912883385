// Shared helpers for the core's as-pect specs (they may allocate: as-pect's runtime, not the firmware's).


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
