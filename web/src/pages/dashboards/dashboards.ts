// The analytics pages of the navigation (issue 6): path, title and what each shows. DashboardPage.tsx
// picks the page component by path.
export interface DashboardInfo {
  path: string;
  title: string;
  subject: string;
  description: string;
  shows: string[];
}

export const DASHBOARDS: DashboardInfo[] = [
  {
    path: 'overview',
    title: 'Overview',
    subject: 'your revenue overview',
    description: 'The health of your subscription business at a glance.',
    shows: ['MRR and ARR with change against the previous period', 'New, expansion, contraction, churn and reactivation movements', 'Paying customers and average revenue per account'],
  },
  {
    path: 'mrr',
    title: 'MRR',
    subject: 'your monthly recurring revenue',
    description: 'Monthly recurring revenue over time and what moved it.',
    shows: ['Daily, weekly or monthly MRR', 'A breakdown of every movement by customer', 'Filters by plan, currency, country and billing interval'],
  },
  {
    path: 'churn',
    title: 'Churn',
    subject: 'churn',
    description: 'Customers and revenue you lose, and what you keep.',
    shows: ['Customer churn rate', 'Gross and net MRR churn', 'Net and gross revenue retention'],
  },
  {
    path: 'cohorts',
    title: 'Cohorts',
    subject: 'cohort retention',
    description: 'How each signup month retains customers and revenue.',
    shows: ['Retention by customers and by MRR', 'A heatmap by signup month'],
  },
  {
    path: 'trials',
    title: 'Trials',
    subject: 'trial conversion',
    description: 'Trials that ended and how many became paying customers.',
    shows: ['Trials ended per period', 'Conversion rate'],
  },
  {
    path: 'failed-payments',
    title: 'Failed payments',
    subject: 'failed payments',
    description: 'Payment attempts that failed, and the revenue recovered afterwards.',
    shows: ['Failure rate', 'Recovered revenue'],
  },
  {
    path: 'cash',
    title: 'Cash & refunds',
    subject: 'cash and refunds',
    description: 'Payments collected, refunds, disputes and fees, and the net cash left.',
    shows: ['Payments, refunds, disputes and Stripe fees per period', 'Net cash'],
  },
  {
    path: 'customers',
    title: 'Customers',
    subject: 'your customers',
    description: 'Every customer, their subscriptions and how their revenue changed.',
    shows: ['Search, sort and paging', 'Each customer’s MRR timeline, subscriptions and invoices'],
  },
  {
    path: 'plans',
    title: 'Plans',
    subject: 'revenue by plan',
    description: 'Which plans your revenue comes from.',
    shows: ['MRR and customers per plan', 'Movements between plans'],
  },
];
