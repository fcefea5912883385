// Issue 14: key rotation without a restart. A config_add SA record (type 6) for a peer that has an
// association replaces it in place (REKEY, assembly/features.ts; mipfw-board's SIGHUP sends it): the
// new key authenticates registrations from then on, the old key is refused (131), the bindings stay,
// and the replay state stays with the peer (a request from before the rotation is still refused).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, regReplies } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), MN2 = ip("10.0.1.51"), FA = ip("10.0.3.1");
const T0 = 1_000_000;

const sa = (peer, key, extra = {}) => ({ peer, spi: 1000, algorithm: "hmac-md5", key: `text:${key}`, ...extra });
const haJson = (sas) => ({
  name: "ha", board: "emulated", roles: ["home-agent"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
    { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
  ],
  routes: [{ dest: "default", via: "10.0.2.254" }],
  mobility: { lifetimeSec: 600 },
  securityAssociations: sas,
});

function start() {
  const clock = { t: T0 };
  const s = startBoard(haJson([sa("10.0.1.50", "old-key"), sa("10.0.1.51", "other-key")]), { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, new Uint8Array(6), HA_CORE));
  return { ...s, clock };
}

/** The SA records (type 6) of `sas` encoded as a config_add chunk. */
function saChunk(sas) {
  const c = host.encodeConfig(host.validateConfig(haJson(sas), "ha"));
  const recs = [];
  for (let o = 8; o < c.length; o += 4 + ((c[o + 2] << 8) | c[o + 3])) if (c[o] === 6) recs.push(...c.subarray(o, o + 4 + ((c[o + 2] << 8) | c[o + 3])));
  return Uint8Array.from([...c.subarray(0, 8), ...recs]);
}

/** A registration of `home` under `key` (text) with Identification `id`: the reply code. */
function register(s, home, key, id, alg = "hmac-md5") {
  const m = host.appendAuth(host.buildRegRequest({ lifetimeSec: 300, home, homeAgent: HA_IP, careOf: FA, id }), host.EXT_MH_AUTH,
    { spi: 1000, algorithm: alg, key: new TextEncoder().encode(key) });
  s.cap.tx.length = 0;
  s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FA, HA_IP, 5434, 434, m, 7, 60)));
  return regReplies(s.cap)[0].reply.code;
}
const now = (s, k) => host.ntpTimestamp(s.clock.t, 0, k);

test("a replaced key authenticates new registrations, the old key is refused (131), bindings and replay state are kept", () => {
  const s = start();
  const id1 = now(s, 1);
  assert.equal(register(s, MN, "old-key", id1), 0);
  assert.equal(register(s, MN2, "other-key", now(s, 2)), 0);
  assert.equal(s.board.dump("bindings").length, 2);
  const c0 = s.board.counters();
  const events = s.cap.events.length;
  assert.deepEqual(s.board.configAdd(saChunk([sa("10.0.1.50", "new-key"), sa("10.0.1.51", "other-key")])), { code: 0, reason: "" });
  // Nothing else changed: both bindings, no BINDING event, the other association untouched.
  assert.deepEqual(s.board.dump("bindings").map((b) => b.home).sort(), [MN, MN2].sort());
  assert.equal(s.cap.events.slice(events).filter((e) => e.kind === 8).length, 0, "no binding event");
  s.clock.t += 1000;
  assert.equal(register(s, MN, "old-key", now(s, 3)), 131, "the old key: mobile node failed authentication");
  const c1 = s.board.counters();
  assert.equal(c1.ha_reg_denied - c0.ha_reg_denied, 1);
  assert.equal(c1.ha_reg_accepted - c0.ha_reg_accepted, 0);
  // The replay state stayed with the peer: the Identification accepted before the rotation is still the last.
  assert.equal(register(s, MN, "new-key", id1), 133, "a request as old as the last accepted: identification mismatch");
  assert.equal(register(s, MN, "new-key", now(s, 4)), 0, "the new key");
  assert.equal(s.board.counters().ha_reg_accepted - c0.ha_reg_accepted, 1);
  assert.equal(register(s, MN2, "other-key", now(s, 5)), 0, "the other mobile node's key still works");
  assert.equal(s.board.dump("bindings").length, 2);
});

test("a new replay method or algorithm replaces the association too; in init a second association for a peer is still refused", () => {
  const s = start();
  assert.equal(register(s, MN, "old-key", now(s, 1)), 0);
  assert.equal(s.board.configAdd(saChunk([sa("10.0.1.50", "k2", { algorithm: "keyed-md5" }), sa("10.0.1.51", "other-key")])).code, 0);
  s.clock.t += 1000;
  assert.equal(register(s, MN, "k2", now(s, 2), "hmac-md5"), 131, "HMAC-MD5 under a keyed-MD5 association");
  assert.equal(register(s, MN, "k2", now(s, 3), "keyed-md5"), 0);
  assert.equal(s.board.dump("bindings").length, 1);
  // Nonces now: the replay state starts afresh (the first request learns the home agent's nonce from a 133).
  assert.equal(s.board.configAdd(saChunk([sa("10.0.1.50", "k3", { replay: "nonces" }), sa("10.0.1.51", "other-key")])).code, 0);
  assert.equal(register(s, MN, "k3", now(s, 4)), 133);
  assert.equal(s.board.dump("bindings").length, 1, "kept through both rotations");
  // init: the same peer twice is refused by the core (past the hosts' validation).
  const c = host.encodeConfig(host.validateConfig(haJson([sa("10.0.1.50", "a"), sa("10.0.1.51", "b")]), "ha"));
  for (let o = 8; o < c.length; o += 4 + ((c[o + 2] << 8) | c[o + 3])) if (c[o] === 6) c[o + 4 + 8 + 15] = 50;
  const x = s.board.x;
  new Uint8Array(x.memory.buffer, x.config_buffer(), c.length).set(c);
  assert.notEqual(x.init(x.config_buffer(), c.length), 0, "a duplicate peer in init");
});
