// Table dumps in the emulated network (docs/abi.md "Dump records", tables 3-5 through
// Board.dump(name)): the home agent's bindings and the foreign agents' visitors while the mobile
// node of scenarios/mip-roam.json is away and after it came home; `mipfw sim --dump`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, parseIp } = host;
const root = new URL("../../", import.meta.url).pathname;
const roam = () => validateScenario(JSON.parse(readFileSync(`${root}scenarios/mip-roam.json`, "utf8")));
const HOME = parseIp("10.1.0.20"), FA1 = parseIp("10.2.0.1"), FA2 = parseIp("10.3.0.1"), HA = parseIp("10.1.0.1");

test("mip-roam: one binding to fa1's care-of address mid-run; none once the node came home", () => {
  const sim = new Simulation(roam(), firmware);
  try {
    const board = (n) => sim.nodeByName.get(n).board;
    sim.run(20000);
    const b = board("ha").dump("bindings");
    assert.equal(b.length, 1, JSON.stringify(b, (k, v) => (typeof v === "bigint" ? v.toString() : v)));
    assert.equal(b[0].home, HOME);
    assert.equal(b[0].careOf, FA1);
    assert.equal(b[0].encapsulation, 1, "IP in IP");
    assert.ok(b[0].lifetimeSec > 0);
    assert.ok(b[0].expiresAtMs > 20000 && b[0].expiresAtMs <= 20000 + b[0].lifetimeSec * 1000);
    assert.ok(b[0].identification > 0n);
    const v = board("fa1").dump("visitors");
    assert.deepEqual(v.map((x) => [x.home, x.homeAgent, x.careOf, x.state]), [[HOME, HA, FA1, 2]], "fa1: the node is an accepted visitor");
    assert.deepEqual(board("fa2").dump("visitors"), [], "fa2: not yet visited");
    assert.deepEqual(board("ha").dump("visitors"), [], "no foreign agent role, no visitors");
    assert.deepEqual(board("fa1").dump("bindings"), [], "no home agent role, no bindings");
    sim.run(32000);
    assert.deepEqual(board("ha").dump("bindings").map((x) => x.careOf), [FA2], "at fa2: the binding moved");
    sim.run();
    assert.deepEqual(board("ha").dump("bindings"), [], "home again: deregistered");
    assert.deepEqual(board("ha").dump("aliases"), []);
  } finally { sim.close(); }
});

test("Board.dump decodes every table; unknown names are refused", () => {
  const sim = new Simulation(roam(), firmware);
  try {
    sim.run(20000);
    const ha = sim.nodeByName.get("ha").board;
    const ifs = ha.dump("interfaces");
    assert.ok(ifs.length >= 1 && ifs.every((i) => typeof i.mac === "string" && typeof i.up === "boolean"));
    assert.ok(ha.dump("routes").length >= 1);
    assert.ok(ha.dump("arp").every((a) => a.state === 1 || a.state === 2));
    assert.throws(() => ha.dump("nope"), /unknown table "nope"/);
  } finally { sim.close(); }
});

test("mipfw sim --dump prints each board's non-empty tables after the summary", () => {
  const cli = `${root}build/mipfw.cjs`;
  const r = spawnSync(process.execPath, [cli, "sim", "scenarios/mip-roam.json", "--duration", "20000", "--dump"], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 0, r.stderr);
  const at = r.stdout.indexOf("Tables at 20.0 s");
  assert.ok(at > r.stdout.indexOf("Registrations:"), "after the summary");
  const tables = r.stdout.slice(at);
  assert.match(tables, /\nha\n  Bindings \(1\)\n +home +care-of .*\n +10\.1\.0\.20 +10\.2\.0\.1 .* ipip /);
  assert.match(tables, /\nfa1\n  Visitors \(1\)\n.*\n +10\.1\.0\.20 +10\.1\.0\.1 +10\.2\.0\.1 +02:00:00:01:00:20 .* accepted /);
  assert.match(tables, /ARP cache \(\d+\)/);
  assert.doesNotMatch(tables, /\nfa2\n  Visitors/, "empty tables are left out");
  const q = spawnSync(process.execPath, [cli, "sim", "scenarios/mip-roam.json", "--runtime", "wasm3", "--dump"], { encoding: "utf8", cwd: root });
  assert.equal(q.status, 2);
  assert.match(q.stderr, /--dump needs --runtime node/);
});

