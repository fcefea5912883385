// Smooth handoff (seed 001 §3.2, §5, §8.1, §8.2; issue 10.5 and 10.10): the Previous Foreign Agent
// Notification built by the mobile node, the new foreign agent's Binding Update, the previous
// foreign agent's forwarding binding, the Binding Acknowledge to the pending mobile node, the mobile
// node's retransmissions, and the handoff buffer at the previous foreign agent.
// Two kinds of tests: the emulated network of scenarios/smooth-handoff.json (frames captured on the
// segments), and one foreign agent board driven frame by frame (the buffer pool).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { startBoard, host, firmware } from "./helpers.mjs";
import { parseEthIp, udpOf, decap } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const MN = ip("10.1.0.20"), HA = ip("10.1.0.1"), FA1 = ip("10.2.0.1"), FA2 = ip("10.3.0.1");
const FA1_CORE = ip("10.0.0.2"), FA2_CORE = ip("10.0.0.3");
const MF1_KEY = te.encode("mipfw-smooth-mn-fa1-key");
const get16 = (b, o) => (b[o] << 8) | b[o + 1];
const get32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const getId = (b, o) => (BigInt(get32(b, o)) << 32n) | BigInt(get32(b, o + 4));

const base = JSON.parse(readFileSync(new URL("../../scenarios/smooth-handoff.json", import.meta.url), "utf8"));

/** Run the scenario (smooth handoff on or off; `edit` changes it first); frames on every segment, kept with their time. */
function run({ smooth = true, edit = null, stopAt = null } = {}) {
  const sc = JSON.parse(JSON.stringify(base));
  for (const n of sc.nodes) if (n.mobility?.routeOptimization) n.mobility.routeOptimization.smoothHandoff = smooth;
  if (edit) edit(sc);
  const frames = [];
  const sim = new host.Simulation(host.validateScenario(sc, "scenario"), firmware, {
    onFrame: (seg, frame, tUs) => { if (frame[12] === 8 && frame[13] === 0 && (frame[23] === 17 || frame[23] === 4)) frames.push({ seg, frame: frame.slice(), t: tUs / 1000 }); },
  });
  const node = (name) => sim.nodes.find((n) => n.name === name);
  const snap = {};
  if (stopAt !== null) {
    sim.run(stopAt);
    for (const n of ["fa1", "fa2"]) snap[n] = { visitors: node(n).board.dump("visitors"), cache: node(n).board.dump("bindingCache") };
  }
  sim.run();
  const s = sim.summary();
  const counters = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  sim.close();
  return { s, frames, counters, snap };
}

/** UDP 434 messages in the captured frames: { seg, t, src, dst, msg, tunnelledFrom } (inside IP in IP too). */
function mip(frames) {
  const out = [];
  for (const { seg, frame, t } of frames) {
    let p = parseEthIp(frame);
    let tunnelledFrom = null;
    if (p && p.proto === 4) { tunnelledFrom = p.src; p = decap(p); }
    const u = udpOf(p);
    if (!u || u.dport !== 434) continue;
    out.push({ seg, t, src: p.src, dst: p.dst, msg: u.data, tunnelledFrom });
  }
  return out;
}

let onRun = null, offRun = null;
const on = () => (onRun ??= run({ smooth: true, stopAt: 11500 }));
const off = () => (offRun ??= run({ smooth: false }));

test("001 §5.2: the foreign agents advertise S only with route optimization and smooth handoff on", () => {
  const flagsOf = (smooth) => {
    const sc = JSON.parse(JSON.stringify(base));
    const { attach, ...fa } = sc.nodes.find((n) => n.name === "fa1");
    void attach;
    fa.mobility.routeOptimization.smoothHandoff = smooth;
    const { board, cap } = startBoard(fa, { now: () => 0 });
    board.link(0, true);
    board.tick(1500);
    const advs = cap.tx.map((x) => parseEthIp(x.frame)).filter((p) => p && p.proto === 1 && p.pay[0] === 9).map((p) => host.parseAgentAdvert(p.pay));
    assert.ok(advs.length >= 1, "an advertisement was sent");
    return advs[0].flags;
  };
  assert.equal(flagsOf(true) & 0x0080, 0x0080, "S set");
  assert.equal(flagsOf(false) & 0x0080, 0, "S clear");
});

