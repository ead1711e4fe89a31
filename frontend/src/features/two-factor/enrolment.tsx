// Enrolling: scan the server's QR code (or type the key), then prove it works with one code.
import { useState, type FormEvent } from "react";
import { ApiError, messageFor } from "../../api/errors";
import { CodeInput } from "../../components/ui/code-input";
import { SubmitOrCancel } from "../../components/ui/submit-or-cancel";
import { isCompleteTotp } from "../../lib/one-time-code";
import { useFocusOnMount } from "../../lib/use-focus";
import { useRefocus } from "../../lib/use-refocus";
import { confirmEnrolment, type Enrolment, type Verified } from "./api";
import { ManualKey } from "./manual-key";
import { QrImage } from "./qr-image";
import { ServerClock } from "./server-clock";

type Props = {
  enrolment: Enrolment;
  account: string;
  issuer: string;
  onVerified: (result: Verified) => void;
  /** The pending setup is gone on the server (expired or replaced): start over. */
  onRestart: (message: string) => void;
  onCancel: () => void;
};

export function EnrolmentStep({ enrolment, account, issuer, onVerified, onRestart, onCancel }: Props) {
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [inputRef, refocus] = useRefocus<HTMLInputElement>();

  async function send(value: string) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onVerified(await confirmEnrolment(value));
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && (err.code === "enrollment_expired" || err.code === "no_pending_enrollment")) {
        onRestart(messageFor(err, "totp"));
        return;
      }
      setCode("");
      // clock_drift: the server says how far the phone's clock is off and how to fix it.
      setError(messageFor(err, "totp"));
      refocus();
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!isCompleteTotp(code)) {
      setError("Enter all 6 digits of the code.");
      inputRef.current?.focus();
      return;
    }
    void send(code);
  }

  return (
    <div className="stack">
      <h3 ref={headingRef} tabIndex={-1}>
        Step 1 of 2: connect your authenticator app
      </h3>
      <div className="enrol">
        <QrImage svg={enrolment.qr_svg} account={account} />
        <div className="stack-sm">
          <p>Open your authenticator app, add an account, and scan this QR code.</p>
          <ManualKey secret={enrolment.secret} account={account} issuer={issuer} />
          <ServerClock serverTime={enrolment.server_time} />
        </div>
      </div>
      <form onSubmit={submit} className="stack" noValidate>
        <CodeInput
          label="Enter the 6-digit code the app now shows"
          hint="The code changes every 30 seconds. If it is about to change, you can wait for the next one."
          value={code}
          onChange={setCode}
          onComplete={(complete) => void send(complete)}
          error={error}
          disabled={busy}
          inputRef={inputRef}
        />
        <SubmitOrCancel busy={busy} busyText="Checking…" onCancel={onCancel}>
          Verify and turn on
        </SubmitOrCancel>
      </form>
    </div>
  );
}
