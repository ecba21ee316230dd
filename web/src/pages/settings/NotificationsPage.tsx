import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client.js';
import { describeError } from '../../api/problem.js';
import { FormAlert, SelectField, TextField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { useOrgContext } from '../../layout/org-context.js';
// The route's answer type (type-only: nothing of the schema module is bundled).
import type { NotifyKind as Kind, PreferencesView as Preferences } from '../../../../src/digest/digest-schemas.js';
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'new', label: 'New customers' },
  { kind: 'upgrade', label: 'Upgrades' },
  { kind: 'downgrade', label: 'Downgrades' },
  { kind: 'churn', label: 'Churned customers' },
];

/** Settings → Notifications: each member's own digest and movement notifications. */
export function NotificationsPage() {
  const { org } = useOrgContext();
  const path = `/api/orgs/${encodeURIComponent(org.id)}/notifications/preferences`;
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: ['notification-prefs', org.id], queryFn: () => api.get<Preferences>(path) });
  const [draft, setDraft] = useState<Preferences | null>(null);
  const [slackUrl, setSlackUrl] = useState('');
  useEffect(() => {
    if (prefs.data) setDraft(prefs.data);
  }, [prefs.data]);
  const save = useMutation({
    mutationFn: (p: Preferences) => api.put<Preferences>(path, { digest: p.digest, notifyChannel: p.notifyChannel, notifyEvents: p.notifyEvents, ...(slackUrl.trim() ? { slackWebhookUrl: slackUrl.trim() } : {}) }),
    onSuccess: (data) => {
      setSlackUrl('');
      queryClient.setQueryData(['notification-prefs', org.id], data);
    },
  });

  if (prefs.isPending || !draft) return prefs.isError ? <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} /> : <LoadingState label="Loading notifications…" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (draft) save.mutate(draft);
  }
  const toggle = (kind: Kind) => setDraft((d) => (d ? { ...d, notifyEvents: d.notifyEvents.includes(kind) ? d.notifyEvents.filter((k) => k !== kind) : [...d.notifyEvents, kind] } : d));

  return (
    <div className="page">
      <PageHeader title="Notifications" description="Your own email digest and customer-movement notifications for this organisation. Every email has a one-click unsubscribe link." />
      <form className="form" onSubmit={submit}>
        <FormAlert message={save.error ? describeError(save.error) : undefined} />
        {save.isSuccess ? <FormAlert tone="success" message="Saved." /> : null}
        <SelectField label="Metrics digest (MRR, movements, churn, notable customers)" name="digest" value={draft.digest} onChange={(e) => setDraft({ ...draft, digest: e.target.value as Preferences['digest'] })}>
          <option value="off">Off</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
        </SelectField>
        <SelectField label="Customer movement notifications" name="notifyChannel" value={draft.notifyChannel} onChange={(e) => setDraft({ ...draft, notifyChannel: e.target.value as Preferences['notifyChannel'] })}>
          <option value="off">Off</option>
          <option value="email">By email</option>
          <option value="slack">To a Slack-compatible webhook</option>
        </SelectField>
        <fieldset>
          <legend>Notify me about</legend>
          {KINDS.map((k) => (
            <label key={k.kind} className="checkbox">
              <input type="checkbox" checked={draft.notifyEvents.includes(k.kind)} onChange={() => toggle(k.kind)} /> {k.label}
            </label>
          ))}
        </fieldset>
        {draft.notifyChannel === 'slack' || draft.slackWebhookConfigured ? (
          <TextField
            label="Slack incoming webhook URL"
            name="slackWebhookUrl"
            type="url"
            placeholder={draft.slackWebhookConfigured ? 'Saved (encrypted) — enter a new URL to replace it' : 'https://hooks.slack.com/services/…'}
            value={slackUrl}
            onChange={(e) => setSlackUrl(e.target.value)}
          />
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{save.isPending ? 'Saving…' : 'Save'}</button>
      </form>
    </div>
  );
}
