// Stateful, invariant-checking fuzzing of the Mobile IP roles (issue 7 point 20). One firmware board plays
// a home agent, a foreign agent or a mobile node; this file plays everybody else — mobile nodes, agents,
// routers, correspondents and attackers — with sequences of valid, replayed, mutated and forged frames,
// time jumps (2^32 ms, the 2036 NTP-era wrap, one whole NTP era) and link flaps, and checks invariants
// after every step against a shadow model and an independent oracle (test/lib/oracle.mjs, node:crypto).
//
//   const w = makeWorld("ha", seed, { invariants });   w.run(frames);   w.report()
//
// Deterministic: everything (frames, times, the board's `random` hook) comes from the seed. A violation
// records the seed, the step, the frame of that step in hex and what was wrong. docs/fuzzing.md lists the
// invariants and what each one catches.

import { readFileSync } from "node:fs";
import * as host from "../../build/host.mjs";
import * as O from "./oracle.mjs";
import * as P from "./pkt.mjs";
import { mutate as mutateFrame } from "./traffic.mjs";

const { ip, fmtIp, mac, fmtMac, hex } = P;
export const firmware = new WebAssembly.Module(readFileSync(new URL("../../build/firmware.wasm", import.meta.url)));

/** Every invariant, its role(s) and the issue 7 point(s) it covers (docs/fuzzing.md). */
export const INVARIANTS = {
  "trap": { roles: ["ha", "fa", "mn"], what: "no call into the firmware traps", points: [20] },
  "heap": { roles: ["ha", "fa", "mn"], what: "heapUsed and memoryBytes never move after init", points: [20] },
  "capacity": { roles: ["ha", "fa", "mn"], what: "table counts within the configured sizes (bindings, care-of addresses per node, visitors, ARP)", points: [20] },
  "ha-auth": { roles: ["ha"], what: "a request the home agent accepts carries a mobile-home authenticator that verifies under the oracle", points: [20] },
  "ha-sa-use": { roles: ["ha"], what: "a mobile-home authenticator verifies only with a mobile-home security association", points: [9] },
  "ha-home-prefix": { roles: ["ha"], what: "bindings only for home addresses on the home link's prefix", points: [9] },
  "ha-replay": { roles: ["ha"], what: "no accepted request is replayed: timestamp within the window and newer than the last accepted (era-aware), nonce the one the home agent issued last", points: [3, 5] },
  "ha-binding-trace": { roles: ["ha"], what: "every binding traces to an authenticated, fresh, accepted request (care-of address, lifetime, expiry, identification); no binding changes otherwise", points: [20] },
  "ha-fresh-accepted": { roles: ["ha"], what: "a clean request (authenticated, fresh, well formed) is accepted with code 0 — also across the 2036 NTP wrap", points: [5] },
  "ha-ingress": { roles: ["ha"], what: "a datagram from off the home link with a source on the home prefix is never tunnelled", points: [1] },
  "ha-tunnel-mtu": { roles: ["ha"], what: "forged ICMP errors never stop a datagram of 500 bytes from being tunnelled to every live care-of address", points: [4] },
  "ha-reply-home-link": { roles: ["ha"], what: "the reply to a request from the home address on the home link goes out on the home link, never tunnelled", points: [11] },
  "ha-reply-auth": { roles: ["ha"], what: "every reply's mobile-home authenticator verifies under the oracle", points: [20] },
  "fa-accept": { roles: ["fa"], what: "a visitor becomes or stays accepted only on the valid reply of the home agent its request was relayed to (source, port 434, relay interface, whole Identification), at a MAC that sent that request", points: [2] },
  "fa-copy": { roles: ["fa"], what: "a verbatim copy of a visitor's recent request sent from another MAC does not take the registration when the home agent accepts the original", points: [2] },
  "fa-delivery": { roles: ["fa"], what: "datagrams tunnelled to a visitor go to the MAC of its valid registration only", points: [2] },
  "fa-expiry": { roles: ["fa"], what: "no accepted visitor with lifetime 0, none delivered to after expiry; granted = min(reply, request)", points: [10] },
  "fa-icmp": { roles: ["fa"], what: "pending registrations are denied (80-88) only for ICMP errors that quote a request the agent relayed", points: [7] },
  "mn-rate": { roles: ["mn"], what: "two Registration Requests from the mobile node are at least 1000 ms apart", points: [6] },
  "mn-home": { roles: ["mn"], what: "the mobile node declares itself home only on an advertisement received directly (not decapsulated), TTL 1, from its home prefix", points: [1] },
  "mn-reply-auth": { roles: ["mn"], what: "the mobile node accepts a reply only if it verifies with the association of the home agent its request went to (or is a foreign agent's unauthenticated denial)", points: [8] },
  "mn-id-order": { roles: ["mn"], what: "timestamp Identifications of successive requests increase on the wire (unless a 133 resynchronised)", points: [17, 6] },
};

// ---- seeded generator ---------------------------------------------------------------------------

export class Rng {
  constructor(seed) { this.a = seed >>> 0; }
  next() {
    let t = (this.a = (this.a + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n) { return n <= 1 ? 0 : this.next() % n; }
  range(a, b) { return a + this.int(b - a + 1); }
  chance(p) { return this.next() < p * 4294967296; }
  pick(a) { return a[this.int(a.length)]; }
  bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.next() & 255; return b; }
  u64() { return (BigInt(this.next()) << 32n) | BigInt(this.next()); }
  /** The `traffic.mjs` generator interface (next/int/bytes), for its frame mutator. */
  get asTraffic() { return { next: () => this.next(), int: (n) => this.int(n), bytes: (n) => this.bytes(n) }; }
}

const T0 = 1_000_000;
const TWO32 = 2 ** 32;
const low32 = (id) => id & 0xffffffffn;
const hexId = (id) => "0x" + BigInt.asUintN(64, id).toString(16).padStart(16, "0");

// ---- the world: one board plus everything around it ---------------------------------------------------

class World {
  constructor(role, seed, { invariants = null, log = null, ro = !!process.env.MIPFW_FUZZ_RO } = {}) {
    this.role = role;
    // Route optimization and smooth handoff on in the board's configuration (MIPFW_FUZZ_RO=1 or { ro: true }).
    this.ro = ro;
    this.seed = seed >>> 0;
    this.r = new Rng(this.seed ^ 0x5eed0000);
    this.rnd = new Rng(this.seed ^ 0x0a11ce55);        // the board's `random` hook: seeded, not constant
    this.selected = invariants ? new Set(invariants) : null;
    this.logFn = log;
    this.t = T0;
    this.step = 0;
    this.frames = 0;
    this.episodes = 0;
    this.violations = new Map();                        // invariant -> { count, examples[] }
    this.traps = 0;
    this.heapMoved = 0;
    this.log = [];                                      // this step's tx frames and events, in order
    this.down = new Set();
    this.frameRing = [];
    this.ipId = 1;
    this.burst = 0;
  }

  // -- board ---------------------------------------------------------------------------------------
  boot(json) {
    this.json = json;
    this.cfg = host.validateConfig(json, json.name);
    this.board = new host.Board(firmware, this.cfg, {
      now: () => this.t,
      tx: (iface, frame) => this.log.push({ tx: true, iface, frame: host.copyFrame(frame), t: this.t }),
      deliver() {},
      event: (kind, data) => this.log.push({ ev: true, kind, data, t: this.t }),
      random: (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = this.rnd.next() & 255; },
    });
    this.board.init();
    this.heap0 = this.board.heapUsed();
    this.bytes0 = this.board.memoryBytes();
    const names = Object.keys(this.board.counters());
    this.counterIndex = new Map(names.map((n, i) => [n, i]));
    this.counterView = null;
    this.down.clear();
    this.episodeEnd = this.step + this.r.range(2000, 12000);
    this.episodes++;
  }

  /** Restart the same board (the firmware's `init` again): all state is gone, and so is what it did before in this step. */
  reboot() { this.board.init(); this.log.length = 0; this.down.clear(); this.onReboot(); }

  counter(name) {
    const i = this.counterIndex.get(name);
    if (i === undefined) return 0;
    if (!this.counterView || this.counterView.buffer !== this.board.x.memory.buffer) {
      this.counterView = new BigUint64Array(this.board.x.memory.buffer, this.board.x.counters_ptr(), this.counterIndex.size);
    }
    return Number(this.counterView[i]);
  }

  call(what, fn) {
    try { return fn(); } catch (e) {
      this.traps++;
      this.violate("trap", `${what}: ${e && e.message ? e.message : e}`);
      this.trapped = true;
      return undefined;
    }
  }

  rx(iface, frame, primary = true) {
    this.frames++;
    if (primary) {
      this.cur.frame = frame; this.cur.iface = iface;
      if (this.frameRing.length < 64) this.frameRing.push([iface, frame]); else this.frameRing[this.r.int(64)] = [iface, frame];
    }
    this.call(`rx(${iface})`, () => this.board.rx(iface, frame));
  }

  tick() { this.call("tick", () => this.board.tick(this.t)); }

  violate(inv, detail) {
    if (this.selected && !this.selected.has(inv)) return;
    let v = this.violations.get(inv);
    if (!v) this.violations.set(inv, (v = { count: 0, examples: [] }));
    v.count++;
    if (v.examples.length < 4) {
      const f = this.cur?.frame;
      v.examples.push({ role: this.role, seed: this.seed, step: this.step, t: this.t, detail, iface: this.cur?.iface, frame: f ? hex(f) : "" });
    }
    if (this.logFn) this.logFn(`${this.role} seed ${this.seed} step ${this.step}: ${inv}: ${detail}`);
  }

  // -- one step: time, maybe a link flap, one frame, ARP answers, checks -----------------------------
  run(frames, { stopAt = Infinity } = {}) {
    while (this.frames < frames && this.step < stopAt) this.once();
    return this;
  }

  once() {
    if (this.step >= this.episodeEnd || this.trapped) { this.trapped = false; this.newEpisode(); }
    this.step++;
    this.log.length = 0;
    this.cur = { kind: "none", frame: null, iface: -1 };
    this.before();
    this.advanceTime();
    this.flaps();
    if (this.r.chance(0.00003)) this.call("reboot", () => this.reboot());
    this.act();
    this.answerArp();
    this.commonChecks();
    if (!this.trapped) this.check();
  }

  advanceTime() {
    if (this.burst > 0) { this.burst--; this.t += 50; if (this.r.chance(0.5)) this.tick(); return; }
    const x = this.r.int(100000);
    let dt;
    if (x < 8) dt = TWO32;                                          // 2^32 ms: a 32-bit millisecond counter wraps
    else if (x < 10 && this.role === "ha") dt = TWO32 * 1000;       // one whole NTP era (2^32 s)
    else if (x < 200 && this.wrapAtMs && this.t < this.wrapAtMs - 10000) dt = this.wrapAtMs - this.r.range(500, 9000) - this.t; // to just before 2036
    else if (x < 1200) dt = this.r.range(1000, 30000);
    else if (x < 1700) dt = this.r.range(30000, 700000);
    else dt = this.r.int(this.role === "mn" ? 120 : 60);
    this.t += dt;
    if (this.r.chance(dt >= 1000 ? 0.9 : 0.3)) this.tick();
  }

