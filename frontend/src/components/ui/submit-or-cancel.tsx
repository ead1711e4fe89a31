// The closing row of a form that can be abandoned: the primary action and Cancel.
import type { ReactNode } from "react";
import { SubmitButton } from "./submit-button";

export function SubmitOrCancel({ busy, busyText, tone, onCancel, children }: {
  busy: boolean;
  busyText: string;
  tone?: "primary" | "danger";
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <div className="actions">
      <SubmitButton busy={busy} busyText={busyText} tone={tone}>
        {children}
      </SubmitButton>
      <button type="button" className="button button-secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
