// Release build, second step: Binaryen's size optimizer over what asc emitted (decision "-Oz after
// asc", docs/decisions.md). asc writes build/firmware.asc.wasm with a name section; wasm-opt -Oz keeps
// the names (-g) for build/firmware.wat (bench/opprofile.mjs names functions from it) and then strips
// them from build/firmware.wasm, the module that ships (build/firmware.named.wasm keeps them for bench/size.mjs). Same passes either way, so the .wat and the
// shipped module have the same functions in the same order.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { stripFunctionObjects } from "./fnobjects.mjs";

const features = ["--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals"];
// wasm-opt is Binaryen 132 (devDependency `binaryen`), newer than the 112 asc 0.27 carries: the same
// passes give 150-230 bytes less at the same instruction counts (docs/decisions.md "Binaryen 132").
const wasmOpt = (...args) => execFileSync("npx", ["--no-install", "wasm-opt", ...features, ...args], { stdio: "inherit" });
// `node host/shrink.mjs [name]`: build/<name>.asc.wasm -> build/<name>.wasm (+ .wat); name "firmware" by
// default, "firmware-mcu" for the IPv4-only image (asconfig.json target "mcu", assembly/features.ts).
const name = process.argv[2] ?? "firmware";
// --reorder-functions after -Oz: the most-called functions get the lowest indices, so most `call`s
// take a one-byte index (-468 B; code unchanged otherwise).
wasmOpt(`build/${name}.asc.wasm`, "-Oz", "--converge", "--reorder-functions", "-g", "-o", `build/${name}.named.wasm`);
// Function objects keep only the word that is read (host/fnobjects.mjs; -1.4 KB).
writeFileSync(`build/${name}.named.wasm`, stripFunctionObjects(readFileSync(`build/${name}.named.wasm`)).wasm);
writeFileSync(`build/${name}.wat`, execFileSync("npx", ["--no-install", "wasm-opt", ...features, `build/${name}.named.wasm`, "--print"], { maxBuffer: 1 << 28 }));
wasmOpt(`build/${name}.named.wasm`, "--strip-debug", "--strip-producers", "-o", `build/${name}.wasm`);
rmSync(`build/${name}.asc.wasm`);
// build/<name>.named.wasm stays: bench/size.mjs reads function sizes and names from it.
