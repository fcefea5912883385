// The timeline page in a real browser (headless Chromium driven by playwright-core): pages generated
// from simulation runs (mip-roam: IPv4 roaming with a ping; mip6-ro: Mobile IPv6 with route
// optimization and pings that lose echoes; mip-ha-reboot, mip-unknown-ha, mip-wrong-key: actions,
// denials, authentication failures, heavy loss; mip-fleet-100: 100 mobile nodes, the compact view) are loaded from file:// and checked for what they show and how they behave:
// a legend entry for every kind of mark drawn, no two text labels overlapping (default view, zoomed
// to a handoff, after wheel zooms, in the compact view), one latency point per packet received and
// one loss tick per packet lost (the summary's counts), one RTT point per ping reply, the shared time
// domain after the buttons, the wheel, a drag, a shift-drag brush, the keyboard and a click on a
// handoff row, the axis in s or ms, the compact view's height, and screenshots that are not blank
// (saved under test/out/timeline/, git-ignored). Skipped, with the reason, without Chromium
// (apt-get install chromium; CHROMIUM=path for another binary) or playwright-core (npm ci).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, timelineData, renderTimeline, MARK_KINDS, PLOT_KINDS, COMPACT_OVER } = host;
const root = new URL("../../", import.meta.url).pathname;
const outDir = join(root, "test/out/timeline");
const exe = process.env.CHROMIUM ?? "/usr/bin/chromium";

let chromium = null, why = null;
try { ({ chromium } = await import("playwright-core")); } catch { why = "playwright-core is not installed (npm ci)"; }
if (!why && !existsSync(exe)) why = `no Chromium at ${exe} (apt-get install chromium, or CHROMIUM=path)`;
const skip = why ? `timeline in a browser: ${why}` : false;