  flaps() {
    const n = this.json.interfaces.length;
    for (const i of [...this.down]) {
      if (this.r.chance(0.1)) { this.down.delete(i); this.call("link", () => this.board.link(i, true, this.r.bytes(6))); }
    }
    if (this.r.chance(0.002)) {
      const i = this.r.int(n);
      if (!this.down.has(i)) { this.down.add(i); this.call("link", () => this.board.link(i, false)); }
    }
  }

  /** Answer the board's ARP requests for neighbours this world knows (a responsive network). */
  answerArp() {
    for (let round = 0, from = 0; round < 4; round++) {
      const upto = this.log.length;
      let any = false;
      for (let k = from; k < upto; k++) {
        const e = this.log[k];
        if (!e.tx) continue;
        const a = P.parseArp(e.frame);
        if (!a || a.op !== 1) continue;
        const n = this.neighbour(e.iface, a.targetIp);
        if (!n || a.senderIp === a.targetIp) continue;
        any = true;
        this.rx(e.iface, P.arp(2, n, a.targetIp, a.senderMac, a.senderIp), false);
      }
      from = upto;
      if (!any) break;
    }
  }

  commonChecks() {
    if (this.trapped) return;
    const heap = this.board.heapUsed(), bytes = this.board.memoryBytes();
    if (heap !== this.heap0 || bytes !== this.bytes0) {
      this.heapMoved += Math.abs(heap - this.heap0) + Math.abs(bytes - this.bytes0);
      this.violate("heap", `heapUsed ${this.heap0} -> ${heap}, memoryBytes ${this.bytes0} -> ${bytes}`);
      this.heap0 = heap; this.bytes0 = bytes;
    }
    let arpN = 0;
    while (this.board.x.dump(2, arpN) >= 0) arpN++;
    if (arpN > this.cfg.sizes.arpEntries) this.violate("capacity", `${arpN} ARP entries, arpEntries ${this.cfg.sizes.arpEntries}`);
  }

  nextIpId() { this.ipId = (this.ipId + 1) & 0xffff || 1; return this.ipId; }

  /** This step, decoded: its frame, what the board sent and the events, one line each (for replaying a violation). */
  describeStep() {
    const c = this.cur;
    const lines = [`${this.role} seed ${this.seed} step ${this.step} t=${this.t} ${c.kind} on interface ${c.iface}: ${c.frame ? describeFrame(c.frame) : "no frame"}`];
    if (c.frame) lines.push(`  frame ${hex(c.frame)}`);
    for (const e of this.log) lines.push(e.ev ? `  event ${e.kind} ${hex(e.data)}` : `  tx ${e.iface} at ${e.t}: ${describeFrame(e.frame)}`);
    return lines.join("\n");
  }

  /** Generic robustness input: a recent frame mutated (traffic.mjs), or noise. */
  genericMutation() {
    this.cur.kind = "mutation";
    if (this.frameRing.length === 0 || this.r.chance(0.15)) {
      const n = this.json.interfaces.length;
      this.rx(this.r.int(n), this.r.bytes(this.r.int(1600)));
      return;
    }
    const [iface, f] = mutateFrame(this.r.asTraffic, this.frameRing);
    this.rx(iface, f);
  }

  report() {
    return {
      role: this.role, seed: this.seed, steps: this.step, frames: this.frames, episodes: this.episodes,
      traps: this.traps, heapMoved: this.heapMoved, stats: this.stats,
      violations: Object.fromEntries([...this.violations].map(([k, v]) => [k, v])),
    };
  }
}

/** One line about an Ethernet frame: ARP, or IPv4 addresses, protocol, a tunnel's inner datagram, UDP ports, ICMP type. */
export function describeFrame(f) {
  const a = P.parseArp(f);
  if (a) return `ARP ${a.op === 1 ? "request" : "reply"} ${fmtIp(a.senderIp)} ${fmtMac(a.senderMac)} -> ${fmtIp(a.targetIp)}`;
  const p = P.parseEthIp(f);
  if (!p) return `${f.length} bytes, not IPv4/ARP`;
  const one = (x) => {
    let s = `${fmtIp(x.src)} -> ${fmtIp(x.dst)} proto ${x.proto} ttl ${x.ttl} id ${x.id}`;
    const u = P.udpOf(x);
    if (u) s += ` udp ${u.sport}->${u.dport}` + (u.dport === 434 || u.sport === 434 ? ` type ${u.data[0]}${u.data[0] === 3 ? ` code ${u.data[1]}` : ""}` : "");
    if (x.proto === 1 && x.pay.length >= 2) s += ` icmp ${x.pay[0]}/${x.pay[1]}`;
    return s;
  };
  const q = P.decap(p);
  return one(p) + (q ? ` [inner ${one(q)}]` : "");
}

// ---- home agent -------------------------------------------------------------------------------------

const HA = {
  HOME_IP: ip("10.0.0.1"), UP_IP: ip("10.9.0.1"), ROUTER: ip("10.9.0.254"), CN: ip("10.0.0.20"), FAR: ip("10.77.0.9"),
  MAC0: mac("02:00:00:00:0a:01"), MAC1: mac("02:00:00:00:0b:01"), ROUTER_MAC: mac("02:00:00:00:0b:fe"), CN_MAC: mac("02:00:00:00:0a:20"),
  PREFIX: ip("10.0.0.0"), MASK: 0xffffff00,
  HOMES: ["10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9"].map(ip),
  OFF_HOME: ip("10.5.0.9"),             // a mobile-home association for an address off the home prefix (point 9)
  FA_PEER: ip("10.20.1.1"),             // a foreign agent with a foreign-home association
  FAS: ["10.20.1.1", "10.20.2.1", "10.20.3.1"].map(ip),
  COLOC: ["10.30.0.10", "10.30.0.11", "10.31.5.5"].map(ip),
  ICMP_ROUTER: ip("10.66.0.1"),
};
const onHaPrefix = (a) => ((a & HA.MASK) >>> 0) === HA.PREFIX;
const haPoolCoa = (a) => HA.FAS.includes(a) || HA.COLOC.includes(a);

class HaWorld extends World {
  constructor(seed, opts) { super("ha", seed, opts); this.stats = { requests: 0, accepted: 0, clean: 0, probes: 0 }; this.newEpisode(); }

  newEpisode() {
    const r = this.r;
    this.window = r.pick([3, 7, 7, 30]);
    this.maxGrant = r.pick([60, 300, 600]);
    this.maxSlots = r.range(1, 3);
    // Half the episodes run across the 2036 NTP wrap: NTP seconds reach 2^32 at board time wrapAtMs.
    this.wrapAtMs = null;
    let off = r.chance(0.2) ? r.range(-1000, 1000) : 0;
    if (r.chance(0.5)) {
      // NTP seconds reach a multiple of 2^32 (the nearest one, so the offset fits its 32-bit field) soon.
      const wrapSec = Math.floor(this.t / 1000) + r.range(20, 900);
      const ntp = O.NTP_BASE_SEC + BigInt(wrapSec);
      const k = (ntp + (1n << 31n)) >> 32n;
      off = Number((k << 32n) - ntp);
      this.wrapAtMs = wrapSec * 1000;
    }
    this.clockOffsetSec = off;
    const algs = ["hmac-md5", "keyed-md5"];
    this.homes = [...HA.HOMES, HA.OFF_HOME].map((addr, i) => {
      const algorithm = r.pick(algs);
      const coverSpi = r.chance(0.3) ? r.chance(0.5) : undefined;
      const replay = r.chance(0.4) ? "nonces" : "timestamps";
      const key = r.bytes(r.range(8, 32));
      return {
        addr, i, onPrefix: onHaPrefix(addr), mnMac: mac(`02:00:00:00:0a:${(0x50 + i).toString(16)}`),
        sa: { peer: addr, spi: 1000 + i, algorithm, key, replay, coverSpi: coverSpi ?? algorithm === "hmac-md5", use: "mobile-home", explicitCover: coverSpi },
        lastU: null, nonce: null, acceptedIds: new Set(),
      };
    });
    this.faSa = { peer: HA.FA_PEER, spi: 7000, algorithm: "hmac-md5", key: r.bytes(16), replay: "timestamps", coverSpi: true, use: "foreign-home" };
    this.byAddr = new Map(this.homes.map((h) => [h.addr, h]));
    const json = {
      name: "ha", board: "emulated", roles: ["home-agent"],
      interfaces: [
        { name: "home0", mac: "02:00:00:00:0a:01", ipv4: "10.0.0.1/24", home: true, advertise: true },
        { name: "up0", mac: "02:00:00:00:0b:01", ipv4: "10.9.0.1/24" },
      ],
      routes: [{ dest: "default", via: "10.9.0.254" }],
      sizes: { bindings: r.range(2, 6), arpEntries: r.range(8, 32) },
      mobility: { ...(this.ro ? { routeOptimization: { enabled: true, smoothHandoff: true } } : {}),
        lifetimeSec: this.maxGrant, maxBindingsPerNode: this.maxSlots, encapsulations: ["ipip", "minimal", "gre"],
        replayWindowSec: this.window, clockOffsetSec: this.clockOffsetSec,
      },
      securityAssociations: [
        ...this.homes.map((h) => ({
          peer: fmtIp(h.addr), spi: h.sa.spi, algorithm: h.sa.algorithm, key: hex(h.sa.key), replay: h.sa.replay,
          ...(h.sa.explicitCover !== undefined ? { coverSpi: h.sa.explicitCover } : {}),
          ...(h.onPrefix ? {} : { use: "mobile-home" }),
        })),
        { peer: fmtIp(HA.FA_PEER), spi: 7000, algorithm: "hmac-md5", key: hex(this.faSa.key), use: "foreign-home" },
      ],
    };
    this.boot(json);
    this.onReboot();
  }

  onReboot() {
    this.acc0 = this.counter("ha_reg_accepted");
    this.model = new Map();           // home -> Map(coa -> record), the bindings a correct home agent has
    this.reported = new Set();
    this.sent = [];                   // recent requests (payloads) for replays and mutations
    this.forgedAbout = new Map();     // care-of address -> the last forged ICMP error quoting it (for the report)
    for (const h of this.homes) { h.lastU = null; h.nonce = null; h.acceptedIds.clear(); }
    this.liveDump = [];
  }

  neighbour(iface, a) {
    if (iface === 1 && a === HA.ROUTER) return HA.ROUTER_MAC;
    if (iface === 0 && a === HA.CN) return HA.CN_MAC;
    if (iface === 0) { const h = this.byAddr.get(a); if (h) return h.mnMac; }
    return null;
  }

  nowSec() { return O.ntpSeconds(this.t, this.clockOffsetSec); }

  before() { this.acc0 = this.counter("ha_reg_accepted"); this.arpDrop0 = this.counter("drop_arp_unresolved"); }

  /** A fresh Identification for home `h` as its mobile node would send it, or null if none can be made. */
  freshId(h) {
    if (h.sa.replay === "nonces") return h.nonce === null ? null : (BigInt(h.nonce) << 32n) | BigInt(this.r.next());
    const now = this.nowSec();
    let u = (now << 32n) | BigInt(this.r.next());
    if (h.lastU !== null && u <= h.lastU) u = h.lastU + 1n + BigInt(this.r.int(1000));
    if ((u >> 32n) - now > BigInt(this.window - 1)) return null;
    const wire = BigInt.asUintN(64, u);
    // Fresh in RFC 1982 serial order over the 64-bit value too (which the issue allows a home agent to use):
    // right after a jump of exactly one NTP era the two orders differ, and that is nobody's bug.
    if (h.lastU !== null && BigInt.asIntN(64, wire - BigInt.asUintN(64, h.lastU)) <= 0n) return null;
    return wire;
  }

