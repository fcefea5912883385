// Fuzz corpus of real Mobile IP traffic: every distinct kind of frame (agent advertisements and
// solicitations, registration requests and replies, tunnelled datagrams of each method, DHCP, ARP,
// plain IP) seen while Mobile IP scenarios run, plus the firmware node configurations that received
// them. Used by test/host/fuzz.test.mjs and bench/fuzz.mjs.
import { readFileSync } from "node:fs";
import * as host from "../../build/host.mjs";

const module = new WebAssembly.Module(readFileSync(new URL("../../build/firmware.wasm", import.meta.url)));

function fixIpChecksum(f, o = 14) {
  const hl = (f[o] & 15) * 4;
  f[o + 10] = 0; f[o + 11] = 0;
  const c = host.checksum(f, o, hl);
  f[o + 10] = c >> 8; f[o + 11] = c & 255;
}

function setTotalLen(f, o, len) { f[o + 2] = len >> 8; f[o + 3] = len & 255; }

/** The IP-in-IP frame `f` re-encapsulated as GRE (RFC 1701, no optional fields). */
function regre(f) {
  const inner = f.subarray(34);
  const g = new Uint8Array(34 + 4 + inner.length);
  g.set(f.subarray(0, 34));
  g.set([0, 0, 0x08, 0x00], 34);
  g.set(inner, 38);
  g[23] = 47;
  setTotalLen(g, 14, g.length - 14);
  fixIpChecksum(g);
  return g;
}

/** The IP-in-IP frame `f` re-encapsulated with minimal encapsulation (RFC 2004, S = 0). */
function reminimal(f) {
  const inner = f.subarray(34);
  const ihl = (inner[0] & 15) * 4;
  const m = new Uint8Array(34 + 8 + inner.length - ihl);
  m.set(f.subarray(0, 34));
  m[34] = inner[9]; m[35] = 0;
  m.set(inner.subarray(16, 20), 38);           // original destination
  const c = host.checksum(m, 34, 8);
  m[36] = c >> 8; m[37] = c & 255;
  m.set(inner.subarray(ihl), 42);
  m[23] = 55;
  setTotalLen(m, 14, m.length - 14);
  fixIpChecksum(m);
  return m;
}

/** A key naming what kind of frame this is (EtherType / protocol / port / message type). */
function kindOf(f) {
  const et = host.etherType(f);
  if (et !== 0x0800 || f.length < 34) return `eth${et}`;
  const proto = f[23], hl = (f[14] & 15) * 4, o = 14 + hl;
  if (proto === 17 && f.length >= o + 9) return `udp${(f[o + 2] << 8) | f[o + 3]}:${f[o + 8]}`;
  if (proto === 1 && f.length > o) return `icmp${f[o]}`;
  return `ip${proto}`;
}

/**
 * Run `scenarios` (paths) for `ms` each and keep up to `perKind` frames of each kind.
 * Returns { frames: Uint8Array[], configs: Map<name, ValidConfig> (firmware nodes), kinds: string[] }.
 */
export function mipCorpus(scenarios = ["scenarios/default.json", "scenarios/mip-colocated.json", "scenarios/mip-simultaneous.json"], ms = 30000, perKind = 6) {
  const byKind = new Map();
  const configs = new Map();
  for (const path of scenarios) {
    const sc = host.loadScenario(new URL(`../../${path}`, import.meta.url).pathname);
    for (const n of sc.nodes) if (n.config) configs.set(`${sc.name}/${n.config.name}`, n.config);
    const sim = new host.Simulation(sc, module, {
      durationMs: Math.min(ms, sc.durationMs),
      onFrame: (_seg, frame) => {
        const k = kindOf(frame);
        const list = byKind.get(k) ?? [];
        if (list.length < perKind) { list.push(frame.slice()); byKind.set(k, list); }
      },
    });
    sim.run();
    sim.close();
  }
  // GRE and minimal encapsulation variants of every IP-in-IP frame seen (same outer addresses).
  for (const f of byKind.get("ip4") ?? []) {
    byKind.set("ip47", [...(byKind.get("ip47") ?? []), regre(f)]);
    byKind.set("ip55", [...(byKind.get("ip55") ?? []), reminimal(f)]);
  }
  const kinds = [...byKind.keys()].sort();
  return { frames: kinds.flatMap((k) => byKind.get(k)), configs, kinds };
}
