// Sign in, step two: the code from the authenticator app, or a recovery code.
import { useEffect } from "react";
import { SecondStepForm } from "../../features/session/second-step-form";
import type { ChallengeResult } from "../../features/session/api";
import { Page } from "../page";
import { Redirect } from "../redirect";
import { Link, navigate } from "../router";
import { useSession, type Challenge } from "../session";

const LOW = 3;

export function SecondStepRoute() {
  const { challenge } = useSession();
  if (!challenge) return <Redirect to="/login" />;
  return <SecondStep challenge={challenge} />;
}

function SecondStep({ challenge }: { challenge: Challenge }) {
  const { refresh, setChallenge, setNotice } = useSession();

  function backToPassword(message: string) {
    setChallenge(null);
    setNotice({ tone: "error", text: message, path: "/login" });
    navigate(`/login?username=${encodeURIComponent(challenge.username)}`, { replace: true });
  }

  // Say so when the challenge runs out rather than letting the next code fail.
  useEffect(() => {
    const timer = setTimeout(
      () => backToPassword("This sign-in has expired. Enter your password again to get a new code prompt."),
      Math.max(0, challenge.expiresAt - Date.now()),
    );
    return () => clearTimeout(timer);
  });

  async function onSignedIn(result: ChallengeResult, usedRecoveryCode: boolean) {
    setChallenge(null);
    const left = result.recovery_codes_remaining;
    if (usedRecoveryCode || left <= LOW) {
      const used = usedRecoveryCode ? "You signed in with a recovery code; it cannot be used again. " : "";
      const advice = left <= LOW ? " Generate new recovery codes below so you are not locked out." : "";
      setNotice({
        tone: left <= LOW ? "warning" : "info",
        text: `${used}You have ${left} recovery code${left === 1 ? "" : "s"} left.${advice}`,
        path: "/profile",
      });
    }
    await refresh();
    navigate("/profile", { replace: true });
  }

  return (
    <Page title="Two-factor authentication" narrow>
      <p>
        Signing in as <strong>{challenge.username}</strong>. Open your authenticator app and enter the 6-digit code for{" "}
        this account.
      </p>
      <SecondStepForm challengeId={challenge.id} onSignedIn={onSignedIn} onChallengeGone={backToPassword} />
      <p className="muted small">
        <Link to="/login" onClick={() => setChallenge(null)}>
          Cancel and go back to sign in
        </Link>
      </p>
    </Page>
  );
}
