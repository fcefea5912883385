// Issue 7.16 on real interfaces, against a third-party mobile node: test/e2e/rev-netns.sh runs
// `mipfw-board` as the home agent ("rfc3344" registration profile) in network namespaces (named
// mrev-<pid>-*), a Linux correspondent on its home link, and a Python RFC 3344 mobile node
// (test/e2e/rev.py, written from the RFCs, not from mipfw) with a co-located care-of address behind the
// uplink. The node registers with T and D (after one 133 timestamp resynchronisation, authenticators
// verified), then sends from its home address through an IP-in-IP reverse tunnel (raw sockets: the
// kernel has no ipip module), untunnelled, through a forged tunnel, and home-prefix-sourced datagrams to
// its home address from off the home link. Skipped unless running as root with `ip netns`, python3 and
// mipfw-board built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
const hasPython = spawnSync("python3", ["--version"], { encoding: "utf8" }).status === 0;
const why = !isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : !hasPython ? "python3 not installed"
  : !existsSync(board) ? `${board} not built` : null;

test("issue 7.16: a third-party RFC 3344 mobile node (T bit, co-located) reverse-tunnels through mipfw-board on real interfaces; forged tunnels and home-prefix sources from off the home link toward its binding are dropped", (t) => {
  if (why) { t.skip(why); return; }
  const r = spawnSync("bash", [join(root, "test/e2e/rev-netns.sh"), "--board", board],
    { encoding: "utf8", timeout: 60000, killSignal: "SIGTERM" });
  if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
  assert.equal(r.status, 0, `rev-netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /registration replies: code 133 \(authenticator ok.*\), code 0 \(authenticator ok/);
  assert.match(r.stdout, /tunnelled 20\/20 \(sources \['10\.1\.0\.50'\]\), untunnelled 20\/20, forged tunnel 0\/20, end marker 1/);
  assert.match(r.stdout, /ha_reverse_tunnelled 21, drop_ha_reverse_spoofed 20, drop_ha_spoofed_home_src 20/);
  for (const line of r.stdout.split("\n").filter((l) => /^(registration|correspondent|home agent)/.test(l))) t.diagnostic(line);
});
