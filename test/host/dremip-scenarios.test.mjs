// Distributed registration end to end in the emulated network (issue 11 points 4, 7, 8; seed 002
// appendix D): scenarios/dremip-*.json run in full, asserting on the registrations each node made
// (events), the tunnel chain on the wires (who tunnels to whom) and the data delivered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";
import { loadScenario, runScenario } from "../lib/simrun.mjs";

const { Simulation, validateScenario, formatIp } = host;

const load = loadScenario;
const run = runScenario;

const MOVE_MS = 10380; // mn leaves ap1 for ap2 (the scenarios' waypoints)
const tunnelled = (r, seg, src, dst, after = 0, before = Infinity) =>
  r.frames.filter((x) => x.seg === seg && x.proto === 4 && x.src === src && x.dst === dst && x.innerDst === "10.1.0.20" && x.dport === 5000 && x.t > after && x.t < before).length;

test("002 D.1 local and home registrations: tunnel chain ha -> coa1 -> fa; a handoff inside the domain reaches only the local server", () => {
  const r = run("dremip-local-home.json");
  const req = r.of("mn", "reg_request");
  // D.1.1: the local registration: R, Binding Registrar = rs2 (from the advertisement's extension 81), child care-of address = fa1.
  assert.deepEqual([req[0].flagNames, req[0].ha, req[0].coa], ["R", "10.0.0.5", "10.2.0.1"]);
  assert.ok(r.of("rs2", "dr_reg").some((e) => e.op === "accepted" && e.childCoa === "10.2.0.1" && e.other === "10.0.0.6"));
  assert.ok(r.of("coa1", "dr_route").some((e) => e.op === "enable" && e.nextHop === "10.2.0.1" && e.server === "10.0.0.5"));
  // D.1.2: the home registration, relayed by rs2 to the home server hs, care-of address = the parent coa1.
  assert.deepEqual([req[1].flagNames, req[1].ha, req[1].coa], ["R", "10.1.0.2", "10.0.0.6"]);
  assert.ok(r.of("rs2", "dr_reg").some((e) => e.op === "relayed" && e.other === "10.1.0.2"));
  assert.ok(r.of("hs", "dr_reg").some((e) => e.op === "accepted" && e.childCoa === "10.0.0.6" && e.other === "10.1.0.1"));
  // The home server's Route Request made the binding at the home agent (§7.5).
  assert.deepEqual(r.of("ha", "binding").map((e) => [e.op, e.coa]), [["add", "10.0.0.6"]]);
  // Every reply the mobile node got was an acceptance.
  assert.ok(r.of("mn", "reg_reply").every((e) => e.accepted));
  // The chain on the wires: ha tunnels to coa1 over the wan, coa1 to fa1, then to fa2.
  assert.ok(tunnelled(r, "wan", "10.1.0.1", "10.0.0.6") > 700, "ha -> coa1");
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.2.0.1", 0, MOVE_MS) > 250, "coa1 -> fa1");
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.3.0.1", MOVE_MS) > 400, "coa1 -> fa2");
  assert.equal(tunnelled(r, "wan", "10.1.0.1", "10.2.0.1"), 0, "ha never tunnels to a foreign agent itself");
  // §8.4: the handoff made a local registration only: no Mobile IP message crossed the wan after it.
  const mipWan = r.frames.filter((x) => x.seg === "wan" && x.proto === 17 && x.dport === 434 && x.t > MOVE_MS);
  assert.equal(mipWan.length, 0, JSON.stringify(mipWan.slice(0, 3)));
  assert.ok(r.of("coa1", "dr_route").some((e) => e.op === "refresh" && e.nextHop === "10.3.0.1" && e.t > MOVE_MS));
  assert.equal(r.counters.mn.mn_dr_home_tx, 1);
  assert.equal(r.counters.mn.mn_dr_home_skipped, 1);
  // The tables at the end (dump tables 7 and 8): coa1 tunnels mn to fa2; rs2 and hs each hold mn's
  // registration in force (child fa2 / parent coa1, child coa1 / parent ha); nobody else has any.
  const fi = (x) => host.formatIp(x);
  assert.deepEqual(r.dumps.coa1.careOfRoutes.map((x) => [fi(x.home), fi(x.nextHop), fi(x.server), x.lifetimeSec]), [["10.1.0.20", "10.3.0.1", "10.0.0.5", 30]]);
  assert.deepEqual(r.dumps.rs2.registrations.map((x) => [fi(x.home), fi(x.childCoa), fi(x.parentCoa), x.flags & 1]), [["10.1.0.20", "10.3.0.1", "10.0.0.6", 1]]);
  assert.deepEqual(r.dumps.hs.registrations.map((x) => [fi(x.home), fi(x.childCoa), fi(x.parentCoa), x.grantedSec]), [["10.1.0.20", "10.0.0.6", "10.1.0.1", 300]]);
  assert.equal(r.dumps.fa1.careOfRoutes.length + r.dumps.mn.registrations.length, 0);
  // Data: all but the datagrams of the association gap arrive.
  const f = r.s.flows[0];
  assert.ok(f.lost <= 5 && f.received >= 765, `${f.received}/${f.sent}, lost ${f.lost}`);
});