test("001 §5.1: the mobile node's request to the new agent carries the PFAN after the mobile-home authenticator, and its authenticator verifies over the Binding Update the new agent sends (node:crypto)", () => {
  const { frames } = on();
  const msgs = mip(frames);
  const req = msgs.find((m) => m.seg === "net2" && m.msg[0] === 1 && m.src === MN);
  assert.ok(req, "the registration request on net2");
  const exts = host.extensions(req.msg, 24);
  assert.deepEqual(exts.map((e) => e.type), [32, 96, 33], "mobile-home, PFAN, mobile-foreign (RFC 2002 §3.6.1.3)");
  const pf = exts[1];
  const e = req.msg.subarray(pf.offset);
  assert.equal(e[1], 14 + 16, "Length = 14 + authenticator");
  assert.equal(get16(e, 2), 10, "Cache Lifetime = routeOptimization.cacheLifetimeSec");
  assert.equal(get32(e, 4), FA1, "previous foreign agent");
  assert.equal(get32(e, 8), FA2, "new care-of address");
  assert.equal(get32(e, 12), 302, "SPI of the mobile node's association with fa1");
  const auth = e.subarray(16, 32);
  const id = getId(req.msg, 16);
  // The update the new agent must send: A|I, lifetime, home, care-of, the request's Identification.
  const bu = host.buildBindingUpdate({ flags: host.BU_A | host.BU_I, lifetimeSec: 10, home: MN, careOf: FA2, id });
  const covered = new Uint8Array(bu.length + 6);
  covered.set(bu);
  covered.set([35, 20, 0, 0, 1, 46], bu.length); // type 35, length 20, SPI 302 (HMAC covers the SPI)
  const mac = new Uint8Array(createHmac("md5", MF1_KEY).update(covered).digest());
  assert.deepEqual(auth, mac, "the precomputed authenticator");
  // The mobile-home authenticator still covers exactly what the home agent receives.
  const relayed = msgs.find((m) => m.seg === "wan" && m.msg[0] === 1 && m.dst === HA && getId(m.msg, 16) === id);
  assert.ok(relayed, "relayed to the home agent");
  assert.deepEqual(host.extensions(relayed.msg, 24).map((x) => x.type), [32], "the PFAN and the mobile-foreign extension stay at the foreign agent");
  assert.deepEqual(relayed.msg.subarray(0, exts[0].offset + 22), req.msg.subarray(0, exts[0].offset + 22));
  // The new agent's Binding Update is byte for byte the one the authenticator was computed over.
  const sent = msgs.filter((m) => m.msg[0] === 18 && m.src === FA2_CORE && m.dst === FA1);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].msg, new Uint8Array([...bu, 35, 20, 0, 0, 1, 46, ...mac]));
});

test("001 §8.1: the new foreign agent sends the Binding Update (A set) to the previous one at once, and only once", () => {
  const { frames } = on();
  const msgs = mip(frames);
  const req = msgs.find((m) => m.seg === "net2" && m.msg[0] === 1 && m.src === MN);
  const bus = msgs.filter((m) => m.msg[0] === 18 && m.src === FA2_CORE);
  assert.equal(bus.length, 1, "no retransmission by the new agent");
  assert.equal(bus[0].dst, FA1);
  assert.equal(bus[0].msg[1] & 0x80, 0x80, "A");
  assert.ok(bus[0].t - req.t < 2, `sent ${bus[0].t - req.t} ms after the request`);
});

