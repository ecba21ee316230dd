// Building blocks the slices' answer schemas (src/<slice>/<slice>-schemas.ts) share. Imports only TypeBox, like
// those modules, so the web app can import their types type-only without bundling anything.
import { Type, type TSchema } from 'typebox';

/** An instant as the answers send it: ISO 8601 (Date objects are serialised to it). */
export const IsoTime = Type.String({ format: 'date-time' });

export const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** A calendar day, YYYY-MM-DD. */
export const Day = Type.String({ pattern: DAY_PATTERN });

/** `t`, or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
