// The Stripe accounts the emulator hosts: the main (platform) account and a few connected accounts,
// each with its own generated business, built lazily on first use.
import type { BusinessSize } from '../generator/business.js';
import { hashSeed } from '../generator/rng.js';
import type { StripeObject } from '../generator/types.js';
import { AccountStore } from './account-store.js';
import type { Clock } from './clock.js';

export interface AccountSpec {
  id: string;
  name: string;
  size: BusinessSize;
  seed: number;
}

function accountId(seed: number, n: number): string {
  return `acct_1${hashSeed(seed, 'account', n).toString(36).padStart(7, '0')}${hashSeed(n, seed, 'x').toString(36).padStart(7, '0')}`.slice(0, 21);
}

export class Accounts {
  readonly specs: AccountSpec[];
  private readonly stores = new Map<string, AccountStore>();

  constructor(size: BusinessSize, private readonly seed: number, private readonly clock: Clock, private readonly retentionDays: number) {
    this.specs = [
      { id: accountId(seed, 0), name: 'Mowt Demo Ltd', size, seed },
      // Connected accounts are small so that tests touching them stay fast.
      { id: accountId(seed, 1), name: 'Connected Coffee Co', size: 'small', seed: seed + 1 },
      { id: accountId(seed, 2), name: 'Connected Studio GmbH', size: 'small', seed: seed + 2 },
    ];
  }

  get mainId(): string {
    return this.specs[0]?.id ?? '';
  }

  exists(id: string): boolean {
    return this.specs.some((s) => s.id === id);
  }

  store(id: string): AccountStore {
    let store = this.stores.get(id);
    if (store) return store;
    const spec = this.specs.find((s) => s.id === id);
    if (!spec) throw new Error(`unknown account ${id}`);
    store = new AccountStore({ size: spec.size, seed: spec.seed, accountId: spec.id, accountName: spec.name, eventRetentionDays: this.retentionDays, clock: this.clock });
    this.stores.set(id, store);
    return store;
  }

  /** The v1 Account object (`GET /v1/account`). */
  account(id: string): StripeObject {
    const spec = this.specs.find((s) => s.id === id);
    if (!spec) throw new Error(`unknown account ${id}`);
    const main = id === this.mainId;
    return {
      id, object: 'account',
      business_profile: {
        mcc: '5734', minority_owned_business_designation: null, name: spec.name, product_description: 'Subscription software',
        specified_commercial_transactions_act_url: null, support_address: null, support_email: 'support@example.com', support_phone: null,
        support_url: null, url: 'https://example.com',
      },
      business_type: 'company', charges_enabled: true, country: 'GB', created: this.clock.now() - 5 * 365 * 86400,
      default_currency: 'gbp', details_submitted: true, email: `owner@${spec.name.toLowerCase().replace(/[^a-z]+/g, '')}.example.com`,
      metadata: {}, payouts_enabled: true,
      settings: {
        branding: { icon: null, logo: null, primary_color: '#1f6feb', secondary_color: null },
        card_payments: { statement_descriptor_prefix: 'MOWT', statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
        dashboard: { display_name: spec.name, timezone: 'Europe/London' },
        payments: { statement_descriptor: spec.name.toUpperCase().slice(0, 22), statement_descriptor_kana: null, statement_descriptor_kanji: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      },
      type: main ? 'standard' : 'standard',
    };
  }
}
