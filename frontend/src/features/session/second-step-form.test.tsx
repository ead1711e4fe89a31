import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SecondStepForm } from "./second-step-form";

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
let replies: Reply[] = [];
let sent: { url: string; body: unknown }[] = [];

beforeEach(() => {
  replies = [];
  sent = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    sent.push({ url: request.url, body: await request.json() });
    const reply = replies.shift() ?? { status: 500 };
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { "Content-Type": "application/json", ...reply.headers },
    });
  });
});
afterEach(() => vi.unstubAllGlobals());

const error = (code: string) => ({ error: { code, message: code } });

function setup() {
  const onSignedIn = vi.fn();
  const onChallengeGone = vi.fn();
  render(<SecondStepForm challengeId="ch-1" onSignedIn={onSignedIn} onChallengeGone={onChallengeGone} />);
  return { user: userEvent.setup(), onSignedIn, onChallengeGone, input: screen.getByLabelText("6-digit code") };
}

describe("SecondStepForm", () => {
  it("sends a pasted code as six digits without pressing Verify", async () => {
    replies.push({ status: 200, body: { status: "authenticated", user: { id: 1, username: "alice", is_admin: true }, recovery_codes_remaining: 10 } });
    const { user, onSignedIn, input } = setup();
    expect(input).toHaveFocus();
    await user.paste("123 456");
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledTimes(1));
    expect(sent).toEqual([{ url: "http://localhost:3000/api/login/challenge", body: { challenge_id: "ch-1", code: "123456" } }]);
    expect(onSignedIn.mock.calls[0]?.[1]).toBe(false);
  });

  it("says a wrong code is wrong, clears the field and returns focus to it", async () => {
    replies.push({ status: 401, body: error("invalid_code") });
    const { user, input } = setup();
    await user.type(input, "000000");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "That code is not right. Enter the current 6-digit code from your authenticator app.",
    );
    expect(input).toHaveValue("");
    expect(input).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(input).toHaveFocus());
  });

  it("asks for the next code when a code was already used", async () => {
    replies.push({ status: 401, body: error("totp_replayed") });
    const { user, input } = setup();
    await user.paste("111111");
    expect(await screen.findByRole("alert")).toHaveTextContent("That code was already used. Wait for the next code");
    expect(input).toBeEnabled();
  });

  it("sends the person back to the password when the challenge is gone", async () => {
    replies.push({ status: 401, body: error("challenge_invalid") });
    const { user, onChallengeGone } = setup();
    await user.paste("222222");
    await waitFor(() =>
      expect(onChallengeGone).toHaveBeenCalledWith("This sign-in attempt has ended: it took too long, or too many wrong codes were entered. Enter your password again."),
    );
  });

  it("shows the wait when locked and blocks further tries", async () => {
    replies.push({ status: 429, body: error("account_locked"), headers: { "Retry-After": "300" } });
    const { user, input } = setup();
    await user.paste("333333");
    expect(await screen.findByRole("alert")).toHaveTextContent("this account is locked for about 5 minutes");
    expect(screen.getByRole("alert")).toHaveFocus();
    expect(input).toBeDisabled();
    expect(screen.getByRole("button", { name: "Verify" })).toBeDisabled();
  });

  it("switches to a recovery code and sends it as recovery_code", async () => {
    replies.push({ status: 401, body: error("invalid_code") });
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Use a recovery code instead" }));
    const field = screen.getByLabelText("Recovery code");
    expect(field).toHaveFocus();
    await user.type(field, " abcd-efgh-jkmn-pqrs ");
    await user.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That recovery code is not valid, or it has already been used.");
    expect(sent[0]?.body).toEqual({ challenge_id: "ch-1", recovery_code: "ABCD-EFGH-JKMN-PQRS" });
  });
});
