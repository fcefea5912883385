// Scenario files (docs/scenarios.md): segments, access points, nodes with inline node configurations
// and where each interface attaches, mobility, applications, duration and seed. Validated field by
// field like node configurations: every refusal names the field, what was expected and what was found.

import { validateConfig, ConfigError, parseIp, parseMac, parseCidr, formatIp, formatMac, BOARDS, type ValidConfig, type BoardProfile } from "../config.js";
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
  type: "cbr"; name: string; from: string; to: string; dst: number; port: number; sourcePort: number;
  ratePps: number; sizeBytes: number; startMs: number; stopMs: number;
}
export interface ScPing {
  type: "ping"; name: string; from: string; to: string; dst: number; intervalMs: number; count: number;
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
export interface Scenario {
  name: string; description: string; seed: number; durationMs: number; mobilityStepMs: number;
  /** linkHints: the Wi-Fi driver reports every (dis)association to the board (link() events). */
  wifi: { hysteresisDb: number; linkHints: boolean };
  segments: ScSegment[]; accessPoints: ScAccessPoint[]; nodes: ScNode[]; apps: ScApp[];
  dhcpServers: ScDhcpServer[]; actions: ScAction[];
}

export class ScenarioError extends ConfigError {}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
const NAME_RE = /^[A-Za-z0-9_.-]{1,32}$/;

/** Field reader collecting problems; `where` prefixes every field name. */
class Fields {
  constructor(readonly p: string[]) {}
  bad(field: string, expected: string, got: unknown): void { this.p.push(`${field}: expected ${expected}, got ${show(got)}`); }
  known(obj: Record<string, unknown>, where: string, keys: string[]): void {
    for (const k of Object.keys(obj)) if (!keys.includes(k)) this.bad(`${where}.${k}`, `one of the fields ${keys.join(", ")}`, k);
  }
  num(obj: Record<string, unknown>, where: string, key: string, lo: number, hi: number, def?: number, integer = false): number {
    const v = obj[key];
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      this.bad(`${where}.${key}`, `${integer ? "an integer" : "a number"} ${lo}..${hi}`, v);
      return def ?? lo;
    }
    return v;
  }
  name(obj: Record<string, unknown>, where: string, key = "name"): string {
    const v = obj[key];
    if (typeof v !== "string" || !NAME_RE.test(v)) { this.bad(`${where}.${key}`, "1-32 letters, digits, '_', '.', '-'", v); return ""; }
    return v;
  }
  list(obj: Record<string, unknown>, where: string, key: string, required: boolean): unknown[] {
    const v = obj[key];
    if (v === undefined && !required) return [];
    if (!Array.isArray(v) || (required && v.length === 0)) { this.bad(`${where}.${key}`, required ? "a non-empty list" : "a list", v); return []; }
    return v;
  }
}

function segmentParams(f: Fields, o: Record<string, unknown>, w: string, d: SegmentParams): SegmentParams {
  return {
    delayUs: Math.round(f.num(o, w, "delayMs", 0, 60000, d.delayUs / 1000) * 1000),
    jitterUs: Math.round(f.num(o, w, "jitterMs", 0, 60000, d.jitterUs / 1000) * 1000),
    loss: f.num(o, w, "loss", 0, 1, d.loss),
    bandwidthBps: f.num(o, w, "bandwidthMbps", 0, 100000, d.bandwidthBps / 1e6) * 1e6,
    queueFrames: f.num(o, w, "queueFrames", 1, 100000, d.queueFrames, true),
  };
}

