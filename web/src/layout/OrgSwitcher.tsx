import { useLocation, useNavigate } from 'react-router';
import type { OrgMembership } from '../api/types.js';
import { ROLE_LABELS } from '../app/roles.js';
import { switchOrgPath } from './nav-items.js';

export function OrgSwitcher({ orgs, current }: { orgs: OrgMembership[]; current: OrgMembership }) {
  const navigate = useNavigate();
  const location = useLocation();
  if (orgs.length < 2) {
    return (
      <div className="org-switcher org-switcher-single">
        <span className="org-name">{current.name}</span>
        <span className="badge">{ROLE_LABELS[current.role]}</span>
      </div>
    );
  }
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher" className="visually-hidden">
        Organisation
      </label>
      <select id="org-switcher" value={current.id} onChange={(e) => void navigate(switchOrgPath(location.pathname, e.target.value))}>
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({ROLE_LABELS[o.role]})
          </option>
        ))}
      </select>
    </div>
  );
}
