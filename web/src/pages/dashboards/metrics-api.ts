// The metrics API (docs/metrics-api.md), the saved views and the annotations as the dashboard calls them.
// Shapes follow the contract exactly; money is integers in minor units of `currency`.
import { api, type ReadOptions } from '../../api/client.js';
import { apiQuery, type DashboardState, type Filters, type Interval } from './query-state.js';
// The answers' shapes come from the server's schemas (one definition, type-only: nothing of it is bundled).
import type {
  CashRow, ChurnRow, Cohort, CohortCell, CustomerDetail, CustomerItem, CustomerPage, CustomerStatus, FailedPaymentRow, Kpi, KpisView, MovementItem, MovementKind, MovementPage,
  MrrRow, PlanRow, StatusView, SummaryView, TrialRow,
} from '../../../../src/analytics/api-schemas.js';
// Saved views and annotations: the server's answer types (src/views/views-schemas.ts), type-only too.
import type { Annotation, SavedView } from '../../../../src/views/views-schemas.js';

export type { CashRow, ChurnRow, Cohort, CohortCell, CustomerDetail, CustomerItem, CustomerPage, CustomerStatus, FailedPaymentRow, Kpi, MovementItem, MovementKind, MovementPage, MrrRow, PlanRow, TrialRow };
export type MetricsStatus = StatusView;
export type KpisResponse = KpisView;
export type Summary = SummaryView;

const seg = encodeURIComponent;
const base = (orgId: string) => `/api/orgs/${seg(orgId)}`;

export const MOVEMENT_KINDS: MovementKind[] = ['new', 'expansion', 'reactivation', 'contraction', 'churn', 'currencyAdjustment'];
export const MOVEMENT_LABELS: Record<MovementKind, string> = {
  new: 'New',
  expansion: 'Expansion',
  reactivation: 'Reactivation',
  contraction: 'Contraction',
  churn: 'Churn',
  currencyAdjustment: 'Currency adjustment',
};

export interface StripeConnectionSummary {
  id: string;
  label: string;
  isDemo: boolean;
  status: string;
  sync: { phase: 'backfilling' | 'live' | 'error' | 'revoked'; progress: number; etaSeconds: number | null; lastError: { message: string } | null };
}

export type { Annotation, SavedView };

type RangeState = Pick<DashboardState, 'from' | 'to' | 'interval' | 'filters'>;

export const fetchStatus = (orgId: string, opts?: ReadOptions) => api.get<MetricsStatus>(`${base(orgId)}/metrics/status`, opts);
export const fetchConnections = async (orgId: string, opts?: ReadOptions) =>
  (await api.get<{ connections: StripeConnectionSummary[] }>(`${base(orgId)}/stripe/connections`, opts)).connections;
export const fetchKpis = (orgId: string, s: RangeState) => api.get<KpisResponse>(`${base(orgId)}/metrics/kpis${apiQuery(s, {}, { interval: false })}`);
export const fetchSummary = (orgId: string, s: RangeState, date?: string) =>
  api.get<Summary>(`${base(orgId)}/metrics/summary${apiQuery(s, { date }, { range: false, interval: false })}`);
export const fetchMrr = (orgId: string, s: RangeState) => api.get<MrrRow[]>(`${base(orgId)}/metrics/mrr${apiQuery(s)}`);
export const fetchChurn = (orgId: string, s: RangeState) => api.get<ChurnRow[]>(`${base(orgId)}/metrics/churn${apiQuery(s)}`);
export const fetchTrials = (orgId: string, s: RangeState) => api.get<TrialRow[]>(`${base(orgId)}/metrics/trials${apiQuery(s)}`);
export const fetchFailedPayments = (orgId: string, s: RangeState) => api.get<FailedPaymentRow[]>(`${base(orgId)}/metrics/failed-payments${apiQuery(s)}`);
export const fetchCash = (orgId: string, s: RangeState) => api.get<CashRow[]>(`${base(orgId)}/metrics/cash${apiQuery(s)}`);
export const fetchPlans = (orgId: string, s: RangeState) => api.get<PlanRow[]>(`${base(orgId)}/metrics/plans${apiQuery(s, {}, { range: false, interval: false })}`);

/** Cohorts take months; the page's day range maps onto the months it touches. */
export const cohortQuery = (s: RangeState) => apiQuery({ ...s, from: s.from.slice(0, 7), to: s.to.slice(0, 7) }, {}, { interval: false });
export const fetchCohorts = (orgId: string, s: RangeState) => api.get<Cohort[]>(`${base(orgId)}/metrics/cohorts${cohortQuery(s)}`);

export interface CustomerQuery {
  q?: string;
  status?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}
export const customersQuery = (s: RangeState, c: CustomerQuery) => apiQuery(s, { ...c }, { range: false, interval: false });
export const fetchCustomers = (orgId: string, s: RangeState, c: CustomerQuery) => api.get<CustomerPage>(`${base(orgId)}/customers${customersQuery(s, c)}`);
export const fetchCustomer = (orgId: string, customerId: string, account?: string) =>
  api.get<CustomerDetail>(`${base(orgId)}/customers/${seg(customerId)}${account ? `?account=${seg(account)}` : ''}`);

export interface MovementQuery {
  from: string;
  to: string;
  kind?: string;
  page?: number;
  pageSize?: number;
}
export const movementsQuery = (filters: Filters, m: MovementQuery) =>
  apiQuery({ from: m.from, to: m.to, interval: 'month' as Interval, filters }, { kind: m.kind, page: m.page, pageSize: m.pageSize }, { interval: false });
export const fetchMovements = (orgId: string, filters: Filters, m: MovementQuery) => api.get<MovementPage>(`${base(orgId)}/metrics/movements${movementsQuery(filters, m)}`);

/** A CSV download of a dataset with the same query as the JSON it mirrors (`exports.create`). */
export type ExportDataset = 'mrr' | 'churn' | 'cohorts' | 'trials' | 'failed-payments' | 'cash' | 'plans' | 'customers' | 'movements' | 'kpis' | 'customer-timeline';
export const exportUrl = (orgId: string, dataset: ExportDataset, query: string) => `${base(orgId)}/exports/${dataset}${query}`;

// Saved views and annotations (src/views) ---------------------------------------------------------------
export const fetchViews = async (orgId: string) => (await api.get<{ views: SavedView[] }>(`${base(orgId)}/views`)).views;
export const createView = async (orgId: string, name: string, filters: Record<string, unknown>) =>
  (await api.post<{ view: SavedView }>(`${base(orgId)}/views`, { name, filters })).view;
export const updateView = async (orgId: string, viewId: string, patch: { name?: string; filters?: Record<string, unknown> }) =>
  (await api.patch<{ view: SavedView }>(`${base(orgId)}/views/${seg(viewId)}`, patch)).view;
export const deleteView = (orgId: string, viewId: string) => api.delete<unknown>(`${base(orgId)}/views/${seg(viewId)}`);

export const fetchAnnotations = async (orgId: string, range?: { from: string; to: string }) =>
  (await api.get<{ annotations: Annotation[] }>(`${base(orgId)}/annotations${range ? `?from=${range.from}&to=${range.to}` : ''}`)).annotations;
export const createAnnotation = async (orgId: string, body: { date: string; label: string; note?: string }) =>
  (await api.post<{ annotation: Annotation }>(`${base(orgId)}/annotations`, body)).annotation;
export const deleteAnnotation = (orgId: string, annotationId: string) => api.delete<unknown>(`${base(orgId)}/annotations/${seg(annotationId)}`);
