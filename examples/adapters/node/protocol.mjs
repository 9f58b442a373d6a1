// The JSON-lines protocol of docs/protocol.md for Node.js adapters: one request per line in,
// one reply per line out. An adapter module calls serve() with its operations; each
// operation gets the request's args and returns the result, or throws:
//   Unsupported -> {"unsupported": why}   (the library's API cannot express the case)
//   Rejection   -> {"error": why}         (the library said no on purpose)
//   anything else is classified by classify(): a library's own error is a rejection, an
//   error the JavaScript runtime raised by itself (TypeError "Cannot read properties of
//   undefined", RangeError, Node's ERR_* codes...) is a crash.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

// The installed version of an npm package (from its package.json in node_modules/).
export function packageVersion(name) {
  const path = new URL(`node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(path, "utf8")).version;
}

export class Unsupported extends Error {}
export class Rejection extends Error {}

// Messages V8 and Node write themselves: the library did not see the problem coming.
const RUNTIME = new RegExp(
  [
    "Cannot (read|set) propert", "is not a function", "is not a constructor", "is not iterable",
    "Cannot convert", "Cannot mix BigInt", "BigInt", "Do not know how to serialize",
    "Cannot create property", "called on null or undefined", "Invalid (time value|array length)",
    "Maximum call stack", "Reduce of empty array", "Invalid string length", "out of range",
  ].join("|"),
);

export function classify(err) {
  if (err instanceof Rejection) return "error";
  if (typeof err?.code === "string" && err.code.startsWith("ERR_")) return "crash";
  if (err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError) {
    return "crash";
  }
  if (err instanceof TypeError && RUNTIME.test(String(err.message))) return "crash";
  if (!(err instanceof Error)) return "crash"; // a thrown string, undefined...
  return "error";
}

export const isTagged = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// The value a JavaScript caller would pass for a tagged field: bool, null, string, a
// float (as Number), or an ISO date (as a Date); "int" (an int where text belongs) and
// "bytes_hex" (bytes where text belongs) have no JavaScript twin and make the case
// unsupported, as does a naive datetime (no time zone).
export function jsValue(value, name) {
  if (!isTagged(value)) return value;
  const [tag, inner] = Object.entries(value)[0];
  if (tag === "bool") return inner;
  if (tag === "none") return null;
  if (tag === "str") return inner;
  if (tag === "float") return { nan: NaN, inf: Infinity, "-inf": -Infinity }[inner] ?? Number(inner);
  if (tag === "datetime") {
    if (!/([+-]\d\d:\d\d|Z)$/.test(inner)) throw new Unsupported(`${name}: naive datetime`);
    return new Date(inner);
  }
  throw new Unsupported(`${name}: a ${tag} value has no JavaScript form`);
}

// An integer field exactly: BigInt from FIELD_text (JSON numbers are doubles here).
export function bigint(args, name) {
  const text = args[`${name}_text`];
  if (typeof text === "string") return BigInt(text);
  const value = jsValue(args[name], name);
  return value;
}

// An integer field as a Number; unsupported when a Number cannot hold it exactly (above
// 2**53 an API that takes Numbers cannot be given the case's value at all).
export function number(args, name, fallback) {
  if (args[name] === undefined) return fallback;
  const exact = bigint(args, name);
  if (typeof exact !== "bigint") return exact; // a tagged value, passed as a caller would
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (exact > limit || exact < -limit) throw new Unsupported(`${name}: beyond 2**53 - 1`);
  return Number(exact);
}

// The algorithm name as the library's own constants spell it (lower case for otplib and
// speakeasy, "SHA-1" for WebCrypto); a tagged or non-ASCII value is passed as it is.
export function algorithm(args, spell) {
  const value = jsValue(args.algorithm ?? "SHA1", "algorithm");
  if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value)) return value;
  return spell(value);
}

export function hexKey(args) {
  const key = args.key;
  if (typeof key !== "string") throw new Unsupported("key: not bytes");
  return key;
}

export function window(args) {
  const w = args.window ?? 1;
  if (typeof w === "number") return [w, w];
  if (Array.isArray(w) && w.length === 2 && w.every((v) => typeof v === "number")) return w;
  throw new Unsupported("window: not an int or a pair");
}

export function serve({ name, version, ops }) {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve(); // replies in request order, also for async operations
  rl.on("line", (line) => {
    if (!line.trim()) return;
    queue = queue.then(() => answer(JSON.parse(line), name, version, ops));
  });
}

async function answer(request, name, version, ops) {
  const reply = { id: request.id };
  try {
    if (request.op === "hello") reply.result = { name, version };
    else if (request.op === "echo") reply.result = request.args;
    else if (!(request.op in ops)) reply.unsupported = `no ${request.op} operation`;
    else reply.result = await ops[request.op](request.args ?? {});
    if (typeof reply.result === "bigint") reply.result = reply.result.toString();
  } catch (err) {
    delete reply.result;
    if (err instanceof Unsupported) reply.unsupported = err.message;
    else reply[classify(err)] = `${err?.name ?? typeof err}: ${err?.message ?? err}`;
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
