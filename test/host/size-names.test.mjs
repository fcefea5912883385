// Size budget (docs/decisions.md "Module size budget", issue 10): firmware.wasm, every role in one
// module, stays within 128 KiB (it was 64 KiB through issue 9); the counter names the module reports are the
// C enum of counters.ts, generated once (host/gen-counter-names.mjs), encoded with a shared token
// dictionary (assembly/text.ts) and decoded one at a time by `counter_name` (ABI v3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { counterNames, configTexts, renderAll, dictionary, encode, decode } from "../../host/gen-counter-names.mjs";

const root = new URL("../../", import.meta.url).pathname;

test("issue 10: build/firmware.wasm is at most 128 KiB", () => {
  const n = readFileSync(`${root}build/firmware.wasm`).length;
  assert.ok(n <= 131072, `firmware.wasm is ${n} bytes, over 131072`);
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
  const texts = configTexts();
  assert.notDeepEqual(renderAll(counterNames(more), texts), renderAll(names, texts));
  assert.deepEqual(counterNames(more).slice(-1), ["something_new"]);
  // Ids stay dense: an explicit value that skips one is refused.
  assert.throws(() => counterNames(src.replace("RX_FRAMES = 0", "RX_FRAMES = 1")), /dense/);
});

test("issue 12: the texts' encoding round-trips and saves bytes; the module names every counter through counter_name", async () => {
  const names = counterNames();
  const texts = configTexts();
  const dict = dictionary([names, texts]);
  assert.ok(dict.length <= 128 && dict.includes("drop_") && dict.includes("mobility."));
  for (const list of [names, texts]) {
    const bytes = encode(list, dict);
    list.forEach((t, k) => assert.equal(decode(bytes, dict, k), t));
    assert.equal(decode(bytes, dict, list.length), undefined);
  }
  const plain = [...names, ...texts].reduce((a, t) => a + t.length + 1, 0);
  const packed = encode(names, dict).length + encode(texts, dict).length + dict.reduce((a, w) => a + w.length + 1, 0);
  assert.ok(packed < plain * 0.65, `${packed} bytes encoded vs ${plain} plain`);
  // Non-ASCII or over-long texts are refused by the generator, not truncated.
  assert.throws(() => encode(["caf\u00e9"], dict), /ASCII/);
  assert.throws(() => encode(["x".repeat(256)], dict), /255/);

  const wasm = readFileSync(`${root}build/firmware.wasm`);
  const noop = () => {};
  const { instance } = await WebAssembly.instantiate(wasm, {
    host: { tx: noop, deliver: noop, now_ms: () => 0n, random: noop, log: noop, event: noop },
  });
  const x = instance.exports;
  const got = [];
  for (let i = 0; i < x.counters_count(); i++) {
    const n = x.counter_name(i);
    const bytes = new Uint8Array(x.memory.buffer, x.dump_buffer(), n);
    assert.ok(bytes.every((b) => b >= 0x20 && b < 0x7f), `counter ${i}: printable ASCII`);
    got.push(new TextDecoder().decode(bytes));
  }
  assert.deepEqual(got, names);
  assert.equal(x.counter_name(x.counters_count()), -1);
  assert.equal(x.counter_name(-1), -1);
  // The IPv4-only image names exactly its own counters (those before ip6_rx).
  const mcu = (await WebAssembly.instantiate(readFileSync(`${root}build/firmware-mcu.wasm`), {
    host: { tx: noop, deliver: noop, now_ms: () => 0n, random: noop, log: noop, event: noop },
  })).instance.exports;
  assert.equal(mcu.counters_count(), names.indexOf("ip6_rx"));
  assert.equal(mcu.counter_name(mcu.counters_count() - 1), names.indexOf("ip6_rx") - 1 >= 0 ? names[names.indexOf("ip6_rx") - 1].length : -1);
  assert.equal(mcu.counter_name(mcu.counters_count()), -1);
});

test("issue 8: configuration refusal texts come from config.ts's T enum and read back exactly", async () => {
  const texts = configTexts();
  assert.ok(texts.length > 60);
  assert.ok(texts.includes("board.memoryPages") && texts.includes('"MIPF"') && texts.includes("each interface once"));
  assert.equal(readFileSync(`${root}assembly/config-text.ts`, "utf8"), Object.entries(renderAll(counterNames(), texts)).find(([f]) => f.endsWith("config-text.ts"))[1]);
  // The firmware's own refusals: a wrong magic, and one interface configured twice.
  const wasm = readFileSync(`${root}build/firmware.wasm`);
  const logs = [];
  let mem;
  const noop = () => {};
  const { instance } = await WebAssembly.instantiate(wasm, {
    host: { tx: noop, deliver: noop, now_ms: () => 0n, random: noop, event: noop,
      log: (level, p, n) => logs.push(new TextDecoder().decode(new Uint8Array(mem.buffer, p, n))) },
  });
  const x = instance.exports;
  mem = x.memory;
  const buf = new Uint8Array(mem.buffer, x.config_buffer(), 64);
  buf.set([0x58, 0x58, 0x58, 0x58, 0, 2, 0, 0]);
  assert.equal(x.init(x.config_buffer(), 8), 1);
  assert.equal(logs.at(-1), `config: config magic: expected "MIPF", got ${0x58585858}`);
  // MIPF v2, then the same IFACE record twice (index 0, flags 0, MAC 02:..:01, MTU 1500, /(96 + 24),
  // pad, ::ffff:10.0.0.1).
  const iface = [3, 0, 0, 32, 0, 0, 2, 0, 0, 0, 0, 1, 0x05, 0xdc, 120, 0, 0, 0, 0, 0, ...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1];
  const cfg = [0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, ...iface, ...iface];
  new Uint8Array(mem.buffer, x.config_buffer(), cfg.length).set(cfg);
  assert.equal(x.init(x.config_buffer(), cfg.length), 1);
  assert.equal(logs.at(-1), "config: iface.index: expected each interface once, got 0");
  // A version 1 configuration (4-byte addresses, ABI v1) is refused by its header.
  new Uint8Array(mem.buffer, x.config_buffer() + 5, 1)[0] = 1;
  assert.equal(x.init(x.config_buffer(), cfg.length), 1);
  assert.equal(logs.at(-1), "config: config version: expected 2..2, got 1");
});
