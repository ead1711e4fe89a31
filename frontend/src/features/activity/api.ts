// The signed-in person's own security events, newest first.
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type EventList = paths["/api/me/events"]["get"] extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export function fetchEvents(): Promise<EventList> {
  return unwrap(api.GET("/api/me/events"));
}
