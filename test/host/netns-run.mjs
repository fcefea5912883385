// Running a network-namespace driver (test/e2e/*-netns.sh) from node:test: why it is skipped here
// (not root, no `ip netns`, no mipfw-board), and one run with its per-move results checked and shown.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

export const root = new URL("../../", import.meta.url).pathname;
export const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
/** Why the namespace tests cannot run here, or null. */
export const netnsSkip = !isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : !existsSync(board) ? `${board} not built` : null;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` every 50 ms until it returns something truthy (returned), failing after `ms` with `what`. */
export async function until(fn, ms, what) {
  const t0 = Date.now();
  for (;;) { const v = fn(); if (v) return v; if (Date.now() - t0 > ms) assert.fail(`timed out after ${ms} ms: ${what}`); await sleep(50); }
}

/** A background process in network namespace `ns` (stdout and stderr kept in .out/.err, .done when closed), added to `procs`. */
export function bgIn(procs, ns, args) {
  const p = spawn("ip", ["netns", "exec", ns, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  p.out = ""; p.err = "";
  p.stdout.on("data", (d) => { p.out += d; });
  p.stderr.on("data", (d) => { p.err += d; });
  p.done = new Promise((r) => p.on("close", r));
  procs.push(p);
  return p;
}

/**
 * Run test/e2e/SCRIPT with the board, in a fresh output directory: skips on exit 77, fails with the
 * output otherwise; shows the stdout line starting with `figures` and each move's interruption and loss
 * (result.json), asserting every move got datagrams.
 */
export function runNetnsScript(t, script, prefix, figures) {
  if (netnsSkip) { t.skip(netnsSkip); return; }
  const out = mkdtempSync(join(tmpdir(), prefix));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e", script), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 300000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `${script} failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
    const line = r.stdout.split("\n").find((l) => l.startsWith(figures));
    if (line) t.diagnostic(line);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    for (const m of res.moves) {
      t.diagnostic(`${m.move}: interruption ${m.interruptionMs} ms, lost ${m.lost}/${m.sent}`);
      assert.ok(m.received > 0, `${m.move}: no datagram after the move`);
    }
  } finally { rmSync(out, { recursive: true, force: true }); }
}
