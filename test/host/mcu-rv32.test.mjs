// The emulated microcontroller (host/c/rv32-virt, docs/mcu.md): build/mcu-rv32.elf, bare-metal rv32imc
// with 320 KiB of RAM under qemu-system-riscv32 -M virt, runs the unchanged firmware under Wasm3 and
//  - prints exactly the lines of `mipfw-board selftest` for the same configurations (board profiles
//    mcu-rv32-virt and esp32-c3), firmware and configuration loaded at run time into one image;
//  - refuses a too small memory_limit, eager compilation beyond its RAM and missing boot parameters
//    with a message (never a trap);
//  - in run mode answers ARP and ping through its virtio-net driver (qemu's UDP socket backend, so
//    no privileges) and reports carrier changes made with the qemu monitor's set_link to the firmware
//    (LINK events).
// Figures (RAM high-water, flash, instructions per frame/tick, start-up) are printed, not asserted.
// Skipped when qemu-system-riscv32, riscv64-unknown-elf-gcc (with picolibc), Wasm3's sources or
// mipfw-board are missing.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dgram from "node:dgram";
import net from "node:net";
import { qemuArgs, paramsFor, configImage, memoryLimitOf, mcuMissing, QEMU, root } from "../../host/c/rv32-virt/qemu.mjs";

const bin = join(root, "host/wasm3/target/release/mipfw-board");
const elf = join(root, "build/mcu-rv32.elf");
const firmware = join(root, "build/firmware-mcu.wasm");
const fixtures = join(root, "test/fixtures/configs");

