// The script of the timeline page (host/node/timeline.ts): a small chart drawer of our own, inlined
// into the page as the source text of `timelineClient` (so it must not refer to anything outside
// itself) and called with the page's data (PageData in timeline.ts). It draws every chart as SVG for
// the current time domain, places the labels of marks so that none overlaps another (a label that
// does not fit in its row goes to the next row, or into a "+N" cluster), and handles zoom and pan
// (wheel, drag, shift-drag brush, buttons, keyboard, the handoff table) on one time axis shared by
// the lanes, the flows, the pings and the agents' row, and the compact view for many stations.

/* eslint-disable */
export function timelineClient(D: any): void {
  const LEFT = 130, PLOT = 1040, W = LEFT + PLOT + 20;
  /** Narrowest domain (ms). */
  const MINW = 0.02;
  /** Mark label rows (px), track height of the marks' ticks. */
  const ROWH = 13, TRACK = 12;
  const MF = "10px sans-serif", BF = "11px sans-serif", CF = "8px sans-serif";
  const doc = document;
  const view = { t0: 0, t1: D.simMs as number, compact: D.lanes.length > D.compactOver };
  const ctx = doc.createElement("canvas").getContext("2d")!;
  const widths = new Map<string, number>();
  const tw = (s: string, font: string): number => {
    const k = font + "|" + s;
    let w = widths.get(k);
    if (w === undefined) { ctx.font = font; w = ctx.measureText(s).width; widths.set(k, w); }
    return w;
  };
  const esc = (s: unknown) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const fmt = (v: number) => String(Math.round(v * 1000) / 1000);
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const f1 = (v: number) => v.toFixed(1);
  const kinds = D.kinds as { id: string; cls: string }[];
  const colour = (label: string): string => D.colours[label] ?? "#ccc";
  /** Delta-decoded sequence numbers. */
  const undelta = (a: number[]) => { const out = new Array<number>(a.length); let v = 0; for (let i = 0; i < a.length; i++) out[i] = v += a[i]; return out; };
  /** Lost ranges [first, count] to sequence numbers. */
  const unrange = (a: number[][]) => { const out: number[] = []; for (const [s, n] of a) for (let k = 0; k < n; k++) out.push(s + k); return out; };
  for (const f of D.flows) {
    const seq = undelta(f.seq);
    f.arr = seq.map((k: number, i: number) => (f.startUs + Math.round(k * f.periodUs) + f.latUs[i]) / 1000);
    f.lat = f.latUs.map((v: number) => v / 1000);
    f.lostMs = unrange(f.lost).map((k) => (f.startUs + Math.round(k * f.periodUs)) / 1000);
  }
  for (const p of D.pings) {
    p.sentMs = undelta(p.seq).map((k) => (p.startUs + Math.round(k * p.intervalUs)) / 1000);
    p.rtt = p.rttUs.map((v: number) => v / 1000);
    p.lostMs = unrange(p.lost).map((k) => (p.startUs + Math.round(k * p.intervalUs)) / 1000);
  }

  interface Scale { t0: number; t1: number; x(t: number): number }
  const scale = (t0: number, t1: number): Scale => ({ t0, t1, x: (t: number) => LEFT + ((t - t0) / (t1 - t0)) * PLOT });
  const inside = (sc: Scale, t: number) => t >= sc.t0 && t <= sc.t1;

  function niceStep(raw: number): number {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-6))));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }
  /** The time axis at `y`: ticks every 1, 2 or 5 × 10^n, labelled in s (steps of 100 ms or more) or ms. */
  function axis(sc: Scale, y: number): string {
    const step = niceStep((sc.t1 - sc.t0) / 10);
    const inS = step >= 100, f = inS ? 1000 : 1, unit = inS ? " s" : " ms";
    const dig = Math.max(0, Math.ceil(-Math.log10(step / f) - 1e-9));
    let s = `<g class="ax" data-t0="${sc.t0}" data-t1="${sc.t1}" data-unit="${unit.trim()}"><line class="axis" x1="${LEFT}" x2="${LEFT + PLOT}" y1="${y}" y2="${y}"/>`;
    for (let i = Math.ceil(sc.t0 / step - 1e-9); i * step <= sc.t1 + 1e-9; i++) {
      const t = i * step, x = f1(sc.x(t));
      s += `<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}"/><text class="tick" x="${x}" y="${y + 15}" text-anchor="middle">${((t / f).toFixed(dig)) + unit}</text>`;
    }
    return s + "</g>";
  }
  const rowLabel = (y: number, text: string, cls = "row") => `<text x="${LEFT - 8}" y="${y}" text-anchor="end" class="${cls}">${esc(text)}</text>`;

  /** Bands of intervals [start, end, label] at y (h px), over a "none" background. */
  function bands(sc: Scale, ivs: any[], y: number, h: number, kind: string, none: string, text = true): string {
    let s = `<rect class="none" data-kind="none" x="${LEFT}" y="${y}" width="${PLOT}" height="${h}"><title>${esc(none)}</title></rect>`;
    for (const [a, b, label] of ivs) {
      if (b < sc.t0 || a > sc.t1) continue;
      const x0 = sc.x(Math.max(a, sc.t0)), w = Math.max(0.8, sc.x(Math.min(b, sc.t1)) - x0);
      const fits = text && tw(label, BF) + 6 <= w;
      s += `<g data-kind="${kind}"><title>${esc(`${label}: ${fmt(a)}-${fmt(b)} ms`)}</title><rect class="band" x="${f1(x0)}" y="${y}" width="${f1(w)}" height="${h}" fill="${colour(label)}"/>` +
        (fits ? `<text class="bt" x="${f1(x0 + 3)}" y="${y + h / 2 + 4}">${esc(label)}</text>` : "") + "</g>";
    }
    return s;
  }
  function gaps(sc: Scale, gs: any[], y: number, h: number): string {
    let s = "";
    for (const [a, b, label] of gs) {
      if (b < sc.t0 || a > sc.t1) continue;
      const x0 = sc.x(Math.max(a, sc.t0)), w = Math.max(2, sc.x(Math.min(b, sc.t1)) - x0);
      s += `<rect class="gap" data-kind="gap" x="${f1(x0)}" y="${y}" width="${f1(w)}" height="${h}"><title>${esc(`${fmt(a)}-${fmt(b)} ms: ${label}`)}</title></rect>`;
    }
    return s;
  }
  function handoffLines(sc: Scale, nodes: string[], y0: number, y1: number): string {
    let s = "";
    for (const h of D.handoffs) {
      if (!nodes.includes(h.node) || !inside(sc, h.atMs)) continue;
      const x = f1(sc.x(h.atMs));
      s += `<g class="ho" data-kind="handoff"><title>${esc(`handoff of ${h.node} at ${fmt(h.atMs)} ms: ${h.from} → ${h.to ?? "none"}, interruption ${h.interruptionMs ?? "-"} ms, lost ${h.lost}`)}</title><line x1="${x}" x2="${x}" y1="${y0}" y2="${y1}"/></g>`;
    }
    return s;
  }

  /**
   * Marks [tMs, kind, label, detail] (sorted by time) with their ticks on a track at yTrack and their
   * labels in `rows` rows above it: each label goes to the lowest row where it does not overlap the
   * previous label (3 px apart); the top row holds "+N" clusters of the labels that fit nowhere.
   */
  function marks(sc: Scale, ms: any[], yTrack: number, rows: number): string {
    let s = "";
    const right = new Array<number>(rows - 1).fill(-Infinity);
    const clusters: { left: number; right: number; m: any[] }[] = [];
    const cw = tw("+999", MF);
    for (const m of ms) {
      if (!inside(sc, m[0])) continue;
      const x = sc.x(m[0]), k = kinds[m[1]], xs = f1(x);
      s += `<g class="mk ${k.cls}" data-kind="${k.id}"><title>${esc(`${fmt(m[0])} ms: ${m[3]}`)}</title><line x1="${xs}" x2="${xs}" y1="${yTrack}" y2="${yTrack + TRACK}"/>`;
      const w = tw(m[2], MF), left = clamp(x - w / 2, LEFT, LEFT + PLOT - w);
      const r = right.findIndex((r) => r + 3 <= left);
      if (r >= 0) {
        right[r] = left + w;
        s += `<text class="ml" x="${f1(left)}" y="${yTrack - 3 - r * ROWH}">${esc(m[2])}</text>`;
      } else {
        const cl = clamp(x - cw / 2, LEFT, LEFT + PLOT - cw), last = clusters[clusters.length - 1];
        if (last && last.right + 3 > cl) last.m.push(m);
        else clusters.push({ left: cl, right: cl + cw, m: [m] });
      }
      s += "</g>";
    }
    for (const c of clusters) {
      const list = c.m.slice(0, 30).map((m) => `${fmt(m[0])} ms ${m[2]}`).join("\n") + (c.m.length > 30 ? `\n… ${c.m.length - 30} more` : "");
      s += `<g class="cl" data-kind="cluster" data-t0="${c.m[0][0]}" data-t1="${c.m[c.m.length - 1][0]}"><title>${esc(`${c.m.length} more (click to zoom in):\n${list}`)}</title>` +
        `<text class="ml cl" x="${f1(c.left)}" y="${yTrack - 3 - (rows - 1) * ROWH}">+${c.m.length > 999 ? 999 : c.m.length}</text></g>`;
    }
    return s;
  }

  const flowsTo = (node: string) => D.flows.filter((f: any) => f.to === node);

  /** One lane (full view): access point band, agent band (mobile nodes), registrations, other events. */
  function lane(sc: Scale, l: any): { h: number; body: string } {
    const mobile = l.mobile;
    const h = mobile ? 184 : 108, axisY = h - 22;
    let s = gaps(sc, flowsTo(l.node).flatMap((f: any) => f.gaps), 4, axisY - 6);
    s += rowLabel(19, "access point") + bands(sc, l.aps, 6, 18, "ap", "not associated");
    let y = 24;
    if (mobile) {
      s += rowLabel(41, "agent") + bands(sc, l.agents, 28, 18, "agent", "not registered");
      y = 46;
      const track = y + 3 * ROWH + 4;
      s += rowLabel(track + 10, "registrations") + marks(sc, l.reg, track, 3);
      y = track + TRACK;
    }
    const track = y + 3 * ROWH + 6;
    s += rowLabel(track + 10, "events") + marks(sc, l.other, track, 3);
    s += handoffLines(sc, [l.node], 4, axisY - 2);
    return { h, body: s + axis(sc, axisY) };
  }

  /** All stations, one thin row each: bands and ticks, no label but the names. */
  function compact(sc: Scale): { h: number; body: string } {
    const RH = 10;
    let s = "";
    D.lanes.forEach((l: any, i: number) => {
      const y = 4 + i * RH;
      let name = l.node;
      while (name.length > 1 && tw(name, CF) > LEFT - 14) name = name.slice(0, -2) + "…";
      s += `<text class="cn" x="${LEFT - 6}" y="${y + 8}" text-anchor="end"><title>${esc(l.node)}</title>${esc(name)}</text>`;
      s += gaps(sc, flowsTo(l.node).flatMap((f: any) => f.gaps), y, RH);
      if (l.mobile) s += bands(sc, l.aps, y + 1, 4, "ap", `${l.node}: not associated`, false) + bands(sc, l.agents, y + 5, 4, "agent", `${l.node}: not registered`, false);
      else s += bands(sc, l.aps, y + 1, 8, "ap", `${l.node}: not associated`, false);
      for (const m of l.reg.concat(l.other)) {
        if (!inside(sc, m[0])) continue;
        const k = kinds[m[1]], x = f1(sc.x(m[0]));
        s += `<line class="tk ${k.cls}" data-kind="${k.id}" x1="${x}" x2="${x}" y1="${y}" y2="${y + RH}"><title>${esc(`${l.node}, ${fmt(m[0])} ms: ${m[2]}: ${m[3]}`)}</title></line>`;
      }
    });
    const axisY = 8 + D.lanes.length * RH;
    return { h: axisY + 22, body: s + axis(sc, axisY) };
  }

  /** y-axis labels of a plot [top, bottom] whose maximum is `max`: the maximum and 0, the row name in the middle when it does not collide. */
  function yLabels(top: number, bottom: number, name: string, maxText: string, maxY = top + 4): string {
    // The 0, then the maximum and the row's name where they keep 14 px from the labels already there.
    const ys = [bottom];
    let s = rowLabel(bottom, "0", "tick");
    if (bottom - maxY >= 14) { s += rowLabel(maxY, maxText, "tick"); ys.push(maxY); }
    const mid = (top + bottom) / 2 + 4;
    if (ys.every((y) => Math.abs(y - mid) >= 14)) s += rowLabel(mid, name);
    return s;
  }
  /** Points (t, v) within the domain in a plot [top, bottom]; returns the path and the count drawn. */
  function points(sc: Scale, ts: number[], vs: number[], top: number, bottom: number, cls: string, kind: string, unit: string, title: string): { s: string; n: number; max: number } {
    let max = 0, n = 0;
    for (let i = 0; i < ts.length; i++) if (inside(sc, ts[i]) && vs[i] > max) max = vs[i];
    max = max > 0 ? max * 1.1 : 1;
    let d = "";
    for (let i = 0; i < ts.length; i++) {
      if (!inside(sc, ts[i])) continue;
      d += `M${f1(sc.x(ts[i]))} ${f1(bottom - (vs[i] / max) * (bottom - top))}h0`;
      n++;
    }
    return { s: `<g data-kind="${kind}"><title>${esc(title)}</title><path class="${cls}" data-n="${n}" d="${d || "M0 0"}"/></g>`, n, max };
  }
  function lossTicks(sc: Scale, ts: number[], y: number, kind: string, title: string): string {
    let d = "", n = 0;
    for (const t of ts) if (inside(sc, t)) { d += `M${f1(sc.x(t))} ${y}v${TRACK}`; n++; }
    return `<g data-kind="${kind}"><title>${esc(title)}</title><path class="loss" data-n="${n}" d="${d || "M0 0"}"/></g>`;
  }

  /** A flow: rate per 100 ms against the rate sent, latency of every packet received, packets lost. */
  function flow(sc: Scale, f: any): { h: number; body: string } {
    const h = 212, axisY = h - 22;
    let s = gaps(sc, f.gaps, 6, 164);
    // rate
    const top = 10, bottom = 80, bucket = D.bucketMs, expected = (f.ratePps * bucket) / 1000;
    const i0 = Math.max(0, Math.floor(sc.t0 / bucket)), i1 = Math.min(f.buckets.length - 1, Math.floor(sc.t1 / bucket));
    let peak = expected * 1.25;
    for (let i = i0; i <= i1; i++) peak = Math.max(peak, f.buckets[i]);
    peak = Math.max(peak, 1);
    const yOf = (v: number) => bottom - (v / peak) * (bottom - top);
    let d = "";
    for (let i = i0; i <= i1; i++) {
      const x0 = f1(sc.x(Math.max(i * bucket, sc.t0))), x1 = f1(sc.x(Math.min((i + 1) * bucket, sc.t1))), y = f1(yOf(f.buckets[i]));
      d += `${d ? "L" : "M"}${x0} ${y}L${x1} ${y}`;
    }
    s += `<g data-kind="rate"><title>${esc(`${f.name}: packets received per ${bucket} ms`)}</title><path class="rate" d="${d || "M0 0"}"/></g>`;
    const ea = Math.max(f.startMs, sc.t0), eb = Math.min(f.stopMs, sc.t1);
    if (ea < eb) s += `<g data-kind="expected"><title>${esc(`sent: ${fmt(expected)} packets per ${bucket} ms`)}</title><line class="expected" x1="${f1(sc.x(ea))}" x2="${f1(sc.x(eb))}" y1="${f1(yOf(expected))}" y2="${f1(yOf(expected))}"/></g>`;
    s += yLabels(top, bottom, "rate", `${fmt(expected)}/${bucket} ms`, yOf(expected) + 4);
    // latency
    const lt = 92, lb = 162;
    const p = points(sc, f.arr, f.lat, lt, lb, "lat", "latency", "ms", `${f.name}: one-way latency of each packet received`);
    s += p.s + yLabels(lt, lb, "latency", `${fmt(p.max)} ms`);
    // lost
    s += rowLabel(180, "lost") + lossTicks(sc, f.lostMs, 170, "lost", `${f.name}: packets never received, at their send time (${f.lostMs.length} in all)`);
    s += handoffLines(sc, [f.to], 6, 182);
    return { h, body: s + axis(sc, axisY) };
  }

  /** A ping: round-trip time of every reply at its request's send time, echoes lost. */
  function ping(sc: Scale, p: any): { h: number; body: string } {
    const h = 130, axisY = h - 22;
    const top = 10, bottom = 80;
    const pts = points(sc, p.sentMs, p.rtt, top, bottom, "rtt", "rtt", "ms", `${p.name}: round-trip time of each reply`);
    let s = pts.s + yLabels(top, bottom, "RTT", `${fmt(pts.max)} ms`);
    s += rowLabel(98, "lost") + lossTicks(sc, p.lostMs, 88, "ping_lost", `${p.name}: echo requests without reply (${p.lostMs.length} in all)`);
    s += handoffLines(sc, [p.from, p.to], 6, 100);
    return { h, body: s + axis(sc, axisY) };
  }

  function agents(sc: Scale): { h: number; body: string } {
    const RH = 3 * ROWH + TRACK + 8;
    let s = "";
    D.agents.forEach((a: any, i: number) => {
      const track = 4 + i * RH + 3 * ROWH + 4;
      s += rowLabel(track + 10, a.node) + marks(sc, a.marks, track, 3);
    });
    const axisY = 8 + D.agents.length * RH;
    return { h: axisY + 22, body: s + axis(sc, axisY) };
  }

  /** A handoff zoomed (its own domain): the link, the registration exchange, other events, packet arrivals, gaps. */
  function detail(h: any): { h: number; body: string } {
    const sc = scale(h.fromMs, h.toMs);
    let s = gaps(sc, h.gaps, 4, 154);
    s += rowLabel(22, "link");
    const link = (a: number, b: number, t: string) => `<g data-kind="link"><title>${esc(t)}</title><rect class="band" x="${f1(sc.x(a))}" y="10" width="${f1(Math.max(0.8, sc.x(b) - sc.x(a)))}" height="16" fill="hsl(210 10% 75%)"/></g>`;
    if (!h.linkLost) s += link(h.fromMs, h.toMs, "associated (the link stayed up; movement detected by the node)");
    else s += link(h.fromMs, h.atMs, "associated (before)");
    if (h.linkLost && h.linkUpMs !== null) s += link(h.linkUpMs, h.toMs, `associated again at ${fmt(h.linkUpMs)} ms`);
    const regs = h.marks.filter((m: any) => ["req", "ok", "deny"].includes(kinds[m[1]].cls));
    const other = h.marks.filter((m: any) => !regs.includes(m));
    s += rowLabel(78, "registration") + marks(sc, regs, 68, 3);
    s += rowLabel(132, "events") + marks(sc, other, 122, 3);
    let d = "";
    for (const t of h.arrivals) d += `M${f1(sc.x(t))} 140v16`;
    s += rowLabel(152, "packets") + `<g data-kind="pkt"><title>packet arrivals (${h.arrivals.length})</title><path class="pkt" d="${d || "M0 0"}"/></g>`;
    return { h: 184, body: s + axis(sc, 162) };
  }

  const put = (svg: Element, r: { h: number; body: string }) => {
    svg.setAttribute("height", String(r.h));
    svg.setAttribute("viewBox", `0 0 ${W} ${r.h}`);
    svg.innerHTML = r.body;
  };
  const $ = (id: string) => doc.getElementById(id)!;
  const all = (sel: string) => Array.from(doc.querySelectorAll(sel));

  function draw(): void {
    pending = false;
    const sc = scale(view.t0, view.t1);
    ($("lanes-full") as HTMLElement).hidden = view.compact;
    ($("lanes-compact") as HTMLElement).hidden = !view.compact;
    $("compact").textContent = view.compact ? "full view" : "compact view";
    if (view.compact) put($("compact-svg"), compact(sc));
    else all("svg.lane").forEach((svg) => put(svg, lane(sc, D.lanes[Number((svg as HTMLElement).dataset.i)])));
    all("svg.flow").forEach((svg) => put(svg, flow(sc, D.flows[Number((svg as HTMLElement).dataset.i)])));
    all("svg.ping").forEach((svg) => put(svg, ping(sc, D.pings[Number((svg as HTMLElement).dataset.i)])));
    const ag = doc.querySelector("svg.agents");
    if (ag) put(ag, agents(sc));
  }
  let pending = false;
  const redraw = () => { if (!pending) { pending = true; requestAnimationFrame(draw); } };

  /** Show [a, b] (ms), at least MINW wide, within the run. */
  function setDomain(a: number, b: number): void {
    let w = clamp(b - a, MINW, D.simMs);
    if (!(w > 0)) w = D.simMs;
    a = clamp(a, 0, D.simMs - w);
    view.t0 = a; view.t1 = a + w;
    const v = $("view");
    v.dataset.t0 = String(view.t0); v.dataset.t1 = String(view.t1);
    v.textContent = `${fmt(view.t0)} – ${fmt(view.t1)} ms (${fmt(view.t1 - view.t0)} ms)`;
    redraw();
  }
  /** Zoom by `f` (< 1: in) keeping time `tc` at the same place (fraction `frac` of the plot). */
  function zoomAt(tc: number, f: number, frac: number): void {
    const w = clamp((view.t1 - view.t0) * f, MINW, D.simMs);
    setDomain(tc - frac * w, tc - frac * w + w);
  }
  const zoomCentre = (f: number) => zoomAt((view.t0 + view.t1) / 2, f, 0.5);
  const pan = (frac: number) => { const w = view.t1 - view.t0; setDomain(view.t0 + frac * w, view.t1 + frac * w); };
  const reset = () => setDomain(0, D.simMs);

  // The charts on the shared axis: wheel zooms around the cursor, drag pans, shift-drag brushes a range.
  let drag: { svg: SVGSVGElement; x0: number; t0: number; t1: number; k: number; left: number; brush: SVGRectElement | null } | null = null;
  const plotFrac = (svg: Element, clientX: number) => { const r = svg.getBoundingClientRect(); return clamp(((clientX - r.left) * (W / r.width) - LEFT) / PLOT, 0, 1); };
  for (const svg of all("svg.chart") as SVGSVGElement[]) {
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const frac = plotFrac(svg, e.clientX);
      zoomAt(view.t0 + frac * (view.t1 - view.t0), Math.exp(clamp(e.deltaY, -500, 500) * 0.002), frac);
    }, { passive: false });
    svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      const cl = (e.target as Element).closest(".cl") as HTMLElement | null;
      if (cl) {
        // A cluster: zoom to its marks.
        const a = Number(cl.dataset.t0), b = Number(cl.dataset.t1), pad = Math.max((b - a) * 0.3, 0.5);
        setDomain(a - pad, b + pad);
        return;
      }
      const r = svg.getBoundingClientRect();
      drag = { svg, x0: e.clientX, t0: view.t0, t1: view.t1, k: W / r.width, left: r.left, brush: null };
      if (e.shiftKey) {
        svg.insertAdjacentHTML("beforeend", `<rect class="brush" x="${f1((e.clientX - r.left) * drag.k)}" y="0" width="0" height="${svg.getAttribute("height")}"/>`);
        drag.brush = svg.lastElementChild as SVGRectElement;
      }
      svg.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    svg.addEventListener("pointermove", (e) => {
      if (!drag || drag.svg !== svg) return;
      const dx = (e.clientX - drag.x0) * drag.k;
      if (drag.brush) {
        const x0 = (drag.x0 - drag.left) * drag.k;
        drag.brush.setAttribute("x", f1(Math.min(x0, x0 + dx)));
        drag.brush.setAttribute("width", f1(Math.abs(dx)));
      } else {
        const dt = (-dx / PLOT) * (drag.t1 - drag.t0);
        setDomain(drag.t0 + dt, drag.t1 + dt);
      }
    });
    const end = (e: PointerEvent) => {
      if (!drag || drag.svg !== svg) return;
      if (drag.brush) {
        const a = plotFrac(svg, drag.x0), b = plotFrac(svg, e.clientX), w = drag.t1 - drag.t0;
        drag.brush.remove();
        if (Math.abs(e.clientX - drag.x0) > 3) setDomain(drag.t0 + Math.min(a, b) * w, drag.t0 + Math.max(a, b) * w);
      }
      drag = null;
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
  }
  $("zin").addEventListener("click", () => zoomCentre(0.5));
  $("zout").addEventListener("click", () => zoomCentre(2));
  $("zreset").addEventListener("click", reset);
  $("compact").addEventListener("click", () => { view.compact = !view.compact; redraw(); });
  doc.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    if (k === "+" || k === "=") zoomCentre(0.5);
    else if (k === "-" || k === "_") zoomCentre(2);
    else if (k === "ArrowLeft") pan(-0.2);
    else if (k === "ArrowRight") pan(0.2);
    else if (k === "0") reset();
    else return;
    e.preventDefault();
  });
  // The handoff table: a row zooms to its handoff.
  for (const tr of all("tr[data-from]") as HTMLElement[]) tr.addEventListener("click", () => setDomain(Number(tr.dataset.from), Number(tr.dataset.to)));
  // Hover: the details of the mark under the pointer in the bar.
  doc.addEventListener("mouseover", (e) => {
    const g = (e.target as Element).closest("svg *");
    const t = g && (g.querySelector(":scope > title") ?? g.parentElement?.querySelector(":scope > title"));
    $("hover").textContent = t ? t.textContent : "";
  });

  all("svg.detail").forEach((svg) => put(svg, detail(D.details[Number((svg as HTMLElement).dataset.i)])));
  setDomain(0, D.simMs);
  draw();
  doc.body.dataset.ready = "1";
  (window as any).mipfwTimeline = { view, setDomain, draw };
}
