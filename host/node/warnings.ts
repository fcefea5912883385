// Warnings for scenarios that validate but cannot work (issue 14 point 7), printed by `mipfw sim`
// before it runs: the run goes on (a scenario may mean to show the failure, e.g. mip-wrong-key), but a
// person who did not mean it learns why now rather than from a table of zeros.

import type { Scenario, ScNode } from "./sim/scenario.js";
import { formatIp } from "./config.js";

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const cidr = (ip: number, len: number) => `${formatIp(len === 0 ? 0 : (ip & (~0 << (32 - len))) >>> 0)}/${len}`;

/** Every warning for `sc`, in a fixed order (nodes in scenario order). */
export function scenarioWarnings(sc: Scenario): string[] {
  return [...keyWarnings(sc), ...encapWarnings(sc), ...rangeWarnings(sc), ...subnetWarnings(sc)];
}

function mobileNodes(sc: Scenario): ScNode[] {
  return sc.nodes.filter((n) => n.config.roles.includes("mobile-node") && n.config.mobility.homeAgent !== 0);
}
function homeAgentOf(sc: Scenario, mn: ScNode): ScNode | undefined {
  const ha = mn.config.mobility.homeAgent;
  return sc.nodes.find((n) => n !== mn && n.config.roles.includes("home-agent") && n.config.interfaces.some((i) => i.ip === ha));
}
function homeAddressOf(mn: ScNode): number {
  return mn.config.mobility.homeAddress || (mn.config.interfaces[0]?.ip ?? 0);
}

/** The mobile-home key of each mobile node against its home agent's association for its home address. */
function keyWarnings(sc: Scenario): string[] {
  const out: string[] = [];
  for (const mn of mobileNodes(sc)) {
    const ha = homeAgentOf(sc, mn);
    if (!ha) continue;
    const home = homeAddressOf(mn);
    const mine = mn.config.securityAssociations.find((s) => s.peer === mn.config.mobility.homeAgent && (s.use === "mobile-home" || s.use === undefined));
    if (!mine) continue;
    const direct = ha.config.securityAssociations.find((s) => s.spi === mine.spi && s.peer === home && s.use !== "master");
    // A master association with that SPI (seed 001 appendix A) is for correspondents' derived keys; whether
    // it stands for this node is the firmware's business: no claim either way.
    if (!direct && ha.config.securityAssociations.some((s) => s.spi === mine.spi && s.use === "master")) continue;
    const who = `${mn.config.name} (home address ${formatIp(home)}) and its home agent ${ha.config.name}`;
    if (!direct) {
      out.push(`${who}: the home agent has no security association for ${formatIp(home)} with SPI ${mine.spi}: every registration will be denied (131 Reg Deny (HA)- MN Failed Authentication)`);
      continue;
    }
    if (!eq(direct.key, mine.key) || direct.algorithm !== mine.algorithm) {
      out.push(`${who}: keys of SPI ${mine.spi} differ (${!eq(direct.key, mine.key) ? "key" : "algorithm"}): every registration will be denied (131 Reg Deny (HA)- MN Failed Authentication)`);
    }
  }
  return out;
}

/** A mobile node asking for an encapsulation its home agent does not offer. */
function encapWarnings(sc: Scenario): string[] {
  const out: string[] = [];
  for (const mn of mobileNodes(sc)) {
    const ha = homeAgentOf(sc, mn);
    if (!ha) continue;
    const want = mn.config.mobility.request.encapsulation;
    const offer = ha.config.mobility.encapsulations;
    if (!offer.includes(want)) out.push(`${mn.config.name} requests encapsulation ${want}, its home agent ${ha.config.name} offers ${offer.join(", ") || "none"}: registrations will be denied (139 Reg Deny (HA)- Requested Encapsulation Unavailable)`);
  }
  return out;
}

/** Wi-Fi stations that are never within range of any access point over the run. */
function rangeWarnings(sc: Scenario): string[] {
  const out: string[] = [];
  if (sc.accessPoints.length === 0) {
    for (const n of sc.nodes) if (n.attach.includes("wifi")) out.push(`${n.config.name} has a Wi-Fi interface but the scenario has no access points: it never gets a link`);
    return out;
  }
  const inRange = (x: number, y: number) => sc.accessPoints.some((a) => Math.hypot(x - a.x, y - a.y) <= a.rangeM);
  for (const n of sc.nodes) {
    if (!n.attach.includes("wifi")) continue;
    let ever = false;
    const m = n.mobility;
    if (m && m.type === "randomWalk") {
      // Some point of the area within some access point's range (nearest point of the rectangle).
      const { x0, y0, x1, y1 } = m.area;
      ever = sc.accessPoints.some((a) => Math.hypot(a.x - Math.min(Math.max(a.x, Math.min(x0, x1)), Math.max(x0, x1)), a.y - Math.min(Math.max(a.y, Math.min(y0, y1)), Math.max(y0, y1))) <= a.rangeM);
    } else if (m && m.type === "waypoints") {
      const pts = m.points;
      for (let i = 0; i < pts.length && !ever; i++) {
        const a = pts[i], b = pts[i + 1] ?? pts[i];
        const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y))); // every metre of the leg
        for (let k = 0; k <= steps && !ever; k++) ever = inRange(a.x + (b.x - a.x) * k / steps, a.y + (b.y - a.y) * k / steps);
      }
    } else {
      const p = n.position ?? { x: 0, y: 0 };
      ever = inRange(p.x, p.y);
    }
    if (!ever) out.push(`${n.config.name} is never within range of an access point (${sc.accessPoints.map((a) => `${a.name} at ${a.x},${a.y} range ${a.rangeM} m`).join("; ")}): its Wi-Fi link never comes up`);
  }
  return out;
}

/** One IPv4 subnet on interfaces plugged into different segments (routes cannot tell them apart). */
function subnetWarnings(sc: Scenario): string[] {
  const where = new Map<string, Map<string, string[]>>(); // subnet -> segment -> "node.iface"
  for (const n of sc.nodes) {
    n.config.interfaces.forEach((i, k) => {
      const seg = n.attach[k];
      if (!seg || seg === "wifi" || i.ip === 0 || i.dhcp || i.prefixLen >= 31) return;
      const net = cidr(i.ip, i.prefixLen);
      const m = where.get(net) ?? new Map<string, string[]>();
      m.set(seg, [...(m.get(seg) ?? []), `${n.config.name}.${i.name}`]);
      where.set(net, m);
    });
  }
  const out: string[] = [];
  for (const [net, segs] of where) {
    if (segs.size > 1) out.push(`subnet ${net} is on ${segs.size} segments (${[...segs].map(([s, ifs]) => `${s}: ${ifs.join(", ")}`).join("; ")}): routes to it reach only one of them`);
  }
  return out;
}
