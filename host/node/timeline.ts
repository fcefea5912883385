// The timeline of a simulation run (`mipfw sim ... --timeline FILE.html`): one self-contained HTML
// page (inline CSS, inline SVG drawn by a small inline script of our own, no external resource) that
// shows, per mobile node or Wi-Fi station, which access point and which Mobile IP agent it was attached
// to over time, every registration exchange (requests, replies with their codes, denials by agents),
// per flow the rate at which its packets arrived (per 100 ms) with every gap shaded, the one-way
// latency of every packet received and the packets lost, per ping the round-trip time of every reply
// and the echoes lost, the scenario's actions and the handoff table; one shared time axis with zoom
// and pan, a legend generated from the table of mark kinds, and a compact view for many stations.
// Built from a simulation run with `{ timeline: true }` (the events it keeps, the arrival time,
// sequence number and latency of every flow packet, the sequence number of every ping reply) and its
// summary. The page's script is host/node/timeline-client.ts.
import type { Simulation, SimNode } from "./sim/sim.js";
import type { Summary, HandoffSummary } from "./sim/summary.js";
import type { Fields } from "./sim/events.js";
import { formatIp6 } from "./config.js";
import { replyCodeName, ba6StatusName, roStatusName, codeLabel } from "./names.js";
import { timelineClient } from "./timeline-client.js";

export const BUCKET_MS = 100;

/**
 * Every kind of mark the page draws: its colour class, a sample label and its meaning. The legend is
 * generated from this table and every Marker names its kind here, so a mark without a legend entry
 * cannot be drawn.
 */
export const MARK_KINDS = {
  req: { cls: "req", glyph: "req", meaning: "Registration Request sent by the mobile node (Mobile IPv4)" },
  reply_ok: { cls: "ok", glyph: "0", meaning: "Registration Reply accepted: its code (0, or 1 without simultaneous bindings)" },
  reply_deny: { cls: "deny", glyph: "130", meaning: "Registration Reply denied: its code" },
  bu: { cls: "req", glyph: "BU", meaning: "Binding Update to the home agent (Mobile IPv6; lifetime 0: the de-registration)" },
  ba_ok: { cls: "ok", glyph: "BA", meaning: "Binding Acknowledgement, accepted (status below 128)" },
  ba_deny: { cls: "deny", glyph: "BA 129", meaning: "Binding Acknowledgement refused: its status (128 or more)" },
  coa: { cls: "info", glyph: "CoA", meaning: "a new care-of address registered (Mobile IPv6)" },
  home: { cls: "info", glyph: "H", meaning: "the node is at home" },
  away: { cls: "info", glyph: "A", meaning: "the node is away from home" },
  move: { cls: "info", glyph: "M", meaning: "movement detected by the mobile node" },
  dhcp: { cls: "ok", glyph: "D", meaning: "DHCP: an address bound or renewed" },
  dhcp_lost: { cls: "deny", glyph: "D", meaning: "DHCP: the lease lost" },
  auth: { cls: "deny", glyph: "!", meaning: "authentication failed (at the node or an agent)" },
  action: { cls: "act", glyph: "stop", meaning: "scenario action (stop, start, restart, inject, replayLastRegistration)" },
  cfg: { cls: "act", glyph: "cfg", meaning: "configuration added to the running node (scenario changes)" },
  binding: { cls: "ok", glyph: "B:add", meaning: "home agent binding added or refreshed (B:add, B:refresh)" },
  binding_end: { cls: "info", glyph: "B:deregister", meaning: "home agent binding ended by the mobile node (de-registration)" },
  binding_replace: { cls: "info", glyph: "B:replace", meaning: "home agent binding replaced by the node's registration from another care-of address (no simultaneous bindings)" },
  binding_bad: { cls: "deny", glyph: "B:expire", meaning: "home agent binding expired or removed otherwise" },
  ro: { cls: "ok", glyph: "RO:add", meaning: "correspondent binding added or refreshed (route optimization)" },
  ro_end: { cls: "info", glyph: "RO:delete", meaning: "correspondent binding deleted" },
  ro_bad: { cls: "deny", glyph: "RO:refused", meaning: "correspondent binding refused or expired" },
  visitor: { cls: "ok", glyph: "V:accepted", meaning: "foreign agent visitor accepted or pending" },
  visitor_end: { cls: "info", glyph: "V:removed", meaning: "foreign agent visitor removed" },
  visitor_bad: { cls: "deny", glyph: "V:denied", meaning: "foreign agent visitor denied or expired" },
  agent_deny: { cls: "deny", glyph: "131", meaning: "an agent denied a registration: the code it sent" },
  lease: { cls: "ok", glyph: "lease", meaning: "DHCP server: a lease bound" },
  nak: { cls: "deny", glyph: "NAK", meaning: "DHCP server: a request refused (NAK)" },
} as const satisfies Record<string, { cls: "req" | "ok" | "deny" | "info" | "act"; glyph: string; meaning: string }>;
export type MarkKind = keyof typeof MARK_KINDS;

