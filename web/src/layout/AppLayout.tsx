import { useEffect, useState, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useParams } from 'react-router';
import { Icon } from '../components/Icon.js';
import { ErrorState, LoadingState } from '../components/States.js';
import { rememberOrg, useMe } from '../app/use-me.js';
import { orgPath } from './nav-items.js';
import type { OrgContext } from './org-context.js';
import { OrgSwitcher } from './OrgSwitcher.js';
import { SideNav } from './SideNav.js';
import { UserMenu } from './UserMenu.js';
import { PlanBanner } from './PlanBanner.js';
import { usePageTitle } from '../components/PageHeader.js';

const NAV_ID = 'side-nav';

/** The signed-in frame: top bar, side navigation and the page. Everything below needs /api/me. */
export function AppLayout() {
  const { orgId } = useParams();
  const me = useMe();
  const location = useLocation();
  const [navOpen, setNavOpen] = useState(false);

  // A phone's menu closes once a page is chosen.
  useEffect(() => setNavOpen(false), [location.pathname]);

  const org = me.data?.orgs.find((o) => o.id === orgId);
  useEffect(() => {
    if (org) rememberOrg(org.id);
  }, [org]);

  if (me.isPending) return <FullPage><LoadingState label="Loading your account…" /></FullPage>;
  if (me.isError) return <FullPage><ErrorState error={me.error} onRetry={() => void me.refetch()} title="Your account could not be loaded" /></FullPage>;
  if (!org) return <UnknownOrg orgs={me.data.orgs} />;

  const context: OrgContext = { me: me.data, org };
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="topbar-menu-button"
          aria-expanded={navOpen}
          aria-controls={NAV_ID}
          onClick={() => setNavOpen((o) => !o)}
        >
          <Icon name={navOpen ? 'close' : 'menu'} />
          <span className="visually-hidden">{navOpen ? 'Close navigation' : 'Open navigation'}</span>
        </button>
        <Link to={orgPath(org.id)} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Mowt</span>
        </Link>
        <OrgSwitcher orgs={me.data.orgs} current={org} />
        <div className="topbar-spacer" />
        <UserMenu user={me.data.user} orgId={org.id} />
      </header>
      <div className="app-body">
        <SideNav id={NAV_ID} orgId={org.id} role={org.role} open={navOpen} />
        <main id="main" className="main" tabIndex={-1}>
          <PlanBanner orgId={org.id} isAdmin={org.role === 'admin'} />
          <Outlet context={context} />
        </main>
      </div>
    </div>
  );
}

function FullPage({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="full-page">
      {children}
    </main>
  );
}

function UnknownOrg({ orgs }: { orgs: { id: string; name: string }[] }) {
  usePageTitle('Organisation not found');
  return (
    <FullPage>
      <div className="card narrow">
        <h1>Organisation not found</h1>
        <p>This organisation does not exist, or you are not a member of it.</p>
        {orgs.length > 0 ? (
          <>
            <p>Your organisations:</p>
            <ul className="plain-list">
              {orgs.map((o) => (
                <li key={o.id}>
                  <Link to={orgPath(o.id)}>{o.name}</Link>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </FullPage>
  );
}
