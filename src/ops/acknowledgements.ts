// The security hall of fame: researchers who reported valid issues and asked to be credited. Appended by the
// security team when a fix ships (name as the researcher wants it shown, month, short public summary).
import { Type, type Static } from 'typebox';

export const AcknowledgementSchema = Type.Object({
  name: Type.String(),
  /** YYYY-MM the fix shipped. */
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
  summary: Type.String(),
  url: Type.Optional(Type.String()),
});
export type Acknowledgement = Static<typeof AcknowledgementSchema>;

/** The answer of GET /api/security/acknowledgements (also the web page's type). */
export const AcknowledgementsViewSchema = Type.Object({
  acknowledgements: Type.Array(AcknowledgementSchema),
  /** where the disclosure policy is */
  policy: Type.String(),
  contact: Type.String(),
});
export type AcknowledgementsView = Static<typeof AcknowledgementsViewSchema>;

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [];
