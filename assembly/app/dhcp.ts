// DHCP client (RFC 2131, options RFC 2132) for a mobile node's co-located care-of address
// (RFC 2002 §1.6, §3.1). One client per interface; the acquired address becomes the interface's
// second address (netif alias) while its main address stays the home address.
//
//   dhcpStart ─> SELECTING: DHCPDISCOVER (broadcast) ─OFFER─> REQUESTING: DHCPREQUEST (broadcast,
//   options 50/54) ─ACK─> BOUND (alias set, DHCP event op 1, mn.ts told) ─T1─> RENEWING: DHCPREQUEST
//   unicast to the server (ciaddr) ─T2─> REBINDING: broadcast ─lease end─> lost (op 3, alias removed,
//   mn.ts told) and SELECTING again. An ACK while renewing/rebinding: op 2. A NAK: back to SELECTING
//   (after op 3 if an address was bound). dhcpStop: DHCPRELEASE when bound, alias removed, idle.
//
// Every message the client sends has the broadcast flag set while it has no address (RFC 2131
// §4.1: the interface still carries the home address, so a unicast to the offered address would not
// be accepted), client identifier 61 = type 1 + MAC, parameter request list 55 = 1 3 51 54 58 59,
// and is padded to the 300-byte BOOTP minimum. Retransmission (RFC 2131 §4.1): 4 s doubling to 64 s,
// randomised by ±1 s; RENEWING/REBINDING (§4.4.5): half the time left to T2 / the lease end, at
// least 60 s (less when less is left). Not implemented (documented): the ARP probe of the offered
// address before use (RFC 2131 §2.2 SHOULD; skipped for handoff latency), INIT-REBOOT, option
// overload (52), relay agents' unicast replies to an address we do not yet hold.
//
// Record per interface (stride 96): state u8 @0 | tries u8 @1 | prefixLen u8 @2 | pad | xid u32 @4 |
// server u32 @8 | offered u32 @12 | addr u32 @16 | router u32 @20 | leaseSec u32 @24 | timer i32 @28 |
// rtoMs i32 @32 | pad | t1AtMs i64 @40 | t2AtMs i64 @48 | expiresAtMs i64 @56 | serverMac[6] @64 |
// pad[2] | startedAtMs i64 @72 | requestAtMs i64 @80 (when the last DHCPREQUEST was sent).

import * as cfg from "../config";
import { C, count } from "../counters";
import { Ev, evBuf, evEmit, evAddr } from "../events";
import { nowMs } from "../clock";
import { MAX_IFACES, netifValid, netifUp, netifMac, netifSetAlias, prefixMask } from "../link/netif";
import { stackTimerArm, stackTimerDisarm, timerOwn, OWNER_DHCP } from "../sys/timers";
import { linkSendIp, linkSendIpTo } from "../stack/arp";
import { ipNextIdent } from "../stack/ip";
import { random32 } from "../security/replay";
import { udpListen } from "../transport/udp";
import { ipv4HeaderLen, ipv4Src, ipv4Dst, ipIsUnicastSource, IP_BROADCAST, IPV4_MIN_HEADER } from "../wire/ipv4";
import { macEqual, macIsZero } from "../wire/ethernet";
import { udpCheck, udpIpEmit, udpLength, UdpErr, UDP_HEADER_LEN } from "../wire/udp";

/** The client's one timer kind (tag = interface). */
const TK_DHCP: u16 = (OWNER_DHCP << 8);

/** UDP ports (RFC 2131 §4.1). */
export const DHCP_SERVER_PORT: u16 = 67;
export const DHCP_CLIENT_PORT: u16 = 68;

// Client states (RFC 2131 §4.4, Figure 5). Ordered: BOUND and after (>= DHCP_BOUND) hold an address.
export const DHCP_IDLE: i32 = 0;
export const DHCP_SELECTING: i32 = 1;
export const DHCP_REQUESTING: i32 = 2;
export const DHCP_BOUND: i32 = 3;
export const DHCP_RENEWING: i32 = 4;
export const DHCP_REBINDING: i32 = 5;

