// Runs every suite — the core's as-pect specs and the host's node:test files — and ends with one
// plain line "N passed, N failed[, N skipped]" for all of them together. Exit status 1 on any failure.
// The wasm3 board runtime's Rust tests (`cargo test --release --locked` in host/wasm3) run too when cargo
// is installed. Before the node:test files, the wasm3 board runtime (host/wasm3/target/release/mipfw-board,
// which the wasm3 and cross-host tests run) is built with cargo when cargo is installed — a no-op when
// nothing changed; MIPFW_SKIP_WASM3_BUILD=1 leaves it as it is. Every skipped test is counted in the last
// line and its reason printed above it, grouped (docs/decisions.md "Quick start honesty").
// Usage: node test/run-all.mjs [--only aspect|node|cargo] [node test files...]
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, mkdtempSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const args = process.argv.slice(2);
const only = args[0] === "--only" ? args[1] : null;
const files = args[0] === "--only" ? args.slice(2) : args;
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0, failed = 0, skipped = 0;

if (!only || only === "aspect") {
  const r = spawnSync("npx", ["--no-install", "asp", "--config", "as-pect.config.js", "--summary"], { encoding: "utf8", env: { ...process.env, npm_config_loglevel: "error" } });
  const out = strip((r.stdout ?? "") + (r.stderr ?? ""));
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(out);
  const fileLines = out.split("\n").filter((l) => /\.spec\.ts/.test(l) || /✖|\[Fail\]|ERROR/.test(l));
  process.stdout.write(fileLines.join("\n") + "\n");
  if (m) {
    const ok = Number(m[1]), total = Number(m[2]);
    passed += ok; failed += total - ok;
    console.log(`as-pect: ${ok} passed, ${total - ok} failed`);
  } else {
    failed += 1;
    console.log("as-pect: the specs did not run:\n" + out.slice(-4000));
  }
  if (r.status !== 0 && m && Number(m[1]) === Number(m[2])) { failed += 1; console.log(`as-pect exited ${r.status}`); }
}

const hasCargo = !spawnSync("cargo", ["--version"], { encoding: "utf8" }).error;

if (!only || only === "node") {
  const board = "host/wasm3/target/release/mipfw-board";
  if (process.env.MIPFW_SKIP_WASM3_BUILD) console.log(`[test] MIPFW_SKIP_WASM3_BUILD set: ${existsSync(board) ? `using ${board} as built` : `${board} not built, its tests will be skipped`}`);
  else if (!hasCargo) console.log(`[test] cargo not installed: ${existsSync(board) ? `using ${board} as built` : `${board} cannot be built and the wasm3 tests will be skipped (install Rust: https://rustup.rs)`}`);
  else {
    console.log(`[test] building the wasm3 board runtime for its tests: cargo build --release --locked in host/wasm3${existsSync(board) ? "" : " (first build: a few minutes)"}`);
    const b = spawnSync("cargo", ["build", "--release", "--locked"], { cwd: "host/wasm3", stdio: ["ignore", "inherit", "inherit"] });
    if (b.status !== 0) console.log(`[test] cargo build failed (exit ${b.status}; it needs clang and libclang-dev, docs/wasm3.md): the wasm3 tests will be skipped and the failure is counted; MIPFW_SKIP_WASM3_BUILD=1 skips the build on purpose`);
    if (b.status !== 0) failed += 1;
  }
  const list = files.length ? files : readdirSync("test/host").filter((f) => f.endsWith(".test.mjs")).sort().map((f) => join("test/host", f));
  const dir = mkdtempSync(join(tmpdir(), "mipfw-test-"));
  const tap = join(dir, "tap.txt");
  const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`, ...list], { stdio: ["ignore", "inherit", "inherit"] });
  let text = "";
  try { text = readFileSync(tap, "utf8"); } catch { /* no report */ }
  // Why tests were skipped, grouped: "ok 3 - name # SKIP reason" (subtests indented).
  const reasons = new Map();
  for (const m of text.matchAll(/^\s*ok \d+ - .*? # SKIP ?(.*)$/gm)) reasons.set(m[1] || "(no reason given)", (reasons.get(m[1] || "(no reason given)") ?? 0) + 1);
  if (reasons.size) {
    console.log("node:test skipped:");
    for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)} × ${why}`);
  }
  rmSync(dir, { recursive: true, force: true });
  const num = (k) => Number((new RegExp(`^# ${k} (\\d+)`, "m").exec(text) ?? [0, 0])[1]);
  const p = num("pass"), f = num("fail") + num("cancelled"), s = num("skipped") + num("todo");
  passed += p; failed += f; skipped += s;
  if (!text) { failed += 1; console.log("node:test produced no report"); }
  else if (r.status !== 0 && f === 0) { failed += 1; console.log(`node --test exited ${r.status}`); }
  console.log(`node:test: ${p} passed, ${f} failed, ${s} skipped`);
}

if (!only || only === "cargo") {
  if (!hasCargo) { skipped += 1; console.log("cargo: not installed, the host/wasm3 Rust tests were not run (counted as 1 skipped)"); }
  else {
    const r = spawnSync("cargo", ["test", "--release", "--locked"], { cwd: "host/wasm3", encoding: "utf8", maxBuffer: 64 << 20 });
    const out = strip((r.stdout ?? "") + (r.stderr ?? ""));
    let p = 0, f = 0, s = 0, suites = 0;
    for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
      suites++; p += Number(m[1]); f += Number(m[2]); s += Number(m[3]);
    }
    const failedLines = out.split("\n").filter((l) => /^test .* FAILED$|panicked at/.test(l));
    if (failedLines.length) process.stdout.write(failedLines.join("\n") + "\n");
    passed += p; failed += f; skipped += s;
    if (r.status !== 0 && f === 0) { failed += 1; console.log(`cargo test exited ${r.status}:\n` + out.slice(-4000)); }
    console.log(`cargo test (host/wasm3): ${p} passed, ${f} failed, ${s} ignored in ${suites} suites`);
  }
}

console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed ? 1 : 0);
