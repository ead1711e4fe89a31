import { describe, expect, it } from "vitest";
import { recoveryFileContent, recoveryFileName } from "./recovery-file";

describe("recoveryFileName", () => {
  it("names the site and the account", () => {
    expect(recoveryFileName("Borg Backup Server", "alice")).toBe("borg-backup-server-alice-recovery-codes.txt");
    expect(recoveryFileName("Borg Backup Server", "Zoë.Admin@example.com")).toBe(
      "borg-backup-server-zoe-admin-example-com-recovery-codes.txt",
    );
  });
});

describe("recoveryFileContent", () => {
  it("holds every code once, numbered, with the account, server and date", () => {
    const codes = ["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"];
    const text = recoveryFileContent({
      site: "Borg Backup Server",
      username: "alice",
      host: "backup.example.com",
      codes,
      createdAt: new Date("2026-12-03T17:45:10Z"),
    });
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("Borg Backup Server: recovery codes");
    expect(lines).toContain("Account: alice");
    expect(lines).toContain("Server:  backup.example.com");
    expect(lines).toContain("Created: 2026-12-03 17:45 UTC");
    expect(lines).toContain(" 1. AAAA-BBBB-CCCC-DDDD");
    expect(lines).toContain(" 2. EEEE-FFFF-GGGG-HHHH");
    expect(text).toContain('"Use a recovery code instead"');
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
  });
});
