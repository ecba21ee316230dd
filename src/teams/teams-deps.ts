// What the teams operations need, assembled once in src/app.ts from the auth, crypto and mail slices.
// Narrow on purpose: teams never sees password hashes, sessions or key material, only these verbs.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';
import type { Mailer } from '../mail/mailer.js';

/** Where an encrypted value lives (src/crypto binds each ciphertext to it). */
export interface FieldPlace {
  table: string;
  column: string;
  rowId: string;
}

/** The per-organisation part of the encryption service (src/crypto's FieldCrypto satisfies it). */
export interface OrgCrypto {
  encryptField(orgId: string | null, ctx: FieldPlace, plaintext: string, tx?: Tx): Promise<string>;
  decryptField(orgId: string | null, ctx: FieldPlace, ciphertext: string, tx?: Tx): Promise<string>;
  /** Creates a new organisation's data keys (inside its creating transaction). */
  createOrgKey(orgId: string, tx?: Tx): Promise<void>;
}

export interface NewUserInput {
  email: string;
  name: string;
  password: string;
  orgName?: string;
  emailVerified?: boolean;
}

export interface TeamsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Public https origin for mailed and printed links (never the Host header). */
  baseUrl: () => string;
  mailer: Mailer;
  crypto: OrgCrypto;
  /** The keyed blind index users.email_index holds, so an invite can be matched to an account. */
  userEmailIndex(email: string, tx?: Tx): Promise<string>;
  /** Decrypts users.email_encrypted of that user (for the members list). */
  decryptUserEmail(userId: string, emailEncrypted: string, tx?: Tx): Promise<string>;
  /** Creates an account with a password that passes the policy (auth's createUser); 422/409 problems. */
  createUser(input: NewUserInput, tx?: Tx): Promise<{ id: string }>;
  /** Ends every session and API token of a user: removal and role changes act on their next request. */
  revokeUserAccess(userId: string): Promise<void>;
}
