// Shared helpers for the mobile node and DHCP client tests (mip-mn.test.mjs, dhcp.test.mjs): a board with a
// fake clock that records when frames and events happened, frame decoding, and the peer messages the tests play
// (agent advertisements, registration replies, DHCP server replies).
import assert from "node:assert/strict";
import { host, firmware } from "./helpers.mjs";

export const ip = (s) => host.parseIp(s);
export const fmt = (a) => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
export const MN_MAC = host.mac("02:00:00:00:00:05");
export const HOME = ip("10.1.0.5"), HA = ip("10.1.0.1"), HA_MAC = host.mac("02:00:00:00:01:01");
export const FA1 = ip("10.2.0.1"), FA1_MAC = host.mac("02:00:00:00:02:01");
export const FA2 = ip("10.3.0.1"), FA2_MAC = host.mac("02:00:00:00:03:01");
export const FA1B = ip("10.2.0.2"), FA1B_MAC = host.mac("02:00:00:00:02:02");
export const ALL_NODES = ip("224.0.0.1"), ALL_NODES_MAC = host.mac("01:00:5e:00:00:01");
export const BCAST_MAC = host.mac("ff:ff:ff:ff:ff:ff");
export const KEY = new TextEncoder().encode("mobile-home secret");
export const SPI = 0x1234;
export const NTP_BASE = 3976214400n;
export const EV = { REG_REQUEST: 5, REG_REPLY: 6, MOVE: 7, AUTH_FAILED: 10, DHCP: 12, HOME: 13 };
export const MOVE = { NEW_AGENT: 1, LIFETIME_EXPIRED: 2, PREFIX_CHANGE: 3, AGENT_REBOOT: 4, LINK: 5, HOME: 6 };
// The helpers' fixed "random" bytes (i*37+11): every 32-bit draw is this value.
export const RND32 = 0x7a55300b;

export function mnJson({ mobility = {}, algorithm = "hmac-md5", sa = {}, extraSa = [], iface = {} } = {}) {
  return {
    name: "mn", roles: ["mobile-node"],
    interfaces: [{ name: "wlan0", mac: "02:00:00:00:00:05", ipv4: "10.1.0.5/24", dhcp: true, ...iface }],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { homeAgent: "10.1.0.1", lifetimeSec: 60, colocated: "never", retransmitMs: 1000, retransmitMaxMs: 8000, solicitIntervalMs: 1000, ...mobility },
    securityAssociations: [{ peer: "10.1.0.1", spi: SPI, algorithm, key: "text:mobile-home secret", ...sa }, ...extraSa],
  };
}

/** A board with a fake clock (`c.t`) that records when each frame and event happened. */
export function start(json, t0 = 0) {
  const c = { t: t0, tx: [], events: [], delivered: [], logs: [] };
  const cfg = host.validateConfig(json, json.name);
  c.board = new host.Board(firmware, cfg, {
    now: () => c.t,
    tx: (iface, frame) => c.tx.push({ iface, frame: frame.slice(), t: c.t }),
    deliver: (p) => c.delivered.push(p.slice()),
    event: (kind, data) => c.events.push({ kind, data: data.slice(), t: c.t }),
    log: (level, text) => c.logs.push({ level, text }),
    random: (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 255; },
  });
  c.board.init();
  return c;
}

/** Run every timer up to `target` ms. */
export function runTo(c, target) {
  for (let guard = 0; guard < 100000; guard++) {
    const n = c.board.tick(c.t);
    if (n > target) break;
    c.t = Math.max(c.t, n);
  }
  c.t = target;
  c.board.tick(target);
}

export const counters = (c) => c.board.counters();
export const get16 = (b, o) => (b[o] << 8) | b[o + 1];
export const get32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Decode a transmitted Ethernet frame (IPv4/UDP/ICMP/ARP fields). */
export function parse(f) {
  const r = { dstMac: f.slice(0, 6), srcMac: f.slice(6, 12), type: (f[12] << 8) | f[13] };
  if (r.type === 0x0806) { r.arp = host.parseArpFrame(f); return r; }
  if (r.type !== 0x0800) return r;
  const p = f.subarray(14);
  const ihl = (p[0] & 15) * 4, total = get16(p, 2);
  Object.assign(r, { ttl: p[8], proto: p[9], src: get32(p, 12), dst: get32(p, 16), ip: p.subarray(0, total), payload: p.subarray(ihl, total) });
  r.ipChecksumOk = host.checksum(p, 0, ihl) === 0;
  if (r.proto === 17) {
    r.sport = get16(r.payload, 0); r.dport = get16(r.payload, 2);
    r.udp = r.payload.subarray(8, get16(r.payload, 4));
  }
  if (r.proto === 1) { r.icmpType = r.payload[0]; r.icmpChecksumOk = host.checksum(r.payload, 0, r.payload.length) === 0; }
  return r;
}

