// First run: create the administrator account.
import { SetupForm } from "../../features/session/setup-form";
import { Page } from "../page";
import { navigate } from "../router";
import { useSession } from "../session";

export function SetupRoute() {
  const { setNotice } = useSession();
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
