/*
 * The emulated rv32 microcontroller board (issue 9.2): one image for every node. At boot it reads
 * the boot parameters, firmware.wasm and the configuration image that qemu's loader put in the
 * read-only regions (board.h, link.ld), starts the portable C host (../src/mipfw_host.c) and runs:
 *   selftest  the input and output lines of `mipfw-board selftest` (host/wasm3/src/selftest.rs) on the
 *             UART, then figures ("# " lines), then powers off with status 0 (1 on failure);
 *   run       the network loop: virtio-net frames -> rx, deadlines -> tick, link status -> link;
 *             UART lines: "event K HEX", "log L TEXT", "link I up|down", "deliver HEX"; reading
 *             'c' from the UART prints the counters and figures;
 *   sim-peer  the remote-board protocol of host/wasm3/src/simpeer.rs over the UART (simpeer.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "mipfw_host.h"
#include "mipfw_selftest.h"
#include "mipfw_simpeer.h"

#define RAM_BYTES (RAM_KIB * 1024u)

static const volatile uint32_t *const params = (const volatile uint32_t *)(uintptr_t)PARAMS_ADDR;
static mipfw_board *board;
static int64_t clock_base; /* ms since 2026-01-01 UTC at boot (run mode; docs/abi.md "Time") */
static uint64_t rng_state;

/* ---- figures ----------------------------------------------------------------------------------- */

static struct {
    uint64_t boot, open; /* instructions at board_main and after mipfw_board_open */
    uint64_t rx_n, rx_i, tick_n, tick_i;
} fig;

static void print_figures(void)
{
    uint32_t total = 0, compiled = mipfw_board_compiled_functions(board, &total);
    int counted = (params[P_FLAGS] & FLAG_ICOUNT) != 0;
    if (counted) uart_printf("# mcu start-up %lu instructions (open: parse, link, init, warm-up)\n",
                (unsigned long)(fig.open - fig.boot));
    uart_printf("# mcu heap peak %lu bytes (now %lu), C stack peak %lu of %lu, RAM before the heap %lu, "
                "RAM high-water %lu of %lu\n",
                (unsigned long)heap_peak(), (unsigned long)heap_now(), (unsigned long)stack_peak(),
                (unsigned long)STACK_BYTES, (unsigned long)ram_static(),
                (unsigned long)(ram_static() + heap_peak()), (unsigned long)RAM_BYTES);
    uart_printf("# mcu wasm3 value stack peak %lu bytes, compiled %lu of %lu functions, linear memory %lu bytes\n",
                (unsigned long)mipfw_board_stack_peak(board), (unsigned long)compiled, (unsigned long)total,
                (unsigned long)mipfw_board_memory_bytes(board));
    if (fig.rx_n && counted)
        uart_printf("# mcu rx %lu frames, %lu instructions per frame\n", (unsigned long)fig.rx_n,
                    (unsigned long)(fig.rx_i / fig.rx_n));
    if (fig.tick_n && counted)
        uart_printf("# mcu tick %lu calls, %lu instructions per tick\n", (unsigned long)fig.tick_n,
                    (unsigned long)(fig.tick_i / fig.tick_n));
}

static uint64_t first_rx; /* instructions of the first frame handed over */

static int rx_measured(uint32_t iface, const uint8_t *f, uint32_t n)
{
    uint64_t t = instret();
    int r = mipfw_board_rx(board, iface, f, n);
    if (!fig.rx_n) first_rx = instret() - t;
    fig.rx_i += instret() - t;
    fig.rx_n++;
    return r;
}

static int64_t tick_measured(int64_t now)
{
    uint64_t t = instret();
    int64_t r = mipfw_board_tick(board, now);
    fig.tick_i += instret() - t;
    fig.tick_n++;
    return r;
}

/* ---- platforms ---------------------------------------------------------------------------------- */

static int64_t st_now(void *ctx)
{
    (void)ctx;
    return 0;
}

