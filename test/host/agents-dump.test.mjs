// Dump table 11, agents (issue 14 point 3: the "agents" table of `mipfw-board status`; images with STATUS,
// docs/abi.md): what a mobile node knows of the agents it heard (address, care-of address, flags, sequence,
// lifetime left, interface, the one in use), an agent's own advertising state (interfaces, next sequence
// number, flags), and a Mobile IPv6 mobile node's home agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const FA_IP = ip("10.0.32.1");
const faJson = {
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, advertIntervalMs: 1000, advertLifetimeSec: 3 },
};
const mnJson = {
  name: "mn", board: "emulated", roles: ["mobile-node"],
  interfaces: [{ name: "wlan0", mac: "02:00:00:00:0a:99", ipv4: "10.8.0.5/24" }],
  routes: [{ dest: "default", via: "10.8.0.1" }],
  mobility: { homeAgent: "10.8.0.1", lifetimeSec: 300, colocated: "never" },
  securityAssociations: [{ peer: "10.8.0.1", spi: 1000, algorithm: "hmac-md5", key: "text:k" }],
};
const R = 0x8000, B = 0x4000, H = 0x2000, F = 0x1000;

test("an agent's own advertising state: the advertising interfaces only, flags, the next sequence number, registration lifetime", () => {
  const clock = { t: 0 };
  const fa = startBoard(faJson, { now: () => clock.t });
  const rows = fa.board.dump("agents");
  assert.equal(rows.length, 1, "wlan0 only (eth0 does not advertise)");
  const [a] = rows;
  assert.deepEqual({ ...a, flags: a.flags & (R | B | H | F) }, {
    kind: 2, address: FA_IP, careOf: FA_IP, iface: 0, state: 0, flags: R | F, seq: 1, regLifetimeSec: 600,
    expiresAtMs: Infinity, prefixLen: 19, mac: "02:00:00:00:0a:01",
  });
  clock.t = 1500; fa.board.tick(clock.t);
  assert.equal(fa.board.dump("agents")[0].seq, 2, "one more advertisement sent");
});

test("a mobile node's agents: the foreign agent heard, its care-of address, flags, sequence, lifetime left, in use once registering", () => {
  const clock = { t: 0 };
  const fa = startBoard(faJson, { now: () => clock.t });
  const mn = startBoard(mnJson, { now: () => clock.t });
  assert.deepEqual(mn.board.dump("agents"), [], "nothing heard yet");
  const advert = fa.cap.tx.find((t) => t.iface === 0).frame;
  clock.t = 100;
  mn.board.rx(0, advert);
  const rows = mn.board.dump("agents");
  assert.equal(rows.length, 1);
  const [a] = rows;
  assert.equal(a.kind, 1);
  assert.equal(a.address, FA_IP);
  assert.equal(a.careOf, FA_IP);
  assert.equal(a.flags & (R | F), R | F);
  assert.equal(a.seq, 0, "the first advertisement's sequence number");
  assert.equal(a.regLifetimeSec, 600);
  assert.equal(a.expiresAtMs, 100 + 3000, "advertisement lifetime 3 s");
  assert.equal(a.iface, 0);
  assert.equal(a.mac, "02:00:00:00:0a:01");
  assert.equal(a.state & 1, 1, "the agent in use (a registration through it under way)");
  assert.equal(a.state & 2, 0, "not on the home network");
  // A router without mobility roles: the table is empty.
  const r = startBoard({ name: "r", board: "emulated", roles: ["router"], interfaces: faJson.interfaces });
  assert.deepEqual(r.board.dump("agents"), []);
});
