import { useMutation } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { describeError } from '../../api/problem.js';
import { AuthLayout } from '../auth/AuthLayout.js';
// The route's answer type (type-only: nothing of the schema module is bundled).
import type { Unsubscribed } from '../../../../src/digest/digest-schemas.js';

/**
 * The unsubscribe link of a digest or notification email. Opening it (a GET) changes nothing — mail
 * scanners follow links — the button sends the same one-click POST a mail client would (RFC 8058).
 */
export function NotificationsUnsubscribePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const mutation = useMutation({
    mutationFn: async () => {
      const res = await fetch(`/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', credentials: 'omit' });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? 'This link did not work.');
      return (await res.json()) as Unsubscribed;
    },
  });
  return (
    <AuthLayout title="Unsubscribe">
      {mutation.isSuccess ? (
        <div className="alert alert-success" role="status">
          Done: you will get no more {mutation.data.unsubscribed === 'digest' ? 'metrics digests' : 'customer-movement notifications'} from this organisation.
        </div>
      ) : (
        <>
          <p>Stop these emails? You can turn them back on in Settings → Notifications.</p>
          <button type="button" className="btn btn-primary btn-block" disabled={!token || mutation.isPending} onClick={() => mutation.mutate()}>
            Unsubscribe
          </button>
        </>
      )}
      {mutation.isError ? <div className="alert alert-error" role="alert">{describeError(mutation.error)}</div> : null}
      <p className="form-links"><Link to="/">Go to Mowt</Link></p>
    </AuthLayout>
  );
}
