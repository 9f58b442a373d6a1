/* liboath (the C library of OATH Toolkit) for the rfc6238 conformance runner.
 *   apt-get install liboath-dev libjson-c-dev
 *   cc -O2 -o bin/liboath liboath_adapter.c protocol.c $(pkg-config --cflags --libs liboath json-c)
 *   rfc6238 conformance --jsonl 'liboath=examples/adapters/c/bin/liboath'
 * Mapping: raw key bytes; oath_hotp_generate (HMAC-SHA1 only), oath_totp_generate2 with
 * OATH_TOTP_HMAC_SHA256/512 flags, T0 as start_offset; oath_totp_validate4 (a symmetric
 * window) and oath_hotp_validate (a look-ahead window). Note: the validate functions take no
 * digits argument: liboath reads the length of the OTP given. A negative return is the
 * library's error code (a clean rejection). */
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static int flags_for(json_object *args, int totp, int *flags, struct reply *r) {
    const char *alg;
    if (arg_str(args, "algorithm", "SHA1", &alg, r) == -2) return -2;
    if (strcmp(alg, "SHA1") == 0) *flags = 0;
    else if (totp && strcmp(alg, "SHA256") == 0) *flags = OATH_TOTP_HMAC_SHA256;
    else if (totp && strcmp(alg, "SHA512") == 0) *flags = OATH_TOTP_HMAC_SHA512;
    else {
        reply_unsupported(r, totp ? "algorithm: no OATH_TOTP flag for it" : "HOTP is HMAC-SHA1 only");
        return -2;
    }
    return 0;
}

static void fail(struct reply *r, int rc) {
    char why[96];
    snprintf(why, sizeof why, "%s (%d)", oath_strerror_name(rc), rc);
    reply_error(r, why);
}

static void hotp(json_object *args, struct reply *r) {
    unsigned char *key;
    size_t len;
    uint64_t counter, digits;
    int flags;
    char out[64];
    if (flags_for(args, 0, &flags, r) == -2 || arg_u64(args, "counter", 0, &counter, r) == -2 ||
        arg_u64(args, "digits", 6, &digits, r) == -2 || arg_key(args, &key, &len, r) == -2) return;
    int rc = oath_hotp_generate((char *)key, len, counter, (unsigned)digits, 0,
                                OATH_HOTP_DYNAMIC_TRUNCATION, out);
    free(key);
    if (rc < 0) fail(r, rc); else reply_result(r, out);
}

static int timed(json_object *args, int64_t *now, uint64_t *period, int64_t *t0, uint64_t *digits,
                 int *flags, struct reply *r) {
    if (flags_for(args, 1, flags, r) == -2 || arg_i64(args, "time", 0, now, r) == -2 ||
        arg_u64(args, "period", 30, period, r) == -2 || arg_i64(args, "t0", 0, t0, r) == -2 ||
        arg_u64(args, "digits", 6, digits, r) == -2) return -2;
    if (*period > 0xffffffffu) {
        reply_unsupported(r, "period: beyond unsigned");
        return -2;
    }
    return 0;
}

static void totp(json_object *args, struct reply *r) {
    unsigned char *key;
    size_t len;
    int64_t now, t0;
    uint64_t period, digits;
    int flags;
    char out[64];
    if (timed(args, &now, &period, &t0, &digits, &flags, r) == -2 || arg_key(args, &key, &len, r) == -2) return;
    int rc = oath_totp_generate2((char *)key, len, (time_t)now, (unsigned)period, (time_t)t0,
                                 (unsigned)digits, flags, out);
    free(key);
    if (rc < 0) fail(r, rc); else reply_result(r, out);
}

static void verify_totp(json_object *args, struct reply *r) {
    unsigned char *key;
    size_t len;
    int64_t now, t0;
    uint64_t period, digits, window;
    int flags, pos = 0;
    uint64_t counter = 0;
    const char *token;
    if (timed(args, &now, &period, &t0, &digits, &flags, r) == -2 || arg_window(args, &window, r) == -2 ||
        arg_str(args, "token", "", &token, r) == -2 || arg_key(args, &key, &len, r) == -2) return;
    int rc = oath_totp_validate4((char *)key, len, (time_t)now, (unsigned)period, (time_t)t0,
                                 (size_t)window, &pos, &counter, flags, token);
    free(key);
    if (rc < 0) { fail(r, rc); return; }
    json_object *match = json_object_new_object();
    json_object_object_add(match, "counter", json_object_new_uint64(counter));
    json_object_object_add(match, "offset", json_object_new_int(pos));
    reply_result_object(r, match);
}

static void verify_hotp(json_object *args, struct reply *r) {
    unsigned char *key;
    size_t len;
    uint64_t counter, look_ahead;
    int flags;
    const char *token;
    if (flags_for(args, 0, &flags, r) == -2 || arg_u64(args, "counter", 0, &counter, r) == -2 ||
        arg_u64(args, "look_ahead", 0, &look_ahead, r) == -2 || arg_str(args, "token", "", &token, r) == -2 ||
        arg_key(args, &key, &len, r) == -2) return;
    int rc = oath_hotp_validate((char *)key, len, counter, (size_t)look_ahead, token);
    free(key);
    if (rc < 0) { fail(r, rc); return; }
    json_object *match = json_object_new_object();
    json_object_object_add(match, "offset", json_object_new_int(rc));
    reply_result_object(r, match);
}

int main(void) {
    oath_init();
    static const struct op ops[] = {
        {"hotp", hotp}, {"totp", totp}, {"verify_totp", verify_totp}, {"verify_hotp", verify_hotp}, {NULL, NULL}};
    serve("liboath", oath_check_version(NULL), ops);
    oath_done();
    return 0;
}
