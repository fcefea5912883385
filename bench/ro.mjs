// Route optimization at a correspondent node (issue 10, point 8 / targets): Binding Updates processed per
// second (HMAC-MD5, fresh Identifications) under Node and under wasm3 in one run (ratio); the cost of
// sending a datagram to a cached mobile node as the cache fills (10 entries to the largest board
// profile's capacity): it must stay flat; and updates under LRU pressure (a full cache of 64 entries
// taking updates for 1,000 mobile nodes in turn: every update replaces the least recently used entry).
// Usage: node bench/ro.mjs [--quick]   (wasm3 column: host/wasm3/target/release/mipfw-board)
import * as host from "../build/host.mjs";
import { existsSync, readFileSync } from "node:fs";
import { heading } from "./lib.mjs";
import { T0, rx, output } from "./setup.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";

const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";
const quick = process.argv.includes("--quick");
const ip = (s) => host.parseIp(s);
const CN_MAC = host.mac("02:00:00:00:09:20"), R_MAC = host.mac("02:00:00:00:09:01");
const CN = ip("10.9.0.20"), ROUTER = ip("10.9.0.1"), HA = ip("10.0.0.1");
const KEY = { spi: 5000, algorithm: "hmac-md5", key: new TextEncoder().encode("cn-ha-secret") };
const LARGEST = Math.max(...["linux", "rpi4", "rpi-zero-2w", "emulated", "esp32"].map((b) => JSON.parse(readFileSync(`boards/${b}.json`, "utf8")).sizes.bindingCache));
const homeOf = (i) => (ip("10.64.0.0") + i) >>> 0;   // 10.64.0.0/10: room for the largest cache
const coaOf = (i) => (ip("10.32.0.1") + (i % 200) * 256) >>> 0;

function cnConfig(cache) {
  return host.validateConfig({
    name: "cn", board: cache > 1024 ? "linux" : "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:09:20", ipv4: "10.9.0.20/24" }],
    routes: [{ dest: "default", via: "10.9.0.1" }],
    sizes: { bindingCache: cache, roPeers: 16, timers: 64 },
    mobility: { routeOptimization: { enabled: true } },
    securityAssociations: [{ peer: "10.0.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha-secret", use: "correspondent" }],
  }, "cn");
}

/** Binding Update number `seq` (fresh: the Identification grows with it) for mobile node `home`. */
function update(home, seq, coa) {
  const id = host.ntpTimestamp(T0, 0, 0) + BigInt(seq + 1);
  const m = host.appendAuth(host.buildBindingUpdate({ flags: host.BU_I, lifetimeSec: 600, home, careOf: coa, id }), host.EXT_RO_AUTH, KEY);
  return host.ethFrame(CN_MAC, R_MAC, 0x0800, host.buildUdp(HA, CN, 434, 434, m, 1, 60));
}
const arp = () => rx(0, host.arpFrame(2, R_MAC, ROUTER, CN_MAC, CN));
const toHome = (home) => host.buildUdp(CN, home, 7000, 7001, new Uint8Array(64).fill(1), 1, 64);

const BU = quick ? { perRound: 1000, warmup: 1, rounds: 3 } : { perRound: 5000, warmup: 1, rounds: 5 };
const PKT = quick ? { perRound: 2000, warmup: 1, rounds: 3 } : { perRound: 20000, warmup: 2, rounds: 7 };
const buFrames = (homes, total) => Array.from({ length: total }, (_, s) => rx(0, update(homeOf(s % homes), s, coaOf(s))));

const cases = [
  { name: "Binding Updates, 64 mobile nodes (refresh)", unit: "BU/s", config: cnConfig(64), setup: [arp()], measured: buFrames(64, BU.perRound * (BU.warmup + BU.rounds)), ...BU },
  { name: "Binding Updates, 1,000 nodes into 64 (LRU)", unit: "BU/s", config: cnConfig(64), setup: [arp()], measured: buFrames(1000, BU.perRound * (BU.warmup + BU.rounds)), ...BU },
];
for (const n of [10, 256, LARGEST]) {
  const fill = Array.from({ length: n }, (_, i) => rx(0, update(homeOf(i), i, coaOf(i))));
  // 64 different cached destinations in turn (the route decision's one-entry memo never hits).
  const dsts = Array.from({ length: 64 }, (_, j) => output(toHome(homeOf(Math.floor((j * n) / 64)))));
  cases.push({ name: `send to a cached node, cache of ${n}`, unit: "ns", config: cnConfig(n), setup: [arp(), ...fill], measured: dsts, ...PKT });
}
for (const c of cases) { c.now = T0; c.startups = 0; }

const nd = cases.map(runNodeCase);
const w3 = existsSync(BINARY) ? runWasm3Cases(BINARY, cases) : null;
if (!w3) console.log(`\n(${BINARY} missing: cd host/wasm3 && cargo build --release; Node only)`);

heading(`correspondent binding cache: Node vs wasm3 in one run (median of ${BU.rounds}/${PKT.rounds} rounds; ratio = wasm3 time / Node time)`);
const pad = (s, n) => String(s).padStart(n);
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
console.log(`${"case".padEnd(44)} ${pad("Node", 10)} ${pad("wasm3", 10)} ${pad("ratio", 6)}  unit   check`);
cases.forEach((c, i) => {
  const a = nd[i], b = w3?.[i];
  const rate = c.unit === "BU/s";
  const vn = rate ? 1e9 / a.nsPerOp : a.nsPerOp, vw = b ? (rate ? 1e9 / b.nsPerOp : b.nsPerOp) : NaN;
  const cache = a.board.dump("bindingCache").length;
  let check = `cache ${cache} entries`;
  if (b) check += a.tx === b.tx && a.lastTxLen === b.lastTxLen ? ", same output" : `, OUTPUT DIFFERS (Node ${a.tx}, wasm3 ${b.tx})`;
  if (rate) check += `, accepted ${a.board.counters().ro_bu_accepted}`;
  else check += `, tunnelled ${a.board.counters().ro_cache_tunnelled}`;
  console.log(`${c.name.padEnd(44)} ${pad(fmt(vn), 10)} ${pad(b ? fmt(vw) : "-", 10)} ${pad(b ? (b.nsPerOp / a.nsPerOp).toFixed(2) : "-", 6)}  ${(rate ? "BU/s" : "ns/op").padEnd(6)} ${check}`);
});
const sends = cases.map((c, i) => [c, i]).filter(([c]) => c.unit === "ns");
const flat = (xs) => (Math.max(...xs) / Math.min(...xs)).toFixed(2);
console.log(`send cost, largest / smallest cache (${LARGEST} / 10 entries): Node ${flat(sends.map(([, i]) => nd[i].nsPerOp))}` +
  (w3 ? `, wasm3 ${flat(sends.map(([, i]) => w3[i].nsPerOp))}` : "") + " (flat: close to 1)");
