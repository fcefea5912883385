/*
 * The Wasm3 task: the only task that calls into the mipfw board (mipfw_host.h). It opens the board
 * with the embedded build/firmware.wasm and the node's configuration image, then waits on the port
 * queue until the core's next timer deadline: received frames, link events and the local stack's
 * packets are handled in arrival order, timers after each batch.
 *
 * Platform callbacks (mipfw_platform.h): now_ms = esp_timer_get_time()/1000, random = esp_fill_random,
 * tx = esp_wifi_internal_tx (port_wifi.c), deliver = esp_netif_receive (port_netif.c), log and event =
 * ESP_LOG (tags "mipfw" and "mipfw-ev"; an event line is its kind and the record in hex, decoded by
 * the tools with schema/events.json).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_private/wifi.h"
#include "esp_random.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "mipfw_host.h"
#include "port.h"

static const char *TAG = "mipfw";
static const char *EV_TAG = "mipfw-ev";

extern const uint8_t firmware_wasm_start[] asm("_binary_firmware_wasm_start");
extern const uint8_t firmware_wasm_end[] asm("_binary_firmware_wasm_end");

static const uint8_t *cfg_image;
static uint32_t cfg_image_len;

/* Event kind names of docs/abi.md "Events" (schema/events.json), for readable log lines. */
static const char *const EVENT_NAMES[] = {
    "?", "LINK", "ARP_RESOLVED", "ARP_FAILED", "CONFIG_REFUSED", "REG_REQUEST", "REG_REPLY", "MOVE",
    "BINDING", "VISITOR", "AUTH_FAILED", "REG_DENIED", "DHCP", "HOME", "RO_BINDING", "DR_ROUTE", "DR_REG",
    "ADDR6", "ROUTER6",
};

static int64_t plat_now_ms(void *ctx) {
    (void)ctx;
    return esp_timer_get_time() / 1000;
}

static void plat_tx(void *ctx, uint32_t iface, const uint8_t *frame, uint32_t len) {
    (void)ctx;
    port_wifi_tx(iface, frame, len);
}

static void plat_deliver(void *ctx, const uint8_t *packet, uint32_t len) {
    (void)ctx;
    port_netif_deliver(packet, len);
}

static void plat_random(void *ctx, uint8_t *buf, uint32_t len) {
    (void)ctx;
    /* true random numbers while the radio is on (Wi-Fi is started before the board) */
    esp_fill_random(buf, len);
}

static void plat_log(void *ctx, int level, const char *text, uint32_t len) {
    (void)ctx;
    int n = len > 512 ? 512 : (int)len;
    switch (level) {
    case 0:
        ESP_LOGE(TAG, "%.*s", n, text);
        break;
    case 1:
        ESP_LOGW(TAG, "%.*s", n, text);
        break;
    case 2:
        ESP_LOGI(TAG, "%.*s", n, text);
        break;
    default:
        ESP_LOGD(TAG, "%.*s", n, text);
        break;
    }
}

static void plat_event(void *ctx, int kind, const uint8_t *data, uint32_t len) {
    (void)ctx;
    char hex[2 * 64 + 1];
    static const char DIGITS[] = "0123456789abcdef";
    uint32_t n = len > 64 ? 64 : len;
    for (uint32_t i = 0; i < n; i++) {
        hex[2 * i] = DIGITS[data[i] >> 4];
        hex[2 * i + 1] = DIGITS[data[i] & 15];
    }
    hex[2 * n] = 0;
    const char *name = kind > 0 && kind < (int)(sizeof EVENT_NAMES / sizeof EVENT_NAMES[0]) ? EVENT_NAMES[kind] : "?";
    ESP_LOGI(EV_TAG, "%d %s %s", kind, name, hex);
}

static const mipfw_platform PLATFORM = {
    .ctx = NULL,
    .now_ms = plat_now_ms,
    .tx = plat_tx,
    .deliver = plat_deliver,
    .random = plat_random,
    .log = plat_log,
    .event = plat_event,
};

static void options(mipfw_options *opt) {
    mipfw_options_default(opt);
    opt->stack_bytes = CONFIG_MIPFW_VALUE_STACK_BYTES;
    opt->memory_limit = CONFIG_MIPFW_MEMORY_LIMIT;
#if CONFIG_MIPFW_EAGER_COMPILE
    opt->eager = 1;
#else
    opt->eager = 0;
#endif
#if CONFIG_MIPFW_WARM_UP
    opt->warm_up = 1;
#else
    opt->warm_up = 0;
#endif
}

static mipfw_board *open_board(void) {
    static char err[192];
    mipfw_options opt;
    options(&opt);
    size_t before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    mipfw_board *b = NULL;
    uint32_t wasm_len = (uint32_t)(firmware_wasm_end - firmware_wasm_start);
    if (mipfw_board_open(&b, firmware_wasm_start, wasm_len, cfg_image, cfg_image_len, &opt, &PLATFORM, err,
                         sizeof err) != 0) {
        ESP_LOGE(TAG, "board refused to start: %s", err);
        return NULL;
    }
    size_t after = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    ESP_LOGI(TAG, "board started: firmware %" PRIu32 " bytes, linear memory %" PRIu32 " bytes (%" PRIu32
                  " pages), tables %" PRIu32 " bytes, heap taken %u bytes, free %u (lowest %u), task stack left %u",
             wasm_len, mipfw_board_memory_bytes(b), mipfw_board_memory_pages(b), mipfw_board_heap_used(b),
             (unsigned)(before - after), (unsigned)after, (unsigned)heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT),
             (unsigned)uxTaskGetStackHighWaterMark(NULL));
    return b;
}

