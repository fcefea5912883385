// The emulated network (DESIGN.md §6): firmware boards on segments and Wi-Fi cells, driven by the
// discrete-event engine in virtual time. Every board is its own firmware instance; the simulator owns
// the clock, the randomness (seeded streams), the wires, the radios and the applications, so the same
// scenario and seed always give the same trace, pcaps and summary.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Board, BoardError, copyFrame, type BoardHooks } from "../board.js";
import { RemoteBoard, type SimBoard, type RemoteOptions } from "../remote.js";
import { PcapFile, PcapngFile, teeTaps, type PcapBuffer, type FrameTap } from "../pcap.js";
import { parseIpv4, Ipv4Info, ParseError, udpValid, icmpValid, get16, IPPROTO_UDP, IPPROTO_ICMP, ICMP_ECHO_REPLY, ICMP6_ECHO_REPLY, parseIpv6Upper } from "../packet.js";
import { Engine, SimEvent } from "./engine.js";
import { Rng } from "./rng.js";
import { Segment, type Port } from "./segment.js";
import { AccessPoint, ApGrid, WaypointMover, RandomWalkMover, StaticMover, signalDbm, macKey, type Mover } from "./wifi.js";
import { CbrSource, Sink, Ping, Samples, type AppHost } from "./apps.js";
import { EventLog, decodeFirmwareEvent, type Fields } from "./events.js";
import type { Scenario, ScNode, ScAction, ScChange } from "./scenario.js";
import { DhcpServer } from "./dhcp.js";
import { formatIp, formatIp6, formatMac } from "../config.js";
import { buildSummary, type Summary } from "./summary.js";

export interface SimOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Overrides the scenario's durationMs. */
  durationMs?: number;
  /** Write `<dir>/<segment or access point>.pcap`. */
  pcapDir?: string | null;
  /** Write one pcapng file with an interface per segment and access point cell, wall-clock timestamps (pcap.ts PcapngFile). */
  pcapngPath?: string | null;
  /** Write events as JSON lines to this file. */
  eventsPath?: string | null;
  /** Keep events in memory (`sim.events.kept`), for tests. */
  keepEvents?: boolean;
  onEvent?: (e: Fields) => void;
  /** Every frame accepted for transmission on a segment or access point cell (segment name, bytes, µs). */
  onFrame?: (segment: string, frame: Uint8Array, tUs: number) => void;
  /** Record what a timeline needs (arrival time, sequence number and latency of every flow packet, the sequence number of every ping reply, the events of TIMELINE_KINDS in `events.kept`). */
  timeline?: boolean;
  /**
   * Internal (tests, bench): hand every frame to every port of its segment, as before unicast
   * delivery by destination MAC (docs/decisions.md "Fleet scale"). Only the boards' counts of
   * received and not-for-us frames may differ.
   */
  floodUnicast?: boolean;
  /** Run every board under the wasm3 runtime (a `mipfw-board sim-peer` process each) instead of in this process. */
  wasm3?: RemoteOptions | null;
}

/** Event kinds a timeline is drawn from (kept in memory when SimOptions.timeline is set). */
export const TIMELINE_KINDS: ReadonlySet<string> = new Set([
  "wifi_assoc", "wifi_disassoc", "handoff", "reg_request", "reg_reply", "move", "home", "binding", "visitor",
  "auth_failed", "reg_denied", "dhcp", "action", "dhcp_bound", "dhcp_nak", "ro_binding", "config_change", "addr6",
]);

/**
 * One Mobile IPv6 binding over the run (issue 13.7), from the Binding Cache events of the node that holds
 * it (`binding`: a home agent's home registration; `ro_binding`: a correspondent's binding): from its
 * first add or refresh with this care-of address until it ended (deregister / delete / expire, or
 * "moved": the same home address bound to another care-of address), null while still in the cache.
 */
export interface Mip6Binding {
  node: string; kind: "home" | "correspondent"; home: string; careOf: string;
  fromMs: number; untilMs: number | null; end: string | null;
  /** Updates accepted after the first (refreshes of the same care-of address). */
  refreshes: number;
  /** The lifetime last granted (s). */
  lifetimeSec: number;
}

/**
 * One handoff of a station: association lost at `atUs`, regained (maybe elsewhere) at `upUs`. For a
 * mobile node it also runs until a registration is accepted (docs/results.md "Handoffs"), and may
 * start at a movement the node detected without losing its link (`upUs` = `atUs` then).
 */
