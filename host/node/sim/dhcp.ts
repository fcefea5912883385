// A DHCP server of the emulated network (RFC 2131, options RFC 2132), written in JavaScript: it is
// part of the network, not of the firmware, and serves the mobile nodes' co-located care-of addresses.
// It sits on one segment like a board interface (a Port), answers ARP for its own address, and
// implements DISCOVER/OFFER, REQUEST/ACK/NAK in the SELECTING, INIT-REBOOT, RENEWING and REBINDING
// states, DECLINE, RELEASE and INFORM. Replies go where RFC 2131 §4.1 says: NAK broadcast, to ciaddr
// when the client has one, broadcast when the client set the BROADCAST flag, else unicast to yiaddr
// at the client's hardware address (no ARP needed). Relayed requests (giaddr set) are not served.
// Leases expire lazily (checked on every message), so the server needs no timer of its own.

import type { Engine } from "./engine.js";
import type { Segment, Port } from "./segment.js";
import { parseIpv4, Ipv4Info, ParseError, udpValid, finishUdp, get16, get32, IPPROTO_UDP } from "../packet.js";
import { ethFrame, arpFrame, parseArpFrame, etherType, ETHERTYPE_IPV4, ETHERTYPE_ARP, BROADCAST_MAC, ETH_HEADER } from "../frames.js";
import { formatIp, formatMac } from "../config.js";

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
export const DHCP_MAGIC = 0x63825363;
/** Fixed BOOTP part (op … file) before the magic cookie. */
export const BOOTP_FIXED = 236;
/** Message types (option 53). */
export const DHCPDISCOVER = 1, DHCPOFFER = 2, DHCPREQUEST = 3, DHCPDECLINE = 4, DHCPACK = 5, DHCPNAK = 6, DHCPRELEASE = 7, DHCPINFORM = 8;
/** Option codes used here (RFC 2132). */
export const OPT_PAD = 0, OPT_SUBNET_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_REQUESTED_IP = 50, OPT_LEASE_TIME = 51,
  OPT_OVERLOAD = 52, OPT_MESSAGE_TYPE = 53, OPT_SERVER_ID = 54, OPT_MESSAGE = 56, OPT_RENEWAL_T1 = 58, OPT_REBINDING_T2 = 59,
  OPT_CLIENT_ID = 61, OPT_END = 255;
/** BOOTP flags: the client cannot receive unicast before it has an address (RFC 2131 §2). */
export const FLAG_BROADCAST = 0x8000;

/** One DHCP message, parsed (options by code; repeated codes are concatenated, RFC 3396). */
export interface DhcpMessage {
  op: number; htype: number; hlen: number; hops: number; xid: number; secs: number; flags: number;
  ciaddr: number; yiaddr: number; siaddr: number; giaddr: number; chaddr: Uint8Array;
  options: Map<number, Uint8Array>;
  /** Option 53, 0 when absent. */
  type: number;
}

/**
 * Parse a DHCP message (the UDP payload). Returns null when it is not a well-formed DHCP message:
 * shorter than the fixed part and cookie, wrong cookie, an option running past the end.
 * Option overload (52) is honoured: options continue in `file` (1), `sname` (2) or both (3).
 */
export function parseDhcp(b: Uint8Array): DhcpMessage | null {
  if (b.length < BOOTP_FIXED + 4 || get32(b, BOOTP_FIXED) !== DHCP_MAGIC) return null;
  const options = new Map<number, Uint8Array>();
  const walk = (from: number, to: number): boolean => {
    let o = from;
    while (o < to) {
      const code = b[o];
      if (code === OPT_PAD) { o++; continue; }
      if (code === OPT_END) return true;
      if (o + 2 > to || o + 2 + b[o + 1] > to) return false;
      const v = b.subarray(o + 2, o + 2 + b[o + 1]);
      const prev = options.get(code);
      if (prev) { const c = new Uint8Array(prev.length + v.length); c.set(prev); c.set(v, prev.length); options.set(code, c); }
      else options.set(code, v);
      o += 2 + b[o + 1];
    }
    return true; // no END: tolerated at the end of a field
  };
  if (!walk(BOOTP_FIXED + 4, b.length)) return null;
  const ov = options.get(OPT_OVERLOAD);
  if (ov && ov.length === 1) {
    if ((ov[0] & 1) && !walk(108, 236)) return null; // file
    if ((ov[0] & 2) && !walk(44, 108)) return null; // sname
  }
  const t = options.get(OPT_MESSAGE_TYPE);
  return {
    op: b[0], htype: b[1], hlen: b[2], hops: b[3], xid: get32(b, 4), secs: get16(b, 8), flags: get16(b, 10),
    ciaddr: get32(b, 12), yiaddr: get32(b, 16), siaddr: get32(b, 20), giaddr: get32(b, 24),
    chaddr: b.slice(28, 28 + Math.min(16, b[2])), options, type: t && t.length === 1 ? t[0] : 0,
  };
}

