// Issue 11 point 8: invariant fuzzing of distributed registration (docs/fuzzing.md "Distributed
// registration"). A seeded stream mixes legitimate messages with forged, replayed, mutated and random
// ones against a care-of agent board and a registration server board; after every frame the board's
// events and output are checked against a model of what the legitimate messages alone may change.
//
//   care-of agent (a): binding routes (events dr_route) change only on a legitimate Route Request, exactly
//     as the model says (enable / refresh / disable / 68 / 69); every Route Reply answers a legitimate
//     request, echoes its Identification and ends with a valid 83; no trap.
//   registration server (b): a registration is accepted (dr_reg accepted) only after the node's
//     legitimate request and the care-of agent's legitimate Route Reply to the server's latest Route
//     Request; Route Requests go only to the configured care-of agent with a valid 83; every
//     Registration Reply carries a valid 84 for its node; no trap.
//
//   MIPFW_FUZZ_DR_FRAMES  frames per board (default 20000); MIPFW_FUZZ_SEED (default 1)
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { parseEthIp, udpOf, decap } from "../lib/pkt.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ_DR_FRAMES ?? 20000);
const SEED = Number(process.env.MIPFW_FUZZ_SEED ?? 1);
const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const key = (t, spi) => ({ spi, algorithm: "hmac-md5", key: te.encode(t) });
const be32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const T0 = 4_000_000;

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

/** Mutations of a frame: a flipped byte, a truncation, or extension garbage appended (UDP/IP lengths fixed up or not). */
function mutate(r, frame) {
  const f = Uint8Array.from(frame);
  switch (r.int(3)) {
    case 0: f[14 + r.int(f.length - 14)] ^= 1 << r.int(8); return f;
    case 1: return f.slice(0, 14 + r.int(f.length - 14));
    default: { const g = new Uint8Array(f.length + 1 + r.int(12)); g.set(f); for (let i = f.length; i < g.length; i++) g[i] = r.int(256); return g; }
  }
}

const evs = (s, kind) => s.cap.events.filter((e) => e.kind === kind).map(({ data: d }) => ({ op: d[0], code: d[1], life: d[2] | (d[3] << 8), a: be32(d, 16), b: be32(d, 32), c: be32(d, 48) }));

/** Messages to/from port 434 the board sent since `from`. */
function sent(s, from) {
  const out = [];
  for (const f of s.cap.tx.slice(from)) {
    let p = parseEthIp(f.frame);
    // A reply to a registered node goes through the local tunnel to its child care-of address (rsVif).
    if (p && p.proto === 4) p = decap(p);
    const u = p && udpOf(p);
    if (!u || u.sport !== 434) continue;
    out.push({ dst: p.dst, type: u.data[0], msg: new Uint8Array(u.data) });
  }
  return out;
}

/** True when the last extension of `m` (after `fixed` bytes) is `type` and verifies with `k`. */
function lastAuthOk(m, fixed, type, k) {
  const x = host.extensions(m, fixed);
  const l = x.at(-1);
  return !!l && l.type === type && l.offset + 2 + l.data.length === m.length && host.verifyAuth(m, fixed, type, k);
}

