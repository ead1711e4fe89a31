// The setup key for people who cannot scan: grouped in fours, with Copy and typing help.
import { CopyButton } from "../../components/ui/copy-button";
import { groupKey } from "../../lib/format";

export function ManualKey({ secret, account, issuer }: { secret: string; account: string; issuer: string }) {
  return (
    <div className="stack-sm">
      <p className="key-line">
        <span className="muted">Setup key: </span>
        <code className="key" data-testid="totp-key">
          {groupKey(secret)}
        </code>
      </p>
      <CopyButton text={secret} label="Copy key" what="key" />
      <details className="help">
        <summary>Can't scan?</summary>
        <ol className="steps">
          <li>In your authenticator app, choose to add an account by entering a setup key (sometimes "Enter a setup key" or "Manual entry").</li>
          <li>
            Account name: <strong>{issuer}</strong> ({account}).
          </li>
          <li>Key: the key above. Spaces do not matter; copying it avoids typing mistakes.</li>
          <li>Type: time-based, 6 digits, every 30 seconds (these are usually the defaults).</li>
        </ol>
      </details>
    </div>
  );
}
