// The person's signed-in sessions (browsers and API tokens), and ending all but this one.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type SessionView = components["schemas"]["SessionView"];

export function fetchSessions() {
  return unwrap(api.GET("/api/me/sessions"));
}

export function revokeOtherSessions() {
  return unwrap(api.POST("/api/me/sessions/revoke-others", { headers: { "Content-Type": "application/json" } }));
}
