// Pass 2 of the configuration (config.ts configWalk): IFACE, ROUTE and SA records go into the tables
// that hold them. Apart from config.ts because those tables live in layers above it (Why: one-way
// layering, docs/decisions.md "Core v2").

import {
  T, refuse, refuseText, range, addrField, fieldAddr, v4PrefixField, be16, be32, frameBytes, routeEntries, securityAssocEntries, REC_IFACE, REC_ROUTE, REC_SA, REC_SERVER, serverAdd, servers, serverTableSet, SERVER_TABLE_BYTES, SRV_ADVERTISE, SRV_TRANSIT, MAX_SERVERS, SA_USE_LAST,
  SA_MAX_KEY, SA_ALG_KEYED_MD5, SA_ALG_HMAC_MD5, SA_REPLAY_NONCES, SA_USE_MASK, SA_USE_SHIFT,
  SA_USE_MOBILE_HOME, SA_USE_FOREIGN_HOME, REC_ADDR6, REC_IPSEC, REC_TUN6, REC_GROUP6, ipv6Enabled, ipsecEntries, REC_BINDING, REC_BINDING6, roles, ROLE_HOME_AGENT
} from "./config";
import { RESTORE } from "./features";
import { haRestore } from "./mobility/ha";
import { g6Join, G6_MAX } from "./stack/groups6";
import { ipsecAdd, ipsecRestoreSeqs } from "./security/ipsec";
import { ha6Restore } from "./mobility/ha6";
import { tun6Add, TUN6_MAX } from "./stack/tunnel6";
import { MAX_IFACES, netifSet, netifValid, NETIF_V6_ADDRS } from "./link/netif";
import { addr6Configure } from "./stack/addr6";
import { IPV6, MIP6 } from "./features";
import { routeAdd } from "./stack/route";
import { saAdd } from "./security/sa";
import { arenaAlloc } from "./mem";

// Why (memory): IPv6 address configuration through a reference, out of configApply (see index.ts init).
const addr6ConfigureRef: usize = IPV6 ? changetype<usize>(addr6Configure) : 0;

/**
 * True (after refusing `field`) unless the 16-byte address at `a` is one unicast IPv6 address.
 * Why: RFC 4291 §2.5.2, §2.5.5, §2.7: not :: (unspecified), not IPv4-mapped (an IPv4 address's field), not multicast.
 */
function notUnicast6(field: T, a: usize): bool {
  if ((load<u64>(a) == 0 && (load<u32>(a, 8) == 0 || load<u32>(a, 8) == 0xffff0000)) || load<u8>(a) == 0xff) {
    refuseText(field, T.AN_IPV6_UNICAST_ADDRESS, load<u8>(a));
    return true;
  }
  return false;
}

/**
 * IPSEC 32+k: 0 spiIn u32 | 4 spiOut u32 | 8 algorithm u8 (1 hmac-md5-96, 2 hmac-sha1-96) | 9 window u8 |
 * 10 flags u8 (bit 0 inbound AH required) | 11 keyLen u8 | 12 pad[4] | 16 peer[16] | 32 key[keyLen]
 */
