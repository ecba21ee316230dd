// "Download CSV" for a table or chart series. Only for roles with exports.create (Admin, Member): the
// server refuses Viewers anyway (403, audited), so they are not offered a button that cannot work.
import { can } from '../../app/roles.js';
import { useOrgContext } from '../../layout/org-context.js';
import { exportUrl, type ExportDataset } from './metrics-api.js';

export function ExportLink({ dataset, query, label }: { dataset: ExportDataset; query: string; label: string }) {
  const { org } = useOrgContext();
  if (!can(org.role, 'export')) return null;
  // A plain link: the server answers with Content-Disposition: attachment, so the browser downloads it
  // with the session cookie and no script has to hold the file in memory.
  return (
    <a className="btn btn-secondary btn-small" href={exportUrl(org.id, dataset, query)} download aria-label={`Download ${label} as CSV`}>
      Download CSV
    </a>
  );
}
