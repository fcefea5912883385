// The emulated network's DHCP server (RFC 2131): driven with JS-built client packets on a segment,
// checking each reply's addressing (§4.1: broadcast flag, ciaddr, NAK broadcast), its fields and
// options, lease bookkeeping (offers, bindings, renewals, expiry, decline, release, inform), the
// messages it must not answer, ARP for its own address, and the scenario node of kind "dhcp-server".
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, firmware } from "./helpers.mjs";

const {
  Engine, Segment, Rng, DhcpServer, buildDhcp, parseDhcp, u32Opt, buildUdp, parseIpv4, Ipv4Info, udpValid, ethFrame, arpFrame,
  parseArpFrame, mac, parseIp, validateScenario, ScenarioError, Simulation,
  DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE, DHCPINFORM, FLAG_BROADCAST,
  OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_REQUESTED_IP, OPT_LEASE_TIME, OPT_SERVER_ID, OPT_RENEWAL_T1, OPT_REBINDING_T2, OPT_CLIENT_ID, OPT_MESSAGE,
} = host;

const SERVER = parseIp("10.4.0.2");
const SERVER_MAC = mac("02:00:00:00:04:02");
const BCAST = 0xffffffff;
const ip = (s) => parseIp(s);

/** A segment with the server and a listening test port; `send(frame)` plays a client. */
function setup(over = {}) {
  const engine = new Engine();
  const seg = new Segment("net", engine, new Rng(1), { delayUs: 10, jitterUs: 0, loss: 0, bandwidthBps: 0, queueFrames: 64 });
  const notes = [];
  const srv = new DhcpServer({
    name: "dhcp", mac: SERVER_MAC, ip: SERVER, prefixLen: 24, poolStart: ip("10.4.0.100"), poolEnd: ip("10.4.0.102"),
    router: ip("10.4.0.1"), dns: [ip("10.4.0.53")], leaseSec: 60, replyDelayUs: 500, offerHoldUs: 10e6, ...over,
  }, engine, (kind, f) => notes.push({ kind, ...f }));
  seg.attach(srv);
  const got = [];
  const port = { name: "client", segment: null, receive: (f) => got.push({ t: engine.nowUs, f }) };
  seg.attach(port);
  const send = (frame) => { seg.send(port, frame); engine.run(engine.nowUs + 10_000); };
  const take = () => got.splice(0);
  return { engine, seg, srv, send, take, notes };
}

/** A client message in an Ethernet frame: IP src 0 (or ciaddr), dst broadcast unless given. */
function client(m, { src = m.ciaddr ?? 0, dst = BCAST, dstMac = "ff:ff:ff:ff:ff:ff" } = {}) {
  const payload = buildDhcp({ op: 1, xid: 0x1234abcd, chaddr: mac(m.mac ?? "02:00:00:00:09:01"), ...m });
  return ethFrame(mac(dstMac), mac(m.mac ?? "02:00:00:00:09:01"), 0x0800, buildUdp(src, dst, 68, 67, payload, 7));
}

/** Parse a reply frame: Ethernet destination, IP and UDP header facts, the DHCP message. */
function reply(f) {
  const p = f.subarray(14);
  const info = new Ipv4Info();
  assert.equal(parseIpv4(p, info), 0, "valid IPv4 header");
  assert.equal(info.proto, 17);
  assert.ok(udpValid(p, info), "UDP checksum verifies");
  const u = info.off;
  const sport = (p[u] << 8) | p[u + 1], dport = (p[u + 2] << 8) | p[u + 3];
  const payload = p.subarray(u + 8, u + ((p[u + 4] << 8) | p[u + 5]));
  const m = parseDhcp(payload);
  assert.ok(m, "a DHCP message");
  const opt32 = (c) => { const v = m.options.get(c); return v ? new DataView(v.buffer, v.byteOffset).getUint32(0) : null; };
  return { ethDst: Array.from(f.subarray(0, 6)), src: info.src, dst: info.dst, sport, dport, len: payload.length, m, opt32 };
}
const BMAC = [255, 255, 255, 255, 255, 255];

