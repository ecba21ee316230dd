// Public self-serve sign-up: the organisation, its Admin, the trial; verification before any data.
export { signUp, SIGNUP_ACCEPTED, type SignUpDeps, type SignUpInput } from './sign-up.js';
export { signupRoutes } from './routes.js';
export { createSignupThrottle, DEFAULT_SIGNUP_LIMITS, type SignupThrottle } from './signup-throttle.js';
export { verificationGate, EMAIL_VERIFICATION_REQUIRED } from './verification-gate.js';