  /** Send a registration request (UDP payload `msg`) to the home agent. */
  sendRequest(kind, msg, { iface = 1, src, dst = this.r.chance(0.7) ? HA.HOME_IP : HA.UP_IP, sport = this.r.chance(0.5) ? 434 : this.r.range(1024, 65535), ethSrc = iface === 1 ? HA.ROUTER_MAC : HA.CN_MAC, clean = false } = {}) {
    this.cur.kind = kind;
    this.cur.payload = msg;
    this.cur.req = O.parseRequest(msg);
    this.cur.clean = clean;
    this.cur.src = src;
    this.stats.requests++;
    if (this.sent.length < 48) this.sent.push(msg); else this.sent[this.r.int(48)] = msg;
    const dmac = iface === 1 ? HA.MAC1 : HA.MAC0;
    this.rx(iface, P.eth(dmac, ethSrc, 0x0800, P.udp(src, dst, sport, 434, msg, { id: this.nextIpId(), ttl: 60 })));
  }

  pickHome(onPrefixOnly = false) {
    const hs = onPrefixOnly ? this.homes.filter((h) => h.onPrefix) : this.homes;
    const live = this.liveDump.map((b) => b.home).filter((a) => hs.some((h) => h.addr === a));
    if (live.length && this.r.chance(0.4)) return this.byAddr.get(this.r.pick(live));
    return this.r.pick(hs);
  }

  requestFields(h) {
    const r = this.r;
    const viaFa = r.chance(0.6);
    const coa = viaFa ? r.pick(HA.FAS) : r.pick(HA.COLOC);
    let flags = viaFa ? 0 : 0x20;
    if (r.chance(0.2)) flags |= 0x80;   // S
    if (r.chance(0.2)) flags |= 0x40;   // B
    if (r.chance(0.1)) flags |= 0x10;   // M
    if (r.chance(0.1)) flags |= 0x08;   // G
    const lifetime = r.chance(0.1) ? 0 : r.chance(0.1) ? r.range(this.maxGrant + 1, 65534) : r.range(1, this.maxGrant);
    return { flags, lifetime, home: h.addr, ha: r.chance(0.8) ? HA.HOME_IP : HA.UP_IP, coa, viaFa };
  }

  /** Sign as the mobile node (and the foreign agent when it relays with a foreign-home association). */
  signed(f, id, sa) {
    let m = O.sign(O.request({ ...f, id }), 32, sa);
    if (this.r.chance(0.1)) m = concat(m, skippableExt(this.r));
    return m;
  }

  act() {
    const x = this.r.int(1000);
    if (x < 200) this.cleanRequest();
    else if (x < 270) this.replayRequest();
    else if (x < 380) this.mutatedRequest();
    else if (x < 430) this.wrongKeyRequest();
    else if (x < 480) this.staleRequest();
    else if (x < 520) this.atHomeRequest();
    else if (x < 570) this.forgedIcmp();
    else if (x < 660) this.probe();
    else if (x < 700) this.spoofedHomeSource();
    else if (x < 720) this.reverseTunnel();
    else if (x < 790) this.homeLinkNoise();
    else this.genericMutation();
  }

  cleanRequest() {
    const h = this.pickHome();
    const f = this.requestFields(h);
    let id = this.freshId(h);
    const clean = id !== null && h.onPrefix;
    if (id === null) id = h.sa.replay === "nonces" ? (BigInt(this.r.next()) << 32n) | BigInt(this.r.next()) : (O.wireSec(this.nowSec()) << 32n) | BigInt(this.r.next());
    let m = this.signed(f, id, h.sa);
    const src = f.coa; // the relaying foreign agent's address, or the co-located care-of address
    if (src === HA.FA_PEER && this.r.chance(0.8)) m = O.sign(m, 34, this.faSa);  // foreign-home authenticator of the relaying agent
    if (clean) this.stats.clean++;
    this.sendRequest("clean", m, { src, clean });
  }

  replayRequest() {
    if (!this.sent.length) return this.cleanRequest();
    const m = this.r.pick(this.sent);
    const q = O.parseRequest(m);
    this.sendRequest("replay", m, { src: this.r.chance(0.7) && q ? q.coa : this.r.pick([...HA.FAS, ...HA.COLOC]) });
  }

  mutatedRequest() {
    if (!this.sent.length) return this.cleanRequest();
    const r = this.r;
    let m = r.pick(this.sent).slice();
    switch (r.int(9)) {
      case 0: for (let i = 0, n = 1 + r.int(3); i < n; i++) m[r.int(m.length)] ^= 1 << r.int(8); break;          // bit flips
      case 1: m = m.slice(0, r.int(m.length + 1)); break;                                                       // truncation
      case 2: { const e = exts(m, 24); if (e.length > 1) { const a = r.int(e.length), b = r.int(e.length); [e[a], e[b]] = [e[b], e[a]]; } m = concat(m.subarray(0, 24), ...e); break; } // shuffle
      case 3: { const x = r.bytes(r.range(2, 12)); x[0] = r.int(256); x[1] = x.length - 2; m = concat(m.subarray(0, 24), x, m.subarray(24)); break; } // an extension before the authenticator
      case 4: m[r.range(4, 23)] = r.int(256); break;                                                            // a field
      case 5: { const e = exts(m, 24); const a = e.find((x) => x[0] === 32); if (a) m = concat(m, a); break; }  // duplicated authenticator
      case 6: for (let i = 24; i < m.length; i++) if (m[i] === 32 && i + 1 < m.length) { m[i + 1] = r.int(256); break; } break; // its Length
      case 7: { const e = exts(m, 24); const a = e.findIndex((x) => x[0] === 32); if (a >= 0 && e[a].length >= 6) { e[a] = e[a].slice(); e[a][2 + r.int(4)] ^= 1 + r.int(255); } m = concat(m.subarray(0, 24), ...e); break; } // SPI
      default: m = concat(m, skippableExt(r)); // a skippable extension after it
    }
    const q = O.parseRequest(m);
    this.sendRequest("mutated", m, { src: q && haPoolCoa(q.coa) ? q.coa : r.pick(HA.FAS) });
  }

  wrongKeyRequest() {
    const r = this.r;
    const h = r.chance(0.25) ? { addr: HA.FA_PEER, sa: this.faSa, onPrefix: false } : this.pickHome();
    const f = this.requestFields(h);
    const id = (O.wireSec(this.nowSec()) << 32n) | BigInt(r.next());
    let sa;
    if (h.addr === HA.FA_PEER) sa = this.faSa;                                       // point 9: the foreign-home key as mobile-home
    else if (r.chance(0.4)) sa = r.pick(this.homes.filter((o) => o !== h)).sa;       // another node's key
    else sa = { ...h.sa, key: r.bytes(h.sa.key.length) };                            // a guessed key
    if (h.addr !== HA.FA_PEER && r.chance(0.3)) sa = { ...h.sa, coverSpi: !h.sa.coverSpi }; // the right key, the other SPI coverage
    if (h.addr !== HA.FA_PEER && r.chance(0.1)) sa = { ...h.sa, algorithm: h.sa.algorithm === "hmac-md5" ? "keyed-md5" : "hmac-md5" };
    const m = r.chance(0.1) ? O.request({ ...f, id }) : O.sign(O.request({ ...f, id }), 32, sa);
    this.sendRequest("wrong-key", m, { src: f.coa });
  }

  staleRequest() {
    const r = this.r;
    const h = this.pickHome();
    const f = this.requestFields(h);
    let id;
    if (h.sa.replay === "nonces") {
      id = (BigInt(r.chance(0.2) ? 0 : r.next()) << 32n) | BigInt(r.next());
    } else {
      const now = this.nowSec();
      const k = r.int(4);
      if (k === 0 && h.lastU !== null) id = BigInt.asUintN(64, h.lastU);                           // equal to the last accepted
      else if (k === 1 && h.lastU !== null) id = BigInt.asUintN(64, h.lastU - 1n - BigInt(r.int(5000)));
      else {
        const d = BigInt(this.window + 2 + r.int(200));
        id = (O.wireSec(r.chance(0.5) ? now - d : now + d) << 32n) | BigInt(r.next());
      }
    }
    this.sendRequest("stale", this.signed(f, id, h.sa), { src: f.coa });
  }

  /** The mobile node back on the home link deregisters all its care-of addresses (RFC 2002 §3.6.1.1). */
  atHomeRequest() {
    const r = this.r;
    const h = this.pickHome(true);
    let id = this.freshId(h);
    const fresh = id !== null;
    const k = r.int(10);
    let sa = h.sa;
    if (k < 3 || id === null) {
      id = h.sa.replay === "nonces" ? (BigInt(r.next()) << 32n) | BigInt(r.next()) : (O.wireSec(this.nowSec() - BigInt(this.window + 5)) << 32n) | BigInt(r.next());
    } else if (k < 5) sa = { ...h.sa, key: r.bytes(8) };
    // Clean only with an Identification freshId made: the stale one above is outside the window,
    // which freshIdOk (order only) does not look at.
    const clean = k >= 5 && fresh && this.freshIdOk(h, id);
    const m = O.sign(O.request({ flags: 0, lifetime: 0, home: h.addr, ha: HA.HOME_IP, coa: h.addr, id }), 32, sa);
    this.sendRequest("at-home", m, { iface: 0, src: h.addr, dst: HA.HOME_IP, sport: 434, ethSrc: h.mnMac, clean });
  }

  freshIdOk(h, id) {
    if (h.sa.replay === "nonces") return h.nonce !== null && Number(id >> 32n) === h.nonce;
    const u = O.unwrapId(id, this.nowSec());
    return h.lastU === null || u > h.lastU;
  }

  /** ICMP errors from "a router" quoting tunnel headers the home agent never sent (point 4). */
  forgedIcmp() {
    const r = this.r;
    const live = this.liveDump.filter((b) => haPoolCoa(b.careOf));
    const coa = live.length && r.chance(0.6) ? r.pick(live).careOf : r.chance(0.5) ? r.pick([...HA.FAS, ...HA.COLOC]) : (ip("10.40.0.0") | r.int(65536)) >>> 0;
    const home = live.length && r.chance(0.7) ? r.pick(live).home : r.pick(this.homes).addr;
    const outerSrc = r.chance(0.8) ? HA.HOME_IP : r.chance(0.5) ? HA.UP_IP : r.next();
    const inner = P.udp(HA.FAR, home, 7000, 7001, r.bytes(8), { id: r.int(65536) });
    const proto = r.pick([4, 4, 55, 47, 17]);
    let quoted;
    if (proto === 47) quoted = P.gre(outerSrc, coa, inner);
    else if (proto === 55) quoted = P.minimal(outerSrc, coa, inner);
    else quoted = P.ipv4(proto, outerSrc, coa, inner);
    quoted = quoted.subarray(0, r.chance(0.7) ? Math.min(quoted.length, 20 + (proto === 55 ? 12 : proto === 47 ? 4 : 0) + 28) : r.range(20, quoted.length));
    let type = 3, code = 4, rest = 0;
    const k = r.int(10);
    if (k < 6) rest = r.pick([88, 68, 100, 296, 300, 500, 576, 0, 1400, r.int(65536)]);
    else if (k < 9) code = r.pick([0, 1, 2, 3, 10, 13]);
    else { type = 11; code = 0; }
    this.cur.kind = "icmp";
    this.forgedAbout.set(coa, `step ${this.step}: type ${type} code ${code}${type === 3 && code === 4 ? ` MTU ${rest}` : ""} quoting protocol ${proto} from ${fmtIp(outerSrc >>> 0)}`);
    this.rx(1, P.eth(HA.MAC1, HA.ROUTER_MAC, 0x0800, P.icmp(HA.ICMP_ROUTER, r.chance(0.8) ? HA.UP_IP : HA.HOME_IP, type, code, rest, quoted, { id: this.nextIpId() })));
  }

