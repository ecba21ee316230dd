/** A Stripe API object as JSON; its exact shape is checked against the SDK's types in fidelity tests. */
export type StripeObject = Record<string, unknown>;
