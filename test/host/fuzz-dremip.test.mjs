// Issue 11 point 8: "forged or replayed Route Requests/Replies and registrations rejected with the right
// codes and no state changed" — invariant fuzzing of distributed registration (test/lib/drfuzz.mjs;
// docs/fuzzing.md "Distributed registration"). A seeded stream mixes legitimate messages with forged,
// replayed, stale, mutated and random ones against a care-of agent board and a registration server
// board; after every frame the board's events, output, counters and table dump are checked against a
// shadow model that only the legitimate messages change.
//
//   MIPFW_FUZZ_DR_FRAMES  frames per board (default 100000)   MIPFW_FUZZ_SEED  seed (default 1)
//   (more: node bench/fuzz.mjs --roles coa,rs --frames N)
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzCareOfAgent, fuzzServer } from "../lib/drfuzz.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ_DR_FRAMES ?? 100000);
const SEED = Number(process.env.MIPFW_FUZZ_SEED ?? 1);
const show = (v) => Object.entries(v).map(([k, x]) => `${k}: ${x.count}\n${x.examples.map((e) => `  step ${e.step} (t=${e.t}): ${e.detail}`).join("\n")}`).join("\n");

test(`issue 11.8: care-of agent — binding routes change only on legitimate Route Requests, replies authenticated and echoing, every refused frame counted (${FRAMES} frames, seed ${SEED})`, () => {
  const r = fuzzCareOfAgent({ frames: FRAMES, seed: SEED });
  assert.equal(r.traps, 0);
  assert.equal(r.heapMoved, 0, "no memory taken after init");
  assert.equal(r.violationCount, 0, show(r.violations));
  // The stream exercised both sides: every kind of frame, every answer of the model.
  const { counts: n, stats: st, counters: c } = r;
  for (const k of ["legit", "forged", "replay", "stale", "mutated", "random"]) assert.ok(n[k] > FRAMES / 20, JSON.stringify(n));
  for (const k of ["code0", "code64", "code68", "code69", "enabled", "refreshed", "disabled", "expired"]) assert.ok(st[k] > 0, JSON.stringify(st));
  assert.equal(c.dr_rt_reply_tx, n.legit, "one Route Reply per legitimate request, none for the rest");
  assert.ok(c.drop_dr_auth >= n.forged && c.drop_dr_replay >= n.replay + n.stale && c.drop_dr_malformed > 0,
    JSON.stringify({ n, auth: c.drop_dr_auth, replay: c.drop_dr_replay, malformed: c.drop_dr_malformed }));
});

test(`issue 11.8: registration server — accepted only after a legitimate request and the care-of agent's matching Route Reply; forgeries and replays denied (131/132/133) changing nothing (${FRAMES} frames, seed ${SEED})`, () => {
  const r = fuzzServer({ frames: FRAMES, seed: SEED });
  assert.equal(r.traps, 0);
  assert.equal(r.heapMoved, 0, "no memory taken after init");
  assert.equal(r.violationCount, 0, show(r.violations));
  const { counts: n, stats: st, counters: c } = r;
  for (const k of ["req", "dereg", "rr", "rr-deny", "forged", "replay-req", "stale-req", "forged-rr", "replay-rr", "mutated", "random"]) assert.ok(n[k] > 0, JSON.stringify(n));
  for (const k of ["pending", "accepted", "deniedByRouteReply", "deregistered", "timedOut", "expired", "d131", "d132", "d133"]) assert.ok(st[k] > 0, JSON.stringify(st));
  assert.equal(c.dr_rt_reply_rx, st.accepted + st.deniedByRouteReply, "only the legitimate Route Replies were taken");
  assert.ok(c.drop_dr_replay >= n["replay-rr"] && c.drop_dr_auth > 0 && c.drop_dr_malformed > 0, JSON.stringify(c));
});
