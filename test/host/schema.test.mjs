// The published JSON Schemas (schema/*.schema.json, for editors) are generated from
// schema/config.fields.json and schema/scenario.fields.json and up to date; every scenario, configuration fixture and documented
// example in the repository validates against them; and they refuse what they should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { host } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const read = (p) => JSON.parse(readFileSync(join(root, p), "utf8"));
const nodeSchema = read("schema/node-config.schema.json");
const scenarioSchema = read("schema/scenario.schema.json");

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "default"]);
const typeOf = (v) => v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;

/**
 * The JSON Schema keywords schema/gen.mjs emits (draft 2020-12 meaning), nothing else: a keyword it
 * does not know is an error, so the generator cannot emit one this check silently ignores.
 */
function validate(s, v, at = "$", out = []) {
  const bad = (what) => { out.push(`${at}: ${what}`); };
  for (const [k, x] of Object.entries(s)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case "type": if (!(typeOf(v) === x || (x === "number" && typeof v === "number"))) bad(`not ${x}`); break;
      case "enum": if (!x.some((e) => JSON.stringify(e) === JSON.stringify(v))) bad(`not one of ${x.join(", ")}`); break;
      case "const": if (JSON.stringify(x) !== JSON.stringify(v)) bad(`not ${JSON.stringify(x)}`); break;
      case "pattern": if (typeof v === "string" && !new RegExp(x, "u").test(v)) bad(`does not match ${x}`); break;
      case "minimum": if (typeof v === "number" && v < x) bad(`below ${x}`); break;
      case "maximum": if (typeof v === "number" && v > x) bad(`above ${x}`); break;
      case "exclusiveMinimum": if (typeof v === "number" && v <= x) bad(`not above ${x}`); break;
      case "minItems": if (Array.isArray(v) && v.length < x) bad(`fewer than ${x} items`); break;
      case "maxItems": if (Array.isArray(v) && v.length > x) bad(`more than ${x} items`); break;
      case "uniqueItems": if (x && Array.isArray(v) && new Set(v.map((e) => JSON.stringify(e))).size !== v.length) bad("repeated items"); break;
      case "items": if (Array.isArray(v)) v.forEach((e, i) => validate(x, e, `${at}[${i}]`, out)); break;
      case "required": if (typeOf(v) === "object") for (const r of x) if (!(r in v)) bad(`no ${r}`); break;
      case "properties": if (typeOf(v) === "object") for (const [p, sub] of Object.entries(x)) if (p in v) validate(sub, v[p], `${at}.${p}`, out); break;
      case "additionalProperties":
        if (typeOf(v) === "object") for (const p of Object.keys(v)) {
          if (s.properties && p in s.properties) continue;
          if (x === false) bad(`unknown field ${p}`); else validate(x, v[p], `${at}.${p}`, out);
        }
        break;
      case "anyOf": {
        const tries = x.map((sub) => validate(sub, v, at, []));
        if (!tries.some((t) => t.length === 0)) bad(`matches none of ${x.length} choices (${tries.map((t) => t[0]).join(" | ")})`);
        break;
      }
      default: throw new Error(`schema keyword ${k} at ${at} is not checked by this validator`);
    }
  }
  return out;
}

test("schema: the committed JSON Schemas are what schema/gen.mjs makes of schema/config.fields.json", () => {
  const r = spawnSync(process.execPath, [join(root, "schema/gen.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(nodeSchema.$schema, "https://json-schema.org/draft/2020-12/schema");
  // Every field of config.fields.json is in the JSON Schema, with its range and default.
  assert.deepEqual(Object.keys(nodeSchema.properties), Object.keys(read("schema/config.fields.json").root.fields));
  assert.deepEqual([nodeSchema.properties.node.properties.defaultTtl.minimum, nodeSchema.properties.node.properties.defaultTtl.maximum, nodeSchema.properties.node.properties.defaultTtl.default], [1, 255, 64]);
});

test("schema: every scenario validates against scenario.schema.json, and its nodes are node configurations", () => {
  const files = ["scenarios", "test/fixtures/scenarios"].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".json")).map((f) => `${d}/${f}`));
  assert.ok(files.length >= 11);
  // The scenario JSON Schema is made of schema/scenario.fields.json: the same top-level fields.
  assert.deepEqual(Object.keys(scenarioSchema.properties), Object.keys(read("schema/scenario.fields.json").root.fields));
  for (const f of files) {
    const s = read(f);
    assert.deepEqual(validate(scenarioSchema, s), [], f);
    assert.doesNotThrow(() => host.validateScenario(s, f), f);
  }
});

