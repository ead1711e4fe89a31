// First run: create the administrator account while the server has no user.
import { useState, type FormEvent } from "react";
import { ApiError, messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitButton } from "../../components/ui/submit-button";
import { TextField } from "../../components/ui/text-field";
import { createFirstAdmin } from "./api";

type Props = {
  onCreated: (username: string) => void;
  /** Another person finished setup first: there is nothing to set up any more. */
  onAlreadyDone: (message: string) => void;
};

export function SetupForm({ onCreated, onAlreadyDone }: Props) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setError("The two passwords are different. Type the same password twice.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createFirstAdmin(username.trim(), password);
      onCreated(username.trim());
    } catch (err) {
      if (err instanceof ApiError && err.code === "setup_done") {
        onAlreadyDone(messageFor(err, "setup"));
        return;
      }
      setError(messageFor(err, "setup"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack" noValidate>
      {error && <Alert tone="error">{error}</Alert>}
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="off"
        spellCheck={false}
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        autoFocus
      />
      <PasswordField
        label="Password"
        autoComplete="new-password"
        hint="At least 8 characters; longer is better. A few unrelated words work well."
        value={password}
        onChange={setPassword}
      />
      <PasswordField label="Repeat password" autoComplete="new-password" value={repeat} onChange={setRepeat} />
      <SubmitButton busy={busy} busyText="Creating account…">
        Create administrator account
      </SubmitButton>
    </form>
  );
}
