// Per-function wasm operation counts of the core's packet paths, and the native instructions wasm3
// spends per packet on the same paths (callgrind), so the cost of each function is known in wasm ops
// and the native cost of one op is known per path.
//
//   node bench/opprofile.mjs [--path NAME]... [--top N] [--packets N] [--callers] [--no-callgrind]
//                            [--native-only] [--firmware build/firmware.wasm]
//
// --native-only skips the instrumented run (callgrind figures only): for modules the instrumentation
// cannot name or rewrite, e.g. one passed through `wasm-opt -Oz`.
//
// --callers adds, under each function listed, its callers with their calls per packet.
//
// Paths (default: forward-64, ha-ipip, reg-hmac; --path all for every one): forward-64,
// forward-1400, ha-ipip, ha-minimal, ha-gre, ha-many (1,000 bindings in turn: no flow repeats),
// fa-decap, reg-hmac, reg-keyed, forward6-1400 / forward4-dual (the dual-stack router), tun6-encap, cn-update, cn-send / cn-send-10 / cn-send-4096 (route optimization at a
// correspondent; cache of 256, 10, 4096). Each is a case of
// bench/wasm3.mjs: the same configuration, setup frames and measured frames (bench/setup.mjs).
//
// How the ops are counted: the module is rewritten with binaryen (node_modules/binaryen):
//  - one mutable i64 global, the op counter, is increased at the start of every straight-line region
//    (each statement of a block, each if arm, each loop iteration, each function body) by the number
//    of wasm operations the region executes: every instruction but nameless blocks and nop, the
//    operands of a statement included, nested blocks/ifs/loops counted in their own regions. A branch
//    out of the middle of a statement over-counts the rest of that statement (rare, a few ops);
//  - every function F is split in two: F$body holds the original code, F calls host functions
//    prof.enter(id, counter) and prof.exit*(result, id, counter) around a call to F$body, so the host
//    keeps a call stack and attributes the counter's progress to each function: self ops (its own
//    code) and inclusive ops (its callees included, counted once per outermost activation).
// The instrumented module runs under Node through the Board class, as the bench does; the figures are
// per measured operation (packet or registration request), after the setup operations.
//
// Callgrind (native instructions per packet under wasm3): `mipfw-board bench` (bench.rs) is run under
// `valgrind --tool=callgrind` twice on the same bench file (2P measured operations, P per round), for
// one round and for two; the difference of the total instruction counts divided by P removes
// start-up, setup and reading the file. What remains is what a board does per frame: bench.rs's
// loop, the copy into the rx buffer, the wasm call, the core, the tx hook. Needs valgrind
// and host/wasm3/target/release/mipfw-board (cd host/wasm3 && cargo build --release --locked).
import binaryen from "binaryen";
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import * as host from "../build/host.mjs";
import {
  T0, apply, rx, router, homeAgentConfig, homeAgentSetup, requestFrame, requestFrames, toHome, foreignAgent, correspondent,
  dual, tun6,
} from "./setup.mjs";
import { encodeBenchFile } from "./benchfile.mjs";

const args = process.argv.slice(2);
const flag = (n) => { const i = args.indexOf(n); if (i < 0) return false; args.splice(i, 1); return true; };
const opt = (n, d) => { const i = args.indexOf(n); if (i < 0) return d; const v = args[i + 1]; args.splice(i, 2); return v; };
const optAll = (n) => { const out = []; for (let i; (i = args.indexOf(n)) >= 0;) { out.push(args[i + 1]); args.splice(i, 2); } return out; };
const firmware = opt("--firmware", "build/firmware.wasm");
const top = Number(opt("--top", "25"));
const packets = Number(opt("--packets", "2000"));
const noCallgrind = flag("--no-callgrind");
const nativeOnly = flag("--native-only");
const showCallers = flag("--callers");
let wanted = optAll("--path");
if (args.length) { console.error(`opprofile: unexpected arguments ${args.join(" ")}`); process.exit(2); }
const BINARY = process.env.MIPFW_BOARD ?? "host/wasm3/target/release/mipfw-board";

