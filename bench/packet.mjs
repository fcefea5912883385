// Per-frame cost of the core's packet paths under Node, measured through the Board class (the
// copy into the rx buffer and the copy handed to tx are included, as in every real host).
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { measure, figure, heading } from "./lib.mjs";
import { routerJson, A_MAC, B_MAC, R_MAC0, R_MAC1, A_IP, B_IP, R_IP0, R_IP1 } from "../test/lib/traffic.mjs";

const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
let txCount = 0;
const board = new host.Board(module, host.validateConfig(routerJson, "r1"), {
  now: () => 1000, tx: () => { txCount++; }, deliver() {},
});
board.init();
// resolve both neighbours first
board.rx(0, host.arpFrame(2, A_MAC, A_IP, R_MAC0, R_IP0, R_MAC0));
board.rx(1, host.arpFrame(2, B_MAC, B_IP, R_MAC1, R_IP1, R_MAC1));

heading("IPv4 paths under Node (median of 9 rounds)");
const fwd = host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildUdp(A_IP, B_IP, 40000, 9000, new Uint8Array(1372), 1, 64));
const before = board.counters().forwarded;
const rf = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, fwd); }, { n: 50000 });
const forwarded = board.counters().forwarded - before;
figure("IPv4 forwarding, 1400-byte packet (1414-byte frame)", rf.median, "ns/frame", `target <= 500; ${forwarded} forwarded`);

const echo = host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildEchoRequest(A_IP, R_IP0, 1, 1, new Uint8Array(56)));
const re = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, echo); }, { n: 50000 });
figure("ICMP echo request -> reply, 84-byte packet", re.median, "ns/frame");

const small = host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildUdp(A_IP, B_IP, 40000, 9000, new Uint8Array(36), 1, 64));
const rs = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, small); }, { n: 50000 });
figure("IPv4 forwarding, 64-byte packet", rs.median, "ns/frame");

const out = host.buildUdp(R_IP1, B_IP, 40000, 9000, new Uint8Array(1372), 1, 64);
const ro = measure((n) => { for (let i = 0; i < n; i++) board.output(out); }, { n: 50000 });
figure("local output, 1400-byte packet", ro.median, "ns/packet");

const bad = fwd.slice(); bad[24] ^= 0xff; // broken IPv4 header checksum
const rb = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, bad); }, { n: 50000 });
figure("malformed frame dropped (bad IPv4 checksum)", rb.median, "ns/frame");
if (txCount === 0) console.log("warning: nothing was transmitted");
