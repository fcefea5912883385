// Same-run comparison against an earlier commit: builds REV in a temporary git worktree, then runs
// one benchmark file (default bench/mip.mjs: registrations/s, encapsulation ns/packet, binding lookup,
// FA decapsulation) alternately in both trees, ROUNDS times each, and prints for every figure the
// median of each side and the ratio now/then. Alternating runs share the machine's noise, so the
// ratio is what to read (figures on these shared machines move 2-5x between machines).
//
//   node bench/compare.mjs [REV=HEAD~1] [--bench mip|packet|...] [--rounds 5]
//
// Needs git and the project's node_modules (symlinked into the worktree). The worktree is removed
// at the end.
import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync, rmSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); if (i < 0) return def; const v = args[i + 1]; args.splice(i, 2); return v; };
const bench = opt("--bench", "mip");
const rounds = Number(opt("--rounds", "5"));
const rev = args[0] ?? "HEAD~1";
const root = resolve(".");

const sh = (cmd, a, cwd) => {
  const r = spawnSync(cmd, a, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${a.join(" ")} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

const then = mkdtempSync(join(tmpdir(), "mipfw-compare-"));
const sha = sh("git", ["rev-parse", "--short", rev], root).trim();
const head = sh("git", ["rev-parse", "--short", "HEAD"], root).trim();
sh("git", ["worktree", "add", "--detach", then, rev], root);
try {
  symlinkSync(join(root, "node_modules"), join(then, "node_modules"));
  console.log(`building ${sha} in ${then} and the working tree (${head}+) ...`);
  for (const dir of [then, root]) sh("npm", ["run", "-s", "build"], dir);
  const file = `bench/${bench}.mjs`;
  if (!existsSync(join(then, file))) throw new Error(`${file} does not exist at ${sha}`);

  /** figure name -> { then: [], now: [], unit } */
  const figs = new Map();
  const parse = (out, side) => {
    let section = "";
    for (const line of out.split("\n")) {
      if (line.startsWith("## ")) { section = line.slice(3).split("(")[0].trim(); continue; }
      // figure(): name padded to 52, value padded to 12, unit
      const m = /^(.{52}) +(-?[0-9.]+) (\S+)/.exec(line);
      if (!m) continue;
      const key = `${section} | ${m[1].trim()}`;
      if (!figs.has(key)) figs.set(key, { then: [], now: [], unit: m[3] });
      figs.get(key)[side].push(Number(m[2]));
    }
  };
  for (let r = 0; r < rounds; r++) {
    for (const [dir, side] of r % 2 ? [[root, "now"], [then, "then"]] : [[then, "then"], [root, "now"]]) {
      parse(sh(process.execPath, [file], dir), side);
    }
    process.stdout.write(`round ${r + 1}/${rounds}\r`);
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  console.log(`\n${bench}: medians of ${rounds} alternating runs; ratio = now (${head}+) / then (${sha})`);
  console.log(`${"figure".padEnd(90)} ${"then".padStart(12)} ${"now".padStart(12)}  ratio`);
  for (const [k, f] of figs) {
    if (!f.then.length || !f.now.length) { console.log(`${k.padEnd(90)} (only ${f.then.length ? "then" : "now"})`); continue; }
    const a = med(f.then), b = med(f.now);
    console.log(`${k.slice(0, 90).padEnd(90)} ${a.toFixed(1).padStart(12)} ${b.toFixed(1).padStart(12)}  ${(b / a).toFixed(3)} ${f.unit}`);
  }
} finally {
  sh("git", ["worktree", "remove", "--force", then], root);
  rmSync(then, { recursive: true, force: true });
}
