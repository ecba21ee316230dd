// Connects a Stripe account by a pasted restricted key (rk_…). Secret keys (sk_…) are refused: they can
// create charges and refunds, and Mowt must never hold anything that can. The key is proven to work with
// read calls before anything is saved; it is stored only encrypted under the 'stripe' key.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import { maskToken, type StripeReader } from './client.js';
import { connectionExistsFor, insertConnection } from './connections.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';

export const SECRET_KEY_REFUSED =
  'This is a secret key (sk_…). It can create charges, refunds and payouts, so Mowt does not accept it. ' +
  'In the Stripe Dashboard create a restricted key with read-only permissions and paste that (rk_…).';

export function checkRestrictedKeyShape(key: string): void {
  if (/^sk_(test|live)_/.test(key)) throw new HttpProblem(400, SECRET_KEY_REFUSED);
  if (/^pk_(test|live)_/.test(key)) throw new HttpProblem(400, 'This is a publishable key; paste a read-only restricted key (rk_…).');
  if (!/^rk_(test|live)_[A-Za-z0-9_]{8,}$/.test(key)) throw new HttpProblem(400, 'Expected a Stripe restricted key starting with rk_test_ or rk_live_.');
}

export interface ConnectInput extends Actor {
  orgId: string;
  restrictedKey: string;
  label?: string;
  isDemo?: boolean;
}

/** Proves a pasted key reads (the account, one customer) before anything is stored; answers its account. */
export async function checkKeyReads(deps: StripeDeps, key: string, orgId: string): Promise<Awaited<ReturnType<StripeReader['account']>>> {
  checkRestrictedKeyShape(key);
  const reader = deps.readerFor(key, `validate:${orgId}`);
  try {
    const account = await reader.account();
    await reader.list('customers', { limit: 1 });
    return account;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) throw new HttpProblem(400, 'Stripe did not accept this key for reading (check that it is active and has read permissions).');
    throw new HttpProblem(503, 'Stripe could not be reached to check the key; try again.');
  }
}

export async function connectRestrictedKey(deps: StripeDeps, input: ConnectInput): Promise<{ connectionId: string }> {
  const key = input.restrictedKey.trim();
  const account = await checkKeyReads(deps, key, input.orgId);
  const now = deps.clock();
  const connectionId = await withOrg(deps.db, input.orgId, async (tx) => {
    if (await connectionExistsFor(tx, account.id, account.livemode)) throw new HttpProblem(409, 'This Stripe account is already connected.');
    const id = await insertConnection(tx, {
      orgId: input.orgId, kind: 'restricted_key', stripeAccountId: account.id, livemode: account.livemode, accountCreated: account.created,
      label: input.label ?? account.name ?? account.id, isDemo: input.isDemo, tokenMasked: maskToken(key), createdBy: input.userId, now,
    });
    const tokenEncrypted = await deps.crypto.encryptField(input.orgId, tokenPlace(id, 'token_encrypted'), key, tx);
    await tx.updateTable('stripe_connections').set({ token_encrypted: tokenEncrypted }).where('id', '=', id).execute();
    await appendAudit(tx, {
      orgId: input.orgId, actor: auditActor(input), action: 'stripe.connected', target: { type: 'stripe_connection', id },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
      metadata: { kind: 'restricted_key', stripe_account_id: account.id, livemode: account.livemode, demo: input.isDemo === true },
    });
    return id;
  });
  deps.requestSync(input.orgId, connectionId);
  return { connectionId };
}
