// Table dumps for tools (docs/abi.md "Dump records"): one record, little-endian, per `dump` call.
//
//   Addresses are 16 bytes in network order, IPv4 as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2, ABI v2);
//   prefix lengths count bits of the 16-byte address (an IPv4 /n is 96 + n; docs/decisions.md).
//   table 0 interfaces (32 bytes; record i = i-th configured interface)
//     0 index u8 | 1 up u8 | 2 mac[6] | 8 mtu u16 | 10 prefixLen u8 | 11 pad[5] | 16 ip[16]
//   table 1 routes (36 bytes; longest prefix first)
//     0 prefixLen u8 | 1 iface u8 | 2 pad[2] | 4 dest[16] | 20 gateway[16] (0.0.0.0 = on-link)
//   table 2 ARP (neighbour) cache (32 bytes; entries in use; link/neighbor.ts)
//     0 mac[6] | 6 state u8 (1 incomplete, 2 reachable) | 7 iface u8 | 8 expiresAtMs i64 | 16 ip[16]
//   table 3 home agent bindings (52 bytes; one per care-of address of each binding; mobility/bindings.ts bindingDump)
//     0 expiresAtMs i64 | 8 identification u64 | 16 lifetimeSec u16 | 18 flags u8 (S B D M G V) |
//     19 encapsulation u8 (1 IP in IP, 2 minimal, 4 GRE) | 20 home[16] | 36 careOf[16]
//   table 4 foreign agent visitors (80 bytes; mobility/visitors.ts visitorDump)
//     0 mac[6] | 6 iface u8 | 7 state u8 (1 pending, 2 accepted, 3 both) | 8 lifetimeSec u16 |
//     10 udpSourcePort u16 | 12 colocated u8 | 13 requestFlags u8 | 14 pad[2] | 16 expiresAtMs i64 |
//     24 identification u64 | 32 home[16] | 48 homeAgent[16] | 64 careOf[16]
//   table 5 interface aliases (20 bytes; interfaces with a second address, e.g. a co-located care-of)
//     0 iface u8 | 1 prefixLen u8 | 2 pad[2] | 4 address[16]
//   table 9 Mobile IPv6 Binding Cache (48 bytes, mobility/bcache6.ts bc6Dump; 56 with RESTORE: 48 ahOutSeq u32 |
//     52 ahInHighest u32, the home address's own IPsec SAs, security/ipsec.ts ipsecSeqs)
//   table 10 Mobile IPv6 home agent: groups mobile nodes joined through their tunnels (40 bytes;
//     mobility/mcast6.ts mc6Dump): 0 home[16] | 16 group[16] | 32 expiresAtMs i64
//   table 11 agents (56 bytes, images with STATUS; mobility/roles.ts agentsDump): 0 expiresAtMs i64 |
//     8 flags u16 | 10 seq u16 | 12 regLifetimeSec u16 | 14 iface u8 | 15 kind u8 (1 heard, 2 own, 3 MIPv6
//     home agent) | 16 state u8 | 17 prefixLen u8 | 18 mac[6] | 24 address[16] | 40 careOf[16]
// Tables 3 and 4 (and 10) are empty on nodes without the home agent / foreign agent role.
//

import { netifCount, netifValid, netifUp, netifMac, netifIp, netifPrefixLen, netifMtu, netifAlias, netifAliasPrefixLen } from "./link/netif";
import { routeCount, routeEntry } from "./stack/route";
import { neighborDump } from "./link/neighbor";
import { mobilityDump, agentsDump } from "./mobility/roles";
import { bc6Dump } from "./mobility/bcache6";
import { mc6Dump } from "./mobility/mcast6";
import * as cfg from "./config";
import { MIP6, RESTORE, STATUS } from "./features";
import { ipsecSeqs } from "./security/ipsec";
import { addrSetV4, addrV4Bits } from "./wire/addr";

/**
 * The `index`-th configured interface (with a second address when `aliased`), or -1.
 * At most MAX_IFACES interfaces: a scan per record is as cheap as a cursor.
 */
function nthIface(index: i32, aliased: bool): i32 {
  let k = 0;
  for (let i = 0; i < netifCount(); i++) {
    if (netifValid(i) && (!aliased || netifAlias(i) != 0) && k++ == index) return i;
  }
  return -1;
}

/** Write record `index` of `table` to `out` (layouts above); returns its length or -1 past the end. */
export function dumpRecord(table: i32, index: i32, out: usize): i32 {
  if (index < 0) return -1;
  if (table == 0) {
    const i = nthIface(index, false);
    if (i < 0) return -1;
    store<u8>(out, <u8>i, 0);
    store<u8>(out, netifUp(i) ? 1 : 0, 1);
    memory.copy(out + 2, netifMac(i), 6);
    store<u16>(out, <u16>netifMtu(i), 8);
    store<u64>(out, <u64>addrV4Bits(netifPrefixLen(i)), 10); // prefixLen u8 at 10 and pad up to 16
    addrSetV4(out + 16, netifIp(i));
    return 32;
  }
  if (table == 1) {
    if (index >= routeCount()) return -1;
    const e = routeEntry(index);
    store<u32>(out, <u32>load<u16>(e, 32)); // prefixLen, iface, pad[2]
    memory.copy(out + 4, e, 32);            // dest, gateway
    return 36;
  }
  if (table == 2) return neighborDump(index, out);
  if (table == 9) {
    if (!MIP6) return -1;
    const n = bc6Dump(index, out);
    // Why (issue 14): with RESTORE the AH sequence state of the home address's SAs follows, what the board
    // host persists for a home agent restart (BINDING6; security/ipsec.ts ipsecRestoreSeqs).
    if (!RESTORE || n < 0) return n;
    ipsecSeqs(out, out + 48);
    return 56;
  }
  if (STATUS && table == 11) return agentsDump(index, out);
  if (MIP6 && table == 10) return (cfg.roles & cfg.ROLE_HOME_AGENT) != 0 ? mc6Dump(index, out) : -1;
  if (table == 3 || table == 4 || table >= 6) return mobilityDump(table, index, out);
  if (table == 5) {
    const i = nthIface(index, true);
    if (i < 0) return -1;
    store<u32>(out, <u32>i | (<u32>addrV4Bits(netifAliasPrefixLen(i)) << 8)); // iface, prefixLen, pad[2]
    addrSetV4(out + 4, netifAlias(i));
    return 20;
  }
  return -1;
}