// ---- the paths (bench/wasm3.mjs cases)
const haBound = (flags) => [...homeAgentSetup(), rx(1, requestFrame(0, "hmac-md5", host.ntpTimestamp(T0, 0, 1), flags))];
/** A correspondent sending 64 B to its cached mobile nodes in turn, cache of `n` entries. */
const cnSend = (n) => ({ name: `correspondent: 64 B to a cached node, cache of ${n}`, config: () => correspondent.config(n),
  setup: () => [...correspondent.setup(), ...correspondent.updates(n, n)],
  frames: (k) => Array.from({ length: k }, (_, j) => correspondent.toHome(correspondent.homeOf((j * 37) % n))) });
/** `frames(n)`: n measured operations (distinct registration requests where replays would be refused). */
const PATHS = {
  "forward-64": { name: "IPv4 forwarding, 64-byte packet", config: router.config, now: 1000, setup: router.setup, frames: (n) => Array(n).fill(rx(0, router.forward(36))) },
  "forward-1400": { name: "IPv4 forwarding, 1400-byte packet", config: router.config, now: 1000, setup: router.setup, frames: (n) => Array(n).fill(rx(0, router.forward(1372))) },
  "ha-ipip": { name: "HA encapsulation IP-in-IP, 1400 B", config: () => homeAgentConfig(1, "hmac-md5"), setup: () => haBound(0), frames: (n) => Array(n).fill(rx(1, toHome(0))) },
  "ha-minimal": { name: "HA encapsulation minimal, 1400 B", config: () => homeAgentConfig(1, "hmac-md5"), setup: () => haBound(host.REQ_M), frames: (n) => Array(n).fill(rx(1, toHome(0))) },
  "ha-gre": { name: "HA encapsulation GRE, 1400 B", config: () => homeAgentConfig(1, "hmac-md5"), setup: () => haBound(host.REQ_G), frames: (n) => Array(n).fill(rx(1, toHome(0))) },
  "ha-many": { name: "HA encapsulation IP-in-IP to 1,000 bindings in turn, 64 B", config: () => homeAgentConfig(1000, "hmac-md5"),
    setup: () => [...homeAgentSetup(), ...Array.from({ length: 1000 }, (_, i) => rx(1, requestFrame(i, "hmac-md5", host.ntpTimestamp(T0, 0, 1))))],
    frames: (n) => Array.from({ length: n }, (_, k) => rx(1, toHome((k * 7919) % 1000, 36))) },
  "fa-decap": { name: "FA decapsulation + delivery, 1400 B", config: foreignAgent.config, setup: foreignAgent.setup, frames: (n) => Array(n).fill(rx(1, foreignAgent.tunnelled())) },
  "reg-hmac": { name: "HA registrations, HMAC-MD5", config: () => homeAgentConfig(64, "hmac-md5"), setup: homeAgentSetup, frames: (n) => requestFrames(n, 64, "hmac-md5").map((f) => rx(1, f)), regs: true },
  "cn-update": { name: "correspondent: Binding Updates, HMAC-MD5, 64 nodes", config: () => correspondent.config(64), setup: correspondent.setup,
    frames: (n) => correspondent.updates(64, n), regs: true },
  "cn-send": cnSend(256),
  "cn-send-10": cnSend(10),
  "cn-send-4096": cnSend(4096),
  "forward6-1400": { name: "dual-stack: IPv6 forwarding, 1400 B", config: dual.config, now: 1000, setup: dual.setup, frames: (n) => Array(n).fill(rx(0, dual.forward6())) },
  "forward4-dual": { name: "dual-stack: IPv4 forwarding, 1400 B", config: dual.config, now: 1000, setup: dual.setup, frames: (n) => Array(n).fill(rx(0, router.forward(1372))) },
  "tun6-encap": { name: "IPv6-in-IPv6 encapsulation, 1400 B", config: tun6.config, now: 1000, setup: tun6.setup, frames: (n) => Array(n).fill(rx(0, tun6.packet())) },
  "reg-keyed": { name: "HA registrations, keyed-MD5", config: () => homeAgentConfig(64, "keyed-md5"), setup: homeAgentSetup, frames: (n) => requestFrames(n, 64, "keyed-md5").map((f) => rx(1, f)), regs: true },
};
if (!wanted.length) wanted = ["forward-64", "ha-ipip", "reg-hmac"];
if (wanted.includes("all")) wanted = Object.keys(PATHS);
for (const w of wanted) if (!PATHS[w]) { console.error(`opprofile: unknown path ${w} (${Object.keys(PATHS).join(", ")})`); process.exit(2); }