/* As selftest.rs and test/host/helpers.mjs: byte i is (i * 37 + 11) & 255. */
static void st_random(void *ctx, uint8_t *buf, uint32_t n)
{
    uint32_t i;
    (void)ctx;
    for (i = 0; i < n; i++) buf[i] = (uint8_t)((i * 37u + 11u) & 255u);
}

static void line_hex(const char *head, const uint8_t *d, uint32_t n)
{
    uart_puts(head);
    uart_hex(d, n);
    uart_putc('\n');
}

/* Selftest: after the compared lines, frames are replayed with the output off (steady-state figures). */
static int quiet;

static void st_tx(void *ctx, uint32_t iface, const uint8_t *f, uint32_t n)
{
    (void)ctx;
    if (quiet) return;
    uart_puts("tx ");
    uart_dec(iface);
    line_hex(" ", f, n);
}

static void st_deliver(void *ctx, const uint8_t *p, uint32_t n)
{
    (void)ctx;
    if (quiet) return;
    line_hex("deliver ", p, n);
}

static void st_event(void *ctx, int kind, const uint8_t *d, uint32_t n)
{
    (void)ctx;
    if (quiet) return;
    uart_puts("event ");
    uart_dec((uint32_t)kind);
    line_hex(" ", d, n);
}

static void quiet_log(void *ctx, int level, const char *t, uint32_t n)
{
    (void)ctx;
    (void)level;
    (void)t;
    (void)n;
}

static void uart_log(void *ctx, int level, const char *t, uint32_t n)
{
    (void)ctx;
    uart_puts("log ");
    uart_dec((uint32_t)level);
    uart_putc(' ');
    uart_write(t, n);
    uart_putc('\n');
}

/* Run mode: the interface -> NIC map (by MAC). */
static nic *iface_nic[NIC_MAX];
static uint32_t n_ifaces;

static int64_t run_now(void *ctx)
{
    (void)ctx;
    return clock_base + now_ms();
}

static void run_tx(void *ctx, uint32_t iface, const uint8_t *f, uint32_t n)
{
    (void)ctx;
    if (iface < NIC_MAX && iface_nic[iface]) nic_tx(iface_nic[iface], f, n);
}

/* UDP echo responder of the device's own host (boot parameter udp_echo; docs/mcu.md "Roaming on real
 * interfaces"): an unfragmented IPv4 datagram the core delivers to UDP port udp_echo is sent back
 * through the core's output() with addresses and ports swapped (the UDP checksum stays valid: the
 * swapped fields add up the same), TTL 64. deliver runs inside a firmware call, so the reply waits in
 * echo_buf until the call returns (echo_flush); a second one before that is dropped and counted. */
static uint8_t echo_buf[1500];
static uint32_t echo_len, echo_port, echo_sent, echo_dropped;

static int echo_take(const uint8_t *p, uint32_t n)
{
    uint32_t ihl, tot, k;
    uint16_t c;
    if (!echo_port || n < 28 || (p[0] >> 4) != 4 || p[9] != 17) return 0;
    ihl = (p[0] & 15u) * 4u;
    tot = (uint32_t)p[2] << 8 | p[3];
    if (ihl < 20 || tot > n || tot < ihl + 8 || ((p[6] & 0x3fu) | p[7])) return 0; /* short, or a fragment */
    if (((uint32_t)p[ihl + 2] << 8 | p[ihl + 3]) != echo_port || ((uint32_t)p[ihl] << 8 | p[ihl + 1]) == echo_port ||
        p[16] >= 224)
        return 0; /* another port; from an echo port (no ping-pong); multicast or broadcast */
    if (echo_len || tot > sizeof echo_buf) {
        echo_dropped++;
        return 1;
    }
    memcpy(echo_buf, p, tot);
    for (k = 0; k < 4; k++) {
        echo_buf[12 + k] = p[16 + k];
        echo_buf[16 + k] = p[12 + k];
    }
    for (k = 0; k < 2; k++) {
        echo_buf[ihl + k] = p[ihl + 2 + k];
        echo_buf[ihl + 2 + k] = p[ihl + k];
    }
    echo_buf[8] = 64;
    echo_buf[10] = echo_buf[11] = 0;
    c = mipfw_inet_checksum(echo_buf, ihl, 0);
    echo_buf[10] = (uint8_t)(c >> 8);
    echo_buf[11] = (uint8_t)c;
    echo_len = tot;
    return 1;
}

