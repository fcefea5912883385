// Generates the Mobile IP scenarios scenarios/mip-*.json (and default.json, a copy of mip-roam.json)
// from one shared topology, so the cases differ only where they mean to. Usage: node scenarios/gen-mip.mjs (writes every file; the JSON files
// are committed, this is how they were made). docs/scenarios.md describes each case.
//
//   home 10.1.0.0/24 ── ha (home agent, the home router; advertises on home) ──┐
//   net1 10.2.0.0/24 ── fa1 (foreign agent/router, advertises on net1) ─────────┤ core 10.0.0.0/24
//   net2 10.3.0.0/24 ── fa2 (foreign agent/router, advertises on net2) ─────────┤
//   cnet 10.9.0.0/24 ── rc (router) ── cn (correspondent host, 10.9.0.10) ──────┘
//   Wi-Fi: ap-home on home at (0,0), ap1 on net1 at (100,0), ap2 on net2 at (100,100), range 75 m.
//   mn: ESP32 Wi-Fi station, home address 10.1.0.20, home agent 10.1.0.1, HMAC-MD5 with the home agent.
import { writeFileSync } from "node:fs";

const dir = new URL("./", import.meta.url).pathname;
const KEY = "text:mipfw-demo-mn-ha-key";
const clone = (x) => JSON.parse(JSON.stringify(x));

const seg = (name, delayMs = 0.1, bandwidthMbps = 100) => ({ name, delayMs, bandwidthMbps });
const ap = (name, segment, n, x, y) => ({ name, segment, bssid: `02:aa:00:00:00:${n}`, x, y, rangeM: 75, assocDelayMs: 50, delayMs: 1, bandwidthMbps: 54 });

function router(name, roles, lan, lanMac, coreIp, coreMac, routes, extra = {}) {
  return {
    name, board: "emulated", roles,
    interfaces: [
      { name: "eth0", mac: lanMac, ipv4: lan, ...(extra.lanFlags ?? {}) },
      { name: "eth1", mac: coreMac, ipv4: coreIp },
    ],
    routes: routes.map(([dest, via]) => ({ dest, via })),
    ...(extra.mobility ? { mobility: extra.mobility } : {}),
    ...(extra.sas ? { securityAssociations: extra.sas } : {}),
    attach: { eth0: extra.segment, eth1: "core" },
  };
}

const sa = (peer, spi = 4096, key = KEY) => ({ peer, spi, algorithm: "hmac-md5", key });

/** The home agent, with security associations for the given mobile nodes' home addresses. */
const homeAgent = (mns = ["10.1.0.20"], mobility = {}) => router("ha", ["home-agent"], "10.1.0.1/24", "02:00:00:01:00:01", "10.0.0.1/24", "02:00:00:00:00:01",
  [["10.2.0.0/24", "10.0.0.2"], ["10.3.0.0/24", "10.0.0.3"], ["10.4.0.0/24", "10.0.0.4"], ["10.9.0.0/24", "10.0.0.9"]],
  { segment: "home", lanFlags: { home: true, advertise: true }, mobility: { lifetimeSec: 300, advertIntervalMs: 1000, advertLifetimeSec: 3, ...mobility }, sas: mns.map((a) => sa(a)) });
const fa = (n, mobility = {}) => router(`fa${n}`, ["foreign-agent"], `10.${n + 1}.0.1/24`, `02:00:00:0${n + 1}:00:01`, `10.0.0.${n + 1}/24`, `02:00:00:00:00:0${n + 1}`,
  [["10.1.0.0/24", "10.0.0.1"], ...[1, 2].filter((k) => k !== n).map((k) => [`10.${k + 1}.0.0/24`, `10.0.0.${k + 1}`]), ["10.4.0.0/24", "10.0.0.4"], ["10.9.0.0/24", "10.0.0.9"]],
  { segment: `net${n}`, lanFlags: { advertise: true }, mobility: { lifetimeSec: 300, advertIntervalMs: 1000, advertLifetimeSec: 3, ...mobility } });
const rc = () => router("rc", ["router"], "10.9.0.1/24", "02:00:00:09:00:01", "10.0.0.9/24", "02:00:00:00:00:09",
  [["10.1.0.0/24", "10.0.0.1"], ["10.2.0.0/24", "10.0.0.2"], ["10.3.0.0/24", "10.0.0.3"], ["10.4.0.0/24", "10.0.0.4"]], { segment: "cnet" });
