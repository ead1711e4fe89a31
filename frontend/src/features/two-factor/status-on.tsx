// Two-factor authentication is on: since when, and how many recovery codes are left.
import { Alert } from "../../components/ui/alert";
import { formatDate } from "../../lib/format";

/** At or below this many unused recovery codes the person is asked to make new ones. */
export const LOW_RECOVERY_CODES = 3;

export function StatusOn({ enabledAt, remaining }: { enabledAt: string | null | undefined; remaining: number }) {
  return (
    <div className="stack-sm">
      <p>
        <span className="badge badge-on">On</span>{" "}
        {enabledAt ? <>Turned on {formatDate(enabledAt)}.</> : <>Turned on.</>} Signing in asks for a code from your
        authenticator app after your password.
      </p>
      <p data-testid="recovery-remaining">
        Recovery codes left: <strong>{remaining}</strong> of 10.
      </p>
      {remaining <= LOW_RECOVERY_CODES && (
        <Alert tone="warning">
          {remaining === 0
            ? "You have no recovery codes left. If you lose your phone you cannot sign in. Generate new codes now."
            : `Only ${remaining} recovery code${remaining === 1 ? "" : "s"} left. Generate new codes so you are not locked out if you lose your phone.`}
        </Alert>
      )}
    </div>
  );
}
