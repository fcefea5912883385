// The pcaps open in Wireshark's dissector: when tshark is on PATH, dissect every capture of the demo
// and layer-2 roaming scenarios and require ARP, IPv4, ICMP and UDP to be decoded with no malformed packets
// and no error-level expert info; then the Mobile IP captures: agent advertisements with the mobility
// and prefix-lengths extensions, registration requests and replies with their authentication
// extensions, IP-in-IP, GRE and minimal encapsulation, DHCP. Skipped when tshark is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host, firmware } from "./helpers.mjs";

const hasTshark = spawnSync("tshark", ["-v"], { encoding: "utf8" }).status === 0;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

for (const name of ["demo-router.json", "l2-roam.json"]) {
  test(`tshark dissects the ${name} captures cleanly`, (t) => {
    if (!hasTshark) { t.skip("tshark not on PATH"); return; }
    const dir = mkdtempSync(join(tmpdir(), "mipfw-tshark-"));
    try {
      const sim = new host.Simulation(host.validateScenario(load(name)), firmware, { pcapDir: dir, durationMs: name === "l2-roam.json" ? 15000 : undefined });
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

/** Run `raw` (a scenario object) with pcaps; tshark -V every capture with checksum checks on; no malformed, no error, no bad checksum. */
function dissectRun(t, raw, durationMs) {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-tshark-"));
  try {
    const sim = new host.Simulation(host.validateScenario(raw), firmware, { pcapDir: dir, durationMs });
    sim.run();
    sim.close();
    let all = "";
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".pcap")).sort()) {
      const r = spawnSync("tshark", ["-r", join(dir, f), "-V", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"], { encoding: "utf8", maxBuffer: 1 << 30 });
      assert.equal(r.status, 0, `tshark on ${f}: ${r.stderr}`);
      assert.ok(!/Malformed/.test(r.stdout), `${f}: malformed packet`);
      assert.ok(!/Expert Info \(Error/.test(r.stdout), `${f}: error-level expert info`);
      assert.ok(!/\[?(Bad|incorrect) checksum|Checksum Status: Bad/i.test(r.stdout), `${f}: bad checksum`);
      all += r.stdout;
    }
    return all;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test("tshark dissects the Mobile IP captures: advertisements, registrations with authentication, IP-in-IP", (t) => {
  if (!hasTshark) { t.skip("tshark not on PATH"); return; }
  const all = dissectRun(t, load("mip-roam.json"), 30000);
  // Agent advertisements (ICMP 9) with the Mobility Agent Advertisement (16) and Prefix-Lengths (19) extensions.
  assert.match(all, /Type: 9 \(Mobile IP Advertisement\)[\s\S]*?Extension Type: Mobility Agent Advertisement Extension \(16\)[\s\S]*?Flags: 0x9000, Registration Required, Foreign Agent[\s\S]*?Care-Of-Address: 10\.2\.0\.1[\s\S]*?Extension Type: Prefix Lengths Extension \(19\)\n\s+Length: 1\n\s+Prefix Length: 24/);
  assert.match(all, /Flags: 0x2000, Home Agent/);
  // Agent solicitations from the mobile node.
  assert.match(all, /Type: 10 \(Router solicitation\)/);
  // Registration Request and Reply, each with the mobile-home authentication extension.
  assert.match(all, /Message Type: Registration Request \(1\)[\s\S]*?Home Address: 10\.1\.0\.20\n\s+Home Agent: 10\.1\.0\.1\n\s+Care of Address: 10\.2\.0\.1[\s\S]*?Extension Type: Mobile-Home Authentication Extension \(32\)\n\s+Extension Length: 20\n\s+SPI: 0x00001000/);
  assert.match(all, /Message Type: Registration Reply \(3\)\n\s+Reply Code: Reg Accepted \(0\)[\s\S]*?Extension Type: Mobile-Home Authentication Extension \(32\)/);
  // IP-in-IP: outer home agent → care-of address, inner correspondent → home address.
  assert.match(all, /Internet Protocol Version 4, Src: 10\.1\.0\.1, Dst: 10\.2\.0\.1\n[\s\S]*?Protocol: IPIP \(4\)[\s\S]*?Internet Protocol Version 4, Src: 10\.9\.0\.10, Dst: 10\.1\.0\.20/);
  assert.match(all, /Internet Protocol Version 4, Src: 10\.1\.0\.1, Dst: 10\.3\.0\.1\n/);
});

test("tshark dissects GRE and minimal encapsulation tunnels", (t) => {
  if (!hasTshark) { t.skip("tshark not on PATH"); return; }
  for (const encap of ["gre", "minimal"]) {
    const raw = load("mip-roam.json");
    for (const n of raw.nodes) if (n.mobility) n.mobility.encapsulations = ["ipip", "minimal", "gre"];
    raw.nodes.find((n) => n.name === "mn").mobility.request = { encapsulation: encap };
    const all = dissectRun(t, raw, 12000);
    if (encap === "gre") {
      assert.match(all, /\.\.\.\. 1\.\.\. = GRE: True/, "the G bit of the request");
      assert.match(all, /Protocol: Generic Routing Encapsulation \(47\)[\s\S]*?Generic Routing Encapsulation \(IP\)\n\s+Flags and Version: 0x0000[\s\S]*?Protocol Type: IP \(0x0800\)\nInternet Protocol Version 4, Src: 10\.9\.0\.10, Dst: 10\.1\.0\.20/);
    } else {
      // tshark 4.0 has no dissector for minimal encapsulation (RFC 2004): the payload shows as data.
      assert.match(all, /Protocol: IP Mobility \(55\)[\s\S]*?Source Address: 10\.1\.0\.1\n\s+Destination Address: 10\.2\.0\.1\nData \(220 bytes\)/);
    }
  }
});

test("tshark dissects DHCP and the co-located care-of address tunnel", (t) => {
  if (!hasTshark) { t.skip("tshark not on PATH"); return; }
  const all = dissectRun(t, load("mip-colocated.json"), 20000);
  for (const m of ["Discover", "Offer", "Request", "ACK"]) assert.match(all, new RegExp(`Dynamic Host Configuration Protocol \\(${m}\\)`));
  assert.match(all, /Your \(client\) IP address: 10\.4\.0\.100/);
  assert.match(all, /Option: \(3\) Router\n\s+Length: 4\n\s+Router: 10\.4\.0\.1/);
  assert.match(all, /\.\.1\. \.\.\.\. = Co-located Care-of Address: True/);
  assert.match(all, /Internet Protocol Version 4, Src: 10\.1\.0\.1, Dst: 10\.4\.0\.100\n[\s\S]*?Internet Protocol Version 4, Src: 10\.9\.0\.10, Dst: 10\.1\.0\.20/);
});
