// Wi-Fi: association with the strongest access point after the association delay, link events to
// the board (LINK with the BSSID), handoffs with link down/up, hysteresis against flapping, loss of
// coverage, and the access point's bridging between its cell and the wire.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, AccessPoint, Engine, Rng, Segment, signalDbm } = host;

function wifiScenario(mobility, extra = {}) {
  return {
    name: "wifi-test", seed: 1, durationMs: 20000, mobilityStepMs: 100, wifi: { hysteresisDb: 5 },
    segments: [{ name: "lan" }],
    accessPoints: [
      { name: "ap1", segment: "lan", bssid: "02:aa:00:00:00:01", x: 0, y: 0, rangeM: 70, assocDelayMs: 50 },
      { name: "ap2", segment: "lan", bssid: "02:aa:00:00:00:02", x: 100, y: 0, rangeM: 70, assocDelayMs: 80 },
    ],
    nodes: [
      { name: "h1", interfaces: [{ name: "eth0", mac: "02:00:00:00:00:10", ipv4: "10.0.0.10/24" }], attach: { eth0: "lan" } },
      { name: "m1", interfaces: [{ name: "wlan0", mac: "02:00:00:00:00:20", ipv4: "10.0.0.20/24" }], attach: { wlan0: "wifi" }, mobility },
    ],
    apps: [{ type: "cbr", name: "f", from: "h1", to: "m1", ratePps: 100, sizeBytes: 64, startMs: 500, stopMs: 19000 }],
    ...extra,
  };
}
function run(raw, ms) {
  const sim = new Simulation(validateScenario(raw), firmware, { keepEvents: true });
  sim.run(ms);
  return sim;
}
const of = (sim, node, kinds) => sim.events.kept.filter((e) => e.node === node && kinds.includes(e.kind));

test("wifi: a station starts down, associates with the nearest AP after its delay, link up with the BSSID", () => {
  const sim = run(wifiScenario({ type: "waypoints", points: [{ atMs: 0, x: 10, y: 0 }] }), 2000);
  const ev = of(sim, "m1", ["link", "wifi_associating", "wifi_assoc"]);
  assert.deepEqual(ev.map((e) => [e.t, e.kind, e.up ?? e.ap]), [[0, "link", false], [0, "wifi_associating", "ap1"], [50, "wifi_assoc", "ap1"], [50, "link", true]]);
  assert.equal(ev[3].bssid, "02:aa:00:00:00:01", "the firmware's LINK event carries the BSSID");
  assert.equal(sim.handoffs.length, 0);
  const s = sim.summary();
  assert.ok(s.flows[0].received > 0, "traffic reaches the station through the AP");
});

test("wifi: moving to the other AP: link down, association delay, link up with the new BSSID; one handoff", () => {
  const sim = run(wifiScenario({ type: "waypoints", points: [{ atMs: 0, x: 0, y: 0 }, { atMs: 2000, x: 0, y: 0 }, { atMs: 12000, x: 100, y: 0 }] }), 20000);
  const links = of(sim, "m1", ["link"]);
  assert.deepEqual(links.map((e) => [e.up, e.bssid]), [[false, "00:00:00:00:00:00"], [true, "02:aa:00:00:00:01"], [false, "00:00:00:00:00:00"], [true, "02:aa:00:00:00:02"]]);
  const down = links[2].t, up = links[3].t;
  assert.equal(up - down, 80, "ap2's association delay");
  // Hysteresis 5 dB: switch when d1/d2 >= 10^(5/30), i.e. past x = 59.5 m, not at the midpoint.
  const x = ((down - 2000) / 10000) * 100;
  assert.ok(x > 59 && x < 62, `handoff at x=${x}`);
  const dis = of(sim, "m1", ["wifi_disassoc"]);
  assert.equal(dis[0].reason, "better_ap");
  assert.equal(sim.handoffs.length, 1);
  const h = sim.summary().handoffs[0];
  assert.deepEqual([h.node, h.from, h.to, h.atMs], ["m1", "ap1", "ap2", down]);
  assert.ok(h.interruptionMs >= 80 && h.interruptionMs <= 100, `interruption ${h.interruptionMs}`);
  assert.ok(h.lost >= 7 && h.lost <= 9, `lost ${h.lost} (100 pps over ~80 ms)`);
  assert.equal(sim.summary().flows[0].lost, h.lost, "every loss of the flow happened in the handoff");
});