const why = mcuMissing(bin);
const dir = mkdtempSync(join(tmpdir(), "mcu-test-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

before(() => {
  if (why) return;
  const r = spawnSync("make", ["-C", join(root, "host/c/rv32-virt")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const size = spawnSync("riscv64-unknown-elf-size", ["-A", elf], { encoding: "utf8" }).stdout ?? "";
  const flash = size.split("\n").filter((l) => /^\.(text|rodata|data|tdata)\s/.test(l)).reduce((s, l) => s + Number(l.split(/\s+/)[1]), 0);
  assert.ok(flash > 0, size);
  console.log(`# mcu flash: image ${flash} bytes (text+rodata+data), firmware.wasm ${statSync(firmware).size} bytes`);
});

/** A fixture with another board (esp32-c3 has one interface: the others and their routes go). */
function variant(file, board) {
  const j = JSON.parse(readFileSync(join(fixtures, file), "utf8"));
  j.board = board;
  if (board === "esp32-c3") j.interfaces = j.interfaces.slice(0, 1);
  if (j.interfaces.length < 2) delete j.routes;
  const out = join(dir, `${file.replace(/\.json$/, "")}-${board}.json`);
  writeFileSync(out, JSON.stringify(j));
  return out;
}

/** Run the board in qemu to completion; { status, stdout }. */
function runQemu(config, { mode = "selftest", memoryLimit, eager = false, noParams = false } = {}) {
  const image = configImage(config, { dir });
  const params = paramsFor({ mode, icount: true, wasmLen: statSync(firmware).size, cfgLen: statSync(image).size,
    memoryLimit: memoryLimit ?? memoryLimitOf(config), eager });
  const args = qemuArgs({ elf, firmware, image, params: noParams ? [] : params, icount: true });
  const r = spawnSync(QEMU, args, { encoding: "utf8", timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CASES = [["mn.json", "mcu-rv32-virt"], ["fa.json", "mcu-rv32-virt"], ["host.json", "mcu-rv32-virt"],
  ["mn.json", "esp32-c3"], ["host.json", "esp32-c3"]];
for (const [file, board] of CASES) {
  test(`mcu rv32: selftest of ${file} on ${board} prints exactly what mipfw-board selftest prints`, (t) => {
    if (why) { t.skip(why); return; }
    const cfg = variant(file, board);
    const want = spawnSync(bin, ["selftest", "--config", cfg, "--firmware", firmware], { encoding: "utf8" });
    assert.equal(want.status, 0, want.stderr);
    const r = runQemu(cfg);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(lines.filter((l) => !l.startsWith("#")), want.stdout.trim().split("\n"));
    assert.ok(lines.some((l) => /^counter icmp_tx_echo_reply 1$/.test(l)), "echo reply");
    const figures = lines.filter((l) => l.startsWith("# mcu"));
    assert.ok(figures.some((l) => /RAM high-water \d+ of 327680/.test(l)), r.stdout);
    for (const l of figures) console.log(`# ${file} ${board}: ${l.slice(2)}`);
  });
}

test("mcu rv32: refusals are messages and exit statuses, never traps", (t) => {
  if (why) { t.skip(why); return; }
  const cfg = variant("mn.json", "mcu-rv32-virt");
  let r = runQemu(cfg, { memoryLimit: 16384 });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /mcu: memory budget: .*memory_limit (is )?16384/);
  r = runQemu(cfg, { memoryLimit: 32768 });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /mcu: memory budget: the configuration needs \d+ bytes of linear memory, memory_limit is 32768/);
  // Compiling every function at load needs more than 320 KiB (docs/mcu.md): refused, or (a smaller
  // firmware some day) run; never a crash.
  r = runQemu(cfg, { eager: true });
  assert.doesNotMatch(r.stdout, /fatal: trap/);
  assert.ok(r.status === 0 || (r.status === 1 && /could not compile the module: memory allocation failed/.test(r.stdout)), r.stdout);
  console.log(`# mn eager in 320 KiB: ${r.status === 0 ? "runs" : r.stdout.trim()}`);
  r = runQemu(cfg, { noParams: true });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stdout, /no boot parameters at 0x803ff000 \(magic 0x00000000, expected 0x4250494d\)/);
});

/** A free UDP port on 127.0.0.1 (bound and released: qemu binds it next). */
async function freePort() {
  const s = dgram.createSocket("udp4");
  await new Promise((res) => s.bind(0, "127.0.0.1", res));
  const p = s.address().port;
  await new Promise((res) => s.close(res));
  return p;
}

test("mcu rv32: run mode answers ARP and ping over virtio-net, and set_link reaches the firmware as LINK events", async (t) => {
  if (why) { t.skip(why); return; }
  const cfg = variant("host.json", "mcu-rv32-virt"); // 10.0.1.10/24, 02:00:00:00:01:10
  const image = configImage(cfg, { dir });
  const sock = dgram.createSocket("udp4");
  await new Promise((res) => sock.bind(0, "127.0.0.1", res));
  const qport = await freePort();
  const mon = join(dir, "mon.sock");
  const params = paramsFor({ mode: "run", icount: true, wasmLen: statSync(firmware).size, cfgLen: statSync(image).size, memoryLimit: 65536 });
  const args = qemuArgs({ elf, firmware, image, params, icount: true, rng: true, monitor: mon,
    nics: [{ netdev: `socket,udp=127.0.0.1:${sock.address().port},localaddr=127.0.0.1:${qport}`, mac: "02:00:00:00:01:10" }] });
  const q = spawn(QEMU, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  const frames = [];
  q.stdout.on("data", (d) => { out += d; });
  q.stderr.on("data", (d) => { err += d; });
  sock.on("message", (m) => frames.push(m.toString("hex")));
  const until = (what, ok) => new Promise((res, rej) => {
    const deadline = Date.now() + 20000;
    const iv = setInterval(() => {
      if (ok()) { clearInterval(iv); res(); }
      else if (Date.now() > deadline || q.exitCode !== null) { clearInterval(iv); rej(new Error(`waiting for ${what}; UART:\n${out}\n${err}`)); }
    }, 10);
  });
  try {
    await until("start", () => /mcu: running, 1 NICs, 1 interfaces/.test(out));
    assert.match(out, /mcu: interface 0: virtio-net slot \d/);
    assert.match(out, /event 1 0001000000000000\nlink 0 up/);
    // ARP request from 10.0.1.100 (02:00:00:00:99:01) for the board's address.
    const arp = "ffffffffffff02000000990108060001080006040001020000009901" + "0a000164" + "000000000000" + "0a00010a";
    sock.send(Buffer.from(arp, "hex"), qport, "127.0.0.1");
    await until("ARP reply", () => frames.some((f) => f.startsWith("020000009901020000000110080600010800060400020200000001100a00010a0200000099010a000164")));
    // Echo request to the board's address: the firmware answers it.
    const icmp = Buffer.from("0800000042420001" + Buffer.from("mcu ping").toString("hex"), "hex");
    const sum = (b) => { let s = 0; for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0); while (s >> 16) s = (s & 0xffff) + (s >> 16); return ~s & 0xffff; };
    icmp.writeUInt16BE(sum(icmp), 2);
    const ip = Buffer.from("45000000123400004001000000000000000000000", "hex").subarray(0, 20);
    ip.writeUInt16BE(20 + icmp.length, 2);
    Buffer.from("0a0001640a00010a", "hex").copy(ip, 12);
    ip.writeUInt16BE(sum(ip), 10);
    const echo = Buffer.concat([Buffer.from("020000000110020000009901" + "0800", "hex"), ip, icmp]);
    sock.send(echo, qport, "127.0.0.1");
    await until("echo reply", () => frames.some((f) => f.startsWith("020000009901020000000110") && f.slice(46, 48) === "01" && f.slice(68, 70) === "00"));
    // Carrier off and on through the monitor: the driver sees VIRTIO_NET_S_LINK_UP change.
    const m = net.connect(mon);
    await new Promise((res, rej) => { m.on("connect", res); m.on("error", rej); });
    m.write("set_link n0 off\n");
    await until("link down", () => /link 0 down\nevent 1 0000000000000000/.test(out));
    m.write("set_link n0 on\n");
    await until("link up again", () => (out.match(/link 0 up\nevent 1 0001000000000000|event 1 0001000000000000\nlink 0 up/g) ?? []).length >= 2);
    m.end();
    q.stdin.write("c");
    await until("counters", () => /counters end/.test(out));
    const counters = Object.fromEntries([...out.matchAll(/^counter (\S+) (\d+)$/gm)].map((x) => [x[1], Number(x[2])]));
    assert.equal(counters.arp_tx_reply, 1);
    assert.equal(counters.icmp_rx, 1);
    assert.equal(counters.icmp_tx_echo_reply, 1);
    for (const l of out.split("\n").filter((l) => l.startsWith("# mcu"))) console.log(`# run: ${l.slice(2)}`);
  } finally {
    q.kill();
    sock.close();
  }
});
