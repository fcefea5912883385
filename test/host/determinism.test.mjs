// Determinism: the same scenario and seed give byte-identical summary JSON, pcaps and event logs;
// with randomness in play (jitter, loss, random walk) another seed gives a different trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, summaryJson } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

function runTo(raw, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-det-"));
  try {
    const sim = new Simulation(validateScenario(raw), firmware, { pcapDir: dir, eventsPath: join(dir, "events.jsonl"), ...opts });
    sim.run();
    sim.close();
    const files = {};
    for (const f of readdirSync(dir).sort()) files[f] = readFileSync(join(dir, f));
    return { json: summaryJson(sim.summary()), files };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function assertSameFiles(a, b) {
  assert.deepEqual(Object.keys(a.files), Object.keys(b.files));
  for (const f of Object.keys(a.files)) assert.ok(a.files[f].equals(b.files[f]), `${f} differs between runs`);
}

test("l2-roam scenario twice with the same seed: byte-identical summary, pcaps and events", () => {
  const a = runTo(load("l2-roam.json")), b = runTo(load("l2-roam.json"));
  assert.equal(a.json, b.json);
  assert.deepEqual(Object.keys(a.files), ["ap1.pcap", "ap2.pcap", "events.jsonl", "lan1.pcap", "lan2.pcap"]);
  assertSameFiles(a, b);
  assert.ok(a.files["lan2.pcap"].length > 100000);
});

function randomScenario() {
  const raw = load("l2-roam.json");
  raw.durationMs = 30000;
  raw.segments[1].jitterMs = 0.5;
  raw.segments[1].loss = 0.01;
  raw.nodes[2].mobility = { type: "randomWalk", speedMps: [5, 15], pauseMs: 1000, area: { x0: -20, y0: -20, x1: 120, y1: 20 } };
  return raw;
}

test("with jitter, loss and a random walk: same seed same trace, another seed a different one", () => {
  const a = runTo(randomScenario()), b = runTo(randomScenario());
  assert.equal(a.json, b.json);
  assertSameFiles(a, b);
  const c = runTo(randomScenario(), { seed: 2 });
  assert.notEqual(c.json, a.json);
  assert.ok(!c.files["lan2.pcap"].equals(a.files["lan2.pcap"]), "another seed changes the capture");
  assert.ok(!c.files["events.jsonl"].equals(a.files["events.jsonl"]), "another seed changes the roaming");
  const sa = JSON.parse(a.json), sc = JSON.parse(c.json);
  assert.equal(sa.seed, 1);
  assert.equal(sc.seed, 2);
  assert.ok(sa.segments.lan2.lost > 0 && sc.segments.lan2.lost > 0);
});
