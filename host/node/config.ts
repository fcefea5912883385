// Node configuration: JSON as users write it, validated field by field, then encoded into the
// binary form the core reads (docs/abi.md "Configuration"). Every refusal names the field, what
// was expected and what was found; an invalid configuration never starts a board.

import esp32 from "../../boards/esp32.json";
import esp32c3 from "../../boards/esp32-c3.json";
import rpiZero2w from "../../boards/rpi-zero-2w.json";
import rpi4 from "../../boards/rpi4.json";
import linux from "../../boards/linux.json";
import emulated from "../../boards/emulated.json";

export interface Sizes {
  arpEntries: number; routes: number; timers: number; pendingFrames: number; frameBytes: number;
  bindings: number; visitors: number; securityAssocs: number;
  /** IPv4 reassembly (RFC 1122 §3.3.2): datagrams to this node reassembled at once, and the largest one. */
  reassemblySlots: number; reassemblyBytes: number;
}
export interface BoardProfile {
  name: string; description: string; memoryPages: number; maxInterfaces: number; mtu: number; sizes: Sizes;
}
export interface IfaceConfig {
  name: string; mac: Uint8Array; ip: number; prefixLen: number; mtu: number;
  /** Agents advertise here; the home agent's home network; the mobile node may use DHCP here. */
  advertise: boolean; home: boolean; dhcp: boolean;
}
export type Encapsulation = "ipip" | "minimal" | "gre";
/** Mobile IP settings (docs/abi.md MOBILITY record); every field has a default. */
export interface MobilityConfig {
  homeAddress: number; homeAgent: number; homePrefixLen: number; lifetimeSec: number;
  advertIntervalMs: number; advertLifetimeSec: number; encapsulations: Encapsulation[];
  maxBindingsPerNode: number; request: { simultaneous: boolean; broadcast: boolean; encapsulation: Encapsulation };
  colocated: "never" | "auto" | "always"; replay: "timestamps" | "nonces"; replayWindowSec: number;
  clockOffsetSec: number; busy: boolean; retransmitMs: number; retransmitMaxMs: number; solicitIntervalMs: number;
  /** Mobile node: send through a reverse tunnel to the home agent; foreign agent: offer reverse tunnelling (RFC 3024). */
  reverseTunnel: boolean;
  /** Meaning of request flag bits 0x02 / 0x01: "seeds" (P, R) or "rfc3344" (T, reserved) — docs/decisions.md. */
  registrationProfile: "seeds" | "rfc3344";
}
/** What a security association authenticates (RFC 2002 §3.5.2-3.5.4); only that use verifies with it. */
export type SaUse = "mobile-home" | "mobile-foreign" | "foreign-home";
export interface SecurityAssociation {
  peer: number; spi: number; algorithm: "keyed-md5" | "hmac-md5"; key: Uint8Array;
  replay: "timestamps" | "nonces"; coverSpi: boolean; use: SaUse;
}
export interface RouteConfig { dest: number; prefixLen: number; via: number; iface: number }
export interface NodeOptions {
  defaultTtl: number; arpTimeoutSec: number; arpRetries: number; icmpErrorsPerSec: number; logLevel: number;
}
export type Role = "host" | "router" | "mobile-node" | "foreign-agent" | "home-agent";
/** A configuration that passed validation: every field present and in range. */
export interface ValidConfig {
  name: string;
  board: BoardProfile;
  roles: Role[];
  interfaces: IfaceConfig[];
  routes: RouteConfig[];
  sizes: Sizes;
  node: NodeOptions;
  mobility: MobilityConfig;
  securityAssociations: SecurityAssociation[];
}

export const BOARDS: Record<string, BoardProfile> = Object.fromEntries(
  [esp32, esp32c3, rpiZero2w, rpi4, linux, emulated].map((b) => [b.name, b as BoardProfile]),
);
export const DEFAULT_BOARD = "emulated";

