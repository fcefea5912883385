// Placeholder entry points of the IPv4 stack; replaced by the real stack.
export function stackInit(): bool { return true; }
export function ethInput(iface: i32, p: usize, len: i32): i32 { return 1; }
export function ipOutput(p: usize, len: i32): i32 { return 1; }
export function stackTick(now: i64): i64 { return i64.MAX_VALUE; }
export function stackLink(iface: i32, up: bool): void {}
export function stackDump(table: i32, index: i32, out: usize): i32 { return -1; }
