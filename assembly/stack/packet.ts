// The packet context (issue 8.4): what the send path needs to know about a datagram beside its
// address and length. The route (interface and next hop, or a virtual interface: stack/route.ts) is a
// returned value, the input interface a parameter, and the headroom — the bytes that may be written in
// front of the datagram (Ethernet, tunnel headers, an ICMP error quoting it) — is a property of the
// buffer it lies in: every packet buffer of the node registers here at init, and pktRoom(p) answers
// from where `p` lies. Why not a `room` integer passed beside the datagram: a caller can pass a wrong
// one (several constants used to say 64, 78 or "enough"); a buffer cannot lie about where it starts.
// Every buffer has the one headroom budget in front of its frame (config.ts HEADROOM, sized for
// Ethernet + IPv6 + Mobile IPv6's extension headers + the largest tunnel header).
//
// Registry: up to MAX_BUFFERS ranges [start, end) of `stride`-byte buffers whose writable space
// begins at their first byte (the rx ring's slots, the out buffer, the reassembly slots' data areas,
// the home agent's copy and reply buffers). Fixed at init, like the buffers.

import { arenaAlloc } from "../mem";
import { IPV6, MIP6 } from "../features";

// Why these counts: one registration per buffer the roles carve (index.ts's out buffer and rx ring,
// reassembly, Neighbor Discovery, the IPv4 home agent's two, handoff's two, the registration server's,
// the home agent's and the correspondent's route optimization: 11; Mobile IPv6 adds three; an IPv4-only
// image has no Neighbor Discovery): a board with every role uses all of them. A full registry left the rx
// ring, carved last, without headroom, and every tunnel entry was dropped (test: mip6-ha.test.mjs).
export const MAX_BUFFERS: i32 = MIP6 ? 14 : IPV6 ? 11 : 10;
const buffers: usize = memory.data(MAX_BUFFERS * 12, 4); // start u32 | end u32 | stride u32
let count: i32 = 0;

/** Forget every buffer (init, before any is carved). */
export function pktReset(): void { count = 0; }

/**
 * `n` buffers of `stride` bytes from `start` on: the writable space of each begins at its first byte.
 * At init; a full registry keeps what it has (its buffers then have no headroom: pktRoom 0).
 */
export function pktBuffers(start: usize, n: i32, stride: usize): void {
  if (count >= MAX_BUFFERS || start == 0 || n <= 0) return;
  const e = buffers + <usize>count * 12;
  store<u32>(e, <u32>start);
  store<u32>(e, <u32>(start + <usize>n * stride), 4);
  store<u32>(e, <u32>stride, 8);
  count++;
}

/** One packet buffer of `size` bytes carved from the arena (mem.ts) and registered; 0 when memory ran out. */
export function pktAlloc(size: usize): usize {
  const b = arenaAlloc(size);
  pktBuffers(b, 1, size);
  return b;
}

/** Bytes that may be written in front of `p` in its buffer; 0 when `p` lies in no packet buffer. */
export function pktRoom(p: usize): i32 {
  // Newest first: the rx ring is carved last at init and holds most datagrams.
  for (let i = count - 1; i >= 0; i--) {
    const e = buffers + <usize>i * 12;
    const start = <usize>load<u32>(e);
    if (p >= start && p < <usize>load<u32>(e, 4)) return <i32>((p - start) % <usize>load<u32>(e, 8));
  }
  return 0;
}
