import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { verifyEmail } from '../../api/endpoints.js';
import { describeError } from '../../api/problem.js';
import { useLinkToken } from '../../app/link-token.js';
import { LoadingState } from '../../components/States.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';

/** The link from the "confirm your email" message: confirms as soon as it opens (the token is single-use). */
export function VerifyEmailPage() {
  const token = useLinkToken();
  const mutation = useMutation({ mutationFn: verifyEmail, meta: { handlesAuthErrors: true } });
  // Once per visit: React's development double-effects would otherwise spend the token twice.
  const sent = useRef(false);
  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true;
      mutation.mutate(token);
    }
  }, [token, mutation]);

  if (!token) return <MissingToken title="Confirm your email address" what="confirmation" />;
  return (
    <AuthLayout title="Confirm your email address">
      {mutation.isPending || mutation.isIdle ? <LoadingState label="Confirming…" /> : null}
      {mutation.isSuccess ? (
        <div className="alert alert-success" role="status">
          Your email address is confirmed.
        </div>
      ) : null}
      {mutation.isError ? (
        <div className="alert alert-error" role="alert">
          {describeError(mutation.error)} If the link has expired, sign in and ask for a new one.
        </div>
      ) : null}
      <p className="form-links">
        <Link to="/">Go to Mowt</Link>
      </p>
    </AuthLayout>
  );
}
