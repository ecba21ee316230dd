// Key lifecycle events. Each is written to crypto_key_events in the same transaction as the change it
// describes (so the record and the change commit together), then handed to the optional listener — the
// composition root points that at the audit log. When the change ran in the caller's transaction, the
// listener gets that transaction (its entry then commits or rolls back with the change; opening a second
// transaction there would deadlock PGlite's single connection); otherwise it runs after commit.
import type { Tx } from '../db/tenant.js';
import type { KeyPurpose } from './key-purpose.js';
import type { Queryable } from './key-store.js';

export type KeyEventType =
  | 'key.created'
  | 'kek.rotated'
  | 'data_key.rotated'
  | 'data_keys.rewrapped'
  | 'kek.retired'
  | 'kek.destroyed'
  | 'data_key.retired'
  | 'data_key.destroyed'
  | 'reencryption.completed'
  | 'org_keys.destroyed';

export interface KeyEvent {
  type: KeyEventType;
  /** null = system scope */
  orgId: string | null;
  purpose: KeyPurpose | null;
  version: number | null;
  at: Date;
  /** Ids, counts and versions only: never key material or field values. */
  detail: Record<string, string | number | boolean | null>;
}

/** `tx` is set when the change happened inside the caller's still-open transaction. */
export type KeyEventListener = (event: KeyEvent, tx?: Tx) => void | Promise<void>;

export async function recordKeyEvent(tx: Queryable, event: KeyEvent): Promise<void> {
  await tx
    .insertInto('crypto_key_events')
    .values({
      occurred_at: event.at,
      org_id: event.orgId,
      event: event.type,
      purpose: event.purpose,
      version: event.version,
      detail: JSON.stringify(event.detail),
    })
    .execute();
}

/** Collects events during a transaction and delivers them once it has committed. */
export class KeyEventBatch {
  private readonly events: KeyEvent[] = [];

  constructor(private readonly listener?: KeyEventListener) {}

  async record(tx: Queryable, event: KeyEvent): Promise<void> {
    await recordKeyEvent(tx, event);
    this.events.push(event);
  }

  /**
   * Call after commit, or with the caller's transaction when the change ran inside it. A failing listener
   * must not undo a key change: it is reported, not thrown.
   */
  async deliver(tx?: Tx): Promise<void> {
    const events = this.events.splice(0);
    if (!this.listener) return;
    for (const event of events) {
      try {
        await this.listener(event, tx);
      } catch (err) {
        process.emitWarning(`key event listener failed for ${event.type}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