const cn = () => ({
  name: "cn", board: "emulated", roles: ["host"],
  interfaces: [{ name: "eth0", mac: "02:00:00:09:00:10", ipv4: "10.9.0.10/24" }],
  routes: [{ dest: "default", via: "10.9.0.1" }], attach: { eth0: "cnet" },
});
function mobileNode(points, mobility = {}, { name = "mn", home = "10.1.0.20", mac = "02:00:00:01:00:20", key = KEY, dhcp = false, saPeer = "10.1.0.1" } = {}) {
  return {
    name, board: "esp32", roles: ["mobile-node"],
    interfaces: [{ name: "wlan0", mac, ipv4: `${home}/24`, ...(dhcp ? { dhcp: true } : {}) }],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { homeAgent: "10.1.0.1", lifetimeSec: 60, colocated: "never", ...mobility },
    securityAssociations: [sa(saPeer, 4096, key)],
    attach: { wlan0: "wifi" },
    movement: { type: "waypoints", points: points.map(([atMs, x, y]) => ({ atMs, x, y })) },
  };
}

const apps = (to = "mn", { pps = 200, startMs = 1000, stopMs } = {}) => [
  { type: "cbr", name: `cbr-cn-${to}`, from: "cn", to, port: 5000, ratePps: pps, sizeBytes: 200, startMs, stopMs },
  { type: "ping", name: `ping-cn-${to}`, from: "cn", to, intervalMs: 200, startMs: startMs + 100, stopMs },
  { type: "ping", name: `ping-${to}-cn`, from: to, to: "cn", intervalMs: 1000, startMs: startMs + 300, stopMs },
];

function scenario(name, description, durationMs, parts) {
  return {
    name, description, seed: 1, durationMs, mobilityStepMs: 100, wifi: { hysteresisDb: 5 },
    segments: parts.segments, accessPoints: parts.accessPoints, nodes: parts.nodes, apps: parts.apps, ...(parts.actions ? { actions: parts.actions } : {}),
  };
}

const baseSegments = () => [seg("home"), seg("core", 0.05, 1000), seg("net1"), seg("net2"), seg("cnet")];
const baseAps = () => [ap("ap-home", "home", "01", 0, 0), ap("ap1", "net1", "02", 100, 0), ap("ap2", "net2", "03", 100, 100)];

const files = {};

// The roaming demo: home → ap1 (fa1) → ap2 (fa2) → home, 60 s.
files["mip-roam"] = scenario("mip-roam",
  "Mobile IPv4 roaming: mn (ESP32 Wi-Fi station, home address 10.1.0.20) moves from its home network (home agent ha) to net1 (foreign agent fa1), to net2 (fa2), and back home, while the correspondent cn streams 200 packets/s of UDP and pings its home address. Handoffs at about 9.8 s, 24.8 s and 40.4 s.",
  60000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [homeAgent(), fa(1), fa(2), rc(), cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0], [20000, 100, 0], [28000, 100, 100], [35000, 100, 100], [45000, 0, 0]])],
    apps: apps("mn", { stopMs: 59000 }),
  });

// Co-located care-of address: net3 has no foreign agent, only a router and a DHCP server.
files["mip-colocated"] = scenario("mip-colocated",
  "Co-located care-of address: net3 (10.4.0.0/24) has a plain router r3 and a DHCP server but no foreign agent. mn (colocated \"auto\", DHCP allowed on wlan0) moves home → ap3 at about 9.8 s, acquires 10.4.0.100 by DHCP, registers directly with its home agent (D bit) and decapsulates the tunnel itself; back home at about 40 s.",
  50000, {
    segments: [seg("home"), seg("core", 0.05, 1000), seg("net3"), seg("cnet")],
    accessPoints: [ap("ap-home", "home", "01", 0, 0), ap("ap3", "net3", "04", 100, 0)],
    nodes: [
      homeAgent(), rc(), cn(),
      router("r3", ["router"], "10.4.0.1/24", "02:00:00:04:00:01", "10.0.0.4/24", "02:00:00:00:00:04",
        [["10.1.0.0/24", "10.0.0.1"], ["10.9.0.0/24", "10.0.0.9"]], { segment: "net3" }),
      { kind: "dhcp-server", name: "dhcp3", mac: "02:00:00:04:00:02", ipv4: "10.4.0.2/24", attach: "net3", pool: { start: "10.4.0.100", end: "10.4.0.150" }, router: "10.4.0.1", leaseSec: 600 },
      mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0], [35000, 100, 0], [43000, 0, 5]], { colocated: "auto" }, { dhcp: true }),
    ],
    apps: apps("mn", { pps: 100, stopMs: 49000 }),
  });

