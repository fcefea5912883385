// Shared helpers for the host tests: load the built firmware and start boards from JSON configs.
import { readFileSync } from "node:fs";
import * as host from "../../build/host.mjs";

export { host };
export const firmwareBytes = readFileSync(new URL("../../build/firmware.wasm", import.meta.url));
export const debugBytes = readFileSync(new URL("../../build/firmware.debug.wasm", import.meta.url));
export const firmware = new WebAssembly.Module(firmwareBytes);

/** Start a board from a JSON node config; captures tx frames, delivered packets, events and logs. */
export function startBoard(json, { now = () => 0, module = firmware } = {}) {
  const cfg = host.validateConfig(json, json.name ?? "config");
  const cap = { tx: [], delivered: [], events: [], logs: [] };
  const board = new host.Board(module, cfg, {
    now,
    tx: (iface, frame) => cap.tx.push({ iface, frame: host.copyFrame(frame) }),
    deliver: (p) => cap.delivered.push(p),
    event: (kind, data) => cap.events.push({ kind, data }),
    log: (level, text) => cap.logs.push({ level, text }),
    random: (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 255; },
  });
  board.init();
  return { board, cap, cfg };
}

/** A two-interface router between 10.0.1.0/24 and 10.0.2.0/24. */
export const routerJson = {
  name: "r1", board: "emulated", roles: ["router"],
  interfaces: [
    { name: "eth0", mac: "02:00:00:00:01:01", ipv4: "10.0.1.1/24" },
    { name: "eth1", mac: "02:00:00:00:02:01", ipv4: "10.0.2.1/24" },
  ],
};

/** A host on 10.0.1.0/24 with a default route through the router. */
export const hostJson = {
  name: "h1", board: "emulated", roles: ["host"],
  interfaces: [{ name: "eth0", mac: "02:00:00:00:01:10", ipv4: "10.0.1.10/24" }],
  routes: [{ dest: "default", via: "10.0.1.1" }],
};

/** The IPv4 datagram of an Ethernet frame: { b (bytes from the IP header), info (host.Ipv4Info) }, or null. */
export function parseIpFrame(frame) {
  const b = frame.subarray(14);
  const info = new host.Ipv4Info();
  return host.parseIpv4(b, info) === host.ParseError.OK ? { b, info } : null;
}

/**
 * IPv4 frames a board sent ({ iface, frame, b, info }), optionally of protocol `proto`; agent
 * advertisements and other multicast (224/4) are left out: not what the role tests look at.
 */
export function ipFrames(cap, proto) {
  const out = [];
  for (const { iface, frame } of cap.tx) {
    if (host.etherType(frame) !== 0x0800) continue;
    const p = parseIpFrame(frame);
    if (!p || (p.info.dst >>> 28) === 0xe) continue;
    if (proto === undefined || p.info.proto === proto) out.push({ iface, frame, ...p });
  }
  return out;
}

/** An IPv4 ICMP error message (`type`, `code`) from `src` to `dst` quoting the bytes `quoted`. */
export function icmpErrorPacket(type, code, quoted, src, dst) {
  const icmp = new Uint8Array(8 + quoted.length);
  icmp[0] = type; icmp[1] = code; icmp.set(quoted, 8);
  const c = host.checksum(icmp, 0, icmp.length);
  icmp[2] = c >> 8; icmp[3] = c & 255;
  const b = new Uint8Array(20 + icmp.length);
  b.set(icmp, 20);
  host.writeIpv4Header(b, b.length, 1, src, dst, 77, 64);
  return b;
}

/** Registration Replies a board sent: { iface, src, dst, sport, dport, msg, reply, mac }. */
export function regReplies(cap) {
  const out = [];
  for (const { iface, frame } of cap.tx) {
    if (host.etherType(frame) !== 0x0800) continue;
    const p = parseIpFrame(frame);
    if (!p || p.info.proto !== 17 || !host.udpValid(p.b, p.info)) continue;
    const o = p.info.off;
    const sport = (p.b[o] << 8) | p.b[o + 1];
    const dport = (p.b[o + 2] << 8) | p.b[o + 3];
    const ulen = (p.b[o + 4] << 8) | p.b[o + 5];
    const msg = p.b.slice(o + 8, o + ulen);
    const reply = host.parseRegReply(msg);
    if (reply) out.push({ iface, src: p.info.src, dst: p.info.dst, sport, dport, msg, reply, mac: frame.subarray(0, 6) });
  }
  return out;
}

/**
 * Compile the firmware plus `entrySrc` (AssemblyScript that starts with `export * from "./index"` and
 * adds test exports) as the test build `name`: a WebAssembly.Module for startBoard's `module`.
 */
export async function compileTestModule(name, entrySrc) {
  const { default: asc } = await import("assemblyscript/asc");
  const { readFileSync } = await import("node:fs");
  const entry = `assembly/__${name}_test_entry.ts`;
  let bin = null;
  const root = new URL("../../", import.meta.url).pathname;
  const { error, stderr } = await asc.main([entry, "--runtime", "stub", "--use", "abort=assembly/host/hostAbort", "-O2", "--noAssert",
    "--config", "none.asconfig.json", "--baseDir", root, "--outFile", `${name}-test.wasm`], {
    readFile(file, base) {
      if (file.endsWith(`__${name}_test_entry.ts`)) return entrySrc;
      try { return readFileSync(`${base}/${file}`, "utf8"); } catch { return null; }
    },
    writeFile(file, contents) { if (file.endsWith(".wasm")) bin = contents; },
    listFiles() { return []; },
  });
  if (error) throw new Error(`compileTestModule ${name}: ${error}\n${stderr}`);
  return new WebAssembly.Module(bin);
}
