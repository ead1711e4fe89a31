// Input rules shared by every field that takes a code from an authenticator app.

export const TOTP_LENGTH = 6;

/**
 * Keeps the digits of what was typed or pasted, at most six: "123 456", "123-456" and
 * "123456" all become "123456". Letters are dropped rather than rejected so that a paste
 * such as "Code: 123456" still works.
 */
export function normaliseTotp(raw: string): string {
  return raw.replace(/\D/g, "").slice(0, TOTP_LENGTH);
}

export function isCompleteTotp(code: string): boolean {
  return code.length === TOTP_LENGTH && /^\d+$/.test(code);
}

/** Recovery codes are checked case-insensitively by the server; only trim and tidy spaces. */
export function normaliseRecoveryCode(raw: string): string {
  return raw.trim().replace(/\s+/g, "").toUpperCase();
}