test("wifi: hysteresis keeps a station wandering near the cell edge on one AP", () => {
  const pts = [];
  for (let t = 0; t <= 20000; t += 1000) pts.push({ atMs: t, x: t % 2000 ? 54 : 46, y: 0 });
  const sim = run(wifiScenario({ type: "waypoints", points: pts }), 20000);
  assert.equal(of(sim, "m1", ["wifi_assoc"]).length, 1);
  assert.equal(sim.handoffs.length, 0);
  assert.ok(signalDbm(46) - signalDbm(54) < 5, "the swing is within the hysteresis");
});

test("wifi: leaving all coverage drops the link; coming back re-associates", () => {
  const sim = run(wifiScenario({ type: "waypoints", points: [{ atMs: 0, x: 0, y: 0 }, { atMs: 1000, x: 0, y: 0 }, { atMs: 2000, x: 0, y: 200 }, { atMs: 5000, x: 0, y: 200 }, { atMs: 6000, x: 0, y: 0 }] }), 10000);
  const dis = of(sim, "m1", ["wifi_disassoc"]);
  assert.equal(dis.length, 1);
  assert.equal(dis[0].reason, "out_of_range");
  const assoc = of(sim, "m1", ["wifi_assoc"]);
  assert.equal(assoc.length, 2);
  assert.ok(assoc[1].t > 5000 && assoc[1].t < 6100);
  const h = sim.summary().handoffs;
  assert.equal(h.length, 1);
  assert.deepEqual([h[0].from, h[0].to], ["ap1", "ap1"]);
  assert.ok(h[0].interruptionMs > 3000);
});

test("wifi: a station that never comes back leaves a handoff with no target and no interruption figure", () => {
  const sim = run(wifiScenario({ type: "waypoints", points: [{ atMs: 0, x: 0, y: 0 }, { atMs: 1000, x: 0, y: 0 }, { atMs: 2000, x: 0, y: 500 }] }), 5000);
  const h = sim.summary().handoffs;
  assert.equal(h.length, 1);
  assert.equal(h[0].to, null);
  assert.equal(h[0].interruptionMs, null);
  assert.ok(h[0].lost > 200);
});

test("wifi: random walk stays in its area and is reproducible", () => {
  const mob = { type: "randomWalk", speedMps: [2, 8], pauseMs: 500, area: { x0: -20, y0: -10, x1: 120, y1: 10 } };
  const a = run(wifiScenario(mob), 20000), b = run(wifiScenario(mob), 20000);
  const m = a.nodeByName.get("m1").mover;
  assert.ok(m.x >= -20 && m.x <= 120 && m.y >= -10 && m.y <= 10);
  assert.deepEqual([m.x, m.y], [b.nodeByName.get("m1").mover.x, b.nodeByName.get("m1").mover.y]);
  assert.deepEqual(a.summary(), b.summary());
});

test("access point: bridges broadcast and associated stations into the cell, everything else onto the wire", () => {
  const e = new Engine(), rng = new Rng(1);
  const p = { delayUs: 10, jitterUs: 0, loss: 0, bandwidthBps: 0, queueFrames: 16 };
  const wire = new Segment("wire", e, rng, p);
  const ap = new AccessPoint("ap", new Uint8Array([2, 0xaa, 0, 0, 0, 1]), 0, 0, 50, 0, wire, e, rng, p);
  const got = [];
  const mk = (name) => ({ name, segment: null, receive: (f) => got.push([name, f[5]]) });
  const wired = mk("wired"), sta = mk("sta"), other = mk("other");
  wire.attach(wired);
  ap.cell.attach(sta); ap.cell.attach(other);
  ap.stations.add(host.macKey(new Uint8Array([2, 0, 0, 0, 0, 7])));
  const f = (dst) => { const b = new Uint8Array(60); b.set(dst, 0); return b; };
  e.schedule(0, () => wire.send(wired, f([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
  e.schedule(1000, () => wire.send(wired, f([2, 0, 0, 0, 0, 7])));
  e.schedule(2000, () => wire.send(wired, f([2, 0, 0, 0, 0, 8])));
  e.schedule(3000, () => ap.cell.send(sta, f([2, 0, 0, 0, 0, 9])));
  e.schedule(4000, () => ap.cell.send(sta, f([2, 0, 0, 0, 0, 7])));
  e.run(Infinity);
  assert.deepEqual(got, [
    ["sta", 0xff], ["other", 0xff], // broadcast enters the cell
    ["sta", 7], ["other", 7],       // to an associated station (all in the cell hear it)
    // to 8: not associated here, stays on the wire
    ["other", 9], ["wired", 9],     // from the cell to the wire
    ["other", 7],                   // station to station: not bridged
  ]);
  assert.deepEqual([ap.down, ap.up], [2, 1]);
});
