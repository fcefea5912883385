/*
 * Heap accounting for the Linux build of the C host: malloc, calloc, realloc and free of the host and
 * of Wasm3 are wrapped (linker --wrap) to count the bytes live and their peak, the figure that
 * matters on a microcontroller (docs/c-host.md "RAM"). Each block carries a 16-byte header holding
 * its size. Only objects linked with --wrap go through here; the C library's own allocations do not.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc_count.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

#define HDR 16u

static size_t live, peak, blocks, limit;

static void *account(unsigned char *h, size_t n)
{
    memcpy(h, &n, sizeof n);
    live += n;
    blocks++;
    if (live > peak) peak = live;
    return h + HDR;
}

void *__wrap_malloc(size_t n)
{
    unsigned char *h;
    if (n > SIZE_MAX - HDR) return NULL;
    if (limit && n > limit - (live < limit ? live : limit)) return NULL; /* a microcontroller's heap runs out */
    h = (unsigned char *)__real_malloc(n + HDR);
    return h ? account(h, n) : NULL;
}

void *__wrap_calloc(size_t k, size_t n)
{
    void *p;
    if (n && k > (SIZE_MAX - HDR) / n) return NULL;
    p = __wrap_malloc(k * n);
    if (p) memset(p, 0, k * n);
    return p;
}

void __wrap_free(void *p)
{
    size_t n;
    unsigned char *h;
    if (!p) return;
    h = (unsigned char *)p - HDR;
    memcpy(&n, h, sizeof n);
    live -= n;
    blocks--;
    __real_free(h);
}

void *__wrap_realloc(void *p, size_t n)
{
    size_t old;
    unsigned char *h;
    if (!p) return __wrap_malloc(n);
    if (n > SIZE_MAX - HDR) return NULL;
    h = (unsigned char *)p - HDR;
    memcpy(&old, h, sizeof old);
    if (limit && n > old && n - old > limit - (live < limit ? live : limit)) return NULL;
    h = (unsigned char *)__real_realloc(h, n + HDR);
    if (!h) return NULL;
    live -= old;
    blocks--;
    return account(h, n);
}

size_t alloc_live(void) { return live; }
size_t alloc_peak(void) { return peak; }
size_t alloc_blocks(void) { return blocks; }
void alloc_reset_peak(void) { peak = live; }
void alloc_set_limit(size_t bytes) { limit = bytes; }