export const frames = (c, from = 0) => c.tx.slice(from).map((x) => ({ ...parse(x.frame), t: x.t, iface: x.iface, raw: x.frame }));
export const solicitations = (c, from = 0) => frames(c, from).filter((f) => f.proto === 1 && f.icmpType === 10);
export const requests = (c, from = 0) => frames(c, from).filter((f) => f.proto === 17 && f.dport === 434).map((f) => ({ ...f, req: host.parseRegRequest(f.udp) }));
export const dhcpOut = (c, from = 0) => frames(c, from).filter((f) => f.proto === 17 && f.dport === 67).map((f) => ({ ...f, d: parseDhcp(f.udp) }));
export const arps = (c, from = 0) => frames(c, from).filter((f) => f.arp);
export const events = (c, kind) => c.events.filter((e) => e.kind === kind).map((e) => ({ ...decodeEvent(e.kind, e.data), t: e.t }));

/** Event records of ABI v2 (docs/abi.md "Events"): addresses 16 bytes, ::ffff:a.b.c.d (NaN otherwise). */
export function decodeEvent(kind, d) {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const ip = (o) => host.mappedV4(d, o);
  switch (kind) {
    case EV.REG_REQUEST: return { home: ip(4), ha: ip(20), coa: ip(36), lifetime: dv.getUint16(0, true), flags: d[2], viaFa: d[3] };
    case EV.REG_REPLY: return { home: ip(4), ha: ip(20), coa: ip(36), lifetime: dv.getUint16(0, true), code: d[2] };
    case EV.MOVE: return { iface: d[0], reason: d[1], seq: dv.getUint16(2, true), agent: ip(4), coa: ip(20) };
    case EV.AUTH_FAILED: return { role: d[0], ext: d[1], code: d[2], peer: ip(8), spi: dv.getUint32(4, true) };
    case EV.DHCP: return { op: d[0], addr: ip(8), router: ip(24), leaseSec: dv.getUint32(4, true) };
    case EV.HOME: return { atHome: d[0], agent: ip(4) };
  }
  return {};
}

/**
 * An Agent Advertisement frame (ICMP 9 with the mobility extension 16 and Prefix-Lengths 19) from
 * `src`/`mac`. `coa` null: the agent's own address as care-of address (if F).
 */
export function advert({ src, mac, dst = ALL_NODES, dstMac = ALL_NODES_MAC, seq = 1, raLife = 3, regLife = 40, flags = host.MA_F, coa = undefined, plen = 24, extra = null, ttl = 1 }) {
  const coas = coa === undefined ? ((flags & host.MA_F) ? [src] : []) : coa;
  const mobLen = 6 + 4 * coas.length;
  const len = 8 + 8 + 2 + mobLen + (plen === null ? 0 : 3) + (extra ? extra.length : 0);
  const m = new Uint8Array(len);
  const dv = new DataView(m.buffer);
  m[0] = 9; m[1] = 0; m[4] = 1; m[5] = 2; dv.setUint16(6, raLife);
  dv.setUint32(8, src >>> 0); dv.setUint32(12, 0);
  let o = 16;
  m[o] = 16; m[o + 1] = mobLen; dv.setUint16(o + 2, seq); dv.setUint16(o + 4, regLife); dv.setUint16(o + 6, flags);
  coas.forEach((a, i) => dv.setUint32(o + 8 + 4 * i, a >>> 0));
  o += 2 + mobLen;
  if (plen !== null) { m[o] = 19; m[o + 1] = 1; m[o + 2] = plen; o += 3; }
  if (extra) { m.set(extra, o); }
  dv.setUint16(2, host.checksum(m, 0, len));
  const p = new Uint8Array(20 + len);
  host.writeIpv4Header(p, p.length, 1, src, dst, 7, ttl);
  p.set(m, 20);
  return host.ethFrame(dstMac, mac, 0x0800, p);
}

export const keyOf = (algorithm, k = KEY, spi = SPI) => ({ spi, key: k, algorithm });

