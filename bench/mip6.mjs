// Mobile IPv6 (issue 13 targets): Binding Updates processed per second at a correspondent node and at a
// home agent, each protected with AH HMAC-SHA1-96 and answered with a Binding Acknowledgement (also with
// AH, through a Routing header), under Node and under wasm3 in one run (ratio). The updates come from
// one mobile node with increasing AH and Binding Update sequence numbers (sealed in advance by
// test/lib/mip6.mjs), so every one passes §7.2 and is accepted.
// Issue 13 (binding cache lookup flat from 10 to the largest board profile's capacity): a correspondent
// with N mobile nodes bound, each with its own manually keyed AH SA (peer = its home address, so N ipsec
// peers), sends datagrams from its local stack to 64 of them spread over the cache: each goes through
// the IPsec index (ipsecOut, sealed with AH) and the binding cache (mobility/mip6.ts sendVia: to the
// care-of address with a Routing header). N = 10, 256 and the largest bindingCache of boards/*.json;
// the cost must stay flat (ratio largest / smallest close to 1).
// Usage: node bench/mip6.mjs [--quick]   (wasm3 column: host/wasm3/target/release/mipfw-board)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as host from "../build/host.mjs";
import { heading } from "./lib.mjs";
import { T0, rx, output, nsFrame, naFrame, v6 } from "./setup.mjs";
import { udp6 } from "../test/lib/ip6.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";
import { dstOpts, sealed, BU_A, BU_H, runHandoff, withoutPrevRouter } from "../test/lib/mip6.mjs";

const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";
const quick = process.argv.includes("--quick");
const BU = quick ? { perRound: 1000, warmup: 1, rounds: 3 } : { perRound: 5000, warmup: 1, rounds: 5 };
const N = BU.perRound * (BU.warmup + BU.rounds);
const KEY = "00112233445566778899aabbccddeeff00112233", ALG = "hmac-sha1-96";
const HOME = "2001:db8:1::64", COA = "2001:db8:2::c0a", COA_MAC = "02:00:00:00:02:0a";

/** `n` Binding Updates from HOME at COA to `dst` (flags), sequence 1..n, arriving on `iface` at `mac`. */
function updates(n, dst, mac, iface, flags) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    const inner = dstOpts(59, [{ type: "HAO", home: v6(HOME) }, { type: "BU", flags, seq: i & 0xffff, lifetime: 600, idLen: 0 }]);
    const p = sealed(v6(COA), v6(dst), 60, inner, { spi: 0x1000, alg: ALG, key: KEY, seq: i });
    out.push(rx(iface, host.ethFrame(host.mac(mac), host.mac(COA_MAC), 0x86dd, p)));
  }
  return out;
}
const ipsec = [{ peer: HOME, spiIn: 0x1000, spiOut: 0x2000, algorithm: ALG, key: KEY, window: 64 }];

// Correspondent: the care-of address is on its link (resolved in the setup).
const CN = "2001:db8:2::b", CN_MAC = "02:00:00:00:02:0b";
const cnConfig = host.validateConfig({
  name: "cn", board: "linux", roles: ["host"], node: { ipv6: "dual", dadTransmits: 0 },
  interfaces: [{ name: "eth0", mac: CN_MAC }], ipv6: [{ iface: "eth0", address: `${CN}/64` }], ipsec,
}, "cn");
// Home agent: home link eth0 (2001:db8:1::/64), the mobile node's care-of address on eth1.
const HA = "2001:db8:2::1", HA_MAC_F = "02:00:00:00:02:01";
const haConfig = host.validateConfig({
  name: "ha", board: "linux", roles: ["router", "home-agent"], node: { ipv6: "dual", dadTransmits: 0 },
  interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24", home: true }, { name: "eth1", mac: HA_MAC_F, ipv4: "10.0.2.1/24" }],
  ipv6: [{ iface: "eth0", address: "2001:db8:1::1/64", advertise: true }, { iface: "eth1", address: `${HA}/64`, advertise: true }], ipsec,
}, "ha");