/** Fields of a DHCP message to build (tests play the client with this; the server builds replies). */
export interface DhcpBuild {
  op: number; xid: number; flags?: number; secs?: number; ciaddr?: number; yiaddr?: number; siaddr?: number; giaddr?: number;
  chaddr: Uint8Array; type: number;
  /** Further options in order: [code, value bytes]. */
  options?: [number, Uint8Array][];
}

/** Build a DHCP message (UDP payload): fixed part, cookie, message type, options, END, padded to 300 bytes (RFC 1542 §2.1). */
export function buildDhcp(m: DhcpBuild): Uint8Array {
  const opts: number[] = [OPT_MESSAGE_TYPE, 1, m.type];
  for (const [code, v] of m.options ?? []) { opts.push(code, v.length); for (const x of v) opts.push(x); }
  opts.push(OPT_END);
  const b = new Uint8Array(Math.max(300, BOOTP_FIXED + 4 + opts.length));
  const dv = new DataView(b.buffer);
  b[0] = m.op; b[1] = 1; b[2] = 6; b[3] = 0;
  dv.setUint32(4, m.xid >>> 0); dv.setUint16(8, m.secs ?? 0); dv.setUint16(10, m.flags ?? 0);
  dv.setUint32(12, (m.ciaddr ?? 0) >>> 0); dv.setUint32(16, (m.yiaddr ?? 0) >>> 0);
  dv.setUint32(20, (m.siaddr ?? 0) >>> 0); dv.setUint32(24, (m.giaddr ?? 0) >>> 0);
  b.set(m.chaddr.subarray(0, 16), 28);
  dv.setUint32(BOOTP_FIXED, DHCP_MAGIC);
  b.set(opts, BOOTP_FIXED + 4);
  return b;
}

/** A 4-byte option value (address or seconds). */
export function u32Opt(v: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0); return b; }
function optU32(m: DhcpMessage, code: number): number | null {
  const v = m.options.get(code);
  return v && v.length === 4 ? get32(v, 0) : null;
}

export interface DhcpServerConfig {
  name: string; mac: Uint8Array; ip: number; prefixLen: number;
  poolStart: number; poolEnd: number; router: number; dns: number[]; leaseSec: number;
  /** Time from a request to the reply (processing), µs. */
  replyDelayUs: number;
  /** How long an offered address stays reserved for the client, µs. */
  offerHoldUs: number;
}

interface Lease {
  client: string; addr: number; chaddr: Uint8Array; state: "offered" | "bound";
  /** Offer hold or lease end (µs of virtual time). */
  untilUs: number;
}

export interface DhcpStats {
  discover: number; request: number; decline: number; release: number; inform: number;
  offer: number; ack: number; nak: number;
  /** Well-formed requests the server chose not to answer (other server selected, unknown client in INIT-REBOOT, relayed, pool exhausted). */
  ignored: number;
  /** Frames to port 67 that were not valid DHCP requests (bad IP/UDP, wrong op/htype/cookie, no message type). */
  malformed: number;
}

/** What the server did, for the event log. */
export type DhcpNotify = (kind: string, fields: Record<string, unknown>) => void;

export class DhcpServer implements Port {
  segment: Segment | null = null;
  readonly name: string;
  readonly stats: DhcpStats = { discover: 0, request: 0, decline: 0, release: 0, inform: 0, offer: 0, ack: 0, nak: 0, ignored: 0, malformed: 0 };
  /** Leases by client key (client identifier option, else hardware address). */
  readonly leases = new Map<string, Lease>();
  /** Client key by leased/offered address. */
  private readonly byAddr = new Map<number, string>();
  /** Last address each client held (offered again after expiry when still free, RFC 2131 §4.3.1). */
  private readonly previous = new Map<string, number>();
  /** Addresses a client declined (in use by someone else): never offered again. */
  readonly declined = new Set<number>();
  private readonly mask: number;
  private readonly ip = new Ipv4Info();
  private ipId = 0;

