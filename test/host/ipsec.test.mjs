// IPsec AH in the IPv6 path (issue 12.6): manually keyed peers from the configuration's `ipsec` list,
// HMAC-SHA1-96 and HMAC-MD5-96, between two boards and against an independent implementation (scapy's
// IPsec, test/vectors/ah-peer.py, both ways: scapy seals what a board verifies and opens what a board
// sealed); forged, replayed and unprotected packets are dropped and counted, with no reply and no state
// changed; Neighbor Discovery stays unprotected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startBoard, host } from "./helpers.mjs";
import { ip6, echo6, eth, pkt6, Lan, addrStates, A6 } from "../lib/ip6.mjs";

const PY = "/usr/bin/python3";
const PEER = fileURLToPath(new URL("../vectors/ah-peer.py", import.meta.url));
const scapyMissing = !existsSync(PY) || spawnSync(PY, ["-c", "import scapy.layers.ipsec"]).status !== 0 ? "scapy not installed (apt-get install python3-scapy)" : false;

const A = "2001:db8:1::a", B = "2001:db8:1::b";
const A_MAC = "02:00:00:00:01:0a", B_MAC = "02:00:00:00:01:0b";
const KEYS = { "hmac-sha1-96": "00112233445566778899aabbccddeeff00112233", "hmac-md5-96": "000102030405060708090a0b0c0d0e0f" };
const SCAPY_ALG = { "hmac-sha1-96": "HMAC-SHA1-96", "hmac-md5-96": "HMAC-MD5-96" };

const node = (name, mac, addr, peer, spiIn, spiOut, algorithm, extra = {}) => ({
  name, board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
  interfaces: [{ name: "eth0", mac }],
  ipv6: [{ iface: "eth0", address: `${addr}/64` }],
  ipsec: [{ peer, spiIn, spiOut, algorithm, key: KEYS[algorithm], window: 64, ...extra }],
});

/** Two boards a and b on one LAN with AH between them (a -> b SPI 0x1000, b -> a 0x2000). */
function pair(algorithm, bExtra = {}) {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const a = startBoard(node("a", A_MAC, A, B, 0x2000, 0x1000, algorithm), { now: () => clock.t });
  const b = startBoard(node("b", B_MAC, B, A, 0x1000, 0x2000, algorithm, bExtra), { now: () => clock.t });
  lan.attach(a, 0, "l"); lan.attach(b, 0, "l");
  lan.run(3000);
  assert.equal(addrStates(a.cap).get(A), A6.PREFERRED);
  assert.equal(addrStates(b.cap).get(B), A6.PREFERRED);
  return { a, b, lan, clock };
}

const replies = (n) => n.cap.delivered.map((p) => new Uint8Array(p)).filter((p) => p[6] === 58 && p[40] === 129);
const ahFrames = (n) => n.cap.tx.map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 51);

for (const alg of ["hmac-sha1-96", "hmac-md5-96"]) {
  test(`AH ${alg}: echo both ways is protected; the receiver verifies ICV and sequence numbers`, () => {
    const { a, b, lan } = pair(alg);
    // (One first: while b's address is being resolved the pending pool keeps two frames per neighbour.)
    for (let i = 1; i <= 3; i++) { assert.equal(a.board.output(echo6(ip6(A), ip6(B), 1, i)), 0); lan.run(20); }
    assert.equal(replies(a).length, 3, "three replies");
    const req = ahFrames(a), rep = ahFrames(b);
    assert.equal(req.length, 3, "a sent its requests with AH");
    assert.equal(rep.length, 3, "b answered with AH");
    // AH right after the IPv6 header, SPIs as configured, sequence numbers 1, 2, 3.
    const spi = (p) => ((p[44] << 24) | (p[45] << 16) | (p[46] << 8) | p[47]) >>> 0;
    const seq = (p) => ((p[48] << 24) | (p[49] << 16) | (p[50] << 8) | p[51]) >>> 0;
    assert.deepEqual(req.map(spi), [0x1000, 0x1000, 0x1000]);
    assert.deepEqual(rep.map(spi), [0x2000, 0x2000, 0x2000]);
    assert.deepEqual(req.map(seq), [1, 2, 3]);
    assert.equal(req[0][40], 58, "AH's next header: ICMPv6");
    assert.equal(b.board.counters().ah_rx_ok, 3);
    assert.equal(a.board.counters().ah_rx_ok, 3);
    // Neighbor Discovery went without AH (b resolved a and a resolved b).
    assert.ok(a.board.counters().nd_tx_ns >= 1 && b.board.counters().ah_tx === 3);
  });
}

