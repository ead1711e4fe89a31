// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from node's HMAC, so the test computes codes the way an
// authenticator app does, independently of the server's code. Cross-checked against oathtool.
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpAt(secretBase32, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac("sha1", base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}

/** oathtool's answer for the same key and time, or null when oathtool is not installed. */
export function oathtoolAt(secretBase32, unixSeconds) {
  try {
    return execFileSync("oathtool", ["--totp", "-b", secretBase32, "-N", `@${unixSeconds}`], { encoding: "utf8" }).trim();
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw err;
  }
}
