// The emulated network (DESIGN.md §6): firmware boards on segments and Wi-Fi cells, driven by the
// discrete-event engine in virtual time. Every board is its own firmware instance; the simulator owns
// the clock, the randomness (seeded streams), the wires, the radios and the applications, so the same
// scenario and seed always give the same trace, pcaps and summary.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Board } from "../board.js";
import { PcapFile, type PcapBuffer } from "../pcap.js";
import { parseIpv4, Ipv4Info, ParseError, udpValid, icmpValid, get16, IPPROTO_UDP, IPPROTO_ICMP, ICMP_ECHO_REPLY } from "../packet.js";
import { Engine, SimEvent } from "./engine.js";
import { Rng } from "./rng.js";
import { Segment, type Port } from "./segment.js";
import { AccessPoint, WaypointMover, RandomWalkMover, StaticMover, signalDbm, macKey, type Mover } from "./wifi.js";
import { CbrSource, Sink, Ping, type AppHost } from "./apps.js";
import { EventLog, decodeFirmwareEvent, type Fields } from "./events.js";
import type { Scenario, ScNode } from "./scenario.js";
import { buildSummary, type Summary } from "./summary.js";

export interface SimOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Overrides the scenario's durationMs. */
  durationMs?: number;
  /** Write `<dir>/<segment or access point>.pcap`. */
  pcapDir?: string | null;
  /** Write events as JSON lines to this file. */
  eventsPath?: string | null;
  /** Keep events in memory (`sim.events.kept`), for tests. */
  keepEvents?: boolean;
  onEvent?: (e: Fields) => void;
}

/** One handoff of a station: association lost at `atUs`, regained (maybe elsewhere) at `upUs`. */
export interface HandoffRecord {
  node: SimNode;
  iface: number;
  atUs: number;
  from: string;
  to: string | null;
  upUs: number;
  /** Last CBR packet received by the node before the link went down (µs), -1 if none. */
  lastRxBeforeUs: number;
  /** First CBR packet received after the link came back (µs), -1 if none yet. */
  firstRxAfterUs: number;
  flows: { sink: Sink; lastSeq: number; firstSeq: number }[];
}

/** Host-side stack statistics of a node. */
export interface HostStats {
  /** Packets the core delivered to the local stack. */
  delivered: number;
  /** Delivered but no app wanted them (unknown UDP port, other ICMP). */
  unhandled: number;
  /** Delivered with a bad header or checksum. */
  malformed: number;
  /** Frames the core sent on an interface that is not attached (Wi-Fi not associated). */
  txNoLink: number;
  /** Packets the core refused in output(). */
  outputRefused: number;
}

export class NodeIface implements Port {
  segment: Segment | null = null;
  readonly wifi: boolean;
  /** Access point associated with, associating with, and the one before the last loss of association. */
  ap: AccessPoint | null = null;
  target: AccessPoint | null = null;
  gap: HandoffRecord | null = null;
  readonly assocEv: SimEvent;
  readonly macKey: number;
  constructor(readonly node: SimNode, readonly index: number, readonly name: string, readonly attach: string | null, mac: Uint8Array) {
    this.wifi = attach === "wifi";
    this.macKey = macKey(mac);
    this.assocEv = new SimEvent(node.sim.assocDoneFn, this);
  }
  receive(frame: Uint8Array): void { this.node.rx(this.index, frame); }
}

export class SimNode implements AppHost {
  readonly name: string;
  readonly board: Board;
  readonly ifaces: NodeIface[];
  readonly addr: number;
  readonly mover: Mover | null;
  readonly tickEv: SimEvent;
  readonly sinks = new Map<number, Sink>();
  readonly pings = new Map<number, Ping>();
  readonly stats: HostStats = { delivered: 0, unhandled: 0, malformed: 0, txNoLink: 0, outputRefused: 0 };
  lastFlowRxUs = -1;
  /** Handoffs whose first packets after the gap are still awaited. */
  readonly open: HandoffRecord[] = [];
  private ipId = 0;
  private readonly ip = new Ipv4Info();

