// The timeline of a simulation run (`mipfw sim ... --timeline FILE.html`): one self-contained HTML
// page (inline CSS and SVG, no script, no external resource) that shows, per mobile node or Wi-Fi
// station, which access point and which Mobile IP agent it was attached to over time, every
// registration exchange (requests, replies with their codes, denials by agents), the rate at which
// each flow's packets arrived (per 100 ms) with every gap shaded, the scenario's actions, and the
// handoff table. Built from a simulation run with `{ timeline: true }` (the events it keeps and the
// arrival times of every flow) and its summary.

import type { Simulation, SimNode } from "./sim/sim.js";
import type { Summary, HandoffSummary } from "./sim/summary.js";
import type { Fields } from "./sim/events.js";
import { formatIp6 } from "./config.js";
import { replyCodeName, ba6StatusName, roStatusName, codeLabel } from "./names.js";

export const BUCKET_MS = 100;

export interface Interval { startMs: number; endMs: number; label: string }
export interface Marker { tMs: number; label: string; detail: string; cls: string }
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
    return { name: source.name, from, to, ratePps: source.ratePps, startMs, stopMs, buckets, gaps };
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
    flows, handoffs: summary.handoffs, details, registrations: summary.registrations, mip6Bindings: summary.mip6Bindings,
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
          if (!dereg && e.coa !== lastCoa) other.push({ tMs: e.t, label: "CoA", cls: "info", detail: `care-of address ${e.coa}${lastCoa ? ` (was ${lastCoa})` : ""}` });
          if (!dereg) lastCoa = String(e.coa);
          registrations.push({
            tMs: e.t, label: "BU", cls: "req",
            detail: dereg ? `Binding Update to home agent ${e.ha}: de-registration (lifetime 0, at home)` : `Binding Update to home agent ${e.ha}: home ${e.home}, care-of address ${e.coa}, lifetime ${e.lifetimeSec} s`,
          });
          break;
        }
        registrations.push({
          tMs: e.t, label: "req", cls: "req",
          detail: `Registration Request: CoA ${e.coa}, lifetime ${e.lifetimeSec} s${e.flagNames ? `, flags ${e.flagNames}` : ""}${e.viaFa ? ", via foreign agent" : ", direct"}`,
        });
        break;
      case "reg_reply": {
        const code = num(e.code);
        const v6 = String(e.coa).includes(":");
        // (A Binding Acknowledgement's status: below 128 accepted, seed 003 §5.2.)
        const ok = v6 ? code < 128 : code <= 1;
        registrations.push(v6
          ? { tMs: e.t, label: ok ? "BA" : `BA ${code}`, cls: ok ? "ok" : "deny", detail: `Binding Acknowledgement status ${code} ${ba6StatusName(code)}${ok ? " (accepted)" : " (refused)"}, lifetime ${e.lifetimeSec} s, care-of address ${e.coa}` }
          : { tMs: e.t, label: String(code), cls: ok ? "ok" : "deny", detail: `Registration Reply code ${code} ${replyCodeName(code)}${ok ? " (accepted)" : " (denied)"}, lifetime ${e.lifetimeSec} s, CoA ${e.coa}` });
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
        other.push({ tMs: e.t, label: e.atHome ? "H" : "A", cls: "info", detail: e.atHome ? `at home (agent ${e.agent})` : `away from home (agent ${e.agent})` });
        break;
      case "addr6":
        if (home6 !== null && e.addr === home6 && e.state === "preferred" && !agent) agent = { t: e.t, label: "home" };
        break;
      case "move": other.push({ tMs: e.t, label: "M", cls: "info", detail: `movement detected: ${e.reason}, agent ${e.agent}, CoA ${e.coa}` }); break;
      case "dhcp": other.push({ tMs: e.t, label: "D", cls: e.op === "lost" ? "deny" : "ok", detail: `DHCP ${e.op}: ${e.addr} router ${e.router}, lease ${e.leaseSec} s` }); break;
      case "auth_failed": other.push({ tMs: e.t, label: "!", cls: "deny", detail: `authentication failed (ext ${e.extType}, peer ${e.peer}, SPI ${e.spi})` }); break;
      case "action":
        other.push({ tMs: e.t, label: String(e.action), cls: "act", detail: `scenario action: ${e.action}` });
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
    case "binding": return { tMs: e.t, label: `B:${e.op}`, cls: e.op === "add" || e.op === "refresh" ? "ok" : e.op === "deregister" ? "info" : "deny", detail: `binding ${e.op}: ${e.home} → ${e.coa}, lifetime ${e.lifetimeSec} s` };
    // A correspondent's binding (route optimization: seed 001's cache, seed 003's Binding Cache entries).
    case "ro_binding": return {
      tMs: e.t, label: `RO:${e.op}`, cls: e.op === "add" || e.op === "refresh" ? "ok" : e.op === "delete" ? "info" : "deny",
      detail: `correspondent binding ${e.op}: ${e.home} → ${e.coa}, lifetime ${e.lifetimeSec} s${e.op === "refused" ? `, status ${e.status} ${roStatusName(num(e.status))}` : ""}`,
    };
    case "config_change": return { tMs: e.t, label: "cfg", cls: "act", detail: `configuration added: ${e.what}` };
    case "visitor": return { tMs: e.t, label: `V:${e.op}`, cls: e.op === "accepted" || e.op === "pending" ? "ok" : e.op === "removed" ? "info" : "deny", detail: `visitor ${e.op}: ${e.home} (home agent ${e.ha}), code ${e.code}${num(e.code) ? " " + replyCodeName(num(e.code)) : ""}, lifetime ${e.lifetimeSec} s` };
    case "reg_denied": return { tMs: e.t, label: String(e.code), cls: "deny", detail: `${e.role} denied a registration of ${e.home} with code ${e.code} ${replyCodeName(num(e.code))}` };
    case "auth_failed": return { tMs: e.t, label: "!", cls: "deny", detail: `${e.role}: authentication failed (ext ${e.extType}, code ${e.code}${num(e.code) ? " " + replyCodeName(num(e.code)) : ""}, peer ${e.peer}, SPI ${e.spi})` };
    case "action": return { tMs: e.t, label: String(e.action), cls: "act", detail: `scenario action: ${e.action}${e.segment ? ` on ${e.segment}` : ""}` };
    case "dhcp_bound": case "dhcp_nak": return { tMs: e.t, label: e.kind === "dhcp_bound" ? "lease" : "NAK", cls: e.kind === "dhcp_bound" ? "ok" : "deny", detail: `${e.kind}: ${e.addr ?? ""} ${e.mac ?? ""} ${e.reason ?? ""}`.trim() };
  }
  return null;
}

