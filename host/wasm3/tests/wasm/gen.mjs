// Regenerates the *.wasm test modules from abi-stub.wat (run from the repository root:
// node host/wasm3/tests/wasm/gen.mjs). binaryen comes with assemblyscript.
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

const dir = new URL(".", import.meta.url).pathname;
const wat = readFileSync(dir + "abi-stub.wat", "utf8");
const variants = {
  "stub.wasm": { ABI: "3", GROW: "0" },
  "stub-abi1.wasm": { ABI: "1", GROW: "0" },
  "stub-grows.wasm": { ABI: "3", GROW: "3" },
  "stub-badsig.wasm": { ABI: "3", GROW: "0", sig: true },
  "stub-env.wasm": { ABI: "3", GROW: "0", env: true },
};
for (const [name, v] of Object.entries(variants)) {
  let text = wat.replace("(i32.const ABI)", `(i32.const ${v.ABI})`).replace("(i32.const GROW)", `(i32.const ${v.GROW})`);
  if (v.sig) text = text.replace('(import "host" "now_ms" (func $now (result i64)))', '(import "host" "now_ms" (func $now (result i64)))\n  (import "host" "deliver" (func $deliver (param i32)))')
    .replace("(i32.const 0))\n  (func (export \"config_add\")", "(call $deliver (i32.const 0)) (i32.const 0))\n  (func (export \"config_add\")");
  if (v.env) text = text.replace('(import "host" "now_ms" (func $now (result i64)))', '(import "host" "now_ms" (func $now (result i64)))\n  (import "env" "abort" (func $abort (param i32)))')
    .replace("(i32.const 0))\n  (func (export \"config_add\")", "(call $abort (i32.const 0)) (i32.const 0))\n  (func (export \"config_add\")");
  const m = binaryen.parseText(text);
  if (!m.validate()) throw new Error(`${name}: invalid`);
  writeFileSync(dir + name, m.emitBinary());
  m.dispose();
}