export const SEGMENT_DEFAULTS: SegmentParams = { delayUs: 100, jitterUs: 0, loss: 0, bandwidthBps: 100e6, queueFrames: 256 };
export const CELL_DEFAULTS: SegmentParams = { delayUs: 1000, jitterUs: 0, loss: 0, bandwidthBps: 54e6, queueFrames: 64 };
const SEGMENT_KEYS = ["name", "delayMs", "jitterMs", "loss", "bandwidthMbps", "queueFrames", "comment"];
const AP_KEYS = ["name", "segment", "bssid", "x", "y", "rangeM", "assocDelayMs", "delayMs", "jitterMs", "loss", "bandwidthMbps", "queueFrames", "comment"];
const NODE_EXTRA = ["attach", "position", "movement"];
const TOP_KEYS = ["name", "description", "seed", "durationMs", "mobilityStepMs", "wifi", "segments", "accessPoints", "nodes", "apps", "actions", "comment", "$schema"];
const DHCP_KEYS = ["kind", "name", "mac", "ipv4", "attach", "pool", "router", "dns", "leaseSec", "replyDelayMs", "offerHoldMs", "comment"];
const COORD = 1e6;

/**
 * Validate a scenario (parsed JSON). `where` prefixes field names (e.g. the file name). Throws
 * ScenarioError listing every problem.
 */
