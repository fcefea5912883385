// The emulated rv32 microcontroller as the roaming mobile node on real interfaces (issue 9.3,
// docs/mcu.md "Roaming on real interfaces"):
//  - the board's UDP echo responder (boot parameter udp_echo, the device host's way out): a datagram
//    to the port comes back with addresses and ports swapped and valid checksums, through the
//    firmware's output() (which resolves the peer with ARP first); other ports are delivered as
//    before (no privileges: qemu's UDP socket netdev);
//  - test/e2e/mcu-netns.sh: the MCU in qemu on a TAP moved br-home -> br-net1 -> br-net2 -> br-home,
//    registering through the mipfw-board foreign agents with the mipfw-board home agent; ping and UDP
//    (echoed) reach its home address after each move; interruption and RAM high-water printed.
// Skipped, saying why, without root / `ip netns` (the e2e only), qemu-system-riscv32, the cross
// compiler with picolibc, Wasm3's sources or mipfw-board.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dgram from "node:dgram";
import { qemuArgs, paramsFor, configImage, mcuMissing, QEMU, root } from "../../host/c/rv32-virt/qemu.mjs";

const board = process.env.MIPFW_BOARD ?? join(root, "host/wasm3/target/release/mipfw-board");
const elf = join(root, "build/mcu-rv32.elf");
const firmware = join(root, "build/firmware-mcu.wasm");