// Message types (option 53, RFC 2132 §9.6).
const DISCOVER: i32 = 1;
const OFFER: i32 = 2;
const REQUEST: i32 = 3;
const ACK: i32 = 5;
const NAK: i32 = 6;
const RELEASE: i32 = 7;

// BOOTP fixed part (RFC 2131 §2, Figure 1).
const B_OP: usize = 0;
const B_HTYPE: usize = 1;
const B_HLEN: usize = 2;
const B_XID: usize = 4;
const B_SECS: usize = 8;
const B_FLAGS: usize = 10;
const B_CIADDR: usize = 12;
const B_YIADDR: usize = 16;
const B_CHADDR: usize = 28;
const B_COOKIE: usize = 236;
const B_OPTIONS: i32 = 240;
// The magic cookie 99.130.83.99 (0x63825363) and the broadcast flag (0x8000) as stored in network
// order (as written, little-endian u32/u16): bswap of a constant would be a call at run time.
const MAGIC_COOKIE_NET: u32 = 0x63538263;
const FLAG_BROADCAST_NET: u16 = 0x0080;
/** BOOTP minimum message (RFC 1542 §2.1; some servers drop shorter ones). */
const BOOTP_MIN: i32 = 300;

// Options (RFC 2132).
const OPT_PAD: u8 = 0;
const OPT_MASK: u8 = 1;
const OPT_ROUTER: u8 = 3;
const OPT_REQUESTED_IP: u8 = 50;
const OPT_LEASE: u8 = 51;
const OPT_MSG_TYPE: u8 = 53;
const OPT_SERVER_ID: u8 = 54;
const OPT_PARAMS: u8 = 55;
const OPT_T1: u8 = 58;
const OPT_T2: u8 = 59;
const OPT_CLIENT_ID: u8 = 61;
const OPT_END: u8 = 255;

const R_STATE: usize = 0;
const R_TRIES: usize = 1;
const R_PLEN: usize = 2;
const R_XID: usize = 4;
const R_SERVER: usize = 8;
const R_OFFERED: usize = 12;
const R_ADDR: usize = 16;
const R_ROUTER: usize = 20;
const R_LEASE: usize = 24;
const R_TIMER: usize = 28;
const R_RTO: usize = 32;
const R_T1: usize = 40;
const R_T2: usize = 48;
const R_EXPIRES: usize = 56;
const R_SERVER_MAC: usize = 64;
const R_STARTED: usize = 72;
const R_REQ_AT: usize = 80;
const STRIDE: usize = 96;
const table: usize = memory.data(<i32>STRIDE * MAX_IFACES, 8);

const FIRST_RTO_MS: i32 = 4000;
const MAX_RTO_MS: i32 = 64000;
const RENEW_MIN_MS: i64 = 60000;
/** DHCPREQUESTs in REQUESTING before starting over with a DISCOVER. */
const REQUEST_TRIES: i32 = 4;
const LEASE_INFINITE: u32 = 0xffffffff;

const TX_CAP: i32 = 448;
const txBuf: usize = memory.data(TX_CAP, 16);
const TX_IP: usize = 64;

// Options of the message being processed.
let oType: i32 = 0;
let oServer: u32 = 0;
let oLease: u32 = 0;
let oHasLease = false;
let oMask: u32 = 0;
let oHasMask = false;
let oRouter: u32 = 0;
let oT1: u32 = 0;
let oT2: u32 = 0;

/** The record of interface `i` (0 <= i < MAX_IFACES). Why (size): a call (the mask, a no-op for a
 *  valid index, keeps the body over what the compiler's inliner copies to every caller). */
function rec(i: i32): usize { return table + <usize>(i & (MAX_IFACES - 1)) * STRIDE; }

