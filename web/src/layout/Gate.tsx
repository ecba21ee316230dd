import type { ReactNode } from 'react';
import { can, type Capability } from '../app/roles.js';
import { NoAccess } from '../components/States.js';
import { orgPath } from './nav-items.js';
import { useOrgContext } from './org-context.js';
import { usePageTitle } from '../components/PageHeader.js';

/**
 * Shows its children only to roles with the capability. The server refuses the data anyway; this keeps a
 * person who follows an old link from staring at a broken page.
 */
export function Gate({ capability, what, children }: { capability: Capability; what: string; children: ReactNode }) {
  const { org } = useOrgContext();
  if (can(org.role, capability)) return <>{children}</>;
  return <NoAccessPage what={what} orgId={org.id} />;
}

function NoAccessPage({ what, orgId }: { what: string; orgId: string }) {
  usePageTitle('No access');
  return (
    <div className="page">
      <h1 className="visually-hidden">No access</h1>
      <NoAccess what={what} backTo={orgPath(orgId)} />
    </div>
  );
}
