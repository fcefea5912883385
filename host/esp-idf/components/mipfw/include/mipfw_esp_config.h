/*
 * What the ESP-IDF port reads from the node's configuration image (mipfw_host.h): the interfaces'
 * MAC addresses (the Wi-Fi station and SoftAP MACs are set to them), the roles (agent roles bring up a
 * second interface) and the home address (the esp_netif of the local stack). Everything else is the
 * core's business: it validates the records again and refuses with its own reasons.
 *
 * Portable C (no ESP-IDF header): unit-tested on Linux by test/host/esp-idf.test.mjs.
 */
#ifndef MIPFW_ESP_CONFIG_H
#define MIPFW_ESP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIPFW_ESP_MAX_IFACES 8

/* NODE roles bits (docs/abi.md "Configuration"). */
#define MIPFW_ROLE_ROUTER 1u
#define MIPFW_ROLE_HOST 2u
#define MIPFW_ROLE_MOBILE_NODE 4u
#define MIPFW_ROLE_FOREIGN_AGENT 8u
#define MIPFW_ROLE_HOME_AGENT 16u

typedef struct mipfw_esp_iface {
    uint8_t present;    /* an IFACE record with this index was found */
    uint8_t flags;      /* bit 0 advertise, bit 1 home network, bit 2 DHCP */
    uint8_t mac[6];
    uint16_t mtu;
    uint8_t prefix_len; /* IPv4 prefix length (the record's 96 + n, minus 96) */
    uint8_t addr[4];    /* IPv4 address; 0.0.0.0 when unnumbered */
} mipfw_esp_iface;

typedef struct mipfw_esp_node {
    uint32_t roles;
    uint32_t iface_count;             /* IFACE records */
    mipfw_esp_iface iface[MIPFW_ESP_MAX_IFACES];
    uint8_t has_home_address;         /* MOBILITY homeAddress given */
    uint8_t home_address[4];
    uint8_t home_agent[4];            /* 0.0.0.0: absent or dynamic discovery */
    uint8_t home_prefix_len;          /* 0: absent */
    uint32_t memory_pages;            /* BOARD memoryPages, 0 when absent */
    uint32_t chunks;                  /* chunks in the image */
} mipfw_esp_node;

/**
 * Read the configuration image `img` (chunks: u32 LE length + "MIPF" v2 records). Returns 0 and fills
 * `out`, or -1 with `err` naming the field, what was expected and what was found. Never reads outside
 * `img[0..len)`.
 */
int mipfw_esp_config_read(const uint8_t *img, uint32_t len, mipfw_esp_node *out, char *err, size_t errlen);

/** The address the local stack (esp_netif) gets: the home address, else interface 0's address.
 *  Returns 0 and fills addr/prefix_len, -1 when the node has none. */
int mipfw_esp_local_address(const mipfw_esp_node *n, uint8_t addr[4], uint8_t *prefix_len);

#ifdef __cplusplus
}
#endif

#endif
