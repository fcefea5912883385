/*
 * mipfw on ESP-IDF (docs/esp32.md): read the node's configuration image, bring up Wi-Fi with the
 * configured MAC addresses, the local stack's esp_netif with the home address, and the Wasm3 task.
 */
#include <stdlib.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "nvs_flash.h"
#include "sdkconfig.h"

#include "port.h"

static const char *TAG = "mipfw-main";

QueueHandle_t port_queue;
mipfw_esp_node port_node;
port_stats_t port_stats;

void app_main(void) {
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        /* the Wi-Fi driver needs NVS; the node configuration is then gone too and must be flashed again */
        ESP_LOGW(TAG, "NVS partition unreadable (%s): erasing it", esp_err_to_name(err));
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);

    uint8_t *cfg = NULL;
    uint32_t cfg_len = 0;
    if (port_config_load(&cfg, &cfg_len) != ESP_OK) {
        ESP_LOGE(TAG, "no node configuration: nothing to run (docs/esp32.md, Configuration)");
        return;
    }
    char why[160];
    if (mipfw_esp_config_read(cfg, cfg_len, &port_node, why, sizeof why) != 0) {
        ESP_LOGE(TAG, "node configuration refused: %s", why);
        free(cfg);
        return;
    }
    ESP_LOGI(TAG, "node: roles 0x%02x, %u interfaces, %u chunks", (unsigned)port_node.roles,
             (unsigned)port_node.iface_count, (unsigned)port_node.chunks);

    port_queue = xQueueCreate(CONFIG_MIPFW_QUEUE_LEN, sizeof(port_msg_t));
    if (!port_queue) {
        ESP_LOGE(TAG, "no memory for the queue");
        return;
    }
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    ESP_ERROR_CHECK(port_netif_start());
    ESP_ERROR_CHECK(port_wifi_start());
    ESP_ERROR_CHECK(port_task_start(cfg, cfg_len));
}
