// Mobile IPv6 in the emulated network, issue 13.7: route optimization with a firmware correspondent, the
// return home and home renumbering (scenarios/mip6-ro.json, mip6-renumber.json), measured on the wires:
// which segments each datagram crossed (path stretch against the direct route), how many routers it went
// through (hop limits), the binding caches (events, dump table 9), and the summary and timeline that show
// them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, formatIp6, summaryJson, timelineData, renderTimeline, renderSummary } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

const HOME = "2001:db8:1::20", COA1 = "2001:db8:11::ff:fe01:20", COA2 = "2001:db8:12::ff:fe01:20";
/** The wired segments of mip6-ro (access point cells are the last hop of both paths and not counted). */
const WIRED = ["net0", "wan", "net1", "net2", "cnet"];
/** Wired segments of the direct route between the correspondents' network and foreign network 1: cnet, net1. */
const DIRECT = 2;

/**
 * An IPv6 frame: segment, time (ms), the outermost source and destination, whether it is tunnelled, the
 * innermost packet's protocol, UDP destination port or ICMPv6 type, AH seen, and `routers`: the routers it
 * went through by its hop limits (64 less each header's, outer and inner; every node here sends with 64).
 */
function parse6(seg, f, tUs) {
  if (((f[12] << 8) | f[13]) !== 0x86dd) return null;
  let p = f.subarray(14);
  const r = { seg, t: tUs / 1000, src: formatIp6(p.subarray(8, 24)), dst: formatIp6(p.subarray(24, 40)), tunnelled: false, ah: false, routers: 0 };
  for (let depth = 0; depth < 4; depth++) {
    r.routers += 64 - p[7];
    let nh = p[6], o = 40;
    while ((nh === 0 || nh === 43 || nh === 60 || nh === 51) && o + 8 <= p.length) {
      if (nh === 51) r.ah = true;
      const l = nh === 51 ? (p[o + 1] + 2) * 4 : (p[o + 1] + 1) * 8;
      nh = p[o]; o += l;
    }
    if (nh === 41) { r.tunnelled = true; p = p.subarray(o); continue; }
    r.nh = nh;
    r.inner = p;
    r.innerSrc = formatIp6(p.subarray(8, 24));
    r.innerDst = formatIp6(p.subarray(24, 40));
    if (nh === 17) r.dport = (p[o + 2] << 8) | p[o + 3];
    if (nh === 58) { r.icmp = p[o]; r.icmpAt = o; }
    break;
  }
  return r;
}

function run(name, scenario = load(name)) {
  const frames = [];
  const sim = new Simulation(validateScenario(scenario), firmware, {
    keepEvents: true, timeline: true, onFrame: (seg, f, t) => { const x = parse6(seg, f, t); if (x) frames.push(x); },
  });
  sim.run();
  const counters = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  const dumps = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.dump("bindings6")]));
  sim.close();
  const s = sim.summary();
  const ev = sim.events.kept.filter((e) => e.kind !== "log");
  return { sim, s, ev, of: (node, kind) => ev.filter((e) => e.node === node && e.kind === kind), frames, counters, dumps };
}

/** Datagrams of port `port` per wired segment within [t0, t1), and the path stretch: segments per datagram / the direct route's. */
function path(r, port, t0, t1, countOn) {
  const per = {};
  for (const x of r.frames) if (x.dport === port && x.t >= t0 && x.t < t1 && WIRED.includes(x.seg)) per[x.seg] = (per[x.seg] ?? 0) + 1;
  const n = per[countOn] ?? 0;
  const total = Object.values(per).reduce((a, b) => a + b, 0);
  return { per, n, stretch: total / n / DIRECT };
}

let ro;
const roRun = () => (ro ??= run("mip6-ro.json"));

