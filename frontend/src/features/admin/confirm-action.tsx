// The administrator confirms an action that takes protection away from another account: their own
// password, and a current code from their authenticator when their account has 2FA on.
import { useState, type FormEvent, type ReactNode } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { CodeInput } from "../../components/ui/code-input";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitOrCancel } from "../../components/ui/submit-or-cancel";
import { isCompleteTotp } from "../../lib/one-time-code";
import type { StepUp } from "./api";

type Props = {
  label: string;
  children: ReactNode;
  submitText: string;
  busyText: string;
  tone?: "primary" | "danger";
  needsCode: boolean;
  onConfirm: (stepUp: StepUp) => Promise<void>;
  onCancel: () => void;
};

export function ConfirmAction({ label, children, submitText, busyText, tone = "danger", needsCode, onConfirm, onCancel }: Props) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) {
      setError("Enter your password to confirm.");
      return;
    }
    if (needsCode && !isCompleteTotp(code)) {
      setError("Enter all 6 digits of the current code from your authenticator app.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onConfirm(needsCode ? { password, code } : { password });
    } catch (err) {
      setCode("");
      setError(messageFor(err, needsCode ? "password-and-code" : "password"));
      setBusy(false);
    }
  }

  return (
    <form className={tone === "danger" ? "panel panel-danger stack-sm" : "panel stack-sm"} role="group" aria-label={label} onSubmit={submit} noValidate>
      {children}
      <p className="muted small">Confirm it is you{needsCode ? " with your password and a code from your authenticator app" : " with your password"}.</p>
      {error && <Alert tone="error">{error}</Alert>}
      <PasswordField label="Your password" value={password} onChange={setPassword} autoFocus />
      {needsCode && <CodeInput label="Your current 6-digit code" value={code} onChange={setCode} />}
      <SubmitOrCancel busy={busy} busyText={busyText} tone={tone} onCancel={onCancel}>
        {submitText}
      </SubmitOrCancel>
    </form>
  );
}