function ipsecApply(v: usize, rlen: u32): bool {
  // Why: the table exists only on an IPv6 node (index.ts ipv6Init); config_add may bring IPSEC records to any
  // node (images with Mobile IPv6; without, config_add refuses them and configCrossCheck covers init).
  if (MIP6 && !ipv6Enabled()) return refuse(T.NODE_IPV6, 1, 2, 0);
  if (rlen < 33) return refuse(T.IPSEC_RECORD_LENGTH, 33, 32 + 20, rlen);
  const klen = <i32>load<u8>(v + 11);
  if (!range(T.IPSEC_RECORD_LENGTH, rlen, 32 + klen, 32 + klen)) return false;
  const a = v + 16;
  // Why: an AH peer is one unicast IPv6 address (RFC 4291): not ::, not IPv4-mapped, not multicast.
  if (notUnicast6(T.IPSEC_PEER, a)) return false;
  const spiIn = be32(v), spiOut = be32(v + 4);
  // Why: RFC 2402 §2.4: SPIs 1-255 are reserved and 0 is never sent.
  // (One check: spiIn if it is refused, else spiOut.)
  if (!range(T.IPSEC_SPI, spiIn < 256 ? spiIn : spiOut, 256, 0xffffffff)) return false;
  const alg = load<u8>(v + 8);
  if (!range(T.IPSEC_ALGORITHM, alg, 1, 2)) return false;
  // Why: RFC 2403 §3 / RFC 2404 §3: HMAC-MD5-96 uses 128-bit keys, HMAC-SHA1-96 160-bit keys.
  const want = alg == 1 ? 16 : 20;
  if (!range(T.IPSEC_KEY, klen, want, want)) return false;
  // Why: RFC 2402 §3.4.3: a window of 32 MUST be supported, 64 SHOULD be the default.
  const w = load<u8>(v + 9);
  if (w != 32 && w != 64) return refuse(T.IPSEC_WINDOW, 32, 64, w);
  const r = ipsecAdd(a, spiIn, spiOut, alg, v + 32, klen, w, load<u8>(v + 10));
  if (r == 1) return refuse(T.IPSEC_PEERS, 0, ipsecEntries, ipsecEntries + 1);
  return r == 0;
}
const ipsecApplyRef: usize = IPV6 ? changetype<usize>(ipsecApply) : 0;
const tun6AddRef: usize = IPV6 ? changetype<usize>(tun6Add) : 0;

/**
 * The length of each record type (3..10; 11-13 with Mobile IPv6) that has one length, 0 for the others (SA
 * and IPSEC carry a key); then the field text of its refusal. ADDR6 and TUN6 only in an image with IPv6,
 * GROUP6 with Mobile IPv6 (features.ts).
 */
const RECORD_LENGTHS: usize = MIP6 ? memory.data<u8>([
  32, 36, 0, 0, 24, 32, 0, 52, 20, 44, 48,
  <u8>T.IFACE_RECORD_LENGTH, <u8>T.ROUTE_RECORD_LENGTH, 0, 0, <u8>T.SERVER_RECORD_LENGTH,
  <u8>T.IPV6_RECORD_LENGTH, 0, <u8>T.TUNNEL6_RECORD_LENGTH, <u8>T.RECORD_LENGTH, <u8>T.RECORD_LENGTH, <u8>T.RECORD_LENGTH,
]) : memory.data<u8>([
  32, 36, 0, 0, 24, IPV6 ? 32 : 0, 0, IPV6 ? 52 : 0,
  <u8>T.IFACE_RECORD_LENGTH, <u8>T.ROUTE_RECORD_LENGTH, 0, 0, <u8>T.SERVER_RECORD_LENGTH,
  <u8>T.IPV6_RECORD_LENGTH, 0, <u8>T.TUNNEL6_RECORD_LENGTH,
]);
/** Where RECORD_LENGTHS' texts begin (the number of record types it covers). */
const RL_TEXTS: usize = MIP6 ? 11 : 8;

/**
 * Apply one IFACE, ROUTE or SA record (config.ts RecordApply). Layouts (ABI v2, docs/abi.md
 * "Configuration"; addresses 16 bytes, prefix lengths in the 128-bit space):
 *   IFACE 32: 0 index u8 | 1 flags u8 | 2 mac[6] | 8 mtu u16 | 10 prefixLen u8 | 11 pad[5] | 16 address[16]
 *   ROUTE 36: 0 prefixLen u8 | 1 iface u8 | 2 pad[2] | 4 dest[16] | 20 gateway[16] (0.0.0.0: on-link)
 *   SA 24+k:  0 spi u32 | 4 algorithm u8 | 5 replay u8 | 6 flags u8 | 7 keyLen u8 | 8 peer[16] | 24 key[keyLen]
 *   SERVER 24: 0 kind u8 | 1 pad | 2 priority u16 | 4 lifetimeSec u16 | 6 pad[2] | 8 address[16]
 */
