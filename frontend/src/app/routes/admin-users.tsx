// Administrators: every account, adding one, and the lost-phone 2FA reset.
import { useState } from "react";
import { CreateUserForm } from "../../features/admin/create-user-form";
import type { AdminUser } from "../../features/admin/api";
import { UsersList } from "../../features/admin/users-list";
import type { Me } from "../../features/session/api";
import { Page } from "../page";

export function AdminUsersRoute({ me }: { me: Me }) {
  const [added, setAdded] = useState<AdminUser | null>(null);
  return (
    <Page title="Users">
      <section className="card" aria-labelledby="users-heading">
        <h2 id="users-heading">Accounts</h2>
        {added && (
          <p role="status" className="alert alert-success">
            {added.username} was added. They can sign in now and turn on two-factor authentication in their Profile.
          </p>
        )}
        <UsersList selfId={me.user.id} selfHasTwoFactor={me.two_factor.enabled} added={added} />
      </section>
      <section className="card" aria-labelledby="add-user-heading">
        <h2 id="add-user-heading">Add a user</h2>
        <CreateUserForm onCreated={setAdded} selfHasTwoFactor={me.two_factor.enabled} />
      </section>
    </Page>
  );
}