// ---- rendering ----

const esc = (s: unknown) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
function fmt(v: number): string { return String(Math.round(v * 1000) / 1000); }

/** A stable colour per name. */
function colour(name: string): string {
  if (name === "home") return "hsl(140 45% 62%)";
  if (name === "colocated") return "hsl(45 80% 62%)";
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360} 55% 68%)`;
}

const LEFT = 130, PLOT = 1040, RIGHT = 20;
const WIDTH = LEFT + PLOT + RIGHT;

class Svg {
  parts: string[] = [];
  /** A chart of [t0Ms, simMs] (whole run: t0Ms 0). */
  constructor(readonly height: number, readonly simMs: number, readonly t0Ms = 0) {}
  x(tMs: number): number { return LEFT + ((Math.max(this.t0Ms, Math.min(tMs, this.simMs)) - this.t0Ms) / (this.simMs - this.t0Ms)) * PLOT; }
  rect(t0: number, t1: number, y: number, h: number, cls: string, fill: string | null, title: string, text?: string): void {
    const x0 = this.x(t0), w = Math.max(cls === "gap" ? 2 : 0.8, this.x(t1) - x0);
    this.parts.push(`<g><title>${esc(title)}</title><rect class="${cls}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}"${fill ? ` fill="${fill}"` : ""}/>` +
      (text && w > 7 * text.length ? `<text x="${(x0 + 3).toFixed(1)}" y="${y + h / 2 + 4}" class="band">${esc(text)}</text>` : "") + "</g>");
  }
  label(y: number, text: string, cls = "row"): void { this.parts.push(`<text x="${LEFT - 8}" y="${y}" text-anchor="end" class="${cls}">${esc(text)}</text>`); }
  marker(m: Marker, y: number, h: number): void {
    const x = this.x(m.tMs).toFixed(1);
    this.parts.push(`<g class="mk ${m.cls}"><title>${esc(`${fmt(m.tMs)} ms: ${m.detail}`)}</title><line x1="${x}" x2="${x}" y1="${y}" y2="${y + h}"/>` +
      `<text x="${x}" y="${y - 2}" text-anchor="middle">${esc(m.label)}</text></g>`);
  }
  axis(y: number): void {
    const step = niceStep((this.simMs - this.t0Ms) / 10);
    let s = `<line class="axis" x1="${LEFT}" x2="${LEFT + PLOT}" y1="${y}" y2="${y}"/>`;
    for (let t = Math.ceil(this.t0Ms / step - 1e-9) * step; t <= this.simMs + 1e-9; t += step) {
      const x = this.x(t).toFixed(1);
      s += `<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}"/><text class="tick" x="${x}" y="${y + 15}" text-anchor="middle">${esc(fmtTime(t))}</text>`;
    }
    this.parts.push(s);
  }
  render(cls: string, title: string): string {
    return `<svg class="${cls}" viewBox="0 0 ${WIDTH} ${this.height}" width="${WIDTH}" height="${this.height}" role="img" aria-label="${esc(title)}">${this.parts.join("")}</svg>`;
  }
}

