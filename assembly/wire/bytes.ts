// Byte order (RFC 791 Appendix B: network order is big-endian; WebAssembly memory is little-endian).
//
// Why (speed): AssemblyScript's bswap<T> is an out-of-line function at the release build's
// shrinkLevel 1, and under wasm3 a call costs about 100 native instructions (op_Call + op_Entry,
// bench/opprofile.mjs with callgrind), several times the swap. These inline forms are used by the
// accessors on the per-packet paths (IPv4, Ethernet, UDP header fields); cold paths keep bswap<T>
// (one call site each, smaller module).

/** Swap the two bytes of a 16-bit value. */
// @ts-ignore: decorator
@inline export function swap16(x: u16): u16 { return <u16>((<u32>x << 8) | (<u32>x >>> 8)); }

/** swap16 of an i32 in 0-65535 for a store<u16> (the bits above 16 are the store's to drop; no re-mask). */
// @ts-ignore: decorator
@inline export function swap16s(x: i32): i32 { return (x << 8) | (x >>> 8); }

/** Swap the four bytes of a 32-bit value. */
// @ts-ignore: decorator
@inline export function swap32(x: u32): u32 { return rotl<u32>(x & 0xff00ff00, 8) | rotr<u32>(x & 0x00ff00ff, 8); }
/** swap32 as a call, for fields read off the packet paths. */
// Why (size): inline, the swap is ~13 bytes at each of ~35 sites; a call is 3.
export function swap32Out(x: u32): u32 { return swap32(x); }