  constructor(readonly cfg: DhcpServerConfig, readonly engine: Engine, readonly notify?: DhcpNotify) {
    this.name = cfg.name;
    this.mask = cfg.prefixLen === 0 ? 0 : (~0 << (32 - cfg.prefixLen)) >>> 0;
  }

  /** Bound (unexpired) leases as {addr, mac, expiresMs}, in address order. */
  bindings(): { addr: string; mac: string; expiresMs: number }[] {
    this.expire();
    return [...this.leases.values()].filter((l) => l.state === "bound").sort((a, b) => a.addr - b.addr)
      .map((l) => ({ addr: formatIp(l.addr), mac: formatMac(l.chaddr), expiresMs: l.untilUs / 1000 }));
  }

  receive(frame: Uint8Array): void {
    const type = etherType(frame);
    if (type === ETHERTYPE_ARP) { this.arp(frame); return; }
    if (type !== ETHERTYPE_IPV4) return;
    const to = frame.subarray(0, 6);
    const forUs = (to[0] & 1) !== 0 || to.every((x, i) => x === this.cfg.mac[i]);
    if (!forUs) return;
    const pkt = frame.subarray(ETH_HEADER);
    const ip = this.ip;
    if (parseIpv4(pkt, ip) !== ParseError.OK || ip.proto !== IPPROTO_UDP || ip.len < 8) return;
    if (get16(pkt, ip.off + 2) !== DHCP_SERVER_PORT) return;
    if (ip.dst !== 0xffffffff && ip.dst !== this.cfg.ip && ip.dst !== ((this.cfg.ip | ~this.mask) >>> 0)) return;
    if (!udpValid(pkt, ip)) { this.stats.malformed++; return; }
    const m = parseDhcp(pkt.subarray(ip.off + 8, ip.off + get16(pkt, ip.off + 4)));
    // RFC 2131 §2: only BOOTREQUESTs from Ethernet clients (htype 1, hlen 6) with a message type.
    if (!m || m.op !== 1 || m.htype !== 1 || m.hlen !== 6 || m.type === 0) { this.stats.malformed++; return; }
    this.handle(m);
  }

  /** Answer ARP requests for the server's own address (clients renew by unicast). */
  private arp(frame: Uint8Array): void {
    const a = parseArpFrame(frame);
    if (!a || a.op !== 1 || a.targetIp !== this.cfg.ip) return;
    this.send(arpFrame(2, this.cfg.mac, this.cfg.ip, a.senderMac, a.senderIp), 0);
  }

  private clientKey(m: DhcpMessage): string {
    const id = m.options.get(OPT_CLIENT_ID);
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return id && id.length > 0 ? `id:${hex(id)}` : `hw:${hex(m.chaddr)}`;
  }

  private inPool(a: number): boolean { return a >= this.cfg.poolStart && a <= this.cfg.poolEnd; }
  private onSubnet(a: number): boolean { return ((a ^ this.cfg.ip) & this.mask) >>> 0 === 0; }

  /** Drop expired offers and leases. */
  private expire(): void {
    const now = this.engine.nowUs;
    for (const [k, l] of this.leases) {
      if (l.untilUs > now) continue;
      this.leases.delete(k);
      this.byAddr.delete(l.addr);
      if (l.state === "bound") { this.previous.set(k, l.addr); this.notify?.("dhcp_expired", { addr: formatIp(l.addr), mac: formatMac(l.chaddr) }); }
    }
  }

  private free(a: number, client: string): boolean {
    if (!this.inPool(a) || this.declined.has(a)) return false;
    const owner = this.byAddr.get(a);
    return owner === undefined || owner === client;
  }

  /** RFC 2131 §4.3.1: the client's current binding, else its previous address, else the requested one, else the first free. */
  private choose(m: DhcpMessage, client: string): number {
    const cur = this.leases.get(client);
    if (cur) return cur.addr;
    const prev = this.previous.get(client);
    if (prev !== undefined && this.free(prev, client)) return prev;
    const req = optU32(m, OPT_REQUESTED_IP);
    if (req !== null && this.free(req, client)) return req;
    for (let a = this.cfg.poolStart; a <= this.cfg.poolEnd; a++) if (this.free(a, client)) return a;
    return 0;
  }

