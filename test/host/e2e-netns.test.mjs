// End-to-end on real Linux interfaces (docs/e2e.md): test/e2e/netns.sh builds the roaming topology in
// network namespaces with veth pairs and bridges, runs the home agent, both foreign agents and the
// mobile node as `mipfw-board` processes (the firmware under wasm3), roams the mobile node
// home -> fa1 -> fa2 -> co-located (DHCP from dnsmasq) -> home while a Linux correspondent pings and
// streams UDP to its home address, and checks the bridge captures with tshark. Also the driver's
// error messages. Skipped unless running as root with `ip netns` and the mipfw-board binary built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("../../", import.meta.url).pathname;
const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const firmware = join(root, "build/firmware.wasm");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
const hasBoard = existsSync(board);
const why = !isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : !hasBoard ? `${board} not built` : null;

/** Run mipfw-board with `cfg` (a node configuration object) inside a fresh network namespace. */
function runBoard(cfg, { prefix = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-drv-"));
  const ns = `mipdrv-${process.pid}`;
  try {
    writeFileSync(join(dir, "node.json"), JSON.stringify(cfg), { mode: 0o644 });
    chmodSync(dir, 0o755); // readable by the unprivileged user of the permission test
    spawnSync("ip", ["netns", "add", ns]);
    return spawnSync("ip", ["netns", "exec", ns, ...prefix, board, "--config", join(dir, "node.json"), "--firmware", firmware,
      "--boards", join(root, "boards")], { encoding: "utf8", timeout: 10000 });
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const hostCfg = (ifname) => ({
  name: "h1", board: "linux", roles: ["host"],
  interfaces: [{ name: ifname, mac: "02:00:00:00:01:10", ipv4: "10.0.1.10/24" }],
});

test("mipfw-board: a missing interface is named", (t) => {
  if (why) { t.skip(why); return; }
  const r = runBoard(hostCfg("nosuch0"));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /interface nosuch0 of the configuration does not exist/);
});

test("mipfw-board: without CAP_NET_RAW it says what it needs", (t) => {
  if (why) { t.skip(why); return; }
  if (spawnSync("setpriv", ["--help"]).status !== 0) { t.skip("setpriv not installed"); return; }
  // `lo` of a fresh namespace, as nobody with no capabilities: the packet socket is refused.
  const r = runBoard(hostCfg("lo"), { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"] });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /needs CAP_NET_RAW and CAP_NET_ADMIN \(run as root\)/);
});

test("mipfw-board: an invalid configuration names the field", (t) => {
  if (why) { t.skip(why); return; }
  const cfg = hostCfg("nosuch0");
  cfg.interfaces[0].ipv4 = "10.0.1.300/24";
  const r = runBoard(cfg);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /interfaces\[0\]\.ipv4: expected/);
});

test("e2e: roaming on real interfaces in network namespaces (home -> fa1 -> fa2 -> co-located -> home)", (t) => {
  if (why) { t.skip(why); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-e2e-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 300000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    for (const m of res.moves) {
      t.diagnostic(`${m.move}: interruption ${m.interruptionMs} ms, lost ${m.lost}/${m.sent}`);
      assert.ok(m.received > 0, `${m.move}: no datagram after the move`);
    }
    assert.ok(res.moves.some((m) => m.move === "fa1") && res.moves.some((m) => m.move === "fa2") && res.moves.some((m) => m.move === "home"));
  } finally { rmSync(out, { recursive: true, force: true }); }
});
