// The mipfw command line: help, argument errors (exit 2), check-config (OK with memory use, or every
// problem naming field, expected and actual value; exit 1), sim with --json/--events/--pcap/--quiet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host } from "./helpers.mjs";

const cli = new URL("../../build/mipfw.cjs", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root });
const tmp = mkdtempSync(join(tmpdir(), "mipfw-cli-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

test("cli: --help prints usage and exits 0; no arguments exits 2", () => {
  const r = run("--help");
  assert.equal(r.status, 0);
  assert.match(r.stdout, /mipfw sim <scenario\.json>/);
  assert.match(r.stdout, /check-config/);
  assert.equal(run().status, 2);
});

test("cli: unknown flags, commands and bad values exit 2 with a clear message", () => {
  let r = run("sim", "scenarios/demo-router.json", "--frobnicate");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --frobnicate/);
  r = run("launch");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "launch"/);
  r = run("sim", "scenarios/demo-router.json", "--seed", "abc");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--seed: expected an integer 0\.\.4294967295, got "abc"/);
  r = run("sim", "scenarios/demo-router.json", "--json");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--json needs a value/);
  r = run("sim");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /sim needs a scenario file/);
});

test("cli: check-config OK reports board, pages and heapUsed", () => {
  const f = join(tmp, "ok.json");
  writeFileSync(f, JSON.stringify({ name: "r1", board: "esp32", roles: ["router"], interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }, { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" }] }));
  const r = run("check-config", f);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^OK r1: board esp32/);
  assert.match(r.stdout, /memory: \d+ of 2 pages \(\d+ KiB\), heapUsed \d+ bytes/);
});

test("cli: check-config refuses with every problem naming field, expected and actual; exit 1", () => {
  const f = join(tmp, "bad.json");
  writeFileSync(f, JSON.stringify({ name: "x", board: "esp32", roles: ["router", "gateway"], interfaces: [
    { name: "eth0", mac: "03:00:00:00:00:01", ipv4: "10.0.1.1/33" }], node: { defaultTtl: 300 } }));
  const r = run("check-config", f);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /config\.roles\[1\]: expected one of host, router, mobile-node, foreign-agent, home-agent, registration-server, care-of-agent, got "gateway"/);
  assert.match(r.stdout, /config\.interfaces\[0 "eth0"\]\.mac: expected a unicast MAC address \(first octet even\), got "03:00:00:00:00:01"/);
  assert.match(r.stdout, /config\.interfaces\[0 "eth0"\]\.ipv4: expected an address with prefix length like 10\.0\.1\.1\/24, got "10\.0\.1\.1\/33"/);
  assert.match(r.stdout, /config\.node\.defaultTtl: expected an integer 1\.\.255, got 300/);
  writeFileSync(f, "{ not json");
  const j = run("check-config", f);
  assert.equal(j.status, 1);
  assert.match(j.stderr, /not valid JSON/);
});

test("cli: sim --json writes the documented summary; --quiet prints nothing; --events and --pcap write files", () => {
  const json = join(tmp, "s.json"), events = join(tmp, "e.jsonl"), pcap = join(tmp, "pcap");
  const r = run("sim", "scenarios/demo-router.json", "--json", json, "--events", events, "--pcap", pcap, "--quiet", "--duration", "5000", "--seed", "9");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "");
  const s = JSON.parse(readFileSync(json, "utf8"));
  assert.deepEqual(Object.keys(s), ["formatVersion", "scenario", "seed", "simMs", "flows", "pings", "handoffs", "registrations", "segments", "boards", "dhcp", "mip6Bindings"]);
  assert.deepEqual([s.scenario, s.seed, s.simMs], ["demo-router", 9, 5000]);
  assert.deepEqual(Object.keys(s.flows[0]), ["name", "from", "to", "sent", "received", "lost", "duplicates", "reordered", "latencyMs"]);
  assert.equal(s.formatVersion, 2);
  assert.deepEqual(Object.keys(s.registrations), ["requested", "accepted", "denied", "agentDenied", "bindingDenied"]);
  assert.deepEqual(Object.keys(s.boards.r1), ["board", "memoryPages", "heapUsed", "counters", "host"]);
  const lines = readFileSync(events, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.length > 0);
  // mipfw-board's format: tMs, then (node), the firmware event id as kind (absent for simulator events), name.
  for (const e of lines) {
    assert.equal(typeof e.tMs, "number");
    assert.equal(typeof e.name, "string");
    assert.ok(!("t" in e));
  }
  assert.ok(lines.some((e) => e.name === "arp_resolved" && e.kind === 2 && e.ip === "10.0.1.1"));
  assert.ok(existsSync(join(pcap, "lan1.pcap")) && existsSync(join(pcap, "lan2.pcap")));
});

