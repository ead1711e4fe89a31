// The password step of signing in.
import { useState, type FormEvent } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { PasswordField } from "../../components/ui/password-field";
import { SubmitButton } from "../../components/ui/submit-button";
import { TextField } from "../../components/ui/text-field";
import { signIn, type LoginResult } from "./api";

export function SignInForm({ onResult, initialUsername = "" }: { onResult: (result: LoginResult, username: string) => void; initialUsername?: string }) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(username.trim(), password);
      onResult(result, username.trim());
    } catch (err) {
      setPassword("");
      setError(messageFor(err, "sign-in"));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="stack">
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
        autoFocus={!initialUsername}
      />
      <PasswordField value={password} onChange={setPassword} autoFocus={Boolean(initialUsername)} />
      <SubmitButton busy={busy} busyText="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
