// Mobile IP end to end in the emulated network: every scenarios/mip-*.json run in full, asserting on
// delivered traffic, registrations (accepted, denied by code), bindings and visitors (events), what
// crosses the wires (tunnelled packets, advertisements, gratuitous ARP) and the handoffs. The
// interruption target of a handoff with a new access point reported by the host is the association
// delay + one round trip of the registration to the home agent + 20 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, parseIp, formatIp } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

/** One frame as the tests need it (IPv4 parsed, tunnels' inner header, ICMP type, ARP fields). */
function parseFrame(seg, f, tUs) {
  const type = (f[12] << 8) | f[13];
  const r = { seg, t: tUs / 1000, ethSrc: Array.from(f.subarray(6, 12), (b) => b.toString(16).padStart(2, "0")).join(":"), type };
  if (type === 0x0806) {
    const dv = new DataView(f.buffer, f.byteOffset + 14);
    Object.assign(r, { arpOp: dv.getUint16(6), spa: formatIp(dv.getUint32(14)), tpa: formatIp(dv.getUint32(24)) });
  } else if (type === 0x0800) {
    const dv = new DataView(f.buffer, f.byteOffset + 14);
    const ihl = (f[14] & 15) * 4;
    Object.assign(r, { proto: f[23], src: formatIp(dv.getUint32(12)), dst: formatIp(dv.getUint32(16)) });
    if (r.proto === 4) Object.assign(r, { innerSrc: formatIp(dv.getUint32(ihl + 12)), innerDst: formatIp(dv.getUint32(ihl + 16)), innerProto: f[14 + ihl + 9] });
    if (r.proto === 1) {
      r.icmpType = f[14 + ihl];
      if (r.icmpType === 9) r.advert = host.parseAgentAdvert(f.subarray(14 + ihl));
    }
    if (r.proto === 17) r.dport = dv.getUint16(ihl + 2);
  }
  return r;
}

/** Run a scenario to its end; events kept, frames of interest recorded. */
function run(name, { keepFrames = (x) => x.proto === 4 || x.type === 0x0806 || x.icmpType === 9 } = {}) {
  const frames = [];
  const sim = new Simulation(validateScenario(load(name)), firmware, {
    keepEvents: true,
    onFrame: (seg, f, t) => { const x = parseFrame(seg, f, t); if (keepFrames(x)) frames.push(x); },
  });
  sim.run();
  sim.close();
  const s = sim.summary();
  const ev = sim.events.kept.filter((e) => e.kind !== "log");
  const of = (node, kind) => ev.filter((e) => e.node === node && e.kind === kind);
  return { sim, s, ev, of, frames };
}

/** Arrival times (ms) at the sink of a flow. */
function arrivals(sim, flowName) {
  const f = sim.flows.find((x) => x.source.name === flowName);
  return f;
}

/** The accepted registration that ended a handoff of `node` (first accepted reply after atMs) and its request. */
function exchange(r, node, atMs) {
  const reply = r.of(node, "reg_reply").find((e) => e.t > atMs && e.code <= 1);
  const req = reply && r.of(node, "reg_request").filter((e) => e.t <= reply.t && e.t > atMs).at(-1);
  return { req, reply };
}

/** Every handoff with a new access point reported by the host meets the interruption target. */
function assertTarget(r, h, assocDelayMs) {
  const { req, reply } = exchange(r, h.node, h.atMs);
  assert.ok(reply, `an accepted registration after the handoff at ${h.atMs}`);
  const rtt = reply.t - req.t;
  const target = assocDelayMs + rtt + 20;
  assert.ok(h.interruptionMs !== null && h.interruptionMs <= target, `handoff at ${h.atMs}: interruption ${h.interruptionMs} ms > target ${target.toFixed(3)} ms (association ${assocDelayMs} + registration RTT ${rtt.toFixed(3)} + 20)`);
  assert.ok(h.registeredMs !== null && h.registeredMs <= assocDelayMs + rtt + 20, `registered ${h.registeredMs} ms after the link loss`);
}

const roam = run("mip-roam.json");

