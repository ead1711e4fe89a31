// Password input for signing in and for confirming a sensitive change.
import type { Ref } from "react";
import { TextField } from "./text-field";

type Props = {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete?: "current-password" | "new-password";
  hint?: string;
  error?: string | null;
  disabled?: boolean;
  autoFocus?: boolean;
  inputRef?: Ref<HTMLInputElement>;
};

export function PasswordField({ label = "Password", autoComplete = "current-password", value, onChange, ...rest }: Props) {
  return (
    <TextField
      label={label}
      type="password"
      name={autoComplete === "new-password" ? "new-password" : "password"}
      autoComplete={autoComplete}
      required
      value={value}
      onChange={(event) => onChange(event.target.value)}
      {...rest}
    />
  );
}
