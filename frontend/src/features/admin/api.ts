// Administrator calls: the user list, new users, and the lost-phone 2FA reset.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type AdminUser = components["schemas"]["AdminUserView"];

export function listUsers() {
  return unwrap(api.GET("/api/admin/users"));
}

/** A new administrator needs the creating administrator's confirmation; a plain user does not. */
export function createUser(username: string, password: string, isAdmin: boolean, confirm?: StepUp) {
  const body = isAdmin ? { username, password, is_admin: true, confirm } : { username, password, is_admin: false };
  return unwrap(api.POST("/api/admin/users", { body }));
}

/** The administrator's own password, plus a current code when their account has 2FA on. */
export type StepUp = components["schemas"]["AdminStepUpRequest"];

export function resetTwoFactor(id: number, stepUp: StepUp) {
  return unwrap(api.POST("/api/admin/users/{id}/2fa/reset", { params: { path: { id } }, body: stepUp }));
}

export function disableUser(id: number, stepUp: StepUp) {
  return unwrap(api.POST("/api/admin/users/{id}/disable", { params: { path: { id } }, body: stepUp }));
}

export function enableUser(id: number, stepUp: StepUp) {
  return unwrap(api.POST("/api/admin/users/{id}/enable", { params: { path: { id } }, body: stepUp }));
}
