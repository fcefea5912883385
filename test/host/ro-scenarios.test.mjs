// Route optimization end to end in the emulated network (issue 10 point 6): scenarios/ro-*.json run in
// full, asserting on the binding caches (events), what crosses the wires (who tunnels to whom) and the
// delivered traffic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { Simulation, validateScenario, formatIp } = host;
const load = (n) => JSON.parse(readFileSync(new URL(`../../scenarios/${n}`, import.meta.url), "utf8"));

/** IPv4 frames as the tests need them: segment, time (ms), addresses, protocol, the inner header of IP in IP, UDP port. */
function parseFrame(seg, f, tUs) {
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
  if (r.proto === 17) r.dport = dv.getUint16(ihl + 2);
  return r;
}

function run(name, scenario = load(name)) {
  const frames = [];
  const sim = new Simulation(validateScenario(scenario), firmware, {
    keepEvents: true,
    onFrame: (seg, f, t) => { const x = parseFrame(seg, f, t); if (x) frames.push(x); },
  });
  sim.run();
  sim.close();
  const ev = sim.events.kept.filter((e) => e.kind !== "log");
  const of = (node, kind) => ev.filter((e) => e.node === node && e.kind === kind);
  return { sim, s: sim.summary(), ev, of, frames };
}

test("001 §8.2 special tunnels: the previous foreign agent crashed, the correspondent's stale tunnel is rescued by the home agent and the cache updated", () => {
  const r = run("ro-pfa-crash.json");
  const cn = r.of("cn", "ro_binding");
  assert.ok(cn.some((e) => e.op === "add" && e.coa === "10.2.0.1" && e.t < 12000), "cn cached fa1 after the first registration");
  // After fa1's restart (26 s) its datagrams for mn go by special tunnel to the home address ...
  const special = r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.0.0.2" && x.dst === "10.1.0.20" && x.t > 26000);
  assert.ok(special.length >= 1, "fa1 special-tunnelled to the home address");
  // ... the home agent tunnels their inner datagrams to fa2 and updates cn ...
  assert.ok(cn.some((e) => e.coa === "10.3.0.1" && e.t > 26000), "cn's entry moved to fa2");
  // ... whose datagrams then go straight to fa2.
  const direct = r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.9.0.10" && x.dst === "10.3.0.1" && x.dport === 5000);
  assert.ok(direct.length > 500, `cn -> fa2 straight: ${direct.length}`);
  // Never a loop: the home agent sends nothing back to fa1 after its restart that fa1 sent it.
  assert.equal(r.frames.filter((x) => x.seg === "core" && x.proto === 4 && x.src === "10.0.0.1" && x.dst === "10.2.0.1" && x.t > 26000).length, 0);
});