test("mip6-ro, seed 003 §9.5: a firmware correspondent with a security association gets a Binding Update and from its acknowledgement both directions go straight (path stretch 1.0); the plain correspondent keeps the home agent's path (stretch 2.0)", () => {
  const r = roRun();
  // The binding: cn's packets reached s through the home agent's tunnel, s sent cn a Binding Update, cn
  // cached the first care-of address and acknowledged.
  const cnB = r.of("cn", "ro_binding");
  assert.equal(cnB[0]?.op, "add", JSON.stringify(cnB));
  assert.equal(cnB[0].home, HOME);
  assert.equal(cnB[0].coa, COA1);
  assert.ok(r.counters.s.mip6_mn_ro_bu_tx >= 1 && r.counters.s.mip6_mn_ro_acked >= 1);
  assert.equal(r.counters.cn.mip6_bu_accepted, r.counters.s.mip6_mn_ro_acked);
  assert.deepEqual(r.of("c2", "ro_binding"), [], "c2 (no security association) has no binding");
  assert.equal(r.counters.c2.mip6_bu_rx ?? 0, 0, "and was never sent a Binding Update");
  const registered = r.of("s", "reg_reply").find((e) => e.coa === COA1).t;
  const tRo = cnB[0].t;
  // From the acknowledgement to the next move: the first foreign visit.
  const t0 = tRo + 100, t1 = r.s.handoffs[1].atMs;
  assert.ok(t1 - t0 > 15000, `a window of ${t1 - t0} ms`);
  const cnIn = path(r, 5000, t0, t1, "cnet"), c2In = path(r, 5001, t0, t1, "cnet");
  const cnOut = path(r, 5002, t0, t1, "net1"), c2Out = path(r, 5003, t0, t1, "net1");
  // Straight: cnet and net1 once each, nothing on the wan or the home network, both ways.
  for (const x of [cnIn, cnOut]) {
    assert.ok(x.n >= 700, `${x.n} datagrams`);
    assert.equal(x.per.wan ?? 0, 0, JSON.stringify(x.per));
    assert.equal(x.per.net0 ?? 0, 0, JSON.stringify(x.per));
    assert.ok(Math.abs(x.per.cnet - x.per.net1) <= 1, JSON.stringify(x.per));
    assert.ok(Math.abs(x.stretch - 1) < 0.01, `path stretch ${x.stretch}`);
  }
  // The plain correspondent: through the home agent both ways (cnet, the wan twice, net1).
  for (const x of [c2In, c2Out]) {
    assert.ok(x.n >= 700, `${x.n} datagrams`);
    assert.ok(Math.abs(x.per.wan - 2 * x.n) <= 2, JSON.stringify(x.per));
    assert.ok(Math.abs(x.stretch - 2) < 0.01, `path stretch ${x.stretch}`);
  }
  // Routers crossed, by hop limits, as the datagrams reach the station (ap1): r alone on the direct
  // route; r, the home agent and r again through the tunnel.
  const hops = (port) => new Set(r.frames.filter((x) => x.seg === "ap1" && x.dport === port && x.t >= t0 && x.t < t1).map((x) => x.routers));
  assert.deepEqual([...hops(5000)], [1], "cn -> s: the hop count of the direct route");
  assert.deepEqual([...hops(5001)], [3], "c2 -> s: two more (the home agent and r again)");
  assert.ok(r.frames.filter((x) => x.seg === "ap1" && x.dport === 5000 && x.t >= t0 && x.t < t1).every((x) => !x.tunnelled && x.ah && x.dst === COA1),
    "to the care-of address with a Routing header, under cn's AH");
  // Nothing lost on the way in that window: every datagram on cnet reached the cell.
  const onAp1 = r.frames.filter((x) => x.seg === "ap1" && x.dport === 5000 && x.t >= t0 && x.t < t1).length;
  assert.ok(Math.abs(onAp1 - cnIn.n) <= 1, `${onAp1} of ${cnIn.n}`);
  // Latency: the direct route's (≈1.3 ms one way, ≈2.5 ms round trip) against the wan's 20 ms each way.
  const flow = (n) => r.s.flows.find((f) => f.name === n), ping = (n) => r.s.pings.find((p) => p.name === n);
  assert.ok(flow("cn-to-home").latencyMs.p50 < 2, JSON.stringify(flow("cn-to-home").latencyMs));
  assert.ok(flow("c2-to-home").latencyMs.p50 > 40, JSON.stringify(flow("c2-to-home").latencyMs));
  assert.ok(ping("cn-ping").rttMs.p50 < 3 && ping("c2-ping").rttMs.p50 > 80, JSON.stringify([ping("cn-ping").rttMs, ping("c2-ping").rttMs]));
  console.log(`# mip6-ro ${(t0 / 1000).toFixed(1)}-${(t1 / 1000).toFixed(1)} s: stretch cn ${cnIn.stretch.toFixed(2)} in / ${cnOut.stretch.toFixed(2)} out, c2 ${c2In.stretch.toFixed(2)} / ${c2Out.stretch.toFixed(2)}; ` +
    `routers cn 1, c2 3; p50 cn-to-home ${flow("cn-to-home").latencyMs.p50} ms, c2-to-home ${flow("c2-to-home").latencyMs.p50} ms; ping p50 cn ${ping("cn-ping").rttMs.p50} ms, c2 ${ping("c2-ping").rttMs.p50} ms; ` +
    `home registration ${registered - r.s.handoffs[0].atMs} ms after the move, correspondent binding ${(tRo - registered).toFixed(3)} ms after it`);
});

