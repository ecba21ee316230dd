// Loading, empty, error and no-access states, so every page says what is going on in the same way.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { describeError } from '../api/problem.js';

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <h2 className="state-title">{title}</h2>
      {children ? <div className="state-body">{children}</div> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'This could not be loaded' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      <h2 className="state-title">{title}</h2>
      <p className="state-body">{describeError(error)}</p>
      {onRetry ? (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function NoAccess({ what, backTo }: { what: string; backTo: string }) {
  return (
    <div className="state state-no-access">
      <h2 className="state-title">You don’t have access to {what}</h2>
      <p className="state-body">Your role in this organisation does not include it. Ask an Admin of the organisation if you need it.</p>
      <Link className="btn btn-secondary" to={backTo}>
        Back to Overview
      </Link>
    </div>
  );
}
