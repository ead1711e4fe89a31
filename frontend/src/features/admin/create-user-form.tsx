// An administrator adds an account; the new user turns on 2FA themselves after signing in.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitButton } from "../../components/ui/submit-button";
import { TextField } from "../../components/ui/text-field";
import { createUser, type AdminUser } from "./api";

export function CreateUserForm({ onCreated }: { onCreated: (user: AdminUser) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await createUser(username.trim(), password, isAdmin);
      setUsername("");
      setPassword("");
      setIsAdmin(false);
      onCreated(user);
    } catch (err) {
      setError(messageFor(err, "setup"));
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
      <div>
        <SubmitButton busy={busy} busyText="Adding…">
          Add user
        </SubmitButton>
      </div>
    </form>
  );
}
