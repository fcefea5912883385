// The ESP-IDF port (host/esp-idf, docs/esp32.md).
//
// 1. Its portable parts, built for Linux with the system compiler (sanitizers when available): the
//    configuration image reader against the images of every valid fixture (what the port takes from
//    them must be what the JSON says), every truncation and one-byte corruption of an image (refused
//    with a reason or accepted, never a crash), and the local stack's virtual link.
// 2. The compile check (host/esp-idf/check.sh): every C file of the port, the C host core and Wasm3
//    compiled for esp32c3 against the vendored ESP-IDF headers, and the check's own power: a wrong or
//    mis-called ESP-IDF function in host/esp-idf/test/bad/*.c must fail with the expected diagnostic.
//    Skipped, with the reason, without riscv64-unknown-elf-gcc + picolibc, cmake or the vendored headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const port = join(root, "host/esp-idf");
const check = join(port, "check.sh");
const fixtures = join(root, "test/fixtures/configs");
const work = mkdtempSync(join(tmpdir(), "mipfw-esp-idf-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

const ROLE_BITS = { router: 1, host: 2, "mobile-node": 4, "foreign-agent": 8, "home-agent": 16 };
const ip4 = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
const mac = (m) => [...m].map((b) => b.toString(16).padStart(2, "0")).join(":");

/** The configuration image of mipfw_host.h: per chunk a u32 LE length and the bytes. */
function image(chunks) {
  const parts = [];
  for (const c of chunks) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(c.length);
    parts.push(len, Buffer.from(c));
  }
  return Buffer.concat(parts);
}

// ---- the native test driver -------------------------------------------------------------------------

function buildNative() {
  if (spawnSync("gcc", ["--version"]).status !== 0) return { skip: "gcc (the system C compiler) not found" };
  const out = join(work, "port_test");
  const srcs = [
    join(port, "test/native/port_test.c"),
    join(port, "components/mipfw/mipfw_esp_config.c"),
    join(port, "components/mipfw/mipfw_esp_vlink.c"),
  ];
  const base = ["-std=gnu17", "-Wall", "-Wextra", "-Werror", "-g", "-I", join(port, "components/mipfw/include"), ...srcs, "-o", out];
  let r = spawnSync("gcc", ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", ...base], { encoding: "utf8" });
  let sanitized = true;
  if (r.status !== 0 && /sanitize|asan|ubsan/i.test(r.stderr)) {
    r = spawnSync("gcc", base, { encoding: "utf8" });
    sanitized = false;
  }
  assert.equal(r.status, 0, `building the native test driver failed:\n${r.stderr}`);
  return { bin: out, sanitized };
}
const native = buildNative();

function run(args) {
  const r = spawnSync(native.bin, args, { encoding: "utf8", env: { ...process.env, ASAN_OPTIONS: "detect_leaks=1" } });
  assert.equal(r.signal, null, `port_test ${args.join(" ")} crashed (${r.signal}):\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/, `port_test ${args.join(" ")}:\n${r.stderr}`);
  return r;
}

function validFixtures() {
  const out = [];
  for (const f of readdirSync(fixtures).filter((f) => f.endsWith(".json")).sort()) {
    const json = JSON.parse(readFileSync(join(fixtures, f), "utf8"));
    try {
      out.push({ name: f, cfg: host.validateConfig(json, f) });
    } catch (e) {
      if (!(e instanceof host.ConfigError)) throw e;
    }
  }
  return out;
}

test("configuration reader: what the port takes from every valid fixture's image is what the JSON says", { skip: native.skip }, () => {
  const valid = validFixtures();
  assert.ok(valid.length >= 8, `expected the valid fixtures, got ${valid.map((v) => v.name)}`);
  for (const { name, cfg } of valid) {
    const chunks = host.encodeConfigChunks(cfg, 4096);
    const file = join(work, `${name}.img`);
    writeFileSync(file, image(chunks));
    const r = run(["config", file]);
    assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
    const lines = r.stdout.trim().split("\n");
    const get = (k) => lines.find((l) => l.startsWith(k + " "))?.slice(k.length + 1);
    const roles = cfg.roles.reduce((b, x) => b | ROLE_BITS[x], 0);
    assert.equal(get("roles"), String(roles), `${name}: roles`);
    assert.equal(get("chunks"), String(chunks.length), `${name}: chunks`);
    assert.equal(get("interfaces"), String(cfg.interfaces.length), `${name}: interfaces`);
    cfg.interfaces.forEach((x, i) => {
      assert.equal(get(`iface ${i}`)?.replace(/ flags \d+$/, ""),
        `mac ${mac(x.mac)} addr ${ip4(x.ip)}/${x.prefixLen} mtu ${x.mtu}`, `${name}: interface ${i}`);
    });
    if (cfg.roles.includes("mobile-node")) {
      assert.equal(get("home"), `${ip4(cfg.mobility.homeAddress)}/${cfg.mobility.homePrefixLen} agent ${ip4(cfg.mobility.homeAgent ?? 0)}`, `${name}: home`);
      assert.equal(get("local"), `${ip4(cfg.mobility.homeAddress)}/${cfg.mobility.homePrefixLen}`, `${name}: the local stack holds the home address`);
    } else if (get("home")) {
      assert.equal(get("home").split("/")[0], ip4(cfg.mobility.homeAddress), `${name}: home`);
    }
  }
});

test("configuration reader: the images mipfw-board encode-config writes read the same", { skip: native.skip }, (t) => {
  const bin = join(root, "host/wasm3/target/release/mipfw-board");
  const help = existsSync(bin) ? spawnSync(bin, ["--help"], { encoding: "utf8" }) : null;
  if (!help || !/encode-config[^\n]*-o /.test(help.stdout + help.stderr)) {
    t.skip("no host/wasm3/target/release/mipfw-board with `encode-config ... -o IMAGE` (cargo build --release in host/wasm3)");
    return;
  }
  for (const name of ["mn.json", "fa.json", "ha-big.json"]) {
    const out = join(work, `rust-${name}.img`);
    const r = spawnSync(bin, ["encode-config", join(fixtures, name), "--boards", join(root, "boards"), "-o", out], { encoding: "utf8" });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const cfg = host.validateConfig(JSON.parse(readFileSync(join(fixtures, name), "utf8")), name);
    assert.deepEqual(readFileSync(out), image(host.encodeConfigChunks(cfg, 4096)), `${name}: image bytes`);
    assert.equal(run(["config", out]).status, 0, name);
  }
});

test("configuration reader: truncated and corrupted images are refused with a reason, never read out of bounds", { skip: native.skip }, () => {
  for (const name of ["mn.json", "ha-big.json"]) {
    const cfg = host.validateConfig(JSON.parse(readFileSync(join(fixtures, name), "utf8")), name);
    const chunks = host.encodeConfigChunks(cfg, 4096);
    const img = image(chunks);
    const file = join(work, `damage-${name}.img`);
    writeFileSync(file, img);
    const r = run(["damage", file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // a strict prefix reads only when it ends exactly between two chunks
    const boundaries = [];
    let o = 0;
    for (const c of chunks.slice(0, -1)) boundaries.push((o += 4 + c.length));
    assert.match(r.stdout, new RegExp(`^accepted prefixes:${boundaries.map((b) => " " + b).join("")}$`, "m"), name);
    assert.match(r.stdout, new RegExp(`^prefixes refused ${img.length - boundaries.length} of ${img.length}$`, "m"), name);
    assert.match(r.stdout, /^refusals without expected\/got text 0$/m, name);
    const m = /^corruptions (\d+) accepted (\d+) refused (\d+)$/m.exec(r.stdout);
    assert.ok(m && Number(m[3]) > 0 && Number(m[1]) > img.length, `${name}: ${r.stdout}`);
  }
  // specific refusals, each naming the field
  const cfg = host.validateConfig(JSON.parse(readFileSync(join(fixtures, "mn.json"), "utf8")), "mn");
  const good = image(host.encodeConfigChunks(cfg, 4096));
  const refusal = (mutate) => {
    const img = Buffer.from(good);
    mutate(img);
    const file = join(work, "bad.img");
    writeFileSync(file, img);
    const r = run(["config", file]);
    assert.equal(r.status, 1, r.stdout);
    return r.stdout.trim();
  };
  assert.equal(refusal((b) => b.write("MIPX", 4)), "refused: config chunk 0 magic: expected MIPF, got 4d49..");
  assert.equal(refusal((b) => b.writeUInt16BE(1, 8)), "refused: config chunk 0 version: expected 2, got 1");
  assert.equal(refusal((b) => b.writeUInt32LE(good.length, 0)), `refused: config image chunk 0 length: expected at most ${good.length - 4}, got ${good.length}`);
  // the IFACE record: walk the records (type u8, flags u8, length u16 BE) after the 8-byte header
  let at = 4 + 8;
  while (good[at] !== 3) at += 4 + good.readUInt16BE(at + 2);
  assert.equal(refusal((b) => { b[at + 4 + 2] |= 1; }), "refused: config IFACE 0 mac: expected a unicast MAC, got first byte 0x03");
  assert.equal(refusal((b) => { b[at + 4 + 10] = 95; }), "refused: config IFACE 0 prefixLen: expected 96..128, got 95");
  assert.equal(refusal((b) => { b[at + 4] = 9; }), "refused: config IFACE index: expected 0..7, got 9");
  assert.equal(refusal((b) => { b.writeUInt16BE(30, at + 2); }), "refused: config IFACE record length: expected 32, got 30");
});

test("virtual link between lwIP and the core: ARP answered except for the stack's own address, IPv4 passed both ways", { skip: native.skip }, () => {
  const r = run(["vlink"]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^vlink: \d+ checks passed$/m);
});

// ---- the compile check for esp32c3 --------------------------------------------------------------------

const probe = spawnSync("bash", [check, "--list"], { encoding: "utf8" });
const checkSkip = probe.status === 3 ? probe.stderr.trim() : undefined;

test("compile check: every C file of the port, the C host core and Wasm3 compile for esp32c3 against ESP-IDF's headers", { skip: checkSkip, timeout: 300000 }, () => {
  assert.equal(probe.status, 0, probe.stderr);
  const listed = probe.stdout.trim().split("\n");
  // every C file of the port (outside the test/ self-test files) and of the C host core is compiled
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "test" ? [] : walk(join(d, e.name))) : e.name.endsWith(".c") ? [join(d, e.name)] : []);
  const own = [...walk(port), ...(existsSync(join(root, "host/c/src")) ? walk(join(root, "host/c/src")) : [])];
  for (const f of own) assert.ok(listed.includes(f), `${f} is not compiled by the check`);
  const wasm3 = listed.filter((f) => /\/m3_[a-z_]+\.c$/.test(f));
  assert.ok(wasm3.length >= 10, `Wasm3's sources: ${wasm3}`);
  const r = spawnSync("bash", [check], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = /esp-idf check: (\d+) compilations of (\d+) files .* (\d+) failed, (\d+) warnings/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[2]), listed.length);
  assert.equal(m[3], "0");
  assert.doesNotMatch(r.stdout, /^WARN (port|core)/m, "the port and the core compile without warnings");
  console.log(r.stdout.trim());
});

test("compile check: a wrong or mis-called ESP-IDF function fails to compile", { skip: checkSkip, timeout: 120000 }, () => {
  const dir = join(port, "test/bad");
  const files = readdirSync(dir).filter((f) => f.endsWith(".c")).sort();
  assert.ok(files.length >= 4, `${files}`);
  for (const f of files) {
    const src = readFileSync(join(dir, f), "utf8");
    const expect = /^\/\/ expect: (.+)$/m.exec(src)?.[1];
    assert.ok(expect, `${f}: no "// expect:" line`);
    const ok = spawnSync("bash", [check, "--compile", join(dir, f)], { encoding: "utf8" });
    assert.equal(ok.status, 0, `${f} without MIPFW_BAD must compile:\n${ok.stderr}`);
    const bad = spawnSync("bash", [check, "--compile", join(dir, f), "-DMIPFW_BAD"], { encoding: "utf8" });
    assert.notEqual(bad.status, 0, `${f} with MIPFW_BAD compiled`);
    assert.ok(bad.stderr.includes(expect), `${f}: expected "${expect}" in:\n${bad.stderr}`);
  }
});

// ---- the component's Wasm3 configuration, run on Linux --------------------------------------------------

test("the component's Wasm3 configuration and Kconfig defaults run the firmware: same selftest as the default build, within the value stack and memory_limit defaults", { skip: native.skip, timeout: 300000 }, (t) => {
  const firmware = join(root, "build/firmware.wasm");
  if (!existsSync(firmware)) return t.skip("build/firmware.wasm not built (npm run build)");
  if (spawnSync("make", ["--version"]).status !== 0) return t.skip("make not found");
  if (spawnSync("sh", [join(root, "host/c/wasm3-src.sh")]).status !== 0) return t.skip("Wasm3 sources not found (cd host/wasm3 && cargo fetch --locked)");
  if (spawnSync("cmake", ["--version"]).status !== 0) return t.skip("cmake not found");
  const lines = spawnSync("cmake", [`-DCOMPONENT_DIR=${join(port, "components/mipfw")}`, "-P", join(port, "tools/component-sources.cmake")], { encoding: "utf8" });
  assert.equal(lines.status, 0, lines.stderr);
  const defs = (lines.stdout + lines.stderr).split("\n").filter((l) => l.startsWith("-- DEF ")).map((l) => "-D" + l.slice(7));
  assert.ok(defs.includes("-Dd_m3MaxFunctionStackHeight=384"), `${defs}`);
  // The native stack guard from the task stack's Kconfig default (12288 - 4096): the runs below use it.
  assert.ok(defs.includes("-Dd_m3MaxNativeStack=8192"), `${defs}`);
  const build = (dir, w3flags) => {
    const r = spawnSync("make", ["-s", "-C", join(root, "host/c"), `BUILD=${dir}`, `W3FLAGS=${w3flags}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return join(dir, "mipfw-c");
  };
  const esp = build(join(work, "c-esp"), defs.join(" "));
  const dflt = build(join(work, "c-default"), "");
  // the Kconfig defaults (components/mipfw/Kconfig)
  const kconfig = readFileSync(join(port, "components/mipfw/Kconfig"), "utf8");
  const stack = Number(/config MIPFW_VALUE_STACK_BYTES[\s\S]*?default (\d+)/.exec(kconfig)[1]);
  const limitC3 = Number(/config MIPFW_MEMORY_LIMIT[\s\S]*?default (\d+) if IDF_TARGET_ESP32C3/.exec(kconfig)[1]);
  const limitEsp32 = Number(/config MIPFW_MEMORY_LIMIT[\s\S]*?default (\d+)\n/.exec(kconfig)[1]);
  const nodes = [
    // the mobile node of mn.json on the esp32-c3 profile, the foreign agent of fa.json on the esp32 one
    ["mn.json", (j) => ({ ...j, board: "esp32-c3" }), limitC3],
    ["fa.json", (j) => j, limitEsp32],
  ];
  for (const [name, adapt, limit] of nodes) {
    const cfg = host.validateConfig(adapt(JSON.parse(readFileSync(join(fixtures, name), "utf8"))), name);
    const img = join(work, `rt-${name}.img`);
    writeFileSync(img, image(host.encodeConfigChunks(cfg, 4096)));
    const a = spawnSync(esp, ["selftest", "--firmware", firmware, "--config-image", img, "--stack-bytes", String(stack), "--memory-limit", String(limit)], { encoding: "utf8" });
    assert.equal(a.status, 0, `${name} (ESP-IDF Wasm3 configuration, stack ${stack}, memory_limit ${limit}): ${a.stderr}`);
    const b = spawnSync(dflt, ["selftest", "--firmware", firmware, "--config-image", img], { encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    assert.equal(a.stdout, b.stdout, `${name}: selftest output`);
    assert.ok(a.stdout.split("\n").length > 5, a.stdout);
    const peak = Number(/value stack peak (\d+) bytes/.exec(a.stderr)?.[1]);
    assert.ok(peak > 0 && peak <= stack / 2, `${name}: value stack peak ${peak} of ${stack}`);
    console.log(`${name}: ${a.stderr.trim().replace(/^# /, "")}`);
  }
  // the cap refuses a configuration that needs more, naming both figures
  const cfg = host.validateConfig({ ...JSON.parse(readFileSync(join(fixtures, "mn.json"), "utf8")), board: "esp32-c3" }, "mn");
  const img = join(work, "rt-cap.img");
  writeFileSync(img, image(host.encodeConfigChunks(cfg, 4096)));
  const r = spawnSync(esp, ["selftest", "--firmware", firmware, "--config-image", img, "--memory-limit", "32768"], { encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /memory budget: the configuration needs \d+ bytes of linear memory, memory_limit is 32768/);
});

test("the port's event log names (port_task.c EVENT_NAMES) are the kinds of schema/events.json, in order", () => {
  const src = readFileSync(join(port, "examples/mobile-node/main/port_task.c"), "utf8");
  const table = /EVENT_NAMES\[\] = \{([^}]*)\}/.exec(src)?.[1];
  assert.ok(table, "EVENT_NAMES not found in port_task.c");
  const names = [...table.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const schema = JSON.parse(readFileSync(join(root, "schema/events.json"), "utf8")).events;
  const want = ["?"];
  for (const e of schema) want[e.kind] = e.name.toUpperCase();
  assert.deepEqual(names, want);
});
