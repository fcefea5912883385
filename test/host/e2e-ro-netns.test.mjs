// Route optimization on real Linux interfaces (issue 10 point 9; docs/e2e.md "Route optimization"):
// test/e2e/ro-netns.sh builds the roaming topology in network namespaces with the correspondent itself a
// `mipfw-board` (route optimization on; its Linux programs send through the board's TUN), roams the mobile
// node home -> fa1 -> fa2 -> home with smooth handoff on, and checks on the bridge captures that the
// correspondent's datagrams go straight to each care-of address after the home agent's Binding Update.
// Skipped unless running as root with `ip netns`, tshark and the mipfw-board binary built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("../../", import.meta.url).pathname;
const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
const why = !isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : !existsSync(board) ? `${board} not built` : null;

test("e2e: route optimization on real interfaces — a mipfw-board correspondent tunnels straight to the care-of address; smooth handoff fa1 -> fa2", (t) => {
  if (why) { t.skip(why); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-ro-e2e-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/ro-netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 300000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `ro-netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
    const line = r.stdout.split("\n").find((l) => l.startsWith("br-core at fa1"));
    if (line) t.diagnostic(line);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    for (const m of res.moves) {
      t.diagnostic(`${m.move}: interruption ${m.interruptionMs} ms, lost ${m.lost}/${m.sent}`);
      assert.ok(m.received > 0, `${m.move}: no datagram after the move`);
    }
  } finally { rmSync(out, { recursive: true, force: true }); }
});
