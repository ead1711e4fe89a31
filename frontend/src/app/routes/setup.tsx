// First run: create the administrator account. Once any account exists, sign-in instead.
import { SetupForm } from "../../features/session/setup-form";
import { useSetupNeeded } from "../../features/session/use-setup-needed";
import { LoadingPage, Page } from "../page";
import { Redirect } from "../redirect";
import { navigate } from "../router";
import { useSession } from "../session";

export function SetupRoute() {
  const { setNotice } = useSession();
  const needed = useSetupNeeded();
  if (needed === false) return <Redirect to="/login" />;
  if (needed === undefined) {
    return <LoadingPage />;
  }
  return (
    <Page title="Set up Borg Backup Server" narrow>
      <p>Create the administrator account. You can turn on two-factor authentication for it right after signing in.</p>
      <SetupForm
        onCreated={(username) => {
          setNotice({ tone: "success", text: `Account ${username} created. Sign in with it now.`, path: "/login" });
          navigate(`/login?username=${encodeURIComponent(username)}`);
        }}
        onAlreadyDone={(text) => {
          setNotice({ tone: "info", text, path: "/login" });
          navigate("/login", { replace: true });
        }}
      />
    </Page>
  );
}
