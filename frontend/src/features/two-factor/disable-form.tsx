// Turning two-factor authentication off: the password plus a current code or a recovery code.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { CodeInput } from "../../components/ui/code-input";
import { PasswordField } from "../../components/ui/password-field";
import { RecoveryCodeInput } from "../../components/ui/recovery-code-input";
import { SubmitOrCancel } from "../../components/ui/submit-or-cancel";
import { isCompleteTotp, normaliseRecoveryCode } from "../../lib/one-time-code";
import { useFocusOnMount } from "../../lib/use-focus";
import { disableTwoFactor, type Disabled } from "./api";

export function DisableForm({ onDisabled, onCancel }: { onDisabled: (result: Disabled) => void; onCancel: () => void }) {
  const [password, setPassword] = useState("");
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!useRecovery && !isCompleteTotp(code)) {
      setError("Enter all 6 digits of the current code from your authenticator app.");
      return;
    }
    if (useRecovery && !normaliseRecoveryCode(recovery)) {
      setError("Enter one of your recovery codes.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const proof = useRecovery ? { recovery_code: normaliseRecoveryCode(recovery) } : { code };
      onDisabled(await disableTwoFactor(password, proof));
    } catch (err) {
      setCode("");
      setError(messageFor(err, useRecovery ? "recovery" : "password-and-code"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack panel panel-danger" noValidate>
      <h3 ref={headingRef} tabIndex={-1}>
        Turn off two-factor authentication
      </h3>
      <p>Your account will be protected by your password only. Your recovery codes stop working.</p>
      {error && <Alert tone="error">{error}</Alert>}
      <PasswordField value={password} onChange={setPassword} />
      {useRecovery ? (
        <RecoveryCodeInput value={recovery} onChange={setRecovery} />
      ) : (
        <CodeInput label="Current 6-digit code" value={code} onChange={setCode} />
      )}
      <button type="button" className="link-button" onClick={() => setUseRecovery(!useRecovery)}>
        {useRecovery ? "Use a code from your authenticator app instead" : "Use a recovery code instead"}
      </button>
      <SubmitOrCancel busy={busy} busyText="Turning off…" tone="danger" onCancel={onCancel}>
        Turn off 2FA
      </SubmitOrCancel>
    </form>
  );
}
