// Administrator calls: the user list, new users, and the lost-phone 2FA reset.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type AdminUser = components["schemas"]["AdminUserView"];

// These POSTs carry no body, but the server wants every cookie-authenticated POST to be JSON.
const json = { "Content-Type": "application/json" };

export function listUsers() {
  return unwrap(api.GET("/api/admin/users"));
}

export function createUser(username: string, password: string, isAdmin: boolean) {
  return unwrap(api.POST("/api/admin/users", { body: { username, password, is_admin: isAdmin } }));
}

export function resetTwoFactor(id: number) {
  return unwrap(api.POST("/api/admin/users/{id}/2fa/reset", { params: { path: { id } }, headers: json }));
}

export function disableUser(id: number) {
  return unwrap(api.POST("/api/admin/users/{id}/disable", { params: { path: { id } }, headers: json }));
}

export function enableUser(id: number) {
  return unwrap(api.POST("/api/admin/users/{id}/enable", { params: { path: { id } }, headers: json }));
}