/** What else the page draws (bands, shading, plots), with their legend entries; the renderer tags each with its key. */
export const PLOT_KINDS = {
  ap: "access point band: the access point a station was associated with (one colour per access point, its name inside when it fits)",
  agent: "agent band: the agent a mobile node was registered with (home, a foreign agent, colocated, or its care-of address for Mobile IPv6)",
  none: "not associated / not registered",
  gap: "gap in a flow: longer than 2.5 packet periods (at least 20 ms) without a packet",
  handoff: "handoff (dotted line; click a row of the handoff table to zoom to it)",
  rate: "packets received per 100 ms (duplicates included)",
  expected: "rate sent",
  latency: "one-way latency of a packet received, at its arrival time",
  lost: "a packet never received, at its send time",
  rtt: "ping: round-trip time of a reply, at its request's send time",
  ping_lost: "ping: an echo request without reply, at its send time",
  cluster: "+N: N marks whose labels did not fit (hover for the list, click to zoom in)",
  pkt: "handoff detail: a packet arrival",
  link: "handoff detail: the link up",
} as const;
export type PlotKind = keyof typeof PLOT_KINDS;

export interface Interval { startMs: number; endMs: number; label: string }
export interface Marker { tMs: number; label: string; detail: string; kind: MarkKind; cls: string }
/** A mark of `kind` (its colour class from MARK_KINDS). */
function mk(tMs: number, kind: MarkKind, label: string, detail: string): Marker { return { tMs, label, detail, kind, cls: MARK_KINDS[kind].cls }; }
export interface Lane {
  node: string;
  mobile: boolean;
  aps: Interval[];
  agents: Interval[];
  registrations: Marker[];
  other: Marker[];
}
export interface FlowTrack {
  name: string; from: string; to: string; ratePps: number; startMs: number; stopMs: number;
  /** Packets arrived (duplicates included) per BUCKET_MS bucket from t = 0. */
  buckets: number[];
  /** Intervals within the flow's active time with no arrival for longer than 2.5 packet periods (at least 20 ms). */
  gaps: Interval[];
  /** Every datagram received once, in arrival order: sequence number, arrival time and one-way latency (ms). */
  packets: { seq: number[]; arrivalMs: number[]; latencyMs: number[] };
  /** Every sequence number sent and never received, with its send time (ms). */
  lost: { seq: number[]; sentMs: number[] };
  /** Send time of packet k: (startUs + round(k * periodUs)) / 1000 ms. */
  startUs: number; periodUs: number;
}
/** A ping: every reply counted (sequence number, send time and round-trip time, ms) and every echo lost. */
export interface PingTrack {
  name: string; from: string; to: string; sent: number; startUs: number; intervalUs: number;
  replies: { seq: number[]; sentMs: number[]; rttMs: number[] };
  lost: { seq: number[]; sentMs: number[] };
}
/** A zoomed view of one handoff: link down/up, the node's registration exchange, every packet arrival. */
export interface HandoffDetail {
  node: string; atMs: number; fromMs: number; toMs: number; title: string;
  linkUpMs: number | null;
  /** False when the handoff started with a movement detected on a link that stayed up. */
  linkLost: boolean;
  markers: Marker[];
  /** Arrival times (ms) of the flows to the node within the window. */
  arrivals: number[];
  gaps: Interval[];
}
export interface TimelineData {
  scenario: string; description: string; seed: number; simMs: number;
  lanes: Lane[];
  /** Events of agents and of the network (bindings, visitors, denials, actions), one row per node. */
  agents: { node: string; markers: Marker[] }[];
  flows: FlowTrack[];
  pings: PingTrack[];
  handoffs: HandoffSummary[];
  details: HandoffDetail[];
  registrations: Summary["registrations"];
  mip6Bindings: Summary["mip6Bindings"];
}

const num = (v: unknown) => Number(v);

