// The second step of signing in: the authenticator code, or a recovery code instead.
import { useEffect, useState, type FormEvent } from "react";
import { ApiError, messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { CodeInput } from "../../components/ui/code-input";
import { RecoveryCodeInput } from "../../components/ui/recovery-code-input";
import { SubmitButton } from "../../components/ui/submit-button";
import { isCompleteTotp, normaliseRecoveryCode } from "../../lib/one-time-code";
import { useRefocus } from "../../lib/use-refocus";
import { answerChallenge, type ChallengeResult, type SecondFactor } from "./api";

type Props = {
  challengeId: string;
  onSignedIn: (result: ChallengeResult, usedRecoveryCode: boolean) => void;
  /** The challenge expired or was burned by wrong codes: the password must be entered again. */
  onChallengeGone: (message: string) => void;
};

type Mode = "code" | "recovery";

export function SecondStepForm({ challengeId, onSignedIn, onChallengeGone }: Props) {
  const [mode, setMode] = useState<Mode>("code");
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState("");
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const [inputRef, refocus] = useRefocus<HTMLInputElement>();

  useEffect(() => {
    inputRef.current?.focus();
  }, [mode]);

  async function send(factor: SecondFactor) {
    if (busy || blocked) return;
    setBusy(true);
    setFieldError(null);
    try {
      const result = await answerChallenge(challengeId, factor);
      onSignedIn(result, "recovery_code" in factor);
    } catch (err) {
      setBusy(false);
      handleError(err);
    }
  }

  function handleError(err: unknown) {
    const context = mode === "recovery" ? "recovery" : "totp";
    if (err instanceof ApiError && err.code === "challenge_invalid") {
      onChallengeGone(messageFor(err, context));
      return;
    }
    if (err instanceof ApiError && (err.code === "too_many_attempts" || err.code === "account_locked")) {
      setCode("");
      setBlocked(messageFor(err, context));
      const wait = (err.retryAfter ?? 60) * 1000;
      setTimeout(() => setBlocked(null), wait);
      return;
    }
    setCode("");
    setFieldError(messageFor(err, context));
    // Back to the field so the next code can be typed straight away; the error is its description.
    refocus();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (mode === "code") {
      if (!isCompleteTotp(code)) {
        setFieldError("Enter all 6 digits of the code.");
        inputRef.current?.focus();
        return;
      }
      void send({ code });
    } else {
      const value = normaliseRecoveryCode(recovery);
      if (!value) {
        setFieldError("Enter one of your recovery codes.");
        inputRef.current?.focus();
        return;
      }
      void send({ recovery_code: value });
    }
  }

  function switchTo(next: Mode) {
    setMode(next);
    setFieldError(null);
  }

  return (
    <form onSubmit={submit} className="stack" noValidate>
      {blocked && <Alert tone="error">{blocked}</Alert>}
      {mode === "code" ? (
        <CodeInput
          value={code}
          onChange={setCode}
          onComplete={(complete) => void send({ code: complete })}
          error={fieldError}
          disabled={busy || Boolean(blocked)}
          inputRef={inputRef}
        />
      ) : (
        <RecoveryCodeInput
          value={recovery}
          onChange={setRecovery}
          error={fieldError}
          disabled={busy || Boolean(blocked)}
          inputRef={inputRef}
        />
      )}
      <SubmitButton busy={busy} busyText="Checking…" disabled={Boolean(blocked)}>
        Verify
      </SubmitButton>
      {mode === "code" ? (
        <button type="button" className="link-button" onClick={() => switchTo("recovery")}>
          Use a recovery code instead
        </button>
      ) : (
        <button type="button" className="link-button" onClick={() => switchTo("code")}>
          Use a code from your authenticator app instead
        </button>
      )}
    </form>
  );
}
