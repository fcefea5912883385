// Names a person reads instead of numbers (issue 14 point 4): Registration Reply codes as Wireshark's
// mip dissector names them (RFC 2002/3344, value string of the field mip.code), Mobile IPv6 Binding
// Acknowledgement statuses and route-optimization Binding Acknowledge statuses as the seeds number them
// (SPEC-DECISIONS; docs/decisions.md "Names, not numbers"), and which drop counters are normal outcomes.

/** Registration Reply codes, text of Wireshark's mip.code (tshark -G values). */
export const REG_REPLY_CODES: Record<number, string> = {
  0: "Reg Accepted",
  1: "Reg Accepted, but Simultaneous Bindings Unsupported",
  64: "Reg Deny (FA)- Unspecified Reason",
  65: "Reg Deny (FA)- Administratively Prohibited",
  66: "Reg Deny (FA)- Insufficient Resources",
  67: "Reg Deny (FA)- MN Failed Authentication",
  68: "Reg Deny (FA)- HA Failed Authentication",
  69: "Reg Deny (FA)- Requested Lifetime too Long",
  70: "Reg Deny (FA)- Poorly Formed Request",
  71: "Reg Deny (FA)- Poorly Formed Reply",
  72: "Reg Deny (FA)- Requested Encapsulation Unavailable",
  73: "Reg Deny (FA)- VJ Compression Unavailable",
  74: "Reg Deny (FA)- Requested Reverse Tunnel Unavailable",
  75: "Reg Deny (FA)- Reverse Tunnel Is Mandatory and 'T' Bit Not Set",
  76: "Reg Deny (FA)- Mobile Node Too Distant",
  77: "Reg Deny (FA)- Invalid Care-of Address",
  78: "Reg Deny (FA)- Registration Timeout",
  79: "Reg Deny (FA)- Delivery Style Not Supported",
  80: "Reg Deny (FA)- Home Network Unreachable",
  81: "Reg Deny (FA)- HA Host Unreachable",
  82: "Reg Deny (FA)- HA Port Unreachable",
  88: "Reg Deny (FA)- HA Unreachable",
  89: "Reg Deny (FA)- Vendor-specific Reason",
  90: "Reg Deny (FA)- Non-zero HA Address Required",
  96: "Reg Deny (FA)(NAI) - Non-zero Home Address Required",
  97: "Reg Deny (FA)(NAI) - Missing NAI",
  98: "Reg Deny (FA)(NAI) - Missing Home Agent",
  99: "Reg Deny (FA)(NAI) - Missing Home Address",
  100: "Reg Deny (FA)- Unable to Interpret CVSE Sent by MN",
  101: "Reg Deny (FA)- Unable to Interpret CVSE Sent by HA",
  104: "Reg Deny (FA)- Unknown Challenge",
  105: "Reg Deny (FA)- Missing Challenge",
  106: "Reg Deny (FA)- Stale Challenge",
  107: "Reg Deny (FA)- Missing MN-FA Key Generation Nonce Reply Extension",
  108: "Reg Deny (FA)- MN Failed AAA Authentication",
  109: "Reg Deny (FA)- HA Sent Wrong Challenge in Reply",
  127: "Reg Deny (FA)- Error Code for Experimental Use",
  128: "Reg Deny (HA)- Unspecified",
  129: "Reg Deny (HA)- Administratively Prohibited",
  130: "Reg Deny (HA)- Insufficient Resources",
  131: "Reg Deny (HA)- MN Failed Authentication",
  132: "Reg Deny (HA)- FA Failed Authentication",
  133: "Reg Deny (HA)- Registration ID Mismatch",
  134: "Reg Deny (HA)- Poorly Formed Request",
  135: "Reg Deny (HA)- Too Many Simultaneous Bindings",
  136: "Reg Deny (HA)- Unknown HA Address",
  137: "Reg Deny (HA)- Requested Reverse Tunnel Unavailable",
  138: "Reg Deny (HA)- Reverse Tunnel Is Mandatory and 'T' Bit Not Set",
  139: "Reg Deny (HA)- Requested Encapsulation Unavailable",
  140: "Reg Deny (HA)- Unable to Interpret CVSE Sent by MN",
  141: "Reg Deny (HA)- Unable to Interpret CVSE Sent by FA",
  142: "Reg Deny (HA)- UDP Encapsulation Unavailable",
  143: "Reg Deny (HA)- Register with Redirected HA",
  144: "Reg Deny (HA)- MN Failed AAA Authentication",
  149: "Reg Deny (HA)- PMIP_UNSUPPORTED",
  150: "Reg Deny (HA)- PMIP_DISALLOWED",
  192: "Reg Deny (HA)- Error Code for Experimental Use",
};

/**
 * Mobile IPv6 Binding Acknowledgement status as seed 003 numbers it (SPEC-DECISIONS). RFC 6275, which
 * Wireshark decodes, numbers 129-136 differently (129 is "Administratively prohibited" there): these
 * names follow the firmware's numbering, with Wireshark's wording where the meaning is the same.
 */
export const BA6_STATUS: Record<number, string> = {
  0: "Binding Update accepted",
  128: "Reason unspecified",
  129: "Poorly formed Binding Update",
  130: "Administratively prohibited",
  131: "Insufficient resources",
  132: "Home registration not supported",
  133: "Not home subnet",
  134: "Sequence number too small",
  135: "Dynamic home agent discovery response",
  136: "Incorrect interface identifier length",
};

/** Route-optimization Binding Acknowledge status (draft 001 §4.4, SPEC-DECISIONS). */
export const RO_BA_STATUS: Record<number, string> = {
  0: "Binding Update accepted",
  128: "Reason unspecified",
  129: "Administratively prohibited",
  130: "Insufficient resources",
  131: "Sending node failed authentication",
  133: "Identification mismatch",
  134: "Poorly formed Binding Update",
};

/** A Registration Reply code's name; unknown codes as "code N". */
export function replyCodeName(code: number): string { return REG_REPLY_CODES[code] ?? `code ${code}`; }
/** A Mobile IPv6 Binding Acknowledgement status's name (seed 003). */
export function ba6StatusName(status: number): string { return BA6_STATUS[status] ?? (status < 128 ? `accepted (status ${status})` : `status ${status}`); }
/** A route-optimization Binding Acknowledge status's name (seed 001). */
export function roStatusName(status: number): string { return RO_BA_STATUS[status] ?? `status ${status}`; }
/** "131 Reg Deny (HA)- MN Failed Authentication": the number (for searching logs and RFCs) and the name. */
export function codeLabel(code: number, v6 = false): string { return `${code} ${v6 ? ba6StatusName(code) : replyCodeName(code)}`; }

/**
 * Drop counters that count normal outcomes, not failures: a shared segment hands every frame to every
 * interface, so unicast frames for other MACs (not_for_us), multicast for groups not joined
 * (ip6_not_member) and EtherTypes a node does not speak (ethertype) are ignored by design. The summary
 * shows them apart ("ignored (normal)") from the drops that mean something went wrong.
 */
export const IGNORED_DROPS: ReadonlySet<string> = new Set(["drop_not_for_us", "drop_ip6_not_member", "drop_ethertype"]);
