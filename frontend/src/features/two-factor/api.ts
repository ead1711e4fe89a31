// Turning two-factor authentication on (enable, then verify) and off.
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

type Ok<P extends keyof paths> = paths[P]["post"] extends {
  responses: { 200: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export type Enrolment = Ok<"/api/2fa/enable">;
export type Verified = Ok<"/api/2fa/verify">;
export type Disabled = Ok<"/api/2fa/disable">;
export type DisableProof = { code: string } | { recovery_code: string };

export function startEnrolment(password: string): Promise<Enrolment> {
  return unwrap(api.POST("/api/2fa/enable", { body: { password } }));
}

export function confirmEnrolment(code: string): Promise<Verified> {
  return unwrap(api.POST("/api/2fa/verify", { body: { code } }));
}

export function disableTwoFactor(password: string, proof: DisableProof): Promise<Disabled> {
  return unwrap(api.POST("/api/2fa/disable", { body: { password, ...proof } }));
}
