// Runtime conformance on the emulated microcontroller (issue 9.4): the default scenario with its
// mobile node served by build/mcu-rv32.elf in qemu-system-riscv32 (mode sim-peer: the remote-board
// protocol of host/wasm3/src/simpeer.rs over the board's UART, host/c/src/simpeer.c) gives the same
// summary JSON, event lines and captures, byte for byte, as with every board in Node and as with the
// mobile node under `mipfw-board sim-peer` (wasm3 on Linux). Skipped, saying why, without qemu, the
// rv32 cross compiler or picolibc, Wasm3's sources or mipfw-board. docs/mcu.md "Conformance".
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { host } from "./helpers.mjs";
import { QEMU, simPeerArgs, mcuMissing } from "../../host/c/rv32-virt/qemu.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const RUST = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
// The microcontroller image (IPv4 only, assembly/features.ts): every host of the comparison runs it.
const FIRMWARE = join(root, "build/firmware-mcu.wasm");
const firmware = new WebAssembly.Module(readFileSync(FIRMWARE));
const ELF = join(root, "build/mcu-rv32.elf");

const skip = mcuMissing(RUST) ?? false;

before(() => {
  if (skip) return;
  const r = spawnSync("make", ["-C", join(root, "host/c/rv32-virt")], { encoding: "utf8" });
  assert.equal(r.status, 0, `make -C host/c/rv32-virt failed:\n${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /warning:/, "the board builds without warnings");
});

/** Run `scenario` to the end with `opts`; summary JSON, every output file, wall time. */
function runTo(scenario, opts) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-mcuconf-"));
  const t0 = Date.now();
  try {
    const sim = new host.Simulation(host.validateScenario(scenario), firmware,
      { seed: 7, pcapDir: dir, eventsPath: join(dir, "events.jsonl"), ...opts });
    try { sim.run(); } finally { sim.close(); }
    const files = {};
    for (const f of readdirSync(dir).sort()) files[f] = readFileSync(join(dir, f));
    return { json: host.summaryJson(sim.summary()), files, ms: Date.now() - t0 };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** `b` is byte-identical to `a`: files, event lines (the first that differs named), summary. */
function same(a, b, what) {
  assert.deepEqual(Object.keys(b.files), Object.keys(a.files), `${what}: output files`);
  const lines = (x) => x.toString("utf8").split("\n");
  const la = lines(a.files["events.jsonl"]), lb = lines(b.files["events.jsonl"]);
  for (let i = 0; i < Math.max(la.length, lb.length); i++) assert.equal(lb[i], la[i], `${what}: event line ${i + 1} differs`);
  assert.equal(b.json, a.json, `${what}: summary JSON differs`);
  for (const f of Object.keys(a.files)) assert.ok(a.files[f].equals(b.files[f]), `${what}: ${f} differs`);
}

/** RemoteOptions serving `nodes` by the MCU in qemu; `started` counts the qemu processes. */
function mcu(nodes, extra = {}) {
  const o = { binary: QEMU, firmware: FIRMWARE, nodes, started: 0,
    args: ({ pipe }) => { o.started++; return simPeerArgs({ pipe, elf: ELF, firmware: FIRMWARE, ...extra }); } };
  return o;
}

/** The "# mcu" figure lines the board writes to `log` after "quit" (qemu exits on its own). */
async function figuresIn(log) {
  for (let i = 0; i < 100; i++) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    if (/linear memory \d+ bytes/.test(text)) return text.trim();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no figures in ${log}`);
}

test("conformance: the default scenario with its mobile node on the emulated rv32 MCU (qemu) gives the same trace as under Node and under mipfw-board", { skip }, async (t) => {
  const scenario = JSON.parse(readFileSync(join(root, "scenarios/default.json"), "utf8"));
  const node = runTo(scenario, {});
  const board = runTo(scenario, { wasm3: { binary: RUST, firmware: FIRMWARE, nodes: ["mn"] } });
  const logDir = mkdtempSync(join(tmpdir(), "mipfw-mcuconf-log-"));
  // The linear memory the mobile node's board profile gives it on a microcontroller (selftest and run
  // modes take the same default, host/c/rv32-virt/qemu.mjs).
  const mnBoard = JSON.parse(readFileSync(join(root, `boards/${scenario.nodes.find((n) => n.name === "mn").board}.json`), "utf8"));
  const remote = mcu(["mn"], { uartLog: join(logDir, "uart.log"), memoryLimit: mnBoard.microcontroller?.memoryLimitBytes ?? 0 });
  const onMcu = runTo(scenario, { wasm3: remote });
  const figures = await figuresIn(join(logDir, "uart.log"));
  rmSync(logDir, { recursive: true, force: true });
  t.diagnostic(`default scenario (60 s simulated): Node ${node.ms} ms, mn under mipfw-board ${board.ms} ms, mn on the rv32 MCU in qemu ${onMcu.ms} ms`);
  for (const line of figures.split("\n")) t.diagnostic(`the MCU after the run: ${line}`);
  assert.equal(remote.started, 1, "one qemu served the mobile node");
  same(node, board, "mipfw-board vs Node");
  same(node, onMcu, "rv32 MCU vs Node");
  const s = JSON.parse(onMcu.json);
  // The comparison means something only if the mobile node went away and came back home.
  assert.equal(s.registrations.accepted, 3, "the mobile node registered with fa1, fa2 and home again");
  assert.ok(onMcu.files["events.jsonl"].toString().includes('"reg_reply"'));
});

test("RemoteBoard on the MCU, over the virtio-console and over the UART: the same frames, deadline, counters, heap and pages as the in-process board; a refused configuration gives the core's reason", { skip }, () => {
  const cfg = host.validateConfig({ name: "r1", board: "emulated", roles: ["router"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }, { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" }] }, "r1");
  const run = (make) => {
    const tx = [];
    const b = make({ now: () => 1000, tx: (i, f) => tx.push([i, Buffer.from(f).toString("hex")]), deliver() {}, random: (buf) => buf.fill(7) });
    try {
      b.init();
      const A = host.mac("02:00:00:00:01:10");
      b.rx(0, host.arpFrame(1, A, host.parseIp("10.0.1.10"), new Uint8Array(6), host.parseIp("10.0.1.1"), host.mac("ff:ff:ff:ff:ff:ff")));
      b.rx(0, new Uint8Array(10));
      b.rx(1, new Uint8Array(1514).fill(0x5a)); // a full-size frame: more than one console buffer
      b.link(1, false);
      return { tx, next: b.tick(1000), counters: b.counters(), heap: b.heapUsed(), pages: b.memoryPages() };
    } finally { b.close?.(); }
  };
  const inProcess = run((h) => new host.Board(firmware, cfg, h));
  assert.ok(inProcess.tx.length > 0);
  for (const uart of [false, true]) {
    const o = mcu(undefined, { uart });
    assert.deepEqual(run((h) => new host.RemoteBoard(cfg, h, o)), inProcess, uart ? "over the UART" : "over the virtio-console");
    assert.equal(o.started, 1);
  }
  const big = host.validateConfig({ name: "r", board: "emulated", roles: ["router"], sizes: { arpEntries: 4096, routes: 4096 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "r");
  const reason = (b) => { try { b.init(); return null; } catch (e) { return e.message; } finally { b.close?.(); } };
  const hooks = { now: () => 0, tx() {}, deliver() {} };
  const a = reason(new host.Board(firmware, big, hooks)), m = reason(new host.RemoteBoard(big, hooks, mcu()));
  assert.match(a, /config: board\.memoryPages: expected/);
  assert.ok(m && m.startsWith("r: firmware refused the configuration") && m.includes(a.slice(a.indexOf("config: "))), `MCU: ${m}`);
});
