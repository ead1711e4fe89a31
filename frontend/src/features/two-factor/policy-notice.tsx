// What the administrator's 2FA policy means for this person, before and after its deadline.
import type { components } from "../../api/schema";
import { Alert } from "../../components/ui/alert";
import { formatDateTime } from "../../lib/format";

type Policy = components["schemas"]["TwoFactorPolicyView"];

export function PolicyNotice({ policy, enabled }: { policy: Policy; enabled: boolean }) {
  if (!policy.required || enabled) return null;
  if (policy.enrollment_required) {
    return (
      <Alert tone="error" takeFocus={false}>
        Your administrator requires two-factor authentication for your account. Turn it on now to keep using this
        server; until then, everything else is locked.
      </Alert>
    );
  }
  return (
    <Alert tone="warning" takeFocus={false}>
      Your administrator requires two-factor authentication for your account.{" "}
      {policy.deadline ? <>Turn it on before {formatDateTime(policy.deadline)}.</> : <>Turn it on soon.</>}
    </Alert>
  );
}
