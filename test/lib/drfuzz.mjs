// Invariant fuzzing of distributed registration (issue 11 point 8: "forged or replayed Route
// Requests/Replies and registrations rejected with the right codes and no state changed";
// docs/fuzzing.md "Distributed registration"). Two worlds, each one board fed a seeded stream that mixes
// legitimate messages with an attacker's forged, replayed, stale, mutated and random ones; a shadow model
// applies only the legitimate messages, and after every frame the board's events, output, counters and
// table dump are checked against it. Used by test/host/fuzz-dremip.test.mjs and
// `bench/fuzz.mjs --roles coa,rs`.
//
//   fuzzCareOfAgent({ frames, seed })   a care-of agent (one agent-server association, the server
//     10.0.0.5): Route Requests from the server (fresh Identifications, 83 last) against forgeries
//     (wrong key, wrong SPI, no / truncated / non-last 83, another sender, a sender whose association
//     has another use), replays (exact copies; correctly signed but stale Identifications), mutations
//     (bit flips, truncation at every length, extension garbage, checksums fixed or not), random bytes.
//   fuzzServer({ frames, seed })   a registration server with one care-of agent (bench/setup.mjs
//     drServer): mobile nodes' registrations (84) and the care-of agent's Route Replies to the server's
//     latest Route Request (its Identification read from the board's output) against forged and
//     replayed registrations and Route Replies, mutations, random bytes.
//
// Both return { counts (frames by kind), stats (what the model saw happen), counters, violations: { name:
// { count, examples: [{ step, t, detail }] } }, violationCount, traps, heapMoved }. Invariant names:
// DR_INVARIANTS.
import * as host from "../../build/host.mjs";
import { readFileSync } from "node:fs";
import { parseEthIp, udpOf, decap } from "./pkt.mjs";

export const DR_INVARIANTS = {
  "coa-routes": "the binding routes (dump table 7) equal the model of the legitimate Route Requests after every frame",
  "coa-route-events": "dr_route events only for legitimate Route Requests (enable / refresh / disable / refused, as the model says) and expiries",
  "coa-reply": "a Route Reply only to a legitimate request: one, with the model's code and lifetime, Destination, Next Hop and Identification echoed, a valid 83 last",
  "coa-drop-counted": "every refused attacker frame moves a drop counter (forged: drop_dr_auth/malformed; replayed: drop_dr_replay)",
  "rs-accept": "a registration accepted (dr_reg accepted) only on the care-of agent's legitimate Route Reply to a legitimate pending request, with the model's lifetime and a Registration Reply naming the care-of agent (82)",
  "rs-deny": "forged and replayed registrations denied with the right code (131, 132, 133) and no state changed (no pending, no Route Request)",
  "rs-reply-auth": "every Registration Reply goes to the request's sender, carries a valid 84 last for its node and echoes the Identification (low 32 bits for 133)",
  "rs-route-request": "Route Requests go only to the care-of agent, with a valid 83 last, for a legitimate pending registration or deregistration",
  "rs-table": "the registrations (dump table 8) equal the model after every frame",
  "rs-drop-counted": "every refused attacker Route Reply moves drop_dr_replay / drop_dr_auth / drop_dr_malformed; every attacker frame some drop counter or a denial",
};

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const key = (t, spi) => ({ spi, algorithm: "hmac-md5", key: te.encode(t) });
const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const fmt = (a) => host.formatIp(a);
const T0 = 4_000_000;
const WINDOW_SEC = 7n; // mobility.replayWindowSec (default)
let module = null;

/** xorshift32: the same stream for a seed. */
function rng(seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return { next, int: (n) => next() % n, pick: (a) => a[next() % a.length], chance: (p) => next() / 4294967296 < p };
}

function rtMsg(type, code, lifetime, dest, nextHop, id) {
  const m = new Uint8Array(20), dv = new DataView(m.buffer);
  m[0] = type; m[1] = code; dv.setUint16(2, lifetime); dv.setUint32(4, dest >>> 0); dv.setUint32(8, nextHop >>> 0); dv.setBigUint64(12, id);
  return m;
}

/** True when the last extension of `m` (after `fixed` bytes) is `type`, ends the message and verifies with `k`. */
function lastAuthOk(m, fixed, type, k) {
  const x = host.extensions(m, fixed);
  const l = x.at(-1);
  return !!l && l.type === type && l.offset + 2 + l.data.length === m.length && host.verifyAuth(m.subarray(0, m.length), fixed, type, k) &&
    x.filter((e) => e.type === type).length === 1;
}

/**
 * An attacker's mutation of a legitimate message `msg` (re-wrapped by `wrap`, checksums right) or of
 * its frame `frame` (checksums left wrong): bit flips, truncation at any length, extension garbage.
 */
function mutate(r, msg, frame, wrap) {
  switch (r.int(6)) {
    case 0: { const m = msg.slice(); const n = 1 + r.int(3); for (let i = 0; i < n; i++) m[r.int(m.length)] ^= 1 << r.int(8); return wrap(m); }
    case 1: return wrap(msg.slice(0, r.int(msg.length)));
    case 2: { // extension garbage: appended, or in place of the authenticator's tail
      const g = new Uint8Array(1 + r.int(24)).map(() => r.int(256));
      if (r.chance(0.5)) g[0] = r.pick([32, 33, 34, 82, 83, 84, 85, 128, 160, 255]);
      const cut = r.chance(0.5) ? msg.length : msg.length - r.int(22);
      const m = new Uint8Array(cut + g.length); m.set(msg.subarray(0, cut)); m.set(g, cut); return wrap(m);
    }
    case 3: { const f = frame.slice(); f[14 + r.int(f.length - 14)] ^= 1 << r.int(8); return f; }
    case 4: return frame.slice(0, 14 + r.int(frame.length - 14));
    default: { const m = msg.slice(); m[r.int(m.length)] = r.int(256); return wrap(m); }
  }
}