export function validateScenario(raw: unknown, where = "scenario", boards: Record<string, BoardProfile> = BOARDS): Scenario {
  const p: string[] = [];
  const f = new Fields(p);
  if (!isObject(raw)) throw new ScenarioError([`${where}: expected a JSON object, got ${show(raw)}`]);
  f.known(raw, where, TOP_KEYS);
  const name = f.name(raw, where);
  const description = typeof raw.description === "string" ? raw.description : "";
  if (raw.description !== undefined && typeof raw.description !== "string") f.bad(`${where}.description`, "a string", raw.description);
  const seed = f.num(raw, where, "seed", 0, 4294967295, 1, true);
  const durationMs = f.num(raw, where, "durationMs", 1, 864e5 * 365, undefined, true);
  const mobilityStepMs = f.num(raw, where, "mobilityStepMs", 1, 60000, 100, true);
  let hysteresisDb = 5;
  let linkHints = true;
  if (raw.wifi !== undefined) {
    if (!isObject(raw.wifi)) f.bad(`${where}.wifi`, "an object", raw.wifi);
    else {
      f.known(raw.wifi, `${where}.wifi`, ["hysteresisDb", "linkHints"]);
      hysteresisDb = f.num(raw.wifi, `${where}.wifi`, "hysteresisDb", 0, 100, 5);
      if (raw.wifi.linkHints !== undefined) {
        if (typeof raw.wifi.linkHints !== "boolean") f.bad(`${where}.wifi.linkHints`, "true or false", raw.wifi.linkHints);
        else linkHints = raw.wifi.linkHints;
      }
    }
  }

  const names = new Map<string, string>(); // segment/AP names share one namespace (pcap file names)
  const segments: ScSegment[] = [];
  f.list(raw, where, "segments", false).forEach((s, i) => {
    const w = `${where}.segments[${i}]`;
    if (!isObject(s)) return f.bad(w, "an object", s);
    f.known(s, w, SEGMENT_KEYS);
    const n = f.name(s, w);
    if (n && names.has(n)) f.bad(`${w}.name`, `a name not used by ${names.get(n)}`, n);
    if (n === "wifi") f.bad(`${w}.name`, "a name other than \"wifi\"", n);
    names.set(n, `${w}`);
    segments.push({ name: n, ...segmentParams(f, s, w, SEGMENT_DEFAULTS) });
  });
  const segNames = new Set(segments.map((s) => s.name));

  const accessPoints: ScAccessPoint[] = [];
  const bssids = new Set<string>();
  f.list(raw, where, "accessPoints", false).forEach((a, i) => {
    const w = `${where}.accessPoints[${i}]`;
    if (!isObject(a)) return f.bad(w, "an object", a);
    f.known(a, w, AP_KEYS);
    const n = f.name(a, w);
    if (n && names.has(n)) f.bad(`${w}.name`, `a name not used by ${names.get(n)}`, n);
    names.set(n, w);
    if (typeof a.segment !== "string" || !segNames.has(a.segment)) f.bad(`${w}.segment`, `one of the segments ${[...segNames].join(", ") || "(none defined)"}`, a.segment);
    const bssid = parseMac(a.bssid);
    if (!bssid || bssid[0] & 1) f.bad(`${w}.bssid`, "a unicast MAC address like 02:aa:00:00:00:01", a.bssid);
    else if (bssids.has(String(a.bssid).toLowerCase())) f.bad(`${w}.bssid`, "a BSSID not used by another access point", a.bssid);
    else bssids.add(String(a.bssid).toLowerCase());
    accessPoints.push({
      name: n, segment: String(a.segment), bssid: bssid ?? new Uint8Array(6),
      x: f.num(a, w, "x", -COORD, COORD), y: f.num(a, w, "y", -COORD, COORD),
      rangeM: f.num(a, w, "rangeM", 0.1, COORD, 50),
      assocDelayUs: Math.round(f.num(a, w, "assocDelayMs", 0, 60000, 100) * 1000),
      cell: segmentParams(f, a, w, CELL_DEFAULTS),
    });
  });

  const nodes: ScNode[] = [];
  const nodeNames = new Set<string>();
  const macs = new Map<string, string>();
  const dhcpServers: ScDhcpServer[] = [];
  const dhcpNames = new Set<string>();
  f.list(raw, where, "nodes", true).forEach((n, i) => {
    const w = `${where}.nodes[${i}]`;
    if (!isObject(n)) return f.bad(w, "an object", n);
    if (n.kind !== undefined && n.kind !== "board") {
      if (n.kind !== "dhcp-server") return f.bad(`${w}.kind`, "\"board\" (a firmware node, the default) or \"dhcp-server\"", n.kind);
      const d = parseDhcpServer(f, n, w, segNames);
      const nm = f.name(n, w);
      dhcpNames.add(nm);
      if (nm && nodeNames.has(nm)) f.bad(`${w}.name`, "a node name not used by another node", nm);
      nodeNames.add(nm);
      if (d) {
        const m = Array.from(d.mac).join(":");
        if (macs.has(m)) f.bad(`${w}.mac`, `a MAC address not used by ${macs.get(m)}`, n.mac);
        macs.set(m, d.name);
        dhcpServers.push(d);
      }
      return;
    }
    const cfgRaw: Record<string, unknown> = {};
    // `movement` is how the node moves; `mobility` is the node's Mobile IP configuration, except that an
    // object with a `type` field is movement too (files written before Mobile IP used that name).
    const legacyMove = isObject(n.mobility) && "type" in n.mobility;
    for (const [k, v] of Object.entries(n)) if (!NODE_EXTRA.includes(k) && k !== "kind" && !(k === "mobility" && legacyMove)) cfgRaw[k] = v;
    const moveRaw = n.movement ?? (legacyMove ? n.mobility : undefined);
    const moveWhere = n.movement !== undefined ? `${w}.movement` : `${w}.mobility`;
    if (n.movement !== undefined && legacyMove) f.bad(`${w}.mobility`, "Mobile IP settings (movement is given in \"movement\")", n.mobility);
    let config: ValidConfig | null = null;
    try { config = validateConfig(cfgRaw, w, boards); } catch (e) {
      if (e instanceof ConfigError) p.push(...e.problems); else throw e;
    }
    if (typeof n.name === "string") {
      if (nodeNames.has(n.name)) f.bad(`${w}.name`, "a node name not used by another node", n.name);
      nodeNames.add(n.name);
    }
    if (!config) return;
    const attach: Attachment[] = config.interfaces.map(() => null);
    let wifi = false;
    if (!isObject(n.attach)) f.bad(`${w}.attach`, "an object mapping each interface name to a segment, \"wifi\" or null", n.attach);
    else {
      for (const [ifName, target] of Object.entries(n.attach)) {
        const idx = config.interfaces.findIndex((x) => x.name === ifName);
        if (idx < 0) { f.bad(`${w}.attach.${ifName}`, `one of the interfaces ${config.interfaces.map((x) => x.name).join(", ")}`, ifName); continue; }
        if (target === null) continue;
        if (target === "wifi") { attach[idx] = "wifi"; wifi = true; continue; }
        if (typeof target !== "string" || !segNames.has(target)) { f.bad(`${w}.attach.${ifName}`, `"wifi", null or one of the segments ${[...segNames].join(", ") || "(none defined)"}`, target); continue; }
        attach[idx] = target;
      }
      config.interfaces.forEach((x, idx) => {
        if (!(x.name in (n.attach as object))) f.bad(`${w}.attach.${x.name}`, "a segment name, \"wifi\" or null for every interface", undefined);
        const m = Array.from(x.mac).join(":");
        if (macs.has(m)) f.bad(`${w}.interfaces[${idx}].mac`, `a MAC address not used by ${macs.get(m)}`, formatMac(x.mac));
        macs.set(m, `${config!.name}.${x.name}`);
      });
    }
    let position: { x: number; y: number } | null = null;
    if (n.position !== undefined) {
      if (!isObject(n.position)) f.bad(`${w}.position`, "an object {x, y} in metres", n.position);
      else { f.known(n.position, `${w}.position`, ["x", "y"]); position = { x: f.num(n.position, `${w}.position`, "x", -COORD, COORD), y: f.num(n.position, `${w}.position`, "y", -COORD, COORD) }; }
    }
    let mobility: Mobility | null = null;
    if (moveRaw !== undefined) mobility = parseMobility(f, moveRaw, moveWhere);
    if (mobility?.type === "waypoints" && !position) position = { x: mobility.points[0]?.x ?? 0, y: mobility.points[0]?.y ?? 0 };
    if (mobility?.type === "randomWalk" && !position) position = { x: (mobility.area.x0 + mobility.area.x1) / 2, y: (mobility.area.y0 + mobility.area.y1) / 2 };
    if (wifi && !position) f.bad(`${w}.position`, "a position {x, y} (or a movement) for a node with a \"wifi\" interface", undefined);
    if (wifi && accessPoints.length === 0) f.bad(`${w}.attach`, "access points in the scenario for a \"wifi\" interface", "no accessPoints");
    nodes.push({ config, attach, position, mobility });
  });

  const apps: ScApp[] = [];
  const appNames = new Set<string>();
  const sinkPorts = new Set<string>();
  const byName = new Map(nodes.map((n) => [n.config.name, n]));
  f.list(raw, where, "apps", false).forEach((a, i) => {
    const w = `${where}.apps[${i}]`;
    if (!isObject(a)) return f.bad(w, "an object", a);
    const n = f.name(a, w);
    if (n && appNames.has(n)) f.bad(`${w}.name`, "an app name not used by another app", n);
    appNames.add(n);
    const from = byName.get(String(a.from));
    const allNodes = [...nodeNames].join(", ");
    if (typeof a.from !== "string" || !nodeNames.has(a.from)) f.bad(`${w}.from`, `one of the nodes ${allNodes}`, a.from);
    else if (!from && dhcpNames.has(a.from)) f.bad(`${w}.from`, "a firmware node with the role \"host\" (not a dhcp-server)", a.from);
    else if (!from) { /* that node's own problems are already listed */ }
    else if (!from.config.roles.includes("host")) f.bad(`${w}.from`, "a node with the role \"host\" (a local stack)", a.from);
    else if (!from.config.interfaces.some((x) => x.ip !== 0)) f.bad(`${w}.from`, "a node with an IPv4 address", a.from);
    let dst = 0, to = "";
    if (typeof a.to === "string" && byName.has(a.to)) {
      const t = byName.get(a.to)!;
      to = a.to;
      dst = t.config.interfaces.find((x) => x.ip !== 0)?.ip ?? 0;
      if (!dst) f.bad(`${w}.to`, "a node with an IPv4 address", a.to);
    } else if (typeof a.to === "string" && dhcpNames.has(a.to)) {
      f.bad(`${w}.to`, "a firmware node (not a dhcp-server)", a.to);
    } else if (typeof a.to === "string" && nodeNames.has(a.to)) {
      to = a.to; // invalid node: its problems are listed already
    } else if (parseIp(a.to) !== null) {
      dst = parseIp(a.to)!;
      to = nodes.find((x) => x.config.interfaces.some((y) => y.ip === dst))?.config.name ?? formatIp(dst);
    } else f.bad(`${w}.to`, `one of the nodes ${allNodes} or an IPv4 address`, a.to);
    const startMs = f.num(a, w, "startMs", 0, 864e5 * 365, 0);
    const stopMs = f.num(a, w, "stopMs", 0, 864e5 * 365, Infinity);
    if (a.stopMs !== undefined && stopMs < startMs) f.bad(`${w}.stopMs`, `a time after startMs (${startMs})`, a.stopMs);
    if (a.type === "cbr") {
      f.known(a, w, ["type", "name", "from", "to", "port", "sourcePort", "ratePps", "sizeBytes", "startMs", "stopMs", "comment"]);
      const port = f.num(a, w, "port", 1, 65535, 5000 + i, true);
      const key = `${to}:${port}`;
      if (sinkPorts.has(key)) f.bad(`${w}.port`, `a port not used by another flow to ${to}`, port);
      sinkPorts.add(key);
      apps.push({
        type: "cbr", name: n, from: String(a.from), to, dst, port, sourcePort: f.num(a, w, "sourcePort", 1, 65535, 40000 + i, true),
        ratePps: f.num(a, w, "ratePps", 0.001, 1e6, 10), sizeBytes: f.num(a, w, "sizeBytes", 16, 1472, 100, true), startMs, stopMs,
      });
    } else if (a.type === "ping") {
      f.known(a, w, ["type", "name", "from", "to", "intervalMs", "count", "sizeBytes", "startMs", "stopMs", "comment"]);
      apps.push({
        type: "ping", name: n, from: String(a.from), to, dst, intervalMs: f.num(a, w, "intervalMs", 1, 864e5, 1000),
        count: f.num(a, w, "count", 0, 1e9, 0, true), sizeBytes: f.num(a, w, "sizeBytes", 8, 1472, 56, true), startMs, stopMs,
      });
    } else f.bad(`${w}.type`, "\"cbr\" or \"ping\"", a.type);
  });

  const actions: ScAction[] = [];
  const cellNames = new Set([...segNames, ...accessPoints.map((a) => a.name)]);
  const boardNames = nodes.map((n) => n.config.name);
  f.list(raw, where, "actions", false).forEach((a, i) => {
    const w = `${where}.actions[${i}]`;
    if (!isObject(a)) return f.bad(w, "an object", a);
    const atUs = Math.round(f.num(a, w, "atMs", 0, 864e5 * 365) * 1000);
    const segment = (): string => {
      if (typeof a.segment !== "string" || !cellNames.has(a.segment)) f.bad(`${w}.segment`, `one of the segments or access points ${[...cellNames].join(", ") || "(none defined)"}`, a.segment);
      return String(a.segment);
    };
    switch (a.type) {
      case "stop": case "start": case "restart": {
        f.known(a, w, ["type", "atMs", "node", "comment"]);
        if (typeof a.node !== "string" || !boardNames.includes(a.node)) f.bad(`${w}.node`, `one of the firmware nodes ${boardNames.join(", ")}`, a.node);
        actions.push({ type: a.type, atUs, node: String(a.node) });
        break;
      }
      case "inject": {
        f.known(a, w, ["type", "atMs", "segment", "frameHex", "count", "intervalMs", "comment"]);
        const seg = segment();
        const hex = typeof a.frameHex === "string" ? a.frameHex.replace(/[\s:]/g, "") : "";
        let frame = new Uint8Array(0);
        if (!/^([0-9a-fA-F]{2})+$/.test(hex) || hex.length < 28 || hex.length > 2 * 9018) f.bad(`${w}.frameHex`, "an Ethernet frame as hex (14..9018 bytes; spaces and ':' ignored)", a.frameHex);
        else frame = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
        const count = f.num(a, w, "count", 1, 1e6, 1, true);
        const intervalUs = Math.round(f.num(a, w, "intervalMs", 0, 864e5, 1000) * 1000);
        actions.push({ type: "inject", atUs, segment: seg, frame, count, intervalUs });
        break;
      }
      case "replayLastRegistration": {
        f.known(a, w, ["type", "atMs", "segment", "comment"]);
        actions.push({ type: "replayLastRegistration", atUs, segment: segment() });
        break;
      }
      default:
        f.bad(`${w}.type`, "one of \"stop\", \"start\", \"restart\", \"inject\", \"replayLastRegistration\"", a.type);
    }
  });
  actions.sort((x, y) => x.atUs - y.atUs);

  if (p.length) throw new ScenarioError(p);
  return {
    name, description, seed, durationMs, mobilityStepMs, wifi: { hysteresisDb, linkHints },
    segments, accessPoints, nodes, apps, dhcpServers, actions,
  };
}

