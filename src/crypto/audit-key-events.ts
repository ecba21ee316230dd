// Key lifecycle events into the audit log: each becomes a system-actor entry on the organisation's chain
// (or the system chain), e.g. action 'crypto.kek.rotated', target 'key' 'data:v2'.
import { appendAudit } from '../audit/append-audit.js';
import type { Db } from '../db/database.js';
import type { Tx } from '../db/tenant.js';
import type { KeyEvent, KeyEventListener } from './key-events.js';

export function auditKeyEvents(db: Db): KeyEventListener {
  return async (event: KeyEvent, tx?: Tx) => {
    await appendAudit(tx ?? db, {
      orgId: event.orgId,
      actor: { type: 'system', id: null },
      action: `crypto.${event.type}`,
      target: { type: 'key', id: event.purpose === null ? null : `${event.purpose}${event.version === null ? '' : `:v${event.version}`}` },
      result: 'success',
      metadata: { ...event.detail },
      at: event.at,
    });
  };
}
