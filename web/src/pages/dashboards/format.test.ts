import { describe, expect, it } from 'vitest';
import { minorUnitExponent } from '../../../../src/metrics/fx.js';
import { formatCount, formatDay, formatMoney, formatPercent, formatPeriod, formatPoints, minorUnitDigits, relativeChange, tone } from './format.js';

describe('money from minor units', () => {
  it('formats pounds, yen and dinars by their own minor unit', () => {
    expect(formatMoney(123456, 'GBP')).toBe('£1,234.56');
    expect(formatMoney(123456, 'JPY')).toBe('JP¥123,456');
    expect(formatMoney(1234567, 'KWD').replace(/\s/g, ' ')).toBe('KWD 1,234.567');
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('GBP')).toBe(2);
  });
  it('counts minor units as Stripe and the server do, even where CLDR shows no decimals', () => {
    // 5,000 forint is 500000 in Stripe's API; CLDR displays HUF, ISK, IDR, COP and PKR without decimals.
    expect(formatMoney(500000, 'HUF').replace(/\s/g, ' ')).toBe('HUF 5,000');
    expect(formatMoney(500000, 'huf').replace(/\s/g, ' ')).toBe('HUF 5,000');
    expect(formatMoney(150000, 'ISK').replace(/\s/g, ' ')).toBe('ISK 1,500');
    for (const currency of Intl.supportedValuesOf('currency')) expect(minorUnitDigits(currency), currency).toBe(minorUnitExponent(currency));
  });
  it('uses a real minus sign, an optional plus, and a dash for missing figures', () => {
    expect(formatMoney(-4900, 'GBP')).toBe('−£49.00');
    expect(formatMoney(4900, 'EUR', { signed: true })).toBe('+€49.00');
    expect(formatMoney(0, 'USD', { signed: true })).toBe('US$0.00');
    expect(formatMoney(null, 'GBP')).toBe('—');
    expect(formatMoney(Number.NaN, 'GBP')).toBe('—');
  });
  it('abbreviates for chart axes', () => {
    expect(formatMoney(123456789, 'GBP', { compact: true })).toBe('£1.2m');
  });
  it('falls back to the code for a currency Intl does not know', () => {
    expect(formatMoney(1050, 'ZZZ')).toMatch(/10\.50/);
  });
});

describe('counts, percentages and changes', () => {
  it('formats counts with separators and signs', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-3)).toBe('−3');
    expect(formatCount(3, { signed: true })).toBe('+3');
  });
  it('turns fractions into percentages and rate changes into points', () => {
    expect(formatPercent(0.05)).toBe('5%');
    expect(formatPercent(0.0525)).toBe('5.25%');
    expect(formatPercent(1.0234)).toBe('102.3%');
    expect(formatPercent(-0.01)).toBe('−1%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPoints(0.0125)).toBe('+1.25 pts');
    expect(formatPoints(-0.003)).toBe('−0.3 pts');
  });
  it('computes the relative change and says whether it is good news', () => {
    expect(relativeChange(1234, 1000)).toBeCloseTo(0.234);
    expect(relativeChange(-50, -100)).toBeCloseTo(0.5);
    expect(relativeChange(5, 0)).toBeNull();
    expect(tone(10)).toBe('positive');
    expect(tone(10, false)).toBe('negative');
    expect(tone(0)).toBe('neutral');
    expect(tone(null)).toBe('neutral');
  });
});

describe('calendar days', () => {
  it('formats days and months without shifting them by a time zone', () => {
    expect(formatDay('2026-01-01')).toBe('1 Jan 2026');
    expect(formatDay('2026-10')).toBe('Oct 2026');
    expect(formatDay(null)).toBe('—');
    expect(formatPeriod('2026-10-01', 'month')).toBe('Oct 2026');
    expect(formatPeriod('2026-10-05', 'week')).toBe('w/c 5 Oct 2026');
    expect(formatPeriod('2026-10-05', 'day')).toBe('5 Oct 2026');
  });
});