function parseDhcpServer(f: Fields, n: Record<string, unknown>, w: string, segNames: Set<string>): ScDhcpServer | null {
  f.known(n, w, DHCP_KEYS);
  const ok0 = f.p.length;
  const name = typeof n.name === "string" ? n.name : "";
  const mac = parseMac(n.mac);
  if (!mac || mac[0] & 1 || mac.every((b) => b === 0)) f.bad(`${w}.mac`, "a unicast MAC address like 02:00:00:00:04:02", n.mac);
  const cidr = parseCidr(n.ipv4);
  if (!cidr || cidr[1] === 0 || cidr[1] > 30) f.bad(`${w}.ipv4`, "the server's address with prefix length like 10.4.0.2/24 (prefix 1..30)", n.ipv4);
  if (typeof n.attach !== "string" || !segNames.has(n.attach)) f.bad(`${w}.attach`, `one of the segments ${[...segNames].join(", ") || "(none defined)"}`, n.attach);
  const [ip, len] = cidr ?? [0, 24];
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  const onNet = (a: number) => ((a ^ ip) & mask) >>> 0 === 0 && (a & ~mask) >>> 0 !== 0 && (a | mask) >>> 0 !== 0xffffffff;
  let poolStart = 0, poolEnd = 0;
  if (!isObject(n.pool)) f.bad(`${w}.pool`, "an object {start, end} of addresses on the server's subnet", n.pool);
  else {
    f.known(n.pool, `${w}.pool`, ["start", "end"]);
    const a = parseIp(n.pool.start), b = parseIp(n.pool.end);
    if (a === null || (cidr && !onNet(a))) f.bad(`${w}.pool.start`, "a host address on the server's subnet", n.pool.start);
    if (b === null || (cidr && !onNet(b))) f.bad(`${w}.pool.end`, "a host address on the server's subnet", n.pool.end);
    if (a !== null && b !== null && b < a) f.bad(`${w}.pool.end`, `an address not below start (${formatIp(a)})`, n.pool.end);
    else if (a !== null && b !== null && b - a >= 65536) f.bad(`${w}.pool`, "at most 65536 addresses", `${b - a + 1} addresses`);
    else if (a !== null && b !== null && cidr && ip >= a && ip <= b) f.bad(`${w}.pool`, `a range that leaves out the server's own address ${formatIp(ip)}`, n.pool);
    poolStart = a ?? 0; poolEnd = b ?? 0;
  }
  let router = 0;
  if (n.router !== undefined) {
    const r = parseIp(n.router);
    if (r === null || (cidr && !onNet(r))) f.bad(`${w}.router`, "a router address on the server's subnet", n.router);
    else router = r;
  }
  const dns: number[] = [];
  if (n.dns !== undefined) {
    if (!Array.isArray(n.dns) || n.dns.length > 4) f.bad(`${w}.dns`, "a list of up to 4 addresses", n.dns);
    else n.dns.forEach((d, j) => { const a = parseIp(d); if (a === null) f.bad(`${w}.dns[${j}]`, "an address like 10.0.0.53", d); else dns.push(a); });
  }
  const leaseSec = f.num(n, w, "leaseSec", 10, 0x7fffffff, 3600, true);
  const replyDelayUs = Math.round(f.num(n, w, "replyDelayMs", 0, 60000, 1) * 1000);
  const offerHoldUs = Math.round(f.num(n, w, "offerHoldMs", 100, 864e5, 10000) * 1000);
  if (f.p.length > ok0 || !mac || !cidr) return null;
  return { name, mac, ip, prefixLen: len, segment: String(n.attach), poolStart, poolEnd, router, dns, leaseSec, replyDelayUs, offerHoldUs };
}

