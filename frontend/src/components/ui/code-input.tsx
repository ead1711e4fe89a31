// The 6-digit authenticator code field. One plain input (not six boxes) so that the
// platform's one-time-code autofill, password managers and pasting all work.
import type { Ref } from "react";
import { isCompleteTotp, normaliseTotp } from "../../lib/one-time-code";
import { TextField } from "./text-field";

type Props = {
  label?: string;
  hint?: string;
  value: string;
  onChange: (code: string) => void;
  /** Called once when the field becomes six digits, by typing or by pasting. */
  onComplete?: (code: string) => void;
  error?: string | null;
  disabled?: boolean;
  autoFocus?: boolean;
  inputRef?: Ref<HTMLInputElement>;
};

export function CodeInput({
  label = "6-digit code",
  hint = "From your authenticator app. Codes change every 30 seconds.",
  value,
  onChange,
  onComplete,
  error,
  disabled,
  autoFocus,
  inputRef,
}: Props) {
  return (
    <TextField
      label={label}
      hint={hint}
      error={error}
      inputRef={inputRef}
      className="input-code"
      name="code"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      enterKeyHint="done"
      spellCheck={false}
      autoCorrect="off"
      autoCapitalize="off"
      value={value}
      disabled={disabled}
      autoFocus={autoFocus}
      onChange={(event) => {
        const next = normaliseTotp(event.target.value);
        onChange(next);
        if (next !== value && isCompleteTotp(next)) onComplete?.(next);
      }}
    />
  );
}
