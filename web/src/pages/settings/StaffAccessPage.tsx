// Settings → Staff access: Mowt staff can read this organisation's data only after an Admin approves their
// request, for at most 72 hours, read-only. Admins approve, refuse or revoke here; every staff request
// appears in the audit log. The server checks staff.approve.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import { DataTable } from '../../components/DataTable.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
import type { GrantView, OrgGrantList } from '../../../../src/staff/staff-schemas.js';

/** A request as the organisation's Admins see it: the server's own answer type (type-only, erased from the bundle). */
export type StaffAccessRequest = GrantView;

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/staff-access`;

export function StaffAccessPage() {
  return (
    <Gate capability="viewAuditLog" what="staff access">
      <StaffAccessContent />
    </Gate>
  );
}

function StaffAccessContent() {
  const { org } = useOrgContext();
  const client = useQueryClient();
  const key = ['orgs', org.id, 'staff-access'];
  const requests = useQuery({ queryKey: key, queryFn: () => api.get<OrgGrantList>(base(org.id)) });
  const [hours, setHours] = useState<Record<string, number>>({});
  const decide = useMutation({
    mutationFn: (d: { id: string; action: 'approve' | 'refuse' | 'revoke'; hours?: number }) =>
      api.post(`${base(org.id)}/${encodeURIComponent(d.id)}/${d.action}`, d.action === 'approve' ? { hours: d.hours } : {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  const list = requests.data?.requests ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Staff access"
        description="Mowt staff cannot see your data without your permission. Approve a request for up to 72 hours; access is read-only, ends by itself, and every request is in the audit log."
      />
      <section className="card" aria-labelledby="staff-requests">
        <h2 id="staff-requests">Requests</h2>
        {requests.isPending ? <LoadingState label="Loading staff access requests…" /> : null}
        {requests.isError ? <ErrorState error={requests.error} onRetry={() => void requests.refetch()} /> : null}
        {decide.isError ? <ErrorState error={decide.error} title="That did not work" /> : null}
        {requests.isSuccess && list.length === 0 ? <EmptyState title="No staff access requests" /> : null}
        {list.length > 0 ? (
          <DataTable caption="Staff access requests">
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Staff member</th>
                <th scope="col">Reason</th>
                <th scope="col">State</th>
                <th scope="col">Ends</th>
                <th scope="col">Requests made</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">
                    <Time iso={r.requestedAt} />
                  </td>
                  <td>
                    {r.staff.name} ({r.staff.email})
                  </td>
                  <td>{r.reason}</td>
                  <td>{r.state}</td>
                  <td className="nowrap">{r.expiresAt ? <Time iso={r.expiresAt} /> : '—'}</td>
                  <td>{r.requestCount}</td>
                  <td>
                    {r.state === 'pending' ? (
                      <div className="button-row">
                        <label>
                          Hours{' '}
                          <input
                            type="number"
                            min={1}
                            max={72}
                            value={hours[r.id] ?? r.requestedHours}
                            onChange={(e) => setHours((h) => ({ ...h, [r.id]: Number(e.target.value) }))}
                            aria-label={`Hours of access for ${r.staff.name}`}
                          />
                        </label>
                        <button type="button" className="btn btn-primary" disabled={decide.isPending} onClick={() => decide.mutate({ id: r.id, action: 'approve', hours: Math.min(72, hours[r.id] ?? r.requestedHours) })}>
                          Approve
                        </button>
                        <button type="button" className="btn btn-secondary" disabled={decide.isPending} onClick={() => decide.mutate({ id: r.id, action: 'refuse' })}>
                          Refuse
                        </button>
                      </div>
                    ) : r.state === 'active' || r.state === 'approved' ? (
                      <button type="button" className="btn btn-danger" disabled={decide.isPending} onClick={() => decide.mutate({ id: r.id, action: 'revoke' })}>
                        Revoke now
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        ) : null}
      </section>
    </div>
  );
}