test("AH: a forged ICV, a replay and an unprotected packet from the peer are dropped and counted, with no reply", () => {
  const { a, b, lan } = pair("hmac-sha1-96");
  a.board.output(echo6(ip6(A), ip6(B), 2, 1));
  lan.run(50);
  assert.equal(replies(a).length, 1);
  const genuine = a.cap.tx.filter((t) => { const p = pkt6(t.frame); return p && p[6] === 51; }).at(-1).frame;
  const c0 = b.board.counters();
  // Replay of the genuine frame: the sequence number was seen.
  b.board.rx(0, genuine);
  // A forged one: a data byte changed (the ICV no longer matches); a new sequence number so the window
  // is not what refuses it.
  const forged = genuine.slice(); forged[14 + 40 + 24 + 12] ^= 1; forged[14 + 51] = 9;
  b.board.rx(0, forged);
  // Unprotected, claiming to come from a.
  b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, echo6(ip6(A), ip6(B), 3, 1)));
  lan.run(50);
  const c1 = b.board.counters();
  assert.equal(c1.drop_ah_replay - c0.drop_ah_replay, 1);
  assert.equal(c1.drop_ah_icv - c0.drop_ah_icv, 1);
  assert.equal(c1.drop_ah_required - c0.drop_ah_required, 1);
  assert.equal(c1.ah_tx - c0.ah_tx, 0, "no reply to any of them");
  assert.equal(replies(a).length, 1);
  // The forged sequence number 9 did not move the window: 2 is still accepted.
  a.board.output(echo6(ip6(A), ip6(B), 2, 2));
  lan.run(50);
  assert.equal(replies(a).length, 2);
});

test("AH: keys that differ: every packet fails its ICV; with require false an unprotected packet is heard", () => {
  const { a, b, lan } = pair("hmac-sha1-96", { key: "ffeeddccbbaa99887766554433221100ffeeddcc", require: false });
  a.board.output(echo6(ip6(A), ip6(B), 4, 1));
  lan.run(50);
  assert.equal(replies(a).length, 0);
  assert.equal(b.board.counters().drop_ah_icv, 1);
  b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, echo6(ip6(A), ip6(B), 5, 1)));
  assert.equal(b.board.counters().drop_ah_required, 0);
});

test("AH against scapy's IPsec, both ways, HMAC-SHA1-96 and HMAC-MD5-96", { skip: scapyMissing }, () => {
  for (const alg of ["hmac-sha1-96", "hmac-md5-96"]) {
    const { a, b, lan } = pair(alg);
    void a;
    // scapy seals echo requests from A to B (SPI 0x1000, sequence 1 and 2); b verifies and answers.
    const reqs = [1, 2].map((s) => ({ op: "seal", alg: SCAPY_ALG[alg], key: KEYS[alg], spi: 0x1000, seq: s, packet: Buffer.from(echo6(ip6(A), ip6(B), 9, s)).toString("hex") }));
    const sealed = py(reqs).map((r) => Buffer.from(r.packet, "hex"));
    assert.equal(sealed[0][6], 51, "scapy put AH after the IPv6 header");
    for (const p of sealed) b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, p));
    lan.run(50);
    assert.equal(b.board.counters().ah_rx_ok, 2, `${alg}: b verified scapy's ICVs`);
    // b's answers, sealed by b, opened by scapy with b's outbound SA (SPI 0x2000).
    const out = b.cap.tx.map((t) => pkt6(t.frame)).filter((p) => p && p[6] === 51 && p[40 + 24] === 129);
    assert.equal(out.length, 2);
    const opened = py(out.map((p) => ({ op: "open", alg: SCAPY_ALG[alg], key: KEYS[alg], spi: 0x2000, packet: Buffer.from(p).toString("hex") })));
    assert.deepEqual(opened.map((o) => o.ok), [true, true], JSON.stringify(opened));
    assert.deepEqual(opened.map((o) => o.seq), [1, 2], "b's sequence numbers");
    // A bit flipped in b's answer: scapy refuses it (it checks ICVs, so the agreement above means something).
    const bad = Buffer.from(out[0]); bad[bad.length - 1] ^= 0x80;
    assert.equal(py([{ op: "open", alg: SCAPY_ALG[alg], key: KEYS[alg], spi: 0x2000, packet: bad.toString("hex") }])[0].ok, false);
  }
});

