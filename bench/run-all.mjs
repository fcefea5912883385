// `npm run bench`: every benchmark in turn. Figures, not pass/fail; medians of several rounds.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

spawnSync(process.execPath, ["bench/build-core.mjs"], { stdio: "inherit" });
const only = process.argv.slice(2);
const all = ["size", "checksum", "packet", "ipv6", "mip", "handoff", "ro", "sim", "fuzz", "wasm3", "mcu"];
for (const name of only.length ? only : all) {
  const file = `bench/${name}.mjs`;
  if (!existsSync(file)) { console.log(`\n(${file} missing)`); continue; }
  const r = spawnSync(process.execPath, [file], { stdio: "inherit" });
  if (r.status !== 0) console.log(`${file} exited ${r.status}`);
}
