// The one HTTP client of the SPA, typed from the generated OpenAPI schema.
// The session is an HttpOnly cookie: the browser attaches it (same-origin only) and adds
// the Origin header itself, which the server's cross-origin check relies on.
import createClient from "openapi-fetch";
import { ApiError } from "./errors";
import type { paths } from "./schema";

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  credentials: "same-origin",
  // Looked up per call so tests can replace the global fetch after this module loads.
  fetch: (request) => globalThis.fetch(request),
});

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** Resolves to the success body, or throws an ApiError carrying the server's error code. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch {
    throw ApiError.network();
  }
  const { data, error, response } = outcome;
  if (response.ok) {
    return data as T;
  }
  const failure = ApiError.fromResponse(response, error);
  if (failure.code === "unauthenticated") {
    window.dispatchEvent(new Event(SESSION_ENDED));
  }
  if (failure.code === "enrollment_required") {
    window.dispatchEvent(new Event(ENROLMENT_REQUIRED));
  }
  throw failure;
}

/** Fired on window when the server says the session is gone (expired, revoked, signed out elsewhere). */
export const SESSION_ENDED = "twofa:session-ended";

/** Fired on window when the 2FA policy deadline passed: only enrolment is open until 2FA is on. */
export const ENROLMENT_REQUIRED = "twofa:enrolment-required";
