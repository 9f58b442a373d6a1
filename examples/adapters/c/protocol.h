/* The JSON-lines protocol of docs/protocol.md for C adapters (json-c): one request per line
 * in, one reply per line out. An operation fills a reply with reply_result, reply_error
 * (the library refused: an error code) or reply_unsupported; a crash (a signal) ends the
 * process, and the runner records it and starts the adapter again. */
#ifndef RFC6238_ADAPTER_PROTOCOL_H
#define RFC6238_ADAPTER_PROTOCOL_H
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct reply {
    json_object *obj;
};
typedef void (*op_fn)(json_object *args, struct reply *reply);
struct op {
    const char *name;
    op_fn fn;
};

void reply_result(struct reply *r, const char *text);
void reply_result_object(struct reply *r, json_object *value);
void reply_error(struct reply *r, const char *why);
void reply_unsupported(struct reply *r, const char *why);

/* 0: read; -1: absent (the default was stored); -2: not expressible (reply made). */
int arg_u64(json_object *args, const char *name, uint64_t fallback, uint64_t *out, struct reply *r);
int arg_i64(json_object *args, const char *name, int64_t fallback, int64_t *out, struct reply *r);
int arg_str(json_object *args, const char *name, const char *fallback, const char **out, struct reply *r);
/* The key as bytes (malloc'd) from hex; -2 and a reply when it is not bytes. */
int arg_key(json_object *args, unsigned char **key, size_t *len, struct reply *r);
/* A symmetric window; -2 and a reply otherwise. */
int arg_window(json_object *args, uint64_t *side, struct reply *r);

void serve(const char *name, const char *version, const struct op *ops);
#endif
