// Parameter sweeps (issue 14.9, the ns-3 / OMNeT++ habit): `mipfw sweep scenario.json --set PATH=V1,V2
// [--set ...] --seeds 1..10` runs every combination of the values for every seed, each run a `mipfw sim`
// child process (so the runs use every core: --jobs, default the number of CPUs), and writes one table of
// the summary figures per combination: mean, standard deviation and the 95 % confidence interval of the
// mean (Student's t) over the seeds. CSV by default, JSON with --out FILE.json.
//
// PATH addresses a field of the scenario: dot-separated keys, `[i]` an index, `[name=X]` the element of a
// list whose `name` is X, e.g. `segments[name=wan].delayMs` or `nodes[name=mn].mobility.lifetimeSec`.
// A value is read as JSON when it parses (numbers, true, "quoted"), else as a string.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Summary } from "./sim/summary.js";

export class SweepError extends Error {}

export interface SetSpec { path: string; values: unknown[] }

/** `PATH=V1,V2` into its path and values. */
export function parseSet(arg: string): SetSpec {
  // The first "=" outside brackets ([name=X] selectors have their own).
  let eq = -1;
  for (let i = 0, depth = 0; i < arg.length && eq < 0; i++) {
    if (arg[i] === "[") depth++;
    else if (arg[i] === "]") depth--;
    else if (arg[i] === "=" && depth === 0) eq = i;
  }
  if (eq <= 0 || eq === arg.length - 1) throw new SweepError(`--set: expected PATH=V1,V2,..., got ${JSON.stringify(arg)}`);
  const values = arg.slice(eq + 1).split(",").map((v) => { try { return JSON.parse(v); } catch { return v; } });
  return { path: arg.slice(0, eq), values };
}

/** `A..B` (inclusive) or `A,B,C` into the seeds. */
export function parseSeeds(arg: string): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(arg);
  const seeds = m ? Array.from({ length: Math.max(0, Number(m[2]) - Number(m[1]) + 1) }, (_, i) => Number(m[1]) + i)
    : arg.split(",").map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 4294967295)) {
    throw new SweepError(`--seeds: expected a range like 1..10 or a list like 1,2,3 (0..4294967295), got ${JSON.stringify(arg)}`);
  }
  return seeds;
}

/** Set the field at `path` of `obj` to `value`; a step that names nothing is refused with the path so far. */
export function applySet(obj: unknown, path: string, value: unknown): void {
  const steps = path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let cur: any = obj;
  let done = "";
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const last = i === steps.length - 1;
    let key: string | number;
    if (s.startsWith("[")) {
      const inner = s.slice(1, -1);
      if (!Array.isArray(cur)) throw new SweepError(`--set ${path}: ${done || "the scenario"} is not a list`);
      const sel = /^name=(.+)$/.exec(inner);
      key = sel ? cur.findIndex((e: any) => e?.name === sel[1]) : /^\d+$/.test(inner) ? Number(inner) : -1;
      if (key < 0 || key >= cur.length) {
        throw new SweepError(`--set ${path}: ${done || "the list"}${s} names no element (${sel ? `names: ${cur.map((e: any) => e?.name).join(", ")}` : `${cur.length} elements`})`);
      }
    } else {
      key = s;
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) throw new SweepError(`--set ${path}: ${done || "the scenario"} is not an object`);
    }
    done += typeof key === "number" ? s : (done ? `.${key}` : key);
    if (last) { cur[key] = value; return; }
    if (cur[key] === undefined) cur[key] = {};
    cur = cur[key];
  }
  throw new SweepError(`--set: empty path`);
}

/** Every combination of the values of `sets`, as [path, value] lists (one empty combination without sets). */
export function combinations(sets: SetSpec[]): [string, unknown][][] {
  let out: [string, unknown][][] = [[]];
  for (const s of sets) out = out.flatMap((c) => s.values.map((v) => [...c, [s.path, v] as [string, unknown]]));
  return out;
}

const median = (xs: number[]) => { if (!xs.length) return NaN; const a = [...xs].sort((x, y) => x - y); return a[(a.length - 1) >> 1]; };