/** A Registration Reply for `req` (the parsed request) with mobile-home authentication. */
export function reply(req, { code = 0, lifetime = req.lifetimeSec, homeAgent = req.homeAgent, id = null, algorithm = "hmac-md5", key = KEY, spi = SPI, auth = true, extensions = null } = {}) {
  let msg = host.buildRegReply({ code, lifetimeSec: lifetime, home: req.home, homeAgent, id: id ?? req.id });
  if (extensions) msg = Uint8Array.from([...msg, ...extensions]);
  if (auth) msg = host.appendAuth(msg, host.EXT_MH_AUTH, keyOf(algorithm, key, spi));
  return msg;
}

/** A UDP frame from (src, mac) to the mobile node. */
export function udpFrame(src, mac, dst, sport, dport, payload) {
  return host.ethFrame(MN_MAC, mac, 0x0800, host.buildUdp(src, dst, sport, dport, payload, 9, 64));
}

/** Start an MN, hear FA1, return the context with its first request. */
export function awayViaFa1(opts = {}, advertOpts = {}) {
  const c = start(mnJson(opts));
  c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, ...advertOpts }));
  const rs = requests(c);
  assert.equal(rs.length, 1, "one registration request after the advertisement");
  return { c, r: rs[0] };
}

/** Accept the last request (reply relayed by FA1). */
export function accept(c, r, opts = {}) {
  return c.board.rx(0, udpFrame(FA1, FA1_MAC, HOME, 434, 434, reply(r.req, opts)));
}

// ---- DHCP -------------------------------------------------------------------------------------------

export const DHCP_SERVER = ip("10.9.0.2"), DHCP_MAC = host.mac("02:00:00:00:09:02");
export const ROUTER = ip("10.9.0.1"), ROUTER_MAC = host.mac("02:00:00:00:09:01");
export const COA = ip("10.9.0.50");

export function parseDhcp(b) {
  if (b.length < 240) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const opts = {};
  for (let o = 240; o < b.length;) {
    const code = b[o];
    if (code === 0) { o++; continue; }
    if (code === 255) break;
    opts[code] = b.slice(o + 2, o + 2 + b[o + 1]);
    o += 2 + b[o + 1];
  }
  return { op: b[0], xid: dv.getUint32(4), flags: dv.getUint16(10), ciaddr: dv.getUint32(12), chaddr: b.slice(28, 34), cookie: dv.getUint32(236), type: opts[53]?.[0], opts, len: b.length };
}

/** A DHCP reply (BOOTREPLY) from the test's server. */
export function dhcpReply(xid, type, { yiaddr = COA, server = DHCP_SERVER, lease = 600, mask = 24, router = ROUTER, t1 = null, t2 = null, chaddr = MN_MAC, omit = [] } = {}) {
  const b = new Uint8Array(300);
  const dv = new DataView(b.buffer);
  b[0] = 2; b[1] = 1; b[2] = 6; dv.setUint32(4, xid); dv.setUint32(16, yiaddr >>> 0); b.set(chaddr, 28);
  dv.setUint32(236, 0x63825363);
  let o = 240;
  const put = (code, bytes) => { if (omit.includes(code)) return; b[o] = code; b[o + 1] = bytes.length; b.set(bytes, o + 2); o += 2 + bytes.length; };
  const u32 = (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  put(53, [type]);
  put(54, u32(server));
  if (type !== 6) {
    put(51, u32(lease));
    put(1, u32(mask === 0 ? 0 : (~0 << (32 - mask)) >>> 0));
    put(3, u32(router));
    if (t1 !== null) put(58, u32(t1));
    if (t2 !== null) put(59, u32(t2));
  }
  b[o] = 255;
  return b;
}

export const fromServer = (payload, dst = 0xffffffff, dstMac = BCAST_MAC) =>
  host.ethFrame(dstMac, DHCP_MAC, 0x0800, host.buildUdp(DHCP_SERVER, dst, 67, 68, payload, 3, 64));

/** Start a co-located MN (no agents), run to the DHCP discover, complete DHCP and answer the router's ARP. */
export function colocated(opts = {}) {
  const c = start(mnJson({ mobility: { colocated: "auto", ...(opts.mobility ?? {}) } }));
  runTo(c, 2999);
  assert.equal(dhcpOut(c).length, 0, "agents get three solicitation intervals first");
  runTo(c, 3000);
  const [disc] = dhcpOut(c);
  assert.ok(disc, "DHCPDISCOVER after no foreign agent answered");
  c.board.rx(0, fromServer(dhcpReply(disc.d.xid, 2)));
  const [, reqm] = dhcpOut(c);
  c.board.rx(0, fromServer(dhcpReply(disc.d.xid, 5, opts.ack ?? {})));
  return { c, disc, reqm };
}

