// Boards and frames shared by the benchmarks (packet.mjs, mip.mjs, wasm3.mjs): each setup is data —
// a validated node configuration, the operations that prepare the board (ARP replies, a registration)
// and the frames to time — so the same case runs under Node (Board) and under wasm3
// (`mipfw-board bench`, host/wasm3/src/bench.rs).
import * as host from "../build/host.mjs";
import { readFileSync } from "node:fs";
import { routerJson, A_MAC, B_MAC, R_MAC0, R_MAC1, A_IP, B_IP, R_IP0, R_IP1 } from "../test/lib/traffic.mjs";

export const FIRMWARE = "build/firmware.wasm";
export const module = new WebAssembly.Module(readFileSync(FIRMWARE));
export const T0 = 5_000_000;
const ip = (s) => host.parseIp(s);

/** Board operations: `{ kind: "rx" | "output" | "link-up" | "link-down" | "tick", iface, data }`. */
export const rx = (iface, data) => ({ kind: "rx", iface, data });
export const output = (data) => ({ kind: "output", iface: 0, data });

/** Apply one operation to a board (Board or anything with the same methods). */
export function apply(board, op, now) {
  switch (op.kind) {
    case "rx": return board.rx(op.iface, op.data);
    case "output": return board.output(op.data);
    case "link-up": board.link(op.iface, true, op.data.length ? op.data : undefined); return 0;
    case "link-down": board.link(op.iface, false); return 0;
    case "tick": board.tick(now); return 0;
  }
  throw new Error(`unknown op ${op.kind}`);
}

/** Start a board under Node at time `now` and apply `setup`; counts transmitted and delivered packets. */
export function startBoard(cfg, setup = [], now = T0) {
  const clock = { t: now };
  let txCount = 0, lastTx = null, delivered = 0;
  const board = new host.Board(module, cfg, {
    now: () => clock.t, tx: (i, f) => { txCount++; lastTx = f; }, deliver() { delivered++; },
  });
  board.init();
  for (const op of setup) apply(board, op, clock.t);
  return { board, clock, tx: () => txCount, last: () => lastTx, delivered: () => delivered };
}

// --- the router of bench/packet.mjs: 10.0.1.0/24 (eth0) <-> 10.0.2.0/24 (eth1), both neighbours resolved
export const router = {
  config: () => host.validateConfig(routerJson, "r1"),
  setup: () => [
    rx(0, host.arpFrame(2, A_MAC, A_IP, R_MAC0, R_IP0, R_MAC0)),
    rx(1, host.arpFrame(2, B_MAC, B_IP, R_MAC1, R_IP1, R_MAC1)),
  ],
  /** A -> B UDP datagram forwarded by the router; `payload` bytes of UDP data (1372 -> 1400-byte packet). */
  forward: (payload) => host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildUdp(A_IP, B_IP, 40000, 9000, new Uint8Array(payload), 1, 64)),
  /** ICMP echo request to the router (84-byte packet). */
  echo: () => host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildEchoRequest(A_IP, R_IP0, 1, 1, new Uint8Array(56))),
  /** Local output of a 1400-byte packet to B. */
  localOut: () => host.buildUdp(R_IP1, B_IP, 40000, 9000, new Uint8Array(1372), 1, 64),
};

// --- the home agent of bench/mip.mjs (linux profile, a /16 home network, FA and router on eth1)
export const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
export const HA_HOME = ip("10.1.0.1"), HA_CORE = ip("10.2.0.1"), FA = ip("10.2.0.7"), CN = ip("10.9.0.9");
export const FA_MAC = host.mac("02:00:00:00:0b:07");
export const homeOf = (i) => (ip("10.1.0.0") + 2 + i) >>> 0; // 10.1.0.2 ... (a /16 home network)
export const keyOf = (i) => Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j * 7) & 255);
const hexKey = (k) => Buffer.from(k).toString("hex");

