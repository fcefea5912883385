// The per-packet and per-registration figures of bench/packet.mjs and bench/mip.mjs measured under
// wasm3 (host/wasm3, `mipfw-board bench`) and under Node in one run, with wasm3/Node ratios; the
// firmware start-up time on both; the peak resident memory of `mipfw-board` for the mobile node
// profile. Every case is data (bench/setup.mjs): the same configuration, setup frames and measured
// frames, replayed the same number of times by both runtimes.
// Usage: node bench/wasm3.mjs [--quick]   (needs host/wasm3/target/release/mipfw-board)
import * as host from "../build/host.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";
import { spawnSync } from "node:child_process";
import { writeFileSync, readFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { performance } from "node:perf_hooks";
import { heading } from "./lib.mjs";
import {
  FIRMWARE, module, T0, apply, rx, output, router, homeAgentConfig, homeAgentSetup, requestFrame, requestFrames, toHome,
  foreignAgent, mobileNodeConfig, v6, dual, tun6, nsFrame,
} from "./setup.mjs";
import { udp6 } from "../test/lib/ip6.mjs";

const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";
const quick = process.argv.includes("--quick");
if (!existsSync(BINARY)) {
  console.log(`\n(${BINARY} missing: cd host/wasm3 && cargo build --release)`);
  process.exit(0);
}

const PKT = quick ? { perRound: 2000, warmup: 1, rounds: 3 } : { perRound: 20000, warmup: 2, rounds: 9 };
const REG = quick ? { perRound: 1000, warmup: 1, rounds: 3 } : { perRound: 5000, warmup: 1, rounds: 5 };
const regFrames = (alg) => requestFrames(REG.perRound * (REG.warmup + REG.rounds), 64, alg).map((f) => rx(1, f));
const haBound = (flags) => [...homeAgentSetup(), rx(1, requestFrame(0, "hmac-md5", host.ntpTimestamp(T0, 0, 1), flags))];

/** unit "ns" (per frame/packet) or "reg/s" (shown as a rate); target checked on the wasm3 figure. */
const ahCache = new Map();
/** A host with an AH peer (or none): its configuration, the frames that make the peer known, and sealed frames from the peer. */
function ahHost(alg) {
  if (ahCache.has(alg)) return ahCache.get(alg);
  const KEYS = { "hmac-sha1-96": "00112233445566778899aabbccddeeff00112233", "hmac-md5-96": "000102030405060708090a0b0c0d0e0f" };
  const mk = (name, mac, addr, peer, si, so) => ({ name, board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 0 },
    interfaces: [{ name: "eth0", mac }], ipv6: [{ iface: "eth0", address: `${addr}/64` }],
    ...(alg ? { ipsec: [{ peer, spiIn: si, spiOut: so, algorithm: alg, key: KEYS[alg] }] } : {}) });
  const bj = mk("b", "02:00:00:00:01:0b", "2001:db8:1::b", "2001:db8:1::a", 0x1000, 0x2000);
  // The sender: a Node board with the mirror SA seals distinct frames (each its own sequence number).
  const sent = [];
  const a = new host.Board(module, host.validateConfig(mk("a", "02:00:00:00:01:0a", "2001:db8:1::a", "2001:db8:1::b", 0x2000, 0x1000), "a"),
    { now: () => 1000, tx: (i, f) => sent.push(host.copyFrame(f)), deliver() {}, random: (b) => b.fill(1) });
  a.init();
  // a learns b's link-layer address from b's solicitation.
  a.rx(0, nsFrame("2001:db8:1::b", "02:00:00:00:01:0b", "2001:db8:1::a", "02:00:00:00:01:0a"));
  const payload = udp6(v6("2001:db8:1::a"), v6("2001:db8:1::b"), 4000, 9000, new Uint8Array(1352));
  const r = {
    config: host.validateConfig(bj, "b"),
    setup: [rx(0, nsFrame("2001:db8:1::a", "02:00:00:00:01:0a", "2001:db8:1::b", "02:00:00:00:01:0b"))],
    frames: (n) => { sent.length = 0; for (let i = 0; i < n; i++) a.output(payload); return sent.filter((f) => f[12] === 0x86 && f[20] !== 58); },
    plain: () => host.ethFrame(host.mac("02:00:00:00:01:0b"), host.mac("02:00:00:00:01:0a"), 0x86dd, payload),
  };
  ahCache.set(alg, r);
  return r;
}

