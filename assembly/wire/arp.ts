// ARP for IPv4 over Ethernet (RFC 826; RFC 5227 §2.3 on gratuitous/announcement forms).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Hardware type (1)         |     Protocol type (0x0800)    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  HLEN (6)     |  PLEN (4)     |   Operation (1 req, 2 reply)  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |              Sender hardware address (SHA, 6)                 |
//   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                               |  Sender protocol address (SPA)|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  SPA (cont.)                  |  Target hardware address (THA)|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |              Target protocol address (TPA, 4)                 |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Only Ethernet/IPv4 ARP is handled (28 bytes); anything else is refused by `arpCheck`, which is the
// only way to trust the accessors. Addresses are returned in host order; MACs as pointers.

export const ARP_HTYPE: usize = 0;
export const ARP_PTYPE: usize = 2;
export const ARP_HLEN: usize = 4;
export const ARP_PLEN: usize = 5;
export const ARP_OPER: usize = 6;
export const ARP_SHA: usize = 8;
export const ARP_SPA: usize = 14;
export const ARP_THA: usize = 18;
export const ARP_TPA: usize = 24;
/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_LEN: i32 = 28;

export const ARP_HTYPE_ETHERNET: u16 = 1;
export const ARP_PTYPE_IPV4: u16 = 0x0800;
export const ARP_OP_REQUEST: u16 = 1;
export const ARP_OP_REPLY: u16 = 2;

/** Result of `arpCheck`. */
export const enum ArpErr { OK = 0, TRUNCATED = 1, BAD_HTYPE = 2, BAD_PTYPE = 3, BAD_HLEN = 4, BAD_PLEN = 5, BAD_OPER = 6 }

/** Validate an ARP packet of `len` bytes at `p` (trailing Ethernet padding is allowed). */
export function arpCheck(p: usize, len: i32): i32 {
  if (len < ARP_LEN) return ArpErr.TRUNCATED;
  // Why: RFC 826 "Packet Reception": a receiver checks that it speaks the hardware and protocol type
  // and the address lengths before looking at addresses; only Ethernet (1) / IPv4 (0x0800) exist here.
  // (Fields compared as loaded, with the constants in network order. Why (size): no swaps.)
  if (load<u16>(p, ARP_HTYPE) != 0x0100) return ArpErr.BAD_HTYPE;
  if (load<u16>(p, ARP_PTYPE) != 0x0008) return ArpErr.BAD_PTYPE;
  if (load<u8>(p, ARP_HLEN) != 6) return ArpErr.BAD_HLEN;
  if (load<u8>(p, ARP_PLEN) != 4) return ArpErr.BAD_PLEN;
  // Operation 1 (request) or 2 (reply): 0x0100 / 0x0200 as loaded.
  const op = load<u16>(p, ARP_OPER);
  if (op != 0x0100 && op != 0x0200) return ArpErr.BAD_OPER;
  return ArpErr.OK;
}

/** Hardware type. */
// @ts-ignore: decorator
@inline export function arpHtype(p: usize): i32 { return (<i32>load<u8>(p, ARP_HTYPE) << 8) | <i32>load<u8>(p, ARP_HTYPE + 1); }
/** Protocol type. */
// @ts-ignore: decorator
@inline export function arpPtype(p: usize): i32 { return (<i32>load<u8>(p, ARP_PTYPE) << 8) | <i32>load<u8>(p, ARP_PTYPE + 1); }
/** Operation: ARP_OP_REQUEST or ARP_OP_REPLY. */
// @ts-ignore: decorator
@inline export function arpOper(p: usize): i32 { return (<i32>load<u8>(p, ARP_OPER) << 8) | <i32>load<u8>(p, ARP_OPER + 1); }
/** True when the operation is ARP_OP_REQUEST (compared as loaded: no swap). */
// @ts-ignore: decorator
@inline export function arpIsRequest(p: usize): bool { return load<u16>(p, ARP_OPER) == 0x0100; }
/** Pointer to the sender hardware address. */
// @ts-ignore: decorator
@inline export function arpSha(p: usize): usize { return p + ARP_SHA; }
/** Sender protocol address, host order. */
// @ts-ignore: decorator
@inline export function arpSpa(p: usize): u32 { return bswap<u32>(load<u32>(p, ARP_SPA)); }
/** Pointer to the target hardware address. */
// @ts-ignore: decorator
@inline export function arpTha(p: usize): usize { return p + ARP_THA; }
/** Target protocol address, host order. */
// @ts-ignore: decorator
@inline export function arpTpa(p: usize): u32 { return bswap<u32>(load<u32>(p, ARP_TPA)); }

/**
 * Write a 28-byte Ethernet/IPv4 ARP packet at `p`. `sha`/`tha` point to 6-byte MACs (`tha` 0 writes
 * zeros, as in a request); addresses in host order. Overlapping `sha`/`tha` with `p` is allowed.
 */
export function arpEmit(p: usize, oper: u8, sha: usize, spa: u32, tha: usize, tpa: u32): void {
  // Copy the MACs first: a reply built in place may take them from the packet being overwritten.
  const tmp = memory.data(12);
  memory.copy(tmp, sha, 6);
  if (tha != 0) memory.copy(tmp + 6, tha, 6); else memory.fill(tmp + 6, 0, 6);
  // Hardware type 1, protocol type 0x0800, HLEN 6, PLEN 4 and the operation as two words in network
  // order. `oper` is a u8 (every operation IANA assigns is below 256), so the 16-bit field's high byte is 0. Why (size): bswap of a constant is a call at run time.
  store<u32>(p, 0x00080100, ARP_HTYPE);
  store<u32>(p, 0x0406 | (<u32>oper << 24), ARP_HLEN);
  memory.copy(p + ARP_SHA, tmp, 6);
  store<u32>(p, bswap<u32>(spa), ARP_SPA);
  memory.copy(p + ARP_THA, tmp + 6, 6);
  store<u32>(p, bswap<u32>(tpa), ARP_TPA);
}