/** Thrown with every problem found, one per line, each naming its field. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) { super(problems.join("\n")); }
}

// Ranges the core also enforces (assembly/config.ts); the host checks first to give better messages.
export const SIZE_RANGES: Record<keyof Sizes, [number, number]> = {
  arpEntries: [1, 4096], routes: [1, 4096], timers: [8, 262144], pendingFrames: [0, 256],
  frameBytes: [590, 9018], bindings: [0, 65536], visitors: [0, 65536], securityAssocs: [0, 65536],
  reassemblySlots: [0, 256], reassemblyBytes: [576, 65535],
};
const NODE_RANGES: Record<keyof NodeOptions, [number, number]> = {
  defaultTtl: [1, 255], arpTimeoutSec: [1, 86400], arpRetries: [1, 10], icmpErrorsPerSec: [0, 100000], logLevel: [0, 3],
};
const NODE_DEFAULTS: NodeOptions = { defaultTtl: 64, arpTimeoutSec: 60, arpRetries: 3, icmpErrorsPerSec: 10, logLevel: 2 };
const ROLES: Role[] = ["host", "router", "mobile-node", "foreign-agent", "home-agent"];
const ENCAPS: Encapsulation[] = ["ipip", "minimal", "gre"];
const MOBILITY_RANGES: Record<string, [number, number]> = {
  homePrefixLen: [1, 32], lifetimeSec: [1, 65534], advertIntervalMs: [1000, 600000], advertLifetimeSec: [1, 9000],
  maxBindingsPerNode: [1, 16], replayWindowSec: [1, 3600], clockOffsetSec: [-2147483648, 2147483647],
  retransmitMs: [1000, 60000], retransmitMaxMs: [1000, 600000], solicitIntervalMs: [1000, 600000],
};
const MOBILITY_DEFAULTS = {
  lifetimeSec: 300, advertIntervalMs: 1000, advertLifetimeSec: 3, maxBindingsPerNode: 4, replayWindowSec: 7,
  clockOffsetSec: 0, retransmitMs: 1000, retransmitMaxMs: 8000, solicitIntervalMs: 1000,
};

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** Parse "a.b.c.d" into a host-order u32, or null. */
export function parseIp(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function formatIp(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Parse "a.b.c.d/len" into [addr, len], or null. */
export function parseCidr(s: unknown): [number, number] | null {
  if (typeof s !== "string") return null;
  const [a, l, ...rest] = s.split("/");
  const ip = parseIp(a);
  if (ip === null || rest.length || l === undefined || !/^\d{1,2}$/.test(l) || Number(l) > 32) return null;
  return [ip, Number(l)];
}

export function parseMac(s: unknown): Uint8Array | null {
  if (typeof s !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)) return null;
  return Uint8Array.from(s.split(":").map((h) => parseInt(h, 16)));
}

export function formatMac(m: Uint8Array): string {
  return Array.from(m.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(":");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validate a node configuration (parsed JSON) against its board profile.
 * `where` prefixes field names (e.g. the file or node name). Throws ConfigError listing every problem.
 */
export function validateConfig(raw: unknown, where = "config", boards: Record<string, BoardProfile> = BOARDS): ValidConfig {
  const p: string[] = [];
  const bad = (field: string, expected: string, got: unknown) => p.push(`${where}.${field}: expected ${expected}, got ${show(got)}`);
  if (!isObject(raw)) throw new ConfigError([`${where}: expected a JSON object, got ${show(raw)}`]);
  const known = new Set(["name", "board", "roles", "interfaces", "routes", "sizes", "node", "mobility", "securityAssociations", "comment"]);
  for (const k of Object.keys(raw)) if (!known.has(k)) bad(k, `one of the fields ${[...known].join(", ")}`, k);

  const name = raw.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]{1,32}$/.test(name)) bad("name", "1-32 letters, digits, '_', '.', '-'", name);

  const boardName = raw.board ?? DEFAULT_BOARD;
  const board = typeof boardName === "string" ? boards[boardName] : undefined;
  if (!board) bad("board", `one of ${Object.keys(boards).join(", ")}`, boardName);

  const rolesRaw = raw.roles ?? ["host"];
  const roles: Role[] = [];
  if (!Array.isArray(rolesRaw) || rolesRaw.length === 0) bad("roles", `a non-empty list of ${ROLES.join(", ")}`, rolesRaw);
  else rolesRaw.forEach((r, i) => {
    if (!ROLES.includes(r as Role)) bad(`roles[${i}]`, `one of ${ROLES.join(", ")}`, r);
    else if (roles.includes(r as Role)) bad(`roles[${i}]`, "each role once", r);
    else roles.push(r as Role);
  });

  const sizes: Sizes = { ...(board?.sizes ?? emulated.sizes) };
  integerFields(raw.sizes, "sizes", SIZE_RANGES, sizes as unknown as Record<string, number>, bad);
  const node: NodeOptions = { ...NODE_DEFAULTS };
  integerFields(raw.node, "node", NODE_RANGES, node as unknown as Record<string, number>, bad);

  const interfaces: IfaceConfig[] = [];
  const maxIf = board?.maxInterfaces ?? 8;
  if (!Array.isArray(raw.interfaces) || raw.interfaces.length === 0 || raw.interfaces.length > maxIf) {
    bad("interfaces", `a list of 1..${maxIf} interfaces (board ${board?.name ?? "?"})`, Array.isArray(raw.interfaces) ? `${raw.interfaces.length} interfaces` : raw.interfaces);
  } else raw.interfaces.forEach((ifc: unknown, i: number) => {
    const f = `interfaces[${i}]`;
    if (!isObject(ifc)) { bad(f, "an object", ifc); return; }
    const ifFields = ["name", "mac", "ipv4", "mtu", "advertise", "home", "dhcp"];
    for (const k of Object.keys(ifc)) if (!ifFields.includes(k)) bad(`${f}.${k}`, `one of the fields ${ifFields.join(", ")}`, k);
    for (const k of ["advertise", "home", "dhcp"]) if (ifc[k] !== undefined && typeof ifc[k] !== "boolean") bad(`${f}.${k}`, "true or false", ifc[k]);
    const ifName = ifc.name;
    if (typeof ifName !== "string" || !/^[A-Za-z0-9_.-]{1,15}$/.test(ifName)) bad(`${f}.name`, "an interface name of 1-15 letters, digits, '_', '.', '-'", ifName);
    else if (interfaces.some((x) => x.name === ifName)) bad(`${f}.name`, "a name not used by another interface", ifName);
    const mac = parseMac(ifc.mac);
    if (!mac) bad(`${f}.mac`, "a MAC address like 02:00:00:00:00:01", ifc.mac);
    else if (mac[0] & 1) bad(`${f}.mac`, "a unicast MAC address (first octet even)", ifc.mac);
    else if (mac.every((b) => b === 0)) bad(`${f}.mac`, "a non-zero MAC address", ifc.mac);
    let cidr: [number, number] | null = [0, 0];
    if (ifc.ipv4 !== undefined) {
      cidr = parseCidr(ifc.ipv4);
      if (!cidr) bad(`${f}.ipv4`, "an address with prefix length like 10.0.1.1/24", ifc.ipv4);
      else if (cidr[1] === 0 || (cidr[0] >>> 28) >= 14 || cidr[0] >>> 24 === 127 || cidr[0] >>> 24 === 0) bad(`${f}.ipv4`, "a unicast address with a prefix length 1..32", ifc.ipv4);
    }
    const mtu = ifc.mtu ?? board?.mtu ?? 1500;
    const maxMtu = sizes.frameBytes - 14;
    if (!Number.isInteger(mtu) || (mtu as number) < 576 || (mtu as number) > maxMtu) bad(`${f}.mtu`, `an integer 576..${maxMtu} (frameBytes ${sizes.frameBytes} - 14)`, mtu);
    // Keep the interface even when one of its fields is wrong, so routes are checked against it and
    // one mistake is reported once (the problem list already makes the configuration invalid).
    interfaces.push({
      name: typeof ifName === "string" ? ifName : `#${i}`, mac: mac ?? new Uint8Array(6), ip: cidr?.[0] ?? 0,
      prefixLen: cidr?.[1] ?? 0, mtu: mtu as number,
      advertise: ifc.advertise === true, home: ifc.home === true, dhcp: ifc.dhcp === true,
    });
  });

  const routes: RouteConfig[] = [];
  if (raw.routes !== undefined && !Array.isArray(raw.routes)) bad("routes", "a list of routes", raw.routes);
  else (raw.routes as unknown[] ?? []).forEach((r: unknown, i: number) => {
    const f = `routes[${i}]`;
    if (!isObject(r)) { bad(f, "an object", r); return; }
    for (const k of Object.keys(r)) if (!["dest", "via", "iface"].includes(k)) bad(`${f}.${k}`, "one of the fields dest, via, iface", k);
    const dest = r.dest === "default" ? [0, 0] as [number, number] : parseCidr(r.dest);
    if (!dest) bad(`${f}.dest`, "a prefix like 10.0.2.0/24 or \"default\"", r.dest);
    const via = r.via === undefined ? 0 : parseIp(r.via);
    if (via === null) bad(`${f}.via`, "a gateway address like 10.0.1.1", r.via);
    let iface = -1;
    if (r.iface !== undefined) {
      iface = interfaces.findIndex((x) => x.name === r.iface);
      if (iface < 0) bad(`${f}.iface`, `one of the interfaces ${interfaces.map((x) => x.name).join(", ")}`, r.iface);
    } else if (via !== null && via !== 0) {
      iface = interfaces.findIndex((x) => x.prefixLen > 0 && ((x.ip ^ via) >>> (32 - x.prefixLen)) === 0);
      if (iface < 0) bad(`${f}.via`, "a gateway on the subnet of one of the interfaces (or give iface)", r.via);
    } else bad(`${f}`, "a gateway (via) or an interface (iface)", r);
    if (dest && via !== null && iface >= 0) routes.push({ dest: dest[0], prefixLen: dest[1], via, iface });
  });
  if (routes.length > sizes.routes) bad("routes", `at most sizes.routes = ${sizes.routes} routes`, `${routes.length} routes`);

  // Mobile IP roles: a mobile node has a local stack; agents forward (RFC 2002 §1.5).
  if (roles.includes("mobile-node") && !roles.includes("host")) roles.push("host");
  if ((roles.includes("foreign-agent") || roles.includes("home-agent")) && !roles.includes("router")) roles.push("router");
  if (roles.includes("mobile-node") && (roles.includes("foreign-agent") || roles.includes("home-agent"))) {
    bad("roles", "mobile-node alone, or agent roles without mobile-node", rolesRaw);
  }
  const mobility = validateMobility(raw.mobility, interfaces, roles, bad);
  const securityAssociations = validateSas(raw.securityAssociations, roles, interfaces, bad);
  if (securityAssociations.length > sizes.securityAssocs) {
    bad("securityAssociations", `at most sizes.securityAssocs = ${sizes.securityAssocs} associations`, `${securityAssociations.length} associations`);
  }
  if (roles.includes("home-agent") && !interfaces.some((x) => x.home)) {
    bad("interfaces", "one interface with \"home\": true on a home agent", interfaces.map((x) => x.name));
  }
  if (roles.includes("mobile-node") && mobility.homeAgent !== 0 && !securityAssociations.some((sa) => sa.peer === mobility.homeAgent)) {
    bad("securityAssociations", `an association with the home agent ${formatIp(mobility.homeAgent)} (mobile-home authentication is mandatory)`, securityAssociations.map((sa) => formatIp(sa.peer)));
  }

  if (p.length) throw new ConfigError(p);
  return { name: name as string, board: board!, roles, interfaces, routes, sizes, node, mobility, securityAssociations };
}

type Bad = (field: string, expected: string, got: unknown) => void;

/** Copy the integer fields of object `raw` (if given) into `into`, each checked against its range. */
function integerFields(raw: unknown, name: string, ranges: Record<string, [number, number]>, into: Record<string, number>, bad: Bad): void {
  if (raw === undefined) return;
  if (!isObject(raw)) { bad(name, "an object", raw); return; }
  for (const [k, v] of Object.entries(raw)) {
    const range = ranges[k];
    if (!range) { bad(`${name}.${k}`, `one of ${Object.keys(ranges).join(", ")}`, k); continue; }
    if (!Number.isInteger(v) || (v as number) < range[0] || (v as number) > range[1]) bad(`${name}.${k}`, `an integer ${range[0]}..${range[1]}`, v);
    else into[k] = v as number;
  }
}

function validateMobility(raw: unknown, interfaces: IfaceConfig[], roles: Role[], bad: Bad): MobilityConfig {
  const first = interfaces[0];
  const m: MobilityConfig = {
    homeAddress: first?.ip ?? 0, homeAgent: 0, homePrefixLen: first?.prefixLen || 24, ...MOBILITY_DEFAULTS,
    encapsulations: ["ipip"], request: { simultaneous: false, broadcast: false, encapsulation: "ipip" },
    colocated: "auto", replay: "timestamps", busy: false, reverseTunnel: false, registrationProfile: "seeds",
  };
  if (raw === undefined) {
    if (roles.includes("mobile-node")) bad("mobility", "an object with at least homeAgent for a mobile node", raw);
    return m;
  }
  if (!isObject(raw)) { bad("mobility", "an object", raw); return m; }
  const fields = ["homeAddress", "homeAgent", "homePrefixLen", "encapsulations", "request", "colocated", "replay", "busy",
    "reverseTunnel", "registrationProfile", ...Object.keys(MOBILITY_RANGES)];
  for (const [k, v] of Object.entries(raw)) {
    const f = `mobility.${k}`;
    if (!fields.includes(k)) { bad(f, `one of the fields ${fields.join(", ")}`, k); continue; }
    const range = MOBILITY_RANGES[k];
    if (range) {
      if (!Number.isInteger(v) || (v as number) < range[0] || (v as number) > range[1]) bad(f, `an integer ${range[0]}..${range[1]}`, v);
      else (m as unknown as Record<string, number>)[k] = v as number;
      continue;
    }
    switch (k) {
      case "homeAddress": { const a = parseIp(v); if (a === null || a === 0) bad(f, "an address like 10.0.0.5", v); else m.homeAddress = a; break; }
      case "homeAgent": {
        if (v === "discover") { m.homeAgent = 0; break; }
        const a = parseIp(v); if (a === null || a === 0) bad(f, "an address like 10.0.0.1, or \"discover\"", v); else m.homeAgent = a; break;
      }
      case "encapsulations":
        if (!Array.isArray(v) || v.length === 0 || !v.every((e) => ENCAPS.includes(e))) bad(f, `a non-empty list of ${ENCAPS.join(", ")}`, v);
        else m.encapsulations = [...new Set(v as Encapsulation[])];
        break;
      case "request":
        if (!isObject(v)) { bad(f, "an object", v); break; }
        for (const [rk, rv] of Object.entries(v)) {
          if (rk === "simultaneous" || rk === "broadcast") { if (typeof rv !== "boolean") bad(`${f}.${rk}`, "true or false", rv); else m.request[rk] = rv; }
          else if (rk === "encapsulation") { if (!ENCAPS.includes(rv as Encapsulation)) bad(`${f}.${rk}`, `one of ${ENCAPS.join(", ")}`, rv); else m.request.encapsulation = rv as Encapsulation; }
          else bad(`${f}.${rk}`, "one of the fields simultaneous, broadcast, encapsulation", rk);
        }
        break;
      case "colocated":
        if (v !== "never" && v !== "auto" && v !== "always") bad(f, "one of never, auto, always", v); else m.colocated = v;
        break;
      case "replay":
        if (v !== "timestamps" && v !== "nonces") bad(f, "one of timestamps, nonces", v); else m.replay = v;
        break;
      case "busy":
        if (typeof v !== "boolean") bad(f, "true or false", v); else m.busy = v;
        break;
      case "reverseTunnel":
        if (typeof v !== "boolean") bad(f, "true or false", v); else m.reverseTunnel = v;
        break;
      case "registrationProfile":
        if (v !== "seeds" && v !== "rfc3344") bad(f, "one of seeds, rfc3344", v); else m.registrationProfile = v;
        break;
    }
  }
  if (!("homePrefixLen" in raw) && roles.includes("mobile-node")) {
    const home = interfaces.find((x) => x.ip === m.homeAddress);
    if (home) m.homePrefixLen = home.prefixLen;
  }
  if (roles.includes("mobile-node") && m.homeAgent !== 0 && m.homePrefixLen < 32) {
    const mask = m.homePrefixLen === 0 ? 0 : (~0 << (32 - m.homePrefixLen)) >>> 0;
    if (((m.homeAgent ^ m.homeAddress) & mask) >>> 0 !== 0) bad("mobility.homeAgent", `an address on the home network ${formatIp((m.homeAddress & mask) >>> 0)}/${m.homePrefixLen}`, formatIp(m.homeAgent));
  }
  if (m.retransmitMaxMs < m.retransmitMs) bad("mobility.retransmitMaxMs", `at least retransmitMs = ${m.retransmitMs}`, m.retransmitMaxMs);
  return m;
}

function parseKey(v: unknown): Uint8Array | null {
  if (typeof v !== "string") return null;
  if (v.startsWith("text:")) { const b = new TextEncoder().encode(v.slice(5)); return b.length ? b : null; }
  if (!/^([0-9a-fA-F]{2})+$/.test(v)) return null;
  return Uint8Array.from(v.match(/../g)!.map((h) => parseInt(h, 16)));
}

const SA_USES: SaUse[] = ["mobile-home", "mobile-foreign", "foreign-home"];

/**
 * The use of an association that does not say (docs/decisions.md): a mobile node's are with home
 * agents; a home agent's with its mobile nodes when the peer is on a home link, else with foreign
 * agents; a foreign agent's could be either, so it must say (null).
 */
function defaultSaUse(peer: number, roles: Role[], interfaces: IfaceConfig[]): SaUse | null {
  if (roles.includes("mobile-node")) return "mobile-home";
  if (roles.includes("home-agent")) {
    const onHome = interfaces.some((x) => x.home && x.prefixLen > 0 && ((x.ip ^ peer) >>> (32 - x.prefixLen)) === 0);
    if (onHome) return "mobile-home";
    if (!roles.includes("foreign-agent")) return "foreign-home";
  }
  return roles.includes("foreign-agent") ? null : "mobile-home";
}

function validateSas(raw: unknown, roles: Role[], interfaces: IfaceConfig[], bad: Bad): SecurityAssociation[] {
  const out: SecurityAssociation[] = [];
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) { bad("securityAssociations", "a list of security associations", raw); return out; }
  raw.forEach((r: unknown, i: number) => {
    const f = `securityAssociations[${i}]`;
    if (!isObject(r)) { bad(f, "an object", r); return; }
    const fields = ["peer", "spi", "algorithm", "key", "replay", "coverSpi", "use"];
    for (const k of Object.keys(r)) if (!fields.includes(k)) bad(`${f}.${k}`, `one of the fields ${fields.join(", ")}`, k);
    const peer = parseIp(r.peer);
    if (peer === null || peer === 0) bad(`${f}.peer`, "the peer's address like 10.0.0.1", r.peer);
    else if (out.some((x) => x.peer === peer)) bad(`${f}.peer`, "one association per peer", r.peer);
    // SPI 0-255 are reserved (RFC 2002 §3.5.1).
    if (!Number.isInteger(r.spi) || (r.spi as number) < 256 || (r.spi as number) > 0xffffffff) bad(`${f}.spi`, "an integer 256..4294967295 (0-255 are reserved)", r.spi);
    const algorithm = r.algorithm ?? "hmac-md5";
    if (algorithm !== "keyed-md5" && algorithm !== "hmac-md5") bad(`${f}.algorithm`, "one of keyed-md5, hmac-md5", algorithm);
    const key = parseKey(r.key);
    if (!key || key.length > 64) bad(`${f}.key`, "1-64 bytes as hex (\"00112233...\") or \"text:...\"", r.key === undefined ? undefined : "(hidden)");
    const replay = r.replay ?? "timestamps";
    if (replay !== "timestamps" && replay !== "nonces") bad(`${f}.replay`, "one of timestamps, nonces", replay);
    const coverSpi = r.coverSpi ?? (algorithm === "hmac-md5");
    if (typeof coverSpi !== "boolean") bad(`${f}.coverSpi`, "true or false", coverSpi);
    const use = r.use ?? (peer ? defaultSaUse(peer, roles, interfaces) : "mobile-home");
    if (use === null) bad(`${f}.use`, `one of ${SA_USES.join(", ")} (a foreign agent's association may be with a mobile node or a home agent)`, r.use);
    else if (!SA_USES.includes(use as SaUse)) bad(`${f}.use`, `one of ${SA_USES.join(", ")}`, use);
    if (peer && key && key.length <= 64) out.push({
      peer, spi: r.spi as number, algorithm: algorithm as SecurityAssociation["algorithm"], key,
      replay: replay as SecurityAssociation["replay"], coverSpi: coverSpi as boolean, use: (use ?? "mobile-home") as SaUse,
    });
  });
  return out;
}

