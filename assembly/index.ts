// Host ABI v1: the exports (docs/abi.md). This file only adapts the ABI to the core's modules and
// brings the layers up in order.

import { now_ms } from "./host";
import { Ev, evBuf, evEmit } from "./events";
import { arenaReset, arenaAlloc, arenaSeal, arenaUsed, staticBytes, arenaFailed, arenaPagesWanted, arenaEnd } from "./mem";
import { C, count, countBy, countersPtr, countersReset, counterName, countHot, COUNTERS_N } from "./counters";
import { textBuf } from "./text";
import * as cfg from "./config";
import { timersInit, timersRun } from "./sys/timers";
import { TIMER_NEVER } from "./table/timer";
import { netifReset, netifValid, netifValidHot, netifSetUp, netifBssid, netifListenersReset, netifLinkChanged } from "./link/netif";
import { ethReset, ethInput } from "./link/ethernet";
import { routeInit } from "./stack/route";
import { flowInput, flowDone } from "./stack/flow";
import { pktReset, pktBuffers, pktAlloc } from "./stack/packet";
import { ipInit, ipOutput } from "./stack/ip";
import { arpInit } from "./stack/arp";
import { ip6Init, ip6Output } from "./stack/ip6";
import { IPV6, MIP6 } from "./features";
import { ipsecInit } from "./security/ipsec";
import { flow6Any, flow6Try } from "./stack/flow6";
import { ndInit, ndStart } from "./stack/nd";
import { mip6Init, mip6Buf } from "./mobility/mip6";
import { ha6Init, ha6Start, ha6Renumbered } from "./mobility/ha6";
import { mn6Init, mn6Start } from "./mobility/mn6";
import { mc6HomeAgentInit, mc6MobileInit, mc6MobileStart } from "./mobility/mcast6";
import { mld6Init, mld6Start } from "./stack/mld6";
import { reasmInit } from "./stack/reasm";
import { udpInit } from "./transport/udp";
import { saInit } from "./security/sa";
import { mobilityInit, mobilityStart, mobilityStation } from "./mobility/roles";
import { configApply } from "./configure";
import { dumpRecord } from "./dump";
import { setNow } from "./clock";

// Why: docs/abi.md "Changes": v2 carries 16-byte addresses (RFC 4291 §2.5.5.2) in events, dumps and config;
// v3 names counters one at a time (`counter_name`), decoded from the compact texts (text.ts).
const ABI_VERSION: i32 = 3;

/** Bytes reserved in front of every packet buffer so headers can be prepended without copying (config.ts). */
const HEADROOM: i32 = cfg.HEADROOM;

let rxBuf: usize = 0;
let outBuf: usize = 0;
/** Batch receive ring (docs/abi.md "Batch receive"): slots of `ringStride` bytes from `rxBuf`; slot 0 is the rx buffer. */
const RING_MAX: i32 = 32;
const RING_MIN_PAGES: i32 = 8;
let ringSlots: i32 = 1;
let ringStride: usize = 0;
let ready = false;
const INFO_CAPACITY: i32 = 64;
const infoBuf: usize = memory.data(INFO_CAPACITY, 8);
// The dump buffer is the text buffer (text.ts): counter names are decoded into it too.
const dumpBuf: usize = textBuf;

/** ABI version implemented by this module. */
export function abi_version(): i32 { return ABI_VERSION; }

/** Where the host writes the binary configuration before `init`. */
export function config_buffer(): usize { return cfg.configBuffer; }
export function config_capacity(): i32 { return cfg.CONFIG_CAPACITY; }

/**
 * Validate the configuration at `cfgPtr` (must be `config_buffer()`), carve every table and buffer,
 * and start. Returns 0 on success; 1 if refused (reason logged); 2 if memory ran out; 3 bad pointer.
 * After a refusal the module stays unusable until a later `init` succeeds.
 */
