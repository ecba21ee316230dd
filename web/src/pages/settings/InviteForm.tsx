import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createInvite } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import type { Role } from '../../api/types.js';
import { ROLES, ROLE_LABELS } from '../../app/roles.js';
import { FormAlert, SelectField, TextField } from '../../components/Field.js';

export function InviteForm({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [sentTo, setSentTo] = useState<string>();
  const mutation = useMutation({
    mutationFn: () => createInvite(orgId, email.trim(), role),
    onSuccess: () => {
      setSentTo(email.trim());
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: ['orgs', orgId, 'invites'] });
    },
  });
  const errors = formErrors(mutation.error, ['email', 'role']);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSentTo(undefined);
    mutation.mutate();
  }

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <p className="muted">They get an email with a link that works once and expires after 7 days.</p>
      <form className="form form-inline" onSubmit={submit}>
        <FormAlert message={errors.summary} />
        <FormAlert message={sentTo ? `Invitation sent to ${sentTo}.` : undefined} tone="success" />
        <div className="form-row">
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.fields.email}
            className="grow"
          />
          <SelectField label="Role" name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={errors.fields.role}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </SelectField>
          <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
            {mutation.isPending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
    </section>
  );
}
