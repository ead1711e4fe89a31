import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StatusOn } from "./status-on";

describe("StatusOn", () => {
  it("shows the count without a warning while more than 3 codes are left", () => {
    render(<StatusOn enabledAt="2026-12-03T17:00:00Z" remaining={4} />);
    expect(screen.getByTestId("recovery-remaining")).toHaveTextContent("Recovery codes left: 4 of 10.");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it.each([
    [3, "Only 3 recovery codes left."],
    [1, "Only 1 recovery code left."],
    [0, "You have no recovery codes left."],
  ])("warns at %i left", (remaining, text) => {
    render(<StatusOn enabledAt={null} remaining={remaining} />);
    expect(screen.getByRole("status")).toHaveTextContent(text);
  });
});
