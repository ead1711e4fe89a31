// A message box. Errors are announced (role="alert") and take focus so keyboard and
// screen-reader users land on what went wrong.
import { useEffect, useRef, type ReactNode } from "react";

type Tone = "error" | "warning" | "info" | "success";

export function Alert({ tone, children, takeFocus = tone === "error" }: { tone: Tone; children: ReactNode; takeFocus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (takeFocus) ref.current?.focus();
  }, [children, takeFocus]);
  return (
    <div ref={ref} tabIndex={-1} role={tone === "error" ? "alert" : "status"} className={`alert alert-${tone}`}>
      {children}
    </div>
  );
}
