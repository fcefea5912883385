// Scenario files (docs/scenarios.md): segments, access points, nodes with inline node configurations
// and where each interface attaches, mobility, applications, duration and seed. The fields, ranges and
// defaults are data (schema/scenario.fields.json), walked by the walker of node configurations
// (host/node/config.ts); the cross-field rules the description names are the functions of RULES below.
// Every refusal names the field, what was expected and what was found.

import { validateConfig, encodeConfig, ConfigError, parseIp, parseIp6, formatIp, formatIp6, formatMac, BOARDS, walkDescription, type ValidConfig, type BoardProfile, type Description, type Walk, type Tree } from "../config.js";
import FIELDS from "../../../schema/scenario.fields.json";
import type { SegmentParams } from "./segment.js";

export interface ScSegment extends SegmentParams { name: string }
export interface ScAccessPoint {
  name: string; segment: string; bssid: Uint8Array; x: number; y: number; rangeM: number;
  assocDelayUs: number; cell: SegmentParams;
}
export interface Waypoint { atMs: number; x: number; y: number }
export type Mobility =
  | { type: "waypoints"; points: Waypoint[] }
  | { type: "randomWalk"; speedMps: [number, number]; area: { x0: number; y0: number; x1: number; y1: number }; pauseMs: number };
/** Where an interface is plugged: a segment name, "wifi" (associates with access points), or nothing. */
export type Attachment = string | null;
export interface ScNode {
  config: ValidConfig;
  /** Per interface index. */
  attach: Attachment[];
  position: { x: number; y: number } | null;
  mobility: Mobility | null;
}
export interface ScCbr {
  type: "cbr"; name: string; from: string; to: string; dst: number; family: "ipv4" | "ipv6"; dst6: number[] | null; port: number; sourcePort: number;
  /** A flow to an IPv6 multicast group: the node whose sink counts it (null: `to`). */
  listener: string | null;
  ratePps: number; sizeBytes: number; startMs: number; stopMs: number;
}
export interface ScPing {
  type: "ping"; name: string; from: string; to: string; dst: number; family: "ipv4" | "ipv6"; dst6: number[] | null; intervalMs: number; count: number;
  sizeBytes: number; startMs: number; stopMs: number;
}
export type ScApp = ScCbr | ScPing;
/** A DHCP server of the emulated network (JavaScript, not firmware): nodes[] entry of kind "dhcp-server". */
export interface ScDhcpServer {
  name: string; mac: Uint8Array; ip: number; prefixLen: number; segment: string;
  poolStart: number; poolEnd: number; router: number; dns: number[]; leaseSec: number;
  replyDelayUs: number; offerHoldUs: number;
}
/** Something that happens at a given time: scenario "actions" (docs/scenarios.md). */
export type ScAction =
  | { type: "stop" | "start" | "restart"; atUs: number; node: string }
  | { type: "inject"; atUs: number; segment: string; frame: Uint8Array; count: number; intervalUs: number }
  | { type: "replayLastRegistration"; atUs: number; segment: string };
/**
 * Configuration added to a running node (scenario "changes"): `records` is a configuration buffer (header
 * and ADDR6 records) for the core's config_add; `what` says it in words (events, timeline).
 */
export interface ScChange { atUs: number; node: string; records: Uint8Array; what: string }
export interface Scenario {
  name: string; description: string; seed: number; durationMs: number; mobilityStepMs: number;
  /** linkHints: the Wi-Fi driver reports every (dis)association to the board (link() events). */
  wifi: { hysteresisDb: number; linkHints: boolean };
  segments: ScSegment[]; accessPoints: ScAccessPoint[]; nodes: ScNode[]; apps: ScApp[];
  dhcpServers: ScDhcpServer[]; actions: ScAction[]; changes: ScChange[];
}

export class ScenarioError extends ConfigError {}

/** The description of a scenario file (schema/scenario.fields.json). */
export const SCENARIO_DESCRIPTION = FIELDS as unknown as Description;
const ROOT = SCENARIO_DESCRIPTION.root;

