import { describe, expect, it } from 'vitest';
import { planLabel } from './FilterBar.js';

const plan = { priceId: 'price_1', productName: 'Pro', nickname: null, interval: 'month', intervalCount: 1, currency: 'GBP' };

describe('plan labels in the plan filter', () => {
  it('names the plan by nickname, product or price id, with its currency and billing interval', () => {
    expect(planLabel(plan)).toBe('Pro (GBP per month)');
    expect(planLabel({ ...plan, nickname: 'Pro yearly', interval: 'year' })).toBe('Pro yearly (GBP per year)');
    expect(planLabel({ ...plan, productName: null, intervalCount: 3 })).toBe('price_1 (GBP every 3 months)');
  });
  it('leaves the interval out for a price Mowt has not synced, instead of "per null"', () => {
    expect(planLabel({ ...plan, productName: null, interval: null, intervalCount: null })).toBe('price_1 (GBP)');
  });
});