export function init(cfgPtr: usize, cfgLen: i32): i32 {
  ready = false;
  if (cfgPtr != cfg.configBuffer) return 3;
  setNow(now_ms());
  cfg.configDefaults();
  countersReset();
  netifReset();
  if (!cfg.configWalk(cfgLen, false, false, configApply) || !cfg.configCrossCheck()) return 1;
  arenaReset(cfg.memoryPages);
  pktReset();
  if (<usize>memory.size() > <usize>cfg.memoryPages) {
    cfg.refuse(cfg.T.BOARD_MEMORY_PAGES, memory.size(), cfg.MAX_MEMORY_PAGES, cfg.memoryPages);
    return 2;
  }
  outBuf = pktAlloc(<usize>(HEADROOM + cfg.frameBytes));
  // Carve every table even after one failed, so the refusal can say how many pages are needed.
  routeInit(cfg.routeEntries());
  saInit(cfg.securityAssocEntries());
  // The layers bottom up; each registers its handlers with the one below (docs/decisions.md "Core v2").
  ethReset();
  netifListenersReset();
  // Every table is carved even after one failed, so the refusal can say how many pages are needed.
  timersInit();
  ipInit();
  udpInit();
  arpInit();
  // Why (memory): IPv6's set-up is reached through a reference so the optimizer keeps it out of init:
  // Wasm3 compiles a function whole, and an IPv4-only node on a 320 KiB microcontroller must not carry
  // it (docs/mcu.md). The same for its start below.
  if (cfg.ipv6Enabled()) changetype<() => void>(ipv6InitRef)();
  reasmInit();
  mobilityInit();
  // Why: one wasm call per recvmmsg() batch instead of per frame (issue 8.8). Boards below RING_MIN_PAGES
  // (microcontrollers, whose drivers hand frames one at a time) keep slot 0 only; the others get up to
  // RING_MAX slots from what the budget leaves after every table: the ring never refuses a configuration.
  ringStride = <usize>(HEADROOM + cfg.frameBytes + 15) & ~(<usize>15);
  // (In i32: at most MAX_MEMORY_PAGES = 2^14 pages, 2^30 bytes; a negative spare gives one slot.)
  const spare = (cfg.memoryPages << 16) - <i32>arenaEnd();
  ringSlots = cfg.memoryPages < RING_MIN_PAGES ? 1 : max<i32>(1, min<i32>(RING_MAX, spare / <i32>ringStride));
  rxBuf = arenaAlloc(<usize>ringSlots * ringStride);
  pktBuffers(rxBuf, ringSlots, ringStride);
  if (arenaFailed()) {
    cfg.refuse(cfg.T.BOARD_MEMORY_PAGES, arenaPagesWanted(), cfg.MAX_MEMORY_PAGES, cfg.memoryPages);
    return 2;
  }
  if (!cfg.configWalk(cfgLen, true, false, configApply)) return 1;
  arenaSeal();
  ready = true;
  if (cfg.ipv6Enabled()) changetype<() => void>(ipv6StartRef)();
  mobilityStart();
  return 0;
}

function ipv6Init(): void {
  ip6Init(); ndInit(); ipsecInit(cfg.ipsecEntries);
  if (MIP6) {
    mip6Init();
    mld6Init(mip6Buf());
    if ((cfg.roles & cfg.ROLE_HOME_AGENT) != 0) { ha6Init(arenaAlloc(32)); mc6HomeAgentInit(); }
    if ((cfg.roles & cfg.ROLE_MOBILE_NODE) != 0) { mn6Init(); mc6MobileInit(); }
  }
}
function ipv6Start(): void {
  ndStart();
  if (MIP6 && (cfg.roles & cfg.ROLE_HOME_AGENT) != 0) ha6Start();
  if (MIP6 && (cfg.roles & cfg.ROLE_MOBILE_NODE) != 0) { mn6Start(); mc6MobileStart(); }
  if (MIP6) mld6Start();
}
const ipv6InitRef: usize = IPV6 ? changetype<usize>(ipv6Init) : 0;
const ipv6StartRef: usize = IPV6 ? changetype<usize>(ipv6Start) : 0;