export interface HandoffRecord {
  node: SimNode;
  iface: number;
  atUs: number;
  /** Access points before and after (null: never re-associated). */
  from: string;
  to: string | null;
  upUs: number;
  /** Last CBR packet received by the node before the link went down (µs), -1 if none. */
  lastRxBeforeUs: number;
  /** First CBR packet received after the link came back (µs), -1 if none yet. */
  firstRxAfterUs: number;
  /** Flows to the node: last sequence before, first after; `stopSeq` ends the count when a later handoff superseded this one. */
  flows: { sink: Sink; lastSeq: number; firstSeq: number; stopSeq: number }[];
  /** Mobile node: its agent before and after ("home", a foreign agent's node name, "colocated"), null when unknown. */
  mobile: boolean;
  fromAgent: string | null;
  toAgent: string | null;
  /** Mobile node: when the registration that ended the handoff was accepted (µs), -1 if none. */
  registeredUs: number;
  /** No longer waiting for anything (first datagrams seen, or superseded). */
  closed: boolean;
}

/** What the simulator follows of a mobile node's registrations (from its events). */
export interface MobileTrack {
  /** Current agent: "home", a foreign agent's node name, "colocated", or null before the first. */
  agent: string | null;
  /** A registration request was sent and no accepted reply has come since. */
  pending: boolean;
  /** At least one registration was accepted. */
  registered: boolean;
  /** The node's latest handoff record. */
  last: HandoffRecord | null;
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
  /** Associated at least once (with link hints off, only the first association is reported). */
  everUp = false;
  readonly assocEv: SimEvent;
  readonly macKey: number;
  constructor(readonly node: SimNode, readonly index: number, readonly name: string, readonly attach: string | null, readonly mac: Uint8Array) {
    this.wifi = attach === "wifi";
    this.macKey = macKey(mac);
    this.assocEv = new SimEvent(node.sim.assocDoneFn, this);
  }
  receive(frame: Uint8Array): void { this.node.rx(this.index, frame); }
}

export class SimNode implements AppHost {
  readonly name: string;
  readonly board: SimBoard;
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
  /** Powered off by a scenario action: no rx, no ticks, no output, no Wi-Fi. */
  stopped = false;
  /** Registration tracking when the node has the role mobile-node, else null. */
  readonly mip: MobileTrack | null;
  private ipId = 0;
  private readonly ip = new Ipv4Info();

  constructor(readonly sim: Simulation, readonly spec: ScNode, module: WebAssembly.Module) {
    const cfg = spec.config;
    this.name = cfg.name;
    this.addr = cfg.interfaces.find((x) => x.ip !== 0)?.ip ?? 0;
    const rng = sim.rng.derive(`board:${this.name}`);
    const engine = sim.engine;
    const hooks: BoardHooks = {
      now: () => engine.nowUs / 1000,
      tx: (iface, frame) => {
        const p = this.ifaces[iface];
        if (p && p.segment) p.segment.send(p, copyFrame(frame));
        else this.stats.txNoLink++;
      },
      deliver: (pkt) => this.deliver(pkt),
      event: (kind, data) => sim.firmwareEvent(this, kind, data),
      log: (level, text) => { if (sim.events.active) sim.events.emit(engine.nowUs, this.name, "log", { level, text }); },
      random: (buf) => rng.fill(buf),
    };
    const remote = sim.wasm3 && (!sim.wasm3.nodes || sim.wasm3.nodes.includes(cfg.name));
    this.board = remote ? new RemoteBoard(cfg, hooks, sim.wasm3!) : new Board(module, cfg, hooks);
    this.ifaces = cfg.interfaces.map((x, i) => new NodeIface(this, i, x.name, spec.attach[i], x.mac));
    this.tickEv = new SimEvent(sim.tickFn, this);
    this.mip = cfg.roles.includes("mobile-node") ? { agent: null, pending: false, registered: false, last: null } : null;
    const h6 = cfg.roles.includes("mobile-node") ? cfg.ipv6.find((a) => a.home) : undefined;
    if (h6) this.home6 = Uint8Array.from(h6.address[0]);
    const m = spec.mobility;
    if (m?.type === "waypoints") this.mover = new WaypointMover(m.points);
    else if (m?.type === "randomWalk") this.mover = new RandomWalkMover(spec.position!.x, spec.position!.y, m, sim.rng.derive(`mobility:${this.name}`));
    else if (spec.position) this.mover = new StaticMover(spec.position.x, spec.position.y);
    else this.mover = null;
  }

