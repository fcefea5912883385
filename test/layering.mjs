#!/usr/bin/env node
// The core's layering check (docs/decisions.md "Core v2"): parses every import of assembly/, prints
// the layers bottom up with their files, and fails (exit 1) on an import cycle between files or an
// import from a lower layer into a higher one. `node test/layering.mjs` (test/host/layering.test.mjs
// runs it in `npm test`).
//
// Layers, bottom up (a file may import its own layer and the ones below):
//   base       host.ts clock.ts mem.ts counters.ts counter-names.ts text.ts text-dict.ts events.ts config.ts config-text.ts features.ts — the platform and values
//   wire       wire/       pure codecs: import nothing but wire/
//   table      table/ crypto/    data structures and primitives
//   services   sys/ security/    the timer heap and its owners; security associations
//   link       link/       interfaces, Ethernet, (next) neighbour cache
//   network    stack/      IPv4 (IPv6 next), ARP, routes, reassembly
//   transport  transport/  UDP demultiplexing
//   app        app/        DHCP client
//   mobility   mobility/   the Mobile IP roles
//   top        index.ts configure.ts dump.ts — the ABI adapter and what needs every layer

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname, relative, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const LAYERS = [
  { name: "base", match: (f) => ["host.ts", "clock.ts", "mem.ts", "counters.ts", "counter-names.ts", "text.ts", "text-dict.ts", "events.ts", "config.ts", "config-text.ts", "features.ts"].includes(f) },
  { name: "wire", match: (f) => f.startsWith("wire/") },
  { name: "table", match: (f) => f.startsWith("table/") || f.startsWith("crypto/") },
  { name: "services", match: (f) => f.startsWith("sys/") || f.startsWith("security/") },
  { name: "link", match: (f) => f.startsWith("link/") },
  { name: "network", match: (f) => f.startsWith("stack/") },
  { name: "transport", match: (f) => f.startsWith("transport/") },
  { name: "app", match: (f) => f.startsWith("app/") },
  { name: "mobility", match: (f) => f.startsWith("mobility/") },
  { name: "top", match: (f) => ["index.ts", "configure.ts", "dump.ts"].includes(f) },
];

/** Layer index of a file path relative to assembly/, or -1 when no layer claims it. */
export function layerOf(file) {
  return LAYERS.findIndex((l) => l.match(file));
}

/** Every .ts file under `root` (relative paths, "/" separators) with the files it imports. */
export function parseImports(root) {
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".ts") && !n.startsWith("__")) files.push(relative(root, p).split("\\").join("/"));
    }
  };
  walk(root);
  const graph = new Map();
  // import ... from "x" and export ... from "x" (statements may span lines); side-effect imports too.
  const re = /(?:^|;|\n)\s*(?:import|export)\s+(?:[^;'"]*?\s+from\s+)?["']([^"']+)["']/g;
  for (const f of files.sort()) {
    const src = readFileSync(join(root, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
    const deps = new Set();
    for (const m of src.matchAll(re)) {
      if (!m[1].startsWith(".")) continue;
      let t = normalize(join(dirname(f), m[1])).split("\\").join("/");
      if (!t.endsWith(".ts")) t += ".ts";
      deps.add(t);
    }
    graph.set(f, [...deps].sort());
  }
  return graph;
}

/** Problems of `graph` (Map file -> imported files): unknown layers, upward imports, impure wire, cycles. */
export function checkLayers(graph) {
  const problems = [];
  for (const [f, deps] of graph) {
    const lf = layerOf(f);
    if (lf < 0) { problems.push(`${f}: in no layer (add it to test/layering.mjs LAYERS)`); continue; }
    for (const d of deps) {
      if (!graph.has(d)) { problems.push(`${f}: imports ${d}, which does not exist`); continue; }
      const ld = layerOf(d);
      if (ld > lf) problems.push(`${f} (${LAYERS[lf].name}) imports ${d} (${LAYERS[ld].name}): upward import`);
      if (LAYERS[lf].name === "wire" && !d.startsWith("wire/")) problems.push(`${f}: the wire layer imports ${d} (wire/ stays pure)`);
    }
  }
  // Cycles: Tarjan's strongly connected components; any component of more than one file (or a file
  // importing itself) is a cycle.
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) || []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (graph.get(v) || []).includes(v)) problems.push(`import cycle: ${comp.sort().join(" <-> ")}`);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return problems;
}

/** The layers bottom up, each with its files and how many imports they make. */
export function describe(graph) {
  const lines = [];
  LAYERS.forEach((l, i) => {
    const fs = [...graph.keys()].filter((f) => layerOf(f) === i);
    const n = fs.reduce((a, f) => a + graph.get(f).length, 0);
    lines.push(`${String(i).padStart(2)} ${l.name.padEnd(10)} ${String(fs.length).padStart(2)} files, ${String(n).padStart(3)} imports: ${fs.join(" ")}`);
  });
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "assembly");
  const graph = parseImports(root);
  console.log(`assembly/: ${graph.size} files, layers bottom up (a file imports only its own layer and those below):`);
  console.log(describe(graph));
  const problems = checkLayers(graph);
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(problems.length ? `${problems.length} layering problem(s)` : "layering ok: no cycle, no upward import");
  process.exit(problems.length ? 1 : 0);
}
