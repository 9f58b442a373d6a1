#include "protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_result(struct reply *r, const char *text) {
    json_object_object_add(r->obj, "result", json_object_new_string(text));
}
void reply_result_object(struct reply *r, json_object *value) {
    json_object_object_add(r->obj, "result", value);
}
void reply_error(struct reply *r, const char *why) {
    json_object_object_add(r->obj, "error", json_object_new_string(why));
}
void reply_unsupported(struct reply *r, const char *why) {
    json_object_object_add(r->obj, "unsupported", json_object_new_string(why));
}

static int not_expressible(struct reply *r, const char *name, const char *why) {
    char text[160];
    snprintf(text, sizeof text, "%s: %s", name, why);
    reply_unsupported(r, text);
    return -2;
}

/* The exact decimal text of an integer field (FIELD_text), or NULL. */
static const char *int_text(json_object *args, const char *name, struct reply *r, int *rc) {
    json_object *value, *text;
    char key[64];
    *rc = 0;
    if (!json_object_object_get_ex(args, name, &value)) {
        *rc = -1;
        return NULL;
    }
    snprintf(key, sizeof key, "%s_text", name);
    if (json_object_get_type(value) != json_type_int || !json_object_object_get_ex(args, key, &text)) {
        *rc = not_expressible(r, name, "not an integer (a C argument cannot carry it)");
        return NULL;
    }
    return json_object_get_string(text);
}

int arg_u64(json_object *args, const char *name, uint64_t fallback, uint64_t *out, struct reply *r) {
    int rc;
    const char *text = int_text(args, name, r, &rc);
    if (rc == -1) {
        *out = fallback;
        return -1;
    }
    if (rc) return rc;
    char *end;
    errno = 0;
    if (text[0] == '-') return not_expressible(r, name, "negative where the API is unsigned");
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end) return not_expressible(r, name, "beyond 64 bits");
    *out = v;
    return 0;
}

int arg_i64(json_object *args, const char *name, int64_t fallback, int64_t *out, struct reply *r) {
    int rc;
    const char *text = int_text(args, name, r, &rc);
    if (rc == -1) {
        *out = fallback;
        return -1;
    }
    if (rc) return rc;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end) return not_expressible(r, name, "beyond a signed 64-bit integer");
    *out = v;
    return 0;
}

int arg_str(json_object *args, const char *name, const char *fallback, const char **out, struct reply *r) {
    json_object *value;
    if (!json_object_object_get_ex(args, name, &value)) {
        *out = fallback;
        return -1;
    }
    if (json_object_get_type(value) != json_type_string) return not_expressible(r, name, "not a string");
    *out = json_object_get_string(value);
    if (strlen(*out) != (size_t)json_object_get_string_len(value)) {
        return not_expressible(r, name, "a NUL inside a C string");
    }
    return 0;
}

int arg_key(json_object *args, unsigned char **key, size_t *len, struct reply *r) {
    const char *hex;
    if (arg_str(args, "key", "", &hex, r) == -2) return -2;
    size_t n = strlen(hex) / 2;
    *key = malloc(n + 1);
    for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &(*key)[i]);
    *len = n;
    return 0;
}

int arg_window(json_object *args, uint64_t *side, struct reply *r) {
    json_object *value;
    if (!json_object_object_get_ex(args, "window", &value)) {
        *side = 1;
        return -1;
    }
    if (json_object_get_type(value) == json_type_int && json_object_get_int64(value) >= 0) {
        *side = (uint64_t)json_object_get_int64(value);
        return 0;
    }
    return not_expressible(r, "window", "one non-negative symmetric window only");
}

void serve(const char *name, const char *version, const struct op *ops) {
    char *line = NULL;
    size_t size = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (getline(&line, &size, stdin) > 0) {
        json_object *request = json_tokener_parse(line);
        if (request == NULL) continue;
        json_object *id, *op, *args;
        struct reply r = {json_object_new_object()};
        json_object_object_get_ex(request, "id", &id);
        json_object_object_add(r.obj, "id", json_object_get(id));
        json_object_object_get_ex(request, "op", &op);
        if (!json_object_object_get_ex(request, "args", &args)) args = NULL;
        const char *opname = json_object_get_string(op);
        if (strcmp(opname, "hello") == 0) {
            json_object *hello = json_object_new_object();
            json_object_object_add(hello, "name", json_object_new_string(name));
            json_object_object_add(hello, "version", json_object_new_string(version));
            reply_result_object(&r, hello);
        } else if (strcmp(opname, "echo") == 0) {
            reply_result_object(&r, json_object_get(args));
        } else {
            const struct op *found = NULL;
            for (const struct op *o = ops; o->name; o++) {
                if (strcmp(o->name, opname) == 0) found = o;
            }
            if (found) {
                found->fn(args, &r);
            } else {
                reply_unsupported(&r, "no such operation");
            }
        }
        puts(json_object_to_json_string_ext(r.obj, JSON_C_TO_STRING_PLAIN));
        json_object_put(r.obj);
        json_object_put(request);
    }
    free(line);
}
