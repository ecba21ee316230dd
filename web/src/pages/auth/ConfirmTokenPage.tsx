import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/problem.js';
import { useLinkToken } from '../../app/link-token.js';
import { LoadingState } from '../../components/States.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';

interface ConfirmTokenPageProps {
  title: string;
  /** Spends the single-use token from the mailed link. */
  confirm: (token: string) => Promise<unknown>;
  onSuccess?: () => unknown;
  success: string;
  /** Said after the server's reason when the token is refused. */
  ifExpired: string;
}

/** A mailed link that acts as soon as it opens (the token is single-use), then says how it went. */
export function ConfirmTokenPage({ title, confirm, onSuccess, success, ifExpired }: ConfirmTokenPageProps) {
  const token = useLinkToken();
  const mutation = useMutation({ mutationFn: confirm, meta: { handlesAuthErrors: true }, onSuccess });
  // Once per visit: React's development double-effects would otherwise spend the token twice.
  const sent = useRef(false);
  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true;
      mutation.mutate(token);
    }
  }, [token, mutation]);

  if (!token) return <MissingToken title={title} what="confirmation" />;
  return (
    <AuthLayout title={title}>
      {mutation.isPending || mutation.isIdle ? <LoadingState label="Confirming…" /> : null}
      {mutation.isSuccess ? (
        <div className="alert alert-success" role="status">
          {success}
        </div>
      ) : null}
      {mutation.isError ? (
        <div className="alert alert-error" role="alert">
          {describeError(mutation.error)} {ifExpired}
        </div>
      ) : null}
      <p className="form-links">
        <Link to="/">Go to Mowt</Link>
      </p>
    </AuthLayout>
  );
}
