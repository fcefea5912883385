// Binary node configuration (docs/abi.md "Configuration"). The host turns the JSON node configuration
// into this form; the core validates it again and refuses anything out of range, logging
// "config: <field>: expected <range>, got <value>" so the message names the field.

import { logBegin, logStr, logBytes, logNum, logEnd, LOG_ERROR } from "./host";
import { CONFIG_TEXT, CONFIG_TEXT_LEN } from "./config-text";
import { textLine, textBuf } from "./text";
import { IPV6, MIP6, RESTORE, REKEY } from "./features";

/** Apply one IFACE, ROUTE or SA record (`rlen` bytes at `v`); false after logging a refusal. */
export type RecordApply = (type: i32, v: usize, rlen: u32) => bool;

/**
 * Texts of configuration refusals ("config: <field>: expected <what>, got <value>"): each member's
 * comment is its text. host/gen-counter-names.mjs writes them as UTF-8 into config-text.ts at build
 * time (Why: 70 string literals cost 4 KB of UTF-16 in firmware.wasm; as UTF-8 1.5 KB, issue 8).
 */
export const enum T {
  A_CONFIGURED_INTERFACE, // a configured interface
  A_KNOWN_KEY, // a known key
  AN_IPV4_ADDRESS, // an IPv4 address
  A_UNICAST_MAC_ADDRESS, // a unicast MAC address
  BOARD_ARP_ENTRIES, // board.arpEntries
  BOARD_BINDINGS, // board.bindings
  BOARD_BINDING_CACHE, // board.bindingCache
  BOARD_FRAME_BYTES, // board.frameBytes
  BOARD_HANDOFF_BUFFER_FRAMES, // board.handoffBufferFrames
  BOARD_KEY, // board key
  BOARD_MEMORY_PAGES, // board.memoryPages
  BOARD_PENDING_FRAMES, // board.pendingFrames
  BOARD_REASSEMBLY_BYTES, // board.reassemblyBytes
  BOARD_REASSEMBLY_SLOTS, // board.reassemblySlots
  BOARD_ROUTES, // board.routes
  BOARD_RO_PEERS, // board.roPeers
  BOARD_SERVER_ENTRIES, // board.serverEntries
  BOARD_CARE_OF_ROUTES, // board.careOfRoutes
  DR_ENABLED, // mobility.dremip.enabled
  DR_HOME_SERVER, // mobility.dremip.homeServer
  DR_LOCAL_LIFETIME_SEC, // mobility.dremip.localLifetimeSec
  DR_MAX_ROUTE_LIFETIME_SEC, // mobility.dremip.maxRouteLifetimeSec
  DR_LOCAL_SERVICE, // mobility.dremip.localService
  DR_COMBINED, // mobility.dremip.combined
  DR_PROBE_INTERVAL_MS, // mobility.dremip.probeIntervalMs
  DR_PRIORITY, // mobility.dremip.priority
  DR_SERVERS, // mobility.dremip.servers
  DR_SERVER_KIND, // mobility.dremip.servers.kind
  DR_SERVER_ADDRESS, // mobility.dremip.servers.address
  SERVER_RECORD_LENGTH, // server record length
  BOARD_SECURITY_ASSOCS, // board.securityAssocs
  BOARD_TIMERS, // board.timers
  BOARD_VISITORS, // board.visitors
  CONFIG_LENGTH, // config length
  CONFIG_MAGIC, // config magic
  CONFIG_VERSION, // config version
  EACH_INTERFACE_ONCE, // each interface once
  FOUR_BYTES, // 4 bytes
  IFACE_INDEX, // iface.index
  IFACE_IPV4, // iface.ipv4
  IFACE_MAC, // iface.mac
  IFACE_MTU, // iface.mtu
  IFACE_PREFIX_LEN, // iface.prefixLen
  IFACE_RECORD_LENGTH, // iface record length
  KEY_VALUE_LENGTH, // key/value value length
  KEY_VALUE_RECORD_LENGTH, // key/value record length
  MIPF, // "MIPF"
  MOBILITY_ADVERT_INTERVAL_MS, // mobility.advertIntervalMs
  MOBILITY_ADVERT_LIFETIME_SEC, // mobility.advertLifetimeSec
  MOBILITY_BUSY, // mobility.busy
  MOBILITY_COLOCATED, // mobility.colocated
  MOBILITY_ENCAPSULATIONS, // mobility.encapsulations
  MOBILITY_HOME_ADDRESS, // mobility.homeAddress
  MOBILITY_HOME_AGENT, // mobility.homeAgent
  MOBILITY_HOME_PREFIX_LEN, // mobility.homePrefixLen
  MOBILITY_KEY, // mobility key
  MOBILITY_LIFETIME_SEC, // mobility.lifetimeSec
  MOBILITY_MAX_BINDINGS_PER_NODE, // mobility.maxBindingsPerNode
  MOBILITY_REGISTRATION_PROFILE, // mobility.registrationProfile
  MOBILITY_REPLAY, // mobility.replay
  MOBILITY_REPLAY_WINDOW_SEC, // mobility.replayWindowSec
  MOBILITY_REQUEST_FLAGS, // mobility.requestFlags
  MOBILITY_RETRANSMIT_MAX_MS, // mobility.retransmitMaxMs
  MOBILITY_RETRANSMIT_MS, // mobility.retransmitMs
  MOBILITY_REVERSE_TUNNEL, // mobility.reverseTunnel
  MOBILITY_SOLICIT_INTERVAL_MS, // mobility.solicitIntervalMs
  RO_CACHE_LIFETIME_SEC, // mobility.routeOptimization.cacheLifetimeSec
  RO_ENABLED, // mobility.routeOptimization.enabled
  RO_HOLD_MS, // mobility.routeOptimization.holdMs
  RO_PRIVATE, // mobility.routeOptimization.private
  RO_SMOOTH_HANDOFF, // mobility.routeOptimization.smoothHandoff
  RO_UPDATE_INTERVAL_MS, // mobility.routeOptimization.updateIntervalMs
  NODE_ARP_RETRIES, // node.arpRetries
  NODE_ARP_TIMEOUT_SEC, // node.arpTimeoutSec
  NODE_DEFAULT_TTL, // node.defaultTtl
  NODE_ICMP_ERRORS_PER_SEC, // node.icmpErrorsPerSec
  NODE_KEY, // node key
  NODE_LOG_LEVEL, // node.logLevel
  NODE_IPV6, // node.ipv6
  NODE_DAD_TRANSMITS, // node.dadTransmits
  NODE_RETRANS_TIMER_MS, // node.retransTimerMs
  NODE_REACHABLE_TIME_MS, // node.reachableTimeMs
  NODE_RA_INTERVAL_MS, // node.raIntervalMs
  NODE_RA_LIFETIME_SEC, // node.raLifetimeSec
  IPV6_RECORD_LENGTH, // ipv6 record length
  IPV6_IFACE, // ipv6.iface
  IPV6_ADDRESS, // ipv6.address
  IPV6_PREFIX_LEN, // ipv6.prefixLen
  AN_IPV6_UNICAST_ADDRESS, // a unicast IPv6 address
  IPV6_ADDRESSES, // ipv6 addresses per interface
  IPSEC_RECORD_LENGTH, // ipsec record length
  IPSEC_PEER, // ipsec.peer
  IPSEC_SPI, // ipsec.spiIn / spiOut
  IPSEC_KEY, // ipsec.key length (16 hmac-md5-96, 20 hmac-sha1-96)
  IPSEC_WINDOW, // ipsec.window
  IPSEC_ALGORITHM, // ipsec.algorithm
  IPSEC_PEERS, // ipsec peers
  TUNNELS6, // tunnels6
  TUNNEL6_RECORD_LENGTH, // tunnels6 record length
  NODE_ROLES, // node.roles
  RECORD_HEADER, // record header
  RECORD_LENGTH, // record length
  RECORD_TYPE, // record type
  RECORD_TYPES, // 1..10 or >= 128
  RECORD_TYPES_AFTER_INIT, // 4 (ROUTE), 6 (SA), 8 (ADDR6), 9 (IPSEC) or >= 128
  RECORD_TYPE_AFTER_INIT, // record type after init
  ROUTES, // routes
  ROUTE_DEST, // route.dest
  ROUTE_IFACE, // route.iface
  ROUTE_PREFIX_LEN, // route.prefixLen
  ROUTE_RECORD_LENGTH, // route record length
  ROUTE_VIA, // route.via
  SA_RECORD_LENGTH, // sa record length
  SECURITY_ASSOCIATIONS_ALGORITHM, // securityAssociations.algorithm
  SECURITY_ASSOCIATIONS_KEY_LENGTH, // securityAssociations.key length
  SECURITY_ASSOCIATIONS_PEER, // securityAssociations.peer
  SECURITY_ASSOCIATIONS_REPLAY, // securityAssociations.replay
  SECURITY_ASSOCIATIONS_SPI, // securityAssociations.spi
  SECURITY_ASSOCIATIONS_USE, // securityAssociations.use
  WHOLE_ENTRIES, // whole entries
  WITHIN_THE_CONFIGURATION, // within the configuration
  MOBILITY_IPV6_CORRESPONDENTS, // mobility.ipv6Correspondents
  MOBILITY_OPTIMISTIC_DAD, // mobility.optimisticDad
  IPV6_GROUPS, // ipv6Groups
  IPV6_GROUPS_GROUP, // ipv6Groups.group
  AN_IPV6_MULTICAST_ADDRESS, // an IPv6 multicast address
  BINDING, // binding
  COUNT
}

