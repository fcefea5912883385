// Home agent and foreign agent figures under Node (issue 3 bench): registrations per second with
// keyed-MD5 and HMAC-MD5, ns per encapsulated 1400-byte packet for each tunnel method, foreign-agent
// decapsulation, and binding lookup cost at 10, 1,000 and the board's maximum number of bindings.
// Everything goes through the Board class (frames copied in and out, as in every host).
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { measure, figure, heading, median } from "./lib.mjs";

const module = new WebAssembly.Module(readFileSync("build/firmware.wasm"));
const ip = (s) => host.parseIp(s);
const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_HOME = ip("10.1.0.1"), HA_CORE = ip("10.2.0.1"), FA = ip("10.2.0.7"), CN = ip("10.9.0.9");
const FA_MAC = host.mac("02:00:00:00:0b:07");
const T0 = 5_000_000;
const homeOf = (i) => (ip("10.1.0.0") + 2 + i) >>> 0; // 10.1.0.2 ... (a /16 home network)
const keyOf = (i) => Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j * 7) & 255);
const hexKey = (k) => Buffer.from(k).toString("hex");

/** A home agent on the linux profile with `n` mobile nodes' security associations. */
function homeAgent(n, algorithm, encapsulations = ["ipip", "minimal", "gre"]) {
  const sas = [];
  for (let i = 0; i < n; i++) sas.push({ peer: host.formatIp(homeOf(i)), spi: 1000 + i, algorithm, key: hexKey(keyOf(i)) });
  const cfg = host.validateConfig({
    name: "ha", board: "linux", roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.1.0.1/16", home: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.2.0.1/16" },
    ],
    routes: [{ dest: "default", via: "10.2.0.254" }],
    sizes: { securityAssocs: Math.max(n, 1), bindings: 65536 },
    mobility: { lifetimeSec: 65534, maxBindingsPerNode: 1, encapsulations, replayWindowSec: 3600 },
    securityAssociations: sas,
  }, "ha");
  const clock = { t: T0 };
  let txCount = 0, lastTx = null;
  const board = new host.Board(module, cfg, { now: () => clock.t, tx: (i, f) => { txCount++; lastTx = f; }, deliver() {} });
  board.init();
  board.rx(1, host.arpFrame(2, FA_MAC, FA, HA_MAC1, HA_CORE, HA_MAC1));
  board.rx(1, host.arpFrame(2, R_MAC, ip("10.2.0.254"), HA_MAC1, HA_CORE, HA_MAC1));
  return { board, clock, tx: () => txCount, last: () => lastTx };
}

/** Registration Request frames (relayed by FA) for mobile node `i`, ids increasing from `id0`. */
function requestFrame(i, algorithm, id, flags = 0) {
  let m = host.buildRegRequest({ flags, lifetimeSec: 3600, home: homeOf(i), homeAgent: HA_HOME, careOf: FA, id });
  m = host.appendAuth(m, host.EXT_MH_AUTH, { spi: 1000 + i, algorithm, key: keyOf(i) });
  return host.ethFrame(HA_MAC1, FA_MAC, 0x0800, host.buildUdp(FA, HA_CORE, 434, 434, m, 1, 64));
}

heading("home agent registrations (Node; request in, authenticated reply out)");
for (const algorithm of ["keyed-md5", "hmac-md5"]) {
  const nodes = 64, perRound = 20000, rounds = 7;
  const ha = homeAgent(nodes, algorithm);
  const ntp0 = host.ntpTimestamp(T0, 0, 0);
  const frames = [];
  for (let k = 0; k < perRound * (rounds + 1); k++) frames.push(requestFrame(k % nodes, algorithm, ntp0 + BigInt(k + 1)));
  let k = 0;
  const before = ha.board.counters();
  const rates = [];
  for (let r = 0; r < rounds + 1; r++) {
    const t0 = performance.now();
    for (let j = 0; j < perRound; j++) ha.board.rx(1, frames[k++]);
    const s = (performance.now() - t0) / 1000;
    if (r > 0) rates.push(perRound / s);
  }
  const sent = ha.tx();
  const reply = host.parseRegReply(ha.last().subarray(14 + 28));
  figure(`registrations/s, ${algorithm} (64 mobile nodes)`, median(rates), "reg/s",
    `${algorithm === "hmac-md5" ? "target >= 100000; " : ""}${sent} replies, last code ${reply?.code}`);
}

