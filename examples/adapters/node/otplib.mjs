#!/usr/bin/env node
// otplib 12 (npm; the release most projects still pin) for the rfc6238 conformance runner.
//   cd examples/adapters/node && npm ci
//   rfc6238 conformance --jsonl 'otplib12=node examples/adapters/node/otplib.mjs'
// Mapping: hex keys (encoding "hex"), algorithm names in otplib's lower-case spelling,
// epoch = the time in milliseconds (otplib 12's "now"; it has no T0), step = period,
// window = [past, future] steps; hotp.check for HOTP (no look-ahead).
import otplib from "otplib";
import { Unsupported, algorithm, hexKey, jsValue, number, packageVersion, serve, window } from "./protocol.mjs";

const { hotp, totp } = otplib;
const version = packageVersion("otplib");
const lower = (name) => name.toLowerCase();
const options = (args) => ({
  encoding: "hex",
  digits: jsValue(args.digits ?? 6, "digits"),
  algorithm: algorithm(args, lower),
});
const noT0 = (args) => {
  if ((args.t0 ?? 0) !== 0) throw new Unsupported("no T0 parameter");
};
const epoch = (args) => {
  const t = typeof args.time === "number" ? number(args, "time") : jsValue(args.time, "time");
  return t instanceof Date ? t.getTime() : typeof t === "number" ? t * 1000 : t;
};
const totpFor = (args, extra = {}) =>
  totp.clone({ ...options(args), step: jsValue(args.period ?? 30, "period"), epoch: epoch(args), ...extra });

serve({
  name: "otplib12",
  version,
  ops: {
    hotp: (args) => hotp.clone(options(args)).generate(hexKey(args), number(args, "counter")),
    totp: (args) => {
      noT0(args);
      return totpFor(args).generate(hexKey(args));
    },
    verify_totp: (args) => {
      noT0(args);
      const delta = totpFor(args, { window: window(args) }).checkDelta(jsValue(args.token, "token"), hexKey(args));
      if (delta === null) throw new Error("checkDelta returned null");
      return { offset: delta };
    },
    verify_hotp: (args) => {
      if ((args.look_ahead ?? 0) !== 0) throw new Unsupported("hotp.check has no look-ahead");
      const ok = hotp.clone(options(args)).check(jsValue(args.token, "token"), hexKey(args), number(args, "counter"));
      if (!ok) throw new Error("check returned false");
      return { offset: 0 };
    },
  },
});
