import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PolicyNotice } from "./policy-notice";

describe("PolicyNotice", () => {
  it("says nothing when 2FA is not required or already on", () => {
    const { container, rerender } = render(<PolicyNotice policy={{ required: false, enrollment_required: false }} enabled={false} />);
    expect(container).toBeEmptyDOMElement();
    rerender(<PolicyNotice policy={{ required: true, enrollment_required: false, deadline: "2026-12-10T00:00:00Z" }} enabled />);
    expect(container).toBeEmptyDOMElement();
  });

  it("gives the deadline before it passes", () => {
    render(<PolicyNotice policy={{ required: true, enrollment_required: false, deadline: "2026-12-10T00:00:00Z" }} enabled={false} />);
    expect(screen.getByRole("status")).toHaveTextContent(/requires two-factor authentication.*Turn it on before Dec \d+, 2026/);
  });

  it("says everything else is locked once it has passed", () => {
    render(<PolicyNotice policy={{ required: true, enrollment_required: true, deadline: "2026-12-01T00:00:00Z" }} enabled={false} />);
    expect(screen.getByRole("alert")).toHaveTextContent("until then, everything else is locked");
  });
});
