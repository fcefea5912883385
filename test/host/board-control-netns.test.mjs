// Live inspection of mipfw-board on real interfaces (issue 14 point 3): test/e2e/control-netns.sh runs
// a home agent, a foreign agent and two mobile nodes in network namespaces and checks `status` (text
// and --json), `log-level`, SIGHUP (a new security association works, a rotated key works, bindings are
// kept, a removed association or an invalid configuration is refused) and the bindings file. Skipped unless root with `ip netns` and the
// board built. Also the deployment of docs/deploy.md (test/e2e/deploy-netns.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { board, netnsSkip, root } from "./netns-run.mjs";

test("mipfw-board: control socket, status, log-level, SIGHUP reload, bindings file", (t) => {
  if (netnsSkip) { t.skip(netnsSkip); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-ctl-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/control-netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 180000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `control-netns.sh failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /control: all checks passed/);
  } finally { rmSync(out, { recursive: true, force: true }); }
});

test("docs/deploy.md: the documented home agent, foreign agent and mobile node (host/wasm3/dist/etc/mipfw) work unchanged, without root", (t) => {
  if (netnsSkip) { t.skip(netnsSkip); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-dep-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/deploy-netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 120000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `deploy-netns.sh failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /deploy: all checks passed/);
  } finally { rmSync(out, { recursive: true, force: true }); }
});
