// Network interfaces: at most MAX_IFACES, described by IFACE config records.
// Addresses are held in host order (a.b.c.d = a<<24 | b<<16 | c<<8 | d) everywhere in the core.

export const MAX_IFACES: i32 = 8;

// Record layout (stride 32): mac[6] @0, up u8 @6, configured u8 @7, ip u32 @8, prefixLen u8 @12,
// flags u8 @13, mtu u16 @14, bssid[6] @16 (last access point reported by link()), pad[2],
// mask u32 @24 and directed broadcast u32 @28 (derived from ip/prefixLen, 0 when /31 or /32).
const STRIDE: usize = 32;
const table: usize = memory.data(<i32>STRIDE * MAX_IFACES, 16);

// @ts-ignore: decorator
@inline function rec(i: i32): usize { return table + <usize>i * STRIDE; }

// One past the highest configured index: per-packet loops stop here instead of at MAX_IFACES.
let count: i32 = 0;

export function netifReset(): void { memory.fill(table, 0, STRIDE * <usize>MAX_IFACES); count = 0; }

/** One past the highest configured interface index; loop `for (i = 0; i < netifCount(); i++)`. */
// @ts-ignore: decorator
@inline export function netifCount(): i32 { return count; }

function derive(i: i32): void {
  const r = rec(i);
  const len = <i32>load<u8>(r, 12);
  const m = prefixMask(len);
  store<u32>(r, m, 24);
  store<u32>(r, len >= 31 || load<u32>(r, 8) == 0 ? 0 : (load<u32>(r, 8) & m) | ~m, 28);
}

export function netifSet(i: i32, mac: usize, ip: u32, prefixLen: u8, mtu: u16, flags: u8): void {
  const r = rec(i);
  memory.copy(r, mac, 6);
  store<u8>(r, 1, 6);          // up until the host says otherwise
  store<u8>(r, 1, 7);
  store<u32>(r, ip, 8);
  store<u8>(r, prefixLen, 12);
  store<u8>(r, flags, 13);
  store<u16>(r, mtu, 14);
  derive(i);
  if (i >= count) count = i + 1;
}

/** True when `i` names a configured interface. */
export function netifValid(i: i32): bool { return i >= 0 && i < MAX_IFACES && load<u8>(rec(i), 7) != 0; }
export function netifUp(i: i32): bool { return load<u8>(rec(i), 6) != 0; }
export function netifSetUp(i: i32, up: bool): void { store<u8>(rec(i), up ? 1 : 0, 6); }
/** Pointer to the 6-byte MAC address of interface `i`. */
export function netifMac(i: i32): usize { return rec(i); }
export function netifIp(i: i32): u32 { return load<u32>(rec(i), 8); }
export function netifSetIp(i: i32, ip: u32, prefixLen: u8): void { store<u32>(rec(i), ip, 8); store<u8>(rec(i), prefixLen, 12); derive(i); }
export function netifPrefixLen(i: i32): u8 { return load<u8>(rec(i), 12); }
export function netifMtu(i: i32): i32 { return <i32>load<u16>(rec(i), 14); }
export function netifFlags(i: i32): u8 { return load<u8>(rec(i), 13); }
/** Pointer to the 6-byte BSSID of the access point the interface is associated with (zeros if none). */
export function netifBssid(i: i32): usize { return rec(i) + 16; }

/** Netmask for a prefix length, host order. */
export function prefixMask(len: i32): u32 { return len <= 0 ? 0 : len >= 32 ? 0xffffffff : ~(<u32>0xffffffff >>> <u32>len); }

/** True when `addr` is on the directly attached subnet of interface `i`. */
export function netifOnLink(i: i32, addr: u32): bool {
  const m = load<u32>(rec(i), 24);
  return netifIp(i) != 0 && (addr & m) == (netifIp(i) & m);
}

/** Interface whose own address is `addr`, or -1. */
export function netifByAddr(addr: u32): i32 {
  for (let i = 0; i < count; i++) if (netifValid(i) && netifIp(i) == addr) return i;
  return -1;
}

/** True when `addr` is the directed broadcast address of interface `i`'s subnet. */
export function netifIsBroadcast(i: i32, addr: u32): bool {
  const b = load<u32>(rec(i), 28);
  return b != 0 && addr == b;
}