test("mip6-ro: the plain correspondent's stream loses only what the handoffs cost (home agent path: each move re-registered, the stream tunnelled to the new care-of address)", () => {
  const r = roRun();
  const c2 = r.s.flows.find((f) => f.name === "c2-to-home");
  assert.deepEqual(r.s.handoffs.map((h) => h.to), [`${COA1}@ap1`, `${COA2}@ap2`, `${COA1}@ap1`, "home@ap0"]);
  assert.ok(r.s.handoffs.every((h) => h.registeredMs !== null && h.registeredMs < 2000), JSON.stringify(r.s.handoffs));
  // Every gap of c2's stream lies in a handoff: from the loss of the link to the first datagram after it.
  const gaps = timelineData(r.sim, r.s).flows.find((f) => f.name === "c2-to-home").gaps;
  for (const g of gaps) assert.ok(r.s.handoffs.some((h) => g.startMs >= h.atMs - 50 && g.endMs <= h.atMs + h.interruptionMs + 50), `gap ${g.startMs}-${g.endMs}`);
  // 50 datagrams/s: the 0.12 s moves cost ≈ 6, the slow one back to ap1 (its first acknowledgement lost) ≈ 80.
  assert.ok(c2.lost <= 120, `${c2.lost} of ${c2.sent}`);
  // The home agent's tunnel (down) and the reverse tunnel (up) all along while away.
  const away = (t) => r.s.handoffs[0].atMs + 500 < t && t < r.s.handoffs[3].atMs;
  assert.ok(r.frames.filter((x) => x.dport === 5001 && x.seg === "net2" && away(x.t)).every((x) => x.tunnelled && x.src === "2001:db8:1::1" && x.dst === COA2));
  assert.ok(r.frames.filter((x) => x.dport === 5003 && x.seg === "net2" && away(x.t)).every((x) => x.tunnelled && x.src === COA2 && x.dst === "2001:db8:1::1" && x.innerSrc === HOME));
  console.log(`# mip6-ro c2-to-home: ${c2.received} of ${c2.sent}, lost ${c2.lost}; handoffs (registered / interruption ms): ${r.s.handoffs.map((h) => `${h.registeredMs}/${h.interruptionMs}`).join(", ")}`);
  // The route-optimized stream too: the mobile node updates its correspondents when its home agent accepts
  // a new care-of address (§9.5) and deletes their entries when it is home (§9.13), so cn's gaps are the
  // handoffs' (before, cn kept sending to the first care-of address: 1,522 of 2,750).
  const cnGaps = timelineData(r.sim, r.s).flows.find((f) => f.name === "cn-to-home").gaps;
  for (const g of cnGaps) assert.ok(r.s.handoffs.some((h) => g.startMs >= h.atMs - 50 && g.endMs <= h.atMs + h.interruptionMs + 100), `cn gap ${g.startMs}-${g.endMs}`);
  const cn = r.s.flows.find((f) => f.name === "cn-to-home");
  assert.ok(cn.lost <= 120, `${cn.lost} of ${cn.sent}`);
  console.log(`# mip6-ro cn-to-home (route-optimized): ${cn.received} of ${cn.sent}; gaps ${cnGaps.map((g) => `${Math.round(g.startMs)}-${Math.round(g.endMs)}`).join(", ")} ms`);
});