export const CONFIG_CAPACITY: i32 = 4096;

/**
 * The one headroom budget (issue 8): bytes every packet buffer keeps free in front of the frame or
 * packet it holds — the rx buffer and the batch ring slots, the out buffer, reassembly slots, the home
 * agent's copies — so headers are prepended in place, never by copying: Ethernet 14 + IPv6 40 + the
 * extension headers Mobile IPv6 adds (home address option 24, type 2 routing header 24) + the largest
 * tunnel header (IPv6 in IPv6, 40) = 142, rounded up to 144. IPv4 needs 64 of it today.
 */
export const HEADROOM: i32 = 144;
/** Largest memory budget a board profile may give (1 GiB). */
export const MAX_MEMORY_PAGES: i32 = 16384;
/** KEY_RANGES index of the first NODE key, of the first MOBILITY key, and past the last. */
const KR_NODE: u32 = 17;
const KR_MOBILITY: u32 = 29;
const KR_END: u32 = 64;
/**
 * Every BOARD, NODE and MOBILITY key's value, one u32 per key in KEY_RANGES order (keySet writes it).
 * Most are read here (the functions named after the keys below); the ones read on many paths are
 * also copied into a global of the same name (keyPublish).
 * (Declared before configBuffer so its address is below 8192: a load from it is one byte shorter.)
 * Why (size, issue 12): a global per key cost its declaration, a default store in configDefaults and
 * a case in the key switch (~19 B each); a value in this table costs its default's 4 bytes here, and
 * a load (2-3 bytes more than a global's) per reader.
 */
const KEY_VALS: usize = memory.data(<i32>KR_END * 4, 4);
// @ts-ignore: decorator
@lazy export const configBuffer: usize = memory.data(CONFIG_CAPACITY, 16);

export const MAGIC: u32 = 0x4650494d; // "MIPF" read little-endian
/** Binary configuration version: 2 since ABI v2 (16-byte addresses, key/length/value entries). */
export const VERSION: u16 = 2;

export const REC_BOARD: u8 = 1;
export const REC_NODE: u8 = 2;
export const REC_IFACE: u8 = 3;
export const REC_ROUTE: u8 = 4;
export const REC_MOBILITY: u8 = 5;
export const REC_SA: u8 = 6;
export const REC_SERVER: u8 = 7;
export const REC_ADDR6: u8 = 8;
export const REC_IPSEC: u8 = 9;
export const REC_TUN6: u8 = 10;
/** IPv6 multicast groups joined (ipv6Groups; images with Mobile IPv6 only: stack/mld6.ts). */
export const REC_GROUP6: u8 = 11;
/** A home agent binding to restore (config_add only, images with RESTORE): docs/abi.md BINDING. */
export const REC_BINDING: u8 = 12;
/** A Mobile IPv6 home registration to restore (config_add only, images with RESTORE): docs/abi.md BINDING6. */
export const REC_BINDING6: u8 = 13;
/**
 * Most IPsec AH peers (records IPSEC). Why 4096: a Mobile IPv6 correspondent or home agent keys one SA
 * per mobile node home address, as many as the largest board profile's binding cache (boards/linux.json);
 * the board's memory budget refuses what it cannot hold (board.memoryPages).
 */
export const MAX_IPSEC: i32 = 4096;

// BOARD keys (u16 key, u32 value)
export const K_MEMORY_PAGES: u16 = 1;
export const K_ARP_ENTRIES: u16 = 2;
export const K_ROUTES: u16 = 3;
export const K_TIMERS: u16 = 4;
export const K_PENDING_FRAMES: u16 = 5;
export const K_FRAME_BYTES: u16 = 6;
export const K_BINDINGS: u16 = 7;
export const K_VISITORS: u16 = 8;
export const K_SECURITY_ASSOCS: u16 = 9;
export const K_REASSEMBLY_SLOTS: u16 = 11; // datagrams to this node reassembled at once (0: fragments dropped)
export const K_REASSEMBLY_BYTES: u16 = 12; // largest datagram reassembled (each slot's buffer)
export const K_BINDING_CACHE: u16 = 13;    // route optimization: binding cache entries (001 §3.1)
export const K_RO_PEERS: u16 = 14;         // route optimization: (target, binding) rate-limit / correspondent-list entries
export const K_HANDOFF_BUFFER_FRAMES: u16 = 15; // smooth handoff: frames a previous foreign agent holds
export const K_SERVER_ENTRIES: u16 = 16;   // distributed registration: registration server cache entries (002 §6.1)
export const K_CARE_OF_ROUTES: u16 = 17;   // distributed registration: care-of agent binding routes (002 §5.2)
// Key 10 is reserved (it was bindingCache, never used): refused like any other unknown key below 0x8000.
// NODE keys
export const K_ROLES: u16 = 1;
export const K_DEFAULT_TTL: u16 = 2;
export const K_ARP_TIMEOUT_SEC: u16 = 3;
export const K_ARP_RETRIES: u16 = 4;
export const K_ICMP_ERRORS_PER_SEC: u16 = 5;
export const K_LOG_LEVEL: u16 = 6;
export const K_IPV6: u16 = 7;             // 0 IPv4 only, 1 dual-stack, 2 IPv6 only
export const K_DAD_TRANSMITS: u16 = 8;    // RFC 2462 §5.1 DupAddrDetectTransmits (0: no DAD)
export const K_RETRANS_TIMER_MS: u16 = 9; // RFC 2461 §10 RETRANS_TIMER (until a router advertises one)
export const K_REACHABLE_TIME_MS: u16 = 10; // RFC 2461 §10 REACHABLE_TIME (BaseReachableTime)
export const K_RA_INTERVAL_MS: u16 = 11;  // router: MaxRtrAdvInterval (RFC 2461 §6.2.1; MinRtrAdvInterval is 1/3 of it)
export const K_RA_LIFETIME_SEC: u16 = 12; // router: AdvDefaultLifetime (0: not a default router)
/** NODE key 13: the number of ipsec peers (schema "countKey"), so the table is carved at init for IPSEC records sent later with config_add. */
export const K_IPSEC_PEERS: u16 = 13;

