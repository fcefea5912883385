// Fixed memory: one arena carved out during `init`, never freed, never grown afterwards.
// The core never uses `new`; every table and buffer is a region of this arena (DESIGN.md §4).
// A check in test/host proves the debug build contains no runtime allocator call.

const ALIGN: usize = 16;

let arenaBase: usize = 0;
let arenaTop: usize = 0;
let arenaLimit: usize = 0; // bytes of linear memory the board may use (memoryPages << 16)
let sealed = false;
let wanted: usize = 0;     // bytes asked for, including requests that did not fit
let failed = false;

/** Reset the arena to just above the static data, with a budget of `pages` 64 KiB pages in total. */
export function arenaReset(pages: i32): void {
  arenaBase = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
  arenaTop = arenaBase;
  arenaLimit = <usize>pages << 16;
  sealed = false;
  wanted = 0;
  failed = false;
}

/** Carve `size` zeroed bytes, 16-aligned; returns 0 when the budget is exhausted or the arena is sealed. */
export function arenaAlloc(size: usize): usize {
  if (sealed) return 0;
  const rounded = (size + ALIGN - 1) & ~(ALIGN - 1);
  wanted += rounded;
  const ptr = arenaTop;
  const end = ptr + rounded;
  if (failed || end > arenaLimit || end < ptr) { failed = true; return 0; }
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const need = <i32>((end - have + 0xffff) >>> 16);
    if (memory.grow(need) < 0) { failed = true; return 0; }
  }
  memory.fill(ptr, 0, end - ptr);
  arenaTop = end;
  return ptr;
}

/** True when some request did not fit the budget since the last reset. */
export function arenaFailed(): bool { return failed; }

/** Pages the requests since the last reset would need in total (static data included). */
export function arenaPagesWanted(): i32 { return <i32>((arenaBase + wanted + 0xffff) >>> 16); }

/** After init: no further carving. */
export function arenaSeal(): void { sealed = true; }

/** Bytes carved so far above the static data. */
export function arenaUsed(): usize { return arenaTop - arenaBase; }

/** Bytes of static data (the module's data segment, log buffer, config buffer) below the arena. */
export function staticBytes(): usize { return arenaBase; }

/** The first free byte: static data and the arena in use below it. */
export function arenaEnd(): usize { return arenaTop; }
