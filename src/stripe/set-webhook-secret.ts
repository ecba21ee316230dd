// Stores the signing secret of a webhook endpoint the Admin created in their own Stripe Dashboard for a
// restricted-key connection (POST /webhooks/stripe/:connection), encrypted under the 'stripe' key.
import { appendAudit } from '../audit/index.js';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { auditActor, type Actor } from './audit-context.js';
import { findConnection } from './connections.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';

export interface SetWebhookSecretInput extends Actor {
  orgId: string;
  connectionId: string;
  secret: string;
}

export async function setWebhookSecret(deps: StripeDeps, input: SetWebhookSecretInput): Promise<{ endpointPath: string }> {
  const secret = input.secret.trim();
  if (!/^whsec_[A-Za-z0-9_]{8,}$/.test(secret)) throw new HttpProblem(400, 'Expected a webhook signing secret starting with whsec_.');
  const now = deps.clock();
  await withOrg(deps.db, input.orgId, async (tx) => {
    const connection = await findConnection(tx, input.connectionId);
    if (!connection) throw new HttpProblem(404, 'Stripe connection not found');
    if (connection.kind !== 'restricted_key') throw new HttpProblem(400, 'Stripe App connections receive events at the app-wide endpoint.');
    await tx.updateTable('stripe_connections').set({
      webhook_secret_encrypted: await deps.crypto.encryptField(input.orgId, tokenPlace(input.connectionId, 'webhook_secret_encrypted'), secret, tx),
      updated_at: now,
    }).where('id', '=', input.connectionId).execute();
    await appendAudit(tx, {
      orgId: input.orgId, actor: auditActor(input), action: 'stripe.webhook_secret_set', target: { type: 'stripe_connection', id: input.connectionId },
      ip: input.ip ?? null, userAgent: input.userAgent ?? null, at: now,
    });
  });
  return { endpointPath: `/webhooks/stripe/${input.connectionId}` };
}