// Wrong key: the home agent denies with 131, nothing is tunnelled.
files["mip-wrong-key"] = scenario("mip-wrong-key",
  "mn's key for its home agent is wrong: away at net1 (from about 9.8 s) its registrations through fa1 are denied by the home agent with code 131 (mobile node failed authentication); no binding is made and nothing is tunnelled, so the correspondent's stream stops reaching it.",
  30000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [homeAgent(), fa(1), fa(2), rc(), cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0]], {}, { key: "text:not-the-home-agents-key" })],
    apps: apps("mn", { pps: 100, stopMs: 29000 }),
  });

// Replay: a captured request is sent again on the core; a second mobile node has a skewed clock.
files["mip-replay"] = scenario("mip-replay",
  "Replay protection (timestamps, 7 s window): at 20 s the last Registration Request seen on the core (mn's, relayed by fa1 at about 9.8 s) is sent again byte for byte; the home agent denies it with 133 and the binding is unchanged. mn2's clock is an hour slow (clockOffsetSec -3600): its first registration gets 133 with the home agent's time, it resynchronises and is accepted.",
  40000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [
      homeAgent(["10.1.0.20", "10.1.0.21"]), fa(1), fa(2), rc(), cn(),
      mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0]]),
      mobileNode([[0, 0, -5], [25000, 0, -5], [33000, 100, -5]], { clockOffsetSec: -3600 }, { name: "mn2", home: "10.1.0.21", mac: "02:00:00:01:00:21" }),
    ],
    apps: [...apps("mn", { pps: 100, stopMs: 39000 }), { type: "cbr", name: "cbr-cn-mn2", from: "cn", to: "mn2", port: 5001, ratePps: 50, sizeBytes: 200, startMs: 1000, stopMs: 39000 }],
    actions: [{ type: "replayLastRegistration", atMs: 20000, segment: "core" }],
  });

// Unknown home agent: dynamic home agent discovery.
files["mip-unknown-ha"] = scenario("mip-unknown-ha",
  "Dynamic home agent discovery: mn is configured with homeAgent \"discover\" and starts away, at net1, so it has never heard its home agent's advertisements. It registers with the home network's directed broadcast 10.1.0.255 as home agent (its security association is configured for that broadcast address, which stands for every home agent of the home network); ha denies with 136 giving its own address, and mn registers again with it and is accepted. From 15 s it moves home and deregisters with the home agent it learned.",
  30000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [homeAgent(), fa(1), fa(2), rc(), cn(), mobileNode([[0, 100, 0], [15000, 100, 0], [23000, 0, 5]], { homeAgent: "discover" }, { saPeer: "10.1.0.255" })],
    apps: apps("mn", { pps: 100, stopMs: 29000 }),
  });

// Binding expiry: the mobile node is switched off while away.
files["mip-expiry"] = scenario("mip-expiry",
  "Binding expiry: mn registers through fa1 at about 9.8 s with a 20 s lifetime, then is switched off at 15 s (action stop). Its binding expires at the home agent about 20 s after the registration was sent; from then on the correspondent's packets are no longer tunnelled to fa1.",
  45000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [homeAgent(), fa(1), fa(2), rc(), cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0]], { lifetimeSec: 20 })],
    apps: apps("mn", { pps: 100, stopMs: 44000 }),
    actions: [{ type: "stop", atMs: 15000, node: "mn" }],
  });

// Busy foreign agent: fa1 sets B; fa3 on the same link is used instead.
{
  const fa3 = router("fa3", ["foreign-agent"], "10.2.0.3/24", "02:00:00:02:00:03", "10.0.0.5/24", "02:00:00:00:00:05",
    [["10.1.0.0/24", "10.0.0.1"], ["10.9.0.0/24", "10.0.0.9"]],
    { segment: "net1", lanFlags: { advertise: true }, mobility: { lifetimeSec: 300, advertIntervalMs: 1000, advertLifetimeSec: 3 } });
  const ha = homeAgent();
  ha.routes.unshift({ dest: "10.2.0.3/32", via: "10.0.0.5" });
  const r = rc();
  r.routes.unshift({ dest: "10.2.0.3/32", via: "10.0.0.5" });
  files["mip-busy"] = scenario("mip-busy",
    "Busy foreign agent: net1 has two foreign agents, fa1 (busy: advertises the B bit) and fa3. mn, arriving at ap1 at about 9.8 s, must not register with fa1 (RFC 2002 §3.6.1.1: a busy agent is not used); it registers through fa3 (care-of address 10.2.0.3) and the stream continues.",
    30000, {
      segments: baseSegments(), accessPoints: baseAps(),
      nodes: [ha, fa(1, { busy: true }), fa(2), fa3, r, cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0]])],
      apps: apps("mn", { pps: 100, stopMs: 29000 }),
    });
}

