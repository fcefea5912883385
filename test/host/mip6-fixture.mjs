// The links around a Mobile IPv6 home agent under test (mip6-ha, ha6-restore): the board `ha` has its home
// link on interface 0 (2001:db8:1::/64) and a foreign link on interface 1 (2001:db8:2::/64); a plain
// board is a correspondent on the home link and another the care-of address's neighbour on the foreign
// link. The test plays the mobile node: `send` puts an IPv6 packet on the foreign link as from the
// care-of address's MAC, `sent` decodes what the home agent transmitted since an index.
import { startBoard, host } from "./helpers.mjs";
import { eth, pkt6 } from "../lib/ip6.mjs";

export const HA_MAC_F = "02:00:00:00:02:01", COA_MAC = "02:00:00:00:02:0a", CN_MAC = "02:00:00:00:01:0c";

export function mip6Links(ha, lan, clock, { cn, coa }) {
  const plain = (name, mac, addr) => startBoard({
    name, board: "emulated", roles: ["host"], node: { ipv6: "dual", dadTransmits: 1 },
    interfaces: [{ name: "eth0", mac }], ipv6: [{ iface: "eth0", address: `${addr}/64` }],
  }, { now: () => clock.t });
  const cnBoard = plain("cn", CN_MAC, cn);
  const m = plain("m", COA_MAC, coa);
  lan.attach(ha, 0, "home"); lan.attach(ha, 1, "foreign"); lan.attach(cnBoard, 0, "home"); lan.attach(m, 0, "foreign");
  lan.run(5000);
  const send = (pkt) => { ha.board.rx(1, eth(host.parseMac(HA_MAC_F), host.parseMac(COA_MAC), 0x86dd, pkt)); lan.run(20); };
  const sent = (from, iface) => ha.cap.tx.slice(from).filter((t) => iface === undefined || t.iface === iface).map((t) => pkt6(t.frame)).filter(Boolean);
  return { cn: cnBoard, m, send, sent };
}
