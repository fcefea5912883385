// The firmware under wasm3 (host/wasm3, `mipfw-board selftest`) answers the same input exactly as the
// Node Board: for several fixtures the Rust binary brings the links up, feeds an ARP request for the
// first interface's address and an ICMP echo request, and prints the input frames and everything the
// firmware did; the Node Board gets the same frames and must produce the same lines (frames,
// deliveries, events, counters, heap and memory size). Skipped when mipfw-board is not built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { host, firmware } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "host/wasm3/target/release/mipfw-board");
const dir = join(root, "test/fixtures/configs");
const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("hex");

/** What the Node Board does with the same input frames, in selftest's line format. */
function nodeLines(file, inputs) {
  const cfg = host.validateConfig(JSON.parse(readFileSync(join(dir, file), "utf8")), "config");
  const lines = [];
  const board = new host.Board(firmware, cfg, {
    now: () => 0,
    tx: (iface, frame) => lines.push(`tx ${iface} ${hex(frame)}`),
    deliver: (p) => lines.push(`deliver ${hex(p)}`),
    event: (kind, data) => lines.push(`event ${kind} ${hex(data)}`),
    log: () => {},
    random: (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 255; },
  });
  board.init();
  cfg.interfaces.forEach((_, i) => board.link(i, true));
  const results = [];
  for (const [iface, h] of inputs) {
    lines.push(`input ${iface} ${h}`);
    results.push(board.rx(iface, Uint8Array.from(Buffer.from(h, "hex"))));
  }
  lines.push(`rx ${results.join(" ")}`);
  for (const [name, v] of Object.entries(board.counters())) if (v !== 0) lines.push(`counter ${name} ${v}`);
  lines.push(`heap_used ${board.heapUsed()} memory_pages ${board.memoryPages()}`);
  return lines;
}

for (const file of ["host.json", "router.json", "ha.json", "fa.json", "mn.json", "ha-big.json"]) {
  test(`wasm3 board: ${file} answers ARP and ping exactly as the Node Board`, (t) => {
    if (!existsSync(bin)) { t.skip("mipfw-board not built (cargo build --release in host/wasm3)"); return; }
    const r = spawnSync(bin, ["selftest", "--config", join(dir, file), "--firmware", join(root, "build/firmware.wasm")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout.trim().split("\n");
    const inputs = got.filter((l) => l.startsWith("input ")).map((l) => l.split(" ").slice(1));
    assert.equal(inputs.length, 2);
    assert.deepEqual(got, nodeLines(file, inputs));
    // The board answered: an ARP reply and an echo reply went out on interface 0.
    assert.ok(got.some((l) => /^tx 0 \w{24}0806\w{12}0002/.test(l)), "ARP reply");
    assert.ok(got.some((l) => /^counter icmp_tx_echo_reply 1$/.test(l)), "echo reply");
    assert.match(r.stderr, /start-up \d+ us/);
  });
}

test("wasm3 board: an invalid configuration is refused with every problem (exit 1); a missing firmware is named", (t) => {
  if (!existsSync(bin)) { t.skip("mipfw-board not built"); return; }
  let r = spawnSync(bin, ["selftest", "--config", join(dir, "invalid-mn.json")], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /config\.mobility\.retransmitMaxMs: expected at least retransmitMs = 2000, got 1000/);
  assert.match(r.stderr, /config\.roles: expected mobile-node alone/);
  r = spawnSync(bin, ["selftest", "--config", join(dir, "host.json"), "--firmware", "/nonexistent/fw.wasm"], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read the firmware \/nonexistent\/fw\.wasm/);
});