let browser = null;
async function getBrowser() {
  if (browser) return browser;
  // Flags: no sandbox (root in CI), no GPU, and nothing that looks up the network (it would hang
  // offline). playwright-core's launch() gives the browser a fresh profile of its own (a temporary
  // --user-data-dir, removed on close).
  browser = await chromium.launch({
    executablePath: exe, timeout: 60000,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  return browser;
}
after(async () => { if (browser) await browser.close(); });

/** A page from a simulation run, written under test/out/timeline/, and opened. */
async function open(name, durationMs) {
  const sc = validateScenario(JSON.parse(readFileSync(join(root, "scenarios", name + ".json"), "utf8")));
  const sim = new Simulation(sc, firmware, { timeline: true, durationMs });
  sim.run();
  sim.close();
  const s = sim.summary(), d = timelineData(sim, s);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name + ".html");
  writeFileSync(file, renderTimeline(d));
  const page = await (await getBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  // Nothing but the file itself is loaded.
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto("file://" + file);
  await page.waitForSelector("body[data-ready]", { timeout: 20000 });
  assert.deepEqual(requests, ["file://" + file], "no other resource requested");
  return { page, s, d, errors, file };
}

/** After the redraw (the page draws in an animation frame). */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
const domain = async (page) => {
  const v = await page.$eval("#view", (e) => [Number(e.dataset.t0), Number(e.dataset.t1)]);
  // Every chart on the shared axis shows it.
  const axes = await page.$$eval("svg.chart:not([hidden]) g.ax", (gs) => gs.filter((g) => g.getClientRects().length).map((g) => [Number(g.dataset.t0), Number(g.dataset.t1)]));
  assert.ok(axes.length > 0, "charts drawn");
  for (const a of axes) assert.deepEqual(a, v, "every axis shows the view's domain");
  return v;
};
const near = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (±${tol})`);

/** No two visible text labels of one chart intersect (more than half a pixel each way). */
async function assertNoOverlap(page, what) {
  const bad = await page.$$eval("svg.chart, svg.detail", (svgs) => {
    const out = [];
    let checked = 0;
    for (const svg of svgs) {
      if (!svg.getClientRects().length) continue;
      const boxes = [...svg.querySelectorAll("text")].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() })).filter((b) => b.r.width > 0 && b.r.height > 0);
      checked += boxes.length;
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left), oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (ox > 0.5 && oy > 0.5) out.push(`${svg.getAttribute("aria-label")}: "${boxes[i].t}" and "${boxes[j].t}"`);
      }
    }
    return { out, checked };
  });
  assert.ok(bad.checked > 10, `${what}: labels found (${bad.checked})`);
  assert.deepEqual(bad.out.slice(0, 10), [], `${what}: overlapping labels`);
  return bad.checked;
}

/** Every kind drawn has a legend entry; the legend has one per mark kind of the table and per plot element. */
async function assertLegend(page, d) {
  const { drawn, legend } = await page.evaluate(() => ({
    drawn: [...new Set([...document.querySelectorAll("svg.chart [data-kind], svg.detail [data-kind]")].map((e) => e.dataset.kind))],
    legend: [...document.querySelectorAll("#legend [data-kind]")].map((e) => e.dataset.kind),
  }));
  assert.deepEqual([...legend].sort(), [...Object.keys(MARK_KINDS), ...Object.keys(PLOT_KINDS)].sort(), "legend: the tables' kinds, once each");
  const missing = drawn.filter((k) => !legend.includes(k));
  assert.deepEqual(missing, [], "every kind drawn has a legend entry");
  const used = new Set([...d.lanes.flatMap((l) => [...l.registrations, ...l.other]), ...d.agents.flatMap((a) => a.markers)].map((m) => m.kind));
  for (const k of used) assert.ok(drawn.includes(k), `mark kind ${k} of the run is drawn`);
  return drawn;
}

/** Plots: one latency point per packet received and one tick per packet lost, per flow; one RTT point per reply and one tick per echo lost, per ping (whole run shown). */
async function assertPlots(page, s) {
  const got = await page.evaluate(() => ({
    flows: [...document.querySelectorAll("svg.flow")].map((svg) => {
      const lat = svg.querySelector("path.lat"), loss = svg.querySelector("path.loss");
      return { lat: Number(lat.dataset.n), latM: (lat.getAttribute("d").match(/M/g) ?? []).length, loss: Number(loss.dataset.n), lossM: (loss.getAttribute("d").match(/M/g) ?? []).length };
    }),
    pings: [...document.querySelectorAll("svg.ping")].map((svg) => ({ rtt: Number(svg.querySelector("path.rtt").dataset.n), loss: Number(svg.querySelector("path.loss").dataset.n) })),
  }));
  assert.equal(got.flows.length, s.flows.length);
  s.flows.forEach((f, i) => {
    const g = got.flows[i];
    assert.equal(g.lat, f.received, `${f.name}: a latency point per packet received`);
    if (g.lat) assert.equal(g.latM, g.lat, `${f.name}: points in the path`);
    assert.equal(g.loss, f.lost, `${f.name}: a loss tick per packet lost`);
    if (g.loss) assert.equal(g.lossM, g.loss);
  });
  assert.equal(got.pings.length, s.pings.length);
  s.pings.forEach((p, i) => {
    assert.equal(got.pings[i].rtt, p.received, `${p.name}: an RTT point per reply`);
    assert.equal(got.pings[i].loss, p.lost, `${p.name}: a tick per echo lost`);
  });
}

/** A screenshot, saved, that is not blank: PNG of the viewport's size, many colours (counted in a canvas of the page). */
async function assertScreenshot(page, name) {
  const png = await page.screenshot({ fullPage: false });
  writeFileSync(join(outDir, name + ".png"), png);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 900], "PNG dimensions");
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data, seen = new Set();
    for (let i = 0; i < px.length; i += 4 * 7) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    return seen.size;
  }, png.toString("base64"));
  assert.ok(colours >= 20, `${name}: screenshot not blank (${colours} colours)`);
}

/** Centre of the plot at fraction `frac` of the time axis in a chart (page coordinates). */
async function plotPoint(page, sel, frac, yFrac = 0.5) {
  const box = await page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
  const k = box.w / 1190;
  return { x: box.x + (130 + frac * 1040) * k, y: box.y + box.h * yFrac };
}

test("timeline in Chromium, mip-roam: legend, labels, plots, zoom and pan, screenshots", { skip, timeout: 120000 }, async () => {
  const t0 = Date.now();
  const { page, s, d, errors } = await open("mip-roam");
  const simMs = s.simMs;
  assert.deepEqual(await domain(page), [0, simMs]);
  assert.equal(await page.$eval("#lanes-full", (e) => e.hidden), false, "one lane: the full view");
  assert.equal(await page.$eval("g.ax", (g) => g.dataset.unit), "s", "the whole run in s");
  await assertLegend(page, d);
  await assertNoOverlap(page, "default view");
  await assertPlots(page, s);
  await assertScreenshot(page, "mip-roam-top");
  await page.$eval("svg.flow", (e) => e.scrollIntoView());
  await assertScreenshot(page, "mip-roam-flow");

  // Buttons: zoom in and out around the centre, reset.
  await page.click("#zin"); await settle(page);
  assert.deepEqual(await domain(page), [simMs / 4, (3 * simMs) / 4]);
  await page.click("#zout"); await settle(page);
  assert.deepEqual(await domain(page), [0, simMs]);
  // Wheel over the flow chart at a quarter of the axis: zooms in around that time.
  const sel = "svg.flow";
  await page.$eval(sel, (e) => e.scrollIntoView());
  let p = await plotPoint(page, sel, 0.25);
  await page.mouse.move(p.x, p.y);
  await page.mouse.wheel(0, -300); await settle(page);
  let [a, b] = await domain(page);
  near(b - a, simMs * Math.exp(-0.6), 1, "wheel: width");
  near(a + 0.25 * (b - a), 0.25 * simMs, 50, "wheel: the time under the pointer stays");
  await page.mouse.wheel(0, -300); await settle(page);
  await page.mouse.wheel(0, -300); await settle(page);
  [a, b] = await domain(page);
  near(b - a, simMs * Math.exp(-1.8), 1, "three wheel steps");
  await assertNoOverlap(page, "after wheel zooms");
  // Drag right by a tenth of the axis: earlier times come into view.
  p = await plotPoint(page, sel, 0.5);
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(p.x + 52, p.y, { steps: 4 });
  await page.mouse.move(p.x + 104 * (await page.$eval(sel, (e) => e.getBoundingClientRect().width / 1190)), p.y, { steps: 4 });
  await page.mouse.up(); await settle(page);
  let [a2, b2] = await domain(page);
  near(a2, a - 0.1 * (b - a), 2, "drag: panned by a tenth");
  near(b2 - a2, b - a, 0.001, "drag keeps the width");
  // Keyboard: → pans by a fifth, + zooms in, − out, 0 resets.
  await page.keyboard.press("ArrowRight"); await settle(page);
  [a, b] = await domain(page);
  near(a, a2 + 0.2 * (b2 - a2), 0.01, "→");
  await page.keyboard.press("+"); await settle(page);
  let [a3, b3] = await domain(page);
  near(b3 - a3, (b - a) / 2, 0.01, "+");
  await page.keyboard.press("-"); await settle(page);
  [a3, b3] = await domain(page);
  near(b3 - a3, b - a, 0.01, "−");
  await page.keyboard.press("0"); await settle(page);
  assert.deepEqual(await domain(page), [0, simMs], "0 resets");
  // Shift-drag: the range brushed, from 20 % to 40 % of the axis.
  const p1 = await plotPoint(page, sel, 0.2), p2 = await plotPoint(page, sel, 0.4);
  await page.keyboard.down("Shift");
  await page.mouse.move(p1.x, p1.y); await page.mouse.down();
  await page.mouse.move(p2.x, p2.y, { steps: 5 }); await page.mouse.up();
  await page.keyboard.up("Shift"); await settle(page);
  [a, b] = await domain(page);
  near(a, 0.2 * simMs, simMs / 1000, "brush start"); near(b, 0.4 * simMs, simMs / 1000, "brush end");
  // A handoff row: the view of that handoff, in ms; its labels still apart.
  const rows = await page.$$("tr[data-from]");
  assert.equal(rows.length, s.handoffs.length);
  await rows[1].click(); await settle(page);
  const want = await rows[1].evaluate((tr) => [Number(tr.dataset.from), Number(tr.dataset.to)]);
  assert.deepEqual(await domain(page), want);
  assert.ok(want[0] <= s.handoffs[1].atMs && want[1] > s.handoffs[1].atMs);
  assert.equal(await page.$eval("svg.lane g.ax", (g) => g.dataset.unit), "ms", "a handoff's window in ms");
  const ticks = await page.$$eval("svg.lane g.ax text", (ts) => ts.map((t) => t.textContent));
  assert.ok(ticks.length >= 3 && ticks.every((t) => / ms$/.test(t)), ticks.join(","));
  assert.equal(new Set(ticks).size, ticks.length, "tick labels distinct");
  await assertNoOverlap(page, "zoomed to a handoff");
  const markCount = await page.$$eval("svg.lane g.mk", (g) => g.length);
  assert.ok(markCount >= 3, "the handoff's marks are in view");
  await page.$eval("svg.lane", (e) => e.scrollIntoView());
  await assertScreenshot(page, "mip-roam-handoff");
  assert.deepEqual(errors, []);
  await page.close();
  console.log(`# mip-roam page ${readFileSync(join(outDir, "mip-roam.html")).length} bytes, checked in ${Date.now() - t0} ms`);
});

