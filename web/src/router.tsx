// Every address of the web app. Pages inside an organisation live under /orgs/:orgId so links can be
// shared between members and the organisation switcher keeps people on the same page.
import { Navigate, createBrowserRouter, type RouteObject } from 'react-router';
import { AppLayout } from './layout/AppLayout.js';
import { AcceptInvitePage } from './pages/auth/AcceptInvitePage.js';
import { ConfirmEmailChangePage } from './pages/auth/ConfirmEmailChangePage.js';
import { ForgotPasswordPage } from './pages/auth/ForgotPasswordPage.js';
import { RecoveryPage } from './pages/auth/RecoveryPage.js';
import { ResetPasswordPage } from './pages/auth/ResetPasswordPage.js';
import { SetupPage } from './pages/auth/SetupPage.js';
import { SignUpPage, WelcomePage } from './pages/auth/SignUpPage.js';
import { BillingPage } from './pages/settings/BillingPage.js';
import { ExchangeRatesPage } from './pages/settings/ExchangeRatesPage.js';
import { NotificationsPage } from './pages/settings/NotificationsPage.js';
import { NotificationsUnsubscribePage } from './pages/settings/NotificationsUnsubscribePage.js';
import { SignInPage } from './pages/auth/SignInPage.js';
import { TotpEnrolPage } from './pages/auth/TotpEnrolPage.js';
import { TotpVerifyPage } from './pages/auth/TotpVerifyPage.js';
import { VerifyEmailPage } from './pages/auth/VerifyEmailPage.js';
import { CustomerDetailPage } from './pages/dashboards/CustomerDetailPage.js';
import { DashboardPage } from './pages/dashboards/DashboardPage.js';
import { DASHBOARDS } from './pages/dashboards/dashboards.js';
import { HomeRedirect } from './pages/HomeRedirect.js';
import { CrashPage, NotFoundPage } from './pages/NotFoundPage.js';
import { AuditLogPage } from './pages/settings/AuditLogPage.js';
import { SecurityEventsPage } from './pages/settings/SecurityEventsPage.js';
import { StaffAccessPage } from './pages/settings/StaffAccessPage.js';
import { AcknowledgementsPage } from './pages/AcknowledgementsPage.js';
import { ApiTokensPage } from './pages/settings/ApiTokensPage.js';
import { DataPrivacyPage } from './pages/settings/DataPrivacyPage.js';
import { SecurityPage } from './pages/settings/SecurityPage.js';
import { SessionsPage } from './pages/settings/SessionsPage.js';
import { StripePage } from './pages/settings/StripePage.js';
import { TeamPage } from './pages/settings/TeamPage.js';

export const routes: RouteObject[] = [
  {
    errorElement: <CrashPage />,
    children: [
      { path: '/', element: <HomeRedirect /> },
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/sign-in/totp', element: <TotpVerifyPage /> },
      { path: '/sign-in/enrol', element: <TotpEnrolPage /> },
      { path: '/sign-in/recovery', element: <RecoveryPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
      { path: '/reset-password', element: <ResetPasswordPage /> },
      { path: '/invite', element: <AcceptInvitePage /> },
      { path: '/setup', element: <SetupPage /> },
      { path: '/sign-up', element: <SignUpPage /> },
      { path: '/unsubscribe', element: <NotificationsUnsubscribePage /> },
      { path: '/security/acknowledgements', element: <AcknowledgementsPage /> },
      { path: '/verify-email', element: <VerifyEmailPage /> },
      { path: '/confirm-email-change', element: <ConfirmEmailChangePage /> },
      {
        path: '/orgs/:orgId',
        element: <AppLayout />,
        children: [
          { index: true, element: <Navigate to="overview" replace /> },
          ...DASHBOARDS.map((d) => ({ path: d.path, element: <DashboardPage key={d.path} info={d} /> })),
          { path: 'customers/:customerId', element: <CustomerDetailPage /> },
          { path: 'settings', element: <Navigate to="security" replace /> },
          { path: 'settings/team', element: <TeamPage /> },
          { path: 'settings/audit-log', element: <AuditLogPage /> },
          { path: 'settings/security-events', element: <SecurityEventsPage /> },
          { path: 'settings/staff-access', element: <StaffAccessPage /> },
          { path: 'settings/api-tokens', element: <ApiTokensPage /> },
          { path: 'settings/data', element: <DataPrivacyPage /> },
          { path: 'settings/sessions', element: <SessionsPage /> },
          { path: 'settings/stripe', element: <StripePage /> },
          { path: 'settings/security', element: <SecurityPage /> },
          { path: 'settings/billing', element: <BillingPage /> },
          { path: 'settings/notifications', element: <NotificationsPage /> },
          { path: 'settings/exchange-rates', element: <ExchangeRatesPage /> },
          { path: 'welcome', element: <WelcomePage /> },
          { path: '*', element: <NotFoundPage inShell /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
