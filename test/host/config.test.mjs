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

test("issue 7 fields: reverseTunnel, registrationProfile, reassembly sizes and the use of each security association", () => {
  const fa = {
    name: "fa", roles: ["foreign-agent"],
    interfaces: [{ name: "ap0", mac: "02:00:00:00:1a:01", ipv4: "10.1.0.1/24", advertise: true }, { name: "up0", mac: "02:00:00:00:1b:01", ipv4: "10.9.1.1/24" }],
    mobility: { reverseTunnel: "yes", registrationProfile: "rfc2002" },
    sizes: { reassemblySlots: 300, reassemblyBytes: 100 },
    securityAssociations: [{ peer: "10.0.0.1", spi: 4096, key: "text:k" }, { peer: "10.0.0.5", spi: 4097, key: "text:k", use: "home-home" }],
  };
  const p = problems(fa).join("\n");
  assert.match(p, /node\.mobility\.reverseTunnel: expected true or false, got "yes"/);
  assert.match(p, /node\.mobility\.registrationProfile: expected one of seeds, rfc3344, got "rfc2002"/);
  assert.match(p, /node\.sizes\.reassemblySlots: expected an integer 0\.\.256, got 300/);
  assert.match(p, /node\.sizes\.reassemblyBytes: expected an integer 576\.\.65535, got 100/);
  // A foreign agent's association may be with a mobile node or a home agent: it must say which.
  assert.match(p, /securityAssociations\[0\]\.use: expected one of mobile-home, mobile-foreign, foreign-home \(a foreign agent's association .*\), got nothing/);
  assert.match(p, /securityAssociations\[1\]\.use: expected one of mobile-home, mobile-foreign, foreign-home, got "home-home"/);
  // Defaults: a home agent's association with a peer on its home link is mobile-home, others foreign-home.
  const ha = host.validateConfig({
    name: "ha", roles: ["home-agent"],
    interfaces: [{ name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true }, { name: "up0", mac: "02:00:00:00:0b:01", ipv4: "10.9.0.1/24" }],
    securityAssociations: [{ peer: "10.0.0.5", spi: 4096, key: "text:k" }, { peer: "10.9.0.2", spi: 4097, key: "text:k" }],
  }, "ha");
  assert.deepEqual(ha.securityAssociations.map((s) => s.use), ["mobile-home", "foreign-home"]);
  assert.equal(ha.mobility.registrationProfile, "seeds");
  assert.equal(ha.mobility.reverseTunnel, false);
  // Encoded: SA flags bits 1-2 carry the use; MOBILITY keys 18 and 19; BOARD keys 11 and 12.
  const bin = host.encodeConfig(ha);
  const sa = [...bin.keys()].filter((i) => bin[i] === 6 && bin[i + 1] === 0 && bin[i + 2] === 0 && bin[i + 3] === 13 && bin[i + 4] === 10 && bin[i + 8] === 0 && bin[i + 9] === 0 && bin[i + 10] === 0x10);
  assert.equal(sa.length, 2);
  assert.deepEqual(sa.map((i) => bin[i + 4 + 10] >> 1), [1, 3]);
});

test("the core refuses a security association record without a use", () => {
  const ha = host.validateConfig({
    name: "ha", roles: ["home-agent"],
    interfaces: [{ name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true }],
    securityAssociations: [{ peer: "10.0.0.5", spi: 4096, key: "text:k" }],
  }, "ha");
  const bin = host.encodeConfig(ha);
  const i = bin.length - (12 + 1) - 4; // the SA record is last: header 4 + 12 + 1-byte key
  assert.equal(bin[i], 6);
  bin[i + 4 + 10] &= 1; // clear the use bits
  const logs = [];
  const board = new host.Board(firmware, ha, { now: () => 0, tx() {}, deliver() {}, log: (l, t) => logs.push(t) });
  const mem = new Uint8Array(board.x.memory.buffer);
  mem.set(bin, board.x.config_buffer());
  assert.equal(board.x.init(board.x.config_buffer(), bin.length), 1);
  assert.match(logs.join("\n"), /config: securityAssociations\.use: expected 1\.\.3, got 0/);
});
