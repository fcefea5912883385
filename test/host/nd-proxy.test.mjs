// Proxy Neighbor Discovery (issue 12.3, RFC 2461 §7.2.8): the home agent (issue 13) answers solicitations
// for the addresses of mobile nodes away from home. The entries are set at run time by the roles, so this
// test build adds an export; the table is the one proxy ARP uses (stack/arp.ts, 16-byte keys).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host, compileTestModule } from "./helpers.mjs";
import { ip6, fmt6, eth, pkt6, icmp6Of, icmp6Packet, Lan } from "../lib/ip6.mjs";

const ENTRY_SRC = `export * from "./index";
import { proxyAddAddr, proxyRemoveAddr } from "./stack/arp";
const buf = memory.data(16, 8);
export function test_buf(): usize { return buf; }
export function test_proxy_add(iface: i32): i32 { return proxyAddAddr(iface, buf) ? 1 : 0; }
export function test_proxy_remove(): void { proxyRemoveAddr(buf); }
`;
let mod;
before(async () => { mod = await compileTestModule("ndproxy", ENTRY_SRC); });

const HA_MAC = "02:00:00:00:01:01", C_MAC = "02:00:00:00:01:30";

test("a proxy entry makes the node answer solicitations for the address with its own link-layer address, without Override; removed, it stops", () => {
  const clock = { t: 1000 };
  const lan = new Lan(clock);
  const ha = startBoard({ name: "ha", board: "emulated", roles: ["router", "host"], sizes: { bindings: 4 }, node: { ipv6: "dual" },
    interfaces: [{ name: "eth0", mac: HA_MAC }], ipv6: [{ iface: "eth0", address: "2001:db8:1::1/64" }] }, { now: () => clock.t, module: mod });
  lan.attach(ha, 0, "a");
  lan.run(3000);
  const mnHome = "2001:db8:1::20";
  const set = () => new Uint8Array(ha.board.x.memory.buffer, ha.board.x.test_buf(), 16).set(ip6(mnHome));
  const ns = () => {
    const body = new Uint8Array(24); body.set(ip6(mnHome), 0); body.set([1, 1], 16); body.set(host.parseMac(C_MAC), 18);
    const sol = ip6("ff02::1:ff00:20");
    ha.board.rx(0, eth(host.parseMac("33:33:ff:00:00:20"), host.parseMac(C_MAC), 0x86dd, icmp6Packet(ip6("2001:db8:1::30"), sol, 135, 0, new Uint8Array(4), body, 255)));
  };
  const nas = () => ha.cap.tx.map((t) => ({ f: t.frame, m: icmp6Of(pkt6(t.frame)) })).filter((x) => x.m && x.m[0] === 136);
  ns();
  assert.equal(nas().length, 0, "no entry: not answered");
  set();
  assert.equal(ha.board.x.test_proxy_add(0), 1);
  ns();
  const a = nas();
  assert.equal(a.length, 1, "answered by proxy");
  const m = a[0].m;
  assert.equal(fmt6(m.subarray(8, 24)), mnHome, "target: the proxied address");
  assert.equal(m[4] & 0x20, 0, "Override clear (RFC 2461 §7.2.8: the owner, when back, wins)");
  assert.equal(m[4] & 0x40, 0x40, "Solicited");
  assert.equal(host.formatMac(m.subarray(26, 32)), HA_MAC, "the proxy's own link-layer address");
  assert.equal(host.formatMac(a[0].f.subarray(0, 6)), C_MAC, "unicast to the solicitor");
  ha.board.x.test_proxy_remove();
  ns();
  assert.equal(nas().length, 1, "removed: no more answers");
});
