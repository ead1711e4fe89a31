import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CreateUserForm } from "./create-user-form";

const created = {
  id: 9,
  username: "carol",
  is_admin: true,
  disabled: false,
  created_at: "2026-12-04T10:00:00Z",
  two_factor: { enabled: false, enabled_at: null, recovery_codes_remaining: 0 },
};

let requests: Request[] = [];
beforeEach(() => {
  requests = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    requests.push(request);
    return new Response(JSON.stringify({ user: created }), { status: 201, headers: { "Content-Type": "application/json" } });
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("CreateUserForm", () => {
  it("adds a plain user without asking the administrator anything more", async () => {
    const user = userEvent.setup();
    const onCreated = vi.fn();
    render(<CreateUserForm onCreated={onCreated} selfHasTwoFactor />);
    expect(screen.queryByLabelText("Your password")).toBeNull();
    await user.type(screen.getByLabelText("Username"), "bob");
    await user.type(screen.getByLabelText("Initial password"), "bob's long password");
    await user.click(screen.getByRole("button", { name: "Add user" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(await requests[0]!.json()).toEqual({ username: "bob", password: "bob's long password", is_admin: false });
  });

  it("asks for the administrator's own password and code before adding an administrator", async () => {
    const user = userEvent.setup();
    const onCreated = vi.fn();
    render(<CreateUserForm onCreated={onCreated} selfHasTwoFactor />);
    await user.type(screen.getByLabelText("Username"), "carol");
    await user.type(screen.getByLabelText("Initial password"), "carol's long password");
    await user.click(screen.getByRole("checkbox", { name: "Administrator" }));
    await user.click(screen.getByRole("button", { name: "Add user" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter your own password");
    await user.type(screen.getByLabelText("Your password"), "admin password");
    await user.type(screen.getByLabelText("Your current 6-digit code"), "654321");
    await user.click(screen.getByRole("button", { name: "Add user" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(await requests[0]!.json()).toEqual({
      username: "carol",
      password: "carol's long password",
      is_admin: true,
      confirm: { password: "admin password", code: "654321" },
    });
  });
});