test("ABI v2 dump records: 16-byte IPv4-mapped addresses and prefix lengths 96 + n, decoded as before", () => {
  const sim = new Simulation(roam(), firmware);
  try {
    sim.run(20000);
    const ha = sim.nodeByName.get("ha").board;
    const v4 = (a) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
    // Interfaces: 32 bytes, prefix length at 10, the address at 16.
    const [i0] = ha.dumpRaw(0);
    const d0 = ha.dump("interfaces")[0];
    assert.equal(i0.length, 32);
    assert.equal(i0[10], 96 + d0.prefixLen);
    assert.deepEqual([...i0.subarray(16)], v4(d0.ip));
    assert.equal(d0.ip, HA);
    // Routes: 36 bytes (prefix length, iface, dest at 4, gateway at 20); ARP: 32 (address at 16).
    const routes = ha.dumpRaw(1);
    assert.ok(routes.length >= 1 && routes.every((r) => r.length === 36 && r[0] >= 96 && r[0] <= 128));
    assert.deepEqual(routes.map((r) => [...r.subarray(4, 36)]), ha.dump("routes").map((r) => [...v4(r.dest), ...v4(r.gateway)]));
    assert.ok(ha.dumpRaw(2).every((r) => r.length === 32));
    // Bindings: 52 bytes, home at 20 and care-of address at 36.
    const [b] = ha.dumpRaw(3);
    assert.equal(b.length, 52);
    assert.deepEqual([...b.subarray(20, 52)], [...v4(HOME), ...v4(FA1)]);
    // Visitors: 80 bytes, home at 32, home agent at 48, care-of address at 64.
    const [v] = sim.nodeByName.get("fa1").board.dumpRaw(4);
    assert.equal(v.length, 80);
    assert.deepEqual([...v.subarray(32, 80)], [...v4(HOME), ...v4(HA), ...v4(FA1)]);
    // Any other address is not an IPv4 number.
    assert.ok(Number.isNaN(host.mappedV4(Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4), 0)));
  } finally { sim.close(); }
});

test("issue 8.2: routes are kept as 16-byte prefixes, masked to their length, and forward by longest match", async () => {
  const { startBoard, routerJson } = await import("./helpers.mjs");
  const json = { ...routerJson, routes: [
    { dest: "10.7.200.9/16", via: "10.0.2.254" },
    { dest: "10.7.5.0/24", via: "10.0.2.253" },
    { dest: "0.0.0.0/0", via: "10.0.1.254" },
  ] };
  const s = startBoard(json);
  const raw = s.board.dumpRaw(1);
  // Longest first; the /16's host bits cleared in the stored prefix (::ffff:10.7.0.0/112).
  assert.deepEqual(raw.map((r) => [r[0], r[1]]), [[120, 1], [112, 1], [96, 0]]);
  assert.deepEqual([...raw[1].subarray(4, 20)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 7, 0, 0]);
  assert.deepEqual([...raw[1].subarray(20, 36)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 2, 254]);
  // 10.7.5.9 takes the /24 (ARP for .253), 10.7.9.9 the /16 (.254), 10.9.9.9 the default (eth0).
  const R0 = host.mac("02:00:00:00:01:01"), H1 = host.mac("02:00:00:00:01:10");
  const arpTargets = [];
  for (const dst of ["10.7.5.9", "10.7.9.9", "10.9.9.9"]) {
    s.cap.tx.length = 0;
    s.board.rx(0, host.ethFrame(R0, H1, 0x0800, host.buildUdp(parseIp("10.0.1.10"), parseIp(dst), 1, 2, new Uint8Array(8), 1, 30)));
    const [f] = s.cap.tx;
    arpTargets.push([f.iface, host.etherType(f.frame), [...f.frame.subarray(14 + 24, 14 + 28)].join(".")]);
  }
  assert.deepEqual(arpTargets, [[1, 0x0806, "10.0.2.253"], [1, 0x0806, "10.0.2.254"], [0, 0x0806, "10.0.1.254"]]);
});
