// Two-factor authentication is off: what it is, and Enable 2FA after confirming the password.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitOrCancel } from "../../components/ui/submit-or-cancel";
import { useFocusOnMount } from "../../lib/use-focus";
import { startEnrolment, type Enrolment } from "./api";

export function EnablePrompt({ onStarted }: { onStarted: (enrolment: Enrolment) => void }) {
  const [asking, setAsking] = useState(false);
  return (
    <div className="stack">
      <p>
        <span className="badge badge-off">Off</span> Two-factor authentication adds a second step when you sign in: after your password, you
        enter a 6-digit code from an authenticator app on your phone (such as Aegis, Google Authenticator, Microsoft
        Authenticator, 1Password or Bitwarden). Someone who learns your password still cannot sign in without your phone.
      </p>
      {asking ? (
        <PasswordStep onStarted={onStarted} onCancel={() => setAsking(false)} />
      ) : (
        <div>
          <button type="button" className="button button-primary" onClick={() => setAsking(true)}>
            Enable 2FA
          </button>
        </div>
      )}
    </div>
  );
}

function PasswordStep({ onStarted, onCancel }: { onStarted: (enrolment: Enrolment) => void; onCancel: () => void }) {
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useFocusOnMount<HTMLInputElement>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onStarted(await startEnrolment(password));
    } catch (err) {
      setPassword("");
      setError(messageFor(err, "sign-in"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack panel">
      {error && <Alert tone="error">{error}</Alert>}
      <PasswordField
        label="Confirm your password"
        hint="To protect your account, confirm it is you before changing how you sign in."
        value={password}
        onChange={setPassword}
        inputRef={inputRef}
      />
      <SubmitOrCancel busy={busy} busyText="Starting…" onCancel={onCancel}>
        Continue
      </SubmitOrCancel>
    </form>
  );
}
