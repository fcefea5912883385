// Rate limits of Mobile IPv4 (RFC 2002) on the mobile node and the agents:
//  - §2.4.1: a mobile node sends at most one Agent Solicitation per second (three at the initial rate,
//    then binary exponential back-off to at least a minute), also when link-up events ask for more;
//  - §3.6.3: never less than 1 s between two transmissions of a registration request (retransmissions
//    doubling up to the maximum; a paused request re-sent after a link flap waits for the second);
//  - §2.3.2: an agent limits its multicast advertisements (recommended at most one per second); a
//    solicitation is answered by one link-layer unicast, no more;
//  - configuration: advertIntervalMs, solicitIntervalMs, retransmitMs, retransmitMaxMs >= 1000 ms,
//    refused below by the host's validation and by the firmware itself.
// The handoff target still holds: solicit at once on a quiet link-up, register at once with a new agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware, startBoard } from "./helpers.mjs";
import {
  start, mnJson, runTo, solicitations, requests, counters, advert, accept, awayViaFa1, events,
  FA1, FA1_MAC, FA2, FA2_MAC, EV, MOVE,
} from "./mn-helpers.mjs";

const gaps = (ts) => ts.slice(1).map((t, i) => t - ts[i]);
const mac = (n) => host.mac(`aa:bb:cc:00:00:${n.toString(16).padStart(2, "0")}`);

/** Link down/up `times` times, `periodMs` apart, starting at `t0` (down at t, up at t + periodMs/2). */
function flap(c, t0, times, periodMs, onUp = null) {
  for (let k = 0; k < times; k++) {
    const t = t0 + k * periodMs;
    runTo(c, t);
    c.board.link(0, false);
    runTo(c, t + periodMs / 2);
    c.board.link(0, true, mac(k + 1));
    if (onUp) onUp(k);
  }
}

// ---- solicitations (RFC 2002 §2.4.1) -------------------------------------------------------------

test("ratelimit: a link flapping 20 times in 2 s yields at most one solicitation per second", () => {
  const c = start(mnJson());
  runTo(c, 300_000); // well into the back-off: the last solicitation is far behind
  const before = solicitations(c).length;
  const t0 = c.t + 100;
  flap(c, t0, 20, 100);
  const during = solicitations(c, 0).slice(before).filter((f) => f.t <= t0 + 2000);
  assert.ok(during.length >= 1, "the first link-up solicits");
  assert.equal(during[0].t, t0 + 50, "solicited at once on the first link-up (handoff target)");
  assert.ok(during.length <= 3, `at most one per second over 2 s (got ${during.length} at ${during.map((f) => f.t)})`);
  runTo(c, t0 + 120_000);
  const all = solicitations(c).map((f) => f.t);
  for (const g of gaps(all)) assert.ok(g >= 1000, `solicitations ${g} ms apart`);
  assert.ok(counters(c).mn_solicit_deferred >= 15, "held-back solicitations are counted");
});

test("ratelimit: after a flapping link the solicitations back off exponentially to at least a minute", () => {
  const c = start(mnJson());
  const t0 = 100;
  flap(c, t0, 20, 100);
  runTo(c, 600_000);
  const ts = solicitations(c).map((f) => f.t).filter((t) => t >= t0 + 2000);
  const g = gaps(ts);
  assert.ok(g.length >= 6);
  for (const x of g) assert.ok(x >= 1000);
  // Nominal doubling (0..10 % random on top), capped at 60 s (+10 %).
  for (let i = 1; i < g.length; i++) assert.ok(g[i] >= g[i - 1] * 0.9 || g[i] >= 60_000, `back-off: ${g}`);
  assert.ok(g.at(-1) >= 60_000 && g.at(-1) <= 66_000, `the maximum interval is at least a minute: ${g.at(-1)}`);
  // Three initial solicitations at the configured interval at most.
  const first = solicitations(c).map((f) => f.t).filter((t) => t < t0 + 2000);
  assert.ok(first.length <= 3);
});

