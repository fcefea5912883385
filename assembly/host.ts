// Host ABI v1: the imports. Every import comes from the module `host` (docs/abi.md).
// Nothing else is imported: no WASI, no `env`, no JS glue.

/** Transmit one Ethernet frame of `len` bytes at `ptr` on interface `iface`. The host copies it before returning. */
@external("host", "tx")
export declare function tx(iface: i32, ptr: usize, len: i32): void;

/** Hand one IP packet of `len` bytes at `ptr` to the device's local IP stack. The host copies it before returning. */
@external("host", "deliver")
export declare function deliver(ptr: usize, len: i32): void;

/** Monotonic time in milliseconds. */
@external("host", "now_ms")
export declare function now_ms(): i64;

/** Fill `len` bytes at `ptr` with unpredictable bytes. */
@external("host", "random")
export declare function random(ptr: usize, len: i32): void;

/** One UTF-8 log line (no newline) of `len` bytes at `ptr`; level 0 error, 1 warn, 2 info, 3 debug. */
@external("host", "log")
export declare function log(level: i32, ptr: usize, len: i32): void;

/** One structured event record (docs/abi.md "Events"); `kind` says how to read the bytes. */
@external("host", "event")
export declare function event(kind: i32, ptr: usize, len: i32): void;

export const LOG_ERROR = 0;
export const LOG_INFO = 2;
export const LOG_DEBUG = 3;

// Scratch for log lines: built without allocation (see logStr/logNum below).
const LOG_CAP: i32 = 256;
const logBuf: usize = memory.data(LOG_CAP);
let logLen: i32 = 0;

/** Start a log line. */
export function logBegin(): void { logLen = 0; }

/** Append an ASCII string literal to the current log line. */
export function logStr(s: string): void {
  const n = s.length;
  for (let i = 0; i < n && logLen < LOG_CAP; i++) {
    store<u8>(logBuf + <usize>(logLen++), <u8>s.charCodeAt(i));
  }
}

/** Append `n` bytes of UTF-8 at `p` to the current log line. */
export function logBytes(p: usize, n: i32): void {
  for (let i = 0; i < n && logLen < LOG_CAP; i++) store<u8>(logBuf + <usize>(logLen++), load<u8>(p + <usize>i));
}

/** Append a signed decimal number to the current log line. */
export function logNum(v: i64): void {
  if (v < 0) { logStr("-"); v = -v; }
  const digits = memory.data(24);
  let n = 0;
  do { store<u8>(digits + <usize>(n++), <u8>(48 + <i32>(v % 10))); v /= 10; } while (v != 0 && n < 24);
  while (n > 0 && logLen < LOG_CAP) store<u8>(logBuf + <usize>(logLen++), load<u8>(digits + <usize>(--n)));
}

/** Send the current log line at `level`. */
export function logEnd(level: i32): void { log(level, logBuf, logLen); }

/** Replacement for AssemblyScript's `abort` (asconfig `use`): log and trap, never import `env.abort`. */
export function hostAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  logBegin();
  logStr("abort: ");
  if (message !== null) logStr(message!);
  logStr(" at line ");
  logNum(line);
  logEnd(LOG_ERROR);
  unreachable();
}
