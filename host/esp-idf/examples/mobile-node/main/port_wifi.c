/*
 * Wi-Fi for the mipfw board: the station (and, for agent roles, a SoftAP) carries the core's Ethernet
 * II frames directly, without lwIP: frames arrive through esp_wifi_internal_reg_rxcb and leave through
 * esp_wifi_internal_tx. No default Wi-Fi esp_netif is created, so nothing else claims these frames.
 *
 * Link events: WIFI_EVENT_STA_CONNECTED (with the access point's BSSID) and STA_DISCONNECTED become
 * mipfw_board_link on the station's interface; a new BSSID after a reconnection is how the core sees a
 * move between access points of one SSID. AP_START / AP_STOP drive the SoftAP's interface.
 */
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_private/wifi.h"
#include "esp_wifi.h"
#include "sdkconfig.h"

#include "port.h"

static const char *TAG = "mipfw-wifi";

static uint8_t sta_iface = PORT_NO_IFACE;
static uint8_t ap_iface = PORT_NO_IFACE;

/* A link event must not be lost to a burst of received frames filling the queue (the core would keep
 * a link it no longer has, or never see the new access point): wait up to 100 ms for the Wasm3 task to
 * make room. This runs in the event loop task, never in the Wi-Fi driver's. */
static void post(const port_msg_t *m) {
    if (xQueueSend(port_queue, m, pdMS_TO_TICKS(100)) != pdTRUE)
        ESP_LOGE(TAG, "queue full for 100 ms: link event of iface %u lost", m->iface);
}

/* Wi-Fi driver task context: queue the frame, keep the driver's buffer until the Wasm3 task is done. */
static esp_err_t rx_queue(uint8_t iface, void *buffer, uint16_t len, void *eb) {
    port_msg_t m = {.kind = PORT_MSG_RX, .iface = iface, .len = len, .data = buffer, .eb = eb};
    if (xQueueSend(port_queue, &m, 0) != pdTRUE) {
        port_stats.rx_queue_full++;
        esp_wifi_internal_free_rx_buffer(eb);
    }
    return ESP_OK;
}

static esp_err_t sta_rx(void *buffer, uint16_t len, void *eb) { return rx_queue(sta_iface, buffer, len, eb); }

#if CONFIG_MIPFW_SOFTAP
static esp_err_t ap_rx(void *buffer, uint16_t len, void *eb) { return rx_queue(ap_iface, buffer, len, eb); }
#endif

void port_wifi_tx(uint32_t iface, const uint8_t *frame, uint32_t len) {
    wifi_interface_t ifx;
    if (iface == sta_iface) {
        ifx = WIFI_IF_STA;
    } else if (iface == ap_iface) {
        ifx = WIFI_IF_AP;
    } else {
        port_stats.tx_errors++;
        return;
    }
    if (len > UINT16_MAX) {
        port_stats.tx_errors++;
        return;
    }
    /* The driver copies the frame before returning (esp_private/wifi.h); it only takes a non-const pointer. */
    int r = esp_wifi_internal_tx(ifx, (void *)frame, (uint16_t)len);
    if (r != ESP_OK) port_stats.tx_errors++;
}

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
    (void)arg;
    (void)base;
    port_msg_t m = {.kind = PORT_MSG_LINK};
    switch (id) {
    case WIFI_EVENT_STA_START:
        ESP_ERROR_CHECK(esp_wifi_internal_reg_rxcb(WIFI_IF_STA, sta_rx));
        esp_wifi_connect();
        break;
    case WIFI_EVENT_STA_CONNECTED: {
        const wifi_event_sta_connected_t *e = data;
        /* (re-)register: the driver keeps one callback per interface */
        esp_wifi_internal_reg_rxcb(WIFI_IF_STA, sta_rx);
        m.iface = sta_iface;
        m.up = 1;
        m.has_bssid = 1;
        memcpy(m.bssid, e->bssid, 6);
        ESP_LOGI(TAG, "station connected to " MACSTR " channel %u", MAC2STR(e->bssid), e->channel);
        post(&m);
        break;
    }
    case WIFI_EVENT_STA_DISCONNECTED: {
        const wifi_event_sta_disconnected_t *e = data;
        ESP_LOGI(TAG, "station disconnected from " MACSTR " reason %u", MAC2STR(e->bssid), e->reason);
        m.iface = sta_iface;
        m.up = 0;
        post(&m);
        esp_wifi_connect(); /* scans again and joins the strongest access point of the SSID */
        break;
    }
#if CONFIG_MIPFW_SOFTAP
    case WIFI_EVENT_AP_START:
        ESP_ERROR_CHECK(esp_wifi_internal_reg_rxcb(WIFI_IF_AP, ap_rx));
        m.iface = ap_iface;
        m.up = 1;
        post(&m);
        break;
    case WIFI_EVENT_AP_STOP:
        m.iface = ap_iface;
        m.up = 0;
        post(&m);
        break;
    case WIFI_EVENT_AP_STACONNECTED: {
        const wifi_event_ap_staconnected_t *e = data;
        ESP_LOGI(TAG, "SoftAP: station " MACSTR " joined (aid %u)", MAC2STR(e->mac), e->aid);
        break;
    }
#endif
    default:
        break;
    }
}

/* esp_wifi_set_mac's constraints: a unicast address (bit 0 of the first byte clear), different
 * addresses for the station and the SoftAP, set while the interface is not started. */