test("timeline in Chromium, mip6-ro, mip-ha-reboot, mip-unknown-ha, mip-wrong-key: Mobile IPv6 marks, pings with lost echoes, denials, failures and actions; labels apart at every zoom", { skip, timeout: 180000 }, async () => {
  const expect = {
    "mip6-ro": ["bu", "ba_ok", "coa", "ro", "binding_end", "rtt", "ping_lost", "latency", "lost"],
    "mip-ha-reboot": ["action", "gap", "ping_lost", "visitor"],
    "mip-unknown-ha": ["reply_deny", "agent_deny", "binding_end", "visitor_bad"],
    "mip-wrong-key": ["auth", "agent_deny", "visitor_bad"],
  };
  for (const [name, kinds] of Object.entries(expect)) {
    const { page, s, d, errors } = await open(name);
    const drawn = await assertLegend(page, d);
    for (const k of kinds) assert.ok(drawn.includes(k), `${name}: ${k} drawn`);
    assert.ok(s.pings.some((p) => p.lost > 0), "a ping lost echoes");
    await assertPlots(page, s);
    await assertNoOverlap(page, `${name} default view`);
    // Zoom in step by step on the first handoff: labels re-placed at every scale.
    const at = s.handoffs[0].atMs;
    for (const w of [20000, 5000, 1000, 200, 40]) {
      await page.evaluate(([a, b]) => window.mipfwTimeline.setDomain(a, b), [at - w / 2, at + w / 2]);
      await settle(page);
      await assertNoOverlap(page, `${name} ${w} ms around the first handoff`);
    }
    // And at domains drawn at random (seeded): widths from the whole run down to 1/100,000 of it.
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 6; i++) {
      const w = s.simMs * Math.pow(10, -5 * rnd()), a = rnd() * (s.simMs - w);
      await page.evaluate(([a, b]) => window.mipfwTimeline.setDomain(a, b), [a, a + w]);
      await settle(page);
      await assertNoOverlap(page, `${name} at ${a.toFixed(3)}-${(a + w).toFixed(3)} ms`);
    }
    await page.$eval("svg.ping", (e) => e.scrollIntoView());
    await assertScreenshot(page, `${name}-ping`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test("timeline in Chromium, mip-fleet-100: the compact view by default, 100 mobile nodes' rows within a bounded height, the full view on demand", { skip, timeout: 120000 }, async () => {
  const t = Date.now();
  const { page, d, errors } = await open("mip-fleet-100");
  const simMs = Date.now() - t;
  assert.ok(d.lanes.length >= 100 && d.lanes.length > COMPACT_OVER, `${d.lanes.length} lanes`);
  assert.equal(await page.$eval("#lanes-compact", (e) => e.hidden), false, "compact view by default");
  assert.equal(await page.$eval("#lanes-full", (e) => e.hidden), true);
  const c = await page.$eval("#compact-svg", (svg) => ({
    h: svg.getBoundingClientRect().height, names: [...svg.querySelectorAll("text.cn")].map((t) => t.querySelector("title").textContent),
    labels: [...svg.querySelectorAll("text")].filter((t) => !t.classList.contains("cn") && !t.closest("g.ax")).length,
    bands: svg.querySelectorAll("[data-kind=ap]").length,
    ticks: svg.querySelectorAll("line.tk").length, kinds: [...new Set([...svg.querySelectorAll("line.tk")].map((e) => e.dataset.kind))],
  }));
  assert.equal(c.ticks, d.lanes.reduce((a, l) => a + l.registrations.length + l.other.length, 0), "every mark a tick");
  for (const k of ["req", "reply_ok", "move"]) assert.ok(c.kinds.includes(k), `${k} ticks`);
  assert.deepEqual(c.names, d.lanes.map((l) => l.node), "one row per station, named");
  assert.ok(c.h <= 12 * d.lanes.length + 60, `compact height ${c.h} px`);
  assert.equal(c.labels, 0, "no text labels but the names and the axis");
  assert.ok(c.bands >= d.lanes.length, "an access point band per station");
  await assertLegend(page, d);
  await assertNoOverlap(page, "compact view");
  // Details on hover: a tick's tooltip in the bar, naming the node, the time and the mark.
  const tick = await page.$("#compact-svg line.tk.ok");
  await tick.scrollIntoViewIfNeeded();
  const tb = await tick.boundingBox();
  await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2);
  // (The element under the pointer: ticks a few ms apart share a pixel at this scale.)
  const want = await page.evaluate(([x, y]) => document.elementFromPoint(x, y).querySelector("title").textContent, [tb.x + tb.width / 2, tb.y + tb.height / 2]);
  assert.match(want, /^mn\d+, [\d.]+ ms: .+: .+/);
  assert.equal(await page.$eval("#hover", (e) => e.textContent), want, "hover shows the tick's details");
  await page.$eval("#compact-svg", (e) => e.scrollIntoView());
  await assertScreenshot(page, "mip-fleet-100-compact");
  // Zoomed, the compact view follows the shared axis.
  await page.keyboard.press("+"); await settle(page);
  const [a, b] = await domain(page);
  assert.equal(b - a, d.simMs / 2);
  await assertNoOverlap(page, "compact view zoomed");
  await page.click("#compact"); await settle(page);
  assert.equal(await page.$eval("#lanes-full", (e) => e.hidden), false, "the full view");
  assert.equal(await page.$$eval("svg.lane", (s) => s.filter((e) => e.getAttribute("height") > 40).length), d.lanes.length, "every lane drawn");
  await page.click("#compact"); await settle(page);
  assert.equal(await page.$eval("#lanes-compact", (e) => e.hidden), false, "back to compact");
  assert.deepEqual(errors, []);
  await page.close();
  console.log(`# mip-fleet-100: ${d.lanes.length} lanes, simulated and loaded in ${simMs} ms, page ${readFileSync(join(outDir, "mip-fleet-100.html")).length} bytes`);
});

test("timeline in Chromium: the page the CLI writes (its script from the CommonJS bundle) draws too", { skip, timeout: 60000 }, async () => {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "cli-mip6-roam.html");
  const r = spawnSync(process.execPath, [join(root, "build/mipfw.cjs"), "sim", "scenarios/mip6-roam.json", "--quiet", "--timeline", file], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 0, r.stderr);
  const page = await (await getBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("file://" + file);
  await page.waitForSelector("body[data-ready]", { timeout: 20000 });
  assert.ok(await page.$$eval("svg.chart g.mk", (g) => g.length) > 5, "marks drawn");
  assert.ok(await page.$eval("svg.flow path.lat", (p) => Number(p.dataset.n)) > 100, "latency points drawn");
  await assertNoOverlap(page, "mip6-roam from the CLI");
  assert.deepEqual(errors, []);
  await page.close();
});
