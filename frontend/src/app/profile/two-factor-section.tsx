// Profile → Two-Factor Authentication: off, enrolling, recovery codes shown once, on,
// regenerating and disabling. The features supply each step; this file decides which one shows.
import { useState } from "react";
import type { Me } from "../../features/session/api";
import { RecoveryCodesPanel } from "../../features/recovery-codes/recovery-codes-panel";
import { RegenerateForm } from "../../features/recovery-codes/regenerate-form";
import type { Enrolment } from "../../features/two-factor/api";
import { DisableForm } from "../../features/two-factor/disable-form";
import { EnablePrompt } from "../../features/two-factor/enable-prompt";
import { EnrolmentStep } from "../../features/two-factor/enrolment";
import { StatusOn } from "../../features/two-factor/status-on";
import { Alert } from "../../components/ui/alert";
import { issuerFromOtpauth, SITE_NAME } from "../../lib/site";

type View =
  | { kind: "status" }
  | { kind: "enrolling"; enrolment: Enrolment }
  | { kind: "codes"; codes: readonly string[]; title: string }
  | { kind: "regenerate" }
  | { kind: "disable" };

type Message = { tone: "success" | "info" | "error"; text: string };

export function TwoFactorSection({ me, onChanged }: { me: Me; onChanged: () => Promise<void> }) {
  const [view, setView] = useState<View>({ kind: "status" });
  const [message, setMessage] = useState<Message | null>(null);
  const [issuer, setIssuer] = useState(SITE_NAME);
  const { username } = me.user;
  const twoFactor = me.two_factor;

  function show(next: View, note: Message | null = null) {
    setMessage(note);
    setView(next);
  }

  switch (view.kind) {
    case "enrolling":
      return (
        <EnrolmentStep
          enrolment={view.enrolment}
          account={username}
          issuer={issuer}
          onVerified={(result) => {
            show({ kind: "codes", codes: result.recovery_codes, title: "Step 2 of 2: save your recovery codes" });
            void onChanged();
          }}
          onRestart={(text) => show({ kind: "status" }, { tone: "error", text })}
          onCancel={() => show({ kind: "status" })}
        />
      );
    case "codes":
      return (
        <RecoveryCodesPanel
          title={view.title}
          codes={view.codes}
          site={issuer}
          username={username}
          onDone={() => show({ kind: "status" }, { tone: "success", text: "Two-factor authentication is on. Keep your recovery codes safe." })}
        />
      );
    case "regenerate":
      return (
        <RegenerateForm
          onCreated={(result) => {
            show({ kind: "codes", codes: result.recovery_codes, title: "Your new recovery codes" });
            void onChanged();
          }}
          onCancel={() => show({ kind: "status" })}
        />
      );
    case "disable":
      return (
        <DisableForm
          onDisabled={async () => {
            await onChanged();
            show({ kind: "status" }, { tone: "success", text: "Two-factor authentication is off. Signing in now needs only your password." });
          }}
          onCancel={() => show({ kind: "status" })}
        />
      );
    case "status":
      return (
        <div className="stack">
          {message && (
            <Alert tone={message.tone} takeFocus>
              {message.text}
            </Alert>
          )}
          {twoFactor.enabled ? (
            <>
              <StatusOn enabledAt={twoFactor.enabled_at} remaining={twoFactor.recovery_codes_remaining} />
              <div className="actions">
                <button type="button" className="button button-secondary" onClick={() => show({ kind: "regenerate" })}>
                  Generate new recovery codes
                </button>
                <button type="button" className="button button-danger-outline" onClick={() => show({ kind: "disable" })}>
                  Disable 2FA
                </button>
              </div>
            </>
          ) : (
            <EnablePrompt
              onStarted={(enrolment) => {
                setIssuer(issuerFromOtpauth(enrolment.otpauth_uri) ?? SITE_NAME);
                show({ kind: "enrolling", enrolment });
              }}
            />
          )}
        </div>
      );
  }
}