test("dhcp: DISCOVER with the BROADCAST flag → OFFER broadcast, first pool address, every option", () => {
  const { send, take, engine } = setup();
  send(client({ type: DHCPDISCOVER, flags: FLAG_BROADCAST }));
  const [r] = take();
  assert.equal(r.t, 10 + 500 + 10, "segment delay + reply delay + segment delay");
  const x = reply(r.f);
  assert.deepEqual(x.ethDst, BMAC);
  assert.deepEqual([x.src, x.dst, x.sport, x.dport], [SERVER, BCAST, 67, 68]);
  assert.ok(x.len >= 300, "padded to the BOOTP minimum");
  assert.equal(x.m.op, 2);
  assert.equal(x.m.type, DHCPOFFER);
  assert.equal(x.m.xid, 0x1234abcd);
  assert.equal(x.m.flags, FLAG_BROADCAST, "flags copied");
  assert.equal(x.m.yiaddr, ip("10.4.0.100"));
  assert.equal(x.m.ciaddr, 0);
  assert.deepEqual(Array.from(x.m.chaddr), Array.from(mac("02:00:00:00:09:01")));
  assert.equal(x.opt32(OPT_SERVER_ID), SERVER);
  assert.equal(x.opt32(OPT_LEASE_TIME), 60);
  assert.equal(x.opt32(OPT_RENEWAL_T1), 30);
  assert.equal(x.opt32(OPT_REBINDING_T2), 52);
  assert.equal(x.opt32(OPT_SUBNET_MASK), 0xffffff00);
  assert.equal(x.opt32(OPT_ROUTER), ip("10.4.0.1"));
  assert.equal(x.opt32(OPT_DNS), ip("10.4.0.53"));
  assert.ok(engine.nowUs > 0);
});

test("dhcp: DISCOVER without the flag → OFFER unicast to yiaddr at the client's hardware address; requested address honoured", () => {
  const { send, take } = setup();
  send(client({ type: DHCPDISCOVER, options: [[OPT_REQUESTED_IP, u32Opt(ip("10.4.0.101"))]] }));
  const x = reply(take()[0].f);
  assert.deepEqual(x.ethDst, Array.from(mac("02:00:00:00:09:01")));
  assert.equal(x.dst, ip("10.4.0.101"));
  assert.equal(x.m.yiaddr, ip("10.4.0.101"));
  // An address outside the pool is not honoured.
  send(client({ type: DHCPDISCOVER, mac: "02:00:00:00:09:02", options: [[OPT_REQUESTED_IP, u32Opt(ip("10.4.0.7"))]] }));
  assert.equal(reply(take()[0].f).m.yiaddr, ip("10.4.0.100"));
});

test("dhcp: REQUEST in SELECTING → ACK and a binding; the offer is held for the client; other clients get other addresses", () => {
  const { send, take, srv, notes } = setup();
  send(client({ type: DHCPDISCOVER, flags: FLAG_BROADCAST }));
  const offered = reply(take()[0].f).m.yiaddr;
  send(client({ type: DHCPDISCOVER, mac: "02:00:00:00:09:02" }));
  assert.equal(reply(take()[0].f).m.yiaddr, ip("10.4.0.101"), "the first offer is reserved");
  send(client({ type: DHCPREQUEST, flags: FLAG_BROADCAST, options: [[OPT_SERVER_ID, u32Opt(SERVER)], [OPT_REQUESTED_IP, u32Opt(offered)]] }));
  const a = reply(take()[0].f);
  assert.equal(a.m.type, DHCPACK);
  assert.equal(a.m.yiaddr, offered);
  assert.equal(a.dst, BCAST);
  assert.equal(a.opt32(OPT_LEASE_TIME), 60);
  assert.deepEqual(srv.bindings().map((b) => [b.addr, b.mac]), [["10.4.0.100", "02:00:00:00:09:01"]]);
  assert.ok(notes.some((n) => n.kind === "dhcp_bound" && n.addr === "10.4.0.100"));
  assert.deepEqual([srv.stats.discover, srv.stats.offer, srv.stats.request, srv.stats.ack], [2, 2, 1, 1]);
});

test("dhcp: REQUEST naming another server withdraws our offer silently; a wrong address gets a broadcast NAK", () => {
  const { send, take, srv } = setup();
  send(client({ type: DHCPDISCOVER }));
  take();
  send(client({ type: DHCPREQUEST, options: [[OPT_SERVER_ID, u32Opt(ip("10.4.0.3"))], [OPT_REQUESTED_IP, u32Opt(ip("10.4.0.150"))]] }));
  assert.equal(take().length, 0, "no reply");
  assert.equal(srv.stats.ignored, 1);
  send(client({ type: DHCPDISCOVER, mac: "02:00:00:00:09:02" }));
  assert.equal(reply(take()[0].f).m.yiaddr, ip("10.4.0.100"), "the withdrawn address is free again");
  send(client({ type: DHCPREQUEST, mac: "02:00:00:00:09:02", options: [[OPT_SERVER_ID, u32Opt(SERVER)], [OPT_REQUESTED_IP, u32Opt(ip("10.4.0.102"))]] }));
  const n = reply(take()[0].f);
  assert.equal(n.m.type, DHCPNAK);
  assert.deepEqual(n.ethDst, BMAC, "NAK is broadcast even without the flag (§4.1)");
  assert.equal(n.dst, BCAST);
  assert.equal(n.m.yiaddr, 0);
  assert.equal(n.opt32(OPT_LEASE_TIME), null);
  assert.ok(n.m.options.get(OPT_MESSAGE).length > 0, "a message says why");
});