export const IPV6_OFF: i32 = 0;
export const IPV6_DUAL: i32 = 1;
export const IPV6_ONLY: i32 = 2;

export const ROLE_ROUTER: u32 = 1;      // forwards IPv4 between interfaces
export const ROLE_LOCAL_STACK: u32 = 2; // has a local IP stack behind deliver()/output()
export const ROLE_MOBILE_NODE: u32 = 4; // RFC 2002 mobile node
export const ROLE_FOREIGN_AGENT: u32 = 8;
export const ROLE_HOME_AGENT: u32 = 16;
export const ROLE_REG_SERVER: u32 = 32;   // registration server (002 §6): home, local or transit
export const ROLE_CARE_OF_AGENT: u32 = 64; // care-of agent (002 §5): relays a mobile node's datagrams parent -> child
export const ROLES_ALL: u32 = 127;

// IFACE record flags
export const IF_ADVERTISE: u8 = 1; // agents send Agent Advertisements (and answer solicitations) here
export const IF_HOME: u8 = 2;      // home agent: this interface is on the home network
export const IF_DHCP: u8 = 4;      // mobile node: may acquire a co-located care-of address by DHCP here

// MOBILITY keys (u16 key, u32 value)
export const K_HOME_ADDRESS: u16 = 1;
export const K_HOME_AGENT: u16 = 2;        // 0 = dynamic home agent discovery (RFC 2002 §3.6.1.2)
export const K_HOME_PREFIX_LEN: u16 = 3;
export const K_LIFETIME_SEC: u16 = 4;      // MN: requested; agents: the most they grant
export const K_ADVERT_INTERVAL_MS: u16 = 5;
export const K_ADVERT_LIFETIME_SEC: u16 = 6;
export const K_ENCAPSULATIONS: u16 = 7;    // bit 0 IP-in-IP, bit 1 minimal, bit 2 GRE
export const K_MAX_BINDINGS_PER_NODE: u16 = 8; // HA: simultaneous bindings per home address
export const K_REQUEST_FLAGS: u16 = 9;     // MN: S B D M G V bits exactly as in the Registration Request
export const K_COLOCATED: u16 = 10;        // MN: 0 never, 1 when no foreign agent answers, 2 always
export const K_REPLAY: u16 = 11;           // MN: 0 timestamps, 1 nonces
export const K_REPLAY_WINDOW_SEC: u16 = 12;
export const K_CLOCK_OFFSET_SEC: u16 = 13; // signed: added to the host clock to get this node's wall time
export const K_BUSY: u16 = 14;             // FA: advertise busy (B) and refuse with code 66
export const K_RETRANSMIT_MS: u16 = 15;    // MN: first registration retransmission timeout
export const K_RETRANSMIT_MAX_MS: u16 = 16;
export const K_SOLICIT_INTERVAL_MS: u16 = 17;
export const K_REVERSE_TUNNEL: u16 = 18;   // MN: send through a reverse tunnel to the home agent; FA: offer it (RFC 3024)
export const K_REG_PROFILE: u16 = 19;      // meaning of request flag bits 0x02/0x01: 0 seeds (P, R), 1 rfc3344 (T, reserved)
export const K_RO_ENABLED: u16 = 20;       // route optimization on (001): caches, Binding Updates, warnings, special tunnels
export const K_RO_UPDATE_INTERVAL_MS: u16 = 21; // least interval between Binding Updates / Warnings to one node about one binding (001 §7.1, §8.3)
export const K_RO_SMOOTH_HANDOFF: u16 = 22; // FA: advertise S and notify previous foreign agents; MN: send the PFAN extension
export const K_RO_CACHE_LIFETIME_SEC: u16 = 23; // MN: Cache Lifetime asked of the previous foreign agent (001 §8.2: small)
export const K_RO_PRIVATE: u16 = 24;       // MN: set P (seeds profile): the home agent keeps the binding private
export const K_RO_HOLD_MS: u16 = 25;       // FA: how long datagrams for a visitor whose link went down are held
export const K_DR_ENABLED: u16 = 26;       // distributed registration (002): MN registers through servers; FA honours R
export const K_DR_HOME_SERVER: u16 = 27;   // MN: its home registration server (16-byte address; 0: its home agent registers it)
export const K_DR_LOCAL_LIFETIME_SEC: u16 = 28; // MN: lifetime asked of a local registration (002 §2.8: local <= home)
export const K_DR_MAX_ROUTE_LIFETIME_SEC: u16 = 29; // care-of agent / HA: the longest binding route granted (002 §5.1, code 68)
export const K_DR_LOCAL_SERVICE: u16 = 30;  // MN: local registrations only, no home registration (002 §2.6)
export const K_DR_COMBINED: u16 = 31;       // MN: local and home registration in one request when possible (002 §2.8, D.3)
export const K_DR_PROBE_INTERVAL_MS: u16 = 32; // discovery (appendices A, B): agents solicit servers, servers probe care-of agents (0: off)
export const K_DR_PRIORITY: u16 = 33;       // registration server: the priority it advertises (002 §4.1)
export const K_MIP6_CORRESPONDENTS: u16 = 34; // Mobile IPv6 mobile node: 0 tunnel through the home agent, 1 Home Address option (003 §9.1)
export const K_OPTIMISTIC_DAD: u16 = 35;     // Mobile IPv6 mobile node: care-of addresses usable during their DAD (RFC 4429)

export const PROFILE_SEEDS: u32 = 0;
export const PROFILE_RFC3344: u32 = 1;

export const ENCAP_IPIP: u32 = 1;
export const ENCAP_MINIMAL: u32 = 2;
export const ENCAP_GRE: u32 = 4;

export const SA_ALG_KEYED_MD5: u8 = 1; // MD5(key | data | key), RFC 2002 §3.5.1
export const SA_ALG_HMAC_MD5: u8 = 2;  // RFC 2104
export const SA_REPLAY_NONCES: u8 = 1; // 0: timestamps (the default)
export const SA_FLAG_COVER_SPI: u8 = 1;
/** SA record flags bits 1-2: what the association authenticates (RFC 2002 §3.5.2-3.5.4); only that use verifies with it. */
export const SA_USE_SHIFT: u8 = 1;
export const SA_USE_MASK: u8 = 30;
export const SA_USE_MOBILE_HOME: u8 = 1;
export const SA_USE_MOBILE_FOREIGN: u8 = 2;
export const SA_USE_FOREIGN_HOME: u8 = 3;
export const SA_USE_CORRESPONDENT: u8 = 4; // a correspondent node and a home agent (001 §7.2): Binding Updates
export const SA_USE_MASTER: u8 = 5;        // home agent: the master key of 001 appendix A (peer = its own address)
export const SA_USE_AGENT_SERVER: u8 = 6;  // a mobility or care-of agent and a registration server (002 §4.3): extension 83
export const SA_USE_MOBILE_SERVER: u8 = 7; // a mobile node and a registration server (002 §4.4): extension 84
export const SA_USE_SERVER_SERVER: u8 = 8; // two registration servers (002 §4.5, appendix C): extension 85
export const SA_USE_LAST: u8 = 8;
export const SA_MAX_KEY: i32 = 64;

