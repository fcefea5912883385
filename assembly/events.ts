// Structured events for tools (metrics, timelines). Each record is little-endian binary, laid out per
// kind in docs/abi.md "Events". Add kinds at the end only.

import { event } from "./host";

export const enum Ev {
  LINK = 1,          // iface u8, up u8, bssid[6]
  ARP_RESOLVED = 2,  // iface u8, pad[3], ip u32, mac[6]
  ARP_FAILED = 3,    // iface u8, pad[3], ip u32
  CONFIG_REFUSED = 4 // (no payload; the reason went to log)
}

const buf: usize = memory.data(64, 8);

/** Scratch for building an event record; at most 64 bytes. */
export function evBuf(): usize { return buf; }
export function evEmit(kind: Ev, len: i32): void { event(<i32>kind, buf, len); }
