// Recovery codes, shown once: copy, download, print, then "I have saved my recovery codes".
import { useState } from "react";
import { CopyButton } from "../../components/ui/copy-button";
import { downloadText } from "../../lib/download";
import { useFocusOnMount } from "../../lib/use-focus";
import { recoveryFileContent, recoveryFileName } from "./recovery-file";

type Props = {
  title: string;
  codes: readonly string[];
  site: string;
  username: string;
  onDone: () => void;
};

export function RecoveryCodesPanel({ title, codes, site, username, onDone }: Props) {
  const [saved, setSaved] = useState(false);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  function download() {
    const content = recoveryFileContent({ site, username, host: window.location.host, codes, createdAt: new Date() });
    downloadText(recoveryFileName(site, username), content);
  }

  return (
    <div className="stack print-area">
      <h3 ref={headingRef} tabIndex={-1}>
        {title}
      </h3>
      <p className="print-only">
        {site}: recovery codes for {username} ({window.location.host})
      </p>
      <p>
        If you lose your phone, each of these codes lets you sign in once instead of an authenticator code.{" "}
        <strong>They are shown only now.</strong> Save them somewhere safe, away from your phone.
      </p>
      <ol className="codes" aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions no-print">
        <CopyButton text={codes.join("\n")} label="Copy all" what="recovery codes" />
        <button type="button" className="button button-secondary" onClick={download}>
          Download .txt
        </button>
        <button type="button" className="button button-secondary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <div className="confirm no-print">
        <label className="checkbox">
          <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />I have saved my recovery codes
        </label>
        <button type="button" className="button button-primary" disabled={!saved} onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
