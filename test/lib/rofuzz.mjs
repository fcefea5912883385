// Invariant fuzzing of the route-optimization binding cache (issue 10 target "a forged or replayed Binding
// Update never changes a cache"; docs/fuzzing.md): one correspondent board with a cache, a seeded stream of
// valid, replayed, mutated and forged Binding Updates and other route-optimization messages, and an oracle
// that applies only the valid fresh updates. Used by test/host/fuzz-ro.test.mjs and `bench/fuzz.mjs --roles cn`.
import * as host from "../../build/host.mjs";
import { readFileSync } from "node:fs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const CN_MAC = host.mac("02:00:00:00:09:20"), R_MAC = host.mac("02:00:00:00:09:01");
const CN = ip("10.9.0.20"), ROUTER = ip("10.9.0.1"), HA = ip("10.0.0.1"), EVIL = ip("10.0.0.66"), NEW_FA = ip("10.5.0.1");
const HA_KEY = { spi: 5000, algorithm: "hmac-md5", key: te.encode("cn-ha-secret") };
const MF_KEY = { spi: 6000, algorithm: "keyed-md5", key: te.encode("mn-prev-fa") };
const HOMES = Array.from({ length: 8 }, (_, i) => ip(`10.1.0.${20 + i}`));
const ON_BEHALF = HOMES[7]; // the mobile node this node shares a mobile-foreign association with
const COAS = Array.from({ length: 6 }, (_, i) => ip(`10.${2 + i}.0.1`));
const T0 = 5_000_000;
let module = null;

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

/**
 * Run `frames` seeded frames (`seed`) against a fresh correspondent. Returns { counts, counters, violations:
 * [{ step, what, got, want }] (the first few), violationCount, traps }.
 */