/** Extract what the page shows from a finished run (`new Simulation(..., { timeline: true })`). */
export function timelineData(sim: Simulation, summary: Summary): TimelineData {
  if (sim.events.keep === false) throw new Error("timeline: run the simulation with { timeline: true } (or keepEvents)");
  const simMs = summary.simMs;
  const events = sim.events.kept as (Fields & { t: number; node: string | null; kind: string })[];
  const laneNodes = sim.nodes.filter((n) => n.mip !== null || n.ifaces.some((i) => i.wifi));
  const lanes: Lane[] = laneNodes.map((n) => laneOf(sim, n, events.filter((e) => e.node === n.name), simMs));
  const laneNames = new Set(laneNodes.map((n) => n.name));
  const agentRows = new Map<string, Marker[]>();
  const row = (name: string) => { let r = agentRows.get(name); if (!r) agentRows.set(name, (r = [])); return r; };
  for (const e of events) {
    const who = e.node ?? "network";
    if (laneNames.has(who)) continue;
    const m = agentMarker(e);
    if (m) row(who).push(m);
  }
  const flows: FlowTrack[] = sim.flows.map(({ source, sink, from, to }) => {
    const startMs = source.startUs / 1000;
    const stopMs = Math.min(source.stopUs / 1000, simMs);
    const nb = Math.max(1, Math.ceil(simMs / BUCKET_MS));
    const buckets = new Array<number>(nb).fill(0);
    const times = sink.rxTimes ? sink.rxTimes.data.subarray(0, sink.rxTimes.n) : new Float64Array(0);
    for (const t of times) buckets[Math.min(nb - 1, Math.floor(t / 1000 / BUCKET_MS))]++;
    const periodMs = 1000 / source.ratePps;
    const thr = Math.max(2.5 * periodMs, 20);
    const gaps: Interval[] = [];
    // The last packet can arrive a little after stopMs; gaps end at the flow's end.
    let prev = startMs;
    for (const tu of times) {
      const t = tu / 1000;
      if (t - prev > thr && prev < stopMs) gaps.push({ startMs: prev, endMs: Math.min(t, stopMs), label: `${fmt(Math.min(t, stopMs) - prev)} ms without ${source.name}` });
      prev = Math.max(prev, t);
    }
    if (stopMs - prev > thr) gaps.push({ startMs: prev, endMs: stopMs, label: `${fmt(stopMs - prev)} ms without ${source.name}` });
    const seq = sink.rxSeq ? Array.from(sink.rxSeq.data.subarray(0, sink.rxSeq.n)) : [];
    const latencyMs = Array.from(sink.latency.data.subarray(0, seq.length), (v) => v / 1000);
    const arrivalMs = seq.map((k, i) => source.timeOf(k) / 1000 + latencyMs[i]);
    const lost: FlowTrack["lost"] = { seq: [], sentMs: [] };
    for (let k = 0; k < source.sent; k++) if (!sink.seen.has(k)) { lost.seq.push(k); lost.sentMs.push(source.timeOf(k) / 1000); }
    return {
      name: source.name, from, to, ratePps: source.ratePps, startMs, stopMs, buckets, gaps,
      packets: { seq, arrivalMs, latencyMs }, lost, startUs: source.startUs, periodUs: 1e6 / source.ratePps,
    };
  });
  const pings: PingTrack[] = sim.pings.map(({ ping, from, to }) => {
    const seq = ping.replySeq ? Array.from(ping.replySeq.data.subarray(0, ping.replySeq.n)) : [];
    const lost: PingTrack["lost"] = { seq: [], sentMs: [] };
    for (let k = 0; k < ping.sent; k++) if (!ping.seen.has(k)) { lost.seq.push(k); lost.sentMs.push(ping.timeOf(k) / 1000); }
    return {
      name: ping.name, from, to, sent: ping.sent, startUs: ping.startUs, intervalUs: ping.intervalUs,
      replies: { seq, sentMs: seq.map((k) => ping.timeOf(k) / 1000), rttMs: Array.from(ping.rtt.data.subarray(0, seq.length), (v) => v / 1000) },
      lost,
    };
  });
  const details: HandoffDetail[] = summary.handoffs.map((h) => {
    const lane = lanes.find((l) => l.node === h.node);
    const span = Math.max(150, (h.interruptionMs ?? h.registeredMs ?? 100) + 80);
    const fromMs = Math.max(0, h.atMs - 40), toMs = Math.min(simMs, h.atMs + span);
    const inWin = (t: number) => t >= fromMs && t <= toMs;
    const up = lane?.aps.find((a) => a.startMs > h.atMs - 1e-9);
    const arrivals: number[] = [];
    const gaps: Interval[] = [];
    sim.flows.forEach(({ sink, to }, i) => {
      if (to !== h.node) return;
      const times = sink.rxTimes ? sink.rxTimes.data.subarray(0, sink.rxTimes.n) : new Float64Array(0);
      for (const t of times) if (inWin(t / 1000)) arrivals.push(t / 1000);
      for (const g of flows[i].gaps) if (g.endMs >= fromMs && g.startMs <= toMs) gaps.push(g);
    });
    arrivals.sort((a, b) => a - b);
    const markers = lane ? [...lane.registrations, ...lane.other].filter((m) => inWin(m.tMs)).sort((a, b) => a.tMs - b.tMs) : [];
    return {
      node: h.node, atMs: h.atMs, fromMs, toMs, title: `${h.node}: ${h.from} → ${h.to ?? "none"}`,
      linkUpMs: up && inWin(up.startMs) ? up.startMs : null, linkLost: !!lane?.aps.some((a) => Math.abs(a.endMs - h.atMs) < 1e-6),
      markers, arrivals, gaps,
    };
  });
  return {
    scenario: summary.scenario, description: sim.scenario.description, seed: summary.seed, simMs, lanes,
    agents: [...agentRows].map(([node, markers]) => ({ node, markers })),
    flows, pings, handoffs: summary.handoffs, details, registrations: summary.registrations, mip6Bindings: summary.mip6Bindings,
  };
}

