// Agent Advertisement and Solicitation, agent side (RFC 2002 §2): foreign and home agents advertise
// periodically on interfaces flagged IF_ADVERTISE and answer Agent Solicitations.
// STUB: to be implemented.

/** Timer kinds of this module on the stack timer heap (stack range 0x0001-0x00ff). */
export const TK_AGENT_FIRST: u16 = 0x0010;
export const TK_AGENT_LAST: u16 = 0x001f;

export function agentInit(): bool { return true; }
export function agentStart(): void {}
export function agentIcmp(iface: i32, p: usize, len: i32): i32 { return -1; }
export function agentTimer(kind: u16, tag: u32, now: i64): void {}
