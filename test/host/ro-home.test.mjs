// Route optimization at the home agent (assembly/mobility/ha-ro.ts and ha.ts roForwarded; seed 001 §3.1,
// §4.1-4.3, §4.6, §6, §7, §8.2, appendix A): one home agent board; the test plays the foreign agents,
// the mobile node's registrations, the correspondent (behind the core router) and the special tunnels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startBoard, host, regReplies } from "./helpers.mjs";
import { parseEthIp, udpOf, decap, ipip, udp } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), CN = ip("10.0.9.9"), CN2 = ip("10.0.9.10"), FA = ip("10.0.3.1"), FA2 = ip("10.0.4.1");
const MH = { spi: 1000, algorithm: "hmac-md5", key: te.encode("mn-secret") };
const CNK = { spi: 5000, algorithm: "hmac-md5", key: te.encode("cn-ha") };
const MASTER = te.encode("the-master-key");
const T0 = 1_000_000;

function start({ ro = { enabled: true, updateIntervalMs: 1000 }, sas = null, profile } = {}) {
  const clock = { t: T0 };
  const s = startBoard({
    name: "ha", board: "emulated", roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
    ],
    routes: [{ dest: "default", via: "10.0.2.254" }],
    mobility: { lifetimeSec: 600, routeOptimization: ro, ...(profile ? { registrationProfile: profile } : {}) },
    securityAssociations: sas ?? [
      { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
      { peer: "10.0.9.9", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha", use: "correspondent" },
    ],
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, new Uint8Array(6), HA_CORE));
  s.cap.tx.length = 0;
  return { ...s, clock };
}

const core = (pkt) => host.ethFrame(HA_MAC1, R_MAC, 0x0800, pkt);

/** Register MN at `coa` through a foreign agent (flags, extensions before the authenticator); what the board sent stays in s.cap.tx. */
function register(s, { coa = FA, flags = 0, lifetime = 300, ext } = {}) {
  const m = host.appendAuth(host.buildRegRequest({ flags, lifetimeSec: lifetime, home: MN, homeAgent: HA_IP, careOf: coa,
    id: host.ntpTimestamp(s.clock.t, 0, 0x1234 + s.clock.t % 1000), extensions: ext }), host.EXT_MH_AUTH, MH);
  s.cap.tx.length = 0;
  s.board.rx(1, core(host.buildUdp(coa, HA_IP, 5434, 434, m, 7, 60)));
  const r = regReplies(s.cap).at(-1);
  assert.equal(r.reply.code, 0);
}

/** A datagram from `src` (via the core router) to the mobile node's home address. */
const toMn = (src = CN, n = 0) => core(udp(src, MN, 7000, 7001, new Uint8Array(40).fill(n), { ttl: 60, id: n }));

/** Route-optimization messages the board sent: { src, dst, dport, msg (parsed), raw }. */
function roSent(s) {
  const out = [];
  for (const f of s.cap.tx) {
    const p = parseEthIp(f.frame);
    const u = udpOf(p);
    if (!u || u.sport !== 434 || !(u.data[0] >= 16 && u.data[0] <= 19)) continue;
    out.push({ src: p.src, dst: p.dst, dport: u.dport, msg: host.parseRoMessage(u.data), raw: u.data });
  }
  return out;
}
const updates = (s) => roSent(s).filter((m) => m.msg.type === 18);
const verifies = (raw, key) => host.verifyAuth(raw, (raw[1] & 0x40) ? 20 : 12, host.EXT_RO_AUTH, key);

test("001 §3.1/§4.3: an intercepted datagram's sender gets an authenticated Binding Update with the remaining lifetime; A on the first one", () => {
  const s = start();
  register(s);
  s.clock.t += 10_000;
  s.board.rx(1, toMn());
  const tun = s.cap.tx.map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4);
  assert.equal(tun.length, 1, "still tunnelled to the care-of address");
  const [u] = updates(s);
  assert.ok(u, "a Binding Update");
  assert.deepEqual([u.src, u.dst, u.dport], [HA_IP, CN, 434], "from the home agent address to the sender");
  assert.deepEqual([u.msg.home, u.msg.careOf], [MN, FA]);
  assert.ok(u.msg.lifetimeSec <= 290 && u.msg.lifetimeSec >= 289, `remaining lifetime ${u.msg.lifetimeSec}`);
  assert.equal(u.msg.flags & host.BU_I, host.BU_I);
  assert.equal(u.msg.flags & host.BU_A, host.BU_A, "A on the first update to this node (001 §7.3)");
  assert.ok(verifies(u.raw, CNK), "Route Optimization Authentication with the correspondent association");
  assert.equal(s.board.counters().ro_bu_tx, 1);
});

