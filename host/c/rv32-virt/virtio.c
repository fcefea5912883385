/*
 * Polled legacy virtio-mmio drivers (virtio 0.9.5 "version 1" register layout, what qemu's
 * virtio-mmio offers by default: force-legacy=on) for virtio-net (device 1), virtio-rng
 * (device 4) and virtio-console (device 3: the sim-peer byte stream). No interrupts: the main loop polls the used rings and the link status.
 *
 * Rings: split virtqueues with a 16-byte page size and used-ring alignment (legacy QueuePFN is in
 * units of GuestPageSize; both are ours to choose), so a 4-entry queue takes 128 bytes, not 8 KiB.
 * virtio-net: features MAC and STATUS only (no checksum offload, no GSO), so every frame carries a
 * zeroed 10-byte header; each receive buffer is one device-writable descriptor (header + frame).
 */
#include <stdlib.h>
#include <string.h>

#include "board.h"

#define MMIO(base, o) (*(volatile uint32_t *)(uintptr_t)((base) + (o)))
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_HOST_FEATURES 0x010
#define R_HOST_FEATURES_SEL 0x014
#define R_GUEST_FEATURES 0x020
#define R_GUEST_FEATURES_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c
#define R_QUEUE_PFN 0x040
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_CONFIG 0x100

#define S_ACKNOWLEDGE 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FAILED 128u

#define NET_F_MAC (1u << 5)
#define NET_F_STATUS (1u << 16)
#define NET_S_LINK_UP 1u
#define NET_HDR 10u /* legacy header without MRG_RXBUF */

#define DESC_F_WRITE 2u
#define ALIGN 16u

#define RX_SLOTS 4
#define TX_SLOTS 2
#define BUF_BYTES 1536u /* 10-byte header + 1518-byte frame, rounded */

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

typedef struct {
    uint16_t num, last_used, avail_idx;
    struct desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[num] */
    volatile uint16_t *used;  /* flags, idx, then num {u32 id, u32 len} */
} vq;

struct nic {
    uintptr_t base;
    int slot;
    uint8_t mac[6];
    int has_status;
    vq rx, tx;
    uint8_t *rx_buf, *tx_buf;
    int rx_held;            /* a buffer handed out by nic_rx, not yet returned */
    uint16_t rx_held_id;
    uint16_t tx_next;
};

static struct nic nics[NIC_MAX];
static int n_nics;
static struct {
    uintptr_t base;
    vq q;
    uint8_t *buf;
} rng;

static void fence(void)
{
    __asm__ volatile("fence rw, rw" ::: "memory");
}

static uint32_t used_idx(const vq *q)
{
    fence();
    return q->used[1];
}

/* Allocate and register queue `sel` of `num` entries; 0 or -1 (the device's queue is too small). */
static int vq_setup(uintptr_t base, uint32_t sel, uint16_t num, vq *q)
{
    uint32_t avail_off = 16u * num, used_off = (avail_off + 6u + 2u * num + ALIGN - 1) & ~(ALIGN - 1);
    uint32_t bytes = used_off + 6u + 8u * num;
    uint8_t *mem;
    MMIO(base, R_QUEUE_SEL) = sel;
    if (MMIO(base, R_QUEUE_PFN) != 0 || MMIO(base, R_QUEUE_NUM_MAX) < num) return -1;
    mem = (uint8_t *)malloc(bytes + ALIGN); /* kept for good: never freed */
    if (!mem) return -1;
    mem += (ALIGN - (uintptr_t)mem % ALIGN) % ALIGN;
    memset(mem, 0, bytes);
    q->num = num;
    q->last_used = 0;
    q->avail_idx = 0;
    q->desc = (struct desc *)(void *)mem;
    q->avail = (volatile uint16_t *)(void *)(mem + avail_off);
    q->used = (volatile uint16_t *)(void *)(mem + used_off);
    MMIO(base, R_QUEUE_NUM) = num;
    MMIO(base, R_QUEUE_ALIGN) = ALIGN;
    MMIO(base, R_QUEUE_PFN) = (uint32_t)(uintptr_t)mem / ALIGN;
    return 0;
}

