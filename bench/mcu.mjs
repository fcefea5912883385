// Figures of the emulated rv32 microcontroller (issue 9.6; docs/mcu.md): flash of Wasm3 + C host +
// board + firmware + configuration, RAM high-water (Wasm3 heap, C stack) under lazy and eager
// compilation, Wasm3 value stack, instructions per frame and per tick and at start-up (minstret under
// qemu -icount: exact, machine-independent). Figures, not pass/fail.
//   node bench/mcu.mjs            (needs qemu-system-riscv32, riscv64-unknown-elf-gcc + picolibc, mipfw-board)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, statSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, configImage } from "../host/c/rv32-virt/qemu.mjs";

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
for (const [cmd, arg] of [["qemu-system-riscv32", "--version"], ["riscv64-unknown-elf-gcc", "--version"]]) {
  if (run(cmd, [arg]).error) { console.log(`bench/mcu: ${cmd} not installed; skipped`); process.exit(0); }
}
for (const ram of ["320", "1024"]) {
  const r = run("make", ["-s", "-C", "host/c/rv32-virt", `RAM_KIB=${ram}`]);
  if (r.status !== 0) { console.log(`bench/mcu: building the ${ram} KiB image failed:\n${r.stderr}`); process.exit(1); }
}
const elf = join(root, "build/mcu-rv32.elf"), elfBig = join(root, "build/mcu-rv32-1024k.elf");

/** text + rodata + data of an ELF (what goes to flash). */
function flashOf(file) {
  const r = run("riscv64-unknown-elf-size", ["-A", file]);
  let n = 0;
  for (const line of r.stdout.split("\n")) {
    const m = line.match(/^\.(text|rodata|data|sdata|srodata)\S*\s+(\d+)/);
    if (m) n += Number(m[2]);
  }
  return n;
}

const dir = mkdtempSync(join(tmpdir(), "mcu-bench-"));
function variant(file, board, keep = 99) {
  const j = JSON.parse(readFileSync(join(root, "test/fixtures/configs", file), "utf8"));
  j.board = board;
  j.interfaces = j.interfaces.slice(0, keep);
  const p = join(dir, `${file.replace(".json", "")}-${board}.json`);
  writeFileSync(p, JSON.stringify(j));
  return p;
}
const nodes = [
  ["mobile node, esp32-c3", variant("mn.json", "esp32-c3", 1)],
  ["host, esp32-c3", variant("host.json", "esp32-c3", 1)],
  ["foreign agent, mcu-rv32-virt", variant("fa.json", "mcu-rv32-virt")],
  ["foreign agent, esp32", variant("fa.json", "esp32")],
];

/** The "# mcu" figure lines of one selftest run. */
function selftest(config, extra) {
  const r = run(process.execPath, ["host/c/rv32-virt/qemu.mjs", "selftest", "--config", config, ...extra]);
  const t = r.stdout + r.stderr;
  const num = (re) => { const m = t.match(re); return m ? Number(m[1]) : NaN; };
  return {
    ok: r.status === 0, text: t,
    ramHigh: num(/RAM high-water (\d+)/), heapPeak: num(/heap peak (\d+)/), cStack: num(/C stack peak (\d+)/),
    valueStack: num(/value stack peak (\d+)/), compiled: num(/compiled (\d+) of/), startup: num(/start-up (\d+) instructions/),
    arp: num(/steady ARP request -> reply (\d+)/), echo: num(/steady echo request -> reply (\d+)/),
    tickDue: num(/steady tick \(1 s apart, timers due\) (\d+)/), tickIdle: num(/tick with nothing due (\d+)/),
    firstEcho: num(/echo request (\d+) instructions/),
  };
}

const fw = statSync(join(root, "build/firmware.wasm")).size;
const board = flashOf(elf);
console.log("\n## Emulated rv32 microcontroller (qemu -M virt, rv32imc, Wasm3 0.9; docs/mcu.md)");
console.log(`flash: image (text + rodata + data) ${board} B + firmware.wasm ${fw} B + configuration image (below)`);
const f = (n) => Number.isNaN(n) ? "-" : n.toLocaleString("en-US");
const rows = [["node", "compile", "flash B", "RAM high-water B", "Wasm3 heap peak B", "C stack B", "value stack B", "compiled", "start-up instr", "ARP frame instr", "echo frame instr", "tick (due) instr", "tick (idle) instr"]];
for (const [name, config] of nodes) {
  const image = configImage(config, { dir });
  const flash = board + fw + statSync(image).size;
  for (const [mode, extra] of [["lazy", []], ["eager", ["--eager", "--elf", elfBig]]]) {
    const s = selftest(config, extra);
    if (!s.ok) { rows.push([name, mode, f(flash), `failed: ${s.text.split("\n").filter(Boolean).pop()}`]); continue; }
    rows.push([name, mode, f(flash), f(s.ramHigh), f(s.heapPeak), f(s.cStack), f(s.valueStack), f(s.compiled), f(s.startup), f(s.arp), f(s.echo), f(s.tickDue), f(s.tickIdle)]);
  }
}
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
for (const r of rows) console.log(r.map((c, i) => String(c ?? "").padStart(i < 2 ? 0 : w[i]).padEnd(i < 2 ? w[i] : 0)).join("  "));
console.log("(eager: measured with the 1024 KiB image, build/mcu-rv32-1024k.elf — it does not fit 320 KiB; RAM budget 327,680 B)");
if (!existsSync(elfBig)) console.log("(no 1024 KiB image)");
