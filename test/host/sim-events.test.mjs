// Firmware event records 5-13 (docs/abi.md "Events") decoded into named fields; registrations
// counted from them; and the scenario actions (stop, start, restart, inject, replayLastRegistration)
// with their validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { decodeFirmwareEvent, requestFlags, Simulation, validateScenario, ScenarioError, parseIp, buildEchoRequest, ethFrame, mac, isRegistrationRequest, buildUdp, buildRegRequest } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

/** A record: [type, value] pairs with type "u8" | "u16" | "u32" (little-endian) | "ip" (ABI v2: ::ffff:a.b.c.d, 16 bytes). */
function rec(...fields) {
  const size = { u8: 1, u16: 2, u32: 4, ip: 16 };
  const b = new Uint8Array(fields.reduce((n, [t]) => n + size[t], 0));
  const dv = new DataView(b.buffer);
  let o = 0;
  for (const [t, v] of fields) {
    if (t === "u8") dv.setUint8(o, v);
    else if (t === "u16") dv.setUint16(o, v, true);
    else if (t === "ip") b.set(host.mappedAddress(parseIp(v)), o);
    else dv.setUint32(o, v, true);
    o += size[t];
  }
  return b;
}

test("events: kinds 5-13 decode field by field", () => {
  const H = ["ip", "10.1.0.20"], HA = ["ip", "10.1.0.1"], COA = ["ip", "10.2.0.1"];
  assert.deepEqual(decodeFirmwareEvent(5, rec(["u16", 300], ["u8", 0xa0], ["u8", 1], H, HA, COA)),
    { kind: "reg_request", home: "10.1.0.20", ha: "10.1.0.1", coa: "10.2.0.1", lifetimeSec: 300, flags: 0xa0, flagNames: "SD", viaFa: true });
  assert.deepEqual(decodeFirmwareEvent(6, rec(["u16", 60], ["u8", 133], ["u8", 0], H, HA, COA)),
    { kind: "reg_reply", home: "10.1.0.20", ha: "10.1.0.1", coa: "10.2.0.1", lifetimeSec: 60, code: 133, accepted: false });
  assert.equal(decodeFirmwareEvent(6, rec(["u16", 60], ["u8", 1], ["u8", 0], H, HA, COA)).accepted, true);
  assert.deepEqual(decodeFirmwareEvent(7, rec(["u8", 0], ["u8", 4], ["u16", 3], ["ip", "10.2.0.1"], COA)),
    { kind: "move", iface: 0, reason: "agent_reboot", seq: 3, agent: "10.2.0.1", coa: "10.2.0.1" });
  assert.deepEqual(decodeFirmwareEvent(8, rec(["u8", 4], ["u8", 0], ["u16", 0], H, COA)),
    { kind: "binding", op: "expire", lifetimeSec: 0, home: "10.1.0.20", coa: "10.2.0.1" });
  assert.deepEqual(decodeFirmwareEvent(9, rec(["u8", 3], ["u8", 70], ["u16", 0], H, HA)),
    { kind: "visitor", op: "denied", code: 70, lifetimeSec: 0, home: "10.1.0.20", ha: "10.1.0.1" });
  assert.deepEqual(decodeFirmwareEvent(10, rec(["u8", 3], ["u8", 32], ["u8", 131], ["u8", 0], ["u32", 4096], H)),
    { kind: "auth_failed", role: "home-agent", extType: 32, code: 131, peer: "10.1.0.20", spi: 4096 });
  assert.deepEqual(decodeFirmwareEvent(11, rec(["u8", 2], ["u8", 65], ["u16", 0], H)),
    { kind: "reg_denied", role: "foreign-agent", code: 65, home: "10.1.0.20" });
  assert.deepEqual(decodeFirmwareEvent(12, rec(["u8", 1], ["u8", 0], ["u16", 0], ["u32", 600], ["ip", "10.4.0.100"], ["ip", "10.4.0.1"])),
    { kind: "dhcp", op: "bound", addr: "10.4.0.100", router: "10.4.0.1", leaseSec: 600 });
  assert.deepEqual(decodeFirmwareEvent(13, rec(["u8", 1], ["u8", 0], ["u16", 0], HA)), { kind: "home", atHome: true, agent: "10.1.0.1" });
  // Too short, or an unknown kind: the raw bytes.
  assert.deepEqual(decodeFirmwareEvent(8, Uint8Array.of(1, 2)), { kind: "binding", id: 8, hex: "0102" });
  assert.deepEqual(decodeFirmwareEvent(99, Uint8Array.of(255)), { kind: "event_99", id: 99, hex: "ff" });
  assert.equal(requestFlags(0xff), "SBDMGVPR");
});

