export { BillingAccount, BILLING_KEY } from './billing-account.js';
export { handleBilling } from './routes.js';
