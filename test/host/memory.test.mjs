// Fixed memory: heap use and memory size do not move after init while 10,000 frames of mixed
// traffic (valid and malformed) are processed; the traffic really exercised the stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBoard } from "./helpers.mjs";
import { routerJson, validFrames, mutate, rng } from "../lib/traffic.mjs";

test("heap and memory are constant across 10,000 mixed frames", () => {
  let t = 0;
  const { board, cap } = startBoard(routerJson, { now: () => t });
  const heap0 = board.heapUsed(), pages0 = board.memoryPages(), bytes0 = board.memoryBytes();
  const frames = validFrames();
  const r = rng(42);
  for (let i = 0; i < 10000; i++) {
    const [iface, f] = i % 3 === 2 ? mutate(r, frames) : frames[i % frames.length];
    board.rx(iface, f);
    if (i % 50 === 0) board.output(frames[3][1].subarray(14));
    t += 1 + r.int(20);
    if (i % 10 === 0) board.tick(t);
  }
  assert.equal(board.heapUsed(), heap0);
  assert.equal(board.memoryPages(), pages0);
  assert.equal(board.memoryBytes(), bytes0);
  const c = board.counters();
  assert.equal(c.rx_frames, 10000);
  assert.ok(c.forwarded > 1000, `forwarded ${c.forwarded}`);
  assert.ok(c.icmp_tx_echo_reply > 100, `echo replies ${c.icmp_tx_echo_reply}`);
  assert.ok(c.arp_tx_reply > 100, `ARP replies ${c.arp_tx_reply}`);
  assert.ok(cap.tx.length > 1000);
  assert.ok(cap.delivered.length > 0);
});
