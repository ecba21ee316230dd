import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { confirmTotp, enrolTotp } from '../../api/endpoints.js';
import { formErrors } from '../../api/form-errors.js';
import { ApiError } from '../../api/problem.js';
import { safeReturnPath } from '../../app/auth-redirect.js';
import { groupSecret, svgDataUrl } from '../../app/svg-data-url.js';
import { CopyButton } from '../../components/CopyButton.js';
import { FormAlert } from '../../components/Field.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { AuthLayout } from './AuthLayout.js';
import { CodeField, cleanCode } from './CodeField.js';
import { RecoveryCodes } from './RecoveryCodes.js';

export function TotpEnrolPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [code, setCode] = useState('');

  // Each enrol call makes a new secret, so it is fetched once per visit and never refetched in the
  // background (a refetch would silently invalidate the QR code already scanned).
  const enrolment = useQuery({
    queryKey: ['totp-enrolment'],
    queryFn: enrolTotp,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    meta: { handlesAuthErrors: true },
  });
  const confirm = useMutation({
    mutationFn: () => confirmTotp(cleanCode(code)),
    meta: { handlesAuthErrors: true },
  });
  const errors = formErrors(confirm.error, ['code']);

  function finish() {
    queryClient.clear();
    void navigate(safeReturnPath(params.get('next')) ?? '/');
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    confirm.mutate();
  }

  if (confirm.data) {
    return (
      <AuthLayout title="Two-factor authentication is on">
        <RecoveryCodes codes={confirm.data.recoveryCodes ?? []} onDone={finish} />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Set up two-factor authentication"
      intro={<p>Every Mowt account is protected by a second step at sign-in. You need an authenticator app such as 1Password, Google Authenticator or Authy.</p>}
    >
      {enrolment.isPending ? <LoadingState label="Preparing your QR code…" /> : null}
      {enrolment.isError ? (
        <>
          <ErrorState error={enrolment.error} title="Two-factor set-up could not start" />
          <p className="form-links">
            {enrolment.error instanceof ApiError && enrolment.error.status === 401 ? <Link to="/sign-in">Sign in again</Link> : <Link to="/">Go to Mowt</Link>}
          </p>
        </>
      ) : null}
      {enrolment.data ? (
        <form className="form" onSubmit={submit}>
          <ol className="steps">
            <li>
              <h2 className="step-title">Scan this QR code with your authenticator app</h2>
              {enrolment.data.qrSvg ? (
                <img className="qr" src={svgDataUrl(enrolment.data.qrSvg)} alt="QR code for adding Mowt to an authenticator app" width={200} height={200} />
              ) : null}
              <details className="manual-key" open={!enrolment.data.qrSvg}>
                <summary>Can’t scan it? Enter the key by hand</summary>
                <p>
                  Key: <code className="secret" data-testid="totp-secret">{groupSecret(enrolment.data.secret)}</code>
                </p>
                <CopyButton text={enrolment.data.secret} label="Copy key" />
                <p className="field-hint">Choose a time-based code with 6 digits if your app asks.</p>
              </details>
            </li>
            <li>
              <h2 className="step-title">Enter the code it shows</h2>
              <FormAlert message={errors.summary} />
              <CodeField value={code} onChange={setCode} error={errors.fields.code} />
            </li>
          </ol>
          <button type="submit" className="btn btn-primary btn-block" disabled={confirm.isPending}>
            {confirm.isPending ? 'Checking…' : 'Turn on two-factor authentication'}
          </button>
        </form>
      ) : null}
    </AuthLayout>
  );
}
