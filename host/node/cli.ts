// The `mipfw` command line (bundled to build/mipfw.cjs): run emulated-network scenarios and check
// node configurations. Exit codes: 0 success, 1 invalid input or failed run, 2 bad arguments.

import { readFileSync, writeFileSync, existsSync, statSync, accessSync, constants as fsc } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { Board, BoardError, compileFirmware, ABI_VERSION } from "./board.js";
import { explainProblems, closest } from "./hints.js";
import { scenarioWarnings } from "./warnings.js";
import pkg from "../../package.json";
import { validateConfig, ConfigError, formatIp, parseKey, parseIp } from "./config.js";
import { masterDerivedKey } from "./mip.js";
import { validateScenario } from "./sim/scenario.js";
import { Simulation } from "./sim/sim.js";
import { summaryJson } from "./sim/summary.js";
import { renderSummary, table } from "./sim/report.js";
import { renderTimeline, timelineData } from "./timeline.js";
import { traceJson } from "./trace.js";
import { cmdSweep, SweepError } from "./sweep.js";

const HELP = `mipfw - Mobile IP firmware tools

Usage:
  mipfw sim <scenario.json> [options]   run an emulated-network scenario
      --seed N          seed for every random choice (default: the scenario's seed)
      --duration MS     simulated time to run (default: the scenario's durationMs)
      --pcap DIR        write DIR/<segment>.pcap for every segment and access point
                        (classic pcap, timestamps from 0 = 1970-01-01)
      --pcapng FILE     write one pcapng file: an interface named after each segment and
                        access point, timestamps from 2026-01-01T00:00:00Z, the firmware's
                        clock at the start (so they match Identification fields)
      --json FILE       write the summary as JSON (docs/results.md; "formatVersion" first);
                        with --dump, the tables too ("tables")
      --events FILE     write events as JSON lines in mipfw-board's format
                        {tMs, node, kind (firmware event id), name, ...fields}
      --timeline FILE   write a self-contained HTML timeline (attachment, registrations,
                        flow rates, latency, losses and gaps, ping RTTs, handoffs; zoom
                        and pan; docs/results.md)
      --trace FILE      write the same as a Chrome trace (JSON; Perfetto, chrome://tracing)
      --quiet           no progress and no summary table (errors still go to stderr)
      --dump            after the summary, print each board's non-empty tables at the end
                        of the run: home agent bindings, visitors, ARP cache, aliases
                        (--runtime node only)
      --firmware FILE   firmware module to load (default: firmware.wasm beside this program)
      --runtime R       run the boards in this process ("node", the default) or each in a
                        wasm3 process ("wasm3": mipfw-board sim-peer, same trace)
      --board-bin FILE  the mipfw-board program for --runtime wasm3 (default: $MIPFW_BOARD,
                        else host/wasm3/target/release/mipfw-board of this checkout)
  mipfw sweep <scenario.json> --set PATH=V1,V2 [--set ...] [--seeds 1..10] [--jobs N] [--out F]
                        run every combination of the values for every seed (each a sim run,
                        --jobs at a time, default one per CPU) and write each summary figure's
                        mean, sd and 95 % confidence interval per combination: CSV (stdout or
                        --out F.csv) or JSON (--out F.json). PATH: scenario fields, e.g.
                        segments[name=wan].delayMs, nodes[name=mn].mobility.lifetimeSec
  mipfw check-config <node.json> [--firmware FILE] [--json]
                        validate a node configuration, start it on its board profile and
                        report memory use; lists every problem otherwise (--json: one JSON
                        object on stdout, {"formatVersion", "ok", ...})
  mipfw derive-key --master KEY --node ADDR [--spi N]
                        the key a home agent with a master key (association "use": "master")
                        derives for node ADDR: MD5(ADDR | master | ADDR) (seed 001 appendix A);
                        prints it and the association the other node configures
  mipfw --help          this text
  mipfw --version       the program's version and the firmware ABI it loads

Output files (--json, --events, --timeline, --trace, --pcap, --pcapng) are checked before the
simulation runs: a path in a missing or read-only directory, or naming a directory, is refused (exit 2).
Warnings (stderr, "warning:") name scenarios that cannot work: keys that differ between a mobile
node and its home agent, a mobile node never in range of an access point, duplicate subnets, an
encapsulation the home agent does not offer.

Exit status: 0 success, 1 invalid scenario/configuration or failed run, 2 bad arguments.
`;

