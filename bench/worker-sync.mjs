// What one synchronisation between worker threads costs on this machine (issue 14.10, docs/decisions.md
// "Worker threads"): the figure that decides whether spreading a simulation's boards over threads
// can pay. A deterministic split runs each partition up to the next barrier (lookahead = the smallest
// delay of a segment crossing partitions: 50 µs for the core segment of scenarios/gen-bench.mjs),
// then exchanges the frames that crossed. This bench times the barrier alone -- two threads, no frames
// -- in two forms: Atomics.wait/notify (sleeping waits) and spinning on a shared counter (the cheapest
// possible, burns both cores). It prints the median of 5 batches of 20,000 barriers each, and what
// 1.2 million barriers (one simulated minute at 50 µs lookahead) cost against the single-thread run
// times measured by bench/sim.mjs.
import { Worker, isMainThread, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";

const ROUNDS = 20000, BATCHES = 5;

// Barrier for 2 parties on an Int32Array: [0] = generation, [1] = arrived count.
function barrier(s, spin) {
  const gen = Atomics.load(s, 0);
  if (Atomics.add(s, 1, 1) === 1) {
    Atomics.store(s, 1, 0);
    Atomics.add(s, 0, 1);
    if (!spin) Atomics.notify(s, 0);
    return;
  }
  if (spin) { while (Atomics.load(s, 0) === gen); return; }
  while (Atomics.load(s, 0) === gen) Atomics.wait(s, 0, gen, 1000);
}

if (!isMainThread) {
  const { sab, spin } = workerData;
  const s = new Int32Array(sab);
  for (let b = 0; b < BATCHES; b++) for (let i = 0; i < ROUNDS; i++) barrier(s, spin);
} else {
  const { figure, heading, median } = await import("./lib.mjs");
  const perBarrier = {};
  for (const spin of [false, true]) {
    const sab = new SharedArrayBuffer(8);
    const s = new Int32Array(sab);
    const w = new Worker(new URL(import.meta.url), { workerData: { sab, spin } });
    const done = new Promise((ok, bad) => { w.on("exit", ok); w.on("error", bad); });
    const times = [];
    for (let b = 0; b < BATCHES; b++) {
      const t0 = performance.now();
      for (let i = 0; i < ROUNDS; i++) barrier(s, spin);
      times.push((performance.now() - t0) * 1000 / ROUNDS);
    }
    await done;
    perBarrier[spin ? "spin" : "wait"] = median(times);
  }
  heading("barrier between two worker threads (median of 5 x 20,000)");
  figure("Atomics.wait / notify", perBarrier.wait, "µs per barrier");
  figure("spinning", perBarrier.spin, "µs per barrier");
  heading("one simulated minute at 50 µs lookahead = 1.2 million barriers");
  for (const [k, v] of Object.entries(perBarrier)) figure(`barriers alone (${k})`, v * 1.2, "s");
  figure("single thread, 1,000 boards (bench/sim.mjs: 28x real time)", 60 / 28, "s");
  figure("single thread, 10,000 boards (bench/sim.mjs: 0.86x real time)", 60 / 0.86, "s");
}