const cases = [
  { name: "IPv4 forwarding, 1400-byte packet", config: router.config(), now: 1000, setup: router.setup(), measured: [rx(0, router.forward(1372))], ...PKT, startups: 5 },
  { name: "IPv4 forwarding, 64-byte packet", config: router.config(), now: 1000, setup: router.setup(), measured: [rx(0, router.forward(36))], ...PKT },
  { name: "ICMP echo request -> reply", config: router.config(), now: 1000, setup: router.setup(), measured: [rx(0, router.echo())], ...PKT },
  { name: "local output, 1400-byte packet", config: router.config(), now: 1000, setup: router.setup(), measured: [output(router.localOut())], ...PKT },
  { name: "HA encapsulation IP-in-IP, 1400 B", config: homeAgentConfig(1, "hmac-md5"), setup: haBound(0), measured: [rx(1, toHome(0))], ...PKT, target: 3000 },
  { name: "HA encapsulation minimal, 1400 B", config: homeAgentConfig(1, "hmac-md5"), setup: haBound(host.REQ_M), measured: [rx(1, toHome(0))], ...PKT, target: 3000 },
  { name: "HA encapsulation GRE, 1400 B", config: homeAgentConfig(1, "hmac-md5"), setup: haBound(host.REQ_G), measured: [rx(1, toHome(0))], ...PKT, target: 3000 },
  { name: "FA decapsulation + delivery, 1400 B", config: foreignAgent.config(), setup: foreignAgent.setup(), measured: [rx(1, foreignAgent.tunnelled())], ...PKT },
  { name: "HA registrations, keyed-MD5", unit: "reg/s", config: homeAgentConfig(64, "keyed-md5"), setup: homeAgentSetup(), measured: regFrames("keyed-md5"), ...REG, startups: 5 },
  { name: "HA registrations, HMAC-MD5", unit: "reg/s", config: homeAgentConfig(64, "hmac-md5"), setup: homeAgentSetup(), measured: regFrames("hmac-md5"), ...REG, target: 20000 },
  // IPv6 (issue 12): the same router dual-stack (addresses usable at once: no DAD in a fixed-time bench),
  // IPv4 and IPv6 forwarding of 1400-byte packets in one run; AH verification of distinct sealed frames.
  { name: "dual-stack: IPv4 forwarding, 1400 B", config: dual.config(), now: 1000, setup: dual.setup(), measured: [rx(0, router.forward(1372))], ...PKT },
  { name: "dual-stack: IPv6 forwarding, 1400 B", config: dual.config(), now: 1000, setup: dual.setup(), measured: [rx(0, dual.forward6())], ...PKT },
  { name: "IPv6-in-IPv6 encapsulation, 1400 B", config: tun6.config(), now: 1000, setup: tun6.setup(), measured: [rx(0, tun6.packet())], ...PKT },
  ...["hmac-md5-96", "hmac-sha1-96"].map((alg) => ({ name: `AH ${alg} verify + deliver, 1400 B`, config: ahHost(alg).config, now: 1000,
    setup: ahHost(alg).setup, measured: ahHost(alg).frames(PKT.perRound * (PKT.warmup + PKT.rounds)).map((f) => rx(0, f)), ...PKT })),
  { name: "no AH: deliver, 1400 B", config: ahHost(null).config, now: 1000, setup: ahHost(null).setup, measured: [rx(0, ahHost(null).plain())], ...PKT },
  { name: "mobile node start-up (esp32 profile)", config: mobileNodeConfig(), setup: [], measured: [], perRound: 0, warmup: 0, rounds: 0, startups: 21, startupOnly: true },
];
for (const c of cases) { c.now ??= T0; c.unit ??= "ns"; c.startups ??= 0; }

const runWasm3 = (list) => runWasm3Cases(BINARY, list);
const runNode = runNodeCase;

const w3 = runWasm3(cases);
const rssAll = w3.pop().rssPeakKiB;
const nd = cases.map(runNode);