heading("home agent encapsulation, 1400-byte packet to a bound home address (ns/packet)");
const METHODS = [["IP-in-IP (RFC 2003)", 0], ["minimal (RFC 2004)", host.REQ_M], ["GRE (RFC 1701)", host.REQ_G]];
for (const [name, flags] of METHODS) {
  const ha = homeAgent(1, "hmac-md5");
  ha.board.rx(1, requestFrame(0, "hmac-md5", host.ntpTimestamp(T0, 0, 1), flags));
  const pkt = host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, homeOf(0), 5000, 6000, new Uint8Array(1372), 1, 60));
  const t0 = ha.tx();
  const r = measure((n) => { for (let i = 0; i < n; i++) ha.board.rx(1, pkt); }, { n: 50000 });
  const out = ha.last();
  figure(name, r.median, "ns/packet", `target <= 300; ${ha.tx() - t0} sent, outer proto ${out[23]}, ${out.length - 14} bytes`);
}

heading("binding lookup: encapsulation cost by number of bindings (IP-in-IP, 64-byte packets)");
for (const n of [10, 1000, 65536]) {
  const ha = homeAgent(n, "hmac-md5", ["ipip"]);
  const ntp = host.ntpTimestamp(T0, 0, 1);
  for (let i = 0; i < n; i++) ha.board.rx(1, requestFrame(i, "hmac-md5", ntp));
  const bindings = ha.board.counters().ha_accepted ?? null;
  const pkts = [];
  for (let i = 0; i < 1024; i++) {
    const dst = homeOf((i * 7919) % n);
    pkts.push(host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, dst, 5000, 6000, new Uint8Array(36), 1, 60)));
  }
  const r = measure((m) => { for (let i = 0; i < m; i++) ha.board.rx(1, pkts[i & 1023]); }, { n: 50000 });
  figure(`${n} bindings`, r.median, "ns/packet", `pages ${ha.board.memoryPages()}${bindings !== null ? `, accepted ${bindings}` : ""}`);
}

heading("foreign agent decapsulation and delivery to a visitor, 1400-byte inner packet (ns/packet)");
{
  const FA_WLAN = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1"), HAX = ip("10.8.0.1"), HOME = ip("10.8.0.5");
  const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
  const MN_MAC = host.mac("02:00:00:00:0a:99"), RTR_MAC = host.mac("02:00:00:00:0b:fe");
  const cfg = host.validateConfig({
    name: "fa", board: "emulated", roles: ["foreign-agent"],
    interfaces: [
      { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
      { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
    ],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"] },
  }, "fa");
  let n = 0, last = null;
  const t = T0;
  const fa = new host.Board(module, cfg, { now: () => t, tx: (i, f) => { n++; last = f; }, deliver() {} });
  fa.init();
  fa.rx(1, host.arpFrame(2, RTR_MAC, RTR, CORE_MAC, FA_CORE, CORE_MAC));
  const key = { spi: 0x1001, key: new TextEncoder().encode("mn-ha"), algorithm: "hmac-md5" };
  const id = host.ntpTimestamp(t, 0, 77);
  const req = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: HOME, homeAgent: HAX, careOf: FA_WLAN, id }), host.EXT_MH_AUTH, key);
  fa.rx(0, host.ethFrame(WLAN_MAC, MN_MAC, 0x0800, host.buildUdp(HOME, FA_WLAN, 434, 434, req, 1, 64)));
  const rep = host.appendAuth(host.buildRegReply({ code: 0, lifetimeSec: 300, home: HOME, homeAgent: HAX, id }), host.EXT_MH_AUTH, key);
  fa.rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(HAX, FA_CORE, 434, 434, rep, 1, 60)));
  const accepted = fa.counters().fa_reply_relayed;
  const inner = host.buildUdp(CN, HOME, 5000, 6000, new Uint8Array(1372), 1, 60);
  const outer = new Uint8Array(20 + inner.length);
  outer.set([0x45, 0, (outer.length >> 8) & 255, outer.length & 255, 0, 1, 0, 0, 60, 4, 0, 0]);
  new DataView(outer.buffer).setUint32(12, HAX); new DataView(outer.buffer).setUint32(16, FA_WLAN);
  const c = host.checksum(outer, 0, 20); outer[10] = c >> 8; outer[11] = c & 255;
  outer.set(inner, 20);
  const frame = host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, outer);
  const n0 = n;
  const r = measure((k) => { for (let i = 0; i < k; i++) fa.rx(1, frame); }, { n: 50000 });
  figure("IP-in-IP decapsulation + delivery by MAC", r.median, "ns/packet",
    `${n - n0} delivered, visitor accepted: ${accepted === 1}, out ${last ? last.length : 0} bytes to ${last ? host.formatMac(last.subarray(0, 6)) : "-"}`);
}
