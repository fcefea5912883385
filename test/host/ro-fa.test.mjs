// Route optimization at a detunnelling node (assembly/mobility/ro.ts roExit; seed 001 §3.1, §4.1,
// §8.2, §8.3): a foreign agent with route optimization on receives tunnelled datagrams for a mobile
// node it has no visitor for. With a binding cache entry it re-tunnels them to the care-of address it
// knows and warns the mobile node's home agent about the stale tunnelling node (rate limited); without
// one it uses a special tunnel to the home address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { parseEthIp, udpOf, decap, ipip, udp } from "../lib/pkt.mjs";

const ip = (s) => host.parseIp(s);
const te = new TextEncoder();
const WLAN_MAC = host.mac("02:00:00:00:0a:01"), CORE_MAC = host.mac("02:00:00:00:0b:01");
const RTR_MAC = host.mac("02:00:00:00:0b:fe");
const FA_IP = ip("10.0.32.1"), FA_CORE = ip("10.1.0.2"), RTR = ip("10.1.0.1");
const HA = ip("10.8.0.1"), HOME = ip("10.8.0.5"), CN = ip("10.9.0.7"), NEW_COA = ip("10.0.64.1");
const FH = { spi: 0x2002, key: te.encode("fa-ha"), algorithm: "hmac-md5" };
const T0 = 2_000_000;

function start({ ro = { enabled: true, updateIntervalMs: 1000 } } = {}) {
  const clock = { t: T0 };
  const s = startBoard({
    name: "fa", board: "emulated", roles: ["foreign-agent"],
    interfaces: [
      { name: "wlan0", mac: "02:00:00:00:0a:01", ipv4: "10.0.32.1/19", advertise: true },
      { name: "eth0", mac: "02:00:00:00:0b:01", ipv4: "10.1.0.2/24" },
    ],
    routes: [{ dest: "default", via: "10.1.0.1" }],
    mobility: { lifetimeSec: 600, routeOptimization: ro },
    securityAssociations: [{ peer: "10.8.0.1", spi: FH.spi, algorithm: "hmac-md5", key: "text:fa-ha", use: "foreign-home" }],
  }, { now: () => clock.t });
  s.board.rx(1, host.arpFrame(1, RTR_MAC, RTR, new Uint8Array(6), FA_CORE));
  s.cap.tx.length = 0;
  return { ...s, clock };
}

const fromCore = (pkt) => host.ethFrame(CORE_MAC, RTR_MAC, 0x0800, pkt);

/** The home agent's Binding Update to this foreign agent (foreign-home association, 001 §7.2). */
function homeAgentUpdate(s, coa = NEW_COA) {
  let m = host.buildBindingUpdate({ flags: host.BU_I, lifetimeSec: 60, home: HOME, careOf: coa, id: host.ntpTimestamp(s.clock.t, 0, 3) });
  m = host.appendAuth(m, host.EXT_RO_AUTH, FH);
  return fromCore(host.buildUdp(HA, FA_CORE, 434, 434, m, 5, 60));
}

/** A datagram from the correspondent to the home address, tunnelled by `by` to this agent. */
function tunnelled(by, n = 0) {
  const inner = udp(CN, HOME, 7000, 7001, new Uint8Array(40).fill(n), { ttl: 60, id: n });
  return fromCore(ipip(by, FA_IP, inner, { ttl: 60, id: 100 + n }));
}

const sent = (s) => s.cap.tx.map((f) => parseEthIp(f.frame)).filter(Boolean);

test("001 §3.1/§4.1/§8.3: a tunnelled datagram for a moved node is re-tunnelled by the cache, and its home agent warned (rate limited)", () => {
  const s = start();
  s.board.rx(1, homeAgentUpdate(s));
  assert.equal(s.board.dump("bindingCache").length, 1);
  s.cap.tx.length = 0;
  for (let i = 0; i < 20; i++) { s.board.rx(1, tunnelled(CN, i)); s.clock.t += 10; }
  const out = sent(s);
  const data = out.filter((p) => p.proto === 4);
  assert.equal(data.length, 20, "every datagram re-tunnelled");
  for (const [i, p] of data.entries()) {
    assert.deepEqual([p.src, p.dst], [FA_CORE, NEW_COA]);
    assert.equal(decap(p).id, i, "in order");
    assert.equal(decap(p).ttl, 59, "forwarded: inner TTL - 1");
  }
  const warnings = out.map((p) => udpOf(p)).filter((u) => u && u.dport === 434).map((u) => host.parseRoMessage(u.data));
  assert.equal(warnings.length, 1, "one warning in 200 ms (001 §8.3)");
  assert.deepEqual([warnings[0].type, warnings[0].home, warnings[0].targets], [16, HOME, [CN]]);
  assert.equal(out.find((p) => p.proto === 17).dst, HA);
  s.clock.t += 1000;
  s.cap.tx.length = 0;
  s.board.rx(1, tunnelled(CN, 99));
  assert.equal(sent(s).filter((p) => udpOf(p)?.dport === 434).length, 1, "a new warning after the interval");
  const c = s.board.counters();
  assert.equal(c.ro_forwarded, 21);
  assert.equal(c.ro_bw_tx, 2);
});

test("001 §8.2: a foreign agent without visitor or cache entry sends the datagram by special tunnel to the home address", () => {
  const s = start();
  s.board.rx(1, tunnelled(HA, 1));
  const out = sent(s);
  assert.equal(out.length, 1);
  assert.deepEqual([out[0].proto, out[0].src, out[0].dst], [4, FA_CORE, HOME]);
  assert.deepEqual([decap(out[0]).src, decap(out[0]).dst], [CN, HOME]);
  assert.equal(s.board.counters().ro_special_tunnel_tx, 1);
  // A tunnel inside the tunnel is never re-tunnelled (RFC 2003 §3.2).
  s.cap.tx.length = 0;
  const nested = fromCore(ipip(HA, FA_IP, ipip(HA, HOME, udp(CN, HOME, 1, 2, new Uint8Array(8)), { ttl: 60 }), { ttl: 60 }));
  s.board.rx(1, nested);
  assert.equal(sent(s).length, 0);
  assert.equal(s.board.counters().drop_tunnel_no_exit, 1);
});

test("route optimization off: a tunnelled datagram without a visitor is dropped as before (no special tunnel)", () => {
  const s = start({ ro: { enabled: false } });
  s.board.rx(1, tunnelled(HA, 1));
  assert.equal(sent(s).length, 0);
  assert.equal(s.board.counters().drop_tunnel_no_exit, 1);
});
