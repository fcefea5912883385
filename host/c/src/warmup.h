/* Internal to the C host: the warm-up's exchanges (warmup.c), run by mipfw_host.c with the platform muted. */
#ifndef MIPFW_WARMUP_H
#define MIPFW_WARMUP_H

#include <stdint.h>

#include "mipfw_host.h"

/** Drive the started, muted board through the main paths of its roles; `*now` is the time the muted
 *  board reads (advanced for its timers). */
void mipfw_warm_traffic(mipfw_board *b, int64_t *now);

#endif