test("002 D.2 transit registration: rs2 has no key with the home server and names rs3 (67); chain ha -> coa2 -> coa1 -> fa", () => {
  const r = run("dremip-transit.json");
  const denied = r.of("rs2", "dr_reg").filter((e) => e.op === "denied");
  assert.deepEqual(denied.map((e) => [e.code, e.other]), [[67, "10.1.0.2"]]);
  assert.ok(r.of("mn", "reg_reply").some((e) => e.code === 67 && !e.accepted));
  const req = r.of("mn", "reg_request").map((e) => [e.ha, e.coa]);
  // Local (rs2, fa1), home (hs via rs2: refused), transit (rs3 via rs2, coa1), home (hs via rs3, coa2).
  assert.deepEqual(req.slice(0, 4), [["10.0.0.5", "10.2.0.1"], ["10.1.0.2", "10.0.0.6"], ["10.0.0.7", "10.0.0.6"], ["10.1.0.2", "10.0.0.8"]]);
  assert.ok(r.of("rs3", "dr_reg").some((e) => e.op === "accepted" && e.childCoa === "10.0.0.6" && e.other === "10.0.0.8"));
  assert.ok(r.of("coa2", "dr_route").some((e) => e.op === "enable" && e.nextHop === "10.0.0.6" && e.server === "10.0.0.7"));
  assert.ok(r.of("rs3", "dr_reg").some((e) => e.op === "relayed" && e.other === "10.1.0.2"));
  assert.deepEqual(r.of("ha", "binding").map((e) => [e.op, e.coa]), [["add", "10.0.0.8"]]);
  assert.ok(tunnelled(r, "wan", "10.1.0.1", "10.0.0.8") > 700, "ha -> coa2");
  assert.ok(tunnelled(r, "core", "10.0.0.8", "10.0.0.6") > 700, "coa2 -> coa1");
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.2.0.1", 0, MOVE_MS) > 250, "coa1 -> fa1");
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.3.0.1", MOVE_MS) > 400, "coa1 -> fa2");
  // After the move: one local registration; the transit and home registrations still bind.
  assert.equal(r.frames.filter((x) => x.seg === "wan" && x.proto === 17 && x.dport === 434 && x.t > MOVE_MS).length, 0);
  assert.equal(r.counters.mn.mn_dr_transit_tx, 1);
  const f = r.s.flows[0];
  assert.ok(f.lost <= 5 && f.received >= 765, `${f.received}/${f.sent}, lost ${f.lost}`);
});

/** Registration Server extension (81) in an ICMP agent advertisement: the server addresses, or null. */
function advertServers(icmp) {
  let o = 8 + icmp[4] * icmp[5] * 4;
  while (o + 1 < icmp.length) {
    const t = icmp[o];
    if (t === 0) { o++; continue; }
    const l = icmp[o + 1];
    if (t === 81) {
      const out = [];
      for (let i = 0; i < (l - 2) / 8; i++) out.push(Array.from(icmp.subarray(o + 4 + i * 8, o + 8 + i * 8)).join("."));
      return out;
    }
    o += 2 + l;
  }
  return null;
}