test("schema: every configuration the hosts accept (fixtures, documented examples) validates against node-config.schema.json", () => {
  const dir = "test/fixtures/configs";
  let valid = 0;
  for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith(".json"))) {
    const j = read(`${dir}/${f}`);
    let accepted = true;
    try { host.validateConfig(j, f); } catch (e) { if (!(e instanceof host.ConfigError)) throw e; accepted = false; }
    if (!accepted) { assert.notDeepEqual(validate(nodeSchema, j), [], `${f}: refused by the hosts, yet valid JSON Schema`); continue; }
    assert.deepEqual(validate(nodeSchema, j), [], f);
    valid++;
  }
  assert.ok(valid >= 6);
  // Node configurations in the documentation (```json blocks with "interfaces" and no "nodes").
  const docs = [...readdirSync(join(root, "docs")).map((f) => `docs/${f}`), "README.md"].filter((f) => f.endsWith(".md"));
  let examples = 0;
  for (const d of docs) {
    for (const m of readFileSync(join(root, d), "utf8").matchAll(/```json\n([\s\S]*?)```/g)) {
      let j;
      try { j = JSON.parse(m[1]); } catch { continue; }
      if (!j || typeof j !== "object" || !("interfaces" in j) || "nodes" in j) continue;
      assert.doesNotThrow(() => host.validateConfig(j, d), d);
      assert.deepEqual(validate(nodeSchema, j), [], d);
      examples++;
    }
  }
  assert.ok(examples >= 1, "documented node configurations");
});

test("schema: the JSON Schema refuses what the hosts refuse field by field", () => {
  const ok = read("test/fixtures/configs/ha.json");
  const cases = [
    [(j) => { j.interfaces[0].mac = "zz:00:00:00:00:01"; }, "$.interfaces[0].mac"],
    [(j) => { j.interfaces[0].ipv4 = "10.0.0.256/24"; }, "$.interfaces[0].ipv4"],
    [(j) => { j.roles = ["teapot"]; }, "$.roles[0]"],
    [(j) => { j.roles = []; }, "$.roles"],
    [(j) => { j.node = { defaultTtl: 300 }; }, "$.node.defaultTtl"],
    [(j) => { j.sizes = { arpEntries: 1.5 }; }, "$.sizes.arpEntries"],
    [(j) => { j.board = "vax"; }, "$.board"],
    [(j) => { j.extra = 1; }, "$: unknown field extra"],
    [(j) => { j.mobility.homeAgent = "discover"; j.mobility.colocated = "sometimes"; }, "$.mobility.colocated"],
    [(j) => { j.securityAssociations[0].spi = 255; }, "$.securityAssociations[0].spi"],
    [(j) => { delete j.name; }, "$: no name"],
  ];
  assert.deepEqual(validate(nodeSchema, ok), []);
  for (const [mutate, where] of cases) {
    const j = structuredClone(ok); mutate(j);
    const p = validate(nodeSchema, j);
    assert.ok(p.some((x) => x.startsWith(where)), `${where}: ${p.join("; ")}`);
    assert.throws(() => host.validateConfig(j, "x"), host.ConfigError, where);
  }
  // "$schema" is accepted by the hosts (editors read it) and by the JSON Schema.
  const withHint = { $schema: "../schema/node-config.schema.json", ...ok };
  assert.deepEqual(validate(nodeSchema, withHint), []);
  assert.doesNotThrow(() => host.validateConfig(withHint, "x"));
});

test("schema: the scenario JSON Schema refuses what the simulator refuses field by field", () => {
  const ok = read("test/fixtures/scenarios/every-field.json");
  const cases = [
    [(j) => { j.segments[0].loss = 2; }, "$.segments[0].loss"],
    [(j) => { j.wifi.linkHints = "yes"; }, "$.wifi.linkHints"],
    [(j) => { j.extra = 1; }, "$: unknown field extra"],
    [(j) => { delete j.durationMs; }, "$: no durationMs"],
    [(j) => { j.accessPoints[0].bssid = "zz"; }, "$.accessPoints[0].bssid"],
    [(j) => { j.nodes[3].movement.speedMps = [1, 2, 3]; }, "$.nodes[3]"],
    [(j) => { j.nodes[4].kind = "printer"; }, "$.nodes[4]"],
    [(j) => { j.apps[1].type = "tcp"; }, "$.apps[1]"],
    [(j) => { j.actions[3].frameHex = "xyz"; }, "$.actions[3]"],
    [(j) => { j.nodes[1].attach.eth0 = 5; }, "$.nodes[1]"],
  ];
  assert.deepEqual(validate(scenarioSchema, ok), []);
  for (const [mutate, where] of cases) {
    const j = structuredClone(ok); mutate(j);
    const p = validate(scenarioSchema, j);
    assert.ok(p.some((x) => x.startsWith(where)), `${where}: ${p.join("; ")}`);
    assert.throws(() => host.validateScenario(j), host.ScenarioError, where);
  }
});
