// Copies text to the clipboard and says so in a live region.
import { useEffect, useState } from "react";

type State = "idle" | "copied" | "failed";

export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what: string }) {
  const [state, setState] = useState<State>("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 4000);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <span className="copy">
      <button type="button" className="button button-secondary" onClick={copy}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {state === "copied" && `Copied ${what}.`}
        {state === "failed" && `Could not copy. Select the ${what} and copy it by hand.`}
      </span>
    </span>
  );
}