test("mip-roam: home → fa1 → fa2 → home, three handoffs within the interruption target, the stream's only losses", () => {
  const { s } = roam;
  assert.deepEqual(s.handoffs.map((h) => [h.node, h.from, h.to]), [
    ["mn", "home@ap-home", "fa1@ap1"], ["mn", "fa1@ap1", "fa2@ap2"], ["mn", "fa2@ap2", "home@ap-home"],
  ]);
  for (const h of s.handoffs) assertTarget(roam, h, 50);
  const f = s.flows.find((x) => x.name === "cbr-cn-mn");
  assert.equal(f.sent, 11600);
  assert.deepEqual([f.duplicates, f.reordered], [0, 0]);
  assert.equal(f.lost, s.handoffs.reduce((n, h) => n + h.lost, 0), "every lost packet falls in a handoff");
  for (const h of s.handoffs) assert.ok(h.lost <= Math.ceil((h.interruptionMs * 200) / 1000), `lost ${h.lost} in ${h.interruptionMs} ms at 200/s`);
  const back = s.pings.find((p) => p.name === "ping-mn-cn");
  assert.equal(back.lost, 0, "the mobile node's own packets go out through the foreign agents (triangle routing)");
});

test("mip-roam: registrations all accepted; the home agent binds, replaces the binding at a move (not a deregistration) and deregisters at home; the foreign agents accept visitors", () => {
  const { s, of } = roam;
  assert.equal(s.registrations.requested, s.registrations.accepted);
  assert.ok(s.registrations.accepted >= 3);
  assert.deepEqual([s.registrations.denied, s.registrations.agentDenied], [{}, {}]);
  const reqs = of("mn", "reg_request");
  assert.deepEqual(reqs.slice(0, 3).map((e) => [e.coa, e.viaFa, e.lifetimeSec > 0]), [["10.2.0.1", true, true], ["10.3.0.1", true, true], ["10.1.0.20", false, false]]);
  const b = of("ha", "binding").map((e) => [e.op, e.coa]);
  assert.deepEqual(b.filter(([op]) => op !== "refresh"), [["add", "10.2.0.1"], ["replace", "10.2.0.1"], ["add", "10.3.0.1"], ["deregister", "10.3.0.1"]]);
  assert.ok(of("fa1", "visitor").some((e) => e.op === "accepted" && e.home === "10.1.0.20"));
  assert.ok(of("fa2", "visitor").some((e) => e.op === "accepted" && e.home === "10.1.0.20"));
  assert.deepEqual(of("mn", "home").map((e) => e.atHome), [true, false, true]);
});

test("mip-roam: IP-in-IP from the home agent to the current care-of address only; gratuitous ARP on leaving and on returning home", () => {
  const { frames, of } = roam;
  const tunnel = frames.filter((x) => x.seg === "core" && x.proto === 4);
  const [h1, , h3] = roam.s.handoffs.map((h) => h.atMs);
  const adds = of("ha", "binding").filter((e) => e.op === "add");
  const dereg = of("ha", "binding").filter((e) => e.op === "deregister").at(-1);
  assert.ok(tunnel.length > 5000, `${tunnel.length} tunnelled packets`);
  for (const x of tunnel) {
    assert.equal(x.src, "10.1.0.1");
    assert.equal(x.innerDst, "10.1.0.20");
    assert.ok(x.t > h1 && x.t >= adds[0].t, "nothing tunnelled while at home");
    assert.ok(x.t <= dereg.t && x.t < h3 + 60, "nothing tunnelled after the deregistration");
    assert.equal(x.dst, x.t < adds[1].t ? "10.2.0.1" : "10.3.0.1", `at ${x.t}`);
  }
  const reg1 = of("ha", "binding")[0].t;
  const gratHa = frames.filter((x) => x.seg === "home" && x.arpOp === 1 && x.spa === "10.1.0.20" && x.tpa === "10.1.0.20" && x.ethSrc === "02:00:00:01:00:01");
  assert.ok(gratHa.length >= 1 && gratHa[0].t >= reg1 && gratHa[0].t < reg1 + 1, "home agent announces the home address with its own MAC (RFC 2002 §4.6)");
  const gratMn = frames.filter((x) => x.seg === "home" && x.arpOp === 1 && x.spa === "10.1.0.20" && x.tpa === "10.1.0.20" && x.ethSrc === "02:00:00:01:00:20");
  assert.ok(gratMn.some((x) => x.t > h3), "the mobile node announces its own MAC when back home");
  const adverts = frames.filter((x) => x.icmpType === 9 && x.advert);
  for (const [seg, flag] of [["home", host.MA_H], ["net1", host.MA_F], ["net2", host.MA_F]]) {
    const a = adverts.filter((x) => x.seg === seg);
    assert.ok(a.length >= 50, `${seg}: ${a.length} advertisements`);
    assert.ok(a.every((x) => x.advert.flags & flag), `${seg}: agent flag`);
  }
});

test("mip-roam: pings to the home address are answered while away (the core's echo replies leave like the node's own packets)", () => {
  const p = roam.s.pings.find((x) => x.name === "ping-cn-mn");
  assert.ok(p.lost <= roam.s.handoffs.length, `${p.lost} of ${p.sent} lost`);
  assert.equal(roam.s.boards.mn.counters.drop_arp_unresolved, 0);
});