test("001 §7.1: rate limit per (node, binding) under a flood of 1,000 datagrams a second, flows included; none to a node without an association", () => {
  const s = start();
  register(s);
  for (let i = 0; i < 3000; i++) { s.board.rx(1, toMn(CN, i & 255)); s.clock.t += 1; }
  const n = updates(s).filter((u) => u.dst === CN).length;
  assert.ok(n >= 3 && n <= 4, `${n} updates in 3 s at one per second`);
  const c = s.board.counters();
  assert.ok(c.flow_hits > 2000, `the flood still went by the flow cache (${c.flow_hits})`);
  // A sender with no association gets nothing, however much it sends (and its flow is not cut short).
  s.cap.tx.length = 0;
  const noSa0 = s.board.counters().ro_bu_no_sa;
  for (let i = 0; i < 100; i++) s.board.rx(1, toMn(CN2, i));
  assert.equal(updates(s).length, 0);
  const noSa = s.board.counters().ro_bu_no_sa - noSa0;
  assert.ok(noSa >= 1 && noSa <= 3, `${noSa} datagrams of 100 took the full path`);
});

test("001 §4.6: a binding registered with P is never disclosed (care-of = home, lifetime 0); in the rfc3344 profile 0x02 is T, not P", () => {
  const s = start();
  register(s, { flags: 0x02 });
  s.board.rx(1, toMn());
  const [u] = updates(s);
  assert.deepEqual([u.msg.careOf, u.msg.lifetimeSec], [MN, 0]);
  const r = start({ profile: "rfc3344" });
  register(r, { flags: 0x02 });
  r.board.rx(1, toMn());
  assert.equal(updates(r)[0].msg.careOf, FA);
});

test("001 §4.2: a Binding Request is answered with the binding and the request's Identification, to its source port; none bound: delete", () => {
  const s = start();
  const req = (home, id) => core(host.buildUdp(CN, HA_IP, 5555, 434, host.buildBindingRequest(home, id), 9, 60));
  s.board.rx(1, req(MN, 0x1122334455667788n));
  let [u] = updates(s);
  assert.deepEqual([u.dport, u.msg.id, u.msg.careOf, u.msg.lifetimeSec], [5555, 0x1122334455667788n, MN, 0], "no binding: care-of = home, lifetime 0");
  register(s);
  s.clock.t += 2000;
  s.board.rx(1, req(MN, 0x99n));
  [u] = updates(s);
  assert.deepEqual([u.msg.id, u.msg.careOf], [0x99n, FA]);
  assert.ok(verifies(u.raw, CNK));
  assert.equal(s.board.counters().ro_br_rx, 2);
});

test("001 §4.1/§6: a Binding Warning, and the Binding Warning extension of a registration, make the home agent update each target", () => {
  const s = start();
  register(s);
  s.board.rx(1, core(host.buildUdp(FA2, HA_IP, 434, 434, host.buildBindingWarning(MN, [CN, CN2]), 9, 60)));
  assert.deepEqual(updates(s).map((u) => u.dst), [CN], "CN2: no association");
  assert.equal(s.board.counters().ro_bw_rx, 1);
  // The extension (before the mobile-home authenticator) in the next registration, from another care-of address.
  s.clock.t += 2000;
  const ext = Uint8Array.from([160, 10, 0, 0, ...[10, 0, 1, 50], ...[10, 0, 9, 9]]);
  const m = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA2,
    id: host.ntpTimestamp(s.clock.t, 0, 0x77), extensions: ext }), host.EXT_MH_AUTH, MH);
  s.cap.tx.length = 0;
  s.board.rx(1, core(host.buildUdp(FA2, HA_IP, 5434, 434, m, 7, 60)));
  assert.equal(regReplies(s.cap)[0].reply.code, 0);
  const [u] = updates(s);
  assert.deepEqual([u.dst, u.msg.careOf], [CN, FA2]);
});

test("001 §7.3: a correspondent that acknowledged is on the list: the next registration updates it with A; the deregistration deletes its entry", () => {
  const s = start();
  register(s);
  s.board.rx(1, toMn());
  const [first] = updates(s);
  s.board.rx(1, core(host.buildUdp(CN, HA_IP, 434, 434, host.buildBindingAck({ status: 0, home: MN, id: first.msg.id }), 9, 60)));
  assert.equal(s.board.counters().ro_ba_rx, 1);
  s.clock.t += 2000;
  register(s, { coa: FA2 });
  let [u] = updates(s);
  assert.ok(u, "the listed correspondent is updated at the registration");
  assert.deepEqual([u.dst, u.msg.careOf, u.msg.flags & host.BU_A], [CN, FA2, host.BU_A]);
  s.board.rx(1, core(host.buildUdp(CN, HA_IP, 434, 434, host.buildBindingAck({ status: 0, home: MN, id: u.msg.id }), 9, 60)));
  s.clock.t += 2000;
  register(s, { coa: FA2, lifetime: 0 });
  [u] = updates(s);
  assert.deepEqual([u.msg.careOf, u.msg.lifetimeSec], [MN, 0], "deregistered: delete");
  // An acknowledgement of something we never sent is ignored.
  s.board.rx(1, core(host.buildUdp(CN2, HA_IP, 434, 434, host.buildBindingAck({ status: 0, home: MN, id: 5n }), 9, 60)));
  assert.equal(s.board.counters().ro_ba_ignored, 1);
});