class UsageError extends Error {}

interface Parsed { positional: string[]; flags: Map<string, string | true> }

function parseArgs(args: string[], valued: string[], booleans: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
      if (booleans.includes(name)) {
        if (inline !== undefined) throw new UsageError(`${name} takes no value`);
        flags.set(name, true);
      } else if (valued.includes(name)) {
        const v = inline ?? args[++i];
        if (v === undefined || (inline === undefined && v.startsWith("--"))) throw new UsageError(`${name} needs a value`);
        flags.set(name, v);
      } else {
        const guess = closest(name, [...valued, ...booleans]);
        throw new UsageError(`unknown option ${name}${guess ? ` (did you mean ${guess}?)` : ""}`);
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

function intFlag(p: Parsed, name: string, lo: number, hi: number): number | undefined {
  const v = p.flags.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) throw new UsageError(`${name}: expected an integer ${lo}..${hi}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function firmwarePath(p: Parsed): string {
  const f = p.flags.get("--firmware");
  return typeof f === "string" ? f : process.env.MIPFW_FIRMWARE ?? join(__dirname, "firmware.wasm");
}

function loadModule(path: string): WebAssembly.Module {
  if (!existsSync(path)) throw new Error(`firmware not found: ${path} (run npm run build, or give --firmware FILE)`);
  return compileFirmware(readFileSync(path) as Uint8Array<ArrayBuffer>);
}

function readJson(path: string): unknown {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch (e) { throw new Error(`${path}: cannot read: ${(e as Error).message}`); }
  try { return JSON.parse(text); } catch (e) { throw new Error(`${path}: not valid JSON: ${(e as Error).message}`); }
}

function cmdSim(args: string[]): number {
  const p = parseArgs(args, ["--seed", "--pcap", "--pcapng", "--json", "--events", "--timeline", "--trace", "--duration", "--firmware", "--runtime", "--board-bin"], ["--quiet", "--dump"]);
  if (p.positional.length !== 1) throw new UsageError(p.positional.length ? `sim takes one scenario file, got ${p.positional.length} arguments` : "sim needs a scenario file");
  const seed = intFlag(p, "--seed", 0, 4294967295);
  const durationMs = intFlag(p, "--duration", 1, 864e5 * 365);
  const quiet = p.flags.has("--quiet");
  const file = p.positional[0];
  // Output paths first: a typo in one must not cost the whole run.
  for (const f of ["--json", "--events", "--timeline", "--trace", "--pcapng"]) { const v = p.flags.get(f); if (typeof v === "string") checkOutputFile(f, v); }
  const pcapFlag = p.flags.get("--pcap");
  if (typeof pcapFlag === "string") checkOutputDir("--pcap", pcapFlag);
  let scenario;
  const rawScenario = readJson(file);
  try { scenario = validateScenario(rawScenario, "scenario"); } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`${file}: invalid scenario:\n${explainProblems(e.problems, { scenario: rawScenario }).map((x) => `  ${x}\n`).join("")}`); return 1; }
    throw e;
  }
  for (const w of scenarioWarnings(scenario)) process.stderr.write(`${file}: warning: ${w}\n`);
  const module = loadModule(firmwarePath(p));
  const str = (k: string) => { const v = p.flags.get(k); return typeof v === "string" ? v : null; };
  const runtime = str("--runtime") ?? "node";
  if (runtime !== "node" && runtime !== "wasm3") {
    const guess = closest(runtime, ["node", "wasm3"]);
    throw new UsageError(`--runtime: expected "node" or "wasm3", got ${JSON.stringify(runtime)}${guess ? ` (did you mean "${guess}"?)` : ""}`);
  }
  const wasm3 = runtime === "wasm3" ? {
    binary: str("--board-bin") ?? process.env.MIPFW_BOARD ?? join(__dirname, "..", "host", "wasm3", "target", "release", "mipfw-board"),
    firmware: firmwarePath(p),
  } : null;
  const dump = p.flags.has("--dump");
  // The wasm3 sim-peer protocol has no dump request: the tables live in the other process.
  if (dump && runtime !== "node") throw new UsageError("--dump needs --runtime node");
  const timeline = str("--timeline"), trace = str("--trace");
  const sim = new Simulation(scenario, module, { seed, durationMs, pcapDir: str("--pcap"), pcapngPath: str("--pcapng"), eventsPath: str("--events"), timeline: timeline !== null || trace !== null, wasm3 });
  const t0 = performance.now();
  let lastPrint = t0;
  let printed = false;
  const total = sim.durationMs;
  const progress = quiet ? undefined : (simMs: number) => {
    const now = performance.now();
    if (now - lastPrint < 2000) return;
    lastPrint = now;
    printed = true;
    const speed = simMs / (now - t0);
    process.stderr.write(`[sim] ${(simMs / 1000).toFixed(1)} s / ${(total / 1000).toFixed(1)} s simulated, ${speed.toFixed(1)}x real time\n`);
  };
  let tables = "";
  let dumpTables: Record<string, DumpTables> = {};
  try {
    sim.run(total, progress);
    if (dump) { tables = renderDumps(sim); dumpTables = dumpsJson(sim); }
  } finally { sim.close(); }
  const wall = performance.now() - t0;
  if (printed) process.stderr.write(`[sim] done: ${(total / 1000).toFixed(1)} s simulated in ${(wall / 1000).toFixed(1)} s\n`);
  const summary = sim.summary();
  const json = str("--json");
  if (json) writeFileSync(json, dump ? summaryJson(Object.assign({}, summary, { tables: dumpTables })) : summaryJson(summary));
  const tl = timeline || trace ? timelineData(sim, summary) : null;
  if (timeline) writeFileSync(timeline, renderTimeline(tl!));
  if (trace) writeFileSync(trace, traceJson(tl!));
  if (!quiet) process.stdout.write(renderSummary(summary, wall));
  if (dump) process.stdout.write(tables);
  return 0;
}

const REQ_FLAG_LETTERS = "SBDMGV"; // Registration Request flag bits 7..2 (RFC 2002 §3.3)
const ENCAP_NAMES: Record<number, string> = { 1: "ipip", 2: "minimal", 4: "gre" };
const ARP_STATES: Record<number, string> = { 1: "incomplete", 2: "reachable" };
const VISITOR_STATES: Record<number, string> = { 1: "pending", 2: "accepted", 3: "re-registering" };

function reqFlags(f: number): string {
  let t = "";
  for (let i = 0; i < 6; i++) if (f & (0x80 >> i)) t += REQ_FLAG_LETTERS[i];
  return t || "-";
}

/**
 * Every in-process board's non-empty tables (bindings, visitors, ARP cache, aliases) at the
 * simulator's current time, in columns; expiries as simulated seconds and seconds left.
 */
export function renderDumps(sim: Simulation): string {
  const nowMs = sim.engine.nowUs / 1000;
  const never = (ms: number) => ms >= 2 ** 62;
  const sec = (ms: number) => (never(ms) ? "never" : (ms / 1000).toFixed(1));
  const left = (ms: number) => (never(ms) ? "-" : (Math.max(0, ms - nowMs) / 1000).toFixed(1));
  const out: string[] = [`Tables at ${sec(nowMs)} s`];
  for (const n of sim.nodes) {
    const b = n.board;
    if (!(b instanceof Board)) continue;
    const parts: string[] = [];
    const bindings = b.dump("bindings");
    if (bindings.length) {
      parts.push(`  Bindings (${bindings.length})`);
      parts.push(table(["home", "care-of", "lifetime s", "expires s", "left s", "flags", "encap", "identification"],
        bindings.map((x) => [formatIp(x.home), formatIp(x.careOf), x.lifetimeSec, sec(x.expiresAtMs), left(x.expiresAtMs), reqFlags(x.flags),
          ENCAP_NAMES[x.encapsulation] ?? String(x.encapsulation), "0x" + x.identification.toString(16).padStart(16, "0")]), "    "));
    }
    const visitors = b.dump("visitors");
    if (visitors.length) {
      parts.push(`  Visitors (${visitors.length})`);
      parts.push(table(["home", "home agent", "care-of", "mac", "iface", "state", "lifetime s", "expires s", "left s", "port", "flags"],
        visitors.map((x) => [formatIp(x.home), formatIp(x.homeAgent), formatIp(x.careOf), x.mac, x.iface, VISITOR_STATES[x.state] ?? String(x.state),
          x.lifetimeSec, sec(x.expiresAtMs), left(x.expiresAtMs), x.udpSourcePort, reqFlags(x.requestFlags)]), "    "));
    }
    const arp = b.dump("arp");
    if (arp.length) {
      parts.push(`  ARP cache (${arp.length})`);
      parts.push(table(["ip", "mac", "iface", "state", "expires s", "left s"],
        arp.map((x) => [formatIp(x.ip), x.mac, x.iface, ARP_STATES[x.state] ?? String(x.state), sec(x.expiresAtMs), left(x.expiresAtMs)]), "    "));
    }
    const aliases = b.dump("aliases");
    if (aliases.length) {
      parts.push(`  Aliases (${aliases.length})`);
      parts.push(table(["iface", "address"], aliases.map((x) => [x.iface, `${formatIp(x.address)}/${x.prefixLen}`]), "    "));
    }
    if (parts.length) out.push("", `${n.name}`, ...parts);
  }
  return "\n" + out.join("\n") + "\n";
}

/**
 * `securityAssociations[i].keyFile` (issue 14, as host/wasm3/src/config.rs resolve_key_files): the key
 * read from the file (relative to `dir`), which must be readable by its owner only; `keyFile` becomes
 * `key`. Throws a ConfigError naming the field.
 */
export function resolveKeyFiles(raw: unknown, dir: string): unknown {
  const list = (raw as { securityAssociations?: unknown })?.securityAssociations;
  if (!Array.isArray(list)) return raw;
  const problems: string[] = [];
  list.forEach((sa, i) => {
    if (!sa || typeof sa !== "object" || !("keyFile" in sa)) return;
    const at = `config.securityAssociations[${i}]`;
    const o = sa as Record<string, unknown>;
    const name = o.keyFile;
    if (typeof name !== "string" || name === "") { problems.push(`${at}.keyFile: expected the path of a file holding the key, got ${JSON.stringify(name)}`); return; }
    if ("key" in o) { problems.push(`${at}: expected key or keyFile, got both`); return; }
    const p = resolve(dir, name);
    try {
      const mode = statSync(p).mode & 0o777;
      if (mode & 0o077) { problems.push(`${at}.keyFile: expected a file readable only by its owner (mode 0600 or 0400), got mode ${mode.toString(8).padStart(4, "0")} (${p})`); return; }
      o.key = readFileSync(p, "utf8").trim();
      delete o.keyFile;
    } catch (e) { problems.push(`${at}.keyFile: cannot read ${p}: ${(e as Error).message}`); }
  });
  if (problems.length) throw new ConfigError(problems);
  return raw;
}

/** One board's non-empty tables for the JSON summary (--dump --json): addresses as text, times in simulated ms (null: never). */
export type DumpTables = Record<string, Record<string, unknown>[]>;
export function dumpsJson(sim: Simulation): Record<string, DumpTables> {
  const t = (ms: number) => (ms >= 2 ** 62 ? null : ms);
  const id = (x: bigint) => "0x" + x.toString(16).padStart(16, "0");
  const out: Record<string, DumpTables> = {};
  for (const n of sim.nodes) {
    const b = n.board;
    if (!(b instanceof Board)) continue;
    const tables: DumpTables = {};
    const bindings = b.dump("bindings").map((x) => ({ home: formatIp(x.home), careOf: formatIp(x.careOf), lifetimeSec: x.lifetimeSec, expiresAtMs: t(x.expiresAtMs),
      flags: reqFlags(x.flags), encapsulation: ENCAP_NAMES[x.encapsulation] ?? x.encapsulation, identification: id(x.identification) }));
    const visitors = b.dump("visitors").map((x) => ({ home: formatIp(x.home), homeAgent: formatIp(x.homeAgent), careOf: formatIp(x.careOf), mac: x.mac, iface: x.iface,
      state: VISITOR_STATES[x.state] ?? x.state, lifetimeSec: x.lifetimeSec, expiresAtMs: t(x.expiresAtMs), udpSourcePort: x.udpSourcePort, flags: reqFlags(x.requestFlags) }));
    const arp = b.dump("arp").map((x) => ({ ip: formatIp(x.ip), mac: x.mac, iface: x.iface, state: ARP_STATES[x.state] ?? x.state, expiresAtMs: t(x.expiresAtMs) }));
    const aliases = b.dump("aliases").map((x) => ({ iface: x.iface, address: `${formatIp(x.address)}/${x.prefixLen}` }));
    for (const [k, v] of Object.entries({ bindings, visitors, arp, aliases })) if (v.length) tables[k] = v;
    if (Object.keys(tables).length) out[n.name] = tables;
  }
  return out;
}

/** Refuse (exit 2) an output file that cannot be written: a directory, or in a missing or read-only directory. */
function checkOutputFile(flag: string, path: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new UsageError(`${flag}: expected a file to write, got ${JSON.stringify(path)} (a directory)`);
  writableDir(flag, dirname(abs), path);
  if (existsSync(abs)) try { accessSync(abs, fsc.W_OK); } catch { throw new UsageError(`${flag}: expected a file this user may write, got ${JSON.stringify(path)} (read-only)`); }
}
/** Refuse an output directory that is a file, or whose parent is missing or read-only (it is created when missing). */
function checkOutputDir(flag: string, path: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new UsageError(`${flag}: expected a directory, got ${JSON.stringify(path)} (a file)`);
    writableDir(flag, abs, path);
  } else writableDir(flag, dirname(abs), path);
}
function writableDir(flag: string, dir: string, path: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag}: expected a path in an existing directory, got ${JSON.stringify(path)} (no directory ${dir})`);
  try { accessSync(dir, fsc.W_OK); } catch { throw new UsageError(`${flag}: expected a path in a writable directory, got ${JSON.stringify(path)} (${dir} is read-only)`); }
}

function cmdCheckConfig(args: string[]): number {
  const p = parseArgs(args, ["--firmware"], ["--json"]);
  if (p.positional.length !== 1) throw new UsageError(p.positional.length ? `check-config takes one file, got ${p.positional.length} arguments` : "check-config needs a node configuration file");
  const file = p.positional[0];
  const asJson = p.flags.has("--json");
  // --json: one object on stdout whatever the outcome (docs/results.md "check-config --json").
  const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ formatVersion: 1, file, ...o }, null, 2) + "\n");
  let raw: unknown;
  try { raw = readJson(file); } catch (e) {
    if (!asJson) throw e;
    emit({ ok: false, problems: [(e as Error).message] });
    return 1;
  }
  let cfg;
  try { cfg = validateConfig(resolveKeyFiles(raw, dirname(file)), "config"); } catch (e) {
    if (e instanceof ConfigError) {
      const problems = explainProblems(e.problems, { config: raw });
      if (asJson) emit({ ok: false, problems });
      else process.stdout.write(`${file}: ${problems.length} problem${problems.length > 1 ? "s" : ""}:\n${problems.map((x) => `  ${x}\n`).join("")}`);
      return 1;
    }
    throw e;
  }
  const module = loadModule(firmwarePath(p));
  const logs: string[] = [];
  // As mipfw-board check-config (host/wasm3/src/config.rs warnings): a mobile node without a route.
  if (cfg.roles.includes("mobile-node") && cfg.routes.length === 0) {
    logs.push(`routes: a mobile node without a route reaches only its own link (a correspondent elsewhere sees 100 % loss); expected a default route such as {"dest": "default", "via": "${cfg.mobility?.homeAgent ? formatIp(cfg.mobility.homeAgent) : "<home agent>"}"}, got none`);
  }
  const board = new Board(module, cfg, { now: () => 0, tx() {}, deliver() {}, log: (lvl, text) => { if (lvl <= 1) logs.push(text); }, random: (b) => b.fill(0) });
  try { board.init(); } catch (e) {
    if (e instanceof BoardError) {
      if (asJson) emit({ ok: false, problems: [`refused by the firmware: ${e.message}`] });
      else process.stdout.write(`${file}: refused by the firmware:\n  ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const b = cfg.board;
  const pages = board.memoryPages();
  if (asJson) {
    emit({
      ok: true, name: cfg.name, board: b.name, roles: cfg.roles, interfaces: cfg.interfaces.length, routes: cfg.routes.length,
      memory: { pages, maxPages: b.memoryPages, heapUsed: board.heapUsed(), staticBytes: board.x.static_bytes() }, warnings: logs,
    });
    return 0;
  }
  process.stdout.write(
    `OK ${cfg.name}: board ${b.name}, roles ${cfg.roles.join("+")}, ${cfg.interfaces.length} interface${cfg.interfaces.length > 1 ? "s" : ""}, ${cfg.routes.length} route${cfg.routes.length === 1 ? "" : "s"}\n` +
    `  memory: ${pages} of ${b.memoryPages} pages (${pages * 64} KiB), heapUsed ${board.heapUsed()} bytes, static ${board.x.static_bytes()} bytes\n` +
    logs.map((l) => `  warning: ${l}\n`).join(""),
  );
  return 0;
}

function cmdDeriveKey(args: string[]): number {
  const p = parseArgs(args, ["--master", "--node", "--spi"], []);
  if (p.positional.length) throw new UsageError(`derive-key takes no file, got ${p.positional.join(" ")}`);
  const master = parseKey(p.flags.get("--master"));
  if (!master || master.length > 64) throw new UsageError(`--master: expected 1-64 bytes as hex or "text:...", got ${JSON.stringify(p.flags.get("--master") ?? null)}`);
  const node = parseIp(p.flags.get("--node"));
  if (node === null || node === 0) throw new UsageError(`--node: expected an address like 10.9.0.10, got ${JSON.stringify(p.flags.get("--node") ?? null)}`);
  const spi = intFlag(p, "--spi", 256, 4294967295) ?? null;
  const hex = Buffer.from(masterDerivedKey(master, node)).toString("hex");
  process.stdout.write(`${hex}\n`);
  process.stdout.write(`  the node ${formatIp(node)} configures, with the home agent's address as peer:\n`);
  process.stdout.write(`  { "peer": "<home agent>", "spi": ${spi ?? "<the master association's spi>"}, "key": "${hex}", "use": "correspondent" }\n`);
  return 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) { process.stderr.write(HELP); return 2; }
    if (cmd === "--help" || cmd === "-h" || cmd === "help") { process.stdout.write(HELP); return 0; }
    if (cmd === "--version" || cmd === "-V" || cmd === "version") { process.stdout.write(`mipfw ${pkg.version} (firmware ABI ${ABI_VERSION}, node ${process.version})\n`); return 0; }
    if (rest.includes("--help") || rest.includes("-h")) { process.stdout.write(HELP); return 0; }
    if (cmd === "sim") return cmdSim(rest);
    if (cmd === "sweep") {
      cmdSweep(rest, process.argv[1], readJson, (sc) => { validateScenario(sc, "scenario"); }).then((c) => { process.exitCode = c; }, (e) => {
        const usage = e instanceof SweepError;
        const detail = e instanceof ConfigError ? `invalid scenario:\n${e.problems.map((x: string) => `  ${x}`).join("\n")}` : e instanceof Error ? e.message : String(e);
        process.stderr.write(`mipfw: ${detail}\n${usage ? 'Run "mipfw --help" for usage.\n' : ""}`);
        process.exitCode = usage ? 2 : 1;
      });
      return 0;
    }
    if (cmd === "check-config") return cmdCheckConfig(rest);
    if (cmd === "derive-key") return cmdDeriveKey(rest);
    const guess = closest(cmd, ["sim", "sweep", "check-config", "derive-key", "--help", "--version"]);
    throw new UsageError(`unknown command ${JSON.stringify(cmd)}${guess ? ` (did you mean "${guess}"?)` : ""}`);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`mipfw: ${e.message}\nRun "mipfw --help" for usage.\n`); return 2; }
    process.stderr.write(`mipfw: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
