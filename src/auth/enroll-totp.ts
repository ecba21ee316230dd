// Starts TOTP enrolment: a new secret (encrypted at rest, pending until confirmed with a code), the
// otpauth:// URI and its QR code. Refused when 2FA is already active: changing it needs disable-totp first.
import { withoutOrg } from '../db/tenant.js';
import { HttpProblem } from '../http/problem.js';
import type { AuthDeps } from './auth-deps.js';
import { totpSecretField } from './field-crypto.js';
import { loadTotp } from './second-factor.js';
import { newTotpSecret, otpauthUri, qrSvg } from './totp.js';
import { userEmail } from './users.js';

export async function enrollTotp(deps: AuthDeps, userId: string): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  const secret = newTotpSecret();
  const now = deps.clock();
  const email = await withoutOrg(deps.db, async (tx) => {
    const encrypted = await deps.crypto.encryptSystemField(totpSecretField(userId), secret, tx);
    const existing = await loadTotp(tx, userId);
    if (existing?.confirmed_at) throw new HttpProblem(409, 'two-factor authentication is already set up');
    await tx
      .insertInto('user_totp')
      .values({ user_id: userId, secret_encrypted: encrypted, created_at: now })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ secret_encrypted: encrypted, created_at: now, last_used_step: null }),
      )
      .execute();
    return userEmail(tx, deps.crypto, userId);
  });
  const uri = otpauthUri(secret, email);
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}
