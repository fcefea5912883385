#!/usr/bin/env node
// Start the emulated rv32 microcontroller (build/mcu-rv32.elf) in qemu-system-riscv32 -M virt with a
// node's firmware and configuration loaded into its read-only regions (docs/mcu.md). One image
// serves every node: what differs is loaded at run time by qemu's generic loader.
//
//   node host/c/rv32-virt/qemu.mjs selftest --config node.json [options]
//       print exactly what `mipfw-board selftest --config node.json` prints, then "# " figure lines
//   node host/c/rv32-virt/qemu.mjs run --config node.json --nic TAP[,TAP2] [--monitor SOCKET] [options]
//       the network loop on TAP devices (virtio-net, MAC = the interface's configured MAC)
//   options: --elf F (build/mcu-rv32.elf) --firmware F (build/firmware-mcu.wasm) --boards DIR
//            --memory-limit N (bytes of linear memory; default: the board profile's microcontroller.memoryLimitBytes, else memoryPages)
//            --stack-bytes N (Wasm3 value stack; default: the profile's microcontroller.valueStackBytes, else the host's) --eager --no-warm-up --icount
//            --udp-echo PORT (run mode: UDP echo responder of the device's host on PORT)
//            --print (print the qemu command line instead of running it)
// As a module: qemuArgs(), configImage(), paramsFor().
import { spawnSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = new URL("../../../", import.meta.url).pathname;
export const QEMU = "qemu-system-riscv32";
// board.h
export const FW_ADDR = 0x80200000, CFG_ADDR = 0x80300000, PARAMS_ADDR = 0x803ff000;
export const FW_MAX = 0x100000, CFG_MAX = 0xff000;
export const PARAMS_MAGIC = 0x4250494d;
export const MODES = { selftest: 1, run: 2, "sim-peer": 3 };
export const FLAG_EAGER = 1, FLAG_NO_WARM_UP = 2, FLAG_ICOUNT = 4;

/** Why the emulated MCU cannot be built and run here (the tests' skip reason), or null: qemu, make, the
 *  rv32 cross compiler with picolibc, Wasm3's sources and `board` (mipfw-board, for encode-config). */
export function mcuMissing(board = join(root, "host/wasm3/target/release/mipfw-board")) {
  if (spawnSync(QEMU, ["--version"]).status !== 0) return `${QEMU} not installed (apt-get install qemu-system-misc)`;
  if (spawnSync("make", ["--version"]).status !== 0) return "make not installed";
  if (spawnSync("riscv64-unknown-elf-gcc", ["--version"]).status !== 0) return "riscv64-unknown-elf-gcc not installed (gcc-riscv64-unknown-elf)";
  if (!existsSync("/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs")) return "picolibc not installed (picolibc-riscv64-unknown-elf)";
  const src = spawnSync(join(root, "host/c/wasm3-src.sh"), { encoding: "utf8" });
  if (src.status !== 0) return `Wasm3 sources not found: ${src.stderr.trim()} (cd host/wasm3 && cargo fetch --locked)`;
  if (!existsSync(board)) return `mipfw-board not built (${board}; cd host/wasm3 && cargo build --release)`;
  return null;
}

/** Write the configuration image of `config` (JSON file) with `mipfw-board encode-config -o`; returns its path. */
export function configImage(config, { dir, boards, bin = join(root, "host/wasm3/target/release/mipfw-board") } = {}) {
  const out = join(dir ?? mkdtempSync(join(tmpdir(), "mcu-")), "config.img");
  const args = ["encode-config", config, "-o", out];
  if (boards) args.push("--boards", boards);
  const r = spawnSync(bin, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${bin}: ${r.error.message} (cd host/wasm3 && cargo build --release)`);
  if (r.status !== 0) throw new Error(`encode-config ${config}: ${r.stderr.trim()}`);
  return out;
}

/** The board profile a node configuration names. */
function profileOf(config, boards) {
  const name = JSON.parse(readFileSync(config, "utf8")).board ?? "emulated";
  return JSON.parse(readFileSync(join(boards, `${name}.json`), "utf8"));
}

/** Linear memory cap of a node configuration: its board profile's measured `microcontroller.memoryLimitBytes`,
 *  else memoryPages × 64 KiB. */
export function memoryLimitOf(config, boards = join(root, "boards")) {
  const p = profileOf(config, boards);
  return p.microcontroller?.memoryLimitBytes ?? p.memoryPages * 65536;
}

/** Wasm3 value stack of a node configuration: its board profile's `microcontroller.valueStackBytes`, else 0 (the host's default). */
export function stackBytesOf(config, boards = join(root, "boards")) {
  return profileOf(config, boards).microcontroller?.valueStackBytes ?? 0;
}

/** The boot parameter words (board.h P_*). */
export function paramsFor({ mode, wasmLen, cfgLen, stackBytes = 0, memoryLimit = 0, eager = false, warmUp = true, icount = false, seed = 0, udpEcho = 0 }) {
  if (!(mode in MODES)) throw new Error(`mode: expected one of ${Object.keys(MODES).join(", ")}, got ${mode}`);
  if (wasmLen <= 0 || wasmLen > FW_MAX) throw new Error(`firmware: expected 1..${FW_MAX} bytes, got ${wasmLen}`);
  if (!Number.isInteger(udpEcho) || udpEcho < 0 || udpEcho > 65535) throw new Error(`udp echo port: expected 0..65535, got ${udpEcho}`);
  if (cfgLen > CFG_MAX) throw new Error(`configuration image: expected at most ${CFG_MAX} bytes, got ${cfgLen}`);
  return [PARAMS_MAGIC, MODES[mode], wasmLen, cfgLen, stackBytes, memoryLimit,
    (eager ? FLAG_EAGER : 0) | (warmUp ? 0 : FLAG_NO_WARM_UP) | (icount ? FLAG_ICOUNT : 0), seed >>> 0, udpEcho];
}

const hex = (n) => "0x" + (n >>> 0).toString(16);

/**
 * The qemu command line (without the program name). `nics`: [{ tap, mac }] or [{ netdev: "user" ... }];
 * `serial`: qemu -serial value (default stdio); `monitor`: a unix socket path for the human monitor.
 */
export function qemuArgs({ elf = join(root, "build/mcu-rv32.elf"), firmware = join(root, "build/firmware-mcu.wasm"),
  image, params, nics = [], rng = false, icount = false, serial = "stdio", monitor }) {
  const a = ["-M", "virt", "-bios", "none", "-m", "8M", "-smp", "1", "-display", "none", "-nodefaults",
    "-serial", serial, "-kernel", elf,
    "-device", `loader,file=${firmware},addr=${hex(FW_ADDR)},force-raw=on`];
  if (image) a.push("-device", `loader,file=${image},addr=${hex(CFG_ADDR)},force-raw=on`);
  params.forEach((v, i) => a.push("-device", `loader,addr=${hex(PARAMS_ADDR + 4 * i)},data=${hex(v)},data-len=4`));
  nics.forEach((n, i) => {
    const id = n.id ?? `n${i}`;
    a.push("-netdev", n.tap ? `tap,id=${id},ifname=${n.tap},script=no,downscript=no` : `${n.netdev ?? "user"},id=${id}`);
    a.push("-device", `virtio-net-device,netdev=${id},mac=${n.mac}`);
  });
  if (rng) a.push("-object", "rng-random,id=rng0,filename=/dev/urandom", "-device", "virtio-rng-device,rng=rng0");
  if (icount) a.push("-icount", "shift=0");
  a.push("-monitor", monitor ? `unix:${monitor},server,nowait` : "none");
  return a;
}

/**
 * The qemu arguments of a board in sim-peer mode: the remote-board protocol over a character device connected
 * to the FIFOs `pipe`.in (requests) and `pipe`.out (records). The node's configuration comes in the
 * protocol's init request, so no image is loaded. The stream is a virtio-console (uart: true: the
 * ns16550 UART, ~70 times slower). Console mode: the UART (boot refusals, CPU traps, and
 * at the end the "# mcu" figure lines) goes to `uartLog`. For RemoteOptions.args (host/node/remote.ts):
 *   { binary: QEMU, firmware, args: ({ pipe }) => simPeerArgs({ pipe, firmware }) }
 * memoryLimit 0: the init request's memory pages (the node's board profile) × 64 KiB.
 */
export function simPeerArgs({ pipe, elf, firmware = join(root, "build/firmware-mcu.wasm"), memoryLimit = 0, stackBytes = 0,
  eager = false, warmUp = true, icount = false, uart = false, uartLog = "/dev/stderr" }) {
  const params = paramsFor({ mode: "sim-peer", wasmLen: statSync(firmware).size, cfgLen: 0, stackBytes, memoryLimit,
    eager, warmUp, icount });
  // Console mode: what the board says on the UART (a boot refusal, a CPU trap) goes to qemu's stderr,
  // which RemoteBoard shows when the peer exits.
  const a = qemuArgs({ elf, firmware, params, icount, serial: uart ? "chardev:peer" : "chardev:uart" });
  a.push("-chardev", `pipe,id=peer,path=${pipe}`);
  if (!uart) a.push("-chardev", `file,id=uart,path=${uartLog},append=on`);
  if (!uart) a.push("-device", "virtio-serial-device", "-device", "virtconsole,chardev=peer");
  return a;
}

/** MACs of a node configuration's interfaces, in order. */
export function macsOf(config) {
  return JSON.parse(readFileSync(config, "utf8")).interfaces.map((i) => i.mac);
}

function parseCli(argv) {
  const o = { mode: argv[0], eager: false, warmUp: true, icount: false, print: false };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === "--config") o.config = val();
    else if (a === "--elf") o.elf = val();
    else if (a === "--firmware") o.firmware = val();
    else if (a === "--boards") o.boards = val();
    else if (a === "--nic") o.nic = val().split(",");
    else if (a === "--monitor") o.monitor = val();
    else if (a === "--memory-limit") o.memoryLimit = Number(val());
    else if (a === "--stack-bytes") o.stackBytes = Number(val());
    else if (a === "--eager") o.eager = true;
    else if (a === "--no-warm-up") o.warmUp = false;
    else if (a === "--icount") o.icount = true;
    else if (a === "--rng") o.rng = true;
    else if (a === "--udp-echo") o.udpEcho = Number(val());
    else if (a === "--print") o.print = true;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!(o.mode in MODES) || !o.config) throw new Error("usage: qemu.mjs selftest|run --config node.json [options] (see the head of qemu.mjs)");
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let o;
  try { o = parseCli(process.argv.slice(2)); } catch (e) { console.error(`qemu.mjs: ${e.message}`); process.exit(2); }
  const dir = mkdtempSync(join(tmpdir(), "mcu-"));
  try {
    const image = configImage(o.config, { dir, boards: o.boards });
    const firmware = o.firmware ?? join(root, "build/firmware-mcu.wasm");
    const icount = o.icount || o.mode === "selftest";
    const params = paramsFor({ mode: o.mode, icount, wasmLen: statSync(firmware).size, cfgLen: statSync(image).size,
      stackBytes: o.stackBytes ?? stackBytesOf(o.config, o.boards), memoryLimit: o.memoryLimit ?? memoryLimitOf(o.config, o.boards), eager: o.eager,
      warmUp: o.warmUp, seed: (Math.random() * 2 ** 32) >>> 0, udpEcho: o.udpEcho ?? 0 });
    const macs = macsOf(o.config);
    const nics = (o.nic ?? []).map((tap, i) => ({ tap, mac: macs[i] }));
    const args = qemuArgs({ elf: o.elf, firmware, image, params, nics, rng: o.rng ?? o.mode === "run",
      icount, monitor: o.monitor });
    if (o.print) { console.log([QEMU, ...args].join(" ")); process.exit(0); }
    const child = spawn(QEMU, args, { stdio: "inherit" });
    // Stopping this process stops qemu (a script that started it knows only this pid).
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code) => { rmSync(dir, { recursive: true, force: true }); process.exit(code ?? 1); });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    console.error(`qemu.mjs: ${e.message}`);
    process.exit(1);
  }
}
