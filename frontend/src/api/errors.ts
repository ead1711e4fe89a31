// Server error codes (from the generated schema) turned into sentences a person can act on.
import { formatDrift } from "../lib/format";
import type { components } from "./schema";

export type ErrorCode = components["schemas"]["ErrorCode"];
type ClientCode = "network" | "unexpected";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientCode,
    message: string,
    /** Seconds from the Retry-After header, when the server sent one. */
    readonly retryAfter: number | null,
    /** With `clock_drift`: how far the device clock is off, in seconds (positive: ahead). */
    readonly driftSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  static network(): ApiError {
    return new ApiError(0, "network", "network error", null);
  }

  static fromResponse(response: Response, body: unknown): ApiError {
    const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    const retryAfter = Number.isFinite(retry) && retry >= 0 ? retry : null;
    const detail = errorDetail(body);
    return new ApiError(
      response.status,
      detail?.code ?? "unexpected",
      detail?.message ?? response.statusText,
      retryAfter,
      detail?.driftSeconds ?? null,
    );
  }
}

type Detail = { code: ErrorCode; message: string; driftSeconds: number | null };

function errorDetail(body: unknown): Detail | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const inner = (body as { error: unknown }).error;
  if (typeof inner !== "object" || inner === null) return null;
  const { code, message, drift_seconds } = inner as { code?: unknown; message?: unknown; drift_seconds?: unknown };
  if (typeof code !== "string") return null;
  return {
    code: code as ErrorCode,
    message: typeof message === "string" ? message : "",
    driftSeconds: typeof drift_seconds === "number" && Number.isFinite(drift_seconds) ? drift_seconds : null,
  };
}

/** What the person was doing: the same code means different things in different places. */
export type ErrorContext = "sign-in" | "setup" | "totp" | "recovery" | "password" | "password-and-code" | "general";

/** "about 5 minutes", "45 seconds": Retry-After in words. */
export function formatWait(seconds: number): string {
  if (seconds <= 1) return "a moment";
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function waitPhrase(error: ApiError): string {
  return error.retryAfter === null ? "a few minutes" : formatWait(error.retryAfter);
}

const fixed: Record<Exclude<ErrorCode, "clock_drift" | "invalid_code" | "invalid_code_format" | "too_many_attempts" | "account_locked" | "overloaded" | "weak_password">, string> = {
  invalid_request: "Something in the form was not accepted. Check the fields and try again.",
  unsupported_media_type: "The request was refused by the server. Reload the page and try again.",
  payload_too_large: "That is more text than the form accepts. Shorten it and try again.",
  unauthenticated: "You are signed out. Sign in again to continue.",
  invalid_credentials: "That username and password do not match. Check both and try again.",
  totp_replayed:
    "That code was already used. Wait for the next code in your authenticator app (codes change every 30 seconds) and enter it.",
  challenge_invalid: "This sign-in attempt has ended: it took too long, or too many wrong codes were entered. Enter your password again.",
  forbidden: "You do not have permission to do that.",
  cross_origin: "The request was refused because it did not come from this site. Reload the page and try again.",
  not_found: "That was not found. It may have been removed.",
  method_not_allowed: "The server does not accept that action. Reload the page and try again.",
  totp_already_enabled: "Two-factor authentication is already on for this account.",
  totp_not_enabled: "Two-factor authentication is not on for this account.",
  no_pending_enrollment: "There is no setup in progress. Start again with Enable 2FA.",
  enrollment_expired: "The setup took too long and has expired. Start again with Enable 2FA.",
  setup_done: "This server is already set up. Sign in with an existing account.",
  username_taken: "That username is already taken. Choose another.",
  enrollment_required:
    "Your administrator requires two-factor authentication for your account. Turn it on in your Profile to continue.",
  internal: "Something went wrong on the server. Try again in a moment.",
};

/** The sentence to show for an error, in the words of the task the person was doing. */
export function messageFor(error: unknown, context: ErrorContext = "general"): string {
  if (!(error instanceof ApiError)) {
    return "Something went wrong. Reload the page and try again.";
  }
  switch (error.code) {
    case "network":
      return "The server could not be reached. Check your connection and try again.";
    case "unexpected":
      return `The server answered with an unexpected error (${error.status}). Try again in a moment.`;
    case "enrollment_required":
      // An administrator confirming an action on an administrator who has 2FA.
      if (context === "password" || context === "password-and-code")
        return "Only an administrator whose own two-factor authentication has been on for a day can reset or disable an administrator who has it.";
      return fixed.enrollment_required;
    case "invalid_credentials":
      // A signed-in person confirming a change typed only their password: no username to blame.
      if (context === "password" || context === "password-and-code")
        return "That password is not right. Check it and try again.";
      return fixed.invalid_credentials;
    case "invalid_code":
      if (context === "recovery") return "That recovery code is not valid, or it has already been used.";
      if (context === "password-and-code")
        return "The password or the code is not right. Check both and try again; codes change every 30 seconds.";
      return "That code is not right. Enter the current 6-digit code from your authenticator app.";
    case "clock_drift":
      return clockDriftMessage(error.driftSeconds);
    case "invalid_code_format":
      if (context === "recovery") return "Recovery codes look like XXXX-XXXX-XXXX-XXXX. Check the code and try again.";
      return "Enter the 6 digits shown in your authenticator app.";
    case "too_many_attempts":
      return `Too many attempts. For your security, wait ${waitPhrase(error)} and try again.`;
    case "account_locked":
      return `Too many wrong codes, so this account is locked for ${waitPhrase(error)}. After that, sign in again.`;
    case "overloaded":
      return `The server is busy. Try again in ${waitPhrase(error)}.`;
    case "weak_password":
      return error.message
        ? `Choose a stronger password: ${error.message}`
        : "Choose a stronger password: longer, and not a common one.";
    default:
      return fixed[error.code];
  }
}

/** The fix is the same for every phone: let it set its own clock, then use a fresh code. */
const clockFix =
  "On your phone, turn on automatic date and time (in Settings, under Date & time). " +
  "If you use Google Authenticator on Android, also open its Settings → Time correction for codes → Sync now. " +
  "Then enter the new code the app shows.";

/** Enrolment only: the code was right for another time, so the phone's clock is off. */
export function clockDriftMessage(driftSeconds: number | null): string {
  if (driftSeconds === null || driftSeconds === 0) {
    return `That code is for a different time: your phone's clock is off. ${clockFix}`;
  }
  return `That code is for a different time: your phone's clock is ${formatDrift(driftSeconds)} this server's. ${clockFix}`;
}
