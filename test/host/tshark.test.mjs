// The pcaps open in Wireshark's dissector: when tshark is on PATH, dissect every capture of the demo
// and default scenarios and require ARP, IPv4, ICMP and UDP to be decoded with no malformed packets
// and no error-level expert info. Skipped when tshark is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host, firmware } from "./helpers.mjs";

const hasTshark = spawnSync("tshark", ["-v"], { encoding: "utf8" }).status === 0;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

for (const name of ["demo-router.json", "default.json"]) {
  test(`tshark dissects the ${name} captures cleanly`, (t) => {
    if (!hasTshark) { t.skip("tshark not on PATH"); return; }
    const dir = mkdtempSync(join(tmpdir(), "mipfw-tshark-"));
    try {
      const sim = new host.Simulation(host.validateScenario(load(name)), firmware, { pcapDir: dir, durationMs: name === "default.json" ? 15000 : undefined });
      sim.run();
      sim.close();
      let all = "";
      for (const f of readdirSync(dir).filter((x) => x.endsWith(".pcap"))) {
        const r = spawnSync("tshark", ["-r", join(dir, f), "-V"], { encoding: "utf8", maxBuffer: 1 << 30 });
        assert.equal(r.status, 0, `tshark on ${f}: ${r.stderr}`);
        assert.ok(!/Malformed/.test(r.stdout), `${f}: malformed packet`);
        assert.ok(!/Expert Info \(Error/.test(r.stdout), `${f}: error-level expert info`);
        assert.ok(!/\[?(Bad|incorrect) checksum/i.test(r.stdout.replace(/\[Checksum Status: Unverified\]/g, "")), `${f}: bad checksum`);
        all += r.stdout;
      }
      assert.match(all, /Address Resolution Protocol \(request\)/);
      assert.match(all, /Address Resolution Protocol \(reply\)/);
      assert.match(all, /Internet Protocol Version 4, Src: 10\.0\.1\.10/);
      assert.match(all, /Internet Control Message Protocol\n\s+Type: 8 \(Echo \(ping\) request\)/);
      assert.match(all, /Type: 0 \(Echo \(ping\) reply\)/);
      assert.match(all, /User Datagram Protocol, Src Port: 40003, Dst Port: 5000|User Datagram Protocol, Src Port: 4000\d, Dst Port: 5000/);
      // tshark's checksum check, on: every IPv4/UDP/ICMP checksum must verify.
      const chk = spawnSync("tshark", ["-r", join(dir, "lan1.pcap"), "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-Y", "ip.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\""], { encoding: "utf8" });
      assert.equal(chk.status, 0, chk.stderr);
      assert.equal(chk.stdout.trim(), "", "frames with bad checksums");
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}
