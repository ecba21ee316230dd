// The JSON answers of the sign-up routes as TypeBox schemas: the routes' response schemas (Fastify
// serialises exactly these fields) and, type-only, the web app's sign-up page. Imports nothing but TypeBox.
import { Type, type Static } from 'typebox';

/** GET /api/auth/signup: whether sign-up is open here, the trial's length, whether demo data can be explored. */
export const SignupInfoSchema = Type.Object({ open: Type.Boolean(), trialDays: Type.Integer(), demoData: Type.Boolean() });
export type SignupInfo = Static<typeof SignupInfoSchema>;

/**
 * POST /api/auth/signup (202): the same answer whether or not the address already had an account, so the
 * form cannot be used to find out who has one.
 */
export const SignupAcceptedSchema = Type.Object({ status: Type.Literal('check_email'), detail: Type.String() });
export type SignupAccepted = Static<typeof SignupAcceptedSchema>;

/** POST /api/orgs/:orgId/onboarding/demo: the demo Stripe connection made for the organisation. */
export const DemoConnectedSchema = Type.Object({ connectionId: Type.String() });
export type DemoConnected = Static<typeof DemoConnectedSchema>;
