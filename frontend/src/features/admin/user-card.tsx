// One account in the administrator's list, with its 2FA state and the actions on it.
import { useState } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { formatDate } from "../../lib/format";
import { disableUser, enableUser, resetTwoFactor, type AdminUser } from "./api";

type Confirming = "reset" | "disable" | null;

export function UserCard({ user, isSelf, onChanged }: { user: AdminUser; isSelf: boolean; onChanged: (user: AdminUser, note: string) => void }) {
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tf = user.two_factor;

  async function run(action: () => Promise<{ user: AdminUser }>, note: string) {
    setBusy(true);
    setError(null);
    try {
      const { user: updated } = await action();
      setConfirming(null);
      onChanged(updated, note);
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="user-card" data-testid={`user-${user.username}`}>
      <div className="user-card-head">
        <strong>{user.username}</strong>
        {user.is_admin && <span className="badge badge-off">Administrator</span>}
        {user.disabled && <span className="badge badge-danger">Disabled</span>}
      </div>
      <p className="muted small">
        {tf.enabled
          ? `2FA on${tf.enabled_at ? ` since ${formatDate(tf.enabled_at)}` : ""} · ${tf.recovery_codes_remaining} recovery codes left`
          : "2FA off"}{" "}
        · added {formatDate(user.created_at)}
      </p>
      {error && <Alert tone="error">{error}</Alert>}
      {confirming === "reset" && (
        <div className="panel panel-danger stack-sm" role="group" aria-label={`Reset 2FA for ${user.username}`}>
          <p>
            Reset two-factor authentication for <strong>{user.username}</strong>? Their authenticator and recovery codes
            stop working and they are signed out everywhere. Do this only after checking who is asking.
          </p>
          <div className="actions">
            <button type="button" className="button button-danger" disabled={busy} onClick={() => run(() => resetTwoFactor(user.id), `Two-factor authentication was reset for ${user.username}.`)}>
              Reset 2FA
            </button>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {confirming === "disable" && (
        <div className="panel panel-danger stack-sm" role="group" aria-label={`Disable ${user.username}`}>
          <p>
            Disable <strong>{user.username}</strong>? They are signed out everywhere and cannot sign in until the account is
            enabled again.
          </p>
          <div className="actions">
            <button type="button" className="button button-danger" disabled={busy} onClick={() => run(() => disableUser(user.id), `${user.username} was disabled.`)}>
              Disable account
            </button>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {confirming === null && (
        <div className="actions">
          {tf.enabled && !isSelf && (
            <button type="button" className="button button-secondary" onClick={() => setConfirming("reset")}>
              Reset 2FA…
            </button>
          )}
          {!isSelf &&
            (user.disabled ? (
              <button type="button" className="button button-secondary" disabled={busy} onClick={() => run(() => enableUser(user.id), `${user.username} can sign in again.`)}>
                Enable account
              </button>
            ) : (
              <button type="button" className="button button-danger-outline" onClick={() => setConfirming("disable")}>
                Disable account…
              </button>
            ))}
        </div>
      )}
    </li>
  );
}
