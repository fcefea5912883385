// Registration keys from the home agent via a foreign-home association (issue 10 point 5;
// assembly/security/regkey.ts, docs/decisions.md "Registration keys"): the mobile node asks with a
// Registration Key Request (161) before its mobile-home authenticator; the home agent derives the
// mobile-foreign key from the mobile-home key and gives it to the foreign agent wrapped with their
// foreign-home key (162), between the mobile-home and the foreign-home authenticators.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { startBoard, host, regReplies } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const HA_MAC1 = host.mac("02:00:00:00:0b:01"), R_MAC = host.mac("02:00:00:00:0b:fe");
const HA_IP = ip("10.0.1.1"), HA_CORE = ip("10.0.2.1"), ROUTER = ip("10.0.2.254");
const MN = ip("10.0.1.50"), FA = ip("10.0.3.1"), FA_SRC = ip("10.0.2.3");
const MH = { spi: 1000, algorithm: "hmac-md5", key: te.encode("mn-secret") };
const FH = { spi: 2000, algorithm: "hmac-md5", key: te.encode("fa-ha") };
const T0 = 1_000_000;

function start({ fh = true } = {}) {
  const clock = { t: T0 };
  const sas = [{ peer: "10.0.1.50", spi: 1000, algorithm: "hmac-md5", key: "text:mn-secret" }];
  if (fh) sas.push({ peer: "10.0.2.3", spi: 2000, algorithm: "hmac-md5", key: "text:fa-ha", use: "foreign-home" });
  const s = startBoard({
    name: "ha", board: "emulated", roles: ["home-agent"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:0a:01", ipv4: "10.0.1.1/24", home: true, advertise: true },
      { name: "eth1", mac: "02:00:00:00:0b:01", ipv4: "10.0.2.1/24" },
    ],
    routes: [{ dest: "default", via: "10.0.2.254" }],
    mobility: { lifetimeSec: 600 },
    securityAssociations: sas,
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, R_MAC, ROUTER, new Uint8Array(6), HA_CORE));
  s.board.rx(1, host.arpFrame(1, host.mac("02:00:00:00:0b:03"), FA_SRC, new Uint8Array(6), HA_CORE));
  s.cap.tx.length = 0;
  return { ...s, clock };
}

const keyReq = (spi) => { const b = new Uint8Array(6); b[0] = 161; b[1] = 4; new DataView(b.buffer).setUint32(2, spi); return b; };
const cat = (...a) => Uint8Array.from(a.flatMap((x) => [...x]));

/** A request relayed by the foreign agent (source FA_SRC) with `before` / `after` the mobile-home authenticator. */
function request(s, { before = new Uint8Array(0), after = new Uint8Array(0), id } = {}) {
  const m = host.buildRegRequest({ flags: 0, lifetimeSec: 300, home: MN, homeAgent: HA_IP, careOf: FA, id, extensions: before });
  const withAuth = cat(host.appendAuth(m, host.EXT_MH_AUTH, MH), after);
  return host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(FA_SRC, HA_IP, 5434, 434, withAuth, 7, 60));
}

function expectedKey(reqId) {
  const idb = Buffer.alloc(8); idb.writeBigUInt64BE(reqId);
  const ab = (a) => Buffer.from([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255]);
  return createHmac("md5", MH.key).update(Buffer.concat([Buffer.from("mipfw-mn-fa-key"), ab(FA), ab(MN), idb])).digest();
}
function unwrap(wrapped, replyId) {
  const idb = Buffer.alloc(8); idb.writeBigUInt64BE(replyId);
  const pad = createHash("md5").update(FH.key).update(idb).update(Buffer.from([10, 0, 1, 50])).update(FH.key).digest();
  return Buffer.from(wrapped.map((b, i) => b ^ pad[i]));
}

