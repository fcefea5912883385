/*
 * Machine-level services of the emulated rv32 board: power-off with an exit code (sifive_test),
 * time (CLINT mtime), retired instructions (minstret: exact under qemu -icount), the PMP set-up
 * that makes the flash regions read-only and guards the end of RAM, sbrk for picolibc's malloc with
 * its high-water mark, the C stack high-water mark (painted by crt0.S) and the trap report.
 */
#include <errno.h>
#include <stdint.h>

#include "board.h"

extern char __heap_start[], __heap_end[], __stack_bottom[], __stack_top[], __ram_start[], __flash_start[],
    __flash_end[], __ram_end[];

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

void board_exit(int code)
{
    /* sifive_test: 0x5555 powers off with status 0, (code << 16) | 0x3333 with `code`. */
    REG32(TEST_BASE) = code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u;
    for (;;) __asm__ volatile("wfi");
}

uint64_t mtime(void)
{
    uint32_t hi, lo;
    do {
        hi = REG32(CLINT_MTIME + 4);
        lo = REG32(CLINT_MTIME);
    } while (hi != REG32(CLINT_MTIME + 4));
    return (uint64_t)hi << 32 | lo;
}

int64_t now_ms(void)
{
    return (int64_t)(mtime() / (MTIME_HZ / 1000u));
}

uint64_t instret(void)
{
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
        __asm__ volatile("csrr %0, minstret" : "=r"(lo));
        __asm__ volatile("csrr %0, minstreth" : "=r"(hi2));
    } while (hi != hi2);
    return (uint64_t)hi << 32 | lo;
}

/* Sleep until `ms` have passed or an interrupt is pending: the machine timer (MTIE, not taken as a
 * trap: mstatus.MIE stays 0) ends the wfi. */
void wait_ms(uint32_t ms)
{
    uint64_t t = mtime() + (uint64_t)ms * (MTIME_HZ / 1000u);
    REG32(CLINT_MTIMECMP + 4) = 0xffffffffu;
    REG32(CLINT_MTIMECMP) = (uint32_t)t;
    REG32(CLINT_MTIMECMP + 4) = (uint32_t)(t >> 32);
    __asm__ volatile("csrs mie, %0" ::"r"(1u << 7));
    while (mtime() < t) __asm__ volatile("wfi");
    __asm__ volatile("csrc mie, %0" ::"r"(1u << 7));
}

/*
 * PMP, locked (so it binds machine mode too), top-of-range entries:
 *   0: bottom 0x80000000 (off)
 *   1: [0x80000000, flash end)  R X     this image (code, rodata, .data initial values)
 *   2: [flash end, RAM start)   none
 *   3: [RAM start, RAM end)     R W     320 KiB
 *   4: [RAM end, FW_ADDR)       none    guard: a heap or buffer overrun faults
 *   5: [FW_ADDR, RO_END)        R       firmware.wasm, configuration image, boot parameters
 * Anything else (devices) matches no entry: full access in machine mode.
 */
void pmp_setup(void)
{
#define TOR (1u << 3)
#define LOCK (1u << 7)
    uint32_t a0 = (uint32_t)(uintptr_t)__flash_start >> 2, a1 = (uint32_t)(uintptr_t)__flash_end >> 2,
             a2 = (uint32_t)(uintptr_t)__ram_start >> 2, a3 = (uint32_t)(uintptr_t)__ram_end >> 2,
             a4 = FW_ADDR >> 2, a5 = RO_END >> 2;
    uint32_t cfg0 = 0u | (TOR | LOCK | 1u | 4u) << 8 | (TOR | LOCK) << 16 | (TOR | LOCK | 1u | 2u) << 24;
    uint32_t cfg1 = (TOR | LOCK) | (TOR | LOCK | 1u) << 8;
    __asm__ volatile("csrw pmpaddr0, %0" ::"r"(a0));
    __asm__ volatile("csrw pmpaddr1, %0" ::"r"(a1));
    __asm__ volatile("csrw pmpaddr2, %0" ::"r"(a2));
    __asm__ volatile("csrw pmpaddr3, %0" ::"r"(a3));
    __asm__ volatile("csrw pmpaddr4, %0" ::"r"(a4));
    __asm__ volatile("csrw pmpaddr5, %0" ::"r"(a5));
    __asm__ volatile("csrw pmpcfg1, %0" ::"r"(cfg1));
    __asm__ volatile("csrw pmpcfg0, %0" ::"r"(cfg0));
}

/* ---- heap: picolibc's malloc grows through sbrk (this one replaces picolibc's) ---------------- */

static char *brk_now = __heap_start, *brk_max = __heap_start;

void *sbrk(intptr_t incr)
{
    char *old = brk_now;
    if (incr > 0 ? (uintptr_t)incr > (uintptr_t)(__heap_end - brk_now) : (uintptr_t)-incr > (uintptr_t)(brk_now - __heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk_now += incr;
    if (brk_now > brk_max) brk_max = brk_now;
    return old;
}

uint32_t heap_peak(void)
{
    return (uint32_t)(brk_max - __heap_start);
}

uint32_t heap_now(void)
{
    return (uint32_t)(brk_now - __heap_start);
}

/* Bytes of the C stack ever used: from the bottom, the first word that lost its paint. */
uint32_t stack_peak(void)
{
    const uint32_t *p = (const uint32_t *)(void *)__stack_bottom, *top = (const uint32_t *)(void *)__stack_top;
    while (p < top && *p == STACK_PAINT) p++;
    return (uint32_t)((const char *)top - (const char *)p);
}

/* RAM taken before the heap: stack, .data, .bss. */
uint32_t ram_static(void)
{
    return (uint32_t)(__heap_start - __ram_start);
}

/* ---- traps ------------------------------------------------------------------------------------- */

void board_trap(uint32_t cause, uint32_t epc, uint32_t tval, uint32_t ra, uint32_t sp) __attribute__((noreturn));
void board_trap(uint32_t cause, uint32_t epc, uint32_t tval, uint32_t ra, uint32_t sp)
{
    uart_printf("\nfatal: trap mcause=%lu mepc=0x%08lx mtval=0x%08lx ra=0x%08lx sp=0x%08lx\n", (unsigned long)cause,
                (unsigned long)epc, (unsigned long)tval, (unsigned long)ra, (unsigned long)sp);
    board_exit(3);
}
