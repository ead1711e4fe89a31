// The application shell: session state, top bar, and which screen the path shows.
import { LoadingPage, Page } from "./page";
import { Redirect } from "./redirect";
import { usePath } from "./router";
import { AdminUsersRoute } from "./routes/admin-users";
import { ProfileRoute } from "./routes/profile";
import { NotFoundRoute } from "./routes/not-found";
import { SecondStepRoute } from "./routes/second-step";
import { SetupRoute } from "./routes/setup";
import { SignInRoute } from "./routes/sign-in";
import { SessionProvider, useSession } from "./session";
import { TopBar } from "./top-bar";

export function App() {
  return (
    <SessionProvider>
      <TopBar />
      <Screen />
    </SessionProvider>
  );
}

function Screen() {
  const path = usePath();
  const { session, refresh } = useSession();

  if (session.status === "loading") {
    return <LoadingPage />;
  }
  if (session.status === "error") {
    return (
      <Page title="Cannot reach the server" narrow>
        <p>The server did not answer as expected. Check that it is running, then try again.</p>
        <button type="button" className="button button-primary" onClick={() => void refresh()}>
          Try again
        </button>
      </Page>
    );
  }

  const signedIn = session.status === "signed-in";
  switch (path) {
    case "/":
      return <Redirect to={signedIn ? "/profile" : "/login"} />;
    case "/setup":
      return signedIn ? <Redirect to="/profile" /> : <SetupRoute />;
    case "/login":
      return signedIn ? <Redirect to="/profile" /> : <SignInRoute />;
    case "/login/verify":
      return signedIn ? <Redirect to="/profile" /> : <SecondStepRoute />;
    case "/profile":
      return signedIn ? <ProfileRoute me={session.me} /> : <Redirect to="/login" />;
    case "/admin/users":
      if (!signedIn) return <Redirect to="/login" />;
      if (!session.me.user.is_admin) return <NotFoundRoute />;
      // The 2FA policy has locked this administrator out of everything but enrolment.
      if (session.me.policy.enrollment_required) return <Redirect to="/profile" />;
      return <AdminUsersRoute me={session.me} />;
    default:
      return <NotFoundRoute />;
  }
}
