import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AdminUser } from "./api";
import { UserCard } from "./user-card";

const bob: AdminUser = {
  id: 5,
  username: "bob",
  is_admin: false,
  disabled: false,
  created_at: "2026-12-01T10:00:00Z",
  two_factor: { enabled: true, enabled_at: "2026-12-02T10:00:00Z", recovery_codes_remaining: 2 },
};

let requests: Request[] = [];
let answer: () => Response;
const updated = () => {
  const user = { ...bob, two_factor: { enabled: false, enabled_at: null, recovery_codes_remaining: 0 } };
  return new Response(JSON.stringify({ user }), { status: 200, headers: { "Content-Type": "application/json" } });
};
beforeEach(() => {
  requests = [];
  answer = updated;
  vi.stubGlobal("fetch", async (request: Request) => {
    requests.push(request);
    return answer();
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("UserCard", () => {
  it("resets 2FA only after the administrator confirms with password and code", async () => {
    const user = userEvent.setup();
    const onChanged = vi.fn();
    render(<UserCard user={bob} isSelf={false} selfHasTwoFactor onChanged={onChanged} />);
    expect(screen.getByText(/2FA on since .* 2 recovery codes left/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Reset 2FA…" }));
    expect(requests).toHaveLength(0);
    expect(screen.getByRole("group", { name: "Reset 2FA for bob" })).toHaveTextContent("signed out everywhere");
    await user.click(screen.getByRole("button", { name: "Reset 2FA" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter your password to confirm.");
    await user.type(screen.getByLabelText("Your password"), "admin password");
    await user.click(screen.getByRole("button", { name: "Reset 2FA" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter all 6 digits");
    expect(requests).toHaveLength(0);
    await user.type(screen.getByLabelText("Your current 6-digit code"), "123456");
    await user.click(screen.getByRole("button", { name: "Reset 2FA" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(requests[0]?.method).toBe("POST");
    expect(new URL(requests[0]!.url).pathname).toBe("/api/admin/users/5/2fa/reset");
    expect(requests[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(await requests[0]!.json()).toEqual({ password: "admin password", code: "123456" });
    expect(onChanged.mock.calls[0]?.[0].two_factor.enabled).toBe(false);
    expect(onChanged.mock.calls[0]?.[1]).toBe("Two-factor authentication was reset for bob.");
  });

  it("asks an administrator without 2FA for the password only and shows a refusal in the form", async () => {
    const user = userEvent.setup();
    const onChanged = vi.fn();
    answer = () =>
      new Response(JSON.stringify({ error: { code: "invalid_credentials", message: "invalid credentials" } }), {
        status: 401,
        headers: { "Content-Type": "application/json" },
      });
    render(<UserCard user={bob} isSelf={false} selfHasTwoFactor={false} onChanged={onChanged} />);
    await user.click(screen.getByRole("button", { name: "Disable account…" }));
    expect(screen.queryByLabelText("Your current 6-digit code")).toBeNull();
    await user.type(screen.getByLabelText("Your password"), "wrong password");
    await user.click(screen.getByRole("button", { name: "Disable account" }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("That password is not right."));
    expect(await requests[0]!.json()).toEqual({ password: "wrong password" });
    expect(new URL(requests[0]!.url).pathname).toBe("/api/admin/users/5/disable");
    expect(onChanged).not.toHaveBeenCalled();
    expect(screen.getByLabelText("Your password")).toHaveValue("wrong password");
  });

  it("offers a password-only administrator no way to strip an administrator with 2FA", () => {
    render(<UserCard user={{ ...bob, is_admin: true }} isSelf={false} selfHasTwoFactor={false} onChanged={() => {}} />);
    expect(screen.queryAllByRole("button")).toHaveLength(0);
    expect(screen.getByText(/Turn on two-factor authentication for your own account/)).toBeInTheDocument();
  });

  it("enables a disabled account only after the administrator confirms", async () => {
    const user = userEvent.setup();
    const onChanged = vi.fn();
    render(<UserCard user={{ ...bob, disabled: true }} isSelf={false} selfHasTwoFactor={false} onChanged={onChanged} />);
    await user.click(screen.getByRole("button", { name: "Enable account…" }));
    expect(requests).toHaveLength(0);
    await user.type(screen.getByLabelText("Your password"), "admin password");
    await user.click(screen.getByRole("button", { name: "Enable account" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(new URL(requests[0]!.url).pathname).toBe("/api/admin/users/5/enable");
    expect(await requests[0]!.json()).toEqual({ password: "admin password" });
    expect(onChanged.mock.calls[0]?.[1]).toBe("bob can sign in again.");
  });

  it("offers no actions on one's own account", () => {
    render(<UserCard user={{ ...bob, is_admin: true }} isSelf selfHasTwoFactor onChanged={() => {}} />);
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });
});