// ---- issue 13: sends to bound home addresses, N peers and bindings ----
const PKT = quick ? { perRound: 2000, warmup: 1, rounds: 3 } : { perRound: 20000, warmup: 2, rounds: 7 };
const LARGEST = Math.max(...readdirSync("boards").filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(`boards/${f}`, "utf8")).sizes.bindingCache));
/** Mobile node i's home address (2001:db8:77::/64 + i + 1), its key (20 bytes, HMAC-SHA1-96) and SPIs. */
const homeOf = (i) => `2001:db8:77::${(i + 1).toString(16)}`;
const keyOf = (i) => Array.from({ length: 20 }, (_, j) => ((i * 131 + j * 7 + (i >> 8) * 17) & 255).toString(16).padStart(2, "0")).join("");
const spiInOf = (i) => 0x10000 + i, spiOutOf = (i) => 0x20000 + i;
function manyConfig(n) {
  return host.validateConfig({
    name: "cn", board: "linux", roles: ["host"], node: { ipv6: "dual", dadTransmits: 0 },
    interfaces: [{ name: "eth0", mac: CN_MAC }], ipv6: [{ iface: "eth0", address: `${CN}/64` }],
    ipsec: Array.from({ length: n }, (_, i) => ({ peer: homeOf(i), spiIn: spiInOf(i), spiOut: spiOutOf(i), algorithm: ALG, key: keyOf(i), window: 64 })),
  }, "cn");
}
/** One genuine Binding Update (A) per home address, from the (on-link, resolved) care-of address, each sealed with its own SA. */
function bindAll(n) {
  const ops = [rx(0, nsFrame(COA, COA_MAC, CN, CN_MAC)), rx(0, naFrame(COA, COA_MAC, CN, CN_MAC))];
  for (let i = 0; i < n; i++) {
    const inner = dstOpts(59, [{ type: "HAO", home: v6(homeOf(i)) }, { type: "BU", flags: BU_A, seq: 1, lifetime: 600, idLen: 0 }]);
    const p = sealed(v6(COA), v6(CN), 60, inner, { spi: spiInOf(i), alg: ALG, key: keyOf(i), seq: 1 });
    ops.push(rx(0, host.ethFrame(host.mac(CN_MAC), host.mac(COA_MAC), 0x86dd, p)));
  }
  return ops;
}
/** 64 datagrams from the local stack to 64 different bound home addresses spread over the cache. */
const sends = (n) => Array.from({ length: 64 }, (_, j) => output(udp6(v6(CN), v6(homeOf(Math.floor((j * n) / 64))), 4000, 9000, new Uint8Array(64))));

const cases = [
  { name: "correspondent: Binding Updates (A), AH SHA1-96", config: cnConfig, setup: [rx(0, nsFrame(COA, COA_MAC, CN, CN_MAC))], measured: updates(N, CN, CN_MAC, 0, BU_A), ...BU },
  { name: "home agent: home registrations (A, H), AH SHA1-96", config: haConfig, setup: [rx(1, nsFrame(COA, COA_MAC, HA, HA_MAC_F))], measured: updates(N, HA, HA_MAC_F, 1, BU_A | BU_H), ...BU },
];
for (const c of cases) c.unit = "BU/s";
for (const n of [10, 256, LARGEST]) {
  cases.push({ name: `send to a bound home address, cache of ${n}`, unit: "ns", n, config: manyConfig(n), setup: bindAll(n), measured: sends(n), ...PKT });
}
for (const c of cases) { c.now = T0; c.startups = 0; }

const nd = cases.map(runNodeCase);
const w3 = existsSync(BINARY) ? runWasm3Cases(BINARY, cases) : null;
if (!w3) console.log(`\n(${BINARY} missing: cd host/wasm3 && cargo build --release; Node only)`);