test("cli: sim prints a readable table; an invalid scenario exits 1 naming the field", () => {
  const r = run("sim", "scenarios/demo-router.json", "--duration", "3000");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Scenario demo-router, seed 1: 3\.000 s simulated/);
  assert.match(r.stdout, /Flows \(1\)\n\s+name\s+from\s+to\s+sent\s+received\s+lost/);
  assert.match(r.stdout, /Boards \(frames in\/out; ignored: normal on a shared link; drops by reason, non-zero only\)/);
  const f = join(tmp, "bad-scenario.json");
  const raw = JSON.parse(readFileSync(join(root, "scenarios/demo-router.json"), "utf8"));
  raw.segments[0].delayMs = "slow";
  writeFileSync(f, JSON.stringify(raw));
  const b = run("sim", f);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /scenario\.segments\[0 "lan1"\]\.delayMs: expected a number 0\.\.60000, got "slow"/);
});

test("cli: derive-key prints the node-specific key of seed 001 appendix A, MD5(node | master | node); bad input exits 2", async () => {
  const { createHash } = await import("node:crypto");
  const a = Buffer.from([10, 9, 0, 10]);
  const want = createHash("md5").update(a).update("hunter2").update(a).digest("hex");
  const r = run("derive-key", "--master", "text:hunter2", "--node", "10.9.0.10", "--spi", "5000");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split("\n")[0], want);
  assert.match(r.stdout, new RegExp(`"spi": 5000, "key": "${want}", "use": "correspondent"`));
  // The same key from the hex form of the master key.
  assert.equal(run("derive-key", "--master", Buffer.from("hunter2").toString("hex"), "--node", "10.9.0.10").stdout.split("\n")[0], want);
  for (const [args, msg] of [[["--master", "zz", "--node", "1.2.3.4"], /--master: expected 1-64 bytes/], [["--master", "00", "--node", "x"], /--node: expected an address/], [["--master", "00", "--node", "1.2.3.4", "--spi", "12"], /--spi: expected an integer 256\.\./]]) {
    const b = run("derive-key", ...args);
    assert.equal(b.status, 2);
    assert.match(b.stderr, msg);
  }
});

test("cli: --version names the program, its version and the firmware ABI", () => {
  const r = run("--version");
  assert.equal(r.status, 0);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.equal(r.stdout, `mipfw ${pkg.version} (firmware ABI ${host.ABI_VERSION}, node ${process.version})\n`);
});