/**
 * Each key's default, in KEY_RANGES order (configDefaults copies them to KEY_VALS), as u16: the one
 * default above 65535 (node.raIntervalMs) is stored by configDefaults.
 */
const KEY_DEFAULTS: usize = memory.data<u16>([
  2, // memoryPages
  32, // arpEntries
  16, // routeEntries
  64, // timerEntries
  4, // pendingFrames
  1518, // frameBytes
  0, // bindingEntries
  0, // visitorEntries
  0, // securityAssocEntries
  0, // key 10: reserved
  0, // reassemblySlots
  0, // reassemblyBytes
  0, // bindingCacheEntries
  0, // roPeerEntries
  0, // handoffBufferFrames
  0, // serverEntries
  0, // careOfRoutes
  <u16>ROLE_LOCAL_STACK, // roles
  64, // defaultTtl
  60, // arpTimeoutSec
  3, // arpRetries
  10, // icmpErrorsPerSec
  2, // logLevel
  <u16>IPV6_OFF, // ipv6
  1, // dadTransmits
  1000, // retransTimerMs
  30000, // reachableTimeMs
  0, // raIntervalMs: 600000 (configDefaults)
  1800, // raLifetimeSec
  0, // homeAddress
  0, // homeAgent
  24, // homePrefixLen
  300, // lifetimeSec
  1000, // advertIntervalMs
  3, // advertLifetimeSec
  <u16>ENCAP_IPIP, // encapsulations
  4, // maxBindingsPerNode
  0, // requestFlags
  1, // colocated
  0, // replay
  7, // replayWindowSec
  0, // clockOffsetSec
  0, // busy
  1000, // retransmitMs
  8000, // retransmitMaxMs
  1000, // solicitIntervalMs
  0, // reverseTunnel
  <u16>PROFILE_SEEDS, // registrationProfile
  0, // roEnabled
  1000, // roUpdateIntervalMs
  0, // roSmoothHandoff
  10, // roCacheLifetimeSec
  0, // roPrivate
  500, // roHoldMs
  0, // drEnabled
  0, // drHomeServer
  60, // drLocalLifetimeSec
  65534, // drMaxRouteLifetimeSec
  0, // drLocalService
  0, // drCombined
  10000, // drProbeIntervalMs
  0, // drPriority
  0, // mip6Correspondents
  1, // optimisticDad
]);
function kv(i: u32): i32 { return load<i32>(KEY_VALS + (<usize>i << 2)); }

/** Copy the keys read on many paths from KEY_VALS into their globals. */
function keyPublish(): void {
  memoryPages = kv(0);
  frameBytes = kv(5);
  reassemblyBytes = kv(11);
  roles = <u32>kv(17);
  defaultTtl = kv(18);
  ipv6 = kv(23);
  homeAddress = <u32>kv(29);
  lifetimeSec = kv(32);
  encapsulations = <u32>kv(35);
  colocated = kv(38);
  retransmitMs = kv(43);
  reverseTunnel = kv(46) != 0;
  registrationProfile = <u32>kv(47);
  roEnabled = kv(48) != 0;
  roSmoothHandoff = kv(50) != 0;
  drEnabled = kv(54) != 0;
  drHomeServer = <u32>kv(55);
  drProbeIntervalMs = kv(60);
}

// Values in force after init (defaults first).
export let memoryPages: i32 = 2;
// @ts-ignore: decorator
@inline export function arpEntries(): i32 { return kv(1); }
// @ts-ignore: decorator
@inline export function routeEntries(): i32 { return kv(2); }
// @ts-ignore: decorator
@inline export function timerEntries(): i32 { return kv(3); }
// @ts-ignore: decorator
@inline export function pendingFrames(): i32 { return kv(4); }
export let frameBytes: i32 = 1518;
// @ts-ignore: decorator
@inline export function bindingEntries(): i32 { return kv(6); }
// @ts-ignore: decorator
@inline export function visitorEntries(): i32 { return kv(7); }
// @ts-ignore: decorator
@inline export function securityAssocEntries(): i32 { return kv(8); }
// @ts-ignore: decorator
@inline export function reassemblySlots(): i32 { return kv(10); }
export let reassemblyBytes: i32 = 0;
// @ts-ignore: decorator
@inline export function bindingCacheEntries(): i32 { return kv(12); }
// @ts-ignore: decorator
@inline export function roPeerEntries(): i32 { return kv(13); }
// @ts-ignore: decorator
@inline export function handoffBufferFrames(): i32 { return kv(14); }
// @ts-ignore: decorator
@inline export function serverEntries(): i32 { return kv(15); }
// @ts-ignore: decorator
@inline export function careOfRoutes(): i32 { return kv(16); }
export let roles: u32 = 2; // ROLE_LOCAL_STACK (a literal: a named constant here became a store at start-up)
export let defaultTtl: i32 = 64;
// @ts-ignore: decorator
@inline export function arpTimeoutSec(): i32 { return kv(19); }
// @ts-ignore: decorator
@inline export function arpRetries(): i32 { return kv(20); }
// @ts-ignore: decorator
@inline export function icmpErrorsPerSec(): i32 { return kv(21); }
// @ts-ignore: decorator
@inline export function logLevel(): i32 { return kv(22); }
export let ipv6: i32 = 0; // IPV6_OFF (a literal: a named constant here became a store at start-up)
// @ts-ignore: decorator
@inline export function dadTransmits(): i32 { return kv(24); }
// @ts-ignore: decorator
@inline export function retransTimerMs(): i32 { return kv(25); }
// @ts-ignore: decorator
@inline export function reachableTimeMs(): i32 { return kv(26); }
// @ts-ignore: decorator
@inline export function raIntervalMs(): i32 { return kv(27); }
// @ts-ignore: decorator
@inline export function raLifetimeSec(): i32 { return kv(28); }
/**
 * IPsec AH peers to carve the table for: the IPSEC records in `init`'s buffer (counted in pass 1), or
 * NODE key 13 (K_IPSEC_PEERS) when larger (the rest arrive with config_add; configCrossCheck).
 */
export let ipsecEntries: i32 = 0;
/** GROUP6 records of the configuration (pass 1; images with Mobile IPv6): the group table is carved for them. */
export let group6Entries: i32 = 0;
let ipsecDeclared: i32 = 0;