test("001 appendix A: with a master key the home agent authenticates to any node with MD5(node | master | node)", () => {
  const s = start({ sas: [
    { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
    { peer: "10.0.1.1", spi: 7000, algorithm: "hmac-md5", key: "text:the-master-key", use: "master" },
  ] });
  register(s);
  s.board.rx(1, toMn(CN2));
  const [u] = updates(s);
  assert.equal(u.dst, CN2);
  const derived = host.masterDerivedKey(MASTER, CN2);
  const a = Buffer.from([10, 0, 9, 10]);
  assert.deepEqual(Buffer.from(derived), createHash("md5").update(a).update(MASTER).update(a).digest());
  assert.ok(verifies(u.raw, { spi: 7000, algorithm: "hmac-md5", key: derived }), "verifies with the node-specific key");
  assert.ok(!verifies(u.raw, { spi: 7000, algorithm: "hmac-md5", key: host.masterDerivedKey(MASTER, CN) }), "not with another node's");
});

test("001 §8.2: a special tunnel from another agent is unwrapped and sent to the care-of address; one from the care-of address itself is never sent back", () => {
  const s = start();
  register(s);
  const inner = udp(CN, MN, 7000, 7001, new Uint8Array(30).fill(9), { ttl: 50, id: 42 });
  s.board.rx(1, core(ipip(FA2, MN, inner, { ttl: 60 })));
  const tun = s.cap.tx.map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4);
  assert.equal(tun.length, 1);
  assert.deepEqual([tun[0].dst, decap(tun[0]).src, decap(tun[0]).dst, decap(tun[0]).id], [FA, CN, MN, 42], "the inner datagram, not the special tunnel");
  assert.deepEqual(updates(s).map((u) => u.dst), [CN], "its sender's cache was stale: updated");
  s.cap.tx.length = 0;
  s.board.rx(1, core(ipip(FA, MN, inner, { ttl: 60 })));
  assert.equal(s.cap.tx.map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4).length, 0, "no loop back to FA");
  const c = s.board.counters();
  assert.equal(c.ro_special_tunnel_rx, 2);
  assert.equal(c.drop_ro_special_loop, 1);
});

test("route optimization off: no Binding Update, and Binding Warnings/Requests are not taken", () => {
  const s = start({ ro: { enabled: false } });
  register(s);
  s.board.rx(1, toMn());
  s.board.rx(1, core(host.buildUdp(CN, HA_IP, 5555, 434, host.buildBindingRequest(MN, 1n), 9, 60)));
  assert.equal(updates(s).length, 0);
  assert.equal(s.board.counters().ro_bu_tx, 0);
});

test("001 §3.1/§4.1: a forged Binding Warning cannot make the home agent a reflector — at most 8 targets, only nodes with an association of their own", () => {
  const s = start({ sas: [
    { peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" },
    { peer: "10.0.9.9", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha", use: "correspondent" },
    { peer: "10.0.1.1", spi: 7000, algorithm: "hmac-md5", key: "text:the-master-key", use: "master" },
  ] });
  register(s);
  s.cap.tx.length = 0;
  const targets = Array.from({ length: 300 }, (_, i) => ip(`10.7.${i >> 8}.${(i & 255) + 1}`));
  s.board.rx(1, core(host.buildUdp(ip("10.66.0.1"), HA_IP, 434, 434, host.buildBindingWarning(MN, targets), 9, 60)));
  assert.equal(updates(s).length, 0, "no master-derived update to the warning's targets");
  assert.equal(s.board.counters().ro_bw_targets_ignored, 1);
  // A listed node with its own association is served, even among many.
  s.board.rx(1, core(host.buildUdp(ip("10.66.0.1"), HA_IP, 434, 434, host.buildBindingWarning(MN, [CN, ...targets.slice(0, 20)]), 9, 60)));
  assert.deepEqual(updates(s).map((u) => u.dst), [CN]);
});

test("001 §4.2: a Binding Request about a home address off our home network is not answered (our 'delete' would erase another home agent's entry)", () => {
  const s = start();
  s.board.rx(1, core(host.buildUdp(CN, HA_IP, 5555, 434, host.buildBindingRequest(ip("10.8.0.5"), 1n), 9, 60)));
  assert.equal(updates(s).length, 0);
  assert.equal(s.board.counters().ro_br_not_ours, 1);
});

test("RFC 2827 inside a special tunnel: an inner datagram with a home-prefix source is dropped, not tunnelled nor answered", () => {
  const s = start();
  register(s);
  s.cap.tx.length = 0;
  const inner = udp(ip("10.0.1.77"), MN, 7000, 7001, new Uint8Array(30), { ttl: 50, id: 1 });
  s.board.rx(1, core(ipip(FA2, MN, inner, { ttl: 60 })));
  assert.equal(s.cap.tx.map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4).length, 0);
  assert.equal(updates(s).length, 0);
  assert.equal(s.board.counters().drop_ha_spoofed_home_src, 1);
});
