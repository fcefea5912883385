#!/usr/bin/env node
// Writes the core's texts into static memory, so each list exists once in the source:
// assembly/counter-names.ts from the `C` enum of assembly/counters.ts (a counter's name is its member
// in lower case) and assembly/config-text.ts from the `T` enum of assembly/config.ts (each member's
// comment is its text). Run by `npm run build:wasm`; `--check` exits 1 when a file is stale.
//
// Encoding (assembly/text.ts decodes it): each list is one stream of lines separated by "\n"; a byte
// below 0x80 is itself (the texts are ASCII), a byte 0x80 + k stands for token k of the dictionary in
// assembly/text-dict.ts (a length byte, then the token's bytes, for each token in turn). Tokens are
// the words of the texts with the separator that ends them ("drop_", "mobility.", "record "), the
// ones that save most, at most 128, shared by both lists, chosen over what the image without Mobile IPv6
// carries (its size has a target; docs/decisions.md "Texts").
// Why (size, issue 12): 5.8 KB of plain texts became ~3.3 KB (docs/decisions.md "Texts").
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const OUT = `${root}assembly/counter-names.ts`;
const OUT_TEXT = `${root}assembly/config-text.ts`;
const OUT_DICT = `${root}assembly/text-dict.ts`;

/** The refusal texts of assembly/config.ts's `T` enum, in id order (each member's `// text`). */
export function configTexts(src = readFileSync(`${root}assembly/config.ts`, "utf8")) {
  const start = src.indexOf("export const enum T {");
  if (start < 0) throw new Error("assembly/config.ts: no `export const enum T {`");
  const body = src.slice(start, src.indexOf("\n}", start));
  const texts = [];
  for (const line of body.split("\n").slice(1)) {
    const m = line.match(/^\s+([A-Z][A-Z0-9_]*)\s*,?\s*(?:\/\/ (.*))?$/);
    if (!m) continue;
    if (m[1] === "COUNT") break;
    if (m[2] === undefined) throw new Error(`config.ts: T.${m[1]} has no // text`);
    texts.push(m[2]);
  }
  return texts;
}

/** The counter names, in id order, from the source of assembly/counters.ts. */
export function counterNames(src = readFileSync(`${root}assembly/counters.ts`, "utf8")) {
  const start = src.indexOf("export const enum C {");
  if (start < 0) throw new Error("assembly/counters.ts: no `export const enum C {`");
  const body = src.slice(start, src.indexOf("\n}", start)).replace(/\/\/[^\n]*/g, "");
  const members = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*(=\s*(\d+))?\s*,?\s*$/gm)];
  const names = [];
  for (const m of members) {
    if (m[3] !== undefined && Number(m[3]) !== names.length) throw new Error(`counters.ts: ${m[1]} = ${m[3]} breaks the dense ids`);
    if (m[1] === "COUNT") break;
    names.push(m[1].toLowerCase());
  }
  return names;
}

/** Numbers as source lines of 24, each indented and ending with a comma. */
function rows(xs) {
  const r = [];
  for (let i = 0; i < xs.length; i += 24) r.push("  " + xs.slice(i, i + 24).join(", ") + ",");
  return r.join("\n");
}

const TOKENS_MAX = 128;
const pieces = (t) => t.split(/(?<=[._ ])/);

/** The dictionary for `lists` (arrays of texts): the tokens that save most bytes, best first. */
export function dictionary(lists) {
  const seen = new Map();
  for (const list of lists) for (const t of list) for (const w of pieces(t)) seen.set(w, (seen.get(w) ?? 0) + 1);
  // A token costs its bytes and a length byte once, and saves all but one byte at each use.
  return [...seen].map(([w, n]) => [w, n * (w.length - 1) - (w.length + 1)]).filter(([, gain]) => gain > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOKENS_MAX).map(([w]) => w);
}

