// The HTML timeline (`mipfw sim ... --timeline FILE.html`): what it is built from (attachment bands,
// registration markers, stream rate per 100 ms, gaps, per-packet latency and loss, ping round trips,
// handoffs) and the page itself: self-contained (no external URL; its data and its own script inline),
// with a chart per lane, flow and ping, the node names and the handoff table. How the page draws and
// behaves in a browser: timeline-browser.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, timelineData, renderTimeline } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));
const cli = new URL("../../build/mipfw.cjs", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

function runTimeline(name, durationMs) {
  const sim = new Simulation(validateScenario(load(name)), firmware, { timeline: true, durationMs });
  sim.run();
  const s = sim.summary();
  return { sim, s, d: timelineData(sim, s) };
}

/**
 * No resource is fetched: no URL scheme at all, no src/href attributes, no link, image, frame, import
 * or url(); two scripts, both inline: the data (JSON, not run) and the page's own script.
 */
function assertSelfContained(html) {
  assert.ok(!/https?:\/\//i.test(html), "no http(s):// anywhere");
  assert.ok(!/\s(src|href)\s*=/i.test(html), "no src or href attributes");
  assert.ok(!/<link|<img|<iframe|@import|url\(/i.test(html), "no link, image, frame, import or url()");
  assert.deepEqual(html.match(/<script[^>]*>/g), ['<script type="application/json" id="tl-data">', "<script>"], "the data and one inline script");
}
/** The data the page's script draws from. */
const pageData = (html) => JSON.parse(/<script type="application\/json" id="tl-data">(.*?)<\/script>/s.exec(html)[1]);

test("timeline data: attachment bands, agents, registration markers, stream rate buckets and gaps (mip-roam)", () => {
  const { s, d } = runTimeline("mip-roam.json");
  assert.equal(d.scenario, "mip-roam");
  assert.equal(d.simMs, 60000);
  const mn = d.lanes.find((l) => l.node === "mn");
  assert.ok(mn.mobile);
  assert.deepEqual(mn.aps.map((a) => a.label), ["ap-home", "ap1", "ap2", "ap-home"]);
  assert.deepEqual(mn.agents.map((a) => a.label), ["home", "fa1", "fa2", "home"]);
  assert.equal(mn.agents.at(-1).endMs, 60000);
  const reqs = mn.registrations.filter((m) => m.cls === "req"), ok = mn.registrations.filter((m) => m.cls === "ok");
  assert.equal(reqs.length, s.registrations.requested);
  assert.equal(ok.length, s.registrations.accepted);
  assert.ok(ok.every((m) => m.label === "0"), "reply markers carry the code");
  const f = d.flows.find((x) => x.name === "cbr-cn-mn");
  assert.equal(f.buckets.length, 600);
  assert.equal(f.buckets.reduce((a, b) => a + b, 0), s.flows[0].received + s.flows[0].duplicates);
  assert.equal(f.buckets[100], 20, "200 packets/s = 20 per 100 ms");
  assert.equal(f.gaps.length, s.handoffs.length, "one gap per handoff");
  f.gaps.forEach((g, i) => {
    const h = s.handoffs[i];
    assert.ok(g.startMs <= h.atMs && g.endMs > h.atMs, `gap ${g.startMs}-${g.endMs} covers the handoff at ${h.atMs}`);
    assert.ok(Math.abs(g.endMs - g.startMs - h.interruptionMs) < 0.01, "gap length = interruption");
  });
  const ha = d.agents.find((a) => a.node === "ha");
  assert.ok(ha.markers.some((m) => m.label === "B:add"));
  assert.ok(d.agents.some((a) => a.node === "fa1" && a.markers.some((m) => m.label === "V:accepted")));
});

test("timeline data: one latency sample per packet received, the packets lost at their send time, every ping reply (mip-roam, mip-ha-reboot)", () => {
  for (const name of ["mip-roam.json", "mip-ha-reboot.json"]) {
    const { sim, s, d } = runTimeline(name);
    d.flows.forEach((f, i) => {
      const sum = s.flows[i], sink = sim.flows[i].sink;
      assert.equal(f.packets.seq.length, sum.received, `${f.name}: a sample per packet received`);
      assert.equal(f.lost.seq.length, sum.lost, `${f.name}: every packet lost`);
      assert.equal(new Set([...f.packets.seq, ...f.lost.seq]).size, sum.sent, "received and lost: every packet sent, once");
      // The arrival times are those the sink recorded, duplicates left out.
      const rx = Array.from(sink.rxTimes.data.subarray(0, sink.rxTimes.n), (t) => t / 1000);
      assert.equal(rx.length, sum.received + sum.duplicates);
      const firsts = new Set(rx.map((t) => t.toFixed(6)));
      assert.ok(f.packets.arrivalMs.every((t) => firsts.has(t.toFixed(6))), `${f.name}: arrival = send time + latency`);
      assert.ok(f.packets.latencyMs.every((v) => v > 0 && v < 5000));
      const maxLat = Math.max(...f.packets.latencyMs);
      assert.ok(Math.abs(maxLat - sum.latencyMs.max) < 0.001, "the summary's maximum latency");
      assert.ok(f.lost.sentMs.every((t, j) => j === 0 || t > f.lost.sentMs[j - 1]), "lost in send order");
    });
    d.pings.forEach((p, i) => {
      const sum = s.pings[i];
      assert.equal(p.replies.seq.length, sum.received, `${p.name}: every reply`);
      assert.equal(p.lost.seq.length, sum.lost, `${p.name}: every echo lost`);
      assert.ok(Math.abs(Math.min(...p.replies.rttMs) - sum.rttMs.min) < 0.001 || sum.received === 0);
      assert.equal(p.replies.sentMs[0], p.startUs / 1000 + (p.replies.seq[0] * p.intervalUs) / 1000);
    });
    if (name === "mip-ha-reboot.json") assert.ok(d.pings.some((p) => p.lost.seq.length > 0) && d.flows[0].lost.seq.length > 1000);
    // In the page: the same counts, sequence numbers as differences, losses as runs.
    const pd = pageData(renderTimeline(d));
    pd.flows.forEach((f, i) => {
      assert.equal(f.latUs.length, s.flows[i].received);
      assert.equal(f.lost.reduce((a, [, n]) => a + n, 0), s.flows[i].lost);
    });
    pd.pings.forEach((p, i) => assert.equal(p.rttUs.length, s.pings[i].received));
  }
});

test("timeline page: self-contained HTML with SVG, node names, handoffs and codes", () => {
  const { s, d } = runTimeline("mip-roam.json");
  const html = renderTimeline(d);
  assert.match(html, /^<!DOCTYPE html>/);
  assertSelfContained(html);
  assert.ok((html.match(/<svg class="chart /g) ?? []).length >= 4, "lane, compact, flow, ping and agent charts");
  for (const name of ["mn", "ha", "fa1", "fa2", "ap-home", "ap1", "ap2", "cbr-cn-mn"]) assert.ok(html.includes(name), name);
  for (const h of s.handoffs) {
    assert.ok(html.includes(`<td>${h.from}</td><td>${h.to}</td>`), `handoff row ${h.from} → ${h.to}`);
    assert.ok(html.includes(`<td class="n">${h.interruptionMs}</td><td class="n">${h.lost}</td>`));
  }
  const pd = pageData(html);
  const mn = pd.lanes.find((l) => l.node === "mn");
  assert.ok(mn.reg.some((m) => m[2] === "0" && m[3].startsWith("Registration Reply code 0 Reg Accepted (accepted)")), "marks: [t, kind, label, detail]");
  assert.equal(pd.kinds[mn.reg.find((m) => m[2] === "0")[1]].id, "reply_ok");
  assert.equal(pd.flows[0].gaps.length, s.handoffs.length, "the gaps to shade");
  assert.equal(pd.compactOver, 20);
  assert.ok(html.includes('<details id="legend" open>'), "the legend");
});

test("timeline page: denial codes and scenario actions appear (mip-wrong-key, mip-ha-reboot)", () => {
  const wk = runTimeline("mip-wrong-key.json").d;
  const lane = wk.lanes.find((l) => l.node === "mn");
  assert.deepEqual(lane.agents.map((a) => a.label), ["home"], "no agent after leaving home: never registered");
  assert.ok(lane.agents[0].endMs > 9800 && lane.agents[0].endMs < 9900);
  assert.ok(lane.registrations.every((m) => m.cls === "req"), "no reply the node could authenticate");
  const w = renderTimeline(wk);
  assertSelfContained(w);
  assert.match(w, /home-agent denied a registration of 10\.1\.0\.20 with code 131/);
  assert.ok(pageData(w).agents.some((a) => a.marks.some((m) => m[2] === "131")));
  const r = renderTimeline(runTimeline("mip-ha-reboot.json", 30000).d);
  assert.match(r, /scenario action: restart/);
});

test("timeline: a plain Wi-Fi station gets an access point lane; a run without timeline recording is refused", () => {
  const { d } = runTimeline("l2-roam.json", 20000);
  assert.deepEqual(d.lanes.map((l) => [l.node, l.mobile]), [["m1", false]]);
  assert.deepEqual(d.lanes[0].aps.map((a) => a.label), ["ap1", "ap2"]);
  assertSelfContained(renderTimeline(d));
  const sim = new Simulation(validateScenario(load("demo-router.json")), firmware, { durationMs: 100 });
  sim.run();
  assert.throws(() => timelineData(sim, sim.summary()), /timeline: true/);
});

test("cli: sim --timeline writes the page", () => {
  const dir = mkdtempSync(join(tmpdir(), "mipfw-timeline-"));
  try {
    const file = join(dir, "roam.html");
    const r = spawnSync(process.execPath, [cli, "sim", "scenarios/mip-roam.json", "--quiet", "--duration", "30000", "--timeline", file], { encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(file));
    const html = readFileSync(file, "utf8");
    assertSelfContained(html);
    assert.match(html, /<svg class="chart lane"/);
    assert.match(html, /home@ap-home/);
    assert.match(html, /Scenario mip-roam, seed 1: 30 s simulated/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("trace: the run as Chrome trace events (one process per node, bands as complete events, marks as instants, latency and RTT as counters); cli --trace", () => {
  const { s, d } = runTimeline("mip-roam.json");
  const t = JSON.parse(host.traceJson(d));
  assert.equal(t.displayTimeUnit, "ms");
  assert.equal(t.otherData.scenario, "mip-roam");
  const ev = t.traceEvents;
  const procs = new Map(ev.filter((e) => e.ph === "M" && e.name === "process_name").map((e) => [e.args.name, e.pid]));
  for (const n of ["mn", "ha", "fa1", "fa2"]) assert.ok(procs.has(n), `process ${n}`);
  const mn = procs.get("mn"), lane = d.lanes.find((l) => l.node === "mn");
  const x = ev.filter((e) => e.ph === "X" && e.pid === mn);
  assert.deepEqual(x.filter((e) => e.cat === "wifi").map((e) => e.name), lane.aps.map((a) => a.label));
  assert.deepEqual(x.filter((e) => e.cat === "mip").map((e) => e.name), lane.agents.map((a) => a.label));
  const first = x.find((e) => e.cat === "wifi");
  assert.equal(first.ts, Math.round(lane.aps[0].startMs * 1000), "µs");
  const marks = ev.filter((e) => e.ph === "i" && e.pid === mn && e.cat in host.MARK_KINDS);
  assert.equal(marks.length, lane.registrations.length + lane.other.length, "every mark an instant");
  assert.equal(ev.filter((e) => e.ph === "i" && e.cat === "handoff").length, s.handoffs.length);
  const lat = ev.filter((e) => e.ph === "C" && e.name === "latency cbr-cn-mn");
  assert.equal(lat.length, s.flows[0].received, "a latency counter per packet received");
  assert.ok(lat.every((e) => e.pid === mn && e.args.ms > 0));
  assert.equal(ev.filter((e) => e.ph === "i" && e.name === "lost cbr-cn-mn").length, s.flows[0].lost);
  s.pings.forEach((p) => assert.equal(ev.filter((e) => e.ph === "C" && e.name === `rtt ${p.name}`).length, p.received));
  for (const e of ev) assert.ok(["X", "i", "C", "M"].includes(e.ph) && Number.isInteger(e.pid) && (e.ph === "M" || Number.isInteger(e.ts)), JSON.stringify(e));
  const dir = mkdtempSync(join(tmpdir(), "mipfw-trace-"));
  try {
    const file = join(dir, "roam.json");
    const r = spawnSync(process.execPath, [cli, "sim", "scenarios/mip-roam.json", "--quiet", "--duration", "12000", "--trace", file], { encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(readFileSync(file, "utf8"));
    assert.ok(c.traceEvents.some((e) => e.ph === "X" && e.name === "fa1"), "the agent band after the first handoff");
    const bad = spawnSync(process.execPath, [cli, "sim", "scenarios/mip-roam.json", "--quiet", "--trace", join(dir, "no", "t.json")], { encoding: "utf8", cwd: root });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--trace: expected a path in an existing directory/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
