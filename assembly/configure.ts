// Pass 2 of the configuration (config.ts configWalk): IFACE, ROUTE and SA records go into the tables
// that hold them. Apart from config.ts because those tables live in layers above it (Why: one-way
// layering, docs/decisions.md "Core v2").

import {
  T, refuse, refuseText, be16, be32, frameBytes, routeEntries, securityAssocEntries, REC_IFACE, REC_ROUTE, REC_SA,
  SA_MAX_KEY, SA_ALG_KEYED_MD5, SA_ALG_HMAC_MD5, SA_REPLAY_NONCES, SA_USE_MASK, SA_USE_SHIFT,
  SA_USE_MOBILE_HOME, SA_USE_FOREIGN_HOME
} from "./config";
import { MAX_IFACES, netifSet, netifValid } from "./link/netif";
import { routeAdd } from "./stack/route";
import { saAdd } from "./security/sa";

/** Apply one IFACE, ROUTE or SA record (config.ts RecordApply). */
export function configApply(type: u8, v: usize, rlen: u32): bool {
  if (type == REC_IFACE) {
    if (rlen != 16) return refuse(T.IFACE_RECORD_LENGTH, 16, 16, rlen);
    const idx = <i32>load<u8>(v);
    if (idx >= MAX_IFACES) return refuse(T.IFACE_INDEX, 0, MAX_IFACES - 1, idx);
    const plen = load<u8>(v + 12);
    if (plen > 32) return refuse(T.IFACE_PREFIX_LEN, 0, 32, plen);
    const mtu = be16(v + 14);
    if (mtu < 576 || mtu + 14 > <u32>frameBytes) return refuse(T.IFACE_MTU, 576, frameBytes - 14, mtu);
    const mac0 = load<u8>(v + 2);
    if (mac0 & 1) return refuseText(T.IFACE_MAC, T.A_UNICAST_MAC_ADDRESS, mac0);
    if (netifValid(idx)) return refuseText(T.IFACE_INDEX, T.EACH_INTERFACE_ONCE, idx);
    netifSet(idx, v + 2, be32(v + 8), plen, <u16>mtu, load<u8>(v + 1));
  } else if (type == REC_ROUTE) {
    if (rlen != 12) return refuse(T.ROUTE_RECORD_LENGTH, 12, 12, rlen);
    const plen = load<u8>(v + 4);
    if (plen > 32) return refuse(T.ROUTE_PREFIX_LEN, 0, 32, plen);
    const ifc = <i32>load<u8>(v + 5);
    if (ifc >= MAX_IFACES) return refuse(T.ROUTE_IFACE, 0, MAX_IFACES - 1, ifc);
    if (!netifValid(ifc)) return refuseText(T.ROUTE_IFACE, T.A_CONFIGURED_INTERFACE, ifc);
    if (!routeAdd(be32(v), plen, be32(v + 8), ifc)) return refuse(T.ROUTES, 0, routeEntries, routeEntries + 1);
  } else if (type == REC_SA) {
    // peer u32, spi u32, algorithm u8, replay u8, flags u8, keyLen u8, key[keyLen]
    if (rlen < 13) return refuse(T.SA_RECORD_LENGTH, 13, 12 + SA_MAX_KEY, rlen);
    const spi = be32(v + 4);
    // Why: SPI values 0-255 are reserved (RFC 2002 §3.5.1, SPEC-DECISIONS).
    if (spi < 256) return refuse(T.SECURITY_ASSOCIATIONS_SPI, 256, 0xffffffff, spi);
    const alg = load<u8>(v + 8);
    if (alg != SA_ALG_KEYED_MD5 && alg != SA_ALG_HMAC_MD5) return refuse(T.SECURITY_ASSOCIATIONS_ALGORITHM, 1, 2, alg);
    const rp = load<u8>(v + 9);
    if (rp > SA_REPLAY_NONCES) return refuse(T.SECURITY_ASSOCIATIONS_REPLAY, 0, 1, rp);
    const use = (load<u8>(v + 10) & SA_USE_MASK) >> SA_USE_SHIFT;
    if (use < SA_USE_MOBILE_HOME) return refuse(T.SECURITY_ASSOCIATIONS_USE, SA_USE_MOBILE_HOME, SA_USE_FOREIGN_HOME, use);
    const klen = <i32>load<u8>(v + 11);
    if (klen < 1 || klen > SA_MAX_KEY || <u32>(12 + klen) != rlen) return refuse(T.SECURITY_ASSOCIATIONS_KEY_LENGTH, 1, SA_MAX_KEY, klen);
    if (!saAdd(be32(v), spi, alg, rp, load<u8>(v + 10), v + 12, klen)) return refuse(T.BOARD_SECURITY_ASSOCS, securityAssocEntries + 1, 65536, securityAssocEntries);
  }
  return true;
}