/**
 * Add ROUTE, SA, ADDR6 and IPSEC records (same header as for `init`, at `config_buffer()`) to a running board, for
 * configurations larger than the config buffer or provisioning without a restart. Returns 0 ok,
 * 1 refused (reason logged; records before the refused one stay applied), 3 bad pointer or not started.
 */
export function config_add(cfgPtr: usize, cfgLen: i32): i32 {
  if (!ready || cfgPtr != cfg.configBuffer) return 3;
  setNow(now_ms());
  if (!cfg.configWalk(cfgLen, false, true, configApply)) return 1;
  if (!cfg.configWalk(cfgLen, true, true, configApply)) return 1;
  // Why: seed 003 §8.5: a home agent whose home prefixes changed tells its mobile nodes away from home.
  if (MIP6 && (cfg.roles & cfg.ROLE_HOME_AGENT) != 0 && cfg.ipv6Enabled()) ha6Renumbered();
  return 0;
}

/** Where the host writes one received frame before calling `rx`. */
export function rx_buffer(): usize { return rxBuf + HEADROOM; }
/** Largest frame `rx` accepts. */
export function rx_capacity(): i32 { return cfg.frameBytes; }

/** Process one received Ethernet frame of `len` bytes on `iface`. Returns 0 if used, 1 if dropped. */
export function rx(iface: i32, len: i32): i32 {
  if (!ready) return 1;
  setNow(now_ms());
  return rxFrame(iface, rxBuf + HEADROOM, len);
}

// @ts-ignore: decorator
@inline function rxFrame(iface: i32, frame: usize, len: i32): i32 {
  countHot(C.RX_FRAMES);
  if (len < 0 || len > cfg.frameBytes) { count(C.DROP_TOO_LONG); return 1; }
  countBy(C.RX_BYTES, <u64>len);
  if (!netifValidHot(iface)) { count(C.DROP_BAD_IFACE); return 1; }
  // Why (speed, issue 8.8): a datagram of a flow whose decision is cached goes out at once (stack/flow.ts).
  let fr = flowInput(iface, frame, len);
  // IPv6's flow cache (stack/flow6.ts) once it holds a flow: one u16 compare for other frames.
  if (IPV6 && fr < 0 && flow6Any && load<u16>(frame, 12) == 0xdd86) fr = flow6Try(iface, frame, len);
  const r = fr >= 0 ? fr : ethInput(iface, frame, len);
  flowDone();
  return r;
}

/** Slots of the batch receive ring (1 on boards below 8 pages). */
export function rx_ring_slots(): i32 { return ringSlots; }
/** Bytes from one slot's frame to the next's (slot 0's frame is `rx_buffer()`). */
export function rx_ring_stride(): i32 { return <i32>ringStride; }

/**
 * Process ring slots 0..n-1 in order as `rx` would one by one, with the clock read once. Each slot's
 * last 4 headroom bytes are its descriptor: iface u16, len u16 (little-endian); iface 0xffff is an
 * empty slot, skipped uncounted. Returns the frames used, -1 (nothing done) if n is not in 0..slots.
 */
export function rx_batch(n: i32): i32 {
  if (!ready || <u32>n > <u32>ringSlots) return -1;
  setNow(now_ms());
  let used = 0;
  for (let f = rxBuf + HEADROOM, end = f + <usize>n * ringStride; f < end; f += ringStride) {
    const iface = <i32>load<u16>(f - 4);
    if (iface != 0xffff && rxFrame(iface, f, <i32>load<u16>(f - 2)) == 0) used++;
  }
  return used;
}

/** Where the host's local stack writes one outgoing IP packet before calling `output`. */
export function out_buffer(): usize { return outBuf + HEADROOM; }
export function out_capacity(): i32 { return cfg.frameBytes - 14; }