/** True when the node runs IPv6 (dual-stack or IPv6 only). */
// @ts-ignore: decorator
@inline export function ipv6Enabled(): bool { return IPV6 && ipv6 != IPV6_OFF; }
export let homeAddress: u32 = 0;
// @ts-ignore: decorator
@inline export function homeAgent(): u32 { return <u32>kv(30); }
// @ts-ignore: decorator
@inline export function homePrefixLen(): i32 { return kv(31); }
export let lifetimeSec: i32 = 300;
// @ts-ignore: decorator
@inline export function advertIntervalMs(): i32 { return kv(33); }
// @ts-ignore: decorator
@inline export function advertLifetimeSec(): i32 { return kv(34); }
export let encapsulations: u32 = 1; // ENCAP_IPIP (a literal: a named constant here became a store at start-up)
// @ts-ignore: decorator
@inline export function maxBindingsPerNode(): i32 { return kv(36); }
// @ts-ignore: decorator
@inline export function requestFlags(): u32 { return <u32>kv(37); }
export let colocated: i32 = 1;
// @ts-ignore: decorator
@inline export function replay(): i32 { return kv(39); }
// @ts-ignore: decorator
@inline export function replayWindowSec(): i32 { return kv(40); }
// @ts-ignore: decorator
@inline export function clockOffsetSec(): i32 { return kv(41); }
// @ts-ignore: decorator
@inline export function busy(): bool { return kv(42) != 0; }
export let retransmitMs: i32 = 1000;
// @ts-ignore: decorator
@inline export function retransmitMaxMs(): i32 { return kv(44); }
// @ts-ignore: decorator
@inline export function solicitIntervalMs(): i32 { return kv(45); }
export let reverseTunnel: bool = false;
export let registrationProfile: u32 = 0; // PROFILE_SEEDS (a literal: a named constant here became a store at start-up)
export let roEnabled: bool = false;
// @ts-ignore: decorator
@inline export function roUpdateIntervalMs(): i32 { return kv(49); }
export let roSmoothHandoff: bool = false;
// @ts-ignore: decorator
@inline export function roCacheLifetimeSec(): i32 { return kv(51); }
// @ts-ignore: decorator
@inline export function roPrivate(): bool { return kv(52) != 0; }
// @ts-ignore: decorator
@inline export function roHoldMs(): i32 { return kv(53); }
export let drEnabled: bool = false;
export let drHomeServer: u32 = 0;
// @ts-ignore: decorator
@inline export function drLocalLifetimeSec(): i32 { return kv(56); }
// @ts-ignore: decorator
@inline export function drMaxRouteLifetimeSec(): i32 { return kv(57); }
// @ts-ignore: decorator
@inline export function drLocalService(): bool { return kv(58) != 0; }
// @ts-ignore: decorator
@inline export function drCombined(): bool { return kv(59) != 0; }
export let drProbeIntervalMs: i32 = 10000;
// @ts-ignore: decorator
@inline export function drPriority(): i32 { return kv(61); }
/** Mobile IPv6 mobile node away from home, packets to correspondents: 0 through the home agent's tunnel, 1 with a Home Address option (seed 003 §9.1). */
export function mip6Correspondents(): i32 { return kv(62); }
/** Mobile IPv6 mobile node: its autoconfigured (care-of) addresses are Optimistic (RFC 4429), usable during DAD. */
export function optimisticDad(): bool { return kv(63) != 0 && (roles & ROLE_MOBILE_NODE) != 0; }

/** Server list kinds (SERVER records, mobility.dremip.servers). */
export const SRV_ADVERTISE: u8 = 1;   // agents: named in the Registration Server extension of advertisements (002 §7.1)
export const SRV_CARE_OF_AGENT: u8 = 2; // registration server: a care-of agent it allocates parent care-of addresses of (002 §6.6)
export const SRV_TRANSIT: u8 = 3;     // registration server: the transit server it names when it cannot relay (002 D.2)
export const MAX_SERVERS: i32 = 16;
/**
 * Server list: MAX_SERVERS entries of 0 kind u8 | 1 pad | 2 priority u16 | 4 lifetimeSec u16 | 6 pad[2] |
 * 8 address u32. Carved from the arena by the first SERVER record or a registration server's init
 * (serverTableSet; 0 until then: Why (memory): nodes without servers do not pay for it).
 */
export let servers: usize = 0;
export const SERVER_TABLE_BYTES: usize = <usize>MAX_SERVERS * 12;
/** Give the server list its memory (SERVER_TABLE_BYTES at `p`, from the arena). */
export function serverTableSet(p: usize): void { servers = p; }
export let serverCount: i32 = 0;
// @ts-ignore: decorator
@inline export function serverKind(i: i32): u8 { return load<u8>(servers + <usize>i * 12); }
// @ts-ignore: decorator
@inline export function serverPriority(i: i32): u16 { return load<u16>(servers + <usize>i * 12, 2); }
// @ts-ignore: decorator
@inline export function serverLifetimeSec(i: i32): u16 { return load<u16>(servers + <usize>i * 12, 4); }
export function serverAddress(i: i32): u32 { return load<u32>(servers + <usize>i * 12, 8); }
/** Configured servers of `kind`. */
export function serverCountOf(kind: u8): i32 {
  let k = 0;
  for (let i = 0; i < serverCount; i++) if (serverKind(i) == kind) k++;
  return k;
}

/** Add a server list entry (configure.ts); false when the list is full. */
export function serverAdd(kind: u8, priority: u16, lifetimeSec: u16, address: u32): bool {
  if (servers == 0 || serverCount >= MAX_SERVERS) return false;
  const e = servers + <usize>serverCount * 12;
  store<u8>(e, kind); store<u16>(e, priority, 2); store<u16>(e, lifetimeSec, 4); store<u32>(e, address, 8);
  serverCount++;
  return true;
}

export function configDefaults(): void {
  for (let i: usize = 0; i < <usize>KR_END; i++) store<u32>(KEY_VALS + (i << 2), load<u16>(KEY_DEFAULTS + (i << 1)));
  store<u32>(KEY_VALS + (<usize>(KR_NODE + K_RA_INTERVAL_MS - 1) << 2), 600000);
  keyPublish();
  ipsecEntries = 0; ipsecDeclared = 0; serverCount = 0; servers = 0;
  if (MIP6) group6Entries = 0;
}

/** Append refusal text `t` (config-text.ts, encoded as text.ts says) to the current log line. */
function logText(t: T): void { logBytes(textBuf, textLine(CONFIG_TEXT, CONFIG_TEXT_LEN, t, textBuf)); }

/** Log a refusal naming the field, the expected range and the value seen. Always returns false. */
export function refuse(field: T, lo: u32, hi: u32, got: i64): bool {
  refuseBegin(field); logNum(lo); logStr(".."); logNum(hi);
  logStr(", got "); logNum(got);
  logEnd(LOG_ERROR);
  return false;
}

/** Begin a refusal line: "config: <field>: expected ". */
function refuseBegin(field: T): void { logBegin(); logStr("config: "); logText(field); logStr(": expected "); }

/** Log a refusal with a free-text expectation. Always returns false. */
export function refuseText(field: T, expected: T, got: u32): bool {
  refuseBegin(field); logText(expected); logStr(", got "); logNum(got);
  logEnd(LOG_ERROR);
  return false;
}

const hexBuf: usize = memory.data(40);

/**
 * Refuse the 16-byte address at `p` where only IPv4 works today, showing it as eight groups of four
 * hexadecimal digits (RFC 4291 §2.2 form 1, leading zeros kept: the shortest code). Always returns false.
 */
