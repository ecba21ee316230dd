// The public security acknowledgements page (security.txt's Acknowledgments field points here): researchers
// who reported valid issues and asked to be credited, newest first, and how to report one.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { ErrorState, LoadingState } from '../components/States.js';
import { AuthLayout } from './auth/AuthLayout.js';

// The answer's shape is the server's schema (type-only: nothing of it is bundled).
import type { AcknowledgementsView as Acknowledgements } from '../../../src/ops/acknowledgements.js';

export function AcknowledgementsPage() {
  const data = useQuery({ queryKey: ['security-acknowledgements'], queryFn: () => api.get<Acknowledgements>('/api/security/acknowledgements') });
  return (
    <AuthLayout
      title="Security acknowledgements"
      intro={<p>We thank the people who reported security issues to us responsibly and asked to be credited.</p>}
      footer={
        data.data ? (
          <p>
            Found something? Read our <a href="/security/policy.txt">disclosure policy</a> and write to{' '}
            <a href={data.data.contact}>{data.data.contact.replace(/^mailto:/, '')}</a>.
          </p>
        ) : null
      }
    >
      {data.isPending ? <LoadingState label="Loading acknowledgements…" /> : null}
      {data.isError ? <ErrorState error={data.error} onRetry={() => void data.refetch()} /> : null}
      {data.data && data.data.acknowledgements.length === 0 ? <p>No reports have been credited yet.</p> : null}
      {data.data && data.data.acknowledgements.length > 0 ? (
        <ul>
          {data.data.acknowledgements.map((a) => (
            <li key={`${a.month}-${a.name}`}>
              <strong>{a.url ? <a href={a.url}>{a.name}</a> : a.name}</strong> ({a.month}) — {a.summary}
            </li>
          ))}
        </ul>
      ) : null}
    </AuthLayout>
  );
}
