// Issue 14 point 8, quick start honesty: `npm start` / `npm test` rebuild only what changed and say what
// they build (tools/ensure-build.mjs); `npm test` (test/run-all.mjs) names why each test was skipped and
// counts them in its last line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const root = new URL("../../", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "mipfw-quickstart-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

test("quick start: a second ensure-build rebuilds nothing and says so", () => {
  // The first may build (stamps missing after a plain esbuild run); the second must not.
  const first = spawnSync(process.execPath, ["tools/ensure-build.mjs"], { cwd: root, encoding: "utf8" });
  assert.equal(first.status, 0, first.stderr);
  if (first.stderr.includes("npm run build:")) assert.match(first.stderr, /\[build\] the (firmware|Node host) .*: .*; npm run build:(wasm|host) \.\.\./);
  const t0 = Date.now();
  const again = spawnSync(process.execPath, ["tools/ensure-build.mjs"], { cwd: root, encoding: "utf8" });
  assert.equal(again.status, 0);
  assert.equal(again.stderr, "[build] up to date (firmware and Node host): nothing rebuilt\n");
  assert.ok(Date.now() - t0 < 10000, "hashing the sources is quick");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.match(pkg.scripts.start, /^node tools\/ensure-build\.mjs && /);
  assert.match(pkg.scripts.test, /^node tools\/ensure-build\.mjs && /);
});

test("quick start: run-all lists why tests were skipped and counts them in its last line", () => {
  const f = join(tmp, "skips.test.mjs");
  writeFileSync(f, `import { test } from "node:test";
test("a", (t) => t.skip("mipfw-board not built (cargo build --release in host/wasm3)"));
test("b", (t) => t.skip("mipfw-board not built (cargo build --release in host/wasm3)"));
test("c", (t) => t.skip("tshark not on PATH"));
test("d", () => {});
`);
  // Without NODE_TEST_CONTEXT: the inner node --test would report to this one instead of its own files.
  const env = { ...process.env, MIPFW_SKIP_WASM3_BUILD: "1" };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ["test/run-all.mjs", "--only", "node", f], { cwd: root, encoding: "utf8", env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\[test\] MIPFW_SKIP_WASM3_BUILD set: /);
  assert.match(r.stdout, /node:test skipped:\n\s+2 × mipfw-board not built \(cargo build --release in host\/wasm3\)\n\s+1 × tshark not on PATH\n/);
  assert.match(r.stdout, /\n1 passed, 0 failed, 3 skipped\n$/);
});

test("quick start: the README lists every doc in docs/ and says what runs where", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  for (const f of readdirSync(join(root, "docs")).filter((n) => n.endsWith(".md"))) assert.ok(readme.includes(`| \`docs/${f}\` |`), `README's documentation table lists docs/${f}`);
  assert.match(readme, /## What runs where today/);
  assert.match(readme, /\*\*compile-checked only\*\*/);
});
