// Organisation repository and settings validation.
import type { Tx } from '../db/tenant.js';
import type { OrgSettings } from './teams-schemas.js';

export type { OrgSettings };

export async function getOrganisation(tx: Tx, orgId: string): Promise<OrgSettings | null> {
  const row = await tx.selectFrom('organisations').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    reportingCurrency: row.reporting_currency.trim(),
    timezone: row.timezone,
    dataRegion: row.data_region,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Organisation names: printable, 1–200 characters after trimming. */
export function cleanOrgName(name: string): string | null {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (trimmed.length < 1 || trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  return trimmed;
}

export function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz.length <= 64;
  } catch {
    return false;
  }
}

/** ISO 4217 codes Node knows (Intl), so a typo cannot become the reporting currency. */
export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && (Intl.supportedValuesOf('currency') as string[]).includes(code);
}