/** Reset every client (tables are static). */
/** What the client reports (the mobile node listens): `addr` bound on `iface` with its `router`, or
 *  `addr` 0: the address of `iface` was lost (lease expired or NAK; the client starts over itself). */
export type DhcpListener = (iface: i32, addr: u32, router: u32) => void;
let listener: usize = 0;

/** Report bindings and losses to `fn` (at init; one listener). */
export function dhcpListen(fn: DhcpListener): void { listener = changetype<usize>(fn); }

function report(iface: i32, addr: u32, router: u32): void {
  if (listener != 0) changetype<DhcpListener>(listener)(iface, addr, router);
}

/** Reset every interface's client, take port 68 and the DHCP timers (init). */
export function dhcpInit(): void {
  listener = 0;
  udpListen(DHCP_CLIENT_PORT, dhcpUdp);
  timerOwn(OWNER_DHCP, dhcpTimer);
  memory.fill(table, 0, STRIDE * <usize>MAX_IFACES);
  for (let i = 0; i < MAX_IFACES; i++) store<i32>(rec(i), -1, R_TIMER);
}

function arm(r: usize, iface: i32, at: i64): void {
  store<i32>(r, stackTimerArm(load<i32>(r, R_TIMER), TK_DHCP, <u32>iface, at), R_TIMER);
}

function disarm(r: usize): void { store<i32>(r, stackTimerDisarm(load<i32>(r, R_TIMER)), R_TIMER); }


function emitEvent(op: u8, addr: u32, router: u32, leaseSec: u32): void {
  const b = evBuf();
  store<u32>(b, <u32>op);
  store<u32>(b, leaseSec, 4);
  evAddr(8, addr);
  evAddr(24, router);
  evEmit(Ev.DHCP, 40);
}

function putOpt4(o: usize, code: u8, v: u32): usize {
  store<u8>(o, code);
  store<u8>(o, 4, 1);
  store<u32>(o + 2, bswap<u32>(v));
  return o + 6;
}

