// Distributed registration: discovery (seed 002 appendices A and B; the formats are the project's,
// docs/decisions.md "Distributed registration") and load balancing by reported load (§6.6). One
// registration server board; the test plays its care-of agents and a mobile node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startBoard, host } from "./helpers.mjs";
import { parseEthIp, udpOf } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const RS = ip("10.0.0.5"), COA1 = ip("10.0.0.6"), COA2 = ip("10.0.0.7"), COA3 = ip("10.0.0.8"), MN = ip("10.1.0.20"), MN2 = ip("10.1.0.21");
const RS_MAC = host.mac("02:00:00:00:0d:05"), COA1_MAC = host.mac("02:00:00:00:0d:06"), COA2_MAC = host.mac("02:00:00:00:0d:07"), COA3_MAC = host.mac("02:00:00:00:0d:08");
const te = new TextEncoder();
const key = (t, spi) => ({ spi, algorithm: "hmac-md5", key: te.encode(t) });
const K1 = key("coa1-rs", 706), K2 = key("coa2-rs", 707), K3 = key("coa3-rs", 708), KMN = key("mn-rs", 4098), KMN2 = key("mn2-rs", 4099);
const T0 = 2_000_000;

function rsJson() {
  return {
    name: "rs", board: "emulated", roles: ["registration-server"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:05", ipv4: "10.0.0.5/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    mobility: { dremip: { probeIntervalMs: 5000, servers: [{ kind: "care-of-agent", address: "10.0.0.6" }, { kind: "care-of-agent", address: "10.0.0.7" }] } },
    securityAssociations: [
      { peer: "10.0.0.6", spi: 706, key: "text:coa1-rs", use: "agent-server" },
      { peer: "10.0.0.7", spi: 707, key: "text:coa2-rs", use: "agent-server" },
      { peer: "10.0.0.8", spi: 708, key: "text:coa3-rs", use: "agent-server" },
      { peer: "10.1.0.20", spi: 4098, key: "text:mn-rs", use: "mobile-server" },
      { peer: "10.1.0.21", spi: 4099, key: "text:mn2-rs", use: "mobile-server" },
    ],
  };
}

function start() {
  const clock = { t: T0 };
  const s = startBoard(rsJson(), { now: () => clock.t });
  for (const [a, m] of [[COA1, COA1_MAC], [COA2, COA2_MAC], [COA3, COA3_MAC], [ip("10.0.0.9"), host.mac("02:00:00:00:0d:09")]]) s.board.rx(0, host.arpFrame(2, m, a, RS_MAC, RS));
  s.board.start?.();
  return { ...s, clock };
}

/** UDP 434 messages the board sent since `from` (index into cap.tx): [{dst, type, msg}]. */
function sent(s, from = 0) {
  const out = [];
  for (const f of s.cap.tx.slice(from)) {
    const p = parseEthIp(f.frame);
    const u = p && udpOf(p);
    if (!u || u.dport !== 434) continue;
    out.push({ dst: p.dst, type: u.data[0], msg: u.data });
  }
  return out;
}

/** A Care-of Agent Advertisement (37) from `coa` answering Identification `id` with `load`, `lifetime`, authenticated with `k`. */
function coaAdvert(coa, mac, k, id, load, lifetime = 0xffff) {
  const m = new Uint8Array(20), dv = new DataView(m.buffer);
  m[0] = 37; dv.setUint16(2, load); dv.setUint32(4, coa); dv.setBigUint64(8, id); dv.setUint16(16, lifetime);
  return host.ethFrame(RS_MAC, mac, 0x0800, host.buildUdp(coa, RS, 434, 434, host.appendAuth(m, 83, k), 1, 64));
}

/** A Registration Request with R from mobile node `home` (co-located: straight to the server). */
function request(s, home, k, childCoa, n) {
  const id = host.ntpTimestamp(s.clock.t, 0, n);
  const m = host.appendAuth(host.buildRegRequest({ flags: 0x01, lifetimeSec: 60, home, homeAgent: RS, careOf: childCoa, id }), 84, k);
  return host.ethFrame(RS_MAC, host.mac("02:00:00:00:0d:09"), 0x0800, host.buildUdp(home, RS, 434, 434, m, 1, 60));
}

const idOf = (msg) => new DataView(msg.buffer, msg.byteOffset).getBigUint64(8);

/** Run the probe timer: the solicitations the server sent ({to, id}). */
function probe(s) {
  const from = s.cap.tx.length;
  s.clock.t += 5000;
  s.board.tick(s.clock.t);
  return sent(s, from).filter((x) => x.type === 36).map((x) => ({ to: host.formatIp(x.dst), id: idOf(x.msg) }));
}

test("002 §6.6, appendix B: the server probes its care-of agents; a new registration goes to the one that reports the least load", () => {
  const s = start();
  const sol = probe(s);
  // Unicast to each configured care-of agent (with our 83), and once to the all-care-of-agents group.
  assert.deepEqual(sol.map((x) => x.to).sort(), ["10.0.0.6", "10.0.0.7", "239.192.0.103"]);
  const id = sol[0].id;
  assert.ok(sol.every((x) => x.id === id));
  s.board.rx(0, coaAdvert(COA1, COA1_MAC, K1, id, 900));
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, id, 40));
  assert.equal(s.board.counters().dr_ds_advert_rx, 2);
  const from = s.cap.tx.length;
  s.board.rx(0, request(s, MN, KMN, ip("10.2.0.1"), 1));
  const rt = sent(s, from).filter((x) => x.type === 32);
  assert.deepEqual(rt.map((x) => host.formatIp(x.dst)), ["10.0.0.7"], "the less loaded care-of agent is asked");
  // Reports reversed: the next node goes to coa1.
  const id2 = probe(s)[0].id;
  s.board.rx(0, coaAdvert(COA1, COA1_MAC, K1, id2, 10));
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, id2, 700));
  const from2 = s.cap.tx.length;
  s.board.rx(0, request(s, MN2, KMN2, ip("10.3.0.1"), 2));
  assert.deepEqual(sent(s, from2).filter((x) => x.type === 32).map((x) => host.formatIp(x.dst)), ["10.0.0.6"]);
});

