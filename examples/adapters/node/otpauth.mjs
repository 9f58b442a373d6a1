#!/usr/bin/env node
// otpauth (npm) for the rfc6238 conformance runner (docs/protocol.md).
//   cd examples/adapters/node && npm ci
//   rfc6238 conformance --jsonl 'otpauth=node examples/adapters/node/otpauth.mjs'
// Mapping: keys through OTPAuth.Secret.fromHex; times as milliseconds (timestamp); a
// symmetric window of N steps is validate({window: N}); no T0, no look-ahead (HOTP
// validate is symmetric around the counter), base32 through Secret.fromBase32 (lenient only)
// and Secret#base32 (unpadded).
import * as OTPAuth from "otpauth";
import { Unsupported, hexKey, jsValue, number, packageVersion, serve, window } from "./protocol.mjs";

const version = packageVersion("otpauth");
const common = (args) => ({
  secret: OTPAuth.Secret.fromHex(hexKey(args)),
  algorithm: jsValue(args.algorithm ?? "SHA1", "algorithm"),
  digits: jsValue(args.digits ?? 6, "digits"),
});
const noT0 = (args) => {
  if ((args.t0 ?? 0) !== 0) throw new Unsupported("no T0 parameter");
};
const ms = (args) => {
  const t = typeof args.time === "number" ? number(args, "time") : jsValue(args.time, "time");
  if (t instanceof Date) return t.getTime();
  return typeof t === "number" ? t * 1000 : t; // its API takes milliseconds
};
const totp = (args) => new OTPAuth.TOTP({ ...common(args), period: jsValue(args.period ?? 30, "period") });
const fields = (otp) => ({
  type: otp instanceof OTPAuth.HOTP ? "hotp" : "totp",
  secret_hex: otp.secret.hex.toLowerCase(),
  issuer: otp.issuer === "" ? null : otp.issuer,
  account: otp.label,
  algorithm: otp.algorithm,
  digits: otp.digits,
  ...(otp instanceof OTPAuth.TOTP ? { period: otp.period } : { counter: otp.counter }),
});

serve({
  name: "otpauth",
  version,
  ops: {
    hotp: (args) => new OTPAuth.HOTP(common(args)).generate({ counter: number(args, "counter") }),
    totp: (args) => {
      noT0(args);
      return totp(args).generate({ timestamp: ms(args) });
    },
    verify_totp: (args) => {
      noT0(args);
      const [past, future] = window(args);
      if (past !== future) throw new Unsupported("validate has a symmetric window");
      const delta = totp(args).validate({ token: jsValue(args.token, "token"), timestamp: ms(args), window: past });
      if (delta === null) throw new Error("validate returned null");
      return { offset: delta };
    },
    verify_hotp: (args) => {
      if ((args.look_ahead ?? 0) !== 0) throw new Unsupported("validate has no look-ahead");
      const delta = new OTPAuth.HOTP(common(args)).validate({
        token: jsValue(args.token, "token"), counter: number(args, "counter"), window: 0,
      });
      if (delta === null) throw new Error("validate returned null");
      return { offset: delta };
    },
    base32_decode: (args) => {
      if (args.strict === true) throw new Unsupported("one (lenient) base32 decoder");
      return OTPAuth.Secret.fromBase32(jsValue(args.text, "text")).hex;
    },
    base32_encode: (args) => {
      if (args.padding !== false) throw new Unsupported("Secret#base32 writes no padding");
      return OTPAuth.Secret.fromHex(hexKey(args)).base32;
    },
    parse_uri: (args) => fields(OTPAuth.URI.parse(jsValue(args.uri, "uri"))),
    parse_uri_then_code: (args) => {
      const otp = OTPAuth.URI.parse(jsValue(args.uri, "uri"));
      return otp instanceof OTPAuth.HOTP ? otp.generate() : otp.generate({ timestamp: ms(args) });
    },
  },
});