  nowUs(): number { return this.sim.engine.nowUs; }

  // IPv6 (issue 12): the node's usable global addresses, from its addr6 events (newest last).
  private readonly globals6: Uint8Array[] = [];
  /** A Mobile IPv6 mobile node's home address (configuration `ipv6[].home`), its permanent address. */
  home6: Uint8Array | null = null;
  /** AppHost: the home address of a mobile node (what reaches it wherever it is), else the newest preferred
   *  global IPv6 address, or null. */
  addr6(): Uint8Array | null { return this.home6 ?? (this.globals6.length ? this.globals6[this.globals6.length - 1] : null); }
  /** An addr6 event (kind 17): 1 state, 4 addr[16]; link-local ones (fe80::/10) are not globals. */
  onAddr6(d: Uint8Array): void {
    const a = d.slice(4, 20);
    const key = (x: Uint8Array) => x.join(".");
    // A Mobile IPv6 mobile node whose home address became usable before any registration is at home.
    if (d[1] === 2 && this.mip && this.mip.agent === null && this.home6 && key(a) === key(this.home6)) this.mip.agent = "home";
    const i = this.globals6.findIndex((x) => key(x) === key(a));
    if (i >= 0) this.globals6.splice(i, 1);
    if (d[1] === 2 && !(a[0] === 0xfe && (a[1] & 0xc0) === 0x80)) this.globals6.push(a);
  }
  nextIpId(): number { return (this.ipId = (this.ipId + 1) & 0xffff); }

  /** After every call into the board: keep exactly one tick event, at its next deadline. */
  afterCall(): void {
    const engine = this.sim.engine;
    if (this.stopped) { engine.cancel(this.tickEv); return; }
    const now = engine.nowUs;
    const d = this.board.tick(now / 1000);
    if (d === Infinity) { engine.cancel(this.tickEv); return; }
    let t = d * 1000;
    if (t <= now) t = (Math.floor(now / 1000) + 1) * 1000; // the core sees whole ms: next one
    if (!this.tickEv.pending || t < this.tickEv.t) engine.at(this.tickEv, t);
  }

  rx(iface: number, frame: Uint8Array): void {
    if (this.stopped) return;
    this.board.rx(iface, frame);
    this.afterCall();
  }

  /** AppHost: one IP packet from the local stack. */
  send(packet: Uint8Array): void {
    if (this.stopped) return;
    if (this.board.output(packet) !== 0) this.stats.outputRefused++;
    this.afterCall();
  }

  link(iface: number, up: boolean, bssid?: Uint8Array): void {
    if (this.stopped) return;
    this.board.link(iface, up, bssid);
    this.afterCall();
  }

  /** The access point behind `iface` reports that station `mac` left (`up` false) or joined. */
  station(iface: number, up: boolean, mac: Uint8Array): void {
    if (this.stopped || !this.board.station) return;
    this.board.station(iface, up, mac);
    this.afterCall();
  }

  /** The core handed a packet to the local stack (called from inside the firmware: never re-enter it). */
  private deliver(b: Uint8Array): void {
    this.stats.delivered++;
    if (b.length > 0 && b[0] >> 4 === 6) { this.deliver6(b); return; }
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

  /** An IPv6 packet for the local stack: a flow's UDP datagram or an echo reply of a ping. */
  private deliver6(b: Uint8Array): void {
    const u = parseIpv6Upper(b);
    if (!u) { this.stats.malformed++; return; }
    const now = this.sim.engine.nowUs;
    if (u.nh === IPPROTO_UDP && u.len >= 8) {
      const sink = this.sinks.get(get16(b, u.off + 2));
      if (!sink) { this.stats.unhandled++; return; }
      const seq = sink.receive(b, u.off + 8, get16(b, u.off + 4) - 8, now);
      if (seq < 0) { this.stats.unhandled++; return; }
      this.lastFlowRxUs = now;
      if (this.open.length) this.flowAfterGap(sink, seq, now);
    } else if (u.nh === 58 && u.len >= 8 && b[u.off] === ICMP6_ECHO_REPLY) {
      const ping = this.pings.get(get16(b, u.off + 4));
      if (!ping) { this.stats.unhandled++; return; }
      ping.reply(b, u.off, u.len, now);
    } else this.stats.unhandled++;
  }

  private flowAfterGap(sink: Sink, seq: number, now: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const h = this.open[i];
      // A mobile node's handoff ends with the first datagram after its registration was accepted.
      if (h.mobile && this.mip!.pending) continue;
      if (h.firstRxAfterUs < 0) {
        h.firstRxAfterUs = now;
        if (h.mobile && h.toAgent === null) h.toAgent = this.mip!.agent;
      }
      let done = true;
      for (const f of h.flows) {
        if (f.sink === sink && f.firstSeq < 0) f.firstSeq = seq;
        if (f.firstSeq < 0) done = false;
      }
      if (done) { h.closed = true; this.open.splice(i, 1); }
    }
  }

