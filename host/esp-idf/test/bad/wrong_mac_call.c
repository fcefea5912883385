// expect: incompatible type for argument 1 of 'esp_wifi_set_mac'
/* Compile-check self-test: with -DMIPFW_BAD esp_wifi_set_mac gets its arguments swapped (the MAC
 * first, the interface second), which must fail (an enum argument given a pointer). */
#include "esp_wifi.h"

esp_err_t set_station_mac(const uint8_t mac[6]) {
#ifdef MIPFW_BAD
    return esp_wifi_set_mac(mac, WIFI_IF_STA);
#else
    return esp_wifi_set_mac(WIFI_IF_STA, mac);
#endif
}
