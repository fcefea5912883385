/*
 * Linux test driver for the ESP-IDF port's portable parts (test/host/esp-idf.test.mjs builds it with
 * the system compiler, with sanitizers when available):
 *
 *   port_test config IMAGE   read a configuration image, print what the port takes from it
 *                            (exit 0), or the refusal (exit 1)
 *   port_test vlink          the virtual link's cases; prints "vlink: N checks passed" (exit 0) or
 *                            the failed check (exit 1)
 *   port_test damage IMAGE   read every strict prefix of the image and every one-byte corruption of
 *                            it (each byte xor 0xff, and set to 0x00); prints the accepted prefix
 *                            lengths and the counts (a crash or sanitizer report fails the test)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mipfw_esp_config.h"
#include "mipfw_esp_vlink.h"

static int config_main(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 2;
    }
    static uint8_t img[1 << 20];
    size_t n = fread(img, 1, sizeof img, f);
    fclose(f);
    /* an exact-size heap copy so that the sanitizer sees any read past the end */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, img, n);
    mipfw_esp_node node;
    char err[160];
    int r = mipfw_esp_config_read(copy, (uint32_t)n, &node, err, sizeof err);
    free(copy);
    if (r != 0) {
        printf("refused: %s\n", err);
        return 1;
    }
    printf("roles %u\nchunks %u\ninterfaces %u\n", (unsigned)node.roles, (unsigned)node.chunks,
           (unsigned)node.iface_count);
    for (int i = 0; i < MIPFW_ESP_MAX_IFACES; i++) {
        const mipfw_esp_iface *x = &node.iface[i];
        if (!x->present) continue;
        printf("iface %d mac %02x:%02x:%02x:%02x:%02x:%02x addr %u.%u.%u.%u/%u mtu %u flags %u\n", i, x->mac[0],
               x->mac[1], x->mac[2], x->mac[3], x->mac[4], x->mac[5], x->addr[0], x->addr[1], x->addr[2], x->addr[3],
               x->prefix_len, x->mtu, x->flags);
    }
    if (node.has_home_address)
        printf("home %u.%u.%u.%u/%u agent %u.%u.%u.%u\n", node.home_address[0], node.home_address[1],
               node.home_address[2], node.home_address[3], node.home_prefix_len, node.home_agent[0],
               node.home_agent[1], node.home_agent[2], node.home_agent[3]);
    uint8_t a[4], plen;
    if (mipfw_esp_local_address(&node, a, &plen) == 0)
        printf("local %u.%u.%u.%u/%u\n", a[0], a[1], a[2], a[3], plen);
    else
        printf("local none\n");
    return 0;
}

static uint8_t *load(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static uint8_t buf[1 << 20];
    *n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static int read_exact(const uint8_t *src, size_t n, char *err, size_t errlen) {
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, src, n);
    mipfw_esp_node node;
    int r = mipfw_esp_config_read(copy, (uint32_t)n, &node, err, errlen);
    free(copy);
    return r;
}

static int damage_main(const char *path) {
    size_t n;
    uint8_t *img = load(path, &n);
    if (!img) {
        perror(path);
        return 2;
    }
    char err[160];
    unsigned refused = 0, unnamed = 0;
    printf("accepted prefixes:");
    for (size_t k = 0; k < n; k++) {
        err[0] = 0;
        if (read_exact(img, k, err, sizeof err) == 0)
            printf(" %u", (unsigned)k);
        else {
            refused++;
            if (!strstr(err, "expected")) unnamed++;
        }
    }
    printf("\nprefixes refused %u of %u\n", refused, (unsigned)n);
    static uint8_t mut[1 << 20];
    unsigned accepted = 0, tried = 0;
    for (size_t i = 0; i < n; i++) {
        for (int v = 0; v < 2; v++) {
            memcpy(mut, img, n);
            mut[i] = v ? 0 : (uint8_t)(img[i] ^ 0xff);
            if (mut[i] == img[i]) continue;
            tried++;
            err[0] = 0;
            if (read_exact(mut, n, err, sizeof err) == 0)
                accepted++;
            else if (!strstr(err, "expected"))
                unnamed++;
        }
    }
    printf("corruptions %u accepted %u refused %u\nrefusals without expected/got text %u\n", tried, accepted,
           tried - accepted, unnamed);
    return 0;
}