test("mip-colocated: DHCP co-located care-of address, direct registration (D), tunnel to the mobile node itself", () => {
  const r = run("mip-colocated.json");
  const { s, of } = r;
  assert.equal(s.dhcp.dhcp3.bound, 1);
  assert.ok(s.dhcp.dhcp3.ack >= 1);
  const d = of("mn", "dhcp").find((e) => e.op === "bound");
  assert.deepEqual([d.addr, d.router], ["10.4.0.100", "10.4.0.1"]);
  const req = of("mn", "reg_request").find((e) => e.coa === "10.4.0.100");
  assert.ok(req && !req.viaFa && req.flagNames.includes("D"), JSON.stringify(req));
  assert.ok(of("ha", "binding").some((e) => e.op === "add" && e.coa === "10.4.0.100"));
  assert.deepEqual(s.handoffs.map((h) => [h.from, h.to]), [["home@ap-home", "colocated@ap3"], ["colocated@ap3", "home@ap-home"]]);
  const [away, home] = s.handoffs;
  assert.ok(away.registeredMs !== null && away.registeredMs < 6000, `registered ${away.registeredMs} ms after leaving home`);
  assertTarget(r, home, 50);
  const tunnel = r.frames.filter((x) => x.proto === 4 && x.seg === "net3");
  assert.ok(tunnel.length > 2000 && tunnel.every((x) => x.dst === "10.4.0.100" && x.innerDst === "10.1.0.20"), `${tunnel.length} tunnelled to the care-of address on net3`);
  const f = s.flows[0];
  assert.equal(f.lost, away.lost + home.lost, "no loss while registered with the co-located address");
});

test("mip-wrong-key: the home agent denies with 131, makes no binding, tunnels nothing", () => {
  const r = run("mip-wrong-key.json");
  const { s, of } = r;
  assert.equal(s.registrations.accepted, 0);
  assert.ok(s.registrations.requested >= 2, "the mobile node keeps trying (with back-off)");
  assert.deepEqual(Object.keys(s.registrations.agentDenied), ["131"]);
  assert.equal(s.registrations.agentDenied["131"], of("ha", "reg_denied").length);
  assert.ok(of("ha", "auth_failed").length >= 1 && of("ha", "auth_failed").every((e) => e.role === "home-agent" && e.extType === 32));
  assert.deepEqual(of("ha", "binding"), []);
  assert.ok(of("fa1", "visitor").every((e) => e.op !== "accepted"));
  assert.deepEqual(r.frames.filter((x) => x.proto === 4), [], "nothing tunnelled");
  const h = s.handoffs[0];
  assert.deepEqual([h.to, h.interruptionMs, h.registeredMs], ["none@ap1", null, null]);
  const f = s.flows[0];
  assert.equal(f.received, Math.round((h.atMs - 1000) / 10), "nothing arrives after leaving home");
});

test("mip-replay: a replayed request is denied with 133 and changes nothing; a skewed clock resynchronises after 133", () => {
  const r = run("mip-replay.json");
  const { s, of, ev } = r;
  const replay = ev.find((e) => e.kind === "action" && e.action === "replayLastRegistration");
  assert.ok(replay.bytes > 0, "a request was captured on the core");
  const denied = of("ha", "reg_denied").filter((e) => e.t >= 20000 && e.t < 20010);
  assert.deepEqual(denied.map((e) => [e.code, e.home]), [[133, "10.1.0.20"]]);
  assert.ok(of("ha", "binding").every((e) => e.t < 20000 || e.t > 20010), "binding unchanged by the replay");
  const f = s.flows.find((x) => x.name === "cbr-cn-mn");
  assert.equal(f.lost, s.handoffs.filter((h) => h.node === "mn").reduce((n, h) => n + h.lost, 0), "the replay costs no packet");
  // mn2: an hour slow; 133 with the home agent's time, then accepted.
  const replies = of("mn2", "reg_reply").map((e) => e.code);
  assert.deepEqual(replies.slice(0, 2), [133, 0]);
  assert.deepEqual(s.registrations.denied, { 133: 1 });
  assert.deepEqual(s.registrations.agentDenied, { 133: 2 });
  assert.ok(of("ha", "binding").some((e) => e.op === "add" && e.home === "10.1.0.21"));
  const h2 = s.handoffs.find((h) => h.node === "mn2");
  assert.equal(h2.to, "fa1@ap1");
  assert.ok(s.flows.find((x) => x.name === "cbr-cn-mn2").received > 1800);
});