/* Link state seen by the task, replayed to a board opened later (after a refusal or a trap). */
static struct {
    uint8_t up, has_bssid, bssid[6];
} links[MIPFW_ESP_MAX_IFACES];

static void replay_links(mipfw_board *b) {
    for (uint32_t i = 0; i < MIPFW_ESP_MAX_IFACES; i++)
        if (links[i].up) mipfw_board_link(b, i, 1, links[i].has_bssid ? links[i].bssid : NULL);
}

static void handle(mipfw_board *b, const port_msg_t *m) {
    switch (m->kind) {
    case PORT_MSG_RX:
        if (b) mipfw_board_rx(b, m->iface, m->data, m->len);
        esp_wifi_internal_free_rx_buffer(m->eb);
        break;
    case PORT_MSG_LINK:
        if (m->iface < MIPFW_ESP_MAX_IFACES) {
            links[m->iface].up = m->up;
            links[m->iface].has_bssid = m->has_bssid;
            memcpy(links[m->iface].bssid, m->bssid, 6);
        }
        if (b) mipfw_board_link(b, m->iface, m->up, m->has_bssid ? m->bssid : NULL);
        break;
    case PORT_MSG_OUTPUT:
        if (b) mipfw_board_output(b, m->data, m->len);
        free(m->data);
        break;
    default:
        break;
    }
}

static void report(mipfw_board *b) {
    ESP_LOGI(TAG, "heap free %u (lowest %u), task stack left %u; queue full %" PRIu32 ", tx errors %" PRIu32
                  ", local out dropped %" PRIu32 "+%" PRIu32 ", deliver errors %" PRIu32,
             (unsigned)heap_caps_get_free_size(MALLOC_CAP_8BIT),
             (unsigned)heap_caps_get_minimum_free_size(MALLOC_CAP_8BIT), (unsigned)uxTaskGetStackHighWaterMark(NULL),
             port_stats.rx_queue_full, port_stats.tx_errors, port_stats.out_queue_full, port_stats.out_no_mem,
             port_stats.deliver_errors);
    if (!b) return;
    uint32_t n = mipfw_board_counter_count(b);
    for (uint32_t i = 0; i < n; i++) {
        const char *name;
        uint32_t name_len;
        uint64_t v = mipfw_board_counter(b, i, &name, &name_len);
        if (v) ESP_LOGD(TAG, "counter %.*s = %" PRIu64, (int)name_len, name, v);
    }
}

static void board_task(void *arg) {
    (void)arg;
    mipfw_board *b = open_board();
    int64_t deadline = INT64_MAX;
    int64_t next_report = plat_now_ms(NULL) + 60000;
    int64_t retry_at = b ? INT64_MAX : plat_now_ms(NULL) + 10000;
    for (;;) {
        int64_t now = plat_now_ms(NULL);
        int64_t until = deadline < next_report ? deadline : next_report;
        if (retry_at < until) until = retry_at;
        int64_t wait_ms = until <= now ? 0 : until - now;
        if (wait_ms > 1000) wait_ms = 1000;
        port_msg_t m;
        /* rounded up to whole ticks: waking early would spin until the deadline */
        TickType_t ticks = (TickType_t)((wait_ms + portTICK_PERIOD_MS - 1) / portTICK_PERIOD_MS);
        if (xQueueReceive(port_queue, &m, ticks) == pdTRUE) {
            handle(b, &m);
            /* the rest of the batch without blocking */
            while (xQueueReceive(port_queue, &m, 0) == pdTRUE) handle(b, &m);
        }
        now = plat_now_ms(NULL);
        if (b) deadline = mipfw_board_tick(b, now);
        if (b && mipfw_board_trapped(b)) {
            /* the board refuses every call after a trap: report it, start again from the configuration */
            ESP_LOGE(TAG, "board stopped: %s; restarting it in 10 s", mipfw_board_trapped(b));
            mipfw_board_close(b);
            b = NULL;
            deadline = INT64_MAX;
            retry_at = now + 10000;
        }
        if (!b && now >= retry_at) {
            b = open_board();
            retry_at = b ? INT64_MAX : now + 10000;
            if (b) {
                replay_links(b);
                deadline = mipfw_board_tick(b, plat_now_ms(NULL));
            }
        }
        if (now >= next_report) {
            report(b);
            next_report = now + 60000;
        }
    }
}

esp_err_t port_task_start(const uint8_t *cfg, uint32_t cfg_len) {
    cfg_image = cfg;
    cfg_image_len = cfg_len;
    /* Internal RAM for the stack (Wasm3 recurses on it while compiling); Wasm3 itself runs from flash. */
    if (xTaskCreate(board_task, "mipfw", CONFIG_MIPFW_TASK_STACK, NULL, CONFIG_MIPFW_TASK_PRIORITY, NULL) != pdPASS)
        return ESP_ERR_NO_MEM;
    return ESP_OK;
}
