// Generates the JSON Schemas (draft 2020-12) editors use to check and complete configurations:
//   schema/node-config.schema.json  from schema/config.fields.json (the one description both hosts walk)
//   schema/scenario.schema.json     from schema/scenario.fields.json (scenario files, docs/scenarios.md);
//                                   their board nodes are node configurations
// Usage: node schema/gen.mjs [--check]. The output is committed; test/host/schema.test.mjs fails when it
// is stale (--check prints the stale files and exits 1). The JSON Schema is for editors: it cannot say
// what depends on the board profile or on other fields (MTU ≤ frameBytes - 14, role rules); the hosts do.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";

const dir = new URL("./", import.meta.url).pathname;
const root = new URL("../", import.meta.url).pathname;
const FIELDS = JSON.parse(readFileSync(dir + "config.fields.json", "utf8"));
const SCENARIO = JSON.parse(readFileSync(dir + "scenario.fields.json", "utf8"));
const BASE = "https://mipfw.invalid/schema/";
// Board names in the order of host/node/config.ts BOARDS (the built-in profiles).
const BOARD_ORDER = ["esp32", "esp32-c3", "rpi-zero-2w", "rpi4", "linux", "emulated", "mcu-rv32-virt"];
const boards = readdirSync(root + "boards").filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(root + "boards/" + f, "utf8")).name)
  .sort((a, b) => ((BOARD_ORDER.indexOf(a) + 1 || 99) - (BOARD_ORDER.indexOf(b) + 1 || 99)) || a.localeCompare(b));

const OCTET = "(?:[0-9]{1,2}|[01][0-9]{2}|2[0-4][0-9]|25[0-5])";
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const PATTERNS = {
  ipv4: `^${IPV4}$`,
  cidr4: `^${IPV4}/(?:[0-2]?[0-9]|3[0-2])$`,
  mac: "^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$",
  key: "^(?:text:.{1,64}|(?:[0-9a-fA-F]{2}){1,64})$",
};

/** A default or bound that is not a plain number/JSON value, said in words. */
function words(d, src) {
  if (d.ref) return `${d.ref}${d.minus ? ` - ${d.minus}` : ""}`;
  if (d.rule) return `rule ${d.rule} (${src} "rules")`;
  if (d.sibling) return `true when ${d.sibling} is ${JSON.stringify(d.is)}`;
  return JSON.stringify(d);
}

/** The object of variant `tag` ("same": another variant's). */
const variantOf = (f, tag) => f.variants[tag].same ? variantOf(f, f.variants[tag].same) : f.variants[tag];

/**
 * One field of config.fields.json or scenario.fields.json as JSON Schema. `config`: the description's
 * file name (src) and, for an object whose other fields are a node configuration ("rest"), that
 * configuration's properties and required fields.
 */