function randomFrame(r, dstMac, srcMac, src, dst) {
  if (r.chance(0.5)) {
    const f = new Uint8Array(14 + r.int(90)).map(() => r.int(256));
    f.set(dstMac, 0); f.set(srcMac, 6); f[12] = 8; f[13] = 0; return f;
  }
  // Random bytes on UDP 434 (valid IP and UDP), first byte often one of the distributed registration types.
  const m = new Uint8Array(1 + r.int(70)).map(() => r.int(256));
  if (r.chance(0.7)) m[0] = r.pick([1, 3, 32, 33, 34, 35, 36, 37]);
  return host.ethFrame(dstMac, srcMac, 0x0800, host.buildUdp(src, dst, 434, 434, m, 1, 64));
}

/** Port-434 messages the board sent in `tx` (after a tunnel: the inner datagram). */
function sent(tx, from) {
  const out = [];
  for (let i = from; i < tx.length; i++) {
    let p = parseEthIp(tx[i].frame);
    if (p && p.proto === 4) p = decap(p);
    const u = p && udpOf(p);
    if (!u || u.sport !== 434) continue;
    out.push({ src: p.src, dst: p.dst, dport: u.dport, type: u.data[0], msg: new Uint8Array(u.data) });
  }
  return out;
}

function makeBoard(json, clock) {
  module ??= new WebAssembly.Module(readFileSync(new URL("../../build/firmware.wasm", import.meta.url)));
  const cap = { tx: [], events: [], delivered: 0 };
  const board = new host.Board(module, host.validateConfig(json, json.name), {
    now: () => clock.t,
    tx: (iface, frame) => cap.tx.push({ iface, frame: host.copyFrame(frame) }),
    deliver() { cap.delivered++; },
    event: (kind, data) => cap.events.push({ kind, data: data.slice() }),
    random: (b) => { for (let i = 0; i < b.length; i++) b[i] = (i * 37 + 11) & 255; },
  });
  board.init();
  return { board, cap };
}

function recorder(maxExamples) {
  const violations = {};
  let total = 0;
  const add = (name, step, t, detail) => {
    total++;
    const v = (violations[name] ??= { count: 0, examples: [] });
    v.count++;
    if (v.examples.length < maxExamples) v.examples.push({ step, t, detail });
  };
  return { violations, add, total: () => total };
}

const dropSum = (c) => { let n = 0; for (const k in c) if (k.startsWith("drop_")) n += c[k]; return n; };
const ev = (e) => ({ op: e.data[0], code: e.data[1], life: e.data[2] | (e.data[3] << 8), a: be32(e.data, 16), b: be32(e.data, 32), c: be32(e.data, 48) });
/** NTP seconds of an Identification / of board time. */
const sec = (id) => id >> 32n;
const nowSec = (t) => sec(host.ntpTimestamp(t));

// ---- (a) care-of agent -----------------------------------------------------------------------------