// Binary format constants, mirrored from assembly/config.ts.
const REC_BOARD = 1, REC_NODE = 2, REC_IFACE = 3, REC_ROUTE = 4, REC_MOBILITY = 5, REC_SA = 6;
const ROLE_BITS: Record<Role, number> = { router: 1, host: 2, "mobile-node": 4, "foreign-agent": 8, "home-agent": 16 };
const ENCAP_BITS: Record<Encapsulation, number> = { ipip: 1, minimal: 2, gre: 4 };
const SA_USE_BITS: Record<SaUse, number> = { "mobile-home": 1, "mobile-foreign": 2, "foreign-home": 3 };
const BOARD_KEYS: [keyof Sizes | "memoryPages", number][] = [
  ["memoryPages", 1], ["arpEntries", 2], ["routes", 3], ["timers", 4], ["pendingFrames", 5], ["frameBytes", 6],
  ["bindings", 7], ["visitors", 8], ["securityAssocs", 9], // 10 is reserved (docs/abi.md)
  ["reassemblySlots", 11], ["reassemblyBytes", 12],
];
const NODE_KEYS: [keyof NodeOptions | "roles", number][] = [
  ["roles", 1], ["defaultTtl", 2], ["arpTimeoutSec", 3], ["arpRetries", 4], ["icmpErrorsPerSec", 5], ["logLevel", 6],
];

