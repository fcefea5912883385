// Table dumps for tools (docs/abi.md "Dump records"): one record, little-endian, per `dump` call.
//
//   table 0 interfaces (16 bytes; record i = i-th configured interface)
//     0 index u8 | 1 up u8 | 2 mac[6] | 8 ip u32 | 12 prefixLen u8 | 13 pad u8 | 14 mtu u16
//   table 1 routes (12 bytes; longest prefix first)
//     0 dest u32 | 4 prefixLen u8 | 5 iface u8 | 6 pad[2] | 8 gateway u32 (0 = on-link)
//   table 2 ARP (neighbour) cache (20 bytes; entries in use; link/neighbor.ts)
//     0 ip u32 | 4 mac[6] | 10 state u8 (1 incomplete, 2 reachable) | 11 iface u8 | 12 expiresAtMs i64
//   table 3 home agent bindings (28 bytes; one per care-of address of each binding; mobility/bindings.ts bindingDump)
//     0 home u32 | 4 careOf u32 | 8 expiresAtMs i64 | 16 identification u64 | 24 lifetimeSec u16 |
//     26 flags u8 (S B D M G V) | 27 encapsulation u8 (1 IP in IP, 2 minimal, 4 GRE)
//   table 4 foreign agent visitors (44 bytes; mobility/visitors.ts visitorDump)
//     0 home u32 | 4 homeAgent u32 | 8 careOf u32 | 12 mac[6] | 18 iface u8 | 19 state u8 (1 pending,
//     2 accepted, 3 both) | 20 lifetimeSec u16 | 22 udpSourcePort u16 | 24 expiresAtMs i64 |
//     32 identification u64 | 40 colocated u8 | 41 requestFlags u8 | 42 pad[2]
//   table 5 interface aliases (8 bytes; interfaces with a second address, e.g. a co-located care-of)
//     0 iface u8 | 1 prefixLen u8 | 2 pad[2] | 4 address u32
// Tables 3 and 4 are empty on nodes without the home agent / foreign agent role.
//

import { netifCount, netifValid, netifUp, netifMac, netifIp, netifPrefixLen, netifMtu, netifAlias, netifAliasPrefixLen } from "./link/netif";
import { routeCount, routeEntry } from "./stack/route";
import { neighborDump } from "./link/neighbor";
import { mobilityDump } from "./mobility/roles";

/** Write record `index` of `table` to `out` (layouts above); returns its length or -1 past the end. */
export function dumpRecord(table: i32, index: i32, out: usize): i32 {
  if (index < 0) return -1;
  if (table == 0) {
    let k = 0;
    for (let i = 0; i < netifCount(); i++) {
      if (!netifValid(i) || k++ != index) continue;
      store<u8>(out, <u8>i, 0);
      store<u8>(out, netifUp(i) ? 1 : 0, 1);
      memory.copy(out + 2, netifMac(i), 6);
      store<u32>(out, netifIp(i), 8);
      store<u8>(out, netifPrefixLen(i), 12);
      store<u8>(out, 0, 13);
      store<u16>(out, <u16>netifMtu(i), 14);
      return 16;
    }
    return -1;
  }
  if (table == 1) {
    if (index >= routeCount()) return -1;
    const e = routeEntry(index);
    store<u32>(out, load<u32>(e, 0), 0);   // dest
    store<u8>(out, load<u8>(e, 8), 4);     // prefixLen
    store<u8>(out, load<u8>(e, 9), 5);     // iface
    store<u16>(out, 0, 6);
    store<u32>(out, load<u32>(e, 4), 8);   // gateway
    return 12;
  }
  if (table == 2) return neighborDump(index, out);
  if (table == 3 || table == 4) return mobilityDump(table, index, out);
  if (table == 5) {
    // At most MAX_IFACES interfaces: a scan per record is as cheap as a cursor.
    let k = 0;
    for (let i = 0; i < netifCount(); i++) {
      if (!netifValid(i) || netifAlias(i) == 0 || k++ != index) continue;
      store<u8>(out, <u8>i, 0);
      store<u8>(out, netifAliasPrefixLen(i), 1);
      store<u16>(out, 0, 2);
      store<u32>(out, netifAlias(i), 4);
      return 8;
    }
    return -1;
  }
  return -1;
}
