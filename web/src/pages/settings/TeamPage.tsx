import { ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '../../app/roles.js';
import { PageHeader } from '../../components/PageHeader.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
import { InviteForm } from './InviteForm.js';
import { InvitesTable } from './InvitesTable.js';
import { MembersTable } from './MembersTable.js';

export function TeamPage() {
  return (
    <Gate capability="manageMembers" what="team management">
      <TeamPageContent />
    </Gate>
  );
}

function TeamPageContent() {
  const { org, me } = useOrgContext();
  return (
    <div className="page">
      <PageHeader title="Team" description={`Who can use ${org.name} in Mowt, and what they can do.`} />
      <InviteForm orgId={org.id} />
      <MembersTable orgId={org.id} myUserId={me.user.id} />
      <InvitesTable orgId={org.id} />
      <section className="card" aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <dl className="definition-list">
          {ROLES.map((r) => (
            <div key={r}>
              <dt>{ROLE_LABELS[r]}</dt>
              <dd>{ROLE_DESCRIPTIONS[r]}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">Every member signs in with two-factor authentication. An organisation always keeps at least one Admin.</p>
      </section>
    </div>
  );
}
