#include "app/versions.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <gpiod.h>
#include <mbedtls/version.h>
#include <sqlite3.h>

void eb_versions_print(FILE *out, const char *program)
{
    char mbed[18];
    mbedtls_version_get_string(mbed);
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "%s %s (board %s)\n", program, EB_VERSION, EB_BOARD);
    fprintf(out, "  curl    %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
    fprintf(out, "  mbedTLS %s\n", mbed);
    fprintf(out, "  SQLite  %s\n", sqlite3_libversion());
    fprintf(out, "  libgpiod %s\n", gpiod_version_string());
    fprintf(out, "  cJSON   %s\n", cJSON_Version());
}