test("001 §8.1: the previous foreign agent deletes the visitor, keeps a forwarding binding to the new care-of address and re-tunnels what still arrives", () => {
  const { snap, counters, frames } = on();
  assert.equal(snap.fa1.visitors.filter((v) => v.home === MN).length, 0, "visitor entry deleted");
  const c = snap.fa1.cache.filter((e) => e.home === MN);
  assert.equal(c.length, 1);
  assert.equal(c[0].careOf, FA2);
  assert.equal(c[0].homeAgent, HA, "the visitor's home agent kept for Binding Requests");
  assert.ok(c[0].lifetimeSec <= 10);
  assert.ok(counters.fa1.ro_cache_tunnelled > 50, `re-tunnelled ${counters.fa1.ro_cache_tunnelled}`);
  // The re-tunnelled stream is IP in IP from fa1 to fa2's care-of address.
  const fwd = frames.filter((f) => f.seg === "core").map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4 && p.src === FA1_CORE && p.dst === FA2);
  assert.ok(fwd.length > 50);
  assert.equal(decap(fwd[0]).dst, MN);
});

test("001 §8.1: the Binding Acknowledge reaches the mobile node through the new agent before the registration reply", () => {
  const { frames, counters } = on();
  const msgs = mip(frames);
  const ba = msgs.filter((m) => m.seg === "net2" && m.msg[0] === 19 && m.dst === MN);
  assert.equal(ba.length, 1);
  assert.equal(ba[0].msg[3], 0, "accepted");
  const reply = msgs.find((m) => m.seg === "net2" && m.msg[0] === 3 && m.dst === MN);
  assert.ok(reply && ba[0].t < reply.t, `acknowledged at ${ba[0].t} ms, registration reply at ${reply?.t} ms`);
  assert.equal(counters.mn.mn_ba_rx, 1);
  assert.ok(counters.fa2.fa_pfan_delivered > 1, "the acknowledgement and the datagrams in flight");
  // The mobile node needed no retransmission of its own.
  assert.equal(counters.mn.ro_pfan_bu_tx, 0);
});

test("issue 10 (scenario smooth-handoff): 1,000 packets/s, home agent 100 ms one way — no packet lost with smooth handoff, a loss without", () => {
  const a = on(), b = off();
  assert.equal(a.s.handoffs.length, 1);
  assert.equal(b.s.handoffs.length, 1);
  const fa = a.s.flows[0], fb = b.s.flows[0];
  assert.equal(fa.sent, 15000);
  assert.equal(a.s.handoffs[0].lost, 0, "smooth handoff: zero lost");
  assert.equal(fa.lost, 0);
  assert.equal(fa.duplicates, 0);
  assert.ok(b.s.handoffs[0].lost > 100, `without: ${b.s.handoffs[0].lost} lost`);
  assert.equal(fb.lost, b.s.handoffs[0].lost);
  console.log(`# smooth-handoff: lost with ${a.s.handoffs[0].lost}, without ${b.s.handoffs[0].lost} (registration ${b.s.handoffs[0].registeredMs} ms after the move)`);
  // The buffer did its part: what arrived after the station left ap1 was held, then re-tunnelled in order.
  assert.ok(a.counters.fa1.ho_held > 0);
  assert.equal(a.counters.fa1.ho_released, a.counters.fa1.ho_held);
  assert.equal(fa.reordered, 0);
  assert.equal(b.counters.fa1.ho_held, 0, "no pool without smooth handoff");
});

test("001 §3.2/§8.1: with the previous agent down the mobile node retransmits its Binding Update with back-off until acknowledged", () => {
  // fa1 is off from just before the move until 16.5 s: the new agent's update and the first
  // retransmissions go unanswered; the restarted fa1 acknowledges the next one.
  const r = run({ edit: (sc) => { sc.actions = [{ type: "stop", atMs: 10700, node: "fa1" }, { type: "start", atMs: 16500, node: "fa1" }]; } });
  const msgs = mip(r.frames);
  const own = msgs.filter((m) => m.seg === "net2" && m.msg[0] === 18 && m.src === MN && m.dst === FA1);
  assert.ok(own.length >= 3, `${own.length} updates from the mobile node`);
  const gaps = own.slice(1).map((m, i) => m.t - own[i].t);
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i] >= gaps[i - 1] * 1.5, `back-off ${gaps.join(", ")}`);
  for (const m of own) {
    assert.equal(m.msg[1] & 0xc0, 0xc0, "A and I");
    assert.equal(get32(m.msg, 8), FA2);
    assert.ok(host.verifyAuth(m.msg, 20, 35, { spi: 302, key: MF1_KEY, algorithm: "hmac-md5" }), "authenticated with the mobile-foreign association");
  }
  const ids = own.map((m) => getId(m.msg, 12));
  assert.equal(new Set(ids).size, ids.length, "a new Identification each time");
  const ba = msgs.filter((m) => m.seg === "net2" && m.msg[0] === 19 && m.dst === MN);
  assert.equal(ba.length, 1);
  assert.ok(ba[0].t > 16500);
  assert.equal(own.filter((m) => m.t > ba[0].t).length, 0, "no update after the acknowledgement");
  assert.equal(r.counters.mn.mn_ba_rx, 1);
});

