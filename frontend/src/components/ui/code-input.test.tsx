import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { normaliseTotp } from "../../lib/one-time-code";
import { CodeInput } from "./code-input";

function Harness({ onComplete }: { onComplete: (code: string) => void }) {
  const [value, setValue] = useState("");
  return <CodeInput value={value} onChange={setValue} onComplete={onComplete} />;
}

describe("normaliseTotp", () => {
  it.each([
    ["123 456", "123456"],
    ["123456", "123456"],
    [" 123-456 ", "123456"],
    ["Code: 987 654", "987654"],
    ["1234567", "123456"],
    ["12a", "12"],
    ["", ""],
  ])("%j becomes %j", (raw, expected) => {
    expect(normaliseTotp(raw)).toBe(expected);
  });
});

describe("CodeInput", () => {
  it("is a one-time-code field with a numeric keyboard", () => {
    render(<Harness onComplete={() => {}} />);
    const input = screen.getByLabelText("6-digit code");
    expect(input).toHaveAttribute("autocomplete", "one-time-code");
    expect(input).toHaveAttribute("inputmode", "numeric");
    expect(input).toHaveAccessibleDescription(/change every 30 seconds/);
  });

  it("accepts a pasted '123 456' and submits it once as 123456", async () => {
    const user = userEvent.setup();
    const onComplete = vi.fn();
    render(<Harness onComplete={onComplete} />);
    const input = screen.getByLabelText("6-digit code");
    await user.click(input);
    await user.paste("123 456");
    expect(input).toHaveValue("123456");
    expect(onComplete).toHaveBeenCalledTimes(1);
    expect(onComplete).toHaveBeenCalledWith("123456");
  });

  it("submits when the sixth digit is typed, not before, and ignores letters", async () => {
    const user = userEvent.setup();
    const onComplete = vi.fn();
    render(<Harness onComplete={onComplete} />);
    const input = screen.getByLabelText("6-digit code");
    await user.type(input, "12x34 5");
    expect(input).toHaveValue("12345");
    expect(onComplete).not.toHaveBeenCalled();
    await user.type(input, "6");
    expect(onComplete).toHaveBeenCalledExactlyOnceWith("123456");
    // A seventh digit changes nothing and does not submit again.
    await user.type(input, "7");
    expect(input).toHaveValue("123456");
    expect(onComplete).toHaveBeenCalledTimes(1);
  });
});