test("mip-unknown-ha: directed-broadcast home agent → 136 with the real address → accepted", () => {
  const r = run("mip-unknown-ha.json");
  const { s, of } = r;
  const reqs = of("mn", "reg_request");
  assert.deepEqual(reqs.slice(0, 2).map((e) => e.ha), ["10.1.0.255", "10.1.0.1"]);
  // Issue 7.6 (RFC 2002 §3.6.3): the retry after the 136 waits until a second after the first
  // request (on the board's whole-millisecond clock; event times carry the simulator's fraction).
  assert.ok(reqs[1].t - reqs[0].t > 999 && reqs[1].t - reqs[0].t < 1010, `retry ${reqs[1].t - reqs[0].t} ms after the first request`);
  assert.deepEqual(of("mn", "reg_reply").slice(0, 2).map((e) => [e.code, e.ha]), [[136, "10.1.0.1"], [0, "10.1.0.1"]]);
  assert.deepEqual(s.registrations.denied, { 136: 1 });
  assert.ok(of("ha", "binding").some((e) => e.op === "add" && e.coa === "10.2.0.1"));
  const home = reqs.find((e) => e.lifetimeSec === 0);
  assert.ok(home && home.ha === "10.1.0.1", "deregisters at home with the home agent it learned");
  const f = s.flows[0];
  // The stream starts with the first request (1 s) at 100/s: the second until the retry is lost
  // (about 100 datagrams), then only the handoff home.
  assert.ok(f.received > 2650, `${f.received} of ${f.sent} received`);
});

test("mip-expiry: the switched-off node's binding expires at the home agent; tunnelling stops", () => {
  const r = run("mip-expiry.json");
  const { s, of } = r;
  const reg = of("mn", "reg_request")[0];
  const exp = of("ha", "binding").find((e) => e.op === "expire");
  assert.ok(exp, "binding expired");
  assert.ok(exp.t >= reg.t + 20000 - 1 && exp.t <= reg.t + 20000 + 1000, `expired at ${exp.t}, request at ${reg.t}, lifetime 20 s`);
  assert.ok(of("fa1", "visitor").some((e) => e.op === "expired"), "the foreign agent's visitor entry expires too");
  const tunnel = r.frames.filter((x) => x.seg === "core" && x.proto === 4);
  assert.ok(tunnel.some((x) => x.t > 15000 && x.t < exp.t), "still tunnelled while the binding lasts");
  assert.deepEqual(tunnel.filter((x) => x.t > exp.t + 1), [], "nothing tunnelled after the expiry");
  assert.equal(s.registrations.requested, 1);
  const f = s.flows[0];
  assert.ok(f.received < 1500, "nothing received after the node stopped");
});

test("mip-busy: the busy foreign agent advertises B and is not used; the other one on the link is", () => {
  const r = run("mip-busy.json");
  const { s, of } = r;
  const net1 = r.frames.filter((x) => x.seg === "net1" && x.advert);
  const fa1 = net1.filter((x) => x.src === "10.2.0.1"), fa3 = net1.filter((x) => x.src === "10.2.0.3");
  assert.ok(fa1.length > 10 && fa1.every((x) => x.advert.flags & host.MA_B), "fa1 advertises busy");
  assert.ok(fa3.length > 10 && fa3.every((x) => !(x.advert.flags & host.MA_B)));
  assert.ok(of("mn", "reg_request").every((e) => e.coa !== "10.2.0.1"));
  assert.deepEqual(of("fa1", "visitor"), []);
  assert.ok(of("fa3", "visitor").some((e) => e.op === "accepted"));
  assert.deepEqual(s.handoffs.map((h) => h.to), ["fa3@ap1"]);
  assertTarget(r, s.handoffs[0], 50);
});

test("mip-simultaneous: S bit keeps both care-of addresses; one copy per care-of address; the sink counts duplicates", () => {
  const r = run("mip-simultaneous.json");
  const { s, of } = r;
  const reqs = of("mn", "reg_request");
  assert.ok(reqs.length >= 2 && reqs.every((e) => e.flagNames.includes("S")));
  const b = of("ha", "binding");
  assert.deepEqual(b.filter((e) => e.op === "add").map((e) => e.coa), ["10.2.0.1", "10.2.0.2"]);
  assert.ok(!b.some((e) => e.op === "deregister"), "the first binding is kept");
  const second = b.find((e) => e.coa === "10.2.0.2").t;
  const tunnel = r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.innerProto === 17 && x.t > second + 1);
  const to = (a) => tunnel.filter((x) => x.dst === a).length;
  assert.ok(to("10.2.0.1") > 1000 && Math.abs(to("10.2.0.1") - to("10.2.0.2")) <= 2, `copies ${to("10.2.0.1")} / ${to("10.2.0.2")}`);
  const f = s.flows[0];
  assert.ok(f.duplicates >= to("10.2.0.2") - 2 && f.duplicates <= to("10.2.0.2"), `${f.duplicates} duplicates, ${to("10.2.0.1")} + ${to("10.2.0.2")} copies of the stream`);
  assert.equal(s.handoffs.at(-1).to, "fa2@ap2");
});

