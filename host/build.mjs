// Bundle the Node host with esbuild: the `mipfw` CLI (CommonJS, one file) and an ES module library
// that tests, benchmarks and tools import. The firmware is loaded from build/firmware.wasm at run time.
import { build } from "esbuild";

const common = { bundle: true, platform: "node", target: "node20", sourcemap: true, logLevel: "warning" };
await Promise.all([
  build({ ...common, entryPoints: ["host/node/cli.ts"], outfile: "build/mipfw.cjs", format: "cjs", banner: { js: "#!/usr/bin/env node" } }),
  build({ ...common, entryPoints: ["host/node/index.ts"], outfile: "build/host.mjs", format: "esm" }),
]);
