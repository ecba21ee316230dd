// Associated data for AES-GCM: binds every ciphertext to where it lives. Each part is length-prefixed, so
// no choice of table/column/row text can make two different places encode to the same bytes.
import type { KeyPurpose, Scope } from './key-purpose.js';

/** Where a field value lives. rowId is the row's primary key as text (String(id) for numbers). */
export interface FieldContext {
  table: string;
  column: string;
  rowId: string;
}

function encodeParts(parts: string[]): Buffer {
  let size = 0;
  for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) {
    const written = out.write(part, at + 4, 'utf8');
    out.writeUInt32BE(written, at);
    at += 4 + written;
  }
  return out;
}

export function fieldAssociatedData(scope: Scope, purpose: KeyPurpose, keyVersion: number, ctx: FieldContext): Buffer {
  return encodeParts(['mowt-field-v1', scope, purpose, String(keyVersion), ctx.table, ctx.column, ctx.rowId]);
}

/** Binds a wrapped data key to its owner, purpose and version (local keyring wrapping). */
export function keyWrapAssociatedData(kekRef: string, scope: Scope, purpose: KeyPurpose): Buffer {
  return encodeParts(['mowt-dek-wrap-v1', kekRef, scope, purpose]);
}

export function assertFieldContext(ctx: FieldContext): void {
  for (const k of ['table', 'column', 'rowId'] as const) {
    if (typeof ctx[k] !== 'string' || ctx[k] === '') throw new TypeError(`field context needs a non-empty ${k}`);
  }
}
