// The server's clock beside the QR code: codes only work when the phone's clock agrees with it
// (within about 30 seconds), and a skewed phone is the most common reason a first code fails.
import { useEffect, useState } from "react";

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const utcTimeOfDay = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
  hour12: false,
});

type Props = {
  /** RFC 3339 UTC, from the enable response. */
  serverTime: string;
};

export function ServerClock({ serverTime }: Props) {
  // The browser's own clock may be off too: tick from the server's reading, not the browser's.
  const [offset] = useState(() => {
    const server = Date.parse(serverTime);
    return Number.isNaN(server) ? 0 : server - Date.now();
  });
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now() + offset), 1000);
    return () => window.clearInterval(timer);
  }, [offset]);

  const at = new Date(now);
  return (
    <p className="field-hint" data-testid="server-time">
      Server time: <time dateTime={at.toISOString()}>{timeOfDay.format(at)}</time> ({utcTimeOfDay.format(at)} UTC).
      Your phone's clock should show the same time, to within a few seconds.
    </p>
  );
}