function refuseAddr(field: T, p: usize): bool {
  let q = hexBuf;
  for (let i: usize = 0; i < 16; i++) {
    const b = <u32>load<u8>(p + i);
    const hi = b >> 4, lo = b & 15;
    store<u8>(q, <u8>(hi < 10 ? 48 + hi : 87 + hi));
    store<u8>(q, <u8>(lo < 10 ? 48 + lo : 87 + lo), 1);
    store<u8>(q, 58, 2); // ':' (the last one is not logged)
    q += (i & 1) != 0 ? 3 : 2;
  }
  refuseBegin(field); logText(T.AN_IPV4_ADDRESS); logStr(", got ");
  logBytes(hexBuf, 39);
  logEnd(LOG_ERROR);
  return false;
}

/**
 * True with the IPv4 address (host order) of the 16-byte record field at `p` in fieldAddr when the field
 * is ::ffff:a.b.c.d (0.0.0.0, "none", included); anything else is refused (logged) and gives false.
 * Why: RFC 4291 §2.5.5.2: ABI v2 carries IPv4 as IPv4-mapped IPv6 addresses; the tables that take
 * these values are IPv4 until IPv6 arrives (issue 12).
 */
export function addrField(field: T, p: usize): bool {
  // (Not wire/addr.ts addrV4: config.ts is below wire/.) ::ffff:a.b.c.d has bytes 8..11 00 00 ff ff.
  if (load<u64>(p) == 0 && load<u32>(p, 8) == 0xffff0000) { fieldAddr = bswap<u32>(load<u32>(p, 12)); return true; }
  return refuseAddr(field, p);
}

/** The address (host order) the last addrField that returned true read. */
export let fieldAddr: u32 = 0;

/**
 * The IPv4 prefix length of record prefix length `plen`, which counts bits of the 16-byte address
 * (docs/decisions.md); -1 after logging a refusal.
 * Why: RFC 4291 §2.5.5.2: the IPv4 prefix /n of an IPv4-mapped address is /(96 + n).
 */
export function v4PrefixField(field: T, plen: u32): i32 {
  if (!range(field, plen, 96, 128)) return -1;
  return <i32>plen - 96;
}

export function be16(p: usize): u32 { return bswap<u32>(<u32>load<u16>(p)) >>> 16; }
// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** True when `v` is in lo..hi; else false after logging the refusal (refuse). */
export function range(field: T, v: u32, lo: u32, hi: u32): bool {
  if (v < lo || v > hi) return refuse(field, lo, hi, v);
  return true;
}

/**
 * The accepted range of every BOARD, NODE and MOBILITY key as hi | lo << 22 (every hi below 2^22,
 * every lo below 2^10; 0: no such key), BOARD keys 1..17 first, then NODE keys 1..12, then MOBILITY
 * keys 1..33, so one look-up checks them all (keyRange); KEY_TEXTS has each key's field text in the
 * same order, and each key's assignment is one case of keySet (by the same index).
 * Why (size, issue 12): one range check per key written out cost ~1.3 KB of code.
 */
const KEY_RANGES: usize = memory.data<u32>([
  // BOARD
  1 << 22 | MAX_MEMORY_PAGES, // board.memoryPages
  1 << 22 | 4096, // board.arpEntries
  1 << 22 | 4096, // board.routes
  8 << 22 | 262144, // board.timers
  0 << 22 | 256, // board.pendingFrames
  590 << 22 | 9018, // board.frameBytes
  0 << 22 | 65536, // board.bindings
  0 << 22 | 65536, // board.visitors
  0 << 22 | 65536, // board.securityAssocs
  0, // key 10: reserved
  0 << 22 | 256, // board.reassemblySlots
  // Why: RFC 1122 §3.3.2: every host must reassemble datagrams of at least 576 bytes (EMTU_R).
  576 << 22 | 65535, // board.reassemblyBytes
  0 << 22 | 65536, // board.bindingCache
  0 << 22 | 65536, // board.roPeers
  0 << 22 | 1024, // board.handoffBufferFrames
  0 << 22 | 65536, // board.serverEntries
  0 << 22 | 65536, // board.careOfRoutes
  // NODE
  0 << 22 | ROLES_ALL, // node.roles
  1 << 22 | 255, // node.defaultTtl
  1 << 22 | 86400, // node.arpTimeoutSec
  1 << 22 | 10, // node.arpRetries
  0 << 22 | 100000, // node.icmpErrorsPerSec
  0 << 22 | 3, // node.logLevel
  // The IPv6 NODE keys (images with IPv6; keyValues answers them in an image without).
  0 << 22 | 2, // node.ipv6
  // Why: RFC 2462 §5.1: DupAddrDetectTransmits 0 disables DAD; bounded so DAD ends in seconds.
  0 << 22 | 10, // node.dadTransmits
  10 << 22 | 3600000, // node.retransTimerMs
  // Why: RFC 2461 §6.2.1: AdvReachableTime at most 3,600,000 ms.
  1000 << 22 | 3600000, // node.reachableTimeMs
  // Why: RFC 2461 §6.2.1 MaxRtrAdvInterval 4..1800 s; the Mobile IPv6 draft (003 §6.6, SPEC-DECISIONS)
  // lets routers serving mobile nodes advertise far more often, so down to 50 ms.
  50 << 22 | 1800000, // node.raIntervalMs
  // Why: RFC 2461 §6.2.1: AdvDefaultLifetime 0 or MaxRtrAdvInterval..9000 s (the lower bound: configCrossCheck).
  0 << 22 | 9000, // node.raLifetimeSec
  // MOBILITY
  0, // homeAddress: an address (keyValues)
  0, // homeAgent: an address
  1 << 22 | 32, // mobility.homePrefixLen
  1 << 22 | 65534, // mobility.lifetimeSec
  1000 << 22 | 600000, // mobility.advertIntervalMs
  1 << 22 | 9000, // mobility.advertLifetimeSec
  1 << 22 | 7, // mobility.encapsulations
  1 << 22 | 16, // mobility.maxBindingsPerNode
  0 << 22 | 0xff, // mobility.requestFlags
  0 << 22 | 2, // mobility.colocated
  0 << 22 | 1, // mobility.replay
  1 << 22 | 3600, // mobility.replayWindowSec
  0, // clockOffsetSec: any (signed) value (keyValues)
  0 << 22 | 1, // mobility.busy
  1000 << 22 | 60000, // mobility.retransmitMs
  1000 << 22 | 600000, // mobility.retransmitMaxMs
  1000 << 22 | 600000, // mobility.solicitIntervalMs
  0 << 22 | 1, // mobility.reverseTunnel
  0 << 22 | 1, // mobility.registrationProfile
  0 << 22 | 1, // mobility.routeOptimization.enabled
  10 << 22 | 600000, // mobility.routeOptimization.updateIntervalMs
  0 << 22 | 1, // mobility.routeOptimization.smoothHandoff
  1 << 22 | 65534, // mobility.routeOptimization.cacheLifetimeSec
  0 << 22 | 1, // mobility.routeOptimization.private
  0 << 22 | 10000, // mobility.routeOptimization.holdMs
  0 << 22 | 1, // mobility.dremip.enabled
  0, // dremip.homeServer: an address
  1 << 22 | 65534, // mobility.dremip.localLifetimeSec
  1 << 22 | 65535, // mobility.dremip.maxRouteLifetimeSec
  0 << 22 | 1, // mobility.dremip.localService
  0 << 22 | 1, // mobility.dremip.combined
  1000 << 22 | 3600000, // mobility.dremip.probeIntervalMs (or 0: off, keyValues)
  0 << 22 | 65535, // mobility.dremip.priority
  0 << 22 | 1, // mobility.ipv6Correspondents
  0 << 22 | 1, // mobility.optimisticDad
]);
/** The field text (T) of each KEY_RANGES entry, in the same order. */
const KEY_TEXTS: usize = memory.data<u8>([
  // BOARD
  <u8>T.BOARD_MEMORY_PAGES,
  <u8>T.BOARD_ARP_ENTRIES,
  <u8>T.BOARD_ROUTES,
  <u8>T.BOARD_TIMERS,
  <u8>T.BOARD_PENDING_FRAMES,
  <u8>T.BOARD_FRAME_BYTES,
  <u8>T.BOARD_BINDINGS,
  <u8>T.BOARD_VISITORS,
  <u8>T.BOARD_SECURITY_ASSOCS,
  0, // key 10: reserved
  <u8>T.BOARD_REASSEMBLY_SLOTS,
  <u8>T.BOARD_REASSEMBLY_BYTES,
  <u8>T.BOARD_BINDING_CACHE,
  <u8>T.BOARD_RO_PEERS,
  <u8>T.BOARD_HANDOFF_BUFFER_FRAMES,
  <u8>T.BOARD_SERVER_ENTRIES,
  <u8>T.BOARD_CARE_OF_ROUTES,
  // NODE
  <u8>T.NODE_ROLES,
  <u8>T.NODE_DEFAULT_TTL,
  <u8>T.NODE_ARP_TIMEOUT_SEC,
  <u8>T.NODE_ARP_RETRIES,
  <u8>T.NODE_ICMP_ERRORS_PER_SEC,
  <u8>T.NODE_LOG_LEVEL,
  <u8>T.NODE_IPV6,
  <u8>T.NODE_DAD_TRANSMITS,
  <u8>T.NODE_RETRANS_TIMER_MS,
  <u8>T.NODE_REACHABLE_TIME_MS,
  <u8>T.NODE_RA_INTERVAL_MS,
  <u8>T.NODE_RA_LIFETIME_SEC,
  // MOBILITY
  <u8>T.MOBILITY_HOME_ADDRESS, // an address (keyValues: addrField)
  <u8>T.MOBILITY_HOME_AGENT, // an address
  <u8>T.MOBILITY_HOME_PREFIX_LEN,
  <u8>T.MOBILITY_LIFETIME_SEC,
  <u8>T.MOBILITY_ADVERT_INTERVAL_MS,
  <u8>T.MOBILITY_ADVERT_LIFETIME_SEC,
  <u8>T.MOBILITY_ENCAPSULATIONS,
  <u8>T.MOBILITY_MAX_BINDINGS_PER_NODE,
  <u8>T.MOBILITY_REQUEST_FLAGS,
  <u8>T.MOBILITY_COLOCATED,
  <u8>T.MOBILITY_REPLAY,
  <u8>T.MOBILITY_REPLAY_WINDOW_SEC,
  <u8>T.MOBILITY_KEY, // clockOffsetSec
  <u8>T.MOBILITY_BUSY,
  <u8>T.MOBILITY_RETRANSMIT_MS,
  <u8>T.MOBILITY_RETRANSMIT_MAX_MS,
  <u8>T.MOBILITY_SOLICIT_INTERVAL_MS,
  <u8>T.MOBILITY_REVERSE_TUNNEL,
  <u8>T.MOBILITY_REGISTRATION_PROFILE,
  <u8>T.RO_ENABLED,
  <u8>T.RO_UPDATE_INTERVAL_MS,
  <u8>T.RO_SMOOTH_HANDOFF,
  <u8>T.RO_CACHE_LIFETIME_SEC,
  <u8>T.RO_PRIVATE,
  <u8>T.RO_HOLD_MS,
  <u8>T.DR_ENABLED,
  <u8>T.DR_HOME_SERVER, // an address
  <u8>T.DR_LOCAL_LIFETIME_SEC,
  <u8>T.DR_MAX_ROUTE_LIFETIME_SEC,
  <u8>T.DR_LOCAL_SERVICE,
  <u8>T.DR_COMBINED,
  <u8>T.DR_PROBE_INTERVAL_MS,
  <u8>T.DR_PRIORITY,
  <u8>T.MOBILITY_IPV6_CORRESPONDENTS,
  <u8>T.MOBILITY_OPTIMISTIC_DAD,
]);