test("events: the summary counts requests, accepted replies (0/1), denied replies and agent denials by code", () => {
  const sim = new Simulation(validateScenario(load("demo-router.json")), firmware, { keepEvents: true, durationMs: 10 });
  const n = sim.nodeByName.get("h1");
  const H = ["ip", "10.1.0.20"], HA = ["ip", "10.1.0.1"], COA = ["ip", "10.2.0.1"];
  for (let i = 0; i < 4; i++) sim.firmwareEvent(n, 5, rec(["u16", 60], ["u8", 0], ["u8", 1], H, HA, COA));
  for (const code of [0, 1, 133, 131, 133]) sim.firmwareEvent(n, 6, rec(["u16", 60], ["u8", code], ["u8", 0], H, HA, COA));
  for (const code of [136, 65]) sim.firmwareEvent(n, 11, rec(["u8", 3], ["u8", code], ["u16", 0], H));
  assert.deepEqual(sim.summary().registrations, { requested: 4, accepted: 2, denied: { 131: 1, 133: 2 }, agentDenied: { 65: 1, 136: 1 }, bindingDenied: {} });
  assert.equal(sim.events.kept.filter((e) => e.kind === "reg_reply").length, 5);
});

const base = () => load("demo-router.json");

test("actions: stop silences a board (no rx, no ticks, no output); start re-initialises it and traffic resumes", () => {
  const raw = base();
  raw.actions = [{ type: "stop", atMs: 3000, node: "h2" }, { type: "start", atMs: 6000, node: "h2" }];
  const sim = new Simulation(validateScenario(raw), firmware, { keepEvents: true });
  const rxAt = [];
  const h2 = sim.nodeByName.get("h2");
  const orig = h2.board.rx.bind(h2.board);
  h2.board.rx = (i, f) => { rxAt.push(sim.engine.nowUs / 1000); return orig(i, f); };
  sim.run();
  const s = sim.summary();
  assert.ok(!rxAt.some((t) => t >= 3000 && t < 6000), "no frame reaches a stopped board");
  assert.ok(rxAt.some((t) => t > 6000));
  const f = s.flows[0];
  assert.ok(f.lost >= 145 && f.lost <= 160, `${f.lost} lost (50/s for 3 s)`);
  const acts = sim.events.kept.filter((e) => e.kind === "action").map((e) => [e.t, e.node, e.action, e.wasStopped]);
  assert.deepEqual(acts, [[3000, "h2", "stop", false], [6000, "h2", "start", true]]);
  assert.equal(f.received + f.lost, f.sent);
});

test("actions: restart re-initialises at once (state lost, links kept)", () => {
  const raw = base();
  raw.actions = [{ type: "restart", atMs: 4000, node: "r1" }];
  const sim = new Simulation(validateScenario(raw), firmware, { keepEvents: true });
  sim.run();
  const s = sim.summary();
  assert.ok(sim.events.kept.some((e) => e.node === "r1" && e.kind === "arp_resolved" && e.t > 4000), "ARP cache emptied by the restart");
  assert.ok(s.flows[0].lost <= 2, `${s.flows[0].lost} lost across a router restart`);
  assert.ok(s.boards.r1.counters.forwarded > 0);
});

test("actions: inject puts raw frames on a segment (count, interval); the boards answer them", () => {
  const raw = base();
  const echo = buildEchoRequest(parseIp("10.0.1.99"), parseIp("10.0.1.1"), 0x77, 1, new Uint8Array(8));
  const frame = ethFrame(mac("02:00:00:00:01:01"), mac("02:00:00:00:01:99"), 0x0800, echo);
  raw.actions = [{ type: "inject", atMs: 2000, segment: "lan1", frameHex: Buffer.from(frame).toString("hex"), count: 3, intervalMs: 100 }];
  const seen = [];
  const sim = new Simulation(validateScenario(raw), firmware, { keepEvents: true, onFrame: (seg, f, t) => { if (seg === "lan1" && f[0] === 0x02 && f[5] === 0x99) seen.push(t / 1000); } });
  sim.run();
  // r1 answers each request; it must first ARP for 10.0.1.99 (unanswered), so the replies never leave,
  // but the ARP requests for the injected sender show the frames arrived.
  const injected = sim.events.kept.filter((e) => e.kind === "action" && e.action === "inject").map((e) => e.t);
  assert.deepEqual(injected, [2000, 2100, 2200]);
  const plain = new Simulation(validateScenario(base()), firmware);
  plain.run();
  assert.equal(sim.summary().boards.r1.counters.icmp_rx - plain.summary().boards.r1.counters.icmp_rx, 3, "r1 received the three echo requests");
  assert.deepEqual(seen, [], "nothing is sent to the unresolved MAC");
  assert.ok(sim.events.kept.some((e) => e.node === "r1" && e.kind === "arp_failed" && e.ip === "10.0.1.99"), "r1 tried to answer");
});

