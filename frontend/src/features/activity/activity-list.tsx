// Recent security events of this account, so a person can spot sign-ins that were not theirs.
import { useEffect, useState } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { formatDateTime } from "../../lib/format";
import { fetchEvents, type EventList } from "./api";
import { eventLabel } from "./event-labels";

/** Enough to spot a stranger's sign-in; the rest is one click away. */
const FIRST_SHOWN = 12;

type State = { status: "loading" } | { status: "ready"; list: EventList } | { status: "error"; message: string };

/** `version` changes whenever something on the page may have added an event. */
export function ActivityList({ version }: { version: number }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    let live = true;
    fetchEvents().then(
      (list) => live && setState({ status: "ready", list }),
      (err) => live && setState({ status: "error", message: messageFor(err) }),
    );
    return () => {
      live = false;
    };
  }, [version]);

  if (state.status === "loading") return <p className="muted">Loading activity…</p>;
  if (state.status === "error") return <Alert tone="error" takeFocus={false}>{state.message}</Alert>;
  const all = state.list.events;
  if (all.length === 0) return <p className="muted">No security events yet.</p>;
  const events = showAll ? all : all.slice(0, FIRST_SHOWN);
  return (
    <>
      <ul className="activity" data-testid="activity">
        {events.map((event, index) => (
          <li key={`${event.at}-${index}`} className={event.outcome === "failure" ? "activity-failed" : undefined}>
            <span className="activity-what">{eventLabel(event.event, event.reason)}</span>
            <span className="activity-meta">
              <time dateTime={event.at}>{formatDateTime(event.at)}</time>
              {event.ip && <> · {event.ip}</>}
            </span>
          </li>
        ))}
      </ul>
      {!showAll && all.length > FIRST_SHOWN && (
        <button type="button" className="link-button" onClick={() => setShowAll(true)}>
          Show all {all.length} events
        </button>
      )}
    </>
  );
}