  /**
   * Stop a pending handoff record here: a new one starts, or the node is powered off. Its losses are
   * counted by send time (docs/results.md "Handoffs"): the datagrams sent until now belong to it, the
   * ones sent from now on to the next record. Stopping at the highest sequence *received* instead
   * would hand a whole outage to the last handoff of a run of unfinished ones.
   */
  supersede(h: HandoffRecord): void {
    if (h.closed) return;
    h.closed = true;
    for (const f of h.flows) if (f.firstSeq < 0) f.stopSeq = f.sink.sent;
    const i = this.open.indexOf(h);
    if (i >= 0) this.open.splice(i, 1);
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
  readonly registrations = { requested: 0, accepted: 0, denied: new Map<number, number>(), agentDenied: new Map<number, number>(), bindingDenied: new Map<number, number>() };
  readonly dhcpServers: DhcpServer[] = [];
  /** Mobile IPv6 bindings of every node, in the order they began (summary `mip6Bindings`). */
  readonly mip6Bindings: Mip6Binding[] = [];
  private readonly mip6Open = new Map<string, Mip6Binding>();
  /** Registration Requests last seen per segment (for the replayLastRegistration action). */
  readonly lastRegistration = new Map<string, Uint8Array>();
  /** Node name by interface address (agents' care-of addresses). */
  private readonly owner = new Map<number, string>();
  readonly events: EventLog;
  readonly pcaps: FrameTap[] = [];
  readonly tickFn = (n: SimNode) => n.afterCall();
  readonly assocDoneFn = (i: NodeIface) => this.assocDone(i);
  private readonly leaveCellFn = (s: NodeIface, cell: Segment) => { if (s.segment === cell && s.ap?.cell !== cell) cell.detach(s); };
  private readonly stations: NodeIface[] = [];
  private readonly movers: SimNode[] = [];
  private readonly stepUs: number;
  private closed = false;
  /** Boards run under wasm3 (SimOptions.wasm3), else null. */
  readonly wasm3: RemoteOptions | null;

  constructor(readonly scenario: Scenario, module: WebAssembly.Module, opts: SimOptions = {}) {
    this.wasm3 = opts.wasm3 ?? null;
    this.seed = opts.seed ?? scenario.seed;
    this.durationMs = opts.durationMs ?? scenario.durationMs;
    this.rng = new Rng(this.seed);
    this.events = new EventLog(opts.eventsPath, opts.keepEvents ? true : opts.timeline ? TIMELINE_KINDS : false, opts.onEvent);
    this.stepUs = scenario.mobilityStepMs * 1000;
    if (opts.pcapDir) mkdirSync(opts.pcapDir, { recursive: true });
    const pcapng = opts.pcapngPath ? new PcapngFile(opts.pcapngPath) : null;
    const capture = (seg: Segment, description: string) => {
      if (opts.floodUnicast) seg.filterUnicast = false;
      const tap = teeTaps(opts.pcapDir ? new PcapFile(join(opts.pcapDir, `${seg.name}.pcap`)) : null, pcapng ? pcapng.iface(seg.name, description) : null);
      if (!tap) return;
      // The segment calls write() only: any tap serves (segment.ts types it as the pcap writer).
      seg.pcap = tap as unknown as PcapBuffer;
      this.pcaps.push(tap);
    };
    for (const s of scenario.segments) {
      const seg = new Segment(s.name, this.engine, this.rng.derive(`segment:${s.name}`), s);
      capture(seg, `segment ${s.name}`);
      this.segments.set(s.name, seg);
    }
    for (const a of scenario.accessPoints) {
      const ap = new AccessPoint(a.name, a.bssid, a.x, a.y, a.rangeM, a.assocDelayUs, this.segments.get(a.segment)!,
        this.engine, this.rng.derive(`cell:${a.name}`), a.cell);
      capture(ap.cell, `access point ${a.name} cell (bridged to ${a.segment})`);
      this.accessPoints.push(ap);
    }
    for (const spec of scenario.nodes) {
      let node: SimNode;
      try { node = new SimNode(this, spec, module); } catch (e) { this.closeBoards(); throw e; }
      this.nodes.push(node);
      this.nodeByName.set(node.name, node);
      for (const x of spec.config.interfaces) if (x.ip !== 0 && !this.owner.has(x.ip)) this.owner.set(x.ip, node.name);
    }
    for (const d of scenario.dhcpServers) {
      const srv = new DhcpServer(d, this.engine, (kind, fields) => this.events.emit(this.engine.nowUs, d.name, kind, fields));
      this.segments.get(d.segment)!.attach(srv);
      this.dhcpServers.push(srv);
    }
    // Frame observers: the caller's, and the capture of Registration Requests for replay actions.
    const replaySegs = new Set(scenario.actions.filter((a) => a.type === "replayLastRegistration").map((a) => (a as { segment: string }).segment));
    if (opts.onFrame || replaySegs.size) {
      const onFrame = opts.onFrame;
      const tap = (seg: Segment, frame: Uint8Array, tUs: number) => {
        if (onFrame) onFrame(seg.name, frame, tUs);
        if (replaySegs.has(seg.name) && isRegistrationRequest(frame)) this.lastRegistration.set(seg.name, frame);
      };
      for (const seg of this.segments.values()) seg.tap = tap;
      for (const ap of this.accessPoints) ap.cell.tap = tap;
    }
    // Start every board at t = 0, then plug wires; Wi-Fi and unplugged interfaces start down.
    for (const node of this.nodes) {
      try { node.board.init(); } catch (e) { this.closeBoards(); throw e; }
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
      // IPv6 (issue 12): the destination is an address given, or the target node's current global
      // address (autoconfigured addresses appear at run time), looked up for every packet.
      const lit = a.dst6 ? Uint8Array.from(a.dst6) : null;
      const target = this.nodeByName.get(a.to);
      const dst6 = a.family === "ipv6" ? () => lit ?? target?.addr6() ?? null : null;
      if (a.type === "cbr") {
        const source = new CbrSource(a.name, i + 1, from, a.dst, a.sourcePort, a.port, a.ratePps, a.sizeBytes, a.startMs * 1000, a.stopMs * 1000, dst6);
        const sink = new Sink(a.name, i + 1, a.port);
        sink.source = source;
        // (A flow to a multicast group is counted at the listener named: issue 13.5.)
        const to = a.listener ?? a.to;
        this.nodeByName.get(to)?.sinks.set(a.port, sink);
        this.flows.push({ source, sink, from: a.from, to });
        if (source.startUs < source.stopUs) this.engine.schedule(source.startUs, this.fireCbr, source);
      } else {
        const ping = new Ping(a.name, 0x100 + i, from, a.dst, a.intervalMs * 1000, a.count, a.sizeBytes, a.startMs * 1000, a.stopMs * 1000, dst6);
        from.pings.set(ping.ident, ping);
        this.pings.push({ ping, from: a.from, to: a.to });
        if (ping.startUs < ping.stopUs) this.engine.schedule(ping.startUs, this.firePing, ping);
      }
    });
    if (opts.timeline) {
      for (const f of this.flows) { f.sink.rxTimes = new Samples(); f.sink.rxSeq = new Samples(); }
      for (const p of this.pings) p.ping.replySeq = new Samples();
    }
    for (const a of scenario.actions) this.engine.schedule(a.atUs, this.runAction, a);
    scenario.changes.forEach((ch, i) => {
      if (!this.nodeByName.get(ch.node)!.board.configAdd) {
        this.closeBoards();
        throw new Error(`scenario.changes[${i}]: adding configuration at run time needs the board of ${ch.node} in this process (--runtime node); it runs under wasm3`);
      }
      this.engine.schedule(ch.atUs, this.runChange, ch, i);
    });
    if (this.stations.length) this.engine.schedule(0, this.mobilityStep);
  }

