/* The local stack's virtual Ethernet link (mipfw_esp_vlink.h). */
#include "mipfw_esp_vlink.h"

#include <string.h>

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void mipfw_vlink_init(mipfw_vlink *v, const uint8_t stack_mac[6], const uint8_t core_mac[6], const uint8_t stack_ip[4]) {
    memcpy(v->stack_mac, stack_mac, 6);
    memcpy(v->core_mac, core_mac, 6);
    memcpy(v->stack_ip, stack_ip, 4);
}

static uint32_t ipv4_len(const uint8_t *p, uint32_t len) {
    if (len < 20 || (p[0] >> 4) != 4 || (uint32_t)(p[0] & 15) * 4 < 20) return 0;
    uint32_t total = ((uint32_t)p[2] << 8) | p[3];
    if (total < (uint32_t)(p[0] & 15) * 4 || total > len) return 0;
    return total; /* Ethernet padding after the datagram is cut off */
}

int mipfw_vlink_from_stack(const mipfw_vlink *v, const uint8_t *frame, uint32_t len, const uint8_t **pkt,
                           uint32_t *pkt_len, uint8_t *out, uint32_t *out_len) {
    *pkt = 0;
    *pkt_len = 0;
    *out_len = 0;
    if (!frame || len < MIPFW_VLINK_HDR) return MIPFW_VLINK_DROP;
    if (memcmp(frame, v->core_mac, 6) != 0 && memcmp(frame, BCAST, 6) != 0) return MIPFW_VLINK_DROP;
    uint16_t type = (uint16_t)((frame[12] << 8) | frame[13]);
    const uint8_t *p = frame + MIPFW_VLINK_HDR;
    uint32_t n = len - MIPFW_VLINK_HDR;
    if (type == 0x0800) {
        if (memcmp(frame, v->core_mac, 6) != 0) return MIPFW_VLINK_DROP; /* broadcast IPv4: not routed */
        uint32_t total = ipv4_len(p, n);
        if (!total) return MIPFW_VLINK_DROP;
        *pkt = p;
        *pkt_len = total;
        return MIPFW_VLINK_IPV4;
    }
    if (type != 0x0806 || n < 28) return MIPFW_VLINK_DROP;
    /* ARP for IPv4 over Ethernet, requests only */
    if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0 || p[4] != 6 || p[5] != 4 || p[6] != 0 || p[7] != 1)
        return MIPFW_VLINK_DROP;
    const uint8_t *sha = p + 8, *spa = p + 14, *tpa = p + 24;
    if (memcmp(tpa, v->stack_ip, 4) == 0) return MIPFW_VLINK_DROP; /* the stack's own address */
    if (memcmp(tpa, spa, 4) == 0) return MIPFW_VLINK_DROP;         /* gratuitous announcement */
    static const uint8_t zero[4] = {0, 0, 0, 0};
    if (memcmp(tpa, zero, 4) == 0) return MIPFW_VLINK_DROP;
    memcpy(out, sha, 6);
    memcpy(out + 6, v->core_mac, 6);
    out[12] = 0x08;
    out[13] = 0x06;
    uint8_t *a = out + MIPFW_VLINK_HDR;
    a[0] = 0; a[1] = 1; a[2] = 0x08; a[3] = 0; a[4] = 6; a[5] = 4; a[6] = 0; a[7] = 2;
    memcpy(a + 8, v->core_mac, 6);
    memcpy(a + 14, tpa, 4);
    memcpy(a + 18, sha, 6);
    memcpy(a + 24, spa, 4);
    *out_len = MIPFW_VLINK_ARP_LEN;
    return MIPFW_VLINK_ARP_REPLY;
}

uint32_t mipfw_vlink_to_stack(const mipfw_vlink *v, const uint8_t *pkt, uint32_t len, uint8_t *out, uint32_t cap) {
    if (!pkt || len < 20 || (pkt[0] >> 4) != 4 || cap < MIPFW_VLINK_HDR || len > cap - MIPFW_VLINK_HDR) return 0;
    memcpy(out, v->stack_mac, 6);
    memcpy(out + 6, v->core_mac, 6);
    out[12] = 0x08;
    out[13] = 0x00;
    memcpy(out + MIPFW_VLINK_HDR, pkt, len);
    return len + MIPFW_VLINK_HDR;
}
