#!/usr/bin/env node
// speakeasy 2.0.0 (npm) for the rfc6238 conformance runner.
//   cd examples/adapters/node && npm ci
//   rfc6238 conformance --jsonl 'speakeasy=node examples/adapters/node/speakeasy.mjs'
// Mapping: hex keys (encoding "hex"), algorithm names lower case, time in seconds,
// step = period, epoch = T0 (seconds); verifyDelta with a symmetric window (TOTP) or a
// look-ahead window (HOTP: counter .. counter + window, as RFC 4226 §7.4).
import speakeasy from "speakeasy";
import { Unsupported, algorithm, hexKey, jsValue, number, packageVersion, serve, window } from "./protocol.mjs";

const version = packageVersion("speakeasy");
const lower = (name) => name.toLowerCase();
const base = (args) => ({
  secret: hexKey(args),
  encoding: "hex",
  digits: jsValue(args.digits ?? 6, "digits"),
  algorithm: algorithm(args, lower),
});
const seconds = (args) => {
  const t = typeof args.time === "number" ? number(args, "time") : jsValue(args.time, "time");
  return t instanceof Date ? t.getTime() / 1000 : t;
};
const timed = (args) => ({
  ...base(args),
  time: seconds(args),
  step: jsValue(args.period ?? 30, "period"),
  epoch: typeof args.t0 === "number" ? number(args, "t0") : jsValue(args.t0 ?? 0, "t0"),
});

serve({
  name: "speakeasy",
  version,
  ops: {
    hotp: (args) => speakeasy.hotp({ ...base(args), counter: number(args, "counter") }),
    totp: (args) => speakeasy.totp(timed(args)),
    verify_totp: (args) => {
      const [past, future] = window(args);
      if (past !== future) throw new Unsupported("verifyDelta has a symmetric window");
      const found = speakeasy.totp.verifyDelta({ ...timed(args), token: jsValue(args.token, "token"), window: past });
      if (found === undefined) throw new Error("verifyDelta returned undefined");
      return { offset: found.delta };
    },
    verify_hotp: (args) => {
      const found = speakeasy.hotp.verifyDelta({
        ...base(args), counter: number(args, "counter"), token: jsValue(args.token, "token"),
        window: jsValue(args.look_ahead ?? 0, "look_ahead"),
      });
      if (found === undefined) throw new Error("verifyDelta returned undefined");
      return { offset: found.delta };
    },
  },
});
