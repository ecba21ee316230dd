// Settings → Security events: what the anomaly rules noticed in this organisation (Admins only; the server
// checks audit.read), newest first, filterable by severity. See docs/security-operations.md.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import { DataTable } from '../../components/DataTable.js';
import { SelectField } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.js';
import { Time } from '../../components/Time.js';
import { Gate } from '../../layout/Gate.js';
import { useOrgContext } from '../../layout/org-context.js';
import type { SecurityEventPage, SecurityEventView } from '../../../../src/security-events/security-events-schemas.js';

/** The server's own answer types (type-only, erased from the bundle), so the page cannot drift from the route. */
export type SecurityEvent = SecurityEventView;

export function fetchSecurityEvents(orgId: string, severity: string): Promise<SecurityEventPage> {
  const q = severity ? `?severity=${encodeURIComponent(severity)}&limit=200` : '?limit=200';
  return api.get(`/api/orgs/${encodeURIComponent(orgId)}/security-events${q}`);
}

export function SecurityEventsPage() {
  return (
    <Gate capability="viewAuditLog" what="security events">
      <SecurityEventsContent />
    </Gate>
  );
}

function SecurityEventsContent() {
  const { org } = useOrgContext();
  const [severity, setSeverity] = useState('');
  const events = useQuery({ queryKey: ['orgs', org.id, 'security-events', severity], queryFn: () => fetchSecurityEvents(org.id, severity) });
  const list = events.data?.events ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Security events"
        description="Unusual activity Mowt noticed: bursts of failed sign-ins, new devices, unusual API-token use, bulk exports and every Mowt staff access. Warnings are also mailed to Admins."
      />
      <div className="card filters">
        <SelectField label="Severity" name="severity" value={severity} onChange={(e: { target: { value: string } }) => setSeverity(e.target.value)}>
          <option value="">All</option>
          <option value="critical">Critical</option>
          <option value="warning">Warning</option>
          <option value="info">Info</option>
        </SelectField>
      </div>
      <section className="card" aria-labelledby="security-events">
        <h2 id="security-events">Events</h2>
        {events.isPending ? <LoadingState label="Loading security events…" /> : null}
        {events.isError ? <ErrorState error={events.error} onRetry={() => void events.refetch()} /> : null}
        {events.isSuccess && list.length === 0 ? <EmptyState title="Nothing unusual so far" /> : null}
        {list.length > 0 ? (
          <DataTable caption="Security events">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Severity</th>
                <th scope="col">What happened</th>
                <th scope="col">Rule</th>
                <th scope="col">IP address</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">
                    <Time iso={e.occurredAt} />
                  </td>
                  <td>{e.severity}</td>
                  <td>{e.summary}</td>
                  <td>
                    <code>{e.rule}</code>
                  </td>
                  <td>{typeof e.details.ip === 'string' ? e.details.ip : '—'}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        ) : null}
      </section>
    </div>
  );
}