test("mip6-ro, §9.13 returning home: the node de-registers, the home agent's binding ends and the correspondents reach it on the home link", () => {
  const r = roRun();
  const back = r.s.handoffs[3];
  assert.equal(back.to, "home@ap0");
  const dereg = r.of("s", "reg_request").filter((e) => e.lifetimeSec === 0);
  assert.equal(dereg.length, 1, "one de-registration");
  assert.ok(dereg[0].t > back.atMs && dereg[0].coa === HOME);
  const acked = r.of("s", "reg_reply").find((e) => e.t > dereg[0].t);
  assert.equal(acked?.code, 0);
  const homeB = r.s.mip6Bindings.filter((b) => b.kind === "home");
  assert.deepEqual(homeB.map((b) => [b.careOf, b.end]), [[COA1, "moved"], [COA2, "moved"], [COA1, "deregister"]]);
  assert.ok(homeB.at(-1).untilMs > dereg[0].t && homeB.at(-1).untilMs < acked.t);
  assert.deepEqual(r.dumps.ha, [], "the home agent's cache is empty at the end");
  // From a second after the return, c2's datagrams go plainly onto the home link, none into a tunnel.
  const after = r.frames.filter((x) => x.dport === 5001 && x.t > acked.t + 1000);
  assert.ok(after.length > 200);
  assert.ok(after.every((x) => !x.tunnelled), "nothing tunnelled");
  assert.ok(after.filter((x) => x.seg === "net0").length >= 200 && after.every((x) => x.seg !== "net1" && x.seg !== "net2"), "on the home link");
  assert.ok(r.frames.filter((x) => x.dport === 5003 && x.t > acked.t + 1000).every((x) => !x.tunnelled && x.src === HOME));
  // c2's stream: one gap at the return, shorter than the handoff's registration plus 50 ms.
  const gaps = timelineData(r.sim, r.s).flows.find((f) => f.name === "c2-to-home").gaps.filter((g) => g.endMs > back.atMs - 100);
  assert.equal(gaps.length, 1, JSON.stringify(gaps));
  assert.ok(gaps[0].endMs - gaps[0].startMs < back.registeredMs + 50, JSON.stringify([gaps, back]));
});

test("mip6-ro: the summary lists the Mobile IPv6 bindings with their care-of addresses, as the caches hold them (dump table 9); the run is deterministic", () => {
  const r = roRun();
  // The correspondent's binding follows each registration (§9.5) and goes when the node is home.
  assert.deepEqual(r.s.mip6Bindings.map((b) => [b.node, b.kind, b.home, b.careOf, b.end]), [
    ["ha", "home", HOME, COA1, "moved"], ["cn", "correspondent", HOME, COA1, "moved"], ["ha", "home", HOME, COA2, "moved"],
    ["cn", "correspondent", HOME, COA2, "moved"], ["ha", "home", HOME, COA1, "deregister"], ["cn", "correspondent", HOME, COA1, "delete"]]);
  // What is still open is what the caches hold at the end.
  for (const node of ["ha", "cn", "c2"]) {
    assert.deepEqual(r.s.mip6Bindings.filter((b) => b.node === node && b.untilMs === null).map((b) => [b.home, b.careOf]),
      r.dumps[node].map((d) => [d.home, d.careOf]), node);
  }
  const text = renderSummary(r.s);
  assert.match(text, /Mobile IPv6 bindings \(6\)/);
  assert.match(text, new RegExp(`cn +correspondent +2001:db8:1::20 +${COA2} +[\\d.]+ +[\\d.]+ +moved`));
  assert.match(text, new RegExp(`ha +home +2001:db8:1::20 +${COA2} +[\\d.]+ +[\\d.]+ +moved`));
  const again = new Simulation(validateScenario(load("mip6-ro.json")), firmware, {});
  again.run();
  again.close();
  assert.equal(summaryJson(again.summary()), summaryJson(r.s), "byte-identical summary for the same seed");
});

test("mip6-ro timeline: BU / BA marks and each new care-of address on the station's lane, its agent band by care-of address, the correspondent's binding (RO:add) and the bindings table", () => {
  const r = roRun();
  const d = timelineData(r.sim, r.s);
  const lane = d.lanes.find((l) => l.node === "s");
  assert.deepEqual(lane.agents.map((a) => a.label), ["home", COA1, COA2, COA1, "home"]);
  const bu = lane.registrations.filter((m) => m.label === "BU"), ba = lane.registrations.filter((m) => m.label === "BA");
  assert.equal(bu.length, r.of("s", "reg_request").length);
  assert.equal(ba.length, r.of("s", "reg_reply").length);
  assert.match(bu.at(-1).detail, /de-registration/);
  const coa = lane.other.filter((m) => m.label === "CoA").map((m) => m.detail);
  assert.deepEqual(coa, [`care-of address ${COA1}`, `care-of address ${COA2} (was ${COA1})`, `care-of address ${COA1} (was ${COA2})`]);
  const cn = d.agents.find((a) => a.node === "cn").markers;
  assert.ok(cn.some((m) => m.label === "RO:add" && m.detail.includes(`${HOME} → ${COA1}`)), JSON.stringify(cn));
  assert.ok(d.agents.find((a) => a.node === "ha").markers.some((m) => m.label === "B:deregister"));
  const html = renderTimeline(d);
  for (const t of ["Mobile IPv6 bindings (6)", `<td>${COA2}</td>`, "<td>correspondent</td>"]) assert.ok(html.includes(t), t);
  // The marks are drawn by the page's script from its data: [tMs, kind, label, detail].
  const pd = JSON.parse(/<script type="application\/json" id="tl-data">(.*?)<\/script>/s.exec(html)[1]);
  const labels = new Set([...pd.lanes.flatMap((l) => [...l.reg, ...l.other]), ...pd.agents.flatMap((a) => a.marks)].map((m) => m[2]));
  for (const t of ["BU", "BA", "CoA", "RO:add"]) assert.ok(labels.has(t), t);
});

