// A recovery code field: letters and digits, never auto-corrected or auto-capitalised by phones.
import type { Ref } from "react";
import { TextField } from "./text-field";

type Props = {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  disabled?: boolean;
  autoFocus?: boolean;
  inputRef?: Ref<HTMLInputElement>;
};

export function RecoveryCodeInput({ value, onChange, error, disabled, autoFocus, inputRef }: Props) {
  return (
    <TextField
      label="Recovery code"
      hint="One of the codes you saved when you turned on two-factor authentication, like XXXX-XXXX-XXXX-XXXX. Each works once."
      error={error}
      inputRef={inputRef}
      className="input-recovery"
      name="recovery_code"
      type="text"
      autoComplete="off"
      spellCheck={false}
      autoCorrect="off"
      autoCapitalize="characters"
      value={value}
      disabled={disabled}
      autoFocus={autoFocus}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