/**
 * Check value `v` of key `key` against its KEY_RANGES entry (BOARD, NODE or MOBILITY keys from
 * `first`, before `end`); refuses an unknown key naming `keyText` ("board key" ...). False after logging.
 */
function keyRange(first: u32, end: u32, keyText: T, key: u32, v: u32): bool {
  const i = first + key - 1;
  const w = i < end && key != 0 ? load<u32>(KEY_RANGES + (<usize>i << 2)) : 0;
  if (w == 0) return refuseText(keyText, T.A_KNOWN_KEY, key);
  return range(<T>load<u8>(KEY_TEXTS + <usize>i), v, w >> 22, w & 0x3fffff);
}

/**
 * Store value `v` of the key at KEY_RANGES index `i` (BOARD keys from 0, NODE from KR_NODE, MOBILITY
 * from KR_MOBILITY; the address keys' values are IPv4 addresses in host order).
 */
function keySet(i: u32, v: u32): void {
  store<u32>(KEY_VALS + (<usize>i << 2), v);
  keyPublish();
}

/** MOBILITY keys whose value is a 16-byte address. */
function isAddrKey(key: u32): bool { return key == K_HOME_ADDRESS || key == K_HOME_AGENT || key == K_DR_HOME_SERVER; }

/**
 * A BOARD, NODE or MOBILITY record: entries `key u16, length u16, value[length]` (ABI v2): a u32,
 * or a 16-byte address for MOBILITY homeAddress and homeAgent. Keys ≥ 0x8000 are skipped whatever
 * their length (room for newer hosts).
 */
function keyValues(p: usize, len: u32, kind: i32): bool {
  const mobility = kind == REC_MOBILITY;
  const first: u32 = kind == REC_BOARD ? 0 : mobility ? KR_MOBILITY : KR_NODE;
  const end: u32 = kind == REC_BOARD ? KR_NODE : mobility ? KR_END : KR_MOBILITY;
  const keyText = kind == REC_BOARD ? T.BOARD_KEY : mobility ? T.MOBILITY_KEY : T.NODE_KEY;
  for (let o: u32 = 0; o < len;) {
    // (An entry header past the record's end is read from the buffer before it is refused.)
    const key = be16(p + o);
    const vlen = be16(p + o + 2);
    const q = p + o + 4;
    const h = o + 4;
    o = h + vlen;
    if (h > len || o > len) return refuseText(T.KEY_VALUE_RECORD_LENGTH, T.WHOLE_ENTRIES, len);
    if (key >= 0x8000) continue; // skippable key from a newer host, any length
    // The ipsec peer count is not a KEY_RANGES key: its range is MAX_IPSEC, its text the peers'.
    // (Images without Mobile IPv6 take IPSEC records in init's buffer only: the count is not needed there.)
    if (kind == REC_NODE && key == K_IPSEC_PEERS) {
      if (MIP6 && (!range(T.KEY_VALUE_LENGTH, vlen, 4, 4) || !range(T.IPSEC_PEERS, be32(q), 0, MAX_IPSEC))) return false;
      if (MIP6) ipsecDeclared = <i32>be32(q);
      continue;
    }
    const addr = mobility && isAddrKey(key);
    const want: u32 = addr ? 16 : 4;
    if (!range(T.KEY_VALUE_LENGTH, vlen, want, want)) return false;
    const i = first + key - 1;
    let v: u32;
    if (addr) {
      if (!addrField(<T>load<u8>(KEY_TEXTS + <usize>i), q)) return false;
      v = fieldAddr;
    } else {
      v = be32(q);
      // Why (memory): an image without IPv6 (features.ts) accepts the IPv6 keys the hosts always write,
      // ignores their values and refuses only node.ipv6 other than off, in a few instructions.
      // Why: an image built without IPv6 (features.ts) says so by the range it accepts: 0..0.
      if (!IPV6 && kind == REC_NODE && key >= K_IPV6 && key <= K_RA_LIFETIME_SEC) {
        if (key != K_IPV6 || range(T.NODE_IPV6, v, 0, 0)) continue;
        return false;
      }
      // mobility.clockOffsetSec takes any (signed) value; mobility.dremip.probeIntervalMs 0 turns
      // discovery off, otherwise it has a range like the others.
      if (!(mobility && (key == K_CLOCK_OFFSET_SEC || key == K_DR_PROBE_INTERVAL_MS && v == 0)) && !keyRange(first, end, keyText, key, v)) return false;
    }
    keySet(i, v);
  }
  return true;
}

