import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Me } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { orgPath } from './nav-items.js';
import { useSignOut } from './use-sign-out.js';

function initials(name: string | null, email: string): string {
  const source = name?.trim() || email;
  const parts = source.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (name && parts[1] ? parts[1][0] : '')).toUpperCase() || '?';
}

/** A disclosure (button + list of links), closed by Escape or a click elsewhere. */
export function UserMenu({ user, orgId }: { user: Me['user']; orgId: string }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const signOut = useSignOut();

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div className="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.name, user.email)}
        </span>
        <span className="user-menu-name">{user.name || user.email}</span>
        <span className="visually-hidden">Account menu</span>
        <Icon name="chevron" size={16} />
      </button>
      <div id={menuId} className="user-menu-panel" hidden={!open}>
        <p className="user-menu-identity">
          <span className="user-menu-identity-name">{user.name || 'Signed in as'}</span>
          <span className="user-menu-identity-email">{user.email}</span>
        </p>
        <ul>
          <li>
            <Link to={orgPath(orgId, 'settings/security')} onClick={() => setOpen(false)}>
              Security and 2FA
            </Link>
          </li>
          <li>
            <Link to={orgPath(orgId, 'settings/sessions')} onClick={() => setOpen(false)}>
              Sessions
            </Link>
          </li>
          <li>
            <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              <Icon name="signOut" size={16} />
              {signOut.isPending ? 'Signing out…' : 'Sign out'}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
