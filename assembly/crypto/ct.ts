// Constant-time comparison for authenticators: the time taken depends only on the length, never on
// where (or whether) the inputs differ, so a forger cannot learn a correct prefix byte by byte.

/** True when the `len` bytes at `a` and `b` are equal; no early exit (XOR accumulated); len <= 0 is equal. */
export function ctEqual(a: usize, b: usize, len: i32): bool {
  let acc: u64 = 0;
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) acc |= load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i);
  for (; i < len; i++) acc |= <u64>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  return acc == 0;
}
