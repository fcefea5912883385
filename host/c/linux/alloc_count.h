/* Heap accounting of the Linux build (alloc_count.c): bytes live, their peak, blocks live. */
#ifndef ALLOC_COUNT_H
#define ALLOC_COUNT_H
#include <stddef.h>
size_t alloc_live(void);
size_t alloc_peak(void);
size_t alloc_blocks(void);
/** Start a new high-water measurement from what is live now. */
void alloc_reset_peak(void);
/** Refuse (NULL) any allocation that would take the live bytes over `bytes` (0: no limit). */
void alloc_set_limit(size_t bytes);
#endif
