// Cross-host conformance of the node configuration: for every test/fixtures/configs/*.json the wasm3
// board runtime (`mipfw-board encode-config`, host/wasm3/src/config.rs) must produce byte for byte the
// binary config chunks of host/node/config.ts encodeConfigChunks, or refuse with exactly the same
// problems. Skipped when host/wasm3/target/release/mipfw-board has not been built (cargo build --release).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { host } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "host/wasm3/target/release/mipfw-board");
const dir = join(root, "test/fixtures/configs");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** Node's answer: { chunks } or { problems }. */
function nodeEncode(file, abs = false) {
  return nodeEncodeJson(JSON.parse(readFileSync(abs ? file : join(dir, file), "utf8")));
}
function nodeEncodeJson(json) {
  try {
    const cfg = host.validateConfig(json, "config");
    return { chunks: host.encodeConfigChunks(cfg, 4096).map(hex) };
  } catch (e) {
    if (!(e instanceof host.ConfigError)) throw e;
    return { problems: e.problems };
  }
}

/** The wasm3 runtime's answer, from its command line. */
function rustEncode(file, abs = false) {
  const r = spawnSync(bin, ["encode-config", abs ? file : join(dir, file), "--boards", join(root, "boards")], { encoding: "utf8" });
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
  assert.match(r.stderr, /unexpected argument '--frobnicate'/);
  r = spawnSync(bin, ["--help"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /mipfw-board --config node\.json/);
});

// ---- every field of schema/config.fields.json: a valid and an invalid value, both hosts agree -------