/** The figures of one run, by name (flows and pings by their names; handoffs as medians and totals). */
export function figures(s: Summary): Record<string, number> {
  const f: Record<string, number> = {};
  for (const x of s.flows) {
    f[`flow.${x.name}.lost`] = x.lost;
    f[`flow.${x.name}.lossPct`] = x.sent ? (100 * x.lost) / x.sent : 0;
    if (x.latencyMs.p50 !== null) f[`flow.${x.name}.p50Ms`] = x.latencyMs.p50;
  }
  for (const x of s.pings) {
    f[`ping.${x.name}.lost`] = x.lost;
    if (x.rttMs.p50 !== null) f[`ping.${x.name}.rttP50Ms`] = x.rttMs.p50;
  }
  f["handoffs"] = s.handoffs.length;
  const intr = s.handoffs.map((h) => h.interruptionMs ?? h.registeredMs).filter((v): v is number => v !== null);
  if (intr.length) f["handoff.interruptionMs.median"] = median(intr);
  f["handoff.lost.total"] = s.handoffs.reduce((n, h) => n + h.lost, 0);
  f["registrations.accepted"] = s.registrations.accepted;
  return f;
}

/** Two-sided 95 % Student's t quantile for `df` degrees of freedom. */
export function t95(df: number): number {
  const T = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  if (df < 1) return NaN;
  if (df < T.length) return T[df];
  return df < 30 ? 2.06 : df < 60 ? 2.01 : 1.96;
}

export interface Stat { n: number; mean: number; sd: number; ci95: number }
/** Mean, sample standard deviation and the 95 % confidence half-width of the mean of `xs`. */
export function stat(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, ci95: n > 1 ? (t95(n - 1) * sd) / Math.sqrt(n) : NaN };
}

export interface SweepRow { combination: Record<string, unknown>; figure: string; stat: Stat; values: number[] }
/** Rows per combination and figure, from each run's figures (runs[i] belongs to combination combos[i]). */
export function aggregate(combos: [string, unknown][][], runs: Record<string, number>[][]): SweepRow[] {
  const rows: SweepRow[] = [];
  combos.forEach((c, i) => {
    const names = [...new Set(runs[i].flatMap((r) => Object.keys(r)))].sort();
    for (const name of names) {
      const values = runs[i].map((r) => r[name]).filter((v) => v !== undefined && Number.isFinite(v));
      if (values.length) rows.push({ combination: Object.fromEntries(c), figure: name, stat: stat(values), values });
    }
  });
  return rows;
}

/** CSV: one line per combination and figure. */
export function toCsv(sets: SetSpec[], rows: SweepRow[]): string {
  const q = (v: unknown) => { const s = typeof v === "string" ? v : JSON.stringify(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
  const head = [...sets.map((s) => s.path), "figure", "n", "mean", "sd", "ci95"].map(q).join(",");
  const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : "");
  return [head, ...rows.map((r) => [...sets.map((s) => q(r.combination[s.path])), q(r.figure), r.stat.n, num(r.stat.mean), num(r.stat.sd), num(r.stat.ci95)].join(","))].join("\n") + "\n";
}

/** Run `mipfw sim` (this program) for each scenario file and seed, `jobs` at a time; each run's summary. */
async function runAll(program: string, firmware: string | null, jobs: { file: string; seed: number; out: string }[], parallel: number, progress: (done: number) => void): Promise<Summary[]> {
  const results: Summary[] = new Array(jobs.length);
  let next = 0, done = 0;
  const one = (k: number) => new Promise<void>((resolve, reject) => {
    const j = jobs[k];
    const args = [program, "sim", j.file, "--seed", String(j.seed), "--json", j.out, "--quiet", ...(firmware ? ["--firmware", firmware] : [])];
    const p = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => { err += d; });
    p.on("close", (code) => {
      if (code !== 0) { reject(new SweepError(`run ${k + 1} (seed ${j.seed}) failed: ${err.trim() || `exit ${code}`}`)); return; }
      results[k] = JSON.parse(readFileSync(j.out, "utf8"));
      progress(++done);
      resolve();
    });
  });
  const worker = async () => { while (next < jobs.length) await one(next++); };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  return results;
}

