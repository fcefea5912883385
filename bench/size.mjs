// Module size and memory per board profile.
import { readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import * as host from "../build/host.mjs";
import { figure, heading } from "./lib.mjs";

heading("module size");
const wasm = readFileSync("build/firmware.wasm");
figure("firmware.wasm (release)", wasm.length / 1024, "KiB", `${wasm.length} bytes; every role of the four seeds; issue 13 target <= 128 KiB (131,072 B)`);
// The IPv6 node without Mobile IPv6 (features.ts MIP6): what issue 12's target (<= 96 KiB with every IPv4
// and IPv6-node role) is about. Built here, not by `npm run build` (30 s the firmware does not need).
execFileSync("npx", ["--no-install", "asc", "assembly/index.ts", "--target", "v6core"], { stdio: "inherit" });
execFileSync("node", ["host/shrink.mjs", "firmware-v6core"], { stdio: ["ignore", "ignore", "inherit"] });
const core = readFileSync("build/firmware-v6core.wasm");
figure("firmware-v6core.wasm (IPv4 + IPv6 node, no Mobile IPv6)", core.length / 1024, "KiB", `${core.length} bytes; issue 12 target <= 96 KiB (98,304 B)`);
const mcu = readFileSync("build/firmware-mcu.wasm");
figure("firmware-mcu.wasm (IPv4 only)", mcu.length / 1024, "KiB", `${mcu.length} bytes`);
figure("firmware.wasm gzip -9", gzipSync(wasm, { level: 9 }).length / 1024, "KiB");
figure("firmware.debug.wasm", statSync("build/firmware.debug.wasm").size / 1024, "KiB");

// Where the bytes are: code per source directory/file (Binaryen merges a single-caller function into
// its caller, so a function's size holds its single-use callees), data and the largest functions.
heading("module sections and code by area (build/firmware.named.wasm)");
const sect = sections(readFileSync("build/firmware.named.wasm"));
figure("code section", sect.code / 1024, "KiB", `${sect.funcs.length} functions`);
figure("data section", sect.data / 1024, "KiB", `${sect.segments} segments`);
const byArea = new Map();
for (const [n, name] of sect.funcs) {
  const m = /^assembly\/([^/]+(?:\/[^/]+)?)\//.exec(name) ?? /^assembly\/([^/]+)/.exec(name);
  const area = m ? m[1] : name.startsWith("~lib") ? "~lib" : "other";
  byArea.set(area, (byArea.get(area) ?? 0) + n);
}
for (const [area, n] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 16)) figure(`code: ${area}`, n, "B");
for (const [n, name] of [...sect.funcs].sort((a, b) => b[0] - a[0]).slice(0, 10)) figure(`function ${name.replace(/^assembly\//, "")}`, n, "B");

/** Code and data section sizes, and each function's body size with its name (name section). */
function sections(b) {
  let p = 8, imports = 0, code = 0, data = 0, segments = 0;
  const sizes = [], names = new Map();
  const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
  const str = () => { const n = leb(); const t = b.subarray(p, p + n).toString(); p += n; return t; };
  while (p < b.length) {
    const id = b[p++], len = leb(), end = p + len;
    if (id === 2) for (let i = 0, n = leb(); i < n; i++) { str(); str(); const k = b[p++]; if (k === 0) { leb(); imports++; } else if (k === 1) { p++; if (leb() & 1) leb(); leb(); } else if (k === 2) { if (leb() & 1) leb(); leb(); } else p += 2; }
    if (id === 10) { code = len; for (let i = 0, n = leb(); i < n; i++) { const l = leb(); sizes.push(l); p += l; } }
    if (id === 11) { data = len; segments = leb(); }
    if (id === 0 && str() === "name") while (p < end) { const sid = b[p++], sl = leb(), se = p + sl; if (sid === 1) for (let i = 0, n = leb(); i < n; i++) { const idx = leb(); names.set(idx, str()); } p = se; }
    p = end;
  }
  return { code, data, segments, funcs: sizes.map((n, i) => [n, names.get(i + imports) ?? `f${i + imports}`]) };
}

heading("memory per board profile (pages of 64 KiB; heap = tables and buffers)");
const module = new WebAssembly.Module(wasm);
const nodes = {
  "mobile node / host (1 interface)": {
    name: "mn", roles: ["host"],
    interfaces: [{ name: "wlan0", mac: "02:00:00:00:00:10", ipv4: "10.0.1.10/24" }],
    routes: [{ dest: "default", via: "10.0.1.1" }],
  },
  "router (2 interfaces)": {
    name: "r", roles: ["router"],
    interfaces: [
      { name: "eth0", mac: "02:00:00:00:00:01", ipv4: "10.0.1.1/24" },
      { name: "eth1", mac: "02:00:00:00:00:02", ipv4: "10.0.2.1/24" },
    ],
  },
};
for (const [board, profile] of Object.entries(host.BOARDS)) {
  for (const [role, json] of Object.entries(nodes)) {
    if (json.interfaces.length > profile.maxInterfaces) continue;
    const cfg = host.validateConfig({ ...json, board }, board);
    const b = new host.Board(module, cfg, { now: () => 0, tx() {}, deliver() {} });
    b.init();
    figure(`${board}: ${role}`, b.memoryPages(), "pages", `heap ${b.heapUsed()} B, static ${b.x.static_bytes()} B, budget ${profile.memoryPages} pages`);
  }
}
