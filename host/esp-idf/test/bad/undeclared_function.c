// expect: [-Werror=implicit-function-declaration]
/* Compile-check self-test (test/host/esp-idf.test.mjs): compiles as is; with -DMIPFW_BAD it calls an
 * ESP-IDF function that does not exist, which must fail (-Werror=implicit-function-declaration). */
#include "esp_private/wifi.h"

int send_frame(void *frame, uint16_t len) {
#ifdef MIPFW_BAD
    return esp_wifi_internal_transmit(WIFI_IF_STA, frame, len);
#else
    return esp_wifi_internal_tx(WIFI_IF_STA, frame, len);
#endif
}