function missing() {
  return mcuMissing(board) ?? (existsSync(firmware) ? null : "build/firmware-mcu.wasm not built (npm run build)");
}
const why = missing();
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasNetns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).status === 0;
const whyNetns = why ?? (!isRoot ? "needs root" : !hasNetns ? "`ip netns` not available" : null);
const dir = mkdtempSync(join(tmpdir(), "mcu-net-test-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

before(() => {
  if (why) return;
  const r = spawnSync("make", ["-C", join(root, "host/c/rv32-virt")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

const sum = (b, s = 0) => {
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
};
const ipBytes = (a) => Buffer.from(a.split(".").map(Number));
const PEER_MAC = "020000009901", BOARD_MAC = "020000000110";

/** An Ethernet frame with an IPv4/UDP datagram (checksums computed). */
function udpFrame({ src, dst, sport, dport, payload }) {
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(sport, 0); udp.writeUInt16BE(dport, 2); udp.writeUInt16BE(udp.length, 4); payload.copy(udp, 8);
  const pseudo = Buffer.concat([ipBytes(src), ipBytes(dst), Buffer.from([0, 17, udp.length >> 8, udp.length & 255])]);
  udp.writeUInt16BE(sum(Buffer.concat([pseudo, udp])) || 0xffff, 6);
  const ip = Buffer.from("450000000042000040110000", "hex");
  const hdr = Buffer.concat([ip, ipBytes(src), ipBytes(dst)]);
  hdr.writeUInt16BE(20 + udp.length, 2);
  hdr.writeUInt16BE(sum(hdr), 10);
  return Buffer.concat([Buffer.from(BOARD_MAC + PEER_MAC + "0800", "hex"), hdr, udp]);
}

test("mcu rv32: the UDP echo responder sends a datagram to its port back (swapped, valid checksums); other ports are delivered", async (t) => {
  if (why) { t.skip(why); return; }
  const cfg = join(dir, "host.json");
  writeFileSync(cfg, JSON.stringify({ name: "h1", board: "mcu-rv32-virt", roles: ["host"],
    interfaces: [{ name: "eth0", mac: "02:00:00:00:01:10", ipv4: "10.0.1.10/24" }] }));
  const image = configImage(cfg, { dir, bin: board });
  const sock = dgram.createSocket("udp4");
  await new Promise((res) => sock.bind(0, "127.0.0.1", res));
  const qport = await new Promise((res) => { const s = dgram.createSocket("udp4"); s.bind(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); }); });
  const params = paramsFor({ mode: "run", wasmLen: statSync(firmware).size, cfgLen: statSync(image).size, memoryLimit: 65536, udpEcho: 7 });
  const args = qemuArgs({ elf, firmware, image, params, rng: true,
    nics: [{ netdev: `socket,udp=127.0.0.1:${sock.address().port},localaddr=127.0.0.1:${qport}`, mac: "02:00:00:00:01:10" }] });
  const q = spawn(QEMU, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  const frames = [];
  q.stdout.on("data", (d) => { out += d; });
  q.stderr.on("data", (d) => { err += d; });
  sock.on("message", (m) => {
    frames.push(m);
    // Answer the board's ARP request for the peer 10.0.1.100.
    if (m.readUInt16BE(12) === 0x0806 && m.readUInt16BE(20) === 1 && m.subarray(38, 42).equals(ipBytes("10.0.1.100"))) {
      const reply = Buffer.from(BOARD_MAC + PEER_MAC + "0806" + "0001080006040002" + PEER_MAC + "0a000164" + BOARD_MAC + "0a00010a", "hex");
      sock.send(reply, qport, "127.0.0.1");
    }
  });
  const until = (what, ok) => new Promise((res, rej) => {
    const deadline = Date.now() + 20000;
    const iv = setInterval(() => {
      if (ok()) { clearInterval(iv); res(); }
      else if (Date.now() > deadline || q.exitCode !== null) { clearInterval(iv); rej(new Error(`waiting for ${what}; UART:\n${out}\n${err}`)); }
    }, 10);
  });
  const isUdp = (f) => f.length >= 42 && f.readUInt16BE(12) === 0x0800 && f[23] === 17;
  try {
    await until("start", () => /mcu: running, 1 NICs, 1 interfaces/.test(out));
    const payload = Buffer.from("mcu echo 0123456789");
    sock.send(udpFrame({ src: "10.0.1.100", dst: "10.0.1.10", sport: 40000, dport: 7, payload }), qport, "127.0.0.1");
    await until("the echoed datagram", () => frames.some(isUdp));
    const f = frames.find(isUdp);
    assert.equal(f.subarray(0, 12).toString("hex"), PEER_MAC + BOARD_MAC);
    const ip = f.subarray(14, 34), udp = f.subarray(34, 14 + ip.readUInt16BE(2));
    assert.equal(sum(ip), 0, "IPv4 header checksum");
    assert.equal(ip[8], 64, "TTL");
    assert.deepEqual([...ip.subarray(12, 20)], [10, 0, 1, 10, 10, 0, 1, 100]);
    assert.deepEqual([udp.readUInt16BE(0), udp.readUInt16BE(2), udp.readUInt16BE(4)], [7, 40000, 8 + payload.length]);
    assert.ok(udp.subarray(8).equals(payload));
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17, udp.length >> 8, udp.length & 255])]);
    assert.equal(sum(Buffer.concat([pseudo, udp])), 0, "UDP checksum");
    // Another port: no echo, shown as delivered on the UART (payload "other" = 6f74686572).
    sock.send(udpFrame({ src: "10.0.1.100", dst: "10.0.1.10", sport: 40000, dport: 9, payload: Buffer.from("other") }), qport, "127.0.0.1");
    await until("deliver line", () => /^deliver 45.*6f74686572$/m.test(out));
    // From the echo port itself: not answered (two responders never ping-pong).
    sock.send(udpFrame({ src: "10.0.1.100", dst: "10.0.1.10", sport: 7, dport: 7, payload: Buffer.from("loop") }), qport, "127.0.0.1");
    await until("deliver line", () => /^deliver 45.*6c6f6f70$/m.test(out));
    q.stdin.write("c");
    await until("counters", () => /counters end/.test(out));
    assert.match(out, /^udp_echo port 7 sent 1 dropped 0$/m);
    assert.equal(frames.filter(isUdp).length, 1);
  } finally {
    q.kill();
    sock.close();
  }
});

test("e2e: the emulated rv32 MCU roams as the mobile node in network namespaces (home -> fa1 -> fa2 -> home)", (t) => {
  if (whyNetns) { t.skip(whyNetns); return; }
  const out = mkdtempSync(join(tmpdir(), "mipfw-mcu-e2e-"));
  try {
    const r = spawnSync("bash", [join(root, "test/e2e/mcu-netns.sh"), "--board", board, "--out", out, "--keep"],
      { encoding: "utf8", timeout: 120000, killSignal: "SIGTERM" });
    if (r.status === 77) { t.skip((r.stdout.match(/SKIP: (.*)/) ?? [])[1] ?? "prerequisite missing"); return; }
    assert.equal(r.status, 0, `mcu-netns.sh failed (status ${r.status}${r.signal ? ", " + r.signal : ""}):\n${r.stdout}\n${r.stderr}`);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    for (const m of res.moves) {
      t.diagnostic(`${m.move}: interruption ${m.interruptionMs} ms, lost ${m.lost}/${m.sent}, ping lost ${m.pingLost}`);
      assert.ok(m.received > 0, `${m.move}: no datagram echoed after the move`);
    }
    assert.deepEqual(res.moves.map((m) => m.move), ["start", "fa1", "fa2", "home"]);
    const mcu = res.mcu;
    t.diagnostic(`mcu: RAM high-water ${mcu.ramHighWater} of ${mcu.ramBytes} bytes, heap peak ${mcu.heapPeak}, wasm3 value stack ${mcu.wasm3StackPeak}`);
    assert.ok(mcu.ramHighWater > 0 && mcu.ramHighWater <= mcu.ramBytes && mcu.ramBytes <= 320 * 1024, JSON.stringify(mcu));
    assert.ok(mcu.udpEcho.sent > 0 && mcu.counters.mn_reg_reply_rx >= 3, JSON.stringify(mcu));
  } finally { rmSync(out, { recursive: true, force: true }); }
});