static int checks;
#define CHECK(cond)                                                                                                 \
    do {                                                                                                            \
        checks++;                                                                                                   \
        if (!(cond)) {                                                                                              \
            printf("vlink: check failed at line %d: %s\n", __LINE__, #cond);                                        \
            return 1;                                                                                               \
        }                                                                                                           \
    } while (0)

static const uint8_t STACK_MAC[6] = {0x02, 0x6d, 0x69, 0x70, 0, 1};
static const uint8_t CORE_MAC[6] = {0x02, 0x6d, 0x69, 0x70, 0, 2};
static const uint8_t STACK_IP[4] = {10, 0, 0, 5};

static uint32_t arp_request(uint8_t *f, const uint8_t *dst, const uint8_t spa[4], const uint8_t tpa[4]) {
    memcpy(f, dst, 6);
    memcpy(f + 6, STACK_MAC, 6);
    f[12] = 0x08, f[13] = 0x06;
    uint8_t *a = f + 14;
    const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
    memcpy(a, hdr, 8);
    memcpy(a + 8, STACK_MAC, 6);
    memcpy(a + 14, spa, 4);
    memset(a + 18, 0, 6);
    memcpy(a + 24, tpa, 4);
    return 42;
}

static uint32_t ipv4_frame(uint8_t *f, const uint8_t *dst, uint32_t ip_len, uint32_t frame_pad) {
    memcpy(f, dst, 6);
    memcpy(f + 6, STACK_MAC, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *p = f + 14;
    memset(p, 0, ip_len + frame_pad);
    p[0] = 0x45;
    p[2] = (uint8_t)(ip_len >> 8), p[3] = (uint8_t)ip_len;
    p[9] = 17;
    memcpy(p + 12, STACK_IP, 4);
    p[16] = 10, p[17] = 9, p[18] = 1, p[19] = 1;
    return 14 + ip_len + frame_pad;
}

static int vlink_main(void) {
    mipfw_vlink v;
    mipfw_vlink_init(&v, STACK_MAC, CORE_MAC, STACK_IP);
    static const uint8_t BC[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t f[1600], out[MIPFW_VLINK_ARP_LEN];
    const uint8_t *pkt;
    uint32_t pkt_len, out_len;

    /* ARP request for another address (the gateway): answered with the core's MAC */
    const uint8_t gw[4] = {10, 0, 0, 1};
    uint32_t n = arp_request(f, BC, STACK_IP, gw);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_ARP_REPLY);
    CHECK(out_len == 42);
    CHECK(memcmp(out, STACK_MAC, 6) == 0 && memcmp(out + 6, CORE_MAC, 6) == 0);
    CHECK(out[12] == 0x08 && out[13] == 0x06);
    CHECK(out[14 + 7] == 2);                                  /* op reply */
    CHECK(memcmp(out + 14 + 8, CORE_MAC, 6) == 0);            /* sender hw = core */
    CHECK(memcmp(out + 14 + 14, gw, 4) == 0);                 /* sender ip = asked address */
    CHECK(memcmp(out + 14 + 18, STACK_MAC, 6) == 0);          /* target hw = stack */
    CHECK(memcmp(out + 14 + 24, STACK_IP, 4) == 0);           /* target ip = stack */
    /* unicast to the core's MAC: answered too */
    n = arp_request(f, CORE_MAC, STACK_IP, gw);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_ARP_REPLY);
    /* duplicate-address probe for the stack's own address (sender 0.0.0.0): never answered */
    const uint8_t zero[4] = {0, 0, 0, 0};
    n = arp_request(f, BC, zero, STACK_IP);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    CHECK(out_len == 0);
    /* gratuitous announcement (sender = target) */
    n = arp_request(f, BC, gw, gw);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    /* an ARP reply (op 2) is not a request */
    n = arp_request(f, BC, STACK_IP, gw);
    f[14 + 7] = 2;
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    /* truncated ARP */
    n = arp_request(f, BC, STACK_IP, gw);
    CHECK(mipfw_vlink_from_stack(&v, f, n - 1, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    /* a frame for another MAC */
    const uint8_t other[6] = {0x02, 0, 0, 0, 0, 9};
    n = arp_request(f, other, STACK_IP, gw);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);

    /* IPv4 to the core: the packet without the Ethernet header, padding cut off by total length */
    n = ipv4_frame(f, CORE_MAC, 28, 18);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_IPV4);
    CHECK(pkt == f + 14 && pkt_len == 28);
    /* total length beyond the frame, header length below 20, not version 4, broadcast IPv4: dropped */
    n = ipv4_frame(f, CORE_MAC, 28, 0);
    CHECK(mipfw_vlink_from_stack(&v, f, n - 1, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    n = ipv4_frame(f, CORE_MAC, 28, 0);
    f[14] = 0x44;
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    n = ipv4_frame(f, CORE_MAC, 28, 0);
    f[14] = 0x65;
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    n = ipv4_frame(f, BC, 28, 0);
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    /* IPv6 and runt frames */
    n = ipv4_frame(f, CORE_MAC, 28, 0);
    f[12] = 0x86, f[13] = 0xdd;
    CHECK(mipfw_vlink_from_stack(&v, f, n, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    CHECK(mipfw_vlink_from_stack(&v, f, 13, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);
    CHECK(mipfw_vlink_from_stack(&v, NULL, 0, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_DROP);

    /* to the stack: header added; refused when it does not fit or is not IPv4 */
    uint8_t ip[28];
    n = ipv4_frame(f, CORE_MAC, 28, 0);
    memcpy(ip, f + 14, 28);
    uint8_t wrapped[64];
    CHECK(mipfw_vlink_to_stack(&v, ip, 28, wrapped, sizeof wrapped) == 42);
    CHECK(memcmp(wrapped, STACK_MAC, 6) == 0 && memcmp(wrapped + 6, CORE_MAC, 6) == 0);
    CHECK(wrapped[12] == 0x08 && wrapped[13] == 0x00 && memcmp(wrapped + 14, ip, 28) == 0);
    CHECK(mipfw_vlink_to_stack(&v, ip, 28, wrapped, 41) == 0);
    CHECK(mipfw_vlink_to_stack(&v, ip, 19, wrapped, sizeof wrapped) == 0);
    ip[0] = 0x60;
    CHECK(mipfw_vlink_to_stack(&v, ip, 28, wrapped, sizeof wrapped) == 0);
    /* round trip: what the core delivers comes back out as the same packet */
    ip[0] = 0x45;
    uint8_t back[64];
    uint32_t m = mipfw_vlink_to_stack(&v, ip, 28, wrapped, sizeof wrapped);
    memcpy(back, wrapped + 6, 6);      /* swap: the frame goes the other way */
    memcpy(back + 6, wrapped, 6);
    memcpy(back + 12, wrapped + 12, m - 12);
    CHECK(mipfw_vlink_from_stack(&v, back, m, &pkt, &pkt_len, out, &out_len) == MIPFW_VLINK_IPV4);
    CHECK(pkt_len == 28 && memcmp(pkt, ip, 28) == 0);

    printf("vlink: %d checks passed\n", checks);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "config") == 0) return config_main(argv[2]);
    if (argc == 2 && strcmp(argv[1], "vlink") == 0) return vlink_main();
    if (argc == 3 && strcmp(argv[1], "damage") == 0) return damage_main(argv[2]);
    fprintf(stderr, "usage: port_test config IMAGE | port_test vlink | port_test damage IMAGE\n");
    return 2;
}
