// Benchmark helpers: medians over rounds, printed as figures (not pass/fail).
import { performance } from "node:perf_hooks";

/**
 * Time `fn(n)` which performs `n` operations; run `rounds` rounds after a warm-up and return
 * { median, min, max } in ns per operation.
 */
export function measure(fn, { n = 10000, rounds = 9, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) fn(n);
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn(n);
    per.push(((performance.now() - t0) * 1e6) / n);
  }
  per.sort((a, b) => a - b);
  return { median: per[per.length >> 1], min: per[0], max: per[per.length - 1] };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Print one figure line: name, value, unit, and an optional target note. */
export function figure(name, value, unit, note = "") {
  const v = typeof value === "number" ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : String(value);
  console.log(`${name.padEnd(52)} ${v.padStart(12)} ${unit.padEnd(14)} ${note}`);
}

export function heading(text) { console.log(`\n## ${text}`); }