export function fuzzCareOfAgent({ frames, seed, maxExamples = 3 }) {
  const COA = ip("10.0.0.6"), RS = ip("10.0.0.5"), OTHER = ip("10.0.0.8"), PEER = ip("10.0.0.7"), ATT = ip("10.0.0.66");
  const ATT_MAC = host.mac("02:00:00:00:0d:66");
  const COA_MAC = host.mac("02:00:00:00:0d:06"), RS_MAC = host.mac("02:00:00:00:0d:05"), OTHER_MAC = host.mac("02:00:00:00:0d:08"), PEER_MAC = host.mac("02:00:00:00:0d:07");
  const K = key("fz-coa-rs", 706), K_OTHER = key("fz-other", 707), K_PEER = key("fz-peer", 708);
  const CAPACITY = 6, MAX_LIFE = 600;
  const clock = { t: T0 };
  const { board, cap } = makeBoard({
    name: "coa", board: "emulated", roles: ["care-of-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:06", ipv4: "10.0.0.6/24" }],
    sizes: { careOfRoutes: CAPACITY }, mobility: { dremip: { maxRouteLifetimeSec: MAX_LIFE } },
    securityAssociations: [
      { peer: "10.0.0.5", spi: 706, key: "text:fz-coa-rs", use: "agent-server" },
      { peer: "10.0.0.8", spi: 707, key: "text:fz-other", use: "mobile-server" },
      { peer: "10.0.0.7", spi: 708, key: "text:fz-peer", use: "server-server" },
    ],
  }, clock);
  const arp = () => {
    board.rx(0, host.arpFrame(2, RS_MAC, RS, COA_MAC, COA));
    board.rx(0, host.arpFrame(2, OTHER_MAC, OTHER, COA_MAC, COA));
    board.rx(0, host.arpFrame(2, PEER_MAC, PEER, COA_MAC, COA));
  };
  arp();
  let lastArp = clock.t;
  const heap0 = board.heapUsed() + board.memoryBytes();
  const r = rng(seed);
  const rec = recorder(maxExamples);
  const homes = Array.from({ length: 8 }, (_, i) => ip("10.1.0.20") + i);
  const badAddrs = [COA, ip("224.0.0.5"), 0, ip("127.0.0.1"), ip("240.0.0.1")];
  const hops = [ip("10.2.0.1"), ip("10.3.0.1"), ip("10.4.0.1"), ip("10.5.0.1")];
  const model = new Map(); // home -> { nh, life, until }
  const legit = [];        // { msg, frame } of legitimate requests (replay and mutation material)
  let lastId = 0n;         // the last Identification the care-of agent accepted from the server
  const counts = { legit: 0, forged: 0, replay: 0, stale: 0, mutated: 0, random: 0 };
  const stats = { code0: 0, code64: 0, code68: 0, code69: 0, enabled: 0, refreshed: 0, disabled: 0, expired: 0 };
  let traps = 0;
  const wrap = (src, mac) => (m) => host.ethFrame(COA_MAC, mac, 0x0800, host.buildUdp(src, COA, 434, 434, m, 1, 64));
  const fromRs = wrap(RS, RS_MAC);
  const freshId = () => { let id = host.ntpTimestamp(clock.t, 0, r.next()); if (id <= lastId) id = lastId + 1n; return id; };
  let c0 = board.counters();

  for (let step = 0; step < frames; step++) {
    const t0 = clock.t;
    clock.t += r.int(400);
    if (r.chance(0.02)) clock.t += 5000 + r.int(30000);
    const evFrom = cap.events.length;
    board.tick(clock.t);
    // Expiries: the timer removes exactly the model's routes whose lifetime ended.
    const expired = [...model].filter(([, v]) => v.until <= clock.t).map(([h]) => h).sort();
    for (const h of expired) model.delete(h);
    stats.expired += expired.length;
    const gone = cap.events.slice(evFrom).filter((e) => e.kind === 15).map(ev);
    const goneHomes = gone.filter((e) => e.op === 4).map((e) => e.a).sort();
    if (gone.some((e) => e.op !== 4) || JSON.stringify(goneHomes) !== JSON.stringify(expired)) {
      rec.add("coa-route-events", step, clock.t, `timer: events ${JSON.stringify(gone)}, model expired ${expired.map(fmt)}`);
    }
    if (clock.t - lastArp > 20000) { arp(); lastArp = clock.t; }
    const evAt = cap.events.length, txAt = cap.tx.length, dlvAt = cap.delivered;

    const kind = r.pick(["legit", "legit", "legit", "forged", "replay", "stale", "mutated", "mutated", "random"]);
    let f = null, expect = null, dropWant = null;
    const home = r.chance(0.9) ? r.pick(homes) : r.pick(badAddrs);
    const nh = r.chance(0.85) ? r.pick(hops) : r.pick(badAddrs);
    const life = r.pick([0, 0, 1, 30, 120, 600, 601, 65535]);
    if (kind === "legit") {
      const id = freshId();
      const m = host.appendAuth(rtMsg(32, 0, life, home, nh, id), 83, K);
      f = fromRs(m);
      legit.push({ msg: m, frame: f });
      if (legit.length > 512) legit.splice(0, 256);
      lastId = id;
      const bad = (a) => a === COA || a === 0 || a >>> 24 === 127 || a >>> 28 >= 0xe;
      let code = bad(home) || bad(nh) ? 69 : life > MAX_LIFE ? 68 : 0;
      if (code === 0 && life !== 0 && !model.has(home) && model.size >= CAPACITY) code = 64;
      const rlife = code === 68 ? MAX_LIFE : code === 0 ? life : 0;
      const events = [];
      if (code === 0 && life === 0) { const o = model.get(home); if (o) events.push({ op: 3, code: 0, life: 0, a: home, b: o.nh, c: RS }); model.delete(home); }
      else if (code === 0) { events.push({ op: model.has(home) ? 2 : 1, code: 0, life, a: home, b: nh, c: RS }); model.set(home, { nh, life, until: clock.t + life * 1000 }); }
      else if (code === 64) events.push({ op: 5, code: 64, life, a: home, b: nh, c: RS });
      expect = { id, code, life: rlife, home, nh, events };
      stats[`code${code}`]++;
      for (const e of events) if (e.op <= 3) stats[["", "enabled", "refreshed", "disabled"][e.op]]++;
    } else if (kind === "forged") {
      const id = freshId(); // as fresh as the server's: only the authentication can refuse it
      const m = rtMsg(32, 0, life, home, nh, id);
      const how = r.int(10);
      const signed = host.appendAuth(m, 83, K);
      f = [
        () => fromRs(host.appendAuth(m, 83, key("fz-guess", 706))),                           // wrong key
        () => fromRs(host.appendAuth(m, 83, key("fz-coa-rs", 709))),                          // wrong SPI (right key)
        () => fromRs(m),                                                                     // no 83
        () => fromRs(signed.slice(0, signed.length - 1 - r.int(21))),                        // 83 truncated
        () => fromRs(Uint8Array.from([...signed, r.pick([82, 128, 160]), 0])),                // 83 not last
        () => wrap(OTHER, OTHER_MAC)(host.appendAuth(m, 83, K_OTHER)),                        // association for another use (84)
        () => wrap(PEER, PEER_MAC)(host.appendAuth(m, r.pick([83, 85]), K_PEER)),             // association for another use (85)
        () => wrap(OTHER, OTHER_MAC)(signed),                                                // the server's signature, another sender
        () => fromRs(host.appendAuth(signed, 83, key("fz-guess", 706))),                      // a right 83, then a wrong one
        () => wrap(ATT, ATT_MAC)(signed),                                                    // the server's signature, a sender with no association
      ][how]();
      dropWant = ["drop_dr_auth", "drop_dr_malformed"];
    } else if (kind === "replay") {
      if (!legit.length) continue;
      f = r.pick(legit).frame;
      dropWant = ["drop_dr_replay"];
    } else if (kind === "stale") {
      // Correctly signed by the server's key, but an Identification not later than the last accepted
      // (as an old request delayed in the network) or outside the window of the care-of agent's clock.
      if (lastId === 0n) continue;
      const older = lastId - BigInt(r.int(3)) * BigInt(r.chance(0.5) ? 1 : 2 ** 32);
      const out = host.ntpTimestamp(clock.t + (r.chance(0.5) ? -1 : 1) * (Number(WINDOW_SEC) + 2 + r.int(100)) * 1000, 0, r.next());
      const id = r.chance(0.6) ? older : out;
      if (id > lastId && sec(id) - nowSec(clock.t) <= WINDOW_SEC && nowSec(clock.t) - sec(id) <= WINDOW_SEC) continue;
      f = fromRs(host.appendAuth(rtMsg(32, 0, life, home, nh, id), 83, K));
      dropWant = ["drop_dr_replay"];
    } else if (kind === "mutated") {
      if (!legit.length) continue;
      const v = r.pick(legit);
      f = mutate(r, v.msg, v.frame, fromRs);
    } else {
      f = randomFrame(r, COA_MAC, RS_MAC, RS, COA);
    }
    counts[kind]++;
    try { board.rx(0, f); } catch (e) { traps++; rec.add("no-trap", step, clock.t, String(e)); break; }

    const newEv = cap.events.slice(evAt).filter((e) => e.kind === 15).map(ev);
    const replies = sent(cap.tx, txAt).filter((x) => x.type === 33);
    const c1 = board.counters();
    if (!expect) {
      if (newEv.length) rec.add("coa-route-events", step, clock.t, `${kind}: events ${JSON.stringify(newEv)}`);
      if (replies.length) rec.add("coa-reply", step, clock.t, `${kind}: ${replies.length} Route Replies`);
      // (A datagram no role here takes — port 434 of an unknown type — is the local stack's: delivered.)
      const moved = dropWant ? dropWant.some((n) => c1[n] > c0[n]) : dropSum(c1) > dropSum(c0) || cap.delivered > dlvAt;
      if (!moved) rec.add("coa-drop-counted", step, clock.t, `${kind}: no ${dropWant?.join("/") ?? "drop counter"} moved (${Buffer.from(f).toString("hex")})`);
    } else {
      if (JSON.stringify(newEv) !== JSON.stringify(expect.events)) rec.add("coa-route-events", step, clock.t, `legit ${fmt(expect.home)} -> ${fmt(expect.nh)} life ${life}: events ${JSON.stringify(newEv)}, model ${JSON.stringify(expect.events)}`);
      if (replies.length !== 1) rec.add("coa-reply", step, clock.t, `legitimate request: ${replies.length} replies`);
      else {
        const x = replies[0], m = x.msg, dv = new DataView(m.buffer, m.byteOffset);
        const bad = [];
        if (x.dst !== RS || x.dport !== 434) bad.push(`to ${fmt(x.dst)}:${x.dport}`);
        if (!lastAuthOk(m, 20, 83, K)) bad.push("no valid 83 last");
        if (dv.getBigUint64(12) !== expect.id) bad.push("Identification not echoed");
        if (m[1] !== expect.code) bad.push(`code ${m[1]}, model ${expect.code}`);
        if (dv.getUint16(2) !== expect.life) bad.push(`lifetime ${dv.getUint16(2)}, model ${expect.life}`);
        if (dv.getUint32(4) !== expect.home || dv.getUint32(8) !== expect.nh) bad.push("Destination / Next Hop not copied");
        if (bad.length) rec.add("coa-reply", step, clock.t, bad.join("; "));
      }
    }
    c0 = c1;
    // The table itself (dump 7) equals the model.
    const got = board.dump("careOfRoutes").map((e) => `${fmt(e.home)}>${fmt(e.nextHop)}/${e.lifetimeSec}@${e.expiresAtMs}/${fmt(e.server)}`).sort();
    const want = [...model].map(([h, v]) => `${fmt(h)}>${fmt(v.nh)}/${v.life}@${v.until}/${fmt(RS)}`).sort();
    if (got.join() !== want.join()) {
      rec.add("coa-routes", step, clock.t, `${kind}: table ${got.join(" ")}, model ${want.join(" ")}`);
      model.clear();
      for (const e of board.dump("careOfRoutes")) model.set(e.home, { nh: e.nextHop, life: e.lifetimeSec, until: e.expiresAtMs });
    }
  }
  return { counts, stats, counters: board.counters(), violations: rec.violations, violationCount: rec.total(), traps, heapMoved: board.heapUsed() + board.memoryBytes() - heap0 };
}