function bind(ctx, m = "02:00:00:00:09:01") {
  ctx.send(client({ type: DHCPDISCOVER, mac: m, flags: FLAG_BROADCAST }));
  const a = reply(ctx.take()[0].f).m.yiaddr;
  ctx.send(client({ type: DHCPREQUEST, mac: m, flags: FLAG_BROADCAST, options: [[OPT_SERVER_ID, u32Opt(SERVER)], [OPT_REQUESTED_IP, u32Opt(a)]] }));
  assert.equal(reply(ctx.take()[0].f).m.type, DHCPACK);
  return a;
}

test("dhcp: INIT-REBOOT: the client's address is confirmed, another subnet is NAKed, an unknown client gets no answer", () => {
  const ctx = setup();
  const a = bind(ctx);
  ctx.send(client({ type: DHCPREQUEST, flags: FLAG_BROADCAST, options: [[OPT_REQUESTED_IP, u32Opt(a)]] }));
  const ok = reply(ctx.take()[0].f);
  assert.deepEqual([ok.m.type, ok.m.yiaddr], [DHCPACK, a]);
  ctx.send(client({ type: DHCPREQUEST, options: [[OPT_REQUESTED_IP, u32Opt(ip("10.2.0.50"))]] }));
  assert.equal(reply(ctx.take()[0].f).m.type, DHCPNAK);
  ctx.send(client({ type: DHCPREQUEST, mac: "02:00:00:00:09:07", options: [[OPT_REQUESTED_IP, u32Opt(ip("10.4.0.101"))]] }));
  assert.equal(ctx.take().length, 0, "RFC 2131 §4.3.2: no record of the client → silent");
  ctx.send(client({ type: DHCPREQUEST, options: [[OPT_REQUESTED_IP, u32Opt(ip("10.4.0.101"))]] }));
  assert.equal(reply(ctx.take()[0].f).m.type, DHCPNAK, "known client asking for someone else's address");
});

test("dhcp: RENEWING by unicast (after ARP for the server) → ACK to ciaddr, lease extended; unknown renewals are NAKed", () => {
  const ctx = setup();
  const a = bind(ctx);
  const cmac = mac("02:00:00:00:09:01");
  ctx.send(arpFrame(1, cmac, a, new Uint8Array(6), SERVER));
  const arp = parseArpFrame(ctx.take()[0].f);
  assert.deepEqual([arp.op, arp.senderIp, Array.from(arp.senderMac), arp.targetIp], [2, SERVER, Array.from(SERVER_MAC), a]);
  ctx.send(arpFrame(1, cmac, a, new Uint8Array(6), ip("10.4.0.9")));
  assert.equal(ctx.take().length, 0, "ARP for other addresses is not answered");
  ctx.engine.run(40e6);
  const before = ctx.srv.bindings()[0].expiresMs;
  ctx.send(client({ type: DHCPREQUEST, ciaddr: a }, { dst: SERVER, dstMac: "02:00:00:00:04:02" }));
  const r = reply(ctx.take()[0].f);
  assert.equal(r.m.type, DHCPACK);
  assert.deepEqual(r.ethDst, Array.from(cmac));
  assert.equal(r.dst, a);
  assert.equal(r.m.ciaddr, a, "ciaddr echoed in the ACK");
  assert.ok(ctx.srv.bindings()[0].expiresMs > before + 39000, "lease restarted");
  // Unicast to another MAC is not for the server.
  ctx.send(client({ type: DHCPREQUEST, ciaddr: a }, { dst: SERVER, dstMac: "02:00:00:00:04:99" }));
  assert.equal(ctx.take().length, 0);
  ctx.send(client({ type: DHCPREQUEST, mac: "02:00:00:00:09:05", ciaddr: a }, { dst: SERVER, dstMac: "02:00:00:00:04:02" }));
  assert.equal(reply(ctx.take()[0].f).m.type, DHCPNAK, "renewing an address leased to another client");
});

