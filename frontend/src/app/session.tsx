// Who is signed in, the pending sign-in challenge, and a one-shot notice for the next page.
// All of it lives in memory only: nothing about the session is written to web storage.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from "react";
import { ENROLMENT_REQUIRED, SESSION_ENDED } from "../api/client";
import { ApiError } from "../api/errors";
import { fetchMe, type Me } from "../features/session/api";

export type SessionState = { status: "loading" } | { status: "signed-out" } | { status: "signed-in"; me: Me } | { status: "error" };
export type Challenge = { id: string; username: string; expiresAt: number };
/** A message for the screen at `path`, e.g. "You are signed out." on the sign-in screen. */
export type Notice = { tone: "success" | "info" | "warning" | "error"; text: string; path: string };

type SessionApi = {
  session: SessionState;
  refresh: () => Promise<void>;
  signedOut: (notice?: Notice) => void;
  challenge: Challenge | null;
  setChallenge: (challenge: Challenge | null) => void;
  notice: Notice | null;
  setNotice: Dispatch<SetStateAction<Notice | null>>;
};

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: "loading" });
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const signedInRef = useRef(false);
  signedInRef.current = session.status === "signed-in";

  const refresh = useCallback(async () => {
    try {
      setSession({ status: "signed-in", me: await fetchMe() });
    } catch (err) {
      setSession(err instanceof ApiError && err.status === 401 ? { status: "signed-out" } : { status: "error" });
    }
  }, []);

  const signedOut = useCallback((next?: Notice) => {
    setSession({ status: "signed-out" });
    setChallenge(null);
    setNotice(next ?? null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A call made while signed in found the session gone: say so on the sign-in screen.
  useEffect(() => {
    function ended() {
      if (signedInRef.current) {
        setNotice({ tone: "info", text: "Your session has ended. Sign in again to continue.", path: "/login" });
        setSession({ status: "signed-out" });
      }
    }
    // The policy deadline passed while signed in: reload who we are, so the screens show enrolment.
    function mustEnrol() {
      void refresh();
    }
    window.addEventListener(SESSION_ENDED, ended);
    window.addEventListener(ENROLMENT_REQUIRED, mustEnrol);
    return () => {
      window.removeEventListener(SESSION_ENDED, ended);
      window.removeEventListener(ENROLMENT_REQUIRED, mustEnrol);
    };
  }, [refresh]);

  const value = useMemo(
    () => ({ session, refresh, signedOut, challenge, setChallenge, notice, setNotice }),
    [session, refresh, signedOut, challenge, notice],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