test("001 §3.2: a new agent without a mobile-foreign association ignores the PFAN; the mobile node's own Binding Update still reaches the previous agent", () => {
  // fa1 holds for 2 s here: the mobile node's own update comes retransmitMs (1 s) after its request.
  const r = run({ edit: (sc) => {
    sc.nodes.find((n) => n.name === "fa2").securityAssociations = [];
    sc.nodes.find((n) => n.name === "fa1").mobility.routeOptimization.holdMs = 2000;
  } });
  assert.equal(r.counters.fa2.ro_pfan_bu_tx, 0, "no update from the new agent");
  assert.equal(r.counters.fa2.fa_pfan_delivered, 0, "no delivery to the unauthenticated pending visitor");
  assert.ok(r.counters.mn.ro_pfan_bu_tx >= 1, "the mobile node sent its own");
  assert.equal(r.counters.mn.mn_ba_rx, 1);
  assert.ok(r.counters.fa1.ho_held > 100, `held ${r.counters.fa1.ho_held}`);
  assert.equal(r.counters.fa1.ho_released, r.counters.fa1.ho_held, "all re-tunnelled after the mobile node's update");
  assert.equal(r.s.handoffs[0].lost, 0);
});

test("001 §3.2: the mobile node gives up once the binding's lifetime (Cache Lifetime) has passed", () => {
  // fa1 never comes back; the run goes on for 30 s after the move.
  const r = run({ edit: (sc) => { sc.durationMs = 40000; sc.apps[0].stopMs = 39000; sc.actions = [{ type: "stop", atMs: 10700, node: "fa1" }]; } });
  const msgs = mip(r.frames);
  const own = msgs.filter((m) => m.seg === "net2" && m.msg[0] === 18 && m.src === MN);
  const first = msgs.find((m) => m.seg === "net2" && m.msg[0] === 1 && m.src === MN);
  assert.ok(own.length >= 2, `${own.length} updates`);
  assert.ok(own[own.length - 1].t - first.t < 10000, `last update ${own[own.length - 1].t - first.t} ms after the request: nothing after the 10 s cache lifetime`);
  assert.equal(r.counters.mn.ro_pfan_bu_tx, own.length);
});

// ---- the buffer pool at one foreign agent, frame by frame (issue 10.10) --------------------------

const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const MN_MAC = host.mac("02:00:00:00:0a:99"), RTR_MAC = host.mac("02:00:00:00:0b:fe");
const FA_IP = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1");
const P_HA = ip("10.8.0.1"), HOME = ip("10.8.0.5"), CN = ip("10.9.0.7"), NEW_COA = ip("10.3.0.1");
const MH = { spi: 0x1001, key: te.encode("mn-ha"), algorithm: "hmac-md5" };
const MF = { spi: 0x3003, key: te.encode("mn-fa"), algorithm: "hmac-md5" };
const ID = 0xeb00000012345678n;