test("issue 11.8: care-of agent — binding routes change only on legitimate Route Requests; replies are authenticated and echo the request", () => {
  const COA = ip("10.0.0.6"), RS = ip("10.0.0.5"), OTHER = ip("10.0.0.8");
  const COA_MAC = host.mac("02:00:00:00:0d:06"), RS_MAC = host.mac("02:00:00:00:0d:05"), OTHER_MAC = host.mac("02:00:00:00:0d:08");
  const K = key("fz-coa-rs", 706), K_OTHER = key("fz-other", 707), K_WRONG = key("fz-wrong", 706);
  const clock = { t: T0 };
  const s = startBoard({
    name: "coa", board: "emulated", roles: ["care-of-agent"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:06", ipv4: "10.0.0.6/24" }],
    sizes: { careOfRoutes: 6 }, mobility: { dremip: { maxRouteLifetimeSec: 600 } },
    securityAssociations: [{ peer: "10.0.0.5", spi: 706, key: "text:fz-coa-rs", use: "agent-server" },
      { peer: "10.0.0.8", spi: 707, key: "text:fz-other", use: "mobile-server" }],
  }, { now: () => clock.t });
  s.board.rx(0, host.arpFrame(2, RS_MAC, RS, COA_MAC, COA));
  s.board.rx(0, host.arpFrame(2, OTHER_MAC, OTHER, COA_MAC, COA));
  const r = rng(SEED);
  const homes = Array.from({ length: 8 }, (_, i) => ip("10.1.0.20") + i);
  const hops = [ip("10.2.0.1"), ip("10.3.0.1"), ip("10.4.0.1"), COA, ip("224.0.0.5")];
  const model = new Map(); // home -> {nextHop, until}
  const legit = []; // frames sent legitimately (for replays)
  let seq = 0, violations = [], kinds = { legit: 0, forged: 0, replay: 0, mutated: 0, random: 0 };
  const frame = (src, mac, m) => host.ethFrame(COA_MAC, mac, 0x0800, host.buildUdp(src, COA, 434, 434, m, 1, 64));
  for (let step = 0; step < FRAMES; step++) {
    clock.t += r.int(400);
    if (r.chance(0.02)) { clock.t += 20000; s.board.tick(clock.t); }
    // Routes past their lifetime leave the model as they leave the board (the expiry timer).
    s.board.tick(clock.t);
    // The server's MAC stays known (its ARP entry would age out over the simulated hours).
    if (step % 4 === 0) s.board.rx(0, host.arpFrame(2, RS_MAC, RS, COA_MAC, COA));
    for (const [h, v] of model) if (v.until <= clock.t) model.delete(h);
    const evFrom = s.cap.events.length, txFrom = s.cap.tx.length;
    const kind = r.pick(["legit", "legit", "forged", "replay", "mutated", "random"]);
    kinds[kind]++;
    let f, expect = null;
    const home = r.pick(homes), nh = r.pick(hops);
    const life = r.pick([0, 30, 120, 600, 601, 65535]);
    if (kind === "legit") {
      const id = host.ntpTimestamp(clock.t, 0, ++seq * 7);
      const m = host.appendAuth(rtMsg(32, 0, life, home, nh, id), 83, K);
      f = frame(RS, RS_MAC, m);
      legit.push(f);
      const bad = nh === COA || nh >>> 28 === 0xe;
      const code = bad ? 69 : life > 600 ? 68 : 0;
      expect = { code, id, life: code === 69 ? 0 : code === 68 ? 600 : life, home, nh };
    } else if (kind === "forged") {
      const id = host.ntpTimestamp(clock.t, 0, ++seq * 7);
      const m = rtMsg(32, 0, life, home, nh, id);
      f = r.pick([
        () => frame(RS, RS_MAC, host.appendAuth(m, 83, K_WRONG)),
        () => frame(RS, RS_MAC, m),
        () => frame(OTHER, OTHER_MAC, host.appendAuth(m, 83, K_OTHER)),
        () => frame(OTHER, OTHER_MAC, host.appendAuth(m, 83, K)),
        () => frame(RS, RS_MAC, Uint8Array.from([...host.appendAuth(m, 83, K), 160, 0])),
      ])();
    } else if (kind === "replay") {
      if (legit.length === 0) continue;
      f = r.pick(legit);
    } else if (kind === "mutated") {
      if (legit.length === 0) continue;
      f = mutate(r, r.pick(legit));
    } else {
      f = new Uint8Array(14 + r.int(80)).map(() => r.int(256));
      f.set(COA_MAC, 0); f.set(RS_MAC, 6); f[12] = 8; f[13] = 0;
    }
    try { s.board.rx(0, f); } catch (e) { violations.push(`step ${step}: trap ${e.message}`); break; }
    const ev = evs(s, 15).slice(0); // all dr_route events so far; the new ones:
    const newEv = s.cap.events.slice(evFrom).filter((e) => e.kind === 15);
    const replies = sent(s, txFrom).filter((x) => x.type === 33);
    if (!expect) {
      // A mutated copy may still be a legitimate request if the flip hit padding: accept only what the model could.
      if (newEv.length || replies.length) violations.push(`step ${step} (${kind}): changed routes (${newEv.length} events) or replied (${replies.length})`);
      continue;
    }
    if (replies.length !== 1) { violations.push(`step ${step}: legitimate request got ${replies.length} replies`); continue; }
    const m = replies[0].msg, dv = new DataView(m.buffer, m.byteOffset);
    if (!lastAuthOk(m, 20, 83, K)) violations.push(`step ${step}: reply without a valid 83 at the end`);
    if (dv.getBigUint64(12) !== expect.id) violations.push(`step ${step}: reply Identification not echoed`);
    const full = [...model.keys()].length >= 6 && !model.has(home);
    const code = expect.code === 0 && expect.life !== 0 && full ? 64 : expect.code;
    if (m[1] !== code) violations.push(`step ${step}: code ${m[1]}, model ${code}`);
    if (code === 0 && expect.life === 0) model.delete(home);
    else if (code === 0) model.set(home, { nh, until: expect.life === 65535 ? Infinity : clock.t + expect.life * 1000 });
    if (code === 0 && expect.life !== 0 && !newEv.some((e) => (e.data[0] === 1 || e.data[0] === 2) && be32(e.data, 32) === nh)) violations.push(`step ${step}: no enable/refresh event`);
    if (code !== 0 && newEv.some((e) => e.data[0] <= 3)) violations.push(`step ${step}: a refused request changed a route`);
    if (violations.length > 5) break;
  }
  assert.deepEqual(violations, [], violations.slice(0, 5).join("\n"));
  // The frames really were refused for the reasons they carry (the counters moved).
  const c = s.board.counters();
  assert.ok(c.drop_dr_auth > kinds.forged * 0.5 && c.drop_dr_replay > kinds.replay * 0.5, JSON.stringify({ kinds, auth: c.drop_dr_auth, replay: c.drop_dr_replay, malformed: c.drop_dr_malformed }));
});

test("issue 11.8: registration server — accepted only after the node's request and the care-of agent's Route Reply; every reply authenticated", () => {
  const RS = ip("10.0.0.5"), COA = ip("10.0.0.6"), RTR = ip("10.0.0.9");
  const RS_MAC = host.mac("02:00:00:00:0d:05"), COA_MAC = host.mac("02:00:00:00:0d:06"), RTR_MAC = host.mac("02:00:00:00:0d:09");
  const KC = key("fz-coa-rs", 706), KC_WRONG = key("fz-x", 706);
  const nodes = Array.from({ length: 4 }, (_, i) => ({ home: ip("10.1.0.20") + i, k: key(`fz-mn${i}`, 4000 + i), child: ip("10.2.0.1") + (i << 8) }));
  const clock = { t: T0 };
  const s = startBoard({
    name: "rs", board: "emulated", roles: ["registration-server"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:0d:05", ipv4: "10.0.0.5/24" }],
    routes: [{ dest: "default", via: "10.0.0.9" }],
    mobility: { dremip: { probeIntervalMs: 0, servers: [{ kind: "care-of-agent", address: "10.0.0.6" }] } },
    securityAssociations: [{ peer: "10.0.0.6", spi: 706, key: "text:fz-coa-rs", use: "agent-server" },
      ...nodes.map((n, i) => ({ peer: host.formatIp(n.home), spi: 4000 + i, key: `text:fz-mn${i}`, use: "mobile-server" }))],
  }, { now: () => clock.t });
  s.board.rx(0, host.arpFrame(2, RTR_MAC, RTR, RS_MAC, RS));
  s.board.rx(0, host.arpFrame(2, COA_MAC, COA, RS_MAC, RS));
  const r = rng(SEED + 1);
  const pending = new Map(); // home -> the latest Route Request {id, nextHop} the server sent for a legitimate request
  const legitReq = [], legitRr = [];
  let seq = 0;
  const violations = [];
  const toRs = (src, mac, m) => host.ethFrame(RS_MAC, mac, 0x0800, host.buildUdp(src, RS, 434, 434, m, 1, 64));
  for (let step = 0; step < FRAMES; step++) {
    clock.t += r.int(300);
    // (What the server sends on its timers — Route Request retransmissions — counts too.)
    const evFrom = s.cap.events.length, txFrom = s.cap.tx.length;
    s.board.tick(clock.t);
    if (step % 4 === 0) { s.board.rx(0, host.arpFrame(2, RTR_MAC, RTR, RS_MAC, RS)); s.board.rx(0, host.arpFrame(2, COA_MAC, COA, RS_MAC, RS)); }
    const n = r.pick(nodes);
    const kind = r.pick(["req", "req", "rr", "rr", "forged", "replay", "mutated"]);
    let f, legitRrFor = null;
    if (kind === "req") {
      const id = host.ntpTimestamp(clock.t, 0, ++seq * 11);
      f = toRs(n.home, RTR_MAC, host.appendAuth(host.buildRegRequest({ flags: 1, lifetimeSec: r.pick([30, 60, 0]), home: n.home, homeAgent: RS, careOf: n.child, id }), 84, n.k));
      legitReq.push(f);
    } else if (kind === "rr") {
      const p = pending.get(n.home);
      if (!p) continue;
      f = toRs(COA, COA_MAC, host.appendAuth(rtMsg(33, 0, r.pick([60, 30]), n.home, p.nextHop, p.id), 83, KC));
      legitRrFor = n.home;
      legitRr.push(f);
    } else if (kind === "forged") {
      const p = pending.get(n.home) ?? { id: host.ntpTimestamp(clock.t, 0, 1), nextHop: n.child };
      f = r.pick([
        () => toRs(COA, COA_MAC, host.appendAuth(rtMsg(33, 0, 60, n.home, p.nextHop, p.id), 83, KC_WRONG)),
        () => toRs(COA, COA_MAC, host.appendAuth(rtMsg(33, 0, 60, n.home, p.nextHop, p.id + 0x10000n), 83, KC)),
        () => toRs(RTR, RTR_MAC, host.appendAuth(rtMsg(33, 0, 60, n.home, p.nextHop, p.id), 83, KC)),
        () => toRs(n.home, RTR_MAC, host.appendAuth(host.buildRegRequest({ flags: 1, lifetimeSec: 60, home: n.home, homeAgent: RS, careOf: n.child, id: host.ntpTimestamp(clock.t, 0, 3) }), 84, key("fz-no", n.k.spi))),
      ])();
    } else if (kind === "replay") {
      const pool = r.chance(0.5) ? legitReq : legitRr;
      if (!pool.length) continue;
      f = r.pick(pool);
    } else {
      const pool = r.chance(0.5) ? legitReq : legitRr;
      if (!pool.length) continue;
      f = mutate(r, r.pick(pool));
    }
    try { s.board.rx(0, f); } catch (e) { violations.push(`step ${step}: trap ${e.message}`); break; }
    const out = sent(s, txFrom);
    for (const x of out) {
      if (x.type === 32) {
        if (x.dst !== COA || !lastAuthOk(x.msg, 20, 83, KC)) violations.push(`step ${step}: Route Request to ${host.formatIp(x.dst)} or without a valid 83`);
        const dv = new DataView(x.msg.buffer, x.msg.byteOffset);
        pending.set(dv.getUint32(4), { id: dv.getBigUint64(12), nextHop: dv.getUint32(8) });
      }
      if (x.type === 3) {
        const h = be32(x.msg, 4), node = nodes.find((q) => q.home === h);
        if (!node || !host.verifyAuth(x.msg, 20, 84, node.k)) violations.push(`step ${step}: Registration Reply for ${host.formatIp(h)} without a valid 84`);
      }
    }
    const accepted = s.cap.events.slice(evFrom).filter((e) => e.kind === 16 && e.data[0] === 2);
    for (const a of accepted) {
      const h = be32(a.data, 16);
      if (legitRrFor !== h) violations.push(`step ${step} (${kind}): registration of ${host.formatIp(h)} accepted without the care-of agent's legitimate Route Reply`);
      else if (!out.some((x) => x.type === 3 && x.msg[1] === 0 && host.extensions(x.msg, 20).some((e) => e.type === 82 && be32(e.data, 2) === COA))) violations.push(`step ${step}: acceptance without a reply naming the care-of agent (82)`);
    }
    if (legitRrFor !== null && out.some((x) => x.type === 3)) pending.delete(legitRrFor);
    if (violations.length > 5) break;
  }
  assert.deepEqual(violations, [], violations.slice(0, 5).join("\n"));
  const c = s.board.counters();
  assert.ok(c.dr_rt_reply_rx > 10 && (c.drop_dr_auth ?? 0) > 10, JSON.stringify(c));
});
