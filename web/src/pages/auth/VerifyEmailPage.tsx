import { verifyEmail } from '../../api/endpoints.js';
import { ConfirmTokenPage } from './ConfirmTokenPage.js';

/** The link from the "confirm your email" message. */
export function VerifyEmailPage() {
  return (
    <ConfirmTokenPage
      title="Confirm your email address"
      confirm={verifyEmail}
      success="Your email address is confirmed."
      ifExpired="If the link has expired, sign in and ask for a new one."
    />
  );
}
