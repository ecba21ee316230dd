import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { confirmEmailChange } from '../../api/endpoints.js';
import { describeError } from '../../api/problem.js';
import { useLinkToken } from '../../app/link-token.js';
import { ME_KEY } from '../../app/use-me.js';
import { LoadingState } from '../../components/States.js';
import { AuthLayout } from './AuthLayout.js';
import { MissingToken } from './MissingToken.js';

/** The link mailed to a new address: switches to it as soon as it opens (the token is single-use). */
export function ConfirmEmailChangePage() {
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: confirmEmailChange,
    meta: { handlesAuthErrors: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
  });
  // Once per visit: React's development double-effects would otherwise spend the token twice.
  const sent = useRef(false);
  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true;
      mutation.mutate(token);
    }
  }, [token, mutation]);

  if (!token) return <MissingToken title="Confirm your new email address" what="confirmation" />;
  return (
    <AuthLayout title="Confirm your new email address">
      {mutation.isPending || mutation.isIdle ? <LoadingState label="Confirming…" /> : null}
      {mutation.isSuccess ? (
        <div className="alert alert-success" role="status">
          Your email address is changed. Sign in with the new address from now on; your other sessions have been signed out.
        </div>
      ) : null}
      {mutation.isError ? (
        <div className="alert alert-error" role="alert">
          {describeError(mutation.error)} If the link has expired, sign in and change your address again.
        </div>
      ) : null}
      <p className="form-links">
        <Link to="/">Go to Mowt</Link>
      </p>
    </AuthLayout>
  );
}
