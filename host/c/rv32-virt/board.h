/*
 * The emulated rv32 microcontroller on qemu `virt` (issue 9.2): devices, memory map and the boot
 * parameters (docs/mcu.md). Everything here is this board's own; the Wasm3 host is ../src.
 */
#ifndef MCU_BOARD_H
#define MCU_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* qemu virt devices */
#define UART0_BASE 0x10000000u      /* ns16550a */
#define TEST_BASE 0x00100000u       /* sifive_test: poweroff with an exit code */
#define CLINT_MTIME 0x0200bff8u     /* 64-bit, 10 MHz on virt */
#define CLINT_MTIMECMP 0x02004000u  /* hart 0 */
#define MTIME_HZ 10000000u
#define VIRTIO_BASE 0x10001000u     /* 8 virtio-mmio slots, 0x1000 apart */
#define VIRTIO_STRIDE 0x1000u
#define VIRTIO_SLOTS 8

/* Read-only "flash" regions filled by qemu -device loader (link.ld) */
#define FW_ADDR 0x80200000u
#define FW_MAX 0x00100000u
#define CFG_ADDR 0x80300000u
#define CFG_MAX 0x000ff000u
#define PARAMS_ADDR 0x803ff000u
#define RO_END 0x80400000u

/*
 * Boot parameters at PARAMS_ADDR, little-endian u32 words, written by qemu
 * `-device loader,addr=PARAMS_ADDR+4*i,data=V,data-len=4` (host/c/rv32-virt/qemu.mjs):
 */
enum {
    P_MAGIC,        /* PARAMS_MAGIC */
    P_MODE,         /* MODE_* */
    P_WASM_LEN,     /* bytes of firmware.wasm at FW_ADDR */
    P_CFG_LEN,      /* bytes of the configuration image at CFG_ADDR */
    P_STACK_BYTES,  /* Wasm3 value stack (0: the C host's default, 6144) */
    P_MEMORY_LIMIT, /* bytes of linear memory (0: no cap) */
    P_FLAGS,        /* FLAG_* */
    P_SEED,         /* run mode without virtio-rng: seed of the fallback generator (docs/mcu.md) */
    P_UDP_ECHO,     /* run mode: UDP port of the echo responder of the device's host (0: none; docs/mcu.md) */
    P_COUNT
};
#define PARAMS_MAGIC 0x4250494du /* "MIPB" */
#define MODE_SELFTEST 1
#define MODE_RUN 2
#define MODE_SIMPEER 3
#define FLAG_EAGER 1u
#define FLAG_NO_WARM_UP 2u
#define FLAG_ICOUNT 4u /* qemu -icount: minstret counts instructions (else host ticks: no figures) */

#define STACK_PAINT 0xa5a5a5a5u

/* sys.c */
void board_exit(int code) __attribute__((noreturn));
uint64_t mtime(void);
int64_t now_ms(void);
uint64_t instret(void);
void pmp_setup(void);
void wait_ms(uint32_t ms);
uint32_t heap_peak(void);
uint32_t heap_now(void);
uint32_t stack_peak(void);
uint32_t ram_static(void);

/* uart.c */
void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, size_t n);
void uart_puts(const char *s);
void uart_hex(const uint8_t *d, uint32_t n);
void uart_dec(uint64_t v);
int uart_getc(void); /* -1: nothing waiting */
void uart_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* virtio.c: up to 2 network devices, a random-number device and a console */
#define NIC_MAX 2
typedef struct nic nic;
int virtio_probe(void);          /* number of NICs found */
nic *nic_get(int i);
const uint8_t *nic_mac(nic *n);
int nic_slot(nic *n);
int nic_link_up(nic *n);         /* VIRTIO_NET_S_LINK_UP of the config status */
/* One received frame (Ethernet header first) into *frame, its length; 0 none. Release with nic_rx_done. */
uint32_t nic_rx(nic *n, const uint8_t **frame);
void nic_rx_done(nic *n);
int nic_tx(nic *n, const uint8_t *frame, uint32_t len); /* 0 sent, -1 too long */
int rng_present(void);
void rng_read(uint8_t *buf, uint32_t len);
/* virtio-console port 0 (sim-peer mode): bytes waiting (up to n, 0 none); buffered write; flush waits
 * until the device took the bytes. */
int con_present(void);
uint32_t con_read(uint8_t *buf, uint32_t n);
void con_write(const uint8_t *buf, uint32_t n);
void con_flush(void);

#endif
