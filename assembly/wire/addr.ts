// Family-neutral addresses (issue 8.2): 16 bytes in network byte order, IPv6 as is and IPv4 as an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), so one comparison, one hash and one
// prefix match serve both families. A prefix of an IPv4 address is its length + 96 in this space.
// Pure functions over caller memory, like the rest of wire/.

/** Bytes of an address. */
export const ADDR_LEN: i32 = 16;
/** Offset of the IPv4 address inside a mapped one. */
const V4_AT: usize = 12;

/** Write the IPv4 address `v4` (host order, a.b.c.d = a<<24|b<<16|c<<8|d) at `a` as ::ffff:a.b.c.d. */
export function addrSetV4(a: usize, v4: u32): void {
  store<u64>(a, 0);
  store<u32>(a, 0xffff0000, 8); // bytes 8..11 = 00 00 ff ff
  store<u32>(a, bswap<u32>(v4), V4_AT);
}

/** True when `a` is an IPv4-mapped address. */
export function addrIsV4(a: usize): bool {
  return load<u64>(a) == 0 && load<u32>(a, 8) == 0xffff0000;
}

/** The IPv4 address (host order) inside the mapped address at `a` (0 when `a` is not IPv4-mapped). */
export function addrV4(a: usize): u32 {
  return addrIsV4(a) ? bswap<u32>(load<u32>(a, V4_AT)) : 0;
}

/** Copy the address at `src` to `dst`. */
export function addrCopy(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}

/** True when the addresses at `a` and `b` are equal (two 64-bit compares). */
export function addrEqual(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}

/** True for the unspecified address of either family (:: or ::ffff:0.0.0.0). */
export function addrIsUnspecified(a: usize): bool {
  return (load<u64>(a) | load<u32>(a, V4_AT)) == 0 && (load<u32>(a, 8) == 0 || load<u32>(a, 8) == 0xffff0000);
}

/**
 * A well-mixed 32-bit hash of the address at `a`, the one table/hash.ts uses for 16-byte keys: the
 * four 32-bit words folded by multiply-add (h = h * M + w, so a word's position matters and a
 * mapped IPv4 address folds to a constant + its own word, a bijection of it), then the full-avalanche
 * mixer of table/hash.ts htHash (xorshift-multiply "lowbias32"; repeated here because wire/ imports
 * nothing). Why (speed): one multiply per word and one mixer instead of a mixer round per word.
 */
export function addrHash(a: usize): u32 {
  return addrMix(((load<u32>(a) * HASH_M + load<u32>(a, 4)) * HASH_M + load<u32>(a, 8)) * HASH_M + load<u32>(a, V4_AT));
}

const HASH_M: u32 = 0x9e3779b1;
/**
 * The fold of an IPv4-mapped address without its last word: addrHash(::ffff:a.b.c.d) is
 * addrMix(ADDR_V4_FOLD + w), w the address's last word as loaded (bswap of the host-order value).
 */
export const ADDR_V4_FOLD: u32 = <u32>0xffff0000 * HASH_M;

/** The full-avalanche mixer (table/hash.ts htHash). */
// @ts-ignore: decorator
@inline export function addrMix(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

/**
 * True when the first `bits` bits (0..128) of the addresses at `a` and `b` agree. For IPv4, pass
 * the IPv4 prefix length + 96 (addrV4Bits). Out-of-range lengths are clamped.
 */
export function addrPrefixMatch(a: usize, b: usize, bits: i32): bool {
  if (bits <= 0) return true;
  if (bits > 128) bits = 128;
  let i: usize = 0;
  // Whole 32-bit words first (compared byte-swapped so the high bits come first).
  for (; bits >= 32; bits -= 32, i += 4) if (load<u32>(a + i) != load<u32>(b + i)) return false;
  if (bits == 0) return true;
  const mask = ~(<u32>0xffffffff >>> bits);
  return ((bswap<u32>(load<u32>(a + i)) ^ bswap<u32>(load<u32>(b + i))) & mask) == 0;
}

/** Prefix length in the 128-bit space of an IPv4 prefix of `v4Len` bits (0..32). */
// @ts-ignore: decorator
@inline export function addrV4Bits(v4Len: i32): i32 { return v4Len + 96; }

// ---- IPv6 (RFC 4291, RFC 2464) ---------------------------------------------------------------------

/** True for an IPv6 multicast address, ff00::/8 (RFC 4291 §2.7). */
export function addrIsMulticast6(a: usize): bool { return load<u8>(a) == 0xff; }

/** True for an IPv6 link-local unicast address, fe80::/10 (RFC 4291 §2.5.6). */
export function addrIsLinkLocal6(a: usize): bool { return load<u8>(a) == 0xfe && (load<u8>(a, 1) & 0xc0) == 0x80; }

/** True for a solicited-node multicast address, ff02::1:ff00:0/104 (RFC 4291 §2.7.1). */
export function addrIsSolicitedNode(a: usize): bool {
  return load<u16>(a) == 0x02ff && load<u64>(a, 2) == 0 && load<u16>(a, 10) == 0x0100 && load<u8>(a, 12) == 0xff;
}

/** Write the solicited-node group of the address at `a` to `out`: ff02::1:ff + its low 24 bits. */
export function addrSetSolicitedNode(out: usize, a: usize): void {
  const lo = load<u32>(a, 12); // read first: `out` may be `a`
  store<u64>(out, 0x02ff);
  store<u32>(out, 0x01000000, 8);
  store<u32>(out, (lo & 0xffffff00) | 0xff, 12);
}

/** Write the all-nodes group ff02::1 to `out`. */
export function addrSetAllNodes(out: usize): void { store<u64>(out, 0x02ff); store<u64>(out, 0x0100000000000000, 8); }

/** Write the all-routers group ff02::2 to `out`. */
export function addrSetAllRouters(out: usize): void { store<u64>(out, 0x02ff); store<u64>(out, 0x0200000000000000, 8); }

/** Write the Ethernet group address of the IPv6 group at `g` to `mac`: 33:33 + its last four octets (RFC 2464 §7). */
export function macSetIpv6Multicast(mac: usize, g: usize): void {
  store<u16>(mac, 0x3333);
  store<u32>(mac, load<u32>(g, 12), 2);
}

/**
 * Write to `out` the first 64 bits of `prefix` followed by the modified EUI-64 interface identifier of
 * the MAC at `mac` (RFC 2464 §4: ff:fe inserted in the middle, the universal/local bit inverted).
 */
export function addrSetIidFromMac(out: usize, prefix: usize, mac: usize): void {
  store<u64>(out, load<u64>(prefix));
  store<u8>(out, load<u8>(mac) ^ 0x02, 8);
  store<u8>(out, load<u8>(mac, 1), 9);
  store<u8>(out, load<u8>(mac, 2), 10);
  store<u8>(out, 0xff, 11);
  store<u8>(out, 0xfe, 12);
  store<u8>(out, load<u8>(mac, 3), 13);
  store<u8>(out, load<u8>(mac, 4), 14);
  store<u8>(out, load<u8>(mac, 5), 15);
}

/** Write the link-local address fe80::/64 + the interface identifier of the MAC at `mac` (RFC 2462 §5.3). */
export function addrSetLinkLocal(out: usize, mac: usize): void {
  store<u64>(out, 0x80fe);
  addrSetIidFromMac(out, out, mac);
}
