// Cross-host conformance of the node configuration: for every test/fixtures/configs/*.json the wasm3
// board runtime (`mipfw-board encode-config`, host/wasm3/src/config.rs) must produce byte for byte the
// binary config chunks of host/node/config.ts encodeConfigChunks, or refuse with exactly the same
// problems. Skipped when host/wasm3/target/release/mipfw-board has not been built (cargo build --release).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { host } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "host/wasm3/target/release/mipfw-board");
const dir = join(root, "test/fixtures/configs");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** Node's answer: { chunks } or { problems }. */
function nodeEncode(file) {
  const json = JSON.parse(readFileSync(join(dir, file), "utf8"));
  try {
    const cfg = host.validateConfig(json, "config");
    return { chunks: host.encodeConfigChunks(cfg, 4096).map(hex) };
  } catch (e) {
    if (!(e instanceof host.ConfigError)) throw e;
    return { problems: e.problems };
  }
}

/** The wasm3 runtime's answer, from its command line. */
function rustEncode(file) {
  const r = spawnSync(bin, ["encode-config", join(dir, file), "--boards", join(root, "boards")], { encoding: "utf8" });
  if (r.status === 0) return { chunks: r.stdout.trim().split("\n") };
  assert.equal(r.status, 1, `exit status for ${file}: ${r.stderr}`);
  return { problems: r.stderr.trim().split("\n").filter((l) => l.startsWith("config")) };
}

test("wasm3 config: there are valid and invalid fixtures", () => {
  assert.ok(fixtures.length >= 8);
  const kinds = fixtures.map((f) => "chunks" in nodeEncode(f));
  assert.ok(kinds.includes(true) && kinds.includes(false));
  assert.ok(nodeEncode("ha-big.json").chunks.length >= 3, "one fixture needs config_add chunks");
});

for (const file of fixtures) {
  test(`wasm3 config: ${file} encodes (or is refused) exactly as host/node/config.ts`, (t) => {
    if (!existsSync(bin)) { t.skip("mipfw-board not built (cargo build --release in host/wasm3)"); return; }
    const want = nodeEncode(file);
    const got = rustEncode(file);
    if (want.chunks) {
      assert.deepEqual(got.problems, undefined, `Rust refused ${file}`);
      assert.equal(got.chunks.length, want.chunks.length, "number of chunks");
      for (const c of want.chunks) assert.ok(c.length / 2 <= 4096 || want.chunks.length === 1);
      assert.deepEqual(got.chunks, want.chunks);
    } else {
      assert.ok(got.problems, `Rust accepted ${file}, Node refused it: ${want.problems.join("; ")}`);
      assert.deepEqual(got.problems, want.problems);
    }
  });
}

test("wasm3 config: missing file exits 1, bad arguments exit 2", (t) => {
  if (!existsSync(bin)) { t.skip("mipfw-board not built"); return; }
  let r = spawnSync(bin, ["encode-config", join(dir, "no-such-file.json")], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no-such-file\.json: cannot read/);
  r = spawnSync(bin, ["encode-config"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  r = spawnSync(bin, ["--config"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  r = spawnSync(bin, ["--frobnicate"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unexpected argument "--frobnicate"/);
  r = spawnSync(bin, ["--help"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /mipfw-board --config node\.json/);
});
