// Build what is out of date, and say so (issue 14 point 8): `npm start` and `npm test` run this instead
// of a silent full `npm run build` each time. Two parts, each rebuilt only when a SHA-256 over the
// contents of its inputs differs from the one recorded after its last build (build/.stamp-<part>;
// contents, not times: a git checkout touches times without changing anything).
//   firmware: assembly/**, asconfig.json, host/gen-counter-names.mjs, host/shrink.mjs, package*.json -> npm run build:wasm
//   host:     host/node/**, host/build.mjs, schema/**, boards/**, tsconfig.json, package*.json       -> npm run build:host
// Usage: node tools/ensure-build.mjs [--quiet | --record]
//   --quiet: print nothing when everything is up to date; --record: build nothing, record the current
//   inputs as built (the end of `npm run build`, which always builds everything)
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

const root = new URL("..", import.meta.url).pathname;
const quiet = process.argv.includes("--quiet");

const PARTS = [
  { name: "firmware", script: "build:wasm", what: "the firmware (AssemblyScript -> build/firmware.wasm, firmware-mcu.wasm, firmware.debug.wasm)",
    inputs: ["assembly", "asconfig.json", "host/gen-counter-names.mjs", "host/shrink.mjs", "package.json", "package-lock.json"],
    outputs: ["build/firmware.wasm", "build/firmware-mcu.wasm", "build/firmware.debug.wasm"] },
  { name: "host", script: "build:host", what: "the Node host (esbuild -> build/mipfw.cjs, build/host.mjs)",
    inputs: ["host/node", "host/build.mjs", "schema", "boards", "tsconfig.json", "package.json", "package-lock.json"],
    outputs: ["build/mipfw.cjs", "build/host.mjs"] },
];

function files(p) {
  const abs = join(root, p);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [p];
  return readdirSync(abs).sort().flatMap((n) => files(join(p, n)));
}
export function inputsHash(part) {
  const h = createHash("sha256");
  for (const f of part.inputs.flatMap(files)) h.update(f).update("\0").update(readFileSync(join(root, f))).update("\0");
  return h.digest("hex");
}
const stampOf = (part) => join(root, "build", `.stamp-${part.name}`);

if (process.argv.includes("--record")) {
  mkdirSync(join(root, "build"), { recursive: true });
  for (const part of PARTS) if (part.outputs.every((o) => existsSync(join(root, o)))) writeFileSync(stampOf(part), inputsHash(part) + "\n");
  process.exit(0);
}

let built = 0;
for (const part of PARTS) {
  const stamp = stampOf(part);
  const have = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : null;
  const missing = part.outputs.filter((o) => !existsSync(join(root, o)));
  const now = inputsHash(part);
  if (missing.length === 0 && have === now) continue;
  const why = missing.length ? `${missing.join(", ")} missing` : have === null ? "no record of the last build" : "sources changed since the last build";
  process.stderr.write(`[build] ${part.what}: ${why}; npm run ${part.script} ...\n`);
  const t0 = performance.now();
  // The script's steps one by one (package.json stays the one place that says what they are), each
  // announced: the firmware's six steps take ~40 s together.
  const steps = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts[part.script].split(" && ");
  const env = { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` };
  steps.forEach((cmd, i) => {
    if (steps.length > 1) process.stderr.write(`[build]   ${i + 1}/${steps.length} ${cmd}\n`);
    const r = spawnSync("sh", ["-c", cmd], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) { process.stderr.write(`[build] ${cmd} failed (exit ${r.status})\n`); process.exit(1); }
  });
  mkdirSync(join(root, "build"), { recursive: true });
  writeFileSync(stamp, inputsHash(part) + "\n"); // after the build: it regenerates assembly/counter-names.ts
  process.stderr.write(`[build] ${part.name} built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  built++;
}
if (!built && !quiet) process.stderr.write("[build] up to date (firmware and Node host): nothing rebuilt\n");