/**
 * Rules between fields, checked after the first pass. RFC 1256 §4.1: an advertisement's lifetime must
 * cover at least the advertisement interval (its default is three intervals), or listeners would see
 * every agent expire between two advertisements and keep re-soliciting.
 */
export function configCrossCheck(): bool {
  if (!reasmCovers(576)) return false;
  // Why: RFC 2460 §5: IPv6 needs links of at least 1280 bytes, and a node reassembles at least 1500.
  // Why: AH is IPv6's here (security/ipsec.ts): its peers need an IPv6 node.
  if (MIP6 && ipsecDeclared > ipsecEntries) ipsecEntries = ipsecDeclared;
  if (ipsecEntries > 0 && !ipv6Enabled()) return refuse(T.NODE_IPV6, 1, IPV6 ? 2 : 0, ipv6);
  if (IPV6 && ipv6 != IPV6_OFF) {
    if (frameBytes < 1280 + 14) return refuse(T.BOARD_FRAME_BYTES, 1294, 9018, frameBytes);
    if (!reasmCovers(1500) || !lifetimeCovers(T.NODE_RA_LIFETIME_SEC, raLifetimeSec(), raIntervalMs())) return false;
  }
  // (mobility.advertLifetimeSec is never 0: its range starts at 1.)
  return (roles & (ROLE_FOREIGN_AGENT | ROLE_HOME_AGENT)) == 0 || lifetimeCovers(T.MOBILITY_ADVERT_LIFETIME_SEC, advertLifetimeSec(), advertIntervalMs());
}

/** False after refusing board.reassemblyBytes below `least` when datagrams are reassembled. */
function reasmCovers(least: u32): bool {
  if (reassemblySlots() > 0 && <u32>reassemblyBytes < least) return refuse(T.BOARD_REASSEMBLY_BYTES, least, 65535, reassemblyBytes);
  return true;
}

/** False after refusing `field`, a lifetime in seconds (0: none) shorter than the interval in ms it must cover. */
function lifetimeCovers(field: T, sec: i32, intervalMs: i32): bool {
  if (sec != 0 && <i64>sec * 1000 < <i64>intervalMs) return refuse(field, (intervalMs + 999) / 1000, 9000, sec);
  return true;
}

/**
 * True while config_add walks its records (images with REKEY): an SA or IPSEC record for a peer that has
 * one then replaces it (security/sa.ts saAddAddr, ipsec.ts ipsecAdd); in init a second record for a peer
 * is still refused.
 */
export let configAdding: bool = false;

/** Record types pass 2 hands to `apply` (configure.ts), as bits 1 << type. */
const PASS2_TYPES: u32 = 1 << REC_IFACE | 1 << REC_ROUTE | 1 << REC_SA | 1 << REC_SERVER | 1 << REC_ADDR6 | 1 << REC_IPSEC | 1 << REC_TUN6 | (MIP6 ? 1 << REC_GROUP6 : 0) | (RESTORE ? 1 << REC_BINDING | 1 << REC_BINDING6 : 0);

/**
 * Walk the records. Pass 1 reads BOARD, NODE and MOBILITY values so tables can be sized; pass 2
 * (after the tables exist) hands IFACE, ROUTE and SA records to `apply` (configure.ts, which owns the
 * tables they fill). Returns false (after logging) on any error.
 */
export function configWalk(len: i32, pass2: bool, adding: bool, apply: RecordApply): bool {
  if (REKEY) configAdding = adding;
  if (len < 8 || len > CONFIG_CAPACITY) return refuse(T.CONFIG_LENGTH, 8, CONFIG_CAPACITY, len);
  const p = configBuffer;
  if (load<u32>(p) != MAGIC) return refuseText(T.CONFIG_MAGIC, T.MIPF, load<u32>(p));
  if (!range(T.CONFIG_VERSION, be16(p + 4), VERSION, VERSION)) return false;
  let o: u32 = 8;
  while (o < <u32>len) {
    if (o + 4 > <u32>len) return refuseText(T.RECORD_HEADER, T.FOUR_BYTES, len - o);
    const type = <i32>load<u8>(p + o);
    const rlen = be16(p + o + 2);
    const v = p + o + 4;
    if (o + 4 + rlen > <u32>len) return refuseText(T.RECORD_LENGTH, T.WITHIN_THE_CONFIGURATION, rlen);
    if (adding && !pass2) {
      // Why: after init only per-peer records may be added (docs/abi.md config_add); sizes,
      // roles and interfaces need a restart.
      // In images with Mobile IPv6, ADDR6 too: a new home prefix on a running home agent (seed 003 §8.5
      // renumbering); and IPSEC: the peers beyond init's buffer (one per mobile node; the table was carved
      // for NODE key 13's count).
      // With RESTORE, BINDING and BINDING6: a home agent's bindings kept across its restart (issue 14).
      if (type != REC_ROUTE && type != REC_SA && !(MIP6 && (type == REC_ADDR6 || type == REC_IPSEC)) && !(RESTORE && (type == REC_BINDING || type == REC_BINDING6)) && type < 128) return refuseText(T.RECORD_TYPE_AFTER_INIT, T.RECORD_TYPES_AFTER_INIT, type);
    } else if (!pass2) {
      if (type == REC_BOARD || type == REC_NODE || type == REC_MOBILITY) { if (!keyValues(v, rlen, type)) return false; }
      else if (type == REC_IPSEC) { if (++ipsecEntries > MAX_IPSEC) return refuse(T.IPSEC_PEERS, 0, MAX_IPSEC, ipsecEntries); }
      else if (MIP6 && type == REC_GROUP6) group6Entries++;
      // Every other type 1..10 (IFACE, ROUTE, SA, SERVER, ADDR6, TUN6; 11 GROUP6 with Mobile IPv6) waits for
      // pass 2; >= 128 is skipped.
      else if ((type == 0 || type > <i32>(MIP6 ? REC_GROUP6 : REC_TUN6)) && type < 128) return refuseText(T.RECORD_TYPE, T.RECORD_TYPES, type);
    } else if (type < 32 && ((1 << type) & PASS2_TYPES) != 0) {
      if (!apply(type, v, rlen)) return false;
    }
    o += 4 + rlen;
  }
  return true;
}
