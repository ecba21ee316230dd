import { useLocation } from 'react-router';

/**
 * The token of an emailed link. The backend puts it in the fragment (`/invite#token=…`) so it never
 * reaches server logs or a Referer header; `?token=` is accepted too, for links typed by hand.
 */
export function tokenFromLocation(search: string, hash: string): string | null {
  const fromHash = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return fromHash || new URLSearchParams(search).get('token') || null;
}

export function useLinkToken(): string | null {
  const { search, hash } = useLocation();
  return tokenFromLocation(search, hash);
}
