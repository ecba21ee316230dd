// The backend is built alongside this app; these readers accept the shapes the contract allows (a bare
// array or an object holding one, camelCase field variants) so a small difference in naming degrades to
// a blank cell rather than a crash.
import { parseRole } from '../app/roles.js';
import type { AuditEntry, AuditPage, Invite, Me, Member, OrgMembership, Session } from './types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function pick(o: Obj, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(o[k]);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** The list inside `data`: the data itself when it is an array, else the first array under one of `keys`. */
export function listFrom(data: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(data)) return data;
  if (isObj(data)) {
    for (const k of [...keys, 'items', 'data']) {
      const v = data[k];
      if (Array.isArray(v)) return v;
    }
  }
  return [];
}

export function readMe(data: unknown): Me {
  const d = isObj(data) ? data : {};
  const u = isObj(d.user) ? d.user : {};
  const orgs = listFrom(d.orgs).flatMap((o): OrgMembership[] => {
    if (!isObj(o)) return [];
    const id = pick(o, 'id', 'orgId');
    const role = parseRole(o.role);
    return id && role ? [{ id, name: pick(o, 'name') ?? 'Unnamed organisation', role }] : [];
  });
  return { user: { id: pick(u, 'id') ?? '', email: pick(u, 'email') ?? '', name: pick(u, 'name') ?? null }, orgs };
}

export function readMembers(data: unknown): Member[] {
  return listFrom(data, 'members').flatMap((m): Member[] => {
    if (!isObj(m)) return [];
    const user = isObj(m.user) ? m.user : {};
    const userId = pick(m, 'userId', 'id') ?? pick(user, 'id');
    const role = parseRole(m.role);
    if (!userId || !role) return [];
    return [
      {
        userId,
        email: pick(m, 'email') ?? pick(user, 'email') ?? '',
        name: pick(m, 'name') ?? pick(user, 'name') ?? null,
        role,
        joinedAt: pick(m, 'joinedAt', 'createdAt'),
      },
    ];
  });
}

export function readInvites(data: unknown): Invite[] {
  return listFrom(data, 'invites').flatMap((i): Invite[] => {
    if (!isObj(i)) return [];
    const id = pick(i, 'id', 'inviteId');
    const role = parseRole(i.role);
    if (!id || !role) return [];
    return [{ id, email: pick(i, 'email') ?? '', role, expiresAt: pick(i, 'expiresAt'), createdAt: pick(i, 'createdAt') }];
  });
}

export function readSessions(data: unknown): Session[] {
  return listFrom(data, 'sessions').flatMap((s): Session[] => {
    if (!isObj(s)) return [];
    const id = pick(s, 'id', 'sessionId');
    if (!id) return [];
    return [
      {
        id,
        current: s.current === true || s.isCurrent === true,
        createdAt: pick(s, 'createdAt'),
        lastSeenAt: pick(s, 'lastSeenAt', 'lastUsedAt', 'lastActiveAt', 'updatedAt'),
        ip: pick(s, 'ip', 'ipAddress'),
        userAgent: pick(s, 'userAgent', 'ua'),
      },
    ];
  });
}

function readActor(e: Obj): { actor: string; actorId: string | null } {
  if (isObj(e.actor)) return { actor: pick(e.actor, 'email', 'name', 'id') ?? '', actorId: pick(e.actor, 'id') ?? null };
  const actorId = pick(e, 'actorId') ?? null;
  const type = pick(e, 'actorType');
  const label = pick(e, 'actorEmail', 'actor') ?? actorId;
  if (type && type !== 'user') return { actor: label ? `${capitalise(type)} (${label})` : capitalise(type), actorId };
  return { actor: label ?? 'System', actorId };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function readTarget(e: Obj): string {
  if (isObj(e.target)) {
    const t = e.target;
    const kind = pick(t, 'type', 'kind');
    const label = pick(t, 'email', 'name', 'id');
    return [kind, label].filter(Boolean).join(' ');
  }
  const direct = pick(e, 'target');
  if (direct) return direct;
  return [pick(e, 'targetType'), pick(e, 'targetId')].filter(Boolean).join(' ');
}

export function readAuditPage(data: unknown): AuditPage {
  const entries = listFrom(data, 'entries', 'events').flatMap((e, index): AuditEntry[] => {
    if (!isObj(e)) return [];
    const result = e.result ?? e.outcome ?? e.success;
    return [
      {
        id: pick(e, 'id', 'seq', 'hash') ?? String(index),
        at: pick(e, 'at', 'createdAt', 'time', 'occurredAt', 'timestamp') ?? '',
        ...readActor(e),
        action: pick(e, 'action') ?? '',
        target: readTarget(e),
        ip: pick(e, 'ip', 'ipAddress') ?? '',
        userAgent: pick(e, 'userAgent', 'ua') ?? '',
        result: typeof result === 'boolean' ? (result ? 'success' : 'failure') : (str(result) ?? ''),
      },
    ];
  });
  const d = isObj(data) ? data : {};
  return { entries, nextCursor: pick(d, 'nextBefore', 'nextCursor', 'cursor') ?? null };
}
