import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways on narrow screens. The scroll area is focusable and named so keyboard
 * users can scroll it too (axe: scrollable-region-focusable).
 */
export function DataTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </div>
  );
}
