// The JSON answers of /api/orgs/:orgId/views and /annotations as TypeBox schemas: the routes' response
// schemas (Fastify serialises exactly these fields: never the encrypted content column) and, type-only, the
// dashboard's SavedView and Annotation types. Imports only TypeBox and the filters' schema, which itself
// imports only TypeBox, so the web can import the types without bundling anything.
import { Type, type Static } from 'typebox';
import { Day, IsoTime, Nullable } from '../http/schema-primitives.js';
import { ViewFiltersSchema } from './view-definition.js';

/** Who made a saved view or annotation and when; createdBy is null once that member's account is gone. */
const Authored = { createdBy: Nullable(Type.String()), createdAt: IsoTime, updatedAt: IsoTime };

/** A saved view: its name and its (normalised) filters, decrypted for the organisation that owns it. */
export const SavedViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  filters: ViewFiltersSchema,
  ...Authored,
});
export type SavedView = Static<typeof SavedViewSchema>;

export const ViewListSchema = Type.Object({ views: Type.Array(SavedViewSchema) });
export type ViewList = Static<typeof ViewListSchema>;
export const ViewAnswerSchema = Type.Object({ view: SavedViewSchema });
export type ViewAnswer = Static<typeof ViewAnswerSchema>;

/** A dated note on the MRR chart. */
export const AnnotationSchema = Type.Object({
  id: Type.String(),
  date: Day,
  label: Type.String(),
  /** '' when the annotation has no note */
  note: Type.String(),
  ...Authored,
});
export type Annotation = Static<typeof AnnotationSchema>;

export const AnnotationListSchema = Type.Object({ annotations: Type.Array(AnnotationSchema) });
export type AnnotationList = Static<typeof AnnotationListSchema>;
export const AnnotationAnswerSchema = Type.Object({ annotation: AnnotationSchema });
export type AnnotationAnswer = Static<typeof AnnotationAnswerSchema>;
