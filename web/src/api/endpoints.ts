// One function per API call the web app makes, with the exact paths of the backend contract.
import { api, type ReadOptions } from './client.js';
import { readAuditPage, readInvites, readMe, readMembers, readSessions } from './normalise.js';
import type { AuditFilters, AuditPage, Invite, Me, Member, Role, Session, StripeConnection, TotpEnrolment } from './types.js';
import type { LoginAnswer, RecoveryCodes } from '../../../src/auth/auth-schemas.js';

const seg = encodeURIComponent;

// Auth ------------------------------------------------------------------------------------------------
export const login = (email: string, password: string) => api.post<LoginAnswer>('/api/auth/login', { email, password });
export const verifyTotp = (code: string) => api.post<unknown>('/api/auth/totp/verify', { code });
export const enrolTotp = () => api.post<TotpEnrolment>('/api/auth/totp/enroll');
export const confirmTotp = (code: string) => api.post<RecoveryCodes>('/api/auth/totp/confirm', { code });
export const signInWithRecoveryCode = (code: string) => api.post<unknown>('/api/auth/recovery', { code });
export const forgotPassword = (email: string) => api.post<unknown>('/api/auth/password/forgot', { email });
export const resetPassword = (token: string, password: string, code: string) =>
  api.post<unknown>('/api/auth/password/reset', { token, password, ...(code ? { code } : {}) });
/** Sudo mode: password + current code unlock sensitive actions for 10 minutes. */
export const reauthenticate = (password: string, code: string) => api.post<unknown>('/api/auth/reauth', { password, code });
export const changePassword = (password: string) => api.post<unknown>('/api/auth/password/change', { password });
/** Needs sudo mode. Mails a confirmation link to the new address; the address changes only once it is followed. */
export const requestEmailChange = (newEmail: string) => api.post<unknown>('/api/auth/email/change', { newEmail });
export const confirmEmailChange = (token: string) => api.post<unknown>('/api/auth/email/change/confirm', { token });
export const disableTotp = (password: string, code: string) => api.post<unknown>('/api/auth/totp/disable', { password, code });
export const verifyEmail = (token: string) => api.post<unknown>('/api/auth/email/verify', { token });
export const logout = () => api.post<unknown>('/api/auth/logout');
export const acceptInvite = (body: { token: string; name?: string; password?: string }) => api.post<unknown>('/api/invites/accept', body);
export const setup = (body: { token: string; email: string; password: string; orgName: string; name?: string }) => api.post<unknown>('/api/setup', body);

export const fetchMe = async (): Promise<Me> => readMe(await api.get<unknown>('/api/me'));

// Sessions --------------------------------------------------------------------------------------------
export const fetchSessions = async (): Promise<Session[]> => readSessions(await api.get<unknown>('/api/auth/sessions'));
export const revokeSession = (sessionId: string) => api.delete<unknown>(`/api/auth/sessions/${seg(sessionId)}`);

// Team ------------------------------------------------------------------------------------------------
export const fetchMembers = async (orgId: string): Promise<Member[]> =>
  readMembers(await api.get<unknown>(`/api/orgs/${seg(orgId)}/members`));
export const changeMemberRole = (orgId: string, userId: string, role: Role) =>
  api.patch<unknown>(`/api/orgs/${seg(orgId)}/members/${seg(userId)}`, { role });
export const removeMember = (orgId: string, userId: string) => api.delete<unknown>(`/api/orgs/${seg(orgId)}/members/${seg(userId)}`);
export const fetchInvites = async (orgId: string): Promise<Invite[]> =>
  readInvites(await api.get<unknown>(`/api/orgs/${seg(orgId)}/invites`));
export const createInvite = (orgId: string, email: string, role: Role) =>
  api.post<unknown>(`/api/orgs/${seg(orgId)}/invites`, { email, role });
export const revokeInvite = (orgId: string, inviteId: string) => api.delete<unknown>(`/api/orgs/${seg(orgId)}/invites/${seg(inviteId)}`);

// Audit log -------------------------------------------------------------------------------------------
/**
 * The audit API takes instants (ISO date-time) and an exclusive `to`; people pick calendar days in their
 * own time zone and mean "to" inclusively. So `from` is local midnight of its day and `to` is local
 * midnight of the day after.
 */
export function localDayStart(date: string, addDays = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return new Date(y, m - 1, d + addDays).toISOString();
}

export function auditQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  const api: Record<string, string | undefined> = {
    actor: filters.actor,
    action: filters.action,
    from: filters.from ? localDayStart(filters.from) : undefined,
    to: filters.to ? localDayStart(filters.to, 1) : undefined,
  };
  for (const [k, v] of Object.entries({ ...api, ...extra })) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
export const auditPath = (orgId: string) => `/api/orgs/${seg(orgId)}/audit`;
export const fetchAudit = async (orgId: string, filters: AuditFilters, cursor?: string): Promise<AuditPage> =>
  readAuditPage(await api.get<unknown>(auditPath(orgId) + auditQuery(filters, cursor ? { before: cursor } : {})));
/** Records a dashboard page view for the audit log (the server keeps one per user, page and minute). */
export const recordPageView = (orgId: string, page: string) => api.post<unknown>(`${auditPath(orgId)}/page-view`, { page });
export const auditExportUrl = (orgId: string, filters: AuditFilters, format: 'csv' | 'json') =>
  auditPath(orgId) + auditQuery(filters, { format });

// Stripe ----------------------------------------------------------------------------------------------
export const fetchStripeConnections = async (orgId: string, opts?: ReadOptions): Promise<StripeConnection[]> =>
  (await api.get<{ connections: StripeConnection[] }>(`/api/orgs/${seg(orgId)}/stripe/connections`, opts)).connections;
export const connectStripeKey = (orgId: string, restrictedKey: string) =>
  api.post<{ connectionId: string }>(`/api/orgs/${seg(orgId)}/stripe/connections`, { restrictedKey });
export const startStripeOAuth = (orgId: string) => api.get<{ url: string }>(`/api/orgs/${seg(orgId)}/stripe/oauth/start`);
export const setStripeWebhookSecret = (orgId: string, connectionId: string, secret: string) =>
  api.put<unknown>(`/api/orgs/${seg(orgId)}/stripe/connections/${seg(connectionId)}/webhook-secret`, { secret });
export const replaceStripeKey = (orgId: string, connectionId: string, restrictedKey: string) =>
  api.put<unknown>(`/api/orgs/${seg(orgId)}/stripe/connections/${seg(connectionId)}/key`, { restrictedKey });
export const syncStripeNow = (orgId: string, connectionId: string) => api.post<unknown>(`/api/orgs/${seg(orgId)}/stripe/connections/${seg(connectionId)}/sync`, {});
export const disconnectStripe = (orgId: string, connectionId: string) => api.delete<unknown>(`/api/orgs/${seg(orgId)}/stripe/connections/${seg(connectionId)}`);