// ---- instrumentation
/** Names of the defined functions in index order, from the text file asc writes next to the module. */
function functionNames(wasmFile) {
  const wat = wasmFile.replace(/\.wasm$/, ".wat");
  if (!existsSync(wat)) return null;
  return [...readFileSync(wat, "utf8").matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
}

function instrument(bytes, names) {
  const B = binaryen;
  const m = B.readBinary(bytes);
  m.setFeatures(B.Features.All);
  const COUNTER = "__prof_ops";
  m.addGlobal(COUNTER, B.i64, true, m.i64.const(0, 0));
  const inc = (n) => m.global.set(COUNTER, m.i64.add(m.global.get(COUNTER, B.i64), m.i64.const(n, 0)));
  const info = B.getExpressionInfo;

  /** Ops of `e` executed whenever it completes (nested control flow instrumented in its own regions). */
  function region(e) {
    if (!e) return 0;
    const x = info(e);
    switch (x.id) {
      case B.BlockId: list(e, x.name ? 1 : 0); return 0;
      case B.LoopId: B.Loop.setBody(e, wrap(x.body)); return 1;
      case B.IfId: {
        const n = region(x.condition) + 1;
        B.If.setIfTrue(e, wrap(x.ifTrue));
        if (x.ifFalse) B.If.setIfFalse(e, wrap(x.ifFalse));
        return n;
      }
      case B.NopId: return 0;
      default: {
        let n = 1;
        for (const c of operands(x)) n += region(c);
        return n;
      }
    }
  }
  /** Instrument a block's statements: an increment in front of each; `extra` ops for the block itself. */
  function list(b, extra) {
    const kids = info(b).children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const n = region(kids[i]);
      if (n > 0) B.Block.insertChildAt(b, i, inc(n));
    }
    if (extra > 0) B.Block.insertChildAt(b, 0, inc(extra));
  }
  /** A region in its own right (if arm, loop body, function body): instrumented, as a block. */
  function wrap(e) {
    if (info(e).id === B.BlockId) { region(e); return e; }
    const n = region(e);
    return n > 0 ? m.block(null, [inc(n), e], B.getExpressionType(e)) : e;
  }
  function operands(x) {
    switch (x.id) {
      case B.BreakId: case B.SwitchId: return [x.value, x.condition];
      case B.CallId: return x.operands;
      case B.CallIndirectId: return [...x.operands, x.target];
      case B.LocalSetId: case B.GlobalSetId: case B.UnaryId: case B.DropId: case B.ReturnId: return [x.value];
      case B.LoadId: return [x.ptr];
      case B.StoreId: return [x.ptr, x.value];
      case B.BinaryId: return [x.left, x.right];
      case B.SelectId: return [x.ifTrue, x.ifFalse, x.condition];
      case B.MemoryGrowId: return [x.delta];
      case B.MemoryCopyId: return [x.dest, x.source, x.size];
      case B.MemoryFillId: return [x.dest, x.value, x.size];
      case B.LocalGetId: case B.GlobalGetId: case B.ConstId: case B.MemorySizeId: case B.UnreachableId: return [];
      default: throw new Error(`opprofile: expression id ${x.id} not handled`);
    }
  }

  const n = m.getNumFunctions();
  const fns = [];
  for (let i = 0; i < n; i++) {
    const f = B.getFunctionInfo(m.getFunctionByIndex(i));
    if (f.base) continue; // imported
    fns.push(f);
  }
  if (names && names.length !== fns.length) throw new Error(`opprofile: ${names.length} functions in the .wat, ${fns.length} in the module`);
  const label = fns.map((f, i) => (names ? names[i] : f.name));

  const resultTypes = { [B.none]: "v", [B.i32]: "i32", [B.i64]: "i64", [B.f32]: "f32", [B.f64]: "f64" };
  m.addFunctionImport("__prof_enter", "prof", "enter", B.createType([B.i32, B.i64]), B.none);
  for (const [t, s] of Object.entries(resultTypes)) {
    const ty = Number(t);
    const params = ty === B.none ? [B.i32, B.i64] : [ty, B.i32, B.i64];
    m.addFunctionImport(`__prof_exit_${s}`, "prof", `exit_${s}`, B.createType(params), ty);
  }
  fns.forEach((f, id) => {
    const ref = m.getFunction(f.name);
    const body = B.Function.getBody(ref);
    const r = region(body);
    const counted = info(body).id === B.BlockId ? body : (r > 0 ? m.block(null, [inc(r), body], f.results) : body);
    const params = B.expandType(f.params);
    const vars = f.vars ?? [];
    m.addFunction(`${f.name}$body`, f.params, f.results, vars, counted);
    const call = m.call(`${f.name}$body`, params.map((t, k) => m.local.get(k, t)), f.results);
    const s = resultTypes[f.results];
    if (s === undefined) throw new Error(`opprofile: ${f.name}: result type not handled`);
    const idc = m.i32.const(id), now = () => m.global.get(COUNTER, B.i64);
    // exit_* takes the result first: the counter is read after the call returned.
    const wrapper = f.results === B.none
      ? m.block(null, [m.call("__prof_enter", [idc, now()], B.none), call, m.call("__prof_exit_v", [m.i32.const(id), now()], B.none)], B.none)
      : m.block(null, [m.call("__prof_enter", [idc, now()], B.none), m.call(`__prof_exit_${s}`, [call, m.i32.const(id), now()], f.results)], f.results);
    B.Function.setBody(ref, wrapper);
  });
  if (!m.validate()) throw new Error("opprofile: the instrumented module does not validate");
  const out = m.emitBinary();
  m.dispose();
  return { bytes: out, label };
}

