// Human-readable rendering of a run summary (the CLI's stdout).

import type { Summary } from "./summary.js";
import { codeLabel, IGNORED_DROPS } from "../names.js";

/** Align rows of cells into columns; numbers right-aligned, text left-aligned. */
export function table(header: string[], rows: (string | number | null)[][], indent = "  "): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? "-" : String(c))))];
  const right = header.map((_, i) => rows.every((r) => r[i] === null || typeof r[i] === "number"));
  const width = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => indent + r.map((c, i) => (right[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join("  ").trimEnd()).join("\n");
}

/** The summary as text: flows, pings, handoffs, registrations, Mobile IPv6 bindings (when any), segments, boards. */
export function renderSummary(s: Summary, wallMs?: number): string {
  const out: string[] = [];
  const speed = wallMs && wallMs > 0 ? `, ${(s.simMs / wallMs).toFixed(1)}x real time` : "";
  out.push(`Scenario ${s.scenario}, seed ${s.seed}: ${(s.simMs / 1000).toFixed(3)} s simulated${wallMs !== undefined ? ` in ${(wallMs / 1000).toFixed(2)} s` : ""}${speed}`);
  out.push("");
  out.push(`Flows (${s.flows.length})`);
  if (s.flows.length) out.push(table(["name", "from", "to", "sent", "received", "lost", "dup", "reord", "p50 ms", "p99 ms", "max ms"],
    s.flows.map((f) => [f.name, f.from, f.to, f.sent, f.received, f.lost, f.duplicates, f.reordered, f.latencyMs.p50, f.latencyMs.p99, f.latencyMs.max])));
  out.push("");
  out.push(`Pings (${s.pings.length})`);
  if (s.pings.length) out.push(table(["name", "from", "to", "sent", "received", "lost", "min ms", "avg ms", "p50 ms", "max ms"],
    s.pings.map((p) => [p.name, p.from, p.to, p.sent, p.received, p.lost, p.rttMs.min, p.rttMs.avg, p.rttMs.p50, p.rttMs.max])));
  out.push("");
  out.push(`Handoffs (${s.handoffs.length})`);
  if (s.handoffs.length) out.push(table(["node", "at ms", "from", "to", "registered ms", "interruption ms", "lost"],
    s.handoffs.map((h) => [h.node, h.atMs, h.from, h.to, h.registeredMs, h.interruptionMs, h.lost])));
  out.push("");
  // Codes with their names (Wireshark's for reply codes, seed 003's for Binding Acknowledgements).
  const codes = (m: Record<string, number>, v6 = false) => { const t = Object.entries(m).map(([c, n]) => `${codeLabel(Number(c), v6)}: ${n}`).join(", "); return t ? `{${t}}` : "0"; };
  const r = s.registrations;
  out.push(`Registrations: requested ${r.requested}, accepted ${r.accepted}, denied ${codes(r.denied)}, denied by agents ${codes(r.agentDenied)}` +
    (r.bindingDenied && Object.keys(r.bindingDenied).length ? `, Binding Updates refused ${codes(r.bindingDenied, true)}` : ""));
  out.push("");
  if (s.mip6Bindings.length) {
    out.push(`Mobile IPv6 bindings (${s.mip6Bindings.length})`);
    out.push(table(["node", "kind", "home", "care-of", "from ms", "until ms", "end", "refreshes"],
      s.mip6Bindings.map((b) => [b.node, b.kind, b.home, b.careOf, b.fromMs, b.untilMs, b.end ?? (b.untilMs === null ? "in cache" : null), b.refreshes])));
    out.push("");
  }
  out.push("Segments");
  out.push(table(["name", "frames", "bytes", "lost", "queue drops"],
    Object.entries(s.segments).map(([n, g]) => [n, g.frames, g.bytes, g.lost, g.queueDrops])));
  out.push("");
  out.push("Boards (frames in/out; ignored: normal on a shared link; drops by reason, non-zero only)");
  out.push(table(["name", "board", "pages", "heap", "rx", "tx", "fwd", "delivered", "ignored (normal)", "drops"],
    Object.entries(s.boards).map(([n, b]) => {
      const c = b.counters;
      const nz = Object.entries(c).filter(([k, v]) => k.startsWith("drop_") && v > 0);
      const ignored = nz.filter(([k]) => IGNORED_DROPS.has(k)).map(([k, v]) => `${k.slice(5)}=${v}`);
      const drops = nz.filter(([k]) => !IGNORED_DROPS.has(k)).map(([k, v]) => `${k.slice(5)}=${v}`);
      const host = Object.entries(b.host).filter(([k, v]) => k !== "delivered" && v > 0).map(([k, v]) => `host.${k}=${v}`);
      return [n, b.board, b.memoryPages, b.heapUsed, c.rx_frames ?? 0, c.tx_frames ?? 0, (c.forwarded ?? 0) + (c.ip6_forwarded ?? 0), c.delivered ?? 0,
        ignored.join(" ") || "-", [...drops, ...host].join(" ") || "-"];
    })));
  return out.join("\n") + "\n";
}
