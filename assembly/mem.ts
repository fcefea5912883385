// Fixed memory: one arena carved out during `init`, never freed, never grown afterwards.
// The core never uses `new`; every table and buffer is a region of this arena (DESIGN.md §4).
// A check in test/host proves the debug build contains no runtime allocator call.

const ALIGN: usize = 16;

let arenaBase: usize = 0;
let arenaTop: usize = 0;
let arenaLimit: usize = 0; // bytes of linear memory the board may use (memoryPages << 16)
let sealed = false;

/** Reset the arena to just above the static data, with a budget of `pages` 64 KiB pages in total. */
export function arenaReset(pages: i32): void {
  arenaBase = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
  arenaTop = arenaBase;
  arenaLimit = <usize>pages << 16;
  sealed = false;
}

/** Carve `size` zeroed bytes, 16-aligned; returns 0 when the budget is exhausted or the arena is sealed. */
export function arenaAlloc(size: usize): usize {
  if (sealed) return 0;
  const ptr = arenaTop;
  const end = (ptr + size + ALIGN - 1) & ~(ALIGN - 1);
  if (end > arenaLimit || end < ptr) return 0;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const need = <i32>((end - have + 0xffff) >>> 16);
    if (memory.grow(need) < 0) return 0;
  }
  memory.fill(ptr, 0, end - ptr);
  arenaTop = end;
  return ptr;
}

/** After init: no further carving. */
export function arenaSeal(): void { sealed = true; }

/** Bytes carved so far above the static data. */
export function arenaUsed(): usize { return arenaTop - arenaBase; }

/** Bytes of static data (the module's data segment, log buffer, config buffer) below the arena. */
export function staticBytes(): usize { return arenaBase; }