test("appendix B: forged, replayed or unsolicited care-of agent advertisements change nothing", () => {
  const s = start();
  const id = probe(s)[0].id;
  s.board.rx(0, coaAdvert(COA1, COA1_MAC, K1, id, 900));
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, id, 40));
  const before = s.board.counters();
  // Wrong key (coa2's key in coa1's name), an old Identification, another address in the message.
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K1, id, 0));
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, id - 1n, 0));
  const spoof = coaAdvert(COA2, COA2_MAC, K2, id, 0);
  s.board.rx(0, spoof.slice(0, spoof.length - 5)); // truncated authenticator
  const after = s.board.counters();
  assert.equal(after.dr_ds_advert_rx, before.dr_ds_advert_rx);
  assert.equal((after.drop_dr_auth ?? 0) + (after.drop_dr_replay ?? 0) + (after.drop_dr_malformed ?? 0) + (after.drop_udp_checksum ?? 0) + (after.drop_ip_total_len ?? 0) - ((before.drop_dr_auth ?? 0) + (before.drop_dr_replay ?? 0) + (before.drop_dr_malformed ?? 0) + (before.drop_udp_checksum ?? 0) + (before.drop_ip_total_len ?? 0)), 3);
  // Still coa2 (40) is chosen over coa1 (900): the forged "0" loads for coa2 never counted, nor did
  // they make coa1 look heavier — check by the allocation.
  const from = s.cap.tx.length;
  s.board.rx(0, request(s, MN, KMN, ip("10.2.0.1"), 1));
  assert.deepEqual(sent(s, from).filter((x) => x.type === 32).map((x) => host.formatIp(x.dst)), ["10.0.0.7"]);
});

test("appendix B: a care-of agent that answers the group with our key joins; one that stops answering, or says it is full, is not allocated", () => {
  const s = start();
  const id = probe(s)[0].id;
  // coa3 is not configured but shares a key with us: it answers the group.
  s.board.rx(0, coaAdvert(COA3, COA3_MAC, K3, id, 1));
  s.board.rx(0, coaAdvert(COA1, COA1_MAC, K1, id, 500, 0)); // full
  s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, id, 300));
  let from = s.cap.tx.length;
  s.board.rx(0, request(s, MN, KMN, ip("10.2.0.1"), 1));
  assert.deepEqual(sent(s, from).filter((x) => x.type === 32).map((x) => host.formatIp(x.dst)), ["10.0.0.8"], "the discovered, least loaded one");
  // Three silent intervals for coa3 and coa1 (only coa2 answers): the next node goes to coa2 even
  // though coa3 reported less.
  for (let i = 0; i < 4; i++) { const p = probe(s); s.board.rx(0, coaAdvert(COA2, COA2_MAC, K2, p[0].id, 300)); }
  from = s.cap.tx.length;
  s.board.rx(0, request(s, MN2, KMN2, ip("10.3.0.1"), 2));
  assert.deepEqual(sent(s, from).filter((x) => x.type === 32).map((x) => host.formatIp(x.dst)), ["10.0.0.7"]);
});

