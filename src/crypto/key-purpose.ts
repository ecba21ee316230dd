// What a key protects. Each purpose has its own key-encryption key per scope, so Stripe credentials never
// share a wrapping key with customer data, and the blind-index key is never used to encrypt.
export const KEY_PURPOSES = ['data', 'stripe', 'index', 'backup'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Purposes whose keys encrypt field values (and so appear in ciphertexts and get re-encrypted). */
export type FieldPurpose = Exclude<KeyPurpose, 'index'>;

/** One letter per field purpose, stored in the ciphertext text so SQL can filter values by purpose/version. */
export const PURPOSE_CODE: Record<FieldPurpose, string> = { data: 'd', stripe: 's', backup: 'b' };
export const CODE_PURPOSE: Record<string, FieldPurpose> = { d: 'data', s: 'stripe', b: 'backup' };

/** A scope is an organisation id (lower-case uuid) or 'system' for data no single organisation owns. */
export type Scope = string;
export const SYSTEM_SCOPE = 'system';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Maps the public orgId|null to a scope, rejecting anything that is not a uuid (ids end up in file names). */
export function scopeOf(orgId: string | null): Scope {
  if (orgId === null) return SYSTEM_SCOPE;
  if (!UUID.test(orgId)) throw new TypeError('an organisation id must be a uuid (or null for the system scope)');
  return orgId.toLowerCase();
}

/** The database's org_id for a scope: NULL marks system rows. */
export function orgIdOf(scope: Scope): string | null {
  return scope === SYSTEM_SCOPE ? null : scope;
}

export function isFieldPurpose(p: KeyPurpose): p is FieldPurpose {
  return p !== 'index';
}
