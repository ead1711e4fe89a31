import { describe, expect, it } from "vitest";
import { ApiError, formatWait, messageFor, type ErrorCode } from "./errors";

const allCodes = [
  "invalid_request",
  "invalid_code_format",
  "unsupported_media_type",
  "payload_too_large",
  "unauthenticated",
  "invalid_credentials",
  "invalid_code",
  "clock_drift",
  "totp_replayed",
  "challenge_invalid",
  "forbidden",
  "cross_origin",
  "not_found",
  "method_not_allowed",
  "totp_already_enabled",
  "totp_not_enabled",
  "no_pending_enrollment",
  "enrollment_expired",
  "setup_done",
  "username_taken",
  "weak_password",
  "too_many_attempts",
  "account_locked",
  "overloaded",
  "enrollment_required",
  "internal",
] as const satisfies readonly ErrorCode[];
// Fails to type-check when the server adds a code this list (and so this test) does not cover.
const coversEveryCode: Exclude<ErrorCode, (typeof allCodes)[number]> extends never ? true : false = true;

function apiError(code: ErrorCode, retryAfter: number | null = null, status = 400, message = "") {
  return new ApiError(status, code, message, retryAfter);
}

describe("messageFor", () => {
  it("covers every server error code with its own sentence", () => {
    expect(coversEveryCode).toBe(true);
    const generic = messageFor(new Error("x"));
    const seen = new Set<string>();
    for (const code of allCodes) {
      const text = messageFor(apiError(code, 60));
      expect(text, code).not.toBe(generic);
      expect(text, code).toMatch(/[.!]$/);
      expect(text, code).not.toContain(code);
      seen.add(text);
    }
    expect(seen.size).toBe(allCodes.length);
  });

  it("tells a wrong code from a reused one, an expired sign-in and a lock", () => {
    expect(messageFor(apiError("invalid_code"), "totp")).toBe(
      "That code is not right. Enter the current 6-digit code from your authenticator app.",
    );
    expect(messageFor(apiError("invalid_code"), "recovery")).toBe("That recovery code is not valid, or it has already been used.");
    expect(messageFor(apiError("totp_replayed"), "totp")).toBe(
      "That code was already used. Wait for the next code in your authenticator app (codes change every 30 seconds) and enter it.",
    );
    expect(messageFor(apiError("challenge_invalid"), "totp")).toBe(
      "This sign-in attempt has ended: it took too long, or too many wrong codes were entered. Enter your password again.",
    );
    expect(messageFor(apiError("invalid_credentials"), "sign-in")).toBe(
      "That username and password do not match. Check both and try again.",
    );
    // Confirming a change while signed in: only the password was typed.
    expect(messageFor(apiError("invalid_credentials"), "password")).toBe("That password is not right. Check it and try again.");
    expect(messageFor(apiError("invalid_credentials"), "password-and-code")).toBe(
      "That password is not right. Check it and try again.",
    );
  });

  it("says how long to wait, from Retry-After", () => {
    expect(messageFor(apiError("too_many_attempts", 300, 429))).toBe(
      "Too many attempts. For your security, wait about 5 minutes and try again.",
    );
    expect(messageFor(apiError("account_locked", 45, 429))).toBe(
      "Too many wrong codes, so this account is locked for 45 seconds. After that, sign in again.",
    );
    expect(messageFor(apiError("too_many_attempts", null, 429))).toContain("wait a few minutes");
    expect(messageFor(apiError("overloaded", 2, 503))).toBe("The server is busy. Try again in 2 seconds.");
  });

  it("says how far the phone's clock is off and how to fix it", () => {
    const ahead = new ApiError(401, "clock_drift", "", null, 210);
    const text = messageFor(ahead, "totp");
    expect(text).toContain("your phone's clock is 3 minutes 30 seconds ahead of this server's");
    expect(text).toContain("automatic date and time");
    expect(text).toContain("Google Authenticator on Android");
    expect(text).toContain("Time correction for codes");
    expect(messageFor(new ApiError(401, "clock_drift", "", null, -300))).toContain("5 minutes behind this server's");
  });

  it("explains the two kinds of malformed code", () => {
    expect(messageFor(apiError("invalid_code_format"), "totp")).toBe("Enter the 6 digits shown in your authenticator app.");
    expect(messageFor(apiError("invalid_code_format"), "recovery")).toBe(
      "Recovery codes look like XXXX-XXXX-XXXX-XXXX. Check the code and try again.",
    );
  });

  it("covers network failures and unknown errors", () => {
    expect(messageFor(ApiError.network())).toBe("The server could not be reached. Check your connection and try again.");
    expect(messageFor(new ApiError(502, "unexpected", "Bad Gateway", null))).toBe(
      "The server answered with an unexpected error (502). Try again in a moment.",
    );
  });
});

describe("formatWait", () => {
  it.each([
    [0, "a moment"],
    [1, "a moment"],
    [30, "30 seconds"],
    [89, "89 seconds"],
    [90, "about 2 minutes"],
    [60 * 5, "about 5 minutes"],
    [61 * 60, "about 61 minutes"],
  ])("%i s → %s", (seconds, words) => {
    expect(formatWait(seconds)).toBe(words);
  });
});

describe("ApiError.fromResponse", () => {
  it("reads the code, the message and Retry-After", () => {
    const response = new Response(null, { status: 429, headers: { "Retry-After": "120" } });
    const error = ApiError.fromResponse(response, { error: { code: "account_locked", message: "locked" } });
    expect(error.status).toBe(429);
    expect(error.code).toBe("account_locked");
    expect(error.message).toBe("locked");
    expect(error.retryAfter).toBe(120);
  });

  it("reads drift_seconds from a clock_drift error, and nothing from others", () => {
    const response = new Response(null, { status: 401 });
    const drift = ApiError.fromResponse(response, { error: { code: "clock_drift", message: "m", drift_seconds: -150 } });
    expect(drift.code).toBe("clock_drift");
    expect(drift.driftSeconds).toBe(-150);
    const plain = ApiError.fromResponse(response, { error: { code: "invalid_code", message: "m" } });
    expect(plain.driftSeconds).toBeNull();
  });

  it("falls back to 'unexpected' for a body without an error code", () => {
    const error = ApiError.fromResponse(new Response(null, { status: 502, statusText: "Bad Gateway" }), "<html>");
    expect(error.code).toBe("unexpected");
    expect(error.retryAfter).toBeNull();
  });
});
