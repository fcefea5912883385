/*
 * The ESP-IDF platform of the mipfw C host (mipfw_platform.h): shared state of the example's files.
 *
 * Threads: only the Wasm3 task (port_task.c) calls into the board. The Wi-Fi driver's RX callbacks,
 * the Wi-Fi event handler and lwIP's transmit (tcpip thread) post messages to its queue.
 */
#ifndef MIPFW_PORT_H
#define MIPFW_PORT_H

#include <stdint.h>

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "esp_err.h"

#include "mipfw_esp_config.h"

#define PORT_NO_IFACE 0xffu

enum port_msg_kind {
    PORT_MSG_RX = 1,     /* data: frame inside a Wi-Fi RX buffer, eb: the buffer to free */
    PORT_MSG_LINK = 2,   /* up, bssid (valid when has_bssid) */
    PORT_MSG_OUTPUT = 3, /* data: heap copy of an IPv4 packet from lwIP, freed by the task */
};

typedef struct port_msg {
    uint8_t kind;
    uint8_t iface; /* mipfw interface index */
    uint8_t up;
    uint8_t has_bssid;
    uint8_t bssid[6];
    uint16_t len;
    void *data;
    void *eb;
} port_msg_t;

typedef struct port_stats {
    uint32_t rx_queue_full; /* Wi-Fi frames dropped because the queue was full */
    uint32_t tx_errors;     /* esp_wifi_internal_tx refusals */
    uint32_t out_queue_full;
    uint32_t out_no_mem;
    uint32_t deliver_errors;
} port_stats_t;

extern QueueHandle_t port_queue;
extern mipfw_esp_node port_node;
extern port_stats_t port_stats;

/* port_config.c: the configuration image (caller keeps it for the board's lifetime). */
esp_err_t port_config_load(uint8_t **img, uint32_t *len);

/* port_wifi.c */
esp_err_t port_wifi_start(void);
void port_wifi_tx(uint32_t iface, const uint8_t *frame, uint32_t len);

/* port_netif.c: the local stack's esp_netif (lwIP sees the home address). */
esp_err_t port_netif_start(void);
void port_netif_deliver(const uint8_t *packet, uint32_t len);

/* port_task.c */
esp_err_t port_task_start(const uint8_t *cfg, uint32_t cfg_len);

#endif
