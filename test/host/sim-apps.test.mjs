// Applications and host-side packets: checksums of the packets the apps build, the sink's loss /
// duplicate / reordering / latency accounting (directly and with known faults injected into a
// running network), percentiles, and ping statistics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, firmware } from "./helpers.mjs";

const { buildUdp, buildEchoRequest, checksum, parseIpv4, Ipv4Info, udpValid, icmpValid, Sink, SeqSet, percentile, Simulation, validateScenario, parseIp } = host;

test("packet: IPv4 header checksum matches a known header; UDP and ICMP checksums verify", () => {
  // 45 00 0073 0000 4000 40 11 b861 c0a80001 c0a800c7: a well-known header with checksum 0xb861.
  const known = Uint8Array.from([0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0xb8, 0x61, 192, 168, 0, 1, 192, 168, 0, 199]);
  assert.equal(checksum(known, 0, 20), 0);
  known[10] = 0; known[11] = 0;
  assert.equal(checksum(known, 0, 20), 0xb861);

  const src = parseIp("10.0.1.10"), dst = parseIp("10.0.2.10");
  const udp = buildUdp(src, dst, 40000, 5000, Uint8Array.from([1, 2, 3, 4, 5]), 7);
  assert.equal(udp.length, 33);
  const ip = new Ipv4Info();
  assert.equal(parseIpv4(udp, ip), 0);
  assert.deepEqual([ip.src, ip.dst, ip.proto, ip.ttl, ip.id, ip.off, ip.len], [src, dst, 17, 64, 7, 20, 13]);
  assert.ok(udpValid(udp, ip));
  udp[30] ^= 1;
  assert.ok(!udpValid(udp, ip), "a flipped payload bit fails the UDP checksum");

  const echo = buildEchoRequest(src, dst, 0x1234, 9, new Uint8Array(56).fill(0x61));
  assert.equal(parseIpv4(echo, ip), 0);
  assert.equal(ip.proto, 1);
  assert.ok(icmpValid(echo, ip));
  assert.deepEqual([echo[20], echo[21], (echo[24] << 8) | echo[25], (echo[26] << 8) | echo[27]], [8, 0, 0x1234, 9]);
  echo[10] ^= 0xff;
  assert.notEqual(parseIpv4(echo, ip), 0, "a bad header checksum is refused");
});

function payload(flow, seq, sentUs) {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, flow); dv.setUint32(4, seq); dv.setUint32(8, Math.floor(sentUs / 2 ** 32)); dv.setUint32(12, sentUs >>> 0);
  return b;
}

test("sink: received, lost, duplicates, reordered and one-way latency", () => {
  const sink = new Sink("f", 3, 5000);
  sink.source = { sent: 8 };
  const arrivals = [[0, 0, 1000], [1, 10, 1010], [2, 20, 1500], [4, 40, 1100], [3, 30, 1300], [3, 30, 1400], [6, 60, 1060]];
  for (const [seq, sent, at] of arrivals) sink.receive(payload(3, seq, sent), 0, 32, at);
  assert.equal(sink.receive(payload(4, 9, 0), 0, 32, 0), -1, "another flow's datagram");
  assert.equal(sink.receive(new Uint8Array(8), 0, 8, 0), -1, "too short");
  assert.deepEqual([sink.received, sink.lost, sink.duplicates, sink.reordered, sink.foreign], [6, 2, 1, 1, 2]);
  assert.deepEqual([...sink.latency.sorted()], [1000, 1000, 1000, 1060, 1270, 1480]);
  const lat = sink.latency.sorted();
  assert.deepEqual([percentile(lat, 50), percentile(lat, 99), percentile(lat, 100), percentile(lat, 0)], [1000, 1480, 1480, 1000]);
  assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
  const s = new SeqSet();
  [0, 1, 2, 5, 9].forEach((x) => s.add(x));
  assert.equal(s.missing(0, 10), 5);
  s.add(100000);
  assert.ok(s.has(100000) && !s.has(99999));
});

const demo = JSON.parse(readFileSync(new URL("../../scenarios/demo-router.json", import.meta.url), "utf8"));

test("apps through the network: injected drops, duplicates and a reordering are counted exactly", () => {
  const sim = new Simulation(validateScenario(demo), firmware);
  const lan2 = sim.segments.get("lan2");
  const send = lan2.send.bind(lan2);
  // Intercept CBR frames the router puts on lan2: UDP to port 5000 (Ethernet 14 + IP 20 + UDP 8, seq at +4).
  let held = null;
  lan2.send = (from, frame) => {
    const isCbr = frame.length > 50 && frame[12] === 8 && frame[13] === 0 && frame[23] === 17 && ((frame[36] << 8) | frame[37]) === 5000;
    if (!isCbr) return send(from, frame);
    const seq = new DataView(frame.buffer, frame.byteOffset + 42 + 4, 4).getUint32(0);
    if (seq % 50 === 7) return true;                       // dropped: 8 of 400
    if (seq === 100 || seq === 200) { send(from, frame); return send(from, frame); } // duplicated
    if (seq === 300) { held = [from, frame]; return true; } // held back...
    if (seq === 301) { send(from, frame); return send(...held); } // ...and sent after 301
    return send(from, frame);
  };
  sim.run();
  const f = sim.summary().flows[0];
  assert.deepEqual([f.sent, f.received, f.lost, f.duplicates, f.reordered], [400, 392, 8, 2, 1]);
  assert.ok(f.latencyMs.p50 > 0 && f.latencyMs.p50 <= f.latencyMs.p99 && f.latencyMs.p99 <= f.latencyMs.max);
});

test("ping: every request answered by the destination core, RTT stats; a lossy path loses some", () => {
  const sim = new Simulation(validateScenario(demo), firmware);
  sim.run();
  const pings = sim.summary().pings;
  for (const p of pings) {
    assert.ok(p.sent > 0);
    assert.equal(p.received, p.sent, p.name);
    assert.equal(p.lost, 0);
    assert.ok(p.rttMs.min > 0 && p.rttMs.min <= p.rttMs.avg && p.rttMs.avg <= p.rttMs.max);
  }
  const icmpReplies = sim.summary().boards.h2.counters.icmp_tx_echo_reply;
  assert.equal(icmpReplies, pings.find((p) => p.name === "ping-h1-h2").received, "replies come from h2's core");

  const lossy = structuredClone(demo);
  lossy.segments[1].loss = 0.3;
  lossy.durationMs = 25000;
  lossy.apps = [{ type: "ping", name: "p", from: "h1", to: "h2", intervalMs: 100, count: 200, startMs: 0 }];
  const s2 = new Simulation(validateScenario(lossy), firmware);
  s2.run();
  const p = s2.summary().pings[0];
  assert.equal(p.sent, 200);
  // Request and reply each cross lan2 once: P(ok) = 0.7^2 = 0.49 (ARP retries aside).
  assert.ok(p.received > 70 && p.received < 130, `received ${p.received}`);
  assert.equal(p.lost, p.sent - p.received);
});
