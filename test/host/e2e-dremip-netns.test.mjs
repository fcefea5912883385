// Distributed registration on real Linux interfaces (issue 11 point 8; docs/e2e.md "Distributed registration"):
// test/e2e/dremip-netns.sh builds the roaming topology in network namespaces with a home registration server,
// a local registration server and a care-of agent as `mipfw-board` processes (with the home agent, the foreign
// agents and the mobile node), roams the mobile node home -> fa1 -> fa2 -> home and checks the registrations,
// the tunnel chain ha -> coa1 -> fa on the core bridge, and that the move inside the domain reached no home node.
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

test("e2e: distributed registration on real interfaces — registration servers and a care-of agent as mipfw-board processes; tunnel chain ha -> coa1 -> fa; the move fa1 -> fa2 stays in the domain", (t) => {
  if (why) { t.skip(why); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-dr-e2e-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/dremip-netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 300000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `dremip-netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
    const line = r.stdout.split("\n").find((l) => l.startsWith("br-core:"));
    if (line) t.diagnostic(line);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    for (const m of res.moves) {
      t.diagnostic(`${m.move}: interruption ${m.interruptionMs} ms, lost ${m.lost}/${m.sent}`);
      assert.ok(m.received > 0, `${m.move}: no datagram after the move`);
    }
  } finally { rmSync(out, { recursive: true, force: true }); }
});