test("appendix A: foreign agents learn the registration servers that answer their solicitation and advertise them", async () => {
  const { Simulation, validateScenario } = host;
  const { firmware } = await import("./helpers.mjs");
  const sc = JSON.parse(readFileSync(new URL("../../scenarios/dremip-local-home.json", import.meta.url), "utf8"));
  // No configured server at the foreign agents: only what discovery finds.
  for (const n of sc.nodes) if (n.name === "fa1" || n.name === "fa2") n.mobility.dremip.servers = [];
  const sim = new Simulation(validateScenario(sc), firmware, { keepEvents: true });
  sim.run();
  const c = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  sim.close();
  assert.ok(c.fa1.dr_ds_advert_rx >= 1 && c.rs2.dr_ds_advert_tx >= 2, JSON.stringify([c.fa1.dr_ds_advert_rx, c.rs2.dr_ds_advert_tx]));
  const req = sim.events.kept.filter((e) => e.node === "mn" && e.kind === "reg_request");
  assert.deepEqual([req[0].ha, req[0].flagNames], ["10.0.0.5", "R"], "the mobile node registered with the discovered server");
  assert.equal(sim.summary().flows[0].lost <= 5, true);
});

test("002 §6.6: registrations still waiting for their Route Reply count in a care-of agent's load: a burst of arrivals spreads", () => {
  const s = start();
  const from = s.cap.tx.length;
  s.board.rx(0, request(s, MN, KMN, ip("10.2.0.1"), 1));
  s.board.rx(0, request(s, MN2, KMN2, ip("10.3.0.1"), 2));
  const rt = sent(s, from).filter((x) => x.type === 32).map((x) => host.formatIp(x.dst));
  assert.deepEqual(rt.sort(), ["10.0.0.6", "10.0.0.7"]);
});