test("dhcp: leases expire; the old client gets its previous address back when still free; exhausted pool → no offer", () => {
  const ctx = setup();
  const a = bind(ctx, "02:00:00:00:09:01");
  bind(ctx, "02:00:00:00:09:02");
  bind(ctx, "02:00:00:00:09:03");
  ctx.send(client({ type: DHCPDISCOVER, mac: "02:00:00:00:09:04" }));
  assert.equal(ctx.take().length, 0, "pool of three exhausted");
  assert.ok(ctx.notes.some((n) => n.kind === "dhcp_pool_exhausted"));
  ctx.engine.run(ctx.engine.nowUs + 61e6);
  assert.deepEqual(ctx.srv.bindings(), []);
  ctx.send(client({ type: DHCPDISCOVER, mac: "02:00:00:00:09:01" }));
  assert.equal(reply(ctx.take()[0].f).m.yiaddr, a);
  assert.ok(ctx.notes.some((n) => n.kind === "dhcp_expired"));
});

test("dhcp: DECLINE takes the address out of the pool; RELEASE frees it; INFORM gets configuration without a lease", () => {
  const ctx = setup();
  const a = bind(ctx);
  ctx.send(client({ type: DHCPDECLINE, options: [[OPT_REQUESTED_IP, u32Opt(a)], [OPT_SERVER_ID, u32Opt(SERVER)]] }));
  assert.equal(ctx.take().length, 0, "no reply to DECLINE");
  assert.ok(ctx.srv.declined.has(a));
  ctx.send(client({ type: DHCPDISCOVER }));
  const b = reply(ctx.take()[0].f).m.yiaddr;
  assert.notEqual(b, a);
  ctx.send(client({ type: DHCPREQUEST, options: [[OPT_SERVER_ID, u32Opt(SERVER)], [OPT_REQUESTED_IP, u32Opt(b)]] }));
  ctx.take();
  ctx.send(client({ type: DHCPRELEASE, ciaddr: b, options: [[OPT_SERVER_ID, u32Opt(SERVER)]] }, { dst: SERVER, dstMac: "02:00:00:00:04:02" }));
  assert.equal(ctx.take().length, 0, "no reply to RELEASE");
  assert.deepEqual(ctx.srv.bindings(), []);
  ctx.send(client({ type: DHCPINFORM, mac: "02:00:00:00:09:09", ciaddr: ip("10.4.0.77") }, { dst: SERVER, dstMac: "02:00:00:00:04:02" }));
  const i = reply(ctx.take()[0].f);
  assert.deepEqual([i.m.type, i.m.yiaddr, i.dst], [DHCPACK, 0, ip("10.4.0.77")]);
  assert.equal(i.opt32(OPT_LEASE_TIME), null);
  assert.equal(i.opt32(OPT_ROUTER), ip("10.4.0.1"));
  assert.deepEqual([ctx.srv.stats.decline, ctx.srv.stats.release, ctx.srv.stats.inform], [1, 1, 1]);
});

test("dhcp: the client identifier (option 61) keys the lease and is echoed", () => {
  const ctx = setup();
  const id = Uint8Array.from([1, 2, 0, 0, 0, 9, 1]);
  ctx.send(client({ type: DHCPDISCOVER, options: [[OPT_CLIENT_ID, id]] }));
  const x = reply(ctx.take()[0].f);
  assert.deepEqual(Array.from(x.m.options.get(OPT_CLIENT_ID)), Array.from(id));
  // Same hardware address, different identifier: another client, another address.
  ctx.send(client({ type: DHCPDISCOVER, options: [[OPT_CLIENT_ID, Uint8Array.from([1, 9])]] }));
  assert.notEqual(reply(ctx.take()[0].f).m.yiaddr, x.m.yiaddr);
});

test("dhcp: malformed and foreign messages are counted and never answered", () => {
  const ctx = setup();
  const good = buildDhcp({ op: 1, xid: 1, chaddr: mac("02:00:00:00:09:01"), type: DHCPDISCOVER });
  const frame = (payload, sport = 68, dport = 67) => ethFrame(mac("ff:ff:ff:ff:ff:ff"), mac("02:00:00:00:09:01"), 0x0800, buildUdp(0, BCAST, sport, dport, payload));
  const badCookie = good.slice(); badCookie[236] = 0;
  const truncated = good.slice(0, 240 + 2); truncated[240] = 53; truncated[241] = 5; // option runs past the end
  const reply2 = good.slice(); reply2[0] = 2; // BOOTREPLY from a "client"
  const tokenRing = good.slice(); tokenRing[1] = 6;
  const noType = buildDhcp({ op: 1, xid: 1, chaddr: mac("02:00:00:00:09:01"), type: 0 }).slice(); noType[240] = 0; noType[241] = 0; noType[242] = 0;
  for (const p of [good.slice(0, 200), badCookie, truncated, reply2, tokenRing, noType]) ctx.send(frame(p));
  const udpBad = frame(good); udpBad[14 + 20 + 6] ^= 0xff; // UDP checksum broken
  ctx.send(udpBad);
  assert.equal(ctx.take().length, 0);
  assert.equal(ctx.srv.stats.malformed, 7);
  ctx.send(frame(good, 68, 69));
  ctx.send(client({ type: DHCPDISCOVER, giaddr: ip("10.9.0.1") }));
  assert.equal(ctx.take().length, 0, "other port; relayed request");
  assert.equal(ctx.srv.stats.ignored, 1);
  assert.equal(ctx.srv.stats.offer, 0);
});

