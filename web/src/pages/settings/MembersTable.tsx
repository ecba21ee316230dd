import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { changeMemberRole, fetchMembers, removeMember } from '../../api/endpoints.js';
import { describeError } from '../../api/problem.js';
import type { Member, Role } from '../../api/types.js';
import { ROLES, ROLE_LABELS } from '../../app/roles.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataTable } from '../../components/DataTable.js';
import { FormAlert } from '../../components/Field.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';

export function MembersTable({ orgId, myUserId }: { orgId: string; myUserId: string }) {
  const queryClient = useQueryClient();
  const key = ['orgs', orgId, 'members'];
  const members = useQuery({ queryKey: key, queryFn: () => fetchMembers(orgId) });
  const [removing, setRemoving] = useState<Member>();
  const [notice, setNotice] = useState<string>();

  const roleChange = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) => changeMemberRole(orgId, member.userId, role),
    onSuccess: (_res, { member, role }) => {
      setNotice(`${member.name || member.email} is now ${ROLE_LABELS[role]}. Their sessions were ended, so the change applies at once.`);
      void queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const removal = useMutation({
    mutationFn: (member: Member) => removeMember(orgId, member.userId),
    onSuccess: (_res, member) => {
      setNotice(`${member.name || member.email} no longer has access.`);
      setRemoving(undefined);
      void queryClient.invalidateQueries({ queryKey: key });
    },
  });

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isPending ? <LoadingState label="Loading members…" /> : null}
      {members.isError ? <ErrorState error={members.error} onRetry={() => void members.refetch()} /> : null}
      {members.data && members.data.length === 0 ? <EmptyState title="No members yet" /> : null}
      <FormAlert message={roleChange.error ? describeError(roleChange.error) : undefined} />
      <FormAlert message={notice} tone="success" />
      {members.data && members.data.length > 0 ? (
        <DataTable caption="Members">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col" className="hide-narrow">Joined</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => {
              const isMe = m.userId === myUserId;
              const who = m.name || m.email;
              return (
                <tr key={m.userId}>
                  <td>
                    <div className="cell-primary">
                      {who}
                      {isMe ? <span className="badge">You</span> : null}
                    </div>
                    {m.name ? <div className="cell-secondary">{m.email}</div> : null}
                  </td>
                  <td>
                    {isMe ? (
                      ROLE_LABELS[m.role]
                    ) : (
                      <select
                        aria-label={`Role of ${who}`}
                        value={m.role}
                        disabled={roleChange.isPending}
                        onChange={(e) => {
                          setNotice(undefined);
                          roleChange.mutate({ member: m, role: e.target.value as Role });
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td className="hide-narrow">
                    <Time iso={m.joinedAt} withTime={false} />
                  </td>
                  <td className="cell-actions">
                    {isMe ? null : (
                      <button
                        type="button"
                        className="btn btn-danger-quiet"
                        onClick={() => {
                          removal.reset();
                          setRemoving(m);
                        }}
                      >
                        Remove<span className="visually-hidden"> {who}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      ) : null}
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove this member?"
        confirmLabel="Remove member"
        busy={removal.isPending}
        error={removal.error ? describeError(removal.error) : undefined}
        onConfirm={() => removing && removal.mutate(removing)}
        onCancel={() => setRemoving(undefined)}
      >
        <p>
          {removing ? <strong>{removing.name || removing.email}</strong> : null} loses access to this organisation immediately: all their
          sessions end now. You can invite them again later.
        </p>
      </ConfirmDialog>
    </section>
  );
}
