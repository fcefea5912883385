// Mobile IPv6 (issue 13 targets): Binding Updates processed per second at a correspondent node and at a
// home agent, each protected with AH HMAC-SHA1-96 and answered with a Binding Acknowledgement (also with
// AH, through a Routing header), under Node and under wasm3 in one run (ratio). The updates come from
// one mobile node with increasing AH and Binding Update sequence numbers (sealed in advance by
// test/lib/mip6.mjs), so every one passes §7.2 and is accepted.
// Usage: node bench/mip6.mjs [--quick]   (wasm3 column: host/wasm3/target/release/mipfw-board)
import { existsSync } from "node:fs";
import * as host from "../build/host.mjs";
import { heading } from "./lib.mjs";
import { T0, rx, nsFrame, v6 } from "./setup.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";
import { dstOpts, sealed, BU_A, BU_H } from "../test/lib/mip6.mjs";

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

const cases = [
  { name: "correspondent: Binding Updates (A), AH SHA1-96", config: cnConfig, setup: [rx(0, nsFrame(COA, COA_MAC, CN, CN_MAC))], measured: updates(N, CN, CN_MAC, 0, BU_A), ...BU },
  { name: "home agent: home registrations (A, H), AH SHA1-96", config: haConfig, setup: [rx(1, nsFrame(COA, COA_MAC, HA, HA_MAC_F))], measured: updates(N, HA, HA_MAC_F, 1, BU_A | BU_H), ...BU },
];
for (const c of cases) { c.now = T0; c.startups = 0; c.unit = "BU/s"; }

const nd = cases.map(runNodeCase);
const w3 = existsSync(BINARY) ? runWasm3Cases(BINARY, cases) : null;
if (!w3) console.log(`\n(${BINARY} missing: cd host/wasm3 && cargo build --release; Node only)`);

heading(`Mobile IPv6 Binding Updates: Node vs wasm3 in one run (median of ${BU.rounds} rounds of ${BU.perRound}; ratio = wasm3 time / Node time)`);
const pad = (s, n) => String(s).padStart(n);
console.log(`${"case".padEnd(52)} ${pad("Node", 10)} ${pad("wasm3", 10)} ${pad("ratio", 6)}  check`);
cases.forEach((c, i) => {
  const a = nd[i], b = w3?.[i];
  const k = a.board.counters();
  let check = `accepted ${k.mip6_bu_accepted}, acks ${k.mip6_ba_tx}, rejected ${k.mip6_rejected}`;
  if (b) check += a.tx === b.tx && a.lastTxLen === b.lastTxLen ? ", same output" : `, OUTPUT DIFFERS (Node ${a.tx}, wasm3 ${b.tx})`;
  console.log(`${c.name.padEnd(52)} ${pad((1e9 / a.nsPerOp).toFixed(0), 10)} ${pad(b ? (1e9 / b.nsPerOp).toFixed(0) : "-", 10)} ${pad(b ? (b.nsPerOp / a.nsPerOp).toFixed(2) : "-", 6)}  ${check}`);
});