/** Encode a validated configuration into the core's binary form (one buffer, any size). */
export function encodeConfig(c: ValidConfig): Uint8Array {
  return pack(configRecords(c));
}

/**
 * Encode into buffers of at most `capacity` bytes: the first for `init` (every record but as many
 * ROUTE/SA records as fit), the rest for `config_add` (ROUTE and SA records only). docs/abi.md.
 */
export function encodeConfigChunks(c: ValidConfig, capacity: number): Uint8Array[] {
  const recs = configRecords(c);
  const perPeer = (r: Uint8Array) => r[0] === REC_ROUTE || r[0] === REC_SA;
  const chunks: Uint8Array[][] = [recs.filter((r) => !perPeer(r))];
  let size = 8 + chunks[0].reduce((n, r) => n + r.length, 0);
  for (const r of recs.filter(perPeer)) {
    if (size + r.length > capacity) { chunks.push([]); size = 8; }
    chunks[chunks.length - 1].push(r);
    size += r.length;
  }
  return chunks.map(pack);
}

function pack(recs: Uint8Array[]): Uint8Array {
  const total = 8 + recs.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total);
  out.set([0x4d, 0x49, 0x50, 0x46, 0, 1, 0, 0]);
  let o = 8;
  for (const r of recs) { out.set(r, o); o += r.length; }
  return out;
}