export function fuzzCache({ frames, seed, maxExamples = 3 }) {
  module ??= new WebAssembly.Module(readFileSync(new URL("../../build/firmware.wasm", import.meta.url)));
  const clock = { t: T0 };
  const board = new host.Board(module, host.validateConfig({
    name: "cn", board: "emulated", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:09:20", ipv4: "10.9.0.20/24" }],
    routes: [{ dest: "default", via: "10.9.0.1" }],
    sizes: { bindingCache: 64 },
    mobility: { routeOptimization: { enabled: true } },
    securityAssociations: [
      { peer: "10.0.0.1", spi: 5000, algorithm: "hmac-md5", key: "text:cn-ha-secret", use: "correspondent" },
      { peer: "10.1.0.27", spi: 6000, algorithm: "keyed-md5", key: "text:mn-prev-fa", use: "mobile-foreign" },
    ],
  }, "cn"), { now: () => clock.t, tx() {}, deliver() {} });
  board.init();
  board.rx(0, host.arpFrame(1, R_MAC, ROUTER, new Uint8Array(6), CN));
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const model = new Map();          // home -> { coa, ha, lifetimeSec, expiresAtMs }
  const valid = [];                 // earlier valid frames (replay material)
  let lastHaId = 0n, lastMfId = 0n; // the oracle's own timestamps: strictly increasing per association
  const nextId = (last) => { let id = host.ntpTimestamp(clock.t, 0, Math.floor(r() * 0x3fffff)); if (id <= last) id = last + 1n; return id; };
  const frame = (src, msg) => host.ethFrame(CN_MAC, R_MAC, 0x0800, host.buildUdp(src, CN, 434, 434, msg, 1, 60));
  const counts = { valid: 0, replay: 0, mutated: 0, forged: 0, other: 0 };
  const violations = [];
  let violationCount = 0, traps = 0;
  const rx = (f) => { try { board.rx(0, f); } catch (e) { traps++; } };
  for (let step = 0; step < frames; step++) {
    clock.t += Math.floor(r() * 400);
    const k = r();
    if (k < 0.2) {
      // A valid, fresh update from the home agent or on the mobile node's behalf (the oracle applies it).
      const behalf = r() < 0.25;
      const home = behalf ? ON_BEHALF : pick(HOMES.slice(0, 7));
      const del = r() < 0.15;
      const coa = del ? home : pick(COAS);
      const lifetime = del ? 0 : 1 + Math.floor(r() * 30);
      const id = behalf ? (lastMfId = nextId(lastMfId)) : (lastHaId = nextId(lastHaId));
      const msg = host.appendAuth(host.buildBindingUpdate({ flags: host.BU_I | (r() < 0.5 ? host.BU_A : 0), lifetimeSec: lifetime, home, careOf: coa, id }), host.EXT_RO_AUTH, behalf ? MF_KEY : HA_KEY);
      const f = frame(behalf ? NEW_FA : HA, msg);
      rx(f);
      if (del) model.delete(home);
      else model.set(home, { coa, ha: behalf ? 0 : HA, lifetimeSec: lifetime, expiresAtMs: clock.t + lifetime * 1000 });
      valid.push({ f, msg, src: behalf ? NEW_FA : HA });
      counts.valid++;
    } else if (k < 0.4 && valid.length) {
      rx(pick(valid).f);                                              // replay, byte for byte
      counts.replay++;
    } else if (k < 0.65 && valid.length) {
      const v = pick(valid);
      const m = v.msg.slice();
      const n = 1 + Math.floor(r() * 3);
      for (let i = 0; i < n; i++) m[Math.floor(r() * m.length)] ^= 1 << Math.floor(r() * 8);
      if (Buffer.compare(Buffer.from(m), Buffer.from(v.msg)) !== 0) { rx(frame(v.src, m)); counts.mutated++; }
    } else if (k < 0.85) {
      // Forged: fresh Identification, but a wrong key, a wrong source, another SPI, or no Identification.
      const home = pick(HOMES);
      const how = Math.floor(r() * 5);
      const id = host.ntpTimestamp(clock.t + 1000, 0, 7);
      const flags = how === 3 ? host.BU_A : host.BU_I | host.BU_A;
      const key = how === 0 ? { ...HA_KEY, key: te.encode("guess") } : how === 2 ? { ...HA_KEY, spi: 5001 } : how === 4 ? { ...MF_KEY, key: te.encode("x") } : HA_KEY;
      const msg = host.appendAuth(host.buildBindingUpdate({ flags, lifetimeSec: 20, home, careOf: pick(COAS), id }), host.EXT_RO_AUTH, key);
      rx(frame(how === 1 ? EVIL : how === 4 ? NEW_FA : HA, msg));
      counts.forged++;
    } else {
      const t = Math.floor(r() * 5);
      const home = pick(HOMES);
      const msg = t === 0 ? host.buildBindingRequest(home, BigInt(step))
        : t === 1 ? host.buildBindingWarning(home, [CN])
        : t === 2 ? host.buildBindingAck({ status: 0, home, id: BigInt(step) })
        : Uint8Array.from({ length: 1 + Math.floor(r() * 60) }, (_, i) => (i === 0 ? 16 + Math.floor(r() * 4) : Math.floor(r() * 256)));
      if (t !== 4) rx(frame(pick([HA, EVIL, NEW_FA]), msg));
      counts.other++;
    }
    board.tick(clock.t);
    // Invariant: the cache (dump table 6) equals the oracle's model.
    for (const [h, e] of model) if (e.expiresAtMs <= clock.t) model.delete(h);
    const got = board.dump("bindingCache").filter((e) => e.expiresAtMs > clock.t)
      .map((e) => [e.home, e.careOf, e.homeAgent, e.lifetimeSec, e.expiresAtMs]).sort((a, b) => a[0] - b[0]);
    const want = [...model].map(([h, e]) => [h, e.coa, e.ha, e.lifetimeSec, e.expiresAtMs]).sort((a, b) => a[0] - b[0]);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      violationCount++;
      if (violations.length < maxExamples) violations.push({ step, got, want });
      // Resynchronise the oracle with what the board holds, so one fault is not counted at every later step.
      model.clear();
      for (const [h, coa, ha, lifetimeSec, expiresAtMs] of got) model.set(h, { coa, ha, lifetimeSec, expiresAtMs });
    }
  }
  return { counts, counters: board.counters(), violations, violationCount, traps };
}