/** Build and send a client message of `type` on `iface`. */
function send(iface: i32, type: i32): void {
  const r = rec(iface);
  const state = <i32>load<u8>(r, R_STATE);
  const ip = txBuf + TX_IP;
  const udp = ip + <usize>IPV4_MIN_HEADER;
  const b = udp + <usize>UDP_HEADER_LEN;
  memory.fill(b, 0, <usize>BOOTP_MIN);
  const bound = state >= DHCP_RENEWING || type == RELEASE;
  const ciaddr = bound ? load<u32>(r, R_ADDR) : 0;
  // op 1 BOOTREQUEST, htype 1 Ethernet, hlen 6, hops 0 (B_OP, B_HTYPE, B_HLEN in one word).
  store<u32>(b, 0x00060101, B_OP);
  store<u32>(b, bswap<u32>(load<u32>(r, R_XID)), B_XID);
  const secs = min(max((nowMs() - load<i64>(r, R_STARTED)) / 1000, 0), 0xffff);
  store<u16>(b, bswap<u16>(<u16>secs), B_SECS);
  // Why: RFC 2131 §4.1: a client that cannot receive unicast datagrams before its address is
  // configured sets the broadcast bit (ours carries the home address, not the offered one).
  store<u16>(b, ciaddr == 0 ? FLAG_BROADCAST_NET : 0, B_FLAGS);
  store<u32>(b, bswap<u32>(ciaddr), B_CIADDR);
  memory.copy(b + B_CHADDR, netifMac(iface), 6);
  store<u32>(b, MAGIC_COOKIE_NET, B_COOKIE);
  let o = b + <usize>B_OPTIONS;
  // Message type (53, length 1, `type`), then client identifier (61, length 7, hardware type 1, MAC).
  store<u32>(o, <u32>OPT_MSG_TYPE | 1 << 8 | <u32>type << 16 | <u32>OPT_CLIENT_ID << 24);
  store<u16>(o, 7 | 1 << 8, 4);
  memory.copy(o + 6, netifMac(iface), 6);
  o += 12;
  if (type == REQUEST && state == DHCP_REQUESTING) {
    // Why: RFC 2131 §4.3.2 SELECTING: 'requested IP address' and 'server identifier' MUST be filled in.
    o = putOpt4(o, OPT_REQUESTED_IP, load<u32>(r, R_OFFERED));
    o = putOpt4(o, OPT_SERVER_ID, load<u32>(r, R_SERVER));
  }
  if (type == RELEASE) o = putOpt4(o, OPT_SERVER_ID, load<u32>(r, R_SERVER));
  if (type == DISCOVER || type == REQUEST) {
    // Parameter request list (55, length 6): mask, router, lease, server identifier, T1, T2.
    store<u64>(o, <u64>OPT_PARAMS | 6 << 8 | <u64>OPT_MASK << 16 | <u64>OPT_ROUTER << 24 | <u64>OPT_LEASE << 32 |
      <u64>OPT_SERVER_ID << 40 | <u64>OPT_T1 << 48 | <u64>OPT_T2 << 56);
    o += 8;
  }
  store<u8>(o, OPT_END);
  const blen = BOOTP_MIN;
  // Why: RFC 2131 §4.3.2/§4.4.5: RENEWING (and RELEASE) unicast to the server, REBINDING and
  // everything before an address is bound broadcast.
  const unicast = state == DHCP_RENEWING || type == RELEASE;
  const dst = unicast ? load<u32>(r, R_SERVER) : IP_BROADCAST;
  const total = udpIpEmit(ip, ipNextIdent(), cfg.defaultTtl, ciaddr, dst, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, blen);
  if (type == REQUEST) store<i64>(r, nowMs(), R_REQ_AT);
  count(C.DHCP_TX);
  if (unicast && !macIsZero(r + R_SERVER_MAC)) {
    // To the MAC the server's (or its relay's) replies came from: no ARP needed on a foreign link.
    linkSendIpTo(iface, r + R_SERVER_MAC, ip, total);
  } else {
    linkSendIp(iface, unicast ? dst : IP_BROADCAST, ip, total);
  }
}

/** Send `type` on `iface` and arm the retransmission: the current timeout ±1 s (RFC 2131 §4.1),
 *  then the timeout doubles. */
function retransmit(iface: i32, type: i32, now: i64): void {
  send(iface, type);
  const r = rec(iface);
  const rto = load<i32>(r, R_RTO);
  const jitter = <i64>(random32() % 2001) - 1000;
  store<i32>(r, min(rto * 2, MAX_RTO_MS), R_RTO);
  const d = <i64>rto + jitter;
  arm(r, iface, now + (d < 1000 ? 1000 : d));
}

/** Enter `state` (SELECTING or REQUESTING) with fresh retransmission state and send `type`. */
function enter(iface: i32, state: i32, type: i32): void {
  const r = rec(iface);
  store<u8>(r, <u8>state, R_STATE);
  store<u8>(r, 0, R_TRIES);
  store<i32>(r, FIRST_RTO_MS, R_RTO);
  retransmit(iface, type, nowMs());
}

/** Enter SELECTING with a new transaction and send a DISCOVER. */
function discover(iface: i32): void {
  const r = rec(iface);
  store<u32>(r, random32(), R_XID);
  store<i64>(r, nowMs(), R_STARTED);
  enter(iface, DHCP_SELECTING, DISCOVER);
}

/** Start acquiring an address on `iface` (no-op while acquiring; re-reports a bound address). */
export function dhcpStart(iface: i32): void {
  if (!netifValid(iface)) return;
  const r = rec(iface);
  const st = <i32>load<u8>(r, R_STATE);
  if (st >= DHCP_BOUND) {
    report(iface, load<u32>(r, R_ADDR), load<u32>(r, R_ROUTER));
    return;
  }
  if (st != DHCP_IDLE) return;
  discover(iface);
}