test("002 D.4.1: a mobile node with distributed registration in an RFC 2002 network registers with R clear with its home agent", () => {
  const r = run("dremip-interop-base-network.json");
  const adverts = r.frames.filter((x) => x.seg === "net1" && x.proto === 1 && x.icmp[0] === 9);
  assert.ok(adverts.length > 5 && adverts.every((x) => advertServers(x.icmp) === null), "base agents advertise no registration server");
  const req = r.of("mn", "reg_request");
  assert.ok(req.length >= 2);
  assert.ok(req.every((e) => e.flagNames === "" && e.ha === "10.1.0.1"), JSON.stringify(req));
  assert.deepEqual(r.of("ha", "binding").filter((e) => e.op === "add").map((e) => e.coa), ["10.2.0.1", "10.3.0.1"]);
  assert.equal(r.ev.filter((e) => e.kind === "dr_reg" || e.kind === "dr_route").length, 0);
  assert.ok(tunnelled(r, "wan", "10.1.0.1", "10.2.0.1") > 250, "ha tunnels straight to fa1");
});

test("002 D.4.2: an RFC 2002 mobile node in a distributed-registration network: extension 81 ignored, R clear, served through its home agent", () => {
  const r = run("dremip-interop-base-mn.json");
  const adverts = r.frames.filter((x) => x.seg === "net1" && x.proto === 1 && x.icmp[0] === 9);
  assert.ok(adverts.length > 5 && adverts.every((x) => JSON.stringify(advertServers(x.icmp)) === '["10.0.0.5"]'), "fa1 advertises rs2 (§7.1)");
  const req = r.of("mn", "reg_request");
  assert.ok(req.length >= 2 && req.every((e) => e.flagNames === "" && e.ha === "10.1.0.1"), JSON.stringify(req));
  // §2.9: the foreign agent relays an R-clear request to the home agent as in the base protocol.
  assert.ok(r.of("fa1", "visitor").some((e) => e.op === "accepted" && e.ha === "10.1.0.1"));
  assert.equal(r.counters.fa1.dr_fa_relayed ?? 0, 0);
  assert.equal(r.ev.filter((e) => e.kind === "dr_reg" || e.kind === "dr_route").length, 0);
  assert.deepEqual(r.of("ha", "binding").filter((e) => e.op === "add").map((e) => e.coa), ["10.2.0.1", "10.3.0.1"]);
  const f = r.s.flows[0];
  assert.ok(f.received >= 755, `${f.received}/${f.sent}`);
});

test("002 §8.4 target: the handoff inside the domain does not wait for the home network (against the base protocol in the same scenario)", () => {
  const dr = run("dremip-local-home.json").s.handoffs[0];
  const base = run("dremip-interop-base-network.json").s.handoffs[0];
  // Registered: association (50 ms) + agent discovery + the local round trip, vs + the wan round trip (200 ms).
  assert.ok(dr.registeredMs < 50 + 20, `distributed: registered after ${dr.registeredMs} ms`);
  assert.ok(base.registeredMs > 50 + 200, `base: registered after ${base.registeredMs} ms`);
  assert.ok(dr.lost < base.lost, `lost ${dr.lost} vs ${base.lost}`);
});

test("002 §2.6 local service: local registrations only; a host of the domain reaches the node through the care-of agent; nothing goes home", () => {
  const r = run("dremip-local-service.json");
  const req = r.of("mn", "reg_request");
  assert.ok(req.length >= 2 && req.every((e) => e.ha === "10.0.0.5" && e.flagNames === "R"), JSON.stringify(req));
  assert.equal(r.of("hs", "dr_reg").length + r.of("ha", "binding").length, 0, "the home network heard nothing");
  assert.equal(r.frames.filter((x) => x.seg === "wan" && x.proto === 17 && x.dport === 434).length, 0);
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.2.0.1", 0, MOVE_MS) > 250, "coa1 -> fa1");
  assert.ok(tunnelled(r, "core", "10.0.0.6", "10.3.0.1", MOVE_MS) > 400, "coa1 -> fa2");
  const f = r.s.flows[0];
  assert.ok(f.lost <= 5 && f.received >= 765 && f.latencyMs.p50 < 10, JSON.stringify(f));
});

