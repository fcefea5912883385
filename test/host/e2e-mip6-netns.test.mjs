// Mobile IPv6 on real Linux interfaces (issue 13 point 8): network namespaces joined by bridges. The home
// agent, the mobile node and a firmware correspondent are `mipfw-board` processes; a Linux router (kernel
// forwarding, radvd) serves two foreign links and the correspondents' link and routes the home prefix to the
// home agent; a Linux correspondent (kernel IPv6) pings the mobile node's home address and exchanges UDP
// with it. The mobile node moves home -> foreign 1 -> foreign 2 -> home by re-attaching its switch port to
// another bridge (link down, nomaster, master, up: the board sees the link event). Checked after each move:
// delivery (ping6 from the Linux correspondent, UDP both ways with both correspondents, the mobile node's
// side through its TUN from its home address); away from home, the Linux correspondent's traffic goes
// through the home agent's tunnel and the reverse tunnel, while the firmware correspondent, once it
// acknowledged the mobile node's Binding Update, sends straight to the care-of address with a Routing
// header and gets answers straight from it with a Home Address option (bridge captures). Every capture
// dissects cleanly in tshark with tools/wireshark/mipfw.lua. Skipped unless root with `ip netns`, radvd,
// tshark with Lua, python3 and the mipfw-board binary. MIPFW_KEEP=1 keeps the captures, configurations
// and events (and captures the TUNs too).
//
// Topology (2001:db8:ff::/64 is the core link):
//
//   mn ─ br-home ─ ha(board) ─ br-core ─ rt(Linux, radvd) ─┬─ br-f1  2001:db8:11::/64 (foreign 1)
//        2001:db8:1::/64                                    ├─ br-f2  2001:db8:12::/64 (foreign 2)
//                                                           └─ br-cn  2001:db8:9::/64  lcn (Linux), fcn (board)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { root, board, netnsSkip, sleep, until, bgIn } from "./netns-run.mjs";
import { host } from "./helpers.mjs";

const firmware = join(root, "build/firmware.wasm");
const LUA = join(root, "tools/wireshark/mipfw.lua");
const radvd = ["/usr/sbin/radvd", "/sbin/radvd"].find((p) => existsSync(p));
const py = "/usr/bin/python3";
const tv = spawnSync("tshark", ["-v"], { encoding: "utf8" });
const tsharkOk = tv.status === 0 && spawnSync("dumpcap", ["-v"]).status === 0;
const skip = netnsSkip ?? (!radvd ? "radvd not installed (apt-get install radvd)"
  : !tsharkOk ? "tshark/dumpcap not installed (apt-get install tshark): the paths are checked on captures"
  : !/\bwith Lua\b/i.test(tv.stdout) ? "tshark without Lua (tools/wireshark/mipfw.lua decodes the draft's options)"
  : !existsSync(py) ? "python3 not installed" : !existsSync("/dev/net/tun") ? "/dev/net/tun missing" : null);

const tag = `x6${process.pid % 10000}`;
const NSN = ["sw", "ha", "rt", "mn", "lcn", "fcn"];
const NS = Object.fromEntries(NSN.map((n) => [n, `${tag}${n}`]));
const BRIDGES = ["br-home", "br-core", "br-f1", "br-f2", "br-cn"];

const HA = "2001:db8:1::1", HOME = "2001:db8:1::20", HA_CORE = "2001:db8:ff::1", RT_CORE = "2001:db8:ff::2";
const MN_MAC = "02:00:00:00:01:20", FCN_MAC = "02:00:00:00:09:20";
const KEY_HA = "00112233445566778899aabbccddeeff00112233", KEY_CN = "ffeeddccbbaa99887766554433221100ffeeddcc";
/** The modified EUI-64 address of `mac` under `prefix` (a /64). */
const eui = (prefix, mac) => { const m = host.parseMac(mac); const a = host.parseIp6(prefix); a.splice(8, 8, m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]); return host.formatIp6(a); };
const COA1 = eui("2001:db8:11::", MN_MAC), COA2 = eui("2001:db8:12::", MN_MAC);
// The firmware correspondent's one global address: autoconfigured from radvd (a static one beside it would
// leave the source of its local stack's packets to Linux's choice).
const LCN = "2001:db8:9::10", FCN = eui("2001:db8:9::", FCN_MAC);

