// Issue 14 point 5: one pcapng per run (--pcapng FILE), an interface named after each segment and
// access point cell, timestamps on the firmware's wall clock (2026-01-01T00:00:00Z at virtual time 0,
// so frame times match the NTP time in Identification fields); read back by tshark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host } from "./helpers.mjs";

const cli = new URL("../../build/mipfw.cjs", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: root });
const tmp = mkdtempSync(join(tmpdir(), "mipfw-pcapng-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const hasTshark = !spawnSync("tshark", ["--version"], { encoding: "utf8" }).error;
const tshark = (...args) => spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 256 << 20 });

test("pcapng: one file, an interface per segment and cell, the same frames as the per-segment pcaps, wall-clock times", (t) => {
  const ng = join(tmp, "run.pcapng"), dir = join(tmp, "pcaps");
  const r = run("sim", "scenarios/mip-roam.json", "--duration", "12000", "--pcapng", ng, "--pcap", dir, "--quiet");
  assert.equal(r.status, 0, r.stderr);
  // The byte layout, without tshark: a Section Header Block first, then one IDB per segment and cell.
  const b = readFileSync(ng);
  assert.equal(b.readUInt32LE(0), 0x0a0d0d0a);
  assert.equal(b.readUInt32LE(8), 0x1a2b3c4d);
  assert.equal(host.FIRMWARE_EPOCH_UNIX_SEC, Date.UTC(2026, 0, 1) / 1000);
  if (!hasTshark) { t.skip("tshark not on PATH: the file's layout was checked, not its reading by tshark"); return; }
  const x = tshark("-r", ng, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.time_epoch");
  assert.equal(x.status, 0, x.stderr);
  const rows = x.stdout.trim().split("\n").map((l) => l.split("\t"));
  const perIface = new Map();
  for (const [name, epoch] of rows) { const a = perIface.get(name) ?? []; a.push(epoch); perIface.set(name, a); }
  const names = ["home", "core", "net1", "net2", "cnet", "ap-home", "ap1", "ap2"];
  assert.deepEqual([...perIface.keys()].sort(), names.filter((n) => perIface.has(n)).sort());
  assert.ok(perIface.size >= 6, "frames on most segments in 12 s");
  // Each interface holds exactly its segment's frames, at the pcap's virtual time + 2026-01-01.
  for (const f of readdirSync(dir)) {
    const name = f.replace(/\.pcap$/, "");
    const classic = host.readPcap(readFileSync(join(dir, f))).records;
    const times = perIface.get(name) ?? [];
    assert.equal(times.length, classic.length, `${name}: frames`);
    if (classic.length) {
      const expect = (host.FIRMWARE_EPOCH_UNIX_SEC * 1e6 + classic[0].tUs) / 1e6;
      assert.ok(Math.abs(Number(times[0]) - expect) < 1e-6, `${name}: first frame at ${times[0]}, expected ${expect}`);
    }
  }
  // Interface names and descriptions as Wireshark shows them.
  const ifs = tshark("-r", ng, "-Y", "frame.interface_name == \"ap1\"", "-T", "fields", "-e", "frame.interface_description");
  assert.equal(ifs.stdout.trim().split("\n")[0], "access point ap1 cell (bridged to net1)");
  // The registration's Identification (NTP time) within a second of the frame's time.
  const mip = tshark("-r", ng, "-Y", "mip.type == 1", "-T", "fields", "-e", "frame.time_epoch", "-e", "mip.ident");
  const first = mip.stdout.trim().split("\n")[0].split("\t");
  assert.ok(first.length === 2 && first[1], "a Registration Request with its Identification");
  const identUnix = Date.parse(first[1].replace(/(\.\d{3})\d*/, "$1").replace(" UTC", "Z").replace(/^(\w+)\s+(\d+),\s+(\d+)\s+/, "$1 $2 $3 ")) / 1000;
  assert.ok(Math.abs(Number(first[0]) - identUnix) < 1, `frame at ${first[0]}, Identification ${first[1]}`);
});

test("pcapng: same seed, same bytes", () => {
  const a = join(tmp, "a.pcapng"), b = join(tmp, "b.pcapng");
  for (const f of [a, b]) assert.equal(run("sim", "scenarios/l2-roam.json", "--duration", "5000", "--pcapng", f, "--quiet").status, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  assert.ok(readFileSync(a).length > 10000);
});
