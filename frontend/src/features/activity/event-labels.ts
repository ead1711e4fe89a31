// Event kinds from the server in plain words. Unknown kinds are shown by their own name.
const labels: Record<string, string> = {
  login_succeeded: "Signed in",
  login_failed: "Sign-in failed: wrong password",
  second_factor_failed: "Sign-in failed: wrong code",
  totp_enabled: "Two-factor authentication turned on",
  totp_disabled: "Two-factor authentication turned off",
  totp_replayed: "A code was used twice and refused",
  recovery_code_used: "Signed in with a recovery code",
  recovery_codes_regenerated: "New recovery codes created",
  account_locked: "Account locked after too many wrong codes",
  logout: "Signed out",
  admin_reset: "Two-factor authentication reset by an administrator",
};

export function eventLabel(kind: string): string {
  return labels[kind] ?? kind.replace(/_/g, " ");
}
