// Mobile IPv6 in the emulated network (issue 13.7): scenarios/mip6-roam.json — the ESP32 station keeps its
// home address while it roams home -> foreign 1 -> foreign 2 -> foreign 1 -> home through Wi-Fi access
// points; a plain IPv6 correspondent pings the home address and receives a stream from it the whole time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

test("mip6-roam: the home address stays reachable across three moves and the return home; the home agent's bindings follow the care-of address", () => {
  const raw = JSON.parse(readFileSync(new URL("../../scenarios/mip6-roam.json", import.meta.url), "utf8"));
  const bindings = [];
  const sim = new host.Simulation(host.validateScenario(raw), firmware, {});
  const orig = sim.firmwareEvent.bind(sim);
  // Ev.BINDING (8) at the home agent: op, lifetime, home, care-of address.
  sim.firmwareEvent = (node, kind, data) => {
    if (node.name === "ha" && kind === 8) bindings.push({ op: data[0], home: host.formatIp6(data.subarray(4, 20)), coa: host.formatIp6(data.subarray(20, 36)), t: Math.round(sim.engine.nowUs / 1000) });
    orig(node, kind, data);
  };
  sim.run();
  sim.close();
  const s = sim.summary();
  // Registrations: ap1's prefix, ap2's, ap1's again (refreshes in between), then the de-registration at home.
  const coas = bindings.filter((b) => b.op === 1 || b.op === 2).map((b) => b.coa.split("::")[0].split(":").slice(0, 3).join(":"));
  assert.deepEqual([...new Set(coas)], ["2001:db8:11", "2001:db8:12"], JSON.stringify(bindings));
  assert.ok(bindings.every((b) => b.home === "2001:db8:1::20"));
  assert.equal(bindings.at(-1).op, 3, "de-registered back home");
  const ping = s.pings.find((x) => x.name === "to-home-address"), flow = s.flows.find((x) => x.name === "from-station");
  // Four moves, each without service for the association, the RS/RA exchange (the router's random delay
  // up to 0.5 s) and the Binding Update's round trip; the care-of address is Optimistic (RFC 4429), so DAD's
  // 1 s is not waited: at most ~9 % of the 550 pings (100 ms apart; 487 arrived when DAD was waited and the
  // movement polled) and 10 % of the 1,100 datagrams lost.
  assert.ok(ping.received >= 500, `${ping.received} of ${ping.sent} pings`);
  assert.ok(flow.received >= 990, `${flow.received} of ${flow.sent} datagrams`);
});
