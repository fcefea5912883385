// The run summary (docs/results.md). Built from the simulation's state only, with every key in a
// fixed order, so the JSON is byte-identical for the same scenario and seed.

import { percentile, ms } from "./apps.js";
import type { Simulation, HostStats, Mip6Binding } from "./sim.js";
import type { DhcpStats } from "./dhcp.js";

export interface FlowSummary {
  name: string; from: string; to: string; sent: number; received: number; lost: number; duplicates: number; reordered: number;
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
}
export interface PingSummary {
  name: string; from: string; to: string; sent: number; received: number; lost: number;
  rttMs: { min: number | null; avg: number | null; p50: number | null; max: number | null };
}
export interface HandoffSummary {
  node: string; atMs: number; from: string; to: string | null; interruptionMs: number | null; lost: number;
  /** Mobile node: from the start of the handoff to the accepted registration; null otherwise or when none was accepted. */
  registeredMs: number | null;
}
export interface BoardSummary {
  board: string; memoryPages: number; heapUsed: number; counters: Record<string, number>; host: HostStats;
}
export interface SegmentSummary { frames: number; bytes: number; lost: number; queueDrops: number }
/** Version of the JSON summary's layout (docs/results.md): 2 added formatVersion and registrations.bindingDenied. */
export const SUMMARY_FORMAT_VERSION = 2;
export interface Summary {
  formatVersion: number;
  scenario: string;
  seed: number;
  simMs: number;
  flows: FlowSummary[];
  pings: PingSummary[];
  handoffs: HandoffSummary[];
  /** denied: Registration Reply codes to mobile nodes; agentDenied: codes agents sent; bindingDenied: Mobile IPv6 Binding Acknowledgement statuses (seed 003), by number. */
  registrations: { requested: number; accepted: number; denied: Record<string, number>; agentDenied: Record<string, number>; bindingDenied: Record<string, number> };
  segments: Record<string, SegmentSummary>;
  boards: Record<string, BoardSummary>;
  /** Per DHCP server (scenario nodes of kind "dhcp-server"): message counts and leases bound at the end. */
  dhcp: Record<string, DhcpSummary>;
  /** Mobile IPv6 bindings over the run (home agents' home registrations, correspondents' bindings), in the order they began. */
  mip6Bindings: Mip6Binding[];
}
export interface DhcpSummary extends DhcpStats { bound: number }

export function buildSummary(sim: Simulation): Summary {
  const flows = sim.flows.map(({ source, sink, from, to }): FlowSummary => {
    const lat = sink.latency.sorted();
    return {
      name: source.name, from, to, sent: source.sent, received: sink.received, lost: sink.lost,
      duplicates: sink.duplicates, reordered: sink.reordered,
      latencyMs: { p50: ms(percentile(lat, 50)), p99: ms(percentile(lat, 99)), max: ms(percentile(lat, 100)) },
    };
  });
  const pings = sim.pings.map(({ ping, from, to }): PingSummary => {
    const r = ping.rtt.sorted();
    let total = 0;
    for (let i = 0; i < r.length; i++) total += r[i];
    return {
      name: ping.name, from, to, sent: ping.sent, received: ping.received, lost: ping.sent - ping.received,
      rttMs: { min: ms(percentile(r, 0)), avg: ms(r.length ? total / r.length : NaN), p50: ms(percentile(r, 50)), max: ms(percentile(r, 100)) },
    };
  });
  const handoffs = sim.handoffs.map((h): HandoffSummary => {
    let lost = 0;
    for (const f of h.flows) lost += f.sink.seen.missing(f.lastSeq + 1, f.firstSeq >= 0 ? f.firstSeq : f.stopSeq >= 0 ? f.stopSeq : f.sink.sent);
    const interruption = h.flows.length && h.lastRxBeforeUs >= 0 && h.firstRxAfterUs >= 0 ? ms(h.firstRxAfterUs - h.lastRxBeforeUs) : null;
    // A mobile node's end points are "agent@access point" (docs/results.md); a plain station's are access points.
    const from = h.mobile ? `${h.fromAgent ?? "none"}@${h.from}` : h.from;
    const to = h.to === null ? null : h.mobile ? `${h.toAgent ?? "none"}@${h.to}` : h.to;
    return {
      node: h.node.name, atMs: ms(h.atUs)!, from, to, interruptionMs: interruption, lost: h.flows.length ? lost : 0,
      registeredMs: h.registeredUs >= 0 ? ms(h.registeredUs - h.atUs) : null,
    };
  });
  const byCode = (m: Map<number, number>) => {
    const out: Record<string, number> = {};
    for (const [code, n] of [...m].sort((a, b) => a[0] - b[0])) out[String(code)] = n;
    return out;
  };
  const denied = byCode(sim.registrations.denied);
  const segments: Record<string, SegmentSummary> = {};
  const segs = [...sim.segments.values(), ...sim.accessPoints.map((a) => a.cell)];
  for (const s of segs) segments[s.name] = { frames: s.stats.frames, bytes: s.stats.bytes, lost: s.stats.lost, queueDrops: s.stats.queueDrops };
  const boards: Record<string, BoardSummary> = {};
  for (const n of sim.nodes) {
    boards[n.name] = {
      board: n.board.config.board.name, memoryPages: n.board.memoryPages(), heapUsed: n.board.heapUsed(),
      counters: n.board.counters(), host: { ...n.stats },
    };
  }
  const dhcp: Record<string, DhcpSummary> = {};
  for (const d of sim.dhcpServers) dhcp[d.name] = { ...d.stats, bound: d.bindings().length };
  return {
    formatVersion: SUMMARY_FORMAT_VERSION, scenario: sim.scenario.name, seed: sim.seed, simMs: ms(sim.engine.nowUs)!, flows, pings, handoffs,
    registrations: { requested: sim.registrations.requested, accepted: sim.registrations.accepted, denied, agentDenied: byCode(sim.registrations.agentDenied), bindingDenied: byCode(sim.registrations.bindingDenied) },
    segments, boards, dhcp,
    mip6Bindings: sim.mip6Bindings.map((b) => ({ ...b, fromMs: ms(b.fromMs * 1000)!, untilMs: b.untilMs === null ? null : ms(b.untilMs * 1000) })),
  };
}

/** Summary as JSON text (two-space indent, trailing newline). */
export function summaryJson(s: Summary): string { return JSON.stringify(s, null, 2) + "\n"; }