heading(`Mobile IPv6 Binding Updates and sends to bound home addresses: Node vs wasm3 in one run (median of ${BU.rounds}/${PKT.rounds} rounds; ratio = wasm3 time / Node time)`);
const pad = (s, n) => String(s).padStart(n);
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
console.log(`${"case".padEnd(52)} ${pad("Node", 10)} ${pad("wasm3", 10)} ${pad("ratio", 6)}  unit   check`);
cases.forEach((c, i) => {
  const a = nd[i], b = w3?.[i];
  const k = a.board.counters();
  const rate = c.unit === "BU/s";
  let check = rate ? `accepted ${k.mip6_bu_accepted}, acks ${k.mip6_ba_tx}, rejected ${k.mip6_rejected}`
    : `peers ${c.config.ipsec.length}, bound ${k.mip6_bu_accepted}, routed ${k.mip6_routed}, AH sent ${k.ah_tx}`;
  if (!rate && (k.mip6_bu_accepted !== c.n || k.mip6_routed < c.perRound)) check += " (NOT ALL BOUND OR ROUTED)";
  if (b) check += a.tx === b.tx && a.lastTxLen === b.lastTxLen ? ", same output" : `, OUTPUT DIFFERS (Node ${a.tx}, wasm3 ${b.tx})`;
  const vn = rate ? 1e9 / a.nsPerOp : a.nsPerOp, vw = b ? (rate ? 1e9 / b.nsPerOp : b.nsPerOp) : NaN;
  console.log(`${c.name.padEnd(52)} ${pad(fmt(vn), 10)} ${pad(b ? fmt(vw) : "-", 10)} ${pad(b ? (b.nsPerOp / a.nsPerOp).toFixed(2) : "-", 6)}  ${(rate ? "BU/s" : "ns/op").padEnd(6)} ${check}`);
});
const sendCases = cases.map((c, i) => [c, i]).filter(([c]) => c.unit === "ns");
const flat = (xs) => (Math.max(...xs) / Math.min(...xs)).toFixed(2);
console.log(`send cost, largest / smallest cache (${LARGEST} / 10 bound home addresses, as many ipsec peers): Node ${flat(sendCases.map(([, i]) => nd[i].nsPerOp))}` +
  (w3 ? `, wasm3 ${flat(sendCases.map(([, i]) => w3[i].nsPerOp))}` : "") + " (flat: close to 1)");

// Issue 13 targets, handoff (scenarios/mip6-prev-router.json: one roam ap1/r1 -> ap2/r2, the home agent
// across the wan segment, 1,000 UDP packets/s to the home address):
//   - interruption with link hints <= association + RS/RA exchange + DAD (0: Optimistic, RFC 4429) + one
//     home-agent round trip + 20 ms; the parts measured in the same run from the mobile node's events
//     (link up, the default router's advertisement, the Binding Update to the home agent and its
//     acknowledgement);
//   - datagrams lost per handoff with previous-router forwarding (seed 003 §9.6) against without it (the
//     mobile node without the SA for net1's routers), against the home agent's one-way distance.
{
  const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
  const base = JSON.parse(readFileSync("scenarios/mip6-prev-router.json", "utf8"));
  const assoc = Math.max(...base.accessPoints.map((a) => a.assocDelayMs));
  heading("Mobile IPv6 handoff at 1,000 packets/s: interruption against its target, and datagrams lost with and without previous-router forwarding");
  console.log("HA one-way | RS/RA   | HA RTT   | interruption | target   | lost, forwarding | lost, without | forwarded by r1");
  for (const oneWay of quick ? [100] : [25, 50, 100, 150]) {
    const row = {};
    for (const prev of [true, false]) {
      const sc = JSON.parse(JSON.stringify(base));
      sc.segments.find((s) => s.name === "wan").delayMs = oneWay;
      const r = runHandoff(host, module, prev ? sc : withoutPrevRouter(sc));
      row[prev] = { lost: r.h.lost, intr: r.h.registeredMs, rsra: r.ra - r.h.atMs - assoc, rtt: r.rtt, fwd: r.r1.mip6_ha_tunnelled };
    }
    const w = row[true];
    const target = assoc + w.rsra + 0 + w.rtt + 20;
    console.log(`${pad(oneWay, 7)} ms | ${pad(w.rsra.toFixed(1), 4)} ms | ${pad(w.rtt.toFixed(1), 5)} ms | ${pad(w.intr.toFixed(1), 9)} ms | ${pad(target.toFixed(1), 5)} ms | ${pad(w.lost, 16)} | ${pad(row[false].lost, 13)} | ${pad(w.fwd, 15)}`);
  }
  console.log(`(association ${assoc} ms; DAD 0: the care-of address is Optimistic; target = association + RS/RA + HA RTT + 20 ms)`);
}