/** Stop and release: DHCPRELEASE when an address is bound and the link is up, alias removed. */
export function dhcpStop(iface: i32): void {
  if (<u32>iface >= <u32>MAX_IFACES) return;
  const r = rec(iface);
  const st = <i32>load<u8>(r, R_STATE);
  if (st == DHCP_IDLE) return;
  // Why: RFC 2131 §4.4.6: a client gives its lease back with DHCPRELEASE when it no longer needs it.
  if (st >= DHCP_BOUND && netifUp(iface)) send(iface, RELEASE);
  disarm(r);
  if (load<u32>(r, R_ADDR) != 0) netifSetAlias(iface, 0, 0);
  memory.fill(r, 0, STRIDE);
  store<i32>(r, -1, R_TIMER);
}

/** The bound address is gone: event, alias removed, mn.ts told, start over. */
function lost(iface: i32): void {
  const r = rec(iface);
  const addr = load<u32>(r, R_ADDR);
  emitEvent(3, addr, load<u32>(r, R_ROUTER), 0);
  netifSetAlias(iface, 0, 0);
  store<u32>(r, 0, R_ADDR);
  store<u32>(r, 0, R_ROUTER);
  report(iface, 0, 0);
  // mn.ts may have stopped the client; otherwise look for a new lease.
  if (load<u8>(r, R_STATE) != DHCP_IDLE) discover(iface);
}

/** Prefix length of a contiguous netmask, or -1. */
function maskLen(m: u32): i32 {
  const n = <i32>popcnt(m);
  return prefixMask(n) == m ? n : -1;
}

/** The options with one 4-byte value as a bit set over the codes (each below 64). */
const FOUR_BYTE_OPTS: u64 = 1 << <u64>OPT_SERVER_ID | 1 << <u64>OPT_LEASE | 1 << <u64>OPT_MASK | 1 << <u64>OPT_T1 | 1 << <u64>OPT_T2;

/**
 * Walk the options of the `blen`-byte message at `b` into the o* variables. False when an option
 * runs past the end or has a length its format does not allow (RFC 2132).
 */
function parseOptions(b: usize, blen: i32): bool {
  oType = 0; oServer = 0; oLease = 0; oHasLease = false; oMask = 0; oHasMask = false; oRouter = 0; oT1 = 0; oT2 = 0;
  let o = B_OPTIONS;
  while (o < blen) {
    const code = load<u8>(b + <usize>o);
    if (code == OPT_PAD) { o++; continue; }
    if (code == OPT_END) return true;
    // Why: RFC 2132 §2: every other option has a length octet and lies inside the message.
    if (o + 2 > blen) return false;
    const l = <i32>load<u8>(b + <usize>o + 1);
    if (o + 2 + l > blen) return false;
    const v = b + <usize>(o + 2);
    if (code == OPT_MSG_TYPE) { if (l != 1) return false; oType = <i32>load<u8>(v); }
    else if (code == OPT_ROUTER) { if (l < 4 || (l & 3) != 0) return false; oRouter = cfg.be32(v); }
    else if (code < 64 && ((FOUR_BYTE_OPTS >> <u64>code) & 1) != 0) {
      // The options with one 4-byte value (RFC 2132 §3.3, §9.2, §9.7, §9.11, §9.12).
      if (l != 4) return false;
      const x = cfg.be32(v);
      if (code == OPT_SERVER_ID) oServer = x;
      else if (code == OPT_LEASE) { oLease = x; oHasLease = true; }
      else if (code == OPT_MASK) { oMask = x; oHasMask = true; }
      else if (code == OPT_T1) oT1 = x;
      else oT2 = x;
    }
    o += 2 + l;
  }
  // Why: RFC 2131 §4.1 / RFC 2132 §3.2: the options end with the End option; a message cut short
  // before it is treated as truncated.
  return false;
}

