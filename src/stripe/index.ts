// The Stripe slice's public face: the service the composition root builds, the demo start-up, and the
// read-only client types other slices may depend on.
export { createStripeService, type StripeService, type StripeServiceInput } from './stripe-service.js';
export { startDemoStripe, DEMO_LABEL, type DemoStripe } from './demo.js';
export type { StripeReader, ListType, StripeObject } from './client.js';
export type { StripeDeps, StripeCrypto } from './stripe-deps.js';
export { syncConnection } from './sync-connection.js';
export { listConnectionViews, type ConnectionView } from './list-connections.js';