/** Link parameters as the simulator takes them, from a segment's or access point's fields (ms, Mbps). */
function linkParams(t: Tree): SegmentParams {
  return {
    delayUs: Math.round(t.delayMs * 1000), jitterUs: Math.round(t.jitterMs * 1000), loss: t.loss,
    bandwidthBps: t.bandwidthMbps * 1e6, queueFrames: t.queueFrames,
  };
}
const defaultsOf = (f: { fields?: Record<string, { default?: unknown }> }): Tree => Object.fromEntries(Object.entries(f.fields!).map(([k, x]) => [k, x.default]));
export const SEGMENT_DEFAULTS: SegmentParams = linkParams(defaultsOf(ROOT.fields!.segments.items!));
export const CELL_DEFAULTS: SegmentParams = linkParams(defaultsOf(ROOT.fields!.accessPoints.items!));

/** What the rules learn and pass on (names, resolved attachments), for one validation. */
interface Ctx {
  /** Every node name given (board or dhcp-server), in order. */
  nodeNames: string[]; dhcpNames: Set<string>;
  /** Board nodes whose configuration is valid, by name. */
  boards: Map<string, ValidConfig>;
}
type Rule = (w: Walk, raw: Record<string, unknown>, c: Ctx) => void;

const list = (w: Walk, k: string): (Tree | undefined)[] => w.tree[k];
const names = (items: (Tree | undefined)[]): string[] => items.flatMap((x) => x?.name === undefined ? [] : [x.name]);
const segmentsExpected = (w: Walk): string => `one of the segments ${names(list(w, "segments")).join(", ") || "(none defined)"}`;
const boardsOf = (w: Walk): [Tree, number][] => list(w, "nodes").flatMap((n, i): [Tree, number][] => n?.kind === "board" && n.config ? [[n, i]] : []);
/** The field a board node's movement was given in: "movement", or "mobility" (the older spelling). */
const movementKey = (raw: Record<string, unknown>, i: number): string => (raw.nodes as Tree[])[i].movement === undefined ? "mobility" : "movement";
function onSubnet(ip: number, len: number, a: number): boolean {
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return ((a ^ ip) & mask) >>> 0 === 0 && (a & ~mask) >>> 0 !== 0 && (a | mask) >>> 0 !== 0xffffffff;
}