// ---- (b) registration server ----------------------------------------------------------------------

export function fuzzServer({ frames, seed, maxExamples = 3 }) {
  const RS = ip("10.0.0.5"), COA = ip("10.0.0.6"), RTR = ip("10.0.0.9"), ATT = ip("10.0.0.66");
  const RS_MAC = host.mac("02:00:00:00:0d:05"), COA_MAC = host.mac("02:00:00:00:0d:06"), RTR_MAC = host.mac("02:00:00:00:0d:09"), ATT_MAC = host.mac("02:00:00:00:0d:66");
  const KC = key("fz-coa-rs", 706);
  const nodes = Array.from({ length: 4 }, (_, i) => ({
    i, home: ip("10.1.0.20") + i, k: key(`fz-mn${i}`, 4000 + i), children: [ip("10.2.0.1") + (i << 8), ip("10.3.0.1") + (i << 8)],
    last: 0n, sent: 0n, pend: null, active: null, reqs: [],
  }));
  const STRANGER = ip("10.1.0.99"); // a home address the server shares no association with
  const clock = { t: T0 };
  const { board, cap } = makeBoard({
    name: "rs", board: "emulated", roles: ["registration-server"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:05", ipv4: "10.0.0.5/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    sizes: { serverEntries: 8 },
    mobility: { dremip: { probeIntervalMs: 0, servers: [{ kind: "care-of-agent", address: "10.0.0.6" }] } },
    securityAssociations: [{ peer: "10.0.0.6", spi: 706, key: "text:fz-coa-rs", use: "agent-server" },
      ...nodes.map((n) => ({ peer: fmt(n.home), spi: n.k.spi, key: `text:fz-mn${n.i}`, use: "mobile-server" }))],
  }, clock);
  const arp = () => { for (const [m, a] of [[RTR_MAC, RTR], [COA_MAC, COA], [ATT_MAC, ATT]]) board.rx(0, host.arpFrame(2, m, a, RS_MAC, RS)); };
  arp();
  let lastArp = clock.t;
  const heap0 = board.heapUsed() + board.memoryBytes();
  const r = rng(seed);
  const rec = recorder(maxExamples);
  const counts = { req: 0, dereg: 0, rr: 0, "rr-deny": 0, forged: 0, "replay-req": 0, "stale-req": 0, "forged-rr": 0, "replay-rr": 0, mutated: 0, random: 0 };
  const stats = { pending: 0, accepted: 0, deniedByRouteReply: 0, deregistered: 0, timedOut: 0, expired: 0, d131: 0, d132: 0, d133: 0 };
  const answers = new Map(); // home -> the server's latest Route Request, as the care-of agent would answer it
  const legitRr = [];        // { msg, frame } Route Replies the care-of agent sent (replay material)
  let traps = 0;
  const wrap = (src, mac) => (m) => host.ethFrame(RS_MAC, mac, 0x0800, host.buildUdp(src, RS, 434, 434, m, 1, 64));
  const fromNode = (n) => wrap(n.home, RTR_MAC);
  const fromCoa = wrap(COA, COA_MAC);
  const within = (id) => { const d = sec(id) - nowSec(clock.t); return d <= WINDOW_SEC && d >= -WINDOW_SEC; };
  // The server's freshness rule (RFC 2002 §5.6.1 over the last accepted Identification, which is compared
  // only inside the window), and: not before the request that is still waiting for its Route Reply.
  const fresh = (n, id) => within(id) && id !== 0n && (n.last === 0n || !within(n.last) || id > n.last) && (!n.pend || id > n.pend.regId);
  const regReq = (n, life, child, id, k = n.k) => host.appendAuth(host.buildRegRequest({ flags: 1, lifetimeSec: life, home: n.home, homeAgent: RS, careOf: child, id }), 84, k);
  const nodeOf = (h) => nodes.find((n) => n.home === h);
  let c0 = board.counters();

  /** Check a Registration Reply `x` to node `n`'s request `id` from `src`; returns its code. */
  const checkReply = (step, x, n, id, src, what) => {
    const m = x.msg, dv = new DataView(m.buffer, m.byteOffset);
    const bad = [];
    if (x.dst !== src || x.dport !== 434) bad.push(`to ${fmt(x.dst)}:${x.dport}, request from ${fmt(src)}`);
    if (!n || !lastAuthOk(m, 20, 84, n.k)) bad.push(`no valid 84 last for ${fmt(be32(m, 4))}`);
    const rid = dv.getBigUint64(12);
    if (id !== null && (m[1] === 133 ? (rid & 0xffffffffn) !== (id & 0xffffffffn) : rid !== id)) bad.push(`Identification ${rid.toString(16)} for ${id.toString(16)}`);
    if (bad.length) rec.add("rs-reply-auth", step, clock.t, `${what}: ${bad.join("; ")}`);
    return m[1];
  };
  /** Route Requests the board sent (`out`): each for a legitimate pending registration (or a deregistration: `dereg`). */
  const checkRouteRequests = (step, out, what, dereg = null) => {
    for (const x of out.filter((y) => y.type === 32)) {
      const dv = new DataView(x.msg.buffer, x.msg.byteOffset);
      const h = dv.getUint32(4), nh = dv.getUint32(8), life = dv.getUint16(2), rtId = dv.getBigUint64(12);
      const n = nodeOf(h);
      const bad = [];
      if (x.dst !== COA || !lastAuthOk(x.msg, 20, 83, KC)) bad.push(`to ${fmt(x.dst)} or without a valid 83 last`);
      if (dereg && h === dereg.home && life === 0 && dereg.children.includes(nh)) { /* the deregistration's disable */ }
      else if (!n || !n.pend || n.pend.child !== nh || n.pend.life !== life) bad.push(`for ${fmt(h)} -> ${fmt(nh)} life ${life}, model pending ${n?.pend ? `${fmt(n.pend.child)} life ${n.pend.life}` : "none"}`);
      else { n.pend.rtId = rtId; n.pend.tries++; }
      if (bad.length) rec.add("rs-route-request", step, clock.t, `${what}: ${bad.join("; ")}`);
      answers.set(h, { h, nh, life, rtId });
    }
  };

  for (let step = 0; step < frames; step++) {
    clock.t += r.int(300);
    if (r.chance(0.01)) clock.t += 2000 + r.int(20000);
    if (clock.t - lastArp > 20000) { arp(); lastArp = clock.t; }
    // Timers: retransmitted Route Requests for pending registrations, 130 after the last try, expiries.
    {
      const evFrom = cap.events.length, txFrom = cap.tx.length;
      board.tick(clock.t);
      const out = sent(cap.tx, txFrom);
      checkRouteRequests(step, out, "timer");
      for (const x of out.filter((y) => y.type === 3)) {
        const n = nodeOf(be32(x.msg, 4));
        if (!n?.pend || x.msg[1] !== 130) { rec.add("rs-accept", step, clock.t, `timer: reply ${x.msg[1]} for ${fmt(be32(x.msg, 4))}, model pending ${!!n?.pend}`); continue; }
        checkReply(step, x, n, n.pend.regId, n.home, "timer 130");
        n.pend = null; stats.timedOut++;
      }
      for (const n of nodes) if (n.active && n.active.until <= clock.t) { n.active = null; stats.expired++; }
      for (const e of cap.events.slice(evFrom).filter((y) => y.kind === 16).map(ev)) {
        if (e.op === 2 || e.op === 1) rec.add("rs-accept", step, clock.t, `timer: dr_reg op ${e.op} for ${fmt(e.a)}`);
      }
    }
    const evAt = cap.events.length, txAt = cap.tx.length, dlvAt = cap.delivered;
    const n = r.pick(nodes);
    const kind = r.pick(["req", "req", "req", "dereg", "rr", "rr", "rr", "forged", "replay-req", "stale-req", "forged-rr", "replay-rr", "mutated", "mutated", "random"]);
    let f = null, src = n.home;
    // What the model expects: "pending" (a legitimate request), "dereg", "accept" / "deny-rr" (a legitimate
    // Route Reply), { deny: code } (a refused request), "drop" (nothing but a drop counter), "nothing".
    let expect = "nothing", reqId = 0n, dropWant = null, child = 0, life = 0, rr = null;
    if (kind === "req" || kind === "dereg") {
      life = kind === "dereg" ? 0 : r.pick([30, 60, 600]);
      child = r.pick(n.children);
      let id = host.ntpTimestamp(clock.t, 0, r.next());
      if (id <= n.sent) id = n.sent + 1n;
      n.sent = reqId = id;
      const m = regReq(n, life, child, id);
      f = fromNode(n)(m);
      n.reqs.push({ msg: m, frame: f, id });
      if (n.reqs.length > 64) n.reqs.splice(0, 32);
      if (!fresh(n, id)) throw new Error("generator: a legitimate request not fresh");
      expect = kind === "dereg" ? "dereg" : "pending";
    } else if (kind === "rr") {
      // The care-of agent answers the server's latest Route Request for a node (read from the output).
      const a = [...answers.values()];
      if (!a.length) continue;
      const q = r.pick(a);
      answers.delete(q.h);
      const code = r.chance(0.85) ? 0 : r.pick([64, 65, 68]);
      const rlife = code !== 0 ? 0 : r.chance(0.8) ? q.life : r.pick([0, 10, 45]);
      const m = host.appendAuth(rtMsg(33, code, rlife, q.h, q.nh, q.rtId), 83, KC);
      f = fromCoa(m);
      legitRr.push({ msg: m, frame: f });
      if (legitRr.length > 128) legitRr.splice(0, 64);
      src = COA;
      const p = nodeOf(q.h);
      rr = { node: p, code, rlife };
      if (p?.pend && p.pend.rtId === q.rtId) expect = code === 0 && rlife > 0 ? "accept" : "deny-rr";
      else { expect = "drop"; dropWant = ["drop_dr_replay"]; } // a deregistration's, or one the server no longer waits for
    } else if (kind === "forged") {
      // A registration the node did not sign: wrong key, wrong SPI, no 84, a stranger's home address,
      // or the node's signature from another sender.
      child = r.pick(n.children); life = r.pick([0, 60]);
      let id = host.ntpTimestamp(clock.t, 0, r.next());
      if (id <= n.sent) id = n.sent + 1n;
      reqId = id;
      const how = r.int(5);
      if (how === 0) f = fromNode(n)(regReq(n, life, child, id, key("fz-guess", n.k.spi)));
      else if (how === 1) f = fromNode(n)(regReq(n, life, child, id, key(`fz-mn${n.i}`, n.k.spi + 100)));
      else if (how === 2) f = fromNode(n)(host.buildRegRequest({ flags: 1, lifetimeSec: life, home: n.home, homeAgent: RS, careOf: child, id }));
      else if (how === 3) { f = wrap(STRANGER, RTR_MAC)(host.appendAuth(host.buildRegRequest({ flags: 1, lifetimeSec: life, home: STRANGER, homeAgent: RS, careOf: child, id }), 84, n.k)); src = STRANGER; }
      else {
        // A copy of one of the node's requests from another sender (no association: "relayed", 132).
        if (!n.reqs.length) continue;
        const q = r.pick(n.reqs);
        f = wrap(ATT, ATT_MAC)(q.msg); src = ATT; reqId = q.id;
      }
      expect = how === 3 ? "drop" : { deny: how === 4 ? 132 : 131 };
      if (how === 3) dropWant = ["drop_dr_auth"];
    } else if (kind === "replay-req") {
      if (!n.reqs.length) continue;
      const q = r.pick(n.reqs);
      f = q.frame; reqId = q.id;
      const dv = new DataView(q.msg.buffer, q.msg.byteOffset);
      life = dv.getUint16(2); child = dv.getUint32(12);
      // A copy of a request never accepted, not the pending one and inside the window is as fresh as
      // the original was (RFC 2002 §5.6.1 protects what was accepted): the model lets it through.
      expect = fresh(n, q.id) ? (life === 0 ? "dereg" : "pending") : { deny: 133 };
    } else if (kind === "stale-req") {
      // Signed with the node's key, Identification not after the last accepted or outside the window.
      life = r.pick([0, 60]); child = r.pick(n.children);
      const id = r.chance(0.5) && n.last !== 0n ? n.last - BigInt(r.int(3))
        : host.ntpTimestamp(clock.t + (r.chance(0.5) ? -1 : 1) * (Number(WINDOW_SEC) + 2 + r.int(100)) * 1000, 0, r.next());
      if (fresh(n, id)) continue;
      reqId = id;
      f = fromNode(n)(regReq(n, life, child, id));
      expect = { deny: 133 };
    } else if (kind === "forged-rr") {
      const q = answers.get(n.home) ?? { h: n.home, nh: n.pend?.child ?? n.children[0], life: 60, rtId: n.pend?.rtId ?? host.ntpTimestamp(clock.t, 0, 5) };
      const how = r.int(5);
      const low = (q.rtId & ~0xffffffffn) | ((q.rtId + 1n + BigInt(r.int(1000))) & 0xffffffffn);
      const m = rtMsg(33, 0, q.life, q.h, q.nh, how === 1 ? low : q.rtId);
      if (how === 0) f = fromCoa(host.appendAuth(m, 83, key("fz-guess", 706)));      // wrong key
      else if (how === 1) f = fromCoa(host.appendAuth(m, 83, KC));                    // wrong Identification (low 32 bits)
      else if (how === 2) { f = wrap(ATT, ATT_MAC)(host.appendAuth(m, 83, KC)); src = ATT; } // wrong source
      else if (how === 3) f = fromCoa(host.appendAuth(rtMsg(33, 0, 60, STRANGER, n.children[0], q.rtId), 83, KC)); // nothing pending
      else f = fromCoa(m);                                                             // no 83
      expect = "drop"; dropWant = ["drop_dr_replay", "drop_dr_auth"];
    } else if (kind === "replay-rr") {
      if (!legitRr.length) continue;
      f = r.pick(legitRr).frame;
      expect = "drop"; dropWant = ["drop_dr_replay"];
    } else if (kind === "mutated") {
      const useRr = r.chance(0.4) && legitRr.length;
      if (!useRr && !n.reqs.length) continue;
      const q = useRr ? r.pick(legitRr) : r.pick(n.reqs);
      f = mutate(r, q.msg, q.frame, useRr ? fromCoa : fromNode(n));
      reqId = null; // (the Identification may be what changed)
    } else {
      f = randomFrame(r, RS_MAC, RTR_MAC, n.home, RS);
    }
    counts[kind === "rr" && expect === "deny-rr" ? "rr-deny" : kind]++;
    try { board.rx(0, f); } catch (e) { traps++; rec.add("no-trap", step, clock.t, String(e)); break; }

    const out = sent(cap.tx, txAt);
    const evs16 = cap.events.slice(evAt).filter((e) => e.kind === 16).map(ev);
    const replies = out.filter((x) => x.type === 3);
    const rrs = out.filter((x) => x.type === 32);
    const c1 = board.counters();
    const label = `${kind} ${fmt(rr ? rr.node?.home ?? 0 : n.home)}`;
    if (expect === "pending") {
      if (rrs.length !== 1 || replies.length || JSON.stringify(evs16.map((e) => [e.op, e.a, e.b])) !== JSON.stringify([[1, n.home, child]])) {
        rec.add("rs-accept", step, clock.t, `${label}: legitimate request: ${rrs.length} Route Requests, ${replies.length} replies, events ${JSON.stringify(evs16)}`);
      }
      n.pend = { regId: reqId, child, life, rtId: 0n, tries: 0 };
      stats.pending++;
      checkRouteRequests(step, rrs, label);
    } else if (expect === "dereg") {
      // The registration in force and the one waiting for its Route Reply both end: the care-of agent
      // is told to disable the route (it may have enabled it for the pending one already).
      const children = [n.active?.child, n.pend?.child].filter((c) => c !== undefined);
      if (replies.length !== 1 || checkReply(step, replies[0], n, reqId, n.home, label) !== 0) rec.add("rs-accept", step, clock.t, `${label}: deregistration not answered with 0`);
      checkRouteRequests(step, rrs, label, { home: n.home, children });
      if (children.length && rrs.length < 1) rec.add("rs-route-request", step, clock.t, `${label}: deregistration of ${children.map(fmt)} sent no Route Request (disable)`);
      if (evs16.some((e) => e.op === 1 || e.op === 2)) rec.add("rs-accept", step, clock.t, `${label}: deregistration events ${JSON.stringify(evs16)}`);
      n.last = reqId; n.active = null; n.pend = null; stats.deregistered++;
    } else if (expect === "accept" || expect === "deny-rr") {
      const p = rr.node;
      const want = expect === "accept" ? 0 : rr.code === 65 ? 129 : 130;
      const granted = Math.min(rr.rlife, p.pend.life);
      if (replies.length !== 1) rec.add("rs-accept", step, clock.t, `${label}: legitimate Route Reply for ${fmt(p.home)}: ${replies.length} Registration Replies`);
      else {
        const x = replies[0];
        const code = checkReply(step, x, p, p.pend.regId, p.home, label);
        const dv = new DataView(x.msg.buffer, x.msg.byteOffset);
        const ext82 = host.extensions(x.msg, 20).filter((e) => e.type === 82).map((e) => be32(e.data, 2));
        if (code !== want) rec.add("rs-accept", step, clock.t, `${label}: reply code ${code}, model ${want}`);
        else if (want === 0 && (dv.getUint16(2) !== granted || ext82.length !== 1 || ext82[0] !== COA)) rec.add("rs-accept", step, clock.t, `${label}: acceptance lifetime ${dv.getUint16(2)} (model ${granted}), 82 ${ext82.map(fmt)}`);
      }
      const acc = evs16.filter((e) => e.op === 2);
      if (want === 0 && (acc.length !== 1 || acc[0].a !== p.home || acc[0].b !== p.pend.child || acc[0].c !== COA || acc[0].life !== granted)) rec.add("rs-accept", step, clock.t, `${label}: events ${JSON.stringify(evs16)}`);
      if (want !== 0 && acc.length) rec.add("rs-accept", step, clock.t, `${label}: refused Route Reply accepted a registration`);
      if (!(c1.dr_rt_reply_rx > c0.dr_rt_reply_rx)) rec.add("rs-drop-counted", step, clock.t, `${label}: legitimate Route Reply not counted (dr_rt_reply_rx)`);
      if (want === 0) { p.active = { child: p.pend.child, granted, until: clock.t + granted * 1000 }; p.last = p.pend.regId; stats.accepted++; }
      else stats.deniedByRouteReply++;
      p.pend = null;
    } else {
      // Attacker frames (and the care-of agent's answers the server no longer waits for): no state changes.
      const changed = evs16.filter((e) => e.op !== 3);
      if (changed.length) rec.add(typeof expect === "object" ? "rs-deny" : "rs-accept", step, clock.t, `${label}: events ${JSON.stringify(changed)}`);
      if (rrs.length) rec.add(typeof expect === "object" ? "rs-deny" : "rs-route-request", step, clock.t, `${label}: ${rrs.length} Route Requests sent`);
      for (const x of replies) {
        const code = checkReply(step, x, nodeOf(be32(x.msg, 4)), reqId, src, label);
        if (code === 0) rec.add("rs-deny", step, clock.t, `${label}: a Registration Reply 0`);
        else if (typeof expect === "object" && code !== expect.deny) rec.add("rs-deny", step, clock.t, `${label}: code ${code}, model ${expect.deny}`);
      }
      if (typeof expect === "object" && replies.length === 1 && replies[0].msg[1] === expect.deny) stats[`d${expect.deny}`]++;
      if (typeof expect === "object" && replies.length !== 1) rec.add("rs-deny", step, clock.t, `${label}: ${replies.length} replies, model ${expect.deny}`);
      if (typeof expect === "object" && (evs16.length !== 1 || evs16[0].code !== expect.deny)) rec.add("rs-deny", step, clock.t, `${label}: events ${JSON.stringify(evs16)}, model denied ${expect.deny}`);
      // (A datagram no role here takes — port 434 of an unknown type, a request without R — is the
      // local stack's: delivered.)
      const moved = dropWant ? dropWant.some((k) => c1[k] > c0[k]) : dropSum(c1) > dropSum(c0) || replies.length > 0 || cap.delivered > dlvAt;
      if (!moved) rec.add("rs-drop-counted", step, clock.t, `${label}: no ${dropWant?.join("/") ?? "drop counter"} moved (${Buffer.from(f).toString("hex")})`);
    }
    c0 = c1;
    // The table (dump 8) equals the model.
    const got = board.dump("registrations").map((e) => `${fmt(e.home)}:${e.flags & 3}:${fmt(e.childCoa)}:${fmt(e.parentCoa)}${e.flags & 1 ? `:${e.grantedSec}@${e.expiresAtMs}` : ""}`).sort();
    const want = nodes.filter((q) => q.active || q.pend).map((q) => `${fmt(q.home)}:${(q.active ? 1 : 0) | (q.pend ? 2 : 0)}:${fmt(q.active ? q.active.child : q.pend.child)}:${fmt(COA)}${q.active ? `:${q.active.granted}@${q.active.until}` : ""}`).sort();
    if (got.join() !== want.join()) rec.add("rs-table", step, clock.t, `${label}: table ${got.join(" ")}, model ${want.join(" ")}`);
  }
  return { counts, stats, counters: board.counters(), violations: rec.violations, violationCount: rec.total(), traps, heapMoved: board.heapUsed() + board.memoryBytes() - heap0 };
}
