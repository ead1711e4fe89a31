// One screen: sets the document title and moves focus to the heading when the screen changes.
import { useEffect, type ReactNode } from "react";
import { Alert } from "../components/ui/alert";
import { SITE_NAME } from "../lib/site";
import { useFocusOnMount } from "../lib/use-focus";
import { usePath } from "./router";
import { useSession } from "./session";

export function Page({ title, narrow = false, children }: { title: string; narrow?: boolean; children: ReactNode }) {
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const { notice, setNotice } = useSession();
  const path = usePath();
  useEffect(() => {
    document.title = `${title} · ${SITE_NAME}`;
  }, [title]);
  // The notice belongs to the screen it arrived on; drop it when leaving.
  useEffect(() => () => setNotice((current) => (current?.path === path ? null : current)), [setNotice, path]);
  return (
    <main id="main" className={narrow ? "page page-narrow" : "page"}>
      <h1 ref={headingRef} tabIndex={-1}>
        {title}
      </h1>
      {notice?.path === path && (
        <Alert tone={notice.tone} takeFocus={false}>
          {notice.text}
        </Alert>
      )}
      {children}
    </main>
  );
}

/** The screen shown while what decides the real one is still being fetched. */
export function LoadingPage() {
  return (
    <main id="main" className="page page-narrow">
      <p className="muted" role="status">
        Loading…
      </p>
    </main>
  );
}
