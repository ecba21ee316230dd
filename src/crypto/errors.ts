// Every failure the encryption service can report, each with one job and a message an operator can act on.
// Callers branch on the class (instanceof), never on message text.

export class CryptoError extends Error {
  override name = 'CryptoError';
}

/** A ciphertext failed authentication: tampered, truncated, or copied from another org/table/column/row. */
export class DecryptionError extends CryptoError {
  override name = 'DecryptionError';
}

/** The text is not a Mowt field ciphertext at all (wrong prefix, bad base64, too short). */
export class MalformedCiphertextError extends DecryptionError {
  override name = 'MalformedCiphertextError';
}

/**
 * The key a value needs was destroyed (crypto-shredding, or retention expiry). Raised before any decryption
 * is attempted, so a shredded value fails loudly instead of yielding garbage.
 */
export class KeyDestroyedError extends CryptoError {
  override name = 'KeyDestroyedError';
  constructor(
    readonly scope: string,
    readonly purpose: string,
    readonly version: number | null,
    cause?: unknown,
  ) {
    super(
      `the ${purpose} key${version === null ? '' : ` version ${version}`} of ${scope === 'system' ? 'the system scope' : `organisation ${scope}`} ` +
        'has been destroyed: values encrypted under it can no longer be decrypted',
      cause === undefined ? undefined : { cause },
    );
  }
}

/** No key exists for this scope/purpose/version (never created, or a ciphertext names a version unknown here). */
export class KeyNotFoundError extends CryptoError {
  override name = 'KeyNotFoundError';
}

/** Base class of KMS adapter failures; `retryable` tells a job runner whether trying again can help. */
export class KmsError extends CryptoError {
  override name = 'KmsError';
  readonly retryable: boolean = false;
}

/** The key-encryption key does not exist, is disabled or is pending deletion in the KMS. */
export class KekNotFoundError extends KmsError {
  override name = 'KekNotFoundError';
}

/** The KMS refused: missing IAM permission or key policy grant. */
export class KmsAccessDeniedError extends KmsError {
  override name = 'KmsAccessDeniedError';
}

/** The KMS could not unwrap: wrong key, wrong encryption context, or a damaged wrapped key. */
export class KmsInvalidCiphertextError extends KmsError {
  override name = 'KmsInvalidCiphertextError';
}

/** Throttling, timeouts, KMS-internal errors: transient, worth retrying later. */
export class KmsUnavailableError extends KmsError {
  override name = 'KmsUnavailableError';
  override readonly retryable = true;
}

/** The local keyring is unusable as found (permissions, MOWT_MASTER_KEY mismatch, corrupt file). */
export class KeyringError extends KmsError {
  override name = 'KeyringError';
}

/** Another process holds the rotation lease; rotation is already running elsewhere. */
export class RotationBusyError extends CryptoError {
  override name = 'RotationBusyError';
}