/** Configuration of a home agent with `n` mobile nodes' security associations. */
export function homeAgentConfig(n, algorithm, encapsulations = ["ipip", "minimal", "gre"]) {
  const sas = [];
  for (let i = 0; i < n; i++) sas.push({ peer: host.formatIp(homeOf(i)), spi: 1000 + i, algorithm, key: hexKey(keyOf(i)) });
  return host.validateConfig({
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
}

/** The home agent's setup: the foreign agent and the router resolved. */
export const homeAgentSetup = () => [
  rx(1, host.arpFrame(2, FA_MAC, FA, HA_MAC1, HA_CORE, HA_MAC1)),
  rx(1, host.arpFrame(2, R_MAC, ip("10.2.0.254"), HA_MAC1, HA_CORE, HA_MAC1)),
];

/** A home agent under Node (bench/mip.mjs). */
export function homeAgent(n, algorithm, encapsulations) {
  return startBoard(homeAgentConfig(n, algorithm, encapsulations), homeAgentSetup());
}

/** Registration Request frame (relayed by the FA) for mobile node `i` with identification `id`. */
export function requestFrame(i, algorithm, id, flags = 0) {
  let m = host.buildRegRequest({ flags, lifetimeSec: 3600, home: homeOf(i), homeAgent: HA_HOME, careOf: FA, id });
  m = host.appendAuth(m, host.EXT_MH_AUTH, { spi: 1000 + i, algorithm, key: keyOf(i) });
  return host.ethFrame(HA_MAC1, FA_MAC, 0x0800, host.buildUdp(FA, HA_CORE, 434, 434, m, 1, 64));
}

/** `count` distinct requests cycling over `nodes` mobile nodes, identifications increasing. */
export function requestFrames(count, nodes, algorithm) {
  const ntp0 = host.ntpTimestamp(T0, 0, 0);
  const frames = [];
  for (let k = 0; k < count; k++) frames.push(requestFrame(k % nodes, algorithm, ntp0 + BigInt(k + 1)));
  return frames;
}

/** A 1400-byte packet from the correspondent to mobile node `i`'s home address (to be tunnelled). */
export const toHome = (i = 0, payload = 1372) =>
  host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, homeOf(i), 5000, 6000, new Uint8Array(payload), 1, 60));

// --- the foreign agent of bench/mip.mjs: one visitor registered through it, tunnelled traffic from its HA
const FA_WLAN = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1"), HAX = ip("10.8.0.1"), HOME = ip("10.8.0.5");
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const MN_MAC = host.mac("02:00:00:00:0a:99"), RTR_MAC = host.mac("02:00:00:00:0b:fe");

export const foreignAgent = {
  config: () => host.validateConfig({
    name: "fa", board: "emulated", roles: ["foreign-agent"],
    interfaces: [
      { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
      { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
    ],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { lifetimeSec: 600, encapsulations: ["ipip", "minimal", "gre"] },
  }, "fa"),
  /** Router resolved, the visitor's request relayed and its accepted reply relayed back. */
  setup: () => {
    const key = { spi: 0x1001, key: new TextEncoder().encode("mn-ha"), algorithm: "hmac-md5" };
    const id = host.ntpTimestamp(T0, 0, 77);
    const req = host.appendAuth(host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: HOME, homeAgent: HAX, careOf: FA_WLAN, id }), host.EXT_MH_AUTH, key);
    const rep = host.appendAuth(host.buildRegReply({ code: 0, lifetimeSec: 300, home: HOME, homeAgent: HAX, id }), host.EXT_MH_AUTH, key);
    return [
      rx(1, host.arpFrame(2, RTR_MAC, RTR, CORE_MAC, FA_CORE, CORE_MAC)),
      rx(0, host.ethFrame(WLAN_MAC, MN_MAC, 0x0800, host.buildUdp(HOME, FA_WLAN, 434, 434, req, 1, 64))),
      // The reply goes to the address the request was relayed from, the care-of address (issue 7.2).
      rx(1, host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, host.buildUdp(HAX, FA_WLAN, 434, 434, rep, 1, 60))),
    ];
  },
  /** IP-in-IP from the home agent to the FA carrying a 1400-byte packet for the visitor. */
  tunnelled: () => {
    const inner = host.buildUdp(CN, HOME, 5000, 6000, new Uint8Array(1372), 1, 60);
    const outer = new Uint8Array(20 + inner.length);
    outer.set([0x45, 0, (outer.length >> 8) & 255, outer.length & 255, 0, 1, 0, 0, 60, 4, 0, 0]);
    new DataView(outer.buffer).setUint32(12, HAX); new DataView(outer.buffer).setUint32(16, FA_WLAN);
    const c = host.checksum(outer, 0, 20); outer[10] = c >> 8; outer[11] = c & 255;
    outer.set(inner, 20);
    return host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, outer);
  },
};

