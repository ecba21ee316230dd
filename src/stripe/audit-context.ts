// Who did a Stripe operation, for the audit entry it writes.
export interface Actor {
  userId: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export const auditActor = (a: Actor) => (a.userId ? { type: 'user' as const, id: a.userId } : { type: 'system' as const, id: null });