/** Send one IP packet of `len` bytes from the local stack. Returns 0 if sent or queued, 1 if dropped. */
export function output(len: i32): i32 {
  if (!ready) return 1;
  setNow(now_ms());
  count(C.OUTPUT_PACKETS);
  if (len < 0 || len > cfg.frameBytes - 14) { count(C.DROP_TOO_LONG); return 1; }
  // The version nibble says which family (docs/abi.md "output").
  const p = outBuf + HEADROOM;
  if (IPV6 && len > 0 && (load<u8>(p) >> 4) == 6) return ip6Output(p, len);
  return ipOutput(p, len);
}

/** Run timers due at `nowMs`; returns the next deadline in ms (i64 max when there is none). */
export function tick(nowMs: i64): i64 {
  if (!ready) return TIMER_NEVER;
  setNow(nowMs);
  return timersRun(nowMs);
}

/** Where the host writes link information before calling `link`. */
export function info_buffer(): usize { return infoBuf; }

/**
 * Link state of `iface`: `state` 1 up, 0 down. Info (optional, at `infoPtr`, which must be
 * `info_buffer()`): bytes 0-5 the BSSID of the access point just associated.
 */
export function link(iface: i32, state: i32, infoPtr: usize, infoLen: i32): void {
  if (!ready) return;
  setNow(now_ms());
  if (!netifValid(iface)) { count(C.DROP_BAD_IFACE); return; }
  const b = netifBssid(iface);
  const up = state != 0;
  if (up && infoPtr == infoBuf && <u32>(infoLen - 6) <= <u32>(INFO_CAPACITY - 6)) memory.copy(b, infoBuf, 6);
  else if (!up) memory.fill(b, 0, 6);
  netifSetUp(iface, up);
  const e = evBuf();
  store<u16>(e, iface | <i32>up << 8); // iface u8 (a valid index, below 256), state u8
  memory.copy(e + 2, b, 6);
  evEmit(Ev.LINK, 8);
  netifLinkChanged(iface, up);
}

/**
 * A station left (`state` 0) or joined (1) the access point behind `iface` — the driver's or access
 * point's notice (hostapd AP-STA-DISCONNECTED / AP-STA-CONNECTED). Info at `infoPtr` (must be
 * `info_buffer()`): bytes 0-5 the station's MAC. A foreign agent holds a departed visitor's
 * datagrams for the smooth handoff (issue 10.10); other roles ignore it.
 */
export function station(iface: i32, state: i32, infoPtr: usize, infoLen: i32): void {
  if (!ready) return;
  setNow(now_ms());
  if (!netifValid(iface)) { count(C.DROP_BAD_IFACE); return; }
  if (infoPtr != infoBuf || <u32>(infoLen - 6) > <u32>(INFO_CAPACITY - 6)) return;
  mobilityStation(iface, infoBuf, state != 0);
}

/** Bytes of the arena in use (all tables and buffers); constant after `init`. */
export function heap_used(): i32 { return <i32>arenaUsed(); }
/** Bytes of static data below the arena. */
export function static_bytes(): i32 { return <i32>staticBytes(); }
/** Linear memory size in 64 KiB pages. */
export function memory_pages(): i32 { return memory.size(); }

/** Counters: `counters_count()` u64 values at `counters_ptr()`, named by `counter_name(i)`. */
export function counters_ptr(): usize { return countersPtr(); }
export function counters_count(): i32 { return COUNTERS_N; }
/** Write counter `i`'s name (ASCII) into `dump_buffer()`; returns its length, -1 past the last counter. Works before `init`. */
export function counter_name(i: i32): i32 { return counterName(i); }

/** Where `dump` writes a table record. */
export function dump_buffer(): usize { return dumpBuf; }
/** Write record `index` of `table` (0 interfaces, 1 routes, 2 ARP cache, 3 bindings, 4 visitors, 5 aliases) into `dump_buffer()`; returns its length or -1 past the end. */
export function dump(table: i32, index: i32): i32 {
  if (!ready) return -1;
  return dumpRecord(table, index, dumpBuf);
}
