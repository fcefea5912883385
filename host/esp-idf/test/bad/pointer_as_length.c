// expect: [-Werror=int-conversion]
/* Compile-check self-test: with -DMIPFW_BAD a pointer is passed where esp_netif_receive takes the
 * length, which must fail (-Werror=int-conversion). */
#include "esp_netif.h"

esp_err_t hand_to_lwip(esp_netif_t *netif, void *frame, size_t len) {
#ifdef MIPFW_BAD
    return esp_netif_receive(netif, frame, frame, frame);
#else
    return esp_netif_receive(netif, frame, len, frame);
#endif
}