  /** Name of the node owning `ip` (host order), or null. */
  nodeOwning(ip: number): string | null { return this.owner.get(ip) ?? null; }

  /** A scenario action (docs/scenarios.md "Actions"). */
  private runAction = (a: ScAction, rep = 0) => {
    const now = this.engine.nowUs;
    switch (a.type) {
      case "stop": {
        const n = this.nodeByName.get(a.node)!;
        this.events.emit(now, n.name, "action", { action: "stop", wasStopped: n.stopped });
        this.stopNode(n);
        break;
      }
      case "start":
      case "restart": {
        const n = this.nodeByName.get(a.node)!;
        this.events.emit(now, n.name, "action", { action: a.type, wasStopped: n.stopped });
        this.startNode(n);
        break;
      }
      case "inject": {
        this.events.emit(now, null, "action", { action: "inject", segment: a.segment, bytes: a.frame.length, n: rep + 1 });
        this.cellOrSegment(a.segment).send(INJECTOR, a.frame);
        if (rep + 1 < a.count) this.engine.schedule(now + a.intervalUs, this.runAction, a, rep + 1);
        break;
      }
      case "replayLastRegistration": {
        const f = this.lastRegistration.get(a.segment);
        this.events.emit(now, null, "action", { action: "replayLastRegistration", segment: a.segment, bytes: f ? f.length : 0 });
        if (f) this.cellOrSegment(a.segment).send(INJECTOR, f);
        break;
      }
    }
  };

