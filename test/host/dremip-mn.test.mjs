// Distributed registration at the mobile node (seed 002 §8; assembly/mobility/mn/dremip.ts), one board:
// the test plays the foreign agent (advertisements with the Registration Server extension), the local
// server rs2 (behind the agent) and the home server hs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host } from "./helpers.mjs";
import { ip, HOME, FA1, FA1_MAC, start, runTo, advert, requests, udpFrame, events, EV } from "./mn-helpers.mjs";

const RS2 = ip("10.0.0.5"), HS = ip("10.1.0.2"), COA1 = ip("10.0.0.6");
const te = new TextEncoder();
const K_RS2 = { spi: 4098, algorithm: "hmac-md5", key: te.encode("mn-rs2") };
const K_HS = { spi: 4097, algorithm: "hmac-md5", key: te.encode("mn-hs") };

function mn() {
  const c = start({
    name: "mn", roles: ["mobile-node"],
    interfaces: [{ name: "wlan0", mac: "02:00:00:00:00:05", ipv4: "10.1.0.5/24" }],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { homeAgent: "10.1.0.1", lifetimeSec: 300, colocated: "never", retransmitMs: 1000, dremip: { enabled: true, homeServer: "10.1.0.2", localLifetimeSec: 30 } },
    securityAssociations: [
      { peer: "10.1.0.1", spi: 4096, key: "text:mn-ha" },
      { peer: "10.1.0.2", spi: 4097, key: "text:mn-hs", use: "mobile-server" },
      { peer: "10.0.0.5", spi: 4098, key: "text:mn-rs2", use: "mobile-server" },
    ],
  }, 1000);
  // fa1 advertises rs2 (extension 81: lifetime, then address / priority / lifetime).
  const ext81 = Uint8Array.from([81, 10, 0xff, 0xff, 10, 0, 0, 5, 0, 1, 0xff, 0xff]);
  c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, extra: ext81 }));
  runTo(c, 1100);
  return c;
}

/** A Registration Reply to `req` authenticated with `k` (84), optional extensions first, from `src` through fa1. */
function replyFrom(src, req, k, { code = 0, lifetime = req.lifetimeSec, exts = [] } = {}) {
  let m = host.buildRegReply({ code, lifetimeSec: lifetime, home: req.home, homeAgent: req.homeAgent, id: req.id });
  m = Uint8Array.from([...m, ...exts]);
  m = host.appendAuth(m, 84, k);
  return udpFrame(src, FA1_MAC, HOME, 434, 434, m);
}
const coaExt = (a) => [82, 6, 0, 0, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];

test("002 §8.1-8.3: local registration with the advertised server, then the home registration through it with the parent care-of address", () => {
  const c = mn();
  const r1 = requests(c).map((x) => x.req);
  assert.equal(r1.length, 1);
  assert.deepEqual([r1[0].flags & 1, r1[0].homeAgent, r1[0].careOf, r1[0].lifetimeSec], [1, RS2, FA1, 30]);
  const n = c.tx.length;
  c.board.rx(0, replyFrom(FA1, r1[0], K_RS2, { exts: coaExt(COA1) }));
  const r2 = requests(c, n).map((x) => ({ ...x.req, dst: x.dst }));
  assert.equal(r2.length, 1, "the home registration follows at once");
  assert.deepEqual([r2[0].dst, r2[0].homeAgent, r2[0].careOf, r2[0].lifetimeSec], [RS2, HS, COA1, 300]);
  // Its authenticators: 84 for the home server, then 33 for the relay (mobile-server key with rs2).
  const m = requests(c, n)[0].udp;
  assert.ok(host.verifyAuth(m, 24, 84, K_HS) && host.verifyAuth(m, 24, 33, K_RS2));
});

test("002 §6.3: a relay may deny the home registration with its own authenticator, but never accept it for the home server", () => {
  const c = mn();
  const r1 = requests(c)[0].req;
  let n = c.tx.length;
  c.board.rx(0, replyFrom(FA1, r1, K_RS2, { exts: coaExt(COA1) }));
  const r2 = requests(c, n)[0].req;
  const before = events(c, EV.REG_REPLY).length;
  // rs2 "accepts" the home registration itself (its key, code 0): refused — only hs may accept.
  c.board.rx(0, replyFrom(RS2, r2, K_RS2, { code: 0 }));
  assert.equal(events(c, EV.REG_REPLY).length, before, "no reply accepted");
  assert.ok(c.board.counters().mn_reply_auth_failed >= 1);
  // The real home server's acceptance (relayed by rs2) is taken.
  c.board.rx(0, replyFrom(RS2, r2, K_HS, { code: 0 }));
  const ev = events(c, EV.REG_REPLY);
  assert.equal(ev.length, before + 1);
  assert.equal(ev.at(-1).code, 0);
});

test("002 D.2: a relay's 67 naming a transit server starts the transit registration", () => {
  const c = mn();
  const r1 = requests(c)[0].req;
  let n = c.tx.length;
  c.board.rx(0, replyFrom(FA1, r1, K_RS2, { exts: coaExt(COA1) }));
  const r2 = requests(c, n)[0].req;
  n = c.tx.length;
  // 67 with a Registration Server extension naming rs2 itself (the only other server we have a key with).
  const ext81 = [81, 10, 0xff, 0xff, 10, 0, 0, 5, 0, 0, 0xff, 0xff];
  c.board.rx(0, replyFrom(RS2, r2, K_RS2, { code: 67, lifetime: 0, exts: ext81 }));
  const r3 = requests(c, n).map((x) => x.req);
  assert.equal(r3.length, 1, "a transit registration");
  assert.deepEqual([r3[0].homeAgent, r3[0].careOf], [RS2, COA1]);
});
