// Mixed traffic and fuzz input for a router between 10.0.1.0/24 (eth0) and 10.0.2.0/24 (eth1):
// used by the memory test, the fuzz test and bench/fuzz.mjs. Deterministic for a given seed.
import * as host from "../../build/host.mjs";

export const ip = (s) => host.parseIp(s);
export const R_MAC0 = host.mac("02:00:00:00:01:01");
export const R_MAC1 = host.mac("02:00:00:00:02:01");
export const A_MAC = host.mac("02:00:00:00:01:10");
export const B_MAC = host.mac("02:00:00:00:02:10");
export const R_IP0 = ip("10.0.1.1"), R_IP1 = ip("10.0.2.1"), A_IP = ip("10.0.1.10"), B_IP = ip("10.0.2.10");

export const routerJson = {
  name: "r1", board: "emulated", roles: ["router", "host"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
    { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" },
  ],
};

/** Small seeded generator (mulberry32): next() in [0, 2^32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { next, int: (n) => next() % n, bytes: (n) => Uint8Array.from({ length: n }, () => next() & 255) };
}

const udp = (src, dst, size, ttl = 64, id = 1) => host.buildUdp(src, dst, 40000, 9000, new Uint8Array(size), id, ttl);

/** Valid frames of every kind the router handles; each entry is [iface, frame]. */
export function validFrames() {
  return [
    [0, host.arpFrame(1, A_MAC, A_IP, new Uint8Array(6), R_IP0)],                 // who-has router
    [1, host.arpFrame(2, B_MAC, B_IP, R_MAC1, R_IP1)],                            // B's address (reply)
    [0, host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildEchoRequest(A_IP, R_IP0, 7, 1, new Uint8Array(56)))],
    [0, host.ethFrame(R_MAC0, A_MAC, 0x0800, udp(A_IP, B_IP, 1372))],             // forwarded, 1400 bytes of IP
    [1, host.ethFrame(R_MAC1, B_MAC, 0x0800, udp(B_IP, A_IP, 100))],              // forwarded back (ARP for A first)
    [0, host.ethFrame(R_MAC0, A_MAC, 0x0800, udp(A_IP, B_IP, 64, 1))],            // TTL 1: time exceeded
    [0, host.ethFrame(R_MAC0, A_MAC, 0x0800, udp(A_IP, ip("192.0.2.9"), 64))],    // no route: unreachable
    [0, host.ethFrame(host.BROADCAST_MAC, A_MAC, 0x0800, udp(A_IP, ip("10.0.1.255"), 32))], // subnet broadcast
    [0, host.ethFrame(R_MAC0, A_MAC, 0x0800, udp(A_IP, R_IP0, 200))],             // to the router's local stack
    [1, host.arpFrame(1, B_MAC, B_IP, new Uint8Array(6), ip("10.0.2.77"))],       // ARP for someone else
  ];
}

/** A mutated or random frame: bit flips, byte writes, truncation, extension, header smashing, noise. */
export function mutate(r, frames) {
  const [iface0, base] = frames[r.int(frames.length)];
  let f = base.slice();
  const iface = r.int(16) === 0 ? r.int(10) - 1 : iface0; // sometimes an interface that does not exist
  switch (r.int(8)) {
    case 0: for (let i = 0, n = 1 + r.int(4); i < n; i++) f[r.int(f.length)] ^= 1 << r.int(8); break;
    case 1: for (let i = 0, n = 1 + r.int(8); i < n; i++) f[r.int(f.length)] = r.next() & 255; break;
    case 2: f = f.slice(0, r.int(f.length + 1)); break;
    case 3: { const g = new Uint8Array(f.length + r.int(200)); g.set(f); g.set(r.bytes(g.length - f.length), f.length); f = g; break; }
    case 4: for (let i = 14; i < Math.min(f.length, 60); i++) if (r.int(4) === 0) f[i] = r.next() & 255; break; // smash headers
    case 5: f = r.bytes(r.int(1600)); break;                                                               // noise
    case 6: if (f.length > 17) { f[16] = r.next() & 255; f[17] = r.next() & 255; } break;                  // IP total length
    default: if (f.length > 14) f[14] = (f[14] & 0xf0) | r.int(16); break;                                 // IHL
  }
  return [iface, f];
}