// --- a correspondent node with a route-optimization binding cache (bench/ro.mjs, opprofile cn-*):
// 10.9.0.20 behind the router 10.9.0.1, a correspondent association with the home agent 10.0.0.1.
const CN_MAC = host.mac("02:00:00:00:09:20"), CN_R_MAC = host.mac("02:00:00:00:09:01");
const CN_IP = ip("10.9.0.20"), CN_RTR = ip("10.9.0.1"), CN_HA = ip("10.0.0.1");
const CN_KEY = { spi: 5000, algorithm: "hmac-md5", key: new TextEncoder().encode("cn-ha-secret") };
export const correspondent = {
  /** A cache of `cache` entries (board linux above 1,024, else emulated). */
  config: (cache) => host.validateConfig({
    name: "cn", board: cache > 1024 ? "linux" : "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:09:20", ipv4: "10.9.0.20/24" }],
    routes: [{ dest: "default", via: "10.9.0.1" }],
    sizes: { bindingCache: cache, roPeers: 16, timers: 64 },
    mobility: { routeOptimization: { enabled: true } },
    securityAssociations: [{ peer: "10.0.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha-secret", use: "correspondent" }],
  }, "cn"),
  /** The router's MAC learnt. */
  setup: () => [rx(0, host.arpFrame(2, CN_R_MAC, CN_RTR, CN_MAC, CN_IP))],
  /** Mobile node `i`'s home address (10.64.0.0/10: room for the largest cache) and a care-of address. */
  homeOf: (i) => (ip("10.64.0.0") + i) >>> 0,
  coaOf: (i) => (ip("10.32.0.1") + (i % 200) * 256) >>> 0,
  /** Binding Update number `seq` (fresh: the Identification grows with it) for `home` at `coa`, from the home agent. */
  update: (home, seq, coa) => {
    const id = host.ntpTimestamp(T0, 0, 0) + BigInt(seq + 1);
    const m = host.appendAuth(host.buildBindingUpdate({ flags: host.BU_I, lifetimeSec: 600, home, careOf: coa, id }), host.EXT_RO_AUTH, CN_KEY);
    return rx(0, host.ethFrame(CN_MAC, CN_R_MAC, 0x0800, host.buildUdp(CN_HA, CN_IP, 434, 434, m, 1, 60)));
  },
  /** Updates for `homes` mobile nodes in turn, `total` in all. */
  updates: (homes, total) => Array.from({ length: total }, (_, k) => correspondent.update(correspondent.homeOf(k % homes), k, correspondent.coaOf(k))),
  /** A 64-byte datagram of the local stack to `home`. */
  toHome: (home) => output(host.buildUdp(CN_IP, home, 7000, 7001, new Uint8Array(64).fill(1), 1, 64)),
};

/** The default scenario's mobile node (esp32 profile): its configuration. */
export function mobileNodeConfig() {
  return host.loadScenario("scenarios/default.json").nodes.find((n) => n.config.roles.includes("mobile-node")).config;
}

// ---- distributed registration (issue 11): a registration server and a care-of agent ---------------
const DR_RS = ip("10.0.0.5"), DR_COA = ip("10.0.0.6"), DR_RTR = ip("10.0.0.9");
const DR_RS_MAC = host.mac("02:00:00:00:0d:05"), DR_COA_MAC = host.mac("02:00:00:00:0d:06"), DR_R_MAC = host.mac("02:00:00:00:0d:09");
const DR_COA_KEY = { spi: 706, algorithm: "hmac-md5", key: new TextEncoder().encode("bench-coa-rs") };
/** Mobile node `i` of the distributed-registration benches: home address (10.64.0.0/10), child care-of address, key. */
const drHome = (i) => (ip("10.64.0.0") + i) >>> 0;
const drChild = (i) => (ip("10.32.0.1") + (i % 200) * 256) >>> 0;