static void echo_flush(void)
{
    if (!echo_len) return;
    if (mipfw_board_output(board, echo_buf, echo_len) == 0)
        echo_sent++;
    else
        echo_dropped++;
    echo_len = 0;
}

/* Packets for the device's own IP stack (there is none yet: the core itself answers ping to its
 * addresses): shown on the UART, first 64 bytes. */
static void run_deliver(void *ctx, const uint8_t *p, uint32_t n)
{
    (void)ctx;
    if (echo_take(p, n)) return;
    uart_puts("deliver ");
    uart_hex(p, n < 64 ? n : 64);
    uart_putc('\n');
}

/* virtio-rng when present; otherwise xorshift64* seeded at boot (docs/mcu.md: not unpredictable). */
static void run_random(void *ctx, uint8_t *buf, uint32_t n)
{
    (void)ctx;
    if (rng_present()) {
        rng_read(buf, n);
        return;
    }
    while (n--) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        *buf++ = (uint8_t)((rng_state * 0x2545f4914f6cdd1dull) >> 56);
    }
}

/* "counter NAME VALUE" for every counter that is not 0 (the selftest's lines, the run mode's report). */
static void print_nonzero_counters(void)
{
    uint32_t i;
    for (i = 0; i < mipfw_board_counter_count(board); i++) {
        const char *name;
        uint32_t nl;
        uint64_t v = mipfw_board_counter(board, i, &name, &nl);
        if (!v) continue;
        uart_puts("counter ");
        uart_write(name, nl);
        uart_putc(' ');
        uart_dec(v);
        uart_putc('\n');
    }
}

/* ---- boot ------------------------------------------------------------------------------------------ */

static void fail(const char *what)
{
    uart_printf("mcu: %s\n", what);
    board_exit(1);
}

/* Open the board from the loaded regions; exits with a message on failure. */
static void open_board(const mipfw_platform *plat)
{
    mipfw_options o;
    char err[320];
    uint32_t wl = params[P_WASM_LEN], cl = params[P_CFG_LEN], flags = params[P_FLAGS];
    if (wl == 0 || wl > FW_MAX) {
        uart_printf("mcu: boot parameter wasm_len: expected 1..%lu bytes, got %lu\n", (unsigned long)FW_MAX,
                    (unsigned long)wl);
        board_exit(1);
    }
    if (cl > CFG_MAX) {
        uart_printf("mcu: boot parameter cfg_len: expected 0..%lu bytes, got %lu\n", (unsigned long)CFG_MAX,
                    (unsigned long)cl);
        board_exit(1);
    }
    mipfw_options_default(&o);
    if (params[P_STACK_BYTES]) o.stack_bytes = params[P_STACK_BYTES];
    o.memory_limit = params[P_MEMORY_LIMIT];
    o.eager = (flags & FLAG_EAGER) != 0;
    o.warm_up = (flags & FLAG_NO_WARM_UP) == 0;
    if (mipfw_board_open(&board, (const uint8_t *)(uintptr_t)FW_ADDR, wl, (const uint8_t *)(uintptr_t)CFG_ADDR, cl,
                         &o, plat, err, sizeof err)) {
        uart_printf("mcu: %s\n", err);
        board_exit(1);
    }
    fig.open = instret();
}

/* ---- selftest ---------------------------------------------------------------------------------- */

