// `mipfw sweep` (issue 14.9): every combination of --set values for every seed, each a `mipfw sim` run,
// one table of each summary figure's mean, standard deviation and 95 % confidence interval per combination.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "build/mipfw.cjs");
const run = (args) => spawnSync(process.execPath, [cli, "sweep", ...args], { encoding: "utf8", cwd: root, timeout: 300000 });
// Student's t, two-sided 95 %, for 1..4 degrees of freedom (tables).
const T = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776 };

test("sweep: 2 values x 3 seeds of the default scenario, shortened; JSON rows whose statistics follow from their values; the swept field changes the figures", () => {
  const dir = mkdtempSync(join(tmpdir(), "sweep-test-"));
  const out = join(dir, "s.json");
  const r = run(["scenarios/default.json", "--set", "durationMs=20000", "--set", "segments[name=core].delayMs=1,40", "--seeds", "1..3", "--jobs", "2", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(j.format, "mipfw-sweep/1");
  const rows = j.rows;
  const key = "segments[name=core].delayMs";
  for (const d of [1, 40]) {
    const mine = rows.filter((x) => x[key] === d);
    assert.ok(mine.length >= 5, `figures for delay ${d}`);
    for (const x of mine) {
      assert.equal(x.n, 3);
      assert.equal(x.values.length, 3);
      const mean = x.values.reduce((a, b) => a + b, 0) / 3;
      const sd = Math.sqrt(x.values.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
      assert.ok(Math.abs(x.mean - mean) < 1e-9 && Math.abs(x.sd - sd) < 1e-9, `${x.figure}: ${JSON.stringify(x)}`);
      assert.ok(Math.abs(x.ci95 - (T[2] * sd) / Math.sqrt(3)) < 1e-9, `${x.figure}: ci95`);
    }
  }
  // The round trip through the core grows by twice the added one-way delay: the ping RTT median follows it.
  const rtt = (d) => rows.find((x) => x[key] === d && x.figure === "ping.ping-cn-mn.rttP50Ms").mean;
  assert.ok(rtt(40) - rtt(1) > 60, `RTT ${rtt(1)} -> ${rtt(40)} ms`);
  // CSV to stdout: a header with the swept path, one line per combination and figure.
  const c = run(["scenarios/default.json", "--set=durationMs=10000", "--seeds", "1,2", "--jobs", "2"]);
  assert.equal(c.status, 0, c.stderr);
  const lines = c.stdout.trim().split("\n");
  assert.equal(lines[0], "durationMs,figure,n,mean,sd,ci95");
  assert.ok(lines.slice(1).every((l) => l.startsWith("10000,") && l.split(",")[2] === "2"));
});

test("sweep refuses, naming what is wrong: a path that names nothing, bad seeds, an output it cannot write (before any run), an unknown option", () => {
  let r = run(["scenarios/default.json", "--set", "segments[name=nope].delayMs=1,2"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /segments\[name=nope\] names no element \(names: home, core, net1, net2, cnet\)/);
  r = run(["scenarios/default.json", "--seeds", "3..x"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--seeds: expected a range like 1\.\.10/);
  r = run(["scenarios/default.json", "--set", "durationMs=1000", "--out", "/nonexistent-dir/x.csv"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ENOENT|no such file/i);
  assert.doesNotMatch(r.stderr, /runs,/, "refused before any run");
  r = run(["scenarios/default.json", "--frob"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option "--frob"/);
  // An invalid value is the scenario validator's to refuse, with its message.
  r = run(["scenarios/default.json", "--set", "durationMs=-5"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /durationMs/);
});
