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
