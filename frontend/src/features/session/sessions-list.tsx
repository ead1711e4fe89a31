// Where this account is signed in, with a way to sign out everywhere else.
import { useEffect, useState } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { formatDateTime } from "../../lib/format";
import { fetchSessions, revokeOtherSessions, type SessionView } from "./sessions-api";
import { describeUserAgent } from "./user-agent";

type State = { status: "loading" } | { status: "ready"; sessions: SessionView[] } | { status: "error"; message: string };

export function SessionsList({ version, onRevoked }: { version: number; onRevoked: () => void }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  useEffect(() => {
    let live = true;
    fetchSessions().then(
      // This browser first, so the list reads "here, and elsewhere".
      (list) => live && setState({ status: "ready", sessions: [...list.sessions].sort((a, b) => Number(b.current) - Number(a.current)) }),
      (err) => live && setState({ status: "error", message: messageFor(err) }),
    );
    return () => {
      live = false;
    };
  }, [version]);

  async function revokeOthers() {
    setBusy(true);
    setResult(null);
    try {
      const { revoked } = await revokeOtherSessions();
      setResult({ tone: "success", text: revoked === 1 ? "1 other session was signed out." : `${revoked} other sessions were signed out.` });
      onRevoked();
    } catch (err) {
      setResult({ tone: "error", text: messageFor(err) });
    } finally {
      setBusy(false);
    }
  }

  if (state.status === "loading") return <p className="muted">Loading sessions…</p>;
  if (state.status === "error") return <Alert tone="error" takeFocus={false}>{state.message}</Alert>;
  const others = state.sessions.filter((s) => !s.current).length;
  return (
    <div className="stack">
      {result && <Alert tone={result.tone}>{result.text}</Alert>}
      <ul className="activity" data-testid="sessions">
        {state.sessions.map((s) => (
          <li key={`${s.kind}-${s.id}`}>
            <span className="activity-what">
              {s.kind === "bearer" ? "API token" : describeUserAgent(s.user_agent)}
              {s.current && (
                <>
                  {" "}
                  <span className="badge badge-on">This browser</span>
                </>
              )}
            </span>
            <span className="activity-meta">
              Last active {formatDateTime(s.last_seen_at)}
              {s.ip && <> · {s.ip}</>}
            </span>
          </li>
        ))}
      </ul>
      {others > 0 && (
        <div>
          <button type="button" className="button button-secondary" onClick={revokeOthers} disabled={busy}>
            {busy ? "Signing out…" : "Sign out all other sessions"}
          </button>
        </div>
      )}
    </div>
  );
}
