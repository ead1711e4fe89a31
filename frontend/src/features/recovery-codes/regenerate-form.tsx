// New recovery codes need the password and a current code, so a stolen session alone cannot read them.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { CodeInput } from "../../components/ui/code-input";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitOrCancel } from "../../components/ui/submit-or-cancel";
import { isCompleteTotp } from "../../lib/one-time-code";
import { useFocusOnMount } from "../../lib/use-focus";
import { regenerateCodes, type NewCodes } from "./api";

export function RegenerateForm({ onCreated, onCancel }: { onCreated: (result: NewCodes) => void; onCancel: () => void }) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!isCompleteTotp(code)) {
      setError("Enter all 6 digits of the current code from your authenticator app.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onCreated(await regenerateCodes(password, code));
    } catch (err) {
      setCode("");
      setError(messageFor(err, "password-and-code"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack panel" noValidate>
      <h3 ref={headingRef} tabIndex={-1}>
        Generate new recovery codes
      </h3>
      <p>Your current recovery codes stop working as soon as the new ones are created.</p>
      {error && <Alert tone="error">{error}</Alert>}
      <PasswordField value={password} onChange={setPassword} />
      <CodeInput label="Current 6-digit code" value={code} onChange={setCode} />
      <SubmitOrCancel busy={busy} busyText="Generating…" onCancel={onCancel}>
        Generate new codes
      </SubmitOrCancel>
    </form>
  );
}
