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
    [(j) => { j.roles = ["teapot"]; }, /node\.roles\[0\]: expected one of host, router, mobile-node, foreign-agent, home-agent, registration-server, care-of-agent, got "teapot"/],
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
  // ARP entries 0 (BOARD key 2 is the second key/length/value entry of the first record: 8 bytes each)
  const bad = bin.slice(); new DataView(bad.buffer).setUint32(8 + 4 + 8 + 4, 0);
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
  assert.match(logs.at(-1), /record type: expected 1\.\.10 or >= 128, got 77/);
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
  assert.match(p, /securityAssociations\[0\]\.use: expected one of mobile-home, mobile-foreign, foreign-home, correspondent, master, agent-server, mobile-server, server-server \(a foreign agent's association .*\), got nothing/);
  assert.match(p, /securityAssociations\[1\]\.use: expected one of mobile-home, mobile-foreign, foreign-home, correspondent, master, agent-server, mobile-server, server-server, got "home-home"/);
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
  // SA record (ABI v2): spi u32 at 0, flags at 6, peer ::ffff:a.b.c.d at 8, key at 24.
  const sa = [...bin.keys()].filter((i) => bin[i] === 6 && bin[i + 1] === 0 && bin[i + 2] === 0 && bin[i + 3] === 25 && bin[i + 4] === 0 && bin[i + 5] === 0 && bin[i + 6] === 0x10 && bin[i + 4 + 8 + 10] === 0xff && bin[i + 4 + 8 + 12] === 10);
  assert.equal(sa.length, 2);
  assert.deepEqual(sa.map((i) => bin[i + 4 + 6] >> 1), [1, 3]);
});

test("the core refuses a security association record without a use", () => {
  const ha = host.validateConfig({
    name: "ha", roles: ["home-agent"],
    interfaces: [{ name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true }],
    securityAssociations: [{ peer: "10.0.0.5", spi: 4096, key: "text:k" }],
  }, "ha");
  const bin = host.encodeConfig(ha);
  const i = bin.length - (24 + 1) - 4; // the SA record is last: header 4 + 24 + 1-byte key
  assert.equal(bin[i], 6);
  bin[i + 4 + 6] &= 1; // clear the use bits (flags at 6)
  const logs = [];
  const board = new host.Board(firmware, ha, { now: () => 0, tx() {}, deliver() {}, log: (l, t) => logs.push(t) });
  const mem = new Uint8Array(board.x.memory.buffer);
  mem.set(bin, board.x.config_buffer());
  assert.equal(board.x.init(board.x.config_buffer(), bin.length), 1);
  assert.match(logs.join("\n"), /config: securityAssociations\.use: expected 1\.\.8, got 0/);
});

