// The product name people see, also used in recovery-code file names.
export const SITE_NAME = "Borg Backup Server";

/** The issuer from an otpauth:// URI, which is what the authenticator app shows. */
export function issuerFromOtpauth(uri: string): string | null {
  try {
    return new URL(uri).searchParams.get("issuer");
  } catch {
    return null;
  }
}
