/* ns16550a UART of qemu virt (0x10000000), polled: logs, events and the sim-peer byte stream. */
#include <stdarg.h>
#include <stdio.h>

#include "board.h"

#define REG8(o) (*(volatile uint8_t *)(uintptr_t)(UART0_BASE + (o)))
#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LSR 5
#define LSR_DR 0x01u
#define LSR_THRE 0x20u

void uart_init(void)
{
    REG8(IER) = 0;      /* polled */
    REG8(FCR) = 0x07u;  /* FIFOs on and cleared */
}

void uart_putc(char c)
{
    while (!(REG8(LSR) & LSR_THRE)) {
    }
    REG8(THR) = (uint8_t)c;
}

void uart_write(const char *s, size_t n)
{
    while (n--) uart_putc(*s++);
}

void uart_puts(const char *s)
{
    while (*s) uart_putc(*s++);
}

void uart_hex(const uint8_t *d, uint32_t n)
{
    static const char H[] = "0123456789abcdef";
    while (n--) {
        uart_putc(H[*d >> 4]);
        uart_putc(H[*d++ & 15]);
    }
}

void uart_dec(uint64_t v)
{
    char b[21];
    int i = 20;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    uart_puts(b + i);
}

int uart_getc(void)
{
    return (REG8(LSR) & LSR_DR) ? REG8(RBR) : -1;
}

void uart_printf(const char *fmt, ...)
{
    char b[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > 0) uart_write(b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}
