// Issue 8.1: the core's imports form layers without cycles (test/layering.mjs is the check).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseImports, checkLayers, describe, LAYERS } from "../layering.mjs";

const root = new URL("../../assembly", import.meta.url).pathname;

test("issue 8.1: assembly/ has no import cycle and no upward import; every file is in a layer", () => {
  const graph = parseImports(root);
  assert.ok(graph.size > 40, `parsed ${graph.size} files`);
  assert.deepEqual(checkLayers(graph), []);
  // The stack never imports mobility/, and the wire layer imports only itself.
  for (const [f, deps] of graph) {
    if (!f.startsWith("mobility/") && !["index.ts", "configure.ts", "dump.ts"].includes(f)) {
      assert.deepEqual(deps.filter((d) => d.startsWith("mobility/")), [], `${f} imports mobility/`);
    }
    if (f.startsWith("wire/")) assert.deepEqual(deps.filter((d) => !d.startsWith("wire/")), [], f);
  }
  const text = describe(graph);
  for (const l of LAYERS) assert.match(text, new RegExp(` ${l.name} `));
});

test("issue 8.1: the check finds a cycle, an upward import, an impure wire file and a file in no layer", () => {
  const dir = mkdtempSync(join(tmpdir(), "layering-"));
  try {
    for (const d of ["wire", "stack", "mobility", "misc"]) mkdirSync(join(dir, d));
    writeFileSync(join(dir, "counters.ts"), "export const x = 1;\n");
    writeFileSync(join(dir, "wire/a.ts"), 'import { x } from "../counters";\nexport const a = x;\n');
    writeFileSync(join(dir, "stack/ip.ts"), 'import { h } from "../mobility/hooks";\nexport const ip = h;\n');
    writeFileSync(join(dir, "mobility/hooks.ts"), 'import {\n  ip\n} from "../stack/ip";\nexport const h = 1;\n');
    writeFileSync(join(dir, "mobility/ok.ts"), '// import { nothing } from "../index";\nimport { a } from "../wire/a";\n');
    writeFileSync(join(dir, "misc/b.ts"), "export const b = 2;\n");
    const graph = parseImports(dir);
    assert.deepEqual(graph.get("mobility/hooks.ts"), ["stack/ip.ts"]);
    assert.deepEqual(graph.get("mobility/ok.ts"), ["wire/a.ts"], "commented-out imports are not imports");
    const p = checkLayers(graph);
    assert.ok(p.some((x) => x.includes("stack/ip.ts (network) imports mobility/hooks.ts (mobility): upward import")), p.join("\n"));
    assert.ok(p.some((x) => x === "import cycle: mobility/hooks.ts <-> stack/ip.ts"), p.join("\n"));
    assert.ok(p.some((x) => x.includes("wire/a.ts: the wire layer imports counters.ts")), p.join("\n"));
    assert.ok(p.some((x) => x.startsWith("misc/b.ts: in no layer")), p.join("\n"));
    assert.equal(p.length, 4, p.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