function parseMobility(f: Fields, m: unknown, w: string): Mobility | null {
  if (!isObject(m)) { f.bad(w, "an object with type \"waypoints\" or \"randomWalk\"", m); return null; }
  if (m.type === "waypoints") {
    f.known(m, w, ["type", "points", "comment"]);
    const points: Waypoint[] = [];
    f.list(m, w, "points", true).forEach((pt, i) => {
      const pw = `${w}.points[${i}]`;
      if (!isObject(pt)) return f.bad(pw, "an object {atMs, x, y}", pt);
      f.known(pt, pw, ["atMs", "x", "y"]);
      const atMs = f.num(pt, pw, "atMs", 0, 864e5 * 365);
      if (points.length && atMs < points[points.length - 1].atMs) f.bad(`${pw}.atMs`, `a time not before the previous point (${points[points.length - 1].atMs})`, atMs);
      points.push({ atMs, x: f.num(pt, pw, "x", -COORD, COORD), y: f.num(pt, pw, "y", -COORD, COORD) });
    });
    return { type: "waypoints", points };
  }
  if (m.type === "randomWalk") {
    f.known(m, w, ["type", "speedMps", "area", "pauseMs", "comment"]);
    let speed: [number, number] = [1, 1];
    if (typeof m.speedMps === "number" && m.speedMps > 0 && m.speedMps <= 1000) speed = [m.speedMps, m.speedMps];
    else if (Array.isArray(m.speedMps) && m.speedMps.length === 2 && m.speedMps.every((x) => typeof x === "number" && x > 0 && x <= 1000) && m.speedMps[0] <= m.speedMps[1]) speed = [m.speedMps[0], m.speedMps[1]];
    else f.bad(`${w}.speedMps`, "a speed in m/s (0..1000] or a range [min, max]", m.speedMps);
    let area = { x0: 0, y0: 0, x1: 100, y1: 100 };
    if (!isObject(m.area)) f.bad(`${w}.area`, "an object {x0, y0, x1, y1} in metres", m.area);
    else {
      f.known(m.area, `${w}.area`, ["x0", "y0", "x1", "y1"]);
      area = { x0: f.num(m.area, `${w}.area`, "x0", -COORD, COORD), y0: f.num(m.area, `${w}.area`, "y0", -COORD, COORD), x1: f.num(m.area, `${w}.area`, "x1", -COORD, COORD), y1: f.num(m.area, `${w}.area`, "y1", -COORD, COORD) };
      if (area.x1 < area.x0 || area.y1 < area.y0) f.bad(`${w}.area`, "x0 <= x1 and y0 <= y1", m.area);
    }
    return { type: "randomWalk", speedMps: speed, area, pauseMs: f.num(m, w, "pauseMs", 0, 864e5, 0) };
  }
  f.bad(`${w}.type`, "\"waypoints\" or \"randomWalk\"", m.type);
  return null;
}
