// Agent discovery, agent side (assembly/mobility/agent.ts; RFC 2002 §2, RFC 1256): periodic Agent
// Advertisements on advertising interfaces only (contents, sequence numbers and their wrap to 256,
// jitter, TTL 1 to 224.0.0.1), Agent Solicitations answered at once by unicast, flags per role.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";

const ip = (s) => host.parseIp(s);
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const MN_MAC = host.mac("02:00:00:00:0a:99");
const FA_IP = ip("10.0.32.1"), HOME = ip("10.8.0.5");
const ALL_SYSTEMS_MAC = Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x01);

const faJson = (mobility = {}, extra = {}) => ({
  name: "fa", board: "emulated", roles: ["foreign-agent"],
  interfaces: [
    { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
    { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
  ],
  routes: [{ dest: "default", via: "10.1.0.1" }],
  mobility: { lifetimeSec: 600, advertIntervalMs: 1000, advertLifetimeSec: 3, ...mobility },
  ...extra,
});

const get16 = (b, o) => (b[o] << 8) | b[o + 1];
const get32 = (b, o) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Decoded advertisement frames sent so far: Ethernet, IPv4 and the parsed advertisement. */
function adverts(cap) {
  const out = [];
  for (const { iface, frame: f } of cap.tx) {
    if (f.length < 34 || get16(f, 12) !== 0x0800 || f[23] !== 1 || f[34] !== 9) continue;
    const hl = (f[14] & 15) * 4;
    const icmp = f.subarray(14 + hl, 14 + get16(f, 16));
    out.push({
      iface, dstMac: f.subarray(0, 6), srcMac: f.subarray(6, 12), ttl: f[22], src: get32(f, 26), dst: get32(f, 30),
      ipChecksumOk: host.checksum(f, 14, hl) === 0, icmpChecksumOk: host.checksum(icmp, 0, icmp.length) === 0,
      code: icmp[1], adv: host.parseAgentAdvert(icmp),
    });
  }
  return out;
}

/** An Agent Solicitation (ICMP type 10) from the mobile node, as a frame. */
function solicitation({ src = HOME, dst = ip("224.0.0.2"), code = 0, ttl = 1, dstMac = Uint8Array.of(1, 0, 0x5e, 0, 0, 2) } = {}) {
  const b = new Uint8Array(28);
  b[20] = 10; b[21] = code;
  const c = host.checksum(b, 20, 8);
  b[22] = c >> 8; b[23] = c & 255;
  host.writeIpv4Header(b, 28, 1, src, dst, 7, ttl);
  return host.ethFrame(dstMac, MN_MAC, 0x0800, b);
}

test("the first advertisement goes out at start, on the advertising interface only, with every field", () => {
  const { board, cap } = startBoard(faJson(), { now: () => 0 });
  const a = adverts(cap);
  assert.equal(a.length, 1);
  const [x] = a;
  assert.equal(x.iface, 0);
  assert.deepEqual(x.dstMac, ALL_SYSTEMS_MAC);
  assert.deepEqual(x.srcMac, WLAN_MAC);
  assert.equal(x.ttl, 1, "RFC 2002 §2.3: link-local");
  assert.equal(x.src, FA_IP);
  assert.equal(x.dst, ip("224.0.0.1"));
  assert.ok(x.ipChecksumOk && x.icmpChecksumOk);
  assert.equal(x.code, 0, "a foreign agent routes common traffic too");
  assert.deepEqual(x.adv, {
    routers: [FA_IP], lifetimeSec: 3, seq: 0, regLifetimeSec: 600, flags: host.MA_F | host.MA_R,
    careOf: [FA_IP], prefixLengths: [19],
  });
  assert.equal(board.counters().agent_advert_tx, 1);
});

test("advertisements repeat every advertIntervalMs plus 0-10 % jitter, the sequence number counting up", () => {
  let t = 0;
  const { board, cap } = startBoard(faJson(), { now: () => t });
  let next = board.tick(t);
  for (let i = 1; i <= 5; i++) {
    const prev = t;
    assert.ok(next - prev >= 1000 && next - prev <= 1100, `interval ${next - prev}`);
    t = next - 1;
    board.tick(t);
    assert.equal(adverts(cap).length, i, "nothing before the deadline");
    t = next;
    next = board.tick(t);
    const a = adverts(cap);
    assert.equal(a.length, i + 1);
    assert.equal(a.at(-1).adv.seq, i);
    assert.equal(a.at(-1).iface, 0);
  }
});

test("a solicitation is answered at once, unicast to the soliciter's address and MAC", () => {
  let t = 500;
  const { board, cap } = startBoard(faJson(), { now: () => t });
  board.rx(0, solicitation());
  const a = adverts(cap);
  assert.equal(a.length, 2);
  const r = a[1];
  assert.equal(r.iface, 0);
  assert.deepEqual(r.dstMac, MN_MAC, "no ARP for a home address that is not on this link");
  assert.equal(r.dst, HOME);
  assert.equal(r.ttl, 1);
  assert.equal(r.adv.seq, 1, "one sequence number per advertisement sent");
  assert.deepEqual(r.adv.careOf, [FA_IP]);
  // A node without an address yet (source 0.0.0.0) gets the limited broadcast, still to its MAC.
  board.rx(0, solicitation({ src: 0, dst: ip("255.255.255.255"), dstMac: host.BROADCAST_MAC }));
  const b = adverts(cap)[2];
  assert.equal(b.dst, 0xffffffff);
  assert.deepEqual(b.dstMac, MN_MAC);
  assert.equal(b.adv.seq, 2);
  // Unicast to the agent works as well.
  board.rx(0, solicitation({ dst: FA_IP, dstMac: WLAN_MAC }));
  assert.equal(adverts(cap)[3].adv.seq, 3);
  assert.equal(board.counters().agent_solicit_rx, 3);
  // The periodic one continues the same sequence.
  t = board.tick(t);
  board.tick(t);
  assert.equal(adverts(cap)[4].adv.seq, 4);
});

test("solicitations with a code other than 0 are discarded; none are answered on other interfaces", () => {
  const { board, cap } = startBoard(faJson(), { now: () => 0 });
  board.rx(0, solicitation({ code: 1 }));
  assert.equal(adverts(cap).length, 1);
  assert.equal(board.counters().drop_icmp_malformed, 1);
  board.rx(1, host.ethFrame(CORE_MAC, MN_MAC, 0x0800, solicitation({ src: ip("10.1.0.9"), dst: ip("10.1.0.2") }).subarray(14)));
  assert.equal(adverts(cap).length, 1, "eth0 does not advertise");
  assert.equal(board.counters().agent_solicit_rx, 0);
});

test("after 0xffff the sequence number continues at 256 (RFC 2002 §2.3)", () => {
  const { board, cap } = startBoard(faJson(), { now: () => 0 });
  const frame = solicitation();
  let last = -1, seen65535 = false;
  for (let i = 1; i <= 65536; i++) {
    board.rx(0, frame);
    if (i % 4096 === 0 || i >= 65534) {
      const a = adverts(cap);
      last = a.at(-1).adv.seq;
      if (last === 0xffff) seen65535 = true;
      cap.tx.length = 0;
    }
  }
  assert.ok(seen65535);
  assert.equal(last, 256, "the advertisement after 0xffff carries 256");
});

test("flags: busy sets B; a home agent on its home link sets H, never F or R; M and G follow the encapsulations", () => {
  {
    const { cap } = startBoard(faJson({ busy: true }), { now: () => 0 });
    assert.equal(adverts(cap)[0].adv.flags, host.MA_F | host.MA_R | host.MA_B);
  }
  {
    const { cap } = startBoard(faJson({ encapsulations: ["ipip", "minimal", "gre"] }), { now: () => 0 });
    assert.equal(adverts(cap)[0].adv.flags, host.MA_F | host.MA_R | host.MA_M | host.MA_G);
  }
  {
    const ha = {
      name: "ha", board: "emulated", roles: ["home-agent"],
      interfaces: [
        { name: "eth0", mac: "02:00:00:00:0c:01", ipv4: "10.8.0.1/24", advertise: true, home: true },
        { name: "eth1", mac: "02:00:00:00:0d:01", ipv4: "10.1.0.3/24" },
      ],
      mobility: { lifetimeSec: 1800, encapsulations: ["ipip", "gre"] },
    };
    const { cap } = startBoard(ha, { now: () => 0 });
    const a = adverts(cap);
    assert.equal(a.length, 1);
    assert.equal(a[0].src, ip("10.8.0.1"));
    assert.deepEqual(a[0].adv, {
      routers: [ip("10.8.0.1")], lifetimeSec: 3, seq: 0, regLifetimeSec: 1800, flags: host.MA_H | host.MA_G,
      careOf: [], prefixLengths: [24],
    });
  }
});

test("a down link sends nothing but keeps its period; the sequence resumes where it was", () => {
  let t = 0;
  const { board, cap } = startBoard(faJson(), { now: () => t });
  board.link(0, false);
  for (let i = 0; i < 3; i++) { t = board.tick(t); board.tick(t); }
  assert.equal(adverts(cap).length, 1, "only the one sent at start");
  board.link(0, true);
  t = board.tick(t); board.tick(t);
  const a = adverts(cap);
  assert.equal(a.length, 2);
  assert.equal(a[1].adv.seq, 1);
});

test("agents share the stack timer heap: one timer per advertising interface", () => {
  // Both interfaces advertise: two timers, both fire.
  const json = faJson();
  json.interfaces[1].advertise = true;
  let t = 0;
  const { board, cap } = startBoard(json, { now: () => t });
  assert.deepEqual(adverts(cap).map((a) => a.iface), [0, 1]);
  t = board.tick(t); board.tick(t);
  t = board.tick(t); board.tick(t);
  const a = adverts(cap);
  assert.equal(a.filter((x) => x.iface === 0).length, a.filter((x) => x.iface === 1).length);
  const eth = a.filter((x) => x.iface === 1).at(-1);
  assert.deepEqual(eth.adv.careOf, [ip("10.1.0.2")]);
  assert.deepEqual(eth.adv.prefixLengths, [24]);
});
