// The module's import and export sections match docs/abi.md exactly, both ways, and the core
// contains no runtime allocator (everything is carved once in init).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { firmware, debugBytes } from "./helpers.mjs";

const doc = readFileSync(new URL("../../docs/abi.md", import.meta.url), "utf8");

function tableNames(heading) {
  const start = doc.indexOf(heading);
  assert.ok(start >= 0, `docs/abi.md has no "${heading}" section`);
  const rest = doc.slice(start + heading.length);
  const end = rest.search(/\n## /);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  return [...section.matchAll(/^\| `([a-z_0-9]+)` \|/gm)].map((m) => m[1]).sort();
}

test("imports: only module host, exactly the functions docs/abi.md lists", () => {
  const imports = WebAssembly.Module.imports(firmware);
  for (const i of imports) assert.equal(i.module, "host", `import ${i.module}.${i.name}`);
  const have = imports.map((i) => i.name).sort();
  const documented = tableNames("## Imports (module `host`)");
  // every documented import must be one the module may use; every used import must be documented
  for (const name of have) assert.ok(documented.includes(name), `import ${name} is not documented`);
  assert.deepEqual(documented, ["deliver", "event", "log", "now_ms", "random", "tx"]);
});

test("exports: exactly the documented set", () => {
  const have = WebAssembly.Module.exports(firmware).map((e) => e.name).sort();
  assert.deepEqual(have, tableNames("## Exports"));
});

test("the debug build contains no runtime allocator call", () => {
  // The name section of the debug build names every function the module contains.
  const text = Buffer.from(debugBytes).toString("latin1");
  for (const fn of ["~lib/rt/stub/__alloc", "~lib/rt/stub/__new", "~lib/rt/stub/__realloc"]) {
    assert.ok(!text.includes(fn), `${fn} is in the firmware: something in assembly/ allocates`);
  }
  assert.ok(text.includes("assembly/index/init"), "the debug build has a name section");
});

test("ABI v3: the firmware says 3 and the Node host refuses a module of another version, naming both", async () => {
  const host = await import("../../build/host.mjs");
  const { hostJson } = await import("./helpers.mjs");
  const cfg = host.validateConfig(hostJson, "h1");
  const hooks = { now: () => 0, tx() {}, deliver() {}, log() {} };
  assert.equal(host.ABI_VERSION, 3);
  assert.equal(new host.Board(firmware, cfg, hooks).x.abi_version(), 3);
  // host/wasm3/tests/wasm/stub-abi1.wasm: a stand-in module whose abi_version() is 1 (gen.mjs).
  const v1 = new WebAssembly.Module(readFileSync(new URL("../../host/wasm3/tests/wasm/stub-abi1.wasm", import.meta.url)));
  assert.throws(() => new host.Board(v1, cfg, hooks), (e) => e instanceof host.BoardError && e.message === "h1: firmware ABI 1, host ABI 3");
  const v2 = new WebAssembly.Module(readFileSync(new URL("../../host/wasm3/tests/wasm/stub.wasm", import.meta.url)));
  assert.doesNotThrow(() => new host.Board(v2, cfg, hooks));
});
