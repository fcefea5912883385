// stack/packet.ts (issue 8.4): the headroom in front of a datagram is a property of the packet buffer
// it lies in, answered from the buffers registered at init.
import { pktReset, pktBuffers, pktRoom, MAX_BUFFERS } from "../../assembly/stack/packet";

describe("pktRoom", () => {
  it("answers the bytes in front of a datagram in a single buffer, 0 outside every buffer", () => {
    pktReset();
    pktBuffers(1000, 1, 1662);
    expect<i32>(pktRoom(1000 + 144)).toBe(144);
    expect<i32>(pktRoom(1000)).toBe(0);
    expect<i32>(pktRoom(1000 + 1661)).toBe(1661);
    expect<i32>(pktRoom(1000 + 1662)).toBe(0, "one past the end");
    expect<i32>(pktRoom(999)).toBe(0, "before the start");
  });
  it("answers per slot in a ring of equal buffers (the rx ring, the reassembly slots)", () => {
    pktReset();
    pktBuffers(4096, 32, 1680);
    for (let i = 0; i < 32; i++) {
      const frame: usize = 4096 + <usize>i * 1680 + 144;
      expect<i32>(pktRoom(frame + 14)).toBe(158);          // an IPv4 header after the Ethernet header
      expect<i32>(pktRoom(frame + 14 - 28)).toBe(130);     // an ICMP error built in front of it
    }
    expect<i32>(pktRoom(4096 + 32 * 1680)).toBe(0);
  });
  it("keeps several registries apart and ignores empty or surplus registrations", () => {
    pktReset();
    pktBuffers(0, 1, 100);        // not carved: ignored
    pktBuffers(500, 0, 100);      // no buffer: ignored
    pktBuffers(10000, 2, 300);
    pktBuffers(20000, 1, 200);
    expect<i32>(pktRoom(10000 + 300 + 50)).toBe(50);
    expect<i32>(pktRoom(20000 + 60)).toBe(60);
    expect<i32>(pktRoom(550)).toBe(0);
    // Two registered: the registry keeps MAX_BUFFERS - 2 more of these, not the two after them.
    const n = MAX_BUFFERS;
    for (let i = 0; i < n; i++) pktBuffers(30000 + <usize>i * 1000, 1, 1000);
    expect<i32>(pktRoom(30000 + <usize>(n - 3) * 1000 + 7)).toBe(7, "the last one kept");
    expect<i32>(pktRoom(30000 + <usize>(n - 2) * 1000 + 7)).toBe(0, "past the registry's capacity: no headroom known");
  });
});