  /** Configuration added to a running node (scenario "changes", the core's config_add). */
  private runChange = (ch: ScChange, i: number) => {
    const n = this.nodeByName.get(ch.node)!;
    this.events.emit(this.engine.nowUs, n.name, "config_change", { what: ch.what, wasStopped: n.stopped });
    if (n.stopped) return;
    const r = n.board.configAdd!(ch.records);
    if (r.code !== 0) throw new BoardError(`${n.name}: scenario.changes[${i}] (${ch.what}) refused by the firmware (code ${r.code}): ${r.reason}`);
    n.afterCall();
  };

  private cellOrSegment(name: string): Segment {
    return this.segments.get(name) ?? this.accessPoints.find((x) => x.name === name)!.cell;
  }

  /** Power a node off: its board no longer runs, its Wi-Fi interfaces leave their cells (no handoff record). */
  private stopNode(n: SimNode): void {
    if (n.stopped) return;
    n.stopped = true;
    this.engine.cancel(n.tickEv);
    for (const s of n.ifaces) {
      if (!s.wifi) continue;
      if (s.target) { this.engine.cancel(s.assocEv); s.target = null; }
      if (s.ap) {
        this.events.emit(this.engine.nowUs, n.name, "wifi_disassoc", { iface: s.index, ap: s.ap.name, reason: "stopped" });
        s.ap.stations.delete(s.macKey);
        s.ap.cell.detach(s);
        this.stationNotice(s.ap, s, false);
        s.ap = null;
      }
      s.gap = null;
    }
    if (n.mip) { n.mip.pending = false; if (n.mip.last) n.supersede(n.mip.last); }
  }

  /** (Re)start a node's board from its configuration: all firmware state is lost; links are reported as they are. */
  private startNode(n: SimNode): void {
    n.stopped = false;
    n.board.init();
    for (const s of n.ifaces) {
      if (s.wifi) {
        if (s.ap) n.board.link(s.index, true, s.ap.bssid);
        else n.board.link(s.index, false);
      } else if (s.attach === null) n.board.link(s.index, false);
    }
    if (n.mip) { n.mip.pending = false; n.mip.agent = null; }
    n.afterCall();
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
    return (this.apGrid ??= new ApGrid(this.accessPoints)).best(x, y);
  }
  private apGrid: ApGrid | null = null;
  private foreignAgents: SimNode[] | null = null;

  private evaluate(s: NodeIface): void {
    if (s.target || s.node.stopped) return; // association under way, or powered off
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
    // A station that leaves for a better access point says so first (802.11 Disassociation, or a
    // power-save Null frame before it scans): the access point sends it nothing more, and the station
    // still hears what was already on the air. Out of range, what is in flight is lost.
    if (reason === "better_ap") this.engine.schedule(now + ap.cell.drainUs(), this.leaveCellFn, s, ap.cell);
    else ap.cell.detach(s);
    s.ap = null;
    this.events.emit(now, node.name, "wifi_disassoc", { iface: s.index, ap: ap.name, reason });
    this.stationNotice(ap, s, false);
    // Without link hints the driver keeps the interface up across roams: the board learns of the
    // move only from the network (agent advertisements), as with a driver that reports nothing.
    if (this.scenario.wifi.linkHints) node.link(s.index, false);
    const rec = this.newHandoff(node, s.index, ap.name, -1);
    s.gap = rec;
  }

