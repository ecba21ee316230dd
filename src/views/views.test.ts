// Saved views and chart annotations through the real app (createApp: sessions, CSRF, 2FA, permission hook,
// RLS, field encryption) on PGlite and PostgreSQL: CRUD, validation, role limits, auditing, and that what
// people type is stored only as ciphertext.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newOrg, startTeamsApp, type SignedIn, type TeamsApp, type TestOrg } from '../../test/security/support.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../../test/helpers/databases.js';
import { withOrg } from '../db/tenant.js';
import { normaliseFilters } from './view-definition.js';
import { shapeReport } from '../../test/helpers/schema-shape.js';
import { AnnotationAnswerSchema, AnnotationListSchema, ViewAnswerSchema, ViewListSchema } from './views-schemas.js';

describe('normaliseFilters', () => {
  it('upper-cases codes, sorts and de-duplicates, drops empty lists, trims metadata', () => {
    expect(
      normaliseFilters({
        plans: ['price_b', 'price_a', 'price_b'],
        currencies: ['usd', 'EUR'],
        countries: [],
        billingIntervals: ['year', 'month', 'year'],
        metadata: [
          { key: ' tier ', value: 'gold' },
          { key: 'tier', value: 'gold ' },
          { key: 'region', value: 'eu' },
        ],
      }),
    ).toEqual({
      filters: {
        plans: ['price_a', 'price_b'],
        currencies: ['EUR', 'USD'],
        billingIntervals: ['month', 'year'],
        metadata: [
          { key: 'region', value: 'eu' },
          { key: 'tier', value: 'gold' },
        ],
      },
    });
  });
  it('refuses metadata that is blank or carries control characters', () => {
    expect(normaliseFilters({ metadata: [{ key: '   ', value: 'x' }] })).toHaveProperty('error');
    expect(normaliseFilters({ metadata: [{ key: 'k', value: 'a\u0007b' }] })).toHaveProperty('error');
  });
});

