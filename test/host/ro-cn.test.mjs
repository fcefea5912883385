// Route optimization at a correspondent node (assembly/mobility/ro.ts, seed 001 §3.1, §4.3-4.4): one
// firmware board with a binding cache; the test plays the home agent (Binding Updates authenticated
// with the correspondent association), the router and the mobile node's care-of address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { parseEthIp, udpOf, decap } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const CN_MAC = host.mac("02:00:00:00:09:20"), R_MAC = host.mac("02:00:00:00:09:01");
const CN = ip("10.9.0.20"), ROUTER = ip("10.9.0.1"), HA = ip("10.0.0.1"), MN = ip("10.1.0.20"), FA = ip("10.2.0.1"), FA2 = ip("10.3.0.1");
const KEY = { spi: 5000, algorithm: "hmac-md5", key: new TextEncoder().encode("cn-ha-secret") };
const ZERO_MAC = new Uint8Array(6);
const EV_RO_BINDING = 14;
const T0 = 1_000_000;

function cnJson({ ro = { enabled: true }, sas } = {}) {
  return {
    name: "cn", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:09:20", ipv4: "10.9.0.20/24" }],
    routes: [{ dest: "default", via: "10.9.0.1" }],
    mobility: { routeOptimization: ro, encapsulations: ["ipip", "minimal", "gre"] },
    securityAssociations: sas ?? [{ peer: "10.0.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha-secret", use: "correspondent" }],
  };
}

