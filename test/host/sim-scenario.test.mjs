// Scenarios: the demo router topology reports zero loss and ping replies, the layer-2 roaming
// scenario reports a handful of handoffs whose losses explain the flow's, the summary has the
// documented shape, and invalid scenario files are refused naming field, expectation and value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, ScenarioError } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

test("demo-router: routed ping both ways and a CBR stream with zero loss", () => {
  const sim = new Simulation(validateScenario(load("demo-router.json")), firmware);
  sim.run();
  const s = sim.summary();
  assert.equal(s.scenario, "demo-router");
  assert.equal(s.simMs, 10000);
  assert.equal(s.flows.length, 1);
  const f = s.flows[0];
  assert.ok(f.sent >= 400);
  assert.deepEqual([f.received, f.lost, f.duplicates, f.reordered], [f.sent, 0, 0, 0]);
  assert.ok(f.latencyMs.p50 > 0.2 && f.latencyMs.max < 5, JSON.stringify(f.latencyMs));
  for (const p of s.pings) assert.deepEqual([p.received, p.lost], [p.sent, 0], p.name);
  assert.deepEqual(s.pings.map((p) => p.to), ["h2", "h1", "r1"]);
  assert.equal(s.boards.r1.counters.forwarded, f.sent + 2 * 10, "CBR plus both pings' requests and replies");
  for (const b of Object.values(s.boards)) {
    for (const [k, v] of Object.entries(b.counters)) if (k.startsWith("drop_")) assert.equal(v, 0, `${k}`);
    assert.deepEqual(b.host, { delivered: b.counters.delivered, unhandled: 0, malformed: 0, txNoLink: 0, outputRefused: 0 });
  }
  assert.deepEqual(s.handoffs, []);
});

test("summary: documented keys in a stable order", () => {
  const sim = new Simulation(validateScenario(load("l2-roam.json")), firmware, { durationMs: 12000 });
  sim.run();
  const s = sim.summary();
  assert.deepEqual(Object.keys(s), ["formatVersion", "scenario", "seed", "simMs", "flows", "pings", "handoffs", "registrations", "segments", "boards", "dhcp", "mip6Bindings"]);
  assert.deepEqual(Object.keys(s.flows[0]), ["name", "from", "to", "sent", "received", "lost", "duplicates", "reordered", "latencyMs"]);
  assert.deepEqual(Object.keys(s.flows[0].latencyMs), ["p50", "p99", "max"]);
  assert.deepEqual(Object.keys(s.pings[0]), ["name", "from", "to", "sent", "received", "lost", "rttMs"]);
  assert.deepEqual(Object.keys(s.handoffs[0]), ["node", "atMs", "from", "to", "interruptionMs", "lost", "registeredMs"]);
  assert.equal(s.handoffs[0].registeredMs, null, "not a mobile node");
  assert.deepEqual(s.registrations, { requested: 0, accepted: 0, denied: {}, agentDenied: {}, bindingDenied: {} });
  assert.deepEqual(s.dhcp, {});
  assert.deepEqual(Object.keys(s.segments), ["lan1", "lan2", "ap1", "ap2"]);
  assert.deepEqual(Object.keys(s.boards), ["h1", "r1", "m1"]);
  assert.deepEqual(Object.keys(s.boards.m1), ["board", "memoryPages", "heapUsed", "counters", "host"]);
  assert.equal(s.boards.m1.board, "esp32");
  assert.ok(s.boards.m1.memoryPages <= 2);
  assert.ok("rx_frames" in s.boards.m1.counters && "drop_not_for_us" in s.boards.m1.counters);
  assert.equal(JSON.stringify(sim.summary()), JSON.stringify(s), "summary() is pure");
});

test("l2-roam: a handful of handoffs in 60 s; the flow's losses all fall in handoff gaps", () => {
  const sim = new Simulation(validateScenario(load("l2-roam.json")), firmware);
  sim.run();
  const s = sim.summary();
  assert.equal(s.simMs, 60000);
  assert.ok(s.handoffs.length >= 3 && s.handoffs.length <= 8, `${s.handoffs.length} handoffs`);
  let lost = 0;
  for (const h of s.handoffs) {
    assert.equal(h.node, "m1");
    assert.notEqual(h.from, h.to);
    assert.ok(["ap1", "ap2"].includes(h.to));
    assert.ok(h.interruptionMs >= 60 && h.interruptionMs < 200, `interruption ${h.interruptionMs}`);
    assert.ok(h.lost > 0 && h.lost < 10);
    lost += h.lost;
  }
  const f = s.flows[0];
  assert.equal(f.lost, lost);
  assert.equal(f.received + f.lost, f.sent);
  assert.ok(s.pings.every((p) => p.received >= p.sent - s.handoffs.length));
});

function problems(raw) {
  try { validateScenario(raw); } catch (e) { assert.ok(e instanceof ScenarioError); return e.problems; }
  assert.fail("accepted an invalid scenario");
}

test("scenario validation: every problem named with field, expected and actual value", () => {
  const bad = load("l2-roam.json");
  bad.segments[0].loss = 2;
  bad.segments[1].bogus = 1;
  bad.accessPoints[1].segment = "lan9";
  bad.accessPoints[1].bssid = "01:00:00:00:00:01";
  bad.nodes[0].interfaces[0].mac = "zz";
  bad.nodes[2].attach = { wlan0: "lan7" };
  bad.nodes[2].mobility.points[3].atMs = 100;
  bad.apps[0].from = "nobody";
  bad.apps[1].type = "tcp";
  bad.durationMs = -5;
  const p = problems(bad);
  const want = [
    'scenario.durationMs: expected an integer 1..31536000000, got -5',
    'scenario.segments[0].loss: expected a number 0..1, got 2',
    'scenario.segments[1].bogus: expected one of the fields name, delayMs, jitterMs, loss, bandwidthMbps, queueFrames, comment, got "bogus"',
    'scenario.accessPoints[1].segment: expected one of the segments lan1, lan2, got "lan9"',
    'scenario.accessPoints[1].bssid: expected a unicast MAC address like 02:aa:00:00:00:01, got "01:00:00:00:00:01"',
    'scenario.nodes[0].interfaces[0].mac: expected a MAC address like 02:00:00:00:00:01, got "zz"',
    'scenario.nodes[2].attach.wlan0: expected "wifi", null or one of the segments lan1, lan2, got "lan7"',
    'scenario.nodes[2].mobility.points[3].atMs: expected a time not before the previous point (15000), got 100',
    'scenario.apps[0].from: expected one of the nodes h1, r1, m1, got "nobody"',
    'scenario.apps[1].type: expected "cbr" or "ping", got "tcp"',
  ];
  for (const w of want) assert.ok(p.includes(w), `missing: ${w}\nhave:\n${p.join("\n")}`);
  assert.ok(problems({}).some((x) => x.startsWith("scenario.nodes: expected a non-empty list")));
  assert.deepEqual(problems([]), ["scenario: expected a JSON object, got []"]);
  const noPos = load("l2-roam.json");
  delete noPos.nodes[2].mobility;
  assert.ok(problems(noPos).some((x) => x.startsWith("scenario.nodes[2].position: expected a position")));
});

test("default.json is the Mobile IP roaming demo (mip-roam.json under the name default)", () => {
  const d = load("default.json"), m = load("mip-roam.json");
  assert.equal(d.name, "default");
  assert.deepEqual({ ...d, name: m.name }, m);
});