describe.each(DB_KINDS)('saved views and annotations on %s', (kind) => {
  let t: TestDatabase;
  let app: TeamsApp;
  let org: TestOrg;
  let member: SignedIn;
  let viewer: SignedIn;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    app = await startTeamsApp(t.db);
    org = await newOrg(app, 'Views Ltd');
    member = await newMember(app, org.id, 'member');
    viewer = await newMember(app, org.id, 'viewer');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.dispose();
  });

  const base = () => `/api/orgs/${org.id}`;

  async function auditActions(): Promise<{ action: string; target_id: string | null; actor_id: string | null; metadata: unknown }[]> {
    return withOrg(app.db, org.id, (tx) =>
      tx.selectFrom('audit_log').select(['action', 'target_id', 'actor_id', 'metadata']).where('action', 'like', '%.%').orderBy('seq').execute(),
    );
  }

  it('lets a Member save, rename and delete a view that the whole team (a Viewer too) sees', async () => {
    const created = await member.browser.post(`${base()}/views`, {
      name: '  Enterprise   EU ',
      filters: { plans: ['price_ent'], countries: ['de', 'FR'], metadata: [{ key: 'segment', value: 'Globex Corporation' }] },
    });
    expect(created.statusCode).toBe(201);
    expect(shapeReport(ViewAnswerSchema, created.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    // Named here too: a field dropped from the schema would vanish from the answer and the check alike.
    expect(Object.keys((created.json() as { view: object }).view).sort()).toEqual(['createdAt', 'createdBy', 'filters', 'id', 'name', 'updatedAt']);
    const view = (created.json() as { view: { id: string; name: string; filters: unknown; createdBy: string } }).view;
    expect(view).toMatchObject({ name: 'Enterprise EU', filters: { plans: ['price_ent'], countries: ['DE', 'FR'], metadata: [{ key: 'segment', value: 'Globex Corporation' }] }, createdBy: member.id });

    // Stored only as ciphertext: neither the name nor a metadata value is readable in the row.
    const raw = await sql<{ row: string }>`select to_jsonb(v)::text as row from saved_views v where id = ${view.id}`.execute(app.db.owner);
    expect(raw.rows[0]?.row).not.toContain('Enterprise');
    expect(raw.rows[0]?.row).not.toContain('Globex');
    expect(raw.rows[0]?.row).toMatch(/mw1:/);

    const listed = await viewer.browser.request('GET', `${base()}/views`);
    expect(listed.statusCode).toBe(200);
    expect(shapeReport(ViewListSchema, listed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((listed.json() as { views: { id: string; name: string }[] }).views.map((v) => v.name)).toEqual(['Enterprise EU']);

    const renamed = await member.browser.request('PATCH', `${base()}/views/${view.id}`, { body: { name: 'EU enterprise' } });
    expect(renamed.statusCode).toBe(200);
    expect(shapeReport(ViewAnswerSchema, renamed.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((renamed.json() as { view: { name: string; filters: { plans: string[] } } }).view).toMatchObject({ name: 'EU enterprise', filters: { plans: ['price_ent'] } });

    const deleted = await org.admin.browser.request('DELETE', `${base()}/views/${view.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await member.browser.request('DELETE', `${base()}/views/${view.id}`)).statusCode).toBe(404);
    expect(((await viewer.browser.request('GET', `${base()}/views`)).json() as { views: unknown[] }).views).toEqual([]);

    const audit = (await auditActions()).filter((a) => a.action.startsWith('view.'));
    expect(audit.map((a) => [a.action, a.target_id])).toEqual([
      ['view.created', view.id],
      ['view.updated', view.id],
      ['view.deleted', view.id],
    ]);
    // The audit names the kinds of filter, never their values.
    expect(JSON.stringify(audit)).not.toContain('Globex');
    expect(audit[0]?.metadata).toEqual({ filters: ['countries', 'metadata', 'plans'] });
  });

  it('refuses bad input with problem+json field errors', async () => {
    const cases: [string, unknown][] = [
      ['missing name', { filters: {} }],
      ['empty name', { name: '', filters: {} }],
      ['unknown filter', { name: 'x', filters: { colour: ['red'] } }],
      ['bad currency', { name: 'x', filters: { currencies: ['dollars'] } }],
      ['bad interval', { name: 'x', filters: { billingIntervals: ['fortnight'] } }],
      ['long metadata key', { name: 'x', filters: { metadata: [{ key: 'k'.repeat(41), value: 'v' }] } }],
      ['too many metadata pairs', { name: 'x', filters: { metadata: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } }],
    ];
    for (const [label, body] of cases) {
      const res = await member.browser.post(`${base()}/views`, body);
      expect(res.statusCode, label).toBe(400);
      expect(res.headers['content-type'], label).toMatch(/application\/problem\+json/);
    }
    const blank = await member.browser.post(`${base()}/views`, { name: '   ', filters: {} });
    expect(blank.statusCode).toBe(422);
    expect((blank.json() as { errors: { field: string }[] }).errors[0]?.field).toBe('name');
    expect((await member.browser.request('PATCH', `${base()}/views/not-a-uuid`, { body: { name: 'x' } })).statusCode).toBe(400);
    expect((await member.browser.request('PATCH', `${base()}/views/${crypto.randomUUID()}`, { body: {} })).statusCode).toBe(400);
    expect((await member.browser.request('PATCH', `${base()}/views/${crypto.randomUUID()}`, { body: { name: 'x' } })).statusCode).toBe(404);
  });

  it('keeps Viewers to reading: no saving views or annotating (403, audited as denied)', async () => {
    const view = await viewer.browser.post(`${base()}/views`, { name: 'Mine', filters: {} });
    expect(view.statusCode).toBe(403);
    const note = await viewer.browser.post(`${base()}/annotations`, { date: '2026-03-01', label: 'Price change' });
    expect(note.statusCode).toBe(403);
    const denied = (await auditActions()).filter((a) => a.action === 'access.denied' && a.actor_id === viewer.id);
    expect(denied.length).toBe(2);
  });

  it('lets a Member annotate a day, edit and delete it; lists by date range, oldest first', async () => {
    const made: string[] = [];
    for (const [date, label] of [
      ['2026-03-01', 'Price change'],
      ['2025-12-24', 'Holiday promo'],
      ['2026-06-15', 'Launched annual plans'],
    ] as const) {
      const res = await member.browser.post(`${base()}/annotations`, { date, label, note: 'Pro went from £29 to £39.\nGrandfathered existing customers.' });
      expect(res.statusCode).toBe(201);
      expect(shapeReport(AnnotationAnswerSchema, res.json())).toEqual({ errors: [], keys: [], unchecked: [] });
      expect(Object.keys((res.json() as { annotation: object }).annotation).sort()).toEqual(['createdAt', 'createdBy', 'date', 'id', 'label', 'note', 'updatedAt']);
      made.push((res.json() as { annotation: { id: string } }).annotation.id);
    }
    const all = await viewer.browser.request('GET', `${base()}/annotations`);
    expect(shapeReport(AnnotationListSchema, all.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((all.json() as { annotations: { date: string; label: string }[] }).annotations.map((a) => [a.date, a.label])).toEqual([
      ['2025-12-24', 'Holiday promo'],
      ['2026-03-01', 'Price change'],
      ['2026-06-15', 'Launched annual plans'],
    ]);
    const ranged = await viewer.browser.request('GET', `${base()}/annotations?from=2026-01-01&to=2026-03-01`);
    expect((ranged.json() as { annotations: { label: string; note: string }[] }).annotations).toMatchObject([
      { label: 'Price change', note: 'Pro went from £29 to £39.\nGrandfathered existing customers.' },
    ]);
    expect((await viewer.browser.request('GET', `${base()}/annotations?from=2026-04-01&to=2026-03-01`)).statusCode).toBe(400);
    expect((await viewer.browser.request('GET', `${base()}/annotations?from=yesterday`)).statusCode).toBe(400);

    const moved = await member.browser.request('PATCH', `${base()}/annotations/${made[0]}`, { body: { date: '2026-03-02', label: 'Price rise' } });
    expect(moved.statusCode).toBe(200);
    expect(shapeReport(AnnotationAnswerSchema, moved.json())).toEqual({ errors: [], keys: [], unchecked: [] });
    expect((moved.json() as { annotation: unknown }).annotation).toMatchObject({ date: '2026-03-02', label: 'Price rise', note: expect.stringContaining('£39') });
    expect((await member.browser.request('PATCH', `${base()}/annotations/${made[0]}`, { body: { date: '2026-02-30' } })).statusCode).toBe(422);

    const raw = await sql<{ row: string }>`select to_jsonb(a)::text as row from chart_annotations a where id = ${made[0]}`.execute(app.db.owner);
    expect(raw.rows[0]?.row).not.toContain('Price');
    expect(raw.rows[0]?.row).toContain('2026-03-02');

    expect((await org.admin.browser.request('DELETE', `${base()}/annotations/${made[1]}`)).statusCode).toBe(204);
    expect((await org.admin.browser.request('DELETE', `${base()}/annotations/${made[1]}`)).statusCode).toBe(404);
    const audit = (await auditActions()).filter((a) => a.action.startsWith('annotation.'));
    expect(audit.map((a) => a.action)).toEqual(['annotation.created', 'annotation.created', 'annotation.created', 'annotation.updated', 'annotation.deleted']);
    expect(audit[3]?.metadata).toEqual({ fields: ['date', 'label'], date: { from: '2026-03-01', to: '2026-03-02' } });
  });

  it('never shows one organisation’s views or annotations to another, even by id', async () => {
    const other = await newOrg(app, 'Other Ltd');
    const theirs = await other.admin.browser.post(`/api/orgs/${other.id}/views`, { name: 'Secret segment', filters: {} });
    const theirId = (theirs.json() as { view: { id: string } }).view.id;
    expect((await org.admin.browser.request('PATCH', `${base()}/views/${theirId}`, { body: { name: 'stolen' } })).statusCode).toBe(404);
    expect((await org.admin.browser.request('DELETE', `${base()}/views/${theirId}`)).statusCode).toBe(404);
    expect(JSON.stringify((await org.admin.browser.request('GET', `${base()}/views`)).json())).not.toContain('Secret segment');
    const still = await other.admin.browser.request('GET', `/api/orgs/${other.id}/views`);
    expect((still.json() as { views: { name: string }[] }).views.map((v) => v.name)).toEqual(['Secret segment']);
  });
});
