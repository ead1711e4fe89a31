// Session calls: first-run setup (open or not, and creating the admin), password step, second step, sign out, and who am I.
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type Json<P extends keyof paths, M extends "get" | "post", S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export type Me = Json<"/api/me", "get", 200>;
export type LoginResult = Json<"/api/login", "post", 200>;
export type ChallengeResult = Json<"/api/login/challenge", "post", 200>;

/** A second factor answer: the authenticator code, or one recovery code. */
export type SecondFactor = { code: string } | { recovery_code: string };

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET("/api/me"));
}

/** True only while the server has no user, so first-run setup is still open. */
export async function fetchSetupNeeded(): Promise<boolean> {
  return (await unwrap(api.GET("/api/setup"))).needed;
}

export function createFirstAdmin(username: string, password: string) {
  return unwrap(api.POST("/api/setup", { body: { username, password } }));
}

export function signIn(username: string, password: string): Promise<LoginResult> {
  return unwrap(api.POST("/api/login", { body: { username, password } }));
}

export function answerChallenge(challengeId: string, factor: SecondFactor): Promise<ChallengeResult> {
  return unwrap(api.POST("/api/login/challenge", { body: { challenge_id: challengeId, ...factor } }));
}

export async function signOut(): Promise<void> {
  // No body, but the server wants every cookie-authenticated POST to be JSON.
  await unwrap(api.POST("/api/logout", { headers: { "Content-Type": "application/json" } }));
}
