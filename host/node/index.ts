// Library entry of the Node host (bundled to build/host.mjs): boards, configurations and the
// emulated network, for tests, benchmarks and tools.

import { readFileSync } from "node:fs";
import { validateScenario, type Scenario } from "./sim/scenario.js";

export { Board, BoardError, compileFirmware, copyFrame, ABI_VERSION, decodeDump, mappedV4, type BoardHooks, type FirmwareExports } from "./board.js";
export { RemoteBoard, type SimBoard, type RemoteOptions } from "./remote.js";
export {
  validateConfig, describeProblems, CONFIG_DESCRIPTION, FIELD_TYPES, encodeConfig, encodeConfigChunks, mappedAddress, ConfigError, BOARDS, DEFAULT_BOARD, SIZE_RANGES,
  parseIp, formatIp, parseCidr, parseMac, formatMac, parseIp6, formatIp6, parseCidr6,
  type ValidConfig, type BoardProfile, type Sizes, type IfaceConfig, type RouteConfig, type NodeOptions, type Role,
} from "./config.js";
export * from "./packet.js";
export * from "./frames.js";
export * from "./mip.js";
export { PcapBuffer, PcapFile, PcapngFile, FIRMWARE_EPOCH_UNIX_SEC, teeTaps, pcapHeader, readPcap, PCAP_MAGIC, LINKTYPE_ETHERNET, type FrameTap } from "./pcap.js";
export { Engine, SimEvent, type EventFn } from "./sim/engine.js";
export { Rng, hashName } from "./sim/rng.js";
export { Segment, DEFAULT_SEGMENT, type Port, type SegmentParams, type SegmentStats } from "./sim/segment.js";
export { AccessPoint, ApGrid, WaypointMover, RandomWalkMover, StaticMover, signalDbm, macKey, type Mover } from "./sim/wifi.js";
export { CbrSource, Sink, Ping, Samples, SeqSet, percentile, CBR_HEADER, type AppHost } from "./sim/apps.js";
export { EventLog, decodeFirmwareEvent, formatAddr, FIRMWARE_EVENTS, requestFlags, eventLine } from "./sim/events.js";
export { closest, editDistance, explainProblems, namedPath } from "./hints.js";
export { scenarioWarnings } from "./warnings.js";
export { REG_REPLY_CODES, BA6_STATUS, RO_BA_STATUS, replyCodeName, ba6StatusName, roStatusName, codeLabel, IGNORED_DROPS } from "./names.js";
export {
  DhcpServer, parseDhcp, buildDhcp, u32Opt, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, DHCP_MAGIC, FLAG_BROADCAST,
  DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE, DHCPINFORM,
  OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_REQUESTED_IP, OPT_LEASE_TIME, OPT_OVERLOAD, OPT_MESSAGE_TYPE, OPT_SERVER_ID,
  OPT_MESSAGE, OPT_RENEWAL_T1, OPT_REBINDING_T2, OPT_CLIENT_ID, type DhcpMessage, type DhcpServerConfig, type DhcpStats,
} from "./sim/dhcp.js";
export { renderTimeline, timelineData, MARK_KINDS, PLOT_KINDS, COMPACT_OVER, type TimelineData } from "./timeline.js";
export { traceEvents, traceJson } from "./trace.js";
export { validateScenario, ScenarioError, SEGMENT_DEFAULTS, CELL_DEFAULTS, SCENARIO_DESCRIPTION, RULES as SCENARIO_RULES } from "./sim/scenario.js";
export type { Scenario, ScNode, ScApp, ScCbr, ScPing, ScSegment, ScAccessPoint, ScDhcpServer, ScAction, Mobility, Waypoint } from "./sim/scenario.js";
export { Simulation, SimNode, NodeIface, TIMELINE_KINDS, isRegistrationRequest, type SimOptions, type HandoffRecord, type HostStats, type MobileTrack } from "./sim/sim.js";
export { buildSummary, summaryJson, SUMMARY_FORMAT_VERSION, type Summary } from "./sim/summary.js";
export { renderSummary, table } from "./sim/report.js";

/** Read and validate a scenario file; field names in errors are prefixed with "scenario". */
export function loadScenario(path: string): Scenario {
  return validateScenario(JSON.parse(readFileSync(path, "utf8")), "scenario");
}
