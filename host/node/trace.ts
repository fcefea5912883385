// The run as a Chrome trace (`mipfw sim ... --trace FILE.json`), in the Trace Event Format that
// Perfetto (ui.perfetto.dev) and chrome://tracing open: one process per node (the mobile nodes and
// stations first, then the agents and the network, then the flows' and pings' receivers), with
// threads for the access point, the agent and the marks; associations and agent registrations as
// complete events ("X"), every mark and handoff as an instant event ("i"), each flow's one-way latency
// and each ping's round-trip time as counters ("C") and their losses as instants. Times in µs from
// the start of the run. Built from the same TimelineData as the HTML page (timeline.ts).

import type { TimelineData, Marker, Interval } from "./timeline.js";

interface TraceEvent {
  name: string; ph: "X" | "i" | "C" | "M"; pid: number; tid?: number; ts?: number; dur?: number;
  cat?: string; s?: "t" | "p" | "g"; args?: Record<string, unknown>;
}

const TID = { ap: 1, agent: 2, marks: 3, flows: 4, pings: 5 } as const;
const us = (ms: number) => Math.round(ms * 1000);

/** The trace events of a run (sorted by process, then time; metadata first). */
export function traceEvents(d: TimelineData): TraceEvent[] {
  const pids = new Map<string, number>();
  const meta: TraceEvent[] = [];
  const threads = new Set<string>();
  const pid = (node: string) => {
    let p = pids.get(node);
    if (p === undefined) {
      pids.set(node, (p = pids.size + 1));
      meta.push({ name: "process_name", ph: "M", pid: p, args: { name: node } }, { name: "process_sort_index", ph: "M", pid: p, args: { sort_index: p } });
    }
    return p;
  };
  const thread = (p: number, tid: number, name: string) => {
    const k = `${p}/${tid}`;
    if (!threads.has(k)) { threads.add(k); meta.push({ name: "thread_name", ph: "M", pid: p, tid, args: { name } }); }
    return tid;
  };
  const ev: TraceEvent[] = [];
  const spans = (p: number, tid: number, is: Interval[], cat: string) => {
    for (const i of is) ev.push({ name: i.label, cat, ph: "X", pid: p, tid, ts: us(i.startMs), dur: Math.max(1, us(i.endMs) - us(i.startMs)) });
  };
  const marks = (p: number, tid: number, ms: Marker[]) => {
    for (const m of ms) ev.push({ name: m.label, cat: m.kind, ph: "i", s: "t", pid: p, tid, ts: us(m.tMs), args: { detail: m.detail } });
  };
  for (const l of d.lanes) {
    const p = pid(l.node);
    spans(p, thread(p, TID.ap, "access point"), l.aps, "wifi");
    if (l.mobile) spans(p, thread(p, TID.agent, "agent"), l.agents, "mip");
    marks(p, thread(p, TID.marks, "marks"), [...l.registrations, ...l.other]);
  }
  for (const a of d.agents) { const p = pid(a.node); marks(p, thread(p, TID.marks, "marks"), a.markers); }
  for (const h of d.handoffs) {
    const p = pid(h.node);
    ev.push({ name: "handoff", cat: "handoff", ph: "i", s: "p", pid: p, ts: us(h.atMs), args: { from: h.from, to: h.to, interruptionMs: h.interruptionMs, registeredMs: h.registeredMs, lost: h.lost } });
  }
  for (const f of d.flows) {
    const p = pid(f.to), tid = thread(p, TID.flows, "flows: lost packets");
    f.packets.arrivalMs.forEach((t, i) => ev.push({ name: `latency ${f.name}`, cat: "flow", ph: "C", pid: p, ts: us(t), args: { ms: f.packets.latencyMs[i] } }));
    f.lost.sentMs.forEach((t, i) => ev.push({ name: `lost ${f.name}`, cat: "flow", ph: "i", s: "t", pid: p, tid, ts: us(t), args: { seq: f.lost.seq[i] } }));
  }
  for (const g of d.pings) {
    const p = pid(g.from), tid = thread(p, TID.pings, "pings: lost echoes");
    g.replies.sentMs.forEach((t, i) => ev.push({ name: `rtt ${g.name}`, cat: "ping", ph: "C", pid: p, ts: us(t), args: { ms: g.replies.rttMs[i] } }));
    g.lost.sentMs.forEach((t, i) => ev.push({ name: `lost ${g.name}`, cat: "ping", ph: "i", s: "t", pid: p, tid, ts: us(t), args: { seq: g.lost.seq[i] } }));
  }
  ev.sort((a, b) => a.pid - b.pid || (a.ts ?? 0) - (b.ts ?? 0));
  return [...meta, ...ev];
}

/** The trace file's text: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}, one event a line. */
export function traceJson(d: TimelineData): string {
  const head = JSON.stringify({ scenario: d.scenario, seed: d.seed, simMs: d.simMs, description: d.description });
  return `{"displayTimeUnit":"ms","otherData":${head},"traceEvents":[\n${traceEvents(d).map((e) => JSON.stringify(e)).join(",\n")}\n]}\n`;
}
