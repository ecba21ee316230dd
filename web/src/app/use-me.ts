import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { fetchMe } from '../api/endpoints.js';
import type { OrgMembership } from '../api/types.js';

export const ME_KEY = ['me'] as const;

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe });
}

/** The organisation named in the URL, if the signed-in person belongs to it. */
export function useCurrentOrg(): OrgMembership | undefined {
  const { orgId } = useParams();
  const me = useMe();
  return me.data?.orgs.find((o) => o.id === orgId);
}

const LAST_ORG_KEY = 'mowt.lastOrg';

export function rememberOrg(orgId: string): void {
  try {
    localStorage.setItem(LAST_ORG_KEY, orgId);
  } catch {
    // Storage can be disabled; forgetting the last organisation is harmless.
  }
}

export function lastOrg(): string | null {
  try {
    return localStorage.getItem(LAST_ORG_KEY);
  } catch {
    return null;
  }
}