test("ABI v2 records: addresses are 16 bytes (IPv4-mapped), prefix lengths 96 + n; the core refuses IPv6 and other lengths by field", () => {
  const ha = host.validateConfig({
    name: "ha", roles: ["home-agent"],
    interfaces: [{ name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true }],
    routes: [{ dest: "10.7.0.0/16", via: "10.0.0.254" }],
    mobility: { homeAgent: "10.0.0.1" },
    securityAssociations: [{ peer: "10.0.0.5", spi: 4096, key: "text:k" }],
  }, "ha");
  const bin = host.encodeConfig(ha);
  assert.deepEqual([...bin.subarray(0, 8)], [0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0], "MIPF, version 2");
  /** Offset of the value of each record, by type (the first of each). */
  const at = {};
  for (let o = 8; o < bin.length; o += 4 + ((bin[o + 2] << 8) | bin[o + 3])) at[bin[o]] ??= o + 4;
  const v4 = (a) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...a];
  // IFACE: MTU 1500 at 8, prefix 96 + 24 at 10, the address at 16.
  assert.deepEqual([...bin.subarray(at[3] + 8, at[3] + 11)], [0x05, 0xdc, 120]);
  assert.deepEqual([...bin.subarray(at[3] + 16, at[3] + 32)], v4([10, 0, 0, 1]));
  // ROUTE: prefix 96 + 16, dest at 4, gateway at 20.
  assert.equal(bin[at[4]], 112);
  assert.deepEqual([...bin.subarray(at[4] + 4, at[4] + 36)], [...v4([10, 7, 0, 0]), ...v4([10, 0, 0, 254])]);
  // SA: peer at 8.
  assert.deepEqual([...bin.subarray(at[6] + 8, at[6] + 24)], v4([10, 0, 0, 5]));
  // MOBILITY: key 1 (homeAddress) then key 2 (homeAgent), each `key u16, length 16, address`.
  assert.deepEqual([...bin.subarray(at[5], at[5] + 40)], [0, 1, 0, 16, ...v4([10, 0, 0, 1]), 0, 2, 0, 16, ...v4([10, 0, 0, 1])]);

  const logs = [];
  const board = new host.Board(firmware, ha, { now: () => 0, tx() {}, deliver() {}, log: (l, t) => logs.push(t) });
  const tryInit = (patch) => {
    const b = bin.slice(); patch(b);
    new Uint8Array(board.x.memory.buffer).set(b, board.x.config_buffer());
    const r = board.x.init(board.x.config_buffer(), b.length);
    return r === 0 ? "started" : logs.at(-1);
  };
  assert.equal(tryInit(() => {}), "started");
  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const ipv6 = "expected an IPv4 address, got 2001:0db8:0000:0000:0000:0000:0000:0001";
  assert.equal(tryInit((b) => b.set(v6, at[3] + 16)), `config: iface.ipv4: ${ipv6}`);
  assert.equal(tryInit((b) => b.set(v6, at[4] + 4)), `config: route.dest: ${ipv6}`);
  assert.equal(tryInit((b) => b.set(v6, at[4] + 20)), `config: route.via: ${ipv6}`);
  assert.equal(tryInit((b) => b.set(v6, at[6] + 8)), `config: securityAssociations.peer: ${ipv6}`);
  assert.equal(tryInit((b) => b.set(v6, at[5] + 4)), `config: mobility.homeAddress: ${ipv6}`);
  assert.equal(tryInit((b) => b.set(v6, at[5] + 24)), `config: mobility.homeAgent: ${ipv6}`);
  assert.equal(tryInit((b) => { b[at[5] + 24 + 10] = 0xfe; }), "config: mobility.homeAgent: expected an IPv4 address, got 0000:0000:0000:0000:0000:feff:0a00:0001");
  assert.equal(tryInit((b) => b.fill(0, at[3] + 16, at[3] + 32)), "config: iface.ipv4: expected an IPv4 address, got 0000:0000:0000:0000:0000:0000:0000:0000");
  // Prefix lengths count bits of the 16-byte address: an IPv4 /16 is 112; 16 alone is refused.
  assert.equal(tryInit((b) => { b[at[4]] = 16; }), "config: route.prefixLen: expected 96..128, got 16");
  assert.equal(tryInit((b) => { b[at[3] + 10] = 129; }), "config: iface.prefixLen: expected 96..128, got 129");
  // An address where a u32 belongs (and the reverse) is refused by its length.
  assert.equal(tryInit((b) => { b[at[5] + 3] = 4; }), "config: key/value value length: expected 16..16, got 4");
  assert.equal(tryInit((b) => { b[at[1] + 3] = 16; }), "config: key/value value length: expected 4..4, got 16");
  assert.equal(tryInit((b) => { b[at[1] + 3] = 0; }), "config: key/value value length: expected 4..4, got 0");
  // An entry running past its record.
  {
    const mobLen = (bin[at[5] - 2] << 8) | bin[at[5] - 1];
    assert.equal(tryInit((b) => { b[at[5] + 2] = 0x10; }), `config: key/value record length: expected whole entries, got ${mobLen}`);
  }
  // A key from a newer host (≥ 0x8000) is skipped whatever its length: here 16 bytes in MOBILITY.
  const mob = at[5] - 4, mobLen = (bin[mob + 2] << 8) | bin[mob + 3], end = at[5] + mobLen;
  const more = Uint8Array.from([...bin.subarray(0, end), 0x80, 0x01, 0, 16, ...v6, ...bin.subarray(end)]);
  more[mob + 3] = (mobLen + 20) & 255; more[mob + 2] = (mobLen + 20) >> 8;
  new Uint8Array(board.x.memory.buffer).set(more, board.x.config_buffer());
  assert.equal(board.x.init(board.x.config_buffer(), more.length), 0, logs.at(-1));
  assert.equal(tryInit(() => {}), "started", "the board starts again from the good configuration");
});