/** `texts` as one stream of lines, each piece that is a token replaced by its code. */
export function encode(texts, dict) {
  const code = new Map(dict.map((w, k) => [w, 0x80 + k]));
  const out = [];
  texts.forEach((t, i) => {
    if (!/^[\x20-\x7e]*$/.test(t) || t.length > 255) throw new Error(`text ${JSON.stringify(t)}: printable ASCII, at most 255 bytes`);
    if (i > 0) out.push(10);
    for (const w of pieces(t)) code.has(w) ? out.push(code.get(w)) : out.push(...Buffer.from(w, "ascii"));
  });
  return out;
}

/** Line `k` of an encoded stream, decoded (the reference for assembly/text.ts textLine). */
export function decode(bytes, dict, k) {
  const lines = [[]];
  for (const b of bytes) b === 10 ? lines.push([]) : lines.at(-1).push(b);
  return lines[k]?.map((b) => (b < 0x80 ? String.fromCharCode(b) : dict[b - 0x80])).join("");
}

/** The three generated files for the counter `names` and the refusal `texts`. */
export function renderAll(names, texts) {
  // Why (size): the tokens are chosen for the image without Mobile IPv6 (the one with a size target,
  // issue 12): its lists only, so Mobile IPv6's names and texts never change what it carries.
  const dict = dictionary([names.slice(0, names.indexOf("mip6_hao_rx")), texts.slice(0, texts.indexOf("mobility.ipv6Correspondents"))]);
  const d = dict.flatMap((w) => [w.length, ...Buffer.from(w, "ascii")]);
  const n = encode(names, dict);
  // An image without Mobile IPv6 (features.ts MIP6) has none of its counters: a stream without their
  // names (asc compiles only the arm of a constant condition, so one stream is in each image).
  const im = names.indexOf("mip6_hao_rx");
  if (im < 0) throw new Error("counters.ts: mip6_hao_rx must come first of the Mobile IPv6 counters");
  const n0 = encode(names.slice(0, im), dict);
  const t = encode(texts, dict);
  // The same for the refusal texts: the Mobile IPv6 keys' texts come last (config.ts T enum); an image
  // without Mobile IPv6 takes none of those keys' values from its hosts, and a text it lacks is logged empty.
  const it = texts.indexOf("mobility.ipv6Correspondents");
  if (it < 0) throw new Error("config.ts: mobility.ipv6Correspondents must come first of the Mobile IPv6 texts");
  const t0 = encode(texts.slice(0, it), dict);
  const head = "// Generated by host/gen-counter-names.mjs: do not edit. Encoding: assembly/text.ts.\n";
  return {
    [OUT_DICT]: `${head}// ${dict.length} tokens, each a length byte and its bytes (from the counter names and the refusal texts).

export const TEXT_DICT: usize = memory.data<u8>([
${rows(d)}
]);
`,
    [OUT]: `${head}// The ${names.length} counter names (the C enum of counters.ts), a line each in counter order; images
// without Mobile IPv6 stop before mip6_hao_rx (${im}).
import { MIP6 } from "./features";

export const COUNTER_NAMES_LEN: i32 = MIP6 ? ${n.length} : ${n0.length};
export const COUNTER_NAMES: usize = MIP6 ? memory.data<u8>([
${rows(n)}
]) : memory.data<u8>([
${rows(n0)}
]);
`,
    [OUT_TEXT]: `${head}// The ${texts.length} configuration refusal texts (the T enum of config.ts), a line each in id order;
// images without Mobile IPv6 stop before mobility.ipv6Correspondents (${it}).
import { MIP6 } from "./features";

export const CONFIG_TEXT_LEN: i32 = MIP6 ? ${t.length} : ${t0.length};
export const CONFIG_TEXT: usize = MIP6 ? memory.data<u8>([
${rows(t)}
]) : memory.data<u8>([
${rows(t0)}
]);
`,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let stale = false;
  for (const [file, text] of Object.entries(renderAll(counterNames(), configTexts()))) {
    let old = "";
    try { old = readFileSync(file, "utf8"); } catch {}
    if (old === text) continue;
    if (process.argv.includes("--check")) { console.error(`${file} is stale: run node host/gen-counter-names.mjs`); stale = true; }
    else writeFileSync(file, text);
  }
  process.exit(stale ? 1 : 0);
}
