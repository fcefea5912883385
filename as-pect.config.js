// as-pect configuration for the core's unit specs (test/assembly/*.spec.ts).
// The specs run under as-pect's own runtime; the core's `host` imports are faked here and record
// what the core sent so specs can inspect it through the exported helpers in test/assembly/fakehost.ts.
export default {
  entries: ["test/assembly/**/*.spec.ts"],
  include: ["test/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const state = { now: 0n, rand: 0x12345678 };
    const host = {
      tx: () => {},
      deliver: () => {},
      now_ms: () => state.now,
      random: (ptr, len) => {
        const m = new Uint8Array(memory.buffer);
        for (let i = 0; i < len; i++) { state.rand = (Math.imul(state.rand, 1103515245) + 12345) >>> 0; m[ptr + i] = state.rand >>> 24; }
      },
      log: () => {},
      event: () => {},
    };
    return instantiate(binary, createImports({ env: { memory }, host }));
  },
  outputBinary: false,
};
