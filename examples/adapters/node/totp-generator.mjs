#!/usr/bin/env node
// totp-generator 2.x (npm) for the rfc6238 conformance runner: TOTP generation only.
//   cd examples/adapters/node && npm ci
//   rfc6238 conformance --jsonl 'totp-generator=node examples/adapters/node/totp-generator.mjs'
// Mapping: the key as unpadded base32 (key_base32; its documented input), algorithm names
// in WebCrypto's spelling ("SHA-1", "SHA-256", "SHA-512"), period, timestamp in
// milliseconds; no T0. Its defaults are kept: explicitZeroPad is false unless set.
import { TOTP } from "totp-generator";
import { Unsupported, algorithm, jsValue, number, packageVersion, serve } from "./protocol.mjs";

const version = packageVersion("totp-generator");
const webcrypto = (name) => name.replace(/^SHA(1|256|384|512)$/i, (_, bits) => `SHA-${bits}`);

serve({
  name: "totp-generator",
  version,
  ops: {
    totp: async (args) => {
      if ((args.t0 ?? 0) !== 0) throw new Unsupported("no T0 parameter");
      if (typeof args.key_base32 !== "string") throw new Unsupported("key: not bytes");
      const t = typeof args.time === "number" ? number(args, "time") : jsValue(args.time, "time");
      const timestamp = t instanceof Date ? t.getTime() : typeof t === "number" ? t * 1000 : t;
      const { otp } = await TOTP.generate(args.key_base32, {
        digits: jsValue(args.digits ?? 6, "digits"),
        algorithm: algorithm(args, webcrypto),
        period: jsValue(args.period ?? 30, "period"),
        timestamp,
      });
      return otp;
    },
  },
});
