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

// mobility/roles.ts keeps its registrations as data with every table and function-object address in 16
// bits (and R_ conditions in a function address's low 4 bits: AssemblyScript places static objects on
// 16-byte boundaries): that holds only while static data ends below 64 KiB.
test("static data ends below 64 KiB in both images (roles.ts stores its addresses as u16)", async () => {
  const { readFileSync } = await import("node:fs");
  for (const file of ["build/firmware.wasm", "build/firmware-mcu.wasm"]) {
    const module = new WebAssembly.Module(readFileSync(file));
    const { board } = startBoard(routerJson, { module });
    const end = board.x.static_bytes();
    assert.ok(end > 0 && end < 65536, `${file}: static data ends at ${end}, expected below 65,536`);
  }
});