// Simultaneous bindings: two foreign agents on one link, S bit.
{
  const f1 = fa(1), f2 = fa(2);
  f2.interfaces[0] = { name: "eth0", mac: "02:00:00:02:00:02", ipv4: "10.2.0.2/24", advertise: true };
  f2.attach = { eth0: "net1", eth1: "core" };
  f2.routes = [{ dest: "10.1.0.0/24", via: "10.0.0.1" }, { dest: "10.9.0.0/24", via: "10.0.0.9" }];
  const ha = homeAgent();
  ha.routes.unshift({ dest: "10.2.0.2/32", via: "10.0.0.3" });
  const r = rc();
  r.routes.unshift({ dest: "10.2.0.2/32", via: "10.0.0.3" });
  files["mip-simultaneous"] = scenario("mip-simultaneous",
    "Simultaneous bindings (S bit): fa1 and fa2 both serve net1, bridged by ap1 and ap2. fa2 is switched off until 12 s (actions stop and start), so mn, arriving at ap1 at about 9.8 s, registers with fa1. Moving from ap1 to ap2 at about 24.8 s, it hears fa2 first (it answers solicitations first), registers with it keeping the fa1 binding (S): the home agent tunnels one copy to each care-of address and both reach mn, so the sink counts duplicates.",
    40000, {
      segments: [seg("home"), seg("core", 0.05, 1000), seg("net1"), seg("cnet")],
      accessPoints: [ap("ap-home", "home", "01", 0, 0), ap("ap1", "net1", "02", 100, 0), ap("ap2", "net1", "03", 100, 100)],
      // fa2 first: attached first to net1, so it answers a solicitation before fa1.
      nodes: [ha, f2, f1, r, cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0], [20000, 100, 0], [28000, 100, 100]], { request: { simultaneous: true } })],
      apps: apps("mn", { pps: 100, stopMs: 39000 }),
      actions: [{ type: "stop", atMs: 0, node: "fa2" }, { type: "start", atMs: 12000, node: "fa2" }],
    });
}

// Home agent reboot: bindings lost, recovered at the next registration.
files["mip-ha-reboot"] = scenario("mip-ha-reboot",
  "Home agent reboot: mn registers through fa1 at about 9.8 s (lifetime 20 s). At 15 s ha restarts (action restart: all its state, bindings included, is lost), so the correspondent's packets are no longer tunnelled; mn re-registers before its lifetime runs out (about 17 s after the request) and the stream resumes.",
  45000, {
    segments: baseSegments(), accessPoints: baseAps(),
    nodes: [homeAgent(), fa(1), fa(2), rc(), cn(), mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0]], { lifetimeSec: 20 })],
    apps: apps("mn", { pps: 100, stopMs: 44000 }),
    actions: [{ type: "restart", atMs: 15000, node: "ha" }],
  });

// Reverse tunnelling (RFC 3024) in the rfc3344 registration profile: the roaming demo with T.
{
  const rt = { registrationProfile: "rfc3344", reverseTunnel: true };
  files["mip-reverse"] = scenario("mip-reverse",
    "Reverse tunnelling (RFC 3024) in the \"rfc3344\" registration profile (request bit 0x02 = T): the roaming demo, with fa1 and fa2 offering reverse tunnelling (T in their advertisements) and mn asking for it. While away, mn's datagrams from its home address (its pings to cn, its echo replies) go to its foreign agent, which tunnels them IP-in-IP to ha; ha takes them out of the tunnel (outer source = mn's care-of address) and forwards them, so they would pass a foreign network's ingress filter (RFC 2827).",
    60000, {
      segments: baseSegments(), accessPoints: baseAps(),
      nodes: [homeAgent(undefined, { registrationProfile: "rfc3344" }), fa(1, rt), fa(2, rt), rc(), cn(),
        mobileNode([[0, 0, 5], [5000, 0, 5], [13000, 100, 0], [20000, 100, 0], [28000, 100, 100], [35000, 100, 100], [45000, 0, 0]], rt)],
      apps: apps("mn", { stopMs: 59000 }),
    });
}

// The default scenario (npm start) is the roaming demo.
files["default"] = { ...files["mip-roam"], name: "default" };

for (const [name, sc] of Object.entries(files)) writeFileSync(`${dir}${name}.json`, JSON.stringify(sc, null, 2) + "\n");