test("ratelimit: a quiet link-up still solicits at once", () => {
  const c = start(mnJson());
  runTo(c, 100_000);
  const last = solicitations(c).at(-1).t;
  const t = Math.max(c.t, last + 1000);
  runTo(c, t);
  const n = c.tx.length;
  c.board.link(0, false);
  c.board.link(0, true, mac(1));
  const s = solicitations(c, n);
  assert.equal(s.length, 1);
  assert.equal(s[0].t, t);
  assert.equal(counters(c).mn_solicit_deferred, 0);
});

// ---- registration requests (RFC 2002 §3.6.3) -----------------------------------------------------

test("ratelimit: unanswered registration requests are retransmitted never less than 1 s apart, doubling", () => {
  const { c } = awayViaFa1({ mobility: { retransmitMs: 1000, retransmitMaxMs: 16000 } }, { raLife: 9000 });
  // Keep the agent alive: it advertises every second.
  for (let t = 1000; t <= 60_000; t += 1000) {
    runTo(c, t);
    c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, seq: 2 + t / 1000, raLife: 9000 }));
  }
  const ts = requests(c).map((r) => r.t);
  const g = gaps(ts);
  assert.ok(g.length >= 5, `retransmissions: ${ts}`);
  for (const x of g) assert.ok(x >= 1000, `requests ${x} ms apart`);
  assert.deepEqual(g.slice(0, 6), [1000, 2000, 4000, 8000, 16000, 16000], "each timeout twice the previous one, up to the maximum");
});

test("ratelimit: a flapping link re-sending a pending request keeps 1 s between requests", () => {
  const { c } = awayViaFa1({}, { raLife: 9000 });
  const t0 = 10;
  // Every link-up: the agent answers the solicitation at once (same agent, no reply to the request).
  flap(c, t0, 20, 100, (k) => c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, seq: 10 + k, raLife: 9000 })));
  runTo(c, 5000);
  const ts = requests(c).map((r) => r.t);
  for (const x of gaps(ts)) assert.ok(x >= 1000, `requests ${x} ms apart: ${ts}`);
  assert.ok(ts.filter((t) => t <= t0 + 2000).length <= 3, `at most one per second: ${ts}`);
  assert.ok(counters(c).mn_reg_deferred >= 1, "held-back requests are counted");
});

test("ratelimit: a new agent is registered with at once (handoff target) unless a request left less than 1 s ago", () => {
  const { c, r } = awayViaFa1();
  accept(c, r);
  c.t = 1000; // a second after the first request
  c.board.link(0, false);
  c.board.link(0, true, mac(2));
  c.board.rx(0, advert({ src: FA2, mac: FA2_MAC }));
  const rs = requests(c);
  assert.equal(rs.length, 2);
  assert.equal(rs[1].t, 1000, "registered as soon as the new agent advertises");
  assert.equal(events(c, EV.MOVE).at(-1).reason, MOVE.LINK);
  assert.equal(counters(c).mn_reg_deferred, 0);
  // Issue 7.6 (RFC 2002 §3.6.3): another move 200 ms later waits for the second to be over.
  c.t = 1200;
  c.board.link(0, false);
  c.board.link(0, true, mac(3));
  c.board.rx(0, advert({ src: FA1, mac: FA1_MAC, seq: 5 }));
  assert.equal(requests(c).length, 2);
  assert.equal(counters(c).mn_reg_deferred, 1);
  runTo(c, 2000);
  const later = requests(c);
  assert.equal(later.length, 3);
  assert.equal(later[2].t, 2000);
  assert.equal(later[2].dst, FA1);
});

// ---- agents (RFC 2002 §2.3.2) --------------------------------------------------------------------

const faJson = (mobility = {}) => ({
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, advertIntervalMs: 1000, advertLifetimeSec: 3, ...mobility },
});

function solicitation(src, srcMac) {
  const b = new Uint8Array(28);
  b[20] = 10;
  const s = host.checksum(b, 20, 8);
  b[22] = s >> 8; b[23] = s & 255;
  host.writeIpv4Header(b, 28, 1, src, 0xffffffff, 7, 1);
  return host.ethFrame(host.BROADCAST_MAC, srcMac, 0x0800, b);
}

