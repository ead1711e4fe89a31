// Profile: the account, its Two-Factor Authentication section, where it is signed in, and its
// security activity.
import { useState } from "react";
import { ActivityList } from "../../features/activity/activity-list";
import type { Me } from "../../features/session/api";
import { SessionsList } from "../../features/session/sessions-list";
import { PolicyNotice } from "../../features/two-factor/policy-notice";
import { Page } from "../page";
import { TwoFactorSection } from "../profile/two-factor-section";
import { useSession } from "../session";

export function ProfileRoute({ me }: { me: Me }) {
  const { refresh, setNotice } = useSession();
  const [activityVersion, setActivityVersion] = useState(0);

  async function onChanged() {
    // A notice from signing in (e.g. codes left) is stale once 2FA changed.
    setNotice(null);
    await refresh();
    setActivityVersion((v) => v + 1);
  }

  return (
    <Page title="Profile">
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <dt>Username</dt>
          <dd>{me.user.username}</dd>
          <dt>Role</dt>
          <dd>{me.user.is_admin ? "Administrator" : "User"}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="twofa-heading">
        <h2 id="twofa-heading">Two-Factor Authentication</h2>
        <div className="stack">
          <PolicyNotice policy={me.policy} enabled={me.two_factor.enabled} />
          <TwoFactorSection me={me} onChanged={onChanged} />
        </div>
      </section>
      {/* Past the policy deadline the server answers only the enrolment calls. */}
      {!me.policy.enrollment_required && (
        <>
          <section className="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">Where you are signed in</h2>
            <SessionsList version={activityVersion} onRevoked={() => setActivityVersion((v) => v + 1)} />
          </section>
          <section className="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">Security activity</h2>
            <ActivityList version={activityVersion} />
          </section>
        </>
      )}
    </Page>
  );
}