function poolFa({ frames = 4, holdMs = 500 } = {}) {
  const clock = { t: 1_000_000 };
  const r = startBoard({
    name: "fa", board: "linux", roles: ["foreign-agent"],
    interfaces: [
      { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
      { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
    ],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    sizes: { handoffBufferFrames: frames },
    mobility: { lifetimeSec: 600, routeOptimization: { enabled: true, smoothHandoff: true, holdMs, cacheLifetimeSec: 10 } },
    securityAssociations: [{ peer: "10.8.0.5", spi: MF.spi, algorithm: "hmac-md5", key: "text:mn-fa", use: "mobile-foreign" }],
  }, { now: () => clock.t });
  const { board, cap } = r;
  board.rx(1, host.arpFrame(1, RTR_MAC, RTR, new Uint8Array(6), FA_CORE));
  // Register HOME through the agent.
  let m = host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: HOME, homeAgent: P_HA, careOf: FA_IP, id: ID });
  m = host.appendAuth(host.appendAuth(m, host.EXT_MH_AUTH, MH), host.EXT_MF_AUTH, MF);
  board.rx(0, host.ethFrame(WLAN_MAC, MN_MAC, 0x0800, host.buildUdp(HOME, FA_IP, 434, 434, m, 1, 64)));
  const rep = host.appendAuth(host.buildRegReply({ code: 0, lifetimeSec: 300, home: HOME, homeAgent: P_HA, id: ID }), host.EXT_MH_AUTH, MH);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(P_HA, FA_IP, 434, 434, rep, 2, 60)));
  assert.equal(board.dump("visitors").filter((v) => v.home === HOME && (v.state & 2) !== 0).length, 1, "visitor accepted");
  cap.tx.length = 0;
  return { board, cap, clock };
}

/** The home agent tunnels datagram number `seq` for HOME to our care-of address. */
function tunnelled(board, seq) {
  const inner = host.buildUdp(CN, HOME, 7000, 5000, new Uint8Array([seq >> 8, seq & 255, 0, 0]), seq, 60);
  const outer = new Uint8Array(20 + inner.length);
  outer.set(inner, 20);
  host.writeIpv4Header(outer, outer.length, 4, P_HA, FA_IP, seq, 50);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, outer));
}

/** Sequence numbers of the stream's datagrams the agent sent: [{ iface, seq, to (MAC or tunnel destination) }]. */
function streamOut(cap) {
  const out = [];
  for (const { iface, frame } of cap.tx) {
    let p = parseEthIp(frame);
    let via = null;
    if (p && p.proto === 4) { via = p.dst; p = decap(p); }
    const u = udpOf(p);
    if (!u || u.dport !== 5000) continue;
    out.push({ iface, seq: (u.data[0] << 8) | u.data[1], via, mac: frame.slice(0, 6) });
  }
  return out;
}

function station(board, up, mac = MN_MAC) { board.station(0, up, mac); }

/** The mobile node's Binding Update to us on its behalf (as a new agent sends it): HOME moved to NEW_COA. */
function buFromNewFa(board, clock, id = host.ntpTimestamp(clock.t, 0, 1)) {
  let bu = host.buildBindingUpdate({ flags: host.BU_A | host.BU_I, lifetimeSec: 10, home: HOME, careOf: NEW_COA, id });
  bu = host.appendAuth(bu, host.EXT_RO_AUTH, MF);
  board.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(ip("10.1.0.3"), FA_CORE, 434, 434, bu, 9, 60)));
}

test("issue 10.10: a departed station's datagrams are held and, when it comes back, delivered in order", () => {
  const { board, cap } = poolFa();
  tunnelled(board, 1);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), [1], "delivered while the station is there");
  cap.tx.length = 0;
  station(board, false);
  for (let s = 2; s <= 4; s++) tunnelled(board, s);
  assert.deepEqual(streamOut(cap), [], "held, nothing sent on the air");
  assert.equal(board.counters().ho_held, 3);
  station(board, true);
  const out = streamOut(cap);
  assert.deepEqual(out.map((x) => x.seq), [2, 3, 4], "released in order");
  for (const x of out) { assert.equal(x.iface, 0); assert.deepEqual(x.mac, MN_MAC); }
  assert.equal(board.counters().ho_released, 3);
  cap.tx.length = 0;
  tunnelled(board, 5);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), [5], "no longer held");
});

