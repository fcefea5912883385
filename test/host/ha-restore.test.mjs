// Issue 14: a home agent's bindings survive its restart. The board host persists them and hands each
// back with config_add as a BINDING record (type 12, docs/abi.md); the core restores it as the
// registration had made it (tunnel, proxy and gratuitous ARP, expiry) and puts the last Identification
// back, so a request replayed from before the restart is still refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, parseIpFrame, regReplies } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), FA = ip("10.0.3.1"), FAR = ip("10.0.9.9");
const KEY = { spi: 1000, algorithm: "hmac-md5", key: new TextEncoder().encode("mn-secret") };
const T0 = 1_000_000;

const haJson = (roles = ["home-agent"]) => ({
  name: "ha", board: "emulated", roles,
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: roles.includes("home-agent"), advertise: true },
    { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
  ],
  routes: [{ dest: "default", via: "10.0.2.254" }],
  mobility: { lifetimeSec: 600 },
  securityAssociations: [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" }],
});

function start(roles) {
  const clock = { t: T0 };
  const s = startBoard(haJson(roles), { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, new Uint8Array(6), HA_CORE));
  s.cap.tx.length = 0;
  s.cap.events.length = 0;
  return { ...s, clock };
}

/** config_add of one BINDING record: 0 lifetimeSec u16, 2 flags u8, 3 pad, 4 identification u64, 12 home, 28 careOf (big-endian). */
function restore(s, { left = 300, flags = 0, id = 0n, home = MN, coa = FA, len = 44 } = {}) {
  const body = new Uint8Array(44);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, left);
  body[2] = flags;
  dv.setBigUint64(4, id);
  body.set(host.mappedAddress(home), 12);
  body.set(coa instanceof Uint8Array ? coa : host.mappedAddress(coa), 28);
  const rec = [12, 0, 0, len, ...body.subarray(0, len)];
  return s.board.configAdd(Uint8Array.from([0x4d, 0x49, 0x50, 0x46, 0, 2, 0, 0, ...rec]));
}

const fromFar = () => host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FAR, MN, 7000, 7001, new Uint8Array(64).fill(0x5a), 99, 30));

test("a restored binding is in the table, tunnelled to, announced by gratuitous ARP, and expires on time", () => {
  const s = start();
  const id = (0xeebf4fe7n << 32n) | 0x1234n;
  assert.deepEqual(restore(s, { left: 120, id }), { code: 0, reason: "" });
  const [b] = s.board.dump("bindings");
  assert.equal(b.home, MN);
  assert.equal(b.careOf, FA);
  assert.equal(b.lifetimeSec, 120);
  assert.equal(b.expiresAtMs, T0 + 120_000);
  assert.equal(BigInt(b.identification), id, "the last Identification is back in the association");
  const garp = s.cap.tx.map((t) => host.parseArpFrame(t.frame)).filter((a) => a && a.senderIp === MN && a.targetIp === MN);
  assert.equal(garp.length, 1, "a gratuitous ARP for the home address");
  assert.equal(s.cap.events.filter((e) => e.kind === 8 && e.data[0] === 1).length, 1, "a BINDING add event");
  s.cap.tx.length = 0;
  s.board.rx(1, fromFar());
  const tun = s.cap.tx.map((t) => parseIpFrame(t.frame)).filter((p) => p && p.info.proto === 4);
  assert.equal(tun.length, 1, "a datagram for the mobile node is tunnelled to its care-of address");
  assert.equal(tun[0].info.dst, FA);
  s.clock.t = T0 + 120_001;
  s.board.tick(s.clock.t);
  assert.equal(s.board.dump("bindings").length, 0, "expired at the restored time");
});

test("a request replayed from before the restart is refused (133), a newer one is accepted", () => {
  const s = start();
  const id = host.ntpTimestamp(s.clock.t, 0, 0x1234);
  assert.equal(restore(s, { id: BigInt(id) }).code, 0);
  const send = (ident) => {
    const m = host.appendAuth(host.buildRegRequest({ lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA, id: ident }), host.EXT_MH_AUTH, KEY);
    s.cap.tx.length = 0;
    s.board.rx(1, host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FA, HA_IP, 5434, 434, m, 7, 60)));
    return regReplies(s.cap)[0].reply.code;
  };
  assert.equal(send(id), 133, "the same Identification again: identification mismatch");
  s.clock.t += 2000;
  assert.equal(send(host.ntpTimestamp(s.clock.t, 0, 0x1235)), 0);
});

test("BINDING records: refused in init, with a wrong length or lifetime, and on a node without the home agent role", () => {
  const s = start();
  assert.deepEqual(restore(s, { len: 43 }), { code: 1, reason: "config: record length: expected 44..44, got 43" });
  assert.deepEqual(restore(s, { left: 0 }), { code: 0, reason: "" }, "lifetime 0: nothing to restore");
  const v6 = restore(s, { coa: Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1]) });
  assert.equal(v6.code, 1);
  assert.match(v6.reason, /^config: binding: expected .*IPv4/, "an IPv6 care-of address: " + v6.reason);
  assert.equal(s.board.dump("bindings").length, 0);
  const r = start(["router"]);
  assert.deepEqual(restore(r), { code: 1, reason: "config: binding: expected 0..0, got 130" });
  // In init: not a record type init takes.
  const cfg = host.encodeConfig(host.validateConfig(haJson(), "config"));
  const rec = Uint8Array.from([12, 0, 0, 44, ...new Uint8Array(44)]);
  const buf = new Uint8Array(cfg.length + rec.length);
  buf.set(cfg); buf.set(rec, cfg.length);
  const x = s.board.x;
  new Uint8Array(x.memory.buffer, x.config_buffer(), buf.length).set(buf);
  const logs = s.cap.logs.length;
  assert.notEqual(x.init(x.config_buffer(), buf.length), 0);
  assert.match(s.cap.logs.slice(logs).map((l) => l.text).join("\n"), /config: record type: expected .*, got 12/);
});
