// Compile bench/core/index.ts (release settings of the firmware) to build/bench-core.wasm.
import { execFileSync } from "node:child_process";
execFileSync("npx", ["--no-install", "asc", "bench/core/index.ts", "--config", "bench/core/asconfig.json", "-o", "build/bench-core.wasm"],
  { stdio: "inherit", env: { ...process.env, npm_config_loglevel: "error" } });
