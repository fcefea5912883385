// Seeded pseudo-random numbers for the simulator: xoshiro128** (Blackman & Vigna), seeded through
// splitmix32. Every purpose (a segment's loss and jitter, a node's mobility, a board's random()) gets
// its own stream derived from the scenario seed and a name, so adding a consumer in one place never
// shifts the numbers another consumer sees. Nothing in the simulator uses Math.random or the clock.

/** 32-bit FNV-1a of a string (stream names). */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One step of splitmix32: returns [next state, output]. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return [state, z];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any non-negative integer up to 2^53; `stream` names an independent sequence. */
  constructor(readonly seed: number, readonly stream = "") {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b1) ^ hashName(stream)) >>> 0;
    let out: number;
    [s, out] = splitmix32(s); this.a = out;
    [s, out] = splitmix32(s ^ hashName("b" + stream)); this.b = out;
    [s, out] = splitmix32(s); this.c = out;
    [s, out] = splitmix32(s); this.d = out;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
  }

  /** A new independent stream from the same seed (e.g. `rng.derive("segment:lan1")`). */
  derive(stream: string): Rng { return new Rng(this.seed, this.stream + "/" + stream); }

  /** Next uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number { return this.u32() / 4294967296; }

  /** Uniform integer in [0, n) for 0 < n <= 2^32 (rejection sampling, no modulo bias). */
  int(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let x = this.u32();
    while (x >= limit) x = this.u32();
    return x % n;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number { return lo + (hi - lo) * this.float(); }

  /** Fill `buf` with random bytes. */
  fill(buf: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const x = this.u32();
      buf[i] = x; buf[i + 1] = x >>> 8; buf[i + 2] = x >>> 16; buf[i + 3] = x >>> 24;
    }
    if (i < buf.length) {
      let x = this.u32();
      for (; i < buf.length; i++) { buf[i] = x; x >>>= 8; }
    }
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
