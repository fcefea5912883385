/*
 * The virtual Ethernet link between the device's lwIP (an esp_netif with a custom driver) and the
 * mipfw core. The core's local-stack interface carries IPv4 packets (`deliver` / mipfw_board_output);
 * an esp_netif on lwIP's Ethernet netstack carries Ethernet frames and resolves next hops by ARP. This
 * link adds and strips the 14-byte Ethernet header and answers lwIP's ARP requests itself (proxy ARP:
 * every address is behind the core), except for the stack's own address (lwIP's duplicate-address
 * probe must stay unanswered) and gratuitous announcements. The frames never leave the device.
 *
 * Portable C (no ESP-IDF header): unit-tested on Linux by test/host/esp-idf.test.mjs.
 */
#ifndef MIPFW_ESP_VLINK_H
#define MIPFW_ESP_VLINK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIPFW_VLINK_HDR 14
#define MIPFW_VLINK_ARP_LEN 42

typedef struct mipfw_vlink {
    uint8_t stack_mac[6]; /* lwIP's side (the esp_netif's MAC) */
    uint8_t core_mac[6];  /* the core's side, answered for every address */
    uint8_t stack_ip[4];
} mipfw_vlink;

enum {
    MIPFW_VLINK_DROP = 0,      /* not for the core (counted by the caller) */
    MIPFW_VLINK_IPV4 = 1,      /* pkt, pkt_len: the IPv4 packet for mipfw_board_output */
    MIPFW_VLINK_ARP_REPLY = 2, /* out[0..*out_len): the reply frame to hand back to the stack */
};

void mipfw_vlink_init(mipfw_vlink *v, const uint8_t stack_mac[6], const uint8_t core_mac[6], const uint8_t stack_ip[4]);

/** Classify one frame the stack transmitted. `out` must hold MIPFW_VLINK_ARP_LEN bytes. */
int mipfw_vlink_from_stack(const mipfw_vlink *v, const uint8_t *frame, uint32_t len, const uint8_t **pkt,
                           uint32_t *pkt_len, uint8_t *out, uint32_t *out_len);

/** Wrap one IPv4 packet for the stack into `out` (capacity `cap`): the frame length, 0 if it does not
 *  fit or is not IPv4. */
uint32_t mipfw_vlink_to_stack(const mipfw_vlink *v, const uint8_t *pkt, uint32_t len, uint8_t *out, uint32_t cap);

#ifdef __cplusplus
}
#endif

#endif
