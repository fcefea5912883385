// Issue 10 target: "a forged or replayed Binding Update never changes a cache" — invariant fuzzing of the
// route-optimization binding cache (test/lib/rofuzz.mjs; docs/fuzzing.md). One correspondent board with a
// cache gets a seeded stream of frames: valid Binding Updates from the home agent (fresh timestamps) and on a
// mobile node's behalf (its mobile-foreign association), replays of earlier valid ones, mutated ones (any byte
// of the message changed, UDP checksum recomputed so they reach the handler), updates signed with a wrong key,
// from a wrong source, with another SPI, without Identification, Binding Requests, Warnings, Acknowledges,
// random bytes on port 434, and time passing. An oracle keeps the model of the cache — changed only by the
// valid, fresh updates — and after every frame the board's cache (ABI dump table 6) must equal it.
//
//   MIPFW_FUZZ_RO_FRAMES   frames (default 100000)   MIPFW_FUZZ_SEED   seed (default 1)
//   (more: node bench/fuzz.mjs --roles cn --frames N)
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzCache } from "../lib/rofuzz.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ_RO_FRAMES ?? 100000);
const SEED = Number(process.env.MIPFW_FUZZ_SEED ?? 1);

test(`issue 10: a forged or replayed Binding Update never changes the binding cache (${FRAMES} frames, seed ${SEED})`, () => {
  const r = fuzzCache({ frames: FRAMES, seed: SEED });
  assert.equal(r.traps, 0);
  assert.equal(r.violationCount, 0, `cache differs from the oracle: ${JSON.stringify(r.violations)}`);
  // The stream exercised both sides: accepted updates and refused ones of every kind.
  const { counts: n, counters: c } = r;
  assert.ok(n.valid > FRAMES / 10 && n.replay > 0 && n.mutated > 0 && n.forged > 0, JSON.stringify(n));
  assert.ok(c.ro_bu_accepted >= n.valid, `accepted ${c.ro_bu_accepted} of ${n.valid} valid`);
  assert.ok(c.drop_ro_bu_auth > 0 && c.drop_ro_bu_id > 0, JSON.stringify({ auth: c.drop_ro_bu_auth, id: c.drop_ro_bu_id }));
});
