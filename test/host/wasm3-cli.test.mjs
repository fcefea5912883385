// mipfw-board's command line (issue 14 point 7): --version, --opt=value, per-command help, check-config
// (text and --json, with the warning for a mobile node without a route). Skipped before the board is built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("../../", import.meta.url).pathname;
const bin = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const skip = existsSync(bin) ? false : `${bin} not built`;
const run = (args) => spawnSync(bin, args, { encoding: "utf8" });
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

const mn = (extra = {}) => ({
  name: "mn", board: "rpi4", roles: ["mobile-node"],
  interfaces: [{ name: "wlan0", mac: "02:00:00:01:00:20", ipv4: "10.1.0.20/24" }],
  mobility: { homeAgent: "10.1.0.1" },
  securityAssociations: [{ peer: "10.1.0.1", spi: 4096, algorithm: "hmac-md5", key: "text:k" }],
  ...extra,
});

test("mipfw-board --version and per-command help", { skip }, () => {
  const r = run(["--version"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), `mipfw-board ${version}`);
  for (const [cmd, opt] of [["status", "--json"], ["log-level", "LEVEL"], ["check-config", "--json"], ["encode-config", "--output"], ["selftest", "--firmware"]]) {
    const h = run(["help", cmd]);
    assert.equal(h.status, 0, cmd);
    assert.match(h.stdout, new RegExp(`Usage: mipfw-board ${cmd}`), cmd);
    assert.ok(h.stdout.includes(opt), `${cmd} --help lists ${opt}`);
    assert.equal(run([cmd, "--help"]).stdout, h.stdout);
  }
});

