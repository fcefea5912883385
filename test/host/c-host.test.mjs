// The portable C host (host/c, issue 9.1) against the Rust host: `mipfw-c selftest` prints exactly
// what `mipfw-board selftest` prints for several node configurations (lazy, eager, with and without
// warm-up); modules of another ABI, truncated modules, refused configurations, a memory_limit below
// what the tables need and traps are refused or reported, never crashes; and the default scenario run
// with the mobile node served by `mipfw-c sim-peer` gives the same trace as with `mipfw-board
// sim-peer`. Builds host/c with `make` (skipped, with the reason, when no C compiler, make, Wasm3
// sources or mipfw-board are available).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { host, firmware } from "./helpers.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const RUST = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const C = join(root, "host/c/build/mipfw-c");
const FIRMWARE = join(root, "build/firmware.wasm");
const STUBS = join(root, "host/wasm3/tests/wasm");
const configs = join(root, "test/fixtures/configs");
const tmp = mkdtempSync(join(tmpdir(), "mipfw-chost-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

function why() {
  if (spawnSync("make", ["--version"]).status !== 0) return "make not installed";
  if (spawnSync(process.env.CC ?? "cc", ["--version"]).status !== 0) return "no C compiler (cc)";
  const src = spawnSync(join(root, "host/c/wasm3-src.sh"), { encoding: "utf8" });
  if (src.status !== 0) return `Wasm3 sources not found: ${src.stderr.trim()}`;
  if (!existsSync(RUST)) return `mipfw-board not built (${RUST}; cargo build --release in host/wasm3)`;
  return false;
}
let skip = why();

before(() => {
  if (skip) return;
  const r = spawnSync("make", ["-C", join(root, "host/c"), "-j2"], { encoding: "utf8" });
  assert.equal(r.status, 0, `make -C host/c failed:\n${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /warning:/, "host/c builds without warnings");
});

const run = (bin, args) => spawnSync(bin, args, { encoding: "utf8", cwd: root });

/** The configuration image of a node configuration (mipfw-board encode-config -o). */
function image(cfgPath) {
  const out = join(tmp, `${cfgPath.replace(/\W/g, "_")}.img`);
  if (!existsSync(out)) {
    const r = run(RUST, ["encode-config", "--config", cfgPath, "-o", out]);
    assert.equal(r.status, 0, r.stderr);
  }
  return out;
}

const cSelftest = (cfgPath, ...opts) => run(C, ["selftest", "--firmware", FIRMWARE, "--config-image", image(cfgPath), ...opts]);

/** "compiled A of T functions (at start-up S)" from the figures line. */
function figures(stderr) {
  const m = /compiled (\d+) of (\d+) functions \(at start-up (\d+)\)/.exec(stderr);
  const s = /value stack peak (\d+) bytes/.exec(stderr);
  assert.ok(m && s, stderr);
  return { compiled: +m[1], total: +m[2], atStart: +m[3], stackPeak: +s[1] };
}

for (const file of ["host.json", "router.json", "ha.json", "fa.json", "mn.json", "ha-big.json", "mn-colocated.json"]) {
  test(`C host: selftest of ${file} prints exactly what mipfw-board prints`, { skip }, () => {
    const cfg = join(configs, file);
    const rust = run(RUST, ["selftest", "--config", cfg, "--firmware", FIRMWARE]);
    assert.equal(rust.status, 0, rust.stderr);
    const c = cSelftest(cfg);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stdout, rust.stdout);
    // (mn-colocated has no address until DHCP: it ignores the ping, as under mipfw-board.)
    if (file !== "mn-colocated.json") assert.match(c.stdout, /^counter icmp_tx_echo_reply 1$/m, "the board answered the ping");
    assert.match(c.stderr, /start-up \d+ us, heap high-water \d+ bytes/);
  });
}

test("C host: eager compilation and warm-up change no output; warm-up compiles more at start-up, eager all", { skip }, () => {
  const cfg = join(configs, "mn.json");
  const lazy = cSelftest(cfg, "--no-warm-up"), warm = cSelftest(cfg), eager = cSelftest(cfg, "--eager", "--no-warm-up");
  for (const r of [lazy, warm, eager]) assert.equal(r.status, 0, r.stderr);
  assert.equal(warm.stdout, lazy.stdout, "the warm-up changes no state (counters restored, no frame sent)");
  assert.equal(eager.stdout, lazy.stdout);
  const [l, w, e] = [lazy, warm, eager].map((r) => figures(r.stderr));
  assert.ok(w.atStart > l.atStart, `warm-up compiled ${w.atStart} functions at start-up, lazy ${l.atStart}`);
  assert.equal(e.atStart, e.total, "eager compiles every function at load");
  assert.ok(l.atStart < l.total / 2, `lazy start-up compiled ${l.atStart} of ${l.total}`);
  assert.ok(l.stackPeak > 0 && l.stackPeak <= 4096, `value stack peak ${l.stackPeak}`);
});

test("C host: its own heap is the board structure and one copy of the counter names (a few KB, not one index entry per byte of names)", { skip }, () => {
  const cfg = host.validateConfig(JSON.parse(readFileSync(join(configs, "mn.json"), "utf8")), "mn");
  const b = new host.Board(firmware, cfg, { now: () => 0, tx() {}, deliver() {}, random: (buf) => buf.fill(1) });
  b.init();
  const names = Object.keys(b.counters());
  const text = names.join("\n").length;
  const r = cSelftest(join(configs, "mn.json"));
  assert.equal(r.status, 0, r.stderr);
  const own = +/C host's own heap (\d+) bytes/.exec(r.stderr)?.[1];
  // The names' text, one u32 offset per name, and the board structure (under 1 KB).
  assert.ok(own >= text + 4 * names.length && own <= text + 4 * (names.length + 1) + 1 + 1024,
    `C host's own heap ${own} bytes for ${names.length} counter names of ${text} bytes`);
});

test("C host: a module of another ABI version, a stand-in without the exports, a foreign import, a truncated module are refused", { skip }, () => {
  const img = image(join(configs, "host.json"));
  const sel = (fw) => run(C, ["selftest", "--firmware", fw, "--config-image", img]);
  let r = sel(join(STUBS, "stub-abi1.wasm"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /firmware ABI 1, host ABI 3/);
  r = sel(join(STUBS, "stub-env.wasm"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /firmware imports function env\.abort; a board provides only the functions host\./);
  r = sel(join(STUBS, "stub-badsig.wasm"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /import host\.deliver: .*signature.*\(expected v\(ii\)\)/);
  // A version-3 module that lacks the rest of the ABI.
  const bare = Buffer.from("0061736d01000000" + "010501600001" + "7f" + "03020100" + "070f010b6162695f76657273696f6e0000" + "0a0601040041030b", "hex");
  writeFileSync(join(tmp, "bare.wasm"), bare);
  r = sel(join(tmp, "bare.wasm"));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /firmware: export init: function lookup failed/);
  writeFileSync(join(tmp, "cut.wasm"), readFileSync(FIRMWARE).subarray(0, 8)); // an empty module
  r = sel(join(tmp, "cut.wasm"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /firmware: export abi_version: function lookup failed/);
  for (const cut of [7, 100, 30000, readFileSync(FIRMWARE).length - 1]) {
    writeFileSync(join(tmp, "cut.wasm"), readFileSync(FIRMWARE).subarray(0, cut));
    r = sel(join(tmp, "cut.wasm"));
    assert.equal(r.status, 1, `truncated at ${cut}: ${r.stderr}`);
    assert.equal(r.signal, null);
    assert.match(r.stderr, /not a (valid )?WebAssembly module/, `truncated at ${cut}`);
  }
});

test("C host: a configuration the core refuses is refused with its reason naming the field; a bad image is named", { skip }, () => {
  const big = join(tmp, "big.json");
  writeFileSync(big, JSON.stringify({ name: "r", board: "emulated", roles: ["router"], sizes: { arpEntries: 4096, routes: 4096 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }));
  const r = cSelftest(big);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /firmware refused the configuration \(code 2\): config: board\.memoryPages: expected 11\.\.16384, got 2/);
  const rust = run(RUST, ["selftest", "--config", big, "--firmware", FIRMWARE]);
  assert.ok(rust.stderr.includes(r.stderr.slice(r.stderr.indexOf("firmware refused")).trim()), rust.stderr);
  // An image whose chunk length runs past its end, and one with no chunk at all.
  const img = readFileSync(image(join(configs, "host.json")));
  writeFileSync(join(tmp, "short.img"), img.subarray(0, img.length - 1));
  let s = run(C, ["selftest", "--firmware", FIRMWARE, "--config-image", join(tmp, "short.img")]);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /configuration image: chunk 0: length \d+, expected at most the \d+ bytes left/);
  writeFileSync(join(tmp, "empty.img"), Buffer.alloc(0));
  s = run(C, ["selftest", "--firmware", FIRMWARE, "--config-image", join(tmp, "empty.img")]);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /configuration image: 0 bytes, expected at least one chunk/);
});

test("C host: memory_limit below what the tables need is refused with both figures; at the need it runs", { skip }, () => {
  const cfg = join(configs, "host.json");
  // What the tables need: static data + heap, as the Rust host reports them after the same init.
  const rust = run(RUST, ["selftest", "--config", cfg, "--firmware", FIRMWARE]);
  const heap = +/heap_used (\d+)/.exec(rust.stdout)[1];
  const r = cSelftest(cfg, "--memory-limit", "32768");
  assert.equal(r.status, 1);
  const m = /memory budget: the configuration needs (\d+) bytes of linear memory, memory_limit is 32768/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const need = +m[1];
  assert.ok(need > heap && need < heap + 65536, `need ${need}, heap_used ${heap}`);
  const ok = cSelftest(cfg, "--memory-limit", String(need));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, rust.stdout);
  assert.match(ok.stderr, new RegExp(`linear memory ${need} bytes`));
  const under = cSelftest(cfg, "--memory-limit", String(need - 1));
  assert.equal(under.status, 1);
  assert.match(under.stderr, new RegExp(`needs ${need} bytes of linear memory, memory_limit is ${need - 1}`));
  // Several pages wanted (mn.json grows to 7 pages): memory.grow fails at the cap, same figure style.
  const mn = cSelftest(join(configs, "mn.json"), "--memory-limit", "40000");
  assert.equal(mn.status, 1);
  assert.match(mn.stderr, /memory budget: the configuration needs \d+ bytes of linear memory, memory_limit is 40000/);
  const tiny = cSelftest(cfg, "--memory-limit", "5000");
  assert.equal(tiny.status, 1);
  assert.match(tiny.stderr, /memory_limit 5000 bytes is smaller than the firmware's static data/);
});

test("C host: a trap is reported naming the call, not a crash; the board then refuses further calls", { skip }, () => {
  // The real firmware with a value stack too small for init.
  const r = cSelftest(join(configs, "host.json"), "--stack-bytes", "1024");
  assert.equal(r.status, 1);
  assert.equal(r.signal, null);
  assert.match(r.stderr, /firmware trapped in init: \[trap\] stack overflow/);
  // The stand-in module traps in rx on a frame starting with 0xff, and output hands the host an
  // out-of-bounds pointer; both through `mipfw-c sim-peer` (the RemoteBoard of host/node).
  const cfg = host.validateConfig({ name: "s", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "s");
  const logs = [], tx = [];
  const hooks = { now: () => 5, tx: (i, f) => tx.push([i, Buffer.from(f).toString("hex")]), deliver() {}, log: (l, t) => logs.push([l, t]) };
  // The stub lists no interface (dump returns -1), so its warm-up sends it nothing (the warm-up with
  // an interface: the next test).
  const b = new host.RemoteBoard(cfg, hooks, { binary: C, firmware: join(STUBS, "stub.wasm") });
  try {
    b.init();
    assert.deepEqual(tx, []);
    assert.equal(b.rx(0, Uint8Array.of(1, 2, 3)), 0);
    assert.deepEqual(tx, [[0, "010203"]], "the stub echoes the frame");
    assert.throws(() => b.rx(0, Uint8Array.of(0xff, 0)), /s: the firmware trapped in rx \(-1\)/);
    assert.ok(logs.some(([l, t]) => l === 0 && /^wasm3 trap in rx: \[trap\] unreachable/.test(t)), JSON.stringify(logs));
    assert.throws(() => b.rx(0, Uint8Array.of(1)), /trapped in rx/, "refused after the trap");
    assert.equal(tx.length, 1);
    b.init(); // a restart is a new board
    assert.throws(() => b.output(new Uint8Array(20).fill(0x45)), /trapped in output/);
    assert.ok(logs.some(([l, t]) => l === 0 && /trap in output: .*out of bounds/.test(t)), JSON.stringify(logs));
  } finally { b.close(); }
});

/** A variant of the stand-in module (host/wasm3/tests/wasm/abi-stub.wat) that lists one interface in
 *  dump table 0 (10.0.1.1/24, 02:00:00:00:01:01), so the warm-up (src/warmup.c) runs its exchanges
 *  through it; rx traps on a frame whose first byte is `trapByte` and echoes any other. */
async function ifaceStub(trapByte, prefixByte = 0x78) {
  const { default: binaryen } = await import("binaryen");
  const wat = readFileSync(join(root, "host/wasm3/tests/wasm/abi-stub.wat"), "utf8")
    .replace("(i32.const ABI)", "(i32.const 3)").replace("(i32.const GROW)", "(i32.const 0)")
    .replace("(i32.load8_u (i32.const 1024)) (i32.const 0xff)", `(i32.load8_u (i32.const 1024)) (i32.const ${trapByte})`)
    .replace('(func (export "dump") (param i32 i32) (result i32) (i32.const -1))',
      `(data (i32.const 3100) "\\00\\00\\02\\00\\00\\00\\01\\01\\05\\dc\\${prefixByte.toString(16).padStart(2, "0")}\\00\\00\\00\\00\\00` +
      '\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\ff\\ff\\0a\\00\\01\\01")\n' +
      '  (func (export "dump") (param i32 i32) (result i32) (if (result i32) (i32.eqz (i32.or (local.get 0) (local.get 1))) ' +
      '(then (i32.const 32)) (else (i32.const -1))))');
  const m = binaryen.parseText(wat);
  assert.ok(m.validate(), "stub variant");
  const out = join(tmp, `stub-iface-${trapByte}-${prefixByte}.wasm`);
  writeFileSync(out, m.emitBinary());
  m.dispose();
  return out;
}

test("C host warm-up: the stand-in's echoes of the warm-up's frames and its trap in the warm-up reach neither tx nor the log", { skip }, async () => {
  const cfg = host.validateConfig({ name: "s", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "s");
  for (const trapByte of [0xfe, 0xff]) { // 0xff: the warm-up's first frame (a broadcast ARP request) traps
    const logs = [], tx = [];
    const hooks = { now: () => 5, tx: (i, f) => tx.push([i, Buffer.from(f).toString("hex")]), deliver() {}, log: (l, t) => logs.push([l, t]) };
    const b = new host.RemoteBoard(cfg, hooks, { binary: C, firmware: await ifaceStub(trapByte) });
    try {
      b.init();
      assert.deepEqual(tx, [], `trap byte ${trapByte}: the echoes of the warm-up's frames were muted`);
      assert.deepEqual(logs, [], `trap byte ${trapByte}: nothing of the warm-up was logged`);
      assert.equal(b.rx(0, Uint8Array.of(1, 2, 3)), 0, "the board runs (a warm-up trap is forgotten)");
      assert.deepEqual(tx, [[0, "010203"]]);
      assert.throws(() => b.rx(0, Uint8Array.of(trapByte, 0)), /s: the firmware trapped in rx \(-1\)/);
      assert.ok(logs.some(([l, t]) => l === 0 && /^wasm3 trap in rx: \[trap\] unreachable/.test(t)), JSON.stringify(logs));
    } finally { b.close(); }
  }
});

/** Run the default scenario with the mobile node remote under `binary`; summary JSON and output files. */
function runDefault(binary) {
  const dir = mkdtempSync(join(tmp, "sim-"));
  const raw = JSON.parse(readFileSync(join(root, "scenarios/default.json"), "utf8"));
  const sim = new host.Simulation(host.validateScenario(raw), firmware,
    { seed: 7, pcapDir: dir, eventsPath: join(dir, "events.jsonl"), wasm3: { binary, firmware: FIRMWARE, nodes: ["mn"] } });
  try { sim.run(); } finally { sim.close(); }
  const files = {};
  for (const f of readdirSync(dir).sort()) files[f] = readFileSync(join(dir, f));
  return { json: host.summaryJson(sim.summary()), files };
}

test("conformance: the default scenario with the mobile node under mipfw-c sim-peer gives the same trace as under mipfw-board sim-peer", { skip }, () => {
  const rust = runDefault(RUST), c = runDefault(C);
  assert.deepEqual(Object.keys(c.files), Object.keys(rust.files));
  const lines = (b) => b.toString("utf8").split("\n");
  const a = lines(rust.files["events.jsonl"]), b = lines(c.files["events.jsonl"]);
  for (let i = 0; i < Math.max(a.length, b.length); i++) assert.equal(b[i], a[i], `event line ${i + 1} differs`);
  assert.equal(c.json, rust.json, "summary JSON differs");
  for (const f of Object.keys(rust.files)) assert.ok(rust.files[f].equals(c.files[f]), `${f} differs`);
  const s = JSON.parse(c.json);
  assert.equal(s.registrations.accepted, 3, "the mobile node went away and came back home");
});

test("C host: a frame or packet longer than the core's buffer is dropped and counted by the core (1, not a trap)", { skip }, () => {
  const cfg = host.validateConfig({ name: "h", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "h");
  const b = new host.RemoteBoard(cfg, { now: () => 0, tx() {}, deliver() {} }, { binary: C, firmware: FIRMWARE });
  try {
    b.init();
    assert.equal(b.rx(0, new Uint8Array(70000)), 1);
    assert.equal(b.output(new Uint8Array(70000).fill(0x45)), 1);
    assert.equal(b.rx(0, new Uint8Array(60)), 1, "the board still runs");
    const c = b.counters();
    assert.equal(c.drop_too_long, 2, "the frame and the packet");
  } finally { b.close(); }
});

test("sim-peer: a configuration the firmware refuses gives the same reason as mipfw-board", { skip }, () => {
  const cfg = host.validateConfig({ name: "r", board: "emulated", roles: ["router"], sizes: { arpEntries: 4096, routes: 4096 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "r");
  const hooks = { now: () => 0, tx() {}, deliver() {} };
  const reason = (binary) => { const b = new host.RemoteBoard(cfg, hooks, { binary, firmware: FIRMWARE }); try { b.init(); return null; } catch (e) { return e.message; } finally { b.close(); } };
  const a = reason(RUST), b = reason(C);
  assert.match(a, /config: board\.memoryPages: expected/);
  assert.equal(b, a);
});

test("C host: out of memory during lazy compilation never crashes; with warm-up it is found at start-up", { skip }, () => {
  const cfg = join(configs, "mn.json");
  const img = image(cfg);
  const heap = (stderr) => {
    const m = /heap high-water (\d+) bytes \(live \d+, at start-up (\d+)\)/.exec(stderr);
    assert.ok(m, stderr);
    return { high: +m[1], start: +m[2] };
  };
  const withLimit = (limit, ...opts) => spawnSync(C, ["selftest", "--firmware", FIRMWARE, "--config-image", img, ...opts],
    { encoding: "utf8", cwd: root, env: { ...process.env, MIPFW_HEAP_LIMIT: String(limit) } });
  const cold = heap(cSelftest(cfg, "--no-warm-up").stderr), warm = heap(cSelftest(cfg).stderr);
  assert.ok(cold.high > cold.start, "the cold board compiles more after start-up");
  assert.equal(warm.high, warm.start, "the warm board compiles nothing after start-up");
  // Limits from below the cold start-up need to above the warm high-water.
  const limits = [cold.start - 1000, cold.start + 1, Math.floor((cold.start + cold.high) / 2), cold.high - 1, warm.high - 1, warm.high];
  let coldTraps = 0, warmRefusals = 0;
  for (const limit of limits) {
    const c = withLimit(limit, "--no-warm-up");
    assert.equal(c.signal, null, `cold, ${limit}: ${c.stderr}`);
    if (limit >= cold.high) assert.equal(c.status, 0, `cold, ${limit}: ${c.stderr}`);
    else if (c.status !== 0) {
      // Start-up or a later call: reported with the call and Wasm3's reason, the board stops.
      assert.match(c.stderr, /memory allocation failed|out of memory|refused/, `cold, ${limit}`);
      if (/trap: rx: memory allocation failed/.test(c.stderr)) coldTraps++;
    }
    const w = withLimit(limit);
    assert.equal(w.signal, null, `warm, ${limit}: ${w.stderr}`);
    if (w.status === 0) assert.ok(limit >= warm.high, `warm board ran within ${limit} < ${warm.high}`);
    else {
      // Never in the middle of the run: at start-up, while warming up (or loading).
      assert.doesNotMatch(w.stderr, /trap: rx|trap: tick|trap: link/, `warm, ${limit}`);
      assert.match(w.stderr, /while warming up|could not load|refused|out of memory/, `warm, ${limit}: ${w.stderr}`);
      warmRefusals++;
    }
  }
  assert.ok(coldTraps >= 1, "a cold board ran out of memory in a call at least once");
  assert.ok(warmRefusals >= 3, "the warm board refused at start-up below its high-water");
});

// ---- memory safety: the same binary under AddressSanitizer + UBSan (make -C host/c asan) -------------

const ASAN = join(root, "host/c/build-asan/mipfw-c");
let asanSkip = skip;
function buildAsan() {
  if (asanSkip) return;
  const r = spawnSync("make", ["-C", join(root, "host/c"), "-j2", "asan"], { encoding: "utf8" });
  if (r.status !== 0 && /sanitize|asan|ubsan/i.test(r.stderr)) asanSkip = "the C compiler has no AddressSanitizer";
  else assert.equal(r.status, 0, `make -C host/c asan failed:\n${r.stdout}\n${r.stderr}`);
}
const ASAN_ENV = { ...process.env, ASAN_OPTIONS: "detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS: "print_stacktrace=1" };
const noSanitizerReport = (r, what) => assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/, `${what}:\n${r.stderr}`);

/** One request of the sim-peer protocol (host/c/include/mipfw_simpeer.h): u32 len, u8 op, i64 now, body. */
function request(op, body) {
  const h = Buffer.alloc(13);
  h.writeUInt32LE(9 + body.length, 0);
  h[4] = op;
  return Buffer.concat([h, body]);
}

/** Run `mipfw-c sim-peer` (binary `bin`) on raw request bytes; its exit status and stderr, the records' bytes. */
async function rawSimPeer(bin, requests) {
  const { createWriteStream, createReadStream } = await import("node:fs");
  const { spawn } = await import("node:child_process");
  const d = mkdtempSync(join(tmp, "raw-"));
  const req = join(d, "req"), rec = join(d, "rec");
  for (const f of [req, rec]) assert.equal(spawnSync("mkfifo", [f]).status, 0);
  const child = spawn(bin, ["sim-peer", "--requests", req, "--records", rec, "--firmware", FIRMWARE, "--name", "raw"],
    { env: ASAN_ENV, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (x) => { stderr += x; });
  const w = createWriteStream(req), chunks = [];
  w.on("error", () => {}); // the peer may stop reading (EPIPE) once it refuses
  createReadStream(rec).on("data", (x) => chunks.push(x));
  w.end(requests);
  const status = await new Promise((res) => child.on("exit", (code) => res(code)));
  return { status, stderr, records: Buffer.concat(chunks) };
}

test("C host under AddressSanitizer: start-up, refusals, bad modules and images, traps, sim-peer — no invalid access, no leak", { skip, timeout: 300000 }, async (t) => {
  buildAsan();
  if (asanSkip) return t.skip(asanSkip);
  const asan = (args, env = {}) => spawnSync(ASAN, args, { encoding: "utf8", cwd: root, env: { ...ASAN_ENV, ...env } });
  const sel = (fw, img, ...opts) => asan(["selftest", "--firmware", fw, "--config-image", img, ...opts]);
  const mn = image(join(configs, "mn.json")), hostImg = image(join(configs, "host.json"));
  const big = join(tmp, "asan-big.json");
  writeFileSync(big, JSON.stringify({ name: "r", board: "emulated", roles: ["router"], sizes: { arpEntries: 4096, routes: 4096 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }));
  writeFileSync(join(tmp, "asan-cut.wasm"), readFileSync(FIRMWARE).subarray(0, 30000));
  writeFileSync(join(tmp, "asan-short.img"), readFileSync(hostImg).subarray(0, 100));
  const cases = [
    ["mn, lazy", sel(FIRMWARE, mn, "--no-warm-up"), 0],
    ["mn, warm-up", sel(FIRMWARE, mn), 0],
    ["ha-big (6 chunks)", sel(FIRMWARE, image(join(configs, "ha-big.json"))), 0],
    ["refused configuration", sel(FIRMWARE, image(big)), 1],
    ["image cut short", sel(FIRMWARE, join(tmp, "asan-short.img")), 1],
    ["truncated module", sel(join(tmp, "asan-cut.wasm"), hostImg), 1],
    ["module of ABI 1", sel(join(STUBS, "stub-abi1.wasm"), hostImg), 1],
    ["foreign import", sel(join(STUBS, "stub-env.wasm"), hostImg), 1],
    ["memory_limit under the need", sel(FIRMWARE, hostImg, "--memory-limit", "32768"), 1],
    ["memory_limit under the static data", sel(FIRMWARE, hostImg, "--memory-limit", "5000"), 1],
    ["trap in init", sel(FIRMWARE, hostImg, "--stack-bytes", "1024"), 1],
    // Wasm3 allocates stack_bytes + 16 in a u32 on a 32-bit target (wraps) and the host paints
    // stack_bytes: refused before anything is allocated.
    ["value stack of 4 GiB", sel(FIRMWARE, hostImg, "--stack-bytes", "4294967295"), 1],
    ["out of heap while warming up", asan(["selftest", "--firmware", FIRMWARE, "--config-image", mn], { MIPFW_HEAP_LIMIT: "400000" }), 1],
  ];
  for (const [what, r, status] of cases) {
    noSanitizerReport(r, what);
    assert.equal(r.status, status, `${what}: ${r.stderr}`);
  }
  assert.match(cases.find(([w]) => w === "value stack of 4 GiB")[1].stderr,
    /mipfw-c: options: stack_bytes: expected at most 1048576 bytes, got 4294967295/);
  // sim-peer: the default scenario's mobile node, as in the conformance test above.
  const { json } = runDefault(ASAN);
  assert.equal(JSON.parse(json).registrations.accepted, 3);
});

test("C host under UBSan: an interface record with a prefix length past 128 (a module's word) does not shift out of range in the warm-up", { skip, timeout: 120000 }, async (t) => {
  buildAsan();
  if (asanSkip) return t.skip(asanSkip);
  const cfg = host.validateConfig({ name: "s", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }, "s");
  const tx = [];
  const b = new host.RemoteBoard(cfg, { now: () => 5, tx: (i, f) => tx.push(i), deliver() {} }, { binary: ASAN, firmware: await ifaceStub(0xfe, 0xc8) });
  try {
    b.init(); // the warm-up derives its peer's address from the record's prefix length (src/selftest.c)
    assert.equal(b.rx(0, Uint8Array.of(1, 2, 3)), 0);
    assert.deepEqual(tx, [0]);
  } finally { b.close(); }
});

test("sim-peer: a random answer of another length, while init still reads its configuration image, is a protocol error (no use of freed memory)", { skip, timeout: 120000 }, async (t) => {
  // The init request of a 6-chunk image: the board asks for random bytes inside `init`, before
  // `config_add` reads chunks 2..6 from the request's body. The simulator answers with 100,000 bytes
  // instead of 2: reading them into the request buffer would move (realloc) or overwrite the image.
  buildAsan();
  if (asanSkip) return t.skip(asanSkip);
  const img = readFileSync(image(join(configs, "ha-big.json")));
  let chunks = 0;
  for (let o = 0; o < img.length; o += 4 + img.readUInt32LE(o)) chunks++;
  assert.ok(chunks >= 2, `${chunks} chunks`);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0, 0); // memory pages 0: no cap
  head.writeUInt32LE(chunks, 4);
  const r = await rawSimPeer(ASAN, Buffer.concat([request(1, Buffer.concat([head, img])), request(8, Buffer.alloc(100000, 7))]));
  noSanitizerReport(r, "sim-peer");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /mipfw-c sim-peer: expected 2 random bytes, got another request or another length \(100000 bytes\)/);
  // What the board wrote before it stopped: the random record (u32 len 5, type 5, u32 2) and no done.
  assert.ok(r.records.includes(Buffer.from("050000000502000000", "hex")), r.records.toString("hex"));
});