  constructor(readonly sim: Simulation, readonly spec: ScNode, module: WebAssembly.Module) {
    const cfg = spec.config;
    this.name = cfg.name;
    this.addr = cfg.interfaces.find((x) => x.ip !== 0)?.ip ?? 0;
    const rng = sim.rng.derive(`board:${this.name}`);
    const engine = sim.engine;
    this.board = new Board(module, cfg, {
      now: () => engine.nowUs / 1000,
      tx: (iface, frame) => {
        const p = this.ifaces[iface];
        if (p && p.segment) p.segment.send(p, frame);
        else this.stats.txNoLink++;
      },
      deliver: (pkt) => this.deliver(pkt),
      event: (kind, data) => sim.firmwareEvent(this, kind, data),
      log: (level, text) => { if (sim.events.active) sim.events.emit(engine.nowUs, this.name, "log", { level, text }); },
      random: (buf) => rng.fill(buf),
    });
    this.ifaces = cfg.interfaces.map((x, i) => new NodeIface(this, i, x.name, spec.attach[i], x.mac));
    this.tickEv = new SimEvent(sim.tickFn, this);
    const m = spec.mobility;
    if (m?.type === "waypoints") this.mover = new WaypointMover(m.points);
    else if (m?.type === "randomWalk") this.mover = new RandomWalkMover(spec.position!.x, spec.position!.y, m, sim.rng.derive(`mobility:${this.name}`));
    else if (spec.position) this.mover = new StaticMover(spec.position.x, spec.position.y);
    else this.mover = null;
  }

  nowUs(): number { return this.sim.engine.nowUs; }
  nextIpId(): number { return (this.ipId = (this.ipId + 1) & 0xffff); }

  /** After every call into the board: keep exactly one tick event, at its next deadline. */
  afterCall(): void {
    const engine = this.sim.engine;
    const now = engine.nowUs;
    const d = this.board.tick(now / 1000);
    if (d === Infinity) { engine.cancel(this.tickEv); return; }
    let t = d * 1000;
    if (t <= now) t = (Math.floor(now / 1000) + 1) * 1000; // the core sees whole ms: next one
    if (!this.tickEv.pending || t < this.tickEv.t) engine.at(this.tickEv, t);
  }

  rx(iface: number, frame: Uint8Array): void {
    this.board.rx(iface, frame);
    this.afterCall();
  }

  /** AppHost: one IP packet from the local stack. */
  send(packet: Uint8Array): void {
    if (this.board.output(packet) !== 0) this.stats.outputRefused++;
    this.afterCall();
  }

  link(iface: number, up: boolean, bssid?: Uint8Array): void {
    this.board.link(iface, up, bssid);
    this.afterCall();
  }

  /** The core handed a packet to the local stack (called from inside the firmware: never re-enter it). */
  private deliver(b: Uint8Array): void {
    this.stats.delivered++;
    const ip = this.ip;
    if (parseIpv4(b, ip) !== ParseError.OK) { this.stats.malformed++; return; }
    if (ip.proto === IPPROTO_UDP) {
      if (!udpValid(b, ip)) { this.stats.malformed++; return; }
      const sink = this.sinks.get(get16(b, ip.off + 2));
      if (!sink) { this.stats.unhandled++; return; }
      const now = this.sim.engine.nowUs;
      const seq = sink.receive(b, ip.off + 8, get16(b, ip.off + 4) - 8, now);
      if (seq < 0) { this.stats.unhandled++; return; }
      this.lastFlowRxUs = now;
      if (this.open.length) this.flowAfterGap(sink, seq, now);
    } else if (ip.proto === IPPROTO_ICMP) {
      if (!icmpValid(b, ip)) { this.stats.malformed++; return; }
      const ping = b[ip.off] === ICMP_ECHO_REPLY ? this.pings.get(get16(b, ip.off + 4)) : undefined;
      if (!ping) { this.stats.unhandled++; return; }
      ping.reply(b, ip.off, ip.len, this.sim.engine.nowUs);
    } else this.stats.unhandled++;
  }

  private flowAfterGap(sink: Sink, seq: number, now: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const h = this.open[i];
      if (h.firstRxAfterUs < 0) h.firstRxAfterUs = now;
      let done = true;
      for (const f of h.flows) {
        if (f.sink === sink && f.firstSeq < 0) f.firstSeq = seq;
        if (f.firstSeq < 0) done = false;
      }
      if (done) this.open.splice(i, 1);
    }
  }
}

export class Simulation {
  readonly engine = new Engine();
  readonly rng: Rng;
  readonly seed: number;
  readonly durationMs: number;
  readonly segments = new Map<string, Segment>();
  readonly accessPoints: AccessPoint[] = [];
  readonly nodes: SimNode[] = [];
  readonly nodeByName = new Map<string, SimNode>();
  readonly flows: { source: CbrSource; sink: Sink; from: string; to: string }[] = [];
  readonly pings: { ping: Ping; from: string; to: string }[] = [];
  readonly handoffs: HandoffRecord[] = [];
  readonly registrations = { requested: 0, accepted: 0, denied: new Map<number, number>() };
  readonly events: EventLog;
  readonly pcaps: PcapBuffer[] = [];
  readonly tickFn = (n: SimNode) => n.afterCall();
  readonly assocDoneFn = (i: NodeIface) => this.assocDone(i);
  private readonly stations: NodeIface[] = [];
  private readonly movers: SimNode[] = [];
  private readonly stepUs: number;
  private closed = false;