static void selftest(void)
{
    static const mipfw_platform plat = {NULL, st_now, st_tx, st_deliver, st_random, quiet_log, st_event};
    uint8_t mac[6], frame[128];
    uint32_t ip, peer, len, i, n_if = 0;
    int prefix, r[2], k;
    uint64_t t;
    open_board(&plat);
    if (mipfw_selftest_iface(board, 0, mac, &ip, &prefix)) {
        /* A dump that trapped (Wasm3 out of memory compiling `dump`) is the trap, not an empty table. */
        if (mipfw_board_trapped(board)) uart_printf("mcu: trap: %s\n", mipfw_board_trapped(board));
        fail("the firmware lists no interface (dump table 0)");
    }
    while (mipfw_selftest_iface(board, n_if, frame, &len, &k) == 0) n_if++;
    t = instret();
    for (i = 0; i < n_if; i++) mipfw_board_link(board, i, 1, NULL);
    t = instret() - t;
    peer = mipfw_selftest_peer(ip, prefix);
    for (k = 0; k < 2; k++) {
        len = k == 0 ? mipfw_selftest_arp_request(frame, peer, ip) : mipfw_selftest_echo_request(frame, peer, ip, mac);
        line_hex("input 0 ", frame, len);
        r[k] = rx_measured(0, frame, len);
    }
    uart_printf("rx %d %d\n", r[0], r[1]);
    print_nonzero_counters();
    uart_printf("heap_used %lu memory_pages %lu\n", (unsigned long)mipfw_board_heap_used(board),
                (unsigned long)mipfw_board_memory_pages(board));
    if (mipfw_board_trapped(board)) {
        uart_printf("mcu: trap: %s\n", mipfw_board_trapped(board));
        board_exit(1);
    }
    uart_printf("# mcu first frames (lazy compilation included): ARP request %lu, echo request %lu instructions\n",
                (unsigned long)first_rx, (unsigned long)(fig.rx_i - first_rx));
    uart_printf("# mcu link up of %lu interfaces %lu instructions\n", (unsigned long)n_if, (unsigned long)t);
    /* Steady state: the same ARP and echo requests again (compiled by now), and ticks. */
    quiet = 1;
    fig.rx_n = fig.rx_i = 0;
    len = mipfw_selftest_arp_request(frame, peer, ip);
    for (k = 0; k < 4; k++) mipfw_board_rx(board, 0, frame, len); /* the paths of a repeated frame */
    for (k = 0; k < 8; k++) rx_measured(0, frame, len);
    uart_printf("# mcu steady ARP request -> reply %lu instructions per frame\n", (unsigned long)(fig.rx_i / fig.rx_n));
    fig.rx_n = fig.rx_i = 0;
    len = mipfw_selftest_echo_request(frame, peer, ip, mac);
    for (k = 0; k < 4; k++) mipfw_board_rx(board, 0, frame, len);
    for (k = 0; k < 8; k++) rx_measured(0, frame, len);
    uart_printf("# mcu steady echo request -> reply %lu instructions per frame\n", (unsigned long)(fig.rx_i / fig.rx_n));
    for (k = 1; k <= 8; k++) mipfw_board_tick(board, (int64_t)k * 1000); /* compiles the timer paths */
    fig.tick_n = fig.tick_i = 0;
    for (k = 9; k <= 16; k++) tick_measured((int64_t)k * 1000);
    uart_printf("# mcu steady tick (1 s apart, timers due) %lu instructions per tick\n",
                (unsigned long)(fig.tick_i / fig.tick_n));
    fig.tick_n = fig.tick_i = 0;
    for (k = 0; k < 8; k++) tick_measured(16000);
    uart_printf("# mcu tick with nothing due %lu instructions\n", (unsigned long)(fig.tick_i / fig.tick_n));
    if (mipfw_board_trapped(board)) {
        uart_printf("mcu: trap: %s\n", mipfw_board_trapped(board));
        board_exit(1);
    }
    print_figures();
    board_exit(0);
}

/* ---- run --------------------------------------------------------------------------------------- */

static void print_counters(void)
{
    print_nonzero_counters();
    if (echo_port)
        uart_printf("udp_echo port %lu sent %lu dropped %lu\n", (unsigned long)echo_port, (unsigned long)echo_sent,
                    (unsigned long)echo_dropped);
    print_figures();
    uart_puts("counters end\n");
}

/* Goldfish RTC of qemu virt (0x101000): the host's real time, ns since 1970. */
static int64_t rtc_ms_since_2026(void)
{
    volatile uint32_t *rtc = (volatile uint32_t *)(uintptr_t)0x00101000u;
    uint32_t lo = rtc[0], hi = rtc[1]; /* reading TIME_LOW latches TIME_HIGH */
    int64_t ms = (int64_t)(((uint64_t)hi << 32 | lo) / 1000000u) - 1767225600000LL;
    return ms > 0 ? ms : 0;
}

