import { describe, expect, it } from 'vitest';
import { auditQuery, localDayStart } from './endpoints.js';
import { readAuditPage, readMe, readMembers, readSessions } from './normalise.js';

describe('reading API responses', () => {
  it('reads /api/me and drops memberships with an unknown role', () => {
    expect(
      readMe({
        user: { id: 'u1', email: 'a@b.c', name: 'Ada', emailVerified: true },
        orgs: [
          { id: 'o1', name: 'Acme', role: 'admin' },
          { id: 'o2', name: 'Beta', role: 'Viewer' },
          { id: 'o3', name: 'Gamma', role: 'owner' },
        ],
      }),
    ).toEqual({
      user: { id: 'u1', email: 'a@b.c', name: 'Ada' },
      orgs: [
        { id: 'o1', name: 'Acme', role: 'admin' },
        { id: 'o2', name: 'Beta', role: 'viewer' },
      ],
    });
  });

  it('accepts a bare array or a wrapped list', () => {
    const m = { userId: 'u1', name: 'Ada', email: 'a@b.c', role: 'member', joinedAt: '2026-01-01T00:00:00.000Z' };
    expect(readMembers([m])).toEqual(readMembers({ members: [m] }));
    expect(readMembers({ members: [m] })[0]?.role).toBe('member');
    expect(readSessions({ sessions: [{ id: 's', current: true, lastSeenAt: 'x' }] })).toEqual([
      { id: 's', current: true, createdAt: undefined, lastSeenAt: 'x', ip: undefined, userAgent: undefined },
    ]);
  });

  it('reads audit entries as the audit slice returns them', () => {
    const page = readAuditPage({
      entries: [
        { id: 'e1', seq: 2, occurredAt: '2026-11-25T10:00:00.000Z', actorType: 'user', actorId: 'u1', action: 'member.invite', targetType: 'invite', targetId: 'i1', result: 'success', ip: '127.0.0.1', userAgent: 'UA' },
        { id: 'e0', seq: 1, occurredAt: '2026-11-25T09:00:00.000Z', actorType: 'system', actorId: 'operator', action: 'org.create', targetType: null, targetId: null, result: 'success', ip: null, userAgent: null },
      ],
      nextBefore: 1,
    });
    expect(page.nextCursor).toBe('1');
    expect(page.entries.map((e) => [e.actor, e.actorId, e.target, e.at])).toEqual([
      ['u1', 'u1', 'invite i1', '2026-11-25T10:00:00.000Z'],
      ['System (operator)', 'operator', '', '2026-11-25T09:00:00.000Z'],
    ]);
  });

  it('builds audit queries from local calendar days, with an inclusive end day', () => {
    const from = new Date(2026, 10, 1).toISOString();
    const to = new Date(2026, 11, 1).toISOString();
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
    expect(auditQuery({ actor: 'u1', from: '2026-11-01', to: '2026-11-30' }, { format: 'csv' })).toBe(
      `?actor=u1&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=csv`,
    );
    expect(auditQuery({})).toBe('');
  });
});