function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
function fmtTime(ms: number): string { return ms >= 1000 ? `${fmt(ms / 1000)} s` : `${fmt(ms)} ms`; }

/** Marker rows: markers closer than `minPx` share a row only when they do not overlap; returns the row of each. */
function stagger(markers: Marker[], svg: Svg, rows: number, minPx = 16): number[] {
  const last = new Array<number>(rows).fill(-Infinity);
  return markers.map((m) => {
    const x = svg.x(m.tMs);
    let r = last.findIndex((lx) => x - lx >= minPx);
    if (r < 0) r = last.indexOf(Math.min(...last));
    last[r] = x;
    return r;
  });
}

/** The page. */
export function renderTimeline(d: TimelineData): string {
  const simMs = Math.max(d.simMs, 1);
  const sections: string[] = [];
  const gapsTo = (node: string) => d.flows.filter((f) => f.to === node).flatMap((f) => f.gaps);

  for (const lane of d.lanes) {
    const svg = new Svg(lane.mobile ? 168 : 96, simMs);
    const gaps = gapsTo(lane.node);
    for (const g of gaps) svg.rect(g.startMs, g.endMs, 4, svg.height - 26, "gap", null, `${fmt(g.startMs)}-${fmt(g.endMs)} ms: ${g.label}`);
    let y = 12;
    svg.label(y + 13, "access point");
    svg.rect(0, simMs, y, 20, "none", null, "not associated");
    for (const a of lane.aps) svg.rect(a.startMs, a.endMs, y, 20, "band", colour(a.label), `${a.label}: ${fmt(a.startMs)}-${fmt(a.endMs)} ms`, a.label);
    y += 28;
    if (lane.mobile) {
      svg.label(y + 13, "agent");
      svg.rect(0, simMs, y, 20, "none", null, "not registered");
      for (const a of lane.agents) svg.rect(a.startMs, a.endMs, y, 20, "band", colour(a.label), `${a.label}: ${fmt(a.startMs)}-${fmt(a.endMs)} ms`, a.label);
      y += 44;
      svg.label(y + 2, "registrations");
      const rows = stagger(lane.registrations, svg, 2);
      lane.registrations.forEach((m, i) => svg.marker(m, y - 12 + rows[i] * 14, 14 - rows[i] * 14 + 10));
      y += 32;
    }
    svg.label(y + 2, "events");
    const rows = stagger(lane.other, svg, 2);
    lane.other.forEach((m, i) => svg.marker(m, y - 12 + rows[i] * 14, 14 - rows[i] * 14 + 8));
    svg.axis(svg.height - 22);
    sections.push(`<h2>${esc(lane.node)}${lane.mobile ? " (mobile node)" : " (Wi-Fi station)"}</h2>\n${svg.render("lane", `attachment of ${lane.node} over time`)}`);
  }

  for (const f of d.flows) {
    const h = 150, top = 14, bottom = h - 26;
    const svg = new Svg(h, simMs);
    const expected = (f.ratePps * BUCKET_MS) / 1000;
    const peak = Math.max(expected * 1.25, ...f.buckets, 1);
    const yOf = (v: number) => bottom - (v / peak) * (bottom - top);
    for (const g of f.gaps) svg.rect(g.startMs, g.endMs, top, bottom - top, "gap", null, `${fmt(g.startMs)}-${fmt(g.endMs)} ms: ${g.label}`);
    let path = "";
    f.buckets.forEach((v, i) => {
      const x0 = svg.x(i * BUCKET_MS), x1 = svg.x((i + 1) * BUCKET_MS);
      path += `${i ? "L" : "M"}${x0.toFixed(1)} ${yOf(v).toFixed(1)}L${x1.toFixed(1)} ${yOf(v).toFixed(1)}`;
    });
    svg.parts.push(`<path class="rate" d="${path}"/>`);
    svg.parts.push(`<g><title>${esc(`sent rate: ${fmt(expected)} packets per ${BUCKET_MS} ms`)}</title><line class="expected" x1="${svg.x(f.startMs).toFixed(1)}" x2="${svg.x(f.stopMs).toFixed(1)}" y1="${yOf(expected).toFixed(1)}" y2="${yOf(expected).toFixed(1)}"/></g>`);
    for (const ho of d.handoffs.filter((x) => x.node === f.to)) {
      const x = svg.x(ho.atMs).toFixed(1);
      svg.parts.push(`<g class="ho"><title>${esc(`handoff at ${fmt(ho.atMs)} ms: ${ho.from} → ${ho.to ?? "none"}, interruption ${ho.interruptionMs ?? "-"} ms, lost ${ho.lost}`)}</title><line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/></g>`);
    }
    svg.label(yOf(expected) + 4, `${fmt(expected)}/${BUCKET_MS} ms`, "tick");
    svg.label(bottom, "0", "tick");
    svg.axis(h - 22);
    sections.push(`<h2>Flow ${esc(f.name)}: ${esc(f.from)} → ${esc(f.to)} (${fmt(f.ratePps)} packets/s)</h2>\n` +
      `<p class="note">Packets received per ${BUCKET_MS} ms (duplicates included); the dashed line is the rate sent; shaded: ${f.gaps.length} gap${f.gaps.length === 1 ? "" : "s"}; dotted lines: handoffs.</p>\n${svg.render("flow", `rate of ${f.name}`)}`);
  }

  if (d.agents.length) {
    const svg = new Svg(24 + d.agents.length * 34 + 24, simMs);
    d.agents.forEach((a, i) => {
      const y = 30 + i * 34;
      svg.label(y + 4, a.node);
      const rows = stagger(a.markers, svg, 2);
      a.markers.forEach((m, j) => svg.marker(m, y - 10 + rows[j] * 13, 20 - rows[j] * 13));
    });
    svg.axis(svg.height - 22);
    sections.push(`<h2>Agents and network</h2>\n<p class="note">Bindings (B:), correspondent bindings (RO:), visitors (V:), denials (reply code), authentication failures (!), configuration changes (cfg) and scenario actions.</p>\n${svg.render("agents", "agent events")}`);
  }

  if (d.details.length) {
    const parts: string[] = [];
    for (const h of d.details) {
      const svg = new Svg(156, h.toMs, h.fromMs);
      for (const g of h.gaps) svg.rect(Math.max(g.startMs, h.fromMs), Math.min(g.endMs, h.toMs), 4, 128, "gap", null, `${fmt(g.startMs)}-${fmt(g.endMs)} ms: ${g.label}`);
      svg.label(24, "link");
      if (!h.linkLost) svg.rect(h.fromMs, h.toMs, 14, 16, "band", "hsl(210 10% 75%)", "associated (the link stayed up; movement detected by the node)");
      else svg.rect(h.fromMs, h.atMs, 14, 16, "band", "hsl(210 10% 75%)", "associated (before)");
      if (h.linkLost && h.linkUpMs !== null) svg.rect(h.linkUpMs, h.toMs, 14, 16, "band", "hsl(210 10% 75%)", `associated again at ${fmt(h.linkUpMs)} ms`);
      const regs = h.markers.filter((m) => m.cls === "req" || m.cls === "ok" || m.cls === "deny");
      const other = h.markers.filter((m) => !regs.includes(m));
      svg.label(58, "registration");
      let rows = stagger(regs, svg, 2, 24);
      regs.forEach((m, i) => svg.marker(m, 46 + rows[i] * 14, 22 - rows[i] * 14));
      svg.label(88, "events");
      rows = stagger(other, svg, 2, 14);
      other.forEach((m, i) => svg.marker(m, 76 + rows[i] * 12, 20 - rows[i] * 12));
      svg.label(122, "packets");
      for (const t of h.arrivals) svg.parts.push(`<line class="pkt" x1="${svg.x(t).toFixed(1)}" x2="${svg.x(t).toFixed(1)}" y1="112" y2="128"/>`);
      svg.axis(134);
      parts.push(`<h3>${esc(h.title)} at ${esc(fmt(h.atMs))} ms</h3>\n${svg.render("detail", `handoff of ${h.node} at ${fmt(h.atMs)} ms`)}`);
    }
    sections.push(`<h2>Handoffs in detail</h2>\n<p class="note">Each handoff zoomed: link down and up, the registration exchange (request, reply code), every packet of the flows to the node (ticks), the gap shaded.</p>\n${parts.join("\n")}`);
  }

  const rows = d.handoffs.map((h) => `<tr><td>${esc(h.node)}</td><td class="n">${fmt(h.atMs)}</td><td>${esc(h.from)}</td><td>${esc(h.to ?? "—")}</td>` +
    `<td class="n">${h.registeredMs ?? "—"}</td><td class="n">${h.interruptionMs ?? "—"}</td><td class="n">${h.lost}</td></tr>`).join("\n");
  const codes = (m: Record<string, number>, v6 = false) => Object.entries(m).map(([c, n]) => `${esc(codeLabel(Number(c), v6))}: ${n}`).join(", ") || "none";
  const r = d.registrations;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mipfw timeline: ${esc(d.scenario)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 2px}h3{font-size:13px;margin:10px 0 2px;font-weight:600}
line.pkt{stroke:#2660a4;stroke-width:1}
.note{color:#555;margin:0 0 4px;font-size:12px}
svg{display:block;background:#fafafa;border:1px solid #ddd}
svg text{font:11px system-ui,sans-serif;fill:#222}
svg text.row{font-weight:600}svg text.tick{fill:#555;font-size:10px}svg text.band{font-size:11px}
rect.none{fill:#eee}rect.band{stroke:#fff;stroke-width:.5}rect.gap{fill:rgba(220,40,40,.18)}
.axis,.tick{stroke:#888}
path.rate{fill:none;stroke:#2660a4;stroke-width:1.2}
line.expected{stroke:#444;stroke-dasharray:4 3}
g.ho line{stroke:#a04;stroke-dasharray:1 2}
g.mk line{stroke-width:2}g.mk text{font-size:10px}
g.req line{stroke:#2660a4}g.req text{fill:#2660a4}
g.ok line{stroke:#1d8a3a}g.ok text{fill:#1d8a3a}
g.deny line{stroke:#c0282d}g.deny text{fill:#c0282d;font-weight:700}
g.info line{stroke:#888}g.info text{fill:#666}
g.act line{stroke:#7a3db8}g.act text{fill:#7a3db8;font-weight:700}
table{border-collapse:collapse;margin-top:6px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}
</style></head>
<body>
<h1>Scenario ${esc(d.scenario)}, seed ${d.seed}: ${esc(fmtTime(d.simMs))} simulated</h1>
<p class="note">${esc(d.description)}</p>
<p>Registrations: requested ${r.requested}, accepted ${r.accepted}, denied (replies to mobile nodes) ${codes(r.denied)}, denied by agents ${codes(r.agentDenied)}${r.bindingDenied && Object.keys(r.bindingDenied).length ? `, Binding Updates refused ${codes(r.bindingDenied, true)}` : ""}.</p>
<p class="legend"><span><i class="sw" style="background:rgba(220,40,40,.18)"></i>gap in a flow</span><span><i class="sw" style="background:#2660a4"></i>request</span><span><i class="sw" style="background:#1d8a3a"></i>accepted (code 0/1)</span><span><i class="sw" style="background:#c0282d"></i>denied (code)</span><span><i class="sw" style="background:#7a3db8"></i>scenario action</span> Mobile IPv6: BU / BA (Binding Update to the home agent / its Acknowledgement), CoA (a new care-of address). Hover over any mark for details.</p>
${sections.join("\n")}
<h2>Handoffs (${d.handoffs.length})</h2>
<table><tr><th>node</th><th>at ms</th><th>from</th><th>to</th><th>registered ms</th><th>interruption ms</th><th>lost</th></tr>
${rows}
</table>
${d.mip6Bindings.length ? `<h2>Mobile IPv6 bindings (${d.mip6Bindings.length})</h2>
<p class="note">Home registrations at home agents and correspondents' bindings, from their Binding Cache events: each care-of address from its first update until it ended (moved: bound to another care-of address).</p>
<table class="mip6"><tr><th>node</th><th>kind</th><th>home address</th><th>care-of address</th><th>from ms</th><th>until ms</th><th>end</th><th>refreshes</th></tr>
${d.mip6Bindings.map((b) => `<tr><td>${esc(b.node)}</td><td>${esc(b.kind)}</td><td>${esc(b.home)}</td><td>${esc(b.careOf)}</td><td class="n">${fmt(b.fromMs)}</td>` +
    `<td class="n">${b.untilMs === null ? "—" : fmt(b.untilMs)}</td><td>${esc(b.end ?? "in cache")}</td><td class="n">${b.refreshes}</td></tr>`).join("\n")}
</table>
` : ""}</body></html>
`;
}
