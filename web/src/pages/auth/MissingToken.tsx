import { Link } from 'react-router';
import { AuthLayout } from './AuthLayout.js';

/** Links from emails carry a token; without one the page can do nothing useful. */
export function MissingToken({ title, what }: { title: string; what: string }) {
  return (
    <AuthLayout title={title}>
      <div className="alert alert-error" role="alert">
        This link is incomplete. Open the {what} link from your email again, or copy the whole address into the browser.
      </div>
      <p className="form-links">
        <Link to="/sign-in">Go to sign in</Link>
      </p>
    </AuthLayout>
  );
}
