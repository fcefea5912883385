// Route optimization end to end in the emulated network (issue 10 point 6): scenarios/ro-*.json run in
// full, asserting on the binding caches (events), what crosses the wires (who tunnels to whom) and the
// delivered traffic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";
import { loadScenario, runScenario } from "../lib/simrun.mjs";

const { Simulation, validateScenario, formatIp } = host;

const load = loadScenario;
const run = runScenario;

test("001 §8.2 special tunnels: the previous foreign agent crashed, the correspondent's stale tunnel is rescued by the home agent and the cache updated", () => {
  const r = run("ro-pfa-crash.json");
  const cn = r.of("cn", "ro_binding");
  assert.ok(cn.some((e) => e.op === "add" && e.coa === "10.2.0.1" && e.t < 12000), "cn cached fa1 after the first registration");
  // After fa1's restart (26 s) its datagrams for mn go by special tunnel to the home address ...
  const special = r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.0.0.2" && x.dst === "10.1.0.20" && x.t > 26000);
  assert.ok(special.length >= 1, "fa1 special-tunnelled to the home address");
  // ... the home agent tunnels their inner datagrams to fa2 and updates cn ...
  assert.ok(cn.some((e) => e.coa === "10.3.0.1" && e.t > 26000), "cn's entry moved to fa2");
  // ... whose datagrams then go straight to fa2.
  const direct = r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.9.0.10" && x.dst === "10.3.0.1" && x.dport === 5000);
  assert.ok(direct.length > 500, `cn -> fa2 straight: ${direct.length}`);
  // Never a loop: the home agent sends nothing back to fa1 after its restart that fa1 sent it.
  assert.equal(r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.0.0.1" && x.dst === "10.2.0.1" && x.t > 26000).length, 0);
});

/** Run ro-triangle with route optimization on or off at the correspondent: latency (p50, ms) of the stream after the first second, and the segments each datagram crossed. */
function triangle(on) {
  const sc = load("ro-triangle.json");
  sc.nodes.find((n) => n.name === "cn").mobility.routeOptimization.enabled = on;
  const r = run("ro-triangle.json", sc);
  // Datagrams of the stream (UDP 5000, plain or inside a tunnel) per segment: after the first second
  // with route optimization (the first datagrams took the triangle), all of them without.
  const late = r.frames.filter((x) => (!on || x.t > 4000) && x.dport === 5000);
  const perSeg = {};
  for (const x of late) perSeg[x.seg] = (perSeg[x.seg] ?? 0) + 1;
  const flow = r.s.flows.find((f) => f.name === "cbr-cn-mn");
  return { r, perSeg, flow, n: late.filter((x) => x.seg === "cnet").length };
}

test("001 §1/§3.1 triangle vs optimized path (ro-triangle): stretch 1.0 and the direct path's latency with a cached binding; the home agent's detour without", () => {
  const on = triangle(true), off = triangle(false);
  // The direct path: cnet, core, net1 and the access point — never the wan or the home network.
  for (const seg of ["wan", "home"]) assert.equal(on.perSeg[seg] ?? 0, 0, `optimized: nothing on ${seg} (${JSON.stringify(on.perSeg)})`);
  // (±1: a datagram on cnet just before the cut is on the next segments just after it.)
  for (const seg of ["cnet", "core", "net1"]) assert.ok(Math.abs(on.perSeg[seg] - on.n) <= 1, `optimized: every datagram once on ${seg}: ${on.perSeg[seg]} of ${on.n}`);
  // Without route optimization every datagram crosses the wan twice (to the home agent and back).
  assert.equal(off.perSeg.wan, 2 * off.n, JSON.stringify(off.perSeg));
  const hops = (p) => Object.entries(p).filter(([k]) => !k.startsWith("ap")).reduce((a, [, v]) => a + v, 0);
  const stretchOn = hops(on.perSeg) / on.n / 3, stretchOff = hops(off.perSeg) / off.n / 3;
  assert.ok(Math.abs(stretchOn - 1) < 0.01, `path stretch ${stretchOn} (wired segments crossed / those of the direct path)`);
  assert.ok(stretchOff >= 5 / 3 - 1e-9, `triangle stretch ${stretchOff}`);
  // Latency: the direct path's one-way delays (cnet 0.1 + core 0.5 + net1 0.1 + ap1 1 ms, plus serialisation).
  const direct = 0.1 + 0.5 + 0.1 + 1;
  assert.ok(on.flow.latencyMs.p50 < direct + 1, `optimized p50 ${on.flow.latencyMs.p50} ms vs direct ${direct}`);
  assert.ok(off.flow.latencyMs.p50 > direct + 200, `triangle p50 ${off.flow.latencyMs.p50} ms`);
  assert.equal(on.flow.lost, 0);
  console.log(`# ro-triangle: p50 ${on.flow.latencyMs.p50} ms optimized vs ${off.flow.latencyMs.p50} ms through the home agent; stretch ${stretchOn.toFixed(2)} vs ${stretchOff.toFixed(2)} (segments crossed / direct)`);
});

test("001 §4.3 (ro-triangle, 20 s registrations): the correspondent reconfirms its entry in use by Binding Requests; the home agent's answers keep it", () => {
  const sc = load("ro-triangle.json");
  sc.durationMs = 30000;
  sc.apps[0].stopMs = 29500;
  sc.nodes.find((n) => n.name === "mn").mobility.lifetimeSec = 20;
  const r = run("ro-triangle.json", sc);
  const c = Object.fromEntries(r.sim.nodes.map((n) => [n.name, n.board.counters()]));
  assert.ok(c.cn.ro_br_tx >= 1, `cn sent ${c.cn.ro_br_tx} Binding Requests`);
  assert.ok(c.ha.ro_br_rx >= 1);
  const ev = r.of("cn", "ro_binding");
  assert.ok(ev.filter((e) => e.op === "refresh").length >= 1, "refreshed by the answers");
  assert.equal(ev.filter((e) => e.op === "expire").length, 0, "never expired while in use");
  // Straight to fa1 from the first update to the end: nothing on the wan after 4 s.
  assert.equal(r.frames.filter((x) => x.seg === "wan" && x.dport === 5000 && x.t > 4000).length, 0);
});

test("001 §4.6 (ro-triangle, mobile node with P): the binding stays private — the correspondent is told to delete, and everything goes by the home agent", () => {
  const sc = load("ro-triangle.json");
  sc.nodes.find((n) => n.name === "mn").mobility.routeOptimization = { ...(sc.nodes.find((n) => n.name === "mn").mobility.routeOptimization ?? {}), enabled: true, private: true };
  const r = run("ro-triangle.json", sc);
  const c = Object.fromEntries(r.sim.nodes.map((n) => [n.name, n.board.counters()]));
  assert.ok(c.ha.ro_bu_tx >= 1, "the home agent still answers the correspondent");
  assert.equal(c.cn.ro_cache_tunnelled, 0, "but never with the care-of address");
  assert.equal(r.of("cn", "ro_binding").filter((e) => e.op === "add").length, 0);
  assert.ok(r.frames.filter((x) => x.seg === "wan" && x.dport === 5000).length > 1000, "all by the home agent");
});

test("001 §3.1/§4.1 stale cache -> warning -> update (smooth-handoff with a route-optimizing correspondent, no correspondent list): the previous agent forwards and warns, the home agent updates the correspondent", () => {
  const sc = load("smooth-handoff.json");
  const byName = (n) => sc.nodes.find((x) => x.name === n);
  byName("ha").mobility.routeOptimization = { enabled: true };
  byName("ha").sizes = { ...(byName("ha").sizes ?? {}), roPeers: 0 };
  byName("ha").securityAssociations.push({ peer: "10.9.0.10", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha", use: "correspondent" });
  byName("cn").mobility = { routeOptimization: { enabled: true } };
  byName("cn").securityAssociations = [{ peer: "10.1.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha", use: "correspondent" }];
  const r = run("smooth-handoff.json", sc);
  const c = Object.fromEntries(r.sim.nodes.map((n) => [n.name, n.board.counters()]));
  const cn = r.of("cn", "ro_binding");
  const moved = r.s.handoffs[0].atMs;
  assert.ok(cn.some((e) => e.coa === "10.2.0.1" && e.t < moved), "cn cached fa1");
  assert.ok(c.fa1.ro_forwarded > 0 && c.fa1.ro_bw_tx >= 1, JSON.stringify({ fwd: c.fa1.ro_forwarded, bw: c.fa1.ro_bw_tx }));
  assert.ok(c.ha.ro_bw_rx >= 1);
  const upd = cn.find((e) => e.coa === "10.3.0.1" && e.t > moved);
  assert.ok(upd, "cn's entry moved to fa2 after the warning");
  assert.equal(r.s.handoffs[0].lost, 0, "and nothing was lost meanwhile");
  console.log(`# stale cache: fa1 forwarded ${c.fa1.ro_forwarded} datagrams, warned ${c.fa1.ro_bw_tx}x; cn updated ${Math.round(upd.t - moved)} ms after the move`);
});

test("issue 10.10 under wasm3 (mipfw-board sim-peer): the access points' station notices reach the boards, and smooth-handoff gives Node's figures", async (t) => {
  const { existsSync } = await import("node:fs");
  const binary = process.env.MIPFW_BOARD ?? new URL("../../host/wasm3/target/release/mipfw-board", import.meta.url).pathname;
  if (!existsSync(binary)) { t.skip(`${binary} not built`); return; }
  const sc = load("smooth-handoff.json");
  sc.durationMs = 12500;
  const once = (opts) => {
    const sim = new Simulation(validateScenario(sc), firmware, opts);
    sim.run();
    const s = sim.summary();
    const c = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
    sim.close();
    return { h: s.handoffs, held: c.fa1.ho_held, released: c.fa1.ho_released };
  };
  const node = once({});
  const w3 = once({ wasm3: { binary, firmware: new URL("../../build/firmware.wasm", import.meta.url).pathname } });
  assert.ok(node.held > 0, "Node: fa1 held datagrams");
  assert.deepEqual(w3, node);
});