  /** A 100-500 byte datagram from a far correspondent to a (preferably bound) home address. */
  probe() {
    const r = this.r;
    const live = this.liveDump.filter((b) => haPoolCoa(b.careOf));
    const home = live.length && r.chance(0.85) ? r.pick(live).home : r.pick(this.homes).addr;
    const len = r.pick([100, 300, 500]);
    const id = this.nextIpId();
    this.cur.kind = "probe"; this.cur.home = home; this.cur.id = id; this.cur.len = len;
    this.stats.probes++;
    this.rx(1, P.eth(HA.MAC1, HA.ROUTER_MAC, 0x0800, P.udp(HA.FAR, home, 7000, 7001, new Uint8Array(len - 28).fill(0x5a), { id, ttl: 30 })));
  }

  /** From the uplink, a datagram whose source is on the home prefix (the issue's "you are home" advert among them). */
  spoofedHomeSource() {
    const r = this.r;
    const live = this.liveDump.filter((b) => haPoolCoa(b.careOf));
    const home = live.length && r.chance(0.85) ? r.pick(live).home : r.pick(this.homes).addr;
    let src;
    do src = (HA.PREFIX | r.range(2, 254)) >>> 0; while (src === home);
    const id = this.nextIpId();
    const ttl = r.range(2, 64);
    const pkt = r.chance(0.5)
      ? P.ipv4(1, src, home, P.agentAdvert({ routers: [src], lifetime: 300, seq: r.int(65536), flags: 0x2000 | 0x1000, coas: [src] }), { ttl, id })
      : P.udp(src, home, r.range(1, 65535), r.range(1, 65535), r.bytes(r.int(64)), { ttl, id });
    this.cur.kind = "ingress"; this.cur.src = src; this.cur.home = home; this.cur.id = id;
    this.rx(1, P.eth(HA.MAC1, HA.ROUTER_MAC, 0x0800, pkt));
  }

  reverseTunnel() {
    const r = this.r;
    const live = this.liveDump.filter((b) => haPoolCoa(b.careOf));
    const b = live.length ? r.pick(live) : { home: r.pick(this.homes).addr, careOf: r.pick(HA.COLOC) };
    const inner = P.udp(r.chance(0.8) ? b.home : r.next(), r.chance(0.5) ? HA.FAR : HA.CN, 5000, 5001, r.bytes(r.int(100)), { id: r.int(65536) });
    const enc = r.pick([P.ipip, P.gre, P.minimal]);
    this.cur.kind = "reverse-tunnel";
    this.rx(1, P.eth(HA.MAC1, HA.ROUTER_MAC, 0x0800, enc(b.careOf, r.chance(0.8) ? HA.HOME_IP : HA.UP_IP, inner, { id: this.nextIpId() })));
  }

  homeLinkNoise() {
    const r = this.r;
    const h = r.pick(this.homes);
    this.cur.kind = "home-link";
    switch (r.int(6)) {
      case 0: this.rx(0, P.arp(1, HA.CN_MAC, HA.CN, P.ZERO_MAC, h.addr)); break;                                 // who-has a home address
      case 1: this.rx(0, P.arp(1, h.mnMac, h.addr, P.ZERO_MAC, h.addr)); break;                                  // the node's gratuitous ARP
      case 2: this.rx(0, P.eth(P.BCAST_MAC, HA.CN_MAC, 0x0800, P.udp(HA.CN, ip("10.0.0.255"), 137, 137, r.bytes(40), { id: this.nextIpId() }))); break;
      case 3: this.rx(0, P.eth(HA.MAC0, HA.CN_MAC, 0x0800, P.udp(HA.CN, h.addr, 9, 9, r.bytes(r.int(200)), { id: this.nextIpId() }))); break;
      case 4: this.rx(0, P.eth(mac("01:00:5e:00:00:02"), HA.CN_MAC, 0x0800, P.icmp(HA.CN, ip("224.0.0.2"), 10, 0, 0, new Uint8Array(0), { ttl: 1 }))); break;
      default: this.rx(0, P.eth(mac("01:00:5e:00:00:01"), mac("02:00:00:00:0a:02"), 0x0800, P.ipv4(1, ip("10.0.0.2"), ip("224.0.0.1"),
        P.agentAdvert({ routers: [ip("10.0.0.2")], seq: r.int(65536), flags: 0x2000 }), { ttl: 1 })));
    }
  }

  /** Registration Replies the home agent sent this step: outer or inside a tunnel. */
  replies() {
    const out = [];
    for (const e of this.log) {
      if (!e.tx) continue;
      const p = P.parseEthIp(e.frame);
      if (!p) continue;
      let enc = false, q = p;
      if (p.proto === 4 || p.proto === 47 || p.proto === 55) { q = P.decap(p); enc = true; }
      const u = P.udpOf(q);
      if (!u || u.sport !== 434) continue;
      const rep = O.parseReply(u.data);
      if (rep) out.push({ iface: e.iface, enc, src: q.src, dst: q.dst, msg: u.data, rep, outerDst: p.dst });
    }
    return out;
  }

  check() {
    const t = this.t;
    const dump = this.board.dump("bindings");
    const live = dump.filter((b) => b.expiresAtMs > t);
    this.liveDump = live;
    // capacity
    const per = new Map();
    for (const b of dump) per.set(b.home, (per.get(b.home) ?? 0) + 1);
    if (per.size > this.cfg.sizes.bindings) this.violate("capacity", `${per.size} bindings, sizes.bindings ${this.cfg.sizes.bindings}`);
    for (const [h, n] of per) if (n > this.maxSlots) this.violate("capacity", `${n} care-of addresses for ${fmtIp(h)}, maxBindingsPerNode ${this.maxSlots}`);

    const replies = this.replies();
    for (const x of replies) {
      const h = this.byAddr.get(x.rep.home);
      if (!h) continue;
      const hasMh = exts(x.msg, 20).some((e) => e[0] === 32);
      if (hasMh && !O.authVerifies(x.msg, 20, 32, h.sa)) this.violate("ha-reply-auth", `reply to ${fmtIp(h.addr)} (code ${x.rep.code}) fails the oracle`);
    }

    const accepted = this.counter("ha_reg_accepted") - this.acc0;
    let changedHome = null;
    if (accepted > 0) { this.stats.accepted += accepted; changedHome = this.judgeAccept(live); }

    // The nonce the home agent gives for each node: from this step's authenticated replies.
    for (const x of replies) {
      const h = this.byAddr.get(x.rep.home);
      if (!h || h.sa.replay !== "nonces" || !O.authVerifies(x.msg, 20, 32, h.sa)) continue;
      const n = Number(x.rep.id >> 32n);
      h.nonce = n === 0 ? null : n;
    }

    // Bindings: the shadow model changes only through an accepted, authenticated request (and expiry).
    const byHome = new Map();
    for (const b of live) { if (!byHome.has(b.home)) byHome.set(b.home, []); byHome.get(b.home).push(b); }
    const homes = new Set([...byHome.keys(), ...this.model.keys()]);
    for (const home of homes) {
      const now = byHome.get(home) ?? [];
      const m = [...(this.model.get(home)?.values() ?? [])].filter((b) => b.expiresAtMs > t);
      if (home !== changedHome && changedHome !== "*" && !sameBindings(m, now)) {
        this.violate("ha-binding-trace", `bindings of ${fmtIp(home)} changed without an accepted authenticated request: ${showBindings(m)} -> ${showBindings(now)}`);
      }
      if (now.length) this.model.set(home, new Map(now.map((b) => [b.careOf, b]))); else this.model.delete(home);
      for (const b of now) {
        const h = this.byAddr.get(home);
        const key = `${home}:${b.identification}`;
        if ((!h || !h.acceptedIds.has(b.identification)) && !this.reported.has(key)) {
          this.reported.add(key);
          this.violate("ha-binding-trace", `binding ${fmtIp(home)} -> ${fmtIp(b.careOf)} carries identification ${hexId(b.identification)}, not one of an authenticated accepted request`);
        }
      }
    }

    const c = this.cur;
    // With a link down, replies and tunnelled copies may rightly not go out (or go another way).
    // So may a full ARP pending pool (pendingFrames, a resource limit, counted drop_arp_unresolved).
    const linksUp = this.down.size === 0 && this.counter("drop_arp_unresolved") === this.arpDrop0;
    if (linksUp && c.clean && c.req) this.checkFresh(c, replies, live);
    if (linksUp && c.kind === "at-home") {
      for (const x of replies) {
        if (x.rep.home !== c.req?.home) continue;
        if (x.enc || x.iface !== 0) this.violate("ha-reply-home-link", `reply code ${x.rep.code} to ${fmtIp(x.rep.home)}'s request from the home link went ${x.enc ? `tunnelled to ${fmtIp(x.outerDst)}` : `out on interface ${x.iface}`}`);
      }
    }
    if (linksUp && c.kind === "probe") this.checkProbe(c, live);
    if (c.kind === "ingress") {
      for (const e of this.log) {
        if (!e.tx) continue;
        const q = P.innerHeader(P.parseEthIp(e.frame));
        if (q && q.src === c.src && q.dst === c.home && q.id === c.id) {
          const p = P.parseEthIp(e.frame);
          this.violate("ha-ingress", `datagram from ${fmtIp(c.src)} (home prefix) received on the uplink was tunnelled to ${fmtIp(p.dst)}`);
        }
      }
    }
  }

