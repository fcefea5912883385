// Node configuration: validation messages name the field, the expected and the actual value; an
// invalid configuration never starts a board; the core refuses bad binary configuration on its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, firmware, startBoard, routerJson, hostJson } from "./helpers.mjs";

const clone = (o) => JSON.parse(JSON.stringify(o));

function problems(json) {
  try { host.validateConfig(json, "node"); } catch (e) {
    assert.ok(e instanceof host.ConfigError, `expected ConfigError, got ${e}`);
    return e.problems;
  }
  return [];
}

test("valid router and host configurations start on every board profile that has room", () => {
  for (const name of Object.keys(host.BOARDS)) {
    const j = clone(hostJson); j.board = name;
    const { board } = startBoard(j);
    assert.ok(board.memoryPages() <= host.BOARDS[name].memoryPages, `${name}: ${board.memoryPages()} pages`);
    assert.ok(board.heapUsed() > 0);
  }
  const { board } = startBoard(routerJson);
  const ifs = board.dumpRaw(0);
  assert.equal(ifs.length, 2);
});

test("each kind of mistake is named with field, expected and actual value", () => {
  const cases = [
    [(j) => { j.interfaces[0].mac = "zz:00:00:00:00:01"; }, /node\.interfaces\[0\]\.mac: expected a MAC address like 02:00:00:00:00:01, got "zz:00:00:00:00:01"/],
    [(j) => { j.interfaces[0].mac = "01:00:00:00:00:01"; }, /interfaces\[0\]\.mac: expected a unicast MAC address .*got "01:00:00:00:00:01"/],
    [(j) => { j.interfaces[0].ipv4 = "10.0.1.300/24"; }, /interfaces\[0\]\.ipv4: expected an address with prefix length like 10\.0\.1\.1\/24, got "10\.0\.1\.300\/24"/],
    [(j) => { j.interfaces[0].mtu = 100; }, /interfaces\[0\]\.mtu: expected an integer 576\.\.1504 .*got 100/],
    [(j) => { j.board = "esp8266"; }, /node\.board: expected one of esp32, .*got "esp8266"/],
    [(j) => { j.roles = ["teapot"]; }, /node\.roles\[0\]: expected one of host, router, mobile-node, foreign-agent, home-agent, got "teapot"/],
    [(j) => { j.sizes = { arpEntries: 0 }; }, /node\.sizes\.arpEntries: expected an integer 1\.\.4096, got 0/],
    [(j) => { j.sizes = { bogus: 1 }; }, /node\.sizes\.bogus: expected one of arpEntries/],
    [(j) => { j.node = { defaultTtl: 300 }; }, /node\.node\.defaultTtl: expected an integer 1\.\.255, got 300/],
    [(j) => { j.routes = [{ dest: "10.9.0.0/16", via: "192.168.1.1" }]; }, /routes\[0\]\.via: expected a gateway on the subnet/],
    [(j) => { j.routes = [{ dest: "10.9.0.0/33", via: "10.0.1.1" }]; }, /routes\[0\]\.dest: expected a prefix/],
    [(j) => { j.interfaces = []; }, /node\.interfaces: expected a list of 1\.\.4 interfaces/],
    [(j) => { j.extra = true; }, /node\.extra: expected one of the fields/],
    [(j) => { delete j.name; }, /node\.name: expected 1-32 letters.*got nothing/],
  ];
  for (const [mutate, re] of cases) {
    const j = clone(hostJson); mutate(j);
    const p = problems(j);
    assert.ok(p.some((x) => re.test(x)), `expected ${re} in ${JSON.stringify(p)}`);
  }
});

test("all problems are reported together", () => {
  const j = clone(hostJson);
  j.interfaces[0].mac = "nope"; j.node = { logLevel: 9 };
  assert.equal(problems(j).length, 2);
});

test("the core refuses a binary configuration that the host did not validate, naming the field", () => {
  const cfg = host.validateConfig(hostJson, "h1");
  const logs = [];
  const board = new host.Board(firmware, cfg, { now: () => 0, tx() {}, deliver() {}, log: (l, t) => logs.push(t) });
  const bin = host.encodeConfig(cfg);
  const mem = () => new Uint8Array(board.x.memory.buffer);
  const tryInit = (bytes) => { mem().set(bytes, board.x.config_buffer()); return board.x.init(board.x.config_buffer(), bytes.length); };
  // ARP entries 0 (BOARD key 2 is the second key/value pair of the first record)
  const bad = bin.slice(); new DataView(bad.buffer).setUint32(8 + 4 + 6 + 2, 0);
  assert.equal(tryInit(bad), 1);
  assert.match(logs.at(-1), /config: board\.arpEntries: expected 1\.\.4096, got 0/);
  // wrong magic
  const magic = bin.slice(); magic[0] = 0x58;
  assert.equal(tryInit(magic), 1);
  assert.match(logs.at(-1), /config magic/);
  // truncated record
  assert.equal(tryInit(bin.slice(0, bin.length - 3)), 1);
  assert.match(logs.at(-1), /record length/);
  // unknown record type below 128 refuses, 128+ is skipped
  const withRec = (t) => { const b = new Uint8Array(bin.length + 6); b.set(bin); b.set([t, 0, 0, 2, 1, 2], bin.length); return b; };
  assert.equal(tryInit(withRec(77)), 1);
  assert.match(logs.at(-1), /record type: expected 1\.\.6 or >= 128, got 77/);
  assert.equal(tryInit(withRec(200)), 0);
  // wrong pointer
  assert.equal(board.x.init(0, bin.length), 3);
  // refused board does nothing
  assert.equal(tryInit(bad), 1);
  assert.equal(board.x.rx(0, 60), 1);
  assert.equal(board.x.tick(0n), 0x7fffffffffffffffn);
  // and starts again with a good one
  assert.equal(tryInit(bin), 0);
});

test("tables that do not fit the board's memory budget are refused with the page count", () => {
  const j = clone(hostJson);
  j.board = "esp32-c3"; j.sizes = { arpEntries: 4096, pendingFrames: 200 };
  let msg = "";
  try { startBoard(j); } catch (e) { msg = e.message; }
  const m = /refused the configuration \(code 2\): config: board\.memoryPages: expected (\d+)\.\.16384, got 2/.exec(msg);
  assert.ok(m, msg);
  // 4096 ARP entries and 200 pending frames of 1582 bytes need about 5 pages on top of the static data
  assert.ok(Number(m[1]) >= 6, msg);
});
