// DHCP client (assembly/app/dhcp.ts, RFC 2131) on a mobile node board: the test plays the DHCP server.
// Selection, renewal (T1, unicast), rebinding (T2, broadcast), lease end, NAK, retransmission timing, and
// malformed or foreign replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host } from "./helpers.mjs";
import {
  COA, DHCP_MAC, DHCP_SERVER, EV, FA1_MAC, HA, MN_MAC, RND32, ROUTER, ROUTER_MAC, arps, colocated, counters,
  dhcpOut, dhcpReply, events, fromServer, ip, mnJson, reply, requests, runTo, start,
} from "./mn-helpers.mjs";

test("dhcp: renew at T1 by unicast, rebind at T2 by broadcast, lease end -> lost (event op 3) and a new DISCOVER", () => {
  const { c, disc } = colocated({ ack: { lease: 100 } });
  c.board.rx(0, host.arpFrame(2, ROUTER_MAC, ROUTER, MN_MAC, COA));
  const r = requests(c)[0];
  c.board.rx(0, host.ethFrame(MN_MAC, ROUTER_MAC, 0x0800, host.buildUdp(HA, COA, 434, 434, reply(r.req, { lifetime: 3600 }), 5, 60)));
  const n0 = dhcpOut(c).length;
  // The lease started when the REQUEST was sent (t = 3000): T1 = 3000 + 50 s.
  runTo(c, 52999);
  assert.equal(dhcpOut(c).length, n0);
  runTo(c, 53000);
  const renew = dhcpOut(c).at(-1);
  assert.equal(renew.d.type, 3);
  assert.equal(renew.d.ciaddr, COA);
  assert.equal(renew.d.flags, 0);
  assert.equal(renew.src, COA);
  assert.equal(renew.dst, DHCP_SERVER);
  assert.deepEqual(renew.dstMac, DHCP_MAC, "to the server's MAC, learnt from its replies");
  assert.equal(renew.d.opts[50], undefined);
  c.board.rx(0, fromServer(dhcpReply(disc.d.xid, 5, { lease: 100 }), COA, MN_MAC));
  assert.deepEqual(events(c, EV.DHCP).map((e) => e.op), [1, 2]);
  // Renewed at 53 s: T1 = 103 s, T2 = 53 + 87.5 = 140.5 s, end 153 s. Ignore every renewal.
  runTo(c, 140499);
  const before = dhcpOut(c).length;
  runTo(c, 140500);
  const rebind = dhcpOut(c).at(-1);
  assert.equal(dhcpOut(c).length, before + 1);
  assert.equal(rebind.dst, 0xffffffff, "REBINDING broadcasts");
  assert.equal(rebind.d.ciaddr, COA);
  runTo(c, 153000);
  assert.deepEqual(events(c, EV.DHCP).map((e) => e.op), [1, 2, 3]);
  const last = dhcpOut(c).at(-1);
  assert.equal(last.d.type, 1, "starts over");
  // The care-of address is gone: ARP for it is no longer answered.
  const n = c.tx.length;
  c.board.rx(0, host.arpFrame(1, ROUTER_MAC, ROUTER, new Uint8Array(6), COA));
  assert.equal(arps(c, n).length, 0);
});

test("dhcp: NAK in REQUESTING restarts with a DISCOVER; retransmissions 4 s doubling ±1 s", () => {
  const c = start(mnJson({ mobility: { colocated: "auto" } }));
  runTo(c, 3000);
  const [disc] = dhcpOut(c);
  runTo(c, 33000);
  const times = dhcpOut(c).map((x) => x.t);
  const j = (RND32 % 2001) - 1000;
  assert.deepEqual(times.slice(0, 4), [3000, 3000 + 4000 + j, 3000 + 12000 + 2 * j, 3000 + 28000 + 3 * j]);
  c.board.rx(0, fromServer(dhcpReply(disc.d.xid, 2)));
  assert.equal(dhcpOut(c).at(-1).d.type, 3);
  const n = dhcpOut(c).length;
  c.board.rx(0, fromServer(dhcpReply(disc.d.xid, 6)));
  assert.equal(counters(c).dhcp_nak, 1);
  assert.equal(dhcpOut(c).length, n + 1);
  assert.equal(dhcpOut(c).at(-1).d.type, 1);
  assert.equal(events(c, EV.DHCP).length, 0, "nothing was bound: no lost event");
});

test("dhcp: malformed or foreign DHCP messages never trap and are counted", () => {
  const c = start(mnJson({ mobility: { colocated: "auto" } }));
  runTo(c, 3000);
  const [disc] = dhcpOut(c);
  const xid = disc.d.xid;
  const good = dhcpReply(xid, 2);
  let mal = 0;
  for (let len = 0; len < 240; len += 7) { c.board.rx(0, fromServer(good.slice(0, len))); mal++; }
  { const b = good.slice(); b[236] = 0; c.board.rx(0, fromServer(b)); mal++; }                  // bad cookie
  { const b = good.slice(); b[241] = 250; c.board.rx(0, fromServer(b)); mal++; }                // option overrun
  { const b = good.slice(); b.fill(0, 240); c.board.rx(0, fromServer(b)); mal++; }              // no End, no type
  { const b = good.slice(); b[241] = 2; c.board.rx(0, fromServer(b)); mal++; }                  // type length 2
  c.board.rx(0, fromServer(dhcpReply(xid, 2, { omit: [54] }))); mal++;                         // offer without server id
  c.board.rx(0, fromServer(dhcpReply(xid, 2, { yiaddr: 0 }))); mal++;
  assert.equal(counters(c).dhcp_malformed, mal);
  c.board.rx(0, fromServer(dhcpReply(xid + 1, 2)));
  c.board.rx(0, fromServer(dhcpReply(xid, 2, { chaddr: FA1_MAC })));
  c.board.rx(0, fromServer(dhcpReply(xid, 5)));  // an ACK while selecting
  assert.equal(counters(c).dhcp_ignored, 3);
  assert.equal(dhcpOut(c).filter((x) => x.d.type === 3).length, 0);
  c.board.rx(0, fromServer(good));
  assert.equal(dhcpOut(c).at(-1).d.type, 3, "the valid offer still works");
  // ACK without a lease time, or another address, or a non-contiguous mask.
  c.board.rx(0, fromServer(dhcpReply(xid, 5, { omit: [51] })));
  c.board.rx(0, fromServer(dhcpReply(xid, 5, { yiaddr: ip("10.9.0.51") })));
  const b = dhcpReply(xid, 5); b.set([255, 0, 255, 0], 240 + 3 + 6 + 6 + 2);
  c.board.rx(0, fromServer(b));
  assert.equal(counters(c).dhcp_malformed, mal + 3);
  assert.equal(events(c, EV.DHCP).length, 0);
});