test("registration keys: an accepted request with a key request gets the wrapped mobile-foreign key for the foreign agent, authenticated by the foreign-home extension", () => {
  const s = start();
  const id = host.ntpTimestamp(s.clock.t, 0, 0x77);
  s.board.rx(1, request(s, { before: keyReq(0x1234), id }));
  const [r] = regReplies(s.cap);
  assert.equal(r.reply.code, 0);
  const exts = host.extensions(r.msg, 20);
  assert.deepEqual(exts.map((e) => e.type), [32, 162, 34], "mobile-home, key, foreign-home");
  const k = exts[1].data;
  assert.equal(new DataView(k.buffer, k.byteOffset).getUint32(0), 0x1234);
  assert.deepEqual(unwrap(k.subarray(4), r.reply.id), expectedKey(id), "the key the mobile node derives");
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_FH_AUTH, FH), "the foreign-home authenticator covers the key");
  assert.ok(host.verifyAuth(r.msg, 20, host.EXT_MH_AUTH, MH));
  assert.equal(s.board.counters().ha_regkey_sent, 1);
});

test("registration keys: none without a foreign-home association, for a key request after the mobile-home authenticator, or with a reserved SPI", () => {
  for (const [opts, what] of [[{ fh: false }, "no foreign-home association"], [{}, "after the authenticator"], [{}, "SPI 255"]]) {
    const s = start(opts);
    const id = host.ntpTimestamp(s.clock.t, 0, 0x78);
    const req = what === "after the authenticator" ? { after: keyReq(0x1234), id } : { before: keyReq(what === "SPI 255" ? 255 : 0x1234), id };
    s.board.rx(1, request(s, req));
    const [r] = regReplies(s.cap);
    assert.equal(r.reply.code, 0, what);
    assert.ok(!host.extensions(r.msg, 20).some((e) => e.type === 162), what);
    assert.equal(s.board.counters().ha_regkey_sent, 0, what);
  }
});

test("registration keys end to end (scenario smooth-handoff, no mobile-foreign association configured): the keys come from the home agent through foreign-home associations and the handoff still loses nothing", async () => {
  const { readFileSync } = await import("node:fs");
  const { firmware } = await import("./helpers.mjs");
  const sc = JSON.parse(readFileSync(new URL("../../scenarios/smooth-handoff.json", import.meta.url), "utf8"));
  const byName = (n) => sc.nodes.find((x) => x.name === n);
  // No mobile-foreign associations anywhere; foreign-home ones between the home agent and each agent.
  for (const n of ["fa1", "fa2", "mn"]) byName(n).securityAssociations = byName(n).securityAssociations.filter((a) => a.use !== "mobile-foreign");
  for (const [fa, coa] of [["fa1", "10.2.0.1"], ["fa2", "10.3.0.1"]]) {
    byName(fa).securityAssociations.push({ peer: "10.1.0.1", spi: 700, algorithm: "hmac-md5", key: `text:${fa}-ha`, use: "foreign-home" });
    byName("ha").securityAssociations.push({ peer: coa, spi: 700, algorithm: "hmac-md5", key: `text:${fa}-ha`, use: "foreign-home" });
  }
  const sim = new host.Simulation(host.validateScenario(sc, "scenario"), firmware, {});
  sim.run();
  const s = sim.summary();
  const c = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  sim.close();
  assert.ok(c.ha.ha_regkey_sent >= 2, `keys sent ${c.ha.ha_regkey_sent}`);
  assert.ok(c.fa1.fa_regkey_installed >= 1 && c.mn.mn_regkey_installed >= 1, JSON.stringify({ fa1: c.fa1.fa_regkey_installed, mn: c.mn.mn_regkey_installed }));
  // The previous agent took the update on the mobile node's behalf (its learnt association) ...
  assert.ok(c.fa1.ro_bu_accepted >= 1, `fa1 accepted ${c.fa1.ro_bu_accepted} updates`);
  assert.equal(c.fa1.drop_ro_bu_auth, 0);
  // ... so the handoff is as smooth as with configured associations.
  assert.equal(s.handoffs.length, 1);
  assert.equal(s.handoffs[0].lost, 0);
});