const FIELDS = JSON.parse(readFileSync(join(root, "schema/config.fields.json"), "utf8"));
/** A home agent using every section, accepted as it is; each case changes one field of it. */
const BASE = {
  name: "ha-all", board: "linux", roles: ["home-agent"],
  sizes: { routes: 8, securityAssocs: 4 }, node: { defaultTtl: 32 },
  interfaces: [
    { name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", mtu: 1400, advertise: true, home: true, dhcp: false },
    { name: "up0", mac: "02:00:00:00:0b:01", ipv4: "10.9.0.1/24" },
  ],
  routes: [{ dest: "172.16.0.0/16", via: "10.9.0.2", iface: "up0" }],
  mobility: { homeAgent: "10.0.0.1", lifetimeSec: 600, encapsulations: ["ipip", "gre"], request: { simultaneous: false, broadcast: true, encapsulation: "gre" }, retransmitMaxMs: 9000,
    dremip: { servers: [{ kind: "advertise", address: "10.9.0.5", priority: 3, lifetimeSec: 600 }] } },
  securityAssociations: [{ peer: "10.0.0.5", spi: 4096, algorithm: "keyed-md5", key: "00112233", replay: "nonces", coverSpi: false, use: "mobile-home" }],
  ipv6: [{ iface: "home0", address: "2001:db8:a::1/64", advertise: true, validSec: 86400, preferredSec: 3600 }],
  tunnels6: [{ dest: "2001:db8:7::/48", remote: "2001:db8:a::9", local: "2001:db8:a::1" }],
  routes6: [{ dest: "2001:db8:6::/48", via: "fe80::9", iface: "up0" }, { dest: "default", iface: "home0" }],
  ipv6Groups: [{ iface: "home0", group: "ff0e::101", away: "local" }],
  ipsec: [{ peer: "2001:db8:a::5", spiIn: 4096, spiOut: 4097, algorithm: "hmac-sha1-96", key: "00112233445566778899aabbccddeeff00112233", window: 64, require: true }],
  comment: "every section",
};

/** Candidate values of field `f` at `path`: [valid candidates, invalid ones]. */
function samples(f, current) {
  const lit = Object.keys(f.literals ?? {});
  switch (f.type) {
    case "integer": {
      const ok = [typeof f.max === "number" ? f.max : undefined, typeof f.min === "number" ? f.min : undefined, typeof f.default === "number" ? f.default : undefined, current];
      return [ok, [typeof f.min === "number" ? f.min - 1 : -1, 1.5, "7"]];
    }
    case "boolean": return [[!current, true, current], ["yes", 1]];
    case "enum": {
      const values = f.values === "boards" ? ["esp32", "rpi4"] : f.values === "interfaces" ? ["home0", "up0"] : Object.keys(f.values);
      return [[...values.filter((v) => v !== current), current], ["bogus", 3]];
    }
    case "string": return [["n-1.x_Y", current], ["", "bad name!", "x".repeat(40), 5]];
    case "ipv4": return [[...lit, "10.0.0.200", "10.9.0.3", current], ["10.0.0.256", "10.0.0", 42, ...(f.nonzero ? ["0.0.0.0"] : [])]];
    case "cidr4": return [[...lit, "10.0.0.1/25", "10.5.0.0/16", current], ["10.0.0.1/33", "x", ...(f.unicast ? ["127.0.0.1/8", "224.0.0.1/4", "10.0.0.1/0"] : [])]];
    case "ip6": if (f.multicast) return [["ff0e::9", "ff05::1:3", current], ["2001:db8::9", "fe80::1", "x", 7]];
      return [["2001:db8::9", "fe80::1", current], ["2001:db8::/64", "1:2:3:4:5:6:7:8:9", "x", 7, ...(f.unicast ? ["ff02::1", "::", "::ffff:10.0.0.1"] : [])]];
    case "cidr6": return [["2001:db8::5/48", "fe80::1:2/64", "::10.0.0.1/128", current], ["2001:db8::/129", "2001:db8::1", "1:2:3:4:5:6:7:8:9/64", "x", ...(f.unicast ? ["ff02::1/64", "::/0", "::ffff:10.0.0.1/120"] : [])]];
    case "mac": return [["02:00:00:00:00:99", current], ["02:00:00:00:00", "zz:00:00:00:00:01", ...(f.unicast ? ["01:00:5e:00:00:01"] : []), ...(f.nonzero ? ["00:00:00:00:00:00"] : [])]];
    case "key": return [["text:k", "00".repeat(64), current], ["text:", "0", "00".repeat(65), 7]];
    case "list": return [[current, f.default], [f.min ? [] : "x", "x", [5]]];
    case "object": return [[current ?? {}], [5, [], { bogus: 1 }]];
    default: return [[current], []];
  }
}

/** Every field path of the schema with its field, list items at index 0. */
function* fieldPaths(f, path) {
  if (path.length) yield [path, f];
  if (f.type === "object") for (const [k, sub] of Object.entries(f.fields)) yield* fieldPaths(sub, [...path, k]);
  if (f.type === "list" && f.items.type === "object") yield* fieldPaths(f.items, [...path, 0]);
}

function withField(path, value) {
  const j = JSON.parse(JSON.stringify(BASE));
  let o = j;
  for (const k of path.slice(0, -1)) o = o[k] ??= {};
  if (value === undefined) delete o[path.at(-1)]; else o[path.at(-1)] = value;
  return j;
}

const get = (j, path) => path.reduce((o, k) => o?.[k], j);
const paths = [...fieldPaths(FIELDS.root, [])].filter(([, f]) => f.type !== "any");

test("wasm3 config: the base configuration of the per-field cases is valid", () => {
  assert.doesNotThrow(() => host.validateConfig(BASE, "config"));
  assert.ok(paths.length >= 60, `${paths.length} fields`);
});

test("wasm3 config: every schema field, one valid and one invalid value: both hosts encode or refuse alike", (t) => {
  if (!existsSync(bin)) { t.skip("mipfw-board not built"); return; }
  const tmp = mkdtempSync(join(tmpdir(), "mipfw-fields-"));
  let n = 0;
  const both = (j, label) => {
    const file = join(tmp, `${n++}.json`);
    writeFileSync(file, JSON.stringify(j));
    const want = nodeEncode(file, true), got = rustEncode(file, true);
    assert.deepEqual(got, want, label);
    return want;
  };
  try {
    for (const [path, f] of paths) {
      const name = path.join(".").replace(/\.(\d+)/g, "[$1]");
      // keyFile is read when a file is loaded (both hosts' loaders, before validation; test/host/wasm3-cli.test.mjs).
      if (path.at(-1) === "keyFile") continue;
      const [ok, wrong] = samples(f, get(BASE, path));
      const valid = ok.filter((v) => v !== undefined).find((v) => "chunks" in nodeEncodeJson(withField(path, v)));
      assert.ok(valid !== undefined, `${name}: no valid sample among ${JSON.stringify(ok)}`);
      assert.ok("chunks" in both(withField(path, valid), `${name} = ${JSON.stringify(valid)}`));
      if (typeof path.at(-1) === "string") both(withField(path, undefined), `${name} absent`); // its default (or, if required, a refusal)
      for (const bad of wrong) {
        const r = both(withField(path, bad), `${name} = ${JSON.stringify(bad)}`);
        assert.ok(r.problems, `${name} = ${JSON.stringify(bad)} is refused`);
        assert.ok(r.problems.some((p) => p.startsWith(`config.${name}`) && / expected .+, got /.test(p)), `${name} = ${JSON.stringify(bad)}: ${r.problems.join("; ")}`);
      }
    }
    assert.ok(n >= 4 * paths.length, `${n} configurations for ${paths.length} fields`);
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});

test("wasm3 config: issue 13: 4096 IPsec peers encode alike (NODE key 13 holds the count, IPSEC records go on in config_add chunks) and start under wasm3; esp32 refuses them by its memory budget; 4097 and a duplicate are refused alike", (t) => {
  if (!existsSync(bin)) { t.skip("mipfw-board not built"); return; }
  const fillers = (n) => Array.from({ length: n }, (_, i) => ({
    peer: `2001:db8:77::${(i + 1).toString(16)}`, spiIn: 0x10000 + i, spiOut: 0x20000 + i, key: (i + 1).toString(16).padStart(8, "0").repeat(5),
  }));
  const base = { name: "cn", board: "linux", roles: ["host"], node: { ipv6: "dual" }, interfaces: [{ name: "eth0", mac: "02:00:00:00:01:0b" }], ipv6: [{ iface: "eth0", address: "2001:db8:1::b/64" }] };
  const tmp = mkdtempSync(join(tmpdir(), "mipfw-ipsec-"));
  try {
    const file = (name, j) => { const f = join(tmp, name); writeFileSync(f, JSON.stringify(j)); return f; };
    const many = file("many.json", { ...base, ipsec: fillers(4096) });
    const want = nodeEncode(many, true);
    assert.ok(want.chunks && want.chunks.length > 40, "config_add chunks");
    assert.deepEqual(rustEncode(many, true), want);
    // NODE (type 2) carries key 13 = 4096 in the first chunk.
    assert.ok(want.chunks[0].includes("000d00040000" + (4096).toString(16).padStart(4, "0")), "NODE key 13");
    const run = (f) => spawnSync(bin, ["selftest", "--config", f, "--boards", join(root, "boards")], { encoding: "utf8" });
    const ok = run(many);
    assert.equal(ok.status, 0, ok.stderr);
    const esp = run(file("esp.json", { ...base, board: "esp32", ipsec: fillers(4096) }));
    assert.equal(esp.status, 1);
    assert.match(esp.stderr, /firmware refused the configuration \(code 2\): config: board\.memoryPages: expected \d+\.\.16384, got 2/);
    for (const [name, ipsec, problem] of [
      ["over.json", fillers(4097), "config.ipsec: expected at most 4096 peers, got \"4097 peers\""],
      ["dup.json", [...fillers(300), { ...fillers(1)[0], spiIn: 9999 }], "config.ipsec[300].peer: expected one entry per peer, got \"2001:db8:77::1\""],
    ]) {
      const f = file(name, { ...base, ipsec });
      const n = nodeEncode(f, true);
      assert.deepEqual(n.problems, [problem], name);
      assert.deepEqual(rustEncode(f, true), n, name);
    }
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});