function laneOf(sim: Simulation, n: SimNode, evs: (Fields & { t: number; kind: string })[], simMs: number): Lane {
  const aps: Interval[] = [];
  const agents: Interval[] = [];
  const registrations: Marker[] = [];
  const other: Marker[] = [];
  const openAp = new Map<number, { t: number; ap: string }>();
  let agent: { t: number; label: string } | null = null;
  let lastCoa: string | null = null;
  // A Mobile IPv6 mobile node is at home, before any registration, once its home address is usable.
  const h6 = n.spec.config.ipv6.find((a) => a.home);
  const home6 = h6 && n.mip ? formatIp6(h6.address[0]) : null;
  const closeAgent = (t: number) => { if (agent && t > agent.t) agents.push({ startMs: agent.t, endMs: t, label: agent.label }); agent = null; };
  for (const e of evs) {
    switch (e.kind) {
      case "wifi_assoc": openAp.set(num(e.iface), { t: e.t, ap: String(e.ap) }); break;
      case "wifi_disassoc": {
        const o = openAp.get(num(e.iface));
        if (o) { aps.push({ startMs: o.t, endMs: e.t, label: o.ap }); openAp.delete(num(e.iface)); }
        break;
      }
      case "reg_request":
        if (String(e.coa).includes(":")) {
          // Mobile IPv6 (issue 13): the home registration is a Binding Update to the home agent; a new
          // care-of address gets its own mark.
          const dereg = num(e.lifetimeSec) === 0;
          if (!dereg && e.coa !== lastCoa) other.push(mk(e.t, "coa", "CoA", `care-of address ${e.coa}${lastCoa ? ` (was ${lastCoa})` : ""}`));
          if (!dereg) lastCoa = String(e.coa);
          registrations.push(mk(e.t, "bu", "BU",
            dereg ? `Binding Update to home agent ${e.ha}: de-registration (lifetime 0, at home)` : `Binding Update to home agent ${e.ha}: home ${e.home}, care-of address ${e.coa}, lifetime ${e.lifetimeSec} s`));
          break;
        }
        registrations.push(mk(e.t, "req", "req",
          `Registration Request: CoA ${e.coa}, lifetime ${e.lifetimeSec} s${e.flagNames ? `, flags ${e.flagNames}` : ""}${e.viaFa ? ", via foreign agent" : ", direct"}`));
        break;
      case "reg_reply": {
        const code = num(e.code);
        const v6 = String(e.coa).includes(":");
        // (A Binding Acknowledgement's status: below 128 accepted, seed 003 §5.2.)
        const ok = v6 ? code < 128 : code <= 1;
        registrations.push(v6
          ? mk(e.t, ok ? "ba_ok" : "ba_deny", ok ? "BA" : `BA ${code}`, `Binding Acknowledgement status ${code} ${ba6StatusName(code)}${ok ? " (accepted)" : " (refused)"}, lifetime ${e.lifetimeSec} s, care-of address ${e.coa}`)
          : mk(e.t, ok ? "reply_ok" : "reply_deny", String(code), `Registration Reply code ${code} ${replyCodeName(code)}${ok ? " (accepted)" : " (denied)"}, lifetime ${e.lifetimeSec} s, CoA ${e.coa}`));
        if (ok) {
          const label = sim.agentLabel(n, String(e.coa), num(e.lifetimeSec));
          if (!agent || agent.label !== label) { closeAgent(e.t); agent = { t: e.t, label }; }
        }
        break;
      }
      case "home":
        // At home without a registration, the home network serves the node; leaving it ends that.
        if (e.atHome && !agent) agent = { t: e.t, label: "home" };
        else if (!e.atHome && agent && (agent as { label: string }).label === "home") closeAgent(e.t);
        other.push(e.atHome ? mk(e.t, "home", "H", `at home (agent ${e.agent})`) : mk(e.t, "away", "A", `away from home (agent ${e.agent})`));
        break;
      case "addr6":
        if (home6 !== null && e.addr === home6 && e.state === "preferred" && !agent) agent = { t: e.t, label: "home" };
        break;
      case "move": other.push(mk(e.t, "move", "M", `movement detected: ${e.reason}, agent ${e.agent}, CoA ${e.coa}`)); break;
      case "dhcp": other.push(mk(e.t, e.op === "lost" ? "dhcp_lost" : "dhcp", "D", `DHCP ${e.op}: ${e.addr} router ${e.router}, lease ${e.leaseSec} s`)); break;
      case "auth_failed": other.push(mk(e.t, "auth", "!", `authentication failed (ext ${e.extType}, peer ${e.peer}, SPI ${e.spi})`)); break;
      case "action":
        other.push(mk(e.t, "action", String(e.action), `scenario action: ${e.action}`));
        if (e.action === "stop" || e.action === "start" || e.action === "restart") closeAgent(e.t);
        break;
    }
  }
  for (const o of openAp.values()) aps.push({ startMs: o.t, endMs: simMs, label: o.ap });
  closeAgent(simMs);
  aps.sort((a, b) => a.startMs - b.startMs);
  return { node: n.name, mobile: n.mip !== null, aps, agents, registrations, other };
}