  /** The home agent accepted this step's frame: it must be an authenticated, fresh request. Returns the home it may change ("*": any). */
  judgeAccept(live) {
    const c = this.cur;
    if (!c.payload && c.frame) {
      // A generic mutation of an earlier frame: read the request out of it as the home agent would.
      const u = P.udpOf(P.parseEthIp(c.frame));
      if (u && u.dport === 434) { c.payload = u.data; c.req = O.parseRequest(u.data); }
    }
    const q = c.req;
    const ipp = c.frame && P.parseEthIp(c.frame);
    if ((!q || !c.payload) && ipp && (ipp.frag & 0x3fff) !== 0) {
      // A fragment completed a datagram the board reassembled (RFC 1122 §3.3.2): what it accepted is not in
      // this one frame. The fuzzer never fragments requests on purpose; count it and follow the board.
      this.stats.reassembledAccepts = (this.stats.reassembledAccepts ?? 0) + 1;
      return "*";
    }
    if (!q || !c.payload) { this.violate("ha-auth", `accepted a frame the oracle cannot read as a Registration Request (${c.kind})`); return null; }
    const h = this.byAddr.get(q.home);
    const valid = h ? O.authVerifies(c.payload, 24, 32, h.sa) : false;
    let ok = valid;
    if (!valid) {
      const other = q.home === HA.FA_PEER ? this.faSa : null;
      if (other && O.authVerifies(c.payload, 24, 32, other)) this.violate("ha-sa-use", `request for ${fmtIp(q.home)} accepted on a mobile-home authenticator made with a ${other.use} association`);
      else this.violate("ha-auth", `accepted a ${c.kind} request for ${fmtIp(q.home)} whose mobile-home authenticator does not verify`);
    } else if (!h.onPrefix) {
      ok = false;
      this.violate("ha-home-prefix", `accepted a registration for ${fmtIp(q.home)}, outside the home prefix 10.0.0.0/24`);
    }
    if (h && h.sa.replay === "nonces") {
      const n = Number(q.id >> 32n);
      if (valid && h.nonce === null) { ok = false; this.violate("ha-replay", `${c.kind} request for ${fmtIp(q.home)} accepted with nonce ${n.toString(16)} before the home agent issued one`); }
      else if (valid && n !== h.nonce) { ok = false; this.violate("ha-replay", `${c.kind} request for ${fmtIp(q.home)} accepted with nonce ${n.toString(16)}, issued ${h.nonce.toString(16)}`); }
      h.nonce = null; // used: the reply brings the next one
    } else if (h) {
      const now = this.nowSec();
      const u = O.unwrapId(q.id, now);
      const d = (u >> 32n) - now;
      if (valid && (d > BigInt(this.window + 1) || -d > BigInt(this.window + 1))) { ok = false; this.violate("ha-replay", `${c.kind} request for ${fmtIp(q.home)} accepted with a timestamp ${d} s from the home agent's time (window ${this.window} s)`); }
      else if (valid && h.lastU !== null && u <= h.lastU) { ok = false; this.violate("ha-replay", `${c.kind} request for ${fmtIp(q.home)} accepted with identification ${hexId(q.id)}, not newer than the last accepted ${hexId(BigInt.asUintN(64, h.lastU))}`); }
      h.lastU = u; // what the home agent now holds
    }
    if (ok) h.acceptedIds.add(q.id);
    else this.reported.add(`${q.home}:${q.id}`);
    if (ok && q.lifetime > 0) {
      const granted = Math.min(q.lifetime, this.maxGrant);
      const b = live.find((x) => x.home === q.home && x.careOf === q.coa);
      if (!b || b.lifetimeSec !== granted || b.expiresAtMs !== this.t + granted * 1000) {
        this.violate("ha-binding-trace", `accepted ${fmtIp(q.home)} at ${fmtIp(q.coa)} for ${granted} s but the binding is ${b ? `${b.lifetimeSec} s until ${b.expiresAtMs}` : "missing"}`);
      }
    }
    return q.home;
  }

  checkFresh(c, replies, live) {
    const q = c.req;
    // A reply to an address that is itself bound goes into that tunnel (RFC 2002 §4.2.3): only another
    // invariant's failure binds a foreign agent's or care-of address, so that is not judged here.
    if (live.some((b) => b.home === c.src)) return;
    const x = replies.find((y) => y.rep.home === q.home && low32(y.rep.id) === low32(q.id));
    if (!x) { this.violate("ha-fresh-accepted", `no reply to a clean ${c.kind} request for ${fmtIp(q.home)} (${hexId(q.id)})`); return; }
    const code = x.rep.code;
    if (code === 0 || code === 130) return;
    if (code === 135 && (q.flags & 0x80)) return;
    const era = this.nowSec() >> 32n;
    this.violate("ha-fresh-accepted", `clean ${c.kind} request for ${fmtIp(q.home)} (identification ${hexId(q.id)}, home agent NTP ${O.wireSec(this.nowSec())}${era > 0n ? `, era ${era}: after the 2036 wrap` : ""}) denied with ${code}`);
  }

