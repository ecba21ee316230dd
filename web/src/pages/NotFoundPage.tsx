import { Link, isRouteErrorResponse, useRouteError } from 'react-router';
import { usePageTitle } from '../components/PageHeader.js';

/** `inShell`: rendered inside the app layout, which already provides the <main> landmark. */
export function NotFoundPage({ inShell = false }: { inShell?: boolean }) {
  usePageTitle('Page not found');
  const body = (
    <div className="card narrow">
      <h1>Page not found</h1>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <Link className="btn btn-primary" to="/">
        Go to Mowt
      </Link>
    </div>
  );
  return inShell ? (
    <div className="page">{body}</div>
  ) : (
    <main id="main" className="full-page">
      {body}
    </main>
  );
}

/** Last line of defence for a rendering error: a calm message instead of a blank page. */
export function CrashPage() {
  const error = useRouteError();
  usePageTitle('Something went wrong');
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  return (
    <main id="main" className="full-page">
      <div className="card narrow" role="alert">
        <h1>Something went wrong</h1>
        <p>This page hit an unexpected problem. Reloading usually helps; if it keeps happening, tell us what you were doing.</p>
        <a className="btn btn-primary" href="/">
          Reload Mowt
        </a>
      </div>
    </main>
  );
}