export interface SweepOptions { scenario: unknown; sets: SetSpec[]; seeds: number[]; jobs?: number; firmware?: string | null; program: string; validate: (sc: unknown) => void; progress?: (done: number, total: number) => void }

/** Run the sweep: each combination's scenario validated first (a bad --set stops it before any run). */
export async function sweep(o: SweepOptions): Promise<SweepRow[]> {
  const combos = combinations(o.sets);
  const dir = mkdtempSync(join(tmpdir(), "mipfw-sweep-"));
  try {
    const jobs: { file: string; seed: number; out: string }[] = [];
    combos.forEach((c, i) => {
      const sc = JSON.parse(JSON.stringify(o.scenario));
      for (const [path, v] of c) applySet(sc, path, v);
      o.validate(sc);
      const file = join(dir, `c${i}.json`);
      writeFileSync(file, JSON.stringify(sc));
      for (const seed of o.seeds) jobs.push({ file, seed, out: join(dir, `c${i}-s${seed}.summary.json`) });
    });
    const summaries = await runAll(o.program, o.firmware ?? null, jobs, o.jobs ?? cpus().length, (d) => o.progress?.(d, jobs.length));
    const runs = combos.map((_, i) => o.seeds.map((_, k) => figures(summaries[i * o.seeds.length + k])));
    return aggregate(combos, runs);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** `mipfw sweep <scenario.json> --set PATH=V1,V2 [--set ...] [--seeds 1..10] [--jobs N] [--out FILE.csv|.json]
 *  [--firmware FILE]`. Returns the exit status. */
export async function cmdSweep(args: string[], program: string, readScenario: (file: string) => unknown, validate: (sc: unknown) => void): Promise<number> {
  const sets: SetSpec[] = [];
  let seeds = [1], jobs: number | undefined, out: string | null = null, firmware: string | null = null, file: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, null];
    const val = () => { const v = inline ?? args[++i]; if (v === undefined) throw new SweepError(`${flag} needs a value`); return v; };
    if (flag === "--set") sets.push(parseSet(val()));
    else if (flag === "--seeds") seeds = parseSeeds(val());
    else if (flag === "--jobs") { const v = val(); jobs = Number(v); if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new SweepError(`--jobs: expected 1..256, got ${JSON.stringify(v)}`); }
    else if (flag === "--out") { out = val(); if (!/\.(csv|json)$/.test(out)) throw new SweepError(`--out: expected a file ending .csv or .json, got ${JSON.stringify(out)}`); }
    else if (flag === "--firmware") firmware = val();
    else if (a.startsWith("-")) throw new SweepError(`unknown option ${JSON.stringify(a)} (sweep takes --set, --seeds, --jobs, --out, --firmware)`);
    else if (file === null) file = a;
    else throw new SweepError(`sweep takes one scenario file, got ${JSON.stringify(file)} and ${JSON.stringify(a)}`);
  }
  if (file === null) throw new SweepError("sweep needs a scenario file");
  // A bad output path is refused before any run.
  if (out) writeFileSync(out, "");
  const scenario = readScenario(file);
  const total = combinations(sets).length * seeds.length;
  process.stderr.write(`[sweep] ${combinations(sets).length} combination(s) x ${seeds.length} seed(s) = ${total} runs, ${jobs ?? cpus().length} at a time\n`);
  const rows = await sweep({ scenario, sets, seeds, jobs, firmware, program, validate, progress: (d, n) => { if (d === n || d % 10 === 0) process.stderr.write(`[sweep] ${d}/${n} runs\n`); } });
  const text = out?.endsWith(".json")
    ? JSON.stringify({ format: "mipfw-sweep/1", scenario: file, seeds, sets, rows: rows.map((r) => ({ ...r.combination, figure: r.figure, ...r.stat, values: r.values })) }, null, 2) + "\n"
    : toCsv(sets, rows);
  if (out) writeFileSync(out, text); else process.stdout.write(text);
  return 0;
}