static void vq_push(uintptr_t base, uint32_t sel, vq *q, uint16_t id)
{
    q->avail[2 + (q->avail_idx % q->num)] = id;
    fence();
    q->avail_idx++;
    q->avail[1] = q->avail_idx;
    fence();
    MMIO(base, R_QUEUE_NOTIFY) = sel;
}

/* The next used entry's descriptor id and length; 0 if none. */
static int vq_pop(vq *q, uint16_t *id, uint32_t *len)
{
    volatile uint32_t *e;
    if (used_idx(q) == q->last_used) return 0;
    /* The entry (and the buffer it names) only after the index that published it: a read barrier
     * (virtio 1.x §2.7.13 "read the used ring's idx ... then a read memory barrier"). */
    fence();
    e = (volatile uint32_t *)(void *)(q->used + 2) + 2u * (q->last_used % q->num);
    *id = (uint16_t)e[0];
    *len = e[1];
    q->last_used++;
    return 1;
}

static int dev_begin(uintptr_t base, uint32_t want, uint32_t *got)
{
    uint32_t f;
    MMIO(base, R_STATUS) = 0;
    MMIO(base, R_STATUS) = S_ACKNOWLEDGE;
    MMIO(base, R_STATUS) = S_ACKNOWLEDGE | S_DRIVER;
    MMIO(base, R_HOST_FEATURES_SEL) = 0;
    f = MMIO(base, R_HOST_FEATURES) & want;
    MMIO(base, R_GUEST_FEATURES_SEL) = 0;
    MMIO(base, R_GUEST_FEATURES) = f;
    MMIO(base, R_GUEST_PAGE_SIZE) = ALIGN;
    *got = f;
    return 0;
}

static int net_init(struct nic *n)
{
    uint32_t f, i;
    dev_begin(n->base, NET_F_MAC | NET_F_STATUS, &f);
    n->has_status = (f & NET_F_STATUS) != 0;
    for (i = 0; i < 6; i++) n->mac[i] = (f & NET_F_MAC) ? *(volatile uint8_t *)(n->base + R_CONFIG + i) : 0;
    n->rx_buf = (uint8_t *)malloc(RX_SLOTS * BUF_BYTES);
    n->tx_buf = (uint8_t *)malloc(TX_SLOTS * BUF_BYTES);
    if (!n->rx_buf || !n->tx_buf || vq_setup(n->base, 0, RX_SLOTS, &n->rx) || vq_setup(n->base, 1, TX_SLOTS, &n->tx)) {
        MMIO(n->base, R_STATUS) = S_FAILED;
        return -1;
    }
    memset(n->tx_buf, 0, TX_SLOTS * BUF_BYTES);
    for (i = 0; i < TX_SLOTS; i++) n->tx.desc[i].addr = (uint32_t)(uintptr_t)(n->tx_buf + i * BUF_BYTES);
    MMIO(n->base, R_STATUS) = S_ACKNOWLEDGE | S_DRIVER | S_DRIVER_OK;
    for (i = 0; i < RX_SLOTS; i++) {
        n->rx.desc[i].addr = (uint32_t)(uintptr_t)(n->rx_buf + i * BUF_BYTES);
        n->rx.desc[i].len = BUF_BYTES;
        n->rx.desc[i].flags = DESC_F_WRITE;
        vq_push(n->base, 0, &n->rx, (uint16_t)i);
    }
    return 0;
}

static int rng_init(uintptr_t base)
{
    uint32_t f;
    dev_begin(base, 0, &f);
    rng.buf = (uint8_t *)malloc(64);
    if (!rng.buf || vq_setup(base, 0, 1, &rng.q)) {
        MMIO(base, R_STATUS) = S_FAILED;
        return -1;
    }
    MMIO(base, R_STATUS) = S_ACKNOWLEDGE | S_DRIVER | S_DRIVER_OK;
    rng.base = base;
    return 0;
}

/* virtio-console (device 3), port 0 only (no MULTIPORT: qemu then counts the port as open):
 * receiveq 0 with CON_RX device-writable buffers, transmitq 1 with one buffer filled by con_write. */