static esp_err_t set_mac(wifi_interface_t ifx, uint8_t iface) {
    const mipfw_esp_iface *f = &port_node.iface[iface];
    if (!f->present) {
        ESP_LOGE(TAG, "configuration: interface %u: expected an IFACE record, got none", iface);
        return ESP_ERR_INVALID_ARG;
    }
    if (f->mac[0] & 1) {
        ESP_LOGE(TAG, "interface %u mac: expected a unicast address, got " MACSTR, iface, MAC2STR(f->mac));
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = esp_wifi_set_mac(ifx, f->mac);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_wifi_set_mac(%s, " MACSTR "): %s", ifx == WIFI_IF_STA ? "sta" : "ap", MAC2STR(f->mac),
                 esp_err_to_name(err));
        return err;
    }
    ESP_LOGI(TAG, "%s MAC " MACSTR " (interface %u)", ifx == WIFI_IF_STA ? "station" : "SoftAP", MAC2STR(f->mac),
             iface);
    return ESP_OK;
}

/* WPA2-PSK passphrases are 8..63 characters; an empty one means an open network. */
static esp_err_t check_password(const char *what, const char *pw) {
    size_t n = strlen(pw);
    if (n != 0 && (n < 8 || n > 63)) {
        ESP_LOGE(TAG, "%s: expected an empty (open) or 8..63-character password, got %u characters", what, (unsigned)n);
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

esp_err_t port_wifi_start(void) {
    sta_iface = CONFIG_MIPFW_STA_IFACE;
    if (check_password("MIPFW_WIFI_PASSWORD", CONFIG_MIPFW_WIFI_PASSWORD) != ESP_OK) return ESP_ERR_INVALID_ARG;
#if CONFIG_MIPFW_SOFTAP
    if (check_password("MIPFW_AP_PASSWORD", CONFIG_MIPFW_AP_PASSWORD) != ESP_OK) return ESP_ERR_INVALID_ARG;
#endif
    wifi_mode_t mode = WIFI_MODE_STA;
#if CONFIG_MIPFW_SOFTAP
    if (CONFIG_MIPFW_AP_IFACE == CONFIG_MIPFW_STA_IFACE) {
        ESP_LOGE(TAG, "MIPFW_AP_IFACE: expected an index other than the station's (%d), got %d", CONFIG_MIPFW_STA_IFACE,
                 CONFIG_MIPFW_AP_IFACE);
        return ESP_ERR_INVALID_ARG;
    }
    if (port_node.iface[CONFIG_MIPFW_AP_IFACE].present) {
        ap_iface = CONFIG_MIPFW_AP_IFACE;
        mode = WIFI_MODE_APSTA;
        if (memcmp(port_node.iface[ap_iface].mac, port_node.iface[sta_iface].mac, 6) == 0) {
            ESP_LOGE(TAG, "interface %u mac: expected a MAC other than the station's, got the same", ap_iface);
            return ESP_ERR_INVALID_ARG;
        }
    } else {
        ESP_LOGW(TAG, "SoftAP enabled but the configuration has no interface %d: station only", CONFIG_MIPFW_AP_IFACE);
    }
#else
    if (port_node.roles & (MIPFW_ROLE_FOREIGN_AGENT | MIPFW_ROLE_HOME_AGENT))
        ESP_LOGW(TAG, "agent roles without a second interface: enable MIPFW_SOFTAP (or see docs/esp32.md, Ethernet)");
#endif

    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    ESP_ERROR_CHECK(esp_wifi_init(&init));
    ESP_ERROR_CHECK(esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL, NULL));
    ESP_ERROR_CHECK(esp_wifi_set_storage(WIFI_STORAGE_RAM));
    ESP_ERROR_CHECK(esp_wifi_set_mode(mode));
    esp_err_t err = set_mac(WIFI_IF_STA, sta_iface);
    if (err != ESP_OK) return err;

    wifi_config_t sta = {0};
    strlcpy((char *)sta.sta.ssid, CONFIG_MIPFW_WIFI_SSID, sizeof sta.sta.ssid);
    strlcpy((char *)sta.sta.password, CONFIG_MIPFW_WIFI_PASSWORD, sizeof sta.sta.password);
    sta.sta.scan_method = WIFI_ALL_CHANNEL_SCAN;     /* every access point of the SSID is a candidate */
    sta.sta.sort_method = WIFI_CONNECT_AP_BY_SIGNAL; /* the strongest one after a move */
    sta.sta.threshold.authmode = CONFIG_MIPFW_WIFI_PASSWORD[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &sta));

#if CONFIG_MIPFW_SOFTAP
    if (ap_iface != PORT_NO_IFACE) {
        err = set_mac(WIFI_IF_AP, ap_iface);
        if (err != ESP_OK) return err;
        wifi_config_t ap = {0};
        strlcpy((char *)ap.ap.ssid, CONFIG_MIPFW_AP_SSID, sizeof ap.ap.ssid);
        ap.ap.ssid_len = (uint8_t)strlen(CONFIG_MIPFW_AP_SSID);
        strlcpy((char *)ap.ap.password, CONFIG_MIPFW_AP_PASSWORD, sizeof ap.ap.password);
        ap.ap.channel = CONFIG_MIPFW_AP_CHANNEL;
        ap.ap.max_connection = 4;
        ap.ap.authmode = CONFIG_MIPFW_AP_PASSWORD[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
        ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_AP, &ap));
    }
#endif
    ESP_ERROR_CHECK(esp_wifi_start());
    /* Agent advertisements are broadcast: modem sleep would make the station miss some of them. */
    ESP_ERROR_CHECK(esp_wifi_set_ps(WIFI_PS_NONE));
    return ESP_OK;
}