export function configApply(type: i32, v: usize, rlen: u32): bool {
  // The record types of one length checked first (RECORD_LENGTHS); the others below.
  const want = <u32>load<u8>(RECORD_LENGTHS - REC_IFACE + <usize>type);
  if (want != 0 && !range(<T>load<u8>(RECORD_LENGTHS + RL_TEXTS - REC_IFACE + <usize>type), rlen, want, want)) return false;
  if (type == REC_IFACE) {
    const idx = <i32>load<u8>(v);
    if (!range(T.IFACE_INDEX, idx, 0, MAX_IFACES - 1)) return false;
    // An unnumbered interface: ::ffff:0.0.0.0/96.
    if (!addrField(T.IFACE_IPV4, v + 16)) return false;
    const ip = fieldAddr;
    const plen = v4PrefixField(T.IFACE_PREFIX_LEN, load<u8>(v + 10));
    if (plen < 0) return false;
    const mtu = be16(v + 8);
    // Why: RFC 791 §3.1 576 for IPv4; RFC 2460 §5: an IPv6 link carries at least 1280.
    const minMtu: u32 = ipv6Enabled() ? 1280 : 576;
    if (!range(T.IFACE_MTU, mtu, minMtu, frameBytes - 14)) return false;
    const mac0 = load<u8>(v + 2);
    if (mac0 & 1) return refuseText(T.IFACE_MAC, T.A_UNICAST_MAC_ADDRESS, mac0);
    if (netifValid(idx)) return refuseText(T.IFACE_INDEX, T.EACH_INTERFACE_ONCE, idx);
    netifSet(idx, v + 2, ip, <u8>plen, <u16>mtu, load<u8>(v + 1));
  } else if (IPV6 && type == REC_ADDR6) {
    // ADDR6 32: 0 iface u8 | 1 prefixLen u8 | 2 flags u8 (bit 1 advertise) | 3 pad | 4 validSec u32 |
    //           8 preferredSec u32 | 12 pad[4] | 16 address[16]
    const ifc = <i32>load<u8>(v);
    if (!netifValid(ifc)) return refuseText(T.IPV6_IFACE, T.A_CONFIGURED_INTERFACE, ifc); // (false for an index >= MAX_IFACES too)
    const plen = <i32>load<u8>(v + 1);
    if (!range(T.IPV6_PREFIX_LEN, plen, 0, 128)) return false;
    // Why: RFC 4291 §2.5.2, §2.5.5, §2.7: an interface address is unicast: not ::, not IPv4-mapped
    // (that is the IPv4 address's field), not multicast.
    const a = v + 16;
    if (notUnicast6(T.IPV6_ADDRESS, a)) return false;
    const r = changetype<(i: i32, a: usize, l: i32, f: u8, vs: u32, ps: u32) => i32>(addr6ConfigureRef)(ifc, a, plen, load<u8>(v + 2), be32(v + 4), be32(v + 8));
    if (r != 0) return refuseText(T.IPV6_ADDRESS, T.IPV6_ADDRESSES, NETIF_V6_ADDRS);
  } else if (IPV6 && type == REC_TUN6) {
    // TUN6 52: 0 prefixLen u8 | 1 pad[3] | 4 dest[16] | 20 remote[16] | 36 local[16] (:: any of ours)
    if (!ipv6Enabled()) return refuse(T.NODE_IPV6, 1, 2, 0);
    const plen = <i32>load<u8>(v);
    if (!range(T.IPV6_PREFIX_LEN, plen, 0, 128)) return false;
    const r = v + 20;
    if (notUnicast6(T.TUNNELS6, r)) return false;
    if (!changetype<(d: usize, l: i32, r: usize, lo: usize) => bool>(tun6AddRef)(v + 4, plen, r, v + 36)) return refuse(T.TUNNELS6, 0, TUN6_MAX, TUN6_MAX + 1);
  } else if (MIP6 && type == REC_GROUP6) {
    // GROUP6 20: 0 iface u8 | 1 flags u8 (bit 0: away "local") | 2 pad[2] | 4 group[16]
    if (!ipv6Enabled()) return refuse(T.NODE_IPV6, 1, 2, 0);
    const ifc = <i32>load<u8>(v);
    if (!netifValid(ifc)) return refuseText(T.IPV6_GROUPS, T.A_CONFIGURED_INTERFACE, ifc);
    // Why: RFC 4291 §2.7: a group address is ff00::/8.
    if (load<u8>(v + 4) != 0xff) return refuseText(T.IPV6_GROUPS_GROUP, T.AN_IPV6_MULTICAST_ADDRESS, load<u8>(v + 4));
    if (!g6Join(ifc, v + 4, load<u8>(v + 1))) return refuse(T.IPV6_GROUPS, 0, G6_MAX, G6_MAX + 1);
  } else if (IPV6 && type == REC_IPSEC) {
    return changetype<(v: usize, rlen: u32) => bool>(ipsecApplyRef)(v, rlen);
  } else if (type == REC_ROUTE) {
    // An IPv4 route has IPv4-mapped destination and gateway and a prefix length of 96 + n; an IPv6
    // route neither (the table is family-neutral, stack/route.ts).
    const v6 = ipv6Enabled() && !(load<u64>(v + 4) == 0 && load<u32>(v + 12) == 0xffff0000);
    // Why: RFC 4291 §2.5.5.2: an IPv4 prefix /n is /(96 + n) (config.ts v4PrefixField).
    if (!range(T.ROUTE_PREFIX_LEN, load<u8>(v), v6 ? 0 : 96, 128)) return false;
    if (!v6) {
      if (!addrField(T.ROUTE_DEST, v + 4) || !addrField(T.ROUTE_VIA, v + 20)) return false;
    } else {
      // An IPv6 route's gateway is IPv6 (or :: for on-link), never an IPv4-mapped address.
      if (load<u64>(v + 20) == 0 && load<u32>(v + 28) == 0xffff0000) return refuseText(T.ROUTE_VIA, T.AN_IPV6_UNICAST_ADDRESS, load<u8>(v + 35));
    }
    const ifc = <i32>load<u8>(v + 1);
    if (!range(T.ROUTE_IFACE, ifc, 0, MAX_IFACES - 1)) return false;
    if (!netifValid(ifc)) return refuseText(T.ROUTE_IFACE, T.A_CONFIGURED_INTERFACE, ifc);
    if (!routeAdd(v + 4, load<u8>(v), v + 20, ifc)) return refuse(T.ROUTES, 0, routeEntries(), routeEntries() + 1);
  } else if (type == REC_SA) {
    if (rlen < 25) return refuse(T.SA_RECORD_LENGTH, 25, 24 + SA_MAX_KEY, rlen);
    const spi = be32(v);
    // Why: SPI values 0-255 are reserved (RFC 2002 §3.5.1, SPEC-DECISIONS).
    if (!range(T.SECURITY_ASSOCIATIONS_SPI, spi, 256, 0xffffffff)) return false;
    const alg = load<u8>(v + 4);
    if (!range(T.SECURITY_ASSOCIATIONS_ALGORITHM, alg, SA_ALG_KEYED_MD5, SA_ALG_HMAC_MD5)) return false;
    const rp = load<u8>(v + 5);
    if (!range(T.SECURITY_ASSOCIATIONS_REPLAY, rp, 0, SA_REPLAY_NONCES)) return false;
    const flags = load<u8>(v + 6);
    const use = (flags & SA_USE_MASK) >> SA_USE_SHIFT;
    if (!range(T.SECURITY_ASSOCIATIONS_USE, use, SA_USE_MOBILE_HOME, SA_USE_LAST)) return false;
    const klen = <i32>load<u8>(v + 7);
    // (A key of 0 bytes leaves rlen 24, which is below the 25 refused above: no test of its own.)
    if (klen > SA_MAX_KEY || <u32>(24 + klen) != rlen) return refuse(T.SECURITY_ASSOCIATIONS_KEY_LENGTH, 1, SA_MAX_KEY, klen);
    if (!addrField(T.SECURITY_ASSOCIATIONS_PEER, v + 8)) return false;
    if (!saAdd(fieldAddr, spi, alg, rp, flags, v + 24, klen)) return refuse(T.BOARD_SECURITY_ASSOCS, securityAssocEntries() + 1, 65536, securityAssocEntries());
  } else if (RESTORE && type == REC_BINDING) {
    // A binding the board host persisted (issue 14), 44 bytes: 0 lifetimeSec u16 (seconds left), 2 flags
    // u8 (the request's, as in dump table 3), 3 pad, 4 identification u64 (the last accepted: replay
    // protection goes on where it stopped), 12 home[16], 28 careOf[16].
    // (Its length, 44, is checked with the others': RECORD_LENGTHS.)
    // (lifetimeSec 0 is a deregistration of what is not bound: accepted, nothing restored. Why no text
    // of its own: 16 B of static data, and the esp32-c3 mobile node had 16 B left.)
    const left = be16(v);
    if (!addrField(T.BINDING, v + 12)) return false;
    const home = fieldAddr;
    if (!addrField(T.BINDING, v + 28)) return false;
    const code = haRestore(home, fieldAddr, load<u8>(v + 2), <u16>left, bswap<u64>(load<u64>(v + 4)));
    // (The value is the home agent's reply code: 130 no room or no home agent role, 135 too many.)
    if (code != 0) return refuse(T.BINDING, 0, 0, code);
  } else if (RESTORE && type == REC_BINDING6) {
    // A Mobile IPv6 home registration the board host persisted (issue 14), 48 bytes: 0 lifetimeSec u32
    // (seconds left; 0xffffffff infinite) | 4 seq u16 (the greatest accepted) | 6 idLen u8 | 7 pad |
    // 8 ahOutSeq u32 | 12 ahInHighest u32 (the home address's AH SAs; the host leased the first ahead) |
    // 16 home[16] | 32 careOf[16]. (Length 48: RECORD_LENGTHS.)
    const home = v + 16, coa = v + 32;
    if (notUnicast6(T.BINDING, home) || notUnicast6(T.BINDING, coa)) return false;
    // Why: restored as a Binding Update that passed §7.2 would have made it (seed 003 §8.2: the home
    // registration, the proxies that answer and defend the home address on the home link, gratuitous
    // advertisements, the expiry timer); its Sequence Number stays the greatest accepted, so a Binding
    // Update replayed from before the restart is still refused (§7.2, 135). Only a home agent with IPv6
    // restores (129 administratively prohibited otherwise: ha6.ts is not set up).
    const code = (roles & ROLE_HOME_AGENT) != 0 && ipv6Enabled() ? ha6Restore(home, coa, be32(v), <i32>be16(v + 4), <i32>load<u8>(v + 6)) : 129;
    // (The value is the Binding Acknowledgement status a Binding Update would have had: 129, 131 no room,
    // 133 not on a home prefix, 136 ID Length.)
    if (code != 0) return refuse(T.BINDING, 0, 0, code);
    ipsecRestoreSeqs(home, be32(v + 8), be32(v + 12));
  } else if (type == REC_SERVER) {
    const kind = load<u8>(v);
    if (!range(T.DR_SERVER_KIND, kind, SRV_ADVERTISE, SRV_TRANSIT)) return false;
    if (!addrField(T.DR_SERVER_ADDRESS, v + 8)) return false;
    const a = fieldAddr;
    if (a == 0) return refuse(T.DR_SERVER_ADDRESS, 1, 0xffffffff, 0);
    if (servers == 0) serverTableSet(arenaAlloc(SERVER_TABLE_BYTES));
    if (!serverAdd(kind, <u16>be16(v + 2), <u16>be16(v + 4), a)) return refuse(T.DR_SERVERS, 0, MAX_SERVERS, MAX_SERVERS + 1);
  }
  return true;
}
