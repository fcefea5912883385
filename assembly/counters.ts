// Counters: one u64 each, in a static array the host reads through `counters_ptr()`.
// Names come from the module itself (`counter_names_ptr()`), so no tool keeps a copy of this list: a
// counter's name is its member of `C` in lower case, written as UTF-8 bytes into counter-names.ts by
// host/gen-counter-names.mjs at build time.
// Add new counters at the end only: ids are part of ABI v1 (docs/abi.md).

import { COUNTER_NAMES, COUNTER_NAMES_LEN } from "./counter-names";
import { textLine, textBuf } from "./text";
import { IPV6, MIP6 } from "./features";

export const enum C {
  RX_FRAMES = 0,      // frames handed to rx()
  RX_BYTES,
  TX_FRAMES,          // frames passed to host.tx()
  TX_BYTES,
  DELIVERED,          // packets passed to host.deliver()
  OUTPUT_PACKETS,     // packets handed to output()
  FORWARDED,          // IPv4 packets forwarded (router role)
  ARP_RX,
  ARP_TX_REQUEST,
  ARP_TX_REPLY,
  ICMP_RX,
  ICMP_TX_ECHO_REPLY,
  ICMP_TX_ERROR,
  DROP_BAD_IFACE,     // rx/link on an interface that is not configured
  DROP_TOO_SHORT,     // shorter than the headers it claims
  DROP_TOO_LONG,      // longer than the buffer
  DROP_ETHERTYPE,     // EtherType we do not handle
  DROP_NOT_FOR_US,    // unicast MAC that is not ours
  DROP_ARP_MALFORMED,
  DROP_IP_VERSION,
  DROP_IP_HEADER_LEN,
  DROP_IP_TOTAL_LEN,
  DROP_IP_CHECKSUM,
  DROP_IP_FRAGMENT,   // fragments for this node dropped because board.reassemblySlots is 0
  DROP_IP_TTL,        // TTL expired while forwarding (ICMP time exceeded sent)
  DROP_IP_BAD_SRC,    // source is broadcast, multicast or loopback
  DROP_NO_ROUTE,      // no route (ICMP unreachable sent where allowed)
  DROP_NOT_ROUTER,    // packet for another host and this node does not forward
  DROP_ARP_UNRESOLVED,// ARP gave no answer, or the pending queue was full
  DROP_ICMP_MALFORMED,
  DROP_ICMP_CHECKSUM,
  DROP_UDP_MALFORMED,
  DROP_UDP_CHECKSUM,
  DROP_PROTO,         // local IP protocol with no handler and no local stack
  DROP_OUTPUT_MALFORMED, // output() given something that is not a valid IPv4 packet
  DROP_MTU,           // larger than the outgoing MTU with DF set (ICMP frag needed sent), or too small an MTU to fragment
  DROP_RATE_LIMITED,  // ICMP error suppressed by the rate limit
  // Home agent and tunnels (mobility/ha.ts, mobility/tunnel.ts)
  HA_REG_RX,          // registration requests the home agent processed
  HA_REG_ACCEPTED,    // ... answered with code 0
  HA_REG_DENIED,      // ... answered with a denial code (128-136)
  DROP_HA_REG_MALFORMED, // requests silently discarded (truncated, bad/unknown extension, RFC 2002 §1.9)
  TUNNEL_TX,          // encapsulated datagrams sent into a tunnel (one per care-of address)
  TUNNEL_DECAPSULATED,// valid tunnelled datagrams stripped at this tunnel exit
  DROP_TUNNEL_MALFORMED, // received tunnel packet with a bad outer/tunnel/inner header
  DROP_TUNNEL_NO_EXIT,// decapsulated, but no role here delivers the inner datagram
  DROP_TUNNEL_MTU,    // too big for the tunnel with DF set (ICMP frag needed sent), or larger than a frame
  DROP_TUNNEL_LOOP,   // not tunnelled: source is the tunnel's destination or this node (RFC 2003)
  DROP_TUNNEL_ENCAP,  // encapsulation refused (no headroom, size, no route to the care-of address)
  TUNNEL_ICMP_RX,     // ICMP errors received about our tunnelled datagrams (RFC 2003 §4-5)
  TUNNEL_ICMP_RELAYED,// ICMP errors sent to original senders from tunnel soft state
  // Agent discovery and foreign agent (mobility/agent.ts, mobility/fa.ts)
  AGENT_ADVERT_TX,    // agent advertisements sent (periodic and solicited)
  AGENT_SOLICIT_RX,   // agent solicitations answered
  FA_REQUEST_RX,      // registration requests received by the foreign agent
  FA_REQUEST_RELAYED, // ... relayed to the home agent
  FA_REQUEST_DENIED,  // denials the foreign agent sent (codes 64-88)
  FA_REPLY_RX,        // registration replies received from home agents
  FA_REPLY_RELAYED,   // ... relayed to the mobile node
  FA_PENDING_TIMEOUT, // pending registrations that got no reply in time
  FA_VISITOR_EXPIRED, // accepted visitors whose lifetime ran out
  FA_DELIVERED,       // datagrams delivered to a visitor's MAC (decapsulated or intercepted)
  FA_ICMP_ERROR,      // ICMP errors about relayed requests (codes 80-88 sent)
  DROP_FA_MALFORMED,  // registration message too short or badly formed, silently discarded
  DROP_FA_UNKNOWN_EXT,// unknown extension 0-127: message silently discarded (RFC 2002 §1.9)
  DROP_FA_AUTH,       // mobile-foreign or foreign-home authentication failed
  DROP_FA_REPLY_UNMATCHED, // reply with no pending request (home address, Identification)
  DROP_MIP_NO_TIMER,  // agent/foreign agent work refused: the stack timer heap was full
  // Mobile node and its DHCP client (mobility/mn.ts, app/dhcp.ts)
  MN_ADVERT_RX,       // agent advertisements the mobile node processed
  MN_ADVERT_MALFORMED,// advertisements dropped: bad format, unknown extension 0-127, bad source
  MN_SOLICIT_TX,      // agent solicitations sent
  MN_REG_REQUEST_TX,  // registration requests sent (first transmissions and retransmissions)
  MN_REG_REPLY_RX,    // valid registration replies (any code)
  MN_REPLY_MALFORMED, // registration replies too short or with bad extensions
  MN_REPLY_IGNORED,   // replies (or other 434 traffic) not answering the outstanding request
  MN_REPLY_AUTH_FAILED, // replies with a missing or invalid mobile-home authenticator
  MN_NO_SA,           // no security association with the home agent: request not sent
  MN_OUTPUT_VIA_FA,   // datagrams sent away from home to the foreign agent's MAC
  MN_DECAPSULATED,    // datagrams from the co-located tunnel exit delivered as received
  MN_DECAP_DROPPED,   // decapsulated datagrams refused (a tunnel inside the tunnel)
  DHCP_TX,            // DHCP client messages sent
  DHCP_RX,            // DHCP offers, acks and naks accepted
  DHCP_NAK,           // ... of which naks
  DHCP_MALFORMED,     // DHCP replies with a bad fixed part or options
  DHCP_IGNORED,       // DHCP replies for another transaction or not expected in this state
  MN_SOLICIT_DEFERRED, // solicitations held back to keep one per second (RFC 2002 §2.4.1)
  MN_REG_DEFERRED,    // registration requests held back to keep one per second (RFC 2002 §3.6.3)
  AGENT_ADVERT_SUPPRESSED, // broadcast/multicast advertisements not sent or deferred (RFC 2002 §2.3.2)
  DROP_HA_SPOOFED_HOME_SRC, // datagrams for a binding with a home-prefix source from off the home link (RFC 2827)
  HA_REVERSE_TUNNELLED, // reverse-tunnelled datagrams decapsulated and forwarded by the home agent (RFC 3024)
  DROP_HA_REVERSE_SPOOFED, // tunnelled to the home agent: inner source bound, outer source not its care-of address
  DROP_MN_ADVERT_TUNNELLED,   // agent advertisements refused: decapsulated from a tunnel, not heard on the link
  DROP_MN_ADVERT_TTL,         // agent advertisements refused: IP TTL not 1 (RFC 2002 §2.1)
  DROP_MN_ADVERT_OFF_LINK,    // agent advertisements refused: source not on the prefix they announce
  DROP_MN_ADVERT_UNSOLICITED, // agent advertisements refused: unicast, but no solicitation of ours to answer
  MN_REVERSE_TUNNELLED,       // datagrams from the home address the mobile node tunnelled to its home agent (RFC 3024)
  DROP_FA_REPLY_SOURCE, // reply matching a pending request but not from its home agent / port 434 / relay interface
  DROP_FA_PENDING_CONFLICT, // request from another MAC with a pending request's Identification (low 32 bits)
  DROP_FA_VISITOR_EXPIRED, // datagram for a visitor whose lifetime ended before its timer was served
  FA_REVERSE_TUNNELLED, // visitor datagrams reverse-tunnelled to the home agent by the foreign agent (RFC 3024)
  // IPv4 options, reassembly and fragmentation, tunnel soft state (issue 7: stack/ip.ts, stack/reasm.ts, mobility/tunnel.ts)
  DROP_IP_OPTIONS,    // malformed IPv4 options (RFC 1122 §3.2.1.8): discarded, Parameter Problem sent
  IP_REASSEMBLED,     // datagrams for this node reassembled from their fragments (RFC 1122 §3.3.2)
  DROP_REASM_TIMEOUT, // incomplete datagrams discarded after 30 s (time exceeded sent when fragment 0 came)
  DROP_REASM_OVERLAP, // fragments overlapping another one (the whole datagram discarded) or of such a datagram
  DROP_REASM_DUPLICATE, // exact copies of a fragment already held
  DROP_REASM_TOO_BIG, // datagrams larger than board.reassemblyBytes (or 65,535 bytes): discarded
  DROP_REASM_MALFORMED, // fragments inconsistent with each other (length not a multiple of 8, past the end)
  DROP_REASM_EVICTED, // incomplete datagrams discarded to make room for a new one (the pool was full)
  DROP_REASM_NO_SLOT, // fragments refused: every slot busy, or no timer for a new datagram
  IP_FRAGMENTED,      // datagrams sent in fragments (forwarding, tunnel entry, originated; RFC 791 §3.2)
  IP_FRAGMENTS_TX,    // ... the fragments sent
  TUNNEL_ICMP_IGNORED,// ICMP errors quoting a tunnel header that matches no live binding or no datagram we send
  FLOW_HITS,          // datagrams forwarded or tunnelled by a cached flow decision (stack/flow.ts), also counted forwarded / tunnel_tx
  DROP_RO_MALFORMED,  // route-optimization messages (UDP 434 types 16-19) that do not decode, or arrive broadcast
  DROP_RO_BU_AUTH,    // Binding Updates refused: no association for their SPI, or a wrong authenticator (001 §4.3, status 131)
  DROP_RO_BU_ID,      // Binding Updates refused: Identification missing, replayed or stale (status 133)
  DROP_RO_BU_NO_ROOM, // Binding Updates refused: no binding cache on this node (status 130)
  RO_BU_ACCEPTED,     // Binding Updates accepted into the binding cache (created, refreshed or deleted an entry)
  RO_BA_TX,           // Binding Acknowledges sent
  RO_BR_TX,           // Binding Requests sent to reconfirm a cache entry in use (001 §4.3)
  RO_CACHE_TUNNELLED, // datagrams tunnelled straight to a care-of address by the binding cache (001 §3.1)
  RO_BW_TX,           // Binding Warnings sent to a home agent about a stale tunnelling node (001 §4.1, rate limited §8.3)
  RO_FORWARDED,       // tunnelled datagrams for a mobile node that moved, re-tunnelled by the binding cache (001 §3.2)
  RO_SPECIAL_TUNNEL_TX, // datagrams for a lost visitor sent by special tunnel to the home address (001 §8.2)
  HA_REGKEY_SENT,     // mobile-foreign keys given to foreign agents in registration replies (docs/decisions.md "Registration keys")
  HO_HELD,            // datagrams held at a foreign agent for a visitor whose station left its access point (issue 10.10)
  HO_RELEASED,        // held datagrams sent on: re-tunnelled after the Binding Update, or delivered when the station came back
  DROP_HO_TIMEOUT,    // held datagrams dropped: the hold time (routeOptimization.holdMs) passed first
  DROP_HO_FULL,       // datagrams for a held visitor dropped: the handoff buffer pool was full
  RO_PFAN_BU_TX,      // Binding Updates to a previous foreign agent: a new FA's for a PFAN, a mobile node's own (001 §8.1)
  FA_PFAN_DELIVERED,  // datagrams from a previous foreign agent delivered to a visitor still pending (001 §8.1)
  MN_BA_RX,           // Binding Acknowledges taken by the mobile node for its previous foreign agent's binding
  FA_REGKEY_INSTALLED, // mobile-foreign associations learnt from home agents' registration replies (docs/decisions.md "Registration keys")
  MN_REGKEY_INSTALLED, // mobile-foreign associations the mobile node derived for its foreign agent (the same key)
  RO_BU_TX,           // Binding Updates sent by the home agent (interception, requests, warnings, registrations; 001 §3.1, §4)
  RO_BU_NO_SA,        // Binding Updates not sent: no association with the node and no master key (001 §7.2)
  RO_BU_RATE_LIMITED, // Binding Updates not sent: one went to that node about that binding less than updateIntervalMs ago (001 §7.1)
  RO_BR_RX,           // Binding Requests answered (or rate limited) by the home agent (001 §4.2)
  RO_BW_RX,           // Binding Warnings taken by the home agent (001 §4.1)
  RO_BA_RX,           // Binding Acknowledges of updates sent with A (the node joins or leaves the correspondent list, 001 §7.3)
  RO_BA_IGNORED,      // Binding Acknowledges matching no update sent with A
  RO_SPECIAL_TUNNEL_RX, // special tunnels (IP in IP to a bound home address) unwrapped by the home agent (001 §8.2)
  DROP_RO_SPECIAL_LOOP, // special tunnels from a care-of address of the binding itself: never sent back there (001 §8.2)
  DROP_RO_BU_NOT_HA,  // Binding Updates refused: another home agent than the one that vouched for the cached binding (129)
  RO_BW_TARGETS_IGNORED, // Binding Warnings with more targets than the home agent serves from one warning (8)
  RO_BR_NOT_OURS,     // Binding Requests about a home address off our home networks: not answered
  DR_RT_REQUEST_RX,   // Route Requests to us (002 §5.1)
  DR_RT_REPLY_TX,     // Route Replies sent
  DROP_DR_MALFORMED,  // distributed registration messages too short or with an extension that discards them
  DROP_DR_AUTH,       // Route Requests/Replies or server registrations without the right valid authenticator (002 §5.1, §6.5)
  DROP_DR_REPLAY,     // Route Requests whose Identification is not fresh, Route Replies matching no Route Request
  DROP_DR_NO_ROOM,    // binding routes / server registrations refused: table full
  DR_COA_TUNNELLED,   // datagrams tunnelled along a binding route to a child care-of address (002 §5.2)
  DR_RT_REQUEST_TX,   // Route Requests sent by a registration server (002 §6.4), retransmissions included
  DR_RT_REPLY_RX,     // Route Replies accepted by a registration server (002 §6.5)
  DR_REG_RX,          // Registration Requests to a registration server
  DR_REG_REPLY_TX,    // Registration Replies a registration server sent (as registrar or relaying)
  DR_REG_RELAYED,     // Registration Requests a registration server relayed to a binding registrar (002 §6.3)
  DR_REG_DENIED,      // registrations a registration server denied
  DR_FA_RELAYED,      // R-bit Registration Requests a foreign agent relayed to their binding registrar (002 §7.2)
  DR_RS_TUNNELLED,    // datagrams a registration server sent to a mobile node through its local registration (replies)
  MN_DR_HOME_TX,      // mobile node: home registrations started through a registration server (002 §8.3)
  MN_DR_HOME_SKIPPED, // mobile node: local registrations whose parent the home registration in force already binds (§8.4)
  MN_DR_TRANSIT_TX,   // mobile node: transit registrations started after a 67 naming a transit server (D.2)
  MN_DR_PREV_TX,      // mobile node: transitional registrations with the previous foreign server (002 §2.7, §8.4)
  DR_DS_SOLICIT_TX,   // discovery: solicitations sent (agents for servers, servers for care-of agents; appendices A, B)
  DR_DS_ADVERT_TX,    // discovery: advertisements sent in answer (servers, care-of agents)
  DR_DS_ADVERT_RX,    // discovery: advertisements accepted (authenticated, answering our latest solicitation)
  IP6_RX,             // IPv6 packets received (issue 12)
  IP6_FORWARDED,      // IPv6 packets forwarded (router role)
  DROP_IP6_HEADER,    // not version 6, or Payload Length beyond the frame
  DROP_IP6_BAD_SRC,   // multicast or loopback source
  DROP_IP6_BAD_DST,   // unspecified or loopback destination
  DROP_IP6_NOT_MEMBER, // multicast group the interface has not joined
  DROP_IP6_EXT,       // extension header chain malformed, too long, or Hop-by-Hop not first
  DROP_IP6_OPTION,    // unrecognized option whose action bits say discard
  DROP_IP6_RH0,       // routing header refused (type 0 beyond one segment to our own address; other types)
  DROP_IP6_FRAGMENT,  // fragments for this node on a board without a reassembly pool (board.reassemblySlots 0)
  DROP_IP6_SCOPE,     // link-local source or destination not forwarded
  DROP_IP6_HOP_LIMIT, // hop limit exhausted while forwarding
  ICMP6_RX,
  ICMP6_TX_ECHO_REPLY,
  ICMP6_TX_ERROR,
  DROP_ICMP6_CHECKSUM,
  DROP_ICMP6_MALFORMED,
  IP6_FRAGMENTED,     // packets this node sent as fragments (source fragmentation)
  IP6_FRAGMENTS_TX,
  ND_RX_NS,
  ND_RX_NA,
  ND_RX_RS,
  ND_RX_RA,
  ND_RX_REDIRECT,
  ND_TX_NS,
  ND_TX_NA,
  ND_TX_RS,
  ND_TX_RA,
  ND_TX_REDIRECT,
  DROP_ND_INVALID,    // Neighbor Discovery message failing RFC 2461's validity checks (hop limit 255, options, ...)
  DROP_ND_REDIRECT,   // Redirect not from the current first-hop router for its destination
  DROP_ND_ROUTERS_FULL, // default router list full: a new router ignored
  ND_DAD_DUPLICATE,   // Duplicate Address Detection found one of our tentative addresses in use
  ND_ADDR_CONFLICT,   // another node advertised one of our (non-tentative) addresses
  SLAAC_ADDRESSES,    // addresses formed by stateless autoconfiguration
  DROP_RA_PREFIX,     // prefix option ignored (link-local, not 64 bits for autoconfiguration, lifetimes inconsistent, table full)
  AH_RX_OK,           // IPsec AH verified (ICV and replay window)
  AH_TX,              // packets sent with an AH
  DROP_AH_ICV,        // AH ICV did not verify (RFC 2402 §3.4.4)
  DROP_AH_REPLAY,     // AH sequence number 0, duplicate or left of the window (RFC 2402 §3.4.3)
  DROP_AH_NO_SA,      // AH with an SPI no SA of its source has
  DROP_AH_MALFORMED,  // AH header or the headers before it unusable
  DROP_AH_REQUIRED,   // a packet without AH from a peer whose policy requires it
  DROP_AH_OUTPUT,     // a packet to an AH peer not sent (no headroom, or the SA's counter is exhausted)
  TUN6_ENCAPSULATED,  // packets sent into an IPv6-in-IPv6 tunnel (RFC 2473)
  TUN6_DECAPSULATED,  // packets out of a tunnel, received again
  TUN6_ICMP_RELAYED,  // ICMPv6 errors about tunnel packets relayed to the inner source (RFC 2473 §8)
  DROP_TUN6_PEER,     // IPv6-in-IPv6 from a source that is no tunnel's remote end
  DROP_TUN6_INNER,    // a malformed inner packet, a tunnelled Neighbor Discovery message, or nesting too deep
  DROP_TUN6_NO_ROOM,  // no headroom for the tunnel header
  MIP6_HAO_RX,        // packets whose Home Address option was processed (seed 003 §7.1)
  MIP6_BU_RX,         // Binding Updates that passed the authentication and format tests (§7.2)
  MIP6_BU_ACCEPTED,   // Binding Updates that cached, refreshed or deleted a binding (§7.3, §7.4, §8.2, §8.3)
  MIP6_REJECTED,      // Binding Updates refused with a status of 128 or more (§7.5, §8)
  MIP6_BA_TX,         // Binding Acknowledgements sent (§7.5)
  MIP6_BR_TX,         // Binding Requests sent for bindings in use near expiry (§7.6)
  MIP6_ROUTED,        // packets sent to a mobile node by way of its care-of address (§7.9)
  MIP6_BC_UNREACH_DELETED, // bindings deleted after repeated Destination Unreachable errors (§7.8)
  DROP_MIP6_UNAUTH,   // Binding Update without AH from its home address's own security association (§7.2)
  DROP_MIP6_MALFORMED, // a Mobile IPv6 option shorter than its fixed part, or a Binding Update without Home Address
  DROP_MIP6_SEQUENCE, // Binding Update whose Sequence Number is not greater than the cached one (§7.2)
  MIP6_HA_ADVERT,     // home agent: gratuitous Neighbor Advertisements for mobile nodes' addresses (§8.2)
  MIP6_HA_TUNNELLED,  // home agent: packets intercepted for a mobile node and tunnelled to its care-of address (§8.4)
  DROP_MIP6_LINK_LOCAL, // home agent: packets to a registered mobile node's link-local address (§8.2, not tunnelled)
  MIP6_HA_RA_TUNNELLED, // home agent: Router Advertisements tunnelled to registered mobile nodes after a renumbering (§8.5)
  MIP6_MN_BU_TX,      // mobile node: Binding Updates sent to its home agent (§9.4, §9.7 retransmissions, §9.13)
  MIP6_MN_REGISTERED, // mobile node: Binding Acknowledgements accepting its registration or de-registration (§9.10)
  MIP6_MN_REFUSED,    // mobile node: Binding Acknowledgements refusing it (status 128 or more)
  DROP_MIP6_MN_BA,    // mobile node: Binding Acknowledgements not from its home agent's SA or for no update outstanding
  MIP6_MN_HAO_TX,     // mobile node: packets sent away from home with a Home Address option (§9.1)
  MIP6_MN_TUNNELLED,  // mobile node: packets sent away from home through its home agent's tunnel (issue 13.6)
  MIP6_MN_RO_BU_TX,   // mobile node: Binding Updates to correspondents that reached it through the tunnel (§9.5)
  MIP6_MN_RO_ACKED,   // mobile node: correspondents' acknowledgements: they route to it directly now (§9.5)
  MIP6_MN_BU_UNKNOWN, // mobile node: correspondents that answered a Binding Update with Parameter Problem code 2 (§9.9)
  MIP6_MN_HA_FOUND,   // mobile node: a home agent found by dynamic discovery (status 135 to the anycast address, §9.4)
  MIP6_MN_PREV_BU_TX, // mobile node: Binding Updates to the previous default router (§9.6)
  MIP6_MN_PREV_ACKED, // mobile node: ... acknowledged: it forwards to the new care-of address
  MIP6_BU_DUPLICATE, // retransmitted Binding Updates (same sequence and care-of address) acknowledged again (§9.7)
  MIP6_MN_RA_RX,      // mobile node: its home agent's tunnelled Router Advertisements, authenticated (§8.5)
  MIP6_MN_HOME_ADDED, // mobile node: home addresses formed from a new home prefix in them (§8.5)
  DROP_MIP6_MN_RA,    // mobile node: tunnelled advertisements from its home agent that failed AH, hop limit or format
  MLD6_REPORT_TX,     // Multicast Listener Reports sent for groups joined (RFC 2710 §4), on the link or through the home agent's tunnel
  MLD6_QUERY_RX,      // Multicast Listener Queries received (RFC 2710 §4)
  DROP_MLD6_MALFORMED, // MLD messages not from a link-local source with hop limit 1, short, or a Query for a non-group (RFC 2710 §3)
  MIP6_MN_MC_TUNNELLED, // mobile node: multicast from its home address and Listener Reports sent through its home agent's tunnel (§10)
  MIP6_HA_MC_QUERY_TX, // home agent: Multicast Listener Queries sent down registered mobile nodes' tunnels (§10, RFC 2710 §4)
  MIP6_HA_MC_JOINED,  // home agent: groups a registered mobile node joined through its tunnel (§10)
  MIP6_HA_MC_LEFT,    // home agent: such memberships ended (Done, no Report for the Multicast Listener Interval, binding gone)
  MIP6_HA_MC_TUNNELLED, // home agent: group packets sent down a member mobile node's tunnel (§10)
  MIP6_HA_MC_FORWARDED, // home agent: multicast a mobile node sent through its tunnel, forwarded on the home link (§10)
  DROP_MIP6_MC_UNAUTH, // home agent: tunnelled MLD messages not authenticated by the registered mobile node's own SA
  DROP_MIP6_MC_SCOPE, // home agent: tunnelled MLD or multicast for an interface- or link-local group, or its hop limit spent
  DROP_MIP6_MC_FULL,  // home agent: Reports refused for want of room in the membership table
  COUNT
}

