/* The config as GET /api/v1/config shows it: the file edgeboxd loaded, with every secret's value replaced,
 * kept as compact JSON text from start-up (the request then only copies it). */
#ifndef EB_APP_DAEMON_CONFIG_VIEW_H
#define EB_APP_DAEMON_CONFIG_VIEW_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define EB_DCONFIG_REDACTED "[redacted]"

/* 1 when a member of this name holds a secret (or where one is kept): any name containing secret, token,
 * password, passphrase, api_key, apikey, private or credential, in any case. */
int eb_dconfig_secret_name(const char *name);
/* Replaces the value of every secret member of root (at any depth) by EB_DCONFIG_REDACTED, then prints
 * root into out. 0, or -1 (no memory for a replacement, or the text does not fit). */
int eb_dconfig_view(cJSON *root, char *out, size_t cap);

#endif
