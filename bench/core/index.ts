// Microbenchmark entry points over core functions, compiled separately (bench/build-core.mjs) so the
// firmware carries no benchmark code. Each loop returns a value derived from its work so the
// optimiser cannot drop it.
import { checksum } from "../../assembly/wire/checksum";
import "../../assembly/host"; // for the abort replacement (asconfig `use`)

const BUF_CAP: i32 = 9216;
const buf: usize = memory.data(BUF_CAP, 16);

/** Fill the buffer with a fixed pattern. */
export function fill(seed: u32): void {
  let x = seed;
  for (let i = 0; i < BUF_CAP; i++) { x = x * 1103515245 + 12345; store<u8>(buf + <usize>i, <u8>(x >> 24)); }
}

/** Internet checksum over `len` bytes, `iters` times. */
export function benchChecksum(len: i32, iters: i32): u32 {
  let acc: u32 = 0;
  for (let i = 0; i < iters; i++) { store<u8>(buf, <u8>i); acc += checksum(buf, len); }
  return acc;
}