test("appendix B / §6.6: the load a care-of agent reports is measured over at least a second: forged group solicitations cannot zero it", () => {
  const COA_IP = ip("10.0.0.6"), HOME2 = ip("10.1.0.20"), FA = ip("10.2.0.1"), HA = ip("10.5.0.1");
  const clock = { t: T0 };
  const s = startBoard({
    name: "coa", board: "emulated", roles: ["care-of-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:06", ipv4: "10.0.0.6/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    securityAssociations: [{ peer: "10.0.0.5", spi: 706, key: "text:coa1-rs", use: "agent-server" }],
  }, { now: () => clock.t });
  const R_MAC = host.mac("02:00:00:00:0d:09");
  s.board.rx(0, host.arpFrame(2, RS_MAC, RS, COA1_MAC, COA_IP));
  s.board.rx(0, host.arpFrame(2, R_MAC, ip("10.0.0.9"), COA1_MAC, COA_IP));
  // The server enables a binding route for HOME2 to FA.
  const rq = new Uint8Array(20), dv = new DataView(rq.buffer);
  rq[0] = 32; dv.setUint16(2, 600); dv.setUint32(4, HOME2); dv.setUint32(8, FA); dv.setBigUint64(12, host.ntpTimestamp(clock.t, 0, 1));
  s.board.rx(0, host.ethFrame(COA1_MAC, RS_MAC, 0x0800, host.buildUdp(RS, COA_IP, 434, 434, host.appendAuth(rq, 83, K1), 1, 64)));
  assert.equal(s.board.counters().dr_rt_reply_tx, 1);
  // 200 datagrams tunnelled to us by the home agent over two seconds: coa1 relays them to FA.
  for (let i = 0; i < 200; i++) {
    clock.t += 10;
    const inner = host.buildUdp(ip("10.9.0.10"), HOME2, 5000, 5000, new Uint8Array(64), 1, 60);
    const outer = new Uint8Array(20 + inner.length); outer.set(inner, 20);
    host.writeIpv4Header(outer, outer.length, 4, HA, COA_IP, 9, 60);
    s.board.rx(0, host.ethFrame(COA1_MAC, R_MAC, 0x0800, outer));
  }
  assert.equal(s.board.counters().dr_coa_tunnelled, 200);
  const solicit = (id, auth, group) => {
    const m = new Uint8Array(20), d = new DataView(m.buffer);
    m[0] = 36; d.setBigUint64(8, id);
    const dst = group ? ip("239.192.0.103") : COA_IP;
    return host.ethFrame(group ? host.mac("01:00:5e:40:00:67") : COA1_MAC, RS_MAC, 0x0800, host.buildUdp(RS, dst, 434, 434, auth ? host.appendAuth(m, 83, K1) : m, 1, 16));
  };
  const load = (from) => sent(s, from).filter((x) => x.type === 37).map((x) => new DataView(x.msg.buffer, x.msg.byteOffset).getUint16(2));
  // The first probe answers 0 (no window yet) and starts the measurement; one a second later, ~100/s.
  let from = s.cap.tx.length;
  s.board.rx(0, solicit(1n, true, false));
  clock.t += 1000;
  for (let i = 0; i < 100; i++) { clock.t += 10; const inner = host.buildUdp(ip("10.9.0.10"), HOME2, 5000, 5000, new Uint8Array(64), 1, 60); const o = new Uint8Array(20 + inner.length); o.set(inner, 20); host.writeIpv4Header(o, o.length, 4, HA, COA_IP, 9, 60); s.board.rx(0, host.ethFrame(COA1_MAC, R_MAC, 0x0800, o)); }
  s.board.rx(0, solicit(2n, true, false));
  const measured = load(from).at(-1);
  assert.ok(measured >= 40 && measured <= 110, `load ${measured}`);
  // Forged group solicitations right after: answered, but with the same figure (no 10 ms window).
  from = s.cap.tx.length;
  for (let i = 0; i < 5; i++) { clock.t += 10; s.board.rx(0, solicit(100n + BigInt(i), false, true)); }
  assert.deepEqual(load(from), [measured, measured, measured, measured, measured]);
});

test("appendix A: a foreign agent advertises a discovered server only from an authenticated advertisement answering its latest solicitation", () => {
  const FA_CORE = ip("10.0.0.2"), FA_NET = ip("10.2.0.1");
  const FA_MAC0 = host.mac("02:00:00:02:00:01"), FA_MAC1 = host.mac("02:00:00:00:00:02");
  const clock = { t: T0 };
  const s = startBoard({
    name: "fa", board: "emulated", roles: ["foreign-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:02:00:01", ipv4: "10.2.0.1/24", advertise: true }, { name: "eth1", mac: "02:00:00:00:00:02", ipv4: "10.0.0.2/24" }],
    mobility: { dremip: { enabled: true, probeIntervalMs: 5000 } },
    securityAssociations: [{ peer: "10.0.0.5", spi: 702, key: "text:fa-rs", use: "agent-server" }],
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(2, RS_MAC, RS, FA_MAC1, FA_CORE));
  s.board.start?.();
  clock.t += 100; s.board.tick(clock.t);
  const sol = s.cap.tx.map((f) => parseEthIp(f.frame)).filter(Boolean).map((p) => ({ p, u: udpOf(p) })).filter((x) => x.u && x.u.data[0] === 34);
  assert.ok(sol.length >= 1, "a solicitation to the all-servers group");
  const id = new DataView(sol.at(-1).u.data.buffer, sol.at(-1).u.data.byteOffset).getBigUint64(8);
  const advertOf = (k, sid, addr = RS) => {
    const m = new Uint8Array(20), dv = new DataView(m.buffer);
    m[0] = 35; dv.setUint16(2, 4); dv.setUint32(4, addr); dv.setBigUint64(8, sid); dv.setUint16(16, 0xffff);
    return host.ethFrame(FA_MAC1, RS_MAC, 0x0800, host.buildUdp(RS, FA_NET, 434, 434, host.appendAuth(m, 83, k), 1, 64));
  };
  const servers = () => {
    const from = s.cap.tx.length;
    clock.t += 1500; s.board.tick(clock.t);
    const adv = s.cap.tx.slice(from).map((f) => parseEthIp(f.frame)).find((p) => p && p.proto === 1);
    const icmp = adv.pay;
    const b = Uint8Array.from(icmp);
    for (let o = 8 + b[4] * b[5] * 4; o + 1 < b.length; o += b[o] === 0 ? 1 : 2 + b[o + 1]) if (b[o] === 81) return b[o + 1];
    return 0;
  };
  s.board.rx(1, advertOf(key("not-the-key", 702), id));   // wrong key
  s.board.rx(1, advertOf(key("fa-rs", 702), id - 1n));     // not our latest solicitation
  s.board.rx(1, advertOf(key("fa-rs", 702), id, ip("10.0.0.99"))); // another address than the sender's
  assert.equal(servers(), 0, "nothing advertised from forged or stale answers");
  s.board.rx(1, advertOf(key("fa-rs", 702), id));
  assert.equal(servers(), 10, "the server, once it answered properly (Length 2 + 8)");
});
