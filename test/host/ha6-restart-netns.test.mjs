// Issue 14 on real interfaces: a Mobile IPv6 home agent (mipfw-board with --bindings-file) is stopped and
// started again while its mobile node (mipfw-board) is away; the home registration comes back from the file
// (after the home agent's own address passed DAD), the home address is answered for on the home link again
// and a Linux correspondent's ping goes on through the tunnel before the mobile node re-registers: the AH
// counter of the tunnel resumes past the persisted one (a counter starting at 1 would be refused by the
// mobile node's anti-replay window). Skipped unless root with `ip netns` and the board built.
//
//   lcn(Linux) ─ br-home ─ ha(board) ─ br-f ─ mn(board)
//   2001:db8:1::/64 (home)          2001:db8:2::/64 (foreign, advertised by the home agent)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { root, board, netnsSkip, sleep, until, bgIn } from "./netns-run.mjs";

const firmware = join(root, "build/firmware.wasm");
const tag = `r6${process.pid % 10000}`;
const NSN = ["sw", "ha", "mn", "lcn"];
const NS = Object.fromEntries(NSN.map((n) => [n, `${tag}${n}`]));
const HA = "2001:db8:1::1", HA_F = "2001:db8:2::1", HOME = "2001:db8:1::20", LCN = "2001:db8:1::c";
const KEY = "00112233445566778899aabbccddeeff00112233";

const sh = (args) => spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: 20000 });
const inNs = (n, args) => sh(["ip", "netns", "exec", NS[n], ...args]);
function must(r, what) { assert.equal(r.status, 0, `${what}: ${r.stderr || r.stdout}`); return r; }
const bg = (procs, n, args) => bgIn(procs, NS[n], args);
const replies = (p) => (p.out.match(/bytes from/g) ?? []).length;

