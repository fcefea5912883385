// Internet checksum speed inside the core (bench/core build, same optimisation as the firmware).
import { readFileSync } from "node:fs";
import { measure, figure, heading } from "./lib.mjs";

const m = new WebAssembly.Instance(new WebAssembly.Module(readFileSync("build/bench-core.wasm")), {}).exports;
m.fill(1);
heading("checksum (RFC 1071) in the core");
for (const len of [20, 64, 1400]) {
  const r = measure((n) => m.benchChecksum(len, n), { n: 200000 });
  figure(`checksum ${len} bytes`, r.median, "ns/op", `(${(len / r.median).toFixed(2)} bytes/ns)`);
}