  constructor(readonly scenario: Scenario, module: WebAssembly.Module, opts: SimOptions = {}) {
    this.seed = opts.seed ?? scenario.seed;
    this.durationMs = opts.durationMs ?? scenario.durationMs;
    this.rng = new Rng(this.seed);
    this.events = new EventLog(opts.eventsPath, opts.keepEvents ?? false, opts.onEvent);
    this.stepUs = scenario.mobilityStepMs * 1000;
    if (opts.pcapDir) mkdirSync(opts.pcapDir, { recursive: true });
    const capture = (seg: Segment) => {
      if (!opts.pcapDir) return;
      seg.pcap = new PcapFile(join(opts.pcapDir, `${seg.name}.pcap`));
      this.pcaps.push(seg.pcap);
    };
    for (const s of scenario.segments) {
      const seg = new Segment(s.name, this.engine, this.rng.derive(`segment:${s.name}`), s);
      capture(seg);
      this.segments.set(s.name, seg);
    }
    for (const a of scenario.accessPoints) {
      const ap = new AccessPoint(a.name, a.bssid, a.x, a.y, a.rangeM, a.assocDelayUs, this.segments.get(a.segment)!,
        this.engine, this.rng.derive(`cell:${a.name}`), a.cell);
      capture(ap.cell);
      this.accessPoints.push(ap);
    }
    for (const spec of scenario.nodes) {
      const node = new SimNode(this, spec, module);
      this.nodes.push(node);
      this.nodeByName.set(node.name, node);
    }
    // Start every board at t = 0, then plug wires; Wi-Fi and unplugged interfaces start down.
    for (const node of this.nodes) {
      node.board.init();
      node.ifaces.forEach((ifc) => {
        if (ifc.attach === null || ifc.wifi) node.board.link(ifc.index, false);
        else this.segments.get(ifc.attach)!.attach(ifc);
        if (ifc.wifi) this.stations.push(ifc);
      });
      if (node.mover && !(node.mover instanceof StaticMover)) this.movers.push(node);
      node.afterCall();
    }
    scenario.apps.forEach((a, i) => {
      const from = this.nodeByName.get(a.from)!;
      if (a.type === "cbr") {
        const source = new CbrSource(a.name, i + 1, from, a.dst, a.sourcePort, a.port, a.ratePps, a.sizeBytes, a.startMs * 1000, a.stopMs * 1000);
        const sink = new Sink(a.name, i + 1, a.port);
        sink.source = source;
        this.nodeByName.get(a.to)?.sinks.set(a.port, sink);
        this.flows.push({ source, sink, from: a.from, to: a.to });
        if (source.startUs < source.stopUs) this.engine.schedule(source.startUs, this.fireCbr, source);
      } else {
        const ping = new Ping(a.name, 0x100 + i, from, a.dst, a.intervalMs * 1000, a.count, a.sizeBytes, a.startMs * 1000, a.stopMs * 1000);
        from.pings.set(ping.ident, ping);
        this.pings.push({ ping, from: a.from, to: a.to });
        if (ping.startUs < ping.stopUs) this.engine.schedule(ping.startUs, this.firePing, ping);
      }
    });
    if (this.stations.length) this.engine.schedule(0, this.mobilityStep);
  }

  private fireCbr = (s: CbrSource) => {
    const next = s.fire();
    if (next !== Infinity) this.engine.schedule(next, this.fireCbr, s);
  };

  private firePing = (p: Ping) => {
    const next = p.fire();
    if (next !== Infinity) this.engine.schedule(next, this.firePing, p);
  };

  /** Move nodes, then let every station re-evaluate its access point. */
  private mobilityStep = () => {
    const now = this.engine.nowUs;
    for (const n of this.movers) n.mover!.step(now);
    for (const s of this.stations) this.evaluate(s);
    this.engine.schedule(now + this.stepUs, this.mobilityStep);
  };