test("a Mobile IPv6 home agent restarted with its bindings file: the mobile node away stays reachable through the tunnel without re-registering", { skip: netnsSkip ?? false, timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-ha6r-"));
  const procs = [];
  try {
    for (const n of NSN) { must(sh(["ip", "netns", "add", NS[n]]), `netns ${n}`); inNs(n, ["ip", "link", "set", "lo", "up"]); }
    for (const k of ["all", "default"]) inNs("sw", ["sysctl", "-qw", `net.ipv6.conf.${k}.disable_ipv6=1`]);
    for (const b of ["br-home", "br-f"]) { must(inNs("sw", ["ip", "link", "add", b, "type", "bridge", "stp_state", "0", "mcast_snooping", "0"]), b); inNs("sw", ["ip", "link", "set", b, "up"]); }
    const link = (n, ifname, port, bridge) => {
      must(sh(["ip", "link", "add", ifname, "netns", NS[n], "type", "veth", "peer", "name", port, "netns", NS.sw]), `veth ${n}/${ifname}`);
      must(inNs("sw", ["ip", "link", "set", port, "master", bridge, "up"]), port);
      must(inNs(n, ["ip", "link", "set", ifname, "up"]), `${n}/${ifname}`);
    };
    link("ha", "eth0", "hap0", "br-home"); link("ha", "eth1", "hap1", "br-f"); link("mn", "eth0", "mnp", "br-f"); link("lcn", "eth0", "lcnp", "br-home");
    inNs("lcn", ["sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=0"]);
    must(inNs("lcn", ["ip", "-6", "addr", "add", `${LCN}/64`, "dev", "eth0", "nodad"]), "lcn address");

    const haCfg = join(dir, "ha.json"), bindings = join(dir, "ha.bindings.json"), ctl = join(dir, "ha.sock");
    writeFileSync(haCfg, JSON.stringify({
      name: "ha", board: "linux", roles: ["router", "home-agent"], node: { ipv6: "only", raIntervalMs: 3000 },
      interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", home: true }, { name: "eth1", mac: "02:00:00:00:02:01" }],
      ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_F}/64`, advertise: true }],
      ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: "hmac-sha1-96", key: KEY }],
    }));
    writeFileSync(join(dir, "mn.json"), JSON.stringify({
      name: "mn", board: "linux", roles: ["mobile-node"], node: { ipv6: "only" }, mobility: { lifetimeSec: 120 },
      interfaces: [{ name: "eth0", mac: "02:00:00:00:02:20" }],
      ipv6: [{ iface: "eth0", address: `${HOME}/64`, home: true }],
      ipsec: [{ peer: HA, spiIn: 0x2000, spiOut: 0x1000, algorithm: "hmac-sha1-96", key: KEY, homeAgent: true }],
    }));
    const startHa = (n) => bg(procs, "ha", [board, "--config", haCfg, "--firmware", firmware, "--boards", join(root, "boards"),
      "--events", join(dir, `ha${n}.events`), "--control", ctl, "--bindings-file", bindings]);
    let ha = startHa(1);
    const mn = bg(procs, "mn", [board, "--config", join(dir, "mn.json"), "--firmware", firmware, "--boards", join(root, "boards"),
      "--events", join(dir, "mn.events"), "--tun", "mip0"]);
    const status = () => { const r = inNs("ha", [board, "status", "--control", ctl, "--json"]); return r.status === 0 ? JSON.parse(r.stdout) : null; };
    const bound = () => status()?.tables?.bindings6?.find((b) => b.home === HOME && b.homeRegistration);
    const b1 = await until(bound, 30000, "the mobile node registered");
    must(inNs("lcn", ["ip", "-6", "route", "add", "default", "via", HA]), "lcn default route");
    const ping1 = bg(procs, "lcn", ["ping", "-6", "-n", "-c", "5", "-i", "0.2", "-W", "2", HOME]);
    await ping1.done;
    assert.ok(replies(ping1) >= 4, `before the restart: ${ping1.out}`);
    const registered = (readFileSync(join(dir, "mn.events"), "utf8").match(/"name":"binding_ack"|"reg_reply"/g) ?? []).length;
    await until(() => existsSync(bindings) && JSON.parse(readFileSync(bindings, "utf8")).bindings6?.length === 1, 5000, "bindings file with the home registration");
    const saved = JSON.parse(readFileSync(bindings, "utf8")).bindings6[0];
    assert.equal(saved.careOf, b1.careOf);
    assert.ok(saved.ahOutSeq > 0, "the AH counter persisted");

    // Stopped and started again: the home registration comes back from the file.
    ha.kill("SIGINT"); await ha.done;
    ha = startHa(2);
    await until(() => /binding of 2001:db8:1::20 restored after|1 binding\(s\) restored/.test(ha.err), 20000, `restored: ${ha.err}`);
    const b2 = await until(bound, 5000, "the binding in status after the restart");
    assert.equal(b2.careOf, b1.careOf);
    assert.ok(b2.ahOutSeq > saved.ahOutSeq, `the tunnel's AH counter resumed past the persisted one (${b2.ahOutSeq} > ${saved.ahOutSeq})`);
    // The correspondent's ping reaches the mobile node through the restored tunnel, and no new registration was needed.
    const ping2 = bg(procs, "lcn", ["ping", "-6", "-n", "-c", "10", "-i", "0.2", "-W", "2", HOME]);
    await ping2.done;
    assert.ok(replies(ping2) >= 8, `after the restart: ${ping2.out}\n${ha.err}`);
    const after = status();
    assert.equal(after.counters.mip6_bu_accepted ?? 0, 0, "answered without a new Binding Update");
    assert.ok(after.counters.mip6_ha_tunnelled > 0);
    assert.equal((readFileSync(join(dir, "mn.events"), "utf8").match(/"name":"binding_ack"|"reg_reply"/g) ?? []).length, registered, "the mobile node did not register again");
  } finally {
    for (const p of procs) { try { p.kill("SIGKILL"); } catch {} }
    for (const n of NSN) sh(["ip", "netns", "del", NS[n]]);
    if (!process.env.MIPFW_KEEP) rmSync(dir, { recursive: true, force: true });
  }
});
