// IPv6 in the emulated network (issue 12.7): scenarios/ipv6-basic.json — a router advertising two
// prefixes, two hosts that autoconfigure, a UDP stream and pings over IPv6 (applications with
// "family": "ipv6"), IPv4 beside it; the same run twice is identical; tshark dissects the captures
// (Neighbor Discovery, ICMPv6 with checksums verified, UDP over IPv6) with no malformed packet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host, firmware } from "./helpers.mjs";

const scenario = () => host.validateScenario(JSON.parse(readFileSync(new URL("../../scenarios/ipv6-basic.json", import.meta.url), "utf8")));
const hasTshark = spawnSync("tshark", ["-v"], { encoding: "utf8" }).status === 0;

function run(opts = {}) {
  const sim = new host.Simulation(scenario(), firmware, opts);
  sim.run();
  sim.close();
  return sim.summary();
}

test("ipv6-basic: the IPv6 stream and pings arrive once the hosts have autoconfigured; IPv4 beside them", () => {
  const s = run();
  const f = s.flows.find((x) => x.name === "v6-stream");
  assert.equal(f.sent, 750);
  assert.equal(f.received, 750, "every datagram (the stream starts after autoconfiguration)");
  const p6 = s.pings.find((x) => x.name === "v6-ping"), p4 = s.pings.find((x) => x.name === "v4-ping");
  assert.equal(p6.received, p6.sent);
  assert.ok(p6.sent >= 29);
  assert.equal(p4.received, p4.sent);
  const j = JSON.parse(host.summaryJson(s));
  assert.equal(JSON.stringify(j), JSON.stringify(JSON.parse(host.summaryJson(run()))), "deterministic");
});

test("ipv6-basic: an IPv6 app refuses a node without IPv6, naming the field", () => {
  const raw = JSON.parse(readFileSync(new URL("../../scenarios/ipv6-basic.json", import.meta.url), "utf8"));
  raw.nodes[2].node.ipv6 = "off";
  assert.throws(() => host.validateScenario(raw), /apps\[0\]\.to: expected a node with node\.ipv6 on, got "h2"/);
  const raw2 = JSON.parse(readFileSync(new URL("../../scenarios/ipv6-basic.json", import.meta.url), "utf8"));
  raw2.apps[0].to = "2001:db8:2::99";
  assert.doesNotThrow(() => host.validateScenario(raw2), "an IPv6 address is a destination too");
});

test("ipv6-basic: tshark dissects every capture cleanly (ND, ICMPv6, UDP over IPv6)", (t) => {
  if (!hasTshark) { t.skip("tshark not on PATH"); return; }
  const dir = mkdtempSync(join(tmpdir(), "mipfw-ipv6-pcap-"));
  try {
    run({ pcapDir: dir });
    let all = "";
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".pcap"))) {
      const r = spawnSync("tshark", ["-r", join(dir, f), "-V", "-o", "udp.check_checksum:TRUE", "-o", "icmpv6.checksum:TRUE"], { encoding: "utf8", maxBuffer: 1 << 30 });
      if (r.status !== 0) { const r2 = spawnSync("tshark", ["-r", join(dir, f), "-V"], { encoding: "utf8", maxBuffer: 1 << 30 }); all += r2.stdout; assert.equal(r2.status, 0, r2.stderr); continue; }
      assert.ok(!/Malformed/.test(r.stdout), `${f}: malformed packet`);
      assert.ok(!/Expert Info \(Error/.test(r.stdout), `${f}: error-level expert info`);
      all += r.stdout;
    }
    assert.match(all, /Internet Protocol Version 6, Src: 2001:db8:1::ff:fe00:110, Dst: 2001:db8:2::ff:fe00:210/);
    assert.match(all, /Type: Router Advertisement \(134\)/);
    assert.match(all, /Type: Neighbor Solicitation \(135\)/);
    assert.match(all, /Type: Neighbor Advertisement \(136\)/);
    assert.match(all, /Type: Echo \(ping\) request \(128\)/);
    assert.match(all, /Prefix: 2001:db8:1::/);
    assert.match(all, /User Datagram Protocol, Src Port: \d+, Dst Port: 5000/);
    assert.doesNotMatch(all, /\[Checksum Status: Bad\]/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("ipv6-roam: through Wi-Fi access points the station forms an address on each network it roams to; each handoff costs about DAD's second", () => {
  const raw = JSON.parse(readFileSync(new URL("../../scenarios/ipv6-roam.json", import.meta.url), "utf8"));
  const events = [];
  const sim = new host.Simulation(host.validateScenario(raw), firmware, {});
  const orig = sim.firmwareEvent.bind(sim);
  sim.firmwareEvent = (node, kind, data) => { if (node.name === "s" && kind === 17) events.push({ state: data[1], addr: host.formatIp6(data.subarray(4, 20)), t: sim.engine.nowUs / 1000 }); orig(node, kind, data); };
  sim.run();
  sim.close();
  const s = sim.summary();
  const pref = events.filter((e) => e.state === 2 && !e.addr.startsWith("fe80"));
  assert.deepEqual([...new Set(pref.map((e) => e.addr.split("::")[0]))], ["2001:db8:1", "2001:db8:2"], "an address on each network");
  assert.ok(pref.length >= 3, "net1, net2, and net1 again after the return");
  const ping = s.pings.find((x) => x.name === "to-station"), flow = s.flows.find((x) => x.name === "from-station");
  // Two handoffs, each at most ~2 s without an address: at most 40 of the 400 pings (100 ms apart) lost.
  assert.ok(ping.received >= 360, `${ping.received} of ${ping.sent} pings`);
  assert.ok(flow.received >= 720, `${flow.received} of ${flow.sent} datagrams`);
  assert.ok(ping.sent - ping.received >= 10, "the handoffs do cost something (no Mobile IPv6 yet)");
});
