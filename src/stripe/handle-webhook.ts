// Signed webhooks. The signature (HMAC-SHA256 over the raw body, compared in constant time by the SDK) and
// its timestamp (300 s tolerance) are checked before anything is parsed or stored. Stripe App (OAuth)
// events arrive at the app-wide endpoint and are routed by the event's `account`; a restricted-key
// connection has its own endpoint with the secret its Admin pasted. Replays are dropped by event id.
// An uninstall of the App in Stripe (account.application.deauthorized) retires the account's connections.
import Stripe from 'stripe';
import { withOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import { applyEvent, type ApplyOutcome } from './apply-event.js';
import type { StripeObject } from './client.js';
import { directoryByAccount, directoryByConnection, findConnection, type DirectoryEntry } from './connections.js';
import { openReader } from './open-reader.js';
import { tokenPlace, type StripeDeps } from './stripe-deps.js';
import { DEAUTHORIZED_EVENT, markUninstalled } from './uninstall.js';

export const WEBHOOK_TOLERANCE_SECONDS = 300;
const BAD_SIGNATURE = 'webhook signature verification failed';

export interface WebhookInput {
  rawBody: Buffer;
  signature: string | undefined;
  /** Set for the per-connection endpoint. */
  connectionId?: string;
}

export interface WebhookResult {
  received: true;
  outcomes: ApplyOutcome[];
}

function verify(deps: StripeDeps, input: WebhookInput, secret: string): StripeObject {
  if (!input.signature) throw new HttpProblem(400, BAD_SIGNATURE);
  try {
    // Milliseconds: the SDK divides by 1000 itself.
    const receivedAt = deps.clock().getTime();
    return Stripe.webhooks.constructEvent(input.rawBody, input.signature, secret, WEBHOOK_TOLERANCE_SECONDS, undefined, receivedAt) as unknown as StripeObject;
  } catch {
    throw new HttpProblem(400, BAD_SIGNATURE);
  }
}

const modeOf = (livemode: boolean) => (livemode ? 'live mode' : 'test mode');

async function deliver(deps: StripeDeps, target: DirectoryEntry, event: StripeObject): Promise<ApplyOutcome> {
  const reader = await openReader(deps, target.orgId, target.connectionId);
  return applyEvent(deps, target.orgId, target.connectionId, event, 'webhook', reader);
}

export async function handleWebhook(deps: StripeDeps, input: WebhookInput): Promise<WebhookResult> {
  if (input.connectionId !== undefined) {
    const entry = await directoryByConnection(deps.db, input.connectionId);
    // Unknown connection and connection without a secret look the same as a bad signature: no probing.
    if (!entry || entry.kind !== 'restricted_key') throw new HttpProblem(400, BAD_SIGNATURE);
    const connection = await withOrg(deps.db, entry.orgId, async (tx) => {
      const c = await findConnection(tx, entry.connectionId);
      return c?.webhook_secret_encrypted
        ? { livemode: c.livemode, secret: await deps.crypto.decryptField(entry.orgId, tokenPlace(entry.connectionId, 'webhook_secret_encrypted'), c.webhook_secret_encrypted, tx) }
        : null;
    });
    if (!connection) throw new HttpProblem(400, BAD_SIGNATURE);
    const event = verify(deps, input, connection.secret);
    const account = typeof event['account'] === 'string' ? event['account'] : null;
    if (account !== null && account !== entry.stripeAccountId) throw new HttpProblem(400, 'event is for another Stripe account');
    const livemode = event['livemode'] === true;
    if (livemode !== connection.livemode) throw new HttpProblem(400, `event is for ${modeOf(livemode)}; this connection reads ${modeOf(connection.livemode)}`);
    return { received: true, outcomes: [await deliver(deps, entry, event)] };
  }
  if (!deps.appWebhookSecret) throw new HttpProblem(503, 'the app-wide Stripe webhook is not configured');
  const event = verify(deps, input, deps.appWebhookSecret);
  const account = typeof event['account'] === 'string' ? event['account'] : null;
  if (!account) throw new HttpProblem(400, 'Stripe App events must name their account');
  // Several organisations may have installed the App on the same account; each gets the event, when its
  // connection reads the event's mode.
  const targets = await directoryByAccount(deps.db, account, 'oauth', event['livemode'] === true);
  if (event['type'] === DEAUTHORIZED_EVENT) {
    // Uninstalled in Stripe: there is no token left to read with, only the connections to retire.
    const outcomes: ApplyOutcome[] = [];
    for (const target of targets) outcomes.push(await markUninstalled(deps, target, event));
    return { received: true, outcomes };
  }
  const outcomes: ApplyOutcome[] = [];
  for (const target of targets) outcomes.push(await deliver(deps, target, event));
  return { received: true, outcomes };
}