  /** Strongest access point in range of the node, or null (ties: the first listed). */
  bestAp(x: number, y: number): AccessPoint | null {
    let best: AccessPoint | null = null, bestD = Infinity;
    for (const ap of this.accessPoints) {
      const d = ap.distance(x, y);
      if (d <= ap.rangeM && d < bestD) { best = ap; bestD = d; }
    }
    return best;
  }

  private evaluate(s: NodeIface): void {
    if (s.target) return; // association under way
    const m = s.node.mover!;
    const best = this.bestAp(m.x, m.y);
    const cur = s.ap;
    if (cur) {
      const dCur = cur.distance(m.x, m.y);
      if (dCur > cur.rangeM) this.disassociate(s, "out_of_range");
      else if (best && best !== cur && signalDbm(best.distance(m.x, m.y)) >= signalDbm(dCur) + this.scenario.wifi.hysteresisDb) this.disassociate(s, "better_ap");
      else return;
    }
    if (best) this.associate(s, best);
  }

  private disassociate(s: NodeIface, reason: string): void {
    const ap = s.ap!;
    const node = s.node;
    const now = this.engine.nowUs;
    ap.stations.delete(s.macKey);
    ap.cell.detach(s);
    s.ap = null;
    this.events.emit(now, node.name, "wifi_disassoc", { iface: s.index, ap: ap.name, reason });
    node.link(s.index, false);
    const rec: HandoffRecord = {
      node, iface: s.index, atUs: now, from: ap.name, to: null, upUs: -1, lastRxBeforeUs: node.lastFlowRxUs, firstRxAfterUs: -1,
      flows: [...node.sinks.values()].map((sink) => ({ sink, lastSeq: sink.maxSeq, firstSeq: -1 })),
    };
    s.gap = rec;
    this.handoffs.push(rec);
  }

  private associate(s: NodeIface, ap: AccessPoint): void {
    s.target = ap;
    this.events.emit(this.engine.nowUs, s.node.name, "wifi_associating", { iface: s.index, ap: ap.name });
    this.engine.at(s.assocEv, this.engine.nowUs + ap.assocDelayUs);
  }

  private assocDone(s: NodeIface): void {
    const ap = s.target!;
    const node = s.node;
    const now = this.engine.nowUs;
    s.target = null;
    const m = node.mover!;
    if (!ap.inRange(m.x, m.y)) {
      this.events.emit(now, node.name, "wifi_assoc_failed", { iface: s.index, ap: ap.name });
      this.evaluate(s);
      return;
    }
    s.ap = ap;
    ap.stations.add(s.macKey);
    ap.cell.attach(s);
    this.events.emit(now, node.name, "wifi_assoc", { iface: s.index, ap: ap.name, bssid: fmtMac(ap.bssid) });
    node.link(s.index, true, ap.bssid);
    const h = s.gap;
    if (h) {
      s.gap = null;
      h.to = ap.name;
      h.upUs = now;
      if (h.flows.length) node.open.push(h);
      this.events.emit(now, node.name, "handoff", { iface: s.index, from: h.from, to: h.to, gapMs: (now - h.atUs) / 1000 });
    }
  }

  /** A firmware event: decode, count what the summary needs, log it. */
  firmwareEvent(node: SimNode, kind: number, data: Uint8Array): void {
    const { kind: name, ...fields } = decodeFirmwareEvent(kind, data) as { kind: string } & Fields;
    if (name.startsWith("reg_")) this.countRegistration(name, fields);
    this.events.emit(this.engine.nowUs, node.name, name, fields);
  }

  /** Registration events (Mobile IP, when the core emits them): reg_request, reg_accepted, reg_denied {code}. */
  private countRegistration(name: string, f: Fields): void {
    const r = this.registrations;
    if (name === "reg_request" || name === "reg_requested") r.requested++;
    else if (name === "reg_accepted") r.accepted++;
    else if (name === "reg_denied") {
      const code = Number(f.code ?? -1);
      r.denied.set(code, (r.denied.get(code) ?? 0) + 1);
    }
  }

  /** Run until `untilMs` (default: the scenario's duration). `progress` is called every few thousand events. */
  run(untilMs = this.durationMs, progress?: (simMs: number) => void): void {
    this.engine.run(untilMs * 1000, progress ? (us) => progress(us / 1000) : undefined);
  }

  /** The run's summary (docs/results.md): a pure function of the state, with keys in a stable order. */
  summary(): Summary { return buildSummary(this); }

  /** Flush and close the pcap and event files. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pcaps) p.close();
    this.events.close();
  }
}

function fmtMac(m: Uint8Array): string { return Array.from(m, (b) => b.toString(16).padStart(2, "0")).join(":"); }
