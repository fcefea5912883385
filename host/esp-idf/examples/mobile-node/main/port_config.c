/* The node's configuration image: NVS blob (namespace "mipfw", key "config") or embedded file. */
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "nvs.h"
#include "sdkconfig.h"

#include "port.h"

static const char *TAG = "mipfw-cfg";

/* The core's configuration buffer is 4096 bytes per chunk; a home agent's image may have many chunks. */
#define PORT_CONFIG_MAX (64u * 1024u)

#if CONFIG_MIPFW_CONFIG_EMBEDDED
extern const uint8_t node_config_start[] asm("_binary_node_config_bin_start");
extern const uint8_t node_config_end[] asm("_binary_node_config_bin_end");
#endif

esp_err_t port_config_load(uint8_t **img, uint32_t *len) {
    *img = NULL;
    *len = 0;
#if CONFIG_MIPFW_CONFIG_EMBEDDED
    size_t n = (size_t)(node_config_end - node_config_start);
    if (n == 0 || n > PORT_CONFIG_MAX) {
        ESP_LOGE(TAG, "embedded node-config.bin size: expected 1..%u bytes, got %u", (unsigned)PORT_CONFIG_MAX,
                 (unsigned)n);
        return ESP_ERR_INVALID_SIZE;
    }
    *img = malloc(n);
    if (!*img) return ESP_ERR_NO_MEM;
    memcpy(*img, node_config_start, n);
    *len = (uint32_t)n;
    ESP_LOGI(TAG, "configuration: embedded, %u bytes", (unsigned)n);
    return ESP_OK;
#else
    nvs_handle_t h;
    esp_err_t err = nvs_open("mipfw", NVS_READONLY, &h);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "NVS namespace mipfw: %s (flash the configuration first, docs/esp32.md)", esp_err_to_name(err));
        return err;
    }
    size_t n = 0;
    err = nvs_get_blob(h, "config", NULL, &n);
    if (err == ESP_OK && (n == 0 || n > PORT_CONFIG_MAX)) {
        ESP_LOGE(TAG, "NVS mipfw/config size: expected 1..%u bytes, got %u", (unsigned)PORT_CONFIG_MAX, (unsigned)n);
        err = ESP_ERR_INVALID_SIZE;
    }
    if (err == ESP_OK) {
        *img = malloc(n);
        if (!*img) err = ESP_ERR_NO_MEM;
    }
    if (err == ESP_OK) err = nvs_get_blob(h, "config", *img, &n);
    nvs_close(h);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "NVS mipfw/config: %s", esp_err_to_name(err));
        free(*img);
        *img = NULL;
        return err;
    }
    *len = (uint32_t)n;
    ESP_LOGI(TAG, "configuration: NVS, %u bytes", (unsigned)n);
    return ESP_OK;
#endif
}