/** The rules of schema/scenario.fields.json "rules", by name (run in the description's order). */
export const RULES: Record<string, Rule> = {
  cellNames(w) {
    const seen = new Map<string, string>(); // segment/AP names share one namespace (pcap file names)
    for (const k of ["segments", "accessPoints"]) list(w, k).forEach((s, i) => {
      if (s?.name === undefined) return;
      if (seen.has(s.name)) w.bad(`${k}[${i}].name`, `a name not used by ${seen.get(s.name)}`, s.name);
      if (k === "segments" && s.name === "wifi") w.bad(`${k}[${i}].name`, "a name other than \"wifi\"", s.name);
      seen.set(s.name, `${w.where}.${k}[${i}]`);
    });
  },
  segmentRef(w) {
    const segs = names(list(w, "segments"));
    const check = (v: unknown, at: string) => { if (typeof v !== "string" || !segs.includes(v)) w.bad(at, segmentsExpected(w), v); };
    list(w, "accessPoints").forEach((a, i) => a && check(a.segment, `accessPoints[${i}].segment`));
    list(w, "nodes").forEach((n, i) => n?.kind === "dhcp-server" && check(n.attach, `nodes[${i}].attach`));
  },
  nodeNames(w, raw, c) {
    list(w, "nodes").forEach((n, i) => {
      const name = n?.kind === "board" ? (raw.nodes as Tree[])[i].name : n?.name;
      if (typeof name !== "string") return;
      if (c.nodeNames.includes(name)) w.bad(`nodes[${i}].name`, "a node name not used by another node", name);
      c.nodeNames.push(name);
      if (n!.kind === "dhcp-server") c.dhcpNames.add(name);
    });
    for (const [n] of boardsOf(w)) c.boards.set(n.config.name, n.config);
  },
  uniqueMacs(w, raw) {
    const macs = new Map<string, string>();
    list(w, "nodes").forEach((n, i) => {
      if (n?.kind === "board" && n.config) (n.config as ValidConfig).interfaces.forEach((x, j) => {
        const m = formatMac(x.mac);
        if (macs.has(m)) w.bad(`nodes[${i}].interfaces[${j}].mac`, `a MAC address not used by ${macs.get(m)}`, m);
        macs.set(m, `${n.config.name}.${x.name}`);
      });
      if (n?.kind === "dhcp-server" && n.mac) {
        const m = formatMac(n.mac);
        if (macs.has(m)) w.bad(`nodes[${i}].mac`, `a MAC address not used by ${macs.get(m)}`, (raw.nodes as Tree[])[i].mac);
        macs.set(m, n.name);
      }
    });
  },
  dhcpSubnet(w, raw) {
    list(w, "nodes").forEach((n, i) => {
      if (n?.kind !== "dhcp-server") return;
      const r = (raw.nodes as Tree[])[i], at = `nodes[${i}]`;
      const on = (a: number) => !n.ipv4 || onSubnet(n.ipv4[0], n.ipv4[1], a);
      const a: number | undefined = n.pool?.start, b: number | undefined = n.pool?.end;
      if (a !== undefined && !on(a)) w.bad(`${at}.pool.start`, "a host address on the server's subnet", r.pool.start);
      if (b !== undefined && !on(b)) w.bad(`${at}.pool.end`, "a host address on the server's subnet", r.pool.end);
      if (a !== undefined && b !== undefined) {
        if (b < a) w.bad(`${at}.pool.end`, `an address not below start (${formatIp(a)})`, r.pool.end);
        else if (b - a >= 65536) w.bad(`${at}.pool`, "at most 65536 addresses", `${b - a + 1} addresses`);
        else if (n.ipv4 && n.ipv4[0] >= a && n.ipv4[0] <= b) w.bad(`${at}.pool`, `a range that leaves out the server's own address ${formatIp(n.ipv4[0])}`, r.pool);
      }
      if (n.router !== undefined && !on(n.router)) w.bad(`${at}.router`, "a router address on the server's subnet", r.router);
    });
  },
  attach(w) {
    const segs = names(list(w, "segments"));
    for (const [n, i] of boardsOf(w)) {
      const ifs = (n.config as ValidConfig).interfaces;
      n.attached = ifs.map(() => null);
      if (!n.attach) continue; // refused by the walker
      for (const [ifName, target] of Object.entries(n.attach as Tree)) {
        const idx = ifs.findIndex((x) => x.name === ifName);
        if (idx < 0) { w.bad(`nodes[${i}].attach.${ifName}`, `one of the interfaces ${ifs.map((x) => x.name).join(", ")}`, ifName); continue; }
        if (target === null) continue;
        if (target === "wifi" || (typeof target === "string" && segs.includes(target))) n.attached[idx] = target;
        else w.bad(`nodes[${i}].attach.${ifName}`, `"wifi", null or one of the segments ${segs.join(", ") || "(none defined)"}`, target);
      }
      for (const x of ifs) if (!Object.hasOwn(n.attach, x.name)) w.bad(`nodes[${i}].attach.${x.name}`, "a segment name, \"wifi\" or null for every interface", undefined);
    }
  },
  waypointOrder(w, raw) {
    for (const [n, i] of boardsOf(w)) {
      let last: number | undefined;
      if (n.movement?.type === "waypoints") (n.movement.points as (Tree | undefined)[]).forEach((p, j) => {
        if (p?.atMs === undefined) return;
        if (last !== undefined && p.atMs < last) w.bad(`nodes[${i}].${movementKey(raw, i)}.points[${j}].atMs`, `a time not before the previous point (${last})`, p.atMs);
        last = p.atMs;
      });
    }
  },
  walkArea(w, raw) {
    for (const [n, i] of boardsOf(w)) {
      const a = n.movement?.type === "randomWalk" ? n.movement.area : undefined;
      const k = movementKey(raw, i);
      if (a && (a.x1 < a.x0 || a.y1 < a.y0)) w.bad(`nodes[${i}].${k}.area`, "x0 <= x1 and y0 <= y1", (raw.nodes as Tree[])[i][k].area);
    }
  },
  startPosition(w) {
    for (const [n, i] of boardsOf(w)) {
      const m = n.movement;
      if (!n.position && m?.type === "waypoints") n.position = { x: m.points[0]?.x ?? 0, y: m.points[0]?.y ?? 0 };
      if (!n.position && m?.type === "randomWalk" && m.area) n.position = { x: (m.area.x0 + m.area.x1) / 2, y: (m.area.y0 + m.area.y1) / 2 };
      const wifi = n.attached.includes("wifi");
      if (wifi && !n.position) w.bad(`nodes[${i}].position`, "a position {x, y} (or a movement) for a node with a \"wifi\" interface", undefined);
      if (wifi && !list(w, "accessPoints").some(Boolean)) w.bad(`nodes[${i}].attach`, "access points in the scenario for a \"wifi\" interface", "no accessPoints");
    }
  },
  appEnds(w, _raw, c) {
    const all = c.nodeNames.join(", ");
    const v4 = (cfg: ValidConfig): number => cfg.interfaces.find((x) => x.ip !== 0)?.ip ?? 0;
    list(w, "apps").forEach((a, i) => {
      if (!a) return;
      const from = typeof a.from === "string" ? c.boards.get(a.from) : undefined;
      if (typeof a.from !== "string" || !c.nodeNames.includes(a.from)) w.bad(`apps[${i}].from`, `one of the nodes ${all}`, a.from);
      else if (!from && c.dhcpNames.has(a.from)) w.bad(`apps[${i}].from`, "a firmware node with the role \"host\" (not a dhcp-server)", a.from);
      else if (!from) { /* that node's own problems are already listed */ }
      else if (!from.roles.includes("host")) w.bad(`apps[${i}].from`, "a node with the role \"host\" (a local stack)", a.from);
      else if (a.family === "ipv6" ? from.node.ipv6 === "off" : !v4(from)) w.bad(`apps[${i}].from`, a.family === "ipv6" ? "a node with node.ipv6 on" : "a node with an IPv4 address", a.from);
      const to = a.to;
      a.to = ""; a.dst = 0; a.dst6 = null;
      if (a.family === "ipv6") {
        // IPv6 (issue 12): a board node running IPv6 (its global address is looked up as the run goes:
        // autoconfigured ones appear then), or an IPv6 address.
        const ip6 = typeof to === "string" ? parseIp6(to) : null;
        if (typeof to === "string" && c.boards.has(to)) {
          a.to = to;
          if (c.boards.get(to)!.node.ipv6 === "off") w.bad(`apps[${i}].to`, "a node with node.ipv6 on", to);
        } else if (ip6) {
          // The node that holds the address in its configuration receives the flow (its sink counts it),
          // as for an IPv4 address: e.g. a mobile node's home address, wherever the node is.
          a.dst6 = ip6;
          const key = ip6.join(".");
          a.to = [...c.boards.values()].find((x) => x.ipv6.some((y) => y.address[0].join(".") === key))?.name ?? to as string;
        }
        else w.bad(`apps[${i}].to`, `one of the nodes ${all} or an IPv6 address`, to);
        // A flow to a group (issue 13.5): the member whose sink counts it.
        if (a.listener !== undefined && !(typeof a.listener === "string" && c.boards.get(a.listener)?.node.ipv6 !== "off" && c.boards.has(a.listener) && ip6 && ip6[0] === 0xff)) {
          w.bad(`apps[${i}].listener`, `one of the nodes ${all} running IPv6, for a flow to an IPv6 multicast group`, a.listener);
        }
        return;
      }
      if (typeof to === "string" && c.boards.has(to)) {
        a.to = to; a.dst = v4(c.boards.get(to)!);
        if (!a.dst) w.bad(`apps[${i}].to`, "a node with an IPv4 address", to);
      } else if (typeof to === "string" && c.dhcpNames.has(to)) w.bad(`apps[${i}].to`, "a firmware node (not a dhcp-server)", to);
      else if (typeof to === "string" && c.nodeNames.includes(to)) a.to = to; // invalid node: its problems are listed already
      else if (parseIp(to) !== null) {
        a.dst = parseIp(to)!;
        a.to = [...c.boards.values()].find((x) => x.interfaces.some((y) => y.ip === a.dst))?.name ?? formatIp(a.dst);
      } else w.bad(`apps[${i}].to`, `one of the nodes ${all} or an IPv4 address`, to);
    });
  },
  appTimes(w) {
    list(w, "apps").forEach((a, i) => {
      if (a && a.stopMs !== undefined && a.stopMs < a.startMs) w.bad(`apps[${i}].stopMs`, `a time after startMs (${a.startMs})`, a.stopMs);
      if (a) a.stopMs ??= Infinity;
    });
  },
  appPorts(w) {
    const used = new Set<string>();
    list(w, "apps").forEach((a, i) => {
      if (a?.type !== "cbr") return;
      a.port ??= 5000 + i;
      a.sourcePort ??= 40000 + i;
      const key = `${a.to}:${a.port}`;
      if (used.has(key)) w.bad(`apps[${i}].port`, `a port not used by another flow to ${a.to}`, a.port);
      used.add(key);
    });
  },
  actionRefs(w, _raw, c) {
    const cells = [...names(list(w, "segments")), ...names(list(w, "accessPoints"))];
    const boards = [...c.boards.keys()];
    list(w, "actions").forEach((a, i) => {
      if (a?.type === undefined) return; // no such action: its type is refused
      const onCell = a.type === "inject" || a.type === "replayLastRegistration";
      if (!onCell && (typeof a.node !== "string" || !boards.includes(a.node))) w.bad(`actions[${i}].node`, `one of the firmware nodes ${boards.join(", ")}`, a.node);
      if (onCell && (typeof a.segment !== "string" || !cells.includes(a.segment))) w.bad(`actions[${i}].segment`, `one of the segments or access points ${cells.join(", ") || "(none defined)"}`, a.segment);
    });
  },
  changeRefs(w, raw, c) {
    const boards = [...c.boards.keys()];
    list(w, "changes").forEach((ch, i) => {
      if (!ch) return;
      const at = `changes[${i}]`;
      const cfg = typeof ch.node === "string" ? c.boards.get(ch.node) : undefined;
      if (!cfg) {
        // (A node whose own configuration was refused is named, not refused again here.)
        if (typeof ch.node !== "string" || !c.nodeNames.includes(ch.node) || c.dhcpNames.has(ch.node)) w.bad(`${at}.node`, `one of the firmware nodes ${boards.join(", ") || "(none defined)"}`, ch.node);
        return;
      }
      if (cfg.node.ipv6 === "off") { w.bad(`${at}.node`, "a node with node.ipv6 \"dual\" or \"only\" (the change adds IPv6 addresses)", ch.node); return; }
      const v = (raw.changes as Tree[])[i].ipv6;
      if (!Array.isArray(v) || v.length === 0) { w.bad(`${at}.ipv6`, "a non-empty list of IPv6 addresses like [{ \"iface\": \"eth0\", \"address\": \"2001:db8:2::1/64\" }]", v); return; }
      // Each address is checked as an item of the node's own ipv6 list: a configuration with the node's
      // interfaces and these addresses only (its other fields were checked with the node).
      const probe = {
        name: cfg.name, board: cfg.board.name, roles: ["host"], node: { ipv6: cfg.node.ipv6 },
        interfaces: cfg.interfaces.map((x) => ({ name: x.name, mac: formatMac(x.mac) })), ipv6: v,
      };
      try {
        ch.config = validateConfig(probe, `${w.where}.${at}`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        w.p.push(...e.problems);
      }
    });
  },
};

/** The configuration buffer of `cfg`'s ADDR6 records alone (for config_add): the header, then those records. */
function addr6Records(cfg: ValidConfig): Uint8Array {
  const all = encodeConfig(cfg);
  const out: number[] = [...all.subarray(0, 8)];
  for (let o = 8; o + 4 <= all.length;) {
    const n = 4 + ((all[o + 2] << 8) | all[o + 3]);
    if (all[o] === 8) out.push(...all.subarray(o, o + n));
    o += n;
  }
  return Uint8Array.from(out);
}

/**
 * Validate a scenario (parsed JSON). `where` prefixes field names (e.g. the file name). Throws
 * ScenarioError listing every problem.
 */
export function validateScenario(raw: unknown, where = "scenario", boards: Record<string, BoardProfile> = BOARDS): Scenario {
  const c: Ctx = { nodeNames: [], dhcpNames: new Set(), boards: new Map() };
  const rules = Object.fromEntries(Object.entries(RULES).map(([k, r]) => [k, (w: Walk, x: Record<string, unknown>) => r(w, x, c)]));
  // A board node's other fields are its node configuration, validated as such (its problems join ours).
  const config = (w: Walk, rest: Record<string, unknown>, field: string): ValidConfig | undefined => {
    try { return validateConfig(rest, `${w.where}.${field}`, boards); } catch (e) {
      if (e instanceof ConfigError) { w.p.push(...e.problems); return undefined; }
      throw e;
    }
  };
  const w = walkDescription(SCENARIO_DESCRIPTION, raw, where, boards, rules, config);
  if (w.p.length) throw new ScenarioError(w.p);
  return typed(w.tree);
}

/** The typed view the simulator reads, from a tree that passed validation. */
function typed(t: Tree): Scenario {
  const nodes: ScNode[] = [], dhcpServers: ScDhcpServer[] = [];
  for (const n of t.nodes as Tree[]) {
    if (n.kind === "dhcp-server") {
      dhcpServers.push({
        name: n.name, mac: n.mac, ip: n.ipv4[0], prefixLen: n.ipv4[1], segment: n.attach, poolStart: n.pool.start, poolEnd: n.pool.end,
        router: n.router ?? 0, dns: n.dns, leaseSec: n.leaseSec, replyDelayUs: Math.round(n.replyDelayMs * 1000), offerHoldUs: Math.round(n.offerHoldMs * 1000),
      });
      continue;
    }
    const m = n.movement;
    const mobility: Mobility | null = m === undefined ? null : m.type === "waypoints"
      ? { type: "waypoints", points: m.points.map((p: Tree) => ({ atMs: p.atMs, x: p.x, y: p.y })) }
      : { type: "randomWalk", speedMps: m.speedMps, area: { x0: m.area.x0, y0: m.area.y0, x1: m.area.x1, y1: m.area.y1 }, pauseMs: m.pauseMs };
    nodes.push({ config: n.config, attach: n.attached, position: n.position ? { x: n.position.x, y: n.position.y } : null, mobility });
  }
  const apps: ScApp[] = (t.apps as Tree[]).map((a): ScApp => a.type === "cbr"
    ? { type: "cbr", name: a.name, from: a.from, to: a.to, dst: a.dst, family: a.family, dst6: a.dst6 ?? null, port: a.port, sourcePort: a.sourcePort, listener: a.listener ?? null, ratePps: a.ratePps, sizeBytes: a.sizeBytes, startMs: a.startMs, stopMs: a.stopMs }
    : { type: "ping", name: a.name, from: a.from, to: a.to, dst: a.dst, family: a.family, dst6: a.dst6 ?? null, intervalMs: a.intervalMs, count: a.count, sizeBytes: a.sizeBytes, startMs: a.startMs, stopMs: a.stopMs });
  const actions: ScAction[] = (t.actions as Tree[]).map((a): ScAction => {
    const atUs = Math.round(a.atMs * 1000);
    if (a.type === "inject") return { type: "inject", atUs, segment: a.segment, frame: a.frameHex, count: a.count, intervalUs: Math.round(a.intervalMs * 1000) };
    if (a.type === "replayLastRegistration") return { type: "replayLastRegistration", atUs, segment: a.segment };
    return { type: a.type, atUs, node: a.node };
  });
  actions.sort((x, y) => x.atUs - y.atUs);
  const changes: ScChange[] = (t.changes as Tree[]).map((ch): ScChange => ({
    atUs: Math.round(ch.atMs * 1000), node: ch.node, records: addr6Records(ch.config),
    what: (ch.config as ValidConfig).ipv6.map((a) => `${formatIp6(a.address[0])}/${a.address[1]} on ${a.iface}${a.advertise ? " (advertised)" : ""}`).join(", "),
  }));
  changes.sort((x, y) => x.atUs - y.atUs);
  return {
    name: t.name, description: t.description, seed: t.seed, durationMs: t.durationMs, mobilityStepMs: t.mobilityStepMs,
    wifi: { hysteresisDb: t.wifi.hysteresisDb, linkHints: t.wifi.linkHints },
    segments: (t.segments as Tree[]).map((s) => ({ name: s.name, ...linkParams(s) })),
    accessPoints: (t.accessPoints as Tree[]).map((a) => ({
      name: a.name, segment: a.segment, bssid: a.bssid, x: a.x, y: a.y, rangeM: a.rangeM, assocDelayUs: Math.round(a.assocDelayMs * 1000), cell: linkParams(a),
    })),
    nodes, apps, dhcpServers, actions, changes,
  };
}
