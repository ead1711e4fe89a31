// Every account, for administrators: who has 2FA on, and the lost-phone reset.
import { useEffect, useState } from "react";
import { messageFor } from "../../api/errors";
import { Alert } from "../../components/ui/alert";
import { listUsers, type AdminUser } from "./api";
import { UserCard } from "./user-card";

type State = { status: "loading" } | { status: "ready"; users: AdminUser[] } | { status: "error"; message: string };

export function UsersList({ selfId, selfHasTwoFactor, added }: { selfId: number; selfHasTwoFactor: boolean; added: AdminUser | null }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    listUsers().then(
      ({ users }) => live && setState({ status: "ready", users }),
      (err) => live && setState({ status: "error", message: messageFor(err) }),
    );
    return () => {
      live = false;
    };
  }, [added]);

  if (state.status === "loading") return <p className="muted">Loading users…</p>;
  if (state.status === "error") return <Alert tone="error" takeFocus={false}>{state.message}</Alert>;

  function replace(updated: AdminUser, text: string) {
    setNote(text);
    setState((current) =>
      current.status === "ready" ? { status: "ready", users: current.users.map((u) => (u.id === updated.id ? updated : u)) } : current,
    );
  }

  const withoutTwoFactor = state.users.filter((u) => !u.two_factor.enabled && !u.disabled).length;
  return (
    <div className="stack">
      {note && <Alert tone="success">{note}</Alert>}
      <p className="muted">
        {state.users.length} account{state.users.length === 1 ? "" : "s"}; {withoutTwoFactor} active without two-factor authentication.
      </p>
      <ul className="user-list" data-testid="users">
        {state.users.map((user) => (
          <UserCard key={user.id} user={user} isSelf={user.id === selfId} selfHasTwoFactor={selfHasTwoFactor} onChanged={replace} />
        ))}
      </ul>
    </div>
  );
}
