// TanStack Query set-up: one place decides what happens when any request finds the session gone.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/problem.js';
import { redirectForError } from './auth-redirect.js';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { handlesAuthErrors?: boolean };
    mutationMeta: { handlesAuthErrors?: boolean };
  }
}

export function createQueryClient(navigate: (to: string) => void): QueryClient {
  const onError = (err: unknown, meta: { handlesAuthErrors?: boolean } | undefined) => {
    // Sign-in pages show "wrong password" themselves instead of being bounced back to sign-in.
    if (meta?.handlesAuthErrors) return;
    const to = redirectForError(err, window.location.pathname + window.location.search);
    if (to) navigate(to);
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => onError(err, query.meta) }),
    mutationCache: new MutationCache({ onError: (err, _vars, _ctx, mutation) => onError(err, mutation.meta) }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Retrying makes sense for flaky networks and server hiccups, never for "not allowed".
        retry: (failures, err) => err instanceof ApiError && (err.status === 0 || err.status >= 500) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