test("actions: replayLastRegistration resends the last Registration Request seen on the segment, byte for byte", () => {
  const raw = base();
  const req = buildUdp(parseIp("10.0.1.10"), parseIp("10.0.1.1"), 434, 434, buildRegRequest({ flags: 0, lifetimeSec: 60, home: parseIp("10.0.1.10"), homeAgent: parseIp("10.0.1.1"), careOf: parseIp("10.0.1.10"), id: 1n }));
  const frame = ethFrame(mac("02:00:00:00:01:01"), mac("02:00:00:00:01:10"), 0x0800, req);
  assert.ok(isRegistrationRequest(frame));
  assert.ok(!isRegistrationRequest(frame.slice(0, 60)));
  raw.actions = [
    { type: "replayLastRegistration", atMs: 500, segment: "lan1" },
    { type: "inject", atMs: 1000, segment: "lan1", frameHex: Buffer.from(frame).toString("hex") },
    { type: "replayLastRegistration", atMs: 1500, segment: "lan1" },
  ];
  const copies = [];
  const sim = new Simulation(validateScenario(raw), firmware, { keepEvents: true, onFrame: (seg, f, t) => { if (isRegistrationRequest(f)) copies.push([seg, Math.round(t / 1000), Buffer.from(f).equals(Buffer.from(frame))]); } });
  sim.run(2000);
  assert.deepEqual(copies, [["lan1", 1000, true], ["lan1", 1500, true]]);
  const acts = sim.events.kept.filter((e) => e.kind === "action").map((e) => [e.action, e.bytes]);
  assert.deepEqual(acts, [["replayLastRegistration", 0], ["inject", frame.length], ["replayLastRegistration", frame.length]]);
});

test("actions: validation names the field, the expectation and the value", () => {
  const raw = base();
  raw.actions = [
    { type: "stop", atMs: 10, node: "nobody" },
    { type: "inject", atMs: 10, segment: "lan9", frameHex: "zz" },
    { type: "explode", atMs: 10 },
    { type: "restart", atMs: -1, node: "h1", extra: 1 },
  ];
  let p = [];
  try { validateScenario(raw); } catch (e) { assert.ok(e instanceof ScenarioError); p = e.problems; }
  for (const w of [
    'scenario.actions[0].node: expected one of the firmware nodes h1, r1, h2, got "nobody"',
    'scenario.actions[1].segment: expected one of the segments or access points lan1, lan2, got "lan9"',
    'scenario.actions[1].frameHex: expected an Ethernet frame as hex (14..9018 bytes; spaces and \':\' ignored), got "zz"',
    'scenario.actions[2].type: expected one of "stop", "start", "restart", "inject", "replayLastRegistration", got "explode"',
    'scenario.actions[3].atMs: expected a number 0..31536000000, got -1',
    'scenario.actions[3].extra: expected one of the fields type, atMs, node, comment, got "extra"',
  ]) assert.ok(p.includes(w), `missing: ${w}\nhave:\n${p.join("\n")}`);
});

test("scenario: movement under \"movement\"; \"mobility\" with a type is still movement; both at once is refused", () => {
  const raw = load("l2-roam.json");
  const m1 = raw.nodes[2];
  m1.movement = m1.mobility;
  delete m1.mobility;
  const a = validateScenario(raw);
  const b = validateScenario(load("l2-roam.json"));
  assert.deepEqual(a.nodes[2].mobility, b.nodes[2].mobility);
  m1.mobility = { type: "waypoints", points: [{ atMs: 0, x: 0, y: 0 }] };
  assert.throws(() => validateScenario(raw), (e) => e.problems.some((x) => x.startsWith('scenario.nodes[2].mobility: expected Mobile IP settings (movement is given in "movement")')));
});
