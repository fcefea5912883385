// Mobile IPv6 handoff targets in the emulated network (issue 13): scenarios/mip6-prev-router.json, one roam
// from ap1 (router r1) to ap2 (router r2) at 1,000 datagrams/s to the home address, the home agent 100 ms
// one-way away. With previous-router forwarding (seed 003 §9.6) only the datagrams of the link switch are
// lost; without it (no SA with net1's routers) also everything the home agent sends during its round trip.
// The interruption stays within association + RS/RA + DAD (0, Optimistic) + one home-agent round trip + 20 ms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";
import { runHandoff, withoutPrevRouter } from "../lib/mip6.mjs";

const run = (prev) => {
  const sc = JSON.parse(readFileSync(new URL("../../scenarios/mip6-prev-router.json", import.meta.url), "utf8"));
  return runHandoff(host, firmware, prev ? sc : withoutPrevRouter(sc));
};

test("mip6-prev-router: previous-router forwarding cuts the loss of a handoff to the link switch; the interruption meets its target", () => {
  const w = run(true), wo = run(false);
  assert.equal(w.s.handoffs.length, 1);
  const h = w.s.handoffs[0], h0 = wo.s.handoffs[0];
  // Without: the datagrams of the link switch and of the home agent's round trip (~200 ms at 1/ms).
  assert.ok(h0.lost >= 200, `without forwarding ${h0.lost} lost`);
  // With: about the link switch only (association 50 ms, RS/RA, the update to r1 a few ms away).
  assert.ok(h.lost <= 80 && h.lost < h0.lost / 3, `with forwarding ${h.lost} lost (without ${h0.lost})`);
  assert.ok(w.r1.mip6_ha_tunnelled >= 150, `r1 forwarded ${w.r1.mip6_ha_tunnelled}`);
  assert.equal(wo.r1.mip6_ha_tunnelled ?? 0, 0);
  // Target: association + RS/RA (measured: the advertisement after the link event) + one home-agent round
  // trip (the Binding Update and its acknowledgement) + 20 ms.
  const target = (w.ra - h.atMs) + w.rtt + 20;
  assert.ok(w.ra - h.atMs >= w.assoc, "the advertisement follows the association");
  assert.ok(h.registeredMs <= target, `interruption ${h.registeredMs} ms, target ${target.toFixed(1)} ms`);
});