  /**
   * The access point's station notice (hostapd's AP-STA-DISCONNECTED / AP-STA-CONNECTED): told to
   * the foreign agents wired to the access point's segment, on their interface there (the core's
   * `station` export; the foreign agent holds a departed visitor's datagrams, issue 10.10).
   */
  private stationNotice(ap: AccessPoint, s: NodeIface, up: boolean): void {
    // (The foreign agents, in node order, found once: a fleet has thousands of nodes and stations.)
    this.foreignAgents ??= this.nodes.filter((n) => n.spec.config.roles.includes("foreign-agent"));
    for (const n of this.foreignAgents) {
      if (n === s.node) continue;
      for (const ifc of n.ifaces) if (ifc.segment === ap.wire) n.station(ifc.index, up, s.mac);
    }
  }

  private newHandoff(node: SimNode, iface: number, ap: string, upUs: number): HandoffRecord {
    const now = this.engine.nowUs;
    const mip = node.mip;
    // An unfinished earlier handoff of the node ends here; its flows' counts stop at what was sent so
    // far (also when the node's power-off stopped it), and this record's start where they stop, so
    // no datagram is counted twice.
    const prev = mip?.last ?? null;
    if (prev) node.supersede(prev);
    const startSeq = (sink: Sink): number => {
      const p = prev?.flows.find((f) => f.sink === sink);
      return p && p.stopSeq >= 0 ? Math.max(sink.maxSeq, p.stopSeq - 1) : sink.maxSeq;
    };
    const rec: HandoffRecord = {
      node, iface, atUs: now, from: ap, to: upUs >= 0 ? ap : null, upUs, lastRxBeforeUs: node.lastFlowRxUs, firstRxAfterUs: -1,
      flows: [...node.sinks.values()].map((sink) => ({ sink, lastSeq: startSeq(sink), firstSeq: -1, stopSeq: -1 })),
      mobile: mip !== null, fromAgent: mip?.agent ?? null, toAgent: null, registeredUs: -1, closed: false,
    };
    if (mip) mip.last = rec;
    this.handoffs.push(rec);
    return rec;
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
    this.stationNotice(ap, s, true);
    this.events.emit(now, node.name, "wifi_assoc", { iface: s.index, ap: ap.name, bssid: formatMac(ap.bssid) });
    if (this.scenario.wifi.linkHints || !s.everUp) node.link(s.index, true, ap.bssid);
    s.everUp = true;
    const h = s.gap;
    if (h) {
      s.gap = null;
      h.to = ap.name;
      h.upUs = now;
      if (h.flows.length) node.open.push(h);
      this.events.emit(now, node.name, "handoff", { iface: s.index, from: h.from, to: h.to, gapMs: (now - h.atUs) / 1000 });
    }
  }

  /** A firmware event: decode, count what the summary needs, follow mobile nodes, log it. */
  firmwareEvent(node: SimNode, kind: number, data: Uint8Array): void {
    if (kind === 17) node.onAddr6(data);
    const { kind: name, ...fields } = decodeFirmwareEvent(kind, data, node.spec.config.mobility.registrationProfile) as { kind: string } & Fields;
    if (kind >= 5 && kind <= 13) this.mobilityEvent(node, name, fields);
    if ((kind === 8 || kind === 14) && String(fields.home).includes(":")) this.mip6Binding(node, kind === 8, fields);
    this.events.emit(this.engine.nowUs, node.name, name, fields);
  }

  /** A Mobile IPv6 Binding Cache event (home registration or correspondent binding): the bindings' history. */
  private mip6Binding(node: SimNode, home: boolean, f: Fields): void {
    const key = `${node.name} ${home ? "h" : "c"} ${f.home}`;
    const now = this.engine.nowUs / 1000;
    const open = this.mip6Open.get(key);
    const close = (end: string) => { if (open) { open.untilMs = now; open.end = end; this.mip6Open.delete(key); } };
    const op = String(f.op), coa = String(f.coa), lifetimeSec = Number(f.lifetimeSec);
    if (op === "add" || op === "refresh") {
      if (open && open.careOf === coa) { open.refreshes++; open.lifetimeSec = lifetimeSec; return; }
      close("moved");
      const b: Mip6Binding = { node: node.name, kind: home ? "home" : "correspondent", home: String(f.home), careOf: coa, fromMs: now, untilMs: null, end: null, refreshes: 0, lifetimeSec };
      this.mip6Bindings.push(b);
      this.mip6Open.set(key, b);
    } else if (op === "deregister" || op === "delete" || op === "expire") close(op);
  }

