// Entry point for schema generation: aliases pin each name to the v1 resource the emulator serves
// (the SDK also has Issuing.Dispute, V2 Account and V2 Event with the same short names).
import type Stripe from 'stripe';

export type EmAccount = Stripe.Account;
export type EmBalanceTransaction = Stripe.BalanceTransaction;
export type EmCharge = Stripe.Charge;
export type EmCoupon = Stripe.Coupon;
export type EmCustomer = Stripe.Customer;
export type EmDispute = Stripe.Dispute;
export type EmEvent = Stripe.Event;
export type EmInvoice = Stripe.Invoice;
export type EmPrice = Stripe.Price;
export type EmProduct = Stripe.Product;
export type EmRefund = Stripe.Refund;
export type EmSubscription = Stripe.Subscription;
export type EmList = Stripe.ApiList<unknown>;
