/* libcotp (C) for the rfc6238 conformance runner.
 *   apt-get install libcotp-dev libjson-c-dev
 *   cc -O2 -o bin/libcotp libcotp_adapter.c protocol.c $(pkg-config --cflags --libs json-c) -lcotp -lgcrypt
 *   rfc6238 conformance --jsonl 'libcotp=examples/adapters/c/bin/libcotp'
 * Mapping: the key as base32 (key_base32; libcotp takes base32 secrets), counters and times
 * as C long, SHA1/SHA256/SHA512 as its macros; get_hotp, get_totp_at, hotp_verify (one
 * counter). totp_verify checks the current time only, so verify_totp is unsupported; no T0.
 * A NULL return with an error code is a clean rejection. */
#include <cotp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#ifndef COTP_VERSION
#define COTP_VERSION "1.2.8"
#endif

static int common(json_object *args, const char **secret, int64_t *digits, int *algo, struct reply *r) {
    const char *alg;
    json_object *key;
    if (!json_object_object_get_ex(args, "key", &key) || json_object_get_type(key) != json_type_string) {
        reply_unsupported(r, "key: not bytes");
        return -2;
    }
    if (arg_str(args, "key_base32", "", secret, r) == -2 || arg_i64(args, "digits", 6, digits, r) == -2 ||
        arg_str(args, "algorithm", "SHA1", &alg, r) == -2) return -2;
    if (strcmp(alg, "SHA1") == 0) *algo = SHA1;
    else if (strcmp(alg, "SHA256") == 0) *algo = SHA256;
    else if (strcmp(alg, "SHA512") == 0) *algo = SHA512;
    else {
        reply_unsupported(r, "algorithm: no macro for it");
        return -2;
    }
    if (*digits < -2147483647 || *digits > 2147483647) {
        reply_unsupported(r, "digits: beyond int");
        return -2;
    }
    return 0;
}

static void answer(struct reply *r, char *code, cotp_error_t err) {
    if (code == NULL) {
        char why[64];
        snprintf(why, sizeof why, "cotp_error_t %d", (int)err);
        reply_error(r, why);
        return;
    }
    reply_result(r, code);
    free(code);
}

static void hotp(json_object *args, struct reply *r) {
    const char *secret;
    int64_t digits, counter;
    int algo;
    cotp_error_t err = VALID;
    if (common(args, &secret, &digits, &algo, r) == -2 || arg_i64(args, "counter", 0, &counter, r) == -2) return;
    answer(r, get_hotp(secret, (long)counter, (int)digits, algo, &err), err);
}

static void totp(json_object *args, struct reply *r) {
    const char *secret;
    int64_t digits, now, period, t0;
    int algo;
    cotp_error_t err = VALID;
    if (common(args, &secret, &digits, &algo, r) == -2 || arg_i64(args, "time", 0, &now, r) == -2 ||
        arg_i64(args, "period", 30, &period, r) == -2 || arg_i64(args, "t0", 0, &t0, r) == -2) return;
    if (t0 != 0) { reply_unsupported(r, "no T0 parameter"); return; }
    if (period < -2147483647 || period > 2147483647) { reply_unsupported(r, "period: beyond int"); return; }
    answer(r, get_totp_at(secret, (long)now, (int)digits, (int)period, algo, &err), err);
}

static void verify_hotp(json_object *args, struct reply *r) {
    const char *secret, *token;
    int64_t digits, counter, look_ahead;
    int algo;
    if (common(args, &secret, &digits, &algo, r) == -2 || arg_i64(args, "counter", 0, &counter, r) == -2 ||
        arg_i64(args, "look_ahead", 0, &look_ahead, r) == -2 || arg_str(args, "token", "", &token, r) == -2) return;
    if (look_ahead != 0) { reply_unsupported(r, "hotp_verify checks one counter"); return; }
    int rc = hotp_verify(secret, (long)counter, (int)digits, token, algo);
    if (rc != VALID) {
        char why[64];
        snprintf(why, sizeof why, "hotp_verify returned %d", rc);
        reply_error(r, why);
        return;
    }
    json_object *match = json_object_new_object();
    json_object_object_add(match, "offset", json_object_new_int(0));
    reply_result_object(r, match);
}

int main(void) {
    static const struct op ops[] = {{"hotp", hotp}, {"totp", totp}, {"verify_hotp", verify_hotp}, {NULL, NULL}};
    serve("libcotp", COTP_VERSION, ops);
    return 0;
}
