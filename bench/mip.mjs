// Home agent and foreign agent figures under Node (issue 3 bench): registrations per second with
// keyed-MD5 and HMAC-MD5, ns per encapsulated 1400-byte packet for each tunnel method, foreign-agent
// decapsulation, and binding lookup cost at 10, 1,000 and the board's maximum number of bindings.
// Everything goes through the Board class (frames copied in and out, as in every host).
import * as host from "../build/host.mjs";
import { performance } from "node:perf_hooks";
import { measure, figure, heading, median } from "./lib.mjs";
import { T0, homeAgent, requestFrame, requestFrames, toHome, homeOf, CN, HA_MAC1, R_MAC, startBoard, foreignAgent } from "./setup.mjs";

heading("home agent registrations (Node; request in, authenticated reply out)");
for (const algorithm of ["keyed-md5", "hmac-md5"]) {
  const nodes = 64, perRound = 20000, rounds = 7;
  const ha = homeAgent(nodes, algorithm);
  const frames = requestFrames(perRound * (rounds + 1), nodes, algorithm);
  let k = 0;
  const before = ha.board.counters();
  const rates = [];
  for (let r = 0; r < rounds + 1; r++) {
    const t0 = performance.now();
    for (let j = 0; j < perRound; j++) ha.board.rx(1, frames[k++]);
    const s = (performance.now() - t0) / 1000;
    if (r > 0) rates.push(perRound / s);
  }
  const sent = ha.tx();
  const reply = host.parseRegReply(ha.last().subarray(14 + 28));
  figure(`registrations/s, ${algorithm} (64 mobile nodes)`, median(rates), "reg/s",
    `${algorithm === "hmac-md5" ? "target >= 100000; " : ""}${sent} replies, last code ${reply?.code}`);
}

heading("home agent encapsulation, 1400-byte packet to a bound home address (ns/packet)");
const METHODS = [["IP-in-IP (RFC 2003)", 0], ["minimal (RFC 2004)", host.REQ_M], ["GRE (RFC 1701)", host.REQ_G]];
for (const [name, flags] of METHODS) {
  const ha = homeAgent(1, "hmac-md5");
  ha.board.rx(1, requestFrame(0, "hmac-md5", host.ntpTimestamp(T0, 0, 1), flags));
  const pkt = toHome(0);
  const t0 = ha.tx();
  const r = measure((n) => { for (let i = 0; i < n; i++) ha.board.rx(1, pkt); }, { n: 50000 });
  const out = ha.last();
  figure(name, r.median, "ns/packet", `target <= 300; ${ha.tx() - t0} sent, outer proto ${out[23]}, ${out.length - 14} bytes`);
}

heading("binding lookup: encapsulation cost by number of bindings (IP-in-IP, 64-byte packets)");
for (const n of [10, 1000, 65536]) {
  const ha = homeAgent(n, "hmac-md5", ["ipip"]);
  const ntp = host.ntpTimestamp(T0, 0, 1);
  for (let i = 0; i < n; i++) ha.board.rx(1, requestFrame(i, "hmac-md5", ntp));
  const bindings = ha.board.counters().ha_accepted ?? null;
  const pkts = [];
  for (let i = 0; i < 1024; i++) {
    const dst = homeOf((i * 7919) % n);
    pkts.push(host.ethFrame(HA_MAC1, R_MAC, 0x0800, host.buildUdp(CN, dst, 5000, 6000, new Uint8Array(36), 1, 60)));
  }
  const r = measure((m) => { for (let i = 0; i < m; i++) ha.board.rx(1, pkts[i & 1023]); }, { n: 50000 });
  figure(`${n} bindings`, r.median, "ns/packet", `pages ${ha.board.memoryPages()}${bindings !== null ? `, accepted ${bindings}` : ""}`);
}

heading("foreign agent decapsulation and delivery to a visitor, 1400-byte inner packet (ns/packet)");
{
  const fa = startBoard(foreignAgent.config(), foreignAgent.setup());
  const accepted = fa.board.counters().fa_reply_relayed;
  const frame = foreignAgent.tunnelled();
  const n0 = fa.tx();
  const r = measure((k) => { for (let i = 0; i < k; i++) fa.board.rx(1, frame); }, { n: 50000 });
  const last = fa.last();
  figure("IP-in-IP decapsulation + delivery by MAC", r.median, "ns/packet",
    `${fa.tx() - n0} delivered, visitor accepted: ${accepted === 1}, out ${last ? last.length : 0} bytes to ${last ? host.formatMac(last.subarray(0, 6)) : "-"}`);
}