test("cli: check-config --json: one object with formatVersion, ok and the memory use, or the problems", () => {
  const f = join(tmp, "okj.json");
  writeFileSync(f, JSON.stringify({ name: "r1", board: "esp32", roles: ["router"], interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" }] }));
  const r = run("check-config", f, "--json");
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.deepEqual([o.formatVersion, o.ok, o.name, o.board, o.roles, o.interfaces, o.memory.maxPages], [1, true, "r1", "esp32", ["router"], 1, 2]);
  assert.ok(o.memory.pages >= 1 && o.memory.heapUsed > 0 && o.memory.staticBytes > 0);
  writeFileSync(f, JSON.stringify({ name: "r1", board: "esp32", roles: ["router"], interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24", adverise: true }] }));
  const b = run("check-config", f, "--json");
  assert.equal(b.status, 1);
  const p = JSON.parse(b.stdout);
  assert.equal(p.ok, false);
  assert.equal(p.problems.length, 1);
  assert.match(p.problems[0], /^config\.interfaces\[0 "eth0"\]\.adverise: expected one of the fields .*, got "adverise" \(did you mean "advertise"\?\)$/);
  writeFileSync(f, "{");
  const j = run("check-config", f, "--json");
  assert.equal(j.status, 1);
  assert.match(JSON.parse(j.stdout).problems[0], /not valid JSON/);
});

test("cli: did you mean, for unknown fields and names; list items named in the path", () => {
  const raw = JSON.parse(readFileSync(join(root, "scenarios/mip-roam.json"), "utf8"));
  raw.segments[0].delayMS = 1;
  raw.apps[0].from = "cm";
  const f = join(tmp, "typo.json");
  writeFileSync(f, JSON.stringify(raw));
  const r = run("sim", f);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /scenario\.segments\[0 "home"\]\.delayMS: expected one of the fields [^\n]*, got "delayMS" \(did you mean "delayMs"\?\)/);
  assert.match(r.stderr, /scenario\.apps\[0 "cbr-cn-mn"\]\.from: expected one of the nodes ha, fa1, fa2, rc, cn, mn, got "cm" \(did you mean "cn"\?\)/);
  // Nothing close: no guess.
  assert.equal(host.closest("zzzzzz", ["delayMs", "loss"]), null);
});

test("cli: a bad output path is refused before the simulation runs (exit 2, nothing written)", () => {
  const cases = [
    [["--json", join(tmp, "no-such-dir", "s.json")], /--json: expected a path in an existing directory, got ".*no-such-dir\/s\.json" \(no directory /],
    [["--events", tmp], /--events: expected a file to write, got ".*" \(a directory\)/],
    [["--pcap", join(root, "package.json")], /--pcap: expected a directory, got ".*package\.json" \(a file\)/],
    [["--timeline", join(tmp, "x", "t.html")], /--timeline: expected a path in an existing directory/],
  ];
  for (const [args, re] of cases) {
    const t0 = Date.now();
    // mip-roam runs 60 s of simulated time: a refusal after the run would take far longer than one before it.
    const r = run("sim", "scenarios/mip-roam.json", ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, "", "no summary: the simulation did not run");
    assert.ok(Date.now() - t0 < 5000);
  }
});

test("cli: warnings for scenarios that cannot work", () => {
  const w = run("sim", "scenarios/mip-wrong-key.json", "--duration", "10", "--quiet");
  assert.equal(w.status, 0);
  assert.match(w.stderr, /warning: mn \(home address 10\.1\.0\.20\) and its home agent ha: keys of SPI 4096 differ \(key\)/);
  const base = JSON.parse(readFileSync(join(root, "scenarios/mip-roam.json"), "utf8"));
  const ok = run("sim", "scenarios/mip-roam.json", "--duration", "10", "--quiet");
  assert.equal(ok.stderr, "", "a scenario that works has no warnings");
  const raw = structuredClone(base);
  const mn = raw.nodes.find((n) => n.name === "mn");
  mn.mobility.request = { encapsulation: "gre" };
  raw.nodes.find((n) => n.name === "ha").mobility.encapsulations = ["ipip"];
  mn.movement = { type: "waypoints", points: [{ atMs: 0, x: 500, y: 500 }, { atMs: 1000, x: 600, y: 500 }] };
  raw.nodes.find((n) => n.name === "fa2").interfaces[0].ipv4 = "10.2.0.1/24"; // fa1's subnet, on net2
  const f = join(tmp, "cannot.json");
  writeFileSync(f, JSON.stringify(raw));
  const r = run("sim", f, "--duration", "10", "--quiet");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: mn requests encapsulation gre, its home agent ha offers ipip/);
  assert.match(r.stderr, /warning: mn is never within range of an access point/);
  assert.match(r.stderr, /warning: subnet 10\.2\.0\.0\/24 is on 2 segments \(net1: fa1\.eth0; net2: fa2\.eth0\)/);
});

test("cli: --dump with --json puts the tables in the JSON summary", () => {
  const json = join(tmp, "dump.json");
  const r = run("sim", "scenarios/mip-roam.json", "--duration", "12000", "--dump", "--json", json);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Bindings \(1\)/);
  const s = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(s.formatVersion, 2);
  const b = s.tables.ha.bindings;
  assert.equal(b.length, 1);
  assert.deepEqual([b[0].home, b[0].careOf, b[0].encapsulation], ["10.1.0.20", "10.2.0.1", "ipip"]);
  assert.match(b[0].identification, /^0x[0-9a-f]{16}$/);
  assert.ok(b[0].expiresAtMs > 12000);
  assert.equal(s.tables.fa1.visitors[0].state, "accepted");
  assert.equal(s.tables.fa1.visitors[0].home, "10.1.0.20");
  // Without --dump the summary has no tables key (the documented layout).
  run("sim", "scenarios/mip-roam.json", "--duration", "1000", "--json", json, "--quiet");
  assert.ok(!("tables" in JSON.parse(readFileSync(json, "utf8"))));
});

test("cli: did you mean, for options, commands and --runtime", () => {
  let r = run("sim", "scenarios/demo-router.json", "--sed", "3");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option --sed \(did you mean --seed\?\)/);
  r = run("check-confg", "x.json");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "check-confg" \(did you mean "check-config"\?\)/);
  r = run("sim", "scenarios/demo-router.json", "--runtime", "wasm");
  assert.match(r.stderr, /--runtime: expected "node" or "wasm3", got "wasm" \(did you mean "wasm3"\?\)/);
  r = run("launch");
  assert.match(r.stderr, /unknown command "launch"\n/, "no guess when nothing is close");
});

test("cli: a home agent without an association for the mobile node is warned about", () => {
  const raw = JSON.parse(readFileSync(join(root, "scenarios/mip-roam.json"), "utf8"));
  raw.nodes.find((n) => n.name === "ha").securityAssociations[0].spi = 4097;
  const f = join(tmp, "nosa.json");
  writeFileSync(f, JSON.stringify(raw));
  const r = run("sim", f, "--duration", "10", "--quiet");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: mn \(home address 10\.1\.0\.20\) and its home agent ha: the home agent has no security association for 10\.1\.0\.20 with SPI 4096/);
});
