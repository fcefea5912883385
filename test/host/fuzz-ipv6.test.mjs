// Issue 12.9: invariant fuzzing of IPv6 input (test/lib/ip6fuzz.mjs): extension header chains, options
// of every action class, fragments, AH, Neighbor Discovery with options of length 0, Router
// Advertisements with many prefixes of any length, and byte mutations, into an autoconfigured host and
// its router. No trap, heap fixed, tables within capacity, no address from a non-64-bit prefix, no
// cached link-layer address replaced by an advertisement without Override, no router from anything but
// a valid Router Advertisement. MIPFW_FUZZ6_FRAMES (default 30000), MIPFW_FUZZ6_SEED (1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzIpv6, INVARIANTS, describe, makeWorld, neighbours, rng } from "../lib/ip6fuzz.mjs";
import { ip6, icmp6Packet, eth } from "../lib/ip6.mjs";
import { host } from "./helpers.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ6_FRAMES ?? 30000);
const SEED = Number(process.env.MIPFW_FUZZ6_SEED ?? 1);

const run = fuzzIpv6(FRAMES, SEED);

test(`IPv6 fuzz: ${FRAMES} frames, seed ${SEED}: no trap`, (t) => {
  t.diagnostic(JSON.stringify(run.stats));
  assert.equal(run.stats.traps, 0, describe(run.violations));
  assert.equal(run.stats.frames, FRAMES);
  assert.ok(run.stats.nd > FRAMES / 3 && run.stats.ext > FRAMES / 4 && run.stats.mutated > FRAMES / 8, "the mix reached every kind of frame");
  // The frames reached the code they aim at, not just the first check.
  const sum = (k) => run.world.h.board.counters()[k] + run.world.r.board.counters()[k];
  const seen = Object.fromEntries(["nd_rx_ra", "nd_rx_ns", "nd_rx_na", "nd_rx_rs", "nd_rx_redirect", "drop_nd_invalid", "drop_ip6_ext", "drop_ip6_option",
    "drop_ip6_rh0", "drop_reasm_malformed", "icmp6_tx_error", "icmp6_tx_echo_reply", "drop_ra_prefix", "drop_icmp6_checksum", "ip6_forwarded"].map((k) => [k, sum(k)]));
  t.diagnostic(JSON.stringify(seen));
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `${k} never reached`);
});

for (const inv of Object.keys(INVARIANTS)) {
  test(`IPv6 fuzz invariant ${inv}: ${INVARIANTS[inv]}`, () => {
    const v = run.violations.filter((x) => x.inv === inv);
    assert.equal(v.length, 0, describe(v));
  });
}

test("the override check can fail: a change of a cached address by a frame it does not allow is reported", () => {
  // A direct check of the oracle: a host whose router entry is replaced by an NA with Override is
  // allowed; the same replacement seen after an NA without Override would be a violation.
  const w = makeWorld();
  const before = neighbours(w.h.board);
  const rll = [...before.keys()].find((k) => k.includes("fe80::ff:fe00:101"));
  assert.ok(rll, "the host has the router's entry");
  const forged = host.parseMac("02:66:66:66:66:66");
  const body = new Uint8Array(24); body.set(ip6("fe80::ff:fe00:101"), 0); body.set([2, 1], 16); body.set(forged, 18);
  w.h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), forged, 0x86dd, icmp6Packet(ip6("fe80::ff:fe00:101"), ip6("ff02::1"), 136, 0, Uint8Array.of(0x80, 0, 0, 0), body, 255)));
  assert.equal(neighbours(w.h.board).get(rll).mac, before.get(rll).mac, "without Override: unchanged");
  w.h.board.rx(0, eth(host.parseMac("33:33:00:00:00:01"), forged, 0x86dd, icmp6Packet(ip6("fe80::ff:fe00:101"), ip6("ff02::1"), 136, 0, Uint8Array.of(0xa0, 0, 0, 0), body, 255)));
  assert.equal(neighbours(w.h.board).get(rll).mac, "02:66:66:66:66:66", "with Override: replaced");
  void rng;
});
