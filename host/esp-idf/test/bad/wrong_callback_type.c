// expect: [-Werror=incompatible-pointer-types]
/* Compile-check self-test: with -DMIPFW_BAD the Wi-Fi RX callback has the wrong signature (no `eb`
 * argument, so the driver's buffer could never be freed), which must fail
 * (-Werror=incompatible-pointer-types). */
#include "esp_private/wifi.h"

#ifdef MIPFW_BAD
static esp_err_t rx(void *buffer, uint16_t len) {
    return ESP_OK;
}
#else
static esp_err_t rx(void *buffer, uint16_t len, void *eb) {
    esp_wifi_internal_free_rx_buffer(eb);
    return ESP_OK;
}
#endif

esp_err_t attach(void) {
    return esp_wifi_internal_reg_rxcb(WIFI_IF_STA, rx);
}