// ---- the profile: a call stack kept by the host
function makeProfiler(count) {
  const self = new Float64Array(count), incl = new Float64Array(count), calls = new Float64Array(count);
  const active = new Int32Array(count);
  const edges = new Map(); // callee * count + caller -> calls
  const stack = []; // { id, t0, child }
  let total = 0;
  const enter = (id, t) => {
    if (stack.length) { const k = id * count + stack[stack.length - 1].id; edges.set(k, (edges.get(k) ?? 0) + 1); }
    stack.push({ id, t0: t, child: 0n }); active[id]++; calls[id]++;
  };
  const exit = (id, t) => {
    const f = stack.pop();
    const d = t - f.t0;
    self[id] += Number(d - f.child);
    if (--active[id] === 0) incl[id] += Number(d);
    if (stack.length) stack[stack.length - 1].child += d;
    else total += Number(d);
  };
  const imports = {
    enter, exit_v: exit,
    exit_i32: (v, id, t) => { exit(id, t); return v; }, exit_i64: (v, id, t) => { exit(id, t); return v; },
    exit_f32: (v, id, t) => { exit(id, t); return v; }, exit_f64: (v, id, t) => { exit(id, t); return v; },
  };
  const reset = () => { self.fill(0); incl.fill(0); calls.fill(0); edges.clear(); total = 0; };
  /** [caller id, calls] of `id`, most calls first. */
  const callers = (id) => [...edges].filter(([k]) => Math.floor(k / count) === id).map(([k, n]) => [k % count, n]).sort((a, b) => b[1] - a[1]);
  return { imports, reset, self, incl, calls, callers, total: () => total };
}

/** Run `path` under Node with the instrumented module; per-operation figures. */
function profile(path, mod, label) {
  const prof = makeProfiler(label.length);
  const Orig = WebAssembly.Instance;
  // Board (host/node/board.ts) instantiates with the "host" imports only: add "prof".
  WebAssembly.Instance = function (module, imports) { return new Orig(module, { ...imports, prof: prof.imports }); };
  let board;
  try {
    const now = path.now ?? T0;
    let tx = 0;
    board = new host.Board(mod, path.config(), { now: () => now, tx: () => { tx++; }, deliver() {} });
    board.init();
    for (const op of path.setup()) apply(board, op, now);
    const frames = path.frames(packets);
    // a few warm-up operations (first use of a path may differ), not counted
    const warm = path.regs ? path.frames(packets + 8).slice(packets) : frames.slice(0, 8);
    for (const op of warm) apply(board, op, now);
    prof.reset();
    const tx0 = tx;
    for (const op of frames) apply(board, op, now);
    return { prof, tx: (tx - tx0) / packets };
  } finally { WebAssembly.Instance = Orig; }
}

