import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { logout } from '../api/endpoints.js';
import { SIGN_IN } from '../app/auth-redirect.js';

/** Ends the session on the server, forgets every cached answer, and returns to sign-in. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: logout,
    meta: { handlesAuthErrors: true },
    // Even if the server call fails (session already gone), this browser must not keep showing data.
    onSettled: () => {
      api.resetCsrf();
      queryClient.clear();
      void navigate(`${SIGN_IN}?signedOut=1`);
    },
  });
}