function configRecords(c: ValidConfig): Uint8Array[] {
  const recs: Uint8Array[] = [];
  const rec = (type: number, body: Uint8Array) => {
    const r = new Uint8Array(4 + body.length);
    r[0] = type; new DataView(r.buffer).setUint16(2, body.length); r.set(body, 4);
    recs.push(r);
  };
  const kv = (pairs: [number, number][]) => {
    const b = new Uint8Array(pairs.length * 6); const dv = new DataView(b.buffer);
    pairs.forEach(([k, v], i) => { dv.setUint16(i * 6, k); dv.setUint32(i * 6 + 2, v >>> 0); });
    return b;
  };
  const sizes = { ...c.sizes, memoryPages: c.board.memoryPages };
  rec(REC_BOARD, kv(BOARD_KEYS.map(([k, id]) => [id, sizes[k]])));
  const roles = c.roles.reduce((bits, r) => bits | ROLE_BITS[r], 0);
  const node = { ...c.node, roles };
  rec(REC_NODE, kv(NODE_KEYS.map(([k, id]) => [id, node[k]])));
  c.interfaces.forEach((ifc, i) => {
    const b = new Uint8Array(16); const dv = new DataView(b.buffer);
    b[0] = i; b[1] = (ifc.advertise ? 1 : 0) | (ifc.home ? 2 : 0) | (ifc.dhcp ? 4 : 0); b.set(ifc.mac, 2); dv.setUint32(8, ifc.ip >>> 0); b[12] = ifc.prefixLen; dv.setUint16(14, ifc.mtu);
    rec(REC_IFACE, b);
  });
  for (const r of c.routes) {
    const b = new Uint8Array(12); const dv = new DataView(b.buffer);
    dv.setUint32(0, r.dest >>> 0); b[4] = r.prefixLen; b[5] = r.iface; dv.setUint32(8, r.via >>> 0);
    rec(REC_ROUTE, b);
  }
  const m = c.mobility;
  const req = m.request;
  // Registration Request flag bits (RFC 2002 §3.3): S 0x80, B 0x40, D 0x20, M 0x10, G 0x08.
  const requestFlags = (req.simultaneous ? 0x80 : 0) | (req.broadcast ? 0x40 : 0) |
    (req.encapsulation === "minimal" ? 0x10 : req.encapsulation === "gre" ? 0x08 : 0);
  rec(REC_MOBILITY, kv([
    [1, m.homeAddress], [2, m.homeAgent], [3, m.homePrefixLen], [4, m.lifetimeSec], [5, m.advertIntervalMs],
    [6, m.advertLifetimeSec], [7, m.encapsulations.reduce((b, e) => b | ENCAP_BITS[e], 0)], [8, m.maxBindingsPerNode],
    [9, requestFlags], [10, m.colocated === "never" ? 0 : m.colocated === "auto" ? 1 : 2], [11, m.replay === "nonces" ? 1 : 0],
    [12, m.replayWindowSec], [13, m.clockOffsetSec >>> 0], [14, m.busy ? 1 : 0], [15, m.retransmitMs], [16, m.retransmitMaxMs],
    [17, m.solicitIntervalMs], [18, m.reverseTunnel ? 1 : 0], [19, m.registrationProfile === "rfc3344" ? 1 : 0],
  ]));
  for (const sa of c.securityAssociations) {
    const b = new Uint8Array(12 + sa.key.length); const dv = new DataView(b.buffer);
    dv.setUint32(0, sa.peer >>> 0); dv.setUint32(4, sa.spi >>> 0); b[8] = sa.algorithm === "keyed-md5" ? 1 : 2;
    b[9] = sa.replay === "nonces" ? 1 : 0;
    b[10] = (sa.coverSpi ? 1 : 0) | (SA_USE_BITS[sa.use] << 1); b[11] = sa.key.length; b.set(sa.key, 12);
    rec(REC_SA, b);
  }
  return recs;
}
