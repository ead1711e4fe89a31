import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RecoveryCodesPanel } from "./recovery-codes-panel";

const codes = Array.from({ length: 10 }, (_, i) => `ABCD-EFGH-JKMN-PQ${String(i).padStart(2, "0")}`);

afterEach(() => vi.restoreAllMocks());

function renderPanel(onDone = vi.fn()) {
  render(<RecoveryCodesPanel title="Save your recovery codes" codes={codes} site="Borg Backup Server" username="alice" onDone={onDone} />);
  return onDone;
}

describe("RecoveryCodesPanel", () => {
  it("shows all ten codes and moves focus to its heading", () => {
    renderPanel();
    const items = screen.getAllByRole("listitem");
    expect(items.map((li) => li.textContent)).toEqual(codes);
    expect(screen.getByRole("heading", { name: "Save your recovery codes" })).toHaveFocus();
  });

  it("downloads a .txt named for the site and user that contains every code", async () => {
    const user = userEvent.setup();
    let saved: Blob | undefined;
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      saved = blob as Blob;
      return "blob:test";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    renderPanel();
    await user.click(screen.getByRole("button", { name: "Download .txt" }));

    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.download).toBe("borg-backup-server-alice-recovery-codes.txt");
    expect(saved?.type).toBe("text/plain;charset=utf-8");
    const text = await saved!.text();
    for (const [i, code] of codes.entries()) {
      expect(text).toContain(`${String(i + 1).padStart(2, " ")}. ${code}\r\n`);
    }
    expect(text).toContain("Account: alice");
  });

  it("copies all codes, one per line", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderPanel();
    await user.click(screen.getByRole("button", { name: "Copy all" }));
    expect(writeText).toHaveBeenCalledWith(codes.join("\n"));
    expect(await screen.findByText("Copied recovery codes.")).toBeInTheDocument();
  });

  it("prints", async () => {
    const user = userEvent.setup();
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    renderPanel();
    await user.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledTimes(1);
  });

  it("only finishes after 'I have saved my recovery codes' is ticked", async () => {
    const user = userEvent.setup();
    const onDone = renderPanel();
    const done = screen.getByRole("button", { name: "Done" });
    expect(done).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "I have saved my recovery codes" }));
    await user.click(done);
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