test("mip6-renumber, §8.5: a home prefix added to the running home agent (scenario changes) goes to the registered mobile node as the home link's Router Advertisement through the tunnel; the node, away, does not take it for its own link's", () => {
  const r = run("mip6-renumber.json");
  const [away, back] = r.s.handoffs;
  assert.deepEqual(r.of("ha", "config_change").map((e) => [e.t, e.what]), [[20000, "2001:db8:2::1/64 on eth0 (advertised)"]]);
  assert.ok(away.atMs < 20000 && back.atMs > 21000, "away when the prefix comes");
  assert.equal(r.counters.ha.mip6_ha_ra_tunnelled, 1, "one advertisement for the one registered mobile node");
  // On the foreign cell: from the home agent's home-link address to the care-of address, under AH, an
  // advertisement inside with both home prefixes.
  const ra = r.frames.filter((x) => x.seg === "ap1" && x.tunnelled && x.nh === 58 && x.icmp === 134);
  assert.equal(ra.length, 1);
  assert.ok(ra[0].t >= 20000 && ra[0].t < 20100, `at ${ra[0].t}`);
  assert.equal(ra[0].src, "2001:db8:1::1");
  assert.equal(ra[0].dst, "2001:db8:11::ff:fe00:20");
  assert.ok(ra[0].ah);
  assert.equal(ra[0].innerDst, HOME);
  assert.ok(ra[0].innerSrc.startsWith("fe80::"));
  const m = ra[0].inner.subarray(ra[0].icmpAt), prefixes = [];
  for (let o = 16; o + 8 <= m.length && m[o + 1]; o += m[o + 1] * 8) if (m[o] === 3) prefixes.push(formatIp6(m.subarray(o + 16, o + 32)));
  assert.deepEqual(prefixes.sort(), ["2001:db8:1::", "2001:db8:2::"]);
  // The mobile node takes it from its home agent's tunnel as the home link's (§8.5, its AH verified under
  // the home agent's SA) and forms its home address on the new prefix with its home interface identifier;
  // nothing of it is taken for the foreign link's: no router, no other address, no de-registration while away.
  assert.equal(r.counters.s.drop_tun6_inner ?? 0, 0);
  assert.equal(r.counters.s.mip6_mn_ra_rx, 1);
  assert.equal(r.counters.s.mip6_mn_home_added, 1);
  const whileAway = (e) => e.t > 20000 && e.t < back.atMs;
  assert.deepEqual(r.of("s", "router6").filter(whileAway), []);
  assert.deepEqual(r.of("s", "addr6").filter(whileAway).map((e) => [e.addr, e.state]), [["2001:db8:2::20", "preferred"]]);
  assert.deepEqual(r.of("s", "reg_request").filter((e) => whileAway(e) && e.lifetimeSec === 0), []);
  // Home again: the node de-registers and keeps its home address on the new prefix (formed away, §8.5).
  assert.equal(back.to, "home@ap0");
  assert.deepEqual(r.of("s", "addr6").filter((e) => e.t > back.atMs && e.addr.startsWith("2001:db8:2:") && e.state !== "preferred"), []);
  assert.deepEqual(r.s.mip6Bindings.map((b) => [b.careOf, b.end]), [["2001:db8:11::ff:fe00:20", "deregister"]]);
  // The correspondent's traffic never noticed: losses only at the two moves.
  const ping = r.s.pings[0], flow = r.s.flows[0];
  assert.ok(ping.lost <= 10 && flow.lost <= 20, JSON.stringify([ping, flow]));
  const d = timelineData(r.sim, r.s);
  assert.ok(d.agents.find((a) => a.node === "ha").markers.some((x) => x.label === "cfg" && x.tMs === 20000));
  console.log(`# mip6-renumber: advertisement tunnelled ${(ra[0].t - 20000).toFixed(3)} ms after the change; pings ${ping.received}/${ping.sent}, stream ${flow.received}/${flow.sent}`);
});
