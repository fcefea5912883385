// Ethernet II and ARP framing for tools, tests, fuzzing and benchmarks (IP packets come from packet.ts).

import { parseMac } from "./config.js";

export const ETH_HEADER = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export function mac(s: string): Uint8Array {
  const m = parseMac(s);
  if (!m) throw new Error(`not a MAC address: ${s}`);
  return m;
}

/** Ethernet II frame: destination, source, EtherType, payload. */
export function ethFrame(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(ETH_HEADER + payload.length);
  f.set(dst.subarray(0, 6), 0);
  f.set(src.subarray(0, 6), 6);
  f[12] = type >> 8; f[13] = type & 255;
  f.set(payload, ETH_HEADER);
  return f;
}

/** ARP for Ethernet/IPv4 (RFC 826), in an Ethernet frame. op 1 request, 2 reply; addresses host order. */
export function arpFrame(op: number, senderMac: Uint8Array, senderIp: number, targetMac: Uint8Array, targetIp: number,
  ethDst: Uint8Array = op === 1 ? BROADCAST_MAC : targetMac): Uint8Array {
  const a = new Uint8Array(28);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, 1); dv.setUint16(2, ETHERTYPE_IPV4); a[4] = 6; a[5] = 4; dv.setUint16(6, op);
  a.set(senderMac.subarray(0, 6), 8); dv.setUint32(14, senderIp >>> 0);
  a.set(targetMac.subarray(0, 6), 18); dv.setUint32(24, targetIp >>> 0);
  return ethFrame(ethDst, senderMac, ETHERTYPE_ARP, a);
}

export interface ArpInfo { op: number; senderMac: Uint8Array; senderIp: number; targetMac: Uint8Array; targetIp: number }

/** Parse an Ethernet frame carrying ARP, or null. */
export function parseArpFrame(f: Uint8Array): ArpInfo | null {
  if (f.length < ETH_HEADER + 28 || ((f[12] << 8) | f[13]) !== ETHERTYPE_ARP) return null;
  const dv = new DataView(f.buffer, f.byteOffset + ETH_HEADER, 28);
  return {
    op: dv.getUint16(6), senderMac: f.slice(22, 28), senderIp: dv.getUint32(14),
    targetMac: f.slice(32, 38), targetIp: dv.getUint32(24),
  };
}

export function etherType(f: Uint8Array): number { return f.length >= ETH_HEADER ? (f[12] << 8) | f[13] : -1; }
