import { useOutletContext } from 'react-router';
import type { Me, OrgMembership } from '../api/types.js';

/** What every page inside an organisation gets from the app layout. */
export interface OrgContext {
  me: Me;
  org: OrgMembership;
}

export function useOrgContext(): OrgContext {
  return useOutletContext<OrgContext>();
}