test("002 §2.7, §8.4 foreign server smooth handoff: to a new domain, a transitional registration with the previous server carries what was in flight", () => {
  const withPrev = run("dremip-domains.json");
  const req = withPrev.of("mn", "reg_request").filter((e) => e.t > MOVE_MS).map((e) => [e.ha, e.coa]);
  // Local with rs4 (fa2), transitional with rs2 (coa3, relayed by rs4), home with hs (coa3, relayed by rs4).
  assert.deepEqual(req.slice(0, 3), [["10.0.0.15", "10.3.0.1"], ["10.0.0.5", "10.0.0.16"], ["10.1.0.2", "10.0.0.16"]]);
  assert.ok(withPrev.of("coa1", "dr_route").some((e) => e.nextHop === "10.0.0.16" && e.t > MOVE_MS), "coa1 now tunnels to coa3");
  assert.ok(tunnelled(withPrev, "core", "10.0.0.6", "10.0.0.16", MOVE_MS) > 20, "datagrams in flight to coa1 follow");
  assert.deepEqual(withPrev.of("ha", "binding").filter((e) => e.op === "add").map((e) => e.coa), ["10.0.0.6", "10.0.0.16"]);
  // Without the transitional registration (smooth handoff off) those datagrams are lost.
  const sc = load("dremip-domains.json");
  sc.nodes.find((n) => n.name === "mn").mobility.routeOptimization.smoothHandoff = false;
  const without = run("", sc);
  assert.equal(without.counters.mn.mn_dr_prev_tx ?? 0, 0);
  const a = withPrev.s.flows[0].lost, b = without.s.flows[0].lost;
  assert.ok(a + 30 < b, `lost ${a} with the transitional tunnel, ${b} without`);
});

test("002 §2.8, D.3 optimized registration: one request carries the local and the home registration; the local server relays the home part", () => {
  const r = run("dremip-combined.json");
  const before = r.of("mn", "reg_request").filter((e) => e.t < MOVE_MS);
  assert.equal(before.length, 1, "one request for both registrations");
  assert.deepEqual([before[0].ha, before[0].coa], ["10.0.0.5", "10.2.0.1"]);
  const rs2 = r.of("rs2", "dr_reg").filter((e) => e.t < MOVE_MS);
  assert.deepEqual(rs2.map((e) => e.op), ["pending", "accepted", "relayed", "relay_done"]);
  assert.deepEqual([rs2[2].childCoa, rs2[2].other, rs2[2].lifetimeSec], ["10.0.0.6", "10.1.0.2", 300]);
  assert.ok(r.of("hs", "dr_reg").some((e) => e.op === "accepted" && e.childCoa === "10.0.0.6"), "hs verified mn's authenticator over the relayed form");
  const replies = r.of("mn", "reg_reply").filter((e) => e.t < MOVE_MS);
  assert.deepEqual(replies.map((e) => [e.ha, e.accepted]), [["10.0.0.5", true], ["10.1.0.2", true]]);
  assert.deepEqual(r.of("ha", "binding").map((e) => [e.op, e.coa]), [["add", "10.0.0.6"]]);
  // The handoff inside the domain: a local request without the home part (§8.4).
  assert.equal(r.frames.filter((x) => x.seg === "wan" && x.proto === 17 && x.dport === 434 && x.t > MOVE_MS).length, 0);
  assert.ok(tunnelled(r, "wan", "10.1.0.1", "10.0.0.6") > 700);
  const f = r.s.flows[0];
  assert.ok(f.lost <= 5, JSON.stringify(f));
});

test("002 D.3: the home server refuses the home part when the node's authenticator does not verify over the relayed form (131), and nothing is bound", () => {
  const sc = load("dremip-combined.json");
  // hs holds another key for mn than mn does: mn's "Mobile-Home (RS1)" authenticator cannot verify.
  const hs = sc.nodes.find((n) => n.name === "hs");
  hs.securityAssociations.find((x) => x.peer === "10.1.0.20").key = "text:not-the-key";
  const r = run("", sc);
  assert.ok(r.of("hs", "dr_reg").every((e) => e.op === "denied" && e.code === 131), JSON.stringify(r.of("hs", "dr_reg").slice(0, 2)));
  assert.ok(r.of("hs", "dr_reg").length >= 1);
  assert.equal(r.of("ha", "binding").length, 0);
  assert.ok(r.ev.some((e) => e.node === "hs" && e.kind === "auth_failed" && e.extType === 84 || e.node === "hs" && e.kind === "auth_failed" && e.extType === 32));
});