// ---- callgrind
function callgrind(path) {
  if (noCallgrind) return null;
  if (!existsSync(BINARY)) return { note: `${BINARY} missing (cd host/wasm3 && cargo build --release --locked)` };
  if (spawnSync("valgrind", ["--version"]).status !== 0) return { note: "valgrind missing" };
  const P = path.regs ? 200 : 1000;
  const dir = mkdtempSync(join(tmpdir(), "mipfw-opprofile-"));
  try {
    // The same file both times (2P measured operations, P per round), 1 round then 2: only the
    // replayed operations differ, not the parsing of the file or the start-up.
    const frames = path.frames(2 * P);
    const ir = (rounds) => {
      const file = join(dir, `case-${rounds}.bin`);
      writeFileSync(file, encodeBenchFile([{ name: path.name, config: path.config(), now: path.now ?? T0, startups: 0, setup: path.setup(), measured: frames, perRound: P, warmup: 0, rounds }]));
      const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${join(dir, "cg.out")}`, BINARY, "bench", file, "--firmware", firmware], { encoding: "utf8", maxBuffer: 1 << 24 });
      const m = /Collected : (\d+)/.exec(r.stderr);
      if (r.status !== 0 || !m) throw new Error(`callgrind on mipfw-board bench failed: ${r.stderr.slice(-2000)}`);
      return Number(m[1]);
    };
    return { irPerOp: (ir(2) - ir(1)) / P };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

// ---- main
if (nativeOnly) {
  console.log(`${"path".padEnd(14)} ${"native (wasm3)".padStart(15)}   (${firmware})`);
  for (const w of wanted) { const cg = callgrind(PATHS[w]); console.log(`${w.padEnd(14)} ${(cg?.irPerOp ? fmtN(cg.irPerOp) : cg?.note ?? "-").padStart(15)}`); }
  process.exit(0);
}
function fmtN(v) { return v.toFixed(0); }
const bytes = readFileSync(firmware);
const names = functionNames(firmware);
const { bytes: instrumented, label } = instrument(bytes, names);
const mod = new WebAssembly.Module(instrumented);
const short = (n) => n.replace(/^assembly\//, "");
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const summary = [];
for (const w of wanted) {
  const path = PATHS[w];
  const { prof, tx } = profile(path, mod, label);
  const per = (v) => v / packets;
  const total = per(prof.total());
  const cg = callgrind(path);
  const unit = path.regs ? "request" : "packet";
  console.log(`\n## ${w}: ${path.name} — ${fmt(total)} wasm ops/${unit}` +
    (cg?.irPerOp ? `, ${fmt(cg.irPerOp)} native instructions/${unit} under wasm3 (callgrind), ${(cg.irPerOp / total).toFixed(2)} per wasm op` : cg?.note ? ` (callgrind: ${cg.note})` : "") +
    `; ${tx.toFixed(2)} frames sent/${unit}`);
  summary.push({ w, total, ir: cg?.irPerOp });
  const rows = label.map((name, i) => ({ i, name, calls: per(prof.calls[i]), self: per(prof.self[i]), incl: per(prof.incl[i]) }))
    .filter((r) => r.calls > 0).sort((a, b) => b.self - a.self || b.incl - a.incl);
  console.log(`${"function".padEnd(56)} ${"calls".padStart(7)} ${"self".padStart(8)} ${"self %".padStart(7)} ${"incl".padStart(8)}`);
  for (const r of rows.slice(0, top)) {
    console.log(`${short(r.name).slice(0, 56).padEnd(56)} ${r.calls.toFixed(2).padStart(7)} ${fmt(r.self).padStart(8)} ${((100 * r.self) / total).toFixed(1).padStart(6)}% ${fmt(r.incl).padStart(8)}`);
    if (showCallers) for (const [c, k] of prof.callers(r.i)) console.log(`    <- ${short(label[c]).slice(0, 49).padEnd(49)} ${per(k).toFixed(2).padStart(7)}`);
  }
  if (rows.length > top) console.log(`(${rows.length - top} more functions called; --top N)`);
  const calls = rows.reduce((s, r) => s + r.calls, 0);
  console.log(`${"(all functions)".padEnd(56)} ${calls.toFixed(1).padStart(7)} ${fmt(total).padStart(8)}`);
}
console.log(`\n## summary (per measured operation; ${firmware})`);
console.log(`${"path".padEnd(14)} ${"wasm ops".padStart(10)} ${"native (wasm3)".padStart(15)} ${"native/op".padStart(10)}`);
for (const s of summary) console.log(`${s.w.padEnd(14)} ${fmt(s.total).padStart(10)} ${(s.ir ? fmt(s.ir) : "-").padStart(15)} ${(s.ir ? (s.ir / s.total).toFixed(2) : "-").padStart(10)}`);