const isAdvert = (f) => f.length > 34 && f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 9;
const isMulticast = (f) => f[0] === 1 && f[1] === 0 && f[2] === 0x5e;

test("ratelimit: an agent answers a solicitation flood one unicast per solicitation; multicast stays <= 1/s", () => {
  let t = 0;
  const times = [];
  const { board, cap } = startBoard(faJson(), { now: () => t });
  const sent = () => cap.tx.filter((x) => isAdvert(x.frame));
  let k = 0;
  for (t = 0; t < 3000; t += 10) {
    board.tick(t);
    while (times.length < sent().length) times.push(t);
    k++;
    board.rx(0, solicitation(0x0a080000 + k, host.mac(`02:00:00:00:0c:${(k & 255).toString(16).padStart(2, "0")}`)));
    while (times.length < sent().length) times.push(t);
  }
  const adverts = sent();
  const multicast = adverts.map((x, i) => ({ f: x.frame, t: times[i] })).filter((x) => isMulticast(x.f));
  const unicast = adverts.filter((x) => !isMulticast(x.frame));
  assert.equal(unicast.length, k, "one answer per solicitation, to its sender only (no amplification)");
  assert.equal(board.counters().agent_solicit_rx, k);
  assert.ok(multicast.length >= 3 && multicast.length <= 4, `periodic multicast only: ${multicast.length}`);
  for (const g of gaps(multicast.map((x) => x.t))) assert.ok(g >= 1000, `multicast advertisements ${g} ms apart`);
});

// ---- configuration ------------------------------------------------------------------------------

test("ratelimit: intervals below one second are refused by the host's validation (fixture invalid-rates.json)", () => {
  const json = JSON.parse(readFileSync(new URL("../fixtures/configs/invalid-rates.json", import.meta.url), "utf8"));
  assert.throws(() => host.validateConfig(json, "config"), (e) => {
    assert.deepEqual(e.problems, [
      "config.mobility.advertIntervalMs: expected an integer 1000..600000, got 999",
      "config.mobility.retransmitMs: expected an integer 1000..60000, got 10",
      "config.mobility.retransmitMaxMs: expected an integer 1000..600000, got 500",
      "config.mobility.solicitIntervalMs: expected an integer 1000..600000, got 10",
    ]);
    return true;
  });
});

test("ratelimit: the firmware itself refuses intervals below one second", () => {
  for (const [field, v] of [["solicitIntervalMs", 999], ["retransmitMs", 10], ["retransmitMaxMs", 999], ["advertIntervalMs", 10]]) {
    const cfg = host.validateConfig(mnJson(), "mn");
    cfg.mobility[field] = v; // past the host's validation: the firmware's own range check
    const board = new host.Board(firmware, cfg, { now: () => 0, tx() {}, deliver() {}, event() {}, log() {}, random(b) { b.fill(1); } });
    assert.throws(() => board.init(), new RegExp(`refused the configuration.*${field}|refused the configuration`), field);
  }
});

test("ratelimit: a solicitation due while every link is down is not sent and does not delay the link-up's", () => {
  const c = start(mnJson());
  runTo(c, 10_000);
  const before = solicitations(c).length;
  c.board.link(0, false);
  runTo(c, 10_600);                       // any solicitation due now finds no link: nothing leaves
  assert.equal(solicitations(c).length, before, "nothing sent while the link is down");
  c.board.link(0, true, mac(1));          // within a second of the attempt: still solicits at once
  const after = solicitations(c).slice(before);
  assert.equal(after.length, 1);
  assert.equal(after[0].t, 10_600);
});

test("configuration: an agent's advertisement lifetime shorter than its interval is refused by the firmware (RFC 1256 §4.1)", () => {
  const json = {
    name: "fa", roles: ["foreign-agent"],
    interfaces: [{ name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true }],
    mobility: { advertIntervalMs: 5000, advertLifetimeSec: 3 },
  };
  assert.throws(() => startBoard(json), /config: mobility\.advertLifetimeSec: expected 5\.\.9000, got 3/);
  json.mobility.advertLifetimeSec = 15;
  assert.doesNotThrow(() => startBoard(json));
});
