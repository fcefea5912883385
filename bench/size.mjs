// Module size and memory per board profile.
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as host from "../build/host.mjs";
import { figure, heading } from "./lib.mjs";

heading("module size");
const wasm = readFileSync("build/firmware.wasm");
figure("firmware.wasm (release)", wasm.length / 1024, "KiB", `${wasm.length} bytes; target <= 64 KiB with all IPv4 roles`);
figure("firmware.wasm gzip -9", gzipSync(wasm, { level: 9 }).length / 1024, "KiB");
figure("firmware.debug.wasm", statSync("build/firmware.debug.wasm").size / 1024, "KiB");

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
