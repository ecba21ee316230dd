import { NavLink } from 'react-router';
import type { Role } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { navFor, orgPath } from './nav-items.js';

export function SideNav({ id, orgId, role, open }: { id: string; orgId: string; role: Role; open: boolean }) {
  return (
    <nav id={id} className="sidenav" aria-label="Main" data-open={open ? 'true' : 'false'}>
      {navFor(role).map((group) => (
        <div className="sidenav-group" key={group.label}>
          <h2 className="sidenav-heading">{group.label}</h2>
          <ul>
            {group.items.map((item) => (
              <li key={item.path}>
                <NavLink to={orgPath(orgId, item.path)} className="sidenav-link">
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
