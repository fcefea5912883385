// Fleet scale (issue 14.10). Unicast delivery by destination MAC ( docs/decisions.md "Fleet scale"): a segment hands
// a unicast frame only to the port owning its destination MAC (broadcast and multicast to all,
// unknown unicast flooded, or to a Wi-Fi cell's uplink), the owners follow attach/detach and an
// access point's associations, and a run's summary is the same with and without the filter except
// for the boards' counts of frames they received only to drop as not for them. The access point
// grid finds the same best access point as a scan of the list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { Engine, Rng, Segment, AccessPoint, ApGrid, Simulation, validateScenario, summaryJson, macKey } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

const mac = (x) => new Uint8Array([2, 0, 0, 0, 0, x]);
function port(name, log, key) {
  const p = { name, segment: null, receive(f) { log.push(`${name}<${f[5]}`); } };
  if (key !== undefined) p.macKey = key;
  return p;
}
const params = (over = {}) => ({ delayUs: 10, jitterUs: 0, loss: 0, bandwidthBps: 0, queueFrames: 16, ...over });
function frameTo(dst) { const f = new Uint8Array(60); f.set(dst, 0); f[12] = 8; return f; }
const BCAST = new Uint8Array([255, 255, 255, 255, 255, 255]);
const MCAST = new Uint8Array([1, 0, 0x5e, 0, 0, 5]);

function sendAll(e, seg, from, frames) {
  for (const f of frames) e.schedule(e.nowUs, () => seg.send(from, f));
  e.run(e.nowUs + 1000);
}

test("unicast goes to the owner only; broadcast and multicast to all; unknown unicast flooded; promiscuous ports hear all", () => {
  const e = new Engine(), log = [];
  const seg = new Segment("s", e, new Rng(1), params());
  const a = port("a", log, macKey(mac(1))), b = port("b", log, macKey(mac(2))), c = port("c", log, macKey(mac(3)));
  const tap = port("tap", log); // no macKey: promiscuous
  [a, b, tap, c].forEach((p) => seg.attach(p));
  sendAll(e, seg, a, [frameTo(mac(3))]);
  assert.deepEqual(log.splice(0), ["tap<3", "c<3"], "attach order kept, sender excluded");
  sendAll(e, seg, a, [frameTo(BCAST)]);
  assert.deepEqual(log.splice(0), ["b<255", "tap<255", "c<255"]);
  sendAll(e, seg, a, [frameTo(MCAST)]);
  assert.deepEqual(log.splice(0), ["b<5", "tap<5", "c<5"]);
  sendAll(e, seg, a, [frameTo(mac(9))]);
  assert.deepEqual(log.splice(0), ["b<9", "tap<9", "c<9"], "unknown unicast flooded like a switch");
  // Detach: the MAC is unknown again (flooded); re-attached elsewhere, it follows.
  seg.detach(c);
  sendAll(e, seg, a, [frameTo(mac(3))]);
  assert.deepEqual(log.splice(0), ["b<3", "tap<3"]);
  seg.attach(c);
  sendAll(e, seg, b, [frameTo(mac(3))]);
  assert.deepEqual(log.splice(0), ["tap<3", "c<3"]);
  // Two ports with the same MAC: both get it, in attach order.
  const d = port("d", log, macKey(mac(2)));
  seg.attach(d);
  sendAll(e, seg, a, [frameTo(mac(2))]);
  assert.deepEqual(log.splice(0), ["b<2", "tap<2", "d<2"]);
  // The filter off: a hub.
  seg.filterUnicast = false;
  sendAll(e, seg, a, [frameTo(mac(3))]);
  assert.deepEqual(log.splice(0), ["b<3", "tap<3", "c<3", "d<3"]);
});

test("with loss and jitter the filter draws the same random numbers: same losses, same arrival times", () => {
  const run = (filter, over) => {
    const e = new Engine(), log = [];
    const seg = new Segment("s", e, new Rng(5, "x"), params(over));
    seg.filterUnicast = filter;
    const ports = [1, 2, 3, 4].map((i) => port(`p${i}`, log, macKey(mac(i))));
    ports.forEach((p) => seg.attach(p));
    const at = [];
    ports[3].receive = (f) => at.push(e.nowUs);
    for (let i = 0; i < 500; i++) e.schedule(i * 50, () => seg.send(ports[i % 3], frameTo(mac(4))));
    e.run(Infinity);
    return { at, lost: seg.stats.lost, others: log.length };
  };
  for (const over of [{ loss: 0.3 }, { loss: 0.3, jitterUs: 400 }, { jitterUs: 400 }]) {
    const hub = run(false, over), sw = run(true, over);
    assert.deepEqual(sw.at, hub.at, JSON.stringify(over));
    assert.equal(sw.lost, hub.lost);
    assert.ok(hub.others > 0 && sw.others === 0, "the other ports no longer get the frames");
  }
});

