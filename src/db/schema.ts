// The whole database as Kysely sees it: one line per table, each table typed in its own slice.
import type { CryptoDataKeysTable } from '../crypto/crypto-data-keys.table.js';
import type { CryptoEncryptedColumnsTable } from '../crypto/crypto-encrypted-columns.table.js';
import type { CryptoKeyEventsTable } from '../crypto/crypto-key-events.table.js';
import type { CryptoKeksTable } from '../crypto/crypto-keks.table.js';
import type { CryptoReencryptionCursorsTable } from '../crypto/crypto-reencryption-cursors.table.js';
import type { CryptoRotationLeasesTable } from '../crypto/crypto-rotation-leases.table.js';
import type { CryptoRotationsTable } from '../crypto/crypto-rotations.table.js';
import type { AuthTokensTable } from '../auth/auth-tokens.table.js';
import type { RecoveryCodesTable } from '../auth/recovery-codes.table.js';
import type { SessionsTable } from '../auth/sessions.table.js';
import type { UserPasswordsTable } from '../auth/user-passwords.table.js';
import type { UserTotpTable } from '../auth/user-totp.table.js';
import type { UsersTable } from '../auth/users.table.js';
import type { AuditChainHeadsTable, AuditLogTable } from '../audit/audit-log.table.js';
import type { InvitesTable } from '../teams/invites.table.js';
import type { MembershipsTable } from '../teams/memberships.table.js';
import type { OrganisationsTable } from '../teams/organisations.table.js';
import type { SetupTokensTable } from '../teams/setup-tokens.table.js';

export interface Database {
  organisations: OrganisationsTable;
  crypto_keks: CryptoKeksTable;
  crypto_data_keys: CryptoDataKeysTable;
  crypto_reencryption_cursors: CryptoReencryptionCursorsTable;
  crypto_key_events: CryptoKeyEventsTable;
  crypto_rotation_leases: CryptoRotationLeasesTable;
  crypto_rotations: CryptoRotationsTable;
  crypto_encrypted_columns: CryptoEncryptedColumnsTable;
  memberships: MembershipsTable;
  invites: InvitesTable;
  setup_tokens: SetupTokensTable;
  audit_log: AuditLogTable;
  audit_chain_heads: AuditChainHeadsTable;
  users: UsersTable;
  user_passwords: UserPasswordsTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  auth_tokens: AuthTokensTable;
}