const sh = (args, opts = {}) => spawnSync(args[0], args.slice(1), { encoding: "utf8", timeout: 20000, ...opts });
const inNs = (n, args, opts) => sh(["ip", "netns", "exec", NS[n], ...args], opts);
function must(r, what) { assert.equal(r.status, 0, `${what}: ${r.stderr || r.stdout}`); return r; }
const now = () => Date.now() / 1000;

/** veth `ifname` in namespace `n`, its peer `port` on `bridge` of the switch namespace. */
function link(n, ifname, port, bridge) {
  must(sh(["ip", "link", "add", ifname, "netns", NS[n], "type", "veth", "peer", "name", port, "netns", NS.sw]), `veth ${n}/${ifname}`);
  must(inNs("sw", ["ip", "link", "set", port, "master", bridge, "up"]), `${port} on ${bridge}`);
  must(inNs(n, ["ip", "link", "set", ifname, "up"]), `${n}/${ifname} up`);
}

function topology() {
  for (const n of NSN) { must(sh(["ip", "netns", "add", NS[n]]), `netns ${n}`); inNs(n, ["ip", "link", "set", "lo", "up"]); }
  // The switch speaks no IPv6 itself (no router solicitations or MLD from the bridges in the captures).
  for (const k of ["all", "default"]) inNs("sw", ["sysctl", "-qw", `net.ipv6.conf.${k}.disable_ipv6=1`]);
  for (const b of BRIDGES) {
    must(inNs("sw", ["ip", "link", "add", b, "type", "bridge", "stp_state", "0", "mcast_snooping", "0"]), b);
    must(inNs("sw", ["ip", "link", "set", b, "up"]), `${b} up`);
  }
  link("ha", "eth0", "hap0", "br-home"); link("ha", "eth1", "hap1", "br-core");
  link("rt", "eth0", "rtp0", "br-core"); link("rt", "eth1", "rtp1", "br-f1"); link("rt", "eth2", "rtp2", "br-f2"); link("rt", "eth3", "rtp3", "br-cn");
  link("mn", "eth0", "mnp", "br-home");
  link("lcn", "eth0", "lcnp", "br-cn"); link("fcn", "eth0", "fcnp", "br-cn");
  // The Linux router: forwarding, its addresses, the home prefix behind the home agent.
  inNs("rt", ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
  for (const [i, a] of [[0, `${RT_CORE}/64`], [1, "2001:db8:11::1/64"], [2, "2001:db8:12::1/64"], [3, "2001:db8:9::1/64"]]) must(inNs("rt", ["ip", "-6", "addr", "add", a, "dev", `eth${i}`, "nodad"]), `rt eth${i}`);
  must(inNs("rt", ["ip", "-6", "route", "add", "2001:db8:1::/64", "via", HA_CORE, "dev", "eth0"]), "route to the home prefix");
  // The Linux correspondent: a static address and default route (no autoconfiguration: one source address).
  inNs("lcn", ["sysctl", "-qw", "net.ipv6.conf.eth0.accept_ra=0"]);
  must(inNs("lcn", ["ip", "-6", "addr", "add", `${LCN}/64`, "dev", "eth0", "nodad"]), "lcn address");
  must(inNs("lcn", ["ip", "-6", "route", "add", "default", "via", "2001:db8:9::1"]), "lcn default route");
}

function teardown(procs) {
  for (const p of procs) { try { p.kill("SIGKILL"); } catch {} }
  for (const n of NSN) sh(["ip", "netns", "del", NS[n]]);
}

/** A background process in namespace `n` (stdout and stderr kept). */
const bg = (procs, n, args) => bgIn(procs, NS[n], args);

/** mipfw-board for `cfg` in its namespace (cfg.name), events as JSON lines in a file. */
function startBoard(procs, dir, cfg) {
  const file = join(dir, `${cfg.name}.json`), ev = join(dir, `${cfg.name}.events`);
  writeFileSync(file, JSON.stringify(cfg));
  const p = bg(procs, cfg.name, [board, "--config", file, "--firmware", firmware, "--boards", join(root, "boards"), "--events", ev, "--tun", "mip0"]);
  p.ev = ev;
  return p;
}
const events = (b) => (existsSync(b.ev) ? readFileSync(b.ev, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

// UDP with python3: a receiver printing "payload source" per datagram until `idle` s pass without one
// (after the first) or `total` s; a sender of `n` datagrams 0.1 s apart, from `src` when given.
const recvPy = (port, total = 8, idle = 1.5) => `import socket,time
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('::',${port}))
end=time.time()+${total};first=None
while True:
  t=time.time();lim=end if first is None else min(end,last+${idle})
  if t>=lim: break
  s.settimeout(lim-t)
  try: d,a=s.recvfrom(2000)
  except socket.timeout: break
  last=time.time();first=first or last;print(d.decode(),a[0],flush=True)`;
const sendPy = (dst, port, msg, n = 10, src = null) => `import socket,time
s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)
${src ? `s.bind(('${src}',0))` : ""}
for i in range(${n}):
  try: s.sendto(b'${msg}-%d'%i,('${dst}',${port}))
  except OSError: pass
  time.sleep(0.1)`;

/** UDP from namespace `from` (source `src` or the kernel's choice) to `dst` in namespace `to`: the lines received. */
async function udp(procs, from, to, dst, port, msg, { n = 10, src = null } = {}) {
  const r = bg(procs, to, [py, "-c", recvPy(port)]);
  await sleep(300);
  const s = bg(procs, from, [py, "-c", sendPy(dst, port, msg, n, src)]);
  await s.done;
  await r.done;
  return r.out.trim().split("\n").filter(Boolean).map((l) => { const [m, a] = l.split(" "); return { m, a }; });
}

/**
 * Ping log (ping -D -n): the replies with their times and `sent(seq)`, when request `seq` went: a reply's
 * receive time less its round trip; for an unanswered one, between the answered ones around it.
 */
function pingLog(text) {
  const replies = [];
  for (const l of text.split("\n")) {
    const m = l.match(/^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+).* time=([\d.]+) ms/);
    if (m) replies.push({ t: Number(m[1]), seq: Number(m[2]), at: Number(m[1]) - Number(m[3]) / 1000 });
  }
  const sent = (seq) => {
    let lo = null, hi = null;
    for (const r of replies) { if (r.seq <= seq) lo = r; else { hi = r; break; } }
    if (lo?.seq === seq) return lo.at;
    const a = lo ?? hi, b = hi ?? lo;
    return a.seq === b.seq ? a.at + (seq - a.seq) * 0.1 : a.at + (seq - a.seq) * (b.at - a.at) / (b.seq - a.seq);
  };
  return { replies, sent };
}

test("Mobile IPv6 on real interfaces: home -> foreign 1 -> foreign 2 -> home behind radvd routers; ping6 and UDP with a Linux and a firmware correspondent; the firmware correspondent route-optimized, the Linux one through the home agent; clean captures", { skip: skip ?? false, timeout: 180000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-mip6ns-"));
  const procs = [];
  const t0 = Date.now();
  try {
    topology();
    const caps = BRIDGES.map((b) => ({ b, file: join(dir, `${b}.pcap`), p: bg(procs, "sw", ["dumpcap", "-q", "-P", "-i", b, "-w", join(dir, `${b}.pcap`)]) }));
    await until(() => caps.every((c) => existsSync(c.file)), 10000, "captures started");
    // Routers serving mobile nodes (RFC 6275 §7.5 lets them advertise this fast): an arriving node's Router
    // Solicitation is answered at once (radvd allows MinDelayBetweenRAs below 3 s only with a Mobile IPv6
    // option: the Advertisement Interval). Else the mobile node's first solicitation, sent from :: at link-up, waits
    // for radvd's next multicast slot and the second one (from its link-local address, after its DAD)
    // gets the answer: 1.1-2.2 s per foreign move measured instead of 0.1-0.5 s.
    writeFileSync(join(dir, "radvd.conf"), ["eth1 2001:db8:11::/64", "eth2 2001:db8:12::/64", "eth3 2001:db8:9::/64"].map((x) => {
      const [i, p] = x.split(" ");
      return `interface ${i} {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 4;\n  MinDelayBetweenRAs 0.05;\n  AdvIntervalOpt on;\n  prefix ${p} { AdvOnLink on; AdvAutonomous on; };\n};\n`;
    }).join(""));
    bg(procs, "rt", [radvd, "-n", "-C", join(dir, "radvd.conf"), "-p", join(dir, "radvd.pid"), "-m", "stderr", "-d", "1"]);

    const ha = startBoard(procs, dir, {
      name: "ha", board: "linux", roles: ["router", "home-agent"], node: { ipv6: "only", raIntervalMs: 3000 },
      interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", home: true }, { name: "eth1", mac: "02:00:00:00:ff:01" }],
      ipv6: [{ iface: "eth0", address: `${HA}/64`, advertise: true }, { iface: "eth1", address: `${HA_CORE}/64` }],
      routes6: [{ dest: "default", via: RT_CORE, iface: "eth1" }],
      ipsec: [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: "hmac-sha1-96", key: KEY_HA }],
    });
    const mn = startBoard(procs, dir, {
      name: "mn", board: "linux", roles: ["mobile-node"], node: { ipv6: "only" }, mobility: { lifetimeSec: 60 },
      interfaces: [{ name: "eth0", mac: MN_MAC }],
      ipv6: [{ iface: "eth0", address: `${HOME}/64`, home: true }],
      ipsec: [{ peer: HA, spiIn: 0x2000, spiOut: 0x1000, algorithm: "hmac-sha1-96", key: KEY_HA, homeAgent: true },
        { peer: FCN, spiIn: 0x4000, spiOut: 0x3000, algorithm: "hmac-sha1-96", key: KEY_CN, require: false }],
    });
    const fcn = startBoard(procs, dir, {
      name: "fcn", board: "linux", roles: ["host"], node: { ipv6: "only" },
      interfaces: [{ name: "eth0", mac: FCN_MAC }],
      ipsec: [{ peer: HOME, spiIn: 0x3000, spiOut: 0x4000, algorithm: "hmac-sha1-96", key: KEY_CN, require: false }],
    });
    const pref = (b, a) => events(b).find((e) => e.name === "addr6" && e.state === "preferred" && e.addr === a);
    await until(() => pref(ha, HA) && pref(ha, HA_CORE) && pref(mn, HOME) && pref(fcn, FCN), 15000, "addresses preferred");
    await until(() => inNs("mn", ["ip", "-6", "addr", "show", "dev", "mip0"]).stdout.includes(HOME), 5000, "home address on the mobile node's TUN");
    await until(() => inNs("fcn", ["ip", "-6", "addr", "show", "dev", "mip0"]).stdout.includes(FCN), 5000, "address on the correspondent's TUN");
    t.diagnostic(`set up in ${Date.now() - t0} ms`);
    // (Debugging, MIPFW_KEEP set: the local stacks' TUNs captured too.)
    if (process.env.MIPFW_KEEP) for (const n of ["mn", "fcn"]) bg(procs, n, ["dumpcap", "-q", "-P", "-i", "mip0", "-w", join(dir, `${n}-tun.pcap`)]);

    const ping = bg(procs, "lcn", ["ping", "-6", "-D", "-n", "-i", "0.1", HOME]);
    const moves = [];
    const results = [];
    /** Delivery at the current place: the continuous ping answered after the move, UDP both ways with both correspondents. */
    async function deliver(label) {
      const m = moves.at(-1);
      const first = await until(() => { const pl = pingLog(ping.out); return pl.replies.find((r) => r.at > m.t); }, 30000, `${label}: the Linux correspondent's ping answered after the move`);
      m.firstReplyMs = Math.round((first.t - m.t) * 1000);
      const from = now();
      const [a, b, c, d] = await Promise.all([
        udp(procs, "lcn", "mn", HOME, 7001, `lcn-${label}`),
        udp(procs, "mn", "lcn", LCN, 7002, `mn-${label}`, { src: HOME }),
        udp(procs, "fcn", "mn", HOME, 7003, `fcn-${label}`),
        udp(procs, "mn", "fcn", FCN, 7004, `mnf-${label}`, { src: HOME }),
      ]);
      const r = { label, from, to: now(), lcnToMn: a.length, mnToLcn: b.length, fcnToMn: c.length, mnToFcn: d.length };
      results.push(r);
      assert.ok(a.length >= 8 && a.every((x) => x.a === LCN), `${label}: Linux correspondent -> mobile node UDP: ${JSON.stringify(a)}`);
      assert.ok(b.length >= 8 && b.every((x) => x.a === HOME), `${label}: mobile node -> Linux correspondent UDP, from the home address: ${JSON.stringify(b)}`);
      assert.ok(c.length >= 8 && c.every((x) => x.a === FCN), `${label}: firmware correspondent -> mobile node UDP: ${JSON.stringify(c)}`);
      assert.ok(d.length >= 8 && d.every((x) => x.a === HOME), `${label}: mobile node -> firmware correspondent UDP, from the home address: ${JSON.stringify(d)}`);
      return r;
    }
    async function move(label, bridge) {
      const t1 = now();
      must(inNs("sw", ["ip", "link", "set", "mnp", "down"]), "port down");
      must(inNs("sw", ["ip", "link", "set", "mnp", "nomaster"]), "nomaster");
      must(inNs("sw", ["ip", "link", "set", "mnp", "master", bridge]), "master");
      await sleep(50);
      must(inNs("sw", ["ip", "link", "set", "mnp", "up"]), "port up");
      moves.push({ label, bridge, t: t1 });
    }

    moves.push({ label: "start", bridge: "br-home", t: now() });
    await deliver("home0");
    for (const [label, br, coa] of [["f1", "br-f1", COA1], ["f2", "br-f2", COA2]]) {
      await move(label, br);
      await until(() => events(ha).find((e) => e.name === "binding" && e.coa === coa), 20000, `${label}: home agent binding to ${coa}`);
      await deliver(label);
      // Route optimization: the mobile node's Binding Update to the firmware correspondent is acknowledged
      // (foreign 1: its packets came through the tunnel, §9.5; foreign 2: the update every correspondent in
      // the Binding Update List gets when the home agent accepts the new care-of address); then a stream
      // both ways, whose path the captures show.
      await until(() => events(fcn).find((e) => e.name === "ro_binding" && e.coa === coa), 10000, `${label}: the firmware correspondent's binding for ${coa}`);
      const ro0 = now();
      const [x, y] = await Promise.all([
        udp(procs, "fcn", "mn", HOME, 7005, `ro-${label}`, { n: 20 }),
        udp(procs, "mn", "fcn", FCN, 7006, `rom-${label}`, { n: 20, src: HOME }),
      ]);
      moves.at(-1).ro = { from: ro0, to: now(), coa, fcnToMn: x.length, mnToFcn: y.length };
      assert.ok(x.length >= 18 && y.length >= 18, `${label}: route-optimized UDP ${x.length}/20, ${y.length}/20`);
    }
    await move("home", "br-home");
    await until(() => events(ha).find((e) => e.name === "binding" && e.op === "deregister"), 20000, "home: the home agent's binding deleted");
    await deliver("home");
    await sleep(500);
    ping.kill("SIGINT");
    await ping.done;

    // ---- per move: interruption and loss of the Linux correspondent's ping (100 ms apart) ----
    const pl = pingLog(ping.out);
    const answered = new Set(pl.replies.map((r) => r.seq));
    const lastSeq = pl.replies.at(-1).seq;
    for (let i = 1; i < moves.length; i++) {
      const m = moves[i], end = moves[i + 1]?.t ?? pl.sent(lastSeq);
      let sent = 0, lost = 0;
      for (let q = 1; q <= lastSeq; q++) if (pl.sent(q) >= m.t && pl.sent(q) < end) { sent++; if (!answered.has(q)) lost++; }
      Object.assign(m, { sent, lost });
      t.diagnostic(`${m.label}: first echo reply ${m.firstReplyMs} ms after the move (to a request sent after it); ${lost} of ${sent} pings lost until the next move`);
    }
    // The boards' own times (their events): link up -> the home agent's acknowledgement; -> the firmware
    // correspondent's binding for the new care-of address (away) or its deletion (home).
    const mev = events(mn), fev = events(fcn);
    const ups = mev.filter((e) => e.name === "link" && e.up).slice(-3);
    for (const [i, m] of moves.slice(1).entries()) {
      const up = ups[i]?.tMs;
      const reg = mev.find((e) => e.name === "reg_reply" && e.accepted && e.tMs >= up);
      const ro = fev.find((e) => e.name === "ro_binding" && e.tMs >= up && (m.label === "home" ? e.op === "delete" : e.coa === (m.label === "f1" ? COA1 : COA2)));
      t.diagnostic(`${m.label}: link up -> registration acknowledged ${reg ? reg.tMs - up : "?"} ms, -> the firmware correspondent's binding ${m.label === "home" ? "deleted" : "updated"} ${ro ? ro.tMs - up : "?"} ms`);
    }
    for (const r of results) t.diagnostic(`${r.label}: UDP lcn->mn ${r.lcnToMn}/10, mn->lcn ${r.mnToLcn}/10, fcn->mn ${r.fcnToMn}/10, mn->fcn ${r.mnToFcn}/10`);

    // ---- captures ----
    for (const c of caps) c.p.kill("SIGINT");
    await Promise.all(caps.map((c) => c.p.done));
    const tsh = (bridge, filter) => {
      const r = sh(["tshark", "-X", `lua_script:${LUA}`, "-r", join(dir, `${bridge}.pcap`), "-Y", filter, "-T", "fields", "-e", "frame.number"], { maxBuffer: 1 << 28, timeout: 60000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split("\n").filter(Boolean).length;
    };
    for (const m of moves.filter((x) => x.ro)) {
      const w = `frame.time_epoch >= ${m.ro.from} && frame.time_epoch <= ${m.ro.to}`, coa = m.ro.coa, br = m.bridge;
      // On the foreign link: correspondent -> care-of address with a Routing header (its last hop the home
      // address), and back from the care-of address with the Home Address option.
      const direct = tsh(br, `${w} && ipv6.src == ${FCN} && ipv6.dst == ${coa} && ipv6.routing && udp.dstport == 7005`);
      const back = tsh(br, `${w} && ipv6.src == ${coa} && ipv6.dst == ${FCN} && mip6d4.hao == ${HOME} && udp.dstport == 7006`);
      // The same flows by way of the home agent (outer header: home agent <-> care-of address).
      const viaHa = tsh(br, `${w} && ipv6.src#1 == ${HA} && ipv6.src#2 == ${FCN} && udp.dstport == 7005`);
      const revHa = tsh(br, `${w} && ipv6.dst#1 == ${HA} && ipv6.dst#2 == ${FCN} && udp.dstport == 7006`);
      // Nothing of them on the core link, where the home agent is.
      const core = tsh("br-core", `${w} && (udp.port == 7005 || udp.port == 7006)`);
      t.diagnostic(`${m.label} (${br}): firmware correspondent -> ${coa} direct with a Routing header ${direct}, through the home agent ${viaHa}; back direct with the Home Address option ${back}, reverse-tunnelled ${revHa}; on br-core ${core}`);
      assert.ok(direct >= 18, `${m.label}: ${direct} datagrams went straight to the care-of address`);
      assert.ok(back >= 18, `${m.label}: ${back} datagrams came straight back with the Home Address option`);
      assert.equal(viaHa, 0, `${m.label}: route-optimized datagrams still through the home agent`);
      assert.equal(revHa, 0, `${m.label}: route-optimized answers still through the reverse tunnel`);
      assert.equal(core, 0, `${m.label}: route-optimized datagrams on the core link`);
      // The Linux correspondent in the same time: its pings through the home agent's tunnel both ways,
      // across the core link, never directly.
      const lTun = tsh(br, `${w} && ipv6.src#1 == ${HA} && ipv6.dst#1 == ${coa} && ipv6.src#2 == ${LCN} && icmpv6.type == 128`);
      const lRev = tsh(br, `${w} && ipv6.src#1 == ${coa} && ipv6.dst#1 == ${HA} && ipv6.dst#2 == ${LCN} && icmpv6.type == 129`);
      const lCore = tsh("br-core", `${w} && ipv6.src#1 == ${HA} && ipv6.dst#1 == ${coa} && ipv6.src#2 == ${LCN} && icmpv6.type == 128`);
      const lDirect = tsh(br, `${w} && ((ipv6.src#1 == ${LCN} && ipv6.dst#1 == ${coa}) || (ipv6.src#1 == ${coa} && ipv6.dst#1 == ${LCN}))`);
      t.diagnostic(`${m.label} (${br}): Linux correspondent's echo requests tunnelled ${lTun} (on br-core ${lCore}), replies reverse-tunnelled ${lRev}, direct ${lDirect}`);
      assert.ok(lTun >= 10 && lRev >= 10 && lCore >= 10, `${m.label}: the Linux correspondent's pings through the home agent (${lTun}, ${lRev}, core ${lCore})`);
      assert.equal(lDirect, 0);
    }
    // The draft's messages on the wire, as tools/wireshark/mipfw.lua decodes them: on each foreign link the
    // home registration (Binding Update with H to the home agent, its Acknowledgement) and the update to
    // the firmware correspondent; back home, the update that deletes the correspondent's entry (§9.5:
    // care-of address = home address, lifetime 0), after which its datagrams go to the home address
    // plainly, without a Routing header.
    for (const br of ["br-f1", "br-f2"]) {
      const toHa = tsh(br, `mip6d4.type == 0xc6 && mip6d4.bu.h == 1 && ipv6.dst == ${HA}`), toCn = tsh(br, `mip6d4.type == 0xc6 && mip6d4.bu.h == 0 && ipv6.dst == ${FCN}`);
      const acks = tsh(br, `mip6d4.type == 0x07 && mip6d4.ba.status == 0`);
      t.diagnostic(`${br}: Binding Updates to the home agent ${toHa}, to the firmware correspondent ${toCn}; accepting Acknowledgements ${acks}`);
      assert.ok(toHa >= 1 && toCn >= 1 && acks >= 2, br);
    }
    const home = results.at(-1);
    const del = tsh("br-home", `mip6d4.type == 0xc6 && ipv6.src == ${HOME} && ipv6.dst == ${FCN} && mip6d4.lifetime == 0`);
    const hw = `frame.time_epoch >= ${home.from} && frame.time_epoch <= ${home.to} && ipv6.src == ${FCN} && udp.dstport == 7003`;
    const plainHome = tsh("br-home", `${hw} && ipv6.dst == ${HOME} && !ipv6.routing`), routed = tsh("br-home", `${hw} && ipv6.routing`);
    t.diagnostic(`br-home after the return: Binding Updates deleting the correspondent's entry ${del}; its datagrams to the home address plain ${plainHome}, with a Routing header ${routed}`);
    assert.ok(del >= 1, "the correspondent was told the mobile node is home");
    assert.ok(events(fcn).some((e) => e.name === "ro_binding" && e.op === "delete"), "the correspondent's entry deleted");
    assert.ok(plainHome >= 8 && routed === 0, "the correspondent reaches the home address directly");
    for (const c of caps) {
      const r = sh(["tshark", "-X", `lua_script:${LUA}`, "-r", c.file, "-V"], { maxBuffer: 1 << 30, timeout: 120000 });
      assert.equal(r.status, 0, `${c.b}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /Lua: Error|LuaError/, `${c.b}: the Lua dissector failed`);
      assert.doesNotMatch(r.stdout, /Malformed/, `${c.b}: malformed packet`);
      const ex = r.stdout.match(/.*Expert Info \(Error.*/);
      assert.equal(ex, null, `${c.b}: ${ex}`);
    }
    for (const b of [ha, mn, fcn]) assert.doesNotMatch(b.err, /panicked|error:/, b.err);
    t.diagnostic(`total ${Date.now() - t0} ms`);
  } finally {
    teardown(procs);
    if (!process.env.MIPFW_KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(`kept ${dir}`);
  }
});