function agentMarker(e: Fields & { t: number; kind: string }): Marker | null {
  switch (e.kind) {
    case "binding": return mk(e.t, e.op === "add" || e.op === "refresh" ? "binding" : e.op === "deregister" ? "binding_end" : e.op === "replace" ? "binding_replace" : "binding_bad", `B:${e.op}`, `binding ${e.op}: ${e.home} → ${e.coa}, lifetime ${e.lifetimeSec} s`);
    // A correspondent's binding (route optimization: seed 001's cache, seed 003's Binding Cache entries).
    case "ro_binding": return mk(e.t, e.op === "add" || e.op === "refresh" ? "ro" : e.op === "delete" ? "ro_end" : "ro_bad", `RO:${e.op}`,
      `correspondent binding ${e.op}: ${e.home} → ${e.coa}, lifetime ${e.lifetimeSec} s${e.op === "refused" ? `, status ${e.status} ${roStatusName(num(e.status))}` : ""}`);
    case "config_change": return mk(e.t, "cfg", "cfg", `configuration added: ${e.what}`);
    case "visitor": return mk(e.t, e.op === "accepted" || e.op === "pending" ? "visitor" : e.op === "removed" ? "visitor_end" : "visitor_bad", `V:${e.op}`,
      `visitor ${e.op}: ${e.home} (home agent ${e.ha}), code ${e.code}${num(e.code) ? " " + replyCodeName(num(e.code)) : ""}, lifetime ${e.lifetimeSec} s`);
    case "reg_denied": return mk(e.t, "agent_deny", String(e.code), `${e.role} denied a registration of ${e.home} with code ${e.code} ${replyCodeName(num(e.code))}`);
    case "auth_failed": return mk(e.t, "auth", "!", `${e.role}: authentication failed (ext ${e.extType}, code ${e.code}${num(e.code) ? " " + replyCodeName(num(e.code)) : ""}, peer ${e.peer}, SPI ${e.spi})`);
    case "action": return mk(e.t, "action", String(e.action), `scenario action: ${e.action}${e.segment ? ` on ${e.segment}` : ""}`);
    case "dhcp_bound": case "dhcp_nak": return mk(e.t, e.kind === "dhcp_bound" ? "lease" : "nak", e.kind === "dhcp_bound" ? "lease" : "NAK", `${e.kind}: ${e.addr ?? ""} ${e.mac ?? ""} ${e.reason ?? ""}`.trim());
  }
  return null;
}

// ---- rendering ----

const esc = (s: unknown) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
function fmt(v: number): string { return String(Math.round(v * 1000) / 1000); }
/** Milliseconds rounded to the microsecond (the page's times). */
const r3 = (v: number) => Math.round(v * 1000) / 1000;
function fmtTime(ms: number): string { return ms >= 1000 ? `${fmt(ms / 1000)} s` : `${fmt(ms)} ms`; }