function convert(f, config) {
  const notes = [];
  let s;
  switch (f.type) {
    case "object": {
      const props = f.rest ? { ...config.properties } : {};
      for (const [k, sub] of Object.entries(f.fields)) {
        props[k] = convert(sub, config);
        // The older spelling (legacy) is accepted under its name too.
        if (sub.legacy) props[sub.legacy.field] = props[sub.legacy.field] ? { anyOf: [props[sub.legacy.field], props[k]], description: `${props[sub.legacy.field].description ?? ""} An object with "${sub.legacy.has}" is the older spelling of "${k}".`.trim() } : props[k];
      }
      const required = [...(f.rest ? config.required : []), ...Object.entries(f.fields).filter(([, sub]) => sub.required).map(([k]) => k)];
      s = { type: "object", properties: props, additionalProperties: false };
      if (required.length) s.required = required;
      break;
    }
    case "variant":
      // One choice per tag value; the tag is required except where it has a default.
      s = {
        anyOf: Object.keys(f.variants).map((tag) => {
          const o = convert(variantOf(f, tag), config);
          o.properties = { ...o.properties, [f.tag]: { const: tag } };
          if (tag !== f.tagDefault) o.required = [f.tag, ...(o.required ?? [])];
          return o;
        }),
      };
      break;
    case "map": s = { type: "object", additionalProperties: convert(f.items, config) }; break;
    case "ref":
      // A value with the shape of a node configuration's field (checked by the rules): that field's schema.
      if (f.sameAs) { s = { ...config.properties[f.sameAs] }; delete s.default; delete s.description; notes.push(`as a node configuration's "${f.sameAs}"`); break; }
      s = f.nullable ? { anyOf: [{ type: "string" }, { type: "null" }] } : { type: "string" }; if (f.rules) notes.push(`checked by rule ${f.rules.join(", ")} (${config.src} "rules")`); break;
    case "number":
      s = { type: "number" };
      if (typeof f.min === "number") s.minimum = f.min;
      if (typeof f.max === "number") s.maximum = f.max;
      break;
    case "span": {
      const one = { type: "number", exclusiveMinimum: f.min, maximum: f.max };
      s = { anyOf: [one, { type: "array", minItems: 2, maxItems: 2, items: one }] };
      break;
    }
    case "hex": s = { type: "string", pattern: `^[0-9a-fA-F${f.ignore ?? ""}]*$` }; break;
    case "list":
      s = { type: "array", items: convert(f.items, config) };
      if (typeof f.min === "number" && f.min > 0) s.minItems = f.min;
      if (typeof f.max === "number") s.maxItems = f.max;
      else if (f.max) notes.push(`at most ${words(f.max, config.src)} items`);
      if (f.unique && f.unique !== "merge" && f.items.type !== "object") s.uniqueItems = true;
      break;
    case "integer":
      s = { type: "integer" };
      if (typeof f.min === "number") s.minimum = f.min;
      if (typeof f.max === "number") s.maximum = f.max; else if (f.max) notes.push(`at most ${words(f.max, config.src)}`);
      break;
    case "boolean": s = { type: "boolean" }; break;
    case "enum":
      if (f.values === "boards") s = { enum: boards };
      else if (f.values === "interfaces") { s = { type: "string" }; notes.push("the name of one of the interfaces"); }
      else s = { enum: Object.keys(f.values) };
      break;
    case "string": s = f.chars === undefined ? { type: "string" } : { type: "string", pattern: `^[${f.chars}]{${f.minLength},${f.maxLength}}$` }; break;
    case "ipv4": case "cidr4": case "mac": case "key": s = { type: "string", pattern: PATTERNS[f.type] }; break;
    case "cidr6": s = { type: "string", pattern: "^[0-9a-fA-F:.]+/[0-9]{1,3}$" }; break;
    case "ip6": s = { type: "string", pattern: "^[0-9a-fA-F:.]+$" }; break;
    case "any": s = {}; break;
    default: throw new Error(`unknown field type ${f.type}`);
  }
  if (f.literals) s = { anyOf: [s, { enum: Object.keys(f.literals) }] };
  if (f.default !== undefined) {
    if (typeof f.default !== "object" || Array.isArray(f.default)) s.default = f.default; else notes.push(`default: ${words(f.default, config.src)}`);
  }
  const fill = (k) => k === "values" ? (typeof (f.items ?? f).values === "object" ? Object.keys((f.items ?? f).values).join(", ") : k)
    : k === "min" || k === "max" ? (typeof f[k] === "object" ? words(f[k], config.src) : String(f[k])) : k;
  const text = [f.description, f.expected && `Expected ${f.expected.replace(/\{([^}]*)\}/g, (_, k) => fill(k))}.`, ...notes.map((n) => n[0].toUpperCase() + n.slice(1) + ".")].filter(Boolean).join(" ");
  if (text) s.description = text;
  return s;
}

const node = convert(FIELDS.root, { src: "config.fields.json" });
const nodeSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: BASE + "node-config.schema.json",
  title: "mipfw node configuration",
  description: "Generated by schema/gen.mjs from schema/config.fields.json; do not edit. docs/abi.md 'Configuration schema'.",
  ...node,
};

// ---- scenarios (schema/scenario.fields.json, walked by host/node/sim/scenario.ts; docs/scenarios.md) ----
// A board node's other fields are a node configuration: its JSON Schema is the node configuration's
// properties (no "$schema") plus the board node's own.
const { $schema: _, ...nodeProps } = node.properties;
const scenario = convert(SCENARIO.root, { src: "scenario.fields.json", properties: nodeProps, required: node.required });
const scenarioSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: BASE + "scenario.schema.json",
  title: "mipfw scenario",
  description: "Generated by schema/gen.mjs from schema/scenario.fields.json; do not edit. docs/scenarios.md. Each board node is a node configuration (node-config.schema.json) plus attach, position and movement.",
  ...scenario,
};

const out = { "node-config.schema.json": nodeSchema, "scenario.schema.json": scenarioSchema };
const stale = [];
for (const [f, s] of Object.entries(out)) {
  const text = JSON.stringify(s, null, 2) + "\n";
  let old = "";
  try { old = readFileSync(dir + f, "utf8"); } catch { /* new */ }
  if (old === text) continue;
  stale.push(f);
  if (!process.argv.includes("--check")) writeFileSync(dir + f, text);
}
if (process.argv.includes("--check")) {
  if (stale.length) { console.error(`stale: ${stale.map((f) => "schema/" + f).join(", ")} (run node schema/gen.mjs)`); process.exit(1); }
} else for (const f of stale) console.log(`wrote schema/${f}`);