heading(`wasm3 (mipfw-board bench) vs Node, same frames and counts (median of ${PKT.rounds} rounds; ratio = wasm3 time / Node time)`);
const pad = (s, n) => String(s).padStart(n);
console.log(`${"path".padEnd(40)} ${pad("Node", 12)} ${pad("wasm3", 12)} ${pad("ratio", 7)}  unit     check`);
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const misses = [];
cases.forEach((c, i) => {
  if (c.startupOnly) return;
  const a = nd[i], b = w3[i];
  if (b.name !== c.name) throw new Error(`case order: ${b.name} vs ${c.name}`);
  const same = a.tx === b.tx && a.lastTxLen === b.lastTxLen ? "same output" : `OUTPUT DIFFERS: Node ${a.tx} tx/${a.lastTxLen} B, wasm3 ${b.tx} tx/${b.lastTxLen} B`;
  const ratio = b.nsPerOp / a.nsPerOp;
  let vn = a.nsPerOp, vw = b.nsPerOp, unit = "ns/op";
  if (c.unit === "reg/s") { vn = 1e9 / a.nsPerOp; vw = 1e9 / b.nsPerOp; unit = "reg/s"; }
  let note = same;
  if (c.target !== undefined) {
    const ok = c.unit === "reg/s" ? vw >= c.target : vw <= c.target;
    note += `; target ${c.unit === "reg/s" ? ">=" : "<="} ${c.target} ${c.unit === "reg/s" ? "reg/s" : "ns"}: ${ok ? "met" : "MISSED"}`;
    if (!ok) misses.push(c.name);
  }
  console.log(`${c.name.padEnd(40)} ${pad(fmt(vn), 12)} ${pad(fmt(vw), 12)} ${pad(ratio.toFixed(2), 7)}  ${unit.padEnd(8)} ${note}`);
});

heading("firmware start-up: new board -> init done (median; wasm3 includes parsing the module, Node uses the compiled module)");
const compileUs = (() => { const t0 = performance.now(); new WebAssembly.Module(readFileSync(FIRMWARE)); return (performance.now() - t0) * 1000; })();
cases.forEach((c, i) => {
  if (!c.startups) return;
  const label = `${c.config.name} (${c.config.board.name}, ${c.config.board.memoryPages} pages)`;
  console.log(`${label.padEnd(40)} ${pad(fmt(nd[i].startupUs), 12)} ${pad(fmt(w3[i].startupUs), 12)} ${pad((w3[i].startupUs / nd[i].startupUs).toFixed(2), 7)}  us       pages ${w3[i].pages}, heapUsed ${w3[i].heapUsed}`);
});
console.log(`${"(Node: compiling the module once)".padEnd(40)} ${pad(fmt(compileUs), 12)} ${"".padStart(12)} ${"".padStart(7)}  us`);

heading("peak resident memory of mipfw-board (VmHWM)");
// The mobile node alone: a bench process that only starts the esp32-profile board, brings its Wi-Fi
// link up and runs its timers (solicitation, ...).
const mn = cases.find((c) => c.startupOnly);
const mnOnly = { ...mn, startups: 0, setup: [{ kind: "link-up", iface: 0, data: new Uint8Array([2, 0xaa, 0, 0, 0, 1]) }, { kind: "tick", iface: 0, data: new Uint8Array(0) }] };
const rssMn = runWasm3([mnOnly]).pop().rssPeakKiB;
// A mobile node roaming in the emulated network: the default scenario with every board under wasm3.
let rssPeer = null;
{
  const sim = new host.Simulation(host.loadScenario("scenarios/default.json"), module, { durationMs: quick ? 15000 : 60000, wasm3: { binary: BINARY, firmware: FIRMWARE } });
  try {
    sim.run();
    const pid = sim.nodeByName.get("mn").board.pid;
    const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    rssPeer = m ? Number(m[1]) : null;
  } finally { sim.close(); }
}
const kib = (v) => `${v} KiB (${(v / 1024).toFixed(2)} MiB)`;
console.log(`${"mobile node, esp32 profile (bench process)".padEnd(52)} ${kib(rssMn)}  target <= 4 MiB: ${rssMn <= 4096 ? "met" : "MISSED"}`);
if (rssPeer !== null) console.log(`${"mobile node roaming (sim-peer, default scenario)".padEnd(52)} ${kib(rssPeer)}  target <= 4 MiB: ${rssPeer <= 4096 ? "met" : "MISSED"}`);
console.log(`${"all cases above in one process (HA with 65536 bindings)".padEnd(52)} ${kib(rssAll)}`);
if (rssMn > 4096) misses.push("MN resident memory");
if (misses.length) console.log(`\ntargets missed: ${misses.join(", ")}`);
