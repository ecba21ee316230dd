// The analytics page of each navigation entry (dashboards.ts), by path.
import type { ReactElement } from 'react';
import './dashboards.css';
import { CashPage } from './CashPage.js';
import { ChurnPage } from './ChurnPage.js';
import { CohortsPage } from './CohortsPage.js';
import { CustomersPage } from './CustomersPage.js';
import type { DashboardInfo } from './dashboards.js';
import { FailedPaymentsPage } from './FailedPaymentsPage.js';
import { MrrPage } from './MrrPage.js';
import { OverviewPage } from './OverviewPage.js';
import { PlansPage } from './PlansPage.js';
import { TrialsPage } from './TrialsPage.js';

const PAGES: Record<string, () => ReactElement> = {
  overview: OverviewPage,
  mrr: MrrPage,
  churn: ChurnPage,
  cohorts: CohortsPage,
  customers: CustomersPage,
  plans: PlansPage,
  trials: TrialsPage,
  'failed-payments': FailedPaymentsPage,
  cash: CashPage,
};

export function DashboardPage({ info }: { info: DashboardInfo }) {
  const Page = PAGES[info.path] ?? OverviewPage;
  return <Page />;
}