test("mip-ha-reboot: bindings lost with the restart; the stream resumes once the mobile node registers again", () => {
  const r = run("mip-ha-reboot.json");
  const { s, of, ev } = r;
  assert.ok(ev.some((e) => e.kind === "action" && e.node === "ha" && e.action === "restart" && e.t === 15000));
  const before = of("ha", "binding").filter((e) => e.t < 15000);
  const after = of("ha", "binding").filter((e) => e.t > 15000);
  assert.ok(before.length >= 1 && after.length >= 1 && after[0].op === "add", "a fresh binding after the restart");
  const tunnel = r.frames.filter((x) => x.seg === "core" && x.proto === 4);
  assert.deepEqual(tunnel.filter((x) => x.t > 15000 && x.t < after[0].t), [], "nothing tunnelled while the binding is missing");
  const flow = s.flows[0];
  const regAfter = of("mn", "reg_reply").find((e) => e.t > 15000 && e.code === 0);
  assert.ok(regAfter && regAfter.t < 15000 + 20000, "registered again within one lifetime");
  assert.ok(tunnel.some((x) => x.t > after[0].t && x.t < after[0].t + 20), "tunnelled again as soon as the binding is back");
  const lostWindow = Math.round((after[0].t - 15000) / 10);
  assert.ok(flow.lost >= lostWindow - 2 && flow.lost <= lostWindow + s.handoffs[0].lost + 3, `${flow.lost} lost, outage ${lostWindow} packets`);
});

test("mip-ha-reboot: the first registration after the restart is answered (the absent node's traffic does not starve the reply of ARP slots)", () => {
  const r = run("mip-ha-reboot.json");
  const req = r.of("mn", "reg_request").find((e) => e.t > 15000);
  const rep = r.of("mn", "reg_reply").find((e) => e.t > req.t);
  assert.ok(rep.t - req.t < 100, `reply ${rep.t - req.t} ms after the request`);
});

test("mip scenarios: same seed, same summary (determinism with Mobile IP)", () => {
  const again = run("mip-roam.json");
  assert.equal(JSON.stringify(again.s), JSON.stringify(roam.s));
});

test("mip-reverse (issue 7.16): rfc3344 T bit end to end — the foreign agents reverse-tunnel mn's datagrams, the home agent forwards them, nothing is lost", () => {
  const r = run("mip-reverse.json", { keepFrames: (x) => x.proto === 4 });
  const b = r.s.boards;
  const req = r.of("mn", "reg_request").filter((e) => e.viaFa);
  assert.ok(req.length >= 2 && req.every((e) => (e.flags & 0x03) === 0x02 && e.flagNames === "T"), `requests via a foreign agent carry T and never 0x01: ${req.map((e) => e.flagNames)}`);
  assert.ok(b.fa1.counters.fa_reverse_tunnelled > 0 && b.fa2.counters.fa_reverse_tunnelled > 0, "both foreign agents tunnelled");
  assert.equal(b.ha.counters.ha_reverse_tunnelled, b.fa1.counters.fa_reverse_tunnelled + b.fa2.counters.fa_reverse_tunnelled, "every one taken out and forwarded");
  assert.equal(b.ha.counters.drop_ha_reverse_spoofed ?? 0, 0);
  assert.equal(b.fa1.counters.forwarded ?? 0, 0, "nothing from the visitor routed plainly");
  // On the core, IP-in-IP from a care-of address to the home agent, inner source the home address.
  const up = r.frames.filter((x) => x.seg === "core" && x.dst === "10.1.0.1" && (x.src === "10.2.0.1" || x.src === "10.3.0.1"));
  assert.ok(up.length > 0 && up.every((x) => x.innerSrc === "10.1.0.20"), "reverse-tunnelled frames on the core, inner source the home address");
  const ping = r.s.pings.find((x) => x.name === "ping-mn-cn");
  assert.ok(ping.sent > 50 && ping.received === ping.sent, `mn's pings answered: ${ping.received}/${ping.sent}`);
  for (const h of r.s.handoffs) assertTarget(r, h, 50);
});
