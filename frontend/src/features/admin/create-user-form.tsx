// An administrator adds an account; the new user turns on 2FA themselves after signing in.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { CodeInput } from "../../components/ui/code-input";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitButton } from "../../components/ui/submit-button";
import { TextField } from "../../components/ui/text-field";
import { isCompleteTotp } from "../../lib/one-time-code";
import { createUser, type AdminUser } from "./api";

type Props = {
  onCreated: (user: AdminUser) => void;
  /** Whether the signed-in administrator has 2FA on, so confirming needs their code. */
  selfHasTwoFactor: boolean;
};

export function CreateUserForm({ onCreated, selfHasTwoFactor }: Props) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  const [ownPassword, setOwnPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (isAdmin && !ownPassword) {
      setError("Enter your own password to confirm adding an administrator.");
      return;
    }
    if (isAdmin && selfHasTwoFactor && !isCompleteTotp(code)) {
      setError("Enter all 6 digits of the current code from your authenticator app.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const confirm = selfHasTwoFactor ? { password: ownPassword, code } : { password: ownPassword };
      const { user } = await createUser(username.trim(), password, isAdmin, isAdmin ? confirm : undefined);
      setUsername("");
      setPassword("");
      setIsAdmin(false);
      setOwnPassword("");
      setCode("");
      onCreated(user);
    } catch (err) {
      setCode("");
      setError(messageFor(err, isAdmin ? "password-and-code" : "setup"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack" noValidate>
      {error && <Alert tone="error">{error}</Alert>}
      <TextField
        label="Username"
        name="new-username"
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <PasswordField
        label="Initial password"
        autoComplete="new-password"
        hint="At least 8 characters. Give it to the person over a safe channel."
        value={password}
        onChange={setPassword}
      />
      <label className="checkbox">
        <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />
        Administrator
      </label>
      {isAdmin && (
        <fieldset className="stack-sm">
          <legend>Confirm it is you: an administrator can do everything you can.</legend>
          <PasswordField label="Your password" value={ownPassword} onChange={setOwnPassword} />
          {selfHasTwoFactor && <CodeInput label="Your current 6-digit code" value={code} onChange={setCode} />}
        </fieldset>
      )}
      <div>
        <SubmitButton busy={busy} busyText="Adding…">
          Add user
        </SubmitButton>
      </div>
    </form>
  );
}
