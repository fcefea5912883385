// Compile-time features of the firmware image (docs/decisions.md "IPv6: one source, two images").
//
// IPV6: the IPv6 node (stack/ip6.ts, nd.ts, addr6.ts, route6.ts and the IPv6 steps of the shared
// layers). On by default; `asc --use MIPFW_IPV6=0` builds an IPv4-only image (the "mcu" target of
// asconfig.json, build/firmware-mcu.wasm) in which the optimizer drops every IPv6 function: every
// use sits behind `if (IPV6)` or `IPV6 ? ref : 0`, compile-time constants. Why two images: Wasm3 keeps
// a descriptor for every function of the module and compiled code for every function called, and a
// 320 KiB microcontroller running an IPv4 mobile node has no room for IPv6 it does not use (the way
// lwIP's LWIP_IPV6 and smoltcp's proto-ipv6 feature keep it out of small builds).

// @ts-ignore: MIPFW_IPV6 is a compile-time constant given with asc --use; absent means on.
export const IPV6: bool = isDefined(MIPFW_IPV6) ? MIPFW_IPV6 != 0 : true;

// MIP6: Mobile IPv6 (seed 003; mobility/mip6.ts, bcache6.ts and the home agent and mobile node parts), on
// an IPv6 image only. On by default; `asc --use MIPFW_MIP6=0` leaves it out: the image of the IPv6 node
// alone, whose size issue 12 set a target for (asconfig.json target "v6core", built by bench/size.mjs).
// @ts-ignore: MIPFW_MIP6 is a compile-time constant given with asc --use; absent means on.
export const MIP6: bool = IPV6 && (isDefined(MIPFW_MIP6) ? MIPFW_MIP6 != 0 : true);

// RESTORE: a home agent's bindings restored after a restart (issue 14: the BINDING record of config_add,
// docs/abi.md; the board host persists them). In the images with Mobile IPv6 (the full firmware that
// Linux boards run); out of v6core and mcu, whose size targets have no room for it (docs/decisions.md).
// @ts-ignore: MIPFW_RESTORE is a compile-time constant given with asc --use; absent means "as MIP6".
export const RESTORE: bool = MIP6 && (isDefined(MIPFW_RESTORE) ? MIPFW_RESTORE != 0 : true);

// REKEY: config_add replaces the security association of a peer that has one (SA and IPSEC records; issue
// 14: the key rotation of mipfw-board's SIGHUP, docs/deploy.md). Without it, such a record is refused as
// before (a restart changes keys). In the images with Mobile IPv6, like RESTORE (the full firmware Linux
// boards run); out of v6core and mcu: +80 B measured in v6core, which had 22 B left under its target, and
// their hosts (ESP-IDF, the C host) have no reload (docs/decisions.md).
// @ts-ignore: MIPFW_REKEY is a compile-time constant given with asc --use; absent means "as MIP6".
export const REKEY: bool = MIP6 && (isDefined(MIPFW_REKEY) ? MIPFW_REKEY != 0 : true);

// STATUS: dump tables only `mipfw-board status` reads (table 11 agents: the agents a mobile node heard, an
// agent's own advertising state, a Mobile IPv6 mobile node's home agent; docs/abi.md). In the images with
// Mobile IPv6 (the firmware Linux boards run); out of v6core and mcu, whose size targets have no room.
// @ts-ignore: MIPFW_STATUS is a compile-time constant given with asc --use; absent means "as MIP6".
export const STATUS: bool = MIP6 && (isDefined(MIPFW_STATUS) ? MIPFW_STATUS != 0 : true);