#define CON_RX 2
#define CON_BYTES 2048u
static struct {
    uintptr_t base;
    vq rx, tx;
    uint8_t *rx_buf, *tx_buf;
    int held;             /* a received buffer being read */
    uint16_t held_id;
    uint32_t held_len, held_off, tx_len;
} con;

static int con_init(uintptr_t base)
{
    uint32_t f, i;
    dev_begin(base, 0, &f);
    con.rx_buf = (uint8_t *)malloc(CON_RX * CON_BYTES);
    con.tx_buf = (uint8_t *)malloc(CON_BYTES);
    if (!con.rx_buf || !con.tx_buf || vq_setup(base, 0, CON_RX, &con.rx) || vq_setup(base, 1, 1, &con.tx)) {
        MMIO(base, R_STATUS) = S_FAILED;
        return -1;
    }
    MMIO(base, R_STATUS) = S_ACKNOWLEDGE | S_DRIVER | S_DRIVER_OK;
    con.base = base;
    for (i = 0; i < CON_RX; i++) {
        con.rx.desc[i].addr = (uint32_t)(uintptr_t)(con.rx_buf + i * CON_BYTES);
        con.rx.desc[i].len = CON_BYTES;
        con.rx.desc[i].flags = DESC_F_WRITE;
        vq_push(base, 0, &con.rx, (uint16_t)i);
    }
    con.tx.desc[0].addr = (uint32_t)(uintptr_t)con.tx_buf;
    return 0;
}

int con_present(void)
{
    return con.base != 0;
}

uint32_t con_read(uint8_t *buf, uint32_t n)
{
    uint32_t k;
    if (!con.held) {
        uint16_t id;
        uint32_t len;
        if (!vq_pop(&con.rx, &id, &len)) return 0;
        MMIO(con.base, R_INTERRUPT_ACK) = MMIO(con.base, R_INTERRUPT_STATUS);
        if (id >= CON_RX) return 0;
        con.held = 1;
        con.held_id = id;
        con.held_len = len < CON_BYTES ? len : CON_BYTES;
        con.held_off = 0;
    }
    k = con.held_len - con.held_off;
    if (k > n) k = n;
    memcpy(buf, con.rx_buf + (uint32_t)con.held_id * CON_BYTES + con.held_off, k);
    con.held_off += k;
    if (con.held_off == con.held_len) { /* all read: give the buffer back */
        con.held = 0;
        vq_push(con.base, 0, &con.rx, con.held_id);
    }
    return k;
}

void con_flush(void)
{
    uint16_t id;
    uint32_t l;
    if (!con.tx_len) return;
    con.tx.desc[0].len = con.tx_len;
    con.tx.desc[0].flags = 0;
    vq_push(con.base, 1, &con.tx, 0);
    while (!vq_pop(&con.tx, &id, &l)) {
    }
    MMIO(con.base, R_INTERRUPT_ACK) = MMIO(con.base, R_INTERRUPT_STATUS);
    con.tx_len = 0;
}

void con_write(const uint8_t *buf, uint32_t n)
{
    while (n) {
        uint32_t k = CON_BYTES - con.tx_len;
        if (k == 0) {
            con_flush();
            continue;
        }
        if (k > n) k = n;
        memcpy(con.tx_buf + con.tx_len, buf, k);
        con.tx_len += k;
        buf += k;
        n -= k;
    }
}

