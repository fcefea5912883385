// Issue 14 point 4, names not numbers: Registration Reply codes as Wireshark names them, Binding
// Acknowledgement statuses as seed 003 numbers them, in the summary, the events file and the timeline;
// normal outcomes (not_for_us) apart from real drops in the summary's board table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host } from "./helpers.mjs";

const cli = new URL("../../build/mipfw.cjs", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root });
const tmp = mkdtempSync(join(tmpdir(), "mipfw-names-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

test("names: the reply code table is Wireshark's mip.code value string", (t) => {
  const r = spawnSync("tshark", ["-G", "values"], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) { t.skip("tshark not installed: the table cannot be compared"); return; }
  const ws = {};
  for (const line of r.stdout.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "V" && f[1] === "mip.code") ws[f[2]] = f[3];
  }
  assert.ok(Object.keys(ws).length > 40, "tshark lists mip.code");
  assert.deepEqual(Object.fromEntries(Object.entries(host.REG_REPLY_CODES).map(([k, v]) => [String(k), v])), ws);
  assert.equal(host.replyCodeName(131), "Reg Deny (HA)- MN Failed Authentication");
  assert.equal(host.replyCodeName(7), "code 7");
  // Seed 003's Binding Acknowledgement numbering, not RFC 6275's (129 is "poorly formed" there).
  assert.equal(host.ba6StatusName(129), "Poorly formed Binding Update");
  assert.equal(host.ba6StatusName(136), "Incorrect interface identifier length");
  assert.equal(host.roStatusName(133), "Identification mismatch");
});

test("names: a wrong key shows named denials in the summary and events; normal outcomes are ignored, not drops", () => {
  const events = join(tmp, "e.jsonl"), json = join(tmp, "s.json");
  const r = run("sim", "scenarios/mip-wrong-key.json", "--events", events, "--json", json);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /denied by agents \{131 Reg Deny \(HA\)- MN Failed Authentication: \d+\}/);
  // The board table: normal outcomes in "ignored (normal)", never among the drops (an IPv6 run: groups
  // not joined; segments deliver unicast to its owner only since issue 14.10, so not_for_us is rare).
  const r6 = run("sim", "scenarios/mip6-roam.json");
  assert.equal(r6.status, 0, r6.stderr);
  const lines = r6.stdout.split("\n");
  const head = lines.findIndex((l) => /ignored \(normal\)\s+drops$/.test(l));
  assert.ok(head > 0, "the board table has an ignored column before the drops");
  const dropsAt = lines[head].indexOf("drops"), ignoredAt = lines[head].indexOf("ignored");
  const rows = [];
  for (const l of lines.slice(head + 1)) { if (!l.trim()) break; rows.push(l); }
  assert.ok(rows.length >= 3, "board rows");
  assert.ok(rows.some((l) => /(not_for_us|ethertype|ip6_not_member)=\d+/.test(l.slice(ignoredAt, dropsAt))), "a normal outcome in the ignored column");
  for (const l of rows) assert.doesNotMatch(l.slice(dropsAt), /not_for_us|ethertype=|ip6_not_member/, l);
  const ev = readFileSync(events, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const denied = ev.filter((e) => e.name === "reg_denied");
  assert.ok(denied.length > 0);
  for (const e of denied) assert.deepEqual([e.kind, e.code, e.codeName], [11, 131, "Reg Deny (HA)- MN Failed Authentication"]);
  assert.ok(ev.some((e) => e.name === "visitor" && e.op === "denied" && e.codeName === "Reg Deny (HA)- MN Failed Authentication"));
  assert.ok(ev.every((e) => e.name !== "visitor" || e.op !== "pending" || !("codeName" in e)), "code 0 of a pending visitor is no reply");
  const s = JSON.parse(readFileSync(json, "utf8"));
  assert.deepEqual(s.registrations.bindingDenied, {});
});

test("names: events in mipfw-board's format; simulator events without a firmware id; log levels as words", () => {
  const e = host.eventLine(12.5, "mn", "reg_reply", { code: 136, coa: "2001:db8::1" });
  assert.deepEqual(Object.keys(e).slice(0, 4), ["tMs", "node", "kind", "name"]);
  assert.equal(e.kind, 6);
  assert.equal(e.codeName, "Incorrect interface identifier length");
  assert.equal(host.eventLine(1, "mn", "reg_reply", { code: 136, coa: "10.2.0.1" }).codeName, "Reg Deny (HA)- Unknown HA Address");
  const h = host.eventLine(1, "mn", "handoff", { from: "a", to: "b" });
  assert.deepEqual(Object.keys(h).slice(0, 3), ["tMs", "node", "name"]);
  assert.ok(!("kind" in h));
  assert.equal(host.eventLine(1, "mn", "log", { level: 1, text: "x" }).level, "warning");
  assert.equal(host.eventLine(1, "x", "ro_binding", { op: "refused", status: 131 }).statusName, "Sending node failed authentication");
});

test("names: the timeline's details name the codes", () => {
  const sc = host.loadScenario(join(root, "scenarios/mip-wrong-key.json"));
  const fw = new WebAssembly.Module(readFileSync(join(root, "build/firmware.wasm")));
  const sim = new host.Simulation(sc, fw, { timeline: true, durationMs: 12000 });
  sim.run(12000);
  sim.close();
  const html = host.renderTimeline(host.timelineData(sim, sim.summary()));
  assert.match(html, /with code 131 Reg Deny \(HA\)- MN Failed Authentication/);
});

test("names: an event id the table does not know keeps its id as kind, like mipfw-board", () => {
  const d = host.decodeFirmwareEvent(99, new Uint8Array([1, 2]));
  const { kind, ...fields } = d;
  const e = host.eventLine(1, "n", kind, fields);
  assert.deepEqual([e.kind, e.name, e.hex], [99, "event_99", "0102"]);
});
