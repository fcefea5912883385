// Runtime conformance (issue 4): the emulated network drives the same scenario with every board in
// this process (Node's WebAssembly) and with every board in its own `mipfw-board sim-peer` process
// (wasm3, host/node/remote.ts); with the same seed the summary JSON, the event lines and the captures
// must be byte-identical. Skipped when the wasm3 runtime has not been built
// (cd host/wasm3 && cargo build --release).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, summaryJson } = host;
const root = fileURLToPath(new URL("../../", import.meta.url));
const BINARY = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const FIRMWARE = join(root, "build/firmware.wasm");
const missing = existsSync(BINARY) ? false : `wasm3 runtime not built (${BINARY})`;
const load = (n) => JSON.parse(readFileSync(join(root, "scenarios", n), "utf8"));

/** Run `raw` to the end; the summary JSON and every output file (events.jsonl, pcaps) as bytes. */
function runTo(raw, opts) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-conf-"));
  try {
    const sim = new Simulation(validateScenario(raw), firmware, { pcapDir: dir, eventsPath: join(dir, "events.jsonl"), ...opts });
    try { sim.run(); } finally { sim.close(); }
    const files = {};
    for (const f of readdirSync(dir).sort()) files[f] = readFileSync(join(dir, f));
    return { json: summaryJson(sim.summary()), files };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Node vs wasm3: identical summary, events and captures; returns the Node run. */
function compare(raw, seed) {
  const node = runTo(raw, { seed });
  const wasm3 = runTo(raw, { seed, wasm3: { binary: BINARY, firmware: FIRMWARE } });
  assert.deepEqual(Object.keys(wasm3.files), Object.keys(node.files));
  const lines = (b) => b.toString("utf8").split("\n");
  const a = lines(node.files["events.jsonl"]), b = lines(wasm3.files["events.jsonl"]);
  for (let i = 0; i < Math.max(a.length, b.length); i++) assert.equal(b[i], a[i], `event line ${i + 1} differs`);
  assert.equal(wasm3.json, node.json, "summary JSON differs");
  for (const f of Object.keys(node.files)) assert.ok(node.files[f].equals(wasm3.files[f]), `${f} differs between Node and wasm3`);
  return node;
}

test("default scenario (Mobile IP roaming, 60 s simulated): Node and wasm3 give the same trace", { skip: missing }, () => {
  const node = compare(load("default.json"), 7);
  const s = JSON.parse(node.json);
  // The comparison means something only if the mobile node went away and came back home.
  assert.equal(s.registrations.accepted, 3, `registrations accepted: ${s.registrations.accepted}`);
  assert.ok(node.files["events.jsonl"].toString().includes('"reg_reply"'));
});

// A home agent restarted by a scenario action (init called again on a running board), and a mobile
// node acquiring a co-located care-of address by DHCP (random transaction ids and jitter).
// MIPFW_CONFORMANCE_ALL=1 compares every scenario in scenarios/ (bench-100 takes ~20 s).
const more = process.env.MIPFW_CONFORMANCE_ALL
  ? readdirSync(join(root, "scenarios")).filter((f) => f.endsWith(".json") && f !== "default.json" && f !== "demo-router.json").sort()
  : ["mip-ha-reboot.json", "mip-colocated.json"];
for (const name of more) {
  test(`${name}: Node and wasm3 give the same trace`, { skip: missing }, () => { compare(load(name)); });
}

test("demo-router scenario: Node and wasm3 give the same trace", { skip: missing }, () => {
  compare(load("demo-router.json"), 3);
});

test("a configuration the firmware refuses: the wasm3 peer reports the core's reason like Node", { skip: missing }, () => {
  // Valid JSON, but the tables do not fit in the emulated profile's 2 pages: init returns 2.
  const cfg = host.validateConfig({ name: "r", board: "emulated", roles: ["router"], sizes: { arpEntries: 4096, routes: 4096 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "r");
  const hooks = { now: () => 0, tx() {}, deliver() {} };
  const reason = (b) => { try { b.init(); return null; } catch (e) { assert.ok(e instanceof host.BoardError); return e.message; } finally { b.close?.(); } };
  const a = reason(new host.Board(firmware, cfg, hooks));
  const b = reason(new host.RemoteBoard(cfg, hooks, { binary: BINARY, firmware: FIRMWARE }));
  assert.match(a, /config: board.memoryPages: expected/);
  assert.ok(b && b.includes(a.slice(a.indexOf("config: "))), `wasm3 peer: ${b}`);
});

test("RemoteBoard: counters, heap and pages match the in-process board after the same calls", { skip: missing }, () => {
  const cfg = host.validateConfig({ name: "r1", board: "emulated", roles: ["router"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }, { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" }] }, "r1");
  const run = (make) => {
    const tx = [];
    const b = make({ now: () => 1000, tx: (i, f) => tx.push([i, Buffer.from(f).toString("hex")]), deliver() {}, random: (buf) => buf.fill(7) });
    b.init();
    const A = host.mac("02:00:00:00:01:10");
    b.rx(0, host.arpFrame(1, A, host.parseIp("10.0.1.10"), new Uint8Array(6), host.parseIp("10.0.1.1"), host.mac("ff:ff:ff:ff:ff:ff")));
    b.rx(0, new Uint8Array(10));
    b.link(1, false);
    const next = b.tick(1000);
    const out = { tx, next, counters: b.counters(), heap: b.heapUsed(), pages: b.memoryPages() };
    b.close?.();
    out.afterClose = b.counters?.();
    return out;
  };
  const a = run((h) => new host.Board(firmware, cfg, h));
  const b = run((h) => new host.RemoteBoard(cfg, h, { binary: BINARY, firmware: FIRMWARE }));
  assert.ok(a.tx.length > 0);
  assert.deepEqual(b.tx, a.tx);
  assert.equal(b.next, a.next);
  assert.deepEqual(b.counters, a.counters);
  assert.deepEqual(b.afterClose, a.counters, "counters are kept after close");
  assert.equal(b.heap, a.heap);
  assert.equal(b.pages, a.pages);
});

test("mipfw sim --runtime wasm3 writes the same summary JSON as the default runtime", { skip: missing }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-conf-cli-"));
  try {
    const cli = join(root, "build/mipfw.cjs"), sc = join(root, "scenarios/demo-router.json");
    const env = { ...process.env, MIPFW_BOARD: BINARY };
    const run = (extra, out) => spawnSync(process.execPath, [cli, "sim", sc, "--quiet", "--json", join(dir, out), ...extra], { encoding: "utf8", env });
    const a = run([], "node.json"), b = run(["--runtime", "wasm3"], "wasm3.json");
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.ok(readFileSync(join(dir, "node.json")).equals(readFileSync(join(dir, "wasm3.json"))));
    const bad = run(["--runtime", "jvm"], "x.json");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--runtime: expected "node" or "wasm3"/);
    const gone = spawnSync(process.execPath, [cli, "sim", sc, "--quiet", "--runtime", "wasm3", "--board-bin", join(dir, "nope")], { encoding: "utf8" });
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /wasm3 runtime not found/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