int virtio_probe(void)
{
    int s;
    /* qemu fills the slots from the highest address down in command-line order: walk them that way so
     * NIC i is the i-th -device virtio-net-device (the board still maps NICs to interfaces by MAC). */
    for (s = VIRTIO_SLOTS - 1; s >= 0; s--) {
        uintptr_t base = VIRTIO_BASE + (uintptr_t)s * VIRTIO_STRIDE;
        uint32_t id;
        if (MMIO(base, R_MAGIC) != 0x74726976u) continue;
        id = MMIO(base, R_DEVICE_ID);
        if (id == 0) continue;
        if (MMIO(base, R_VERSION) != 1) {
            uart_printf("virtio slot %d: version %lu, expected the legacy interface 1 (qemu -global "
                        "virtio-mmio.force-legacy=true)\n", s, (unsigned long)MMIO(base, R_VERSION));
            continue;
        }
        if (id == 1 && n_nics < NIC_MAX) {
            struct nic *n = &nics[n_nics];
            n->base = base;
            n->slot = s;
            if (net_init(n) == 0) n_nics++;
            else uart_printf("virtio slot %d: virtio-net set-up failed (out of memory or queue too small)\n", s);
        } else if (id == 4 && !rng.base) {
            if (rng_init(base)) uart_printf("virtio slot %d: virtio-rng set-up failed\n", s);
        } else if (id == 3 && !con.base) {
            if (con_init(base)) uart_printf("virtio slot %d: virtio-console set-up failed\n", s);
        }
    }
    return n_nics;
}

nic *nic_get(int i)
{
    return i >= 0 && i < n_nics ? &nics[i] : NULL;
}

const uint8_t *nic_mac(nic *n)
{
    return n->mac;
}

int nic_slot(nic *n)
{
    return n->slot;
}

int nic_link_up(nic *n)
{
    uint8_t lo;
    if (!n->has_status) return 1;
    lo = *(volatile uint8_t *)(n->base + R_CONFIG + 6);
    return (lo & NET_S_LINK_UP) != 0;
}

uint32_t nic_rx(nic *n, const uint8_t **frame)
{
    uint16_t id;
    uint32_t len;
    if (n->rx_held) return 0;
    if (!vq_pop(&n->rx, &id, &len)) return 0;
    MMIO(n->base, R_INTERRUPT_ACK) = MMIO(n->base, R_INTERRUPT_STATUS);
    if (id >= RX_SLOTS) return 0;
    n->rx_held = 1;
    n->rx_held_id = id;
    if (len <= NET_HDR) {
        nic_rx_done(n);
        return 0;
    }
    if (len > BUF_BYTES) len = BUF_BYTES; /* the device's word: never past the buffer we gave it */
    *frame = n->rx_buf + (uint32_t)id * BUF_BYTES + NET_HDR;
    return len - NET_HDR;
}

void nic_rx_done(nic *n)
{
    if (!n->rx_held) return;
    n->rx_held = 0;
    vq_push(n->base, 0, &n->rx, n->rx_held_id);
}

int nic_tx(nic *n, const uint8_t *frame, uint32_t len)
{
    uint16_t id, slot;
    uint32_t l;
    if (len > BUF_BYTES - NET_HDR) return -1;
    /* Reclaim what the device sent; wait while every slot is in flight. */
    while ((uint16_t)(n->tx.avail_idx - n->tx.last_used) >= TX_SLOTS)
        while (vq_pop(&n->tx, &id, &l)) {
        }
    while (vq_pop(&n->tx, &id, &l)) {
    }
    slot = n->tx_next;
    n->tx_next = (uint16_t)((slot + 1) % TX_SLOTS);
    memset(n->tx_buf + (uint32_t)slot * BUF_BYTES, 0, NET_HDR);
    memcpy(n->tx_buf + (uint32_t)slot * BUF_BYTES + NET_HDR, frame, len);
    n->tx.desc[slot].len = NET_HDR + len;
    n->tx.desc[slot].flags = 0;
    vq_push(n->base, 1, &n->tx, slot);
    return 0;
}

int rng_present(void)
{
    return rng.base != 0;
}

void rng_read(uint8_t *buf, uint32_t len)
{
    while (len) {
        uint16_t id;
        uint32_t got = 0, want = len < 64 ? len : 64;
        rng.q.desc[0].addr = (uint32_t)(uintptr_t)rng.buf;
        rng.q.desc[0].len = want;
        rng.q.desc[0].flags = DESC_F_WRITE;
        vq_push(rng.base, 0, &rng.q, 0);
        while (!vq_pop(&rng.q, &id, &got)) {
        }
        if (got > want) got = want;
        memcpy(buf, rng.buf, got);
        buf += got;
        len -= got;
    }
}