/** Apply an ACK with address `yiaddr`: the lease starts when the REQUEST was sent (RFC 2131 §4.4.1). */
function bind(iface: i32, yiaddr: u32, macSrc: usize): void {
  const r = rec(iface);
  const prevAddr = load<u32>(r, R_ADDR);
  const renewed = prevAddr == yiaddr && load<u8>(r, R_STATE) != DHCP_REQUESTING;
  let plen = 24; // no subnet mask option: /24 (documented)
  if (oHasMask) plen = maskLen(oMask);
  const lease = oLease;
  const start = load<i64>(r, R_REQ_AT);
  store<u8>(r, DHCP_BOUND, R_STATE);
  store<u8>(r, <u8>plen, R_PLEN);
  store<u32>(r, yiaddr, R_ADDR);
  store<u32>(r, oServer != 0 ? oServer : load<u32>(r, R_SERVER), R_SERVER);
  store<u32>(r, oRouter, R_ROUTER);
  store<u32>(r, lease, R_LEASE);
  memory.copy(r + R_SERVER_MAC, macSrc, 6);
  disarm(r);
  if (lease != LEASE_INFINITE) {
    const ms = <i64>lease * 1000;
    // Why: RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease; values that are not
    // T1 < T2 < lease are replaced by the defaults.
    let t1 = <i64>oT1 * 1000;
    let t2 = <i64>oT2 * 1000;
    if (t2 == 0 || t2 >= ms) t2 = ms * 7 / 8;
    if (t1 == 0 || t1 >= t2) t1 = ms / 2;
    store<i64>(r, start + t1, R_T1);
    store<i64>(r, start + t2, R_T2);
    store<i64>(r, start + ms, R_EXPIRES);
    arm(r, iface, start + t1);
  }
  if (prevAddr != 0 && prevAddr != yiaddr) report(iface, 0, 0);
  netifSetAlias(iface, yiaddr, <u8>plen);
  emitEvent(renewed ? 2 : 1, yiaddr, oRouter, lease);
  if (!renewed) report(iface, yiaddr, oRouter);
}

