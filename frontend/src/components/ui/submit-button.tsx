// The primary button of a form; shows progress and blocks double submission.
import type { ReactNode } from "react";

export function SubmitButton({ busy, children, busyText = "Please wait…", tone = "primary", disabled }: {
  busy: boolean;
  children: ReactNode;
  busyText?: string;
  tone?: "primary" | "danger";
  disabled?: boolean;
}) {
  return (
    <button type="submit" className={`button button-${tone}`} disabled={busy || disabled} aria-busy={busy || undefined}>
      {busy ? busyText : children}
    </button>
  );
}
