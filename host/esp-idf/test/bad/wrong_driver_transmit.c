// expect: [-Werror=incompatible-pointer-types]
/* Compile-check self-test: with -DMIPFW_BAD the custom esp_netif driver's transmit function takes the
 * length as int, not size_t,: must fail
 * (-Werror=incompatible-pointer-types). */
#include "esp_netif.h"

#ifdef MIPFW_BAD
static esp_err_t transmit(void *h, void *buffer, int len) {
    return ESP_OK;
}
#else
static esp_err_t transmit(void *h, void *buffer, size_t len) {
    return ESP_OK;
}
#endif

esp_err_t configure(esp_netif_t *netif, void *driver) {
    const esp_netif_driver_ifconfig_t cfg = {.handle = driver, .transmit = transmit};
    return esp_netif_set_driver_config(netif, &cfg);
}
