// Self-serve accounts open no organisation data until their address is confirmed (2FA is already required
// of everyone by the auth plugin). Checked on every permission route after the role check; accounts made by
// an operator or through an emailed invite are not sign-up accounts and are not affected.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.js';
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';

export const EMAIL_VERIFICATION_REQUIRED = 'email_verification_required';

export async function unverifiedSignup(db: Db, userId: string): Promise<boolean> {
  const row = await withoutOrg(db, (tx) =>
    tx
      .selectFrom('signup_accounts')
      .innerJoin('users', 'users.id', 'signup_accounts.user_id')
      .select('users.email_verified_at')
      .where('signup_accounts.user_id', '=', userId)
      .executeTakeFirst(),
  );
  return row !== undefined && row.email_verified_at === null;
}

export function verificationGate(deps: { db: Db }) {
  return fp(
    async (app: FastifyInstance) => {
      app.addHook('preValidation', async (request) => {
        if (!request.org || !request.auth) return;
        if (await unverifiedSignup(deps.db, request.auth.userId)) {
          throw new HttpProblem(403, 'confirm your email address first: we sent you a link', { code: EMAIL_VERIFICATION_REQUIRED });
        }
      });
    },
    { name: 'mowt-signup-verification', fastify: '5.x', dependencies: ['mowt-permissions'] },
  );
}
