import type { ReactNode } from 'react';
import { usePageTitle } from '../../components/PageHeader.js';

/** The calm, centred frame of every page used before someone is fully signed in. */
export function AuthLayout({ title, intro, children, footer }: { title: string; intro?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  usePageTitle(title);
  return (
    <div className="auth">
      <header className="auth-brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Mowt</span>
      </header>
      <main id="main" className="auth-card">
        <h1>{title}</h1>
        {intro ? <div className="auth-intro">{intro}</div> : null}
        {children}
      </main>
      {footer ? <footer className="auth-footer">{footer}</footer> : null}
    </div>
  );
}
