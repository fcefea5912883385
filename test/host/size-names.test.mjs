// Issue 8 targets: firmware.wasm stays within 64 KiB; the counter names the module reports are the
// C enum of counters.ts, generated once (host/gen-counter-names.mjs), UTF-8.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { counterNames, render } from "../../host/gen-counter-names.mjs";

const root = new URL("../../", import.meta.url).pathname;

test("issue 8: build/firmware.wasm is at most 64 KiB", () => {
  const n = readFileSync(`${root}build/firmware.wasm`).length;
  assert.ok(n <= 65536, `firmware.wasm is ${n} bytes, over 65536`);
});

test("issue 8: assembly/counter-names.ts is generated from the C enum and up to date", () => {
  const r = spawnSync(process.execPath, [`${root}host/gen-counter-names.mjs`, "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const src = readFileSync(`${root}assembly/counters.ts`, "utf8");
  const names = counterNames(src);
  assert.equal(names[0], "rx_frames");
  assert.ok(names.includes("drop_udp_checksum"));
  // A counter appended to the enum changes the generated file (so a stale one is caught).
  const more = src.replace("  COUNT\n}", "  SOMETHING_NEW,\n  COUNT\n}");
  assert.notEqual(render(counterNames(more)), render(names));
  assert.deepEqual(counterNames(more).slice(-1), ["something_new"]);
  // Ids stay dense: an explicit value that skips one is refused.
  assert.throws(() => counterNames(src.replace("RX_FRAMES = 0", "RX_FRAMES = 1")), /dense/);
});

test("issue 8: the module's counter names decode as UTF-8 into the enum's names, one per counter", async () => {
  const wasm = readFileSync(`${root}build/firmware.wasm`);
  const noop = () => {};
  const { instance } = await WebAssembly.instantiate(wasm, {
    host: { tx: noop, deliver: noop, now_ms: () => 0n, random: noop, log: noop, event: noop },
  });
  const x = instance.exports;
  const bytes = new Uint8Array(x.memory.buffer, x.counter_names_ptr(), x.counter_names_len());
  assert.ok(bytes.every((b) => b < 128), "ASCII only");
  const names = new TextDecoder().decode(bytes).split("\n");
  assert.equal(names.length, x.counters_count());
  assert.deepEqual(names, counterNames());
});
