import { describe, expect, it } from 'vitest';
import { addDays, apiQuery, defaultRange, EMPTY_FILTERS, parseMetadataPair, presetRange, readState, sameFilters, todayIn, toViewFilters, writeState } from './query-state.js';

const TODAY = '2026-11-15';

describe('dashboard state in the URL', () => {
  it('defaults to the API’s 12 months up to today, monthly, no filters', () => {
    expect(defaultRange(TODAY)).toEqual({ from: '2025-11-16', to: TODAY });
    expect(readState(new URLSearchParams(), TODAY)).toEqual({ from: '2025-11-16', to: TODAY, interval: 'month', filters: EMPTY_FILTERS, viewId: null });
    expect(writeState(readState(new URLSearchParams(), TODAY), TODAY).toString()).toBe('');
  });

  it('reads every filter and writes the same URL back', () => {
    const url = 'from=2026-01-01&to=2026-06-30&interval=week&plan=price_a%2Cprice_b&currency=USD%2CEUR&country=GB&billingInterval=year&meta=tier%3Agold&meta=note%3Aa%3Ab&view=0b9c3a52-8e1f-4a7e-9a55-1f4c2d6e7a10';
    const state = readState(new URLSearchParams(url), TODAY);
    expect(state).toEqual({
      from: '2026-01-01',
      to: '2026-06-30',
      interval: 'week',
      filters: {
        plans: ['price_a', 'price_b'],
        currencies: ['USD', 'EUR'],
        countries: ['GB'],
        billingIntervals: ['year'],
        metadata: [
          { key: 'tier', value: 'gold' },
          { key: 'note', value: 'a:b' },
        ],
      },
      viewId: '0b9c3a52-8e1f-4a7e-9a55-1f4c2d6e7a10',
    });
    expect(writeState(state, TODAY).toString()).toBe(url);
  });

  it('drops what is malformed instead of sending it to the API', () => {
    const state = readState(new URLSearchParams('from=2026-02-30&to=2027-01-01&interval=hour&currency=dollars,usd&country=GBR,de&billingInterval=fortnight&meta=nocolon&meta=:x&view=../../etc'), TODAY);
    expect(state).toEqual({ from: '2025-11-16', to: TODAY, interval: 'month', filters: { ...EMPTY_FILTERS, currencies: ['USD'], countries: ['DE'] }, viewId: null });
  });

  it('never lets from come after to', () => {
    expect(readState(new URLSearchParams('from=2026-10-01&to=2026-09-01'), TODAY)).toMatchObject({ from: '2025-09-02', to: '2026-09-01' });
  });

  it('builds the metrics API query with comma lists and repeated meta', () => {
    const state = readState(new URLSearchParams('plan=price_a,price_b&meta=tier:gold&meta=region:eu'), TODAY);
    expect(apiQuery(state)).toBe('?from=2025-11-16&to=2026-11-15&interval=month&plan=price_a%2Cprice_b&meta=tier%3Agold&meta=region%3Aeu');
    expect(apiQuery(state, { date: '2026-11-01' }, { range: false, interval: false })).toBe('?plan=price_a%2Cprice_b&meta=tier%3Agold&meta=region%3Aeu&date=2026-11-01');
  });

  it('offers presets that end today', () => {
    expect(presetRange('30d', TODAY)).toEqual({ from: '2026-10-17', to: TODAY, interval: 'day' });
    expect(presetRange('12m', TODAY)).toEqual({ from: '2025-11-16', to: TODAY, interval: 'month' });
    expect(presetRange('nope', TODAY)).toBeNull();
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('saved-view filters', () => {
  it('compare regardless of order and leave out empty lists', () => {
    const a = { ...EMPTY_FILTERS, plans: ['b', 'a'], metadata: [{ key: 'k', value: 'v' }] };
    const b = { ...EMPTY_FILTERS, plans: ['a', 'b'], metadata: [{ key: 'k', value: 'v' }] };
    expect(sameFilters(a, b)).toBe(true);
    expect(sameFilters(a, { ...b, countries: ['GB'] })).toBe(false);
    expect(toViewFilters(a)).toEqual({ plans: ['b', 'a'], metadata: [{ key: 'k', value: 'v' }] });
  });
  it('split metadata at the first colon', () => {
    expect(parseMetadataPair('url:https://x')).toEqual({ key: 'url', value: 'https://x' });
    expect(parseMetadataPair('k:')).toBeNull();
  });
});

describe('today in the organisation’s zone', () => {
  it('is the calendar day there, not in the browser', () => {
    const instant = new Date('2026-11-15T23:30:00Z');
    expect(todayIn('Europe/London', instant)).toBe('2026-11-15');
    expect(todayIn('Asia/Tokyo', instant)).toBe('2026-11-16');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-11-15');
    expect(todayIn('Not/AZone', instant)).toBe('2026-11-15');
  });
});
