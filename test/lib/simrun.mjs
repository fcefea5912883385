// Scenario runs for the end-to-end tests in the emulated network (ro-scenarios, dremip-scenarios):
// every IPv4 frame on every segment as the tests need it, the firmware events, counters and the
// distributed-registration tables of every node at the end.
import { readFileSync } from "node:fs";
import { host, firmware } from "../host/helpers.mjs";

const { Simulation, validateScenario, formatIp } = host;

/** scenarios/NAME parsed. */
export const loadScenario = (name) => JSON.parse(readFileSync(new URL(`../../scenarios/${name}`, import.meta.url), "utf8"));

/**
 * An IPv4 frame: segment, time (ms), addresses, protocol; for IP in IP the inner header (and a second
 * level's destination), UDP destination port (and the Mobile IP message type), ICMP bytes.
 */
export function parseFrame(seg, f, tUs) {
  if (((f[12] << 8) | f[13]) !== 0x0800) return null;
  const dv = new DataView(f.buffer, f.byteOffset + 14);
  const ihl = (f[14] & 15) * 4;
  const r = { seg, t: tUs / 1000, proto: f[23], src: formatIp(dv.getUint32(12)), dst: formatIp(dv.getUint32(16)) };
  if (r.proto === 4) {
    Object.assign(r, { innerSrc: formatIp(dv.getUint32(ihl + 12)), innerDst: formatIp(dv.getUint32(ihl + 16)), innerProto: f[14 + ihl + 9] });
    const ihl2 = (f[14 + ihl] & 15) * 4;
    if (r.innerProto === 4) r.inner2Dst = formatIp(dv.getUint32(ihl + ihl2 + 16));
    if (r.innerProto === 17) r.dport = dv.getUint16(ihl + ihl2 + 2);
  }
  if (r.proto === 17) { r.dport = dv.getUint16(ihl + 2); r.mipType = f[14 + ihl + 8]; }
  if (r.proto === 1) r.icmp = f.subarray(14 + ihl);
  return r;
}

/** Run scenario NAME (or `scenario`) to its end: {sim, s (summary), ev, of(node, kind), frames, counters, dumps}. */
export function runScenario(name, scenario = loadScenario(name)) {
  const frames = [];
  const sim = new Simulation(validateScenario(scenario), firmware, {
    keepEvents: true,
    onFrame: (seg, f, t) => { const x = parseFrame(seg, f, t); if (x) frames.push(x); },
  });
  sim.run();
  const counters = Object.fromEntries(sim.nodes.map((n) => [n.name, n.board.counters()]));
  const dumps = Object.fromEntries(sim.nodes.map((n) => [n.name, { careOfRoutes: n.board.dump("careOfRoutes"), registrations: n.board.dump("registrations") }]));
  sim.close();
  const ev = sim.events.kept.filter((e) => e.kind !== "log");
  const of = (node, kind) => ev.filter((e) => e.node === node && e.kind === kind);
  return { sim, s: sim.summary(), ev, of, frames, counters, dumps };
}
