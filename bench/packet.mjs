// Per-frame cost of the core's packet paths under Node, measured through the Board class (the
// copy into the rx buffer and the copy handed to tx are included, as in every real host).
import { measure, figure, heading } from "./lib.mjs";
import { startBoard, router } from "./setup.mjs";

// both neighbours resolved first
const r = startBoard(router.config(), router.setup(), 1000);
const board = r.board;

heading("IPv4 paths under Node (median of 9 rounds)");
const fwd = router.forward(1372);
const before = board.counters().forwarded;
const rf = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, fwd); }, { n: 50000 });
const forwarded = board.counters().forwarded - before;
figure("IPv4 forwarding, 1400-byte packet (1414-byte frame)", rf.median, "ns/frame", `target <= 500; ${forwarded} forwarded`);

const echo = router.echo();
const re = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, echo); }, { n: 50000 });
figure("ICMP echo request -> reply, 84-byte packet", re.median, "ns/frame");

const small = router.forward(36);
const rs = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, small); }, { n: 50000 });
figure("IPv4 forwarding, 64-byte packet", rs.median, "ns/frame");

const out = router.localOut();
const ro = measure((n) => { for (let i = 0; i < n; i++) board.output(out); }, { n: 50000 });
figure("local output, 1400-byte packet", ro.median, "ns/packet");

const bad = fwd.slice(); bad[24] ^= 0xff; // broken IPv4 header checksum
const rb = measure((n) => { for (let i = 0; i < n; i++) board.rx(0, bad); }, { n: 50000 });
figure("malformed frame dropped (bad IPv4 checksum)", rb.median, "ns/frame");
if (r.tx() === 0) console.log("warning: nothing was transmitted");
