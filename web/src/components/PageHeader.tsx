import { useEffect, useRef, type ReactNode } from 'react';

// The first page shown keeps focus where the browser put it; after a client-side navigation focus moves
// to the new page's heading so screen-reader users hear where they arrived.
let firstPageShown = false;

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Mowt`;
  }, [title]);
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  usePageTitle(title);
  useEffect(() => {
    if (firstPageShown) heading.current?.focus();
    firstPageShown = true;
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