  private setLease(client: string, addr: number, chaddr: Uint8Array, state: Lease["state"], untilUs: number): void {
    const old = this.leases.get(client);
    if (old && old.addr !== addr) this.byAddr.delete(old.addr);
    this.leases.set(client, { client, addr, chaddr: chaddr.slice(), state, untilUs });
    this.byAddr.set(addr, client);
  }

  private drop(client: string): void {
    const l = this.leases.get(client);
    if (!l) return;
    this.leases.delete(client);
    this.byAddr.delete(l.addr);
    this.previous.set(client, l.addr);
  }

  private handle(m: DhcpMessage): void {
    this.expire();
    // Relay agents are not supported: answering would need the relay's address and port 67.
    if (m.giaddr !== 0) { this.stats.ignored++; return; }
    const client = this.clientKey(m);
    const now = this.engine.nowUs;
    switch (m.type) {
      case DHCPDISCOVER: {
        this.stats.discover++;
        const addr = this.choose(m, client);
        if (addr === 0) { this.stats.ignored++; this.notify?.("dhcp_pool_exhausted", { mac: formatMac(m.chaddr) }); return; }
        const cur = this.leases.get(client);
        // Keep a bound lease bound (the client restarted); otherwise reserve the address for the offer.
        if (!cur || cur.state !== "bound") this.setLease(client, addr, m.chaddr, "offered", now + this.cfg.offerHoldUs);
        this.reply(m, DHCPOFFER, addr);
        return;
      }
      case DHCPREQUEST: {
        this.stats.request++;
        const sid = optU32(m, OPT_SERVER_ID);
        const req = optU32(m, OPT_REQUESTED_IP);
        const cur = this.leases.get(client);
        if (sid !== null) {
          // SELECTING (§4.3.2): the client answers one server's offer; the others withdraw theirs.
          if (sid !== this.cfg.ip) {
            if (cur && cur.state === "offered") this.drop(client);
            this.stats.ignored++;
            return;
          }
          if (!cur || req === null || req !== cur.addr || m.ciaddr !== 0) { this.nak(m, "no offer for that address"); return; }
          this.bind(m, client, cur.addr);
          return;
        }
        if (m.ciaddr === 0) {
          // INIT-REBOOT (§4.3.2): verify a remembered address; silent without a record of the client.
          if (req === null) { this.stats.malformed++; return; }
          if (!this.onSubnet(req)) { this.nak(m, "wrong network"); return; }
          if (!cur || cur.state !== "bound") {
            const prev = this.previous.get(client);
            if (prev === req && this.free(req, client)) { this.bind(m, client, req); return; }
            if (cur || prev !== undefined) { this.nak(m, "address not leased to this client"); return; }
            this.stats.ignored++;
            return;
          }
          if (cur.addr !== req) { this.nak(m, "address not leased to this client"); return; }
          this.bind(m, client, req);
          return;
        }
        // RENEWING (unicast) / REBINDING (broadcast), §4.3.2: extend the lease on ciaddr.
        if (cur && cur.state === "bound" && cur.addr === m.ciaddr) { this.bind(m, client, m.ciaddr); return; }
        if (cur || !this.onSubnet(m.ciaddr) || !this.free(m.ciaddr, client)) { this.nak(m, "address not leased to this client"); return; }
        this.stats.ignored++;
        return;
      }
      case DHCPDECLINE: {
        // §4.3.3: the address is in use by someone else; mark it and forget the client's binding.
        this.stats.decline++;
        const req = optU32(m, OPT_REQUESTED_IP);
        const cur = this.leases.get(client);
        if (req !== null && cur && cur.addr === req) {
          this.leases.delete(client);
          this.byAddr.delete(req);
          this.declined.add(req);
          this.notify?.("dhcp_declined", { addr: formatIp(req), mac: formatMac(m.chaddr) });
        }
        return;
      }
      case DHCPRELEASE: {
        // §4.3.4: free the lease, remember the address for the client.
        this.stats.release++;
        const cur = this.leases.get(client);
        if (cur && cur.addr === m.ciaddr) {
          this.drop(client);
          this.notify?.("dhcp_released", { addr: formatIp(m.ciaddr), mac: formatMac(m.chaddr) });
        }
        return;
      }
      case DHCPINFORM: {
        // §4.3.5: configuration only, no lease, sent to ciaddr.
        this.stats.inform++;
        if (m.ciaddr === 0) { this.stats.malformed++; return; }
        this.reply(m, DHCPACK, 0);
        return;
      }
      default:
        this.stats.malformed++;
    }
  }

