// Mobile IPv6 dynamic home agent discovery in the emulated network (issue 13.7; seed 003 §9.4, §8.1):
// scenarios/mip6-roam.json with the station's home agent SA named by the Home-Agents anycast address of its
// home subnet instead of the home agent's address. The first Binding Update from a foreign network goes to
// the anycast address; the home agent answers 135 from its home-link address and the station registers
// there; the roam then runs as with a configured home agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

test("mip6-roam with dynamic home agent discovery: found once, then every registration goes to the home agent found; the home address stays reachable", () => {
  const sc = JSON.parse(readFileSync(new URL("../../scenarios/mip6-roam.json", import.meta.url), "utf8"));
  const s = sc.nodes.find((n) => n.name === "s");
  s.ipsec[0].peer = "2001:db8:1::fdff:ffff:ffff:fffe";
  const sim = new host.Simulation(host.validateScenario(sc), firmware, {});
  const bindings = [];
  const orig = sim.firmwareEvent.bind(sim);
  sim.firmwareEvent = (node, kind, data) => { if (node.name === "ha" && kind === 8) bindings.push(data[0]); orig(node, kind, data); };
  sim.run();
  const c = sim.nodes.find((n) => n.name === "s").board.counters();
  const h = sim.nodes.find((n) => n.name === "ha").board.counters();
  sim.close();
  const sum = sim.summary();
  assert.equal(c.mip6_mn_ha_found, 1, "the home agent was found once");
  assert.ok(c.mip6_mn_registered >= 4, `registrations ${c.mip6_mn_registered}`);
  assert.ok(h.mip6_rejected >= 1, "the anycast update was answered 135 (a rejection with the home agent's address)");
  assert.equal(bindings.at(-1), 3, "de-registered back home");
  const ping = sum.pings.find((x) => x.name === "to-home-address");
  assert.ok(ping.received >= 500, `${ping.received} of ${ping.sent} pings`);
});