test("an access point claims its stations' MACs on the wire; its cell sends unknown unicast to the radio only", () => {
  const e = new Engine(), log = [];
  const wire = new Segment("lan", e, new Rng(1), params());
  const ap = new AccessPoint("ap", mac(0xaa), 0, 0, 50, 1000, wire, e, new Rng(2), params());
  const r = port("router", log, macKey(mac(1))), h = port("host", log, macKey(mac(2)));
  wire.attach(r); wire.attach(h);
  const s1 = port("sta1", log, macKey(mac(7))), s2 = port("sta2", log, macKey(mac(8)));
  ap.cell.attach(s1); ap.cell.attach(s2);
  ap.stations.add(macKey(mac(7)));
  ap.stations.add(macKey(mac(8)));
  assert.deepEqual(wire.ownersOf(macKey(mac(7))).map((p) => p.name), ["ap.wire"]);
  sendAll(e, wire, r, [frameTo(mac(7))]);
  e.run(e.nowUs + 1000);
  assert.deepEqual(log.splice(0), ["sta1<7"], "router -> station: through the bridge, no other board");
  sendAll(e, ap.cell, s1, [frameTo(mac(1))]);
  e.run(e.nowUs + 1000);
  assert.deepEqual(log.splice(0), ["router<1"], "station -> router: the radio only, not the other station nor the host");
  ap.stations.delete(macKey(mac(7)));
  assert.deepEqual(wire.ownersOf(macKey(mac(7))), [], "released when the station leaves");
  sendAll(e, wire, r, [frameTo(mac(7))]);
  e.run(e.nowUs + 1000);
  assert.deepEqual(log.splice(0), ["host<7"], "now unknown: flooded on the wire; the access point keeps it out of the cell");
});

function summaries(raw, opts = {}) {
  const run = (floodUnicast) => {
    const sim = new Simulation(validateScenario(structuredClone(raw)), firmware, { floodUnicast, ...opts });
    sim.run();
    sim.close();
    return sim.summary();
  };
  return { hub: run(true), sw: run(false) };
}

/** The summary without the counters the filter changes by design (frames a board only received to drop). */
function comparable(s) {
  s = structuredClone(s);
  for (const b of Object.values(s.boards)) { delete b.counters.rx_frames; delete b.counters.rx_bytes; delete b.counters.drop_not_for_us; }
  return summaryJson(s);
}

function assertSameButFiltered(hub, sw) {
  assert.equal(comparable(sw), comparable(hub));
  let filtered = 0;
  for (const [name, b] of Object.entries(hub.boards)) {
    const c = b.counters, d = sw.boards[name].counters;
    // Every frame a board no longer receives is one it dropped as not for it.
    assert.equal(c.rx_frames - d.rx_frames, c.drop_not_for_us - d.drop_not_for_us, name);
    assert.ok(d.rx_bytes <= c.rx_bytes, name);
    filtered += c.rx_frames - d.rx_frames;
  }
  return filtered;
}

test("mip-roam (Mobile IP, Wi-Fi roaming): the same summary with and without the filter", () => {
  const { hub, sw } = summaries(load("mip-roam.json"));
  assert.ok(hub.handoffs.length > 0 && hub.registrations.accepted > 0);
  assert.ok(assertSameButFiltered(hub, sw) > 10000, "the filter spared the boards many frames");
});

test("with jitter, loss and a random walk: the same summary with and without the filter", () => {
  const raw = load("l2-roam.json");
  raw.durationMs = 30000;
  raw.segments[1].jitterMs = 0.5;
  raw.segments[1].loss = 0.01;
  raw.nodes[2].mobility = { type: "randomWalk", speedMps: [5, 15], pauseMs: 1000, area: { x0: -20, y0: -20, x1: 120, y1: 20 } };
  const { hub, sw } = summaries(raw);
  assert.ok(hub.segments.lan2.lost > 0);
  assertSameButFiltered(hub, sw);
});

test("dremip-domains and mip6-ro: the same summary with and without the filter", () => {
  for (const n of ["dremip-domains.json", "mip6-ro.json"]) {
    const { hub, sw } = summaries(load(n));
    assert.ok(assertSameButFiltered(hub, sw) > 1000, n);
  }
});

test("the access point grid picks what a scan of the list picks (nearest in range, ties to the first listed)", () => {
  const e = new Engine(), rng = new Rng(11, "grid");
  const wire = new Segment("lan", e, new Rng(1), params());
  const aps = [];
  // A grid of positions with duplicates (ties) and mixed ranges.
  for (let i = 0; i < 120; i++) {
    const x = 40 * Math.floor(rng.range(0, 25)), y = 40 * Math.floor(rng.range(-5, 5));
    aps.push(new AccessPoint(`ap${i}`, mac(i), x, y, rng.range(20, 90), 1000, wire, e, new Rng(i), params()));
  }
  const scan = (x, y) => {
    let best = null, bestD = Infinity;
    for (const ap of aps) { const d = ap.distance(x, y); if (d <= ap.rangeM && d < bestD) { best = ap; bestD = d; } }
    return best;
  };
  const grid = new ApGrid(aps);
  let found = 0;
  for (let k = 0; k < 20000; k++) {
    // Half the points exactly on access points or midway between two (ties), half anywhere.
    const a = aps[k % aps.length], b = aps[(k * 7) % aps.length];
    const [x, y] = k % 4 === 0 ? [a.x, a.y] : k % 4 === 1 ? [(a.x + b.x) / 2, (a.y + b.y) / 2] : [rng.range(-100, 1100), rng.range(-300, 300)];
    const want = scan(x, y);
    assert.equal(grid.best(x, y), want, `at ${x},${y}`);
    if (want) found++;
  }
  assert.ok(found > 5000);
});
