// The one small interface every key-encryption-key holder implements. Key-encryption keys (KEKs) never
// leave the KMS (AWS) or the key folder (local keyring); Mowt only ever holds data keys, wrapped at rest.
import type { KeyPurpose, Scope } from './key-purpose.js';

export interface KekIdentity {
  scope: Scope;
  purpose: KeyPurpose;
  version: number;
}

export interface WrapContext {
  scope: Scope;
  purpose: KeyPurpose;
}

export type KmsKind = 'keyring' | 'aws-kms';

export interface Kms {
  readonly kind: KmsKind;
  /**
   * Creates the key-encryption key for one scope, purpose and version and returns its reference (a keyring
   * name or a KMS key ARN). Idempotent for the local keyring; the AWS adapter creates a new CMK per call.
   */
  createKek(id: KekIdentity): Promise<string>;
  /** A fresh 256-bit data key, in clear and wrapped under kekRef. */
  generateDataKey(kekRef: string, ctx: WrapContext): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  /** Wraps an existing data key under kekRef (re-wrapping during rotation). */
  wrapKey(kekRef: string, plaintext: Buffer, ctx: WrapContext): Promise<Buffer>;
  unwrapKey(kekRef: string, wrapped: Buffer, ctx: WrapContext): Promise<Buffer>;
  /** Irreversibly destroys (or schedules destruction of) the key material; idempotent. */
  destroyKek(kekRef: string): Promise<void>;
}
