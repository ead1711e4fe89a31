// The bar across the top: product name, and the username menu once signed in.
import { signOut } from "../features/session/api";
import { SITE_NAME } from "../lib/site";
import { Link, navigate } from "./router";
import { useSession } from "./session";
import { UserMenu } from "./user-menu";

export function TopBar() {
  const { session, signedOut } = useSession();

  async function leave() {
    try {
      await signOut();
    } catch {
      // The session may already be gone on the server; the person is signed out either way.
    }
    signedOut({ tone: "info", text: "You are signed out.", path: "/login" });
    navigate("/login");
  }

  return (
    <header className="top-bar">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        {SITE_NAME}
      </Link>
      {session.status === "signed-in" && (
        <UserMenu
          username={session.me.user.username}
          showAdmin={session.me.user.is_admin && !session.me.policy.enrollment_required}
          onSignOut={leave}
        />
      )}
    </header>
  );
}
