import { describe, expect, it } from "vitest";
import { eventLabel } from "./event-labels";

describe("eventLabel", () => {
  it("names known events and their reasons in plain words", () => {
    expect(eventLabel("2fa.enroll.completed")).toBe("Two-factor authentication turned on");
    expect(eventLabel("2fa.challenge.failure", "replayed")).toBe("Second sign-in step failed (code already used)");
    expect(eventLabel("auth.password.failure", "step_up")).toBe("Wrong password (while confirming a change)");
  });

  it("still reads sensibly for names it does not know", () => {
    expect(eventLabel("admin.totp_reset")).toBe("Admin totp reset");
    expect(eventLabel("2fa.locked", "too_many_failures")).toBe("Account locked after too many wrong codes (too many failures)");
  });
});