export const drServer = {
  /** A registration server keeping `n` registrations (board linux above 64), one care-of agent. */
  config: (n) => host.validateConfig({
    name: "rs", board: n > 64 ? "linux" : "emulated", roles: ["registration-server"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:05", ipv4: "10.0.0.5/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    sizes: { serverEntries: n, securityAssocs: n + 1, timers: n + 64 },
    mobility: { dremip: { servers: [{ kind: "care-of-agent", address: "10.0.0.6" }] } },
    securityAssociations: [
      { peer: "10.0.0.6", spi: 706, algorithm: "hmac-md5", key: "text:bench-coa-rs", use: "agent-server" },
      ...Array.from({ length: n }, (_, i) => ({ peer: host.formatIp(drHome(i)), spi: 1000 + i, algorithm: "hmac-md5", key: hexKey(keyOf(i)), use: "mobile-server" })),
    ],
  }, "rs"),
  /** Router and care-of agent MACs learnt, then one registration for each of the `n` nodes (each waits for its Route Reply: kept). */
  setup: (n) => [
    rx(0, host.arpFrame(2, DR_R_MAC, DR_RTR, DR_RS_MAC, DR_RS)),
    rx(0, host.arpFrame(2, DR_COA_MAC, DR_COA, DR_RS_MAC, DR_RS)),
    ...Array.from({ length: n }, (_, i) => drServer.request(i, i)),
  ],
  /** Registration Request number `seq` of mobile node `i` (Identification grows with seq), straight from the node (co-located). */
  request: (i, seq) => {
    const id = host.ntpTimestamp(T0, 0, 0) + BigInt(seq + 1);
    const m = host.appendAuth(host.buildRegRequest({ flags: 0x01, lifetimeSec: 600, home: drHome(i), homeAgent: DR_RS, careOf: drChild(i), id }), 84, { spi: 1000 + i, algorithm: "hmac-md5", key: keyOf(i) });
    return rx(0, host.ethFrame(DR_RS_MAC, DR_R_MAC, 0x0800, host.buildUdp(drHome(i), DR_RS, 434, 434, m, 1, 60)));
  },
  /** `total` requests for `homes` of the `n` kept nodes in turn (spread over the table), after the setup's. */
  requests: (n, homes, total) => Array.from({ length: total }, (_, k) => drServer.request(Math.floor(((k % homes) * n) / homes), n + k)),
};

export const drCareOf = {
  /** A care-of agent with `n` binding routes of room, one server association. */
  config: (n) => host.validateConfig({
    name: "coa", board: "emulated", roles: ["care-of-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:06", ipv4: "10.0.0.6/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    sizes: { careOfRoutes: n },
    securityAssociations: [{ peer: "10.0.0.5", spi: 706, algorithm: "hmac-md5", key: "text:bench-coa-rs", use: "agent-server" }],
  }, "coa"),
  setup: () => [rx(0, host.arpFrame(2, DR_RS_MAC, DR_RS, DR_COA_MAC, DR_COA))],
  /** `total` Route Requests (fresh Identifications) for `homes` nodes in turn, from the server. */
  requests: (homes, total) => Array.from({ length: total }, (_, k) => {
    const m = new Uint8Array(20), dv = new DataView(m.buffer);
    m[0] = 32; dv.setUint16(2, 600); dv.setUint32(4, drHome(k % homes)); dv.setUint32(8, drChild(k));
    dv.setBigUint64(12, host.ntpTimestamp(T0, 0, 0) + BigInt(k + 1));
    return rx(0, host.ethFrame(DR_COA_MAC, DR_RS_MAC, 0x0800, host.buildUdp(DR_RS, DR_COA, 434, 434, host.appendAuth(m, 83, DR_COA_KEY), 1, 64)));
  }),
};

import { udp6, icmp6Packet as icmp6Raw } from "../test/lib/ip6.mjs";
const icmp6 = (src, dst, type, rest, body, hlim) => icmp6Raw(src, dst, type, 0, rest, body, hlim);
export const A_MAC_S = "02:00:00:00:01:10", B_MAC_S = "02:00:00:00:02:10";
const routerJsonDual = {
  name: "r1", board: "emulated", roles: ["router", "host"], node: { ipv6: "dual", dadTransmits: 0 },
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
    { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" },
  ],
  ipv6: [{ iface: "eth0", address: "2001:db8:1::1/64" }, { iface: "eth1", address: "2001:db8:2::1/64" }],
};
// ---- IPv6 cases (issue 12) ----
export const v6 = (s) => Uint8Array.from(host.parseIp6(s));
export const dual = {
  config: () => host.validateConfig({ ...routerJsonDual }, "r1"),
  // Each neighbour introduces itself (NS: a STALE entry) and confirms reachability (a solicited NA:
  // REACHABLE), as after a real exchange.
  setup: () => [...router.setup(), rx(0, nsFrame("2001:db8:1::10", A_MAC_S, "2001:db8:1::1", "02:00:00:00:01:01")), rx(1, nsFrame("2001:db8:2::10", B_MAC_S, "2001:db8:2::1", "02:00:00:00:02:01")),
    rx(0, naFrame("2001:db8:1::10", A_MAC_S, "2001:db8:1::1", "02:00:00:00:01:01")), rx(1, naFrame("2001:db8:2::10", B_MAC_S, "2001:db8:2::1", "02:00:00:00:02:01"))],
  forward6: () => host.ethFrame(host.mac("02:00:00:00:01:01"), host.mac(A_MAC_S), 0x86dd, udp6(v6("2001:db8:1::10"), v6("2001:db8:2::10"), 4000, 9000, new Uint8Array(1352))),
};
/** A Neighbor Solicitation from `src` (its link-layer address in the option) for `target`. */
export function nsFrame(src, srcMac, target, dstMac) {
  const body = new Uint8Array(24); body.set(v6(target), 0); body.set([1, 1], 16); body.set(host.mac(srcMac), 18);
  return host.ethFrame(host.mac(dstMac), host.mac(srcMac), 0x86dd, icmp6(v6(src), v6(target), 135, new Uint8Array(4), body, 255));
}
/** A tunnel entry router: 2001:db8:2::/64 goes into a tunnel to 2001:db8:9::2 on eth1 (RFC 2473). */
export const tun6 = {
  config: () => host.validateConfig({ name: "t6", board: "emulated", roles: ["router", "host"], node: { ipv6: "dual", dadTransmits: 0 },
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:01" }, { name: "eth1", mac: "02:00:00:00:02:01" }],
    ipv6: [{ iface: "eth0", address: "2001:db8:1::1/64" }, { iface: "eth1", address: "2001:db8:9::1/64" }],
    tunnels6: [{ dest: "2001:db8:2::/64", remote: "2001:db8:9::2", local: "2001:db8:9::1" }] }, "t6"),
  setup: () => [rx(0, nsFrame("2001:db8:1::10", A_MAC_S, "2001:db8:1::1", "02:00:00:00:01:01")), rx(1, nsFrame("2001:db8:9::2", B_MAC_S, "2001:db8:9::1", "02:00:00:00:02:01")),
    rx(0, naFrame("2001:db8:1::10", A_MAC_S, "2001:db8:1::1", "02:00:00:00:01:01")), rx(1, naFrame("2001:db8:9::2", B_MAC_S, "2001:db8:9::1", "02:00:00:00:02:01"))],
  packet: () => host.ethFrame(host.mac("02:00:00:00:01:01"), host.mac(A_MAC_S), 0x86dd, udp6(v6("2001:db8:1::10"), v6("2001:db8:2::10"), 4000, 9000, new Uint8Array(1352))),
};
/** A solicited Neighbor Advertisement (S, O) from `src` with its link-layer address, to `to`. */
export function naFrame(src, srcMac, to, dstMac) {
  const body = new Uint8Array(24); body.set(v6(src), 0); body.set([2, 1], 16); body.set(host.mac(srcMac), 18);
  return host.ethFrame(host.mac(dstMac), host.mac(srcMac), 0x86dd, icmp6(v6(src), v6(to), 136, Uint8Array.of(0x60, 0, 0, 0), body, 255));
}
