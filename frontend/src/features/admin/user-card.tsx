// One account in the administrator's list, with its 2FA state and the actions on it.
import { useState } from "react";
import { formatDate } from "../../lib/format";
import { disableUser, enableUser, resetTwoFactor, type AdminUser } from "./api";
import { ConfirmAction } from "./confirm-action";

type Confirming = "reset" | "disable" | "enable" | null;

type Props = {
  user: AdminUser;
  isSelf: boolean;
  /** Whether the signed-in administrator has 2FA on, so confirming needs their code. */
  selfHasTwoFactor: boolean;
  onChanged: (user: AdminUser, note: string) => void;
};

export function UserCard({ user, isSelf, selfHasTwoFactor, onChanged }: Props) {
  const [confirming, setConfirming] = useState<Confirming>(null);
  const tf = user.two_factor;
  // A password alone cannot take protection away from an administrator with 2FA (server: 403).
  const outranked = !isSelf && user.is_admin && tf.enabled && !selfHasTwoFactor;

  // Errors of a confirmed action are shown in its form, which keeps what was typed.
  async function confirmed(action: Promise<{ user: AdminUser }>, note: string) {
    const { user: updated } = await action;
    setConfirming(null);
    onChanged(updated, note);
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
      {confirming === "reset" && (
        <ConfirmAction
          label={`Reset 2FA for ${user.username}`}
          submitText="Reset 2FA"
          busyText="Resetting…"
          needsCode={selfHasTwoFactor}
          onConfirm={(stepUp) => confirmed(resetTwoFactor(user.id, stepUp), `Two-factor authentication was reset for ${user.username}.`)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Reset two-factor authentication for <strong>{user.username}</strong>? Their authenticator and recovery codes
            stop working and they are signed out everywhere. Do this only after checking who is asking.
          </p>
        </ConfirmAction>
      )}
      {confirming === "disable" && (
        <ConfirmAction
          label={`Disable ${user.username}`}
          submitText="Disable account"
          busyText="Disabling…"
          needsCode={selfHasTwoFactor}
          onConfirm={(stepUp) => confirmed(disableUser(user.id, stepUp), `${user.username} was disabled.`)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Disable <strong>{user.username}</strong>? They are signed out everywhere and cannot sign in until the account is
            enabled again.
          </p>
        </ConfirmAction>
      )}
      {confirming === "enable" && (
        <ConfirmAction
          label={`Enable ${user.username}`}
          submitText="Enable account"
          busyText="Enabling…"
          tone="primary"
          needsCode={selfHasTwoFactor}
          onConfirm={(stepUp) => confirmed(enableUser(user.id, stepUp), `${user.username} can sign in again.`)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Enable <strong>{user.username}</strong> again? They can sign in{user.is_admin ? " and administer this server" : ""} as
            before.
          </p>
        </ConfirmAction>
      )}
      {outranked && (
        <p className="muted small">
          Turn on two-factor authentication for your own account to reset or disable an administrator who has it.
        </p>
      )}
      {confirming === null && (
        <div className="actions">
          {tf.enabled && !isSelf && !outranked && (
            <button type="button" className="button button-secondary" onClick={() => setConfirming("reset")}>
              Reset 2FA…
            </button>
          )}
          {!isSelf &&
            (user.disabled ? (
              <button type="button" className="button button-secondary" onClick={() => setConfirming("enable")}>
                Enable account…
              </button>
            ) : (
              !outranked && (
                <button type="button" className="button button-danger-outline" onClick={() => setConfirming("disable")}>
                  Disable account…
                </button>
              )
            ))}
        </div>
      )}
    </li>
  );
}
