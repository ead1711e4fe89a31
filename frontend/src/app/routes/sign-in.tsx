// Sign in, step one: username and password.
import { SignInForm } from "../../features/session/sign-in-form";
import { useSetupNeeded } from "../../features/session/use-setup-needed";
import type { LoginResult } from "../../features/session/api";
import { Page } from "../page";
import { Link, navigate } from "../router";
import { useSession } from "../session";

export function SignInRoute() {
  const { refresh, setChallenge } = useSession();
  const setupNeeded = useSetupNeeded();
  const initialUsername = new URLSearchParams(window.location.search).get("username") ?? "";

  async function onResult(result: LoginResult, username: string) {
    if (result.status === "2fa_required") {
      setChallenge({ id: result.challenge_id, username, expiresAt: Date.now() + result.expires_in * 1000 });
      navigate("/login/verify");
      return;
    }
    await refresh();
    navigate("/profile", { replace: true });
  }

  return (
    <Page title="Sign in" narrow>
      <SignInForm onResult={onResult} initialUsername={initialUsername} />
      {setupNeeded === true && (
        <p className="muted small">
          New server with no accounts yet? <Link to="/setup">Create the administrator account</Link>.
        </p>
      )}
    </Page>
  );
}