function start(opts) {
  const clock = { t: T0 };
  const s = startBoard(cnJson(opts), { now: () => clock.t });
  s.board.rx(0, host.arpFrame(1, R_MAC, ROUTER, ZERO_MAC, CN));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

const ntp = (clock, low = 0) => host.ntpTimestamp(clock.t, 0, low);

/** A Binding Update from the home agent (UDP 434 -> 434), authenticated with `key` unless null. */
function bu(s, { flags = host.BU_A | host.BU_I, lifetime = 60, home = MN, coa = FA, id = ntp(s.clock, 1), key = KEY, src = HA } = {}) {
  let m = host.buildBindingUpdate({ flags, lifetimeSec: lifetime, home, careOf: coa, id });
  if (key) m = host.appendAuth(m, host.EXT_RO_AUTH, key);
  return host.ethFrame(CN_MAC, R_MAC, 0x0800, host.buildUdp(src, CN, 434, 434, m, 9, 60));
}

/** Route-optimization messages the board sent: [{dst, msg}] (UDP 434). */
function roSent(cap) {
  const out = [];
  for (const f of cap.tx) {
    const p = parseEthIp(f.frame);
    const u = udpOf(p);
    if (!u || u.dport !== 434) continue;
    out.push({ src: p.src, dst: p.dst, msg: host.parseRoMessage(u.data) });
  }
  return out;
}

const cache = (s) => s.board.dump("bindingCache");

/** A datagram the local stack sends to the mobile node's home address: what left the board. */
function sendToMn(s) {
  s.cap.tx.length = 0;
  s.board.output(host.buildUdp(CN, MN, 7000, 7001, new Uint8Array(32).fill(7), 1, 64));
  return s.cap.tx.map((f) => parseEthIp(f.frame)).filter(Boolean);
}

test("001 §3.1/§4.3: an authenticated Binding Update creates an entry; the node then tunnels straight to the care-of address", () => {
  const s = start();
  // Without an entry the datagram goes to the home address, by the default route.
  let out = sendToMn(s);
  assert.equal(out.length, 1);
  assert.equal(out[0].dst, MN);
  s.board.rx(0, bu(s));
  const c = cache(s);
  assert.equal(c.length, 1);
  assert.deepEqual([c[0].home, c[0].careOf, c[0].homeAgent, c[0].lifetimeSec], [MN, FA, HA, 60]);
  const acks = roSent(s.cap).filter((m) => m.msg?.type === 19);
  assert.equal(acks.length, 1);
  assert.deepEqual([acks[0].dst, acks[0].msg.status, acks[0].msg.home], [HA, 0, MN]);
  out = sendToMn(s);
  assert.equal(out.length, 1);
  assert.equal(out[0].proto, 4, "IP in IP");
  assert.deepEqual([out[0].src, out[0].dst], [CN, FA]);
  assert.equal(decap(out[0]).dst, MN);
  assert.equal(s.board.counters().ro_cache_tunnelled, 1);
  assert.ok(s.cap.events.some((e) => e.kind === EV_RO_BINDING));
});

test("001 §4.3: a wrong authenticator, an unknown SPI or no association never touches the cache (131)", () => {
  const s = start();
  s.board.rx(0, bu(s, { key: { ...KEY, key: new TextEncoder().encode("wrong") } }));
  s.board.rx(0, bu(s, { key: { ...KEY, spi: 5001 } }));
  s.board.rx(0, bu(s, { src: ip("10.0.0.66") }));
  assert.equal(cache(s).length, 0);
  assert.equal(s.board.counters().drop_ro_bu_auth, 3);
  const st = roSent(s.cap).filter((m) => m.msg?.type === 19).map((m) => m.msg.status);
  assert.deepEqual(st, [131, 131, 131]);
  assert.equal(sendToMn(s)[0].dst, MN, "still by the home address");
});

test("001 §4.3: a replayed, stale or Identification-less update is refused (133) and the cache untouched", () => {
  const s = start();
  const first = bu(s, { id: ntp(s.clock, 5) });
  s.board.rx(0, first);
  assert.equal(cache(s)[0].careOf, FA);
  s.clock.t += 2000;
  s.board.rx(0, bu(s, { coa: FA2 }));       // moved: accepted
  assert.equal(cache(s)[0].careOf, FA2);
  s.cap.tx.length = 0;
  s.board.rx(0, first);                       // replay of the first one
  s.board.rx(0, bu(s, { coa: FA, id: host.ntpTimestamp(s.clock.t - 60_000, 0, 1) })); // outside the window
  s.board.rx(0, bu(s, { coa: FA, flags: host.BU_A }));  // no Identification
  assert.equal(cache(s)[0].careOf, FA2);
  assert.equal(s.board.counters().drop_ro_bu_id, 3);
  assert.deepEqual(roSent(s.cap).filter((m) => m.msg?.type === 19).map((m) => m.msg.status), [133, 133, 133]);
});

test("001 §4.3: lifetime 0 or care-of = home deletes the entry; expiry removes it; no A, no acknowledgement", () => {
  const s = start();
  s.board.rx(0, bu(s, { flags: host.BU_I }));
  assert.equal(cache(s).length, 1);
  assert.equal(roSent(s.cap).length, 0, "A clear: nothing sent");
  s.clock.t += 1000;
  s.board.rx(0, bu(s, { coa: MN }));
  assert.equal(cache(s).length, 0);
  s.clock.t += 1000;
  s.board.rx(0, bu(s, { lifetime: 3 }));
  assert.equal(cache(s).length, 1);
  s.clock.t += 3500;
  s.board.tick(s.clock.t);
  assert.equal(cache(s).length, 0, "expired");
  assert.equal(sendToMn(s)[0].dst, MN);
});

test("001 §4.3: an entry in use near its end is reconfirmed by a Binding Request to its home agent; the answer echoing it is accepted", () => {
  const s = start();
  s.board.rx(0, bu(s, { lifetime: 8 }));
  sendToMn(s);                                 // in use
  s.cap.tx.length = 0;
  s.clock.t += 6500;                           // within the last quarter (clamped to 2 s)
  s.board.tick(s.clock.t);
  const reqs = roSent(s.cap).filter((m) => m.msg?.type === 17);
  assert.equal(reqs.length, 1);
  assert.deepEqual([reqs[0].dst, reqs[0].msg.home], [HA, MN]);
  // The home agent answers with the request's Identification (001 §4.3).
  s.board.rx(0, bu(s, { id: reqs[0].msg.id, lifetime: 30 }));
  assert.equal(cache(s)[0].lifetimeSec, 30);
  // Not in use since: no request at the end of that one.
  s.cap.tx.length = 0;
  s.clock.t += 25_000;
  s.board.tick(s.clock.t);
  assert.equal(roSent(s.cap).filter((m) => m.msg?.type === 17).length, 0);
});

test("route optimization off (the default): no cache, Binding Updates are not taken", () => {
  const s = start({ ro: { enabled: false } });
  s.board.rx(0, bu(s));
  assert.equal(cache(s).length, 0);
  assert.equal(roSent(s.cap).length, 0);
  assert.equal(sendToMn(s)[0].dst, MN);
});

test("a poorly formed update (authentication not last) is dropped and answered 134", () => {
  const s = start();
  let m = host.buildBindingUpdate({ flags: host.BU_A | host.BU_I, lifetimeSec: 60, home: MN, careOf: FA, id: ntp(s.clock, 1) });
  m = host.appendAuth(m, host.EXT_RO_AUTH, KEY);
  m = new Uint8Array([...m, 200, 0]);          // a skippable extension after the authenticator
  s.board.rx(0, host.ethFrame(CN_MAC, R_MAC, 0x0800, host.buildUdp(HA, CN, 434, 434, m, 9, 60)));
  assert.equal(cache(s).length, 0);
  assert.equal(s.board.counters().drop_ro_malformed, 1);
  assert.deepEqual(roSent(s.cap).filter((x) => x.msg?.type === 19).map((x) => x.msg.status), [134]);
});

test("001 §4.3: another home agent the node shares a key with may not move or delete an entry its home agent vouched for (129, cache untouched)", () => {
  const HA2 = ip("10.0.0.2");
  const KEY2 = { spi: 5002, algorithm: "hmac-md5", key: new TextEncoder().encode("cn-ha2") };
  const s = start({ sas: [
    { peer: "10.0.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha-secret", use: "correspondent" },
    { peer: "10.0.0.2", spi: 5002, algorithm: "hmac-md5", key: "text:cn-ha2", use: "correspondent" },
  ] });
  s.board.rx(0, bu(s));
  s.clock.t += 1000;
  s.cap.tx.length = 0;
  s.board.rx(0, bu(s, { src: HA2, key: KEY2, coa: FA2 }));      // move
  s.board.rx(0, bu(s, { src: HA2, key: KEY2, coa: MN }));       // delete
  assert.deepEqual(cache(s).map((e) => [e.careOf, e.homeAgent]), [[FA, HA]]);
  assert.deepEqual(roSent(s.cap).filter((m) => m.msg?.type === 19).map((m) => [m.dst, m.msg.status]), [[HA2, 129], [HA2, 129]]);
  assert.equal(s.board.counters().drop_ro_bu_not_ha, 2);
  // Its own home agent still moves it.
  s.clock.t += 1000;
  s.board.rx(0, bu(s, { coa: FA2 }));
  assert.equal(cache(s)[0].careOf, FA2);
});
