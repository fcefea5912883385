// UDP demultiplexing (RFC 768, RFC 1122 §4.1): datagrams for this node go to the handler registered
// for their destination port; the checksum is checked once here for all of them. Ports nobody
// registered (and datagrams from the local stack to itself) are the local stack's, unchecked: it
// checks its own (Why: RFC 1122 §4.1.3.4 — the receiving UDP checks; the core is not that UDP).
//
//   udpInput(iface, p, len, unicast)        (IP protocol 17 handler, stack/ip.ts)
//     shorter than a UDP header ─> -1 (local stack)
//     broadcast tap (the home agent's, RFC 2002 §4.3) sees it first, whatever the port
//     no handler for the port ─> -1
//     udpCheck ─bad─> DROP_UDP_CHECKSUM / DROP_UDP_MALFORMED
//     handlers of the port in registration order until one returns ≥ 0

import { C, count } from "../counters";
import { ipRegisterProto } from "../stack/ip";
import { handlersReset, handlersAdd, handlersCount, handlerKey, handlerFn } from "../table/handlers";
import { ipv4HeaderLenHot, ipv4Src, ipv4Dst, IPPROTO_UDP } from "../wire/ipv4";
import { UdpErr, udpCheck, udpDstPort, UDP_HEADER_LEN } from "../wire/udp";

/** A checked UDP datagram for this node (IP header at `p`, `len` bytes, UDP header after it). */
export type UdpHandler = (iface: i32, p: usize, len: i32) => i32;

const MAX_PORTS: i32 = 8;
const ports: usize = memory.data(8 + 8 * MAX_PORTS, 4);  // key: port
let tap: usize = 0;

/** Forget every port and register UDP with the IP layer (init, after ipInit). */
export function udpInit(): void {
  handlersReset(ports, MAX_PORTS);
  tap = 0;
  ipRegisterProto(IPPROTO_UDP, udpInput);
}

/** Checked datagrams to `port` go to `fn` (several handlers per port run in registration order). */
export function udpListen(port: u16, fn: UdpHandler): void { handlersAdd(ports, port, changetype<usize>(fn)); }

/** Every UDP datagram for this node, any port, unchecked, is shown to `fn` first (its answer is ignored). */
export function udpTap(fn: UdpHandler): void { tap = changetype<usize>(fn); }

/** IP protocol 17 for this node (stack/ip.ts handler). */
export function udpInput(iface: i32, p: usize, len: i32, unicast: bool): i32 {
  const hl = ipv4HeaderLenHot(p);
  const u = p + <usize>hl;
  const ul = len - hl;
  if (ul < UDP_HEADER_LEN) return -1;
  if (tap != 0) changetype<UdpHandler>(tap)(iface, p, len);
  const port = <u32>udpDstPort(u);
  let checked = false;
  for (let i = 0, n = handlersCount(ports); i < n; i++) {
    if (handlerKey(ports, i) != port) continue;
    // The checksum once, before the port's first handler (no handler: the local stack's, unchecked).
    if (!checked) {
      const e = udpCheck(u, ul, ipv4Src(p), ipv4Dst(p));
      // Why: RFC 768 / RFC 2002 §3.7.2.1, §3.8.2.1: a datagram with a bad checksum (or length) is
      // silently discarded.
      if (e != UdpErr.OK) { count(e == UdpErr.BAD_CHECKSUM ? C.DROP_UDP_CHECKSUM : C.DROP_UDP_MALFORMED); return 1; }
      checked = true;
    }
    const r = changetype<UdpHandler>(handlerFn(ports, i))(iface, p, len);
    if (r >= 0) return r;
  }
  return -1;
}