/** A stable colour per name. */
function colour(name: string): string {
  if (name === "home") return "hsl(140 45% 62%)";
  if (name === "colocated") return "hsl(45 80% 62%)";
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360} 55% 68%)`;
}

/** More lanes than this: the page opens in the compact view. */
export const COMPACT_OVER = 20;
const WIDTH = 1190;
const KIND_IDS = Object.keys(MARK_KINDS) as MarkKind[];

/** Sequence numbers as differences (mostly 1: short JSON). */
function delta(a: number[]): number[] { let p = 0; return a.map((v) => { const d = v - p; p = v; return d; }); }
/** Sorted sequence numbers as runs [first, count]. */
function runs(a: number[]): number[][] {
  const out: number[][] = [];
  for (const v of a) { const last = out[out.length - 1]; if (last && last[0] + last[1] === v) last[1]++; else out.push([v, 1]); }
  return out;
}

/** What the page's script draws from (timeline-client.ts): times in ms to the µs, marks as [tMs, kind index, label, detail]. */
function pageData(d: TimelineData) {
  const marks = (ms: Marker[]) => [...ms].sort((a, b) => a.tMs - b.tMs).map((m) => [r3(m.tMs), KIND_IDS.indexOf(m.kind), m.label, m.detail]);
  const ivs = (is: Interval[]) => is.map((i) => [r3(i.startMs), r3(i.endMs), i.label]);
  const colours: Record<string, string> = {};
  for (const l of d.lanes) for (const i of [...l.aps, ...l.agents]) colours[i.label] = colour(i.label);
  return {
    scenario: d.scenario, simMs: d.simMs, bucketMs: BUCKET_MS, compactOver: COMPACT_OVER,
    kinds: KIND_IDS.map((id) => ({ id, cls: MARK_KINDS[id].cls })), colours,
    lanes: d.lanes.map((l) => ({ node: l.node, mobile: l.mobile, aps: ivs(l.aps), agents: ivs(l.agents), reg: marks(l.registrations), other: marks(l.other) })),
    agents: d.agents.map((a) => ({ node: a.node, marks: marks(a.markers) })),
    flows: d.flows.map((f) => ({
      name: f.name, from: f.from, to: f.to, ratePps: f.ratePps, startMs: r3(f.startMs), stopMs: r3(f.stopMs), buckets: f.buckets, gaps: ivs(f.gaps),
      startUs: f.startUs, periodUs: f.periodUs, seq: delta(f.packets.seq),
      // (Rounded down to the µs: an arrival never drawn after the end of the run.)
      latUs: f.packets.latencyMs.map((v) => Math.floor(v * 1000 + 1e-6)), lost: runs(f.lost.seq),
    })),
    pings: d.pings.map((p) => ({
      name: p.name, from: p.from, to: p.to, startUs: p.startUs, intervalUs: p.intervalUs, seq: delta(p.replies.seq),
      rttUs: p.replies.rttMs.map((v) => Math.floor(v * 1000 + 1e-6)), lost: runs(p.lost.seq),
    })),
    handoffs: d.handoffs,
    details: d.details.map((h) => ({
      node: h.node, atMs: h.atMs, fromMs: r3(h.fromMs), toMs: r3(h.toMs), linkUpMs: h.linkUpMs, linkLost: h.linkLost,
      marks: marks(h.markers), arrivals: h.arrivals.map(r3), gaps: ivs(h.gaps),
    })),
  };
}

/** A legend sample of a plot element (the page's own classes). */
function plotGlyph(k: PlotKind): string {
  const g = (body: string) => `<svg class="glyph" width="44" height="16" viewBox="0 0 44 16">${body}</svg>`;
  switch (k) {
    case "ap": return g(`<rect class="band" x="2" y="2" width="40" height="12" fill="${colour("ap1")}"/>`);
    case "agent": return g(`<rect class="band" x="2" y="2" width="40" height="12" fill="${colour("home")}"/>`);
    case "none": return g(`<rect class="none" x="2" y="2" width="40" height="12"/>`);
    case "gap": return g(`<rect class="gap" x="2" y="0" width="40" height="16"/>`);
    case "handoff": return g(`<g class="ho"><line x1="22" x2="22" y1="0" y2="16"/></g>`);
    case "rate": return g(`<path class="rate" d="M2 12L14 12L14 4L30 4L30 8L42 8"/>`);
    case "expected": return g(`<line class="expected" x1="2" x2="42" y1="8" y2="8"/>`);
    case "latency": return g(`<path class="lat" d="M6 10h0M14 9h0M22 11h0M30 6h0M38 9h0"/>`);
    case "lost": case "ping_lost": return g(`<path class="loss" d="M10 2v12M16 2v12M22 2v12"/>`);
    case "rtt": return g(`<path class="rtt" d="M6 10h0M16 8h0M26 11h0M36 9h0"/>`);
    case "cluster": return g(`<text class="ml cl" x="10" y="12">+3</text>`);
    case "pkt": return g(`<path class="pkt" d="M8 2v12M14 2v12M20 2v12M26 2v12M32 2v12"/>`);
    case "link": return g(`<rect class="band" x="2" y="2" width="40" height="12" fill="hsl(210 10% 75%)"/>`);
  }
}

/** The legend: one row per mark kind (MARK_KINDS) and per plot element (PLOT_KINDS). */
function legend(): string {
  const markRows = KIND_IDS.map((id) => {
    const k = MARK_KINDS[id];
    return `<div data-kind="${id}"><svg class="glyph" width="64" height="16" viewBox="0 0 64 16"><g class="mk ${k.cls}"><line x1="4" x2="4" y1="2" y2="16"/><text class="ml" x="9" y="12">${esc(k.glyph)}</text></g></svg><span>${esc(k.meaning)}</span></div>`;
  });
  const plotRows = (Object.keys(PLOT_KINDS) as PlotKind[]).map((id) => `<div data-kind="${id}">${plotGlyph(id)}<span>${esc(PLOT_KINDS[id])}</span></div>`);
  return `<details id="legend" open><summary>Legend</summary><p class="note">Marks (a tick with its label; red: a denial or a failure, green: accepted, blue: a request, grey: information, purple: scenario actions and configuration):</p>` +
    `<div class="lg">${markRows.join("")}</div><p class="note">Bands, plots and shading:</p><div class="lg">${plotRows.join("")}</div></details>`;
}

/** The page. */
export function renderTimeline(d: TimelineData): string {
  const data = pageData(d);
  const svg = (cls: string, i: number, label: string) => `<svg class="chart ${cls}" data-i="${i}" width="${WIDTH}" height="40" role="img" aria-label="${esc(label)}"></svg>`;
  const sections: string[] = [];
  sections.push(`<section id="lanes"><div id="lanes-full">` + d.lanes.map((l, i) =>
    `<h2>${esc(l.node)}${l.mobile ? " (mobile node)" : " (Wi-Fi station)"}</h2>\n${svg("lane", i, `attachment of ${l.node} over time`)}`).join("\n") +
    `</div><div id="lanes-compact" hidden><h2>Stations (${d.lanes.length}, compact view)</h2><p class="note">One row per station: its access point band (upper half for a mobile node, its agent band below), every mark as a tick (hover for details); gaps of the flows to it shaded.</p>` +
    `<svg class="chart compact" id="compact-svg" width="${WIDTH}" height="40" role="img" aria-label="all stations"></svg></div></section>`);
  d.flows.forEach((f, i) => {
    sections.push(`<h2>Flow ${esc(f.name)}: ${esc(f.from)} → ${esc(f.to)} (${fmt(f.ratePps)} packets/s)</h2>\n` +
      `<p class="note">Packets received per ${BUCKET_MS} ms (duplicates included) against the rate sent (dashed); the one-way latency of each of the ${f.packets.seq.length} packets received once, at its arrival; the ${f.lost.seq.length} packets lost, at their send time; ${f.gaps.length} gap${f.gaps.length === 1 ? "" : "s"} shaded; handoffs dotted.</p>\n${svg("flow", i, `rate, latency and loss of ${f.name}`)}`);
  });
  d.pings.forEach((p, i) => {
    sections.push(`<h2>Ping ${esc(p.name)}: ${esc(p.from)} → ${esc(p.to)}</h2>\n` +
      `<p class="note">Round-trip time of each of the ${p.replies.seq.length} replies, at its request's send time; the ${p.lost.seq.length} echo requests without reply, at their send time.</p>\n${svg("ping", i, `round-trip times of ${p.name}`)}`);
  });
  if (d.agents.length) sections.push(`<h2>Agents and network</h2>\n<p class="note">Bindings (B:), correspondent bindings (RO:), visitors (V:), denials (reply code), authentication failures (!), configuration changes (cfg), DHCP leases and scenario actions.</p>\n${svg("agents", 0, "agent events")}`);
  if (d.details.length) {
    sections.push(`<h2>Handoffs in detail</h2>\n<p class="note">Each handoff zoomed (its own time axis): link down and up, the registration exchange (request, reply code), every packet of the flows to the node (ticks), the gap shaded. Click its row in the handoff table to zoom the timeline to it.</p>\n` +
      d.details.map((h, i) => `<h3>${esc(h.title)} at ${esc(fmt(h.atMs))} ms</h3>\n<svg class="detail" data-i="${i}" width="${WIDTH}" height="40" role="img" aria-label="${esc(`handoff of ${h.node} at ${fmt(h.atMs)} ms`)}"></svg>`).join("\n"));
  }
  const rows = d.handoffs.map((h, i) => `<tr data-from="${r3(d.details[i].fromMs)}" data-to="${r3(d.details[i].toMs)}" title="click: zoom the timeline to this handoff"><td>${esc(h.node)}</td><td class="n">${fmt(h.atMs)}</td><td>${esc(h.from)}</td><td>${esc(h.to ?? "—")}</td>` +
    `<td class="n">${h.registeredMs ?? "—"}</td><td class="n">${h.interruptionMs ?? "—"}</td><td class="n">${h.lost}</td></tr>`).join("\n");
  const codes = (m: Record<string, number>, v6 = false) => Object.entries(m).map(([c, n]) => `${esc(codeLabel(Number(c), v6))}: ${n}`).join(", ") || "none";
  const r = d.registrations;
  // The data as JSON in a non-executed script element ("<" escaped: no "</script>" inside).
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mipfw timeline: ${esc(d.scenario)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 24px 16px;color:#222;background:#fff}
h1{font-size:20px;margin:12px 0 4px}h2{font-size:15px;margin:18px 0 2px}h3{font-size:13px;margin:10px 0 2px;font-weight:600}
.note{color:#555;margin:0 0 4px;font-size:12px}
#bar{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ddd;padding:6px 0;display:flex;gap:8px;align-items:center;font-size:12px}
#bar button{font:12px system-ui,sans-serif;padding:2px 8px}#view{font-variant-numeric:tabular-nums;min-width:260px}#hover{color:#444;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;flex:1}
svg{display:block;background:#fafafa;border:1px solid #ddd}svg.chart{cursor:grab;touch-action:none;user-select:none}svg.glyph{display:inline-block;border:0;background:none}
svg text{font:11px system-ui,sans-serif;fill:#222}
svg text.row{font-weight:600}svg text.tick{fill:#555;font-size:10px}svg text.bt{font:11px sans-serif}svg text.cn{font:8px sans-serif;fill:#333}
svg text.ml{font:10px sans-serif}g.cl text{fill:#000;cursor:zoom-in}
rect.none{fill:#eee}rect.band{stroke:#fff;stroke-width:.5}rect.gap{fill:rgba(220,40,40,.18)}rect.brush{fill:rgba(38,96,164,.15);stroke:#2660a4}
.axis,.tick{stroke:#888}
path.rate{fill:none;stroke:#2660a4;stroke-width:1.2}line.expected{stroke:#444;stroke-dasharray:4 3}
path.lat{fill:none;stroke:#2660a4;stroke-width:2.4;stroke-linecap:round}path.rtt{fill:none;stroke:#0a7d6c;stroke-width:3;stroke-linecap:round}
path.loss{stroke:#c0282d;stroke-width:1.2}path.pkt{stroke:#2660a4;stroke-width:1}
g.ho line{stroke:#a04;stroke-dasharray:1 2}
g.mk line{stroke-width:2}line.tk{stroke-width:1.5}
g.req line,line.tk.req{stroke:#2660a4}g.req text{fill:#2660a4}
g.ok line,line.tk.ok{stroke:#1d8a3a}g.ok text{fill:#1d8a3a}
g.deny line,line.tk.deny{stroke:#c0282d}g.deny text{fill:#c0282d}
g.info line,line.tk.info{stroke:#888}g.info text{fill:#666}
g.act line,line.tk.act{stroke:#7a3db8}g.act text{fill:#7a3db8}
table{border-collapse:collapse;margin-top:6px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right}
tr[data-from]{cursor:zoom-in}tr[data-from]:hover{background:#eef4fb}
.lg{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:1px 16px;font-size:12px;max-width:1190px}.lg div{display:flex;gap:6px;align-items:center}.lg svg{flex:none}
summary{font-weight:600;cursor:pointer;margin-top:8px}
</style></head>
<body>
<div id="bar"><button id="zout" title="zoom out (-)">−</button><button id="zin" title="zoom in (+)">+</button><button id="zreset" title="the whole run (0)">reset</button><button id="compact" title="one thin row per station, or the full lanes">compact view</button>
<span id="view" data-t0="0" data-t1="${d.simMs}"></span><span id="hover"></span></div>
<h1>Scenario ${esc(d.scenario)}, seed ${d.seed}: ${esc(fmtTime(d.simMs))} simulated</h1>
<p class="note">${esc(d.description)}</p>
<p>Registrations: requested ${r.requested}, accepted ${r.accepted}, denied (replies to mobile nodes) ${codes(r.denied)}, denied by agents ${codes(r.agentDenied)}${r.bindingDenied && Object.keys(r.bindingDenied).length ? `, Binding Updates refused ${codes(r.bindingDenied, true)}` : ""}.</p>
<p class="note">One time axis for every chart below but the handoff details: the mouse wheel zooms around the pointer, dragging pans, shift-dragging zooms to the range brushed; buttons above, keys + and − (zoom), ← and → (pan), 0 (the whole run); a row of the handoff table zooms to its handoff. Hover any mark for its details.</p>
<noscript><p>This page draws its charts with its inline script: enable scripts to see them.</p></noscript>
${legend()}
${sections.join("\n")}
<h2>Handoffs (${d.handoffs.length})</h2>
<table class="handoffs"><tr><th>node</th><th>at ms</th><th>from</th><th>to</th><th>registered ms</th><th>interruption ms</th><th>lost</th></tr>
${rows}
</table>
${d.mip6Bindings.length ? `<h2>Mobile IPv6 bindings (${d.mip6Bindings.length})</h2>
<p class="note">Home registrations at home agents and correspondents' bindings, from their Binding Cache events: each care-of address from its first update until it ended (moved: bound to another care-of address).</p>
<table class="mip6"><tr><th>node</th><th>kind</th><th>home address</th><th>care-of address</th><th>from ms</th><th>until ms</th><th>end</th><th>refreshes</th></tr>
${d.mip6Bindings.map((b) => `<tr><td>${esc(b.node)}</td><td>${esc(b.kind)}</td><td>${esc(b.home)}</td><td>${esc(b.careOf)}</td><td class="n">${fmt(b.fromMs)}</td>` +
    `<td class="n">${b.untilMs === null ? "—" : fmt(b.untilMs)}</td><td>${esc(b.end ?? "in cache")}</td><td class="n">${b.refreshes}</td></tr>`).join("\n")}
</table>
` : ""}<script type="application/json" id="tl-data">${json}</script>
<script>(${timelineClient.toString()})(JSON.parse(document.getElementById("tl-data").textContent));</script>
</body></html>
`;
}
