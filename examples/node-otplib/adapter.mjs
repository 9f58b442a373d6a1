#!/usr/bin/env node
// JSON-lines adapter for otplib v13 (npm), for the rfc6238 conformance runner:
//
//   cd examples/node-otplib && npm install
//   rfc6238 conformance --jsonl 'node examples/node-otplib/adapter.mjs'
//
// Protocol (docs/protocol.md): one JSON object per line in, one per line out.
//   in:  {"id": "7", "op": "hotp", "args": {"key": "3132...", "key_base32": "GEZD...",
//         "counter": 1, "digits": 6, "algorithm": "SHA1"}}
//   out: {"id": "7", "result": "287082"}          the answer
//        {"id": "7", "error": "why"}               otplib refused (a pass for invalid cases)
//        {"id": "7", "crash": "why"}               the JavaScript runtime failed inside otplib
//        {"id": "7", "unsupported": "why"}         this case cannot be expressed (skipped)
// The first request is {"id": "hello", "op": "hello"}: answer with the name and version.
//
// Choices, so that results are read correctly:
// * hotp/totp (the math) run with guardrails relaxed to 1..4096-byte keys (otplib's
//   documented createGuardrails); verification uses otplib's defaults (16..64 bytes) unless
//   the case sets allow_short_key, which relaxes the minimum only.
// * Values JSON cannot carry arrive tagged ({"bool": true}, {"str": "6"}, {"float": "59.5"},
//   {"datetime": "..."}); Python-only types (bool, None, bytes, int tokens, str numbers) are
//   reported unsupported, floats and aware datetimes are converted as a JS caller would.
// * Integers above 2**53 also arrive as "NAME_text" decimal strings; counters are passed to
//   otplib as BigInt (it accepts them), times as Number (its API takes a number).
// * A window of N steps becomes epochTolerance N * period seconds on each side.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { classify } from "../adapters/node/protocol.mjs";
import { ScureBase32Plugin, createGuardrails, generateSync, verifySync } from "otplib";

const HERE = new URL(".", import.meta.url);
const VERSION = JSON.parse(
  readFileSync(new URL("node_modules/otplib/package.json", HERE), "utf8"),
).version;
const MATH = createGuardrails({ MIN_SECRET_BYTES: 1, MAX_SECRET_BYTES: 4096 });
const SHORT = createGuardrails({ MIN_SECRET_BYTES: 1 });
const base32 = new ScureBase32Plugin();

class Unsupported extends Error {}

const isTagged = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function plain(args, name, type) {
  const value = args[name];
  if (value === undefined) return undefined;
  if (isTagged(value)) {
    // Only a time may be fractional or a datetime; 6.0 where an int belongs is a Python
    // type distinction that a JS number cannot carry.
    if ("float" in value && name === "time") return Number(value.float);
    if ("datetime" in value && name === "time") {
      const iso = value.datetime;
      if (!/([+-]\d\d:\d\d|Z)$/.test(iso)) throw new Unsupported(`${name}: naive datetime`);
      return Date.parse(iso) / 1000;
    }
    throw new Unsupported(`${name}: tagged ${Object.keys(value)[0]} value`);
  }
  if (typeof value !== type) throw new Unsupported(`${name}: not a ${type}`);
  return value;
}

function key(args) {
  const hex = plain(args, "key", "string");
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Unsupported("key: not hex");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function options(args) {
  const opts = { secret: key(args) };
  const digits = plain(args, "digits", "number");
  if (digits !== undefined) opts.digits = digits;
  const algorithm = plain(args, "algorithm", "string");
  if (algorithm !== undefined) opts.algorithm = algorithm.toLowerCase();
  const period = plain(args, "period", "number");
  if (period !== undefined) opts.period = period;
  const t0 = plain(args, "t0", "number");
  if (t0 !== undefined) opts.t0 = t0;
  if ("counter" in args) {
    opts.counter = args.counter_text ? BigInt(args.counter_text) : plain(args, "counter", "number");
  }
  if ("time" in args) opts.epoch = plain(args, "time", "number");
  return opts;
}

function steps(value) {
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number")) {
    return value;
  }
  if (typeof value === "number") return [value, value];
  throw new Unsupported("window: not an int or a pair");
}

function handle(op, args) {
  switch (op) {
    case "hotp":
      return generateSync({ ...options(args), strategy: "hotp", guardrails: MATH });
    case "totp":
      return generateSync({ ...options(args), strategy: "totp", guardrails: MATH });
    case "verify_totp":
    case "verify_hotp": {
      const token = plain(args, "token", "string");
      const opts = { ...options(args), token };
      if (plain(args, "allow_short_key", "boolean") === true) opts.guardrails = SHORT;
      let result;
      if (op === "verify_totp") {
        const [past, future] = steps(args.window ?? 1);
        const period = opts.period ?? 30;
        opts.epochTolerance = [past * period, future * period];
        result = verifySync({ ...opts, strategy: "totp" });
        if (!result.valid) throw new Error("verifySync: not valid");
        return { counter: result.timeStep, offset: result.delta };
      }
      const ahead = plain(args, "look_ahead", "number") ?? 0;
      opts.counterTolerance = [0, ahead];
      result = verifySync({ ...opts, strategy: "hotp" });
      if (!result.valid) throw new Error("verifySync: not valid");
      return { counter: Number(opts.counter) + result.delta, offset: result.delta };
    }
    case "base32_decode":
      if (args.strict === true) throw new Unsupported("one (lenient) base32 decoder");
      return Buffer.from(base32.decode(plain(args, "text", "string"))).toString("hex");
    case "base32_encode":
      return base32.encode(key(args), { padding: false });
    default:
      throw new Unsupported(`no ${op} operation`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  const reply = { id: request.id };
  try {
    if (request.op === "hello") reply.result = { name: "otplib", version: VERSION };
    else if (request.op === "echo") reply.result = request.args;
    else reply.result = handle(request.op, request.args ?? {});
  } catch (err) {
    if (err instanceof Unsupported) reply.unsupported = err.message;
    else reply[classify(err)] = `${err?.name}: ${err?.message}`; // error or crash
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
