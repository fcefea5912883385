// Robustness: seeded mutations of valid frames plus random bytes through rx() and output() never
// trap, never move memory, keep counting, and leave the board working. The stateful, invariant-checking
// fuzzing of the Mobile IP roles is fuzz-invariants.test.mjs (docs/fuzzing.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard, host } from "./helpers.mjs";
import { routerJson, validFrames, mutate, rng, A_MAC, R_MAC0, A_IP, R_IP0 } from "../lib/traffic.mjs";

const FRAMES = Number(process.env.MIPFW_FUZZ_FRAMES ?? 20000);

for (const seed of [1, 2]) {
  test(`fuzz seed ${seed}: ${FRAMES} frames through rx and output without a trap`, () => {
    let t = 1000;
    const { board, cap } = startBoard(routerJson, { now: () => t });
    const heap0 = board.heapUsed(), bytes0 = board.memoryBytes();
    const r = rng(seed);
    const frames = validFrames();
    for (let i = 0; i < FRAMES; i++) {
      const [iface, f] = mutate(r, frames);
      try {
        board.rx(iface, f);
        if (i % 4 === 0) board.output(f.subarray(Math.min(14, f.length)));
        if (i % 97 === 0) board.link(r.int(3), r.int(4) !== 0);
      } catch (e) {
        assert.fail(`trap on frame ${i} (iface ${iface}, ${Buffer.from(f).toString("hex")}): ${e}`);
      }
      t += r.int(30);
      if (i % 16 === 0) board.tick(t);
    }
    for (let i = 0; i < 3; i++) board.link(i, true);
    assert.equal(board.heapUsed(), heap0);
    assert.equal(board.memoryBytes(), bytes0);
    const c = board.counters();
    assert.equal(c.rx_frames, FRAMES);
    const drops = Object.entries(c).filter(([k]) => k.startsWith("drop_")).reduce((n, [, v]) => n + v, 0);
    assert.ok(drops > FRAMES / 4, `only ${drops} drops counted`);
    // the board still answers a ping
    cap.tx.length = 0;
    board.rx(0, host.arpFrame(2, A_MAC, A_IP, R_MAC0, R_IP0, R_MAC0));
    board.rx(0, host.ethFrame(R_MAC0, A_MAC, 0x0800, host.buildEchoRequest(A_IP, R_IP0, 99, 5, new Uint8Array(8))));
    const reply = cap.tx.find(({ frame }) => frame[12] === 8 && frame[23] === 1 && frame[34] === 0);
    assert.ok(reply, "no echo reply after fuzzing");
  });
}

test("fuzz the Mobile IP roles: mutated real traffic (advertisements, registrations, tunnels, DHCP) into home agent, foreign agent and mobile node", async () => {
  const { mipCorpus } = await import("../lib/mipcorpus.mjs");
  const corpus = mipCorpus();
  const roles = new Set();
  let fed = 0;
  for (const [name, cfg] of corpus.configs) {
    if (!cfg.roles.some((r) => r === "home-agent" || r === "foreign-agent" || r === "mobile-node")) continue;
    cfg.roles.forEach((r) => roles.add(r));
    let t = 1000;
    const r = rng(name.length * 7919 + 1);
    // The board's random hook is seeded too (never a constant): nonces and Identifications vary, runs repeat.
    const rnd = rng(name.length * 104729 + 3);
    const board = new host.Board((await import("./helpers.mjs")).firmware, cfg, {
      now: () => t, tx() {}, deliver() {}, random: (b) => { for (let i = 0; i < b.length; i++) b[i] = rnd.next() & 255; },
    });
    board.init();
    const heap0 = board.heapUsed(), bytes0 = board.memoryBytes();
    const nIf = cfg.interfaces.length;
    const frames = corpus.frames.map((f, i) => [i % nIf, f]);
    const N = Math.ceil(FRAMES / 4);
    for (let i = 0; i < N; i++) {
      const [iface, f] = i % 5 === 0 ? [r.int(nIf), frames[r.int(frames.length)][1]] : mutate(r, frames);
      try {
        board.rx(iface, f);
        if (i % 7 === 0) board.output(f.subarray(Math.min(14, f.length)));
        if (i % 211 === 0) board.link(r.int(nIf), r.int(3) !== 0, r.bytes(6));
      } catch (e) {
        assert.fail(`${name}: trap on frame ${i} (iface ${iface}, ${Buffer.from(f).toString("hex")}): ${e}`);
      }
      t += r.int(400);
      if (i % 8 === 0) board.tick(t);
    }
    fed += N;
    assert.equal(board.heapUsed(), heap0, name);
    assert.equal(board.memoryBytes(), bytes0, name);
    assert.equal(board.counters().rx_frames, N, name);
  }
  for (const r of ["home-agent", "foreign-agent", "mobile-node"]) assert.ok(roles.has(r), `no ${r} in the corpus`);
  for (const k of ["icmp9", "icmp10", "udp434:1", "udp434:3", "ip4", "ip47", "ip55", "udp67:1", "udp68:2"]) assert.ok(corpus.kinds.includes(k), `no ${k} frames`);
  assert.ok(fed >= FRAMES, `${fed} frames`);
});