test("dhcp: option overload (52) and repeated options are understood", () => {
  const ctx = setup();
  const p = buildDhcp({ op: 1, xid: 5, chaddr: mac("02:00:00:00:09:01"), type: DHCPDISCOVER, options: [[52, Uint8Array.of(1)]] });
  // The requested address lives in the `file` field (offset 108).
  p.set([OPT_REQUESTED_IP, 4, 10, 4, 0, 102, 255], 108);
  ctx.send(ethFrame(mac("ff:ff:ff:ff:ff:ff"), mac("02:00:00:00:09:01"), 0x0800, buildUdp(0, BCAST, 68, 67, p)));
  assert.equal(reply(ctx.take()[0].f).m.yiaddr, ip("10.4.0.102"));
});

const scenario = () => ({
  name: "dhcp-net", durationMs: 3000,
  segments: [{ name: "net" }],
  nodes: [
    { kind: "dhcp-server", name: "dhcp1", mac: "02:00:00:00:04:02", ipv4: "10.4.0.2/24", attach: "net", pool: { start: "10.4.0.100", end: "10.4.0.150" }, router: "10.4.0.1", leaseSec: 600 },
    { name: "r", roles: ["router"], interfaces: [{ name: "eth0", mac: "02:00:00:00:04:01", ipv4: "10.4.0.1/24" }], attach: { eth0: "net" } },
  ],
});

test("dhcp: scenario node of kind dhcp-server: validated, attached, summarised", () => {
  const sc = validateScenario(scenario());
  assert.equal(sc.dhcpServers.length, 1);
  assert.equal(sc.nodes.length, 1);
  const sim = new Simulation(sc, firmware, { keepEvents: true });
  sim.run();
  const s = sim.summary();
  assert.deepEqual(Object.keys(s.dhcp), ["dhcp1"]);
  assert.equal(s.dhcp.dhcp1.bound, 0);
  assert.ok(!("dhcp1" in s.boards));
  const bad = scenario();
  Object.assign(bad.nodes[0], { pool: { start: "10.4.1.100", end: "10.4.0.99" }, router: "10.5.0.1", attach: "nowhere", leaseSec: 1, bogus: 1 });
  bad.nodes.push({ kind: "printer", name: "p" });
  let problems = [];
  try { validateScenario(bad); } catch (e) { assert.ok(e instanceof ScenarioError); problems = e.problems; }
  for (const w of [
    'scenario.nodes[0].bogus: expected one of the fields kind, name, mac, ipv4, attach, pool, router, dns, leaseSec, replyDelayMs, offerHoldMs, comment, got "bogus"',
    'scenario.nodes[0].attach: expected one of the segments net, got "nowhere"',
    'scenario.nodes[0].pool.start: expected a host address on the server\'s subnet, got "10.4.1.100"',
    'scenario.nodes[0].router: expected a router address on the server\'s subnet, got "10.5.0.1"',
    'scenario.nodes[0].leaseSec: expected an integer 10..2147483647, got 1',
    'scenario.nodes[2].kind: expected "board" (a firmware node, the default) or "dhcp-server", got "printer"',
  ]) assert.ok(problems.includes(w), `missing: ${w}\nhave:\n${problems.join("\n")}`);
  const own = scenario();
  own.nodes[0].pool = { start: "10.4.0.1", end: "10.4.0.3" };
  own.apps = [{ type: "ping", name: "p", from: "dhcp1", to: "r" }];
  try { validateScenario(own); assert.fail("accepted"); } catch (e) {
    assert.ok(e.problems.some((x) => x.startsWith("scenario.nodes[0].pool: expected a range that leaves out the server's own address")), e.problems.join("\n"));
    assert.ok(e.problems.some((x) => x.startsWith("scenario.apps[0].from: expected a firmware node")), e.problems.join("\n"));
  }
});
