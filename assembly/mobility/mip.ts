// Mobile IP messages on UDP port 434 (RFC 2002 §3.1): one handler chain per message type, filled at
// init by the roles (Registration Request 1: home agent, then foreign agent; Registration Reply 3:
// foreign agent, then mobile node; route optimization and distributed registration add theirs), in
// the style of UMIP's mh_handler_reg. The UDP checksum was checked by transport/udp.ts.

import { udpListen, UdpHandler } from "../transport/udp";
import { handlersReset, handlersAdd, handlersCount, handlerKey, handlerFn } from "../table/handlers";
import { ipv4HeaderLenHot } from "../wire/ipv4";
import { udpLength, udpIpEmit, UDP_HEADER_LEN } from "../wire/udp";
import { ipNextIdent } from "../stack/ip";
import * as cfg from "../config";
import { MIP_PORT } from "../wire/registration";

const MAX_HANDLERS: i32 = 12;
/** The Mobile IP message (UDP payload) of the IPv4 datagram at `p`. */
// @ts-ignore: decorator
@inline export function drMsg(p: usize): usize { return drPayload(p) + <usize>UDP_HEADER_LEN; }
/** The payload of the IPv4 datagram at `p` (after its options): a call on the control paths. */
export function drPayload(p: usize): usize { return p + <usize>ipv4HeaderLenHot(p); }
/** Length of the message at `m` (drMsg), from its UDP header. */
export function drMsgLen(m: usize): i32 { return <i32>udpLength(m - <usize>UDP_HEADER_LEN) - UDP_HEADER_LEN; }

export const handlers: usize = memory.data(8 + 8 * MAX_HANDLERS, 4);  // key: message type

/** Forget every handler and listen on port 434 (init). */
export function mipInit(): void {
  handlersReset(handlers, MAX_HANDLERS);
  udpListen(MIP_PORT, mipInput);
}

/** Messages of `type` (or MIP_ANY) go to `fn` (several per type run in registration order until one returns ≥ 0). */
export function mipHandle(type: u32, fn: UdpHandler): void { handlersAdd(handlers, type, changetype<usize>(fn)); }

/** Key of the catch-all handlers: messages of a type nobody registered for, and empty ones. */
export const MIP_ANY: u32 = 0xffffffff;

/** A checked UDP datagram to port 434 (transport/udp.ts handler). */
function mipInput(iface: i32, p: usize, len: i32): i32 {
  const u = drPayload(p);
  // Why: an empty message or one of a type no role here registered for still belongs to the roles,
  // which count it as malformed or ignored (RFC 2002 §3.7.2.1, §3.6.2.1); the catch-all handlers see it.
  const t = <i32>udpLength(u) > UDP_HEADER_LEN ? <u32>load<u8>(u + <usize>UDP_HEADER_LEN) : MIP_ANY;
  const n = handlersCount(handlers);
  // The handlers of the type, then (when none is registered for it) the catch-all ones: one loop.
  let key = t;
  for (;;) {
    let known = false;
    for (let i = 0; i < n; i++) {
      if (handlerKey(handlers, i) != key) continue;
      known = true;
      const r = changetype<UdpHandler>(handlerFn(handlers, i))(iface, p, len);
      if (r >= 0) return r;
    }
    if (known || key == MIP_ANY) break;
    key = MIP_ANY;
  }
  return -1;
}

/**
 * IPv4 and UDP headers (from port 434 to `dport`, the next IP Identification, TTL config.defaultTtl)
 * in front of the `n`-byte message at `ip + 28`; the datagram's length. (Written once for the roles'
 * replies and updates.)
 */
export function mipEmit(ip: usize, src: u32, dst: u32, dport: i32, n: i32): i32 {
  return udpIpEmit(ip, ipNextIdent(), cfg.defaultTtl, src, dst, MIP_PORT, dport, n);
}