  private bind(m: DhcpMessage, client: string, addr: number): void {
    const untilUs = this.engine.nowUs + this.cfg.leaseSec * 1e6;
    const was = this.leases.get(client);
    this.setLease(client, addr, m.chaddr, "bound", untilUs);
    this.notify?.(was?.state === "bound" ? "dhcp_renewed" : "dhcp_bound", { addr: formatIp(addr), mac: formatMac(m.chaddr), leaseSec: this.cfg.leaseSec });
    this.reply(m, DHCPACK, addr);
  }

  private nak(m: DhcpMessage, why: string): void {
    this.notify?.("dhcp_nak", { mac: formatMac(m.chaddr), reason: why });
    this.reply(m, DHCPNAK, 0, why);
  }

  private reply(m: DhcpMessage, type: number, yiaddr: number, message?: string): void {
    const c = this.cfg;
    const opts: [number, Uint8Array][] = [[OPT_SERVER_ID, u32Opt(c.ip)]];
    if (type === DHCPNAK) {
      if (message) opts.push([OPT_MESSAGE, new TextEncoder().encode(message)]);
    } else {
      if (yiaddr !== 0) {
        opts.push([OPT_LEASE_TIME, u32Opt(c.leaseSec)]);
        opts.push([OPT_RENEWAL_T1, u32Opt(Math.floor(c.leaseSec / 2))]);
        opts.push([OPT_REBINDING_T2, u32Opt(Math.floor((c.leaseSec * 7) / 8))]);
      }
      opts.push([OPT_SUBNET_MASK, u32Opt(this.mask)]);
      if (c.router) opts.push([OPT_ROUTER, u32Opt(c.router)]);
      if (c.dns.length) { const v = new Uint8Array(4 * c.dns.length); c.dns.forEach((d, i) => v.set(u32Opt(d), i * 4)); opts.push([OPT_DNS, v]); }
    }
    const cid = m.options.get(OPT_CLIENT_ID);
    if (cid && type !== DHCPNAK) opts.push([OPT_CLIENT_ID, cid]);
    // RFC 2131 Table 3: ciaddr echoed in ACK (0 in OFFER/NAK); xid, flags, giaddr, chaddr copied.
    const payload = buildDhcp({
      op: 2, xid: m.xid, flags: m.flags, ciaddr: type === DHCPACK ? m.ciaddr : 0, yiaddr, chaddr: m.chaddr, type, options: opts,
    });
    // RFC 2131 §4.1 destinations (giaddr is 0 here): NAK broadcast; ciaddr set → unicast to it;
    // BROADCAST flag → broadcast; else unicast to yiaddr at chaddr.
    let dstIp: number, dstMac: Uint8Array;
    if (type === DHCPNAK) { dstIp = 0xffffffff; dstMac = BROADCAST_MAC; }
    else if (m.ciaddr !== 0) { dstIp = m.ciaddr; dstMac = m.chaddr; }
    else if (m.flags & FLAG_BROADCAST) { dstIp = 0xffffffff; dstMac = BROADCAST_MAC; }
    else { dstIp = yiaddr; dstMac = m.chaddr; }
    const pkt = new Uint8Array(28 + payload.length);
    pkt.set(payload, 28);
    this.ipId = (this.ipId + 1) & 0xffff;
    finishUdp(pkt, payload.length, c.ip, dstIp, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, this.ipId, 64);
    if (type === DHCPOFFER) this.stats.offer++;
    else if (type === DHCPACK) this.stats.ack++;
    else if (type === DHCPNAK) this.stats.nak++;
    this.send(ethFrame(dstMac, c.mac, ETHERTYPE_IPV4, pkt), c.replyDelayUs);
  }

  private send(frame: Uint8Array, delayUs: number): void {
    if (delayUs <= 0) { this.segment?.send(this, frame); return; }
    this.engine.after(delayUs, (f: Uint8Array) => this.segment?.send(this, f), frame);
  }
}
