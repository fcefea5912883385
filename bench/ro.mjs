// Route optimization at a correspondent node (issue 10, point 8 / targets): Binding Updates processed per
// second (HMAC-MD5, fresh Identifications) under Node and under wasm3 in one run (ratio); the cost of
// sending a datagram to a cached mobile node as the cache fills (10 entries to the largest board
// profile's capacity): it must stay flat; and updates under LRU pressure (a full cache of 64 entries
// taking updates for 1,000 mobile nodes in turn: every update replaces the least recently used entry).
// Usage: node bench/ro.mjs [--quick]   (wasm3 column: host/wasm3/target/release/mipfw-board)
import { existsSync, readFileSync } from "node:fs";
import { heading } from "./lib.mjs";
import { T0, correspondent } from "./setup.mjs";
import { runWasm3Cases, runNodeCase } from "./benchfile.mjs";

const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";
const quick = process.argv.includes("--quick");
const LARGEST = Math.max(...["linux", "rpi4", "rpi-zero-2w", "emulated", "esp32"].map((b) => JSON.parse(readFileSync(`boards/${b}.json`, "utf8")).sizes.bindingCache));
const C = correspondent;

const BU = quick ? { perRound: 1000, warmup: 1, rounds: 3 } : { perRound: 5000, warmup: 1, rounds: 5 };
const PKT = quick ? { perRound: 2000, warmup: 1, rounds: 3 } : { perRound: 20000, warmup: 2, rounds: 7 };

const cases = [
  { name: "Binding Updates, 64 mobile nodes (refresh)", unit: "BU/s", config: C.config(64), setup: C.setup(), measured: C.updates(64, BU.perRound * (BU.warmup + BU.rounds)), ...BU },
  { name: "Binding Updates, 1,000 nodes into 64 (LRU)", unit: "BU/s", config: C.config(64), setup: C.setup(), measured: C.updates(1000, BU.perRound * (BU.warmup + BU.rounds)), ...BU },
];
for (const n of [10, 256, LARGEST]) {
  // 64 different cached destinations in turn (the route decision's one-entry memo never hits).
  const dsts = Array.from({ length: 64 }, (_, j) => C.toHome(C.homeOf(Math.floor((j * n) / 64))));
  cases.push({ name: `send to a cached node, cache of ${n}`, unit: "ns", config: C.config(n), setup: [...C.setup(), ...C.updates(n, n)], measured: dsts, ...PKT });
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
