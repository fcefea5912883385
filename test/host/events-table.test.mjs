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

const SIZE = { u8: 1, bool: 1, enum: 1, regflags: 1, accepted: 1, u16: 2, u32: 4, mac: 6, addr: 16 };
/** IPv6 addresses whose RFC 5952 text has zero runs to compress (ABI v2 "addr" fields). */
const V6 = ["20010db8000000000000000000000001", "20010db8000000000001000000000001", "fe800000000000000000000000000000", "00000000000000000000000000000001"];

function records() {
  let seed = 0x2545f491;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const out = [];
  for (const e of table.events) {
    // The record's length: its last field's end (ABI v2 records are up to 52 bytes), at least 16.
    const len = Math.max(16, ...e.fields.map((f) => f.at + SIZE[f.type]));
    const addrs = e.fields.filter((f) => f.type === "addr");
    for (const profile of ["seeds", "rfc3344"]) {
      // Every byte 0, 1, 2 and 255 (enum names and fallbacks, flags, booleans and the reply-code edge of
      // "accepted"), then random records, one of them a byte short of the whole record.
      for (const fill of [0, 1, 2, 255]) out.push({ kind: e.kind, profile, hex: Buffer.alloc(len, fill).toString("hex") });
      for (let n = 0; n < 3; n++) {
        const b = Array.from({ length: n === 2 ? len - 1 : len }, rnd);
        out.push({ kind: e.kind, profile, hex: Buffer.from(b).toString("hex") });
      }
      // Random records whose addresses are IPv4-mapped (what the core writes today), then IPv6 ones.
      if (addrs.length === 0) continue;
      for (let n = 0; n < 2; n++) {
        const b = Buffer.from(Array.from({ length: len }, rnd));
        addrs.forEach((f, i) => {
          if (n === 0) { b.fill(0, f.at, f.at + 10); b[f.at + 10] = 0xff; b[f.at + 11] = 0xff; }
          else Buffer.from(V6[i % V6.length], "hex").copy(b, f.at);
        });
        out.push({ kind: e.kind, profile, hex: b.toString("hex") });
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
  assert.ok(now.some((r) => r.kind === 12 && !r.known), "a 39-byte dhcp record is too short");
  // Addresses (schema type "addr", 16 bytes): IPv4-mapped as a dotted quad, IPv6 as RFC 5952 text.
  const dhcp = (hex) => host.decodeFirmwareEvent(12, Buffer.from(hex, "hex"));
  const v4 = "0100000000000000" + "00000000000000000000ffff0a010014" + "00000000000000000000ffff00000000";
  assert.deepEqual([dhcp(v4).addr, dhcp(v4).router], ["10.1.0.20", "0.0.0.0"]);
  const v6 = "0100000000000000" + V6[1] + V6[2];
  assert.deepEqual([dhcp(v6).addr, dhcp(v6).router], ["2001:db8::1:0:0:1", "fe80::"]);
  const kinds = new Set(now.filter((r) => r.known && Object.values(r.fields).some((v) => typeof v === "string" && v.includes("::"))).map((r) => r.name));
  assert.ok(kinds.size >= 10, `IPv6 text decoded for ${[...kinds]}`);
  // Request flag 0x02 is P in the seeds profile and T in rfc3344 (schema type "regflags").
  for (const r of now.filter((x) => x.name === "reg_request" && x.known)) {
    const has02 = (r.fields.flags & 0x02) !== 0;
    assert.equal(r.fields.flagNames.includes(r.profile === "rfc3344" ? "T" : "P"), has02, JSON.stringify(r));
  }
});