/** UDP to port 68 on `iface` while its client runs; -1 when not the client's. */
export function dhcpUdp(iface: i32, p: usize, len: i32): i32 {
  if (<u32>iface >= <u32>MAX_IFACES) return -1;
  const r = rec(iface);
  const st = <i32>load<u8>(r, R_STATE);
  const hl = ipv4HeaderLen(p);
  const u = p + <usize>hl;
  const ul = len - hl;
  // Source port 67 and destination port 68: the first word as stored (bytes 00 43 00 44).
  if (ul < UDP_HEADER_LEN || load<u32>(u) != (<u32>DHCP_SERVER_PORT << 8 | <u32>DHCP_CLIENT_PORT << 24)) return -1;
  // Not running here: the local stack may have a DHCP client of its own.
  if (st == DHCP_IDLE) return -1;
  // The checksum was checked by transport/udp.ts.
  const b = u + <usize>UDP_HEADER_LEN;
  const blen = <i32>udpLength(u) - UDP_HEADER_LEN;
  // Why: RFC 2131 §2: the fixed part and the magic cookie (236 + 4 bytes) are mandatory.
  if (blen < B_OPTIONS) { count(C.DHCP_MALFORMED); return 1; }
  // Why: RFC 2131 §4.1: a client only takes BOOTREPLYs for its own transaction (xid, chaddr).
  if (load<u8>(b, B_OP) != 2 || load<u8>(b, B_HTYPE) != 1 || load<u8>(b, B_HLEN) != 6 ||
      cfg.be32(b + B_XID) != load<u32>(r, R_XID) || !macEqual(b + B_CHADDR, netifMac(iface))) {
    count(C.DHCP_IGNORED);
    return 1;
  }
  if (load<u32>(b, B_COOKIE) != MAGIC_COOKIE_NET || !parseOptions(b, blen) || oType == 0) { count(C.DHCP_MALFORMED); return 1; }
  const yiaddr = cfg.be32(b + B_YIADDR);
  if (st == DHCP_SELECTING) {
    // Why: RFC 2131 §4.4.1: an OFFER names the address (a usable unicast one) and its server (54).
    if (oType != OFFER) { count(C.DHCP_IGNORED); return 1; }
    if (!ipIsUnicastSource(yiaddr) || oServer == 0) { count(C.DHCP_MALFORMED); return 1; }
    count(C.DHCP_RX);
    store<u32>(r, yiaddr, R_OFFERED);
    store<u32>(r, oServer, R_SERVER);
    enter(iface, DHCP_REQUESTING, REQUEST);
    return 0;
  }
  if (st >= DHCP_REQUESTING) {
    if (<u32>oType - ACK >= 2) { count(C.DHCP_IGNORED); return 1; } // neither ACK (5) nor NAK (6)
    // Why: RFC 2131 §4.3.2/§4.4.1: in REQUESTING only the selected server answers.
    if (st == DHCP_REQUESTING && oServer != 0 && oServer != load<u32>(r, R_SERVER)) { count(C.DHCP_IGNORED); return 1; }
    if (oType == NAK) {
      // Why: RFC 2131 §4.4.1/§4.4.5: a NAK ends the lease (if any) and restarts configuration.
      count(C.DHCP_RX);
      count(C.DHCP_NAK);
      if (load<u32>(r, R_ADDR) != 0) lost(iface);
      else discover(iface);
      return 0;
    }
    if (st == DHCP_BOUND) { count(C.DHCP_IGNORED); return 1; } // a duplicate ACK
    const want = st == DHCP_REQUESTING ? load<u32>(r, R_OFFERED) : load<u32>(r, R_ADDR);
    // Why: RFC 2131 §4.3.1: the ACK of a DHCPREQUEST MUST carry the lease time; the address must be
    // the one requested, and the mask contiguous.
    if (yiaddr != want || !oHasLease || (oHasMask && maskLen(oMask) < 0)) { count(C.DHCP_MALFORMED); return 1; }
    count(C.DHCP_RX);
    bind(iface, yiaddr, p - 8);
    return 0;
  }
  count(C.DHCP_IGNORED);
  return 1;
}

/** Retransmissions and the lease's T1 / T2 / end (tag = interface). */
export function dhcpTimer(kind: u16, tag: u32, now: i64): void {
  const iface = <i32>tag;
  if (kind != TK_DHCP || <u32>iface >= <u32>MAX_IFACES) return;
  const r = rec(iface);
  store<i32>(r, -1, R_TIMER);
  const st = <i32>load<u8>(r, R_STATE);
  if (st == DHCP_SELECTING) {
    retransmit(iface, DISCOVER, now);
  } else if (st == DHCP_REQUESTING) {
    const tries = <i32>load<u8>(r, R_TRIES) + 1;
    if (tries >= REQUEST_TRIES) { discover(iface); return; }
    store<u8>(r, <u8>tries, R_TRIES);
    retransmit(iface, REQUEST, now);
  } else if (st >= DHCP_BOUND) {
    const t2 = load<i64>(r, R_T2);
    const end = load<i64>(r, R_EXPIRES);
    if (now >= end) { lost(iface); return; }
    let next = end;
    if (now >= t2) {
      // Why: RFC 2131 §4.4.5: at T2 the client broadcasts to any server (REBINDING).
      store<u8>(r, DHCP_REBINDING, R_STATE);
    } else {
      // Why: RFC 2131 §4.4.5: at T1 the client asks its server, by unicast (RENEWING).
      store<u8>(r, DHCP_RENEWING, R_STATE);
      next = t2;
    }
    send(iface, REQUEST);
    // Half the time left to the next transition, at least 60 s (RFC 2131 §4.4.5).
    const half = (next - now) / 2;
    arm(r, iface, half >= RENEW_MIN_MS ? now + half : next);
  }
}
