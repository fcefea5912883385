/*
 * The device's own IP stack (lwIP) behind the mipfw core: an esp_netif with a custom I/O driver on
 * lwIP's Ethernet netstack, holding the home address (a mobile node keeps it wherever it is; the core
 * tunnels and routes). lwIP transmits Ethernet frames into drv_transmit (tcpip thread): the virtual
 * link (mipfw_esp_vlink.h) answers lwIP's ARP requests and passes IPv4 packets to the Wasm3 task, which
 * calls mipfw_board_output. The core's `deliver` wraps a packet into a frame and hands it to
 * esp_netif_receive; lwIP frees it through drv_free_rx_buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_netif.h"
#include "esp_netif_defaults.h"

#include "mipfw_esp_vlink.h"
#include "port.h"

static const char *TAG = "mipfw-netif";

/* Locally administered addresses of the two ends of the virtual link (never on a real medium). */
static const uint8_t STACK_MAC[6] = {0x02, 0x6d, 0x69, 0x70, 0x00, 0x01};
static const uint8_t CORE_MAC[6] = {0x02, 0x6d, 0x69, 0x70, 0x00, 0x02};

typedef struct port_netif_driver {
    esp_netif_driver_base_t base; /* first: esp_netif hands this pointer back as the handle */
    mipfw_vlink link;
} port_netif_driver_t;

static port_netif_driver_t driver;
static esp_netif_t *netif;

static esp_err_t drv_transmit(void *h, void *buffer, size_t len) {
    port_netif_driver_t *d = h;
    const uint8_t *pkt;
    uint32_t pkt_len, reply_len;
    uint8_t reply[MIPFW_VLINK_ARP_LEN];
    if (len > UINT16_MAX) return ESP_OK;
    switch (mipfw_vlink_from_stack(&d->link, buffer, (uint32_t)len, &pkt, &pkt_len, reply, &reply_len)) {
    case MIPFW_VLINK_ARP_REPLY: {
        uint8_t *f = malloc(reply_len);
        if (!f) return ESP_ERR_NO_MEM;
        memcpy(f, reply, reply_len);
        return esp_netif_receive(d->base.netif, f, reply_len, f);
    }
    case MIPFW_VLINK_IPV4: {
        uint8_t *copy = malloc(pkt_len);
        if (!copy) {
            port_stats.out_no_mem++;
            return ESP_ERR_NO_MEM;
        }
        memcpy(copy, pkt, pkt_len);
        port_msg_t m = {.kind = PORT_MSG_OUTPUT, .iface = PORT_NO_IFACE, .len = (uint16_t)pkt_len, .data = copy};
        if (xQueueSend(port_queue, &m, 0) != pdTRUE) {
            port_stats.out_queue_full++;
            free(copy);
        }
        return ESP_OK;
    }
    default:
        return ESP_OK;
    }
}

static void drv_free_rx_buffer(void *h, void *buffer) {
    (void)h;
    free(buffer);
}

static esp_err_t drv_post_attach(esp_netif_t *esp_netif, esp_netif_iodriver_handle h) {
    port_netif_driver_t *d = h;
    d->base.netif = esp_netif;
    const esp_netif_driver_ifconfig_t cfg = {
        .handle = d,
        .transmit = drv_transmit,
        .driver_free_rx_buffer = drv_free_rx_buffer,
    };
    return esp_netif_set_driver_config(esp_netif, &cfg);
}

/* The Wasm3 task's `deliver`: one IPv4 packet for lwIP. */
void port_netif_deliver(const uint8_t *packet, uint32_t len) {
    if (!netif) return;
    uint32_t cap = len + MIPFW_VLINK_HDR;
    uint8_t *f = malloc(cap);
    if (!f) {
        port_stats.deliver_errors++;
        return;
    }
    uint32_t n = mipfw_vlink_to_stack(&driver.link, packet, len, f, cap);
    if (n == 0) {
        free(f);
        port_stats.deliver_errors++;
        return;
    }
    /* lwIP owns `f` from here on and frees it with drv_free_rx_buffer */
    if (esp_netif_receive(netif, f, n, f) != ESP_OK) port_stats.deliver_errors++;
}

esp_err_t port_netif_start(void) {
    uint8_t addr[4], plen;
    if (mipfw_esp_local_address(&port_node, addr, &plen) != 0) {
        ESP_LOGI(TAG, "no home or interface address: no local stack");
        return ESP_OK;
    }
    if (!(port_node.roles & MIPFW_ROLE_HOST)) {
        ESP_LOGI(TAG, "role host not configured: no local stack");
        return ESP_OK;
    }
    mipfw_vlink_init(&driver.link, STACK_MAC, CORE_MAC, addr);
    driver.base.post_attach = drv_post_attach;

    static esp_netif_ip_info_t ip;
    uint32_t mask = plen ? 0xffffffffu << (32 - plen) : 0;
    ip.ip.addr = ESP_IP4TOADDR(addr[0], addr[1], addr[2], addr[3]);
    ip.netmask.addr = esp_netif_htonl(mask);
    /* Any next hop works (the virtual link answers every ARP request); the home agent's address when
     * known, otherwise the first address of the home prefix (or the second if that is ours). */
    uint32_t a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) | ((uint32_t)addr[2] << 8) | addr[3];
    uint32_t gw = (a & mask) | 1u;
    if (gw == a) gw++;
    const uint8_t *ha = port_node.home_agent;
    if (ha[0] | ha[1] | ha[2] | ha[3]) gw = ((uint32_t)ha[0] << 24) | ((uint32_t)ha[1] << 16) | ((uint32_t)ha[2] << 8) | ha[3];
    ip.gw.addr = esp_netif_htonl(gw);

    esp_netif_inherent_config_t base = ESP_NETIF_INHERENT_DEFAULT_ETH();
    base.flags = (esp_netif_flags_t)(ESP_NETIF_FLAG_AUTOUP); /* static address: no DHCP client, no GARP */
    base.ip_info = &ip;
    base.if_key = "MIPFW";
    base.if_desc = "mipfw";
    base.route_prio = 100;
    memcpy(base.mac, STACK_MAC, 6);
    esp_netif_config_t cfg = {.base = &base, .driver = NULL, .stack = ESP_NETIF_NETSTACK_DEFAULT_ETH};
    netif = esp_netif_new(&cfg);
    if (!netif) return ESP_ERR_NO_MEM;
    esp_err_t err = esp_netif_attach(netif, &driver);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_netif setup: %s", esp_err_to_name(err));
        return err;
    }
    esp_netif_action_start(netif, NULL, 0, NULL);
    esp_netif_action_connected(netif, NULL, 0, NULL);
    esp_netif_set_default_netif(netif);
    ESP_LOGI(TAG, "local stack: " IPSTR "/%u via " IPSTR, IP2STR(&ip.ip), plen, IP2STR(&ip.gw));
    return ESP_OK;
}
