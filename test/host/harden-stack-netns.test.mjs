// Issue 7.15 on real interfaces: test/e2e/frag-netns.sh runs `mipfw-board` as the home agent in network
// namespaces (named mfrag-<pid>-*), a Linux correspondent on its home link and a Linux care-of namespace
// behind an MTU-1000 uplink; a 1400-byte datagram without DF to the mobile node's home address must leave
// the home agent as two IP-in-IP fragments (checked in a capture on the care-of link) that the Linux peer
// reassembles into the whole encapsulated datagram (received on a raw socket for protocol 4: the kernel
// has no ipip module). Skipped unless running as root with `ip netns` and mipfw-board built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
const why = !isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : !existsSync(board) ? `${board} not built` : null;

test("issue 7.15: the tunnel entry fragments, both halves arrive and reassemble at a Linux peer (network namespaces)", (t) => {
  if (why) { t.skip(why); return; }
  const r = spawnSync("bash", [join(root, "test/e2e/frag-netns.sh"), "--board", board],
    { encoding: "utf8", timeout: 120000, killSignal: "SIGTERM" });
  if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
  assert.equal(r.status, 0, `frag-netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /reassembled at the Linux peer: 1420-byte IP-in-IP datagram/);
  assert.match(r.stdout, /two fragments on the wire: \[\(1, 0, 996\), \(0, 976, 444\)\]/);
  for (const line of r.stdout.split("\n").filter((l) => /reassembled|fragments on the wire/.test(l))) t.diagnostic(line);
});