static void run(void)
{
    static const mipfw_platform plat = {NULL, run_now, run_tx, run_deliver, run_random, uart_log, st_event};
    int link[NIC_MAX], n_nics, i;
    uint32_t k;
    int64_t next;
    clock_base = rtc_ms_since_2026() - now_ms();
    n_nics = virtio_probe();
    rng_state = ((uint64_t)params[P_SEED] << 32 | (uint32_t)mtime()) ^ 0x9e3779b97f4a7c15ull;
    if (!rng_present())
        uart_puts("log 1 no virtio-rng device: random bytes from a seeded generator (predictable)\n");
    echo_port = params[P_UDP_ECHO] & 0xffffu;
    open_board(&plat);
    for (k = 0; k < NIC_MAX; k++) {
        uint8_t mac[6];
        uint32_t ip;
        int prefix;
        if (mipfw_selftest_iface(board, k, mac, &ip, &prefix)) break;
        n_ifaces = k + 1;
        for (i = 0; i < n_nics; i++)
            if (memcmp(nic_mac(nic_get(i)), mac, 6) == 0) iface_nic[k] = nic_get(i);
        if (iface_nic[k])
            uart_printf("mcu: interface %lu: virtio-net slot %d\n", (unsigned long)k, nic_slot(iface_nic[k]));
        else
            uart_printf("log 1 interface %lu (%02x:%02x:%02x:%02x:%02x:%02x) has no virtio-net device with its "
                        "MAC: down\n", (unsigned long)k, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    }
    for (k = 0; k < n_ifaces; k++) {
        link[k] = iface_nic[k] ? nic_link_up(iface_nic[k]) : 0;
        mipfw_board_link(board, k, link[k], NULL);
        uart_printf("link %lu %s\n", (unsigned long)k, link[k] ? "up" : "down");
    }
    next = tick_measured(run_now(NULL));
    uart_printf("mcu: running, %d NICs, %lu interfaces\n", n_nics, (unsigned long)n_ifaces);
    for (;;) {
        int busy = 0, c;
        int64_t now;
        for (k = 0; k < n_ifaces; k++) {
            int up;
            if (!iface_nic[k]) continue;
            up = nic_link_up(iface_nic[k]);
            if (up != link[k]) {
                link[k] = up;
                uart_printf("link %lu %s\n", (unsigned long)k, up ? "up" : "down");
                mipfw_board_link(board, k, up, NULL);
                busy = 1;
            }
            for (;;) {
                const uint8_t *f;
                uint32_t n = nic_rx(iface_nic[k], &f);
                if (!n) break;
                if (link[k]) rx_measured(k, f, n);
                nic_rx_done(iface_nic[k]);
                echo_flush();
                busy = 1;
            }
        }
        now = run_now(NULL);
        if (now >= next) {
            next = tick_measured(now);
            echo_flush();
            busy = 1;
        }
        while ((c = uart_getc()) >= 0)
            if (c == 'c') print_counters();
        if (mipfw_board_trapped(board)) {
            uart_printf("mcu: trap: %s\n", mipfw_board_trapped(board));
            board_exit(1);
        }
        if (!busy) wait_ms(1);
    }
}

/* ---- sim-peer ---------------------------------------------------------------------------------- */

/* The remote-board protocol (../src/simpeer.c) over a virtio-console when qemu gives one (qemu.mjs
 * simPeerArgs: -device virtio-serial-device -device virtconsole,chardev=peer), else over the UART
 * (-serial chardev:peer; ~70 times slower: qemu moves its bytes one by one). The stream carries
 * nothing else: the firmware's logs go as log records. Time is each request's now_ms, random bytes
 * come from the simulator: the trace is the one mipfw-board gives (test/host/mcu-conformance.test.mjs). */

#define PEER_IDLE_MS 60000u /* no request for this long: the simulator is gone, power off (status 4) */
static int peer_idle, peer_con;

static int peer_read(void *ctx, uint8_t *buf, uint32_t n)
{
    uint32_t got = 0;
    uint64_t last = mtime();
    (void)ctx;
    while (got < n) {
        int c;
        if (peer_con) {
            uint32_t k = con_read(buf + got, n - got);
            got += k;
            if (k) {
                last = mtime(); /* idle means no byte for PEER_IDLE_MS, not a slow request */
                continue;
            }
        } else if ((c = uart_getc()) >= 0) {
            buf[got++] = (uint8_t)c;
            last = mtime();
            continue;
        }
        if (mtime() - last > (uint64_t)PEER_IDLE_MS * (MTIME_HZ / 1000u)) {
            peer_idle = 1;
            return got ? -1 : 1;
        }
    }
    return 0;
}

static int peer_write(void *ctx, const uint8_t *buf, uint32_t n)
{
    (void)ctx;
    if (peer_con) con_write(buf, n);
    else uart_write((const char *)buf, n);
    return 0;
}

static int peer_flush(void *ctx)
{
    (void)ctx;
    if (peer_con) con_flush(); /* the UART is not buffered */
    return 0;
}

/* Console mode, at the end: the figures on the UART (qemu.mjs simPeerArgs uartLog). */
static void peer_observe(void *ctx, int phase, mipfw_board *b)
{
    (void)ctx;
    if (phase == 2 && b && peer_con) {
        board = b;
        print_figures();
        board = NULL;
    }
}

static void sim_peer(void)
{
    static const mipfw_stream io = {NULL, peer_read, peer_write, peer_flush};
    mipfw_simpeer_config c;
    char err[160], why[96];
    uint32_t wl = params[P_WASM_LEN], flags = params[P_FLAGS];
    int rc;
    virtio_probe();
    peer_con = con_present();
    memset(&c, 0, sizeof c);
    c.name = "mcu";
    if (wl == 0 || wl > FW_MAX) {
        snprintf(why, sizeof why, "boot parameter wasm_len: expected 1..%lu bytes, got %lu", (unsigned long)FW_MAX,
                 (unsigned long)wl);
        c.wasm_error = why;
    } else {
        c.wasm = (const uint8_t *)(uintptr_t)FW_ADDR;
        c.wasm_len = wl;
    }
    mipfw_options_default(&c.opt);
    if (params[P_STACK_BYTES]) c.opt.stack_bytes = params[P_STACK_BYTES];
    c.opt.memory_limit = params[P_MEMORY_LIMIT]; /* 0: the init request's memory pages */
    c.opt.eager = (flags & FLAG_EAGER) != 0;
    c.opt.warm_up = (flags & FLAG_NO_WARM_UP) == 0;
    c.observe = peer_observe;
    rc = mipfw_simpeer_serve(&io, &c, err, sizeof err);
    board_exit(rc == MIPFW_SIMPEER_END ? (peer_idle ? 4 : 0) : 5);
}

void board_main(void)
{
    fig.boot = instret();
    /* sim-peer: the UART as reset (FIFO off). Turning the FIFO on clears it, and the simulator's first
     * request may be arriving already. */
    if (params[P_MODE] != MODE_SIMPEER) uart_init();
    pmp_setup();
    if (params[P_MAGIC] != PARAMS_MAGIC) {
        uart_printf("mcu: no boot parameters at 0x%08lx (magic 0x%08lx, expected 0x%08lx): start it with "
                    "host/c/rv32-virt/qemu.mjs\n", (unsigned long)PARAMS_ADDR, (unsigned long)params[P_MAGIC],
                    (unsigned long)PARAMS_MAGIC);
        board_exit(2);
    }
    switch (params[P_MODE]) {
    case MODE_SELFTEST: selftest(); break;
    case MODE_RUN: run(); break;
    case MODE_SIMPEER: sim_peer(); break;
    default:
        uart_printf("mcu: boot parameter mode: expected 1 (selftest), 2 (run) or 3 (sim-peer), got %lu\n",
                    (unsigned long)params[P_MODE]);
        board_exit(2);
    }
}
