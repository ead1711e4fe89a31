// Audit event names from the server in plain words. Unknown names still read sensibly.
const events: Record<string, string> = {
  "setup.admin_created": "Administrator account created",
  "auth.password.success": "Password entered correctly",
  "auth.password.failure": "Wrong password",
  "auth.password.throttled": "Sign-in blocked: too many attempts",
  "2fa.challenge.issued": "Asked for the authenticator code",
  "2fa.challenge.success": "Signed in with two-factor authentication",
  "2fa.challenge.failure": "Second sign-in step failed",
  "2fa.enroll.started": "Two-factor setup started",
  "2fa.enroll.failed": "Two-factor setup: code not accepted",
  "2fa.enroll.completed": "Two-factor authentication turned on",
  "2fa.disabled": "Two-factor authentication turned off",
  "2fa.throttled": "Code entry blocked: too many attempts",
  "2fa.locked": "Account locked after too many wrong codes",
  "totp.replay_detected": "A code was used a second time and refused",
  "recovery_code.used": "Recovery code used",
  "recovery_code.regenerated": "New recovery codes created",
  "session.logout": "Signed out",
  "session.revoked_all": "Other sessions signed out",
  "session.renewed": "Session renewed with a new id",
  "2fa.disable.failure": "Turning off two-factor authentication failed",
  "recovery_code.regenerate.failure": "Creating new recovery codes failed",
  "admin.step_up.failure": "Confirming an administrator action failed",
  "admin.action.refused": "Administrator action refused",
  "csrf.rejected": "A request from another website was refused",
  "admin.2fa_reset": "Two-factor authentication reset by an administrator",
  "admin.admin_created": "Administrator account created by an administrator",
  "admin.user_created": "Account created by an administrator",
  "admin.user_disabled": "Account disabled by an administrator",
  "admin.user_enabled": "Account enabled again by an administrator",
};

const reasons: Record<string, string> = {
  invalid_code: "wrong code",
  clock_drift: "phone clock off",
  replayed: "code already used",
  step_up: "while confirming a change",
  "2fa_enabled": "after turning on two-factor authentication",
  "2fa_disabled": "after turning off two-factor authentication",
  recovery_code: "after a recovery code was used",
  "2fa_required": "code asked next",
  disabled: "account disabled",
  user_request: "at your request",
  outranked: "the other administrator has two-factor authentication",
  own_account: "it was your own account",
};

function words(name: string): string {
  const text = name.replace(/[._]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function eventLabel(event: string, reason?: string | null): string {
  const label = events[event] ?? words(event);
  if (!reason) return label;
  return `${label} (${reasons[reason] ?? words(reason).toLowerCase()})`;
}