test("issue 10.10 / 001 §8.1: held datagrams are re-tunnelled to the new care-of address, in order, once the Binding Update arrives", () => {
  const { board, cap, clock } = poolFa();
  station(board, false);
  for (let s = 1; s <= 3; s++) tunnelled(board, s);
  assert.deepEqual(streamOut(cap), []);
  buFromNewFa(board, clock);
  assert.equal(board.dump("visitors").filter((v) => v.home === HOME).length, 0, "visitor deleted");
  assert.equal(board.dump("bindingCache").filter((e) => e.home === HOME && e.careOf === NEW_COA).length, 1);
  clock.t += 1;
  board.tick(clock.t);
  tunnelled(board, 4); // arriving after: re-tunnelled behind the held ones
  const out = streamOut(cap);
  assert.deepEqual(out.map((x) => x.seq), [1, 2, 3, 4]);
  for (const x of out) assert.equal(x.via, NEW_COA);
  assert.equal(board.counters().ho_released, 3);
  // The acknowledgement goes to the mobile node, tunnelled by the new entry (001 §8.1).
  const ack = cap.tx.map((f) => parseEthIp(f.frame)).filter((p) => p && p.proto === 4 && p.dst === NEW_COA).map(decap).map((p) => ({ p, u: udpOf(p) })).find((x) => x.u && x.u.data[0] === 19);
  assert.ok(ack, "Binding Acknowledge tunnelled");
  assert.equal(ack.p.dst, HOME);
});

test("issue 10.10: a large held backlog is re-tunnelled at most 16 datagrams a millisecond, in order", () => {
  const { board, cap, clock } = poolFa({ frames: 64 });
  station(board, false);
  for (let s = 1; s <= 40; s++) tunnelled(board, s);
  buFromNewFa(board, clock);
  const sent = [];
  for (let k = 1; k <= 3; k++) {
    clock.t += 1;
    board.tick(clock.t);
    sent.push(streamOut(cap).length);
  }
  assert.deepEqual(sent, [16, 32, 40]);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), Array.from({ length: 40 }, (_, i) => i + 1));
});

test("issue 10.10: datagrams held longer than holdMs are dropped and counted", () => {
  const { board, cap, clock } = poolFa({ holdMs: 300 });
  station(board, false);
  tunnelled(board, 1);
  tunnelled(board, 2);
  clock.t += 299;
  board.tick(clock.t);
  assert.equal(board.counters().drop_ho_timeout, 0, "still within the hold time");
  clock.t += 2;
  board.tick(clock.t);
  assert.equal(board.counters().drop_ho_timeout, 2);
  // The hold time is over for the visitor too: a later datagram is delivered as before.
  tunnelled(board, 3);
  station(board, true);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), [3], "the dropped ones never come out");
});

test("issue 10.10: the pool holds at most handoffBufferFrames frames; the rest are dropped and counted", () => {
  const { board, cap } = poolFa({ frames: 4 });
  station(board, false);
  for (let s = 1; s <= 7; s++) tunnelled(board, s);
  const c = board.counters();
  assert.equal(c.ho_held, 4);
  assert.equal(c.drop_ho_full, 3);
  station(board, true);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), [1, 2, 3, 4]);
});

test("issue 10.10: another station leaving does not hold this visitor's datagrams", () => {
  const { board, cap } = poolFa();
  station(board, false, host.mac("02:00:00:00:0a:42"));
  tunnelled(board, 1);
  assert.deepEqual(streamOut(cap).map((x) => x.seq), [1]);
  assert.equal(board.counters().ho_held, 0);
});

test("issue 10.10: without smooth handoff there is no pool and a station notice changes nothing", () => {
  const clock = { t: 1_000_000 };
  const { board } = startBoard({
    name: "fa", board: "linux", roles: ["foreign-agent"],
    interfaces: [{ name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true }],
    mobility: { routeOptimization: { enabled: true, smoothHandoff: false } },
  }, { now: () => clock.t });
  const withPool = poolFa({ frames: 64 }).board;
  assert.ok(withPool.heapUsed() - board.heapUsed() >= 64 * 1518, "the pool is carved only with smooth handoff on");
  station(board, false);
  assert.equal(board.counters().ho_held, 0);
});