  checkProbe(c, live) {
    const want = live.filter((b) => b.home === c.home && haPoolCoa(b.careOf)).map((b) => b.careOf);
    if (!want.length) return;
    const got = new Set();
    for (const e of this.log) {
      if (!e.tx) continue;
      const p = P.parseEthIp(e.frame);
      const q = P.innerHeader(p);  // a first fragment counts (a tunnel entry that fragments, RFC 2003 §5.1)
      if (q && q.src === HA.FAR && q.dst === c.home && q.id === c.id) got.add(p.dst);
    }
    for (const coa of want) {
      if (!got.has(coa)) {
        const why = this.forgedAbout.get(coa);
        this.violate("ha-tunnel-mtu", `datagram of ${c.len} bytes to ${fmtIp(c.home)} not tunnelled to live care-of address ${fmtIp(coa)}${why ? ` (last forged ICMP error about it: ${why})` : ""}`);
      }
    }
  }
}

function sameBindings(a, b) {
  if (a.length !== b.length) return false;
  const k = (x) => `${x.careOf}/${x.expiresAtMs}/${x.lifetimeSec}/${x.flags}/${x.encapsulation}`;
  const s = new Set(a.map(k));
  return b.every((x) => s.has(k(x)));
}
const showBindings = (a) => (a.length ? a.map((b) => `${fmtIp(b.careOf)}(${b.lifetimeSec}s until ${b.expiresAtMs})`).join(",") : "none");

/** Extensions after the fixed part as byte arrays (TLV walk; a truncated tail becomes one last piece). */
function exts(m, fixed) {
  const out = [];
  let o = fixed;
  while (o < m.length) {
    const n = o + 1 < m.length ? 2 + m[o + 1] : 1;
    out.push(m.slice(o, Math.min(m.length, o + n)));
    o += n;
  }
  return out;
}

/** An extension of a type 128-255 the core does not know (160 Binding Warning, 161 Registration Key Request, 162 Mobile-Foreign Key: it knows them): skipped (RFC 2002 §1.9). */
function skippableExt(r) {
  const x = r.bytes(r.range(2, 12));
  do x[0] = 128 + r.int(128); while (x[0] >= 160 && x[0] <= 162);
  x[1] = x.length - 2;
  return x;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// ---- foreign agent ----------------------------------------------------------------------------------

/** How long a foreign agent waits for the reply to a relayed request (RFC 3344 §3.7.1; fa.ts PENDING_MS). */
const PENDING_WINDOW_MS = 7000;

const FA = {
  AP: ip("10.2.0.1"), UP: ip("10.9.1.1"), ROUTER: ip("10.9.1.254"), CN: ip("10.77.0.9"),
  AP_MAC: mac("02:00:00:00:1a:01"), UP_MAC: mac("02:00:00:00:1b:01"), ROUTER_MAC: mac("02:00:00:00:1b:fe"),
  HA1: ip("10.0.0.1"), HA2: ip("10.0.1.1"),
  ATTACKERS: [mac("02:00:00:00:66:01"), mac("02:00:00:00:66:02")],
  MIP_AGENTS: ip("224.0.0.11"),
};

class FaWorld extends World {
  constructor(seed, opts) { super("fa", seed, opts); this.stats = { requests: 0, relays: 0, validReplies: 0, forged: 0, accepted: 0, deliveries: 0 }; this.newEpisode(); }

  newEpisode() {
    const r = this.r;
    this.maxLife = r.pick([60, 300, 600]);
    this.fh = { spi: 4096, algorithm: r.pick(["hmac-md5", "keyed-md5"]), key: r.bytes(16) };
    this.fh.coverSpi = this.fh.algorithm === "hmac-md5";
    this.mf = { spi: 4097, algorithm: "keyed-md5", key: r.bytes(12), coverSpi: false };
    const homes = [["10.0.0.5", FA.HA1], ["10.0.0.6", FA.HA1], ["10.0.0.7", FA.HA1], ["10.0.0.8", FA.HA1], ["10.0.1.5", FA.HA2], ["10.0.1.6", FA.HA2]];
    this.homes = homes.map(([a, ha], i) => ({
      addr: ip(a), ha, i, mnMac: mac(`02:00:00:00:2a:${(0x10 + i).toString(16)}`),
      mh: { spi: 0x1000 + i, algorithm: r.pick(["hmac-md5", "keyed-md5"]), key: r.bytes(16) },
      mfAuth: a === "10.0.0.8", sent: [],
    }));
    for (const h of this.homes) h.mh.coverSpi = h.mh.algorithm === "hmac-md5";
    this.byAddr = new Map(this.homes.map((h) => [h.addr, h]));
    const json = {
      name: "fa", board: "emulated", roles: ["foreign-agent"],
      interfaces: [
        { name: "ap0", mac: "02:00:00:00:1a:01", ipv4: "10.2.0.1/24", advertise: true },
        { name: "up0", mac: "02:00:00:00:1b:01", ipv4: "10.9.1.1/24" },
      ],
      routes: [{ dest: "default", via: "10.9.1.254" }],
      sizes: { visitors: r.range(2, 6), arpEntries: r.range(8, 32) },
      mobility: { ...(this.ro ? { routeOptimization: { enabled: true, smoothHandoff: true } } : {}), lifetimeSec: this.maxLife, encapsulations: ["ipip", "minimal", "gre"] },
      securityAssociations: [
        { peer: fmtIp(FA.HA2), spi: this.fh.spi, algorithm: this.fh.algorithm, key: hex(this.fh.key), use: "foreign-home" },
        { peer: "10.0.0.8", spi: this.mf.spi, algorithm: this.mf.algorithm, key: hex(this.mf.key), use: "mobile-foreign" },
      ],
    };
    this.boot(json);
    this.onReboot();
  }

  onReboot() {
    this.injected = new Map();   // `${home}:${id}` -> Map(MAC -> when it first sent a request with it)
    this.relays = new Map();     // `${home}:${id}` -> relayed request (from the agent's transmissions)
    this.relayIds = new Set();   // `${src}:${dst}:${ipId}` of relayed datagrams
    this.relayList = [];
    this.model = new Map();      // home -> { mac, expiresAtMs } of the valid registration in force
    this.prevAcc = new Map();    // home -> snapshot of the accepted part last step
  }

  neighbour(iface, a) { return iface === 1 && a === FA.ROUTER ? FA.ROUTER_MAC : null; }

  /** Record that a request with `key` (home:id) was sent from `mac` now (a Map mac -> first time, in order). */
  sentBy(key, mac) {
    let senders = this.injected.get(key);
    if (!senders) {
      if (this.injected.size >= 8192) { let n = 4096; for (const k of this.injected.keys()) { this.injected.delete(k); if (--n === 0) break; } }
      this.injected.set(key, (senders = new Map()));
    }
    if (mac && !senders.has(mac)) senders.set(mac, this.t);
  }

  before() {}

  act() {
    const x = this.r.int(1000);
    if (x < 200) this.mnRequest(false);
    else if (x < 280) this.mnRequest(true);
    else if (x < 440) this.haReply();
    else if (x < 540) this.forgedReply();
    else if (x < 680) this.tunnelToVisitor();
    else if (x < 740) this.icmpError();
    else if (x < 800) this.linkNoise();
    else this.genericMutation();
  }

  /** A request on the visitor link: the node's own (from its MAC), or an attacker's for a victim's home address. */
  mnRequest(attacker) {
    const r = this.r;
    const accepted = [...this.model.keys()];
    const h = (attacker && accepted.length && r.chance(0.7) && this.byAddr.get(r.pick(accepted))) || r.pick(this.homes);
    const srcMac = attacker ? r.pick(FA.ATTACKERS) : h.mnMac;
    let m;
    if (attacker && h.sent.length && r.chance(0.4)) {
      m = r.pick(h.sent);                                            // the victim's captured request, verbatim
    } else {
      const coloc = r.chance(0.1);
      let flags = coloc ? 0x20 : 0;
      if (r.chance(0.1)) flags |= 0x10;
      if (r.chance(0.1)) flags |= 0x08;
      if (r.chance(0.03)) flags |= 0x04;
      const lifetime = r.chance(0.15) ? 0 : r.chance(0.1) ? r.range(this.maxLife + 1, 65535) : r.range(1, this.maxLife);
      const id = (O.wireSec(O.ntpSeconds(this.t)) << 32n) | BigInt(r.next());
      const ha = r.chance(0.95) ? h.ha : r.pick([FA.HA1, FA.HA2, ip("10.0.9.1")]);
      m = O.request({ flags, lifetime, home: h.addr, ha, coa: coloc ? ip("10.2.0.77") : FA.AP, id });
      const k = r.int(10);
      if (!attacker && k < 9) m = O.sign(m, 32, h.mh);
      else if (k < 5) m = O.sign(m, 32, { ...h.mh, key: r.bytes(16) });
      if (h.mfAuth && (!attacker || r.chance(0.5))) m = O.sign(m, 33, r.chance(0.9) && !attacker ? this.mf : { ...this.mf, key: r.bytes(12) });
      if (!attacker) { if (h.sent.length < 8) h.sent.push(m); else h.sent[r.int(8)] = m; }
    }
    const q = O.parseRequest(m);
    this.sentBy(`${q.home}:${q.id}`, fmtMac(srcMac));
    this.cur.kind = attacker ? "attacker-request" : "request";
    this.stats.requests++;
    const dst = r.chance(0.8) ? FA.AP : r.chance(0.5) ? FA.MIP_AGENTS : 0xffffffff;
    const dmac = dst === FA.AP ? FA.AP_MAC : dst === FA.MIP_AGENTS ? mac("01:00:5e:00:00:0b") : P.BCAST_MAC;
    this.rx(0, P.eth(dmac, srcMac, 0x0800, P.udp(q.home, dst, r.chance(0.7) ? 434 : r.range(1024, 65535), 434, m, { id: this.nextIpId(), ttl: 1 })));
  }

  pickRelay() {
    if (!this.relayList.length) return null;
    const r = this.r;
    return r.chance(0.7) ? this.relayList[this.relayList.length - 1 - r.int(Math.min(4, this.relayList.length))] : r.pick(this.relayList);
  }

  /** The home agent's own reply to a relayed request (what the real one would send). */
  haReply() {
    const r = this.r;
    const rel = this.pickRelay();
    if (!rel) return this.mnRequest(false);
    const h = this.byAddr.get(rel.home);
    let code = rel.valid ? (r.chance(0.85) ? r.pick([0, 0, 0, 1]) : r.pick([133, 130, 135, 136])) : 131;
    // A home agent accepts a request once; a copy relayed again is a replay (RFC 2002 §5.6: 133).
    if (code <= 1 && rel.answered) code = 133;
    if (code <= 1) rel.answered = true;
    let id = rel.id;
    if (code === 133) id = (BigInt(r.next()) << 32n) | low32(rel.id);
    let lifetime = code > 1 ? 0 : r.chance(0.8) ? Math.min(rel.lifetime, 600) : r.range(1, 65535);   // a grant above the request sometimes (RFC 2002 §3.7.3.2 caps it)
    let m = O.reply({ code, lifetime, home: rel.home, ha: rel.ha, id });
    if (h) m = O.sign(m, 32, h.mh);
    if (rel.ha === FA.HA2) m = O.sign(m, 34, this.fh);
    this.cur.kind = "ha-reply";
    this.stats.validReplies++;
    this.rx(1, P.eth(FA.UP_MAC, FA.ROUTER_MAC, 0x0800, P.udp(rel.ha, rel.relaySrc, 434, rel.sport, m, { id: this.nextIpId(), ttl: 60 })));
  }

  /** Replies that are not the home agent's: wrong source, port, interface, half the Identification, no foreign-home authenticator. */
  forgedReply() {
    const r = this.r;
    const rel = this.pickRelay();
    // (a relayed request may be a mutation's, for a home address this world does not know)
    const h = (rel && this.byAddr.get(rel.home)) ?? r.pick(this.homes);
    const home = rel ? rel.home : h.addr;
    const ha = rel ? rel.ha : h.ha;
    let id = rel ? rel.id : r.u64();
    let src = ha, sport = 434, iface = 1, srcMac = FA.ROUTER_MAC;
    // Without a foreign-home association a reply with every field right is the home agent's as far as
    // anyone can tell: that variant (no foreign-home authenticator) only for the one we share an association with.
    switch (r.int(ha === FA.HA2 ? 5 : 4)) {
      case 0: src = r.chance(0.5) ? r.pick([FA.HA1, FA.HA2, ip("10.0.0.5")]) : r.next(); if (src === ha) src ^= 1; break;
      case 1: sport = r.chance(0.5) ? 435 : r.range(1, 65535); if (sport === 434) sport = 433; break;
      case 2: iface = 0; srcMac = r.pick(FA.ATTACKERS); break;
      case 3: id = ((BigInt((r.next() | 1) >>> 0) << 32n) ^ (id & 0xffffffff00000000n)) | low32(id); break;
      default: break; // no foreign-home authenticator below (matters for the home agent we share one with)
    }
    let m = O.reply({ code: r.chance(0.8) ? 0 : 1, lifetime: r.range(1, 600), home, ha, id });
    if (r.chance(0.5)) m = O.sign(m, 32, { ...h.mh, key: r.bytes(16) });
    if (ha === FA.HA2 && r.chance(0.3)) m = O.sign(m, 34, { ...this.fh, key: r.bytes(16) });  // a guessed foreign-home key
    this.cur.kind = "forged-reply";
    this.stats.forged++;
    const dmac = iface === 1 ? FA.UP_MAC : FA.AP_MAC;
    this.rx(iface, P.eth(dmac, srcMac, 0x0800, P.udp(src, rel ? rel.relaySrc : FA.AP, sport, rel ? rel.sport : 434, m, { id: this.nextIpId(), ttl: 60 })));
  }

  /** The home agent tunnels a correspondent's datagram to the agent's care-of address. */
  tunnelToVisitor() {
    const r = this.r;
    const acc = [...this.model.keys()];
    const home = acc.length && r.chance(0.8) ? r.pick(acc) : r.pick(this.homes).addr;
    const h = this.byAddr.get(home);
    const id = this.nextIpId();
    const inner = P.udp(FA.CN, home, 7000, 7001, r.bytes(r.range(8, 200)), { id, ttl: 30 });
    const enc = r.pick([P.ipip, P.ipip, P.gre, P.minimal]);
    this.cur.kind = "deliver"; this.cur.home = home; this.cur.id = id;
    this.rx(1, P.eth(FA.UP_MAC, FA.ROUTER_MAC, 0x0800, enc(h ? h.ha : FA.HA1, FA.AP, inner, { id: this.nextIpId() })));
  }

  /** ICMP errors to the agent: quoting one of its relays, or something it never sent (point 7). */
  icmpError() {
    const r = this.r;
    const rel = this.pickRelay();
    let quote;
    if (rel && r.chance(0.5)) quote = rel.datagram.subarray(0, Math.min(rel.datagram.length, r.chance(0.5) ? 28 : 60));
    else {
      const h = r.pick(this.homes);
      const m = O.request({ flags: 0, lifetime: 300, home: h.addr, ha: h.ha, coa: FA.AP, id: r.u64() });
      quote = P.udp(FA.AP, rel && r.chance(0.5) ? rel.ha : h.ha, 434, 434, m, { id: r.int(65536) }).subarray(0, r.chance(0.5) ? 28 : 60);
    }
    const type = r.chance(0.8) ? 3 : r.pick([11, 12]);
    const code = type === 3 ? r.pick([0, 1, 3, 6, 9, 10, 13]) : 0;
    this.cur.kind = "icmp";
    this.rx(1, P.eth(FA.UP_MAC, FA.ROUTER_MAC, 0x0800, P.icmp(ip("10.66.0.1"), FA.AP, type, code, 0, quote, { id: this.nextIpId() })));
  }

  linkNoise() {
    const r = this.r;
    const h = r.pick(this.homes);
    this.cur.kind = "noise";
    switch (r.int(4)) {
      case 0: this.rx(0, P.eth(mac("01:00:5e:00:00:02"), h.mnMac, 0x0800, P.icmp(h.addr, ip("224.0.0.2"), 10, 0, 0, new Uint8Array(0), { ttl: 1 }))); break;
      case 1: this.rx(0, P.arp(1, h.mnMac, h.addr, P.ZERO_MAC, FA.AP)); break;
      case 2: this.rx(0, P.eth(FA.AP_MAC, h.mnMac, 0x0800, P.udp(h.addr, FA.CN, 5000, 5001, r.bytes(r.int(300)), { id: this.nextIpId() }))); break;
      default: this.rx(1, P.eth(FA.UP_MAC, FA.ROUTER_MAC, 0x0800, P.udp(FA.CN, h.addr, 7000, 7001, r.bytes(r.int(100)), { id: this.nextIpId() })));
    }
  }

  /** Relays the agent sent this step (Registration Requests to 434 on the uplink). */
  collectRelays() {
    // Whatever request this step's frame carried (a generic mutation too) came from its Ethernet source --
    // when the agent received it at all: a frame to another unicast MAC (a mutated destination) is not
    // for the agent, so it cannot count as the first copy of anything.
    const c = this.cur;
    const forAgent = c.frame && ((c.frame[0] & 1) !== 0 || FA.AP_MAC.every((b, i) => c.frame[i] === b));
    const u = forAgent && c.iface === 0 ? P.udpOf(P.parseEthIp(c.frame)) : null;
    const q = u && u.dport === 434 ? O.parseRequest(u.data) : null;
    if (q) this.sentBy(`${q.home}:${q.id}`, fmtMac(c.frame.subarray(6, 12)));
    for (const e of this.log) {
      if (!e.tx || e.iface !== 1) continue;
      const p = P.parseEthIp(e.frame);
      const u = P.udpOf(p);
      if (!u || u.dport !== 434) continue;
      const q = O.parseRequest(u.data);
      if (!q) continue;
      const key = `${q.home}:${q.id}`;
      this.relayIds.add(`${p.src}:${p.dst}:${p.id}`);
      const h = this.byAddr.get(q.home);
      let rel = this.relays.get(key);
      if (!rel) {
        this.sentBy(key, null);
        rel = { key, home: q.home, id: q.id, ha: p.dst, relaySrc: p.src, sport: u.sport, lifetime: q.lifetime, macs: this.injected.get(key), valid: !!h && O.authVerifies(u.data, 24, 32, h.mh), datagram: e.frame.slice(14, 14 + p.tl) };
        this.relays.set(key, rel);
        this.relayList.push(rel);
        if (this.relayList.length > 64) { const old = this.relayList.shift(); this.relays.delete(old.key); }
      } else {
        // Relayed again (a copy sent long after its original's entries ended): the newest of the 64 now,
        // so the model does not forget it before the home agent's answer.
        this.relayList.splice(this.relayList.indexOf(rel), 1);
        this.relayList.push(rel);
      }
      this.stats.relays++;
    }
  }

  /** Is this step's frame a valid reply of the home agent (RFC 2002 §3.7.3.1 + issue 7 point 2)? */
  validReply() {
    const c = this.cur;
    if (!c.frame) return { ok: false, why: "no reply in this step" };
    const p = P.parseEthIp(c.frame);
    const u = P.udpOf(p);
    const rep = u && u.dport === 434 ? O.parseReply(u.data) : null;
    if (!rep) return { ok: false, why: `this step's frame is not a Registration Reply (${c.kind})` };
    const rel = this.relays.get(`${rep.home}:${rep.id}`);
    if (c.iface !== 1) return { ok: false, rep, why: `reply arrived on interface ${c.iface}, the request was relayed out of 1` };
    if (!rel) return { ok: false, rep, why: `reply Identification ${hexId(rep.id)} matches no relayed request in all 64 bits` };
    if (p.src !== rel.ha) return { ok: false, rep, why: `reply from ${fmtIp(p.src)}, the request went to ${fmtIp(rel.ha)}` };
    if (u.sport !== 434) return { ok: false, rep, why: `reply from UDP port ${u.sport}, not 434` };
    if (rel.ha === FA.HA2 && !O.authVerifies(u.data, 20, 34, this.fh)) return { ok: false, rep, why: "no valid foreign-home authenticator from the home agent we share an association with" };
    return { ok: true, rep, rel };
  }

  check() {
    this.collectRelays();
    const t = this.t;
    const vis = this.board.dump("visitors");
    if (vis.length > this.cfg.sizes.visitors) this.violate("capacity", `${vis.length} visitors, sizes.visitors ${this.cfg.sizes.visitors}`);
    let vr = null;
    const seen = new Set();
    for (const v of vis) {
      if (!(v.state & 2)) continue;
      seen.add(v.home);
      const snap = `${v.mac}|${v.homeAgent}|${v.lifetimeSec}|${v.expiresAtMs}|${v.iface}`;
      if (this.prevAcc.get(v.home) === snap) continue;
      this.prevAcc.set(v.home, snap);
      this.stats.accepted++;
      vr ??= this.validReply();
      const who = `visitor ${fmtIp(v.home)} accepted at ${v.mac} (${v.lifetimeSec} s)`;
      if (!vr.ok || vr.rep.home !== v.home || vr.rep.code > 1) {
        this.violate("fa-accept", `${who} on ${this.cur.kind}: ${vr.ok ? `the valid reply is for ${fmtIp(vr.rep.home)} code ${vr.rep.code}` : vr.why}`);
        continue;
      }
      const senders = [...vr.rel.macs];
      const list = () => senders.map(([m, at]) => `${m} at ${at}`).join(", ") || "nobody";
      if (!vr.rel.macs.has(v.mac)) {
        this.violate("fa-accept", `${who}, but request ${hexId(vr.rel.id)} was sent from ${list()}`);
        continue;
      }
      // The home agent's acceptance answers the request first sent with this Identification; a verbatim
      // copy sent later from another MAC is a replay (the home agent answers it 133). Only copies of a request
      // the agent may still be waiting for count (7 s, RFC 3344 §3.7.1).
      const mine = vr.rel.macs.get(v.mac);
      const earlier = senders.find(([m, at]) => m !== v.mac && at < mine && at >= t - PENDING_WINDOW_MS);
      if (earlier) {
        // Reported here once; the delivery model follows it so fa-delivery stays about unauthenticated acceptance.
        this.violate("fa-copy", `${who} on the reply to request ${hexId(vr.rel.id)}, which ${earlier[0]} sent first: ${list()}`);
      }
      const life = Math.min(vr.rep.lifetime, vr.rel.lifetime);
      if (v.lifetimeSec === 0 || v.lifetimeSec !== life || v.expiresAtMs !== t + life * 1000) {
        this.violate("fa-expiry", `${who} until ${v.expiresAtMs}: reply granted ${vr.rep.lifetime} s, request asked ${vr.rel.lifetime} s`);
        continue;
      }
      this.model.set(v.home, { mac: v.mac, expiresAtMs: v.expiresAtMs });
    }
    for (const home of [...this.prevAcc.keys()]) if (!seen.has(home)) { this.prevAcc.delete(home); this.model.delete(home); }
    for (const [home, m] of this.model) if (m.expiresAtMs <= t) this.model.delete(home);

    const c = this.cur;
    if (c.kind === "deliver") {
      for (const e of this.log) {
        if (!e.tx || e.iface !== 0) continue;
        const p = P.parseEthIp(e.frame);
        if (!p || p.dst !== c.home || p.id !== c.id || p.src !== FA.CN) continue;
        this.stats.deliveries++;
        const to = fmtMac(e.frame.subarray(0, 6));
        const m = this.model.get(c.home);
        const v = vis.find((x) => x.home === c.home && (x.state & 2));
        if (!m) {
          if (v && (v.expiresAtMs <= t || v.lifetimeSec === 0)) this.violate("fa-expiry", `datagram for ${fmtIp(c.home)} delivered to ${to} after its registration ended (${v.lifetimeSec} s, expiry ${v.expiresAtMs}, now ${t})`);
          else this.violate("fa-delivery", `datagram for ${fmtIp(c.home)} delivered to ${to} without a valid registration`);
        } else if (to !== m.mac) this.violate("fa-delivery", `datagram for ${fmtIp(c.home)} delivered to ${to}, the registered visitor is ${m.mac}`);
      }
    }
    // Denials 80-88 that the agent originates: only about an ICMP error quoting one of its relays.
    for (const e of this.log) {
      if (!e.tx || e.iface !== 0) continue;
      const p = P.parseEthIp(e.frame);
      const u = P.udpOf(p);
      if (!u || u.sport !== 434) continue;
      const rep = O.parseReply(u.data);
      if (!rep || rep.code < 80 || rep.code > 88) continue;
      if (this.isRequestFrame()) continue; // 80 for "no route" answers a request itself
      if (!this.quotesRelay()) this.violate("fa-icmp", `denied ${fmtIp(rep.home)} with ${rep.code} on an ICMP error that quotes no relayed request`);
    }
  }

  isRequestFrame() {
    const p = this.cur.frame && P.parseEthIp(this.cur.frame);
    const u = P.udpOf(p);
    return !!u && u.dport === 434 && u.data[0] === 1;
  }

  quotesRelay() {
    const p = this.cur.frame && P.parseEthIp(this.cur.frame);
    if (!p || p.proto !== 1 || p.pay.length < 8 + 28) return false;
    // The quoted header (RFC 792: header + 8 bytes; its Total Length may exceed what is quoted).
    const qp = p.pay.subarray(8);
    const hl = (qp[0] & 15) * 4;
    if (qp[0] >> 4 !== 4 || hl < 20 || qp.length < hl + 4) return false;
    return this.relayIds.has(`${P.be32(qp, 12)}:${P.be32(qp, 16)}:${P.be16(qp, 4)}`) && P.be16(qp, hl) === 434 && P.be16(qp, hl + 2) === 434 && qp[9] === 17;
  }
}

// ---- mobile node ------------------------------------------------------------------------------------

const MN = {
  HOME: ip("10.1.0.5"), HA: ip("10.1.0.1"), HA2: ip("10.1.0.2"), MAC: mac("02:00:00:00:00:05"),
  HA_MAC: mac("02:00:00:00:01:01"), PREFIX: ip("10.1.0.0"), MASK: 0xffffff00,
  FAS: [[ip("10.2.0.1"), mac("02:00:00:00:02:01")], [ip("10.3.0.1"), mac("02:00:00:00:03:01")]],
  ALL_NODES: ip("224.0.0.1"), ALL_NODES_MAC: mac("01:00:5e:00:00:01"), CN: ip("10.77.0.9"),
};
const onMnPrefix = (a) => ((a & MN.MASK) >>> 0) === MN.PREFIX;
const EV = { REG_REQUEST: 5, REG_REPLY: 6, HOME: 13 };

class MnWorld extends World {
  constructor(seed, opts) { super("mn", seed, opts); this.stats = { requests: 0, replies: 0, accepted: 0, floods: 0, homeEvents: 0 }; this.newEpisode(); }

  newEpisode() {
    const r = this.r;
    this.replay = r.chance(0.3) ? "nonces" : "timestamps";
    this.kha = { peer: MN.HA, spi: 0x1234, algorithm: r.pick(["hmac-md5", "keyed-md5"]), key: r.bytes(16) };
    this.kha.coverSpi = this.kha.algorithm === "hmac-md5";
    this.k2 = { peer: MN.HA2, spi: 0x2345, algorithm: "hmac-md5", key: r.bytes(16), coverSpi: true };
    const json = {
      name: "mn", board: "emulated", roles: ["mobile-node"],
      interfaces: [{ name: "wlan0", mac: "02:00:00:00:00:05", ipv4: "10.1.0.5/24" }],
      routes: [{ dest: "default", via: "10.1.0.1" }],
      mobility: { ...(this.ro ? { routeOptimization: { enabled: true, smoothHandoff: true } } : {}),
        homeAgent: "10.1.0.1", lifetimeSec: r.pick([20, 60, 300, 600]), colocated: "never", retransmitMs: 1000,
        retransmitMaxMs: r.pick([1000, 4000, 8000, 16000]), solicitIntervalMs: 1000, replay: this.replay,
      },
      securityAssociations: [
        { peer: "10.1.0.1", spi: this.kha.spi, algorithm: this.kha.algorithm, key: hex(this.kha.key), replay: this.replay },
        { peer: "10.1.0.2", spi: this.k2.spi, algorithm: "hmac-md5", key: hex(this.k2.key), replay: this.replay },
      ],
    };
    this.boot(json);
    this.onReboot();
  }

  onReboot() {
    this.lastReq = null;        // the last Registration Request the node sent
    this.lastReqT = null;
    this.prevId = new Map();    // home agent -> last timestamp Identification sent to it
    this.qual = new Map();      // agent address -> until when a qualifying "you are home" advertisement holds
    this.seq = new Map();
    this.rogue = 0;
  }

  neighbour(iface, a) {
    if (a === MN.HA || onMnPrefix(a)) return MN.HA_MAC;
    for (const [fa, m] of MN.FAS) if (a === fa) return m;
    return null;
  }

  saOf(peer) { return peer === MN.HA ? this.kha : peer === MN.HA2 ? this.k2 : null; }

  before() {}

  act() {
    if (this.burst > 0) return this.advert(this.rogueAgent(), { seqReset: this.r.chance(0.2) });
    const x = this.r.int(1000);
    if (x < 160) this.advert(this.r.pick(MN.FAS), { seqReset: this.r.chance(0.05) });
    else if (x < 175) { this.burst = this.r.range(20, 80); this.stats.floods++; this.advert(this.rogueAgent()); }
    else if (x < 215) this.advert([MN.HA, MN.HA_MAC], { home: true });
    else if (x < 275) this.spoofedHomeAdvert();
    else if (x < 470) this.validReply();
    else if (x < 570) this.forgedReply();
    else if (x < 640) this.traffic();
    else this.genericMutation();
  }

  rogueAgent() {
    const k = this.rogue++ % 200;
    return [ip(`10.${100 + (k >> 2)}.${k & 3}.1`), mac(`02:00:00:66:${(k >> 8).toString(16).padStart(2, "0")}:${(k & 255).toString(16).padStart(2, "0")}`)];
  }

  advert([src, smac], { home = false, seqReset = false } = {}) {
    const r = this.r;
    let seq = this.seq.get(src) ?? r.int(300);
    seq = seqReset ? r.int(256) : (seq + 1) & 0xffff;
    this.seq.set(src, seq);
    const flags = home ? 0x2000 | (r.chance(0.5) ? 0x1000 : 0) : 0x1000 | (r.chance(0.05) ? 0x4000 : 0) | (r.chance(0.2) ? 0x8000 : 0);
    const lifetime = r.pick([1, 3, 3, 10, 60]);
    const adv = P.agentAdvert({ routers: [src], lifetime, seq, regLife: r.pick([0, 20, 60, 600]), flags, coas: flags & 0x1000 ? [src] : [], plen: r.chance(0.9) ? 24 : null });
    this.cur.kind = home ? "ha-advert" : "advert";
    const ttl = r.chance(0.97) ? 1 : r.range(2, 64);
    this.rx(0, P.eth(MN.ALL_NODES_MAC, smac, 0x0800, P.advertDatagram(src, MN.ALL_NODES, adv, { ttl, id: this.nextIpId() })));
  }

  /** "You are home": source on the home prefix, but TTL > 1 or inside a tunnel (point 1). */
  spoofedHomeAdvert() {
    const r = this.r;
    const src = (MN.PREFIX | r.range(2, 254)) >>> 0;
    const adv = P.agentAdvert({ routers: [src], lifetime: r.pick([3, 300, 9000]), seq: r.int(65536), flags: 0x2000 | 0x1000, coas: [src] });
    const k = r.int(4);
    this.cur.kind = "spoofed-home-advert";
    const id = this.nextIpId();
    if (k === 0) { this.rx(0, P.eth(MN.MAC, MN.FAS[0][1], 0x0800, P.advertDatagram(src, MN.HOME, adv, { ttl: r.range(2, 64), id }))); return; }
    const inner = P.advertDatagram(src, MN.HOME, adv, { ttl: r.chance(0.5) ? 1 : r.range(2, 64), id });
    const enc = k === 1 ? P.ipip : k === 2 ? P.gre : P.minimal;
    this.rx(0, P.eth(MN.MAC, MN.FAS[0][1], 0x0800, enc(MN.HA, MN.HOME, inner, { id: this.nextIpId() })));
  }

  /** The reply the home agent (through the agent the request went to) would send. */
  validReply() {
    const r = this.r;
    const L = this.lastReq;
    if (!L) return this.advert(r.pick(MN.FAS));
    const k = r.int(100);
    let code, auth = true;
    if (k < 55) code = r.chance(0.9) ? 0 : 1;
    else if (k < 75) code = 133;
    else if (k < 85) { code = r.pick([64, 65, 66, 69, 70, 80, 88]); auth = false; }
    else code = r.pick([130, 131, 135, 136]);
    let id = L.id;
    if (code === 133 && this.replay === "timestamps") id = (O.wireSec(O.ntpSeconds(this.t) + BigInt(r.range(-500, 500))) << 32n) | low32(L.id);
    else if (this.replay === "nonces") id = (BigInt((r.next() | 1) >>> 0) << 32n) | low32(L.id);
    const lifetime = code <= 1 ? (r.chance(0.8) ? L.lifetime : r.range(0, 65535)) : code === 69 ? r.range(1, 60) : 0;
    let m = O.reply({ code, lifetime, home: MN.HOME, ha: L.ha, id });
    if (auth && this.saOf(L.ha)) m = O.sign(m, 32, this.saOf(L.ha));
    this.cur.kind = "reply";
    this.stats.replies++;
    const viaFa = L.dst !== L.ha;
    const src = viaFa ? L.dst : L.ha;
    const fm = MN.FAS.find(([a]) => a === L.dst)?.[1] ?? MN.HA_MAC;
    this.rx(0, P.eth(MN.MAC, fm, 0x0800, P.udp(src, MN.HOME, 434, L.sport, m, { id: this.nextIpId() })));
  }

  forgedReply() {
    const r = this.r;
    const L = this.lastReq ?? { id: r.u64(), ha: MN.HA, dst: MN.FAS[0][0], sport: 434, lifetime: 60 };
    let ha = L.ha, sa = this.saOf(L.ha), id = L.id;
    switch (r.int(5)) {
      case 0: ha = MN.HA2; sa = this.k2; break;                                   // point 8: another association's key, its home agent named
      case 1: sa = null; break;                                                   // unauthenticated acceptance
      case 2: sa = { ...(sa ?? this.kha), key: r.bytes(16) }; break;              // a guessed key
      case 3: id ^= BigInt(1 + r.int(0xffffffff)); break;                         // low 32 bits differ
      default: ha = MN.HA2; break;                                                // the right key, another home agent named
    }
    let m = O.reply({ code: r.chance(0.8) ? 0 : 133, lifetime: r.range(1, 600), home: MN.HOME, ha, id });
    if (sa) m = O.sign(m, 32, sa);
    this.cur.kind = "forged-reply";
    const [fa, fm] = r.pick(MN.FAS);
    this.rx(0, P.eth(MN.MAC, fm, 0x0800, P.udp(r.chance(0.5) ? fa : L.dst, MN.HOME, 434, L.sport, m, { id: this.nextIpId() })));
  }

  traffic() {
    const r = this.r;
    this.cur.kind = "traffic";
    const [fa, fm] = r.pick(MN.FAS);
    switch (r.int(4)) {
      case 0: this.rx(0, P.eth(MN.MAC, fm, 0x0800, P.udp(MN.CN, MN.HOME, 7000, 7001, r.bytes(r.int(200)), { id: this.nextIpId() }))); break;
      case 1: this.rx(0, P.eth(MN.MAC, fm, 0x0800, P.ipip(MN.HA, MN.HOME, P.udp(MN.CN, MN.HOME, 7000, 7001, r.bytes(40)), { id: this.nextIpId() }))); break;
      case 2: this.rx(0, P.arp(1, fm, fa, P.ZERO_MAC, MN.HOME)); break;
      default: this.rx(0, P.eth(MN.MAC, MN.HA_MAC, 0x0800, P.icmp(MN.HA, MN.HOME, 8, 0, 0x10001, r.bytes(16), { id: this.nextIpId() })));
    }
  }

  /** Is this step's frame an advertisement that may say "home": direct, TTL 1, source (or router address) on the home prefix. */
  qualifyingAdvert() {
    const c = this.cur;
    if (!c.frame || c.iface !== 0) return null;
    const p = P.parseEthIp(c.frame);
    if (!p || p.proto !== 1 || p.ttl !== 1 || p.pay.length < 16 || p.pay[0] !== 9) return null;
    const router = p.pay[4] > 0 ? P.be32(p.pay, 8) : p.src;
    if (!onMnPrefix(p.src) && !onMnPrefix(router)) return null;
    return { src: p.src, until: this.t + P.be16(p.pay, 6) * 1000 };
  }

  check() {
    const q = this.qualifyingAdvert();
    if (q) this.qual.set(q.src, Math.max(this.qual.get(q.src) ?? 0, q.until));
    for (const e of this.log) {
      if (e.tx) {
        const p = P.parseEthIp(e.frame);
        const u = P.udpOf(p);
        if (!u || u.dport !== 434) continue;
        const rq = O.parseRequest(u.data);
        if (!rq) continue;
        this.stats.requests++;
        if (this.lastReqT !== null && e.t - this.lastReqT < 1000) {
          this.violate("mn-rate", `Registration Requests ${e.t - this.lastReqT} ms apart (at ${this.lastReqT} and ${e.t}; ${this.cur.kind})`);
        }
        this.lastReqT = e.t;
        const sa = this.saOf(rq.ha);
        if (this.replay === "timestamps" && sa) {
          const prev = this.prevId.get(rq.ha);
          if (prev !== undefined && O.compareTimestamps(rq.id, prev.id, O.ntpSeconds(e.t)) <= 0) {
            this.violate("mn-id-order", `request Identification ${hexId(rq.id)} not above the previous one ${hexId(prev.id)} sent at ${prev.t} (${this.cur.kind})`);
          }
          this.prevId.set(rq.ha, { id: rq.id, t: e.t });
        }
        this.lastReq = { ...rq, dst: p.dst, sport: u.sport, t: e.t };
      } else if (e.kind === EV.REG_REPLY) {
        this.stats.accepted++;
        const code = e.data[2]; // ABI v2 REG_REPLY: lifetimeSec u16, code u8 at 2
        // The outstanding request is the last one sent before this event (log order).
        const L = this.lastReq;
        if (!this.replyJustified(L)) this.violate("mn-reply-auth", `accepted a reply (code ${code}) on ${this.cur.kind} that the oracle does not authenticate for the request to ${L ? fmtIp(L.ha) : "nobody"}`);
        if (code === 133) this.prevId.clear();
      } else if (e.kind === EV.HOME) {
        if (e.data[0] !== 1) continue;
        this.stats.homeEvents++;
        // ABI v2 HOME: agent ::ffff:a.b.c.d at 4 (network order; a.b.c.d in bytes 16..19).
        const agent = ((e.data[16] << 24) | (e.data[17] << 16) | (e.data[18] << 8) | e.data[19]) >>> 0;
        const until = this.qual.get(agent);
        if (until === undefined || until <= this.t) {
          this.violate("mn-home", `declared home on agent ${fmtIp(agent)} (${this.cur.kind}) without a direct TTL-1 advertisement from the home prefix`);
        }
      }
    }
  }

  replyJustified(L) {
    const c = this.cur;
    if (!L || !c.frame) return false;
    const p = P.parseEthIp(c.frame);
    const u = P.udpOf(p);
    if (!u || u.dport !== 434) return false;
    const rep = O.parseReply(u.data);
    if (!rep || rep.home !== MN.HOME || low32(rep.id) !== low32(L.id)) return false;
    const sa = this.saOf(L.ha);
    if (sa && O.authVerifies(u.data, 20, 32, sa)) return true;
    const hasMh = exts(u.data, 20).some((x) => x[0] === 32);
    return !hasMh && rep.code >= 64 && rep.code <= 88 && L.dst !== L.ha && p.src === L.dst;
  }
}

// ---- entry points -----------------------------------------------------------------------------------

export const ROLES = { ha: HaWorld, fa: FaWorld, mn: MnWorld };

export function makeWorld(role, seed, opts = {}) {
  const W = ROLES[role];
  if (!W) throw new RangeError(`unknown role ${role} (ha, fa, mn)`);
  return new W(seed, opts);
}

/** Run `frames` frames of `role` from `seed`; the world's report. */
export function fuzzRole(role, seed, frames, opts = {}) {
  return makeWorld(role, seed, opts).run(frames, opts).report();
}

/** One line per violation example, enough to replay: role, seed, step, frame. */
export function describeViolations(report) {
  const out = [];
  for (const [inv, v] of Object.entries(report.violations)) {
    out.push(`${inv}: ${v.count} (${report.role} seed ${report.seed})`);
    for (const e of v.examples) {
      out.push(`  step ${e.step} t=${e.t}: ${e.detail}`);
      out.push(`    replay: node bench/fuzz.mjs --roles ${e.role} --seed ${e.seed} --trace ${e.step} [--context K]`);
      out.push(`    iface ${e.iface} frame ${e.frame}`);
    }
  }
  return out.join("\n");
}
