// Builds the teams dependencies from the authentication slice's (users, passwords, sessions, mail) and the
// per-organisation encryption service. Used by src/app.ts and by the tests, so both wire teams identically.
import type { AuthDeps } from '../auth/auth-deps.js';
import { createUser } from '../auth/create-user.js';
import { emailField } from '../auth/field-crypto.js';
import { revokeUserSessions } from '../auth/sessions.js';
import { emailIndexOf } from '../auth/users.js';
import type { OrgCrypto, TeamsDeps } from './teams-deps.js';

export function createTeamsDeps(auth: AuthDeps, orgCrypto: OrgCrypto): TeamsDeps {
  return {
    db: auth.db,
    clock: auth.clock,
    logger: auth.logger,
    baseUrl: () => auth.config.baseUrl,
    mailer: auth.mailer,
    crypto: orgCrypto,
    userEmailIndex: (email, tx) => emailIndexOf(auth.crypto, email, tx),
    decryptUserEmail: (userId, ciphertext, tx) => auth.crypto.decryptSystemField(emailField(userId), ciphertext, tx),
    createUser: (input, tx) => createUser(auth, input, tx),
    // Sessions are the only credentials so far; API tokens join here when they exist.
    revokeUserAccess: async (userId) => {
      await revokeUserSessions(auth.db, userId);
    },
  };
}
