import { useQueryClient } from '@tanstack/react-query';
import { confirmEmailChange } from '../../api/endpoints.js';
import { ME_KEY } from '../../app/use-me.js';
import { ConfirmTokenPage } from './ConfirmTokenPage.js';

/** The link mailed to a new address: switches to it. */
export function ConfirmEmailChangePage() {
  const queryClient = useQueryClient();
  return (
    <ConfirmTokenPage
      title="Confirm your new email address"
      confirm={confirmEmailChange}
      onSuccess={() => queryClient.invalidateQueries({ queryKey: ME_KEY })}
      success="Your email address is changed. Sign in with the new address from now on; your other sessions have been signed out."
      ifExpired="If the link has expired, sign in and change your address again."
    />
  );
}