function py(reqs) {
  const r = spawnSync(PY, [PEER], { input: reqs.map((x) => JSON.stringify(x)).join("\n") + "\n", encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

// ---- issue 13: many peers (a correspondent or home agent keys one SA per home address) ----------

/** `n` filler peers 2001:db8:77::<i+1>, each with its own SPIs and key. */
const fillers = (n) => Array.from({ length: n }, (_, i) => ({
  peer: `2001:db8:77::${(i + 1).toString(16)}`, spiIn: 0x10000 + i, spiOut: 0x20000 + i, algorithm: "hmac-sha1-96",
  key: (i + 1).toString(16).padStart(8, "0").repeat(5), window: 64,
}));

/** b with `n` peers, a's at `at` ("first" or "last"); a echoes b three times; both verify AH. */
function manyPeers(n, at, board = "emulated") {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const a = startBoard(node("a", A_MAC, A, B, 0x2000, 0x1000, "hmac-sha1-96"), { now: () => clock.t });
  const bJson = node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96");
  bJson.board = board;
  bJson.ipsec = at === "first" ? [...bJson.ipsec, ...fillers(n - 1)] : [...fillers(n - 1), ...bJson.ipsec];
  const b = startBoard(bJson, { now: () => clock.t });
  lan.attach(a, 0, "l"); lan.attach(b, 0, "l");
  lan.run(3000);
  for (let i = 1; i <= 3; i++) { assert.equal(a.board.output(echo6(ip6(A), ip6(B), 1, i)), 0); lan.run(20); }
  assert.equal(replies(a).length, 3, `${n} peers, a's ${at}: three replies`);
  assert.equal(b.board.counters().ah_rx_ok, 3, "b verified a's AH");
  assert.equal(a.board.counters().ah_rx_ok, 3, "a verified b's AH (b found a's outbound SA)");
  return { a, b };
}

test("issue 13: 300 peers (IPSEC records beyond init's buffer arrive with config_add): AH from the first-configured and the last-configured peer verifies", () => {
  const cfg = host.validateConfig({ ...node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96"), board: "linux", ipsec: fillers(300) }, "b");
  assert.ok(host.encodeConfigChunks(cfg, 4096).length >= 3, "300 peers need config_add chunks");
  for (const at of ["first", "last"]) {
    const { b } = manyPeers(300, at, "linux");
    // A peer that is not configured is still not required to use AH, and one that is, is.
    const c0 = b.board.counters();
    b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, echo6(ip6("2001:db8:1::99"), ip6(B), 3, 1)));
    b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, echo6(ip6("2001:db8:77::12b"), ip6(B), 3, 1)));
    b.board.rx(0, eth(host.parseMac(B_MAC), host.parseMac(A_MAC), 0x86dd, echo6(ip6(A), ip6(B), 3, 1)));
    assert.equal(b.board.counters().drop_ah_required - c0.drop_ah_required, 2, "the last filler and a: AH required; an unconfigured peer: not");
  }
});

test("issue 13: a duplicate peer is refused as before: by the hosts' validation, and by the core in init; in config_add it replaces the peer's SAs (issue 14)", () => {
  const json = { ...node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96"), board: "linux" };
  json.ipsec = [...fillers(200), { ...fillers(1)[0], spiIn: 0x3000, spiOut: 0x3001 }];
  assert.throws(() => host.validateConfig(json, "b"), (e) => e instanceof host.ConfigError && e.problems.some((p) => p === "b.ipsec[200].peer: expected one entry per peer, got \"2001:db8:77::1\"" || /ipsec\[200\]\.peer: expected one entry per peer/.test(p)), "the hosts refuse it");
  // The core, past the hosts: the same IPSEC record again with config_add, after the 200 + 1 peers loaded.
  const { board } = startBoard({ ...json, ipsec: [...fillers(200), ...node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96").ipsec] });
  const cfg = host.validateConfig({ ...json, ipsec: fillers(1) }, "b");
  const rec = host.encodeConfigChunks(cfg, 4096)[0];
  // The single IPSEC record of that encoding, re-sent alone.
  const recs = [];
  for (let o = 8; o < rec.length; o += 4 + ((rec[o + 2] << 8) | rec[o + 3])) recs.push(rec.subarray(o, o + 4 + ((rec[o + 2] << 8) | rec[o + 3])));
  const ipsecRec = recs.find((r) => r[0] === 9);
  const chunk = Uint8Array.from([0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, ...ipsecRec]);
  const x = board.x;
  new Uint8Array(x.memory.buffer, x.config_buffer(), chunk.length).set(chunk);
  assert.equal(x.config_add(x.config_buffer(), chunk.length), 0, "config_add of a peer it has: replaced (key rotation)");
  // A new peer is refused too: the table holds exactly the configured count.
  chunk[8 + 4 + 16 + 15] = 0xee;
  new Uint8Array(x.memory.buffer, x.config_buffer(), chunk.length).set(chunk);
  assert.equal(x.config_add(x.config_buffer(), chunk.length), 1, "the table is full");
});

test("issue 13: 4096 peers: the linux profile takes them (AH from the last verifies), esp32's memory budget refuses them clearly, 4097 are refused by the hosts", () => {
  manyPeers(4096, "last", "linux");
  const json = { ...node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96"), board: "esp32", ipsec: fillers(4096) };
  assert.throws(() => startBoard(json), (e) => /code 2/.test(e.message) && /board\.memoryPages/.test(e.message), "esp32: the memory budget");
  assert.throws(() => host.validateConfig({ ...json, board: "linux", ipsec: fillers(4097) }, "b"), (e) => e instanceof host.ConfigError && e.problems.includes("b.ipsec: expected at most 4096 peers, got \"4097 peers\""), "the hosts: the list's max");
});

/** The IPSEC record (type 9) of `json` as a config_add chunk. */
function ipsecChunk(json) {
  const c = host.encodeConfig(host.validateConfig(json, json.name));
  for (let o = 8; o < c.length; o += 4 + ((c[o + 2] << 8) | c[o + 3])) {
    if (c[o] === 9) return Uint8Array.from([...c.subarray(0, 8), ...c.subarray(o, o + 4 + ((c[o + 2] << 8) | c[o + 3]))]);
  }
  throw new Error("no IPSEC record");
}

test("issue 14: key rotation: config_add of a peer's IPSEC record with a new key replaces its SAs in place; both ends rotated, AH verifies again from sequence number 1", () => {
  const { a, b, lan } = pair("hmac-sha1-96");
  a.board.output(echo6(ip6(A), ip6(B), 5, 1)); lan.run(50);
  a.board.output(echo6(ip6(A), ip6(B), 5, 2)); lan.run(50);
  assert.equal(replies(a).length, 2);
  const NEW = "0102030405060708090a0b0c0d0e0f1011121314";
  // b first: a's packets under the old key now fail b's ICV.
  assert.deepEqual(b.board.configAdd(ipsecChunk({ ...node("b", B_MAC, B, A, 0x1000, 0x2000, "hmac-sha1-96"), ipsec: [{ peer: A, spiIn: 0x1000, spiOut: 0x2000, algorithm: "hmac-sha1-96", key: NEW, window: 64 }] })), { code: 0, reason: "" });
  const c0 = b.board.counters();
  a.board.output(echo6(ip6(A), ip6(B), 5, 3)); lan.run(50);
  assert.equal(b.board.counters().drop_ah_icv - c0.drop_ah_icv, 1, "the old key fails the new ICV");
  assert.equal(replies(a).length, 2);
  // Then a (another algorithm would do too: the record replaces everything but the peer).
  assert.equal(a.board.configAdd(ipsecChunk({ ...node("a", A_MAC, A, B, 0x2000, 0x1000, "hmac-sha1-96"), ipsec: [{ peer: B, spiIn: 0x2000, spiOut: 0x1000, algorithm: "hmac-sha1-96", key: NEW, window: 64 }] })).code, 0);
  const sent = ahFrames(a).length;
  a.board.output(echo6(ip6(A), ip6(B), 5, 4)); lan.run(50);
  assert.equal(replies(a).length, 3, "protected echo both ways under the new key");
  const seq = (p) => ((p[48] << 24) | (p[49] << 16) | (p[50] << 8) | p[51]) >>> 0;
  assert.deepEqual(ahFrames(a).slice(sent).map(seq), [1], "a new SA: its counter starts again (RFC 4302 §2.5)");
});