  /**
   * The agent a registration reply puts a mobile node behind: "home" when the care-of address is the
   * home address (or the lifetime is 0), the node owning the care-of address (a foreign agent), else
   * "colocated" (an address the node acquired itself).
   */
  agentLabel(node: SimNode, coa: string, lifetimeSec: number): string {
    // Mobile IPv6 (issue 13): there are no foreign agents; a registration names the care-of address itself.
    if (coa.includes(":")) {
      const h = node.spec.config.ipv6.find((a) => a.home);
      return lifetimeSec === 0 || (h && formatIp6(Uint8Array.from(h.address[0])) === coa) ? "home" : coa;
    }
    const home = formatIp(node.board.config.mobility.homeAddress);
    if (coa === home || lifetimeSec === 0) return "home";
    const [a, b, c, d] = coa.split(".").map(Number);
    const owner = this.owner.get((((a << 24) | (b << 16) | (c << 8) | d) >>> 0));
    return owner && owner !== node.name ? owner : "colocated";
  }

  /**
   * Mobile IP events (kinds 5-13): registrations counted for the summary (requested = reg_request,
   * accepted = reg_reply with code 0/1, denied = other reply codes, agentDenied = reg_denied), and the
   * mobile node's handoff records advanced.
   */
  private mobilityEvent(node: SimNode, name: string, f: Fields): void {
    const r = this.registrations;
    const mip = node.mip;
    const now = this.engine.nowUs;
    switch (name) {
      case "reg_request":
        r.requested++;
        if (mip) mip.pending = true;
        break;
      case "reg_reply": {
        const code = Number(f.code);
        // (A Mobile IPv6 Binding Acknowledgement's status is accepted below 128, seed 003 §5.2.)
        // Refused Binding Updates are counted apart: their statuses are another numbering than reply codes.
        if (String(f.coa).includes(":") ? code >= 128 : code > 1) { const m = String(f.coa).includes(":") ? r.bindingDenied : r.denied; m.set(code, (m.get(code) ?? 0) + 1); break; }
        r.accepted++;
        if (!mip) break;
        mip.pending = false;
        mip.registered = true;
        const label = this.agentLabel(node, String(f.coa), Number(f.lifetimeSec));
        // Distributed registration (seed 002): a home or transit registration binds a parent care-of
        // address (a care-of agent, not where the node is attached): the agent stays the local one.
        const parent = this.nodes.find((x) => x.name === label)?.board.config.roles.includes("care-of-agent") ||
          this.nodes.find((x) => x.name === label)?.board.config.roles.includes("home-agent") && label !== "home";
        if (!(parent && mip.agent !== null)) mip.agent = label;
        const h = mip.last;
        if (h && !h.closed && h.upUs >= 0 && h.registeredUs < 0) {
          h.registeredUs = now;
          h.toAgent = mip.agent;
          if (h.flows.length === 0) h.closed = true;
        }
        break;
      }
      case "reg_denied": {
        const code = Number(f.code);
        r.agentDenied.set(code, (r.agentDenied.get(code) ?? 0) + 1);
        break;
      }
      case "home":
        if (mip && f.atHome && mip.agent === null) mip.agent = "home";
        break;
      case "move": {
        // Movement detected without a loss of link (e.g. a new agent on the same link): a handoff starts here.
        if (!mip || !mip.registered || (mip.last && !mip.last.closed)) break;
        const s = node.ifaces[Number(f.iface)];
        if (!s || !s.ap) break;
        const h = this.newHandoff(node, s.index, s.ap.name, now);
        if (h.flows.length) node.open.push(h);
        break;
      }
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
    this.closeBoards();
  }

  /** Stop boards that run in other processes (SimOptions.wasm3); in-process boards need nothing. */
  private closeBoards(): void {
    for (const n of this.nodes) n.board.close?.();
  }
}


/** Sender of injected and replayed frames (not attached anywhere, so every port of the segment hears it). */
const INJECTOR: Port = { name: "injector", segment: null, receive() {} };

/** An Ethernet frame carrying an IPv4/UDP datagram to port 434 whose first payload byte is 1 (RFC 2002 §3.3). */
export function isRegistrationRequest(f: Uint8Array): boolean {
  if (f.length < 14 + 20 + 8 + 24 || f[12] !== 0x08 || f[13] !== 0 || (f[14] >> 4) !== 4 || f[23] !== 17) return false;
  const ihl = (f[14] & 15) * 4;
  const u = 14 + ihl;
  if (f.length < u + 8 + 24 || ((f[20] & 0x1f) | f[21]) !== 0) return false; // not a (non-first) fragment
  return ((f[u + 2] << 8) | f[u + 3]) === 434 && f[u + 8] === 1;
}