/** Counters this image has: all, or (IPv4-only image, features.ts) those before the IPv6 ones, which
 *  come last (Why (memory): a 320 KiB microcontroller's host copies every name; ids stay the same). */
export const COUNTERS_N: i32 = !IPV6 ? <i32>C.IP6_RX : !MIP6 ? <i32>C.MIP6_HAO_RX : <i32>C.COUNT;
const counters: usize = memory.data(COUNTERS_N * 8, 8);


/**
 * Count one `id`. A call, not inline: most of the ~180 places that count are drops and rare events,
 * and an inlined increment is 16 bytes of code against 4 for the call (Why (size): the 64 KiB budget,
 * docs/decisions.md). The per-datagram paths use countHot.
 */
export function count(id: C): void {
  const p = counters + (<usize>id << 3);
  store<u64>(p, load<u64>(p) + 1);
}

/** count, inline, for the per-datagram paths (received, sent, forwarded, tunnelled). */
// @ts-ignore: decorator
@inline export function countHot(id: C): void {
  const p = counters + (<usize>id << 3);
  store<u64>(p, load<u64>(p) + 1);
}

// @ts-ignore: decorator
@inline export function countBy(id: C, n: u64): void {
  const p = counters + (<usize>id << 3);
  store<u64>(p, load<u64>(p) + n);
}

/** The value of counter `id`. */
export function countGet(id: C): u64 { return load<u64>(counters + (<usize>id << 3)); }

export function countersReset(): void { memory.fill(counters, 0, <usize>COUNTERS_N * 8); }
export function countersPtr(): usize { return counters; }
/** Decode counter `i`'s name (ASCII) into the text buffer (text.ts); its length, or -1 past the last counter. */
export function counterName(i: i32): i32 { return i < COUNTERS_N ? textLine(COUNTER_NAMES, COUNTER_NAMES_LEN, i, textBuf) : -1; }
