import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchInvites, revokeInvite } from '../../api/endpoints.js';
import { describeError } from '../../api/problem.js';
import { ROLE_LABELS } from '../../app/roles.js';
import { DataTable } from '../../components/DataTable.js';
import { FormAlert } from '../../components/Field.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';

export function InvitesTable({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const key = ['orgs', orgId, 'invites'];
  const invites = useQuery({ queryKey: key, queryFn: () => fetchInvites(orgId) });
  const revoke = useMutation({
    mutationFn: (inviteId: string) => revokeInvite(orgId, inviteId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }),
  });

  return (
    <section className="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Pending invitations</h2>
      {invites.isPending ? <LoadingState label="Loading invitations…" /> : null}
      {invites.isError ? <ErrorState error={invites.error} onRetry={() => void invites.refetch()} /> : null}
      <FormAlert message={revoke.error ? describeError(revoke.error) : undefined} />
      {invites.data && invites.data.length === 0 ? <p className="muted">No invitations are waiting for an answer.</p> : null}
      {invites.data && invites.data.length > 0 ? (
        <DataTable caption="Pending invitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invites.data.map((i) => (
              <tr key={i.id}>
                <td className="cell-primary">{i.email}</td>
                <td>{ROLE_LABELS[i.role]}</td>
                <td>
                  <Time iso={i.expiresAt} />
                </td>
                <td className="cell-actions">
                  <button type="button" className="btn btn-danger-quiet" disabled={revoke.isPending} onClick={() => revoke.mutate(i.id)}>
                    Revoke<span className="visually-hidden"> invitation for {i.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      ) : null}
    </section>
  );
}
