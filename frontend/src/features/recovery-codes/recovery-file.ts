// The text file people download to keep their recovery codes.
import { slug } from "../../lib/format";

/** "borg-backup-server-alice-recovery-codes.txt": says which site and account it is for. */
export function recoveryFileName(site: string, username: string): string {
  return `${slug(site)}-${slug(username)}-recovery-codes.txt`;
}

type FileInput = { site: string; username: string; host: string; codes: readonly string[]; createdAt: Date };

export function recoveryFileContent({ site, username, host, codes, createdAt }: FileInput): string {
  const lines = [
    `${site}: recovery codes`,
    "",
    `Account: ${username}`,
    `Server:  ${host}`,
    `Created: ${createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    "Use one of these codes to sign in when you cannot get a code from your",
    'authenticator app: after your password, choose "Use a recovery code instead".',
    "Each code works once. Creating new codes makes all of these stop working.",
    "",
    ...codes.map((code, index) => `${String(index + 1).padStart(2, " ")}. ${code}`),
    "",
    "Keep this file somewhere safe and not on the phone with your authenticator app,",
    "for example in a password manager or printed in a drawer.",
    "",
  ];
  // CRLF so the file reads well in Notepad as well as everywhere else.
  return lines.join("\r\n");
}