test("mipfw-board check-config: valid, warnings, problems, --json and --opt=value", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-cli-"));
  try {
    const file = (name, cfg) => { const p = join(dir, name); writeFileSync(p, JSON.stringify(cfg)); return p; };
    const ok = file("ok.json", mn({ routes: [{ dest: "default", via: "10.1.0.1" }] }));
    let r = run(["check-config", ok]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${ok}: valid`);
    assert.equal(r.stderr, "");

    const noRoute = file("noroute.json", mn());
    r = run(["check-config", `--config=${noRoute}`, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j), ["formatVersion", "file", "ok", "name", "board", "roles", "interfaces", "routes", "warnings"]);
    assert.equal(j.formatVersion, 1);
    assert.equal(j.ok, true);
    assert.deepEqual([j.name, j.board, j.interfaces, j.routes], ["mn", "rpi4", 1, 0]);
    assert.equal(j.warnings.length, 1);
    assert.match(j.warnings[0], /^routes: a mobile node without a route reaches only its own link .* expected a default route such as \{"dest": "default", "via": "10\.1\.0\.1"\}, got none$/);
    r = run(["check-config", noRoute]);
    assert.match(r.stderr, /^warning: routes: a mobile node without a route/m);
    assert.match(r.stdout, /valid, 1 warning\(s\)/);

    const bad = file("bad.json", mn({ interfaces: [{ name: "wlan0", mac: "02:00:00:01:00:20", ipv4: "10.1.0.300/24" }] }));
    r = run(["check-config", "-j", bad]);
    assert.equal(r.status, 1);
    const b = JSON.parse(r.stdout);
    assert.equal(b.ok, false);
    assert.deepEqual(Object.keys(b), ["formatVersion", "file", "ok", "problems"]);
    assert.ok(b.problems.some((p) => /interfaces\[0\]\.ipv4: expected .*got "10\.1\.0\.300\/24"/.test(p)), b.problems.join("\n"));
    r = run(["check-config"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /check-config needs a node configuration file/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("mipfw-board under systemd: each stderr line carries its journald priority only when stderr is $JOURNAL_STREAM", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-journal-"));
  try {
    const file = (name, cfg) => { const p = join(dir, name); writeFileSync(p, JSON.stringify(cfg)); return p; };
    const noRoute = file("noroute.json", mn());
    const bad = file("bad.json", mn({ interfaces: [{ name: "wlan0", mac: "02:00:00:01:00:20", ipv4: "10.1.0.300/24" }] }));
    // stderr to a file; JOURNAL_STREAM names that file (as systemd names its stream socket) or another one.
    const stderrOf = (args, stream) => {
      const out = join(dir, "stderr");
      const fd = openSync(out, "w");
      try {
        const st = fstatSync(fd, { bigint: true });
        const env = { ...process.env };
        delete env.JOURNAL_STREAM;
        if (stream === "same") env.JOURNAL_STREAM = `${st.dev}:${st.ino}`;
        if (stream === "other") env.JOURNAL_STREAM = `${st.dev}:${st.ino + 1n}`;
        spawnSync(bin, args, { stdio: ["ignore", "ignore", fd], env });
      } finally { closeSync(fd); }
      return readFileSync(out, "utf8").trimEnd().split("\n");
    };
    let lines = stderrOf(["check-config", noRoute], "same");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^<4>warning: routes: a mobile node without a route/);
    lines = stderrOf(["check-config", bad], "same");
    assert.ok(lines.length >= 2, lines.join("\n"));
    for (const l of lines) assert.match(l, /^<3>/, "a refusal is an error (priority 3)");
    assert.ok(lines.some((l) => /^<3>.*interfaces\[0\]\.ipv4: expected /.test(l)), lines.join("\n"));
    for (const stream of ["other", "none"]) {
      lines = stderrOf(["check-config", noRoute], stream);
      assert.match(lines[0], /^warning: routes:/, `no prefix when stderr is not the journal (${stream})`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("keyFile: both hosts read the key from a file readable only by its owner, and refuse others naming the field", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-key-"));
  const nodeCli = join(root, "build/mipfw.cjs");
  const checks = [
    ["mipfw-board", (f) => run(["check-config", f])],
    ["mipfw", (f) => spawnSync(process.execPath, [nodeCli, "check-config", f], { encoding: "utf8", cwd: root })],
  ];
  try {
    const key = join(dir, "mn-ha.key");
    writeFileSync(key, "text:change-this-mn-ha-key\n", { mode: 0o600 });
    const cfg = (sa) => { const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`); writeFileSync(p, JSON.stringify(mn({ routes: [{ dest: "default", via: "10.1.0.1" }], securityAssociations: [sa] }))); return p; };
    const base = { peer: "10.1.0.1", spi: 4096, algorithm: "hmac-md5" };
    const good = cfg({ ...base, keyFile: "mn-ha.key" });
    // The same configuration bytes as with the key written inline.
    const inline = cfg({ ...base, key: "text:change-this-mn-ha-key" });
    assert.equal(run(["encode-config", good]).stdout, run(["encode-config", inline]).stdout);
    assert.ok(run(["encode-config", good]).stdout.length > 0);
    for (const [name, check] of checks) {
      let r = check(good);
      assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
      spawnSync("chmod", ["0640", key]);
      r = check(good);
      assert.equal(r.status, 1, name);
      assert.match(r.stdout + r.stderr, new RegExp(`securityAssociations\\[0\\]\\.keyFile: expected a file readable only by its owner \\(mode 0600 or 0400\\), got mode 0640 \\(${key.replace(/[.]/g, "\\.")}\\)`), name);
      spawnSync("chmod", ["0600", key]);
      r = check(cfg({ ...base, keyFile: "mn-ha.key", key: "text:x" }));
      assert.match(r.stdout + r.stderr, /securityAssociations\[0\]: expected key or keyFile, got both/, name);
      r = check(cfg({ ...base, keyFile: "missing.key" }));
      assert.equal(r.status, 1, name);
      assert.match(r.stdout + r.stderr, /securityAssociations\[0\]\.keyFile: cannot read .*missing\.key/, name);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("mipfw check-config (Node) warns about a mobile node without a route as mipfw-board does", () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-warn-"));
  try {
    const f = join(dir, "mn.json");
    writeFileSync(f, JSON.stringify(mn()));
    const r = spawnSync(process.execPath, [join(root, "build/mipfw.cjs"), "check-config", f], { encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /warning: routes: a mobile node without a route reaches only its own link .*"via": "10\.1\.0\.1"\}, got none/);
    writeFileSync(f, JSON.stringify(mn({ routes: [{ dest: "default", via: "10.1.0.1" }] })));
    assert.doesNotMatch(spawnSync(process.execPath, [join(root, "build/mipfw.cjs"), "check-config", f], { encoding: "utf8", cwd: root }).stdout, /warning/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("the systemd unit: no root, the two capabilities, restart on failure, reload is SIGHUP; systemd-analyze verify accepts it", () => {
  const unit = readFileSync(join(root, "host/wasm3/dist/mipfw-board@.service"), "utf8");
  const set = (k) => unit.split("\n").filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  assert.deepEqual(set("User"), ["mipfw"]);
  assert.deepEqual(set("AmbientCapabilities"), ["CAP_NET_RAW CAP_NET_ADMIN"]);
  assert.deepEqual(set("CapabilityBoundingSet"), ["CAP_NET_RAW CAP_NET_ADMIN"]);
  assert.deepEqual(set("Restart"), ["on-failure"]);
  assert.deepEqual(set("ExecReload"), ["/bin/kill -HUP $MAINPID"]);
  assert.match(set("ExecStartPre")[0], /mipfw-board check-config \/etc\/mipfw\/%i\.json$/);
  if (skip || spawnSync("systemd-analyze", ["--version"]).status !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), "mipfw-unit-"));
  try {
    writeFileSync(join(dir, "mipfw-board@.service"), unit.replaceAll("/usr/local/bin/mipfw-board", bin));
    const r = spawnSync("systemd-analyze", ["verify", join(dir, "mipfw-board@ha.service")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", "no complaint");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
