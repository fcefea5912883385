// Readable validation problems for the command line (issue 14 point 7): "did you mean" for a misspelt
// field or name, and list items by their name instead of only their index. Applied where problems are
// printed, not in validateConfig/validateScenario: their problem texts are the same in mipfw-board
// (test/host/wasm3-config.test.mjs compares them byte for byte).

/** Levenshtein distance (small strings: field and node names). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = t;
    }
  }
  return prev[b.length];
}

/** The candidate closest to `word` when it is close enough to be a typo (case-insensitive first), else null. */
export function closest(word: string, candidates: string[]): string | null {
  const lower = word.toLowerCase();
  const same = candidates.find((c) => c.toLowerCase() === lower);
  if (same !== undefined && same !== word) return same;
  let best: string | null = null, bestD = Infinity;
  for (const c of candidates) {
    if (c === word) return null;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  return best !== null && bestD <= Math.max(1, Math.min(3, Math.floor(word.length / 3))) ? best : null;
}

/**
 * `problems` (as validateConfig/validateScenario report them, "path: expected E, got G") made easier to
 * act on: each list index whose item in `raw` has a string "name" shows it (`nodes[2 "mn"]`), and a got
 * value that is a near miss of a word the expected text lists gets `(did you mean "x"?)`.
 */
export function explainProblems(problems: string[], raw: unknown): string[] {
  return problems.map((p) => {
    const m = /^([^:\s]+): expected (.*), got (.*)$/s.exec(p);
    if (!m) return p;
    const [, path, expected, got] = m;
    let hint = "";
    const g = /^"([^"]+)"$/.exec(got);
    if (g) {
      // The words the expected text lists: "one of the fields a, b, c", "one of x, y", "a node name (ha, fa1)".
      const words = expected.match(/[A-Za-z_][A-Za-z0-9_.:-]*/g) ?? [];
      const c = closest(g[1], [...new Set(words)].filter((w) => w.length > 1));
      if (c !== null) hint = ` (did you mean "${c}"?)`;
    }
    return `${namedPath(path, raw)}: expected ${expected}, got ${got}${hint}`;
  });
}

/** `path` with the name beside each index whose item has one; `raw` holds the document under the path's root word ({ scenario: ... }). */
export function namedPath(path: string, raw: unknown): string {
  const tokens = path.match(/\.[^.[]+|\[\d+\]|^[^.[]+/g);
  if (!tokens) return path;
  let node: unknown = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[tokens[0]] : undefined;
  let out = tokens[0];
  for (const t of tokens.slice(1)) {
    if (t.startsWith("[")) {
      const i = Number(t.slice(1, -1));
      node = Array.isArray(node) ? node[i] : undefined;
      const name = node && typeof node === "object" ? (node as Record<string, unknown>).name : undefined;
      out += typeof name === "string" ? `[${i} ${JSON.stringify(name)}]` : t;
    } else {
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[t.slice(1)] : undefined;
      out += t;
    }
  }
  return out;
}
