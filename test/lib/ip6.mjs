// IPv6 test helpers: address text <-> bytes, packet builders with the ICMPv6/UDP checksum over the
// RFC 2460 §8.1 pseudo-header, and a small emulated LAN that carries frames between boards (every
// frame to every other interface on its segment, as a switch floods group frames) with a shared clock.
import { host } from "../host/helpers.mjs";

export const ip6 = (s) => Uint8Array.from(host.parseIp6(s));
export const fmt6 = (b) => host.formatIp6(b);

/** One's-complement sum of `b` added to `sum`. */
function sumBytes(b, sum = 0) {
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.length & 1) sum += b[b.length - 1] << 8;
  return sum;
}
function fold(sum) { while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16); return sum; }

/** The upper-layer checksum of `payload` (next header `nh`) between `src` and `dst` (16-byte arrays). */
export function csum6(src, dst, nh, payload) {
  let s = sumBytes(src) + sumBytes(dst) + payload.length + nh;
  s = sumBytes(payload, s);
  return ~fold(s) & 0xffff;
}

/** An IPv6 packet: header (hop limit `hlim`) + `payload` with next header `nh`. */
export function ipv6Packet(src, dst, nh, payload, hlim = 64) {
  const p = new Uint8Array(40 + payload.length);
  p[0] = 0x60;
  p[4] = payload.length >> 8; p[5] = payload.length & 255;
  p[6] = nh; p[7] = hlim;
  p.set(src, 8); p.set(dst, 24); p.set(payload, 40);
  return p;
}

/** An ICMPv6 message (type, code, 4 bytes `rest`, `body`) with its checksum, in an IPv6 packet. */
export function icmp6Packet(src, dst, type, code, rest, body = new Uint8Array(0), hlim = 64) {
  const m = new Uint8Array(8 + body.length);
  m[0] = type; m[1] = code; m.set(rest.subarray(0, 4), 4); m.set(body, 8);
  const c = csum6(src, dst, 58, m);
  m[2] = c >> 8; m[3] = c & 255;
  return ipv6Packet(src, dst, 58, m, hlim);
}

/** An echo request (id, seq, `len` data bytes). */
export function echo6(src, dst, id, seq, len = 32, hlim = 64) {
  return icmp6Packet(src, dst, 128, 0, Uint8Array.of(id >> 8, id & 255, seq >> 8, seq & 255), new Uint8Array(len).fill(0xa5), hlim);
}

/** A UDP datagram in IPv6 with its (mandatory, RFC 2460 §8.1) checksum. */
export function udp6(src, dst, sport, dport, data, hlim = 64) {
  const u = new Uint8Array(8 + data.length);
  u[0] = sport >> 8; u[1] = sport & 255; u[2] = dport >> 8; u[3] = dport & 255;
  u[4] = u.length >> 8; u[5] = u.length & 255; u.set(data, 8);
  const c = csum6(src, dst, 17, u) || 0xffff;
  u[6] = c >> 8; u[7] = c & 255;
  return ipv6Packet(src, dst, 17, u, hlim);
}

export function eth(dst, src, type, payload) { return host.ethFrame(dst, src, type, payload); }

/** The IPv6 packet of a frame, or null. */
export function pkt6(frame) { return host.etherType(frame) === 0x86dd ? frame.subarray(14) : null; }
/** The ICMPv6 message (type at [0]) of an IPv6 packet without extension headers, or null. */
export function icmp6Of(p) { return p && p[6] === 58 ? p.subarray(40) : null; }

/** Decoded addr6 events (kind 17) of a capture. */
export function addrEvents(cap) {
  return cap.events.filter((e) => e.kind === 17).map((e) => ({ iface: e.data[0], state: e.data[1], flags: e.data[2], prefixLen: e.data[3], addr: fmt6(e.data.subarray(4, 20)) }));
}
/** The current state of each address from the events: Map addr -> state (0 removed). */
export function addrStates(cap) {
  const m = new Map();
  for (const e of addrEvents(cap)) m.set(e.addr, e.state);
  return m;
}
export const A6 = { TENTATIVE: 1, PREFERRED: 2, DEPRECATED: 3, DUPLICATE: 4 };

/**
 * A LAN of boards: `attach` lists [node, iface, segment]. run(ms) advances the shared clock to
 * now + ms, delivering every transmitted frame to the other interfaces of its segment (after `delayMs`,
 * 0: at once) and running each board's timers when due.
 */
export class Lan {
  constructor(clock) { this.clock = clock; this.ports = []; this.seen = new Map(); this.filter = null; }
  attach(node, iface, segment) { this.ports.push({ node, iface, segment }); if (!this.seen.has(node)) this.seen.set(node, 0); }
  /** Deliver frames sent so far; returns how many. */
  flush() {
    let moved = 0;
    for (let round = 0; round < 1000; round++) {
      let any = false;
      for (const [node, from] of this.seen) {
        const tx = node.cap.tx;
        if (from >= tx.length) continue;
        this.seen.set(node, tx.length);
        for (const t of tx.slice(from)) {
          const port = this.ports.find((p) => p.node === node && p.iface === t.iface);
          if (!port) continue;
          for (const q of this.ports) {
            if (q.segment !== port.segment || q.node === node) continue;
            if (this.filter && !this.filter(t.frame, node, q.node)) continue;
            q.node.board.rx(q.iface, t.frame);
            moved++;
          }
          any = true;
        }
      }
      if (!any) break;
    }
    return moved;
  }
  run(ms, stepMs = 1) {
    const end = this.clock.t + ms;
    this.flush();
    while (this.clock.t < end) {
      this.clock.t = Math.min(end, this.clock.t + stepMs);
      for (const node of this.seen.keys()) node.board.tick(this.clock.t);
      this.flush();
    }
  }
}
