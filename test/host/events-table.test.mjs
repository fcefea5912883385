// Issue 8.7: one event layout table (schema/events.json) decoded by both hosts. The Node host's
// decodes of a seeded set of records (every kind, both registration profiles, short and unknown
// records) are in test/fixtures/event-decodes.json; this test checks Node still decodes them so, and
// host/wasm3's cargo test `events_decode_like_the_node_host` checks the Rust decoder against the
// same file. `MIPFW_WRITE_FIXTURES=1 node --test test/host/events-table.test.mjs` rewrites it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as host from "../../build/host.mjs";

const root = new URL("../../", import.meta.url).pathname;
const FIXTURE = `${root}test/fixtures/event-decodes.json`;
const table = JSON.parse(readFileSync(`${root}schema/events.json`, "utf8"));

function records() {
  let seed = 0x2545f491;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const out = [];
  for (const e of table.events) {
    for (const profile of ["seeds", "rfc3344"]) {
      // Every byte 0, 1, 2 and 255 (enum names and fallbacks, flags, booleans and the reply-code edge of
      // "accepted"), then random records, one of them a byte short of a 16-byte record.
      for (const fill of [0, 1, 2, 255]) out.push({ kind: e.kind, profile, hex: Buffer.alloc(16, fill).toString("hex") });
      for (let n = 0; n < 3; n++) {
        const b = Array.from({ length: n === 2 ? 15 : 16 }, rnd);
        out.push({ kind: e.kind, profile, hex: Buffer.from(b).toString("hex") });
      }
    }
  }
  out.push({ kind: 99, profile: "seeds", hex: "0102" });
  return out.map((r) => {
    const d = host.decodeFirmwareEvent(r.kind, Buffer.from(r.hex, "hex"), r.profile);
    const { kind, id, hex, ...fields } = d;
    return { ...r, name: kind, known: id === undefined, fields: id === undefined ? fields : {} };
  });
}

test("issue 8.7: every kind of schema/events.json decodes under Node as in the cross-host fixture", () => {
  const now = records();
  if (process.env.MIPFW_WRITE_FIXTURES) writeFileSync(FIXTURE, JSON.stringify(now, null, 1) + "\n");
  const want = JSON.parse(readFileSync(FIXTURE, "utf8"));
  assert.deepEqual(now, want);
  // Sanity of the decodes themselves: names from the table, enums named, short records refused.
  const binding = now.find((r) => r.name === "binding" && r.hex.startsWith("0101"));
  assert.equal(binding.fields.op, "add");
  assert.equal(now.find((r) => r.name === "binding" && r.hex.startsWith("00")).fields.op, "op_0");
  assert.equal(now.find((r) => r.kind === 99).name, "event_99");
  assert.ok(now.some((r) => r.kind === 12 && !r.known), "a 15-byte dhcp record is too short");
  // Request flag 0x02 is P in the seeds profile and T in rfc3344 (schema type "regflags").
  for (const r of now.filter((x) => x.name === "reg_request" && x.known)) {
    const has02 = (r.fields.flags & 0x02) !== 0;
    assert.equal(r.fields.flagNames.includes(r.profile === "rfc3344" ? "T" : "P"), has02, JSON.stringify(r));
  }
});
